/*
 * scan_files.c - what the content scanners found (inventory->file_findings:
 * secrets and malware, model/filefinding.h) in every scan format: JSON
 * "secrets"/"malware", the table sections "Secrets" and "Malware", SARIF
 * rules and results, JUnit testsuites, HTML sections (secrets grouped by
 * layer), CycloneDX BOM properties.  `match` was masked by the scanner;
 * here strings are only escaped or cleaned for the format.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const struct sw_vec *findings(const struct sw_report_ctx *ctx)
{
	return &ctx->inv->file_findings;
}

static bool is_kind(const struct sw_file_finding *f, const char *scanner)
{
	return f->scanner && strcmp(f->scanner, scanner) == 0;
}

/* Listed in the formats that hide suppressed findings? */
static bool shown(const struct sw_report_ctx *ctx, const struct sw_file_finding *f)
{
	return !f->suppressed || ctx->opts->show_suppressed;
}

static const char *created_by(const struct sw_report_ctx *ctx, int layer)
{
	const struct sw_inv_layer *l = layer >= 0 ? sw_report_layer(ctx->inv, layer) : NULL;
	return l ? l->created_by : NULL;
}

/* "path[:line]" with a leading '/', or the config place (detail) */
static char *where(const struct sw_file_finding *f)
{
	if (!f->path)
		return sw_xstrdup(f->detail ? f->detail : "config");
	if (f->line)
		return sw_xasprintf("/%s:%u", f->path, f->line);
	return sw_xasprintf("/%s", f->path);
}

/* "layer 2", "layer 2, removed in layer 4 (still in the image)", "config" */
static char *layer_text(const struct sw_file_finding *f)
{
	if (f->layer < 0)
		return sw_xstrdup("image config");
	if (f->removed_in >= 0)
		return sw_xasprintf("layer %d, removed in layer %d (still in the image)", f->layer, f->removed_in);
	return sw_xasprintf("layer %d", f->layer);
}

static const char *section_title(const char *scanner)
{
	return strcmp(scanner, "secret") == 0 ? "Secrets" : "Malware";
}

/* ---- JSON ---- */

json_t *sw_report_files_json(const struct sw_report_ctx *ctx, const char *scanner)
{
	json_t *a = json_array();
	const struct sw_vec *v = findings(ctx);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		if (!is_kind(f, scanner))
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "ruleId", sw_report_jstr(f->rule_id));
		json_object_set_new(o, "category", sw_report_jstr(f->category));
		json_object_set_new(o, "title", sw_report_jstr(f->title));
		json_object_set_new(o, "severity", json_string(sw_severity_name(f->severity)));
		json_object_set_new(o, "path", sw_report_jstr(f->path));
		json_object_set_new(o, "line", f->line ? json_integer(f->line) : json_null());
		json_object_set_new(o, "offset", json_integer((json_int_t)f->offset));
		json_object_set_new(o, "match", sw_report_jstr(f->match));
		json_object_set_new(o, "layer", f->layer >= 0 ? json_integer(f->layer) : json_null());
		const struct sw_inv_layer *l = f->layer >= 0 ? sw_report_layer(ctx->inv, f->layer) : NULL;
		json_object_set_new(o, "layerDiffId", sw_report_jstr(l ? l->diff_id : NULL));
		json_object_set_new(o, "createdBy", sw_report_jstr(l ? l->created_by : NULL));
		json_object_set_new(o, "removedIn", f->removed_in >= 0 ? json_integer(f->removed_in) : json_null());
		json_object_set_new(o, "inFinalFilesystem", json_boolean(f->layer >= 0 && f->removed_in < 0));
		json_object_set_new(o, "detail", sw_report_jstr(f->detail));
		json_object_set_new(o, "suppressed", sw_report_jstr(f->suppressed));
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- table ---- */

