/*
 * sqlite.c - the SQLite back end of the store (store.h): one file, WAL
 * journal, one connection serialised by a mutex, schema versioned with
 * PRAGMA user_version and migrated on open (docs/store.md).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/mem.h"

/* Migration i takes user_version i to i + 1.  Never edit a migration that
 * shipped: add one. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE images("
	" id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, config_digest TEXT, inv_key TEXT,"
	" inventory BLOB, config BLOB, os TEXT, architecture TEXT,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL, latest_report INTEGER);"
	"CREATE TABLE image_names("
	" image INTEGER NOT NULL REFERENCES images(id), name TEXT NOT NULL, seen INTEGER NOT NULL,"
	" PRIMARY KEY(image, name)) WITHOUT ROWID;"
	"CREATE INDEX image_names_name ON image_names(name);"
	"CREATE TABLE jobs("
	" id INTEGER PRIMARY KEY, ref TEXT NOT NULL, kind TEXT NOT NULL, options TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK(state IN ('pending','running','done','failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0, error TEXT, image_digest TEXT, report_id INTEGER,"
	" reused INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX jobs_state ON jobs(state, id);"
	"CREATE INDEX jobs_ref ON jobs(ref, kind, options, id);"
	"CREATE TABLE reports("
	" id INTEGER PRIMARY KEY, image INTEGER NOT NULL REFERENCES images(id), job_id INTEGER,"
	" db_fingerprint TEXT, created INTEGER NOT NULL,"
	" critical INTEGER NOT NULL, high INTEGER NOT NULL, medium INTEGER NOT NULL, low INTEGER NOT NULL,"
	" negligible INTEGER NOT NULL, unknown INTEGER NOT NULL, total INTEGER NOT NULL,"
	" suppressed INTEGER NOT NULL, complete INTEGER NOT NULL, changes TEXT, report BLOB NOT NULL);"
	"CREATE INDEX reports_image ON reports(image, id);"
	"CREATE TABLE findings("
	" report INTEGER NOT NULL REFERENCES reports(id), vuln_id TEXT NOT NULL, pkg_name TEXT,"
	" pkg_version TEXT, fixed TEXT, severity TEXT);"
	"CREATE INDEX findings_vuln ON findings(vuln_id, report);"
	"CREATE INDEX findings_report ON findings(report);"
	"CREATE TABLE tokens("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL, scope TEXT NOT NULL, lookup TEXT NOT NULL,"
	" salt TEXT NOT NULL, hash TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER);"
	"CREATE INDEX tokens_lookup ON tokens(lookup);"
	"CREATE TABLE webhooks("
	" id INTEGER PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, min_severity TEXT,"
	" repositories TEXT, only_fixable INTEGER NOT NULL DEFAULT 0, kev_only INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE deliveries("
	" id INTEGER PRIMARY KEY, webhook INTEGER NOT NULL REFERENCES webhooks(id), image_digest TEXT,"
	" body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL, last_error TEXT, created INTEGER NOT NULL);"
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);",
	/* 1 -> 2: each report's other sections and policy result */
	"ALTER TABLE reports ADD COLUMN checks_failed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN secrets INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN malware INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reports ADD COLUMN policy TEXT CHECK(policy IN ('pass','warn','stop'));",
	/* 2 -> 3: policy bundles and the packages index (sqlite_policy.c) */
	"CREATE TABLE policies("
	" id TEXT PRIMARY KEY, name TEXT, format TEXT NOT NULL CHECK(format IN ('json','yaml')),"
	" body BLOB NOT NULL, is_default INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX policies_default ON policies(is_default) WHERE is_default = 1;"
	"CREATE TABLE packages("
	" image INTEGER NOT NULL REFERENCES images(id), type TEXT NOT NULL, name TEXT NOT NULL, version TEXT,"
	" package TEXT NOT NULL, purl TEXT, layer TEXT, source INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX packages_name ON packages(name, image);"
	"CREATE INDEX packages_image ON packages(image);",
	/* 3 -> 4 (hooks): a finding's primary id and KEV flag (changes per
	 * image); deliveries leased like jobs, with their report and delivery time */
	"ALTER TABLE findings ADD COLUMN main TEXT;"
	"ALTER TABLE findings ADD COLUMN kev INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE deliveries ADD COLUMN report_id INTEGER;"
	"ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;"
	"ALTER TABLE deliveries ADD COLUMN delivered INTEGER;"
	"CREATE INDEX deliveries_webhook ON deliveries(webhook, id);",
	/* 4 -> 5 (web, issue 18): browser sessions; indexes for the image search */
	"CREATE TABLE web_sessions(hash TEXT PRIMARY KEY, token_name TEXT, scope TEXT NOT NULL,"
	" created INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX web_sessions_expires ON web_sessions(expires);"
	/* covering indexes: the image and report rows hold large blobs
	 * (inventory, config, report) before the columns the search reads */
	"CREATE INDEX images_cover ON images(updated, id, digest, os, created, latest_report, config_digest, inv_key,"
	" architecture);"
	"CREATE INDEX images_latest ON images(latest_report);"
	"CREATE INDEX reports_counts ON reports(id, critical, high, medium, low, negligible, unknown, total,"
	" checks_failed, secrets, malware, policy);"
	"CREATE INDEX jobs_updated ON jobs(state, updated);",
	/* 5 -> 6 (rematch, issue 17): re-matching split into chunks that
	 * instances claim (sqlite_rematch.c) */
	"CREATE TABLE rematch_gens(id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('running','done','superseded')), chunks INTEGER NOT NULL,"
	" images INTEGER NOT NULL, started INTEGER NOT NULL, finished INTEGER);"
	"CREATE TABLE rematch_chunks(id INTEGER PRIMARY KEY, gen INTEGER NOT NULL REFERENCES rematch_gens(id),"
	" id_from INTEGER NOT NULL, id_to INTEGER NOT NULL, images INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('pending','running','done')), cursor INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until INTEGER,"
	" done_images INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0,"
	" failed INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL);"
	"CREATE INDEX rematch_chunks_gen ON rematch_chunks(gen, state, id);",
	/* 6 -> 7 (web, part 2): each
	 * browser session bound to the token it was made with (by the token's
	 * stored hash), so that revoking the token ends it (sqlite_web.c) */
	"CREATE TABLE web_session_tokens(hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, expires INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE INDEX web_session_tokens_expires ON web_session_tokens(expires);"
	"CREATE INDEX web_session_tokens_token ON web_session_tokens(token_hash);"
	"CREATE INDEX tokens_hash ON tokens(hash);"
	"CREATE INDEX tokens_name ON tokens(name);"
	/* the paged "which images" sorts the hits by digest: read from here,
	 * not from the image rows (15 -> 6 ms for a page of 1,000 hits) */
	"CREATE INDEX images_latest_digest ON images(latest_report, digest);",
};
#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(N_MIGRATIONS == SW_STORE_SCHEMA_VERSION, "one migration per schema version");

