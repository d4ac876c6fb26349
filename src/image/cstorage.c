/*
 * cstorage.c - containers-storage:NAME[@DIGEST] and podman-container:ID,
 * read from Podman / CRI-O storage (containers/storage, overlay driver)
 * directly and read-only, without running podman.
 *
 *   ROOT/overlay-images/images.json        images: id (= config digest), names,
 *                                          digest(s), top layer
 *   ROOT/overlay-images/ID/<big data>      the config ("sha256:ID") and "manifest"
 *   ROOT/overlay-layers/layers.json        layers: id, parent, diff-digest
 *   ROOT/overlay-layers/ID.tar-split.gz    the layer tar's headers and padding
 *   ROOT/overlay/ID/diff                   the layer's files (overlay upper dir)
 *   ROOT/overlay-containers/containers.json containers: id, names, image, layer
 *
 * An image layer is the tar rebuilt from its tar-split (headers as they
 * were) and the file contents in its diff directory, streamed through the
 * same verified pass as any other layer: its SHA-256 must be the layer's
 * diff-digest, which must be the config's rootfs.diff_ids[i]; the config's
 * digest must be the image ID.  A layer without a tar-split cannot be
 * verified: the scan fails naming it.  A container's own changes (its
 * upper directory) are one more layer, walked as a directory tree with
 * overlay's whiteouts (0/0 character devices, .wh. names) and opaque
 * directories (xattr trusted.overlay.opaque / user.overlay.opaque = "y"),
 * with no digest (nothing records one) and the created_by text
 * "podman-container ID: changes made in the container" so every report
 * marks what was installed after the container was created.
 *
 * The storage root: [ROOT] or [DRIVER@ROOT+RUNROOT] right after the
 * transport (skopeo's syntax), else opts->storage_root, else
 * $STOWAWAY_STORAGE_ROOT, else /var/lib/containers/storage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "image/internal.h"
#include "util/mem.h"

#define CS_DEFAULT_ROOT "/var/lib/containers/storage"
#define CS_JSON_MAX ((size_t)256 << 20)
#define CS_LINE_MAX ((size_t)64 << 20)
#define CS_MAX_LAYERS 1000
#define CS_MAX_DEPTH 256

struct cs_state {
	char *root;
	char **diff_dirs;     /* per layer: ROOT/overlay/ID/diff */
	char **tar_splits;    /* per image layer: ROOT/overlay-layers/ID.tar-split.gz (NULL for the container layer) */
	size_t nlayers;
	bool has_container;   /* last layer is a container's upper dir */
};

/* ---- small helpers ----------------------------------------------------- */

static int read_json(const char *path, json_t **out, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	if (sw_buf_read_file(&b, path, CS_JSON_MAX, err) < 0) {
		sw_buf_release(&b);
		return -1;
	}
	json_error_t je;
	*out = json_loadb(b.data ? (const char *)b.data : "", b.len, 0, &je);
	sw_buf_release(&b);
	if (!*out)
		return sw_err_set(err, SW_E_FORMAT, "'%s': not JSON: %s (line %d)", path, je.text, je.line);
	if (!json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a JSON array", path);
	}
	return 0;
}

