/*
 * sbom_cyclonedx.c - CycloneDX 1.5 JSON SBOM.
 *
 * serialNumber is a UUID v5-style hash of the image digest (or name) and
 * the tool version, so the same image scanned by the same stowaway gives
 * the same BOM.  Components: the OS ("operating-system") then one
 * "library" per package, bom-ref = purl (with "package-id=N" added to a
 * repeated purl so refs stay unique).  Where each package came from is in
 * "stowaway:*" properties; metadata.component is the image ("container").
 *
 * Read back by Trivy (`trivy sbom`, bench/bench_trivy_readback.sh): the
 * dependency graph is the image's: the image depends on the OS and the
 * language packages, the OS on the packages its package manager installed
 * (deb, rpm, apk, alpm); metadata.tools is the array form (deprecated in 1.5
 * but valid: Trivy 0.44 fails without a message on the 1.5 object form); and
 * each package also carries the "aquasecurity:trivy:*" properties Trivy
 * reads (SrcName, SrcVersion, LayerDiffID, FilePath, PkgType).
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"

static void prop(json_t *props, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "value", sw_report_jstr(value));
	json_array_append_new(props, o);
}

static void prop_int(json_t *props, const char *name, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	prop(props, name, buf);
}

static json_t *license_obj(const char *key, const char *value)
{
	json_t *lic = json_object();
	json_object_set_new(lic, key, sw_report_jstr(value));
	json_t *o = json_object();
	json_object_set_new(o, "license", lic);
	return o;
}

/* CycloneDX licenseChoice: ids when all are known ids; one expression when
 * all parse; otherwise a list of ids and names. */
static json_t *licenses(const struct sw_vec *v)
{
	size_t n = v->len, nid = 0, nexpr = 0;
	if (!n)
		return NULL;
	char **expr = sw_xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (sw_report_license_id(v->items[i]))
			nid++;
		else if ((expr[i] = sw_report_license_expression(v->items[i])))
			nexpr++;
	}
	json_t *a = json_array();
	if (nexpr && nid + nexpr == n) {
		struct sw_buf b = SW_BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			const char *e = expr[i] ? expr[i] : sw_report_license_id(v->items[i]);
			bool paren = n > 1 && !sw_report_license_is_simple(e);
			sw_buf_addf(&b, "%s%s%s%s", i ? " AND " : "", paren ? "(" : "", e,
				    paren ? ")" : "");
		}
		json_t *o = json_object();
		json_object_set_new(o, "expression", sw_report_jstr(b.data));
		json_array_append_new(a, o);
		sw_buf_release(&b);
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *id = sw_report_license_id(v->items[i]);
			json_array_append_new(a, id ? license_obj("id", id)
						    : license_obj("name", v->items[i]));
		}
	}
	for (size_t i = 0; i < n; i++)
		free(expr[i]);
	free(expr);
	return a;
}

static char *unique_ref(struct sw_map *used, const char *want)
{
	char *ref = sw_xstrdup(want);
	for (int k = 2; sw_map_has(used, ref); k++) {
		free(ref);
		ref = sw_xasprintf("%s%cpackage-id=%d", want, strchr(want, '?') ? '&' : '?', k);
	}
	sw_map_put(used, ref, NULL);
	return ref;
}

/* The properties Trivy reads from a component (its names). */
static void trivy_props(json_t *props, const struct sw_inventory *inv, const struct sw_package *p,
			const char *diff_id)
{
	if (sw_report_is_os_package(p)) {
		prop(props, "aquasecurity:trivy:PkgType", inv->os.id);
		prop(props, "aquasecurity:trivy:SrcName", sw_report_source_name(p));
		prop(props, "aquasecurity:trivy:SrcVersion", sw_report_source_version(p));
	} else {
		prop(props, "aquasecurity:trivy:PkgType", sw_report_trivy_app_type(p));
		prop(props, "aquasecurity:trivy:FilePath", p->path);
	}
	if (p->layer_index >= 0)
		prop(props, "aquasecurity:trivy:LayerDiffID", diff_id);
}

