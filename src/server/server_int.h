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
	pthread_mutex_t log_mu;
	/* upload.c: running scans this process can stop (struct srv_cancel*,
	 * under mu), uploads being read */
	struct sw_vec cancellable;
	atomic_uint uploads;
};

/* One JSON line on the log: fields is the inside of an object ("\"k\":1,...")
 * without braces; "ts" and "kind" are added first. */
void srv_log(struct srv *s, const char *kind, const char *fields_fmt, ...) SW_PRINTF(3, 4);
/* JSON string literal of s (quoted, escaped; "null" for NULL) appended. */
void srv_json_str(struct sw_buf *b, const char *s);
int64_t srv_now(void);

/* An HTTP answer. */
struct srv_reply {
	unsigned status;
	const char *ctype;             /* static */
	struct sw_buf body;
	char *location;                /* Location header, or NULL */
	int refresh_after;             /* Refresh-After header when > 0 */
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
/* Re-match every stored inventory against the database now; counts out. */
int srv_rematch_all(struct srv *s, size_t *images, size_t *changed, struct sw_err *err);
/* The database file's identity ("size:mtime_ns:inode") or NULL. */
char *srv_db_fingerprint(struct srv *s);
/* Render the stored inventory of digest, matched now, in format fmt
 * (report.h name) into out.  0, SW_E_NOTFOUND, or other errors. */
int srv_render_image(struct srv *s, const char *digest, const char *fmt, struct sw_buf *out, struct sw_err *err);

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
int srv_store_report(struct srv *s, const char *digest, int64_t job_id, const struct sw_scan_result *res,
		     int64_t *report_id, struct sw_err *err);

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
