/* test_lang_ruby.c - installed gemspecs and Gemfile.lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_lang_common.h"

static const struct sw_analyzer *R = &sw_analyzer_gem;
#define BP "pkg/dependency/parser/ruby/bundler/testdata/"

static void test_wants(void **state)
{
	(void)state;
	assert_true(R->wants("usr/local/bundle/specifications/rake-13.0.6.gemspec", 0644, 1));
	assert_true(R->wants("var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec", 0644, 1));
	assert_false(R->wants("var/lib/gems/3.1.0/specifications/other/json-2.6.1.gemspec", 0644, 1));
	assert_false(R->wants("default/json-2.6.1.gemspec", 0644, 1));
	assert_true(R->wants("specifications/x-1.gemspec", 0644, 1));
	assert_true(R->wants("app/Gemfile.lock", 0644, 1));
	assert_true(R->wants("app/gems.locked", 0644, 1));
	assert_false(R->wants("app/x.gemspec", 0644, 1));
	assert_false(R->wants("app/myspecifications/x.gemspec", 0644, 1));
	assert_false(R->wants("app/Gemfile", 0644, 1));
}

static const char rake_spec[] =
	"# -*- encoding: utf-8 -*-\n"
	"# stub: rake 13.0.6 ruby lib\n\n"
	"Gem::Specification.new do |s|\n"
	"  s.name = \"rake\".freeze\n"
	"  s.version = \"13.0.6\"\n\n"
	"  s.required_rubygems_version = Gem::Requirement.new(\">= 1.3.2\".freeze) if s.respond_to? :required_rubygems_version=\n"
	"  s.metadata = { \"bug_tracker_uri\" => \"https://example.test/rake/issues\" } if s.respond_to? :metadata=\n"
	"  s.authors = [\"Hiroshi SHIBATA\".freeze, \"Eric Hodel\".freeze]\n"
	"  s.licenses = [\"MIT\".freeze, 'Ruby'.freeze]\n"
	"  s.summary = \"Rake is a Make-like program\".freeze\n"
	"end\n";

static void test_gemspec(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_str(R, "usr/local/bundle/specifications/rake-13.0.6.gemspec", rake_spec, &l);
	assert_int_equal(l.pkgs.len, 1);
	assert_int_equal(l.warnings.len, 0);
	struct sw_package *p = l.pkgs.items[0];
	assert_string_equal(p->type, "gem");
	assert_string_equal(p->name, "rake");
	assert_string_equal(p->version, "13.0.6");
	assert_int_equal(p->licenses.len, 2);
	assert_string_equal(p->licenses.items[0], "MIT");
	assert_string_equal(p->licenses.items[1], "Ruby");
	assert_string_equal(p->path, "usr/local/bundle/specifications/rake-13.0.6.gemspec");
	sw_pkglist_release(&l);

	/* old style: %q{}, single license, spec variable not "s" */
	lt_parse_str(R, "a/specifications/x.gemspec",
		     "Gem::Specification.new do |spec|\n  spec.name = %q{activesupport}\n"
		     "  spec.version = '6.1.4.1'\n  spec.license = \"MIT\"\n  spec.name == \"nope\"\nend\n", &l);
	assert_int_equal(l.pkgs.len, 1);
	lt_has(&l, NULL, "activesupport", "6.1.4.1");
	assert_true(lt_has_license(l.pkgs.items[0], "MIT"));
	sw_pkglist_release(&l);

	/* version computed: fall back to the stub line */
	lt_parse_str(R, "a/specifications/x.gemspec",
		     "# stub: nokogiri 1.15.4 x86_64-linux lib\nGem::Specification.new do |s|\n"
		     "  s.name = \"nokogiri\".freeze\n  s.version = Gem::Version.new(VERSION)\nend\n", &l);
	lt_has(&l, NULL, "nokogiri", "1.15.4");
	sw_pkglist_release(&l);

	/* broken */
	lt_parse_str(R, "a/specifications/bad.gemspec", "Gem::Specification.new do |s|\n  s.name = \"unterminated\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "a/specifications/bad.gemspec: no gem name found"));
	sw_pkglist_release(&l);
	lt_parse_str(R, "a/specifications/bad.gemspec", "s.name = \"x\"\ns.version = VERSION\n", &l);
	assert_true(lt_warned(&l, "gem 'x' has no literal version"));
	sw_pkglist_release(&l);
	lt_parse_str(R, "a/specifications/bad.gemspec", "s.name = \"a b\"\ns.version = \"1\"\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
	lt_parse_mem(R, "a/specifications/bad.gemspec", "s.name\0", 7, &l);
	assert_true(lt_warned(&l, "binary data"));
	sw_pkglist_release(&l);
}

static void test_gemfile_lock(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_str(R, "app/Gemfile.lock",
		     "PATH\n  remote: .\n  specs:\n    myapp (0.1.0)\n\n"
		     "GIT\n  remote: https://example.test/x.git\n  revision: abc\n  specs:\n    gitgem (2.0.0)\n\n"
		     "GEM\n  remote: https://example.test/\n  specs:\n    nokogiri (1.13.6-x86_64-linux)\n      racc (~> 1.4)\n"
		     "    racc (1.6.0)\n    bad line\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n", &l);
	static const char *const want[] = { "gitgem@2.0.0", "nokogiri@1.13.6", "racc@1.6.0" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_true(((struct sw_package *)l.pkgs.items[0])->flags & SW_PKG_DECLARED);
	assert_true(lt_warned(&l, "app/Gemfile.lock: bad spec line '    bad line'"));
	sw_pkglist_release(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const b2[] = { "coderay@1.1.3", "concurrent-ruby@1.1.10", "dotenv@2.7.6", "faker@2.21.0",
					  "i18n@1.10.0", "json@2.6.2", "method_source@1.0.0", "pry@0.14.1" };
	lt_parse_file(R, BP "Gemfile_bundler2.lock", "app/Gemfile.lock", &l);
	lt_expect_exact(&l, b2, LT_N(b2));
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	static const char *const normal[] = { "coderay@1.1.2", "concurrent-ruby@1.1.5", "dotenv@2.7.2", "faker@1.9.3",
					      "i18n@1.6.0", "method_source@0.9.2", "pry@0.12.2" };
	lt_parse_file(R, BP "Gemfile_normal.lock", "app/Gemfile.lock", &l);
	lt_expect_exact(&l, normal, LT_N(normal));
	sw_pkglist_release(&l);
	lt_parse_file(R, BP "Gemfile_malformed.lock", "app/Gemfile.lock", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/Gemfile.lock: no GEM section: not a Gemfile.lock"));
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_gemspec),
		cmocka_unit_test(test_gemfile_lock),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(BP);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
