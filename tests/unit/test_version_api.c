/*
 * test_version_api.c - the version API without shared data: scheme names
 * and mappings, hand-checked orderings for the schemes that have no
 * upstream vector file here (RubyGems, NuGet, Composer, Go, SemVer,
 * Cargo), bad inputs for every parser, OSV range evaluation, requirement
 * expressions and RPM label parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/mem.h"
#include "version/version.h"

static enum sw_vscheme S(const char *name)
{
	enum sw_vscheme s;
	if (sw_vscheme_from_name(name, &s) < 0)
		fail_msg("unknown scheme %s", name);
	return s;
}

static int C(const char *scheme, const char *a, const char *b)
{
	int c = 99;
	struct sw_err err = SW_ERR_INIT;
	if (sw_version_compare(S(scheme), a, b, &c, &err) < 0)
		fail_msg("%s: compare('%s', '%s') failed: %s", scheme, a, b, err.msg);
	int r = 99;
	assert_int_equal(sw_version_compare(S(scheme), b, a, &r, NULL), 0);
	if (r != -c)
		fail_msg("%s: compare('%s','%s') = %d but reverse = %d", scheme, a, b, c, r);
	return c;
}

static void test_names(void **state)
{
	(void)state;
	static const char *const names[] = { "dpkg", "rpm", "apk", "pep440", "semver", "npm", "go",
					     "maven", "gem", "nuget", "composer", "cargo" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum sw_vscheme s;
		assert_int_equal(sw_vscheme_from_name(names[i], &s), 0);
		assert_string_equal(sw_vscheme_name(s), names[i]);
	}
	enum sw_vscheme s;
	assert_true(sw_vscheme_from_name("cobol", &s) < 0);
	assert_true(sw_vscheme_from_name(NULL, &s) < 0);
	assert_string_equal(sw_vscheme_name((enum sw_vscheme)99), "unknown");

	static const struct { const char *eco; enum sw_vscheme s; } ecos[] = {
		{ "PyPI", SW_VS_PEP440 }, { "npm", SW_VS_NPM }, { "Go", SW_VS_GO },
		{ "crates.io", SW_VS_CARGO }, { "Maven", SW_VS_MAVEN }, { "RubyGems", SW_VS_GEM },
		{ "NuGet", SW_VS_NUGET }, { "Packagist", SW_VS_COMPOSER }, { "Debian:12", SW_VS_DPKG },
		{ "Ubuntu:22.04", SW_VS_DPKG }, { "Ubuntu:Pro:18.04:LTS", SW_VS_DPKG },
		{ "Alpine:v3.18", SW_VS_APK }, { "Red Hat:enterprise_linux:9", SW_VS_RPM },
		{ "Rocky Linux:9", SW_VS_RPM }, { "AlmaLinux:9", SW_VS_RPM }, { "SUSE:Linux Enterprise Server 15", SW_VS_RPM },
		{ "openSUSE:Tumbleweed", SW_VS_RPM }, { "Mariner", SW_VS_RPM }, { "Azure Linux", SW_VS_RPM },
		{ "Wolfi", SW_VS_APK }, { "Chainguard", SW_VS_APK },
	};
	for (size_t i = 0; i < sizeof(ecos) / sizeof(ecos[0]); i++) {
		s = (enum sw_vscheme)99;
		if (sw_vscheme_for_ecosystem(ecos[i].eco, &s) < 0 || s != ecos[i].s)
			fail_msg("ecosystem %s -> %d", ecos[i].eco, (int)s);
	}
	assert_true(sw_vscheme_for_ecosystem("Debianish", &s) < 0);
	assert_true(sw_vscheme_for_ecosystem("GIT", &s) < 0);
	static const struct { const char *t; enum sw_vscheme s; } purls[] = {
		{ "deb", SW_VS_DPKG }, { "rpm", SW_VS_RPM }, { "apk", SW_VS_APK }, { "pypi", SW_VS_PEP440 },
		{ "npm", SW_VS_NPM }, { "golang", SW_VS_GO }, { "cargo", SW_VS_CARGO }, { "maven", SW_VS_MAVEN },
		{ "gem", SW_VS_GEM }, { "nuget", SW_VS_NUGET }, { "composer", SW_VS_COMPOSER },
	};
	for (size_t i = 0; i < sizeof(purls) / sizeof(purls[0]); i++) {
		assert_int_equal(sw_vscheme_for_purl_type(purls[i].t, &s), 0);
		assert_int_equal(s, purls[i].s);
	}
	assert_true(sw_vscheme_for_purl_type("oci", &s) < 0);
}

static void test_gem(void **state)
{
	(void)state;
	assert_int_equal(C("gem", "1.0.0", "1"), 0);
	assert_int_equal(C("gem", "1.0.a", "1.0"), -1);
	assert_int_equal(C("gem", "1.0-rc1", "1.0"), -1);
	assert_int_equal(C("gem", "1.0-rc1", "1.0.pre.rc1"), 0);
	assert_int_equal(C("gem", "1.0.0.pre1", "1.0.0.pre2"), -1);
	assert_int_equal(C("gem", "1.9", "1.10"), -1);
	assert_int_equal(C("gem", "1.0.b1", "1.0.a2"), 1);
	assert_int_equal(C("gem", "1.0.a10", "1.0.a9"), 1);
	assert_int_equal(C("gem", "", "0"), 0);
	assert_int_equal(C("gem", " 1.2 ", "1.2"), 0);
	assert_int_equal(C("gem", "1.a.0.b", "1.a.b"), 1);
	assert_int_equal(C("gem", "5.2.4.3", "5.2.4"), 1);
	assert_int_equal(C("gem", "99999999999999999999.1", "99999999999999999999"), 1);
}

static void test_nuget(void **state)
{
	(void)state;
	assert_int_equal(C("nuget", "1.0", "1.0.0.0"), 0);
	assert_int_equal(C("nuget", "1.0.0-ALPHA", "1.0.0-alpha"), 0);
	assert_int_equal(C("nuget", "1.0.0-alpha.2", "1.0.0-alpha.10"), -1);
	assert_int_equal(C("nuget", "1.0.0+meta", "1.0.0"), 0);
	assert_int_equal(C("nuget", "1.0.0-1", "1.0.0-a"), -1);
	assert_int_equal(C("nuget", "1.2.3.4", "1.2.3"), 1);
	assert_int_equal(C("nuget", "1.0.0-beta", "1.0.0"), -1);
	assert_int_equal(C("nuget", "1.0.0-beta", "1.0.0-beta.1"), -1);
}

static void test_composer(void **state)
{
	(void)state;
	assert_int_equal(C("composer", "1.0.0", "v1.0"), 0);
	assert_int_equal(C("composer", "1.0.0-beta.2", "1.0.0-beta2"), 0);
	assert_int_equal(C("composer", "1.0-RC1", "1.0.0"), -1);
	assert_int_equal(C("composer", "1.0.0-alpha", "1.0.0-beta"), -1);
	assert_int_equal(C("composer", "1.0.0-b1", "1.0.0-beta1"), 0);
	assert_int_equal(C("composer", "1.0-p1", "1.0"), 1);
	assert_int_equal(C("composer", "1.0-pl1", "1.0-patch1"), 0);
	assert_int_equal(C("composer", "1.0-dev", "1.0-alpha"), -1);
	assert_int_equal(C("composer", "2010-01-02", "2010.01.03"), -1);
	assert_int_equal(C("composer", "1.0.0.0", "1.0.0"), 0);
	assert_int_equal(C("composer", "1.0.0+build5", "1.0.0"), 0);
	assert_int_equal(C("composer", "1.0.0@beta", "1.0.0"), 0);
	assert_int_equal(C("composer", "1.10.0", "1.9.0"), 1);
	assert_true(sw_version_validate(SW_VS_COMPOSER, "dev-master", NULL) < 0);
	assert_true(sw_version_validate(SW_VS_COMPOSER, "1.0.0-gamma", NULL) < 0);
}

static void test_semver_go_cargo(void **state)
{
	(void)state;
	assert_int_equal(C("go", "v1.2.3", "1.2.3"), 0);
	assert_int_equal(C("go", "v1.2.3+incompatible", "v1.2.3"), 0);
	assert_int_equal(C("go", "v2.0.0+incompatible", "v1.9.9"), 1);
	assert_int_equal(C("go", "v0.0.0-20210101000000-abcdefabcdef", "v0.0.1"), -1);
	assert_int_equal(C("go", "v1.2.4-0.20210101000000-abcdefabcdef", "v1.2.3"), 1);
	assert_int_equal(C("go", "v1.2.4-0.20210101000000-abcdefabcdef", "v1.2.4"), -1);
	assert_int_equal(C("go", "v1.2", "v1.2.0"), 0);
	assert_int_equal(C("go", "v1", "v1.0.0"), 0);
	assert_true(sw_version_validate(SW_VS_GO, "1.2", NULL) < 0);   /* shorthand needs the v */
	assert_true(sw_version_validate(SW_VS_GO, "v1.2-pre", NULL) < 0);
	assert_true(sw_version_validate(SW_VS_SEMVER, "v1.2.3", NULL) < 0);
	assert_true(sw_version_validate(SW_VS_SEMVER, "1.2.3-01", NULL) < 0);
	assert_true(sw_version_validate(SW_VS_SEMVER, "01.2.3", NULL) < 0);
	assert_int_equal(sw_version_validate(SW_VS_NPM, " v1.2.3 ", NULL), 0);
	assert_true(sw_version_validate(SW_VS_NPM, "1.2.3.4", NULL) < 0);
	assert_true(sw_version_validate(SW_VS_NPM, "9007199254740992.0.0", NULL) < 0);
	assert_int_equal(C("cargo", "1.0.0-alpha", "1.0.0"), -1);
	assert_int_equal(C("cargo", "1.0.0-alpha.1", "1.0.0-alpha.beta"), -1);
	assert_int_equal(C("cargo", "1.0.0-beta.11", "1.0.0-beta.2"), 1);
	assert_int_equal(C("semver", "1.0.0+build.1", "1.0.0+build.2"), 0);
	assert_int_equal(C("npm", "1.0.0", "v1.0.0"), 0);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	static const struct { const char *scheme, *v; } bad[] = {
		{ "dpkg", "" }, { "dpkg", "a1.0" }, { "dpkg", "1.0 1" }, { "dpkg", ":1.0" }, { "dpkg", "x:1.0" },
		{ "dpkg", "1:" }, { "dpkg", "1.0-" }, { "dpkg", "1.0_1" }, { "dpkg", "99999999999:1" },
		{ "rpm", "" }, { "rpm", "1.0-" }, { "rpm", ":1.0" }, { "rpm", "1:2:3" }, { "rpm", "1 0" },
		{ "rpm", "1.0-1-2" }, { "rpm", "-1" },
		{ "apk", "" }, { "apk", "a" }, { "apk", "_pre1" }, { "apk", "1.0 " },
		{ "pep440", "" }, { "pep440", "1.0.x" }, { "pep440", "french toast" }, { "pep440", "1.0+" },
		{ "pep440", "1.0+a..b" }, { "pep440", "1!" }, { "pep440", "1.0-" },
		{ "npm", "" }, { "npm", "1.2" }, { "npm", "1.2.3-" }, { "npm", "1.2.3+" }, { "npm", "a.b.c" },
		{ "maven", "" }, { "maven", "1.0 beta" },
		{ "gem", "1.0 beta" }, { "gem", "junk" }, { "gem", "1..2" },
		{ "nuget", "" }, { "nuget", "1.2.3.4.5" }, { "nuget", "1.0.0-" }, { "nuget", "99999999999.0" },
		{ "composer", "" }, { "composer", "foo" }, { "composer", "1.0.0-gamma" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sw_err err = SW_ERR_INIT;
		enum sw_vscheme s = S(bad[i].scheme);
		if (sw_version_validate(s, bad[i].v, &err) == 0)
			fail_msg("%s: '%s' should not parse", bad[i].scheme, bad[i].v);
		assert_int_equal(err.code, SW_E_FORMAT);
		/* the message names the string and the scheme */
		char *want = sw_xasprintf("'%s' is not a valid %s version: ", bad[i].v, sw_vscheme_name(s));
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("message '%s' does not start with '%s'", err.msg, want);
		free(want);
		int c = 7;
		assert_true(sw_version_compare(s, bad[i].v, "1", &c, NULL) < 0);
		assert_true(sw_version_compare(s, "1.0.0", bad[i].v, &c, NULL) < 0);
		assert_int_equal(c, 7);   /* untouched on failure */
	}
	/* Very long and binary input: an error, never a crash. */
	char *big = sw_xmalloc(5000);
	memset(big, '1', 4999);
	big[4999] = 0;
	for (int s = 0; s < SW_VS_COUNT_; s++) {
		int c;
		assert_true(sw_version_compare((enum sw_vscheme)s, big, "1", &c, NULL) < 0);
		assert_true(sw_version_compare((enum sw_vscheme)s, "1\x01\xff", "1", &c, NULL) < 0);
	}
	free(big);
	int c;
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_version_compare((enum sw_vscheme)42, "1", "1", &c, &err) < 0);
	assert_int_equal(err.code, SW_E_USAGE);
}

