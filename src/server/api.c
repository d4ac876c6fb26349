/* api.c - the REST API v1 routes (docs/api.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "server/server_int.h"
#include "sw_openapi.h"   /* generated from docs/api/openapi.yaml */
#include "util/mem.h"
#include "vulndb/vulndb.h"

static int scope_rank(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "admin") == 0)
		return 3;
	if (strcmp(s, "scan") == 0)
		return 2;
	if (strcmp(s, "read") == 0)
		return 1;
	return 0;
}

/* false (and r is a 403) when the token's scope is below need */
static bool need(struct srv_req *q, struct srv_reply *r, const char *need_scope)
{
	if (scope_rank(q->scope) >= scope_rank(need_scope))
		return true;
	srv_reply_error(r, 403, "this route needs a token with scope '%s' (the token has '%s')", need_scope,
			q->scope ? q->scope : "none");
	return false;
}

static bool method(struct srv_req *q, struct srv_reply *r, const char *m)
{
	if (strcmp(q->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(q->method, "HEAD") == 0))
		return true;
	srv_reply_error(r, 405, "%s takes %s, not %s", q->path, m, q->method);
	return false;
}

/* "12" -> 12; false for anything but 1-18 digits */
static bool parse_id(const char *s, size_t n, int64_t *id)
{
	if (n == 0 || n > 18)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*id = v;
	return v > 0;
}

static void add_kv_str(struct sw_buf *b, const char *k, const char *v, bool comma)
{
	if (comma)
		sw_buf_addch(b, ',');
	sw_buf_addf(b, "\"%s\":", k);
	srv_json_str(b, v);
}

void srv_job_json(struct sw_buf *b, const struct sw_st_job *j)
{
	sw_buf_addf(b, "{\"id\":\"%lld\"", (long long)j->id);
	add_kv_str(b, "image", j->ref, true);
	add_kv_str(b, "kind", j->kind, true);
	add_kv_str(b, "state", sw_job_state_name(j->state), true);
	sw_buf_addf(b, ",\"attempts\":%d", j->attempts);
	add_kv_str(b, "error", j->error, true);
	add_kv_str(b, "digest", j->image_digest, true);
	if (j->report_id)
		sw_buf_addf(b, ",\"report\":%lld", (long long)j->report_id);
	else
		sw_buf_addstr(b, ",\"report\":null");
	sw_buf_addf(b, ",\"inventory_reused\":%s,\"created\":%lld,\"updated\":%lld", j->inventory_reused ? "true" : "false",
		    (long long)j->created, (long long)j->updated);
	sw_buf_addstr(b, "}");
}

static void reply_buf(struct srv_reply *r, unsigned status, const char *ctype, struct sw_buf *b)
{
	r->status = status;
	r->ctype = ctype;
	sw_buf_release(&r->body);
	r->body = *b;
	struct sw_buf empty = SW_BUF_INIT;
	*b = empty;
}

