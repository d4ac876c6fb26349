/*
 * scan_checks.c - the image checks (checks/checks.h) and the scanner states
 * in every scan format: JSON "scanners"/"checks", the table section "Image
 * checks", SARIF rules and results, JUnit testcases, an HTML section.
 * Strings of a check result were masked by checks/ (secret values); here
 * they are only escaped or cleaned for the format.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const struct sw_check_list *checks(const struct sw_report_ctx *ctx)
{
	return ctx->opts->checks;
}

const struct sw_report_scanner *sw_report_find_scanner(const struct sw_report_ctx *ctx, const char *name)
{
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++)
		if (strcmp(ctx->opts->scanners[i].name, name) == 0)
			return &ctx->opts->scanners[i];
	return NULL;
}

json_t *sw_report_scanners_json(const struct sw_report_ctx *ctx)
{
	json_t *a = json_array();
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "requested", json_boolean(s->requested));
		json_object_set_new(o, "ran", json_boolean(s->ran));
		json_object_set_new(o, "reason", sw_report_jstr(s->requested && !s->ran ? s->why_not : NULL));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *evidence_json(const struct sw_check_evidence *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "layer", e->layer >= 0 ? json_integer(e->layer) : json_null());
	json_object_set_new(o, "history", e->history >= 0 ? json_integer(e->history) : json_null());
	json_object_set_new(o, "createdBy", sw_report_jstr(e->created_by));
	json_object_set_new(o, "configKey", sw_report_jstr(e->config_key));
	json_object_set_new(o, "path", sw_report_jstr(e->path));
	json_object_set_new(o, "detail", sw_report_jstr(e->detail));
	if (e->line > 0) /* host checks: a line in a host file */
		json_object_set_new(o, "line", json_integer(e->line));
	return o;
}

json_t *sw_report_checks_json(const struct sw_report_ctx *ctx)
{
	const struct sw_check_list *cl = checks(ctx);
	const struct sw_report_scanner *sc = sw_report_find_scanner(ctx, "config");
	json_t *o = json_object();
	bool ran = cl && (!sc || sc->ran);
	json_object_set_new(o, "ran", json_boolean(ran));
	json_object_set_new(o, "reason", ran ? json_null()
					     : sw_report_jstr(sc && sc->why_not ? sc->why_not : "not requested"));
	json_t *res = json_array();
	size_t counts[4] = { 0 };
	for (size_t i = 0; cl && i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		json_t *r = json_object();
		json_object_set_new(r, "id", json_string(c->id));
		json_object_set_new(r, "cis", sw_report_jstr(c->cis));
		json_object_set_new(r, "title", json_string(c->title));
		json_object_set_new(r, "status", json_string(sw_check_status_name(c->status)));
		json_object_set_new(r, "severity", json_string(sw_severity_name(c->severity)));
		json_object_set_new(r, "note", sw_report_jstr(c->note));
		json_t *ev = json_array();
		for (size_t k = 0; k < c->evidence.len; k++)
			json_array_append_new(ev, evidence_json(c->evidence.items[k]));
		json_object_set_new(r, "evidence", ev);
		json_object_set_new(r, "remediation", sw_report_jstr(c->remediation));
		json_object_set_new(r, "suppressed", sw_report_jstr(c->suppressed));
		json_array_append_new(res, r);
		if ((unsigned)c->status < 4)
			counts[c->status]++;
	}
	json_object_set_new(o, "results", res);
	json_object_set_new(o, "notes", cl ? sw_report_str_array(&cl->notes) : json_array());
	json_t *sum = json_object();
	for (int s = 0; s < 4; s++)
		json_object_set_new(sum, sw_check_status_name((enum sw_check_status)s), json_integer((json_int_t)counts[s]));
	json_object_set_new(o, "summary", sum);
	return o;
}

/* --- table --- */

static void table_evidence(FILE *out, const struct sw_check_evidence *e)
{
	char *d = sw_report_clean(e->detail ? e->detail : "", 0);
	fprintf(out, "      - %s", d);
	free(d);
	if (e->config_key) {
		char *k = sw_report_clean(e->config_key, 0);
		fprintf(out, " [%s]", k);
		free(k);
	}
	if (e->layer >= 0)
		fprintf(out, " (layer %d)", e->layer);
	else if (e->history >= 0)
		fprintf(out, " (history entry %d)", e->history);
	if (e->path) {
		char *p = sw_report_clean(e->path, 0);
		fprintf(out, " /%s", p);
		if (e->line > 0)
			fprintf(out, ":%d", e->line);
		free(p);
	}
	fputc('\n', out);
	if (e->created_by) {
		char *by = sw_report_short_created_by(e->created_by, 100);
		fprintf(out, "        %s\n", by);
		free(by);
	}
}

