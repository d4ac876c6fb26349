/*
 * json.c - the JSON reader of json.h.
 *
 * One pass over the text, recursive descent (depth capped).  Children of
 * the open containers sit on two scratch stacks (values, members); when a
 * container closes its children are copied into the arena as one array
 * and popped, so the tree costs one arena copy and no per-node malloc.
 * Strings are copied into the arena; escapes only shrink text, so the raw
 * length is always enough room for the decoded bytes.
 */
#include "util/json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define MAX_DEPTH 2048
#define BLOCK_MIN (64u << 10)
#define BLOCK_MAX (1u << 20)

struct block {
	struct block *next;
	size_t used, cap;
	/* data follows */
};
_Static_assert(sizeof(struct block) % 8 == 0, "block data stays 8-aligned");

struct sw_json_doc {
	struct block *blocks;
	size_t next_cap;
	struct sw_json root;
};

struct parser {
	const char *start, *p, *end;
	struct sw_json_doc *doc;
	struct sw_json *vals;
	size_t nvals, capvals;
	struct sw_json_member *mems;
	size_t nmems, capmems;
	int depth;
	struct sw_err *err;
};

/* ---------------------------------------------------------------- arena */

static void *arena_alloc(struct sw_json_doc *d, size_t n)
{
	struct block *b = d->blocks;
	size_t off = b ? (b->used + 7u) & ~(size_t)7u : 0;
	if (!b || n > b->cap - off) {
		size_t cap = d->next_cap;
		if (n > cap)
			cap = n;
		if (d->next_cap < BLOCK_MAX)
			d->next_cap *= 2;
		b = sw_xmalloc(sizeof(*b) + cap);
		b->next = d->blocks;
		b->cap = cap;
		b->used = 0;
		d->blocks = b;
		off = 0;
	}
	b->used = off + n;
	return (char *)(b + 1) + off;
}

void sw_json_doc_free(struct sw_json_doc *doc)
{
	if (!doc)
		return;
	for (struct block *b = doc->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

/* ---------------------------------------------------------------- errors */

static int fail(struct parser *ps, const char *what)
{
	size_t line = 1, col = 1;
	for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return sw_err_set(ps->err, SW_E_FORMAT, "line %zu column %zu: %s", line, col, what);
}

/* ---------------------------------------------------------------- scalars */

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

/* Length of the valid UTF-8 sequence at s (s < end, *s >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;   /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ps->p is at the opening quote; on success it is past the closing one. */
static int parse_string(struct parser *ps, const char **out, size_t *len_out)
{
	const char *s = ++ps->p, *end = ps->end;
	const char *q = s;
	bool simple = true;
	while (q < end) {
		unsigned char c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c == '\\') {
			simple = false;
			q += (end - q >= 2) ? 2 : 1;
		} else if (c < 0x20) {
			ps->p = q;
			return fail(ps, "control character in a string");
		} else if (c < 0x80) {
			q++;
		} else {
			size_t n = utf8_seq((const unsigned char *)q, (const unsigned char *)end);
			if (!n) {
				ps->p = q;
				return fail(ps, "invalid UTF-8 in a string");
			}
			q += n;
		}
	}
	if (q >= end) {
		ps->p = end;
		return fail(ps, "unterminated string");
	}
	size_t raw = (size_t)(q - s);
	char *o = arena_alloc(ps->doc, raw + 1);
	size_t n = 0;
	if (simple) {
		memcpy(o, s, raw);
		n = raw;
	} else {
		for (const char *r = s; r < q;) {
			if (*r != '\\') {
				o[n++] = *r++;
				continue;
			}
			ps->p = r;
			char e = r[1];
			r += 2;
			switch (e) {
			case '"': o[n++] = '"'; break;
			case '\\': o[n++] = '\\'; break;
			case '/': o[n++] = '/'; break;
			case 'b': o[n++] = '\b'; break;
			case 'f': o[n++] = '\f'; break;
			case 'n': o[n++] = '\n'; break;
			case 'r': o[n++] = '\r'; break;
			case 't': o[n++] = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (q - r < 4 || hex4(r, &cp) < 0)
					return fail(ps, "invalid \\u escape");
				r += 4;
				if (cp == 0)
					return fail(ps, "\\u0000 is not allowed in a string");
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return fail(ps, "lone low surrogate in a \\u escape");
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (q - r < 6 || r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &lo) < 0 ||
					    lo < 0xDC00 || lo > 0xDFFF)
						return fail(ps, "high surrogate without a low one in a \\u escape");
					r += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				n += put_utf8(o + n, cp);
				break;
			}
			default:
				return fail(ps, "invalid escape in a string");
			}
		}
	}
	o[n] = '\0';
	ps->p = q + 1;
	*out = o;
	*len_out = n;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *ps, struct sw_json *v)
{
	const char *s = ps->p, *q = s, *end = ps->end;
	bool neg = false, real = false;
	if (q < end && *q == '-') {
		neg = true;
		q++;
	}
	if (q < end && *q == '0') {
		q++;
	} else if (q < end && is_digit(*q)) {
		while (q < end && is_digit(*q))
			q++;
	} else {
		ps->p = q;
		return fail(ps, "invalid number");
	}
	if (q < end && *q == '.') {
		real = true;
		q++;
		if (q >= end || !is_digit(*q)) {
			ps->p = q;
			return fail(ps, "invalid number");
		}
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		real = true;
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || !is_digit(*q)) {
			ps->p = q;
			return fail(ps, "invalid number");
		}
		while (q < end && is_digit(*q))
			q++;
	}
	if (!real) {
		/* magnitude up to 2^63 for a negative number, 2^63 - 1 otherwise */
		uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, m = 0;
		for (const char *d = s + neg; d < q; d++) {
			unsigned dig = (unsigned)(*d - '0');
			if (m > (limit - dig) / 10)
				return fail(ps, "integer too big");
			m = m * 10 + dig;
		}
		v->type = SW_JSON_INTEGER;
		v->u.i = neg ? (m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(long long)m) : (long long)m;
	} else {
		size_t n = (size_t)(q - s);
		char small[64];
		char *text = n < sizeof(small) ? small : sw_xmalloc(n + 1);
		memcpy(text, s, n);
		text[n] = '\0';
		double d = strtod(text, NULL);
		if (text != small)
			free(text);
		if (isinf(d))
			return fail(ps, "real number overflow");
		v->type = SW_JSON_REAL;
		v->u.d = d;
	}
	ps->p = q;
	return 0;
}

