/*
 * archive_stream.c - a docker-archive or an OCI image archive read once, as
 * a stream (an HTTP upload), never written to disk (image.h
 * sw_image_open_stream).
 *
 * `docker save` writes manifest.json last and an OCI archive may put
 * index.json anywhere, so nothing tells which member is a layer before the
 * end.  Each regular member is looked at as it arrives:
 *
 * - a small member whose first non-blank byte is '{' or '[' (manifests,
 *   indexes, configs, oci-layout, repositories) is kept in memory (at most
 *   the JSON cap each, SW_STREAM_KEPT_MAX in all);
 * - any other member goes through the verified layer pipeline
 *   (layer_stream.c) while it streams by: the caller's blob callbacks see
 *   its entries (the layer pass) and its blob digest, size and diff_id are
 *   recorded.  A member that is not a layer (legacy VERSION files) just
 *   records why.
 *
 * Links between members (docker save's repeated layers) and repeated names
 * are recorded in a memory store (store.c), so that the end is what
 * docker-archive: and oci-archive: do on a file: manifest.json, else
 * index.json, is resolved by the same code (docker_archive.c, oci.c)
 * against the kept members, which verifies the config and manifests.  Then
 * every layer the manifest names is checked: its member was read as a layer,
 * its blob digest and size match the manifest (OCI, and docker archives
 * naming blobs by digest), its diff_id matches the config.  A layer kept in
 * memory (a tiny one) is walked from there.  Memory: the kept JSON, the
 * pipeline's fixed buffers and what the blob callbacks keep, not the
 * archive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "util/mem.h"
#include "util/path.h"

#define SW_STREAM_KEPT_MAX ((size_t)64 << 20)
#define SW_STREAM_MEMBERS_MAX 100000
#define OUTER_BUFSZ ((size_t)64 << 10)
#define PEEK_MAX 512

/* A member read as a layer while it streamed by. */
struct smember {
	void *blob;                  /* the caller's (ops->begin) */
	bool ok;                     /* read to its end as a layer */
	char *why;                   /* else: why not */
	char digest[SW_DIGEST_MAX];  /* blob bytes */
	char diff_id[SW_DIGEST_MAX]; /* uncompressed */
	uint64_t size;
};

struct sctx {
	sw_read_fn rd;
	void *rctx;
	struct sw_err rd_err;        /* the source failed (truncated body, cancelled) */
	bool rd_failed;
	bool outer_failed;           /* the outer tar broke inside a member */
	struct archive *a;
	unsigned char *inbuf;
	unsigned char peek[PEEK_MAX];
	size_t peek_len, peek_pos;
	const char *member;          /* the member being read, for messages */
	struct sw_map blobs;         /* member name -> struct smember* */
};

static la_ssize_t outer_read(struct archive *a, void *cd, const void **buf)
{
	struct sctx *c = cd;
	ssize_t n = c->rd(c->rctx, c->inbuf, OUTER_BUFSZ, &c->rd_err);
	if (n < 0) {
		c->rd_failed = true;
		if (c->rd_err.code == SW_OK)
			sw_err_set(&c->rd_err, SW_E_IO, "the archive could not be read");
		archive_set_error(a, EIO, "%s", c->rd_err.msg);
		return -1;
	}
	*buf = c->inbuf;
	return (la_ssize_t)n;
}

/* The current member's bytes: the peeked ones first. */
static ssize_t member_read(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	struct sctx *c = ctx;
	if (c->peek_pos < c->peek_len) {
		size_t k = c->peek_len - c->peek_pos;
		if (k > n)
			k = n;
		memcpy(buf, c->peek + c->peek_pos, k);
		c->peek_pos += k;
		return (ssize_t)k;
	}
	la_ssize_t r = archive_read_data(c->a, buf, n);
	if (r < 0) {
		c->outer_failed = true;
		if (c->rd_failed) {
			if (err)
				*err = c->rd_err;
			return -(ssize_t)c->rd_err.code;
		}
		return sw_err_set(err, SW_E_FORMAT, "member '%s': %s", c->member, archive_error_string(c->a));
	}
	return (ssize_t)r;
}

