/*
 * policy.c - policy bundles over the REST API and the evaluation of a
 * stored image (docs/api.md "Policy bundles", docs/policy.md).  Bundles are
 * read and checked by policy/ (the entry point `stowaway policy validate`
 * uses), evaluated by scan/ (sw_scan_inventory with the bundle, as `scan
 * --policy` does) and written by report/ (Anchore's evaluation JSON, as
 * `policy eval -f json` writes it).  Nothing here judges an image.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy/policy.h"
#include "report/report.h"
#include "scan/scan.h"
#include "server/server_int.h"
#include "util/mem.h"

#define BUNDLE_ID_MAX 200

/* a store failure: 501 when the back end has no such operation yet */
#define STORE_STATUS(e) ((e).code == SW_E_UNSUPPORTED ? 501u : 500u)

static long long eval_now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end = NULL;
		long long v = strtoll(e, &end, 10);
		if (end && !*end && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

static void reply_take(struct srv_reply *r, unsigned status, const char *ctype, struct sw_buf *b)
{
	r->status = status;
	r->ctype = ctype;
	sw_buf_release(&r->body);
	r->body = *b;
	struct sw_buf empty = SW_BUF_INIT;
	*b = empty;
}

static bool is_method(struct srv_req *q, const char *m)
{
	return strcmp(q->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(q->method, "HEAD") == 0);
}

static void wrong_method(struct srv_req *q, struct srv_reply *r, const char *allowed)
{
	srv_reply_error(r, 405, "%s takes %s, not %s", q->path, allowed, q->method);
}

const char *srv_policy_word(const struct sw_policy_result *pr)
{
	if (!pr)
		return NULL;
	switch (pr->final_action) {
	case SW_POLICY_STOP: return "stop";
	case SW_POLICY_WARN: return "warn";
	default: return "pass";
	}
}

/* ---------------------------------------------------------------- stored state */

unsigned srv_stored_content(struct srv *s, const char *digest)
{
	struct sw_st_image im;
	struct sw_err err = SW_ERR_INIT;
	unsigned bits = 0;
	if (sw_st_image_get(s->store, digest, &im, &err) != 1)
		return 0;
	int64_t latest = im.latest_report;
	sw_st_image_release(&im);
	struct sw_st_report rep;
	if (!latest || sw_st_report_get(s->store, latest, &rep, &err) != 1)
		return 0;
	json_t *doc = json_loadb(rep.json.data, rep.json.len, 0, NULL);
	size_t i;
	json_t *sc;
	json_array_foreach(json_object_get(doc, "scanners"), i, sc) {
		const char *name = json_string_value(json_object_get(sc, "name"));
		if (!name || !json_is_true(json_object_get(sc, "ran")))
			continue;
		if (strcmp(name, "secret") == 0)
			bits |= SW_SCAN_SECRET;
		else if (strcmp(name, "malware") == 0)
			bits |= SW_SCAN_MALWARE;
	}
	json_decref(doc);
	sw_st_report_release(&rep);
	return bits;
}

/* 1 and *out for id (NULL: the default), 0 when there is none. */
static int load_bundle(struct srv *s, const char *id, struct sw_policy_bundle **out, struct sw_err *err)
{
	struct sw_st_policy p;
	int k = sw_st_policy_get(s->store, id, &p, err);
	if (k != 1)
		return k;
	char *name = sw_xasprintf("stored policy bundle '%s'", p.id);
	int r = sw_policy_bundle_load(name, p.body.data, p.body.len, out, err);
	free(name);
	sw_st_policy_release(&p);
	return r < 0 ? r : 1;
}

struct sw_policy_bundle *srv_default_policy(struct srv *s)
{
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	int k = load_bundle(s, NULL, &b, &err);
	if (k < 0 && err.code != SW_E_UNSUPPORTED) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"where\":\"default policy bundle\",\"error\":");
		srv_json_str(&f, err.msg);
		srv_log(s, "error", "%s", f.data);
		sw_buf_release(&f);
	}
	return k == 1 ? b : NULL;
}

/* ---------------------------------------------------------------- bundles */

/* A bundle id that can be a path segment: printable ASCII without '/',
 * '?', '#', '%', blanks or quotes. */
static bool good_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > BUNDLE_ID_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("/?#%\"\\", *p))
			return false;
	return true;
}

