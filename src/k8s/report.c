/*
 * report.c - `stowaway k8s` results as a table (workloads, then
 * namespaces, images and failures), JSON (docs/k8s.md), SARIF 2.1.0 (one
 * result per failed Pod Security Standards control of a workload, per image
 * that could not be scanned and per vulnerable image) and JUnit XML (a
 * testsuite per workload: one testcase per control and per container
 * image).  Deterministic: everything is sorted, nothing depends on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/internal.h"
#include "util/mem.h"
#include "util/termsafe.h"

int sw_k8s_format_parse(const char *name, enum sw_k8s_format *out)
{
	static const char *const names[] = { "table", "json", "sarif", "junit" };
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum sw_k8s_format)i;
			return 0;
		}
	return -SW_E_USAGE;
}

static const struct sw_k8s_image *image_of(const struct sw_k8s_result *r, const struct sw_k8s_container *c)
{
	return c->image_idx >= 0 ? r->images.items[c->image_idx] : NULL;
}

/* per workload: the sum over its distinct images */
static void wl_vulns(const struct sw_k8s_result *r, const struct sw_k8s_workload *w, size_t v[6], size_t *failed)
{
	memset(v, 0, 6 * sizeof(size_t));
	*failed = 0;
	for (size_t i = 0; i < w->containers.len; i++) {
		const struct sw_k8s_container *c = w->containers.items[i];
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			if (((const struct sw_k8s_container *)w->containers.items[j])->image_idx == c->image_idx)
				seen = true;
		const struct sw_k8s_image *im = image_of(r, c);
		if (seen)
			continue;
		if (!im || !im->scanned) {
			(*failed)++;
			continue;
		}
		for (int s = 0; s < 6; s++)
			v[s] += im->vulns[s];
	}
}

