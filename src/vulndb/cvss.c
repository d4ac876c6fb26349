/*
 * cvss.c - CVSS vector parsing and formatting, shared by every version
 * (the per-version metric tables and score equations are in cvss2.c,
 * cvss3.c and cvss4.c), and the qualitative rating scales.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vulndb/cvss.h"
#include "vulndb/cvss_int.h"

/* Longest excerpt of untrusted text quoted in an error message. */
#define QUOTE_MAX 64

/* Copy s[0..len) into dst for an error message: printable ASCII only (any
 * other byte becomes '?'), cut at QUOTE_MAX with "...". */
static const char *quote(char *dst, size_t n, const char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 < n; i++) {
		if (i == QUOTE_MAX) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		unsigned char ch = (unsigned char)s[i];
		dst[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	dst[o] = '\0';
	return dst;
}

/* Fail with "cvss vector 'VECTOR': MESSAGE"; returns the negative code. */
static int fail(struct sw_err *err, int code, const char *vector, size_t len, const char *fmt, ...)
	SW_PRINTF(5, 6);
static int fail(struct sw_err *err, int code, const char *vector, size_t len, const char *fmt, ...)
{
	char q[QUOTE_MAX + 8], msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sw_err_set(err, code, "cvss vector '%s': %s", quote(q, sizeof(q), vector, len), msg);
}

static const struct sw_cvss_table *table_for(enum sw_cvss_version v)
{
	switch (v) {
	case SW_CVSS_V2: return &sw_cvss2_table;
	case SW_CVSS_V30: return &sw_cvss30_table;
	case SW_CVSS_V31: return &sw_cvss31_table;
	case SW_CVSS_V40: return &sw_cvss4_table;
	}
	return NULL;
}

/* s[0..len) (no NUL inside) equals the string key. */
static bool span_eq(const char *key, const char *s, size_t len)
{
	return strncmp(key, s, len) == 0 && key[len] == '\0';
}

/* Index of s[0..len) in the NULL-terminated list, or -1. */
static int find_str(const char *const *list, const char *s, size_t len)
{
	for (int i = 0; list[i]; i++)
		if (span_eq(list[i], s, len))
			return i;
	return -1;
}

/* Index of the metric named s[0..len), or -1.  The search starts at
 * `start` (the metric after the previous one), so a vector in canonical
 * order costs one comparison per metric. */
static int find_metric(const struct sw_cvss_table *t, const char *s, size_t len, int start)
{
	for (int k = 0; k < t->n; k++) {
		int i = (start + k) % t->n;
		if (span_eq(t->metrics[i].key, s, len))
			return i;
	}
	return -1;
}

/* v2: a group (temporal or environmental) is given completely or not at
 * all.  Returns the index of a missing metric of a partial group, or -1. */
static int partial_group(const struct sw_cvss_table *t, const struct sw_cvss *c, unsigned group)
{
	int present = 0, missing = -1;
	for (int i = 0; i < t->n; i++) {
		if (!(t->metrics[i].flags & group))
			continue;
		if (c->m[i])
			present++;
		else if (missing < 0)
			missing = i;
	}
	return present > 0 ? missing : -1;
}

static int parse(const char *vector, unsigned flags, struct sw_cvss *out, struct sw_err *err)
{
	char q2[QUOTE_MAX + 8];

	if (!vector)
		return sw_err_set(err, SW_E_FORMAT, "cvss vector missing");
	size_t len = strnlen(vector, SW_CVSS_VECTOR_MAX + 1);
	if (len == 0)
		return sw_err_set(err, SW_E_FORMAT, "cvss vector is empty");
	if (len > SW_CVSS_VECTOR_MAX)
		return fail(err, SW_E_FORMAT, vector, len, "longer than %d bytes", SW_CVSS_VECTOR_MAX);

	const struct sw_cvss_table *t;
	const char *p = vector, *end = vector + len;
	if (len >= 5 && memcmp(vector, "CVSS:", 5) == 0) {
		const char *ver = vector + 5;
		const char *slash = memchr(ver, '/', (size_t)(end - ver));
		size_t vlen = (size_t)((slash ? slash : end) - ver);
		if (vlen == 3 && memcmp(ver, "3.0", 3) == 0)
			t = &sw_cvss30_table;
		else if (vlen == 3 && memcmp(ver, "3.1", 3) == 0)
			t = &sw_cvss31_table;
		else if (vlen == 3 && memcmp(ver, "4.0", 3) == 0)
			t = &sw_cvss4_table;
		else if (vlen == 3 && memcmp(ver, "2.0", 3) == 0)
			return fail(err, SW_E_FORMAT, vector, len, "v2 vectors carry no 'CVSS:2.0/' prefix");
		else
			return fail(err, SW_E_UNSUPPORTED, vector, len, "unsupported version '%s'",
				    quote(q2, sizeof(q2), ver, vlen));
		if (!slash || slash + 1 == end)
			return fail(err, SW_E_FORMAT, vector, len, "no metrics");
		p = slash + 1;
	} else {
		t = &sw_cvss2_table;
		/* NVD's feeds wrote v2 vectors in parentheses. */
		if (*p == '(') {
			if (len < 2 || end[-1] != ')')
				return fail(err, SW_E_FORMAT, vector, len, "unbalanced parenthesis");
			p++;
			end--;
		}
		if (p == end)
			return fail(err, SW_E_FORMAT, vector, len, "no metrics");
	}

	struct sw_cvss c;
	memset(&c, 0, sizeof(c));
	c.version = t->version;
	int last = -1;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *cend = slash ? slash : end;
		if (cend == p)
			return fail(err, SW_E_FORMAT, vector, len, "empty metric");
		const char *colon = memchr(p, ':', (size_t)(cend - p));
		if (!colon)
			return fail(err, SW_E_FORMAT, vector, len, "metric '%s' has no value",
				    quote(q2, sizeof(q2), p, (size_t)(cend - p)));
		size_t klen = (size_t)(colon - p), vlen = (size_t)(cend - colon - 1);
		int id = find_metric(t, p, klen, last + 1);
		if (id < 0)
			return fail(err, SW_E_FORMAT, vector, len, "unknown metric '%s'",
				    quote(q2, sizeof(q2), p, klen));
		const char *key = t->metrics[id].key;
		if (c.m[id])
			return fail(err, SW_E_FORMAT, vector, len, "metric '%s' given twice", key);
		if (t->ordered && !(flags & SW_CVSS_ANY_ORDER) && id < last)
			return fail(err, SW_E_FORMAT, vector, len, "metric '%s' out of order (after '%s')",
				    key, t->metrics[last].key);
		int v = find_str(t->metrics[id].vals, colon + 1, vlen);
		if (v < 0)
			return fail(err, SW_E_FORMAT, vector, len, "invalid value '%s' for metric '%s'",
				    quote(q2, sizeof(q2), colon + 1, vlen), key);
		c.m[id] = (unsigned char)(v + 1);
		last = id;
		if (!slash)
			break;
		p = slash + 1;
		if (p == end)
			return fail(err, SW_E_FORMAT, vector, len, "empty metric");
	}

	for (int i = 0; i < t->n; i++)
		if ((t->metrics[i].flags & SW_CVSS_MANDATORY) && !c.m[i])
			return fail(err, SW_E_FORMAT, vector, len, "missing metric '%s'", t->metrics[i].key);
	int miss = partial_group(t, &c, SW_CVSS_GROUP_TEMPORAL);
	if (miss >= 0)
		return fail(err, SW_E_FORMAT, vector, len, "incomplete temporal metrics, missing '%s'",
			    t->metrics[miss].key);
	miss = partial_group(t, &c, SW_CVSS_GROUP_ENV);
	if (miss >= 0)
		return fail(err, SW_E_FORMAT, vector, len, "incomplete environmental metrics, missing '%s'",
			    t->metrics[miss].key);
	*out = c;
	return 0;
}

