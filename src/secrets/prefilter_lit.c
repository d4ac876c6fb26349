/*
 * prefilter_lit.c - the portable keyword prefilter (prefilter.h), used when
 * the build has no Hyperscan (-DSW_SECRETS_ENGINE=pcre2).
 *
 * Every position is looked up by its first two bytes (folded to lower case)
 * in a 64 Kib bitmap; only positions whose pair starts some keyword compare
 * the keywords of that pair.  A position is examined once all the bytes a
 * keyword starting there could need have arrived (or at the end), so the
 * occurrences found do not depend on how the stream is cut.
 */
#ifndef SW_SECRETS_HYPERSCAN

#include "secrets/prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "secrets/rules.h"
#include "util/mem.h"

struct kwent {
	const char *text;
	size_t len;
	unsigned id;
};

struct sw_pf {
	uint8_t lower[256];
	uint64_t pairs[65536 / 64];
	/* keywords by pair: first[pair] .. first[pair + 1] in byidx (counting sort) */
	uint32_t *first;
	struct kwent *byidx;
	char **texts;
	size_t n, maxlen;
};

struct sw_pf_stream {
	const struct sw_pf *pf;
	uint64_t next;         /* first position not examined yet */
};

const char *sw_pf_engine(void)
{
	return "pcre2";
}

static unsigned pair_of(const struct sw_pf *pf, uint8_t a, uint8_t b)
{
	return (unsigned)pf->lower[a] | ((unsigned)pf->lower[b] << 8);
}

int sw_pf_new(const char *const *kw, size_t n, struct sw_pf **out, struct sw_err *err)
{
	struct sw_pf *pf = sw_xcalloc(1, sizeof(*pf));
	for (unsigned c = 0; c < 256; c++)
		pf->lower[c] = (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	pf->n = n;
	pf->texts = sw_xcalloc(n ? n : 1, sizeof(char *));
	pf->byidx = sw_xcalloc(n ? n : 1, sizeof(*pf->byidx));
	pf->first = sw_xcalloc(65537, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(kw[i]);
		if (len < 2 || len > SW_SECRET_MAX_KEYWORD) {
			sw_pf_free(pf);
			return sw_err_set(err, SW_E_INTERNAL, "keyword '%s': length %zu", kw[i], len);
		}
		pf->texts[i] = sw_xstrdup(kw[i]);
		if (len > pf->maxlen)
			pf->maxlen = len;
		unsigned p = pair_of(pf, (uint8_t)kw[i][0], (uint8_t)kw[i][1]);
		pf->pairs[p / 64] |= (uint64_t)1 << (p % 64);
		pf->first[p + 1]++;
	}
	for (size_t p = 1; p <= 65536; p++)
		pf->first[p] += pf->first[p - 1];
	uint32_t *fill = sw_xcalloc(65536, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		unsigned p = pair_of(pf, (uint8_t)kw[i][0], (uint8_t)kw[i][1]);
		struct kwent *e = &pf->byidx[pf->first[p] + fill[p]++];
		e->text = pf->texts[i];
		e->len = strlen(kw[i]);
		e->id = (unsigned)i;
	}
	free(fill);
	*out = pf;
	return 0;
}

void sw_pf_free(struct sw_pf *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->n; i++)
		free(pf->texts[i]);
	free(pf->texts);
	free(pf->byidx);
	free(pf->first);
	free(pf);
}

struct sw_pf_stream *sw_pf_open(const struct sw_pf *pf)
{
	struct sw_pf_stream *st = calloc(1, sizeof(*st));
	if (st)
		st->pf = pf;
	return st;
}

void sw_pf_close(struct sw_pf_stream *st)
{
	free(st);
}

int sw_pf_scan(struct sw_pf_stream *st, const uint8_t *win, uint64_t win_start, uint64_t from,
	       uint64_t end, bool eof, sw_pf_hit hit, void *ctx)
{
	const struct sw_pf *pf = st->pf;
	(void)from;
	/* positions whose every keyword fits, or all of them at the end */
	uint64_t limit = eof ? end : (end >= pf->maxlen ? end - pf->maxlen + 1 : 0);
	if (st->next < win_start)
		st->next = win_start;   /* cannot happen: the window keeps maxlen bytes */
	const uint8_t *w = win - win_start;   /* w[abs] */
	uint64_t p = st->next;
	for (; p < limit && p + 1 < end; p++) {
		unsigned pr = pair_of(pf, w[p], w[p + 1]);
		if (!(pf->pairs[pr / 64] & ((uint64_t)1 << (pr % 64))))
			continue;
		for (uint32_t i = pf->first[pr]; i < pf->first[pr + 1]; i++) {
			const struct kwent *e = &pf->byidx[i];
			if (p + e->len > end)
				continue;
			size_t j = 2;
			while (j < e->len && pf->lower[w[p + j]] == (uint8_t)e->text[j])
				j++;
			if (j == e->len)
				hit(ctx, e->id, p);
		}
	}
	if (p < limit)
		p = limit;
	st->next = p;
	return 0;
}

#endif
