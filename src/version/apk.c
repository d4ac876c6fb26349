/*
 * apk.c - Alpine apk-tools version ordering (src/version.c of apk-tools):
 * digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}, suffixes
 * _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p.
 *
 * sw_v_apk_check() is apk_version_validate().  The comparison follows
 * apk_version_compare() token by token.  apk also orders strings that do
 * not validate but start with a digit ("1.0bc", "23_foo": the rest
 * compares as raw bytes); sw_version_compare() refuses those before this
 * comparator runs (an invalid version is an error for every scheme), and
 * only sw_apk_fuzzy_match() still sees them.
 */
#include <stdint.h>

#include "version/internal.h"

enum { T_INITIAL_DIGIT, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_COMMIT_HASH,
       T_REVISION_NO, T_END, T_INVALID };
enum { S_INVALID, S_ALPHA, S_BETA, S_PRE, S_RC, S_NONE, S_CVS, S_SVN, S_GIT, S_HG, S_P };

struct tok {
	unsigned token;
	unsigned suffix;
	uint64_t number;
	const char *vp;  /* value */
	size_t vl;
};

struct blob {
	const char *p;
	size_t n;
};

static unsigned suffix_value(const char *s, size_t n)
{
	static const struct { const char *name; unsigned v; } t[] = {
		{ "alpha", S_ALPHA }, { "beta", S_BETA }, { "pre", S_PRE }, { "rc", S_RC },
		{ "cvs", S_CVS }, { "svn", S_SVN }, { "git", S_GIT }, { "hg", S_HG }, { "p", S_P },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0)
			return t[i].v;
	return S_INVALID;
}

static void parse_digits(struct tok *t, struct blob *b)
{
	const char *start = b->p;
	uint64_t v = 0;
	while (b->n && sw_v_digit(*b->p)) {
		v = v * 10 + (uint64_t)(*b->p - '0');   /* wraps like apk_blob_pull_uint */
		b->p++;
		b->n--;
	}
	t->number = v;
	t->vp = start;
	t->vl = (size_t)(b->p - start);
	if (t->vl == 0)
		t->token = T_INVALID;
}

static void tok_first(struct tok *t, struct blob *b)
{
	t->token = T_INITIAL_DIGIT;
	t->suffix = 0;
	parse_digits(t, b);
}

static void tok_next(struct tok *t, struct blob *b)
{
	if (b->n == 0) {
		t->token = T_END;
		return;
	}
	char c = *b->p;
	if (c >= 'a' && c <= 'z') {
		if (t->token > T_DIGIT)
			goto invalid;
		t->vp = b->p;
		t->vl = 1;
		t->token = T_LETTER;
		b->p++;
		b->n--;
		return;
	}
	if (c == '.' || sw_v_digit(c)) {
		if (c == '.') {
			if (t->token > T_DIGIT)
				goto invalid;
			b->p++;
			b->n--;
		}
		switch (t->token) {
		case T_INITIAL_DIGIT:
		case T_DIGIT:
			t->token = T_DIGIT;
			break;
		case T_SUFFIX:
			t->token = T_SUFFIX_NO;
			break;
		default:
			goto invalid;
		}
		parse_digits(t, b);
		return;
	}
	if (c == '_') {
		if (t->token > T_SUFFIX_NO)
			goto invalid;
		b->p++;
		b->n--;
		const char *s = b->p;
		while (b->n && *b->p >= 'a' && *b->p <= 'z') {
			b->p++;
			b->n--;
		}
		t->vp = s;
		t->vl = (size_t)(b->p - s);
		t->suffix = suffix_value(s, t->vl);
		if (t->suffix == S_INVALID)
			goto invalid;
		t->token = T_SUFFIX;
		return;
	}
	if (c == '~') {
		if (t->token >= T_COMMIT_HASH)
			goto invalid;
		b->p++;
		b->n--;
		const char *s = b->p;
		while (b->n && (sw_v_digit(*b->p) || (*b->p >= 'a' && *b->p <= 'f'))) {
			b->p++;
			b->n--;
		}
		t->vp = s;
		t->vl = (size_t)(b->p - s);
		if (t->vl == 0)
			goto invalid;
		t->token = T_COMMIT_HASH;
		return;
	}
	if (c == '-') {
		if (t->token >= T_REVISION_NO)
			goto invalid;
		if (b->n < 2 || b->p[1] != 'r')
			goto invalid;
		b->p += 2;
		b->n -= 2;
		t->token = T_REVISION_NO;
		parse_digits(t, b);
		return;
	}
invalid:
	t->token = T_INVALID;
	/* apk leaves value as it was; for the string fallback in token_cmp
	 * we keep the rest of the input as the value. */
	t->vp = b->p;
	t->vl = b->n;
}

static int token_cmp(const struct tok *ta, const struct tok *tb)
{
	uint64_t a, b;
	switch (ta->token) {
	case T_DIGIT:
		if (ta->vp[0] == '0' || tb->vp[0] == '0')
			goto string_sort;
		/* fall through */
	case T_INITIAL_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO:
		a = ta->number;
		b = tb->number;
		break;
	case T_LETTER:
		a = (unsigned char)ta->vp[0];
		b = (unsigned char)tb->vp[0];
		break;
	case T_SUFFIX:
		a = ta->suffix;
		b = tb->suffix;
		break;
	default:
	string_sort:
		return sw_v_bytecmp(ta->vp, ta->vl, tb->vp, tb->vl);
	}
	return a < b ? -1 : (a > b ? 1 : 0);
}

static int apk_compare(const char *as, const char *bs, bool fuzzy)
{
	struct blob a = { as, strlen(as) }, b = { bs, strlen(bs) };
	struct tok ta, tb;
	for (tok_first(&ta, &a), tok_first(&tb, &b); ta.token == tb.token && ta.token < T_END;
	     tok_next(&ta, &a), tok_next(&tb, &b)) {
		int r = token_cmp(&ta, &tb);
		if (r)
			return r;
	}
	if (ta.token == tb.token)
		return 0;
	if (tb.token == T_END && fuzzy)
		return 0;
	if (ta.token == T_SUFFIX && ta.suffix < S_NONE)
		return -1;
	if (tb.token == T_SUFFIX && tb.suffix < S_NONE)
		return 1;
	if (ta.token > tb.token)
		return -1;
	if (tb.token > ta.token)
		return 1;
	return 0;
}

const char *sw_v_apk_check(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return "version string is empty";
	if (n > SW_VERSION_MAX_LEN)
		return "version string is too long";
	struct blob b = { v, n };
	struct tok t;
	for (tok_first(&t, &b); t.token < T_END; tok_next(&t, &b))
		;
	if (t.token != T_END)
		return sw_v_digit(v[0]) ? "invalid version syntax" : "version does not start with a digit";
	return NULL;
}

/* What compare accepts: a leading digit and printable ASCII, no blanks. */
static const char *apk_loose_check(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return "version string is empty";
	if (n > SW_VERSION_MAX_LEN)
		return "version string is too long";
	if (!sw_v_digit(v[0]))
		return "version does not start with a digit";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return "invalid character";
	return NULL;
}

int sw_v_apk_cmp(const char *a, const char *b, int *out, struct sw_vfail *f)
{
	if ((f->why = apk_loose_check(a))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = apk_loose_check(b))) {
		f->which = 1;
		return -1;
	}
	*out = apk_compare(a, b, false);
	return 0;
}

bool sw_apk_fuzzy_match(const char *a, const char *b)
{
	if (apk_loose_check(a) || apk_loose_check(b))
		return false;
	return apk_compare(a, b, true) == 0;
}
