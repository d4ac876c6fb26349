/* server_int.h - what the files of server/ share (not for other folders). */
#ifndef SW_SERVER_SERVER_INT_H
#define SW_SERVER_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "server/server.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/vec.h"
#include "version/version.h"

struct MHD_Daemon;
struct MHD_Connection;

/* Registry credentials of a submitted job: in memory only, handed to the
 * worker that claims the job, then wiped. */
struct srv_cred {
	int64_t job;
	char *username, *password;
};

struct srv {
	const struct sw_server_opts *o;
	struct sw_st *store;
	struct MHD_Daemon *daemon;
	char owner[128];               /* lease owner id of this process */
	atomic_bool stopping;
	/* workers */
	pthread_t *workers;
	unsigned nworkers;
	atomic_uint busy;              /* workers in a scan */
	pthread_mutex_t mu;            /* cond, creds, running */
	pthread_cond_t wake;
	struct sw_vec creds;           /* struct srv_cred* */
	struct sw_vec running;         /* int64_t job ids (cast to pointers) */
	/* re-matching */
	pthread_mutex_t rematch_mu;
	pthread_t watcher;
	bool have_watcher;
	/* metrics */
	atomic_ullong requests, request_errors, jobs_done, jobs_failed;
	struct srv_metrics *metrics;   /* latencies by route, status classes (metrics.c) */
	struct srv_limits *limits;     /* header/body deadlines per connection (limits.c) */
	pthread_mutex_t log_mu;
	/* hooks: the delivery thread and the database updater (hooks.c, dbupdate.c) */
	pthread_t deliverer, updater;
	bool have_deliverer, have_updater;
	pthread_mutex_t hooks_mu;      /* hooks_wake, update_* */
	pthread_cond_t hooks_wake;
	atomic_bool update_running;
	bool update_requested;
	struct sw_vec update_locations; /* struct sw_vulndb_location*, parsed from o->update_sources */
	char *public_url;              /* report links: o->public_url or http(s)://LISTEN */
	atomic_ullong deliveries_sent, deliveries_failed;
	int64_t hooks_started;         /* when the updater started: the first scheduled update is interval later */
	/* upload.c: running scans this process can stop (struct srv_cancel*,
	 * under mu), uploads being read */
	struct sw_vec cancellable;
	atomic_uint uploads;
	/* cluster.c (rematch, issue 17): a generation runs whose chunks this
	 * instance's idle workers may claim; what this instance re-matched */
	atomic_bool rematch_active;
	atomic_ullong rematch_chunks_local, rematch_images_local;
};

/* One JSON line on the log: fields is the inside of an object ("\"k\":1,...")
 * without braces; "ts" and "kind" are added first. */
void srv_log(struct srv *s, const char *kind, const char *fields_fmt, ...) SW_PRINTF(3, 4);
/* JSON string literal of s (quoted, escaped; "null" for NULL) appended. */
void srv_json_str(struct sw_buf *b, const char *s);
int64_t srv_now(void);

/* A body made while it is sent (the web pages' large tables, web.md):
 * after the bytes in the reply's body, next(ctx, out) appends the next part
 * each time the connection wants more, until it returns false; done(ctx)
 * frees ctx (also when the client went away).  ctx owns what it reads: the
 * request is gone by then.  Sent chunked; the request log line is written
 * when the answer is queued, a "streamed" line when its body is all sent. */
struct srv_stream {
	bool (*next)(void *ctx, struct sw_buf *out);
	void (*done)(void *ctx);
	void *ctx;
};

/* An HTTP answer. */
struct srv_reply {
	unsigned status;
	const char *ctype;             /* static */
	struct sw_buf body;
	char *location;                /* Location header, or NULL */
	int refresh_after;             /* Refresh-After header when > 0 */
	struct sw_vec headers;         /* more headers: char* "Name: value", malloc'd (web.c) */
	struct srv_stream stream;      /* next == NULL: the body is all there is */
};
void srv_reply_json(struct srv_reply *r, unsigned status, const char *json);
void srv_reply_error(struct srv_reply *r, unsigned status, const char *fmt, ...) SW_PRINTF(3, 4);

