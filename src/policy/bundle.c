/* bundle.c - reading and validating an Anchore policy bundle (policy.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "policy/internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define BUNDLE_MAX_FILE ((size_t)16 << 20)

/* ---- small helpers ---------------------------------------------------- */

struct rd {
	const char *name;    /* the file, for messages */
	struct sw_err *err;
	struct sw_policy_bundle *b;
};

static int fail(struct rd *rd, const char *fmt, ...) SW_PRINTF(2, 3);
static int fail(struct rd *rd, const char *fmt, ...)
{
	char msg[SW_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sw_err_set(rd->err, SW_E_FORMAT, "'%s': %s", rd->name, msg);
}

void sw_policy_json_dump(struct sw_buf *b, const struct sw_json *v)
{
	switch (v->type) {
	case SW_JSON_NULL: sw_buf_addstr(b, "null"); break;
	case SW_JSON_TRUE: sw_buf_addstr(b, "true"); break;
	case SW_JSON_FALSE: sw_buf_addstr(b, "false"); break;
	case SW_JSON_INTEGER: sw_buf_addf(b, "%lld", v->u.i); break;
	case SW_JSON_REAL: sw_buf_addf(b, "%.17g", v->u.d); break;
	case SW_JSON_STRING:
		sw_buf_addch(b, '"');
		sw_buf_add_json_escaped(b, v->u.s);
		sw_buf_addch(b, '"');
		break;
	case SW_JSON_ARRAY:
		sw_buf_addch(b, '[');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sw_buf_addch(b, ',');
			sw_policy_json_dump(b, &v->u.items[i]);
		}
		sw_buf_addch(b, ']');
		break;
	case SW_JSON_OBJECT:
		sw_buf_addch(b, '{');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sw_buf_addch(b, ',');
			sw_buf_addch(b, '"');
			sw_buf_add_json_escaped(b, v->u.members[i].key);
			sw_buf_addstr(b, "\":");
			sw_policy_json_dump(b, &v->u.members[i].value);
		}
		sw_buf_addch(b, '}');
		break;
	}
}

/* Every member of obj must be in `known` (NULL-terminated). */
static int check_members(struct rd *rd, const struct sw_json *obj, const char *const *known,
			 const char *where)
{
	for (size_t i = 0; i < obj->n; i++) {
		const char *k = obj->u.members[i].key;
		bool ok = false;
		for (size_t j = 0; known[j] && !ok; j++)
			ok = !strcmp(known[j], k);
		if (!ok)
			return fail(rd, "%s: unknown member '%s'", where, k);
	}
	return 0;
}

/* A string member: required or not; a number is refused (ids are text). */
static int get_str(struct rd *rd, const struct sw_json *obj, const char *key, bool required,
		   const char *where, char **out)
{
	const struct sw_json *v = sw_json_get(obj, key);
	if (!v || v->type == SW_JSON_NULL) {
		if (required)
			return fail(rd, "%s: '%s' is missing", where, key);
		return 0;
	}
	if (v->type == SW_JSON_INTEGER) {
		*out = sw_xasprintf("%lld", v->u.i);
		return 0;
	}
	if (v->type != SW_JSON_STRING)
		return fail(rd, "%s: '%s' must be a string", where, key);
	if (required && !*v->u.s)
		return fail(rd, "%s: '%s' is empty", where, key);
	*out = sw_xstrdup(v->u.s);
	return 0;
}

/* One of two namings (v1, v2) of the same member; both at once is an error. */
static const struct sw_json *either(struct rd *rd, const struct sw_json *obj, const char *v1,
				    const char *v2, const char *where, int *rc)
{
	const struct sw_json *a = sw_json_get(obj, v1), *b = sw_json_get(obj, v2);
	if (a && b) {
		*rc = fail(rd, "%s: both '%s' and '%s' given (one naming only)", where, v1, v2);
		return NULL;
	}
	return a ? a : b;
}

static int get_str_list(struct rd *rd, const struct sw_json *v, const char *key, const char *where,
			struct sw_vec *out)
{
	if (!v || v->type == SW_JSON_NULL)
		return 0;
	if (v->type != SW_JSON_ARRAY)
		return fail(rd, "%s: '%s' must be a list of ids", where, key);
	for (size_t i = 0; i < v->n; i++) {
		if (v->u.items[i].type != SW_JSON_STRING)
			return fail(rd, "%s: '%s' item %zu is not a string", where, key, i + 1);
		sw_vec_push_strdup(out, v->u.items[i].u.s);
	}
	return 0;
}

