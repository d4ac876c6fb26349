/*
 * advisory.h - the advisory model: what a vulnerability record says, shared
 * by the stages that produce it (vulndb/ importers and store), evaluate it
 * (version/: ranges, explicit versions, requirement expressions) and show
 * it (match/ findings carry a status; report/ names it).  OSV-shaped: a
 * vulnerability with aliases, severities, references and affected
 * entries; distro data adds a status per (release, package).
 *
 * This folder depends on util/ only, so every stage above may include it
 * (docs/architecture.md, "Include graph").
 *
 * Ownership: a struct sw_vuln owns everything inside it.  Importers build
 * one with sw_vuln_new(), hand it to a sink (which borrows it for the
 * duration of the call), then free it with sw_vuln_free().
 */
#ifndef SW_MODEL_ADVISORY_H
#define SW_MODEL_ADVISORY_H

#include <stdbool.h>

#include "util/vec.h"

/* Distro / vendor status of one package for one vulnerability. */
enum sw_vuln_status {
	SW_ST_UNKNOWN = 0,
	SW_ST_FIXED,                /* fixed in a known version (ranges carry it) */
	SW_ST_AFFECTED,             /* affected, no fix yet */
	SW_ST_WILL_NOT_FIX,
	SW_ST_FIX_DEFERRED,
	SW_ST_END_OF_LIFE,
	SW_ST_NOT_AFFECTED,
	SW_ST_UNDER_INVESTIGATION,
};
const char *sw_vuln_status_name(enum sw_vuln_status s);    /* "fixed", "will_not_fix", ... */
enum sw_vuln_status sw_vuln_status_parse(const char *name); /* SW_ST_UNKNOWN if unknown */

enum sw_event_kind { SW_EV_INTRODUCED, SW_EV_FIXED, SW_EV_LAST_AFFECTED, SW_EV_LIMIT };

struct sw_event {
	enum sw_event_kind kind;
	char *version;           /* "0" for introduced-from-the-start */
};

struct sw_range {
	char *type;              /* "ECOSYSTEM", "SEMVER", "GIT" */
	struct sw_vec events;    /* struct sw_event*, in source order */
};

/* Ecosystem names are OSV's: "PyPI", "npm", "Maven", "Go", "crates.io",
 * "RubyGems", "Packagist", "NuGet", "Debian:12", "Alpine:v3.18",
 * "Ubuntu:22.04", "Red Hat:enterprise_linux:9"... */
struct sw_affected {
	char *ecosystem;
	char *package;           /* source package for distros */
	char *purl;              /* optional */
	struct sw_vec ranges;    /* struct sw_range* */
	struct sw_vec versions;  /* char*, explicit affected versions */
	enum sw_vuln_status status;
	char *severity;          /* the distro's own rating for this package ("high", "unimportant"...), or NULL */
	char *note;              /* e.g. Debian nodsa_reason, Red Hat fix_state text */
	/* Requirement expressions in npm/RubyGems syntax (">= 1.2, < 2",
	 * "~> 5.2.4", "^3.0.0 || >=4.1"), for sources that speak so:
	 * a version is affected if it satisfies any of affected_exprs (when
	 * present), and none of unaffected_exprs (RubySec patched_versions and
	 * unaffected_versions). */
	struct sw_vec affected_exprs;   /* char* */
	struct sw_vec unaffected_exprs; /* char* */
};

struct sw_severity {
	char *source;            /* who says so: "nvd", "debian", "ghsa", "redhat", the importer's source name */
	char *type;              /* "CVSS_V2", "CVSS_V3", "CVSS_V4", or "TEXT" for a plain rating */
	char *vector;            /* CVSS vector string, NULL for TEXT */
	double score;            /* base score, -1 when unknown */
	char *rating;            /* "critical", "high", "medium", "low", "none", "unknown" */
};

struct sw_vuln {
	char *id;                /* CVE-..., GHSA-..., DSA-..., GO-..., ... */
	char *source;            /* importer source name: "osv", "debian", "alpine", "nvd", ... */
	struct sw_vec aliases;   /* char* (also "related" ids OSV lists as upstream) */
	char *summary;
	char *details;
	char *published;         /* RFC 3339, or NULL */
	char *modified;
	char *withdrawn;
	/* A notice, not a vulnerability: RustSec's `informational` kind
	 * ("unmaintained", "unsound", "notice"; OSV affected[].database_specific
	 * .informational), or NULL.  Matched like a vulnerability, reported
	 * apart (match.h struct sw_notice), never counted as one. */
	char *informational;
	struct sw_vec references;/* char*, URLs */
	struct sw_vec cwes;      /* char*, "CWE-79" */
	struct sw_vec affected;  /* struct sw_affected* */
	struct sw_vec severities;/* struct sw_severity* */
};

struct sw_vuln *sw_vuln_new(const char *id, const char *source);
void sw_vuln_free(struct sw_vuln *v);
struct sw_affected *sw_affected_new(const char *ecosystem, const char *package);
void sw_affected_free(struct sw_affected *a);
struct sw_range *sw_range_new(const char *type);
void sw_range_free(struct sw_range *r);
void sw_range_add_event(struct sw_range *r, enum sw_event_kind kind, const char *version);
struct sw_severity *sw_severity_new(const char *source, const char *type, const char *vector,
				    double score, const char *rating);
void sw_severity_free(struct sw_severity *s);

#endif
