/* test_src_wolfi.c - the Wolfi and Chainguard secdb importers (security.json,
 * the Alpine secdb shape without "distroversion") on vunnel's real-format
 * fixtures in ../shared/data/vuln/vendor-fixtures and on malformed input. */
#include "test_src_common.h"

static const char *shared;

#define NEED_SHARED() assert_non_null(shared)

/* The secdb of one provider, extracted from the vunnel fixture archive. */
static void import_fixture(const struct sw_vuln_source *src, const char *provider, struct rec_sink *s)
{
	char *dir = extract_shared(shared, "vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz");
	char *f = sw_xasprintf("%s/tests/unit/providers/%s/test-fixtures/input/secdb/security.json", dir, provider);
	struct sw_err err = SW_ERR_INIT;
	assert_true(src->wants(f));
	if (import_path(src, f, NULL, s, &err) < 0)
		fail_msg("%s", err.msg);
	free(f);
	remove_tree(dir);
}

static void test_wolfi_fixture(void **state)
{
	(void)state;
	NEED_SHARED();
	struct rec_sink s = { 0 };
	import_fixture(&sw_source_wolfi, "wolfi", &s);
	assert_int_equal(s.bad.len, 0);
	/* vunnel's own output for this file: one snapshot per id
	 * (snapshots/wolfi:rolling/, 59 files) */
	assert_int_equal(s.n_vuln, 59);
	assert_rec_has(&s, "CVE-2022-37434", "src=wolfi", "A Wolfi zlib fixed fixed=1.2.12-r3\n");
	assert_rec_has(&s, "CVE-2016-2781", "A Wolfi coreutils not_affected\n");
	assert_rec_has(&s, "GHSA-jq35-85cj-fj4p", "A Wolfi apko not_affected\n");
	rec_release(&s);
}

static void test_chainguard_fixture(void **state)
{
	(void)state;
	NEED_SHARED();
	struct rec_sink s = { 0 };
	import_fixture(&sw_source_chainguard, "chainguard", &s);
	assert_int_equal(s.bad.len, 0);
	assert_int_equal(s.n_vuln, 189); /* snapshots/secdb/chainguard:rolling/: 189 files */
	assert_rec_has(&s, "CVE-2023-25136", "src=chainguard", "A Chainguard openssh fixed fixed=9.2_p1-r0\n");
	assert_rec_has(&s, "CVE-2022-31630", "A Chainguard php fixed fixed=8.1.13-r0\n");
	rec_release(&s);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_wolfi, "os/security.json", "{\"packages\": [", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'os/security.json': bad json"));
	assert_true(import_str(&sw_source_wolfi, "os/security.json", "{\"reponame\": \"os\"}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'os/security.json': not a Wolfi secdb"));
	assert_true(import_str(&sw_source_chainguard, "security.json", "[1, 2]", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "not a secdb document"));
	/* bad records are counted and named, the rest imports */
	const char *doc = "{\"packages\": [{\"pkg\": {}}, {\"pkg\": {\"name\": \"x\", \"secfixes\": []}},"
			  " {\"pkg\": {\"name\": \"y\", \"secfixes\": {\"1-r0\": [3]}}},"
			  " {\"pkg\": {\"name\": \"z\", \"secfixes\": {\"1.2-r1\": [\"CVE-2024-1\"]}}}]}";
	assert_int_equal(import_str(&sw_source_chainguard, "security.json", doc, &s, &err), 0);
	assert_true(rec_bad_has(&s, "security.json", "packages[0]", "pkg.name"));
	assert_true(rec_bad_has(&s, "security.json", "x", "not a mapping"));
	assert_true(rec_bad_has(&s, "security.json", "y", "entry 0 is not a string"));
	assert_int_equal(s.bad.len, 3);
	assert_int_equal(s.n_vuln, 1);
	assert_rec_has(&s, "CVE-2024-1", "src=chainguard", "A Chainguard z fixed fixed=1.2-r1\n");
	rec_release(&s);
	assert_true(sw_source_wolfi.wants("x/os/security.json"));
	assert_false(sw_source_wolfi.wants("x/os/APKINDEX.json.txt"));
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_wolfi (vendor fixtures)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wolfi_fixture),
		cmocka_unit_test(test_chainguard_fixture),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
