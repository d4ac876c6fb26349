/*
 * composer.c - Composer (Packagist) versions: Composer's
 * VersionParser::normalize() ("v1.2" -> "1.2.0.0", "1.0.0-beta.2" ->
 * "1.0.0.0-beta2", "1.0-RC1" -> "1.0.0.0-RC1", "-p1"/"-pl1" -> "-patch1",
 * "1.0.x-dev" and "dev-BRANCH" are branches, date versions "2010-01-02"
 * -> "2010.01.02"), then PHP's version_compare() on the normalised
 * strings, as Composer's Comparator does.  Branch names ("dev-master")
 * have no order and are an error; "@stability" flags and "+build"
 * metadata are stripped.
 */
#include "version/internal.h"

#define CV_MAX 300

static size_t ci_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (sw_v_lower((unsigned char)p[i]) != w[i])
			return 0;
	return n;
}

struct out {
	char *b;
	size_t n, cap;
	bool over;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + n >= o->cap) {
		o->over = true;
		return;
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
	o->b[o->n] = 0;
}

/* modifier: [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$ */
static const char *modifier(const char *p, const char *end, struct out *o)
{
	static const char *const st[] = { "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p", NULL };
	static const char *const exp[] = { "stable", "beta", "beta", "RC", "alpha", "alpha", "patch", "patch", "patch" };
	const char *q = p;
	if (q < end && (*q == '.' || *q == '_' || *q == '-'))
		q++;
	int which = -1;
	size_t l = 0;
	for (int i = 0; st[i]; i++)
		if ((l = ci_word(q, end, st[i]))) {
			which = i;
			break;
		}
	/* try the alternatives: with a stability word, or without */
	const char *after = NULL;
	char num[CV_MAX];
	size_t numlen = 0;
	if (which >= 0) {
		const char *r = q + l;
		/* ((?:[.-]?\d+)*+) possessive */
		for (;;) {
			const char *t = r;
			if (t < end && (*t == '.' || *t == '-'))
				t++;
			const char *u = t;
			while (u < end && sw_v_digit(*u))
				u++;
			if (u == t)
				break;
			if (numlen + (size_t)(u - r) >= sizeof(num))
				return "version string is too long";
			memcpy(num + numlen, r, (size_t)(u - r));
			numlen += (size_t)(u - r);
			r = u;
		}
		after = r;
	}
	/* ([.-]?dev)?$ after the stability (or after "[._-]?" without one) */
	const char *d = after ? after : q;
	bool dev = false;
	if (d != end) {
		if (*d == '.' || *d == '-')
			d++;
		size_t dl = ci_word(d, end, "dev");
		if (!dl || d + dl != end)
			return "invalid version string";
		dev = true;
	}
	if (which >= 0) {
		if (which == 0) {   /* "stable": the version as is (dev ignored) */
			return NULL;
		}
		put(o, "-", 1);
		put(o, exp[which], strlen(exp[which]));
		size_t k = 0;
		while (k < numlen && (num[k] == '.' || num[k] == '-'))
			k++;
		put(o, num + k, numlen - k);
	}
	if (dev)
		put(o, "-dev", 4);
	return NULL;
}

