/* server.c - start, HTTP plumbing (bodies, auth, logs), shutdown (server.h). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/limits.h"
#include "server/mhd.h"
#include "server/server_int.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

int64_t srv_now(void)
{
	return (int64_t)time(NULL);
}

void srv_json_str(struct sw_buf *b, const char *s)
{
	if (!s) {
		sw_buf_addstr(b, "null");
		return;
	}
	sw_buf_addch(b, '"');
	sw_buf_add_json_escaped(b, s);
	sw_buf_addch(b, '"');
}

void srv_log(struct srv *s, const char *kind, const char *fmt, ...)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "{\"ts\":\"%s.%03ldZ\",\"kind\":\"%s\"", when, ts.tv_nsec / 1000000, kind);
	if (fmt && *fmt) {
		sw_buf_addch(&b, ',');
		va_list ap;
		va_start(ap, fmt);
		char *f = NULL;
		if (vasprintf(&f, fmt, ap) >= 0) {
			sw_buf_addstr(&b, f);
			free(f);
		}
		va_end(ap);
	}
	sw_buf_addstr(&b, "}\n");
	pthread_mutex_lock(&s->log_mu);
	fwrite(b.data, 1, b.len, s->o->log);
	fflush(s->o->log);
	pthread_mutex_unlock(&s->log_mu);
	sw_buf_release(&b);
}

void srv_reply_json(struct srv_reply *r, unsigned status, const char *json)
{
	r->status = status;
	r->ctype = "application/json";
	sw_buf_reset(&r->body);
	sw_buf_addstr(&r->body, json);
}

void srv_reply_error(struct srv_reply *r, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	r->status = status;
	r->ctype = "application/json";
	sw_buf_reset(&r->body);
	sw_buf_addstr(&r->body, "{\"error\":");
	srv_json_str(&r->body, msg ? msg : "error");
	sw_buf_addstr(&r->body, "}");
	free(msg);
}

const char *srv_query(struct srv_req *q, const char *key)
{
	return sw_mhd->lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, key);
}

const char *srv_header(struct srv_req *q, const char *key)
{
	return sw_mhd->lookup_connection_value(q->c, MHD_HEADER_KIND, key);
}

/* ---------------------------------------------------------------- HTTP */

struct conn {
	struct sw_buf body;
	bool too_big;
	struct timespec t0;
	size_t cap;                    /* this request's body cap */
	struct srv_upload *upload;     /* POST /api/v1/scans/upload (upload.c) */
};

/* A streamed body on its way (struct srv_stream): what is buffered, and
 * where the connection is in it. */
struct streamed {
	struct srv *s;
	struct srv_stream st;
	struct sw_buf buf;
	size_t off, bytes;
	bool end;
	char *path;
	struct timespec t0;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct streamed *x = cls;
	while (x->off == x->buf.len && !x->end) {
		sw_buf_reset(&x->buf);
		x->off = 0;
		if (!x->st.next(x->st.ctx, &x->buf))
			x->end = true;
	}
	if (x->off == x->buf.len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = x->buf.len - x->off < max ? x->buf.len - x->off : max;
	memcpy(out, x->buf.data + x->off, n);
	x->off += n;
	x->bytes += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct streamed *x = cls;
	if (x->st.done)
		x->st.done(x->st.ctx);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - x->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - x->t0.tv_nsec) / 1e6;
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addstr(&f, "\"path\":");
	srv_json_str(&f, x->path);
	sw_buf_addf(&f, ",\"ms\":%.3f,\"bytes\":%zu,\"complete\":%s", ms, x->bytes, x->end ? "true" : "false");
	srv_log(x->s, "streamed", "%s", f.data);
	sw_buf_release(&f);
	sw_buf_release(&x->buf);
	free(x->path);
	free(x);
}

