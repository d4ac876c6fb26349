#include "match/filter.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/path.h"

/* Largest VEX document read (jansson holds it as a tree). */
#define VEX_MAX_SIZE (64u << 20)

/* Longest path: glob of an ignore file (image paths are at most 4096). */
#define IGNORE_MAX_GLOB 4096

struct ignore_rule {
	char *id;
	char *pkg;       /* name or purl, NULL = any */
	char *path;      /* glob on the package path, NULL = any */
	long long expires; /* unix time at the end of that day, 0 = never */
	char *expires_text;
	char *file;
	size_t line;
};

/* One VEX statement that suppresses (not_affected or fixed); the others
 * are read for validation and dropped.  A statement's vulnerability and
 * its aliases share one statement (no copy per alias), and its products
 * are a set keyed as purl_key() says, so a hostile document of A aliases
 * and P products costs A + P, not A * P. */
struct vex_stmt {
	size_t order;            /* document order, for the first reason */
	struct sw_map products;  /* product keys -> (void *)1; empty = every product */
	char *status;            /* not_affected or fixed */
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
	sw_map_release(&s->products);
	free(s->status);
	free(s->justification);
	free(s->file);
	free(s);
}

static void vec_free(void *v)
{
	sw_vec_release(v);
	free(v);
}

void sw_filter_release(struct sw_filter *f)
{
	sw_vec_free_all(&f->ignores, rule_free);
	sw_vec_free_all(&f->vex, vex_free);
	sw_map_free_all(&f->vex_by_id, vec_free);
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
	int rc = sw_filter_load_ignore_mem(f, path, b.data, b.len, err);
	sw_buf_release(&b);
	return rc;
}

int sw_filter_load_ignore_mem(struct sw_filter *f, const char *path, const char *data, size_t len,
			      struct sw_err *err)
{
	if (memchr(data, '\0', len))
		return sw_err_set(err, SW_E_FORMAT, "'%s': binary data (a NUL byte), not an ignore file", path);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_add(&b, data, len);
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
			} else if ((sw_starts_with(tok, "exp:") && r->expires_text) ||
				   (sw_starts_with(tok, "pkg:") && r->pkg) || (sw_starts_with(tok, "path:") && r->path)) {
				/* which one would apply is anybody's guess: refuse */
				rc = sw_err_set(err, SW_E_FORMAT, "'%s': line %zu: field '%.*s' given twice", path, lineno,
						(int)(strchr(tok, ':') - tok + 1), tok);
				rule_free(r);
				goto out;
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
				if (strlen(tok + 5) > IGNORE_MAX_GLOB) {
					rc = sw_err_set(err, SW_E_FORMAT, "'%s': line %zu: path glob longer than %d bytes",
							path, lineno, IGNORE_MAX_GLOB);
					rule_free(r);
					goto out;
				}
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

/* A product as the index keys it: a purl without qualifiers and subpath
 * ("pkg:deb/debian/curl@7.88?arch=x" -> "pkg:deb/debian/curl@7.88"), or a
 * plain name as it is.  malloc'd. */
static char *purl_key(const char *s)
{
	return sw_xstrndup(s, sw_starts_with(s, "pkg:") ? strcspn(s, "?#") : strlen(s));
}

static void stmt_add_product(struct vex_stmt *st, const char *id)
{
	char *k = purl_key(id);
	sw_map_put(&st->products, k, (void *)1);
	free(k);
}

static bool suppressing(const char *status)
{
	return !strcmp(status, "not_affected") || !strcmp(status, "fixed");
}

/* A statement that suppresses: kept and indexed under each id.  Others
 * are freed (they never change a finding). */
static void stmt_keep(struct sw_filter *f, struct vex_stmt *st, const struct sw_vec *ids)
{
	if (!suppressing(st->status)) {
		vex_free(st);
		return;
	}
	st->order = f->vex.len;
	sw_vec_push(&f->vex, st);
	for (size_t i = 0; i < ids->len; i++) {
		char *k = sw_xstrdup(ids->items[i]);
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		struct sw_vec *list = sw_map_get(&f->vex_by_id, k);
		if (!list) {
			list = sw_xcalloc(1, sizeof(*list));
			sw_map_put(&f->vex_by_id, k, list);
		}
		if (!list->len || list->items[list->len - 1] != st)
			sw_vec_push(list, st);
		free(k);
	}
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
		st->status = sw_xstrdup(status);
		st->justification = sw_xstrdup(jstr(s, "justification"));
		st->file = sw_xstrdup(path);
		json_t *prods = json_object_get(s, "products");
		size_t k;
		json_t *p;
		json_array_foreach(prods, k, p) {
			const char *id = json_is_string(p) ? json_string_value(p) : jstr(p, "@id");
			if (id)
				stmt_add_product(st, id);
			json_t *subs = json_object_get(p, "subcomponents");
			size_t q;
			json_t *sc;
			json_array_foreach(subs, q, sc) {
				const char *sid = json_is_string(sc) ? json_string_value(sc) : jstr(sc, "@id");
				if (sid)
					stmt_add_product(st, sid);
			}
		}
		/* the id and its aliases name the same statement */
		struct sw_vec ids = SW_VEC_INIT;
		sw_vec_push(&ids, (void *)name);
		json_t *aliases = json_object_get(vuln, "aliases");
		json_array_foreach(aliases, k, p)
			if (json_is_string(p))
				sw_vec_push(&ids, (void *)json_string_value(p));
		stmt_keep(f, st, &ids);
		sw_vec_release(&ids);
	}
	return 0;
}

