/*
 * client.c - client mode on the server (docs/api.md "Client mode"):
 * POST /api/v1/inventories takes an inventory a client built from an image
 * it read itself (client/client.h wire format), stores image + inventory,
 * runs a job of kind "client" for it (idempotent by digest like the other
 * kinds: a pending or running one is the same job), matches the inventory
 * against this server's database, stores the report, and answers the
 * match result (match/codec.h) for the client to report.
 *
 * The job is run on the request's thread when it can be claimed right
 * away (sw_st_job_claim_id).  When it cannot (another request or a worker
 * holds it), the answer is still the match, and the holder stores the
 * report.  A worker that claims a "client" job (a restart after kill -9,
 * a retry) matches the stored inventory: srv_client_job().
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/client.h"
#include "match/codec.h"
#include "scan/scan.h"
#include "server/server_int.h"
#include "util/mem.h"

/* the key stored with a client's inventory: never an image-cache key, so a
 * server scan of the same image reads the image itself */
#define CLIENT_INV_KEY "client"

static void client_scan_opts(struct srv *s, const struct sw_match_opts *mo, struct sw_scan_opts *so)
{
	struct sw_scan_opts d = SW_SCAN_OPTS_INIT;
	*so = d;
	so->db_path = s->o->db_path;
	so->no_default_ignorefile = true;
	so->now = (long long)time(NULL);
	if (mo)
		so->match = *mo;
}

static void job_options(struct sw_buf *b, const char *name, const struct sw_match_opts *mo)
{
	sw_buf_addstr(b, "{\"name\":");
	srv_json_str(b, name);
	if (mo->kernel_headers)
		sw_buf_addstr(b, ",\"kernel_headers\":true");
	if (mo->lang_owned)
		sw_buf_addstr(b, ",\"lang_owned\":true");
	sw_buf_addch(b, '}');
}

/* Finish a job this process holds: the report stored, the job done (or
 * failed with why), one log line either way.  res may be NULL (failed). */
static int finish(struct srv *s, int64_t job_id, int attempt, const char *digest, const struct sw_scan_result *res,
		  double ms, int64_t *report_id, struct sw_err *err)
{
	int r = res ? srv_store_report(s, digest, job_id, res, report_id, err) : -1;
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"job\":%lld,\"ref\":", (long long)job_id);
	srv_json_str(&f, digest);
	sw_buf_addf(&f, ",\"job_kind\":\"client\",\"attempt\":%d,\"ms\":%.1f", attempt, ms);
	struct sw_err ferr = SW_ERR_INIT;
	if (r == 0) {
		if (sw_st_job_done(s->store, job_id, s->owner, digest, *report_id, false, srv_now(), &ferr) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, ferr.msg);
		sw_buf_addstr(&f, ",\"state\":\"done\",\"digest\":");
		srv_json_str(&f, digest);
		sw_buf_addf(&f, ",\"report\":%lld,\"inventory_reused\":false,\"layers_read\":0,\"findings\":%zu",
			    (long long)*report_id, res->match->findings.len);
		s->jobs_done++;
	} else {
		if (sw_st_job_fail(s->store, job_id, s->owner, err->msg, srv_now(), &ferr) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, ferr.msg);
		sw_buf_addstr(&f, ",\"state\":\"failed\",\"error\":");
		srv_json_str(&f, err->msg);
		s->jobs_failed++;
	}
	srv_log(s, "job", "%s", f.data);
	sw_buf_release(&f);
	return r;
}

