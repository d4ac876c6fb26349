/*
 * rpm_header.c - decode an rpm header blob (as stored in a package
 * database) into a struct sw_package.
 *
 * Layout (all integers big-endian):
 *   uint32 il, uint32 dl, il x { uint32 tag, type, offset, count }, dl bytes
 * Every entry is checked the way rpm's hdrblobVerifyInfo() does before any
 * value is read: known type, count >= 1, offset inside the data store and
 * aligned for its type, and the whole value (strings walked up to their
 * NUL) inside the data store.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/rpm/rpm_internal.h"
#include "inventory/rpm/rpmdb.h"
#include "util/mem.h"

enum rpm_type {
	T_NULL = 0,
	T_CHAR = 1,
	T_INT8 = 2,
	T_INT16 = 3,
	T_INT32 = 4,
	T_INT64 = 5,
	T_STRING = 6,
	T_BIN = 7,
	T_STRING_ARRAY = 8,
	T_I18NSTRING = 9,
};

enum rpm_tag {
	TAG_NAME = 1000,
	TAG_VERSION = 1001,
	TAG_RELEASE = 1002,
	TAG_EPOCH = 1003,
	TAG_VENDOR = 1011,
	TAG_LICENSE = 1014,
	TAG_PACKAGER = 1015,
	TAG_ARCH = 1022,
	TAG_OLDFILENAMES = 1027,
	TAG_SOURCERPM = 1044,
	TAG_DIRINDEXES = 1116,
	TAG_BASENAMES = 1117,
	TAG_DIRNAMES = 1118,
	TAG_MODULARITYLABEL = 5096,
};

struct hentry {
	uint32_t tag, type, offset, count;
	uint32_t len; /* bytes of data, computed and checked */
};

struct hdr {
	const uint8_t *ds; /* data store */
	uint32_t dl;
	struct hentry *e;
	uint32_t il;
};

static const char *type_name(uint32_t t)
{
	static const char *const names[] = {"null",         "char",       "int8",   "int16",
					    "int32",        "int64",      "string", "bin",
					    "string array", "i18n string"};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static const char *tag_name(uint32_t tag)
{
	switch (tag) {
	case TAG_NAME: return "NAME";
	case TAG_VERSION: return "VERSION";
	case TAG_RELEASE: return "RELEASE";
	case TAG_EPOCH: return "EPOCH";
	case TAG_VENDOR: return "VENDOR";
	case TAG_LICENSE: return "LICENSE";
	case TAG_PACKAGER: return "PACKAGER";
	case TAG_ARCH: return "ARCH";
	case TAG_OLDFILENAMES: return "OLDFILENAMES";
	case TAG_SOURCERPM: return "SOURCERPM";
	case TAG_DIRINDEXES: return "DIRINDEXES";
	case TAG_BASENAMES: return "BASENAMES";
	case TAG_DIRNAMES: return "DIRNAMES";
	case TAG_MODULARITYLABEL: return "MODULARITYLABEL";
	}
	return "tag";
}

/* Length of `count` NUL-terminated strings from off, within dl; 0 if they
 * do not all end inside the data store. */
static uint32_t strings_len(const uint8_t *ds, uint32_t dl, uint32_t off, uint32_t count)
{
	uint32_t p = off;
	for (uint32_t i = 0; i < count; i++) {
		const void *nul = memchr(ds + p, 0, dl - p);
		if (!nul)
			return 0;
		p = (uint32_t)((const uint8_t *)nul - ds) + 1;
	}
	return p - off;
}

static int check_entry(const struct hdr *h, uint32_t i, struct hentry *e, struct sw_err *err)
{
	static const uint32_t size[] = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};
	if (e->type == T_NULL || e->type > T_I18NSTRING)
		return sw_err_set(err, SW_E_FORMAT, "header entry %u (tag %u): bad type %u", i,
				  e->tag, e->type);
	if (e->count < 1 || e->count > h->dl)
		return sw_err_set(
		    err, SW_E_FORMAT,
		    "header entry %u (tag %u): count %u out of range (data store %u bytes)", i,
		    e->tag, e->count, h->dl);
	if (e->type != T_BIN && e->count > SW_RPM_HEADER_MAX_ARRAY)
		return sw_err_set(err, SW_E_FORMAT,
				  "header entry %u (tag %u): count %u over the limit", i, e->tag,
				  e->count);
	if (e->type == T_STRING && e->count != 1)
		return sw_err_set(err, SW_E_FORMAT,
				  "header entry %u (tag %u): string with count %u", i, e->tag,
				  e->count);
	if (e->offset >= h->dl)
		return sw_err_set(
		    err, SW_E_FORMAT,
		    "header entry %u (tag %u): offset %u past the data store (%u bytes)", i, e->tag,
		    e->offset, h->dl);
	if (size[e->type] > 1 && e->offset % size[e->type])
		return sw_err_set(err, SW_E_FORMAT,
				  "header entry %u (tag %u): %s offset %u is not aligned", i,
				  e->tag, type_name(e->type), e->offset);
	if (size[e->type]) {
		uint64_t n = (uint64_t)e->count * size[e->type];
		if (n > h->dl - e->offset)
			return sw_err_set(
			    err, SW_E_FORMAT,
			    "header entry %u (tag %u): %u %s values run past the data store", i,
			    e->tag, e->count, type_name(e->type));
		e->len = (uint32_t)n;
	} else {
		e->len = strings_len(h->ds, h->dl, e->offset, e->count);
		if (!e->len)
			return sw_err_set(
			    err, SW_E_FORMAT,
			    "header entry %u (tag %u): unterminated string past the data store", i,
			    e->tag);
	}
	return 0;
}

