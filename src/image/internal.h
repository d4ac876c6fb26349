/*
 * internal.h - pieces shared by the files of image/ (not a public API).
 *
 *   image.c          open/dispatch/info/free, the transport table
 *   ref.c            reference parsing ("oci:DIR:TAG" ...)
 *   store.c          a blob store: a directory or a tar file, read by member name
 *   manifest.c       JSON of oci-layout, index, manifest, config, docker manifest.json
 *   oci.c            oci: (layout directory) and oci-archive: (layout in a tar)
 *   docker_archive.c docker-archive: (docker save output)
 *   rootfs.c         dir: (a root filesystem on disk)
 *   layer_stream.c   blob bytes -> sha256 -> decompress -> sha256 -> libarchive tar
 *   registry.c       registry: (Registry HTTP API v2 / OCI distribution)
 *   registry_auth.c  registry references, WWW-Authenticate, credentials
 *   registry_http.c  libcurl requests: auth, retries, streamed resumable blobs
 *   cstorage.c       containers-storage: and podman-container: (Podman/CRI-O storage)
 */
#ifndef SW_IMAGE_INTERNAL_H
#define SW_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/image.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/map.h"
#include "util/vec.h"

#define SW_IMAGE_JSON_MAX_DEFAULT ((size_t)16 << 20)
#define SW_DIGEST_MAX 80 /* "sha256:" + 64 hex + NUL fits */

/* ---- digests ---------------------------------------------------------- */

/* True if d is "sha256:" followed by exactly 64 lower-case hex digits. */
bool sw_digest_valid(const char *d);
/* "sha256:<hex>" of data into out (SW_DIGEST_MAX bytes). */
void sw_digest_sha256(const void *data, size_t len, char out[SW_DIGEST_MAX]);
/* Check data against a descriptor's digest (and size if want_size >= 0). */
int sw_digest_check(const char *what, const void *data, size_t len, const char *want_digest,
		    int64_t want_size, struct sw_err *err);

/* ---- blob sources and the layer pipeline ------------------------------ */

/* Pull up to n bytes of a blob; 0 at its end, < 0 with err set on error. */
typedef ssize_t (*sw_blob_read_fn)(void *ctx, void *buf, size_t n, struct sw_err *err);

struct sw_layer_check {
	const char *digest;   /* expected digest of the blob bytes, or NULL */
	const char *diff_id;  /* expected digest of the uncompressed tar, or NULL */
	uint64_t size;        /* expected blob size, 0 = unknown */
	bool async_digests;   /* compute the digests on a second thread */
	/* optional out: the blob's and the uncompressed stream's digests
	 * ("sha256:...", SW_DIGEST_MAX bytes each), filled when the layer was
	 * read to its end (archive_stream.c checks them later) */
	char *got_digest, *got_diff_id;
	uint64_t *got_size;   /* optional out: blob bytes read */
};

/* Stream one layer: hash, decompress (gzip, zstd or plain, by magic), hash,
 * walk the tar with libarchive, calling fn per entry, then verify.
 * On failure *callback_failed tells whether fn itself stopped the walk (its
 * error is returned unchanged) or the layer is bad (err names the problem,
 * without the layer's name: the caller adds it). */
int sw_layer_stream_walk(sw_blob_read_fn rd, void *rctx, const struct sw_layer_check *chk,
			 sw_entry_fn fn, void *ctx, bool *callback_failed, struct sw_err *err);

/* Content reader handed to entry callbacks: a tar member (a != NULL) or a
 * file of a dir: root opened lazily with O_NOFOLLOW relative to dirfd. */
struct sw_entry_reader {
	struct archive *a;
	struct sw_layer_pipe *pipe;  /* the tar's pipeline, for its errors */
	int dirfd;
	const char *name;            /* basename relative to dirfd */
	int fd;                      /* -1 until opened */
	bool eof;
	const char *path;            /* image path, for messages */
	uint64_t size;               /* tar: the declared size (holes are zeros) */
	uint64_t pos;                /* bytes handed out by sw_entry_read_block */
	const void *blk;             /* a block libarchive gave that follows a hole */
	size_t blk_len;
	uint64_t blk_off;
};

/* The same over a memory buffer (fuzzing, tests). */
int sw_layer_walk_mem(const void *data, size_t len, const struct sw_layer_check *chk,
		      sw_entry_fn fn, void *ctx, struct sw_err *err);

/* ---- blob stores ------------------------------------------------------ */

struct sw_store_member {
	uint64_t size;
	int type;    /* AE_IFREG, AE_IFLNK, ... ; hardlinks: AE_IFREG with link */
	char *link;  /* symlink target (raw) or hardlink target (cleaned), or NULL */
	unsigned copies; /* how many members have this name (> 1: ambiguous, refused) */
	struct sw_buf *kept; /* memory store: the member's bytes, or NULL (streamed by) */
};

