/*
 * upload.c - scans whose input is the request itself, and cancelling
 * running scans (docs/api.md "Uploads", "SBOM submission", "Cancel").
 *
 * POST /api/v1/scans/upload: the body (a docker-archive or an OCI image
 * archive) is never written anywhere.  libmicrohttpd hands its chunks to
 * the request thread (srv_upload_feed), which copies them into a bounded
 * ring; a thread of the upload's own reads the ring as the archive source
 * of sw_scan_run (scan.h archive_read: the layer pass runs as the layers
 * stream by).  A full ring makes the request thread wait for the scan:
 * memory is the ring plus what the scan keeps, not the archive.  At the
 * body's end the request thread waits for the scan and answers; a body that
 * ends early (the client went away), one over --max-upload, a cancel, or a
 * bad archive fail the job and store nothing else.
 *
 * POST /api/v1/scans with an SBOM content type: the SBOM is read with the
 * library's reader (scan.h sbom_data), matched and stored in the request.
 *
 * Cancel: every running scan of this process (pool jobs, uploads, SBOMs)
 * registers a flag here that sw_scan_opts.cancelled reads; DELETE on a
 * running job sets it and waits for the job to end.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "inventory/image_cache.h"
#include "inventory/inventory.h"
#include "scan/scan.h"
#include "server/mhd.h"
#include "server/server_int.h"
#include "util/mem.h"

#define RING_SIZE ((size_t)4 << 20)

/* ---------------------------------------------------------------- cancel */

struct srv_cancel {
	int64_t job;
	atomic_bool flag;
	char *by;                   /* who asked (token name) */
};

struct srv_cancel *srv_cancel_register(struct srv *s, int64_t job)
{
	struct srv_cancel *c = sw_xcalloc(1, sizeof(*c));
	c->job = job;
	atomic_init(&c->flag, false);
	pthread_mutex_lock(&s->mu);
	sw_vec_push(&s->cancellable, c);
	pthread_mutex_unlock(&s->mu);
	return c;
}

void srv_cancel_unregister(struct srv *s, struct srv_cancel *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->cancellable.len; i++)
		if (s->cancellable.items[i] == c) {
			s->cancellable.items[i] = s->cancellable.items[--s->cancellable.len];
			break;
		}
	pthread_mutex_unlock(&s->mu);
	free(c->by);
	free(c);
}

bool srv_cancel_check(void *ctx)
{
	const struct srv_cancel *c = ctx;
	return c && atomic_load(&c->flag);
}

/* "cancelled by NAME" when c was cancelled, else NULL (malloc'd). */
char *srv_cancel_reason(struct srv *s, const struct srv_cancel *c)
{
	if (!c || !atomic_load(&c->flag))
		return NULL;
	pthread_mutex_lock(&s->mu);
	char *why = sw_xasprintf("cancelled by %s", c->by ? c->by : "a client");
	pthread_mutex_unlock(&s->mu);
	return why;
}

/* Set job's flag; false when no scan of this process runs it. */
static bool cancel_request(struct srv *s, int64_t job, const char *by)
{
	bool found = false;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->cancellable.len && !found; i++) {
		struct srv_cancel *c = s->cancellable.items[i];
		if (c->job != job)
			continue;
		if (!atomic_load(&c->flag))
			c->by = sw_xstrdup(by ? by : "a client");
		atomic_store(&c->flag, true);
		found = true;
	}
	pthread_mutex_unlock(&s->mu);
	if (found)
		srv_wake(s);
	return found;
}

