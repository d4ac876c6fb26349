/*
 * sbom_json.c - stowaway's own JSON SBOM (schemaVersion 1.2).
 *
 * The layout is documented in docs/json-schema.md and described by
 * docs/stowaway-sbom.schema.json.  Every key is always present (null
 * when unknown) so consumers need no existence checks; key order is fixed.
 */
#include "report/report_int.h"

#include <stdlib.h>

#define SW_SBOM_SCHEMA_VERSION "1.2"

static json_t *str_array(const struct sw_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, sw_report_jstr(v->items[i]));
	return a;
}

static json_t *image_obj(const struct sw_inventory *inv)
{
	json_t *img = json_object();
	json_object_set_new(img, "transport", sw_report_jstr(inv->transport));
	json_object_set_new(img, "reference", sw_report_jstr(inv->reference));
	json_object_set_new(img, "manifestDigest", sw_report_jstr(inv->manifest_digest));
	json_object_set_new(img, "configDigest", sw_report_jstr(inv->config_digest));
	json_object_set_new(img, "os", sw_report_jstr(inv->image_os));
	json_object_set_new(img, "architecture", sw_report_jstr(inv->architecture));
	json_object_set_new(img, "repoTags", str_array(&inv->repo_tags));
	json_t *layers = json_array();
	for (size_t i = 0; i < inv->layers.len; i++) {
		const struct sw_inv_layer *l = inv->layers.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "index", json_integer(l->index));
		json_object_set_new(o, "digest", sw_report_jstr(l->digest));
		json_object_set_new(o, "diffId", sw_report_jstr(l->diff_id));
		json_object_set_new(o, "createdBy", sw_report_jstr(l->created_by));
		json_object_set_new(o, "size", json_integer((json_int_t)l->size));
		json_array_append_new(layers, o);
	}
	json_object_set_new(img, "layers", layers);
	return img;
}

static json_t *os_obj(const struct sw_os *os)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", sw_report_jstr(os->id));
	json_object_set_new(o, "versionId", sw_report_jstr(os->version_id));
	json_object_set_new(o, "codename", sw_report_jstr(os->codename));
	json_object_set_new(o, "prettyName", sw_report_jstr(os->pretty_name));
	json_object_set_new(o, "idLike", sw_report_jstr(os->id_like));
	json_object_set_new(o, "source", sw_report_jstr(os->source));
	json_object_set_new(o, "distroless", json_boolean(os->distroless));
	return o;
}

static json_t *layer_ref(const struct sw_inventory *inv, const struct sw_package *p)
{
	if (p->layer_index < 0)
		return json_null();
	const struct sw_inv_layer *l = sw_report_layer(inv, p->layer_index);
	const char *diff = p->layer_diff_id ? p->layer_diff_id : l ? l->diff_id : NULL;
	const char *by = p->layer_created_by ? p->layer_created_by : l ? l->created_by : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "index", json_integer(p->layer_index));
	json_object_set_new(o, "diffId", sw_report_jstr(diff));
	json_object_set_new(o, "createdBy", sw_report_jstr(by));
	return o;
}

static json_t *package_obj(const struct sw_report_ctx *ctx, size_t i)
{
	const struct sw_package *p = ctx->inv->packages.items[i];
	json_t *o = json_object();
	json_object_set_new(o, "type", sw_report_jstr(p->type ? p->type : "unknown"));
	json_object_set_new(o, "namespace", sw_report_jstr(p->namespace_));
	json_object_set_new(o, "name", sw_report_jstr(p->name ? p->name : ""));
	json_object_set_new(o, "version", sw_report_jstr(p->version));
	json_object_set_new(o, "epoch", p->epoch >= 0 ? json_integer(p->epoch) : json_null());
	json_object_set_new(o, "arch", sw_report_jstr(p->arch));
	json_object_set_new(o, "sourceName", sw_report_jstr(sw_report_source_name(p)));
	json_object_set_new(o, "sourceVersion",
			    sw_report_jstr(sw_report_source_version(p)));
	json_object_set_new(o, "licenses", str_array(&p->licenses));
	json_object_set_new(o, "purl", sw_report_jstr(ctx->purls[i]));
	json_object_set_new(o, "path", sw_report_jstr(p->path));
	json_object_set_new(o, "layer", layer_ref(ctx->inv, p));
	json_object_set_new(o, "owner", sw_report_jstr(p->owner));
	json_object_set_new(o, "flags", sw_report_flags(p->flags));
	json_object_set_new(o, "vendor", sw_report_jstr(p->vendor));
	json_object_set_new(o, "maintainer", sw_report_jstr(p->maintainer));
	json_object_set_new(o, "modularity", sw_report_jstr(p->modularity));
	json_object_set_new(o, "dependencies", str_array(&p->deps));
	return o;
}

static json_t *package_item(void *state, size_t i)
{
	return package_obj(state, i);
}

/* The document with the package list as stream 0. */
static json_t *skeleton(const struct sw_report_ctx *ctx, struct sw_report_stream *st)
{
	const struct sw_inventory *inv = ctx->inv;
	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));

	json_t *doc = json_object();
	json_object_set_new(doc, "schemaVersion", json_string(SW_SBOM_SCHEMA_VERSION));
	json_t *tool = json_object();
	json_object_set_new(tool, "name", json_string("stowaway"));
	json_object_set_new(tool, "version", sw_report_jstr(ctx->tool_version));
	json_object_set_new(doc, "tool", tool);
	json_object_set_new(doc, "created", json_string(ts));
	json_object_set_new(doc, "image", image_obj(inv));
	json_object_set_new(doc, "os", os_obj(&inv->os));
	json_object_set_new(doc, "packages", sw_report_stream_placeholder(0));
	json_object_set_new(doc, "warnings", str_array(&inv->warnings));
	sw_report_json_add_completeness(doc, ctx);
	*st = (struct sw_report_stream){ inv->packages.len, package_item, (void *)ctx };
	return doc;
}

json_t *sw_report_json_doc(const struct sw_report_ctx *ctx)
{
	struct sw_report_stream st;
	json_t *doc = skeleton(ctx, &st);
	return sw_report_materialise(doc, &st, 1);
}

int sw_report_json_sbom(FILE *out, const struct sw_report_ctx *ctx, struct sw_err *err)
{
	struct sw_report_stream st;
	json_t *doc = skeleton(ctx, &st);
	int r = sw_report_dump_streamed(out, doc, &st, 1, err);
	json_decref(doc);
	return r;
}