static void summary_json(struct sw_buf *b, const struct sw_st_policy *p, const struct sw_policy_bundle *bundle)
{
	sw_buf_addstr(b, "{\"id\":");
	srv_json_str(b, p->id);
	sw_buf_addstr(b, ",\"name\":");
	srv_json_str(b, p->name);
	sw_buf_addstr(b, ",\"format\":");
	srv_json_str(b, p->format);
	sw_buf_addf(b, ",\"default\":%s,\"created\":%lld,\"updated\":%lld", p->is_default ? "true" : "false",
		    (long long)p->created, (long long)p->updated);
	if (bundle) {
		struct sw_policy_bundle_stats st;
		sw_policy_bundle_stats(bundle, &st);
		sw_buf_addf(b, ",\"rule_sets\":%zu,\"rules\":%zu,\"allowlists\":%zu,\"allowlist_items\":%zu,"
			    "\"mappings\":%zu,\"allowlisted_images\":%zu,\"denylisted_images\":%zu",
			    st.rule_sets, st.rules, st.allowlists, st.allowlist_items, st.mappings, st.allowed_images,
			    st.denied_images);
	}
	sw_buf_addstr(b, ",\"href\":");
	char *href = sw_xasprintf("/api/v1/policies/%s", p->id);
	srv_json_str(b, href);
	free(href);
	sw_buf_addstr(b, "}");
}

/* The stored row of id with its bundle, as the summary answer. */
static void reply_summary(struct srv_req *q, struct srv_reply *r, const char *id, unsigned status)
{
	struct sw_st_policy p;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_policy_get(q->s->store, id, &p, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? STORE_STATUS(err) : 404, "%s", k < 0 ? err.msg : "no such policy bundle");
		return;
	}
	struct sw_policy_bundle *b = NULL;
	(void)sw_policy_bundle_load(p.id, p.body.data, p.body.len, &b, &err);
	struct sw_buf out = SW_BUF_INIT;
	summary_json(&out, &p, b);
	sw_policy_bundle_free(b);
	sw_st_policy_release(&p);
	reply_take(r, status, "application/json", &out);
}

