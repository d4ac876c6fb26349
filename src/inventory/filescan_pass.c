/* filescan_pass.c - content scanners in the layer pass, the merge and the caches (filescan_pass.h). */
#include "inventory/filescan_pass.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/map.h"
#include "util/mem.h"

/* ---- one file ---- */

static void end_quietly(const struct sw_file_scanner *s, void *st)
{
	struct sw_vec out = SW_VEC_INIT, warn = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)s->end(st, &out, &warn, &err);
	sw_vec_free_all(&out, sw_file_finding_free_v);
	sw_vec_free_strings(&warn);
}

int sw_fs_begin(struct sw_fs_file *f, const struct sw_file_scanner *const *sc, size_t nsc,
		const struct sw_entry *e, struct sw_layer_result *res, struct sw_err *err)
{
	memset(f, 0, sizeof(*f));
	f->path = e->path;
	for (size_t i = 0; i < nsc && f->n < SW_FS_MAX; i++) {
		const struct sw_file_scanner *s = sc[i];
		if (!s->wants(s->self, e->path, e->mode, e->size))
			continue;
		uint64_t max = s->max_size;
		if ((max || s->whole) && e->size > max) {
			sw_vec_push(&res->warnings,
				    sw_xasprintf("%s: %llu bytes is over the %s scanner's limit of %llu; not scanned",
						 e->path, (unsigned long long)e->size, s->name,
						 (unsigned long long)max));
			continue;
		}
		void *st = s->begin(s->self, e->path, e->size);
		if (!st) {
			sw_fs_abort(f);
			return sw_err_set(err, SW_E_NOMEM, "%s scanner on '%s': out of memory", s->name, e->path);
		}
		f->s[f->n] = s;
		f->st[f->n] = st;
		f->done[f->n] = false;
		f->n++;
		if (s->whole) {
			if (max > f->whole_max)
				f->whole_max = max;
		} else {
			f->active++;
		}
	}
	return (int)f->n;
}

void sw_fs_feed(struct sw_fs_file *f, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < f->n && f->active; i++) {
		if (f->done[i] || f->s[i]->whole)
			continue;
		if (f->s[i]->feed(f->st[i], data, len)) {
			f->done[i] = true;
			f->active--;
		}
	}
}

void sw_fs_feed_whole(struct sw_fs_file *f, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->done[i])
			continue;
		(void)f->s[i]->feed(f->st[i], data, len);
		f->done[i] = true;
	}
	f->active = 0;
}

int sw_fs_end(struct sw_fs_file *f, struct sw_layer_result *res, struct sw_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (rc < 0) {
			end_quietly(f->s[i], f->st[i]);
			continue;
		}
		size_t first = res->file_findings.len;
		if (f->s[i]->end(f->st[i], &res->file_findings, &res->warnings, err) < 0) {
			rc = sw_err_wrap(err, "%s scanner on '%s'", f->s[i]->name, f->path);
			continue;
		}
		for (size_t k = first; k < res->file_findings.len; k++) {
			struct sw_file_finding *x = res->file_findings.items[k];
			if (!x->path)
				x->path = sw_xstrdup(f->path);
			x->layer = -1;
			x->removed_in = -1;
		}
	}
	f->n = 0;
	f->active = 0;
	return rc;
}

void sw_fs_abort(struct sw_fs_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		end_quietly(f->s[i], f->st[i]);
	f->n = 0;
	f->active = 0;
}

/* The path of x without an archive member ("outer.jar!inner" -> "outer.jar"). */
static size_t outer_len(const char *path)
{
	const char *bang = strchr(path, '!');
	return bang ? (size_t)(bang - path) : strlen(path);
}

void sw_fs_hardlink(const struct sw_file_scanner *const *sc, size_t nsc, const struct sw_entry *e,
		    struct sw_layer_result *res)
{
	if (!nsc || !e->link)
		return;
	unsigned mode = (e->mode & ~(unsigned)S_IFMT) | S_IFREG;
	for (size_t i = 0; i < nsc; i++)
		if (sc[i]->wants(sc[i]->self, e->path, mode, e->size) &&
		    !sc[i]->wants(sc[i]->self, e->link, mode, e->size))
			sw_vec_push(&res->warnings,
				    sw_xasprintf("%s: hard link to '%s', which the %s scanner did not read; "
						 "not scanned", e->path, e->link, sc[i]->name));
	size_t ll = strlen(e->link), n = res->file_findings.len;
	for (size_t k = 0; k < n; k++) {
		const struct sw_file_finding *x = res->file_findings.items[k];
		if (!x->path || outer_len(x->path) != ll || strncmp(x->path, e->link, ll) != 0)
			continue;
		struct sw_file_finding *d = sw_file_finding_dup(x);
		free(d->path);
		d->path = sw_xasprintf("%s%s", e->path, x->path + ll);
		sw_vec_push(&res->file_findings, d);
	}
}

/* ---- the merge ---- */

static bool vec_has(const struct sw_vec *v, const char *key, size_t n)
{
	for (size_t i = 0; i < v->len; i++) {
		const char *p = v->items[i];
		if (strncmp(p, key, n) == 0 && !p[n])
			return true;
	}
	return false;
}

