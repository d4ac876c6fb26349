/*
 * nvd.c - NVD CVE API 2.0 JSON: a page `{vulnerabilities: [{cve: {...}}]}`
 * or one `{cve: {...}}` record.  Enrichment only: id, descriptions,
 * dates, references, CWEs and CVSS metrics.  No affected entries are made
 * (NVD's CPE configurations are never used to match packages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

#define SUMMARY_MAX 160

static bool nvd_wants(const char *path)
{
	return sw_src_name_is(path, NULL, ".json");
}

/* NVD times lack a zone ("2023-10-12T19:15:11.747"): they are UTC. */
static char *nvd_time(const char *s)
{
	if (!s || !*s)
		return NULL;
	size_t n = strlen(s);
	if (s[n - 1] == 'Z' || strchr(s + (n > 10 ? 10 : n), '+'))
		return sw_xstrdup(s);
	return sw_xasprintf("%sZ", s);
}

/* The first sentence of the description, blanks and line breaks folded to
 * one space, at most SUMMARY_MAX bytes (cut at a blank when possible, and
 * never inside a UTF-8 sequence). */
static char *first_sentence(const char *s)
{
	struct sw_buf b = SW_BUF_INIT;
	bool space = false;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	for (; *s && b.len < SUMMARY_MAX; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = true;
			continue;
		}
		if (space)
			sw_buf_addch(&b, ' ');
		space = false;
		sw_buf_addch(&b, *s);
		if (*s == '.' && (s[1] == ' ' || s[1] == '\n' || s[1] == '\0'))
			break;
	}
	size_t n = b.len;
	if (n >= SUMMARY_MAX && *s) {
		size_t cut = n;
		while (cut > SUMMARY_MAX / 2 && b.data[cut - 1] != ' ')
			cut--;
		if (cut > SUMMARY_MAX / 2)
			n = cut - 1;
		while (n > 0 && ((unsigned char)b.data[n] & 0xC0) == 0x80)
			n--;
	}
	char *r = sw_xstrndup(b.data, n);
	sw_buf_release(&b);
	return r;
}

static const struct {
	const char *key, *type;
	bool v2;
} metric_kinds[] = {
	{ "cvssMetricV40", "CVSS_V4", false },
	{ "cvssMetricV31", "CVSS_V3", false },
	{ "cvssMetricV30", "CVSS_V3", false },
	{ "cvssMetricV2", "CVSS_V2", true },
};

