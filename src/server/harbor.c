/*
 * harbor.c - Harbor's pluggable scanner adapter API v1.1 / v1.2
 * (docs/api.md "Harbor"): metadata, scan, report.  Routes under
 * PREFIX/api/v1 (--harbor-prefix, default none: /api/v1/metadata,
 * /api/v1/scan, /api/v1/scan/{id}/report, beside our /api/v1/scans).
 * The report is answered from the store: a scan still pending or running
 * is 302 with Refresh-After, never a wait.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "server/server_int.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

#define MT_META "application/vnd.scanner.adapter.metadata+json; version=1.1"
#define MT_SCAN_RESP "application/vnd.scanner.adapter.scan.response+json; version=1.0"
#define MT_ERROR "application/vnd.scanner.adapter.error+json; version=1.0"
#define MT_V10 "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
#define MT_V11 "application/vnd.security.vulnerability.report; version=1.1"
#define MT_SBOM "application/vnd.security.sbom.report+json; version=1.0"
#define MT_OCI "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER "application/vnd.docker.distribution.manifest.v2+json"
#define REFRESH_AFTER 5

static void herror(struct srv_reply *r, unsigned status, const char *msg)
{
	r->status = status;
	r->ctype = MT_ERROR;
	sw_buf_reset(&r->body);
	sw_buf_addstr(&r->body, "{\"error\":{\"message\":");
	srv_json_str(&r->body, msg);
	sw_buf_addstr(&r->body, "}}");
}

static void reply_json(struct srv_reply *r, unsigned status, const char *ctype, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	r->status = status;
	r->ctype = ctype;
	sw_buf_reset(&r->body);
	sw_buf_addstr(&r->body, text ? text : "{}");
	free(text);
}

static json_t *scanner_json(void)
{
	return json_pack("{s:s, s:s, s:s}", "name", "stowaway", "vendor", "stowaway", "version", SW_VERSION_STRING);
}

static void rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void metadata(struct srv_req *q, struct srv_reply *r)
{
	json_t *consumes = json_pack("[s, s]", MT_OCI, MT_DOCKER);
	json_t *caps = json_pack("[{s:s, s:O, s:[s, s]}, {s:s, s:O, s:[s], s:{s:[s, s]}}]",
				 "type", "vulnerability", "consumes_mime_types", consumes, "produces_mime_types", MT_V10,
				 MT_V11, "type", "sbom", "consumes_mime_types", consumes, "produces_mime_types", MT_SBOM,
				 "additional_attributes", "sbom_media_types", "application/spdx+json",
				 "application/vnd.cyclonedx+json");
	json_decref(consumes);
	json_t *props = json_pack("{s:s}", "harbor.scanner-adapter/scanner-type", "os-package-vulnerability");
	const char *p = q->s->o->db_path ? q->s->o->db_path : sw_vulndb_default_path();
	struct stat st;
	if (stat(p, &st) == 0) {
		char when[32];
		rfc3339(st.st_mtim.tv_sec, when);
		json_object_set_new(props, "harbor.scanner-adapter/vulnerability-database-updated-at", json_string(when));
	}
	json_t *j = json_pack("{s:o, s:o, s:o}", "scanner", scanner_json(), "capabilities", caps, "properties", props);
	reply_json(r, 200, MT_META, j);
}

static void scan(struct srv_req *q, struct srv_reply *r)
{
	const char *ct = srv_header(q, "Content-Type");
	static const char json[] = "application/json", req[] = "application/vnd.scanner.adapter.scan.request+json";
	if (!ct || (strncasecmp(ct, json, sizeof(json) - 1) != 0 && strncasecmp(ct, req, sizeof(req) - 1) != 0)) {
		herror(r, 415, "the body must be a ScanRequest (application/vnd.scanner.adapter.scan.request+json)");
		return;
	}
	struct sw_srv_scan_req sr;
	char *name = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_srv_parse_harbor_req(q->body, q->body_len, &sr, &name, &err) < 0) {
		herror(r, err.code == SW_E_FORMAT ? 400 : 422, err.msg);
		return;
	}
	json_t *o = json_pack("{s:s}", "name", name);
	if (sr.plain_http)
		json_object_set_new(o, "plain_http", json_true());
	char *opts = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	int64_t id;
	bool created;
	int k = srv_submit(q->s, sr.image, "harbor", opts, sr.username, sr.password, &id, &created, &err);
	free(opts);
	free(name);
	sw_srv_scan_req_release(&sr);
	if (k < 0) {
		herror(r, 500, err.msg);
		return;
	}
	char ids[32];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	reply_json(r, 202, MT_SCAN_RESP, json_pack("{s:s}", "id", ids));
}

static const char *cap_severity(const char *s)
{
	static const char *const names[][2] = { { "critical", "Critical" }, { "high", "High" }, { "medium", "Medium" },
						{ "low", "Low" }, { "negligible", "Negligible" } };
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i][0]) == 0)
			return names[i][1];
	return "Unknown";
}

static int sev_rank(const char *s)
{
	static const char *const order[] = { "Unknown", "Negligible", "Low", "Medium", "High", "Critical" };
	for (int i = 0; i < 6; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 0;
}

/* The artifact of a harbor job: registry:HOST/REPO@DIGEST */
static json_t *artifact_json(const char *ref, const char *digest, const char *mime)
{
	const char *p = strncmp(ref, "registry:", 9) == 0 ? ref + 9 : ref;
	const char *slash = strchr(p, '/'), *at = strrchr(p, '@');
	json_t *a = json_object();
	if (slash && at && at > slash)
		json_object_set_new(a, "repository", json_stringn(slash + 1, (size_t)(at - slash - 1)));
	if (digest)
		json_object_set_new(a, "digest", json_string(digest));
	if (mime)
		json_object_set_new(a, "mime_type", json_string(mime));
	return a;
}

