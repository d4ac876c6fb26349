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
