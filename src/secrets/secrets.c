/*
 * secrets.c - the secret scanner (secrets.h): rules compiled once, a
 * content scanner (inventory/filescan.h) streamed over every file, and the
 * config's strings.
 *
 * Per file (struct fstate), in constant memory:
 *  - the bytes arrive in a sliding window; the first SNIFF bytes decide
 *    whether the file is binary (a NUL byte among them: skipped);
 *  - the keyword prefilter (prefilter.h: Hyperscan or the portable one)
 *    reports every keyword occurrence k as a candidate;
 *  - a candidate is confirmed once the window holds every byte its rules
 *    may look at: each rule of the keyword runs its PCRE2 regex over the
 *    bounded region [k - before, k + len + after] (plus CTX bytes of context
 *    for look-arounds), so no match costs more than its region, whatever
 *    the length of the line;
 *  - candidates are confirmed in (offset, keyword) order, so the findings
 *    depend neither on the engine nor on how the file is cut in chunks.
 */
#include "secrets/secrets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secrets/internal.h"
#include "secrets/prefilter.h"
#include "secrets/rules.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/secretmask.h"

#define SNIFF 8000u           /* git's rule: a NUL in the first 8000 bytes = binary */
#define CTX 16u               /* context bytes on each side of a region (look-arounds) */
#define PIECE 65536u          /* bytes added to the window between two passes */
#define MAX_FINDINGS 100u     /* per file; more are counted in a warning */
#define MATCH_LIMIT 20000u    /* PCRE2 match limit per attempt (a user regex can backtrack) */
#define LIMIT_HITS 4u         /* attempts of a rule over the limit before it stops for the file */

struct kw {
	char *text;               /* lower case */
	size_t len;
	size_t *rules;            /* indexes in s->rules */
	size_t nrules;
};

struct sw_secrets {
	struct sw_vec rules;      /* struct sw_srule*, enabled ones */
	struct sw_vec allows;     /* struct sw_sallow* */
	struct kw *kws;
	size_t nkw, maxkw;
	unsigned before_max, after_max;
	uint32_t max_groups;
	struct sw_pf *pf;
	pcre2_match_context *mctx;
	struct sw_file_scanner fs;
	char fingerprint[64];
};

struct cand {
	uint64_t k;
	unsigned kw;
};

struct hit {
	size_t rule;
	uint64_t s0, s1;
};

struct fstate {
	struct sw_secrets *s;
	char *path;               /* NULL for a config string */
	bool text_mode;
	uint8_t *win;
	size_t cap, alloc;
	uint64_t win_start, win_end;
	uint64_t nl_before;       /* newlines in [0, win_start) */
	uint64_t scanned;         /* prefilter fed up to here */
	bool sniffed, binary, done, failed;
	struct sw_pf_stream *pf;
	struct cand *cands;
	size_t ncand, capcand;
	pcre2_match_data *md;
	unsigned char *active;    /* per rule: applies to this path */
	unsigned char *limit_hits; /* per rule: attempts that hit the match limit */
	struct sw_vec warnings;   /* "PATH: what" */
	struct sw_vec found;      /* struct sw_file_finding* */
	struct hit *hits;         /* parallel to found */
	size_t dropped;
};

const char *sw_secrets_engine(void)
{
	return sw_pf_engine();
}

/* ---- construction ---- */

static struct sw_srule *rule_from_def(const struct sw_secret_rule_def *d)
{
	struct sw_srule *r = sw_xcalloc(1, sizeof(*r));
	r->id = sw_xstrdup(d->id);
	r->category = sw_xstrdup(d->category);
	r->title = sw_xstrdup(d->title);
	r->severity = d->severity;
	r->keywords = sw_xstrdup(d->keywords);
	r->regex = sw_xstrdup(d->regex);
	r->path = sw_xstrdup(d->path);
	r->entropy = d->entropy;
	r->before = d->before;
	r->after = d->after;
	r->keep = d->keep;
	r->priority = d->priority;
	r->generic = d->generic;
	return r;
}

