/*
 * report_int.h - what the writers in src/report/ share (not public).
 *
 * A format is a `struct sw_report_writer` in the table of report.c.  The
 * writer gets a context that bundles everything a document may show; issue
 * 5 adds the findings to this context and a `findings` entry point to the
 * ops table, and the JSON writers add their vulnerability sections to the
 * documents built by the sw_report_*_doc() builders below.
 */
#ifndef SW_REPORT_REPORT_INT_H
#define SW_REPORT_REPORT_INT_H

#include <jansson.h>
#include <stdio.h>

#include "match/match.h"
#include "report/report.h"
#include "util/buf.h"

struct sw_report_ctx {
	const struct sw_inventory *inv;
	const struct sw_report_opts *opts;
	const char *tool_version;   /* never NULL */
	char **purls;               /* purl of inv->packages[i] (p->purl or computed), may be NULL */
	const struct sw_match_result *res; /* scan results; NULL for an SBOM */
	/* scan: "secret: WHY", "malware: WHY" for a content scanner asked for
	 * that did not run (part of the incomplete reasons) */
	struct sw_vec scanners_incomplete;
};

struct sw_report_writer {
	enum sw_report_format format;
	const char *name;           /* canonical --format name */
	int (*sbom)(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err); /* NULL: scan only */
	int (*scan)(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
};

int sw_report_table_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_json_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_cdx_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_spdx_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);

/* Scan writers (scan_*.c): ctx->res is set. */
int sw_report_table_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_json_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_sarif_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_cdx_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_spdx_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_html_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);
int sw_report_junit_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err);

/* Document builders: a new reference the caller json_decref()s. */
json_t *sw_report_json_doc(const struct sw_report_ctx *ctx);
json_t *sw_report_cdx_doc(const struct sw_report_ctx *ctx);
json_t *sw_report_spdx_doc(const struct sw_report_ctx *ctx);

/* --- streaming: big arrays are written one item at a time ---
 *
 * A writer builds a small skeleton document in which each big array is a
 * placeholder (sw_report_stream_placeholder(k)), plus one stream per
 * placeholder that makes item i on demand.  sw_report_dump_streamed()
 * writes exactly the bytes json_dumpf() would write for the full document,
 * but holds one item at a time; sw_report_materialise() builds the full
 * document instead (the sw_report_*_doc() builders, and the tests that
 * compare both). */
struct sw_report_stream {
	size_t n;
	json_t *(*item)(void *state, size_t i);   /* a new reference */
	void *state;
};
json_t *sw_report_stream_placeholder(size_t k);
int sw_report_dump_streamed(FILE *out, json_t *skeleton, const struct sw_report_stream *s,
			    size_t ns, struct sw_err *err);
/* Replace the placeholders in skeleton by full arrays; returns skeleton. */
json_t *sw_report_materialise(json_t *skeleton, const struct sw_report_stream *s, size_t ns);

/* --- the policy evaluation (policy_out.c) --- */

/* Our "policy" section of the scan JSON (docs/json-schema.md). */
json_t *sw_report_policy_json(const struct sw_policy_result *r);
/* Anchore's evaluation JSON, ours under "stowaway". */
json_t *sw_report_policy_anchore_json(const struct sw_policy_result *r, long long now);
/* The reduced, masked image config ("imageConfig"), or NULL when the
 * text is not a JSON object. */
json_t *sw_report_image_config_json(const char *config_json);
/* SARIF: one rule per policy rule ("policy/SET/RULE"), one result per
 * trigger fired (allowlisted ones as accepted suppressions). */
void sw_report_sarif_policy(const struct sw_report_ctx *ctx, json_t *rules, json_t *results);
/* JUnit: testsuite "policy", one testcase per rule (failure: a STOP
 * trigger not allowlisted; skipped: not evaluated). */
void sw_report_junit_policy(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests,
			    size_t *failures);
/* HTML section "Policy". */
void sw_report_html_policy(struct sw_buf *b, const struct sw_report_ctx *ctx);
/* The policy table (explain: every rule with what it looked at first). */
void sw_report_policy_table_text(struct sw_buf *b, const struct sw_policy_result *r, bool explain);