void sw_report_table_checks(FILE *out, const struct sw_report_ctx *ctx)
{
	bool color = ctx->opts->color;
	const char *b = color ? "\033[1m" : "", *e = color ? "\033[0m" : "";
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		if (s->requested && !s->ran) {
			char *w = sw_report_clean(s->why_not ? s->why_not : "could not run", 0);
			fprintf(out, "%sSCANNER %s: %s%s\n", color ? "\033[1;31m" : "", s->name, w, e);
			free(w);
		}
	}
	const struct sw_check_list *cl = checks(ctx);
	if (!cl)
		return;
	if (ctx->opts->checks_title)
		fprintf(out, "\n%s%s%s\n", b, ctx->opts->checks_title, e);
	else
		fprintf(out, "\n%sImage checks%s (CIS Docker Benchmark 1.6.0 section 4, static parts of 5)\n", b, e);
	for (size_t i = 0; i < cl->notes.len; i++) {
		char *n = sw_report_clean(cl->notes.items[i], 0);
		fprintf(out, "%sNOTE: %s%s\n", color ? "\033[1;33m" : "", n, e);
		free(n);
	}
	size_t counts[4] = { 0 }, hidden = 0, supp = 0;
	for (size_t i = 0; i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		if ((unsigned)c->status < 4)
			counts[c->status]++;
		bool show = c->status != SW_CHECK_PASS || ctx->opts->show_passed;
		if (c->suppressed && !ctx->opts->show_suppressed) {
			supp++;
			continue;
		}
		if (!show) {
			hidden++;
			continue;
		}
		const char *st = sw_check_status_name(c->status);
		char up[8];
		size_t k = 0;
		for (; st[k] && k < sizeof(up) - 1; k++)
			up[k] = (char)(st[k] - 'a' + 'A');
		up[k] = '\0';
		const char *sc = !color ? "" : c->status == SW_CHECK_FAIL ? "\033[31m"
					    : c->status == SW_CHECK_PASS ? "\033[32m" : "\033[33m";
		fprintf(out, "  %s%-6s%s %-10s %-5s %s", sc, up, e, c->id, c->cis ? c->cis : "-", c->title);
		if (c->status == SW_CHECK_FAIL)
			fprintf(out, " [%s]", sw_severity_name(c->severity));
		fputc('\n', out);
		if (c->note) {
			char *n = sw_report_clean(c->note, 0);
			fprintf(out, "      note: %s\n", n);
			free(n);
		}
		if (c->status == SW_CHECK_FAIL || c->status == SW_CHECK_INFO)
			for (size_t k2 = 0; k2 < c->evidence.len; k2++)
				table_evidence(out, c->evidence.items[k2]);
		if (c->status == SW_CHECK_FAIL && c->remediation)
			fprintf(out, "      fix: %s\n", c->remediation);
		if (c->suppressed) {
			char *s = sw_report_clean(c->suppressed, 0);
			fprintf(out, "      suppressed: %s\n", s);
			free(s);
		}
	}
	fprintf(out, "%sChecks:%s %zu failed, %zu passed, %zu info, %zu manual\n", b, e,
		counts[SW_CHECK_FAIL], counts[SW_CHECK_PASS], counts[SW_CHECK_INFO], counts[SW_CHECK_MANUAL]);
	if (hidden)
		fprintf(out, "%zu passed check%s not listed; --show-passed to list\n", hidden, hidden == 1 ? "" : "s");
	if (supp)
		fprintf(out, "%zu check%s suppressed; --show-suppressed to list\n", supp, supp == 1 ? "" : "s");
}

/* --- SARIF --- */

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", json_string(s ? s : ""));
	return o;
}

/* SARIF wants a rule name that is not its id: the title in PascalCase
 * ("ImageRunsAsANonRootUser"). */
static char *rule_name(const char *title)
{
	struct sw_buf b = SW_BUF_INIT;
	bool start = true;
	for (const char *p = title; *p; p++) {
		char c = *p;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum) {
			start = true;
			continue;
		}
		if (start && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		sw_buf_addch(&b, c);
		start = false;
	}
	char *s = sw_buf_detach(&b, NULL);
	return s ? s : sw_xstrdup("ImageCheck");
}