static void table_section(FILE *out, const struct sw_report_ctx *ctx, const char *scanner)
{
	const struct sw_report_scanner *sc = sw_report_find_scanner(ctx, scanner);
	const struct sw_vec *v = findings(ctx);
	size_t n = 0, hidden = 0;
	for (size_t i = 0; i < v->len; i++)
		if (is_kind(v->items[i], scanner))
			n++;
	if (!n && !(sc && sc->requested))
		return;
	bool color = ctx->opts->color;
	const char *b = color ? "\033[1m" : "", *e = color ? "\033[0m" : "";
	fprintf(out, "\n%s%s%s\n", b, section_title(scanner), e);
	if (sc && sc->requested && !sc->ran) {
		char *w = sw_report_clean(sc->why_not ? sc->why_not : "not checked", 0);
		fprintf(out, "  %s%s: %s%s\n", color ? "\033[1;31m" : "", scanner, w, e);
		free(w);
		return;
	}
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		if (!is_kind(f, scanner))
			continue;
		if (!shown(ctx, f)) {
			hidden++;
			continue;
		}
		char *rule = sw_report_clean(f->rule_id ? f->rule_id : "-", 0);
		char *w = where(f);
		char *wc = sw_report_clean(w, 0);
		char *lt = layer_text(f);
		fprintf(out, "  %-8s %s  %s  %s\n", sw_severity_name(f->severity), rule, wc, lt);
		if (f->match) {
			char *m = sw_report_clean(f->match, 120);
			fprintf(out, "      match: %s\n", m);
			free(m);
		}
		if (f->detail && f->path) {
			char *d = sw_report_clean(f->detail, 0);
			fprintf(out, "      %s\n", d);
			free(d);
		}
		const char *by = created_by(ctx, f->layer);
		if (by) {
			char *s = sw_report_short_created_by(by, 100);
			fprintf(out, "      %s\n", s);
			free(s);
		}
		if (f->suppressed) {
			char *s = sw_report_clean(f->suppressed, 0);
			fprintf(out, "      suppressed: %s\n", s);
			free(s);
		}
		free(rule);
		free(w);
		free(wc);
		free(lt);
	}
	fprintf(out, "  %zu finding%s", n, n == 1 ? "" : "s");
	if (hidden)
		fprintf(out, " (%zu suppressed; --show-suppressed to list)", hidden);
	fputc('\n', out);
}

void sw_report_table_files(FILE *out, const struct sw_report_ctx *ctx)
{
	table_section(out, ctx, "secret");
	table_section(out, ctx, "malware");
}

/* ---- SARIF ---- */

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", sw_report_jstr(s ? s : ""));
	return o;
}

static const char *sarif_level(enum sw_severity_level s)
{
	return s >= SW_SEV_HIGH ? "error" : s >= SW_SEV_MEDIUM ? "warning" : "note";
}

