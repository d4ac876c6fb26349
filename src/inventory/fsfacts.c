/*
 * fsfacts.c - file-system facts for the image checks: the collector in the
 * layer pass, the merge, the cache encoding (fsfacts.h).
 */
#include "inventory/fsfacts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inventory/cache.h"
#include "inventory/layer_cache.h"
#include "inventory/package.h"
#include "util/mem.h"

/* ---- what is collected ---- */

static const char *const content_exact[] = {
	"etc/passwd", "etc/shadow", "etc/group", "etc/apt/sources.list", "etc/apt/apt.conf",
	"etc/yum.conf", "etc/dnf/dnf.conf", "etc/apk/repositories", NULL,
};

/* A file directly in dir (no deeper), whose name ends in suffix ("" any). */
static bool direct_child(const char *path, const char *dir, const char *suffix)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) != 0 || path[n] != '/' || !path[n + 1] || strchr(path + n + 1, '/'))
		return false;
	return !*suffix || sw_ends_with(path + n + 1, suffix);
}

bool sw_fsfacts_wants_content(const char *path)
{
	if (path[0] != 'e' || strncmp(path, "etc/", 4) != 0)
		return false;
	for (size_t i = 0; content_exact[i]; i++)
		if (strcmp(path, content_exact[i]) == 0)
			return true;
	return direct_child(path, "etc/apt/sources.list.d", ".list") ||
	       direct_child(path, "etc/apt/sources.list.d", ".sources") ||
	       direct_child(path, "etc/apt/apt.conf.d", "") || direct_child(path, "etc/yum.repos.d", ".repo");
}

