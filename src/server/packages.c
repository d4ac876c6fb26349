/*
 * packages.c - "which stored images contain package P (purl, version
 * range)": the packages index filled when a report is stored, and
 * GET /api/v1/packages/images?purl=PURL&range=VERS (docs/api.md).
 *
 * The range is the purl spec's VERS notation ("vers:deb/>=3.0.0|<3.0.11"),
 * evaluated with the "vers" algorithm of the spec over the ecosystem's own
 * version order (version/version.h).
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
#define VERS_MAX_CONSTRAINTS 64

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
	return r;
}

/* ---------------------------------------------------------------- VERS */

enum vop { V_EQ, V_NE, V_LT, V_LE, V_GT, V_GE, V_STAR };

struct vcon {
	enum vop op;
	char *v;
};

struct vers {
	char *scheme_name;
	enum sw_vscheme scheme;
	struct vcon c[VERS_MAX_CONSTRAINTS];
	size_t n;
};

static void vers_release(struct vers *v)
{
	free(v->scheme_name);
	for (size_t i = 0; i < v->n; i++)
		free(v->c[i].v);
	memset(v, 0, sizeof(*v));
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* percent-decode s[0..n) (a VERS version is URL-encoded); NULL when bad */
static char *pct_decode(const char *s, size_t n)
{
	char *out = sw_xcalloc(n + 1, 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int a = i + 2 < n ? hexval(s[i + 1]) : -1, b = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (a < 0 || b < 0 || (a == 0 && b == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(a * 16 + b);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	return out;
}

/* Parse "vers:SCHEME/CONSTRAINT|CONSTRAINT...".  SW_E_FORMAT: not VERS
 * (400); SW_E_USAGE: a scheme or version we cannot order (422). */
static int vers_parse(const char *text, struct vers *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (strncasecmp(text, "vers:", 5) != 0)
		return sw_err_set(err, SW_E_FORMAT, "range '%.100s': not a VERS range (vers:SCHEME/CONSTRAINTS, e.g. "
				  "vers:deb/>=3.0.0|<3.0.11)", text);
	const char *sch = text + 5, *slash = strchr(sch, '/');
	if (!slash || slash == sch)
		return sw_err_set(err, SW_E_FORMAT, "range '%.100s': no versioning scheme before '/'", text);
	out->scheme_name = sw_xasprintf("%.*s", (int)(slash - sch), sch);
	for (char *c = out->scheme_name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (sw_vscheme_for_purl_type(out->scheme_name, &out->scheme) < 0 &&
	    sw_vscheme_from_name(out->scheme_name, &out->scheme) < 0)
		return sw_err_set(err, SW_E_USAGE, "range '%.100s': versioning scheme '%.40s' is not one stowaway orders "
				  "(deb, rpm, apk, pypi, npm, golang, cargo, maven, gem, nuget, composer, semver)", text,
				  out->scheme_name);
	/* blanks are not significant */
	struct sw_buf b = SW_BUF_INIT;
	for (const char *c = slash + 1; *c; c++)
		if (*c != ' ' && *c != '\t')
			sw_buf_addch(&b, *c);
	sw_buf_addch(&b, 0);
	const char *p = b.data;
	int r = 0;
	if (!*p)
		r = sw_err_set(err, SW_E_FORMAT, "range '%.100s': no constraint after the scheme", text);
	while (r == 0 && *p) {
		size_t len = strcspn(p, "|");
		if (out->n == VERS_MAX_CONSTRAINTS) {
			r = sw_err_set(err, SW_E_FORMAT, "range: more than %d constraints", VERS_MAX_CONSTRAINTS);
			break;
		}
		struct vcon *c = &out->c[out->n];
		const char *v = p;
		if (len == 1 && *p == '*') {
			c->op = V_STAR;
		} else if (!strncmp(p, ">=", 2) || !strncmp(p, "<=", 2) || !strncmp(p, "!=", 2)) {
			c->op = p[0] == '>' ? V_GE : p[0] == '<' ? V_LE : V_NE;
			v += 2;
		} else if (*p == '<' || *p == '>' || *p == '=') {
			c->op = *p == '<' ? V_LT : *p == '>' ? V_GT : V_EQ;
			v += 1;
		} else {
			c->op = V_EQ;
		}
		if (c->op != V_STAR) {
			size_t vl = len - (size_t)(v - p);
			if (vl == 0) {
				r = sw_err_set(err, SW_E_FORMAT, "range '%.100s': a constraint without a version", text);
				break;
			}
			c->v = pct_decode(v, vl);
			if (!c->v) {
				r = sw_err_set(err, SW_E_FORMAT, "range '%.100s': bad percent-encoding", text);
				break;
			}
			if (sw_version_validate(out->scheme, c->v, err) < 0) {
				r = sw_err_set(err, SW_E_USAGE, "range '%.100s': '%.80s' is not a %s version", text, c->v,
					       sw_vscheme_name(out->scheme));
				out->n++;
				break;
			}
		}
		out->n++;
		p += len;
		if (*p == '|') {
			p++;
			if (!*p)
				r = sw_err_set(err, SW_E_FORMAT, "range '%.100s': empty constraint after '|'", text);
		}
	}
	sw_buf_release(&b);
	for (size_t i = 0; r == 0 && i < out->n; i++)
		if (out->c[i].op == V_STAR && out->n != 1)
			r = sw_err_set(err, SW_E_FORMAT, "range '%.100s': '*' must be the only constraint", text);
	/* constraints in version order (insertion sort; the spec wants them sorted) */
	for (size_t i = 1; r == 0 && i < out->n; i++) {
		for (size_t j = i; j > 0; j--) {
			int cmp = 0;
			if (sw_version_compare(out->scheme, out->c[j - 1].v, out->c[j].v, &cmp, err) < 0)
				return -SW_E_USAGE;
			if (cmp == 0)
				return sw_err_set(err, SW_E_FORMAT, "range '%.100s': version '%.80s' appears twice", text,
						  out->c[j].v);
			if (cmp < 0)
				break;
			struct vcon t = out->c[j];
			out->c[j] = out->c[j - 1];
			out->c[j - 1] = t;
		}
	}
	return r;
}

/* The VERS spec's containment check ("Checking if a version is contained
 * within a range").  -1 when version does not parse. */
static int vers_contains(const struct vers *vr, const char *version, bool *in)
{
	struct sw_err err = SW_ERR_INIT;
	*in = false;
	if (vr->n == 1 && vr->c[0].op == V_STAR) {
		*in = true;
		return 0;
	}
	int cmps[VERS_MAX_CONSTRAINTS];
	bool any_ne = false, any_eq = false;
	for (size_t i = 0; i < vr->n; i++) {
		if (sw_version_compare(vr->scheme, version, vr->c[i].v, &cmps[i], &err) < 0)
			return -1;
		enum vop op = vr->c[i].op;
		if (cmps[i] == 0 && (op == V_EQ || op == V_LE || op == V_GE)) {
			*in = true;
			return 0;
		}
		if (cmps[i] == 0 && op == V_NE)
			return 0;
		any_ne |= op == V_NE;
		any_eq |= op == V_EQ;
	}
	size_t idx[VERS_MAX_CONSTRAINTS], m = 0;
	for (size_t i = 0; i < vr->n; i++)
		if (vr->c[i].op != V_EQ && vr->c[i].op != V_NE)
			idx[m++] = i;
	if (m == 0) {
		*in = any_ne && !any_eq;   /* only "!=": every other version */
		return 0;
	}
#define LESS(op) ((op) == V_LT || (op) == V_LE)
#define MORE(op) ((op) == V_GT || (op) == V_GE)
	if (m == 1) {
		enum vop op = vr->c[idx[0]].op;
		*in = (LESS(op) && cmps[idx[0]] < 0) || (MORE(op) && cmps[idx[0]] > 0);
		return 0;
	}
	for (size_t k = 0; k + 1 < m; k++) {
		size_t cur = idx[k], nxt = idx[k + 1];
		enum vop co = vr->c[cur].op, no = vr->c[nxt].op;
		if ((k == 0 && LESS(co) && cmps[cur] < 0) || (k + 2 == m && MORE(no) && cmps[nxt] > 0) ||
		    (MORE(co) && LESS(no) && cmps[cur] > 0 && cmps[nxt] < 0)) {
			*in = true;
			return 0;
		}
	}
#undef LESS
#undef MORE
	return 0;
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
	struct vers vr = { 0 };
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
		k = vers_parse(range, &vr, &err);
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
		srv_reply_error(r, 500, "%s", err.msg);
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
			if (!h->version || vers_contains(&vr, h->version, &in) < 0) {
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
	vers_release(&vr);
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