/* ---- params ----------------------------------------------------------- */

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return sw_xstrndup(s, n);
}

static const char *const cmp_names[] = { "=", "!=", "<", ">", "<=", ">=", NULL };

static int parse_value(const struct sw_pspec *ps, const char *raw, struct sw_pval *pv, char *why,
		       size_t whylen)
{
	char *end;
	switch (ps->kind) {
	case PK_STR:
		return 0;
	case PK_ENUM:
		for (int i = 0; ps->values[i]; i++)
			if (!strcasecmp(ps->values[i], raw)) {
				pv->e = i;
				return 0;
			}
		{
			struct sw_buf b = SW_BUF_INIT;
			for (int i = 0; ps->values[i]; i++)
				sw_buf_addf(&b, "%s%s", i ? ", " : "", ps->values[i]);
			snprintf(why, whylen, "expected one of %s", b.data);
			sw_buf_release(&b);
		}
		return -1;
	case PK_CMP:
		for (int i = 0; cmp_names[i]; i++)
			if (!strcmp(cmp_names[i], raw)) {
				pv->e = i;
				return 0;
			}
		snprintf(why, whylen, "expected one of =, !=, <, >, <=, >=");
		return -1;
	case PK_INT:
		pv->i = strtoll(raw, &end, 10);
		if (!*raw || *end || pv->i < 0 || !isdigit((unsigned char)*raw)) {
			snprintf(why, whylen, "expected a whole number >= 0");
			return -1;
		}
		return 0;
	case PK_FLOAT:
		pv->d = strtod(raw, &end);
		if (!*raw || *end || !(pv->d >= 0 && pv->d <= 1e9) || isspace((unsigned char)*raw)) {
			snprintf(why, whylen, "expected a number >= 0");
			return -1;
		}
		return 0;
	case PK_BOOL:
		if (!strcasecmp(raw, "true"))
			pv->b = true;
		else if (!strcasecmp(raw, "false"))
			pv->b = false;
		else {
			snprintf(why, whylen, "expected true or false");
			return -1;
		}
		return 0;
	case PK_LIST:
	case PK_NUMLIST: {
		const char *p = raw;
		for (;;) {
			size_t n = strcspn(p, ",");
			char *item = trim_dup(p, n);
			if (!*item) {
				free(item);
				snprintf(why, whylen, "empty item in the comma-separated list");
				return -1;
			}
			if (ps->kind == PK_NUMLIST) {
				long long x = strtoll(item, &end, 10);
				if (*end || x < 0 || !isdigit((unsigned char)*item)) {
					snprintf(why, whylen, "'%.60s' is not a whole number", item);
					free(item);
					return -1;
				}
			}
			sw_vec_push(&pv->list, item);
			if (!p[n])
				break;
			p += n + 1;
		}
		return 0;
	}
	case PK_REGEX:
		pv->re = sw_policy_re_compile(raw, why, whylen);
		return pv->re ? 0 : -1;
	}
	return 0;
}

static void pval_release(struct sw_pval *pv)
{
	free(pv->raw);
	sw_vec_free_strings(&pv->list);
	pcre2_code_free(pv->re);
	memset(pv, 0, sizeof(*pv));
}

static const struct sw_gspec *find_gate(const char *name)
{
	for (const struct sw_gspec *g = sw_policy_gates; g->name; g++)
		if (!strcasecmp(g->name, name))
			return g;
	return NULL;
}

static const struct sw_tspec *find_trigger(const struct sw_gspec *g, const char *name)
{
	for (const struct sw_tspec *t = g->triggers; t->name; t++)
		if (!strcasecmp(t->name, name) || (t->alias && !strcasecmp(t->alias, name)))
			return t;
	return NULL;
}

static char *value_text(const struct sw_json *v)
{
	switch (v->type) {
	case SW_JSON_STRING: return sw_xstrdup(v->u.s);
	case SW_JSON_INTEGER: return sw_xasprintf("%lld", v->u.i);
	case SW_JSON_REAL: return sw_xasprintf("%g", v->u.d);
	case SW_JSON_TRUE: return sw_xstrdup("true");
	case SW_JSON_FALSE: return sw_xstrdup("false");
	default: return NULL;
	}
}

