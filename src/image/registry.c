/*
 * registry.c - registry:HOST[:PORT]/REPO[:TAG|@DIGEST] (Registry HTTP API
 * v2 / OCI distribution).
 *
 * Open: GET the manifest (by tag or digest), verify it (the digest asked
 * for, else the Docker-Content-Digest the registry sent), follow manifest
 * lists / OCI indexes to the platform wanted (opts->platform, default
 * linux/amd64), refuse schema 1, GET the config blob (verified).  Layers
 * are not fetched at open: sw_image_walk_layer() streams each blob through
 * the same verified layer pipeline as local images, with no temp file, so a
 * layer the caller skips (cached by diff_id) costs no download.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "util/mem.h"

#define MAX_INDEX_DEPTH 4

static bool type_is(const char *ct, const char *want)
{
	if (!ct)
		return false;
	size_t n = strlen(want);
	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool is_index_ct(const char *ct)
{
	return type_is(ct, "application/vnd.oci.image.index.v1+json") ||
	       type_is(ct, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static bool is_manifest_ct(const char *ct)
{
	return type_is(ct, "application/vnd.oci.image.manifest.v1+json") ||
	       type_is(ct, "application/vnd.docker.distribution.manifest.v2+json");
}

static bool is_schema1_ct(const char *ct)
{
	return ct && strncasecmp(ct, "application/vnd.docker.distribution.manifest.v1", 47) == 0;
}

/* Fetch and verify one manifest document; *kind from its type or shape. */
static int fetch_doc(struct sw_image *img, const char *ref, const char *want_digest,
		     int64_t want_size, struct sw_buf *body, enum sw_doc_kind *kind, char **digest_out,
		     struct sw_err *err)
{
	char *ct = NULL, *dh = NULL;
	int rc = sw_registry_get_manifest(img->reg, ref, img->max_json, body, &ct, &dh, err);
	if (rc < 0)
		return rc;
	char what[160];
	snprintf(what, sizeof(what), "manifest '%s'", ref);
	char have[SW_DIGEST_MAX];
	sw_digest_sha256(body->data, body->len, have);
	if (want_digest) {
		if ((rc = sw_digest_check(what, body->data, body->len, want_digest, want_size, err)) < 0)
			goto out;
	} else if (dh && sw_digest_valid(dh) && strcmp(dh, have) != 0) {
		rc = sw_err_set(err, SW_E_DIGEST,
				"%s: content is '%s' but the registry says '%.80s'", what, have, dh);
		goto out;
	}
	if (is_schema1_ct(ct)) {
		*kind = SW_DOC_SCHEMA1;
	} else if (is_index_ct(ct)) {
		*kind = SW_DOC_INDEX;
	} else if (is_manifest_ct(ct)) {
		*kind = SW_DOC_MANIFEST;
	} else if ((rc = sw_manifest_kind(what, body->data, body->len, kind, err)) < 0) {
		goto out;
	}
	if (*kind == SW_DOC_SCHEMA1)
		rc = sw_err_set(err, SW_E_UNSUPPORTED,
				"%s: docker schema 1 manifests are not supported (push the image "
				"again with a current docker or skopeo to get schema 2)",
				what);
	else if (*kind == SW_DOC_UNKNOWN)
		rc = sw_err_set(err, SW_E_FORMAT, "%s: neither an image manifest nor an index (type "
				"'%.80s')", what, ct ? ct : "none");
	if (rc == 0)
		*digest_out = sw_xstrdup(have);
out:
	free(ct);
	free(dh);
	return rc;
}

static char *plat_str(const struct sw_platform *p)
{
	return sw_xasprintf("%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
			    p->variant ? "/" : "", p->variant ? p->variant : "");
}

/* The descriptor of the wanted platform in an index (borrowed). */
static int choose(struct sw_image *img, const struct sw_index *ix, const char *what,
		  const struct sw_descriptor **out, struct sw_err *err)
{
	const struct sw_descriptor *plain = NULL;
	size_t nplain = 0;
	for (size_t i = 0; i < ix->manifests.len; i++) {
		const struct sw_descriptor *d = ix->manifests.items[i];
		if (d->has_platform && sw_platform_match(&img->want, &d->platform)) {
			*out = d;
			return 0;
		}
		if (!d->has_platform) {
			nplain++;
			plain = d;
		}
	}
	if (nplain == 1 && !img->want_explicit) {
		*out = plain;
		return 0;
	}
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < ix->manifests.len; i++) {
		const struct sw_descriptor *d = ix->manifests.items[i];
		if (!d->has_platform || sw_streq(d->platform.os, "unknown"))
			continue;
		char *p = plat_str(&d->platform);
		sw_buf_addf(&b, "%s%s", b.len ? ", " : "", p);
		free(p);
	}
	char *want = plat_str(&img->want);
	int rc = sw_err_set(err, SW_E_NOTFOUND, "%s: no image for platform '%s' (it has: %s)", what,
			    want, b.len ? b.data : "none");
	free(want);
	sw_buf_release(&b);
	return rc;
}

