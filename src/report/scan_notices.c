/*
 * scan_notices.c - notices (match.h struct sw_notice: RustSec informational
 * advisories and withdrawn advisories that apply to a package) in every
 * scan format, only when asked for (sw_report_opts.show_notices, `scan
 * --show-notices`).  They are never findings: not in "vulnerabilities",
 * not counted in the summary, never failing a gate or a JUnit testcase.
 * JSON "notices" (null when not asked for), the table section "Notices
 * (not vulnerabilities)", SARIF results of level "none" (kind
 * "informational"), a JUnit testsuite "notices" of passing testcases, an
 * HTML section, CycloneDX BOM properties "stowaway:notice", SPDX comment
 * lines "notice: ...".  Layout: docs/scan-formats.md.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const struct sw_vec *notices(const struct sw_report_ctx *ctx)
{
	static const struct sw_vec none = SW_VEC_INIT;
	return ctx->opts->show_notices && ctx->res ? &ctx->res->notices : &none;
}

/* "name version" of the notice's package */
static char *pkg_text(const struct sw_report_ctx *ctx, const struct sw_notice *n)
{
	if (n->pkg >= ctx->inv->packages.len)
		return sw_xstrdup("?");
	const struct sw_package *p = ctx->inv->packages.items[n->pkg];
	char *name = sw_report_pkg_name(p);
	char *t = sw_xasprintf("%s %s", name, n->installed ? n->installed : "");
	free(name);
	return t;
}

/* "RUSTSEC-2016-0004 (unmaintained) libusb 0.3.0: TITLE" */
static char *line_text(const struct sw_report_ctx *ctx, const struct sw_notice *n)
{
	char *pt = pkg_text(ctx, n);
	char *t = sw_xasprintf("%s (%s) %s%s%s", n->id, n->kind, pt, n->title ? ": " : "", n->title ? n->title : "");
	free(pt);
	return t;
}

json_t *sw_report_notices_json(const struct sw_report_ctx *ctx)
{
	if (!ctx->opts->show_notices)
		return json_null();
	json_t *a = json_array();
	const struct sw_vec *v = notices(ctx);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_notice *n = v->items[i];
		if (n->pkg >= ctx->inv->packages.len)
			continue;
		const struct sw_package *p = ctx->inv->packages.items[n->pkg];
		json_t *o = json_object();
		json_object_set_new(o, "id", sw_report_jstr(n->id));
		json_object_set_new(o, "kind", sw_report_jstr(n->kind));
		json_t *pk = json_object();
		char *name = sw_report_pkg_name(p);
		json_object_set_new(pk, "index", json_integer((json_int_t)n->pkg));
		json_object_set_new(pk, "name", sw_report_jstr(name));
		json_object_set_new(pk, "version", sw_report_jstr(n->installed));
		json_object_set_new(pk, "purl", sw_report_jstr(ctx->purls ? ctx->purls[n->pkg] : NULL));
		json_object_set_new(pk, "path", sw_report_jstr(p->path));
		free(name);
		json_object_set_new(o, "package", pk);
		json_object_set_new(o, "ecosystem", sw_report_jstr(n->ecosystem));
		json_object_set_new(o, "title", sw_report_jstr(n->title));
		json_object_set_new(o, "url", sw_report_jstr(n->url));
		json_object_set_new(o, "date", sw_report_jstr(n->date));
		json_array_append_new(a, o);
	}
	return a;
}

void sw_report_table_notices(FILE *out, const struct sw_report_ctx *ctx)
{
	if (!ctx->opts->show_notices)
		return;
	const struct sw_vec *v = notices(ctx);
	bool color = ctx->opts->color;
	const char *b = color ? "\033[1m" : "", *e = color ? "\033[0m" : "";
	fprintf(out, "\n%sNotices (not vulnerabilities)%s\n", b, e);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_notice *n = v->items[i];
		char *pt = pkg_text(ctx, n);
		char *id = sw_report_clean(n->id, 0), *kind = sw_report_clean(n->kind, 0);
		char *pc = sw_report_clean(pt, 0);
		fprintf(out, "  %-12s %s  %s\n", kind, id, pc);
		if (n->title) {
			char *t = sw_report_clean(n->title, 120);
			fprintf(out, "      %s\n", t);
			free(t);
		}
		if (n->url) {
			char *u = sw_report_clean(n->url, 0);
			fprintf(out, "      %s\n", u);
			free(u);
		}
		free(pt);
		free(id);
		free(kind);
		free(pc);
	}
	fprintf(out, "  %zu notice%s\n", v->len, v->len == 1 ? "" : "s");
}

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", sw_report_jstr(s ? s : ""));
	return o;
}

