/* sqlite_upload.c - the SQLite side of the upload operations (store.h
 * "upload"): a job that starts running at once under its owner's lease. */
#include "store/sqlite_int.h"

int sq_job_begin(struct sw_st *store, const char *ref, const char *kind, const char *options, const char *owner,
		 int lease, int64_t now, int64_t *id, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "INSERT INTO jobs(ref, kind, options, state, attempts, lease_owner, lease_until,"
				  " created, updated) VALUES (?, ?, ?, 'running', 1, ?, ?, ?, ?)",
				  "ttttiii", ref, kind, options ? options : "", owner, now + lease, now, now), err);
	if (r == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	sq_unlock(s);
	return r;
}
