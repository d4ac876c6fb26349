/*
 * sources_util.h - private helpers shared by the distro and enrichment
 * importers (debian, alpine, rubysec, redhat, nvd, kev, epss).
 *
 * Parsing: sw_src_json_load() and sw_src_yaml_load() both give a jansson
 * tree, so YAML sources (Alpine secdb YAML, RubySec) are read with the same
 * strict, typed accessors as JSON ones.  YAML scalars become JSON strings
 * (numbers and dates stay text: "2020-8164", "7.5"), except plain `~`,
 * `null` and empty scalars (JSON null) and plain `true`/`false` (booleans).
 * YAML aliases are refused (no billion-laughs), nesting is capped.
 *
 * Grouping: struct sw_src_group collects one sw_vuln per id across a file
 * (Debian's tracker JSON lists a CVE under every source package; secdb lists
 * it under every fixed version) and emits them in first-seen order.
 *
 * Not a public header: only src/vulndb/sources/ includes it.
 */
#ifndef SW_VULNDB_SOURCES_UTIL_H
#define SW_VULNDB_SOURCES_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/map.h"
#include "util/vec.h"
#include "vulndb/model.h"
#include "vulndb/sources/source.h"

/* The importers defined in this folder by the sources-B work (the store's
 * registry may declare them itself; these declarations must match). */
extern const struct sw_vuln_source sw_source_debian;
extern const struct sw_vuln_source sw_source_alpine;
extern const struct sw_vuln_source sw_source_rubysec;
extern const struct sw_vuln_source sw_source_redhat_csaf;
extern const struct sw_vuln_source sw_source_nvd;
extern const struct sw_vuln_source sw_source_kev;
extern const struct sw_vuln_source sw_source_epss;
extern const struct sw_vuln_source sw_source_exploitdb;
extern const struct sw_vuln_source sw_source_wolfi;
extern const struct sw_vuln_source sw_source_chainguard;
extern const struct sw_vuln_source sw_source_oval, sw_source_oracle, sw_source_suse, sw_source_mariner,
	sw_source_photon, sw_source_amazon;

/* Largest input an importer accepts in one file (bigger NVD pages exist
 * only as many pages). */
#define SW_SRC_MAX_FILE ((size_t)512 << 20)

/* Parse a whole JSON document; on failure err reads
 * "'PATH': bad json at line L column C: TEXT" (SW_E_FORMAT). */
int sw_src_json_load(const char *path, const uint8_t *data, size_t len, json_t **out,
		     struct sw_err *err);
/* Parse the first YAML document into a jansson tree (see above). */
int sw_src_yaml_load(const char *path, const uint8_t *data, size_t len, json_t **out,
		     struct sw_err *err);

/* Typed member access.  Each returns NULL when the key is absent or null,
 * and sets *bad (if non-NULL) to true when it is present with another
 * type.  The string is borrowed from the tree. */
const char *sw_src_get_str(const json_t *obj, const char *key, bool *bad);
json_t *sw_src_get_obj(const json_t *obj, const char *key, bool *bad);
json_t *sw_src_get_arr(const json_t *obj, const char *key, bool *bad);
/* A number, or a string holding one ("7.5"); -1 when absent, *bad when not
 * a number. */
double sw_src_get_num(const json_t *obj, const char *key, bool *bad);

/* Report a bad record to the sink (if it listens); `what` is printf-like. */
void sw_src_bad(const struct sw_vuln_sink *sink, const char *path, const char *record,
		const char *fmt, ...) SW_PRINTF(4, 5);

/* Hand v to sink->put_vuln; on failure wraps err with the file and id. */
int sw_src_put(const struct sw_vuln_sink *sink, const char *path, const struct sw_vuln *v,
	       struct sw_err *err);

/* Push a copy of s unless NULL, empty, or already in v. */
void sw_src_push_unique(struct sw_vec *v, const char *s);

/* "critical"/"high"/"medium"/"low"/"none" for a CVSS v3/v4 base score,
 * "high"/"medium"/"low" for v2 (is_v2), "unknown" for < 0. */
const char *sw_src_rating_from_score(double score, bool is_v2);
/* Lower-case copy (ASCII), malloc'd. */
char *sw_src_lower(const char *s);

