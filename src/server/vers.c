/*
 * vers.c - VERS version ranges of the purl specification
 * ("vers:deb/>=3.0.0|<3.0.11", server_int.h sw_srv_vers_*): parsed strictly
 * and evaluated with the spec's containment algorithm over the ecosystem's
 * own version order (version/version.h).  Fuzzed: fuzz/fuzz_server_vers.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"
#include "util/mem.h"
#include "version/version.h"

void sw_srv_vers_release(struct sw_srv_vers *v)
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
int sw_srv_vers_parse(const char *text, struct sw_srv_vers *out, struct sw_err *err)
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
		if (out->n == SW_SRV_VERS_MAX) {
			r = sw_err_set(err, SW_E_FORMAT, "range: more than %d constraints", SW_SRV_VERS_MAX);
			break;
		}
		struct sw_srv_vcon *c = &out->c[out->n];
		const char *v = p;
		if (len == 1 && *p == '*') {
			c->op = SW_VOP_STAR;
		} else if (!strncmp(p, ">=", 2) || !strncmp(p, "<=", 2) || !strncmp(p, "!=", 2)) {
			c->op = p[0] == '>' ? SW_VOP_GE : p[0] == '<' ? SW_VOP_LE : SW_VOP_NE;
			v += 2;
		} else if (*p == '<' || *p == '>' || *p == '=') {
			c->op = *p == '<' ? SW_VOP_LT : *p == '>' ? SW_VOP_GT : SW_VOP_EQ;
			v += 1;
		} else {
			c->op = SW_VOP_EQ;
		}
		if (c->op != SW_VOP_STAR) {
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
		if (out->c[i].op == SW_VOP_STAR && out->n != 1)
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
			struct sw_srv_vcon t = out->c[j];
			out->c[j] = out->c[j - 1];
			out->c[j - 1] = t;
		}
	}
	return r;
}

/* The VERS spec's containment check ("Checking if a version is contained
 * within a range").  -1 when version does not parse. */
int sw_srv_vers_contains(const struct sw_srv_vers *vr, const char *version, bool *in)
{
	struct sw_err err = SW_ERR_INIT;
	*in = false;
	if (vr->n == 1 && vr->c[0].op == SW_VOP_STAR) {
		*in = true;
		return 0;
	}
	int cmps[SW_SRV_VERS_MAX];
	bool any_ne = false, any_eq = false;
	for (size_t i = 0; i < vr->n; i++) {
		if (sw_version_compare(vr->scheme, version, vr->c[i].v, &cmps[i], &err) < 0)
			return -1;
		enum sw_srv_vop op = vr->c[i].op;
		if (cmps[i] == 0 && (op == SW_VOP_EQ || op == SW_VOP_LE || op == SW_VOP_GE)) {
			*in = true;
			return 0;
		}
		if (cmps[i] == 0 && op == SW_VOP_NE)
			return 0;
		any_ne |= op == SW_VOP_NE;
		any_eq |= op == SW_VOP_EQ;
	}
	size_t idx[SW_SRV_VERS_MAX], m = 0;
	for (size_t i = 0; i < vr->n; i++)
		if (vr->c[i].op != SW_VOP_EQ && vr->c[i].op != SW_VOP_NE)
			idx[m++] = i;
	if (m == 0) {
		*in = any_ne && !any_eq;   /* only "!=": every other version */
		return 0;
	}
#define LESS(op) ((op) == SW_VOP_LT || (op) == SW_VOP_LE)
#define MORE(op) ((op) == SW_VOP_GT || (op) == SW_VOP_GE)
	if (m == 1) {
		enum sw_srv_vop op = vr->c[idx[0]].op;
		*in = (LESS(op) && cmps[idx[0]] < 0) || (MORE(op) && cmps[idx[0]] > 0);
		return 0;
	}
	for (size_t k = 0; k + 1 < m; k++) {
		size_t cur = idx[k], nxt = idx[k + 1];
		enum sw_srv_vop co = vr->c[cur].op, no = vr->c[nxt].op;
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

