#include "match/filter.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/path.h"

struct ignore_rule {
	char *id;
	char *pkg;       /* name or purl, NULL = any */
	char *path;      /* glob on the package path, NULL = any */
	long long expires; /* unix time at the end of that day, 0 = never */
	char *expires_text;
	char *file;
	size_t line;
};

struct vex_stmt {
	char *vuln;
	struct sw_vec products;  /* char* purls or names; empty = every product */
	char *status;            /* not_affected, fixed, affected, under_investigation */
	char *justification;
	char *file;
};

void sw_filter_init(struct sw_filter *f, long long now)
{
	memset(f, 0, sizeof(*f));
	f->now = now;
}

static void rule_free(void *v)
{
	struct ignore_rule *r = v;
	free(r->id);
	free(r->pkg);
	free(r->path);
	free(r->expires_text);
	free(r->file);
	free(r);
}

static void vex_free(void *v)
{
	struct vex_stmt *s = v;
	free(s->vuln);
	sw_vec_free_strings(&s->products);
	free(s->status);
	free(s->justification);
	free(s->file);
	free(s);
}

void sw_filter_release(struct sw_filter *f)
{
	sw_vec_free_all(&f->ignores, rule_free);
	sw_vec_free_all(&f->vex, vex_free);
}

static int parse_list(const char *list, unsigned *mask, int (*word)(const char *, int *),
		      const char *what, struct sw_err *err)
{
	*mask = 0;
	char *copy = sw_xstrdup(list);
	for (char *t = copy, *next; t && *t; t = next) {
		next = strchr(t, ',');
		if (next)
			*next++ = '\0';
		while (isspace((unsigned char)*t))
			t++;
		int v;
		if (word(t, &v) < 0) {
			int r = sw_err_set(err, SW_E_USAGE, "unknown %s '%s'", what, t);
			free(copy);
			return r;
		}
		*mask |= 1u << v;
	}
	free(copy);
	return 0;
}

static int sev_word(const char *w, int *out)
{
	enum sw_severity_level l;
	if (sw_severity_parse(w, &l) < 0)
		return -1;
	*out = (int)l;
	return 0;
}

static int status_word(const char *w, int *out)
{
	enum sw_vuln_status s = sw_vuln_status_parse(w);
	if (s == SW_ST_UNKNOWN && strcmp(w, "unknown") != 0)
		return -1;
	*out = (int)s;
	return 0;
}

int sw_filter_parse_severities(const char *list, unsigned *mask, struct sw_err *err)
{
	return parse_list(list, mask, sev_word, "severity", err);
}

int sw_filter_parse_statuses(const char *list, unsigned *mask, struct sw_err *err)
{
	return parse_list(list, mask, status_word, "status", err);
}

/* YYYY-MM-DD -> unix time of the end of that day (UTC), or -1. */
static long long parse_date_end(const char *s)
{
	int y = 0, m = 0, d = 0;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 23,
			 .tm_min = 59, .tm_sec = 59 };
	return (long long)timegm(&tm);
}

/* Split off the next blank-separated word of *s (NUL-terminating it). */
static char *next_token(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	char *e = p;
	while (*e && *e != ' ' && *e != '\t' && *e != '\r')
		e++;
	if (*e)
		*e++ = '\0';
	*s = e;
	return p;
}

