/*
 * engine.c - the Docker Engine API over a Unix socket (engine.h).
 *
 * One GET per call through libcurl's multi interface, so that a long body
 * (an image archive, a container export) is pulled by the reader as it
 * arrives: each sw_engine_stream_read() runs the transfer until some bytes
 * are pending.  The status is known when the first body bytes arrive; a
 * reply that is not 2xx is kept (at most ERRBODY_MAX) for its message.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "net/libcurl.h"
#include "util/mem.h"

#define ERRBODY_MAX 4096
#define SOCKET_MAX 1024
#define TIMEOUT_CONNECT_MS 10000L

struct sw_engine {
	char *socket;
	CURL *h;
};

struct sw_engine_stream {
	struct sw_engine *e;
	CURLM *m;
	char *path;
	bool running, finished, failed_status, complete;
	CURLcode result;
	long status;
	struct sw_buf pend;
	size_t pend_off;
	struct sw_buf errbody;
};

const char *sw_engine_socket(const struct sw_engine *e)
{
	return e->socket;
}

int sw_engine_open(const char *host, struct sw_engine **out, struct sw_err *err)
{
	*out = NULL;
	if (!host || !*host)
		host = getenv("DOCKER_HOST");
	const char *sock = SW_ENGINE_DEFAULT_SOCKET;
	if (host && *host) {
		if (strncmp(host, "unix://", 7) != 0)
			return sw_err_set(err, SW_E_UNSUPPORTED,
					  "DOCKER_HOST '%.200s': only unix:// sockets are supported", host);
		sock = host + 7;
		if (!*sock || strlen(sock) >= SOCKET_MAX)
			return sw_err_set(err, SW_E_USAGE, "DOCKER_HOST '%.200s': no socket path", host);
	}
	struct stat st;
	if (stat(sock, &st) < 0)
		return sw_err_set(err, errno == ENOENT ? SW_E_NOTFOUND : SW_E_IO,
				  "docker daemon socket '%s': %s (is the daemon running? DOCKER_HOST=unix://PATH names another)",
				  sock, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return sw_err_set(err, SW_E_USAGE, "docker daemon socket '%s': not a socket", sock);
	int rc = sw_libcurl_load(err);
	if (rc < 0)
		return rc;
	struct sw_engine *e = sw_xcalloc(1, sizeof(*e));
	e->socket = sw_xstrdup(sock);
	e->h = sw_curl->easy_init();
	if (!e->h) {
		sw_engine_close(e);
		return sw_err_set(err, SW_E_NOMEM, "curl init failed");
	}
	*out = e;
	return 0;
}

void sw_engine_close(struct sw_engine *e)
{
	if (!e)
		return;
	if (e->h)
		sw_curl->easy_cleanup(e->h);
	free(e->socket);
	free(e);
}

char *sw_engine_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sw_buf b = SW_BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~:@/", *p))
			sw_buf_addch(&b, (char)*p);
		else {
			sw_buf_addch(&b, '%');
			sw_buf_addch(&b, hex[*p >> 4]);
			sw_buf_addch(&b, hex[*p & 15]);
		}
	}
	return sw_buf_detach(&b, NULL);
}

char *sw_engine_error_message(const char *body, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	if (!j)
		return NULL;
	const char *m = json_string_value(json_object_get(j, "message"));
	char *out = m && *m ? sw_xstrdup(m) : NULL;
	json_decref(j);
	if (out && strlen(out) > 300)
		out[300] = '\0';
	return out;
}

static int status_error(const char *sock, const char *path, long status, const struct sw_buf *body,
			struct sw_err *err)
{
	char *msg = sw_engine_error_message(body->data, body->len);
	int code = status == 404 ? SW_E_NOTFOUND : status == 401 || status == 403 ? SW_E_AUTH : SW_E_NET;
	/* the path names what was asked; drop its query */
	int plen = (int)strcspn(path, "?");
	sw_err_set(err, code, "docker daemon '%s': GET %.*s: HTTP %ld%s%s", sock, plen > 300 ? 300 : plen, path,
		   status, msg ? ": " : "", msg ? msg : "");
	free(msg);
	return -code;
}

static size_t stream_write(char *data, size_t sz, size_t nm, void *ud)
{
	struct sw_engine_stream *s = ud;
	size_t len = sz * nm;
	if (!s->status)
		sw_curl->easy_getinfo(s->e->h, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status < 200 || s->status >= 300) {
		s->failed_status = true;
		if (s->errbody.len < ERRBODY_MAX)
			sw_buf_add(&s->errbody, data, len);
		return len;
	}
	sw_buf_add(&s->pend, data, len);
	return sw_buf_ok(&s->pend) ? len : 0;
}

