/*
 * cluster.c - coordination between `stowaway serve` instances sharing one
 * store (issue 17, docs/scaling.md): the re-match after a change of the
 * vulnerability database runs in one instance at a time, under the store's
 * named lease "rematch" (sw_st_lock_take).
 */
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"
#include "util/buf.h"

/* How long the re-match lease lasts when its instance dies mid-way. */
#define REMATCH_LEASE 600

bool srv_rematch_claim(struct srv *s, const char *fp)
{
	struct sw_err err = SW_ERR_INIT;
	int r = sw_st_lock_take(s->store, "rematch", s->owner, REMATCH_LEASE, srv_now(), &err);
	if (r < 0 && err.code == SW_E_UNSUPPORTED)
		return true;   /* a back end without leases: every instance re-matches, as before */
	if (r < 0) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"where\":\"rematch lease\",\"error\":");
		srv_json_str(&f, err.msg);
		srv_log(s, "error", "%s", f.data);
		sw_buf_release(&f);
		return false;
	}
	if (r == 0)
		return false;  /* another instance is re-matching */
	/* the instance that held it may have just finished this very change */
	char *stored = NULL;
	if (sw_st_meta_get(s->store, "vulndb_fingerprint", &stored, &err) == 0 && stored && strcmp(stored, fp) == 0) {
		free(stored);
		srv_rematch_release(s);
		return false;
	}
	free(stored);
	return true;
}

void srv_rematch_release(struct srv *s)
{
	struct sw_err err = SW_ERR_INIT;
	(void)sw_st_lock_drop(s->store, "rematch", s->owner, &err);
}
