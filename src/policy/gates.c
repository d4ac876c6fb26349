/* gates.c - the gate table: every gate, trigger and param a bundle may name,
 * and what each trigger evaluates (docs/policy.md describes them). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/sysfiles.h"
#include "inventory/fsfacts.h"
#include "inventory/inventory.h"
#include "model/filefinding.h"
#include "policy/internal.h"
#include "util/buf.h"
#include "util/mem.h"
#include "version/version.h"

#define DAY 86400LL

/* ---- helpers ----------------------------------------------------------- */

static const char *pstr(const struct sw_policy_rule *r, const char *name)
{
	const struct sw_pval *v = sw_policy_param(r, name);
	return v ? v->raw : NULL;
}

static bool in_list(const struct sw_pval *v, const char *s, bool glob)
{
	for (size_t i = 0; v && s && i < v->list.len; i++)
		if (glob ? sw_policy_glob(v->list.items[i], s) : !strcmp(v->list.items[i], s))
			return true;
	return false;
}

static bool vuln_data(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (cx->in->vuln_ran && cx->in->match)
		return true;
	char why[300];
	snprintf(why, sizeof(why), "the vulnerability scan did not run%s%s",
		 cx->in->vuln_why_not ? ": " : "", cx->in->vuln_why_not ? cx->in->vuln_why_not : "");
	sw_policy_not_evaluated(cx, r, why);
	return false;
}

static const struct sw_package *pkg_of(struct sw_eval_ctx *cx, const struct sw_finding *f)
{
	const struct sw_inventory *inv = cx->in->inv;
	return inv && f->pkg < inv->packages.len ? inv->packages.items[f->pkg] : NULL;
}

static bool os_type(const char *t)
{
	return t && (!strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm"));
}

/* Anchore names a vulnerability trigger "ID+package" (the package name for
 * OS packages, the file location for others). */
struct tid {
	char s[512];
};

static const char *vuln_trigger_id(const struct sw_finding *f, const struct sw_package *p, struct tid *t)
{
	const char *name = p ? (os_type(p->type) || !p->path ? p->name : p->path) : "?";
	snprintf(t->s, sizeof(t->s), "%s+%s", f->id, name ? name : "?");
	return t->s;
}

static const char *pkg_label(const struct sw_package *p, char *buf, size_t n)
{
	if (!p)
		return "?";
	snprintf(buf, n, "%s-%s", p->name ? p->name : "?", p->version ? p->version : "?");
	return buf;
}

/* ---- CVSS v3 sub-scores (FIRST CVSS v3.1 specification, section 7.1) ---- */

static double metric(const char *vec, const char *key, const char *const *names, const double *vals)
{
	char pat[8];
	snprintf(pat, sizeof(pat), "/%s:", key);
	const char *p = strstr(vec, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	for (int i = 0; names[i]; i++)
		if (*p == names[i][0] && (p[1] == '/' || !p[1]))
			return vals[i];
	return -1;
}

static double roundup1(double x)
{
	long long i = llround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000.0) + 1) / 10.0;
}

/* Exploitability and impact sub-scores of a CVSS:3.x vector; -1 when not. */
static void cvss3_sub(const char *vec, double *expl, double *impact)
{
	*expl = *impact = -1;
	if (!vec || strncmp(vec, "CVSS:3.", 7))
		return;
	static const char *const av[] = { "N", "A", "L", "P", NULL };
	static const double avv[] = { 0.85, 0.62, 0.55, 0.2 };
	static const char *const lh[] = { "L", "H", NULL };
	static const double acv[] = { 0.77, 0.44 };
	static const char *const nlh[] = { "N", "L", "H", NULL };
	static const double cia[] = { 0, 0.22, 0.56 };
	static const char *const ui[] = { "N", "R", NULL };
	static const double uiv[] = { 0.85, 0.62 };
	static const char *const su[] = { "U", "C", NULL };
	static const double suv[] = { 0, 1 };
	double s = metric(vec, "S", su, suv);
	static const double pru[] = { 0.85, 0.62, 0.27 }, prc[] = { 0.85, 0.68, 0.5 };
	double a = metric(vec, "AV", av, avv), ac = metric(vec, "AC", lh, acv);
	double pr = metric(vec, "PR", nlh, s > 0 ? prc : pru), u = metric(vec, "UI", ui, uiv);
	double c = metric(vec, "C", nlh, cia), i = metric(vec, "I", nlh, cia), av2 = metric(vec, "A", nlh, cia);
	if (s < 0 || a < 0 || ac < 0 || pr < 0 || u < 0 || c < 0 || i < 0 || av2 < 0)
		return;
	double iss = 1 - (1 - c) * (1 - i) * (1 - av2);
	double imp = s > 0 ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	*expl = roundup1(8.22 * a * ac * pr * u);
	*impact = imp <= 0 ? 0 : roundup1(imp);
}

/* ---- vulnerabilities --------------------------------------------------- */

/* What every vulnerability rule asks of a finding, worked out once per
 * evaluation (cx->fcache). */
struct sw_fcache {
	bool nvd;          /* its CVSS vector is NVD's (severity from NVD) */
	bool v3;           /* a CVSS v3 vector */
	double expl, imp;  /* v3 sub-scores, -1 unknown */
	bool subs;         /* expl and imp worked out */
	bool pub_ok;
	long long pub;     /* publication time */
};

static const struct sw_fcache *fcache(struct sw_eval_ctx *cx)
{
	if (cx->fcache)
		return cx->fcache;
	const struct sw_vec *fs = &cx->in->match->findings;
	struct sw_fcache *fc = sw_xcalloc(fs->len ? fs->len : 1, sizeof(*fc));
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		fc[i].nvd = !f->severity_source || !strcmp(f->severity_source, "nvd");
		fc[i].v3 = f->cvss_vector && !strncmp(f->cvss_vector, "CVSS:3.", 7);
		fc[i].expl = fc[i].imp = -1;   /* sub-scores: on first use (score_ok) */
		if (f->published) {
			fc[i].pub_ok = sw_policy_parse_time(f->published, &fc[i].pub) == 0;
			if (!fc[i].pub_ok && strlen(f->published) >= 10) {
				char d[11];
				memcpy(d, f->published, 10);
				d[10] = 0;
				fc[i].pub_ok = sw_policy_parse_time(d, &fc[i].pub) == 0;
			}
		}
	}
	cx->fcache = fc;
	return fc;
}

/* a message appended to a fixed buffer (cut at its size) */
struct msgb {
	char s[1024];
	size_t n;
};

static void madd(struct msgb *m, const char *t)
{
	size_t l = strlen(t);
	if (l > sizeof(m->s) - 1 - m->n)
		l = sizeof(m->s) - 1 - m->n;
	memcpy(m->s + m->n, t, l);
	m->n += l;
	m->s[m->n] = 0;
}

