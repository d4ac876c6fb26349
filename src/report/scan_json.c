/*
 * scan_json.c - stowaway's own JSON scan report (schemaVersion 1.2).
 *
 * The SBOM document of sbom_json.c (image, os, packages, warnings: the same
 * bytes) plus "osEcosystem", "osCovered", "vulnerabilities", "notes" and
 * "summary".  Every finding is kept; a suppressed one carries its reason
 * in "suppressed" (null otherwise).  Layout: docs/json-schema.md; schema:
 * docs/stowaway-scan.schema.json.  Every key is always present (null when
 * unknown), key order is fixed.
 */
#include "report/report_int.h"
#include "util/mem.h"

#include <stdlib.h>

static json_t *layer_obj(const struct sw_inventory *inv, const struct sw_package *p)
{
	if (p->layer_index < 0)
		return json_null();
	const struct sw_inv_layer *l = sw_report_layer(inv, p->layer_index);
	const char *diff = p->layer_diff_id ? p->layer_diff_id : l ? l->diff_id : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "index", json_integer(p->layer_index));
	json_object_set_new(o, "diffId", sw_report_jstr(diff));
	json_object_set_new(o, "createdBy", sw_report_jstr(sw_report_pkg_created_by(inv, p)));
	return o;
}

static json_t *package_ref(const struct sw_report_ctx *ctx, size_t k)
{
	const struct sw_package *p = ctx->inv->packages.items[k];
	json_t *o = json_object();
	char *name = sw_report_pkg_name(p);
	char *ver = sw_package_full_version(p);
	json_object_set_new(o, "index", json_integer((json_int_t)k));
	json_object_set_new(o, "name", sw_report_jstr(name));
	json_object_set_new(o, "version", sw_report_jstr(*ver ? ver : NULL));
	json_object_set_new(o, "purl", sw_report_jstr(ctx->purls[k]));
	json_object_set_new(o, "type", sw_report_jstr(p->type ? p->type : "unknown"));
	json_object_set_new(o, "path", sw_report_jstr(p->path));
	json_object_set_new(o, "layer", layer_obj(ctx->inv, p));
	free(name);
	free(ver);
	return o;
}

static json_t *finding_obj(const struct sw_report_ctx *ctx, const struct sw_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", sw_report_jstr(f->id));
	json_t *ids = json_array();
	for (size_t i = 0; i < f->ids.len; i++)
		if (f->ids.items[i] && *(const char *)f->ids.items[i])
			json_array_append_new(ids, sw_report_jstr(f->ids.items[i]));
	if (json_array_size(ids) == 0)
		json_array_append_new(ids, sw_report_jstr(f->id));
	json_object_set_new(o, "aliases", ids);
	json_object_set_new(o, "package", package_ref(ctx, f->pkg));
	json_object_set_new(o, "ecosystem", sw_report_jstr(f->ecosystem));
	json_object_set_new(o, "matchedName", sw_report_jstr(f->matched_name));
	json_object_set_new(o, "installedVersion", sw_report_jstr(f->installed));
	json_object_set_new(o, "fixedVersion", sw_report_jstr(f->fixed));
	json_object_set_new(o, "status", json_string(sw_vuln_status_name(f->status)));
	json_object_set_new(o, "severity", json_string(sw_severity_name(f->severity)));
	json_object_set_new(o, "severitySource", sw_report_jstr(f->severity_source));
	bool score = f->cvss_score >= 0 && f->cvss_score <= 10; /* else not a CVSS score */
	if (score || f->cvss_vector) {
		json_t *c = json_object();
		json_object_set_new(c, "score", score ? json_real(f->cvss_score) : json_null());
		json_object_set_new(c, "vector", sw_report_jstr(f->cvss_vector));
		json_object_set_new(o, "cvss", c);
	} else {
		json_object_set_new(o, "cvss", json_null());
	}
	json_object_set_new(o, "title", sw_report_jstr(f->title));
	json_object_set_new(o, "description", sw_report_jstr(f->description));
	json_object_set_new(o, "references", sw_report_str_array(&f->references));
	json_object_set_new(o, "cwes", sw_report_str_array(&f->cwes));
	json_object_set_new(o, "published", sw_report_jstr(f->published));
	json_object_set_new(o, "modified", sw_report_jstr(f->modified));
	if (f->epss >= 0) {
		json_t *e = json_object();
		json_object_set_new(e, "score", json_real(f->epss));
		json_object_set_new(e, "percentile",
				    f->epss_percentile >= 0 ? json_real(f->epss_percentile) : json_null());
		json_object_set_new(o, "epss", e);
	} else {
		json_object_set_new(o, "epss", json_null());
	}
	if (f->kev) {
		json_t *k = json_object();
		json_object_set_new(k, "dateAdded", sw_report_jstr(f->kev_date_added));
		json_object_set_new(o, "kev", k);
	} else {
		json_object_set_new(o, "kev", json_null());
	}
	json_t *xs = json_array();
	for (size_t i = 0; i < f->exploits.len; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "id", json_string(f->exploits.items[i]));
		char *url = sw_xasprintf(SW_EXPLOITDB_URL "%s", (const char *)f->exploits.items[i]);
		json_object_set_new(x, "url", json_string(url));
		free(url);
		json_array_append_new(xs, x);
	}
	json_object_set_new(o, "exploits", xs);
	json_object_set_new(o, "sources", sw_report_str_array(&f->sources));
	json_object_set_new(o, "suppressed", sw_report_jstr(f->suppressed));
	return o;
}