/* Package-manager caches (docs/checks.md, SW-CFG-003). */
static const struct cache_def {
	const char *dir;
	const char *label;
	const char *suffix1, *suffix2;   /* files counted: ending in one of these; NULL = every file */
	const char *skip;                /* a basename not counted */
} caches[] = {
	{ "var/cache/apt", "apt package archives and caches (*.deb, *.bin)", ".deb", ".bin", NULL },
	{ "var/lib/apt/lists", "apt package lists", NULL, NULL, "lock" },
	{ "var/cache/apk", "apk cache", NULL, NULL, NULL },
	{ "var/cache/yum", "yum cache", NULL, NULL, NULL },
	{ "var/cache/dnf", "dnf cache", NULL, NULL, NULL },
	{ "var/cache/zypp", "zypper cache", NULL, NULL, NULL },
	{ "root/.cache/pip", "pip cache", NULL, NULL, NULL },
	{ "root/.npm", "npm cache", NULL, NULL, NULL },
	{ "root/.cache/yarn", "yarn cache", NULL, NULL, NULL },
	{ "usr/local/share/.cache/yarn", "yarn cache", NULL, NULL, NULL },
	{ "root/.cache/go-build", "Go build cache", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cache_def *cache_of(const char *path)
{
	if (path[0] != 'v' && path[0] != 'r' && path[0] != 'u')
		return NULL;
	for (const struct cache_def *c = caches; c->dir; c++) {
		size_t n = strlen(c->dir);
		if (strncmp(path, c->dir, n) != 0 || path[n] != '/')
			continue;
		const char *base = strrchr(path, '/') + 1;
		if (c->skip && strcmp(base, c->skip) == 0)
			return NULL;
		if (c->suffix1 && !sw_ends_with(base, c->suffix1) && !(c->suffix2 && sw_ends_with(base, c->suffix2)))
			return NULL;
		return c;
	}
	return NULL;
}

const char *sw_fsfacts_cache_label(const char *path)
{
	for (const struct cache_def *c = caches; c->dir; c++)
		if (strcmp(path, c->dir) == 0)
			return c->label;
	return NULL;
}

/* ---- records ---- */

void sw_fs_rec_free(void *v)
{
	struct sw_fs_rec *r = v;
	if (!r)
		return;
	free(r->path);
	free(r->uname);
	free(r->gname);
	free(r->content);
	free(r->why_not);
	free(r->pkg);
	free(r);
}

void sw_fs_recs_release(struct sw_vec *recs)
{
	sw_vec_free_all(recs, sw_fs_rec_free);
}

void sw_fs_facts_release(struct sw_fs_facts *f)
{
	if (!f)
		return;
	sw_fs_recs_release(&f->recs);
	f->collected = false;
}

static char *dup_bytes(const char *p, size_t n)
{
	char *s = sw_xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct sw_fs_rec *sw_fs_rec_dup(const struct sw_fs_rec *r)
{
	struct sw_fs_rec *d = sw_xcalloc(1, sizeof(*d));
	*d = *r;
	d->path = sw_xstrdup(r->path);
	d->uname = sw_xstrdup(r->uname);
	d->gname = sw_xstrdup(r->gname);
	d->content = r->content ? dup_bytes(r->content, r->content_len) : NULL;
	d->why_not = sw_xstrdup(r->why_not);
	d->pkg = sw_xstrdup(r->pkg);
	return d;
}

const struct sw_fs_rec *sw_fs_facts_get(const struct sw_fs_facts *f, const char *path)
{
	if (!f)
		return NULL;
	size_t lo = 0, hi = f->recs.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sw_fs_rec *r = f->recs.items[mid];
		int c = strcmp(r->path, path);
		if (c == 0)
			return r;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The record for e's path: the last one of this layer when it is the same
 * path (one entry gives one record), else a new one. */
static struct sw_fs_rec *rec_for(struct sw_vec *recs, const struct sw_entry *e)
{
	if (recs->len) {
		struct sw_fs_rec *last = recs->items[recs->len - 1];
		if (strcmp(last->path, e->path) == 0)
			return last;
	}
	struct sw_fs_rec *r = sw_xcalloc(1, sizeof(*r));
	r->path = sw_xstrdup(e->path);
	r->type = (unsigned)e->type;
	r->mode = e->mode;
	r->uid = e->uid;
	r->gid = e->gid;
	r->uname = e->uname && *e->uname ? sw_xstrdup(e->uname) : NULL;
	r->gname = e->gname && *e->gname ? sw_xstrdup(e->gname) : NULL;
	r->size = e->size;
	r->layer = -1;
	sw_vec_push(recs, r);
	return r;
}

/* ---- the layer pass ---- */

void sw_fsfacts_on_entry(struct sw_layer_result *res, const struct sw_entry *e)
{
	struct sw_vec *recs = &res->fs;
	unsigned kinds = 0;
	switch (e->type) {
	case SW_ENT_FILE:
	case SW_ENT_HARDLINK:
		if (e->mode & (S_ISUID | S_ISGID))
			kinds |= SW_FS_SETID;
		if (e->mode & S_IWOTH)
			kinds |= SW_FS_WORLD_WRITABLE;
		if (e->type == SW_ENT_FILE && cache_of(e->path))
			kinds |= SW_FS_CACHE;
		break;
	case SW_ENT_DIR:
		if ((e->mode & S_IWOTH) && !(e->mode & S_ISVTX))
			kinds |= SW_FS_WORLD_WRITABLE;
		break;
	case SW_ENT_OTHER:
		/* devices and FIFOs: setuid/setgid only */
		if (e->mode & (S_ISUID | S_ISGID))
			kinds |= SW_FS_SETID;
		break;
	default:
		break;
	}
	const struct sw_fs_rec *src = NULL;
	if (e->type == SW_ENT_HARDLINK && e->link && sw_fsfacts_wants_content(e->path)) {
		for (size_t i = recs->len; i-- > 0 && !src;) {
			const struct sw_fs_rec *r = recs->items[i];
			if ((r->kinds & SW_FS_CONTENT) && strcmp(r->path, e->link) == 0)
				src = r;
		}
		kinds |= SW_FS_CONTENT;
	}
	if (!kinds)
		return;
	struct sw_fs_rec *r = rec_for(recs, e);
	r->kinds |= kinds;
	if (kinds & SW_FS_CONTENT) {
		if (src && src->content && res->fs_content + src->content_len <= SW_FS_CONTENT_LAYER_MAX) {
			r->content = dup_bytes(src->content, src->content_len);
			r->content_len = src->content_len;
			r->size = src->content_len;
			res->fs_content += src->content_len;
		} else {
			free(r->why_not);
			r->why_not = src && src->why_not ? sw_xstrdup(src->why_not)
							 : sw_xasprintf("a hard link to '%s', which this layer did not read", e->link);
		}
	}
}

int sw_fsfacts_read_content(struct sw_layer_result *res, const struct sw_entry *e, struct sw_entry_reader *rd,
			    struct sw_buf *content, bool *loaded, struct sw_err *err)
{
	if (e->type != SW_ENT_FILE || !sw_fsfacts_wants_content(e->path))
		return 0;
	struct sw_fs_rec *r = rec_for(&res->fs, e);
	r->kinds |= SW_FS_CONTENT;
	if (res->fs_content + (e->size < SW_FS_CONTENT_MAX ? e->size : SW_FS_CONTENT_MAX) > SW_FS_CONTENT_LAYER_MAX) {
		free(r->why_not);
		r->why_not = sw_xasprintf("not read: this layer's %zu bytes for such files are used up",
					  SW_FS_CONTENT_LAYER_MAX);
		return 0;
	}
	if (!*loaded && e->size > SW_FS_CONTENT_MAX) {
		free(r->why_not);
		r->why_not = sw_xasprintf("%llu bytes, over the %zu-byte limit: not read",
					  (unsigned long long)e->size, SW_FS_CONTENT_MAX);
		return 0;
	}
	if (!*loaded) {
		sw_buf_reset(content);
		if (sw_entry_read_all(rd, SW_FS_CONTENT_MAX, content, err) < 0)
			return sw_err_wrap(err, "'%s'", e->path);
		*loaded = true;
	}
	if (content->len > SW_FS_CONTENT_MAX) {   /* loaded by someone with a larger limit */
		free(r->why_not);
		r->why_not = sw_xasprintf("%zu bytes, over the %zu-byte limit: not read", content->len,
					  SW_FS_CONTENT_MAX);
		return 0;
	}
	free(r->content);
	r->content = dup_bytes(content->data ? content->data : "", content->len);
	r->content_len = content->len;
	r->size = content->len;
	res->fs_content += content->len;
	return 0;
}

/* ---- merge ---- */

/* Does layer r delete, replace or re-list the lower path key? */
static bool superseded(const struct sw_layer_result *r, const struct sw_map *wh, const struct sw_map *op,
		       const char *key)
{
	size_t n = strlen(key);
	if (sw_map_has(wh, "") || sw_map_has(op, "") || sw_map_has(wh, key))
		return true;
	if (sw_lr_pathset_has(&r->dirs, key, n) || sw_lr_pathset_has(&r->nondirs, key, n))
		return true;
	char *tmp = sw_xstrdup(key);
	bool gone = false;
	for (size_t i = n; i-- > 0 && !gone;) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		gone = sw_map_has(wh, tmp) || sw_map_has(op, tmp) || sw_lr_pathset_has(&r->nondirs, tmp, i);
	}
	free(tmp);
	return gone;
}

struct mrec {
	const struct sw_fs_rec *r;   /* borrowed from a layer result */
	int layer;
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct sw_fs_rec *)a)->path, ((const struct sw_fs_rec *)b)->path);
}

