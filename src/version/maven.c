/*
 * maven.c - Maven ComparableVersion (maven-artifact), ported item for
 * item: integer, string (qualifier), combination ("alpha1") and list
 * items; "-" opens a sub-list, "." separates items, a digit/letter
 * transition separates too; qualifiers alpha(a) < beta(b) < milestone(m)
 * < rc(cr) < snapshot < "" = ga = final = release < sp < unknown
 * (lexical); trailing null items are dropped by normalisation.
 * Input is lower-cased (ASCII); at most 256 characters, as Maven.
 */
#include "version/internal.h"

#define MV_MAX_LEN 256
#define MV_MAX_ITEMS (MV_MAX_LEN * 2 + 8)

enum mv_type { MV_INT, MV_STR, MV_LIST, MV_COMB };

struct mv_item {
	enum mv_type type;
	/* MV_INT: digits (leading zeros stripped, "0" for zero). MV_STR: the
	 * qualifier after aliasing.  MV_COMB: string part in s, digit part in
	 * child (an MV_INT item index). */
	const char *s;
	size_t n;
	int child;           /* MV_COMB: index of digit item */
	int first, last;     /* MV_LIST: children (linked by next) */
	int next;
	int parent;
	int len;             /* MV_LIST: number of children */
};

struct mv {
	struct mv_item it[MV_MAX_ITEMS];
	int count;
	char lower[MV_MAX_LEN + 1];
};

static int mv_new(struct mv *m, enum mv_type t)
{
	if (m->count >= MV_MAX_ITEMS)
		return -1;
	int i = m->count++;
	memset(&m->it[i], 0, sizeof(m->it[i]));
	m->it[i].type = t;
	m->it[i].child = m->it[i].first = m->it[i].last = m->it[i].next = m->it[i].parent = -1;
	return i;
}

static void mv_append(struct mv *m, int list, int item)
{
	struct mv_item *l = &m->it[list];
	m->it[item].next = -1;
	m->it[item].parent = list;
	if (l->last < 0)
		l->first = item;
	else
		m->it[l->last].next = item;
	l->last = item;
	l->len++;
}

static bool is_null(const struct mv *m, int i)
{
	const struct mv_item *x = &m->it[i];
	switch (x->type) {
	case MV_INT:
		return x->n == 1 && x->s[0] == '0';
	case MV_STR:
		return x->n == 0;
	case MV_LIST:
		return x->len == 0;
	default:
		return false;
	}
}

static int int_item(struct mv *m, const char *s, size_t n)
{
	int i = mv_new(m, MV_INT);
	if (i < 0)
		return -1;
	while (n > 0 && *s == '0') {
		s++;
		n--;
	}
	if (n == 0) {
		s = "0";
		n = 1;
	}
	m->it[i].s = s;
	m->it[i].n = n;
	return i;
}

static void str_value(const char *s, size_t n, bool followed_by_digit, const char **os, size_t *on)
{
	if (followed_by_digit && n == 1) {
		if (s[0] == 'a') { s = "alpha"; n = 5; }
		else if (s[0] == 'b') { s = "beta"; n = 4; }
		else if (s[0] == 'm') { s = "milestone"; n = 9; }
	}
	if (n == 2 && memcmp(s, "cr", 2) == 0) {
		s = "rc";
		n = 2;
	}
	*os = s;
	*on = n;
}

static int str_item(struct mv *m, const char *s, size_t n, bool fbd)
{
	int i = mv_new(m, MV_STR);
	if (i < 0)
		return -1;
	str_value(s, n, fbd, &m->it[i].s, &m->it[i].n);
	return i;
}

/* parseItem(isCombination, isDigit, buf); buf may contain '-' for a
 * combination (removed: "x-1" is "x1"). */
static int parse_item(struct mv *m, bool comb, bool digit, const char *s, size_t n, char *scratch, size_t *sused)
{
	if (comb) {
		/* Copy without '-' into scratch space. */
		char *c = scratch + *sused;
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			if (s[j] != '-')
				c[k++] = s[j];
		*sused += k;
		size_t idx = 0;
		for (size_t j = 0; j < k; j++)
			if (sw_v_digit(c[j])) {
				idx = j;
				break;
			}
		int i = mv_new(m, MV_COMB);
		if (i < 0)
			return -1;
		str_value(c, idx, true, &m->it[i].s, &m->it[i].n);
		int d = int_item(m, c + idx, k - idx);
		if (d < 0)
			return -1;
		m->it[i].child = d;
		return i;
	}
	if (digit)
		return int_item(m, s, n);
	return str_item(m, s, n, false);
}

/* comparableQualifier(): the order key of a qualifier, as a small number
 * for known ones (index in QUALIFIERS) and 7 + lexical for others. */
