/* test_src_redhat.c - the Red Hat CSAF importer on the VEX files and the
 * RHSA advisory of ../shared/data/vuln/vendor-fixtures (claircore test
 * data) and on malformed documents. */
#include "test_src_common.h"

static const char *shared;
static char *dir;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void import_fixture(struct rec_sink *s, const char *rel)
{
	struct sw_err err = SW_ERR_INIT;
	char *f = sw_xasprintf("%s/%s", dir, rel);
	assert_true(sw_source_redhat_csaf.wants(f));
	if (import_path(&sw_source_redhat_csaf, f, rel, s, &err) < 0)
		fail_msg("%s", err.msg);
	free(f);
}

static void test_all_fixtures(void **state)
{
	(void)state;
	NEED_SHARED();
	static const struct {
		const char *rel;
		size_t affected;
	} files[] = {
		{ "rhel/vex/testdata/cve-2022-38752.json", 1819 },
		{ "rhel/vex/testdata/cve-2023-38545.json", 229 },
		{ "rhel/vex/testdata/cve-2023-4154.json", 159 },
		{ "rhel/vex/testdata/cve-2023-42670.json", 159 },
		{ "rhel/vex/testdata/cve-2024-24786-bad-rpmmod.json", 3 },
		{ "rhel/vex/testdata/cve-2024-24786-illegal-module.json", 1 },
		{ "rhel/vex/testdata/cve-2024-24786-simple.json", 1 },
		{ "rhel/vex/testdata/delete_CVE-2023-0030.json", 0 },
		{ "rhel/vex/testdata/delete_CVE-2023-0031.json", 0 },
		{ "toolkit/types/csaf/testdata/cve-1999-0001-deleted.json", 0 },
		{ "toolkit/types/csaf/testdata/cve-2021-0084.json", 8 },
		{ "toolkit/types/csaf/testdata/cve-2024-22047.json", 1 },
		{ "toolkit/types/csaf/testdata/rhsa-2022-0011.json", 9 },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct rec_sink s = { 0 };
		import_fixture(&s, files[i].rel);
		if (s.n_vuln != 1 || s.n_affected != files[i].affected || s.bad.len != 0)
			fail_msg("%s: %zu records, %zu affected, %zu bad", files[i].rel, s.n_vuln,
				 s.n_affected, s.bad.len);
		rec_release(&s);
	}
}

static void test_vex_curl(void **state)
{
	(void)state;
	NEED_SHARED();
	struct rec_sink s = { 0 };
	import_fixture(&s, "rhel/vex/testdata/cve-2023-38545.json");
	assert_rec_has(&s, "CVE-2023-38545", "src=redhat-csaf", "RHSA-2023:5700",
		       "published=2023-10-11T00:00:00+00:00",
		       "summary: curl: heap based buffer overflow in the SOCKS5 proxy handshake",
		       /* fixed NEVRA curl-0:7.76.1-26.el9_3.2 -> EVR without the 0 epoch */
		       "A Red Hat:enterprise_linux:9 curl fixed fixed=7.76.1-23.el9_2.4 fixed=7.76.1-26.el9_3.2 sev=important",
		       "A Red Hat:rhel_eus:9.0 libcurl fixed fixed=7.76.1-14.el9_0.9 sev=important",
		       "A Red Hat:enterprise_linux:8 curl not_affected sev=important purl=pkg:rpm/redhat/curl\n",
		       "A Red Hat:rhel_satellite_client:6::el7 puppet-agent fixed fixed=7.27.0-1.el7sat",
		       "S redhat TEXT - -1.0 high\n",
		       "S redhat CVSS_V3 CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H 8.1 high\n",
		       "cwe=CWE-119 ");
	/* the workaround is noted where the package is vulnerable only */
	assert_rec_lacks(&s, "CVE-2023-38545", "not_affected sev=important note=workaround");
	rec_release(&s);
}

