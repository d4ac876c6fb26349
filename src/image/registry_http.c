/*
 * registry_http.c - requests to a registry through libcurl (loaded on first
 * use: net/libcurl.h).
 *
 * Auth: a request goes out anonymously (or with what is already known);
 * a 401 carries a WWW-Authenticate challenge: Basic -> the credentials
 * (opts, environment, docker config), Bearer -> a token from the realm
 * with service and scope "repository:REPO:pull" (basic credentials sent to
 * the token endpoint if there are any).  The token is reused by every
 * request and refreshed on the next 401.
 *
 * Faults: 429 (Retry-After honoured), 5xx and network errors are retried
 * with exponential backoff; a blob cut short is resumed with a Range
 * request from the byte it stopped at (the layer pipeline's hash state
 * simply continues); a registry that ignores Range (200) is re-read and the
 * bytes already delivered are skipped.
 *
 * Time: a transfer fails after `timeout` seconds without a byte (and each
 * connect after at most 30 s).  Small requests (manifests, tokens, the
 * config) also have a total deadline, retries included: `small_timeout`
 * seconds (60; STOWAWAY_REGISTRY_SMALL_TIMEOUT), so a registry trickling
 * 2 bytes/s cannot hold a scan forever.  A blob stream stops at the size
 * its descriptor declares: more bytes are an error, not read to their end.
 *
 * Threads: the sw_registry state is shared (a mutex guards the token); each
 * request and each stream uses its own curl handles.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/internal.h"
#include "net/libcurl.h"
#include "util/mem.h"

#define MAX_TRIES 5          /* attempts per request (or per stalled stream) */
#define MAX_RESTARTS 64      /* transfers per blob stream in all */
#define ERRBODY_MAX 4096
#define TOKEN_MAX (1 << 20)
#define RETRY_AFTER_MAX 60

enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct sw_registry {
	char *display;      /* "host/repo:tag" for messages */
	char *base;         /* "https://host/v2/repo" */
	char *repo;
	char *host;
	char *user, *pass;  /* NULL until looked up / given */
	bool creds_looked_up;
	bool insecure, plain_http;
	long timeout;       /* seconds without progress */
	long small_timeout; /* seconds in all for a manifest, token or config (retries included) */
	long backoff_ms;
	pthread_mutex_t mu; /* guards scheme, token, gen, creds lookup */
	enum auth_scheme scheme;
	char *token;
	unsigned gen;       /* bumped each time the auth state changes */
	bool push;          /* a token without a scope in its challenge asks for pull,push */
};

static long env_long(const char *name, long def, long lo, long hi)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return def;
	return v;
}

int sw_registry_new(const struct sw_registry_ref *ref, const struct sw_registry_opts *o,
		    struct sw_registry **out, struct sw_err *err)
{
	int rc = sw_libcurl_load(err);
	if (rc < 0)
		return rc;
	struct sw_registry *r = sw_xcalloc(1, sizeof(*r));
	r->display = sw_registry_ref_str(ref);
	r->plain_http = o && o->plain_http;
	r->insecure = o && o->insecure;
	r->base = sw_xasprintf("%s://%s/v2/%s", r->plain_http ? "http" : "https", ref->api_host,
			       ref->repo);
	r->repo = sw_xstrdup(ref->repo);
	r->host = sw_xstrdup(ref->host);
	if (o && o->username) {
		r->user = sw_xstrdup(o->username);
		r->pass = sw_xstrdup(o->password ? o->password : "");
		r->creds_looked_up = true;
	}
	r->timeout = env_long("STOWAWAY_REGISTRY_TIMEOUT", 60, 1, 3600);
	r->backoff_ms = env_long("STOWAWAY_REGISTRY_BACKOFF_MS", 250, 0, 60000);
	r->small_timeout = env_long("STOWAWAY_REGISTRY_SMALL_TIMEOUT", 60, 1, 3600);
	pthread_mutex_init(&r->mu, NULL);
	*out = r;
	return 0;
}

