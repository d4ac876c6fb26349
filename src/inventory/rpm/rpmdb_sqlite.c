/*
 * rpmdb_sqlite.c - rpm's SQLite backend (rpm >= 4.16): rpmdb.sqlite.
 *
 * The file is opened from memory with sqlite3_deserialize() on a private,
 * read-only copy.  rpm keeps the database in WAL mode (header bytes 18 and
 * 19 are 2); the in-memory VFS cannot do WAL, so the copy is marked as a
 * rollback-journal database (1, 1) first.  Only the main file is read: a
 * -wal file next to it is not (rpm checkpoints it when it closes).
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

int sw_rpmdb_parse_sqlite(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
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

	unsigned char *copy = sqlite3_malloc64(len);
	if (!copy) {
		r = sw_err_set(err, SW_E_NOMEM, "%s: out of memory for a %zu-byte copy", name, len);
		goto out;
	}
	memcpy(copy, data, len);
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
