/* test_lang_php.c - Composer installed.json and composer.lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_lang_common.h"

static const struct sw_analyzer *P = &sw_analyzer_composer;
#define CF "pkg/fanal/analyzer/language/php/composer/testdata/"
#define CP "pkg/dependency/parser/php/composer/testdata/"

static void test_wants(void **state)
{
	(void)state;
	assert_true(P->wants("var/www/vendor/composer/installed.json", 0644, 1));
	assert_true(P->wants("vendor/composer/installed.json", 0644, 1));
	assert_true(P->wants("var/www/composer.lock", 0644, 1));
	assert_false(P->wants("var/www/composer.json", 0644, 1));
	assert_false(P->wants("var/www/installed.json", 0644, 1));
}

static void test_edge(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	/* installed.json v1: a bare array */
	lt_parse_str(P, "vendor/composer/installed.json",
		     "[{\"name\":\"monolog/monolog\",\"version\":\"2.9.1\",\"license\":\"MIT\"},"
		     "{\"name\":\"nover/x\"},{\"name\":\"single\",\"version\":\"1.0\"}]", &l);
	static const char *const want[] = { "monolog/monolog@2.9.1", "single@1.0" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_true(lt_has_license(lt_find(&l, "monolog", "monolog", NULL), "MIT"));
	assert_int_equal(lt_find(&l, "monolog", "monolog", NULL)->flags, 0);
	assert_true(lt_warned(&l, "vendor/composer/installed.json: packages[1] has no name or version"));
	sw_pkglist_release(&l);
	/* v2 with dev-package-names */
	lt_parse_str(P, "vendor/composer/installed.json",
		     "{\"packages\":[{\"name\":\"a/b\",\"version\":\"1.0.0\"},{\"name\":\"c/d\",\"version\":\"2.0.0\"}],"
		     "\"dev\":true,\"dev-package-names\":[\"c/d\"]}", &l);
	assert_int_equal(l.pkgs.len, 2);
	assert_false(lt_find(&l, "a", "b", NULL)->flags & SW_PKG_DEV);
	assert_true(lt_find(&l, "c", "d", NULL)->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);
	lt_parse_str(P, "composer.lock", "{\"content-hash\":\"x\"}", &l);
	assert_true(lt_warned(&l, "composer.lock: no 'packages' array"));
	sw_pkglist_release(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const happy[] = { "pear/log@1.13.3", "pear/pear_exception@v1.0.2" };
	lt_parse_file(P, CF "composer-vendor/happy/installed.json", "app/vendor/composer/installed.json", &l);
	lt_expect_exact(&l, happy, LT_N(happy));
	struct sw_package *p = lt_find(&l, "pear", "log", NULL);
	assert_string_equal(p->type, "composer");
	assert_int_equal(p->flags, 0);
	assert_true(lt_has_license(p, "MIT"));
	assert_true(lt_has_license(lt_find(&l, "pear", "pear_exception", NULL), "BSD-2-Clause"));
	sw_pkglist_release(&l);

	lt_parse_file(P, CF "composer/happy/composer.lock", "app/composer.lock", &l);
	lt_expect_exact(&l, happy, LT_N(happy));
	assert_int_equal(lt_find(&l, "pear", "log", NULL)->flags, SW_PKG_DECLARED);
	sw_pkglist_release(&l);

	static const char *const dev[] = { "psr/log@1.1.4", "pear/log@1.14.6", "pear/pear_exception@v1.0.2" };
	lt_parse_file(P, CF "composer/with-dev/composer.lock", "app/composer.lock", &l);
	lt_expect_exact(&l, dev, LT_N(dev));
	assert_false(lt_find(&l, "psr", "log", NULL)->flags & SW_PKG_DEV);
	assert_true(lt_find(&l, "pear", "log", NULL)->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);

	static const char *const big[] = {
		"guzzlehttp/guzzle@6.5.8", "guzzlehttp/promises@1.5.2", "guzzlehttp/psr7@1.9.0",
		"psr/http-message@1.0.1", "ralouphie/getallheaders@3.0.3", "symfony/polyfill-intl-idn@v1.27.0",
		"symfony/polyfill-intl-normalizer@v1.27.0", "symfony/polyfill-php72@v1.27.0",
		"pear/log@1.13.3", "pear/pear_exception@v1.0.2",
	};
	lt_parse_file(P, CP "composer_happy.lock", "app/composer.lock", &l);
	lt_expect_exact(&l, big, LT_N(big));
	/* licence as a plain string */
	assert_true(lt_has_license(lt_find(&l, "symfony", "polyfill-php72", NULL), "MIT or BSD-2-Clause"));
	sw_pkglist_release(&l);

	static const char *const sad[] = { CF "composer-vendor/sad/installed.json", CF "composer/sad/composer.lock" };
	for (size_t i = 0; i < LT_N(sad); i++) {
		lt_parse_file(P, sad[i], "app/composer.lock", &l);
		assert_int_equal(l.pkgs.len, 0);
		assert_true(lt_warned(&l, "app/composer.lock: invalid json"));
		sw_pkglist_release(&l);
	}
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
	lt_extract(CF " " CP);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