void sw_report_sarif_notices(const struct sw_report_ctx *ctx, json_t *rules, json_t *results)
{
	const struct sw_vec *v = notices(ctx);
	struct sw_vec ids = SW_VEC_INIT;
	size_t base = json_array_size(rules);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_notice *n = v->items[i];
		char *id = sw_xasprintf("notice/%s", n->id);
		long k = sw_vec_find_str(&ids, id);
		if (k < 0) {
			json_t *rule = json_object();
			json_object_set_new(rule, "id", sw_report_jstr(id));
			json_object_set_new(rule, "name", json_string("Notice"));
			json_object_set_new(rule, "shortDescription", text_obj(n->title ? n->title : n->id));
			json_t *dc = json_object();
			json_object_set_new(dc, "level", json_string("none"));
			json_object_set_new(rule, "defaultConfiguration", dc);
			if (n->url)
				json_object_set_new(rule, "helpUri", sw_report_jstr(n->url));
			json_t *rp = json_object(), *tags = json_array();
			json_array_append_new(tags, json_string("notice"));
			json_array_append_new(tags, sw_report_jstr(n->kind));
			json_object_set_new(rp, "tags", tags);
			json_object_set_new(rule, "properties", rp);
			json_array_append_new(rules, rule);
			sw_vec_push_strdup(&ids, id);
			k = (long)ids.len - 1;
		}
		json_t *r = json_object();
		json_object_set_new(r, "ruleId", sw_report_jstr(id));
		json_object_set_new(r, "ruleIndex", json_integer((json_int_t)(base + (size_t)k)));
		json_object_set_new(r, "kind", json_string("informational"));
		json_object_set_new(r, "level", json_string("none"));
		char *lt = line_text(ctx, n);
		json_object_set_new(r, "message", text_obj(lt));
		free(lt);
		const struct sw_package *p = n->pkg < ctx->inv->packages.len ? ctx->inv->packages.items[n->pkg] : NULL;
		if (p && p->path) {
			json_t *al = json_object(), *ph = json_object(), *loc = json_object(), *locs = json_array();
			json_object_set_new(al, "uri", sw_report_jstr(p->path[0] == '/' ? p->path + 1 : p->path));
			json_object_set_new(ph, "artifactLocation", al);
			json_object_set_new(loc, "physicalLocation", ph);
			json_array_append_new(locs, loc);
			json_object_set_new(r, "locations", locs);
		}
		json_t *props = json_object();
		json_object_set_new(props, "noticeKind", sw_report_jstr(n->kind));
		json_object_set_new(props, "installedVersion", sw_report_jstr(n->installed));
		json_object_set_new(props, "ecosystem", sw_report_jstr(n->ecosystem));
		json_object_set_new(r, "properties", props);
		json_array_append_new(results, r);
		free(id);
	}
	sw_vec_free_strings(&ids);
}

void sw_report_junit_notices(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests)
{
	if (!ctx->opts->show_notices)
		return;
	const struct sw_vec *v = notices(ctx);
	size_t t = v->len ? v->len : 1;
	sw_buf_addf(b, "  <testsuite name=\"notices\" tests=\"%zu\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"%s\">\n",
		    t, ts);
	if (!v->len)
		sw_buf_addstr(b, "    <testcase classname=\"notice\" name=\"no notices\" time=\"0\"/>\n");
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_notice *n = v->items[i];
		char *pt = pkg_text(ctx, n), *lt = line_text(ctx, n);
		sw_buf_addstr(b, "    <testcase classname=\"notice\" name=\"");
		sw_report_xml_escape(b, pt);
		sw_buf_addstr(b, " ");
		sw_report_xml_escape(b, n->id);
		sw_buf_addstr(b, "\" time=\"0\">\n      <system-out>");
		sw_report_xml_escape(b, lt);
		if (n->url) {
			sw_buf_addstr(b, "\n");
			sw_report_xml_escape(b, n->url);
		}
		sw_buf_addstr(b, "</system-out>\n    </testcase>\n");
		free(pt);
		free(lt);
	}
	sw_buf_addstr(b, "  </testsuite>\n");
	*tests += t;
}

void sw_report_html_notices(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	if (!ctx->opts->show_notices)
		return;
	const struct sw_vec *v = notices(ctx);
	sw_buf_addf(b, "<h2 id=\"notices\">Notices (not vulnerabilities)</h2>\n<p>%zu notice%s</p>\n", v->len,
		    v->len == 1 ? "" : "s");
	if (!v->len)
		return;
	sw_buf_addstr(b, "<table class=\"notices\">\n<tr><th>Kind</th><th>Id</th><th>Package</th><th>Title</th></tr>\n");
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_notice *n = v->items[i];
		char *pt = pkg_text(ctx, n);
		sw_buf_addstr(b, "<tr><td>");
		sw_report_xml_escape(b, n->kind);
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, n->id);
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, pt);
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, n->title ? n->title : "");
		sw_buf_addstr(b, "</td></tr>\n");
		free(pt);
	}
	sw_buf_addstr(b, "</table>\n");
}

void sw_report_cdx_add_notices(json_t *doc, const struct sw_report_ctx *ctx)
{
	const struct sw_vec *v = notices(ctx);
	if (!v->len)
		return;
	json_t *props = json_object_get(doc, "properties");
	if (!json_is_array(props)) {
		props = json_array();
		json_object_set_new(doc, "properties", props);
	}
	for (size_t i = 0; i < v->len; i++) {
		char *lt = line_text(ctx, v->items[i]);
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string("stowaway:notice"));
		json_object_set_new(p, "value", sw_report_jstr(lt));
		json_array_append_new(props, p);
		free(lt);
	}
}

void sw_report_notices_text(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	const struct sw_vec *v = notices(ctx);
	for (size_t i = 0; i < v->len; i++) {
		char *lt = line_text(ctx, v->items[i]);
		sw_buf_addf(b, "\nnotice: %s", lt);
		free(lt);
	}
}
