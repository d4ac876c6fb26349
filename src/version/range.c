/*
 * range.c - is a version affected?  OSV range events, explicit version
 * lists, node-semver ranges and operator-list requirements
 * (RubyGems/Composer/PEP 440/Maven).  This is the one place match/ asks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "util/mem.h"
#include "version/internal.h"

int sw_gem_bump(const char *v, char *buf, size_t cap);
const char *sw_pep440_spec(const char *op, size_t opl, const char *spec, const char *version, bool *ok);

/* ---------- OSV ---------- */

struct ev {
	enum sw_event_kind kind;
	const char *v;
	bool zero;      /* introduced "0" */
};

static int kind_rank(enum sw_event_kind k)
{
	switch (k) {
	case SW_EV_INTRODUCED: return 0;
	case SW_EV_LAST_AFFECTED: return 1;
	case SW_EV_FIXED: return 2;
	case SW_EV_LIMIT: return 3;
	}
	return 4;
}

static bool semver_like(enum sw_vscheme s)
{
	return s == SW_VS_SEMVER || s == SW_VS_NPM || s == SW_VS_GO || s == SW_VS_CARGO;
}

static int range_affected(enum sw_vscheme s, const char *version, const struct sw_range *r, bool *out,
			  struct sw_err *err)
{
	size_t n = r->events.len;
	*out = false;
	if (n == 0)
		return 0;
	struct ev *evs = sw_xcalloc(n, sizeof(*evs));
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sw_event *e = r->events.items[i];
		evs[i].kind = e->kind;
		evs[i].v = e->version ? e->version : "";
		evs[i].zero = e->kind == SW_EV_INTRODUCED && strcmp(evs[i].v, "0") == 0;
		if (!evs[i].zero && (rc = sw_version_validate(s, evs[i].v, err)) < 0) {
			sw_err_wrap(err, "%s range event", r->type ? r->type : "OSV");
			goto out;
		}
	}
	/* insertion sort: stable, "0" first, ties by kind */
	for (size_t i = 1; i < n; i++) {
		struct ev cur = evs[i];
		size_t j = i;
		while (j > 0) {
			const struct ev *p = &evs[j - 1];
			int c;
			if (p->zero || cur.zero)
				c = p->zero && cur.zero ? 0 : (p->zero ? -1 : 1);
			else
				(void)sw_version_compare(s, p->v, cur.v, &c, NULL);
			if (c == 0)
				c = sw_v_sign(kind_rank(p->kind) - kind_rank(cur.kind));
			if (c <= 0)
				break;
			evs[j] = evs[j - 1];
			j--;
		}
		evs[j] = cur;
	}
	bool vuln = false, have_limit = false, below_limit = false;
	for (size_t i = 0; i < n; i++) {
		int c = 0;
		if (!evs[i].zero && (rc = sw_version_compare(s, version, evs[i].v, &c, err)) < 0)
			goto out;
		switch (evs[i].kind) {
		case SW_EV_INTRODUCED:
			if (evs[i].zero || c >= 0)
				vuln = true;
			break;
		case SW_EV_FIXED:
			if (c >= 0)
				vuln = false;
			break;
		case SW_EV_LAST_AFFECTED:
			if (c > 0)
				vuln = false;
			break;
		case SW_EV_LIMIT:
			have_limit = true;
			if (c < 0)
				below_limit = true;
			break;
		}
	}
	*out = vuln && (!have_limit || below_limit);
out:
	free(evs);
	return rc < 0 ? rc : 0;
}

int sw_version_affected_osv(enum sw_vscheme s, const char *version, const struct sw_vec *ranges,
			    const struct sw_vec *versions, bool *affected, struct sw_err *err)
{
	*affected = false;
	int rc = sw_version_validate(s, version, err);
	if (rc < 0)
		return rc;
	if (versions)
		for (size_t i = 0; i < versions->len; i++) {
			const char *v = versions->items[i];
			int c;
			if (!v)
				continue;
			if (strcmp(v, version) == 0 || (sw_version_compare(s, version, v, &c, NULL) == 0 && c == 0)) {
				*affected = true;
				return 0;
			}
		}
	if (!ranges)
		return 0;
	for (size_t i = 0; i < ranges->len; i++) {
		const struct sw_range *r = ranges->items[i];
		if (!r || (r->type && strcasecmp(r->type, "GIT") == 0))
			continue;
		enum sw_vscheme rs = s;
		if (r->type && strcasecmp(r->type, "SEMVER") == 0 && !semver_like(s))
			rs = SW_VS_SEMVER;
		bool hit = false;
		if ((rc = range_affected(rs, version, r, &hit, err)) < 0)
			return rc;
		if (hit) {
			*affected = true;
			return 0;
		}
	}
	return 0;
}

/* ---------- node-semver ranges ---------- */

enum op { OP_ANY, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NONE_ };

struct ncmp {
	enum op op;
	struct sw_semver v;
	char buf[3][24];
	char pre[SW_VERSION_MAX_LEN + 1];
};

struct nset {
	struct ncmp *c;
	size_t n, cap;
};

/* One x-range identifier: number, or X (x, X, *, absent). */
struct xid {
	bool x;
	const char *p;
	size_t n;
	uint64_t val;
};

struct xr {
	struct xid id[3];
	const char *pre; size_t pre_len;
};

