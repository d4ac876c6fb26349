/*
 * config.c - the --secret-config YAML file (docs/secrets.md, "Config"):
 *
 *   rules:            # rules added to the built-in ones
 *     - id: acme-api-key
 *       category: Acme
 *       title: Acme API key
 *       severity: high
 *       keywords: [acme_]
 *       regex: 'acme_(?<secret>[a-z0-9]{32})'
 *       path: '\.env$'          # optional
 *       entropy: 3.5            # optional
 *   allow-rules:
 *     - id: our-test-keys
 *       description: keys of our test suite
 *       rule: aws-access-key-id # optional
 *       regex: '^AKIATEST'      # on the secret, and/or
 *       path: '^srv/app/tests/' # on the path
 *   disable-rules: [jwt, generic-secret-assignment]
 *
 * Only the shape and the scalar values are checked here; regexes are
 * compiled by secrets.c, which reports their errors with the same
 * "NAME: line N: rule 'ID': ..." prefix.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "secrets/internal.h"
#include "secrets/rules.h"
#include "util/mem.h"

#define MAX_CONFIG_ITEMS 10000

struct ctx {
	const char *name;
	yaml_document_t *doc;
	struct sw_err *err;
};

static unsigned line_of(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

static int bad(struct ctx *c, const yaml_node_t *n, const char *what, const char *id, const char *msg)
{
	if (id)
		return sw_err_set(c->err, SW_E_FORMAT, "%s: line %u: %s '%s': %s", c->name, line_of(n), what, id, msg);
	return sw_err_set(c->err, SW_E_FORMAT, "%s: line %u: %s%s%s", c->name, line_of(n), what, *what ? ": " : "",
			  msg);
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* A scalar's value as a C string, or NULL (not a scalar, or a NUL inside). */
static const char *scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length))
		return NULL;
	return (const char *)n->data.scalar.value;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  (i > 0 && (ch == '-' || ch == '_' || ch == '.'));
		if (!ok)
			return false;
	}
	return true;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* The value of key `k` in mapping `m`, NULL when absent. */
static yaml_node_t *lookup(struct ctx *c, const yaml_node_t *m, const char *k)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *key = scalar(node(c, p->key));
		if (key && strcmp(key, k) == 0)
			return node(c, p->value);
	}
	return NULL;
}

/* Every key of m is one of `keys` (NULL-terminated) and a scalar. */
static int check_keys(struct ctx *c, const yaml_node_t *m, const char *what, const char *id,
		      const char *const *keys)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(c, p->key);
		const char *key = scalar(kn);
		if (!key)
			return bad(c, kn, what, id, "a key is not a plain string");
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (!keys[i]) {
			char msg[160];
			snprintf(msg, sizeof(msg), "unknown key '%.60s'", key);
			return bad(c, kn, what, id, msg);
		}
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
			const char *k2 = scalar(node(c, q->key));
			if (k2 && strcmp(k2, key) == 0) {
				char msg[160];
				snprintf(msg, sizeof(msg), "key '%.60s' given twice", key);
				return bad(c, kn, what, id, msg);
			}
		}
	}
	return 0;
}

/* A string field: NULL when absent; an error when not a string. */
static int str_field(struct ctx *c, const yaml_node_t *m, const char *key, const char *what, const char *id,
		     bool required, char **out)
{
	yaml_node_t *v = lookup(c, m, key);
	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		char msg[96];
		snprintf(msg, sizeof(msg), "'%s' is missing", key);
		return bad(c, m, what, id, msg);
	}
	const char *s = scalar(v);
	if (!s || (required && !*s)) {
		char msg[96];
		snprintf(msg, sizeof(msg), "'%s' must be a non-empty string", key);
		return bad(c, v, what, id, msg);
	}
	*out = sw_xstrdup(s);
	return 0;
}

static int num_field(struct ctx *c, const yaml_node_t *m, const char *key, const char *id, unsigned max,
		     unsigned *out)
{
	yaml_node_t *v = lookup(c, m, key);
	if (!v)
		return 0;
	if (!parse_uint(scalar(v), max, out)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "'%s' must be a whole number from 0 to %u", key, max);
		return bad(c, v, "rule", id, msg);
	}
	return 0;
}

