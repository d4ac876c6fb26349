/*
 * manifest.c - the JSON documents of an image, parsed with jansson.
 *
 * Strict about types: a field of the wrong type is an error naming the
 * document and the field, never a silent default.  Unknown fields are
 * ignored (forward compatibility).  Callers cap the size before parsing;
 * jansson caps the nesting depth.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "util/mem.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

static int load(const char *name, const char *data, size_t len, json_t **out, bool want_array,
		struct sw_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return sw_err_set(err, SW_E_FORMAT, "%s: not valid JSON (line %d: %s)", name, je.line,
				  je.text);
	if (want_array ? !json_is_array(root) : !json_is_object(root)) {
		json_decref(root);
		return sw_err_set(err, SW_E_FORMAT, "%s: not a JSON %s", name,
				  want_array ? "array" : "object");
	}
	*out = root;
	return 0;
}

/* Optional string member: *out = copy or NULL.  Wrong type = error. */
static int get_str(const char *name, const json_t *obj, const char *key, bool required,
		   char **out, struct sw_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || (json_is_null(v) && !required)) {
		if (required)
			return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is missing", name, key);
		return 0;
	}
	if (!json_is_string(v))
		return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is not a string", name, key);
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return sw_err_set(err, SW_E_FORMAT, "%s: '%s' contains a NUL byte", name, key);
	*out = sw_xstrdup(s);
	return 0;
}

static int check_digest(const char *name, const char *what, const char *d, struct sw_err *err)
{
	if (sw_digest_valid(d))
		return 0;
	if (strncmp(d, "sha512:", 7) == 0 || strncmp(d, "sha384:", 7) == 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "%s: %s '%.80s' uses an unsupported algorithm",
				  name, what, d);
	return sw_err_set(err, SW_E_FORMAT, "%s: %s '%.80s' is not a valid sha256 digest", name, what,
			  d);
}

void sw_platform_release(struct sw_platform *p)
{
	free(p->os);
	free(p->architecture);
	free(p->variant);
	p->os = p->architecture = p->variant = NULL;
}

void sw_descriptor_free(struct sw_descriptor *d)
{
	if (!d)
		return;
	free(d->media_type);
	free(d->digest);
	free(d->ref_name);
	free(d->urls0);
	sw_platform_release(&d->platform);
	free(d);
}

static void descriptor_free_v(void *p)
{
	sw_descriptor_free(p);
}

static int parse_descriptor(const char *name, const char *what, const json_t *o,
			    struct sw_descriptor **out, struct sw_err *err)
{
	if (!json_is_object(o))
		return sw_err_set(err, SW_E_FORMAT, "%s: %s is not an object", name, what);
	struct sw_descriptor *d = sw_xcalloc(1, sizeof(*d));
	d->size = -1;
	int rc;
	char ctx[256];
	snprintf(ctx, sizeof(ctx), "%s: %s", name, what);
	if ((rc = get_str(ctx, o, "mediaType", false, &d->media_type, err)) < 0)
		goto fail;
	if ((rc = get_str(ctx, o, "digest", true, &d->digest, err)) < 0)
		goto fail;
	if ((rc = check_digest(name, what, d->digest, err)) < 0)
		goto fail;
	json_t *v = json_object_get(o, "size");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'size' is not a non-negative integer",
					ctx);
			goto fail;
		}
		d->size = (int64_t)json_integer_value(v);
	}
	v = json_object_get(o, "annotations");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'annotations' is not an object", ctx);
			goto fail;
		}
		if ((rc = get_str(ctx, v, "org.opencontainers.image.ref.name", false, &d->ref_name,
				  err)) < 0)
			goto fail;
	}
	v = json_object_get(o, "platform");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'platform' is not an object", ctx);
			goto fail;
		}
		d->has_platform = true;
		if ((rc = get_str(ctx, v, "os", true, &d->platform.os, err)) < 0 ||
		    (rc = get_str(ctx, v, "architecture", true, &d->platform.architecture, err)) < 0 ||
		    (rc = get_str(ctx, v, "variant", false, &d->platform.variant, err)) < 0)
			goto fail;
	}
	v = json_object_get(o, "urls");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'urls' is not an array", ctx);
			goto fail;
		}
		json_t *u = json_array_get(v, 0);
		if (u && !json_is_string(u)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'urls' holds a non-string", ctx);
			goto fail;
		}
		if (u)
			d->urls0 = sw_xstrdup(json_string_value(u));
	}
	*out = d;
	return 0;
