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
#define SW_STORE_SCHEMA_VERSION 2

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

struct sw_st;

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
	/* upload (uploads and SBOM submissions) */
	int (*job_begin)(struct sw_st *st, const char *ref, const char *kind, const char *options, const char *owner,
			 int lease, int64_t now, int64_t *id, struct sw_err *err);
};

struct sw_st {
	const struct sw_st_ops *ops;
};

/* Open (creating and migrating) the store at where: "sqlite:PATH" or a
 * plain PATH (SQLite).  Other schemes: SW_E_UNSUPPORTED. */
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

#endif
