/*
 * scan_html.c - one self-contained HTML page.
 *
 * Inline CSS, an inline SVG bar chart of the findings per severity, a
 * per-layer breakdown (findings per layer, with the history line that made
 * the layer), the findings table (filterable by severity with a few lines
 * of inline JavaScript; the page reads fine without it) and the notes.
 * Nothing is fetched: links to advisories are plain links.  Every string
 * from the image or the database is escaped (sw_report_xml_escape), so
 * the page is also well-formed XML.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const char *const sev_colors[6] = {
	"#9e9e9e", /* unknown */
	"#78909c", /* negligible */
	"#1e88e5", /* low */
	"#fbc02d", /* medium */
	"#f4511e", /* high */
	"#b71c1c", /* critical */
};

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:2em;color:#212121}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}"
	"table{border-collapse:collapse;font-size:.9em}"
	"th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}"
	"th{background:#f5f5f5}"
	"table.meta th{width:9em}"
	".note{background:#fff8e1;border-left:4px solid #ffa000;padding:.5em 1em;margin:.5em 0}"
	".incomplete{background:#ffebee;border-left-color:#c62828}"
	".sev{color:#fff;border-radius:3px;padding:0 .4em;font-size:.85em}"
	".sev-critical{background:#b71c1c}.sev-high{background:#f4511e}"
	".sev-medium{background:#fbc02d;color:#212121}.sev-low{background:#1e88e5}"
	".sev-negligible{background:#78909c}.sev-unknown{background:#9e9e9e}"
	"tr.suppressed{color:#9e9e9e}"
	".aliases{color:#616161;font-size:.85em}"
	"code{font-size:.9em}";

/* no "<" or "&": the page stays well-formed XML */
static const char script[] =
	"function swFilter(){var b=document.querySelectorAll('input[data-sev]'),on={};"
	"for(var i=b.length;i--;)on[b[i].getAttribute('data-sev')]=b[i].checked;"
	"var r=document.querySelectorAll('tr[data-sev]');"
	"for(var j=r.length;j--;)r[j].style.display=on[r[j].getAttribute('data-sev')]?'':'none';}";

static void esc(struct sw_buf *b, const char *s)
{
	sw_report_xml_escape(b, s);
}

static void meta_row(struct sw_buf *b, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	sw_buf_addf(b, "<tr><th>%s</th><td>", k);
	esc(b, v);
	sw_buf_addstr(b, "</td></tr>\n");
}

static void chart(struct sw_buf *b, const size_t counts[6])
{
	size_t max = 1;
	for (int s = 0; s < 6; s++)
		if (counts[s] > max)
			max = counts[s];
	const int barw = 400, rowh = 24;
	sw_buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"findings per severity\">\n",
		    110 + barw + 60, 6 * rowh + 4);
	for (int s = SW_SEV_CRITICAL, row = 0; s >= SW_SEV_UNKNOWN; s--, row++) {
		int y = row * rowh + 2;
		int w = (int)((double)counts[s] * barw / (double)max);
		sw_buf_addf(b, "<text x=\"0\" y=\"%d\" font-size=\"13\">%s</text>", y + 15,
			    sw_severity_name((enum sw_severity_level)s));
		sw_buf_addf(b, "<rect x=\"110\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", y,
			    w, rowh - 6, sev_colors[s]);
		sw_buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%zu</text>\n", 110 + w + 6,
			    y + 15, counts[s]);
	}
	sw_buf_addstr(b, "</svg>\n");
}