/* A parsed request, as the routes see it. */
struct srv_req {
	struct srv *s;
	struct MHD_Connection *c;
	const char *method, *path;     /* path without the query string */
	const char *body;
	size_t body_len;
	const char *scope;             /* the token's scope ("read", "scan", "admin") */
	char *token_name;
};
const char *srv_query(struct srv_req *q, const char *key);
const char *srv_header(struct srv_req *q, const char *key);

/* Routes: api.c (REST) and harbor.c.  1 when the path is theirs (r is
 * filled), 0 when not. */
int srv_api_route(struct srv_req *q, struct srv_reply *r);
int srv_harbor_route(struct srv_req *q, struct srv_reply *r);
/* web.c: the browser pages (/, /login, /images...); they authenticate with
 * a session cookie, not a token: srv_web_path() tells route() which paths
 * skip the token check. */
int srv_web_route(struct srv_req *q, struct srv_reply *r);
bool srv_web_path(const char *path);
/* web_query.c: the image search's query parameters (the Images page and
 * GET /api/v1/images): false and *bad names the parameter that is
 * malformed.  The strings stay borrowed from the request. */
bool srv_image_query_parse(struct srv_req *q, struct sw_st_image_query *out, const char **bad);
/* api.c: false (r is a 403) when the token's scope is below scope
 * (read < scan < admin); a job as JSON. */
bool srv_need_scope(struct srv_req *q, struct srv_reply *r, const char *scope);
void srv_job_json(struct sw_buf *b, const struct sw_st_job *j);

/* jobs.c */
int srv_jobs_start(struct srv *s, struct sw_err *err);
/* Stop claiming; wait up to grace for running scans; requeue the rest.
 * Returns the number of jobs put back while their worker still runs. */
int srv_jobs_stop(struct srv *s);
/* Queue (or find) a job; creds (may be NULL) kept in memory for it. */
int srv_submit(struct srv *s, const char *ref, const char *kind, const char *options, const char *username,
	       const char *password, int64_t *id, bool *created, struct sw_err *err);
void srv_wake(struct srv *s);
/* Re-match every stored inventory against the database now (cluster.c: a
 * new generation that every instance helps with; this call works on its
 * chunks and waits for the generation to end); counts out. */
int srv_rematch_all(struct srv *s, size_t *images, size_t *changed, struct sw_err *err);
/* Re-match the stored inventory of digest with policy (may be NULL) and
 * store the report (*changed: its findings changed).  0 also when there is
 * no inventory stored. */
struct sw_policy_bundle;
int srv_rematch_image(struct srv *s, const char *digest, const struct sw_policy_bundle *policy, bool *changed,
		      struct sw_err *err);
/* The database file's identity ("size:mtime_ns:inode") or NULL. */
char *srv_db_fingerprint(struct srv *s);
/* Render the stored inventory of digest, matched now, in format fmt
 * (report.h name) into out.  0, SW_E_NOTFOUND, or other errors. */
int srv_render_image(struct srv *s, const char *digest, const char *fmt, struct sw_buf *out, struct sw_err *err);

/* policy.c (polapi): bundles over REST and the evaluation of a stored
 * image (docs/api.md "Policy bundles") */
struct sw_policy_bundle;
struct sw_policy_result;
int srv_policy_route(struct srv_req *q, struct srv_reply *r);
/* The default bundle, read and checked, or NULL when none is set (a stored
 * bundle that no longer reads is logged).  Free with sw_policy_bundle_free. */
struct sw_policy_bundle *srv_default_policy(struct srv *s);
/* "pass", "warn", "stop" (the reports.policy column) for a result, NULL for none. */
const char *srv_policy_word(const struct sw_policy_result *pr);
/* The content scanners (SW_SCAN_SECRET, SW_SCAN_MALWARE) that ran when the
 * stored inventory of digest was built, from its latest report. */
unsigned srv_stored_content(struct srv *s, const char *digest);
/* Evaluate b on the stored image digest (its inventory matched now, its
 * checks, secrets) and append Anchore's evaluation JSON to out. */
