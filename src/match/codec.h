/*
 * codec.h - the match stage's result (struct sw_match_result) as bytes, so
 * it can travel: the server matches a client's inventory and answers the
 * findings (`scan --server`, docs/api.md "Client mode"); the client applies
 * its own filters, policy and gate to them.
 *
 *   "SWMR" u32 format(1) str key("")
 *   u32 os_covered; str os_ecosystem; strvec notes; strvec incomplete
 *   u32 nfindings { str id; strvec ids, sources; u32 pkg; str ecosystem,
 *     matched_name, installed, fixed; u32 status, severity; str
 *     severity_source; f64 cvss_score; str cvss_vector, title, description;
 *     strvec references, cwes; str published, modified; f64 epss,
 *     epss_percentile; u32 kev; str kev_date_added, suppressed }
 *   u32 crc32 of everything before it
 *
 * (inventory/cache.h's frame and record encoding; f64 = the IEEE-754 bits
 * as two u32, low word first.)
 *
 * Ownership: encode appends to out; decode makes a new result the caller
 * frees with sw_match_result_free(), or nothing.
 */
#ifndef SW_MATCH_CODEC_H
#define SW_MATCH_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "match/match.h"
#include "util/buf.h"
#include "util/err.h"

/* 2: notices and malicious-package findings after the findings */
#define SW_MATCH_CODEC_FORMAT 2u

/* Append r's encoding to out.  0, or SW_E_NOMEM when out failed. */
int sw_match_result_encode(const struct sw_match_result *r, struct sw_buf *out, struct sw_err *err);

/* A new result from what encode wrote.  Every finding's pkg must be below
 * npackages (the inventory it was matched from); statuses, severities and
 * scores must be in range.  0 and *out, or SW_E_FORMAT ("match result:
 * WHY") and nothing made. */
int sw_match_result_decode(const uint8_t *data, size_t len, size_t npackages, struct sw_match_result **out,
			   struct sw_err *err);

#endif
