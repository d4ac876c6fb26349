/* report_read.c - a stored `stowaway scan -f json` report back into what
 * the evaluation looks at (`policy eval --report`, policy.h). */
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define REPORT_MAX_FILE ((size_t)1 << 30)
#define REPORT_MAX_ITEMS 2000000u

struct sw_policy_report {
	struct sw_inventory *inv;
	struct sw_match_result *match;
	struct sw_check_list checks;
	struct sw_vec pool;      /* char*: strings the check results borrow */
	bool vuln_ran, checks_ran;
	char *vuln_why_not;
	char *config_json;       /* "imageConfig" as JSON text, or NULL */
	long long db_built_at;
	struct sw_vec notes;     /* char* */
};

static char *dup_str(const struct sw_json *obj, const char *key)
{
	return sw_xstrdup(sw_json_get_str(obj, key));
}

static const char *pooled(struct sw_policy_report *r, const char *s)
{
	if (!s)
		return NULL;
	char *c = sw_xstrdup(s);
	sw_vec_push(&r->pool, c);
	return c;
}

static double num(const struct sw_json *v, double dflt)
{
	if (sw_json_is(v, SW_JSON_INTEGER))
		return (double)v->u.i;
	if (sw_json_is(v, SW_JSON_REAL))
		return v->u.d;
	return dflt;
}

static void str_list(const struct sw_json *arr, struct sw_vec *out)
{
	for (size_t i = 0; i < sw_json_array_len(arr); i++)
		if (sw_json_str(sw_json_at(arr, i)))
			sw_vec_push_strdup(out, sw_json_str(sw_json_at(arr, i)));
}

static int read_inventory(struct sw_policy_report *r, const struct sw_json *root, const char *path,
			  struct sw_err *err)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	r->inv = inv;
	const struct sw_json *img = sw_json_get(root, "image");
	inv->transport = dup_str(img, "transport");
	inv->reference = dup_str(img, "reference");
	inv->manifest_digest = dup_str(img, "manifestDigest");
	inv->config_digest = dup_str(img, "configDigest");
	inv->image_os = dup_str(img, "os");
	inv->architecture = dup_str(img, "architecture");
	str_list(sw_json_get(img, "repoTags"), &inv->repo_tags);
	const struct sw_json *layers = sw_json_get(img, "layers");
	for (size_t i = 0; i < sw_json_array_len(layers) && i < REPORT_MAX_ITEMS; i++) {
		const struct sw_json *l = sw_json_at(layers, i);
		struct sw_inv_layer *il = sw_xcalloc(1, sizeof(*il));
		il->index = (int)i;
		il->digest = dup_str(l, "digest");
		il->diff_id = dup_str(l, "diffId");
		il->created_by = dup_str(l, "createdBy");
		double sz = num(sw_json_get(l, "size"), 0);
		il->size = sz > 0 ? (uint64_t)sz : 0;
		sw_vec_push(&inv->layers, il);
	}
	const struct sw_json *os = sw_json_get(root, "os");
	inv->os.id = dup_str(os, "id");
	inv->os.version_id = dup_str(os, "versionId");
	inv->os.codename = dup_str(os, "codename");
	inv->os.pretty_name = dup_str(os, "prettyName");
	inv->os.id_like = dup_str(os, "idLike");
	const struct sw_json *pkgs = sw_json_get(root, "packages");
	if (sw_json_array_len(pkgs) > REPORT_MAX_ITEMS)
		return sw_err_set(err, SW_E_LIMIT, "'%s': more than %u packages", path, REPORT_MAX_ITEMS);
	for (size_t i = 0; i < sw_json_array_len(pkgs); i++) {
		const struct sw_json *p = sw_json_at(pkgs, i);
		const char *type = sw_json_get_str(p, "type"), *name = sw_json_get_str(p, "name");
		if (!type || !name)
			return sw_err_set(err, SW_E_FORMAT, "'%s': packages[%zu] lacks type or name", path, i);
		struct sw_package *pk = sw_package_new(type);
		pk->name = sw_xstrdup(name);
		pk->namespace_ = dup_str(p, "namespace");
		pk->version = dup_str(p, "version");
		pk->arch = dup_str(p, "arch");
		pk->path = dup_str(p, "path");
		pk->purl = dup_str(p, "purl");
		const struct sw_json *ep = sw_json_get(p, "epoch");
		if (sw_json_is(ep, SW_JSON_INTEGER) && ep->u.i >= 0 && ep->u.i < 100000)
			pk->epoch = (int)ep->u.i;
		str_list(sw_json_get(p, "licenses"), &pk->licenses);
		sw_vec_push(&inv->packages, pk);
	}
	return 0;
}