static void rule_free(struct sw_policy_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->gate);
	free(r->trigger);
	free(r->recommendation);
	free(r->params_text);
	for (int i = 0; i < SW_POLICY_MAX_PARAMS; i++)
		pval_release(&r->p[i]);
	free(r);
}

static int read_rule(struct rd *rd, const struct sw_policy_set *set, const struct sw_json *j,
		     size_t idx, struct sw_policy_rule **out)
{
	static const char *const known[] = { "id", "gate", "trigger", "action", "params",
					     "recommendation", "comment", "description", NULL };
	char where[256];
	snprintf(where, sizeof(where), "rule set '%.80s' rule %zu", set->id, idx + 1);
	if (!sw_json_is(j, SW_JSON_OBJECT))
		return fail(rd, "%s: not an object", where);
	struct sw_policy_rule *r = sw_xcalloc(1, sizeof(*r));
	char *action = NULL;
	int rc = -1;
	if (get_str(rd, j, "id", false, where, &r->id) < 0)
		goto out;
	if (!r->id)
		r->id = sw_xasprintf("%s:%zu", set->id, idx + 1);
	snprintf(where, sizeof(where), "rule '%.100s'", r->id);
	if (check_members(rd, j, known, where) < 0 || get_str(rd, j, "gate", true, where, &r->gate) < 0 ||
	    get_str(rd, j, "trigger", true, where, &r->trigger) < 0 ||
	    get_str(rd, j, "action", true, where, &action) < 0 ||
	    get_str(rd, j, "recommendation", false, where, &r->recommendation) < 0)
		goto out;
	if (!strcasecmp(action, "stop"))
		r->action = SW_POLICY_STOP;
	else if (!strcasecmp(action, "warn"))
		r->action = SW_POLICY_WARN;
	else if (!strcasecmp(action, "go"))
		r->action = SW_POLICY_GO;
	else {
		fail(rd, "%s: action '%.40s' is not STOP, WARN or GO", where, action);
		goto out;
	}
	r->g = find_gate(r->gate);
	if (!r->g) {
		struct sw_buf b = SW_BUF_INIT;
		for (const struct sw_gspec *g = sw_policy_gates; g->name; g++)
			sw_buf_addf(&b, "%s%s", g == sw_policy_gates ? "" : ", ", g->name);
		fail(rd, "%s: unknown gate '%.60s' (gates: %s)", where, r->gate, b.data);
		sw_buf_release(&b);
		goto out;
	}
	r->t = find_trigger(r->g, r->trigger);
	if (!r->t) {
		struct sw_buf b = SW_BUF_INIT;
		for (const struct sw_tspec *t = r->g->triggers; t->name; t++)
			sw_buf_addf(&b, "%s%s", t == r->g->triggers ? "" : ", ", t->name);
		fail(rd, "%s: unknown trigger '%.60s' for gate '%s' (triggers: %s)", where, r->trigger,
		     r->g->name, b.data);
		sw_buf_release(&b);
		goto out;
	}
	snprintf(where, sizeof(where), "rule '%.100s' (%s.%s)", r->id, r->g->name, r->trigger);
	const struct sw_json *params = sw_json_get(j, "params");
	if (params && params->type != SW_JSON_NULL && params->type != SW_JSON_ARRAY) {
		fail(rd, "%s: 'params' must be a list of {name, value}", where);
		goto out;
	}
	struct sw_buf text = SW_BUF_INIT;
	for (size_t i = 0; params && i < sw_json_array_len(params); i++) {
		const struct sw_json *pj = sw_json_at(params, i);
		static const char *const pknown[] = { "name", "value", NULL };
		const char *pname = sw_json_get_str(pj, "name");
		const struct sw_json *pv = sw_json_get(pj, "value");
		if (!sw_json_is(pj, SW_JSON_OBJECT) || !pname) {
			fail(rd, "%s: param %zu has no name", where, i + 1);
			goto params_out;
		}
		if (check_members(rd, pj, pknown, where) < 0)
			goto params_out;
		int k = sw_policy_param_index(r->t, pname);
		if (k < 0) {
			struct sw_buf b = SW_BUF_INIT;
			for (const struct sw_pspec *ps = r->t->params; ps && ps->name; ps++)
				sw_buf_addf(&b, "%s%s", ps == r->t->params ? "" : ", ", ps->name);
			fail(rd, "%s: unknown param '%.60s' (params: %s)", where, pname,
			     b.len ? b.data : "none");
			sw_buf_release(&b);
			goto params_out;
		}
		if (r->p[k].set) {
			fail(rd, "%s: param '%s' given twice", where, pname);
			goto params_out;
		}
		char *raw = pv ? value_text(pv) : NULL;
		if (!raw) {
			fail(rd, "%s: param '%s': value must be a string", where, pname);
			goto params_out;
		}
		r->p[k].set = true;
		r->p[k].raw = raw;
		char why[200] = "";
		if (parse_value(&r->t->params[k], raw, &r->p[k], why, sizeof(why)) < 0) {
			fail(rd, "%s: param '%s': bad value '%.80s': %s", where, pname, raw, why);
			goto params_out;
		}
		sw_buf_addf(&text, "%s%s=%s", text.len ? ", " : "", r->t->params[k].name, raw);
	}
	for (int k = 0; r->t->params && r->t->params[k].name; k++)
		if (r->t->params[k].required && !r->p[k].set) {
			fail(rd, "%s: required param '%s' is missing", where, r->t->params[k].name);
			goto params_out;
		}
	if (r->t->check) {
		char why[200] = "";
		const char *param = "?";
		if (r->t->check(r, why, sizeof(why), &param) < 0) {
			fail(rd, "%s: param '%s': %s", where, param, why);
			goto params_out;
		}
	}
	r->params_text = sw_buf_detach(&text, NULL);
	*out = r;
	r = NULL;
	rc = 0;
params_out:
	sw_buf_release(&text);
out:
	free(action);
	rule_free(r);
	return rc;
}

