/*
 * version.c - scheme names, ecosystem and purl mappings, and dispatch to
 * the per-scheme comparators.
 */
#include <strings.h>

#include "version/internal.h"

struct scheme_ops {
	const char *name;
	const char *(*check)(const char *v);
	int (*cmp)(const char *a, const char *b, int *out, struct sw_vfail *f);
};

static const struct scheme_ops ops[SW_VS_COUNT_] = {
	[SW_VS_DPKG] = { "dpkg", sw_v_dpkg_check, sw_v_dpkg_cmp },
	[SW_VS_RPM] = { "rpm", sw_v_rpm_check, sw_v_rpm_cmp },
	[SW_VS_APK] = { "apk", sw_v_apk_check, sw_v_apk_cmp },
	[SW_VS_PEP440] = { "pep440", sw_v_pep440_check, sw_v_pep440_cmp },
	[SW_VS_SEMVER] = { "semver", sw_v_semver_check, sw_v_semver_cmp },
	[SW_VS_NPM] = { "npm", sw_v_npm_check, sw_v_npm_cmp },
	[SW_VS_GO] = { "go", sw_v_go_check, sw_v_go_cmp },
	[SW_VS_MAVEN] = { "maven", sw_v_maven_check, sw_v_maven_cmp },
	[SW_VS_GEM] = { "gem", sw_v_gem_check, sw_v_gem_cmp },
	[SW_VS_NUGET] = { "nuget", sw_v_nuget_check, sw_v_nuget_cmp },
	[SW_VS_COMPOSER] = { "composer", sw_v_composer_check, sw_v_composer_cmp },
	[SW_VS_CARGO] = { "cargo", sw_v_semver_check, sw_v_semver_cmp },
};

static const struct { const char *alias; enum sw_vscheme s; } aliases[] = {
	{ "deb", SW_VS_DPKG }, { "debian", SW_VS_DPKG }, { "ubuntu", SW_VS_DPKG },
	{ "alpine", SW_VS_APK }, { "pypi", SW_VS_PEP440 }, { "python", SW_VS_PEP440 },
	{ "golang", SW_VS_GO }, { "rubygems", SW_VS_GEM }, { "packagist", SW_VS_COMPOSER },
	{ "crates.io", SW_VS_CARGO },
};

int sw_vscheme_from_name(const char *name, enum sw_vscheme *out)
{
	if (!name)
		return -1;
	for (int i = 0; i < SW_VS_COUNT_; i++)
		if (strcasecmp(name, ops[i].name) == 0) {
			*out = (enum sw_vscheme)i;
			return 0;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].alias) == 0) {
			*out = aliases[i].s;
			return 0;
		}
	return -1;
}

const char *sw_vscheme_name(enum sw_vscheme s)
{
	if ((unsigned)s < SW_VS_COUNT_)
		return ops[s].name;
	return "unknown";
}

static bool eco_is(const char *eco, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(eco, name, n) == 0 && (eco[n] == 0 || eco[n] == ':');
}

