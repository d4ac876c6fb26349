/*
 * scan_sarif.c - SARIF 2.1.0, as GitHub code scanning reads it.
 *
 * One run; tool.driver has one rule per vulnerability id (in order of first
 * appearance), with properties."security-severity" a CVSS-like number as a
 * string (GitHub maps >= 9.0 critical, 7.0 high, 4.0 medium, > 0 low) and
 * the worst level seen for that id.  One result per shown finding: level
 * error (critical, high), warning (medium), note (the rest); the location
 * is the file inside the image the package was read from (dpkg status,
 * METADATA, a jar ...), a relative URI; partialFingerprints hold a hash of
 * (id, purl, path) so GitHub tracks a finding across scans.  Suppressed
 * findings appear only with show_suppressed, then with a SARIF
 * "suppressions" entry carrying the reason.  res->notes become tool
 * execution notifications of the invocation.
 */
#include "report/report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/map.h"
#include "util/mem.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *level_for(enum sw_severity_level s)
{
	if (s >= SW_SEV_HIGH)
		return "error";
	if (s == SW_SEV_MEDIUM)
		return "warning";
	return "note";
}

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", sw_report_jstr(s ? s : ""));
	return o;
}

/* Relative URI reference for an image path: unreserved bytes and '/' kept,
 * everything else percent-encoded (report_int.h). */
char *sw_report_path_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sw_buf b = SW_BUF_INIT;
	while (path && *path == '/')
		path++;
	for (const unsigned char *p = (const unsigned char *)(path ? path : ""); *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '+' || c == '@') {
			sw_buf_addch(&b, (char)c);
		} else {
			sw_buf_addch(&b, '%');
			sw_buf_addch(&b, hex[c >> 4]);
			sw_buf_addch(&b, hex[c & 15]);
		}
	}
	char *r = sw_buf_detach(&b, NULL);
	if (!r || !*r) {
		free(r);
		return sw_xstrdup("image");
	}
	return r;
}

static json_t *new_rule(const struct sw_finding *f)
{
	json_t *r = json_object();
	/* no "name": SARIF 3.49.7 wants a human-readable name different from the
	 * opaque id, and there is none better than the id (SARIF1001) */
	json_object_set_new(r, "id", sw_report_jstr(f->id));
	json_object_set_new(r, "shortDescription", text_obj(f->title && *f->title ? f->title : f->id));
	json_object_set_new(r, "fullDescription",
			    text_obj(f->description && *f->description ? f->description
				     : f->title && *f->title ? f->title : f->id));
	char *url = NULL;
	for (size_t i = 0; i < f->references.len && !url; i++)
		if (sw_report_is_url(f->references.items[i]))
			url = sw_xstrdup(f->references.items[i]);
	if (!url)
		url = sw_report_vuln_url(f->id);
	json_object_set_new(r, "helpUri", sw_report_jstr(url));
	struct sw_buf h = SW_BUF_INIT;
	sw_buf_addf(&h, "Vulnerability %s", f->id);
	if (f->ids.len > 1) {
		sw_buf_addstr(&h, " (also ");
		for (size_t i = 1; i < f->ids.len; i++)
			sw_buf_addf(&h, "%s%s", i > 1 ? ", " : "", (const char *)f->ids.items[i]);
		sw_buf_addch(&h, ')');
	}
	if (f->title && *f->title)
		sw_buf_addf(&h, "\n%s", f->title);
	sw_buf_addf(&h, "\n%s", url);
	json_object_set_new(r, "help", text_obj(h.data));
	sw_buf_release(&h);
	free(url);
	return r;
}

/* Set the rule's level and properties from the worst finding seen. */
static void rule_severity(json_t *rule, const struct sw_finding *f)
{
	char score[16];
	snprintf(score, sizeof(score), "%.1f", sw_report_severity_score(f));
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(level_for(f->severity)));
	json_object_set_new(rule, "defaultConfiguration", cfg);
	json_t *props = json_object();
	json_t *tags = json_array();
	json_array_append_new(tags, json_string("vulnerability"));
	json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string(sw_severity_name(f->severity)));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(props, "precision", json_string("very-high"));
	json_object_set_new(props, "security-severity", json_string(score));
	json_object_set_new(rule, "properties", props);
}

