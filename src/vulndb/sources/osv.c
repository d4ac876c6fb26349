/*
 * osv.c - importer for OSV records: JSON (one record per file, or an array
 * of records), and OSV serialised as YAML as the PyPA advisory database
 * writes it.  Also accepts a record wrapped as {"item": {...}} (vunnel's
 * snapshot form).  YAML is turned into the same JSON tree first, every
 * scalar as a string (so `introduced: 0` is the version "0", never a
 * number), then one converter builds the model.
 *
 * A record with a missing id or a field of the wrong type is reported to
 * sink->bad_record and skipped; the rest of the file goes on.
 */
#include "vulndb/sources/osv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "util/mem.h"
#include "util/path.h"

#if defined(__has_include)
#if __has_include("vulndb/cvss.h")
#include "vulndb/cvss.h"
#define SW_HAVE_CVSS 1
#endif
#endif

#define OSV_MAX_FILE (256u << 20)   /* a bigger single file is refused */
#define YAML_MAX_NODES 500000       /* nodes built from one YAML document (alias bombs) */
#define YAML_MAX_DEPTH 64

static bool osv_wants(const char *path)
{
	const char *base = sw_path_basename(path);
	if (base[0] == '.')
		return false;
	return sw_ends_with(base, ".json") || sw_ends_with(base, ".yaml") || sw_ends_with(base, ".yml");
}

/* ---------------------------------------------------------------- YAML -> JSON */

struct ytoj {
	yaml_document_t *doc;
	size_t nodes;
	bool over;
};

static json_t *ynode_to_json(struct ytoj *c, yaml_node_t *n, int depth)
{
	if (!n || depth > YAML_MAX_DEPTH || ++c->nodes > YAML_MAX_NODES) {
		c->over = true;
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (len == 0 || (len == 1 && v[0] == '~') || (len == 4 && memcmp(v, "null", 4) == 0) ||
		     (len == 4 && memcmp(v, "Null", 4) == 0) || (len == 4 && memcmp(v, "NULL", 4) == 0)))
			return json_null();
		return json_stringn_nocheck(v, len);
	}
	case YAML_SEQUENCE_NODE: {
		json_t *a = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			json_t *x = ynode_to_json(c, yaml_document_get_node(c->doc, *it), depth + 1);
			if (!x) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, x);
		}
		return a;
	}
	case YAML_MAPPING_NODE: {
		json_t *o = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				json_decref(o);
				c->over = false;
				return NULL;
			}
			json_t *x = ynode_to_json(c, yaml_document_get_node(c->doc, p->value), depth + 1);
			if (!x) {
				json_decref(o);
				return NULL;
			}
			char *key = sw_xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
			json_object_set_new_nocheck(o, key, x);
			free(key);
		}
		return o;
	}
	default:
		c->over = true;
		return NULL;
	}
}

/* Parse every document of a YAML stream into a JSON array of documents. */
static int yaml_to_json(const char *path, const uint8_t *data, size_t len, json_t **out, struct sw_err *err)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return sw_err_set(err, SW_E_NOMEM, "'%s': cannot start the YAML parser", path);
	yaml_parser_set_input_string(&parser, data, len);
	json_t *docs = json_array();
	int r = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			r = sw_err_set(err, SW_E_FORMAT, "'%s': bad YAML at line %zu: %s", path,
				       parser.problem_mark.line + 1, parser.problem ? parser.problem : "parse error");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		struct ytoj c = { &doc, 0, false };
		json_t *j = ynode_to_json(&c, root, 0);
		yaml_document_delete(&doc);
		if (!j) {
			r = sw_err_set(err, SW_E_FORMAT, "'%s': %s", path,
				       c.over ? "YAML document too large or too deep" : "YAML mapping key is not a scalar");
			break;
		}
		json_array_append_new(docs, j);
	}
	yaml_parser_delete(&parser);
	if (r < 0) {
		json_decref(docs);
		return r;
	}
	*out = docs;
	return 0;
}

/* ---------------------------------------------------------------- record -> model */

struct conv {
	const char *path;
	const char *record;
	char what[256];
};

#define BAD(c, ...) (snprintf((c)->what, sizeof((c)->what), __VA_ARGS__), -1)

