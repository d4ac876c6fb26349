/* test_osv_data.c - the real OSV archives of shared/data/vuln through the
 * update machinery: record counts and spot checks of named advisories.
 * Fails when shared/data is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

static char *tmp_db(char **dir)
{
	*dir = sw_test_tmpdir();
	return sw_xasprintf("%s/db.sqlite", *dir);
}

static void rm_rf(const char *dir)
{
	char *cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
}

static int64_t read_into(struct sw_vulndb *db, const char *source, const char *location, const char *include)
{
	struct sw_vulndb_location loc = { (char *)source, (char *)location, (char *)include };
	struct sw_err err = SW_ERR_INIT;
	bool changed = false;
	int r = sw_vulndb_read_location(db, &loc, NULL, &changed, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_true(changed);
	int64_t rec = 0;
	sw_vulndb_sink_counts(db, &rec, NULL);
	return rec;
}

struct find {
	const char *id;
	int n;
	struct sw_affected *a;
};

static int find_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	struct find *f = ctx;
	f->n++;
	if (!f->id || strcmp(v->id, f->id) == 0)
		f->a = f->a ? f->a : sw_affected_new(a->ecosystem, a->package);
	return 0;
}

static void test_real_osv_archives(void **state)
{
	(void)state;
	const char *data = sw_test_require_shared_data("OSV import of shared/data/vuln");
	char *dir = NULL;
	char *path = tmp_db(&dir);
	struct sw_vulndb *db = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_vulndb_open(path, SW_VULNDB_CREATE, &db, &err), 0);
	/* the expected counts are the archives' own, counted by
	 * tests/tools/count_records.py (at least min: the data is all there) */
	static const struct {
		const char *file, *include;
		int64_t min;
	} archives[] = {
		{ "osv/golang-vulndb-osv.tar.xz", NULL, 4000 },
		{ "osv/pypa-advisory-database.tar.xz", NULL, 2500 },
		{ "osv/rustsec-advisory-db-osv.tar.xz", NULL, 1000 },
		{ "osv/osv-dev-testdata-records.tar.xz", NULL, 20 },
		{ "ghsa/ghsa-osv-npm-pypi-maven.tar.xz", NULL, 50 },
		{ "vendor-fixtures/vunnel-provider-test-fixtures.tar.xz", "**/ubuntu/test-fixtures/osv/**", 5 },
	};
	for (size_t i = 0; i < sizeof(archives) / sizeof(archives[0]); i++) {
		char *p = sw_xasprintf("%s/vuln/%s", data, archives[i].file);
		int64_t want = sw_test_count_records("osv", p, archives[i].include);
		int64_t n = read_into(db, "osv", p, archives[i].include);
		int64_t bad = -1;
		sw_vulndb_sink_counts(db, NULL, &bad);
		if (want < archives[i].min || n != want || bad != 0)
			fail_msg("%s: %lld records (the archive has %lld), %lld bad", archives[i].file,
				 (long long)n, (long long)want, (long long)bad);
		free(p);
	}

	struct sw_vuln *v = NULL;
	/* GHSA withdrawn record */
	assert_int_equal(sw_vulndb_get(db, "GHSA-7fhm-mqm4-2wp7", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->withdrawn, "2020-04-03T21:47:06Z");
	sw_vuln_free(v);
	/* snakeyaml: fixed range, explicit versions, last_affected, CWEs, GHSA rating */
	assert_int_equal(sw_vulndb_get(db, "CVE-2022-38749", &v, &err), 0);
	assert_non_null(v);
	assert_string_equal(v->id, "GHSA-c4r9-r8fh-9vj2");
	assert_int_equal(v->affected.len, 7);
	assert_int_equal(v->cwes.len, 2);
	bool saw_fixed = false, saw_versions = false, saw_last = false, saw_rating = false;
	for (size_t i = 0; i < v->affected.len; i++) {
		struct sw_affected *a = v->affected.items[i];
		struct sw_range *r = a->ranges.len ? a->ranges.items[0] : NULL;
		struct sw_event *e1 = r && r->events.len > 1 ? r->events.items[1] : NULL;
		if (strcmp(a->package, "org.yaml:snakeyaml") == 0)
			saw_fixed = e1 && e1->kind == SW_EV_FIXED && strcmp(e1->version, "1.31") == 0 &&
				    a->status == SW_ST_FIXED;
		if (strcmp(a->package, "be.cylab:snakeyaml") == 0)
			saw_versions = a->versions.len == 1 && strcmp(a->versions.items[0], "1.25.1") == 0 &&
				       a->ranges.len == 0;
		if (strcmp(a->package, "pl.droidsonroids.yaml:snakeyaml") == 0)
			saw_last = e1 && e1->kind == SW_EV_LAST_AFFECTED && strcmp(e1->version, "1.18.2") == 0;
	}
	for (size_t i = 0; i < v->severities.len; i++) {
		struct sw_severity *s = v->severities.items[i];
		saw_rating |= strcmp(s->type, "TEXT") == 0 && strcmp(s->rating, "medium") == 0;
	}
	assert_true(saw_fixed && saw_versions && saw_last && saw_rating);
	sw_vuln_free(v);

	/* a Go record: two packages, SEMVER ranges with a second introduced */
	struct find f = { "GO-2022-0969", 0, NULL };
	assert_int_equal(sw_vulndb_lookup(db, "Go", "stdlib", find_hit, &f, &err), 0);
	assert_true(f.n > 100);
	assert_non_null(f.a);
	sw_affected_free(f.a);
	assert_int_equal(sw_vulndb_get(db, "GO-2022-0969", &v, &err), 0);
	assert_int_equal(v->affected.len, 2);
	struct sw_range *r = ((struct sw_affected *)v->affected.items[0])->ranges.items[0];
	assert_string_equal(r->type, "SEMVER");
	assert_int_equal(r->events.len, 4);
	assert_string_equal(((struct sw_event *)r->events.items[3])->version, "1.19.1");
	assert_true(sw_vec_find_str(&v->aliases, "CVE-2022-27664") >= 0);
	sw_vuln_free(v);

	/* RUSTSEC: hyper, CVSS vector kept */
	assert_int_equal(sw_vulndb_get(db, "RUSTSEC-2021-0078", &v, &err), 0);
	assert_string_equal(((struct sw_affected *)v->affected.items[0])->package, "hyper");
	assert_string_equal(((struct sw_severity *)v->severities.items[0])->vector,
			    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N");
	sw_vuln_free(v);

	/* PYSEC YAML: two ECOSYSTEM spans, a GIT range, 5 versions; found by
	 * any PEP 503 spelling */
	f = (struct find){ "PYSEC-2021-335", 0, NULL };
	assert_int_equal(sw_vulndb_lookup(db, "PyPI", "AccessControl", find_hit, &f, &err), 0);
	assert_non_null(f.a);
	sw_affected_free(f.a);
	assert_int_equal(sw_vulndb_get(db, "PYSEC-2021-335", &v, &err), 0);
	struct sw_affected *a = v->affected.items[0];
	assert_int_equal(a->ranges.len, 2);
	assert_string_equal(((struct sw_range *)a->ranges.items[0])->type, "GIT");
	r = a->ranges.items[1];
	assert_int_equal(r->events.len, 4);
	assert_string_equal(((struct sw_event *)r->events.items[2])->version, "5.0");
	assert_int_equal(a->versions.len, 5);
	sw_vuln_free(v);

	/* Debian and Ubuntu OSV keep their release ecosystems */
	f = (struct find){ "DSA-3029-1", 0, NULL };
	assert_int_equal(sw_vulndb_lookup(db, "Debian:7", "nginx", find_hit, &f, &err), 0);
	assert_int_equal(f.n, 1);
	sw_affected_free(f.a);
	f = (struct find){ "UBUNTU-CVE-2020-36325", 0, NULL };
	assert_int_equal(sw_vulndb_lookup(db, "Ubuntu:Pro:14.04", "jansson", find_hit, &f, &err), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.a->ecosystem, "Ubuntu:Pro:14.04:LTS");
	sw_affected_free(f.a);

	sw_vulndb_close(db);
	rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	sw_test_require_shared_data("OSV import of shared/data/vuln");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_osv_archives),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
