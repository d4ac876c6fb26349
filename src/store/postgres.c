/*
 * postgres.c - the PostgreSQL back end of the store (store.h), for several
 * `stowaway serve` processes on one database (docs/store.md, docs/scaling.md).
 *
 * - libpq is loaded with dlopen() on the first open (postgres_pq.h).
 * - A pool of connections: a call takes an idle one (or opens one while
 *   fewer than pool_max are open, else waits), runs, and gives it back.  The
 *   pool therefore grows to the number of threads that use the store at
 *   once: the scan workers, the request threads and the watcher.
 * - Every statement is a prepared statement, prepared once per connection
 *   on first use (named sN after its index in stmts[]).
 * - The schema is migrated on open under a session advisory lock: of
 *   several instances starting at once one migrates, the others wait and
 *   find the schema current.
 * - A broken connection (database restart, network) is replaced and the
 *   operation run once more.  That is safe because every operation either
 *   only reads, or is idempotent (upserts), or writes an operation token
 *   (a random id, column op_token) into the row it creates or changes: the
 *   second run first asks whether the first one committed (a COMMIT whose
 *   answer was lost) and then returns what it did instead of doing it
 *   again.  A transaction cut before its COMMIT was rolled back by the
 *   server, so running it again is plain.
 * - Reconnecting waits up to RECONNECT_WAIT seconds for a database that is
 *   restarting (connection refused, "the database system is starting up").
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "store/postgres_pq.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"

/* pg_advisory_lock key of the migrations: "stowaway" in ASCII. */
#define MIGRATE_LOCK "8319395793566789753"
/* Seconds a reconnection keeps trying while the database restarts. */
#define RECONNECT_WAIT 30
#define DEFAULT_POOL_MAX 64
/* Inventories and reports larger than this are refused on the way out. */
#define MAX_BLOB ((size_t)1 << 30)
#define MAXP 24
/* pg_advisory_xact_lock key of the rematch generations' begin ("rematch!") */
#define REMATCH_LOCK "8243115411466544161"
#define RM_GEN_COLS                                                                                            \
	"g.id, g.fingerprint, g.state, g.started, coalesce(g.finished, 0), g.chunks, g.images,"                \
	" (SELECT count(*) FILTER (WHERE c.state = 'done') FROM rematch_chunks c WHERE c.gen = g.id),"          \
	" (SELECT count(*) FILTER (WHERE c.state = 'running') FROM rematch_chunks c WHERE c.gen = g.id),"       \
	" (SELECT coalesce(sum(done_images), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                     \
	" (SELECT coalesce(sum(changed), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                         \
	" (SELECT coalesce(sum(failed), 0) FROM rematch_chunks c WHERE c.gen = g.id),"                          \
	" (SELECT count(DISTINCT owner) FROM rematch_chunks c WHERE c.gen = g.id)"

/* Migration i takes the schema from version i to i + 1 (table
 * stowaway_schema).  Never edit one that shipped: add one.  Version 1 is
 * the SQLite schema 2 (docs/store.md lists the differences). */
static const char *const migrations[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE images("
	" id BIGSERIAL PRIMARY KEY, digest TEXT NOT NULL UNIQUE, config_digest TEXT, inv_key TEXT,"
	" inventory BYTEA, config BYTEA, os TEXT, architecture TEXT,"
	" created BIGINT NOT NULL, updated BIGINT NOT NULL, latest_report BIGINT);"
	"CREATE TABLE image_names("
	" image BIGINT NOT NULL REFERENCES images(id), name TEXT NOT NULL, seen BIGINT NOT NULL,"
	" PRIMARY KEY(image, name));"
	"CREATE INDEX image_names_name ON image_names(name);"
	"CREATE TABLE jobs("
	" id BIGSERIAL PRIMARY KEY, ref TEXT NOT NULL, kind TEXT NOT NULL, options TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK(state IN ('pending','running','done','failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0, error TEXT, image_digest TEXT, report_id BIGINT,"
	" reused INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until BIGINT,"
	" created BIGINT NOT NULL, updated BIGINT NOT NULL, op_token TEXT);"
	"CREATE INDEX jobs_state ON jobs(state, id);"
	"CREATE INDEX jobs_ref ON jobs(ref, kind, options, id);"
	"CREATE TABLE reports("
	" id BIGSERIAL PRIMARY KEY, image BIGINT NOT NULL REFERENCES images(id), job_id BIGINT,"
	" db_fingerprint TEXT, created BIGINT NOT NULL,"
	" critical BIGINT NOT NULL, high BIGINT NOT NULL, medium BIGINT NOT NULL, low BIGINT NOT NULL,"
	" negligible BIGINT NOT NULL, unknown BIGINT NOT NULL, total BIGINT NOT NULL,"
	" suppressed BIGINT NOT NULL, complete INTEGER NOT NULL, changes TEXT, report BYTEA NOT NULL,"
	" checks_failed BIGINT NOT NULL DEFAULT 0, secrets BIGINT NOT NULL DEFAULT 0,"
	" malware BIGINT NOT NULL DEFAULT 0, policy TEXT CHECK(policy IN ('pass','warn','stop')), op_token TEXT);"
	"CREATE INDEX reports_image ON reports(image, id);"
	"CREATE TABLE findings("
	" report BIGINT NOT NULL REFERENCES reports(id), vuln_id TEXT NOT NULL, pkg_name TEXT,"
	" pkg_version TEXT, fixed TEXT, severity TEXT);"
	"CREATE INDEX findings_vuln ON findings(vuln_id, report);"
	"CREATE INDEX findings_report ON findings(report);"
	"CREATE TABLE tokens("
	" id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, scope TEXT NOT NULL, lookup TEXT NOT NULL,"
	" salt TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created BIGINT NOT NULL, revoked BIGINT);"
	"CREATE INDEX tokens_lookup ON tokens(lookup);"
	"CREATE TABLE webhooks("
	" id BIGSERIAL PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, min_severity TEXT,"
	" repositories TEXT, only_fixable INTEGER NOT NULL DEFAULT 0, kev_only INTEGER NOT NULL DEFAULT 0,"
	" created BIGINT NOT NULL);"
	"CREATE TABLE deliveries("
	" id BIGSERIAL PRIMARY KEY, webhook BIGINT NOT NULL REFERENCES webhooks(id), image_digest TEXT,"
	" body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt BIGINT NOT NULL, last_error TEXT, created BIGINT NOT NULL);"
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);",
	/* 1 -> 2 (pgport): what SQLite's schemas 3-5 added - policy bundles,
	 * the packages index, a finding's primary id and KEV flag (and its
	 * place in the report: ord), deliveries leased like jobs, browser
	 * sessions, the search's indexes; op_token on the rows the new
	 * non-idempotent writes create or change */
	"CREATE TABLE policies("
	" id TEXT PRIMARY KEY, name TEXT, format TEXT NOT NULL CHECK(format IN ('json','yaml')),"
	" body BYTEA NOT NULL, is_default INTEGER NOT NULL DEFAULT 0,"
	" created BIGINT NOT NULL, updated BIGINT NOT NULL, op_token TEXT);"
	"CREATE UNIQUE INDEX policies_default ON policies(is_default) WHERE is_default = 1;"
	"CREATE TABLE packages("
	" image BIGINT NOT NULL REFERENCES images(id), type TEXT NOT NULL, name TEXT NOT NULL, version TEXT,"
	" package TEXT NOT NULL, purl TEXT, layer TEXT, source INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX packages_name ON packages(name, image);"
	"CREATE INDEX packages_image ON packages(image);"
	"ALTER TABLE findings ADD COLUMN main TEXT;"
	"ALTER TABLE findings ADD COLUMN kev INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE findings ADD COLUMN ord BIGINT;"
	"ALTER TABLE deliveries ADD COLUMN report_id BIGINT;"
	"ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE deliveries ADD COLUMN lease_until BIGINT;"
	"ALTER TABLE deliveries ADD COLUMN delivered BIGINT;"
	"ALTER TABLE deliveries ADD COLUMN op_token TEXT;"
	"CREATE INDEX deliveries_webhook ON deliveries(webhook, id);"
	"ALTER TABLE webhooks ADD COLUMN op_token TEXT;"
	"CREATE TABLE web_sessions(hash TEXT PRIMARY KEY, token_name TEXT, scope TEXT NOT NULL,"
	" created BIGINT NOT NULL, expires BIGINT NOT NULL);"
	"CREATE INDEX web_sessions_expires ON web_sessions(expires);"
	"CREATE INDEX images_updated ON images(updated, id);"
	"CREATE INDEX images_latest ON images(latest_report);"
	"CREATE INDEX jobs_updated ON jobs(state, updated);"
	"CREATE INDEX reports_job ON reports(job_id, id);",
	/* 2 -> 3 (rematch, issue 17): re-matching split into chunks that the
	 * instances claim (the section "rematch" at the end of this file) */
	"CREATE TABLE rematch_gens(id BIGSERIAL PRIMARY KEY, fingerprint TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('running','done','superseded')), chunks BIGINT NOT NULL,"
	" images BIGINT NOT NULL, started BIGINT NOT NULL, finished BIGINT, op_token TEXT);"
	"CREATE TABLE rematch_chunks(id BIGSERIAL PRIMARY KEY, gen BIGINT NOT NULL REFERENCES rematch_gens(id),"
	" id_from BIGINT NOT NULL, id_to BIGINT NOT NULL, images BIGINT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('pending','running','done')), cursor BIGINT NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until BIGINT,"
	" done_images BIGINT NOT NULL DEFAULT 0, changed BIGINT NOT NULL DEFAULT 0,"
	" failed BIGINT NOT NULL DEFAULT 0, updated BIGINT NOT NULL, op_token TEXT);"
	"CREATE INDEX rematch_chunks_gen ON rematch_chunks(gen, state, id);",
	/* 3 -> 4 (web, part 2, issue 18): browser sessions bound to their token's
	 * stored hash, so that revoking the token ends them */
	"CREATE TABLE web_session_tokens(hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, expires BIGINT NOT NULL);"
	"CREATE INDEX web_session_tokens_expires ON web_session_tokens(expires);"
	"CREATE INDEX web_session_tokens_token ON web_session_tokens(token_hash);"
	"CREATE INDEX tokens_name ON tokens(name);"
	"CREATE INDEX images_latest_digest ON images(latest_report, digest);",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---------------------------------------------------------------- statements */

#define JOB_COLS "id, ref, kind, state, attempts, error, image_digest, report_id, reused, lease_owner, " \
		 "lease_until, created, updated, options"
#define NAMES_AGG "(SELECT string_agg(n.name, E'\\n' ORDER BY n.seen DESC, n.name) FROM image_names n" \
		  " WHERE n.image = i.id)"
#define IMAGE_COLS "i.id, i.digest, i.config_digest, i.inv_key, i.os, i.architecture, i.created, i.updated," \
		   " i.latest_report, r.critical, r.high, r.medium, r.low, r.negligible, r.unknown, r.total," \
		   " r.checks_failed, r.secrets, r.malware, r.policy, " NAMES_AGG
#define IMAGE_FROM " FROM images i LEFT JOIN reports r ON r.id = i.latest_report"
#define REPORT_COLS "r.id, i.digest, r.job_id, r.db_fingerprint, r.created, r.critical, r.high, r.medium, r.low," \
		    " r.negligible, r.unknown, r.total, r.suppressed, r.complete, r.changes, r.checks_failed, r.secrets," \
		    " r.malware, r.policy"

/* pgport */
#define POLICY_COLS "id, name, format, is_default, created, updated"
#define WEBHOOK_COLS "id, url, min_severity, repositories, only_fixable, kev_only, created, secret"
#define DELIVERY_COLS "d.id, d.webhook, d.image_digest, d.body, d.report_id, d.state, d.attempts, d.next_attempt," \
		      " d.last_error, d.created, d.delivered"
#define DELIVERY_HOOK "(SELECT w.url FROM webhooks w WHERE w.id = d.webhook)," \
		      " (SELECT w.secret FROM webhooks w WHERE w.id = d.webhook)"
#define RECENT_COLS "id, ref, kind, state, attempts, error, image_digest, report_id, reused, created, updated"
/* pg_advisory_xact_lock key of a change of the default policy bundle */
#define POLICY_LOCK "8319395793566789754"

enum {
	S_JOB_GET, S_JOB_TOKEN, S_JOB_LOCK_REF, S_JOB_LAST, S_JOB_REPEND, S_JOB_INSERT, S_JOB_CLAIM, S_JOB_CLAIMED,
	S_JOB_RENEW, S_JOB_DONE, S_JOB_FAIL, S_JOB_REQUEUE, S_JOB_RETRY, S_JOB_CANCEL, S_JOB_COUNTS,
	S_IMG_UPSERT, S_NAME_UPSERT, S_IMG_GET, S_IMG_LIST, S_INV_GET,
	S_REP_BY_TOKEN, S_REP_IMAGE_LOCK, S_REP_INSERT, S_FIND_DEL, S_FIND_INS, S_IMG_LATEST, S_REP_GET, S_REP_LIST,
	S_REP_IDS, S_REP_FINDINGS, S_VULN_IMAGES, S_TOK_PUT, S_TOK_LOOKUP, S_META_GET, S_META_SET,
	S_COLLECT_JOBS, S_COLLECT_REPORTS, S_COLLECT_DELIVERIES, S_TABLE_SIZES, S_LOCK_TAKE, S_LOCK_DROP,
	/* pgport: policies, packages, hooks, web, client mode, uploads */
	S_POL_INSERT, S_POL_TOKEN, S_POL_UPDATE, S_POL_GET, S_POL_GET_DEFAULT, S_POL_LIST, S_POL_DELETE, S_POL_LOCK,
	S_POL_EXISTS, S_POL_CLEAR, S_POL_SET, S_PKG_IMAGE, S_PKG_DEL, S_PKG_INS, S_PKG_FIND, S_FIND_INS2,
	S_REP_FINDINGS2, S_DLV_INSERT, S_HOOK_INSERT, S_HOOK_BY_TOKEN, S_HOOK_GET, S_HOOK_LIST, S_HOOK_DEL_DLV,
	S_HOOK_DELETE, S_DLV_LIST, S_DLV_CLAIM, S_DLV_CLAIMED, S_DLV_TOKEN, S_DLV_DONE, S_DLV_RETRY, S_DLV_COUNTS,
	S_HOOK_COUNT, S_SESS_PURGE, S_SESS_PUT, S_SESS_GET, S_SESS_DELETE, S_JOB_RECENT, S_JOB_RECENT_FAILED,
	S_JOB_CLAIM_ID, S_JOB_REPORT, S_JOB_BEGIN, S_JOB_BEGUN,
	/* rematch (issue 17, pgscale) */
	S_RM_LOCK, S_RM_BY_TOKEN, S_RM_LATEST, S_RM_GET, S_RM_SUPERSEDE, S_RM_GEN_INS, S_RM_CHUNKS_DEL, S_RM_CHUNKS_INS,
	S_RM_GEN_FILL, S_RM_CLAIM, S_RM_CLAIMED, S_RM_IMAGES, S_RM_PROGRESS, S_RM_END, S_RM_GEN_LOCK, S_RM_GEN_DONE,
	S_RM_CHUNK_OF,
	/* web, part 2 (issue 18) */
	S_VULN_PAGE_COUNT, S_VULN_PAGE, S_SESS_BIND_GC, S_SESS_BIND, S_SESS_LIVE, S_TOK_REVOKE, S_TOK_REVOKED_AT,
	N_STMT
};

static const struct {
	const char *sql;
	bool binary;    /* results in binary format (the queries that return bytea) */
} stmts[N_STMT] = {
	[S_JOB_GET] = { "SELECT " JOB_COLS " FROM jobs WHERE id = $1", false },
	[S_JOB_TOKEN] = { "SELECT 1 FROM jobs WHERE id = $1 AND op_token = $2", false },
	/* one submission of a (ref, kind, options) at a time, in every instance */
	[S_JOB_LOCK_REF] = { "SELECT pg_advisory_xact_lock(hashtextextended($1::text || E'\\n' || $2::text || E'\\n' || $3::text, 0))",
			     false },
	[S_JOB_LAST] = { "SELECT id, state, op_token FROM jobs WHERE ref = $1 AND kind = $2 AND options = $3"
			 " ORDER BY id DESC LIMIT 1", false },
	[S_JOB_REPEND] = { "UPDATE jobs SET state = 'pending', updated = $2, op_token = $3 WHERE id = $1", false },
	[S_JOB_INSERT] = { "INSERT INTO jobs(ref, kind, options, state, created, updated, op_token)"
			   " VALUES ($1, $2, $3, 'pending', $4, $4, $5) RETURNING id", false },
	/* expired leases first (older work), then the oldest pending job;
	 * rows another instance is claiming right now are skipped */
	[S_JOB_CLAIM] = { "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1,"
			  " lease_until = $2, updated = $3, op_token = $4 WHERE id = coalesce("
			  " (SELECT id FROM jobs WHERE state = 'running' AND lease_until < $3"
			  " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),"
			  " (SELECT id FROM jobs WHERE state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED))"
			  " RETURNING " JOB_COLS, false },
	[S_JOB_CLAIMED] = { "SELECT " JOB_COLS " FROM jobs WHERE state = 'running' AND lease_owner = $1"
			    " AND op_token = $2", false },
	[S_JOB_RENEW] = { "UPDATE jobs SET lease_until = $1 WHERE state = 'running' AND lease_owner = $2", false },
	[S_JOB_DONE] = { "UPDATE jobs SET state = 'done', error = NULL, image_digest = $1, report_id = $2, reused = $3,"
			 " lease_owner = NULL, lease_until = NULL, updated = $4, op_token = $7"
			 " WHERE id = $5 AND state = 'running' AND lease_owner = $6", false },
	[S_JOB_FAIL] = { "UPDATE jobs SET state = 'failed', error = $1, lease_owner = NULL, lease_until = NULL,"
			 " updated = $2, op_token = $5 WHERE id = $3 AND state = 'running' AND lease_owner = $4", false },
	[S_JOB_REQUEUE] = { "UPDATE jobs SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated = $1,"
			    " op_token = $4 WHERE id = $2 AND state = 'running' AND lease_owner = $3", false },
	[S_JOB_RETRY] = { "UPDATE jobs SET state = 'pending', updated = $2, op_token = $3"
			  " WHERE id = $1 AND state = 'failed'", false },
	[S_JOB_CANCEL] = { "UPDATE jobs SET state = 'failed', error = $2, updated = $3, op_token = $4"
			   " WHERE id = $1 AND state = 'pending'", false },
	[S_JOB_COUNTS] = { "SELECT state, count(*) FROM jobs GROUP BY state", false },
	[S_IMG_UPSERT] = { "INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture,"
			   " created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT(digest) DO UPDATE SET"
			   " config_digest = excluded.config_digest, inv_key = coalesce(excluded.inv_key, images.inv_key),"
			   " inventory = coalesce(excluded.inventory, images.inventory),"
			   " config = coalesce(excluded.config, images.config), os = excluded.os,"
			   " architecture = excluded.architecture, updated = excluded.updated", false },
	[S_NAME_UPSERT] = { "INSERT INTO image_names(image, name, seen) SELECT id, $1::text, $2::bigint FROM images WHERE digest = $3"
			    " ON CONFLICT(image, name) DO UPDATE SET seen = excluded.seen", false },
	[S_IMG_GET] = { "SELECT " IMAGE_COLS IMAGE_FROM " WHERE i.digest = $1", false },
	[S_IMG_LIST] = { "SELECT " IMAGE_COLS IMAGE_FROM " ORDER BY i.updated DESC, i.id DESC", false },
	[S_INV_GET] = { "SELECT inventory, config FROM images WHERE digest = $1 AND inventory IS NOT NULL"
			" AND ($2::text IS NULL OR inv_key = $2::text)", true },
	[S_REP_BY_TOKEN] = { "SELECT r.id FROM reports r JOIN images i ON i.id = r.image"
			     " WHERE i.digest = $1 AND r.op_token = $2", false },
	/* one report_put per image at a time: the finding index stays the latest report's */
	[S_REP_IMAGE_LOCK] = { "SELECT id, latest_report FROM images WHERE digest = $1 FOR UPDATE", false },
	[S_REP_INSERT] = { "INSERT INTO reports(image, job_id, db_fingerprint, created, critical, high, medium, low,"
			   " negligible, unknown, total, suppressed, complete, changes, report, checks_failed, secrets,"
			   " malware, policy, op_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
			   " $14, $15, $16, $17, $18, $19, $20) RETURNING id", false },
	[S_FIND_DEL] = { "DELETE FROM findings WHERE report = $1", false },
	[S_FIND_INS] = { "INSERT INTO findings(report, vuln_id, pkg_name, pkg_version, fixed, severity)"
			 " SELECT $1::bigint, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])", false },
	[S_IMG_LATEST] = { "UPDATE images SET latest_report = $1, updated = $2 WHERE id = $3", false },
	[S_REP_GET] = { "SELECT " REPORT_COLS ", r.report FROM reports r JOIN images i ON i.id = r.image"
			" WHERE r.id = $1", true },
	[S_REP_LIST] = { "SELECT " REPORT_COLS " FROM reports r JOIN images i ON i.id = r.image"
			 " WHERE i.digest = $1 ORDER BY r.id DESC", false },
	[S_REP_IDS] = { "SELECT DISTINCT vuln_id FROM findings WHERE report = $1 ORDER BY vuln_id", false },
	[S_REP_FINDINGS] = { "SELECT vuln_id, pkg_name, pkg_version, fixed, severity FROM findings WHERE report = $1"
			     " ORDER BY vuln_id", false },
	[S_VULN_IMAGES] = { "SELECT i.digest, (SELECT string_agg(n.name, ' ' ORDER BY n.name) FROM image_names n"
			    " WHERE n.image = i.id), f.pkg_name, f.pkg_version, f.fixed, f.severity, f.report"
			    " FROM findings f JOIN images i ON i.latest_report = f.report"
			    " WHERE f.vuln_id = $1 ORDER BY i.digest, f.pkg_name", false },
	[S_TOK_PUT] = { "INSERT INTO tokens(name, scope, lookup, salt, hash, created) VALUES ($1, $2, $3, $4, $5, $6)"
			" ON CONFLICT(hash) DO NOTHING", false },
	[S_TOK_LOOKUP] = { "SELECT name, scope, salt, hash FROM tokens WHERE lookup = $1 AND revoked IS NULL", false },
	[S_META_GET] = { "SELECT value FROM meta WHERE key = $1", false },
	[S_META_SET] = { "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET"
			 " value = excluded.value", false },
	[S_COLLECT_JOBS] = { "DELETE FROM jobs WHERE state IN ('done', 'failed') AND updated < $1", false },
	/* superseded reports only (their finding rows went when the next report came) */
	[S_COLLECT_REPORTS] = { "DELETE FROM reports r WHERE r.created < $1"
				" AND NOT EXISTS (SELECT 1 FROM images i WHERE i.latest_report = r.id)"
				" AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.report = r.id)", false },
	[S_COLLECT_DELIVERIES] = { "DELETE FROM deliveries WHERE state = 'delivered' AND created < $1", false },
	[S_TABLE_SIZES] = { "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables"
			    " WHERE schemaname = current_schema() ORDER BY relname", false },
	[S_LOCK_TAKE] = { "INSERT INTO meta(key, value) VALUES ('lock:' || $1::text, $2::text || ' ' || $4::bigint)"
			  " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
			  " WHERE split_part(meta.value, ' ', 1) = $2::text OR split_part(meta.value, ' ', 2)::bigint < $3::bigint",
			  false },
	[S_LOCK_DROP] = { "DELETE FROM meta WHERE key = 'lock:' || $1::text AND split_part(value, ' ', 1) = $2::text",
			  false },
	/* pgport: policies */
	[S_POL_INSERT] = { "INSERT INTO policies(id, name, format, body, created, updated, op_token)"
			   " VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT(id) DO NOTHING", false },
	[S_POL_TOKEN] = { "SELECT 1 FROM policies WHERE id = $1 AND op_token = $2", false },
	[S_POL_UPDATE] = { "UPDATE policies SET name = $1, format = $2, body = $3, updated = $4 WHERE id = $5", false },
	[S_POL_GET] = { "SELECT " POLICY_COLS ", body FROM policies WHERE id = $1", true },
	[S_POL_GET_DEFAULT] = { "SELECT " POLICY_COLS ", body FROM policies WHERE is_default = 1", true },
	[S_POL_LIST] = { "SELECT " POLICY_COLS " FROM policies ORDER BY id COLLATE \"C\"", false },
	[S_POL_DELETE] = { "DELETE FROM policies WHERE id = $1", false },
	/* one change of the default at a time, in every instance */
	[S_POL_LOCK] = { "SELECT pg_advisory_xact_lock(" POLICY_LOCK ")", false },
	[S_POL_EXISTS] = { "SELECT 1 FROM policies WHERE id = $1", false },
	[S_POL_CLEAR] = { "UPDATE policies SET is_default = 0 WHERE is_default = 1 AND id <> $1", false },
	[S_POL_SET] = { "UPDATE policies SET is_default = $1, updated = $2 WHERE id = $3", false },
	/* pgport: the packages index ("which images": packages_name) */
	[S_PKG_IMAGE] = { "SELECT id FROM images WHERE digest = $1 FOR UPDATE", false },
	[S_PKG_DEL] = { "DELETE FROM packages WHERE image = $1", false },
	[S_PKG_INS] = { "INSERT INTO packages(image, type, name, version, package, purl, layer, source)"
			" SELECT $1::bigint, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
			" $7::text[], $8::int[])", false },
	[S_PKG_FIND] = { "SELECT i.digest, (SELECT string_agg(n.name, ' ' ORDER BY n.name COLLATE \"C\") FROM image_names n"
			 " WHERE n.image = i.id), p.type, p.name, p.version, p.package, p.purl, p.layer, p.source"
			 " FROM packages p JOIN images i ON i.id = p.image WHERE p.name = $1"
			 " ORDER BY i.digest COLLATE \"C\", p.package COLLATE \"C\", p.version COLLATE \"C\"", false },
	/* pgport: findings with their primary id, KEV flag and place; deliveries */
	[S_FIND_INS2] = { "INSERT INTO findings(report, vuln_id, pkg_name, pkg_version, fixed, severity, main, kev, ord)"
			  " SELECT $1::bigint, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
			  " $7::text[], $8::int[]) WITH ORDINALITY u", false },
	[S_REP_FINDINGS2] = { "SELECT vuln_id, main, pkg_name, pkg_version, fixed, severity, kev FROM findings"
			      " WHERE report = $1 ORDER BY ord, vuln_id COLLATE \"C\"", false },
	/* a webhook deleted meanwhile gets nothing (and fails nothing) */
	[S_DLV_INSERT] = { "INSERT INTO deliveries(webhook, image_digest, body, state, attempts, next_attempt, created,"
			   " report_id) SELECT id, $2::text, $3::text, 'pending', 0, $4::bigint, $4::bigint, $5::bigint"
			   " FROM webhooks WHERE id = $1", false },
	/* pgport: webhooks and their delivery queue */
	[S_HOOK_INSERT] = { "INSERT INTO webhooks(url, secret, min_severity, repositories, only_fixable, kev_only, created,"
			    " op_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", false },
	[S_HOOK_BY_TOKEN] = { "SELECT id FROM webhooks WHERE op_token = $1", false },
	[S_HOOK_GET] = { "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = $1", false },
	[S_HOOK_LIST] = { "SELECT " WEBHOOK_COLS " FROM webhooks ORDER BY id", false },
	[S_HOOK_DEL_DLV] = { "DELETE FROM deliveries WHERE webhook = $1", false },
	[S_HOOK_DELETE] = { "DELETE FROM webhooks WHERE id = $1", false },
	[S_DLV_LIST] = { "SELECT " DELIVERY_COLS " FROM deliveries d WHERE d.webhook = $1 ORDER BY d.id DESC LIMIT $2",
			 false },
	/* the oldest due delivery nobody holds (or whose holder's lease
	 * expired); rows another instance is claiming are skipped */
	[S_DLV_CLAIM] = { "UPDATE deliveries d SET attempts = d.attempts + 1, lease_owner = $1, lease_until = $2,"
			  " op_token = $4 WHERE d.id = (SELECT id FROM deliveries WHERE state = 'pending'"
			  " AND next_attempt <= $3 AND (lease_until IS NULL OR lease_until < $3)"
			  " ORDER BY next_attempt, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
			  " RETURNING " DELIVERY_COLS ", " DELIVERY_HOOK, false },
	[S_DLV_CLAIMED] = { "SELECT " DELIVERY_COLS ", " DELIVERY_HOOK " FROM deliveries d WHERE d.state = 'pending'"
			    " AND d.lease_owner = $1 AND d.op_token = $2", false },
	[S_DLV_TOKEN] = { "SELECT 1 FROM deliveries WHERE id = $1 AND op_token = $2", false },
	[S_DLV_DONE] = { "UPDATE deliveries SET state = 'delivered', delivered = $1, last_error = NULL, lease_owner = NULL,"
			 " lease_until = NULL, op_token = $4 WHERE id = $2 AND lease_owner = $3", false },
	[S_DLV_RETRY] = { "UPDATE deliveries SET state = $1, last_error = $2, next_attempt = $3, lease_owner = NULL,"
			  " lease_until = NULL, op_token = $6 WHERE id = $4 AND lease_owner = $5", false },
	[S_DLV_COUNTS] = { "SELECT state, count(*) FROM deliveries GROUP BY state", false },
	[S_HOOK_COUNT] = { "SELECT count(*) FROM webhooks", false },
	/* pgport: web sessions, recent jobs */
	[S_SESS_PURGE] = { "DELETE FROM web_sessions WHERE expires < $1", false },
	[S_SESS_PUT] = { "INSERT INTO web_sessions(hash, token_name, scope, created, expires) VALUES ($1, $2, $3, $4, $5)"
			 " ON CONFLICT(hash) DO NOTHING", false },
	[S_SESS_GET] = { "SELECT token_name, scope FROM web_sessions WHERE hash = $1 AND expires > $2", false },
	[S_SESS_DELETE] = { "DELETE FROM web_sessions WHERE hash = $1", false },
	[S_JOB_RECENT] = { "SELECT " RECENT_COLS " FROM jobs ORDER BY id DESC LIMIT $1", false },
	[S_JOB_RECENT_FAILED] = { "SELECT " RECENT_COLS " FROM jobs WHERE state = 'failed' ORDER BY updated DESC, id DESC"
				  " LIMIT $1", false },
	/* pgport: client mode, uploads */
	[S_JOB_CLAIM_ID] = { "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_until = $2,"
			     " updated = $3, op_token = $5 WHERE id = $4"
			     " AND (state = 'pending' OR (state = 'running' AND lease_until < $3))", false },
	[S_JOB_REPORT] = { "SELECT r.id, i.digest FROM reports r JOIN images i ON i.id = r.image WHERE r.job_id = $1"
			   " ORDER BY r.id LIMIT 1", false },
	[S_JOB_BEGIN] = { "INSERT INTO jobs(ref, kind, options, state, attempts, lease_owner, lease_until, created, updated,"
			  " op_token) VALUES ($1, $2, $3, 'running', 1, $4, $5, $6, $6, $7) RETURNING id", false },
	[S_JOB_BEGUN] = { "SELECT id FROM jobs WHERE ref = $1 AND kind = $2 AND options = $3 AND op_token = $4", false },
	/* rematch (issue 17, pgscale): generations and their chunks */
	[S_RM_LOCK] = { "SELECT pg_advisory_xact_lock(" REMATCH_LOCK ")", false },
	[S_RM_BY_TOKEN] = { "SELECT id FROM rematch_gens WHERE op_token = $1", false },
	[S_RM_LATEST] = { "SELECT " RM_GEN_COLS " FROM rematch_gens g ORDER BY g.id DESC LIMIT 1", false },
	[S_RM_GET] = { "SELECT " RM_GEN_COLS " FROM rematch_gens g WHERE g.id = $1", false },
	[S_RM_SUPERSEDE] = { "UPDATE rematch_gens SET state = 'superseded', finished = $1 WHERE state = 'running'", false },
	[S_RM_GEN_INS] = { "INSERT INTO rematch_gens(fingerprint, state, chunks, images, started, op_token)"
			   " VALUES ($1, 'running', 0, 0, $2, $3) RETURNING id", false },
	[S_RM_CHUNKS_DEL] = { "DELETE FROM rematch_chunks WHERE gen < $1", false },
	[S_RM_CHUNKS_INS] = { "INSERT INTO rematch_chunks(gen, id_from, id_to, images, state, updated)"
			      " SELECT $1::bigint, min(id), max(id), count(*), 'pending', $2::bigint FROM"
			      " (SELECT id, (row_number() OVER (ORDER BY id) - 1) / $3::bigint AS k FROM images"
			      " WHERE inventory IS NOT NULL) t GROUP BY k", false },
	[S_RM_GEN_FILL] = { "UPDATE rematch_gens g SET chunks = t.n, images = t.i,"
			    " state = CASE WHEN t.n > 0 THEN 'running' ELSE 'done' END,"
			    " finished = CASE WHEN t.n > 0 THEN NULL ELSE $2::bigint END"
			    " FROM (SELECT count(*) AS n, coalesce(sum(images), 0) AS i FROM rematch_chunks WHERE gen = $1) t"
			    " WHERE g.id = $1", false },
	/* expired leases and pending chunks of the running generation, by id;
	 * rows another instance is claiming right now are skipped */
	[S_RM_CLAIM] = { "UPDATE rematch_chunks SET state = 'running', owner = $1, lease_until = $2,"
			 " attempts = attempts + 1, updated = $3, op_token = $4 WHERE id = ("
			 " SELECT c.id FROM rematch_chunks c JOIN rematch_gens g ON g.id = c.gen WHERE g.state = 'running'"
			 " AND (c.state = 'pending' OR (c.state = 'running' AND c.lease_until < $3))"
			 " ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED)"
			 " RETURNING id, gen, id_from, id_to, cursor, attempts", false },
	[S_RM_CLAIMED] = { "SELECT id, gen, id_from, id_to, cursor, attempts FROM rematch_chunks"
			   " WHERE state = 'running' AND owner = $1 AND op_token = $2", false },
	[S_RM_IMAGES] = { "SELECT id, digest FROM images WHERE id >= $1 AND id <= $2 AND id > $3"
			  " AND inventory IS NOT NULL ORDER BY id", false },
	/* idempotent: an image at or before the cursor counts once */
	[S_RM_PROGRESS] = { "UPDATE rematch_chunks SET cursor = greatest(cursor, $1::bigint),"
			    " done_images = done_images + (CASE WHEN $1::bigint > cursor AND $2::int = 0 THEN 1 ELSE 0 END),"
			    " failed = failed + (CASE WHEN $1::bigint > cursor AND $2::int <> 0 THEN 1 ELSE 0 END),"
			    " changed = changed + (CASE WHEN $1::bigint > cursor AND $3::int <> 0 THEN 1 ELSE 0 END),"
			    " lease_until = $4, updated = $5 WHERE id = $6 AND owner = $7 AND state = 'running'", false },
	[S_RM_END] = { "UPDATE rematch_chunks SET state = $1, lease_until = NULL, updated = $2, op_token = $5"
		       " WHERE id = $3 AND owner = $4 AND state = 'running' RETURNING gen", false },
	/* the ends of a generation's chunks one at a time: the last one sees the others done */
	[S_RM_GEN_LOCK] = { "SELECT g.id FROM rematch_gens g JOIN rematch_chunks c ON c.gen = g.id WHERE c.id = $1"
			    " FOR UPDATE OF g", false },
	[S_RM_GEN_DONE] = { "UPDATE rematch_gens g SET state = 'done', finished = $1 WHERE g.id = $2 AND g.state = 'running'"
			    " AND NOT EXISTS (SELECT 1 FROM rematch_chunks c WHERE c.gen = g.id AND c.state <> 'done')", false },
	[S_RM_CHUNK_OF] = { "SELECT state, op_token FROM rematch_chunks WHERE id = $1 AND owner = $2", false },
	/* web, part 2 (issue 18): the paged "which images" (the order of
	 * SQLite's, byte order), sessions bound to their token, revocation */
	[S_VULN_PAGE_COUNT] = { "SELECT count(*) FROM findings f JOIN images i ON i.latest_report = f.report"
				" WHERE f.vuln_id = $1", false },
	[S_VULN_PAGE] = { "SELECT t.digest, (SELECT string_agg(n.name, ' ' ORDER BY n.name) FROM image_names n"
			  " WHERE n.image = t.iid), t.pkg_name, t.pkg_version, t.fixed, t.severity, t.report FROM"
			  " (SELECT i.id AS iid, i.digest, f.pkg_name, f.pkg_version, f.fixed, f.severity, f.report"
			  "  FROM findings f JOIN images i ON i.latest_report = f.report WHERE f.vuln_id = $1"
			  "  ORDER BY i.digest COLLATE \"C\", f.pkg_name COLLATE \"C\", f.pkg_version COLLATE \"C\","
			  "  f.fixed COLLATE \"C\", f.severity COLLATE \"C\" LIMIT $2 OFFSET $3) t"
			  " ORDER BY t.digest COLLATE \"C\", t.pkg_name COLLATE \"C\", t.pkg_version COLLATE \"C\","
			  " t.fixed COLLATE \"C\", t.severity COLLATE \"C\"", false },
	[S_SESS_BIND_GC] = { "DELETE FROM web_session_tokens WHERE expires < $1", false },
	[S_SESS_BIND] = { "INSERT INTO web_session_tokens(hash, token_hash, expires) VALUES ($1, $2, $3)"
			  " ON CONFLICT(hash) DO UPDATE SET token_hash = excluded.token_hash, expires = excluded.expires",
			  false },
	[S_SESS_LIVE] = { "SELECT 1 FROM web_session_tokens b JOIN tokens t ON t.hash = b.token_hash"
			  " WHERE b.hash = $1 AND b.expires > $2 AND t.revoked IS NULL", false },
	[S_TOK_REVOKE] = { "WITH r AS (UPDATE tokens SET revoked = $2 WHERE name = $1 AND revoked IS NULL RETURNING hash),"
			   " d AS (DELETE FROM web_session_tokens WHERE token_hash IN (SELECT hash FROM r))"
			   " SELECT count(*) FROM r", false },
	[S_TOK_REVOKED_AT] = { "SELECT count(*) FROM tokens WHERE name = $1 AND revoked = $2", false },
};

/* ---------------------------------------------------------------- connections */

struct pgc {
	PGconn *conn;
	bool prepared[N_STMT];
	bool broken;       /* the last failure was the connection's */
};

struct pg {
	struct sw_st base;
	char *conninfo;    /* what libpq gets */
	char *shown;       /* the URL with its password masked, for messages */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pgc **idle;
	size_t nidle;
	unsigned open, max;
};

static inline struct pg *PG(struct sw_st *st) { return (struct pg *)st; }

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* libpq's message: its first line. */
static void first_line(const char *m, char *out, size_t n)
{
	snprintf(out, n, "%s", m && *m ? m : "unknown error");
	out[strcspn(out, "\r\n")] = 0;
}

static int conn_error(struct pg *p, PGconn *conn, const char *what, struct sw_err *err)
{
	char m[512];
	first_line(conn ? sw_pq->error_message(conn) : NULL, m, sizeof(m));
	return sw_err_set(err, SW_E_DB, "store '%s': %s: %s", p->shown, what, m);
}

/* A connection failure worth waiting out: the server is (re)starting or
 * not reachable for now.  Authentication and unknown databases are not. */
static bool transient(const char *m)
{
	static const char *const words[] = { "Connection refused", "No such file or directory",
					     "the database system is", "server closed the connection",
					     "timeout expired", "Connection reset", "could not receive data",
					     "could not send data", "terminating connection" };
	for (size_t i = 0; m && i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(m, words[i]))
			return true;
	return false;
}

/* Open a connection; wait up to `wait` seconds while the failure is transient. */
static int conn_open(struct pg *p, struct pgc *c, int wait, struct sw_err *err)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long delay_ms = 50;
	memset(c->prepared, 0, sizeof(c->prepared));
	c->broken = false;
	for (;;) {
		c->conn = sw_pq->connectdb(p->conninfo);
		if (c->conn && sw_pq->status(c->conn) == CONNECTION_OK) {
			sw_pq->set_notice_processor(c->conn, quiet, NULL);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		bool again = c->conn && transient(sw_pq->error_message(c->conn)) && now.tv_sec - t0.tv_sec < wait;
		if (!again) {
			int r = conn_error(p, c->conn, "cannot connect", err);
			sw_pq->finish(c->conn);
			c->conn = NULL;
			return r;
		}
		sw_pq->finish(c->conn);
		c->conn = NULL;
		struct timespec d = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
		nanosleep(&d, NULL);
		if (delay_ms < 1000)
			delay_ms *= 2;
	}
}

static void conn_close(struct pgc *c)
{
	if (c->conn)
		sw_pq->finish(c->conn);
	c->conn = NULL;
}

/* Take a connection: an idle one (checked: one the server closed while it
 * was idle is replaced), or a new one, or wait for one. */
static int pool_get(struct pg *p, struct pgc **out, struct sw_err *err)
{
	pthread_mutex_lock(&p->mu);
	while (!p->nidle && p->open >= p->max)
		pthread_cond_wait(&p->cv, &p->mu);
	struct pgc *c = NULL;
	if (p->nidle)
		c = p->idle[--p->nidle];
	else
		p->open++;
	pthread_mutex_unlock(&p->mu);
	if (c && (sw_pq->status(c->conn) != CONNECTION_OK || !sw_pq->consume_input(c->conn) ||
		  sw_pq->status(c->conn) != CONNECTION_OK)) {
		conn_close(c);
		if (conn_open(p, c, RECONNECT_WAIT, err) == 0) {
			*out = c;
			return 0;
		}
		free(c);
		c = NULL;
		goto lost;
	}
	if (c) {
		*out = c;
		return 0;
	}
	c = sw_xcalloc(1, sizeof(*c));
	if (conn_open(p, c, RECONNECT_WAIT, err) == 0) {
		*out = c;
		return 0;
	}
	free(c);
lost:
	pthread_mutex_lock(&p->mu);
	p->open--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return -SW_E_DB;
}

static void pool_put(struct pg *p, struct pgc *c)
{
	pthread_mutex_lock(&p->mu);
	if (c->conn && !c->broken) {
		p->idle[p->nidle++] = c;
	} else {
		conn_close(c);
		free(c);
		p->open--;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* ---------------------------------------------------------------- statements */

static void mark_broken(struct pgc *c, const PGresult *res)
{
	const char *state = res ? sw_pq->result_error_field(res, PG_DIAG_SQLSTATE) : NULL;
	/* class 08: connection exception; 57P01-57P03: shutdown, crash, starting */
	c->broken = sw_pq->status(c->conn) != CONNECTION_OK ||
		    (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0));
}

static int res_error(struct pg *p, struct pgc *c, PGresult *res, const char *what, struct sw_err *err)
{
	char m[512];
	first_line(res ? sw_pq->result_error_message(res) : sw_pq->error_message(c->conn), m, sizeof(m));
	if (!*m || strcmp(m, "unknown error") == 0)
		first_line(sw_pq->error_message(c->conn), m, sizeof(m));
	mark_broken(c, res);
	return sw_err_set(err, SW_E_DB, "store '%s': %s: %s", p->shown, what, m);
}

/* Run a command without parameters (BEGIN, COMMIT, a migration). */
static int simple(struct pg *p, struct pgc *c, const char *sql, struct sw_err *err)
{
	PGresult *res = sw_pq->exec(c->conn, sql);
	ExecStatusType st = res ? sw_pq->result_status(res) : PGRES_FATAL_ERROR;
	int r = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		r = res_error(p, c, res, sql, err);
	sw_pq->clear(res);
	return r;
}

/* Execute statement s with parameters by a format: t text (NULL = null),
 * i int64, b blob (pointer, size_t; NULL pointer = null).  The result
 * (COMMAND_OK or TUPLES_OK), or NULL with err set. */
static PGresult *run(struct pg *p, struct pgc *c, int s, struct sw_err *err, const char *fmt, ...)
{
	const char *vals[MAXP];
	int lens[MAXP], fmts[MAXP];
	char nums[MAXP][24];
	int n = 0;
	va_list ap;
	va_start(ap, fmt);
	for (; fmt && fmt[n] && n < MAXP; n++) {
		lens[n] = 0;
		fmts[n] = 0;
		switch (fmt[n]) {
		case 't': vals[n] = va_arg(ap, const char *); break;
		case 'i':
			snprintf(nums[n], sizeof(nums[n]), "%lld", (long long)va_arg(ap, int64_t));
			vals[n] = nums[n];
			break;
		case 'b':
			vals[n] = va_arg(ap, const char *);
			lens[n] = (int)va_arg(ap, size_t);
			fmts[n] = 1;
			break;
		}
	}
	va_end(ap);
	if (!c->prepared[s]) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", s);
		PGresult *pr = sw_pq->prepare(c->conn, name, stmts[s].sql, 0, NULL);
		if (!pr || sw_pq->result_status(pr) != PGRES_COMMAND_OK) {
			res_error(p, c, pr, "prepare", err);
			sw_pq->clear(pr);
			return NULL;
		}
		sw_pq->clear(pr);
		c->prepared[s] = true;
	}
	char name[16];
	snprintf(name, sizeof(name), "s%d", s);
	PGresult *res = sw_pq->exec_prepared(c->conn, name, n, vals, lens, fmts, stmts[s].binary ? 1 : 0);
	ExecStatusType st = res ? sw_pq->result_status(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		res_error(p, c, res, "query", err);
		sw_pq->clear(res);
		return NULL;
	}
	return res;
}

static int changes(PGresult *res)
{
	const char *t = sw_pq->cmd_tuples(res);
	return t && *t ? atoi(t) : 0;
}

static bool col_null(const PGresult *res, int row, int col) { return sw_pq->getisnull(res, row, col) != 0; }

static int64_t col_i64(const PGresult *res, int row, int col)
{
	if (col_null(res, row, col))
		return 0;
	const unsigned char *v = (const unsigned char *)sw_pq->getvalue(res, row, col);
	if (sw_pq->fformat(res, col) == 0)
		return strtoll((const char *)v, NULL, 10);
	int len = sw_pq->getlength(res, row, col);
	uint64_t u = 0;
	for (int i = 0; i < len && i < 8; i++)
		u = u << 8 | v[i];
	switch (len) {   /* sign-extend int2 / int4 */
	case 2: return (int16_t)u;
	case 4: return (int32_t)u;
	default: return (int64_t)u;
	}
}

static char *col_str(const PGresult *res, int row, int col)
{
	return col_null(res, row, col) ? NULL : sw_xstrdup(sw_pq->getvalue(res, row, col));
}

/* A random operation token (32 hex digits). */
static void new_token(char out[33])
{
	uint8_t b[16];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r > 0)
			got += (size_t)r;
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* ---------------------------------------------------------------- running an operation */

typedef int (*op_fn)(struct pg *p, struct pgc *c, void *ctx, bool again, struct sw_err *err);

/* Run fn on a pooled connection.  When it fails because the connection
 * broke, run it once more on a new connection with again = true (the
 * operation then first checks whether its first run committed). */
static int with_conn(struct pg *p, op_fn fn, void *ctx, struct sw_err *err)
{
	struct pgc *c;
	int r = pool_get(p, &c, err);
	if (r < 0)
		return r;
	r = fn(p, c, ctx, false, err);
	if (r < 0 && c->broken) {
		conn_close(c);
		struct sw_err first = *err;
		r = conn_open(p, c, RECONNECT_WAIT, err);
		if (r == 0)
			r = fn(p, c, ctx, true, err);
		else
			sw_err_wrap(err, "after %s", first.msg);
	}
	if (c->conn && !c->broken && sw_pq->transaction_status(c->conn) != PQTRANS_IDLE) {
		PGresult *res = sw_pq->exec(c->conn, "ROLLBACK");
		sw_pq->clear(res);
	}
	pool_put(p, c);
	return r;
}

static int begin(struct pg *p, struct pgc *c, struct sw_err *err) { return simple(p, c, "BEGIN", err); }
static int commit(struct pg *p, struct pgc *c, struct sw_err *err) { return simple(p, c, "COMMIT", err); }

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

static void job_row(const PGresult *res, int row, struct sw_st_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = col_i64(res, row, 0);
	j->ref = col_str(res, row, 1);
	j->kind = col_str(res, row, 2);
	j->state = state_of(sw_pq->getvalue(res, row, 3));
	j->attempts = (int)col_i64(res, row, 4);
	j->error = col_str(res, row, 5);
	j->image_digest = col_str(res, row, 6);
	j->report_id = col_i64(res, row, 7);
	j->inventory_reused = col_i64(res, row, 8) != 0;
	j->lease_owner = col_str(res, row, 9);
	j->lease_until = col_i64(res, row, 10);
	j->created = col_i64(res, row, 11);
	j->updated = col_i64(res, row, 12);
	j->options = col_str(res, row, 13);
}

static int job_get_on(struct pg *p, struct pgc *c, int64_t id, struct sw_st_job *job, struct sw_err *err)
{
	PGresult *res = run(p, c, S_JOB_GET, err, "i", id);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		job_row(res, 0, job);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

struct job_x {
	int64_t id;
	struct sw_st_job *job;
	const char *ref, *kind, *options, *owner, *why, *digest;
	int64_t now, report_id;
	int lease;
	bool reused;
	int64_t *idp;
	bool *created;
	char tok[34];
};

static int job_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct job_x *x = v;
	return job_get_on(p, c, x->id, x->job, err);
}

static int pg_job_get(struct sw_st *st, int64_t id, struct sw_st_job *job, struct sw_err *err)
{
	struct job_x x = { .id = id, .job = job };
	return with_conn(PG(st), job_get_fn, &x, err);
}

static int submit_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct job_x *x = v;
	const char *opts = x->options ? x->options : "";
	int r = begin(p, c, err);
	PGresult *res = r == 0 ? run(p, c, S_JOB_LOCK_REF, err, "ttt", x->ref, x->kind, opts) : NULL;
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	res = run(p, c, S_JOB_LAST, err, "ttt", x->ref, x->kind, opts);
	if (!res)
		return -SW_E_DB;
	int64_t last = 0;
	enum sw_job_state ls = SW_JOB_DONE;
	bool ours = false, ours_new = false;
	if (sw_pq->ntuples(res) > 0) {
		last = col_i64(res, 0, 0);
		ls = state_of(sw_pq->getvalue(res, 0, 1));
		const char *t = sw_pq->getvalue(res, 0, 2);
		/* a first run whose COMMIT was lost: this token is ours */
		ours = !col_null(res, 0, 2) && strncmp(t, x->tok, 32) == 0;
		ours_new = ours && t[32] == 'n';
	}
	sw_pq->clear(res);
	*x->created = false;
	x->tok[33] = 0;
	if (ours) {
		*x->idp = last;
		*x->created = ours_new;
	} else if (last && (ls == SW_JOB_PENDING || ls == SW_JOB_RUNNING)) {
		*x->idp = last;
	} else if (last && ls == SW_JOB_FAILED) {
		x->tok[32] = 'u';
		res = run(p, c, S_JOB_REPEND, err, "iit", last, x->now, x->tok);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
		*x->idp = last;
	} else {
		x->tok[32] = 'n';
		res = run(p, c, S_JOB_INSERT, err, "tttit", x->ref, x->kind, opts, x->now, x->tok);
		if (!res)
			return -SW_E_DB;
		*x->idp = col_i64(res, 0, 0);
		sw_pq->clear(res);
		*x->created = true;
	}
	return commit(p, c, err);
}

static int pg_job_submit(struct sw_st *st, const char *ref, const char *kind, const char *options, int64_t now,
			 int64_t *id, bool *created, struct sw_err *err)
{
	struct job_x x = { .ref = ref, .kind = kind, .options = options, .now = now, .idp = id, .created = created };
	new_token(x.tok);
	return with_conn(PG(st), submit_fn, &x, err);
}

static int claim_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct job_x *x = v;
	PGresult *res;
	if (again) {   /* did the lost claim commit? then it is ours */
		res = run(p, c, S_JOB_CLAIMED, err, "tt", x->owner, x->tok);
		if (!res)
			return -SW_E_DB;
		if (sw_pq->ntuples(res) > 0) {
			job_row(res, 0, x->job);
			sw_pq->clear(res);
			return 1;
		}
		sw_pq->clear(res);
	}
	res = run(p, c, S_JOB_CLAIM, err, "tiit", x->owner, x->now + x->lease, x->now, x->tok);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		job_row(res, 0, x->job);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

static int pg_job_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_job *job,
			struct sw_err *err)
{
	struct job_x x = { .owner = owner, .lease = lease, .now = now, .job = job };
	new_token(x.tok);
	return with_conn(PG(st), claim_fn, &x, err);
}

static int renew_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct job_x *x = v;
	PGresult *res = run(p, c, S_JOB_RENEW, err, "it", x->now + x->lease, x->owner);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return 0;
}