void sw_registry_free(struct sw_registry *r)
{
	if (!r)
		return;
	free(r->display);
	free(r->base);
	free(r->repo);
	free(r->host);
	free(r->user);
	if (r->pass) {
		memset(r->pass, 0, strlen(r->pass));
		free(r->pass);
	}
	free(r->token);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* ---- one response ---------------------------------------------------------- */

struct resp {
	char *content_type, *digest, *www_auth, *retry_after, *content_range, *location;
	struct curl_slist *hdrs;
};

static void resp_clear(struct resp *x)
{
	free(x->content_type);
	free(x->digest);
	free(x->www_auth);
	free(x->retry_after);
	free(x->content_range);
	free(x->location);
	x->content_type = x->digest = x->www_auth = x->retry_after = x->content_range = x->location = NULL;
}

static void resp_release(struct resp *x)
{
	resp_clear(x);
	sw_curl->slist_free_all(x->hdrs);
	x->hdrs = NULL;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ud)
{
	struct resp *x = ud;
	size_t len = size * n;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new response (redirect, 100) */
		resp_clear(x);
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return len;
	size_t kl = (size_t)(colon - data);
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char **dst = NULL;
#define HDR(name, field) else if (kl == sizeof(name) - 1 && strncasecmp(data, name, kl) == 0) dst = &x->field
	if (0)
		;
	HDR("content-type", content_type);
	HDR("docker-content-digest", digest);
	HDR("www-authenticate", www_auth);
	HDR("retry-after", retry_after);
	HDR("content-range", content_range);
	HDR("location", location);
#undef HDR
	if (dst && !*dst && end - v < 8192) /* first challenge wins */
		*dst = sw_xstrndup(v, (size_t)(end - v));
	return len;
}

struct body {
	struct sw_buf *b;
};

static size_t body_cb(char *data, size_t size, size_t n, void *ud)
{
	struct sw_buf *b = ud;
	sw_buf_add(b, data, size * n);
	return sw_buf_ok(b) ? size * n : 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (at least 1 while any is left), or 0. */
static long ms_left(long long deadline)
{
	long long left = deadline - now_ms();
	return left <= 0 ? 0 : (long)left;
}

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long backoff(const struct sw_registry *r, int attempt, const struct resp *x)
{
	if (x && x->retry_after) {
		char *end;
		long v = strtol(x->retry_after, &end, 10);
		if (end != x->retry_after && *end == '\0' && v >= 0)
			return (v > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : v) * 1000;
	}
	long ms = r->backoff_ms;
	for (int i = 0; i < attempt && ms < 8000; i++)
		ms *= 2;
	return ms;
}

/* Common options; auth header as of now; returns the gen it used. */
static unsigned setup(struct sw_registry *r, CURL *h, const char *url, const char *accept,
		      const char *range, struct resp *x)
{
	sw_curl->easy_reset(h);
	sw_curl->easy_setopt(h, CURLOPT_URL, url);
	sw_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	sw_curl->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	sw_curl->easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	sw_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	sw_curl->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, r->plain_http ? "http,https" : "https");
	sw_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, r->timeout < 30 ? r->timeout : 30L);
	sw_curl->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	sw_curl->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->timeout);
	sw_curl->easy_setopt(h, CURLOPT_USERAGENT, "stowaway");
	sw_curl->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
	if (r->insecure) {
		sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	sw_curl->easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	sw_curl->easy_setopt(h, CURLOPT_HEADERDATA, x);
	if (range)
		sw_curl->easy_setopt(h, CURLOPT_RANGE, range);
	sw_curl->slist_free_all(x->hdrs);
	x->hdrs = NULL;
	resp_clear(x);
	if (accept) {
		char *a = sw_xasprintf("Accept: %s", accept);
		x->hdrs = sw_curl->slist_append(x->hdrs, a);
		free(a);
	}
	pthread_mutex_lock(&r->mu);
	unsigned gen = r->gen;
	if (r->scheme == AUTH_BEARER && r->token) {
		char *a = sw_xasprintf("Authorization: Bearer %s", r->token);
		x->hdrs = sw_curl->slist_append(x->hdrs, a);
		memset(a, 0, strlen(a));
		free(a);
	} else if (r->scheme == AUTH_BASIC && r->user) {
		sw_curl->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		sw_curl->easy_setopt(h, CURLOPT_USERNAME, r->user);
		sw_curl->easy_setopt(h, CURLOPT_PASSWORD, r->pass);
	}
	pthread_mutex_unlock(&r->mu);
	if (x->hdrs)
		sw_curl->easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	return gen;
}

static void load_creds_locked(struct sw_registry *r, struct sw_err *err, int *rc)
{
	if (r->creds_looked_up)
		return;
	r->creds_looked_up = true;
	*rc = sw_registry_creds_lookup(r->host, &r->user, &r->pass, err);
	if (*rc > 0)
		*rc = 0;
}

static char *url_escape(CURL *h, const char *s)
{
	char *e = sw_curl->easy_escape(h, s, 0);
	char *o = sw_xstrdup(e ? e : "");
	sw_curl->free(e);
	return o;
}

