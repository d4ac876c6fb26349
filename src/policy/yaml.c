/* yaml.c - a YAML bundle turned into JSON text, so one strict reader
 * (util/json.h: duplicate keys refused) reads both forms (internal.h). */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/internal.h"
#include "policy/yaml.h"
#include "util/buf.h"

#define YAML_MAX_DEPTH 32

struct frame {
	bool mapping;
	size_t count;     /* scalars/nodes emitted in this container */
};

static bool plain_number(const char *s)
{
	/* JSON's number grammar, so the text stays valid JSON */
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == 0 && p - s < 24;
}

static void scalar(struct sw_buf *b, const yaml_event_t *ev, bool key)
{
	const char *v = (const char *)ev->data.scalar.value;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!key && plain) {
		if (!*v || !strcmp(v, "~") || !strcmp(v, "null")) {
			sw_buf_addstr(b, "null");
			return;
		}
		if (!strcmp(v, "true") || !strcmp(v, "false") || plain_number(v)) {
			sw_buf_addstr(b, v);
			return;
		}
	}
	sw_buf_addch(b, '"');
	sw_buf_add_json_escaped(b, v);
	sw_buf_addch(b, '"');
}

int sw_policy_yaml_to_json(const char *name, const char *data, size_t len, char **json,
			   size_t *json_len, struct sw_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct frame st[YAML_MAX_DEPTH];
	int depth = 0, rc = -1;
	bool root_done = false;
	const char *why = NULL;
	size_t line = 0;
	struct sw_buf b;
	sw_buf_init(&b, (size_t)64 << 20);

	if (!yaml_parser_initialize(&p))
		return sw_err_set(err, SW_E_NOMEM, "'%s': cannot start the yaml parser", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!root_done) {
		if (!yaml_parser_parse(&p, &ev)) {
			sw_err_set(err, SW_E_FORMAT, "'%s': bad yaml at line %zu column %zu: %s", name,
				   (size_t)p.problem_mark.line + 1, (size_t)p.problem_mark.column + 1,
				   p.problem ? p.problem : "parse error");
			goto out;
		}
		line = ev.start_mark.line + 1;
		yaml_event_type_t t = ev.type;
		bool node = t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
			    t == YAML_MAPPING_START_EVENT;
		if (t == YAML_ALIAS_EVENT) {
			why = "yaml aliases are not supported";
		} else if (node) {
			bool key = false;
			if (depth > 0) {
				struct frame *f = &st[depth - 1];
				key = f->mapping && f->count % 2 == 0;
				if (f->count > 0)
					sw_buf_addch(&b, f->mapping && !key ? ':' : ',');
				f->count++;
				if (key && t != YAML_SCALAR_EVENT)
					why = "a mapping key must be a plain value";
			} else if (b.len > 0) {
				why = "more than one top-level value";
			}
			if (!why) {
				if (t == YAML_SCALAR_EVENT) {
					scalar(&b, &ev, key);
					if (depth == 0)
						why = "the document is not a mapping";
				} else if (depth >= YAML_MAX_DEPTH) {
					why = "nesting too deep";
				} else {
					bool m = t == YAML_MAPPING_START_EVENT;
					sw_buf_addch(&b, m ? '{' : '[');
					st[depth].mapping = m;
					st[depth].count = 0;
					depth++;
				}
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			if (depth > 0) {
				depth--;
				sw_buf_addch(&b, st[depth].mapping ? '}' : ']');
				if (depth == 0)
					root_done = true;
			}
		} else if (t == YAML_STREAM_END_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			if (b.len == 0)
				why = "empty document";
			root_done = true;
		}
		yaml_event_delete(&ev);
		if (why) {
			sw_err_set(err, SW_E_FORMAT, "'%s': bad yaml at line %zu: %s", name, line, why);
			goto out;
		}
	}
	if (!sw_buf_ok(&b)) {
		sw_err_set(err, SW_E_LIMIT, "'%s': yaml too large", name);
		goto out;
	}
	*json = sw_buf_detach(&b, json_len);
	rc = 0;
out:
	sw_buf_release(&b);
	yaml_parser_delete(&p);
	return rc;
}