static struct sw_sallow *allow_from_def(const struct sw_secret_allow_def *d)
{
	struct sw_sallow *a = sw_xcalloc(1, sizeof(*a));
	a->id = sw_xstrdup(d->id);
	a->description = sw_xstrdup(d->description);
	a->rule = sw_xstrdup(d->rule);
	a->regex = sw_xstrdup(d->regex);
	a->path = sw_xstrdup(d->path);
	return a;
}

/* Compile `src`; on error the message names where it comes from. */
static int compile(const char *cfgname, unsigned line, const char *kind, const char *id, const char *field,
		   const char *src, pcre2_code **out, struct sw_err *err)
{
	int ec;
	PCRE2_SIZE eo;
	*out = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
	if (!*out) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		if (line)
			return sw_err_set(err, SW_E_FORMAT, "%s: line %u: %s '%s': %s: %s at offset %zu", cfgname,
					  line, kind, id, field, (const char *)msg, (size_t)eo);
		return sw_err_set(err, SW_E_INTERNAL, "built-in %s '%s': %s: %s at offset %zu", kind, id, field,
				  (const char *)msg, (size_t)eo);
	}
	(void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);   /* the interpreter when JIT is unavailable */
	return 0;
}

static void add_keyword(struct sw_secrets *s, const char *k, size_t len, size_t rule)
{
	for (size_t i = 0; i < s->nkw; i++)
		if (s->kws[i].len == len && memcmp(s->kws[i].text, k, len) == 0) {
			struct kw *w = &s->kws[i];
			if (w->nrules && w->rules[w->nrules - 1] == rule)
				return;
			w->rules = sw_xrealloc(w->rules, (w->nrules + 1) * sizeof(size_t));
			w->rules[w->nrules++] = rule;
			return;
		}
	s->kws = sw_xrealloc(s->kws, (s->nkw + 1) * sizeof(*s->kws));
	struct kw *w = &s->kws[s->nkw++];
	w->text = sw_xstrndup(k, len);
	for (size_t i = 0; i < len; i++)
		if (w->text[i] >= 'A' && w->text[i] <= 'Z')
			w->text[i] = (char)(w->text[i] - 'A' + 'a');
	w->len = len;
	w->rules = sw_xmalloc(sizeof(size_t));
	w->rules[0] = rule;
	w->nrules = 1;
	if (len > s->maxkw)
		s->maxkw = len;
}

static uint64_t fnv_str(uint64_t h, const char *p)
{
	if (p)
		for (; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

static void make_fingerprint(struct sw_secrets *s, uint64_t max_size)
{
	uint64_t h = 14695981039346656037ULL;   /* fixed basis: the fingerprint keys a cache across runs */
	char num[64];
	for (size_t i = 0; i < s->rules.len; i++) {
		const struct sw_srule *r = s->rules.items[i];
		snprintf(num, sizeof(num), "%d %.3f %u %u %u %d %d", (int)r->severity, r->entropy, r->before,
			 r->after, r->keep, r->priority, (int)r->generic);
		h = fnv_str(fnv_str(fnv_str(fnv_str(h, r->id), r->category), r->title), r->keywords);
		h = fnv_str(fnv_str(fnv_str(h, r->regex), r->path), num);
	}
	for (size_t i = 0; i < s->allows.len; i++) {
		const struct sw_sallow *a = s->allows.items[i];
		h = fnv_str(fnv_str(fnv_str(fnv_str(h, a->id), a->rule), a->regex), a->path);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)max_size);
	h = fnv_str(h, num);
	snprintf(s->fingerprint, sizeof(s->fingerprint), "secret-1-%016llx", (unsigned long long)h);
}

static bool scanner_wants(void *self, const char *path, unsigned mode, uint64_t size);
static void *scanner_begin(void *self, const char *path, uint64_t size);
static bool scanner_feed(void *state, const uint8_t *data, size_t len);
static int scanner_end(void *state, struct sw_vec *out, struct sw_vec *warnings, struct sw_err *err);

static long find_rule(const struct sw_vec *v, const char *id)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(((struct sw_srule *)v->items[i])->id, id) == 0)
			return (long)i;
	return -1;
}