static void get_job(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_st_job j;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_job_get(q->s->store, id, &j, &err);
	if (k < 0) {
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	if (k == 0) {
		srv_reply_error(r, 404, "no scan job %lld", (long long)id);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	srv_job_json(&b, &j);
	sw_st_job_release(&j);
	reply_buf(r, 200, "application/json", &b);
}

static bool content_json(struct srv_req *q, struct srv_reply *r)
{
	const char *ct = srv_header(q, "Content-Type");
	if (ct && (strncasecmp(ct, "application/json", 16) == 0 || strncasecmp(ct, "application/vnd.", 16) == 0))
		return true;
	srv_reply_error(r, 415, "the body must be application/json (Content-Type is '%.80s')", ct ? ct : "missing");
	return false;
}

static void post_scan(struct srv_req *q, struct srv_reply *r)
{
	if (srv_sbom_type(srv_header(q, "Content-Type"))) {
		srv_sbom_submit(q, r);
		return;
	}
	if (!content_json(q, r))
		return;
	struct sw_srv_scan_req sr;
	struct sw_err err = SW_ERR_INIT;
	if (sw_srv_parse_scan_req(q->body, q->body_len, &sr, &err) < 0) {
		srv_reply_error(r, err.code == SW_E_FORMAT ? 400 : 422, "%s", err.msg);
		return;
	}
	json_t *o = json_object();
	if (sr.platform)
		json_object_set_new(o, "platform", json_string(sr.platform));
	if (sr.plain_http)
		json_object_set_new(o, "plain_http", json_true());
	if (sr.insecure)
		json_object_set_new(o, "insecure", json_true());
	char *opts = json_object_size(o) ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	int64_t id;
	bool created;
	int k = srv_submit(q->s, sr.image, "scan", opts ? opts : "", sr.username, sr.password, &id, &created, &err);
	free(opts);
	sw_srv_scan_req_release(&sr);
	if (k < 0) {
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	get_job(q, r, id);
	if (r->status == 200) {
		r->status = 202;
		r->location = sw_xasprintf("/api/v1/scans/%lld", (long long)id);
	}
}

static void retry_job(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_job_retry(q->s->store, id, srv_now(), &err) < 0) {
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : err.code == SW_E_USAGE ? 409 : 500, "%s", err.msg);
		return;
	}
	srv_wake(q->s);
	get_job(q, r, id);
	if (r->status == 200)
		r->status = 202;
}

static void cancel_job(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_err err = SW_ERR_INIT;
	char *why = sw_xasprintf("cancelled by %s", q->token_name ? q->token_name : "a client");
	int k = sw_st_job_cancel(q->s->store, id, why, srv_now(), &err);
	free(why);
	if (k < 0 && err.code == SW_E_USAGE) {
		srv_cancel_running(q, r, id);   /* not pending: running here, or 409 */
		return;
	}
	if (k < 0) {
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : err.code == SW_E_USAGE ? 409 : 500, "%s", err.msg);
		return;
	}
	get_job(q, r, id);
}

static void image_json(struct sw_buf *b, const struct sw_st_image *im)
{
	sw_buf_addstr(b, "{\"digest\":");
	srv_json_str(b, im->digest);
	sw_buf_addstr(b, ",\"names\":[");
	for (size_t i = 0; i < im->names.len; i++) {
		if (i)
			sw_buf_addch(b, ',');
		srv_json_str(b, im->names.items[i]);
	}
	sw_buf_addstr(b, "]");
	add_kv_str(b, "config_digest", im->config_digest, true);
	add_kv_str(b, "os", im->os, true);
	add_kv_str(b, "architecture", im->architecture, true);
	sw_buf_addf(b, ",\"created\":%lld,\"updated\":%lld", (long long)im->created, (long long)im->updated);
	if (im->latest_report)
		sw_buf_addf(b, ",\"latest_report\":%lld,\"summary\":{\"critical\":%lld,\"high\":%lld,\"medium\":%lld,"
			    "\"low\":%lld,\"negligible\":%lld,\"unknown\":%lld,\"total\":%lld}",
			    (long long)im->latest_report, (long long)im->critical, (long long)im->high,
			    (long long)im->medium, (long long)im->low, (long long)im->negligible, (long long)im->unknown,
			    (long long)im->total);
	else
		sw_buf_addstr(b, ",\"latest_report\":null,\"summary\":null");
	if (im->latest_report)
		sw_buf_addf(b, ",\"checks_failed\":%lld,\"secrets\":%lld,\"malware\":%lld", (long long)im->checks_failed,
			    (long long)im->secrets, (long long)im->malware);
	add_kv_str(b, "policy", im->policy, true);
	sw_buf_addstr(b, "}");
}

static void list_images(struct srv_req *q, struct srv_reply *r)
{
	struct sw_st_image_query iq;
	const char *bad = NULL;
	if (!srv_image_query_parse(q, &iq, &bad)) {
		srv_reply_error(r, 400, "the query parameter '%s' is not valid", bad);
		return;
	}
	struct sw_vec list = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	int64_t total = 0;
	if (sw_st_image_search(q->s->store, &iq, &list, &total, &err) < 0) {
		sw_st_image_list_free(&list);
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"images\":[");
	for (size_t i = 0; i < list.len; i++) {
		if (i)
			sw_buf_addch(&b, ',');
		image_json(&b, list.items[i]);
	}
	sw_buf_addf(&b, "],\"total\":%lld,\"limit\":%lld,\"offset\":%lld}", (long long)total, (long long)iq.limit,
		    (long long)iq.offset);
	sw_st_image_list_free(&list);
	reply_buf(r, 200, "application/json", &b);
}