struct sw_store {
	bool is_tar;
	bool is_mem;         /* a memory store (archive_stream.c): members as a tar's, kept bytes only */
	char *path;          /* directory or tar file */
	struct sw_map members; /* tar only: cleaned name -> struct sw_store_member* */
};

/* Open a directory store, or scan a tar's headers (data skipped by seeking). */
int sw_store_open(const char *path, bool is_tar, struct sw_store **out, struct sw_err *err);
void sw_store_free(struct sw_store *s);
/* A memory store: the members of a tar read as a stream (archive_stream.c).
 * Lookups follow links and refuse repeated names as for a tar; only the
 * members added with their bytes can be read. */
struct sw_store *sw_store_new_mem(void);
/* Add a member (name cleaned; type AE_IFREG/AE_IFLNK; link as for a tar
 * member: a symlink's raw target or a hard link's cleaned target; data
 * taken, or NULL when its bytes were not kept). */
void sw_store_mem_add(struct sw_store *s, const char *name, int type, const char *link, uint64_t size,
		      struct sw_buf *data);
/* The member name designates (links followed), or NULL; *final (malloc'd,
 * may be NULL) gets its own name. */
const struct sw_store_member *sw_store_lookup(const struct sw_store *s, const char *name, char **final);
/* True if a regular member/file (or a link to one) named name exists. */
bool sw_store_has(const struct sw_store *s, const char *name); /* also true for a duplicated name */
/* 0 if name designates exactly one regular member/file (links followed);
 * SW_E_NOTFOUND "blob 'NAME' is missing", or SW_E_FORMAT when a tar holds
 * the name (or a link on the way) more than once: `tar -x` and docker load
 * keep the last copy, so the archive means two things and is refused. */
int sw_store_check(const struct sw_store *s, const char *name, struct sw_err *err);
/* Size of the member (following links), or -1 if it is missing. */
int64_t sw_store_size(const struct sw_store *s, const char *name);
/* Read a whole member; SW_E_LIMIT if larger than max, SW_E_NOTFOUND if absent.
 * Messages are "blob 'NAME' is missing" / "'NAME' is larger than N bytes". */
int sw_store_read_all(const struct sw_store *s, const char *name, size_t max, struct sw_buf *out,
		      struct sw_err *err);

struct sw_store_stream;
int sw_store_stream_open(const struct sw_store *s, const char *name, struct sw_store_stream **out,
			 struct sw_err *err);
ssize_t sw_store_stream_read(void *stream, void *buf, size_t n, struct sw_err *err);
void sw_store_stream_close(struct sw_store_stream *st);

/* ---- JSON documents ---------------------------------------------------- */

struct sw_platform {
	char *os, *architecture, *variant;
};

struct sw_descriptor {
	char *media_type;     /* NULL if absent */
	char *digest;         /* validated sha256 digest */
	int64_t size;         /* -1 if absent */
	char *ref_name;       /* annotations org.opencontainers.image.ref.name, or NULL */
	bool has_platform;
	struct sw_platform platform;
	char *urls0;          /* first of "urls" (foreign layers), or NULL */
};

enum sw_doc_kind { SW_DOC_UNKNOWN, SW_DOC_INDEX, SW_DOC_MANIFEST, SW_DOC_SCHEMA1 };

struct sw_index {
	struct sw_vec manifests; /* struct sw_descriptor* */
};

struct sw_manifest {
	struct sw_descriptor config;
	struct sw_vec layers;    /* struct sw_descriptor* */
	char *base_name;         /* annotations org.opencontainers.image.base.name, or NULL */
	char *base_digest;       /* annotations org.opencontainers.image.base.digest, or NULL */
};

struct sw_history {
	char *created_by, *comment;
	bool empty_layer;
};

struct sw_config {
	struct sw_platform platform;
	struct sw_vec diff_ids;  /* char* */
	struct sw_vec history;   /* struct sw_history* */
};

struct sw_docker_entry {
	char *config;            /* member name */
	struct sw_vec repo_tags; /* char* */
	struct sw_vec layers;    /* char* member names */
	struct sw_map layer_sources; /* diff_id -> struct sw_descriptor* */
};

/* Each parser takes the document's name for messages ("index.json",
 * "manifest 'sha256:...'") and fails with SW_E_FORMAT naming it. */
int sw_manifest_parse_layout(const char *name, const char *data, size_t len, struct sw_err *err);
/* Kind of a manifest/index document from its mediaType or its shape. */
int sw_manifest_kind(const char *name, const char *data, size_t len, enum sw_doc_kind *kind,
		     struct sw_err *err);
