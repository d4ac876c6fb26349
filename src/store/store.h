/*
 * store.h - what the server keeps: images, their inventories, scan jobs,
 * reports with history, API tokens, webhooks.  One interface, several back
 * ends: SQLite (one file, the default, src/store/sqlite.c) now, PostgreSQL
 * (issue 17) behind the same function table.  docs/store.md has the schema.
 *
 *   struct sw_st *st = NULL;
 *   if (sw_st_open("/var/lib/stowaway/store.sqlite", &st, &err) < 0) ...
 *   int64_t id; bool created;
 *   sw_st_job_submit(st, "registry:reg/app:1", "scan", "", now, &id, &created, &err);
 *   struct sw_st_job job;
 *   if (sw_st_job_claim(st, "host:pid:rand", 60, now, &job, &err) == 1) { ... }
 *
 * Jobs are claimed with a lease (owner + expiry): a claim takes the oldest
 * pending job, or a running one whose lease expired (its owner died); the
 * owner renews its leases while it works (sw_st_job_renew) and ends the
 * job with done, fail or requeue, each only if it still owns it.  Both back
 * ends express this in SQL (SQLite: one IMMEDIATE transaction; PostgreSQL:
 * FOR UPDATE SKIP LOCKED), so several server processes may share a store.
 *
 * Idempotency: an image is stored once per identity digest (its manifest
 * digest, else its config digest); its inventory is stored with the key of
 * inventory/image_cache.h (config digest + every layer's analyzer-set key),
 * so a known image scanned with the same analyzers is not read again.  A
 * submission of a reference that has a pending or running job returns that
 * job; one whose last job failed puts that job back to pending (a failure
 * is never the image's result: failed jobs write no report).
 *
 * Thread safety: every call may be made from any thread (the SQLite back
 * end serialises them on one connection).  Strings returned are malloc'd
 * copies the caller owns (free the structures with the _release calls).
 * Errors: negative return, err set (SW_E_DB, SW_E_NOTFOUND...).
 */
#ifndef SW_STORE_STORE_H
#define SW_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

/* The schema version the SQLite back end migrates to (docs/store.md). */
#define SW_STORE_SCHEMA_VERSION 7

enum sw_job_state { SW_JOB_PENDING = 0, SW_JOB_RUNNING, SW_JOB_DONE, SW_JOB_FAILED };
const char *sw_job_state_name(enum sw_job_state s);

struct sw_st_job {
	int64_t id;
	char *ref;              /* the image reference as submitted */
	char *kind;             /* "scan" (REST API) or "harbor" */
	char *options;          /* the job's non-secret options (JSON text, "" for none) */
	enum sw_job_state state;
	int attempts;           /* claims so far */
	char *error;            /* the last failure, or NULL */
	char *image_digest;     /* the image scanned (done), or NULL */
	int64_t report_id;      /* the report written (done), or 0 */
	bool inventory_reused;  /* done from the stored inventory: no layer read */
	char *lease_owner;      /* running: who holds it */
	int64_t lease_until;
	int64_t created, updated;
};
void sw_st_job_release(struct sw_st_job *j);

struct sw_st_image {
	char *digest;           /* identity: manifest digest, else config digest */
	char *config_digest;
	char *inv_key;          /* image_cache.h key of the inventory stored, or NULL */
	char *os;               /* "debian 12" or NULL */
	char *architecture;
	struct sw_vec names;    /* char*: "repository:tag" or "repository@digest" seen */
	int64_t created, updated;
	int64_t latest_report;  /* 0: none */
	/* the latest report's counts (unsuppressed findings) */
	int64_t critical, high, medium, low, negligible, unknown, total;
	/* the latest report's other sections (see struct sw_st_report_put) */
	int64_t checks_failed, secrets, malware;
	char *policy;           /* "pass", "warn", "stop", or NULL: no policy evaluated */
};
void sw_st_image_release(struct sw_st_image *im);

/* What sw_st_image_put writes: the image row, its names, and its
 * inventory (image_cache.h encoding; compressed here) and config. */
struct sw_st_image_put {
	const char *digest, *config_digest, *inv_key, *os, *architecture;
	const char *name;               /* "repository:tag" to add, or NULL */
	const uint8_t *inventory;       /* encoded (image_cache.h) */
	size_t inventory_len;
	const char *config_json;        /* may be NULL */
};

/* One finding, indexed for "which images does this vulnerability hit". */
struct sw_st_finding {
	const char *vuln_id;            /* every alias gets a row */
	const char *pkg_name, *pkg_version, *fixed, *severity;
	/* hooks: the finding's primary id (its other ids are aliases) and
	 * whether it is in CISA's KEV catalog; main NULL = vuln_id */
	const char *main;
	bool kev;
};