/* XRANGEPLAIN at [p, e): [v=\s]*ID(.ID(.ID PRE? BUILD?)?)? */
static const char *parse_xr(const char *p, const char *e, bool loose, bool allow_prefix, struct xr *x)
{
	memset(x, 0, sizeof(*x));
	if (allow_prefix)
		while (p < e && (*p == 'v' || *p == '=' || sw_v_space((unsigned char)*p)))
			p++;
	else if (p < e && *p == 'v')
		p++;
	for (int i = 0; i < 3; i++) {
		x->id[i].x = true;
	}
	for (int i = 0; i < 3; i++) {
		const char *q = p;
		if (q < e && (*q == 'x' || *q == 'X' || *q == '*')) {
			q++;
		} else {
			while (q < e && sw_v_digit(*q))
				q++;
			if (q == p)
				return "invalid version in range";
			if (!loose && q - p > 1 && *p == '0')
				return "numeric part has a leading zero";
			if (q - p > 16)
				return "numeric part is too large";
			uint64_t v = 0;
			for (const char *d = p; d < q; d++)
				v = v * 10 + (uint64_t)(*d - '0');
			if (v > 9007199254740991ULL)
				return "numeric part is too large";
			x->id[i].x = false;
			x->id[i].val = v;
		}
		x->id[i].p = p;
		x->id[i].n = (size_t)(q - p);
		p = q;
		if (i < 2) {
			if (p < e && *p == '.') {
				p++;
				continue;
			}
			break;
		}
		/* after the third: PRE? BUILD? */
		if (p < e && (*p == '-' || (loose && *p != '+'))) {
			struct sw_semver tmp;
			char txt[SW_VERSION_MAX_LEN + 8];
			size_t n = (size_t)(e - p);
			if (n > SW_VERSION_MAX_LEN)
				return "version is too long";
			memcpy(txt, "0.0.0", 5);
			memcpy(txt + 5, p, n);
			const char *why = sw_semver_parse(txt, n + 5, loose ? SW_SEMVER_LOOSE : SW_SEMVER_STRICT, &tmp);
			if (why)
				return why;
			if (tmp.pre) {
				x->pre = p + (tmp.pre - (txt + 5));
				x->pre_len = tmp.pre_len;
			}
			return NULL;
		}
		if (p < e && *p == '+') {
			struct sw_semver tmp;
			char txt[SW_VERSION_MAX_LEN + 8];
			size_t n = (size_t)(e - p);
			if (n > SW_VERSION_MAX_LEN)
				return "version is too long";
			memcpy(txt, "0.0.0", 5);
			memcpy(txt + 5, p, n);
			const char *why = sw_semver_parse(txt, n + 5, SW_SEMVER_STRICT, &tmp);
			if (why)
				return why;
			return NULL;
		}
	}
	if (p != e)
		return "invalid version in range";
	return NULL;
}

static struct ncmp *add_cmp(struct nset *s, enum op op)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->c = sw_xrealloc(s->c, s->cap * sizeof(*s->c));
	}
	struct ncmp *c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	return c;
}

static void put_num(struct ncmp *c, int i, uint64_t v)
{
	char tmp[24];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int j = 0; j < k; j++)
		c->buf[i][j] = tmp[k - 1 - j];
	c->buf[i][k] = 0;
}

/* Point c's version at its buffers (M.m.p already in buf) and copy pre. */
static void set_version(struct ncmp *c, const char *pre, size_t pre_len)
{
	c->v.major = c->buf[0];
	c->v.major_len = strlen(c->buf[0]);
	c->v.minor = c->buf[1];
	c->v.minor_len = strlen(c->buf[1]);
	c->v.patch = c->buf[2];
	c->v.patch_len = strlen(c->buf[2]);
	if (pre) {
		if (pre_len > SW_VERSION_MAX_LEN)
			pre_len = SW_VERSION_MAX_LEN;
		memcpy(c->pre, pre, pre_len);
		c->pre[pre_len] = 0;
		c->v.pre = c->pre;
		c->v.pre_len = pre_len;
	}
}

/* Add comparator op M.m.p[-pre]. */
static void add_ver(struct nset *s, enum op op, uint64_t M, uint64_t m, uint64_t p, const char *pre, size_t pre_len)
{
	struct ncmp *c = add_cmp(s, op);
	put_num(c, 0, M);
	put_num(c, 1, m);
	put_num(c, 2, p);
	set_version(c, pre, pre_len);
}

/* Add comparator op with the version of a full x-range (no X in it). */
static void add_xr(struct nset *s, enum op op, const struct xr *x)
{
	struct ncmp *c = add_cmp(s, op);
	for (int i = 0; i < 3; i++) {
		size_t n = x->id[i].n < 23 ? x->id[i].n : 23;
		memcpy(c->buf[i], x->id[i].p, n);
		c->buf[i][n] = 0;
	}
	set_version(c, x->pre, x->pre_len);
}

static size_t strip_stars(const char *w, const char *e, char *out);

/* A plain comparator: GTLT then a full version (node's Comparator). */
static const char *desugar_plain(struct nset *s, const char *w, const char *e, bool loose)
{
	enum op op = OP_EQ;
	const char *q = w;
	if (q < e && *q == '<') {
		op = OP_LT;
		q++;
	} else if (q < e && *q == '>') {
		op = OP_GT;
		q++;
	}
	if (q < e && *q == '=') {
		op = op == OP_LT ? OP_LE : (op == OP_GT ? OP_GE : OP_EQ);
		q++;
	}
	while (q < e && sw_v_space((unsigned char)*q))
		q++;
	struct xr x;
	const char *why = parse_xr(q, e, loose, loose, &x);
	if (why)
		return why;
	if (x.id[0].x || x.id[1].x || x.id[2].x)
		return "invalid comparator";
	add_xr(s, op, &x);
	return NULL;
}

