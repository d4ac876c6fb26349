/* test_src_kev.c - the CISA KEV importer (JSON and CSV) on the real
 * catalogue of ../shared/data/vuln/kev and on malformed input. */
#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void check_catalogue(struct rec_sink *s)
{
	/* catalogVersion 2025.08.25 (1404 entries, 293 with known ransomware
	 * use), counted from the JSON catalogue by tests/tools/count_records.py;
	 * the CSV is the same catalogue */
	char *json = sw_xasprintf("%s/vuln/kev/known_exploited_vulnerabilities.json.xz", shared);
	long want = sw_test_count_records("json-array", json, "vulnerabilities");
	long want_ransom = sw_test_count_records("kev-ransomware", json, NULL);
	free(json);
	assert_true(want > 1000);
	assert_int_equal(s->n_kev, want);
	assert_int_equal(s->bad.len, 0);
	size_t ransom = 0;
	for (size_t i = 0; i < s->ids.len; i++) {
		const char *r = rec_get(s, s->ids.items[i]);
		if (sw_ends_with(r, "|1"))
			ransom++;
	}
	assert_int_equal(ransom, want_ransom);
	assert_string_equal(rec_get(s, "CVE-2021-44228"),
			    "CVE-2021-44228|Apache|Log4j2|Apache Log4j2 Remote Code Execution Vulnerability|"
			    "2021-12-10|2021-12-24|1");
	assert_string_equal(rec_get(s, "CVE-2025-48384"),
			    "CVE-2025-48384|Git|Git|Git Link Following Vulnerability|2025-08-25|2025-09-15|0");
	/* quoted CSV field with a comma inside */
	assert_non_null(strstr(rec_get(s, "CVE-2024-8068"), "|Citrix|Session Recording|"));
}

static void test_json(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = NULL;
	char *f = unxz_shared(shared, "vuln/kev/known_exploited_vulnerabilities.json.xz",
			      "known_exploited_vulnerabilities.json", &dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_kev.wants(f));
	assert_int_equal(import_path(&sw_source_kev, f, NULL, &s, &err), 0);
	check_catalogue(&s);
	rec_release(&s);
	free(f);
	remove_tree(dir);
}

static void test_csv(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = NULL;
	char *f = unxz_shared(shared, "vuln/kev/known_exploited_vulnerabilities.csv.xz",
			      "known_exploited_vulnerabilities.csv", &dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_kev.wants(f));
	assert_int_equal(import_path(&sw_source_kev, f, NULL, &s, &err), 0);
	check_catalogue(&s);
	rec_release(&s);
	free(f);
	remove_tree(dir);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	const char *f = "known_exploited_vulnerabilities.json";
	assert_true(import_str(&sw_source_kev, f, "{\"vulnerabilities\": [{", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'known_exploited_vulnerabilities.json': bad json"));
	assert_true(import_str(&sw_source_kev, f, "{\"vulnerabilities\": 3}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "not a KEV catalogue"));
	const char *doc = "{\"vulnerabilities\": [\"x\", {\"cveID\": 5},"
			  " {\"cveID\": \"CVE-2099-1\", \"dateAdded\": [1]},"
			  " {\"cveID\": \"CVE-2099-2\"},"
			  " {\"cveID\": \"CVE-2099-3\", \"dateAdded\": \"2099-01-01\","
			  "  \"knownRansomwareCampaignUse\": \"Known\"}]}";
	assert_int_equal(import_str(&sw_source_kev, f, doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, f, "#0", "not an object"));
	assert_true(rec_bad_has(&s, f, "#1", "cveID"));
	assert_true(rec_bad_has(&s, f, "CVE-2099-1", "wrong type"));
	assert_true(rec_bad_has(&s, f, "CVE-2099-2", "dateAdded"));
	assert_int_equal(s.bad.len, 4);
	assert_int_equal(s.n_kev, 1);
	assert_string_equal(rec_get(&s, "CVE-2099-3"), "CVE-2099-3|-|-|-|2099-01-01|-|1");
	rec_release(&s);

	const char *csv = "cveID,vendorProject,dateAdded\n"
			  "CVE-2099-4,\"Acme, Inc\",2099-01-01\r\n"
			  "nope,x,2099-01-01\n"
			  "CVE-2099-5,\"unterminated,2099-01-01\n";
	assert_int_equal(import_str(&sw_source_kev, "known_exploited_vulnerabilities.csv", csv, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, "known_exploited_vulnerabilities.csv", "line 3", "cveID"));
	assert_true(rec_bad_has(&s, "known_exploited_vulnerabilities.csv", "line 4", "unterminated"));
	assert_int_equal(s.n_kev, 1);
	assert_string_equal(rec_get(&s, "CVE-2099-4"), "CVE-2099-4|Acme, Inc|-|-|2099-01-01|-|0");
	assert_true(import_str(&sw_source_kev, "known_exploited_vulnerabilities.csv", "a,b\n1,2\n", &s,
			       &err) < 0);
	assert_non_null(strstr(err.msg, "not a KEV csv"));
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_kev (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_bad_input),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