static double since_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void srv_client_job(struct srv *s, struct sw_st_job *job)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct sw_match_opts mo = { 0 };
	json_t *j = job->options && *job->options ? json_loads(job->options, 0, NULL) : NULL;
	mo.kernel_headers = json_is_true(json_object_get(j, "kernel_headers"));
	mo.lang_owned = json_is_true(json_object_get(j, "lang_owned"));
	json_decref(j);
	struct sw_err err = SW_ERR_INIT;
	struct sw_buf inv = SW_BUF_INIT, cfg = SW_BUF_INIT;
	struct sw_inventory *in = NULL;
	struct sw_scan_result *res = NULL;
	int r = sw_st_inventory_get(s->store, job->ref, NULL, &inv, &cfg, &err);
	if (r == 0)
		r = sw_err_set(&err, SW_E_NOTFOUND, "no stored inventory for %s (send it again with scan --server)",
			       job->ref);
	if (r == 1)
		r = sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &in, &err);
	if (r == 0) {
		struct sw_scan_opts so;
		client_scan_opts(s, &mo, &so);
		r = sw_scan_inventory(&so, in, cfg.len ? cfg.data : NULL, in->layers.len, &res, &err);
	}
	int64_t report_id = 0;
	(void)finish(s, job->id, job->attempts, job->ref, r == 0 ? res : NULL, since_ms(&t0), &report_id, &err);
	sw_scan_result_free(res);
	sw_buf_release(&inv);
	sw_buf_release(&cfg);
}

/* sha256:<64 hex> or sha512:<128 hex> */
static bool digest_ok(const char *d)
{
	size_t n;
	if (strncmp(d, "sha256:", 7) == 0)
		n = 64;
	else if (strncmp(d, "sha512:", 7) == 0)
		n = 128;
	else
		return false;
	d += 7;
	for (size_t i = 0; i < n; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return d[n] == 0;
}

static bool text_ok(const char *t, size_t max)
{
	size_t n = strlen(t);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return false;
	return true;
}

static void answer(struct srv_req *q, struct srv_reply *r, const char *digest, int64_t job_id, int64_t report_id,
		   const struct sw_scan_result *res)
{
	struct sw_buf m = SW_BUF_INIT, b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_match_result_encode(res->match, &m, &err) < 0) {
		sw_buf_release(&m);
		srv_reply_error(r, 500, "cannot encode the match result: %s", err.msg);
		return;
	}
	sw_buf_addstr(&b, "{\"digest\":");
	srv_json_str(&b, digest);
	struct sw_st_job job = { 0 };
	if (job_id && sw_st_job_get(q->s->store, job_id, &job, &err) == 1) {
		sw_buf_addstr(&b, ",\"job\":");
		srv_job_json(&b, &job);
	} else {
		sw_buf_addstr(&b, ",\"job\":null");
	}
	sw_st_job_release(&job);
	if (report_id)
		sw_buf_addf(&b, ",\"report\":%lld", (long long)report_id);
	else
		sw_buf_addstr(&b, ",\"report\":null");
	sw_buf_addf(&b, ",\"vulndb_built\":%lld,\"findings\":%zu,\"match_format\":%u,\"match\":\"",
		    (long long)res->db_built_at, res->match->findings.len, SW_MATCH_CODEC_FORMAT);
	size_t at = b.len, n64 = 4 * ((m.len + 2) / 3);
	if (sw_buf_grow(&b, n64 + 1)) {
		EVP_EncodeBlock((unsigned char *)b.data + at, (const unsigned char *)m.data, (int)m.len);
		b.len += n64;
	}
	sw_buf_addstr(&b, "\"}");
	sw_buf_release(&m);
	if (!sw_buf_ok(&b)) {
		sw_buf_release(&b);
		srv_reply_error(r, 500, "out of memory for the answer");
		return;
	}
	r->status = 200;
	r->ctype = "application/json";
	sw_buf_release(&r->body);
	r->body = b;
}

