/*
 * sbom_spdx.c - SPDX 2.3 JSON SBOM.
 *
 * The document DESCRIBES the image (a package with purpose CONTAINER);
 * the image CONTAINS the OS (OPERATING_SYSTEM) and one "application" per
 * file language packages were read from (purpose APPLICATION, named by
 * Trivy's analyzer type: "python-pkg", "npm", "jar" ..., sourceInfo the
 * file; one for all installed Python, Node, Ruby and Java packages, as Trivy
 * aggregates them), which CONTAINS them; the OS CONTAINS the packages its package
 * manager installed.  An OS
 * package's sourceInfo is "built package from: SRCNAME SRCVERSION" and where
 * it was found is its comment: the form Trivy (`trivy sbom`) reads, as it
 * writes it itself.
 * documentNamespace is https://stowaway.invalid/spdx/NAME-UUID with a
 * UUID hashed from the image digest and tool version (deterministic).
 * licenseDeclared is always a valid SPDX expression: known ids and
 * expressions in canonical form, free text as a LicenseRef-… that is
 * declared in hasExtractedLicensingInfos with the original text.
 */
#include "report/report_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"

#define SPDX_ID_MAX 160

struct spdx_state {
	const struct sw_report_ctx *ctx;
	struct sw_map ids;        /* SPDXIDs in use */
	struct sw_map refs;       /* licence free text -> LicenseRef id (owned char*) */
	struct sw_map ref_ids;    /* LicenseRef ids in use */
	json_t *extracted;        /* hasExtractedLicensingInfos */
	char **spdxids;           /* per package */
	char **declared;          /* per package: licenseDeclared */
	bool has_os;
	size_t nbase;             /* image (+ OS) */
	size_t nfixed;            /* image (+ OS) + applications before the packages */
	struct sw_vec apps;       /* struct spdx_app*: language packages grouped as Trivy reads them */
	size_t *pkg_app;          /* per package: 1 + index into apps, 0 for none */
};

/* An "application": the packages Trivy would read from one file with one
 * of its analyzers (name = its type, "python-pkg", "npm" ..., sourceInfo =
 * the file); the application CONTAINS them. */
struct spdx_app {
	const char *type;
	const char *path;
	char id[48];
};

/* s reduced to [A-Za-z0-9.-], runs of other bytes as one '-', at most max. */
static void add_sanitised(struct sw_buf *b, const char *s, size_t max)
{
	size_t start = b->len;
	bool dash = b->len && b->data[b->len - 1] == '-';
	for (; s && *s && b->len - start < max; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '.' || c == '-') {
			sw_buf_addch(b, (char)c);
			dash = c == '-';
		} else if (!dash) {
			sw_buf_addch(b, '-');
			dash = true;
		}
	}
}

static char *unique_id(struct sw_map *used, const char *want)
{
	char *id = sw_xstrdup(want);
	for (int k = 2; sw_map_has(used, id); k++) {
		free(id);
		id = sw_xasprintf("%s-%d", want, k);
	}
	sw_map_put(used, id, NULL);
	return id;
}

static char *package_spdxid(struct spdx_state *st, const struct sw_package *p)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "SPDXRef-Package-");
	add_sanitised(&b, p->type, 16);
	sw_buf_addch(&b, '-');
	add_sanitised(&b, p->namespace_ ? p->namespace_ : "", 48);
	if (p->namespace_ && *p->namespace_)
		sw_buf_addch(&b, '-');
	add_sanitised(&b, p->name, 64);
	if (p->version && *p->version) {
		sw_buf_addch(&b, '-');
		add_sanitised(&b, p->version, 48);
	}
	while (b.len && (b.data[b.len - 1] == '-' || b.data[b.len - 1] == '.'))
		b.data[--b.len] = '\0';
	char *id = unique_id(&st->ids, b.data);
	sw_buf_release(&b);
	return id;
}

/* LicenseRef for a free-text licence, declared once per distinct text. */
static const char *license_ref(struct spdx_state *st, const char *text)
{
	const char *have = sw_map_get(&st->refs, text);
	if (have)
		return have;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "LicenseRef-");
	add_sanitised(&b, text, 64);
	while (b.len > 11 && (b.data[b.len - 1] == '-' || b.data[b.len - 1] == '.'))
		b.data[--b.len] = '\0';
	if (b.len == 11)
		sw_buf_addstr(&b, "unknown");
	char *id = unique_id(&st->ref_ids, b.data);
	sw_buf_release(&b);
	sw_map_put(&st->refs, text, id);
	json_t *o = json_object();
	json_object_set_new(o, "licenseId", json_string(id));
	json_object_set_new(o, "extractedText", sw_report_jstr(text));
	json_object_set_new(o, "name", sw_report_jstr(text));
	json_array_append_new(st->extracted, o);
	return id;
}

