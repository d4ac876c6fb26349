/* test_src_alpine.c - the Alpine secdb importer on the real secdb YAML and
 * JSON of ../shared/data/vuln/alpine and on malformed input. */
#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void test_secdb_yaml_all(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = extract_shared(shared, "vuln/alpine/alpine-secdb-yaml-v3.3-v3.11.tar.xz");
	static const char *const rel[] = { "v3.3", "v3.4", "v3.5", "v3.6", "v3.7",
					   "v3.8", "v3.9", "v3.10", "v3.11" };
	static const char *const repo[] = { "main", "community" };
	struct sw_err err = SW_ERR_INIT;
	size_t total = 0;
	for (size_t i = 0; i < 9; i++) {
		for (size_t j = 0; j < 2; j++) {
			struct rec_sink s = { 0 };
			char *f = sw_xasprintf("%s/%s/%s.yaml", dir, rel[i], repo[j]);
			assert_true(sw_source_alpine.wants(f));
			if (import_path(&sw_source_alpine, f, NULL, &s, &err) < 0)
				fail_msg("%s", err.msg);
			assert_int_equal(s.bad.len, 0);
			/* counted with an independent YAML reader: ids and
			 * (id, package, fixed-or-not) triples */
			long want = sw_test_count_records("alpine-ids", f, NULL);
			if ((long)s.n_vuln != want)
				fail_msg("%s: %zu records, the file has %ld ids", f, s.n_vuln, want);
			want = sw_test_count_records("alpine-affected", f, NULL);
			if ((long)s.n_affected != want)
				fail_msg("%s: %zu affected, the file has %ld", f, s.n_affected, want);
			total += s.n_vuln;
			if (strcmp(rel[i], "v3.11") == 0 && j == 0) {
				assert_rec_has(&s, "CVE-2019-14904", "src=alpine",
					       "A Alpine:v3.11 ansible fixed fixed=2.9.3-r0\n");
			}
			if (strcmp(rel[i], "v3.8") == 0 && j == 0) {
				/* secfixes "0": never affected */
				assert_rec_has(&s, "CVE-2016-0682", "A Alpine:v3.8 db not_affected\n");
				/* "CVE-2017-8903 XSA-213": the XSA is an alias */
				assert_rec_has(&s, "CVE-2017-8903", "aliases=XSA-213 ",
					       "A Alpine:v3.8 xen fixed fixed=4.8.1-r2\n");
			}
			if (strcmp(rel[i], "v3.3") == 0 && j == 1)
				assert_int_equal(s.n_vuln, 0); /* "packages:" empty */
			free(f);
			rec_release(&s);
		}
	}
	assert_true(total > 10000); /* every file was read */
	remove_tree(dir);
}

