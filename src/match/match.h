/*
 * match.h - inventory in, findings out.
 *
 * OS packages are matched against their distro's data for the detected
 * release, through the source package (dpkg Source, apk origin, rpm source
 * rpm) and in the distro's version order.  Language packages are matched
 * against OSV ranges of their ecosystem, unless an OS package owns their
 * files (then the vendor's data, through the OS package, is the truth).
 * Kernel header packages are not matched against kernel CVEs unless asked.
 *
 * Noise is taken out here: one finding per (vulnerability, package,
 * location), with every alias folded into it (CVE, GHSA, DSA, PYSEC, GO,
 * RUSTSEC...), severity taken from the distro first, then the vendor's
 * CVSS, then NVD; EPSS and KEV attached.
 *
 * Ownership: the result owns its findings; findings borrow nothing from
 * the database, and point at inventory packages by index.
 */
#ifndef SW_MATCH_MATCH_H
#define SW_MATCH_MATCH_H

#include <stdbool.h>

#include "inventory/inventory.h"
#include "util/err.h"
#include "util/vec.h"
#include "model/advisory.h"
#include "model/filefinding.h"
#include "model/severity.h"

struct sw_vulndb;   /* vulndb/vulndb.h: match.c reads it; callers only pass it */

/* The page of an Exploit-DB id (struct sw_finding.exploits). */
#define SW_EXPLOITDB_URL "https://www.exploit-db.com/exploits/"

struct sw_finding {
	char *id;                  /* primary id: the CVE when there is one */
	struct sw_vec ids;         /* char*: every id folded in, primary first */
	struct sw_vec sources;     /* char*: database sources that reported it */
	size_t pkg;                /* index into inventory->packages */
	char *ecosystem;           /* the data set matched: "Debian:12", "PyPI" */
	char *matched_name;        /* the name looked up (source package for distros) */
	char *installed;           /* the version compared */
	char *fixed;               /* first fixed version above the installed one, or NULL */
	enum sw_vuln_status status;
	enum sw_severity_level severity;
	char *severity_source;     /* "debian", "nvd", "ghsa", ... */
	double cvss_score;         /* -1 when none */
	char *cvss_vector;
	char *title;
	char *description;
	struct sw_vec references;  /* char* */
	struct sw_vec cwes;        /* char* */
	char *published, *modified;
	double epss, epss_percentile; /* -1 when unknown */
	bool kev;
	char *kev_date_added;
	/* char*: Exploit-DB ids of public exploits of any of its CVEs, unique,
	 * in numeric order (the page: https://www.exploit-db.com/exploits/ID) */
	struct sw_vec exploits;
	char *suppressed;          /* NULL, or why it is suppressed */
};

/* A record that applies to a package but is not a vulnerability: a
 * RustSec informational advisory (kind "unmaintained", "unsound",
 * "notice") or a withdrawn advisory (kind "withdrawn").  Never a finding,
 * never counted; reports list them only when asked (--show-notices). */
struct sw_notice {
	char *id;                  /* "RUSTSEC-2016-0004", "GHSA-..." */
	char *kind;                /* "unmaintained", "unsound", "notice", "withdrawn" */
	size_t pkg;                /* index into inventory->packages */
	char *ecosystem;           /* the data set matched: "crates.io" */
	char *installed;           /* the version compared */
	char *title;               /* the record's summary, or NULL */
	char *url;                 /* its first reference, or NULL */
	char *date;                /* withdrawn: when; else the record's published date; or NULL */
};
void sw_notice_free(struct sw_notice *n);

struct sw_match_opts {
	bool kernel_headers;       /* match kernel header packages against kernel CVEs too */
	bool lang_owned;           /* also match language packages owned by OS packages */
};

struct sw_match_result {
	struct sw_vec findings;    /* struct sw_finding*, sorted by package, severity, id */
	struct sw_vec notes;       /* char*: "no vulnerability data for Debian:13; OS packages not checked" */
	/* char*: packages that could not be checked, one line each (the OS
	 * release has no data in the database...); also in `notes`.  Empty =
	 * every package the inventory lists was checked. */
	struct sw_vec incomplete;
	bool os_covered;           /* the database has data for the detected OS release */
	char *os_ecosystem;        /* "Debian:12", or NULL when no OS was detected */
	char *os_extra_ecosystem;  /* "Ubuntu:Pro:22.04" also looked up (when it has data), or NULL */
	/* struct sw_notice*, sorted by package, id; one per (id, package) */
	struct sw_vec notices;
	/* struct sw_file_finding* (scanner "malware"): installed packages an
	 * OSV malicious-package record (id or alias "MAL-...") names, one per
	 * (record, package).  scan/ moves them to inventory->file_findings,
	 * where the malware section and the gate see them. */
	struct sw_vec malicious;
};

int sw_match_inventory(struct sw_vulndb *db, const struct sw_inventory *inv,
		       const struct sw_match_opts *opts, struct sw_match_result **out,
		       struct sw_err *err);
void sw_match_result_free(struct sw_match_result *r);
void sw_finding_free(struct sw_finding *f);

/* The OSV ecosystem for an OS ("Debian:12", "Alpine:v3.18", "Ubuntu:22.04",
 * "Red Hat:enterprise_linux:9"...), malloc'd, or NULL if unknown. */
char *sw_match_os_ecosystem(const struct sw_os *os);
/* The ecosystem used instead when the database has no data for the OS's
 * own one: "Red Hat:enterprise_linux:N" for Rocky Linux, AlmaLinux and Oracle Linux
 * (malloc'd), or NULL. */
char *sw_match_os_fallback_ecosystem(const struct sw_os *os);
/* An ecosystem looked up besides the OS's own for every OS package:
 * "Ubuntu:Pro:22.04" (Ubuntu Pro / ESM fixes) for Ubuntu (malloc'd), or NULL. */
char *sw_match_os_extra_ecosystem(const struct sw_os *os);
/* The OSV ecosystem and lookup name for a language package, or -1. */
int sw_match_lang_ecosystem(const struct sw_package *p, const char **ecosystem, char **name);

#endif
