/*
 * web_pages.c - the pages of the web interface (docs/web.md): Images (the
 * store's image search), Image (rendered from the stored JSON report,
 * docs/stowaway-scan.schema.json, and the report history), Vulnerability
 * (the vulnerability database and the store's "which images"), Database
 * and server, Submit.  Every value from the store, a report or the
 * database is written through sw_html_esc() (web_html.h); every value in
 * a URL through sw_url_esc() first.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "server/web_int.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

static const char *const SEVS[] = { "critical", "high", "medium", "low", "negligible", "unknown" };

/* ---------------------------------------------------------------- helpers */

static void add(struct web_ctx *w, const char *s) { sw_buf_addstr(w->b, s); }

/* <a href="PREFIX + urlesc(v)">esc(text)</a> */
static void a_link(struct web_ctx *w, const char *prefix, const char *v, const char *text)
{
	struct sw_buf u = SW_BUF_INIT;
	sw_buf_addstr(&u, prefix);
	sw_url_esc(&u, v);
	add(w, "<a href=\"");
	web_esc(w, u.data);
	add(w, "\">");
	web_esc(w, text ? text : v);
	add(w, "</a>");
	sw_buf_release(&u);
}

static void vuln_link(struct web_ctx *w, const char *id)
{
	a_link(w, "/vulnerabilities/", id, NULL);
}

static void image_link(struct web_ctx *w, const char *digest, const char *text)
{
	a_link(w, "/images/", digest, text);
}

static void td_num(struct web_ctx *w, int64_t v, const char *cls)
{
	sw_buf_addf(w->b, "<td class=\"num%s%s\" data-v=\"%lld\">%lld</td>", cls && v ? " " : "", cls && v ? cls : "",
		    (long long)v, (long long)v);
}

static void td_text(struct web_ctx *w, const char *s)
{
	add(w, "<td>");
	web_esc(w, s ? s : "");
	add(w, "</td>");
}