static int build(struct sw_secrets *s, const struct sw_secrets_opts *o, struct sw_secrets_config *cfg,
		 struct sw_err *err)
{
	const char *cname = cfg->name ? cfg->name : "";
	/* built-in rules, then the config's; disabled ones left out */
	struct sw_vec all = SW_VEC_INIT;
	for (size_t i = 0; i < sw_secret_builtin_nrules; i++)
		sw_vec_push(&all, rule_from_def(&sw_secret_builtin_rules[i]));
	size_t nbuiltin = all.len;
	for (size_t i = 0; i < cfg->rules.len; i++) {
		struct sw_srule *r = cfg->rules.items[i];
		if (find_rule(&all, r->id) >= 0) {
			int rc = sw_err_set(err, SW_E_FORMAT,
					    "%s: line %u: rule '%s': a built-in rule has this id (disable it and "
					    "give yours another id)",
					    cname, r->line, r->id);
			sw_vec_free_all(&all, sw_srule_free);
			return rc;
		}
		cfg->rules.items[i] = NULL;
		sw_vec_push(&all, r);
	}
	(void)nbuiltin;
	for (size_t i = 0; i < cfg->disable.len; i++) {
		const struct sw_sdisable *d = cfg->disable.items[i];
		long at = find_rule(&all, d->id);
		if (at < 0) {
			int rc = sw_err_set(err, SW_E_FORMAT, "%s: line %u: disable-rules: there is no rule '%s'",
					    cname, d->line, d->id);
			sw_vec_free_all(&all, sw_srule_free);
			return rc;
		}
	}
	for (size_t i = 0; i < all.len; i++) {
		struct sw_srule *r = all.items[i];
		bool off = false;
		for (size_t j = 0; j < cfg->disable.len && !off; j++)
			off = strcmp(((struct sw_sdisable *)cfg->disable.items[j])->id, r->id) == 0;
		if (off)
			sw_srule_free(r);
		else
			sw_vec_push(&s->rules, r);
	}
	sw_vec_release(&all);

	for (size_t i = 0; i < s->rules.len; i++) {
		struct sw_srule *r = s->rules.items[i];
		int rc = compile(cname, r->line, "rule", r->id, "regex", r->regex, &r->re, err);
		if (rc == 0 && r->path)
			rc = compile(cname, r->line, "rule", r->id, "path", r->path, &r->path_re, err);
		if (rc < 0)
			return rc;
		int g = pcre2_substring_number_from_name(r->re, (PCRE2_SPTR) "secret");
		r->secret_group = g > 0 ? (uint32_t)g : 0;
		uint32_t groups = 0;
		pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &groups);
		if (groups > s->max_groups)
			s->max_groups = groups;
		if (r->before > s->before_max)
			s->before_max = r->before;
		if (r->after > s->after_max)
			s->after_max = r->after;
		for (const char *k = r->keywords; *k;) {
			const char *bar = strchr(k, '|');
			size_t len = bar ? (size_t)(bar - k) : strlen(k);
			if (len < 2 || len > SW_SECRET_MAX_KEYWORD)
				return sw_err_set(err, SW_E_INTERNAL, "rule '%s': a keyword of %zu bytes", r->id, len);
			add_keyword(s, k, len, i);
			k += len + (bar ? 1 : 0);
		}
	}

	for (size_t i = 0; i < sw_secret_builtin_nallows; i++)
		sw_vec_push(&s->allows, allow_from_def(&sw_secret_builtin_allows[i]));
	for (size_t i = 0; i < cfg->allows.len; i++) {
		sw_vec_push(&s->allows, cfg->allows.items[i]);
		cfg->allows.items[i] = NULL;
	}
	for (size_t i = 0; i < s->allows.len; i++) {
		struct sw_sallow *a = s->allows.items[i];
		int rc = 0;
		if (a->rule && find_rule(&s->rules, a->rule) < 0 && a->line)
			return sw_err_set(err, SW_E_FORMAT, "%s: line %u: allow rule '%s': there is no rule '%s'",
					  cname, a->line, a->id, a->rule);
		if (a->regex && *a->regex)
			rc = compile(cname, a->line, "allow rule", a->id, "regex", a->regex, &a->re, err);
		if (rc == 0 && a->path && *a->path)
			rc = compile(cname, a->line, "allow rule", a->id, "path", a->path, &a->path_re, err);
		if (rc < 0)
			return rc;
	}

	const char **kw = sw_xcalloc(s->nkw ? s->nkw : 1, sizeof(char *));
	for (size_t i = 0; i < s->nkw; i++)
		kw[i] = s->kws[i].text;
	int rc = sw_pf_new(kw, s->nkw, &s->pf, err);
	free(kw);
	if (rc < 0)
		return rc;
	s->mctx = pcre2_match_context_create(NULL);
	if (!s->mctx)
		return sw_err_set(err, SW_E_NOMEM, "secret scanner: out of memory");
	pcre2_set_match_limit(s->mctx, MATCH_LIMIT);

	make_fingerprint(s, o->max_size);
	s->fs = (struct sw_file_scanner){
		.name = "secret",
		.fingerprint = s->fingerprint,
		.max_size = o->max_size,
		.whole = false,
		.self = s,
		.wants = scanner_wants,
		.begin = scanner_begin,
		.feed = scanner_feed,
		.end = scanner_end,
	};
	return 0;
}