static const char *normalize(const char *s, char *buf, size_t cap)
{
	const char *p = s, *end = s + strlen(s);
	struct out o = { buf, 0, cap, false };
	buf[0] = 0;
	if ((size_t)(end - p) > 256)
		return "version string is too long";
	while (p < end && sw_v_space((unsigned char)*p))
		p++;
	while (end > p && sw_v_space((unsigned char)end[-1]))
		end--;
	if (p == end)
		return "version string is empty";
	/* strip " as X" aliasing */
	for (const char *q = p; q + 4 <= end; q++)
		if (q[0] == ' ' && q[1] == 'a' && q[2] == 's' && q[3] == ' ') {
			end = q;
			while (end > p && end[-1] == ' ')
				end--;
			break;
		}
	/* strip @stability */
	for (const char *q = end; q > p; q--)
		if (q[-1] == '@') {
			static const char *const fl[] = { "stable", "rc", "beta", "alpha", "dev", NULL };
			for (int i = 0; fl[i]; i++)
				if (ci_word(q, end, fl[i]) == (size_t)(end - q)) {
					end = q - 1;
					break;
				}
			break;
		}
	if (ci_word(p, end, "dev-") || ((size_t)(end - p) == 6 && memcmp(p, "master", 6) == 0) ||
	    ((size_t)(end - p) == 5 && memcmp(p, "trunk", 5) == 0) ||
	    ((size_t)(end - p) == 7 && memcmp(p, "default", 7) == 0))
		return "branch names have no order";
	for (const char *q = p; q < end; q++)
		if (sw_v_space((unsigned char)*q) || *q == ',')
			return "invalid version string";
	/* strip +build */
	for (const char *q = p; q < end; q++)
		if (*q == '+') {
			if (q == p || q + 1 == end)
				return "invalid version string";
			end = q;
			break;
		}
	const char *q = p;
	if (q < end && (*q == 'v' || *q == 'V'))
		q++;
	const char *nstart = q;
	/* classical: (\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)? */
	const char *r = q;
	while (r < end && sw_v_digit(*r))
		r++;
	if (r == q)
		return "version does not start with a number";
	if (r - q <= 5) {
		const char *parts[4];
		size_t lens[4];
		int n = 0;
		const char *t = q;
		parts[n] = t;
		lens[n++] = (size_t)(r - t);
		t = r;
		while (n < 4 && t + 1 < end && *t == '.' && sw_v_digit(t[1])) {
			const char *u = t + 1;
			while (u < end && sw_v_digit(*u))
				u++;
			parts[n] = t + 1;
			lens[n++] = (size_t)(u - t - 1);
			t = u;
		}
		for (int i = 0; i < 4; i++) {
			if (i)
				put(&o, ".", 1);
			if (i < n)
				put(&o, parts[i], lens[i]);
			else
				put(&o, "0", 1);
		}
		const char *why = modifier(t, end, &o);
		if (!why)
			return o.over ? "version string is too long" : NULL;
		o.n = 0;
		buf[0] = 0;
	}
	/* date: (\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}) + modifier;
	 * we accept the common shape: digit groups with [.:-] separators. */
	{
		const char *t = nstart;
		const char *u = t;
		while (u < end && sw_v_digit(*u))
			u++;
		if (u - t >= 4) {
			/* greedily take [.:-]?digits groups while they look numeric */
			const char *v = u;
			int groups = 0;
			while (v < end) {
				const char *w = v;
				if (*w == '.' || *w == ':' || *w == '-')
					w++;
				const char *x = w;
				while (x < end && sw_v_digit(*x))
					x++;
				if (x == w)
					break;
				v = x;
				groups++;
			}
			if (groups >= 1 || u - t > 4) {
				for (const char *c = t; c < v; c++)
					put(&o, sw_v_digit(*c) ? c : ".", 1);
				const char *why = modifier(v, end, &o);
				if (!why)
					return o.over ? "version string is too long" : NULL;
			}
		}
	}
	return "invalid version string";
}

/* PHP's version_compare() on normalised strings. */
static int special(const char *s, size_t n)
{
	static const struct { const char *name; int order; } f[] = {
		{ "dev", 0 }, { "alpha", 1 }, { "a", 1 }, { "beta", 2 }, { "b", 2 }, { "RC", 3 },
		{ "rc", 3 }, { "#", 4 }, { "pl", 5 }, { "p", 5 },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t l = strlen(f[i].name);
		if (n >= l && memcmp(s, f[i].name, l) == 0)
			return f[i].order;
	}
	return -1;
}