static json_t *package_component(const struct sw_report_ctx *ctx, size_t i, const char *ref)
{
	const struct sw_package *p = ctx->inv->packages.items[i];
	json_t *c = json_object();
	json_object_set_new(c, "bom-ref", json_string(ref));
	json_object_set_new(c, "type", json_string("library"));
	if (p->namespace_ && *p->namespace_)
		json_object_set_new(c, "group", sw_report_jstr(p->namespace_));
	json_object_set_new(c, "name", sw_report_jstr(p->name ? p->name : ""));
	char *ver = sw_package_full_version(p);
	if (*ver)
		json_object_set_new(c, "version", sw_report_jstr(ver));
	free(ver);
	json_t *lic = licenses(&p->licenses);
	if (lic)
		json_object_set_new(c, "licenses", lic);
	if (ctx->purls[i])
		json_object_set_new(c, "purl", sw_report_jstr(ctx->purls[i]));

	json_t *props = json_array();
	const struct sw_inv_layer *l = sw_report_layer(ctx->inv, p->layer_index);
	prop(props, "stowaway:package:type", p->type);
	prop(props, "stowaway:package:arch", p->arch);
	if (p->epoch >= 0)
		prop_int(props, "stowaway:package:epoch", p->epoch);
	prop(props, "stowaway:package:source_name", sw_report_source_name(p));
	prop(props, "stowaway:package:source_version", sw_report_source_version(p));
	prop(props, "stowaway:package:path", p->path);
	prop(props, "stowaway:package:owner", p->owner);
	prop(props, "stowaway:package:vendor", p->vendor);
	json_t *flags = sw_report_flags(p->flags);
	size_t fi;
	json_t *fv;
	json_array_foreach(flags, fi, fv)
		prop(props, "stowaway:package:flag", json_string_value(fv));
	json_decref(flags);
	if (p->layer_index >= 0) {
		prop_int(props, "stowaway:layer:index", p->layer_index);
		prop(props, "stowaway:layer:diff_id",
		     p->layer_diff_id ? p->layer_diff_id : l ? l->diff_id : NULL);
		prop(props, "stowaway:layer:created_by",
		     p->layer_created_by ? p->layer_created_by : l ? l->created_by : NULL);
	}
	trivy_props(props, ctx->inv, p, p->layer_diff_id ? p->layer_diff_id : l ? l->diff_id : NULL);
	json_object_set_new(c, "properties", props);
	return c;
}

static json_t *os_component(const struct sw_os *os, const char *ref)
{
	json_t *c = json_object();
	json_object_set_new(c, "bom-ref", json_string(ref));
	json_object_set_new(c, "type", json_string("operating-system"));
	json_object_set_new(c, "name", sw_report_jstr(os->id));
	if (os->version_id)
		json_object_set_new(c, "version", sw_report_jstr(os->version_id));
	if (os->pretty_name)
		json_object_set_new(c, "description", sw_report_jstr(os->pretty_name));
	json_t *props = json_array();
	prop(props, "stowaway:os:codename", os->codename);
	prop(props, "stowaway:os:id_like", os->id_like);
	prop(props, "stowaway:os:source", os->source);
	if (os->distroless)
		prop(props, "stowaway:os:distroless", "true");
	if (json_array_size(props))
		json_object_set_new(c, "properties", props);
	else
		json_decref(props);
	return c;
}

static json_t *image_component(const struct sw_inventory *inv)
{
	json_t *c = json_object();
	json_object_set_new(c, "bom-ref", json_string("image"));
	json_object_set_new(c, "type", json_string("container"));
	json_object_set_new(c, "name", sw_report_jstr(sw_report_image_name(inv)));
	const char *digest = sw_report_image_digest(inv);
	if (digest)
		json_object_set_new(c, "version", sw_report_jstr(digest));
	json_t *props = json_array();
	prop(props, "stowaway:image:transport", inv->transport);
	prop(props, "stowaway:image:reference", inv->reference);
	prop(props, "stowaway:image:manifest_digest", inv->manifest_digest);
	prop(props, "stowaway:image:config_digest", inv->config_digest);
	prop(props, "stowaway:image:os", inv->image_os);
	prop(props, "stowaway:image:architecture", inv->architecture);
	for (size_t i = 0; i < inv->repo_tags.len; i++)
		prop(props, "stowaway:image:repo_tag", inv->repo_tags.items[i]);
	for (size_t i = 0; i < inv->layers.len; i++) {
		const struct sw_inv_layer *l = inv->layers.items[i];
		char name[64];
		snprintf(name, sizeof(name), "stowaway:image:layer:%d:diff_id", l->index);
		prop(props, name, l->diff_id);
	}
	json_object_set_new(c, "properties", props);
	return c;
}

struct cdx_state {
	const struct sw_report_ctx *ctx;
	size_t nrefs;
	char **refs;        /* bom-refs of the components: the OS (if any), then the packages */
	bool has_os;
	size_t *img_deps;   /* indexes into refs the image depends on: the OS, language packages */
	size_t nimg;
	size_t *os_deps;    /* indexes into refs the OS depends on: its packages */
	size_t nos;
};

static json_t *component_item(void *state, size_t i)
{
	struct cdx_state *st = state;
	if (st->has_os) {
		if (i == 0)
			return os_component(&st->ctx->inv->os, st->refs[0]);
		return package_component(st->ctx, i - 1, st->refs[i]);
	}
	return package_component(st->ctx, i, st->refs[i]);
}

static json_t *img_dep_item(void *state, size_t i)
{
	struct cdx_state *st = state;
	return sw_report_jstr(st->refs[st->img_deps[i]]);
}

static json_t *os_dep_item(void *state, size_t i)
{
	struct cdx_state *st = state;
	return sw_report_jstr(st->refs[st->os_deps[i]]);
}

