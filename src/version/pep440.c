/*
 * pep440.c - Python versions (PEP 440 / pypa packaging's Version):
 * [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], case-insensitive, with
 * packaging's accepted legacy spellings (alpha, beta, c, pre, preview,
 * rev, r, "-N" post releases, optional separators and implicit 0).
 */
#include "version/internal.h"

struct pv {
	const char *epoch; size_t epoch_len;      /* NULL = 0 */
	const char *rel; size_t rel_len;          /* "1.2.3" */
	int pre_l;                                /* -1 none, 0 a, 1 b, 2 rc */
	const char *pre_n; size_t pre_n_len;      /* may be empty (= 0) */
	bool post;
	const char *post_n; size_t post_n_len;
	bool dev;
	const char *dev_n; size_t dev_n_len;
	const char *local; size_t local_len;      /* NULL = none */
};

static bool is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Case-insensitive match of word at p (no bounds beyond end). */
static size_t match_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (sw_v_lower((unsigned char)p[i]) != w[i])
			return 0;
	return n;
}

static size_t digits(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && sw_v_digit(*q))
		q++;
	return (size_t)(q - p);
}

/* [-_.]? LABEL [-_.]? N?  for one of labels; returns chars consumed or 0. */
static size_t opt_group(const char *p, const char *end, const char *const *labels, int *which,
			const char **num, size_t *numlen)
{
	const char *q = p;
	if (q < end && is_sep(*q))
		q++;
	size_t l = 0;
	int w = -1;
	for (int i = 0; labels[i]; i++)
		if ((l = match_word(q, end, labels[i]))) {
			w = i;
			break;
		}
	if (w < 0)
		return 0;
	q += l;
	const char *r = q;
	if (r < end && is_sep(*r))
		r++;
	size_t d = digits(r, end);
	if (d) {
		*num = r;
		*numlen = d;
		q = r + d;
	} else {
		/* regex: "[-_.]?" then "N?" - the separator is taken greedily even
		 * when no number follows. */
		*num = r;
		*numlen = 0;
		q = r;
	}
	*which = w;
	return (size_t)(q - p);
}

static const char *pep_parse(const char *s, struct pv *v)
{
	memset(v, 0, sizeof(*v));
	v->pre_l = -1;
	const char *p = s, *end = s + strlen(s);
	if ((size_t)(end - p) > SW_VERSION_MAX_LEN)
		return "version string is too long";
	while (p < end && sw_v_space((unsigned char)*p))
		p++;
	while (end > p && sw_v_space((unsigned char)end[-1]))
		end--;
	if (p == end)
		return "version string is empty";
	if (*p == 'v' || *p == 'V')
		p++;
	size_t d = digits(p, end);
	if (!d)
		return "release does not start with a number";
	if (p + d < end && p[d] == '!') {
		v->epoch = p;
		v->epoch_len = d;
		p += d + 1;
		d = digits(p, end);
		if (!d)
			return "no release after epoch";
	}
	v->rel = p;
	p += d;
	while (p + 1 < end && *p == '.' && sw_v_digit(p[1])) {
		p++;
		p += digits(p, end);
	}
	v->rel_len = (size_t)(p - v->rel);

	static const char *const pre_labels[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL };
	static const int pre_map[] = { 0, 0, 1, 1, 2, 2, 2, 2 };
	int w;
	size_t n = opt_group(p, end, pre_labels, &w, &v->pre_n, &v->pre_n_len);
	if (n) {
		v->pre_l = pre_map[w];
		p += n;
	}
	/* post: "-N" or [-_.]?(post|rev|r)[-_.]?N? */
	if (p + 1 < end && *p == '-' && sw_v_digit(p[1])) {
		v->post = true;
		v->post_n = p + 1;
		v->post_n_len = digits(p + 1, end);
		p += 1 + v->post_n_len;
	} else {
		static const char *const post_labels[] = { "post", "rev", "r", NULL };
		n = opt_group(p, end, post_labels, &w, &v->post_n, &v->post_n_len);
		if (n) {
			v->post = true;
			p += n;
		}
	}
	static const char *const dev_labels[] = { "dev", NULL };
	n = opt_group(p, end, dev_labels, &w, &v->dev_n, &v->dev_n_len);
	if (n) {
		v->dev = true;
		p += n;
	}
	if (p < end && *p == '+') {
		p++;
		v->local = p;
		/* [a-z0-9]+([-_.][a-z0-9]+)* */
		for (;;) {
			const char *q = p;
			while (p < end && sw_v_alnum((unsigned char)*p))
				p++;
			if (p == q)
				return "invalid local version label";
			if (p < end && is_sep(*p) && p + 1 < end) {
				p++;
				continue;
			}
			break;
		}
		v->local_len = (size_t)(p - v->local);
	}
	if (p != end)
		return "invalid version syntax";
	return NULL;
}

