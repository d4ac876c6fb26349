/* test_src_amazon.c - the Amazon Linux ALAS page importer on vunnel's
 * saved pages (../shared/data/vuln/vendor-fixtures) and malformed pages. */
#include "test_src_common.h"

static const char *shared;

#define NEED_SHARED() assert_non_null(shared)

static void test_fixture_pages(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = extract_shared(shared, "vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz");
	static const struct { const char *file, *id, *want; } pages[] = {
		{ "2_html/ALAS-2018-939", "ALAS-2018-939",
		  "A Amazon Linux:2 kernel fixed fixed=4.9.76-38.79.amzn2 sev=Critical\n" },
		{ "2022_html/ALAS-2021-001", "ALAS-2021-001", "A Amazon Linux:2022 vim fixed fixed=8.2.3512-1.amzn2022 sev=Medium\n" },
		{ "2023_html/ALAS-2023-126", "ALAS-2023-126",
		  "A Amazon Linux:2023 device-mapper-multipath fixed fixed=0.8.7-16.amzn2023.0.1 sev=Important\n" },
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char *f = sw_xasprintf("%s/tests/unit/providers/amazon/test-fixtures/input/%s", dir, pages[i].file);
		struct rec_sink s = { 0 };
		struct sw_err err = SW_ERR_INIT;
		assert_true(sw_source_amazon.wants(f));
		if (import_path(&sw_source_amazon, f, NULL, &s, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(s.bad.len, 0);
		assert_int_equal(s.n_vuln, 1);
		assert_rec_has(&s, pages[i].id, "src=amazon", pages[i].want);
		free(f);
		rec_release(&s);
	}
	remove_tree(dir);
}

static void test_bad_pages(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_amazon, "ALAS-1", "<html>Not Found</html>", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'ALAS-1': not an Amazon Linux advisory page"));
	/* no source package: a bad record, nothing stored */
	assert_int_equal(import_str(&sw_source_amazon, "ALAS-2",
				    "Amazon Linux 2 Security Advisory: ALAS-2024-2 <div id='new_packages'><pre>x86_64:<br />"
				    " curl-1-2.x86_64</pre></div>", &s, &err), 0);
	assert_true(rec_bad_has(&s, "ALAS-2", "ALAS-2024-2", "no source package"));
	assert_int_equal(s.n_vuln, 0);
	assert_true(sw_source_amazon.html);
	assert_false(sw_source_amazon.wants("x/index.html"));
	rec_release(&s);
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_amazon (vendor fixtures)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_pages),
		cmocka_unit_test(test_bad_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