fail:
	sw_descriptor_free(d);
	return rc;
}

static int check_schema_version(const char *name, const json_t *root, struct sw_err *err)
{
	json_t *v = json_object_get(root, "schemaVersion");
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return sw_err_set(err, SW_E_FORMAT, "%s: 'schemaVersion' is not an integer", name);
	if (json_integer_value(v) == 1)
		return sw_err_set(err, SW_E_UNSUPPORTED,
				  "%s: docker schema 1 manifests are not supported", name);
	if (json_integer_value(v) != 2)
		return sw_err_set(err, SW_E_UNSUPPORTED, "%s: unsupported schemaVersion %lld", name,
				  (long long)json_integer_value(v));
	return 0;
}

int sw_manifest_parse_layout(const char *name, const char *data, size_t len, struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, false, err);
	if (rc < 0)
		return rc;
	char *ver = NULL;
	rc = get_str(name, root, "imageLayoutVersion", true, &ver, err);
	if (rc == 0 && strncmp(ver, "1.", 2) != 0)
		rc = sw_err_set(err, SW_E_UNSUPPORTED, "%s: unsupported imageLayoutVersion '%.40s'",
				name, ver);
	free(ver);
	json_decref(root);
	return rc;
}

int sw_manifest_kind(const char *name, const char *data, size_t len, enum sw_doc_kind *kind,
		     struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, false, err);
	if (rc < 0)
		return rc;
	char *mt = NULL;
	*kind = SW_DOC_UNKNOWN;
	if ((rc = get_str(name, root, "mediaType", false, &mt, err)) < 0)
		goto out;
	json_t *sv = json_object_get(root, "schemaVersion");
	if (sw_streq(mt, MT_DOCKER_V1) || sw_streq(mt, MT_DOCKER_V1_SIGNED) ||
	    (json_is_integer(sv) && json_integer_value(sv) == 1)) {
		*kind = SW_DOC_SCHEMA1;
	} else if (sw_streq(mt, MT_OCI_INDEX) || sw_streq(mt, MT_DOCKER_LIST)) {
		*kind = SW_DOC_INDEX;
	} else if (sw_streq(mt, MT_OCI_MANIFEST) || sw_streq(mt, MT_DOCKER_MANIFEST)) {
		*kind = SW_DOC_MANIFEST;
	} else if (mt) {
		rc = sw_err_set(err, SW_E_UNSUPPORTED, "%s: unsupported media type '%.100s'", name, mt);
	} else if (json_object_get(root, "manifests")) {
		*kind = SW_DOC_INDEX;
	} else if (json_object_get(root, "layers") || json_object_get(root, "config")) {
		*kind = SW_DOC_MANIFEST;
	} else {
		rc = sw_err_set(err, SW_E_FORMAT, "%s: neither an image manifest nor an index", name);
	}
out:
	free(mt);
	json_decref(root);
	return rc;
}

static int parse_descriptor_array(const char *name, const json_t *root, const char *key,
				  const char *what, struct sw_vec *out, struct sw_err *err)
{
	json_t *arr = json_object_get(root, key);
	if (!arr)
		return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is missing", name, key);
	if (!json_is_array(arr))
		return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is not an array", name, key);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		char w[64];
		snprintf(w, sizeof(w), "%s %zu", what, i + 1);
		struct sw_descriptor *d = NULL;
		int rc = parse_descriptor(name, w, v, &d, err);
		if (rc < 0)
			return rc;
		sw_vec_push(out, d);
	}
	return 0;
}

void sw_index_release(struct sw_index *ix)
{
	sw_vec_free_all(&ix->manifests, descriptor_free_v);
}

int sw_manifest_parse_index(const char *name, const char *data, size_t len, struct sw_index *out,
			    struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, false, err);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	if ((rc = check_schema_version(name, root, err)) == 0)
		rc = parse_descriptor_array(name, root, "manifests", "manifest", &out->manifests, err);
	if (rc < 0)
		sw_index_release(out);
	json_decref(root);
	return rc;
}

void sw_manifest_release(struct sw_manifest *m)
{
	free(m->config.media_type);
	free(m->config.digest);
	free(m->config.ref_name);
	free(m->config.urls0);
	sw_platform_release(&m->config.platform);
	memset(&m->config, 0, sizeof(m->config));
	sw_vec_free_all(&m->layers, descriptor_free_v);
	free(m->base_name);
	free(m->base_digest);
	m->base_name = m->base_digest = NULL;
}