int srv_policy_eval_image(struct srv *s, const char *digest, const struct sw_policy_bundle *b, const char *tag,
			  struct sw_buf *out, struct sw_err *err);

/* packages.c (polapi): the packages index and "which images contain
 * package P" (GET /api/v1/packages/images) */
struct sw_inventory;
int srv_packages_route(struct srv_req *q, struct srv_reply *r);
/* Replace the packages index rows of digest with inv's packages. */
int srv_index_packages(struct srv *s, const char *digest, const struct sw_inventory *inv, struct sw_err *err);
/* "pkg:TYPE/NS/NAME" of a purl (version, qualifiers, subpath cut; type
 * lower-cased), malloc'd, or NULL when it is not a package URL. */
char *srv_purl_base(const char *purl);

/* metrics.c (polapi): request latency histograms by route template and
 * requests by status class, for /metrics */
struct srv_metrics;
struct srv_metrics *srv_metrics_new(const char *harbor_prefix);
void srv_metrics_free(struct srv_metrics *m);
void srv_metrics_observe(struct srv_metrics *m, const char *method, const char *path, unsigned status,
			 double seconds);
/* The route template path falls under ("other" when none). */
const char *srv_metrics_route(const struct srv_metrics *m, const char *path);
void srv_metrics_write(const struct srv_metrics *m, struct sw_buf *b);

/* limits.c (polapi): per-connection deadlines for slow clients (its
 * libmicrohttpd callbacks: server/limits.h); these calls mark where a
 * request is (server.c's handler) */
struct srv_limits;
struct srv_limits *srv_limits_new(struct srv *s);
int srv_limits_start(struct srv_limits *l, struct sw_err *err);
void srv_limits_stop(struct srv_limits *l);
void srv_limits_free(struct srv_limits *l);
void srv_limits_headers_done(struct srv_limits *l, struct MHD_Connection *c);
void srv_limits_body_done(struct srv_limits *l, struct MHD_Connection *c);
void srv_limits_answered(struct srv_limits *l, struct MHD_Connection *c);
void srv_limits_completed(struct srv_limits *l, struct MHD_Connection *c);
/* connections dropped for missing their deadline so far */
unsigned long long srv_limits_dropped(const struct srv_limits *l);

/* vers.c (polapi): VERS ranges of the purl spec (fuzzed:
 * fuzz/fuzz_server_vers.c) */
#define SW_SRV_VERS_MAX 64
enum sw_srv_vop { SW_VOP_EQ, SW_VOP_NE, SW_VOP_LT, SW_VOP_LE, SW_VOP_GT, SW_VOP_GE, SW_VOP_STAR };
struct sw_srv_vcon {
	enum sw_srv_vop op;
	char *v;                        /* NULL for "*" */
};
struct sw_srv_vers {
	char *scheme_name;              /* as written, lower-cased */
	enum sw_vscheme scheme;
	struct sw_srv_vcon c[SW_SRV_VERS_MAX];
	size_t n;                       /* constraints, sorted by version */
};
/* Parse "vers:SCHEME/CONSTRAINT|...".  SW_E_FORMAT: not VERS syntax;
 * SW_E_USAGE: a scheme without a version order here, or a version that is
 * not one of the scheme.  Release *out in every case. */
int sw_srv_vers_parse(const char *text, struct sw_srv_vers *out, struct sw_err *err);
/* *in: version is in the range.  -1 when version does not parse. */
int sw_srv_vers_contains(const struct sw_srv_vers *v, const char *version, bool *in);
void sw_srv_vers_release(struct sw_srv_vers *v);
/* hooks.c: what changed per image, webhooks, the delivery thread.
 * A change is one finding: new (from the current report), fixed (from the
 * previous one) or severity_changed (from -> severity). */
