/*
 * epss.c - FIRST EPSS scores, CSV: an optional first line
 * `#model_version:v2023.03.01,score_date:2024-10-25T00:00:00+0000`, a
 * header `cve,epss,percentile`, then one row per CVE.  (A .gz download is
 * decompressed by the store's update code before it reaches us.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

static bool epss_wants(const char *path)
{
	if (!sw_src_name_is(path, NULL, ".csv"))
		return false;
	char *low = sw_src_lower(path);
	bool ok = strstr(low, "epss") != NULL;
	free(low);
	return ok;
}

/* score_date from the comment line, as YYYY-MM-DD (malloc'd) or NULL. */
static char *comment_date(const char *line, size_t n)
{
	const char *k = "score_date:";
	size_t kl = strlen(k);
	for (size_t i = 0; i + kl + 10 <= n; i++) {
		if (memcmp(line + i, k, kl) == 0) {
			const char *d = line + i + kl;
			for (int j = 0; j < 10; j++) {
				bool digit = d[j] >= '0' && d[j] <= '9';
				if ((j == 4 || j == 7) ? d[j] != '-' : !digit)
					return NULL;
			}
			return sw_xstrndup(d, 10);
		}
	}
	return NULL;
}

static int epss_import(const char *path, const uint8_t *data, size_t len,
		       const struct sw_vuln_sink *sink, struct sw_err *err)
{
	static const char *const cols[] = { "cve", "epss", "percentile" };
	const char *d = (const char *)data;
	size_t pos = 0;
	char *date = NULL;
	struct sw_src_csv c;
	const char *v[3];
	int rc = 0;

	if (len > SW_SRC_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file too large (%zu bytes)", path, len);
	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	if (pos < len && d[pos] == '#') {
		const char *nl = memchr(d + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (d + pos)) : len - pos;
		date = comment_date(d + pos, n);
		pos += n + (nl ? 1 : 0);
	}
	rc = sw_src_csv_open(&c, path, data, len, pos, cols, 3, err);
	if (rc < 0)
		goto out;
	if (c.at[0] < 0 || c.at[1] < 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not an EPSS csv (no cve/epss columns)", path);
		goto out;
	}
	while (sw_src_csv_row(&c, sink, v) == 1) {
		const char *cve = v[0], *se = v[1], *sp = v[2];
		double score, pct = -1;
		if (!cve || strncmp(cve, "CVE-", 4) != 0) {
			sw_src_bad(sink, path, c.where, "missing or bad cve");
			continue;
		}
		if (!sw_src_parse_double(se, &score) || score < 0 || score > 1) {
			sw_src_bad(sink, path, cve, "bad epss score '%s'", se ? se : "");
			continue;
		}
		if (sp && (!sw_src_parse_double(sp, &pct) || pct < 0 || pct > 1)) {
			sw_src_bad(sink, path, cve, "bad percentile '%s'", sp);
			continue;
		}
		struct sw_epss e = { .cve = (char *)cve, .score = score, .percentile = pct, .date = date };
		if (sink->put_epss && sink->put_epss(sink->ctx, &e, err) < 0) {
			rc = sw_err_wrap(err, "'%s': record '%s'", path, cve);
			goto out;
		}
	}
out:
	free(date);
	sw_src_csv_release(&c);
	return rc;
}

const struct sw_vuln_source sw_source_epss = {
	.name = "epss",
	.summary = "FIRST EPSS exploit-prediction scores (CSV)",
	.default_url = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz",
	.wants = epss_wants,
	.import_file = epss_import,
};