static void layers_table(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	const struct sw_inventory *inv = ctx->inv;
	size_t nl = inv->layers.len;
	/* per layer (and one more row for "unknown"): counts per severity, packages */
	size_t (*cnt)[6] = sw_xcalloc(nl + 1, sizeof(*cnt));
	size_t *npk = sw_xcalloc(nl + 1, sizeof(size_t));
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		size_t row = nl;
		for (size_t l = 0; l < nl; l++)
			if (((const struct sw_inv_layer *)inv->layers.items[l])->index == p->layer_index)
				row = l;
		npk[row]++;
	}
	for (size_t n = 0; n < ctx->res->findings.len; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		if (!sw_report_scan_shown(ctx, f))
			continue;
		const struct sw_package *p = sw_report_finding_pkg(ctx, f);
		size_t row = nl;
		for (size_t l = 0; l < nl; l++)
			if (((const struct sw_inv_layer *)inv->layers.items[l])->index == p->layer_index)
				row = l;
		cnt[row][(unsigned)f->severity < 6 ? f->severity : 0]++;
	}
	sw_buf_addstr(b, "<table class=\"layers\">\n<tr><th>Layer</th><th>Created by</th><th>Packages</th>"
			 "<th>Critical</th><th>High</th><th>Medium</th><th>Low</th><th>Other</th></tr>\n");
	for (size_t l = 0; l <= nl; l++) {
		size_t total = 0;
		for (int s = 0; s < 6; s++)
			total += cnt[l][s];
		if (l == nl && !npk[l] && !total)
			continue;
		if (l < nl) {
			const struct sw_inv_layer *ly = inv->layers.items[l];
			char *by = sw_report_short_created_by(ly->created_by, 0);
			sw_buf_addf(b, "<tr><td>%d</td><td><code>", ly->index);
			esc(b, by);
			sw_buf_addstr(b, "</code></td>");
			free(by);
		} else {
			sw_buf_addstr(b, "<tr><td>?</td><td>unknown layer</td>");
		}
		sw_buf_addf(b, "<td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
			    npk[l], cnt[l][SW_SEV_CRITICAL], cnt[l][SW_SEV_HIGH], cnt[l][SW_SEV_MEDIUM],
			    cnt[l][SW_SEV_LOW], cnt[l][SW_SEV_NEGLIGIBLE] + cnt[l][SW_SEV_UNKNOWN]);
	}
	sw_buf_addstr(b, "</table>\n");
	free(cnt);
	free(npk);
}

static void finding_row(struct sw_buf *b, const struct sw_report_ctx *ctx, const struct sw_finding *f)
{
	const struct sw_package *p = sw_report_finding_pkg(ctx, f);
	const char *sev = sw_severity_name(f->severity);
	sw_buf_addf(b, "<tr data-sev=\"%s\"%s><td>", sev, f->suppressed ? " class=\"suppressed\"" : "");
	char *url = sw_report_vuln_url(f->id);
	sw_buf_addstr(b, "<a href=\"");
	esc(b, url);
	sw_buf_addstr(b, "\">");
	esc(b, f->id);
	sw_buf_addstr(b, "</a>");
	free(url);
	bool first = true;
	for (size_t i = 0; i < f->ids.len; i++) {
		if (sw_streq(f->ids.items[i], f->id))
			continue;
		sw_buf_addstr(b, first ? "<br/><span class=\"aliases\">" : ", ");
		esc(b, f->ids.items[i]);
		first = false;
	}
	if (!first)
		sw_buf_addstr(b, "</span>");
	sw_buf_addf(b, "</td><td><span class=\"sev sev-%s\">%s</span>", sev, sev);
	if (f->cvss_score >= 0)
		sw_buf_addf(b, " %.1f", f->cvss_score);
	if (f->kev)
		sw_buf_addstr(b, " <strong title=\"CISA known exploited\">KEV</strong>");
	for (size_t i = 0; i < f->exploits.len; i++) {
		/* ids are decimal (the importer and the report reader check it) */
		sw_buf_addf(b, "%s<a href=\"" SW_EXPLOITDB_URL, i ? ", " : " ");
		esc(b, f->exploits.items[i]);
		sw_buf_addstr(b, "\" title=\"public exploit (Exploit-DB)\">EDB-");
		esc(b, f->exploits.items[i]);
		sw_buf_addstr(b, "</a>");
	}
	sw_buf_addstr(b, "</td><td>");
	char *name = sw_report_pkg_name(p);
	esc(b, name);
	free(name);
	sw_buf_addstr(b, " <span class=\"aliases\">");
	esc(b, p->type);
	sw_buf_addstr(b, "</span></td><td>");
	esc(b, f->installed ? f->installed : p->version);
	sw_buf_addstr(b, "</td><td>");
	esc(b, f->fixed ? f->fixed : "-");
	sw_buf_addf(b, "</td><td>%s</td><td>", sw_vuln_status_name(f->status));
	if (p->layer_index >= 0)
		sw_buf_addf(b, "%d", p->layer_index);
	else
		sw_buf_addch(b, '?');
	sw_buf_addstr(b, "</td><td>");
	esc(b, f->title ? f->title : "");
	if (f->epss >= 0)
		sw_buf_addf(b, " <span class=\"aliases\">EPSS %.2f%%</span>", f->epss * 100.0);
	if (f->suppressed) {
		sw_buf_addstr(b, "<br/><em>suppressed: ");
		esc(b, f->suppressed);
		sw_buf_addstr(b, "</em>");
	}
	sw_buf_addstr(b, "</td></tr>\n");
}

