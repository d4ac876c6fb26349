/* test_lang_dotnet.c - .NET *.deps.json and packages.lock.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_lang_common.h"

static const struct sw_analyzer *N = &sw_analyzer_nuget;
#define DP "pkg/dependency/parser/dotnet/core_deps/testdata/"
#define LP "pkg/dependency/parser/nuget/lock/testdata/"
#define DF "pkg/fanal/analyzer/language/dotnet/"

static void test_wants(void **state)
{
	(void)state;
	assert_true(N->wants("app/MyApp.deps.json", 0644, 1));
	assert_true(N->wants("src/packages.lock.json", 0644, 1));
	assert_false(N->wants("app/.deps.json", 0644, 1));
	assert_false(N->wants("app/MyApp.runtimeconfig.json", 0644, 1));
	assert_false(N->wants("app/packages.config", 0644, 1));
}

static void test_edge(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_str(N, "app/a.deps.json",
		     "{\"libraries\":{\"Good/1.0.0\":{\"type\":\"package\"},\"bad\":{\"type\":\"package\"},"
		     "\"Proj/1.0.0\":{\"type\":\"project\"},\"x/y/z\":{\"type\":\"package\"}}}", &l);
	static const char *const want[] = { "Good@1.0.0" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_true(lt_warned(&l, "app/a.deps.json: library key 'bad' is not 'Name/Version'"));
	assert_true(lt_warned(&l, "library key 'x/y/z'"));
	sw_pkglist_release(&l);
	lt_parse_str(N, "app/a.deps.json", "[]", &l);
	assert_true(lt_warned(&l, "app/a.deps.json: not a json object"));
	sw_pkglist_release(&l);
	lt_parse_str(N, "app/a.deps.json", "{\"x\":1}", &l);
	assert_true(lt_warned(&l, "not a deps.json"));
	sw_pkglist_release(&l);
	lt_parse_str(N, "packages.lock.json",
		     "{\"version\":1,\"dependencies\":{\"net6.0\":{\"A\":{\"type\":\"Direct\",\"resolved\":\"1.0.0\"},"
		     "\"B\":{\"type\":\"Transitive\"}},\"net8.0\":{\"A\":{\"type\":\"Direct\",\"resolved\":\"1.0.0\"}}}}", &l);
	assert_int_equal(l.pkgs.len, 1);
	assert_true(lt_warned(&l, "packages.lock.json: 'B' has no resolved version"));
	sw_pkglist_release(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const nj13[] = { "Newtonsoft.Json@13.0.1" };
	static const char *const nj133[] = { "Newtonsoft.Json@13.0.3" };
	static const struct {
		const char *file;
		const char *const *want;
		size_t n;
	} cases[] = {
		{ "happy.deps.json", nj13, 1 },          { "missing-target.deps.json", nj13, 1 },
		{ "self-contained.deps.json", nj13, 1 }, { "ambiguous-root.deps.json", nj133, 1 },
		{ "multi-project.deps.json", nj133, 1 }, { "no-libraries.deps.json", NULL, 0 },
	};
	for (size_t i = 0; i < LT_N(cases); i++) {
		char *rel = sw_xasprintf(DP "%s", cases[i].file);
		lt_parse_file(N, rel, "app/App.deps.json", &l);
		lt_expect_exact(&l, cases[i].want, cases[i].n);
		assert_int_equal(l.warnings.len, 0);
		free(rel);
		sw_pkglist_release(&l);
	}
	static const char *const wr[] = { "JsonDiffPatch@2.0.61", "Libuv@1.9.1", "Microsoft.NETCore.App@1.1.2",
					  "Microsoft.NETCore.Platforms@1.1.0", "NETStandard.Library@1.6.0",
					  "System.Collections.Immutable@1.3.0", "System.Net.Http@4.1.0" };
	lt_parse_file(N, DP "without-runtime.deps.json", "app/App.deps.json", &l);
	lt_expect_exact(&l, wr, LT_N(wr));
	assert_string_equal(((struct sw_package *)l.pkgs.items[0])->type, "nuget");
	assert_int_equal(((struct sw_package *)l.pkgs.items[0])->flags, 0);
	sw_pkglist_release(&l);
	lt_parse_file(N, DP "invalid.deps.json", "app/App.deps.json", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/App.deps.json: invalid json"));
	sw_pkglist_release(&l);
	static const char *const dc[] = { "Newtonsoft.Json@9.0.1" };
	lt_parse_file(N, DF "deps/testdata/datacollector.deps.json", "app/datacollector.deps.json", &l);
	lt_expect_exact(&l, dc, LT_N(dc));
	sw_pkglist_release(&l);

	static const char *const simple[] = { "Newtonsoft.Json@12.0.3", "NuGet.Frameworks@5.7.0" };
	lt_parse_file(N, LP "packages_lock_simple.json", "src/packages.lock.json", &l);
	lt_expect_exact(&l, simple, LT_N(simple));
	assert_true(((struct sw_package *)l.pkgs.items[0])->flags & SW_PKG_DECLARED);
	sw_pkglist_release(&l);
	lt_parse_file(N, DF "nuget/testdata/lock/packages.lock.json", "src/packages.lock.json", &l);
	lt_expect_exact(&l, simple, LT_N(simple));
	sw_pkglist_release(&l);
	static const char *const legacy[] = { "AWSSDK.Core@3.5.1.30", "Newtonsoft.Json@12.0.3" }; /* Project skipped */
	lt_parse_file(N, LP "packages_lock_legacy.json", "src/packages.lock.json", &l);
	lt_expect_exact(&l, legacy, LT_N(legacy));
	sw_pkglist_release(&l);
	lt_parse_file(N, LP "packages_lock_subdependencies.json", "src/packages.lock.json", &l);
	assert_int_equal(l.pkgs.len, 8);
	lt_has(&l, NULL, "Swashbuckle.AspNetCore.Swagger", "5.5.1");
	lt_has(&l, NULL, "Microsoft.OpenApi", "1.1.4");
	sw_pkglist_release(&l);
	lt_parse_file(N, LP "packages_lock_multi.json", "src/packages.lock.json", &l);
	assert_int_equal(l.pkgs.len, 40);
	lt_has(&l, NULL, "AWSSDK.Core", "3.5.1.30");
	lt_has(&l, NULL, "Microsoft.CSharp", "4.3.0");
	sw_pkglist_release(&l);
	lt_parse_file(N, DF "nuget/testdata/lock-without-deps/packages.lock.json", "src/packages.lock.json", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	lt_parse_file(N, DF "nuget/testdata/sad/invalid.txt", "src/packages.lock.json", &l);
	assert_true(lt_warned(&l, "src/packages.lock.json: invalid json"));
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_edge),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(DP " " LP " " DF);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
