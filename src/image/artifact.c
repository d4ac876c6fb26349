/*
 * artifact.c - an OCI artifact of one blob (artifact.h) over the registry
 * client of registry_http.c.
 */
#include "image/artifact.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "image/internal.h"
#include "util/mem.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MANIFEST_MAX ((size_t)1 << 20)

void sw_artifact_info_release(struct sw_artifact_info *a)
{
	if (!a)
		return;
	free(a->manifest_digest);
	free(a->layer_digest);
	sw_vec_free_strings(&a->annotations);
	memset(a, 0, sizeof(*a));
}

const char *sw_artifact_annotation(const struct sw_artifact_info *a, const char *key)
{
	for (size_t i = 0; i + 1 < a->annotations.len; i += 2)
		if (!strcmp(a->annotations.items[i], key))
			return a->annotations.items[i + 1];
	return NULL;
}

/* "registry:" prefix dropped; a tag is needed for a push */
static int parse_ref(const char *ref, bool need_tag, struct sw_registry_ref *rr, struct sw_err *err)
{
	if (sw_starts_with(ref, "registry:"))
		ref += strlen("registry:");
	else if (sw_starts_with(ref, "docker://"))
		ref += strlen("docker://");
	int rc = sw_registry_ref_parse(ref, rr, err);
	if (rc < 0)
		return rc;
	if (need_tag && (!rr->tag || rr->digest)) {
		sw_registry_ref_release(rr);
		return sw_err_set(err, SW_E_USAGE, "'%s': give a tag (HOST/REPO:TAG) to push to", ref);
	}
	return 0;
}

static int new_client(const struct sw_registry_ref *rr, const struct sw_image_opts *o, struct sw_registry **out,
		      struct sw_err *err)
{
	struct sw_registry_opts ro = { o ? o->username : NULL, o ? o->password : NULL, o && o->insecure,
				       o && o->plain_http };
	return sw_registry_new(rr, &ro, out, err);
}

static json_t *descriptor(const char *media_type, const char *digest, uint64_t size)
{
	json_t *d = json_object();
	json_object_set_new(d, "mediaType", json_string(media_type));
	json_object_set_new(d, "digest", json_string(digest));
	json_object_set_new(d, "size", json_integer((json_int_t)size));
	return d;
}

int sw_artifact_push(const char *ref, const struct sw_image_opts *o, const struct sw_artifact_push *p,
		     char **manifest_digest, struct sw_err *err)
{
	struct sw_registry_ref rr;
	int rc = parse_ref(ref, true, &rr, err);
	if (rc < 0)
		return rc;
	struct sw_registry *r = NULL;
	rc = new_client(&rr, o, &r, err);
	char cfg_digest[SW_DIGEST_MAX];
	sw_digest_sha256(p->config, p->config_len, cfg_digest);
	if (rc == 0)
		rc = sw_registry_put_blob_file(r, p->layer_digest, p->layer, p->layer_size, err);
	if (rc == 0)
		rc = sw_registry_put_blob(r, cfg_digest, p->config, p->config_len, err);
	char *text = NULL;
	if (rc == 0) {
		json_t *m = json_object();
		json_object_set_new(m, "schemaVersion", json_integer(2));
		json_object_set_new(m, "mediaType", json_string(OCI_MANIFEST));
		json_object_set_new(m, "artifactType", json_string(p->artifact_type));
		json_object_set_new(m, "config", descriptor(p->config_media_type, cfg_digest, p->config_len));
		json_t *layer = descriptor(p->layer_media_type, p->layer_digest, p->layer_size);
		if (p->layer_title) {
			json_t *la = json_object();
			json_object_set_new(la, "org.opencontainers.image.title", json_string(p->layer_title));
			json_object_set_new(layer, "annotations", la);
		}
		json_t *layers = json_array();
		json_array_append_new(layers, layer);
		json_object_set_new(m, "layers", layers);
		json_t *an = json_object();
		for (size_t i = 0; p->annotations && p->annotations[i] && p->annotations[i + 1]; i += 2)
			json_object_set_new(an, p->annotations[i], json_string(p->annotations[i + 1]));
		json_object_set_new(m, "annotations", an);
		text = json_dumps(m, JSON_COMPACT);
		json_decref(m);
		rc = sw_registry_put_manifest(r, rr.tag, OCI_MANIFEST, text, strlen(text), NULL, err);
	}
	if (rc == 0) {
		char d[SW_DIGEST_MAX];
		sw_digest_sha256(text, strlen(text), d);
		*manifest_digest = sw_xstrdup(d);
	}
	free(text);
	sw_registry_free(r);
	sw_registry_ref_release(&rr);
	return rc;
}