static void set_free(struct sw_policy_set *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->name);
	for (size_t i = 0; i < s->rules.len; i++)
		rule_free(s->rules.items[i]);
	sw_vec_release(&s->rules);
	free(s);
}

static int read_set(struct rd *rd, const struct sw_json *j, size_t idx)
{
	static const char *const known[] = { "id", "name", "version", "comment", "description",
					     "rules", "last_updated", "policy_id", NULL };
	char where[160];
	snprintf(where, sizeof(where), "rule set %zu", idx + 1);
	if (!sw_json_is(j, SW_JSON_OBJECT))
		return fail(rd, "%s: not an object", where);
	struct sw_policy_set *s = sw_xcalloc(1, sizeof(*s));
	sw_vec_push(&rd->b->sets, s);
	if (get_str(rd, j, "id", true, where, &s->id) < 0)
		return -1;
	snprintf(where, sizeof(where), "rule set '%.100s'", s->id);
	if (check_members(rd, j, known, where) < 0 || get_str(rd, j, "name", false, where, &s->name) < 0)
		return -1;
	for (size_t i = 0; i + 1 < rd->b->sets.len; i++)
		if (!strcmp(((struct sw_policy_set *)rd->b->sets.items[i])->id, s->id))
			return fail(rd, "duplicate rule set id '%.100s'", s->id);
	const struct sw_json *rules = sw_json_get(j, "rules");
	if (rules && rules->type != SW_JSON_ARRAY)
		return fail(rd, "%s: 'rules' must be a list", where);
	for (size_t i = 0; i < sw_json_array_len(rules); i++) {
		struct sw_policy_rule *r = NULL;
		if (read_rule(rd, s, sw_json_at(rules, i), i, &r) < 0)
			return -1;
		for (size_t k = 0; k < s->rules.len; k++)
			if (!strcmp(((struct sw_policy_rule *)s->rules.items[k])->id, r->id)) {
				fail(rd, "%s: duplicate rule id '%.100s'", where, r->id);
				rule_free(r);
				return -1;
			}
		sw_vec_push(&s->rules, r);
	}
	return 0;
}

static void allowlist_free(struct sw_allowlist *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->items.len; i++) {
		struct sw_allow_item *it = a->items.items[i];
		free(it->id);
		free(it->gate);
		free(it->trigger_id);
		free(it->expires_text);
		free(it);
	}
	sw_vec_release(&a->items);
	free(a->id);
	free(a->name);
	free(a);
}