static void test_vex_statuses(void **state)
{
	(void)state;
	NEED_SHARED();
	struct rec_sink s = { 0 };
	import_fixture(&s, "rhel/vex/testdata/cve-2022-38752.json");
	assert_rec_has(&s, "CVE-2022-38752",
		       /* no_fix_planned "Out of support scope" */
		       "A Red Hat:enterprise_linux:7 snakeyaml end_of_life sev=moderate note=Out of support scope\n",
		       /* no_fix_planned "Will not fix" */
		       "A Red Hat:amq_online:1 snakeyaml will_not_fix sev=moderate note=Will not fix\n",
		       /* none_available "Affected" */
		       "A Red Hat:camel_quarkus:2 snakeyaml affected sev=moderate note=Affected\n",
		       "A Red Hat:jboss_enterprise_application_platform:7.4::el8 eap7-snakeyaml fixed fixed=1.33.0-2.SP1_redhat_00001.1.el8eap");
	rec_release(&s);

	import_fixture(&s, "toolkit/types/csaf/testdata/cve-2024-22047.json");
	assert_rec_has(&s, "CVE-2024-22047", "A Red Hat:satellite:6 rubygem-audited affected sev=low note=Affected\n",
		       "S redhat CVSS_V3 CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:N/I:L/A:N 3.1 low", "cwe=CWE-362 ");
	import_fixture(&s, "toolkit/types/csaf/testdata/cve-2021-0084.json");
	assert_rec_has(&s, "CVE-2021-0084", "A Red Hat:enterprise_linux:9 kernel not_affected\n",
		       "A Red Hat:enterprise_linux:7 kernel-rt not_affected\n");
	import_fixture(&s, "rhel/vex/testdata/cve-2024-24786-illegal-module.json");
	assert_rec_has(&s, "CVE-2024-24786",
		       "A Red Hat:enterprise_linux:8 go-toolset affected sev=moderate purl=pkg:rpm/redhat/go-toolset@rhel8?arch=src&rpmmod=go-toolset:rhel8\n");
	import_fixture(&s, "rhel/vex/testdata/delete_CVE-2023-0030.json");
	assert_rec_has(&s, "CVE-2023-0030", "withdrawn=1970-01-01T00:00:00Z");
	rec_release(&s);
}

static void test_rhsa(void **state)
{
	(void)state;
	NEED_SHARED();
	struct rec_sink s = { 0 };
	import_fixture(&s, "toolkit/types/csaf/testdata/rhsa-2022-0011.json");
	assert_rec_has(&s, "RHSA-2022:0011", "aliases=CVE-2020-10188 ", "published=2022-01-04T08:38:00Z",
		       "summary: Red Hat Security Advisory: telnet security update",
		       /* telnet-1:0.17-65.el7_6: epoch 1 kept */
		       "A Red Hat:rhel_aus:7.6 telnet fixed fixed=1:0.17-65.el7_6 sev=important\n",
		       "A Red Hat:rhel_e4s:7.6 telnet-server fixed fixed=1:0.17-65.el7_6 sev=important\n",
		       "A Red Hat:rhel_tus:7.6 telnet-debuginfo fixed",
		       "S redhat TEXT - -1.0 high\n", "cwe=CWE-119 ");
	rec_release(&s);
}

/* vunnel's RHSA fixtures: modular packages, epochs, several CVEs */
static void test_vunnel_advisories(void **state)
{
	(void)state;
	NEED_SHARED();
	char *vdir = extract_shared(shared, "vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz");
	static const struct {
		const char *rel;
		size_t affected;
	} files[] = {
		{ "advisories/rhsa-2023_3821.json", 45 },     { "advisories/rhsa-2023_7025.json", 46 },
		{ "advisories/rhsa-2024_0811.json", 24 },     { "advisories/rhsa-2024_1431.json", 42 },
		{ "advisories/2024/rhsa-2024_6163.json", 1 }, { "advisories/2024/rhsa-2024_9371.json", 1 },
		{ "advisories/2025/rhsa-2025_23414.json", 4 }, { "server/2024/rhsa-2024_0010.json", 12 },
	};
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *f = sw_xasprintf("%s/tests/unit/providers/rhel/test-fixtures/csaf/%s", vdir, files[i].rel);
		size_t before = s.n_affected;
		assert_true(sw_source_redhat_csaf.wants(f));
		if (import_path(&sw_source_redhat_csaf, f, files[i].rel, &s, &err) < 0)
			fail_msg("%s", err.msg);
		if (s.n_affected - before != files[i].affected)
			fail_msg("%s: %zu affected", files[i].rel, s.n_affected - before);
		free(f);
	}
	assert_int_equal(s.n_vuln, 8);
	assert_int_equal(s.bad.len, 0);
	/* purl versions are percent-decoded: module%2Bel8 -> module+el8 */
	assert_rec_has(&s, "RHSA-2023:7025", "aliases=CVE-2021-33621,CVE-2022-28739,CVE-2023-28755,CVE-2023-28756 ",
		       "A Red Hat:enterprise_linux:8 ruby fixed fixed=2.5.9-111.module+el8.9.0+19193+435404ae sev=moderate purl=pkg:rpm/redhat/ruby@2.5.9-111.module%2Bel8.9.0%2B19193%2B435404ae?arch=aarch64&rpmmod=ruby:2.5:",
		       "cwe=CWE-113,CWE-125,CWE-20 ");
	/* epoch from the purl qualifier; only the fixed products of an advisory */
	assert_rec_has(&s, "RHSA-2025:23414", "aliases=CVE-2021-25220,CVE-2025-40778 ",
		       "A Red Hat:rhel_els:6 bind fixed fixed=32:9.8.2-0.68.rc1.el6_10.17 sev=moderate");
	assert_rec_lacks(&s, "RHSA-2025:23414", "not_affected");
	assert_rec_has(&s, "RHSA-2024:6163", "A Red Hat:enterprise_linux:9 python3.9 fixed fixed=3.9.18-3.el9_4.5 ");
	rec_release(&s);
	remove_tree(vdir);
}