/* ---------------------------------------------------------------- containers */

static int parse_value(struct parser *ps, struct sw_json *v);

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_duplicate_keys(const struct sw_json_member *m, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t k = 0; k < i; k++)
				if (strcmp(m[i].key, m[k].key) == 0)
					return true;
		return false;
	}
	const char **keys = sw_xmalloc(n * sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = m[i].key;
	qsort(keys, n, sizeof(*keys), cmp_key);
	bool dup = false;
	for (size_t i = 1; i < n && !dup; i++)
		dup = strcmp(keys[i - 1], keys[i]) == 0;
	free(keys);
	return dup;
}

static int parse_object(struct parser *ps, struct sw_json *v)
{
	const char *open = ps->p;
	size_t base = ps->nmems;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
	} else {
		for (;;) {
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "string (object key) expected");
			struct sw_json_member m;
			size_t klen;
			if (parse_string(ps, &m.key, &klen) < 0)
				return -SW_E_FORMAT;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "':' expected");
			ps->p++;
			if (parse_value(ps, &m.value) < 0)
				return -SW_E_FORMAT;
			if (ps->nmems == ps->capmems) {
				ps->capmems = ps->capmems ? ps->capmems * 2 : 64;
				ps->mems = sw_xrealloc(ps->mems, ps->capmems * sizeof(*ps->mems));
			}
			ps->mems[ps->nmems++] = m;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == '}') {
				ps->p++;
				break;
			}
			return fail(ps, "',' or '}' expected");
		}
	}
	size_t n = ps->nmems - base;
	struct sw_json_member *m = NULL;
	if (n) {
		m = arena_alloc(ps->doc, n * sizeof(*m));
		memcpy(m, ps->mems + base, n * sizeof(*m));
	}
	ps->nmems = base;
	if (has_duplicate_keys(m, n)) {
		ps->p = open;
		return fail(ps, "duplicate key in an object");
	}
	v->type = SW_JSON_OBJECT;
	v->n = n;
	v->u.members = m;
	return 0;
}

