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

/* sqlite_upload.c */
int sq_job_begin(struct sw_st *store, const char *ref, const char *kind, const char *options, const char *owner,
		 int lease, int64_t now, int64_t *id, struct sw_err *err);

#endif
