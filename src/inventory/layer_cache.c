/*
 * layer_cache.c - per-layer results on disk (see layer_cache.h).
 *
 * File layout, little-endian, every count and length checked against the
 * bytes left before anything is allocated:
 *
 *   "SWLC" u32 format
 *   str key
 *   u32 nfound   { str path, str analyzer, str content,
 *                  u32 npkgs { package }, strvec warnings }
 *   strvec whiteouts, strvec opaques
 *   u32 nlinks   { str path, str target }
 *   strvec warnings
 *   u32 crc32 of everything before it
 *
 *   str    = u32 length (0xffffffff = NULL) + bytes (no NUL, none inside)
 *   strvec = u32 count + str...
 *   package = str type, namespace, name, version; i32 epoch; str arch,
 *             source_name, source_version, vendor, modularity, maintainer;
 *             strvec licenses; str purl, path; strvec files; u32 flags;
 *             str owner; i32 layer_index; str layer_diff_id,
 *             layer_created_by; strvec deps
 */
#include "inventory/layer_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "inventory/analyzers.h"
#include "inventory/osdetect.h"
#include "util/mem.h"

#define LC_MAGIC "SWLC"
#define LC_FORMAT 1u
/* Bump when build.c's layer pass changes what it records for the same input. */
#define LC_PASS_VERSION 1u
#define LC_NULL 0xffffffffu
#define LC_MAX_FILE (256u * 1024u * 1024u)

/* ---- results ---- */

static void found_free(void *v)
{
	struct sw_lr_found *f = v;
	if (!f)
		return;
	free(f->path);
	sw_pkglist_release(&f->res);
	free(f->content);
	free(f);
}

static void link_free(void *v)
{
	struct sw_lr_link *l = v;
	if (!l)
		return;
	free(l->path);
	free(l->target);
	free(l);
}

void sw_layer_result_release(struct sw_layer_result *r)
{
	if (!r)
		return;
	sw_vec_free_all(&r->found, found_free);
	sw_vec_free_strings(&r->whiteouts);
	sw_vec_free_strings(&r->opaques);
	sw_vec_free_all(&r->links, link_free);
	sw_vec_free_strings(&r->warnings);
}

/* ---- key and directory ---- */

char *sw_layer_cache_default_dir(void)
{
	const char *env = getenv("STOWAWAY_CACHE_DIR");
	if (env && *env)
		return sw_xasprintf("%s/layers", env);
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return sw_xasprintf("%s/stowaway/layers", xdg);
	const char *home = getenv("HOME");
	return sw_xasprintf("%s/.cache/stowaway/layers", home && *home ? home : "/tmp");
}

char *sw_layer_cache_key(const char *diff_id)
{
	if (!diff_id || !*diff_id)
		return NULL;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "stowaway layer cache %u pass %u\n%s\nos %u\npackage %zu\n", LC_FORMAT,
		    LC_PASS_VERSION, diff_id, (unsigned)SW_OSDETECT_MAX_SIZE, sizeof(struct sw_package));
	const struct sw_analyzer *const *an = sw_analyzers_all();
	for (size_t i = 0; an[i]; i++)
		sw_buf_addf(&b, "%s %u %llu\n", an[i]->name, an[i]->version,
			    (unsigned long long)an[i]->max_size);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char *key = NULL;
	if (sw_buf_ok(&b) && EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32) {
		static const char hex[] = "0123456789abcdef";
		key = sw_xmalloc(2 * mdlen + 1);
		for (unsigned i = 0; i < mdlen; i++) {
			key[2 * i] = hex[md[i] >> 4];
			key[2 * i + 1] = hex[md[i] & 15];
		}
		key[2 * mdlen] = '\0';
	}
	sw_buf_release(&b);
	return key;
}

/* ---- encoding ---- */

static void put_u32(struct sw_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	sw_buf_add(b, x, 4);
}

static void put_str(struct sw_buf *b, const char *s)
{
	if (!s) {
		put_u32(b, LC_NULL);
		return;
	}
	size_t n = strlen(s);
	if (n >= LC_NULL) {
		b->failed = true;
		return;
	}
	put_u32(b, (uint32_t)n);
	sw_buf_add(b, s, n);
}

static void put_strvec(struct sw_buf *b, const struct sw_vec *v)
{
	put_u32(b, (uint32_t)v->len);
	for (size_t i = 0; i < v->len; i++)
		put_str(b, v->items[i]);
}

static void put_pkg(struct sw_buf *b, const struct sw_package *p)
{
	put_str(b, p->type);
	put_str(b, p->namespace_);
	put_str(b, p->name);
	put_str(b, p->version);
	put_u32(b, (uint32_t)p->epoch);
	put_str(b, p->arch);
	put_str(b, p->source_name);
	put_str(b, p->source_version);
	put_str(b, p->vendor);
	put_str(b, p->modularity);
	put_str(b, p->maintainer);
	put_strvec(b, &p->licenses);
	put_str(b, p->purl);
	put_str(b, p->path);
	put_strvec(b, &p->files);
	put_u32(b, p->flags);
	put_str(b, p->owner);
	put_u32(b, (uint32_t)p->layer_index);
	put_str(b, p->layer_diff_id);
	put_str(b, p->layer_created_by);
	put_strvec(b, &p->deps);
}

