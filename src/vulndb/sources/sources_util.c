#include "vulndb/sources/sources_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/buf.h"
#include "util/mem.h"

int sw_src_json_load(const char *path, const uint8_t *data, size_t len, json_t **out,
		     struct sw_err *err)
{
	json_error_t je;
	if (len > SW_SRC_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file too large (%zu bytes)", path, len);
	json_t *root = json_loadb((const char *)data, len, 0, &je);
	if (!root)
		return sw_err_set(err, SW_E_FORMAT, "'%s': bad json at line %d column %d: %s",
				  path, je.line, je.column, je.text);
	*out = root;
	return 0;
}

/* ---- YAML -> jansson ---------------------------------------------------- */

#define YAML_MAX_DEPTH 64

struct yframe {
	json_t *node;   /* object or array */
	char *key;      /* pending mapping key (objects only) */
};

static json_t *yaml_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag) {
		if (n == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0)
			return json_null();
		if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0)
			return json_true();
		if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0)
			return json_false();
	}
	return json_stringn(v, n);
}

/* Attach child to the top frame; a NULL child means allocation failed or
 * an invalid key. Returns 0 or -1 (with *why set). */
static int yaml_attach(struct yframe *top, json_t *child, const char **why)
{
	if (!child) {
		*why = "invalid string (not utf-8?)";
		return -1;
	}
	if (json_is_array(top->node)) {
		json_array_append_new(top->node, child);
		return 0;
	}
	if (!top->key) {
		/* child is the key: only scalars may be keys */
		if (!json_is_string(child)) {
			if (json_is_null(child))
				top->key = sw_xstrdup("");
			else if (json_is_boolean(child))
				top->key = sw_xstrdup(json_is_true(child) ? "true" : "false");
			else {
				json_decref(child);
				*why = "mapping key is not a scalar";
				return -1;
			}
		} else {
			top->key = sw_xstrndup(json_string_value(child), json_string_length(child));
		}
		json_decref(child);
		return 0;
	}
	json_object_set_new(top->node, top->key, child);
	sw_freep(&top->key);
	return 0;
}

int sw_src_yaml_load(const char *path, const uint8_t *data, size_t len, json_t **out,
		     struct sw_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct yframe stack[YAML_MAX_DEPTH];
	int depth = 0, rc = -1;
	json_t *root = NULL;
	const char *why = NULL;
	size_t line = 0;

	if (len > SW_SRC_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file too large (%zu bytes)", path, len);
	if (!yaml_parser_initialize(&p))
		return sw_err_set(err, SW_E_NOMEM, "'%s': cannot start yaml parser", path);
	yaml_parser_set_input_string(&p, data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			sw_err_set(err, SW_E_FORMAT, "'%s': bad yaml at line %zu column %zu: %s",
				   path, p.problem_mark.line + 1, p.problem_mark.column + 1,
				   p.problem ? p.problem : "parse error");
			goto out;
		}
		line = ev.start_mark.line + 1;
		json_t *child = NULL;
		bool push = false, done = false;
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			child = yaml_scalar(&ev);
			if (!child)
				why = "invalid string (not utf-8)";
			break;
		case YAML_SEQUENCE_START_EVENT:
			child = json_array();
			push = true;
			break;
		case YAML_MAPPING_START_EVENT:
			child = json_object();
			push = true;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				free(stack[depth - 1].key);
				depth--;
			}
			if (depth == 0)
				done = true;
			break;
		case YAML_ALIAS_EVENT:
			why = "yaml aliases are not supported";
			break;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (why) {
			json_decref(child);
			goto bad;
		}
		if (child) {
			if (depth == 0) {
				if (root) {
					json_decref(child);
					done = true;
				} else {
					root = child;
					if (!push)
						done = true;
				}
			} else {
				json_incref(child);
				if (yaml_attach(&stack[depth - 1], child, &why) < 0) {
					json_decref(child);
					goto bad;
				}
				/* a container used as a key was refused above; as a value it
				 * stays referenced by us until popped */
				json_decref(child);
			}
			if (push && !done) {
				if (depth >= YAML_MAX_DEPTH) {
					why = "nesting too deep";
					goto bad;
				}
				stack[depth].node = child;
				stack[depth].key = NULL;
				depth++;
			}
		}
		if (done)
			break;
	}
	if (!root)
		root = json_null();
	*out = root;
	root = NULL;
	rc = 0;
	goto out;
bad:
	sw_err_set(err, SW_E_FORMAT, "'%s': bad yaml at line %zu: %s", path, line, why);
out:
	while (depth > 0)
		free(stack[--depth].key);
	json_decref(root);
	yaml_parser_delete(&p);
	return rc;
}

/* ---- typed access --------------------------------------------------------- */

static json_t *get_typed(const json_t *obj, const char *key, json_type t, bool *bad)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) != t) {
		if (bad)
			*bad = true;
		return NULL;
	}
	return v;
}