static void test_secdb_samples(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = extract_shared(shared, "vuln/alpine/secdb-samples-claircore-vunnel.tar.xz");
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	char *f = sw_xasprintf("%s/claircore-secdb-v3.10-community.json", dir);
	assert_int_equal(import_path(&sw_source_alpine, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 9);
	assert_rec_has(&s, "CVE-2018-20187", "A Alpine:v3.10 botan fixed fixed=2.9.0-r0\n");
	assert_rec_has(&s, "CVE-2019-9929", "A Alpine:v3.10 cfengine fixed fixed=3.12.2-r0\n");
	free(f);
	rec_release(&s);
	f = sw_xasprintf("%s/vunnel-secdb-v3.15-main.yaml", dir);
	assert_int_equal(import_path(&sw_source_alpine, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 13);
	assert_rec_has(&s, "CVE-2022-1271", "A Alpine:v3.15 xz fixed fixed=5.2.5-r1\n");
	assert_rec_has(&s, "CVE-2020-15166", "A Alpine:v3.15 zeromq fixed fixed=4.3.3-r0\n");
	free(f);
	rec_release(&s);
	remove_tree(dir);
}

static void test_bad_files(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_alpine, "v3.9/main.yaml", "a: [b\nc: d\n", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'v3.9/main.yaml': bad yaml at line"));
	assert_true(import_str(&sw_source_alpine, "v3.9/main.json", "{\"packages\": [", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'v3.9/main.json': bad json"));
	assert_true(import_str(&sw_source_alpine, "v3.9/main.json", "{\"packages\": []}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "distroversion"));
	assert_true(import_str(&sw_source_alpine, "v3.9/main.json",
			       "{\"distroversion\": \"v3.9\", \"packages\": {}}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'v3.9/main.json': not an Alpine secdb"));
	/* anchors and aliases are refused (no billion laughs) */
	assert_true(import_str(&sw_source_alpine, "v3.9/main.yaml",
			       "distroversion: v3.9\na: &x [1]\nb: *x\n", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "aliases"));
	assert_true(import_str(&sw_source_alpine, "v3.9/main.json",
			       "{\"distroversion\": \"3.9\", \"packages\": []}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "distroversion"));
	assert_int_equal(s.n_vuln, 0);
	/* edge is a release too */
	assert_int_equal(import_str(&sw_source_alpine, "edge/main.json",
				    "{\"distroversion\": \"edge\", \"packages\": [{\"pkg\": {\"name\": \"a\","
				    " \"secfixes\": {\"1-r0\": [\"CVE-2024-9\"]}}}]}", &s, &err), 0);
	assert_rec_has(&s, "CVE-2024-9", "A Alpine:edge a fixed fixed=1-r0\n");
	rec_release(&s);
}

static void test_bad_records(void **state)
{
	(void)state;
	const char *doc = "distroversion: v3.18\n"
			  "packages:\n"
			  "  - pkg:\n"
			  "      secfixes: {}\n"
			  "  - pkg:\n"
			  "      name: busted\n"
			  "      secfixes: [1, 2]\n"
			  "  - pkg:\n"
			  "      name: openssl\n"
			  "      secfixes:\n"
			  "        3.1.1-r0:\n"
			  "          - CVE-2023-2650\n"
			  "          - {x: y}\n"
			  "        3.1.0-r1: CVE-2023-0464\n"
			  "        0:\n"
			  "          - CVE-2022-0001\n"
			  "  - 42\n";
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_alpine, "v3.18/main.yaml", doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, "v3.18/main.yaml", "packages[0]", "pkg.name"));
	assert_true(rec_bad_has(&s, "v3.18/main.yaml", "busted", "not a mapping"));
	assert_true(rec_bad_has(&s, "v3.18/main.yaml", "openssl", "entry 1 is not a string"));
	assert_true(rec_bad_has(&s, "v3.18/main.yaml", "openssl", "'3.1.0-r1' is not a list"));
	assert_true(rec_bad_has(&s, "v3.18/main.yaml", "packages[3]", "pkg"));
	assert_int_equal(s.bad.len, 5);
	assert_int_equal(s.n_vuln, 2);
	assert_rec_has(&s, "CVE-2023-2650", "A Alpine:v3.18 openssl fixed fixed=3.1.1-r0\n");
	assert_rec_has(&s, "CVE-2022-0001", "A Alpine:v3.18 openssl not_affected\n");
	rec_release(&s);
}

static void test_grouping(void **state)
{
	(void)state;
	/* one CVE fixed in two packages: one record, two affected entries */
	const char *doc = "{\"distroversion\": \"v3.19\", \"packages\": ["
			  "{\"pkg\": {\"name\": \"a\", \"secfixes\": {\"1.0-r1\": [\"CVE-2024-1\"]}}},"
			  "{\"pkg\": {\"name\": \"b\", \"secfixes\": {\"2.0-r0\": [\"CVE-2024-1 (partial)\"],"
			  " \"2.1-r0\": [\"CVE-2024-1\"]}}}]}";
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	/* named after a compressed download: the content decides JSON vs YAML */
	assert_int_equal(import_str(&sw_source_alpine, "v3.19/community.json.gz", doc, &s, &err), 0);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2024-1", "A Alpine:v3.19 a fixed fixed=1.0-r1\n",
		       "A Alpine:v3.19 b fixed fixed=2.0-r0 fixed=2.1-r0\n");
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_alpine (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secdb_yaml_all),
		cmocka_unit_test(test_secdb_samples),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_grouping),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
