/*
 * cache.h - what the layer cache (layer_cache.h) and the image cache
 * (image_cache.h) share: the cache root, keys, the entry frame, the record
 * encoding and atomic files.
 *
 * An entry is one file DIR/KEY:
 *
 *   MAGIC(4) u32 format  str key  body...  u32 crc32 of everything before it
 *
 *   u32    = little-endian
 *   str    = u32 length (0xffffffff = NULL) + bytes (no NUL, none inside)
 *   strvec = u32 count + str...
 *   package = str type, namespace, name, version; i32 epoch; str arch,
 *             source_name, source_version, vendor, modularity, maintainer;
 *             strvec licenses; str purl, path; strvec files; u32 flags;
 *             str owner; i32 layer_index; str layer_diff_id,
 *             layer_created_by; strvec deps
 *
 * Writing appends to a struct sw_buf, whose sticky failure flag is checked
 * once at the end (sw_cache_put_end).  Reading goes through a struct
 * sw_cache_rd that becomes "bad" at the first defect (a count or length
 * beyond the bytes left, a NUL inside a string, ...): from then on every
 * get returns 0/NULL, so a decoder reads on and checks once.  Every count
 * is checked against the bytes left before anything is allocated.
 *
 * Files: a writer writes DIR/.tmp-KEY-XXXXXX (mkstemp) and rename()s it
 * onto DIR/KEY: readers see no file, an old whole file or a new whole
 * file, never a torn one, and take no lock.  A file is read through a
 * read-only private mapping (sw_cache_blob): writers never modify a file
 * in place, they replace it.
 */
#ifndef SW_INVENTORY_CACHE_H
#define SW_INVENTORY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/package.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

/* The cache root: $STOWAWAY_CACHE_DIR, else $XDG_CACHE_HOME/stowaway, else
 * $HOME/.cache/stowaway.  malloc'd. */
char *sw_cache_default_root(void);

/* Hex SHA-256 (64 digits) of text, malloc'd; NULL if text failed. */
char *sw_cache_key_of(const struct sw_buf *text);

/* ---- writing ---- */

void sw_cache_put_u32(struct sw_buf *b, uint32_t v);
void sw_cache_put_str(struct sw_buf *b, const char *s);
void sw_cache_put_strvec(struct sw_buf *b, const struct sw_vec *v);
enum sw_cache_pkg_flags {
	SW_CACHE_PKG_NO_FILES = 1 << 0,   /* store `files` as an empty list */
};
void sw_cache_put_pkg(struct sw_buf *b, const struct sw_package *p, unsigned flags);
/* Magic, format and key; returns the offset the CRC starts at. */
size_t sw_cache_put_begin(struct sw_buf *b, const char magic[4], uint32_t format, const char *key);
/* The CRC trailer over everything from start.  Returns 0, or SW_E_NOMEM
 * (with err naming `what`) if b failed. */
int sw_cache_put_end(struct sw_buf *b, size_t start, const char *what, struct sw_err *err);

/* ---- reading ---- */

struct sw_cache_rd {
	const uint8_t *p;
	size_t left;
	bool bad;
	const char *what;   /* the first defect */
};

/* Check magic, CRC, format and key (if key is not NULL), and position r
 * after the key.  Returns 0, or SW_E_FORMAT with "WHAT: reason". */
int sw_cache_rd_begin(struct sw_cache_rd *r, const uint8_t *data, size_t len, const char magic[4],
		      uint32_t format, const char *key, const char *what, struct sw_err *err);
/* 0 if r is good and used up (else "trailing bytes"); SW_E_FORMAT with
 * "WHAT: defect" otherwise. */
int sw_cache_rd_end(struct sw_cache_rd *r, const char *what, struct sw_err *err);
void sw_cache_rd_fail(struct sw_cache_rd *r, const char *what);
uint32_t sw_cache_get_u32(struct sw_cache_rd *r);
/* A count of items each at least min_size bytes long. */
size_t sw_cache_get_count(struct sw_cache_rd *r, size_t min_size);
char *sw_cache_get_str(struct sw_cache_rd *r);      /* malloc'd, or NULL */
char *sw_cache_get_req_str(struct sw_cache_rd *r);  /* NULL is a defect */
void sw_cache_get_strvec(struct sw_cache_rd *r, struct sw_vec *v);
/* NULL when r is (or becomes) bad before the type; else a package the
 * caller owns, also when r went bad half-way (then free it with the rest). */
struct sw_package *sw_cache_get_pkg(struct sw_cache_rd *r);
#define SW_CACHE_MIN_PKG 84   /* a package is at least 21 u32 */

/* ---- files ---- */

/* A cache file mapped read-only (or an empty one). */
struct sw_cache_blob {
	const uint8_t *data;
	size_t len;
	void *map;       /* munmap()ed by release; NULL if nothing mapped */
	size_t map_len;
};

/* Map DIR/KEY.  Returns 1 on success (release it with
 * sw_cache_blob_release), 0 when there is no such file, < 0 with err set
 * when it cannot be read or is larger than max. */
int sw_cache_blob_load(const char *dir, const char *key, size_t max, struct sw_cache_blob *out,
		       struct sw_err *err);
void sw_cache_blob_release(struct sw_cache_blob *b);

/* Write data as DIR/KEY atomically (DIR created if missing).  Returns 0 or
 * < 0 with err set; nothing is left behind on error. */
int sw_cache_store_file(const char *dir, const char *key, const struct sw_buf *data,
			struct sw_err *err);

#endif