/* php_canonicalize_version into out. */
static void canon(const char *v, char *out, size_t cap)
{
	size_t len = strlen(v), k = 0;
	if (len == 0 || cap < 2 * len + 1) {
		out[0] = 0;
		return;
	}
#define ISDIG(x) (sw_v_digit(x))
#define ISNDIG(x) (!sw_v_digit(x) && (x) != '.')
#define ISSPECIAL(x) ((x) == '-' || (x) == '_' || (x) == '+')
	char lp = v[0];
	out[k++] = v[0];
	for (size_t i = 1; i < len; i++) {
		char c = v[i], lq = out[k - 1];
		if (ISSPECIAL(c)) {
			if (lq != '.')
				out[k++] = '.';
		} else if ((ISNDIG(lp) && ISDIG(c)) || (ISDIG(lp) && ISNDIG(c))) {
			if (lq != '.')
				out[k++] = '.';
			out[k++] = c;
		} else if (!sw_v_alnum((unsigned char)c)) {
			if (lq != '.')
				out[k++] = '.';
		} else {
			out[k++] = c;
		}
		lp = c;
	}
	out[k] = 0;
#undef ISDIG
#undef ISNDIG
#undef ISSPECIAL
}

static int php_vc(const char *a, const char *b);

static int php_vc_canon(char *p1, char *p2)
{
	int compare = 0;
	char *n1 = p1, *n2 = p2;
	while (*p1 && *p2 && n1 && n2) {
		if ((n1 = strchr(p1, '.')))
			*n1 = 0;
		if ((n2 = strchr(p2, '.')))
			*n2 = 0;
		if (sw_v_digit(*p1) && sw_v_digit(*p2))
			compare = sw_v_numcmp(p1, strlen(p1), p2, strlen(p2));
		else if (!sw_v_digit(*p1) && !sw_v_digit(*p2))
			compare = sw_v_sign(special(p1, strlen(p1)) - special(p2, strlen(p2)));
		else if (sw_v_digit(*p1))
			compare = sw_v_sign(special("#N#", 3) - special(p2, strlen(p2)));
		else
			compare = sw_v_sign(special(p1, strlen(p1)) - special("#N#", 3));
		if (compare)
			break;
		if (n1)
			p1 = n1 + 1;
		if (n2)
			p2 = n2 + 1;
	}
	if (compare == 0) {
		if (n1) {
			compare = sw_v_digit(*p1) ? 1 : php_vc(p1, "#N#");
		} else if (n2) {
			compare = sw_v_digit(*p2) ? -1 : php_vc("#N#", p2);
		}
	}
	return compare;
}

static int php_vc(const char *a, const char *b)
{
	if (!*a || !*b) {
		if (!*a && !*b)
			return 0;
		return *a ? 1 : -1;
	}
	char x[2 * CV_MAX + 2], y[2 * CV_MAX + 2];
	if (a[0] == '#') {
		size_t n = strlen(a);
		if (n >= sizeof(x))
			n = sizeof(x) - 1;
		memcpy(x, a, n);
		x[n] = 0;
	} else {
		canon(a, x, sizeof(x));
	}
	if (b[0] == '#') {
		size_t n = strlen(b);
		if (n >= sizeof(y))
			n = sizeof(y) - 1;
		memcpy(y, b, n);
		y[n] = 0;
	} else {
		canon(b, y, sizeof(y));
	}
	return php_vc_canon(x, y);
}

const char *sw_v_composer_check(const char *v)
{
	char buf[CV_MAX];
	return normalize(v, buf, sizeof(buf));
}

int sw_v_composer_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	char x[CV_MAX], y[CV_MAX];
	if ((f->why = normalize(a, x, sizeof(x)))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = normalize(b, y, sizeof(y)))) {
		f->which = 1;
		return -1;
	}
	*out = php_vc(x, y);
	return 0;
}

/* Normalised form (for tests and the CLI). */
int sw_composer_normalize(const char *v, char *buf, size_t cap);
int sw_composer_normalize(const char *v, char *buf, size_t cap)
{
	char tmp[CV_MAX];
	if (normalize(v, tmp, sizeof(tmp)))
		return -1;
	size_t n = strlen(tmp);
	if (n + 1 > cap)
		return -1;
	memcpy(buf, tmp, n + 1);
	return 0;
}
