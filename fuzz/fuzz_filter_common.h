/* fuzz_filter_common.h - a small inventory and match result for the
 * filter fuzzers: what was loaded is then applied, so the id index, the
 * product sets and the path globs run on fuzzed rules. */
#ifndef SW_FUZZ_FILTER_COMMON_H
#define SW_FUZZ_FILTER_COMMON_H

#include <stdlib.h>

#include "match/filter.h"
#include "util/mem.h"

static void ff_pkg(struct sw_inventory *inv, struct sw_match_result *r, const char *type, const char *name,
		   const char *version, const char *path, const char *id, const char *alias)
{
	struct sw_package *p = sw_package_new(type);
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup(version);
	p->purl = sw_xasprintf("pkg:%s/%s@%s?arch=x", type, name, version);
	p->path = path ? sw_xstrdup(path) : NULL;
	sw_vec_push(&inv->packages, p);
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->id = sw_xstrdup(id);
	sw_vec_push_strdup(&f->ids, id);
	sw_vec_push_strdup(&f->ids, alias);
	f->pkg = inv->packages.len - 1;
	f->severity = SW_SEV_HIGH;
	sw_vec_push(&r->findings, f);
}

/* Apply f to a fixed inventory of three packages with one finding each. */
static void ff_apply(struct sw_filter *f)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	struct sw_match_result *r = sw_xcalloc(1, sizeof(*r));
	ff_pkg(inv, r, "deb", "curl", "7.88.1-10", NULL, "CVE-2024-0001", "DSA-1-1");
	ff_pkg(inv, r, "pypi", "idna", "3.4", "usr/lib/python3/dist-packages/idna-3.4.dist-info/METADATA",
	       "CVE-2024-3651", "GHSA-jjg7-2v4v-x38h");
	ff_pkg(inv, r, "npm", "lodash", "4.17.20", "app/node_modules/lodash/package.json", "GHSA-a-b-c",
	       "CVE-2021-23337");
	sw_filter_apply(f, inv, r);
	sw_match_result_free(r);
	sw_inventory_free(inv);
}

#endif