void sw_report_sarif_files(const struct sw_report_ctx *ctx, json_t *rules, json_t *results)
{
	const struct sw_vec *v = findings(ctx);
	struct sw_vec ids = SW_VEC_INIT;   /* "scanner/rule" per rule added, index = position + base */
	size_t base = json_array_size(rules);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		if (!shown(ctx, f))
			continue;
		char *id = sw_xasprintf("%s/%s", f->scanner, f->rule_id ? f->rule_id : "unknown");
		long k = sw_vec_find_str(&ids, id);
		if (k < 0) {
			json_t *rule = json_object();
			json_object_set_new(rule, "id", sw_report_jstr(id));
			json_object_set_new(rule, "name", json_string(is_kind(f, "secret") ? "Secret" : "Malware"));
			json_object_set_new(rule, "shortDescription", text_obj(f->title ? f->title : id));
			json_t *dc = json_object();
			json_object_set_new(dc, "level", json_string(sarif_level(f->severity)));
			json_object_set_new(rule, "defaultConfiguration", dc);
			json_t *rp = json_object(), *tags = json_array();
			json_array_append_new(tags, json_string(f->scanner));
			if (f->category)
				json_array_append_new(tags, sw_report_jstr(f->category));
			json_object_set_new(rp, "tags", tags);
			json_object_set_new(rule, "properties", rp);
			json_array_append_new(rules, rule);
			sw_vec_push_strdup(&ids, id);
			k = (long)ids.len - 1;
		}
		json_t *r = json_object();
		json_object_set_new(r, "ruleId", sw_report_jstr(id));
		json_object_set_new(r, "ruleIndex", json_integer((json_int_t)(base + (size_t)k)));
		json_object_set_new(r, "level", json_string(sarif_level(f->severity)));
		char *w = where(f), *lt = layer_text(f);
		struct sw_buf m = SW_BUF_INIT;
		sw_buf_addf(&m, "%s %s in %s (%s)", is_kind(f, "secret") ? "secret" : "malware",
			    f->rule_id ? f->rule_id : "?", w, lt);
		if (f->match)
			sw_buf_addf(&m, ": %s", f->match);
		if (f->detail && f->path)
			sw_buf_addf(&m, "; %s", f->detail);
		json_object_set_new(r, "message", text_obj(m.data));
		sw_buf_release(&m);
		if (f->path) {
			const char *bang = strchr(f->path, '!');
			char *uri = bang ? sw_xstrndup(f->path, (size_t)(bang - f->path)) : sw_xstrdup(f->path);
			json_t *al = json_object(), *ph = json_object(), *loc = json_object();
			json_object_set_new(al, "uri", sw_report_jstr(uri));
			json_object_set_new(ph, "artifactLocation", al);
			if (f->line) {
				json_t *reg = json_object();
				json_object_set_new(reg, "startLine", json_integer(f->line));
				json_object_set_new(ph, "region", reg);
			}
			json_object_set_new(loc, "physicalLocation", ph);
			json_t *locs = json_array();
			json_array_append_new(locs, loc);
			json_object_set_new(r, "locations", locs);
			free(uri);
		}
		char uuid[37];
		char *seed = sw_xasprintf("%s\n%s\n%d\n%llu", id, f->path ? f->path : (f->detail ? f->detail : ""),
					  f->layer, (unsigned long long)f->offset);
		sw_report_uuid(seed, uuid);
		free(seed);
		json_t *fp = json_object();
		json_object_set_new(fp, "stowaway/v1", json_string(uuid));
		json_object_set_new(r, "partialFingerprints", fp);
		if (f->suppressed) {
			json_t *s = json_object();
			json_object_set_new(s, "kind", json_string("external"));
			json_object_set_new(s, "status", json_string("accepted"));
			json_object_set_new(s, "justification", sw_report_jstr(f->suppressed));
			json_t *sa = json_array();
			json_array_append_new(sa, s);
			json_object_set_new(r, "suppressions", sa);
		}
		json_t *props = json_object();
		json_object_set_new(props, "severity", json_string(sw_severity_name(f->severity)));
		if (f->layer >= 0)
			json_object_set_new(props, "layer", json_integer(f->layer));
		if (f->removed_in >= 0)
			json_object_set_new(props, "removedIn", json_integer(f->removed_in));
		json_object_set_new(props, "createdBy", sw_report_jstr(created_by(ctx, f->layer)));
		json_object_set_new(props, "path", sw_report_jstr(f->path));
		json_object_set_new(props, "detail", sw_report_jstr(f->detail));
		json_object_set_new(r, "properties", props);
		json_array_append_new(results, r);
		free(w);
		free(lt);
		free(id);
	}
	sw_vec_free_strings(&ids);
}

/* ---- JUnit ---- */

