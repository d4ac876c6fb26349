/*
 * scan_junit.c - JUnit XML, as Jenkins and GitLab read it.
 *
 *   <testsuites name="stowaway" tests="P" failures="F" errors="0">
 *     <testsuite name="deb" tests=".." failures=".." errors="0" skipped="0" ...>
 *       <properties> image, digest, os, notes </properties>
 *       <testcase classname="deb" name="bash 5.2.15-2+b2" time="0">
 *         <failure message="CVE-2022-3715 high: title" type="high">details</failure>
 *       </testcase>
 *
 * One testsuite per package type (in inventory order), one testcase per
 * package, one failure per unsuppressed finding; "failures" counts the
 * failed testcases.  Suppressed findings are listed in the testcase's
 * system-out when show_suppressed.  Everything is XML-escaped.
 */
#include "report/report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void esc(struct sw_buf *b, const char *s)
{
	sw_report_xml_escape(b, s);
}

static void property(struct sw_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	sw_buf_addf(b, "      <property name=\"%s\" value=\"", name);
	esc(b, value);
	sw_buf_addstr(b, "\"/>\n");
}

static void details(struct sw_buf *b, const struct sw_report_ctx *ctx, const struct sw_finding *f)
{
	const struct sw_package *p = sw_report_finding_pkg(ctx, f);
	struct sw_buf t = SW_BUF_INIT;
	char *name = sw_report_pkg_name(p);
	sw_buf_addf(&t, "Vulnerability: %s\n", f->id);
	if (f->ids.len > 1) {
		sw_buf_addstr(&t, "Aliases:");
		for (size_t i = 0; i < f->ids.len; i++)
			sw_buf_addf(&t, " %s", (const char *)f->ids.items[i]);
		sw_buf_addch(&t, '\n');
	}
	sw_buf_addf(&t, "Package: %s (%s)\n", name, p->type ? p->type : "unknown");
	if (p->path)
		sw_buf_addf(&t, "Path: %s\n", p->path);
	if (p->layer_index >= 0) {
		const char *by = sw_report_pkg_created_by(ctx->inv, p);
		sw_buf_addf(&t, "Layer: %d%s%s\n", p->layer_index, by ? " " : "", by ? by : "");
	}
	sw_buf_addf(&t, "Installed: %s\n", f->installed ? f->installed : p->version ? p->version : "?");
	sw_buf_addf(&t, "Fixed in: %s\n", f->fixed ? f->fixed : "no fixed version");
	sw_buf_addf(&t, "Status: %s\n", sw_vuln_status_name(f->status));
	sw_buf_addf(&t, "Severity: %s%s%s%s\n", sw_severity_name(f->severity),
		    f->severity_source ? " (" : "", f->severity_source ? f->severity_source : "",
		    f->severity_source ? ")" : "");
	if (f->cvss_score >= 0 || f->cvss_vector) {
		sw_buf_addstr(&t, "CVSS:");
		if (f->cvss_score >= 0)
			sw_buf_addf(&t, " %.1f", f->cvss_score);
		if (f->cvss_vector)
			sw_buf_addf(&t, " %s", f->cvss_vector);
		sw_buf_addch(&t, '\n');
	}
	if (f->epss >= 0)
		sw_buf_addf(&t, "EPSS: %.5f\n", f->epss);
	if (f->kev)
		sw_buf_addf(&t, "Known exploited (CISA KEV) since %s\n",
			    f->kev_date_added ? f->kev_date_added : "unknown");
	for (size_t i = 0; i < f->exploits.len; i++)
		sw_buf_addf(&t, "Public exploit: " SW_EXPLOITDB_URL "%s\n", (const char *)f->exploits.items[i]);
	if (f->description && *f->description)
		sw_buf_addf(&t, "%s\n", f->description);
	for (size_t i = 0; i < f->references.len; i++)
		sw_buf_addf(&t, "%s\n", (const char *)f->references.items[i]);
	esc(b, t.data);
	sw_buf_release(&t);
	free(name);
}

static void testcase(struct sw_buf *b, const struct sw_report_ctx *ctx, size_t k,
		     const size_t *first, const size_t *last)
{
	const struct sw_package *p = ctx->inv->packages.items[k];
	const char *type = p->type ? p->type : "unknown";
	char *name = sw_report_pkg_name(p);
	char *ver = sw_package_full_version(p);
	sw_buf_addstr(b, "    <testcase classname=\"");
	esc(b, type);
	sw_buf_addstr(b, "\" name=\"");
	esc(b, name);
	if (*ver) {
		sw_buf_addch(b, ' ');
		esc(b, ver);
	}
	if (p->path) {
		sw_buf_addstr(b, " (");
		esc(b, p->path);
		sw_buf_addch(b, ')');
	}
	sw_buf_addstr(b, "\" time=\"0\"");
	free(name);
	free(ver);
	if (first[k] == SIZE_MAX) {
		sw_buf_addstr(b, "/>\n");
		return;
	}
	sw_buf_addstr(b, ">\n");
	struct sw_buf out = SW_BUF_INIT;
	for (size_t n = first[k]; n <= last[k]; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		if (f->pkg != k)
			continue;
		if (f->suppressed) {
			if (ctx->opts->show_suppressed)
				sw_buf_addf(&out, "suppressed: %s %s: %s\n", f->id,
					    sw_severity_name(f->severity), f->suppressed);
			continue;
		}
		sw_buf_addstr(b, "      <failure message=\"");
		esc(b, f->id);
		sw_buf_addf(b, " %s: ", sw_severity_name(f->severity));
		esc(b, f->title && *f->title ? f->title : f->fixed ? "fixed version available" : "no fixed version");
		sw_buf_addf(b, "\" type=\"%s\">", sw_severity_name(f->severity));
		details(b, ctx, f);
		sw_buf_addstr(b, "</failure>\n");
	}
	if (out.len) {
		sw_buf_addstr(b, "      <system-out>");
		esc(b, out.data);
		sw_buf_addstr(b, "</system-out>\n");
	}
	sw_buf_release(&out);
	sw_buf_addstr(b, "    </testcase>\n");
}

