/*
 * scan_table.c - the human-readable scan report.
 *
 *   Image:  NAME (DIGEST)
 *   OS:     PRETTY_NAME [id version]
 *
 *   NOTE: no vulnerability data for Debian:13; OS packages not checked
 *
 *   bash 5.2.15-2+b2 (deb)  layer 0: ADD file:... in /
 *     ID              SEVERITY  STATUS  FIXED IN  TITLE
 *     CVE-2022-3715   high      fixed   5.2.15-3  bash: a heap-buffer-overflow ...
 *
 *   Total: 3 vulnerabilities (critical 0, high 2, medium 1, low 0, negligible 0, unknown 0)
 *   1 suppressed; --show-suppressed to list
 *
 * Findings come grouped by package in the result's order (sorted by
 * package, severity, id).  Column widths are shared by every group so the
 * columns line up down the page.  Everything from the image or the
 * database is sanitised (sw_report_clean: C0 and C1 controls, bidi
 * overrides and invalid UTF-8 as '?'); colour only when
 * o->color.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define NCOLS 5
#define TITLE_MAX 64
#define CREATED_BY_MAX 60

static const char *const headers[NCOLS] = { "ID", "SEVERITY", "STATUS", "FIXED IN", "TITLE" };

static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static const char *sev_color(enum sw_severity_level s)
{
	switch (s) {
	case SW_SEV_CRITICAL: return "\033[1;31m";
	case SW_SEV_HIGH: return "\033[31m";
	case SW_SEV_MEDIUM: return "\033[33m";
	case SW_SEV_LOW: return "\033[34m";
	default: return "\033[2m";
	}
}

struct row {
	char *cell[NCOLS];
	char *suppressed;     /* reason, when shown */
	enum sw_severity_level sev;
	size_t pkg;
};

static void print_cells(FILE *out, char *const *cells, const size_t *w, const char *sev_on,
			const char *off)
{
	fputs("  ", out);
	for (int c = 0; c < NCOLS; c++) {
		bool col = c == 1 && *sev_on;
		if (col)
			fputs(sev_on, out);
		fputs(cells[c], out);
		if (col)
			fputs(off, out);
		if (c < NCOLS - 1)
			fprintf(out, "%*s", (int)(w[c] - width(cells[c]) + 2), "");
	}
	fputc('\n', out);
}

static void print_pkg_heading(FILE *out, const struct sw_report_ctx *ctx, size_t k, bool color)
{
	const struct sw_package *p = ctx->inv->packages.items[k];
	char *name = sw_report_pkg_name(p);
	char *ver = sw_package_full_version(p);
	char *cn = sw_report_clean(name, 0), *cv = sw_report_clean(*ver ? ver : "-", 0);
	char *ct = sw_report_clean(p->type ? p->type : "unknown", 0);
	fprintf(out, "\n%s%s %s%s (%s)", color ? "\033[1;36m" : "", cn, cv, color ? "\033[0m" : "", ct);
	if (p->layer_index >= 0) {
		char *by = sw_report_short_created_by(sw_report_pkg_created_by(ctx->inv, p),
						      CREATED_BY_MAX);
		fprintf(out, "  layer %d%s%s", p->layer_index, *by ? ": " : "", by);
		free(by);
	}
	fputc('\n', out);
	if (p->path && *p->path) {
		char *path = sw_report_clean(p->path, 0);
		fprintf(out, "  %s\n", path);
		free(path);
	}
	free(name);
	free(ver);
	free(cn);
	free(cv);
	free(ct);
}