static void policy_cell(struct web_ctx *w, const char *p)
{
	if (!p) {
		add(w, "<td class=\"muted\">none</td>");
		return;
	}
	add(w, "<td class=\"policy-");
	web_esc(w, p);
	add(w, "\">");
	web_esc(w, p);
	add(w, "</td>");
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t jint(json_t *o, const char *k, json_int_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* the layer index of a package object (its "layer" member), or -1 */
static json_int_t pkg_layer(json_t *pkg)
{
	json_t *l = json_object_get(pkg, "layer");
	return json_is_object(l) ? jint(l, "index", -1) : -1;
}

static void human_size(struct sw_buf *b, json_int_t n)
{
	if (n < 1024)
		sw_buf_addf(b, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		sw_buf_addf(b, "%.1f KiB", (double)n / 1024);
	else if (n < (json_int_t)1024 * 1024 * 1024)
		sw_buf_addf(b, "%.1f MiB", (double)n / (1024 * 1024));
	else
		sw_buf_addf(b, "%.2f GiB", (double)n / (1024.0 * 1024 * 1024));
}

/* ---------------------------------------------------------------- Images */

/* the current search as a query string (without sort/order/offset when
 * asked to leave them out), escaped for a URL, not yet for HTML */
static void search_qs(struct web_ctx *w, struct sw_buf *u, bool keep_sort, int64_t offset)
{
	static const char *const keys[] = { "q", "repository", "tag", "digest", "os", "policy", "min_critical",
					     "min_high", "min_medium", "min_low", "min_total", "days", "limit" };
	bool first = true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = srv_query(w->q, keys[i]);
		if (!v || !*v)
			continue;
		sw_buf_addstr(u, first ? "?" : "&");
		sw_buf_addf(u, "%s=", keys[i]);
		sw_url_esc(u, v);
		first = false;
	}
	if (keep_sort) {
		const char *s = srv_query(w->q, "sort"), *o = srv_query(w->q, "order");
		if (s && *s) {
			sw_buf_addstr(u, first ? "?sort=" : "&sort=");
			sw_url_esc(u, s);
			first = false;
		}
		if (o && *o) {
			sw_buf_addstr(u, first ? "?order=" : "&order=");
			sw_url_esc(u, o);
			first = false;
		}
	}
	if (offset > 0)
		sw_buf_addf(u, "%soffset=%lld", first ? "?" : "&", (long long)offset);
}

static void input(struct web_ctx *w, const char *name, const char *label, const char *type)
{
	const char *v = srv_query(w->q, name);
	sw_buf_addf(w->b, "<label for=\"f-%s\">", name);
	add(w, label);
	sw_buf_addf(w->b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" value=\"", name, name, type);
	web_esc(w, v ? v : "");
	add(w, "\"></label>\n");
}

static void select_(struct web_ctx *w, const char *name, const char *label, const char *const *opts)
{
	const char *v = srv_query(w->q, name);
	sw_buf_addf(w->b, "<label for=\"f-%s\">%s<select id=\"f-%s\" name=\"%s\">", name, label, name, name);
	for (size_t i = 0; opts[i]; i += 2) {
		add(w, "<option value=\"");
		web_esc(w, opts[i]);
		add(w, "\"");
		if ((v && strcmp(v, opts[i]) == 0) || (!v && i == 0))
			add(w, " selected");
		add(w, ">");
		web_esc(w, opts[i + 1]);
		add(w, "</option>");
	}
	add(w, "</select></label>\n");
}

/* The image list's rows, IMAGES_PART at a time, then the pager. */
#define IMAGES_PART 100
struct images_stream {
	struct web_ctx w;
	struct sw_vec list;          /* struct sw_st_image* */
	size_t i;
	char *prev, *next;           /* the pager's URLs (not yet HTML-escaped) */
	bool end;
};

static void images_done(void *ctx)
{
	struct images_stream *x = ctx;
	sw_st_image_list_free(&x->list);
	free(x->prev);
	free(x->next);
	free(x);
}

static bool images_next(void *ctx, struct sw_buf *b)
{
	struct images_stream *x = ctx;
	struct web_ctx *w = &x->w;
	w->b = b;
	if (x->end)
		return false;
	for (size_t n = 0; x->i < x->list.len && n < IMAGES_PART; x->i++, n++) {
		const struct sw_st_image *im = x->list.items[x->i];
		add(w, "<tr data-digest=\"");
		web_esc(w, im->digest);
		add(w, "\"><td>");
		const char *name = im->names.len ? im->names.items[0] : im->digest;
		image_link(w, im->digest, name);
		if (im->names.len > 1)
			sw_buf_addf(b, " <span class=\"muted\">+%zu</span>", im->names.len - 1);
		add(w, "</td><td class=\"wide\"><code>");
		sw_html_esc_n(b, im->digest ? im->digest : "", im->digest ? (strlen(im->digest) > 19 ? 19 : strlen(im->digest)) : 0);
		add(w, "</code></td>");
		td_text(w, im->os);
		sw_buf_addf(b, "<td data-v=\"%lld\">", (long long)im->updated);
		web_age(b, im->updated);
		add(w, "</td>");
		if (im->latest_report) {
			td_num(w, im->critical, "sev-critical");
			td_num(w, im->high, "sev-high");
			td_num(w, im->medium, "sev-medium");
			td_num(w, im->low, "sev-low");
			td_num(w, im->total, NULL);
			td_num(w, im->checks_failed, NULL);
			td_num(w, im->secrets, NULL);
			td_num(w, im->malware, NULL);
		} else {
			add(w, "<td colspan=\"8\" class=\"muted\">no report yet</td>");
		}
		policy_cell(w, im->policy);
		add(w, "</tr>\n");
	}
	if (x->i < x->list.len)
		return true;
	add(w, "</tbody></table></div>\n<nav class=\"pager\" aria-label=\"Pages\">");
	if (x->prev) {
		add(w, "<a rel=\"prev\" href=\"");
		web_esc(w, x->prev);
		add(w, "\">Previous page</a>");
	}
	if (x->next) {
		add(w, "<a rel=\"next\" href=\"");
		web_esc(w, x->next);
		add(w, "\">Next page</a>");
	}
	add(w, "</nav>\n");
	web_end(w);
	x->end = true;
	return true;
}

void web_page_images(struct web_ctx *w)
{
	struct sw_st_image_query q;
	const char *bad = NULL;
	if (!srv_image_query_parse(w->q, &q, &bad)) {
		web_error(w, 400, "the search parameter '%s' is not valid", bad);
		return;
	}
	if (!srv_query(w->q, "limit"))
		q.limit = 50;
	if (!srv_query(w->q, "sort"))
		q.sort = SW_ST_SORT_UPDATED;
	const char *days = srv_query(w->q, "days");
	if (days && *days) {
		long d = strtol(days, NULL, 10);
		if (d > 0 && d < 100000)
			q.since = srv_now() - (int64_t)d * 86400;
	}
	struct sw_vec list = SW_VEC_INIT;
	int64_t total = 0;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_image_search(w->s->store, &q, &list, &total, &err) < 0) {
		sw_st_image_list_free(&list);
		web_error(w, 500, "%s", err.msg);
		return;
	}
	web_begin(w, "Images");
	struct sw_buf *b = w->b;
	add(w, "<h1>Images</h1>\n<form class=\"search\" method=\"get\" action=\"/images\" role=\"search\">\n");
	input(w, "q", "Name or digest", "search");
	input(w, "repository", "Repository", "text");
	input(w, "tag", "Tag", "text");
	input(w, "os", "OS", "text");
	static const char *const pol[] = { "", "any", "pass", "pass", "warn", "warn", "stop", "stop", "none",
					   "not evaluated", NULL };
	select_(w, "policy", "Policy", pol);
	static const char *const minc[] = { "", "any", "1", "1 or more", "5", "5 or more", "10", "10 or more", NULL };
	select_(w, "min_critical", "Critical", minc);
	select_(w, "min_high", "High", minc);
	static const char *const dd[] = { "", "any time", "1", "last day", "7", "last 7 days", "30", "last 30 days", NULL };
	select_(w, "days", "Updated", dd);
	static const char *const so[] = { "updated", "last update", "worst", "worst first", "critical", "critical",
					  "high", "high", "total", "total findings", "name", "name", "os", "OS",
					  "created", "first stored", "checks", "failed checks", "secrets", "secrets",
					  "malware", "malware", NULL };
	select_(w, "sort", "Sort by", so);
	static const char *const ord[] = { "desc", "descending", "asc", "ascending", NULL };
	select_(w, "order", "Order", ord);
	add(w, "<button class=\"primary\" type=\"submit\">Search</button>\n</form>\n");
	int64_t first = list.len ? q.offset + 1 : 0, last = q.offset + (int64_t)list.len;
	sw_buf_addf(b, "<p id=\"count\"><span id=\"total\">%lld</span> images match", (long long)total);
	if (list.len)
		sw_buf_addf(b, "; showing %lld to %lld", (long long)first, (long long)last);
	add(w, ".</p>\n");
	add(w, "<p class=\"filter-box hidden\"><label for=\"quick\">Filter this page</label> "
	       "<input id=\"quick\" type=\"search\" data-filter=\"images\"></p>\n");
	add(w, "<div class=\"table-wrap\"><table id=\"images\" class=\"sortable\">\n<thead><tr><th>Image</th>"
	       "<th class=\"wide\">Digest</th><th>OS</th><th>Updated</th><th class=\"num\">Critical</th>"
	       "<th class=\"num\">High</th><th class=\"num\">Medium</th><th class=\"num\">Low</th>"
	       "<th class=\"num\">Total</th><th class=\"num\">Checks failed</th><th class=\"num\">Secrets</th>"
	       "<th class=\"num\">Malware</th><th>Policy</th></tr></thead>\n<tbody>\n");
	/* the rows and the pager are streamed (a page may have 1,000 rows) */
	struct images_stream *x = sw_xcalloc(1, sizeof(*x));
	x->w = (struct web_ctx){ .s = w->s };
	x->list = list;
	struct sw_buf u = SW_BUF_INIT;
	if (q.offset > 0) {
		sw_buf_addstr(&u, "/images");
		search_qs(w, &u, true, q.offset > q.limit ? q.offset - q.limit : 0);
		x->prev = sw_buf_detach(&u, NULL);
	}
	if (last < total) {
		sw_buf_addstr(&u, "/images");
		search_qs(w, &u, true, last);
		x->next = sw_buf_detach(&u, NULL);
	}
	sw_buf_release(&u);
	web_stream(w, images_next, images_done, x);
}

/* ---------------------------------------------------------------- Image */

static void sev_cell(struct web_ctx *w, const char *sev)
{
	add(w, "<td class=\"sev-");
	web_esc(w, sev ? sev : "unknown");
	add(w, "\">");
	web_esc(w, sev ? sev : "unknown");
	add(w, "</td>");
}

static void finding_row(struct web_ctx *w, json_t *v, bool with_pkg)
{
	json_t *pkg = json_object_get(v, "package");
	add(w, "<tr class=\"finding\">");
	if (with_pkg) {
		add(w, "<td>");
		web_esc(w, jstr(pkg, "name"));
		add(w, " ");
		web_esc(w, jstr(pkg, "version"));
		add(w, "</td>");
	}
	add(w, "<td class=\"vid\">");
	vuln_link(w, jstr(v, "id") ? jstr(v, "id") : "");
	add(w, "</td><td class=\"aliases\">");
	json_t *al = json_object_get(v, "aliases"), *a;
	size_t i;
	bool firsta = true;
	json_array_foreach(al, i, a) {
		if (!json_is_string(a) || (jstr(v, "id") && strcmp(json_string_value(a), jstr(v, "id")) == 0))
			continue;
		if (!firsta)
			add(w, " ");
		vuln_link(w, json_string_value(a));
		firsta = false;
	}
	add(w, "</td>");
	sev_cell(w, jstr(v, "severity"));
	td_text(w, jstr(v, "status"));
	add(w, "<td class=\"fixed\">");
	web_esc(w, jstr(v, "fixedVersion") ? jstr(v, "fixedVersion") : "");
	add(w, "</td>");
	json_t *e = json_object_get(v, "epss");
	if (json_is_object(e) && json_is_number(json_object_get(e, "score")))
		sw_buf_addf(w->b, "<td class=\"num\" data-v=\"%.5f\">%.2f%%</td>", json_number_value(json_object_get(e, "score")),
			    100 * json_number_value(json_object_get(e, "score")));
	else
		add(w, "<td class=\"num\" data-v=\"-1\"></td>");
	json_t *k = json_object_get(v, "kev");
	if (json_is_object(k)) {
		add(w, "<td class=\"sev-critical\">KEV ");
		web_esc(w, jstr(k, "dateAdded"));
		add(w, "</td>");
	} else {
		add(w, "<td></td>");
	}
	if (json_is_true(json_object_get(v, "suppressed")))
		add(w, "<td class=\"muted\">suppressed</td>");
	else
		add(w, "<td></td>");
	add(w, "</tr>\n");
}

static const char FINDING_HEAD[] = "<th>Id</th><th>Aliases</th><th>Severity</th><th>Status</th><th>Fixed in</th>"
				   "<th class=\"num\">EPSS</th><th>KEV</th><th>Note</th></tr></thead>\n<tbody>\n";

struct vref {
	json_int_t pkg;     /* package index, -1 when the finding names none */
	size_t pos;         /* position in the report */
	json_t *v;
};

static int vref_cmp(const void *a, const void *b)
{
	const struct vref *x = a, *y = b;
	if (x->pkg != y->pkg)
		return x->pkg < y->pkg ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The findings' heading; *refs: the findings grouped by package index
 * (sorted once: a report of 12,000 findings stays O(n log n)); a finding
 * without an index is a group of its own.  NULL when there are none. */
static struct vref *findings_begin(struct web_ctx *w, json_t *rep, size_t *n)
{
	json_t *vulns = json_object_get(rep, "vulnerabilities");
	*n = json_array_size(vulns);
	sw_buf_addf(w->b, "<h2 id=\"findings\">Findings by package (%zu)</h2>\n", *n);
	if (!*n) {
		add(w, "<p>No vulnerability found.</p>\n");
		return NULL;
	}
	struct vref *refs = sw_xcalloc(*n, sizeof(*refs));
	for (size_t i = 0; i < *n; i++) {
		refs[i].v = json_array_get(vulns, i);
		refs[i].pos = i;
		refs[i].pkg = jint(json_object_get(refs[i].v, "package"), "index", -1);
	}
	qsort(refs, *n, sizeof(*refs), vref_cmp);
	return refs;
}

/* The package groups from *i on until about budget bytes are written;
 * false when the last group is written. */
static bool findings_groups(struct web_ctx *w, const struct vref *refs, size_t n, size_t *i, size_t budget)
{
	size_t start = w->b->len;
	while (*i < n && w->b->len - start < budget) {
		size_t e = *i + 1;
		while (refs[*i].pkg >= 0 && e < n && refs[e].pkg == refs[*i].pkg)
			e++;
		json_t *pkg = json_object_get(refs[*i].v, "package");
		add(w, "<details open class=\"package\"><summary>");
		web_esc(w, jstr(pkg, "name"));
		add(w, " ");
		web_esc(w, jstr(pkg, "version"));
		add(w, " <span class=\"muted\">(");
		web_esc(w, jstr(pkg, "type"));
		if (jstr(pkg, "path")) {
			add(w, ", ");
			web_esc(w, jstr(pkg, "path"));
		}
		sw_buf_addf(w->b, ") %zu finding%s</span></summary>\n", e - *i, e - *i == 1 ? "" : "s");
		add(w, "<div class=\"table-wrap\"><table class=\"sortable findings\"><thead><tr>");
		add(w, FINDING_HEAD);
		for (size_t j = *i; j < e; j++)
			finding_row(w, refs[j].v, false);
		add(w, "</tbody></table></div></details>\n");
		*i = e;
	}
	return *i < n;
}

static size_t layers_begin(struct web_ctx *w, json_t *rep)
{
	size_t nl = json_array_size(json_object_get(json_object_get(rep, "image"), "layers"));
	sw_buf_addf(w->b, "<h2 id=\"layers\">Layers (%zu)</h2>\n", nl);
	if (!nl)
		add(w, "<p>The report lists no layer.</p>\n");
	return nl;
}

/* Layer i of the report: its history line, size, diff id and what it added. */
static void layer_one(struct web_ctx *w, json_t *rep, size_t i)
{
	json_t *img = json_object_get(rep, "image"), *layers = json_object_get(img, "layers");
	json_t *pkgs = json_object_get(rep, "packages"), *vulns = json_object_get(rep, "vulnerabilities");
	json_t *secrets = json_object_get(rep, "secrets"), *checks = json_object_get(rep, "checks");
	json_t *malware = json_object_get(rep, "malware");
	size_t j;
	json_t *x, *l = json_array_get(layers, i);
	{
		json_int_t idx = jint(l, "index", (json_int_t)i);
		size_t np = 0, nv = 0, ns = 0, nc = 0, nm = 0;
		json_array_foreach(pkgs, j, x) np += pkg_layer(x) == idx;
		json_array_foreach(vulns, j, x) nv += pkg_layer(json_object_get(x, "package")) == idx;
		json_array_foreach(secrets, j, x) ns += jint(x, "layer", -1) == idx;
		json_array_foreach(malware, j, x) nm += jint(x, "layer", -1) == idx;
		json_array_foreach(checks, j, x) {
			if (!jstr(x, "status") || strcmp(jstr(x, "status"), "fail") != 0)
				continue;
			json_t *ev, *e;
			size_t k;
			bool hit = false;
			ev = json_object_get(x, "evidence");
			json_array_foreach(ev, k, e) hit |= jint(e, "layer", -1) == idx;
			nc += hit;
		}
		sw_buf_addf(w->b, "<section class=\"layer\" id=\"layer-%lld\"><h3>Layer %lld</h3>\n<dl class=\"facts\">"
				  "<dt>History</dt><dd><code class=\"created-by\">", (long long)idx, (long long)idx);
		web_esc(w, jstr(l, "createdBy") ? jstr(l, "createdBy") : "(no history line)");
		add(w, "</code></dd><dt>Size</dt><dd>");
		human_size(w->b, jint(l, "size", 0));
		add(w, "</dd><dt>Diff id</dt><dd><code>");
		web_esc(w, jstr(l, "diffId"));
		sw_buf_addf(w->b, "</code></dd><dt>Added</dt><dd class=\"layer-counts\">%zu packages, %zu findings, "
				  "%zu secrets, %zu failed checks, %zu malware</dd></dl>\n", np, nv, ns, nc, nm);
		if (np) {
			sw_buf_addf(w->b, "<details><summary>Packages (%zu)</summary><ul class=\"inline\">", np);
			json_array_foreach(pkgs, j, x) {
				if (pkg_layer(x) != idx)
					continue;
				add(w, "<li>");
				web_esc(w, jstr(x, "name"));
				add(w, " ");
				web_esc(w, jstr(x, "version"));
				add(w, "</li>");
			}
			add(w, "</ul></details>\n");
		}
		if (nv) {
			sw_buf_addf(w->b, "<details open><summary>Findings (%zu)</summary><div class=\"table-wrap\">"
					  "<table class=\"sortable\"><thead><tr><th>Package</th>", nv);
			add(w, FINDING_HEAD);
			json_array_foreach(vulns, j, x) if (pkg_layer(json_object_get(x, "package")) == idx)
				finding_row(w, x, true);
			add(w, "</tbody></table></div></details>\n");
		}
		if (ns || nm) {
			add(w, "<details open><summary>Secrets and malware</summary><ul>");
			json_t *lists[2] = { secrets, malware };
			for (int t = 0; t < 2; t++)
				json_array_foreach(lists[t], j, x) {
					if (jint(x, "layer", -1) != idx)
						continue;
					add(w, "<li>");
					web_esc(w, jstr(x, "title") ? jstr(x, "title") : jstr(x, "ruleId"));
					add(w, " in <code>");
					web_esc(w, jstr(x, "path"));
					add(w, "</code></li>");
				}
			add(w, "</ul></details>\n");
		}
		if (nc) {
			add(w, "<details open><summary>Failed checks</summary><ul>");
			json_array_foreach(checks, j, x) {
				if (!jstr(x, "status") || strcmp(jstr(x, "status"), "fail") != 0)
					continue;
				json_t *ev = json_object_get(x, "evidence"), *e;
				size_t k;
				bool hit = false;
				json_array_foreach(ev, k, e) hit |= jint(e, "layer", -1) == idx;
				if (!hit)
					continue;
				add(w, "<li>");
				web_esc(w, jstr(x, "id"));
				add(w, ": ");
				web_esc(w, jstr(x, "title"));
				add(w, "</li>");
			}
			add(w, "</ul></details>\n");
		}
		add(w, "</section>\n");
	}
}

static void checks_section(struct web_ctx *w, json_t *rep)
{
	json_t *checks = json_object_get(rep, "checks"), *c;
	size_t i, n = json_array_size(checks);
	sw_buf_addf(w->b, "<h2 id=\"checks\">Image checks (%zu)</h2>\n", n);
	if (!n) {
		add(w, "<p>No image check ran.</p>\n");
		return;
	}
	add(w, "<div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Check</th><th>Title</th><th>Status</th>"
	       "<th>Severity</th><th class=\"nosort\">Evidence</th><th class=\"nosort\">Remediation</th></tr></thead>\n<tbody>\n");
	json_array_foreach(checks, i, c) {
		add(w, "<tr>");
		td_text(w, jstr(c, "id"));
		td_text(w, jstr(c, "title"));
		td_text(w, jstr(c, "status"));
		sev_cell(w, jstr(c, "severity"));
		add(w, "<td><ul>");
		json_t *ev = json_object_get(c, "evidence"), *e;
		size_t k;
		json_array_foreach(ev, k, e) {
			add(w, "<li>");
			if (json_is_integer(json_object_get(e, "layer")))
				sw_buf_addf(w->b, "layer %lld: ", (long long)jint(e, "layer", 0));
			if (jstr(e, "path")) {
				add(w, "<code>");
				web_esc(w, jstr(e, "path"));
				add(w, "</code> ");
			}
			if (jstr(e, "configKey")) {
				add(w, "config ");
				web_esc(w, jstr(e, "configKey"));
				add(w, " ");
			}
			web_esc(w, jstr(e, "detail"));
			add(w, "</li>");
		}
		add(w, "</ul></td>");
		td_text(w, jstr(c, "remediation"));
		add(w, "</tr>\n");
	}
	add(w, "</tbody></table></div>\n");
}

static void file_findings(struct web_ctx *w, json_t *rep, const char *key, const char *title)
{
	json_t *list = json_object_get(rep, key), *f;
	size_t i, n = json_array_size(list);
	sw_buf_addf(w->b, "<h2 id=\"%s\">%s (%zu)</h2>\n", key, title, n);
	if (!n) {
		add(w, "<p>None found.</p>\n");
		return;
	}
	add(w, "<div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Rule</th><th>Title</th>"
	       "<th>Severity</th><th>Path</th><th class=\"num\">Line</th><th>Match (masked)</th><th class=\"num\">Layer</th>"
	       "<th>Note</th></tr></thead>\n<tbody>\n");
	json_array_foreach(list, i, f) {
		add(w, "<tr>");
		td_text(w, jstr(f, "ruleId"));
		td_text(w, jstr(f, "title"));
		sev_cell(w, jstr(f, "severity"));
		add(w, "<td><code class=\"path\">");
		web_esc(w, jstr(f, "path"));
		add(w, "</code></td>");
		if (json_is_integer(json_object_get(f, "line")))
			td_num(w, jint(f, "line", 0), NULL);
		else
			add(w, "<td></td>");
		add(w, "<td><code>");
		web_esc(w, jstr(f, "match"));
		add(w, "</code></td>");
		if (json_is_integer(json_object_get(f, "layer")))
			td_num(w, jint(f, "layer", 0), NULL);
		else
			add(w, "<td>config</td>");
		add(w, "<td>");
		if (json_is_integer(json_object_get(f, "removedIn")))
			sw_buf_addf(w->b, "removed in layer %lld ", (long long)jint(f, "removedIn", 0));
		if (json_is_true(json_object_get(f, "suppressed")))
			add(w, "suppressed");
		add(w, "</td></tr>\n");
	}
	add(w, "</tbody></table></div>\n");
}

static void policy_section(struct web_ctx *w, json_t *rep, const char *stored)
{
	json_t *p = json_object_get(rep, "policy");
	add(w, "<h2 id=\"policy\">Policy</h2>\n");
	if (!json_is_object(p)) {
		add(w, "<p>No policy was evaluated for this report.</p>\n");
		return;
	}
	add(w, "<dl class=\"facts\"><dt>Final action</dt><dd class=\"policy-");
	web_esc(w, stored ? stored : "");
	add(w, "\">");
	web_esc(w, jstr(p, "finalAction"));
	add(w, "</dd><dt>Reason</dt><dd>");
	web_esc(w, jstr(p, "finalActionReason"));
	add(w, "</dd><dt>Bundle</dt><dd>");
	web_esc(w, jstr(p, "bundleName") ? jstr(p, "bundleName") : jstr(p, "bundleId"));
	add(w, "</dd></dl>\n<div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Gate</th><th>Trigger</th>"
	       "<th>Action</th><th>Reason</th></tr></thead>\n<tbody>\n");
	json_t *res = json_object_get(p, "results"), *x;
	size_t i;
	json_array_foreach(res, i, x) {
		add(w, "<tr>");
		td_text(w, jstr(x, "gate"));
		td_text(w, jstr(x, "trigger"));
		td_text(w, jstr(x, "action"));
		td_text(w, jstr(x, "message"));
		add(w, "</tr>\n");
	}
	add(w, "</tbody></table></div>\n");
}

static void id_list(struct web_ctx *w, json_t *arr)
{
	json_t *x;
	size_t i;
	json_array_foreach(arr, i, x) {
		if (i)
			add(w, " ");
		vuln_link(w, json_is_string(x) ? json_string_value(x) : "?");
	}
}

static void history_section(struct web_ctx *w, const char *digest)
{
	struct sw_vec list = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	add(w, "<h2 id=\"history\">Scan history</h2>\n");
	if (sw_st_report_list(w->s->store, digest, &list, &err) < 0) {
		add(w, "<p class=\"error\">");
		web_esc(w, err.msg);
		add(w, "</p>\n");
		sw_st_report_list_free(&list);
		return;
	}
	add(w, "<div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Report</th><th>When</th>"
	       "<th>Kind</th><th class=\"num\">Critical</th><th class=\"num\">High</th><th class=\"num\">Total</th>"
	       "<th>Policy</th><th class=\"nosort\">New</th><th class=\"nosort\">Fixed</th>"
	       "<th class=\"nosort\">Severity changed</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < list.len; i++) {
		const struct sw_st_report *p = list.items[i];
		sw_buf_addf(w->b, "<tr><td class=\"num\" data-v=\"%lld\">%lld</td><td data-v=\"%lld\">", (long long)p->id,
			    (long long)p->id, (long long)p->created);
		web_time(w->b, p->created);
		sw_buf_addf(w->b, "</td><td>%s</td>", p->job_id ? "scan" : "re-match");
		td_num(w, p->critical, "sev-critical");
		td_num(w, p->high, "sev-high");
		td_num(w, p->total, NULL);
		policy_cell(w, p->policy);
		json_t *ch = p->changes_json ? json_loads(p->changes_json, 0, NULL) : NULL;
		add(w, "<td>");
		id_list(w, json_object_get(ch, "new"));
		add(w, "</td><td>");
		id_list(w, json_object_get(ch, "fixed"));
		add(w, "</td><td class=\"sevchg\">");
		json_t *sc = json_object_get(ch, "severity_changed"), *c;
		size_t k;
		json_array_foreach(sc, k, c) {
			if (k)
				add(w, "; ");
			vuln_link(w, jstr(c, "id") ? jstr(c, "id") : "?");
			add(w, " (");
			web_esc(w, jstr(c, "package"));
			add(w, "): ");
			web_esc(w, jstr(c, "from"));
			add(w, " &rarr; ");
			web_esc(w, jstr(c, "to"));
		}
		add(w, "</td></tr>\n");
		json_decref(ch);
	}
	add(w, "</tbody></table></div>\n");
	sw_st_report_list_free(&list);
}

static const char *const FORMATS[] = { "json", "table", "cyclonedx", "spdx-json", "sarif", "html", "junit" };

/* The image page after its summary, made part by part (struct srv_stream). */
enum { IP_FINDINGS, IP_FINDING_GROUPS, IP_LAYERS, IP_LAYER, IP_CHECKS, IP_SECRETS, IP_MALWARE, IP_POLICY, IP_HISTORY,
       IP_END, IP_DONE };
struct image_stream {
	struct web_ctx w;            /* .s only; .b is the part being made */
	struct sw_st_image im;
	struct sw_st_report rep;
	json_t *doc;
	int phase;
	size_t i, n;                 /* position in the phase's list, its length */
	struct vref *refs;
};

#define PART_BYTES (32 * 1024)

static bool image_next(void *ctx, struct sw_buf *out)
{
	struct image_stream *x = ctx;
	struct web_ctx *w = &x->w;
	w->b = out;
	switch (x->phase) {
	case IP_FINDINGS:
		x->refs = findings_begin(w, x->doc, &x->n);
		x->i = 0;
		x->phase = x->refs ? IP_FINDING_GROUPS : IP_LAYERS;
		break;
	case IP_FINDING_GROUPS:
		if (!findings_groups(w, x->refs, x->n, &x->i, PART_BYTES))
			x->phase = IP_LAYERS;
		break;
	case IP_LAYERS:
		x->n = layers_begin(w, x->doc);
		x->i = 0;
		x->phase = x->n ? IP_LAYER : IP_CHECKS;
		break;
	case IP_LAYER:
		layer_one(w, x->doc, x->i++);
		if (x->i >= x->n)
			x->phase = IP_CHECKS;
		break;
	case IP_CHECKS:
		checks_section(w, x->doc);
		x->phase = IP_SECRETS;
		break;
	case IP_SECRETS:
		file_findings(w, x->doc, "secrets", "Secrets");
		x->phase = IP_MALWARE;
		break;
	case IP_MALWARE:
		file_findings(w, x->doc, "malware", "Malware");
		x->phase = IP_POLICY;
		break;
	case IP_POLICY:
		policy_section(w, x->doc, x->rep.policy);
		x->phase = IP_HISTORY;
		break;
	case IP_HISTORY:
		history_section(w, x->im.digest);
		x->phase = IP_END;
		break;
	case IP_END:
		web_end(w);
		x->phase = IP_DONE;
		break;
	default:
		return false;
	}
	return true;
}

static void image_done(void *ctx)
{
	struct image_stream *x = ctx;
	free(x->refs);
	json_decref(x->doc);
	sw_st_report_release(&x->rep);
	sw_st_image_release(&x->im);
	free(x);
}

void web_page_image(struct web_ctx *w, const char *digest)
{
	struct sw_st_image im;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_image_get(w->s->store, digest, &im, &err);
	if (k <= 0) {
		if (k < 0)
			web_error(w, 500, "%s", err.msg);
		else
			web_error(w, 404, "no stored image %s", digest);
		return;
	}
	struct sw_st_report rep = { 0 };
	json_t *doc = NULL;
	if (im.latest_report) {
		k = sw_st_report_get(w->s->store, im.latest_report, &rep, &err);
		if (k == 1)
			doc = json_loadb(rep.json.data, rep.json.len, 0, NULL);
		sw_buf_release(&rep.json);   /* parsed: the stream keeps doc only */
	}
	web_begin(w, im.names.len ? im.names.items[0] : digest);
	struct sw_buf *b = w->b;
	add(w, "<h1>");
	web_esc(w, im.names.len ? im.names.items[0] : digest);
	add(w, "</h1>\n<nav aria-label=\"Sections\"><ul class=\"inline\"><li><a href=\"#findings\">Findings</a></li>"
	       "<li><a href=\"#layers\">Layers</a></li><li><a href=\"#checks\">Checks</a></li><li><a href=\"#secrets\">"
	       "Secrets</a></li><li><a href=\"#malware\">Malware</a></li><li><a href=\"#policy\">Policy</a></li>"
	       "<li><a href=\"#history\">History</a></li></ul></nav>\n");
	add(w, "<h2 id=\"summary\">Summary</h2>\n<dl class=\"facts\"><dt>Names</dt><dd><ul class=\"names\">");
	for (size_t i = 0; i < im.names.len; i++) {
		add(w, "<li>");
		web_esc(w, im.names.items[i]);
		add(w, "</li>");
	}
	add(w, "</ul></dd><dt>Digest</dt><dd><code id=\"digest\">");
	web_esc(w, im.digest);
	add(w, "</code></dd><dt>Config digest</dt><dd><code>");
	web_esc(w, im.config_digest);
	add(w, "</code></dd><dt>OS</dt><dd>");
	web_esc(w, im.os ? im.os : "unknown");
	add(w, "</dd><dt>Architecture</dt><dd>");
	web_esc(w, im.architecture);
	add(w, "</dd><dt>First stored</dt><dd>");
	web_time(b, im.created);
	add(w, "</dd><dt>Updated</dt><dd>");
	web_time(b, im.updated);
	add(w, "</dd></dl>\n");
	if (!im.latest_report || !doc) {
		add(w, im.latest_report ? "<p class=\"error\">The stored report could not be read.</p>\n"
					: "<p class=\"note\">This image has no report yet.</p>\n");
	} else {
		add(w, "<div class=\"table-wrap\"><table id=\"counts\"><thead><tr>");
		for (int i = 0; i < 6; i++)
			sw_buf_addf(b, "<th class=\"num\">%c%s</th>", SEVS[i][0] - 32, SEVS[i] + 1);
		add(w, "<th class=\"num\">Total</th><th class=\"num\">Suppressed</th><th class=\"num\">Checks failed</th>"
		       "<th class=\"num\">Secrets</th><th class=\"num\">Malware</th><th>Policy</th></tr></thead>\n<tbody><tr>");
		int64_t c[] = { rep.critical, rep.high, rep.medium, rep.low, rep.negligible, rep.unknown };
		for (int i = 0; i < 6; i++)
			sw_buf_addf(b, "<td class=\"num\" id=\"count-%s\">%lld</td>", SEVS[i], (long long)c[i]);
		sw_buf_addf(b, "<td class=\"num\" id=\"count-total\">%lld</td><td class=\"num\">%lld</td>"
			       "<td class=\"num\" id=\"count-checks\">%lld</td><td class=\"num\" id=\"count-secrets\">%lld</td>"
			       "<td class=\"num\" id=\"count-malware\">%lld</td>",
			    (long long)rep.total, (long long)rep.suppressed, (long long)rep.checks_failed,
			    (long long)rep.secrets, (long long)rep.malware);
		policy_cell(w, rep.policy);
		add(w, "</tr></tbody></table></div>\n");
		if (!rep.complete)
			add(w, "<p class=\"note\">This report is incomplete: some of the image could not be read.</p>\n");
		add(w, "<p>Download the latest report or SBOM: ");
		for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++) {
			struct sw_buf u = SW_BUF_INIT;
			sw_buf_addstr(&u, "/images/");
			sw_url_esc(&u, im.digest);
			sw_buf_addf(&u, "/download?format=%s", FORMATS[i]);
			add(w, i ? ", <a class=\"download\" href=\"" : "<a class=\"download\" href=\"");
			web_esc(w, u.data);
			add(w, "\">");
			add(w, FORMATS[i]);
			add(w, "</a>");
			sw_buf_release(&u);
		}
		add(w, "</p>\n");
	}
	/* the sections after the summary are streamed (a report may list
	 * thousands of findings): image_next makes them as the connection
	 * drains, from the parsed report this state owns */
	struct image_stream *x = sw_xcalloc(1, sizeof(*x));
	x->w = (struct web_ctx){ .s = w->s };
	x->im = im;
	x->rep = rep;
	x->doc = doc;
	x->phase = doc ? IP_FINDINGS : IP_HISTORY;
	web_stream(w, image_next, image_done, x);
}

void web_download(struct web_ctx *w, const char *digest, const char *format)
{
	const char *fmt = format && *format ? format : "json";
	size_t i;
	for (i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++)
		if (strcmp(fmt, FORMATS[i]) == 0)
			break;
	if (i == sizeof(FORMATS) / sizeof(FORMATS[0])) {
		web_error(w, 400, "unknown format (json, table, cyclonedx, spdx-json, sarif, html, junit)");
		return;
	}
	struct sw_st_image im;
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_image_get(w->s->store, digest, &im, &err);
	if (k <= 0) {
		if (k < 0)
			web_error(w, 500, "%s", err.msg);
		else
			web_error(w, 404, "no stored image %s", digest);
		return;
	}
	int64_t latest = im.latest_report;
	sw_st_image_release(&im);
	struct sw_buf out = SW_BUF_INIT;
	const char *ctype = "application/json", *ext = "json";
	if (strcmp(fmt, "json") == 0) {
		struct sw_st_report rep;
		k = latest ? sw_st_report_get(w->s->store, latest, &rep, &err) : 0;
		if (k <= 0) {
			if (k < 0)
				web_error(w, 500, "%s", err.msg);
			else
				web_error(w, 404, "the image has no report yet");
			return;
		}
		sw_buf_add(&out, rep.json.data, rep.json.len);
		sw_st_report_release(&rep);
	} else if (srv_render_image(w->s, digest, fmt, &out, &err) < 0) {
		sw_buf_release(&out);
		web_error(w, err.code == SW_E_NOTFOUND ? 404 : 500, "%s", err.msg);
		return;
	}
	if (strcmp(fmt, "table") == 0)
		ctype = "text/plain; charset=utf-8", ext = "txt";
	else if (strcmp(fmt, "html") == 0)
		ctype = "text/html; charset=utf-8", ext = "html";
	else if (strcmp(fmt, "junit") == 0)
		ctype = "application/xml", ext = "xml";
	else if (strcmp(fmt, "sarif") == 0)
		ctype = "application/sarif+json", ext = "sarif";
	else if (strcmp(fmt, "cyclonedx") == 0)
		ctype = "application/vnd.cyclonedx+json", ext = "cdx.json";
	else if (strcmp(fmt, "spdx-json") == 0)
		ctype = "application/spdx+json", ext = "spdx.json";
	w->r->status = 200;
	w->r->ctype = ctype;
	sw_buf_release(w->b);
	*w->b = out;
	char *h = sw_xasprintf("Content-Disposition: attachment; filename=\"stowaway-%s.%s\"", fmt, ext);
	sw_vec_push(&w->r->headers, h);
}

/* ---------------------------------------------------------------- Vulnerability */

static bool http_url(const char *u)
{
	return u && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

/* a decimal count 0..10^12 with nothing around it */
static bool count_param(const char *s, int64_t *out)
{
	if (!*s || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s))
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

/* The vulnerability page's affected images, streamed: rows of the batch in
 * hand, then the next batch from the store, until the page's limit. */
#define VULN_BATCH 500
struct vuln_stream {
	struct web_ctx w;
	char *id, *prev, *next;
	int64_t limit, offset, shown, total;
	struct sw_vec hits;
	bool end;
};

static void vuln_done(void *ctx)
{
	struct vuln_stream *x = ctx;
	sw_st_hits_free(&x->hits);
	free(x->id);
	free(x->prev);
	free(x->next);
	free(x);
}

static bool vuln_next(void *ctx, struct sw_buf *out)
{
	struct vuln_stream *x = ctx;
	struct web_ctx *w = &x->w;
	w->b = out;
	if (x->end)
		return false;
	for (size_t i = 0; i < x->hits.len; i++) {
		const struct sw_st_hit *h = x->hits.items[i];
		add(w, "<tr data-digest=\"");
		web_esc(w, h->image_digest);
		add(w, "\"><td>");
		image_link(w, h->image_digest, h->names && *h->names ? h->names : h->image_digest);
		add(w, "</td>");
		td_text(w, h->pkg_name);
		td_text(w, h->pkg_version);
		add(w, "<td class=\"fixed\">");
		web_esc(w, h->fixed ? h->fixed : "");
		add(w, "</td>");
		sev_cell(w, h->severity);
		add(w, "</tr>\n");
	}
	x->shown += (int64_t)x->hits.len;
	bool more = x->hits.len == VULN_BATCH && x->shown < x->limit;
	sw_st_hits_free(&x->hits);
	if (more) {
		int64_t want = x->limit - x->shown < VULN_BATCH ? x->limit - x->shown : VULN_BATCH, total = 0;
		struct sw_err err = SW_ERR_INIT;
		if (sw_st_vuln_images_page(w->s->store, x->id, want, x->offset + x->shown, &x->hits, &total, &err) < 0) {
			sw_st_hits_free(&x->hits);
			add(w, "</tbody></table></div>\n<p class=\"error\">");
			web_esc(w, err.msg);
			add(w, "</p>\n");
			web_end(w);
			x->end = true;
			return true;
		}
		if (x->hits.len)
			return true;
	}
	add(w, "</tbody></table></div>\n<nav class=\"pager\" aria-label=\"Pages\">");
	if (x->prev) {
		add(w, "<a rel=\"prev\" href=\"");
		web_esc(w, x->prev);
		add(w, "\">Previous page</a>");
	}
	if (x->next) {
		add(w, "<a rel=\"next\" href=\"");
		web_esc(w, x->next);
		add(w, "\">Next page</a>");
	}
	add(w, "</nav>\n");
	web_end(w);
	x->end = true;
	return true;
}

void web_page_vuln(struct web_ctx *w, const char *id)
{
	if (strlen(id) > 200) {
		web_error(w, 400, "bad vulnerability id");
		return;
	}
	struct srv *s = w->s;
	struct sw_vulndb *db = NULL;
	struct sw_vuln *v = NULL;
	struct sw_kev *kev = NULL;
	struct sw_epss *epss = NULL;
	struct sw_err err = SW_ERR_INIT, dberr = SW_ERR_INIT;
	bool dbok = sw_vulndb_open(s->o->db_path, SW_VULNDB_RDONLY, &db, &dberr) == 0;
	if (dbok && sw_vulndb_get(db, id, &v, &dberr) < 0)
		dbok = false;
	if (dbok && strncmp(id, "CVE-", 4) == 0) {
		(void)sw_vulndb_kev(db, id, &kev, &err);
		(void)sw_vulndb_epss(db, id, &epss, &err);
	}
	/* the affected images: one page (limit, offset) of the store's paged
	 * "which images", read in batches while the page streams */
	int64_t limit = 200, offset = 0;
	const char *ls = srv_query(w->q, "limit"), *os = srv_query(w->q, "offset");
	if ((ls && (!count_param(ls, &limit) || limit < 1 || limit > 1000)) || (os && !count_param(os, &offset))) {
		sw_vuln_free(v);
		sw_kev_free(kev);
		sw_epss_free(epss);
		sw_vulndb_close(db);
		web_error(w, 400, "limit must be 1 to 1000 and offset a whole number");
		return;
	}
	struct vuln_stream *x = sw_xcalloc(1, sizeof(*x));
	x->w = (struct web_ctx){ .s = s };
	x->id = sw_xstrdup(id);
	x->limit = limit;
	x->offset = offset;
	int hr = sw_st_vuln_images_page(s->store, id, limit < VULN_BATCH ? limit : VULN_BATCH, offset, &x->hits,
					&x->total, &err);
	web_begin(w, id);
	struct sw_buf *b = w->b;
	add(w, "<h1>");
	web_esc(w, id);
	add(w, "</h1>\n");
	if (!dbok) {
		add(w, "<p class=\"error\">The vulnerability database could not be read: ");
		web_esc(w, dberr.msg);
		add(w, "</p>\n");
	} else if (!v) {
		add(w, "<p class=\"note\">The vulnerability database has no record of this id.</p>\n");
	} else {
		/* the record's own id and its aliases, but the id asked for */
		add(w, "<dl class=\"facts\"><dt>Aliases</dt><dd id=\"aliases\">");
		size_t shown = 0;
		for (size_t i = 0; i <= v->aliases.len; i++) {
			const char *a = i == 0 ? v->id : v->aliases.items[i - 1];
			if (!a || strcmp(a, id) == 0)
				continue;
			if (shown++)
				add(w, " ");
			vuln_link(w, a);
		}
		if (!shown)
			add(w, "none");
		add(w, "</dd><dt>Sources</dt><dd>");
		web_esc(w, v->source);
		add(w, "</dd><dt>Published</dt><dd>");
		web_esc(w, v->published ? v->published : "-");
		add(w, "</dd><dt>Modified</dt><dd>");
		web_esc(w, v->modified ? v->modified : "-");
		add(w, "</dd>");
		if (v->withdrawn) {
			add(w, "<dt>Withdrawn</dt><dd>");
			web_esc(w, v->withdrawn);
			add(w, "</dd>");
		}
		if (v->cwes.len) {
			add(w, "<dt>CWE</dt><dd>");
			for (size_t i = 0; i < v->cwes.len; i++) {
				if (i)
					add(w, ", ");
				web_esc(w, v->cwes.items[i]);
			}
			add(w, "</dd>");
		}
		if (kev) {
			add(w, "<dt>Known exploited</dt><dd class=\"sev-critical\">yes (CISA KEV)</dd>");
		}
		if (epss)
			sw_buf_addf(b, "<dt>EPSS</dt><dd>%.2f%%</dd>", 100 * epss->score);
		add(w, "</dl>\n");
		if (v->summary) {
			add(w, "<h2>Summary</h2>\n<p id=\"summary\">");
			web_esc(w, v->summary);
			add(w, "</p>\n");
		}
		if (v->details) {
			add(w, "<h2>Description</h2>\n<p id=\"description\" class=\"pre\">");
			web_esc(w, v->details);
			add(w, "</p>\n");
		}
		add(w, "<h2>Severities by source</h2>\n<div class=\"table-wrap\"><table id=\"severities\" class=\"sortable\">"
		       "<thead><tr><th>Source</th><th>Type</th><th class=\"num\">Score</th><th>Rating</th><th>Vector</th>"
		       "</tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < v->severities.len; i++) {
			const struct sw_severity *sv = v->severities.items[i];
			add(w, "<tr>");
			td_text(w, sv->source);
			td_text(w, sv->type);
			if (sv->score >= 0)
				sw_buf_addf(b, "<td class=\"num\">%.1f</td>", sv->score);
			else
				add(w, "<td class=\"num\"></td>");
			sev_cell(w, sv->rating);
			add(w, "<td><code>");
			web_esc(w, sv->vector);
			add(w, "</code></td></tr>\n");
		}
		add(w, "</tbody></table></div>\n");
		if (v->references.len) {
			add(w, "<h2>References</h2>\n<ul class=\"references\">");
			for (size_t i = 0; i < v->references.len; i++) {
				const char *u = v->references.items[i];
				add(w, "<li>");
				if (http_url(u)) {
					add(w, "<a rel=\"noreferrer\" href=\"");
					web_esc(w, u);
					add(w, "\">");
					web_esc(w, u);
					add(w, "</a>");
				} else {
					web_esc(w, u);
				}
				add(w, "</li>");
			}
			add(w, "</ul>\n");
		}
	}
	add(w, "<h2 id=\"affected-heading\">Stored images it affects</h2>\n");
	sw_vuln_free(v);
	sw_kev_free(kev);
	sw_epss_free(epss);
	sw_vulndb_close(db);
	if (hr < 0) {
		add(w, "<p class=\"error\">");
		web_esc(w, err.msg);
		add(w, "</p>\n");
		web_end(w);
		vuln_done(x);
		return;
	}
	if (!x->total) {
		add(w, "<p id=\"no-images\">No stored image's latest report lists it.</p>\n");
		web_end(w);
		vuln_done(x);
		return;
	}
	int64_t last = offset + limit < x->total ? offset + limit : x->total;
	sw_buf_addf(w->b, "<p id=\"affected-count\"><span id=\"affected-total\">%lld</span> packages in stored images' "
			  "latest reports", (long long)x->total);
	if (offset < x->total)
		sw_buf_addf(w->b, "; showing %lld to %lld", (long long)offset + 1, (long long)last);
	add(w, ".</p>\n<div class=\"table-wrap\"><table id=\"affected\" class=\"sortable\"><thead><tr>"
	       "<th>Image</th><th>Package</th><th>Version</th><th>Fixed in</th><th>Severity</th></tr></thead>\n<tbody>\n");
	/* the pager's links, made now (the request is gone when they are written) */
	struct sw_buf u = SW_BUF_INIT;
	if (offset > 0) {
		sw_buf_addstr(&u, "/vulnerabilities/");
		sw_url_esc(&u, id);
		sw_buf_addf(&u, "?offset=%lld", (long long)(offset > limit ? offset - limit : 0));
		if (ls)
			sw_buf_addf(&u, "&limit=%lld", (long long)limit);
		x->prev = sw_buf_detach(&u, NULL);
	}
	if (last < x->total) {
		sw_buf_addstr(&u, "/vulnerabilities/");
		sw_url_esc(&u, id);
		sw_buf_addf(&u, "?offset=%lld", (long long)last);
		if (ls)
			sw_buf_addf(&u, "&limit=%lld", (long long)limit);
		x->next = sw_buf_detach(&u, NULL);
	}
	sw_buf_release(&u);
	web_stream(w, vuln_next, vuln_done, x);
}

/* ---------------------------------------------------------------- Database and server */

static void jobs_table(struct web_ctx *w, struct sw_vec *jobs, const char *id)
{
	sw_buf_addf(w->b, "<div class=\"table-wrap\"><table id=\"%s\" class=\"sortable\"><thead><tr><th class=\"num\">Job</th>"
			  "<th>Image</th><th>Kind</th><th>State</th><th class=\"num\">Attempts</th><th>Updated</th><th>Error</th>"
			  "</tr></thead>\n<tbody>\n", id);
	for (size_t i = 0; i < jobs->len; i++) {
		const struct sw_st_job *j = jobs->items[i];
		sw_buf_addf(w->b, "<tr><td class=\"num\" data-v=\"%lld\">%lld</td><td>", (long long)j->id, (long long)j->id);
		if (j->image_digest)
			image_link(w, j->image_digest, j->ref);
		else
			web_esc(w, j->ref);
		add(w, "</td>");
		td_text(w, j->kind);
		td_text(w, sw_job_state_name(j->state));
		td_num(w, j->attempts, NULL);
		sw_buf_addf(w->b, "<td data-v=\"%lld\">", (long long)j->updated);
		web_time(w->b, j->updated);
		add(w, "</td>");
		td_text(w, j->error);
		add(w, "</tr>\n");
	}
	add(w, "</tbody></table></div>\n");
}

/* Every webhook (never its secret) with its five newest deliveries. */
static void webhooks_section(struct web_ctx *w)
{
	struct srv *s = w->s;
	struct sw_err err = SW_ERR_INIT;
	struct sw_vec hooks = SW_VEC_INIT;
	add(w, "<h2>Webhooks</h2>\n");
	if (sw_st_webhook_list(s->store, false, &hooks, &err) < 0) {
		add(w, "<p class=\"error\">");
		web_esc(w, err.msg);
		add(w, "</p>\n");
		sw_st_webhook_list_free(&hooks);
		return;
	}
	if (!hooks.len)
		add(w, "<p>No webhook is registered (POST /api/v1/webhooks).</p>\n");
	for (size_t i = 0; i < hooks.len; i++) {
		const struct sw_st_webhook *h = hooks.items[i];
		sw_buf_addf(w->b, "<h3 id=\"webhook-%lld\">Webhook %lld: ", (long long)h->id, (long long)h->id);
		web_esc(w, h->url);
		add(w, "</h3>\n<dl class=\"facts\"><dt>Minimum severity</dt><dd>");
		web_esc(w, h->min_severity ? h->min_severity : "any");
		add(w, "</dd><dt>Repositories</dt><dd>");
		web_esc(w, h->repositories ? h->repositories : "every image");
		sw_buf_addf(w->b, "</dd><dt>Only fixable</dt><dd>%s</dd><dt>KEV only</dt><dd>%s</dd></dl>\n",
			    h->only_fixable ? "yes" : "no", h->kev_only ? "yes" : "no");
		struct sw_vec dl = SW_VEC_INIT;
		if (sw_st_delivery_list(s->store, h->id, 5, &dl, &err) == 0 && dl.len) {
			sw_buf_addf(w->b, "<div class=\"table-wrap\"><table id=\"deliveries-%lld\"><thead><tr>"
					  "<th class=\"num\">Delivery</th><th>Image</th><th>State</th><th class=\"num\">Attempts</th>"
					  "<th>Queued</th><th>Last error</th></tr></thead>\n<tbody>\n", (long long)h->id);
			for (size_t k = 0; k < dl.len; k++) {
				const struct sw_st_delivery *d = dl.items[k];
				sw_buf_addf(w->b, "<tr><td class=\"num\">%lld</td><td>", (long long)d->id);
				if (d->image_digest)
					image_link(w, d->image_digest, d->image_digest);
				add(w, "</td>");
				td_text(w, sw_delivery_state_name(d->state));
				td_num(w, d->attempts, NULL);
				sw_buf_addf(w->b, "<td data-v=\"%lld\">", (long long)d->created);
				web_time(w->b, d->created);
				add(w, "</td>");
				td_text(w, d->last_error);
				add(w, "</tr>\n");
			}
			add(w, "</tbody></table></div>\n");
		} else {
			add(w, "<p>No delivery yet.</p>\n");
		}
		sw_st_delivery_list_free(&dl);
	}
	sw_st_webhook_list_free(&hooks);
}

void web_page_server(struct web_ctx *w)
{
	struct srv *s = w->s;
	struct sw_err err = SW_ERR_INIT;
	web_begin(w, "Database and server");
	struct sw_buf *b = w->b;
	add(w, "<h1>Database and server</h1>\n<h2>Vulnerability database</h2>\n");
	struct sw_vulndb *db = NULL;
	struct sw_vulndb_info *info = NULL;
	if (sw_vulndb_open(s->o->db_path, SW_VULNDB_RDONLY, &db, &err) < 0 || sw_vulndb_info(db, &info, &err) < 0) {
		add(w, "<p class=\"error\">");
		web_esc(w, err.msg);
		add(w, "</p>\n");
	} else {
		add(w, "<dl class=\"facts\"><dt>File</dt><dd><code>");
		web_esc(w, info->path);
		add(w, "</code></dd><dt>Built</dt><dd id=\"db-built\">");
		web_time(b, info->built_at);
		add(w, " (");
		web_age(b, info->built_at);
		sw_buf_addf(b, ")</dd><dt>Size</dt><dd>%lld bytes</dd><dt>Vulnerabilities</dt><dd>%lld</dd>"
			       "<dt>Affected entries</dt><dd>%lld</dd><dt>KEV, EPSS records</dt><dd>%lld, %lld</dd></dl>\n",
			    (long long)info->file_size, (long long)info->vulns, (long long)info->affected,
			    (long long)info->kev, (long long)info->epss);
		add(w, "<div class=\"table-wrap\"><table id=\"sources\" class=\"sortable\"><thead><tr><th>Source</th>"
		       "<th>Last update</th><th>Age</th><th class=\"num\">Records</th><th class=\"num\">Bad records</th>"
		       "<th>Last error</th></tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < info->sources.len; i++) {
			const struct sw_vulndb_source_info *si = info->sources.items[i];
			add(w, "<tr>");
			td_text(w, si->name);
			sw_buf_addf(b, "<td data-v=\"%lld\">", (long long)si->updated_at);
			web_time(b, si->updated_at);
			add(w, "</td><td>");
			web_age(b, si->updated_at);
			add(w, "</td>");
			td_num(w, si->records, NULL);
			td_num(w, si->bad_records, NULL);
			td_text(w, si->last_error);
			add(w, "</tr>\n");
		}
		add(w, "</tbody></table></div>\n");
	}
	sw_vulndb_info_free(info);
	sw_vulndb_close(db);
	int64_t counts[4] = { 0 };
	err = (struct sw_err)SW_ERR_INIT;
	(void)sw_st_job_counts(s->store, counts, &err);
	add(w, "<h2>Queue</h2>\n<dl class=\"facts\" id=\"queue\">");
	for (int i = 0; i < 4; i++)
		sw_buf_addf(b, "<dt>%s</dt><dd id=\"jobs-%s\">%lld</dd>", sw_job_state_name((enum sw_job_state)i),
			    sw_job_state_name((enum sw_job_state)i), (long long)counts[i]);
	sw_buf_addf(b, "<dt>Workers busy</dt><dd>%u of %u</dd><dt>Requests served</dt><dd>%llu (%llu errors)</dd></dl>\n",
		    (unsigned)s->busy, s->o->workers, (unsigned long long)s->requests,
		    (unsigned long long)s->request_errors);
	struct sw_vec jobs = SW_VEC_INIT;
	add(w, "<h2>Recent jobs</h2>\n");
	if (sw_st_job_recent(s->store, false, 20, &jobs, &err) == 0)
		jobs_table(w, &jobs, "recent-jobs");
	sw_st_job_list_free(&jobs);
	add(w, "<h2>Recent failures</h2>\n");
	if (sw_st_job_recent(s->store, true, 20, &jobs, &err) == 0) {
		if (jobs.len)
			jobs_table(w, &jobs, "failed-jobs");
		else
			add(w, "<p>No failed job.</p>\n");
	}
	sw_st_job_list_free(&jobs);
	webhooks_section(w);
	web_end(w);
}

/* ---------------------------------------------------------------- Submit */

void web_page_submit(struct web_ctx *w, int64_t job, const char *error)
{
	web_begin(w, "Submit a scan");
	struct sw_buf *b = w->b;
	add(w, "<h1>Submit a scan</h1>\n");
	if (error) {
		add(w, "<p class=\"error\" role=\"alert\">");
		web_esc(w, error);
		add(w, "</p>\n");
	}
	if (job > 0) {
		struct sw_st_job j;
		struct sw_err err = SW_ERR_INIT;
		if (sw_st_job_get(w->s->store, job, &j, &err) == 1) {
			struct sw_vec one = SW_VEC_INIT;
			sw_vec_push(&one, &j);
			sw_buf_addf(b, "<p class=\"note\" id=\"queued\">Job %lld is %s.</p>\n", (long long)j.id,
				    sw_job_state_name(j.state));
			jobs_table(w, &one, "job");
			free(one.items);
			sw_st_job_release(&j);
		}
	}
	if (web_scope_rank(w->sess->scope) < 2)
		add(w, "<p class=\"note\">This session's token has scope 'read': submitting needs 'scan'.</p>\n");
	add(w, "<form class=\"stack\" method=\"post\" action=\"/submit\">\n<label for=\"image\">Image reference "
	       "(<code>registry:HOST/REPO:TAG</code>, or a name the registry client understands)</label>\n"
	       "<input id=\"image\" name=\"image\" type=\"text\" required maxlength=\"2048\">\n");
	web_csrf_field(w);
	add(w, "\n<button class=\"primary\" type=\"submit\">Queue the scan</button>\n</form>\n"
	       "<p class=\"muted\">Registry credentials are not taken here: the server uses its own configuration. Use "
	       "the API (POST /api/v1/scans) to send credentials with a job.</p>\n");
	web_end(w);
}
