/*
 * internal.h - what the per-scheme files give version.c.  Not public.
 *
 * Each scheme provides:
 *   const char *check(const char *v)   NULL when v parses, else a static
 *                                      reason ("epoch is not a number")
 *   int cmp(a, b, *out, *fail)         0 and *out in {-1,0,1}; or -1 with
 *                                      fail->which = 0 (a) or 1 (b) and
 *                                      fail->why set
 * No allocation on the hot path; the reasons are static strings so that
 * the error text is only formatted when something fails.
 */
#ifndef SW_VERSION_INTERNAL_H
#define SW_VERSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "version/version.h"

struct sw_vfail {
	int which;          /* 0: a, 1: b */
	const char *why;    /* static */
};

#define SW_VDECL(name)                                                       \
	const char *sw_v_##name##_check(const char *v);                      \
	int sw_v_##name##_cmp(const char *a, const char *b, int *out, struct sw_vfail *f);

SW_VDECL(dpkg)
SW_VDECL(rpm)
SW_VDECL(apk)
SW_VDECL(pep440)
SW_VDECL(semver)
SW_VDECL(npm)
SW_VDECL(go)
SW_VDECL(maven)
SW_VDECL(gem)
SW_VDECL(nuget)
SW_VDECL(composer)

/* Shared helpers. */
static inline int sw_v_sign(long x) { return (x > 0) - (x < 0); }
static inline bool sw_v_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool sw_v_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool sw_v_alnum(int c) { return sw_v_digit(c) || sw_v_alpha(c); }
static inline int sw_v_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
/* Length of the dot-separated part starting at p (semver identifiers, NuGet labels). */
static inline size_t sw_v_dot_len(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && *q != '.')
		q++;
	return (size_t)(q - p);
}
/* True when p[0..n) are all digits (also for n == 0). */
static inline bool sw_v_all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sw_v_digit(p[i]))
			return false;
	return true;
}
static inline bool sw_v_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Compare two runs of decimal digits as numbers of any size (leading
 * zeros ignored). */
static inline int sw_v_numcmp(const char *a, size_t al, const char *b, size_t bl)
{
	while (al > 0 && *a == '0') { a++; al--; }
	while (bl > 0 && *b == '0') { b++; bl--; }
	if (al != bl)
		return al < bl ? -1 : 1;
	int r = memcmp(a, b, al);
	return (r > 0) - (r < 0);
}

/* Compare two byte strings like memcmp then length (C strcmp order). */
static inline int sw_v_bytecmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);
	if (r)
		return r < 0 ? -1 : 1;
	return al == bl ? 0 : (al < bl ? -1 : 1);
}

/* node-semver internals shared with range.c. */
struct sw_semver {
	const char *major, *minor, *patch;   /* digit runs */
	size_t major_len, minor_len, patch_len;
	const char *pre; size_t pre_len;     /* without the '-', NULL if none */
	const char *build; size_t build_len;
};
enum { SW_SEMVER_STRICT = 0, SW_SEMVER_NPM = 1, SW_SEMVER_LOOSE = 2, SW_SEMVER_GO = 3 };
/* Parse s[0..len) in the given mode.  NULL or a reason. */
const char *sw_semver_parse(const char *s, size_t len, int mode, struct sw_semver *out);
int sw_semver_cmp(const struct sw_semver *a, const struct sw_semver *b);

#endif