/* Inventories and reports larger than this are refused on the way out. */
#define MAX_BLOB ((size_t)1 << 30)

int sq_db_error(struct sq *s, const char *what, struct sw_err *err)
{
	return sw_err_set(err, SW_E_DB, "store '%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int sq_exec(struct sq *s, const char *sql, struct sw_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = sw_err_set(err, SW_E_DB, "store '%s': %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

sqlite3_stmt *sq_prep(struct sq *s, struct sw_err *err, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_db_error(s, "prepare", err);
		return NULL;
	}
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt && fmt[i]; i++) {
		int rc = SQLITE_OK;
		switch (fmt[i]) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'i': rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)); break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = p ? sqlite3_bind_blob64(st, i + 1, p, n, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
			break;
		}
		}
		if (rc != SQLITE_OK) {
			va_end(ap);
			sq_db_error(s, "bind", err);
			sqlite3_finalize(st);
			return NULL;
		}
	}
	va_end(ap);
	return st;
}

int sq_run(struct sq *s, sqlite3_stmt *st, struct sw_err *err)
{
	if (!st)
		return -SW_E_DB;
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_db_error(s, "write", err);
	return 0;
}

char *sq_col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? sw_xstrdup((const char *)t) : NULL;
}

void sq_lock(struct sq *s) { pthread_mutex_lock(&s->mu); }
void sq_unlock(struct sq *s) { pthread_mutex_unlock(&s->mu); }