/* --- helpers (report.c) --- */

/* json_out.c: the text json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(precision)) would give (precision 0: jansson's 17),
 * appended to b; -1 if j holds invalid UTF-8 or b failed. */
int sw_report_json_text(struct sw_buf *b, const json_t *j, int precision);
/* That text and a newline written to out (64 KiB at a time), then flushed. */
int sw_report_json_write(FILE *out, const json_t *doc, int precision, struct sw_err *err);
/* Dump doc (indent 2, key order kept, trailing newline) to out. */
int sw_report_dump(FILE *out, json_t *doc, struct sw_err *err);
/* json string for s, or JSON null when s is NULL. */
json_t *sw_report_jstr(const char *s);
/* "2023-11-14T22:13:20Z" into buf (at least 32 bytes). */
void sw_report_timestamp(long long t, char *buf, size_t n);
/* UUID v5-style text (36 chars + NUL) from a SHA-1 of `name`. */
void sw_report_uuid(const char *name, char out[37]);
/* The image's identity for document names: first repo tag, else reference,
 * else "image".  Borrowed. */
const char *sw_report_image_name(const struct sw_inventory *inv);
/* The image's digest: manifest digest, else config digest, else NULL. */
const char *sw_report_image_digest(const struct sw_inventory *inv);
/* Display name: "@scope/name" (npm), "group:artifact" (maven),
 * "ns/name" otherwise.  malloc'd. */
char *sw_report_pkg_name(const struct sw_package *p);
/* Layer of inv with this index, or NULL. */
const struct sw_inv_layer *sw_report_layer(const struct sw_inventory *inv, int index);
/* Flags as words: "declared", "dev", "stdlib", "main-module"; a new JSON array. */
json_t *sw_report_flags(unsigned flags);

/* An OS package (deb, rpm, apk, alpm), installed by the OS package manager. */
bool sw_report_is_os_package(const struct sw_package *p);
/* Trivy's application type for a language package (by ecosystem and the
 * file it was read from: "python-pkg", "npm", "jar", "gobinary" ...), or
 * NULL: how Trivy groups language packages when it reads an SBOM back. */
const char *sw_report_trivy_app_type(const struct sw_package *p);
/* Source package name / version: the package's own, else for OS packages
 * (deb, rpm, apk, alpm) its name / version, else NULL.  Borrowed. */
const char *sw_report_source_name(const struct sw_package *p);
const char *sw_report_source_version(const struct sw_package *p);
/* The built-in licence ids (which = 0) or exceptions (1), NULL-terminated. */
const char *const *sw_report_license_table(int which);
/* Alias i of the built-in alias table ("GPL-2+"), NULL past the end. */
const char *sw_report_license_alias(size_t i);

/* --- completeness (report.c): every format says when the packages it
 * lists, or the findings, may be missing some (docs/scan-formats.md) --- */

/* Why the document is incomplete: ctx->inv->incomplete, then (a scan)
 * ctx->res->incomplete; 0 = complete.  sw_report_incomplete_get(ctx, i)
 * is reason i (borrowed). */
size_t sw_report_incomplete_count(const struct sw_report_ctx *ctx);
const char *sw_report_incomplete_get(const struct sw_report_ctx *ctx, size_t i);
/* Our JSON: top-level "complete" (bool) and "incomplete" (reasons). */
void sw_report_json_add_completeness(json_t *doc, const struct sw_report_ctx *ctx);
/* CycloneDX, when incomplete: BOM-level properties "stowaway:complete" =
 * "false" and one "stowaway:incomplete" per reason, appended to
 * doc.properties (created when absent). */
void sw_report_cdx_add_completeness(json_t *doc, const struct sw_report_ctx *ctx);
/* SPDX, when incomplete: one document annotation (type OTHER) per reason,
 * "incomplete: REASON". */
void sw_report_spdx_add_completeness(json_t *doc, const struct sw_report_ctx *ctx);