static const char *const sev_upper[] = { "UNKNOWN", "NEGLIGIBLE", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

static const char *const pkg_types[] = { "all", "os", "non-os", NULL };
static const char *const severities[] = { "unknown", "negligible", "low", "medium", "high", "critical", NULL };

/* score params: name of the value, name of its comparison */
static const char *const score_params[][2] = {
	{ "cvss_v3_base_score", "cvss_v3_base_score_comparison" },
	{ "cvss_v3_exploitability_score", "cvss_v3_exploitability_score_comparison" },
	{ "cvss_v3_impact_score", "cvss_v3_impact_score_comparison" },
	{ "vendor_cvss_v3_base_score", "vendor_cvss_v3_base_score_comparison" },
	{ "vendor_cvss_v3_exploitability_score", "vendor_cvss_v3_exploitability_score_comparison" },
	{ "vendor_cvss_v3_impact_score", "vendor_cvss_v3_impact_score_comparison" },
};

static const struct sw_pspec vuln_package_params[] = {
	{ "package_type", PK_ENUM, pkg_types, true },
	{ "severity_comparison", PK_CMP, NULL, false },
	{ "severity", PK_ENUM, severities, false },
	{ "cvss_v3_base_score_comparison", PK_CMP, NULL, false },
	{ "cvss_v3_base_score", PK_FLOAT, NULL, false },
	{ "cvss_v3_exploitability_score_comparison", PK_CMP, NULL, false },
	{ "cvss_v3_exploitability_score", PK_FLOAT, NULL, false },
	{ "cvss_v3_impact_score_comparison", PK_CMP, NULL, false },
	{ "cvss_v3_impact_score", PK_FLOAT, NULL, false },
	{ "fix_available", PK_BOOL, NULL, false },
	{ "vendor_only", PK_BOOL, NULL, false },
	{ "max_days_since_creation", PK_INT, NULL, false },
	{ "max_days_since_fix", PK_INT, NULL, false },
	{ "vendor_cvss_v3_base_score_comparison", PK_CMP, NULL, false },
	{ "vendor_cvss_v3_base_score", PK_FLOAT, NULL, false },
	{ "vendor_cvss_v3_exploitability_score_comparison", PK_CMP, NULL, false },
	{ "vendor_cvss_v3_exploitability_score", PK_FLOAT, NULL, false },
	{ "vendor_cvss_v3_impact_score_comparison", PK_CMP, NULL, false },
	{ "vendor_cvss_v3_impact_score", PK_FLOAT, NULL, false },
	{ "package_path_exclude", PK_REGEX, NULL, false },
	{ NULL, 0, NULL, false },
};

/* the vendor's "won't fix" (Anchore's vendor_only: skip what the vendor
 * will not fix) */
static bool vendor_wont_fix(const struct sw_finding *f)
{
	return f->status == SW_ST_WILL_NOT_FIX || f->status == SW_ST_END_OF_LIFE ||
	       f->status == SW_ST_FIX_DEFERRED;
}

/* The score params of one rule, looked up once per evaluation. */
struct score_params {
	const struct sw_pval *v[6], *c[6];
	bool any, sub;     /* any score param; an exploitability/impact one */
};

static void score_params_get(const struct sw_policy_rule *r, struct score_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	for (size_t k = 0; k < 6; k++) {
		sp->v[k] = sw_policy_param(r, score_params[k][0]);
		sp->c[k] = sw_policy_param(r, score_params[k][1]);
		sp->any |= sp->v[k] != NULL;
		sp->sub |= sp->v[k] && k % 3 != 0;
	}
}

static bool score_ok(const struct score_params *sp, const struct sw_finding *f, const struct sw_fcache *fc,
		     size_t *no_score)
{
	if (!sp->any)
		return true;
	bool nvd = fc->nvd, v3 = fc->v3;
	if (sp->sub && v3 && !fc->subs) {
		struct sw_fcache *w = (struct sw_fcache *)fc;
		cvss3_sub(f->cvss_vector, &w->expl, &w->imp);
		w->subs = true;
	}
	double expl = fc->expl, imp = fc->imp;
	for (size_t k = 0; k < 6; k++) {
		const struct sw_pval *v = sp->v[k];
		if (!v)
			continue;
		bool vendor = k >= 3;
		/* the finding carries one CVSS vector: NVD's when its severity
		 * came from NVD, else the vendor's */
		if (!v3 || vendor == nvd) {
			(*no_score)++;
			return false;
		}
		double have = k % 3 == 0 ? f->cvss_score : k % 3 == 1 ? expl : imp;
		if (have < 0) {
			(*no_score)++;
			return false;
		}
		if (!sw_policy_cmp_num(sp->c[k] ? (enum sw_cmp)sp->c[k]->e : CMP_GT, have, v->d))
			return false;
	}
	return true;
}

static void t_vuln_package(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	if (sw_policy_param(r, "max_days_since_fix")) {
		sw_policy_not_evaluated(cx, r, "max_days_since_fix: the database does not record when a "
					       "fix was published");
		return;
	}
	const struct sw_pval *ptype = sw_policy_param(r, "package_type");
	const struct sw_pval *sev = sw_policy_param(r, "severity");
	const struct sw_pval *scmp = sw_policy_param(r, "severity_comparison");
	const struct sw_pval *fix = sw_policy_param(r, "fix_available");
	const struct sw_pval *vonly = sw_policy_param(r, "vendor_only");
	const struct sw_pval *maxc = sw_policy_param(r, "max_days_since_creation");
	const struct sw_pval *excl = sw_policy_param(r, "package_path_exclude");
	const struct sw_vec *fs = &cx->in->match->findings;
	size_t looked = 0, no_score = 0, no_date = 0;
	struct score_params sp;
	score_params_get(r, &sp);
	const struct sw_fcache *fc = fcache(cx);
	size_t np = cx->in->inv ? cx->in->inv->packages.len : 0;
	unsigned char *excl_cache = sw_xcalloc(np ? np : 1, 1);
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		if (f->suppressed)
			continue;
		looked++;
		const struct sw_package *p = pkg_of(cx, f);
		bool os = p && cx->pkg_os[f->pkg];
		if (ptype->e == 1 && !os)
			continue;
		if (ptype->e == 2 && os)
			continue;
		if (sev && !sw_policy_cmp_num(scmp ? (enum sw_cmp)scmp->e : CMP_GT, (double)f->severity,
					      (double)sev->e))
			continue;
		if (fix && fix->b != (f->fixed != NULL))
			continue;
		if ((!vonly || vonly->b) && vendor_wont_fix(f))
			continue;
		if (excl && p && p->path) {
			/* once per package: many findings share one */
			if (!excl_cache[f->pkg])
				excl_cache[f->pkg] = sw_policy_re_match(cx, excl->re, p->path) == 1 ? 1 : 2;
			if (excl_cache[f->pkg] == 1)
				continue;
		}
		if (maxc) {
			if (!fc[i].pub_ok) {
				no_date++;
				continue;
			}
			if (cx->in->now - fc[i].pub <= maxc->i * DAY)
				continue;
		}
		if (!score_ok(&sp, f, &fc[i], &no_score))
			continue;
		struct tid tb;
		const char *tid = vuln_trigger_id(f, p, &tb);
		/* "HIGH Vulnerability found in os package type (deb) - openssl-3.0.11-1
		 * (fixed in: 3.0.13-1)(CVE-2024-1001)", built without printf: this is
		 * the row most bundles produce by the thousand */
		struct msgb m;
		m.n = 0;
		m.s[0] = 0;
		madd(&m, sev_upper[f->severity <= SW_SEV_CRITICAL ? f->severity : 0]);
		madd(&m, os ? " Vulnerability found in os package type (" : " Vulnerability found in non-os package type (");
		madd(&m, p && p->type ? p->type : "?");
		madd(&m, ") - ");
		madd(&m, p && p->name ? p->name : "?");
		madd(&m, "-");
		madd(&m, p && p->version ? p->version : "?");
		if (f->fixed) {
			madd(&m, " (fixed in: ");
			madd(&m, f->fixed);
			madd(&m, ")(");
		} else {
			madd(&m, " (no fix available)(");
		}
		madd(&m, f->id);
		madd(&m, ")");
		sw_policy_fire_text(cx, r, tid, m.s);
	}
	free(excl_cache);
	char a[80] = "", b[80] = "";
	if (no_score)
		snprintf(a, sizeof(a), "; %zu without the CVSS v3 score asked for", no_score);
	if (no_date)
		snprintf(b, sizeof(b), "; %zu without a publication date", no_date);
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu unsuppressed findings%s%s", looked, a, b);
}

