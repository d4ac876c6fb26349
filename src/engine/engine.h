/*
 * engine.h - the Docker Engine API over its Unix socket (issue 20).
 *
 *   struct sw_engine *e;
 *   if (sw_engine_open(NULL, &e, err) < 0) ...      // $DOCKER_HOST or /var/run/docker.sock
 *   sw_engine_get_json(e, "/containers/json", SW_ENGINE_JSON_MAX, &body, err);
 *   sw_engine_stream_open(e, "/images/NAME/get", &st, err);  // then sw_engine_stream_read()
 *   sw_engine_close(e);
 *
 * libcurl (net/libcurl.h, CURLOPT_UNIX_SOCKET_PATH) speaks HTTP/1.1; the
 * host name in the URL is ignored by the daemon.  Only unix:// hosts are
 * supported: a DOCKER_HOST of tcp:// or ssh:// is an SW_E_UNSUPPORTED error
 * naming it.  A reply that is not 2xx is an error naming the request and
 * the daemon's own message (its {"message": "..."} body), SW_E_NOTFOUND for
 * 404; a missing socket is SW_E_NOTFOUND naming the socket.
 *
 * Ownership: the engine owns its handle; a stream belongs to the caller
 * (sw_engine_stream_close) and must be closed before its engine.
 * Threads: one engine per thread.
 */
#ifndef SW_ENGINE_ENGINE_H
#define SW_ENGINE_ENGINE_H

#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"

#define SW_ENGINE_DEFAULT_SOCKET "/var/run/docker.sock"
/* cap on a JSON reply (container lists, inspect documents) */
#define SW_ENGINE_JSON_MAX ((size_t)64 << 20)

struct sw_engine;
struct sw_engine_stream;

/* host: "unix:///path" or NULL ($DOCKER_HOST, else the default socket). */
int sw_engine_open(const char *host, struct sw_engine **out, struct sw_err *err);
void sw_engine_close(struct sw_engine *e);
/* The socket path (borrowed). */
const char *sw_engine_socket(const struct sw_engine *e);

/* GET path (already escaped: see sw_engine_escape) into body (at most max
 * bytes: SW_E_LIMIT beyond). */
int sw_engine_get(struct sw_engine *e, const char *path, size_t max, struct sw_buf *body, struct sw_err *err);
/* s percent-escaped for a path segment (malloc'd). */
char *sw_engine_escape(const char *s);

/* A GET whose body is read as it arrives (sw_read_fn). */
int sw_engine_stream_open(struct sw_engine *e, const char *path, struct sw_engine_stream **out, struct sw_err *err);
ssize_t sw_engine_stream_read(void *stream, void *buf, size_t n, struct sw_err *err);
void sw_engine_stream_close(struct sw_engine_stream *s);

/* The daemon's error message in an error body ({"message": "..."}), or
 * NULL (malloc'd; exposed for the fuzz target). */
char *sw_engine_error_message(const char *body, size_t len);

#endif
