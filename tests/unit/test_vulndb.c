/* test_vulndb.c - the SQLite store: write, look up, merge, info, age. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

struct fixture {
	char *dir;
	char *path;
	struct sw_vulndb *db;
	int64_t loc_a, loc_b;
};

static struct sw_vuln *make_vuln(const char *id, const char *source)
{
	struct sw_vuln *v = sw_vuln_new(id, source);
	v->summary = sw_xstrdup("summary of ");
	v->modified = sw_xstrdup("2024-01-01T00:00:00Z");
	return v;
}

static int setup(void **state)
{
	struct fixture *f = sw_xcalloc(1, sizeof(*f));
	f->dir = sw_test_tmpdir();
	f->path = sw_xasprintf("%s/db.sqlite", f->dir);
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_vulndb_open(f->path, SW_VULNDB_CREATE, &f->db, &err), 0);
	assert_int_equal(sw_vulndb_location_begin(f->db, "osv", "a.zip", &f->loc_a, &err), 0);
	assert_int_equal(sw_vulndb_location_begin(f->db, "nvd", "nvd.json", &f->loc_b, &err), 0);
	assert_true(f->loc_a != f->loc_b);

	/* GHSA record from osv: two affected packages, PyPI name with odd case */
	struct sw_vuln *v = make_vuln("GHSA-aaaa-bbbb-cccc", "osv");
	sw_vec_push_strdup(&v->aliases, "CVE-2024-0001");
	sw_vec_push_strdup(&v->references, "https://example.test/advisory");
	sw_vec_push_strdup(&v->cwes, "CWE-79");
	sw_vec_push(&v->severities, sw_severity_new("ghsa", "TEXT", NULL, -1, "high"));
	struct sw_affected *a = sw_affected_new("PyPI", "Django_Rest.Framework");
	struct sw_range *r = sw_range_new("ECOSYSTEM");
	sw_range_add_event(r, SW_EV_INTRODUCED, "0");
	sw_range_add_event(r, SW_EV_FIXED, "3.1.2");
	sw_vec_push(&a->ranges, r);
	sw_vec_push_strdup(&a->versions, "3.0");
	a->status = SW_ST_FIXED;
	sw_vec_push(&v->affected, a);
	a = sw_affected_new("Ubuntu:22.04:LTS", "openssl");
	a->status = SW_ST_WILL_NOT_FIX;
	a->severity = sw_xstrdup("low");
	a->note = sw_xstrdup("minor issue");
	sw_vec_push_strdup(&a->affected_exprs, ">= 1.0, < 2");
	sw_vec_push_strdup(&a->unaffected_exprs, "~> 1.5.1");
	sw_vec_push(&v->affected, a);
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_a, v, &err), 0);
	sw_vuln_free(v);

	/* The CVE as NVD describes it (no affected: enrichment only) */
	v = make_vuln("CVE-2024-0001", "nvd");
	sw_vec_push(&v->severities, sw_severity_new("nvd", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
						    9.8, "critical"));
	sw_vec_push_strdup(&v->cwes, "CWE-787");
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_b, v, &err), 0);
	sw_vuln_free(v);
	/* ... and the GHSA id again from NVD's side, to merge per id */
	v = make_vuln("GHSA-aaaa-bbbb-cccc", "nvd");
	sw_vec_push_strdup(&v->aliases, "CVE-2024-0001");
	sw_vec_push(&v->severities, sw_severity_new("nvd", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
						    9.8, "critical"));
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_b, v, &err), 0);
	sw_vuln_free(v);

	struct sw_kev k = { .cve = "CVE-2024-0001", .vendor = "Acme", .product = "Widget", .ransomware = true };
	assert_int_equal(sw_vulndb_put_kev(f->db, f->loc_b, &k, &err), 0);
	struct sw_epss e = { .cve = "CVE-2024-0001", .score = 0.5, .percentile = 0.9, .date = "2024-10-25" };
	assert_int_equal(sw_vulndb_put_epss(f->db, f->loc_b, &e, &err), 0);
	assert_int_equal(sw_vulndb_put_bad(f->db, f->loc_a, "a.zip:x.json", "#3", "missing 'id'", &err), 0);
	assert_int_equal(sw_vulndb_location_end(f->db, f->loc_a, "\"etag1\"", NULL, NULL, &err), 0);
	assert_int_equal(sw_vulndb_location_end(f->db, f->loc_b, NULL, NULL, NULL, &err), 0);
	assert_int_equal(sw_vulndb_stamp(f->db, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sw_vulndb_close(f->db);
	char *cmd = sw_xasprintf("rm -rf '%s'", f->dir);
	sw_test_sh(cmd);
	free(cmd);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

struct hits {
	int n;
	char ids[8][64];
	char eco[8][64];
	struct sw_affected copy;
	int severities;
	bool saw_alias;
	enum sw_vuln_status status;
	int ranges, events, versions, aexp, uexp;
};

static int on_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	struct hits *h = ctx;
	if (h->n < 8) {
		snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", v->id);
		snprintf(h->eco[h->n], sizeof(h->eco[0]), "%s", a->ecosystem);
	}
	h->n++;
	h->severities = (int)v->severities.len;
	h->saw_alias = sw_vec_find_str(&v->aliases, "CVE-2024-0001") >= 0;
	h->status = a->status;
	h->ranges = (int)a->ranges.len;
	h->events = a->ranges.len ? (int)((struct sw_range *)a->ranges.items[0])->events.len : 0;
	h->versions = (int)a->versions.len;
	h->aexp = (int)a->affected_exprs.len;
	h->uexp = (int)a->unaffected_exprs.len;
	return 0;
}

static void test_lookup_normalised_and_merged(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	struct hits h = { 0 };
	assert_int_equal(sw_vulndb_begin_read(f->db, &err), 0);
	/* PEP 503: any spelling finds it */
	assert_int_equal(sw_vulndb_lookup(f->db, "PyPI", "django-rest-framework", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.ids[0], "GHSA-aaaa-bbbb-cccc");
	assert_string_equal(h.eco[0], "PyPI");
	assert_int_equal(h.severities, 2); /* ghsa TEXT + nvd CVSS merged */
	assert_true(h.saw_alias);
	assert_int_equal(h.status, SW_ST_FIXED);
	assert_int_equal(h.ranges, 1);
	assert_int_equal(h.events, 2);
	assert_int_equal(h.versions, 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "PyPI", "DJANGO__rest..framework", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 1);
	/* other ecosystems are case-sensitive */
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "npm", "Django_Rest.Framework", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 0);
	/* Ubuntu:22.04 finds Ubuntu:22.04:LTS; the entry keeps the verbatim name */
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "Ubuntu:22.04", "openssl", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.eco[0], "Ubuntu:22.04:LTS");
	assert_int_equal(h.status, SW_ST_WILL_NOT_FIX);
	assert_int_equal(h.aexp, 1);
	assert_int_equal(h.uexp, 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "Ubuntu:20.04", "openssl", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(sw_vulndb_end_read(f->db, &err), 0);
}

static void test_get_by_id_and_alias(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	struct sw_vuln *v = NULL;
	assert_int_equal(sw_vulndb_get(f->db, "GHSA-aaaa-bbbb-cccc", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->source, "nvd,osv");
	assert_int_equal(v->affected.len, 2);
	assert_int_equal(v->references.len, 1);
	assert_int_equal(v->severities.len, 2);
	struct sw_affected *a = v->affected.items[1];
	assert_string_equal(a->note, "minor issue");
	assert_string_equal(a->severity, "low");
	sw_vuln_free(v);
	/* the CVE exists as its own record (nvd) */
	assert_int_equal(sw_vulndb_get(f->db, "CVE-2024-0001", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->id, "CVE-2024-0001");
	assert_int_equal(v->cwes.len, 1);
	sw_vuln_free(v);
	assert_int_equal(sw_vulndb_get(f->db, "CVE-1999-9999", &v, &err), 0);
	assert_null(v);
}

static void test_alias_only(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	struct sw_vuln *v = make_vuln("GO-2024-0001", "osv");
	sw_vec_push_strdup(&v->aliases, "CVE-2024-7777");
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_a, v, &err), 0);
	sw_vuln_free(v);
	v = NULL;
	assert_int_equal(sw_vulndb_get(f->db, "CVE-2024-7777", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->id, "GO-2024-0001");
	sw_vuln_free(v);
}

static void test_kev_epss(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	struct sw_kev *k = NULL;
	struct sw_epss *e = NULL;
	assert_int_equal(sw_vulndb_kev(f->db, "CVE-2024-0001", &k, &err), 0);
	assert_non_null(k);
	assert_string_equal(k->vendor, "Acme");
	assert_true(k->ransomware);
	sw_kev_free(k);
	assert_int_equal(sw_vulndb_epss(f->db, "CVE-2024-0001", &e, &err), 0);
	assert_non_null(e);
	assert_true(e->percentile > 0.89 && e->percentile < 0.91);
	assert_string_equal(e->date, "2024-10-25");
	sw_epss_free(e);
	assert_int_equal(sw_vulndb_kev(f->db, "CVE-2000-0001", &k, &err), 0);
	assert_null(k);
	assert_int_equal(sw_vulndb_epss(f->db, "CVE-2000-0001", &e, &err), 0);
	assert_null(e);
}

static void test_info_and_reimport(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	struct sw_vulndb_info *info = NULL;
	assert_int_equal(sw_vulndb_info(f->db, &info, &err), 0);
	assert_int_equal(info->schema_version, SW_VULNDB_SCHEMA_VERSION);
	assert_int_equal(info->vulns, 2);
	assert_int_equal(info->affected, 2);
	assert_int_equal(info->kev, 1);
	assert_int_equal(info->sources.len, 2);
	struct sw_vulndb_source_info *nvd = info->sources.items[0], *osv = info->sources.items[1];
	assert_string_equal(nvd->name, "nvd");
	assert_int_equal(nvd->records, 4); /* 2 vulns + kev + epss */
	assert_string_equal(osv->name, "osv");
	assert_int_equal(osv->records, 1);
	assert_int_equal(osv->bad_records, 1);
	assert_true(osv->updated_at > 0);
	assert_int_equal(info->bad.len, 1);
	assert_string_equal(info->bad.items[0], "osv: a.zip:x.json: #3: missing 'id'");
	assert_true(info->built_at > 0);
	sw_vulndb_info_free(info);

	char *etag = NULL, *lm = NULL;
	assert_int_equal(sw_vulndb_location_cache(f->db, "osv", "a.zip", &etag, &lm, &err), 0);
	assert_string_equal(etag, "\"etag1\"");
	assert_null(lm);
	free(etag);

	/* clearing one location leaves the other source's rows */
	assert_int_equal(sw_vulndb_location_clear(f->db, f->loc_a, &err), 0);
	assert_int_equal(sw_vulndb_location_end(f->db, f->loc_a, NULL, NULL, NULL, &err), 0);
	struct hits h = { 0 };
	assert_int_equal(sw_vulndb_lookup(f->db, "PyPI", "django-rest-framework", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 0);
	struct sw_vuln *v = NULL;
	assert_int_equal(sw_vulndb_get(f->db, "GHSA-aaaa-bbbb-cccc", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->source, "nvd");
	sw_vuln_free(v);
	assert_int_equal(sw_vulndb_info(f->db, &info, &err), 0);
	assert_int_equal(((struct sw_vulndb_source_info *)info->sources.items[1])->records, 0);
	assert_int_equal(((struct sw_vulndb_source_info *)info->sources.items[1])->bad_records, 0);
	sw_vulndb_info_free(info);
}

static void test_same_id_from_several_files(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	/* Alpine/RubySec style: the same id again from another file, with
	 * another package: merged, not replaced */
	struct sw_vuln *v = make_vuln("GHSA-aaaa-bbbb-cccc", "osv");
	sw_vec_push(&v->affected, sw_affected_new("npm", "left-pad"));
	sw_vec_push_strdup(&v->aliases, "CVE-2024-0002");
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_a, v, &err), 0);
	/* the very same record twice adds no affected entry */
	assert_int_equal(sw_vulndb_put_vuln(f->db, f->loc_a, v, &err), 0);
	sw_vuln_free(v);
	struct hits h = { 0 };
	assert_int_equal(sw_vulndb_lookup(f->db, "PyPI", "django-rest-framework", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "npm", "left-pad", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 1);
	assert_true(h.saw_alias);
	v = NULL;
	assert_int_equal(sw_vulndb_get(f->db, "GHSA-aaaa-bbbb-cccc", &v, &err), 0);
	assert_int_equal(v->affected.len, 3);
	assert_true(sw_vec_find_str(&v->aliases, "CVE-2024-0002") >= 0);
	assert_true(sw_vec_find_str(&v->aliases, "CVE-2024-0001") >= 0);
	sw_vuln_free(v);
	struct sw_vulndb_info *info = NULL;
	assert_int_equal(sw_vulndb_info(f->db, &info, &err), 0);
	assert_int_equal(info->vulns, 2); /* distinct ids */
	sw_vulndb_info_free(info);
	/* clearing the location removes every row it gave */
	assert_int_equal(sw_vulndb_location_clear(f->db, f->loc_a, &err), 0);
	memset(&h, 0, sizeof(h));
	assert_int_equal(sw_vulndb_lookup(f->db, "npm", "left-pad", on_hit, &h, &err), 0);
	assert_int_equal(h.n, 0);
}

/* ---- Debian: a release without its own line inherits unstable's ---- */

struct deb_hits {
	int n;
	char ids[8][32];
	char eco[8][32];
	enum sw_vuln_status status[8];
	enum sw_event_kind last_kind[8]; /* kind of the last event, or -1 */
	char note[8][96];
};

static int on_deb_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	struct deb_hits *h = ctx;
	if (h->n >= 8)
		return -1;
	int i = h->n++;
	snprintf(h->ids[i], sizeof(h->ids[0]), "%s", v->id);
	snprintf(h->eco[i], sizeof(h->eco[0]), "%s", a->ecosystem);
	h->status[i] = a->status;
	h->last_kind[i] = (enum sw_event_kind)-1;
	if (a->ranges.len) {
		const struct sw_range *r = a->ranges.items[0];
		if (r->events.len)
			h->last_kind[i] = ((const struct sw_event *)r->events.items[r->events.len - 1])->kind;
	}
	snprintf(h->note[i], sizeof(h->note[0]), "%s", a->note ? a->note : "");
	return 0;
}

static void put_deb(struct sw_vulndb *db, int64_t loc, const char *id, const char *alias, const char *eco,
		    const char *pkg, const char *fixed)
{
	struct sw_err err = SW_ERR_INIT;
	struct sw_vuln *v = make_vuln(id, "debian");
	if (alias)
		sw_vec_push_strdup(&v->aliases, alias);
	struct sw_affected *a = sw_affected_new(eco, pkg);
	a->status = fixed ? SW_ST_FIXED : SW_ST_AFFECTED;
	if (fixed) {
		struct sw_range *r = sw_range_new("ECOSYSTEM");
		sw_range_add_event(r, SW_EV_INTRODUCED, "0");
		sw_range_add_event(r, SW_EV_FIXED, fixed);
		sw_vec_push(&a->ranges, r);
	}
	sw_vec_push(&v->affected, a);
	assert_int_equal(sw_vulndb_put_vuln(db, loc, v, &err), 0);
	sw_vuln_free(v);
}

static struct deb_hits deb_lookup(struct sw_vulndb *db, const char *eco, const char *pkg)
{
	struct deb_hits h;
	memset(&h, 0, sizeof(h));
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_vulndb_lookup(db, eco, pkg, on_deb_hit, &h, &err), 0);
	return h;
}

static void test_debian_inherits_unstable(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	int64_t loc = 0;
	assert_int_equal(sw_vulndb_location_begin(f->db, "debian", "list", &loc, &err), 0);
	/* "- util-linux <unfixed>" only */
	put_deb(f->db, loc, "CVE-2024-28085", NULL, SW_VULNDB_DEBIAN_INHERITED, "util-linux", NULL);
	/* "- zlib 1:1.3.dfsg-2" only */
	put_deb(f->db, loc, "CVE-2023-45853", NULL, SW_VULNDB_DEBIAN_INHERITED, "zlib", "1:1.3.dfsg-2");
	/* "- vim 2:9.0.2018-1" and "[bookworm] - vim 2:9.0.1378-2+deb12u1" */
	put_deb(f->db, loc, "CVE-2023-5344", NULL, SW_VULNDB_DEBIAN_INHERITED, "vim", "2:9.0.2018-1");
	put_deb(f->db, loc, "CVE-2023-5344", NULL, "Debian:12", "vim", "2:9.0.1378-2+deb12u1");
	/* "- glibc <unfixed>", and a DSA naming the CVE with a bookworm line
	 * (the tracker copies it to the CVE) */
	put_deb(f->db, loc, "CVE-2023-4911", NULL, SW_VULNDB_DEBIAN_INHERITED, "glibc", NULL);
	put_deb(f->db, loc, "DSA-5514-1", "CVE-2023-4911", "Debian:12", "glibc", "2.36-9+deb12u3");
	assert_int_equal(sw_vulndb_location_end(f->db, loc, NULL, NULL, NULL, &err), 0);

	for (int pass = 0; pass < 2; pass++) {
		/* pass 1: inside a read transaction (answers memoised) */
		if (pass == 1)
			assert_int_equal(sw_vulndb_begin_read(f->db, &err), 0);
		struct deb_hits h = deb_lookup(f->db, "Debian:12", "util-linux");
		assert_int_equal(h.n, 1);
		assert_string_equal(h.ids[0], "CVE-2024-28085");
		assert_string_equal(h.eco[0], "Debian");
		assert_int_equal(h.status[0], SW_ST_AFFECTED);

		/* the unstable fix is compared with the release's version but is
		 * not a fix the release has: a limit, status affected */
		h = deb_lookup(f->db, "Debian:12", "zlib");
		assert_int_equal(h.n, 1);
		assert_int_equal(h.status[0], SW_ST_AFFECTED);
		assert_int_equal(h.last_kind[0], SW_EV_LIMIT);
		assert_string_equal(h.note[0], "fixed in unstable 1:1.3.dfsg-2");
		/* in unstable itself it is the fix */
		h = deb_lookup(f->db, "Debian:unstable", "zlib");
		assert_int_equal(h.n, 1);
		assert_int_equal(h.status[0], SW_ST_FIXED);
		assert_int_equal(h.last_kind[0], SW_EV_FIXED);
		assert_string_equal(h.note[0], "");

		/* a release with its own line does not inherit; another does */
		h = deb_lookup(f->db, "Debian:12", "vim");
		assert_int_equal(h.n, 1);
		assert_string_equal(h.eco[0], "Debian:12");
		assert_int_equal(h.last_kind[0], SW_EV_FIXED);
		h = deb_lookup(f->db, "Debian:11", "vim");
		assert_int_equal(h.n, 1);
		assert_string_equal(h.eco[0], "Debian");
		assert_int_equal(h.last_kind[0], SW_EV_LIMIT);

		/* the DSA's bookworm line stands for the CVE in bookworm only */
		h = deb_lookup(f->db, "Debian:12", "glibc");
		assert_int_equal(h.n, 1);
		assert_string_equal(h.ids[0], "DSA-5514-1");
		h = deb_lookup(f->db, "Debian:11", "glibc");
		assert_int_equal(h.n, 1);
		assert_string_equal(h.ids[0], "CVE-2023-4911");

		/* other ecosystems never see them */
		h = deb_lookup(f->db, "Ubuntu:22.04", "zlib");
		assert_int_equal(h.n, 0);
		if (pass == 1)
			assert_int_equal(sw_vulndb_end_read(f->db, &err), 0);
	}
	/* a Debian release with only inherited data is covered */
	struct sw_vec any = SW_VEC_INIT;
	assert_int_equal(sw_vulndb_packages(f->db, "Debian:13", 1, &any, &err), 0);
	assert_int_equal(any.len, 1);
	sw_vec_free_strings(&any);
	assert_int_equal(sw_vulndb_packages(f->db, "Alpine:v3.18", 1, &any, &err), 0);
	assert_int_equal(any.len, 0);
	sw_vec_release(&any);
}

static void test_age(void **state)
{
	struct fixture *f = *state;
	struct sw_err err = SW_ERR_INIT;
	bool stale = true;
	unsetenv("STOWAWAY_NOW");
	assert_int_equal(sw_vulndb_check_age(f->db, 3600, &stale, &err), 0);
	assert_false(stale);
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)sw_vulndb_now() + 7200);
	setenv("STOWAWAY_NOW", buf, 1);
	assert_int_equal(sw_vulndb_check_age(f->db, 3600, &stale, &err), 0);
	assert_true(stale);
	assert_int_equal(sw_vulndb_check_age(f->db, 3 * 3600, &stale, &err), 0);
	assert_false(stale);
	unsetenv("STOWAWAY_NOW");

	int64_t s = 0;
	assert_int_equal(sw_vulndb_parse_duration("30d", &s, &err), 0);
	assert_int_equal(s, 30 * 86400);
	assert_int_equal(sw_vulndb_parse_duration("12h", &s, &err), 0);
	assert_int_equal(s, 12 * 3600);
	assert_int_equal(sw_vulndb_parse_duration("90", &s, &err), 0);
	assert_int_equal(s, 90);
	assert_true(sw_vulndb_parse_duration("3x", &s, &err) < 0);
	assert_true(sw_vulndb_parse_duration("-1d", &s, &err) < 0);
	assert_true(sw_vulndb_parse_duration("", &s, &err) < 0);
	assert_true(sw_vulndb_parse_duration("5dd", &s, &err) < 0);
}