static int write_table(FILE *f, const struct sw_k8s_result *r)
{
	sw_term_printf(f, 0, "Cluster: %s (context %s)\n\n", r->server, r->context);
	fprintf(f, "%-16s %-12s %-32s %5s %5s %5s %5s %5s %8s %8s\n", "NAMESPACE", "KIND", "NAME", "PODS", "CRIT",
		"HIGH", "MED", "LOW", "BASELINE", "RESTRICT");
	for (size_t i = 0; i < r->workloads.len; i++) {
		const struct sw_k8s_workload *w = r->workloads.items[i];
		size_t v[6], failed;
		wl_vulns(r, w, v, &failed);
		sw_term_printf(f, 0, "%-16s %-12s %-32s %5zu %5zu %5zu %5zu %5zu %8zu %8zu%s\n", w->ns, w->kind, w->name,
			       w->pods, v[SW_SEV_CRITICAL], v[SW_SEV_HIGH], v[SW_SEV_MEDIUM], v[SW_SEV_LOW],
			       w->baseline_fail, w->restricted_fail, failed ? "  (image not scanned)" : "");
	}
	fprintf(f, "\nNamespaces:\n");
	for (size_t i = 0; i < r->namespaces.len; i++) {
		const struct sw_k8s_ns *n = r->namespaces.items[i];
		sw_term_printf(f, 0, "  %-16s %s\n", n->name, n->ok ? "read" : n->error);
	}
	fprintf(f, "\nImages (%zu distinct digests):\n", r->images.len);
	for (size_t i = 0; i < r->images.len; i++) {
		const struct sw_k8s_image *im = r->images.items[i];
		if (im->scanned)
			sw_term_printf(f, 0, "  %s  %zu packages, %zu vulnerabilities (critical %zu, high %zu)\n", im->ref,
				       im->packages, im->total, im->vulns[SW_SEV_CRITICAL], im->vulns[SW_SEV_HIGH]);
		else
			sw_term_printf(f, 0, "  %s  not scanned: %s\n", im->ref, im->error ? im->error : "skipped");
	}
	fprintf(f, "\nPods: %zu, workloads: %zu%s\n", r->pods, r->workloads.len,
		r->partial ? ", PARTIAL result (see the failures)" : "");
	for (size_t i = 0; i < r->failures.len; i++)
		sw_term_printf(f, 0, "  failure: %s\n", (const char *)r->failures.items[i]);
	return ferror(f) ? -1 : 0;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *sev_obj(const size_t v[6])
{
	json_t *o = json_object();
	for (int s = SW_SEV_CRITICAL; s >= 0; s--)
		json_object_set_new(o, sw_severity_name((enum sw_severity_level)s), json_integer((json_int_t)v[s]));
	return o;
}

static json_t *checks_json(const struct sw_check_list *cl)
{
	json_t *a = json_array();
	for (size_t i = 0; i < cl->results.len; i++) {
		const struct sw_check_result *c = cl->results.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "level", json_string(strncmp(c->id, "SW-K8S-B", 8) == 0 ? "baseline" : "restricted"));
		json_object_set_new(o, "title", json_string(c->title));
		json_object_set_new(o, "status", json_string(sw_check_status_name(c->status)));
		json_object_set_new(o, "severity", json_string(sw_severity_name(c->severity)));
		json_t *ev = json_array();
		for (size_t j = 0; j < c->evidence.len; j++) {
			const struct sw_check_evidence *e = c->evidence.items[j];
			json_t *eo = json_object();
			json_object_set_new(eo, "field", jstr(e->config_key));
			json_object_set_new(eo, "detail", jstr(e->detail));
			json_array_append_new(ev, eo);
		}
		json_object_set_new(o, "evidence", ev);
		json_object_set_new(o, "remediation", jstr(c->remediation));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *to_json(const struct sw_k8s_result *r)
{
	json_t *d = json_object();
	json_object_set_new(d, "schema", json_string("stowaway-k8s/1"));
	json_object_set_new(d, "server", jstr(r->server));
	json_object_set_new(d, "context", jstr(r->context));
	json_object_set_new(d, "partial", json_boolean(r->partial));
	json_object_set_new(d, "pods", json_integer((json_int_t)r->pods));
	json_t *ns = json_array();
	for (size_t i = 0; i < r->namespaces.len; i++) {
		const struct sw_k8s_ns *n = r->namespaces.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(n->name));
		json_object_set_new(o, "read", json_boolean(n->ok));
		json_object_set_new(o, "pods", json_integer((json_int_t)n->pods));
		json_object_set_new(o, "error", jstr(n->error));
		json_array_append_new(ns, o);
	}
	json_object_set_new(d, "namespaces", ns);
	json_t *wl = json_array();
	for (size_t i = 0; i < r->workloads.len; i++) {
		const struct sw_k8s_workload *w = r->workloads.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "namespace", json_string(w->ns));
		json_object_set_new(o, "kind", json_string(w->kind));
		json_object_set_new(o, "name", json_string(w->name));
		json_object_set_new(o, "pods", json_integer((json_int_t)w->pods));
		json_object_set_new(o, "checkedPod", jstr(w->example_pod));
		json_t *cs = json_array();
		for (size_t j = 0; j < w->containers.len; j++) {
			const struct sw_k8s_container *c = w->containers.items[j];
			const struct sw_k8s_image *im = image_of(r, c);
			json_t *co = json_object();
			json_object_set_new(co, "name", json_string(c->name));
			json_object_set_new(co, "type", json_string(c->kind));
			json_object_set_new(co, "image", jstr(c->image));
			json_object_set_new(co, "imageDigestRef", jstr(c->image_id));
			json_object_set_new(co, "scanned", json_boolean(im && im->scanned));
			json_object_set_new(co, "vulnerabilities", im && im->scanned ? sev_obj(im->vulns) : json_null());
			json_array_append_new(cs, co);
		}
		json_object_set_new(o, "containers", cs);
		size_t v[6], failed;
		wl_vulns(r, w, v, &failed);
		json_object_set_new(o, "vulnerabilities", sev_obj(v));
		json_object_set_new(o, "imagesNotScanned", json_integer((json_int_t)failed));
		json_object_set_new(o, "baselineFailed", json_integer((json_int_t)w->baseline_fail));
		json_object_set_new(o, "restrictedFailed", json_integer((json_int_t)w->restricted_fail));
		json_object_set_new(o, "checks", checks_json(&w->checks));
		json_array_append_new(wl, o);
	}
	json_object_set_new(d, "workloads", wl);
	json_t *ims = json_array();
	for (size_t i = 0; i < r->images.len; i++) {
		const struct sw_k8s_image *im = r->images.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "ref", json_string(im->ref));
		json_object_set_new(o, "scanned", json_boolean(im->scanned));
		json_object_set_new(o, "error", jstr(im->error));
		json_object_set_new(o, "credentials", jstr(im->secret_note ? im->secret_note : "from imagePullSecrets"));
		json_object_set_new(o, "packages", json_integer((json_int_t)im->packages));
		json_object_set_new(o, "complete", json_boolean(im->complete));
		json_object_set_new(o, "vulnerabilities", sev_obj(im->vulns));
		json_t *ids = json_array();
		for (size_t j = 0; j < im->vuln_ids.len; j++)
			json_array_append_new(ids, json_string(im->vuln_ids.items[j]));
		json_object_set_new(o, "vulnerabilityIds", ids);
		json_array_append_new(ims, o);
	}
	json_object_set_new(d, "images", ims);
	json_t *fl = json_array();
	for (size_t i = 0; i < r->failures.len; i++)
		json_array_append_new(fl, json_string(r->failures.items[i]));
	json_object_set_new(d, "failures", fl);
	return d;
}

