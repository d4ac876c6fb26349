/* test_src_nvd.c - the NVD CVE API 2.0 importer on the real NVD pages of
 * ../shared/data/vuln/nvd and on malformed input. */
#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void test_page(void **state)
{
	(void)state;
	NEED_SHARED();
	char *f = sw_xasprintf("%s/vuln/nvd/nvd-api2-cves-page-sample.json", shared);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_nvd.wants(f));
	assert_int_equal(import_path(&sw_source_nvd, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, sw_test_count_records("json-array", f, "vulnerabilities"));
	assert_true(s.n_vuln > 10);
	assert_int_equal(s.bad.len, 0);
	assert_int_equal(s.n_affected, 0); /* enrichment only: never CPE matching */
	/* Primary metric is "nvd", a Secondary one keeps its source; the
	 * NVD-CWE-noinfo weakness is not a CWE */
	assert_rec_has(&s, "CVE-2023-27314", "src=nvd", "published=2023-10-12T19:15:11.747Z",
		       "summary: ONTAP 9 versions prior to 9.8P19, 9.9.1P16, 9.10.1P12, 9.11.1P8, 9.12.1P2",
		       "S nvd CVSS_V3 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H 7.5 high\n",
		       "S security-alert@netapp.com CVSS_V3 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H 7.5 high\n",
		       "cwe=CWE-400 refs=1");
	assert_rec_has(&s, "CVE-2023-5642",
		       "S vulnreport@tenable.com CVSS_V3 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H 9.8 critical\n",
		       "cwe=CWE-200 ");
	/* the description starts with a line break: summary still readable */
	assert_rec_has(&s, "CVE-2023-5631", "summary: Roundcube before 1.4.15");
	rec_release(&s);
	free(f);

	f = sw_xasprintf("%s/vuln/nvd/nvd-api2-single-entry.json", shared);
	assert_int_equal(import_path(&sw_source_nvd, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2022-1576", "published=2022-07-11T13:15:08.503Z",
		       "S nvd CVSS_V3 CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N 6.5 medium\n",
		       "S nvd CVSS_V2 AV:N/AC:M/Au:N/C:N/I:P/A:N 4.3 medium\n", "cwe=CWE-352 ");
	rec_release(&s);
	free(f);
}

static void test_single_cve_and_v4(void **state)
{
	(void)state;
	const char *doc =
		"{\"cve\": {\"id\": \"CVE-2099-1\", \"published\": \"2099-01-01T00:00:00.000\","
		" \"vulnStatus\": \"Rejected\", \"lastModified\": \"2099-02-01T00:00:00.000\","
		" \"descriptions\": [{\"lang\": \"es\", \"value\": \"no\"},"
		"                    {\"lang\": \"en\", \"value\": \"First. Second.\"}],"
		" \"metrics\": {\"cvssMetricV40\": [{\"source\": \"cna@example.test\", \"type\": \"Secondary\","
		"   \"cvssData\": {\"vectorString\": \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\","
		"   \"baseScore\": 9.3, \"baseSeverity\": \"CRITICAL\"}}],"
		"  \"cvssMetricV2\": [{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", \"baseSeverity\": \"HIGH\","
		"   \"cvssData\": {\"vectorString\": \"AV:N/AC:L/Au:N/C:C/I:C/A:C\", \"baseScore\": 10.0}}]},"
		" \"weaknesses\": [{\"description\": [{\"lang\": \"en\", \"value\": \"CWE-787\"},"
		"                                     {\"lang\": \"en\", \"value\": \"CWE-787\"}]}]}}";
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_nvd, "x.json", doc, &s, &err), 0);
	assert_rec_has(&s, "CVE-2099-1", "withdrawn=2099-02-01T00:00:00.000Z", "summary: First.\n",
		       "S cna@example.test CVSS_V4 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N 9.3 critical\n",
		       "S nvd CVSS_V2 AV:N/AC:L/Au:N/C:C/I:C/A:C 10.0 high\n", "cwe=CWE-787 ");
	rec_release(&s);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_nvd, "nvd/page-1.json", "{\"vulnerabilities\": [", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'nvd/page-1.json': bad json at line 1"));
	assert_true(import_str(&sw_source_nvd, "nvd/page-1.json", "[1, 2]", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "not an NVD CVE API 2.0 document"));
	const char *doc = "{\"vulnerabilities\": ["
			  "  {\"cve\": {\"id\": \"CVE-2099-2\", \"descriptions\": \"oops\"}},"
			  "  {\"nocve\": 1},"
			  "  {\"cve\": {\"published\": \"2099-01-01\"}},"
			  "  {\"cve\": {\"id\": \"CVE-2099-3\", \"metrics\": {\"cvssMetricV31\": [{\"cvssData\": {}}]}}},"
			  "  {\"cve\": {\"id\": \"CVE-2099-4\", \"descriptions\": [{\"lang\": \"en\", \"value\": \"ok\"}]}}]}";
	assert_int_equal(import_str(&sw_source_nvd, "nvd/page-2.json", doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, "nvd/page-2.json", "CVE-2099-2", "wrong type"));
	assert_true(rec_bad_has(&s, "nvd/page-2.json", "#1", "no \"cve\""));
	assert_true(rec_bad_has(&s, "nvd/page-2.json", "#2", "missing \"id\""));
	assert_true(rec_bad_has(&s, "nvd/page-2.json", "CVE-2099-3", "wrong type"));
	assert_int_equal(s.bad.len, 4);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2099-4", "summary: ok\n");
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_nvd (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_single_cve_and_v4),
		cmocka_unit_test(test_bad_input),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