static const char *sarif_level(enum sw_severity_level s)
{
	return s >= SW_SEV_HIGH ? "error" : s >= SW_SEV_MEDIUM ? "warning" : "note";
}

void sw_report_sarif_checks(const struct sw_report_ctx *ctx, json_t *rules, json_t *results, json_t *notes)
{
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		if (s->requested && !s->ran) {
			json_t *n = json_object();
			json_object_set_new(n, "level", json_string("note"));
			char *m = sw_xasprintf("scanner %s %s", s->name, s->why_not ? s->why_not : "could not run");
			json_object_set_new(n, "message", text_obj(m));
			free(m);
			json_array_append_new(notes, n);
		}
	}
	const struct sw_check_list *cl = checks(ctx);
	if (!cl)
		return;
	for (size_t i = 0; i < cl->notes.len; i++) {
		json_t *n = json_object();
		json_object_set_new(n, "level", json_string("note"));
		json_object_set_new(n, "message", text_obj(cl->notes.items[i]));
		json_array_append_new(notes, n);
	}
	for (size_t i = 0; i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		size_t ri = json_array_size(rules);
		json_t *rule = json_object();
		json_object_set_new(rule, "id", json_string(c->id));
		char *rn = rule_name(c->title);
		json_object_set_new(rule, "name", json_string(rn));
		free(rn);
		json_object_set_new(rule, "shortDescription", text_obj(c->title));
		json_object_set_new(rule, "help", text_obj(c->remediation));
		json_t *dc = json_object();
		json_object_set_new(dc, "level", json_string(sarif_level(c->severity)));
		json_object_set_new(rule, "defaultConfiguration", dc);
		json_t *rp = json_object(), *tags = json_array();
		json_array_append_new(tags, json_string("image-check"));
		if (c->cis) {
			char *t = sw_xasprintf("CIS-%s", c->cis);
			json_array_append_new(tags, json_string(t));
			free(t);
		}
		json_object_set_new(rp, "tags", tags);
		if (c->cis)
			json_object_set_new(rp, "cis", json_string(c->cis));
		json_object_set_new(rule, "properties", rp);
		json_array_append_new(rules, rule);
		if (c->status != SW_CHECK_FAIL || (c->suppressed && !ctx->opts->show_suppressed))
			continue;
		json_t *r = json_object();
		json_object_set_new(r, "ruleId", json_string(c->id));
		json_object_set_new(r, "ruleIndex", json_integer((json_int_t)ri));
		json_object_set_new(r, "level", json_string(sarif_level(c->severity)));
		struct sw_buf m = SW_BUF_INIT;
		sw_buf_addf(&m, "%s: %s", c->id, c->title);
		for (size_t k = 0; k < c->evidence.len; k++) {
			const struct sw_check_evidence *e = c->evidence.items[k];
			sw_buf_addf(&m, "%s%s", k ? "; " : ": ", e->detail ? e->detail : "");
			if (e->layer >= 0)
				sw_buf_addf(&m, " (layer %d)", e->layer);
		}
		json_object_set_new(r, "message", text_obj(m.data));
		sw_buf_release(&m);
		/* file evidence has a location (path without a leading '/');
		 * config and history evidence has none: it is not a file */
		json_t *locs = json_array();
		for (size_t k = 0; k < c->evidence.len; k++) {
			const struct sw_check_evidence *e = c->evidence.items[k];
			bool seen = false;   /* one location per path (packages share their database) */
			for (size_t j = 0; e->path && j < k && !seen; j++) {
				const struct sw_check_evidence *o = c->evidence.items[j];
				seen = o->path && strcmp(o->path, e->path) == 0;
			}
			if (!e->path || seen)
				continue;
			json_t *al = json_object(), *ph = json_object(), *loc = json_object();
			char *uri = sw_report_path_uri(e->path);
			json_object_set_new(al, "uri", json_string(uri));
			free(uri);
			json_object_set_new(ph, "artifactLocation", al);
			/* as for package findings: SARIF viewers want a region */
			json_t *region = json_object();
			json_object_set_new(region, "startLine", json_integer(e->line > 0 ? e->line : 1));
			json_object_set_new(ph, "region", region);
			json_object_set_new(loc, "physicalLocation", ph);
			json_array_append_new(locs, loc);
		}
		if (json_array_size(locs))
			json_object_set_new(r, "locations", locs);
		else
			json_decref(locs);
		char uuid[37];
		char *seed = sw_xasprintf("%s\n%s", c->id, sw_report_image_name(ctx->inv));
		sw_report_uuid(seed, uuid);
		free(seed);
		json_t *fp = json_object();
		json_object_set_new(fp, "stowaway/v1", json_string(uuid));
		json_object_set_new(r, "partialFingerprints", fp);
		if (c->suppressed) {
			json_t *s = json_object();
			json_object_set_new(s, "kind", json_string("external"));
			json_object_set_new(s, "status", json_string("accepted"));
			json_object_set_new(s, "justification", json_string(c->suppressed));
			json_t *sa = json_array();
			json_array_append_new(sa, s);
			json_object_set_new(r, "suppressions", sa);
		}
		json_t *props = json_object();
		json_object_set_new(props, "severity", json_string(sw_severity_name(c->severity)));
		json_object_set_new(props, "cis", sw_report_jstr(c->cis));
		json_object_set_new(r, "properties", props);
		json_array_append_new(results, r);
	}
}

