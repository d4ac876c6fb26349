/*
 * image.c - open an image reference, dispatch to its transport, hold the
 * image's description, and walk its layers.
 *
 * Transports are an ops table (like libarchive's format readers): a bare
 * path is offered to every transport's bid() and the highest score wins.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "util/mem.h"
#include "util/secretmask.h"

static const struct sw_transport *const transports[] = {
	&sw_transport_oci,
	&sw_transport_docker_archive,
	&sw_transport_oci_archive,
	&sw_transport_dir,
	&sw_transport_registry,
	&sw_transport_containers_storage,
	&sw_transport_podman_container,
};

void sw_layer_desc_free(void *p)
{
	struct sw_layer_desc *d = p;
	if (!d)
		return;
	free(d->digest);
	free(d->diff_id);
	free(d->media_type);
	free(d->created_by);
	free(d->comment);
	free(d);
}

void sw_image_add_layer(struct sw_image *img, const char *member, const char *digest,
			const char *media_type, uint64_t size)
{
	struct sw_layer_desc *d = sw_xcalloc(1, sizeof(*d));
	d->digest = sw_xstrdup(digest);
	d->media_type = sw_xstrdup(media_type);
	d->size = size;
	sw_vec_push(&img->info.layers, d);
	sw_vec_push(&img->layer_names, sw_xstrdup(member));
}

static char *platform_str(const struct sw_platform *p)
{
	return sw_xasprintf("%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
			    p->variant ? "/" : "", p->variant ? p->variant : "");
}

int sw_image_set_config(struct sw_image *img, char *raw, size_t raw_len, const char *config_digest,
			struct sw_err *err)
{
	struct sw_image_info *in = &img->info;
	in->config_json = raw;
	sw_str_set(&in->config_digest, config_digest);
	struct sw_config c;
	char name[128];
	snprintf(name, sizeof(name), "config '%s'", config_digest ? config_digest : "?");
	int rc = sw_manifest_parse_config(name, raw, raw_len, &c, err);
	if (rc < 0)
		return rc;
	sw_str_set(&in->os, c.platform.os);
	sw_str_set(&in->architecture, c.platform.architecture);
	sw_str_set(&in->variant, c.platform.variant);
	size_t n = in->layers.len;
	if (n == 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "image has no layers");
		goto out;
	}
	if (c.diff_ids.len != n) {
		rc = sw_err_set(err, SW_E_FORMAT, "%s has %zu diff_ids but the manifest has %zu layers",
				name, c.diff_ids.len, n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct sw_layer_desc *d = in->layers.items[i];
		sw_str_set(&d->diff_id, c.diff_ids.items[i]);
	}
	/* non-empty history entries map to layers in order */
	size_t li = 0;
	for (size_t i = 0; i < c.history.len && li < n; i++) {
		struct sw_history *h = c.history.items[i];
		if (h->empty_layer)
			continue;
		struct sw_layer_desc *d = in->layers.items[li++];
		/* secret-looking build arguments and ENV values never leave image/ */
		free(d->created_by);
		d->created_by = sw_mask_secrets(h->created_by);
		sw_str_set(&d->comment, h->comment);
	}
	if (img->want_explicit && c.platform.os && c.platform.architecture &&
	    !sw_platform_match(&img->want, &c.platform)) {
		char *have = platform_str(&c.platform), *want = platform_str(&img->want);
		rc = sw_err_set(err, SW_E_NOTFOUND, "image is for platform '%s', not '%s'", have, want);
		free(have);
		free(want);
	}
out:
	sw_config_release(&c);
	return rc;
}

int sw_image_walk_store_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			      struct sw_err *err)
{
	const struct sw_layer_desc *d = img->info.layers.items[idx];
	const char *member = img->layer_names.items[idx];
	const char *id = d->digest ? d->digest : d->diff_id ? d->diff_id : member;
	struct sw_store_stream *st = NULL;
	int rc = sw_store_stream_open(img->store, member, &st, err);
	if (rc < 0)
		return sw_err_wrap(err, "'%s': layer %zu '%s'", img->display, idx + 1, id);
	struct sw_layer_check chk = { d->digest, d->diff_id, d->size, img->async_digests };
	bool cb_failed = false;
	rc = sw_layer_stream_walk(sw_store_stream_read, st, &chk, fn, ctx, &cb_failed, err);
	sw_store_stream_close(st);
	if (rc < 0 && !cb_failed)
		return sw_err_wrap(err, "'%s': layer %zu '%s'", img->display, idx + 1, id);
	return rc;
}

