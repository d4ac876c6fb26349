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

/* ---------- PEP 440 specifiers (packaging.specifiers.Specifier) ---------- */

static bool base_eq(const struct pv *a, const struct pv *b)
{
	return opt_num_cmp(a->epoch, a->epoch_len, b->epoch, b->epoch_len) == 0 &&
	       rel_cmp(a->rel, a->rel_len, b->rel, b->rel_len) == 0;
}

/* Release components "1.2.3" of the spec before a ".*" (or the whole
 * release for ~=), compared as a prefix of v's release (v padded with
 * zeros), epochs equal. */
static bool prefix_match(const struct pv *v, const struct pv *spec, size_t ncomp)
{
	if (opt_num_cmp(v->epoch, v->epoch_len, spec->epoch, spec->epoch_len) != 0)
		return false;
	const char *a = v->rel, *ae = a + v->rel_len, *b = spec->rel, *be = b + spec->rel_len;
	for (size_t i = 0; i < ncomp; i++) {
		size_t x = a < ae ? digits(a, ae) : 0, y = b < be ? digits(b, be) : 0;
		if (sw_v_numcmp(a < ae ? a : "0", a < ae ? x : 1, b < be ? b : "0", b < be ? y : 1))
			return false;
		a += x;
		b += y;
		if (a < ae)
			a++;
		if (b < be)
			b++;
	}
	return true;
}

static size_t rel_count(const struct pv *v)
{
	size_t n = 1;
	for (size_t i = 0; i < v->rel_len; i++)
		if (v->rel[i] == '.')
			n++;
	return n;
}

/* packaging's str(Version): the normalised spelling. */
static void put_num(char *buf, size_t cap, size_t *k, const char *p, size_t n)
{
	while (n > 1 && *p == '0') {
		p++;
		n--;
	}
	if (n == 0) {
		p = "0";
		n = 1;
	}
	for (size_t i = 0; i < n && *k + 1 < cap; i++)
		buf[(*k)++] = p[i];
}

static void put_str(char *buf, size_t cap, size_t *k, const char *s)
{
	while (*s && *k + 1 < cap)
		buf[(*k)++] = *s++;
}

static void pep_normalize(const struct pv *v, char *buf, size_t cap)
{
	size_t k = 0;
	if (v->epoch && sw_v_numcmp(v->epoch, v->epoch_len, "0", 1) != 0) {
		put_num(buf, cap, &k, v->epoch, v->epoch_len);
		put_str(buf, cap, &k, "!");
	}
	const char *a = v->rel, *ae = a + v->rel_len;
	while (a < ae) {
		size_t x = digits(a, ae);
		put_num(buf, cap, &k, a, x);
		a += x;
		if (a < ae) {
			put_str(buf, cap, &k, ".");
			a++;
		}
	}
	if (v->pre_l >= 0) {
		static const char *const l[] = { "a", "b", "rc" };
		put_str(buf, cap, &k, l[v->pre_l]);
		put_num(buf, cap, &k, v->pre_n, v->pre_n_len);
	}
	if (v->post) {
		put_str(buf, cap, &k, ".post");
		put_num(buf, cap, &k, v->post_n, v->post_n_len);
	}
	if (v->dev) {
		put_str(buf, cap, &k, ".dev");
		put_num(buf, cap, &k, v->dev_n, v->dev_n_len);
	}
	if (v->local) {
		put_str(buf, cap, &k, "+");
		const char *p = v->local, *e = p + v->local_len;
		while (p < e) {
			size_t n = seg_len(p, e);
			if (all_digits(p, n)) {
				put_num(buf, cap, &k, p, n);
			} else {
				for (size_t i = 0; i < n && k + 1 < cap; i++)
					buf[k++] = (char)sw_v_lower((unsigned char)p[i]);
			}
			p += n;
			if (p < e) {
				put_str(buf, cap, &k, ".");
				p++;
			}
		}
	}
	buf[k] = 0;
}

/* One clause "OP SPEC" on version v, with packaging's rules: "==" and
 * "!=" ignore v's local label unless the spec has one and support ".*";
 * "<V" excludes pre-releases of V's release unless V is one; ">V"
 * excludes post-releases and local versions of V's release; "~=" is
 * ">= V, == prefix.*"; "===" is string equality.  Returns NULL or why. */
const char *sw_pep440_spec(const char *op, size_t opl, const char *spec, const char *version, bool *ok);
const char *sw_pep440_spec(const char *op, size_t opl, const char *spec, const char *version, bool *ok)
{
#define OPIS(s) (opl == strlen(s) && memcmp(op, s, opl) == 0)
	struct pv v, s;
	const char *why;
	if ((why = pep_parse(version, &v)))
		return why;
	if (OPIS("===")) {
		/* packaging compares the normalised version string */
		char norm[2 * SW_VERSION_MAX_LEN + 64];
		pep_normalize(&v, norm, sizeof(norm));
		size_t a = strlen(spec), b = strlen(norm);
		*ok = a == b && ci_cmp(spec, a, norm, b) == 0;
		return NULL;
	}
	size_t sl = strlen(spec);
	bool wild = sl > 2 && spec[sl - 2] == '.' && spec[sl - 1] == '*';
	char buf[SW_VERSION_MAX_LEN + 1];
	if (sl > SW_VERSION_MAX_LEN)
		return "specifier is too long";
	memcpy(buf, spec, sl + 1);
	if (wild)
		buf[sl - 2] = 0;
	if ((why = pep_parse(buf, &s)))
		return why;
	if (wild) {
		if (!(OPIS("==") || OPIS("!=")))
			return "\".*\" is only allowed with == and !=";
		if (s.local || s.pre_l >= 0 || s.post || s.dev)
			return "\".*\" must follow a release";
		bool m = prefix_match(&v, &s, rel_count(&s));
		*ok = OPIS("==") ? m : !m;
		return NULL;
	}
	if (OPIS("==") || OPIS("!=") || OPIS("") || OPIS("=")) {
		struct pv vv = v;
		if (!s.local)
			vv.local = NULL;
		bool eq = pep_cmp(&vv, &s) == 0;
		*ok = OPIS("!=") ? !eq : eq;
		return NULL;
	}
	if (s.local)
		return "local versions are only allowed with == and !=";
	struct pv pub = v;
	pub.local = NULL;
	int c = pep_cmp(&pub, &s);
	if (OPIS("<=")) {
		*ok = c <= 0;
	} else if (OPIS(">=")) {
		*ok = c >= 0;
	} else if (OPIS("<")) {
		*ok = pep_cmp(&v, &s) < 0 && !(s.pre_l < 0 && !s.dev && (v.pre_l >= 0 || v.dev) && base_eq(&v, &s));
	} else if (OPIS(">")) {
		*ok = pep_cmp(&v, &s) > 0 && !(!s.post && v.post && base_eq(&v, &s)) && !(v.local && base_eq(&v, &s));
	} else if (OPIS("~=")) {
		size_t n = rel_count(&s);
		if (n < 2)
			return "~= needs at least two release numbers";
		*ok = c >= 0 && prefix_match(&v, &s, n - 1);
	} else {
		return "unknown operator";
	}
	return NULL;
#undef OPIS
}
