/*
 * sbom_table.c - the human-readable SBOM.
 *
 *   Image:  NAME (DIGEST)
 *   OS:     PRETTY_NAME [id version]
 *
 *   deb packages (2)
 *   NAME       VERSION       ARCH   SOURCE          LAYER
 *   bash       5.2.15-2+b2   amd64  bash            0 ADD file:... in /
 *
 *   Total: 2 packages (deb 2)
 *
 * Column widths are computed per group from the cells' display widths
 * (UTF-8 code points).  Control characters (C0, C1, bidi overrides) and
 * invalid UTF-8 from the image are shown as '?' (sw_report_clean) so a
 * hostile package name cannot drive the terminal.  Colour
 * (ANSI bold headings) only when o->color.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define NCOLS 5
#define CREATED_BY_MAX 48

static const char *const headers[NCOLS] = { "NAME", "VERSION", "ARCH", "SOURCE", "LAYER" };

/* Display width of a sanitised UTF-8 string: code points. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

struct row {
	char *cell[NCOLS];
};

static void row_fill(struct row *r, const struct sw_report_ctx *ctx, const struct sw_package *p)
{
	char *name = sw_report_pkg_name(p);
	char *ver = sw_package_full_version(p);
	r->cell[0] = sw_report_clean(name, 0);
	r->cell[1] = sw_report_clean(*ver ? ver : "-", 0);
	r->cell[2] = sw_report_clean(p->arch && *p->arch ? p->arch : "-", 0);
	const char *sn = sw_report_source_name(p), *sv = sw_report_source_version(p);
	struct sw_buf src = SW_BUF_INIT;
	sw_buf_addstr(&src, sn ? sn : "-");
	if (sn && sv && !sw_streq(sv, p->version))
		sw_buf_addf(&src, " %s", sv);
	r->cell[3] = sw_report_clean(src.data, 0);
	sw_buf_release(&src);
	if (p->layer_index >= 0) {
		char *s = sw_report_short_created_by(sw_report_pkg_created_by(ctx->inv, p), CREATED_BY_MAX);
		r->cell[4] = s && *s ? sw_xasprintf("%d %s", p->layer_index, s)
				     : sw_xasprintf("%d", p->layer_index);
		free(s);
	} else {
		r->cell[4] = sw_xstrdup("-");
	}
	free(name);
	free(ver);
}

static void print_row(FILE *out, char *const *cells, const size_t *w, const char *on,
		      const char *off)
{
	fputs(on, out);
	for (int c = 0; c < NCOLS; c++) {
		fputs(cells[c], out);
		if (c < NCOLS - 1) {
			size_t pad = w[c] - width(cells[c]) + 2;
			fprintf(out, "%*s", (int)pad, "");
		}
	}
	fputs(off, out);
	fputc('\n', out);
}

static void row_free(struct row *r)
{
	for (int c = 0; c < NCOLS; c++)
		free(r->cell[c]);
}

/* Two passes over the group's packages: widths, then rows; one row is
 * held at a time. */
static void print_group(FILE *out, const struct sw_report_ctx *ctx, const char *type, size_t count)
{
	const struct sw_inventory *inv = ctx->inv;
	bool color = ctx->opts->color;
	size_t w[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		w[c] = strlen(headers[c]);
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (strcmp(p->type ? p->type : "unknown", type) != 0)
			continue;
		struct row r;
		row_fill(&r, ctx, p);
		for (int c = 0; c < NCOLS; c++) {
			size_t cw = width(r.cell[c]);
			if (cw > w[c])
				w[c] = cw;
		}
		row_free(&r);
	}
	char *t = sw_report_clean(type, 0);
	fprintf(out, "\n%s%s packages (%zu)%s\n", color ? "\033[1;36m" : "", t, count,
		color ? "\033[0m" : "");
	free(t);
	print_row(out, (char *const *)headers, w, color ? "\033[1m" : "", color ? "\033[0m" : "");
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (strcmp(p->type ? p->type : "unknown", type) != 0)
			continue;
		struct row r;
		row_fill(&r, ctx, p);
		print_row(out, r.cell, w, "", "");
		row_free(&r);
	}
}

int sw_report_table_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_inventory *inv = ctx->inv;
	const struct sw_os *os = &inv->os;
	bool color = ctx->opts->color;
	const char *b = color ? "\033[1m" : "", *e = color ? "\033[0m" : "";

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
		fprintf(out, "%sOS:%s     %s [%s%s%s]%s\n", b, e, pretty, id, *ver ? " " : "", ver,
			os->distroless ? " (distroless)" : "");
		free(pretty);
		free(id);
		free(ver);
	} else {
		fprintf(out, "%sOS:%s     unknown\n", b, e);
	}

	/* groups in order of first appearance (OS packages come first) */
	struct sw_vec types = SW_VEC_INIT;
	size_t *counts = sw_xcalloc(inv->packages.len + 1, sizeof(size_t));
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		const char *t = p->type ? p->type : "unknown";
		long k = sw_vec_find_str(&types, t);
		if (k < 0) {
			sw_vec_push_strdup(&types, t);
			k = (long)types.len - 1;
		}
		counts[k]++;
	}
	for (size_t k = 0; k < types.len; k++)
		print_group(out, ctx, types.items[k], counts[k]);

	fprintf(out, "\n%sTotal:%s %zu package%s", b, e, inv->packages.len,
		inv->packages.len == 1 ? "" : "s");
	for (size_t k = 0; k < types.len; k++) {
		char *t = sw_report_clean(types.items[k], 0);
		fprintf(out, "%s%s %zu", k ? ", " : " (", t, counts[k]);
		free(t);
	}
	fputs(types.len ? ")\n" : "\n", out);
	if (inv->incomplete.len) {
		fprintf(out, "%sIncomplete (%zu):%s packages are missing from this list\n", b,
			inv->incomplete.len, e);
		for (size_t i = 0; i < inv->incomplete.len; i++) {
			char *w = sw_report_clean(inv->incomplete.items[i], 0);
			fprintf(out, "  %s\n", w);
			free(w);
		}
	}
	if (inv->warnings.len) {
		fprintf(out, "%sWarnings (%zu):%s\n", b, inv->warnings.len, e);
		for (size_t i = 0; i < inv->warnings.len; i++) {
			char *w = sw_report_clean(inv->warnings.items[i], 0);
			fprintf(out, "  %s\n", w);
			free(w);
		}
	}
	sw_vec_free_strings(&types);
	free(counts);
	if (fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}