static json_t *result_obj(const struct sw_report_ctx *ctx, const struct sw_finding *f,
			  size_t rule_index)
{
	const struct sw_package *p = sw_report_finding_pkg(ctx, f);
	char *name = sw_report_pkg_name(p);
	json_t *r = json_object();
	json_object_set_new(r, "ruleId", sw_report_jstr(f->id));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)rule_index));
	json_object_set_new(r, "level", json_string(level_for(f->severity)));
	struct sw_buf m = SW_BUF_INIT;
	sw_buf_addf(&m, "%s (%s) in package %s %s; fixed in %s; status %s", f->id,
		    sw_severity_name(f->severity), name, f->installed ? f->installed : p->version ? p->version : "?",
		    f->fixed ? f->fixed : "no fixed version", sw_vuln_status_name(f->status));
	if (f->title && *f->title)
		sw_buf_addf(&m, ": %s", f->title);
	json_object_set_new(r, "message", text_obj(m.data));
	sw_buf_release(&m);

	json_t *art = json_object();
	char *uri = sw_report_path_uri(p->path);
	json_object_set_new(art, "uri", sw_report_jstr(uri));
	json_t *region = json_object();
	json_object_set_new(region, "startLine", json_integer(1));
	json_t *phys = json_object();
	json_object_set_new(phys, "artifactLocation", art);
	json_object_set_new(phys, "region", region);
	json_t *loc = json_object();
	json_object_set_new(loc, "physicalLocation", phys);
	struct sw_buf lm = SW_BUF_INIT;
	sw_buf_addf(&lm, "%s %s", name, p->version ? p->version : "");
	if (p->layer_index >= 0)
		sw_buf_addf(&lm, " (layer %d)", p->layer_index);
	json_object_set_new(loc, "message", text_obj(lm.data));
	sw_buf_release(&lm);
	json_t *locs = json_array();
	json_array_append_new(locs, loc);
	json_object_set_new(r, "locations", locs);

	char uuid[37];
	char *seed = sw_xasprintf("%s\n%s\n%s\n%s", f->id, ctx->purls[f->pkg] ? ctx->purls[f->pkg] : name,
				  p->path ? p->path : "", f->ecosystem ? f->ecosystem : "");
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
	json_object_set_new(props, "aliases", sw_report_str_array(&f->ids));
	json_object_set_new(props, "package", sw_report_jstr(name));
	json_object_set_new(props, "purl", sw_report_jstr(ctx->purls[f->pkg]));
	json_object_set_new(props, "installedVersion", sw_report_jstr(f->installed));
	json_object_set_new(props, "fixedVersion", sw_report_jstr(f->fixed));
	json_object_set_new(props, "status", json_string(sw_vuln_status_name(f->status)));
	json_object_set_new(props, "severity", json_string(sw_severity_name(f->severity)));
	if (p->layer_index >= 0)
		json_object_set_new(props, "layer", json_integer(p->layer_index));
	if (f->epss >= 0)
		json_object_set_new(props, "epss", json_real(f->epss));
	if (f->kev)
		json_object_set_new(props, "kev", json_true());
	if (f->exploits.len) {
		json_t *xs = json_array();
		for (size_t i = 0; i < f->exploits.len; i++) {
			char *url = sw_xasprintf(SW_EXPLOITDB_URL "%s", (const char *)f->exploits.items[i]);
			json_array_append_new(xs, json_string(url));
			free(url);
		}
		json_object_set_new(props, "exploits", xs);
	}
	json_object_set_new(r, "properties", props);
	free(uri);
	free(name);
	return r;
}

