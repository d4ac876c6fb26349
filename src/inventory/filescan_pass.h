/*
 * filescan_pass.h - the content scanners' side of the layer pass (build.c)
 * and of the caches (internal to inventory/).
 *
 * For one regular file of one layer, build.c calls
 *
 *   sw_fs_begin()      which scanners take it (wants(), max_size: a file over
 *                      a scanner's max_size is a layer warning), begin() each;
 *   sw_fs_feed()       every block the analyzers' stream reads (streaming
 *                      scanners only), while sw_fs_active();
 *   or sw_fs_feed_whole() once, when the file was read whole (someone needed
 *                      it whole: a parse analyzer, the OS detector, or a
 *                      `whole` scanner: f->whole_max says up to how much);
 *   sw_fs_end()        end() each: findings (path set when the scanner left
 *                      it NULL, layer -1) to res->file_findings, warnings to
 *                      res->warnings;  sw_fs_abort() instead on a read error.
 *
 * A hard link of the layer gets the findings of its target under its own
 * path (sw_fs_hardlink).  The layer index is not part of a layer result (the
 * same layer can sit at another index in another image): sw_fs_merge()
 * sets it, and removed_in from the later layers' whiteouts, opaque
 * directories and replacements (a later entry at the path or a non-directory
 * at one of its parents), and sorts.
 */
#ifndef SW_INVENTORY_FILESCAN_PASS_H
#define SW_INVENTORY_FILESCAN_PASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "inventory/cache.h"
#include "inventory/filescan.h"
#include "inventory/layer_cache.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

#define SW_FS_MAX 8   /* content scanners at once */

struct sw_fs_file {
	const char *path;           /* borrowed: the entry's */
	size_t n;
	const struct sw_file_scanner *s[SW_FS_MAX];
	void *st[SW_FS_MAX];
	bool done[SW_FS_MAX];
	size_t active;              /* streaming scanners still wanting bytes */
	uint64_t whole_max;         /* > 0: a `whole` scanner takes it; read it whole up to this */
};

/* Returns the number of scanners that took the file (f filled), or < 0
 * (SW_E_NOMEM) with every begun state ended. */
int sw_fs_begin(struct sw_fs_file *f, const struct sw_file_scanner *const *sc, size_t nsc,
		const struct sw_entry *e, struct sw_layer_result *res, struct sw_err *err);
static inline bool sw_fs_active(const struct sw_fs_file *f)
{
	return f->active > 0;
}
void sw_fs_feed(struct sw_fs_file *f, const uint8_t *data, size_t len);
void sw_fs_feed_whole(struct sw_fs_file *f, const uint8_t *data, size_t len);
int sw_fs_end(struct sw_fs_file *f, struct sw_layer_result *res, struct sw_err *err);
void sw_fs_abort(struct sw_fs_file *f);

/* A hard link e (to e->link, an earlier member of this layer). */
void sw_fs_hardlink(const struct sw_file_scanner *const *sc, size_t nsc, const struct sw_entry *e,
		    struct sw_layer_result *res);

/* Every layer's findings, copied into out with layer and removed_in set,
 * sorted by layer, path, offset, scanner, rule id. */
void sw_fs_merge(const struct sw_layer_result *results, size_t n, struct sw_vec *out);
void sw_fs_sort(struct sw_vec *findings);

/* "scanner NAME FINGERPRINT MAX WHOLE" lines for the cache keys. */
void sw_fs_key_text(struct sw_buf *b, const struct sw_file_scanner *const *sc, size_t nsc);

/* Cache encoding of a vector of findings (suppressed is not stored):
 *   u32 count { str scanner, rule_id, category, title; u32 severity; str path;
 *               i32 layer, removed_in; u32 offset_lo, offset_hi, line;
 *               str match, detail } */
void sw_fs_put_findings(struct sw_buf *b, const struct sw_vec *v);
void sw_fs_get_findings(struct sw_cache_rd *r, struct sw_vec *v);

#endif