int sw_secrets_new_text(const struct sw_secrets_opts *o, const char *name, const char *text, size_t len,
			struct sw_secrets **out, struct sw_err *err)
{
	*out = NULL;
	struct sw_secrets_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	if (text) {
		int rc = sw_secrets_config_parse(name ? name : "secret config", text, len, &cfg, err);
		if (rc < 0)
			return rc;
	}
	struct sw_secrets *s = sw_xcalloc(1, sizeof(*s));
	int rc = build(s, o, &cfg, err);
	sw_secrets_config_release(&cfg);
	if (rc < 0) {
		sw_secrets_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int sw_secrets_new(const struct sw_secrets_opts *o, struct sw_secrets **out, struct sw_err *err)
{
	*out = NULL;
	if (!o->config_path)
		return sw_secrets_new_text(o, NULL, NULL, 0, out, err);
	struct sw_buf b;
	sw_buf_init(&b, 1u << 20);
	int rc = sw_buf_read_file(&b, o->config_path, 1u << 20, err);
	if (rc < 0) {
		sw_buf_release(&b);
		return sw_err_wrap(err, "--secret-config");
	}
	rc = sw_secrets_new_text(o, o->config_path, b.data ? (const char *)b.data : "", b.len, out, err);
	sw_buf_release(&b);
	return rc;
}

void sw_secrets_free(struct sw_secrets *s)
{
	if (!s)
		return;
	sw_vec_free_all(&s->rules, sw_srule_free);
	sw_vec_free_all(&s->allows, sw_sallow_free);
	for (size_t i = 0; i < s->nkw; i++) {
		free(s->kws[i].text);
		free(s->kws[i].rules);
	}
	free(s->kws);
	sw_pf_free(s->pf);
	pcre2_match_context_free(s->mctx);
	free(s);
}

const struct sw_file_scanner *sw_secrets_file_scanner(struct sw_secrets *s)
{
	return &s->fs;
}

size_t sw_secrets_rule_count(const struct sw_secrets *s)
{
	return s->rules.len;
}

/* ---- matching helpers ---- */

static bool re_matches(const pcre2_code *re, const char *p, size_t len, pcre2_match_context *mctx)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)p, len, 0, 0, md, mctx);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/* A path every rule skips (an allow rule with a path and nothing else). */
static bool path_allowed(const struct sw_secrets *s, const char *path)
{
	if (!path)
		return false;
	for (size_t i = 0; i < s->allows.len; i++) {
		const struct sw_sallow *a = s->allows.items[i];
		if (a->path_re && !a->re && !a->rule && re_matches(a->path_re, path, strlen(path), s->mctx))
			return true;
	}
	return false;
}

static bool allowed(const struct fstate *st, const struct sw_srule *r, const uint8_t *sec, size_t slen)
{
	const struct sw_secrets *s = st->s;
	for (size_t i = 0; i < s->allows.len; i++) {
		const struct sw_sallow *a = s->allows.items[i];
		if (a->rule && strcmp(a->rule, r->id) != 0)
			continue;
		if (a->path_re && (!st->path || !re_matches(a->path_re, st->path, strlen(st->path), s->mctx)))
			continue;
		if (a->re && !re_matches(a->re, (const char *)sec, slen, s->mctx))
			continue;
		return true;
	}
	return false;
}

