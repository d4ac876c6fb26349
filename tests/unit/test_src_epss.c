/* test_src_epss.c - the EPSS importer on the real EPSS CSV samples of
 * ../shared/data/vuln/epss and on malformed input. */
#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void test_samples(void **state)
{
	(void)state;
	NEED_SHARED();
	char *f = sw_xasprintf("%s/vuln/epss/claircore-epss-data-sample.csv", shared);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_epss.wants(f));
	assert_int_equal(import_path(&sw_source_epss, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_epss, sw_test_count_records("csv-rows", f, NULL));
	assert_true(s.n_epss > 10);
	assert_int_equal(s.bad.len, 0);
	/* score_date from the "#model_version:...,score_date:..." line */
	assert_string_equal(rec_get(&s, "CVE-1999-0005"), "CVE-1999-0005|0.91963|0.99030|2024-10-25");
	assert_string_equal(rec_get(&s, "CVE-1999-0007"), "CVE-1999-0007|0.00073|0.32734|2024-10-25");
	rec_release(&s);
	free(f);

	f = sw_xasprintf("%s/vuln/epss/vunnel-epss-example-1.csv", shared);
	assert_int_equal(import_path(&sw_source_epss, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_epss, 5);
	assert_int_equal(s.bad.len, 0);
	rec_release(&s);
	free(f);
}

/* vunnel's EPSS fixtures: a good file, one without score_date, one with
 * a wrong header */
static void test_vunnel_fixtures(void **state)
{
	(void)state;
	NEED_SHARED();
	char *vdir = extract_shared(shared, "vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz");
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	char *f = sw_xasprintf("%s/tests/unit/providers/epss/test-fixtures/missing-date.csv", vdir);
	assert_true(sw_source_epss.wants(f));
	assert_int_equal(import_path(&sw_source_epss, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_epss, 5);
	assert_string_equal(rec_get(&s, "CVE-1999-0001"), "CVE-1999-0001|0.00383|0.73075|-");
	free(f);
	rec_release(&s);
	f = sw_xasprintf("%s/tests/unit/providers/epss/test-fixtures/invalid-header.csv", vdir);
	assert_true(import_path(&sw_source_epss, f, NULL, &s, &err) < 0);
	assert_non_null(strstr(err.msg, "invalid-header.csv': not an EPSS csv"));
	assert_int_equal(s.n_epss, 0);
	free(f);
	rec_release(&s);
	remove_tree(vdir);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	const char *f = "epss_scores-2099-01-01.csv";
	assert_true(import_str(&sw_source_epss, f, "", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'epss_scores-2099-01-01.csv': empty or bad csv header"));
	assert_true(import_str(&sw_source_epss, f, "a,b\nc,d\n", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "not an EPSS csv"));
	const char *doc = "#model_version:v2025.03.14,score_date:2099-01-02T00:00:00+0000\n"
			  "cve,epss,percentile\n"
			  "CVE-2099-1,0.5,0.9\n"
			  "CVE-2099-2,1.5,0.9\n"
			  "CVE-2099-3,abc,0.9\n"
			  "XYZ,0.1,0.1\n"
			  "CVE-2099-4,0.1,-3\n"
			  "CVE-2099-5,0.1\n"
			  "\n";
	assert_int_equal(import_str(&sw_source_epss, f, doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, f, "CVE-2099-2", "bad epss score '1.5'"));
	assert_true(rec_bad_has(&s, f, "CVE-2099-3", "bad epss score 'abc'"));
	assert_true(rec_bad_has(&s, f, "line 6", "missing or bad cve"));
	assert_true(rec_bad_has(&s, f, "CVE-2099-4", "bad percentile"));
	assert_int_equal(s.bad.len, 4);
	assert_int_equal(s.n_epss, 2);
	assert_string_equal(rec_get(&s, "CVE-2099-1"), "CVE-2099-1|0.50000|0.90000|2099-01-02");
	/* no percentile column value: -1 */
	assert_string_equal(rec_get(&s, "CVE-2099-5"), "CVE-2099-5|0.10000|-1.00000|2099-01-02");
	rec_release(&s);
	/* old files have no comment line: no date */
	assert_int_equal(import_str(&sw_source_epss, f, "cve,epss\nCVE-2099-6,0.25\n", &s, &err), 0);
	assert_string_equal(rec_get(&s, "CVE-2099-6"), "CVE-2099-6|0.25000|-1.00000|-");
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_epss (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_vunnel_fixtures),
		cmocka_unit_test(test_bad_input),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
