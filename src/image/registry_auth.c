/*
 * registry_auth.c - registry references, WWW-Authenticate challenges and
 * credentials (environment, docker config.json auths, credential helpers).
 *
 * Everything parsed here is untrusted (user input, HTTP headers, config
 * files, helper output): bounded, never trusted for more than it says.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/internal.h"
#include "util/mem.h"

#define REF_MAX 4096
#define HELPER_OUT_MAX (64 << 10)
#define CONFIG_MAX (4 << 20)

/* ---- references ---------------------------------------------------------- */

void sw_registry_ref_release(struct sw_registry_ref *r)
{
	if (!r)
		return;
	free(r->host);
	free(r->api_host);
	free(r->repo);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

char *sw_registry_ref_str(const struct sw_registry_ref *r)
{
	return sw_xasprintf("%s/%s%s%s%s%s", r->host, r->repo, r->tag ? ":" : "", r->tag ? r->tag : "",
			    r->digest ? "@" : "", r->digest ? r->digest : "");
}

bool sw_registry_ref_plausible(const char *s)
{
	if (!s || !*s || s[0] == '/' || s[0] == '.' || s[0] == '~')
		return false;
	if (sw_ends_with(s, ".tar") || sw_ends_with(s, ".tar.gz") || sw_ends_with(s, ".tgz"))
		return false;
	return true;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component: [a-z0-9]+ separated by '.', '_', '__' or '-'+ */
static bool valid_repo(const char *s)
{
	const char *comp = s;
	for (const char *p = s;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - comp);
			if (n == 0 || !is_lower_alnum(comp[0]) || !is_lower_alnum(p[-1]))
				return false;
			for (size_t i = 0; i < n; i++) {
				char c = comp[i];
				if (!is_lower_alnum(c) && c != '.' && c != '_' && c != '-')
					return false;
				if ((c == '.') && i + 1 < n && !is_lower_alnum(comp[i + 1]))
					return false;
			}
			if (!*p)
				return true;
			comp = p + 1;
		}
	}
}

static bool valid_tag(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static bool valid_host(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '.' && c != '-' && c != ':' &&
		    c != '[' && c != ']')
			return false;
	}
	return true;
}

int sw_registry_ref_parse(const char *s, struct sw_registry_ref *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return sw_err_set(err, SW_E_USAGE, "empty registry reference");
	size_t len = strlen(s);
	if (len > REF_MAX)
		return sw_err_set(err, SW_E_USAGE, "registry reference longer than %d bytes", REF_MAX);
	char *work = sw_xstrdup(s);
	int rc = 0;
	char *at = strchr(work, '@');
	if (at) {
		*at = '\0';
		if (!sw_digest_valid(at + 1)) {
			rc = sw_err_set(err, SW_E_USAGE,
					"'%.200s': bad digest (want sha256: and 64 lower-case hex digits)",
					s);
			goto fail;
		}
		out->digest = sw_xstrdup(at + 1);
	}
	char *slash = strchr(work, '/');
	char *name = work;
	if (slash) {
		size_t hl = (size_t)(slash - work);
		bool is_host = memchr(work, '.', hl) || memchr(work, ':', hl) ||
			       (hl == 9 && strncmp(work, "localhost", 9) == 0);
		for (size_t i = 0; i < hl; i++)
			if (work[i] >= 'A' && work[i] <= 'Z')
				is_host = true;
		if (is_host) {
			out->host = sw_xstrndup(work, hl);
			name = slash + 1;
		}
	}
	if (!out->host)
		out->host = sw_xstrdup("docker.io");
	/* tag: the last ':' after the last '/' of the name */
	char *lastslash = strrchr(name, '/');
	char *colon = strrchr(lastslash ? lastslash : name, ':');
	if (colon) {
		*colon = '\0';
		if (!valid_tag(colon + 1)) {
			rc = sw_err_set(err, SW_E_USAGE, "'%.200s': bad tag '%.130s'", s, colon + 1);
			goto fail;
		}
		out->tag = sw_xstrdup(colon + 1);
	}
	if (!valid_host(out->host)) {
		rc = sw_err_set(err, SW_E_USAGE, "'%.200s': bad registry host", s);
		goto fail;
	}
	if (strcmp(out->host, "index.docker.io") == 0 ||
	    strcmp(out->host, "registry-1.docker.io") == 0)
		sw_str_set(&out->host, "docker.io");
	if (strcmp(out->host, "docker.io") == 0 && !strchr(name, '/'))
		out->repo = sw_xasprintf("library/%s", name);
	else
		out->repo = sw_xstrdup(name);
	if (!valid_repo(out->repo) || strlen(out->repo) > 255) {
		rc = sw_err_set(err, SW_E_USAGE,
				"'%.200s': bad repository name '%.200s' (lower-case letters, digits, "
				"'.', '_', '-' and '/')",
				s, name);
		goto fail;
	}
	if (!out->tag && !out->digest)
		out->tag = sw_xstrdup("latest");
	out->api_host = sw_xstrdup(strcmp(out->host, "docker.io") == 0 ? "registry-1.docker.io"
								      : out->host);
	free(work);
	return 0;
fail:
	free(work);
	sw_registry_ref_release(out);
	return rc;
}

