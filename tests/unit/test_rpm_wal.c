/*
 * test_rpm_wal.c - rpmdb.sqlite-wal: the committed frames of a write-ahead
 * log applied to the database in memory, compared with SQLite itself
 * reading the same two files from disk (the independent reference).
 *
 * A WAL-mode database gets 100 rows and a checkpoint, then, while a second
 * connection holds a read snapshot (so nothing is checkpointed), three
 * more transactions (inserts, a delete) that live only in the WAL.  The
 * WAL is then damaged in the ways SQLite must survive: cut inside the last
 * frame, a page byte flipped in the last frame, a frame's salt changed, the
 * header checksum broken, an empty file.  Each time: count(*) and sum(x)
 * as SQLite reads db + wal == as our applied copy reads through
 * sqlite3_deserialize().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/rpm/rpmdb.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static char *tmp;

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	assert_int_equal(rc, SQLITE_OK);
}

static void slurp(const char *path, struct sw_buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char blk[65536];
	size_t n;
	while ((n = fread(blk, 1, sizeof(blk), f)) > 0)
		sw_buf_add(out, blk, n);
	fclose(f);
	assert_true(sw_buf_ok(out));
}

static void spill(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* "count sum" of table t in an open database. */
static char *summary(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), total(x) FROM t", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char *s = sw_xasprintf("%lld %.0f", (long long)sqlite3_column_int64(st, 0),
			       sqlite3_column_double(st, 1));
	sqlite3_finalize(st);
	return s;
}

/* What SQLite reads from db + wal written to a fresh directory. */
static char *sqlite_reads(int n, const struct sw_buf *db, const void *wal, size_t wal_len)
{
	char *dir = sw_xasprintf("%s/v%d", tmp, n);
	char *cmd = sw_xasprintf("mkdir -p '%s'", dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	char *dbp = sw_xasprintf("%s/a.db", dir), *walp = sw_xasprintf("%s/a.db-wal", dir);
	spill(dbp, db->data, db->len);
	spill(walp, wal, wal_len);
	sqlite3 *s = NULL;
	assert_int_equal(sqlite3_open(dbp, &s), SQLITE_OK);
	char *r = summary(s);
	sqlite3_close(s);
	free(dbp);
	free(walp);
	free(dir);
	return r;
}

/* What our copy with the WAL applied reads. */
static char *we_read(const struct sw_buf *db, const void *wal, size_t wal_len, size_t *applied)
{
	size_t len = 0;
	struct sw_err err = SW_ERR_INIT;
	unsigned char *copy = sw_rpmdb_sqlite_apply_wal("a.db", (const uint8_t *)db->data, db->len,
							wal, wal_len, &len, applied, &err);
	assert_non_null(copy);
	if (copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;
	sqlite3 *s = NULL;
	assert_int_equal(sqlite3_open(":memory:", &s), SQLITE_OK);
	assert_int_equal(sqlite3_deserialize(s, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
					     SQLITE_DESERIALIZE_FREEONCLOSE |
						     SQLITE_DESERIALIZE_READONLY),
			 SQLITE_OK);
	char *r = summary(s);
	sqlite3_close(s);
	return r;
}

static void test_wal_vs_sqlite(void **state)
{
	(void)state;
	char *path = sw_xasprintf("%s/a.db", tmp);
	sqlite3 *w = NULL, *rd = NULL;
	assert_int_equal(sqlite3_open(path, &w), SQLITE_OK);
	exec_ok(w, "PRAGMA journal_mode=WAL; CREATE TABLE t(x INTEGER, pad BLOB);"
		   "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) "
		   "INSERT INTO t SELECT i, zeroblob(300) FROM c;"
		   "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint=0;");
	assert_int_equal(sqlite3_open(path, &rd), SQLITE_OK);
	exec_ok(rd, "BEGIN; SELECT count(*) FROM t;"); /* a snapshot: nothing checkpointed past it */
	exec_ok(w, "WITH RECURSIVE c(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM c WHERE i < 1049) "
		   "INSERT INTO t SELECT i, zeroblob(300) FROM c;");
	exec_ok(w, "BEGIN; INSERT INTO t VALUES (5000, zeroblob(2000)); INSERT INTO t VALUES (6000, "
		   "NULL); COMMIT;");
	exec_ok(w, "DELETE FROM t WHERE x <= 10;");

	struct sw_buf db = SW_BUF_INIT, wal = SW_BUF_INIT;
	slurp(path, &db);
	char *walpath = sw_xasprintf("%s-wal", path);
	slurp(walpath, &wal);
	free(walpath);
	sqlite3_close(rd);
	sqlite3_close(w);
	free(path);

	size_t psz = (size_t)((unsigned char)wal.data[8] << 24 | (unsigned char)wal.data[9] << 16 |
			      (unsigned char)wal.data[10] << 8 | (unsigned char)wal.data[11]);
	size_t fsz = 24 + psz;
	assert_true(wal.len >= 32 + 3 * fsz);
	size_t nframes = (wal.len - 32) / fsz;

	struct { const char *what; size_t len; long flip; size_t min_applied; } v[] = {
		{ "intact", wal.len, -1, 3 },
		{ "cut in the last frame", 32 + (nframes - 1) * fsz + 100, -1, 1 },
		{ "last frame's page damaged", wal.len, (long)(32 + (nframes - 1) * fsz + 24 + psz / 2), 1 },
		{ "second frame's salt", wal.len, (long)(32 + fsz + 9), 0 },
		{ "header checksum", wal.len, 25, 0 },
		{ "empty", 0, -1, 0 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t *buf = sw_xmalloc(wal.len);
		memcpy(buf, wal.data, wal.len);
		if (v[i].flip >= 0)
			buf[v[i].flip] ^= 0x40;
		char *want = sqlite_reads((int)i, &db, buf, v[i].len);
		size_t applied = 0;
		char *got = we_read(&db, buf, v[i].len, &applied);
		if (strcmp(want, got) != 0)
			fprintf(stderr, "%s: sqlite reads '%s', we read '%s' (%zu frames)\n", v[i].what,
				want, got, applied);
		assert_string_equal(want, got);
		assert_true(applied >= v[i].min_applied);
		if (i == 0) /* the WAL matters: without it the old rows */
			assert_string_not_equal(want, "100 5050");
		free(want);
		free(got);
		free(buf);
	}
	/* and the main file alone is the checkpointed state */
	size_t applied = 1;
	char *alone = we_read(&db, NULL, 0, &applied);
	assert_string_equal(alone, "100 5050");
	assert_int_equal(applied, 0);
	free(alone);
	sw_buf_release(&db);
	sw_buf_release(&wal);
}

static int setup(void **state)
{
	(void)state;
	tmp = sw_test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = sw_xasprintf("rm -rf '%s'", tmp);
	sw_test_sh(cmd);
	free(cmd);
	free(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_vs_sqlite),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
