/*
 * sqlite_policy.c - the SQLite side of the policy bundles and of the
 * packages index (store.h, docs/store.md; tables of migration 2 -> 3).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/mem.h"

int sq_policy_put(struct sw_st *store, const struct sw_st_policy_put *p, bool replace, int64_t now,
		  struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r;
	if (replace) {
		r = sq_run(s, sq_prep(s, err, "UPDATE policies SET name = ?, format = ?, body = ?, updated = ? WHERE id = ?",
				      "ttbit", p->name, p->format, p->body, p->body_len, now, p->id),
			   err);
		if (r == 0 && sqlite3_changes(s->db) == 0)
			r = sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", p->id);
	} else {
		r = sq_run(s, sq_prep(s, err, "INSERT INTO policies(id, name, format, body, created, updated)"
					      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
				      "tttbii", p->id, p->name, p->format, p->body, p->body_len, now, now),
			   err);
		if (r == 0 && sqlite3_changes(s->db) == 0)
			r = sw_err_set(err, SW_E_USAGE, "a policy bundle with id '%s' exists (PUT replaces it)", p->id);
	}
	sq_unlock(s);
	return r;
}

static void row_policy(sqlite3_stmt *st, struct sw_st_policy *p, bool body)
{
	memset(p, 0, sizeof(*p));
	p->id = sq_col_str(st, 0);
	p->name = sq_col_str(st, 1);
	p->format = sq_col_str(st, 2);
	p->is_default = sqlite3_column_int64(st, 3) != 0;
	p->created = sqlite3_column_int64(st, 4);
	p->updated = sqlite3_column_int64(st, 5);
	if (body) {
		const void *b = sqlite3_column_blob(st, 6);
		int n = sqlite3_column_bytes(st, 6);
		sw_buf_add(&p->body, b ? b : "", (size_t)n);
		sw_buf_addch(&p->body, 0);
		p->body.len--;   /* NUL-terminated for the parsers */
	}
}

int sq_policy_get(struct sw_st *store, const char *id, struct sw_st_policy *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = id ? sq_prep(s, err, "SELECT id, name, format, is_default, created, updated, body"
						" FROM policies WHERE id = ?", "t", id)
			      : sq_prep(s, err, "SELECT id, name, format, is_default, created, updated, body"
						" FROM policies WHERE is_default = 1", "");
	int r = st ? 0 : -SW_E_DB;
	if (st) {
		int k = sqlite3_step(st);
		if (k == SQLITE_ROW) {
			row_policy(st, out, true);
			r = 1;
		} else if (k != SQLITE_DONE) {
			r = sq_db_error(s, "read a policy bundle", err);
		}
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_policy_list(struct sw_st *store, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT id, name, format, is_default, created, updated FROM policies ORDER BY id",
				   "");
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_policy *p = sw_xcalloc(1, sizeof(*p));
		row_policy(st, p, false);
		sw_vec_push(out, p);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_policy_delete(struct sw_st *store, const char *id, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "DELETE FROM policies WHERE id = ?", "t", id), err);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", id);
	sq_unlock(s);
	return r;
}

int sq_policy_set_default(struct sw_st *store, const char *id, bool on, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	bool exists = false;
	if (r == 0) {
		sqlite3_stmt *st = sq_prep(s, err, "SELECT 1 FROM policies WHERE id = ?", "t", id);
		if (!st)
			r = -SW_E_DB;
		else
			exists = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (r == 0 && !exists)
			r = sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", id);
	}
	if (r == 0 && on)
		r = sq_run(s, sq_prep(s, err, "UPDATE policies SET is_default = 0 WHERE is_default = 1 AND id <> ?", "t",
				      id),
			   err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "UPDATE policies SET is_default = ?, updated = ? WHERE id = ?", "iit",
				      (int64_t)(on ? 1 : 0), now, id),
			   err);
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0)
		sq_rollback(s);
	sq_unlock(s);
	return r;
}

int sq_packages_put(struct sw_st *store, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
		    struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	int64_t image = 0;
	if (r == 0) {
		sqlite3_stmt *st = sq_prep(s, err, "SELECT id FROM images WHERE digest = ?", "t", digest);
		if (!st)
			r = -SW_E_DB;
		else if (sqlite3_step(st) == SQLITE_ROW)
			image = sqlite3_column_int64(st, 0);
		else
			r = sw_err_set(err, SW_E_NOTFOUND, "no stored image %s", digest);
		sqlite3_finalize(st);
	}
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "DELETE FROM packages WHERE image = ?", "i", image), err);
	sqlite3_stmt *ins = NULL;
	if (r == 0 && n) {
		ins = sq_prep(s, err, "INSERT INTO packages(image, type, name, version, package, purl, layer, source)"
				      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "");
		if (!ins)
			r = -SW_E_DB;
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct sw_st_pkg_row *p = &rows[i];
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, image);
		sqlite3_bind_text(ins, 2, p->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, p->version, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, p->package, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, p->purl, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, p->layer, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 8, p->source ? 1 : 0);
		if (sqlite3_step(ins) != SQLITE_DONE)
			r = sq_db_error(s, "write the packages index", err);
	}
	sqlite3_finalize(ins);
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0)
		sq_rollback(s);
	sq_unlock(s);
	return r;
}

int sq_packages_find(struct sw_st *store, const char *name, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				   "SELECT i.digest, (SELECT group_concat(name, ' ') FROM image_names n WHERE n.image = i.id),"
				   " p.type, p.name, p.version, p.package, p.purl, p.layer, p.source"
				   " FROM packages p JOIN images i ON i.id = p.image"
				   " WHERE p.name = ? ORDER BY i.digest, p.package, p.version",
				   "t", name);
	int r = st ? 0 : -SW_E_DB;
	int k = SQLITE_DONE;
	while (st && (k = sqlite3_step(st)) == SQLITE_ROW) {
		struct sw_st_pkg_hit *h = sw_xcalloc(1, sizeof(*h));
		h->image_digest = sq_col_str(st, 0);
		h->names = sq_col_str(st, 1);
		h->type = sq_col_str(st, 2);
		h->name = sq_col_str(st, 3);
		h->version = sq_col_str(st, 4);
		h->package = sq_col_str(st, 5);
		h->purl = sq_col_str(st, 6);
		h->layer = sq_col_str(st, 7);
		h->source = sqlite3_column_int64(st, 8) != 0;
		sw_vec_push(out, h);
	}
	if (st && k != SQLITE_DONE)
		r = sq_db_error(s, "read the packages index", err);
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}