void sw_fsfacts_merge(struct sw_fs_facts *out, const struct sw_layer_result *results, size_t n)
{
	struct sw_map cur = SW_MAP_INIT;   /* path -> struct mrec* */
	for (size_t j = 0; j < n; j++) {
		const struct sw_layer_result *R = &results[j];
		if (cur.len) {
			struct sw_map wh = SW_MAP_INIT, op = SW_MAP_INIT;
			for (size_t i = 0; i < R->whiteouts.len; i++)
				sw_map_put(&wh, R->whiteouts.items[i], NULL);
			for (size_t i = 0; i < R->opaques.len; i++)
				sw_map_put(&op, R->opaques.items[i], NULL);
			struct sw_vec doomed = SW_VEC_INIT;
			const char *key;
			size_t it = 0;
			while (sw_map_next(&cur, &it, &key, NULL))
				if (superseded(R, &wh, &op, key))
					sw_vec_push_strdup(&doomed, key);
			for (size_t i = 0; i < doomed.len; i++)
				free(sw_map_del(&cur, doomed.items[i]));
			sw_vec_free_strings(&doomed);
			sw_map_release(&wh);
			sw_map_release(&op);
		}
		for (size_t i = 0; i < R->fs.len; i++) {
			const struct sw_fs_rec *r = R->fs.items[i];
			struct mrec *m = sw_xcalloc(1, sizeof(*m));
			m->r = r;
			m->layer = (int)j;
			free(sw_map_put(&cur, r->path, m));
		}
	}
	/* one record per path; cache files summed per cache */
	struct sw_map sums = SW_MAP_INIT;      /* cache dir -> struct sw_fs_rec* */
	struct sw_map best = SW_MAP_INIT;      /* cache dir "#layer" -> bytes (uintptr_t) */
	const char *key;
	void *v;
	size_t it = 0;
	while (sw_map_next(&cur, &it, &key, &v)) {
		const struct mrec *m = v;
		unsigned kinds = m->r->kinds;
		if (kinds & SW_FS_CACHE) {
			const struct cache_def *c = cache_of(key);
			struct sw_fs_rec *s = c ? sw_map_get(&sums, c->dir) : NULL;
			if (c && !s) {
				s = sw_xcalloc(1, sizeof(*s));
				s->path = sw_xstrdup(c->dir);
				s->kinds = SW_FS_CACHE;
				s->type = SW_ENT_DIR;
				s->uid = s->gid = -1;
				s->layer = m->layer;
				sw_map_put(&sums, c->dir, s);
			}
			if (s) {
				s->count++;
				s->size += m->r->size;
				/* the layer that left the most bytes in it */
				char *bk = sw_xasprintf("%s#%d", c->dir, m->layer);
				uintptr_t b = (uintptr_t)sw_map_get(&best, bk) + (uintptr_t)m->r->size + 1;
				sw_map_put(&best, bk, (void *)b);
				free(bk);
				char *ck = sw_xasprintf("%s#%d", c->dir, s->layer);
				uintptr_t cb = (uintptr_t)sw_map_get(&best, ck);
				free(ck);
				if (b > cb || (b == cb && m->layer < s->layer))
					s->layer = m->layer;
			}
			kinds &= ~(unsigned)SW_FS_CACHE;
		}
		if (!kinds)
			continue;
		struct sw_fs_rec *d = sw_fs_rec_dup(m->r);
		d->kinds = kinds;
		d->layer = m->layer;
		sw_vec_push(&out->recs, d);
	}
	it = 0;
	while (sw_map_next(&sums, &it, &key, &v))
		sw_vec_push(&out->recs, v);
	sw_map_release(&sums);
	sw_map_release(&best);
	sw_map_free_all(&cur, free);
	sw_vec_sort(&out->recs, by_path);
	out->collected = true;
}