struct sw_st_report_put {
	const char *image_digest;
	int64_t job_id;                 /* 0 for a re-match */
	const char *db_fingerprint;     /* the vulnerability database it was matched with */
	const char *json;               /* our CLI's JSON report */
	size_t json_len;
	int64_t critical, high, medium, low, negligible, unknown, total, suppressed;
	bool complete;
	const struct sw_st_finding *findings;
	size_t nfindings;
	const char *changes_json;       /* vs the previous report: {"new":[],"fixed":[]} or NULL */
	int64_t now;
	/* unsuppressed failed image checks, secret findings, malware findings
	 * (those removed by a later layer included); the policy's final action
	 * ("pass", "warn", "stop") or NULL when no policy was evaluated */
	int64_t checks_failed, secrets, malware;
	const char *policy;
	/* hooks: notifications queued in the report's transaction (one
	 * delivery row per webhook whose filter the changes pass) */
	const struct sw_st_delivery_put *deliveries;
	size_t ndeliveries;
};

struct sw_st_report {
	int64_t id;
	char *image_digest;
	int64_t job_id;
	char *db_fingerprint;
	int64_t created;
	int64_t critical, high, medium, low, negligible, unknown, total, suppressed;
	bool complete;
	char *changes_json;             /* or NULL */
	int64_t checks_failed, secrets, malware;
	char *policy;                   /* or NULL */
	struct sw_buf json;             /* filled by sw_st_report_get only */
};
void sw_st_report_release(struct sw_st_report *r);

/* One stored image a vulnerability hits (latest report). */
struct sw_st_hit {
	char *image_digest, *names, *pkg_name, *pkg_version, *fixed, *severity;
	int64_t report_id;
};

/* A policy bundle as stored (policies table): the text as submitted. */
struct sw_st_policy_put {
	const char *id;                 /* the bundle's own id */
	const char *name;               /* may be NULL */
	const char *format;             /* "json" or "yaml" */
	const char *body;
	size_t body_len;
};
struct sw_st_policy {
	char *id, *name, *format;
	bool is_default;
	int64_t created, updated;
	struct sw_buf body;             /* filled by sw_st_policy_get only */
};
void sw_st_policy_release(struct sw_st_policy *p);

/* One row of the packages index: a package of an image under its
 * versionless purl ("pkg:deb/debian/libssl3"); OS packages with another
 * source package get a second row under the source's name (source true). */
struct sw_st_pkg_row {
	const char *type;               /* purl type */
	const char *name;               /* versionless purl: the key */
	const char *version;            /* the package's (or, source rows, the source's) version */
	const char *package;            /* the installed package's name */
	const char *purl;               /* the installed package's full purl, or NULL */
	const char *layer;              /* the diff_id of the layer that brought it, or NULL */
	bool source;
};
struct sw_st_pkg_hit {
	char *image_digest, *names, *type, *name, *version, *package, *purl, *layer;
	bool source;
};

/* hooks: a notification to queue with a report (sw_st_report_put). */
struct sw_st_delivery_put {
	int64_t webhook;
	const char *body;               /* the event's JSON without "report" and "created" */
};

/* hooks: one finding row of a stored (latest) report. */
struct sw_st_finding_row {
	char *vuln_id, *main, *pkg_name, *pkg_version, *fixed, *severity;
	bool kev;
};

/* hooks: a registered webhook. */
struct sw_st_webhook {
	int64_t id;
	char *url;
	char *secret;                   /* filled only by sw_st_webhook_targets (signing) */
	char *min_severity;             /* "low".."critical", or NULL */
	char *repositories;             /* JSON array of patterns, or NULL: every image */
	bool only_fixable, kev_only;
	int64_t created;
};
void sw_st_webhook_release(struct sw_st_webhook *w);

enum sw_delivery_state { SW_DLV_PENDING = 0, SW_DLV_DELIVERED, SW_DLV_FAILED };
const char *sw_delivery_state_name(enum sw_delivery_state s);

/* hooks: one queued notification. */
struct sw_st_delivery {
	int64_t id, webhook;
	char *image_digest;
	char *body;                     /* as queued (struct sw_st_delivery_put) */
	int64_t report_id;
	enum sw_delivery_state state;
	int attempts;
	int64_t next_attempt;           /* pending: not before */
	char *last_error;               /* or NULL */
	int64_t created, delivered;     /* delivered: 0 until then */
	char *url, *secret;             /* the webhook's, filled by sw_st_delivery_claim only */
};
void sw_st_delivery_release(struct sw_st_delivery *d);

/* web (issue 18): a search of the stored images (sw_st_image_search).
 * Every filter is optional (NULL / 0 = none); they combine with AND. */