static int read_allowlist(struct rd *rd, const struct sw_json *j, size_t idx)
{
	static const char *const known[] = { "id", "name", "version", "comment", "description",
					     "items", "last_updated", NULL };
	static const char *const iknown[] = { "id", "gate", "trigger_id", "expires_on", "comment",
					      "description", NULL };
	char where[200];
	snprintf(where, sizeof(where), "allowlist %zu", idx + 1);
	if (!sw_json_is(j, SW_JSON_OBJECT))
		return fail(rd, "%s: not an object", where);
	struct sw_allowlist *a = sw_xcalloc(1, sizeof(*a));
	sw_vec_push(&rd->b->allowlists, a);
	if (get_str(rd, j, "id", true, where, &a->id) < 0)
		return -1;
	snprintf(where, sizeof(where), "allowlist '%.100s'", a->id);
	if (check_members(rd, j, known, where) < 0 || get_str(rd, j, "name", false, where, &a->name) < 0)
		return -1;
	for (size_t i = 0; i + 1 < rd->b->allowlists.len; i++)
		if (!strcmp(((struct sw_allowlist *)rd->b->allowlists.items[i])->id, a->id))
			return fail(rd, "duplicate allowlist id '%.100s'", a->id);
	const struct sw_json *items = sw_json_get(j, "items");
	if (items && items->type != SW_JSON_ARRAY)
		return fail(rd, "%s: 'items' must be a list", where);
	for (size_t i = 0; i < sw_json_array_len(items); i++) {
		const struct sw_json *ij = sw_json_at(items, i);
		char iw[400];
		snprintf(iw, sizeof(iw), "%s item %zu", where, i + 1);
		if (!sw_json_is(ij, SW_JSON_OBJECT))
			return fail(rd, "%s: not an object", iw);
		struct sw_allow_item *it = sw_xcalloc(1, sizeof(*it));
		sw_vec_push(&a->items, it);
		if (get_str(rd, ij, "id", false, iw, &it->id) < 0)
			return -1;
		if (!it->id)
			it->id = sw_xasprintf("%s:%zu", a->id, i + 1);
		snprintf(iw, sizeof(iw), "%s item '%.100s'", where, it->id);
		if (check_members(rd, ij, iknown, iw) < 0 || get_str(rd, ij, "gate", true, iw, &it->gate) < 0 ||
		    get_str(rd, ij, "trigger_id", true, iw, &it->trigger_id) < 0 ||
		    get_str(rd, ij, "expires_on", false, iw, &it->expires_text) < 0)
			return -1;
		if (!find_gate(it->gate))
			return fail(rd, "%s: unknown gate '%.60s'", iw, it->gate);
		for (size_t k = 0; k + 1 < a->items.len; k++)
			if (!strcmp(((struct sw_allow_item *)a->items.items[k])->id, it->id))
				return fail(rd, "%s: duplicate item id '%.100s'", where, it->id);
		if (it->expires_text && *it->expires_text &&
		    sw_policy_parse_time(it->expires_text, &it->expires_on) < 0)
			return fail(rd, "%s: expires_on '%.60s' is not a date (YYYY-MM-DD or RFC 3339 "
				    "YYYY-MM-DDTHH:MM:SSZ)", iw, it->expires_text);
	}
	return 0;
}

static void sel_free(struct sw_image_sel *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->name);
	free(s->registry);
	free(s->repository);
	free(s->image_type);
	free(s->image_value);
	free(s->json);
	sw_vec_free_strings(&s->policy_ids);
	sw_vec_free_strings(&s->allowlist_ids);
	free(s);
}