int sw_filter_load_ignore_file(struct sw_filter *f, const char *path, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	if (sw_buf_read_file(&b, path, 16u << 20, err) < 0) {
		sw_buf_release(&b);
		return -1;
	}
	size_t lineno = 0;
	int rc = 0;
	for (char *line = b.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		struct ignore_rule *r = NULL;
		for (char *tok = next_token(&line); tok; tok = next_token(&line)) {
			if (!r) {
				r = sw_xcalloc(1, sizeof(*r));
				r->id = sw_xstrdup(tok);
				r->file = sw_xstrdup(path);
				r->line = lineno;
			} else if (sw_starts_with(tok, "exp:")) {
				r->expires = parse_date_end(tok + 4);
				r->expires_text = sw_xstrdup(tok + 4);
				if (r->expires < 0) {
					rc = sw_err_set(err, SW_E_FORMAT, "'%s': line %zu: bad date '%s' (want exp:YYYY-MM-DD)",
							path, lineno, tok + 4);
					rule_free(r);
					goto out;
				}
			} else if (sw_starts_with(tok, "pkg:") && strchr(tok + 4, '/')) {
				sw_str_set(&r->pkg, tok);   /* a purl */
			} else if (sw_starts_with(tok, "pkg:")) {
				sw_str_set(&r->pkg, tok + 4);
			} else if (sw_starts_with(tok, "path:")) {
				sw_str_set(&r->path, tok + 5);
			} else {
				rc = sw_err_set(err, SW_E_FORMAT, "'%s': line %zu: unknown field '%s' (want exp:, pkg: or path:)",
						path, lineno, tok);
				rule_free(r);
				goto out;
			}
		}
		if (r)
			sw_vec_push(&f->ignores, r);
	}
out:
	sw_buf_release(&b);
	return rc;
}

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int load_openvex(struct sw_filter *f, const char *path, json_t *doc, struct sw_err *err)
{
	json_t *stmts = json_object_get(doc, "statements");
	if (!json_is_array(stmts))
		return sw_err_set(err, SW_E_FORMAT, "'%s': OpenVEX document without a statements array", path);
	size_t i;
	json_t *s;
	json_array_foreach(stmts, i, s) {
		json_t *vuln = json_object_get(s, "vulnerability");
		const char *name = json_is_string(vuln) ? json_string_value(vuln) : jstr(vuln, "name");
		if (!name)
			name = jstr(vuln, "@id");
		const char *status = jstr(s, "status");
		if (!name || !status)
			return sw_err_set(err, SW_E_FORMAT, "'%s': statement %zu lacks vulnerability or status", path, i);
		struct vex_stmt *st = sw_xcalloc(1, sizeof(*st));
		st->vuln = sw_xstrdup(name);
		st->status = sw_xstrdup(status);
		st->justification = sw_xstrdup(jstr(s, "justification"));
		st->file = sw_xstrdup(path);
		json_t *prods = json_object_get(s, "products");
		size_t k;
		json_t *p;
		json_array_foreach(prods, k, p) {
			const char *id = json_is_string(p) ? json_string_value(p) : jstr(p, "@id");
			if (id)
				sw_vec_push_strdup(&st->products, id);
			json_t *subs = json_object_get(p, "subcomponents");
			size_t q;
			json_t *sc;
			json_array_foreach(subs, q, sc) {
				const char *sid = json_is_string(sc) ? json_string_value(sc) : jstr(sc, "@id");
				if (sid)
					sw_vec_push_strdup(&st->products, sid);
			}
		}
		json_t *aliases = json_object_get(vuln, "aliases");
		json_array_foreach(aliases, k, p) {
			if (!json_is_string(p))
				continue;
			struct vex_stmt *a = sw_xcalloc(1, sizeof(*a));
			a->vuln = sw_xstrdup(json_string_value(p));
			a->status = sw_xstrdup(st->status);
			a->justification = sw_xstrdup(st->justification);
			a->file = sw_xstrdup(path);
			for (size_t q = 0; q < st->products.len; q++)
				sw_vec_push_strdup(&a->products, st->products.items[q]);
			sw_vec_push(&f->vex, a);
		}
		sw_vec_push(&f->vex, st);
	}
	return 0;
}

static int load_cyclonedx_vex(struct sw_filter *f, const char *path, json_t *doc, struct sw_err *err)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	if (!json_is_array(vulns))
		return sw_err_set(err, SW_E_FORMAT, "'%s': CycloneDX document without vulnerabilities", path);
	/* bom-ref -> purl, for affects[].ref */
	json_t *comps = json_object_get(doc, "components");
	size_t i;
	json_t *v;
	json_array_foreach(vulns, i, v) {
		const char *id = jstr(v, "id");
		json_t *analysis = json_object_get(v, "analysis");
		const char *state = jstr(analysis, "state");
		if (!id || !state)
			continue;   /* a vulnerability without analysis says nothing to suppress */
		struct vex_stmt *st = sw_xcalloc(1, sizeof(*st));
		st->vuln = sw_xstrdup(id);
		/* CycloneDX states -> OpenVEX words */
		if (!strcmp(state, "not_affected") || !strcmp(state, "false_positive"))
			st->status = sw_xstrdup("not_affected");
		else if (!strcmp(state, "resolved") || !strcmp(state, "resolved_with_pedigree"))
			st->status = sw_xstrdup("fixed");
		else if (!strcmp(state, "exploitable"))
			st->status = sw_xstrdup("affected");
		else
			st->status = sw_xstrdup("under_investigation");
		st->justification = sw_xstrdup(jstr(analysis, "justification"));
		st->file = sw_xstrdup(path);
		json_t *affects = json_object_get(v, "affects");
		size_t k;
		json_t *a;
		json_array_foreach(affects, k, a) {
			const char *ref = jstr(a, "ref");
			if (!ref)
				continue;
			const char *purl = NULL;
			size_t q;
			json_t *c;
			json_array_foreach(comps, q, c)
				if (sw_streq(jstr(c, "bom-ref"), ref))
					purl = jstr(c, "purl");
			sw_vec_push_strdup(&st->products, purl ? purl : ref);
		}
		sw_vec_push(&f->vex, st);
	}
	return 0;
}