static bool hex_id(const char *s)
{
	size_t n = strlen(s);
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* containers/storage's file name for a big-data key: the key when it is
 * made of [a-z0-9.] only, else "=" + base64(key). */
static char *bigdata_name(const char *key)
{
	bool plain = *key != '\0';
	for (const char *c = key; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.'))
			plain = false;
	if (plain)
		return sw_xstrdup(key);
	size_t n = strlen(key);
	char *out = sw_xmalloc(2 + 4 * ((n + 2) / 3) + 1);
	out[0] = '=';
	EVP_EncodeBlock((unsigned char *)out + 1, (const unsigned char *)key, (int)n);
	return out;
}

static int b64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t n = strlen(s);
	if (n % 4 || n > ((size_t)1 << 30))
		return -1;
	unsigned char *d = sw_xmalloc(n / 4 * 3 + 1);
	int m = n ? EVP_DecodeBlock(d, (const unsigned char *)s, (int)n) : 0;
	if (m < 0) {
		free(d);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	for (size_t i = n; i > 0 && s[i - 1] == '='; i--)
		m--;
	if (m < 0) {
		free(d);
		return -1;
	}
	*out = d;
	*outlen = (size_t)m;
	return 0;
}

/* Parse the optional "[...]" storage prefix; *rest points after it. */
static char *root_from_ref(const char *path, const struct sw_image_opts *opts, const char **rest,
			   struct sw_err *err)
{
	*rest = path;
	if (path[0] == '[') {
		const char *end = strchr(path, ']');
		if (!end)
			return sw_err_set(err, SW_E_USAGE, "'%s': '[' without ']'", path), NULL;
		const char *b = path + 1, *at = memchr(b, '@', (size_t)(end - b));
		if (at) {
			if ((size_t)(at - b) != 7 || strncmp(b, "overlay", 7) != 0)
				return sw_err_set(err, SW_E_UNSUPPORTED,
						  "'%s': only the overlay storage driver is read", path),
				       NULL;
			b = at + 1;
		}
		const char *plus = memchr(b, '+', (size_t)(end - b));
		const char *e = plus ? plus : end;
		*rest = end + 1;
		if (e == b)
			return sw_err_set(err, SW_E_USAGE, "'%s': empty storage root", path), NULL;
		return sw_xstrndup(b, (size_t)(e - b));
	}
	if (opts && opts->storage_root && *opts->storage_root)
		return sw_xstrdup(opts->storage_root);
	const char *env = getenv("STOWAWAY_STORAGE_ROOT");
	if (env && *env)
		return sw_xstrdup(env);
	return sw_xstrdup(CS_DEFAULT_ROOT);
}

/* ---- finding the image ------------------------------------------------- */

/* Does name (as stored: "localhost/test/app:v1", "docker.io/library/x:1")
 * match what the user wrote?  Exact, or after adding ":latest", or after
 * adding "localhost/" or "docker.io/library/" / "docker.io/". */
static bool name_matches(const char *stored, const char *want)
{
	if (strcmp(stored, want) == 0)
		return true;
	const char *last_slash = strrchr(want, '/');
	bool has_tag = strchr(last_slash ? last_slash : want, ':') != NULL;
	char *w = has_tag ? sw_xstrdup(want) : sw_xasprintf("%s:latest", want);
	bool ok = strcmp(stored, w) == 0;
	static const char *const prefixes[] = { "localhost/", "docker.io/library/", "docker.io/" };
	for (size_t i = 0; !ok && i < 3; i++) {
		size_t pl = strlen(prefixes[i]);
		ok = strncmp(stored, prefixes[i], pl) == 0 && strcmp(stored + pl, w) == 0;
	}
	free(w);
	return ok;
}

static bool image_has_digest(json_t *im, const char *digest)
{
	const char *d = jstr(im, "digest");
	if (d && strcmp(d, digest) == 0)
		return true;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(im, "digests"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), digest) == 0)
			return true;
	return false;
}

/* The image in images (borrowed) that want names: NAME[:TAG][@DIGEST], a
 * full ID, or a unique ID prefix of at least 3 characters. */