static int open_image_manifest(struct sw_image *img, const char *digest, const char *data,
			       size_t len, struct sw_err *err)
{
	struct sw_manifest m = { 0 };
	struct sw_buf cb = SW_BUF_INIT;
	char what[160];
	snprintf(what, sizeof(what), "manifest '%s'", digest);
	int rc = sw_manifest_parse_manifest(what, data, len, &m, err);
	if (rc < 0)
		return rc;
	sw_str_set(&img->info.manifest_digest, digest);
	sw_str_set(&img->info.base_name, m.base_name);
	sw_str_set(&img->info.base_digest, m.base_digest);
	const char *cmt = m.config.media_type;
	if (cmt && !sw_streq(cmt, "application/vnd.oci.image.config.v1+json") &&
	    !sw_streq(cmt, "application/vnd.docker.container.image.v1+json")) {
		rc = sw_err_set(err, SW_E_UNSUPPORTED,
				"%s: not a container image (config media type '%.100s')", what, cmt);
		goto out;
	}
	for (size_t i = 0; i < m.layers.len; i++) {
		const struct sw_descriptor *d = m.layers.items[i];
		if (d->media_type && strstr(d->media_type, "encrypted")) {
			rc = sw_err_set(err, SW_E_UNSUPPORTED,
					"layer %zu '%s': encrypted layers are not supported", i + 1,
					d->digest);
			goto out;
		}
		sw_image_add_layer(img, d->digest, d->digest, d->media_type,
				   d->size > 0 ? (uint64_t)d->size : 0);
	}
	if ((rc = sw_registry_get_blob(img->reg, m.config.digest, img->max_json, &cb, err)) < 0)
		goto out;
	snprintf(what, sizeof(what), "config '%s'", m.config.digest);
	if ((rc = sw_digest_check(what, cb.data, cb.len, m.config.digest, m.config.size, err)) < 0)
		goto out;
	size_t clen = cb.len;
	char *raw = sw_buf_detach(&cb, NULL);
	if (!raw) {
		rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
		goto out;
	}
	rc = sw_image_set_config(img, raw, clen, m.config.digest, err);
out:
	sw_buf_release(&cb);
	sw_manifest_release(&m);
	return rc;
}

static int registry_open(struct sw_image *img, const struct sw_ref *ref,
			 const struct sw_image_opts *opts, struct sw_err *err)
{
	struct sw_registry_ref rr;
	int rc = sw_registry_ref_parse(ref->path, &rr, err);
	if (rc < 0)
		return rc;
	struct sw_registry_opts ro = { opts->username, opts->password, opts->insecure,
				       opts->plain_http };
	rc = sw_registry_new(&rr, &ro, &img->reg, err);
	if (rc < 0) {
		sw_registry_ref_release(&rr);
		return rc;
	}
	char *canon = sw_registry_ref_str(&rr);
	free(img->display);
	img->display = sw_xstrdup(canon);
	free(img->info.reference);
	img->info.reference = canon;
	if (rr.tag)
		sw_vec_push(&img->info.repo_tags, sw_xasprintf("%s/%s:%s", rr.host, rr.repo, rr.tag));

	struct sw_buf body = SW_BUF_INIT;
	enum sw_doc_kind kind = SW_DOC_UNKNOWN;
	char *digest = NULL;
	const char *want = rr.digest ? rr.digest : rr.tag;
	rc = fetch_doc(img, want, rr.digest, -1, &body, &kind, &digest, err);
	for (int depth = 0; rc == 0 && kind == SW_DOC_INDEX; depth++) {
		if (depth >= MAX_INDEX_DEPTH) {
			rc = sw_err_set(err, SW_E_LIMIT, "image indexes nested more than %d deep",
					MAX_INDEX_DEPTH);
			break;
		}
		struct sw_index ix = { 0 };
		char what[160];
		snprintf(what, sizeof(what), "index '%s'", digest);
		if ((rc = sw_manifest_parse_index(what, body.data, body.len, &ix, err)) < 0)
			break;
		const struct sw_descriptor *d = NULL;
		if ((rc = choose(img, &ix, what, &d, err)) == 0) {
			char *dg = sw_xstrdup(d->digest);
			int64_t sz = d->size;
			if (d->media_type && is_schema1_ct(d->media_type))
				rc = sw_err_set(err, SW_E_UNSUPPORTED, "manifest '%s': docker schema 1 "
						"manifests are not supported", dg);
			free(digest);
			digest = NULL;
			if (rc == 0)
				rc = fetch_doc(img, dg, dg, sz, &body, &kind, &digest, err);
			free(dg);
		}
		sw_index_release(&ix);
	}
	if (rc == 0)
		rc = open_image_manifest(img, digest, body.data, body.len, err);
	free(digest);
	sw_buf_release(&body);
	sw_registry_ref_release(&rr);
	return rc;
}

static int registry_walk(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			 struct sw_err *err)
{
	const struct sw_layer_desc *d = img->info.layers.items[idx];
	struct sw_registry_stream *st = NULL;
	int rc = sw_registry_stream_open(img->reg, d->digest, d->size, &st, err);
	if (rc < 0)
		return rc;
	struct sw_layer_check chk = { d->digest, d->diff_id, d->size, img->async_digests };
	bool cb_failed = false;
	rc = sw_layer_stream_walk(sw_registry_stream_read, st, &chk, fn, ctx, &cb_failed, err);
	sw_registry_stream_close(st);
	if (rc < 0 && !cb_failed && err && !sw_starts_with(err->msg, "'"))
		return sw_err_wrap(err, "'%s': layer %zu '%s'", img->display, idx + 1, d->digest);
	if (rc < 0 && !cb_failed && err && sw_starts_with(err->msg, "'"))
		return sw_err_wrap(err, "layer %zu", idx + 1);
	return rc;
}

static int registry_bid(const char *path)
{
	(void)path;
	return 0; /* never for a path that exists */
}

const struct sw_transport sw_transport_registry = {
	.name = "registry",
	.bid = registry_bid,
	.open = registry_open,
	.walk_layer = registry_walk,
};