static int pg_job_renew(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_err *err)
{
	struct job_x x = { .owner = owner, .lease = lease, .now = now };
	return with_conn(PG(st), renew_fn, &x, err);
}

/* After a lost answer: did the first run's change (token tok) commit? */
static int token_committed(struct pg *p, struct pgc *c, int64_t id, const char *tok, struct sw_err *err)
{
	PGresult *res = run(p, c, S_JOB_TOKEN, err, "it", id, tok);
	if (!res)
		return -SW_E_DB;
	int r = sw_pq->ntuples(res) > 0;
	sw_pq->clear(res);
	return r;
}

enum { END_DONE, END_FAIL, END_REQUEUE };

struct end_x {
	struct job_x j;
	int what;
};

static int end_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct end_x *e = v;
	struct job_x *x = &e->j;
	if (again) {
		int k = token_committed(p, c, x->id, x->tok, err);
		if (k != 0)
			return k < 0 ? k : 0;
	}
	PGresult *res;
	if (e->what == END_DONE)
		res = run(p, c, S_JOB_DONE, err, "tiiiitt", x->digest, x->report_id, (int64_t)x->reused, x->now, x->id,
			  x->owner, x->tok);
	else if (e->what == END_FAIL)
		res = run(p, c, S_JOB_FAIL, err, "tiitt", x->why, x->now, x->id, x->owner, x->tok);
	else
		res = run(p, c, S_JOB_REQUEUE, err, "iitt", x->now, x->id, x->owner, x->tok);
	if (!res)
		return -SW_E_DB;
	int n = changes(res);
	sw_pq->clear(res);
	if (n == 0)
		return sw_err_set(err, SW_E_NOTFOUND, "job %lld is not running under this server's lease", (long long)x->id);
	return 0;
}

