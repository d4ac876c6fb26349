/* sqlite_retention.c - retention for the SQLite store: old records
 * collected (sw_st_collect) and table sizes (sw_st_table_sizes); named
 * leases between processes sharing the file (sw_st_lock_take). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/mem.h"

int sq_collect(struct sw_st *store, int64_t before, struct sw_st_collected *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "DELETE FROM jobs WHERE state IN ('done', 'failed') AND updated < ?", "i", before),
			   err);
	if (r == 0) {
		out->jobs = sqlite3_changes(s->db);
		/* superseded reports only (their finding rows went when the next report came) */
		r = sq_run(s, sq_prep(s, err, "DELETE FROM reports WHERE created < ? AND NOT EXISTS"
				" (SELECT 1 FROM images i WHERE i.latest_report = reports.id)"
				" AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.report = reports.id)", "i", before), err);
	}
	if (r == 0) {
		out->reports = sqlite3_changes(s->db);
		r = sq_run(s, sq_prep(s, err, "DELETE FROM deliveries WHERE state = 'delivered' AND created < ?", "i", before),
			   err);
	}
	if (r == 0) {
		out->deliveries = sqlite3_changes(s->db);
		r = sq_commit(s, err);
	}
	if (r < 0)
		sq_rollback(s);
	sq_unlock(s);
	return r;
}

int sq_table_sizes(struct sw_st *store, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT name FROM sqlite_master WHERE type = 'table'"
				" AND name NOT LIKE 'sqlite_%' ORDER BY name", NULL);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_table_size *t = sw_xcalloc(1, sizeof(*t));
		t->table = sq_col_str(st, 0);
		t->bytes = -1;
		sw_vec_push(out, t);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; r == 0 && i < out->len; i++) {
		struct sw_st_table_size *t = out->items[i];
		/* the name comes from sqlite_master: quoted as an identifier */
		char *q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", t->table);
		sqlite3_stmt *c = q ? sq_prep(s, err, q, NULL) : NULL;
		sqlite3_free(q);
		if (!c) {
			r = -SW_E_DB;
			break;
		}
		if (sqlite3_step(c) == SQLITE_ROW)
			t->rows = sqlite3_column_int64(c, 0);
		sqlite3_finalize(c);
		/* bytes: the dbstat table when SQLite has it (tables and their indexes) */
		sqlite3_stmt *b = NULL;
		if (sqlite3_prepare_v2(s->db, "SELECT sum(pgsize) FROM dbstat WHERE name = ?1 OR name IN"
				       " (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1)", -1, &b,
				       NULL) == SQLITE_OK &&
		    sqlite3_bind_text(b, 1, t->table, -1, SQLITE_TRANSIENT) == SQLITE_OK && sqlite3_step(b) == SQLITE_ROW)
			t->bytes = sqlite3_column_int64(b, 0);
		sqlite3_finalize(b);
	}
	sq_unlock(s);
	return r;
}

int sq_lock_take(struct sw_st *store, const char *name, const char *owner, int ttl, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	char *key = sqlite3_mprintf("lock:%s", name), *val = sqlite3_mprintf("%s %lld", owner, (long long)(now + ttl));
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET"
				  " value = excluded.value WHERE substr(meta.value, 1, instr(meta.value, ' ') - 1) = ?3"
				  " OR CAST(substr(meta.value, instr(meta.value, ' ') + 1) AS INTEGER) < ?4",
				  "ttti", key, val, owner, now), err);
	if (r == 0)
		r = sqlite3_changes(s->db) > 0;
	sq_unlock(s);
	sqlite3_free(key);
	sqlite3_free(val);
	return r;
}

int sq_lock_drop(struct sw_st *store, const char *name, const char *owner, struct sw_err *err)
{
	struct sq *s = SQ(store);
	char *key = sqlite3_mprintf("lock:%s", name);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "DELETE FROM meta WHERE key = ?1 AND substr(value, 1, instr(value, ' ') - 1) = ?2",
				  "tt", key, owner), err);
	sq_unlock(s);
	sqlite3_free(key);
	return r;
}