int sw_report_table_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_inventory *inv = ctx->inv;
	const struct sw_match_result *res = ctx->res;
	const struct sw_os *os = &inv->os;
	bool color = ctx->opts->color;
	const char *b = color ? "\033[1m" : "", *e = color ? "\033[0m" : "";

	if (ctx->opts->checks_title) { /* host or container checks: no image, no vulnerabilities */
		char *target = sw_report_clean(sw_report_image_name(inv), 0);
		fprintf(out, "%sTarget:%s %s\n", b, e, target);
		free(target);
		sw_report_table_checks(out, ctx);
		return ferror(out) ? sw_err_set(err, SW_E_IO, "write error") : 0;
	}
	char *iname = sw_report_clean(sw_report_image_name(inv), 0);
	const char *digest = sw_report_image_digest(inv);
	char *idig = digest ? sw_report_clean(digest, 0) : NULL;
	fprintf(out, "%sImage:%s  %s%s%s%s\n", b, e, iname, idig ? " (" : "", idig ? idig : "",
		idig ? ")" : "");
	free(iname);
	free(idig);
	if (os->id || os->pretty_name) {
		char *pretty = sw_report_clean(os->pretty_name ? os->pretty_name : os->id, 0);
		char *id = sw_report_clean(os->id ? os->id : "unknown", 0);
		char *ver = sw_report_clean(os->version_id ? os->version_id : "", 0);
		fprintf(out, "%sOS:%s     %s [%s%s%s]\n", b, e, pretty, id, *ver ? " " : "", ver);
		free(pretty);
		free(id);
		free(ver);
	} else {
		fprintf(out, "%sOS:%s     unknown\n", b, e);
	}
	if (res->notes.len) {
		fputc('\n', out);
		for (size_t i = 0; i < res->notes.len; i++) {
			char *n = sw_report_clean(res->notes.items[i], 0);
			fprintf(out, "%sNOTE: %s%s\n", color ? "\033[1;33m" : "", n, e);
			free(n);
		}
	}

	size_t ninc = sw_report_incomplete_count(ctx);
	if (ninc) {
		fputc('\n', out);
		for (size_t i = 0; i < ninc; i++) {
			char *n = sw_report_clean(sw_report_incomplete_get(ctx, i), 0);
			fprintf(out, "%sINCOMPLETE: %s%s\n", color ? "\033[1;31m" : "", n, e);
			free(n);
		}
	}

	size_t nf = res->findings.len, nrows = 0;
	struct row *rows = sw_xcalloc(nf ? nf : 1, sizeof(*rows));
	size_t w[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		w[c] = strlen(headers[c]);
	for (size_t i = 0; i < nf; i++) {
		const struct sw_finding *f = sw_report_finding(ctx, i);
		if (!sw_report_scan_shown(ctx, f))
			continue;
		struct row *r = &rows[nrows++];
		r->cell[0] = sw_report_clean(f->id, 0);
		r->cell[1] = sw_xstrdup(sw_severity_name(f->severity));
		r->cell[2] = sw_xstrdup(sw_vuln_status_name(f->status));
		r->cell[3] = sw_report_clean(f->fixed && *f->fixed ? f->fixed : "-", 0);
		if (f->exploits.len) {
			/* public exploits first: the title may be cut, the marker not */
			char *t = sw_xasprintf("[%zu exploit%s] %s", f->exploits.len, f->exploits.len == 1 ? "" : "s",
					       f->title && *f->title ? f->title : "-");
			r->cell[4] = sw_report_clean(t, TITLE_MAX);
			free(t);
		} else {
			r->cell[4] = sw_report_clean(f->title && *f->title ? f->title : "-", TITLE_MAX);
		}
		r->suppressed = f->suppressed ? sw_report_clean(f->suppressed, 0) : NULL;
		r->sev = f->severity;
		r->pkg = f->pkg;
		for (int c = 0; c < NCOLS - 1; c++) {
			size_t cw = width(r->cell[c]);
			if (cw > w[c])
				w[c] = cw;
		}
	}
	for (size_t i = 0; i < nrows; i++) {
		if (i == 0 || rows[i].pkg != rows[i - 1].pkg) {
			print_pkg_heading(out, ctx, rows[i].pkg, color);
			print_cells(out, (char *const *)headers, w, "", "");
		}
		print_cells(out, rows[i].cell, w, color ? sev_color(rows[i].sev) : "", e);
		if (rows[i].suppressed)
			fprintf(out, "    suppressed: %s\n", rows[i].suppressed);
	}
	for (size_t i = 0; i < nrows; i++) {
		for (int c = 0; c < NCOLS; c++)
			free(rows[i].cell[c]);
		free(rows[i].suppressed);
	}
	free(rows);

	size_t counts[6], suppressed, total = 0;
	sw_report_scan_counts(ctx, counts, &suppressed);
	for (int s = 0; s < 6; s++)
		total += counts[s];
	const struct sw_report_scanner *vs = sw_report_find_scanner(ctx, "vuln");
	bool vuln_asked = !vs || vs->requested;
	if (!vuln_asked)
		fprintf(out, "\n%sVulnerabilities:%s not scanned (vuln is not in --scanners)\n", b, e);
	else
	fprintf(out, "\n%sTotal:%s %zu vulnerabilit%s (critical %zu, high %zu, medium %zu, low %zu, negligible %zu, unknown %zu)\n",
		b, e, total, total == 1 ? "y" : "ies", counts[SW_SEV_CRITICAL], counts[SW_SEV_HIGH],
		counts[SW_SEV_MEDIUM], counts[SW_SEV_LOW], counts[SW_SEV_NEGLIGIBLE],
		counts[SW_SEV_UNKNOWN]);
	if (ninc)
		fprintf(out, "%sIncomplete result:%s packages could not be listed or checked (%zu reason%s above); "
			     "this is not 'no vulnerabilities'\n",
			b, e, ninc, ninc == 1 ? "" : "s");
	if (suppressed)
		fprintf(out, "%zu suppressed%s\n", suppressed,
			ctx->opts->show_suppressed ? " (listed above)" : "; --show-suppressed to list");
	sw_report_table_checks(out, ctx);
	sw_report_table_files(out, ctx);
	sw_report_table_notices(out, ctx);
	if (ctx->opts->policy) {
		struct sw_buf pb = SW_BUF_INIT;
		sw_report_policy_table_text(&pb, ctx->opts->policy, false);
		fprintf(out, "\n%s", pb.data);
		sw_buf_release(&pb);
	}
	if (fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}