static enum MHD_Result send_reply(struct srv *s, struct MHD_Connection *c, struct srv_reply *r, const char *path,
				  const struct timespec *t0)
{
	size_t len = r->body.len;
	struct MHD_Response *resp;
	if (r->stream.next) {
		struct streamed *x = sw_xcalloc(1, sizeof(*x));
		x->s = s;
		x->st = r->stream;
		x->buf = r->body;   /* the part already made goes first */
		r->body = (struct sw_buf)SW_BUF_INIT;
		x->path = sw_xstrdup(path);
		x->t0 = *t0;
		r->stream = (struct srv_stream){ 0 };
		resp = sw_mhd->create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, x, stream_free);
		if (!resp) {
			stream_free(x);
			return MHD_NO;
		}
	} else {
		char *data = len ? sw_buf_detach(&r->body, &len) : NULL;
		resp = sw_mhd->create_response_from_buffer(len, data ? data : (void *)"",
							   data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (!resp) {
			free(data);
			return MHD_NO;
		}
	}
	if (r->ctype)
		sw_mhd->add_response_header(resp, "Content-Type", r->ctype);
	if (r->location)
		sw_mhd->add_response_header(resp, "Location", r->location);
	if (r->refresh_after > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", r->refresh_after);
		sw_mhd->add_response_header(resp, "Refresh-After", v);
	}
	for (size_t i = 0; i < r->headers.len; i++) {
		char *h = r->headers.items[i], *colon = strchr(h, ':');
		if (colon) {
			*colon = 0;
			sw_mhd->add_response_header(resp, h, colon + 1 + strspn(colon + 1, " "));
			*colon = ':';
		}
	}
	if (r->status == 401)
		sw_mhd->add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"stowaway\"");
	sw_mhd->add_response_header(resp, "X-Content-Type-Options", "nosniff");
	sw_mhd->add_response_header(resp, "Cache-Control", "no-store");
	if (s->stopping)
		sw_mhd->add_response_header(resp, "Connection", "close");
	enum MHD_Result ok = sw_mhd->queue_response(c, r->status, resp);
	sw_mhd->destroy_response(resp);
	return ok;
}

static const char *bearer(struct srv_req *q)
{
	const char *h = srv_header(q, "Authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	h = srv_header(q, "X-ScannerAdapter-API-Key");
	return h;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	snprintf(out, n, "?");
	const union MHD_ConnectionInfo *ci = sw_mhd->get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

static void health(struct srv_req *q, struct srv_reply *r)
{
	if (strcmp(q->path, "/healthz") == 0) {
		srv_reply_json(r, 200, "{\"status\":\"ok\"}");
		return;
	}
	char *fp = srv_db_fingerprint(q->s);
	if (q->s->stopping)
		srv_reply_error(r, 503, "shutting down");
	else if (!fp)
		srv_reply_error(r, 503, "no vulnerability database: run 'stowaway db update'");
	else
		srv_reply_json(r, 200, "{\"status\":\"ready\"}");
	free(fp);
}

static void route(struct srv_req *q, struct srv_reply *r)
{
	if ((strcmp(q->path, "/healthz") == 0 || strcmp(q->path, "/readyz") == 0)) {
		if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0)
			srv_reply_error(r, 405, "%s takes GET", q->path);
		else
			health(q, r);
		return;
	}
	const char *tok = bearer(q);
	char *scope = NULL;
	struct sw_err err = SW_ERR_INIT;
	bool page = srv_web_path(q->path);   /* web pages: a session cookie instead (web.c) */
	int ok = page ? 1 : tok ? sw_st_token_check(q->s->store, tok, &q->token_name, &scope, &err) : 0;
	if (ok < 0) {
		srv_reply_error(r, 500, "token check: %s", err.msg);
		return;
	}
	if (!ok) {
		srv_reply_error(r, 401, tok ? "the token is not valid" : "an API token is required (Authorization: Bearer TOKEN)");
		return;
	}
	q->scope = scope;
	/* Each file of server/ that owns routes has one line here. */
	static int (*const routes[])(struct srv_req *, struct srv_reply *) = {
		srv_web_route,
		srv_api_route,
		srv_harbor_route,
		srv_policy_route,
		srv_packages_route,
		srv_hooks_route,   /* webhooks, /api/v1/db (hooks.c, dbupdate.c) */
		srv_client_route,
	};
	bool found = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !found; i++)
		found = routes[i](q, r) != 0;
	if (!found)
		srv_reply_error(r, 404, "no such route: %s %s", q->method, q->path);
	q->scope = NULL;
	free(scope);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct srv *s = cls;
	struct conn *cn = *con_cls;
	struct srv_reply r = { .status = 500, .body = SW_BUF_INIT };
	struct srv_req q = { .s = s, .c = c, .method = method, .path = url };
	if (!cn) {
		cn = sw_xcalloc(1, sizeof(*cn));
		struct sw_buf empty = SW_BUF_INIT;
		cn->body = empty;
		clock_gettime(CLOCK_MONOTONIC, &cn->t0);
		*con_cls = cn;
		srv_limits_headers_done(s->limits, c);
		if (srv_upload_path(method, url)) {
			/* streamed to the scan as it arrives, never buffered; an upload
			 * has no body deadline (it may be gigabytes): the idle timeout
			 * (--timeout) still drops a client that stops sending */
			srv_limits_body_done(s->limits, c);
			cn->upload = srv_upload_begin(s, c, &r, &q.token_name);
			if (cn->upload)
				return MHD_YES;
			goto answer;   /* refused before the body is read */
		}
		cn->cap = srv_body_cap(s, c, method);
		const char *cl = sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > cn->cap)
			cn->too_big = true;
		else
			return MHD_YES;
	}
	if (cn->upload) {
		if (*upload_size) {
			srv_upload_feed(cn->upload, upload, *upload_size);
			*upload_size = 0;
			return MHD_YES;
		}
		srv_upload_finish(cn->upload, &r);
		q.token_name = srv_upload_token_name(cn->upload);
		goto answer;
	}
	if (*upload_size) {
		if (!cn->too_big && cn->body.len + *upload_size <= cn->cap)
			sw_buf_add(&cn->body, upload, *upload_size);
		else
			cn->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	srv_limits_body_done(s->limits, c);
	q.body = cn->body.data;
	q.body_len = cn->body.len;
	if (cn->too_big)
		srv_reply_error(&r, 413, "the request body is larger than %zu bytes", cn->cap);
	else if (!cn->body.failed)
		route(&q, &r);
	else
		srv_reply_error(&r, 500, "out of memory reading the body");
answer:;
	unsigned status = r.status;
	size_t bytes = r.body.len;
	enum MHD_Result ok = send_reply(s, c, &r, url, &cn->t0);
	srv_limits_answered(s->limits, c);
	if (r.stream.done)   /* not handed over (the answer was not made) */
		r.stream.done(r.stream.ctx);
	sw_buf_release(&r.body);
	free(r.location);
	sw_vec_free_strings(&r.headers);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - cn->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - cn->t0.tv_nsec) / 1e6;
	char addr[64];
	client_addr(c, addr, sizeof(addr));
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addstr(&f, "\"method\":");
	srv_json_str(&f, method);
	sw_buf_addstr(&f, ",\"path\":");
	srv_json_str(&f, url);
	sw_buf_addf(&f, ",\"status\":%u,\"ms\":%.3f,\"bytes\":%zu,\"client\":\"%s\",\"token\":", status, ms, bytes, addr);
	srv_json_str(&f, q.token_name);
	srv_log(s, "request", "%s", f.data);
	sw_buf_release(&f);
	free(q.token_name);
	s->requests++;
	if (status >= 400)
		s->request_errors++;
	srv_metrics_observe(s->metrics, method, url, status, ms / 1e3);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct srv *s = cls;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		srv_limits_completed(s->limits, c);
	struct conn *cn = *con_cls;
	if (cn) {
		srv_upload_free(cn->upload);
		sw_buf_release(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

/* libmicrohttpd passes its own format strings (the attribute tells the
 * compiler the non-literal format is checked at the caller) */
__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct srv *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "\"message\":");
	srv_json_str(&b, msg);
	srv_log(s, "http", "%s", b.data);
	sw_buf_release(&b);
}