static int parse_array(struct parser *ps, struct sw_json *v)
{
	size_t base = ps->nvals;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
	} else {
		for (;;) {
			struct sw_json item;
			if (parse_value(ps, &item) < 0)
				return -SW_E_FORMAT;
			if (ps->nvals == ps->capvals) {
				ps->capvals = ps->capvals ? ps->capvals * 2 : 64;
				ps->vals = sw_xrealloc(ps->vals, ps->capvals * sizeof(*ps->vals));
			}
			ps->vals[ps->nvals++] = item;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == ']') {
				ps->p++;
				break;
			}
			return fail(ps, "',' or ']' expected");
		}
	}
	size_t n = ps->nvals - base;
	struct sw_json *items = NULL;
	if (n) {
		items = arena_alloc(ps->doc, n * sizeof(*items));
		memcpy(items, ps->vals + base, n * sizeof(*items));
	}
	ps->nvals = base;
	v->type = SW_JSON_ARRAY;
	v->n = n;
	v->u.items = items;
	return 0;
}

static int literal(struct parser *ps, const char *word, enum sw_json_type t, struct sw_json *v)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "invalid literal");
	ps->p += n;
	v->type = t;
	return 0;
}

static int parse_value(struct parser *ps, struct sw_json *v)
{
	memset(v, 0, sizeof(*v));
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	char c = *ps->p;
	int r;
	switch (c) {
	case '{':
	case '[':
		if (++ps->depth > MAX_DEPTH)
			return fail(ps, "nested too deeply");
		r = c == '{' ? parse_object(ps, v) : parse_array(ps, v);
		ps->depth--;
		return r;
	case '"': {
		const char *s;
		size_t n;
		if (parse_string(ps, &s, &n) < 0)
			return -SW_E_FORMAT;
		v->type = SW_JSON_STRING;
		v->n = n;
		v->u.s = s;
		return 0;
	}
	case 't': return literal(ps, "true", SW_JSON_TRUE, v);
	case 'f': return literal(ps, "false", SW_JSON_FALSE, v);
	case 'n': return literal(ps, "null", SW_JSON_NULL, v);
	default:
		if (c == '-' || is_digit(c))
			return parse_number(ps, v);
		return fail(ps, "unexpected character");
	}
}

int sw_json_parse(const char *data, size_t len, struct sw_json_doc **out, struct sw_err *err)
{
	*out = NULL;
	struct sw_json_doc *doc = sw_xcalloc(1, sizeof(*doc));
	/* the tree takes about as much room as the text: small texts (a
	 * database column) get a small first block */
	doc->next_cap = len < BLOCK_MIN / 4 ? 4 * len + 256 : BLOCK_MIN;
	struct parser ps = { .start = data, .p = data, .end = data + len, .doc = doc, .err = err };
	int r;
	skip_ws(&ps);
	if (ps.p >= ps.end || (*ps.p != '{' && *ps.p != '['))
		r = fail(&ps, "'{' or '[' expected");
	else
		r = parse_value(&ps, &doc->root);
	if (r == 0) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			r = fail(&ps, "end of input expected");
	}
	free(ps.vals);
	free(ps.mems);
	if (r < 0) {
		sw_json_doc_free(doc);
		return r;
	}
	*out = doc;
	return 0;
}

/* ---------------------------------------------------------------- access */

const struct sw_json *sw_json_root(const struct sw_json_doc *doc)
{
	return doc ? &doc->root : NULL;
}

const struct sw_json *sw_json_get(const struct sw_json *obj, const char *key)
{
	if (!obj || obj->type != SW_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->u.members[i].key, key) == 0)
			return &obj->u.members[i].value;
	return NULL;
}

const char *sw_json_str(const struct sw_json *v)
{
	return v && v->type == SW_JSON_STRING ? v->u.s : NULL;
}

const char *sw_json_get_str(const struct sw_json *obj, const char *key)
{
	return sw_json_str(sw_json_get(obj, key));
}

size_t sw_json_array_len(const struct sw_json *arr)
{
	return arr && arr->type == SW_JSON_ARRAY ? arr->n : 0;
}

const struct sw_json *sw_json_at(const struct sw_json *arr, size_t i)
{
	return arr && arr->type == SW_JSON_ARRAY && i < arr->n ? &arr->u.items[i] : NULL;
}