/* Optional string field: absent/null is fine, anything else but a string is not. */
static int opt_str(struct conv *c, json_t *obj, const char *key, char **dst)
{
	json_t *x = json_object_get(obj, key);
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_string(x))
		return BAD(c, "'%s' is not a string", key);
	sw_str_set(dst, json_string_value(x));
	return 0;
}

static int opt_array(struct conv *c, json_t *obj, const char *key, json_t **out)
{
	json_t *x = json_object_get(obj, key);
	*out = NULL;
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_array(x))
		return BAD(c, "'%s' is not an array", key);
	*out = x;
	return 0;
}

static int str_array(struct conv *c, json_t *obj, const char *key, struct sw_vec *out)
{
	json_t *a;
	if (opt_array(c, obj, key, &a) < 0)
		return -1;
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) {
		if (!json_is_string(x))
			return BAD(c, "'%s[%zu]' is not a string", key, i);
		if (sw_vec_find_str(out, json_string_value(x)) < 0)
			sw_vec_push_strdup(out, json_string_value(x));
	}
	return 0;
}

static const char *rating_from_text(const char *t)
{
	static const char *const names[] = { "critical", "high", "medium", "low", "none" };
	if (!t)
		return "unknown";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(t, names[i]) == 0)
			return names[i];
	if (strcasecmp(t, "moderate") == 0)
		return "medium";
	if (strcasecmp(t, "important") == 0)
		return "high";
	if (strcasecmp(t, "negligible") == 0 || strcasecmp(t, "unimportant") == 0)
		return "low";
	return "unknown";
}

static const char *rating_from_score(double s)
{
	if (s < 0)
		return "unknown";
	if (s == 0)
		return "none";
	if (s < 4.0)
		return "low";
	if (s < 7.0)
		return "medium";
	if (s < 9.0)
		return "high";
	return "critical";
}

/* Who says so: the record's id prefix ("GHSA", "GO", "RUSTSEC", "PYSEC",
 * "UBUNTU", "USN", "DSA"...), lower-cased; "osv" when there is none. */
static char *severity_source(const char *id)
{
	size_t n = strcspn(id, "-:");
	if (n == 0 || n == strlen(id) || n > 16)
		return sw_xstrdup("osv");
	char *s = sw_xstrndup(id, n);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static void add_cvss(struct sw_vuln *v, const char *src, const char *type, const char *vector)
{
	double score = -1;
#ifdef SW_HAVE_CVSS
	int version = 0;
	if (sw_cvss_score(vector, &score, &version, NULL) < 0)
		score = -1;
#endif
	sw_vec_push(&v->severities, sw_severity_new(src, type, vector, score, rating_from_score(score)));
}

static int conv_severity(struct conv *c, json_t *rec, struct sw_vuln *v, const char *src)
{
	json_t *a;
	if (opt_array(c, rec, "severity", &a) < 0)
		return -1;
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) {
		json_t *type = json_object_get(x, "type");
		json_t *score = json_object_get(x, "score");
		if (!json_is_string(type) || !json_is_string(score))
			return BAD(c, "'severity[%zu]' needs string 'type' and 'score'", i);
		const char *t = json_string_value(type), *s = json_string_value(score);
		if (sw_starts_with(t, "CVSS_V"))
			add_cvss(v, src, t, s);
		else
			sw_vec_push(&v->severities, sw_severity_new(src, "TEXT", NULL, -1, rating_from_text(s)));
	}
	/* GHSA: database_specific.severity ("MODERATE"), database_specific.cwe_ids */
	json_t *ds = json_object_get(rec, "database_specific");
	if (json_is_object(ds)) {
		json_t *sev = json_object_get(ds, "severity");
		if (json_is_string(sev))
			sw_vec_push(&v->severities,
				    sw_severity_new(src, "TEXT", NULL, -1, rating_from_text(json_string_value(sev))));
		if (str_array(c, ds, "cwe_ids", &v->cwes) < 0)
			return -1;
	}
	return 0;
}