static json_t *sarif_result(const char *rule, const char *level, const char *msg, const char *where)
{
	json_t *o = json_object();
	json_object_set_new(o, "ruleId", json_string(rule));
	json_object_set_new(o, "level", json_string(level));
	json_object_set_new(o, "message", json_pack("{s:s}", "text", msg));
	json_object_set_new(o, "locations",
			    json_pack("[{s:[{s:s, s:s}]}]", "logicalLocations", "fullyQualifiedName", where, "kind",
				      "resource"));
	return o;
}

static json_t *to_sarif(const struct sw_k8s_result *r, const char *tool_version)
{
	json_t *rules = json_array(), *results = json_array();
	struct sw_vec seen = SW_VEC_INIT;
	for (size_t i = 0; i < r->workloads.len; i++) {
		const struct sw_k8s_workload *w = r->workloads.items[i];
		for (size_t j = 0; j < w->checks.results.len; j++) {
			const struct sw_check_result *c = w->checks.results.items[j];
			if (sw_vec_find_str(&seen, c->id) < 0) {
				sw_vec_push_strdup(&seen, c->id);
				json_array_append_new(rules, json_pack("{s:s, s:{s:s}, s:{s:s}}", "id", c->id, "shortDescription",
								       "text", c->title, "help", "text", c->remediation));
			}
			if (c->status != SW_CHECK_FAIL)
				continue;
			for (size_t k = 0; k < c->evidence.len; k++) {
				const struct sw_check_evidence *e = c->evidence.items[k];
				char *where = sw_xasprintf("%s/%s/%s/%s", w->ns, w->kind, w->name, e->config_key);
				char *msg = sw_xasprintf("%s: %s = %s", c->title, e->config_key, e->detail);
				json_array_append_new(results, sarif_result(c->id, c->severity >= SW_SEV_HIGH ? "error" : "warning",
									    msg, where));
				free(where);
				free(msg);
			}
		}
	}
	json_array_append_new(rules, json_pack("{s:s, s:{s:s}}", "id", "SW-K8S-IMAGE", "shortDescription", "text",
					       "Image with known vulnerabilities, or not scanned"));
	for (size_t i = 0; i < r->images.len; i++) {
		const struct sw_k8s_image *im = r->images.items[i];
		char *msg = im->scanned ? sw_xasprintf("%zu vulnerabilities (critical %zu, high %zu)", im->total,
						       im->vulns[SW_SEV_CRITICAL], im->vulns[SW_SEV_HIGH])
					: sw_xasprintf("not scanned: %s", im->error ? im->error : "?");
		if (!im->scanned || im->total)
			json_array_append_new(results, sarif_result("SW-K8S-IMAGE", im->scanned ? "warning" : "error", msg,
								    im->ref));
		free(msg);
	}
	sw_vec_free_strings(&seen);
	json_t *run = json_pack("{s:{s:{s:s, s:s, s:s, s:o}}, s:o}", "tool", "driver", "name", "stowaway", "version",
				tool_version ? tool_version : "0", "informationUri", "https://stowaway.invalid", "rules",
				rules, "results", results);
	return json_pack("{s:s, s:s, s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version",
			 "2.1.0", "runs", run);
}