#define Z0 "0", 1

static const char *desugar(struct nset *s, const char *w, const char *e, bool loose, bool incpr)
{
	struct xr x;
	const char *why;
	uint64_t M, m, p;
	if (w == e) {
		add_cmp(s, OP_ANY);
		return NULL;
	}
	if (*w == '^') {
		if ((why = parse_xr(w + 1, e, loose, true, &x)))
			return why;
		if (x.id[0].x) {
			add_cmp(s, OP_ANY);
			return NULL;
		}
		M = x.id[0].val;
		m = x.id[1].val;
		p = x.id[2].val;
		const char *z = incpr ? "0" : NULL;
		size_t zl = incpr ? 1 : 0;
		if (x.id[1].x) {
			add_ver(s, OP_GE, M, 0, 0, z, zl);
			add_ver(s, OP_LT, M + 1, 0, 0, Z0);
		} else if (x.id[2].x) {
			add_ver(s, OP_GE, M, m, 0, z, zl);
			if (M == 0)
				add_ver(s, OP_LT, 0, m + 1, 0, Z0);
			else
				add_ver(s, OP_LT, M + 1, 0, 0, Z0);
		} else {
			/* node-semver 7.8: no "-0" on a full version's lower bound */
			add_ver(s, OP_GE, M, m, p, x.pre, x.pre_len);
			if (M == 0 && m == 0)
				add_ver(s, OP_LT, 0, 0, p + 1, Z0);
			else if (M == 0)
				add_ver(s, OP_LT, 0, m + 1, 0, Z0);
			else
				add_ver(s, OP_LT, M + 1, 0, 0, Z0);
		}
		return NULL;
	}
	if (*w == '~') {
		const char *q = w + 1;
		if (q < e && *q == '>')
			q++;
		if ((why = parse_xr(q, e, loose, true, &x)))
			return why;
		if (x.id[0].x) {
			add_cmp(s, OP_ANY);
			return NULL;
		}
		M = x.id[0].val;
		m = x.id[1].val;
		p = x.id[2].val;
		const char *z = incpr ? "0" : NULL;
		size_t zl = incpr ? 1 : 0;
		if (x.id[1].x) {
			add_ver(s, OP_GE, M, 0, 0, z, zl);
			add_ver(s, OP_LT, M + 1, 0, 0, Z0);
		} else if (x.id[2].x) {
			add_ver(s, OP_GE, M, m, 0, z, zl);
			add_ver(s, OP_LT, M, m + 1, 0, Z0);
		} else {
			add_ver(s, OP_GE, M, m, p, x.pre, x.pre_len);
			add_ver(s, OP_LT, M, m + 1, 0, Z0);
		}
		return NULL;
	}
	/* GTLT x-range */
	enum op op = OP_EQ;
	const char *q = w;
	bool had_op = false;
	if (q < e && *q == '<') {
		op = OP_LT;
		q++;
		had_op = true;
	} else if (q < e && *q == '>') {
		op = OP_GT;
		q++;
		had_op = true;
	}
	if (q < e && *q == '=') {
		op = op == OP_LT ? OP_LE : (op == OP_GT ? OP_GE : OP_EQ);
		q++;
		had_op = true;
	}
	/* An x in any part allows the [v=\s]* prefix; otherwise the text
	 * must be a full version (Comparator: "v?" only, or loose). */
	if ((why = parse_xr(q, e, loose, true, &x)) ||
	    (x.id[0].x && x.id[1].n && !x.id[1].x) || (x.id[1].x && x.id[2].n && !x.id[2].x)) {
		/* not an x-range (node-semver leaves it alone, then drops its
		 * stars and reads what is left as a plain comparator) */
		char buf[2 * SW_VERSION_MAX_LEN + 8];
		if ((size_t)(e - w) >= sizeof(buf) || !memchr(w, '*', (size_t)(e - w)))
			return why ? why : "invalid x-range";
		size_t k = strip_stars(w, e, buf);
		if (k == 0) {
			add_cmp(s, OP_ANY);
			return NULL;
		}
		if (memchr(buf, '*', k))
			return "invalid x-range";
		return desugar_plain(s, buf, buf + k, loose);
	}
	bool xM = x.id[0].x, xm = xM || x.id[1].x, xp = xm || x.id[2].x;
	if (!xp) {
		struct xr y;
		if (!loose && (why = parse_xr(q, e, false, false, &y)))
			return why;
		add_xr(s, op, &x);
		return NULL;
	}
	if (op == OP_EQ)
		had_op = false;
	const char *pr = incpr ? "0" : NULL;
	size_t prl = incpr ? 1 : 0;
	if (xM) {
		if (op == OP_LT || op == OP_GT)
			add_ver(s, OP_LT, 0, 0, 0, Z0);
		else
			add_cmp(s, OP_ANY);
		return NULL;
	}
	M = x.id[0].val;
	m = xm ? 0 : x.id[1].val;
	p = 0;
	if (had_op) {
		if (op == OP_GT) {
			op = OP_GE;
			if (xm) {
				M++;
				m = 0;
			} else {
				m++;
			}
		} else if (op == OP_LE) {
			op = OP_LT;
			if (xm)
				M++;
			else
				m++;
		}
		if (op == OP_LT) {
			pr = "0";
			prl = 1;
		}
		add_ver(s, op, M, m, p, pr, prl);
		return NULL;
	}
	if (xm) {
		add_ver(s, OP_GE, M, 0, 0, pr, prl);
		add_ver(s, OP_LT, M + 1, 0, 0, Z0);
	} else {
		add_ver(s, OP_GE, M, m, 0, pr, prl);
		add_ver(s, OP_LT, M, m + 1, 0, Z0);
	}
	return NULL;
}