static char *license_declared(struct spdx_state *st, const struct sw_vec *v)
{
	if (!v->len)
		return sw_xstrdup("NOASSERTION");
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < v->len; i++) {
		const char *text = v->items[i];
		char *e = sw_report_license_expression(text);
		const char *part = e ? e : license_ref(st, text ? text : "");
		bool paren = v->len > 1 && !sw_report_license_is_simple(part);
		sw_buf_addf(&b, "%s%s%s%s", i ? " AND " : "", paren ? "(" : "", part,
			    paren ? ")" : "");
		free(e);
	}
	char *r = sw_buf_detach(&b, NULL);
	return r ? r : sw_xstrdup("NOASSERTION");
}

static void noassert(json_t *pkg)
{
	json_object_set_new(pkg, "downloadLocation", json_string("NOASSERTION"));
	json_object_set_new(pkg, "filesAnalyzed", json_false());
	json_object_set_new(pkg, "licenseConcluded", json_string("NOASSERTION"));
}

static json_t *package_obj(const struct sw_report_ctx *ctx, size_t i, const char *spdxid,
			   const char *decl)
{
	const struct sw_package *p = ctx->inv->packages.items[i];
	json_t *o = json_object();
	json_object_set_new(o, "SPDXID", json_string(spdxid));
	char *name = sw_report_pkg_name(p);
	json_object_set_new(o, "name", sw_report_jstr(name));
	free(name);
	char *ver = sw_package_full_version(p);
	if (*ver)
		json_object_set_new(o, "versionInfo", sw_report_jstr(ver));
	free(ver);
	if (p->vendor && *p->vendor) {
		char *s = sw_xasprintf("Organization: %s", p->vendor);
		json_object_set_new(o, "supplier", sw_report_jstr(s));
		free(s);
	}
	noassert(o);
	json_object_set_new(o, "licenseDeclared", sw_report_jstr(decl));
	json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));

	const struct sw_inv_layer *l = sw_report_layer(ctx->inv, p->layer_index);
	const char *diff = p->layer_diff_id ? p->layer_diff_id : l ? l->diff_id : NULL;
	struct sw_buf si = SW_BUF_INIT;
	if (p->layer_index >= 0)
		sw_buf_addf(&si, "found in layer %d (%s)", p->layer_index, diff ? diff : "unknown diff_id");
	if (p->path && *p->path)
		sw_buf_addf(&si, "%sat %s", si.len ? " " : "found ", p->path);
	const char *src = sw_report_source_name(p), *srcver = sw_report_source_version(p);
	if (sw_report_is_os_package(p) && src && srcver && !strpbrk(src, " \t") && !strpbrk(srcver, " \t")) {
		/* two words exactly: Trivy splits on the blank */
		char *b = sw_xasprintf("built package from: %s %s", src, srcver);
		json_object_set_new(o, "sourceInfo", sw_report_jstr(b));
		free(b);
		if (si.len)
			json_object_set_new(o, "comment", sw_report_jstr(si.data));
	} else if (si.len) {
		json_object_set_new(o, "sourceInfo", sw_report_jstr(si.data));
	}
	sw_buf_release(&si);

	if (ctx->purls[i]) {
		json_t *ref = json_object();
		json_object_set_new(ref, "referenceCategory", json_string("PACKAGE-MANAGER"));
		json_object_set_new(ref, "referenceType", json_string("purl"));
		json_object_set_new(ref, "referenceLocator", sw_report_jstr(ctx->purls[i]));
		json_t *refs = json_array();
		json_array_append_new(refs, ref);
		json_object_set_new(o, "externalRefs", refs);
	}
	json_object_set_new(o, "primaryPackagePurpose", json_string("LIBRARY"));
	return o;
}

static json_t *image_obj(const struct sw_inventory *inv)
{
	const char *digest = sw_report_image_digest(inv);
	json_t *img = json_object();
	json_object_set_new(img, "SPDXID", json_string("SPDXRef-Image"));
	json_object_set_new(img, "name", sw_report_jstr(sw_report_image_name(inv)));
	if (digest)
		json_object_set_new(img, "versionInfo", sw_report_jstr(digest));
	noassert(img);
	json_object_set_new(img, "licenseDeclared", json_string("NOASSERTION"));
	json_object_set_new(img, "copyrightText", json_string("NOASSERTION"));
	if (inv->transport || inv->reference) {
		char *s = sw_xasprintf("%s%s%s", inv->transport ? inv->transport : "",
				       inv->transport && inv->reference ? ":" : "",
				       inv->reference ? inv->reference : "");
		json_object_set_new(img, "sourceInfo", sw_report_jstr(s));
		free(s);
	}
	json_object_set_new(img, "primaryPackagePurpose", json_string("CONTAINER"));
	return img;
}