int sw_manifest_parse_manifest(const char *name, const char *data, size_t len,
			       struct sw_manifest *out, struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, false, err);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	struct sw_descriptor *cfg = NULL;
	if ((rc = check_schema_version(name, root, err)) < 0)
		goto out;
	json_t *c = json_object_get(root, "config");
	if (!c) {
		rc = sw_err_set(err, SW_E_FORMAT, "%s: 'config' is missing", name);
		goto out;
	}
	if ((rc = parse_descriptor(name, "config", c, &cfg, err)) < 0)
		goto out;
	out->config = *cfg;
	free(cfg);
	if ((rc = parse_descriptor_array(name, root, "layers", "layer", &out->layers, err)) < 0)
		goto out;
	json_t *an = json_object_get(root, "annotations");
	if (an && !json_is_null(an)) {
		if (!json_is_object(an)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'annotations' is not an object", name);
			goto out;
		}
		char ctx[256];
		snprintf(ctx, sizeof(ctx), "%s: annotations", name);
		if ((rc = get_str(ctx, an, "org.opencontainers.image.base.name", false, &out->base_name,
				  err)) < 0 ||
		    (rc = get_str(ctx, an, "org.opencontainers.image.base.digest", false,
				  &out->base_digest, err)) < 0)
			goto out;
	}
out:
	if (rc < 0)
		sw_manifest_release(out);
	json_decref(root);
	return rc;
}

static void history_free(void *p)
{
	struct sw_history *h = p;
	if (!h)
		return;
	free(h->created_by);
	free(h->comment);
	free(h);
}

void sw_config_release(struct sw_config *c)
{
	sw_platform_release(&c->platform);
	sw_vec_free_strings(&c->diff_ids);
	sw_vec_free_all(&c->history, history_free);
}

int sw_manifest_parse_config(const char *name, const char *data, size_t len, struct sw_config *out,
			     struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, false, err);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	if ((rc = get_str(name, root, "os", false, &out->platform.os, err)) < 0 ||
	    (rc = get_str(name, root, "architecture", false, &out->platform.architecture, err)) < 0 ||
	    (rc = get_str(name, root, "variant", false, &out->platform.variant, err)) < 0)
		goto out;
	json_t *rootfs = json_object_get(root, "rootfs");
	if (!rootfs || !json_is_object(rootfs)) {
		rc = sw_err_set(err, SW_E_FORMAT, "%s: 'rootfs' is %s", name,
				rootfs ? "not an object" : "missing");
		goto out;
	}
	char *type = NULL;
	if ((rc = get_str(name, rootfs, "type", true, &type, err)) < 0)
		goto out;
	bool layers = strcmp(type, "layers") == 0;
	free(type);
	if (!layers) {
		rc = sw_err_set(err, SW_E_FORMAT, "%s: rootfs type is not 'layers'", name);
		goto out;
	}
	json_t *ids = json_object_get(rootfs, "diff_ids");
	if (!ids || !json_is_array(ids)) {
		rc = sw_err_set(err, SW_E_FORMAT, "%s: 'rootfs.diff_ids' is %s", name,
				ids ? "not an array" : "missing");
		goto out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: diff_id %zu is not a string", name,
					i + 1);
			goto out;
		}
		char what[64];
		snprintf(what, sizeof(what), "diff_id %zu", i + 1);
		if ((rc = check_digest(name, what, json_string_value(v), err)) < 0)
			goto out;
		sw_vec_push_strdup(&out->diff_ids, json_string_value(v));
	}
	json_t *hist = json_object_get(root, "history");
	if (hist && !json_is_null(hist)) {
		if (!json_is_array(hist)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s: 'history' is not an array", name);
			goto out;
		}
		json_array_foreach(hist, i, v) {
			char ctx[256];
			snprintf(ctx, sizeof(ctx), "%s: history %zu", name, i + 1);
			if (!json_is_object(v)) {
				rc = sw_err_set(err, SW_E_FORMAT, "%s is not an object", ctx);
				goto out;
			}
			struct sw_history *h = sw_xcalloc(1, sizeof(*h));
			sw_vec_push(&out->history, h);
			if ((rc = get_str(ctx, v, "created_by", false, &h->created_by, err)) < 0 ||
			    (rc = get_str(ctx, v, "comment", false, &h->comment, err)) < 0)
				goto out;
			json_t *e = json_object_get(v, "empty_layer");
			if (e && !json_is_null(e)) {
				if (!json_is_boolean(e)) {
					rc = sw_err_set(err, SW_E_FORMAT,
							"%s: 'empty_layer' is not a boolean", ctx);
					goto out;
				}
				h->empty_layer = json_is_true(e);
			}
		}
	}
