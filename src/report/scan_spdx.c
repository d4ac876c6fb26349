/*
 * scan_spdx.c - SPDX 2.3 JSON with the findings.
 *
 * SPDX 2.3 has no vulnerability section, so the findings ride on the
 * packages: per finding (suppressed ones included) one externalRefs entry
 *   { referenceCategory SECURITY, referenceType advisory,
 *     referenceLocator URL of the id (NVD for CVE, the GitHub advisory page
 *     for GHSA, osv.dev otherwise), comment "ID severity S, status T,
 *     fixed in V, also A, B; suppressed: R" }
 * on the package that has it.  The document comment carries the summary
 * and the notes, then one line per secret or malware finding
 * (scan_files.c).  The image checks and the scanners that could not run
 * are annotations (scan_checks.c sw_report_spdx_add_checks).  Everything
 * else is the SBOM document of sbom_spdx.c.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static json_t *advisory_ref(const struct sw_finding *f)
{
	json_t *r = json_object();
	json_object_set_new(r, "referenceCategory", json_string("SECURITY"));
	json_object_set_new(r, "referenceType", json_string("advisory"));
	char *url = sw_report_vuln_url(f->id);
	json_object_set_new(r, "referenceLocator", json_string(url));
	free(url);
	struct sw_buf c = SW_BUF_INIT;
	sw_buf_addf(&c, "%s severity %s, status %s, ", f->id, sw_severity_name(f->severity),
		    sw_vuln_status_name(f->status));
	if (f->fixed)
		sw_buf_addf(&c, "fixed in %s", f->fixed);
	else
		sw_buf_addstr(&c, "no fixed version");
	for (size_t i = 0, n = 0; i < f->ids.len; i++) {
		if (sw_streq(f->ids.items[i], f->id))
			continue;
		sw_buf_addf(&c, "%s%s", n++ ? ", " : ", also ", (const char *)f->ids.items[i]);
	}
	if (f->suppressed)
		sw_buf_addf(&c, "; suppressed: %s", f->suppressed);
	json_object_set_new(r, "comment", sw_report_jstr(c.data));
	sw_buf_release(&c);
	return r;
}

int sw_report_spdx_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	json_t *doc = sw_report_spdx_doc(ctx);
	if (!doc)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	/* the package objects of inv->packages: all but the image, the OS and the
	 * applications, in order */
	size_t np = ctx->inv->packages.len;
	json_t **objs = sw_xcalloc(np ? np : 1, sizeof(json_t *));
	size_t k = 0, i;
	json_t *p;
	json_array_foreach(json_object_get(doc, "packages"), i, p) {
		const char *id = json_string_value(json_object_get(p, "SPDXID"));
		if (sw_streq(id, "SPDXRef-Image") || sw_streq(id, "SPDXRef-OperatingSystem") ||
		    (id && sw_starts_with(id, "SPDXRef-Application-")))
			continue;
		if (k < np)
			objs[k] = p;
		k++;
	}
	if (k != np) {
		free(objs);
		json_decref(doc);
		return sw_err_set(err, SW_E_INTERNAL, "spdx: %zu package entries for %zu packages", k, np);
	}
	for (size_t n = 0; n < ctx->res->findings.len; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		json_t *refs = json_object_get(objs[f->pkg], "externalRefs");
		if (!refs) {
			refs = json_array();
			json_object_set_new(objs[f->pkg], "externalRefs", refs);
		}
		json_array_append_new(refs, advisory_ref(f));
	}
	free(objs);

	size_t counts[6], suppressed, total = 0;
	sw_report_scan_counts(ctx, counts, &suppressed);
	for (int s = 0; s < 6; s++)
		total += counts[s];
	struct sw_buf c = SW_BUF_INIT;
	sw_buf_addf(&c, "stowaway scan: %zu vulnerabilities (critical %zu, high %zu, medium %zu, low %zu, negligible %zu, unknown %zu), %zu suppressed",
		    total, counts[SW_SEV_CRITICAL], counts[SW_SEV_HIGH], counts[SW_SEV_MEDIUM],
		    counts[SW_SEV_LOW], counts[SW_SEV_NEGLIGIBLE], counts[SW_SEV_UNKNOWN], suppressed);
	for (size_t n = 0; n < ctx->res->notes.len; n++)
		sw_buf_addf(&c, "\nnote: %s", (const char *)ctx->res->notes.items[n]);
	sw_report_files_text(&c, ctx);
	sw_report_notices_text(&c, ctx);
	json_object_set_new(doc, "comment", sw_report_jstr(c.data));
	sw_buf_release(&c);
	sw_report_spdx_add_checks(doc, ctx);

	int r = sw_report_dump_scan(out, doc, err);
	json_decref(doc);
	return r;
}