int sw_report_sarif_scan(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	const struct sw_match_result *res = ctx->res;
	json_t *rules = json_array(), *results = json_array();
	struct sw_map rule_of = SW_MAP_INIT; /* id -> index + 1 */
	size_t nf = res->findings.len;
	const struct sw_finding **worst = sw_xcalloc(nf ? nf : 1, sizeof(*worst));
	for (size_t i = 0; i < nf; i++) {
		const struct sw_finding *f = sw_report_finding(ctx, i);
		if (!sw_report_scan_shown(ctx, f))
			continue;
		size_t k = (size_t)(uintptr_t)sw_map_get(&rule_of, f->id);
		if (!k) {
			json_array_append_new(rules, new_rule(f));
			k = json_array_size(rules);
			sw_map_put(&rule_of, f->id, (void *)(uintptr_t)k);
		}
		if (!worst[k - 1] || f->severity > worst[k - 1]->severity ||
		    (f->severity == worst[k - 1]->severity &&
		     sw_report_severity_score(f) > sw_report_severity_score(worst[k - 1])))
			worst[k - 1] = f;
		json_array_append_new(results, result_obj(ctx, f, k - 1));
	}
	for (size_t k = 0; k < json_array_size(rules); k++)
		rule_severity(json_array_get(rules, k), worst[k]);
	free(worst);
	json_t *check_notes = json_array();
	sw_report_sarif_checks(ctx, rules, results, check_notes);
	sw_report_sarif_files(ctx, rules, results);
	sw_report_sarif_notices(ctx, rules, results);
	sw_report_sarif_policy(ctx, rules, results);
	sw_map_release(&rule_of);

	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("stowaway"));
	json_object_set_new(driver, "version", sw_report_jstr(ctx->tool_version));
	json_object_set_new(driver, "informationUri", json_string("https://stowaway.invalid"));
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);

	json_t *inv = json_object();
	/* an incomplete result (packages not listed or not checked) is not a
	 * successful execution: one error notification per reason */
	size_t ninc = sw_report_incomplete_count(ctx);
	json_object_set_new(inv, "executionSuccessful", json_boolean(ninc == 0));
	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	json_object_set_new(inv, "endTimeUtc", json_string(ts));
	if (res->notes.len || ninc || json_array_size(check_notes)) {
		json_t *notes = json_array();
		for (size_t i = 0; i < ninc; i++) {
			json_t *n = json_object();
			json_object_set_new(n, "level", json_string("error"));
			char *m = sw_xasprintf("incomplete result: %s", sw_report_incomplete_get(ctx, i));
			json_object_set_new(n, "message", text_obj(m));
			free(m);
			json_array_append_new(notes, n);
		}
		for (size_t i = 0; i < res->notes.len; i++) {
			json_t *n = json_object();
			json_object_set_new(n, "level", json_string("warning"));
			json_object_set_new(n, "message", text_obj(res->notes.items[i]));
			json_array_append_new(notes, n);
		}
		json_array_extend(notes, check_notes);
		json_object_set_new(inv, "toolExecutionNotifications", notes);
	}
	json_decref(check_notes);
	json_t *invs = json_array();
	json_array_append_new(invs, inv);

	json_t *run = json_object();
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "invocations", invs);
	json_object_set_new(run, "results", results);
	json_t *rprops = json_object();
	json_object_set_new(rprops, "imageName", sw_report_jstr(sw_report_image_name(ctx->inv)));
	json_object_set_new(rprops, "imageDigest", sw_report_jstr(sw_report_image_digest(ctx->inv)));
	json_object_set_new(rprops, "osEcosystem", sw_report_jstr(res->os_ecosystem));
	json_object_set_new(run, "properties", rprops);
	json_t *runs = json_array();
	json_array_append_new(runs, run);

	json_t *doc = json_object();
	json_object_set_new(doc, "$schema", json_string(SARIF_SCHEMA));
	json_object_set_new(doc, "version", json_string("2.1.0"));
	json_object_set_new(doc, "runs", runs);
	int r = sw_report_dump_scan(out, doc, err);
	json_decref(doc);
	return r;
}