static double entropy(const uint8_t *p, size_t n)
{
	size_t count[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	double h = 0;
	for (size_t c = 0; c < 256; c++)
		if (count[c]) {
			double f = (double)count[c] / (double)n;
			h -= f * log2(f);
		}
	return h;
}

/* The guards of generic NAME=VALUE rules: a value with a letter and a digit
 * (type names, identifiers and words have none), and not a dotted
 * identifier (self.password2, os.environ, types$1.starstar). */
static bool generic_ok(const uint8_t *p, size_t n)
{
	bool lo = false, up = false, dig = false, ident = true, dot = false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		lo |= c >= 'a' && c <= 'z';
		up |= c >= 'A' && c <= 'Z';
		dig |= c >= '0' && c <= '9';
		if (c == '.')
			dot = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'))
			ident = false;
	}
	if (!(lo || up) || !dig)
		return false;
	if (ident && dot)
		return false;
	return true;
}

static void add_printable(struct sw_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sw_buf_addch(b, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : (p[i] == '\n' || p[i] == '\t' || p[i] == '\r') ? ' ' : '.');
}

/* The match with the secret replaced by its public prefix and the mask:
 * at most 40 bytes before the secret, 20 after, printable ASCII only. */
static char *masked(const uint8_t *m, size_t mlen, size_t s0, size_t s1, unsigned keep)
{
	struct sw_buf b;
	sw_buf_init(&b, 0);
	size_t pre = s0 > 40 ? 40 : s0;
	if (pre < s0)
		sw_buf_addstr(&b, "...");
	add_printable(&b, m + s0 - pre, pre);
	size_t slen = s1 - s0;
	size_t k = keep <= slen / 3 ? keep : slen / 3;
	add_printable(&b, m + s0, k);
	sw_buf_addstr(&b, SW_SECRET_MASK);
	size_t post = mlen - s1 > 20 ? 20 : mlen - s1;
	add_printable(&b, m + s1, post);
	if (post < mlen - s1)
		sw_buf_addstr(&b, "...");
	return sw_buf_detach(&b, NULL);
}

static void accept(struct fstate *st, size_t ri, uint64_t m0, uint64_t m1, uint64_t s0, uint64_t s1)
{
	const struct sw_srule *r = st->s->rules.items[ri];
	const uint8_t *w = st->win - st->win_start;   /* w[abs] */
	const uint8_t *sec = w + s0;
	size_t slen = (size_t)(s1 - s0);
	if (slen == 0)
		return;
	if (r->generic && !generic_ok(sec, slen))
		return;
	if (r->entropy > 0 && entropy(sec, slen) < r->entropy)
		return;
	if (allowed(st, r, sec, slen))
		return;
	/* overlapping secrets: one finding, the rule of lower priority wins */
	for (size_t i = 0; i < st->found.len; i++) {
		struct hit *h = &st->hits[i];
		if (s0 >= h->s1 || h->s0 >= s1)
			continue;
		const struct sw_srule *hr = st->s->rules.items[h->rule];
		if (h->rule == ri || hr->priority <= r->priority)
			return;
	}
	for (size_t i = 0; i < st->found.len;) {
		struct hit *h = &st->hits[i];
		if (s0 >= h->s1 || h->s0 >= s1) {
			i++;
			continue;
		}
		sw_file_finding_free(st->found.items[i]);
		memmove(&st->found.items[i], &st->found.items[i + 1], (st->found.len - i - 1) * sizeof(void *));
		memmove(&st->hits[i], &st->hits[i + 1], (st->found.len - i - 1) * sizeof(*st->hits));
		st->found.len--;
	}
	if (st->found.len >= MAX_FINDINGS) {
		st->dropped++;
		return;
	}
	uint64_t line = 1 + st->nl_before;
	for (const uint8_t *p = st->win, *e = w + m0; p < e;) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl)
			break;
		line++;
		p = nl + 1;
	}
	struct sw_file_finding *f = sw_file_finding_new("secret");
	f->rule_id = sw_xstrdup(r->id);
	f->category = sw_xstrdup(r->category);
	f->title = sw_xstrdup(r->title);
	f->severity = r->severity;
	f->path = sw_xstrdup(st->path);
	f->offset = m0;
	f->line = line > 0xffffffffu ? 0 : (unsigned)line;
	f->match = masked(w + m0, (size_t)(m1 - m0), (size_t)(s0 - m0), (size_t)(s1 - m0), r->keep);
	if (!st->hits || (st->found.len & (st->found.len - 1)) == 0)
		st->hits = sw_xrealloc(st->hits, (st->found.len * 2 + 1) * sizeof(*st->hits));
	st->hits[st->found.len] = (struct hit){ ri, s0, s1 };
	sw_vec_push(&st->found, f);
}