static int pg_job_done(struct sw_st *st, int64_t id, const char *owner, const char *image_digest, int64_t report_id,
		       bool reused, int64_t now, struct sw_err *err)
{
	struct end_x e = { .j = { .id = id, .owner = owner, .digest = image_digest, .report_id = report_id,
				  .reused = reused, .now = now }, .what = END_DONE };
	new_token(e.j.tok);
	return with_conn(PG(st), end_fn, &e, err);
}

static int pg_job_fail(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t now,
		       struct sw_err *err)
{
	struct end_x e = { .j = { .id = id, .owner = owner, .why = why, .now = now }, .what = END_FAIL };
	new_token(e.j.tok);
	return with_conn(PG(st), end_fn, &e, err);
}

static int pg_job_requeue(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	struct end_x e = { .j = { .id = id, .owner = owner, .now = now }, .what = END_REQUEUE };
	new_token(e.j.tok);
	return with_conn(PG(st), end_fn, &e, err);
}

/* retry (failed -> pending) and cancel (pending -> failed) */
static int flip_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct end_x *e = v;
	struct job_x *x = &e->j;
	if (again) {
		int k = token_committed(p, c, x->id, x->tok, err);
		if (k != 0)
			return k < 0 ? k : 0;
	}
	bool retry = e->what == 0;
	PGresult *res = retry ? run(p, c, S_JOB_RETRY, err, "iit", x->id, x->now, x->tok)
			      : run(p, c, S_JOB_CANCEL, err, "itit", x->id, x->why, x->now, x->tok);
	if (!res)
		return -SW_E_DB;
	int n = changes(res);
	sw_pq->clear(res);
	if (n > 0)
		return 0;
	struct sw_st_job j;
	int r = job_get_on(p, c, x->id, &j, err);
	if (r == 0)
		return sw_err_set(err, SW_E_NOTFOUND, "no job %lld", (long long)x->id);
	if (r < 0)
		return r;
	if (retry)
		r = sw_err_set(err, SW_E_USAGE, "job %lld is %s, not failed", (long long)x->id, sw_job_state_name(j.state));
	else
		r = sw_err_set(err, SW_E_USAGE, "job %lld is %s; only a pending job can be cancelled", (long long)x->id,
			       sw_job_state_name(j.state));
	sw_st_job_release(&j);
	return r;
}

