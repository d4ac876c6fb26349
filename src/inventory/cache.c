/*
 * cache.c - the cache root, keys, entry frame, record encoding and atomic
 * files shared by the layer and image caches (see cache.h).
 */
#include "inventory/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "util/mem.h"

#define CACHE_NULL 0xffffffffu

/* ---- root and keys ---- */

char *sw_cache_default_root(void)
{
	const char *env = getenv("STOWAWAY_CACHE_DIR");
	if (env && *env)
		return sw_xstrdup(env);
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return sw_xasprintf("%s/stowaway", xdg);
	const char *home = getenv("HOME");
	return sw_xasprintf("%s/.cache/stowaway", home && *home ? home : "/tmp");
}

char *sw_cache_key_of(const struct sw_buf *text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!sw_buf_ok(text) || !EVP_Digest(text->data, text->len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		return NULL;
	static const char hex[] = "0123456789abcdef";
	char *key = sw_xmalloc(2 * mdlen + 1);
	for (unsigned i = 0; i < mdlen; i++) {
		key[2 * i] = hex[md[i] >> 4];
		key[2 * i + 1] = hex[md[i] & 15];
	}
	key[2 * mdlen] = '\0';
	return key;
}

/* ---- writing ---- */

void sw_cache_put_u32(struct sw_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	sw_buf_add(b, x, 4);
}

void sw_cache_put_str(struct sw_buf *b, const char *s)
{
	if (!s) {
		sw_cache_put_u32(b, CACHE_NULL);
		return;
	}
	size_t n = strlen(s);
	if (n >= CACHE_NULL) {
		b->failed = true;
		return;
	}
	sw_cache_put_u32(b, (uint32_t)n);
	sw_buf_add(b, s, n);
}

void sw_cache_put_strvec(struct sw_buf *b, const struct sw_vec *v)
{
	sw_cache_put_u32(b, (uint32_t)v->len);
	for (size_t i = 0; i < v->len; i++)
		sw_cache_put_str(b, v->items[i]);
}

void sw_cache_put_pkg(struct sw_buf *b, const struct sw_package *p, unsigned flags)
{
	sw_cache_put_str(b, p->type);
	sw_cache_put_str(b, p->namespace_);
	sw_cache_put_str(b, p->name);
	sw_cache_put_str(b, p->version);
	sw_cache_put_u32(b, (uint32_t)p->epoch);
	sw_cache_put_str(b, p->arch);
	sw_cache_put_str(b, p->source_name);
	sw_cache_put_str(b, p->source_version);
	sw_cache_put_str(b, p->vendor);
	sw_cache_put_str(b, p->modularity);
	sw_cache_put_str(b, p->maintainer);
	sw_cache_put_strvec(b, &p->licenses);
	sw_cache_put_str(b, p->purl);
	sw_cache_put_str(b, p->path);
	if (flags & SW_CACHE_PKG_NO_FILES)
		sw_cache_put_u32(b, 0);
	else
		sw_cache_put_strvec(b, &p->files);
	sw_cache_put_u32(b, p->flags);
	sw_cache_put_str(b, p->owner);
	sw_cache_put_u32(b, (uint32_t)p->layer_index);
	sw_cache_put_str(b, p->layer_diff_id);
	sw_cache_put_str(b, p->layer_created_by);
	sw_cache_put_strvec(b, &p->deps);
}

size_t sw_cache_put_begin(struct sw_buf *b, const char magic[4], uint32_t format, const char *key)
{
	size_t start = b->len;
	sw_buf_add(b, magic, 4);
	sw_cache_put_u32(b, format);
	sw_cache_put_str(b, key);
	return start;
}

int sw_cache_put_end(struct sw_buf *b, size_t start, const char *what, struct sw_err *err)
{
	if (sw_buf_ok(b))
		sw_cache_put_u32(b, (uint32_t)crc32_z(0L, (const Bytef *)b->data + start, b->len - start));
	if (!sw_buf_ok(b))
		return sw_err_set(err, SW_E_NOMEM, "%s: out of memory", what);
	return 0;
}

/* ---- reading ---- */

void sw_cache_rd_fail(struct sw_cache_rd *r, const char *what)
{
	if (!r->bad)
		r->what = what;
	r->bad = true;
	r->left = 0;
}

uint32_t sw_cache_get_u32(struct sw_cache_rd *r)
{
	if (r->bad || r->left < 4) {
		sw_cache_rd_fail(r, "truncated");
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return v;
}

size_t sw_cache_get_count(struct sw_cache_rd *r, size_t min_size)
{
	uint32_t n = sw_cache_get_u32(r);
	if (r->bad)
		return 0;
	if (n > r->left / min_size) {
		sw_cache_rd_fail(r, "count larger than the file");
		return 0;
	}
	return n;
}

char *sw_cache_get_str(struct sw_cache_rd *r)
{
	uint32_t n = sw_cache_get_u32(r);
	if (r->bad || n == CACHE_NULL)
		return NULL;
	if (n > r->left) {
		sw_cache_rd_fail(r, "string longer than the file");
		return NULL;
	}
	if (memchr(r->p, '\0', n)) {
		sw_cache_rd_fail(r, "NUL byte inside a string");
		return NULL;
	}
	char *s = sw_xstrndup((const char *)r->p, n);
	r->p += n;
	r->left -= n;
	return s;
}

char *sw_cache_get_req_str(struct sw_cache_rd *r)
{
	bool was_bad = r->bad;
	char *s = sw_cache_get_str(r);
	if (!s && !was_bad)
		sw_cache_rd_fail(r, "missing string");
	return s;
}

void sw_cache_get_strvec(struct sw_cache_rd *r, struct sw_vec *v)
{
	size_t n = sw_cache_get_count(r, 4);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *s = sw_cache_get_req_str(r);
		if (s)
			sw_vec_push(v, s);
	}
}

struct sw_package *sw_cache_get_pkg(struct sw_cache_rd *r)
{
	char *type = sw_cache_get_req_str(r);
	if (!type)
		return NULL;
	struct sw_package *p = sw_package_new(type);
	free(type);
	p->namespace_ = sw_cache_get_str(r);
	p->name = sw_cache_get_str(r);
	p->version = sw_cache_get_str(r);
	p->epoch = (int32_t)sw_cache_get_u32(r);
	p->arch = sw_cache_get_str(r);
	p->source_name = sw_cache_get_str(r);
	p->source_version = sw_cache_get_str(r);
	p->vendor = sw_cache_get_str(r);
	p->modularity = sw_cache_get_str(r);
	p->maintainer = sw_cache_get_str(r);
	sw_cache_get_strvec(r, &p->licenses);
	p->purl = sw_cache_get_str(r);
	p->path = sw_cache_get_str(r);
	sw_cache_get_strvec(r, &p->files);
	p->flags = sw_cache_get_u32(r);
	p->owner = sw_cache_get_str(r);
	p->layer_index = (int32_t)sw_cache_get_u32(r);
	p->layer_diff_id = sw_cache_get_str(r);
	p->layer_created_by = sw_cache_get_str(r);
	sw_cache_get_strvec(r, &p->deps);
	return p;
}

int sw_cache_rd_begin(struct sw_cache_rd *r, const uint8_t *data, size_t len, const char magic[4],
		      uint32_t format, const char *key, const char *what, struct sw_err *err)
{
	*r = (struct sw_cache_rd){ NULL, 0, true, "not read" };
	if (len < 12 || memcmp(data, magic, 4) != 0)
		return sw_err_set(err, SW_E_FORMAT, "not a %s (bad magic)", what);
	uint32_t stored = (uint32_t)data[len - 4] | (uint32_t)data[len - 3] << 8 |
			  (uint32_t)data[len - 2] << 16 | (uint32_t)data[len - 1] << 24;
	if ((uint32_t)crc32_z(0L, data, len - 4) != stored)
		return sw_err_set(err, SW_E_FORMAT, "%s: checksum mismatch", what);
	*r = (struct sw_cache_rd){ data + 4, len - 8, false, NULL };
	uint32_t got = sw_cache_get_u32(r);
	if (got != format) {
		sw_cache_rd_fail(r, "format");
		return sw_err_set(err, SW_E_FORMAT, "%s: format %u, expected %u", what, (unsigned)got,
				  (unsigned)format);
	}
	char *k = sw_cache_get_str(r);
	bool other = key && (!k || strcmp(k, key) != 0);
	free(k);
	if (other) {
		sw_cache_rd_fail(r, "key");
		return sw_err_set(err, SW_E_FORMAT, "%s: written for another key", what);
	}
	return 0;
}

int sw_cache_rd_end(struct sw_cache_rd *r, const char *what, struct sw_err *err)
{
	if (!r->bad && r->left)
		sw_cache_rd_fail(r, "trailing bytes");
	if (r->bad)
		return sw_err_set(err, SW_E_FORMAT, "%s: %s", what, r->what);
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

int sw_cache_blob_load(const char *dir, const char *key, size_t max, struct sw_cache_blob *out,
		       struct sw_err *err)
{
	*out = (struct sw_cache_blob){ (const uint8_t *)"", 0, NULL, 0 };
	char *path = sw_xasprintf("%s/%s", dir, key);
	int rc = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : sw_err_errno(err, "'%s'", path);
	} else if (fstat(fd, &st) < 0) {
		rc = sw_err_errno(err, "'%s'", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a regular file", path);
	} else if ((uint64_t)st.st_size > max) {
		rc = sw_err_set(err, SW_E_LIMIT, "'%s': file is larger than %zu bytes", path, max);
	} else if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = sw_err_errno(err, "cannot map '%s'", path);
		} else {
			out->data = m;
			out->len = (size_t)st.st_size;
			out->map = m;
			out->map_len = (size_t)st.st_size;
		}
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

void sw_cache_blob_release(struct sw_cache_blob *b)
{
	if (b && b->map)
		munmap(b->map, b->map_len);
	if (b)
		*b = (struct sw_cache_blob){ (const uint8_t *)"", 0, NULL, 0 };
}

int sw_cache_store_file(const char *dir, const char *key, const struct sw_buf *data,
			struct sw_err *err)
{
	char *tmp = NULL, *path = NULL;
	int fd = -1, rc = -1;
	bool made = false;
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
	for (size_t off = 0; off < data->len;) {
		ssize_t n = write(fd, data->data + off, data->len - off);
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
	return rc;
}