static const char *format_ctype(const char *fmt)
{
	if (strcmp(fmt, "table") == 0)
		return "text/plain; charset=utf-8";
	if (strcmp(fmt, "html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(fmt, "junit") == 0)
		return "application/xml";
	if (strcmp(fmt, "sarif") == 0)
		return "application/sarif+json";
	if (strncmp(fmt, "cyclonedx", 9) == 0)
		return "application/vnd.cyclonedx+json";
	if (strncmp(fmt, "spdx", 4) == 0)
		return "application/spdx+json";
	return "application/json";
}

/* A format named by an Accept header (without ?format=), or NULL. */
static const char *accept_format(const char *accept)
{
	static const char *const map[][2] = {
		{ "application/sarif+json", "sarif" }, { "application/vnd.cyclonedx+json", "cyclonedx" },
		{ "application/spdx+json", "spdx-json" }, { "text/html", "html" }, { "application/xml", "junit" },
		{ "text/plain", "table" },
	};
	for (size_t i = 0; accept && i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(accept, map[i][0]))
			return map[i][1];
	return NULL;
}

static void send_report(struct srv_reply *r, struct sw_st *st, int64_t id)
{
	struct sw_st_report rep;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_report_get(st, id, &rep, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? 500 : 404, "%s", k < 0 ? err.msg : "no such report");
		return;
	}
	reply_buf(r, 200, "application/json", &rep.json);
	sw_st_report_release(&rep);
}

static void get_image(struct srv_req *q, struct srv_reply *r, const char *digest)
{
	struct sw_st_image im;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_image_get(q->s->store, digest, &im, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? 500 : 404, "%s", k < 0 ? err.msg : "no stored image with that digest");
		return;
	}
	int64_t latest = im.latest_report;
	sw_st_image_release(&im);
	const char *fmt = srv_query(q, "format");
	if (!fmt)
		fmt = accept_format(srv_header(q, "Accept"));
	if (!fmt || strcmp(fmt, "json") == 0) {
		if (!latest)
			srv_reply_error(r, 404, "the image has no report yet");
		else
			send_report(r, q->s->store, latest);
		return;
	}
	struct sw_buf out = SW_BUF_INIT;
	if (srv_render_image(q->s, digest, fmt, &out, &err) < 0) {
		sw_buf_release(&out);
		srv_reply_error(r, err.code == SW_E_USAGE ? 400 : err.code == SW_E_NOTFOUND ? 404 : 500, "%s", err.msg);
		return;
	}
	reply_buf(r, 200, format_ctype(fmt), &out);
}

static void image_reports(struct srv_req *q, struct srv_reply *r, const char *digest)
{
	struct sw_vec list = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	struct sw_st_image im;
	int k = sw_st_image_get(q->s->store, digest, &im, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? 500 : 404, "%s", k < 0 ? err.msg : "no stored image with that digest");
		return;
	}
	sw_st_image_release(&im);
	if (sw_st_report_list(q->s->store, digest, &list, &err) < 0) {
		sw_st_report_list_free(&list);
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"digest\":");
	srv_json_str(&b, digest);
	sw_buf_addstr(&b, ",\"reports\":[");
	for (size_t i = 0; i < list.len; i++) {
		const struct sw_st_report *p = list.items[i];
		if (i)
			sw_buf_addch(&b, ',');
		sw_buf_addf(&b, "{\"id\":%lld,\"job\":", (long long)p->id);
		if (p->job_id)
			sw_buf_addf(&b, "\"%lld\"", (long long)p->job_id);
		else
			sw_buf_addstr(&b, "null");
		sw_buf_addf(&b, ",\"created\":%lld,\"complete\":%s", (long long)p->created, p->complete ? "true" : "false");
		add_kv_str(&b, "vulndb", p->db_fingerprint, true);
		sw_buf_addf(&b, ",\"summary\":{\"critical\":%lld,\"high\":%lld,\"medium\":%lld,\"low\":%lld,"
			    "\"negligible\":%lld,\"unknown\":%lld,\"total\":%lld,\"suppressed\":%lld}",
			    (long long)p->critical, (long long)p->high, (long long)p->medium, (long long)p->low,
			    (long long)p->negligible, (long long)p->unknown, (long long)p->total, (long long)p->suppressed);
		sw_buf_addf(&b, ",\"checks_failed\":%lld,\"secrets\":%lld,\"malware\":%lld", (long long)p->checks_failed,
			    (long long)p->secrets, (long long)p->malware);
		add_kv_str(&b, "policy", p->policy, true);
		sw_buf_addf(&b, ",\"changes\":%s,\"href\":\"/api/v1/reports/%lld\"}",
			    p->changes_json ? p->changes_json : "null", (long long)p->id);
	}
	sw_buf_addstr(&b, "]}");
	sw_st_report_list_free(&list);
	reply_buf(r, 200, "application/json", &b);
}