int sw_layer_cache_encode(const struct sw_layer_result *r, const char *key, struct sw_buf *out,
			  struct sw_err *err)
{
	size_t start = out->len;
	sw_buf_add(out, LC_MAGIC, 4);
	put_u32(out, LC_FORMAT);
	put_str(out, key);
	put_u32(out, (uint32_t)r->found.len);
	for (size_t i = 0; i < r->found.len; i++) {
		const struct sw_lr_found *f = r->found.items[i];
		put_str(out, f->path);
		put_str(out, f->analyzer);
		put_str(out, f->content);
		put_u32(out, (uint32_t)f->res.pkgs.len);
		for (size_t k = 0; k < f->res.pkgs.len; k++)
			put_pkg(out, f->res.pkgs.items[k]);
		put_strvec(out, &f->res.warnings);
	}
	put_strvec(out, &r->whiteouts);
	put_strvec(out, &r->opaques);
	put_u32(out, (uint32_t)r->links.len);
	for (size_t i = 0; i < r->links.len; i++) {
		const struct sw_lr_link *l = r->links.items[i];
		put_str(out, l->path);
		put_str(out, l->target);
	}
	put_strvec(out, &r->warnings);
	if (!sw_buf_ok(out))
		return sw_err_set(err, SW_E_NOMEM, "layer cache entry: out of memory");
	uLong crc = crc32_z(0L, (const Bytef *)out->data + start, out->len - start);
	put_u32(out, (uint32_t)crc);
	if (!sw_buf_ok(out))
		return sw_err_set(err, SW_E_NOMEM, "layer cache entry: out of memory");
	return 0;
}

/* ---- decoding ---- */

struct rd {
	const uint8_t *p;
	size_t left;
	bool bad;
	const char *what;   /* first defect */
};

static void rd_fail(struct rd *r, const char *what)
{
	if (!r->bad)
		r->what = what;
	r->bad = true;
	r->left = 0;
}

static uint32_t get_u32(struct rd *r)
{
	if (r->bad || r->left < 4) {
		rd_fail(r, "truncated");
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return v;
}

/* A count of items each at least min_size bytes long. */
static size_t get_count(struct rd *r, size_t min_size)
{
	uint32_t n = get_u32(r);
	if (r->bad)
		return 0;
	if (n > r->left / min_size) {
		rd_fail(r, "count larger than the file");
		return 0;
	}
	return n;
}

static char *get_str(struct rd *r)
{
	uint32_t n = get_u32(r);
	if (r->bad || n == LC_NULL)
		return NULL;
	if (n > r->left) {
		rd_fail(r, "string longer than the file");
		return NULL;
	}
	if (memchr(r->p, '\0', n)) {
		rd_fail(r, "NUL byte inside a string");
		return NULL;
	}
	char *s = sw_xstrndup((const char *)r->p, n);
	r->p += n;
	r->left -= n;
	return s;
}

static char *get_req_str(struct rd *r)
{
	bool was_bad = r->bad;
	char *s = get_str(r);
	if (!s && !was_bad)
		rd_fail(r, "missing string");
	return s;
}

static void get_strvec(struct rd *r, struct sw_vec *v)
{
	size_t n = get_count(r, 4);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *s = get_req_str(r);
		if (s)
			sw_vec_push(v, s);
	}
}

static struct sw_package *get_pkg(struct rd *r)
{
	char *type = get_req_str(r);
	if (!type)
		return NULL;
	struct sw_package *p = sw_package_new(type);
	free(type);
	p->namespace_ = get_str(r);
	p->name = get_str(r);
	p->version = get_str(r);
	p->epoch = (int32_t)get_u32(r);
	p->arch = get_str(r);
	p->source_name = get_str(r);
	p->source_version = get_str(r);
	p->vendor = get_str(r);
	p->modularity = get_str(r);
	p->maintainer = get_str(r);
	get_strvec(r, &p->licenses);
	p->purl = get_str(r);
	p->path = get_str(r);
	get_strvec(r, &p->files);
	p->flags = get_u32(r);
	p->owner = get_str(r);
	p->layer_index = (int32_t)get_u32(r);
	p->layer_diff_id = get_str(r);
	p->layer_created_by = get_str(r);
	get_strvec(r, &p->deps);
	return p;
}

/* The static name of an analyzer, or NULL if there is none by that name. */
static const char *analyzer_name(const char *name)
{
	if (strcmp(name, SW_LAYER_OS_ANALYZER) == 0)
		return SW_LAYER_OS_ANALYZER;
	const struct sw_analyzer *const *an = sw_analyzers_all();
	for (size_t i = 0; an[i]; i++)
		if (strcmp(an[i]->name, name) == 0)
			return an[i]->name;
	return NULL;
}