static json_t *find_image(json_t *images, const char *want, const char *root, struct sw_err *err)
{
	char *name = sw_xstrdup(want), *digest = NULL;
	char *at = strchr(name, '@');
	if (at) {
		*at = '\0';
		digest = at + 1;
		if (!sw_digest_valid(digest)) {
			sw_err_set(err, SW_E_USAGE, "'%s': '%s' is not a sha256 digest", want, digest);
			free(name);
			return NULL;
		}
	}
	json_t *found = NULL, *im;
	size_t i, nfound = 0;
	json_array_foreach(images, i, im) {
		const char *id = jstr(im, "id");
		if (!id)
			continue;
		bool hit = false;
		if (!*name) {
			hit = digest && image_has_digest(im, digest);
		} else {
			size_t j;
			json_t *n;
			json_array_foreach(json_object_get(im, "names"), j, n)
				if (json_is_string(n) && name_matches(json_string_value(n), name))
					hit = true;
			if (!hit && strlen(name) >= 3 && strncmp(id, name, strlen(name)) == 0 &&
			    strspn(name, "0123456789abcdef") == strlen(name))
				hit = true;
			if (hit && digest && !image_has_digest(im, digest)) {
				sw_err_set(err, SW_E_DIGEST, "'%s': image %.12s does not have digest %s", want,
					   id, digest);
				free(name);
				return NULL;
			}
		}
		if (hit && found != im) {
			found = im;
			nfound++;
		}
	}
	if (nfound == 0)
		sw_err_set(err, SW_E_NOTFOUND, "'%s': no such image in '%s'", want, root);
	else if (nfound > 1)
		sw_err_set(err, SW_E_USAGE, "'%s': names %zu images in '%s'", want, nfound, root);
	free(name);
	return nfound == 1 ? found : NULL;
}

/* ---- opening ----------------------------------------------------------- */

static void cs_free(struct cs_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nlayers; i++) {
		free(s->diff_dirs[i]);
		free(s->tar_splits[i]);
	}
	free(s->diff_dirs);
	free(s->tar_splits);
	free(s->root);
	free(s);
}

/* Layers from top down through "parent", returned bottom first. */
static int layer_chain(struct cs_state *s, struct sw_image *img, const char *top, struct sw_err *err)
{
	char *path = sw_xasprintf("%s/overlay-layers/layers.json", s->root);
	json_t *layers = NULL;
	int rc = read_json(path, &layers, err);
	free(path);
	if (rc < 0)
		return rc;
	struct sw_vec chain = SW_VEC_INIT; /* json_t* borrowed, top first */
	const char *want = top;
	while (want) {
		json_t *hit = NULL, *l;
		size_t i;
		json_array_foreach(layers, i, l) {
			const char *id = jstr(l, "id");
			if (id && strcmp(id, want) == 0) {
				hit = l;
				break;
			}
		}
		if (!hit) {
			rc = sw_err_set(err, SW_E_NOTFOUND, "layer '%s' is not in '%s/overlay-layers/layers.json'",
					want, s->root);
			goto out;
		}
		if (chain.len >= CS_MAX_LAYERS) {
			rc = sw_err_set(err, SW_E_LIMIT, "more than %d layers (a parent loop?)", CS_MAX_LAYERS);
			goto out;
		}
		sw_vec_push(&chain, hit);
		want = jstr(hit, "parent");
	}
	s->nlayers = chain.len;
	s->diff_dirs = sw_xcalloc(chain.len + 1, sizeof(char *));
	s->tar_splits = sw_xcalloc(chain.len + 1, sizeof(char *));
	for (size_t k = 0; k < chain.len; k++) {
		json_t *l = chain.items[chain.len - 1 - k];
		const char *id = jstr(l, "id"), *diff = jstr(l, "diff-digest");
		const char *comp = jstr(l, "compressed-diff-digest");
		if (!hex_id(id)) {
			rc = sw_err_set(err, SW_E_FORMAT, "layers.json: layer id '%s' is not 64 hex digits", id);
			goto out;
		}
		if (!diff || !sw_digest_valid(diff)) {
			rc = sw_err_set(err, SW_E_FORMAT, "layers.json: layer '%s' has no sha256 diff-digest", id);
			goto out;
		}
		s->diff_dirs[k] = sw_xasprintf("%s/overlay/%s/diff", s->root, id);
		s->tar_splits[k] = sw_xasprintf("%s/overlay-layers/%s.tar-split.gz", s->root, id);
		json_t *sz = json_object_get(l, "compressed-size");
		sw_image_add_layer(img, id, comp && sw_digest_valid(comp) ? comp : diff, NULL,
				   json_is_integer(sz) && json_integer_value(sz) > 0
					   ? (uint64_t)json_integer_value(sz) : 0);
		struct sw_layer_desc *d = img->info.layers.items[img->info.layers.len - 1];
		d->diff_id = sw_xstrdup(diff); /* checked against the config below */
	}
out:
	sw_vec_release(&chain);
	json_decref(layers);
	return rc;
}