static int load_cyclonedx_vex(struct sw_filter *f, const char *path, json_t *doc, struct sw_err *err)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	if (!json_is_array(vulns))
		return sw_err_set(err, SW_E_FORMAT, "'%s': CycloneDX document without vulnerabilities", path);
	/* bom-ref -> purl, for affects[].ref (the last component with a
	 * bom-ref wins, as the linear scan this replaces did) */
	struct sw_map purls = SW_MAP_INIT;
	json_t *comps = json_object_get(doc, "components");
	size_t i;
	json_t *v;
	json_array_foreach(comps, i, v) {
		const char *ref = jstr(v, "bom-ref");
		if (ref)
			sw_map_put(&purls, ref, (void *)jstr(v, "purl"));
	}
	json_array_foreach(vulns, i, v) {
		const char *id = jstr(v, "id");
		json_t *analysis = json_object_get(v, "analysis");
		const char *state = jstr(analysis, "state");
		if (!id || !state)
			continue;   /* a vulnerability without analysis says nothing to suppress */
		struct vex_stmt *st = sw_xcalloc(1, sizeof(*st));
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
			const char *purl = sw_map_get(&purls, ref);
			stmt_add_product(st, purl ? purl : ref);
		}
		struct sw_vec ids = SW_VEC_INIT;
		sw_vec_push(&ids, (void *)id);
		stmt_keep(f, st, &ids);
		sw_vec_release(&ids);
	}
	sw_map_release(&purls);
	return 0;
}

int sw_filter_load_vex(struct sw_filter *f, const char *path, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	if (sw_buf_read_file(&b, path, VEX_MAX_SIZE, err) < 0) {
		sw_buf_release(&b);
		return -1;
	}
	int rc = sw_filter_load_vex_mem(f, path, b.data, b.len, err);
	sw_buf_release(&b);
	return rc;
}

