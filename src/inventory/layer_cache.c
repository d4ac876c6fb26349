/*
 * layer_cache.c - per-layer results on disk (see layer_cache.h).
 *
 * Entry body (frame, str, strvec and package encoding in cache.h), every
 * count and length checked against the bytes left before anything is
 * allocated:
 *
 *   "SWLC" u32 format  str key
 *   u32 nfound   { str path, str analyzer, str content,
 *                  u32 npkgs { package }, strvec warnings }
 *   strvec whiteouts, strvec opaques
 *   u32 nlinks   { str path, str target }
 *   strvec warnings
 *   pathset dirs, pathset nondirs
 *       (sorted paths, front-coded: u32 count { u32 shared, str suffix },
 *        shared = bytes in common with the previous path)
 *   findings             (format 3: filescan_pass.h sw_fs_put_findings)
 *   file facts (format 4; fsfacts.h sw_fsfacts_encode)
 *   u32 crc32 of everything before it
 */
#include "inventory/layer_cache.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/analyzers.h"
#include "inventory/cache.h"
#include "inventory/filescan_pass.h"
#include "inventory/fsfacts.h"
#include "inventory/osdetect.h"
#include "util/mem.h"

#define LC_MAGIC "SWLC"
#define LC_FORMAT 4u  /* 3: content scanners' findings; 4: and file facts for the image checks */
/* Bump when build.c's layer pass changes what it records for the same input. */
#define LC_PASS_VERSION 2u
#define LC_WHAT "layer cache file"
#define LC_MAX_FILE (256u * 1024u * 1024u)

/* ---- results ---- */

static void found_free(void *v)
{
	struct sw_lr_found *f = v;
	if (!f)
		return;
	free(f->path);
	sw_pkglist_release(&f->res);
	free(f->content);
	free(f);
}

static void link_free(void *v)
{
	struct sw_lr_link *l = v;
	if (!l)
		return;
	free(l->path);
	free(l->target);
	free(l);
}

void sw_layer_result_release(struct sw_layer_result *r)
{
	if (!r)
		return;
	sw_vec_free_all(&r->found, found_free);
	sw_vec_free_strings(&r->whiteouts);
	sw_vec_free_strings(&r->opaques);
	sw_vec_free_all(&r->links, link_free);
	sw_vec_free_strings(&r->dirs);
	sw_vec_free_strings(&r->nondirs);
	sw_vec_free_strings(&r->warnings);
	sw_vec_free_all(&r->file_findings, sw_file_finding_free_v);
	sw_fs_recs_release(&r->fs);
}

/* ---- key ---- */

char *sw_layer_cache_key(const char *diff_id)
{
	return sw_layer_cache_key_for(diff_id, NULL, 0);
}

char *sw_layer_cache_key_for(const char *diff_id, const struct sw_file_scanner *const *sc,
			     size_t nsc)
{
	if (!diff_id || !*diff_id)
		return NULL;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "stowaway layer cache %u pass %u\n%s\nos %u\npackage %zu\n", LC_FORMAT,
		    LC_PASS_VERSION, diff_id, (unsigned)SW_OSDETECT_MAX_SIZE, sizeof(struct sw_package));
	const struct sw_analyzer *const *an = sw_analyzers_all();
	for (size_t i = 0; an[i]; i++)
		sw_buf_addf(&b, "%s %u %llu\n", an[i]->name, an[i]->version,
			    (unsigned long long)an[i]->max_size);
	sw_fs_key_text(&b, sc, nsc);
	char *key = sw_cache_key_of(&b);
	sw_buf_release(&b);
	return key;
}

/* ---- encoding ---- */

static void put_pathset(struct sw_buf *out, const struct sw_vec *v)
{
	sw_cache_put_u32(out, (uint32_t)v->len);
	const char *prev = "";
	for (size_t i = 0; i < v->len; i++) {
		const char *p = v->items[i];
		size_t k = 0;
		while (prev[k] && prev[k] == p[k])
			k++;
		sw_cache_put_u32(out, (uint32_t)k);
		sw_cache_put_str(out, p + k);
		prev = p;
	}
}

int sw_layer_cache_encode(const struct sw_layer_result *r, const char *key, struct sw_buf *out,
			  struct sw_err *err)
{
	size_t start = sw_cache_put_begin(out, LC_MAGIC, LC_FORMAT, key);
	sw_cache_put_u32(out, (uint32_t)r->found.len);
	for (size_t i = 0; i < r->found.len; i++) {
		const struct sw_lr_found *f = r->found.items[i];
		sw_cache_put_str(out, f->path);
		sw_cache_put_str(out, f->analyzer);
		sw_cache_put_str(out, f->content);
		sw_cache_put_u32(out, (uint32_t)f->res.pkgs.len);
		for (size_t k = 0; k < f->res.pkgs.len; k++)
			sw_cache_put_pkg(out, f->res.pkgs.items[k], 0);
		sw_cache_put_strvec(out, &f->res.warnings);
	}
	sw_cache_put_strvec(out, &r->whiteouts);
	sw_cache_put_strvec(out, &r->opaques);
	sw_cache_put_u32(out, (uint32_t)r->links.len);
	for (size_t i = 0; i < r->links.len; i++) {
		const struct sw_lr_link *l = r->links.items[i];
		sw_cache_put_str(out, l->path);
		sw_cache_put_str(out, l->target);
	}
	sw_cache_put_strvec(out, &r->warnings);
	put_pathset(out, &r->dirs);
	put_pathset(out, &r->nondirs);
	sw_fs_put_findings(out, &r->file_findings);
	sw_fsfacts_encode(out, &r->fs);
	return sw_cache_put_end(out, start, "layer cache entry", err);
}

