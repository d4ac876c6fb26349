/*
 * buf.h - growable byte buffer / string builder.
 *
 * Invariants: `data` is never NULL and always NUL-terminated (an empty
 * buffer points at a shared static ""), `len < cap` once anything was added.
 * `max` bounds the length (0 = SIZE_MAX/2); growth past it, or a failed
 * allocation, sets the sticky `oom`/`over` flag and further appends are
 * ignored, so a caller may append many times and check sw_buf_ok() once.
 *
 * Ownership: the buffer owns `data`.  sw_buf_detach() hands it to the
 * caller (who frees it with free()) and leaves the buffer empty.
 */
#ifndef SW_UTIL_BUF_H
#define SW_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sw_buf {
	char *data;
	size_t len;
	size_t cap;   /* 0 while data points at the static "" */
	size_t max;
	bool failed;  /* sticky: an append was dropped (no memory, or over max) */
};

#define SW_BUF_INIT { (char *)sw_buf_empty_, 0, 0, 0, false }
extern const char sw_buf_empty_[1];

void sw_buf_init(struct sw_buf *b, size_t max);
void sw_buf_release(struct sw_buf *b);          /* frees data; b is empty again */
void sw_buf_reset(struct sw_buf *b);            /* len = 0, keeps memory */
bool sw_buf_grow(struct sw_buf *b, size_t extra);
void sw_buf_add(struct sw_buf *b, const void *p, size_t n);
void sw_buf_addstr(struct sw_buf *b, const char *s);
void sw_buf_addch(struct sw_buf *b, char c);
void sw_buf_addf(struct sw_buf *b, const char *fmt, ...) SW_PRINTF(2, 3);
/* JSON-escaped copy of s (without quotes); a byte that does not start a
 * valid UTF-8 sequence becomes \ufffd, so the text is valid JSON. */
void sw_buf_add_json_escaped(struct sw_buf *b, const char *s);
/* Take the data; returns a malloc'd NUL-terminated string, or NULL if the
 * buffer failed (out of memory / over max).  The buffer is empty after. */
char *sw_buf_detach(struct sw_buf *b, size_t *len_out);
static inline bool sw_buf_ok(const struct sw_buf *b) { return !b->failed; }

/* Read a whole file into b, failing with SW_E_LIMIT if larger than max. */
int sw_buf_read_file(struct sw_buf *b, const char *path, size_t max, struct sw_err *err);

#endif