static json_t *os_obj(const struct sw_os *os)
{
	json_t *o = json_object();
	json_object_set_new(o, "SPDXID", json_string("SPDXRef-OperatingSystem"));
	json_object_set_new(o, "name", sw_report_jstr(os->id));
	if (os->version_id)
		json_object_set_new(o, "versionInfo", sw_report_jstr(os->version_id));
	noassert(o);
	json_object_set_new(o, "licenseDeclared", json_string("NOASSERTION"));
	json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
	if (os->pretty_name)
		json_object_set_new(o, "description", sw_report_jstr(os->pretty_name));
	json_object_set_new(o, "primaryPackagePurpose", json_string("OPERATING_SYSTEM"));
	return o;
}

static json_t *app_obj(const struct spdx_app *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "SPDXID", json_string(a->id));
	json_object_set_new(o, "name", json_string(a->type));
	noassert(o);
	json_object_set_new(o, "licenseDeclared", json_string("NOASSERTION"));
	json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
	if (*a->path)
		json_object_set_new(o, "sourceInfo", sw_report_jstr(a->path));
	json_object_set_new(o, "primaryPackagePurpose", json_string("APPLICATION"));
	return o;
}

static json_t *package_item(void *state, size_t i)
{
	struct spdx_state *st = state;
	if (i == 0)
		return image_obj(st->ctx->inv);
	if (st->has_os && i == 1)
		return os_obj(&st->ctx->inv->os);
	if (i < st->nfixed)
		return app_obj(st->apps.items[i - st->nbase]);
	i -= st->nfixed;
	return package_obj(st->ctx, i, st->spdxids[i], st->declared[i]);
}

static json_t *relationship_item(void *state, size_t i)
{
	struct spdx_state *st = state;
	json_t *r = json_object();
	const char *a = "SPDXRef-Image", *type = "CONTAINS", *b;
	if (i == 0) {
		a = "SPDXRef-DOCUMENT";
		type = "DESCRIBES";
		b = "SPDXRef-Image";
	} else if (st->has_os && i == 1) {
		b = "SPDXRef-OperatingSystem";
	} else if (i < st->nfixed) {
		b = ((const struct spdx_app *)st->apps.items[i - st->nbase])->id;
	} else {
		size_t k = i - st->nfixed;
		b = st->spdxids[k];
		if (st->has_os && sw_report_is_os_package(st->ctx->inv->packages.items[k]))
			a = "SPDXRef-OperatingSystem";
		else if (st->pkg_app[k])
			a = ((const struct spdx_app *)st->apps.items[st->pkg_app[k] - 1])->id;
	}
	json_object_set_new(r, "spdxElementId", json_string(a));
	json_object_set_new(r, "relationshipType", json_string(type));
	json_object_set_new(r, "relatedSpdxElement", json_string(b));
	return r;
}

