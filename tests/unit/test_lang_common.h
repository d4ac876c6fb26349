/*
 * test_lang_common.h - helpers for the language-analyzer tests: extract
 * parts of ../shared/data/pkgdb/trivy-language-fixtures.tar.xz into a
 * temporary folder, run an analyzer on a file or on bytes, look packages up.
 * Include after cmocka.h.
 */
#ifndef SW_TEST_LANG_COMMON_H
#define SW_TEST_LANG_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static char *lt_dir; /* extraction folder, or NULL */

/* Extract the given subtrees (space-separated archive paths) of the
 * fixtures archive; fail the whole test program when data is absent. */
static inline void lt_extract(const char *subtrees)
{
	const char *d = sw_test_require_shared_data("trivy language fixtures");
	lt_dir = sw_test_tmpdir();
	char *cmd = sw_xasprintf("tar -xJf '%s/pkgdb/trivy-language-fixtures.tar.xz' -C '%s' %s",
				 d, lt_dir, subtrees);
	int rc = sw_test_sh(cmd);
	free(cmd);
	if (rc != 0) {
		printf("FAIL: cannot extract %s\n", subtrees);
		exit(1);
	}
}

static inline void lt_cleanup(void)
{
	if (!lt_dir)
		return;
	char *cmd = sw_xasprintf("rm -rf '%s'", lt_dir);
	(void)sw_test_sh(cmd);
	free(cmd);
	free(lt_dir);
	lt_dir = NULL;
}

/* Everything an analyzer reported, as one string (for comparisons). */
static inline char *lt_pkglist_str(const struct sw_pkglist *l)
{
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < l->pkgs.len; i++) {
		const struct sw_package *p = l->pkgs.items[i];
		sw_buf_addf(&b, "%s|%s|%s|%s|%s|%u\n", p->type ? p->type : "", p->namespace_ ? p->namespace_ : "",
			    p->name ? p->name : "", p->version ? p->version : "", p->path ? p->path : "",
			    (unsigned)p->flags);
	}
	for (size_t i = 0; i < l->warnings.len; i++)
		sw_buf_addf(&b, "W %s\n", (const char *)l->warnings.items[i]);
	return sw_buf_detach(&b, NULL);
}

/* Run `a` on bytes, as if found at image path `path`.  A streaming
 * analyzer is fed the bytes in one chunk, then again in chunks of 4096, 7
 * and 1 bytes (the last two for smaller files only): every run must report
 * exactly the same. */
static inline void lt_parse_mem(const struct sw_analyzer *a, const char *path, const void *data, size_t len,
			 struct sw_pkglist *l)
{
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_analyzer_run_mem(a, path, data, len, 0, l, &err), 0);
	if (a->parse)
		return;
	char *want = lt_pkglist_str(l);
	static const size_t chunks[] = { 4096, 7, 1 };
	static const size_t upto[] = { SIZE_MAX, 4u << 20, 256u << 10 };
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (len > upto[i])
			continue;
		struct sw_pkglist c = SW_PKGLIST_INIT;
		assert_int_equal(sw_analyzer_run_mem(a, path, data, len, chunks[i], &c, &err), 0);
		char *got = lt_pkglist_str(&c);
		if (strcmp(got, want) != 0)
			fail_msg("%s in chunks of %zu bytes:\n%s\nin one chunk:\n%s", path, chunks[i], got, want);
		free(got);
		sw_pkglist_release(&c);
	}
	free(want);
}

static inline void lt_parse_str(const struct sw_analyzer *a, const char *path, const char *s,
			 struct sw_pkglist *l)
{
	lt_parse_mem(a, path, s, strlen(s), l);
}

/* Run `a` on fixture file REL (relative to the archive root); the image
 * path given to the analyzer is `image_path` (or REL when NULL). */
static inline void lt_parse_file(const struct sw_analyzer *a, const char *rel, const char *image_path,
			  struct sw_pkglist *l)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	char *full = sw_xasprintf("%s/%s", lt_dir, rel);
	if (sw_buf_read_file(&b, full, 1u << 30, &err) < 0)
		fail_msg("cannot read fixture %s: %s", rel, err.msg);
	lt_parse_mem(a, image_path ? image_path : rel, b.data, b.len, l);
	sw_buf_release(&b);
	free(full);
}

/* Package matching ns, name and version (each ignored when NULL), or NULL. */
static inline struct sw_package *lt_find(const struct sw_pkglist *l, const char *ns, const char *name,
				  const char *version)
{
	for (size_t i = 0; i < l->pkgs.len; i++) {
		struct sw_package *p = l->pkgs.items[i];
		if (name && !sw_streq(p->name, name))
			continue;
		if (ns && !sw_streq(p->namespace_, ns))
			continue;
		if (version && !sw_streq(p->version, version))
			continue;
		return p;
	}
	return NULL;
}

#define lt_has(l, ns, name, ver)                                                            \
	do {                                                                                \
		if (!lt_find((l), (ns), (name), (ver)))                                     \
			fail_msg("package %s%s%s@%s not found", (ns) ? (const char *)(ns) : "", \
				 (ns) ? "/" : "", (name) ? (const char *)(name) : "*", (ver) ? (const char *)(ver) : "*");     \
	} while (0)

