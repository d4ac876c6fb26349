/*
 * rpmdb_sqlite.c - rpm's SQLite backend (rpm >= 4.16): rpmdb.sqlite.
 *
 * The file is opened from memory with sqlite3_deserialize() on a private,
 * read-only copy.  rpm keeps the database in WAL mode (header bytes 18 and
 * 19 are 2); the in-memory VFS cannot do WAL, so the copy is marked as a
 * rollback-journal database (1, 1) first.
 *
 * rpmdb.sqlite-wal: transactions committed to the write-ahead log and not
 * yet checkpointed are part of the database for SQLite (and rpm).  They are
 * applied to the private copy before it is loaded, as SQLite recovers a
 * WAL without its -shm index (https://sqlite.org/fileformat2.html#walformat):
 * a valid header (magic 0x377f0682/3, version 3007000, the database's page
 * size, header checksum), then frames while each has the header's salts
 * and a valid running checksum; the frames up to the last commit frame
 * (non-zero "database size") count, the last such frame of each page wins,
 * and the database is cut or grown to that commit's size.  A WAL that
 * fails the header checks is ignored, as SQLite ignores it.
 *
 * The file is untrusted: defensive mode, no triggers, no views, no
 * untrusted schema functions, and a bounded blob length.
 */
#include <sqlite3.h>
#include <string.h>

#include "inventory/rpm/rpm_internal.h"
#include "inventory/rpm/rpmdb.h"

static int sq_err(struct sw_err *err, const char *name, sqlite3 *db, const char *what)
{
	int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
	return sw_err_set(err, code == SQLITE_NOMEM ? SW_E_NOMEM : SW_E_FORMAT, "%s: %s: %s", name,
			  what, db ? sqlite3_errmsg(db) : "out of memory");
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SQLite's WAL checksum over n bytes (n a multiple of 8), continuing s. */
static void wal_cksum(bool big_endian, const uint8_t *p, size_t n, uint32_t s[2])
{
	uint32_t s0 = s[0], s1 = s[1];
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint32_t x0, x1;
		if (big_endian) {
			x0 = be32(p + i);
			x1 = be32(p + i + 4);
		} else {
			x0 = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			     (uint32_t)p[i + 3] << 24;
			x1 = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
			     (uint32_t)p[i + 7] << 24;
		}
		s0 += x0 + s1;
		s1 += x1 + s0;
	}
	s[0] = s0;
	s[1] = s1;
}

int sw_rpmdb_sqlite_wal_frames(const uint8_t *db, size_t dblen, const uint8_t *wal, size_t wallen,
			       size_t *committed, uint32_t *db_pages)
{
	*committed = 0;
	*db_pages = 0;
	if (dblen < 100 || wallen < 32)
		return 0;
	uint32_t magic = be32(wal);
	if ((magic & 0xfffffffeu) != 0x377f0682u || be32(wal + 4) != 3007000u)
		return 0;
	bool big = magic & 1;
	uint32_t psz = be32(wal + 8);
	uint32_t dbpsz = (uint32_t)db[16] << 8 | db[17];
	if (dbpsz == 1)
		dbpsz = 65536;
	if (psz < 512 || psz > 65536 || (psz & (psz - 1)) || psz != dbpsz)
		return 0;
	uint32_t s[2] = { 0, 0 };
	wal_cksum(big, wal, 24, s);
	if (s[0] != be32(wal + 24) || s[1] != be32(wal + 28))
		return 0;
	size_t fsz = 24 + (size_t)psz;
	size_t n = 0;
	for (size_t off = 32; off + fsz <= wallen; off += fsz) {
		const uint8_t *f = wal + off;
		if (be32(f + 8) != be32(wal + 16) || be32(f + 12) != be32(wal + 20) || be32(f) == 0)
			break;
		wal_cksum(big, f, 8, s);
		wal_cksum(big, f + 24, psz, s);
		if (s[0] != be32(f + 16) || s[1] != be32(f + 20))
			break;
		n++;
		if (be32(f + 4)) {
			*committed = n;
			*db_pages = be32(f + 4);
		}
	}
	return 0;
}