int sw_manifest_parse_index(const char *name, const char *data, size_t len, struct sw_index *out,
			    struct sw_err *err);
int sw_manifest_parse_manifest(const char *name, const char *data, size_t len,
			       struct sw_manifest *out, struct sw_err *err);
int sw_manifest_parse_config(const char *name, const char *data, size_t len, struct sw_config *out,
			     struct sw_err *err);
int sw_manifest_parse_docker(const char *name, const char *data, size_t len,
			     struct sw_vec *entries, struct sw_err *err);

void sw_descriptor_free(struct sw_descriptor *d);
void sw_index_release(struct sw_index *ix);
void sw_manifest_release(struct sw_manifest *m);
void sw_config_release(struct sw_config *c);
void sw_docker_entry_free(struct sw_docker_entry *e);
void sw_platform_release(struct sw_platform *p);

/* Parse "os/arch[/variant]" (SW_E_USAGE when malformed). */
int sw_platform_parse(const char *s, struct sw_platform *out, struct sw_err *err);
/* True if have satisfies want (variant: absent in want matches any;
 * arm64 with no variant equals v8). */
bool sw_platform_match(const struct sw_platform *want, const struct sw_platform *have);

/* ---- references --------------------------------------------------------- */

struct sw_ref {
	char *transport;  /* "docker-archive", "oci-archive", "oci", "dir", or NULL (bare path) */
	char *path;
	char *tag;        /* oci:DIR:TAG, docker-archive:PATH:NAME:TAG, or NULL */
};
int sw_ref_parse(const char *ref, struct sw_ref *out, struct sw_err *err);
void sw_ref_release(struct sw_ref *r);

/* ---- the image object and transports ------------------------------------ */

struct sw_image;

struct sw_transport {
	const char *name;
	/* Score 0..100 for a bare path (0 = cannot open it). */
	int (*bid)(const char *path);
	int (*open)(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		    struct sw_err *err);
	int (*walk_layer)(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			  struct sw_err *err);
};

struct sw_image {
	struct sw_image_info info;
	const struct sw_transport *t;
	char *display;             /* the path as given, for messages */
	struct sw_store *store;    /* blob store (NULL for dir:) */
	struct sw_vec layer_names; /* char*: store member of each layer */
	int rootfd;                /* dir: root directory, or -1 */
	bool root_is_slash;        /* dir:/ : skip proc, sys, dev */
	size_t max_json;
	struct sw_platform want;   /* requested platform (default linux/amd64) */
	bool want_explicit;        /* opts->platform was given */
	struct sw_registry *reg;   /* registry: connection state, or NULL */
	bool async_digests;        /* sw_image_set_async_digests() */
	void **stream_blobs;       /* sw_image_open_stream: each layer's blob context (borrowed) */
	void *cstorage;            /* containers-storage: / podman-container: state (cstorage.c), or NULL */
};

extern const struct sw_transport sw_transport_docker_archive;
extern const struct sw_transport sw_transport_oci;
extern const struct sw_transport sw_transport_oci_archive;
extern const struct sw_transport sw_transport_dir;
extern const struct sw_transport sw_transport_registry;
extern const struct sw_transport sw_transport_containers_storage;
extern const struct sw_transport sw_transport_podman_container;
/* Frees img->cstorage (cstorage.c). */
void sw_cstorage_free(void *p);
/* The tar a tar-split stream (its JSON lines, uncompressed) and the files
 * under difffd rebuild, walked as a layer without digests (fuzzing). */
int sw_cstorage_tarsplit_walk_mem(const char *lines, size_t len, int difffd, sw_entry_fn fn, void *ctx,
				  struct sw_err *err);

/* ---- registries (registry*.c) ------------------------------------------- */

/* HOST[:PORT]/REPO[:TAG][@DIGEST], normalised like docker: a first component
 * without '.' or ':' (and not "localhost") is a path on docker.io, and a
 * one-component docker.io repository is under library/. */
struct sw_registry_ref {
	char *host;      /* as the user means it: "docker.io", "127.0.0.1:5000" */
	char *api_host;  /* where the API lives: docker.io -> registry-1.docker.io */
	char *repo;      /* "library/alpine" */
	char *tag;       /* "latest" when neither tag nor digest is given; NULL with a digest only */
	char *digest;    /* "sha256:..." or NULL */
};
int sw_registry_ref_parse(const char *s, struct sw_registry_ref *out, struct sw_err *err);
void sw_registry_ref_release(struct sw_registry_ref *r);
/* "host/repo:tag@digest" (owned). */
char *sw_registry_ref_str(const struct sw_registry_ref *r);
/* True if a bare reference (no transport) looks like a registry reference
 * rather than a file name: not absolute, not ./ ../ ~, no .tar suffix. */