static void test_names(void **state)
{
	(void)state;
	char *s = sw_vulndb_normalize_name("PyPI", "Foo.Bar__Baz-qux");
	assert_string_equal(s, "foo-bar-baz-qux");
	free(s);
	s = sw_vulndb_normalize_name("npm", "@Scope/Pkg");
	assert_string_equal(s, "@Scope/Pkg");
	free(s);
	s = sw_vulndb_ecosystem_key("Ubuntu:Pro:16.04:LTS");
	assert_string_equal(s, "Ubuntu:Pro:16.04");
	free(s);
	s = sw_vulndb_ecosystem_key("Debian:12");
	assert_string_equal(s, "Debian:12");
	free(s);
}

static void test_open_errors(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *missing = sw_xasprintf("%s/none.sqlite", dir);
	char *junk = sw_xasprintf("%s/junk.sqlite", dir);
	char *other = sw_xasprintf("%s/other.sqlite", dir);
	char *newer = sw_xasprintf("%s/newer.sqlite", dir);
	struct sw_err err = SW_ERR_INIT;
	struct sw_vulndb *db = NULL;
	assert_int_equal(sw_vulndb_open(missing, SW_VULNDB_RDONLY, &db, &err), -SW_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "none.sqlite"));
	FILE *fp = fopen(junk, "w");
	fputs("this is not a database, not at all, it is plain text, long enough to be read\n", fp);
	fclose(fp);
	sw_err_clear(&err);
	assert_true(sw_vulndb_open(junk, SW_VULNDB_RDONLY, &db, &err) < 0);
	assert_int_equal(err.code, SW_E_DB);
	char *cmd = sw_xasprintf("sqlite3 '%s' 'CREATE TABLE t(x)' 2>/dev/null || "
				 "python3 -c \"import sqlite3; c=sqlite3.connect('%s'); c.execute('CREATE TABLE t(x)'); "
				 "c.commit()\"",
				 other, other);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	sw_err_clear(&err);
	assert_true(sw_vulndb_open(other, SW_VULNDB_CREATE, &db, &err) < 0);
	assert_non_null(strstr(err.msg, "not a stowaway"));
	/* a schema from the future is refused */
	assert_int_equal(sw_vulndb_open(newer, SW_VULNDB_CREATE, &db, &err), 0);
	assert_int_equal(sw_vulndb_exec(db, "PRAGMA user_version = 99", &err), 0);
	sw_vulndb_close(db);
	db = NULL;
	sw_err_clear(&err);
	assert_true(sw_vulndb_open(newer, SW_VULNDB_RDONLY, &db, &err) < 0);
	assert_non_null(strstr(err.msg, "newer"));
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
	free(missing);
	free(junk);
	free(other);
	free(newer);
	free(dir);
}

static void test_default_path(void **state)
{
	(void)state;
	setenv("STOWAWAY_DB", "/x/y.sqlite", 1);
	assert_string_equal(sw_vulndb_default_path(), "/x/y.sqlite");
	unsetenv("STOWAWAY_DB");
	setenv("XDG_CACHE_HOME", "/cache", 1);
	assert_string_equal(sw_vulndb_default_path(), "/cache/stowaway/vulndb.sqlite");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_string_equal(sw_vulndb_default_path(), "/home/u/.cache/stowaway/vulndb.sqlite");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_normalised_and_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_by_id_and_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kev_epss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_and_reimport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_id_from_several_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debian_inherits_unstable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