static int parse_keywords(struct ctx *c, const yaml_node_t *m, const char *id, char **out)
{
	yaml_node_t *v = lookup(c, m, "keywords");
	if (!v)
		return bad(c, m, "rule", id, "'keywords' is missing (at least one literal the secret contains)");
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
		return bad(c, v, "rule", id, "'keywords' must be a non-empty list of strings");
	struct sw_buf_lite {
		char *s;
		size_t len;
	} b = { NULL, 0 };
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *kn = node(c, *it);
		const char *k = scalar(kn);
		size_t n = k ? strlen(k) : 0;
		if (!k || n < 2 || n > SW_SECRET_MAX_KEYWORD || strchr(k, '|')) {
			free(b.s);
			return bad(c, kn ? kn : v, "rule", id, "a keyword must be a string of 2 to 64 bytes without '|'");
		}
		b.s = sw_xrealloc(b.s, b.len + n + 2);
		if (b.len)
			b.s[b.len++] = '|';
		for (size_t i = 0; i < n; i++)
			b.s[b.len++] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
		b.s[b.len] = '\0';
	}
	*out = b.s;
	return 0;
}

static int parse_rule(struct ctx *c, const yaml_node_t *m, struct sw_secrets_config *cfg)
{
	static const char *const keys[] = { "id", "category", "title", "severity", "keywords", "regex", "path",
					    "entropy", "before", "after", "keep", NULL };
	if (m->type != YAML_MAPPING_NODE)
		return bad(c, m, "rules", NULL, "each rule must be a mapping (id, keywords, regex...)");
	yaml_node_t *idn = lookup(c, m, "id");
	const char *id = scalar(idn);
	if (!id)
		return bad(c, m, "rules", NULL, "a rule has no 'id'");
	if (!valid_id(id))
		return bad(c, idn, "rule", id, "an id is 1 to 64 letters, digits, '-', '_' or '.'");
	int rc = check_keys(c, m, "rule", id, keys);
	if (rc < 0)
		return rc;
	struct sw_srule *r = sw_xcalloc(1, sizeof(*r));
	r->id = sw_xstrdup(id);
	r->line = line_of(m);
	r->after = 256;
	r->severity = SW_SEV_HIGH;
	if ((rc = str_field(c, m, "category", "rule", id, false, &r->category)) < 0 ||
	    (rc = str_field(c, m, "title", "rule", id, false, &r->title)) < 0 ||
	    (rc = str_field(c, m, "regex", "rule", id, true, &r->regex)) < 0 ||
	    (rc = str_field(c, m, "path", "rule", id, false, &r->path)) < 0 ||
	    (rc = parse_keywords(c, m, id, &r->keywords)) < 0 ||
	    (rc = num_field(c, m, "before", id, SW_SECRET_MAX_BEFORE, &r->before)) < 0 ||
	    (rc = num_field(c, m, "after", id, SW_SECRET_MAX_AFTER, &r->after)) < 0 ||
	    (rc = num_field(c, m, "keep", id, 64, &r->keep)) < 0) {
		sw_srule_free(r);
		return rc;
	}
	if (!r->category)
		r->category = sw_xstrdup("Custom");
	if (!r->title)
		r->title = sw_xstrdup(id);
	yaml_node_t *sv = lookup(c, m, "severity");
	if (sv) {
		int lv;
		const char *s = scalar(sv);
		enum sw_severity_level level;
		if (!s || (lv = sw_severity_parse(s, &level)) < 0) {
			sw_srule_free(r);
			return bad(c, sv, "rule", id, "'severity' must be one of negligible, low, medium, high, critical");
		}
		r->severity = level;
	}
	yaml_node_t *ev = lookup(c, m, "entropy");
	if (ev) {
		const char *s = scalar(ev);
		char *end = NULL;
		double d = s && *s ? strtod(s, &end) : -1;
		if (!s || !*s || *end || !(d >= 0 && d <= 8)) {
			sw_srule_free(r);
			return bad(c, ev, "rule", id, "'entropy' must be a number from 0 to 8 (bits per byte)");
		}
		r->entropy = d;
	}
	for (size_t i = 0; i < cfg->rules.len; i++)
		if (strcmp(((struct sw_srule *)cfg->rules.items[i])->id, id) == 0) {
			sw_srule_free(r);
			return bad(c, idn, "rule", id, "this id is already used by another rule of this file");
		}
	sw_vec_push(&cfg->rules, r);
	return 0;
}

