/* test_src_rubysec.c - the RubySec importer on the whole ruby-advisory-db
 * of ../shared/data/vuln/osv and on malformed advisories. */
#include <ftw.h>

#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static struct rec_sink *walk_sink;
static size_t walk_files, walk_gems, walk_rubies, walk_failed;
static size_t walk_root_len;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag != FTW_F || !sw_source_rubysec.wants(path))
		return 0;
	const char *rel = path + walk_root_len + 1;
	if (!sw_starts_with(rel, "gems/") && !sw_starts_with(rel, "rubies/"))
		return 0;
	struct sw_err err = SW_ERR_INIT;
	size_t before = walk_sink->n_vuln;
	if (import_path(&sw_source_rubysec, path, rel, walk_sink, &err) < 0) {
		print_message("%s\n", err.msg);
		walk_failed++;
	}
	walk_files++;
	if (walk_sink->n_vuln > before) {
		if (sw_starts_with(rel, "gems/"))
			walk_gems++;
		else
			walk_rubies++;
	}
	return 0;
}

static void test_whole_database(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = extract_shared(shared, "vuln/osv/rubysec-ruby-advisory-db.tar.xz");
	struct rec_sink s = { 0 };
	walk_sink = &s;
	walk_root_len = strlen(dir);
	assert_int_equal(nftw(dir, walk_one, 16, FTW_PHYS), 0);
	rec_dump_bad(&s);
	/* every advisory under gems/ and rubies/ (1,381 in this copy), counted
	 * from the archive by tests/tools/count_records.py, all readable */
	char *xz = sw_xasprintf("%s/vuln/osv/rubysec-ruby-advisory-db.tar.xz", shared);
	long want = sw_test_count_records("rubysec", xz, NULL);
	free(xz);
	assert_true(want > 1000);
	assert_int_equal(walk_files, want);
	assert_int_equal(walk_failed, 0);
	assert_int_equal(s.bad.len, 0);
	assert_int_equal(s.n_vuln, want);
	assert_int_equal(walk_gems, 1234);
	assert_int_equal(walk_rubies, 147);

	/* GHSA id first, CVE alias; requirement strings kept whole */
	assert_rec_has(&s, "GHSA-8727-m6gj-mc37", "src=rubysec aliases=CVE-2020-8164 ",
		       "published=2020-05-18T00:00:00Z",
		       "summary: Possible Strong Parameters Bypass in ActionPack",
		       "A RubyGems actionpack fixed unaff=~> 5.2.4, >= 5.2.4.3|>= 6.0.3.1|< 4.0.0\n",
		       "S rubysec CVSS_V3 - 7.5 high");
	/* no GHSA, no CVE: the OSVDB id; never patched */
	assert_rec_has(&s, "OSVDB-108575", "A RubyGems cap-strap affected note=Never patched\n",
		       "refs=5");
	/* interpreters: ecosystem "Ruby" */
	assert_rec_has(&s, "GHSA-vf66-crpm-448h", "aliases=CVE-2005-1992 ",
		       "A Ruby ruby fixed unaff=>= 1.8.2-r2\n", "S rubysec CVSS_V2 - 7.5 high");
	assert_rec_has(&s, "CVE-2010-1330", "aliases=OSVDB-77297 ", "A Ruby jruby fixed unaff=>= 1.4.1\n",
		       "S rubysec CVSS_V2 - 4.3 medium");
	assert_rec_has(&s, "GHSA-2xmw-f8j8-wfxc", "aliases=CVE-2026-54659 ",
		       "unaff=>= 43.5.6|< 43.0.0", "S rubysec CVSS_V4 - 6.9 medium");
	rec_release(&s);
	remove_tree(dir);
}

static void test_bad_advisories(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	/* bad YAML: the file is unusable */
	assert_true(import_str(&sw_source_rubysec, "gems/x/CVE-1.yml", "gem: [x\n", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'gems/x/CVE-1.yml': bad yaml"));
	assert_true(import_str(&sw_source_rubysec, "gems/x/CVE-1.yml", "- a\n- b\n", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "not a mapping"));
	/* missing gem */
	assert_int_equal(import_str(&sw_source_rubysec, "gems/x/CVE-2020-1.yml",
				    "cve: 2020-1\ntitle: t\n", &s, &err), 0);
	assert_true(rec_bad_has(&s, "gems/x/CVE-2020-1.yml", "CVE-2020-1", "\"gem\""));
	/* wrong types */
	assert_int_equal(import_str(&sw_source_rubysec, "gems/x/CVE-2020-2.yml",
				    "gem: x\ncve: 2020-2\npatched_versions: {a: b}\n", &s, &err), 0);
	assert_true(rec_bad_has(&s, "gems/x/CVE-2020-2.yml", "CVE-2020-2", "patched_versions"));
	assert_int_equal(import_str(&sw_source_rubysec, "gems/x/CVE-2020-3.yml",
				    "gem: x\ncve: [1]\n", &s, &err), 0);
	assert_true(rec_bad_has(&s, "gems/x/CVE-2020-3.yml", "CVE-2020-3", "\"cve\""));
	assert_int_equal(import_str(&sw_source_rubysec, "gems/x/CVE-2020-4.yml",
				    "gem: x\ncve: 2020-4\ncvss_v3: high\n", &s, &err), 0);
	assert_true(rec_bad_has(&s, "gems/x/CVE-2020-4.yml", "CVE-2020-4", "wrong type"));
	assert_int_equal(import_str(&sw_source_rubysec, "gems/x/CVE-2020-5.yml",
				    "gem: x\ncve: 2020-5\ncvss_v3: 11.5\n", &s, &err), 0);
	assert_true(rec_bad_has(&s, "gems/x/CVE-2020-5.yml", "CVE-2020-5", "wrong type"));
	assert_int_equal(s.bad.len, 5);
	assert_int_equal(s.n_vuln, 0);
	/* a good one after the bad ones still comes through */
	assert_int_equal(import_str(&sw_source_rubysec, "gems/rack/CVE-2020-6.yml",
				    "gem: rack\ncve: 2020-6\nunaffected_versions: \"< 1.0\"\n"
				    "related:\n  cve: [2020-7]\n  url: [https://example.test/a]\n",
				    &s, &err), 0);
	assert_rec_has(&s, "CVE-2020-6", "aliases=CVE-2020-7 ", "A RubyGems rack affected unaff=< 1.0\n",
		       "refs=1");
	rec_release(&s);
}

static void test_wants(void **state)
{
	(void)state;
	assert_true(sw_source_rubysec.wants("gems/rack/CVE-2020-6.yml"));
	assert_true(sw_source_rubysec.wants("ruby-advisory-db-master/rubies/jruby/CVE-2010-1330.yml"));
	assert_false(sw_source_rubysec.wants("ruby-advisory-db-master/.github/workflows/ruby.yml"));
	assert_false(sw_source_rubysec.wants("spec/schemas/gem.yml"));
	assert_false(sw_source_rubysec.wants("gems/rack/README.md"));
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_rubysec (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_database),
		cmocka_unit_test(test_bad_advisories),
		cmocka_unit_test(test_wants),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