/* "ADDR:PORT" or "[ADDR6]:PORT" */
static int parse_listen(const char *l, struct sockaddr_storage *ss, struct sw_err *err)
{
	char host[128];
	const char *port;
	if (l[0] == '[') {
		const char *e = strchr(l, ']');
		if (!e || e[1] != ':' || (size_t)(e - l - 1) >= sizeof(host))
			return sw_err_set(err, SW_E_USAGE, "--listen '%s': want ADDR:PORT or [ADDR]:PORT", l);
		memcpy(host, l + 1, (size_t)(e - l - 1));
		host[e - l - 1] = 0;
		port = e + 2;
	} else {
		const char *c = strrchr(l, ':');
		if (!c || (size_t)(c - l) >= sizeof(host))
			return sw_err_set(err, SW_E_USAGE, "--listen '%s': want ADDR:PORT", l);
		memcpy(host, l, (size_t)(c - l));
		host[c - l] = 0;
		port = c + 1;
	}
	char *end = NULL;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535)
		return sw_err_set(err, SW_E_USAGE, "--listen '%s': bad port", l);
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return sw_err_set(err, SW_E_USAGE, "--listen '%s': '%s' is not a numeric IP address", l, host);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static void random_hex(char *out, size_t nbytes)
{
	unsigned char b[16] = { 0 };
	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (getrandom(b, nbytes, 0) < 0)
		memset(b, 0, sizeof(b));
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

int sw_server_run(const struct sw_server_opts *o, struct sw_err *err)
{
	if (sw_mhd_load(err) < 0)
		return -1;
	if (!o->tls_cert != !o->tls_key)
		return sw_err_set(err, SW_E_USAGE, "--tls-cert and --tls-key go together");
	struct sockaddr_storage ss;
	if (parse_listen(o->listen, &ss, err) < 0)
		return -1;
	struct sw_buf cert = SW_BUF_INIT, key = SW_BUF_INIT;
	if (o->tls_cert) {
		if (sw_mhd->is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return sw_err_set(err, SW_E_UNSUPPORTED, "this libmicrohttpd has no TLS support");
		if (sw_buf_read_file(&cert, o->tls_cert, 1 << 20, err) < 0 ||
		    sw_buf_read_file(&key, o->tls_key, 1 << 20, err) < 0) {
			sw_buf_release(&cert);
			sw_buf_release(&key);
			return -1;
		}
	}
	if (!o->db_path)
		(void)sw_vulndb_default_path();   /* its first call is not thread-safe */
	struct srv *s = sw_xcalloc(1, sizeof(*s));
	s->o = o;
	s->metrics = srv_metrics_new(o->harbor_prefix);
	s->limits = srv_limits_new(s);
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->rematch_mu, NULL);
	pthread_mutex_init(&s->log_mu, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_mutex_init(&s->hooks_mu, NULL);
	pthread_cond_init(&s->hooks_wake, NULL);
	s->public_url = o->public_url ? sw_xstrdup(o->public_url)
				      : sw_xasprintf("%s://%s", o->tls_cert ? "https" : "http", o->listen);
	char host[64] = "host", rnd[17] = { 0 };
	gethostname(host, sizeof(host) - 1);
	random_hex(rnd, 8);
	snprintf(s->owner, sizeof(s->owner), "%.60s:%ld:%s", host, (long)getpid(), rnd);
	int rc = -1;
	if (sw_st_open(o->store, &s->store, err) < 0) {
		sw_err_wrap(err, "--store");
		goto out;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (o->tls_cert)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, cert.data },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, key.data },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_OptionItem no_opts[] = { { MHD_OPTION_END, 0, NULL } };
	s->daemon = sw_mhd->start_daemon(
		flags, 0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, (void *)s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(o->threads ? o->threads : 1), MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)o->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->timeout,
		MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)s,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)o->max_per_ip,
		MHD_OPTION_NOTIFY_CONNECTION, srv_limits_notify, (void *)s->limits,
		MHD_OPTION_URI_LOG_CALLBACK, srv_limits_uri, (void *)s->limits,
		MHD_OPTION_ARRAY, o->tls_cert ? tls_opts : no_opts, MHD_OPTION_END);
	if (!s->daemon) {
		sw_err_set(err, SW_E_IO, "cannot listen on %s%s (address in use, or not an address of this host?)",
			   o->listen, o->tls_cert ? " with TLS (are the certificate and key PEM files that match?)" : "");
		goto out;
	}
	if (srv_jobs_start(s, err) < 0 || srv_limits_start(s->limits, err) < 0)
		goto out;
	if (srv_hooks_start(s, err) < 0 || srv_dbupdate_start(s, err) < 0) {
		s->stopping = true;
		(void)srv_jobs_stop(s);
		srv_hooks_stop(s);
		(void)srv_dbupdate_stop(s);
		goto out;
	}
	srv_log(s, "start", "\"listen\":\"%s\",\"tls\":%s,\"workers\":%u,\"threads\":%u,\"owner\":\"%s\"", o->listen,
		o->tls_cert ? "true" : "false", o->workers, o->threads, s->owner);
	while (!*o->stop) {
		struct timespec t = { 0, 100 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	s->stopping = true;
	srv_log(s, "shutdown", "\"phase\":\"stopping\",\"running\":%u", (unsigned)s->busy);
	srv_limits_stop(s->limits);
	sw_mhd->stop_daemon(s->daemon);
	s->daemon = NULL;
	int abandoned = srv_jobs_stop(s);
	srv_hooks_stop(s);
	bool update_left = srv_dbupdate_stop(s);   /* an update still runs: nothing may be freed */
	srv_log(s, "shutdown", "\"phase\":\"done\",\"requeued_running\":%d", abandoned);
	if (abandoned > 0 || update_left) {
		/* workers still run on the store: nothing may be freed */
		rc = 1;
		goto done;
	}
	rc = 0;
out:
	srv_limits_stop(s->limits);
	if (s->daemon)
		sw_mhd->stop_daemon(s->daemon);
	srv_limits_free(s->limits);
	sw_st_close(s->store);
	for (size_t i = 0; i < s->creds.len; i++) {
		struct srv_cred *c = s->creds.items[i];
		free(c->username);
		if (c->password)
			memset(c->password, 0, strlen(c->password));
		free(c->password);
		free(c);
	}
	sw_vec_release(&s->creds);
	sw_vec_release(&s->running);
	sw_vec_release(&s->cancellable);
	free(s->workers);
	srv_metrics_free(s->metrics);
	free(s->public_url);
	free(s);
done:
	sw_buf_release(&cert);
	sw_buf_release(&key);
	return rc;
}
