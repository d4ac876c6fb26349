/*
 * rpm.c - RPM version ordering: rpmvercmp() (with "~" and "^") on version
 * and release, epochs compared as numbers, a missing epoch is 0 and a
 * missing release sorts as the empty string (rpm.labelCompare()).
 */
#include <limits.h>

#include "version/internal.h"

static bool rpm_char_ok(int c)
{
	return sw_v_alnum(c) || c == '.' || c == '_' || c == '+' || c == '~' || c == '^' ||
	       c == '%' || c == '{' || c == '}';
}

/* Parse like rpm's parseEVR(): epoch = leading digits before ':', release
 * after the last '-'.  Stricter: characters outside rpm's allowed set,
 * an empty version or release, or a second ':' are errors. */
static const char *evr_parse(const char *s, struct sw_rpm_evr *v)
{
	size_t n = strlen(s);
	if (n == 0)
		return "version string is empty";
	if (n > SW_VERSION_MAX_LEN)
		return "version string is too long";
	const char *p = s, *end = s + n;
	const char *q = p;
	while (q < end && sw_v_digit(*q))
		q++;
	v->epoch = 0;
	v->has_epoch = false;
	if (q < end && *q == ':') {
		if (q == p)
			return "epoch is empty";
		unsigned long e = 0;
		for (const char *d = p; d < q; d++) {
			e = e * 10 + (unsigned long)(*d - '0');
			if (e > UINT_MAX)
				return "epoch is too big";
		}
		v->epoch = e;
		v->has_epoch = true;
		p = q + 1;
	}
	const char *hy = NULL;
	for (const char *d = end; d > p; d--)
		if (d[-1] == '-') {
			hy = d - 1;
			break;
		}
	v->version = p;
	v->version_len = (size_t)((hy ? hy : end) - p);
	v->release = hy ? hy + 1 : NULL;
	v->release_len = hy ? (size_t)(end - hy - 1) : 0;
	if (v->version_len == 0)
		return "version is empty";
	if (hy && v->release_len == 0)
		return "release is empty";
	for (const char *d = p; d < end; d++) {
		if (*d == ':')
			return v->has_epoch ? "more than one ':'" : "epoch is not a number";
		if (*d == '-' && d != hy)
			return "version contains '-'";
		if (*d != '-' && !rpm_char_ok((unsigned char)*d))
			return "invalid character";
	}
	return NULL;
}

int sw_rpm_vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	const char *one = a, *two = b, *ae = a + alen, *be = b + blen;
#define O (one < ae ? (unsigned char)*one : 0)
#define T (two < be ? (unsigned char)*two : 0)
	while (O || T) {
		while (O && !sw_v_alnum(O) && O != '~' && O != '^')
			one++;
		while (T && !sw_v_alnum(T) && T != '~' && T != '^')
			two++;
		if (O == '~' || T == '~') {
			if (O != '~')
				return 1;
			if (T != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		if (O == '^' || T == '^') {
			if (!O)
				return -1;
			if (!T)
				return 1;
			if (O != '^')
				return 1;
			if (T != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(O && T))
			break;
		const char *s1 = one, *s2 = two;
		bool isnum;
		if (sw_v_digit(*s1)) {
			while (s1 < ae && sw_v_digit(*s1)) s1++;
			while (s2 < be && sw_v_digit(*s2)) s2++;
			isnum = true;
		} else {
			while (s1 < ae && sw_v_alpha(*s1)) s1++;
			while (s2 < be && sw_v_alpha(*s2)) s2++;
			isnum = false;
		}
		if (one == s1)
			return -1;
		if (two == s2)
			return isnum ? 1 : -1;
		int rc;
		if (isnum)
			rc = sw_v_numcmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		else
			rc = sw_v_bytecmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
		if (rc)
			return rc;
		one = s1;
		two = s2;
	}
	if (!O && !T)
		return 0;
	return !O ? -1 : 1;
#undef O
#undef T
}

int sw_rpm_evr_parse(const char *s, struct sw_rpm_evr *out, struct sw_err *err)
{
	const char *why = evr_parse(s, out);
	if (why)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid rpm version: %s", s, why);
	return 0;
}

int sw_rpm_nevra_parse(const char *s, bool has_arch, struct sw_rpm_nevra *out, struct sw_err *err)
{
	size_t n = strlen(s);
	const char *end = s + n;
	memset(out, 0, sizeof(*out));
	if (has_arch) {
		const char *dot = NULL;
		for (const char *d = end; d > s; d--)
			if (d[-1] == '.') {
				dot = d - 1;
				break;
			}
		if (!dot || dot + 1 == end)
			return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid rpm nevra: no architecture", s);
		out->arch = dot + 1;
		out->arch_len = (size_t)(end - dot - 1);
		end = dot;
	}
	/* name-version-release: the last two '-' split it. */
	const char *h2 = NULL, *h1 = NULL;
	for (const char *d = end; d > s; d--)
		if (d[-1] == '-') {
			if (!h2)
				h2 = d - 1;
			else {
				h1 = d - 1;
				break;
			}
		}
	if (!h1 || h1 == s)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid rpm nevra: expected name-version-release", s);
	out->name = s;
	out->name_len = (size_t)(h1 - s);
	size_t evrlen = (size_t)(end - h1 - 1);
	if (evrlen > SW_VERSION_MAX_LEN)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid rpm nevra: too long", s);
	char buf[SW_VERSION_MAX_LEN + 1];
	memcpy(buf, h1 + 1, evrlen);
	buf[evrlen] = 0;
	const char *why = evr_parse(buf, &out->evr);
	if (why)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid rpm nevra: %s", s, why);
	/* Re-point the slices into s. */
	out->evr.version = h1 + 1 + (out->evr.version - buf);
	out->evr.release = h1 + 1 + (out->evr.release - buf);
	return 0;
}

const char *sw_v_rpm_check(const char *v)
{
	struct sw_rpm_evr e;
	return evr_parse(v, &e);
}

int sw_v_rpm_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct sw_rpm_evr x, y;
	if ((f->why = evr_parse(a, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = evr_parse(b, &y))) {
		f->which = 1;
		return -1;
	}
	int r = 0;
	if (x.epoch != y.epoch)
		r = x.epoch < y.epoch ? -1 : 1;
	if (!r)
		r = sw_rpm_vercmp(x.version, x.version_len, y.version, y.version_len);
	if (!r)
		r = sw_rpm_vercmp(x.release ? x.release : "", x.release_len,
				  y.release ? y.release : "", y.release_len);
	*out = r;
	return 0;
}
