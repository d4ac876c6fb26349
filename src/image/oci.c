/*
 * oci.c - OCI image layouts: oci:DIR[:TAG] (a directory) and
 * oci-archive:PATH[:TAG] (the same layout inside a tar, read in place).
 *
 * index.json -> (nested indexes) -> manifest -> config + layers.  Every
 * blob read here is checked against its descriptor's digest and size.
 * Platform: opts->platform, default linux/amd64; a lone manifest without
 * a platform is taken as is.  TAG matches the ref.name annotation.
 */
#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "util/mem.h"

#define MAX_INDEX_DEPTH 4
#define MAX_LEAVES 4096

static char *blob_name(const char *digest)
{
	return sw_xasprintf("blobs/sha256/%s", digest + 7);
}

/* Read a blob named by a descriptor and verify it. */
static int read_blob(struct sw_image *img, const char *what, const char *digest, int64_t size,
		     struct sw_buf *out, struct sw_err *err)
{
	char *name = blob_name(digest);
	int rc = sw_store_read_all(img->store, name, img->max_json, out, err);
	if (rc == 0) {
		char w[256];
		snprintf(w, sizeof(w), "%s '%s'", what, name);
		rc = sw_digest_check(w, out->data, out->len, digest, size, err);
	}
	free(name);
	return rc;
}

struct leaf {
	struct sw_descriptor *d; /* borrowed from an index kept in `indexes` */
	const char *top_ref;     /* ref.name of its top-level descriptor */
};

struct gather {
	struct sw_vec leaves;   /* struct leaf* */
	struct sw_vec indexes;  /* struct sw_index* (owned) */
	struct sw_map kinds;    /* digest -> (void *)(1 + enum sw_doc_kind) when sniffed */
	struct sw_map expanded; /* digests of the indexes already walked */
	size_t visits;          /* descriptors looked at, all levels */
};

/* Nested indexes may name one child many times, at every level: each
 * index is read and walked once (by digest) and the walk stops after
 * MAX_VISITS descriptors, so the work is bounded by the bytes of the
 * distinct documents, not by the number of paths through them. */
#define MAX_VISITS 65536