static int open_image(struct sw_image *img, struct cs_state *s, json_t *im, struct sw_err *err)
{
	const char *id = jstr(im, "id"), *top = jstr(im, "layer");
	if (!id || !hex_id(id))
		return sw_err_set(err, SW_E_FORMAT, "images.json: image id is not 64 hex digits");
	if (!top)
		return sw_err_set(err, SW_E_FORMAT, "images.json: image '%.12s' has no layer", id);
	int rc = layer_chain(s, img, top, err);
	if (rc < 0)
		return rc;
	/* the config is the big-data item "sha256:ID"; its digest is the ID */
	char *key = sw_xasprintf("sha256:%s", id), *bn = bigdata_name(key);
	char *path = sw_xasprintf("%s/overlay-images/%s/%s", s->root, id, bn);
	struct sw_buf cfg = SW_BUF_INIT;
	rc = sw_buf_read_file(&cfg, path, img->max_json, err);
	free(bn);
	free(path);
	if (rc == 0) {
		char got[SW_DIGEST_MAX];
		sw_digest_sha256(cfg.data, cfg.len, got);
		if (strcmp(got, key) != 0)
			rc = sw_err_set(err, SW_E_DIGEST, "image %.12s: config has digest %s, not its ID", id, got);
	}
	if (rc < 0) {
		sw_buf_release(&cfg);
		free(key);
		return rc;
	}
	size_t len = cfg.len;
	sw_buf_add(&cfg, "", 1);
	char *raw = (char *)cfg.data;
	cfg.data = NULL;
	sw_buf_release(&cfg);
	/* set_config checks the diff_id count; each layer's diff-digest must be
	 * the config's diff_id, so keep ours and compare */
	size_t n = img->info.layers.len;
	char **ours = sw_xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		struct sw_layer_desc *d = img->info.layers.items[i];
		ours[i] = d->diff_id;
		d->diff_id = NULL;
	}
	rc = sw_image_set_config(img, raw, len, key, err);
	for (size_t i = 0; i < n; i++) {
		struct sw_layer_desc *d = img->info.layers.items[i];
		if (rc == 0 && (!d->diff_id || strcmp(d->diff_id, ours[i]) != 0))
			rc = sw_err_set(err, SW_E_DIGEST,
					"layer %zu: storage records diff-digest %s, the config says %s", i + 1,
					ours[i], d->diff_id ? d->diff_id : "none");
		free(ours[i]);
	}
	free(ours);
	free(key);
	if (rc < 0)
		return rc;
	const char *md = jstr(im, "digest");
	if (md && sw_digest_valid(md))
		sw_str_set(&img->info.manifest_digest, md);
	size_t i;
	json_t *nm;
	json_array_foreach(json_object_get(im, "names"), i, nm)
		if (json_is_string(nm))
			sw_vec_push_strdup(&img->info.repo_tags, json_string_value(nm));
	return 0;
}