/* A mapping (is_mapping) or an allowed/denied image entry. */
static int read_sel(struct rd *rd, const struct sw_json *j, size_t idx, const char *what,
		    bool is_mapping, struct sw_vec *into)
{
	static const char *const mknown[] = { "id", "name", "registry", "repository", "image",
					      "policy_id", "policy_ids", "rule_set_ids",
					      "whitelist_ids", "allowlist_ids", "comment", NULL };
	static const char *const iknown[] = { "id", "name", "registry", "repository", "image",
					      "comment", NULL };
	char where[200];
	snprintf(where, sizeof(where), "%s %zu", what, idx + 1);
	if (!sw_json_is(j, SW_JSON_OBJECT))
		return fail(rd, "%s: not an object", where);
	struct sw_image_sel *s = sw_xcalloc(1, sizeof(*s));
	sw_vec_push(into, s);
	if (get_str(rd, j, "id", false, where, &s->id) < 0)
		return -1;
	if (!s->id)
		s->id = sw_xasprintf("%s-%zu", is_mapping ? "mapping" : "image", idx + 1);
	snprintf(where, sizeof(where), "%s '%.100s'", what, s->id);
	if (check_members(rd, j, is_mapping ? mknown : iknown, where) < 0 ||
	    get_str(rd, j, "name", false, where, &s->name) < 0 ||
	    get_str(rd, j, "registry", true, where, &s->registry) < 0 ||
	    get_str(rd, j, "repository", true, where, &s->repository) < 0)
		return -1;
	for (size_t i = 0; i + 1 < into->len; i++)
		if (!strcmp(((struct sw_image_sel *)into->items[i])->id, s->id))
			return fail(rd, "duplicate %s id '%.100s'", what, s->id);
	const struct sw_json *img = sw_json_get(j, "image");
	if (!sw_json_is(img, SW_JSON_OBJECT))
		return fail(rd, "%s: 'image' must be an object {type, value}", where);
	static const char *const imgknown[] = { "type", "value", NULL };
	if (check_members(rd, img, imgknown, where) < 0 ||
	    get_str(rd, img, "type", true, where, &s->image_type) < 0 ||
	    get_str(rd, img, "value", true, where, &s->image_value) < 0)
		return -1;
	if (strcmp(s->image_type, "tag") && strcmp(s->image_type, "id") && strcmp(s->image_type, "digest"))
		return fail(rd, "%s: image type '%.40s' is not tag, id or digest", where, s->image_type);
	struct sw_buf b = SW_BUF_INIT;
	sw_policy_json_dump(&b, j);
	s->json = sw_buf_detach(&b, NULL);
	if (!is_mapping)
		return 0;
	int rc = 0;
	const struct sw_json *one = sw_json_get(j, "policy_id");
	const struct sw_json *many = either(rd, j, "policy_ids", "rule_set_ids", where, &rc);
	if (rc < 0)
		return -1;
	if (one && many)
		return fail(rd, "%s: both 'policy_id' and a list of rule set ids given", where);
	if (one) {
		char *id = NULL;
		if (get_str(rd, j, "policy_id", true, where, &id) < 0)
			return -1;
		sw_vec_push(&s->policy_ids, id);
	} else if (get_str_list(rd, many, "rule_set_ids", where, &s->policy_ids) < 0) {
		return -1;
	}
	if (!s->policy_ids.len)
		return fail(rd, "%s: names no rule set (policy_id, policy_ids or rule_set_ids)", where);
	const struct sw_json *al = either(rd, j, "whitelist_ids", "allowlist_ids", where, &rc);
	if (rc < 0 || get_str_list(rd, al, "allowlist_ids", where, &s->allowlist_ids) < 0)
		return -1;
	return 0;
}

static int read_list(struct rd *rd, const struct sw_json *root, const char *v1, const char *v2,
		     int (*fn)(struct rd *, const struct sw_json *, size_t))
{
	int rc = 0;
	const struct sw_json *l = either(rd, root, v1, v2, "bundle", &rc);
	if (rc < 0)
		return -1;
	if (!l || l->type == SW_JSON_NULL)
		return 0;
	if (l->type != SW_JSON_ARRAY)
		return fail(rd, "'%s' must be a list", v2);
	for (size_t i = 0; i < l->n; i++)
		if (fn(rd, &l->u.items[i], i) < 0)
			return -1;
	return 0;
}

static int read_sels(struct rd *rd, const struct sw_json *root, const char *v1, const char *v2,
		     const char *what, bool is_mapping, struct sw_vec *into)
{
	int rc = 0;
	const struct sw_json *l = v2 ? either(rd, root, v1, v2, "bundle", &rc) : sw_json_get(root, v1);
	if (rc < 0)
		return -1;
	if (!l || l->type == SW_JSON_NULL)
		return 0;
	if (l->type != SW_JSON_ARRAY)
		return fail(rd, "'%s' must be a list", v2 ? v2 : v1);
	for (size_t i = 0; i < l->n; i++)
		if (read_sel(rd, &l->u.items[i], i, what, is_mapping, into) < 0)
			return -1;
	return 0;
}