/* The last entry with this tag (dribble entries after the immutable region
 * replace region ones, as in rpm's headerImport()). */
static const struct hentry *find(const struct hdr *h, uint32_t tag)
{
	for (uint32_t i = h->il; i-- > 0;)
		if (h->e[i].tag == tag)
			return &h->e[i];
	return NULL;
}

static bool is_string_type(uint32_t t)
{
	return t == T_STRING || t == T_STRING_ARRAY || t == T_I18NSTRING;
}

/* The first string of a string-class tag, borrowed (NUL-terminated inside
 * the data store); NULL when absent; error for a non-string type. */
static int get_str(const struct hdr *h, uint32_t tag, const char **out, struct sw_err *err)
{
	const struct hentry *e = find(h, tag);
	*out = NULL;
	if (!e)
		return 0;
	if (!is_string_type(e->type))
		return sw_err_set(err, SW_E_FORMAT, "header tag %s (%u) has type %s, not string",
				  tag_name(tag), tag, type_name(e->type));
	*out = (const char *)h->ds + e->offset;
	return 0;
}

/* Borrowed array of e->count string pointers into the data store. */
static int get_strv(const struct hdr *h, uint32_t tag, const char ***out, uint32_t *n,
		    struct sw_err *err)
{
	const struct hentry *e = find(h, tag);
	*out = NULL;
	*n = 0;
	if (!e)
		return 0;
	if (e->type != T_STRING_ARRAY && e->type != T_STRING)
		return sw_err_set(err, SW_E_FORMAT,
				  "header tag %s (%u) has type %s, not string array", tag_name(tag),
				  tag, type_name(e->type));
	const char **v = sw_xmalloc(sizeof(*v) * e->count);
	const char *p = (const char *)h->ds + e->offset;
	for (uint32_t i = 0; i < e->count; i++) {
		v[i] = p;
		p += strlen(p) + 1; /* bounded: check_entry() walked these NULs */
	}
	*out = v;
	*n = e->count;
	return 0;
}

static int get_int32v(const struct hdr *h, uint32_t tag, const uint8_t **out, uint32_t *n,
		      struct sw_err *err)
{
	const struct hentry *e = find(h, tag);
	*out = NULL;
	*n = 0;
	if (!e)
		return 0;
	if (e->type != T_INT32)
		return sw_err_set(err, SW_E_FORMAT, "header tag %s (%u) has type %s, not int32",
				  tag_name(tag), tag, type_name(e->type));
	*out = h->ds + e->offset;
	*n = e->count;
	return 0;
}