static const struct sw_pspec stale_params[] = {
	{ "max_days_since_sync", PK_INT, NULL, true },
	{ NULL, 0, NULL, false },
};

static void t_stale_feed(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_pval *max = sw_policy_param(r, "max_days_since_sync");
	long long built = cx->in->db_built_at;
	snprintf(cx->looked_at, sizeof(cx->looked_at), "database built at %lld", built);
	if (built <= 0) {
		sw_policy_fire(cx, r, NULL, "The vulnerability database build time is unknown; treated as "
					    "older than MAXAGE (%lld) days", max->i);
		return;
	}
	if (built < cx->in->now - max->i * DAY)
		sw_policy_fire(cx, r, NULL, "The vulnerability feed for this image distro is older than "
					    "MAXAGE (%lld) days", max->i);
}

static void t_vuln_unavailable(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_match_result *m = cx->in->match;
	const struct sw_inventory *inv = cx->in->inv;
	snprintf(cx->looked_at, sizeof(cx->looked_at), "OS %s: %s", m->os_ecosystem ? m->os_ecosystem : "none",
		 m->os_covered ? "covered" : "not covered");
	bool has_os_pkgs = false;
	for (size_t i = 0; inv && i < inv->packages.len && !has_os_pkgs; i++)
		has_os_pkgs = os_type(((const struct sw_package *)inv->packages.items[i])->type);
	if ((!m->os_covered && (has_os_pkgs || (inv && inv->os.id))) || m->incomplete.len)
		sw_policy_fire(cx, r, NULL, "Distro-specific feed data not found for distro namespace: %s. "
					    "Cannot perform CVE scan OS/distro packages",
			       m->os_ecosystem ? m->os_ecosystem : inv && inv->os.id ? inv->os.id : "unknown");
}

static const struct sw_pspec denylist_params[] = {
	{ "vulnerability_ids", PK_LIST, NULL, true },
	{ "vendor_only", PK_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

struct id_ref {
	const char *id;
	size_t fi;
};

static int cmp_id_ref(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->fi > y->fi) - (x->fi < y->fi);
}

/* Every id and alias of every finding, sorted: a denylist looks its ids
 * up here instead of comparing every finding with every id. */
static const struct id_ref *id_index(struct sw_eval_ctx *cx, size_t *n)
{
	if (!cx->ids) {
		const struct sw_vec *fs = &cx->in->match->findings;
		size_t cap = 0;
		for (size_t i = 0; i < fs->len; i++)
			cap += ((const struct sw_finding *)fs->items[i])->ids.len + 1;
		struct id_ref *v = sw_xmalloc((cap ? cap : 1) * sizeof(*v));
		size_t k = 0;
		for (size_t i = 0; i < fs->len; i++) {
			const struct sw_finding *f = fs->items[i];
			v[k++] = (struct id_ref){ f->id, i };
			for (size_t a = 0; a < f->ids.len; a++)
				if (strcmp(f->ids.items[a], f->id))
					v[k++] = (struct id_ref){ f->ids.items[a], i };
		}
		qsort(v, k, sizeof(*v), cmp_id_ref);
		cx->ids = v;
		cx->nids = k;
	}
	*n = cx->nids;
	return cx->ids;
}

static void t_vuln_denylist(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_pval *ids = sw_policy_param(r, "vulnerability_ids");
	const struct sw_pval *vonly = sw_policy_param(r, "vendor_only");
	const struct sw_vec *fs = &cx->in->match->findings;
	size_t n;
	const struct id_ref *idx = id_index(cx, &n);
	const char **hit = sw_xcalloc(fs->len ? fs->len : 1, sizeof(*hit));
	for (size_t k = 0; k < ids->list.len; k++) {
		const char *want = ids->list.items[k];
		size_t a = 0, b = n;
		while (a < b) {
			size_t m = (a + b) / 2;
			if (strcmp(idx[m].id, want) < 0)
				a = m + 1;
			else
				b = m;
		}
		for (; a < n && !strcmp(idx[a].id, want); a++)
			if (!hit[idx[a].fi])
				hit[idx[a].fi] = idx[a].id;
	}
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		if (!hit[i] || f->suppressed || ((!vonly || vonly->b) && vendor_wont_fix(f)))
			continue;
		const struct sw_package *p = pkg_of(cx, f);
		struct tid tb;
		const char *tid = vuln_trigger_id(f, p, &tb);
		char pl[256];
		sw_policy_fire(cx, r, tid, "Denylisted vulnerability %s found in package %s", hit[i],
			       pkg_label(p, pl, sizeof(pl)));
	}
	free(hit);
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu findings against %zu ids", fs->len, ids->list.len);
}

static void t_vuln_kev(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_vec *fs = &cx->in->match->findings;
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		if (f->suppressed || !f->kev)
			continue;
		const struct sw_package *p = pkg_of(cx, f);
		struct tid tb;
		const char *tid = vuln_trigger_id(f, p, &tb);
		char pl[256];
		sw_policy_fire(cx, r, tid, "%s in package %s is in CISA's Known Exploited Vulnerabilities "
					   "catalog (added %s)", f->id, pkg_label(p, pl, sizeof(pl)),
			       f->kev_date_added ? f->kev_date_added : "?");
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu findings, KEV flag", fs->len);
}

static void t_vuln_exploit(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_vec *fs = &cx->in->match->findings;
	size_t n = 0;
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		if (f->suppressed || !f->exploits.len)
			continue;
		n++;
		const struct sw_package *p = pkg_of(cx, f);
		struct tid tb;
		const char *tid = vuln_trigger_id(f, p, &tb);
		char pl[256];
		sw_policy_fire(cx, r, tid, "%s in package %s has %zu public exploit%s (Exploit-DB %s%s)", f->id,
			       pkg_label(p, pl, sizeof(pl)), f->exploits.len, f->exploits.len == 1 ? "" : "s",
			       (const char *)f->exploits.items[0], f->exploits.len > 1 ? ", ..." : "");
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu findings, %zu with public exploits", fs->len, n);
}

static const struct sw_pspec epss_params[] = {
	{ "score", PK_FLOAT, NULL, false },
	{ "percentile", PK_FLOAT, NULL, false },
	{ NULL, 0, NULL, false },
};

static void t_vuln_epss(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!vuln_data(cx, r))
		return;
	const struct sw_pval *sc = sw_policy_param(r, "score"), *pc = sw_policy_param(r, "percentile");
	const struct sw_vec *fs = &cx->in->match->findings;
	size_t unknown = 0;
	for (size_t i = 0; i < fs->len; i++) {
		const struct sw_finding *f = fs->items[i];
		if (f->suppressed)
			continue;
		if (f->epss < 0) {
			unknown++;
			continue;
		}
		if (!((sc && f->epss >= sc->d) || (pc && f->epss_percentile >= pc->d)))
			continue;
		const struct sw_package *p = pkg_of(cx, f);
		struct tid tb;
		const char *tid = vuln_trigger_id(f, p, &tb);
		char pl[256];
		sw_policy_fire(cx, r, tid, "%s in package %s has EPSS score %.5f (percentile %.5f)", f->id,
			       pkg_label(p, pl, sizeof(pl)), f->epss, f->epss_percentile);
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu findings, %zu without EPSS data", fs->len, unknown);
}

static int v_epss(const struct sw_policy_rule *r, char *why, size_t n, const char **param)
{
	const struct sw_pval *sc = sw_policy_param(r, "score"), *pc = sw_policy_param(r, "percentile");
	if (!sc && !pc) {
		*param = "score";
		snprintf(why, n, "give score or percentile (or both)");
		return -1;
	}
	if ((sc && sc->d > 1) || (pc && pc->d > 1)) {
		*param = sc && sc->d > 1 ? "score" : "percentile";
		snprintf(why, n, "must be between 0 and 1");
		return -1;
	}
	return 0;
}