/* Harbor's vulnerability report from our stored JSON report.  v11 adds
 * preferred_cvss, cwe_ids and vendor_attributes. */
static json_t *harbor_report(const char *ours, size_t len, const struct sw_st_job *job, int64_t created, bool v11)
{
	json_t *src = json_loadb(ours, len, 0, NULL);
	json_t *vulns = json_array();
	const char *worst = "Unknown";
	json_t *arr = json_object_get(src, "vulnerabilities");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_null(json_object_get(v, "suppressed")) && json_object_get(v, "suppressed"))
			continue;
		json_t *pkg = json_object_get(v, "package");
		const char *sev = cap_severity(json_string_value(json_object_get(v, "severity")));
		if (sev_rank(sev) > sev_rank(worst))
			worst = sev;
		json_t *item = json_object();
		json_object_set(item, "id", json_object_get(v, "id"));
		json_t *name = json_object_get(pkg, "name");
		json_object_set_new(item, "package", json_string(json_is_string(name) ? json_string_value(name) : ""));
		json_t *ver = json_object_get(v, "installedVersion");
		if (!json_is_string(ver))
			ver = json_object_get(pkg, "version");
		json_object_set_new(item, "version", json_string(json_is_string(ver) ? json_string_value(ver) : ""));
		json_t *fix = json_object_get(v, "fixedVersion");
		if (json_is_string(fix))
			json_object_set(item, "fix_version", fix);
		json_object_set_new(item, "severity", json_string(sev));
		json_t *d = json_object_get(v, "description");
		if (!json_is_string(d))
			d = json_object_get(v, "title");
		json_object_set_new(item, "description", json_string(json_is_string(d) ? json_string_value(d) : ""));
		json_t *refs = json_object_get(v, "references");
		json_object_set_new(item, "links", json_is_array(refs) ? json_deep_copy(refs) : json_array());
		if (v11) {
			json_t *cvss = json_object_get(v, "cvss");
			json_t *vec = json_object_get(cvss, "vector"), *score = json_object_get(cvss, "score");
			json_t *pc = json_object();
			if (json_is_string(vec)) {
				bool v3 = strncmp(json_string_value(vec), "CVSS:3", 6) == 0;
				bool v2 = !v3 && strncmp(json_string_value(vec), "CVSS:", 5) != 0;
				if (v3 || v2) {
					json_object_set(pc, v3 ? "vector_v3" : "vector_v2", vec);
					if (json_is_number(score))
						json_object_set(pc, v3 ? "score_v3" : "score_v2", score);
				}
			}
			json_object_set_new(item, "preferred_cvss", pc);
			json_t *cwes = json_object_get(v, "cwes");
			json_object_set_new(item, "cwe_ids", json_is_array(cwes) ? json_deep_copy(cwes) : json_array());
			json_t *va = json_object();
			if (cvss && !json_is_null(cvss))
				json_object_set(va, "CVSS", cvss);
			json_t *aliases = json_object_get(v, "aliases");
			if (aliases)
				json_object_set(va, "aliases", aliases);
			json_t *kev = json_object_get(v, "kev");
			if (kev && !json_is_null(kev))
				json_object_set(va, "kev", kev);
			json_object_set_new(item, "vendor_attributes", va);
		}
		json_array_append_new(vulns, item);
	}
	json_decref(src);
	char when[32];
	rfc3339(created, when);
	return json_pack("{s:s, s:o, s:o, s:s, s:o}", "generated_at", when, "artifact",
			 artifact_json(job->ref, job->image_digest, MT_DOCKER), "scanner", scanner_json(), "severity",
			 worst, "vulnerabilities", vulns);
}