static int parse_allow(struct ctx *c, const yaml_node_t *m, struct sw_secrets_config *cfg)
{
	static const char *const keys[] = { "id", "description", "rule", "regex", "path", NULL };
	if (m->type != YAML_MAPPING_NODE)
		return bad(c, m, "allow-rules", NULL, "each allow rule must be a mapping (id, regex, path...)");
	yaml_node_t *idn = lookup(c, m, "id");
	const char *id = scalar(idn);
	if (!id)
		return bad(c, m, "allow-rules", NULL, "an allow rule has no 'id'");
	if (!valid_id(id))
		return bad(c, idn, "allow rule", id, "an id is 1 to 64 letters, digits, '-', '_' or '.'");
	int rc = check_keys(c, m, "allow rule", id, keys);
	if (rc < 0)
		return rc;
	struct sw_sallow *a = sw_xcalloc(1, sizeof(*a));
	a->id = sw_xstrdup(id);
	a->line = line_of(m);
	if ((rc = str_field(c, m, "description", "allow rule", id, false, &a->description)) < 0 ||
	    (rc = str_field(c, m, "rule", "allow rule", id, false, &a->rule)) < 0 ||
	    (rc = str_field(c, m, "regex", "allow rule", id, false, &a->regex)) < 0 ||
	    (rc = str_field(c, m, "path", "allow rule", id, false, &a->path)) < 0) {
		sw_sallow_free(a);
		return rc;
	}
	if ((!a->regex || !*a->regex) && (!a->path || !*a->path)) {
		sw_sallow_free(a);
		return bad(c, m, "allow rule", id, "needs a 'regex' (on the secret) or a 'path' (or both)");
	}
	sw_vec_push(&cfg->allows, a);
	return 0;
}

static int parse_list(struct ctx *c, const yaml_node_t *v, const char *key, struct sw_secrets_config *cfg)
{
	if (v->type == YAML_SCALAR_NODE && scalar(v) && !*scalar(v))
		return 0;   /* "rules:" with nothing after it */
	if (v->type != YAML_SEQUENCE_NODE)
		return bad(c, v, key, NULL, "must be a list");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > MAX_CONFIG_ITEMS)
		return bad(c, v, key, NULL, "more than 10000 entries");
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(c, *it);
		if (!e)
			return bad(c, v, key, NULL, "an entry is missing");
		int rc = 0;
		if (strcmp(key, "rules") == 0) {
			rc = parse_rule(c, e, cfg);
		} else if (strcmp(key, "allow-rules") == 0) {
			rc = parse_allow(c, e, cfg);
		} else {
			const char *id = scalar(e);
			if (!id || !valid_id(id))
				return bad(c, e, "disable-rules", NULL, "each entry must be a rule id");
			struct sw_sdisable *d = sw_xcalloc(1, sizeof(*d));
			d->id = sw_xstrdup(id);
			d->line = line_of(e);
			sw_vec_push(&cfg->disable, d);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sw_secrets_config_parse(const char *name, const char *text, size_t len, struct sw_secrets_config *cfg,
			    struct sw_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = sw_xstrdup(name);
	if (len > (1u << 20)) {
		sw_secrets_config_release(cfg);
		return sw_err_set(err, SW_E_LIMIT, "%s: larger than 1 MiB", name);
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		sw_secrets_config_release(cfg);
		return sw_err_set(err, SW_E_NOMEM, "%s: out of memory", name);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int rc = sw_err_set(err, SW_E_FORMAT, "%s: line %u: not valid YAML: %s", name,
				    (unsigned)parser.problem_mark.line + 1,
				    parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		sw_secrets_config_release(cfg);
		return rc;
	}
	struct ctx c = { .name = name, .doc = &doc, .err = err };
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		/* an empty file: nothing to add */
	} else if (root->type != YAML_MAPPING_NODE) {
		rc = bad(&c, root, "", NULL, "the file must be a mapping with rules, allow-rules and disable-rules");
	} else {
		static const char *const keys[] = { "rules", "allow-rules", "disable-rules", NULL };
		rc = check_keys(&c, root, "", NULL, keys);
		for (const char *const *k = keys; rc == 0 && *k; k++) {
			yaml_node_t *v = lookup(&c, root, *k);
			if (v)
				rc = parse_list(&c, v, *k, cfg);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		sw_secrets_config_release(cfg);
	return rc;
}

void sw_srule_free(void *p)
{
	struct sw_srule *r = p;
	if (!r)
		return;
	free(r->id);
	free(r->category);
	free(r->title);
	free(r->keywords);
	free(r->regex);
	free(r->path);
	pcre2_code_free(r->re);
	pcre2_code_free(r->path_re);
	free(r);
}

void sw_sallow_free(void *p)
{
	struct sw_sallow *a = p;
	if (!a)
		return;
	free(a->id);
	free(a->description);
	free(a->rule);
	free(a->regex);
	free(a->path);
	pcre2_code_free(a->re);
	pcre2_code_free(a->path_re);
	free(a);
}

static void disable_free(void *p)
{
	struct sw_sdisable *d = p;
	if (d)
		free(d->id);
	free(d);
}

void sw_secrets_config_release(struct sw_secrets_config *cfg)
{
	sw_vec_free_all(&cfg->rules, sw_srule_free);
	sw_vec_free_all(&cfg->allows, sw_sallow_free);
	sw_vec_free_all(&cfg->disable, disable_free);
	free(cfg->name);
	cfg->name = NULL;
}
