/*
 * redhat.c - Red Hat CSAF 2.0: per-CVE VEX files (document.category
 * "csaf_vex") and security advisories ("csaf_security_advisory", RHSA).
 *
 * product_tree: branches give each product id its CPE (platforms) or purl
 * (components); relationships join "PLATFORM:COMPONENT" full product ids.
 * Each full product id in product_status becomes an affected entry:
 *   ecosystem  "Red Hat:" + the platform CPE from its product field on
 *              (cpe:/o:redhat:enterprise_linux:9 -> "Red Hat:enterprise_linux:9";
 *              for enterprise_linux the repository edition after the
 *              version is dropped: cpe:/a:redhat:enterprise_linux:8::appstream
 *              -> "Red Hat:enterprise_linux:8"; the same for the
 *              rhel_aus/rhel_eus/rhel_e4s/rhel_tus/rhel_els streams:
 *              "Red Hat:rhel_eus:8.6"; other products keep their non-empty
 *              fields: "Red Hat:rhel_satellite_client:6::el7")
 *   package    the component's purl name, else the NEVRA's name
 *   status     fixed (range introduced 0 / fixed [E:]V-R of the fixed NEVRA),
 *              known_affected + remediation no_fix_planned -> will_not_fix
 *              ("Out of support scope" -> end_of_life), none_available ->
 *              affected ("Fix deferred" -> fix_deferred, "Under
 *              investigation" -> under_investigation), known_not_affected ->
 *              not_affected, under_investigation -> under_investigation
 *   severity   the threats[category=impact] rating for that product,
 *              lower-cased ("important")
 * A VEX file gives one vulnerability per vulnerabilities[] entry (id = the
 * CVE); an advisory gives one vulnerability with id = tracking.id
 * ("RHSA-2022:0011"), the CVEs as aliases and only the fixed products
 * (the fix is what an advisory is about).  A deleted stub
 * ({document: {tracking: {id, status: "deleted"}}}) gives a withdrawn record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

struct prod {
	const char *cpe;    /* borrowed from the tree */
	const char *purl;
};

struct rel {
	const char *component, *platform;
};

struct tree {
	struct sw_map prods; /* product_id -> struct prod* */
	struct sw_map rels;  /* full product id -> struct rel* */
};

struct comp {
	char *name;
	char *evr;           /* NULL when the id carries no version */
	char *purl;
	char *eco;
};

static void comp_release(struct comp *c)
{
	free(c->name);
	free(c->evr);
	free(c->purl);
	free(c->eco);
	memset(c, 0, sizeof(*c));
}

static bool redhat_wants(const char *path)
{
	if (!sw_src_name_is(path, NULL, ".json"))
		return false;
	char *low = sw_src_lower(path);
	const char *base = strrchr(low, '/');
	base = base ? base + 1 : low;
	bool ok = strstr(low, "csaf") || strstr(low, "vex") || strncmp(base, "cve-", 4) == 0 ||
		  strncmp(base, "rhsa-", 5) == 0 || strncmp(base, "rhba-", 5) == 0 ||
		  strncmp(base, "rhea-", 5) == 0;
	free(low);
	return ok;
}

static void walk_branches(struct tree *t, const json_t *branches, int depth)
{
	size_t i;
	json_t *b;
	if (depth > 32)
		return;
	json_array_foreach(branches, i, b) {
		json_t *p = sw_src_get_obj(b, "product", NULL);
		const char *id = sw_src_get_str(p, "product_id", NULL);
		if (id) {
			json_t *h = sw_src_get_obj(p, "product_identification_helper", NULL);
			struct prod *pr = sw_xcalloc(1, sizeof(*pr));
			pr->cpe = sw_src_get_str(h, "cpe", NULL);
			pr->purl = sw_src_get_str(h, "purl", NULL);
			free(sw_map_put(&t->prods, id, pr));
		}
		walk_branches(t, sw_src_get_arr(b, "branches", NULL), depth + 1);
	}
}

