/*
 * nuget.c - NuGet versions (NuGet.Versioning NuGetVersion):
 * N[.N[.N[.N]]][-label(.label)*][+metadata], each number 0..2^31-1;
 * missing parts are 0 (1.0 = 1.0.0 = 1.0.0.0); a version without labels
 * is greater than one with; labels compare pairwise, numeric ones as
 * numbers and before alphanumeric ones, alphanumeric ones
 * case-insensitively; metadata is ignored.
 */
#include "version/internal.h"

struct nv {
	const char *num[4];
	size_t len[4];
	const char *pre; size_t pre_len;
};

static const char *nv_parse(const char *s, struct nv *v)
{
	const char *p = s, *end = s + strlen(s);
	memset(v, 0, sizeof(*v));
	if ((size_t)(end - p) > SW_VERSION_MAX_LEN)
		return "version string is too long";
	while (p < end && sw_v_space((unsigned char)*p))
		p++;
	while (end > p && sw_v_space((unsigned char)end[-1]))
		end--;
	if (p == end)
		return "version string is empty";
	int i = 0;
	for (;;) {
		const char *q = p;
		while (q < end && sw_v_digit(*q))
			q++;
		if (q == p)
			return i == 0 ? "version does not start with a number" : "empty version part";
		if (sw_v_numcmp(p, (size_t)(q - p), "2147483647", 10) > 0)
			return "version part is too large";
		v->num[i] = p;
		v->len[i] = (size_t)(q - p);
		p = q;
		i++;
		if (p < end && *p == '.' && i < 4) {
			p++;
			continue;
		}
		break;
	}
	for (; i < 4; i++) {
		v->num[i] = "0";
		v->len[i] = 1;
	}
	if (p < end && *p == '-') {
		p++;
		v->pre = p;
		for (;;) {
			const char *q = p;
			while (q < end && (sw_v_alnum((unsigned char)*q) || *q == '-'))
				q++;
			if (q == p)
				return "empty release label";
			p = q;
			if (p < end && *p == '.') {
				p++;
				continue;
			}
			break;
		}
		v->pre_len = (size_t)(p - v->pre);
	}
	if (p < end && *p == '+') {
		p++;
		for (;;) {
			const char *q = p;
			while (q < end && (sw_v_alnum((unsigned char)*q) || *q == '-'))
				q++;
			if (q == p)
				return "empty metadata part";
			p = q;
			if (p < end && *p == '.') {
				p++;
				continue;
			}
			break;
		}
	}
	if (p != end)
		return "invalid character";
	return NULL;
}

static int nv_cmp(const struct nv *a, const struct nv *b)
{
	for (int i = 0; i < 4; i++) {
		int r = sw_v_numcmp(a->num[i], a->len[i], b->num[i], b->len[i]);
		if (r)
			return r;
	}
	if (!a->pre || !b->pre)
		return a->pre ? -1 : (b->pre ? 1 : 0);
	const char *x = a->pre, *xe = x + a->pre_len, *y = b->pre, *ye = y + b->pre_len;
	while (x < xe && y < ye) {
		size_t xl = sw_v_dot_len(x, xe), yl = sw_v_dot_len(y, ye);
		bool xn = sw_v_all_digits(x, xl), yn = sw_v_all_digits(y, yl);
		int r;
		if (xn && yn)
			r = sw_v_numcmp(x, xl, y, yl);
		else if (xn != yn)
			r = xn ? -1 : 1;
		else {
			size_t n = xl < yl ? xl : yl;
			r = 0;
			for (size_t k = 0; k < n && !r; k++) {
				int c = sw_v_lower((unsigned char)x[k]), d = sw_v_lower((unsigned char)y[k]);
				r = (c > d) - (c < d);
			}
			if (!r)
				r = xl == yl ? 0 : (xl < yl ? -1 : 1);
		}
		if (r)
			return r;
		x += xl;
		y += yl;
		if (x < xe)
			x++;
		if (y < ye)
			y++;
	}
	if (x < xe)
		return 1;
	if (y < ye)
		return -1;
	return 0;
}

const char *sw_v_nuget_check(const char *v)
{
	struct nv x;
	return nv_parse(v, &x);
}

int sw_v_nuget_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct nv x, y;
	if ((f->why = nv_parse(a, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = nv_parse(b, &y))) {
		f->which = 1;
		return -1;
	}
	*out = nv_cmp(&x, &y);
	return 0;
}