static int conv_event(struct conv *c, json_t *e, struct sw_range *r, size_t ai, size_t ri, size_t ei)
{
	static const struct {
		const char *key;
		enum sw_event_kind kind;
	} kinds[] = { { "introduced", SW_EV_INTRODUCED },
		      { "fixed", SW_EV_FIXED },
		      { "last_affected", SW_EV_LAST_AFFECTED },
		      { "limit", SW_EV_LIMIT } };
	if (!json_is_object(e))
		return BAD(c, "'affected[%zu].ranges[%zu].events[%zu]' is not an object", ai, ri, ei);
	bool any = false;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		json_t *val = json_object_get(e, kinds[k].key);
		if (!val)
			continue;
		if (!json_is_string(val))
			return BAD(c, "'affected[%zu].ranges[%zu].events[%zu].%s' is not a string", ai, ri, ei,
				   kinds[k].key);
		sw_range_add_event(r, kinds[k].kind, json_string_value(val));
		any = true;
	}
	if (!any)
		return BAD(c, "'affected[%zu].ranges[%zu].events[%zu]' has no known event", ai, ri, ei);
	return 0;
}

static int conv_affected(struct conv *c, json_t *x, size_t ai, struct sw_vuln *v)
{
	if (!json_is_object(x))
		return BAD(c, "'affected[%zu]' is not an object", ai);
	json_t *pkg = json_object_get(x, "package");
	if (!pkg || json_is_null(pkg))
		return 0; /* GIT-only entries name no package: nothing to match */
	if (!json_is_object(pkg))
		return BAD(c, "'affected[%zu].package' is not an object", ai);
	json_t *eco = json_object_get(pkg, "ecosystem"), *name = json_object_get(pkg, "name");
	if (!json_is_string(eco) || !json_is_string(name) || !*json_string_value(eco) || !*json_string_value(name))
		return BAD(c, "'affected[%zu].package' needs string 'ecosystem' and 'name'", ai);
	struct sw_affected *a = sw_affected_new(json_string_value(eco), json_string_value(name));
	sw_vec_push(&v->affected, a);
	if (opt_str(c, pkg, "purl", &a->purl) < 0)
		return -1;

	json_t *ranges;
	if (opt_array(c, x, "ranges", &ranges) < 0)
		return -1;
	bool fixed = false;
	size_t ri;
	json_t *rj;
	json_array_foreach(ranges, ri, rj) {
		if (!json_is_object(rj))
			return BAD(c, "'affected[%zu].ranges[%zu]' is not an object", ai, ri);
		json_t *type = json_object_get(rj, "type");
		if (!json_is_string(type))
			return BAD(c, "'affected[%zu].ranges[%zu].type' is missing or not a string", ai, ri);
		json_t *events = json_object_get(rj, "events");
		if (!json_is_array(events))
			return BAD(c, "'affected[%zu].ranges[%zu].events' is missing or not an array", ai, ri);
		struct sw_range *r = sw_range_new(json_string_value(type));
		sw_vec_push(&a->ranges, r);
		size_t ei;
		json_t *e;
		json_array_foreach(events, ei, e) {
			if (conv_event(c, e, r, ai, ri, ei) < 0)
				return -1;
		}
		for (size_t k = 0; k < r->events.len; k++)
			if (((struct sw_event *)r->events.items[k])->kind == SW_EV_FIXED)
				fixed = true;
	}
	char key[64];
	snprintf(key, sizeof(key), "affected[%zu].versions", ai);
	json_t *versions;
	if (opt_array(c, x, "versions", &versions) < 0)
		return -1;
	size_t vi;
	json_t *vj;
	json_array_foreach(versions, vi, vj) {
		if (!json_is_string(vj))
			return BAD(c, "'%s[%zu]' is not a string", key, vi);
		sw_vec_push_strdup(&a->versions, json_string_value(vj));
	}
	a->status = fixed ? SW_ST_FIXED : SW_ST_AFFECTED;
	/* RustSec: database_specific.informational ("unmaintained", "unsound",
	 * "notice") makes the record a notice, not a vulnerability */
	json_t *dsa = json_object_get(x, "database_specific");
	json_t *info = json_is_object(dsa) ? json_object_get(dsa, "informational") : NULL;
	if (info && !json_is_null(info)) {
		if (!json_is_string(info) || !*json_string_value(info))
			return BAD(c, "'affected[%zu].database_specific.informational' is not a non-empty string", ai);
		if (!v->informational)
			v->informational = sw_xstrdup(json_string_value(info));
	}
	/* A per-package rating: ecosystem_specific / database_specific
	 * "severity" or "urgency" (Debian, Ubuntu, Alpine OSV). */
	static const char *const blocks[] = { "ecosystem_specific", "database_specific" };
	static const char *const keys[] = { "severity", "urgency" };
	for (size_t b = 0; b < 2 && !a->severity; b++) {
		json_t *o = json_object_get(x, blocks[b]);
		for (size_t k = 0; k < 2 && json_is_object(o) && !a->severity; k++) {
			json_t *s = json_object_get(o, keys[k]);
			if (json_is_string(s))
				a->severity = sw_xstrdup(json_string_value(s));
		}
	}
	return 0;
}

