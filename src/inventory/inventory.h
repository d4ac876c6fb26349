/*
 * inventory.h - the bill of materials of one image, and how it is built.
 *
 * sw_inventory_build() walks every layer of an opened image once, hands
 * each analyzer the files it asked for, and merges the per-layer results
 * in layer order (whiteouts and replacements applied) into one inventory:
 * the OS, and every package with the layer that introduced its version.
 *
 * Packages of a built inventory carry no `files`: the file lists the
 * analyzers report serve ownership (`owner`) during the merge only.
 *
 * Ownership: the inventory owns everything in it; free it with
 * sw_inventory_free().  It keeps copies of the image facts it needs, so it
 * outlives the image.
 */
#ifndef SW_INVENTORY_INVENTORY_H
#define SW_INVENTORY_INVENTORY_H

#include <stdbool.h>

#include "image/image.h"
#include "inventory/fsfacts.h"
#include "inventory/package.h"
#include "model/filefinding.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_os {
	char *id;           /* os-release ID: "debian", "alpine", "rhel", "ubuntu", ...; NULL if unknown */
	char *version_id;   /* "12", "3.18.4", "9.3" */
	char *codename;     /* VERSION_CODENAME: "bookworm"; NULL if none */
	char *pretty_name;
	char *id_like;      /* space-separated ID_LIKE */
	char *source;       /* image path it was read from, e.g. "usr/lib/os-release" */
	bool distroless;    /* no shell/package manager; dpkg status.d style, etc. */
};

struct sw_inv_layer {
	int index;
	char *digest;       /* blob digest or NULL */
	char *diff_id;      /* or NULL */
	char *created_by;   /* history line or NULL */
	uint64_t size;
};

/* What the image-level cache did for one build. */
enum sw_inv_cache {
	SW_INV_CACHE_OFF = 0,   /* no cache, or the image is not cacheable (dir:) */
	SW_INV_CACHE_MISS,      /* no entry: built from the layers, then stored */
	SW_INV_CACHE_BAD,       /* an entry failed a check: built, and stored over it */
	SW_INV_CACHE_HIT,       /* taken from the cache: no layer looked at, no merge */
};

struct sw_inventory {
	/* the image */
	char *transport;
	char *reference;
	char *manifest_digest;
	char *config_digest;
	char *architecture;
	char *image_os;
	struct sw_vec repo_tags;    /* char* */
	struct sw_vec layers;       /* struct sw_inv_layer* */
	/* what is in it */
	struct sw_os os;
	struct sw_vec packages;     /* struct sw_package*, OS packages first, sorted */
	struct sw_vec warnings;     /* char*: "path: what was wrong" (broken files, limits hit) */
	/* char*: why packages are missing: a package manager's database (dpkg
	 * status, rpm, apk installed) that could not be read whole, one line
	 * each ("var/lib/rpm/rpmdb.sqlite: ..."); also in `warnings`.  Empty =
	 * the inventory lists every package the databases hold. */
	struct sw_vec incomplete;
	/* how it was built (not part of the bill of materials) */
	enum sw_inv_cache image_cache; /* the image-level cache (inventory/image_cache.h) */
	unsigned layers_cached;     /* results taken from the layer cache, layers not read */
	unsigned layers_read;       /* layers streamed and analysed (both 0 on an image hit) */
	/* what the content scanners (sw_inventory_opts.scanners) found in every
	 * layer: struct sw_file_finding*, layer and removed_in set, sorted by
	 * layer, path, offset, scanner, rule (inventory/filescan_pass.h) */
	struct sw_vec file_findings;
	/* file-system facts of the merged image for the image checks
	 * (fsfacts.h): setuid/setgid and world-writable entries, small
	 * configuration files, package-manager caches; kept in the image cache */
	struct sw_fs_facts fs;
};

struct sw_file_scanner;

struct sw_inventory_opts {
	/* optional: called (from any thread, serialised) after each layer is read */
	bool (*progress)(void *ctx, size_t done, size_t nlayers);
	void *progress_ctx;
	unsigned threads;   /* layers read in parallel; 0 = one per core (at most 8) */
	/* The cache root.  The whole image's inventory is looked up in
	 * ROOT/images first (inventory/image_cache.h: images whose layers all
	 * have a diff_id); on a miss, layers with a diff_id are looked up in
	 * ROOT/layers (inventory/layer_cache.h) before being read; what was
	 * built is stored in both.  NULL = the default root
	 * ($STOWAWAY_CACHE_DIR, else $XDG_CACHE_HOME/stowaway, else
	 * ~/.cache/stowaway). */
	const char *cache_dir;
	bool no_cache;      /* neither read nor write either cache */
	/* content scanners (inventory/filescan.h), borrowed; offered every
	 * regular file of every layer in the same read as the analyzers.  Each
	 * one's name and fingerprint is part of both cache keys. */
	const struct sw_file_scanner *const *scanners;
	size_t nscanners;
	/* optional: asked between layers and every 64 files of a layer (any
	 * thread); true stops the pass with SW_E_CANCELLED "cancelled" */
	bool (*cancelled)(void *ctx);
	void *cancel_ctx;
};

/* opts NULL: defaults, without the layer cache. */
int sw_inventory_build(struct sw_image *img, const struct sw_inventory_opts *opts,
		       struct sw_inventory **out, struct sw_err *err);
/* The same for an image archive read once from rd as it streams by (an
 * upload: image.h sw_image_open_stream): each layer's pass runs on its
 * blob as it passes, the results are merged in manifest order once the
 * manifest and config are read.  Neither cache is used (the layers are
 * read anyway).  On success *img_out is the image (its info; its layers
 * cannot be walked again) and *out the inventory; errors as
 * sw_image_open_stream's, or the pass's. */
int sw_inventory_build_stream(sw_read_fn rd, void *rctx, const char *name, const struct sw_image_opts *iopts,
			      const struct sw_inventory_opts *opts, struct sw_image **img_out,
			      struct sw_inventory **out, struct sw_err *err);
void sw_inventory_free(struct sw_inventory *inv);

/* purl-spec package URL for p, with the distro qualifier from os
 * ("pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12").  malloc'd. */
char *sw_purl_for_package(const struct sw_package *p, const struct sw_os *os);

#endif