/* --- JUnit --- */

static void junit_case(struct sw_buf *b, const struct sw_report_ctx *ctx, const struct sw_check_result *c)
{
	sw_buf_addstr(b, "    <testcase classname=\"image checks\" name=\"");
	struct sw_buf n = SW_BUF_INIT;
	sw_buf_addf(&n, "%s%s%s%s", c->cis ? "CIS " : "", c->cis ? c->cis : "", c->cis ? " " : "", c->id);
	sw_buf_addf(&n, ": %s", c->title);
	sw_report_xml_escape(b, n.data);
	sw_buf_release(&n);
	sw_buf_addstr(b, "\" time=\"0\">\n");
	struct sw_buf t = SW_BUF_INIT;
	for (size_t k = 0; k < c->evidence.len; k++) {
		const struct sw_check_evidence *e = c->evidence.items[k];
		sw_buf_addf(&t, "%s", e->detail ? e->detail : "");
		if (e->path)
			sw_buf_addf(&t, " /%s", e->path);
		if (e->config_key)
			sw_buf_addf(&t, " [%s]", e->config_key);
		if (e->layer >= 0)
			sw_buf_addf(&t, " (layer %d)", e->layer);
		if (e->created_by)
			sw_buf_addf(&t, "\n  %s", e->created_by);
		sw_buf_addch(&t, '\n');
	}
	if (c->note)
		sw_buf_addf(&t, "note: %s\n", c->note);
	if (c->status == SW_CHECK_FAIL && !c->suppressed) {
		sw_buf_addstr(b, "      <failure message=\"");
		struct sw_buf m = SW_BUF_INIT;
		sw_buf_addf(&m, "%s %s: %s", c->id, sw_severity_name(c->severity), c->title);
		sw_report_xml_escape(b, m.data);
		sw_buf_release(&m);
		sw_buf_addf(b, "\" type=\"%s\">", sw_severity_name(c->severity));
		sw_buf_addf(&t, "fix: %s\n", c->remediation ? c->remediation : "");
		sw_report_xml_escape(b, t.data);
		sw_buf_addstr(b, "</failure>\n");
	} else if (c->status == SW_CHECK_INFO || c->status == SW_CHECK_MANUAL || c->suppressed) {
		sw_buf_addstr(b, "      <skipped message=\"");
		const char *why = c->suppressed ? c->suppressed : c->note ? c->note : sw_check_status_name(c->status);
		struct sw_buf m = SW_BUF_INIT;
		sw_buf_addf(&m, "%s: %s", c->suppressed ? "suppressed" : sw_check_status_name(c->status), why);
		sw_report_xml_escape(b, m.data);
		sw_buf_release(&m);
		sw_buf_addstr(b, "\"/>\n");
		if (t.len) {
			sw_buf_addstr(b, "      <system-out>");
			sw_report_xml_escape(b, t.data);
			sw_buf_addstr(b, "</system-out>\n");
		}
	} else if (t.len) {
		sw_buf_addstr(b, "      <system-out>");
		sw_report_xml_escape(b, t.data);
		sw_buf_addstr(b, "</system-out>\n");
	}
	(void)ctx;
	sw_buf_release(&t);
	sw_buf_addstr(b, "    </testcase>\n");
}