static void smember_free(void *p)
{
	struct smember *m = p;
	if (m)
		free(m->why);
	free(m);
}

static bool looks_like_json(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
			continue;
		return p[i] == '{' || p[i] == '[';
	}
	return false;
}

/* The outer tar's error: the source's own first (a truncated body says so). */
static int outer_error(struct sctx *c, size_t count, struct sw_err *err)
{
	if (c->rd_failed) {
		if (err)
			*err = c->rd_err;
		return -(c->rd_err.code ? c->rd_err.code : SW_E_IO);
	}
	if (count == 0)
		return sw_err_set(err, SW_E_FORMAT, "not a tar archive (%s)", archive_error_string(c->a));
	return sw_err_set(err, SW_E_FORMAT, "bad tar archive after %zu members (%s)", count,
			  archive_error_string(c->a));
}

/* Keep a member's bytes (the peeked ones and the rest). */
static int keep_member(struct sctx *c, const char *name, uint64_t size, size_t *kept_total,
		       struct sw_buf **out, struct sw_err *err)
{
	struct sw_buf *b = sw_xcalloc(1, sizeof(*b));
	sw_buf_init(b, (size_t)size + 1);
	sw_buf_add(b, c->peek, c->peek_len);
	char tmp[65536];
	for (;;) {
		la_ssize_t r = archive_read_data(c->a, tmp, sizeof(tmp));
		if (r < 0) {
			sw_buf_release(b);
			free(b);
			return c->rd_failed ? outer_error(c, 1, err)
					    : sw_err_set(err, SW_E_FORMAT, "member '%s': %s", name,
							 archive_error_string(c->a));
		}
		if (r == 0)
			break;
		sw_buf_add(b, tmp, (size_t)r);
		if (b->len > size || *kept_total + b->len > SW_STREAM_KEPT_MAX || !sw_buf_ok(b)) {
			sw_buf_release(b);
			free(b);
			return sw_err_set(err, SW_E_LIMIT, "the archive's JSON members are larger than %zu bytes in all",
					  SW_STREAM_KEPT_MAX);
		}
	}
	*kept_total += b->len;
	*out = b;
	return 0;
}