struct sw_scan_result;
struct srv_change {
	char *id, *package, *version, *severity, *fixed;
	char *from;                    /* severity_changed: the previous severity */
	bool kev;
};
struct srv_changes {
	bool have_prev;                /* false: the image's first report (no changes) */
	struct sw_vec added, fixed, sevchg;   /* struct srv_change* */
};
void srv_changes_release(struct srv_changes *c);
/* What changed between prev (struct sw_st_finding_row*, the previous
 * latest report's rows) and the unsuppressed findings of res. */
void srv_changes_compute(const struct sw_vec *prev, const struct sw_scan_result *res, struct srv_changes *out);
/* The report's `changes`: {"new":[ids],"fixed":[ids],"severity_changed":[{id,package,from,to}]} */
void srv_changes_json(const struct srv_changes *c, struct sw_buf *out);
bool srv_changes_any(const struct srv_changes *c);
/* One delivery per webhook whose filter some change passes (the body holds
 * the changes that pass); bodies malloc'd in *puts (free each .body and the
 * array).  im: the image (names). */
int srv_hooks_deliveries(struct srv *s, const struct sw_st_image *im, const struct srv_changes *c,
			 struct sw_st_delivery_put **puts, size_t *n, struct sw_err *err);
void srv_hooks_deliveries_free(struct sw_st_delivery_put *puts, size_t n);
int srv_hooks_route(struct srv_req *q, struct srv_reply *r);
/* a delivery was queued: the delivery thread looks now */
void srv_hooks_wake(struct srv *s);
int srv_hooks_start(struct srv *s, struct sw_err *err);
void srv_hooks_stop(struct srv *s);
/* /metrics lines of webhooks, deliveries and database updates */
void srv_hooks_metrics(struct srv *s, struct sw_buf *b);
/* dbupdate.c: scheduled and requested database updates, GET /api/v1/db */
int srv_dbupdate_start(struct srv *s, struct sw_err *err);
/* true when an update still runs (the process must _exit) */
bool srv_dbupdate_stop(struct srv *s);
int srv_dbupdate_route(struct srv_req *q, struct srv_reply *r);
void srv_dbupdate_metrics(struct srv *s, struct sw_buf *b);

/* hooks_req.c: POST /api/v1/webhooks (fuzzed: fuzz/fuzz_server_webhook.c) */
struct sw_srv_webhook_req {
	char *url, *secret;
	char *min_severity;            /* a severity name, or NULL */
	char *repositories;            /* compact JSON array of patterns, or NULL */
	bool only_fixable, kev_only;
};
void sw_srv_webhook_req_release(struct sw_srv_webhook_req *r);
/* {"url": http(s) URL, "secret": 16-1024 bytes, "filter"?: {"min_severity"?,
 * "repositories"?: [patterns], "only_fixable"?, "kev_only"?}}; unknown
 * members refused.  SW_E_FORMAT: bad JSON (400); SW_E_USAGE: a bad field (422). */
int sw_srv_parse_webhook_req(const char *body, size_t len, struct sw_srv_webhook_req *out, struct sw_err *err);
/* jobs.c: store res as digest's latest report (the history's changes
 * against the previous one included). */
struct sw_scan_result;
int srv_store_report(struct srv *s, const char *digest, int64_t job_id, const struct sw_scan_result *res,
		     int64_t *report_id, struct sw_err *err);

/* jobs.c: a job claimed again (attempts > 1) whose report a server that
 * died already stored is marked done with that report (logged
 * "recovered"): true when it was; false: run it. */
bool srv_job_recover(struct srv *s, const struct sw_st_job *job);
/* With $STOWAWAY_SERVE_CRASH_AFTER_REPORT=1 the process kills itself
 * (SIGKILL) here: the test of the window between a report and its job's
 * done.  Not a configuration knob. */
void srv_crash_point(struct srv *s);

/* client.c: POST /api/v1/inventories (client mode), and a "client" job a
 * worker claimed (after a restart, or a retry): its stored inventory
 * matched and reported. */
int srv_client_route(struct srv_req *q, struct srv_reply *r);
void srv_client_job(struct srv *s, struct sw_st_job *job);
/* retention.c: a pass of sw_st_collect when one is due (watcher thread);
 * the store's table sizes as Prometheus lines */