/* ---- finish: owners, content files behind symlinks ---- */

/* Resolve symlinks in any component of path through links; NULL on a loop. */
static char *resolve(const struct sw_map *links, const char *path)
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
			const char *target = sw_map_get(links, cur);
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
	return NULL;
}

static const struct sw_package *owner_of(const struct sw_map *owner, const struct sw_map *links,
					 const char *path)
{
	const struct sw_package *p = owner ? sw_map_get(owner, path) : NULL;
	if (p || !links)
		return p;
	/* the package may name it through a symlinked directory (bin -> usr/bin) */
	const char *l;
	void *t;
	size_t it = 0;
	while (!p && sw_map_next(links, &it, &l, &t)) {
		size_t tn = strlen(t);
		if (!tn || strncmp(path, t, tn) != 0 || path[tn] != '/')
			continue;
		char *alias = sw_xasprintf("%s%s", l, path + tn);
		p = sw_map_get(owner, alias);
		free(alias);
	}
	return p;
}

void sw_fsfacts_finish(struct sw_fs_facts *f, const struct sw_map *owner, const struct sw_map *links)
{
	for (size_t i = 0; i < f->recs.len; i++) {
		struct sw_fs_rec *r = f->recs.items[i];
		if (!(r->kinds & SW_FS_SETID))
			continue;
		const struct sw_package *p = owner_of(owner, links, r->path);
		if (p)
			r->pkg = sw_xasprintf("%s:%s%s%s", p->type, p->name ? p->name : "?", p->version ? " " : "",
					      p->version ? p->version : "");
	}
	/* etc/passwd & co. reached through a symlink: its target's content, or why not */
	bool added = false;
	for (size_t i = 0; links && content_exact[i]; i++) {
		const char *path = content_exact[i];
		if (sw_fs_facts_get(f, path))
			continue;
		char *real = resolve(links, path);
		if (real && strcmp(real, path) == 0) {
			free(real);
			continue;   /* simply absent */
		}
		const struct sw_fs_rec *t = real ? sw_fs_facts_get(f, real) : NULL;
		struct sw_fs_rec *d;
		if (t && (t->kinds & SW_FS_CONTENT)) {
			d = sw_fs_rec_dup(t);
			free(d->path);
			d->path = sw_xstrdup(path);
			d->kinds = SW_FS_CONTENT;
		} else {
			d = sw_xcalloc(1, sizeof(*d));
			d->path = sw_xstrdup(path);
			d->kinds = SW_FS_CONTENT;
			d->type = SW_ENT_SYMLINK;
			d->uid = d->gid = -1;
			d->layer = -1;
			d->why_not = real ? sw_xasprintf("a symlink to '%s', which was not read", real)
					  : sw_xstrdup("a symlink loop");
		}
		free(real);
		sw_vec_push(&f->recs, d);
		added = true;
	}
	if (added)
		sw_vec_sort(&f->recs, by_path);
}