static void state_init(struct spdx_state *st, const struct sw_report_ctx *ctx)
{
	const struct sw_inventory *inv = ctx->inv;
	size_t n = inv->packages.len;
	*st = (struct spdx_state){ .ctx = ctx, .ids = SW_MAP_INIT, .refs = SW_MAP_INIT,
				   .ref_ids = SW_MAP_INIT, .extracted = json_array() };
	st->has_os = inv->os.id && *inv->os.id;
	st->nbase = st->has_os ? 2 : 1;
	sw_map_put(&st->ids, "SPDXRef-DOCUMENT", NULL);
	sw_map_put(&st->ids, "SPDXRef-Image", NULL);
	sw_map_put(&st->ids, "SPDXRef-OperatingSystem", NULL);
	st->spdxids = sw_xcalloc(n + 1, sizeof(char *));
	st->declared = sw_xcalloc(n + 1, sizeof(char *));
	st->pkg_app = sw_xcalloc(n + 1, sizeof(size_t));
	struct sw_map by_file = SW_MAP_INIT;   /* "type\x1fpath" -> 1 + index into apps */
	for (size_t i = 0; i < n; i++) {
		const struct sw_package *p = inv->packages.items[i];
		st->spdxids[i] = package_spdxid(st, p);
		st->declared[i] = license_declared(st, &p->licenses);
		const char *type = sw_report_trivy_app_type(p);
		if (!type)
			continue;
		/* Trivy aggregates the installed-package types into one application
		 * each (its file path then empty); the others are one per file */
		bool aggregated = !strcmp(type, "python-pkg") || !strcmp(type, "node-pkg") ||
				  !strcmp(type, "gemspec") || !strcmp(type, "jar");
		const char *path = aggregated || !p->path ? "" : p->path;
		char *key = sw_xasprintf("%s\x1f%s", type, path);
		size_t k = (size_t)(uintptr_t)sw_map_get(&by_file, key);
		if (!k) {
			struct spdx_app *a = sw_xcalloc(1, sizeof(*a));
			a->type = type;
			a->path = path;
			snprintf(a->id, sizeof(a->id), "SPDXRef-Application-%zu", st->apps.len + 1);
			sw_vec_push(&st->apps, a);
			k = st->apps.len;
			sw_map_put(&by_file, key, (void *)(uintptr_t)k);
		}
		free(key);
		st->pkg_app[i] = k;
	}
	sw_map_release(&by_file);
	st->nfixed = st->nbase + st->apps.len;
}

static void state_release(struct spdx_state *st)
{
	for (size_t i = 0; i < st->ctx->inv->packages.len; i++) {
		free(st->spdxids[i]);
		free(st->declared[i]);
	}
	free(st->spdxids);
	free(st->declared);
	free(st->pkg_app);
	for (size_t i = 0; i < st->apps.len; i++)
		free(st->apps.items[i]);
	sw_vec_release(&st->apps);
	sw_map_release(&st->ids);
	sw_map_free_all(&st->refs, free);
	sw_map_release(&st->ref_ids);
	json_decref(st->extracted);
}

/* The document with packages as stream 0 and relationships as stream 1. */
static json_t *skeleton(struct spdx_state *st, struct sw_report_stream s[2])
{
	const struct sw_report_ctx *ctx = st->ctx;
	const struct sw_inventory *inv = ctx->inv;
	char ts[32], uuid[37];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	const char *digest = sw_report_image_digest(inv);
	const char *iname = sw_report_image_name(inv);
	char *seed = sw_xasprintf("stowaway-spdx\n%s\n%s", digest ? digest : iname, ctx->tool_version);
	sw_report_uuid(seed, uuid);
	free(seed);

	json_t *doc = json_object();
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
	json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	json_object_set_new(doc, "name", sw_report_jstr(iname));
	struct sw_buf ns = SW_BUF_INIT;
	sw_buf_addstr(&ns, "https://stowaway.invalid/spdx/");
	add_sanitised(&ns, iname, 96);
	sw_buf_addf(&ns, "-%s", uuid);
	json_object_set_new(doc, "documentNamespace", sw_report_jstr(ns.data));
	sw_buf_release(&ns);
	json_t *ci = json_object();
	json_object_set_new(ci, "created", json_string(ts));
	json_t *creators = json_array();
	char *tool = sw_xasprintf("Tool: stowaway-%s", ctx->tool_version);
	json_array_append_new(creators, sw_report_jstr(tool));
	free(tool);
	json_object_set_new(ci, "creators", creators);
	json_object_set_new(doc, "creationInfo", ci);

	json_object_set_new(doc, "packages", sw_report_stream_placeholder(0));
	if (json_array_size(st->extracted))
		json_object_set(doc, "hasExtractedLicensingInfos", st->extracted);
	json_object_set_new(doc, "relationships", sw_report_stream_placeholder(1));
	sw_report_spdx_add_completeness(doc, ctx);
	size_t n = st->nfixed + inv->packages.len;
	s[0] = (struct sw_report_stream){ n, package_item, st };
	s[1] = (struct sw_report_stream){ n, relationship_item, st };
	return doc;
}

json_t *sw_report_spdx_doc(const struct sw_report_ctx *ctx)
{
	struct spdx_state st;
	struct sw_report_stream s[2];
	state_init(&st, ctx);
	json_t *doc = sw_report_materialise(skeleton(&st, s), s, 2);
	state_release(&st);
	return doc;
}

int sw_report_spdx_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	struct spdx_state st;
	struct sw_report_stream s[2];
	state_init(&st, ctx);
	json_t *doc = skeleton(&st, s);
	int r = sw_report_dump_streamed(out, doc, s, 2, err);
	json_decref(doc);
	state_release(&st);
	return r;
}