int sw_engine_stream_open(struct sw_engine *e, const char *path, struct sw_engine_stream **out, struct sw_err *err)
{
	struct sw_engine_stream *s = sw_xcalloc(1, sizeof(*s));
	s->e = e;
	s->path = sw_xstrdup(path);
	s->pend = (struct sw_buf)SW_BUF_INIT;
	s->errbody = (struct sw_buf)SW_BUF_INIT;
	s->m = sw_curl->multi_init();
	if (!s->m) {
		sw_engine_stream_close(s);
		return sw_err_set(err, SW_E_NOMEM, "curl init failed");
	}
	char *url = sw_xasprintf("http://docker%s", path);
	CURL *h = e->h;
	sw_curl->easy_reset(h);
	sw_curl->easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	sw_curl->easy_setopt(h, CURLOPT_URL, url);
	sw_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	sw_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, TIMEOUT_CONNECT_MS);
	sw_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	sw_curl->easy_setopt(h, CURLOPT_USERAGENT, "stowaway");
	sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_write);
	sw_curl->easy_setopt(h, CURLOPT_WRITEDATA, s);
	free(url);
	if (sw_curl->multi_add_handle(s->m, h) != CURLM_OK) {
		sw_engine_stream_close(s);
		return sw_err_set(err, SW_E_NET, "docker daemon '%s': cannot start a transfer", e->socket);
	}
	s->running = true;
	*out = s;
	return 0;
}

void sw_engine_stream_close(struct sw_engine_stream *s)
{
	if (!s)
		return;
	if (s->running)
		sw_curl->multi_remove_handle(s->m, s->e->h);
	if (s->m)
		sw_curl->multi_cleanup(s->m);
	sw_buf_release(&s->pend);
	sw_buf_release(&s->errbody);
	free(s->path);
	free(s);
}

static int stream_done(struct sw_engine_stream *s, struct sw_err *err)
{
	sw_curl->multi_remove_handle(s->m, s->e->h);
	s->running = false;
	long status = 0;
	sw_curl->easy_getinfo(s->e->h, CURLINFO_RESPONSE_CODE, &status);
	if (s->result != CURLE_OK && !(s->failed_status && status))
		return sw_err_set(err, SW_E_NET, "docker daemon '%s': GET %.300s: %s", s->e->socket, s->path,
				  sw_curl->easy_strerror(s->result));
	if (status < 200 || status >= 300)
		return status_error(s->e->socket, s->path, status, &s->errbody, err);
	s->complete = true;
	return 0;
}

ssize_t sw_engine_stream_read(void *stream, void *buf, size_t n, struct sw_err *err)
{
	struct sw_engine_stream *s = stream;
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
		if (s->pend.failed)
			return sw_err_set(err, SW_E_NOMEM, "out of memory");
		if (s->complete)
			return 0;
		if (s->finished) {
			int rc = stream_done(s, err);
			if (rc < 0)
				return rc;
			continue;
		}
		int still = 0;
		CURLMcode mc = sw_curl->multi_perform(s->m, &still);
		if (mc != CURLM_OK)
			return sw_err_set(err, SW_E_NET, "docker daemon '%s': %s", s->e->socket,
					  sw_curl->multi_strerror(mc));
		int left;
		CURLMsg *msg;
		while ((msg = sw_curl->multi_info_read(s->m, &left)))
			if (msg->msg == CURLMSG_DONE) {
				s->result = msg->data.result;
				s->finished = true;
			}
		if (!s->finished && s->pend.len == 0)
			sw_curl->multi_poll(s->m, NULL, 0, 1000, NULL);
	}
}

int sw_engine_get(struct sw_engine *e, const char *path, size_t max, struct sw_buf *body, struct sw_err *err)
{
	struct sw_engine_stream *st = NULL;
	int rc = sw_engine_stream_open(e, path, &st, err);
	if (rc < 0)
		return rc;
	sw_buf_release(body);
	sw_buf_init(body, max);
	char chunk[16384];
	for (;;) {
		ssize_t k = sw_engine_stream_read(st, chunk, sizeof(chunk), err);
		if (k < 0) {
			rc = (int)k;
			break;
		}
		if (k == 0)
			break;
		sw_buf_add(body, chunk, (size_t)k);
		if (!sw_buf_ok(body)) {
			rc = sw_err_set(err, SW_E_LIMIT, "docker daemon '%s': GET %.300s: reply larger than %zu bytes",
					e->socket, path, max);
			break;
		}
	}
	sw_engine_stream_close(st);
	return rc;
}
