/*
 * artifact.h - an OCI artifact of one blob in a registry (the vulnerability
 * database: `db push`, `db pull`, `scan --db-pull`; docs/vulndb.md
 * "The database as an OCI artifact").
 *
 * The manifest is an OCI image manifest (application/vnd.oci.image.manifest
 * .v1+json, schemaVersion 2) with an artifactType, a config blob of the
 * caller's media type, exactly one layer, and annotations.  Auth, TLS and
 * retries are the registry: transport's (image.h struct sw_image_opts:
 * --username/--password-stdin, STOWAWAY_REGISTRY_USERNAME/PASSWORD, the
 * docker config and credential helpers, --insecure, --plain-http).
 *
 * Ownership: options are borrowed; struct sw_artifact_info is released with
 * sw_artifact_info_release().
 */
#ifndef SW_IMAGE_ARTIFACT_H
#define SW_IMAGE_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_artifact_push {
	const char *artifact_type;        /* manifest artifactType */
	const char *config_media_type;
	const void *config;               /* the config blob's bytes */
	size_t config_len;
	const char *layer_media_type;
	FILE *layer;                      /* the layer's bytes (rewound as needed) */
	uint64_t layer_size;
	const char *layer_digest;         /* "sha256:..." of those bytes */
	const char *layer_title;          /* org.opencontainers.image.title of the layer, or NULL */
	const char *const *annotations;   /* manifest annotations: key, value, ..., NULL */
};

/* Push to ref ("[registry:]HOST[:PORT]/REPO:TAG"): the layer and config
 * blobs (each skipped when the registry has it), then the manifest under
 * the tag.  *manifest_digest (owned): the manifest's digest. */
int sw_artifact_push(const char *ref, const struct sw_image_opts *o, const struct sw_artifact_push *p,
		     char **manifest_digest, struct sw_err *err);

struct sw_artifact_info {
	char *manifest_digest;            /* "sha256:..." of the manifest read */
	char *layer_digest;
	uint64_t layer_size;
	struct sw_vec annotations;        /* char*: key, value, key, value ... (manifest annotations) */
};
void sw_artifact_info_release(struct sw_artifact_info *a);
/* The value of a manifest annotation, or NULL (borrowed). */
const char *sw_artifact_annotation(const struct sw_artifact_info *a, const char *key);

/* Check a manifest's bytes: an OCI image manifest whose artifactType (or,
 * without one, config mediaType) is want_type, with exactly one layer of
 * media type want_layer_type and a valid sha256 digest, of at most
 * max_size bytes.  Fills out (manifest_digest left NULL).  SW_E_FORMAT
 * naming what is wrong, SW_E_LIMIT for a layer larger than max_size. */
int sw_artifact_manifest_check(const char *data, size_t len, const char *want_type, const char *want_layer_type,
			       uint64_t max_size, struct sw_artifact_info *out, struct sw_err *err);

/* Pull ref: read its manifest (sw_artifact_manifest_check), then stream the
 * layer to write(ctx, ...) while hashing it; a blob whose SHA-256 or size is
 * not the manifest's is refused (SW_E_DIGEST) after the bytes were written:
 * the caller writes them somewhere temporary and throws them away on any
 * error. */
typedef int (*sw_artifact_write_fn)(void *ctx, const void *buf, size_t n, struct sw_err *err);
int sw_artifact_pull(const char *ref, const struct sw_image_opts *o, const char *want_type,
		     const char *want_layer_type, uint64_t max_size, sw_artifact_write_fn write, void *ctx,
		     struct sw_artifact_info *out, struct sw_err *err);

#endif