const char *sw_src_get_str(const json_t *obj, const char *key, bool *bad)
{
	json_t *v = get_typed(obj, key, JSON_STRING, bad);
	return v ? json_string_value(v) : NULL;
}

json_t *sw_src_get_obj(const json_t *obj, const char *key, bool *bad)
{
	return get_typed(obj, key, JSON_OBJECT, bad);
}

json_t *sw_src_get_arr(const json_t *obj, const char *key, bool *bad)
{
	return get_typed(obj, key, JSON_ARRAY, bad);
}

double sw_src_get_num(const json_t *obj, const char *key, bool *bad)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return -1;
	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		errno = 0;
		double d = strtod(s, &end);
		if (end != s && *end == '\0' && errno == 0 && d >= 0 && d <= 1e9)
			return d;
	}
	if (bad)
		*bad = true;
	return -1;
}

/* ---- sink helpers ------------------------------------------------------- */

void sw_src_bad(const struct sw_vuln_sink *sink, const char *path, const char *record,
		const char *fmt, ...)
{
	if (!sink || !sink->bad_record)
		return;
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sink->bad_record(sink->ctx, path, record ? record : "", what);
}

int sw_src_put(const struct sw_vuln_sink *sink, const char *path, const struct sw_vuln *v,
	       struct sw_err *err)
{
	if (!sink->put_vuln)
		return 0;
	if (sink->put_vuln(sink->ctx, v, err) < 0)
		return sw_err_wrap(err, "'%s': record '%s'", path, v->id);
	return 0;
}

void sw_src_push_unique(struct sw_vec *v, const char *s)
{
	if (!s || !*s || sw_vec_find_str(v, s) >= 0)
		return;
	sw_vec_push_strdup(v, s);
}

const char *sw_src_rating_from_score(double score, bool is_v2)
{
	if (score < 0)
		return "unknown";
	if (is_v2)
		return score >= 7.0 ? "high" : score >= 4.0 ? "medium" : "low";
	if (score == 0)
		return "none";
	return score >= 9.0 ? "critical" : score >= 7.0 ? "high" : score >= 4.0 ? "medium" : "low";
}