/* ---- cache encoding ---- */

static void put_u64(struct sw_buf *b, uint64_t v)
{
	sw_cache_put_u32(b, (uint32_t)v);
	sw_cache_put_u32(b, (uint32_t)(v >> 32));
}

static uint64_t get_u64(struct sw_cache_rd *r)
{
	uint64_t lo = sw_cache_get_u32(r);
	uint64_t hi = sw_cache_get_u32(r);
	return lo | hi << 32;
}

#define NO_BYTES 0xffffffffu

void sw_fsfacts_encode(struct sw_buf *out, const struct sw_vec *recs)
{
	sw_cache_put_u32(out, (uint32_t)recs->len);
	for (size_t i = 0; i < recs->len; i++) {
		const struct sw_fs_rec *r = recs->items[i];
		sw_cache_put_str(out, r->path);
		sw_cache_put_u32(out, r->kinds);
		sw_cache_put_u32(out, r->type);
		sw_cache_put_u32(out, r->mode);
		put_u64(out, (uint64_t)r->uid);
		put_u64(out, (uint64_t)r->gid);
		sw_cache_put_str(out, r->uname);
		sw_cache_put_str(out, r->gname);
		put_u64(out, r->size);
		put_u64(out, r->count);
		if (!r->content || r->content_len >= NO_BYTES) {
			sw_cache_put_u32(out, NO_BYTES);
		} else {
			sw_cache_put_u32(out, (uint32_t)r->content_len);
			sw_buf_add(out, r->content, r->content_len);
		}
		sw_cache_put_str(out, r->why_not);
		sw_cache_put_u32(out, (uint32_t)r->layer);
		sw_cache_put_str(out, r->pkg);
	}
}

/* a record is at least 19 u32 */
#define MIN_REC 76

void sw_fsfacts_decode(struct sw_cache_rd *r, struct sw_vec *recs)
{
	size_t n = sw_cache_get_count(r, MIN_REC);
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct sw_fs_rec *x = sw_xcalloc(1, sizeof(*x));
		sw_vec_push(recs, x);
		x->path = sw_cache_get_req_str(r);
		x->kinds = sw_cache_get_u32(r);
		x->type = sw_cache_get_u32(r);
		x->mode = sw_cache_get_u32(r);
		x->uid = (long long)get_u64(r);
		x->gid = (long long)get_u64(r);
		x->uname = sw_cache_get_str(r);
		x->gname = sw_cache_get_str(r);
		x->size = get_u64(r);
		x->count = get_u64(r);
		uint32_t bl = sw_cache_get_u32(r);
		if (!r->bad && bl != NO_BYTES) {
			if (bl > r->left) {
				sw_cache_rd_fail(r, "content longer than the file");
			} else {
				x->content = dup_bytes((const char *)r->p, bl);
				x->content_len = bl;
				r->p += bl;
				r->left -= bl;
			}
		}
		x->why_not = sw_cache_get_str(r);
		x->layer = (int32_t)sw_cache_get_u32(r);
		x->pkg = sw_cache_get_str(r);
		if (!r->bad && (x->kinds & ~(unsigned)(SW_FS_SETID | SW_FS_WORLD_WRITABLE | SW_FS_CONTENT | SW_FS_CACHE)))
			sw_cache_rd_fail(r, "bad file fact kind");
	}
}
