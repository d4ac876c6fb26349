/*
 * cache_admin.h - what is in the cache root, and removing entries.
 *
 * The root (sw_cache_default_root()) holds layers/KEY (one per layer) and
 * images/KEY (one per image); writers leave .tmp-* files only while they
 * write.  An entry is "used" when it was last read or written: its access
 * or modification time, whichever is later (relatime updates the access
 * time at most once a day, enough for pruning by days).
 */
#ifndef SW_INVENTORY_CACHE_ADMIN_H
#define SW_INVENTORY_CACHE_ADMIN_H

#include <stdint.h>

#include "util/err.h"

struct sw_cache_part {
	uint64_t entries, bytes;
};

struct sw_cache_stats {
	struct sw_cache_part layers, images;
	uint64_t temp;             /* stale or in-flight .tmp-* files */
};

/* Count the entries under root (a missing root or subfolder is empty).
 * Returns 0 or < 0 (err set) when a folder cannot be read. */
int sw_cache_stat(const char *root, struct sw_cache_stats *out, struct sw_err *err);

/* Remove the entries not used since `before` (seconds since the epoch;
 * INT64_MAX: every entry), and .tmp-* files older than an hour.  *removed
 * says what went.  Readers and writers may run meanwhile: a reader whose
 * entry vanishes sees a miss; an entry being written is a .tmp-* file. */
int sw_cache_prune(const char *root, int64_t before, int64_t now, struct sw_cache_stats *removed,
		   struct sw_err *err);

#endif