static int pg_job_retry(struct sw_st *st, int64_t id, int64_t now, struct sw_err *err)
{
	struct end_x e = { .j = { .id = id, .now = now }, .what = 0 };
	new_token(e.j.tok);
	return with_conn(PG(st), flip_fn, &e, err);
}

static int pg_job_cancel(struct sw_st *st, int64_t id, const char *why, int64_t now, struct sw_err *err)
{
	struct end_x e = { .j = { .id = id, .why = why, .now = now }, .what = 1 };
	new_token(e.j.tok);
	return with_conn(PG(st), flip_fn, &e, err);
}

static int counts_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	int64_t *counts = v;
	PGresult *res = run(p, c, S_JOB_COUNTS, err, NULL);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	for (int i = 0; i < sw_pq->ntuples(res); i++)
		counts[state_of(sw_pq->getvalue(res, i, 0))] = col_i64(res, i, 1);
	sw_pq->clear(res);
	return 0;
}

static int pg_job_counts(struct sw_st *st, int64_t counts[4], struct sw_err *err)
{
	return with_conn(PG(st), counts_fn, counts, err);
}

/* ---------------------------------------------------------------- images */

struct img_x {
	const struct sw_st_image_put *im;
	const struct sw_buf *packed;
	int64_t now;
	const char *digest, *inv_key;
	struct sw_st_image *out;
	struct sw_vec *list;
	struct sw_buf *inv, *config;
};

static int image_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* both statements are upserts */
	struct img_x *x = v;
	const struct sw_st_image_put *im = x->im;
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	PGresult *res = run(p, c, S_IMG_UPSERT, err, "tttbbtti", im->digest, im->config_digest, im->inv_key,
			    im->inventory ? x->packed->data : NULL, x->packed->len, im->config_json,
			    im->config_json ? strlen(im->config_json) : (size_t)0, im->os, im->architecture, x->now);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	if (im->name) {
		res = run(p, c, S_NAME_UPSERT, err, "tit", im->name, x->now, im->digest);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	return commit(p, c, err);
}

static int pg_image_put(struct sw_st *st, const struct sw_st_image_put *im, int64_t now, struct sw_err *err)
{
	struct sw_buf packed = SW_BUF_INIT;
	if (im->inventory && sw_st_pack(im->inventory, im->inventory_len, &packed, err) < 0)
		return -SW_E_INTERNAL;
	struct img_x x = { .im = im, .packed = &packed, .now = now };
	int r = with_conn(PG(st), image_put_fn, &x, err);
	sw_buf_release(&packed);
	return r;
}

static void split_names(const char *s, struct sw_vec *out)
{
	while (s && *s) {
		size_t n = strcspn(s, "\n");
		sw_vec_push(out, sw_xstrndup(s, n));
		s += n;
		if (*s)
			s++;
	}
}

static void image_row(const PGresult *res, int row, struct sw_st_image *im)
{
	memset(im, 0, sizeof(*im));
	im->digest = col_str(res, row, 1);
	im->config_digest = col_str(res, row, 2);
	im->inv_key = col_str(res, row, 3);
	im->os = col_str(res, row, 4);
	im->architecture = col_str(res, row, 5);
	im->created = col_i64(res, row, 6);
	im->updated = col_i64(res, row, 7);
	im->latest_report = col_i64(res, row, 8);
	int64_t *cnt[] = { &im->critical, &im->high, &im->medium, &im->low, &im->negligible, &im->unknown, &im->total };
	for (int i = 0; i < 7; i++)
		*cnt[i] = col_i64(res, row, 9 + i);
	im->checks_failed = col_i64(res, row, 16);
	im->secrets = col_i64(res, row, 17);
	im->malware = col_i64(res, row, 18);
	im->policy = col_str(res, row, 19);
	if (!col_null(res, row, 20))
		split_names(sw_pq->getvalue(res, row, 20), &im->names);
}

static int image_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct img_x *x = v;
	PGresult *res = run(p, c, S_IMG_GET, err, "t", x->digest);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		image_row(res, 0, x->out);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

static int pg_image_get(struct sw_st *st, const char *digest, struct sw_st_image *im, struct sw_err *err)
{
	struct img_x x = { .digest = digest, .out = im };
	return with_conn(PG(st), image_get_fn, &x, err);
}

static int image_list_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct img_x *x = v;
	PGresult *res = run(p, c, S_IMG_LIST, err, NULL);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_image *im = sw_xcalloc(1, sizeof(*im));
		image_row(res, i, im);
		sw_vec_push(x->list, im);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_image_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	struct img_x x = { .list = out };
	return with_conn(PG(st), image_list_fn, &x, err);
}

static int inventory_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct img_x *x = v;
	size_t inv0 = x->inv->len, cfg0 = x->config->len;
	PGresult *res = run(p, c, S_INV_GET, err, "tt", x->digest, x->inv_key);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		r = sw_st_unpack(sw_pq->getvalue(res, 0, 0), (size_t)sw_pq->getlength(res, 0, 0), MAX_BLOB, x->inv, err);
		if (r == 0 && !col_null(res, 0, 1) && sw_pq->getlength(res, 0, 1) > 0)
			sw_buf_add(x->config, sw_pq->getvalue(res, 0, 1), (size_t)sw_pq->getlength(res, 0, 1));
		if (r == 0)
			r = 1;
	}
	sw_pq->clear(res);
	if (r < 0) {   /* nothing half-appended */
		x->inv->len = inv0;
		x->config->len = cfg0;
	}
	return r;
}

static int pg_inventory_get(struct sw_st *st, const char *digest, const char *inv_key, struct sw_buf *inv,
			    struct sw_buf *config, struct sw_err *err)
{
	struct img_x x = { .digest = digest, .inv_key = inv_key, .inv = inv, .config = config };
	return with_conn(PG(st), inventory_fn, &x, err);
}

/* ---------------------------------------------------------------- reports */

/* A PostgreSQL text[] literal of one field of every finding. */
static void array_lit(struct sw_buf *b, const struct sw_st_finding *f, size_t n, size_t off)
{
	sw_buf_addch(b, '{');
	for (size_t i = 0; i < n; i++) {
		const char *s = *(const char *const *)((const char *)&f[i] + off);
		if (i)
			sw_buf_addch(b, ',');
		if (!s) {
			sw_buf_addstr(b, "NULL");
			continue;
		}
		sw_buf_addch(b, '"');
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				sw_buf_addch(b, '\\');
			sw_buf_addch(b, *s);
		}
		sw_buf_addch(b, '"');
	}
	sw_buf_addch(b, '}');
}

/* pgport: text[] literal of the findings' main ids and int[] of their KEV flags. */
static void pg_findings_extra(struct sw_buf *mains, struct sw_buf *kevs, const struct sw_st_finding *f, size_t n)
{
	array_lit(mains, f, n, offsetof(struct sw_st_finding, main));
	sw_buf_addch(kevs, '{');
	for (size_t i = 0; i < n; i++)
		sw_buf_addstr(kevs, i ? (f[i].kev ? ",1" : ",0") : (f[i].kev ? "1" : "0"));
	sw_buf_addch(kevs, '}');
}

struct rep_x {
	const struct sw_st_report_put *rp;
	const struct sw_buf *packed;
	struct sw_buf arr[5];
	int64_t *id;
	char tok[33];
	/* reads */
	int64_t rid;
	const char *digest;
	struct sw_st_report *out;
	struct sw_vec *list;
	const char *vuln;
	/* pgport: the findings' main ids and KEV flags */
	struct sw_buf mains, kevs;
};

