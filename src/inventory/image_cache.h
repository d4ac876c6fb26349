/*
 * image_cache.h - the merged inventory of a whole image, cached.
 *
 * With every layer in the layer cache (layer_cache.h) a re-scan still
 * decodes every layer's result (the dpkg file lists of every package, once
 * per layer that rewrites the status file) and merges them.  This second
 * level keeps the end product instead: what sw_inventory_build() derives
 * from the layers (the OS, the packages with purls, owners and layers, the
 * warnings), under
 *
 *   key = hex SHA-256 of (image cache format, merge version, the config
 *         digest, every layer's layer-cache key in order)
 *
 * The config digest is that of the verified config bytes: it covers the
 * diff_ids, the history (created_by of each layer) and the platform.  Each
 * layer key covers the analyzers and the layer pass (layer_cache.h).  An
 * image is cacheable only if it has a config digest and every layer a
 * diff_id (not dir:).  The merge version (IC_MERGE_VERSION in
 * image_cache.c) must be bumped when the merge or anything after it (OS
 * detection, ownership, licences, purls, order) changes its output.
 *
 * Not stored: the image facts (transport, reference, tags, digests, the
 * layer list), which the caller's inventory already has from the opened
 * image, and packages' `files` (a built inventory keeps none: they serve
 * ownership during the merge).  So one entry serves every transport of
 * the same image (docker-archive, oci, registry).
 *
 * Files: DIR/KEY (DIR is ROOT/images), the frame, checks and atomic
 * replace of cache.h.  Any failed check is a miss; the caller rebuilds and
 * stores a new entry over it.
 */
#ifndef SW_INVENTORY_IMAGE_CACHE_H
#define SW_INVENTORY_IMAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "inventory/inventory.h"
#include "util/buf.h"
#include "util/err.h"

/* The key of an image (64 hex digits), malloc'd; NULL if it is not
 * cacheable (no config digest, or a layer without a diff_id). */
char *sw_image_cache_key(const struct sw_image_info *info);
/* The same with the content scanners in every layer key (layer_cache.h). */
char *sw_image_cache_key_for(const struct sw_image_info *info, const struct sw_file_scanner *const *sc,
			     size_t nsc);

/* Serialise inv's os, packages (without files), warnings and file findings, tagged with
 * key, into out (appended).  Returns 0, or < 0 if out failed. */
int sw_image_cache_encode(const struct sw_inventory *inv, const char *key, struct sw_buf *out,
			  struct sw_err *err);

/* Parse what sw_image_cache_encode() wrote into inv, whose os, packages
 * and warnings must be empty.  key, if not NULL, must match the stored one.
 * Returns 0, or SW_E_FORMAT with a message and inv left unchanged. */
int sw_image_cache_decode(const uint8_t *data, size_t len, const char *key,
			  struct sw_inventory *inv, struct sw_err *err);

/* Look key up in dir and fill inv as decode does.  Returns 1 on a hit, 0
 * when there is no entry, < 0 when there is one that cannot be read or
 * fails a check (err says why; the caller treats it as a miss). */
int sw_image_cache_load(const char *dir, const char *key, struct sw_inventory *inv,
			struct sw_err *err);

/* Store inv under key in dir (created if missing), atomically.  Returns 0
 * or < 0 with err set (the caller may ignore it: the cache is an
 * optimisation). */
int sw_image_cache_store(const char *dir, const char *key, const struct sw_inventory *inv,
			 struct sw_err *err);

#endif