/* Does layer r delete or replace the lower file at path[0..n)?  Whiteouts of
 * the path or a parent, an opaque parent, an entry at the path (a new file,
 * a link, a directory), a non-directory at a parent (build.c's merge
 * applies the same rules, OCI layer.md). */
static bool layer_removes(const struct sw_layer_result *r, const char *path, size_t n)
{
	if (vec_has(&r->whiteouts, "", 0) || vec_has(&r->opaques, "", 0))
		return true;
	if (vec_has(&r->whiteouts, path, n) || sw_lr_pathset_has(&r->nondirs, path, n) ||
	    sw_lr_pathset_has(&r->dirs, path, n))
		return true;
	for (size_t i = n; i-- > 0;) {
		if (path[i] != '/')
			continue;
		if (vec_has(&r->whiteouts, path, i) || vec_has(&r->opaques, path, i) ||
		    sw_lr_pathset_has(&r->nondirs, path, i))
			return true;
	}
	return false;
}

static int cmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int finding_order(const void *x, const void *y)
{
	const struct sw_file_finding *a = x, *b = y;
	if (a->layer != b->layer)
		return a->layer < b->layer ? -1 : 1;
	int r = cmp_null(a->path, b->path);
	if (r)
		return r;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if ((r = cmp_null(a->scanner, b->scanner)) || (r = cmp_null(a->rule_id, b->rule_id)))
		return r;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((r = cmp_null(a->match, b->match)))
		return r;
	return cmp_null(a->detail, b->detail);
}

void sw_fs_sort(struct sw_vec *findings)
{
	sw_vec_sort(findings, finding_order);
}

void sw_fs_merge(const struct sw_layer_result *results, size_t n, struct sw_vec *out)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < results[i].file_findings.len; k++) {
			struct sw_file_finding *f = sw_file_finding_dup(results[i].file_findings.items[k]);
			f->layer = (int)i;
			f->removed_in = -1;
			free(f->suppressed);
			f->suppressed = NULL;
			size_t pl = f->path ? outer_len(f->path) : 0;
			for (size_t j = i + 1; f->path && j < n; j++)
				if (layer_removes(&results[j], f->path, pl)) {
					f->removed_in = (int)j;
					break;
				}
			sw_vec_push(out, f);
		}
	}
	sw_fs_sort(out);
}

/* ---- caches ---- */

void sw_fs_key_text(struct sw_buf *b, const struct sw_file_scanner *const *sc, size_t nsc)
{
	for (size_t i = 0; i < nsc; i++)
		sw_buf_addf(b, "scanner %s %s %llu %d\n", sc[i]->name,
			    sc[i]->fingerprint ? sc[i]->fingerprint : "", (unsigned long long)sc[i]->max_size,
			    sc[i]->whole ? 1 : 0);
}

void sw_fs_put_findings(struct sw_buf *b, const struct sw_vec *v)
{
	sw_cache_put_u32(b, (uint32_t)v->len);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		sw_cache_put_str(b, f->scanner);
		sw_cache_put_str(b, f->rule_id);
		sw_cache_put_str(b, f->category);
		sw_cache_put_str(b, f->title);
		sw_cache_put_u32(b, (uint32_t)f->severity);
		sw_cache_put_str(b, f->path);
		sw_cache_put_u32(b, (uint32_t)f->layer);
		sw_cache_put_u32(b, (uint32_t)f->removed_in);
		sw_cache_put_u32(b, (uint32_t)f->offset);
		sw_cache_put_u32(b, (uint32_t)(f->offset >> 32));
		sw_cache_put_u32(b, f->line);
		sw_cache_put_str(b, f->match);
		sw_cache_put_str(b, f->detail);
	}
}

/* The static name of a content scanner. */
static const char *scanner_name(const char *s)
{
	static const char *const names[] = { "secret", "malware" };
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return NULL;
}

void sw_fs_get_findings(struct sw_cache_rd *r, struct sw_vec *v)
{
	/* a finding is at least 13 u32 */
	size_t n = sw_cache_get_count(r, 52);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *sc = sw_cache_get_req_str(r);
		const char *name = scanner_name(sc);
		free(sc);
		if (!r->bad && !name)
			sw_cache_rd_fail(r, "unknown content scanner");
		struct sw_file_finding *f = sw_file_finding_new(name ? name : "secret");
		f->rule_id = sw_cache_get_str(r);
		f->category = sw_cache_get_str(r);
		f->title = sw_cache_get_str(r);
		uint32_t sev = sw_cache_get_u32(r);
		if (sev > SW_SEV_CRITICAL)
			sw_cache_rd_fail(r, "bad severity");
		f->severity = (enum sw_severity_level)(sev <= SW_SEV_CRITICAL ? sev : 0);
		f->path = sw_cache_get_str(r);
		f->layer = (int)(int32_t)sw_cache_get_u32(r);
		f->removed_in = (int)(int32_t)sw_cache_get_u32(r);
		uint64_t lo = sw_cache_get_u32(r), hi = sw_cache_get_u32(r);
		f->offset = lo | hi << 32;
		f->line = sw_cache_get_u32(r);
		f->match = sw_cache_get_str(r);
		f->detail = sw_cache_get_str(r);
		sw_vec_push(v, f);
	}
}