/* ---- WWW-Authenticate ----------------------------------------------------- */

void sw_registry_challenge_release(struct sw_registry_challenge *c)
{
	if (!c)
		return;
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

static bool is_token_char(char c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

int sw_registry_challenge_parse(const char *hdr, size_t len, struct sw_registry_challenge *out,
				struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *p = hdr, *end = hdr + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *s0 = p;
	while (p < end && is_token_char(*p))
		p++;
	if (p == s0 || p - s0 > 32)
		return sw_err_set(err, SW_E_FORMAT, "WWW-Authenticate: no auth scheme");
	out->scheme = sw_xstrndup(s0, (size_t)(p - s0));
	for (char *c = out->scheme; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	struct sw_buf val = SW_BUF_INIT;
	sw_buf_init(&val, 8192);
	int rc = 0;
	for (int n = 0; n < 64; n++) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p >= end)
			break;
		const char *k0 = p;
		while (p < end && is_token_char(*p))
			p++;
		size_t kl = (size_t)(p - k0);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (kl == 0 || p >= end || *p != '=') {
			int show = end - k0 < 40 ? (int)(end - k0) : 40;
			rc = sw_err_set(err, SW_E_FORMAT, "WWW-Authenticate: expected key=value at '%.*s'",
					show, k0);
			goto out;
		}
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		sw_buf_reset(&val);
		if (p < end && *p == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				sw_buf_addch(&val, *p++);
			}
			if (p >= end) {
				rc = sw_err_set(err, SW_E_FORMAT, "WWW-Authenticate: unterminated quoted value");
				goto out;
			}
			p++;
		} else {
			while (p < end && *p != ',' && *p != ' ' && *p != '\t')
				sw_buf_addch(&val, *p++);
		}
		if (!sw_buf_ok(&val) || memchr(val.data, '\0', val.len)) {
			rc = sw_err_set(err, SW_E_FORMAT, "WWW-Authenticate: bad value");
			goto out;
		}
		char **dst = NULL;
		if (kl == 5 && strncasecmp(k0, "realm", 5) == 0)
			dst = &out->realm;
		else if (kl == 7 && strncasecmp(k0, "service", 7) == 0)
			dst = &out->service;
		else if (kl == 5 && strncasecmp(k0, "scope", 5) == 0)
			dst = &out->scope;
		if (dst)
			sw_str_set(dst, val.data);
	}
	if (strcmp(out->scheme, "bearer") == 0 && !out->realm)
		rc = sw_err_set(err, SW_E_FORMAT, "WWW-Authenticate: bearer challenge without a realm");
out:
	sw_buf_release(&val);
	if (rc < 0)
		sw_registry_challenge_release(out);
	return rc;
}

/* ---- credentials ------------------------------------------------------------ */

/* Run "docker-credential-NAME get" with host on stdin; parse
 * {"Username": ..., "Secret": ...}.  Returns 1, 0 (helper has none) or < 0. */