static void tree_load(struct tree *t, const json_t *pt)
{
	memset(t, 0, sizeof(*t));
	walk_branches(t, sw_src_get_arr(pt, "branches", NULL), 0);
	/* full_product_names at the top level name products too */
	size_t i;
	json_t *e;
	json_array_foreach(sw_src_get_arr(pt, "full_product_names", NULL), i, e) {
		const char *id = sw_src_get_str(e, "product_id", NULL);
		if (!id || sw_map_has(&t->prods, id))
			continue;
		json_t *h = sw_src_get_obj(e, "product_identification_helper", NULL);
		struct prod *pr = sw_xcalloc(1, sizeof(*pr));
		pr->cpe = sw_src_get_str(h, "cpe", NULL);
		pr->purl = sw_src_get_str(h, "purl", NULL);
		sw_map_put(&t->prods, id, pr);
	}
	json_array_foreach(sw_src_get_arr(pt, "relationships", NULL), i, e) {
		json_t *full = sw_src_get_obj(e, "full_product_name", NULL);
		const char *id = sw_src_get_str(full, "product_id", NULL);
		const char *c = sw_src_get_str(e, "product_reference", NULL);
		const char *p = sw_src_get_str(e, "relates_to_product_reference", NULL);
		if (!id || !c || !p)
			continue;
		struct rel *r = sw_xcalloc(1, sizeof(*r));
		r->component = c;
		r->platform = p;
		free(sw_map_put(&t->rels, id, r));
	}
}

static void tree_release(struct tree *t)
{
	sw_map_free_all(&t->prods, free);
	sw_map_free_all(&t->rels, free);
}