void sw_report_junit_checks(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts,
			    size_t *tests, size_t *failures)
{
	size_t notrun = 0;
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++)
		notrun += ctx->opts->scanners[i].requested && !ctx->opts->scanners[i].ran;
	if (notrun) {
		sw_buf_addf(b, "  <testsuite name=\"scanners\" tests=\"%zu\" failures=\"0\" errors=\"0\" skipped=\"%zu\" time=\"0\" timestamp=\"%s\">\n",
			    notrun, notrun, ts);
		for (size_t i = 0; i < ctx->opts->nscanners; i++) {
			const struct sw_report_scanner *s = &ctx->opts->scanners[i];
			if (!s->requested || s->ran)
				continue;
			sw_buf_addstr(b, "    <testcase classname=\"scanners\" name=\"");
			sw_report_xml_escape(b, s->name);
			sw_buf_addstr(b, "\" time=\"0\">\n      <skipped message=\"");
			sw_report_xml_escape(b, s->why_not ? s->why_not : "could not run");
			sw_buf_addstr(b, "\"/>\n    </testcase>\n");
		}
		sw_buf_addstr(b, "  </testsuite>\n");
		*tests += notrun;
	}
	const struct sw_check_list *cl = checks(ctx);
	if (!cl || !cl->results.len)
		return;
	size_t fails = 0, skipped = 0;
	for (size_t i = 0; i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		if (c->status == SW_CHECK_FAIL && !c->suppressed)
			fails++;
		else if (c->status != SW_CHECK_PASS || c->suppressed)
			skipped++;
	}
	sw_buf_addf(b, "  <testsuite name=\"image checks\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\" timestamp=\"%s\">\n",
		    cl->results.len, fails, skipped, ts);
	if (cl->notes.len) {
		sw_buf_addstr(b, "    <properties>\n");
		for (size_t i = 0; i < cl->notes.len; i++) {
			sw_buf_addstr(b, "      <property name=\"note\" value=\"");
			sw_report_xml_escape(b, cl->notes.items[i]);
			sw_buf_addstr(b, "\"/>\n");
		}
		sw_buf_addstr(b, "    </properties>\n");
	}
	for (size_t i = 0; i < cl->results.len; i++)
		junit_case(b, ctx, cl->results.items[i]);
	sw_buf_addstr(b, "  </testsuite>\n");
	*tests += cl->results.len;
	*failures += fails;
}

/* --- HTML --- */

void sw_report_html_checks(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	bool any_notrun = false;
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++)
		any_notrun |= ctx->opts->scanners[i].requested && !ctx->opts->scanners[i].ran;
	const struct sw_check_list *cl = checks(ctx);
	if (!cl && !any_notrun)
		return;
	sw_buf_addstr(b, ctx->opts->checks_title ? "<h2>Checks</h2>\n" : "<h2>Image checks</h2>\n");
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		if (s->requested && !s->ran) {
			sw_buf_addstr(b, "<p class=\"incomplete\">scanner ");
			sw_report_xml_escape(b, s->name);
			sw_buf_addstr(b, ": ");
			sw_report_xml_escape(b, s->why_not ? s->why_not : "could not run");
			sw_buf_addstr(b, "</p>\n");
		}
	}
	if (!cl)
		return;
	for (size_t i = 0; i < cl->notes.len; i++) {
		sw_buf_addstr(b, "<p class=\"note\">");
		sw_report_xml_escape(b, cl->notes.items[i]);
		sw_buf_addstr(b, "</p>\n");
	}
	sw_buf_addstr(b, "<table class=\"checks\">\n<tr><th>Status</th><th>Id</th><th>CIS</th><th>Title</th>"
			 "<th>Severity</th><th>Evidence</th><th>Remediation</th></tr>\n");
	for (size_t i = 0; i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		sw_buf_addf(b, "<tr data-status=\"%s\"%s><td>%s</td><td>", sw_check_status_name(c->status),
			    c->suppressed ? " class=\"suppressed\"" : "", sw_check_status_name(c->status));
		sw_report_xml_escape(b, c->id);
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, c->cis ? c->cis : "-");
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, c->title);
		sw_buf_addf(b, "</td><td>%s</td><td>", c->status == SW_CHECK_FAIL ? sw_severity_name(c->severity) : "");
		for (size_t k = 0; k < c->evidence.len; k++) {
			const struct sw_check_evidence *e = c->evidence.items[k];
			if (k)
				sw_buf_addstr(b, "<br/>");
			sw_report_xml_escape(b, e->detail ? e->detail : "");
			if (e->path) {
				sw_buf_addstr(b, " <code>/");
				sw_report_xml_escape(b, e->path);
				sw_buf_addstr(b, "</code>");
			}
			if (e->layer >= 0)
				sw_buf_addf(b, " (layer %d)", e->layer);
			if (e->created_by) {
				sw_buf_addstr(b, " <code>");
				sw_report_xml_escape(b, e->created_by);
				sw_buf_addstr(b, "</code>");
			}
		}
		if (c->note) {
			sw_buf_addstr(b, c->evidence.len ? "<br/><em>" : "<em>");
			sw_report_xml_escape(b, c->note);
			sw_buf_addstr(b, "</em>");
		}
		if (c->suppressed) {
			sw_buf_addstr(b, "<br/><em>suppressed: ");
			sw_report_xml_escape(b, c->suppressed);
			sw_buf_addstr(b, "</em>");
		}
		sw_buf_addstr(b, "</td><td>");
		sw_report_xml_escape(b, c->status == SW_CHECK_FAIL && c->remediation ? c->remediation : "");
		sw_buf_addstr(b, "</td></tr>\n");
	}
	sw_buf_addstr(b, "</table>\n");
}