void srv_cancel_running(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_st_job j;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_job_get(q->s->store, id, &j, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? 500 : 404, "%s", k < 0 ? err.msg : "no such job");
		return;
	}
	bool running = j.state == SW_JOB_RUNNING;
	bool ours = running && j.lease_owner && strcmp(j.lease_owner, q->s->owner) == 0;
	const char *state = sw_job_state_name(j.state);
	if (!running) {
		srv_reply_error(r, 409, "job %lld is %s; only a pending or running job can be cancelled", (long long)id,
				state);
	} else if (!ours || !cancel_request(q->s, id, q->token_name)) {
		srv_reply_error(r, 409, "job %lld is running on another server process (%s); cancel it there",
				(long long)id, j.lease_owner ? j.lease_owner : "?");
	} else {
		/* the scan stops at its next check (between layers, every 64
		 * files, every read of an upload): wait for the job to end */
		for (int i = 0; i < 100 && j.state == SW_JOB_RUNNING; i++) {
			struct timespec t = { 0, 50 * 1000 * 1000 };
			nanosleep(&t, NULL);
			sw_st_job_release(&j);
			if (sw_st_job_get(q->s->store, id, &j, &err) <= 0)
				break;
		}
		struct sw_buf b = SW_BUF_INIT;
		srv_job_json(&b, &j);
		srv_reply_json(r, j.state == SW_JOB_RUNNING ? 202 : 200, b.data ? b.data : "{}");
		sw_buf_release(&b);
	}
	sw_st_job_release(&j);
}

/* ---------------------------------------------------------------- storing */

/* The inventory key of image_cache.h from what the inventory kept of
 * the image (config digest, diff_ids), as jobs.c computes it from the
 * opened image. */
static char *inv_key(const struct sw_inventory *inv)
{
	struct sw_image_info info = { 0 };
	info.config_digest = inv->config_digest;
	info.layers = (struct sw_vec)SW_VEC_INIT;
	struct sw_layer_desc *ds = sw_xcalloc(inv->layers.len ? inv->layers.len : 1, sizeof(*ds));
	for (size_t i = 0; i < inv->layers.len; i++) {
		ds[i].diff_id = ((const struct sw_inv_layer *)inv->layers.items[i])->diff_id;
		sw_vec_push(&info.layers, &ds[i]);
	}
	char *k = sw_image_cache_key(&info);
	sw_vec_release(&info.layers);
	free(ds);
	return k;
}

/* Store a finished scan: the image (by digest), its inventory, a report;
 * then end the job done.  0 or < 0 with err. */
static int store_scan(struct srv *s, int64_t job, const char *digest, const char *key, const char *name,
		      const struct sw_scan_result *res, int64_t *report_id, struct sw_err *err)
{
	struct sw_buf enc = SW_BUF_INIT;
	char *os = NULL;
	int r = sw_st_inventory_encode(res->inventory, key, &enc, err);
	if (res->inventory->os.id)
		os = sw_xasprintf("%s %s", res->inventory->os.id,
				  res->inventory->os.version_id ? res->inventory->os.version_id : "");
	if (r == 0) {
		struct sw_st_image_put ip = { .digest = digest, .config_digest = res->inventory->config_digest,
					      .inv_key = key, .os = os, .architecture = res->inventory->architecture,
					      .name = name, .inventory = (const uint8_t *)enc.data,
					      .inventory_len = enc.len, .config_json = res->config_json };
		r = sw_st_image_put(s->store, &ip, srv_now(), err);
	}
	if (r == 0)
		r = srv_store_report(s, digest, job, res, report_id, err);
	if (r == 0)
		r = sw_st_job_done(s->store, job, s->owner, digest, *report_id, false, srv_now(), err);
	free(os);
	sw_buf_release(&enc);
	return r;
}

static void log_job(struct srv *s, int64_t job, const char *kind, int rc, const char *digest, int64_t report,
		    const struct sw_scan_result *res, const char *error, double ms)
{
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"job\":%lld,\"kind\":\"%s\",\"ms\":%.1f", (long long)job, kind, ms);
	if (rc == 0) {
		sw_buf_addstr(&f, ",\"state\":\"done\",\"digest\":");
		srv_json_str(&f, digest);
		sw_buf_addf(&f, ",\"report\":%lld,\"layers_read\":%u,\"findings\":%zu", (long long)report,
			    res->inventory->layers_read, res->match->findings.len);
		s->jobs_done++;
	} else {
		sw_buf_addstr(&f, ",\"state\":\"failed\",\"error\":");
		srv_json_str(&f, error);
		s->jobs_failed++;
	}
	srv_log(s, "job", "%s", f.data);
	sw_buf_release(&f);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Answer with the job (201, Location) or, when it failed, the reason. */