static int cs_open_common(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
			  bool container, struct sw_err *err)
{
	const char *want;
	char *root = root_from_ref(ref->path, opts, &want, err);
	if (!root)
		return -1;
	if (!*want) {
		free(root);
		return sw_err_set(err, SW_E_USAGE, "'%s': no %s after the storage root", ref->path,
				  container ? "container" : "image name");
	}
	struct cs_state *s = sw_xcalloc(1, sizeof(*s));
	s->root = root;
	img->cstorage = s;
	free(img->display);
	img->display = sw_xasprintf("%s:%s", container ? "podman-container" : "containers-storage", want);
	const char *image_want = want;
	json_t *containers = NULL, *images = NULL, *ctr = NULL;
	int rc;
	if (container) {
		char *cp = sw_xasprintf("%s/overlay-containers/containers.json", root);
		rc = read_json(cp, &containers, err);
		free(cp);
		if (rc < 0)
			return rc;
		/* an exact name or full ID first, else a unique hex ID prefix (3+) */
		size_t i, nfound = 0;
		json_t *c;
		for (int pass = 0; pass < 2 && nfound == 0; pass++) {
			json_array_foreach(containers, i, c) {
				const char *id = jstr(c, "id");
				bool hit = false;
				if (pass == 0) {
					hit = id && strcmp(id, want) == 0;
					size_t j;
					json_t *n;
					json_array_foreach(json_object_get(c, "names"), j, n)
						if (json_is_string(n) && strcmp(json_string_value(n), want) == 0)
							hit = true;
				} else {
					hit = id && strlen(want) >= 3 && strspn(want, "0123456789abcdef") == strlen(want) &&
					      strncmp(id, want, strlen(want)) == 0;
				}
				if (hit) {
					ctr = c;
					nfound++;
				}
			}
		}
		if (nfound != 1) {
			rc = sw_err_set(err, nfound ? SW_E_USAGE : SW_E_NOTFOUND, "%s container '%s' in '%s'",
					nfound ? "more than one" : "no", want, root);
			goto out;
		}
		image_want = jstr(ctr, "image");
		if (!image_want || !hex_id(image_want) || !jstr(ctr, "layer") || !hex_id(jstr(ctr, "layer"))) {
			rc = sw_err_set(err, SW_E_FORMAT, "containers.json: container '%s' has no image or layer",
					want);
			goto out;
		}
	}
	char *ip = sw_xasprintf("%s/overlay-images/images.json", root);
	rc = read_json(ip, &images, err);
	free(ip);
	if (rc < 0)
		goto out;
	json_t *im = find_image(images, image_want, root, err);
	if (!im) {
		rc = -1;
		goto out;
	}
	rc = open_image(img, s, im, err);
	if (rc < 0 || !container)
		goto out;
	/* the container's upper directory: one more layer, no digest */
	const char *cid = jstr(ctr, "id"), *cl = jstr(ctr, "layer");
	s->diff_dirs = sw_xrealloc(s->diff_dirs, (s->nlayers + 1) * sizeof(char *));
	s->tar_splits = sw_xrealloc(s->tar_splits, (s->nlayers + 1) * sizeof(char *));
	s->diff_dirs[s->nlayers] = sw_xasprintf("%s/overlay/%s/diff", root, cl);
	s->tar_splits[s->nlayers] = NULL;
	s->nlayers++;
	s->has_container = true;
	struct sw_layer_desc *d = sw_xcalloc(1, sizeof(*d));
	d->created_by = sw_xasprintf("podman-container %.12s: changes made in the container", cid);
	d->comment = sw_xstrdup("container changes (not part of the image)");
	sw_vec_push(&img->info.layers, d);
	sw_vec_push(&img->layer_names, sw_xstrdup(cl));
	free(img->info.reference);
	img->info.reference = sw_xstrdup(cid);
out:
	json_decref(containers);
	json_decref(images);
	return rc;
}

static int cs_open(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		   struct sw_err *err)
{
	return cs_open_common(img, ref, opts, false, err);
}

static int pc_open(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		   struct sw_err *err)
{
	return cs_open_common(img, ref, opts, true, err);
}

/* ---- an image layer: tar-split + diff dir, rebuilt as a tar ---------- */

struct ts_reader {
	gzFile gz;              /* the tar-split file, or NULL: lines from mem */
	const char *mem;
	size_t mem_len, mem_pos;
	const char *split;      /* for messages */
	int difffd;
	struct sw_buf line;
	unsigned char *seg;     /* decoded raw bytes to hand out */
	size_t seg_len, seg_pos;
	int fd;                 /* the current file's content, or -1 */
	uint64_t remain;
	char *fname;
	bool eof;
};

/* Open a member of the diff dir without following any symlink. */
static int open_beneath(int dirfd, const char *name, struct sw_err *err)
{
	char *copy = sw_xstrdup(name);
	int fd = dup(dirfd);
	char *save = NULL;
	char *comp = strtok_r(copy, "/", &save);
	while (comp && fd >= 0) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, ".") == 0) {
			comp = next;
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			close(fd);
			fd = -1;
			errno = EPERM;
			break;
		}
		int nfd = openat(fd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK));
		close(fd);
		fd = nfd;
		comp = next;
	}
	if (fd < 0)
		sw_err_errno(err, "file '%s' of the layer", name);
	free(copy);
	return fd;
}