static struct sw_range *R(const char *type, const char *spec)
{
	/* spec: "i:0 f:1.2 l:1.5 x:2.0" */
	struct sw_range *r = sw_range_new(type);
	char *dup = sw_xstrdup(spec);
	for (char *t = dup, *sp; t && *t; t = sp ? sp + 1 : NULL) {
		sp = strchr(t, ' ');
		if (sp)
			*sp = 0;
		enum sw_event_kind k = t[0] == 'i' ? SW_EV_INTRODUCED : t[0] == 'f' ? SW_EV_FIXED :
				       t[0] == 'l' ? SW_EV_LAST_AFFECTED : SW_EV_LIMIT;
		sw_range_add_event(r, k, t + 2);
	}
	free(dup);
	return r;
}

static bool osv(const char *scheme, const char *v, const char *type, const char *spec)
{
	struct sw_vec ranges = SW_VEC_INIT;
	sw_vec_push(&ranges, R(type, spec));
	bool hit = false;
	struct sw_err err = SW_ERR_INIT;
	if (sw_version_affected_osv(S(scheme), v, &ranges, NULL, &hit, &err) < 0)
		fail_msg("osv %s %s [%s]: %s", scheme, v, spec, err.msg);
	sw_range_free(ranges.items[0]);
	sw_vec_release(&ranges);
	return hit;
}