static void reply_job(struct srv *s, struct srv_reply *r, int64_t job, int rc, int code, const char *error)
{
	if (rc < 0) {
		/* the input's fault (a bad archive or SBOM, a body that ended early)
		 * is 400; the server's own (the store, memory) 500 */
		unsigned st = code == SW_E_CANCELLED ? 409
			    : code == SW_E_DB || code == SW_E_NOMEM || code == SW_E_INTERNAL ? 500 : 400;
		srv_reply_error(r, st, "%s", error);
		return;
	}
	struct sw_st_job j;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_job_get(s->store, job, &j, &err) <= 0) {
		srv_reply_error(r, 500, "job %lld: %s", (long long)job, err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	srv_job_json(&b, &j);
	sw_st_job_release(&j);
	srv_reply_json(r, 201, b.data ? b.data : "{}");
	sw_buf_release(&b);
	r->location = sw_xasprintf("/api/v1/scans/%lld", (long long)job);
}

/* ---------------------------------------------------------------- auth */

/* The token of the request: 1 (name and scope set), or 0 with r filled. */
static int authorize(struct srv *s, struct MHD_Connection *c, struct srv_reply *r, char **name)
{
	const char *h = sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *tok = h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7
			: sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "X-ScannerAdapter-API-Key");
	char *scope = NULL;
	struct sw_err err = SW_ERR_INIT;
	int ok = tok ? sw_st_token_check(s->store, tok, name, &scope, &err) : 0;
	if (ok < 0) {
		srv_reply_error(r, 500, "token check: %s", err.msg);
		return 0;
	}
	if (!ok) {
		srv_reply_error(r, 401, tok ? "the token is not valid"
					    : "an API token is required (Authorization: Bearer TOKEN)");
		return 0;
	}
	bool enough = scope && (strcmp(scope, "scan") == 0 || strcmp(scope, "admin") == 0);
	if (!enough)
		srv_reply_error(r, 403, "this route needs a token with scope 'scan' (the token has '%s')",
				scope ? scope : "none");
	free(scope);
	return enough;
}

/* ---------------------------------------------------------------- uploads */

struct srv_upload {
	struct srv *s;
	struct MHD_Connection *c;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *ring;
	size_t head, len;           /* bytes at ring[head..], wrapping */
	uint64_t received, declared;/* declared: Content-Length, 0 unknown (chunked) */
	bool eof, aborted, too_big;
	bool finished;              /* the scan thread ended */
	pthread_t tid;
	bool joined;                /* tid was joined */
	int64_t job;
	struct srv_cancel *cancel;
	char *token_name, *name, *platform;
	int rc;
	struct sw_err err;
	struct timespec t0;
};

bool srv_upload_path(const char *method, const char *url)
{
	return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/scans/upload") == 0;
}

/* scan.h archive_read: the next bytes of the body, as they arrive. */
static ssize_t up_read(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	struct srv_upload *u = ctx;
	pthread_mutex_lock(&u->mu);
	while (u->len == 0 && !u->eof && !u->aborted && !u->too_big && !srv_cancel_check(u->cancel)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&u->cv, &u->mu, &until);
	}
	ssize_t got;
	if (srv_cancel_check(u->cancel))
		got = sw_err_set(err, SW_E_CANCELLED, "cancelled");
	else if (u->too_big)
		got = sw_err_set(err, SW_E_LIMIT, "the upload is larger than --max-upload (%zu bytes)", u->s->o->max_upload);
	else if (u->len == 0 && u->aborted)
		got = u->declared ? sw_err_set(err, SW_E_IO, "the request body ended early (%llu of %llu bytes)",
					       (unsigned long long)u->received, (unsigned long long)u->declared)
				  : sw_err_set(err, SW_E_IO, "the request body ended early (after %llu bytes)",
					       (unsigned long long)u->received);
	else if (u->len == 0)
		got = 0;
	else {
		size_t k = n < u->len ? n : u->len;
		size_t first = RING_SIZE - u->head < k ? RING_SIZE - u->head : k;
		memcpy(buf, u->ring + u->head, first);
		memcpy((unsigned char *)buf + first, u->ring, k - first);
		bool was_full = u->len > RING_SIZE / 2;
		u->head = (u->head + k) % RING_SIZE;
		u->len -= k;
		got = (ssize_t)k;
		/* the feeder waits for half the ring: wake it once, not per read
		 * (a hand-off per 64 KiB crawls on a busy machine) */
		if (was_full && u->len <= RING_SIZE / 2)
			pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	return got;
}

