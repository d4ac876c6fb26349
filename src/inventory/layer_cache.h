/*
 * layer_cache.h - what one layer's pass found, and its on-disk cache.
 *
 * The layer pass (build.c) turns one layer into a struct sw_layer_result:
 * the files the analyzers read (with their packages and warnings), the
 * release files' contents, whiteouts, opaque directories and links, and the
 * paths of its directories and of its other entries.  A
 * result depends only on the layer's content (its diff_id) and on the
 * analyzers, so it is cached under a key made of both:
 *
 *   key = hex SHA-256 of (cache format, pass version, diff_id, every
 *         analyzer's name, version and size limit, the OS detector's
 *         limit, sizeof(struct sw_package), every content scanner's
 *         name, fingerprint and limits)
 *
 * and stored as DIR/KEY (DIR is ROOT/layers, ROOT from
 * sw_cache_default_root() in cache.h), one file per layer, in a versioned
 * compact binary format with a CRC-32 trailer (layout in layer_cache.c,
 * encoding in cache.h).
 *
 * Concurrency: a writer writes a private temporary file in DIR
 * (mkstemp) and rename()s it onto DIR/KEY.  rename() within one
 * filesystem is atomic, so a reader opens either no file, the old complete
 * file or the new complete file, never a half-written one; two writers of
 * one key write the same bytes and the last rename wins.  Readers never
 * lock.  A file that fails any check (magic, version, key, CRC, bounds) is
 * treated as a miss, and the caller's store replaces it.
 *
 * Ownership: a struct sw_layer_result owns everything in it; release it
 * with sw_layer_result_release().  `analyzer` names in found entries are
 * static strings (the analyzer's own name, or SW_LAYER_OS_ANALYZER).
 */
#ifndef SW_INVENTORY_LAYER_CACHE_H
#define SW_INVENTORY_LAYER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/package.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

#define SW_LAYER_OS_ANALYZER "os"

struct sw_lr_found {
	char *path;
	const char *analyzer;     /* static name */
	struct sw_pkglist res;
	char *content;            /* release files only (NUL-terminated), else NULL */
};

struct sw_lr_link {
	char *path;
	char *target;             /* resolved image path */
};

struct sw_layer_result {
	struct sw_vec found;      /* struct sw_lr_found* */
	struct sw_vec whiteouts;  /* char* */
	struct sw_vec opaques;    /* char* */
	struct sw_vec links;      /* struct sw_lr_link* */
	struct sw_vec warnings;   /* char* */
	/* every directory and every non-directory entry (files, symlinks, hard
	 * links, devices, FIFOs) of the layer, sorted, no duplicates: the merge
	 * needs them to apply "a non-directory replaces a directory and all
	 * under it, a directory replaces a non-directory" (OCI layer.md,
	 * "Changeset over existing files") to lower layers' paths */
	struct sw_vec dirs;       /* char* */
	struct sw_vec nondirs;    /* char* */
	/* what the content scanners found (inventory/filescan_pass.h): struct
	 * sw_file_finding*, layer and removed_in -1 (the merge sets them) */
	struct sw_vec file_findings;
	/* file-system facts for the image checks (fsfacts.h) */
	struct sw_vec fs;         /* struct sw_fs_rec* */
	size_t fs_content;        /* bytes of file content in fs (the pass's budget; not stored) */
};

void sw_layer_result_release(struct sw_layer_result *r);

/* Whether the first n bytes of key are one of the paths of a sorted path
 * set (a layer result's dirs or nondirs): the merges of packages, file
 * facts and content findings all ask it. */
bool sw_lr_pathset_has(const struct sw_vec *sorted, const char *key, size_t n);

/* The cache key of a layer (64 hex digits), malloc'd; NULL if diff_id is
 * NULL or empty. */
char *sw_layer_cache_key(const char *diff_id);
/* The same with the content scanners' names and fingerprints in the key
 * (a scan with other scanners, or another signature database, must not
 * share entries). */
struct sw_file_scanner;
char *sw_layer_cache_key_for(const char *diff_id, const struct sw_file_scanner *const *sc,
			     size_t nsc);

/* Serialise r (tagged with key) into out (appended).  Returns 0, or < 0 if
 * out failed (out of memory). */
int sw_layer_cache_encode(const struct sw_layer_result *r, const char *key, struct sw_buf *out,
			  struct sw_err *err);

/* Parse what sw_layer_cache_encode() wrote.  key, if not NULL, must match
 * the stored one.  On success fills *out (which must be zeroed) and returns
 * 0; on any defect returns SW_E_FORMAT with a message and leaves *out empty. */
int sw_layer_cache_decode(const uint8_t *data, size_t len, const char *key,
			  struct sw_layer_result *out, struct sw_err *err);

/* Look key up in dir.  Returns 1 and fills *out (zeroed by the caller) on a
 * hit, 0 on a miss (no file, or a file that fails a check: err then says
 * why), < 0 never. */
int sw_layer_cache_load(const char *dir, const char *key, struct sw_layer_result *out,
			struct sw_err *err);

/* Whether dir holds an entry for key (not checked: a later load may still
 * miss). */
bool sw_layer_cache_has(const char *dir, const char *key);

/* Store r under key in dir (created if missing), atomically.  Returns 0 or
 * < 0 with err set (the caller may ignore it: the cache is an optimisation). */
int sw_layer_cache_store(const char *dir, const char *key, const struct sw_layer_result *r,
			 struct sw_err *err);

#endif