static void list_bundles(struct srv_req *q, struct srv_reply *r)
{
	struct sw_vec list = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_policy_list(q->s->store, &list, &err) < 0) {
		sw_st_policy_list_free(&list);
		srv_reply_error(r, STORE_STATUS(err), "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	const char *def = NULL;
	sw_buf_addstr(&b, "{\"policies\":[");
	for (size_t i = 0; i < list.len; i++) {
		const struct sw_st_policy *p = list.items[i];
		if (i)
			sw_buf_addch(&b, ',');
		summary_json(&b, p, NULL);
		if (p->is_default)
			def = p->id;
	}
	sw_buf_addstr(&b, "],\"default\":");
	srv_json_str(&b, def);
	sw_buf_addstr(&b, "}");
	sw_st_policy_list_free(&list);
	reply_take(r, 200, "application/json", &b);
}

/* "json" or "yaml" from the Content-Type, or NULL (r is a 415). */
static const char *body_format(struct srv_req *q, struct srv_reply *r)
{
	const char *ct = srv_header(q, "Content-Type");
	if (ct && strncasecmp(ct, "application/json", 16) == 0)
		return "json";
	if (ct && (strncasecmp(ct, "application/yaml", 16) == 0 || strncasecmp(ct, "application/x-yaml", 18) == 0 ||
		   strncasecmp(ct, "text/yaml", 9) == 0))
		return "yaml";
	srv_reply_error(r, 415, "a policy bundle is application/json or application/yaml (Content-Type is '%.80s')",
			ct ? ct : "missing");
	return NULL;
}

/* Create (path_id NULL) or replace a bundle from the request body. */
static void put_bundle(struct srv_req *q, struct srv_reply *r, const char *path_id)
{
	const char *fmt = body_format(q, r);
	if (!fmt)
		return;
	if (!q->body_len) {
		srv_reply_error(r, 400, "the request has no body (a policy bundle)");
		return;
	}
	if (memchr(q->body, 0, q->body_len)) {
		srv_reply_error(r, 400, "the body has a NUL byte");
		return;
	}
	if (strcmp(fmt, "json") == 0) {
		json_error_t je;
		json_t *j = json_loadb(q->body, q->body_len, 0, &je);
		if (!j) {
			srv_reply_error(r, 400, "malformed JSON at line %d, column %d: %s", je.line, je.column, je.text);
			return;
		}
		bool obj = json_is_object(j);
		json_decref(j);
		if (!obj) {
			srv_reply_error(r, 400, "a policy bundle is a JSON object");
			return;
		}
	}
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	char *text = sw_xasprintf("%.*s", (int)q->body_len, q->body);
	if (sw_policy_bundle_load("bundle", text, q->body_len, &b, &err) < 0) {
		free(text);
		srv_reply_error(r, 422, "%s", err.msg);
		return;
	}
	struct sw_policy_bundle_stats st;
	sw_policy_bundle_stats(b, &st);
	char *id = sw_xstrdup(st.id), *name = st.name ? sw_xstrdup(st.name) : NULL;
	sw_policy_bundle_free(b);
	if (!id || !good_id(id)) {
		srv_reply_error(r, 422, "bundle: its 'id' must be 1-%d printable characters without '/', '?', '#', '%%', "
				"blanks or quotes (it names the bundle in /api/v1/policies/ID)", BUNDLE_ID_MAX);
	} else if (path_id && strcmp(path_id, id) != 0) {
		srv_reply_error(r, 422, "bundle: its id '%s' is not the id in the path ('%s')", id, path_id);
	} else {
		struct sw_st_policy_put pp = { .id = id, .name = name, .format = fmt, .body = text,
					       .body_len = q->body_len };
		if (sw_st_policy_put(q->s->store, &pp, path_id != NULL, srv_now(), &err) < 0) {
			srv_reply_error(r, err.code == SW_E_USAGE ? 409 : err.code == SW_E_NOTFOUND ? 404 : STORE_STATUS(err), "%s",
					err.msg);
		} else {
			reply_summary(q, r, id, path_id ? 200 : 201);
			if (!path_id && r->status == 201)
				r->location = sw_xasprintf("/api/v1/policies/%s", id);
		}
	}
	free(id);
	free(name);
	free(text);
}

static void get_bundle(struct srv_req *q, struct srv_reply *r, const char *id)
{
	struct sw_st_policy p;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_policy_get(q->s->store, id, &p, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? STORE_STATUS(err) : 404, "%s", k < 0 ? err.msg : "no such policy bundle");
		return;
	}
	reply_take(r, 200, strcmp(p.format, "yaml") == 0 ? "application/yaml" : "application/json", &p.body);
	sw_st_policy_release(&p);
}

static void delete_bundle(struct srv_req *q, struct srv_reply *r, const char *id)
{
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_policy_delete(q->s->store, id, &err) < 0) {
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : STORE_STATUS(err), "%s", err.msg);
		return;
	}
	r->status = 204;
	r->ctype = NULL;
	sw_buf_reset(&r->body);
}

static void set_default(struct srv_req *q, struct srv_reply *r, const char *id, bool on)
{
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_policy_set_default(q->s->store, id, on, srv_now(), &err) < 0) {
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : STORE_STATUS(err), "%s", err.msg);
		return;
	}
	reply_summary(q, r, id, 200);
}

/* ---------------------------------------------------------------- evaluation */

int srv_policy_eval_image(struct srv *s, const char *digest, const struct sw_policy_bundle *b, const char *tag,
			  struct sw_buf *out, struct sw_err *err)
{
	struct sw_buf inv = SW_BUF_INIT, cfg = SW_BUF_INIT;
	struct sw_inventory *in = NULL;
	struct sw_scan_result *res = NULL;
	int r = sw_st_inventory_get(s->store, digest, NULL, &inv, &cfg, err);
	if (r == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no stored inventory for %s", digest);
	if (r == 1)
		r = sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &in, err);
	long long now = eval_now();
	if (r == 0) {
		struct sw_scan_opts so = SW_SCAN_OPTS_INIT;
		so.db_path = s->o->db_path;
		so.no_default_ignorefile = true;
		so.now = now;
		so.policy = b;
		so.policy_tag = tag;
		so.stored_content = srv_stored_content(s, digest);
		r = sw_scan_inventory(&so, in, cfg.len ? cfg.data : NULL, in->layers.len, &res, err);
	}
	if (r == 0) {
		char *text = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&text, &len);
		r = mf ? sw_report_policy(mf, SW_POLICY_FMT_JSON, res->policy, now, err)
		       : sw_err_set(err, SW_E_NOMEM, "cannot write the evaluation");
		if (mf && fclose(mf) != 0 && r == 0)
			r = sw_err_set(err, SW_E_NOMEM, "cannot write the evaluation");
		if (r == 0)
			sw_buf_add(out, text, len);
		free(text);
	}
	sw_scan_result_free(res);
	sw_buf_release(&inv);
	sw_buf_release(&cfg);
	return r;
}

