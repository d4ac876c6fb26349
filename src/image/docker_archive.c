/*
 * docker_archive.c - docker-archive:PATH[:NAME:TAG], the output of
 * `docker save`.
 *
 * manifest.json (anywhere in the tar: the header scan finds it) names the
 * config member and the layer members.  Legacy archives use "<hex>.json"
 * and "<id>/layer.tar"; Docker 25+ writes an OCI layout inside and names
 * blobs "blobs/sha256/<hex>".  The config digest comes from its name and
 * is verified; a layer named by digest is verified against it, and every
 * layer against the config's diff_ids.  manifest_digest is set only when
 * the archive also holds an OCI layout (Docker 25+) with our manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/internal.h"
#include "util/mem.h"
#include "util/path.h"

/* "sha256:<hex>" if name is "blobs/sha256/<hex>" or "<hex>.json". */
static char *digest_from_name(const char *name)
{
	char *d = NULL;
	if (strncmp(name, "blobs/sha256/", 13) == 0)
		d = sw_xasprintf("sha256:%s", name + 13);
	else if (strlen(name) == 69 && sw_ends_with(name, ".json"))
		d = sw_xasprintf("sha256:%.64s", name);
	if (d && !sw_digest_valid(d)) {
		free(d);
		d = NULL;
	}
	return d;
}

static bool tag_matches(const char *repo_tag, const char *want)
{
	if (strcmp(repo_tag, want) == 0)
		return true;
	/* "alpine" means "alpine:latest" */
	size_t n = strlen(want);
	return !strchr(want, ':') && strncmp(repo_tag, want, n) == 0 &&
	       strcmp(repo_tag + n, ":latest") == 0;
}

/* Docker 25+ also writes an OCI layout: find the manifest whose config is
 * ours and take its (verified) digest.  Best effort: manifest.json stays
 * authoritative, and any problem here just leaves manifest_digest NULL. */
static void find_manifest_digest(struct sw_image *img, const char *config_digest)
{
	if (!sw_store_has(img->store, "oci-layout") || !sw_store_has(img->store, "index.json"))
		return;
	struct sw_buf b = SW_BUF_INIT;
	struct sw_index ix = { 0 };
	struct sw_err e = SW_ERR_INIT;
	if (sw_store_read_all(img->store, "index.json", img->max_json, &b, &e) < 0 ||
	    sw_manifest_parse_index("index.json", b.data, b.len, &ix, &e) < 0) {
		sw_buf_release(&b);
		return;
	}
	for (size_t i = 0; i < ix.manifests.len && !img->info.manifest_digest; i++) {
		const struct sw_descriptor *d = ix.manifests.items[i];
		char *name = sw_xasprintf("blobs/sha256/%s", d->digest + 7);
		struct sw_manifest m = { 0 };
		sw_buf_reset(&b);
		if (sw_store_read_all(img->store, name, img->max_json, &b, &e) == 0 &&
		    sw_digest_check(name, b.data, b.len, d->digest, d->size, &e) == 0 &&
		    sw_manifest_parse_manifest(name, b.data, b.len, &m, &e) == 0) {
			if (sw_streq(m.config.digest, config_digest)) {
				img->info.manifest_digest = sw_xstrdup(d->digest);
				sw_str_set(&img->info.base_name, m.base_name);
				sw_str_set(&img->info.base_digest, m.base_digest);
			}
			sw_manifest_release(&m);
		}
		free(name);
	}
	sw_index_release(&ix);
	sw_buf_release(&b);
}

static int da_open(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		   struct sw_err *err)
{
	(void)opts;
	struct stat st;
	int rc;
	if (stat(ref->path, &st) != 0)
		return sw_err_errno(err, "cannot open");
	if (S_ISDIR(st.st_mode))
		return sw_err_set(err, SW_E_FORMAT, "is a directory, not a docker-archive tar");
	if (!S_ISREG(st.st_mode))
		return sw_err_set(err, SW_E_FORMAT, "not a regular file");
	if ((rc = sw_store_open(ref->path, true, &img->store, err)) < 0)
		return rc;
	return sw_docker_archive_resolve(img, ref->tag, err);
}