static void confirm(struct fstate *st, const struct cand *c)
{
	const struct sw_secrets *s = st->s;
	const struct kw *w = &s->kws[c->kw];
	for (size_t i = 0; i < w->nrules; i++) {
		size_t ri = w->rules[i];
		if (!st->active[ri])
			continue;
		const struct sw_srule *r = s->rules.items[ri];
		uint64_t lo = c->k >= r->before ? c->k - r->before : 0;
		uint64_t hi = c->k + w->len + r->after + CTX;
		uint64_t sub_lo = lo >= CTX ? lo - CTX : 0;
		if (sub_lo < st->win_start)
			sub_lo = st->win_start;   /* cannot happen: the window keeps before_max + CTX */
		if (lo < sub_lo)
			lo = sub_lo;
		if (hi > st->win_end)
			hi = st->win_end;
		const uint8_t *sub = st->win + (sub_lo - st->win_start);
		size_t slen = (size_t)(hi - sub_lo);
		size_t at = (size_t)(lo - sub_lo);
		uint32_t opts = r->before == 0 ? PCRE2_ANCHORED : 0;
		while (at <= slen) {
			int rc = pcre2_match(r->re, sub, slen, at, opts, st->md, s->mctx);
			if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
			    rc == PCRE2_ERROR_JIT_STACKLIMIT) {
				/* a backtracking (user) regex: bounded per attempt, and a few
				 * such attempts end the rule for this file */
				if (++st->limit_hits[ri] == LIMIT_HITS) {
					st->active[ri] = 0;
					sw_vec_push(&st->warnings,
						    sw_xasprintf("%s: secret rule '%s' hit the regex match limit %u times; "
								 "not applied to the rest of the file",
								 st->path ? st->path : "(config)", r->id, LIMIT_HITS));
				}
				break;
			}
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
			uint64_t m0 = sub_lo + ov[0], m1 = sub_lo + ov[1];
			if (m0 > c->k)
				break;
			if (m1 >= c->k + w->len) {
				uint64_t s0 = m0, s1 = m1;
				uint32_t g = r->secret_group;
				if (g && (uint32_t)rc > g && ov[2 * g] != PCRE2_UNSET) {
					s0 = sub_lo + ov[2 * g];
					s1 = sub_lo + ov[2 * g + 1];
				}
				accept(st, ri, m0, m1, s0, s1);
				break;
			}
			at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
	}
}

/* ---- the per-file state ---- */

static void on_hit(void *ctx, unsigned kw, uint64_t start)
{
	struct fstate *st = ctx;
	if (st->ncand == st->capcand) {
		size_t n = st->capcand ? st->capcand * 2 : 64;
		struct cand *c = realloc(st->cands, n * sizeof(*c));
		if (!c) {
			st->failed = true;
			return;
		}
		st->cands = c;
		st->capcand = n;
	}
	st->cands[st->ncand++] = (struct cand){ start, kw };
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->kw < y->kw ? -1 : x->kw > y->kw;
}

static uint64_t retention(const struct sw_secrets *s)
{
	return (uint64_t)s->before_max + CTX + s->maxkw + s->after_max + CTX;
}