int sq_begin(struct sq *s, struct sw_err *err) { return sq_exec(s, "BEGIN IMMEDIATE", err); }
int sq_commit(struct sq *s, struct sw_err *err) { return sq_exec(s, "COMMIT", err); }
void sq_rollback(struct sq *s) { (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

static int64_t sq_query_int(struct sq *s, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st = NULL;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct sq *s, struct sw_err *err)
{
	int64_t v = sq_query_int(s, "PRAGMA user_version", 0);
	if (v > SW_STORE_SCHEMA_VERSION)
		return sw_err_set(err, SW_E_DB, "store '%s' has schema version %lld, newer than this stowaway (%d)",
				  s->path, (long long)v, SW_STORE_SCHEMA_VERSION);
	if (v == 0 && sq_query_int(s, "SELECT count(*) FROM sqlite_master", 0) > 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "'%s' is not a stowaway store", s->path);
	for (int64_t i = v; i < (int64_t)N_MIGRATIONS; i++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", (long long)(i + 1));
		int r = sq_begin(s, err);
		if (r == 0)
			r = sq_exec(s, migrations[i], err);
		if (r == 0)
			r = sq_exec(s, pragma, err);
		if (r == 0)
			r = sq_commit(s, err);
		if (r < 0) {
			sq_rollback(s);
			return sw_err_wrap(err, "migration to schema %lld", (long long)(i + 1));
		}
	}
	return 0;
}

static void sq_close(struct sw_st *st)
{
	struct sq *s = SQ(st);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}

/* ---------------------------------------------------------------- jobs */

static enum sw_job_state state_of(const char *t)
{
	if (!t)
		return SW_JOB_PENDING;
	if (strcmp(t, "running") == 0)
		return SW_JOB_RUNNING;
	if (strcmp(t, "done") == 0)
		return SW_JOB_DONE;
	if (strcmp(t, "failed") == 0)
		return SW_JOB_FAILED;
	return SW_JOB_PENDING;
}

#define JOB_COLS "id, ref, kind, state, attempts, error, image_digest, report_id, reused, lease_owner, " \
		 "lease_until, created, updated, options"

static void job_row(sqlite3_stmt *st, struct sw_st_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	j->ref = sq_col_str(st, 1);
	j->kind = sq_col_str(st, 2);
	j->state = state_of((const char *)sqlite3_column_text(st, 3));
	j->attempts = sqlite3_column_int(st, 4);
	j->error = sq_col_str(st, 5);
	j->image_digest = sq_col_str(st, 6);
	j->report_id = sqlite3_column_int64(st, 7);
	j->inventory_reused = sqlite3_column_int(st, 8) != 0;
	j->lease_owner = sq_col_str(st, 9);
	j->lease_until = sqlite3_column_int64(st, 10);
	j->created = sqlite3_column_int64(st, 11);
	j->updated = sqlite3_column_int64(st, 12);
	j->options = sq_col_str(st, 13);
}

static int job_get_locked(struct sq *s, int64_t id, struct sw_st_job *job, struct sw_err *err)
{
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", "i", id);
	if (!st)
		return -SW_E_DB;
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		job_row(st, job);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sq_db_error(s, "read job", err);
	}
	sqlite3_finalize(st);
	return r;
}

static int sq_job_get(struct sw_st *store, int64_t id, struct sw_st_job *job, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = job_get_locked(s, id, job, err);
	sq_unlock(s);
	return r;
}

static int sq_job_submit(struct sw_st *store, const char *ref, const char *kind, const char *options, int64_t now,
			 int64_t *id, bool *created, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	sqlite3_stmt *st = sq_prep(s, err, "SELECT id, state FROM jobs WHERE ref = ? AND kind = ? AND options = ?"
				" ORDER BY id DESC LIMIT 1", "ttt", ref, kind, options ? options : "");
	if (!st) {
		r = -SW_E_DB;
		goto fail;
	}
	int64_t last = 0;
	enum sw_job_state ls = SW_JOB_DONE;
	if (sqlite3_step(st) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		ls = state_of((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	*created = false;
	if (last && (ls == SW_JOB_PENDING || ls == SW_JOB_RUNNING)) {
		*id = last;
	} else if (last && ls == SW_JOB_FAILED) {
		r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET state = 'pending', updated = ? WHERE id = ?", "ii", now, last), err);
		*id = last;
	} else {
		r = sq_run(s, sq_prep(s, err, "INSERT INTO jobs(ref, kind, options, state, created, updated)"
				" VALUES (?, ?, ?, 'pending', ?, ?)", "tttii", ref, kind, options ? options : "", now, now), err);
		*id = sqlite3_last_insert_rowid(s->db);
		*created = true;
	}
	if (r < 0)
		goto fail;
	r = sq_commit(s, err);
	if (r < 0)
		goto fail;
	goto out;
fail:
	sq_rollback(s);
out:
	sq_unlock(s);
	return r;
}

static int sq_job_claim(struct sw_st *store, const char *owner, int lease, int64_t now,
			struct sw_st_job *job, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	sqlite3_stmt *st = sq_prep(s, err,
				"SELECT id FROM jobs WHERE state = 'pending' OR (state = 'running' AND lease_until < ?)"
				" ORDER BY id LIMIT 1", "i", now);
	if (!st) {
		r = -SW_E_DB;
		goto fail;
	}
	int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!id) {
		r = sq_commit(s, err);
		goto out;
	}
	r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
			" lease_until = ?, updated = ? WHERE id = ?", "tiii", owner, now + lease, now, id), err);
	if (r == 0)
		r = job_get_locked(s, id, job, err);
	if (r < 0)
		goto fail;
	r = sq_commit(s, err);
	if (r < 0) {
		sw_st_job_release(job);
		goto fail;
	}
	r = 1;
	goto out;
fail:
	sq_rollback(s);
out:
	sq_unlock(s);
	return r;
}

static int sq_job_renew(struct sw_st *store, const char *owner, int lease, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET lease_until = ? WHERE state = 'running' AND lease_owner = ?",
			    "it", now + lease, owner), err);
	sq_unlock(s);
	return r;
}