/* Release: component-wise, missing components are 0 (trailing zeros do
 * not count). */
static int rel_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	const char *ae = a + al, *be = b + bl;
	while (a < ae || b < be) {
		size_t x = a < ae ? digits(a, ae) : 0, y = b < be ? digits(b, be) : 0;
		int r = sw_v_numcmp(a < ae ? a : "0", a < ae ? x : 1, b < be ? b : "0", b < be ? y : 1);
		if (r)
			return r;
		a += x;
		b += y;
		if (a < ae)
			a++;   /* '.' */
		if (b < be)
			b++;
	}
	return 0;
}

static size_t seg_len(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && !is_sep(*q))
		q++;
	return (size_t)(q - p);
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sw_v_digit(p[i]))
			return false;
	return n > 0;
}

static int ci_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	for (size_t i = 0; i < n; i++) {
		int x = sw_v_lower((unsigned char)a[i]), y = sw_v_lower((unsigned char)b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return al == bl ? 0 : (al < bl ? -1 : 1);
}

/* Local: segments; numeric > alphanumeric; numeric compared as numbers,
 * strings lower-cased; a shorter prefix sorts first. */
static int local_cmp(const struct pv *x, const struct pv *y)
{
	if (!x->local || !y->local)
		return x->local ? 1 : (y->local ? -1 : 0);
	const char *a = x->local, *ae = a + x->local_len, *b = y->local, *be = b + y->local_len;
	while (a < ae && b < be) {
		size_t al = seg_len(a, ae), bl = seg_len(b, be);
		bool an = all_digits(a, al), bn = all_digits(b, bl);
		int r;
		if (an && bn)
			r = sw_v_numcmp(a, al, b, bl);
		else if (an != bn)
			r = an ? 1 : -1;
		else
			r = ci_cmp(a, al, b, bl);
		if (r)
			return r;
		a += al;
		b += bl;
		if (a < ae)
			a++;
		if (b < be)
			b++;
	}
	if (a < ae)
		return 1;
	if (b < be)
		return -1;
	return 0;
}

static int opt_num_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	return sw_v_numcmp(al ? a : "0", al ? al : 1, bl ? b : "0", bl ? bl : 1);
}

static int pep_cmp(const struct pv *x, const struct pv *y)
{
	int r = opt_num_cmp(x->epoch, x->epoch_len, y->epoch, y->epoch_len);
	if (r)
		return r;
	r = rel_cmp(x->rel, x->rel_len, y->rel, y->rel_len);
	if (r)
		return r;
	/* pre: dev-only release (no pre, no post) sorts before any pre;
	 * no pre sorts after any pre. */
	int xk = x->pre_l >= 0 ? 1 : (!x->post && x->dev ? 0 : 2);
	int yk = y->pre_l >= 0 ? 1 : (!y->post && y->dev ? 0 : 2);
	if (xk != yk)
		return xk < yk ? -1 : 1;
	if (xk == 1) {
		if (x->pre_l != y->pre_l)
			return x->pre_l < y->pre_l ? -1 : 1;
		r = opt_num_cmp(x->pre_n, x->pre_n_len, y->pre_n, y->pre_n_len);
		if (r)
			return r;
	}
	if (x->post != y->post)
		return x->post ? 1 : -1;
	if (x->post && (r = opt_num_cmp(x->post_n, x->post_n_len, y->post_n, y->post_n_len)))
		return r;
	if (x->dev != y->dev)
		return x->dev ? -1 : 1;
	if (x->dev && (r = opt_num_cmp(x->dev_n, x->dev_n_len, y->dev_n, y->dev_n_len)))
		return r;
	return local_cmp(x, y);
}

const char *sw_v_pep440_check(const char *v)
{
	struct pv p;
	return pep_parse(v, &p);
}

int sw_v_pep440_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct pv x, y;
	if ((f->why = pep_parse(a, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = pep_parse(b, &y))) {
		f->which = 1;
		return -1;
	}
	*out = pep_cmp(&x, &y);
	return 0;
}

/* For range.c: is this a pre-release or dev release (PEP 440 specifiers
 * exclude those unless asked)?  And the release slice for "~=". */
bool sw_pep440_is_prerelease(const char *v);
bool sw_pep440_is_prerelease(const char *v)
{
	struct pv p;
	if (pep_parse(v, &p))
		return false;
	return p.pre_l >= 0 || p.dev;
}
