/*
 * build.c - the layer pass and the merge.
 *
 * Each layer is walked once.  Its result (struct sw_layer_result) records
 * what the analyzers found in it, its whiteouts, opaque directories and
 * links; results do not depend on other layers, so layers can be walked in
 * any order or in parallel, and they are cached by diff_id
 * (layer_cache.h): a layer found in the cache is not read at all.
 *
 * The merge then replays the results bottom-up over a map of image path ->
 * what was found there, applying opaque directories and whiteouts before
 * the layer's own files.  A package keeps the layer that introduced its
 * current version: when a database file is rewritten by a later layer, a
 * package whose (key, version) was already in the previous copy keeps the
 * older layer.
 *
 * Before any of that, the finished inventory of the whole image is looked
 * up in the image cache (image_cache.h); a hit skips the layer pass and
 * the merge.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/analyzers.h"
#include "inventory/cache.h"
#include "inventory/filescan_pass.h"
#include "inventory/fsfacts.h"
#include "inventory/image_cache.h"
#include "inventory/inventory.h"
#include "inventory/layer_cache.h"
#include "inventory/osdetect.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/path.h"

#define OS_ANALYZER SW_LAYER_OS_ANALYZER

/* ---- the layer pass ---- */

/* dir: files are read into this much scratch per read for streaming */
#define STREAM_SCRATCH ((size_t)256 << 10)

struct walk_ctx {
	struct sw_layer_result *res;
	bool paths;                /* record res->dirs and res->nondirs */
	struct sw_map held;        /* path -> struct held*: files whose analyzer has a companion */
	struct sw_map comps;       /* path -> struct held*: the companion of the file at path */
	struct sw_buf content;     /* a file read whole */
	uint8_t *scratch;          /* STREAM_SCRATCH bytes, allocated on first use */
	const char *layer_name;
	const struct sw_file_scanner *const *sc;   /* content scanners (filescan_pass.h) */
	size_t nsc;
	const struct sw_inventory_opts *opts;      /* for cancelled(), or NULL */
	unsigned files;                            /* entries seen, for the cancel check */
};

#define CANCEL_EVERY 64

static bool is_cancelled(const struct sw_inventory_opts *o)
{
	return o && o->cancelled && o->cancelled(o->cancel_ctx);
}

/* A whole file kept until the end of the layer walk (analyzer.h companions). */
struct held {
	const struct sw_analyzer *a;
	uint8_t *data;
	size_t len;
};

static void held_free(void *v)
{
	struct held *h = v;
	if (h)
		free(h->data);
	free(h);
}

static void hold(struct sw_map *m, const char *path, const struct sw_analyzer *a, const void *data,
		 size_t len)
{
	struct held *h = sw_xcalloc(1, sizeof(*h));
	h->a = a;
	h->data = sw_xmalloc(len ? len : 1);
	if (len)
		memcpy(h->data, data, len);
	h->len = len;
	held_free(sw_map_put(m, path, h));
}

static struct sw_lr_found *find_found(struct sw_layer_result *r, const char *path, const char *analyzer)
{
	for (size_t i = r->found.len; i-- > 0;) {
		struct sw_lr_found *f = r->found.items[i];
		if (strcmp(f->path, path) == 0 && strcmp(f->analyzer, analyzer) == 0)
			return f;
	}
	return NULL;
}

static struct sw_lr_found *found_new(struct sw_layer_result *r, const char *path, const char *analyzer)
{
	struct sw_lr_found *f = sw_xcalloc(1, sizeof(*f));
	f->path = sw_xstrdup(path);
	f->analyzer = analyzer;
	sw_vec_push(&r->found, f);
	return f;
}

/* Read the entry's content straight into b (sized once from the header: no
 * intermediate copy, no regrowth). */
static int read_content(struct sw_buf *b, const struct sw_entry *e, struct sw_entry_reader *rd,
			uint64_t max, struct sw_err *err)
{
	sw_buf_reset(b);
	if (!sw_buf_grow(b, (size_t)(e->size < max ? e->size : max) + 1))
		return sw_err_set(err, SW_E_NOMEM, "'%s': out of memory", e->path);
	for (;;) {
		if (b->len + 1 >= b->cap && !sw_buf_grow(b, 65536))
			return sw_err_set(err, SW_E_NOMEM, "'%s': out of memory", e->path);
		ssize_t n = sw_entry_read(rd, b->data + b->len, b->cap - b->len - 1, err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > max)
			return sw_err_set(err, SW_E_LIMIT, "'%s' is larger than %llu bytes", e->path,
					  (unsigned long long)max);
	}
	return 0;
}

/* Feed the entry's content, block by block as the reader hands it out
 * (no copy), to the streaming analyzers' states; stop reading when all of
 * them want no more.  Every state is ended, also on error. */