/* A small VEX document with one good and several bad vulnerabilities. */
static const char *small_vex =
	"{\"document\": {\"category\": \"csaf_vex\", \"aggregate_severity\": {\"text\": \"Low\"},"
	"  \"tracking\": {\"id\": \"CVE-2099-0001\", \"current_release_date\": \"2099-01-02T00:00:00Z\"}},"
	" \"product_tree\": {\"branches\": [{\"category\": \"vendor\", \"branches\": ["
	"   {\"category\": \"product_name\", \"product\": {\"product_id\": \"AppStream-9\","
	"     \"product_identification_helper\": {\"cpe\": \"cpe:/a:redhat:enterprise_linux:9::appstream\"}}},"
	"   {\"category\": \"product_version\", \"product\": {\"product_id\": \"foo-2:1.0-3.el9.x86_64\"}},"
	"   {\"category\": \"product_version\", \"product\": {\"product_id\": \"bar\","
	"     \"product_identification_helper\": {\"purl\": \"pkg:rpm/redhat/bar?arch=src\"}}}]}],"
	"  \"relationships\": ["
	"   {\"full_product_name\": {\"product_id\": \"AppStream-9:foo-2:1.0-3.el9.x86_64\"},"
	"    \"product_reference\": \"foo-2:1.0-3.el9.x86_64\", \"relates_to_product_reference\": \"AppStream-9\"},"
	"   {\"full_product_name\": {\"product_id\": \"AppStream-9:bar\"},"
	"    \"product_reference\": \"bar\", \"relates_to_product_reference\": \"AppStream-9\"}]},"
	" \"vulnerabilities\": ["
	"  7,"
	"  {\"title\": \"no cve\"},"
	"  {\"cve\": \"CVE-2099-0002\", \"product_status\": [1]},"
	"  {\"cve\": \"CVE-2099-0003\", \"product_status\": {\"fixed\": [3]}},"
	"  {\"cve\": \"CVE-2099-0001\", \"cwe\": {\"id\": \"CWE-79\"},"
	"   \"product_status\": {\"fixed\": [\"AppStream-9:foo-2:1.0-3.el9.x86_64\", \"unknown:x\"],"
	"                        \"known_affected\": [\"AppStream-9:bar\"]},"
	"   \"remediations\": [{\"category\": \"none_available\", \"details\": \"Fix deferred\","
	"                       \"product_ids\": [\"AppStream-9:bar\"]}],"
	"   \"scores\": [{\"cvss_v3\": {\"vectorString\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N\","
	"                 \"baseScore\": 5.3}, \"products\": []}]}]}";

static void test_bad_records(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_redhat_csaf, "csaf/vex/cve-2099-0001.json", small_vex, &s,
				    &err), 0);
	rec_dump_bad(&s);
	const char *f = "csaf/vex/cve-2099-0001.json";
	assert_true(rec_bad_has(&s, f, "vulnerabilities[0]", "not an object"));
	assert_true(rec_bad_has(&s, f, "vulnerabilities[1]", "missing \"cve\""));
	assert_true(rec_bad_has(&s, f, "CVE-2099-0002", "product_status"));
	assert_true(rec_bad_has(&s, f, "CVE-2099-0003", "wrong type"));
	assert_int_equal(s.bad.len, 4);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2099-0001", "A Red Hat:enterprise_linux:9 foo fixed fixed=2:1.0-3.el9\n",
		       "A Red Hat:enterprise_linux:9 bar fix_deferred note=Fix deferred purl=pkg:rpm/redhat/bar?arch=src\n",
		       "S redhat TEXT - -1.0 low\n",
		       "S redhat CVSS_V3 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N 5.3 medium\n",
		       "cwe=CWE-79 ");
	rec_release(&s);
}

static void test_bad_files(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_redhat_csaf, "vex/a.json", "{\"document\": ", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'vex/a.json': bad json"));
	assert_true(import_str(&sw_source_redhat_csaf, "vex/a.json", "{\"x\": 1}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'vex/a.json': not a CSAF document"));
	assert_true(import_str(&sw_source_redhat_csaf, "vex/a.json",
			       "{\"document\": {\"category\": \"csaf_informational_advisory\","
			       " \"tracking\": {\"id\": \"X-1\"}}, \"vulnerabilities\": []}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "unsupported CSAF document (category 'csaf_informational_advisory'"));
	assert_int_equal(s.n_vuln, 0);
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_redhat (real advisory data)");
	if (shared)
		dir = extract_shared(shared, "vuln/vendor-fixtures/claircore-vuln-testdata.tar.xz");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_fixtures),
		cmocka_unit_test(test_vex_curl),
		cmocka_unit_test(test_vex_statuses),
		cmocka_unit_test(test_rhsa),
		cmocka_unit_test(test_vunnel_advisories),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_bad_files),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (dir)
		remove_tree(dir);
	return rc;
}