static void *up_main(void *arg)
{
	struct srv_upload *u = arg;
	struct srv *s = u->s;
	struct sw_scan_opts so;
	srv_base_opts(s, &so);
	so.archive_read = up_read;
	so.archive_ctx = u;
	so.archive_name = "upload";
	so.image_opts.platform = u->platform;
	so.cancelled = srv_cancel_check;
	so.cancel_ctx = u->cancel;
	struct sw_scan_result *res = NULL;
	char *digest = NULL, *key = NULL;
	int64_t report = 0;
	int rc = sw_scan_run(&so, &res, &u->err);
	if (rc == 0) {
		const struct sw_inventory *inv = res->inventory;
		digest = sw_xstrdup(inv->manifest_digest ? inv->manifest_digest : inv->config_digest);
		key = inv_key(inv);
		const char *name = u->name ? u->name : inv->repo_tags.len ? inv->repo_tags.items[0] : "upload";
		if (!digest)
			rc = sw_err_set(&u->err, SW_E_FORMAT, "the image has no digest");
		else
			rc = store_scan(s, u->job, digest, key, name, res, &report, &u->err);
	}
	char *why = srv_cancel_reason(s, u->cancel);
	if (rc < 0 && why)
		sw_err_set(&u->err, SW_E_CANCELLED, "%s", why);
	free(why);
	if (rc < 0) {
		struct sw_err ferr = SW_ERR_INIT;
		(void)sw_st_job_fail(s->store, u->job, s->owner, u->err.msg, srv_now(), &ferr);
	}
	log_job(s, u->job, "upload", rc, digest, report, res, u->err.msg, ms_since(&u->t0));
	sw_scan_result_free(res);
	free(digest);
	free(key);
	pthread_mutex_lock(&u->mu);
	u->rc = rc;
	u->finished = true;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

static bool upload_type(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	static const char *const types[] = { "application/x-tar", "application/vnd.oci.image.layout.v1+tar" };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (n == strlen(types[i]) && strncasecmp(ct, types[i], n) == 0)
			return true;
	return false;
}

struct srv_upload *srv_upload_begin(struct srv *s, struct MHD_Connection *c, struct srv_reply *r, char **token_name)
{
	char *name = NULL;
	if (!authorize(s, c, r, &name)) {
		*token_name = name;
		return NULL;
	}
	const char *ct = sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *cl = sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	const char *img_name = sw_mhd->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
	const char *platform = sw_mhd->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "platform");
	char *fp = srv_db_fingerprint(s);
	bool have_db = fp != NULL;
	free(fp);
	if (!upload_type(ct)) {
		srv_reply_error(r, 415, "the body must be an image archive: Content-Type application/x-tar or "
			        "application/vnd.oci.image.layout.v1+tar (it is '%.80s')", ct ? ct : "missing");
	} else if (declared > s->o->max_upload) {
		srv_reply_error(r, 413, "the upload is larger than --max-upload (%zu bytes)", s->o->max_upload);
	} else if ((img_name && (strlen(img_name) > 512 || strpbrk(img_name, "\"\\\n\r\t"))) ||
		   (platform && strlen(platform) > 64)) {
		srv_reply_error(r, 400, "bad ?name= or ?platform=");
	} else if (!have_db) {
		srv_reply_error(r, 503, "no vulnerability database: run 'stowaway db update'");
	} else if (atomic_fetch_add(&s->uploads, 1) >= (s->o->workers ? s->o->workers : 1)) {
		atomic_fetch_sub(&s->uploads, 1);
		srv_reply_error(r, 503, "too many uploads at once (%u); try again later", s->o->workers);
	} else {
		struct srv_upload *u = sw_xcalloc(1, sizeof(*u));
		u->s = s;
		u->c = c;
		u->err = (struct sw_err)SW_ERR_INIT;
		u->declared = declared;
		u->token_name = name ? sw_xstrdup(name) : NULL;
		u->name = img_name ? sw_xstrdup(img_name) : NULL;
		u->platform = platform ? sw_xstrdup(platform) : NULL;
		clock_gettime(CLOCK_MONOTONIC, &u->t0);
		struct sw_err err = SW_ERR_INIT;
		char *opts = NULL;
		if (u->name || u->platform) {
			struct sw_buf ob = SW_BUF_INIT;
			sw_buf_addstr(&ob, "{");
			if (u->name) {
				sw_buf_addstr(&ob, "\"name\":");
				srv_json_str(&ob, u->name);
			}
			if (u->platform) {
				sw_buf_addstr(&ob, u->name ? ",\"platform\":" : "\"platform\":");
				srv_json_str(&ob, u->platform);
			}
			sw_buf_addstr(&ob, "}");
			opts = sw_buf_detach(&ob, NULL);
		}
		int k = sw_st_job_begin(s->store, "upload", "upload", opts ? opts : "", s->owner, s->o->lease, srv_now(),
					&u->job, &err);
		free(opts);
		if (k == 0) {
			u->ring = sw_xmalloc(RING_SIZE);
			pthread_mutex_init(&u->mu, NULL);
			pthread_cond_init(&u->cv, NULL);
			u->cancel = srv_cancel_register(s, u->job);
			srv_log(s, "job", "\"job\":%lld,\"kind\":\"upload\",\"state\":\"running\",\"attempt\":1",
				(long long)u->job);
			if (pthread_create(&u->tid, NULL, up_main, u) == 0) {
				free(name);   /* the final answer's log names the token (srv_upload_token_name) */
				return u;
			}
			(void)sw_st_job_fail(s->store, u->job, s->owner, "cannot start a thread", srv_now(), &err);
			srv_cancel_unregister(s, u->cancel);
			pthread_mutex_destroy(&u->mu);
			pthread_cond_destroy(&u->cv);
			srv_reply_error(r, 500, "cannot start the upload's thread");
		} else {
			srv_reply_error(r, 500, "%s", err.msg);
		}
		free(u->ring);
		free(u->token_name);
		free(u->name);
		free(u->platform);
		free(u);
		atomic_fetch_sub(&s->uploads, 1);
	}
	*token_name = name;   /* refused: the answer's log names the token */
	return NULL;
}

