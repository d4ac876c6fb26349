/*
 * version.h - version ordering for every ecosystem, and the one place that
 * decides whether a version is affected by a range or a requirement.
 *
 * Each scheme has a parser that rejects a string which is not a version of
 * that scheme (an error value naming the string and the scheme; never a
 * crash, never a silent guess) and a comparator that follows the reference
 * tool of the ecosystem exactly (dpkg, rpmvercmp, apk-tools, pypa
 * packaging, node-semver, Maven ComparableVersion, RubyGems Gem::Version,
 * NuGet.Versioning, Composer VersionParser + PHP version_compare).  The
 * rules and the choices made where an ecosystem is vague are documented
 * in docs/versions.md.
 *
 * Ownership: nothing returned here is owned by the caller, except where
 * said.  The comparison functions do not allocate for dpkg, rpm, apk,
 * semver/npm/go/cargo, PEP 440, NuGet, RubyGems and Composer; Maven builds
 * its item tree on the stack.  All functions are thread-safe.
 */
#ifndef SW_VERSION_VERSION_H
#define SW_VERSION_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/vec.h"
#include "model/advisory.h"

enum sw_vscheme {
	SW_VS_DPKG,
	SW_VS_RPM,
	SW_VS_APK,
	SW_VS_PEP440,
	SW_VS_SEMVER,   /* SemVer 2.0.0, strict (no "v", no leading zeros) */
	SW_VS_NPM,      /* node-semver: SemVer plus an optional leading "v", surrounding blanks */
	SW_VS_GO,       /* Go modules: SemVer with optional "v", "+incompatible", pseudo-versions */
	SW_VS_MAVEN,
	SW_VS_GEM,
	SW_VS_NUGET,
	SW_VS_COMPOSER,
	SW_VS_CARGO,    /* = semver */
	SW_VS_COUNT_
};

/* Longest version string any parser accepts (longer ones are an error). */
#define SW_VERSION_MAX_LEN 1024

/* "dpkg", "rpm", "apk", "pep440", "semver", "npm", "go", "maven", "gem",
 * "nuget", "composer", "cargo" (also a few aliases: "deb", "debian",
 * "pypi", "python", "rubygems", "golang", "packagist", "alpine").
 * Returns 0, or -1 when the name is unknown. */
int sw_vscheme_from_name(const char *name, enum sw_vscheme *out);
const char *sw_vscheme_name(enum sw_vscheme s);

/* OSV ecosystem ("PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems",
 * "NuGet", "Packagist", "Debian:12", "Ubuntu:22.04", "Alpine:v3.18",
 * "Red Hat:...", "Rocky Linux:9", "AlmaLinux:9", "SUSE:...", "openSUSE...",
 * "Mariner", "Azure Linux", "Wolfi", "Chainguard", ...) to a scheme.
 * Returns 0, or -1 when the ecosystem is unknown. */
int sw_vscheme_for_ecosystem(const char *osv_ecosystem, enum sw_vscheme *out);
/* purl type (deb, rpm, apk, pypi, npm, golang, cargo, maven, gem, nuget,
 * composer) to a scheme.  Returns 0, or -1 when unknown. */
int sw_vscheme_for_purl_type(const char *type, enum sw_vscheme *out);

/* Compare a and b: *cmp = -1, 0 or 1.  Returns 0, or a negative code with
 * err naming the string and the scheme when a or b does not parse. */
int sw_version_compare(enum sw_vscheme s, const char *a, const char *b, int *cmp,
		       struct sw_err *err);
/* 0 when v is a version of scheme s, else a negative code and err. */
int sw_version_validate(enum sw_vscheme s, const char *v, struct sw_err *err);

/*
 * OSV "affected" evaluation: true when version falls in any of ranges
 * (struct sw_range*, events introduced/fixed/last_affected/limit, sorted
 * with the scheme's order; introduced "0" is the lowest version;
 * last_affected is inclusive; limit is an exclusive upper bound) or equals
 * one of versions (char*).  GIT ranges are ignored; SEMVER ranges use
 * SemVer order (the scheme's own when it is semver-like).  Either vector
 * may be NULL.  An event version that does not parse is an error.
 */