static const char *hyphen(struct nset *s, const char *a, const char *ae, const char *b, const char *be, bool loose,
			  bool incpr)
{
	struct xr f, t;
	const char *why;
	if ((why = parse_xr(a, ae, loose, true, &f)) || (why = parse_xr(b, be, loose, true, &t)))
		return why;
	const char *z = incpr ? "0" : NULL;
	size_t zl = incpr ? 1 : 0;
	if (f.id[0].x)
		;
	else if (f.id[1].x)
		add_ver(s, OP_GE, f.id[0].val, 0, 0, z, zl);
	else if (f.id[2].x)
		add_ver(s, OP_GE, f.id[0].val, f.id[1].val, 0, z, zl);
	else if (f.pre)
		add_ver(s, OP_GE, f.id[0].val, f.id[1].val, f.id[2].val, f.pre, f.pre_len);
	else
		add_ver(s, OP_GE, f.id[0].val, f.id[1].val, f.id[2].val, z, zl);
	if (t.id[0].x)
		;
	else if (t.id[1].x)
		add_ver(s, OP_LT, t.id[0].val + 1, 0, 0, Z0);
	else if (t.id[2].x)
		add_ver(s, OP_LT, t.id[0].val, t.id[1].val + 1, 0, Z0);
	else if (t.pre)
		add_ver(s, OP_LE, t.id[0].val, t.id[1].val, t.id[2].val, t.pre, t.pre_len);
	else if (incpr)
		add_ver(s, OP_LT, t.id[0].val, t.id[1].val, t.id[2].val + 1, Z0);
	else
		add_ver(s, OP_LE, t.id[0].val, t.id[1].val, t.id[2].val, NULL, 0);
	if (s->n == 0)
		add_cmp(s, OP_ANY);
	return NULL;
}

static bool cmp_test(const struct ncmp *c, const struct sw_semver *v)
{
	if (c->op == OP_ANY)
		return true;
	int r = sw_semver_cmp(v, &c->v);
	switch (c->op) {
	case OP_LT: return r < 0;
	case OP_LE: return r <= 0;
	case OP_GT: return r > 0;
	case OP_GE: return r >= 0;
	case OP_EQ: return r == 0;
	default: return true;
	}
}

static bool set_test(const struct nset *s, const struct sw_semver *v, bool incpr)
{
	for (size_t i = 0; i < s->n; i++)
		if (!cmp_test(&s->c[i], v))
			return false;
	if (v->pre && !incpr) {
		for (size_t i = 0; i < s->n; i++) {
			const struct ncmp *c = &s->c[i];
			if (c->op == OP_ANY || !c->v.pre)
				continue;
			if (sw_v_numcmp(c->v.major, c->v.major_len, v->major, v->major_len) == 0 &&
			    sw_v_numcmp(c->v.minor, c->v.minor_len, v->minor, v->minor_len) == 0 &&
			    sw_v_numcmp(c->v.patch, c->v.patch_len, v->patch, v->patch_len) == 0)
				return true;
		}
		return false;
	}
	return true;
}

/* node-semver 7.8 strips build metadata ("+build.1") from each "||"
 * part before parsing it.  Returns a malloc'd copy of [p, e). */
static char *strip_build(const char *p, const char *e)
{
	size_t elen = (size_t)(e - p), k = 0;
	char *out = sw_xmalloc(elen + 1);
	for (size_t i = 0; i < elen;) {
		if (p[i] == '+') {
			size_t j = i + 1;
			for (;;) {
				size_t st = j;
				while (j < elen && (sw_v_alnum((unsigned char)p[j]) || p[j] == '-'))
					j++;
				if (j == st) {
					j = st > i + 1 ? st - 1 : st;   /* give back a trailing '.' */
					break;
				}
				if (j + 1 < elen && p[j] == '.' && (sw_v_alnum((unsigned char)p[j + 1]) || p[j + 1] == '-')) {
					j++;
					continue;
				}
				break;
			}
			if (j > i + 1) {
				i = j;
				continue;
			}
		}
		out[k++] = p[i++];
	}
	out[k] = 0;
	return out;
}

/* node-semver's replaceStars: drop every "(<|>)?=?\s*\*". */
static size_t strip_stars(const char *w, const char *e, char *out)
{
	size_t k = 0;
	for (const char *c = w; c < e; c++) {
		if (*c == '*') {
			while (k > 0 && sw_v_space((unsigned char)out[k - 1]))
				k--;
			if (k > 0 && out[k - 1] == '=')
				k--;
			if (k > 0 && (out[k - 1] == '<' || out[k - 1] == '>'))
				k--;
			continue;
		}
		out[k++] = *c;
	}
	return k;
}