int sw_vscheme_for_ecosystem(const char *eco, enum sw_vscheme *out)
{
	static const struct { const char *eco; enum sw_vscheme s; } map[] = {
		{ "PyPI", SW_VS_PEP440 }, { "npm", SW_VS_NPM }, { "Go", SW_VS_GO },
		{ "crates.io", SW_VS_CARGO }, { "Maven", SW_VS_MAVEN }, { "RubyGems", SW_VS_GEM },
		{ "NuGet", SW_VS_NUGET }, { "Packagist", SW_VS_COMPOSER }, { "Pub", SW_VS_SEMVER },
		{ "Hex", SW_VS_SEMVER }, { "SwiftURL", SW_VS_SEMVER },
		{ "Debian", SW_VS_DPKG }, { "Ubuntu", SW_VS_DPKG }, { "Echo", SW_VS_DPKG },
		{ "Linux Mint", SW_VS_DPKG },
		{ "Alpine", SW_VS_APK }, { "Alpaquita", SW_VS_APK }, { "BellSoft Hardened Containers", SW_VS_APK },
		{ "Wolfi", SW_VS_APK }, { "Chainguard", SW_VS_APK }, { "MinimOS", SW_VS_APK },
		{ "Red Hat", SW_VS_RPM }, { "Rocky Linux", SW_VS_RPM }, { "AlmaLinux", SW_VS_RPM },
		{ "SUSE", SW_VS_RPM }, { "openSUSE", SW_VS_RPM }, { "Mariner", SW_VS_RPM },
		{ "Azure Linux", SW_VS_RPM }, { "openEuler", SW_VS_RPM }, { "Amazon Linux", SW_VS_RPM },
		{ "Oracle Linux", SW_VS_RPM }, { "CentOS", SW_VS_RPM }, { "Fedora", SW_VS_RPM },
		{ "Photon OS", SW_VS_RPM },
	};
	if (!eco)
		return -1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (eco_is(eco, map[i].eco)) {
			*out = map[i].s;
			return 0;
		}
	/* "openSUSE Leap", "SUSE Linux Enterprise Server:15" ... */
	if (strncasecmp(eco, "openSUSE", 8) == 0 || strncasecmp(eco, "SUSE", 4) == 0) {
		*out = SW_VS_RPM;
		return 0;
	}
	return -1;
}

int sw_vscheme_for_purl_type(const char *type, enum sw_vscheme *out)
{
	static const struct { const char *t; enum sw_vscheme s; } map[] = {
		{ "deb", SW_VS_DPKG }, { "rpm", SW_VS_RPM }, { "apk", SW_VS_APK },
		{ "pypi", SW_VS_PEP440 }, { "npm", SW_VS_NPM }, { "golang", SW_VS_GO },
		{ "cargo", SW_VS_CARGO }, { "maven", SW_VS_MAVEN }, { "gem", SW_VS_GEM },
		{ "nuget", SW_VS_NUGET }, { "composer", SW_VS_COMPOSER },
	};
	if (!type)
		return -1;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcasecmp(type, map[i].t) == 0) {
			*out = map[i].s;
			return 0;
		}
	}
	return -1;
}

static int bad_scheme(enum sw_vscheme s, struct sw_err *err)
{
	return sw_err_set(err, SW_E_USAGE, "unknown version scheme %d", (int)s);
}

int sw_version_compare(enum sw_vscheme s, const char *a, const char *b, int *cmp, struct sw_err *err)
{
	if ((unsigned)s >= SW_VS_COUNT_)
		return bad_scheme(s, err);
	if (!a || !b)
		return sw_err_set(err, SW_E_USAGE, "missing %s version", ops[s].name);
	/* Both must be versions of the scheme: a comparator can order some
	 * strings that do not validate (apk's "6.0.2p1-r0"), but such an order
	 * means nothing, and "=" for two invalid strings would hide that. */
	const char *bad = a, *why = ops[s].check(a);
	if (!why) {
		bad = b;
		why = ops[s].check(b);
	}
	if (why)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid %s version: %s", bad, ops[s].name, why);
	struct sw_vfail f = { 0, NULL };
	int r = 0;
	if (ops[s].cmp(a, b, &r, &f) < 0)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid %s version: %s",
				  f.which ? b : a, ops[s].name, f.why);
	*cmp = (r > 0) - (r < 0);
	return 0;
}

int sw_version_validate(enum sw_vscheme s, const char *v, struct sw_err *err)
{
	if ((unsigned)s >= SW_VS_COUNT_)
		return bad_scheme(s, err);
	if (!v)
		return sw_err_set(err, SW_E_USAGE, "missing %s version", ops[s].name);
	const char *why = ops[s].check(v);
	if (why)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid %s version: %s", v, ops[s].name, why);
	return 0;
}