/* Returns false when the record is malformed (what says why). */
static bool read_cve(const json_t *cve, struct sw_vuln **out, const char **what)
{
	bool bad = false;
	const char *id = sw_src_get_str(cve, "id", &bad);
	if (!id || !*id) {
		*what = "missing \"id\"";
		return false;
	}
	struct sw_vuln *v = sw_vuln_new(id, "nvd");
	v->published = nvd_time(sw_src_get_str(cve, "published", &bad));
	v->modified = nvd_time(sw_src_get_str(cve, "lastModified", &bad));
	if (sw_streq(sw_src_get_str(cve, "vulnStatus", &bad), "Rejected"))
		v->withdrawn = sw_xstrdup(v->modified ? v->modified : v->published);

	size_t i, j;
	json_t *e, *x;
	json_t *descs = sw_src_get_arr(cve, "descriptions", &bad);
	json_array_foreach(descs, i, e) {
		const char *lang = sw_src_get_str(e, "lang", &bad);
		const char *val = sw_src_get_str(e, "value", &bad);
		if (sw_streq(lang, "en") && val && !v->details) {
			v->details = sw_xstrdup(val);
			v->summary = first_sentence(val);
		}
	}
	json_t *refs = sw_src_get_arr(cve, "references", &bad);
	json_array_foreach(refs, i, e)
		sw_src_push_unique(&v->references, sw_src_get_str(e, "url", &bad));
	json_t *weak = sw_src_get_arr(cve, "weaknesses", &bad);
	json_array_foreach(weak, i, e) {
		json_t *d = sw_src_get_arr(e, "description", &bad);
		json_array_foreach(d, j, x) {
			const char *c = sw_src_get_str(x, "value", &bad);
			if (c && strncmp(c, "CWE-", 4) == 0)
				sw_src_push_unique(&v->cwes, c);
		}
	}
	json_t *metrics = sw_src_get_obj(cve, "metrics", &bad);
	for (size_t k = 0; metrics && k < sizeof(metric_kinds) / sizeof(metric_kinds[0]); k++) {
		json_t *arr = sw_src_get_arr(metrics, metric_kinds[k].key, &bad);
		json_array_foreach(arr, i, e) {
			json_t *data = sw_src_get_obj(e, "cvssData", &bad);
			const char *vec = sw_src_get_str(data, "vectorString", &bad);
			if (!vec) {
				bad = true;
				continue;
			}
			const char *type = sw_src_get_str(e, "type", &bad);
			const char *src = sw_src_get_str(e, "source", &bad);
			double score = sw_src_get_num(data, "baseScore", &bad);
			/* v2 keeps baseSeverity beside cvssData, v3/v4 inside it */
			const char *sev = sw_src_get_str(data, "baseSeverity", &bad);
			if (!sev)
				sev = sw_src_get_str(e, "baseSeverity", &bad);
			char *rating = sev ? sw_src_lower(sev)
					   : sw_xstrdup(sw_src_rating_from_score(score, metric_kinds[k].v2));
			const char *who = sw_streq(type, "Primary") || !src ? "nvd" : src;
			sw_src_add_severity(v, who, metric_kinds[k].type, vec, score, rating);
			free(rating);
		}
	}
	if (bad) {
		*what = "a field has the wrong type";
		sw_vuln_free(v);
		return false;
	}
	*out = v;
	return true;
}

static int nvd_import(const char *path, const uint8_t *data, size_t len,
		      const struct sw_vuln_sink *sink, struct sw_err *err)
{
	json_t *root = NULL;
	if (sw_src_json_load(path, data, len, &root, err) < 0)
		return -1;
	int rc = 0;
	bool bad = false;
	json_t *arr = sw_src_get_arr(root, "vulnerabilities", &bad);
	json_t *one = NULL;
	if (!arr) {
		one = sw_src_get_obj(root, "cve", &bad);
		if (!one) {
			rc = sw_err_set(err, SW_E_FORMAT,
					"'%s': not an NVD CVE API 2.0 document (no \"vulnerabilities\" or \"cve\")",
					path);
			goto out;
		}
	}
	size_t n = arr ? json_array_size(arr) : 1;
	for (size_t i = 0; i < n; i++) {
		char idx[32];
		snprintf(idx, sizeof(idx), "#%zu", i);
		json_t *cve = one ? one : sw_src_get_obj(json_array_get(arr, i), "cve", &bad);
		if (!cve) {
			sw_src_bad(sink, path, idx, "entry has no \"cve\" object");
			continue;
		}
		struct sw_vuln *v = NULL;
		const char *what = NULL;
		if (!read_cve(cve, &v, &what)) {
			const char *id = sw_src_get_str(cve, "id", NULL);
			sw_src_bad(sink, path, id ? id : idx, "%s", what);
			continue;
		}
		rc = sw_src_put(sink, path, v, err);
		sw_vuln_free(v);
		if (rc < 0)
			goto out;
	}
out:
	json_decref(root);
	return rc;
}

const struct sw_vuln_source sw_source_nvd = {
	.name = "nvd",
	.summary = "NVD CVE API 2.0 JSON (descriptions, CWEs, CVSS; enrichment only)",
	.default_url = "https://services.nvd.nist.gov/rest/json/cves/2.0",
	.wants = nvd_wants,
	.import_file = nvd_import,
};