/* One line of the gzip'd JSON stream into r->line (without '\n'); 0 at end. */
static int ts_next_line(struct ts_reader *r, struct sw_err *err)
{
	sw_buf_reset(&r->line);
	if (!r->gz) {
		if (r->mem_pos >= r->mem_len)
			return 0;
		const char *p = r->mem + r->mem_pos, *nl = memchr(p, '\n', r->mem_len - r->mem_pos);
		size_t n = nl ? (size_t)(nl - p) : r->mem_len - r->mem_pos;
		if (n > CS_LINE_MAX)
			return sw_err_set(err, SW_E_LIMIT, "'%s': a line longer than %zu bytes", r->split,
					  CS_LINE_MAX);
		sw_buf_add(&r->line, p, n);
		r->mem_pos += n + (nl ? 1 : 0);
		return 1;
	}
	char chunk[8192];
	for (;;) {
		if (!gzgets(r->gz, chunk, sizeof(chunk))) {
			int e;
			const char *m = gzerror(r->gz, &e);
			if (e != Z_OK && e != Z_STREAM_END)
				return sw_err_set(err, SW_E_FORMAT, "'%s': %s", r->split, m);
			return r->line.len > 0 ? 1 : 0;
		}
		size_t n = strlen(chunk);
		sw_buf_add(&r->line, chunk, n);
		if (r->line.len > CS_LINE_MAX)
			return sw_err_set(err, SW_E_LIMIT, "'%s': a line longer than %zu bytes", r->split,
					  CS_LINE_MAX);
		if (n > 0 && chunk[n - 1] == '\n') {
			r->line.len--;
			return 1;
		}
	}
}

static int ts_entry(struct ts_reader *r, struct sw_err *err)
{
	json_error_t je;
	json_t *o = json_loadb(r->line.data ? (const char *)r->line.data : "", r->line.len, 0, &je);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return sw_err_set(err, SW_E_FORMAT, "'%s': an entry that is not a JSON object", r->split);
	}
	json_t *t = json_object_get(o, "type");
	int rc = 0;
	if (json_integer_value(t) == 2) { /* segment: raw tar bytes */
		const char *p = jstr(o, "payload");
		free(r->seg);
		r->seg = NULL;
		r->seg_len = r->seg_pos = 0;
		if (p && b64_decode(p, &r->seg, &r->seg_len) < 0)
			rc = sw_err_set(err, SW_E_FORMAT, "'%s': a segment payload is not base64", r->split);
	} else if (json_integer_value(t) == 1) { /* file: its content from the diff dir */
		json_t *sz = json_object_get(o, "size");
		json_int_t size = json_is_integer(sz) ? json_integer_value(sz) : 0;
		if (size < 0) {
			rc = sw_err_set(err, SW_E_FORMAT, "'%s': a negative file size", r->split);
		} else if (size > 0) {
			const char *name = jstr(o, "name");
			unsigned char *raw = NULL;
			size_t rl = 0;
			if (!name && jstr(o, "name_raw") && b64_decode(jstr(o, "name_raw"), &raw, &rl) == 0) {
				raw[rl] = '\0';
				if (strlen((char *)raw) == rl)
					name = (char *)raw;
			}
			if (!name || !*name) {
				rc = sw_err_set(err, SW_E_FORMAT, "'%s': a file entry without a name", r->split);
			} else {
				free(r->fname);
				r->fname = sw_xstrdup(name);
				r->fd = open_beneath(r->difffd, name, err);
				if (r->fd < 0)
					rc = -1;
				r->remain = (uint64_t)size;
			}
			free(raw);
		}
	} else {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': an entry of unknown type", r->split);
	}
	json_decref(o);
	return rc;
}

