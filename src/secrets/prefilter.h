/*
 * prefilter.h - the keyword prefilter of the secret scanner: every
 * occurrence (ASCII case-insensitive, overlapping ones included) of every
 * keyword in a stream, fed in pieces.  Two engines, chosen at build time
 * (cmake/Secrets.cmake): Hyperscan's streaming mode (prefilter_hs.c) and a
 * portable two-byte-bucket scanner (prefilter_lit.c).  Both report exactly
 * the same set of (keyword, start) pairs, in any order.
 *
 * The compiled prefilter is read-only once built and shared by every
 * thread; a stream (per file) holds the scratch and the stream state.
 */
#ifndef SW_SECRETS_PREFILTER_H
#define SW_SECRETS_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sw_pf;
struct sw_pf_stream;

/* kw: n lower-case keywords (no duplicates), each 2..SW_SECRET_MAX_KEYWORD bytes. */
int sw_pf_new(const char *const *kw, size_t n, struct sw_pf **out, struct sw_err *err);
void sw_pf_free(struct sw_pf *pf);
const char *sw_pf_engine(void);

typedef void (*sw_pf_hit)(void *ctx, unsigned kw, uint64_t start);

/* NULL when out of memory. */
struct sw_pf_stream *sw_pf_open(const struct sw_pf *pf);
/* The stream's bytes so far are win[0 .. end - win_start) at absolute
 * offsets [win_start, end); the bytes from `from` on are new.  The window
 * must still hold the last SW_SECRET_MAX_KEYWORD bytes before `from`.
 * eof: no more bytes will come (report what ends at `end`). */
int sw_pf_scan(struct sw_pf_stream *st, const uint8_t *win, uint64_t win_start, uint64_t from,
	       uint64_t end, bool eof, sw_pf_hit hit, void *ctx);
void sw_pf_close(struct sw_pf_stream *st);

#endif