/* --- CycloneDX 1.5: BOM-level properties, several per result --- */

static void cdx_prop(json_t *doc, const char *name, const char *value)
{
	if (!value)
		return;
	json_t *props = json_object_get(doc, "properties");
	if (!json_is_array(props)) {
		props = json_array();
		json_object_set_new(doc, "properties", props);
	}
	json_t *p = json_object();
	json_object_set_new(p, "name", json_string(name));
	json_object_set_new(p, "value", sw_report_jstr(value));
	json_array_append_new(props, p);
}

/* "stowaway:check:ID:FIELD" = value */
static void cdx_check_prop(json_t *doc, const struct sw_check_result *c, const char *field, const char *value)
{
	char *n = sw_xasprintf("stowaway:check:%s:%s", c->id, field);
	cdx_prop(doc, n, value);
	free(n);
}

void sw_report_cdx_add_checks(json_t *doc, const struct sw_report_ctx *ctx)
{
	for (size_t i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		if (s->requested && !s->ran) {
			char *n = sw_xasprintf("stowaway:scanner:%s", s->name);
			cdx_prop(doc, n, s->why_not ? s->why_not : "could not run");
			free(n);
		}
	}
	const struct sw_check_list *cl = checks(ctx);
	for (size_t i = 0; cl && i < cl->notes.len; i++)
		cdx_prop(doc, "stowaway:checks:note", cl->notes.items[i]);
	for (size_t i = 0; cl && i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		struct sw_buf v = SW_BUF_INIT;
		sw_buf_addstr(&v, sw_check_status_name(c->status));
		if (c->status == SW_CHECK_FAIL)
			sw_buf_addf(&v, " %s", sw_severity_name(c->severity));
		sw_buf_addf(&v, ": %s", c->title);
		for (size_t k = 0; c->status == SW_CHECK_FAIL && k < c->evidence.len; k++) {
			const struct sw_check_evidence *e = c->evidence.items[k];
			sw_buf_addf(&v, "%s%s", k ? "; " : " (", e->detail ? e->detail : "");
			if (e->path)
				sw_buf_addf(&v, " /%s", e->path);
			if (k + 1 == c->evidence.len)
				sw_buf_addch(&v, ')');
		}
		if (c->suppressed)
			sw_buf_addf(&v, " [suppressed: %s]", c->suppressed);
		char *n = sw_xasprintf("stowaway:check:%s", c->id);
		cdx_prop(doc, n, v.data);
		free(n);
		sw_buf_release(&v);
		/* the same result field by field; each evidence item as the
		 * JSON object of our JSON report (docs/json-schema.md) */
		cdx_check_prop(doc, c, "status", sw_check_status_name(c->status));
		cdx_check_prop(doc, c, "severity", sw_severity_name(c->severity));
		cdx_check_prop(doc, c, "cis", c->cis);
		cdx_check_prop(doc, c, "title", c->title);
		for (size_t k = 0; k < c->evidence.len; k++) {
			json_t *ev = evidence_json(c->evidence.items[k]);
			char *t = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
			cdx_check_prop(doc, c, "evidence", t);
			free(t);
			json_decref(ev);
		}
		cdx_check_prop(doc, c, "note", c->note);
		cdx_check_prop(doc, c, "remediation", c->remediation);
		cdx_check_prop(doc, c, "suppressed", c->suppressed);
	}
}