static int report_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct rep_x *x = v;
	const struct sw_st_report_put *rp = x->rp;
	PGresult *res;
	if (again) {   /* the lost COMMIT went through: that report is this one */
		res = run(p, c, S_REP_BY_TOKEN, err, "tt", rp->image_digest, x->tok);
		if (!res)
			return -SW_E_DB;
		bool found = sw_pq->ntuples(res) > 0;
		if (found)
			*x->id = col_i64(res, 0, 0);
		sw_pq->clear(res);
		if (found)
			return 0;
	}
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	res = run(p, c, S_REP_IMAGE_LOCK, err, "t", rp->image_digest);
	if (!res)
		return -SW_E_DB;
	if (sw_pq->ntuples(res) == 0) {
		sw_pq->clear(res);
		return sw_err_set(err, SW_E_NOTFOUND, "no stored image %s", rp->image_digest);
	}
	int64_t image = col_i64(res, 0, 0), prev = col_i64(res, 0, 1);
	sw_pq->clear(res);
	res = run(p, c, S_REP_INSERT, err, "iitiiiiiiiiiitbiiitt", image, rp->job_id, rp->db_fingerprint, rp->now,
		  rp->critical, rp->high, rp->medium, rp->low, rp->negligible, rp->unknown, rp->total, rp->suppressed,
		  (int64_t)rp->complete, rp->changes_json, x->packed->data, x->packed->len, rp->checks_failed,
		  rp->secrets, rp->malware, rp->policy, x->tok);
	if (!res)
		return -SW_E_DB;
	int64_t id = col_i64(res, 0, 0);
	sw_pq->clear(res);
	/* the finding index serves the latest reports only: drop the previous one's */
	if (prev) {
		res = run(p, c, S_FIND_DEL, err, "i", prev);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	if (rp->nfindings) {
		res = run(p, c, S_FIND_INS2, err, "ittttttt", id, x->arr[0].data, x->arr[1].data, x->arr[2].data,
			  x->arr[3].data, x->arr[4].data, x->mains.data, x->kevs.data);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	/* hooks: the notifications, in the report's transaction */
	for (size_t i = 0; i < rp->ndeliveries; i++) {
		res = run(p, c, S_DLV_INSERT, err, "ittii", rp->deliveries[i].webhook, rp->image_digest,
			  rp->deliveries[i].body, rp->now, id);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	res = run(p, c, S_IMG_LATEST, err, "iii", id, rp->now, image);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	if (commit(p, c, err) < 0)
		return -SW_E_DB;
	*x->id = id;
	return 0;
}

static int pg_report_put(struct sw_st *st, const struct sw_st_report_put *rp, int64_t *id, struct sw_err *err)
{
	struct sw_buf packed = SW_BUF_INIT;
	int r = sw_st_pack(rp->json, rp->json_len, &packed, err);
	if (r < 0)
		return r;
	struct rep_x x = { .rp = rp, .packed = &packed, .id = id };
	static const size_t offs[5] = { offsetof(struct sw_st_finding, vuln_id), offsetof(struct sw_st_finding, pkg_name),
					 offsetof(struct sw_st_finding, pkg_version), offsetof(struct sw_st_finding, fixed),
					 offsetof(struct sw_st_finding, severity) };
	for (int i = 0; i < 5; i++) {
		x.arr[i] = (struct sw_buf)SW_BUF_INIT;
		array_lit(&x.arr[i], rp->findings, rp->nfindings, offs[i]);
	}
	x.mains = (struct sw_buf)SW_BUF_INIT;
	x.kevs = (struct sw_buf)SW_BUF_INIT;
	pg_findings_extra(&x.mains, &x.kevs, rp->findings, rp->nfindings);
	new_token(x.tok);
	bool ok = sw_buf_ok(&x.mains) && sw_buf_ok(&x.kevs);
	for (int i = 0; i < 5; i++)
		ok = ok && sw_buf_ok(&x.arr[i]);
	r = ok ? with_conn(PG(st), report_put_fn, &x, err) : sw_err_set(err, SW_E_NOMEM, "report findings: out of memory");
	for (int i = 0; i < 5; i++)
		sw_buf_release(&x.arr[i]);
	sw_buf_release(&x.mains);
	sw_buf_release(&x.kevs);
	sw_buf_release(&packed);
	return r;
}

static void report_row(const PGresult *res, int row, struct sw_st_report *r)
{
	struct sw_buf empty = SW_BUF_INIT;
	memset(r, 0, sizeof(*r));
	r->json = empty;
	r->id = col_i64(res, row, 0);
	r->image_digest = col_str(res, row, 1);
	r->job_id = col_i64(res, row, 2);
	r->db_fingerprint = col_str(res, row, 3);
	r->created = col_i64(res, row, 4);
	int64_t *cnt[] = { &r->critical, &r->high, &r->medium, &r->low, &r->negligible, &r->unknown, &r->total,
			   &r->suppressed };
	for (int i = 0; i < 8; i++)
		*cnt[i] = col_i64(res, row, 5 + i);
	r->complete = col_i64(res, row, 13) != 0;
	r->changes_json = col_str(res, row, 14);
	r->checks_failed = col_i64(res, row, 15);
	r->secrets = col_i64(res, row, 16);
	r->malware = col_i64(res, row, 17);
	r->policy = col_str(res, row, 18);
}

static int report_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rep_x *x = v;
	PGresult *res = run(p, c, S_REP_GET, err, "i", x->rid);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		report_row(res, 0, x->out);
		r = sw_st_unpack(sw_pq->getvalue(res, 0, 19), (size_t)sw_pq->getlength(res, 0, 19), MAX_BLOB, &x->out->json,
				 err);
		if (r == 0)
			r = 1;
		else
			sw_st_report_release(x->out);
	}
	sw_pq->clear(res);
	return r;
}

static int pg_report_get(struct sw_st *st, int64_t id, struct sw_st_report *rep, struct sw_err *err)
{
	struct rep_x x = { .rid = id, .out = rep };
	return with_conn(PG(st), report_get_fn, &x, err);
}

static int report_list_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rep_x *x = v;
	PGresult *res = run(p, c, S_REP_LIST, err, "t", x->digest);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_report *rep = sw_xcalloc(1, sizeof(*rep));
		report_row(res, i, rep);
		sw_vec_push(x->list, rep);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_report_list(struct sw_st *st, const char *digest, struct sw_vec *out, struct sw_err *err)
{
	struct rep_x x = { .digest = digest, .list = out };
	return with_conn(PG(st), report_list_fn, &x, err);
}

static int finding_ids_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rep_x *x = v;
	PGresult *res = run(p, c, S_REP_IDS, err, "i", x->rid);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++)
		sw_vec_push(x->list, col_str(res, i, 0));
	sw_pq->clear(res);
	return 0;
}

static int pg_report_finding_ids(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	struct rep_x x = { .rid = report_id, .list = out };
	return with_conn(PG(st), finding_ids_fn, &x, err);
}

/* The finding rows of a report for the changes of the next one, in the
 * order stored, with their primary id (a row stored before schema 2 has
 * none: its own id) and KEV flag. */
static int findings_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rep_x *x = v;
	PGresult *res = run(p, c, S_REP_FINDINGS2, err, "i", x->rid);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_finding_row *f = sw_xcalloc(1, sizeof(*f));
		f->vuln_id = col_str(res, i, 0);
		f->main = col_str(res, i, 1);
		if (!f->main)
			f->main = sw_xstrdup(f->vuln_id ? f->vuln_id : "");
		f->pkg_name = col_str(res, i, 2);
		f->pkg_version = col_str(res, i, 3);
		f->fixed = col_str(res, i, 4);
		f->severity = col_str(res, i, 5);
		f->kev = col_i64(res, i, 6) != 0;
		sw_vec_push(x->list, f);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_report_findings(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	struct rep_x x = { .rid = report_id, .list = out };
	return with_conn(PG(st), findings_fn, &x, err);
}

static int vuln_images_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rep_x *x = v;
	PGresult *res = run(p, c, S_VULN_IMAGES, err, "t", x->vuln);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_hit *h = sw_xcalloc(1, sizeof(*h));
		h->image_digest = col_str(res, i, 0);
		h->names = col_str(res, i, 1);
		h->pkg_name = col_str(res, i, 2);
		h->pkg_version = col_str(res, i, 3);
		h->fixed = col_str(res, i, 4);
		h->severity = col_str(res, i, 5);
		h->report_id = col_i64(res, i, 6);
		sw_vec_push(x->list, h);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_vuln_images(struct sw_st *st, const char *vuln_id, struct sw_vec *out, struct sw_err *err)
{
	struct rep_x x = { .vuln = vuln_id, .list = out };
	return with_conn(PG(st), vuln_images_fn, &x, err);
}

/* ---------------------------------------------------------------- tokens, meta */

struct kv_x {
	const char *a[6];
	int64_t now;
	char **value;
	struct sw_vec *rows;
};

static int token_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* ON CONFLICT(hash) DO NOTHING: a second run adds nothing */
	struct kv_x *x = v;
	PGresult *res = run(p, c, S_TOK_PUT, err, "ttttti", x->a[0], x->a[1], x->a[2], x->a[3], x->a[4], x->now);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return 0;
}

static int pg_token_put(struct sw_st *st, const char *name, const char *scope, const char *salt, const char *hash,
			const char *prefix, int64_t now, struct sw_err *err)
{
	struct kv_x x = { .a = { name, scope, prefix, salt, hash }, .now = now };
	return with_conn(PG(st), token_put_fn, &x, err);
}

static int token_lookup_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct kv_x *x = v;
	PGresult *res = run(p, c, S_TOK_LOOKUP, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++)
		for (int k = 0; k < 4; k++) {
			char *s = col_str(res, i, k);
			sw_vec_push(x->rows, s ? s : sw_xstrdup(""));
		}
	sw_pq->clear(res);
	return 0;
}

static int pg_token_lookup(struct sw_st *st, const char *prefix, struct sw_vec *rows, struct sw_err *err)
{
	struct kv_x x = { .a = { prefix }, .rows = rows };
	return with_conn(PG(st), token_lookup_fn, &x, err);
}

static int meta_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct kv_x *x = v;
	PGresult *res = run(p, c, S_META_GET, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	*x->value = sw_pq->ntuples(res) > 0 ? col_str(res, 0, 0) : NULL;
	sw_pq->clear(res);
	return 0;
}

static int pg_meta_get(struct sw_st *st, const char *key, char **value, struct sw_err *err)
{
	struct kv_x x = { .a = { key }, .value = value };
	*value = NULL;
	return with_conn(PG(st), meta_get_fn, &x, err);
}

static int meta_set_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct kv_x *x = v;
	PGresult *res = run(p, c, S_META_SET, err, "tt", x->a[0], x->a[1]);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return 0;
}

static int pg_meta_set(struct sw_st *st, const char *key, const char *value, struct sw_err *err)
{
	struct kv_x x = { .a = { key, value } };
	return with_conn(PG(st), meta_set_fn, &x, err);
}

/* ---------------------------------------------------------------- retention */

struct collect_x {
	int64_t before;
	struct sw_st_collected got;
};

static int collect_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* deletes by age: a second run deletes what is left */
	struct collect_x *cx = v;
	struct sw_st_collected *x = &cx->got;
	int64_t *cnt[] = { &x->jobs, &x->reports, &x->deliveries };
	static const int st[] = { S_COLLECT_JOBS, S_COLLECT_REPORTS, S_COLLECT_DELIVERIES };
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	for (int i = 0; i < 3; i++) {
		PGresult *res = run(p, c, st[i], err, "i", cx->before);
		if (!res)
			return -SW_E_DB;
		*cnt[i] = changes(res);
		sw_pq->clear(res);
	}
	return commit(p, c, err);
}

static int pg_collect(struct sw_st *st, int64_t before, struct sw_st_collected *out, struct sw_err *err)
{
	struct collect_x x = { .before = before };
	int r = with_conn(PG(st), collect_fn, &x, err);
	if (r == 0)
		*out = x.got;
	return r;
}

static int table_sizes_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct sw_vec *out = v;
	PGresult *res = run(p, c, S_TABLE_SIZES, err, NULL);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_table_size *t = sw_xcalloc(1, sizeof(*t));
		t->table = col_str(res, i, 0);
		t->rows = col_i64(res, i, 1);
		t->bytes = col_i64(res, i, 2);
		sw_vec_push(out, t);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_table_sizes(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	return with_conn(PG(st), table_sizes_fn, out, err);
}

/* ---------------------------------------------------------------- named leases */

struct lock_x {
	const char *name, *owner;
	int64_t now, until;
	bool take;
};

static int lock_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* a second run of a take that went through finds our own name: taken again */
	struct lock_x *x = v;
	PGresult *res = x->take ? run(p, c, S_LOCK_TAKE, err, "ttii", x->name, x->owner, x->now, x->until)
				: run(p, c, S_LOCK_DROP, err, "tt", x->name, x->owner);
	if (!res)
		return -SW_E_DB;
	int n = changes(res);
	sw_pq->clear(res);
	return x->take ? n > 0 : 0;
}

static int pg_lock_take(struct sw_st *st, const char *name, const char *owner, int ttl, int64_t now, struct sw_err *err)
{
	struct lock_x x = { .name = name, .owner = owner, .now = now, .until = now + ttl, .take = true };
	return with_conn(PG(st), lock_fn, &x, err);
}

static int pg_lock_drop(struct sw_st *st, const char *name, const char *owner, struct sw_err *err)
{
	struct lock_x x = { .name = name, .owner = owner };
	return with_conn(PG(st), lock_fn, &x, err);
}

/* ---------------------------------------------------------------- pgport: the operations SQLite had alone
 *
 * policies, the packages index, webhooks and deliveries, web sessions and
 * the image search, recent jobs, client mode, uploads: the same semantics as
 * sqlite_policy.c, sqlite_hooks.c, sqlite_web.c, sqlite_client.c and
 * sqlite_upload.c.  The non-idempotent writes carry an operation token (see
 * the header); a delete run again after a lost answer that finds nothing
 * counts as done (its first run deleted the row). */

struct px {
	const char *a[8];
	int64_t i[6];
	bool flag;
	char tok[33];
	int64_t *idp;
	struct sw_vec *list;
	void *out;
	char **s1, **s2;
	const struct sw_buf *arr;   /* packages: 8 array literals */
	int64_t *counts;
};

/* The rows a command changed (the result is cleared). */
static int changed(PGresult *res)
{
	int n = changes(res);
	sw_pq->clear(res);
	return n;
}

/* --- policies --- */

static void policy_row(const PGresult *res, int row, struct sw_st_policy *p, bool body)
{
	memset(p, 0, sizeof(*p));
	p->id = col_str(res, row, 0);
	p->name = col_str(res, row, 1);
	p->format = col_str(res, row, 2);
	p->is_default = col_i64(res, row, 3) != 0;
	p->created = col_i64(res, row, 4);
	p->updated = col_i64(res, row, 5);
	if (body) {
		sw_buf_add(&p->body, col_null(res, row, 6) ? "" : sw_pq->getvalue(res, row, 6),
			   col_null(res, row, 6) ? 0 : (size_t)sw_pq->getlength(res, row, 6));
		sw_buf_addch(&p->body, 0);
		p->body.len--;   /* NUL-terminated for the parsers */
	}
}

static int policy_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	const struct sw_st_policy_put *pp = x->out;
	PGresult *res;
	if (x->flag) {   /* replace: the same text again is the same */
		res = run(p, c, S_POL_UPDATE, err, "ttbit", pp->name, pp->format, pp->body, pp->body_len, x->i[0], pp->id);
		if (!res)
			return -SW_E_DB;
		if (changed(res) == 0)
			return sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", pp->id);
		return 0;
	}
	if (again) {
		res = run(p, c, S_POL_TOKEN, err, "tt", pp->id, x->tok);
		if (!res)
			return -SW_E_DB;
		int n = sw_pq->ntuples(res);
		sw_pq->clear(res);
		if (n > 0)
			return 0;
	}
	res = run(p, c, S_POL_INSERT, err, "tttbit", pp->id, pp->name, pp->format, pp->body, pp->body_len, x->i[0], x->tok);
	if (!res)
		return -SW_E_DB;
	if (changed(res) == 0)
		return sw_err_set(err, SW_E_USAGE, "a policy bundle with id '%s' exists (PUT replaces it)", pp->id);
	return 0;
}

static int pg_policy_put(struct sw_st *st, const struct sw_st_policy_put *pp, bool replace, int64_t now,
			 struct sw_err *err)
{
	struct px x = { .out = (void *)pp, .flag = replace, .i = { now } };
	new_token(x.tok);
	return with_conn(PG(st), policy_put_fn, &x, err);
}

static int policy_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = x->a[0] ? run(p, c, S_POL_GET, err, "t", x->a[0]) : run(p, c, S_POL_GET_DEFAULT, err, NULL);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		policy_row(res, 0, x->out, true);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

static int pg_policy_get(struct sw_st *st, const char *id, struct sw_st_policy *out, struct sw_err *err)
{
	struct px x = { .a = { id }, .out = out };
	return with_conn(PG(st), policy_get_fn, &x, err);
}

static int policy_list_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, S_POL_LIST, err, NULL);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_policy *pol = sw_xcalloc(1, sizeof(*pol));
		policy_row(res, i, pol, false);
		sw_vec_push(x->list, pol);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_policy_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	struct px x = { .list = out };
	return with_conn(PG(st), policy_list_fn, &x, err);
}

static int policy_delete_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	PGresult *res = run(p, c, S_POL_DELETE, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	if (changed(res) == 0 && !again)
		return sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", x->a[0]);
	return 0;
}

static int pg_policy_delete(struct sw_st *st, const char *id, struct sw_err *err)
{
	struct px x = { .a = { id } };
	return with_conn(PG(st), policy_delete_fn, &x, err);
}

static int policy_default_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* setting the same flags again is the same */
	struct px *x = v;
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	PGresult *res = run(p, c, S_POL_LOCK, err, NULL);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	res = run(p, c, S_POL_EXISTS, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	int n = sw_pq->ntuples(res);
	sw_pq->clear(res);
	if (n == 0)
		return sw_err_set(err, SW_E_NOTFOUND, "no policy bundle '%s'", x->a[0]);
	if (x->flag) {
		res = run(p, c, S_POL_CLEAR, err, "t", x->a[0]);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	res = run(p, c, S_POL_SET, err, "iit", (int64_t)(x->flag ? 1 : 0), x->i[0], x->a[0]);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return commit(p, c, err);
}

static int pg_policy_set_default(struct sw_st *st, const char *id, bool on, int64_t now, struct sw_err *err)
{
	struct px x = { .a = { id }, .flag = on, .i = { now } };
	return with_conn(PG(st), policy_default_fn, &x, err);
}

/* --- the packages index --- */

/* A PostgreSQL array literal of one field of n rows (stride size): a
 * text[] of the strings at off, or with ints an int[] of the bools there. */
static void rows_array(struct sw_buf *b, const void *rows, size_t n, size_t size, size_t off, bool ints)
{
	sw_buf_addch(b, '{');
	for (size_t i = 0; i < n; i++) {
		const char *at = (const char *)rows + i * size + off;
		if (i)
			sw_buf_addch(b, ',');
		if (ints) {
			sw_buf_addch(b, *(const bool *)at ? '1' : '0');
			continue;
		}
		const char *s = *(const char *const *)at;
		if (!s) {
			sw_buf_addstr(b, "NULL");
			continue;
		}
		sw_buf_addch(b, '"');
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				sw_buf_addch(b, '\\');
			sw_buf_addch(b, *s);
		}
		sw_buf_addch(b, '"');
	}
	sw_buf_addch(b, '}');
}