static bool is_index_type(const char *mt)
{
	return sw_streq(mt, "application/vnd.oci.image.index.v1+json") ||
	       sw_streq(mt, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static bool is_schema1_type(const char *mt)
{
	return mt && strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 48) == 0;
}

/* Is the document d names an index?  From its media type, else by reading
 * it (once per digest). */
static int sniff_index(struct sw_image *img, struct gather *g, const struct sw_descriptor *d,
		       bool *index, struct sw_err *err)
{
	if (d->media_type) {
		*index = is_index_type(d->media_type);
		return 0;
	}
	uintptr_t known = (uintptr_t)sw_map_get(&g->kinds, d->digest);
	if (known) {
		*index = known - 1 == SW_DOC_INDEX;
		return 0;
	}
	struct sw_buf b = SW_BUF_INIT;
	enum sw_doc_kind k = SW_DOC_UNKNOWN;
	char what[128];
	snprintf(what, sizeof(what), "manifest '%s'", d->digest);
	int rc = read_blob(img, "manifest", d->digest, d->size, &b, err);
	if (rc == 0)
		rc = sw_manifest_kind(what, b.data, b.len, &k, err);
	sw_buf_release(&b);
	if (rc < 0)
		return rc;
	sw_map_put(&g->kinds, d->digest, (void *)(uintptr_t)(1 + k));
	*index = k == SW_DOC_INDEX;
	return 0;
}

static int gather(struct sw_image *img, struct gather *g, struct sw_vec *descs, const char *top_ref,
		  int depth, struct sw_err *err)
{
	for (size_t i = 0; i < descs->len; i++) {
		struct sw_descriptor *d = descs->items[i];
		const char *tref = depth == 0 ? d->ref_name : top_ref;
		if (++g->visits > MAX_VISITS)
			return sw_err_set(err, SW_E_LIMIT,
					  "image indexes name more than %d manifests in all", MAX_VISITS);
		bool index = false;
		int rc = sniff_index(img, g, d, &index, err);
		if (rc < 0)
			return rc;
		if (!index) {
			if (g->leaves.len >= MAX_LEAVES)
				return sw_err_set(err, SW_E_LIMIT, "more than %d manifests", MAX_LEAVES);
			struct leaf *l = sw_xcalloc(1, sizeof(*l));
			l->d = d;
			l->top_ref = tref;
			sw_vec_push(&g->leaves, l);
			continue;
		}
		if (depth >= MAX_INDEX_DEPTH)
			return sw_err_set(err, SW_E_LIMIT, "image indexes nested more than %d deep",
					  MAX_INDEX_DEPTH);
		if (sw_map_has(&g->expanded, d->digest))
			continue; /* its manifests are already gathered */
		sw_map_put(&g->expanded, d->digest, NULL);
		struct sw_buf b = SW_BUF_INIT;
		rc = read_blob(img, "index", d->digest, d->size, &b, err);
		if (rc < 0) {
			sw_buf_release(&b);
			return rc;
		}
		char what[128];
		snprintf(what, sizeof(what), "index '%s'", d->digest);
		struct sw_index *ix = sw_xcalloc(1, sizeof(*ix));
		rc = sw_manifest_parse_index(what, b.data, b.len, ix, err);
		sw_buf_release(&b);
		if (rc < 0) {
			free(ix);
			return rc;
		}
		sw_vec_push(&g->indexes, ix);
		if ((rc = gather(img, g, &ix->manifests, tref, depth + 1, err)) < 0)
			return rc;
	}
	return 0;
}

static void index_free(void *p)
{
	if (p)
		sw_index_release(p);
	free(p);
}

static char *platform_list(const struct gather *g)
{
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < g->leaves.len; i++) {
		const struct leaf *l = g->leaves.items[i];
		if (!l->d->has_platform)
			continue;
		if (b.len)
			sw_buf_addstr(&b, ", ");
		sw_buf_addf(&b, "%s/%s%s%s", l->d->platform.os, l->d->platform.architecture,
			    l->d->platform.variant ? "/" : "",
			    l->d->platform.variant ? l->d->platform.variant : "");
	}
	char *s = sw_buf_detach(&b, NULL);
	return s ? s : sw_xstrdup("");
}

/* Pick the manifest descriptor for the wanted platform (see top). */
static int choose(struct sw_image *img, const struct gather *g, const struct leaf **out,
		  struct sw_err *err)
{
	const struct leaf *plain = NULL;
	size_t nplain = 0;
	for (size_t i = 0; i < g->leaves.len; i++) {
		const struct leaf *l = g->leaves.items[i];
		if (l->d->has_platform) {
			if (sw_platform_match(&img->want, &l->d->platform)) {
				*out = l;
				return 0;
			}
			continue;
		}
		if (!plain || !sw_streq(plain->d->digest, l->d->digest))
			nplain++;
		if (!plain)
			plain = l;
	}
	if (nplain == 1) {
		*out = plain;
		return 0;
	}
	if (nplain > 1) {
		struct sw_buf b = SW_BUF_INIT;
		for (size_t i = 0; i < g->leaves.len; i++) {
			const struct leaf *l = g->leaves.items[i];
			if (l->top_ref)
				sw_buf_addf(&b, "%s'%s'", b.len ? ", " : "", l->top_ref);
		}
		int rc = sw_err_set(err, SW_E_USAGE,
				    "index.json holds %zu images; choose one with a tag (%s)", nplain,
				    b.len ? b.data : "none is tagged");
		sw_buf_release(&b);
		return rc;
	}
	char *have = platform_list(g);
	int rc = sw_err_set(err, SW_E_NOTFOUND, "no image for platform '%s/%s%s%s' (the index has: %s)",
			    img->want.os, img->want.architecture, img->want.variant ? "/" : "",
			    img->want.variant ? img->want.variant : "", *have ? have : "none");
	free(have);
	return rc;
}

