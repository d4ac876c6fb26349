/* test_src_oval.c - the OVAL 5 importer: claircore's Photon 3 OVAL and
 * vunnel's Mariner sample (../shared/data/vuln/vendor-fixtures), a small
 * SUSE-shaped document with OR / negate criteria, and malformed input. */
#include "test_src_common.h"

static const char *shared;

#define NEED_SHARED() assert_non_null(shared)

static void test_photon_fixture(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = sw_test_tmpdir();
	char *cmd = sw_xasprintf("tar -xJf '%s/vuln/vendor-fixtures/claircore-vuln-testdata.tar.xz' -C '%s' "
				 "photon/testdata/com.vmware.phsa-photon3.xml", shared, dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	char *f = sw_xasprintf("%s/photon/testdata/com.vmware.phsa-photon3.xml", dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_photon.wants(f));
	if (import_path(&sw_source_photon, f, NULL, &s, &err) < 0)
		fail_msg("%s", err.msg);
	rec_dump_bad(&s);
	assert_int_equal(s.bad.len, 0);
	/* 222 <definition>s, one PHSA each (grep -c '<definition ' on the file) */
	assert_int_equal(s.n_vuln, 222);
	assert_rec_has(&s, "PHSA-2020:00001", "src=photon", "aliases=CVE-2019-16168",
		       "A Photon OS:3 sqlite fixed fixed=3.27.2-5.ph3 sev=Important\n",
		       "A Photon OS:3 sqlite-libs fixed fixed=3.27.2-5.ph3 sev=Important\n");
	free(f);
	rec_release(&s);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	(void)sw_test_sh(cmd);
	free(cmd);
	free(dir);
}

static void test_mariner_fixture(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = extract_shared(shared, "vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz");
	char *f = sw_xasprintf("%s/tests/unit/providers/mariner/test-fixtures/mariner-truncated-2.0-oval.xml", dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (import_path(&sw_source_mariner, f, NULL, &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s.bad.len, 0);
	assert_int_equal(s.n_vuln, 5);
	/* "greater than 1.19.0" and "earlier than 1.20.7-1"; the release from the file name */
	assert_rec_has(&s, "CVE-2023-29404", "src=mariner", "A Mariner:2.0 golang fixed");
	/* patchable "Not Applicable" */
	assert_rec_has(&s, "CVE-2023-0687", "A Mariner:2.0 glibc not_affected");
	free(f);
	rec_release(&s);
	remove_tree(dir);
}

#define HEAD "<?xml version=\"1.0\"?>\n<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\">"

static const char *suse_doc =
	HEAD "<definitions>"
	"<definition id=\"oval:org.opensuse.security:def:1\" class=\"vulnerability\"><metadata>"
	"<title>CVE-2024-0001</title><affected family=\"unix\"><platform>SUSE Linux Enterprise Server 15 SP1</platform></affected>"
	"<advisory><severity>Moderate</severity></advisory></metadata>"
	"<criteria operator=\"AND\">"
	"<criteria operator=\"OR\">"
	"<criterion test_ref=\"t:rel151\" comment=\"sles-release is ==15.1\"/>"
	"<criterion test_ref=\"t:rel152\" comment=\"sles-release is ==15.2\"/></criteria>"
	"<criteria operator=\"OR\">"
	"<criterion test_ref=\"t:krb5\" comment=\"krb5 is &lt;1.15.2-4.25\"/>"
	/* not (foo < 2.0) -> introduced 2.0 */
	"<criterion test_ref=\"t:foo\" negate=\"true\" comment=\"foo is &lt;2.0-1\"/>"
	"<criterion test_ref=\"t:kernel\" comment=\"kernel-default is ==0\"/>"
	"<criterion test_ref=\"t:file\" comment=\"a file check\"/>"
	"</criteria></criteria></definition>"
	"<definition id=\"oval:x:def:2\" class=\"vulnerability\"><metadata><title>no criteria</title></metadata></definition>"
	"</definitions><tests>"
	"<rpminfo_test id=\"t:rel151\"><object object_ref=\"o:rel\"/><state state_ref=\"s:151\"/></rpminfo_test>"
	"<rpminfo_test id=\"t:rel152\"><object object_ref=\"o:rel\"/><state state_ref=\"s:152\"/></rpminfo_test>"
	"<rpminfo_test id=\"t:krb5\"><object object_ref=\"o:krb5\"/><state state_ref=\"s:krb5\"/></rpminfo_test>"
	"<rpminfo_test id=\"t:foo\"><object object_ref=\"o:foo\"/><state state_ref=\"s:foo\"/></rpminfo_test>"
	"<rpminfo_test id=\"t:kernel\"><object object_ref=\"o:kernel\"/><state state_ref=\"s:zero\"/></rpminfo_test>"
	"<textfilecontent54_test id=\"t:file\"><object object_ref=\"o:file\"/></textfilecontent54_test>"
	"</tests><objects>"
	"<rpminfo_object id=\"o:rel\"><name>sles-release</name></rpminfo_object>"
	"<rpminfo_object id=\"o:krb5\"><name>krb5</name></rpminfo_object>"
	"<rpminfo_object id=\"o:foo\"><name>foo</name></rpminfo_object>"
	"<rpminfo_object id=\"o:kernel\"><name>kernel-default</name></rpminfo_object>"
	"</objects><states>"
	"<rpminfo_state id=\"s:151\"><version operation=\"equals\">15.1</version></rpminfo_state>"
	"<rpminfo_state id=\"s:152\"><version operation=\"equals\">15.2</version></rpminfo_state>"
	"<rpminfo_state id=\"s:krb5\"><evr datatype=\"evr_string\" operation=\"less than\">0:1.15.2-4.25</evr></rpminfo_state>"
	"<rpminfo_state id=\"s:foo\"><evr datatype=\"evr_string\" operation=\"less than\">0:2.0-1</evr></rpminfo_state>"
	"<rpminfo_state id=\"s:zero\"><evr datatype=\"evr_string\" operation=\"equals\">0:0-0</evr></rpminfo_state>"
	"</states></oval_definitions>";

static void test_criteria(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (import_str(&sw_source_suse, "suse.linux.enterprise.15.xml", suse_doc, &s, &err) < 0)
		fail_msg("%s", err.msg);
	rec_dump_bad(&s);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2024-0001", "src=suse",
		       "A SUSE Linux Enterprise:15.1 krb5 fixed fixed=1.15.2-4.25 sev=Moderate\n",
		       "A SUSE Linux Enterprise:15.2 krb5 fixed fixed=1.15.2-4.25 sev=Moderate\n",
		       "A SUSE Linux Enterprise:15.1 kernel-default not_affected sev=Moderate\n");
	assert_true(rec_bad_has(&s, "suse.linux.enterprise.15.xml", "oval:x:def:2", "definition without criteria"));
	assert_true(rec_bad_has(&s, "suse.linux.enterprise.15.xml", "textfilecontent54_test",
				"2 criteria not evaluated (first in oval:org.opensuse.security:def:1)"));
	assert_int_equal(s.bad.len, 2);
	rec_release(&s);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_oval, "x.xml", HEAD "<definitions><definition", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'x.xml': bad xml at line"));
	assert_true(import_str(&sw_source_oval, "x.xml", "<html><body>hi</body></html>", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'x.xml': not an OVAL definitions document"));
	assert_true(import_str(&sw_source_oval, "x.xml", "", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'x.xml': "));
	/* no entity expansion, no external DTD */
	assert_true(import_str(&sw_source_oval, "x.xml",
			       "<?xml version=\"1.0\"?><!DOCTYPE o [<!ENTITY a \"aaaa\">]><oval_definitions>&a;</oval_definitions>",
			       &s, &err) == 0 || err.msg[0]);
	assert_int_equal(s.n_vuln, 0);
	rec_release(&s);
	assert_true(sw_source_oracle.wants("com.oracle.elsa-all.xml.bz2"));
	assert_false(sw_source_oracle.wants("README.md"));
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_oval (vendor fixtures)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photon_fixture),
		cmocka_unit_test(test_mariner_fixture),
		cmocka_unit_test(test_criteria),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
