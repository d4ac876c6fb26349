/*
 * fsfacts.h - file-system facts for the image checks, collected in the one
 * layer pass (issue 13; checks/ decides from them, docs/checks.md).
 *
 * For each layer, the pass (build.c) hands every entry to
 * sw_fsfacts_on_entry() and every regular file to sw_fsfacts_read_content()
 * (inside analyze_file(), so a file read whole for an analyzer is read once).
 * They record, in the layer result (struct sw_layer_result.fs, cached with
 * it):
 *   - SW_FS_SETID: a non-directory with the setuid or setgid bit;
 *   - SW_FS_WORLD_WRITABLE: a regular file (or hard link) writable by
 *     others, or a directory writable by others without the sticky bit;
 *   - SW_FS_CONTENT: the small files read whole (at most
 *     SW_FS_CONTENT_MAX bytes; a larger one is recorded without content and
 *     with why_not): etc/passwd, etc/shadow, etc/group, etc/apt/sources.list,
 *     etc/apt/sources.list.d/ *.list and *.sources, etc/apt/apt.conf,
 *     etc/apt/apt.conf.d/ *, etc/yum.conf, etc/dnf/dnf.conf,
 *     etc/yum.repos.d/ *.repo, etc/apk/repositories;
 *   - SW_FS_CACHE: each file of a package-manager cache (the list in
 *     sw_fsfacts_cache_label()).
 *
 * sw_fsfacts_merge() replays the layers bottom-up with the merge's rules: a
 * fact at P disappears when a later layer deletes P (a whiteout of P or of
 * a directory above it, an opaque directory above it), replaces it (a
 * non-directory at a directory above P), or has an entry at P itself (that
 * entry's own facts, if any, take over: a setuid file rewritten without the
 * bit, a world-writable directory listed again with a safe mode).  The
 * merged facts are one record per path with the layer it comes from;
 * cache files are summed per cache (path = the cache's directory, count
 * and size).  sw_fsfacts_finish() then names the OS package owning each
 * setuid/setgid file (from the packages' file lists, which serve only this
 * and language-package ownership during the merge) and notes the content
 * files reached through a symlink.  The result is kept in the built
 * inventory (struct sw_inventory.fs) and in the image cache.
 *
 * Ownership: records own their strings; release a vector of them with
 * sw_fs_recs_release(), a struct sw_fs_facts with sw_fs_facts_release().
 */
#ifndef SW_INVENTORY_FSFACTS_H
#define SW_INVENTORY_FSFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/map.h"
#include "util/vec.h"

#define SW_FS_CONTENT_MAX ((size_t)1 << 20)
/* at most this much content per layer; later files are recorded "not read" */
#define SW_FS_CONTENT_LAYER_MAX ((size_t)32 << 20)

enum sw_fs_kind {
	SW_FS_SETID = 1 << 0,
	SW_FS_WORLD_WRITABLE = 1 << 1,
	SW_FS_CONTENT = 1 << 2,
	SW_FS_CACHE = 1 << 3,
};

struct sw_fs_rec {
	char *path;           /* image path, no leading '/' (merged cache: the cache's directory) */
	unsigned kinds;       /* enum sw_fs_kind bits */
	unsigned type;        /* enum sw_entry_type */
	unsigned mode;        /* permission and type bits */
	long long uid, gid;   /* -1: unknown */
	char *uname, *gname;  /* from the tar header, or NULL */
	uint64_t size;        /* bytes (merged cache: of all its files) */
	uint64_t count;       /* merged cache: files; else 0 */
	char *content;        /* SW_FS_CONTENT: the bytes, NUL-terminated (NULs inside possible), or NULL */
	size_t content_len;
	char *why_not;        /* SW_FS_CONTENT without content: why */
	int layer;            /* merged: the layer it comes from; -1 in a layer result */
	char *pkg;            /* merged SW_FS_SETID: "TYPE:NAME VERSION" of the owning OS package, or NULL */
};

struct sw_fs_facts {
	bool collected;       /* from the layer pass (or a cache of it); false for an SBOM */
	struct sw_vec recs;   /* struct sw_fs_rec*, sorted by path */
};

/* ---- the layer pass ---- */

/* Whether path is one of the small files read whole (see above). */
bool sw_fsfacts_wants_content(const char *path);
struct sw_layer_result;
/* Record e's setid, world-writable and cache facts in res->fs (struct
 * sw_fs_rec*).  A hard link to a content file of the same layer copies
 * that file's content. */
void sw_fsfacts_on_entry(struct sw_layer_result *res, const struct sw_entry *e);
/* For a regular file: if it is a content file, record its content.  When
 * *loaded, content already holds the whole file (read for the OS
 * detector); else the file is read whole into content (reset first) and
 * *loaded set, so the analyzers get the same bytes.  A file over
 * SW_FS_CONTENT_MAX, or beyond the layer's SW_FS_CONTENT_LAYER_MAX, is
 * recorded without content and not read.  Returns 0,
 * or < 0 on a read error (err set). */
int sw_fsfacts_read_content(struct sw_layer_result *res, const struct sw_entry *e, struct sw_entry_reader *rd,
			    struct sw_buf *content, bool *loaded, struct sw_err *err);

/* ---- merge ---- */

/* Merge n layer results (bottom first) into out (empty), as described above. */
void sw_fsfacts_merge(struct sw_fs_facts *out, const struct sw_layer_result *results, size_t n);
/* owner: image path -> struct sw_package* (borrowed: the OS package whose
 * file list names it); links: image path -> resolved target (char*), the
 * merged symlinks. */
void sw_fsfacts_finish(struct sw_fs_facts *f, const struct sw_map *owner, const struct sw_map *links);

/* The cache a merged SW_FS_CACHE record stands for ("apt package archives
 * and package caches (*.deb, *.bin)"), or NULL for another path. */
const char *sw_fsfacts_cache_label(const char *path);
/* The merged record at path, or NULL (f may be NULL). */
const struct sw_fs_rec *sw_fs_facts_get(const struct sw_fs_facts *f, const char *path);

/* ---- records, caches ---- */

struct sw_fs_rec *sw_fs_rec_dup(const struct sw_fs_rec *r);
void sw_fs_rec_free(void *r);
void sw_fs_recs_release(struct sw_vec *recs);
void sw_fs_facts_release(struct sw_fs_facts *f);

struct sw_cache_rd;
/* Append recs to out / read them back (cache.h encoding; a count, then per
 * record: str path, u32 kinds, type, mode, u32 uid lo/hi, gid lo/hi, str
 * uname, gname, u32 size lo/hi, count lo/hi, bytes content (u32 length,
 * 0xffffffff = none), str why_not, u32 layer, str pkg). */
void sw_fsfacts_encode(struct sw_buf *out, const struct sw_vec *recs);
void sw_fsfacts_decode(struct sw_cache_rd *r, struct sw_vec *recs);

#endif