/* GET a token from the challenge's realm (mutex held). */
static int fetch_token(struct sw_registry *r, const struct sw_registry_challenge *ch,
		       struct sw_err *err)
{
	CURL *h = sw_curl->easy_init();
	if (!h)
		return sw_err_set(err, SW_E_NOMEM, "curl_easy_init failed");
	struct resp x = { 0 };
	struct sw_buf body = SW_BUF_INIT;
	sw_buf_init(&body, TOKEN_MAX);
	char *scope = ch->scope ? sw_xstrdup(ch->scope)
				: sw_xasprintf("repository:%s:%s", r->repo, r->push ? "pull,push" : "pull");
	char *es = url_escape(h, scope);
	char *sv = ch->service ? url_escape(h, ch->service) : NULL;
	char *url = sw_xasprintf("%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", es,
				 sv ? "&service=" : "", sv ? sv : "");
	int rc = 0;
	if (!sw_starts_with(ch->realm, "https://") &&
	    !(sw_starts_with(ch->realm, "http://") && (r->plain_http || r->insecure))) {
		rc = sw_err_set(err, SW_E_AUTH, "token endpoint '%.200s' is not https", ch->realm);
		goto out;
	}
	long long deadline = now_ms() + r->small_timeout * 1000LL;
	for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
		long left = ms_left(deadline);
		if (!left) {
			rc = sw_err_set(err, SW_E_NET, "token endpoint '%.200s': no answer within %ld s",
					ch->realm, r->small_timeout);
			goto out;
		}
		sw_buf_reset(&body);
		body.failed = false;
		sw_curl->easy_reset(h);
		/* the registry's own options, without its auth headers */
		sw_curl->easy_setopt(h, CURLOPT_URL, url);
		sw_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		sw_curl->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		sw_curl->easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		sw_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		sw_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, r->timeout < 30 ? r->timeout : 30L);
		sw_curl->easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
		sw_curl->easy_setopt(h, CURLOPT_USERAGENT, "stowaway");
		if (r->insecure) {
			sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		sw_curl->easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
		sw_curl->easy_setopt(h, CURLOPT_HEADERDATA, &x);
		sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
		sw_curl->easy_setopt(h, CURLOPT_WRITEDATA, &body);
		if (r->user) {
			sw_curl->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			sw_curl->easy_setopt(h, CURLOPT_USERNAME, r->user);
			sw_curl->easy_setopt(h, CURLOPT_PASSWORD, r->pass);
		}
		CURLcode cc = sw_curl->easy_perform(h);
		long status = 0;
		sw_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status == 429 || status >= 500) {
			if (attempt + 1 < MAX_TRIES) {
				sleep_ms(backoff(r, attempt, &x));
				continue;
			}
			rc = cc != CURLE_OK ? sw_err_set(err, SW_E_NET, "token endpoint '%.200s': %s",
							 ch->realm, sw_curl->easy_strerror(cc))
					    : sw_err_set(err, SW_E_NET, "token endpoint '%.200s': HTTP %ld",
							 ch->realm, status);
			goto out;
		}
		if (status != 200) {
			rc = sw_err_set(err, SW_E_AUTH, "token endpoint '%.200s' refused%s: HTTP %ld",
					ch->realm, r->user ? " the credentials" : " anonymous access",
					status);
			goto out;
		}
		json_error_t je;
		json_t *j = json_loadb(body.data, body.len, 0, &je);
		const char *t = json_string_value(json_object_get(j, "token"));
		if (!t)
			t = json_string_value(json_object_get(j, "access_token"));
		if (!t || !*t || strpbrk(t, "\r\n")) {
			rc = sw_err_set(err, SW_E_AUTH,
					"token endpoint '%.200s': reply has no token", ch->realm);
		} else {
			free(r->token);
			r->token = sw_xstrdup(t);
			r->scheme = AUTH_BEARER;
			r->gen++;
		}
		json_decref(j);
		goto out;
	}
out:
	free(url);
	free(es);
	free(sv);
	free(scope);
	resp_release(&x);
	sw_buf_release(&body);
	sw_curl->easy_cleanup(h);
	return rc;
}

/* A 401 came back for a request made with auth generation gen: set up (new)
 * auth.  Fails when the same auth was already refused. */
static int on_unauthorized(struct sw_registry *r, unsigned gen, const struct resp *x,
			   bool *already_failed, struct sw_err *err)
{
	int rc = 0;
	pthread_mutex_lock(&r->mu);
	if (r->gen != gen) /* someone else refreshed meanwhile */
		goto out;
	if (!x->www_auth) {
		rc = sw_err_set(err, SW_E_AUTH, "'%s': unauthorized (HTTP 401) without a challenge",
				r->display);
		goto out;
	}
	struct sw_registry_challenge ch;
	if ((rc = sw_registry_challenge_parse(x->www_auth, strlen(x->www_auth), &ch, err)) < 0) {
		sw_err_wrap(err, "'%s'", r->display);
		goto out;
	}
	load_creds_locked(r, err, &rc);
	if (rc < 0) {
		sw_err_wrap(err, "'%s': credentials", r->display);
	} else if (strcmp(ch.scheme, "basic") == 0) {
		if (!r->user || r->scheme == AUTH_BASIC || *already_failed)
			rc = sw_err_set(err, SW_E_AUTH,
					"'%s': unauthorized (HTTP 401): %s", r->display,
					r->user ? "the registry refused the credentials"
						: "the registry needs credentials (--username with "
						  "--password-stdin, STOWAWAY_REGISTRY_USERNAME/"
						  "PASSWORD, or docker login)");
		else {
			r->scheme = AUTH_BASIC;
			r->gen++;
		}
	} else if (strcmp(ch.scheme, "bearer") == 0) {
		if (*already_failed)
			rc = sw_err_set(err, SW_E_AUTH, "'%s': unauthorized (HTTP 401) with a fresh token%s",
					r->display, r->user ? "" : " (no credentials were given)");
		else if ((rc = fetch_token(r, &ch, err)) < 0)
			sw_err_wrap(err, "'%s'", r->display);
	} else {
		rc = sw_err_set(err, SW_E_UNSUPPORTED, "'%s': unsupported auth scheme '%.40s'",
				r->display, ch.scheme);
	}
	sw_registry_challenge_release(&ch);
out:
	*already_failed = true;
	pthread_mutex_unlock(&r->mu);
	return rc;
}

