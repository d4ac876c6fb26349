/*
 * image.h - open a container image and stream its layers.
 *
 * This is the contract between image/ and the rest of the pipeline.
 *
 *   struct sw_image *img;
 *   if (sw_image_open("docker-archive:x.tar", &opts, &img, err) < 0) ...
 *   const struct sw_image_info *info = sw_image_get_info(img);
 *   for (size_t i = 0; i < info->layers.len; i++)
 *           sw_image_walk_layer(img, i, on_entry, ctx, err);
 *   sw_image_close(img);
 *
 * References (skopeo's transport names): docker-archive:PATH,
 * oci-archive:PATH, oci:DIR[:TAG], dir:ROOTFS, and a bare path that is
 * detected (a directory with oci-layout is oci:, another directory is dir:,
 * a tar with manifest.json is docker-archive:, a tar with oci-layout is
 * oci-archive:).  registry:HOST[:PORT]/REPO[:TAG|@DIGEST] (also docker://)
 * pulls from a registry; a bare reference that is not an existing path
 * and looks like one (repo:tag, host/repo@sha256:...) means the same.
 * containers-storage:NAME[@DIGEST] and podman-container:ID read Podman /
 * CRI-O storage (overlay driver) directly, read-only (cstorage.c).
 *
 * Every blob is verified while it is read: the manifest's layer digests,
 * the config digest, and the config's rootfs.diff_ids against the
 * uncompressed stream.  A mismatch is an SW_E_DIGEST error naming the blob.
 *
 * Threads: sw_image_walk_layer() may be called concurrently for
 * different layers of one image.
 */
#ifndef SW_IMAGE_IMAGE_H
#define SW_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_image_opts {
	const char *platform;   /* "os/arch[/variant]"; NULL = linux/amd64 */
	size_t max_json;        /* cap on manifest/config/index size; 0 = 16 MiB */
	/* registry: only (see docs/image-reading.md "Registries") */
	const char *username;   /* with password; else env / docker config */
	const char *password;
	bool insecure;          /* https without certificate verification */
	bool plain_http;        /* http:// instead of https:// */
	/* containers-storage: / podman-container: only: the storage root
	 * (NULL: $STOWAWAY_STORAGE_ROOT, else /var/lib/containers/storage) */
	const char *storage_root;
};

struct sw_layer_desc {
	char *digest;       /* blob digest "sha256:..." as in the manifest; NULL for dir: */
	char *diff_id;      /* "sha256:..." of the uncompressed tar (config rootfs.diff_ids); NULL for dir: */
	char *media_type;   /* NULL if unknown */
	uint64_t size;      /* blob size from the manifest (0 if unknown) */
	char *created_by;   /* history created_by of the non-empty history entry for this layer, or NULL */
	char *comment;      /* history comment, or NULL */
};

struct sw_image_info {
	char *transport;        /* "docker-archive", "oci-archive", "oci", "dir" */
	char *reference;        /* what the user gave, as resolved (path[:tag]) */
	char *manifest_digest;  /* "sha256:...", NULL for docker-archive without one / dir: */
	char *config_digest;    /* "sha256:..." (docker-archive: from the config file name), NULL for dir: */
	char *config_json;      /* the raw image config, NUL-terminated; NULL for dir: */
	char *os, *architecture, *variant; /* from the config; NULLs if unknown */
	struct sw_vec repo_tags;/* char*: "name:tag" (docker-archive RepoTags, oci ref.name annotations) */
	/* The image manifest's annotations org.opencontainers.image.base.name
	 * and .base.digest (OCI image spec, annotations.md), from the manifest
	 * whose digest was checked (oci:, oci-archive:, registry:, a docker
	 * archive's OCI layout when it names our config); NULL when absent.
	 * As written: not validated beyond being strings. */
	char *base_name, *base_digest;
	struct sw_vec layers;   /* struct sw_layer_desc*, bottom layer first */
};

enum sw_entry_type {
	SW_ENT_FILE,       /* regular file: content readable */
	SW_ENT_DIR,
	SW_ENT_SYMLINK,    /* link = target as written (relative or absolute) */
	SW_ENT_HARDLINK,   /* link = cleaned image path of the earlier member */
	SW_ENT_WHITEOUT,   /* path = the path this layer deletes (".wh." stripped) */
	SW_ENT_OPAQUE,     /* path = the directory whose lower contents are hidden */
	SW_ENT_OTHER,      /* device, fifo, ... */
};