static bool is_op_char(int c)
{
	return c == '<' || c == '>' || c == '=' || c == '~' || c == '^';
}

#define MAX_WORDS 64

/* One "||" alternative [p, e). */
static const char *node_alt(const char *p0, const char *e0, bool loose, bool incpr, const struct sw_semver *v,
			    bool *hit, bool *empty, bool *only_any)
{
	bool dropped_any = false, *dropped = &dropped_any;
	*only_any = false;
	char *copy = strip_build(p0, e0);
	const char *p = copy, *e = copy + strlen(copy);
	const char *ws[MAX_WORDS], *we[MAX_WORDS];
	int n = 0;
	const char *why = NULL;
	while (p < e) {
		while (p < e && sw_v_space((unsigned char)*p))
			p++;
		if (p == e)
			break;
		const char *q = p;
		while (q < e && !sw_v_space((unsigned char)*q))
			q++;
		if (n >= MAX_WORDS) {
			free(copy);
			return "range has too many parts";
		}
		ws[n] = p;
		we[n] = q;
		n++;
		p = q;
	}
	struct nset s = { NULL, 0, 0 };
	if (n == 3 && we[1] - ws[1] == 1 && *ws[1] == '-') {
		why = hyphen(&s, ws[0], we[0], ws[2], we[2], loose, incpr);
	} else {
		/* merge operator-only words with the next word */
		int i = 0;
		if (n == 0)
			add_cmp(&s, OP_ANY);
		while (i < n && !why) {
			const char *a = ws[i], *b = we[i];
			bool only_ops = true;
			for (const char *c = a; c < b; c++)
				if (!is_op_char(*c))
					only_ops = false;
			char tmp[2 * SW_VERSION_MAX_LEN + 8];
			if (only_ops && i + 1 < n) {
				size_t l1 = (size_t)(b - a), l2 = (size_t)(we[i + 1] - ws[i + 1]);
				if (l1 + l2 >= sizeof(tmp)) {
					why = "range is too long";
					break;
				}
				memcpy(tmp, a, l1);
				memcpy(tmp + l1, ws[i + 1], l2);
				why = desugar(&s, tmp, tmp + l1 + l2, loose, incpr);
				/* pre-release slices point into tmp: copied by add_ver */
				i += 2;
			} else {
				why = desugar(&s, a, b, loose, incpr);
				i++;
			}
			if (why && loose) {
				/* loose mode throws out comparators that do not parse */
				why = NULL;
				*dropped = true;
			}
		}
	}
	/* The array may have moved while it grew: re-point each comparator's
	 * version at its own buffers.  ">=0.0.0" (">=0.0.0-0" with
	 * includePrerelease) is "*", as node-semver's replaceGTE0. */
	bool all_any = true;
	for (size_t k = 0; k < s.n; k++) {
		struct ncmp *c = &s.c[k];
		c->v.major = c->buf[0];
		c->v.minor = c->buf[1];
		c->v.patch = c->buf[2];
		if (c->v.pre)
			c->v.pre = c->pre;
		if (c->op == OP_GE && !strcmp(c->buf[0], "0") && !strcmp(c->buf[1], "0") && !strcmp(c->buf[2], "0") &&
		    (incpr ? (c->v.pre && !strcmp(c->pre, "0")) : !c->v.pre))
			c->op = OP_ANY;
		if (c->op != OP_ANY)
			all_any = false;
	}
	*only_any = s.n > 0 && all_any;
	if (!why && s.n == 0)
		*empty = true;
	else if (!why)
		*hit = set_test(&s, v, incpr);
	free(s.c);
	free(copy);
	return why;
}

static int node_satisfies(const char *version, const char *expr, unsigned flags, bool *out, struct sw_err *err,
			  enum sw_vscheme scheme)
{
	bool loose = flags & SW_VSAT_LOOSE, incpr = flags & SW_VSAT_INCLUDE_PRERELEASE;
	struct sw_semver v;
	int mode = loose ? SW_SEMVER_LOOSE : (scheme == SW_VS_GO ? SW_SEMVER_GO :
					      (scheme == SW_VS_SEMVER || scheme == SW_VS_CARGO) ? SW_SEMVER_STRICT
											     : SW_SEMVER_NPM);
	const char *why = sw_semver_parse(version, strlen(version), mode, &v);
	if (why)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid %s version: %s", version,
				  sw_vscheme_name(scheme), why);
	if (strlen(expr) > 4 * SW_VERSION_MAX_LEN)
		return sw_err_set(err, SW_E_FORMAT, "range '%.40s...' is too long", expr);
	*out = false;
	int nonempty = 0, alts = 0;
	bool any_alt = false, rest_hit = false;
	const char *p = expr, *end = expr + strlen(expr);
	int rc = 0;
	for (;;) {
		const char *bar = p;
		while (bar < end && !(bar[0] == '|' && bar + 1 < end && bar[1] == '|'))
			bar++;
		bool hit = false, empty = false, only_any = false;
		why = node_alt(p, bar, loose, incpr, &v, &hit, &empty, &only_any);
		if (why) {
			rc = sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid range: %s", expr, why);
			goto out;
		}
		if (!empty) {
			nonempty++;
			alts++;
			if (only_any)
				any_alt = true;
			if (hit)
				rest_hit = true;
		}
		if (bar >= end)
			break;
		p = bar + 2;
	}
	if (!nonempty) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid range: no valid comparator", expr);
		goto out;
	}
	/* "if we have any that are *, then the range is just *" */
	if (alts > 1 && any_alt)
		*out = !v.pre || incpr;
	else
		*out = rest_hit;