static const struct sw_transport *find_transport(const char *name)
{
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strcmp(transports[i]->name, name) == 0)
			return transports[i];
	return NULL;
}

int sw_image_open(const char *refstr, const struct sw_image_opts *opts, struct sw_image **out,
		  struct sw_err *err)
{
	static const struct sw_image_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	struct sw_ref ref;
	int rc = sw_ref_parse(refstr, &ref, err);
	if (rc < 0)
		return rc;
	struct sw_image *img = sw_xcalloc(1, sizeof(*img));
	img->rootfd = -1;
	img->display = sw_xstrdup(ref.path);
	img->max_json = opts->max_json ? opts->max_json : SW_IMAGE_JSON_MAX_DEFAULT;
	if (opts->platform) {
		if ((rc = sw_platform_parse(opts->platform, &img->want, err)) < 0)
			goto fail;
		img->want_explicit = true;
	} else {
		img->want.os = sw_xstrdup("linux");
		img->want.architecture = sw_xstrdup("amd64");
	}

	const struct sw_transport *t = NULL, *t_reg = NULL;
	if (ref.transport) {
		t = find_transport(ref.transport);
		if (!t) {
			rc = sw_err_set(err, SW_E_UNSUPPORTED, "'%s': unknown transport '%s'", refstr,
					ref.transport);
			goto fail;
		}
	} else {
		struct stat st;
		if (stat(ref.path, &st) != 0 && errno == ENOENT &&
		    sw_registry_ref_plausible(ref.path)) {
			t = t_reg = &sw_transport_registry;
		} else if (stat(ref.path, &st) != 0) {
			if (errno == ENOENT)
				rc = sw_err_set(err, SW_E_NOTFOUND,
						"'%s': no such file or directory (for a registry "
						"image write registry:%s)",
						ref.path, ref.path);
			else
				rc = sw_err_errno(err, "'%s'", ref.path);
			goto fail;
		}
		int best = 0;
		for (size_t i = 0; !t_reg && i < sizeof(transports) / sizeof(transports[0]); i++) {
			int score = transports[i]->bid(ref.path);
			if (score > best) {
				best = score;
				t = transports[i];
			}
		}
		if (!t) {
			rc = sw_err_set(err, SW_E_FORMAT,
					"'%s': not a container image (neither a directory nor a tar "
					"archive with manifest.json or oci-layout)",
					ref.path);
			goto fail;
		}
	}
	img->t = t;
	img->info.transport = sw_xstrdup(t->name);
	img->info.reference = ref.tag ? sw_xasprintf("%s:%s", ref.path, ref.tag)
				      : sw_xstrdup(ref.path);
	rc = t->open(img, &ref, opts, err);
	if (rc < 0) {
		size_t dl = strlen(img->display);
		if (!err || err->msg[0] != '\'' || strncmp(err->msg + 1, img->display, dl) != 0 ||
		    err->msg[dl + 1] != '\'')
			sw_err_wrap(err, "'%s'", img->display);
		goto fail;
	}
	sw_ref_release(&ref);
	*out = img;
	return 0;
fail:
	sw_ref_release(&ref);
	sw_image_close(img);
	return rc;
}

const struct sw_image_info *sw_image_get_info(const struct sw_image *img)
{
	return &img->info;
}

void sw_image_set_async_digests(struct sw_image *img, bool on)
{
	if (img)
		img->async_digests = on;
}

int sw_image_walk_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			struct sw_err *err)
{
	if (!img || idx >= img->info.layers.len)
		return sw_err_set(err, SW_E_USAGE, "layer index %zu out of range", idx);
	return img->t->walk_layer(img, idx, fn, ctx, err);
}

void sw_image_close(struct sw_image *img)
{
	if (!img)
		return;
	struct sw_image_info *in = &img->info;
	free(in->transport);
	free(in->reference);
	free(in->manifest_digest);
	free(in->config_digest);
	free(in->config_json);
	free(in->base_name);
	free(in->base_digest);
	free(in->os);
	free(in->architecture);
	free(in->variant);
	sw_vec_free_strings(&in->repo_tags);
	sw_vec_free_all(&in->layers, sw_layer_desc_free);
	sw_vec_free_strings(&img->layer_names);
	free(img->stream_blobs);
	sw_store_free(img->store);
	sw_registry_free(img->reg);
	sw_cstorage_free(img->cstorage);
	if (img->rootfd >= 0)
		close(img->rootfd);
	sw_platform_release(&img->want);
	free(img->display);
	free(img);
}