static void xml_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static int write_junit(FILE *f, const struct sw_k8s_result *r)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"stowaway k8s\">\n", f);
	for (size_t i = 0; i < r->workloads.len; i++) {
		const struct sw_k8s_workload *w = r->workloads.items[i];
		size_t fails = w->baseline_fail + w->restricted_fail, tests = w->checks.results.len + w->containers.len;
		for (size_t j = 0; j < w->containers.len; j++) {
			const struct sw_k8s_image *im = image_of(r, w->containers.items[j]);
			fails += !im || !im->scanned || im->total > 0;
		}
		fputs("  <testsuite name=\"", f);
		xml_esc(f, w->ns);
		fputc('/', f);
		xml_esc(f, w->kind);
		fputc('/', f);
		xml_esc(f, w->name);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", tests, fails);
		for (size_t j = 0; j < w->checks.results.len; j++) {
			const struct sw_check_result *c = w->checks.results.items[j];
			fprintf(f, "    <testcase classname=\"pod-security\" name=\"%s ", c->id);
			xml_esc(f, c->title);
			fputs("\">", f);
			if (c->status == SW_CHECK_FAIL) {
				fputs("<failure message=\"", f);
				xml_esc(f, c->title);
				fputs("\">", f);
				for (size_t k = 0; k < c->evidence.len; k++) {
					const struct sw_check_evidence *e = c->evidence.items[k];
					xml_esc(f, e->config_key);
					fputs(" = ", f);
					xml_esc(f, e->detail);
					fputc('\n', f);
				}
				fputs("</failure>", f);
			}
			fputs("</testcase>\n", f);
		}
		for (size_t j = 0; j < w->containers.len; j++) {
			const struct sw_k8s_container *c = w->containers.items[j];
			const struct sw_k8s_image *im = image_of(r, c);
			fputs("    <testcase classname=\"image\" name=\"", f);
			xml_esc(f, c->name);
			fputc(' ', f);
			xml_esc(f, c->image_id ? c->image_id : c->image);
			fputs("\">", f);
			if (!im || !im->scanned) {
				fputs("<error message=\"not scanned: ", f);
				xml_esc(f, im && im->error ? im->error : "no image digest in the pod status");
				fputs("\"/>", f);
			} else if (im->total) {
				fprintf(f, "<failure message=\"%zu vulnerabilities (critical %zu, high %zu)\"/>", im->total,
					im->vulns[SW_SEV_CRITICAL], im->vulns[SW_SEV_HIGH]);
			}
			fputs("</testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

int sw_k8s_report(FILE *out, enum sw_k8s_format fmt, const struct sw_k8s_result *r, const char *tool_version,
		  struct sw_err *err)
{
	int rc = 0;
	if (fmt == SW_K8S_FMT_TABLE) {
		rc = write_table(out, r);
	} else if (fmt == SW_K8S_FMT_JUNIT) {
		rc = write_junit(out, r);
	} else {
		json_t *d = fmt == SW_K8S_FMT_JSON ? to_json(r) : to_sarif(r, tool_version);
		rc = json_dumpf(d, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		if (rc == 0)
			fputc('\n', out);
		json_decref(d);
	}
	if (rc < 0 || ferror(out))
		return sw_err_set(err, SW_E_IO, "cannot write the report");
	return 0;
}