int sw_filter_load_vex_mem(struct sw_filter *f, const char *path, const char *data, size_t len,
			   struct sw_err *err)
{
	json_error_t je;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return sw_err_set(err, SW_E_FORMAT, "'%s': line %d: %s", path, je.line, je.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a JSON object", path);
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

/* Does the statement name the package?  The same answer as comparing
 * each product with purl_matches() and the name, by three look-ups: the
 * package's name, its purl without qualifiers, and that purl without its
 * version (which a versionless product matches). */
static bool stmt_names(const struct vex_stmt *s, const struct sw_package *p)
{
	if (!s->products.len)
		return true;
	if (p->name && sw_map_has(&s->products, p->name))
		return true;
	if (!p->purl)
		return false;
	size_t hn = strcspn(p->purl, "?#");
	char *k = sw_xstrndup(p->purl, hn);
	bool hit = sw_map_has(&s->products, k);
	char *at = strchr(k, '@');
	if (!hit && at) {
		*at = '\0';
		hit = sw_map_has(&s->products, k);
	}
	free(k);
	return hit;
}

/* The first statement (in load order) that suppresses the finding. */
static const struct vex_stmt *vex_find(const struct sw_filter *f, const struct sw_finding *fd,
				       const struct sw_package *p)
{
	const struct vex_stmt *best = NULL;
	for (size_t i = 0; i < fd->ids.len; i++) {
		char *k = sw_xstrdup(fd->ids.items[i]);
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		const struct sw_vec *list = sw_map_get(&f->vex_by_id, k);
		free(k);
		for (size_t j = 0; list && j < list->len; j++) {
			const struct vex_stmt *s = list->items[j];
			if (best && best->order <= s->order)
				break;   /* lists are in load order */
			if (stmt_names(s, p)) {
				best = s;
				break;
			}
		}
	}
	return best;
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
		const struct vex_stmt *s = vex_find(f, fd, p);
		if (s)
			suppress(fd, sw_xasprintf("vex: %s%s%s (%s)", s->status, s->justification ? ": " : "",
						  s->justification ? s->justification : "", s->file));
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

static bool file_path_matches(const char *glob, const char *path)
{
	if (!path)
		return false;
	const char *g = glob[0] == '/' ? glob + 1 : glob;
	if (sw_path_glob(g, path))
		return true;
	const char *bang = strchr(path, '!');
	if (!bang)
		return false;
	char *outer = sw_xstrndup(path, (size_t)(bang - path));
	bool m = sw_path_glob(g, outer);
	free(outer);
	return m;
}

char *sw_filter_file_suppressed(const struct sw_filter *f, const char *id, const char *path, int level)
{
	for (size_t i = 0; i < f->ignores.len; i++) {
		const struct ignore_rule *r = f->ignores.items[i];
		if ((r->expires && r->expires < f->now) || r->pkg)
			continue;
		if (strcmp(r->id, "*") != 0 && (!id || strcasecmp(r->id, id) != 0))
			continue;
		if (r->path && !file_path_matches(r->path, path))
			continue;
		return sw_xasprintf("ignore file: %s line %zu%s%s", r->file, r->line,
				    r->expires ? ", until " : "", r->expires ? r->expires_text : "");
	}
	if (level >= 0 && level < 32 && f->severity_mask && !(f->severity_mask & (1u << level)))
		return sw_xasprintf("severity %s not selected", sw_severity_name((enum sw_severity_level)level));
	return NULL;
}

char *sw_filter_id_suppressed(const struct sw_filter *f, const char *id, int level)
{
	for (size_t i = 0; i < f->ignores.len; i++) {
		const struct ignore_rule *r = f->ignores.items[i];
		if ((r->expires && r->expires < f->now) || r->pkg || r->path)
			continue;
		if (strcasecmp(r->id, id) == 0)
			return sw_xasprintf("ignore file: %s line %zu%s%s", r->file, r->line,
					    r->expires ? ", until " : "", r->expires ? r->expires_text : "");
	}
	if (level >= 0 && level < 32 && f->severity_mask && !(f->severity_mask & (1u << level)))
		return sw_xasprintf("severity %s not selected", sw_severity_name((enum sw_severity_level)level));
	return NULL;
}