enum sw_st_image_sort {
	SW_ST_SORT_UPDATED = 0,  /* last report or name seen (default) */
	SW_ST_SORT_CREATED,      /* first stored */
	SW_ST_SORT_WORST,        /* critical, then high, medium, low, total */
	SW_ST_SORT_CRITICAL, SW_ST_SORT_HIGH, SW_ST_SORT_MEDIUM, SW_ST_SORT_LOW, SW_ST_SORT_TOTAL,
	SW_ST_SORT_CHECKS, SW_ST_SORT_SECRETS, SW_ST_SORT_MALWARE,
	SW_ST_SORT_OS, SW_ST_SORT_DIGEST, SW_ST_SORT_NAME,
};
struct sw_st_image_query {
	const char *text;        /* substring of a name or of the digest, any case */
	const char *repository;  /* substring of a name ("repository:tag") */
	const char *tag;         /* a name ends with ":TAG" */
	const char *digest;      /* substring of the digest */
	const char *os;          /* the OS starts with it ("debian", "debian 12") */
	const char *policy;      /* "pass", "warn", "stop", or "none" (no policy evaluated) */
	/* latest report's unsuppressed counts at least these (0: no filter) */
	int64_t min_critical, min_high, min_medium, min_low, min_total;
	int64_t since, until;    /* updated in [since, until] (unix; 0: open) */
	enum sw_st_image_sort sort;
	bool ascending;          /* default: descending (newest, worst first) */
	int64_t limit, offset;   /* a page: limit 1..1000 rows from offset */
};

struct sw_st;

/* What one retention pass removed (sw_st_collect). */
struct sw_st_collected {
	int64_t jobs, reports, deliveries;
};

/* One table of the store (sw_st_table_sizes). */
struct sw_st_table_size {
	char *table;
	int64_t rows;    /* SQLite: counted; PostgreSQL: the statistics' estimate */
	int64_t bytes;   /* with indexes; -1 when the back end cannot tell */
};

/* rematch (issue 17, pgscale): one re-match of every stored inventory after
 * a change of the vulnerability database (a "generation"), cut into chunks
 * of consecutive image ids that the instances sharing the store claim with
 * a lease, like jobs (docs/store.md "Re-matching"). */
struct sw_st_rematch {
	int64_t gen;                    /* the generation's id */
	char *fingerprint;              /* the database it matches with (srv_db_fingerprint) */
	char *state;                    /* "running", "done", "superseded" */
	int64_t started, finished;      /* finished: 0 while running */
	int64_t chunks, chunks_done, chunks_running;   /* running: claimed, lease live or not */
	int64_t images, images_done, changed, failed;  /* images: with an inventory when it began */
	int64_t instances;              /* distinct owners that claimed its chunks */
};
void sw_st_rematch_release(struct sw_st_rematch *r);
/* A claimed chunk: the images with ids in [id_from, id_to] and id > cursor
 * (the last one its owners finished) are left to do. */
struct sw_st_rematch_chunk {
	int64_t id, gen, id_from, id_to, cursor;
	int attempts;                   /* claims so far (> 1: taken over or given back) */
	char *fingerprint;              /* the generation's */
	int64_t gen_started;
};
void sw_st_rematch_chunk_release(struct sw_st_rematch_chunk *c);
/* An image of a chunk (sw_st_rematch_images). */
struct sw_st_rematch_item {
	int64_t id;
	char *digest;
};

