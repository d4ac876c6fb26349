/*
 * sqlite_int.h - what the files of the SQLite back end share (src/store/
 * only): the connection and the statement helpers of sqlite.c.  A file
 * that adds operations (sqlite_<area>.c) takes the lock around its
 * statements and returns errors through sw_err like sqlite.c does; its
 * schema goes into sqlite.c's migrations[] (one new entry per change).
 */
#ifndef SW_STORE_SQLITE_INT_H
#define SW_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/store.h"

struct sq {
	struct sw_st base;
	sqlite3 *db;
	char *path;
	pthread_mutex_t mu;      /* one connection, serialised */
};

static inline struct sq *SQ(struct sw_st *st) { return (struct sq *)st; }

/* err = "store 'PATH': what: sqlite's message"; returns -SW_E_DB. */
int sq_db_error(struct sq *s, const char *what, struct sw_err *err);
/* Run sql (one or more statements, no parameters). */
int sq_exec(struct sq *s, const char *sql, struct sw_err *err);
/* Prepare sql and bind by a format: t text (NULL = null), i int64,
 * b blob (pointer, size_t).  NULL (err set) on failure; the caller
 * finalizes the statement. */
sqlite3_stmt *sq_prep(struct sq *s, struct sw_err *err, const char *sql, const char *fmt, ...);
/* Step a statement that returns no row (NULL: the prepare failed, err
 * already set), finalize it. */
int sq_run(struct sq *s, sqlite3_stmt *st, struct sw_err *err);
/* Column i as a malloc'd string, or NULL. */
char *sq_col_str(sqlite3_stmt *st, int i);
void sq_lock(struct sq *s);
void sq_unlock(struct sq *s);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (call with the lock held). */
int sq_begin(struct sq *s, struct sw_err *err);
int sq_commit(struct sq *s, struct sw_err *err);
void sq_rollback(struct sq *s);

/* sqlite_policy.c: policy bundles and the packages index (polapi) */
int sq_policy_put(struct sw_st *st, const struct sw_st_policy_put *p, bool replace, int64_t now, struct sw_err *err);
int sq_policy_get(struct sw_st *st, const char *id, struct sw_st_policy *out, struct sw_err *err);
int sq_policy_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
int sq_policy_delete(struct sw_st *st, const char *id, struct sw_err *err);
int sq_policy_set_default(struct sw_st *st, const char *id, bool on, int64_t now, struct sw_err *err);
int sq_packages_put(struct sw_st *st, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
		    struct sw_err *err);
int sq_packages_find(struct sw_st *st, const char *name, struct sw_vec *out, struct sw_err *err);
/* hooks (sqlite_hooks.c): the operations on webhooks and deliveries, and
 * the delivery rows of a report, written inside sq_report_put's
 * transaction (lock held). */
int sq_deliveries_put_locked(struct sq *s, const struct sw_st_report_put *rp, int64_t report_id, struct sw_err *err);
int sq_webhook_put(struct sw_st *st, const struct sw_st_webhook *w, int64_t now, int64_t *id, struct sw_err *err);
int sq_webhook_get(struct sw_st *st, int64_t id, struct sw_st_webhook *w, struct sw_err *err);
int sq_webhook_list(struct sw_st *st, bool with_secrets, struct sw_vec *out, struct sw_err *err);
int sq_webhook_delete(struct sw_st *st, int64_t id, struct sw_err *err);
int sq_delivery_list(struct sw_st *st, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err);
int sq_delivery_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
		      struct sw_err *err);
int sq_delivery_done(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err);
int sq_delivery_retry(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t next_attempt,
		      bool give_up, int64_t now, struct sw_err *err);
int sq_delivery_counts(struct sw_st *st, int64_t counts[3], int64_t *webhooks, struct sw_err *err);
int sq_report_findings(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err);
/* web (issue 18): sqlite_web.c */
int sq_image_search(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
		    struct sw_err *err);
int sq_session_put(struct sw_st *st, const char *hash, const char *name, const char *scope, int64_t now,
		   int64_t expires, struct sw_err *err);
int sq_session_get(struct sw_st *st, const char *hash, int64_t now, char **name, char **scope, struct sw_err *err);
int sq_session_delete(struct sw_st *st, const char *hash, struct sw_err *err);
int sq_job_recent(struct sw_st *st, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err);
int sq_vuln_images_page(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset, struct sw_vec *out,
			int64_t *total, struct sw_err *err);
int sq_session_bind(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
		    struct sw_err *err);
int sq_session_token_live(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err);
int sq_token_revoke(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err);
/* sqlite_client.c: client mode's operations */
int sq_job_claim_id(struct sw_st *store, int64_t id, const char *owner, int lease, int64_t now, struct sw_err *err);
int sq_job_report(struct sw_st *store, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err);
/* sqlite_retention.c (issue 17) */
int sq_collect(struct sw_st *st, int64_t before, struct sw_st_collected *out, struct sw_err *err);
int sq_table_sizes(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
int sq_lock_take(struct sw_st *st, const char *name, const char *owner, int ttl, int64_t now, struct sw_err *err);
int sq_lock_drop(struct sw_st *st, const char *name, const char *owner, struct sw_err *err);
/* sqlite_upload.c */
int sq_job_begin(struct sw_st *store, const char *ref, const char *kind, const char *options, const char *owner,
		 int lease, int64_t now, int64_t *id, struct sw_err *err);
/* sqlite_rematch.c (issue 17, pgscale): re-matching in chunks */
int sq_rematch_begin(struct sw_st *store, const char *fp, int64_t chunk_size, bool force, int64_t now,
		     struct sw_st_rematch *out, struct sw_err *err);
int sq_rematch_status(struct sw_st *store, struct sw_st_rematch *out, struct sw_err *err);
int sq_rematch_claim(struct sw_st *store, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
		     struct sw_err *err);
int sq_rematch_images(struct sw_st *store, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
		      struct sw_err *err);
int sq_rematch_progress(struct sw_st *store, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			bool failed, int lease, int64_t now, struct sw_err *err);
int sq_rematch_end(struct sw_st *store, int64_t chunk, const char *owner, bool finished, int64_t now, bool *gen_done,
		   struct sw_err *err);

#endif
