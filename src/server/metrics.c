/*
 * metrics.c - request latencies and status classes for /metrics
 * (Prometheus text format 0.0.4; docs/api.md "Metrics").
 *
 * Requests are labelled by their route template ("/api/v1/images/{digest}",
 * never the raw path, so the number of series stays bounded): the templates
 * are the paths of docs/api/openapi.yaml (compiled in) and Harbor's three
 * routes under --harbor-prefix; anything else is "other".  Counters are
 * atomics, updated by the request threads without a lock.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"
#include "sw_openapi.h"   /* generated from docs/api/openapi.yaml */
#include "util/mem.h"

#define MAX_ROUTES 128
#define NMETHODS 7

static const char *const methods[NMETHODS] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OTHER" };
/* seconds; the +Inf bucket is the last slot */
static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct series {
	atomic_ullong buckets[NBOUNDS + 1];   /* not cumulative; [NBOUNDS] is above the last bound */
	atomic_ullong sum_us;
};

struct srv_metrics {
	char *routes[MAX_ROUTES];     /* templates; the last used slot is "other" */
	size_t nroutes;
	struct series *series;        /* nroutes * NMETHODS */
	atomic_ullong by_class[6];    /* [1..5]: 1xx..5xx, [0] anything else */
};

static void add_route(struct srv_metrics *m, const char *t, size_t n)
{
	if (m->nroutes + 1 >= MAX_ROUTES)
		return;
	for (size_t i = 0; i < m->nroutes; i++)
		if (strlen(m->routes[i]) == n && strncmp(m->routes[i], t, n) == 0)
			return;
	m->routes[m->nroutes++] = sw_xasprintf("%.*s", (int)n, t);
}

struct srv_metrics *srv_metrics_new(const char *harbor_prefix)
{
	struct srv_metrics *m = sw_xcalloc(1, sizeof(*m));
	/* the keys of "paths:" in the OpenAPI document: lines "  /...:" */
	const char *p = sw_openapi_yaml;
	bool in_paths = false;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n && p[0] != ' ' && p[0] != '#')
			in_paths = n >= 6 && strncmp(p, "paths:", 6) == 0;
		else if (in_paths && n > 3 && p[0] == ' ' && p[1] == ' ' && p[2] == '/' && p[n - 1] == ':')
			add_route(m, p + 2, n - 3);
		p += n + (e ? 1 : 0);
	}
	static const char *const harbor[] = { "/api/v1/metadata", "/api/v1/scan", "/api/v1/scan/{id}/report" };
	for (size_t i = 0; i < 3; i++) {
		char *t = sw_xasprintf("%s%s", harbor_prefix ? harbor_prefix : "", harbor[i]);
		add_route(m, t, strlen(t));
		free(t);
	}
	m->routes[m->nroutes++] = sw_xstrdup("other");
	m->series = sw_xcalloc(m->nroutes * NMETHODS, sizeof(struct series));
	return m;
}

void srv_metrics_free(struct srv_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nroutes; i++)
		free(m->routes[i]);
	free(m->series);
	free(m);
}

/* Does path match template t ("{x}" matches one non-empty segment)?  The
 * number of literal segments, or -1. */
static int match(const char *t, const char *path)
{
	int literal = 0;
	while (*t && *path) {
		if (*t != '/' || *path != '/')
			return -1;
		t++;
		path++;
		size_t tn = strcspn(t, "/"), pn = strcspn(path, "/");
		if (tn >= 2 && t[0] == '{' && t[tn - 1] == '}') {
			if (pn == 0)
				return -1;
		} else if (tn != pn || strncmp(t, path, tn) != 0) {
			return -1;
		} else {
			literal++;
		}
		t += tn;
		path += pn;
	}
	return *t || *path ? -1 : literal;
}

/* The route template index of path (the one with the most literal
 * segments), else the "other" slot. */
static size_t route_of(const struct srv_metrics *m, const char *path)
{
	size_t best = m->nroutes - 1;
	int best_lit = -1;
	for (size_t i = 0; i + 1 < m->nroutes; i++) {
		int l = match(m->routes[i], path);
		if (l > best_lit) {
			best_lit = l;
			best = i;
		}
	}
	return best;
}

const char *srv_metrics_route(const struct srv_metrics *m, const char *path)
{
	return m->routes[route_of(m, path)];
}

void srv_metrics_observe(struct srv_metrics *m, const char *method, const char *path, unsigned status,
			 double seconds)
{
	if (!m)
		return;
	size_t mi = NMETHODS - 1;
	for (size_t i = 0; i + 1 < NMETHODS; i++)
		if (strcmp(method, methods[i]) == 0)
			mi = i;
	struct series *s = &m->series[route_of(m, path) * NMETHODS + mi];
	size_t b = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add(&s->buckets[b], 1);
	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add(&s->sum_us, (unsigned long long)(seconds * 1e6 + 0.5));
	unsigned cls = status / 100;
	atomic_fetch_add(&m->by_class[cls >= 1 && cls <= 5 ? cls : 0], 1);
}

/* A label value: \ " and newline escaped. */
static void label(struct sw_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sw_buf_addch(b, '\\'), sw_buf_addch(b, *v);
		else if (*v == '\n')
			sw_buf_addstr(b, "\\n");
		else
			sw_buf_addch(b, *v);
	}
}

void srv_metrics_write(const struct srv_metrics *m, struct sw_buf *b)
{
	if (!m)
		return;
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	sw_buf_addstr(b, "# HELP stowaway_requests_by_status_total HTTP requests answered, by status class.\n"
			 "# TYPE stowaway_requests_by_status_total counter\n");
	for (size_t i = 1; i <= 6; i++) {
		size_t k = i % 6;   /* 1xx..5xx, then other */
		sw_buf_addf(b, "stowaway_requests_by_status_total{class=\"%s\"} %llu\n", cls[k],
			    (unsigned long long)atomic_load(&((struct srv_metrics *)m)->by_class[k]));
	}
	sw_buf_addstr(b, "# HELP stowaway_request_duration_seconds Time from the request's headers to its answer, "
			 "by route template and method.\n"
			 "# TYPE stowaway_request_duration_seconds histogram\n");
	for (size_t r = 0; r < m->nroutes; r++) {
		for (size_t mi = 0; mi < NMETHODS; mi++) {
			struct series *s = &m->series[r * NMETHODS + mi];
			unsigned long long counts[NBOUNDS + 1], total = 0;
			for (size_t k = 0; k <= NBOUNDS; k++) {
				counts[k] = atomic_load(&s->buckets[k]);
				total += counts[k];
			}
			if (!total)
				continue;
			struct sw_buf lb = SW_BUF_INIT;
			sw_buf_addstr(&lb, "route=\"");
			label(&lb, m->routes[r]);
			sw_buf_addf(&lb, "\",method=\"%s\"", methods[mi]);
			unsigned long long cum = 0;
			for (size_t k = 0; k <= NBOUNDS; k++) {
				cum += counts[k];
				if (k < NBOUNDS)
					sw_buf_addf(b, "stowaway_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", lb.data,
						    bounds[k], cum);
				else
					sw_buf_addf(b, "stowaway_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
						    lb.data, cum);
			}
			sw_buf_addf(b, "stowaway_request_duration_seconds_sum{%s} %.6f\n", lb.data,
				    (double)atomic_load(&s->sum_us) / 1e6);
			sw_buf_addf(b, "stowaway_request_duration_seconds_count{%s} %llu\n", lb.data, total);
			sw_buf_release(&lb);
		}
	}
}
