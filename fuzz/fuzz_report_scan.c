/* fuzz_report_scan.c - the scan report writers on hostile package and
 * advisory text.
 *
 * The input is split at '\n' into fields that fill an inventory (up to 4
 * packages, 2 layers) and findings (ids, titles, versions, reasons,
 * severities and statuses from the bytes).  Every format is written; the
 * JSON formats must parse back, and the XML/HTML escaper must leave no
 * markup character or forbidden control byte. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "match/match.h"
#include "report/report.h"
#include "report/report_int.h"
#include "util/mem.h"

struct fields {
	char **f;
	size_t n, next;
};

static const char *field(struct fields *fs)
{
	if (!fs->n)
		return NULL;
	const char *s = fs->f[fs->next % fs->n];
	fs->next++;
	return *s ? s : NULL;
}

static void check_escape(const char *s)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_report_xml_escape(&b, s);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'' ||
		    (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			abort();
		if (c == '&' && strncmp(b.data + i, "&amp;", 5) && strncmp(b.data + i, "&lt;", 4) &&
		    strncmp(b.data + i, "&gt;", 4) && strncmp(b.data + i, "&quot;", 6) &&
		    strncmp(b.data + i, "&#39;", 5))
			abort();
	}
	sw_buf_release(&b);
}

static void free_layer(void *p)
{
	struct sw_inv_layer *l = p;
	free(l->diff_id);
	free(l->created_by);
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192 || size < 2)
		return 0;
	unsigned char knobs = data[0];
	char *text = sw_xstrndup((const char *)data + 1, size - 1);
	struct fields fs = { 0 };
	fs.f = sw_xcalloc(strlen(text) + 2, sizeof(char *));
	for (char *p = text;;) {
		fs.f[fs.n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	for (size_t i = 0; i < fs.n; i++)
		check_escape(fs.f[i]);

	struct sw_inventory inv = { 0 };
	inv.reference = (char *)field(&fs);
	inv.os.id = (char *)field(&fs);
	inv.os.version_id = (char *)field(&fs);
	for (int i = 0; i < 2; i++) {
		struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
		l->index = i;
		l->diff_id = sw_xstrdup(field(&fs));
		l->created_by = sw_xstrdup(field(&fs));
		sw_vec_push(&inv.layers, l);
	}
	static const char *const types[] = { "deb", "npm", "maven", "pypi", NULL };
	size_t npk = 1 + (knobs & 3);
	for (size_t i = 0; i < npk; i++) {
		struct sw_package *p = sw_package_new(types[(knobs + i) % 5] ? types[(knobs + i) % 5] : "x");
		p->name = sw_xstrdup(field(&fs));
		p->namespace_ = sw_xstrdup(field(&fs));
		p->version = sw_xstrdup(field(&fs));
		p->path = sw_xstrdup(field(&fs));
		p->layer_index = (int)((knobs >> 2) + i) % 3 - 1;
		sw_vec_push(&inv.packages, p);
	}

	struct sw_match_result res = { 0 };
	res.os_ecosystem = (char *)field(&fs);
	const char *note = field(&fs);
	if (note)
		sw_vec_push_strdup(&res.notes, note);
	size_t nf = (knobs >> 4) + 1;
	for (size_t i = 0; i < nf; i++) {
		struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
		const char *id = field(&fs);
		f->id = sw_xstrdup(id ? id : "X");
		sw_vec_push_strdup(&f->ids, f->id);
		const char *alias = field(&fs);
		if (alias)
			sw_vec_push_strdup(&f->ids, alias);
		f->pkg = (i * 7 + knobs) % npk;
		f->installed = sw_xstrdup(field(&fs));
		f->fixed = sw_xstrdup(field(&fs));
		f->title = sw_xstrdup(field(&fs));
		f->description = sw_xstrdup(field(&fs));
		f->cvss_vector = sw_xstrdup(field(&fs));
		const char *cwe = field(&fs);
		if (cwe)
			sw_vec_push_strdup(&f->cwes, cwe);
		const char *ref = field(&fs);
		if (ref)
			sw_vec_push_strdup(&f->references, ref);
		const char *s = field(&fs);
		unsigned h = s ? (unsigned char)s[0] : 0;
		f->severity = (enum sw_severity_level)(h % 7); /* 6 is out of range on purpose */
		f->status = (enum sw_vuln_status)(h % 9);
		f->cvss_score = (double)(h % 120) / 10.0 - 1.0;
		f->epss = (h & 1) ? 0.5 : -1;
		f->epss_percentile = -1;
		f->kev = h & 2;
		f->suppressed = (h & 4) ? sw_xstrdup(field(&fs)) : NULL;
		if ((h & 4) && !f->suppressed)
			f->suppressed = sw_xstrdup("vex: not_affected: component_not_present (x)");
		if (f->severity > SW_SEV_CRITICAL)
			f->severity = SW_SEV_UNKNOWN; /* the matcher never makes more */
		if (f->status > SW_ST_UNDER_INVESTIGATION)
			f->status = SW_ST_UNKNOWN;
		sw_vec_push(&res.findings, f);
	}

	for (int fmt = SW_FMT_TABLE; fmt <= SW_FMT_JUNIT; fmt++) {
		for (int show = 0; show <= 1; show++) {
			char *out = NULL;
			size_t len = 0;
			FILE *fp = open_memstream(&out, &len);
			if (!fp)
				abort();
			struct sw_report_opts o = { .color = show, .now = 1700000000, .show_suppressed = show };
			struct sw_err err = SW_ERR_INIT;
			if (sw_report_scan(fp, (enum sw_report_format)fmt, &inv, &res, &o, &err) < 0)
				abort();
			fclose(fp);
			if (fmt == SW_FMT_JSON || fmt == SW_FMT_CYCLONEDX || fmt == SW_FMT_SPDX_JSON ||
			    fmt == SW_FMT_SARIF) {
				json_t *j = json_loads(out, 0, NULL);
				if (!j)
					abort();
				json_decref(j);
			}
			free(out);
		}
	}

	for (size_t i = 0; i < res.findings.len; i++)
		sw_finding_free(res.findings.items[i]);
	sw_vec_release(&res.findings);
	sw_vec_free_strings(&res.notes);
	sw_vec_free_all(&inv.packages, sw_package_free_v);
	sw_vec_free_all(&inv.layers, free_layer);
	free(fs.f);
	free(text);
	return 0;
}
