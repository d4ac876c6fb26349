/*
 * report.h - write an inventory (and later findings) in a chosen format.
 *
 *   struct sw_report_opts o = { .color = isatty(1), .now = epoch, .tool_version = "0.1.0" };
 *   enum sw_report_format f;
 *   if (sw_report_format_parse("cyclonedx", &f) < 0) ... usage error
 *   if (sw_report_sbom(out, f, inv, &o, err) < 0) ... print err
 *
 * Formats: a human table, our own JSON (docs/json-schema.md,
 * docs/stowaway-sbom.schema.json, docs/stowaway-scan.schema.json),
 * CycloneDX 1.5 JSON and SPDX 2.3 JSON; for scan results also SARIF
 * 2.1.0, a self-contained HTML page and JUnit XML (sw_report_scan).
 * Every writer is deterministic: the same inventory and options give the
 * same bytes (timestamps come from o->now, identifiers are hashes).
 *
 * The writers only read the inventory.  Nothing here prints anything but
 * the document to `out`; write errors come back in err (SW_E_IO).  The
 * caller picks stdout or a temporary file (util/outfile.h) and decides
 * colour (only for a TTY) and the clock (SOURCE_DATE_EPOCH or time()).
 *
 * Extension (findings, issue 5): each format is a writer in an ops table
 * (report_int.h); the JSON formats are built as jansson documents by
 * sw_report_*_doc() helpers, so vulnerabilities are added to the same
 * document rather than by a second writer.
 */
#ifndef SW_REPORT_REPORT_H
#define SW_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "checks/checks.h"
#include "inventory/inventory.h"
#include "policy/policy.h"
#include "util/err.h"

enum sw_report_format {
	SW_FMT_TABLE,
	SW_FMT_JSON,
	SW_FMT_CYCLONEDX,
	SW_FMT_SPDX_JSON,
	SW_FMT_SARIF,               /* scan results only */
	SW_FMT_HTML,                /* scan results only */
	SW_FMT_JUNIT,               /* scan results only */
};

/* Parse a --format name: "table", "json", "cyclonedx", "cyclonedx-json",
 * "spdx-json", "spdx", "sarif", "html", "junit" (case-sensitive).  Returns 0, or -SW_E_USAGE for an
 * unknown name (*out untouched). */
int sw_report_format_parse(const char *name, enum sw_report_format *out);
/* Canonical name of a format ("table", "json", "cyclonedx", "spdx-json",
 * "sarif", "html", "junit"). */
const char *sw_report_format_name(enum sw_report_format f);

/* What one scanner of a scan did (scan.h struct sw_scan_scanner_state). */
struct sw_report_scanner {
	const char *name;         /* "vuln", "config", "secret", "malware" */
	bool requested;
	bool ran;
	const char *why_not;      /* requested, did not run: why */
};

struct sw_report_opts {
	bool color;               /* ANSI colour (table only); the caller sets it for a TTY */
	long long now;            /* unix time for document timestamps */
	const char *tool_version; /* NULL = SW_VERSION_STRING */
	bool show_suppressed;     /* scan: table, SARIF, HTML and JUnit list suppressed
	                             findings too (JSON, CycloneDX, SPDX always keep them) */
	/* scan: the image checks (NULL: the config scanner was not asked for)
	 * and the state of each scanner (NULL/0: not known, none listed) */
	const struct sw_check_list *checks;
	const struct sw_report_scanner *scanners;
	size_t nscanners;
	bool show_passed;         /* table: list passed checks too (JSON, HTML, JUnit always do) */
	/* scan: the policy evaluation (scan --policy), or NULL: a "policy"
	 * section in JSON, table, HTML; results in SARIF; testcases in JUnit */
	const struct sw_policy_result *policy;
	/* scan JSON: the verified image config, kept reduced as "imageConfig"
	 * (User, ExposedPorts, Healthcheck, created, architecture, os and the
	 * history lines, secrets masked) so `policy eval --report` can
	 * evaluate the dockerfile gate later; NULL: not kept */
	const char *image_config;
	long long db_built_at;    /* scan JSON "database.builtAt" (0: not written) */
	/* scan: list the notices (match.h struct sw_notice: RustSec
	 * informational and withdrawn advisories) in every format; they are
	 * never findings nor counted (JSON "notices" is null without it) */
	bool show_notices;
	/* the checks' section heading in the table (HTML: "Checks") instead of
	 * "Image checks ...": host and container checks (host-check, containers);
	 * the table then has a "Target:" line and the checks only */
	const char *checks_title;
};

/* Write inv as an SBOM in format f to out.  Returns 0, or a negative code
 * with err set (SW_E_IO when writing failed, SW_E_USAGE for a bad format,
 * including the scan-only formats sarif, html and junit). */
int sw_report_sbom(FILE *out, enum sw_report_format f, const struct sw_inventory *inv,
		   const struct sw_report_opts *o, struct sw_err *err);

/* The same, written atomically to path (util/outfile.h: a temporary file
 * beside it, renamed into place on success, removed on error, so nothing
 * is left behind); path NULL or "-" is stdout. */
int sw_report_sbom_file(const char *path, enum sw_report_format f,
			const struct sw_inventory *inv, const struct sw_report_opts *o,
			struct sw_err *err);

struct sw_match_result;

/* Write the findings res of inventory inv (res->findings[i]->pkg indexes
 * inv->packages) in format f to out: every format above.  Suppressed
 * findings are listed by table, SARIF, HTML and JUnit only when
 * o->show_suppressed, and always kept (with their reason) by JSON,
 * CycloneDX and SPDX.  res->notes are shown in every format.  Returns 0,
 * or a negative code with err set (SW_E_IO, SW_E_USAGE, SW_E_INTERNAL for
 * a finding pointing outside the inventory or without an id). */
int sw_report_scan(FILE *out, enum sw_report_format f, const struct sw_inventory *inv,
		   const struct sw_match_result *res, const struct sw_report_opts *o,
		   struct sw_err *err);

/* A policy evaluation alone (`stowaway policy eval`): the table, the
 * table preceded by what each rule looked at (explain), or Anchore's
 * evaluation JSON (final_action, final_action_reason, matched_mapping_rule,
 * result rows Image_Id ... Policy_Id) with our section under "stowaway".
 * `now` stamps created_at. */
enum sw_report_policy_format { SW_POLICY_FMT_TABLE, SW_POLICY_FMT_JSON, SW_POLICY_FMT_EXPLAIN };
int sw_report_policy(FILE *out, enum sw_report_policy_format f, const struct sw_policy_result *r,
		     long long now, struct sw_err *err);

/* --- licence helpers, shared by the writers (and used by tests) --- */

/* Canonical SPDX licence id for s when it is one of a built-in set of
 * common ids (matched case-insensitively) or a known distribution alias
 * ("GPL-2+", "GPLv2+", "ASL 2.0", "Apache 2.0" ...).  Returns a static
 * string, or NULL. */
const char *sw_report_license_id(const char *s);
/* Canonical form of s when it parses as an SPDX licence expression whose
 * ids are all known (sw_report_license_id) and whose exceptions are known:
 * operators AND/OR/WITH (upper or lower case), parentheses, "+".
 * Returns a malloc'd string, or NULL when s is not such an expression. */
char *sw_report_license_expression(const char *s);
/* True when the canonical expression e is a single id (no operator). */
bool sw_report_license_is_simple(const char *e);

#endif