/* True if some warning contains `needle`. */
static inline bool lt_warned(const struct sw_pkglist *l, const char *needle)
{
	for (size_t i = 0; i < l->warnings.len; i++)
		if (strstr(l->warnings.items[i], needle))
			return true;
	return false;
}

static inline bool lt_has_license(const struct sw_package *p, const char *lic)
{
	return p && sw_vec_find_str(&p->licenses, lic) >= 0;
}

/* Compare the list to exactly the expected "ns/name@version" strings
 * (ns part omitted when NULL), in any order. */
static inline void lt_expect_exact(const struct sw_pkglist *l, const char *const *want, size_t n)
{
	for (size_t i = 0; i < l->pkgs.len; i++) {
		struct sw_package *p = l->pkgs.items[i];
		char *s = p->namespace_ ? sw_xasprintf("%s/%s@%s", p->namespace_, p->name, p->version)
					: sw_xasprintf("%s@%s", p->name, p->version);
		bool found = false;
		for (size_t j = 0; j < n; j++)
			if (strcmp(want[j], s) == 0)
				found = true;
		if (!found)
			fail_msg("unexpected package %s", s);
		free(s);
	}
	for (size_t j = 0; j < n; j++) {
		bool found = false;
		for (size_t i = 0; i < l->pkgs.len && !found; i++) {
			struct sw_package *p = l->pkgs.items[i];
			char *s = p->namespace_ ? sw_xasprintf("%s/%s@%s", p->namespace_, p->name, p->version)
						: sw_xasprintf("%s@%s", p->name, p->version);
			found = strcmp(want[j], s) == 0;
			free(s);
		}
		if (!found)
			fail_msg("missing package %s", want[j]);
	}
	assert_int_equal(l->pkgs.len, n);
}

#define LT_VBASE 0x400000u
#define LT_PAYLOAD_OFF 256u

static inline void lt_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A little-endian ELF64 file: one PT_LOAD mapping the whole file at LT_VBASE,
 * the payload at LT_PAYLOAD_OFF, and (if sections) a section
 * covering it (named secname).  Returns a malloc'd image. */
static inline uint8_t *lt_build_elf(const uint8_t *payload, size_t plen, const char *secname,
				    bool sections, size_t *len)
{
	char shstr[64] = { 0 };
	size_t nl = strlen(secname);
	assert_true(nl < 40);
	memcpy(shstr + 1, secname, nl);
	memcpy(shstr + 2 + nl, ".shstrtab", 10);
	size_t shstr_off = LT_PAYLOAD_OFF + plen;
	size_t sh_off = (shstr_off + sizeof(shstr) + 7) & ~(size_t)7;
	size_t total = sh_off + 3 * 64;
	uint8_t *d = calloc(1, total);
	memcpy(d, "\x7f" "ELF", 4);
	d[4] = 2; /* 64-bit */
	d[5] = 1; /* little endian */
	d[6] = 1;
	lt_put(d + 16, 2, 2);      /* ET_EXEC */
	lt_put(d + 18, 62, 2);     /* x86-64 */
	lt_put(d + 20, 1, 4);
	lt_put(d + 32, 64, 8);     /* phoff */
	lt_put(d + 40, sections ? sh_off : 0, 8);
	lt_put(d + 52, 64, 2);
	lt_put(d + 54, 56, 2);
	lt_put(d + 56, 1, 2);      /* phnum */
	lt_put(d + 58, 64, 2);
	lt_put(d + 60, sections ? 3 : 0, 2);
	lt_put(d + 62, sections ? 2 : 0, 2);
	uint8_t *ph = d + 64;
	lt_put(ph, 1, 4);          /* PT_LOAD */
	lt_put(ph + 4, 5, 4);
	lt_put(ph + 8, 0, 8);
	lt_put(ph + 16, LT_VBASE, 8);
	lt_put(ph + 24, LT_VBASE, 8);
	lt_put(ph + 32, total, 8);
	lt_put(ph + 40, total, 8);
	memcpy(d + LT_PAYLOAD_OFF, payload, plen);
	memcpy(d + shstr_off, shstr, sizeof(shstr));
	if (sections) {
		uint8_t *s1 = d + sh_off + 64, *s2 = d + sh_off + 128;
		lt_put(s1, 1, 4);
		lt_put(s1 + 4, 1, 4); /* PROGBITS */
		lt_put(s1 + 16, LT_VBASE + LT_PAYLOAD_OFF, 8);
		lt_put(s1 + 24, LT_PAYLOAD_OFF, 8);
		lt_put(s1 + 32, plen, 8);
		lt_put(s2, (uint64_t)(2 + nl), 4);
		lt_put(s2 + 4, 3, 4); /* STRTAB */
		lt_put(s2 + 24, shstr_off, 8);
		lt_put(s2 + 32, sizeof(shstr), 8);
	}
	*len = total;
	return d;
}

#define LT_N(a) (sizeof(a) / sizeof((a)[0]))

#endif