bool sw_lr_pathset_has(const struct sw_vec *sorted, const char *key, size_t n)
{
	size_t lo = 0, hi = sorted->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = sorted->items[mid];
		int c = strncmp(p, key, n);
		if (c == 0 && p[n])
			c = 1;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ---- decoding ---- */

static void get_pathset(struct sw_cache_rd *r, struct sw_vec *v)
{
	size_t n = sw_cache_get_count(r, 8);
	const char *prev = "";
	size_t prev_len = 0;
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint32_t k = sw_cache_get_u32(r);
		char *suffix = sw_cache_get_req_str(r);
		if (r->bad || k > prev_len) {
			free(suffix);
			if (!r->bad)
				sw_cache_rd_fail(r, "bad path set");
			break;
		}
		char *p = sw_xasprintf("%.*s%s", (int)k, prev, suffix);
		free(suffix);
		sw_vec_push(v, p);
		prev = p;
		prev_len = strlen(p);
	}
}

/* The static name of an analyzer, or NULL if there is none by that name. */
static const char *analyzer_name(const char *name)
{
	if (strcmp(name, SW_LAYER_OS_ANALYZER) == 0)
		return SW_LAYER_OS_ANALYZER;
	const struct sw_analyzer *a = sw_analyzer_by_name(name);
	return a ? a->name : NULL;
}

int sw_layer_cache_decode(const uint8_t *data, size_t len, const char *key,
			  struct sw_layer_result *out, struct sw_err *err)
{
	struct sw_cache_rd r;
	if (sw_cache_rd_begin(&r, data, len, LC_MAGIC, LC_FORMAT, key, LC_WHAT, err) < 0)
		return -SW_E_FORMAT;
	struct sw_layer_result res = { SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT,
					SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, 0 };
	/* a found entry is at least 4 u32 + 1 strvec count */
	size_t nfound = sw_cache_get_count(&r, 20);
	for (size_t i = 0; i < nfound && !r.bad; i++) {
		char *path = sw_cache_get_req_str(&r);
		char *an = sw_cache_get_req_str(&r);
		char *content = sw_cache_get_str(&r);
		const char *name = an ? analyzer_name(an) : NULL;
		free(an);
		if (!r.bad && !name)
			sw_cache_rd_fail(&r, "unknown analyzer");
		struct sw_lr_found *f = sw_xcalloc(1, sizeof(*f));
		f->path = path;
		f->analyzer = name ? name : SW_LAYER_OS_ANALYZER;
		f->content = content;
		sw_vec_push(&res.found, f);
		size_t npkgs = sw_cache_get_count(&r, SW_CACHE_MIN_PKG);
		for (size_t k = 0; k < npkgs && !r.bad; k++) {
			struct sw_package *p = sw_cache_get_pkg(&r);
			if (p)
				sw_vec_push(&f->res.pkgs, p);
		}
		sw_cache_get_strvec(&r, &f->res.warnings);
	}
	sw_cache_get_strvec(&r, &res.whiteouts);
	sw_cache_get_strvec(&r, &res.opaques);
	size_t nlinks = sw_cache_get_count(&r, 8);
	for (size_t i = 0; i < nlinks && !r.bad; i++) {
		struct sw_lr_link *l = sw_xcalloc(1, sizeof(*l));
		l->path = sw_cache_get_req_str(&r);
		l->target = sw_cache_get_req_str(&r);
		sw_vec_push(&res.links, l);
	}
	sw_cache_get_strvec(&r, &res.warnings);
	get_pathset(&r, &res.dirs);
	get_pathset(&r, &res.nondirs);
	sw_fs_get_findings(&r, &res.file_findings);
	sw_fsfacts_decode(&r, &res.fs);
	if (sw_cache_rd_end(&r, LC_WHAT, err) < 0) {
		sw_layer_result_release(&res);
		return -SW_E_FORMAT;
	}
	*out = res;
	return 0;
}

/* ---- files ---- */

bool sw_layer_cache_has(const char *dir, const char *key)
{
	char *path = sw_xasprintf("%s/%s", dir, key);
	bool yes = access(path, R_OK) == 0;
	free(path);
	return yes;
}

int sw_layer_cache_load(const char *dir, const char *key, struct sw_layer_result *out,
			struct sw_err *err)
{
	struct sw_cache_blob b;
	int rc = sw_cache_blob_load(dir, key, LC_MAX_FILE, &b, err);
	if (rc == 1 && sw_layer_cache_decode(b.data, b.len, key, out, err) < 0) {
		sw_err_wrap(err, "'%s/%s'", dir, key);
		rc = 0;
	}
	sw_cache_blob_release(&b);
	return rc == 1;
}

int sw_layer_cache_store(const char *dir, const char *key, const struct sw_layer_result *r,
			 struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	int rc = sw_layer_cache_encode(r, key, &b, err);
	if (rc == 0)
		rc = sw_cache_store_file(dir, key, &b, err);
	sw_buf_release(&b);
	return rc;
}
