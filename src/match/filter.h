/*
 * filter.h - what the user asked not to see, and why.
 *
 * Filters never delete a finding: they set finding->suppressed to the
 * reason, so the JSON report keeps it (and --show-suppressed shows it).
 *   --severity LIST      keep only these severities
 *   --ignore-unfixed     suppress findings without a fixed version
 *   --ignore-status LIST suppress findings in these statuses
 *   ignore file          lines "ID [exp:YYYY-MM-DD] [pkg:NAME|PURL] [path:GLOB]  # comment";
 *                        an expired line is reported and not applied; GLOB as
 *                        sw_path_glob() (at most 4096 bytes); a NUL byte is an error
 *   VEX                  OpenVEX and CycloneDX VEX: not_affected and fixed suppress
 *
 * Work is linear in what is loaded: VEX statements are indexed by lower-case
 * id (aliases share their statement) and hold their products as a set.
 */
#ifndef SW_MATCH_FILTER_H
#define SW_MATCH_FILTER_H

#include <stdbool.h>

#include "inventory/inventory.h"
#include "match/match.h"
#include "util/err.h"
#include "util/map.h"
#include "util/vec.h"

struct sw_filter {
	unsigned severity_mask;   /* bit (1 << level) kept; 0 = all */
	bool ignore_unfixed;
	unsigned status_mask;     /* bit (1 << status) suppressed */
	long long now;            /* unix time, for expiry */
	struct sw_vec ignores;    /* private rules */
	struct sw_vec vex;        /* private: suppressing statements */
	struct sw_map vex_by_id;  /* private: lower-case id -> struct sw_vec of statements */
};

void sw_filter_init(struct sw_filter *f, long long now);
void sw_filter_release(struct sw_filter *f);
/* "high,critical" -> mask; <0 with err for an unknown word. */
int sw_filter_parse_severities(const char *list, unsigned *mask, struct sw_err *err);
/* "will_not_fix,end_of_life" -> mask. */
int sw_filter_parse_statuses(const char *list, unsigned *mask, struct sw_err *err);
/* Errors name the file and line. A missing file is an error. */
int sw_filter_load_ignore_file(struct sw_filter *f, const char *path, struct sw_err *err);
int sw_filter_load_vex(struct sw_filter *f, const char *path, struct sw_err *err);
/* The same from memory (path names the document in messages). */
int sw_filter_load_ignore_mem(struct sw_filter *f, const char *path, const char *data, size_t len,
			      struct sw_err *err);
int sw_filter_load_vex_mem(struct sw_filter *f, const char *path, const char *data, size_t len,
			   struct sw_err *err);
/* Mark suppressed findings; notes get one line per expired ignore entry. */
void sw_filter_apply(const struct sw_filter *f, const struct sw_inventory *inv,
		     struct sw_match_result *res);
/* Why an id that names no package (an image check id, checks/checks.h)
 * is suppressed: the first ignore-file entry for it (case-insensitive,
 * without pkg:/path:, not expired) -> "ignore file: FILE line N[, until
 * DATE]"; else, when level >= 0 and --severity does not keep that level,
 * "severity LEVEL not selected".  malloc'd, or NULL.  The vulnerability
 * statuses of --ignore-status and --ignore-unfixed do not apply here. */
char *sw_filter_id_suppressed(const struct sw_filter *f, const char *id, int level);
/* The same for a secret or malware finding (model/filefinding.h) at an
 * image path: an ignore-file entry for its rule id (case-insensitive; "*"
 * matches every rule) without pkg:, whose path: glob, if any, matches the
 * path (an archive member "outer.zip!inner" also by "outer.zip"); then
 * --severity.  malloc'd, or NULL. */
char *sw_filter_file_suppressed(const struct sw_filter *f, const char *id, const char *path, int level);

#endif