char *sw_src_lower(const char *s)
{
	if (!s)
		return NULL;
	char *r = sw_xstrdup(s);
	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

void sw_src_add_severity(struct sw_vuln *v, const char *source, const char *type,
			 const char *vector, double score, const char *rating)
{
	for (size_t i = 0; i < v->severities.len; i++) {
		struct sw_severity *s = v->severities.items[i];
		if (sw_streq(s->source, source) && sw_streq(s->type, type) &&
		    ((!s->vector && !vector) || sw_streq(s->vector, vector)))
			return;
	}
	sw_vec_push(&v->severities, sw_severity_new(source, type, vector, score, rating));
}

struct sw_affected *sw_src_affected(struct sw_vuln *v, const char *ecosystem,
				    const char *package, enum sw_vuln_status status)
{
	for (size_t i = 0; i < v->affected.len; i++) {
		struct sw_affected *a = v->affected.items[i];
		if (a->status == status && sw_streq(a->ecosystem, ecosystem) &&
		    sw_streq(a->package, package))
			return a;
	}
	struct sw_affected *a = sw_affected_new(ecosystem, package);
	a->status = status;
	sw_vec_push(&v->affected, a);
	return a;
}

void sw_src_add_fixed_range(struct sw_affected *a, const char *fixed)
{
	for (size_t i = 0; i < a->ranges.len; i++) {
		struct sw_range *r = a->ranges.items[i];
		for (size_t j = 0; j < r->events.len; j++) {
			struct sw_event *e = r->events.items[j];
			if (e->kind == SW_EV_FIXED && sw_streq(e->version, fixed))
				return;
		}
	}
	struct sw_range *r = sw_range_new("ECOSYSTEM");
	sw_range_add_event(r, SW_EV_INTRODUCED, "0");
	sw_range_add_event(r, SW_EV_FIXED, fixed);
	sw_vec_push(&a->ranges, r);
}

/* ---- grouping ------------------------------------------------------------- */

void sw_src_group_init(struct sw_src_group *g, const char *source)
{
	memset(g, 0, sizeof(*g));
	g->source = source;
}

struct sw_vuln *sw_src_group_get(struct sw_src_group *g, const char *id)
{
	struct sw_vuln *v = sw_map_get(&g->by_id, id);
	if (v)
		return v;
	v = sw_vuln_new(id, g->source);
	sw_map_put(&g->by_id, id, v);
	sw_vec_push(&g->order, v);
	return v;
}

void sw_src_group_drop(struct sw_src_group *g, const char *id)
{
	struct sw_vuln *v = sw_map_del(&g->by_id, id);
	if (!v)
		return;
	for (size_t i = 0; i < g->order.len; i++) {
		if (g->order.items[i] == v) {
			memmove(&g->order.items[i], &g->order.items[i + 1],
				(g->order.len - i - 1) * sizeof(void *));
			g->order.len--;
			break;
		}
	}
	sw_vuln_free(v);
}

int sw_src_group_emit(struct sw_src_group *g, const struct sw_vuln_sink *sink,
		      const char *path, struct sw_err *err)
{
	for (size_t i = 0; i < g->order.len; i++)
		if (sw_src_put(sink, path, g->order.items[i], err) < 0)
			return -1;
	return 0;
}

void sw_src_group_release(struct sw_src_group *g)
{
	for (size_t i = 0; i < g->order.len; i++)
		sw_vuln_free(g->order.items[i]);
	sw_vec_release(&g->order);
	sw_map_release(&g->by_id);
}

/* ---- CSV ------------------------------------------------------------------ */

int sw_src_csv_next(const char *data, size_t len, size_t *pos, struct sw_vec *fields)
{
	size_t i = *pos;
	struct sw_buf f = SW_BUF_INIT;
	int rc = 1;

	sw_vec_free_strings(fields);
	if (i >= len)
		return 0;
	for (;;) {
		sw_buf_reset(&f);
		if (i < len && data[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					rc = -1;
					goto end;
				}
				if (data[i] == '"') {
					if (i + 1 < len && data[i + 1] == '"') {
						sw_buf_addch(&f, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				sw_buf_addch(&f, data[i++]);
			}
			/* junk after a closing quote up to the separator is kept */
			while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
				sw_buf_addch(&f, data[i++]);
		} else {
			while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
				sw_buf_addch(&f, data[i++]);
		}
		sw_vec_push_strdup(fields, f.data);
		if (i < len && data[i] == ',') {
			i++;
			continue;
		}
		break;
	}
end:
	if (rc < 0) {
		/* skip to the end of the line where the bad record started */
		i = *pos;
		while (i < len && data[i] != '\n')
			i++;
	}
	if (i < len && data[i] == '\r')
		i++;
	if (i < len && data[i] == '\n')
		i++;
	*pos = i;
	sw_buf_release(&f);
	return rc;
}

bool sw_src_is_advisory_id(const char *s)
{
	size_t n = 0;
	while (s[n] >= 'A' && s[n] <= 'Z')
		n++;
	return n >= 2 && s[n] == '-' && s[n + 1] != '\0';
}

bool sw_src_name_is(const char *path, const char *needle, const char *ext)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *low = sw_src_lower(base);
	size_t n = strlen(low);
	static const char *const comp[] = { ".gz", ".xz", ".zst", ".bz2" };
	for (size_t i = 0; i < sizeof(comp) / sizeof(comp[0]); i++) {
		size_t m = strlen(comp[i]);
		if (n > m && strcmp(low + n - m, comp[i]) == 0) {
			n -= m;
			low[n] = '\0';
			break;
		}
	}
	bool ok = (!needle || strstr(low, needle)) && sw_ends_with(low, ext);
	free(low);
	return ok;
}

bool sw_src_parse_double(const char *s, double *out)
{
	char *end = NULL;
	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	double d = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || d != d)
		return false;
	*out = d;
	return true;
}

int sw_src_csv_open(struct sw_src_csv *c, const char *path, const uint8_t *data, size_t len, size_t start,
		    const char *const *cols, size_t ncols, struct sw_err *err)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->data = (const char *)data;
	c->len = len;
	c->pos = start;
	c->ncols = ncols < SW_SRC_CSV_MAX_COLS ? ncols : SW_SRC_CSV_MAX_COLS;
	if (c->pos + 3 <= len && memcmp(c->data + c->pos, "\xef\xbb\xbf", 3) == 0)
		c->pos += 3;
	for (size_t i = 0; i < start && i < len; i++)
		c->line += c->data[i] == '\n';
	c->line++;
	if (sw_src_csv_next(c->data, len, &c->pos, &c->fields) != 1)
		return sw_err_set(err, SW_E_FORMAT, "'%s': empty or bad csv header", path);
	for (size_t i = 0; i < c->ncols; i++)
		c->at[i] = sw_vec_find_str(&c->fields, cols[i]);
	return 0;
}

int sw_src_csv_row(struct sw_src_csv *c, const struct sw_vuln_sink *sink, const char **v)
{
	for (;;) {
		c->line++;
		int r = sw_src_csv_next(c->data, c->len, &c->pos, &c->fields);
		if (r == 0)
			return 0;
		snprintf(c->where, sizeof(c->where), "line %zu", c->line);
		if (r < 0) {
			sw_src_bad(sink, c->path, c->where, "unterminated quoted field");
			continue;
		}
		if (c->fields.len == 1 && ((char *)c->fields.items[0])[0] == '\0')
			continue; /* blank line */
		for (size_t i = 0; i < c->ncols; i++)
			v[i] = c->at[i] >= 0 && (size_t)c->at[i] < c->fields.len ? c->fields.items[c->at[i]] : NULL;
		return 1;
	}
}

void sw_src_csv_release(struct sw_src_csv *c)
{
	sw_vec_free_strings(&c->fields);
}