unsigned char *sw_rpmdb_sqlite_apply_wal(const char *name, const uint8_t *db, size_t dblen,
					 const uint8_t *wal, size_t wallen, size_t *outlen,
					 size_t *applied, struct sw_err *err)
{
	size_t committed = 0;
	uint32_t pages = 0;
	(void)sw_rpmdb_sqlite_wal_frames(db, dblen, wal, wallen, &committed, &pages);
	*applied = committed;
	size_t len = dblen;
	uint32_t psz = committed ? be32(wal + 8) : 0;
	if (committed) {
		if ((uint64_t)pages * psz > SW_RPMDB_SQLITE_MAX) {
			sw_err_set(err, SW_E_LIMIT, "%s: with its WAL the database would be %llu bytes",
				   name, (unsigned long long)pages * psz);
			return NULL;
		}
		len = (size_t)pages * psz;
	}
	unsigned char *copy = sqlite3_malloc64(len ? len : 1);
	if (!copy) {
		sw_err_set(err, SW_E_NOMEM, "%s: out of memory for a %zu-byte copy", name, len);
		return NULL;
	}
	memcpy(copy, db, dblen < len ? dblen : len);
	if (len > dblen)
		memset(copy + dblen, 0, len - dblen);
	size_t fsz = 24 + (size_t)psz;
	for (size_t i = 0; i < committed; i++) {
		const uint8_t *f = wal + 32 + i * fsz;
		uint64_t pg = be32(f);
		if (pg <= pages) /* a page past the committed size is dropped */
			memcpy(copy + (pg - 1) * psz, f + 24, psz);
	}
	*outlen = len;
	return copy;
}

int sw_rpmdb_parse_sqlite(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
			  struct sw_err *err)
{
	return sw_rpmdb_parse_sqlite_wal(path, data, len, NULL, 0, out, err);
}

int sw_rpmdb_parse_sqlite_wal(const char *path, const uint8_t *data, size_t len,
			      const uint8_t *wal, size_t wal_len, struct sw_pkglist *out,
			      struct sw_err *err)
{
	const char *name = path ? path : "rpmdb";
	struct sw_rpm_collect c;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int r, rc;

	if (len < 100 || memcmp(data, "SQLite format 3", 16) != 0)
		return sw_err_set(err, SW_E_FORMAT, "%s: not a sqlite database (%s)", name,
				  len < 100 ? "shorter than its 100-byte header" : "bad magic");
	sw_rpm_collect_init(&c, path, out);

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_PRIVATECACHE,
			    NULL) != SQLITE_OK) {
		r = sq_err(err, name, db, "cannot open sqlite");
		goto out;
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)SW_RPM_HEADER_MAX_DATA);

	size_t applied = 0;
	unsigned char *copy = sw_rpmdb_sqlite_apply_wal(name, data, len, wal, wal ? wal_len : 0, &len,
							&applied, err);
	if (!copy) {
		r = -(err ? err->code : SW_E_NOMEM);
		goto out;
	}
	if (len < 100) {
		sqlite3_free(copy);
		r = sw_err_set(err, SW_E_FORMAT, "%s: its WAL commits an empty database", name);
		goto out;
	}
	if (copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;
	rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
	if (rc != SQLITE_OK) {
		r = sq_err(err, name, db, "cannot load database");
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM main.Packages ORDER BY hnum", -1, &st,
			       NULL) != SQLITE_OK) {
		r = sq_err(err, name, db, "cannot read the Packages table");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
			sw_rpm_warn(&c, "package record %lld: blob column is not a blob",
				    (long long)hnum);
			continue;
		}
		const uint8_t *blob = sqlite3_column_blob(st, 1);
		int blen = sqlite3_column_bytes(st, 1);
		if (blen > 0 && !blob) {
			r = sw_err_set(err, SW_E_NOMEM, "%s: out of memory reading a blob", name);
			goto out;
		}
		if ((r = sw_rpm_collect_blob(&c, (uint64_t)hnum, blob ? blob : (const uint8_t *)"",
					     (size_t)(blen > 0 ? blen : 0), err)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = sq_err(err, name, db, "cannot read the Packages table");
		goto out;
	}
	sw_rpm_collect_finish(&c);
	r = 0;
out:
	sw_rpm_collect_release(&c);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}