void srv_upload_feed(struct srv_upload *u, const char *data, size_t n)
{
	pthread_mutex_lock(&u->mu);
	u->received += n;
	if (u->received > u->s->o->max_upload) {
		u->too_big = true;
		pthread_cond_broadcast(&u->cv);
	}
	/* the scan ended (failed, cancelled) or the body is over the cap: the
	 * rest is read and dropped, to answer once it is in */
	while (n && !u->finished && !u->too_big) {
		size_t want = n < RING_SIZE / 2 ? n : RING_SIZE / 2;
		while (RING_SIZE - u->len < want && !u->finished) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&u->cv, &u->mu, &until);
		}
		if (u->finished)
			break;
		size_t tail = (u->head + u->len) % RING_SIZE;
		size_t space = RING_SIZE - u->len;
		size_t k = n < space ? n : space;
		size_t first = RING_SIZE - tail < k ? RING_SIZE - tail : k;
		memcpy(u->ring + tail, data, first);
		memcpy(u->ring, data + first, k - first);
		bool was_empty = u->len == 0;   /* the reader waits only on an empty ring */
		u->len += k;
		data += k;
		n -= k;
		if (was_empty)
			pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
}

/* End the body (complete or not), wait for the scan thread. */
static void upload_join(struct srv_upload *u, bool complete)
{
	pthread_mutex_lock(&u->mu);
	if (complete)
		u->eof = true;
	else if (!u->eof)
		u->aborted = true;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	pthread_join(u->tid, NULL);
	u->joined = true;
}

void srv_upload_finish(struct srv_upload *u, struct srv_reply *r)
{
	upload_join(u, true);
	if (u->too_big)
		srv_reply_error(r, 413, "the upload is larger than --max-upload (%zu bytes)", u->s->o->max_upload);
	else
		reply_job(u->s, r, u->job, u->rc, u->err.code, u->err.msg);
}