bool sw_registry_ref_plausible(const char *s);

/* One WWW-Authenticate challenge: SCHEME k=v, k="quoted \" v", ... */
struct sw_registry_challenge {
	char *scheme;    /* lower case: "bearer", "basic" */
	char *realm, *service, *scope; /* NULL if absent */
};
int sw_registry_challenge_parse(const char *hdr, size_t len, struct sw_registry_challenge *out,
				struct sw_err *err);
void sw_registry_challenge_release(struct sw_registry_challenge *c);

/* Credentials for host: env STOWAWAY_REGISTRY_USERNAME/PASSWORD, then the
 * docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json:
 * credHelpers, auths, credsStore).  Returns 1 with *user and *pass owned, 0 if
 * none, < 0 on a broken config or helper. */
int sw_registry_creds_lookup(const char *host, char **user, char **pass, struct sw_err *err);

struct sw_registry;
struct sw_registry_opts {
	const char *username, *password;
	bool insecure, plain_http;
};
/* A registry client in *out (free with sw_registry_free); fails only when
 * libcurl cannot be loaded (net/libcurl.h). */
int sw_registry_new(const struct sw_registry_ref *ref, const struct sw_registry_opts *o,
		    struct sw_registry **out, struct sw_err *err);
void sw_registry_free(struct sw_registry *r);
/* GET /v2/REPO/manifests/REF (ref = tag or digest) into body, with the
 * Content-Type (owned) and Docker-Content-Digest (owned, or NULL). */
int sw_registry_get_manifest(struct sw_registry *r, const char *ref, size_t max, struct sw_buf *body,
			     char **content_type, char **digest_hdr, struct sw_err *err);
/* GET a whole (small) blob. */
int sw_registry_get_blob(struct sw_registry *r, const char *digest, size_t max, struct sw_buf *body,
			 struct sw_err *err);
/* A streamed blob read: resumed with Range after a cut, retried on 429/5xx.
 * Each stream has its own curl handles (safe across threads). */
struct sw_registry_stream;
int sw_registry_stream_open(struct sw_registry *r, const char *digest, uint64_t size,
			    struct sw_registry_stream **out, struct sw_err *err);
ssize_t sw_registry_stream_read(void *stream, void *buf, size_t n, struct sw_err *err);
void sw_registry_stream_close(struct sw_registry_stream *s);

/* Push (db push): upload a blob (HEAD first: one the registry has is not
 * sent again; then POST an upload and PUT the bytes in one request), and
 * PUT a manifest under a tag (*digest_hdr: the Docker-Content-Digest the
 * registry answered, owned, may be NULL).  A bearer token is asked for
 * with scope pull,push. */
int sw_registry_put_blob(struct sw_registry *r, const char *digest, const void *data, size_t len,
			 struct sw_err *err);
int sw_registry_put_blob_file(struct sw_registry *r, const char *digest, FILE *fp, uint64_t size,
			      struct sw_err *err);
int sw_registry_put_manifest(struct sw_registry *r, const char *tag, const char *media_type, const void *data,
			     size_t len, char **digest_hdr, struct sw_err *err);

/* Walk a layer that is a member of img->store (oci, oci-archive,
 * docker-archive), adding "'PATH': layer N 'DIGEST'" to layer errors. */
int sw_image_walk_store_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			      struct sw_err *err);

/* What docker-archive: and oci:/oci-archive: do once img->store is open
 * (also on the memory store of an archive read as a stream): find the
 * image (tag: NULL or the one to pick), read and verify its manifest and
 * config, and describe its layers (their store member names in
 * img->layer_names). */
int sw_docker_archive_resolve(struct sw_image *img, const char *tag, struct sw_err *err);
int sw_oci_layout_resolve(struct sw_image *img, const char *tag, struct sw_err *err);

/* Parse the raw config (owned by img afterwards, success or not) and fill
 * info: platform, diff_ids and history of the layers already pushed to
 * info.layers.  Fails when there are no layers, when the diff_id count
 * differs from the layer count, or when an explicitly requested platform
 * differs from the config's. */
int sw_image_set_config(struct sw_image *img, char *raw, size_t raw_len, const char *config_digest,
			struct sw_err *err);
/* Push a layer description (fields copied) and its store member name. */
void sw_image_add_layer(struct sw_image *img, const char *member, const char *digest,
			const char *media_type, uint64_t size);

void sw_layer_desc_free(void *p);

#endif