out:
	return rc;
}

/* ---------- operator lists (gem, composer, pep440, maven, distro) ---------- */

static int cmpv(enum sw_vscheme s, const char *a, const char *b, int *c, struct sw_err *err)
{
	return sw_version_compare(s, a, b, c, err);
}

/* Increment the last numeric dotted component of the prefix "1.2" of v
 * (drop_last: first drop the last component, as "~>" and "~=" do). */
static int bump(const char *v, bool drop_last, char *buf, size_t cap)
{
	const char *p = v;
	while (*p && !sw_v_digit(*p))
		p++;   /* "v1.2" */
	const char *st[64];
	size_t ln[64];
	int n = 0;
	while (*p && sw_v_digit(*p) && n < 64) {
		const char *q = p;
		while (sw_v_digit(*q))
			q++;
		st[n] = p;
		ln[n++] = (size_t)(q - p);
		if (*q == '.' && sw_v_digit(q[1]))
			p = q + 1;
		else
			break;
	}
	if (n == 0)
		return -1;
	if (drop_last && n > 1)
		n--;
	size_t used = 0;
	for (int i = 0; i < n; i++) {
		if (used + ln[i] + 3 >= cap)
			return -1;
		if (i)
			buf[used++] = '.';
		if (i < n - 1) {
			memcpy(buf + used, st[i], ln[i]);
			used += ln[i];
		} else {
			char t[80];
			if (ln[i] + 2 > sizeof(t))
				return -1;
			t[0] = '0';
			memcpy(t + 1, st[i], ln[i]);
			size_t k = ln[i] + 1;
			for (size_t j = k; j-- > 0;) {
				if (t[j] == '9') {
					t[j] = '0';
				} else {
					t[j]++;
					break;
				}
			}
			const char *s = t;
			size_t sl = k;
			while (sl > 1 && *s == '0') {
				s++;
				sl--;
			}
			memcpy(buf + used, s, sl);
			used += sl;
		}
	}
	buf[used] = 0;
	return 0;
}

/* Gem::Version#release: the part before the first letter / "-". */
static void gem_release(const char *v, char *buf, size_t cap)
{
	size_t k = 0;
	while (v[k] && k + 1 < cap && !sw_v_alpha((unsigned char)v[k]) && v[k] != '-')
		k++;
	while (k > 0 && v[k - 1] == '.')
		k--;
	memcpy(buf, v, k);
	buf[k] = 0;
}

static int one_req(enum sw_vscheme s, const char *version, const char *op, size_t opl, const char *ver, bool *ok,
		   struct sw_err *err)
{
	char vbuf[SW_VERSION_MAX_LEN + 16];
	size_t vl = strlen(ver);
	if (vl > SW_VERSION_MAX_LEN)
		return sw_err_set(err, SW_E_FORMAT, "requirement version is too long");
	memcpy(vbuf, ver, vl + 1);
	int c, rc;
	char up[SW_VERSION_MAX_LEN + 16];
	if (s == SW_VS_PEP440) {
		const char *why = sw_pep440_spec(op, opl, ver, version, ok);
		if (why)
			return sw_err_set(err, SW_E_FORMAT, "'%.*s%s' is not a valid PEP 440 specifier: %s", (int)opl, op,
					  ver, why);
		return 0;
	}
	bool wild = vl > 2 && (memcmp(vbuf + vl - 2, ".*", 2) == 0 || memcmp(vbuf + vl - 2, ".x", 2) == 0 ||
			       memcmp(vbuf + vl - 2, ".X", 2) == 0);
#define OPIS(str) (opl == strlen(str) && memcmp(op, str, opl) == 0)
	if (wild && (opl == 0 || OPIS("=") || OPIS("==") || OPIS("!="))) {
		vbuf[vl - 2] = 0;
		if (bump(vbuf, false, up, sizeof(up)) < 0)
			return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid wildcard version", ver);
		char lo[SW_VERSION_MAX_LEN + 16];
		size_t l = strlen(vbuf);
		memcpy(lo, vbuf, l + 1);
		if (s == SW_VS_PEP440) {
			memcpy(lo + l, ".dev0", 6);
			size_t ul = strlen(up);
			memcpy(up + ul, ".dev0", 6);
		}
		int c1, c2;
		if ((rc = cmpv(s, version, lo, &c1, err)) < 0 || (rc = cmpv(s, version, up, &c2, err)) < 0)
			return rc;
		bool in = c1 >= 0 && c2 < 0;
		*ok = OPIS("!=") ? !in : in;
		return 0;
	}
	if ((rc = cmpv(s, version, vbuf, &c, err)) < 0)
		return rc;
	if (opl == 0 || OPIS("=") || OPIS("==") || OPIS("==="))
		*ok = c == 0;
	else if (OPIS("!=") || OPIS("<>"))
		*ok = c != 0;
	else if (OPIS("<") || OPIS("<<"))
		*ok = c < 0;
	else if (OPIS("<="))
		*ok = c <= 0;
	else if (OPIS(">") || OPIS(">>"))
		*ok = c > 0;
	else if (OPIS(">="))
		*ok = c >= 0;
	else if (OPIS("~>") || OPIS("~=") || OPIS("~") || OPIS("^")) {
		if (c < 0) {
			*ok = false;
			return 0;
		}
		if (OPIS("^")) {
			/* Composer caret: next significant (first non-zero) part */
			const char *p = vbuf;
			if (*p == 'v')
				p++;
			char pre[SW_VERSION_MAX_LEN + 16];
			size_t k = 0;
			while (p[k] && (sw_v_digit(p[k]) || p[k] == '.') && k + 1 < sizeof(pre))
				k++;
			memcpy(pre, p, k);
			pre[k] = 0;
			/* keep parts up to and including the first non-zero one */
			size_t cut = k;
			for (size_t i = 0; i < k; i++) {
				if (pre[i] != '0' && pre[i] != '.') {
					size_t j = i;
					while (j < k && pre[j] != '.')
						j++;
					cut = j;
					break;
				}
			}
			pre[cut] = 0;
			if (bump(pre, false, up, sizeof(up)) < 0)
				return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid caret version", ver);
		} else if (s == SW_VS_GEM) {
			if (sw_gem_bump(vbuf, up, sizeof(up)) < 0)
				return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid gem version", ver);
		} else if (bump(vbuf, true, up, sizeof(up)) < 0) {
			return sw_err_set(err, SW_E_FORMAT, "'%s' has no numeric release to bump", ver);
		}
		if (s == SW_VS_PEP440 || s == SW_VS_COMPOSER) {
			size_t ul = strlen(up);
			memcpy(up + ul, s == SW_VS_PEP440 ? ".dev0" : "-dev", s == SW_VS_PEP440 ? 6 : 5);
		}
		char rel[SW_VERSION_MAX_LEN + 16];
		const char *lhs = version;
		if (s == SW_VS_GEM) {
			gem_release(version, rel, sizeof(rel));
			if (rel[0])
				lhs = rel;
		}
		if ((rc = cmpv(s, lhs, up, &c, err)) < 0)
			return rc;
		*ok = c < 0;
	} else {
		return sw_err_set(err, SW_E_FORMAT, "unknown operator '%.*s'", (int)opl, op);
	}
#undef OPIS
	return 0;
}