static int packages_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* replaces the image's rows: a second run writes the same */
	struct px *x = v;
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	PGresult *res = run(p, c, S_PKG_IMAGE, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	if (sw_pq->ntuples(res) == 0) {
		sw_pq->clear(res);
		return sw_err_set(err, SW_E_NOTFOUND, "no stored image %s", x->a[0]);
	}
	int64_t image = col_i64(res, 0, 0);
	sw_pq->clear(res);
	res = run(p, c, S_PKG_DEL, err, "i", image);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	if (x->i[0] > 0) {
		const struct sw_buf *a = x->arr;
		res = run(p, c, S_PKG_INS, err, "ittttttt", image, a[0].data, a[1].data, a[2].data, a[3].data, a[4].data,
			  a[5].data, a[6].data);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	return commit(p, c, err);
}

static int pg_packages_put(struct sw_st *st, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
			   struct sw_err *err)
{
	static const size_t offs[7] = { offsetof(struct sw_st_pkg_row, type), offsetof(struct sw_st_pkg_row, name),
					 offsetof(struct sw_st_pkg_row, version), offsetof(struct sw_st_pkg_row, package),
					 offsetof(struct sw_st_pkg_row, purl), offsetof(struct sw_st_pkg_row, layer),
					 offsetof(struct sw_st_pkg_row, source) };
	struct sw_buf arr[7];
	bool ok = true;
	for (int i = 0; i < 7; i++) {
		arr[i] = (struct sw_buf)SW_BUF_INIT;
		rows_array(&arr[i], rows, n, sizeof(*rows), offs[i], i == 6);
		ok = ok && sw_buf_ok(&arr[i]);
	}
	struct px x = { .a = { digest }, .i = { (int64_t)n }, .arr = arr };
	int r = ok ? with_conn(PG(st), packages_put_fn, &x, err) : sw_err_set(err, SW_E_NOMEM, "packages index: out of memory");
	for (int i = 0; i < 7; i++)
		sw_buf_release(&arr[i]);
	return r;
}

static int packages_find_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, S_PKG_FIND, err, "t", x->a[0]);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_pkg_hit *h = sw_xcalloc(1, sizeof(*h));
		h->image_digest = col_str(res, i, 0);
		h->names = col_str(res, i, 1);
		h->type = col_str(res, i, 2);
		h->name = col_str(res, i, 3);
		h->version = col_str(res, i, 4);
		h->package = col_str(res, i, 5);
		h->purl = col_str(res, i, 6);
		h->layer = col_str(res, i, 7);
		h->source = col_i64(res, i, 8) != 0;
		sw_vec_push(x->list, h);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_packages_find(struct sw_st *st, const char *name, struct sw_vec *out, struct sw_err *err)
{
	struct px x = { .a = { name }, .list = out };
	return with_conn(PG(st), packages_find_fn, &x, err);
}

/* --- webhooks and deliveries --- */

static void webhook_row(const PGresult *res, int row, struct sw_st_webhook *w, bool with_secret)
{
	memset(w, 0, sizeof(*w));
	w->id = col_i64(res, row, 0);
	w->url = col_str(res, row, 1);
	w->min_severity = col_str(res, row, 2);
	w->repositories = col_str(res, row, 3);
	w->only_fixable = col_i64(res, row, 4) != 0;
	w->kev_only = col_i64(res, row, 5) != 0;
	w->created = col_i64(res, row, 6);
	if (with_secret)
		w->secret = col_str(res, row, 7);
}

static int webhook_put_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	const struct sw_st_webhook *w = x->out;
	PGresult *res;
	if (again) {
		res = run(p, c, S_HOOK_BY_TOKEN, err, "t", x->tok);
		if (!res)
			return -SW_E_DB;
		bool found = sw_pq->ntuples(res) > 0;
		if (found)
			*x->idp = col_i64(res, 0, 0);
		sw_pq->clear(res);
		if (found)
			return 0;
	}
	res = run(p, c, S_HOOK_INSERT, err, "ttttiiit", w->url, w->secret, w->min_severity, w->repositories,
		  (int64_t)w->only_fixable, (int64_t)w->kev_only, x->i[0], x->tok);
	if (!res)
		return -SW_E_DB;
	*x->idp = col_i64(res, 0, 0);
	sw_pq->clear(res);
	return 0;
}

static int pg_webhook_put(struct sw_st *st, const struct sw_st_webhook *w, int64_t now, int64_t *id,
			  struct sw_err *err)
{
	if (!w->url || !w->secret)
		return sw_err_set(err, SW_E_USAGE, "a webhook needs a url and a secret");
	struct px x = { .out = (void *)w, .i = { now }, .idp = id };
	new_token(x.tok);
	return with_conn(PG(st), webhook_put_fn, &x, err);
}

static int webhook_get_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = x->out ? run(p, c, S_HOOK_GET, err, "i", x->i[0]) : run(p, c, S_HOOK_LIST, err, NULL);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (x->out && sw_pq->ntuples(res) > 0) {
		webhook_row(res, 0, x->out, false);
		r = 1;
	}
	for (int i = 0; !x->out && i < sw_pq->ntuples(res); i++) {
		struct sw_st_webhook *w = sw_xcalloc(1, sizeof(*w));
		webhook_row(res, i, w, x->flag);
		sw_vec_push(x->list, w);
	}
	sw_pq->clear(res);
	return r;
}

static int pg_webhook_get(struct sw_st *st, int64_t id, struct sw_st_webhook *w, struct sw_err *err)
{
	struct px x = { .i = { id }, .out = w };
	return with_conn(PG(st), webhook_get_fn, &x, err);
}

static int pg_webhook_list(struct sw_st *st, bool with_secrets, struct sw_vec *out, struct sw_err *err)
{
	struct px x = { .flag = with_secrets, .list = out };
	return with_conn(PG(st), webhook_get_fn, &x, err);
}

static int webhook_delete_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	PGresult *res = run(p, c, S_HOOK_DEL_DLV, err, "i", x->i[0]);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	res = run(p, c, S_HOOK_DELETE, err, "i", x->i[0]);
	if (!res)
		return -SW_E_DB;
	if (changed(res) == 0 && !again)
		return sw_err_set(err, SW_E_NOTFOUND, "no webhook %lld", (long long)x->i[0]);
	return commit(p, c, err);
}

static int pg_webhook_delete(struct sw_st *st, int64_t id, struct sw_err *err)
{
	struct px x = { .i = { id } };
	return with_conn(PG(st), webhook_delete_fn, &x, err);
}

static void delivery_row(const PGresult *res, int row, struct sw_st_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = col_i64(res, row, 0);
	d->webhook = col_i64(res, row, 1);
	d->image_digest = col_str(res, row, 2);
	d->body = col_str(res, row, 3);
	d->report_id = col_i64(res, row, 4);
	const char *state = col_null(res, row, 5) ? NULL : sw_pq->getvalue(res, row, 5);
	d->state = state && strcmp(state, "delivered") == 0 ? SW_DLV_DELIVERED
		   : state && strcmp(state, "failed") == 0  ? SW_DLV_FAILED
							    : SW_DLV_PENDING;
	d->attempts = (int)col_i64(res, row, 6);
	d->next_attempt = col_i64(res, row, 7);
	d->last_error = col_str(res, row, 8);
	d->created = col_i64(res, row, 9);
	d->delivered = col_i64(res, row, 10);
}

static int delivery_list_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, S_DLV_LIST, err, "ii", x->i[0], x->i[1]);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_delivery *d = sw_xcalloc(1, sizeof(*d));
		delivery_row(res, i, d);
		sw_vec_push(x->list, d);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_delivery_list(struct sw_st *st, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err)
{
	struct px x = { .i = { webhook, (int64_t)limit }, .list = out };
	return with_conn(PG(st), delivery_list_fn, &x, err);
}

static int delivery_claim_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	PGresult *res = NULL;
	if (again) {   /* did the lost claim commit? then it is ours */
		res = run(p, c, S_DLV_CLAIMED, err, "tt", x->a[0], x->tok);
		if (!res)
			return -SW_E_DB;
		if (sw_pq->ntuples(res) == 0) {
			sw_pq->clear(res);
			res = NULL;
		}
	}
	if (!res)
		res = run(p, c, S_DLV_CLAIM, err, "tiit", x->a[0], x->i[0] + x->i[1], x->i[0], x->tok);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		struct sw_st_delivery *d = x->out;
		delivery_row(res, 0, d);
		d->url = col_str(res, 0, 11);
		d->secret = col_str(res, 0, 12);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

static int pg_delivery_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
			     struct sw_err *err)
{
	struct px x = { .a = { owner }, .i = { now, lease }, .out = d };
	new_token(x.tok);
	return with_conn(PG(st), delivery_claim_fn, &x, err);
}

static int delivery_end_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	PGresult *res;
	if (again) {
		res = run(p, c, S_DLV_TOKEN, err, "it", x->i[0], x->tok);
		if (!res)
			return -SW_E_DB;
		int n = sw_pq->ntuples(res);
		sw_pq->clear(res);
		if (n > 0)
			return 0;
	}
	if (x->a[1])   /* retry: a[1] the new state */
		res = run(p, c, S_DLV_RETRY, err, "ttiitt", x->a[1], x->a[2], x->i[1], x->i[0], x->a[0], x->tok);
	else
		res = run(p, c, S_DLV_DONE, err, "iitt", x->i[1], x->i[0], x->a[0], x->tok);
	if (!res)
		return -SW_E_DB;
	if (changed(res) == 0)
		return sw_err_set(err, SW_E_NOTFOUND, "delivery %lld is not leased to this server any more",
				  (long long)x->i[0]);
	return 0;
}

static int pg_delivery_done(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	struct px x = { .a = { owner }, .i = { id, now } };
	new_token(x.tok);
	return with_conn(PG(st), delivery_end_fn, &x, err);
}

static int pg_delivery_retry(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t next_attempt,
			     bool give_up, int64_t now, struct sw_err *err)
{
	(void)now;
	struct px x = { .a = { owner, give_up ? "failed" : "pending", why }, .i = { id, next_attempt } };
	new_token(x.tok);
	return with_conn(PG(st), delivery_end_fn, &x, err);
}

static int delivery_counts_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, S_DLV_COUNTS, err, NULL);
	if (!res)
		return -SW_E_DB;
	x->counts[0] = x->counts[1] = x->counts[2] = 0;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		const char *state = sw_pq->getvalue(res, i, 0);
		int k = strcmp(state, "delivered") == 0 ? 1 : strcmp(state, "failed") == 0 ? 2 : 0;
		x->counts[k] += col_i64(res, i, 1);
	}
	sw_pq->clear(res);
	res = run(p, c, S_HOOK_COUNT, err, NULL);
	if (!res)
		return -SW_E_DB;
	*x->idp = col_i64(res, 0, 0);
	sw_pq->clear(res);
	return 0;
}

static int pg_delivery_counts(struct sw_st *st, int64_t counts[3], int64_t *webhooks, struct sw_err *err)
{
	counts[0] = counts[1] = counts[2] = 0;
	*webhooks = 0;
	struct px x = { .counts = counts, .idp = webhooks };
	return with_conn(PG(st), delivery_counts_fn, &x, err);
}

/* --- web: the image search, sessions, recent jobs --- */

struct search_x {
	const struct sw_st_image_query *q;
	struct sw_vec *out;
	int64_t *total;
	const char *vals[MAXP];
	char nums[MAXP][24];
	int n;
	struct sw_buf where, sql;
};

static const char *search_param_t(struct search_x *x, const char *v)
{
	x->vals[x->n++] = v;
	static const char *const names[] = { "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12",
					     "$13", "$14", "$15", "$16", "$17", "$18", "$19", "$20", "$21", "$22", "$23",
					     "$24" };
	return names[x->n - 1];
}

static const char *search_param_i(struct search_x *x, int64_t v)
{
	snprintf(x->nums[x->n], sizeof(x->nums[x->n]), "%lld", (long long)v);
	return search_param_t(x, x->nums[x->n]);
}

/* SQLite's filters (sqlite_web.c) in PostgreSQL's words; every value bound */
static void search_where(struct search_x *x)
{
	const struct sw_st_image_query *q = x->q;
	struct sw_buf *w = &x->where;
	sw_buf_addstr(w, " WHERE true");
	if (q->text && *q->text) {
		const char *a = search_param_t(x, q->text);
		sw_buf_addf(w, " AND (strpos(lower(i.digest), lower(%s::text)) > 0 OR EXISTS (SELECT 1 FROM image_names n"
			       " WHERE n.image = i.id AND strpos(lower(n.name), lower(%s::text)) > 0))", a, a);
	}
	if (q->repository && *q->repository)
		sw_buf_addf(w, " AND EXISTS (SELECT 1 FROM image_names n WHERE n.image = i.id AND strpos(n.name, %s::text) > 0)",
			    search_param_t(x, q->repository));
	if (q->tag && *q->tag) {
		const char *a = search_param_t(x, q->tag);
		sw_buf_addf(w, " AND EXISTS (SELECT 1 FROM image_names n WHERE n.image = i.id"
			       " AND right(n.name, length(%s::text) + 1) = ':' || %s::text)", a, a);
	}
	if (q->digest && *q->digest)
		sw_buf_addf(w, " AND strpos(i.digest, %s::text) > 0", search_param_t(x, q->digest));
	if (q->os && *q->os) {
		const char *a = search_param_t(x, q->os);
		sw_buf_addf(w, " AND left(i.os, length(%s::text)) = %s::text", a, a);
	}
	if (q->policy && strcmp(q->policy, "none") == 0)
		sw_buf_addstr(w, " AND r.policy IS NULL");
	else if (q->policy && *q->policy)
		sw_buf_addf(w, " AND r.policy = %s::text", search_param_t(x, q->policy));
	const struct {
		int64_t v;
		const char *col;
	} mins[] = { { q->min_critical, "r.critical" }, { q->min_high, "r.high" }, { q->min_medium, "r.medium" },
		     { q->min_low, "r.low" }, { q->min_total, "r.total" } };
	for (size_t k = 0; k < sizeof(mins) / sizeof(mins[0]); k++)
		if (mins[k].v > 0)
			sw_buf_addf(w, " AND %s >= %s::bigint", mins[k].col, search_param_i(x, mins[k].v));
	if (q->since > 0)
		sw_buf_addf(w, " AND i.updated >= %s::bigint", search_param_i(x, q->since));
	if (q->until > 0)
		sw_buf_addf(w, " AND i.updated <= %s::bigint", search_param_i(x, q->until));
}

static const char *search_order(enum sw_st_image_sort k)
{
	switch (k) {
	case SW_ST_SORT_CREATED: return "i.created %s, i.id %s";
	case SW_ST_SORT_WORST:
		return "coalesce(r.critical,0) %s, coalesce(r.high,0) %s, coalesce(r.medium,0) %s,"
		       " coalesce(r.low,0) %s, coalesce(r.total,0) %s, i.id %s";
	case SW_ST_SORT_CRITICAL: return "coalesce(r.critical,0) %s, i.id %s";
	case SW_ST_SORT_HIGH: return "coalesce(r.high,0) %s, i.id %s";
	case SW_ST_SORT_MEDIUM: return "coalesce(r.medium,0) %s, i.id %s";
	case SW_ST_SORT_LOW: return "coalesce(r.low,0) %s, i.id %s";
	case SW_ST_SORT_TOTAL: return "coalesce(r.total,0) %s, i.id %s";
	case SW_ST_SORT_CHECKS: return "coalesce(r.checks_failed,0) %s, i.id %s";
	case SW_ST_SORT_SECRETS: return "coalesce(r.secrets,0) %s, i.id %s";
	case SW_ST_SORT_MALWARE: return "coalesce(r.malware,0) %s, i.id %s";
	/* byte order, as SQLite compares text */
	case SW_ST_SORT_OS: return "coalesce(i.os,'') COLLATE \"C\" %s, i.id %s";
	case SW_ST_SORT_DIGEST: return "i.digest COLLATE \"C\" %s, i.id %s";
	case SW_ST_SORT_NAME:
		return "coalesce((SELECT min(n.name COLLATE \"C\") FROM image_names n WHERE n.image = i.id), '') COLLATE \"C\" %s,"
		       " i.id %s";
	case SW_ST_SORT_UPDATED:
	default: return "i.updated %s, i.id %s";
	}
}