int sw_layer_cache_decode(const uint8_t *data, size_t len, const char *key,
			  struct sw_layer_result *out, struct sw_err *err)
{
	if (len < 12 || memcmp(data, LC_MAGIC, 4) != 0)
		return sw_err_set(err, SW_E_FORMAT, "not a layer cache file (bad magic)");
	uint32_t stored = (uint32_t)data[len - 4] | (uint32_t)data[len - 3] << 8 |
			  (uint32_t)data[len - 2] << 16 | (uint32_t)data[len - 1] << 24;
	if ((uint32_t)crc32_z(0L, data, len - 4) != stored)
		return sw_err_set(err, SW_E_FORMAT, "layer cache file: checksum mismatch");
	struct rd r = { data + 4, len - 8, false, NULL };
	struct sw_layer_result res = { SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT, SW_VEC_INIT };
	uint32_t format = get_u32(&r);
	if (format != LC_FORMAT) {
		return sw_err_set(err, SW_E_FORMAT, "layer cache file: format %u, expected %u",
				  (unsigned)format, LC_FORMAT);
	}
	char *k = get_str(&r);
	if (key && (!k || strcmp(k, key) != 0)) {
		free(k);
		return sw_err_set(err, SW_E_FORMAT, "layer cache file: written for another key");
	}
	free(k);
	/* a found entry is at least 4 u32 + 1 strvec count */
	size_t nfound = get_count(&r, 20);
	for (size_t i = 0; i < nfound && !r.bad; i++) {
		char *path = get_req_str(&r);
		char *an = get_req_str(&r);
		char *content = get_str(&r);
		const char *name = an ? analyzer_name(an) : NULL;
		free(an);
		if (!r.bad && !name)
			rd_fail(&r, "unknown analyzer");
		struct sw_lr_found *f = sw_xcalloc(1, sizeof(*f));
		f->path = path;
		f->analyzer = name ? name : SW_LAYER_OS_ANALYZER;
		f->content = content;
		sw_vec_push(&res.found, f);
		/* a package is at least 21 u32 */
		size_t npkgs = get_count(&r, 84);
		for (size_t k2 = 0; k2 < npkgs && !r.bad; k2++) {
			struct sw_package *p = get_pkg(&r);
			if (p)
				sw_vec_push(&f->res.pkgs, p);
		}
		get_strvec(&r, &f->res.warnings);
	}
	get_strvec(&r, &res.whiteouts);
	get_strvec(&r, &res.opaques);
	size_t nlinks = get_count(&r, 8);
	for (size_t i = 0; i < nlinks && !r.bad; i++) {
		struct sw_lr_link *l = sw_xcalloc(1, sizeof(*l));
		l->path = get_req_str(&r);
		l->target = get_req_str(&r);
		sw_vec_push(&res.links, l);
	}
	get_strvec(&r, &res.warnings);
	if (!r.bad && r.left)
		rd_fail(&r, "trailing bytes");
	if (r.bad) {
		sw_layer_result_release(&res);
		return sw_err_set(err, SW_E_FORMAT, "layer cache file: %s", r.what);
	}
	*out = res;
	return 0;
}

/* ---- files ---- */

static int mkdir_p(const char *dir, struct sw_err *err)
{
	char *p = sw_xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char save = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = sw_err_errno(err, "cannot create '%s'", p);
			break;
		}
		*s = save;
		if (!save)
			break;
	}
	free(p);
	return rc;
}

bool sw_layer_cache_has(const char *dir, const char *key)
{
	char *path = sw_xasprintf("%s/%s", dir, key);
	bool yes = access(path, R_OK) == 0;
	free(path);
	return yes;
}

int sw_layer_cache_load(const char *dir, const char *key, struct sw_layer_result *out,
			struct sw_err *err)
{
	char *path = sw_xasprintf("%s/%s", dir, key);
	struct sw_buf b = SW_BUF_INIT;
	int rc = 0;
	if (sw_buf_read_file(&b, path, LC_MAX_FILE, err) < 0)
		goto out;
	if (sw_layer_cache_decode((const uint8_t *)b.data, b.len, key, out, err) < 0) {
		sw_err_wrap(err, "'%s'", path);
		goto out;
	}
	rc = 1;
out:
	sw_buf_release(&b);
	free(path);
	return rc;
}

int sw_layer_cache_store(const char *dir, const char *key, const struct sw_layer_result *r,
			 struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	char *tmp = NULL, *path = NULL;
	int fd = -1, rc = -1;
	bool made = false;
	if (sw_layer_cache_encode(r, key, &b, err) < 0)
		goto out;
	if (mkdir_p(dir, err) < 0)
		goto out;
	tmp = sw_xasprintf("%s/.tmp-%s-XXXXXX", dir, key);
	path = sw_xasprintf("%s/%s", dir, key);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = sw_err_errno(err, "cannot create a temporary file in '%s'", dir);
		goto out;
	}
	made = true;
	(void)fchmod(fd, 0644);
	for (size_t off = 0; off < b.len;) {
		ssize_t n = write(fd, b.data + off, b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = sw_err_errno(err, "cannot write '%s'", tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = sw_err_errno(err, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = sw_err_errno(err, "cannot rename '%s' to '%s'", tmp, path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp && made)
		unlink(tmp);
	free(tmp);
	free(path);
	sw_buf_release(&b);
	return rc;
}