static void junit_suite(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *scanner, const char *ts,
			size_t *tests, size_t *failures)
{
	const struct sw_report_scanner *sc = sw_report_find_scanner(ctx, scanner);
	const struct sw_vec *v = findings(ctx);
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++)
		if (is_kind(v->items[i], scanner) && shown(ctx, v->items[i]))
			n++;
	/* not asked for, or in the "scanners" suite as skipped; findings made
	 * elsewhere (malicious packages, from the vulnerability data) are
	 * listed all the same */
	if (!n && (!sc || !sc->requested || !sc->ran))
		return;
	size_t fails = 0;
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		fails += is_kind(f, scanner) && shown(ctx, f) && !f->suppressed;
	}
	/* no finding: one passing testcase, so the suite says it looked */
	size_t t = n ? n : 1;
	sw_buf_addf(b, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\" timestamp=\"%s\">\n",
		    strcmp(scanner, "secret") == 0 ? "secrets" : "malware", t, fails, n - fails, ts);
	if (!n)
		sw_buf_addf(b, "    <testcase classname=\"%s\" name=\"no %s found\" time=\"0\"/>\n", scanner,
			    strcmp(scanner, "secret") == 0 ? "secrets" : "malware");
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		if (!is_kind(f, scanner) || !shown(ctx, f))
			continue;
		char *w = where(f), *lt = layer_text(f);
		sw_buf_addf(b, "    <testcase classname=\"%s\" name=\"", scanner);
		sw_report_xml_escape(b, w);
		sw_buf_addstr(b, " ");
		sw_report_xml_escape(b, f->rule_id ? f->rule_id : "?");
		sw_buf_addstr(b, "\" time=\"0\">\n");
		sw_buf_addstr(b, f->suppressed ? "      <skipped message=\"" : "      <failure type=\"");
		if (f->suppressed) {
			sw_report_xml_escape(b, f->suppressed);
			sw_buf_addstr(b, "\"/>\n");
		} else {
			sw_buf_addf(b, "%s\" message=\"", sw_severity_name(f->severity));
			sw_report_xml_escape(b, f->title ? f->title : f->rule_id);
			sw_buf_addstr(b, "\">");
			sw_report_xml_escape(b, lt);
			if (f->match) {
				sw_buf_addstr(b, "\nmatch: ");
				sw_report_xml_escape(b, f->match);
			}
			if (f->detail) {
				sw_buf_addstr(b, "\n");
				sw_report_xml_escape(b, f->detail);
			}
			const char *by = created_by(ctx, f->layer);
			if (by) {
				sw_buf_addstr(b, "\n");
				sw_report_xml_escape(b, by);
			}
			sw_buf_addstr(b, "</failure>\n");
		}
		sw_buf_addstr(b, "    </testcase>\n");
		free(w);
		free(lt);
	}
	sw_buf_addstr(b, "  </testsuite>\n");
	*tests += t;
	*failures += fails;
}

void sw_report_junit_files(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests,
			   size_t *failures)
{
	junit_suite(b, ctx, "secret", ts, tests, failures);
	junit_suite(b, ctx, "malware", ts, tests, failures);
}

/* ---- HTML ---- */

static void html_row(struct sw_buf *b, const struct sw_file_finding *f)
{
	sw_buf_addf(b, "<tr data-sev=\"%s\"%s><td>%s</td><td>", sw_severity_name(f->severity),
		    f->suppressed ? " class=\"suppressed\"" : "", sw_severity_name(f->severity));
	sw_report_xml_escape(b, f->rule_id ? f->rule_id : "");
	sw_buf_addstr(b, "</td><td>");
	char *w = where(f);
	sw_report_xml_escape(b, w);
	free(w);
	sw_buf_addstr(b, "</td><td><code>");
	sw_report_xml_escape(b, f->match ? f->match : "");
	sw_buf_addstr(b, "</code></td><td>");
	if (f->removed_in >= 0)
		sw_buf_addf(b, "removed in layer %d (still in the image)", f->removed_in);
	else
		sw_buf_addstr(b, f->layer >= 0 ? "in the final file system" : "");
	if (f->detail && f->path) {
		sw_buf_addstr(b, "<br/>");
		sw_report_xml_escape(b, f->detail);
	}
	if (f->suppressed) {
		sw_buf_addstr(b, "<br/><em>suppressed: ");
		sw_report_xml_escape(b, f->suppressed);
		sw_buf_addstr(b, "</em>");
	}
	sw_buf_addstr(b, "</td></tr>\n");
}