/* --- scan helpers (scan_common.c) --- */

/* Whether a writer that hides suppressed findings lists f. */
bool sw_report_scan_shown(const struct sw_report_ctx *ctx, const struct sw_finding *f);
/* Finding n of ctx->res, and its package. */
const struct sw_finding *sw_report_finding(const struct sw_report_ctx *ctx, size_t n);
const struct sw_package *sw_report_finding_pkg(const struct sw_report_ctx *ctx,
					       const struct sw_finding *f);
/* Counts of unsuppressed findings per severity level (index enum
 * sw_severity_level), and the number suppressed. */
void sw_report_scan_counts(const struct sw_report_ctx *ctx, size_t counts[6], size_t *suppressed);
/* Advisory page for an id: NVD for CVE-, the GitHub advisory page for
 * GHSA-, osv.dev otherwise.  malloc'd. */
char *sw_report_vuln_url(const char *id);
/* A CVSS-like number for the finding's severity: its CVSS score when that
 * lies in the severity's band, else the band's middle (critical 9.5,
 * high 8.0, medium 5.5, low 2.0, negligible 0.1, unknown 0.0). */
double sw_report_severity_score(const struct sw_finding *f);
/* History line of the layer that brought p (package's own, else the
 * layer's), or NULL.  Borrowed. */
const char *sw_report_pkg_created_by(const struct sw_inventory *inv, const struct sw_package *p);
/* The history line without shell boilerplate, control characters as '?',
 * at most max code points (0 = no limit).  malloc'd; "" for NULL. */
char *sw_report_short_created_by(const char *s, size_t max);
/* s sanitised for a terminal/one line (util/termsafe.h sw_term_clean() with
 * SW_TERM_FOLD: controls, C1, bidi overrides and invalid UTF-8 as '?', white
 * space runs as one space), at most max code points then "..." (0 = no
 * limit).  malloc'd, never NULL. */
char *sw_report_clean(const char *s, size_t max);
/* Append s XML/HTML-escaped (& < > " '), with bytes XML 1.0 forbids and
 * invalid UTF-8 as '?'. */
void sw_report_xml_escape(struct sw_buf *b, const char *s);
/* sw_report_dump() with reals printed to 6 significant digits (9.8, not
 * 9.8000000000000007). */
int sw_report_dump_scan(FILE *out, json_t *doc, struct sw_err *err);
/* True when s is an http(s) URL with a host and nothing a URI forbids
 * (blanks, control bytes, non-ASCII, "<>{}|\^`). */
bool sw_report_is_url(const char *s);
/* s as an RFC 3339 date-time ("2021-12-10" -> "2021-12-10T00:00:00Z",
 * a time without a zone taken as UTC), malloc'd; NULL when s is neither. */
char *sw_report_rfc3339(const char *s);
/* JSON array of the strings of v (a new reference). */
json_t *sw_report_str_array(const struct sw_vec *v);

/* --- image checks and scanner states (scan_checks.c), docs/checks.md --- */

/* JSON "scanners" array and "checks" object (docs/json-schema.md). */
json_t *sw_report_scanners_json(const struct sw_report_ctx *ctx);
json_t *sw_report_checks_json(const struct sw_report_ctx *ctx);
/* Table section "Image checks" (and scanners that could not run). */
void sw_report_table_checks(FILE *out, const struct sw_report_ctx *ctx);
/* SARIF: a rule per check id (appended to rules), a result per failed
 * check (to results), a notification per scanner that could not run and
 * per checks note (to notes, level "note"). */
/* A SARIF artifactLocation.uri for an image path: no leading '/', bytes
 * other than unreserved ones and '/' percent-encoded; malloc'd. */
char *sw_report_path_uri(const char *path);
void sw_report_sarif_checks(const struct sw_report_ctx *ctx, json_t *rules, json_t *results, json_t *notes);
/* JUnit: testsuites "image checks" (one testcase per control) and
 * "scanners" (one per scanner asked for that could not run, skipped);
 * adds to *tests, *failures. */