/* Maven range "[1.0,2.0)", "(,1.0]", "[1.2]", several joined by ",". */
static int maven_ranges(const char *version, const char *expr, bool *out, struct sw_err *err)
{
	const char *p = expr;
	*out = false;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p != '[' && *p != '(')
			return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid maven range", expr);
		bool lo_inc = *p == '[';
		const char *close = p + 1;
		while (*close && *close != ']' && *close != ')')
			close++;
		if (!*close)
			return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid maven range: unclosed", expr);
		bool hi_inc = *close == ']';
		const char *comma = memchr(p + 1, ',', (size_t)(close - p - 1));
		char lo[SW_VERSION_MAX_LEN + 1], hi[SW_VERSION_MAX_LEN + 1];
		size_t ll = (size_t)((comma ? comma : close) - p - 1);
		if (ll > SW_VERSION_MAX_LEN)
			return sw_err_set(err, SW_E_FORMAT, "maven range is too long");
		memcpy(lo, p + 1, ll);
		lo[ll] = 0;
		hi[0] = 0;
		if (comma) {
			size_t hl = (size_t)(close - comma - 1);
			if (hl > SW_VERSION_MAX_LEN)
				return sw_err_set(err, SW_E_FORMAT, "maven range is too long");
			memcpy(hi, comma + 1, hl);
			hi[hl] = 0;
		}
		/* trim */
		char *parts[2] = { lo, hi };
		for (int i = 0; i < 2; i++) {
			char *s = parts[i];
			size_t n = strlen(s);
			while (n && s[n - 1] == ' ')
				s[--n] = 0;
			size_t k = 0;
			while (s[k] == ' ')
				k++;
			memmove(s, s + k, n - k + 1);
		}
		bool ok = true;
		int c, rc;
		if (!comma) {
			if ((rc = sw_version_compare(SW_VS_MAVEN, version, lo, &c, err)) < 0)
				return rc;
			ok = c == 0;
		} else {
			if (lo[0]) {
				if ((rc = sw_version_compare(SW_VS_MAVEN, version, lo, &c, err)) < 0)
					return rc;
				ok = ok && (lo_inc ? c >= 0 : c > 0);
			}
			if (hi[0]) {
				if ((rc = sw_version_compare(SW_VS_MAVEN, version, hi, &c, err)) < 0)
					return rc;
				ok = ok && (hi_inc ? c <= 0 : c < 0);
			}
		}
		if (ok)
			*out = true;
		p = close + 1;
	}
	return 0;
}