/* "name-ver-rel.src.rpm" -> "name", "ver-rel".  Leaves both NULL when the
 * string does not have that shape. */
static void split_sourcerpm(const char *s, char **name, char **ver)
{
	size_t n = strlen(s);
	static const char *const sfx[] = {".src.rpm", ".nosrc.rpm"};
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(sfx[i]);
		if (n > l && memcmp(s + n - l, sfx[i], l) == 0) {
			n -= l;
			break;
		}
	}
	const char *rel = NULL, *ver_ = NULL;
	for (size_t i = n; i-- > 0;) {
		if (s[i] != '-')
			continue;
		if (!rel) {
			rel = s + i;
		} else {
			ver_ = s + i;
			break;
		}
	}
	if (!ver_ || ver_ == s || rel == ver_ + 1 || rel + 1 == s + n)
		return;
	*name = sw_xstrndup(s, (size_t)(ver_ - s));
	*ver = sw_xstrndup(ver_ + 1, (size_t)(s + n - ver_ - 1));
}

/* Image path of an rpm file name: without leading '/'; NULL for "/". */
static char *image_path(const char *dir, size_t dlen, const char *base)
{
	while (dlen && *dir == '/') {
		dir++;
		dlen--;
	}
	size_t blen = strlen(base);
	if (!dlen)
		while (*base == '/') {
			base++;
			blen--;
		}
	if (!dlen && !blen)
		return NULL;
	char *p = sw_xmalloc(dlen + blen + 1);
	memcpy(p, dir, dlen);
	memcpy(p + dlen, base, blen);
	p[dlen + blen] = '\0';
	return p;
}

static int get_files(const struct hdr *h, struct sw_package *p, struct sw_err *err)
{
	const char **dirs = NULL, **bases = NULL, **old = NULL;
	uint32_t ndirs = 0, nbases = 0, nold = 0, nidx = 0;
	const uint8_t *idx = NULL;
	int r;
	if ((r = get_strv(h, TAG_BASENAMES, &bases, &nbases, err)) < 0)
		goto out;
	if (nbases) {
		if ((r = get_strv(h, TAG_DIRNAMES, &dirs, &ndirs, err)) < 0 ||
		    (r = get_int32v(h, TAG_DIRINDEXES, &idx, &nidx, err)) < 0)
			goto out;
		if (nidx != nbases) {
			r = sw_err_set(err, SW_E_FORMAT,
				       "header has %u BASENAMES but %u DIRINDEXES", nbases, nidx);
			goto out;
		}
		for (uint32_t i = 0; i < nbases; i++) {
			uint32_t d = sw_rpm_be32(idx + 4 * (size_t)i);
			if (d >= ndirs) {
				r = sw_err_set(err, SW_E_FORMAT,
					       "header DIRINDEXES[%u] = %u past the %u DIRNAMES", i,
					       d, ndirs);
				goto out;
			}
			char *f = image_path(dirs[d], strlen(dirs[d]), bases[i]);
			if (f)
				sw_vec_push(&p->files, f);
		}
	} else {
		if ((r = get_strv(h, TAG_OLDFILENAMES, &old, &nold, err)) < 0)
			goto out;
		for (uint32_t i = 0; i < nold; i++) {
			char *f = image_path("", 0, old[i]);
			if (f)
				sw_vec_push(&p->files, f);
		}
	}
	r = 0;
out:
	free(dirs);
	free(bases);
	free(old);
	return r;
}