int sw_report_junit_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_inventory *inv = ctx->inv;
	const struct sw_match_result *res = ctx->res;
	size_t np = inv->packages.len;
	/* per package: range of its findings and whether one is unsuppressed */
	size_t *first = sw_xmalloc((np ? np : 1) * sizeof(size_t));
	size_t *last = sw_xcalloc(np ? np : 1, sizeof(size_t));
	bool *failed = sw_xcalloc(np ? np : 1, sizeof(bool));
	for (size_t k = 0; k < np; k++)
		first[k] = SIZE_MAX;
	for (size_t n = 0; n < res->findings.len; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		if (first[f->pkg] == SIZE_MAX)
			first[f->pkg] = n;
		last[f->pkg] = n;
		if (!f->suppressed)
			failed[f->pkg] = true;
	}
	struct sw_vec types = SW_VEC_INIT;
	for (size_t k = 0; k < np; k++) {
		const struct sw_package *p = inv->packages.items[k];
		const char *t = p->type ? p->type : "unknown";
		if (sw_vec_find_str(&types, t) < 0)
			sw_vec_push_strdup(&types, t);
	}
	size_t nfailed = 0;
	for (size_t k = 0; k < np; k++)
		nfailed += failed[k];

	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	size_t tl = strlen(ts);
	if (tl && ts[tl - 1] == 'Z')
		ts[tl - 1] = '\0'; /* the JUnit schema's timestamp has no zone */

	/* an incomplete result is one more test, in error */
	size_t ninc = sw_report_incomplete_count(ctx);
	struct sw_buf cb = SW_BUF_INIT;
	size_t ctests = 0, cfails = 0;
	sw_report_junit_checks(&cb, ctx, ts, &ctests, &cfails);
	sw_report_junit_files(&cb, ctx, ts, &ctests, &cfails);
	sw_report_junit_notices(&cb, ctx, ts, &ctests);
	sw_report_junit_policy(&cb, ctx, ts, &ctests, &cfails);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<testsuites name=\"stowaway\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" time=\"0\">\n",
		    np + (ninc ? 1 : 0) + ctests, nfailed + cfails, ninc ? 1 : 0);
	if (ninc) {
		sw_buf_addf(&b, "  <testsuite name=\"stowaway\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" timestamp=\"%s\">\n"
				"    <testcase classname=\"stowaway\" name=\"scan complete\" time=\"0\">\n"
				"      <error type=\"incomplete\" message=\"incomplete result: packages could not be listed or checked\">",
			    ts);
		for (size_t i = 0; i < ninc; i++) {
			esc(&b, sw_report_incomplete_get(ctx, i));
			sw_buf_addstr(&b, "\n");
		}
		sw_buf_addstr(&b, "</error>\n    </testcase>\n  </testsuite>\n");
	}
	for (size_t t = 0; t < types.len; t++) {
		const char *type = types.items[t];
		size_t tests = 0, fails = 0;
		for (size_t k = 0; k < np; k++) {
			const struct sw_package *p = inv->packages.items[k];
			if (strcmp(p->type ? p->type : "unknown", type) == 0) {
				tests++;
				fails += failed[k];
			}
		}
		sw_buf_addstr(&b, "  <testsuite name=\"");
		esc(&b, type);
		sw_buf_addf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"%s\">\n",
			    tests, fails, ts);
		sw_buf_addstr(&b, "    <properties>\n");
		property(&b, "image", sw_report_image_name(inv));
		property(&b, "image.digest", sw_report_image_digest(inv));
		property(&b, "os", res->os_ecosystem);
		for (size_t i = 0; i < res->notes.len; i++)
			property(&b, "note", res->notes.items[i]);
		sw_buf_addstr(&b, "    </properties>\n");
		for (size_t k = 0; k < np; k++) {
			const struct sw_package *p = inv->packages.items[k];
			if (strcmp(p->type ? p->type : "unknown", type) == 0)
				testcase(&b, ctx, k, first, last);
		}
		sw_buf_addstr(&b, "  </testsuite>\n");
	}
	sw_buf_add(&b, cb.data, cb.len);
	sw_buf_release(&cb);
	sw_buf_addstr(&b, "</testsuites>\n");
	sw_vec_free_strings(&types);
	free(first);
	free(last);
	free(failed);

	if (!sw_buf_ok(&b)) {
		sw_buf_release(&b);
		return sw_err_set(err, SW_E_NOMEM, "cannot build the junit report");
	}
	size_t len = b.len, w = fwrite(b.data, 1, len, out);
	sw_buf_release(&b);
	if (w != len || fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}
