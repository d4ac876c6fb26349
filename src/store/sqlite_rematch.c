/*
 * sqlite_rematch.c - re-matching in chunks for the SQLite store (store.h
 * "rematch", issue 17): a generation per change of the vulnerability
 * database, its images cut into chunks of consecutive ids, chunks claimed
 * with a lease.  Each call is one IMMEDIATE transaction, so processes that
 * share the file split the chunks too; a single server takes them all.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/mem.h"

#define GEN_COLS                                                                                               \
	"g.id, g.fingerprint, g.state, g.started, coalesce(g.finished, 0), g.chunks, g.images,"                \
	" (SELECT count(*) FROM rematch_chunks c WHERE c.gen = g.id AND c.state = 'done'),"                     \
	" (SELECT count(*) FROM rematch_chunks c WHERE c.gen = g.id AND c.state = 'running'),"                  \
	" (SELECT coalesce(sum(done_images), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                     \
	" (SELECT coalesce(sum(changed), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                         \
	" (SELECT coalesce(sum(failed), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                          \
	" (SELECT count(DISTINCT owner) FROM rematch_chunks c WHERE c.gen = g.id)"

/* The generation id (0: the latest) into *out; 1, 0 when none (lock held). */
static int gen_get(struct sq *s, int64_t id, struct sw_st_rematch *out, struct sw_err *err)
{
	sqlite3_stmt *st = id ? sq_prep(s, err, "SELECT " GEN_COLS " FROM rematch_gens g WHERE g.id = ?", "i", id)
			      : sq_prep(s, err, "SELECT " GEN_COLS " FROM rematch_gens g ORDER BY g.id DESC LIMIT 1", NULL);
	if (!st)
		return -SW_E_DB;
	int r = 0, rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sw_st_rematch_release(out);
		out->gen = sqlite3_column_int64(st, 0);
		out->fingerprint = sq_col_str(st, 1);
		out->state = sq_col_str(st, 2);
		out->started = sqlite3_column_int64(st, 3);
		out->finished = sqlite3_column_int64(st, 4);
		out->chunks = sqlite3_column_int64(st, 5);
		out->images = sqlite3_column_int64(st, 6);
		out->chunks_done = sqlite3_column_int64(st, 7);
		out->chunks_running = sqlite3_column_int64(st, 8);
		out->images_done = sqlite3_column_int64(st, 9);
		out->changed = sqlite3_column_int64(st, 10);
		out->failed = sqlite3_column_int64(st, 11);
		out->instances = sqlite3_column_int64(st, 12);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_db_error(s, "rematch generation", err);
	}
	sqlite3_finalize(st);
	return r;
}

int sq_rematch_begin(struct sw_st *store, const char *fp, int64_t chunk_size, bool force, int64_t now,
		     struct sw_st_rematch *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	r = gen_get(s, 0, out, err);
	if (r < 0)
		goto fail;
	if (r == 1 && !force && out->fingerprint && strcmp(out->fingerprint, fp) == 0) {
		r = sq_commit(s, err);   /* this database's generation exists already: 0 */
		if (r < 0)
			goto fail;
		goto out;
	}
	r = sq_run(s, sq_prep(s, err, "UPDATE rematch_gens SET state = 'superseded', finished = ? WHERE state = 'running'",
			      "i", now), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "INSERT INTO rematch_gens(fingerprint, state, chunks, images, started)"
				      " VALUES (?, 'running', 0, 0, ?)", "ti", fp, now), err);
	if (r < 0)
		goto fail;
	int64_t gen = sqlite3_last_insert_rowid(s->db);
	r = sq_run(s, sq_prep(s, err, "DELETE FROM rematch_chunks WHERE gen < ?", "i", gen), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "INSERT INTO rematch_chunks(gen, id_from, id_to, images, state, updated)"
				      " SELECT ?1, min(id), max(id), count(*), 'pending', ?2 FROM"
				      " (SELECT id, (row_number() OVER (ORDER BY id) - 1) / ?3 AS k FROM images"
				      " WHERE inventory IS NOT NULL) GROUP BY k", "iii", gen, now, chunk_size), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "UPDATE rematch_gens SET"
				      " chunks = (SELECT count(*) FROM rematch_chunks WHERE gen = ?1),"
				      " images = (SELECT coalesce(sum(images), 0) FROM rematch_chunks WHERE gen = ?1),"
				      " state = CASE WHEN EXISTS (SELECT 1 FROM rematch_chunks WHERE gen = ?1)"
				      " THEN 'running' ELSE 'done' END,"
				      " finished = CASE WHEN EXISTS (SELECT 1 FROM rematch_chunks WHERE gen = ?1)"
				      " THEN NULL ELSE ?2 END WHERE id = ?1", "ii", gen, now), err);
	if (r == 0)
		r = gen_get(s, gen, out, err);
	if (r == 1 && sq_commit(s, err) == 0)
		goto out;   /* 1: a new generation */