/* Run dynamic SQL (the search's: its filters vary) as the connection's
 * unnamed prepared statement, every value a parameter. */
static PGresult *run_dynamic(struct pg *p, struct pgc *c, const char *sql, int n, const char *const *vals,
			     struct sw_err *err)
{
	PGresult *pr = sw_pq->prepare(c->conn, "", sql, 0, NULL);
	if (!pr || sw_pq->result_status(pr) != PGRES_COMMAND_OK) {
		res_error(p, c, pr, "prepare search", err);
		sw_pq->clear(pr);
		return NULL;
	}
	sw_pq->clear(pr);
	PGresult *res = sw_pq->exec_prepared(c->conn, "", n, vals, NULL, NULL, 0);
	if (!res || sw_pq->result_status(res) != PGRES_TUPLES_OK) {
		res_error(p, c, res, "search", err);
		sw_pq->clear(res);
		return NULL;
	}
	return res;
}

static int search_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct search_x *x = v;
	const struct sw_st_image_query *q = x->q;
	int64_t limit = q->limit < 1 ? 100 : q->limit > 1000 ? 1000 : q->limit;
	int64_t offset = q->offset < 0 ? 0 : q->offset;
	*x->total = 0;
	sw_buf_reset(&x->sql);
	sw_buf_addf(&x->sql, "SELECT count(*)" IMAGE_FROM "%s", x->where.data);
	PGresult *res = run_dynamic(p, c, x->sql.data, x->n, x->vals, err);
	if (!res)
		return -SW_E_DB;
	*x->total = col_i64(res, 0, 0);
	sw_pq->clear(res);
	if (*x->total <= offset)
		return 0;
	sw_buf_reset(&x->sql);
	sw_buf_addf(&x->sql, "SELECT " IMAGE_COLS IMAGE_FROM "%s ORDER BY ", x->where.data);
	const char *dir = q->ascending ? "ASC" : "DESC";
	for (const char *t = search_order(q->sort); *t; t++) {
		if (t[0] == '%' && t[1] == 's') {
			sw_buf_addstr(&x->sql, dir);
			t++;
		} else {
			sw_buf_addch(&x->sql, *t);
		}
	}
	const char *vals[MAXP + 2];
	char lim[24], off[24];
	memcpy(vals, x->vals, sizeof(x->vals[0]) * (size_t)x->n);
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	snprintf(off, sizeof(off), "%lld", (long long)offset);
	vals[x->n] = lim;
	vals[x->n + 1] = off;
	sw_buf_addf(&x->sql, " LIMIT $%d::bigint OFFSET $%d::bigint", x->n + 1, x->n + 2);
	res = run_dynamic(p, c, x->sql.data, x->n + 2, vals, err);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_image *im = sw_xcalloc(1, sizeof(*im));
		image_row(res, i, im);
		sw_vec_push(x->out, im);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_image_search(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
			   struct sw_err *err)
{
	struct search_x x = { .q = q, .out = out, .total = total, .where = SW_BUF_INIT, .sql = SW_BUF_INIT };
	search_where(&x);
	size_t first = out->len;
	int r = with_conn(PG(st), search_fn, &x, err);
	if (r < 0) {   /* nothing half-appended (a second run appends again) */
		for (size_t i = first; i < out->len; i++) {
			sw_st_image_release(out->items[i]);
			free(out->items[i]);
		}
		out->len = first;
	}
	sw_buf_release(&x.where);
	sw_buf_release(&x.sql);
	return r;
}

static int session_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* put: ON CONFLICT(hash) DO NOTHING; get, delete: plain */
	struct px *x = v;
	PGresult *res;
	if (x->s1) {   /* get */
		res = run(p, c, S_SESS_GET, err, "ti", x->a[0], x->i[0]);
		if (!res)
			return -SW_E_DB;
		int r = 0;
		if (sw_pq->ntuples(res) > 0) {
			*x->s1 = col_str(res, 0, 0);
			*x->s2 = col_str(res, 0, 1);
			r = 1;
		}
		sw_pq->clear(res);
		return r;
	}
	if (!x->flag) {   /* delete */
		res = run(p, c, S_SESS_DELETE, err, "t", x->a[0]);
		if (!res)
			return -SW_E_DB;
		sw_pq->clear(res);
		return 0;
	}
	res = run(p, c, S_SESS_PURGE, err, "i", x->i[0]);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	res = run(p, c, S_SESS_PUT, err, "tttii", x->a[0], x->a[1], x->a[2], x->i[0], x->i[1]);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return 0;
}

static int pg_session_put(struct sw_st *st, const char *hash, const char *name, const char *scope, int64_t now,
			  int64_t expires, struct sw_err *err)
{
	struct px x = { .a = { hash, name, scope }, .i = { now, expires }, .flag = true };
	return with_conn(PG(st), session_fn, &x, err);
}

static int pg_session_get(struct sw_st *st, const char *hash, int64_t now, char **name, char **scope,
			  struct sw_err *err)
{
	*name = *scope = NULL;
	struct px x = { .a = { hash }, .i = { now }, .s1 = name, .s2 = scope };
	return with_conn(PG(st), session_fn, &x, err);
}

static int pg_session_delete(struct sw_st *st, const char *hash, struct sw_err *err)
{
	struct px x = { .a = { hash } };
	return with_conn(PG(st), session_fn, &x, err);
}

static int job_recent_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, x->flag ? S_JOB_RECENT_FAILED : S_JOB_RECENT, err, "i", x->i[0]);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_job *j = sw_xcalloc(1, sizeof(*j));
		j->id = col_i64(res, i, 0);
		j->ref = col_str(res, i, 1);
		j->kind = col_str(res, i, 2);
		j->state = state_of(sw_pq->getvalue(res, i, 3));
		j->attempts = (int)col_i64(res, i, 4);
		j->error = col_str(res, i, 5);
		j->image_digest = col_str(res, i, 6);
		j->report_id = col_i64(res, i, 7);
		j->inventory_reused = col_i64(res, i, 8) != 0;
		j->created = col_i64(res, i, 9);
		j->updated = col_i64(res, i, 10);
		sw_vec_push(x->list, j);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_job_recent(struct sw_st *st, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err)
{
	struct px x = { .flag = failed_only, .i = { limit }, .list = out };
	return with_conn(PG(st), job_recent_fn, &x, err);
}

/* --- client mode, uploads --- */

static int claim_id_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	if (again) {
		int k = token_committed(p, c, x->i[0], x->tok, err);
		if (k != 0)
			return k;   /* 1: the lost claim went through */
	}
	PGresult *res = run(p, c, S_JOB_CLAIM_ID, err, "tiiit", x->a[0], x->i[1] + x->i[2], x->i[1], x->i[0], x->tok);
	if (!res)
		return -SW_E_DB;
	return changed(res) > 0 ? 1 : 0;
}

static int pg_job_claim_id(struct sw_st *st, int64_t id, const char *owner, int lease, int64_t now, struct sw_err *err)
{
	struct px x = { .a = { owner }, .i = { id, now, lease } };
	new_token(x.tok);
	return with_conn(PG(st), claim_id_fn, &x, err);
}

static int job_report_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct px *x = v;
	PGresult *res = run(p, c, S_JOB_REPORT, err, "i", x->i[0]);
	if (!res)
		return -SW_E_DB;
	int r = 0;
	if (sw_pq->ntuples(res) > 0) {
		*x->idp = col_i64(res, 0, 0);
		*x->s1 = col_str(res, 0, 1);
		r = 1;
	}
	sw_pq->clear(res);
	return r;
}

static int pg_job_report(struct sw_st *st, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err)
{
	struct px x = { .i = { job_id }, .idp = report_id, .s1 = digest };
	return with_conn(PG(st), job_report_fn, &x, err);
}

static int job_begin_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct px *x = v;
	PGresult *res;
	if (again) {
		res = run(p, c, S_JOB_BEGUN, err, "tttt", x->a[0], x->a[1], x->a[2], x->tok);
		if (!res)
			return -SW_E_DB;
		bool found = sw_pq->ntuples(res) > 0;
		if (found)
			*x->idp = col_i64(res, 0, 0);
		sw_pq->clear(res);
		if (found)
			return 0;
	}
	res = run(p, c, S_JOB_BEGIN, err, "ttttiit", x->a[0], x->a[1], x->a[2], x->a[3], x->i[0] + x->i[1], x->i[0], x->tok);
	if (!res)
		return -SW_E_DB;
	*x->idp = col_i64(res, 0, 0);
	sw_pq->clear(res);
	return 0;
}

static int pg_job_begin(struct sw_st *st, const char *ref, const char *kind, const char *options, const char *owner,
			int lease, int64_t now, int64_t *id, struct sw_err *err)
{
	struct px x = { .a = { ref, kind, options ? options : "", owner }, .i = { now, lease }, .idp = id };
	new_token(x.tok);
	return with_conn(PG(st), job_begin_fn, &x, err);
}

/* ---------------------------------------------------------------- open, migrate, close */

static void pg_close(struct sw_st *st)
{
	struct pg *p = PG(st);
	for (size_t i = 0; i < p->nidle; i++) {
		conn_close(p->idle[i]);
		free(p->idle[i]);
	}
	free(p->idle);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->conninfo);
	free(p->shown);
	free(p);
}

static int64_t query_int(struct pg *p, struct pgc *c, const char *sql, int64_t dflt, struct sw_err *err, int *r)
{
	PGresult *res = sw_pq->exec(c->conn, sql);
	int64_t v = dflt;
	if (!res || sw_pq->result_status(res) != PGRES_TUPLES_OK)
		*r = res_error(p, c, res, "migration", err);
	else if (sw_pq->ntuples(res) > 0 && !col_null(res, 0, 0))
		v = col_i64(res, 0, 0);
	sw_pq->clear(res);
	return v;
}

/* Under the advisory lock: refuse a database that is not a store, or a
 * newer schema; apply the missing migrations, each in its transaction. */
static int migrate_locked(struct pg *p, struct pgc *c, struct sw_err *err)
{
	int r = 0;
	bool have = query_int(p, c, "SELECT (to_regclass('stowaway_schema') IS NOT NULL)::int", 0, err, &r) != 0;
	if (r < 0)
		return r;
	if (!have) {
		int64_t other = query_int(p, c, "SELECT (to_regclass('jobs') IS NOT NULL OR to_regclass('images') IS NOT NULL)::int",
					  0, err, &r);
		if (r < 0)
			return r;
		if (other)
			return sw_err_set(err, SW_E_UNSUPPORTED,
					  "store '%s': the database has tables 'jobs' or 'images' but is not a stowaway store",
					  p->shown);
		r = simple(p, c, "CREATE TABLE stowaway_schema(version INTEGER NOT NULL);"
				 "INSERT INTO stowaway_schema VALUES (0)", err);
		if (r < 0)
			return r;
	}
	int64_t v = query_int(p, c, "SELECT max(version) FROM stowaway_schema", 0, err, &r);
	if (r < 0)
		return r;
	if (v > N_MIGRATIONS)
		return sw_err_set(err, SW_E_DB, "store '%s' has schema version %lld, newer than this stowaway (%d)", p->shown,
				  (long long)v, N_MIGRATIONS);
	for (int64_t i = v; i < N_MIGRATIONS; i++) {
		char upd[80];
		snprintf(upd, sizeof(upd), "UPDATE stowaway_schema SET version = %lld", (long long)(i + 1));
		r = simple(p, c, "BEGIN", err);
		if (r == 0)
			r = simple(p, c, migrations[i], err);
		if (r == 0)
			r = simple(p, c, upd, err);
		if (r == 0)
			r = simple(p, c, "COMMIT", err);
		if (r < 0) {
			PGresult *res = sw_pq->exec(c->conn, "ROLLBACK");
			sw_pq->clear(res);
			return sw_err_wrap(err, "migration to schema %lld", (long long)(i + 1));
		}
	}
	return 0;
}