/* Append a severity unless an equal one (source, type, vector) exists. */
void sw_src_add_severity(struct sw_vuln *v, const char *source, const char *type,
			 const char *vector, double score, const char *rating);

/* Find an affected entry of (ecosystem, package, status) in v, or add one. */
struct sw_affected *sw_src_affected(struct sw_vuln *v, const char *ecosystem,
				    const char *package, enum sw_vuln_status status);
/* Give a the range introduced "0" / fixed `fixed` (type ECOSYSTEM) unless it
 * has the same fixed event already. */
void sw_src_add_fixed_range(struct sw_affected *a, const char *fixed);

/* One vulnerability per id across a file, emitted in first-seen order. */
struct sw_src_group {
	struct sw_map by_id;   /* id -> struct sw_vuln* (borrowed from order) */
	struct sw_vec order;   /* struct sw_vuln*, owned */
	const char *source;
};
void sw_src_group_init(struct sw_src_group *g, const char *source);
/* The vulnerability with this id, created if new. */
struct sw_vuln *sw_src_group_get(struct sw_src_group *g, const char *id);
/* Drop one (a record found bad after it was created). */
void sw_src_group_drop(struct sw_src_group *g, const char *id);
/* put_vuln each; stops at the first sink failure. */
int sw_src_group_emit(struct sw_src_group *g, const struct sw_vuln_sink *sink,
		      const char *path, struct sw_err *err);
void sw_src_group_release(struct sw_src_group *g);

/* CSV (RFC 4180: quoted fields, "" escapes, CRLF or LF).  Reads the next
 * record starting at *pos and fills fields (malloc'd strings, cleared
 * first).  Returns 1 for a record, 0 at end of input, -1 for a malformed
 * one (unterminated quote); *pos then points past it. */
int sw_src_csv_next(const char *data, size_t len, size_t *pos, struct sw_vec *fields);

/* A CSV table with a header row, read row by row with the named columns
 * looked up once (KEV, EPSS, Exploit-DB):
 *
 *   static const char *const cols[] = { "cve", "epss" };
 *   struct sw_src_csv c;
 *   if (sw_src_csv_open(&c, path, data, len, 0, cols, 2, err) < 0) ...
 *   const char *v[2];
 *   while (sw_src_csv_row(&c, sink, v) == 1) ... v[i] or NULL; c.where: "line N"
 *   sw_src_csv_release(&c);
 *
 * open skips a UTF-8 byte-order mark, starts at byte `start` (after lines
 * the caller read itself, counted in c.line) and reads the header; its
 * error is SW_E_FORMAT "'PATH': empty or bad csv header".  A column not in
 * the header has at[i] = -1 (the caller decides which it needs).  row
 * skips blank lines and reports a malformed record (sw_src_bad, "line N")
 * and goes on; it returns 1 for a row, 0 at the end. */
#define SW_SRC_CSV_MAX_COLS 16
struct sw_src_csv {
	const char *path, *data;
	size_t len, pos, line;
	long at[SW_SRC_CSV_MAX_COLS];
	size_t ncols;
	struct sw_vec fields;   /* char*: the current row */
	char where[32];         /* "line N" of the current row */
};
int sw_src_csv_open(struct sw_src_csv *c, const char *path, const uint8_t *data, size_t len, size_t start,
		    const char *const *cols, size_t ncols, struct sw_err *err);
int sw_src_csv_row(struct sw_src_csv *c, const struct sw_vuln_sink *sink, const char **v);
void sw_src_csv_release(struct sw_src_csv *c);

/* True if s looks like an advisory id: LETTERS-REST with 2+ upper-case
 * letters before the dash (CVE-..., XSA-..., GHSA-..., OSVDB-...). */
bool sw_src_is_advisory_id(const char *s);

/* For wants(): the file name (lower-cased, any .gz/.xz/.zst/.bz2 suffix
 * ignored) contains `needle` (if non-NULL) and ends with `ext`. */
bool sw_src_name_is(const char *path, const char *needle, const char *ext);

/* Parse a decimal number filling all of s; false if it is not one. */
bool sw_src_parse_double(const char *s, double *out);

#endif