/* Prefilter the new bytes, confirm the candidates whose regions are all in
 * the window, drop the bytes no candidate can need any more. */
static void process(struct fstate *st, bool eof)
{
	const struct sw_secrets *s = st->s;
	if (st->binary || st->failed)
		return;
	if (!st->sniffed) {
		if (!eof && st->win_end < SNIFF)
			return;
		st->sniffed = true;
		size_t n = st->win_end < SNIFF ? (size_t)st->win_end : SNIFF;
		if (!st->text_mode && memchr(st->win, 0, n)) {
			st->binary = true;
			return;
		}
	}
	if (sw_pf_scan(st->pf, st->win, st->win_start, st->scanned, st->win_end, eof, on_hit, st) < 0) {
		st->failed = true;
		return;
	}
	st->scanned = st->win_end;
	if (st->failed)
		return;
	uint64_t need = (uint64_t)s->maxkw + s->after_max + CTX;
	if (st->ncand) {
		qsort(st->cands, st->ncand, sizeof(*st->cands), cand_cmp);
		size_t i = 0;
		for (; i < st->ncand; i++) {
			if (!eof && st->cands[i].k + need > st->win_end)
				break;
			confirm(st, &st->cands[i]);
		}
		memmove(st->cands, st->cands + i, (st->ncand - i) * sizeof(*st->cands));
		st->ncand -= i;
	}
	if (eof)
		return;
	uint64_t keep = retention(s);
	if (st->win_end - st->win_start > keep) {
		uint64_t from = st->win_end - keep;
		size_t drop = (size_t)(from - st->win_start);
		for (const uint8_t *p = st->win, *e = st->win + drop; p < e;) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(e - p));
			if (!nl)
				break;
			st->nl_before++;
			p = nl + 1;
		}
		memmove(st->win, st->win + drop, (size_t)(st->win_end - from));
		st->win_start = from;
	}
}

static void state_free(struct fstate *st)
{
	if (!st)
		return;
	sw_pf_close(st->pf);
	pcre2_match_data_free(st->md);
	sw_vec_free_all(&st->found, sw_file_finding_free_v);
	sw_vec_free_strings(&st->warnings);
	free(st->limit_hits);
	free(st->hits);
	free(st->cands);
	free(st->active);
	free(st->win);
	free(st->path);
	free(st);
}

static struct fstate *state_new(struct sw_secrets *s, const char *path, uint64_t size, bool text_mode)
{
	struct fstate *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->s = s;
	st->text_mode = text_mode;
	st->path = path ? strdup(path) : NULL;
	uint64_t keep = retention(s);
	st->cap = (size_t)(keep > SNIFF ? keep : SNIFF) + PIECE;
	st->alloc = size && size + 1 < st->cap ? (size_t)size + 1 : st->cap;
	if (st->alloc < 256)
		st->alloc = 256;
	st->win = malloc(st->alloc);
	st->active = calloc(s->rules.len ? s->rules.len : 1, 1);
	st->limit_hits = calloc(s->rules.len ? s->rules.len : 1, 1);
	st->md = pcre2_match_data_create(s->max_groups + 1, NULL);
	st->pf = sw_pf_open(s->pf);
	if ((path && !st->path) || !st->win || !st->active || !st->limit_hits || !st->md || !st->pf) {
		state_free(st);
		return NULL;
	}
	for (size_t i = 0; i < s->rules.len; i++) {
		const struct sw_srule *r = s->rules.items[i];
		st->active[i] = !r->path_re || (path && re_matches(r->path_re, path, strlen(path), s->mctx));
	}
	return st;
}

static bool state_feed(struct fstate *st, const uint8_t *data, size_t len)
{
	while (len && !st->binary && !st->failed) {
		size_t used = (size_t)(st->win_end - st->win_start);
		if (used == st->cap) {
			process(st, false);
			continue;
		}
		if (used == st->alloc) {
			size_t n = st->alloc * 2 < st->cap ? st->alloc * 2 : st->cap;
			uint8_t *w = realloc(st->win, n);
			if (!w) {
				st->failed = true;
				break;
			}
			st->win = w;
			st->alloc = n;
		}
		size_t n = st->alloc - used < len ? st->alloc - used : len;
		memcpy(st->win + used, data, n);
		st->win_end += n;
		data += n;
		len -= n;
	}
	return st->binary || st->failed;
}