static void report(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_st_job job;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_job_get(q->s->store, id, &job, &err);
	if (k < 0) {
		herror(r, 500, err.msg);
		return;
	}
	if (k == 0 || strcmp(job.kind, "harbor") != 0) {
		if (k)
			sw_st_job_release(&job);
		herror(r, 404, "no such scan request");
		return;
	}
	const char *accept = srv_header(q, "Accept");
	enum { V10, V11, SBOM, OTHER } want = V11;
	if (accept && strstr(accept, "application/vnd.security.sbom.report+json"))
		want = SBOM;
	else if (accept && strstr(accept, "application/vnd.scanner.adapter.vuln.report.harbor+json"))
		want = V10;
	else if (accept && strstr(accept, "application/vnd.security.vulnerability.report"))
		want = V11;
	else if (accept && !strstr(accept, "*/*") && !strstr(accept, "application/json"))
		want = OTHER;
	const char *sbom_type = srv_query(q, "sbom_media_type");
	if (want == OTHER) {
		herror(r, 501, "no report of that media type (supported: " MT_V10 ", " MT_V11 ", " MT_SBOM ")");
	} else if (want == SBOM && (!sbom_type || (strcmp(sbom_type, "application/spdx+json") != 0 &&
						   strcmp(sbom_type, "application/vnd.cyclonedx+json") != 0))) {
		herror(r, 400, "an SBOM report needs ?sbom_media_type=application/spdx+json or application/vnd.cyclonedx+json");
	} else if (job.state == SW_JOB_PENDING || job.state == SW_JOB_RUNNING) {
		r->status = 302;
		r->ctype = NULL;
		r->refresh_after = REFRESH_AFTER;
		sw_buf_reset(&r->body);
	} else if (job.state == SW_JOB_FAILED) {
		herror(r, 500, job.error ? job.error : "the scan failed");
	} else if (want == SBOM) {
		struct sw_buf out = SW_BUF_INIT;
		const char *fmt = strcmp(sbom_type, "application/spdx+json") == 0 ? "spdx-json" : "cyclonedx";
		if (srv_render_image(q->s, job.image_digest, fmt, &out, &err) < 0) {
			herror(r, 500, err.msg);
		} else {
			json_t *sbom = json_loadb(out.data, out.len, 0, NULL);
			char when[32];
			rfc3339(job.updated, when);
			reply_json(r, 200, MT_SBOM,
				   json_pack("{s:s, s:o, s:o, s:s, s:o}", "generated_at", when, "artifact",
					     artifact_json(job.ref, job.image_digest, MT_DOCKER), "scanner", scanner_json(),
					     "media_type", sbom_type, "sbom", sbom ? sbom : json_object()));
		}
		sw_buf_release(&out);
	} else {
		struct sw_st_report rep;
		k = sw_st_report_get(q->s->store, job.report_id, &rep, &err);
		if (k <= 0) {
			herror(r, 500, k < 0 ? err.msg : "the report of this scan is missing");
		} else {
			json_t *j = harbor_report(rep.json.data, rep.json.len, &job, rep.created, want == V11);
			reply_json(r, 200, want == V11 ? MT_V11 : MT_V10, j);
			sw_st_report_release(&rep);
		}
	}
	sw_st_job_release(&job);
}

int srv_harbor_route(struct srv_req *q, struct srv_reply *r)
{
	const char *prefix = q->s->o->harbor_prefix ? q->s->o->harbor_prefix : "";
	size_t n = strlen(prefix);
	if (strncmp(q->path, prefix, n) != 0)
		return 0;
	const char *p = q->path + n;
	if (strcmp(p, "/api/v1/metadata") == 0) {
		if (strcmp(q->method, "GET") != 0)
			herror(r, 405, "GET only");
		else if (srv_need_scope(q, r, "read"))
			metadata(q, r);
		return 1;
	}
	if (strcmp(p, "/api/v1/scan") == 0) {
		if (strcmp(q->method, "POST") != 0)
			herror(r, 405, "POST only");
		else if (srv_need_scope(q, r, "scan"))
			scan(q, r);
		return 1;
	}
	if (strncmp(p, "/api/v1/scan/", 13) == 0) {
		const char *rest = p + 13;
		size_t m = strcspn(rest, "/");
		if (strcmp(rest + m, "/report") != 0)
			return 0;
		int64_t id = 0;
		bool ok = m > 0 && m <= 18;
		for (size_t i = 0; ok && i < m; i++) {
			ok = rest[i] >= '0' && rest[i] <= '9';
			id = id * 10 + (rest[i] - '0');
		}
		if (!ok || id <= 0)
			herror(r, 404, "no such scan request");
		else if (strcmp(q->method, "GET") != 0)
			herror(r, 405, "GET only");
		else if (srv_need_scope(q, r, "read"))
			report(q, r, id);
		return 1;
	}
	return 0;
}
