/*
 * sqlite_hooks.c - webhooks and their delivery queue in the SQLite back end
 * (store.h "hooks", docs/store.md).  Deliveries are leased like jobs: a
 * claim is one IMMEDIATE transaction that takes the oldest due delivery
 * nobody holds (or whose holder's lease expired) and leases it.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/mem.h"

int sq_deliveries_put_locked(struct sq *s, const struct sw_st_report_put *rp, int64_t report_id, struct sw_err *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < rp->ndeliveries; i++) {
		const struct sw_st_delivery_put *d = &rp->deliveries[i];
		/* a webhook deleted meanwhile gets nothing (and fails nothing) */
		r = sq_run(s, sq_prep(s, err,
				      "INSERT INTO deliveries(webhook, image_digest, body, state, attempts, next_attempt,"
				      " created, report_id) SELECT id, ?, ?, 'pending', 0, ?, ?, ? FROM webhooks WHERE id = ?",
				      "ttiiii", rp->image_digest, d->body, rp->now, rp->now, report_id, d->webhook),
			   err);
	}
	return r;
}

int sq_webhook_put(struct sw_st *store, const struct sw_st_webhook *w, int64_t now, int64_t *id, struct sw_err *err)
{
	struct sq *s = SQ(store);
	if (!w->url || !w->secret)
		return sw_err_set(err, SW_E_USAGE, "a webhook needs a url and a secret");
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err,
				  "INSERT INTO webhooks(url, secret, min_severity, repositories, only_fixable, kev_only, created)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?)",
				  "ttttiii", w->url, w->secret, w->min_severity, w->repositories, (int64_t)w->only_fixable,
				  (int64_t)w->kev_only, now),
		       err);
	if (r == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	sq_unlock(s);
	return r;
}

#define WEBHOOK_COLS "id, url, min_severity, repositories, only_fixable, kev_only, created, secret"

static void webhook_row(sqlite3_stmt *st, struct sw_st_webhook *w, bool with_secret)
{
	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(st, 0);
	w->url = sq_col_str(st, 1);
	w->min_severity = sq_col_str(st, 2);
	w->repositories = sq_col_str(st, 3);
	w->only_fixable = sqlite3_column_int(st, 4) != 0;
	w->kev_only = sqlite3_column_int(st, 5) != 0;
	w->created = sqlite3_column_int64(st, 6);
	if (with_secret)
		w->secret = sq_col_str(st, 7);
}

int sq_webhook_get(struct sw_st *store, int64_t id, struct sw_st_webhook *w, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = ?", "i", id);
	int r = st ? 0 : -SW_E_DB;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		webhook_row(st, w, false);
		r = 1;
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_webhook_list(struct sw_st *store, bool with_secrets, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " WEBHOOK_COLS " FROM webhooks ORDER BY id", NULL);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_webhook *w = sw_xcalloc(1, sizeof(*w));
		webhook_row(st, w, with_secrets);
		sw_vec_push(out, w);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_webhook_delete(struct sw_st *store, int64_t id, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "DELETE FROM deliveries WHERE webhook = ?", "i", id), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "DELETE FROM webhooks WHERE id = ?", "i", id), err);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no webhook %lld", (long long)id);
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0)
		sq_rollback(s);
	sq_unlock(s);
	return r;
}

#define DELIVERY_COLS "d.id, d.webhook, d.image_digest, d.body, d.report_id, d.state, d.attempts, d.next_attempt," \
		      " d.last_error, d.created, d.delivered"

static void delivery_row(sqlite3_stmt *st, struct sw_st_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	d->webhook = sqlite3_column_int64(st, 1);
	d->image_digest = sq_col_str(st, 2);
	d->body = sq_col_str(st, 3);
	d->report_id = sqlite3_column_int64(st, 4);
	const char *state = (const char *)sqlite3_column_text(st, 5);
	d->state = state && strcmp(state, "delivered") == 0 ? SW_DLV_DELIVERED
		   : state && strcmp(state, "failed") == 0  ? SW_DLV_FAILED
							    : SW_DLV_PENDING;
	d->attempts = sqlite3_column_int(st, 6);
	d->next_attempt = sqlite3_column_int64(st, 7);
	d->last_error = sq_col_str(st, 8);
	d->created = sqlite3_column_int64(st, 9);
	d->delivered = sqlite3_column_int64(st, 10);
}