static int state_end(struct fstate *st, struct sw_vec *out, struct sw_vec *warnings, struct sw_err *err)
{
	process(st, true);
	int rc = 0;
	if (st->failed) {
		rc = sw_err_set(err, SW_E_INTERNAL, "secret scanner on '%s': out of memory or engine failure",
				st->path ? st->path : "(config)");
	} else {
		for (size_t i = 0; i < st->found.len; i++)
			sw_vec_push(out, st->found.items[i]);
		st->found.len = 0;
		for (size_t i = 0; warnings && i < st->warnings.len; i++)
			sw_vec_push(warnings, st->warnings.items[i]);
		if (warnings)
			st->warnings.len = 0;
		if (st->dropped && warnings)
			sw_vec_push(warnings, sw_xasprintf("%s: %zu more secrets not reported (at most %u per file)",
							   st->path ? st->path : "(config)", st->dropped,
							   MAX_FINDINGS));
	}
	state_free(st);
	return rc;
}

/* ---- the content scanner ---- */

static bool scanner_wants(void *self, const char *path, unsigned mode, uint64_t size)
{
	const struct sw_secrets *s = self;
	if ((mode & S_IFMT) && !S_ISREG(mode))
		return false;
	if (size == 0 || (s->fs.max_size && size > s->fs.max_size))
		return false;
	return !path_allowed(s, path);
}

static void *scanner_begin(void *self, const char *path, uint64_t size)
{
	struct fstate *st = state_new(self, path ? path : "", size, false);
	if (st && path_allowed(self, st->path))
		st->binary = true;   /* begin() without wants() (tests): nothing to look at */
	return st;
}

static bool scanner_feed(void *state, const uint8_t *data, size_t len)
{
	return state_feed(state, data, len);
}

static int scanner_end(void *state, struct sw_vec *out, struct sw_vec *warnings, struct sw_err *err)
{
	return state_end(state, out, warnings, err);
}

int sw_secrets_scan_text(struct sw_secrets *s, const char *where, const char *text, size_t len,
			 struct sw_vec *out, struct sw_err *err)
{
	struct fstate *st = state_new(s, NULL, len, true);
	if (!st)
		return sw_err_set(err, SW_E_NOMEM, "secret scanner on %s: out of memory", where ? where : "text");
	state_feed(st, (const uint8_t *)text, len);
	size_t before = out->len;
	struct sw_vec warnings = SW_VEC_INIT;
	int rc = state_end(st, out, &warnings, err);
	sw_vec_free_strings(&warnings);
	for (size_t i = before; i < out->len; i++) {
		struct sw_file_finding *f = out->items[i];
		sw_str_set(&f->detail, where);
	}
	return rc;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	return x->s0 < y->s0 ? -1 : x->s0 > y->s0;
}

char *sw_secrets_mask_text(struct sw_secrets *s, const char *text, size_t len)
{
	struct fstate *st = state_new(s, NULL, len, true);
	if (!st)
		return NULL;
	state_feed(st, (const uint8_t *)text, len);
	process(st, true);
	if (st->failed || !st->found.len) {
		state_free(st);
		return NULL;
	}
	size_t n = st->found.len;
	qsort(st->hits, n, sizeof(*st->hits), hit_cmp);   /* secrets never overlap (accept()) */
	struct sw_buf b;
	sw_buf_init(&b, 0);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		const struct hit *h = &st->hits[i];
		const struct sw_srule *r = s->rules.items[h->rule];
		size_t slen = (size_t)(h->s1 - h->s0);
		size_t k = r->keep <= slen / 3 ? r->keep : slen / 3;
		sw_buf_add(&b, text + at, (size_t)h->s0 - at);
		sw_buf_add(&b, text + h->s0, k);
		sw_buf_addstr(&b, SW_SECRET_MASK);
		at = (size_t)h->s1;
	}
	sw_buf_add(&b, text + at, len - at);
	state_free(st);
	return sw_buf_detach(&b, NULL);
}
