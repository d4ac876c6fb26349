/* advisory.c - constructors, destructors and status names of model/advisory.h. */
#include "model/advisory.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const char *const status_names[] = {
	[SW_ST_UNKNOWN] = "unknown",
	[SW_ST_FIXED] = "fixed",
	[SW_ST_AFFECTED] = "affected",
	[SW_ST_WILL_NOT_FIX] = "will_not_fix",
	[SW_ST_FIX_DEFERRED] = "fix_deferred",
	[SW_ST_END_OF_LIFE] = "end_of_life",
	[SW_ST_NOT_AFFECTED] = "not_affected",
	[SW_ST_UNDER_INVESTIGATION] = "under_investigation",
};

const char *sw_vuln_status_name(enum sw_vuln_status s)
{
	if ((unsigned)s < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[s];
	return "unknown";
}

enum sw_vuln_status sw_vuln_status_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (name && strcmp(name, status_names[i]) == 0)
			return (enum sw_vuln_status)i;
	return SW_ST_UNKNOWN;
}

struct sw_vuln *sw_vuln_new(const char *id, const char *source)
{
	struct sw_vuln *v = sw_xcalloc(1, sizeof(*v));
	v->id = sw_xstrdup(id);
	v->source = sw_xstrdup(source);
	return v;
}

void sw_vuln_free(struct sw_vuln *v)
{
	if (!v)
		return;
	free(v->id);
	free(v->source);
	sw_vec_free_strings(&v->aliases);
	free(v->summary);
	free(v->details);
	free(v->published);
	free(v->modified);
	free(v->withdrawn);
	free(v->informational);
	sw_vec_free_strings(&v->references);
	sw_vec_free_strings(&v->cwes);
	for (size_t i = 0; i < v->affected.len; i++)
		sw_affected_free(v->affected.items[i]);
	sw_vec_release(&v->affected);
	for (size_t i = 0; i < v->severities.len; i++)
		sw_severity_free(v->severities.items[i]);
	sw_vec_release(&v->severities);
	free(v);
}

struct sw_affected *sw_affected_new(const char *ecosystem, const char *package)
{
	struct sw_affected *a = sw_xcalloc(1, sizeof(*a));
	a->ecosystem = sw_xstrdup(ecosystem);
	a->package = sw_xstrdup(package);
	return a;
}

void sw_affected_free(struct sw_affected *a)
{
	if (!a)
		return;
	free(a->ecosystem);
	free(a->package);
	free(a->purl);
	for (size_t i = 0; i < a->ranges.len; i++)
		sw_range_free(a->ranges.items[i]);
	sw_vec_release(&a->ranges);
	sw_vec_free_strings(&a->versions);
	free(a->severity);
	free(a->note);
	sw_vec_free_strings(&a->affected_exprs);
	sw_vec_free_strings(&a->unaffected_exprs);
	free(a);
}

struct sw_range *sw_range_new(const char *type)
{
	struct sw_range *r = sw_xcalloc(1, sizeof(*r));
	r->type = sw_xstrdup(type);
	return r;
}

void sw_range_free(struct sw_range *r)
{
	if (!r)
		return;
	free(r->type);
	for (size_t i = 0; i < r->events.len; i++) {
		struct sw_event *e = r->events.items[i];
		free(e->version);
		free(e);
	}
	sw_vec_release(&r->events);
	free(r);
}

void sw_range_add_event(struct sw_range *r, enum sw_event_kind kind, const char *version)
{
	struct sw_event *e = sw_xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->version = sw_xstrdup(version);
	sw_vec_push(&r->events, e);
}

struct sw_severity *sw_severity_new(const char *source, const char *type, const char *vector,
				    double score, const char *rating)
{
	struct sw_severity *s = sw_xcalloc(1, sizeof(*s));
	s->source = sw_xstrdup(source);
	s->type = sw_xstrdup(type);
	s->vector = sw_xstrdup(vector);
	s->score = score;
	s->rating = sw_xstrdup(rating);
	return s;
}

void sw_severity_free(struct sw_severity *s)
{
	if (!s)
		return;
	free(s->source);
	free(s->type);
	free(s->vector);
	free(s->rating);
	free(s);
}