static int major_of(enum sw_cvss_version v)
{
	return (int)v / 10;
}

int sw_cvss_parse(const char *vector, struct sw_cvss *out, struct sw_err *err)
{
	return parse(vector, 0, out, err);
}

int sw_cvss_parse_ex(const char *vector, int major, unsigned flags, struct sw_cvss *out,
		     struct sw_err *err)
{
	struct sw_cvss c;
	int r = parse(vector, flags, &c, err);
	if (r < 0)
		return r;
	if (major && major_of(c.version) != major)
		return fail(err, SW_E_FORMAT, vector, strlen(vector), "version %d.%d, expected %d.x",
			    major_of(c.version), (int)c.version % 10, major);
	*out = c;
	return 0;
}

/* Checks that c looks like the result of sw_cvss_parse(). */
static const struct sw_cvss_table *valid(const struct sw_cvss *c)
{
	if (!c)
		return NULL;
	const struct sw_cvss_table *t = table_for(c->version);
	if (!t)
		return NULL;
	for (int i = 0; i < SW_CVSS_MAX_METRICS; i++) {
		if (i >= t->n) {
			if (c->m[i])
				return NULL;
			continue;
		}
		if (!c->m[i]) {
			if (t->metrics[i].flags & SW_CVSS_MANDATORY)
				return NULL;
			continue;
		}
		int nv = 0;
		while (t->metrics[i].vals[nv])
			nv++;
		if (c->m[i] > nv)
			return NULL;
	}
	return t;
}