static void html_section(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *scanner)
{
	const struct sw_report_scanner *sc = sw_report_find_scanner(ctx, scanner);
	const struct sw_vec *v = findings(ctx);
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++)
		n += is_kind(v->items[i], scanner);
	if (!n && !(sc && sc->requested))
		return;
	sw_buf_addf(b, "<h2 id=\"%s\">%s</h2>\n", scanner, section_title(scanner));
	if (sc && sc->requested && !sc->ran) {
		sw_buf_addf(b, "<p class=\"incomplete\">%s: ", scanner);
		sw_report_xml_escape(b, sc->why_not ? sc->why_not : "not checked");
		sw_buf_addstr(b, "</p>\n");
		return;
	}
	sw_buf_addf(b, "<p>%zu finding%s</p>\n", n, n == 1 ? "" : "s");
	/* findings are sorted by layer: one table per layer, under its history line */
	int cur = -2;
	bool open = false;
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		if (!is_kind(f, scanner) || !shown(ctx, f))
			continue;
		if (f->layer != cur) {
			if (open)
				sw_buf_addstr(b, "</table>\n");
			cur = f->layer;
			if (cur < 0) {
				sw_buf_addstr(b, "<h3>Image config</h3>\n");
			} else {
				sw_buf_addf(b, "<h3>Layer %d</h3>\n", cur);
				const char *by = created_by(ctx, cur);
				if (by) {
					sw_buf_addstr(b, "<p><code>");
					sw_report_xml_escape(b, by);
					sw_buf_addstr(b, "</code></p>\n");
				}
			}
			sw_buf_addf(b, "<table class=\"%s\">\n<tr><th>Severity</th><th>Rule</th><th>Path</th>"
				       "<th>Match</th><th>Status</th></tr>\n", scanner);
			open = true;
		}
		html_row(b, f);
	}
	if (open)
		sw_buf_addstr(b, "</table>\n");
}

void sw_report_html_files(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	html_section(b, ctx, "secret");
	html_section(b, ctx, "malware");
}

/* ---- CycloneDX: BOM-level properties ---- */

void sw_report_cdx_add_files(json_t *doc, const struct sw_report_ctx *ctx)
{
	const struct sw_vec *v = findings(ctx);
	if (!v->len)
		return;
	json_t *props = json_object_get(doc, "properties");
	if (!json_is_array(props)) {
		props = json_array();
		json_object_set_new(doc, "properties", props);
	}
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		char *w = where(f), *lt = layer_text(f);
		struct sw_buf val = SW_BUF_INIT;
		sw_buf_addf(&val, "%s %s %s (%s)", sw_severity_name(f->severity), f->rule_id ? f->rule_id : "?", w, lt);
		if (f->match)
			sw_buf_addf(&val, ": %s", f->match);
		if (f->suppressed)
			sw_buf_addf(&val, " [suppressed: %s]", f->suppressed);
		json_t *p = json_object();
		char *name = sw_xasprintf("stowaway:%s", f->scanner);
		json_object_set_new(p, "name", json_string(name));
		json_object_set_new(p, "value", sw_report_jstr(val.data ? val.data : ""));
		json_array_append_new(props, p);
		free(name);
		sw_buf_release(&val);
		free(w);
		free(lt);
	}
}

/* ---- SPDX: lines of the document comment ---- */

void sw_report_files_text(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	static const char *const kinds[] = { "secret", "malware" };
	for (size_t k = 0; k < 2; k++) {
		const struct sw_report_scanner *sc = sw_report_find_scanner(ctx, kinds[k]);
		if (sc && sc->requested && !sc->ran)
			sw_buf_addf(b, "\n%s: %s", kinds[k], sc->why_not ? sc->why_not : "not checked");
	}
	const struct sw_vec *v = findings(ctx);
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_file_finding *f = v->items[i];
		char *w = where(f), *lt = layer_text(f);
		sw_buf_addf(b, "\n%s: %s %s %s (%s)", f->scanner, sw_severity_name(f->severity),
			    f->rule_id ? f->rule_id : "?", w, lt);
		if (f->match)
			sw_buf_addf(b, ": %s", f->match);
		if (f->suppressed)
			sw_buf_addf(b, " [suppressed: %s]", f->suppressed);
		free(w);
		free(lt);
	}
}