out:
	if (rc < 0)
		sw_config_release(out);
	json_decref(root);
	return rc;
}

void sw_docker_entry_free(struct sw_docker_entry *e)
{
	if (!e)
		return;
	free(e->config);
	sw_vec_free_strings(&e->repo_tags);
	sw_vec_free_strings(&e->layers);
	sw_map_free_all(&e->layer_sources, descriptor_free_v);
	free(e);
}

static int str_array(const char *name, const json_t *o, const char *key, bool required,
		     struct sw_vec *out, struct sw_err *err)
{
	json_t *arr = json_object_get(o, key);
	if (!arr || json_is_null(arr)) {
		if (required)
			return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is missing", name, key);
		return 0;
	}
	if (!json_is_array(arr))
		return sw_err_set(err, SW_E_FORMAT, "%s: '%s' is not an array", name, key);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return sw_err_set(err, SW_E_FORMAT, "%s: '%s' item %zu is not a string", name,
					  key, i + 1);
		sw_vec_push_strdup(out, json_string_value(v));
	}
	return 0;
}

int sw_manifest_parse_docker(const char *name, const char *data, size_t len,
			     struct sw_vec *entries, struct sw_err *err)
{
	json_t *root;
	int rc = load(name, data, len, &root, true, err);
	if (rc < 0)
		return rc;
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		char ctx[256];
		snprintf(ctx, sizeof(ctx), "%s: image %zu", name, i + 1);
		if (!json_is_object(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "%s is not an object", ctx);
			break;
		}
		struct sw_docker_entry *e = sw_xcalloc(1, sizeof(*e));
		sw_vec_push(entries, e);
		if ((rc = get_str(ctx, v, "Config", true, &e->config, err)) < 0 ||
		    (rc = str_array(ctx, v, "RepoTags", false, &e->repo_tags, err)) < 0 ||
		    (rc = str_array(ctx, v, "Layers", true, &e->layers, err)) < 0)
			break;
		json_t *ls = json_object_get(v, "LayerSources");
		if (ls && !json_is_null(ls)) {
			if (!json_is_object(ls)) {
				rc = sw_err_set(err, SW_E_FORMAT, "%s: 'LayerSources' is not an object",
						ctx);
				break;
			}
			const char *k;
			json_t *d;
			json_object_foreach(ls, k, d) {
				struct sw_descriptor *desc = NULL;
				if ((rc = parse_descriptor(ctx, "layer source", d, &desc, err)) < 0)
					break;
				descriptor_free_v(sw_map_put(&e->layer_sources, k, desc));
			}
			if (rc < 0)
				break;
		}
	}
	if (rc == 0 && entries->len == 0)
		rc = sw_err_set(err, SW_E_FORMAT, "%s: lists no image", name);
	if (rc < 0) {
		for (size_t j = 0; j < entries->len; j++)
			sw_docker_entry_free(entries->items[j]);
		sw_vec_release(entries);
	}
	json_decref(root);
	return rc;
}

/* ---- platforms --------------------------------------------------------- */

int sw_platform_parse(const char *s, struct sw_platform *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *a = strchr(s, '/');
	if (!a || a == s || !a[1])
		return sw_err_set(err, SW_E_USAGE, "platform '%s' is not os/arch[/variant]", s);
	const char *v = strchr(a + 1, '/');
	if (v && (v == a + 1 || !v[1] || strchr(v + 1, '/')))
		return sw_err_set(err, SW_E_USAGE, "platform '%s' is not os/arch[/variant]", s);
	out->os = sw_xstrndup(s, (size_t)(a - s));
	out->architecture = v ? sw_xstrndup(a + 1, (size_t)(v - a - 1)) : sw_xstrdup(a + 1);
	out->variant = v ? sw_xstrdup(v + 1) : NULL;
	return 0;
}

static const char *norm_variant(const char *arch, const char *variant)
{
	if (variant && *variant)
		return variant;
	if (sw_streq(arch, "arm64"))
		return "v8";
	return NULL;
}

bool sw_platform_match(const struct sw_platform *want, const struct sw_platform *have)
{
	if (!sw_streq(want->os, have->os) || !sw_streq(want->architecture, have->architecture))
		return false;
	const char *wv = norm_variant(want->architecture, want->variant);
	if (!want->variant)
		return true;
	const char *hv = norm_variant(have->architecture, have->variant);
	return hv && sw_streq(wv, hv);
}