static ssize_t ts_read(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	struct ts_reader *r = ctx;
	for (;;) {
		if (r->seg_pos < r->seg_len) {
			size_t k = r->seg_len - r->seg_pos < n ? r->seg_len - r->seg_pos : n;
			memcpy(buf, r->seg + r->seg_pos, k);
			r->seg_pos += k;
			return (ssize_t)k;
		}
		if (r->fd >= 0) {
			if (r->remain > 0) {
				size_t want = r->remain < n ? (size_t)r->remain : n;
				ssize_t got = read(r->fd, buf, want);
				if (got < 0 && errno == EINTR)
					continue;
				if (got < 0)
					return sw_err_errno(err, "file '%s' of the layer", r->fname);
				if (got == 0)
					return sw_err_set(err, SW_E_DIGEST,
							  "file '%s' of the layer is shorter than its tar header says",
							  r->fname);
				r->remain -= (uint64_t)got;
				return got;
			}
			close(r->fd);
			r->fd = -1;
		}
		if (r->eof)
			return 0;
		int rc = ts_next_line(r, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			r->eof = true;
			return 0;
		}
		if (r->line.len == 0)
			continue;
		if (ts_entry(r, err) < 0)
			return -1;
	}
}

/* ---- the container's upper dir ----------------------------------------- */

struct uwalk {
	sw_entry_fn fn;
	void *ctx;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static bool is_opaque(int fd)
{
	char v[4];
	static const char *const attrs[] = { "trusted.overlay.opaque", "user.overlay.opaque" };
	for (size_t i = 0; i < 2; i++) {
		ssize_t n = fgetxattr(fd, attrs[i], v, sizeof(v));
		if (n == 1 && v[0] == 'y')
			return true;
	}
	return false;
}

static int emit(struct uwalk *w, struct sw_entry *e, int dfd, const char *name, struct sw_err *err)
{
	struct sw_entry_reader r = { .dirfd = dfd, .name = name, .fd = -1, .path = e->path,
				     .eof = e->type != SW_ENT_FILE };
	int rc = w->fn(w->ctx, e, &r, err);
	if (r.fd >= 0)
		close(r.fd);
	if (rc < 0 && err && err->code == SW_OK)
		sw_err_set(err, SW_E_INTERNAL, "entry callback failed without a message");
	return rc < 0 ? rc : 0;
}

static int walk_upper(struct uwalk *w, int dfd, const char *prefix, int depth, struct sw_err *err)
{
	if (depth > CS_MAX_DEPTH)
		return sw_err_set(err, SW_E_LIMIT, "'%s': directories nested more than %d deep", prefix,
				  CS_MAX_DEPTH);
	int dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return sw_err_errno(err, "'%s'", *prefix ? prefix : "/");
	}
	struct sw_vec names = SW_VEC_INIT;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			sw_vec_push_strdup(&names, de->d_name);
	closedir(d);
	sw_vec_sort(&names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.len && rc == 0; i++) {
		const char *name = names.items[i];
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* vanished meanwhile (the container runs) */
		char *path;
		struct sw_entry e = { 0 };
		e.mode = (unsigned)st.st_mode;
		e.mtime = (long long)st.st_mtime;
		e.uid = (long long)st.st_uid;
		e.gid = (long long)st.st_gid;
		if (strcmp(name, ".wh..wh..opq") == 0) {
			e.type = SW_ENT_OPAQUE;
			e.path = prefix;
			if (*prefix)
				rc = emit(w, &e, dfd, name, err);
			continue;
		}
		if (strncmp(name, ".wh.", 4) == 0) {
			path = *prefix ? sw_xasprintf("%s/%s", prefix, name + 4) : sw_xstrdup(name + 4);
			e.type = SW_ENT_WHITEOUT;
			e.path = path;
			rc = emit(w, &e, dfd, name, err);
			free(path);
			continue;
		}
		path = *prefix ? sw_xasprintf("%s/%s", prefix, name) : sw_xstrdup(name);
		e.path = path;
		char linkbuf[4097];
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
			e.type = SW_ENT_WHITEOUT;
		} else if (S_ISREG(st.st_mode)) {
			e.type = SW_ENT_FILE;
			e.size = (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			e.type = SW_ENT_DIR;
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, name, linkbuf, sizeof(linkbuf) - 1);
			if (n < 0) {
				free(path);
				continue;
			}
			linkbuf[n] = '\0';
			e.type = SW_ENT_SYMLINK;
			e.link = linkbuf;
		} else {
			e.type = SW_ENT_OTHER;
		}
		rc = emit(w, &e, dfd, name, err);
		if (rc == 0 && e.type == SW_ENT_DIR) {
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && is_opaque(sub)) {
				struct sw_entry o = e;
				o.type = SW_ENT_OPAQUE;
				rc = emit(w, &o, dfd, name, err);
			}
			if (rc == 0 && sub >= 0)
				rc = walk_upper(w, sub, path, depth + 1, err);
			if (sub >= 0)
				close(sub);
		}
		free(path);
	}
	sw_vec_free_strings(&names);
	return rc;
}