static int oplist_satisfies(enum sw_vscheme s, const char *version, const char *expr, bool *out, struct sw_err *err)
{
	int rc = sw_version_validate(s, version, err);
	if (rc < 0)
		return rc;
	const char *t = expr;
	while (sw_v_space((unsigned char)*t))
		t++;
	if (s == SW_VS_MAVEN && (*t == '[' || *t == '('))
		return maven_ranges(version, t, out, err);
	*out = false;
	const char *p = expr, *end = expr + strlen(expr);
	for (;;) {
		const char *bar = p;
		while (bar < end && !(bar[0] == '|' && bar + 1 < end && bar[1] == '|'))
			bar++;
		/* Composer also writes a single "|". */
		if (s == SW_VS_COMPOSER) {
			const char *b1 = p;
			while (b1 < bar && *b1 != '|')
				b1++;
			if (b1 < bar)
				bar = b1;
		}
		bool all = true, any = false;
		const char *q = p;
		/* hyphen range "A - B" */
		{
			const char *h = NULL;
			for (const char *r = q; r + 2 < bar; r++)
				if (r[0] == ' ' && r[1] == '-' && r[2] == ' ') {
					h = r;
					break;
				}
			if (h) {
				char a[SW_VERSION_MAX_LEN + 1], b[SW_VERSION_MAX_LEN + 1];
				const char *as = q, *ae = h, *bs = h + 3, *be = bar;
				while (as < ae && sw_v_space((unsigned char)*as)) as++;
				while (ae > as && sw_v_space((unsigned char)ae[-1])) ae--;
				while (bs < be && sw_v_space((unsigned char)*bs)) bs++;
				while (be > bs && sw_v_space((unsigned char)be[-1])) be--;
				if ((size_t)(ae - as) > SW_VERSION_MAX_LEN || (size_t)(be - bs) > SW_VERSION_MAX_LEN)
					return sw_err_set(err, SW_E_FORMAT, "requirement is too long");
				memcpy(a, as, (size_t)(ae - as));
				a[ae - as] = 0;
				memcpy(b, bs, (size_t)(be - bs));
				b[be - bs] = 0;
				bool o1, o2;
				if ((rc = one_req(s, version, ">=", 2, a, &o1, err)) < 0 ||
				    (rc = one_req(s, version, "<=", 2, b, &o2, err)) < 0)
					return sw_err_wrap(err, "requirement '%s'", expr);
				if (o1 && o2)
					*out = true;
				goto next;
			}
		}
		while (q < bar) {
			while (q < bar && (sw_v_space((unsigned char)*q) || *q == ','))
				q++;
			if (q >= bar)
				break;
			const char *op = q;
			while (q < bar && (*q == '<' || *q == '>' || *q == '=' || *q == '!' || *q == '~' || *q == '^'))
				q++;
			size_t opl = (size_t)(q - op);
			while (q < bar && sw_v_space((unsigned char)*q))
				q++;
			const char *vs = q;
			while (q < bar && !sw_v_space((unsigned char)*q) && *q != ',')
				q++;
			if (q == vs)
				return sw_err_set(err, SW_E_FORMAT, "requirement '%s': operator without a version", expr);
			char v[SW_VERSION_MAX_LEN + 1];
			if ((size_t)(q - vs) > SW_VERSION_MAX_LEN)
				return sw_err_set(err, SW_E_FORMAT, "requirement '%s': version is too long", expr);
			memcpy(v, vs, (size_t)(q - vs));
			v[q - vs] = 0;
			bool ok = false;
			if (strcmp(v, "*") == 0 && opl == 0)
				ok = true;
			else if ((rc = one_req(s, version, op, opl, v, &ok, err)) < 0)
				return sw_err_wrap(err, "requirement '%s'", expr);
			any = true;
			if (!ok)
				all = false;
		}
		if (!any)
			return sw_err_set(err, SW_E_FORMAT, "requirement '%s' is empty", expr);
		if (all)
			*out = true;
next:
		if (bar >= end)
			break;
		p = bar + ((bar + 1 < end && bar[1] == '|') ? 2 : 1);
	}
	return 0;
}

int sw_version_satisfies_opts(enum sw_vscheme s, const char *version, const char *expr, unsigned flags, bool *out,
			      struct sw_err *err)
{
	if ((unsigned)s >= SW_VS_COUNT_)
		return sw_err_set(err, SW_E_USAGE, "unknown version scheme %d", (int)s);
	if (!version || !expr)
		return sw_err_set(err, SW_E_USAGE, "missing version or requirement");
	if (semver_like(s))
		return node_satisfies(version, expr, flags, out, err, s);
	return oplist_satisfies(s, version, expr, out, err);
}

int sw_version_satisfies(enum sw_vscheme s, const char *version, const char *expr, bool *out, struct sw_err *err)
{
	return sw_version_satisfies_opts(s, version, expr, 0, out, err);
}

int sw_version_affected(enum sw_vscheme s, const char *version, const struct sw_affected *a, bool *affected,
			struct sw_err *err)
{
	*affected = false;
	if (!a)
		return 0;
	bool hit = false;
	int rc;
	if (a->ranges.len || a->versions.len) {
		if ((rc = sw_version_affected_osv(s, version, &a->ranges, &a->versions, &hit, err)) < 0)
			return rc;
	}
	if (!hit) {
		for (size_t i = 0; i < a->affected_exprs.len && !hit; i++) {
			if ((rc = sw_version_satisfies(s, version, a->affected_exprs.items[i], &hit, err)) < 0)
				return rc;
		}
	}
	if (!hit && !a->ranges.len && !a->versions.len && !a->affected_exprs.len && a->unaffected_exprs.len) {
		/* RubySec: only patched/unaffected lists: affected unless one matches */
		if ((rc = sw_version_validate(s, version, err)) < 0)
			return rc;
		hit = true;
	}
	if (hit) {
		for (size_t i = 0; i < a->unaffected_exprs.len; i++) {
			bool un = false;
			if ((rc = sw_version_satisfies(s, version, a->unaffected_exprs.items[i], &un, err)) < 0)
				return rc;
			if (un) {
				hit = false;
				break;
			}
		}
	}
	*affected = hit;
	return 0;
}
