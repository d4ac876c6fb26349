/* containers.c - running-container checks and image summaries (containers.h). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/container.h"
#include "engine/engine.h"
#include "match/match.h"
#include "scan/containers.h"
#include "util/map.h"
#include "util/mem.h"

#define MAX_CONTAINERS 100000

static void row_free(void *p)
{
	struct sw_container_row *r = p;
	free(r->id);
	free(r->name);
	free(r->image);
	free(r->image_id);
	free(r);
}

void sw_containers_result_free(struct sw_containers_result *r)
{
	if (!r)
		return;
	sw_check_list_release(&r->checks);
	sw_vec_free_all(&r->rows, row_free);
	sw_vec_free_strings(&r->failures);
	free(r);
}

static void failure(struct sw_containers_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failure(struct sw_containers_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		sw_vec_push(&r->failures, s);
}

struct image_sum {
	bool ok, complete;
	size_t vulns[SW_SEV_CRITICAL + 1];
	char *why;
};

static void scan_image(const struct sw_containers_opts *o, const char *image_id, struct image_sum *s)
{
	struct sw_scan_opts so = *o->scan;
	char *ref = sw_xasprintf("%s%s", SW_SCAN_DOCKER_DAEMON, image_id);
	so.image = ref;
	so.sbom = NULL;
	so.archive_read = NULL;
	so.sbom_data = NULL;
	so.scanners = SW_SCAN_VULN;
	struct sw_scan_result *res = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_scan_run(&so, &res, &err) < 0) {
		s->why = sw_xstrdup(err.msg);
	} else {
		s->ok = true;
		s->complete = res->complete;
		for (size_t i = 0; i < res->match->findings.len; i++) {
			const struct sw_finding *f = res->match->findings.items[i];
			if (f->suppressed)
				continue;
			if ((unsigned)f->severity <= SW_SEV_CRITICAL)
				s->vulns[f->severity]++;
		}
	}
	sw_scan_result_free(res);
	free(ref);
}

static char *summary_text(const struct image_sum *s)
{
	if (!s->ok)
		return sw_xasprintf("not scanned: %s", s->why ? s->why : "?");
	size_t t = 0;
	for (int k = 0; k <= SW_SEV_CRITICAL; k++)
		t += s->vulns[k];
	return sw_xasprintf("%zu vulnerabilities (critical %zu, high %zu, medium %zu, low %zu, negligible %zu, "
			    "unknown %zu)%s",
			    t, s->vulns[SW_SEV_CRITICAL], s->vulns[SW_SEV_HIGH], s->vulns[SW_SEV_MEDIUM],
			    s->vulns[SW_SEV_LOW], s->vulns[SW_SEV_NEGLIGIBLE], s->vulns[SW_SEV_UNKNOWN],
			    s->complete ? "" : "; incomplete");
}

static void sum_free(void *p)
{
	struct image_sum *s = p;
	free(s->why);
	free(s);
}

int sw_containers_run(const struct sw_containers_opts *o, struct sw_containers_result **out, struct sw_err *err)
{
	*out = NULL;
	struct sw_engine *eng = NULL;
	if (sw_engine_open(o->host, &eng, err) < 0)
		return -1;
	struct sw_buf body = SW_BUF_INIT;
	if (sw_engine_get(eng, "/containers/json", SW_ENGINE_JSON_MAX, &body, err) < 0) {
		sw_buf_release(&body);
		sw_engine_close(eng);
		return -1;
	}
	json_error_t je;
	json_t *list = json_loadb(body.data, body.len, 0, &je);
	if (!json_is_array(list)) {
		json_decref(list);
		sw_buf_release(&body);
		sw_engine_close(eng);
		return sw_err_set(err, SW_E_FORMAT, "docker daemon '%s': GET /containers/json: not a JSON array",
				  sw_engine_socket(eng));
	}
	struct sw_containers_result *r = sw_xcalloc(1, sizeof(*r));
	struct sw_map images = SW_MAP_INIT;
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		if (i >= MAX_CONTAINERS) {
			failure(r, "more than %d containers: the rest not checked", MAX_CONTAINERS);
			break;
		}
		const char *id = json_string_value(json_object_get(c, "Id"));
		if (!id || !*id || strlen(id) > 128) {
			failure(r, "container #%zu of the list: no usable Id", i);
			continue;
		}
		char *esc = sw_engine_escape(id);
		char *path = sw_xasprintf("/containers/%s/json", esc);
		free(esc);
		struct sw_err cerr = SW_ERR_INIT;
		int rc = sw_engine_get(eng, path, SW_ENGINE_JSON_MAX, &body, &cerr);
		free(path);
		if (rc < 0) {
			failure(r, "container %.12s: %s%s", id, cerr.code == SW_E_NOTFOUND ? "gone before it was inspected: " : "",
				cerr.msg);
			continue;
		}
		struct sw_container_ident ident;
		size_t before = r->checks.results.len;
		if (sw_container_checks(body.data, body.len, &ident, &r->checks, &cerr) < 0) {
			failure(r, "container %.12s: %s", id, cerr.msg);
			continue;
		}
		struct sw_container_row *row = sw_xcalloc(1, sizeof(*row));
		row->id = sw_xstrdup(ident.id);
		row->name = sw_xstrdup(ident.name);
		row->image = sw_xstrdup(ident.image);
		row->image_id = sw_xstrdup(ident.image_id);
		for (size_t k = before; k < r->checks.results.len; k++)
			row->failed_checks += ((struct sw_check_result *)r->checks.results.items[k])->status == SW_CHECK_FAIL;
		if (!o->no_images && *ident.image_id) {
			struct image_sum *s = sw_map_get(&images, ident.image_id);
			if (!s) {
				s = sw_xcalloc(1, sizeof(*s));
				scan_image(o, ident.image_id, s);
				sw_map_put(&images, ident.image_id, s);
				if (!s->ok)
					failure(r, "image %.80s (container %.12s): %s", *ident.image ? ident.image : ident.image_id,
						ident.id, s->why);
			}
			row->image_scanned = s->ok;
			row->image_complete = s->complete;
			memcpy(row->vulns, s->vulns, sizeof(row->vulns));
			char *t = summary_text(s);
			sw_container_image_summary(&r->checks, &ident, t, !s->ok);
			free(t);
		}
		sw_vec_push(&r->rows, row);
		sw_container_ident_release(&ident);
	}
	json_decref(list);
	sw_map_free_all(&images, sum_free);
	sw_buf_release(&body);
	sw_engine_close(eng);
	*out = r;
	return 0;
}