static void eval_image(struct srv_req *q, struct srv_reply *r, const char *digest)
{
	const char *id = srv_query(q, "bundle"), *tag = srv_query(q, "tag");
	struct sw_err err = SW_ERR_INIT;
	struct sw_st_image im;
	int k = sw_st_image_get(q->s->store, digest, &im, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? 500 : 404, "%s", k < 0 ? err.msg : "no stored image with that digest");
		return;
	}
	sw_st_image_release(&im);
	struct sw_policy_bundle *b = NULL;
	k = load_bundle(q->s, id, &b, &err);
	if (k <= 0) {
		if (k < 0)
			srv_reply_error(r, STORE_STATUS(err), "%s", err.msg);
		else if (id)
			srv_reply_error(r, 404, "no policy bundle '%s'", id);
		else
			srv_reply_error(r, 404, "no default policy bundle: give ?bundle=ID or set one "
				        "(PUT /api/v1/policies/ID/default)");
		return;
	}
	struct sw_buf out = SW_BUF_INIT;
	if (srv_policy_eval_image(q->s, digest, b, tag, &out, &err) < 0)
		srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : 500, "%s", err.msg);
	else
		reply_take(r, 200, "application/json", &out);
	sw_buf_release(&out);
	sw_policy_bundle_free(b);
}

/* ---------------------------------------------------------------- routes */

int srv_policy_route(struct srv_req *q, struct srv_reply *r)
{
	const char *p = q->path;
	static const char images[] = "/api/v1/images/", pol[] = "/api/v1/policies";
	if (strncmp(p, images, sizeof(images) - 1) == 0) {
		const char *rest = p + sizeof(images) - 1;
		size_t n = strcspn(rest, "/");
		if (n == 0 || strcmp(rest + n, "/policy") != 0)
			return 0;
		if (!is_method(q, "GET"))
			wrong_method(q, r, "GET");
		else if (srv_need_scope(q, r, "read")) {
			char *digest = sw_xasprintf("%.*s", (int)n, rest);
			eval_image(q, r, digest);
			free(digest);
		}
		return 1;
	}
	if (strncmp(p, pol, sizeof(pol) - 1) != 0)
		return 0;
	const char *rest = p + sizeof(pol) - 1;
	if (!*rest) {
		if (is_method(q, "GET")) {
			if (srv_need_scope(q, r, "read"))
				list_bundles(q, r);
		} else if (strcmp(q->method, "POST") == 0) {
			if (srv_need_scope(q, r, "admin"))
				put_bundle(q, r, NULL);
		} else {
			wrong_method(q, r, "GET or POST");
		}
		return 1;
	}
	if (*rest != '/')
		return 0;
	rest++;
	size_t n = strcspn(rest, "/");
	if (n == 0)
		return 0;
	char *id = sw_xasprintf("%.*s", (int)n, rest);
	const char *tail = rest + n;
	int mine = 1;
	if (!*tail) {
		if (is_method(q, "GET")) {
			if (srv_need_scope(q, r, "read"))
				get_bundle(q, r, id);
		} else if (strcmp(q->method, "PUT") == 0) {
			if (srv_need_scope(q, r, "admin"))
				put_bundle(q, r, id);
		} else if (strcmp(q->method, "DELETE") == 0) {
			if (srv_need_scope(q, r, "admin"))
				delete_bundle(q, r, id);
		} else {
			wrong_method(q, r, "GET, PUT or DELETE");
		}
	} else if (strcmp(tail, "/default") == 0) {
		if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "DELETE") == 0) {
			if (srv_need_scope(q, r, "admin"))
				set_default(q, r, id, strcmp(q->method, "PUT") == 0);
		} else {
			wrong_method(q, r, "PUT or DELETE");
		}
	} else {
		mine = 0;
	}
	free(id);
	return mine;
}