char *srv_upload_token_name(const struct srv_upload *u)
{
	return u->token_name ? sw_xstrdup(u->token_name) : NULL;
}

void srv_upload_free(struct srv_upload *u)
{
	if (!u)
		return;
	if (!u->joined)
		upload_join(u, false);   /* the connection ended before the body did */
	srv_cancel_unregister(u->s, u->cancel);
	atomic_fetch_sub(&u->s->uploads, 1);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->cv);
	free(u->ring);
	free(u->token_name);
	free(u->name);
	free(u->platform);
	free(u);
}

/* ---------------------------------------------------------------- SBOMs */

bool srv_sbom_type(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	static const char *const types[] = { "application/vnd.cyclonedx+json", "application/spdx+json" };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (n == strlen(types[i]) && strncasecmp(ct, types[i], n) == 0)
			return true;
	return false;
}

size_t srv_body_cap(struct srv *s, struct MHD_Connection *c, const char *method)
{
	const char *ct = sw_mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (strcmp(method, "POST") == 0 && srv_sbom_type(ct) && s->o->max_sbom > s->o->max_body)
		return s->o->max_sbom;
	return s->o->max_body;
}

void srv_sbom_submit(struct srv_req *q, struct srv_reply *r)
{
	struct srv *s = q->s;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *fp = srv_db_fingerprint(s);
	if (!fp) {
		srv_reply_error(r, 503, "no vulnerability database: run 'stowaway db update'");
		return;
	}
	free(fp);
	if (!q->body_len) {
		srv_reply_error(r, 400, "the SBOM is empty");
		return;
	}
	const char *name = srv_query(q, "name");
	if (name && (strlen(name) > 512 || strpbrk(name, "\"\\\n\r\t"))) {
		srv_reply_error(r, 400, "bad ?name=");
		return;
	}
	/* identity: the document's own digest */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_Digest(q->body, q->body_len, md, &mdlen, EVP_sha256(), NULL);
	char digest[80] = "sha256:";
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", md[i]);
	char *ref = sw_xasprintf("sbom:%s", digest);
	char *opts = NULL;
	if (name) {
		struct sw_buf ob = SW_BUF_INIT;
		sw_buf_addstr(&ob, "{\"name\":");
		srv_json_str(&ob, name);
		sw_buf_addstr(&ob, "}");
		opts = sw_buf_detach(&ob, NULL);
	}
	int64_t job = 0;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_st_job_begin(s->store, ref, "sbom", opts ? opts : "", s->owner, s->o->lease, srv_now(), &job, &err);
	free(opts);
	if (rc < 0) {
		free(ref);
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	srv_log(s, "job", "\"job\":%lld,\"kind\":\"sbom\",\"state\":\"running\",\"attempt\":1", (long long)job);
	struct srv_cancel *cancel = srv_cancel_register(s, job);
	struct sw_scan_opts so;
	srv_base_opts(s, &so);
	so.sbom_data = q->body;
	so.sbom_len = q->body_len;
	so.sbom_name = "the SBOM";
	so.cancelled = srv_cancel_check;
	so.cancel_ctx = cancel;
	struct sw_scan_result *res = NULL;
	int64_t report = 0;
	char *key = sw_xasprintf("sbom:%s", digest);
	rc = sw_scan_run(&so, &res, &err);
	if (rc == 0)
		rc = store_scan(s, job, digest, key, name ? name : ref, res, &report, &err);
	char *why = srv_cancel_reason(s, cancel);
	if (rc < 0 && why)
		sw_err_set(&err, SW_E_CANCELLED, "%s", why);
	free(why);
	if (rc < 0) {
		struct sw_err ferr = SW_ERR_INIT;
		(void)sw_st_job_fail(s->store, job, s->owner, err.msg, srv_now(), &ferr);
	}
	log_job(s, job, "sbom", rc, digest, report, res, err.msg, ms_since(&t0));
	srv_cancel_unregister(s, cancel);
	sw_scan_result_free(res);
	reply_job(s, r, job, rc, err.code, err.msg);
	free(key);
	free(ref);
}