static int link_mappings(struct rd *rd)
{
	struct sw_policy_bundle *b = rd->b;
	for (size_t i = 0; i < b->mappings.len; i++) {
		struct sw_image_sel *m = b->mappings.items[i];
		for (size_t k = 0; k < m->policy_ids.len; k++) {
			bool found = false;
			for (size_t s = 0; s < b->sets.len && !found; s++)
				found = !strcmp(((struct sw_policy_set *)b->sets.items[s])->id,
						m->policy_ids.items[k]);
			if (!found)
				return fail(rd, "mapping '%.100s' names rule set '%.100s', which the bundle "
					    "does not have", m->id, (char *)m->policy_ids.items[k]);
		}
		for (size_t k = 0; k < m->allowlist_ids.len; k++) {
			bool found = false;
			for (size_t s = 0; s < b->allowlists.len && !found; s++)
				found = !strcmp(((struct sw_allowlist *)b->allowlists.items[s])->id,
						m->allowlist_ids.items[k]);
			if (!found)
				return fail(rd, "mapping '%.100s' names allowlist '%.100s', which the bundle "
					    "does not have", m->id, (char *)m->allowlist_ids.items[k]);
		}
	}
	return 0;
}

int sw_policy_bundle_load(const char *name, const char *data, size_t len,
			  struct sw_policy_bundle **out, struct sw_err *err)
{
	struct rd rd = { .name = name, .err = err };
	size_t i = 0;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	char *yjson = NULL;
	size_t ylen = 0;
	struct sw_json_doc *doc = NULL;
	int rc = -1;
	if (i == len)
		return fail(&rd, "empty bundle");
	if (data[i] != '{') {
		if (sw_policy_yaml_to_json(name, data, len, &yjson, &ylen, err) < 0)
			return -1;
	}
	if (sw_json_parse(yjson ? yjson : data, yjson ? ylen : len, &doc, err) < 0) {
		/* '{' may also open a YAML flow mapping ({id: b, ...}): try that
		 * before reporting the JSON error */
		struct sw_err yerr = SW_ERR_INIT;
		if (!yjson && sw_policy_yaml_to_json(name, data, len, &yjson, &ylen, &yerr) == 0 &&
		    sw_json_parse(yjson, ylen, &doc, &yerr) == 0)
			goto parsed;
		sw_err_wrap(err, "'%s'%s", name, yjson && data[i] != '{' ? " (yaml)" : "");
		free(yjson);
		return -1;
	}
parsed:;
	const struct sw_json *root = sw_json_root(doc);
	rd.b = sw_xcalloc(1, sizeof(*rd.b));
	static const char *const known[] = {
		"id", "name", "version", "comment", "description", "last_updated", "created_at",
		"policies", "rule_sets", "whitelists", "allowlists", "mappings", "whitelisted_images",
		"allowlisted_images", "blacklisted_images", "denylisted_images", NULL
	};
	if (!sw_json_is(root, SW_JSON_OBJECT)) {
		fail(&rd, "a bundle is a JSON object");
		goto out;
	}
	if (check_members(&rd, root, known, "bundle") < 0 ||
	    get_str(&rd, root, "id", true, "bundle", &rd.b->id) < 0 ||
	    get_str(&rd, root, "name", false, "bundle", &rd.b->name) < 0 ||
	    get_str(&rd, root, "version", false, "bundle", &rd.b->version) < 0)
		goto out;
	if (rd.b->version && strcmp(rd.b->version, "1_0") && strcmp(rd.b->version, "2_0")) {
		fail(&rd, "unknown bundle version '%.40s' (1_0 or 2_0)", rd.b->version);
		goto out;
	}
	if (read_list(&rd, root, "policies", "rule_sets", read_set) < 0 ||
	    read_list(&rd, root, "whitelists", "allowlists", read_allowlist) < 0 ||
	    read_sels(&rd, root, "mappings", NULL, "mapping", true, &rd.b->mappings) < 0 ||
	    read_sels(&rd, root, "whitelisted_images", "allowlisted_images", "allowlisted image", false,
		      &rd.b->allowed) < 0 ||
	    read_sels(&rd, root, "blacklisted_images", "denylisted_images", "denylisted image", false,
		      &rd.b->denied) < 0 ||
	    link_mappings(&rd) < 0)
		goto out;
	if (!rd.b->mappings.len) {
		fail(&rd, "no mappings: no image would be evaluated");
		goto out;
	}
	*out = rd.b;
	rd.b = NULL;
	rc = 0;
out:
	sw_policy_bundle_free(rd.b);
	sw_json_doc_free(doc);
	free(yjson);
	return rc;
}

