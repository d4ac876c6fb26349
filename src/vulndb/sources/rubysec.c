/*
 * rubysec.c - ruby-advisory-db YAML, `gems/<gem>/<id>.yml` (and
 * `rubies/<engine>/<id>.yml`): gem (or engine), cve, ghsa, osvdb, url,
 * title, date, description, cvss_v2/v3/v4 (scores only), patched_versions,
 * unaffected_versions, related: {cve, ghsa, osvdb, url}.
 *
 * Id: GHSA-... if present, else CVE-..., else OSVDB-..., else the file name;
 * the others become aliases.  Affected: ecosystem "RubyGems" (gems) or
 * "Ruby" (interpreters from rubies/: package ruby, jruby, mruby, mrubyc,
 * rbx), and each patched_versions / unaffected_versions requirement string
 * goes whole into unaffected_exprs for the version module to evaluate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

/* gems/<gem>/<id>.yml and rubies/<engine>/<id>.yml, at the top or below a
 * folder (a GitHub archive adds "ruby-advisory-db-master/"); other YAML in
 * the repository (.github/, spec/) is not an advisory. */
static bool rubysec_wants(const char *path)
{
	if (!sw_src_name_is(path, NULL, ".yml"))
		return false;
	return sw_starts_with(path, "gems/") || sw_starts_with(path, "rubies/") ||
	       strstr(path, "/gems/") || strstr(path, "/rubies/");
}

/* "2020-8164" -> "CVE-2020-8164" (an already prefixed id is kept). */
static char *prefixed(const char *prefix, const char *s)
{
	if (!s || !*s)
		return NULL;
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		return sw_xstrdup(s);
	return sw_xasprintf("%s%s", prefix, s);
}

/* Collect ids of one kind from the top level and from related: (a scalar or
 * a list of scalars).  Returns false on a wrong type. */
static bool collect_ids(const json_t *doc, const char *key, const char *prefix,
			struct sw_vec *out)
{
	bool bad = false;
	const char *top = sw_src_get_str(doc, key, &bad);
	if (bad)
		return false;
	char *p = prefixed(prefix, top);
	sw_src_push_unique(out, p);
	free(p);
	json_t *rel = sw_src_get_obj(doc, "related", &bad);
	json_t *x = rel ? json_object_get(rel, key) : NULL;
	if (json_is_string(x)) {
		p = prefixed(prefix, json_string_value(x));
		sw_src_push_unique(out, p);
		free(p);
	} else if (json_is_array(x)) {
		size_t i;
		json_t *e;
		json_array_foreach(x, i, e) {
			if (!json_is_string(e))
				return false;
			p = prefixed(prefix, json_string_value(e));
			sw_src_push_unique(out, p);
			free(p);
		}
	} else if (x && !json_is_null(x)) {
		return false;
	}
	return !bad;
}

/* A requirement list: a list of strings, or one string. */
static bool add_exprs(const json_t *doc, const char *key, struct sw_vec *out)
{
	json_t *x = json_object_get(doc, key);
	if (!x || json_is_null(x))
		return true;
	if (json_is_string(x)) {
		sw_src_push_unique(out, json_string_value(x));
		return true;
	}
	if (!json_is_array(x))
		return false;
	size_t i;
	json_t *e;
	json_array_foreach(x, i, e) {
		if (!json_is_string(e))
			return false;
		sw_src_push_unique(out, json_string_value(e));
	}
	return true;
}

static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	return sw_xstrndup(b, dot ? (size_t)(dot - b) : strlen(b));
}

static const struct {
	const char *key, *type;
	bool v2;
} cvss_keys[] = {
	{ "cvss_v4", "CVSS_V4", false },
	{ "cvss_v3", "CVSS_V3", false },
	{ "cvss_v2", "CVSS_V2", true },
};