/* Ubuntu OSV gives its priority (negligible, low, medium, high, critical)
 * as the record's severity {"type": "Ubuntu", "score": "medium"}: it is
 * the distro's own rating of every Ubuntu package of the record. */
static void ubuntu_priority(json_t *rec, struct sw_vuln *v)
{
	json_t *a = json_object_get(rec, "severity");
	const char *prio = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x) {
		json_t *t = json_object_get(x, "type"), *s = json_object_get(x, "score");
		if (json_is_string(t) && json_is_string(s) && !strcmp(json_string_value(t), "Ubuntu"))
			prio = json_string_value(s);
	}
	for (i = 0; prio && i < v->affected.len; i++) {
		struct sw_affected *af = v->affected.items[i];
		if (!af->severity && af->ecosystem && sw_starts_with(af->ecosystem, "Ubuntu:"))
			af->severity = sw_xstrdup(prio);
	}
}

/* Is every affected entry an AlmaLinux or Rocky Linux one (their errata
 * feeds: ALSA-2023:4520, RLSA-2021:3891)? */
static bool rhel_rebuild_errata(const struct sw_vuln *v)
{
	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		if (!a->ecosystem || !(sw_starts_with(a->ecosystem, "AlmaLinux:") ||
				       sw_starts_with(a->ecosystem, "Rocky Linux:")))
			return false;
	}
	return v->affected.len > 0;
}

/* An AlmaLinux/Rocky erratum lists the CVEs it fixes as "related" (the
 * erratum is those CVEs' fix, as a DSA is): they become aliases.  Its
 * summary starts with Red Hat's severity word ("Moderate: python-requests
 * security update"), the distro's rating of every package. */
static int rebuild_errata(struct conv *c, json_t *rec, struct sw_vuln *v)
{
	if (str_array(c, rec, "related", &v->aliases) < 0)
		return -1;
	static const char *const words[] = { "Critical", "Important", "Moderate", "Low" };
	for (size_t w = 0; v->summary && w < sizeof(words) / sizeof(words[0]); w++) {
		size_t n = strlen(words[w]);
		if (strncmp(v->summary, words[w], n) != 0 || v->summary[n] != ':')
			continue;
		for (size_t i = 0; i < v->affected.len; i++) {
			struct sw_affected *a = v->affected.items[i];
			if (!a->severity)
				a->severity = sw_xstrndup(v->summary, n);
		}
	}
	return 0;
}