static int migrate(struct pg *p, struct sw_err *err)
{
	struct pgc *c;
	int r = pool_get(p, &c, err);
	if (r < 0)
		return r;
	r = simple(p, c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", err);
	if (r == 0) {
		r = migrate_locked(p, c, err);
		struct sw_err e2 = SW_ERR_INIT;
		if (simple(p, c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", &e2) < 0)
			c->broken = true;   /* the lock goes with the session */
	}
	pool_put(p, c);
	return r;
}

/* The URL with its password (user:PASSWORD@ and password=...) masked. */
static char *mask_url(const char *url)
{
	struct sw_buf b = SW_BUF_INIT;
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	size_t auth = strcspn(s, "/?");
	const char *at = memchr(s, '@', auth), *colon = at ? memchr(s, ':', (size_t)(at - s)) : NULL;
	if (colon) {
		sw_buf_add(&b, url, (size_t)(colon + 1 - url));
		sw_buf_addstr(&b, "****");
		url = at;
	}
	for (const char *q = url; *q;) {
		const char *pw = strstr(q, "password=");
		if (!pw) {
			sw_buf_addstr(&b, q);
			break;
		}
		sw_buf_add(&b, q, (size_t)(pw + 9 - q));
		sw_buf_addstr(&b, "****");
		q = pw + 9 + strcspn(pw + 9, "&");
	}
	return sw_buf_detach(&b, NULL);
}

/* The URL for libpq: our own parameter (pool_max) taken out, connection
 * and keepalive timeouts added unless given (a partition then fails a
 * call in about a minute instead of hanging). */
static int conninfo_of(struct pg *p, const char *url, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	const char *q = strchr(url, '?');
	sw_buf_add(&b, url, q ? (size_t)(q - url) : strlen(url));
	char sep = '?';
	bool seen[4] = { false };
	static const char *const dflt[4] = { "connect_timeout=10", "keepalives_idle=30", "keepalives_interval=10",
					     "tcp_user_timeout=60000" };
	while (q && *q) {
		q++;
		size_t n = strcspn(q, "&");
		if (n > 9 && strncmp(q, "pool_max=", 9) == 0) {
			char *end = NULL;
			long v = strtol(q + 9, &end, 10);
			if (end != q + n || v < 1 || v > 10000) {
				sw_buf_release(&b);
				return sw_err_set(err, SW_E_USAGE, "store '%s': pool_max must be a number from 1 to 10000",
						  p->shown);
			}
			p->max = (unsigned)v;
		} else if (n) {
			for (int i = 0; i < 4; i++)
				if (strncmp(q, dflt[i], strcspn(dflt[i], "=") + 1) == 0)
					seen[i] = true;
			sw_buf_addch(&b, sep);
			sw_buf_add(&b, q, n);
			sep = '&';
		}
		q += n;
	}
	for (int i = 0; i < 4; i++)
		if (!seen[i]) {
			sw_buf_addch(&b, sep);
			sw_buf_addstr(&b, dflt[i]);
			sep = '&';
		}
	p->conninfo = sw_buf_detach(&b, NULL);
	return 0;
}

/* rematch (issue 17, pgscale): the section at the end of this file */
static int pg_rematch_begin(struct sw_st *st, const char *fp, int64_t chunk_size, bool force, int64_t now,
			    struct sw_st_rematch *out, struct sw_err *err);
static int pg_rematch_status(struct sw_st *st, struct sw_st_rematch *out, struct sw_err *err);
static int pg_rematch_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
			    struct sw_err *err);
static int pg_rematch_images(struct sw_st *st, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
			     struct sw_err *err);
static int pg_rematch_progress(struct sw_st *st, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			       bool failed, int lease, int64_t now, struct sw_err *err);
static int pg_rematch_end(struct sw_st *st, int64_t chunk, const char *owner, bool finished, int64_t now,
			  bool *gen_done, struct sw_err *err);

static int pg_vuln_images_page(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset,
			       struct sw_vec *out, int64_t *total, struct sw_err *err);
static int pg_session_bind(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
			   struct sw_err *err);
static int pg_session_token_live(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err);
static int pg_token_revoke(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err);

static const struct sw_st_ops postgres_ops = {
	.name = "postgres",
	.close = pg_close,
	.job_submit = pg_job_submit,
	.job_claim = pg_job_claim,
	.job_renew = pg_job_renew,
	.job_done = pg_job_done,
	.job_fail = pg_job_fail,
	.job_requeue = pg_job_requeue,
	.job_retry = pg_job_retry,
	.job_cancel = pg_job_cancel,
	.job_get = pg_job_get,
	.job_counts = pg_job_counts,
	.image_put = pg_image_put,
	.image_get = pg_image_get,
	.image_list = pg_image_list,
	.inventory_get = pg_inventory_get,
	.report_put = pg_report_put,
	.report_get = pg_report_get,
	.report_list = pg_report_list,
	.report_finding_ids = pg_report_finding_ids,
	.report_findings = pg_report_findings,
	.vuln_images = pg_vuln_images,
	.token_put = pg_token_put,
	.token_lookup = pg_token_lookup,
	.meta_get = pg_meta_get,
	.meta_set = pg_meta_set,
	.collect = pg_collect,
	.table_sizes = pg_table_sizes,
	.lock_take = pg_lock_take,
	.lock_drop = pg_lock_drop,
	/* pgport */
	.policy_put = pg_policy_put,
	.policy_get = pg_policy_get,
	.policy_list = pg_policy_list,
	.policy_delete = pg_policy_delete,
	.policy_set_default = pg_policy_set_default,
	.packages_put = pg_packages_put,
	.packages_find = pg_packages_find,
	.webhook_put = pg_webhook_put,
	.webhook_get = pg_webhook_get,
	.webhook_list = pg_webhook_list,
	.webhook_delete = pg_webhook_delete,
	.delivery_list = pg_delivery_list,
	.delivery_claim = pg_delivery_claim,
	.delivery_done = pg_delivery_done,
	.delivery_retry = pg_delivery_retry,
	.delivery_counts = pg_delivery_counts,
	.image_search = pg_image_search,
	.session_put = pg_session_put,
	.session_get = pg_session_get,
	.session_delete = pg_session_delete,
	.job_recent = pg_job_recent,
	.job_claim_id = pg_job_claim_id,
	.job_report = pg_job_report,
	.job_begin = pg_job_begin,
	/* rematch (issue 17, pgscale) */
	.rematch_begin = pg_rematch_begin,
	.rematch_status = pg_rematch_status,
	.rematch_claim = pg_rematch_claim,
	.rematch_images = pg_rematch_images,
	.rematch_progress = pg_rematch_progress,
	.rematch_end = pg_rematch_end,
	/* web, part 2 (issue 18): the last section of this file */
	.vuln_images_page = pg_vuln_images_page,
	.session_bind = pg_session_bind,
	.session_token_live = pg_session_token_live,
	.token_revoke = pg_token_revoke,
};

int sw_st_postgres_open(const char *url, struct sw_st **out, struct sw_err *err)
{
	struct pg *p = sw_xcalloc(1, sizeof(*p));
	p->base.ops = &postgres_ops;
	p->shown = mask_url(url);
	p->max = DEFAULT_POOL_MAX;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	int r = sw_pq_load(err);
	if (r < 0) {
		sw_err_wrap(err, "store '%s'", p->shown);
		goto fail;
	}
	r = conninfo_of(p, url, err);
	if (r < 0)
		goto fail;
	p->idle = sw_xcalloc(p->max, sizeof(*p->idle));
	/* the first connection does not wait: a wrong URL fails at once */
	struct pgc *c = sw_xcalloc(1, sizeof(*c));
	r = conn_open(p, c, 0, err);
	if (r < 0) {
		free(c);
		goto fail;
	}
	p->open = 1;
	pool_put(p, c);
	r = migrate(p, err);
	if (r < 0)
		goto fail;
	*out = &p->base;
	return 0;
fail:
	pg_close(&p->base);
	return r;
}

/* ---------------------------------------------------------------- rematch (issue 17, pgscale) */

/* Re-matching split across instances (store.h "rematch"): generations and
 * their chunks, claimed like jobs (FOR UPDATE SKIP LOCKED and a lease).
 * A second run after a lost COMMIT: begin finds its generation by its
 * operation token, claim its chunk by its token, progress is idempotent
 * (the cursor), end finds the chunk already ended by its owner. */

static void gen_row(const PGresult *res, int row, struct sw_st_rematch *g)
{
	sw_st_rematch_release(g);
	g->gen = col_i64(res, row, 0);
	g->fingerprint = col_str(res, row, 1);
	g->state = col_str(res, row, 2);
	g->started = col_i64(res, row, 3);
	g->finished = col_i64(res, row, 4);
	g->chunks = col_i64(res, row, 5);
	g->images = col_i64(res, row, 6);
	g->chunks_done = col_i64(res, row, 7);
	g->chunks_running = col_i64(res, row, 8);
	g->images_done = col_i64(res, row, 9);
	g->changed = col_i64(res, row, 10);
	g->failed = col_i64(res, row, 11);
	g->instances = col_i64(res, row, 12);
}

/* The generation id (0: the latest): 1 and *g, 0 when none. */
static int gen_get_on(struct pg *p, struct pgc *c, int64_t id, struct sw_st_rematch *g, struct sw_err *err)
{
	PGresult *res = id ? run(p, c, S_RM_GET, err, "i", id) : run(p, c, S_RM_LATEST, err, NULL);
	if (!res)
		return -SW_E_DB;
	int r = sw_pq->ntuples(res) > 0;
	if (r)
		gen_row(res, 0, g);
	sw_pq->clear(res);
	return r;
}

struct rm_x {
	const char *fp, *owner;
	int64_t chunk_size, now, chunk, image_id;
	int lease;
	bool force, changed, failed, finished, *gen_done;
	struct sw_st_rematch *gen;
	struct sw_st_rematch_chunk *c;
	struct sw_vec *out;
	char tok[33];
};

static int rm_begin_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct rm_x *x = v;
	PGresult *res;
	if (again) {   /* did the lost begin commit? then its generation is ours */
		res = run(p, c, S_RM_BY_TOKEN, err, "t", x->tok);
		if (!res)
			return -SW_E_DB;
		int64_t id = sw_pq->ntuples(res) > 0 ? col_i64(res, 0, 0) : 0;
		sw_pq->clear(res);
		if (id)
			return gen_get_on(p, c, id, x->gen, err) < 0 ? -SW_E_DB : 1;
	}
	if (begin(p, c, err) < 0 || !(res = run(p, c, S_RM_LOCK, err, NULL)))
		return -SW_E_DB;
	sw_pq->clear(res);
	int r = gen_get_on(p, c, 0, x->gen, err);
	if (r < 0)
		return r;
	if (r == 1 && !x->force && x->gen->fingerprint && strcmp(x->gen->fingerprint, x->fp) == 0)
		return commit(p, c, err);   /* this database's generation exists already: 0 */
	if (!(res = run(p, c, S_RM_SUPERSEDE, err, "i", x->now)))
		return -SW_E_DB;
	sw_pq->clear(res);
	if (!(res = run(p, c, S_RM_GEN_INS, err, "tit", x->fp, x->now, x->tok)))
		return -SW_E_DB;
	int64_t gen = col_i64(res, 0, 0);
	sw_pq->clear(res);
	if (!(res = run(p, c, S_RM_CHUNKS_DEL, err, "i", gen)))
		return -SW_E_DB;
	sw_pq->clear(res);
	if (!(res = run(p, c, S_RM_CHUNKS_INS, err, "iii", gen, x->now, x->chunk_size)))
		return -SW_E_DB;
	sw_pq->clear(res);
	if (!(res = run(p, c, S_RM_GEN_FILL, err, "ii", gen, x->now)))
		return -SW_E_DB;
	sw_pq->clear(res);
	r = gen_get_on(p, c, gen, x->gen, err);
	if (r < 0 || commit(p, c, err) < 0)
		return -SW_E_DB;
	return 1;
}

static int pg_rematch_begin(struct sw_st *st, const char *fp, int64_t chunk_size, bool force, int64_t now,
			    struct sw_st_rematch *out, struct sw_err *err)
{
	struct rm_x x = { .fp = fp, .chunk_size = chunk_size, .force = force, .now = now, .gen = out };
	new_token(x.tok);
	return with_conn(PG(st), rm_begin_fn, &x, err);
}

static int rm_status_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	return gen_get_on(p, c, 0, v, err);
}

static int pg_rematch_status(struct sw_st *st, struct sw_st_rematch *out, struct sw_err *err)
{
	return with_conn(PG(st), rm_status_fn, out, err);
}

static int rm_claim_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct rm_x *x = v;
	PGresult *res = NULL;
	if (again) {   /* did the lost claim commit? then it is ours */
		res = run(p, c, S_RM_CLAIMED, err, "tt", x->owner, x->tok);
		if (!res)
			return -SW_E_DB;
		if (sw_pq->ntuples(res) == 0) {
			sw_pq->clear(res);
			res = NULL;
		}
	}
	if (!res && !(res = run(p, c, S_RM_CLAIM, err, "tiit", x->owner, x->now + x->lease, x->now, x->tok)))
		return -SW_E_DB;
	if (sw_pq->ntuples(res) == 0) {
		sw_pq->clear(res);
		return 0;
	}
	struct sw_st_rematch_chunk *k = x->c;
	k->id = col_i64(res, 0, 0);
	k->gen = col_i64(res, 0, 1);
	k->id_from = col_i64(res, 0, 2);
	k->id_to = col_i64(res, 0, 3);
	k->cursor = col_i64(res, 0, 4);
	k->attempts = (int)col_i64(res, 0, 5);
	sw_pq->clear(res);
	struct sw_st_rematch g = { 0 };
	int r = gen_get_on(p, c, k->gen, &g, err);
	if (r == 1) {
		k->fingerprint = g.fingerprint;
		g.fingerprint = NULL;
		k->gen_started = g.started;
	}
	sw_st_rematch_release(&g);
	return r < 0 ? r : 1;
}

static int pg_rematch_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
			    struct sw_err *err)
{
	struct rm_x x = { .owner = owner, .lease = lease, .now = now, .c = c };
	new_token(x.tok);
	int r = with_conn(PG(st), rm_claim_fn, &x, err);
	if (r < 0)
		sw_st_rematch_chunk_release(c);
	return r;
}

static int rm_images_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct rm_x *x = v;
	const struct sw_st_rematch_chunk *k = x->c;
	PGresult *res = run(p, c, S_RM_IMAGES, err, "iii", k->id_from, k->id_to, k->cursor);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_rematch_item *it = sw_xcalloc(1, sizeof(*it));
		it->id = col_i64(res, i, 0);
		it->digest = col_str(res, i, 1);
		sw_vec_push(x->out, it);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_rematch_images(struct sw_st *st, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
			     struct sw_err *err)
{
	struct rm_x x = { .c = (struct sw_st_rematch_chunk *)c, .out = out };
	return with_conn(PG(st), rm_images_fn, &x, err);
}

static int rm_progress_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* idempotent: the cursor */
	struct rm_x *x = v;
	PGresult *res = run(p, c, S_RM_PROGRESS, err, "iiiiiit", x->image_id, (int64_t)x->failed, (int64_t)x->changed,
			    x->now + x->lease, x->now, x->chunk, x->owner);
	if (!res)
		return -SW_E_DB;
	int n = changes(res);
	sw_pq->clear(res);
	return n > 0;
}

static int pg_rematch_progress(struct sw_st *st, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			       bool failed, int lease, int64_t now, struct sw_err *err)
{
	struct rm_x x = { .chunk = chunk, .owner = owner, .image_id = image_id, .changed = changed, .failed = failed,
			  .lease = lease, .now = now };
	return with_conn(PG(st), rm_progress_fn, &x, err);
}

static int rm_end_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct rm_x *x = v;
	*x->gen_done = false;
	PGresult *res;
	if (again) {   /* did the lost end commit? */
		if (!(res = run(p, c, S_RM_CHUNK_OF, err, "it", x->chunk, x->owner)))
			return -SW_E_DB;
		bool ended = sw_pq->ntuples(res) > 0 && !col_null(res, 0, 1) && strcmp(sw_pq->getvalue(res, 0, 1), x->tok) == 0;
		sw_pq->clear(res);
		if (ended)
			return 1;   /* (whether it ended the generation is not known again: the watcher's status tells) */
	}
	if (begin(p, c, err) < 0)
		return -SW_E_DB;
	if (x->finished) {
		if (!(res = run(p, c, S_RM_GEN_LOCK, err, "i", x->chunk)))
			return -SW_E_DB;
		sw_pq->clear(res);
	}
	if (!(res = run(p, c, S_RM_END, err, "tiitt", x->finished ? "done" : "pending", x->now, x->chunk, x->owner,
			x->tok)))
		return -SW_E_DB;
	bool ours = sw_pq->ntuples(res) > 0;
	int64_t gen = ours ? col_i64(res, 0, 0) : 0;
	sw_pq->clear(res);
	if (ours && x->finished) {
		if (!(res = run(p, c, S_RM_GEN_DONE, err, "ii", x->now, gen)))
			return -SW_E_DB;
		*x->gen_done = changes(res) > 0;
		sw_pq->clear(res);
	}
	if (commit(p, c, err) < 0) {
		*x->gen_done = false;
		return -SW_E_DB;
	}
	return ours ? 1 : 0;
}

static int pg_rematch_end(struct sw_st *st, int64_t chunk, const char *owner, bool finished, int64_t now,
			  bool *gen_done, struct sw_err *err)
{
	struct rm_x x = { .chunk = chunk, .owner = owner, .finished = finished, .now = now, .gen_done = gen_done };
	new_token(x.tok);
	return with_conn(PG(st), rm_end_fn, &x, err);
}

/* ---------------------------------------------------------------- web, part 2 (issue 18) */

struct web2_x {
	const char *a, *b;
	int64_t n1, n2;
	struct sw_vec *list;
	int64_t *count;
	int live;
};

static int vuln_page_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* reads only */
	struct web2_x *x = v;
	PGresult *res = run(p, c, S_VULN_PAGE_COUNT, err, "t", x->a);
	if (!res)
		return -SW_E_DB;
	*x->count = sw_pq->ntuples(res) ? col_i64(res, 0, 0) : 0;
	sw_pq->clear(res);
	sw_st_hits_free(x->list);   /* a second run starts over */
	res = run(p, c, S_VULN_PAGE, err, "tii", x->a, x->n1 > 0 ? x->n1 : INT64_MAX, x->n2);
	if (!res)
		return -SW_E_DB;
	for (int i = 0; i < sw_pq->ntuples(res); i++) {
		struct sw_st_hit *h = sw_xcalloc(1, sizeof(*h));
		h->image_digest = col_str(res, i, 0);
		h->names = col_str(res, i, 1);
		h->pkg_name = col_str(res, i, 2);
		h->pkg_version = col_str(res, i, 3);
		h->fixed = col_str(res, i, 4);
		h->severity = col_str(res, i, 5);
		h->report_id = col_i64(res, i, 6);
		sw_vec_push(x->list, h);
	}
	sw_pq->clear(res);
	return 0;
}

static int pg_vuln_images_page(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset,
			       struct sw_vec *out, int64_t *total, struct sw_err *err)
{
	struct web2_x x = { .a = vuln_id, .n1 = limit, .n2 = offset, .list = out, .count = total };
	*total = 0;
	return with_conn(PG(st), vuln_page_fn, &x, err);
}

static int session_bind_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;   /* an upsert: a second run changes nothing more */
	struct web2_x *x = v;
	PGresult *res = run(p, c, S_SESS_BIND_GC, err, "i", x->n1);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	res = run(p, c, S_SESS_BIND, err, "tti", x->a, x->b, x->n2);
	if (!res)
		return -SW_E_DB;
	sw_pq->clear(res);
	return 0;
}

static int pg_session_bind(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
			   struct sw_err *err)
{
	struct web2_x x = { .a = hash, .b = token_ref, .n1 = now, .n2 = expires };
	return with_conn(PG(st), session_bind_fn, &x, err);
}

static int session_live_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	(void)again;
	struct web2_x *x = v;
	PGresult *res = run(p, c, S_SESS_LIVE, err, "ti", x->a, x->n1);
	if (!res)
		return -SW_E_DB;
	x->live = sw_pq->ntuples(res) > 0;
	sw_pq->clear(res);
	return 0;
}

static int pg_session_token_live(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err)
{
	struct web2_x x = { .a = hash, .n1 = now };
	int r = with_conn(PG(st), session_live_fn, &x, err);
	return r < 0 ? r : x.live;
}

static int token_revoke_fn(struct pg *p, struct pgc *c, void *v, bool again, struct sw_err *err)
{
	struct web2_x *x = v;
	PGresult *res;
	if (again) {
		/* the first run may have committed: its tokens carry its time */
		res = run(p, c, S_TOK_REVOKED_AT, err, "ti", x->a, x->n1);
		if (!res)
			return -SW_E_DB;
		*x->count = sw_pq->ntuples(res) ? col_i64(res, 0, 0) : 0;
		sw_pq->clear(res);
		if (*x->count > 0)
			return 0;
	}
	res = run(p, c, S_TOK_REVOKE, err, "ti", x->a, x->n1);
	if (!res)
		return -SW_E_DB;
	*x->count = sw_pq->ntuples(res) ? col_i64(res, 0, 0) : 0;
	sw_pq->clear(res);
	return 0;
}

static int pg_token_revoke(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err)
{
	struct web2_x x = { .a = name, .n1 = now, .count = revoked };
	*revoked = 0;
	return with_conn(PG(st), token_revoke_fn, &x, err);
}