int sw_filter_load_vex(struct sw_filter *f, const char *path, struct sw_err *err)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		if (je.line <= 0 && je.position == 0)
			return sw_err_set(err, SW_E_IO, "'%s': %s", path, je.text);
		return sw_err_set(err, SW_E_FORMAT, "'%s': line %d: %s", path, je.line, je.text);
	}
	int r;
	if (json_object_get(doc, "statements"))
		r = load_openvex(f, path, doc, err);
	else if (sw_streq(jstr(doc, "bomFormat"), "CycloneDX"))
		r = load_cyclonedx_vex(f, path, doc, err);
	else
		r = sw_err_set(err, SW_E_FORMAT, "'%s': neither OpenVEX (statements) nor CycloneDX VEX", path);
	json_decref(doc);
	return r;
}

/* purl match ignoring qualifiers and subpath: "pkg:deb/debian/curl@7.88?arch=x" ~ "pkg:deb/debian/curl@7.88" */
static bool purl_matches(const char *want, const char *have)
{
	if (!have)
		return false;
	size_t wn = strcspn(want, "?#"), hn = strcspn(have, "?#");
	if (wn == hn && strncmp(want, have, wn) == 0)
		return true;
	/* a versionless purl in the statement matches every version */
	if (!memchr(want, '@', wn)) {
		const char *at = memchr(have, '@', hn);
		size_t base = at ? (size_t)(at - have) : hn;
		return base == wn && strncmp(want, have, wn) == 0;
	}
	return false;
}

static bool finding_has_id(const struct sw_finding *fd, const char *id)
{
	for (size_t i = 0; i < fd->ids.len; i++)
		if (strcasecmp(fd->ids.items[i], id) == 0)
			return true;
	return false;
}

static void suppress(struct sw_finding *fd, char *reason)
{
	if (fd->suppressed) {
		free(reason);
		return;
	}
	fd->suppressed = reason;
}

void sw_filter_apply(const struct sw_filter *f, const struct sw_inventory *inv,
		     struct sw_match_result *res)
{
	for (size_t i = 0; i < f->ignores.len; i++) {
		const struct ignore_rule *r = f->ignores.items[i];
		if (r->expires && r->expires < f->now)
			sw_vec_push(&res->notes, sw_xasprintf("%s: line %zu: ignore entry for %s expired on %s; not applied",
							      r->file, r->line, r->id, r->expires_text));
	}
	for (size_t n = 0; n < res->findings.len; n++) {
		struct sw_finding *fd = res->findings.items[n];
		const struct sw_package *p = inv->packages.items[fd->pkg];
		for (size_t i = 0; i < f->vex.len; i++) {
			const struct vex_stmt *s = f->vex.items[i];
			if (!finding_has_id(fd, s->vuln))
				continue;
			if (strcmp(s->status, "not_affected") && strcmp(s->status, "fixed"))
				continue;
			bool prod = s->products.len == 0;
			for (size_t k = 0; k < s->products.len && !prod; k++)
				prod = purl_matches(s->products.items[k], p->purl) ||
				       sw_streq(s->products.items[k], p->name);
			if (!prod)
				continue;
			suppress(fd, sw_xasprintf("vex: %s%s%s (%s)", s->status, s->justification ? ": " : "",
						  s->justification ? s->justification : "", s->file));
		}
		for (size_t i = 0; i < f->ignores.len; i++) {
			const struct ignore_rule *r = f->ignores.items[i];
			if (r->expires && r->expires < f->now)
				continue;
			if (!finding_has_id(fd, r->id))
				continue;
			if (r->pkg && !(sw_streq(r->pkg, p->name) || purl_matches(r->pkg, p->purl)))
				continue;
			if (r->path && !(p->path && sw_path_glob(r->path[0] == '/' ? r->path + 1 : r->path, p->path)))
				continue;
			suppress(fd, sw_xasprintf("ignore file: %s line %zu%s%s", r->file, r->line,
						  r->expires ? ", until " : "", r->expires ? r->expires_text : ""));
		}
		if (f->severity_mask && !(f->severity_mask & (1u << fd->severity)))
			suppress(fd, sw_xasprintf("severity %s not selected", sw_severity_name(fd->severity)));
		if (f->ignore_unfixed && !fd->fixed)
			suppress(fd, sw_xstrdup("no fixed version (--ignore-unfixed)"));
		if (f->status_mask & (1u << fd->status))
			suppress(fd, sw_xasprintf("status %s ignored", sw_vuln_status_name(fd->status)));
	}
}