static bool tag_matches(const char *ref_name, const char *tag)
{
	if (!ref_name)
		return false;
	if (strcmp(ref_name, tag) == 0)
		return true;
	size_t a = strlen(ref_name), b = strlen(tag);
	/* "docker.io/library/alpine:3.19" matches the tag "3.19" */
	return a > b + 1 && ref_name[a - b - 1] == ':' && strcmp(ref_name + a - b, tag) == 0;
}

static bool is_foreign(const struct sw_descriptor *d)
{
	return d->urls0 || (d->media_type && (strstr(d->media_type, "foreign") ||
					      strstr(d->media_type, "nondistributable")));
}

static int open_manifest(struct sw_image *img, const struct leaf *l, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT, cb = SW_BUF_INIT;
	struct sw_manifest m = { 0 };
	char what[128];
	snprintf(what, sizeof(what), "manifest '%s'", l->d->digest);
	if (is_schema1_type(l->d->media_type))
		return sw_err_set(err, SW_E_UNSUPPORTED, "%s: docker schema 1 manifests are not supported",
				  what);
	int rc = read_blob(img, "manifest", l->d->digest, l->d->size, &b, err);
	enum sw_doc_kind k = SW_DOC_UNKNOWN;
	if (rc == 0)
		rc = sw_manifest_kind(what, b.data, b.len, &k, err);
	if (rc == 0 && k == SW_DOC_SCHEMA1)
		rc = sw_err_set(err, SW_E_UNSUPPORTED, "%s: docker schema 1 manifests are not supported",
				what);
	else if (rc == 0 && k != SW_DOC_MANIFEST)
		rc = sw_err_set(err, SW_E_FORMAT, "%s: not an image manifest", what);
	if (rc == 0)
		rc = sw_manifest_parse_manifest(what, b.data, b.len, &m, err);
	sw_buf_release(&b);
	if (rc < 0)
		goto out;
	sw_str_set(&img->info.manifest_digest, l->d->digest);
	sw_str_set(&img->info.base_name, m.base_name);
	sw_str_set(&img->info.base_digest, m.base_digest);
	if (l->top_ref)
		sw_vec_push_strdup(&img->info.repo_tags, l->top_ref);

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
			rc = sw_err_set(err, SW_E_UNSUPPORTED, "layer %zu '%s': encrypted layers are not "
					"supported", i + 1, d->digest);
			goto out;
		}
		char *name = blob_name(d->digest);
		/* tar: the header scan knows (missing, duplicated); directory:
		 * opening tells why it cannot be read (missing, not a file) */
		rc = sw_store_check(img->store, name, err);
		if (rc < 0) {
			if (err && err->code != SW_E_NOTFOUND) {
				free(name);
				goto out;
			}
			if (is_foreign(d))
				rc = sw_err_set(err, SW_E_NOTFOUND,
						"layer %zu '%s' is a foreign layer and its blob '%s' "
						"is missing%s%s",
						i + 1, d->digest, name, d->urls0 ? "; it is at " : "",
						d->urls0 ? d->urls0 : "");
			else
				rc = sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing", name);
			free(name);
			goto out;
		}
		sw_image_add_layer(img, name, d->digest, d->media_type,
				   d->size > 0 ? (uint64_t)d->size : 0);
		free(name);
	}
	rc = read_blob(img, "config", m.config.digest, m.config.size, &cb, err);
	if (rc < 0)
		goto out;
	size_t len = cb.len;
	char *raw = sw_buf_detach(&cb, NULL);
	if (!raw) {
		rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
		goto out;
	}
	rc = sw_image_set_config(img, raw, len, m.config.digest, err);
out:
	sw_buf_release(&cb);
	sw_manifest_release(&m);
	return rc;
}

