/*
 * packages.c - "which stored images contain package P (purl, version
 * range)": the packages index filled when a report is stored, and
 * GET /api/v1/packages/images?purl=PURL&range=VERS (docs/api.md).
 * The range is the purl spec's VERS notation, read by vers.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory/inventory.h"
#include "inventory/package.h"
#include "server/server_int.h"
#include "util/mem.h"
#include "version/version.h"

#define PURL_MAX 1000

/* "pkg:deb/debian/libssl3@1.0?arch=x#sub" -> "pkg:deb/debian/libssl3" (the
 * type lower-cased); NULL when it is not "pkg:TYPE/.../NAME". */
char *srv_purl_base(const char *purl)
{
	if (!purl || strncasecmp(purl, "pkg:", 4) != 0)
		return NULL;
	const char *t = purl + 4;
	while (*t == '/')
		t++;   /* "pkg://type/..." is read as "pkg:type/..." (purl spec) */
	size_t end = strcspn(t, "@?#");
	const char *slash = memchr(t, '/', end);
	if (!slash || slash == t || slash + 1 >= t + end || t[end - 1] == '/')
		return NULL;
	for (const char *c = t; c < slash; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		      *c == '+' || *c == '-'))
			return NULL;
	for (const char *c = t; c < t + end; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return NULL;
	char *out = sw_xasprintf("pkg:%.*s", (int)end, t);
	for (char *c = out + 4; *c && *c != '/'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

static bool os_type(const char *type)
{
	return type && (strcmp(type, "deb") == 0 || strcmp(type, "rpm") == 0 || strcmp(type, "apk") == 0 ||
			strcmp(type, "alpm") == 0);
}

int srv_index_packages(struct srv *s, const char *digest, const struct sw_inventory *inv, struct sw_err *err)
{
	struct sw_vec owned = SW_VEC_INIT;   /* char*: the strings the rows point at */
	size_t cap = inv->packages.len * 2 + 1, n = 0;
	struct sw_st_pkg_row *rows = sw_xcalloc(cap, sizeof(*rows));
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		char *base = srv_purl_base(p->purl);
		if (!base)
			continue;
		char *ver = sw_package_full_version(p);
		sw_vec_push(&owned, base);
		sw_vec_push(&owned, ver);
		rows[n++] = (struct sw_st_pkg_row){ .type = p->type, .name = base, .version = ver, .package = p->name,
						    .purl = p->purl, .layer = p->layer_diff_id };
		if (!os_type(p->type) || !p->source_name || !*p->source_name || strcmp(p->source_name, p->name) == 0)
			continue;
		/* the source package (openssl for libssl3), under its own purl */
		struct sw_package src = { .type = p->type, .namespace_ = p->namespace_, .name = p->source_name,
					  .version = p->source_version ? p->source_version : p->version, .epoch = -1 };
		char *spurl = sw_purl_for_package(&src, &inv->os);
		char *sbase = srv_purl_base(spurl);
		free(spurl);
		if (!sbase)
			continue;
		char *sver = p->source_version ? sw_xstrdup(p->source_version) : sw_package_full_version(p);
		sw_vec_push(&owned, sbase);
		sw_vec_push(&owned, sver);
		rows[n++] = (struct sw_st_pkg_row){ .type = p->type, .name = sbase, .version = sver, .package = p->name,
						    .purl = p->purl, .layer = p->layer_diff_id, .source = true };
	}
	int r = sw_st_packages_put(s->store, digest, rows, n, err);
	free(rows);
	sw_vec_free_strings(&owned);
	if (r < 0 && err->code == SW_E_UNSUPPORTED)
		r = 0;   /* a back end without the index: the query answers 501 */
	return r;
}

/* ---------------------------------------------------------------- route */

static void find(struct srv_req *q, struct srv_reply *r)
{
	const char *purl = srv_query(q, "purl"), *range = srv_query(q, "range");
	if (!purl || !*purl) {
		srv_reply_error(r, 400, "give ?purl=pkg:TYPE/NAMESPACE/NAME (and optionally &range=vers:TYPE/...)");
		return;
	}
	if (strlen(purl) > PURL_MAX || (range && strlen(range) > PURL_MAX)) {
		srv_reply_error(r, 400, "purl or range longer than %d characters", PURL_MAX);
		return;
	}
	char *base = srv_purl_base(purl);
	if (!base) {
		srv_reply_error(r, 400, "purl '%.200s' is not a package URL (pkg:TYPE/NAMESPACE/NAME)", purl);
		return;
	}
	/* pkg:TYPE/...@VERSION without a range: that version exactly */
	const char *at = strchr(purl + 4, '@');
	char *exact = NULL;
	struct sw_err err = SW_ERR_INIT;
	char type[64] = "";
	snprintf(type, sizeof(type), "%.*s", (int)strcspn(base + 4, "/"), base + 4);
	struct sw_srv_vers vr = { 0 };
	bool have_range = false;
	int k = 0;
	if (at && range) {
		srv_reply_error(r, 400, "give the version in the purl or a range, not both");
		goto out;
	}
	if (at) {
		size_t vl = strcspn(at + 1, "?#");
		exact = sw_xasprintf("vers:%s/=%.*s", type, (int)vl, at + 1);
		range = exact;
	}
	if (range) {
		k = sw_srv_vers_parse(range, &vr, &err);
		if (k < 0) {
			srv_reply_error(r, err.code == SW_E_FORMAT ? 400 : 422, "%s", err.msg);
			goto out;
		}
		enum sw_vscheme ps;
		if (sw_vscheme_for_purl_type(type, &ps) < 0) {
			srv_reply_error(r, 422, "purl type '%s' has no version order stowaway knows: a range cannot apply",
					type);
			goto out;
		}
		if (ps != vr.scheme) {
			srv_reply_error(r, 422, "range scheme '%s' is not the ecosystem of %s ('%s' versions are %s)",
					vr.scheme_name, base, type, sw_vscheme_name(ps));
			goto out;
		}
		have_range = true;
	}
	struct sw_vec hits = SW_VEC_INIT;
	if (sw_st_packages_find(q->s->store, base, &hits, &err) < 0) {
		sw_st_pkg_hits_free(&hits);
		srv_reply_error(r, err.code == SW_E_UNSUPPORTED ? 501 : 500, "%s", err.msg);
		goto out;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"purl\":");
	srv_json_str(&b, base);
	sw_buf_addstr(&b, ",\"range\":");
	srv_json_str(&b, have_range ? range : NULL);
	sw_buf_addstr(&b, ",\"images\":[");
	size_t shown = 0, bad_versions = 0;
	for (size_t i = 0; i < hits.len; i++) {
		const struct sw_st_pkg_hit *h = hits.items[i];
		if (have_range) {
			bool in = false;
			if (!h->version || sw_srv_vers_contains(&vr, h->version, &in) < 0) {
				bad_versions++;
				continue;
			}
			if (!in)
				continue;
		}
		if (shown++)
			sw_buf_addch(&b, ',');
		sw_buf_addstr(&b, "{\"digest\":");
		srv_json_str(&b, h->image_digest);
		sw_buf_addstr(&b, ",\"names\":");
		srv_json_str(&b, h->names);
		sw_buf_addstr(&b, ",\"package\":");
		srv_json_str(&b, h->package);
		sw_buf_addstr(&b, ",\"version\":");
		srv_json_str(&b, h->version);
		sw_buf_addstr(&b, ",\"purl\":");
		srv_json_str(&b, h->purl);
		sw_buf_addstr(&b, ",\"layer\":");
		srv_json_str(&b, h->layer);
		sw_buf_addf(&b, ",\"source\":%s}", h->source ? "true" : "false");
	}
	sw_buf_addf(&b, "],\"not_comparable\":%zu}", bad_versions);
	sw_st_pkg_hits_free(&hits);
	r->status = 200;
	r->ctype = "application/json";
	sw_buf_release(&r->body);
	r->body = b;
out:
	sw_srv_vers_release(&vr);
	free(exact);
	free(base);
}

int srv_packages_route(struct srv_req *q, struct srv_reply *r)
{
	if (strcmp(q->path, "/api/v1/packages/images") != 0)
		return 0;
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0)
		srv_reply_error(r, 405, "%s takes GET, not %s", q->path, q->method);
	else if (srv_need_scope(q, r, "read"))
		find(q, r);
	return 1;
}
