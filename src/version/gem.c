/*
 * gem.c - RubyGems Gem::Version: "1.2.3", "1.0.0.pre1", "1.0-rc1" ("-" is
 * ".pre."); segments are runs of digits or letters; a version is a
 * prerelease when it has a letter; trailing zeros of the numeric part and
 * of the string part are dropped (canonical_segments); a string segment
 * sorts before a number; strings compare byte-wise.  An empty or blank
 * string is "0", as in RubyGems.
 */
#include "version/internal.h"

#define GEM_MAX_SEGS 128

struct seg {
	const char *p;
	size_t n;
	bool num;
};

struct gv {
	struct seg s[GEM_MAX_SEGS];
	int n;
};

static const char *gem_validate(const char *v, const char **pp, const char **pe)
{
	const char *p = v, *end = v + strlen(v);
	if ((size_t)(end - p) > SW_VERSION_MAX_LEN)
		return "version string is too long";
	while (p < end && sw_v_space((unsigned char)*p))
		p++;
	while (end > p && sw_v_space((unsigned char)end[-1]))
		end--;
	*pp = p;
	*pe = end;
	if (p == end)
		return NULL;   /* "" is "0" */
	/* [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)? */
	const char *q = p;
	while (q < end && sw_v_digit(*q))
		q++;
	if (q == p)
		return "version does not start with a number";
	while (q < end && *q == '.') {
		const char *r = ++q;
		while (q < end && sw_v_alnum((unsigned char)*q))
			q++;
		if (q == r)
			return "empty segment";
	}
	if (q < end && *q == '-') {
		q++;
		for (;;) {
			const char *r = q;
			while (q < end && (sw_v_alnum((unsigned char)*q) || *q == '-'))
				q++;
			if (q == r)
				return "empty segment";
			if (q < end && *q == '.') {
				q++;
				continue;
			}
			break;
		}
	}
	if (q != end)
		return "malformed version number string";
	return NULL;
}

static const char *gem_parse(const char *v, struct gv *g)
{
	const char *p, *end;
	const char *why = gem_validate(v, &p, &end);
	if (why)
		return why;
	g->n = 0;
	if (p == end) {
		g->s[0] = (struct seg){ "0", 1, true };
		g->n = 1;
		return NULL;
	}
	/* scan /[0-9]+|[a-z]+/i over the string with "-" read as ".pre." */
	while (p < end) {
		if (*p == '-') {
			if (g->n >= GEM_MAX_SEGS)
				return "too many segments";
			g->s[g->n++] = (struct seg){ "pre", 3, false };
			p++;
			continue;
		}
		const char *q = p;
		if (sw_v_digit(*p)) {
			while (q < end && sw_v_digit(*q))
				q++;
		} else if (sw_v_alpha((unsigned char)*p)) {
			while (q < end && sw_v_alpha((unsigned char)*q))
				q++;
		} else {
			p++;
			continue;
		}
		if (g->n >= GEM_MAX_SEGS)
			return "too many segments";
		g->s[g->n++] = (struct seg){ p, (size_t)(q - p), sw_v_digit(*p) };
		p = q;
	}
	/* canonical_segments: drop trailing zeros of the numeric part (before
	 * the first string) and of the string part (at the end). */
	int first_str = g->n;
	for (int i = 0; i < g->n; i++)
		if (!g->s[i].num) {
			first_str = i;
			break;
		}
	int out = first_str;
	while (out > 0 && g->s[out - 1].num && sw_v_numcmp(g->s[out - 1].p, g->s[out - 1].n, "0", 1) == 0)
		out--;
	int end_s = g->n;
	while (end_s > first_str && g->s[end_s - 1].num &&
	       sw_v_numcmp(g->s[end_s - 1].p, g->s[end_s - 1].n, "0", 1) == 0)
		end_s--;
	int k = out;
	for (int i = first_str; i < end_s; i++)
		g->s[k++] = g->s[i];
	g->n = k;
	return NULL;
}

static int gem_cmp(const struct gv *a, const struct gv *b)
{
	int limit = a->n > b->n ? a->n : b->n;
	static const struct seg zero = { "0", 1, true };
	for (int i = 0; i < limit; i++) {
		const struct seg *x = i < a->n ? &a->s[i] : &zero;
		const struct seg *y = i < b->n ? &b->s[i] : &zero;
		if (x->num && y->num) {
			int r = sw_v_numcmp(x->p, x->n, y->p, y->n);
			if (r)
				return r;
		} else if (x->num != y->num) {
			return x->num ? 1 : -1;
		} else {
			int r = sw_v_bytecmp(x->p, x->n, y->p, y->n);
			if (r)
				return r;
		}
	}
	return 0;
}

const char *sw_v_gem_check(const char *v)
{
	struct gv g;
	return gem_parse(v, &g);
}

int sw_v_gem_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct gv x, y;
	if ((f->why = gem_parse(a, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = gem_parse(b, &y))) {
		f->which = 1;
		return -1;
	}
	*out = gem_cmp(&x, &y);
	return 0;
}

/* For range.c ("~>"): the bump of v (drop string segments, drop the last
 * segment if more than one, add one to the last) written into buf. */
int sw_gem_bump(const char *v, char *buf, size_t cap);
int sw_gem_bump(const char *v, char *buf, size_t cap)
{
	struct gv g;
	const char *p, *end;
	if (gem_validate(v, &p, &end))
		return -1;
	/* segments before canonicalisation */
	if (gem_parse(v, &g))
		return -1;
	/* Gem::Version#bump uses segments (not canonical): re-scan. */
	struct seg s[GEM_MAX_SEGS];
	int n = 0;
	for (const char *q = p; q < end;) {
		if (*q == '-' || *q == '.') { if (*q == '-') break; q++; continue; }
		const char *r = q;
		if (sw_v_digit(*q))
			while (r < end && sw_v_digit(*r)) r++;
		else if (sw_v_alpha((unsigned char)*q))
			while (r < end && sw_v_alpha((unsigned char)*r)) r++;
		else { q++; continue; }
		if (n >= GEM_MAX_SEGS)
			return -1;
		s[n++] = (struct seg){ q, (size_t)(r - q), sw_v_digit(*q) };
		q = r;
	}
	/* segments.pop while any string */
	int last_num = n;
	for (int i = 0; i < n; i++)
		if (!s[i].num) {
			last_num = i;
			break;
		}
	n = last_num;
	if (n > 1)
		n--;
	if (n == 0)
		return -1;
	size_t used = 0;
	for (int i = 0; i < n; i++) {
		size_t need = s[i].n + 2;
		if (used + need + 2 >= cap)
			return -1;
		if (i)
			buf[used++] = '.';
		if (i == n - 1) {
			/* add one to a digit string */
			char tmp[SW_VERSION_MAX_LEN + 2];
			size_t k = s[i].n;
			memcpy(tmp + 1, s[i].p, k);
			tmp[0] = '0';
			int carry = 1;
			for (size_t j = k + 1; j-- > 0 && carry;) {
				if (tmp[j] == '9') {
					tmp[j] = '0';
				} else {
					tmp[j]++;
					carry = 0;
				}
			}
			const char *t = tmp[0] == '0' ? tmp + 1 : tmp;
			size_t tl = tmp[0] == '0' ? k : k + 1;
			memcpy(buf + used, t, tl);
			used += tl;
		} else {
			memcpy(buf + used, s[i].p, s[i].n);
			used += s[i].n;
		}
	}
	buf[used] = 0;
	return 0;
}