static int stream_content(struct walk_ctx *w, const struct sw_entry *e, struct sw_entry_reader *rd,
			  const struct sw_analyzer **an, struct sw_lr_found **found, size_t n,
			  struct sw_fs_file *fs, struct sw_err *err)
{
	void *st[32];
	bool done[32];
	size_t active = n;
	for (size_t i = 0; i < n; i++) {
		st[i] = an[i]->begin(e->path, e->size);
		done[i] = false;
	}
	int rc = 0;
	if (!w->scratch)
		w->scratch = sw_xmalloc(STREAM_SCRATCH);
	while (active || sw_fs_active(fs)) {
		const void *blk;
		ssize_t got = sw_entry_read_block(rd, w->scratch, STREAM_SCRATCH, &blk, err);
		if (got < 0) {
			rc = (int)got;
			break;
		}
		if (got == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (!done[i] && an[i]->feed(st[i], blk, (size_t)got)) {
				done[i] = true;
				active--;
			}
		sw_fs_feed(fs, blk, (size_t)got);
	}
	for (size_t i = 0; i < n; i++) {
		if (rc < 0) {
			struct sw_pkglist drop = SW_PKGLIST_INIT;
			(void)an[i]->end(st[i], &drop, NULL);
			sw_pkglist_release(&drop);
		} else if (an[i]->end(st[i], &found[i]->res, err) < 0) {
			rc = sw_err_wrap(err, "%s analyzer on '%s'", an[i]->name, e->path);
			for (size_t k = i + 1; k < n; k++) {
				struct sw_pkglist drop = SW_PKGLIST_INIT;
				(void)an[k]->end(st[k], &drop, NULL);
				sw_pkglist_release(&drop);
			}
			break;
		}
	}
	return rc;
}

static int analyze_file(struct walk_ctx *w, const struct sw_entry *e, struct sw_entry_reader *rd,
			struct sw_err *err)
{
	const struct sw_analyzer *const *an = sw_analyzers_all();
	bool loaded = false;
	if (sw_osdetect_wants(e->path)) {
		sw_buf_reset(&w->content);
		if (e->size <= SW_OSDETECT_MAX_SIZE) {
			if (read_content(&w->content, e, rd, SW_OSDETECT_MAX_SIZE, err) < 0)
				return -1;
			loaded = true;
			struct sw_lr_found *f = found_new(w->res, e->path, OS_ANALYZER);
			f->content = sw_xstrndup(w->content.data, w->content.len);
		}
	}
	if (sw_fsfacts_read_content(w->res, e, rd, &w->content, &loaded, err) < 0)
		return -1;
	/* which analyzers read it; the entry is recorded for each, even when
	 * nothing is found: it replaces what a lower layer had at this path */
	const struct sw_analyzer *run[32];
	struct sw_lr_found *run_f[32];
	size_t nrun = 0;
	uint64_t whole_max = 0;
	for (size_t i = 0; an[i] && nrun < 32; i++) {
		const struct sw_analyzer *a = an[i];
		if (!a->wants(e->path, e->mode, e->size))
			continue;
		struct sw_lr_found *f = found_new(w->res, e->path, a->name);
		if (e->size > a->max_size) {
			sw_pkglist_warn(&f->res, "%s: %llu bytes is over the %s analyzer's limit; not read",
					e->path, (unsigned long long)e->size, a->name);
			continue;
		}
		if (a->parse && !whole_max)
			whole_max = a->max_size;
		run[nrun] = a;
		run_f[nrun++] = f;
	}
	/* the content scanners see the same read */
	struct sw_fs_file fs = { .n = 0 };
	if (w->nsc && sw_fs_begin(&fs, w->sc, w->nsc, e, w->res, err) < 0)
		return -1;
	if (!nrun && !fs.n)
		return 0;
	if (whole_max || loaded || fs.whole_max) {
		/* someone needs the whole file in memory: streaming analyzers get
		 * it as one chunk */
		if (fs.whole_max > whole_max)
			whole_max = fs.whole_max;
		if (!loaded && read_content(&w->content, e, rd, whole_max, err) < 0) {
			sw_fs_abort(&fs);
			return -1;
		}
		for (size_t i = 0; i < nrun; i++) {
			if (sw_analyzer_run_mem(run[i], e->path, (const uint8_t *)w->content.data, w->content.len,
						0, &run_f[i]->res, err) < 0) {
				sw_fs_abort(&fs);
				return sw_err_wrap(err, "%s analyzer on '%s'", run[i]->name, e->path);
			}
			if (run[i]->companion_suffix && run[i]->parse_with)
				hold(&w->held, e->path, run[i], w->content.data, w->content.len);
		}
		sw_fs_feed_whole(&fs, (const uint8_t *)w->content.data, w->content.len);
	} else if (stream_content(w, e, rd, run, run_f, nrun, &fs, err) < 0) {
		sw_fs_abort(&fs);
		return -1;
	}
	if (sw_fs_end(&fs, w->res, err) < 0)
		return -1;
	for (size_t i = 0; i < nrun; i++) {
		struct sw_pkglist *l = &run_f[i]->res;
		for (size_t k = 0; k < l->pkgs.len; k++) {
			struct sw_package *p = l->pkgs.items[k];
			if (!p->path)
				p->path = sw_xstrdup(e->path);
		}
	}
	return 0;
}

/* A hard link: the content is that of an earlier member of this layer.
 * Reuse what was found there, under the new path. */
static void analyze_hardlink(struct walk_ctx *w, const struct sw_entry *e)
{
	const struct sw_analyzer *const *an = sw_analyzers_all();
	sw_fs_hardlink(w->sc, w->nsc, e, w->res);
	bool wanted = sw_osdetect_wants(e->path);
	for (size_t i = 0; an[i] && !wanted; i++)
		wanted = an[i]->wants(e->path, e->mode, e->size);
	if (!wanted)
		return;
	/* as a link in the merged view, so lookups and whiteouts treat it right */
	struct sw_lr_link *l = sw_xcalloc(1, sizeof(*l));
	l->path = sw_xstrdup(e->path);
	l->target = sw_xstrdup(e->link);
	sw_vec_push(&w->res->links, l);
	bool any = false;
	for (size_t i = 0; an[i]; i++) {
		const struct sw_analyzer *a = an[i];
		if (!a->wants(e->path, e->mode, e->size))
			continue;
		struct sw_lr_found *src = find_found(w->res, e->link, a->name);
		if (!src)
			continue;
		any = true;
		struct sw_lr_found *f = found_new(w->res, e->path, a->name);
		for (size_t k = 0; k < src->res.pkgs.len; k++) {
			struct sw_package *p = sw_package_dup(src->res.pkgs.items[k]);
			sw_str_set(&p->path, e->path);
			sw_vec_push(&f->res.pkgs, p);
		}
	}
	if (!any && !sw_osdetect_wants(e->path))
		sw_vec_push(&w->res->warnings,
			    sw_xasprintf("%s: hard link to '%s', which no analyzer read; not analysed",
					 e->path, e->link));
}

/* The content scanners over a file already read whole into w->content
 * (those that want more than was read are told so in a warning). */
static int scan_whole(struct walk_ctx *w, const struct sw_entry *e, struct sw_err *err)
{
	struct sw_fs_file fs = { .n = 0 };
	if (sw_fs_begin(&fs, w->sc, w->nsc, e, w->res, err) < 0)
		return -1;
	sw_fs_feed_whole(&fs, (const uint8_t *)w->content.data, w->content.len);
	return sw_fs_end(&fs, w->res, err);
}

/* A companion file (analyzer.h): kept whole for the end of the walk.
 * Returns 1 if e was one, 0 if not, < 0 on a read error. */
static int take_companion(struct walk_ctx *w, const struct sw_entry *e, struct sw_entry_reader *rd,
			  struct sw_err *err)
{
	const struct sw_analyzer *const *an = sw_analyzers_all();
	size_t n = strlen(e->path);
	for (size_t i = 0; an[i]; i++) {
		const struct sw_analyzer *a = an[i];
		if (!a->companion_suffix || !a->parse_with)
			continue;
		size_t sl = strlen(a->companion_suffix);
		if (n <= sl || strcmp(e->path + n - sl, a->companion_suffix) != 0)
			continue;
		char *base = sw_xstrndup(e->path, n - sl);
		if (!a->wants(base, e->mode, 0)) {
			free(base);
			continue;
		}
		int rc = 1;
		if (e->size > a->max_size)
			sw_vec_push(&w->res->warnings,
				    sw_xasprintf("%s: %llu bytes is over the %s analyzer's limit; not read",
						 e->path, (unsigned long long)e->size, a->name));
		else if (read_content(&w->content, e, rd, a->max_size, err) < 0)
			rc = -1;
		else {
			hold(&w->comps, base, a, w->content.data, w->content.len);
			if (w->nsc && scan_whole(w, e, err) < 0)
				rc = -1;
		}
		free(base);
		return rc;
	}
	return 0;
}

/* After the walk: a file and its companion from this layer are read
 * together (what parse() found alone is replaced); a companion without its
 * file is named in a warning (its file is in another layer, or absent). */
static int apply_companions(struct walk_ctx *w, struct sw_err *err)
{
	const char *path;
	void *v;
	size_t it = 0;
	while (sw_map_next(&w->comps, &it, &path, &v)) {
		const struct held *c = v;
		const struct held *h = sw_map_get(&w->held, path);
		struct sw_lr_found *f = h ? find_found(w->res, path, c->a->name) : NULL;
		if (!f) {
			if (c->len)
				sw_vec_push(&w->res->warnings,
					    sw_xasprintf("%s%s: not read: the %s analyzer reads it only "
							 "with '%s' from the same layer",
							 path, c->a->companion_suffix, c->a->name, path));
			continue;
		}
		if (!c->len)
			continue; /* an empty companion changes nothing: parse() read it all */
		sw_pkglist_release(&f->res);
		f->res = (struct sw_pkglist)SW_PKGLIST_INIT;
		if (c->a->parse_with(path, h->data, h->len, c->data, c->len, &f->res, err) < 0)
			return sw_err_wrap(err, "%s analyzer on '%s'", c->a->name, path);
		for (size_t k = 0; k < f->res.pkgs.len; k++) {
			struct sw_package *p = f->res.pkgs.items[k];
			if (!p->path)
				p->path = sw_xstrdup(path);
		}
	}
	return 0;
}

static int on_entry(void *ctx, const struct sw_entry *e, struct sw_entry_reader *rd,
		    struct sw_err *err)
{
	struct walk_ctx *w = ctx;
	if (++w->files % CANCEL_EVERY == 0 && is_cancelled(w->opts))
		return sw_err_set(err, SW_E_CANCELLED, "cancelled");
	sw_fsfacts_on_entry(w->res, e);
	if (w->paths && e->type != SW_ENT_WHITEOUT && e->type != SW_ENT_OPAQUE)
		sw_vec_push_strdup(e->type == SW_ENT_DIR ? &w->res->dirs : &w->res->nondirs, e->path);
	switch (e->type) {
	case SW_ENT_WHITEOUT:
		sw_vec_push_strdup(&w->res->whiteouts, e->path);
		break;
	case SW_ENT_OPAQUE:
		sw_vec_push_strdup(&w->res->opaques, e->path);
		break;
	case SW_ENT_SYMLINK: {
		struct sw_lr_link *l = sw_xcalloc(1, sizeof(*l));
		l->path = sw_xstrdup(e->path);
		l->target = sw_path_resolve_link(e->path, e->link ? e->link : "");
		sw_vec_push(&w->res->links, l);
		break;
	}
	case SW_ENT_HARDLINK:
		analyze_hardlink(w, e);
		break;
	case SW_ENT_FILE: {
		int c = take_companion(w, e, rd, err);
		return c ? (c < 0 ? c : 0) : analyze_file(w, e, rd, err);
	}
	default:
		break;
	}
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort a vector of owned strings and drop repeats. */
static void sort_unique(struct sw_vec *v)
{
	if (v->len < 2)
		return;
	qsort(v->items, v->len, sizeof(void *), cmp_strp);
	size_t o = 1;
	for (size_t i = 1; i < v->len; i++) {
		if (strcmp(v->items[i], v->items[o - 1]) == 0)
			free(v->items[i]);
		else
			v->items[o++] = v->items[i];
	}
	v->len = o;
}

static int scan_layer(struct sw_image *img, size_t idx, const struct sw_inventory_opts *opts,
		      struct sw_layer_result *res, struct sw_err *err)
{
	/* the path sets serve only layers above this one: a lone layer without
	 * a diff_id (dir:, never cached) needs none */
	const struct sw_image_info *in = sw_image_get_info(img);
	const struct sw_layer_desc *d = in->layers.items[idx];
	struct walk_ctx w = { .res = res, .paths = in->layers.len > 1 || (d->diff_id && *d->diff_id),
			      .sc = opts ? opts->scanners : NULL, .nsc = opts ? opts->nscanners : 0, .opts = opts };
	sw_buf_init(&w.content, 0);
	w.held = (struct sw_map)SW_MAP_INIT;
	w.comps = (struct sw_map)SW_MAP_INIT;
	int r = sw_image_walk_layer(img, idx, on_entry, &w, err);
	if (r == 0)
		r = apply_companions(&w, err);
	sw_map_free_all(&w.held, held_free);
	sw_map_free_all(&w.comps, held_free);
	sort_unique(&res->dirs);
	sort_unique(&res->nondirs);
	sw_buf_release(&w.content);
	free(w.scratch);
	return r;
}

/* ---- the merge ---- */

struct tracked {
	int layer;
	const struct sw_lr_found *found;   /* borrowed from a layer result */
	struct sw_vec pkgs;          /* owned copies with layer_index set */
};

static void tracked_free(void *v)
{
	struct tracked *t = v;
	if (!t)
		return;
	sw_vec_free_all(&t->pkgs, sw_package_free_v);
	free(t);
}

/* Everything found at one image path: one tracked entry per analyzer. */
struct slot {
	struct sw_vec tracked;   /* struct tracked* */
};

static void slot_free(void *v)
{
	struct slot *s = v;
	if (!s)
		return;
	sw_vec_free_all(&s->tracked, tracked_free);
	free(s);
}

static struct tracked *slot_get(const struct slot *s, const char *analyzer)
{
	for (size_t i = 0; s && i < s->tracked.len; i++) {
		struct tracked *t = s->tracked.items[i];
		if (strcmp(t->found->analyzer, analyzer) == 0)
			return t;
	}
	return NULL;
}

struct merged {
	struct sw_map files;   /* path -> struct slot* */
	struct sw_map links;   /* path -> char* target */
};

/* Is key deleted by this layer's whiteouts (the path and all under it) or
 * opaque directories (all under it, not the directory itself)?  One lookup
 * per ancestor of key, so a layer costs O(paths x depth), not
 * O(paths x whiteouts). */
static bool is_deleted(const struct sw_map *wh, const struct sw_map *op, const char *key,
		       struct sw_buf *tmp)
{
	if (sw_map_has(wh, "") || sw_map_has(op, "") || sw_map_has(wh, key))
		return true;
	sw_buf_reset(tmp);
	sw_buf_addstr(tmp, key);
	if (!sw_buf_ok(tmp))
		return false;
	for (size_t i = tmp->len; i-- > 0;) {
		if (tmp->data[i] != '/')
			continue;
		tmp->data[i] = '\0';
		if (sw_map_has(wh, tmp->data) || sw_map_has(op, tmp->data))
			return true;
	}
	return false;
}

/* Remove the paths in doomed (owned strings, freed here; the vector is
 * empty after) from m's files (links: false) or links (links: true). */
static void drop_paths(struct merged *m, bool links, struct sw_vec *doomed)
{
	for (size_t i = 0; i < doomed->len; i++) {
		void *v = sw_map_del(links ? &m->links : &m->files, doomed->items[i]);
		if (links)
			free(v);
		else
			slot_free(v);
	}
	sw_vec_free_strings(doomed);
}

static void apply_deletions(struct merged *m, const struct sw_layer_result *r)
{
	if (!r->opaques.len && !r->whiteouts.len)
		return;
	struct sw_map wh = SW_MAP_INIT, op = SW_MAP_INIT;
	for (size_t i = 0; i < r->whiteouts.len; i++)
		sw_map_put(&wh, r->whiteouts.items[i], NULL);
	for (size_t i = 0; i < r->opaques.len; i++)
		sw_map_put(&op, r->opaques.items[i], NULL);
	struct sw_buf tmp = SW_BUF_INIT;
	struct sw_vec doomed = SW_VEC_INIT;
	for (int k = 0; k < 2; k++) {
		const char *key;
		size_t it = 0;
		while (sw_map_next(k ? &m->links : &m->files, &it, &key, NULL))
			if (is_deleted(&wh, &op, key, &tmp))
				sw_vec_push_strdup(&doomed, key);
		drop_paths(m, k, &doomed);
	}
	sw_buf_release(&tmp);
	sw_map_release(&wh);
	sw_map_release(&op);
}

/* ---- replacements: OCI layer.md "Changeset over existing files" ----
 *
 * An entry of a layer at a path a lower layer also has replaces it unless
 * both are directories: a non-directory at P hides everything lower layers
 * had under P/ (the directory is unlinked first), and a directory at P
 * hides a lower non-directory P (a symlink in particular: lower files
 * reached through it are no longer at those paths).
 *
 * Every path the merge tracks (analyzed files and symlinks of lower
 * layers) is checked against the layer's path sets: one running FNV-1a
 * hash over the path, each proper prefix looked up in a hash set of the
 * layer's non-directories, a hit confirmed by exact search in the sorted
 * vector.  O(length) per tracked path, whatever its depth; the hash basis
 * is random per process, so a layer cannot aim collisions at a prefix. */

struct u64set {
	uint64_t *slots; /* 0 = empty (a hash of 0 is stored as 1) */
	size_t cap;
};

static uint64_t path_hash(const char *s)
{
	uint64_t h = sw_fnv_basis();
	for (; *s; s++)
		h = sw_fnv_add(h, (unsigned char)*s);
	return h ? h : 1;
}

static void u64set_init(struct u64set *set, size_t n)
{
	set->cap = 16;
	while (set->cap < n * 2)
		set->cap <<= 1;
	set->slots = sw_xcalloc(set->cap, sizeof(uint64_t));
}

static void u64set_add(struct u64set *set, uint64_t h)
{
	for (size_t i = (size_t)h & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (set->slots[i] == h)
			return;
		if (!set->slots[i]) {
			set->slots[i] = h;
			return;
		}
	}
}

static bool u64set_has(const struct u64set *set, uint64_t h)
{
	for (size_t i = (size_t)h & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (set->slots[i] == h)
			return true;
		if (!set->slots[i])
			return false;
	}
}

/* Does layer r replace the lower path key (see above)? */
static bool is_replaced(const struct sw_layer_result *r, const struct u64set *nondir, const char *key)
{
	if (r->dirs.len && sw_lr_pathset_has(&r->dirs, key, strlen(key)))
		return true;
	if (!r->nondirs.len)
		return false;
	uint64_t h = sw_fnv_basis();
	for (size_t i = 0; key[i]; i++) {
		if (key[i] == '/' && u64set_has(nondir, h ? h : 1) && sw_lr_pathset_has(&r->nondirs, key, i))
			return true;
		h = sw_fnv_add(h, (unsigned char)key[i]);
	}
	return false;
}

static void apply_replacements(struct merged *m, const struct sw_layer_result *r)
{
	if (!r->dirs.len && !r->nondirs.len)
		return;
	if (!m->files.len && !m->links.len)
		return;
	struct u64set nondir;
	u64set_init(&nondir, r->nondirs.len);
	for (size_t i = 0; i < r->nondirs.len; i++)
		u64set_add(&nondir, path_hash(r->nondirs.items[i]));
	struct sw_vec doomed = SW_VEC_INIT;
	for (int k = 0; k < 2; k++) {
		const char *key;
		size_t it = 0;
		while (sw_map_next(k ? &m->links : &m->files, &it, &key, NULL))
			if (is_replaced(r, &nondir, key))
				sw_vec_push_strdup(&doomed, key);
		drop_paths(m, k, &doomed);
	}
	free(nondir.slots);
}

static bool same_pkg(const struct sw_package *a, const struct sw_package *b)
{
	if (!sw_streq(a->name, b->name) || !sw_streq(a->type, b->type))
		return false;
	if ((a->namespace_ || b->namespace_) && !sw_streq(a->namespace_, b->namespace_))
		return false;
	if ((a->arch || b->arch) && !sw_streq(a->arch, b->arch))
		return false;
	return sw_streq(a->version, b->version) && a->epoch == b->epoch;
}

static void merge_layer(struct merged *m, const struct sw_layer_result *r, int layer)
{
	apply_deletions(m, r);
	apply_replacements(m, r);
	/* Paths this layer writes replace lower ones.  Take the old slots out
	 * first: a rewritten database keeps older packages' layers. */
	struct sw_map old = SW_MAP_INIT;
	for (size_t i = 0; i < r->found.len; i++) {
		const struct sw_lr_found *f = r->found.items[i];
		struct slot *s = sw_map_del(&m->files, f->path);
		if (s)
			slot_free(sw_map_put(&old, f->path, s));
		free(sw_map_del(&m->links, f->path));
	}
	for (size_t i = 0; i < r->links.len; i++) {
		const struct sw_lr_link *l = r->links.items[i];
		slot_free(sw_map_del(&m->files, l->path));
		free(sw_map_put(&m->links, l->path, sw_xstrdup(l->target)));
	}
	for (size_t i = 0; i < r->found.len; i++) {
		const struct sw_lr_found *f = r->found.items[i];
		const struct tracked *prev = slot_get(sw_map_get(&old, f->path), f->analyzer);
		struct tracked *t = sw_xcalloc(1, sizeof(*t));
		t->layer = layer;
		t->found = f;
		for (size_t k = 0; k < f->res.pkgs.len; k++) {
			struct sw_package *p = sw_package_dup(f->res.pkgs.items[k]);
			p->layer_index = layer;
			for (size_t j = 0; prev && j < prev->pkgs.len; j++) {
				const struct sw_package *q = prev->pkgs.items[j];
				if (same_pkg(p, q)) {
					p->layer_index = q->layer_index;
					break;
				}
			}
			sw_vec_push(&t->pkgs, p);
		}
		struct slot *s = sw_map_get(&m->files, f->path);
		if (!s) {
			s = sw_xcalloc(1, sizeof(*s));
			sw_map_put(&m->files, f->path, s);
		}
		struct tracked *dup = slot_get(s, f->analyzer);
		if (dup) {
			/* the same path twice in one layer: the later one wins */
			for (size_t j = 0; j < s->tracked.len; j++)
				if (s->tracked.items[j] == dup)
					s->tracked.items[j] = t;
			tracked_free(dup);
		} else {
			sw_vec_push(&s->tracked, t);
		}
	}
	sw_map_free_all(&old, slot_free);
}

/* Resolve symlinks in any component of path, inside the image root. */
static char *resolve_path(const struct merged *m, const char *path)
{
	char *cur = sw_xstrdup(path);
	for (int hops = 0; hops < 40; hops++) {
		bool changed = false;
		size_t n = strlen(cur);
		for (size_t i = 1; i <= n; i++) {
			if (i < n && cur[i] != '/')
				continue;
			char save = cur[i];
			cur[i] = '\0';
			const char *target = sw_map_get(&m->links, cur);
			cur[i] = save;
			if (target) {
				char *next = i < n ? sw_xasprintf("%s%s%s", target, *target ? "/" : "", cur + i + 1)
						   : sw_xstrdup(target);
				free(cur);
				cur = next;
				changed = true;
				break;
			}
		}
		if (!changed)
			return cur;
	}
	free(cur);
	return NULL;   /* a loop */
}

static const char *read_release(void *ctx, const char *path)
{
	const struct merged *m = ctx;
	char *real = resolve_path(m, path);
	if (!real)
		return NULL;
	const struct tracked *t = slot_get(sw_map_get(&m->files, real), OS_ANALYZER);
	free(real);
	return t && t->found->content ? t->found->content : NULL;
}

static int type_rank(const char *type)
{
	static const char *const os_types[] = { "deb", "apk", "rpm" };
	for (size_t i = 0; i < 3; i++)
		if (strcmp(type, os_types[i]) == 0)
			return 0;
	return 1;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int pkg_order(const void *x, const void *y)
{
	const struct sw_package *a = x, *b = y;
	int r = type_rank(a->type) - type_rank(b->type);
	if (!r)
		r = cmp_str(a->type, b->type);
	if (!r)
		r = cmp_str(a->namespace_, b->namespace_);
	if (!r)
		r = cmp_str(a->name, b->name);
	if (!r)
		r = cmp_str(a->version, b->version);
	if (!r)
		r = cmp_str(a->arch, b->arch);
	if (!r)
		r = cmp_str(a->path, b->path);
	return r;
}

static int str_order(const void *x, const void *y)
{
	return strcmp(x, y);
}

static bool is_os_type(const char *type)
{
	return type_rank(type) == 0;
}

/* Whether analyzer `name` calls the file at path its package database. */
static bool is_database(const char *name, const char *path)
{
	const struct sw_analyzer *a = sw_analyzer_by_name(name);
	return a && a->database && a->database(path);
}

/* Move t's packages into the inventory; file-list pseudo-packages go to
 * lists.  A package database with warnings makes the inventory incomplete. */
static void collect(struct sw_inventory *inv, const char *path, struct tracked *t,
		    struct sw_vec *lists)
{
	bool db = t->found->res.warnings.len && is_database(t->found->analyzer, path);
	for (size_t i = 0; i < t->found->res.warnings.len; i++) {
		sw_vec_push_strdup(&inv->warnings, t->found->res.warnings.items[i]);
		if (db)
			sw_vec_push_strdup(&inv->incomplete, t->found->res.warnings.items[i]);
	}
	for (size_t i = 0; i < t->pkgs.len; i++) {
		struct sw_package *p = t->pkgs.items[i];
		if (p->flags & SW_PKG_FILES_ONLY) {
			sw_vec_push(lists, p);
			continue;
		}
		t->pkgs.items[i] = NULL;
		sw_vec_push(&inv->packages, p);
	}
}

static void finish(struct sw_inventory *inv, struct merged *m, struct sw_layer_result *results)
{
	sw_osdetect_run(&inv->os, read_release, m);
	if (inv->os.id == NULL)
		sw_vec_push(&inv->warnings, sw_xstrdup("no operating system detected (no os-release or release file)"));

	/* collect packages and dpkg file lists */
	struct sw_vec lists = SW_VEC_INIT;  /* borrowed FILES_ONLY packages */
	const char *k;
	void *v;
	size_t it = 0;
	bool dpkg_status = false, dpkg_status_d = false;
	while (sw_map_next(&m->files, &it, &k, &v)) {
		struct slot *s = v;
		for (size_t ti = 0; ti < s->tracked.len; ti++) {
			struct tracked *t = s->tracked.items[ti];
			if (sw_starts_with(k, "var/lib/dpkg/status.d/"))
				dpkg_status_d |= t->pkgs.len > 0;
			else if (strcmp(k, "var/lib/dpkg/status") == 0)
				dpkg_status = true;
			collect(inv, k, t, &lists);
		}
	}
	if (dpkg_status_d && !dpkg_status)
		inv->os.distroless = true;

	/* file ownership: dpkg lists attach to their package (borrowed, not
	 * copied: a built inventory keeps no file lists) */
	size_t np = inv->packages.len;
	const struct sw_vec **owns = sw_xcalloc(np ? np : 1, sizeof(*owns));
	struct sw_map by_name = SW_MAP_INIT;   /* "name:arch" and "name" -> index + 1 */
	for (size_t i = 0; i < np; i++) {
		struct sw_package *p = inv->packages.items[i];
		owns[i] = &p->files;
		if (sw_streq(p->type, "deb")) {
			char *key = sw_xasprintf("%s:%s", p->name, p->arch ? p->arch : "");
			sw_map_put(&by_name, key, (void *)(uintptr_t)(i + 1));
			free(key);
			if (!sw_map_has(&by_name, p->name))
				sw_map_put(&by_name, p->name, (void *)(uintptr_t)(i + 1));
		}
	}
	for (size_t i = 0; i < lists.len; i++) {
		struct sw_package *l = lists.items[i];
		char *key = l->arch ? sw_xasprintf("%s:%s", l->name, l->arch) : sw_xstrdup(l->name);
		uintptr_t at = (uintptr_t)sw_map_get(&by_name, key);
		free(key);
		if (at && !owns[at - 1]->len)
			owns[at - 1] = &l->files;
	}
	sw_map_release(&by_name);
	sw_vec_release(&lists);

	/* dpkg licences: usr/share/doc/NAME/copyright, through symlinked doc dirs */
	for (size_t i = 0; i < inv->packages.len; i++) {
		struct sw_package *p = inv->packages.items[i];
		if (!sw_streq(p->type, "deb") || p->licenses.len)
			continue;
		char *doc = sw_xasprintf("usr/share/doc/%s/copyright", p->name);
		char *real = resolve_path(m, doc);
		const struct tracked *t = real ? slot_get(sw_map_get(&m->files, real), "dpkg") : NULL;
		for (size_t q = 0; t && q < t->pkgs.len; q++) {
			const struct sw_package *l = t->pkgs.items[q];
			if (!l || !(l->flags & SW_PKG_FILES_ONLY))
				continue;
			for (size_t j = 0; j < l->licenses.len; j++)
				sw_vec_push_strdup(&p->licenses, l->licenses.items[j]);
		}
		free(real);
		free(doc);
	}

	/* language packages owned by an OS package */
	struct sw_map owner = SW_MAP_INIT;     /* file path -> OS package */
	for (size_t i = 0; i < np; i++) {
		struct sw_package *p = inv->packages.items[i];
		if (!is_os_type(p->type))
			continue;
		for (size_t f = 0; f < owns[i]->len; f++)
			if (!sw_map_has(&owner, owns[i]->items[f]))
				sw_map_put(&owner, owns[i]->items[f], p);
	}
	for (size_t i = 0; i < np; i++) {
		struct sw_package *p = inv->packages.items[i];
		if (is_os_type(p->type) || !p->path || p->owner)
			continue;
		struct sw_package *o = sw_map_get(&owner, p->path);
		if (o)
			p->owner = sw_xasprintf("%s:%s", o->type, o->name);
	}
	sw_fsfacts_finish(&inv->fs, &owner, &m->links);
	sw_map_release(&owner);
	free(owns);
	for (size_t i = 0; i < np; i++)
		sw_vec_free_strings(&((struct sw_package *)inv->packages.items[i])->files);

	/* layer facts, purls, order */
	for (size_t i = 0; i < inv->packages.len; i++) {
		struct sw_package *p = inv->packages.items[i];
		if (p->layer_index >= 0 && (size_t)p->layer_index < inv->layers.len) {
			const struct sw_inv_layer *l = inv->layers.items[p->layer_index];
			sw_str_set(&p->layer_diff_id, l->diff_id);
			sw_str_set(&p->layer_created_by, l->created_by);
		}
		free(p->purl);
		p->purl = sw_purl_for_package(p, &inv->os);
	}
	sw_vec_sort(&inv->packages, pkg_order);
	sw_vec_sort(&inv->incomplete, str_order);   /* the map's order is not stable */
	for (size_t i = 0; results && i < inv->layers.len; i++)
		for (size_t w = 0; w < results[i].warnings.len; w++)
			sw_vec_push_strdup(&inv->warnings, results[i].warnings.items[w]);
}

static void copy_image_facts(struct sw_inventory *inv, const struct sw_image_info *info)
{
	inv->transport = sw_xstrdup(info->transport);
	inv->reference = sw_xstrdup(info->reference);
	inv->manifest_digest = sw_xstrdup(info->manifest_digest);
	inv->config_digest = sw_xstrdup(info->config_digest);
	inv->architecture = sw_xstrdup(info->architecture);
	inv->image_os = sw_xstrdup(info->os);
	for (size_t i = 0; i < info->repo_tags.len; i++)
		sw_vec_push_strdup(&inv->repo_tags, info->repo_tags.items[i]);
	for (size_t i = 0; i < info->layers.len; i++) {
		const struct sw_layer_desc *d = info->layers.items[i];
		struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
		l->index = (int)i;
		l->digest = sw_xstrdup(d->digest);
		l->diff_id = sw_xstrdup(d->diff_id);
		l->created_by = sw_xstrdup(d->created_by);
		l->size = d->size;
		sw_vec_push(&inv->layers, l);
	}
}

struct pass {
	struct sw_image *img;
	const struct sw_inventory_opts *opts;
	struct sw_layer_result *results;
	struct sw_err *errs;     /* one per layer */
	int *rcs;
	size_t n;
	atomic_size_t next;
	atomic_bool failed;
	pthread_mutex_t lock;    /* progress */
	size_t done;
	const char *cache_dir;   /* NULL: no cache */
	atomic_uint cached, read;
	size_t *order;           /* layer indexes, largest blob first */
	char **keys;             /* each layer's cache key, or NULL (no cache, no diff_id) */
};

/* One layer: from the cache when it is there, else read (and cached). */
static int do_layer(struct pass *p, size_t i, struct sw_err *err)
{
	const char *key = p->keys[i];
	if (key) {
		struct sw_err miss = SW_ERR_INIT;   /* a miss or a bad entry: read the layer */
		if (sw_layer_cache_load(p->cache_dir, key, &p->results[i], &miss) == 1) {
			atomic_fetch_add(&p->cached, 1);
			return 0;
		}
	}
	int r = scan_layer(p->img, i, p->opts, &p->results[i], err);
	if (r == 0) {
		atomic_fetch_add(&p->read, 1);
		if (key) {
			struct sw_err serr = SW_ERR_INIT;   /* a cache that cannot be written is not an error */
			(void)sw_layer_cache_store(p->cache_dir, key, &p->results[i], &serr);
		}
	}
	return r;
}

static void *pass_worker(void *arg)
{
	struct pass *p = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&p->next, 1);
		if (k >= p->n || atomic_load(&p->failed))
			break;
		size_t i = p->order[k];
		if (is_cancelled(p->opts)) {
			p->rcs[i] = sw_err_set(&p->errs[i], SW_E_CANCELLED, "cancelled");
			atomic_store(&p->failed, true);
			break;
		}
		p->rcs[i] = do_layer(p, i, &p->errs[i]);
		if (p->rcs[i] < 0)
			atomic_store(&p->failed, true);
		if (p->opts && p->opts->progress) {
			pthread_mutex_lock(&p->lock);
			p->done++;
			p->opts->progress(p->opts->progress_ctx, p->done, p->n);
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

static unsigned pass_threads(const struct sw_inventory_opts *opts, size_t n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned t = opts && opts->threads ? opts->threads : (unsigned)(cores > 0 ? cores : 1);
	if (t > 8 && !(opts && opts->threads))
		t = 8;
	/* STOWAWAY_THREADS=N (1..64) overrides the default, for benchmarks */
	const char *env = getenv("STOWAWAY_THREADS");
	if (env && !(opts && opts->threads)) {
		char *end = NULL;
		long v = strtol(env, &end, 10);
		if (end && end != env && *end == '\0' && v >= 1 && v <= 64)
			t = (unsigned)v;
	}
	if (t > n)
		t = (unsigned)n;
	return t ? t : 1;
}

/* Walk every layer once, in parallel; the first failing layer's error wins.
 * Workers take the largest layers first (longest job first keeps the last
 * worker from starting a big layer when the others are done). */
static int run_pass(struct sw_image *img, const struct sw_inventory_opts *opts,
		    const char *cache_dir, struct sw_layer_result *results, size_t n,
		    struct sw_inventory *inv, struct sw_err *err)
{
	struct pass p = { .img = img, .opts = opts, .results = results, .n = n, .cache_dir = cache_dir };
	atomic_init(&p.cached, 0);
	atomic_init(&p.read, 0);
	p.order = sw_xcalloc(n ? n : 1, sizeof(*p.order));
	const struct sw_vec *layers = &sw_image_get_info(img)->layers;
	for (size_t i = 0; i < n; i++) {   /* insertion sort, stable: a few dozen layers */
		uint64_t sz = ((const struct sw_layer_desc *)layers->items[i])->size;
		size_t j = i;
		for (; j > 0; j--) {
			const struct sw_layer_desc *prev = layers->items[p.order[j - 1]];
			if (prev->size >= sz)
				break;
			p.order[j] = p.order[j - 1];
		}
		p.order[j] = i;
	}
	p.errs = sw_xcalloc(n ? n : 1, sizeof(*p.errs));
	p.rcs = sw_xcalloc(n ? n : 1, sizeof(*p.rcs));
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, false);
	pthread_mutex_init(&p.lock, NULL);
	/* Layers to read (not in the cache) fewer than the threads the machine
	 * gives us: each reading thread gets a second one for the digests. */
	p.keys = sw_xcalloc(n ? n : 1, sizeof(*p.keys));
	size_t to_read = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sw_layer_desc *d = layers->items[i];
		p.keys[i] = cache_dir ? sw_layer_cache_key_for(d->diff_id, opts->scanners, opts->nscanners)
				      : NULL;
		if (!p.keys[i] || !sw_layer_cache_has(cache_dir, p.keys[i]))
			to_read++;
	}
	unsigned nt = pass_threads(opts, n);
	unsigned budget = pass_threads(opts, SIZE_MAX);
	sw_image_set_async_digests(img, to_read > 0 && 2 * to_read <= budget);
	pthread_t *tids = sw_xcalloc(nt, sizeof(*tids));
	unsigned started = 0;
	for (unsigned t = 1; t < nt; t++)
		if (pthread_create(&tids[t], NULL, pass_worker, &p) == 0)
			started = t;
		else
			break;
	pass_worker(&p);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tids[t], NULL);
	int r = 0;
	for (size_t i = 0; i < n; i++)
		if (p.rcs[i] < 0) {
			if (err)
				*err = p.errs[i];
			r = p.rcs[i];
			break;
		}
	inv->layers_cached = atomic_load(&p.cached);
	inv->layers_read = atomic_load(&p.read);
	pthread_mutex_destroy(&p.lock);
	free(tids);
	free(p.errs);
	free(p.rcs);
	free(p.order);
	for (size_t i = 0; i < n; i++)
		free(p.keys[i]);
	free(p.keys);
	return r;
}

/* The layer results (bottom first) into inv. */
static void merge_all(struct sw_inventory *inv, struct merged *m, struct sw_layer_result *results, size_t n)
{
	for (size_t i = 0; i < n; i++)
		merge_layer(m, &results[i], (int)i);
	sw_fsfacts_merge(&inv->fs, results, n);
	finish(inv, m, results);
	sw_fs_merge(results, n, &inv->file_findings);
}

int sw_inventory_build(struct sw_image *img, const struct sw_inventory_opts *opts,
		       struct sw_inventory **out, struct sw_err *err)
{
	const struct sw_image_info *info = sw_image_get_info(img);
	size_t n = info->layers.len;
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	copy_image_facts(inv, info);
	(void)sw_analyzers_all();   /* built before the workers start */
	char *root = NULL, *layer_dir = NULL, *image_dir = NULL, *image_key = NULL;
	if (opts && !opts->no_cache) {
		root = opts->cache_dir ? sw_xstrdup(opts->cache_dir) : sw_cache_default_root();
		layer_dir = sw_xasprintf("%s/layers", root);
		image_key = sw_image_cache_key_for(info, opts->scanners, opts->nscanners);
		if (image_key)
			image_dir = sw_xasprintf("%s/images", root);
	}
	if (image_key) {
		struct sw_err miss = SW_ERR_INIT;   /* a miss or a bad entry: build it */
		int h = sw_image_cache_load(image_dir, image_key, inv, &miss);
		inv->image_cache = h == 1 ? SW_INV_CACHE_HIT : h == 0 ? SW_INV_CACHE_MISS : SW_INV_CACHE_BAD;
	}
	struct sw_layer_result *results = NULL;
	struct merged m = { SW_MAP_INIT, SW_MAP_INIT };
	int r = 0;
	if (inv->image_cache == SW_INV_CACHE_HIT)
		goto out;
	results = sw_xcalloc(n ? n : 1, sizeof(*results));
	r = run_pass(img, opts, layer_dir, results, n, inv, err);
	if (r < 0)
		goto out;
	merge_all(inv, &m, results, n);
	if (image_key) {
		struct sw_err serr = SW_ERR_INIT;   /* a cache that cannot be written is not an error */
		(void)sw_image_cache_store(image_dir, image_key, inv, &serr);
	}
out:
	sw_map_free_all(&m.files, slot_free);
	sw_map_free_all(&m.links, free);
	for (size_t i = 0; results && i < n; i++)
		sw_layer_result_release(&results[i]);
	free(results);
	free(root);
	free(layer_dir);
	free(image_dir);
	free(image_key);
	if (r < 0) {
		sw_inventory_free(inv);
		return r;
	}
	*out = inv;
	return 0;
}

/* ---- an archive read as a stream (sw_inventory_build_stream) ----
 *
 * Each blob that may be a layer gets a walk context and a result as it
 * starts; its entries go through on_entry as for a layer read from a file,
 * and its end applies the companions.  The image then says which blob is
 * which layer; the results are merged in that order (a blob two layers
 * share is merged twice: the merge only reads results). */

struct sblob {
	struct walk_ctx w;           /* first: the blob context handed out */
	struct sw_layer_result res;
	int rc;                      /* the end's companions failed: < 0, err */
	struct sw_err err;
};

struct sbuild {
	const struct sw_inventory_opts *opts;
	struct sw_vec blobs;         /* struct sblob* */
	unsigned read;
};

static void *sb_begin(void *ctx, const char *member)
{
	struct sbuild *sb = ctx;
	struct sblob *b = sw_xcalloc(1, sizeof(*b));
	b->w.res = &b->res;
	b->w.paths = true;
	b->w.sc = sb->opts ? sb->opts->scanners : NULL;
	b->w.nsc = sb->opts ? sb->opts->nscanners : 0;
	b->w.opts = sb->opts;
	b->w.layer_name = NULL;
	sw_buf_init(&b->w.content, 0);
	b->w.held = (struct sw_map)SW_MAP_INIT;
	b->w.comps = (struct sw_map)SW_MAP_INIT;
	b->err = (struct sw_err)SW_ERR_INIT;
	(void)member;
	sw_vec_push(&sb->blobs, b);
	return &b->w;
}

static void sb_end(void *ctx, void *blob, bool ok)
{
	struct sbuild *sb = ctx;
	struct sblob *b = blob;
	if (ok) {
		b->rc = apply_companions(&b->w, &b->err);
		sb->read++;
	}
	sw_map_free_all(&b->w.held, held_free);
	sw_map_free_all(&b->w.comps, held_free);
	sort_unique(&b->res.dirs);
	sort_unique(&b->res.nondirs);
	sw_buf_release(&b->w.content);
	free(b->w.scratch);
	b->w.scratch = NULL;
}

int sw_inventory_build_stream(sw_read_fn rd, void *rctx, const char *name, const struct sw_image_opts *iopts,
			      const struct sw_inventory_opts *opts, struct sw_image **img_out,
			      struct sw_inventory **out, struct sw_err *err)
{
	(void)sw_analyzers_all();
	struct sbuild sb = { .opts = opts, .blobs = SW_VEC_INIT };
	static const struct sw_stream_blob_ops ops = { sb_begin, on_entry, sb_end };
	struct sw_image *img = NULL;
	struct sw_inventory *inv = NULL;
	struct sw_layer_result *results = NULL;
	struct merged m = { SW_MAP_INIT, SW_MAP_INIT };
	int r = sw_image_open_stream(rd, rctx, name, iopts, &ops, &sb, &img, err);
	if (r < 0)
		goto out;
	const struct sw_image_info *info = sw_image_get_info(img);
	size_t n = info->layers.len;
	results = sw_xcalloc(n ? n : 1, sizeof(*results));
	for (size_t i = 0; i < n; i++) {
		struct sblob *b = sw_image_stream_blob(img, i);
		if (!b) {
			r = sw_err_set(err, SW_E_INTERNAL, "'%s': layer %zu was not read", name, i + 1);
			goto out;
		}
		if (b->rc < 0) {
			if (err)
				*err = b->err;
			r = b->rc;
			goto out;
		}
		results[i] = b->res;   /* shallow: the blob keeps it (merge_all only reads) */
	}
	inv = sw_xcalloc(1, sizeof(*inv));
	copy_image_facts(inv, info);
	inv->layers_read = sb.read;
	merge_all(inv, &m, results, n);
out:
	sw_map_free_all(&m.files, slot_free);
	sw_map_free_all(&m.links, free);
	free(results);
	for (size_t i = 0; i < sb.blobs.len; i++) {
		struct sblob *b = sb.blobs.items[i];
		sw_layer_result_release(&b->res);
		free(b);
	}
	sw_vec_release(&sb.blobs);
	if (r < 0) {
		sw_image_close(img);
		sw_inventory_free(inv);
		return r;
	}
	*img_out = img;
	*out = inv;
	return 0;
}