static void test_osv(void **state)
{
	(void)state;
	assert_true(osv("pep440", "2.1", "ECOSYSTEM", "i:0 f:2.2"));
	assert_false(osv("pep440", "2.2", "ECOSYSTEM", "i:0 f:2.2"));
	assert_false(osv("pep440", "2.2.0", "ECOSYSTEM", "i:0 f:2.2"));
	assert_true(osv("pep440", "2.2rc1", "ECOSYSTEM", "i:0 f:2.2"));
	assert_true(osv("npm", "1.5.0", "SEMVER", "i:1.0.0 l:1.5.0"));
	assert_false(osv("npm", "1.5.1", "SEMVER", "i:1.0.0 l:1.5.0"));
	assert_false(osv("npm", "0.9.0", "SEMVER", "i:1.0.0 l:1.5.0"));
	/* several pairs, given out of order */
	assert_true(osv("npm", "2.1.0", "SEMVER", "i:2.0.0 f:2.2.0 i:1.0.0 f:1.5.0"));
	assert_false(osv("npm", "1.7.0", "SEMVER", "i:2.0.0 f:2.2.0 i:1.0.0 f:1.5.0"));
	assert_true(osv("npm", "1.2.0", "SEMVER", "i:2.0.0 f:2.2.0 i:1.0.0 f:1.5.0"));
	assert_false(osv("npm", "3.0.0", "SEMVER", "i:2.0.0 f:2.2.0 i:1.0.0 f:1.5.0"));
	/* limit */
	assert_true(osv("go", "1.3.0", "SEMVER", "i:1.0.0 x:2.0.0"));
	assert_false(osv("go", "2.3.0", "SEMVER", "i:1.0.0 x:2.0.0"));
	/* epochs are not dropped */
	assert_false(osv("dpkg", "1:1.0-1", "ECOSYSTEM", "i:0 f:1.2-1"));
	assert_true(osv("dpkg", "1.1-1", "ECOSYSTEM", "i:0 f:1.2-1"));
	assert_true(osv("dpkg", "1.2~rc1-1", "ECOSYSTEM", "i:0 f:1.2-1"));
	assert_false(osv("rpm", "1:1.0-1", "ECOSYSTEM", "i:0 f:1.2-1"));
	assert_true(osv("apk", "1.2.3_rc1-r0", "ECOSYSTEM", "i:0 f:1.2.3-r0"));
	assert_true(osv("maven", "2.14.1", "ECOSYSTEM", "i:2.0-beta9 f:2.15.0"));
	assert_false(osv("maven", "2.15.0", "ECOSYSTEM", "i:2.0-beta9 f:2.15.0"));
	/* SEMVER range on a non-semver scheme uses SemVer */
	assert_true(osv("pep440", "1.2.3", "SEMVER", "i:0 f:1.2.4"));

	/* explicit versions, GIT ranges ignored */
	struct sw_vec ranges = SW_VEC_INIT, versions = SW_VEC_INIT;
	sw_vec_push(&ranges, R("GIT", "i:0 f:abcdef"));
	sw_vec_push_strdup(&versions, "1.0");
	bool hit = false;
	assert_int_equal(sw_version_affected_osv(SW_VS_PEP440, "1.0.0", &ranges, &versions, &hit, NULL), 0);
	assert_true(hit);
	assert_int_equal(sw_version_affected_osv(SW_VS_PEP440, "1.1", &ranges, &versions, &hit, NULL), 0);
	assert_false(hit);
	/* a bad event version or installed version is an error */
	struct sw_err err = SW_ERR_INIT;
	sw_vec_push(&ranges, R("ECOSYSTEM", "i:0 f:not!a!version"));
	assert_true(sw_version_affected_osv(SW_VS_PEP440, "1.1", &ranges, &versions, &hit, &err) < 0);
	assert_non_null(strstr(err.msg, "not!a!version"));
	assert_true(sw_version_affected_osv(SW_VS_PEP440, "x y", NULL, &versions, &hit, NULL) < 0);
	for (size_t i = 0; i < ranges.len; i++)
		sw_range_free(ranges.items[i]);
	sw_vec_release(&ranges);
	sw_vec_free_strings(&versions);

	/* JSON form */
	assert_int_equal(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0",
		"{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.4.1\"}]}", &hit, NULL), 0);
	assert_true(hit);
	assert_int_equal(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0",
		"{\"ranges\":[],\"versions\":[\"1.4.0\"]}", &hit, NULL), 0);
	assert_true(hit);
	assert_true(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0", "{\"events\":[{\"fixed\":}]}", &hit, NULL) < 0);
	assert_true(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0", "{\"events\":[{\"fixed\":1}]}", &hit, NULL) < 0);
	assert_true(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0", "{\"events\":[{}]}", &hit, NULL) < 0);
	assert_true(sw_version_affected_osv_json(SW_VS_NPM, "1.4.0", "42", &hit, NULL) < 0);
}