static int rubysec_import(const char *path, const uint8_t *data, size_t len,
			  const struct sw_vuln_sink *sink, struct sw_err *err)
{
	json_t *doc = NULL;
	if (sw_src_yaml_load(path, data, len, &doc, err) < 0)
		return -1;
	int rc = 0;
	struct sw_vuln *v = NULL;
	struct sw_vec ghsa = SW_VEC_INIT, cve = SW_VEC_INIT, osvdb = SW_VEC_INIT;
	char *stem = file_stem(path);
	const char *what = NULL;
	bool bad = false;

	if (!json_is_object(doc)) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a rubysec advisory (not a mapping)", path);
		goto out;
	}
	const char *gem = sw_src_get_str(doc, "gem", &bad);
	const char *engine = sw_src_get_str(doc, "engine", &bad);
	if (bad || (!gem && !engine) || (gem && !*gem) || (engine && !*engine)) {
		what = "missing or bad \"gem\" (or \"engine\")";
		goto bad;
	}
	if (!collect_ids(doc, "ghsa", "GHSA-", &ghsa) || !collect_ids(doc, "cve", "CVE-", &cve) ||
	    !collect_ids(doc, "osvdb", "OSVDB-", &osvdb)) {
		what = "bad \"cve\", \"ghsa\" or \"osvdb\"";
		goto bad;
	}
	const char *id = ghsa.len ? ghsa.items[0] : cve.len ? cve.items[0]
			 : osvdb.len ? osvdb.items[0] : stem;
	v = sw_vuln_new(id, "rubysec");
	struct sw_vec *all[] = { &ghsa, &cve, &osvdb };
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < all[k]->len; i++)
			if (strcmp(all[k]->items[i], id) != 0)
				sw_src_push_unique(&v->aliases, all[k]->items[i]);

	v->summary = sw_xstrdup(sw_src_get_str(doc, "title", &bad));
	v->details = sw_xstrdup(sw_src_get_str(doc, "description", &bad));
	const char *date = sw_src_get_str(doc, "date", &bad);
	if (date && strlen(date) == 10)
		v->published = sw_xasprintf("%sT00:00:00Z", date);
	else if (date)
		v->published = sw_xstrdup(date);
	sw_src_push_unique(&v->references, sw_src_get_str(doc, "url", &bad));
	json_t *rel = sw_src_get_obj(doc, "related", &bad);
	json_t *urls = rel ? json_object_get(rel, "url") : NULL;
	if (json_is_string(urls)) {
		sw_src_push_unique(&v->references, json_string_value(urls));
	} else if (json_is_array(urls)) {
		size_t i;
		json_t *e;
		json_array_foreach(urls, i, e)
			if (json_is_string(e))
				sw_src_push_unique(&v->references, json_string_value(e));
	}
	for (size_t k = 0; k < sizeof(cvss_keys) / sizeof(cvss_keys[0]); k++) {
		double s = sw_src_get_num(doc, cvss_keys[k].key, &bad);
		if (s > 10)
			bad = true;
		else if (s >= 0)
			sw_src_add_severity(v, "rubysec", cvss_keys[k].type, NULL, s,
					    sw_src_rating_from_score(s, cvss_keys[k].v2));
	}
	if (bad) {
		what = "a field has the wrong type";
		goto bad;
	}
	struct sw_affected *a = sw_affected_new(gem ? "RubyGems" : "Ruby", gem ? gem : engine);
	sw_vec_push(&v->affected, a);
	if (!add_exprs(doc, "patched_versions", &a->unaffected_exprs)) {
		what = "\"patched_versions\" is not a list of strings";
		goto bad;
	}
	bool patched = a->unaffected_exprs.len > 0;
	if (!add_exprs(doc, "unaffected_versions", &a->unaffected_exprs)) {
		what = "\"unaffected_versions\" is not a list of strings";
		goto bad;
	}
	a->status = patched ? SW_ST_FIXED : SW_ST_AFFECTED;
	a->note = sw_xstrdup(sw_src_get_str(doc, "notes", NULL));
	rc = sw_src_put(sink, path, v, err);
	goto out;
bad:
	sw_src_bad(sink, path, v ? v->id : stem, "%s", what);
out:
	sw_vuln_free(v);
	sw_vec_free_strings(&ghsa);
	sw_vec_free_strings(&cve);
	sw_vec_free_strings(&osvdb);
	free(stem);
	json_decref(doc);
	return rc;
}

const struct sw_vuln_source sw_source_rubysec = {
	.name = "rubysec",
	.summary = "RubySec ruby-advisory-db (YAML advisories for gems and Ruby interpreters)",
	.default_url = "https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz",
	.wants = rubysec_wants,
	.import_file = rubysec_import,
};