fail:
	sq_rollback(s);
	if (r >= 0)
		r = -SW_E_DB;
out:
	sq_unlock(s);
	return r;
}

int sq_rematch_status(struct sw_st *store, struct sw_st_rematch *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = gen_get(s, 0, out, err);
	sq_unlock(s);
	return r;
}

int sq_rematch_claim(struct sw_st *store, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
		     struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	sqlite3_stmt *st = sq_prep(s, err, "SELECT c.id, c.gen, c.id_from, c.id_to, c.cursor, c.attempts, g.fingerprint,"
				   " g.started FROM rematch_chunks c JOIN rematch_gens g ON g.id = c.gen"
				   " WHERE g.state = 'running' AND (c.state = 'pending' OR (c.state = 'running' AND"
				   " c.lease_until < ?1)) ORDER BY c.id LIMIT 1", "i", now);
	if (!st) {
		r = -SW_E_DB;
		goto fail;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st, 0);
		c->gen = sqlite3_column_int64(st, 1);
		c->id_from = sqlite3_column_int64(st, 2);
		c->id_to = sqlite3_column_int64(st, 3);
		c->cursor = sqlite3_column_int64(st, 4);
		c->attempts = (int)sqlite3_column_int64(st, 5) + 1;
		c->fingerprint = sq_col_str(st, 6);
		c->gen_started = sqlite3_column_int64(st, 7);
	} else if (rc != SQLITE_DONE) {
		r = sq_db_error(s, "rematch claim", err);
	}
	sqlite3_finalize(st);
	if (r == 0 && c->id)
		r = sq_run(s, sq_prep(s, err, "UPDATE rematch_chunks SET state = 'running', owner = ?, lease_until = ?,"
				      " attempts = attempts + 1, updated = ? WHERE id = ?", "tiii", owner, now + lease, now,
				      c->id), err);
	if (r == 0)
		r = sq_commit(s, err);
	if (r == 0) {
		r = c->id ? 1 : 0;
		goto out;
	}
fail:
	sq_rollback(s);
	sw_st_rematch_chunk_release(c);
out:
	sq_unlock(s);
	return r;
}

int sq_rematch_images(struct sw_st *store, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
		      struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT id, digest FROM images WHERE id >= ? AND id <= ? AND id > ?"
				   " AND inventory IS NOT NULL ORDER BY id", "iii", c->id_from, c->id_to, c->cursor);
	int r = st ? 0 : -SW_E_DB, rc;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_st_rematch_item *it = sw_xcalloc(1, sizeof(*it));
		it->id = sqlite3_column_int64(st, 0);
		it->digest = sq_col_str(st, 1);
		sw_vec_push(out, it);
	}
	if (st && rc != SQLITE_DONE)
		r = sq_db_error(s, "rematch images", err);
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_rematch_progress(struct sw_st *store, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			bool failed, int lease, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "UPDATE rematch_chunks SET cursor = max(cursor, ?1),"
				  " done_images = done_images + (?1 > cursor AND ?2 = 0),"
				  " failed = failed + (?1 > cursor AND ?2 <> 0), changed = changed + (?1 > cursor AND ?3 <> 0),"
				  " lease_until = ?4, updated = ?5 WHERE id = ?6 AND owner = ?7 AND state = 'running'",
				  "iiiiiit", image_id, (int64_t)failed, (int64_t)changed, now + lease, now, chunk, owner), err);
	if (r == 0)
		r = sqlite3_changes(s->db) > 0;
	sq_unlock(s);
	return r;
}

int sq_rematch_end(struct sw_st *store, int64_t chunk, const char *owner, bool finished, int64_t now, bool *gen_done,
		   struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	r = sq_run(s, finished ? sq_prep(s, err, "UPDATE rematch_chunks SET state = 'done', lease_until = NULL, updated = ?"
					 " WHERE id = ? AND owner = ? AND state = 'running'", "iit", now, chunk, owner)
			       : sq_prep(s, err, "UPDATE rematch_chunks SET state = 'pending', lease_until = NULL, updated = ?"
					 " WHERE id = ? AND owner = ? AND state = 'running'", "iit", now, chunk, owner),
		   err);
	bool ours = r == 0 && sqlite3_changes(s->db) > 0;
	if (r == 0 && ours && finished) {
		r = sq_run(s, sq_prep(s, err, "UPDATE rematch_gens SET state = 'done', finished = ?1"
				      " WHERE id = (SELECT gen FROM rematch_chunks WHERE id = ?2) AND state = 'running'"
				      " AND NOT EXISTS (SELECT 1 FROM rematch_chunks c WHERE c.gen = rematch_gens.id"
				      " AND c.state <> 'done')", "ii", now, chunk), err);
		if (r == 0)
			*gen_done = sqlite3_changes(s->db) > 0;
	}
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0) {
		sq_rollback(s);
		*gen_done = false;
	} else {
		r = ours ? 1 : 0;
	}
out:
	sq_unlock(s);
	return r;
}