static bool sat(const char *scheme, const char *v, const char *expr)
{
	bool out = false;
	struct sw_err err = SW_ERR_INIT;
	if (sw_version_satisfies(S(scheme), v, expr, &out, &err) < 0)
		fail_msg("satisfies %s '%s' '%s': %s", scheme, v, expr, err.msg);
	return out;
}

static void test_satisfies(void **state)
{
	(void)state;
	assert_true(sat("npm", "1.4.0", ">=1.2.3 <2 || ^3.0.0"));
	assert_true(sat("npm", "3.9.9", ">=1.2.3 <2 || ^3.0.0"));
	assert_false(sat("npm", "2.0.0", ">=1.2.3 <2 || ^3.0.0"));
	assert_false(sat("npm", "2.0.0-beta.1", "^1.2.3"));
	assert_true(sat("npm", "1.2.3-beta.2", "^1.2.3-beta.1"));
	assert_false(sat("npm", "1.2.4-beta.2", "^1.2.3-beta.1"));
	assert_true(sat("npm", "1.2.9", "1.2.x"));
	assert_true(sat("npm", "1.9.0", "1.2 - 2"));
	assert_true(sat("npm", "0.2.5", "~0.2.3"));
	assert_false(sat("npm", "0.3.0", "^0.2.3"));
	assert_true(sat("npm", "1.0.0", "> 0.9.9 < 1.0.1"));
	assert_true(sat("go", "v1.2.3", ">=1.2.0"));
	assert_true(sat("gem", "5.2.4.4", "~> 5.2.4, >= 5.2.4.3"));
	assert_false(sat("gem", "5.2.4.2", "~> 5.2.4, >= 5.2.4.3"));
	assert_false(sat("gem", "5.3.0", "~> 5.2.4"));
	assert_true(sat("gem", "5.2.5.pre", "~> 5.2.4"));
	assert_true(sat("gem", "1.1", "!= 1.0"));
	assert_false(sat("gem", "2.0.0", "== 2.0, != 2.0.0"));
	assert_true(sat("gem", "3.0", "< 1.0 || >= 3.0"));
	assert_true(sat("pep440", "2.2.1", "~=2.2"));
	assert_false(sat("pep440", "3.0a1", "~=2.2"));
	assert_true(sat("pep440", "1.2.5", "==1.2.*"));
	assert_false(sat("pep440", "1.3", "==1.2.*"));
	assert_true(sat("pep440", "1.3", "!=1.2.*"));
	assert_true(sat("pep440", "1.5", ">=1.0,<2.0"));
	assert_true(sat("composer", "1.2.5", "^1.2"));
	assert_false(sat("composer", "2.0.0", "^1.2"));
	assert_true(sat("composer", "0.3.9", "^0.3"));
	assert_false(sat("composer", "0.4.0", "^0.3"));
	assert_true(sat("composer", "1.5", ">=1.0,<2.0 || >=3.0"));
	assert_true(sat("composer", "3.5", ">=1.0,<2.0 | >=3.0"));
	assert_true(sat("composer", "1.5", "1.0 - 2.0"));
	assert_true(sat("maven", "1.5", "[1.0,2.0)"));
	assert_false(sat("maven", "2.0", "[1.0,2.0)"));
	assert_true(sat("maven", "2.0", "(,1.0],[1.2,)"));
	assert_true(sat("maven", "1.2", "[1.2]"));
	assert_true(sat("dpkg", "1.2-3", "<< 1.2-4"));
	assert_true(sat("nuget", "1.2.3", ">= 1.0, < 2.0"));

	bool out;
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_version_satisfies(SW_VS_NPM, "1.0.0", ">=x.y.z", &out, &err) < 0);
	assert_true(sw_version_satisfies(SW_VS_GEM, "1.0", ">=", &out, &err) < 0);
	assert_true(sw_version_satisfies(SW_VS_GEM, "1.0", "=~ 1.0", &out, &err) < 0);
	assert_true(sw_version_satisfies(SW_VS_GEM, "1.0", "", &out, &err) < 0);
	assert_true(sw_version_satisfies(SW_VS_MAVEN, "1.0", "[1.0,2.0", &out, &err) < 0);
	assert_true(sw_version_satisfies(SW_VS_NPM, "junk", "*", &out, &err) < 0);
}