int sw_report_json_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_match_result *res = ctx->res;
	json_t *doc = sw_report_json_doc(ctx);
	if (!doc)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	json_object_set_new(doc, "osEcosystem", sw_report_jstr(res->os_ecosystem));
	json_object_set_new(doc, "osCovered", json_boolean(res->os_covered));
	json_t *vulns = json_array();
	for (size_t i = 0; i < res->findings.len; i++)
		json_array_append_new(vulns, finding_obj(ctx, sw_report_finding(ctx, i)));
	json_object_set_new(doc, "vulnerabilities", vulns);
	json_object_set_new(doc, "notes", sw_report_str_array(&res->notes));
	json_object_set_new(doc, "notices", sw_report_notices_json(ctx));

	size_t counts[6], suppressed, total = 0;
	sw_report_scan_counts(ctx, counts, &suppressed);
	json_t *sum = json_object();
	for (int s = SW_SEV_CRITICAL; s >= SW_SEV_UNKNOWN; s--) {
		json_object_set_new(sum, sw_severity_name((enum sw_severity_level)s),
				    json_integer((json_int_t)counts[s]));
		total += counts[s];
	}
	json_object_set_new(sum, "total", json_integer((json_int_t)total));
	json_object_set_new(sum, "suppressed", json_integer((json_int_t)suppressed));
	json_object_set_new(doc, "summary", sum);
	json_object_set_new(doc, "scanners", sw_report_scanners_json(ctx));
	json_object_set_new(doc, "checks", sw_report_checks_json(ctx));
	json_object_set_new(doc, "secrets", sw_report_files_json(ctx, "secret"));
	json_object_set_new(doc, "malware", sw_report_files_json(ctx, "malware"));
	if (ctx->opts->image_config) {
		json_t *ic = sw_report_image_config_json(ctx->opts->image_config);
		if (ic)
			json_object_set_new(doc, "imageConfig", ic);
	}
	if (ctx->opts->db_built_at > 0) {
		json_t *db = json_object();
		json_object_set_new(db, "builtAt", json_integer((json_int_t)ctx->opts->db_built_at));
		json_object_set_new(doc, "database", db);
	}
	if (ctx->opts->policy)
		json_object_set_new(doc, "policy", sw_report_policy_json(ctx->opts->policy));

	int r = sw_report_dump_scan(out, doc, err);
	json_decref(doc);
	return r;
}