int sw_oci_layout_resolve(struct sw_image *img, const char *tag, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_index top = { 0 };
	struct gather g = { SW_VEC_INIT, SW_VEC_INIT, SW_MAP_INIT, SW_MAP_INIT, 0 };
	struct sw_vec cands = SW_VEC_INIT;
	int rc;
	struct sw_err e2 = SW_ERR_INIT;
	if (sw_store_check(img->store, "oci-layout", &e2) < 0) {
		if (e2.code == SW_E_NOTFOUND)
			rc = sw_err_set(err, SW_E_FORMAT, "not an OCI image layout (oci-layout is missing)");
		else {
			if (err)
				*err = e2;
			rc = -e2.code;
		}
		goto out;
	}
	if ((rc = sw_store_read_all(img->store, "oci-layout", 65536, &b, err)) < 0 ||
	    (rc = sw_manifest_parse_layout("oci-layout", b.data, b.len, err)) < 0)
		goto out;
	sw_buf_reset(&b);
	if ((rc = sw_store_read_all(img->store, "index.json", img->max_json, &b, err)) < 0) {
		if (err && err->code == SW_E_NOTFOUND)
			sw_err_set(err, SW_E_FORMAT, "index.json is missing");
		goto out;
	}
	if ((rc = sw_manifest_parse_index("index.json", b.data, b.len, &top, err)) < 0)
		goto out;
	for (size_t i = 0; i < top.manifests.len; i++) {
		struct sw_descriptor *d = top.manifests.items[i];
		if (!tag || tag_matches(d->ref_name, tag))
			sw_vec_push(&cands, d);
	}
	if (!cands.len) {
		rc = tag ? sw_err_set(err, SW_E_NOTFOUND, "no image tagged '%s' in index.json", tag)
			 : sw_err_set(err, SW_E_FORMAT, "image has no layers (index.json lists no "
				      "manifest)");
		goto out;
	}
	if ((rc = gather(img, &g, &cands, NULL, 0, err)) < 0)
		goto out;
	const struct leaf *l = NULL;
	if ((rc = choose(img, &g, &l, err)) < 0)
		goto out;
	rc = open_manifest(img, l, err);
out:
	sw_vec_release(&cands);
	sw_vec_free_all(&g.leaves, free);
	sw_vec_free_all(&g.indexes, index_free);
	sw_map_release(&g.kinds);
	sw_map_release(&g.expanded);
	sw_index_release(&top);
	sw_buf_release(&b);
	return rc;
}

static int oci_open(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		    struct sw_err *err)
{
	(void)opts;
	struct stat st;
	if (stat(ref->path, &st) != 0)
		return sw_err_errno(err, "cannot open");
	if (!S_ISDIR(st.st_mode))
		return sw_err_set(err, SW_E_FORMAT, "not a directory (use oci-archive: for a tar)");
	int rc = sw_store_open(ref->path, false, &img->store, err);
	if (rc < 0)
		return rc;
	return sw_oci_layout_resolve(img, ref->tag, err);
}

static int oci_archive_open(struct sw_image *img, const struct sw_ref *ref,
			    const struct sw_image_opts *opts, struct sw_err *err)
{
	(void)opts;
	struct stat st;
	if (stat(ref->path, &st) != 0)
		return sw_err_errno(err, "cannot open");
	if (S_ISDIR(st.st_mode))
		return sw_err_set(err, SW_E_FORMAT, "is a directory (use oci: for a layout directory)");
	if (!S_ISREG(st.st_mode))
		return sw_err_set(err, SW_E_FORMAT, "not a regular file");
	int rc = sw_store_open(ref->path, true, &img->store, err);
	if (rc < 0)
		return rc;
	return sw_oci_layout_resolve(img, ref->tag, err);
}

static int oci_bid(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	char *p = sw_xasprintf("%s/oci-layout", path);
	int r = access(p, F_OK) == 0 ? 100 : 0;
	free(p);
	return r;
}

static int oci_archive_bid(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	struct sw_store *s = NULL;
	struct sw_err e = SW_ERR_INIT;
	if (sw_store_open(path, true, &s, &e) < 0)
		return 0;
	int r = sw_store_has(s, "oci-layout") && sw_store_has(s, "index.json") ? 80 : 0;
	sw_store_free(s);
	return r;
}

const struct sw_transport sw_transport_oci = {
	.name = "oci",
	.bid = oci_bid,
	.open = oci_open,
	.walk_layer = sw_image_walk_store_layer,
};

const struct sw_transport sw_transport_oci_archive = {
	.name = "oci-archive",
	.bid = oci_archive_bid,
	.open = oci_archive_open,
	.walk_layer = sw_image_walk_store_layer,
};