/* The back-end function table (one per back end; see store.c). */
struct sw_st_ops {
	const char *name;
	void (*close)(struct sw_st *st);
	int (*job_submit)(struct sw_st *st, const char *ref, const char *kind, const char *options, int64_t now,
			  int64_t *id, bool *created, struct sw_err *err);
	int (*job_claim)(struct sw_st *st, const char *owner, int lease, int64_t now,
			 struct sw_st_job *job, struct sw_err *err);
	int (*job_renew)(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_err *err);
	int (*job_done)(struct sw_st *st, int64_t id, const char *owner, const char *image_digest,
			int64_t report_id, bool reused, int64_t now, struct sw_err *err);
	int (*job_fail)(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t now,
			struct sw_err *err);
	int (*job_requeue)(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err);
	int (*job_retry)(struct sw_st *st, int64_t id, int64_t now, struct sw_err *err);
	int (*job_cancel)(struct sw_st *st, int64_t id, const char *why, int64_t now, struct sw_err *err);
	int (*job_get)(struct sw_st *st, int64_t id, struct sw_st_job *job, struct sw_err *err);
	int (*job_counts)(struct sw_st *st, int64_t counts[4], struct sw_err *err);
	int (*image_put)(struct sw_st *st, const struct sw_st_image_put *im, int64_t now, struct sw_err *err);
	int (*image_get)(struct sw_st *st, const char *digest, struct sw_st_image *im, struct sw_err *err);
	int (*image_list)(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
	int (*inventory_get)(struct sw_st *st, const char *digest, const char *inv_key, struct sw_buf *inv,
			     struct sw_buf *config, struct sw_err *err);
	int (*report_put)(struct sw_st *st, const struct sw_st_report_put *r, int64_t *id, struct sw_err *err);
	int (*report_get)(struct sw_st *st, int64_t id, struct sw_st_report *r, struct sw_err *err);
	int (*report_list)(struct sw_st *st, const char *digest, struct sw_vec *out, struct sw_err *err);
	int (*report_finding_ids)(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err);
	int (*vuln_images)(struct sw_st *st, const char *vuln_id, struct sw_vec *out, struct sw_err *err);
	int (*token_put)(struct sw_st *st, const char *name, const char *scope, const char *salt,
			 const char *hash, const char *prefix, int64_t now, struct sw_err *err);
	int (*token_lookup)(struct sw_st *st, const char *prefix, struct sw_vec *rows, struct sw_err *err);
	int (*meta_get)(struct sw_st *st, const char *key, char **value, struct sw_err *err);
	int (*meta_set)(struct sw_st *st, const char *key, const char *value, struct sw_err *err);
	/* policy bundles and the packages index (polapi: sqlite_policy.c) */
	int (*policy_put)(struct sw_st *st, const struct sw_st_policy_put *p, bool replace, int64_t now,
			  struct sw_err *err);
	int (*policy_get)(struct sw_st *st, const char *id, struct sw_st_policy *out, struct sw_err *err);
	int (*policy_list)(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
	int (*policy_delete)(struct sw_st *st, const char *id, struct sw_err *err);
	int (*policy_set_default)(struct sw_st *st, const char *id, bool on, int64_t now, struct sw_err *err);
	int (*packages_put)(struct sw_st *st, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
			    struct sw_err *err);
	int (*packages_find)(struct sw_st *st, const char *name, struct sw_vec *out, struct sw_err *err);
	/* hooks: webhooks, deliveries, the findings of a report */
	int (*webhook_put)(struct sw_st *st, const struct sw_st_webhook *w, int64_t now, int64_t *id,
			   struct sw_err *err);
	int (*webhook_get)(struct sw_st *st, int64_t id, struct sw_st_webhook *w, struct sw_err *err);
	int (*webhook_list)(struct sw_st *st, bool with_secrets, struct sw_vec *out, struct sw_err *err);
	int (*webhook_delete)(struct sw_st *st, int64_t id, struct sw_err *err);
	int (*delivery_list)(struct sw_st *st, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err);
	int (*delivery_claim)(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
			      struct sw_err *err);
	int (*delivery_done)(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err);
	int (*delivery_retry)(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t next_attempt,
			      bool give_up, int64_t now, struct sw_err *err);
	int (*delivery_counts)(struct sw_st *st, int64_t counts[3], int64_t *webhooks, struct sw_err *err);
	int (*report_findings)(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err);
	/* web (issue 18): image search, browser sessions, recent jobs */
	int (*image_search)(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
			    struct sw_err *err);
	int (*session_put)(struct sw_st *st, const char *hash, const char *name, const char *scope, int64_t now,
			   int64_t expires, struct sw_err *err);
	int (*session_get)(struct sw_st *st, const char *hash, int64_t now, char **name, char **scope,
			   struct sw_err *err);
	int (*session_delete)(struct sw_st *st, const char *hash, struct sw_err *err);
	int (*job_recent)(struct sw_st *st, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err);
	/* client mode (src/store/sqlite_client.c) */
	int (*job_claim_id)(struct sw_st *st, int64_t id, const char *owner, int lease, int64_t now,
			    struct sw_err *err);
	int (*job_report)(struct sw_st *st, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err);
	/* retention (issue 17, pg): see sw_st_collect / sw_st_table_sizes */
	int (*collect)(struct sw_st *st, int64_t before, struct sw_st_collected *out, struct sw_err *err);
	int (*table_sizes)(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
	/* named leases between instances (issue 17, pg): see sw_st_lock_take */
	int (*lock_take)(struct sw_st *st, const char *name, const char *owner, int ttl, int64_t now,
			 struct sw_err *err);
	int (*lock_drop)(struct sw_st *st, const char *name, const char *owner, struct sw_err *err);
	/* upload (uploads and SBOM submissions) */
	int (*job_begin)(struct sw_st *st, const char *ref, const char *kind, const char *options, const char *owner,
			 int lease, int64_t now, int64_t *id, struct sw_err *err);
	/* re-matching split across instances (issue 17, pgscale): see sw_st_rematch_begin */
	int (*rematch_begin)(struct sw_st *st, const char *fingerprint, int64_t chunk_size, bool force, int64_t now,
			     struct sw_st_rematch *out, struct sw_err *err);
	int (*rematch_status)(struct sw_st *st, struct sw_st_rematch *out, struct sw_err *err);
	int (*rematch_claim)(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
			     struct sw_err *err);
	int (*rematch_images)(struct sw_st *st, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
			      struct sw_err *err);
	int (*rematch_progress)(struct sw_st *st, int64_t chunk, const char *owner, int64_t image_id, bool changed,
				bool failed, int lease, int64_t now, struct sw_err *err);
	int (*rematch_end)(struct sw_st *st, int64_t chunk, const char *owner, bool finished, int64_t now,
			   bool *gen_done, struct sw_err *err);
	/* web, part 2 (issue 18): paged "which images", sessions bound to
	 * their token, token revocation (sqlite_web.c; postgres.c's last section) */
	int (*vuln_images_page)(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset,
				struct sw_vec *out, int64_t *total, struct sw_err *err);
	int (*session_bind)(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
			    struct sw_err *err);
	int (*session_token_live)(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err);
	int (*token_revoke)(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err);
};

struct sw_st {
	const struct sw_st_ops *ops;
};

/* Open (creating and migrating) the store at where: "sqlite:PATH" or a
 * plain PATH (SQLite), or a postgres:// / postgresql:// URL (PostgreSQL,
 * src/store/postgres.c). */
int sw_st_open(const char *where, struct sw_st **out, struct sw_err *err);
void sw_st_close(struct sw_st *st);

/* --- jobs --- */
/* Queue a scan of ref with options (see the idempotency rules above: a
 * job is the same when ref, kind and options are).  *created tells
 * whether a new job row was made. */
int sw_st_job_submit(struct sw_st *st, const char *ref, const char *kind, const char *options, int64_t now,
		     int64_t *id, bool *created, struct sw_err *err);
/* Claim the next job for owner with a lease of `lease` seconds: 1 and
 * *job filled (state running, attempts counted), 0 when there is none. */
int sw_st_job_claim(struct sw_st *st, const char *owner, int lease, int64_t now,
		       struct sw_st_job *job, struct sw_err *err);
/* Extend every lease owner holds to now + lease. */
int sw_st_job_renew(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_err *err);
/* End a running job owner holds: done (with its report), failed (why),
 * or back to pending (shutdown).  0, or SW_E_NOTFOUND when owner lost it. */
int sw_st_job_done(struct sw_st *st, int64_t id, const char *owner, const char *image_digest,
		      int64_t report_id, bool reused, int64_t now, struct sw_err *err);
int sw_st_job_fail(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t now,
		      struct sw_err *err);
int sw_st_job_requeue(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err);
/* A failed job back to pending.  SW_E_NOTFOUND: no such job; SW_E_USAGE:
 * it is not failed. */
int sw_st_job_retry(struct sw_st *st, int64_t id, int64_t now, struct sw_err *err);
/* A pending job to failed with error why (a cancel).  SW_E_NOTFOUND: no
 * such job; SW_E_USAGE: it is not pending (a running scan is not stopped). */
int sw_st_job_cancel(struct sw_st *st, int64_t id, const char *why, int64_t now, struct sw_err *err);
/* 1 and *job, 0 when there is no such job. */
int sw_st_job_get(struct sw_st *st, int64_t id, struct sw_st_job *job, struct sw_err *err);
/* Jobs per state (pending, running, done, failed). */
int sw_st_job_counts(struct sw_st *st, int64_t counts[4], struct sw_err *err);

/* --- images and inventories --- */
int sw_st_image_put(struct sw_st *st, const struct sw_st_image_put *im, int64_t now, struct sw_err *err);
/* 1 and *im, or 0 when unknown. */
int sw_st_image_get(struct sw_st *st, const char *digest, struct sw_st_image *im, struct sw_err *err);
/* Every image (struct sw_st_image*, newest first); free with sw_st_image_list_free. */
int sw_st_image_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
void sw_st_image_list_free(struct sw_vec *v);
/* The stored inventory of digest when its key is inv_key (NULL: any
 * key): 1 with inv (encoded) and config (the image config, may be
 * empty) appended, 0 when there is none. */
int sw_st_inventory_get(struct sw_st *st, const char *digest, const char *inv_key, struct sw_buf *inv,
			   struct sw_buf *config, struct sw_err *err);

/* --- reports --- */
/* Store a report and make it the image's latest (one transaction). */
int sw_st_report_put(struct sw_st *st, const struct sw_st_report_put *r, int64_t *id, struct sw_err *err);
/* 1 and *r with its JSON, or 0. */
int sw_st_report_get(struct sw_st *st, int64_t id, struct sw_st_report *r, struct sw_err *err);
/* An image's reports, newest first (struct sw_st_report*, without JSON). */
int sw_st_report_list(struct sw_st *st, const char *digest, struct sw_vec *out, struct sw_err *err);
void sw_st_report_list_free(struct sw_vec *v);
/* The distinct vulnerability ids (every alias) of a report, sorted (char*). */
int sw_st_report_finding_ids(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err);
/* Which images' latest reports list vuln_id (any alias): struct sw_st_hit*. */
int sw_st_vuln_images(struct sw_st *st, const char *vuln_id, struct sw_vec *out, struct sw_err *err);
void sw_st_hits_free(struct sw_vec *v);

/* --- API tokens: stored as salt + SHA-256(salt || token), never in clear --- */
/* Make a token for name with scope ("read", "scan", "admin"); *token is
 * the only copy of it ("sw_" + 48 hex digits), malloc'd. */
int sw_st_token_create(struct sw_st *st, const char *name, const char *scope, int64_t now, char **token,
			  struct sw_err *err);
/* 1 and *name / *scope (malloc'd, either may be NULL) when token is
 * valid, 0 when not. */
int sw_st_token_check(struct sw_st *st, const char *token, char **name, char **scope, struct sw_err *err);

/* --- small key/value facts (the vulnerability database last matched) --- */
int sw_st_meta_get(struct sw_st *st, const char *key, char **value, struct sw_err *err);
int sw_st_meta_set(struct sw_st *st, const char *key, const char *value, struct sw_err *err);

/* --- policy bundles and the packages index (polapi; docs/store.md) --- */
/* Store a bundle under its id: replace false creates it (SW_E_USAGE when
 * the id exists), true replaces its text (SW_E_NOTFOUND when it does not;
 * the default flag is kept). */
int sw_st_policy_put(struct sw_st *st, const struct sw_st_policy_put *p, bool replace, int64_t now,
		     struct sw_err *err);
/* 1 and *out (with its body) for id, or for the default bundle when id is
 * NULL; 0 when there is none. */
int sw_st_policy_get(struct sw_st *st, const char *id, struct sw_st_policy *out, struct sw_err *err);
/* Every bundle (struct sw_st_policy*, without body), by id. */
int sw_st_policy_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
void sw_st_policy_list_free(struct sw_vec *v);
/* SW_E_NOTFOUND when there is no such bundle. */
int sw_st_policy_delete(struct sw_st *st, const char *id, struct sw_err *err);
/* Make id the default bundle (on) or stop it being the default (off; a
 * no-op when it is not).  SW_E_NOTFOUND when there is no such bundle. */
int sw_st_policy_set_default(struct sw_st *st, const char *id, bool on, int64_t now, struct sw_err *err);
/* Replace the packages index rows of image digest (one transaction). */
int sw_st_packages_put(struct sw_st *st, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
		       struct sw_err *err);
/* Every stored image with a package under the versionless purl name
 * (struct sw_st_pkg_hit*): one indexed query. */
int sw_st_packages_find(struct sw_st *st, const char *name, struct sw_vec *out, struct sw_err *err);
void sw_st_pkg_hits_free(struct sw_vec *v);
/* --- hooks: webhooks and their delivery queue (docs/store.md) ---
 * Deliveries are queued by sw_st_report_put (same transaction as the
 * report) and claimed with a lease like jobs: a claim takes the oldest
 * pending delivery that is due (next_attempt <= now) and not leased (or
 * whose lease expired: its server died mid-send), counts the attempt and
 * leases it to owner; the owner ends it with done or retry (each only
 * while it holds the lease, else SW_E_NOTFOUND).  At least once: a
 * delivery is sent again when its sender died before recording the answer. */
/* A new webhook (w->secret required); *id. */
int sw_st_webhook_put(struct sw_st *st, const struct sw_st_webhook *w, int64_t now, int64_t *id,
		      struct sw_err *err);
/* 1 and *w (without its secret), 0 when unknown. */
int sw_st_webhook_get(struct sw_st *st, int64_t id, struct sw_st_webhook *w, struct sw_err *err);
/* Every webhook (struct sw_st_webhook*, oldest first); secrets only when
 * with_secrets (for signing, never for answers).  Free with
 * sw_st_webhook_list_free. */
int sw_st_webhook_list(struct sw_st *st, bool with_secrets, struct sw_vec *out, struct sw_err *err);
void sw_st_webhook_list_free(struct sw_vec *v);
/* Delete a webhook and its deliveries; SW_E_NOTFOUND when unknown. */
int sw_st_webhook_delete(struct sw_st *st, int64_t id, struct sw_err *err);
/* A webhook's latest deliveries, newest first (struct sw_st_delivery*);
 * free with sw_st_delivery_list_free. */
int sw_st_delivery_list(struct sw_st *st, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err);
void sw_st_delivery_list_free(struct sw_vec *v);
/* 1 and *d (with the webhook's url and secret), 0 when nothing is due. */
int sw_st_delivery_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
			 struct sw_err *err);
int sw_st_delivery_done(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err);
/* Record a failed attempt (why): pending again from next_attempt, or
 * failed for good when give_up. */
int sw_st_delivery_retry(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t next_attempt,
			 bool give_up, int64_t now, struct sw_err *err);
/* Deliveries per state (pending, delivered, failed) and the number of webhooks. */
int sw_st_delivery_counts(struct sw_st *st, int64_t counts[3], int64_t *webhooks, struct sw_err *err);
/* The finding rows of a report (only the latest report of each image has
 * them): struct sw_st_finding_row*, in the order stored.  Free with
 * sw_st_finding_rows_free. */
int sw_st_report_findings(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err);
void sw_st_finding_rows_free(struct sw_vec *v);
/* --- retention (issue 17): old records collected on a schedule (docs/store.md) --- */
/* Delete what is older than before (Unix seconds): jobs that ended (done,
 * failed) and were last updated before it, reports created before it that
 * are no image's latest report, deliveries in state 'delivered' created
 * before it.  An image's latest report and every pending or running job
 * stay.  Counts of what went in *out. */
int sw_st_collect(struct sw_st *st, int64_t before, struct sw_st_collected *out, struct sw_err *err);
/* Every table of the store with its size (struct sw_st_table_size*, by
 * name); free with sw_st_table_sizes_free. */
int sw_st_table_sizes(struct sw_st *st, struct sw_vec *out, struct sw_err *err);
void sw_st_table_sizes_free(struct sw_vec *v);
/* A named lease between the instances sharing a store (the re-match after a
 * database change runs in one at a time): 1 when owner now holds name until
 * now + ttl (taken, or renewed: it held it already), 0 when another owner
 * holds it and its lease has not expired.  Kept in the meta table (key
 * "lock:NAME", value "OWNER UNTIL"; owner has no space).  lock_drop gives
 * it up if owner holds it. */
int sw_st_lock_take(struct sw_st *st, const char *name, const char *owner, int ttl, int64_t now, struct sw_err *err);
int sw_st_lock_drop(struct sw_st *st, const char *name, const char *owner, struct sw_err *err);

/* --- blobs: zstd frames for inventories and reports --- */
int sw_st_pack(const void *data, size_t len, struct sw_buf *out, struct sw_err *err);
int sw_st_unpack(const void *data, size_t len, size_t max, struct sw_buf *out, struct sw_err *err);

/* --- inventories as stored: the image facts (transport, reference,
 * digests, platform, tags, layers) and the image-cache encoding
 * (inventory/image_cache.h) in one checked frame (src/store/invblob.c) --- */
struct sw_inventory;
int sw_st_inventory_encode(const struct sw_inventory *inv, const char *key, struct sw_buf *out, struct sw_err *err);
/* A new inventory from what encode wrote, or SW_E_FORMAT (nothing made). */
int sw_st_inventory_decode(const uint8_t *data, size_t len, struct sw_inventory **out, struct sw_err *err);

/* --- client mode (docs/api.md "Client mode") --- */
/* Claim job id for owner with a lease, as sw_st_job_claim does for the
 * next one: only when it is pending, or running under an expired lease.
 * 1 when owner now holds it, 0 when it is not claimable (done, failed,
 * running under a live lease, no such job). */
int sw_st_job_claim_id(struct sw_st *st, int64_t id, const char *owner, int lease, int64_t now,
		       struct sw_err *err);
/* The first report job_id wrote, if any: 1 with *report_id and *digest
 * (malloc'd), 0 when it wrote none.  A worker that claims a job again
 * (its server died after storing the report, before marking the job done)
 * finishes it with that report instead of scanning twice. */
int sw_st_job_report(struct sw_st *st, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err);
/* --- upload: jobs whose input is the request itself (an uploaded
 * archive, an SBOM): they start running at once --- */
/* A new job (never an existing one: the input cannot be seen again)
 * already running under owner's lease; attempts 1.  The owner ends it
 * with sw_st_job_done or sw_st_job_fail.  A job left running by a dead
 * owner is claimed again when its lease expires: its worker fails it
 * ("the upload is gone"). */
int sw_st_job_begin(struct sw_st *st, const char *ref, const char *kind, const char *options, const char *owner,
		    int lease, int64_t now, int64_t *id, struct sw_err *err);

/* Back ends. */
int sw_st_sqlite_open(const char *path, struct sw_st **out, struct sw_err *err);
/* url: postgres://... or postgresql://... (libpq's URI; sslmode and the
 * other libpq parameters pass through; pool_max=N caps the pool). */
int sw_st_postgres_open(const char *url, struct sw_st **out, struct sw_err *err);

/* --- rematch (issue 17, pgscale): re-matching split across instances --- */
/* Begin a generation for the database fingerprint: unless force, when the
 * latest generation has this fingerprint already it is returned (0) and
 * nothing changes; else (1) the running generations are superseded, the
 * chunk rows of older generations deleted, and the stored images with an
 * inventory cut into chunks of chunk_size consecutive ids (a generation
 * without images is done at once).  One transaction; concurrent begins
 * from several instances make one generation.  *out filled either way. */
int sw_st_rematch_begin(struct sw_st *st, const char *fingerprint, int64_t chunk_size, bool force, int64_t now,
			struct sw_st_rematch *out, struct sw_err *err);
/* The latest generation: 1 and *out, 0 when there has been none.  For
 * begin and status, *out is zeroed or holds a previous answer (freed here);
 * release it with sw_st_rematch_release. */
int sw_st_rematch_status(struct sw_st *st, struct sw_st_rematch *out, struct sw_err *err);
/* Claim a chunk of the running generation for owner until now + lease:
 * a pending one, or a running one whose lease expired (its owner died).
 * 1 and *c, 0 when none is claimable. */
int sw_st_rematch_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
			struct sw_err *err);
/* The images of c still to do (id > c->cursor), by id: struct
 * sw_st_rematch_item* (free with sw_st_rematch_items_free). */
int sw_st_rematch_images(struct sw_st *st, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
			 struct sw_err *err);
void sw_st_rematch_items_free(struct sw_vec *v);
/* Image image_id of chunk is re-matched (changed: its findings changed;
 * failed: it could not be): the chunk's cursor moves to it, its counts go
 * up and its lease is extended to now + lease.  Idempotent (an image at or
 * before the cursor counts once).  1 while owner holds the chunk, 0 when
 * it lost it (the lease expired and another instance took it: stop). */
int sw_st_rematch_progress(struct sw_st *st, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			   bool failed, int lease, int64_t now, struct sw_err *err);
/* End owner's chunk: finished (done), or given back (pending again, the
 * cursor kept: a shutdown).  *gen_done when it was the generation's last
 * chunk (the generation is now "done"; exactly one end sees that).  1, or
 * 0 when owner does not hold the chunk. */
int sw_st_rematch_end(struct sw_st *st, int64_t chunk, const char *owner, bool finished, int64_t now, bool *gen_done,
		      struct sw_err *err);

/* --- web (issue 18) --- */
/* One page of the stored images matching q (struct sw_st_image*, free
 * with sw_st_image_list_free) and the number of all that match.  A back
 * end without the operation is searched in memory over image_list (same
 * answers; every image read). */
int sw_st_image_search(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
		       struct sw_err *err);
/* Browser sessions of the web pages, stored by hash (the cookie's value
 * is never stored): name and scope of the token that logged in. */
int sw_st_session_put(struct sw_st *st, const char *hash, const char *name, const char *scope, int64_t now,
		      int64_t expires, struct sw_err *err);
/* 1 and *name / *scope (malloc'd) for a session not expired at now, else 0. */
int sw_st_session_get(struct sw_st *st, const char *hash, int64_t now, char **name, char **scope,
		      struct sw_err *err);
int sw_st_session_delete(struct sw_st *st, const char *hash, struct sw_err *err);
/* The newest jobs (or failed jobs only), newest first: struct sw_st_job*
 * (free with sw_st_job_list_free). */
int sw_st_job_recent(struct sw_st *st, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err);
void sw_st_job_list_free(struct sw_vec *v);

/* --- web, part 2 (issue 18) --- */
/* One page of sw_st_vuln_images (the same rows in the same order: image
 * digest, package name, version): at most limit rows (limit <= 0: all)
 * from offset, and *total, the number of all rows. */
int sw_st_vuln_images_page(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset, struct sw_vec *out,
			   int64_t *total, struct sw_err *err);
/* sw_st_token_check that also gives *ref (malloc'd): the token's stored
 * (salted) hash, which names the token row without being the token. */
int sw_st_token_check_ref(struct sw_st *st, const char *token, char **name, char **scope, char **ref,
			  struct sw_err *err);
/* Bind the browser session hash to the token ref it was made with (until
 * expires; expired bindings are deleted). */
int sw_st_session_bind(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
		       struct sw_err *err);
/* 1 when session hash is bound to a token that is not revoked (and the
 * binding has not expired at now), else 0: a session of a revoked token,
 * or one made before bindings existed, is over. */
int sw_st_session_token_live(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err);
/* Revoke every live token named name; *revoked: how many (0: none by
 * that name). */
int sw_st_token_revoke(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err);

#endif