/* One UPDATE on a running job owner holds; SW_E_NOTFOUND when none changed. */
static int owned_update(struct sq *s, sqlite3_stmt *st, int64_t id, struct sw_err *err)
{
	int r = sq_run(s, st, err);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "job %lld is not running under this server's lease", (long long)id);
	return r;
}

static int sq_job_done(struct sw_st *store, int64_t id, const char *owner, const char *image_digest,
		       int64_t report_id, bool reused, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = owned_update(s, sq_prep(s, err, "UPDATE jobs SET state = 'done', error = NULL, image_digest = ?, report_id = ?,"
				     " reused = ?, lease_owner = NULL, lease_until = NULL, updated = ?"
				     " WHERE id = ? AND state = 'running' AND lease_owner = ?",
				     "tiiiit", image_digest, report_id, (int64_t)reused, now, id, owner), id, err);
	sq_unlock(s);
	return r;
}

static int sq_job_fail(struct sw_st *store, int64_t id, const char *owner, const char *why, int64_t now,
		       struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = owned_update(s, sq_prep(s, err, "UPDATE jobs SET state = 'failed', error = ?, lease_owner = NULL,"
				     " lease_until = NULL, updated = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
				     "tiit", why, now, id, owner), id, err);
	sq_unlock(s);
	return r;
}

static int sq_job_requeue(struct sw_st *store, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = owned_update(s, sq_prep(s, err, "UPDATE jobs SET state = 'pending', lease_owner = NULL, lease_until = NULL,"
				     " updated = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
				     "iit", now, id, owner), id, err);
	sq_unlock(s);
	return r;
}

static int sq_job_retry(struct sw_st *store, int64_t id, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	struct sw_st_job j = { 0 };
	sq_lock(s);
	int r = job_get_locked(s, id, &j, err);
	if (r == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no job %lld", (long long)id);
	else if (r == 1 && j.state != SW_JOB_FAILED)
		r = sw_err_set(err, SW_E_USAGE, "job %lld is %s, not failed", (long long)id, sw_job_state_name(j.state));
	else if (r == 1)
		r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET state = 'pending', updated = ? WHERE id = ? AND state = 'failed'",
				"ii", now, id), err);
	sw_st_job_release(&j);
	sq_unlock(s);
	return r;
}