int sw_docker_archive_resolve(struct sw_image *img, const char *tag, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_vec entries = SW_VEC_INIT;
	char *cdigest = NULL;
	int rc;
	if (!sw_store_has(img->store, "manifest.json")) {
		rc = sw_err_set(err, SW_E_FORMAT, "manifest.json is missing (not a docker-archive)");
		goto out;
	}
	if ((rc = sw_store_read_all(img->store, "manifest.json", img->max_json, &b, err)) < 0 ||
	    (rc = sw_manifest_parse_docker("manifest.json", b.data, b.len, &entries, err)) < 0)
		goto out;
	sw_buf_reset(&b);

	struct sw_docker_entry *e = NULL;
	if (tag) {
		for (size_t i = 0; i < entries.len && !e; i++) {
			struct sw_docker_entry *c = entries.items[i];
			for (size_t j = 0; j < c->repo_tags.len; j++)
				if (tag_matches(c->repo_tags.items[j], tag))
					e = c;
		}
		if (!e) {
			rc = sw_err_set(err, SW_E_NOTFOUND, "manifest.json has no image tagged '%s'",
					tag);
			goto out;
		}
	} else if (entries.len == 1) {
		e = entries.items[0];
	} else {
		rc = sw_err_set(err, SW_E_USAGE,
				"manifest.json lists %zu images; choose one with "
				"docker-archive:PATH:NAME:TAG",
				entries.len);
		goto out;
	}
	for (size_t j = 0; j < e->repo_tags.len; j++)
		sw_vec_push_strdup(&img->info.repo_tags, e->repo_tags.items[j]);

	/* config */
	if ((rc = sw_store_read_all(img->store, e->config, img->max_json, &b, err)) < 0)
		goto out;
	char got[SW_DIGEST_MAX];
	sw_digest_sha256(b.data, b.len, got);
	cdigest = digest_from_name(e->config);
	if (cdigest && strcmp(cdigest, got) != 0) {
		rc = sw_err_set(err, SW_E_DIGEST,
				"config '%s': digest mismatch (its name says %s, content is %s)",
				e->config, cdigest, got);
		goto out;
	}
	for (size_t i = 0; i < e->layers.len; i++) {
		const char *name = e->layers.items[i];
		char *d = strncmp(name, "blobs/", 6) == 0 ? digest_from_name(name) : NULL;
		int64_t size = sw_store_size(img->store, name);
		sw_image_add_layer(img, name, d, NULL, size > 0 ? (uint64_t)size : 0);
		free(d);
	}
	size_t len = b.len;
	char *raw = sw_buf_detach(&b, NULL);
	if (!raw) {
		rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sw_image_set_config(img, raw, len, got, err)) < 0)
		goto out;
	find_manifest_digest(img, got);

	/* every layer blob present (foreign ones named as such) */
	for (size_t i = 0; i < e->layers.len; i++) {
		struct sw_layer_desc *d = img->info.layers.items[i];
		const struct sw_descriptor *src = sw_map_get(&e->layer_sources, d->diff_id);
		if (src && src->media_type)
			sw_str_set(&d->media_type, src->media_type);
		struct sw_err e2 = SW_ERR_INIT;
		if ((rc = sw_store_check(img->store, e->layers.items[i], &e2)) == 0)
			continue;
		if (e2.code != SW_E_NOTFOUND) {
			if (err)
				*err = e2;
			goto out;
		}
		if (src)
			rc = sw_err_set(err, SW_E_NOTFOUND,
					"layer %zu '%s' is a foreign layer and its blob '%s' is "
					"missing%s%s",
					i + 1, d->diff_id, (const char *)e->layers.items[i],
					src->urls0 ? "; it is at " : "", src->urls0 ? src->urls0 : "");
		else
			rc = sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing",
					(const char *)e->layers.items[i]);
		goto out;
	}
out:
	free(cdigest);
	for (size_t i = 0; i < entries.len; i++)
		sw_docker_entry_free(entries.items[i]);
	sw_vec_release(&entries);
	sw_buf_release(&b);
	return rc;
}

static int da_bid(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	struct sw_store *s = NULL;
	struct sw_err e = SW_ERR_INIT;
	if (sw_store_open(path, true, &s, &e) < 0)
		return 0;
	int r = sw_store_has(s, "manifest.json") ? 90 : 0;
	sw_store_free(s);
	return r;
}

const struct sw_transport sw_transport_docker_archive = {
	.name = "docker-archive",
	.bid = da_bid,
	.open = da_open,
	.walk_layer = sw_image_walk_store_layer,
};