/* fuzz/corpus/version_range/crash-realloc-dangling-comparator: a range
 * with more comparators than the first allocation held left pointers into
 * the freed array. */
static void test_range_many_comparators(void **state)
{
	(void)state;
	const char *r = ">=1.0.0 <9.0.0 >=1.1.0 <8.0.0 >=1.2.0 <7.0.0 >=1.3.0 <6.0.0 >=1.4.0 <5.0.0 ^1.2 ~1.4";
	assert_true(sat("npm", "1.4.5", r));
	assert_false(sat("npm", "1.5.0", r));
	assert_false(sat("npm", "5.5.0", r));
}

static void test_affected_entry(void **state)
{
	(void)state;
	struct sw_affected *a = sw_affected_new("RubyGems", "rails");
	sw_vec_push_strdup(&a->unaffected_exprs, "~> 5.2.4, >= 5.2.4.3");
	sw_vec_push_strdup(&a->unaffected_exprs, ">= 6.0.2.2");
	bool hit = false;
	assert_int_equal(sw_version_affected(SW_VS_GEM, "5.2.4.2", a, &hit, NULL), 0);
	assert_true(hit);
	assert_int_equal(sw_version_affected(SW_VS_GEM, "5.2.4.3", a, &hit, NULL), 0);
	assert_false(hit);
	assert_int_equal(sw_version_affected(SW_VS_GEM, "6.1", a, &hit, NULL), 0);
	assert_false(hit);
	sw_vec_push_strdup(&a->affected_exprs, ">= 5.0");
	assert_int_equal(sw_version_affected(SW_VS_GEM, "4.2", a, &hit, NULL), 0);
	assert_false(hit);
	assert_int_equal(sw_version_affected(SW_VS_GEM, "5.1", a, &hit, NULL), 0);
	assert_true(hit);
	sw_affected_free(a);

	a = sw_affected_new("PyPI", "x");
	struct sw_range *r = sw_range_new("ECOSYSTEM");
	sw_range_add_event(r, SW_EV_INTRODUCED, "0");
	sw_range_add_event(r, SW_EV_FIXED, "1.0");
	sw_vec_push(&a->ranges, r);
	assert_int_equal(sw_version_affected(SW_VS_PEP440, "0.9", a, &hit, NULL), 0);
	assert_true(hit);
	assert_int_equal(sw_version_affected(SW_VS_PEP440, "1.0", a, &hit, NULL), 0);
	assert_false(hit);
	sw_affected_free(a);
	assert_int_equal(sw_version_affected(SW_VS_PEP440, "1.0", NULL, &hit, NULL), 0);
	assert_false(hit);
}

