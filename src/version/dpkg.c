/*
 * dpkg.c - Debian version ordering (Debian Policy 5.6.12, dpkg's
 * lib/dpkg/version.c verrevcmp): [epoch:]upstream[-revision].
 */
#include <limits.h>

#include "version/internal.h"

struct dver {
	unsigned long epoch;
	const char *up, *up_end;
	const char *rev, *rev_end;   /* empty when absent */
};

static const char *dpkg_parse(const char *s, struct dver *v)
{
	const char *p = s, *end;
	while (sw_v_space((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && sw_v_space((unsigned char)end[-1]))
		end--;
	if (end == p)
		return "version string is empty";
	if ((size_t)(end - p) > SW_VERSION_MAX_LEN)
		return "version string is too long";
	for (const char *q = p; q < end; q++)
		if (sw_v_space((unsigned char)*q))
			return "version string has embedded spaces";
	const char *colon = memchr(p, ':', (size_t)(end - p));
	v->epoch = 0;
	if (colon) {
		if (colon == p)
			return "epoch in version is empty";
		unsigned long e = 0;
		for (const char *q = p; q < colon; q++) {
			if (!sw_v_digit(*q))
				return "epoch in version is not number";
			e = e * 10 + (unsigned long)(*q - '0');
			if (e > INT_MAX)
				return "epoch in version is too big";
		}
		v->epoch = e;
		p = colon + 1;
		if (p == end)
			return "nothing after colon in version number";
	}
	const char *hyphen = NULL;
	for (const char *q = end; q > p; q--)
		if (q[-1] == '-') {
			hyphen = q - 1;
			break;
		}
	v->up = p;
	if (hyphen) {
		v->up_end = hyphen;
		v->rev = hyphen + 1;
		v->rev_end = end;
		if (v->rev == end)
			return "revision number is empty";
	} else {
		v->up_end = end;
		v->rev = v->rev_end = end;
	}
	if (v->up == v->up_end)
		return "version number is empty";
	if (!sw_v_digit(*v->up))
		return "version number does not start with digit";
	for (const char *q = v->up; q < v->up_end; q++)
		if (!sw_v_alnum((unsigned char)*q) && !strchr(".-+~:", *q))
			return "invalid character in version number";
	for (const char *q = v->rev; q < v->rev_end; q++)
		if (!sw_v_alnum((unsigned char)*q) && !strchr(".+~", *q))
			return "invalid character in revision number";
	return NULL;
}

static int order(int c)
{
	if (sw_v_digit(c))
		return 0;
	if (sw_v_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* dpkg's verrevcmp on [a, ae) and [b, be). */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
#define A (a < ae ? (unsigned char)*a : 0)
#define B (b < be ? (unsigned char)*b : 0)
	while (a < ae || b < be) {
		int first_diff = 0;
		while ((A && !sw_v_digit(A)) || (B && !sw_v_digit(B))) {
			int ac = order(A), bc = order(B);
			if (ac != bc)
				return ac - bc;
			if (a < ae) a++;
			if (b < be) b++;
		}
		while (A == '0')
			a++;
		while (B == '0')
			b++;
		while (sw_v_digit(A) && sw_v_digit(B)) {
			if (!first_diff)
				first_diff = A - B;
			a++;
			b++;
		}
		if (sw_v_digit(A))
			return 1;
		if (sw_v_digit(B))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
#undef A
#undef B
}

const char *sw_v_dpkg_check(const char *v)
{
	struct dver d;
	return dpkg_parse(v, &d);
}

int sw_v_dpkg_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct dver x, y;
	if ((f->why = dpkg_parse(a, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = dpkg_parse(b, &y))) {
		f->which = 1;
		return -1;
	}
	int r;
	if (x.epoch != y.epoch)
		r = x.epoch < y.epoch ? -1 : 1;
	else {
		r = verrevcmp(x.up, x.up_end, y.up, y.up_end);
		if (!r)
			r = verrevcmp(x.rev, x.rev_end, y.rev, y.rev_end);
	}
	*out = sw_v_sign(r);
	return 0;
}