int sq_delivery_list(struct sw_st *store, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " DELIVERY_COLS " FROM deliveries d WHERE d.webhook = ?"
				   " ORDER BY d.id DESC LIMIT ?", "ii", webhook, (int64_t)limit);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_delivery *d = sw_xcalloc(1, sizeof(*d));
		delivery_row(st, d);
		sw_vec_push(out, d);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_delivery_claim(struct sw_st *store, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
		      struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	sqlite3_stmt *st = sq_prep(s, err,
				   "SELECT " DELIVERY_COLS ", w.url, w.secret FROM deliveries d JOIN webhooks w ON w.id = d.webhook"
				   " WHERE d.state = 'pending' AND d.next_attempt <= ?"
				   " AND (d.lease_until IS NULL OR d.lease_until < ?) ORDER BY d.next_attempt, d.id LIMIT 1",
				   "ii", now, now);
	if (!st) {
		r = -SW_E_DB;
		goto fail;
	}
	bool found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		delivery_row(st, d);
		d->url = sq_col_str(st, 11);
		d->secret = sq_col_str(st, 12);
	}
	sqlite3_finalize(st);
	if (!found) {
		r = sq_commit(s, err);
		goto out;
	}
	r = sq_run(s, sq_prep(s, err, "UPDATE deliveries SET attempts = attempts + 1, lease_owner = ?, lease_until = ?"
			      " WHERE id = ?", "tii", owner, now + lease, d->id), err);
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0) {
		sw_st_delivery_release(d);
		goto fail;
	}
	d->attempts++;
	r = 1;
	goto out;
fail:
	sq_rollback(s);
out:
	sq_unlock(s);
	return r;
}

static int owned(struct sq *s, int64_t id, struct sw_err *err)
{
	if (sqlite3_changes(s->db) == 0)
		return sw_err_set(err, SW_E_NOTFOUND, "delivery %lld is not leased to this server any more", (long long)id);
	return 0;
}

int sq_delivery_done(struct sw_st *store, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "UPDATE deliveries SET state = 'delivered', delivered = ?, last_error = NULL,"
				  " lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
				  "iit", now, id, owner), err);
	if (r == 0)
		r = owned(s, id, err);
	sq_unlock(s);
	return r;
}

int sq_delivery_retry(struct sw_st *store, int64_t id, const char *owner, const char *why, int64_t next_attempt,
		      bool give_up, int64_t now, struct sw_err *err)
{
	(void)now;
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "UPDATE deliveries SET state = ?, last_error = ?, next_attempt = ?,"
				  " lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
				  "ttiit", give_up ? "failed" : "pending", why, next_attempt, id, owner), err);
	if (r == 0)
		r = owned(s, id, err);
	sq_unlock(s);
	return r;
}

int sq_delivery_counts(struct sw_st *store, int64_t counts[3], int64_t *webhooks, struct sw_err *err)
{
	struct sq *s = SQ(store);
	counts[0] = counts[1] = counts[2] = 0;
	*webhooks = 0;
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT state, count(*) FROM deliveries GROUP BY state", NULL);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		int k = state && strcmp(state, "delivered") == 0 ? 1 : state && strcmp(state, "failed") == 0 ? 2 : 0;
		counts[k] += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (r == 0) {
		st = sq_prep(s, err, "SELECT count(*) FROM webhooks", NULL);
		if (st && sqlite3_step(st) == SQLITE_ROW)
			*webhooks = sqlite3_column_int64(st, 0);
		r = st ? 0 : -SW_E_DB;
		sqlite3_finalize(st);
	}
	sq_unlock(s);
	return r;
}

int sq_report_findings(struct sw_st *store, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT vuln_id, main, pkg_name, pkg_version, fixed, severity, kev"
				   " FROM findings WHERE report = ? ORDER BY rowid", "i", report_id);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_finding_row *f = sw_xcalloc(1, sizeof(*f));
		f->vuln_id = sq_col_str(st, 0);
		f->main = sq_col_str(st, 1);
		f->pkg_name = sq_col_str(st, 2);
		f->pkg_version = sq_col_str(st, 3);
		f->fixed = sq_col_str(st, 4);
		f->severity = sq_col_str(st, 5);
		f->kev = sqlite3_column_int(st, 6) != 0;
		if (!f->main)
			f->main = sw_xstrdup(f->vuln_id ? f->vuln_id : "");
		sw_vec_push(out, f);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}