void srv_retention_tick(struct srv *s, int64_t now);
void srv_retention_metrics(struct srv *s, struct sw_buf *b);

/* cluster.c: re-matching split across the instances sharing the store
 * (docs/scaling.md).  watch (watcher thread, every --db-poll): begin a
 * generation when the database file changed, notice one that runs; work
 * (an idle worker): claim and do one chunk, 1 when it did; json and
 * metrics: the latest generation for GET /api/v1/db and /metrics. */
void srv_rematch_watch(struct srv *s);
int srv_rematch_work(struct srv *s);
struct json_t;
struct json_t *srv_rematch_json(struct srv *s);
void srv_rematch_metrics(struct srv *s, struct sw_buf *b);

/* request.c: the JSON bodies (fuzzed: fuzz/fuzz_server_request.c) */
struct sw_srv_scan_req {
	char *image;
	char *platform;
	bool plain_http, insecure;
	char *username, *password;
};
void sw_srv_scan_req_release(struct sw_srv_scan_req *r);
/* POST /api/v1/scans: {"image": REF, "platform"?, "plain_http"?, "insecure"?,
 * "username"?, "password"?}; unknown members are refused. */
int sw_srv_parse_scan_req(const char *body, size_t len, struct sw_srv_scan_req *out, struct sw_err *err);
/* Harbor ScanRequest: registry.url (+ authorization "Basic B64"),
 * artifact.repository, artifact.digest (tag, mime_type kept for names);
 * turned into a registry reference.  SW_E_FORMAT: bad JSON (400);
 * SW_E_USAGE: a bad field (422). */
int sw_srv_parse_harbor_req(const char *body, size_t len, struct sw_srv_scan_req *out, char **name,
			    struct sw_err *err);

/* jobs.c, for upload.c: the server's scan options; store a scan result
 * as digest's latest report (see store_report). */
struct sw_scan_opts;
struct sw_scan_result;
void srv_base_opts(struct srv *s, struct sw_scan_opts *so);

/* upload.c: scans whose input is the request (an uploaded archive, an
 * SBOM), and cancelling running scans. */
struct srv_cancel;
/* A running job's cancel flag (sw_scan_opts.cancelled = srv_cancel_check,
 * cancel_ctx = the flag); unregister frees it. */
struct srv_cancel *srv_cancel_register(struct srv *s, int64_t job);
void srv_cancel_unregister(struct srv *s, struct srv_cancel *c);
bool srv_cancel_check(void *ctx);
/* "cancelled by NAME" (malloc'd) when c was cancelled, else NULL. */
char *srv_cancel_reason(struct srv *s, const struct srv_cancel *c);
/* DELETE of a job that is not pending: stop it when this process runs it
 * and wait (up to 5 s) for it to end (202 when it still runs); 409 otherwise. */
void srv_cancel_running(struct srv_req *q, struct srv_reply *r, int64_t id);
/* POST /api/v1/scans with an SBOM body (srv_sbom_type of its Content-Type). */
bool srv_sbom_type(const char *content_type);
void srv_sbom_submit(struct srv_req *q, struct srv_reply *r);
/* The body cap of a request (--max-sbom for SBOM bodies, else --max-body). */
size_t srv_body_cap(struct srv *s, struct MHD_Connection *c, const char *method);
/* POST /api/v1/scans/upload, driven by server.c's handler: begin (at the
 * headers: auth, checks, the job and its scan thread; NULL with r filled
 * and *token_name set when refused), feed (each chunk), finish (the body
 * is complete: wait for the scan, fill r), free (always; a body that did
 * not end is an aborted upload). */
struct srv_upload;
bool srv_upload_path(const char *method, const char *url);
struct srv_upload *srv_upload_begin(struct srv *s, struct MHD_Connection *c, struct srv_reply *r, char **token_name);
void srv_upload_feed(struct srv_upload *u, const char *data, size_t n);
void srv_upload_finish(struct srv_upload *u, struct srv_reply *r);
char *srv_upload_token_name(const struct srv_upload *u);   /* malloc'd, or NULL */
void srv_upload_free(struct srv_upload *u);

#endif