static int qual_index(const char *s, size_t n)
{
	static const char *const q[] = { "alpha", "beta", "milestone", "rc", "snapshot", "", "sp" };
	if ((n == 2 && memcmp(s, "ga", 2) == 0) || (n == 5 && memcmp(s, "final", 5) == 0) ||
	    (n == 7 && memcmp(s, "release", 7) == 0))
		return 5;
	for (int i = 0; i < 7; i++)
		if (strlen(q[i]) == n && memcmp(q[i], s, n) == 0)
			return i;
	return -1;
}

/* Java: comparableQualifier(a).compareTo(comparableQualifier(b)), where
 * known qualifiers are "0".."6" and others "7-" + qualifier. */
static int qual_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int x = qual_index(a, an), y = qual_index(b, bn);
	if (x >= 0 && y >= 0)
		return sw_v_sign(x - y);
	if (x >= 0)
		return -1;   /* "0".."6" < "7-..." */
	if (y >= 0)
		return 1;
	return sw_v_bytecmp(a, an, b, bn);
}

static int cmp_item(const struct mv *ma, int a, const struct mv *mb, int b);

/* item.compareTo(null) */
static int cmp_null(const struct mv *m, int a)
{
	const struct mv_item *x = &m->it[a];
	switch (x->type) {
	case MV_INT:
		return is_null(m, a) ? 0 : 1;
	case MV_STR:
		return qual_cmp(x->s, x->n, "", 0);
	case MV_COMB: {
		int r = qual_cmp(x->s, x->n, "", 0);
		if (r == 0)
			return cmp_null(m, x->child);
		return r;
	}
	case MV_LIST:
		for (int c = x->first; c >= 0; c = m->it[c].next) {
			int r = cmp_null(m, c);
			if (r)
				return r;
		}
		return 0;
	}
	return 0;
}

static int cmp_str_str(const char *a, size_t an, const char *b, size_t bn)
{
	return qual_cmp(a, an, b, bn);
}

static int cmp_item(const struct mv *ma, int a, const struct mv *mb, int b)
{
	const struct mv_item *x = &ma->it[a], *y = &mb->it[b];
	switch (x->type) {
	case MV_INT:
		if (y->type == MV_INT)
			return sw_v_numcmp(x->s, x->n, y->s, y->n);
		return 1;
	case MV_STR:
		switch (y->type) {
		case MV_INT:
			return -1;
		case MV_STR:
			return cmp_str_str(x->s, x->n, y->s, y->n);
		case MV_COMB: {
			int r = cmp_str_str(x->s, x->n, y->s, y->n);
			if (r == 0) {
				if (qual_cmp(x->s, x->n, "", 0) == 0)
					return -cmp_null(mb, y->child);
				return -1;
			}
			return r;
		}
		case MV_LIST:
			return -cmp_item(mb, b, ma, a);
		}
		break;
	case MV_COMB:
		switch (y->type) {
		case MV_INT:
			return -1;
		case MV_STR: {
			int r = cmp_str_str(x->s, x->n, y->s, y->n);
			if (r == 0) {
				if (qual_cmp(x->s, x->n, "", 0) == 0)
					return cmp_null(ma, x->child);
				return 1;
			}
			return r;
		}
		case MV_LIST:
			return -cmp_item(mb, b, ma, a);
		case MV_COMB: {
			int r = cmp_str_str(x->s, x->n, y->s, y->n);
			if (r == 0)
				return cmp_item(ma, x->child, mb, y->child);
			return r;
		}
		}
		break;
	case MV_LIST:
		switch (y->type) {
		case MV_INT:
			return -1;
		case MV_STR:
		case MV_COMB: {
			int r = x->len == 0 ? -cmp_null(mb, b) : cmp_item(ma, x->first, mb, b);
			for (int c = x->first >= 0 ? ma->it[x->first].next : -1; r == 0 && c >= 0; c = ma->it[c].next)
				r = cmp_null(ma, c);
			return r;
		}
		case MV_LIST: {
			int l = x->first, r2 = y->first;
			while (l >= 0 || r2 >= 0) {
				int res;
				if (l < 0)
					res = r2 < 0 ? 0 : -cmp_null(mb, r2);
				else if (r2 < 0)
					res = cmp_null(ma, l);
				else
					res = cmp_item(ma, l, mb, r2);
				if (res)
					return res;
				if (l >= 0)
					l = ma->it[l].next;
				if (r2 >= 0)
					r2 = mb->it[r2].next;
			}
			return 0;
		}
		}
		break;
	}
	return 0;
}

