/*
 * match.c - look every package up in the database and fold the hits.
 *
 * Per package: each (vulnerability, affected entry) hit that applies to
 * the installed version becomes a `struct hit`; hits whose id sets
 * intersect (aliases) are folded into one finding.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match/match.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/path.h"
#include "version/version.h"
#include "vulndb/vulndb.h"

/* A rating word from any source ("HIGH", "Important", "unimportant", "low**"). */
static enum sw_severity_level severity_from_word(const char *w)
{
	char buf[32];
	size_t n = 0;
	for (; w && *w && n < sizeof(buf) - 1; w++)
		if (isalpha((unsigned char)*w) || *w == ' ')
			buf[n++] = (char)tolower((unsigned char)*w);
	buf[n] = '\0';
	if (!strcmp(buf, "critical"))
		return SW_SEV_CRITICAL;
	if (!strcmp(buf, "high") || !strcmp(buf, "important"))
		return SW_SEV_HIGH;
	if (!strcmp(buf, "medium") || !strcmp(buf, "moderate"))
		return SW_SEV_MEDIUM;
	if (!strcmp(buf, "low"))
		return SW_SEV_LOW;
	if (!strcmp(buf, "unimportant") || !strcmp(buf, "negligible") || !strcmp(buf, "none"))
		return SW_SEV_NEGLIGIBLE;
	return SW_SEV_UNKNOWN;
}

static enum sw_severity_level severity_from_score(double s)
{
	if (s < 0)
		return SW_SEV_UNKNOWN;
	if (s >= 9.0)
		return SW_SEV_CRITICAL;
	if (s >= 7.0)
		return SW_SEV_HIGH;
	if (s >= 4.0)
		return SW_SEV_MEDIUM;
	if (s > 0.0)
		return SW_SEV_LOW;
	return SW_SEV_NEGLIGIBLE;
}

/* ---- ecosystems ---- */

static char *major_minor(const char *v, int parts)
{
	size_t n = 0;
	int dots = 0;
	while (v[n] && (isdigit((unsigned char)v[n]) || v[n] == '.')) {
		if (v[n] == '.' && ++dots == parts)
			break;
		n++;
	}
	return n ? sw_xstrndup(v, n) : NULL;
}

static bool is_rhel_rebuild(const char *id)
{
	return !strcmp(id, "centos") || !strcmp(id, "rocky") || !strcmp(id, "almalinux");
}

char *sw_match_os_ecosystem(const struct sw_os *os)
{
	if (!os->id)
		return NULL;
	char *r = NULL, *mm = NULL;
	if (!strcmp(os->id, "debian")) {
		if (os->version_id && (mm = major_minor(os->version_id, 1)))
			r = sw_xasprintf("Debian:%s", mm);
		else if (os->codename && (!strcmp(os->codename, "sid") || !strcmp(os->codename, "unstable")))
			r = sw_xstrdup("Debian:unstable");
	} else if (!strcmp(os->id, "ubuntu") && os->version_id) {
		r = sw_xasprintf("Ubuntu:%s", os->version_id);
	} else if (!strcmp(os->id, "alpine") && os->version_id && (mm = major_minor(os->version_id, 2))) {
		r = sw_xasprintf("Alpine:v%s", mm);
	} else if (!strcmp(os->id, "wolfi")) {
		r = sw_xstrdup("Wolfi");   /* a rolling distribution: one namespace */
	} else if (!strcmp(os->id, "chainguard")) {
		r = sw_xstrdup("Chainguard");
	} else if (!strcmp(os->id, "amzn") && os->version_id && (mm = major_minor(os->version_id, 1))) {
		/* "2", "2023", "2022"; the AMI's "2018.03" is release 1 */
		r = sw_xasprintf("Amazon Linux:%s", strlen(mm) == 4 && strcmp(mm, "2022") && strcmp(mm, "2023") ? "1" : mm);
	} else if (!strcmp(os->id, "ol") && os->version_id && (mm = major_minor(os->version_id, 1))) {
		r = sw_xasprintf("Oracle Linux:%s", mm);
	} else if (!strcmp(os->id, "photon") && os->version_id && (mm = major_minor(os->version_id, 1))) {
		r = sw_xasprintf("Photon OS:%s", mm);
	} else if (!strcmp(os->id, "mariner") && os->version_id && (mm = major_minor(os->version_id, 2))) {
		r = sw_xasprintf("Mariner:%s", mm);
	} else if (!strcmp(os->id, "azurelinux") && os->version_id && (mm = major_minor(os->version_id, 2))) {
		r = sw_xasprintf("Azure Linux:%s", mm);
	} else if ((!strcmp(os->id, "sles") || !strcmp(os->id, "sled") || !strcmp(os->id, "sle-micro")) &&
		   os->version_id && (mm = major_minor(os->version_id, 2))) {
		r = sw_xasprintf("SUSE Linux Enterprise:%s", mm);
	} else if (!strcmp(os->id, "opensuse-leap") && os->version_id && (mm = major_minor(os->version_id, 2))) {
		r = sw_xasprintf("openSUSE Leap:%s", mm);
	} else if (!strcmp(os->id, "rocky") && os->version_id && (mm = major_minor(os->version_id, 1))) {
		r = sw_xasprintf("Rocky Linux:%s", mm);
	} else if (!strcmp(os->id, "almalinux") && os->version_id && (mm = major_minor(os->version_id, 1))) {
		r = sw_xasprintf("AlmaLinux:%s", mm);
	} else if ((!strcmp(os->id, "rhel") || is_rhel_rebuild(os->id)) && os->version_id &&
		   (mm = major_minor(os->version_id, 1))) {
		/* Red Hat's data covers its rebuilds (as Trivy and Clair treat them) */
		r = sw_xasprintf("Red Hat:enterprise_linux:%s", mm);
	}
	free(mm);
	return r;
}