struct out {
	char *buf;
	size_t n;
	size_t len;
};

static void out_add(struct out *o, const char *s)
{
	size_t l = strlen(s);
	if (o->n && o->len < o->n - 1) {
		size_t room = o->n - 1 - o->len;
		memcpy(o->buf + o->len, s, l < room ? l : room);
	}
	o->len += l;
}

int sw_cvss_format(const struct sw_cvss *c, char *buf, size_t n)
{
	const struct sw_cvss_table *t = valid(c);
	if (n)
		buf[0] = '\0';
	if (!t)
		return -1;
	struct out o = { buf, n, 0 };
	out_add(&o, t->prefix);
	bool first = true;
	for (int i = 0; i < t->n; i++) {
		if (!c->m[i])
			continue;
		if (!first)
			out_add(&o, "/");
		first = false;
		out_add(&o, t->metrics[i].key);
		out_add(&o, ":");
		out_add(&o, t->metrics[i].vals[c->m[i] - 1]);
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

static double compute(const struct sw_cvss *c, bool whole)
{
	if (!valid(c))
		return -1;
	switch (c->version) {
	case SW_CVSS_V2: return sw_cvss2_compute(c, whole);
	case SW_CVSS_V30:
	case SW_CVSS_V31: return sw_cvss3_compute(c, whole);
	case SW_CVSS_V40: return sw_cvss4_compute(c, whole);
	}
	return -1;
}

double sw_cvss_base_score(const struct sw_cvss *c)
{
	return compute(c, false);
}

double sw_cvss_vector_score(const struct sw_cvss *c)
{
	return compute(c, true);
}

int sw_cvss_score(const char *vector, double *score, int *version, struct sw_err *err)
{
	struct sw_cvss c;
	int r = sw_cvss_parse(vector, &c, err);
	if (r < 0)
		return r;
	if (score)
		*score = sw_cvss_vector_score(&c);
	if (version)
		*version = (int)c.version;
	return 0;
}

/* Scores carry one decimal; compare in tenths so 3.9 and 4.0 are exact. */
static long tenths(double score)
{
	return lround(score * 10.0);
}

const char *sw_cvss_rating(double score)
{
	if (isnan(score) || score < 0 || score > 10.0)
		return "unknown";
	long t = tenths(score);
	if (t == 0)
		return "none";
	if (t < 40)
		return "low";
	if (t < 70)
		return "medium";
	if (t < 90)
		return "high";
	return "critical";
}

const char *sw_cvss2_rating(double score)
{
	if (isnan(score) || score < 0 || score > 10.0)
		return "unknown";
	long t = tenths(score);
	if (t < 40)
		return "low";
	if (t < 70)
		return "medium";
	return "high";
}

const char *sw_cvss_rating_for(enum sw_cvss_version version, double score)
{
	return version == SW_CVSS_V2 ? sw_cvss2_rating(score) : sw_cvss_rating(score);
}