/* --- SPDX 2.3: annotations --- */

static json_t *spdx_annotation(const char *ts, const char *tool, const char *type, const char *comment)
{
	json_t *a = json_object();
	json_object_set_new(a, "annotationDate", json_string(ts));
	json_object_set_new(a, "annotationType", json_string(type));
	json_object_set_new(a, "annotator", sw_report_jstr(tool));
	json_object_set_new(a, "comment", sw_report_jstr(comment));
	return a;
}

/* "key: value\n", the value on one line (controls and line breaks folded) */
static void spdx_line(struct sw_buf *b, const char *key, const char *value)
{
	if (!value)
		return;
	char *v = sw_report_clean(value, 0);
	sw_buf_addf(b, "%s: %s\n", key, v);
	free(v);
}

static char *spdx_check_comment(const struct sw_check_result *c)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "stowaway image check %s\n", c->id);
	spdx_line(&b, "cis", c->cis);
	spdx_line(&b, "title", c->title);
	spdx_line(&b, "status", sw_check_status_name(c->status));
	spdx_line(&b, "severity", sw_severity_name(c->severity));
	for (size_t k = 0; k < c->evidence.len; k++) {
		const struct sw_check_evidence *e = c->evidence.items[k];
		struct sw_buf t = SW_BUF_INIT;
		sw_buf_addstr(&t, e->detail ? e->detail : "");
		if (e->config_key)
			sw_buf_addf(&t, " [%s]", e->config_key);
		if (e->layer >= 0)
			sw_buf_addf(&t, " (layer %d)", e->layer);
		if (e->history >= 0)
			sw_buf_addf(&t, " (history entry %d)", e->history);
		if (e->path)
			sw_buf_addf(&t, " path /%s", e->path);
		if (e->created_by)
			sw_buf_addf(&t, " created by: %s", e->created_by);
		spdx_line(&b, "evidence", t.data ? t.data : "");
		sw_buf_release(&t);
	}
	spdx_line(&b, "note", c->note);
	spdx_line(&b, "remediation", c->remediation);
	spdx_line(&b, "suppressed", c->suppressed);
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return sw_buf_detach(&b, NULL);
}

static void spdx_append(json_t *obj, json_t *a)
{
	json_t *anns = json_object_get(obj, "annotations");
	if (!json_is_array(anns)) {
		anns = json_array();
		json_object_set_new(obj, "annotations", anns);
	}
	json_array_append_new(anns, a);
}

void sw_report_spdx_add_checks(json_t *doc, const struct sw_report_ctx *ctx)
{
	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	char *tool = sw_xasprintf("Tool: stowaway-%s", ctx->tool_version);
	json_t *img = NULL, *p;
	size_t i;
	json_array_foreach(json_object_get(doc, "packages"), i, p)
		if (sw_streq(json_string_value(json_object_get(p, "SPDXID")), "SPDXRef-Image"))
			img = p;
	for (i = 0; ctx->opts->scanners && i < ctx->opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx->opts->scanners[i];
		if (s->requested && !s->ran) {
			char *c = sw_xasprintf("stowaway scanner %s: %s", s->name,
					       s->why_not ? s->why_not : "could not run");
			spdx_append(doc, spdx_annotation(ts, tool, "OTHER", c));
			free(c);
		}
	}
	const struct sw_check_list *cl = checks(ctx);
	for (i = 0; cl && i < cl->notes.len; i++) {
		char *c = sw_xasprintf("stowaway image checks note: %s", (const char *)cl->notes.items[i]);
		spdx_append(doc, spdx_annotation(ts, tool, "OTHER", c));
		free(c);
	}
	for (i = 0; cl && i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		char *text = spdx_check_comment(c);
		/* a decided result reviews the image; info and manual are remarks */
		const char *type = c->status == SW_CHECK_PASS || c->status == SW_CHECK_FAIL ? "REVIEW" : "OTHER";
		spdx_append(img ? img : doc, spdx_annotation(ts, tool, type, text));
		free(text);
	}
	free(tool);
}
