/*
 * kev.c - CISA Known Exploited Vulnerabilities catalogue, JSON
 * (`{vulnerabilities: [{cveID, vendorProject, product, vulnerabilityName,
 * dateAdded, dueDate, requiredAction, knownRansomwareCampaignUse}]}`) and
 * the same catalogue as CSV (header row names the same columns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

static bool kev_wants(const char *path)
{
	return sw_src_name_is(path, "known_exploited_vulnerabilities", ".json") ||
	       sw_src_name_is(path, "known_exploited_vulnerabilities", ".csv");
}

static bool is_cve(const char *s)
{
	return s && strncmp(s, "CVE-", 4) == 0 && strlen(s) >= 9;
}

static int put_kev(const struct sw_vuln_sink *sink, const char *path, struct sw_kev *k,
		   struct sw_err *err)
{
	int rc = 0;
	if (sink->put_kev && sink->put_kev(sink->ctx, k, err) < 0)
		rc = sw_err_wrap(err, "'%s': record '%s'", path, k->cve);
	sw_kev_free(k);
	return rc;
}

static int kev_json(const char *path, const uint8_t *data, size_t len,
		    const struct sw_vuln_sink *sink, struct sw_err *err)
{
	json_t *root = NULL;
	if (sw_src_json_load(path, data, len, &root, err) < 0)
		return -1;
	int rc = 0;
	bool bad = false;
	json_t *arr = sw_src_get_arr(root, "vulnerabilities", &bad);
	if (!arr) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a KEV catalogue (no \"vulnerabilities\" array)",
				path);
		goto out;
	}
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		char idx[32];
		snprintf(idx, sizeof(idx), "#%zu", i);
		if (!json_is_object(e)) {
			sw_src_bad(sink, path, idx, "record is not an object");
			continue;
		}
		bad = false;
		const char *cve = sw_src_get_str(e, "cveID", &bad);
		if (!is_cve(cve)) {
			sw_src_bad(sink, path, cve ? cve : idx, "missing or bad \"cveID\"");
			continue;
		}
		struct sw_kev *k = sw_xcalloc(1, sizeof(*k));
		k->cve = sw_xstrdup(cve);
		k->vendor = sw_xstrdup(sw_src_get_str(e, "vendorProject", &bad));
		k->product = sw_xstrdup(sw_src_get_str(e, "product", &bad));
		k->name = sw_xstrdup(sw_src_get_str(e, "vulnerabilityName", &bad));
		k->date_added = sw_xstrdup(sw_src_get_str(e, "dateAdded", &bad));
		k->due_date = sw_xstrdup(sw_src_get_str(e, "dueDate", &bad));
		k->required_action = sw_xstrdup(sw_src_get_str(e, "requiredAction", &bad));
		k->ransomware = sw_streq(sw_src_get_str(e, "knownRansomwareCampaignUse", &bad), "Known");
		if (bad || !k->date_added) {
			sw_src_bad(sink, path, cve, bad ? "a field has the wrong type" : "missing \"dateAdded\"");
			sw_kev_free(k);
			continue;
		}
		if (put_kev(sink, path, k, err) < 0) {
			rc = -1;
			goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}

enum { C_CVE, C_VENDOR, C_PRODUCT, C_NAME, C_ADDED, C_DUE, C_ACTION, C_RANSOM, C_N };

static int kev_csv(const char *path, const uint8_t *data, size_t len,
		   const struct sw_vuln_sink *sink, struct sw_err *err)
{
	static const char *const cols[C_N] = { "cveID", "vendorProject", "product",
		"vulnerabilityName", "dateAdded", "dueDate", "requiredAction",
		"knownRansomwareCampaignUse" };
	struct sw_src_csv c;
	const char *v[C_N];
	int rc = sw_src_csv_open(&c, path, data, len, 0, cols, C_N, err);
	if (rc < 0)
		goto out;
	if (c.at[C_CVE] < 0 || c.at[C_ADDED] < 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a KEV csv (no cveID/dateAdded column)", path);
		goto out;
	}
	while (sw_src_csv_row(&c, sink, v) == 1) {
		if (!is_cve(v[C_CVE]) || !v[C_ADDED] || !*v[C_ADDED]) {
			sw_src_bad(sink, path, is_cve(v[C_CVE]) ? v[C_CVE] : c.where,
				   "missing or bad cveID/dateAdded");
			continue;
		}
		struct sw_kev *k = sw_xcalloc(1, sizeof(*k));
		k->cve = sw_xstrdup(v[C_CVE]);
		k->vendor = sw_xstrdup(v[C_VENDOR]);
		k->product = sw_xstrdup(v[C_PRODUCT]);
		k->name = sw_xstrdup(v[C_NAME]);
		k->date_added = sw_xstrdup(v[C_ADDED]);
		k->due_date = sw_xstrdup(v[C_DUE]);
		k->required_action = sw_xstrdup(v[C_ACTION]);
		k->ransomware = sw_streq(v[C_RANSOM], "Known");
		if (put_kev(sink, path, k, err) < 0) {
			rc = -1;
			goto out;
		}
	}
out:
	sw_src_csv_release(&c);
	return rc;
}

static int kev_import(const char *path, const uint8_t *data, size_t len,
		      const struct sw_vuln_sink *sink, struct sw_err *err)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && (data[i] == '{' || data[i] == '['))
		return kev_json(path, data, len, sink, err);
	return kev_csv(path, data, len, sink, err);
}

const struct sw_vuln_source sw_source_kev = {
	.name = "kev",
	.summary = "CISA Known Exploited Vulnerabilities catalogue (JSON or CSV)",
	.default_url = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
	.wants = kev_wants,
	.import_file = kev_import,
};