static int read_findings(struct sw_policy_report *r, const struct sw_json *root, const char *path,
			 struct sw_err *err)
{
	struct sw_match_result *m = sw_xcalloc(1, sizeof(*m));
	r->match = m;
	m->os_ecosystem = dup_str(root, "osEcosystem");
	m->os_covered = sw_json_is(sw_json_get(root, "osCovered"), SW_JSON_TRUE);
	str_list(sw_json_get(root, "notes"), &m->notes);
	const struct sw_json *vulns = sw_json_get(root, "vulnerabilities");
	if (vulns && !sw_json_is(vulns, SW_JSON_ARRAY))
		return sw_err_set(err, SW_E_FORMAT, "'%s': 'vulnerabilities' is not a list", path);
	for (size_t i = 0; i < sw_json_array_len(vulns); i++) {
		const struct sw_json *v = sw_json_at(vulns, i);
		const char *id = sw_json_get_str(v, "id");
		const struct sw_json *pi = sw_json_get(sw_json_get(v, "package"), "index");
		if (!id || !sw_json_is(pi, SW_JSON_INTEGER) || pi->u.i < 0 ||
		    (size_t)pi->u.i >= r->inv->packages.len)
			return sw_err_set(err, SW_E_FORMAT, "'%s': vulnerabilities[%zu] lacks an id or a valid "
					  "package index", path, i);
		struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
		sw_vec_push(&m->findings, f);
		f->id = sw_xstrdup(id);
		sw_vec_push_strdup(&f->ids, id);
		const struct sw_json *al = sw_json_get(v, "aliases");
		for (size_t k = 0; k < sw_json_array_len(al); k++) {
			const char *a = sw_json_str(sw_json_at(al, k));
			if (a && sw_vec_find_str(&f->ids, a) < 0)
				sw_vec_push_strdup(&f->ids, a);
		}
		f->pkg = (size_t)pi->u.i;
		f->ecosystem = dup_str(v, "ecosystem");
		f->installed = dup_str(v, "installedVersion");
		f->fixed = dup_str(v, "fixedVersion");
		const char *st = sw_json_get_str(v, "status");
		f->status = st ? sw_vuln_status_parse(st) : SW_ST_UNKNOWN;
		const char *sev = sw_json_get_str(v, "severity");
		if (!sev || sw_severity_parse(sev, &f->severity) < 0)
			f->severity = SW_SEV_UNKNOWN;
		f->severity_source = dup_str(v, "severitySource");
		const struct sw_json *cv = sw_json_get(v, "cvss");
		f->cvss_score = num(sw_json_get(cv, "score"), -1);
		f->cvss_vector = dup_str(cv, "vector");
		f->title = dup_str(v, "title");
		f->published = dup_str(v, "published");
		f->modified = dup_str(v, "modified");
		const struct sw_json *ep = sw_json_get(v, "epss");
		f->epss = num(sw_json_get(ep, "score"), -1);
		f->epss_percentile = num(sw_json_get(ep, "percentile"), -1);
		const struct sw_json *kev = sw_json_get(v, "kev");
		f->kev = sw_json_is(kev, SW_JSON_OBJECT);
		f->kev_date_added = dup_str(kev, "dateAdded");
		const struct sw_json *xs = sw_json_get(v, "exploits");
		for (size_t k = 0; xs && k < sw_json_array_len(xs); k++) {
			char *xid = dup_str(sw_json_at(xs, k), "id");
			bool digits = xid && *xid && strlen(xid) <= 12 && strspn(xid, "0123456789") == strlen(xid);
			if (digits)
				sw_vec_push(&f->exploits, xid);
			else
				free(xid);
		}
		f->suppressed = dup_str(v, "suppressed");
	}
	return 0;
}

static void read_checks(struct sw_policy_report *r, const struct sw_json *root)
{
	const struct sw_json *res = sw_json_get(sw_json_get(root, "checks"), "results");
	for (size_t i = 0; i < sw_json_array_len(res); i++) {
		const struct sw_json *c = sw_json_at(res, i);
		const char *id = sw_json_get_str(c, "id"), *status = sw_json_get_str(c, "status");
		if (!id || !status)
			continue;
		struct sw_check_result *cr = sw_xcalloc(1, sizeof(*cr));
		cr->id = pooled(r, id);
		cr->cis = pooled(r, sw_json_get_str(c, "cis"));
		cr->title = pooled(r, sw_json_get_str(c, "title") ? sw_json_get_str(c, "title") : "");
		cr->status = !strcmp(status, "fail") ? SW_CHECK_FAIL : !strcmp(status, "pass") ? SW_CHECK_PASS :
			     !strcmp(status, "manual") ? SW_CHECK_MANUAL : SW_CHECK_INFO;
		const char *sev = sw_json_get_str(c, "severity");
		if (!sev || sw_severity_parse(sev, &cr->severity) < 0)
			cr->severity = SW_SEV_UNKNOWN;
		cr->suppressed = dup_str(c, "suppressed");
		sw_vec_push(&r->checks.results, cr);
	}
}