static int run_helper(const char *name, const char *host, char **user, char **pass,
		      struct sw_err *err)
{
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return sw_err_set(err, SW_E_USAGE, "credential helper '%.60s': bad name", name);
	char *prog = sw_xasprintf("docker-credential-%s", name);
	int in[2], outp[2];
	if (pipe(in) < 0) {
		free(prog);
		return sw_err_errno(err, "credential helper '%s'", name);
	}
	if (pipe(outp) < 0) {
		close(in[0]);
		close(in[1]);
		free(prog);
		return sw_err_errno(err, "credential helper '%s'", name);
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]); close(in[1]); close(outp[0]); close(outp[1]);
		free(prog);
		return sw_err_errno(err, "credential helper '%s'", name);
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(in[0]); close(in[1]); close(outp[0]); close(outp[1]);
		execlp(prog, prog, "get", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	size_t hl = strlen(host);
	ssize_t w = write(in[1], host, hl);
	(void)w;
	close(in[1]);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_init(&b, HELPER_OUT_MAX);
	char chunk[4096];
	for (;;) {
		struct pollfd pfd = { outp[0], POLLIN, 0 };
		int pr = poll(&pfd, 1, 30000);
		if (pr <= 0)
			break;
		ssize_t n = read(outp[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sw_buf_add(&b, chunk, (size_t)n);
		if (!sw_buf_ok(&b))
			break;
	}
	close(outp[0]);
	int status = 0;
	pid_t w2 = 0;
	for (int i = 0; i < 100 && (w2 = waitpid(pid, &status, WNOHANG)) == 0; i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (w2 == 0) { /* stuck for 10 s after closing its output */
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	signal(SIGPIPE, old);
	int rc;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 127
			     ? sw_err_set(err, SW_E_AUTH, "credential helper '%s' not found", prog)
			     : sw_err_set(err, SW_E_AUTH, "credential helper '%s' failed", prog);
	} else if (WEXITSTATUS(status) != 0) {
		/* "credentials not found in native keychain" */
		rc = 0;
	} else {
		json_error_t je;
		json_t *j = sw_buf_ok(&b) ? json_loadb(b.data, b.len, 0, &je) : NULL;
		const char *u = j ? json_string_value(json_object_get(j, "Username")) : NULL;
		const char *s = j ? json_string_value(json_object_get(j, "Secret")) : NULL;
		if (!u || !s) {
			rc = sw_err_set(err, SW_E_AUTH, "credential helper '%s': output is not "
					"{\"Username\", \"Secret\"} JSON", prog);
		} else {
			*user = sw_xstrdup(u);
			*pass = sw_xstrdup(s);
			rc = 1;
		}
		json_decref(j);
	}
	sw_buf_release(&b);
	free(prog);
	return rc;
}

/* Does a config key ("https://index.docker.io/v1/", "host:5000",
 * "https://host/v2/") name host? */
static bool key_matches(const char *key, const char *host)
{
	const char *k = key;
	if (sw_starts_with(k, "https://"))
		k += 8;
	else if (sw_starts_with(k, "http://"))
		k += 7;
	size_t n = strcspn(k, "/");
	if (strcmp(host, "docker.io") == 0 &&
	    ((n == 15 && strncmp(k, "index.docker.io", 15) == 0) ||
	     (n == 20 && strncmp(k, "registry-1.docker.io", 20) == 0)))
		return true;
	return strlen(host) == n && strncmp(k, host, n) == 0;
}

static int from_auths(json_t *auths, const char *host, char **user, char **pass,
		      const char *path, struct sw_err *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(auths, key, v) {
		if (!key_matches(key, host))
			continue;
		const char *u = json_string_value(json_object_get(v, "username"));
		const char *p = json_string_value(json_object_get(v, "password"));
		if (u && p) {
			*user = sw_xstrdup(u);
			*pass = sw_xstrdup(p);
			return 1;
		}
		const char *a = json_string_value(json_object_get(v, "auth"));
		if (!a || !*a)
			continue;
		size_t al = strlen(a);
		if (al > 8192 || al % 4)
			return sw_err_set(err, SW_E_FORMAT, "'%s': auths '%s': auth is not base64", path,
					  key);
		unsigned char *dec = sw_xmalloc(al);
		int dl = EVP_DecodeBlock(dec, (const unsigned char *)a, (int)al);
		if (dl < 0) {
			free(dec);
			return sw_err_set(err, SW_E_FORMAT, "'%s': auths '%s': auth is not base64", path,
					  key);
		}
		while (dl > 0 && a[al - 1] == '=' && dec[dl - 1] == 0) { /* padding */
			dl--;
			al--;
		}
		char *colon = memchr(dec, ':', (size_t)dl);
		if (!colon || memchr(dec, '\0', (size_t)dl)) {
			free(dec);
			return sw_err_set(err, SW_E_FORMAT, "'%s': auths '%s': auth is not user:password",
					  path, key);
		}
		*user = sw_xstrndup((char *)dec, (size_t)(colon - (char *)dec));
		*pass = sw_xstrndup(colon + 1, (size_t)((char *)dec + dl - colon - 1));
		free(dec);
		return 1;
	}
	return 0;
}

int sw_registry_creds_lookup(const char *host, char **user, char **pass, struct sw_err *err)
{
	*user = *pass = NULL;
	const char *eu = getenv("STOWAWAY_REGISTRY_USERNAME");
	const char *ep = getenv("STOWAWAY_REGISTRY_PASSWORD");
	if (eu && *eu && ep) {
		*user = sw_xstrdup(eu);
		*pass = sw_xstrdup(ep);
		return 1;
	}
	char *path;
	const char *dc = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	if (dc && *dc)
		path = sw_xasprintf("%s/config.json", dc);
	else if (home && *home)
		path = sw_xasprintf("%s/.docker/config.json", home);
	else
		return 0;
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e2 = SW_ERR_INIT;
	int rc = sw_buf_read_file(&b, path, CONFIG_MAX, &e2);
	if (rc < 0) {
		sw_buf_release(&b);
		if (e2.code == SW_E_NOTFOUND) {
			free(path);
			return 0;
		}
		if (err)
			*err = e2;
		free(path);
		return -e2.code;
	}
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	sw_buf_release(&b);
	if (!j || !json_is_object(j)) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a JSON object (line %d: %s)", path,
				j ? 1 : je.line, j ? "" : je.text);
		goto out;
	}
	json_t *helpers = json_object_get(j, "credHelpers");
	if (json_is_object(helpers)) {
		const char *key;
		json_t *v;
		json_object_foreach(helpers, key, v) {
			if (key_matches(key, host) && json_is_string(v)) {
				rc = run_helper(json_string_value(v), key, user, pass, err);
				goto out;
			}
		}
	}
	json_t *auths = json_object_get(j, "auths");
	if (json_is_object(auths) && (rc = from_auths(auths, host, user, pass, path, err)) != 0)
		goto out;
	const char *store = json_string_value(json_object_get(j, "credsStore"));
	if (store && *store) {
		const char *server = strcmp(host, "docker.io") == 0 ? "https://index.docker.io/v1/"
								    : host;
		rc = run_helper(store, server, user, pass, err);
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	free(path);
	return rc;
}