/* a decimal count 0..10^12 with nothing around it */
static bool parse_count(const char *s, int64_t *out)
{
	if (!*s || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s))
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

static void vuln_images(struct srv_req *q, struct srv_reply *r, const char *id)
{
	if (!*id || strlen(id) > 200) {
		srv_reply_error(r, 400, "bad vulnerability id");
		return;
	}
	/* limit (1-1000) and offset page the answer; without limit every hit
	 * (the answer of before paging existed) */
	int64_t limit = 0, offset = 0;
	const char *ls = srv_query(q, "limit"), *os = srv_query(q, "offset");
	if (ls && (!parse_count(ls, &limit) || limit < 1 || limit > 1000)) {
		srv_reply_error(r, 400, "limit must be a whole number from 1 to 1000");
		return;
	}
	if (os && !parse_count(os, &offset)) {
		srv_reply_error(r, 400, "offset must be a whole number from 0");
		return;
	}
	struct sw_vec hits = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	int64_t total = 0;
	if (sw_st_vuln_images_page(q->s->store, id, limit, offset, &hits, &total, &err) < 0) {
		sw_st_hits_free(&hits);
		srv_reply_error(r, err.code == SW_E_UNSUPPORTED ? 501 : 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"vulnerability\":");
	srv_json_str(&b, id);
	sw_buf_addf(&b, ",\"total\":%lld,\"offset\":%lld,\"limit\":", (long long)total, (long long)offset);
	if (limit)
		sw_buf_addf(&b, "%lld", (long long)limit);
	else
		sw_buf_addstr(&b, "null");
	sw_buf_addstr(&b, ",\"images\":[");
	for (size_t i = 0; i < hits.len; i++) {
		const struct sw_st_hit *h = hits.items[i];
		if (i)
			sw_buf_addch(&b, ',');
		sw_buf_addstr(&b, "{\"digest\":");
		srv_json_str(&b, h->image_digest);
		add_kv_str(&b, "names", h->names, true);
		add_kv_str(&b, "package", h->pkg_name, true);
		add_kv_str(&b, "version", h->pkg_version, true);
		add_kv_str(&b, "fixed", h->fixed, true);
		add_kv_str(&b, "severity", h->severity, true);
		sw_buf_addf(&b, ",\"report\":%lld}", (long long)h->report_id);
	}
	sw_buf_addstr(&b, "]}");
	sw_st_hits_free(&hits);
	reply_buf(r, 200, "application/json", &b);
}

static void rematch(struct srv_req *q, struct srv_reply *r)
{
	size_t n = 0, c = 0;
	struct sw_err err = SW_ERR_INIT;
	if (srv_rematch_all(q->s, &n, &c, &err) < 0) {
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "{\"images\":%zu,\"changed\":%zu}", n, c);
	reply_buf(r, 200, "application/json", &b);
}

static void metrics(struct srv_req *q, struct srv_reply *r)
{
	struct srv *s = q->s;
	int64_t counts[4] = { 0 };
	struct sw_err err = SW_ERR_INIT;
	(void)sw_st_job_counts(s->store, counts, &err);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "# TYPE stowaway_requests_total counter\nstowaway_requests_total %llu\n",
		    (unsigned long long)s->requests);
	sw_buf_addf(&b, "# TYPE stowaway_request_errors_total counter\nstowaway_request_errors_total %llu\n",
		    (unsigned long long)s->request_errors);
	sw_buf_addstr(&b, "# TYPE stowaway_jobs gauge\n");
	for (int i = 0; i < 4; i++)
		sw_buf_addf(&b, "stowaway_jobs{state=\"%s\"} %lld\n", sw_job_state_name((enum sw_job_state)i),
			    (long long)counts[i]);
	sw_buf_addf(&b, "# TYPE stowaway_queue_depth gauge\nstowaway_queue_depth %lld\n", (long long)counts[0]);
	sw_buf_addf(&b, "# TYPE stowaway_workers_busy gauge\nstowaway_workers_busy %u\n", (unsigned)s->busy);
	const char *p = s->o->db_path ? s->o->db_path : sw_vulndb_default_path();
	struct stat st;
	if (stat(p, &st) == 0)
		sw_buf_addf(&b, "# TYPE stowaway_vulndb_age_seconds gauge\nstowaway_vulndb_age_seconds %lld\n",
			    (long long)(srv_now() - st.st_mtim.tv_sec));
	srv_metrics_write(s->metrics, &b);
	srv_hooks_metrics(s, &b);   /* webhooks, deliveries, database updates (hooks.c) */
	srv_retention_metrics(s, &b);
	srv_rematch_metrics(s, &b);   /* the re-match generation (cluster.c) */
	reply_buf(r, 200, "text/plain; version=0.0.4", &b);
}