int sw_report_html_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_inventory *inv = ctx->inv;
	const struct sw_match_result *res = ctx->res;
	struct sw_buf b = SW_BUF_INIT;
	const char *iname = sw_report_image_name(inv);
	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));

	sw_buf_addstr(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
			  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>stowaway scan: ");
	esc(&b, iname);
	sw_buf_addf(&b, "</title>\n<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n", css, script);
	sw_buf_addstr(&b, "<h1>Vulnerability report: ");
	esc(&b, iname);
	sw_buf_addstr(&b, "</h1>\n<table class=\"meta\">\n");
	meta_row(&b, "Image", iname);
	meta_row(&b, "Digest", sw_report_image_digest(inv));
	meta_row(&b, "Reference", inv->reference);
	meta_row(&b, "Platform", inv->architecture);
	char *os = NULL;
	if (inv->os.id)
		os = sw_xasprintf("%s [%s %s]", inv->os.pretty_name ? inv->os.pretty_name : inv->os.id,
				  inv->os.id, inv->os.version_id ? inv->os.version_id : "");
	meta_row(&b, "OS", os ? os : "unknown");
	free(os);
	char *npk = sw_xasprintf("%zu", inv->packages.len);
	meta_row(&b, "Packages", npk);
	free(npk);
	meta_row(&b, "Scanned", ts);
	char *tool = sw_xasprintf("stowaway %s", ctx->tool_version);
	meta_row(&b, "Tool", tool);
	free(tool);
	sw_buf_addstr(&b, "</table>\n");

	for (size_t i = 0; i < sw_report_incomplete_count(ctx); i++) {
		sw_buf_addstr(&b, "<p class=\"note incomplete\"><strong>Incomplete result:</strong> ");
		esc(&b, sw_report_incomplete_get(ctx, i));
		sw_buf_addstr(&b, " (this is not 'no vulnerabilities')</p>\n");
	}
	for (size_t i = 0; i < res->notes.len; i++) {
		sw_buf_addstr(&b, "<p class=\"note\"><strong>Note:</strong> ");
		esc(&b, res->notes.items[i]);
		sw_buf_addstr(&b, "</p>\n");
	}

	size_t counts[6], suppressed, total = 0;
	sw_report_scan_counts(ctx, counts, &suppressed);
	for (int s = 0; s < 6; s++)
		total += counts[s];
	sw_buf_addf(&b, "<h2>Findings by severity</h2>\n<p id=\"summary\">%zu vulnerabilit%s (critical %zu, high %zu, medium %zu, low %zu, negligible %zu, unknown %zu); %zu suppressed%s</p>\n",
		    total, total == 1 ? "y" : "ies", counts[SW_SEV_CRITICAL], counts[SW_SEV_HIGH],
		    counts[SW_SEV_MEDIUM], counts[SW_SEV_LOW], counts[SW_SEV_NEGLIGIBLE],
		    counts[SW_SEV_UNKNOWN], suppressed,
		    suppressed && !ctx->opts->show_suppressed ? " (not listed; --show-suppressed to list)" : "");
	chart(&b, counts);

	sw_report_html_checks(&b, ctx);
	sw_report_html_files(&b, ctx);
	sw_report_html_notices(&b, ctx);
	sw_report_html_policy(&b, ctx);

	sw_buf_addstr(&b, "<h2>Layers</h2>\n");
	layers_table(&b, ctx);

	sw_buf_addstr(&b, "<h2>Findings</h2>\n<p>Show:");
	for (int s = SW_SEV_CRITICAL; s >= SW_SEV_UNKNOWN; s--) {
		const char *n = sw_severity_name((enum sw_severity_level)s);
		sw_buf_addf(&b, " <label><input type=\"checkbox\" data-sev=\"%s\" checked=\"checked\" onchange=\"swFilter()\"/> %s</label>",
			    n, n);
	}
	sw_buf_addstr(&b, "</p>\n<table class=\"findings\">\n<tr><th>ID</th><th>Severity</th><th>Package</th>"
			  "<th>Installed</th><th>Fixed in</th><th>Status</th><th>Layer</th><th>Title</th></tr>\n");
	for (size_t n = 0; n < res->findings.len; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		if (sw_report_scan_shown(ctx, f))
			finding_row(&b, ctx, f);
	}
	sw_buf_addstr(&b, "</table>\n</body>\n</html>\n");

	if (!sw_buf_ok(&b)) {
		sw_buf_release(&b);
		return sw_err_set(err, SW_E_NOMEM, "cannot build the html report");
	}
	size_t len = b.len, w = fwrite(b.data, 1, len, out);
	sw_buf_release(&b);
	if (w != len || fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}