static int status_error(struct sw_registry *r, long status, const char *what, const char *id,
			const struct sw_buf *body, struct sw_err *err)
{
	/* the registry's error code, e.g. MANIFEST_UNKNOWN */
	const char *code = NULL;
	json_error_t je;
	json_t *j = body && body->len ? json_loadb(body->data, body->len, 0, &je) : NULL;
	json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	code = json_string_value(json_object_get(e0, "code"));
	char extra[160] = "";
	if (code)
		snprintf(extra, sizeof(extra), " (%.100s)", code);
	int rc;
	if (status == 404)
		rc = sw_err_set(err, SW_E_NOTFOUND, "'%s': %s '%s' not found (HTTP 404%s)", r->display,
				what, id, extra);
	else if (status == 403)
		rc = sw_err_set(err, SW_E_AUTH, "'%s': access to %s '%s' denied (HTTP 403%s)",
				r->display, what, id, extra);
	else
		rc = sw_err_set(err, SW_E_NET, "'%s': %s '%s': unexpected HTTP %ld%s", r->display, what,
				id, status, extra);
	json_decref(j);
	return rc;
}

static bool retriable(CURLcode cc)
{
	return cc != CURLE_SSL_CONNECT_ERROR && cc != CURLE_PEER_FAILED_VERIFICATION &&
	       cc != CURLE_SSL_CERTPROBLEM && cc != CURLE_SSL_CACERT_BADFILE &&
	       cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT &&
	       cc != CURLE_TOO_MANY_REDIRECTS;
}

static const char *tls_hint(const struct sw_registry *r, CURLcode cc)
{
	if (cc == CURLE_SSL_CONNECT_ERROR && !r->plain_http)
		return " (a plain http registry? use --plain-http)";
	if (cc == CURLE_PEER_FAILED_VERIFICATION && !r->insecure)
		return " (a self-signed certificate? use --insecure)";
	return "";
}