int sw_policy_report_load(const char *path, struct sw_policy_report **out, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	int rc = sw_buf_read_file(&b, path, REPORT_MAX_FILE, err);
	if (rc == 0)
		rc = sw_policy_report_parse(path, b.data, b.len, out, err);
	sw_buf_release(&b);
	return rc;
}

int sw_policy_report_parse(const char *path, const char *data, size_t len, struct sw_policy_report **out,
			   struct sw_err *err)
{
	struct sw_json_doc *doc = NULL;
	if (sw_json_parse(data, len, &doc, err) < 0)
		return sw_err_wrap(err, "'%s'", path);
	const struct sw_json *root = sw_json_root(doc);
	struct sw_policy_report *r = sw_xcalloc(1, sizeof(*r));
	int rc = -1;
	if (!sw_json_is(root, SW_JSON_OBJECT) || !sw_json_get_str(root, "schemaVersion") ||
	    !sw_json_is(sw_json_get(root, "packages"), SW_JSON_ARRAY) ||
	    !sw_json_is(sw_json_get(root, "scanners"), SW_JSON_ARRAY)) {
		sw_err_set(err, SW_E_FORMAT, "'%s': not a stowaway scan report (stowaway scan -f json): no "
			   "schemaVersion, packages or scanners", path);
		goto out;
	}
	if (read_inventory(r, root, path, err) < 0 || read_findings(r, root, path, err) < 0)
		goto out;
	const struct sw_json *sc = sw_json_get(root, "scanners");
	for (size_t i = 0; i < sw_json_array_len(sc); i++) {
		const struct sw_json *s = sw_json_at(sc, i);
		const char *name = sw_json_get_str(s, "name");
		bool ran = sw_json_is(sw_json_get(s, "ran"), SW_JSON_TRUE);
		if (sw_streq(name, "vuln")) {
			r->vuln_ran = ran;
			if (!ran)
				r->vuln_why_not = sw_xstrdup(sw_json_get_str(s, "reason") ? sw_json_get_str(s, "reason")
											: "it did not run in the stored scan");
		} else if (sw_streq(name, "config")) {
			r->checks_ran = ran;
		}
	}
	if (r->checks_ran)
		read_checks(r, root);
	const struct sw_json *cfg = sw_json_get(root, "imageConfig");
	if (sw_json_is(cfg, SW_JSON_OBJECT)) {
		struct sw_buf cb = SW_BUF_INIT;
		sw_policy_json_dump(&cb, cfg);
		r->config_json = sw_buf_detach(&cb, NULL);
	} else {
		sw_vec_push_strdup(&r->notes, "the report has no imageConfig (an SBOM scan, or a report of an "
					      "older stowaway): the dockerfile gate cannot be evaluated");
	}
	const struct sw_json *db = sw_json_get(root, "database");
	r->db_built_at = (long long)num(sw_json_get(db, "builtAt"), 0);
	*out = r;
	r = NULL;
	rc = 0;
out:
	sw_policy_report_free(r);
	sw_json_doc_free(doc);
	return rc;
}

void sw_policy_report_input(const struct sw_policy_report *r, struct sw_policy_input *in)
{
	memset(in, 0, sizeof(*in));
	in->inv = r->inv;
	in->match = r->match;
	in->vuln_ran = r->vuln_ran;
	in->vuln_why_not = r->vuln_why_not;
	in->db_built_at = r->db_built_at;
	in->checks = &r->checks;
	in->checks_ran = r->checks_ran;
	in->config_json = r->config_json;
	in->config_len = r->config_json ? strlen(r->config_json) : 0;
}

const struct sw_vec *sw_policy_report_notes(const struct sw_policy_report *r)
{
	return &r->notes;
}

void sw_policy_report_free(struct sw_policy_report *r)
{
	if (!r)
		return;
	sw_inventory_free(r->inv);
	sw_match_result_free(r->match);
	for (size_t i = 0; i < r->checks.results.len; i++) {
		struct sw_check_result *c = r->checks.results.items[i];
		free(c->suppressed);
		free(c);
	}
	sw_vec_release(&r->checks.results);
	sw_vec_free_strings(&r->pool);
	sw_vec_free_strings(&r->notes);
	free(r->vuln_why_not);
	free(r->config_json);
	free(r);
}