static int sq_job_cancel(struct sw_st *store, int64_t id, const char *why, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	struct sw_st_job j = { 0 };
	sq_lock(s);
	int r = job_get_locked(s, id, &j, err);
	if (r == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no job %lld", (long long)id);
	else if (r == 1 && j.state != SW_JOB_PENDING)
		r = sw_err_set(err, SW_E_USAGE, "job %lld is %s; only a pending job can be cancelled", (long long)id,
			       sw_job_state_name(j.state));
	else if (r == 1)
		r = sq_run(s, sq_prep(s, err, "UPDATE jobs SET state = 'failed', error = ?, updated = ? WHERE id = ? AND state = 'pending'",
				"tii", why, now, id), err);
	sw_st_job_release(&j);
	sq_unlock(s);
	return r;
}

static int sq_job_counts(struct sw_st *store, int64_t counts[4], struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT state, count(*) FROM jobs GROUP BY state", NULL);
	int r = st ? 0 : -SW_E_DB;
	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW)
		counts[state_of((const char *)sqlite3_column_text(st, 0))] = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

/* ---------------------------------------------------------------- images */

static int sq_image_put(struct sw_st *store, const struct sw_st_image_put *im, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	struct sw_buf packed = SW_BUF_INIT;
	if (im->inventory && sw_st_pack(im->inventory, im->inventory_len, &packed, err) < 0)
		return -SW_E_INTERNAL;
	sq_lock(s);
	int r = sq_begin(s, err);
	if (r < 0)
		goto out;
	r = sq_run(s, sq_prep(s, err,
			"INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture, created, updated)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET"
			" config_digest = excluded.config_digest, inv_key = coalesce(excluded.inv_key, inv_key),"
			" inventory = coalesce(excluded.inventory, inventory), config = coalesce(excluded.config, config),"
			" os = excluded.os, architecture = excluded.architecture, updated = excluded.updated",
			"tttbbttii", im->digest, im->config_digest, im->inv_key,
			im->inventory ? (const void *)packed.data : NULL, packed.len,
			(const void *)im->config_json, im->config_json ? strlen(im->config_json) : (size_t)0, im->os,
			im->architecture, now, now), err);
	if (r == 0 && im->name)
		r = sq_run(s, sq_prep(s, err, "INSERT INTO image_names(image, name, seen) SELECT id, ?, ? FROM images WHERE digest = ?"
				" ON CONFLICT(image, name) DO UPDATE SET seen = excluded.seen", "tit", im->name, now, im->digest),
			err);
	if (r == 0)
		r = sq_commit(s, err);
	if (r < 0)
		sq_rollback(s);
out:
	sq_unlock(s);
	sw_buf_release(&packed);
	return r;
}

#define IMAGE_COLS "i.id, i.digest, i.config_digest, i.inv_key, i.os, i.architecture, i.created, i.updated," \
		   " i.latest_report, r.critical, r.high, r.medium, r.low, r.negligible, r.unknown, r.total," \
		   " r.checks_failed, r.secrets, r.malware, r.policy"
#define IMAGE_FROM " FROM images i LEFT JOIN reports r ON r.id = i.latest_report"

static int image_names(struct sq *s, int64_t image_id, struct sw_vec *out, struct sw_err *err)
{
	sqlite3_stmt *st = sq_prep(s, err, "SELECT name FROM image_names WHERE image = ? ORDER BY seen DESC, name", "i",
				image_id);
	if (!st)
		return -SW_E_DB;
	while (sqlite3_step(st) == SQLITE_ROW)
		sw_vec_push(out, sq_col_str(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static int image_row(struct sq *s, sqlite3_stmt *st, struct sw_st_image *im, struct sw_err *err)
{
	memset(im, 0, sizeof(*im));
	int64_t id = sqlite3_column_int64(st, 0);
	im->digest = sq_col_str(st, 1);
	im->config_digest = sq_col_str(st, 2);
	im->inv_key = sq_col_str(st, 3);
	im->os = sq_col_str(st, 4);
	im->architecture = sq_col_str(st, 5);
	im->created = sqlite3_column_int64(st, 6);
	im->updated = sqlite3_column_int64(st, 7);
	im->latest_report = sqlite3_column_int64(st, 8);
	int64_t *c[] = { &im->critical, &im->high, &im->medium, &im->low, &im->negligible, &im->unknown, &im->total };
	for (int i = 0; i < 7; i++)
		*c[i] = sqlite3_column_int64(st, 9 + i);
	im->checks_failed = sqlite3_column_int64(st, 16);
	im->secrets = sqlite3_column_int64(st, 17);
	im->malware = sqlite3_column_int64(st, 18);
	im->policy = sq_col_str(st, 19);
	return image_names(s, id, &im->names, err);
}

static int sq_image_get(struct sw_st *store, const char *digest, struct sw_st_image *im, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " IMAGE_COLS IMAGE_FROM " WHERE i.digest = ?", "t", digest);
	int r = st ? 0 : -SW_E_DB;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		r = image_row(s, st, im, err);
		if (r == 0)
			r = 1;
		else
			sw_st_image_release(im);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_image_list(struct sw_st *store, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " IMAGE_COLS IMAGE_FROM " ORDER BY i.updated DESC, i.id DESC", NULL);
	int r = st ? 0 : -SW_E_DB;
	while (st && r == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_image *im = sw_xcalloc(1, sizeof(*im));
		r = image_row(s, st, im, err);
		sw_vec_push(out, im);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_inventory_get(struct sw_st *store, const char *digest, const char *inv_key, struct sw_buf *inv,
			    struct sw_buf *config, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				"SELECT inventory, config FROM images WHERE digest = ? AND inventory IS NOT NULL"
				" AND (?2 IS NULL OR inv_key = ?2)", "tt", digest, inv_key);
	int r = st ? 0 : -SW_E_DB;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		r = sw_st_unpack(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), MAX_BLOB, inv, err);
		if (r == 0 && sqlite3_column_bytes(st, 1) > 0)
			sw_buf_add(config, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
		if (r == 0)
			r = 1;
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

/* ---------------------------------------------------------------- reports */

static int sq_report_put(struct sw_st *store, const struct sw_st_report_put *rp, int64_t *id,
			 struct sw_err *err)
{
	struct sq *s = SQ(store);
	struct sw_buf packed = SW_BUF_INIT;
	int r = sw_st_pack(rp->json, rp->json_len, &packed, err);
	if (r < 0)
		return r;
	sq_lock(s);
	r = sq_begin(s, err);
	if (r < 0)
		goto out;
	r = sq_run(s, sq_prep(s, err,
			"INSERT INTO reports(image, job_id, db_fingerprint, created, critical, high, medium, low, negligible,"
			" unknown, total, suppressed, complete, changes, report, checks_failed, secrets, malware, policy)"
			" SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM images WHERE digest = ?",
			"itiiiiiiiiiitbiiitt", rp->job_id, rp->db_fingerprint, rp->now, rp->critical, rp->high, rp->medium,
			rp->low, rp->negligible, rp->unknown, rp->total, rp->suppressed, (int64_t)rp->complete,
			rp->changes_json, (const void *)packed.data, packed.len, rp->checks_failed, rp->secrets, rp->malware,
			rp->policy, rp->image_digest), err);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no stored image %s", rp->image_digest);
	if (r < 0)
		goto fail;
	*id = sqlite3_last_insert_rowid(s->db);
	/* the finding index serves the latest reports only: drop the previous one's */
	r = sq_run(s, sq_prep(s, err, "DELETE FROM findings WHERE report = (SELECT latest_report FROM images WHERE digest = ?)",
			"t", rp->image_digest), err);
	for (size_t i = 0; r == 0 && i < rp->nfindings; i++) {
		const struct sw_st_finding *f = &rp->findings[i];
		r = sq_run(s, sq_prep(s, err, "INSERT INTO findings(report, vuln_id, pkg_name, pkg_version, fixed, severity,"
				" main, kev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "itttttti", *id, f->vuln_id, f->pkg_name,
				f->pkg_version, f->fixed, f->severity, f->main, (int64_t)f->kev), err);
	}
	if (r == 0)
		r = sq_deliveries_put_locked(s, rp, *id, err);   /* hooks: notifications, same transaction */
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "UPDATE images SET latest_report = ?, updated = ? WHERE digest = ?", "iit", *id,
				rp->now, rp->image_digest), err);
	if (r == 0)
		r = sq_commit(s, err);
	if (r == 0)
		goto out;
fail:
	sq_rollback(s);
out:
	sq_unlock(s);
	sw_buf_release(&packed);
	return r;
}

#define REPORT_COLS "r.id, i.digest, r.job_id, r.db_fingerprint, r.created, r.critical, r.high, r.medium, r.low," \
		    " r.negligible, r.unknown, r.total, r.suppressed, r.complete, r.changes, r.checks_failed, r.secrets," \
		    " r.malware, r.policy"

static void report_row(sqlite3_stmt *st, struct sw_st_report *r)
{
	struct sw_buf empty = SW_BUF_INIT;
	memset(r, 0, sizeof(*r));
	r->json = empty;
	r->id = sqlite3_column_int64(st, 0);
	r->image_digest = sq_col_str(st, 1);
	r->job_id = sqlite3_column_int64(st, 2);
	r->db_fingerprint = sq_col_str(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	int64_t *c[] = { &r->critical, &r->high, &r->medium, &r->low, &r->negligible, &r->unknown, &r->total,
			 &r->suppressed };
	for (int i = 0; i < 8; i++)
		*c[i] = sqlite3_column_int64(st, 5 + i);
	r->complete = sqlite3_column_int(st, 13) != 0;
	r->changes_json = sq_col_str(st, 14);
	r->checks_failed = sqlite3_column_int64(st, 15);
	r->secrets = sqlite3_column_int64(st, 16);
	r->malware = sqlite3_column_int64(st, 17);
	r->policy = sq_col_str(st, 18);
}

static int sq_report_get(struct sw_st *store, int64_t id, struct sw_st_report *rep, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " REPORT_COLS ", r.report FROM reports r JOIN images i ON i.id = r.image"
				" WHERE r.id = ?", "i", id);
	int r = st ? 0 : -SW_E_DB;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		report_row(st, rep);
		r = sw_st_unpack(sqlite3_column_blob(st, 19), (size_t)sqlite3_column_bytes(st, 19), MAX_BLOB, &rep->json,
				    err);
		if (r == 0)
			r = 1;
		else
			sw_st_report_release(rep);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_report_list(struct sw_st *store, const char *digest, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT " REPORT_COLS " FROM reports r JOIN images i ON i.id = r.image"
				" WHERE i.digest = ? ORDER BY r.id DESC", "t", digest);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_report *rep = sw_xcalloc(1, sizeof(*rep));
		report_row(st, rep);
		sw_vec_push(out, rep);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_report_finding_ids(struct sw_st *store, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT DISTINCT vuln_id FROM findings WHERE report = ? ORDER BY vuln_id", "i",
				report_id);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW)
		sw_vec_push(out, sq_col_str(st, 0));
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_vuln_images(struct sw_st *store, const char *vuln_id, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				"SELECT i.digest, (SELECT group_concat(name, ' ') FROM image_names n WHERE n.image = i.id),"
				" f.pkg_name, f.pkg_version, f.fixed, f.severity, f.report"
				" FROM findings f JOIN images i ON i.latest_report = f.report"
				" WHERE f.vuln_id = ? ORDER BY i.digest, f.pkg_name", "t", vuln_id);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_hit *h = sw_xcalloc(1, sizeof(*h));
		h->image_digest = sq_col_str(st, 0);
		h->names = sq_col_str(st, 1);
		h->pkg_name = sq_col_str(st, 2);
		h->pkg_version = sq_col_str(st, 3);
		h->fixed = sq_col_str(st, 4);
		h->severity = sq_col_str(st, 5);
		h->report_id = sqlite3_column_int64(st, 6);
		sw_vec_push(out, h);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

/* ---------------------------------------------------------------- tokens, meta */

static int sq_token_put(struct sw_st *store, const char *name, const char *scope, const char *salt,
			const char *hash, const char *prefix, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "INSERT INTO tokens(name, scope, lookup, salt, hash, created) VALUES (?, ?, ?, ?, ?, ?)",
			    "ttttti", name, scope, prefix, salt, hash, now), err);
	sq_unlock(s);
	return r;
}

static int sq_token_lookup(struct sw_st *store, const char *prefix, struct sw_vec *rows, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT name, scope, salt, hash FROM tokens WHERE lookup = ? AND revoked IS NULL",
				"t", prefix);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < 4; i++) {
			char *v = sq_col_str(st, i);
			sw_vec_push(rows, v ? v : sw_xstrdup(""));
		}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_meta_get(struct sw_st *store, const char *key, char **value, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT value FROM meta WHERE key = ?", "t", key);
	int r = st ? 0 : -SW_E_DB;
	*value = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		*value = sq_col_str(st, 0);
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

static int sq_meta_set(struct sw_st *store, const char *key, const char *value, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
			    " value = excluded.value", "tt", key, value), err);
	sq_unlock(s);
	return r;
}

static const struct sw_st_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.job_submit = sq_job_submit,
	.job_claim = sq_job_claim,
	.job_renew = sq_job_renew,
	.job_done = sq_job_done,
	.job_fail = sq_job_fail,
	.job_requeue = sq_job_requeue,
	.job_retry = sq_job_retry,
	.job_cancel = sq_job_cancel,
	.job_get = sq_job_get,
	.job_counts = sq_job_counts,
	.image_put = sq_image_put,
	.image_get = sq_image_get,
	.image_list = sq_image_list,
	.inventory_get = sq_inventory_get,
	.report_put = sq_report_put,
	.report_get = sq_report_get,
	.report_list = sq_report_list,
	.report_finding_ids = sq_report_finding_ids,
	.vuln_images = sq_vuln_images,
	.token_put = sq_token_put,
	.token_lookup = sq_token_lookup,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.policy_put = sq_policy_put,
	.policy_get = sq_policy_get,
	.policy_list = sq_policy_list,
	.policy_delete = sq_policy_delete,
	.policy_set_default = sq_policy_set_default,
	.packages_put = sq_packages_put,
	.packages_find = sq_packages_find,
	/* hooks (sqlite_hooks.c) */
	.webhook_put = sq_webhook_put,
	.webhook_get = sq_webhook_get,
	.webhook_list = sq_webhook_list,
	.webhook_delete = sq_webhook_delete,
	.delivery_list = sq_delivery_list,
	.delivery_claim = sq_delivery_claim,
	.delivery_done = sq_delivery_done,
	.delivery_retry = sq_delivery_retry,
	.delivery_counts = sq_delivery_counts,
	.report_findings = sq_report_findings,
	/* web (issue 18): sqlite_web.c */
	.image_search = sq_image_search,
	.session_put = sq_session_put,
	.session_get = sq_session_get,
	.session_delete = sq_session_delete,
	.job_recent = sq_job_recent,
	.job_claim_id = sq_job_claim_id,
	.job_report = sq_job_report,
	.collect = sq_collect,
	.table_sizes = sq_table_sizes,
	.lock_take = sq_lock_take,
	.lock_drop = sq_lock_drop,
	.job_begin = sq_job_begin,
	/* rematch (issue 17, pgscale): sqlite_rematch.c */
	.rematch_begin = sq_rematch_begin,
	.rematch_status = sq_rematch_status,
	.rematch_claim = sq_rematch_claim,
	.rematch_images = sq_rematch_images,
	.rematch_progress = sq_rematch_progress,
	.rematch_end = sq_rematch_end,
	/* web, part 2 (sqlite_web.c) */
	.vuln_images_page = sq_vuln_images_page,
	.session_bind = sq_session_bind,
	.session_token_live = sq_session_token_live,
	.token_revoke = sq_token_revoke,
};

int sw_st_sqlite_open(const char *path, struct sw_st **out, struct sw_err *err)
{
	struct sq *s = sw_xcalloc(1, sizeof(*s));
	s->base.ops = &sqlite_ops;
	s->path = sw_xstrdup(path);
	pthread_mutex_init(&s->mu, NULL);
	int r;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		r = sq_db_error(s, "cannot open", err);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 10000);
	/* A file that is not SQLite fails here. */
	if (sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		r = sq_db_error(s, "not a database", err);
		goto fail;
	}
	/* WAL: readers do not wait for the writer; synchronous NORMAL is
	 * durable across a process kill (not a power loss of the last
	 * commits), and the store opens without repair after kill -9. */
	r = sq_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", err);
	if (r == 0)
		r = migrate(s, err);
	if (r < 0)
		goto fail;
	*out = &s->base;
	return 0;
fail:
	sq_close(&s->base);
	return r;
}