static void test_rpm_labels(void **state)
{
	(void)state;
	struct sw_rpm_nevra n;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_rpm_nevra_parse("bash-0:5.1.8-6.el9_1.x86_64", true, &n, &err), 0);
	assert_int_equal(n.name_len, 4);
	assert_memory_equal(n.name, "bash", 4);
	assert_true(n.evr.has_epoch);
	assert_int_equal(n.evr.epoch, 0);
	assert_int_equal(n.evr.version_len, 5);
	assert_memory_equal(n.evr.version, "5.1.8", 5);
	assert_memory_equal(n.evr.release, "6.el9_1", 7);
	assert_int_equal(n.arch_len, 6);
	assert_memory_equal(n.arch, "x86_64", 6);
	assert_int_equal(sw_rpm_nevra_parse("python3-libs-3.9.16-1.el9", false, &n, &err), 0);
	assert_int_equal(n.name_len, 12);
	assert_false(n.evr.has_epoch);
	assert_null(n.arch);
	assert_true(sw_rpm_nevra_parse("bash", false, &n, &err) < 0);
	assert_true(sw_rpm_nevra_parse("bash-5.1", false, &n, &err) < 0);
	assert_true(sw_rpm_nevra_parse("bash-5.1-1", true, &n, &err) < 0);
	struct sw_rpm_evr e;
	assert_int_equal(sw_rpm_evr_parse("2:1.0-3", &e, NULL), 0);
	assert_int_equal(e.epoch, 2);
	assert_int_equal(sw_rpm_evr_parse("1.0", &e, NULL), 0);
	assert_null(e.release);
	/* missing epoch is 0; missing release sorts lowest (rpm.labelCompare) */
	assert_int_equal(C("rpm", "0:1.0-1", "1.0-1"), 0);
	assert_int_equal(C("rpm", "1.0", "1.0-1"), -1);
	assert_int_equal(C("rpm", "1:0.1-1", "9.9-9"), 1);
	assert_int_equal(sw_rpm_vercmp("1.0~rc1", 7, "1.0", 3), -1);
	assert_int_equal(sw_rpm_vercmp("1.0^git1", 8, "1.0", 3), 1);
}