static void state_init(struct cdx_state *st, const struct sw_report_ctx *ctx)
{
	const struct sw_inventory *inv = ctx->inv;
	struct sw_map used = SW_MAP_INIT;
	sw_map_put(&used, "image", NULL);
	st->ctx = ctx;
	st->has_os = inv->os.id && *inv->os.id;
	st->nrefs = 0;
	st->refs = sw_xcalloc(inv->packages.len + 1, sizeof(char *));
	if (st->has_os) {
		char *want = sw_xasprintf("os:%s@%s", inv->os.id,
					  inv->os.version_id ? inv->os.version_id : "unknown");
		st->refs[st->nrefs++] = unique_ref(&used, want);
		free(want);
	}
	st->img_deps = sw_xcalloc(inv->packages.len + 1, sizeof(size_t));
	st->os_deps = sw_xcalloc(inv->packages.len + 1, sizeof(size_t));
	st->nimg = st->nos = 0;
	if (st->has_os)
		st->img_deps[st->nimg++] = 0;
	for (size_t i = 0; i < inv->packages.len; i++) {
		char *want = ctx->purls[i] ? sw_xstrdup(ctx->purls[i])
					   : sw_xasprintf("stowaway:package:%zu", i);
		if (st->has_os && sw_report_is_os_package(inv->packages.items[i]))
			st->os_deps[st->nos++] = st->nrefs;
		else
			st->img_deps[st->nimg++] = st->nrefs;
		st->refs[st->nrefs++] = unique_ref(&used, want);
		free(want);
	}
	sw_map_release(&used);
}

static void state_release(struct cdx_state *st)
{
	for (size_t i = 0; i < st->nrefs; i++)
		free(st->refs[i]);
	free(st->refs);
	free(st->img_deps);
	free(st->os_deps);
}

/* The BOM with the components as stream 0, the image's dependsOn as 1 and
 * the OS's as 2. */
static json_t *skeleton(struct cdx_state *st, struct sw_report_stream s[3])
{
	const struct sw_report_ctx *ctx = st->ctx;
	const struct sw_inventory *inv = ctx->inv;
	char ts[32], uuid[37];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	const char *digest = sw_report_image_digest(inv);
	char *seed = sw_xasprintf("stowaway-cyclonedx\n%s\n%s",
				  digest ? digest : sw_report_image_name(inv), ctx->tool_version);
	sw_report_uuid(seed, uuid);
	free(seed);

	json_t *doc = json_object();
	json_object_set_new(doc, "$schema", json_string("http://cyclonedx.org/schema/bom-1.5.schema.json"));
	json_object_set_new(doc, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(doc, "specVersion", json_string("1.5"));
	char *serial = sw_xasprintf("urn:uuid:%s", uuid);
	json_object_set_new(doc, "serialNumber", json_string(serial));
	free(serial);
	json_object_set_new(doc, "version", json_integer(1));

	json_t *meta = json_object();
	json_object_set_new(meta, "timestamp", json_string(ts));
	json_t *tool = json_object();
	json_object_set_new(tool, "vendor", json_string("stowaway"));
	json_object_set_new(tool, "name", json_string("stowaway"));
	json_object_set_new(tool, "version", sw_report_jstr(ctx->tool_version));
	json_t *tools = json_array();   /* the legacy form: Trivy 0.44 reads only this */
	json_array_append_new(tools, tool);
	json_object_set_new(meta, "tools", tools);
	json_object_set_new(meta, "component", image_component(inv));
	json_object_set_new(doc, "metadata", meta);

	json_object_set_new(doc, "components", sw_report_stream_placeholder(0));
	json_t *deps = json_array();
	json_t *d = json_object();
	json_object_set_new(d, "ref", json_string("image"));
	json_object_set_new(d, "dependsOn", sw_report_stream_placeholder(1));
	json_array_append_new(deps, d);
	if (st->has_os) {
		d = json_object();
		json_object_set_new(d, "ref", json_string(st->refs[0]));
		json_object_set_new(d, "dependsOn", sw_report_stream_placeholder(2));
		json_array_append_new(deps, d);
	}
	json_object_set_new(doc, "dependencies", deps);
	sw_report_cdx_add_completeness(doc, ctx);
	s[0] = (struct sw_report_stream){ st->nrefs, component_item, st };
	s[1] = (struct sw_report_stream){ st->nimg, img_dep_item, st };
	s[2] = (struct sw_report_stream){ st->nos, os_dep_item, st };
	return doc;
}

json_t *sw_report_cdx_doc(const struct sw_report_ctx *ctx)
{
	struct cdx_state st;
	struct sw_report_stream s[3];
	state_init(&st, ctx);
	json_t *doc = sw_report_materialise(skeleton(&st, s), s, 3);
	state_release(&st);
	return doc;
}

int sw_report_cdx_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	struct cdx_state st;
	struct sw_report_stream s[3];
	state_init(&st, ctx);
	json_t *doc = skeleton(&st, s);
	int r = sw_report_dump_streamed(out, doc, s, 3, err);
	json_decref(doc);
	state_release(&st);
	return r;
}