/* path after prefix, or NULL */
static const char *after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

int srv_api_route(struct srv_req *q, struct srv_reply *r)
{
	const char *p = q->path, *rest;
	int64_t id;
	if (strcmp(p, "/metrics") == 0) {
		if (method(q, r, "GET") && need(q, r, "read"))
			metrics(q, r);
		return 1;
	}
	if (strcmp(p, "/api/v1/openapi.yaml") == 0) {
		if (method(q, r, "GET") && need(q, r, "read")) {
			struct sw_buf b = SW_BUF_INIT;
			sw_buf_add(&b, sw_openapi_yaml, sizeof(sw_openapi_yaml) - 1);
			reply_buf(r, 200, "application/yaml", &b);
		}
		return 1;
	}
	if (strcmp(p, "/api/v1/scans") == 0) {
		if (method(q, r, "POST") && need(q, r, "scan"))
			post_scan(q, r);
		return 1;
	}
	if ((rest = after(p, "/api/v1/scans/"))) {
		size_t n = strcspn(rest, "/");
		if (!parse_id(rest, n, &id)) {
			srv_reply_error(r, 404, "no scan job '%.40s'", rest);
			return 1;
		}
		if (!rest[n]) {
			if (strcmp(q->method, "DELETE") == 0) {
				if (need(q, r, "scan"))
					cancel_job(q, r, id);
			} else if (method(q, r, "GET") && need(q, r, "read")) {
				get_job(q, r, id);
			}
			return 1;
		}
		if (strcmp(rest + n, "/retry") == 0) {
			if (method(q, r, "POST") && need(q, r, "scan"))
				retry_job(q, r, id);
			return 1;
		}
		return 0;
	}
	if (strcmp(p, "/api/v1/images") == 0) {
		if (method(q, r, "GET") && need(q, r, "read"))
			list_images(q, r);
		return 1;
	}
	if ((rest = after(p, "/api/v1/images/"))) {
		size_t n = strcspn(rest, "/");
		char *digest = sw_xasprintf("%.*s", (int)n, rest);
		int done = 1;
		if (!rest[n]) {
			if (method(q, r, "GET") && need(q, r, "read"))
				get_image(q, r, digest);
		} else if (strcmp(rest + n, "/reports") == 0) {
			if (method(q, r, "GET") && need(q, r, "read"))
				image_reports(q, r, digest);
		} else {
			done = 0;
		}
		free(digest);
		return done;
	}
	if ((rest = after(p, "/api/v1/reports/"))) {
		if (!parse_id(rest, strlen(rest), &id)) {
			srv_reply_error(r, 404, "no report '%.40s'", rest);
			return 1;
		}
		if (method(q, r, "GET") && need(q, r, "read"))
			send_report(r, q->s->store, id);
		return 1;
	}
	if ((rest = after(p, "/api/v1/vulnerabilities/"))) {
		size_t n = strcspn(rest, "/");
		if (strcmp(rest + n, "/images") != 0)
			return 0;
		char *vid = sw_xasprintf("%.*s", (int)n, rest);
		if (method(q, r, "GET") && need(q, r, "read"))
			vuln_images(q, r, vid);
		free(vid);
		return 1;
	}
	if (strcmp(p, "/api/v1/rematch") == 0) {
		if (method(q, r, "POST") && need(q, r, "admin"))
			rematch(q, r);
		return 1;
	}
	return 0;
}

/* shared with harbor.c */
bool srv_need_scope(struct srv_req *q, struct srv_reply *r, const char *scope)
{
	return need(q, r, scope);
}