static void mv_remove(struct mv *m, int list, int item)
{
	struct mv_item *l = &m->it[list];
	int prev = -1;
	for (int c = l->first; c >= 0; prev = c, c = m->it[c].next)
		if (c == item) {
			if (prev < 0)
				l->first = m->it[c].next;
			else
				m->it[prev].next = m->it[c].next;
			if (l->last == c)
				l->last = prev;
			l->len--;
			return;
		}
}

static int nth(const struct mv *m, int list, int k)
{
	int c = m->it[list].first;
	while (c >= 0 && k-- > 0)
		c = m->it[c].next;
	return c;
}

static void normalize(struct mv *m, int list)
{
	for (int i = m->it[list].len - 1; i >= 0; i--) {
		int item = nth(m, list, i);
		if (!is_null(m, item))
			continue;
		int nx = m->it[item].next;
		if (i == m->it[list].len - 1 || m->it[nx].type == MV_STR) {
			mv_remove(m, list, item);
		} else if (m->it[nx].type == MV_LIST) {
			int f = m->it[nx].first;
			/* Java's get(0) on an empty list would throw; a sub-list is
			 * never empty here (it was created for an item). */
			if (f >= 0 && (m->it[f].type == MV_COMB || m->it[f].type == MV_STR))
				mv_remove(m, list, item);
		}
	}
	if (m->it[list].len == 1) {
		int only = m->it[list].first;
		if (m->it[only].type == MV_LIST) {
			m->it[list].first = m->it[only].first;
			m->it[list].last = m->it[only].last;
			m->it[list].len = m->it[only].len;
			for (int c = m->it[list].first; c >= 0; c = m->it[c].next)
				m->it[c].parent = list;
		}
	}
}

static const char *mv_parse(const char *v, struct mv *m, char *scratch)
{
	size_t n = strlen(v);
	if (n == 0)
		return "version string is empty";
	if (n > MV_MAX_LEN)
		return "version string is longer than 256 characters";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == 0x7f)
			return "blank or control character";
		m->lower[i] = (char)sw_v_lower(c);
	}
	m->lower[n] = 0;
	const char *s = m->lower;
	size_t sused = 0;
	m->count = 0;
	int root = mv_new(m, MV_LIST);
	int list = root;
	int stack[MV_MAX_ITEMS];
	int sp = 0;
	stack[sp++] = list;
	bool is_digit = false, is_comb = false;
	size_t start = 0;
#define ADD(x) do { int it_ = (x); if (it_ < 0) return "too many items"; mv_append(m, list, it_); } while (0)
#define PUSH_LIST() do { int nl_ = mv_new(m, MV_LIST); if (nl_ < 0) return "too many items"; \
		mv_append(m, list, nl_); list = nl_; stack[sp++] = nl_; } while (0)
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (i == start)
				ADD(int_item(m, "0", 1));
			else
				ADD(parse_item(m, is_comb, is_digit, s + start, i - start, scratch, &sused));
			is_comb = false;
			start = i + 1;
		} else if (c == '-') {
			if (i == start) {
				ADD(int_item(m, "0", 1));
			} else {
				if (!is_digit && i != n - 1 && sw_v_digit(s[i + 1])) {
					is_comb = true;
					continue;
				}
				ADD(parse_item(m, is_comb, is_digit, s + start, i - start, scratch, &sused));
			}
			start = i + 1;
			if (m->it[list].len > 0)
				PUSH_LIST();
			is_comb = false;
		} else if (sw_v_digit(c)) {
			if (!is_digit && i > start) {
				is_comb = true;
				if (m->it[list].len > 0)
					PUSH_LIST();
			}
			is_digit = true;
		} else {
			if (is_digit && i > start) {
				ADD(parse_item(m, is_comb, true, s + start, i - start, scratch, &sused));
				start = i;
				PUSH_LIST();
				is_comb = false;
			}
			is_digit = false;
		}
	}
	if (n > start) {
		if (!is_digit && m->it[list].len > 0)
			PUSH_LIST();
		ADD(parse_item(m, is_comb, is_digit, s + start, n - start, scratch, &sused));
	}
#undef ADD
#undef PUSH_LIST
	while (sp > 0)
		normalize(m, stack[--sp]);
	return NULL;
}

struct mvs {
	struct mv m;
	char scratch[MV_MAX_LEN + 1];
};

const char *sw_v_maven_check(const char *v)
{
	struct mvs x;
	return mv_parse(v, &x.m, x.scratch);
}

int sw_v_maven_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct mvs x, y;
	if ((f->why = mv_parse(a, &x.m, x.scratch))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = mv_parse(b, &y.m, y.scratch))) {
		f->which = 1;
		return -1;
	}
	*out = sw_v_sign(cmp_item(&x.m, 0, &y.m, 0));
	return 0;
}
