/*
 * cvss.h - CVSS vectors: strict parsing, canonical formatting and scores
 * for CVSS v2.0, v3.0, v3.1 and v4.0, as the FIRST specifications define
 * them.
 *
 * A struct sw_cvss is a small value (no heap memory): parse into one on the
 * stack, copy it freely, nothing to free.  It is only meaningful after a
 * successful sw_cvss_parse().
 *
 * Accepted syntax (see docs/cvss.md):
 *   v2    "AV:N/AC:L/Au:N/C:P/I:P/A:P" (no prefix; NVD's "(...)" form is
 *         accepted too), metrics in the specification's order, temporal
 *         (E/RL/RC) and environmental (CDP/TD/CR/IR/AR) groups all or none;
 *   v3.x  "CVSS:3.0/..." or "CVSS:3.1/...", the eight base metrics
 *         mandatory, metrics in any order, each at most once;
 *   v4.0  "CVSS:4.0/...", the eleven base metrics mandatory, every metric
 *         in the specification's order, each at most once.
 * Values are case-sensitive; "X" (v3, v4) and "ND" (v2) are accepted for
 * the non-base metrics and kept, so a vector round-trips.
 *
 * Scores:
 *   sw_cvss_base_score()   the base score only (CVSS-B for v4.0): threat,
 *                          temporal, environmental metrics are ignored;
 *   sw_cvss_vector_score() the score of the whole vector: for v2/v3 the
 *                          environmental score when any environmental
 *                          metric is present, else the temporal score when
 *                          any temporal metric is present, else the base
 *                          score; for v4.0 the CVSS-BTE score (threat and
 *                          environmental metrics applied, X = default).
 * Both return a value in [0, 10] rounded to one decimal as each
 * specification requires (v3.1 Roundup, v3.0 ceiling, v2 half-up, v4.0
 * macrovector interpolation rounded half-up), or -1 if c is not valid.
 */
#ifndef SW_VULNDB_CVSS_H
#define SW_VULNDB_CVSS_H

#include <stddef.h>

#include "util/err.h"

enum sw_cvss_version {
	SW_CVSS_V2 = 20,
	SW_CVSS_V30 = 30,
	SW_CVSS_V31 = 31,
	SW_CVSS_V40 = 40,
};

/* Number of metric slots (v4.0 has 32 metrics, the most of any version). */
#define SW_CVSS_MAX_METRICS 32
/* Longest vector sw_cvss_parse() accepts, and a buffer size that always
 * holds sw_cvss_format()'s output with its NUL. */
#define SW_CVSS_VECTOR_MAX 512

struct sw_cvss {
	enum sw_cvss_version version;
	/* Private: per metric of the version's table (specification order),
	 * 0 = absent, else 1 + index of the value in the metric's value list. */
	unsigned char m[SW_CVSS_MAX_METRICS];
};

/* Parse a vector strictly.  Returns 0 and fills *out, or a negative code
 * (SW_E_FORMAT, or SW_E_UNSUPPORTED for an unknown "CVSS:x.y" version)
 * with a one-line message naming what was wrong; *out is then untouched. */
int sw_cvss_parse(const char *vector, struct sw_cvss *out, struct sw_err *err);

enum sw_cvss_parse_flags {
	/* Accept v2 and v4 metrics in any order (each still at most once, v2
	 * groups still complete).  Some published v4 vectors list VC/SC/VI/
	 * SI/VA/SA (github/advisory-database issue 7448); formatting gives the
	 * canonical order back. */
	SW_CVSS_ANY_ORDER = 1 << 0,
};

/* sw_cvss_parse() with flags (enum sw_cvss_parse_flags); major 0 takes any
 * version, else a vector of another major version (2, 3 or 4; 3 takes 3.0
 * and 3.1) is refused with SW_E_FORMAT: for fields that name their
 * version, such as NVD's cvssMetricV31 or OSV's CVSS_V4. */
int sw_cvss_parse_ex(const char *vector, int major, unsigned flags, struct sw_cvss *out,
		     struct sw_err *err);

/* Write the canonical vector (prefix, then the metrics present in the
 * specification's order, explicit X/ND values kept) into buf (n bytes,
 * always NUL-terminated when n > 0).  Returns the length of the full
 * vector (as snprintf does: >= n means it was truncated), or -1 if c is
 * not a parsed vector. */
int sw_cvss_format(const struct sw_cvss *c, char *buf, size_t n);

/* Base score (see above); -1 if c is not valid. */
double sw_cvss_base_score(const struct sw_cvss *c);

/* Score of the whole vector (see above); -1 if c is not valid. */
double sw_cvss_vector_score(const struct sw_cvss *c);

/* Convenience: parse and return the whole vector's score (as
 * sw_cvss_vector_score(); equal to the base score for the usual base-only
 * vectors) and the version (enum sw_cvss_version).  score and version may
 * be NULL.  Returns 0 or a negative code as sw_cvss_parse(). */
int sw_cvss_score(const char *vector, double *score, int *version, struct sw_err *err);

/* Qualitative rating of a v3/v4 score (static string): "none" (0.0),
 * "low" (0.1-3.9), "medium" (4.0-6.9), "high" (7.0-8.9), "critical"
 * (9.0-10.0); "unknown" for a negative, NaN or > 10 score. */
const char *sw_cvss_rating(double score);

/* Qualitative rating of a v2 score (NVD's scale): "low" (0.0-3.9),
 * "medium" (4.0-6.9), "high" (7.0-10.0); "unknown" as above. */
const char *sw_cvss2_rating(double score);

/* Rating by the scale of c's version: sw_cvss2_rating() for v2, else
 * sw_cvss_rating(). */
const char *sw_cvss_rating_for(enum sw_cvss_version version, double score);

#endif