static void post_inventory(struct srv_req *q, struct srv_reply *r)
{
	struct srv *s = q->s;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *ct = srv_header(q, "Content-Type");
	size_t cl = strlen(SW_CLIENT_CTYPE);
	if (!ct || strncasecmp(ct, SW_CLIENT_CTYPE, cl) != 0 || (ct[cl] && ct[cl] != ';' && ct[cl] != ' ')) {
		srv_reply_error(r, 415, "POST /api/v1/inventories takes Content-Type: " SW_CLIENT_CTYPE
			       " (stowaway scan --server)");
		return;
	}
	struct sw_client_req req = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (sw_client_req_decode((const uint8_t *)q->body, q->body_len, &req, &err) < 0) {
		srv_reply_error(r, 400, "%s", err.msg);
		return;
	}
	const struct sw_inventory *inv = req.inv;
	/* copies: req.inv is handed to the scan below, which frees it on error */
	char *digest = sw_xstrdup(inv->manifest_digest ? inv->manifest_digest : inv->config_digest);
	char *name = sw_xstrdup(req.name ? req.name : inv->reference);
	if (!digest) {
		srv_reply_error(r, 422, "the inventory has no image digest (the server stores images by digest; "
			       "dir: images cannot be sent)");
		goto out;
	}
	if (!digest_ok(digest) || (inv->config_digest && !digest_ok(inv->config_digest))) {
		srv_reply_error(r, 422, "the inventory's image digest is not sha256:HEX or sha512:HEX");
		goto out;
	}
	if (name && !text_ok(name, 1024)) {
		srv_reply_error(r, 422, "the image name is empty, longer than 1024 bytes or has control characters");
		goto out;
	}
	char *os = inv->os.id ? sw_xasprintf("%s %s", inv->os.id, inv->os.version_id ? inv->os.version_id : "") : NULL;
	struct sw_st_image_put ip = { .digest = digest, .config_digest = inv->config_digest, .inv_key = CLIENT_INV_KEY,
				      .os = os, .architecture = inv->architecture, .name = name,
				      .inventory = req.inv_blob, .inventory_len = req.inv_blob_len,
				      .config_json = req.config_json };
	int rc = sw_st_image_put(s->store, &ip, srv_now(), &err);
	free(os);
	if (rc < 0) {
		srv_reply_error(r, 500, "%s", err.msg);
		goto out;
	}
	struct sw_buf opts = SW_BUF_INIT;
	job_options(&opts, name, &req.match);
	int64_t id = 0;
	bool created = false;
	rc = sw_st_job_submit(s->store, digest, "client", opts.data, srv_now(), &id, &created, &err);
	sw_buf_release(&opts);
	int claimed = rc == 0 ? sw_st_job_claim_id(s->store, id, s->owner, s->o->lease, srv_now(), &err) : rc;
	if (claimed < 0) {
		srv_reply_error(r, 500, "%s", err.msg);
		goto out;
	}
	struct sw_st_job job = { 0 };
	int attempt = 1;
	if (claimed == 1 && sw_st_job_get(s->store, id, &job, &err) == 1)
		attempt = job.attempts;
	sw_st_job_release(&job);
	if (claimed == 1)
		srv_log(s, "job", "\"job\":%lld,\"state\":\"running\",\"job_kind\":\"client\",\"attempt\":%d", (long long)id,
			attempt);
	struct sw_scan_opts so;
	client_scan_opts(s, &req.match, &so);
	struct sw_scan_result *res = NULL;
	size_t nlayers = inv->layers.len;
	rc = sw_scan_inventory(&so, req.inv, req.config_json, nlayers, &res, &err);
	req.inv = NULL;   /* taken */
	int64_t report_id = 0;
	if (claimed == 1)
		rc = finish(s, id, attempt, digest, rc == 0 ? res : NULL, since_ms(&t0), &report_id, &err);
	if (rc < 0)
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 503 : 500, "%s", err.msg);
	else
		answer(q, r, digest, id, report_id, res);
	sw_scan_result_free(res);
out:
	free(digest);
	free(name);
	sw_client_req_release(&req);
}

int srv_client_route(struct srv_req *q, struct srv_reply *r)
{
	if (strcmp(q->path, "/api/v1/inventories") != 0)
		return 0;
	if (strcmp(q->method, "POST") != 0) {
		srv_reply_error(r, 405, "%s takes POST, not %s", q->path, q->method);
		return 1;
	}
	if (srv_need_scope(q, r, "scan"))
		post_inventory(q, r);
	return 1;
}