static int conv_record(struct conv *c, json_t *rec, struct sw_vuln **out)
{
	*out = NULL;
	if (!json_is_object(rec))
		return BAD(c, "record is not an object");
	/* vunnel snapshot: {"identifier": ..., "item": {OSV}} */
	json_t *item = json_object_get(rec, "item");
	if (!json_object_get(rec, "id") && json_is_object(item))
		rec = item;
	json_t *id = json_object_get(rec, "id");
	if (!id)
		return BAD(c, "missing 'id'");
	if (!json_is_string(id) || !*json_string_value(id))
		return BAD(c, "'id' is not a non-empty string");
	c->record = json_string_value(id);

	struct sw_vuln *v = sw_vuln_new(json_string_value(id), "osv");
	char *src = severity_source(v->id);
	int r = 0;
	if (opt_str(c, rec, "summary", &v->summary) < 0 || opt_str(c, rec, "details", &v->details) < 0 ||
	    opt_str(c, rec, "published", &v->published) < 0 || opt_str(c, rec, "modified", &v->modified) < 0 ||
	    opt_str(c, rec, "withdrawn", &v->withdrawn) < 0 || str_array(c, rec, "aliases", &v->aliases) < 0 ||
	    str_array(c, rec, "upstream", &v->aliases) < 0 || conv_severity(c, rec, v, src) < 0)
		r = -1;
	if (r == 0 && !v->modified)
		r = BAD(c, "missing 'modified'");
	json_t *refs = NULL;
	if (r == 0)
		r = opt_array(c, rec, "references", &refs);
	size_t i;
	json_t *x;
	if (r == 0) {
		json_array_foreach(refs, i, x) {
			json_t *url = json_object_get(x, "url");
			if (!json_is_string(url)) {
				r = BAD(c, "'references[%zu].url' is missing or not a string", i);
				break;
			}
			if (sw_vec_find_str(&v->references, json_string_value(url)) < 0)
				sw_vec_push_strdup(&v->references, json_string_value(url));
		}
	}
	json_t *aff = NULL;
	if (r == 0)
		r = opt_array(c, rec, "affected", &aff);
	if (r == 0) {
		json_array_foreach(aff, i, x) {
			if ((r = conv_affected(c, x, i, v)) < 0)
				break;
		}
	}
	if (r == 0)
		ubuntu_priority(rec, v);
	if (r == 0 && rhel_rebuild_errata(v))
		r = rebuild_errata(c, rec, v);
	free(src);
	if (r < 0) {
		sw_vuln_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

static int put_records(const char *path, json_t *top, const struct sw_vuln_sink *sink, struct sw_err *err)
{
	json_t *one[1] = { top };
	size_t n = 1;
	json_t **recs = one;
	bool array = json_is_array(top);
	if (array) {
		n = json_array_size(top);
	} else if (!json_is_object(top)) {
		return sw_err_set(err, SW_E_FORMAT, "'%s': not an OSV record (expected an object or an array)", path);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *rec = array ? json_array_get(top, i) : recs[i];
		char idx[32];
		snprintf(idx, sizeof(idx), "#%zu", i);
		struct conv c = { path, idx, { 0 } };
		struct sw_vuln *v = NULL;
		if (conv_record(&c, rec, &v) < 0) {
			if (sink->bad_record)
				sink->bad_record(sink->ctx, path, c.record, c.what);
			continue;
		}
		int r = sink->put_vuln ? sink->put_vuln(sink->ctx, v, err) : 0;
		sw_vuln_free(v);
		if (r < 0)
			return sw_err_wrap(err, "'%s'", path);
	}
	return 0;
}

int sw_osv_import_json(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
		       struct sw_err *err)
{
	json_error_t je;
	json_t *top = json_loadb((const char *)data, len, 0, &je);
	if (!top)
		return sw_err_set(err, SW_E_FORMAT, "'%s': bad JSON at line %d: %s", path, je.line, je.text);
	int r = put_records(path, top, sink, err);
	json_decref(top);
	return r;
}

int sw_osv_import_yaml(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
		       struct sw_err *err)
{
	json_t *docs = NULL;
	int r = yaml_to_json(path, data, len, &docs, err);
	if (r < 0)
		return r;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d) {
		/* a document may itself be a list of records */
		if ((r = put_records(path, d, sink, err)) < 0)
			break;
	}
	json_decref(docs);
	return r;
}

static int osv_import_file(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			   struct sw_err *err)
{
	if (len > OSV_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file is larger than %u bytes", path, OSV_MAX_FILE);
	size_t i = 0;
	while (i < len && isspace(data[i]))
		i++;
	if (i < len && (data[i] == '{' || data[i] == '['))
		return sw_osv_import_json(path, data, len, sink, err);
	if (sw_ends_with(path, ".yaml") || sw_ends_with(path, ".yml"))
		return sw_osv_import_yaml(path, data, len, sink, err);
	if (i == len)
		return sw_err_set(err, SW_E_FORMAT, "'%s': empty file", path);
	return sw_osv_import_json(path, data, len, sink, err);
}

const struct sw_vuln_source sw_source_osv = {
	.name = "osv",
	.summary = "OSV records (JSON, all.zip, folder trees, PyPA YAML; GHSA, Go, RustSec, PyPA, Ubuntu, Debian)",
	.default_url = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
	.wants = osv_wants,
	.import_file = osv_import_file,
};