int sw_version_affected_osv(enum sw_vscheme s, const char *version, const struct sw_vec *ranges,
			    const struct sw_vec *versions, bool *affected, struct sw_err *err);

/* The same with the range given as OSV JSON text: one range
 * {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}, an
 * array of ranges, or an affected object {"ranges":[...],"versions":[...]}.
 * A malformed document is an error naming what was wrong. */
int sw_version_affected_osv_json(enum sw_vscheme s, const char *version, const char *json, bool *affected,
				 struct sw_err *err);

/* Options for sw_version_satisfies_opts(). */
enum sw_vsat_flags {
	SW_VSAT_LOOSE = 1 << 0,              /* node-semver "loose" parsing */
	SW_VSAT_INCLUDE_PRERELEASE = 1 << 1, /* node-semver includePrerelease */
};

/*
 * Requirement expressions.  For npm, semver, cargo and go: node-semver
 * ranges (">=1.2.3 <2 || ^3.0.0", hyphen ranges, x-ranges, ~, ^, with
 * node-semver's prerelease rule).  For the other schemes: "||"-separated
 * alternatives of ","-separated (or blank-separated) operator lists
 * ("~> 5.2.4, >= 5.2.4.3", "!= 1.0", "== 2.0", ">=1.0 <2.0", "~=2.2" for
 * PEP 440), each version compared with the scheme's comparator.
 * Returns 0 with *out set, or a negative code when the version or the
 * expression does not parse.
 */
int sw_version_satisfies(enum sw_vscheme s, const char *version, const char *expr, bool *out,
			 struct sw_err *err);
int sw_version_satisfies_opts(enum sw_vscheme s, const char *version, const char *expr,
			      unsigned flags, bool *out, struct sw_err *err);

/*
 * The helper matching uses: affected when (ranges or versions match, or
 * affected_exprs is non-empty and any of them is satisfied) and no
 * unaffected_exprs is satisfied.  An entry with no ranges, versions or
 * affected_exprs affects nothing (unless its status says affected: that
 * is the caller's business).
 */
int sw_version_affected(enum sw_vscheme s, const char *version, const struct sw_affected *a,
			bool *affected, struct sw_err *err);

/* RPM labels. */
struct sw_rpm_evr {
	unsigned long epoch;        /* 0 when absent */
	bool has_epoch;
	const char *version; size_t version_len;
	const char *release; size_t release_len;   /* release NULL when absent */
};
/* Parse "[E:]V[-R]" (borrowing from s).  Returns 0 or a negative code. */
int sw_rpm_evr_parse(const char *s, struct sw_rpm_evr *out, struct sw_err *err);
struct sw_rpm_nevra {
	const char *name; size_t name_len;
	struct sw_rpm_evr evr;
	const char *arch; size_t arch_len;       /* NULL when absent */
};
/* Parse "N-[E:]V-R[.A]" (as in rpm -qa output and .rpm file names without
 * ".rpm"); with has_arch false the string has no ".A" part.  Borrows. */
int sw_rpm_nevra_parse(const char *s, bool has_arch, struct sw_rpm_nevra *out, struct sw_err *err);
/* rpmvercmp() on two version or release strings (no epoch handling). */
int sw_rpm_vercmp(const char *a, size_t alen, const char *b, size_t blen);

/* apk-tools fuzzy match ("~" operator: a is b or starts with b's tokens). */
bool sw_apk_fuzzy_match(const char *a, const char *b);

/* node-semver with options: compare two versions (flags as above).
 * Returns 0 or a negative code when one does not parse. */
int sw_semver_compare_opts(const char *a, const char *b, unsigned flags, int *cmp, struct sw_err *err);

#endif