void sw_report_junit_checks(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts,
			    size_t *tests, size_t *failures);
/* HTML section "Image checks". */
void sw_report_html_checks(struct sw_buf *b, const struct sw_report_ctx *ctx);

/* --- secrets and malware (scan_files.c; inventory->file_findings) --- */

/* JSON array "secrets" (scanner "secret") or "malware" (docs/json-schema.md). */
json_t *sw_report_files_json(const struct sw_report_ctx *ctx, const char *scanner);
/* Table sections "Secrets" and "Malware" (when asked for or found). */
void sw_report_table_files(FILE *out, const struct sw_report_ctx *ctx);
/* SARIF: a rule per "secret/RULE" / "malware/SIGNATURE", a result per finding. */
void sw_report_sarif_files(const struct sw_report_ctx *ctx, json_t *rules, json_t *results);
/* JUnit testsuites "secrets" and "malware" (scanners that ran): a failing
 * testcase per finding; adds to *tests, *failures. */
void sw_report_junit_files(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests,
			   size_t *failures);
/* HTML sections "Secrets" and "Malware", one table per layer. */
void sw_report_html_files(struct sw_buf *b, const struct sw_report_ctx *ctx);
/* Lines "\nsecret|malware: SEVERITY RULE /PATH[:LINE] (layer N[, removed in
 * layer M (still in the image)])[: MASKED]" and "\nmalware: not checked
 * (WHY)", for SPDX's document comment. */
void sw_report_files_text(struct sw_buf *b, const struct sw_report_ctx *ctx);
/* CycloneDX BOM-level properties "stowaway:secret" / "stowaway:malware". */
void sw_report_cdx_add_files(json_t *doc, const struct sw_report_ctx *ctx);
/* CycloneDX: BOM-level properties "stowaway:check:ID" = "STATUS[ SEVERITY]: TITLE"
 * (failed: evidence details appended), then "stowaway:check:ID:FIELD" for
 * status, severity, cis, title, evidence (one per item, its JSON object),
 * note, remediation, suppressed; "stowaway:checks:note" per note and
 * "stowaway:scanner:NAME" = why it could not run (docs/checks.md). */
void sw_report_cdx_add_checks(json_t *doc, const struct sw_report_ctx *ctx);
/* SPDX: one annotation per check on the SPDXRef-Image package (REVIEW for
 * pass/fail, OTHER for info/manual; the comment one "key: value" line per
 * field), document annotations (OTHER) for the checks' notes and for each
 * scanner that could not run (docs/checks.md). */
void sw_report_spdx_add_checks(json_t *doc, const struct sw_report_ctx *ctx);
/* --- notices (scan_notices.c; match result notices, only with
 * opts->show_notices; never findings nor counted) --- */

/* JSON "notices": an array, or null when not asked for. */
json_t *sw_report_notices_json(const struct sw_report_ctx *ctx);
/* Table section "Notices (not vulnerabilities)". */
void sw_report_table_notices(FILE *out, const struct sw_report_ctx *ctx);
/* SARIF: a rule "notice/ID" and a result of kind "informational", level "none". */
void sw_report_sarif_notices(const struct sw_report_ctx *ctx, json_t *rules, json_t *results);
/* JUnit testsuite "notices": passing testcases (adds to *tests). */
void sw_report_junit_notices(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests);
/* HTML section "Notices (not vulnerabilities)". */
void sw_report_html_notices(struct sw_buf *b, const struct sw_report_ctx *ctx);
/* CycloneDX BOM-level properties "stowaway:notice". */
void sw_report_cdx_add_notices(json_t *doc, const struct sw_report_ctx *ctx);
/* SPDX document comment lines "\nnotice: ID (KIND) NAME VERSION: TITLE". */
void sw_report_notices_text(struct sw_buf *b, const struct sw_report_ctx *ctx);

/* The scanner called name in ctx->opts->scanners, or NULL. */
const struct sw_report_scanner *sw_report_find_scanner(const struct sw_report_ctx *ctx, const char *name);

#endif