/* Order properties on generated strings, for every scheme (the vector
 * test covers the schemes that have upstream vectors; this one also
 * covers RubyGems, NuGet, Composer, Go and Cargo). */
static uint64_t rng_state = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static enum sw_vscheme prop_scheme;
static int prop_cmp(const void *a, const void *b)
{
	int c = 0;
	sw_version_compare(prop_scheme, *(const char *const *)a, *(const char *const *)b, &c, NULL);
	return c;
}

static void test_generated_properties(void **state)
{
	(void)state;
	static const char *const tok[SW_VS_COUNT_][16] = {
		[SW_VS_DPKG] = { "1", "0", "2", "10", ".", "~", "+", "-", "1:", "a", "rc", "~rc", "-1", "+b1", "00", NULL },
		[SW_VS_RPM] = { "1", "0", "2", "10", ".", "~", "^", "_", "-", "1:", "a", "rc", "git", "el9", "01", NULL },
		[SW_VS_APK] = { "1", "0", "2", "10", ".1", "_alpha", "_rc", "_p", "_git", "-r1", "-r0", "a", "~abc", ".01", NULL, NULL },
		[SW_VS_PEP440] = { "1", "0", "2", ".10", "a", "b", "rc", ".post", ".dev", "+loc", ".1", "1!", "-", "_", NULL, NULL },
		[SW_VS_SEMVER] = { "1", "0", "2", "10", ".", "-", "alpha", "+b", ".1", "beta", "-0", ".x", NULL, NULL, NULL, NULL },
		[SW_VS_NPM] = { "1", "0", "2", "10", ".", "-", "alpha", "+b", ".1", "beta", "v", "-0", NULL, NULL, NULL, NULL },
		[SW_VS_GO] = { "v1", "v0", "2", "10", ".", "-", "alpha", "+incompatible", ".1", "20210101", "-0.", NULL, NULL, NULL, NULL, NULL },
		[SW_VS_MAVEN] = { "1", "0", "2", ".", "-", "alpha", "a", "b1", "rc", "sp", "ga", "final", "snapshot", "x", "m", NULL },
		[SW_VS_GEM] = { "1", "0", "2", "10", ".", "-", "a", "pre", "rc", ".0", ".b", NULL, NULL, NULL, NULL, NULL },
		[SW_VS_NUGET] = { "1", "0", "2", "10", ".", "-", "alpha", "Beta", ".1", "+m", "rc", NULL, NULL, NULL, NULL, NULL },
		[SW_VS_COMPOSER] = { "1", "0", "2", "10", ".", "-", "alpha", "beta", "RC", "p", "patch", "-dev", "v", ".1", NULL, NULL },
		[SW_VS_CARGO] = { "1", "0", "2", "10", ".", "-", "alpha", "+b", ".1", "beta", NULL, NULL, NULL, NULL, NULL, NULL },
	};
	for (int sc = 0; sc < SW_VS_COUNT_; sc++) {
		enum sw_vscheme s = (enum sw_vscheme)sc;
		int ntok = 0;
		while (ntok < 16 && tok[sc][ntok])
			ntok++;
		char *vs[160];
		int n = 0, tries = 0;
		while (n < 160 && tries++ < 200000) {
			char buf[64];
			size_t len = 0;
			int parts = 1 + (int)rnd(6);
			for (int k = 0; k < parts; k++) {
				const char *t = tok[sc][rnd((unsigned)ntok)];
				size_t tl = strlen(t);
				if (len + tl >= sizeof(buf))
					break;
				memcpy(buf + len, t, tl);
				len += tl;
			}
			buf[len] = 0;
			if (sw_version_validate(s, buf, NULL) < 0)
				continue;
			bool dup = false;
			for (int k = 0; k < n && !dup; k++)
				dup = strcmp(vs[k], buf) == 0;
			if (!dup)
				vs[n++] = sw_xstrdup(buf);
		}
		assert_true(n >= 40);
		prop_scheme = s;
		qsort(vs, (size_t)n, sizeof(vs[0]), prop_cmp);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) {
				int ab, ba;
				assert_int_equal(sw_version_compare(s, vs[i], vs[j], &ab, NULL), 0);
				assert_int_equal(sw_version_compare(s, vs[j], vs[i], &ba, NULL), 0);
				if (ab != -ba)
					fail_msg("%s: antisymmetry: '%s' '%s'", sw_vscheme_name(s), vs[i], vs[j]);
				if (i < j && ab > 0)
					fail_msg("%s: not transitive around '%s' > '%s'", sw_vscheme_name(s), vs[i], vs[j]);
				if (i == j && ab != 0)
					fail_msg("%s: '%s' is not equal to itself", sw_vscheme_name(s), vs[i]);
			}
		for (int i = 0; i < n; i++)
			free(vs[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_gem),
		cmocka_unit_test(test_nuget),
		cmocka_unit_test(test_composer),
		cmocka_unit_test(test_semver_go_cargo),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_osv),
		cmocka_unit_test(test_satisfies),
		cmocka_unit_test(test_range_many_comparators),
		cmocka_unit_test(test_affected_entry),
		cmocka_unit_test(test_rpm_labels),
		cmocka_unit_test(test_generated_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
