/*
 * err.h - error values that travel up the stack.
 *
 * A function that can fail takes a `struct sw_err *err` as its last
 * argument and returns a negative value (or NULL).  On failure it fills
 * `err`; on success it leaves `err` untouched.  Callers add context on the
 * way up with sw_err_wrap(), so the front end prints one line such as
 *   layer 'sha256:ab12...': truncated gzip stream
 * Only cmd/ and the server print errors.  `err` may be NULL: the message is
 * then dropped.
 */
#ifndef SW_UTIL_ERR_H
#define SW_UTIL_ERR_H

#include <stddef.h>

/* Codes: one table, stable numbers (they appear in JSON reports). */
#define SW_ERR_TABLE(X)                                                 \
	X(SW_OK, 0, "ok")                                               \
	X(SW_E_IO, 1, "i/o error")                                      \
	X(SW_E_FORMAT, 2, "malformed input")                            \
	X(SW_E_DIGEST, 3, "digest mismatch")                            \
	X(SW_E_NOTFOUND, 4, "not found")                                \
	X(SW_E_UNSUPPORTED, 5, "unsupported")                           \
	X(SW_E_USAGE, 6, "usage error")                                 \
	X(SW_E_LIMIT, 7, "limit exceeded")                              \
	X(SW_E_NOMEM, 8, "out of memory")                               \
	X(SW_E_NET, 9, "network error")                                 \
	X(SW_E_AUTH, 10, "authentication failed")                       \
	X(SW_E_DB, 11, "database error")                                \
	X(SW_E_UNSAFE, 12, "unsafe path")                               \
	X(SW_E_INTERNAL, 13, "internal error")                         \
	X(SW_E_CANCELLED, 14, "cancelled")

enum sw_errcode {
#define SW_X(name, num, text) name = num,
	SW_ERR_TABLE(SW_X)
#undef SW_X
};

#define SW_ERR_MSG_MAX 1024

struct sw_err {
	int code;                  /* enum sw_errcode */
	char msg[SW_ERR_MSG_MAX];  /* one line, lower case, no final period */
};

#define SW_ERR_INIT { SW_OK, { 0 } }

#if defined(__GNUC__)
#define SW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SW_PRINTF(a, b)
#endif

/* Set code and message.  Returns -code (always negative), so callers can
 * write `return sw_err_set(err, SW_E_FORMAT, "...")`. */
int sw_err_set(struct sw_err *err, int code, const char *fmt, ...) SW_PRINTF(3, 4);

/* Prefix context: "CONTEXT: previous message".  Returns -err->code. */
int sw_err_wrap(struct sw_err *err, const char *fmt, ...) SW_PRINTF(2, 3);

/* Set from errno: "CONTEXT: strerror(errno)" with code SW_E_IO (or
 * SW_E_NOTFOUND for ENOENT).  Returns the negative code. */
int sw_err_errno(struct sw_err *err, const char *fmt, ...) SW_PRINTF(2, 3);

/* Static name of a code ("malformed input"). */
const char *sw_err_name(int code);

/* Reset to SW_OK and empty message. */
void sw_err_clear(struct sw_err *err);

#endif