int sw_artifact_manifest_check(const char *data, size_t len, const char *want_type, const char *want_layer_type,
			       uint64_t max_size, struct sw_artifact_info *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	json_error_t je;
	json_t *m = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	int rc = 0;
	if (!json_is_object(m)) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: not a JSON object");
		goto out;
	}
	json_t *mt = json_object_get(m, "mediaType");
	if (json_integer_value(json_object_get(m, "schemaVersion")) != 2 ||
	    (mt && (!json_is_string(mt) || strcmp(json_string_value(mt), OCI_MANIFEST)))) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: not an OCI image manifest (schemaVersion 2, %s)",
				OCI_MANIFEST);
		goto out;
	}
	const char *type = json_string_value(json_object_get(m, "artifactType"));
	if (!type)
		type = json_string_value(json_object_get(json_object_get(m, "config"), "mediaType"));
	if (!type || strcmp(type, want_type) != 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: artifact type '%.100s', not '%s'",
				type ? type : "(none)", want_type);
		goto out;
	}
	json_t *layers = json_object_get(m, "layers");
	if (!json_is_array(layers) || json_array_size(layers) != 1) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: %s", "needs exactly one layer");
		goto out;
	}
	json_t *l = json_array_get(layers, 0);
	const char *lmt = json_string_value(json_object_get(l, "mediaType"));
	const char *dg = json_string_value(json_object_get(l, "digest"));
	json_t *sz = json_object_get(l, "size");
	if (!lmt || strcmp(lmt, want_layer_type) != 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: layer media type '%.100s', not '%s'",
				lmt ? lmt : "(none)", want_layer_type);
		goto out;
	}
	if (!dg || !sw_digest_valid(dg) || !json_is_integer(sz) || json_integer_value(sz) < 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: the layer needs a sha256 digest and a size");
		goto out;
	}
	if ((uint64_t)json_integer_value(sz) > max_size) {
		rc = sw_err_set(err, SW_E_LIMIT, "artifact manifest: layer of %lld bytes, more than %llu",
				(long long)json_integer_value(sz), (unsigned long long)max_size);
		goto out;
	}
	json_t *an = json_object_get(m, "annotations");
	if (an && !json_is_object(an)) {
		rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: 'annotations' is not an object");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(an, k, v) {
		if (!json_is_string(v)) {
			rc = sw_err_set(err, SW_E_FORMAT, "artifact manifest: annotation '%.100s' is not a string", k);
			goto out;
		}
		sw_vec_push_strdup(&out->annotations, k);
		sw_vec_push_strdup(&out->annotations, json_string_value(v));
	}
	out->layer_digest = sw_xstrdup(dg);
	out->layer_size = (uint64_t)json_integer_value(sz);
out:
	json_decref(m);
	if (rc < 0)
		sw_artifact_info_release(out);
	return rc;
}

int sw_artifact_pull(const char *ref, const struct sw_image_opts *o, const char *want_type,
		     const char *want_layer_type, uint64_t max_size, sw_artifact_write_fn write, void *ctx,
		     struct sw_artifact_info *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	struct sw_registry_ref rr;
	int rc = parse_ref(ref, false, &rr, err);
	if (rc < 0)
		return rc;
	struct sw_registry *r = NULL;
	struct sw_buf body = SW_BUF_INIT;
	char *ctype = NULL, *dhdr = NULL;
	struct sw_registry_stream *st = NULL;
	EVP_MD_CTX *md = NULL;
	rc = new_client(&rr, o, &r, err);
	const char *want = rr.digest ? rr.digest : rr.tag;
	if (rc == 0)
		rc = sw_registry_get_manifest(r, want, MANIFEST_MAX, &body, &ctype, &dhdr, err);
	char mdig[SW_DIGEST_MAX] = "";
	if (rc == 0) {
		sw_digest_sha256(body.data, body.len, mdig);
		if (rr.digest && strcmp(mdig, rr.digest) != 0)
			rc = sw_err_set(err, SW_E_DIGEST, "'%s': the manifest's digest is %s", ref, mdig);
	}
	if (rc == 0) {
		rc = sw_artifact_manifest_check(body.data, body.len, want_type, want_layer_type, max_size, out, err);
		if (rc < 0)
			sw_err_wrap(err, "'%s'", ref);
	}
	if (rc == 0) {
		out->manifest_digest = sw_xstrdup(mdig);
		rc = sw_registry_stream_open(r, out->layer_digest, out->layer_size, &st, err);
	}
	uint64_t got = 0;
	if (rc == 0) {
		md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(md, EVP_sha256(), NULL);
		unsigned char *buf = sw_xmalloc(1 << 16);
		for (;;) {
			ssize_t n = sw_registry_stream_read(st, buf, 1 << 16, err);
			if (n < 0) {
				rc = (int)n;
				break;
			}
			if (n == 0)
				break;
			got += (uint64_t)n;
			if (got > out->layer_size) {
				rc = sw_err_set(err, SW_E_DIGEST, "'%s': blob %s is longer than its %llu bytes", ref,
						out->layer_digest, (unsigned long long)out->layer_size);
				break;
			}
			EVP_DigestUpdate(md, buf, (size_t)n);
			if ((rc = write(ctx, buf, (size_t)n, err)) < 0)
				break;
		}
		free(buf);
	}
	if (rc == 0) {
		unsigned char d[32];
		unsigned int dl = 0;
		EVP_DigestFinal_ex(md, d, &dl);
		char hex[SW_DIGEST_MAX] = "sha256:";
		for (int i = 0; i < 32; i++)
			snprintf(hex + 7 + 2 * i, 3, "%02x", d[i]);
		if (got != out->layer_size || strcmp(hex, out->layer_digest) != 0)
			rc = sw_err_set(err, SW_E_DIGEST,
					"'%s': blob %s does not match its digest (got %llu bytes, %s): refused", ref,
					out->layer_digest, (unsigned long long)got, hex);
	}
	EVP_MD_CTX_free(md);
	sw_registry_stream_close(st);
	free(ctype);
	free(dhdr);
	sw_buf_release(&body);
	sw_registry_free(r);
	sw_registry_ref_release(&rr);
	if (rc < 0)
		sw_artifact_info_release(out);
	return rc;
}