char *sw_match_os_fallback_ecosystem(const struct sw_os *os)
{
	char *mm = NULL, *r = NULL;
	if (os->id && (!strcmp(os->id, "rocky") || !strcmp(os->id, "almalinux") || !strcmp(os->id, "ol")) &&
	    os->version_id &&
	    (mm = major_minor(os->version_id, 1)))
		r = sw_xasprintf("Red Hat:enterprise_linux:%s", mm);
	free(mm);
	return r;
}

char *sw_match_os_extra_ecosystem(const struct sw_os *os)
{
	if (os->id && !strcmp(os->id, "ubuntu") && os->version_id)
		return sw_xasprintf("Ubuntu:Pro:%s", os->version_id);
	return NULL;
}

/* Does the ecosystem's data name binary packages (AlmaLinux and Rocky
 * Linux OSV list each binary rpm of an erratum, OVAL tests installed
 * packages) rather than source ones? */
static bool eco_names_binaries(const char *eco)
{
	static const char *const prefixes[] = {
		"AlmaLinux:", "Rocky Linux:",
		/* OVAL rpminfo tests name installed (binary) packages */
		"Oracle Linux:", "Photon OS:", "Mariner:", "Azure Linux:", "SUSE Linux Enterprise:", "openSUSE Leap:",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (sw_starts_with(eco, prefixes[i]))
			return true;
	return false;
}

static char *lower_dup(const char *s)
{
	char *d = sw_xstrdup(s);
	for (char *c = d; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return d;
}

int sw_match_lang_ecosystem(const struct sw_package *p, const char **eco, char **name)
{
	static const struct { const char *type, *eco; } map[] = {
		{ "pypi", "PyPI" }, { "npm", "npm" }, { "maven", "Maven" }, { "golang", "Go" },
		{ "cargo", "crates.io" }, { "gem", "RubyGems" }, { "composer", "Packagist" },
		{ "nuget", "NuGet" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(p->type, map[i].type) != 0)
			continue;
		*eco = map[i].eco;
		if (!strcmp(p->type, "maven"))
			*name = p->namespace_ ? sw_xasprintf("%s:%s", p->namespace_, p->name) : sw_xstrdup(p->name);
		else if (!strcmp(p->type, "npm") && p->namespace_)
			*name = sw_xasprintf("%s/%s", p->namespace_, p->name);
		else if ((!strcmp(p->type, "golang") || !strcmp(p->type, "composer")) && p->namespace_)
			*name = sw_xasprintf("%s/%s", p->namespace_, p->name);
		else if (!strcmp(p->type, "pypi"))
			*name = lower_dup(p->name);
		else
			*name = sw_xstrdup(p->name);
		return 0;
	}
	return -1;
}

static bool is_os_type(const char *t)
{
	return !strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm");
}

static bool is_kernel_headers(const struct sw_package *p)
{
	const char *n = p->name;
	return !strcmp(n, "linux-libc-dev") || !strcmp(n, "kernel-headers") ||
	       (sw_starts_with(n, "linux-") && sw_ends_with(n, "-headers")) ||
	       (sw_starts_with(n, "linux-headers-"));
}

/* ---- hits ---- */

struct hit {
	struct sw_vec ids;        /* char*: id + aliases */
	char *source;
	bool distro;              /* from the OS release's data */
	bool extra;               /* from the extra ecosystem (Ubuntu Pro) */
	enum sw_vuln_status status;
	char *fixed;
	char *distro_severity;    /* the affected entry's own rating */
	char *distro_name;        /* "debian" for a distro hit */
	struct sw_vec severities; /* struct sw_severity* copies */
	char *summary, *details, *published, *modified;
	struct sw_vec refs, cwes;
	int group;                /* union-find parent */
};

static void hit_free(void *v)
{
	struct hit *h = v;
	if (!h)
		return;
	sw_vec_free_strings(&h->ids);
	free(h->source);
	free(h->fixed);
	free(h->distro_severity);
	free(h->distro_name);
	for (size_t i = 0; i < h->severities.len; i++)
		sw_severity_free(h->severities.items[i]);
	sw_vec_release(&h->severities);
	free(h->summary);
	free(h->details);
	free(h->published);
	free(h->modified);
	sw_vec_free_strings(&h->refs);
	sw_vec_free_strings(&h->cwes);
	free(h);
}

struct lookup_ctx {
	enum sw_vscheme scheme;
	const char *version;
	bool distro;
	struct sw_vec *hits;
	struct sw_vec *warnings;
	const char *pkg_name;
	/* notices and malicious-package records go here, not to hits */
	struct sw_match_result *res;
	const struct sw_package *pkg;
	size_t pkg_index;
	const char *eco;
};

/* The smallest "fixed" event above the installed version. */
static char *first_fix_above(const struct lookup_ctx *c, const struct sw_affected *a)
{
	const char *best = NULL;
	for (size_t i = 0; i < a->ranges.len; i++) {
		const struct sw_range *r = a->ranges.items[i];
		if (r->type && !strcmp(r->type, "GIT"))
			continue;
		for (size_t k = 0; k < r->events.len; k++) {
			const struct sw_event *e = r->events.items[k];
			if (e->kind != SW_EV_FIXED || !e->version)
				continue;
			int cmp;
			if (sw_version_compare(c->scheme, e->version, c->version, &cmp, NULL) < 0 || cmp <= 0)
				continue;
			int b;
			if (!best || (sw_version_compare(c->scheme, e->version, best, &b, NULL) == 0 && b < 0))
				best = e->version;
		}
	}
	return sw_xstrdup(best);
}

/* RubySec-style records have no "fixed" events, only requirement
 * expressions a safe version satisfies (patched_versions ">= 1.3.7",
 * "~> 0.5.1").  The fix is the smallest lower bound of such an expression
 * that is above the installed version and satisfies its expression. */
static char *first_fix_from_exprs(const struct lookup_ctx *c, const struct sw_affected *a)
{
	char *best = NULL;
	for (size_t i = 0; i < a->unaffected_exprs.len; i++) {
		const char *expr = a->unaffected_exprs.items[i];
		const char *q = expr;
		while (*q) {
			size_t ops = strspn(q, "<>=~!^");
			if (!ops) {
				q++;
				continue;
			}
			bool lower = (ops == 2 && (!strncmp(q, ">=", 2) || !strncmp(q, "~>", 2) || !strncmp(q, "==", 2))) ||
				     (ops == 1 && (*q == '=' || *q == '^' || *q == '~'));
			q += ops;
			q += strspn(q, " \t");
			size_t vlen = strcspn(q, " \t,|<>=~!^");
			if (!lower || !vlen) {
				q += vlen;
				continue;
			}
			char *cand = sw_xstrndup(q, vlen);
			q += vlen;
			int cmp, b;
			bool sat = false;
			if (sw_version_compare(c->scheme, cand, c->version, &cmp, NULL) == 0 && cmp > 0 &&
			    sw_version_satisfies(c->scheme, cand, expr, &sat, NULL) == 0 && sat &&
			    (!best || (sw_version_compare(c->scheme, cand, best, &b, NULL) == 0 && b < 0))) {
				free(best);
				best = cand;
			} else {
				free(cand);
			}
		}
	}
	return best;
}

static bool status_without_fix_applies(enum sw_vuln_status s)
{
	return s == SW_ST_AFFECTED || s == SW_ST_WILL_NOT_FIX || s == SW_ST_FIX_DEFERRED ||
	       s == SW_ST_END_OF_LIFE || s == SW_ST_UNDER_INVESTIGATION;
}

/* Record an applicable (v, a); takes fixed (the first fix above, or NULL). */
static int add_hit(struct lookup_ctx *c, const struct sw_vuln *v, const struct sw_affected *a,
		   char *fixed)
{
	struct hit *h = sw_xcalloc(1, sizeof(*h));
	sw_vec_push_strdup(&h->ids, v->id);
	for (size_t i = 0; i < v->aliases.len; i++)
		if (sw_vec_find_str(&h->ids, v->aliases.items[i]) < 0)
			sw_vec_push_strdup(&h->ids, v->aliases.items[i]);
	h->source = sw_xstrdup(v->source);   /* "debian,nvd" when merged */
	h->distro = c->distro;
	if (c->distro) {
		/* the distro's own rating is attributed to the distro: "Debian:12" -> "debian" */
		size_t n = strcspn(a->ecosystem ? a->ecosystem : "", ":");
		h->distro_name = sw_xstrndup(a->ecosystem ? a->ecosystem : "", n);
		for (char *q = h->distro_name; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	h->fixed = fixed;
	if (!h->fixed && a->unaffected_exprs.len)
		h->fixed = first_fix_from_exprs(c, a);
	h->status = h->fixed ? SW_ST_FIXED
		    : (a->status == SW_ST_UNKNOWN || a->status == SW_ST_FIXED) ? SW_ST_AFFECTED
									: a->status;
	h->distro_severity = sw_xstrdup(a->severity);
	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *s = v->severities.items[i];
		sw_vec_push(&h->severities, sw_severity_new(s->source, s->type, s->vector, s->score, s->rating));
	}
	h->summary = sw_xstrdup(v->summary);
	h->details = sw_xstrdup(v->details);
	h->published = sw_xstrdup(v->published);
	h->modified = sw_xstrdup(v->modified);
	for (size_t i = 0; i < v->references.len; i++)
		sw_vec_push_strdup(&h->refs, v->references.items[i]);
	for (size_t i = 0; i < v->cwes.len; i++)
		sw_vec_push_strdup(&h->cwes, v->cwes.items[i]);
	sw_vec_push(c->hits, h);
	return 0;
}

/* "1.0" -> "1.0.0", "2" -> "2.0.0"; NULL when v is not such a short number. */
static char *semver_pad(const char *v)
{
	int dots = 0;
	if (!v || !isdigit((unsigned char)*v))
		return NULL;
	for (const char *p = v; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return NULL;
	}
	if (dots >= 2 || v[strlen(v) - 1] == '.')
		return NULL;
	return sw_xasprintf("%s%s", v, dots == 0 ? ".0.0" : ".0");
}

/* Some advisories write npm/semver range events as "1.0"; node-semver's
 * loose reading pads them.  A copy of a with such events padded, or NULL
 * when nothing needed padding. */
static struct sw_affected *padded_copy(const struct sw_affected *a)
{
	bool any = false;
	struct sw_affected *c = sw_affected_new(a->ecosystem, a->package);
	c->status = a->status;
	for (size_t i = 0; i < a->ranges.len; i++) {
		const struct sw_range *r = a->ranges.items[i];
		struct sw_range *nr = sw_range_new(r->type);
		for (size_t k = 0; k < r->events.len; k++) {
			const struct sw_event *e = r->events.items[k];
			char *p = strcmp(e->version ? e->version : "", "0") ? semver_pad(e->version) : NULL;
			any |= p != NULL;
			sw_range_add_event(nr, e->kind, p ? p : e->version);
			free(p);
		}
		sw_vec_push(&c->ranges, nr);
	}
	for (size_t i = 0; i < a->versions.len; i++) {
		char *p = semver_pad(a->versions.items[i]);
		any |= p != NULL;
		sw_vec_push_strdup(&c->versions, p ? p : a->versions.items[i]);
		free(p);
	}
	for (size_t i = 0; i < a->affected_exprs.len; i++)
		sw_vec_push_strdup(&c->affected_exprs, a->affected_exprs.items[i]);
	for (size_t i = 0; i < a->unaffected_exprs.len; i++)
		sw_vec_push_strdup(&c->unaffected_exprs, a->unaffected_exprs.items[i]);
	if (!any) {
		sw_affected_free(c);
		return NULL;
	}
	return c;
}

/* Bug-fix and enhancement errata (AlmaLinux ALBA/ALEA, Rocky RLBA/RLEA)
 * share the security advisories' OSV feed but fix no vulnerability. */
static bool is_not_security_errata(const char *id)
{
	return sw_starts_with(id, "ALBA-") || sw_starts_with(id, "ALEA-") || sw_starts_with(id, "RLBA-") ||
	       sw_starts_with(id, "RLEA-");
}

/* A malicious-package record: OSV's MAL- ids (ossf/malicious-packages),
 * as the id or an alias. */
static bool is_malicious(const struct sw_vuln *v)
{
	if (sw_starts_with(v->id, "MAL-"))
		return true;
	for (size_t i = 0; i < v->aliases.len; i++)
		if (sw_starts_with(v->aliases.items[i], "MAL-"))
			return true;
	return false;
}

static void add_notice(struct lookup_ctx *c, const struct sw_vuln *v, const char *kind)
{
	struct sw_vec *ns = &c->res->notices;
	for (size_t i = 0; i < ns->len; i++) {
		const struct sw_notice *o = ns->items[i];
		if (o->pkg == c->pkg_index && !strcmp(o->id, v->id))
			return;
	}
	struct sw_notice *n = sw_xcalloc(1, sizeof(*n));
	n->id = sw_xstrdup(v->id);
	n->kind = sw_xstrdup(kind);
	n->pkg = c->pkg_index;
	n->ecosystem = sw_xstrdup(c->eco);
	n->installed = sw_xstrdup(c->version);
	n->title = sw_xstrdup(v->summary);
	n->url = v->references.len ? sw_xstrdup(v->references.items[0]) : NULL;
	n->date = sw_xstrdup(v->withdrawn ? v->withdrawn : v->published);
	sw_vec_push(ns, n);
}

static void add_malicious(struct lookup_ctx *c, const struct sw_vuln *v)
{
	struct sw_vec *ms = &c->res->malicious;
	const struct sw_package *p = c->pkg;
	const char *path = p->path ? p->path : "";
	while (*path == '/')
		path++;
	for (size_t i = 0; i < ms->len; i++) {
		const struct sw_file_finding *o = ms->items[i];
		if (!strcmp(o->rule_id, v->id) && !strcmp(o->path, path))
			return;
	}
	struct sw_file_finding *f = sw_file_finding_new("malware");
	f->rule_id = sw_xstrdup(v->id);
	f->category = sw_xstrdup("malicious-package");
	f->title = sw_xasprintf("malicious package %s %s (%s)", c->pkg_name, c->version, c->eco);
	f->severity = SW_SEV_CRITICAL;
	f->path = sw_xstrdup(path);
	f->layer = p->layer_index;
	f->detail = v->summary ? sw_xasprintf("%s: %s", v->id, v->summary) : sw_xstrdup(v->id);
	sw_vec_push(ms, f);
}

/* Does a apply to the installed version?  *fixed (malloc'd or NULL): the
 * first fix above it.  Returns 1 yes, 0 no. */
static int applies(struct lookup_ctx *c, const struct sw_vuln *v, const struct sw_affected *a, char **fixed)
{
	*fixed = NULL;
	bool affected = false;
	bool has_rules = a->ranges.len || a->versions.len || a->affected_exprs.len || a->unaffected_exprs.len;
	if (!has_rules)
		return status_without_fix_applies(a->status);
	struct sw_err verr = SW_ERR_INIT;
	int vr = sw_version_affected(c->scheme, c->version, a, &affected, &verr);
	struct sw_affected *pad = NULL;
	if (vr < 0 && (c->scheme == SW_VS_NPM || c->scheme == SW_VS_SEMVER) && (pad = padded_copy(a))) {
		vr = sw_version_affected(c->scheme, c->version, pad, &affected, &verr);
		if (vr == 0 && affected) {
			*fixed = first_fix_above(c, pad);
			sw_affected_free(pad);
			return 1;
		}
	}
	sw_affected_free(pad);
	if (vr < 0) {
		/* an advisory we cannot evaluate is reported, not silently dropped */
		char *note = sw_xasprintf("%s %s: %s: %s", c->pkg_name, c->version, v->id, verr.msg);
		if (sw_vec_find_str(c->warnings, note) < 0)
			sw_vec_push(c->warnings, note);
		else
			free(note);
		return 0;
	}
	if (!affected)
		return 0;
	*fixed = first_fix_above(c, a);
	return 1;
}

static int on_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	struct lookup_ctx *c = ctx;
	if (a->status == SW_ST_NOT_AFFECTED || is_not_security_errata(v->id))
		return 0;
	char *fixed = NULL;
	if (!applies(c, v, a, &fixed))
		return 0;
	/* withdrawn records and notices are never findings; a malicious
	 * package is a malware finding */
	if (c->res && (v->withdrawn || v->informational)) {
		free(fixed);
		add_notice(c, v, v->withdrawn ? "withdrawn" : v->informational);
		return 0;
	}
	if (v->withdrawn) {
		free(fixed);
		return 0;
	}
	if (c->res && is_malicious(v)) {
		free(fixed);
		add_malicious(c, v);
		return 0;
	}
	return add_hit(c, v, a, fixed);
}

/* ---- folding ---- */

static int uf_find(struct sw_vec *hits, int i)
{
	struct hit *h = hits->items[i];
	while (h->group != i) {
		struct hit *p = hits->items[h->group];
		h->group = p->group;
		i = h->group;
		h = hits->items[i];
	}
	return i;
}

static int id_rank(const char *id)
{
	if (sw_starts_with(id, "CVE-"))
		return 0;
	if (sw_starts_with(id, "GHSA-"))
		return 1;
	return 2;
}

static int cmp_ids(const void *a, const void *b)
{
	int r = id_rank(a) - id_rank(b);
	return r ? r : strcmp(a, b);
}

static void add_unique(struct sw_vec *v, const char *s)
{
	if (s && sw_vec_find_str(v, s) < 0)
		sw_vec_push_strdup(v, s);
}

/* Severity: the distro's own rating first, then the vendor's (the record's
 * source) CVSS or rating, then NVD's, then anyone's. */
static void pick_severity(struct sw_finding *f, struct sw_vec *group)
{
	for (size_t i = 0; i < group->len; i++) {
		struct hit *h = group->items[i];
		if (h->distro && h->distro_severity) {
			enum sw_severity_level s = severity_from_word(h->distro_severity);
			if (s != SW_SEV_UNKNOWN) {
				f->severity = s;
				sw_str_set(&f->severity_source, h->distro_name);
				break;
			}
		}
	}
	/* best CVSS: vendor before nvd; v3.1/v4 before older */
	const struct sw_severity *best = NULL;
	int best_rank = 100;
	const char *best_owner = NULL;
	for (size_t i = 0; i < group->len; i++) {
		struct hit *h = group->items[i];
		for (size_t k = 0; k < h->severities.len; k++) {
			const struct sw_severity *s = h->severities.items[k];
			int rank = s->source && !strcmp(s->source, "nvd") ? 20 : 10;
			if (s->type && !strcmp(s->type, "TEXT"))
				rank += 5;
			else if (s->type && !strcmp(s->type, "CVSS_V2"))
				rank += 3;
			else if (s->score < 0)
				rank += 4;
			if (rank < best_rank) {
				best = s;
				best_rank = rank;
				best_owner = h->source;
			}
		}
	}
	if (best) {
		if (best->vector)
			f->cvss_vector = sw_xstrdup(best->vector);
		f->cvss_score = best->score;
		if (f->severity == SW_SEV_UNKNOWN) {
			enum sw_severity_level s = best->rating ? severity_from_word(best->rating) : SW_SEV_UNKNOWN;
			if (s == SW_SEV_UNKNOWN)
				s = severity_from_score(best->score);
			f->severity = s;
			sw_str_set(&f->severity_source, best->source ? best->source : best_owner);
		}
	}
	if (f->severity == SW_SEV_UNKNOWN) {
		for (size_t i = 0; i < group->len; i++) {
			struct hit *h = group->items[i];
			if (h->distro_severity && severity_from_word(h->distro_severity) != SW_SEV_UNKNOWN) {
				f->severity = severity_from_word(h->distro_severity);
				sw_str_set(&f->severity_source, h->distro_name ? h->distro_name : h->source);
				break;
			}
		}
	}
}

static struct sw_finding *fold_group(struct sw_vec *group, size_t pkg, const char *eco,
				     const char *name, const char *version, enum sw_vscheme scheme)
{
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->pkg = pkg;
	f->ecosystem = sw_xstrdup(eco);
	f->matched_name = sw_xstrdup(name);
	f->installed = sw_xstrdup(version);
	f->cvss_score = -1;
	f->epss = f->epss_percentile = -1;
	bool any_distro = false;
	for (size_t i = 0; i < group->len; i++)
		any_distro |= ((struct hit *)group->items[i])->distro;
	for (size_t i = 0; i < group->len; i++) {
		struct hit *h = group->items[i];
		for (size_t k = 0; k < h->ids.len; k++)
			add_unique(&f->ids, h->ids.items[k]);
		for (const char *q = h->source ? h->source : ""; *q;) {
			size_t n = strcspn(q, ",");
			char *one = sw_xstrndup(q, n);
			if (*one)
				add_unique(&f->sources, one);
			free(one);
			q += n + (q[n] == ',');
		}
		for (size_t k = 0; k < h->refs.len; k++)
			add_unique(&f->references, h->refs.items[k]);
		for (size_t k = 0; k < h->cwes.len; k++)
			add_unique(&f->cwes, h->cwes.items[k]);
		if (!f->title && h->summary)
			f->title = sw_xstrdup(h->summary);
		if (!f->description && h->details)
			f->description = sw_xstrdup(h->details);
		if (!f->published && h->published)
			f->published = sw_xstrdup(h->published);
		if (h->modified && (!f->modified || strcmp(h->modified, f->modified) > 0))
			sw_str_set(&f->modified, h->modified);
		/* status and fix: the distro's word wins over generic data */
		if (any_distro && !h->distro)
			continue;
		if (h->fixed) {
			int c;
			if (!f->fixed || (sw_version_compare(scheme, h->fixed, f->fixed, &c, NULL) == 0 && c < 0))
				sw_str_set(&f->fixed, h->fixed);
			f->status = SW_ST_FIXED;
		} else if (f->status != SW_ST_FIXED &&
			   (f->status == SW_ST_UNKNOWN || h->status < f->status)) {
			f->status = h->status;
		}
	}
	if (f->status == SW_ST_UNKNOWN)
		f->status = SW_ST_AFFECTED;
	sw_vec_sort(&f->ids, cmp_ids);
	f->id = sw_xstrdup(f->ids.len ? f->ids.items[0] : "UNKNOWN");
	pick_severity(f, group);
	return f;
}

static void fold_hits(struct sw_match_result *res, struct sw_vec *hits, size_t pkg, const char *eco,
		      const char *extra_eco, const char *name, const char *version, enum sw_vscheme scheme)
{
	size_t n = hits->len;
	for (size_t i = 0; i < n; i++)
		((struct hit *)hits->items[i])->group = (int)i;
	struct sw_map owner = SW_MAP_INIT;   /* id -> first hit index + 1 */
	for (size_t i = 0; i < n; i++) {
		struct hit *h = hits->items[i];
		for (size_t k = 0; k < h->ids.len; k++) {
			intptr_t j = (intptr_t)sw_map_get(&owner, h->ids.items[k]);
			if (!j) {
				sw_map_put(&owner, h->ids.items[k], (void *)(intptr_t)(i + 1));
				continue;
			}
			int a = uf_find(hits, (int)i), b = uf_find(hits, (int)(j - 1));
			if (a != b)
				((struct hit *)hits->items[a])->group = b;
		}
	}
	sw_map_release(&owner);
	for (size_t i = 0; i < n; i++) {
		if (uf_find(hits, (int)i) != (int)i)
			continue;
		struct sw_vec group = SW_VEC_INIT;
		for (size_t k = 0; k < n; k++)
			if (uf_find(hits, (int)k) == (int)i)
				sw_vec_push(&group, hits->items[k]);
		/* a finding only the extra ecosystem has, or whose only fix it has (a
		 * fix only Ubuntu Pro ships), names that ecosystem */
		bool only_extra = extra_eco != NULL, fix_main = false, fix_extra = false;
		for (size_t k = 0; k < group.len; k++) {
			const struct hit *h = group.items[k];
			only_extra &= h->extra;
			if (h->fixed && h->extra)
				fix_extra = true;
			else if (h->fixed)
				fix_main = true;
		}
		bool use_extra = extra_eco && (only_extra || (fix_extra && !fix_main));
		sw_vec_push(&res->findings, fold_group(&group, pkg, use_extra ? extra_eco : eco, name, version, scheme));
		sw_vec_release(&group);
	}
}

/* ---- lockfiles ---- */

static void free_vec(void *v)
{
	sw_vec_release(v);
	free(v);
}

/* Is one of the installed copies inside the project of the lockfile at
 * lock_path (its directory: node_modules/, vendor/, site-packages below it)? */
static bool installed_in_project(const struct sw_vec *copies, const char *lock_path)
{
	if (!copies || !lock_path)
		return false;
	char *dir = sw_path_dirname(lock_path);
	bool found = false;
	for (size_t i = 0; i < copies->len && !found; i++) {
		const struct sw_package *q = copies->items[i];
		found = q->path && sw_path_is_under(q->path, dir);
	}
	free(dir);
	return found;
}

/* ---- enrichment, order ---- */

/* Exploit-DB ids (decimal, no leading zeros) in numeric order. */
static int exploit_id_order(const void *x, const void *y)
{
	const char *a = x, *b = y;   /* sw_vec_sort hands the items */
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* A notice's link: its record's first reference (lookups do not load
 * references). */
static void enrich_notice(struct sw_vulndb *db, struct sw_notice *n)
{
	struct sw_vuln *v = NULL;
	if (n->url || sw_vulndb_get(db, n->id, &v, NULL) < 0 || !v)
		return;
	if (v->references.len)
		n->url = sw_xstrdup(v->references.items[0]);
	sw_vuln_free(v);
}

static void enrich(struct sw_vulndb *db, struct sw_finding *f)
{
	for (size_t i = 0; i < f->ids.len; i++) {
		const char *id = f->ids.items[i];
		if (!sw_starts_with(id, "CVE-"))
			continue;
		struct sw_epss *e = NULL;
		if (sw_vulndb_epss(db, id, &e, NULL) == 0 && e) {
			if (e->score > f->epss) {
				f->epss = e->score;
				f->epss_percentile = e->percentile;
			}
			sw_epss_free(e);
		}
		struct sw_kev *k = NULL;
		if (sw_vulndb_kev(db, id, &k, NULL) == 0 && k) {
			f->kev = true;
			if (!f->kev_date_added)
				f->kev_date_added = sw_xstrdup(k->date_added);
			sw_kev_free(k);
		}
		struct sw_vec xs = SW_VEC_INIT;
		if (sw_vulndb_exploits(db, id, &xs, NULL) == 0) {
			for (size_t j = 0; j < xs.len; j++) {
				const struct sw_exploit *x = xs.items[j];
				if (sw_vec_find_str(&f->exploits, x->id) < 0)
					sw_vec_push(&f->exploits, sw_xstrdup(x->id));
			}
		}
		for (size_t j = 0; j < xs.len; j++)
			sw_exploit_free(xs.items[j]);
		sw_vec_release(&xs);
	}
	if (f->exploits.len > 1)
		sw_vec_sort(&f->exploits, exploit_id_order);
}

static int finding_order(const void *x, const void *y)
{
	const struct sw_finding *a = x, *b = y;
	if (a->pkg != b->pkg)
		return a->pkg < b->pkg ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return strcmp(a->id, b->id);
}

void sw_finding_free(struct sw_finding *f)
{
	if (!f)
		return;
	free(f->id);
	sw_vec_free_strings(&f->ids);
	sw_vec_free_strings(&f->sources);
	free(f->ecosystem);
	free(f->matched_name);
	free(f->installed);
	free(f->fixed);
	free(f->severity_source);
	free(f->cvss_vector);
	free(f->title);
	free(f->description);
	sw_vec_free_strings(&f->references);
	sw_vec_free_strings(&f->cwes);
	free(f->published);
	free(f->modified);
	free(f->kev_date_added);
	sw_vec_free_strings(&f->exploits);
	free(f->suppressed);
	free(f);
}

static void finding_free_v(void *f)
{
	sw_finding_free(f);
}

void sw_notice_free(struct sw_notice *n)
{
	if (!n)
		return;
	free(n->id);
	free(n->kind);
	free(n->ecosystem);
	free(n->installed);
	free(n->title);
	free(n->url);
	free(n->date);
	free(n);
}

static void notice_free_v(void *n)
{
	sw_notice_free(n);
}

static int notice_order(const void *a, const void *b)
{
	const struct sw_notice *x = a, *y = b;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return strcmp(x->id, y->id);
}

void sw_match_result_free(struct sw_match_result *r)
{
	if (!r)
		return;
	sw_vec_free_all(&r->findings, finding_free_v);
	sw_vec_free_all(&r->notices, notice_free_v);
	sw_vec_free_all(&r->malicious, sw_file_finding_free_v);
	sw_vec_free_strings(&r->notes);
	sw_vec_free_strings(&r->incomplete);
	free(r->os_ecosystem);
	free(r->os_extra_ecosystem);
	free(r);
}

static int eco_has_data(struct sw_vulndb *db, const char *eco, bool *has, struct sw_err *err)
{
	struct sw_vec any = SW_VEC_INIT;
	if (sw_vulndb_packages(db, eco, 1, &any, err) < 0)
		return -1;
	*has = any.len > 0;
	sw_vec_free_strings(&any);
	return 0;
}

int sw_match_inventory(struct sw_vulndb *db, const struct sw_inventory *inv,
		       const struct sw_match_opts *opts, struct sw_match_result **out,
		       struct sw_err *err)
{
	static const struct sw_match_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	struct sw_match_result *res = sw_xcalloc(1, sizeof(*res));
	struct sw_map installed = SW_MAP_INIT;
	res->os_ecosystem = sw_match_os_ecosystem(&inv->os);
	size_t n_os_pkgs = 0;
	for (size_t i = 0; i < inv->packages.len; i++)
		n_os_pkgs += is_os_type(((struct sw_package *)inv->packages.items[i])->type);
	bool has_os_pkgs = n_os_pkgs > 0;
	if (sw_vulndb_begin_read(db, err) < 0) {
		sw_match_result_free(res);
		return -1;
	}
	if (res->os_ecosystem) {
		bool covered;
		if (eco_has_data(db, res->os_ecosystem, &covered, err) < 0)
			goto fail;
		char *fb = covered ? NULL : sw_match_os_fallback_ecosystem(&inv->os);
		bool fb_covered = false;
		if (fb && eco_has_data(db, fb, &fb_covered, err) < 0) {
			free(fb);
			goto fail;
		}
		if (fb_covered && has_os_pkgs)
			sw_vec_push(&res->notes, sw_xasprintf("the database has no data for %s: OS packages were "
							      "matched against %s (the release it rebuilds)",
							      res->os_ecosystem, fb));
		if (fb_covered) {
			free(res->os_ecosystem);
			res->os_ecosystem = fb;
			covered = true;
		} else {
			free(fb);
		}
		char *extra = sw_match_os_extra_ecosystem(&inv->os);
		bool extra_covered = false;
		if (extra && eco_has_data(db, extra, &extra_covered, err) < 0) {
			free(extra);
			goto fail;
		}
		if (extra_covered)
			res->os_extra_ecosystem = extra;
		else
			free(extra);
		res->os_covered = covered || extra_covered;
		if (!res->os_covered && has_os_pkgs) {
			sw_vec_push(&res->notes, sw_xasprintf("the database has no data for %s: OS packages were "
							      "not checked (this is not 'no vulnerabilities')",
							      res->os_ecosystem));
			sw_vec_push(&res->incomplete, sw_xasprintf("the database has no data for %s: %zu OS "
								   "packages were not checked",
								   res->os_ecosystem, n_os_pkgs));
		}
	} else if (has_os_pkgs) {
		sw_vec_push(&res->notes, sw_xasprintf("OS '%s %s' is not supported: OS packages were not checked",
						      inv->os.id ? inv->os.id : "unknown",
						      inv->os.version_id ? inv->os.version_id : ""));
		sw_vec_push(&res->incomplete, sw_xasprintf("OS '%s %s' is not supported: %zu OS packages were "
							   "not checked",
							   inv->os.id ? inv->os.id : "unknown",
							   inv->os.version_id ? inv->os.version_id : "", n_os_pkgs));
	}
	/* A lockfile's package that is also installed (node_modules, site-packages)
	 * is one package: match the installed copy only. */
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (is_os_type(p->type) || (p->flags & SW_PKG_DECLARED) || !p->version)
			continue;
		char *key = sw_xasprintf("%s|%s|%s|%s", p->type, p->namespace_ ? p->namespace_ : "", p->name, p->version);
		struct sw_vec *copies = sw_map_get(&installed, key);
		if (!copies) {
			copies = sw_xcalloc(1, sizeof(*copies));
			sw_map_put(&installed, key, copies);
		}
		sw_vec_push(copies, (void *)p);
		free(key);
	}
	for (size_t i = 0; i < inv->packages.len; i++) {
		const struct sw_package *p = inv->packages.items[i];
		if (!p->version || !*p->version)
			continue;
		if (p->flags & SW_PKG_DECLARED) {
			char *key = sw_xasprintf("%s|%s|%s|%s", p->type, p->namespace_ ? p->namespace_ : "", p->name, p->version);
			const struct sw_vec *copies = sw_map_get(&installed, key);
			free(key);
			if (installed_in_project(copies, p->path))
				continue;
		}
		const char *eco;
		char *name = NULL, *version = NULL;
		struct lookup_ctx c = { 0 };
		if (is_os_type(p->type)) {
			if (!res->os_covered)
				continue;
			if (is_kernel_headers(p) && !opts->kernel_headers)
				continue;
			eco = res->os_ecosystem;
			name = sw_xstrdup(p->source_name ? p->source_name : p->name);
			if (!strcmp(p->type, "deb") && p->source_version)
				version = sw_xstrdup(p->source_version);
			else
				version = sw_package_full_version(p);
			c.distro = true;
		} else {
			if (p->owner && !opts->lang_owned)
				continue;
			if (sw_match_lang_ecosystem(p, &eco, &name) < 0)
				continue;
			version = sw_xstrdup(p->version);
		}
		if (sw_vscheme_for_ecosystem(eco, &c.scheme) < 0) {
			free(name);
			free(version);
			continue;
		}
		struct sw_vec hits = SW_VEC_INIT;
		c.version = version;
		c.hits = &hits;
		c.warnings = &res->notes;
		c.pkg_name = name;
		c.res = res;
		c.pkg = p;
		c.pkg_index = i;
		c.eco = eco;
		/* data naming binary rpms: the binary name first (the one reported as
		 * matched), then the source package's name */
		char *other = NULL;
		if (c.distro && eco_names_binaries(eco) && strcmp(p->name, name) != 0) {
			other = name;
			name = sw_xstrdup(p->name);
			c.pkg_name = name;
		}
		int r = sw_vulndb_lookup(db, eco, name, on_hit, &c, err);
		if (r == 0 && other) {
			size_t by_binary = hits.len;
			c.pkg_name = other;
			r = sw_vulndb_lookup(db, eco, other, on_hit, &c, err);
			c.pkg_name = name;
			if (!by_binary) {   /* the source name is what matched */
				char *t = name;
				name = other;
				other = t;
			}
		}
		free(other);
		if (r == 0 && c.distro && res->os_extra_ecosystem) {
			size_t before = hits.len;
			r = sw_vulndb_lookup(db, res->os_extra_ecosystem, name, on_hit, &c, err);
			for (size_t k = before; k < hits.len; k++)
				((struct hit *)hits.items[k])->extra = true;
		}
		if (r == 0 && hits.len)
			fold_hits(res, &hits, i, eco, c.distro ? res->os_extra_ecosystem : NULL, name, version,
				  c.scheme);
		sw_vec_free_all(&hits, hit_free);
		free(name);
		free(version);
		if (r < 0)
			goto fail;
	}
	sw_map_free_all(&installed, free_vec);
	for (size_t i = 0; i < res->findings.len; i++)
		enrich(db, res->findings.items[i]);
	for (size_t i = 0; i < res->notices.len; i++)
		enrich_notice(db, res->notices.items[i]);
	sw_vulndb_end_read(db, NULL);
	sw_vec_sort(&res->findings, finding_order);
	sw_vec_sort(&res->notices, notice_order);
	*out = res;
	return 0;
fail:
	sw_map_free_all(&installed, free_vec);
	sw_vulndb_end_read(db, NULL);
	sw_match_result_free(res);
	return -1;
}