static int v_vuln_package(const struct sw_policy_rule *r, char *why, size_t n, const char **param)
{
	for (size_t k = 0; k < sizeof(score_params) / sizeof(score_params[0]); k++) {
		const struct sw_pval *v = sw_policy_param(r, score_params[k][0]);
		if (v && v->d > 10) {
			*param = score_params[k][0];
			snprintf(why, n, "a CVSS score is between 0 and 10");
			return -1;
		}
		if (!v && sw_policy_param(r, score_params[k][1])) {
			*param = score_params[k][1];
			snprintf(why, n, "given without '%s'", score_params[k][0]);
			return -1;
		}
	}
	if (sw_policy_param(r, "severity_comparison") && !sw_policy_param(r, "severity")) {
		*param = "severity_comparison";
		snprintf(why, n, "given without 'severity'");
		return -1;
	}
	return 0;
}

static const struct sw_tspec vuln_triggers[] = {
	{ "package", NULL, vuln_package_params, t_vuln_package, v_vuln_package },
	{ "stale_feed_data", NULL, stale_params, t_stale_feed, NULL },
	{ "vulnerability_data_unavailable", NULL, NULL, t_vuln_unavailable, NULL },
	{ "denylist", "blacklist", denylist_params, t_vuln_denylist, NULL },
	{ "kev", NULL, NULL, t_vuln_kev, NULL },
	{ "exploit_available", NULL, NULL, t_vuln_exploit, NULL },
	{ "epss", NULL, epss_params, t_vuln_epss, v_epss },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- packages ---------------------------------------------------------- */

static const char *const match_types[] = { "exact", "minimum", NULL };
static const struct sw_pspec required_params[] = {
	{ "name", PK_STR, NULL, true },
	{ "version", PK_STR, NULL, false },
	{ "version_match_type", PK_ENUM, match_types, false },
	{ NULL, 0, NULL, false },
};

static void t_required_package(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	const struct sw_inventory *inv = cx->in->inv;
	const char *name = pstr(r, "name"), *ver = pstr(r, "version");
	const struct sw_pval *mt = sw_policy_param(r, "version_match_type");
	bool minimum = mt && mt->e == 1;
	size_t n = inv ? inv->packages.len : 0;
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu packages", n);
	bool found_name = false;
	for (size_t i = 0; i < n; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (!p->name || strcmp(p->name, name))
			continue;
		found_name = true;
		if (!ver)
			return;
		char *full = sw_package_full_version(p);
		bool ok = full && !strcmp(full, ver);
		if (!ok && minimum && full) {
			enum sw_vscheme s;
			int c;
			if (sw_vscheme_for_purl_type(p->type, &s) == 0 &&
			    sw_version_compare(s, full, ver, &c, NULL) == 0)
				ok = c >= 0;
		}
		free(full);
		if (ok)
			return;
	}
	if (!found_name)
		sw_policy_fire(cx, r, name, "Required package '%s' not present in image", name);
	else
		sw_policy_fire(cx, r, name, "Required package '%s' present but not at %s version %s", name,
			       minimum ? "minimum" : "exact", ver);
}

static const struct sw_pspec pkg_denylist_params[] = {
	{ "name", PK_STR, NULL, true },
	{ "version", PK_STR, NULL, false },
	{ NULL, 0, NULL, false },
};

static void t_pkg_denylist(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	const struct sw_inventory *inv = cx->in->inv;
	const char *name = pstr(r, "name"), *ver = pstr(r, "version");
	size_t n = inv ? inv->packages.len : 0;
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu packages", n);
	for (size_t i = 0; i < n; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (!p->name || !sw_policy_glob(name, p->name))
			continue;
		char *full = sw_package_full_version(p);
		if (ver && !(full && sw_policy_glob(ver, full))) {
			free(full);
			continue;
		}
		char *tid = sw_xasprintf("%s+%s", p->name, full ? full : "");
		sw_policy_fire(cx, r, tid, "Package is denylisted: %s-%s", p->name, full ? full : "");
		free(tid);
		free(full);
	}
}

static const char *const verify_checks[] = { "changed", "missing", NULL };
static const struct sw_pspec verify_params[] = {
	{ "only_packages", PK_LIST, NULL, false },
	{ "only_directories", PK_LIST, NULL, false },
	{ "check", PK_ENUM, verify_checks, false },
	{ NULL, 0, NULL, false },
};

static void t_not_in_scan_files(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	sw_policy_not_evaluated(cx, r, "the scan does not keep the image's file list, modes or digests");
}

static const struct sw_tspec pkg_triggers[] = {
	{ "required_package", NULL, required_params, t_required_package, NULL },
	{ "denylist", "blacklist", pkg_denylist_params, t_pkg_denylist, NULL },
	{ "verify", NULL, verify_params, t_not_in_scan_files, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- licenses ---------------------------------------------------------- */

static const struct sw_pspec lic_params[] = {
	{ "licenses", PK_LIST, NULL, true },
	{ NULL, 0, NULL, false },
};

static void lic_eval(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, bool partial)
{
	const struct sw_inventory *inv = cx->in->inv;
	const struct sw_pval *lics = sw_policy_param(r, "licenses");
	size_t n = inv ? inv->packages.len : 0, with = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (p->licenses.len)
			with++;
		for (size_t k = 0; k < p->licenses.len; k++) {
			const char *l = p->licenses.items[k];
			for (size_t j = 0; j < lics->list.len; j++) {
				const char *want = lics->list.items[j];
				if (partial ? !strstr(l, want) : strcmp(l, want))
					continue;
				char *tid = sw_xasprintf("%s+%s", p->name, want);
				sw_policy_fire(cx, r, tid, "%s Package (%s) has license (%s)",
					       partial ? "LICDENY_SUBMATCH" : "LICDENY_EXACTMATCH", p->name, l);
				free(tid);
			}
		}
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu packages, %zu with a declared licence", n, with);
}

static void t_lic_exact(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { lic_eval(cx, r, false); }
static void t_lic_partial(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { lic_eval(cx, r, true); }

static const struct sw_tspec lic_triggers[] = {
	{ "denylist_exact_match", "blacklist_exact_match", lic_params, t_lic_exact, NULL },
	{ "denylist_partial_match", "blacklist_partial_match", lic_params, t_lic_partial, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- dockerfile (from the config and its history) ----------------------- */

static const char *const directives[] = { "ADD", "ARG", "COPY", "CMD", "ENTRYPOINT", "ENV", "EXPOSE",
					  "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "USER",
					  "RUN", "SHELL", "STOPSIGNAL", "VOLUME", "WORKDIR", NULL };
static const char *const conditions[] = { "=", "!=", "exists", "not_exists", "like", "not_like",
					  "in", "not_in", NULL };
static const char *const list_types[] = { "whitelist", "blacklist", "allowlist", "denylist", NULL };

static const struct sw_pspec instr_params[] = {
	{ "instruction", PK_ENUM, directives, true },
	{ "check", PK_ENUM, conditions, true },
	{ "value", PK_STR, NULL, false },
	{ "actual_dockerfile_only", PK_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static bool have_config(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (cx->config)
		return true;
	sw_policy_not_evaluated(cx, r, cx->config_why_not ? cx->config_why_not : "no image config");
	return false;
}

static bool actual_only(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	const struct sw_pval *a = sw_policy_param(r, "actual_dockerfile_only");
	if (a && a->b) {
		snprintf(cx->looked_at, sizeof(cx->looked_at),
			 "nothing: actual_dockerfile_only is true and no Dockerfile was provided (only the "
			 "image history)");
		return true;
	}
	return false;
}

/* The history as Dockerfile lines: keyword and arguments. */
static void history_lines(struct sw_eval_ctx *cx, struct sw_vec *kw, struct sw_vec *args)
{
	const struct sw_json *h = sw_json_get(cx->config, "history");
	for (size_t i = 0; i < sw_json_array_len(h); i++) {
		const char *cb = sw_json_get_str(sw_json_at(h, i), "created_by");
		if (!cb)
			continue;
		struct sw_instr in;
		sw_instr_parse(cb, &in);
		if (in.keyword) {
			sw_vec_push_strdup(kw, in.keyword);
			sw_vec_push_strdup(args, in.args ? in.args : "");
		}
		sw_instr_release(&in);
	}
}

static bool str_op(struct sw_eval_ctx *cx, int op, const char *have, const char *value, const pcre2_code *re)
{
	switch (op) {
	case 0: return !strcmp(have, value);
	case 1: return strcmp(have, value) != 0;
	case 2: return true;
	case 3: return false;
	case 4: return sw_policy_re_match(cx, re, have) == 1;
	case 5: return sw_policy_re_match(cx, re, have) == 0;
	case 6:
	case 7: {
		bool in = false;
		const char *p = value;
		for (;;) {
			size_t n = strcspn(p, ",");
			while (n && isspace((unsigned char)*p)) {
				p++;
				n--;
			}
			size_t m = n;
			while (m && isspace((unsigned char)p[m - 1]))
				m--;
			if (strlen(have) == m && !strncmp(have, p, m))
				in = true;
			if (!p[n])
				break;
			p += n + 1;
		}
		return op == 6 ? in : !in;
	}
	}
	return false;
}

static void t_instruction(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!have_config(cx, r) || actual_only(cx, r))
		return;
	const struct sw_pval *ins = sw_policy_param(r, "instruction"), *chk = sw_policy_param(r, "check");
	const struct sw_pval *val = sw_policy_param(r, "value");
	const char *d = directives[ins->e];
	struct sw_vec kw = SW_VEC_INIT, args = SW_VEC_INIT;
	history_lines(cx, &kw, &args);
	bool seen = false;
	pcre2_code *re = NULL;
	if (chk->e == 4 || chk->e == 5) {
		char why[160];
		re = sw_policy_re_compile(val->raw, why, sizeof(why)); /* compiled at load too */
	}
	for (size_t i = 0; i < kw.len; i++) {
		if (strcmp(kw.items[i], d))
			continue;
		seen = true;
		const char *a = args.items[i];
		if (chk->e == 3 || !str_op(cx, chk->e, a, val ? val->raw : "", re))
			continue;
		sw_policy_fire(cx, r, NULL, "Dockerfile directive '%s' check '%s' matched against '%s' for "
					    "line '%s'", d, conditions[chk->e], val ? val->raw : "", a);
	}
	/* HEALTHCHECK, USER, EXPOSE also live in the config (a base image's
	 * history may be gone): count them as present */
	if (!seen && !strcmp(d, "HEALTHCHECK") && sw_json_get(sw_json_get(cx->config, "config"), "Healthcheck"))
		seen = true;
	if (chk->e == 3 && !seen)
		sw_policy_fire(cx, r, NULL, "Dockerfile directive '%s' not found, matching condition "
					    "'not_exists' check", d);
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu history instructions", kw.len);
	pcre2_code_free(re);
	sw_vec_free_strings(&kw);
	sw_vec_free_strings(&args);
}

static int v_instruction(const struct sw_policy_rule *r, char *why, size_t n, const char **param)
{
	const struct sw_pval *chk = sw_policy_param(r, "check"), *val = sw_policy_param(r, "value");
	if (chk->e != 2 && chk->e != 3 && !val) {
		*param = "value";
		snprintf(why, n, "check '%s' needs a value", conditions[chk->e]);
		return -1;
	}
	if ((chk->e == 4 || chk->e == 5)) {
		pcre2_code *re = sw_policy_re_compile(val->raw, why, n);
		if (!re) {
			*param = "value";
			return -1;
		}
		pcre2_code_free(re);
	}
	return 0;
}

static const struct sw_pspec user_params[] = {
	{ "users", PK_LIST, NULL, true },
	{ "type", PK_ENUM, list_types, true },
	{ NULL, 0, NULL, false },
};

static void t_effective_user(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!have_config(cx, r))
		return;
	const struct sw_pval *users = sw_policy_param(r, "users"), *type = sw_policy_param(r, "type");
	bool allow = type->e == 0 || type->e == 2;
	const char *u = sw_json_get_str(sw_json_get(cx->config, "config"), "User");
	char user[256];
	snprintf(user, sizeof(user), "%s", u && *u ? u : "root");
	/* "app:group" -> "app"; uid 0 is root */
	user[strcspn(user, ":")] = 0;
	bool listed = in_list(users, user, false) || (!strcmp(user, "0") && in_list(users, "root", false)) ||
		      (!strcmp(user, "root") && in_list(users, "0", false));
	snprintf(cx->looked_at, sizeof(cx->looked_at), "config.User = '%s'", u ? u : "");
	if (allow && !listed)
		sw_policy_fire(cx, r, NULL, "User %s found as effective user, which is not on the allowed list",
			       user);
	else if (!allow && listed)
		sw_policy_fire(cx, r, NULL, "User %s found as effective user, which is explicity not allowed",
			       user);
}

static const struct sw_pspec port_params[] = {
	{ "ports", PK_NUMLIST, NULL, true },
	{ "type", PK_ENUM, list_types, true },
	{ "actual_dockerfile_only", PK_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static void t_exposed_ports(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!have_config(cx, r) || actual_only(cx, r))
		return;
	const struct sw_pval *ports = sw_policy_param(r, "ports"), *type = sw_policy_param(r, "type");
	bool allow = type->e == 0 || type->e == 2;
	bool zero = in_list(ports, "0", false);
	const struct sw_json *ep = sw_json_get(sw_json_get(cx->config, "config"), "ExposedPorts");
	size_t n = sw_json_is(ep, SW_JSON_OBJECT) ? ep->n : 0;
	snprintf(cx->looked_at, sizeof(cx->looked_at), "config.ExposedPorts: %zu ports", n);
	for (size_t i = 0; i < n; i++) {
		const char *key = ep->u.members[i].key; /* "22/tcp" */
		char num[32];
		snprintf(num, sizeof(num), "%.*s", (int)strcspn(key, "/"), key);
		bool listed = in_list(ports, num, false);
		if (zero)
			sw_policy_fire(cx, r, NULL, "Dockerfile exposes network ports but policy sets %s=0: %s",
				       allow ? "ALLOWEDPORTS" : "DENIEDPORTS", key);
		else if (!allow && listed)
			sw_policy_fire(cx, r, NULL, "Dockerfile exposes port (%s) which is in policy file "
						    "DENIEDPORTS list", key);
		else if (allow && !listed)
			sw_policy_fire(cx, r, NULL, "Dockerfile exposes port (%s) which is not in policy file "
						    "ALLOWEDPORTS list", key);
	}
}

static void t_no_dockerfile(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	snprintf(cx->looked_at, sizeof(cx->looked_at), "stowaway never receives a Dockerfile");
	sw_policy_fire(cx, r, NULL, "Image was not analyzed with an actual Dockerfile");
}

static const struct sw_tspec df_triggers[] = {
	{ "instruction", NULL, instr_params, t_instruction, v_instruction },
	{ "effective_user", NULL, user_params, t_effective_user, NULL },
	{ "exposed_ports", NULL, port_params, t_exposed_ports, NULL },
	{ "no_dockerfile_provided", NULL, NULL, t_no_dockerfile, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- metadata ---------------------------------------------------------- */

static const char *const attributes[] = { "size", "architecture", "os_type", "distro", "distro_version",
					  "like_distro", "layer_count", "created", NULL };
static const char *const md_checks[] = { "=", "!=", ">", "<", ">=", "<=", "exists", "not_exists",
					 "like", "not_like", "in", "not_in", NULL };
static const struct sw_pspec md_params[] = {
	{ "attribute", PK_ENUM, attributes, true },
	{ "check", PK_ENUM, md_checks, true },
	{ "value", PK_STR, NULL, false },
	{ NULL, 0, NULL, false },
};

/* "10MB", "512k", "1000": bytes; -1 when not */
static double parse_bytes(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	static const char units[] = "kmgt";
	double mul = 1;
	if (*end) {
		const char *u = strchr(units, tolower((unsigned char)*end));
		if (!u)
			return -1;
		for (long i = 0; i <= u - units; i++)
			mul *= 1000;
		end++;
		if (*end == 'b' || *end == 'B')
			end++;
	}
	return *end ? -1 : v * mul;
}

static bool md_numeric(int attr) { return attr == 0 || attr == 6 || attr == 7; }

static double md_num_value(int attr, const char *v)
{
	if (attr == 0)
		return parse_bytes(v);
	if (attr == 7) {
		long long t;
		return sw_policy_parse_time(v, &t) == 0 ? (double)t : -1;
	}
	char *end;
	long long x = strtoll(v, &end, 10);
	return *v && !*end && x >= 0 ? (double)x : -1;
}

static int v_metadata(const struct sw_policy_rule *r, char *why, size_t n, const char **param)
{
	const struct sw_pval *a = sw_policy_param(r, "attribute"), *c = sw_policy_param(r, "check");
	const struct sw_pval *v = sw_policy_param(r, "value");
	*param = "value";
	if (c->e < 6 || c->e > 7) {
		if (!v) {
			snprintf(why, n, "check '%s' needs a value", md_checks[c->e]);
			return -1;
		}
		if (c->e >= 8 && c->e <= 9) {
			pcre2_code *re = sw_policy_re_compile(v->raw, why, n);
			if (!re)
				return -1;
			pcre2_code_free(re);
		}
		if (c->e <= 5 && md_numeric(a->e) && md_num_value(a->e, v->raw) < 0) {
			snprintf(why, n, "%s needs %s", attributes[a->e],
				 a->e == 0 ? "a size such as 1000, 512kB, 2GB" :
				 a->e == 7 ? "a date (YYYY-MM-DD or RFC 3339)" : "a whole number");
			return -1;
		}
		if (c->e >= 2 && c->e <= 5 && !md_numeric(a->e)) {
			*param = "check";
			snprintf(why, n, "'%s' compares numbers; %s is text", md_checks[c->e], attributes[a->e]);
			return -1;
		}
	}
	return 0;
}

static void t_metadata(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	const struct sw_pval *a = sw_policy_param(r, "attribute"), *c = sw_policy_param(r, "check");
	const struct sw_pval *v = sw_policy_param(r, "value");
	const struct sw_inventory *inv = cx->in->inv;
	char have[256] = "";
	bool known = true;
	double num = -1;
	switch (a->e) {
	case 0: {
		if (!inv || !inv->layers.len) {
			known = false;
			break;
		}
		unsigned long long s = 0;
		for (size_t i = 0; i < inv->layers.len; i++)
			s += ((const struct sw_inv_layer *)inv->layers.items[i])->size;
		num = (double)s;
		snprintf(have, sizeof(have), "%llu", s);
		break;
	}
	case 1: snprintf(have, sizeof(have), "%s", inv && inv->architecture ? inv->architecture : ""); break;
	case 2: snprintf(have, sizeof(have), "%s", inv && inv->image_os ? inv->image_os : ""); break;
	case 3: snprintf(have, sizeof(have), "%s", inv && inv->os.id ? inv->os.id : ""); break;
	case 4: snprintf(have, sizeof(have), "%s", inv && inv->os.version_id ? inv->os.version_id : ""); break;
	case 5: snprintf(have, sizeof(have), "%s", inv && inv->os.id_like ? inv->os.id_like : ""); break;
	case 6:
		if (!inv || (!inv->layers.len && !cx->config)) {
			known = false;
			break;
		}
		num = (double)inv->layers.len;
		snprintf(have, sizeof(have), "%zu", inv->layers.len);
		break;
	case 7: {
		const char *cr = sw_json_get_str(cx->config, "created");
		long long t;
		if (!cr) {
			known = false;
			break;
		}
		snprintf(have, sizeof(have), "%s", cr);
		if (sw_policy_parse_time(cr, &t) == 0)
			num = (double)t;
		break;
	}
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%s = '%.200s'", attributes[a->e], known ? have : "?");
	if (!known) {
		char why[200];
		snprintf(why, sizeof(why), "the image %s is not known (no image config or layers)", attributes[a->e]);
		sw_policy_not_evaluated(cx, r, why);
		return;
	}
	bool fire;
	if (c->e <= 5 && md_numeric(a->e)) {
		double want = md_num_value(a->e, v->raw);
		static const enum sw_cmp map[] = { CMP_EQ, CMP_NE, CMP_GT, CMP_LT, CMP_GE, CMP_LE };
		fire = num >= 0 && sw_policy_cmp_num(map[c->e], num, want);
	} else if (c->e == 6 || c->e == 7) {
		fire = (c->e == 6) == (have[0] != 0);
	} else {
		pcre2_code *re = NULL;
		char why[160];
		if (c->e == 8 || c->e == 9)
			re = sw_policy_re_compile(v->raw, why, sizeof(why));
		static const int to_str[] = { 0, 1, -1, -1, -1, -1, 2, 3, 4, 5, 6, 7 };
		fire = str_op(cx, to_str[c->e], have, v ? v->raw : "", re);
		pcre2_code_free(re);
	}
	if (fire)
		sw_policy_fire(cx, r, NULL, "Attribute check for attribute: '%s' check: '%s' check_value: "
					    "'%s' matched image value: '%s'", attributes[a->e], md_checks[c->e],
			       v ? v->raw : "None", have);
}

static const struct sw_tspec md_triggers[] = {
	{ "attribute", NULL, md_params, t_metadata, v_metadata },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- image_checks (ours) ----------------------------------------------- */

static const struct sw_pspec ic_params[] = {
	{ "ids", PK_LIST, NULL, false },
	{ "cis", PK_LIST, NULL, false },
	{ "severity", PK_ENUM, severities, false },
	{ NULL, 0, NULL, false },
};

static void t_image_checks(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!cx->in->checks_ran || !cx->in->checks) {
		sw_policy_not_evaluated(cx, r, "the image checks did not run (no image config: an SBOM, a "
					       "dir: root file system, or --scanners without config)");
		return;
	}
	const struct sw_pval *ids = sw_policy_param(r, "ids"), *cis = sw_policy_param(r, "cis");
	const struct sw_pval *sev = sw_policy_param(r, "severity");
	const struct sw_vec *cl = &cx->in->checks->results;
	size_t failed = 0;
	for (size_t i = 0; i < cl->len; i++) {
		const struct sw_check_result *c = cl->items[i];
		if (c->status != SW_CHECK_FAIL || c->suppressed)
			continue;
		failed++;
		if (ids && !in_list(ids, c->id, true))
			continue;
		if (cis && !(c->cis && in_list(cis, c->cis, true)))
			continue;
		if (sev && (int)c->severity < sev->e)
			continue;
		sw_policy_fire(cx, r, c->id, "Image check %s%s%s%s failed: %s", c->id, c->cis ? " (CIS " : "",
			       c->cis ? c->cis : "", c->cis ? ")" : "", c->title);
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu checks, %zu failed and unsuppressed", cl->len, failed);
}

static const struct sw_tspec ic_triggers[] = {
	{ "failed", NULL, ic_params, t_image_checks, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- gates whose data the scan does not have yet ------------------------ */

/* Anchore's secret_scans gate on the secret scanner's findings (every layer,
 * removed files included; suppressed ones skipped).  content_regex_name is
 * matched against our rule id, case-insensitively (Anchore names its
 * regexes AWS_ACCESS_KEY, PRIV_KEY...: docs/policy.md maps them),
 * filename_regex (anchored, as Anchore) against "/" + path. */
static void t_secrets(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!cx->in->secret_ran || !cx->in->inv) {
		sw_policy_not_evaluated(cx, r, "the secret scanner did not run (not in --scanners, an SBOM, "
					       "or a stored report)");
		return;
	}
	const struct sw_pval *name = sw_policy_param(r, "content_regex_name");
	const struct sw_pval *fre = sw_policy_param(r, "filename_regex");
	const struct sw_pval *mt = sw_policy_param(r, "match_type");
	bool want_found = !mt || mt->e == 1;
	const struct sw_vec *ff = &cx->in->inv->file_findings;
	size_t seen = 0, matched = 0;
	for (size_t i = 0; i < ff->len; i++) {
		const struct sw_file_finding *f = ff->items[i];
		if (strcmp(f->scanner, "secret") != 0 || f->suppressed)
			continue;
		seen++;
		if (name && name->raw && strcasecmp(name->raw, f->rule_id ? f->rule_id : "") != 0)
			continue;
		char *path = sw_xasprintf("/%s", f->path ? f->path : "");
		int m = fre && fre->re ? sw_policy_re_match(cx, fre->re, f->path ? path : "") : 1;
		if (m == 1) {
			matched++;
			if (want_found)
				sw_policy_fire(cx, r, NULL, "Secret search analyzer found regexp match in container: "
							    "file=%s regexp=%s", f->path ? path : f->detail ? f->detail : "config",
					       f->rule_id ? f->rule_id : "");
		}
		free(path);
	}
	if (!want_found && !matched)
		sw_policy_fire(cx, r, NULL, "Secret search analyzer did not find regexp match in container: "
					    "regexp=%s filename_regex=%s", name && name->raw ? name->raw : "any",
			       fre && fre->raw ? fre->raw : "any");
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu secret findings, %zu matching", seen, matched);
}

static void t_malware(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	if (!cx->in->malware_ran || !cx->in->inv) {
		sw_policy_not_evaluated(cx, r, "the malware scanner did not run (not in --scanners, no ClamAV "
					       "database, an SBOM, or a stored report)");
		return;
	}
	const struct sw_vec *ff = &cx->in->inv->file_findings;
	size_t seen = 0;
	for (size_t i = 0; i < ff->len; i++) {
		const struct sw_file_finding *f = ff->items[i];
		if (strcmp(f->scanner, "malware") != 0 || f->suppressed)
			continue;
		seen++;
		sw_policy_fire(cx, r, f->rule_id, "Malware scan finding: signature %s in file /%s",
			       f->rule_id ? f->rule_id : "", f->path ? f->path : "");
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu malware findings", seen);
}

static void t_malware_not_run(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	snprintf(cx->looked_at, sizeof(cx->looked_at), "the malware scanner state");
	if (!cx->in->malware_ran)
		sw_policy_fire(cx, r, NULL, "No malware scan was run");
}

/* ---- passwd_file: the image's /etc/passwd as the layer pass read it
 * (inventory->fs, the same bytes the image checks parse) ---- */

enum pw_state { PW_UNKNOWN, PW_MISSING, PW_READ };

/* PW_READ and *out parsed; PW_MISSING (why says how) when the image has no
 * readable /etc/passwd; PW_UNKNOWN when the input carries no file facts
 * (an SBOM, a report read back). */
static enum pw_state passwd_of(struct sw_eval_ctx *cx, struct sw_acct_file *out, char *why, size_t n)
{
	const struct sw_inventory *inv = cx->in->inv;
	if (!inv || !inv->fs.collected) {
		snprintf(why, n, "the input carries no file contents (an SBOM or a stored report)");
		return PW_UNKNOWN;
	}
	const struct sw_fs_rec *rec = sw_fs_facts_get(&inv->fs, "etc/passwd");
	if (!rec) {
		snprintf(why, n, "the image has no /etc/passwd");
		return PW_MISSING;
	}
	if (!rec->content) {
		snprintf(why, n, "/etc/passwd was not read: %s", rec->why_not ? rec->why_not : "not a regular file");
		return PW_MISSING;
	}
	if (sw_acct_parse(SW_ACCT_PASSWD, rec->content, rec->content_len, out) < 0) {
		snprintf(why, n, "/etc/passwd is not text");
		return PW_MISSING;
	}
	return PW_READ;
}

static void t_passwd_not_available(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	struct sw_acct_file pw = { 0 };
	char why[256];
	enum pw_state st = passwd_of(cx, &pw, why, sizeof(why));
	snprintf(cx->looked_at, sizeof(cx->looked_at), "/etc/passwd");
	if (st == PW_UNKNOWN)
		sw_policy_not_evaluated(cx, r, why);
	else if (st == PW_MISSING)
		sw_policy_fire(cx, r, NULL, "No passwd file content is available: %s", why);
	sw_acct_file_release(&pw);
}

enum pw_field { PW_NAME, PW_UID, PW_GID, PW_SHELL, PW_ENTRY };

/* Whether list (PK_LIST/PK_NUMLIST strings) holds v; numbers compare as numbers. */
static bool pw_listed(const struct sw_pval *v, const char *s, long long num)
{
	for (size_t i = 0; v && i < v->list.len; i++) {
		const char *want = v->list.items[i];
		if (s ? strcmp(want, s) == 0 : (num >= 0 && strtoll(want, NULL, 10) == num))
			return true;
	}
	return false;
}

static void pw_denylist(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, enum pw_field field,
			const char *param)
{
	struct sw_acct_file pw = { 0 };
	char why[256];
	enum pw_state st = passwd_of(cx, &pw, why, sizeof(why));
	if (st == PW_UNKNOWN) {
		sw_policy_not_evaluated(cx, r, why);
		return;
	}
	const struct sw_pval *v = sw_policy_param(r, param);
	size_t hits = 0;
	for (size_t i = 0; st == PW_READ && i < pw.ents.len; i++) {
		const struct sw_acct *a = pw.ents.items[i];
		bool hit = false;
		const char *what = "";
		char idbuf[32] = "";
		switch (field) {
		case PW_NAME: hit = pw_listed(v, a->name, -1); what = "user"; break;
		case PW_UID: hit = pw_listed(v, NULL, a->id); what = "user id"; break;
		case PW_GID: hit = pw_listed(v, NULL, a->gid); what = "group id"; break;
		case PW_SHELL: hit = a->shell && pw_listed(v, a->shell, -1); what = "shell"; break;
		case PW_ENTRY: hit = v && v->raw && strcmp(v->raw, a->entry) == 0; what = "entry"; break;
		}
		if (!hit)
			continue;
		hits++;
		const char *val = a->name;
		if (field == PW_UID || field == PW_GID) {
			snprintf(idbuf, sizeof(idbuf), "%lld", field == PW_UID ? a->id : a->gid);
			val = idbuf;
		} else if (field == PW_SHELL) {
			val = a->shell;
		} else if (field == PW_ENTRY) {
			val = a->entry;
		}
		sw_policy_fire(cx, r, val, "Denylisted %s '%s' found in /etc/passwd line %u (user '%s')", what, val,
			       a->line, a->name);
	}
	if (st == PW_READ)
		snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu /etc/passwd entries, %zu denylisted", pw.ents.len,
			 hits);
	else
		snprintf(cx->looked_at, sizeof(cx->looked_at), "no /etc/passwd (%.200s)", why);
	sw_acct_file_release(&pw);
}

static void t_pw_users(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { pw_denylist(cx, r, PW_NAME, "user_names"); }
static void t_pw_uids(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { pw_denylist(cx, r, PW_UID, "user_ids"); }
static void t_pw_gids(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { pw_denylist(cx, r, PW_GID, "group_ids"); }
static void t_pw_shells(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { pw_denylist(cx, r, PW_SHELL, "shells"); }
static void t_pw_entry(struct sw_eval_ctx *cx, const struct sw_policy_rule *r) { pw_denylist(cx, r, PW_ENTRY, "entry"); }

/* files.suid_or_guid_set: every setuid/setgid file left in the merged image
 * (inventory->fs, the facts check 4.8 reports). */
static void t_suid(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	const struct sw_inventory *inv = cx->in->inv;
	if (!inv || !inv->fs.collected) {
		sw_policy_not_evaluated(cx, r, "the input carries no file facts (an SBOM or a stored report)");
		return;
	}
	size_t hits = 0;
	for (size_t i = 0; i < inv->fs.recs.len; i++) {
		const struct sw_fs_rec *f = inv->fs.recs.items[i];
		if (!(f->kinds & SW_FS_SETID))
			continue;
		hits++;
		char *path = sw_xasprintf("/%s", f->path);
		sw_policy_fire(cx, r, path, "SUID or SGID found set on file %s. Mode: 0%o", path, f->mode & 07777);
		free(path);
	}
	snprintf(cx->looked_at, sizeof(cx->looked_at), "%zu setuid/setgid files", hits);
}

static const struct sw_pspec fr_params[] = { { "regex_name", PK_STR, NULL, false }, { NULL, 0, NULL, false } };
static const struct sw_pspec fn_params[] = { { "regex", PK_REGEX, NULL, true }, { NULL, 0, NULL, false } };
static const char *const sha256_only[] = { "sha256", NULL };
static const char *const eq_ne[] = { "equals", "not_equals", NULL };
static const struct sw_pspec fa_params[] = {
	{ "filename", PK_STR, NULL, true },
	{ "checksum_algorithm", PK_ENUM, sha256_only, false },
	{ "checksum", PK_STR, NULL, false },
	{ "checksum_match", PK_ENUM, eq_ne, false },
	{ "mode", PK_STR, NULL, false },
	{ "mode_op", PK_ENUM, eq_ne, false },
	{ "skip_missing", PK_BOOL, NULL, false },
	{ NULL, 0, NULL, false },
};

static int v_files_attr(const struct sw_policy_rule *r, char *why, size_t n, const char **param)
{
	const struct sw_pval *m = sw_policy_param(r, "mode");
	if (m) {
		const char *s = m->raw;
		bool ok = *s && strlen(s) <= 6;
		for (; *s && ok; s++)
			ok = *s >= '0' && *s <= '7';
		if (!ok) {
			*param = "mode";
			snprintf(why, n, "expected an octal mode such as 0644");
			return -1;
		}
	}
	const struct sw_pval *c = sw_policy_param(r, "checksum");
	if (c) {
		bool ok = strlen(c->raw) == 64;
		for (const char *s = c->raw; *s && ok; s++)
			ok = isxdigit((unsigned char)*s);
		if (!ok) {
			*param = "checksum";
			snprintf(why, n, "expected a sha256 in hex (64 digits)");
			return -1;
		}
	}
	return 0;
}

static const struct sw_tspec files_triggers[] = {
	{ "content_regex_match", NULL, fr_params, t_not_in_scan_files, NULL },
	{ "name_match", NULL, fn_params, t_not_in_scan_files, NULL },
	{ "attribute_match", NULL, fa_params, t_not_in_scan_files, v_files_attr },
	{ "suid_or_guid_set", NULL, NULL, t_suid, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct sw_pspec pw_users[] = { { "user_names", PK_LIST, NULL, true }, { NULL, 0, NULL, false } };
static const struct sw_pspec pw_uids[] = { { "user_ids", PK_NUMLIST, NULL, true }, { NULL, 0, NULL, false } };
static const struct sw_pspec pw_gids[] = { { "group_ids", PK_NUMLIST, NULL, true }, { NULL, 0, NULL, false } };
static const struct sw_pspec pw_shells[] = { { "shells", PK_LIST, NULL, true }, { NULL, 0, NULL, false } };
static const struct sw_pspec pw_entry[] = { { "entry", PK_STR, NULL, true }, { NULL, 0, NULL, false } };

static const struct sw_tspec passwd_triggers[] = {
	{ "content_not_available", NULL, NULL, t_passwd_not_available, NULL },
	{ "denylist_usernames", "blacklist_usernames", pw_users, t_pw_users, NULL },
	{ "denylist_userids", "blacklist_userids", pw_uids, t_pw_uids, NULL },
	{ "denylist_groupids", "blacklist_groupids", pw_gids, t_pw_gids, NULL },
	{ "denylist_shells", "blacklist_shells", pw_shells, t_pw_shells, NULL },
	{ "shellmatch", NULL, pw_shells, t_pw_shells, NULL },
	{ "denylist_full_entry", "blacklist_full_entry", pw_entry, t_pw_entry, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char *const found_types[] = { "notfound", "found", NULL };
static const struct sw_pspec secret_params[] = {
	{ "content_regex_name", PK_STR, NULL, false },
	{ "filename_regex", PK_REGEX, NULL, false },
	{ "match_type", PK_ENUM, found_types, false },
	{ NULL, 0, NULL, false },
};

static const struct sw_tspec secret_triggers[] = {
	{ "content_regex_checks", NULL, secret_params, t_secrets, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct sw_tspec malware_triggers[] = {
	{ "scans", NULL, NULL, t_malware, NULL },
	{ "scan_not_run", NULL, NULL, t_malware_not_run, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static void t_no_retrieved(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	sw_policy_not_evaluated(cx, r, "the scan does not retrieve file contents");
}

static const char *const match_nomatch[] = { "match", "no_match", NULL };
static const struct sw_pspec rf_na[] = { { "path", PK_STR, NULL, true }, { NULL, 0, NULL, false } };
static const struct sw_pspec rf_re[] = {
	{ "path", PK_STR, NULL, true },
	{ "regex", PK_REGEX, NULL, true },
	{ "check", PK_ENUM, match_nomatch, true },
	{ NULL, 0, NULL, false },
};
static const struct sw_tspec retrieved_triggers[] = {
	{ "content_not_available", NULL, rf_na, t_no_retrieved, NULL },
	{ "content_regex", NULL, rf_re, t_no_retrieved, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- always ------------------------------------------------------------ */

static void t_always(struct sw_eval_ctx *cx, const struct sw_policy_rule *r)
{
	snprintf(cx->looked_at, sizeof(cx->looked_at), "nothing: it always fires");
	sw_policy_fire(cx, r, NULL, "always");
}

static const struct sw_tspec always_triggers[] = {
	{ "always", NULL, NULL, t_always, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct sw_gspec sw_policy_gates[] = {
	{ "vulnerabilities", vuln_triggers },
	{ "packages", pkg_triggers },
	{ "licenses", lic_triggers },
	{ "dockerfile", df_triggers },
	{ "metadata", md_triggers },
	{ "image_checks", ic_triggers },
	{ "files", files_triggers },
	{ "passwd_file", passwd_triggers },
	{ "secret_scans", secret_triggers },
	{ "malware", malware_triggers },
	{ "retrieved_files", retrieved_triggers },
	{ "always", always_triggers },
	{ NULL, NULL },
};