struct sw_entry {
	enum sw_entry_type type;
	const char *path;  /* cleaned image path (see util/path.h) */
	const char *link;  /* for SYMLINK/HARDLINK, else NULL */
	uint64_t size;     /* content size of a FILE */
	unsigned mode;     /* permission bits and type bits (S_IFREG...) */
	long long mtime;
	/* owner: the tar header's numeric ids and names (names NULL when the
	 * header has none), lstat()'s ids for dir: (no names) */
	long long uid, gid;
	const char *uname, *gname;
};

/* Content of the current entry; valid only inside the callback.  Content
 * that the callback does not read is skipped (and still hashed). */
struct sw_entry_reader;
/* Returns bytes read, 0 at end, or a negative error. */
ssize_t sw_entry_read(struct sw_entry_reader *r, void *buf, size_t n, struct sw_err *err);
/* Zero-copy: the next block of content in *block (valid until the next
 * call), its length returned; 0 at the end, < 0 on error.  A tar member's
 * block points into the tar reader's buffer; a dir: file is read into
 * scratch (scratch_len > 0).  Do not mix with sw_entry_read() on one entry. */
ssize_t sw_entry_read_block(struct sw_entry_reader *r, void *scratch, size_t scratch_len, const void **block,
			    struct sw_err *err);
/* Append the whole content to out; SW_E_LIMIT if larger than max. */
int sw_entry_read_all(struct sw_entry_reader *r, size_t max, struct sw_buf *out, struct sw_err *err);

/* Callback for each entry, in tar order.  Return < 0 (with err set) to
 * stop the walk; that error is returned by sw_image_walk_layer(). */
typedef int (*sw_entry_fn)(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
			   struct sw_err *err);

struct sw_image;

int sw_image_open(const char *ref, const struct sw_image_opts *opts, struct sw_image **out,
		  struct sw_err *err);
const struct sw_image_info *sw_image_get_info(const struct sw_image *img);
/* Compute each walked layer's digests on a second thread (when the caller
 * has a core to spare: it takes about a third of a gzip layer's CPU time
 * off the walking thread).  Off by default. */
void sw_image_set_async_digests(struct sw_image *img, bool on);
/* Stream layer idx once: verify its digest and diff_id, call fn for each
 * entry.  Unsafe member names (absolute, "..") and writes through a symlink
 * of the same layer fail with SW_E_UNSAFE naming the layer and member. */
int sw_image_walk_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			struct sw_err *err);
void sw_image_close(struct sw_image *img);

/* ---- an image archive read once as a stream (an upload) ----
 *
 * A docker-archive (`docker save`) or an OCI image archive (a tar of an OCI
 * layout; which one is decided from the members) read from rd once, in
 * order, never written anywhere (archive_stream.c).  Since the member that
 * says which blobs are layers may come last, every member that is not a
 * small JSON document goes through the verified layer pipeline as it
 * streams by: ops->begin(ctx, member) returns the context the entries of
 * that blob are handed to (ops->entry, as sw_image_walk_layer's fn), and
 * ops->end(ctx, blob, ok) closes it (ok: it was read whole as a layer; a
 * member that is not one is closed too).  Blob contexts stay the caller's:
 * it frees every one it made, used or not.  An entry callback that fails
 * stops the whole read with its error.
 *
 * At the end the image is resolved as docker-archive: / oci-archive: do and
 * every layer checked: its blob was read as a layer, its digest and size
 * match the manifest, its diff_id the config (SW_E_DIGEST naming the
 * layer).  *out is then an image whose info is complete and whose layer i
 * was seen through the context sw_image_stream_blob(img, i) returns (two
 * layers may share one: docker save links repeated layers).  Memory: the
 * JSON members (at most opts->max_json each, 64 MiB in all) and what the
 * callbacks keep, not the archive.  rd's error (a truncated body, a
 * cancel) comes back as it is; a tar that is not one, a missing manifest,
 * a digest mismatch: SW_E_FORMAT / SW_E_NOTFOUND / SW_E_DIGEST, err
 * starting with 'name'. */
typedef ssize_t (*sw_read_fn)(void *ctx, void *buf, size_t n, struct sw_err *err);

struct sw_stream_blob_ops {
	void *(*begin)(void *ctx, const char *member);
	sw_entry_fn entry;
	void (*end)(void *ctx, void *blob, bool ok);
};

int sw_image_open_stream(sw_read_fn rd, void *rctx, const char *name, const struct sw_image_opts *opts,
			 const struct sw_stream_blob_ops *ops, void *ctx, struct sw_image **out, struct sw_err *err);
/* The blob context layer idx was read through (borrowed), or NULL. */
void *sw_image_stream_blob(const struct sw_image *img, size_t idx);

#endif