/* GET url into body (capped at max) with auth and retries; 2xx only. */
static int get_small(struct sw_registry *r, const char *url, const char *accept, const char *what,
		     const char *id, size_t max, struct sw_buf *body, struct resp *x,
		     struct sw_err *err)
{
	CURL *h = sw_curl->easy_init();
	if (!h)
		return sw_err_set(err, SW_E_NOMEM, "curl_easy_init failed");
	int rc = 0;
	bool auth_failed = false;
	int attempt = 0;
	long long deadline = now_ms() + r->small_timeout * 1000LL;
	for (int round = 0; round < MAX_TRIES + 3; round++) {
		long left = ms_left(deadline);
		if (!left)
			break;
		sw_buf_release(body);
		sw_buf_init(body, max);
		unsigned gen = setup(r, h, url, accept, NULL, x);
		sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
		sw_curl->easy_setopt(h, CURLOPT_WRITEDATA, body);
		sw_curl->easy_setopt(h, CURLOPT_TIMEOUT_MS, left);
		CURLcode cc = sw_curl->easy_perform(h);
		long status = 0;
		sw_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (cc == CURLE_OPERATION_TIMEDOUT && !ms_left(deadline))
			break;
		if (cc == CURLE_WRITE_ERROR && !sw_buf_ok(body)) {
			rc = sw_err_set(err, SW_E_LIMIT, "'%s': %s '%s' is larger than %zu bytes",
					r->display, what, id, max);
			goto out;
		}
		if (cc != CURLE_OK || status == 429 || status >= 500) {
			if (++attempt < MAX_TRIES && (cc == CURLE_OK || retriable(cc))) {
				sleep_ms(backoff(r, attempt - 1, &x[0]));
				continue;
			}
			rc = cc != CURLE_OK
				     ? sw_err_set(err, SW_E_NET, "'%s': %s '%s': %s%s (after %d tries)",
						  r->display, what, id, sw_curl->easy_strerror(cc),
						  tls_hint(r, cc), attempt)
				     : sw_err_set(err, SW_E_NET, "'%s': %s '%s': HTTP %ld (after %d tries)",
						  r->display, what, id, status, attempt);
			goto out;
		}
		if (status == 401) {
			if ((rc = on_unauthorized(r, gen, x, &auth_failed, err)) < 0)
				goto out;
			continue;
		}
		if (status < 200 || status > 299) {
			rc = status_error(r, status, what, id, body, err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (!ms_left(deadline))
		rc = sw_err_set(err, SW_E_NET, "'%s': %s '%s': not received within %ld s", r->display,
				what, id, r->small_timeout);
	else
		rc = sw_err_set(err, SW_E_NET, "'%s': %s '%s': too many retries", r->display, what,
				id);
out:
	sw_curl->easy_cleanup(h);
	return rc;
}

int sw_registry_get_manifest(struct sw_registry *r, const char *ref, size_t max, struct sw_buf *body,
			     char **content_type, char **digest_hdr, struct sw_err *err)
{
	static const char accept[] =
		"application/vnd.oci.image.index.v1+json, "
		"application/vnd.docker.distribution.manifest.list.v2+json, "
		"application/vnd.oci.image.manifest.v1+json, "
		"application/vnd.docker.distribution.manifest.v2+json, "
		"application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, "
		"application/vnd.docker.distribution.manifest.v1+json;q=0.5";
	struct resp x = { 0 };
	char *url = sw_xasprintf("%s/manifests/%s", r->base, ref);
	int rc = get_small(r, url, accept, "manifest", ref, max, body, &x, err);
	if (rc == 0) {
		*content_type = x.content_type;
		*digest_hdr = x.digest;
		x.content_type = x.digest = NULL;
	}
	free(url);
	resp_release(&x);
	return rc;
}

/* ---- streamed blobs ------------------------------------------------------- */

struct sw_registry_stream {
	struct sw_registry *r;
	CURL *h;
	CURLM *m;
	char *url, *digest;
	struct resp x;
	struct sw_buf pend;     /* bytes received, not yet read */
	size_t pend_off;
	struct sw_buf errbody;  /* body of a non-2xx reply */
	uint64_t got;           /* blob bytes delivered to pend so far */
	uint64_t size;          /* expected size, 0 = unknown */
	uint64_t skip;          /* bytes to drop (registry ignored Range) */
	uint64_t transfer_start;/* got when this transfer started */
	bool running, finished, data_mode, checked, bad_range;
	CURLcode result;
	unsigned gen;
	int fails;              /* consecutive failed transfers without progress */
	int restarts;
	bool auth_failed;
	bool complete;          /* the whole blob was delivered */
	bool overlong;          /* the registry sent more than size bytes */
	long long deadline;     /* now_ms() limit for a small blob, or 0 */
};

static size_t stream_write(char *data, size_t size, size_t n, void *ud)
{
	struct sw_registry_stream *s = ud;
	size_t len = size * n;
	if (!s->checked) {
		s->checked = true;
		long status = 0;
		sw_curl->easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
		s->data_mode = status == 200 || status == 206;
		if (status == 200 && s->got > 0)
			s->skip = s->got; /* Range ignored: the whole blob again */
		if (status == 206) {
			char want[48];
			snprintf(want, sizeof(want), "bytes %" PRIu64 "-", s->got);
			if (!s->x.content_range || !sw_starts_with(s->x.content_range, want)) {
				s->bad_range = true;
				return 0;
			}
		}
	}
	if (!s->data_mode) {
		if (s->errbody.len < ERRBODY_MAX)
			sw_buf_add(&s->errbody, data, len);
		return len;
	}
	const char *p = data;
	size_t rest = len;
	if (s->skip) {
		size_t k = s->skip < rest ? (size_t)s->skip : rest;
		s->skip -= k;
		p += k;
		rest -= k;
	}
	if (s->size && rest > s->size - s->got) {
		/* more than the descriptor declares: keep what it declares and stop */
		rest = (size_t)(s->size - s->got);
		s->overlong = true;
	}
	if (rest) {
		sw_buf_add(&s->pend, p, rest);
		if (!sw_buf_ok(&s->pend))
			return 0;
		s->got += rest;
	}
	return s->overlong ? 0 : len;
}

static int stream_start(struct sw_registry_stream *s, struct sw_err *err)
{
	char range[48];
	if (s->got)
		snprintf(range, sizeof(range), "%" PRIu64 "-", s->got);
	s->gen = setup(s->r, s->h, s->url, NULL, s->got ? range : NULL, &s->x);
	sw_curl->easy_setopt(s->h, CURLOPT_WRITEFUNCTION, stream_write);
	sw_curl->easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	if (s->deadline) {
		long left = ms_left(s->deadline);
		if (!left)
			return sw_err_set(err, SW_E_NET, "'%s': blob '%s': not received within %ld s",
					  s->r->display, s->digest, s->r->small_timeout);
		sw_curl->easy_setopt(s->h, CURLOPT_TIMEOUT_MS, left);
	}
	s->checked = s->data_mode = s->finished = s->bad_range = false;
	s->skip = 0;
	s->transfer_start = s->got;
	sw_buf_reset(&s->errbody);
	if (sw_curl->multi_add_handle(s->m, s->h) != CURLM_OK)
		return sw_err_set(err, SW_E_NET, "'%s': blob '%s': cannot start a transfer",
				  s->r->display, s->digest);
	s->running = true;
	return 0;
}

int sw_registry_stream_open(struct sw_registry *r, const char *digest, uint64_t size,
			    struct sw_registry_stream **out, struct sw_err *err)
{
	struct sw_registry_stream *s = sw_xcalloc(1, sizeof(*s));
	s->r = r;
	s->h = sw_curl->easy_init();
	s->m = sw_curl->multi_init();
	s->pend = (struct sw_buf)SW_BUF_INIT;
	s->errbody = (struct sw_buf)SW_BUF_INIT;
	s->url = sw_xasprintf("%s/blobs/%s", r->base, digest);
	s->digest = sw_xstrdup(digest);
	s->size = size;
	if (!s->h || !s->m) {
		sw_registry_stream_close(s);
		return sw_err_set(err, SW_E_NOMEM, "curl init failed");
	}
	*out = s;
	return 0;
}

void sw_registry_stream_close(struct sw_registry_stream *s)
{
	if (!s)
		return;
	if (s->running)
		sw_curl->multi_remove_handle(s->m, s->h);
	if (s->m)
		sw_curl->multi_cleanup(s->m);
	if (s->h)
		sw_curl->easy_cleanup(s->h);
	resp_release(&s->x);
	sw_buf_release(&s->pend);
	sw_buf_release(&s->errbody);
	free(s->url);
	free(s->digest);
	free(s);
}

/* The transfer ended: 1 = blob complete, 0 = start another, < 0 error. */
static int stream_finished(struct sw_registry_stream *s, struct sw_err *err)
{
	struct sw_registry *r = s->r;
	sw_curl->multi_remove_handle(s->m, s->h);
	s->running = false;
	long status = 0;
	sw_curl->easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	bool progress = s->got > s->transfer_start;
	if (progress) { /* a token may expire during a long download: refresh again */
		s->fails = 0;
		s->auth_failed = false;
	}
	if (s->overlong)
		return sw_err_set(err, SW_E_FORMAT,
				  "'%s': blob '%s': the registry sent more than the %" PRIu64
				  " bytes its descriptor declares",
				  r->display, s->digest, s->size);
	if (s->deadline && !ms_left(s->deadline))
		return sw_err_set(err, SW_E_NET, "'%s': blob '%s': not received within %ld s",
				  r->display, s->digest, r->small_timeout);
	if (++s->restarts > MAX_RESTARTS)
		return sw_err_set(err, SW_E_NET, "'%s': blob '%s': gave up after %d transfers",
				  r->display, s->digest, MAX_RESTARTS);
	if (s->bad_range)
		return sw_err_set(err, SW_E_NET,
				  "'%s': blob '%s': the registry answered a Range request with "
				  "'Content-Range: %.60s'",
				  r->display, s->digest, s->x.content_range ? s->x.content_range : "");
	if (s->result == CURLE_OK && s->data_mode) {
		if (s->size && s->got < s->size) /* closed early but cleanly */
			goto retry_net;
		return 1;
	}
	if (s->result == CURLE_OK && status == 401) {
		int rc = on_unauthorized(r, s->gen, &s->x, &s->auth_failed, err);
		return rc < 0 ? rc : 0;
	}
	if (s->result == CURLE_OK && (status == 429 || status >= 500)) {
		if (++s->fails >= MAX_TRIES)
			return sw_err_set(err, SW_E_NET, "'%s': blob '%s': HTTP %ld (after %d tries)",
					  r->display, s->digest, status, s->fails);
		sleep_ms(backoff(r, s->fails - 1, &s->x));
		return 0;
	}
	if (s->result == CURLE_OK)
		return status_error(r, status, "blob", s->digest, &s->errbody, err);
retry_net:
	if (++s->fails >= MAX_TRIES)
		return sw_err_set(err, SW_E_NET, "'%s': blob '%s': %s after %" PRIu64 " bytes (%d tries)",
				  r->display, s->digest,
				  s->result == CURLE_OK ? "connection closed early"
							: sw_curl->easy_strerror(s->result),
				  s->got, s->fails);
	sleep_ms(backoff(r, s->fails - 1, NULL));
	return 0;
}

ssize_t sw_registry_stream_read(void *stream, void *buf, size_t n, struct sw_err *err)
{
	struct sw_registry_stream *s = stream;
	for (;;) {
		if (s->pend_off < s->pend.len) {
			size_t k = s->pend.len - s->pend_off;
			if (k > n)
				k = n;
			memcpy(buf, s->pend.data + s->pend_off, k);
			s->pend_off += k;
			if (s->pend_off == s->pend.len) {
				sw_buf_reset(&s->pend);
				s->pend_off = 0;
			}
			return (ssize_t)k;
		}
		if (s->complete)
			return 0;
		if (!s->pend.failed && s->finished) {
			s->finished = false;
			int rc = stream_finished(s, err);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				s->complete = true;
				return 0;
			}
		}
		if (s->pend.failed)
			return sw_err_set(err, SW_E_NOMEM, "out of memory");
		if (!s->running) {
			int rc = stream_start(s, err);
			if (rc < 0)
				return rc;
		}
		int still = 0;
		CURLMcode mc = sw_curl->multi_perform(s->m, &still);
		if (mc != CURLM_OK)
			return sw_err_set(err, SW_E_NET, "'%s': blob '%s': %s", s->r->display, s->digest,
					  sw_curl->multi_strerror(mc));
		int left;
		CURLMsg *msg;
		while ((msg = sw_curl->multi_info_read(s->m, &left))) {
			if (msg->msg == CURLMSG_DONE) {
				s->result = msg->data.result;
				s->finished = true;
			}
		}
		if (!s->finished && s->pend.len == 0)
			sw_curl->multi_poll(s->m, NULL, 0, 1000, NULL);
	}
}

int sw_registry_get_blob(struct sw_registry *r, const char *digest, size_t max, struct sw_buf *body,
			 struct sw_err *err)
{
	/* through the stream, so a small blob is resumed and retried too */
	struct sw_registry_stream *st = NULL;
	int rc = sw_registry_stream_open(r, digest, 0, &st, err);
	if (rc < 0)
		return rc;
	st->deadline = now_ms() + r->small_timeout * 1000LL;
	sw_buf_release(body);
	sw_buf_init(body, max);
	char chunk[16384];
	for (;;) {
		ssize_t n = sw_registry_stream_read(st, chunk, sizeof(chunk), err);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break;
		sw_buf_add(body, chunk, (size_t)n);
		if (!sw_buf_ok(body)) {
			rc = sw_err_set(err, SW_E_LIMIT, "'%s': blob '%s' is larger than %zu bytes",
					r->display, digest, max);
			break;
		}
	}
	sw_registry_stream_close(st);
	return rc;
}

/* ---- pushing (db push: an artifact of one blob) ------------------------------ */

struct upload {
	FILE *fp;                /* a file body, or NULL */
	const char *mem;         /* a memory body */
	size_t len, off;
};

static size_t upload_read(char *dst, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n;
	if (u->fp)
		return fread(dst, 1, want, u->fp);
	size_t left = u->len - u->off;
	if (want > left)
		want = left;
	memcpy(dst, u->mem + u->off, want);
	u->off += want;
	return want;
}

/* One request with a body (or none) and the auth and retry rules of
 * get_small(): method "HEAD", "POST" (empty body) or "PUT" (u's body,
 * length u->len); the answer's status in *status (2xx, or 404 for HEAD),
 * its headers in x. */
static int send_req(struct sw_registry *r, const char *method, const char *url, const char *ctype,
		    struct upload *u, const char *what, const char *id, long *status_out, struct resp *x,
		    struct sw_err *err)
{
	CURL *h = sw_curl->easy_init();
	if (!h)
		return sw_err_set(err, SW_E_NOMEM, "curl_easy_init failed");
	struct sw_buf body = SW_BUF_INIT;
	int rc = 0, attempt = 0;
	bool auth_failed = false;
	for (int round = 0; round < MAX_TRIES + 3; round++) {
		sw_buf_release(&body);
		sw_buf_init(&body, ERRBODY_MAX);
		unsigned gen = setup(r, h, url, NULL, NULL, x);
		sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
		sw_curl->easy_setopt(h, CURLOPT_WRITEDATA, &body);
		/* a redirect must not turn a PUT into a GET, nor carry the body elsewhere */
		sw_curl->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		x->hdrs = sw_curl->slist_append(x->hdrs, "Expect:");
		if (ctype) {
			char *c = sw_xasprintf("Content-Type: %s", ctype);
			x->hdrs = sw_curl->slist_append(x->hdrs, c);
			free(c);
		}
		sw_curl->easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
		if (!strcmp(method, "HEAD")) {
			sw_curl->easy_setopt(h, CURLOPT_NOBODY, 1L);
		} else if (!strcmp(method, "POST")) {
			sw_curl->easy_setopt(h, CURLOPT_POST, 1L);
			sw_curl->easy_setopt(h, CURLOPT_POSTFIELDS, "");
			sw_curl->easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		} else {
			if (u->fp && fseeko(u->fp, 0, SEEK_SET) != 0) {
				rc = sw_err_errno(err, "'%s': %s '%s': cannot rewind the file", r->display, what, id);
				goto out;
			}
			u->off = 0;
			sw_curl->easy_setopt(h, CURLOPT_UPLOAD, 1L);
			sw_curl->easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
			sw_curl->easy_setopt(h, CURLOPT_READDATA, u);
			sw_curl->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
		}
		CURLcode cc = sw_curl->easy_perform(h);
		long status = 0;
		sw_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status == 429 || status >= 500) {
			if (++attempt < MAX_TRIES && (cc == CURLE_OK || retriable(cc))) {
				sleep_ms(backoff(r, attempt - 1, x));
				continue;
			}
			rc = cc != CURLE_OK
				     ? sw_err_set(err, SW_E_NET, "'%s': %s '%s': %s%s (after %d tries)", r->display, what,
						  id, sw_curl->easy_strerror(cc), tls_hint(r, cc), attempt)
				     : sw_err_set(err, SW_E_NET, "'%s': %s '%s': HTTP %ld (after %d tries)", r->display,
						  what, id, status, attempt);
			goto out;
		}
		if (status == 401) {
			if ((rc = on_unauthorized(r, gen, x, &auth_failed, err)) < 0)
				goto out;
			continue;
		}
		if ((status < 200 || status > 299) && !(status == 404 && !strcmp(method, "HEAD"))) {
			rc = status_error(r, status, what, id, &body, err);
			goto out;
		}
		*status_out = status;
		rc = 0;
		goto out;
	}
	rc = sw_err_set(err, SW_E_NET, "'%s': %s '%s': too many retries", r->display, what, id);
out:
	sw_buf_release(&body);
	sw_curl->easy_cleanup(h);
	return rc;
}

/* The upload URL of a Location header: absolute, or a path on the registry. */
static char *upload_url(const struct sw_registry *r, const char *loc, const char *digest)
{
	char *base;
	if (sw_starts_with(loc, "http://") || sw_starts_with(loc, "https://")) {
		base = sw_xstrdup(loc);
	} else {
		/* r->base is "SCHEME://HOST/v2/REPO": keep SCHEME://HOST */
		const char *p = strstr(r->base, "://");
		const char *slash = p ? strchr(p + 3, '/') : NULL;
		size_t n = slash ? (size_t)(slash - r->base) : strlen(r->base);
		base = sw_xasprintf("%.*s%s%s", (int)n, r->base, loc[0] == '/' ? "" : "/", loc);
	}
	char *u = sw_xasprintf("%s%sdigest=%s", base, strchr(base, '?') ? "&" : "?", digest);
	free(base);
	return u;
}

static int put_blob(struct sw_registry *r, const char *digest, struct upload *u, struct sw_err *err)
{
	r->push = true;
	struct resp x = { 0 };
	long status = 0;
	char *url = sw_xasprintf("%s/blobs/%s", r->base, digest);
	int rc = send_req(r, "HEAD", url, NULL, NULL, "blob", digest, &status, &x, err);
	free(url);
	if (rc == 0 && status == 200)
		goto out; /* already there */
	if (rc == 0) {
		url = sw_xasprintf("%s/blobs/uploads/", r->base);
		rc = send_req(r, "POST", url, NULL, NULL, "blob upload", digest, &status, &x, err);
		free(url);
	}
	if (rc == 0 && (!x.location || !*x.location))
		rc = sw_err_set(err, SW_E_NET, "'%s': blob upload: the registry gave no Location", r->display);
	if (rc == 0) {
		url = upload_url(r, x.location, digest);
		rc = send_req(r, "PUT", url, "application/octet-stream", u, "blob", digest, &status, &x, err);
		free(url);
	}
out:
	resp_release(&x);
	return rc;
}

int sw_registry_put_blob_file(struct sw_registry *r, const char *digest, FILE *fp, uint64_t size,
			      struct sw_err *err)
{
	struct upload u = { .fp = fp, .len = (size_t)size };
	return put_blob(r, digest, &u, err);
}

int sw_registry_put_blob(struct sw_registry *r, const char *digest, const void *data, size_t len,
			 struct sw_err *err)
{
	struct upload u = { .mem = data, .len = len };
	return put_blob(r, digest, &u, err);
}

int sw_registry_put_manifest(struct sw_registry *r, const char *tag, const char *media_type, const void *data,
			     size_t len, char **digest_hdr, struct sw_err *err)
{
	r->push = true;
	struct resp x = { 0 };
	struct upload u = { .mem = data, .len = len };
	long status = 0;
	char *url = sw_xasprintf("%s/manifests/%s", r->base, tag);
	int rc = send_req(r, "PUT", url, media_type, &u, "manifest", tag, &status, &x, err);
	free(url);
	if (rc == 0 && digest_hdr) {
		*digest_hdr = x.digest;
		x.digest = NULL;
	}
	resp_release(&x);
	return rc;
}