int sw_policy_bundle_load_file(const char *path, struct sw_policy_bundle **out, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	int rc = sw_buf_read_file(&b, path, BUNDLE_MAX_FILE, err);
	if (rc == 0)
		rc = sw_policy_bundle_load(path, b.data, b.len, out, err);
	sw_buf_release(&b);
	return rc;
}

int sw_policy_bundle_load_arg(const char *arg, struct sw_policy_bundle **out, struct sw_err *err)
{
	if (!strcmp(arg, "default")) {
		const char *t = sw_policy_default_bundle();
		return sw_policy_bundle_load("(built-in default bundle)", t, strlen(t), out, err);
	}
	return sw_policy_bundle_load_file(arg, out, err);
}

void sw_policy_bundle_free(struct sw_policy_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->sets.len; i++)
		set_free(b->sets.items[i]);
	sw_vec_release(&b->sets);
	for (size_t i = 0; i < b->allowlists.len; i++)
		allowlist_free(b->allowlists.items[i]);
	sw_vec_release(&b->allowlists);
	struct sw_vec *sels[] = { &b->mappings, &b->allowed, &b->denied };
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < sels[k]->len; i++)
			sel_free(sels[k]->items[i]);
		sw_vec_release(sels[k]);
	}
	free(b->id);
	free(b->name);
	free(b->version);
	free(b);
}

void sw_policy_bundle_stats(const struct sw_policy_bundle *b, struct sw_policy_bundle_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->id = b->id;
	out->name = b->name;
	out->rule_sets = b->sets.len;
	for (size_t i = 0; i < b->sets.len; i++)
		out->rules += ((struct sw_policy_set *)b->sets.items[i])->rules.len;
	out->allowlists = b->allowlists.len;
	for (size_t i = 0; i < b->allowlists.len; i++)
		out->allowlist_items += ((struct sw_allowlist *)b->allowlists.items[i])->items.len;
	out->mappings = b->mappings.len;
	out->allowed_images = b->allowed.len;
	out->denied_images = b->denied.len;
}

/* ---- shared helpers (internal.h) -------------------------------------- */

int sw_policy_param_index(const struct sw_tspec *t, const char *name)
{
	for (int k = 0; t->params && t->params[k].name; k++)
		if (!strcasecmp(t->params[k].name, name))
			return k;
	return -1;
}

const struct sw_pval *sw_policy_param(const struct sw_policy_rule *r, const char *name)
{
	int k = sw_policy_param_index(r->t, name);
	return k >= 0 && r->p[k].set ? &r->p[k] : NULL;
}

pcre2_code *sw_policy_re_compile(const char *pattern, char *why, size_t whylen)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &off,
				       NULL);
	if (!re) {
		char msg[160];
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg));
		snprintf(why, whylen, "regex does not compile at offset %zu: %s", (size_t)off, msg);
	}
	return re;
}

bool sw_policy_glob(const char *pat, const char *s)
{
	/* '*' matches any run (iterative, linear backtracking) */
	const char *star = NULL, *ss = NULL;
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			ss = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

bool sw_policy_cmp_num(enum sw_cmp c, double a, double b)
{
	switch (c) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_GT: return a > b;
	case CMP_LE: return a <= b;
	case CMP_GE: return a >= b;
	}
	return false;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int sw_policy_parse_time(const char *s, long long *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
	if (strlen(s) < 10 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 ||
	    s[7] != '-' || digits(s + 8, 2, &d) < 0)
		return -1;
	const char *p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (digits(p + 1, 2, &h) < 0 || p[3] != ':' || digits(p + 4, 2, &mi) < 0 || p[6] != ':' ||
		    digits(p + 7, 2, &se) < 0)
			return -1;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' || digits(p + 4, 2, &om) < 0)
				return -1;
			p += 6;
		} else {
			return -1;
		}
	}
	if (*p)
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	int yy = mo <= 2 ? y - 1 : y;
	long long era = yy / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;
	*out = days * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	return 0;
}
