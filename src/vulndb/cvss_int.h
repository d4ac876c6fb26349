/*
 * cvss_int.h - private to src/vulndb/cvss*.c: the per-version metric
 * tables the generic parser and formatter walk, and the score functions.
 */
#ifndef SW_VULNDB_CVSS_INT_H
#define SW_VULNDB_CVSS_INT_H

#include <stdbool.h>

#include "vulndb/cvss.h"

enum sw_cvss_metric_flags {
	SW_CVSS_MANDATORY = 1 << 0,   /* a base metric: must be present, no "X" */
	SW_CVSS_GROUP_TEMPORAL = 1 << 1, /* v2: the group is all or none */
	SW_CVSS_GROUP_ENV = 1 << 2,   /* v2: the group is all or none */
	SW_CVSS_THREAT = 1 << 3,      /* temporal (v2/v3) or threat (v4) metric */
	SW_CVSS_ENV = 1 << 4,         /* environmental metric */
};

struct sw_cvss_metric {
	const char *key;
	const char *const *vals;      /* allowed values, NULL-terminated */
	unsigned flags;               /* enum sw_cvss_metric_flags */
};

struct sw_cvss_table {
	enum sw_cvss_version version;
	const char *prefix;           /* "CVSS:3.1/", or "" for v2 */
	const struct sw_cvss_metric *metrics;
	int n;                        /* <= SW_CVSS_MAX_METRICS */
	bool ordered;                 /* metrics must follow the table order */
};

extern const struct sw_cvss_table sw_cvss2_table;
extern const struct sw_cvss_table sw_cvss30_table;
extern const struct sw_cvss_table sw_cvss31_table;
extern const struct sw_cvss_table sw_cvss4_table;

/* Value index of metric `id` (position in its table), -1 when absent. */
static inline int sw_cvss_val(const struct sw_cvss *c, int id)
{
	return (int)c->m[id] - 1;
}

/* true: whole vector (temporal/threat and environmental metrics applied);
 * false: base metrics only.  c is a valid parsed vector of the version. */
double sw_cvss2_compute(const struct sw_cvss *c, bool whole);
double sw_cvss3_compute(const struct sw_cvss *c, bool whole);
double sw_cvss4_compute(const struct sw_cvss *c, bool whole);

#endif
