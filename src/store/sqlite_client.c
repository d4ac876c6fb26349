/* sqlite_client.c - the SQLite side of client mode's store operations
 * (store.h "client mode"). */
#include "store/sqlite_int.h"

int sq_job_claim_id(struct sw_st *store, int64_t id, const char *owner, int lease, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
			" lease_until = ?, updated = ? WHERE id = ?"
			" AND (state = 'pending' OR (state = 'running' AND lease_until < ?))",
			"tiiii", owner, now + lease, now, id, now), err);
	if (r == 0)
		r = sqlite3_changes(s->db) > 0 ? 1 : 0;
	sq_unlock(s);
	return r;
}

int sq_job_report(struct sw_st *store, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT r.id, i.digest FROM reports r JOIN images i ON i.id = r.image"
				   " WHERE r.job_id = ? ORDER BY r.id LIMIT 1", "i", job_id);
	int r = -SW_E_DB;
	if (st) {
		int k = sqlite3_step(st);
		if (k == SQLITE_ROW) {
			*report_id = sqlite3_column_int64(st, 0);
			*digest = sq_col_str(st, 1);
			r = 1;
		} else if (k == SQLITE_DONE) {
			r = 0;
		} else {
			r = sq_db_error(s, "job report", err);
		}
		sqlite3_finalize(st);
	}
	sq_unlock(s);
	return r;
}
