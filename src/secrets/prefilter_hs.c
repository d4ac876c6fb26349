/*
 * prefilter_hs.c - the Hyperscan keyword prefilter (prefilter.h): every
 * keyword of every rule compiled once into one streaming database
 * (HS_FLAG_CASELESS patterns of escaped bytes); each file is one
 * Hyperscan stream, fed as the layer pass reads it, in constant memory.
 */
#ifdef SW_SECRETS_HYPERSCAN

#include "secrets/prefilter.h"

#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct sw_pf_stream {
	const struct sw_pf *pf;
	hs_stream_t *hs;
	hs_scratch_t *scratch;
	sw_pf_hit hit;
	void *ctx;
	struct sw_pf_stream *next_free;
};

/* The database and the lengths are read-only once built.  Closed streams
 * (a Hyperscan stream and its scratch) wait in a pool, under a lock, for
 * the next file: opening a stream for each of a million small files would
 * otherwise cost a scratch clone and a stream allocation each. */
struct sw_pf {
	hs_database_t *db;
	hs_scratch_t *proto;   /* cloned per stream: scratch is per-thread in Hyperscan */
	size_t *lens;
	size_t n;
	pthread_mutex_t lock;
	struct sw_pf_stream *pool;
	size_t npool;
};

#define POOL_MAX 64

const char *sw_pf_engine(void)
{
	return "hyperscan";
}

int sw_pf_new(const char *const *kw, size_t n, struct sw_pf **out, struct sw_err *err)
{
	if (hs_valid_platform() != HS_SUCCESS)
		return sw_err_set(err, SW_E_UNSUPPORTED, "secret scanner: this CPU lacks SSSE3, which Hyperscan needs");
	struct sw_pf *pf = sw_xcalloc(1, sizeof(*pf));
	pthread_mutex_init(&pf->lock, NULL);
	pf->n = n;
	pf->lens = sw_xcalloc(n ? n : 1, sizeof(size_t));
	unsigned *flags = sw_xcalloc(n ? n : 1, sizeof(unsigned));
	unsigned *ids = sw_xcalloc(n ? n : 1, sizeof(unsigned));
	for (size_t i = 0; i < n; i++) {
		pf->lens[i] = strlen(kw[i]);
		flags[i] = HS_FLAG_CASELESS;
		ids[i] = (unsigned)i;
	}
	/* each keyword as a pattern of \xHH escapes: hs_compile_lit_multi (5.4)
	 * builds streaming databases that fail some scans with HS_UNKNOWN_ERROR
	 * (found by fuzz_secret_config: keywords `aaaab"a` and `aaaaaaaa*aaa...`) */
	char **pat = sw_xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		pat[i] = sw_xmalloc(pf->lens[i] * 4 + 1);
		for (size_t k = 0; k < pf->lens[i]; k++)
			snprintf(pat[i] + 4 * k, 5, "\\x%02x", (unsigned char)kw[i][k]);
	}
	hs_compile_error_t *ce = NULL;
	int rc = n ? hs_compile_multi((const char *const *)pat, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL,
				      &pf->db, &ce)
		   : HS_SUCCESS;
	for (size_t i = 0; i < n; i++)
		free(pat[i]);
	free(pat);
	free(flags);
	free(ids);
	if (rc != HS_SUCCESS) {
		sw_err_set(err, SW_E_INTERNAL, "secret scanner: hyperscan: %s (keyword %d)",
			   ce && ce->message ? ce->message : "compile error", ce ? ce->expression : -1);
		hs_free_compile_error(ce);
		sw_pf_free(pf);
		return -SW_E_INTERNAL;
	}
	if (pf->db && hs_alloc_scratch(pf->db, &pf->proto) != HS_SUCCESS) {
		sw_pf_free(pf);
		return sw_err_set(err, SW_E_NOMEM, "secret scanner: hyperscan scratch: out of memory");
	}
	*out = pf;
	return 0;
}

static void stream_free(struct sw_pf_stream *st)
{
	if (st->hs)
		hs_close_stream(st->hs, st->scratch, NULL, NULL);   /* literals: nothing to report at the end */
	if (st->scratch)
		hs_free_scratch(st->scratch);
	free(st);
}

void sw_pf_free(struct sw_pf *pf)
{
	if (!pf)
		return;
	while (pf->pool) {
		struct sw_pf_stream *st = pf->pool;
		pf->pool = st->next_free;
		stream_free(st);
	}
	pthread_mutex_destroy(&pf->lock);
	if (pf->proto)
		hs_free_scratch(pf->proto);
	if (pf->db)
		hs_free_database(pf->db);
	free(pf->lens);
	free(pf);
}

struct sw_pf_stream *sw_pf_open(const struct sw_pf *cpf)
{
	struct sw_pf *pf = (struct sw_pf *)cpf;   /* only the locked pool changes */
	pthread_mutex_lock(&pf->lock);
	struct sw_pf_stream *st = pf->pool;
	if (st) {
		pf->pool = st->next_free;
		pf->npool--;
	}
	pthread_mutex_unlock(&pf->lock);
	if (st) {
		st->next_free = NULL;
		if (hs_reset_stream(st->hs, 0, st->scratch, NULL, NULL) == HS_SUCCESS)
			return st;
		stream_free(st);
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->pf = pf;
	if (!pf->db)
		return st;
	if (hs_clone_scratch(pf->proto, &st->scratch) != HS_SUCCESS ||
	    hs_open_stream(pf->db, 0, &st->hs) != HS_SUCCESS) {
		stream_free(st);
		return NULL;
	}
	return st;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	struct sw_pf_stream *st = ctx;
	(void)from;
	(void)flags;
	st->hit(st->ctx, id, (uint64_t)to - st->pf->lens[id]);
	return 0;
}

int sw_pf_scan(struct sw_pf_stream *st, const uint8_t *win, uint64_t win_start, uint64_t from,
	       uint64_t end, bool eof, sw_pf_hit hit, void *ctx)
{
	(void)eof;
	if (!st->hs || end <= from)
		return 0;
	st->hit = hit;
	st->ctx = ctx;
	const uint8_t *p = win + (from - win_start);
	uint64_t left = end - from;
	while (left) {   /* hs_scan_stream takes an unsigned int length */
		unsigned n = left > (1u << 30) ? (1u << 30) : (unsigned)left;
		if (hs_scan_stream(st->hs, (const char *)p, n, 0, st->scratch, on_match, st) != HS_SUCCESS)
			return -SW_E_INTERNAL;
		p += n;
		left -= n;
	}
	return 0;
}

void sw_pf_close(struct sw_pf_stream *st)
{
	if (!st)
		return;
	struct sw_pf *pf = (struct sw_pf *)st->pf;
	if (st->hs) {
		pthread_mutex_lock(&pf->lock);
		bool pooled = pf->npool < POOL_MAX;
		if (pooled) {
			st->next_free = pf->pool;
			pf->pool = st;
			pf->npool++;
		}
		pthread_mutex_unlock(&pf->lock);
		if (pooled)
			return;
	}
	stream_free(st);
}

#endif
