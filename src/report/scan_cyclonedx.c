/*
 * scan_cyclonedx.c - CycloneDX 1.5 with vulnerabilities (and as VEX).
 *
 * The SBOM document of sbom_cyclonedx.c (components identical) plus one
 * "vulnerabilities" entry per finding, suppressed ones included:
 *   id, source (who rated it, with the advisory URL), references (the
 *   other folded ids), ratings (severity, CVSS score, vector and method),
 *   cwes as integers, description/detail, recommendation "Upgrade to X",
 *   advisories (the reference URLs that are URLs), published/updated
 *   (RFC 3339; a bare date gets T00:00:00Z, anything else is left out), affects[].ref = the
 *   package's component bom-ref with the installed version, and analysis
 *   for a finding suppressed by VEX or the ignore file:
 *     VEX not_affected -> not_affected (+ justification when it maps)
 *     VEX fixed        -> resolved
 *     ignore file      -> not_affected, detail names the file and line
 *   Any suppression reason is also in the property "stowaway:suppressed".
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void prop(json_t *props, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "value", sw_report_jstr(value));
	json_array_append_new(props, o);
}

static const char *cdx_severity(enum sw_severity_level s)
{
	switch (s) {
	case SW_SEV_CRITICAL: return "critical";
	case SW_SEV_HIGH: return "high";
	case SW_SEV_MEDIUM: return "medium";
	case SW_SEV_LOW: return "low";
	case SW_SEV_NEGLIGIBLE: return "info";
	default: return "unknown";
	}
}

static const char *cvss_method(const char *vector)
{
	if (!vector)
		return "other";
	if (sw_starts_with(vector, "CVSS:3.1/"))
		return "CVSSv31";
	if (sw_starts_with(vector, "CVSS:3.0/"))
		return "CVSSv3";
	if (sw_starts_with(vector, "CVSS:4.0/"))
		return "CVSSv4";
	if (sw_starts_with(vector, "AV:") || sw_starts_with(vector, "(AV:"))
		return "CVSSv2";
	return "other";
}

/* "CWE-79" -> 79; -1 when not of that form. */
static long cwe_number(const char *s)
{
	if (!s || (strncmp(s, "CWE-", 4) != 0 && strncmp(s, "cwe-", 4) != 0))
		return -1;
	long v = 0;
	const char *p = s + 4;
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* OpenVEX / CycloneDX justification word in a suppression reason, mapped
 * to a CycloneDX impactAnalysisJustification, or NULL. */
static const char *cdx_justification(const char *reason)
{
	static const struct {
		const char *word, *cdx;
	} map[] = {
		{ "component_not_present", "code_not_present" },
		{ "vulnerable_code_not_present", "code_not_present" },
		{ "vulnerable_code_not_in_execute_path", "code_not_reachable" },
		{ "vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment" },
		{ "inline_mitigations_already_exist", "protected_by_mitigating_control" },
		{ "code_not_present", "code_not_present" },
		{ "code_not_reachable", "code_not_reachable" },
		{ "requires_configuration", "requires_configuration" },
		{ "requires_dependency", "requires_dependency" },
		{ "requires_environment", "requires_environment" },
		{ "protected_by_compiler", "protected_by_compiler" },
		{ "protected_at_runtime", "protected_at_runtime" },
		{ "protected_at_perimeter", "protected_at_perimeter" },
		{ "protected_by_mitigating_control", "protected_by_mitigating_control" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(reason, map[i].word))
			return map[i].cdx;
	return NULL;
}

static json_t *analysis_obj(const char *reason)
{
	const char *state = NULL, *just = NULL;
	if (sw_starts_with(reason, "vex: not_affected")) {
		state = "not_affected";
		just = cdx_justification(reason);
	} else if (sw_starts_with(reason, "vex: fixed")) {
		state = "resolved";
	} else if (sw_starts_with(reason, "ignore file:")) {
		state = "not_affected";
	}
	if (!state)
		return NULL;
	json_t *a = json_object();
	json_object_set_new(a, "state", json_string(state));
	if (just)
		json_object_set_new(a, "justification", json_string(just));
	json_object_set_new(a, "detail", sw_report_jstr(reason));
	return a;
}

static json_t *source_obj(const char *name, const char *id)
{
	json_t *s = json_object();
	if (name && *name)
		json_object_set_new(s, "name", sw_report_jstr(name));
	char *url = sw_report_vuln_url(id);
	json_object_set_new(s, "url", json_string(url));
	free(url);
	return s;
}

static json_t *vuln_obj(const struct sw_report_ctx *ctx, const struct sw_finding *f, size_t n,
			const char *ref)
{
	json_t *v = json_object();
	char bref[48];
	snprintf(bref, sizeof(bref), "vulnerability-%zu", n + 1);
	json_object_set_new(v, "bom-ref", json_string(bref));
	json_object_set_new(v, "id", sw_report_jstr(f->id));
	json_object_set_new(v, "source", source_obj(f->severity_source, f->id));
	if (f->ids.len > 1) {
		json_t *refs = json_array();
		for (size_t i = 0; i < f->ids.len; i++) {
			if (sw_streq(f->ids.items[i], f->id))
				continue;
			json_t *r = json_object();
			json_object_set_new(r, "id", sw_report_jstr(f->ids.items[i]));
			json_object_set_new(r, "source", source_obj(NULL, f->ids.items[i]));
			json_array_append_new(refs, r);
		}
		json_object_set_new(v, "references", refs);
	}
	json_t *rating = json_object();
	if (f->severity_source && *f->severity_source) {
		json_t *rs = json_object();
		json_object_set_new(rs, "name", sw_report_jstr(f->severity_source));
		json_object_set_new(rating, "source", rs);
	}
	if (f->cvss_score >= 0 && f->cvss_score <= 10)
		json_object_set_new(rating, "score", json_real(f->cvss_score));
	json_object_set_new(rating, "severity", json_string(cdx_severity(f->severity)));
	json_object_set_new(rating, "method", json_string(cvss_method(f->cvss_vector)));
	if (f->cvss_vector && *f->cvss_vector)
		json_object_set_new(rating, "vector", sw_report_jstr(f->cvss_vector));
	json_t *ratings = json_array();
	json_array_append_new(ratings, rating);
	json_object_set_new(v, "ratings", ratings);
	json_t *cwes = json_array();
	for (size_t i = 0; i < f->cwes.len; i++) {
		long c = cwe_number(f->cwes.items[i]);
		if (c >= 0)
			json_array_append_new(cwes, json_integer(c));
	}
	if (json_array_size(cwes))
		json_object_set_new(v, "cwes", cwes);
	else
		json_decref(cwes);
	if (f->title && *f->title)
		json_object_set_new(v, "description", sw_report_jstr(f->title));
	if (f->description && *f->description)
		json_object_set_new(v, "detail", sw_report_jstr(f->description));
	if (f->fixed && *f->fixed) {
		char *rec = sw_xasprintf("Upgrade to %s", f->fixed);
		json_object_set_new(v, "recommendation", sw_report_jstr(rec));
		free(rec);
	}
	json_t *adv = json_array();
	for (size_t i = 0; i < f->references.len; i++) {
		if (!sw_report_is_url(f->references.items[i]))
			continue; /* "url" must be an IRI */
		json_t *a = json_object();
		json_object_set_new(a, "url", sw_report_jstr(f->references.items[i]));
		json_array_append_new(adv, a);
	}
	if (json_array_size(adv))
		json_object_set_new(v, "advisories", adv);
	else
		json_decref(adv);
	char *t = sw_report_rfc3339(f->published);
	if (t)
		json_object_set_new(v, "published", json_string(t));
	free(t);
	t = sw_report_rfc3339(f->modified);
	if (t)
		json_object_set_new(v, "updated", json_string(t));
	free(t);
	if (f->suppressed) {
		json_t *a = analysis_obj(f->suppressed);
		if (a)
			json_object_set_new(v, "analysis", a);
	}
	json_t *aff = json_object();
	json_object_set_new(aff, "ref", sw_report_jstr(ref));
	json_t *vers = json_array();
	json_t *ver = json_object();
	const struct sw_package *p = sw_report_finding_pkg(ctx, f);
	const char *iv = f->installed && *f->installed ? f->installed
			 : p->version && *p->version ? p->version : "unknown";
	json_object_set_new(ver, "version", sw_report_jstr(iv));
	json_object_set_new(ver, "status", json_string(f->status == SW_ST_NOT_AFFECTED ? "unaffected" : "affected"));
	json_array_append_new(vers, ver);
	json_object_set_new(aff, "versions", vers);
	json_t *affs = json_array();
	json_array_append_new(affs, aff);
	json_object_set_new(v, "affects", affs);

	json_t *props = json_array();
	prop(props, "stowaway:status", sw_vuln_status_name(f->status));
	prop(props, "stowaway:ecosystem", f->ecosystem);
	prop(props, "stowaway:matched_name", f->matched_name);
	prop(props, "stowaway:fixed_version", f->fixed);
	for (size_t i = 0; i < f->sources.len; i++)
		prop(props, "stowaway:source", f->sources.items[i]);
	if (f->epss >= 0) {
		char b[32];
		snprintf(b, sizeof(b), "%.5f", f->epss);
		prop(props, "stowaway:epss:score", b);
		if (f->epss_percentile >= 0) {
			snprintf(b, sizeof(b), "%.5f", f->epss_percentile);
			prop(props, "stowaway:epss:percentile", b);
		}
	}
	if (f->kev)
		prop(props, "stowaway:kev:date_added", f->kev_date_added ? f->kev_date_added : "unknown");
	for (size_t i = 0; i < f->exploits.len; i++) {
		char *url = sw_xasprintf(SW_EXPLOITDB_URL "%s", (const char *)f->exploits.items[i]);
		prop(props, "stowaway:exploit", url);
		free(url);
	}
	prop(props, "stowaway:suppressed", f->suppressed);
	json_object_set_new(v, "properties", props);
	return v;
}

int sw_report_cdx_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	json_t *doc = sw_report_cdx_doc(ctx);
	if (!doc)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	/* the bom-ref of each package: the "library" components, in order */
	size_t np = ctx->inv->packages.len;
	const char **refs = sw_xcalloc(np ? np : 1, sizeof(char *));
	size_t k = 0, i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "components"), i, c) {
		if (!sw_streq(json_string_value(json_object_get(c, "type")), "library"))
			continue;
		if (k < np)
			refs[k] = json_string_value(json_object_get(c, "bom-ref"));
		k++;
	}
	if (k != np) {
		free(refs);
		json_decref(doc);
		return sw_err_set(err, SW_E_INTERNAL, "cyclonedx: %zu components for %zu packages", k, np);
	}
	json_t *vulns = json_array();
	for (size_t n = 0; n < ctx->res->findings.len; n++) {
		const struct sw_finding *f = sw_report_finding(ctx, n);
		json_array_append_new(vulns, vuln_obj(ctx, f, n, refs[f->pkg]));
	}
	json_object_set_new(doc, "vulnerabilities", vulns);
	free(refs);

	/* notes (e.g. an OS release without data) as document properties */
	if (ctx->res->notes.len) {
		json_t *props = json_object_get(doc, "properties");   /* completeness, if any */
		if (!json_is_array(props)) {
			props = json_array();
			json_object_set_new(doc, "properties", props);
		}
		for (size_t n = 0; n < ctx->res->notes.len; n++)
			prop(props, "stowaway:note", ctx->res->notes.items[n]);
	}
	sw_report_cdx_add_checks(doc, ctx);
	sw_report_cdx_add_files(doc, ctx);
	sw_report_cdx_add_notices(doc, ctx);
	int r = sw_report_dump_scan(out, doc, err);
	json_decref(doc);
	return r;
}