static int cs_walk_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx, struct sw_err *err)
{
	struct cs_state *s = img->cstorage;
	const struct sw_layer_desc *d = img->info.layers.items[idx];
	const char *lid = img->layer_names.items[idx];
	int dfd = open(s->diff_dirs[idx], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sw_err_errno(err, "'%s': layer %zu '%s': '%s'", img->display, idx + 1, lid,
				    s->diff_dirs[idx]);
	int rc;
	if (!s->tar_splits[idx]) {
		struct uwalk w = { fn, ctx };
		rc = walk_upper(&w, dfd, "", 0, err);
		close(dfd);
		return rc;
	}
	struct ts_reader r = { .split = s->tar_splits[idx], .difffd = dfd, .fd = -1 };
	r.gz = gzopen(s->tar_splits[idx], "rb");
	if (!r.gz) {
		rc = errno == ENOENT
			     ? sw_err_set(err, SW_E_NOTFOUND,
					  "'%s': layer %zu '%s' has no tar-split ('%s'): its digest cannot be "
					  "verified",
					  img->display, idx + 1, lid, s->tar_splits[idx])
			     : sw_err_errno(err, "'%s': layer %zu: '%s'", img->display, idx + 1,
					    s->tar_splits[idx]);
		close(dfd);
		return rc;
	}
	/* the rebuilt tar is uncompressed: its digest is its diff_id */
	struct sw_layer_check chk = { d->diff_id, d->diff_id, 0, img->async_digests };
	bool cb_failed = false;
	rc = sw_layer_stream_walk(ts_read, &r, &chk, fn, ctx, &cb_failed, err);
	gzclose(r.gz);
	if (r.fd >= 0)
		close(r.fd);
	close(dfd);
	free(r.seg);
	free(r.fname);
	sw_buf_release(&r.line);
	if (rc < 0 && !cb_failed)
		return sw_err_wrap(err, "'%s': layer %zu '%s'", img->display, idx + 1, lid);
	return rc;
}

int sw_cstorage_tarsplit_walk_mem(const char *lines, size_t len, int difffd, sw_entry_fn fn, void *ctx,
				  struct sw_err *err)
{
	struct ts_reader r = { .split = "tar-split", .mem = lines, .mem_len = len, .difffd = difffd, .fd = -1 };
	struct sw_layer_check chk = { 0 };
	bool cb_failed = false;
	int rc = sw_layer_stream_walk(ts_read, &r, &chk, fn, ctx, &cb_failed, err);
	if (r.fd >= 0)
		close(r.fd);
	free(r.seg);
	free(r.fname);
	sw_buf_release(&r.line);
	return rc;
}

void sw_cstorage_free(void *p)
{
	cs_free(p);
}

static int no_bid(const char *path)
{
	(void)path;
	return 0;
}

const struct sw_transport sw_transport_containers_storage = {
	.name = "containers-storage",
	.bid = no_bid,
	.open = cs_open,
	.walk_layer = cs_walk_layer,
};

const struct sw_transport sw_transport_podman_container = {
	.name = "podman-container",
	.bid = no_bid,
	.open = pc_open,
	.walk_layer = cs_walk_layer,
};