static int decode(const struct hdr *h, struct sw_package *p, struct sw_err *err)
{
	const char *name, *ver, *rel, *arch, *src, *lic, *vendor, *mod, *packager;
	int r;
	if ((r = get_str(h, TAG_NAME, &name, err)) < 0 ||
	    (r = get_str(h, TAG_VERSION, &ver, err)) < 0 ||
	    (r = get_str(h, TAG_RELEASE, &rel, err)) < 0 ||
	    (r = get_str(h, TAG_ARCH, &arch, err)) < 0 ||
	    (r = get_str(h, TAG_SOURCERPM, &src, err)) < 0 ||
	    (r = get_str(h, TAG_LICENSE, &lic, err)) < 0 ||
	    (r = get_str(h, TAG_VENDOR, &vendor, err)) < 0 ||
	    (r = get_str(h, TAG_MODULARITYLABEL, &mod, err)) < 0 ||
	    (r = get_str(h, TAG_PACKAGER, &packager, err)) < 0)
		return r;
	if (!name || !*name)
		return sw_err_set(err, SW_E_FORMAT, "header has no NAME");
	if (!ver || !*ver)
		return sw_err_set(err, SW_E_FORMAT, "header of '%s' has no VERSION", name);
	if (!rel)
		return sw_err_set(err, SW_E_FORMAT, "header of '%s' has no RELEASE", name);

	const uint8_t *ep;
	uint32_t nep;
	if ((r = get_int32v(h, TAG_EPOCH, &ep, &nep, err)) < 0)
		return r;
	if (nep) {
		uint32_t e = sw_rpm_be32(ep);
		if (e > INT_MAX)
			return sw_err_set(err, SW_E_FORMAT, "header of '%s': EPOCH %u out of range",
					  name, e);
		p->epoch = (int)e;
	}
	p->name = sw_xstrdup(name);
	p->version = sw_xasprintf("%s-%s", ver, rel);
	if (arch && *arch)
		p->arch = sw_xstrdup(arch);
	if (src && *src)
		split_sourcerpm(src, &p->source_name, &p->source_version);
	if (lic && *lic)
		sw_vec_push_strdup(&p->licenses, lic);
	if (vendor && *vendor)
		p->vendor = sw_xstrdup(vendor);
	if (mod && *mod)
		p->modularity = sw_xstrdup(mod);
	if (packager && *packager)
		p->maintainer = sw_xstrdup(packager);
	return get_files(h, p, err);
}

int sw_rpm_header_parse(const uint8_t *blob, size_t len, struct sw_package **out,
			struct sw_err *err)
{
	struct hdr h = {0};
	struct sw_package *p = NULL;
	int r;

	if (len < 8)
		return sw_err_set(err, SW_E_FORMAT, "header blob of %zu bytes is truncated", len);
	h.il = sw_rpm_be32(blob);
	h.dl = sw_rpm_be32(blob + 4);
	if (h.il < 1 || h.il > SW_RPM_HEADER_MAX_TAGS)
		return sw_err_set(err, SW_E_FORMAT, "header entry count %u out of range", h.il);
	if (h.dl > SW_RPM_HEADER_MAX_DATA)
		return sw_err_set(err, SW_E_FORMAT, "header data length %u over the limit", h.dl);
	uint64_t need = 8 + (uint64_t)h.il * 16 + h.dl;
	if (need > len)
		return sw_err_set(
		    err, SW_E_FORMAT,
		    "header of %u entries and %u data bytes needs %llu bytes, blob has %zu", h.il,
		    h.dl, (unsigned long long)need, len);
	h.ds = blob + 8 + (size_t)h.il * 16;
	h.e = sw_xmalloc(sizeof(*h.e) * h.il);
	uint64_t covered = 0;
	for (uint32_t i = 0; i < h.il; i++) {
		const uint8_t *pe = blob + 8 + (size_t)i * 16;
		struct hentry *e = &h.e[i];
		e->tag = sw_rpm_be32(pe);
		e->type = sw_rpm_be32(pe + 4);
		e->offset = sw_rpm_be32(pe + 8);
		e->count = sw_rpm_be32(pe + 12);
		if ((r = check_entry(&h, i, e, err)) < 0)
			goto out;
		/* rpm's entries do not overlap; bounding their sum keeps the
		 * string walks linear in the blob size */
		covered += e->len;
		if (covered > 2 * (uint64_t)h.dl + 65536) {
			r = sw_err_set(err, SW_E_FORMAT,
				       "header entries overlap: %llu bytes of values in a %u-byte "
				       "data store",
				       (unsigned long long)covered, h.dl);
			goto out;
		}
	}
	p = sw_package_new("rpm");
	if ((r = decode(&h, p, err)) < 0)
		goto out;
	*out = p;
	p = NULL;
	r = 0;
out:
	sw_package_free(p);
	free(h.e);
	return r;
}
