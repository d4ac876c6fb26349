/*
 * model.h - what the vulnerability database adds to the advisory model
 * (model/advisory.h): the CISA KEV and EPSS records and the sink every
 * importer writes into.
 *
 * Ownership: each callback of a sink borrows its argument.
 */
#ifndef SW_VULNDB_MODEL_H
#define SW_VULNDB_MODEL_H

#include <stdbool.h>

#include "model/advisory.h"
#include "util/err.h"

/* CISA KEV catalogue entry. */
struct sw_kev {
	char *cve;
	char *vendor, *product, *name;
	char *date_added, *due_date;
	bool ransomware;         /* knownRansomwareCampaignUse == "Known" */
	char *required_action;
};

/* EPSS score of one CVE on one day. */
struct sw_epss {
	char *cve;
	double score;            /* 0..1 */
	double percentile;       /* 0..1 */
	char *date;              /* score_date, YYYY-MM-DD */
};

/* A public exploit of a CVE (Exploit-DB's files_exploits.csv: one row per
 * exploit, its CVE ids in `codes`); one record per (CVE, exploit). */
struct sw_exploit {
	char *cve;
	char *id;                /* Exploit-DB id, decimal: "50592" */
	char *title;             /* description */
	char *published;         /* date_published, YYYY-MM-DD */
	char *type;              /* "remote", "local", "webapps", "dos" */
	char *platform;
	bool verified;
};

void sw_kev_free(struct sw_kev *k);
void sw_exploit_free(struct sw_exploit *x);
void sw_epss_free(struct sw_epss *e);

/*
 * Where importers put what they read.  Each callback borrows its argument
 * and returns 0 or a negative error (which stops the import).  bad_record
 * is told about a record that could not be read; the import goes on.
 */
struct sw_vuln_sink {
	void *ctx;
	int (*put_vuln)(void *ctx, const struct sw_vuln *v, struct sw_err *err);
	int (*put_kev)(void *ctx, const struct sw_kev *k, struct sw_err *err);
	int (*put_epss)(void *ctx, const struct sw_epss *e, struct sw_err *err);
	void (*bad_record)(void *ctx, const char *file, const char *record, const char *what);
	int (*put_exploit)(void *ctx, const struct sw_exploit *x, struct sw_err *err); /* may be NULL */
};

/* The ecosystem of Debian tracker lines without a release (unstable's),
 * which the other releases inherit (vulndb.h, the Debian lookup). */
#define SW_VULNDB_DEBIAN_INHERITED "Debian"

#endif
