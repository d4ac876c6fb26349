/*
 * rpmdb.h - the rpm package database: header blobs and the three on-disk
 * database formats (SQLite rpmdb.sqlite, BerkeleyDB hash Packages, NDB
 * Packages.db), all read from memory.  See docs/formats-rpm.md.
 *
 * Everything here reads untrusted bytes: every count, offset and page
 * number is checked against the buffer before use, and nothing is ever
 * read outside [data, data + len).
 *
 * Errors and warnings: a function fails (returns < 0 and fills `err`)
 * only when the file as a whole cannot be read (unknown format, truncated
 * meta data).  A bad record inside a readable database is a warning
 * "PATH: what was wrong" appended to out->warnings, and the other records
 * are still returned.
 *
 * Ownership: packages appended to out->pkgs belong to the list (free with
 * sw_pkglist_release()); sw_rpm_header_parse() gives the caller a package
 * to free with sw_package_free().
 */
#ifndef SW_INVENTORY_RPM_RPMDB_H
#define SW_INVENTORY_RPM_RPMDB_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/analyzer.h"
#include "inventory/package.h"
#include "util/err.h"

/* Limits (see docs/formats-rpm.md). */
#define SW_RPM_HEADER_MAX_TAGS 0xffffu      /* index entries per header (rpm's own limit) */
#define SW_RPM_HEADER_MAX_DATA 0x0fffffffu  /* data store bytes per header (rpm's own limit) */
#define SW_RPM_HEADER_MAX_ARRAY 0x000fffffu /* values per entry, except BIN (rpm's own limit) */
#define SW_RPMDB_MAX_PACKAGES 200000u       /* records read from one database */
#define SW_RPMDB_SQLITE_MAX ((uint64_t)512 << 20) /* a database with its WAL applied */

/*
 * Decode one header blob as stored in a package database: big-endian
 * entry count, data length, the index entries (tag, type, offset, count)
 * and the data store; no lead, no signature header, no magic.
 *
 * On success *out is a new package (type "rpm") the caller frees: name,
 * epoch (-1 when absent), version "VERSION-RELEASE", arch, source_name and
 * source_version from SOURCERPM ("name-ver-rel.src.rpm" gives "name" and
 * "ver-rel"), licenses (LICENSE as one entry), vendor, modularity
 * (MODULARITYLABEL), maintainer (PACKAGER), and files (image paths without
 * the leading '/', from DIRNAMES/BASENAMES/DIRINDEXES or OLDFILENAMES).
 * gpg-pubkey pseudo packages are decoded like any other header.
 *
 * Returns 0, or < 0 with `err` set (SW_E_FORMAT) naming what is malformed:
 * "header entry 3 (tag 1000): offset 912 past the data store (800 bytes)".
 */
int sw_rpm_header_parse(const uint8_t *blob, size_t len, struct sw_package **out,
			struct sw_err *err);

/*
 * Read an rpm database of any of the three formats, detected from the
 * content (magic), not the name.  `path` is used in messages only (may be
 * NULL).  Packages are appended to out->pkgs in record order (SQLite hnum,
 * BerkeleyDB key, NDB package index), gpg-pubkey pseudo packages skipped.
 * Returns 0 (possibly with warnings added), or < 0 with `err` set.
 */
int sw_rpmdb_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		   struct sw_err *err);

/* The same for one known format (no detection); used by the fuzz targets. */
int sw_rpmdb_parse_sqlite(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
			  struct sw_err *err);
/* rpmdb.sqlite with its rpmdb.sqlite-wal (wal may be NULL): the committed
 * transactions of the WAL are applied to a private copy first, as SQLite
 * reads them (rpmdb_sqlite.c). */
int sw_rpmdb_parse_sqlite_wal(const char *path, const uint8_t *data, size_t len,
			      const uint8_t *wal, size_t wal_len, struct sw_pkglist *out,
			      struct sw_err *err);
/* The frames of a WAL that SQLite would apply to db: *committed frames
 * (0 if the WAL is invalid, belongs to another page size, or holds no
 * commit), the database then being *db_pages pages.  Returns 0. */
int sw_rpmdb_sqlite_wal_frames(const uint8_t *db, size_t dblen, const uint8_t *wal, size_t wallen,
			       size_t *committed, uint32_t *db_pages);
/* A copy of db (sqlite3_malloc64'd: free with sqlite3_free) with the
 * committed frames of wal applied (none if wal is NULL or invalid), its
 * length in *outlen and the frames applied in *applied; NULL with err set
 * when out of memory or larger than SW_RPMDB_SQLITE_MAX. */
unsigned char *sw_rpmdb_sqlite_apply_wal(const char *name, const uint8_t *db, size_t dblen,
					 const uint8_t *wal, size_t wallen, size_t *outlen,
					 size_t *applied, struct sw_err *err);
int sw_rpmdb_parse_bdb(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err);
int sw_rpmdb_parse_ndb(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err);

/* The analyzer: var/lib/rpm, usr/lib/sysimage/rpm and usr/share/rpm, each
 * with Packages, Packages.db or rpmdb.sqlite. */
extern const struct sw_analyzer sw_analyzer_rpm;

#endif