/* Read every member; layers go through the pipeline to ops as they pass. */
static int read_members(struct sctx *c, struct sw_store *store, size_t max_json,
			const struct sw_stream_blob_ops *ops, void *ctx, struct sw_err *err)
{
	struct archive_entry *ae;
	size_t count = 0, kept_total = 0;
	for (;;) {
		int r = archive_read_next_header(c->a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return outer_error(c, count, err);
		if (++count > SW_STREAM_MEMBERS_MAX)
			return sw_err_set(err, SW_E_LIMIT, "more than %d members", SW_STREAM_MEMBERS_MAX);
		const char *raw = archive_entry_pathname(ae);
		char *name = NULL;
		struct sw_err e2 = SW_ERR_INIT;
		if (!raw || sw_path_clean_member(raw, &name, &e2) < 0 || !*name) {
			free(name);
			continue;   /* never looked up: harmless, as in a tar store */
		}
		la_int64_t sz = archive_entry_size(ae);
		uint64_t size = sz > 0 ? (uint64_t)sz : 0;
		int type = (int)archive_entry_filetype(ae);
		const char *hl = archive_entry_hardlink(ae);
		int rc = 0;
		if (sw_map_has(&store->members, name)) {
			sw_store_mem_add(store, name, AE_IFREG, NULL, 0, NULL);   /* counted: refused on lookup */
		} else if (hl) {
			char *t = NULL;
			if (sw_path_clean_member(hl, &t, &e2) == 0)
				sw_store_mem_add(store, name, AE_IFREG, t, 0, NULL);
			free(t);
		} else if (type == AE_IFLNK) {
			const char *target = archive_entry_symlink(ae);
			if (target)
				sw_store_mem_add(store, name, AE_IFLNK, target, 0, NULL);
		} else if (type == AE_IFREG) {
			c->peek_len = c->peek_pos = 0;
			while (c->peek_len < PEEK_MAX && c->peek_len < size) {
				la_ssize_t n = archive_read_data(c->a, c->peek + c->peek_len, PEEK_MAX - c->peek_len);
				if (n < 0) {
					free(name);
					return c->rd_failed ? outer_error(c, count, err)
							    : sw_err_set(err, SW_E_FORMAT, "member '%s': %s", raw,
									 archive_error_string(c->a));
				}
				if (n == 0)
					break;
				c->peek_len += (size_t)n;
			}
			if (size == 0 || (size <= max_json && looks_like_json(c->peek, c->peek_len))) {
				struct sw_buf *b = NULL;
				rc = keep_member(c, name, size, &kept_total, &b, err);
				if (rc == 0)
					sw_store_mem_add(store, name, AE_IFREG, NULL, b->len, b);
			} else {
				struct smember *m = sw_xcalloc(1, sizeof(*m));
				m->blob = ops->begin(ctx, name);
				struct sw_layer_check chk = { .async_digests = true, .got_digest = m->digest,
							      .got_diff_id = m->diff_id, .got_size = &m->size };
				bool cb_failed = false;
				struct sw_err le = SW_ERR_INIT;
				c->member = name;
				c->outer_failed = false;
				int lr = sw_layer_stream_walk(member_read, c, &chk, ops->entry, m->blob, &cb_failed, &le);
				m->ok = lr == 0;
				ops->end(ctx, m->blob, m->ok);
				sw_map_put(&c->blobs, name, m);
				sw_store_mem_add(store, name, AE_IFREG, NULL, size, NULL);
				if (lr < 0 && (c->rd_failed || c->outer_failed)) {
					rc = c->rd_failed ? outer_error(c, count, err) : (err ? (*err = le, -le.code) : -le.code);
				} else if (lr < 0 && cb_failed) {
					if (err)
						*err = le;
					rc = -(le.code ? le.code : SW_E_INTERNAL);
				} else if (lr < 0) {
					m->why = sw_xstrdup(le.msg);
				}
			}
		}
		free(name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Tie each layer of the resolved image to what was read, and check it. */
static int check_layers(struct sw_image *img, struct sctx *c, const struct sw_stream_blob_ops *ops, void *ctx,
			struct sw_err *err)
{
	size_t n = img->info.layers.len;
	img->stream_blobs = sw_xcalloc(n ? n : 1, sizeof(void *));
	for (size_t i = 0; i < n; i++) {
		const struct sw_layer_desc *d = img->info.layers.items[i];
		const char *member = img->layer_names.items[i];
		const char *id = d->digest ? d->digest : d->diff_id ? d->diff_id : member;
		char *final = NULL;
		const struct sw_store_member *sm = sw_store_lookup(img->store, member, &final);
		if (!sm || !final) {
			free(final);
			return sw_err_set(err, SW_E_NOTFOUND, "layer %zu '%s': blob '%s' is missing", i + 1, id, member);
		}
		if (sm->kept) {   /* a tiny layer, kept in memory: walked (and verified) now */
			void *blob = ops->begin(ctx, final);
			free(final);
			int rc = sw_image_walk_store_layer(img, i, ops->entry, blob, err);
			ops->end(ctx, blob, rc == 0);
			img->stream_blobs[i] = blob;
			if (rc < 0)
				return rc;
			continue;
		}
		const struct smember *m = sw_map_get(&c->blobs, final);
		free(final);
		int rc = 0;
		if (!m)
			rc = sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing", member);
		else if (!m->ok)
			rc = sw_err_set(err, SW_E_FORMAT, "%s", m->why ? m->why : "not a layer");
		else if (d->digest && !sw_streq(d->digest, m->digest))
			rc = sw_err_set(err, SW_E_DIGEST, "digest mismatch (manifest says %s, content is %s)", d->digest,
					m->digest);
		else if (d->size && d->size != m->size)
			rc = sw_err_set(err, SW_E_DIGEST, "size mismatch (manifest says %llu bytes, blob has %llu)",
					(unsigned long long)d->size, (unsigned long long)m->size);
		else if (d->diff_id && !sw_streq(d->diff_id, m->diff_id))
			rc = sw_err_set(err, SW_E_DIGEST,
					"diff_id mismatch (config says %s, uncompressed content is %s)", d->diff_id,
					m->diff_id);
		if (rc < 0)
			return sw_err_wrap(err, "layer %zu '%s'", i + 1, id);
		img->stream_blobs[i] = m->blob;
	}
	return 0;
}

/* Layers of a streamed image can be walked again only when they were kept. */
static const struct sw_transport stream_transport = {
	.name = "stream",
	.walk_layer = sw_image_walk_store_layer,
};

int sw_image_open_stream(sw_read_fn rd, void *rctx, const char *name, const struct sw_image_opts *opts,
			 const struct sw_stream_blob_ops *ops, void *ctx, struct sw_image **out, struct sw_err *err)
{
	static const struct sw_image_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	struct sw_image *img = sw_xcalloc(1, sizeof(*img));
	img->rootfd = -1;
	img->t = &stream_transport;
	img->display = sw_xstrdup(name);
	img->max_json = opts->max_json ? opts->max_json : SW_IMAGE_JSON_MAX_DEFAULT;
	img->store = sw_store_new_mem();
	struct sctx c = { .rd = rd, .rctx = rctx, .rd_err = SW_ERR_INIT, .blobs = SW_MAP_INIT };
	int rc = 0;
	if (opts->platform) {
		if ((rc = sw_platform_parse(opts->platform, &img->want, err)) < 0)
			goto out;
		img->want_explicit = true;
	} else {
		img->want.os = sw_xstrdup("linux");
		img->want.architecture = sw_xstrdup("amd64");
	}
	c.inbuf = sw_xmalloc(OUTER_BUFSZ);
	c.a = archive_read_new();
	if (!c.a) {
		rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_format_tar(c.a);
	if (archive_read_open(c.a, &c, NULL, outer_read, NULL) != ARCHIVE_OK) {
		rc = outer_error(&c, 0, err);
		goto out;
	}
	if ((rc = read_members(&c, img->store, img->max_json, ops, ctx, err)) < 0)
		goto out;
	/* the source to its end (the tar's padding): a body cut after the
	 * tar's end marker is still a cut body */
	for (;;) {
		ssize_t n = rd(rctx, c.inbuf, OUTER_BUFSZ, &c.rd_err);
		if (n < 0) {
			c.rd_failed = true;
			rc = outer_error(&c, 1, err);
			goto out;
		}
		if (n == 0)
			break;
	}
	img->info.reference = sw_xstrdup(name);
	if (sw_store_has(img->store, "manifest.json")) {
		img->info.transport = sw_xstrdup("docker-archive");
		rc = sw_docker_archive_resolve(img, NULL, err);
	} else if (sw_store_has(img->store, "index.json") || sw_store_has(img->store, "oci-layout")) {
		img->info.transport = sw_xstrdup("oci-archive");
		rc = sw_oci_layout_resolve(img, NULL, err);
	} else {
		rc = sw_err_set(err, SW_E_FORMAT, "not an image archive: the tar has neither manifest.json (docker "
				"save) nor index.json and oci-layout (OCI image layout)");
	}
	if (rc == 0)
		rc = check_layers(img, &c, ops, ctx, err);
out:
	if (c.a)
		archive_read_free(c.a);
	free(c.inbuf);
	sw_map_free_all(&c.blobs, smember_free);
	if (rc < 0) {
		size_t dl = strlen(name);
		if (!err || err->msg[0] != '\'' || strncmp(err->msg + 1, name, dl) != 0 || err->msg[dl + 1] != '\'')
			sw_err_wrap(err, "'%s'", name);
		sw_image_close(img);
		return rc;
	}
	*out = img;
	return 0;
}

void *sw_image_stream_blob(const struct sw_image *img, size_t idx)
{
	if (!img || !img->stream_blobs || idx >= img->info.layers.len)
		return NULL;
	return img->stream_blobs[idx];
}
