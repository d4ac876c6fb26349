/* codec.c - struct sw_match_result as bytes (codec.h). */
#include "match/codec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/cache.h"
#include "util/mem.h"

#define MR_MAGIC "SWMR"
#define MR_WHAT "match result"

static void put_f64(struct sw_buf *b, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	sw_cache_put_u32(b, (uint32_t)(u & 0xffffffffu));
	sw_cache_put_u32(b, (uint32_t)(u >> 32));
}

static double get_f64(struct sw_cache_rd *r)
{
	uint64_t lo = sw_cache_get_u32(r), hi = sw_cache_get_u32(r);
	uint64_t u = lo | hi << 32;
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

int sw_match_result_encode(const struct sw_match_result *m, struct sw_buf *out, struct sw_err *err)
{
	size_t start = sw_cache_put_begin(out, MR_MAGIC, SW_MATCH_CODEC_FORMAT, "");
	sw_cache_put_u32(out, m->os_covered ? 1 : 0);
	sw_cache_put_str(out, m->os_ecosystem);
	sw_cache_put_strvec(out, &m->notes);
	sw_cache_put_strvec(out, &m->incomplete);
	sw_cache_put_u32(out, (uint32_t)m->findings.len);
	for (size_t i = 0; i < m->findings.len; i++) {
		const struct sw_finding *f = m->findings.items[i];
		sw_cache_put_str(out, f->id);
		sw_cache_put_strvec(out, &f->ids);
		sw_cache_put_strvec(out, &f->sources);
		sw_cache_put_u32(out, (uint32_t)f->pkg);
		sw_cache_put_str(out, f->ecosystem);
		sw_cache_put_str(out, f->matched_name);
		sw_cache_put_str(out, f->installed);
		sw_cache_put_str(out, f->fixed);
		sw_cache_put_u32(out, (uint32_t)f->status);
		sw_cache_put_u32(out, (uint32_t)f->severity);
		sw_cache_put_str(out, f->severity_source);
		put_f64(out, f->cvss_score);
		sw_cache_put_str(out, f->cvss_vector);
		sw_cache_put_str(out, f->title);
		sw_cache_put_str(out, f->description);
		sw_cache_put_strvec(out, &f->references);
		sw_cache_put_strvec(out, &f->cwes);
		sw_cache_put_str(out, f->published);
		sw_cache_put_str(out, f->modified);
		put_f64(out, f->epss);
		put_f64(out, f->epss_percentile);
		sw_cache_put_u32(out, f->kev ? 1 : 0);
		sw_cache_put_str(out, f->kev_date_added);
		sw_cache_put_strvec(out, &f->exploits);
		sw_cache_put_str(out, f->suppressed);
	}
	sw_cache_put_u32(out, (uint32_t)m->notices.len);
	for (size_t i = 0; i < m->notices.len; i++) {
		const struct sw_notice *n = m->notices.items[i];
		sw_cache_put_str(out, n->id);
		sw_cache_put_str(out, n->kind);
		sw_cache_put_u32(out, (uint32_t)n->pkg);
		sw_cache_put_str(out, n->ecosystem);
		sw_cache_put_str(out, n->installed);
		sw_cache_put_str(out, n->title);
		sw_cache_put_str(out, n->url);
		sw_cache_put_str(out, n->date);
	}
	sw_cache_put_u32(out, (uint32_t)m->malicious.len);
	for (size_t i = 0; i < m->malicious.len; i++) {
		const struct sw_file_finding *f = m->malicious.items[i];
		sw_cache_put_str(out, f->rule_id);
		sw_cache_put_str(out, f->category);
		sw_cache_put_str(out, f->title);
		sw_cache_put_u32(out, (uint32_t)f->severity);
		sw_cache_put_str(out, f->path);
		sw_cache_put_u32(out, (uint32_t)(f->layer + 1));
		sw_cache_put_str(out, f->detail);
	}
	return sw_cache_put_end(out, start, MR_WHAT, err);
}

/* -1 (none) or a finite value in [lo, hi] */
static bool score_ok(double d, double lo, double hi)
{
	return d == -1.0 || (isfinite(d) && d >= lo && d <= hi);
}

/* a finding read to the end, or NULL (r is bad) */
static struct sw_finding *get_finding(struct sw_cache_rd *r, size_t npackages)
{
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->id = sw_cache_get_req_str(r);
	sw_cache_get_strvec(r, &f->ids);
	sw_cache_get_strvec(r, &f->sources);
	uint32_t pkg = sw_cache_get_u32(r);
	f->ecosystem = sw_cache_get_str(r);
	f->matched_name = sw_cache_get_str(r);
	f->installed = sw_cache_get_str(r);
	f->fixed = sw_cache_get_str(r);
	uint32_t status = sw_cache_get_u32(r), severity = sw_cache_get_u32(r);
	f->severity_source = sw_cache_get_str(r);
	f->cvss_score = get_f64(r);
	f->cvss_vector = sw_cache_get_str(r);
	f->title = sw_cache_get_str(r);
	f->description = sw_cache_get_str(r);
	sw_cache_get_strvec(r, &f->references);
	sw_cache_get_strvec(r, &f->cwes);
	f->published = sw_cache_get_str(r);
	f->modified = sw_cache_get_str(r);
	f->epss = get_f64(r);
	f->epss_percentile = get_f64(r);
	uint32_t kev = sw_cache_get_u32(r);
	f->kev_date_added = sw_cache_get_str(r);
	sw_cache_get_strvec(r, &f->exploits);
	f->suppressed = sw_cache_get_str(r);
	if (r->bad) {
		sw_finding_free(f);
		return NULL;
	}
	const char *why = NULL;
	if (pkg >= npackages)
		why = "a finding's package index is beyond the inventory";
	else if (status > SW_ST_UNDER_INVESTIGATION)
		why = "unknown vulnerability status";
	else if (severity > SW_SEV_CRITICAL)
		why = "unknown severity";
	else if (kev > 1)
		why = "bad kev flag";
	else if (!score_ok(f->cvss_score, 0, 10) || !score_ok(f->epss, 0, 1) || !score_ok(f->epss_percentile, 0, 1))
		why = "a score out of range";
	else if (!f->ids.len || strcmp(f->ids.items[0], f->id) != 0)
		why = "a finding whose ids do not start with its id";
	for (size_t i = 0; !why && i < f->exploits.len; i++) {
		const char *x = f->exploits.items[i];
		if (!*x || strlen(x) > 12 || strspn(x, "0123456789") != strlen(x))
			why = "an exploit id that is not a number";
	}
	if (why) {
		sw_cache_rd_fail(r, why);
		sw_finding_free(f);
		return NULL;
	}
	f->pkg = pkg;
	f->status = (enum sw_vuln_status)status;
	f->severity = (enum sw_severity_level)severity;
	f->kev = kev == 1;
	return f;
}

int sw_match_result_decode(const uint8_t *data, size_t len, size_t npackages, struct sw_match_result **out,
			   struct sw_err *err)
{
	struct sw_cache_rd r;
	if (sw_cache_rd_begin(&r, data, len, MR_MAGIC, SW_MATCH_CODEC_FORMAT, NULL, MR_WHAT, err) < 0)
		return -SW_E_FORMAT;
	struct sw_match_result *m = sw_xcalloc(1, sizeof(*m));
	uint32_t covered = sw_cache_get_u32(&r);
	if (covered > 1)
		sw_cache_rd_fail(&r, "bad os_covered flag");
	m->os_covered = covered == 1;
	m->os_ecosystem = sw_cache_get_str(&r);
	sw_cache_get_strvec(&r, &m->notes);
	sw_cache_get_strvec(&r, &m->incomplete);
	/* a finding is at least 27 u32 (its lengths, counts and numbers) */
	size_t n = sw_cache_get_count(&r, 27 * 4);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct sw_finding *f = get_finding(&r, npackages);
		if (f)
			sw_vec_push(&m->findings, f);
	}
	/* a notice is at least 8 u32, a malicious-package finding 7 */
	n = r.bad ? 0 : sw_cache_get_count(&r, 8 * 4);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct sw_notice *x = sw_xcalloc(1, sizeof(*x));
		x->id = sw_cache_get_req_str(&r);
		x->kind = sw_cache_get_req_str(&r);
		uint32_t pkg = sw_cache_get_u32(&r);
		x->ecosystem = sw_cache_get_str(&r);
		x->installed = sw_cache_get_str(&r);
		x->title = sw_cache_get_str(&r);
		x->url = sw_cache_get_str(&r);
		x->date = sw_cache_get_str(&r);
		x->pkg = pkg;
		if (!r.bad && pkg >= npackages)
			sw_cache_rd_fail(&r, "a notice's package index is beyond the inventory");
		if (r.bad)
			sw_notice_free(x);
		else
			sw_vec_push(&m->notices, x);
	}
	n = r.bad ? 0 : sw_cache_get_count(&r, 7 * 4);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct sw_file_finding *f = sw_file_finding_new("malware");
		f->rule_id = sw_cache_get_req_str(&r);
		f->category = sw_cache_get_str(&r);
		f->title = sw_cache_get_str(&r);
		uint32_t sev = sw_cache_get_u32(&r);
		f->path = sw_cache_get_req_str(&r);
		uint32_t layer = sw_cache_get_u32(&r);
		f->detail = sw_cache_get_str(&r);
		if (!r.bad && (sev > SW_SEV_CRITICAL || layer > 1000000))
			sw_cache_rd_fail(&r, "a malicious-package finding out of range");
		f->severity = (enum sw_severity_level)sev;
		f->layer = (int)layer - 1;
		if (r.bad)
			sw_file_finding_free(f);
		else
			sw_vec_push(&m->malicious, f);
	}
	if (sw_cache_rd_end(&r, MR_WHAT, err) < 0) {
		sw_match_result_free(m);
		return -SW_E_FORMAT;
	}
	*out = m;
	return 0;
}