/* cpe:/o:redhat:enterprise_linux:9 -> "Red Hat:enterprise_linux:9" */
static char *cpe_ecosystem(const char *cpe)
{
	if (!cpe || strncmp(cpe, "cpe:/", 5) != 0 || !cpe[5] || cpe[6] != ':')
		return NULL;
	const char *p = cpe + 7;
	const char *vendor_end = strchr(p, ':');
	if (!vendor_end || !vendor_end[1])
		return NULL;
	p = vendor_end + 1; /* product:version:update:edition... */
	size_t n = strlen(p);
	const char *pend = strchr(p, ':');
	size_t plen = pend ? (size_t)(pend - p) : n;
	/* enterprise_linux and the rhel_aus / rhel_eus / rhel_e4s / rhel_tus /
	 * rhel_els streams: one package namespace per release, so the
	 * repository edition (appstream, baseos, server...) is dropped */
	bool rhel = (plen == 16 && strncmp(p, "enterprise_linux", 16) == 0) ||
		    (plen == 8 && strncmp(p, "rhel_", 5) == 0);
	if (rhel && pend) {
		const char *vend = strchr(pend + 1, ':');
		n = vend ? (size_t)(vend - p) : n;
	}
	while (n > 0 && p[n - 1] == ':')
		n--;
	if (n == 0)
		return NULL;
	return sw_xasprintf("Red Hat:%.*s", (int)n, p);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *const rpm_arches[] = { "src", "noarch", "x86_64", "i686", "i386", "aarch64",
					  "ppc64le", "ppc64", "ppc", "s390x", "s390", "ia64",
					  "armv7hl", "athlon", "i586" };

/* Parse "name-E:V-R.arch", "name-V-R.arch" or "name" (module prefixes
 * "mod:stream:ver:ctx:" are skipped). */
static void parse_nevra(const char *ref, struct comp *c)
{
	const char *s = ref;
	const char *colon = NULL;
	/* the epoch colon is the one preceded by "-<digits>" */
	for (const char *p = strchr(s, ':'); p; p = strchr(p + 1, ':')) {
		const char *q = p;
		while (q > s && q[-1] >= '0' && q[-1] <= '9')
			q--;
		if (q < p && q > s && q[-1] == '-')
			colon = p;
	}
	const char *name_start = s, *name_end, *vr;
	char *epoch = NULL;
	if (colon) {
		const char *q = colon;
		while (q > s && q[-1] != '-')
			q--;
		name_end = q - 1;
		epoch = sw_xstrndup(q, (size_t)(colon - q));
		for (const char *p = s; p < name_end; p++)
			if (*p == ':')
				name_start = p + 1;
		vr = colon + 1;
	} else {
		/* name-V-R.arch without epoch: needs a known arch and two dashes */
		const char *dot = strrchr(s, '.');
		bool arch = false;
		for (size_t i = 0; dot && i < sizeof(rpm_arches) / sizeof(rpm_arches[0]); i++)
			if (strcmp(dot + 1, rpm_arches[i]) == 0)
				arch = true;
		const char *d2 = arch ? strrchr(s, '-') : NULL;
		const char *d1 = NULL;
		if (d2)
			for (const char *p = s; p < d2; p++)
				if (*p == '-')
					d1 = p;
		if (!d1) {
			c->name = sw_xstrdup(s);
			return;
		}
		name_end = d1;
		vr = d1 + 1;
	}
	c->name = sw_xstrndup(name_start, (size_t)(name_end - name_start));
	size_t n = strlen(vr);
	const char *dot = strrchr(vr, '.');
	for (size_t i = 0; dot && i < sizeof(rpm_arches) / sizeof(rpm_arches[0]); i++)
		if (strcmp(dot + 1, rpm_arches[i]) == 0)
			n = (size_t)(dot - vr);
	if (n > 0 && memchr(vr, '-', n)) {
		if (epoch && strcmp(epoch, "0") != 0)
			c->evr = sw_xasprintf("%s:%.*s", epoch, (int)n, vr);
		else
			c->evr = sw_xstrndup(vr, n);
	}
	free(epoch);
}

/* Copy of s[0..n) with %XX escapes decoded (purl components are
 * percent-encoded: "module%2Bel8" is "module+el8"). */
static char *pct_decode(const char *s, size_t n)
{
	char *out = sw_xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0 && (hi || lo)) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* pkg:rpm/redhat/NAME@V-R?arch=x&epoch=1 -> name, evr */
static void parse_purl(const char *purl, struct comp *c)
{
	const char *p = strchr(purl + 4, '/');
	const char *q = strchr(purl, '?');
	const char *at = strchr(purl, '@');
	if (q && at && at > q)
		at = NULL;
	const char *end = at ? at : q ? q : purl + strlen(purl);
	const char *slash = p;
	for (const char *x = p; x && x < end; x++)
		if (*x == '/')
			slash = x;
	if (!slash || slash + 1 >= end)
		return;
	c->name = pct_decode(slash + 1, (size_t)(end - slash - 1));
	if (at) {
		size_t vn = (size_t)((q ? q : purl + strlen(purl)) - at - 1);
		const char *ep = q ? strstr(q, "epoch=") : NULL;
		size_t en = 0;
		if (ep) {
			ep += 6;
			while (ep[en] >= '0' && ep[en] <= '9')
				en++;
		}
		char *ver = pct_decode(at + 1, vn);
		if (ep && en && !(en == 1 && ep[0] == '0'))
			c->evr = sw_xasprintf("%.*s:%s", (int)en, ep, ver);
		else if (vn)
			c->evr = sw_xstrdup(ver);
		free(ver);
	}
}

/* Resolve a full product id.  False if it is not a platform component. */
static bool resolve(const struct tree *t, const char *full, struct comp *c)
{
	memset(c, 0, sizeof(*c));
	struct rel *r = sw_map_get(&t->rels, full);
	if (!r)
		return false;
	struct prod *plat = sw_map_get(&t->prods, r->platform);
	c->eco = cpe_ecosystem(plat ? plat->cpe : NULL);
	if (!c->eco)
		return false;
	struct prod *cp = sw_map_get(&t->prods, r->component);
	if (cp && cp->purl && strncmp(cp->purl, "pkg:", 4) == 0) {
		parse_purl(cp->purl, c);
		c->purl = sw_xstrdup(cp->purl);
		if (c->name && !c->evr && strncmp(cp->purl, "pkg:rpm/", 8) == 0) {
			/* purl without version: try the NEVRA for one */
			struct comp tmp = { 0 };
			parse_nevra(r->component, &tmp);
			c->evr = tmp.evr;
			tmp.evr = NULL;
			comp_release(&tmp);
		}
	}
	if (!c->name)
		parse_nevra(r->component, c);
	if (!c->name || !*c->name) {
		comp_release(c);
		return false;
	}
	return true;
}

/* Per vulnerability: product id -> remediation / threat. */
struct vctx {
	struct sw_map remed;   /* product id -> json_t* remediation (no_fix_planned etc.) */
	struct sw_map workaround;
	struct sw_map impact;  /* product id -> const char* */
	const char *impact_all;
};

static void vctx_load(struct vctx *x, const json_t *vuln)
{
	memset(x, 0, sizeof(*x));
	size_t i, j;
	json_t *e, *p;
	json_array_foreach(sw_src_get_arr(vuln, "remediations", NULL), i, e) {
		const char *cat = sw_src_get_str(e, "category", NULL);
		if (!cat)
			continue;
		bool wa = strcmp(cat, "workaround") == 0 || strcmp(cat, "mitigation") == 0;
		json_array_foreach(sw_src_get_arr(e, "product_ids", NULL), j, p) {
			if (!json_is_string(p))
				continue;
			const char *id = json_string_value(p);
			if (wa) {
				if (!sw_map_has(&x->workaround, id))
					sw_map_put(&x->workaround, id, e);
			} else if (strcmp(cat, "vendor_fix") != 0) {
				if (!sw_map_has(&x->remed, id))
					sw_map_put(&x->remed, id, e);
			}
		}
	}
	json_array_foreach(sw_src_get_arr(vuln, "threats", NULL), i, e) {
		if (!sw_streq(sw_src_get_str(e, "category", NULL), "impact"))
			continue;
		const char *d = sw_src_get_str(e, "details", NULL);
		json_t *ids = sw_src_get_arr(e, "product_ids", NULL);
		if (!d)
			continue;
		if (!ids || json_array_size(ids) == 0) {
			if (!x->impact_all)
				x->impact_all = d;
			continue;
		}
		json_array_foreach(ids, j, p)
			if (json_is_string(p) && !sw_map_has(&x->impact, json_string_value(p)))
				sw_map_put(&x->impact, json_string_value(p), (void *)d);
	}
}

static void vctx_release(struct vctx *x)
{
	sw_map_release(&x->remed);
	sw_map_release(&x->workaround);
	sw_map_release(&x->impact);
}

/* Red Hat's rating words to the model's */
static const char *rh_rating(const char *s)
{
	if (!s)
		return "unknown";
	char *l = sw_src_lower(s);
	const char *r = "unknown";
	if (strcmp(l, "critical") == 0)
		r = "critical";
	else if (strcmp(l, "important") == 0)
		r = "high";
	else if (strcmp(l, "moderate") == 0)
		r = "medium";
	else if (strcmp(l, "low") == 0)
		r = "low";
	free(l);
	return r;
}

static enum sw_vuln_status affected_status(const json_t *rem, const char **note)
{
	const char *cat = sw_src_get_str(rem, "category", NULL);
	const char *det = sw_src_get_str(rem, "details", NULL);
	*note = det;
	if (det) {
		if (strcmp(det, "Out of support scope") == 0)
			return SW_ST_END_OF_LIFE;
		if (strcmp(det, "Will not fix") == 0)
			return SW_ST_WILL_NOT_FIX;
		if (strcmp(det, "Fix deferred") == 0)
			return SW_ST_FIX_DEFERRED;
		if (strcmp(det, "Under investigation") == 0)
			return SW_ST_UNDER_INVESTIGATION;
	}
	if (sw_streq(cat, "no_fix_planned"))
		return SW_ST_WILL_NOT_FIX;
	return SW_ST_AFFECTED;
}

static const struct {
	const char *key;
	enum sw_vuln_status st;
} status_keys[] = {
	{ "fixed", SW_ST_FIXED },
	{ "first_fixed", SW_ST_FIXED },
	{ "known_affected", SW_ST_AFFECTED },
	{ "first_affected", SW_ST_AFFECTED },
	{ "last_affected", SW_ST_AFFECTED },
	{ "known_not_affected", SW_ST_NOT_AFFECTED },
	{ "under_investigation", SW_ST_UNDER_INVESTIGATION },
};

/* Add one CSAF vulnerabilities[] entry's content to v.  Returns false with
 * *what when the entry is malformed. */
static bool add_vuln_entry(struct sw_vuln *v, const struct tree *t, const json_t *e,
			   bool advisory, const char **what)
{
	bool bad = false;
	size_t i, j;
	json_t *x, *p;
	struct vctx cx;

	json_t *ps = sw_src_get_obj(e, "product_status", &bad);
	if (bad) {
		*what = "\"product_status\" is not an object";
		return false;
	}
	if (!advisory) {
		const char *title = sw_src_get_str(e, "title", &bad);
		json_array_foreach(sw_src_get_arr(e, "notes", &bad), i, x) {
			const char *cat = sw_src_get_str(x, "category", &bad);
			const char *text = sw_src_get_str(x, "text", &bad);
			if (sw_streq(cat, "summary") && text && !v->summary)
				v->summary = sw_xstrdup(text);
			else if (sw_streq(cat, "description") && text && !v->details)
				v->details = sw_xstrdup(text);
		}
		if (!v->summary && title)
			v->summary = sw_xstrdup(title);
		const char *rd = sw_src_get_str(e, "release_date", &bad);
		if (rd && !v->published)
			v->published = sw_xstrdup(rd);
	}
	json_array_foreach(sw_src_get_arr(e, "references", &bad), i, x)
		sw_src_push_unique(&v->references, sw_src_get_str(x, "url", &bad));
	json_t *cwe = json_object_get(e, "cwe");
	if (json_is_object(cwe))
		sw_src_push_unique(&v->cwes, sw_src_get_str(cwe, "id", &bad));
	json_array_foreach(sw_src_get_arr(e, "cwes", &bad), i, x)
		sw_src_push_unique(&v->cwes, sw_src_get_str(x, "id", &bad));
	json_array_foreach(sw_src_get_arr(e, "scores", &bad), i, x) {
		static const struct {
			const char *key, *type;
			bool v2;
		} sk[] = { { "cvss_v4", "CVSS_V4", false },
			   { "cvss_v3", "CVSS_V3", false },
			   { "cvss_v2", "CVSS_V2", true } };
		for (size_t k = 0; k < 3; k++) {
			json_t *c = sw_src_get_obj(x, sk[k].key, &bad);
			const char *vec = sw_src_get_str(c, "vectorString", &bad);
			if (!vec)
				continue;
			double score = sw_src_get_num(c, "baseScore", &bad);
			const char *sev = sw_src_get_str(c, "baseSeverity", &bad);
			char *rating = sev ? sw_src_lower(sev)
					   : sw_xstrdup(sw_src_rating_from_score(score, sk[k].v2));
			sw_src_add_severity(v, "redhat", sk[k].type, vec, score, rating);
			free(rating);
		}
	}
	/* advisory ids from vendor_fix URLs (".../errata/RHSA-2024:2011") */
	json_array_foreach(sw_src_get_arr(e, "remediations", &bad), i, x) {
		const char *url = sw_src_get_str(x, "url", &bad);
		const char *slash = url ? strrchr(url, '/') : NULL;
		if (sw_streq(sw_src_get_str(x, "category", &bad), "vendor_fix") && slash &&
		    sw_src_is_advisory_id(slash + 1) && strcmp(slash + 1, v->id) != 0)
			sw_src_push_unique(&v->aliases, slash + 1);
	}
	if (bad) {
		*what = "a field has the wrong type";
		return false;
	}

	vctx_load(&cx, e);
	if (cx.impact_all)
		sw_src_add_severity(v, "redhat", "TEXT", NULL, -1, rh_rating(cx.impact_all));
	for (size_t k = 0; ps && k < sizeof(status_keys) / sizeof(status_keys[0]); k++) {
		json_t *ids = sw_src_get_arr(ps, status_keys[k].key, &bad);
		/* an advisory is the fix: its other statuses belong to the
		 * per-CVE VEX files and would contradict the fixed entries */
		if (advisory && status_keys[k].st != SW_ST_FIXED)
			continue;
		json_array_foreach(ids, j, p) {
			struct comp c;
			if (!json_is_string(p)) {
				bad = true;
				continue;
			}
			const char *pid = json_string_value(p);
			if (!resolve(t, pid, &c))
				continue;
			enum sw_vuln_status st = status_keys[k].st;
			const char *note = NULL;
			if (st == SW_ST_AFFECTED) {
				json_t *rem = sw_map_get(&cx.remed, pid);
				if (rem)
					st = affected_status(rem, &note);
			}
			struct sw_affected *a = sw_src_affected(v, c.eco, c.name, st);
			if (st == SW_ST_FIXED && c.evr)
				sw_src_add_fixed_range(a, c.evr);
			if (!a->purl && c.purl)
				a->purl = sw_xstrdup(c.purl);
			const char *imp = sw_map_get(&cx.impact, pid);
			if (!imp)
				imp = cx.impact_all;
			if (imp && !a->severity)
				a->severity = sw_src_lower(imp);
			/* a workaround matters only where the package is vulnerable */
			json_t *wa = st == SW_ST_FIXED || st == SW_ST_NOT_AFFECTED
					     ? NULL : sw_map_get(&cx.workaround, pid);
			const char *wdet = wa ? sw_src_get_str(wa, "details", NULL) : NULL;
			if (!a->note) {
				if (note && wdet)
					a->note = sw_xasprintf("%s; workaround: %s", note, wdet);
				else if (wdet)
					a->note = sw_xasprintf("workaround: %s", wdet);
				else if (note)
					a->note = sw_xstrdup(note);
			}
			comp_release(&c);
		}
	}
	vctx_release(&cx);
	if (bad) {
		*what = "a product_status list has the wrong type";
		return false;
	}
	return true;
}

static int redhat_import(const char *path, const uint8_t *data, size_t len,
			 const struct sw_vuln_sink *sink, struct sw_err *err)
{
	json_t *root = NULL;
	if (sw_src_json_load(path, data, len, &root, err) < 0)
		return -1;
	int rc = 0;
	bool bad = false;
	struct tree t;
	memset(&t, 0, sizeof(t));
	struct sw_vuln *v = NULL;
	json_t *doc = sw_src_get_obj(root, "document", &bad);
	json_t *tracking = sw_src_get_obj(doc, "tracking", &bad);
	const char *tid = sw_src_get_str(tracking, "id", &bad);
	const char *tstatus = sw_src_get_str(tracking, "status", &bad);
	const char *cat = sw_src_get_str(doc, "category", &bad);
	json_t *vulns = sw_src_get_arr(root, "vulnerabilities", &bad);
	if (!doc || !tid || bad) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a CSAF document (no document.tracking.id)",
				path);
		goto out;
	}
	const char *modified = sw_src_get_str(tracking, "current_release_date", NULL);
	const char *initial = sw_src_get_str(tracking, "initial_release_date", NULL);
	if (sw_streq(tstatus, "deleted") && !vulns) {
		v = sw_vuln_new(tid, "redhat-csaf");
		v->withdrawn = sw_xstrdup(modified ? modified : "1970-01-01T00:00:00Z");
		v->modified = sw_xstrdup(modified);
		rc = sw_src_put(sink, path, v, err);
		goto out;
	}
	bool advisory = sw_streq(cat, "csaf_security_advisory");
	if (!vulns || (!advisory && !sw_streq(cat, "csaf_vex"))) {
		rc = sw_err_set(err, SW_E_FORMAT,
				"'%s': unsupported CSAF document (category '%s', want csaf_vex or csaf_security_advisory with vulnerabilities)",
				path, cat ? cat : "");
		goto out;
	}
	tree_load(&t, sw_src_get_obj(root, "product_tree", NULL));
	const char *agg = sw_src_get_str(sw_src_get_obj(doc, "aggregate_severity", NULL), "text", NULL);
	size_t i;
	json_t *e;
	if (advisory) {
		v = sw_vuln_new(tid, "redhat-csaf");
		v->summary = sw_xstrdup(sw_src_get_str(doc, "title", NULL));
		json_array_foreach(sw_src_get_arr(doc, "notes", NULL), i, e) {
			const char *nc = sw_src_get_str(e, "category", NULL);
			if (sw_streq(nc, "general") && !v->details)
				v->details = sw_xstrdup(sw_src_get_str(e, "text", NULL));
		}
		v->published = sw_xstrdup(initial);
		v->modified = sw_xstrdup(modified);
		json_array_foreach(sw_src_get_arr(doc, "references", NULL), i, e)
			sw_src_push_unique(&v->references, sw_src_get_str(e, "url", NULL));
		if (agg)
			sw_src_add_severity(v, "redhat", "TEXT", NULL, -1, rh_rating(agg));
	}
	json_array_foreach(vulns, i, e) {
		char idx[48];
		snprintf(idx, sizeof(idx), "vulnerabilities[%zu]", i);
		const char *cve = sw_src_get_str(e, "cve", NULL);
		const char *what = NULL;
		if (!json_is_object(e)) {
			sw_src_bad(sink, path, idx, "entry is not an object");
			continue;
		}
		if (advisory) {
			if (cve)
				sw_src_push_unique(&v->aliases, cve);
			if (!add_vuln_entry(v, &t, e, true, &what))
				sw_src_bad(sink, path, cve ? cve : idx, "%s", what);
			continue;
		}
		if (!cve || !*cve) {
			sw_src_bad(sink, path, idx, "missing \"cve\"");
			continue;
		}
		struct sw_vuln *one = sw_vuln_new(cve, "redhat-csaf");
		one->modified = sw_xstrdup(modified);
		if (agg)
			sw_src_add_severity(one, "redhat", "TEXT", NULL, -1, rh_rating(agg));
		if (!add_vuln_entry(one, &t, e, false, &what)) {
			sw_src_bad(sink, path, cve, "%s", what);
			sw_vuln_free(one);
			continue;
		}
		rc = sw_src_put(sink, path, one, err);
		sw_vuln_free(one);
		if (rc < 0)
			goto out;
	}
	if (advisory)
		rc = sw_src_put(sink, path, v, err);
out:
	sw_vuln_free(v);
	tree_release(&t);
	json_decref(root);
	return rc;
}

const struct sw_vuln_source sw_source_redhat_csaf = {
	.name = "redhat-csaf",
	.summary = "Red Hat CSAF VEX files and CSAF security advisories",
	.default_url = "https://security.access.redhat.com/data/csaf/v2/vex/",
	.wants = redhat_wants,
	.import_file = redhat_import,
};
