/* test_rpm.c - rpm header blobs and the three rpm database formats, on
 * small inputs built here (test_rpm_fixture.h), good and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "test_rpm_fixture.h"
#include "inventory/rpm/rpmdb.h"

static const char *const FILES[] = {"/usr/bin/hello", "/usr/share/doc/hello/README", "/"};

static uint8_t *hello_blob(size_t *len)
{
	return fx_pkg_blob("hello", 2, "1.0", "3.fc40", "x86_64", "hello-src-1.0-3.fc40.src.rpm",
			   FILES, 3, len);
}

static void assert_hello(const struct sw_package *p)
{
	assert_string_equal(p->type, "rpm");
	assert_string_equal(p->name, "hello");
	assert_int_equal(p->epoch, 2);
	assert_string_equal(p->version, "1.0-3.fc40");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->source_name, "hello-src");
	assert_string_equal(p->source_version, "1.0-3.fc40");
	assert_int_equal(p->licenses.len, 1);
	assert_string_equal(p->licenses.items[0], "MIT AND BSD-3-Clause");
	assert_string_equal(p->vendor, "Example Vendor");
	assert_string_equal(p->maintainer, "Example Packager <pkg@example.test>");
	assert_string_equal(p->modularity, "example:1.0:20200101:abcdef");
	/* "/" owns no image path */
	assert_int_equal(p->files.len, 2);
	assert_string_equal(p->files.items[0], "usr/bin/hello");
	assert_string_equal(p->files.items[1], "usr/share/doc/hello/README");
}

static void test_header_ok(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = hello_blob(&len);
	struct sw_package *p = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_rpm_header_parse(b, len, &p, &err), 0);
	assert_int_equal(err.code, SW_OK);
	assert_hello(p);
	sw_package_free(p);
	free(b);

	/* no epoch, no arch, no source rpm */
	b = fx_pkg_blob("bare", -1, "2", "1", NULL, NULL, NULL, 0, &len);
	assert_int_equal(sw_rpm_header_parse(b, len, &p, &err), 0);
	assert_int_equal(p->epoch, -1);
	assert_string_equal(p->version, "2-1");
	assert_null(p->arch);
	assert_null(p->source_name);
	assert_null(p->source_version);
	assert_int_equal(p->files.len, 0);
	sw_package_free(p);
	free(b);
}

static void test_header_oldfilenames_and_dribble(void **state)
{
	(void)state;
	struct fx_hdr h;
	fx_hdr_init(&h);
	static const char *const old[] = {"/etc/a.conf", "/bin/sh"};
	fx_hdr_str(&h, 1000, "oldpkg");
	fx_hdr_str(&h, 1001, "0.9");
	fx_hdr_str(&h, 1002, "1");
	fx_hdr_strv(&h, 1027, old, 2);
	fx_hdr_str(&h, 1044, "weird.src.rpm"); /* no version: not split */
	fx_hdr_str(&h, 1022, "noarch");
	fx_hdr_str(&h, 1022, "i686"); /* dribble entry replaces */
	size_t len;
	uint8_t *b = fx_hdr_finish(&h, false, &len);
	struct sw_package *p = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_rpm_header_parse(b, len, &p, &err), 0);
	assert_string_equal(p->arch, "i686");
	assert_null(p->source_name);
	assert_int_equal(p->files.len, 2);
	assert_string_equal(p->files.items[0], "etc/a.conf");
	assert_string_equal(p->files.items[1], "bin/sh");
	sw_package_free(p);
	free(b);
}

static void test_sourcerpm_shapes(void **state)
{
	(void)state;
	static const struct {
		const char *srpm, *name, *ver;
	} cases[] = {
	    {"util-linux-2.32.1-42.el8_8.src.rpm", "util-linux", "2.32.1-42.el8_8"},
	    {"gcc11-11.2.1+git610-1.3.9.src.rpm", "gcc11", "11.2.1+git610-1.3.9"},
	    {"foo-1-2.nosrc.rpm", "foo", "1-2"},
	    {"foo-1-2", "foo", "1-2"},
	    {"foo-1.src.rpm", NULL, NULL},
	    {"-1-2.src.rpm", NULL, NULL},
	    {"foo--2.src.rpm", NULL, NULL},
	    {"foo-1-.src.rpm", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *b = fx_pkg_blob("x", -1, "1", "1", "noarch", cases[i].srpm, NULL, 0, &len);
		struct sw_package *p = NULL;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_rpm_header_parse(b, len, &p, &err), 0);
		if (cases[i].name) {
			assert_string_equal(p->source_name, cases[i].name);
			assert_string_equal(p->source_version, cases[i].ver);
		} else {
			assert_null(p->source_name);
			assert_null(p->source_version);
		}
		sw_package_free(p);
		free(b);
	}
}

/* Parse must fail with SW_E_FORMAT and a message containing `want`. */
static void expect_bad(const uint8_t *b, size_t len, const char *want)
{
	struct sw_package *p = NULL;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_rpm_header_parse(b, len, &p, &err);
	if (r == 0 || !strstr(err.msg, want))
		fail_msg("want error containing '%s', got r=%d '%s'", want, r, err.msg);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_null(p);
}

static uint8_t *one_entry(uint32_t tag, uint32_t type, uint32_t off, uint32_t count,
			  const void *data, size_t dlen, size_t *len)
{
	struct fx_hdr h;
	fx_hdr_init(&h);
	fx_hdr_entry(&h, tag, type, off, count);
	sw_buf_add(&h.data, data, dlen);
	return fx_hdr_finish(&h, false, len);
}

static void test_header_bad(void **state)
{
	(void)state;
	size_t len;
	uint8_t *good = hello_blob(&len);

	expect_bad(good, 0, "truncated");
	expect_bad(good, 7, "truncated");
	expect_bad(good, len - 1, "needs"); /* one byte short */
	expect_bad(good, 8 + 16, "needs");  /* entries past the end */

	uint8_t *b = sw_xmalloc(len);
	memcpy(b, good, len);
	fx_put_be32(b, 0);
	expect_bad(b, len, "entry count 0");
	fx_put_be32(b, 0x10000);
	expect_bad(b, len, "entry count 65536");
	fx_put_be32(b, 0x1000); /* entry count past end */
	expect_bad(b, len, "needs");
	memcpy(b, good, len);
	fx_put_be32(b + 4, 0x10000000);
	expect_bad(b, len, "data length");
	free(b);

	static const char str[] = "abc";
	b = one_entry(1000, 6, 100, 1, str, 4, &len); /* offset past data */
	expect_bad(b, len, "offset 100 past the data store (4 bytes)");
	free(b);
	b = one_entry(1000, 10, 0, 1, str, 4, &len); /* bad type */
	expect_bad(b, len, "bad type 10");
	free(b);
	b = one_entry(1000, 0, 0, 1, str, 4, &len); /* null type */
	expect_bad(b, len, "bad type 0");
	free(b);
	b = one_entry(1000, 6, 0, 0, str, 4, &len); /* count 0 */
	expect_bad(b, len, "count 0");
	free(b);
	b = one_entry(1000, 6, 0, 2, "a\0b", 4, &len); /* string count 2 */
	expect_bad(b, len, "string with count 2");
	free(b);
	b = one_entry(1000, 6, 0, 1, "abcd", 4, &len); /* no NUL */
	expect_bad(b, len, "unterminated");
	free(b);
	b = one_entry(1116, 8, 0, 3, "a\0b\0", 4, &len); /* 3 strings, 2 present */
	expect_bad(b, len, "unterminated");
	free(b);
	b = one_entry(1003, 4, 2, 1, "\0\0\0\0\0\0\0\0", 8, &len); /* misaligned int32 */
	expect_bad(b, len, "not aligned");
	free(b);
	b = one_entry(1116, 4, 4, 2, "\0\0\0\0\0\0\0\0", 8, &len); /* int32s past the end */
	expect_bad(b, len, "run past");
	free(b);
	b = one_entry(1116, 3, 0, 0x100000, "\0\0\0\0", 4, &len); /* array limit */
	expect_bad(b, len, "count 1048576");
	free(b);
	b = one_entry(1000, 4, 0, 1, "\0\0\0\1", 4, &len); /* NAME as int32 */
	expect_bad(b, len, "NAME (1000) has type int32");
	free(b);
	/* 4000 entries all walking the same 8000-byte string array */
	struct fx_hdr ov;
	fx_hdr_init(&ov);
	for (int k = 0; k < 4000; k++)
		fx_hdr_entry(&ov, 1117, 8, 0, 4000);
	for (int k = 0; k < 4000; k++)
		sw_buf_add(&ov.data, "a", 2);
	b = fx_hdr_finish(&ov, false, &len);
	expect_bad(b, len, "header entries overlap");
	free(b);
	b = one_entry(1001, 6, 0, 1, "1.0", 4, &len); /* no NAME */
	expect_bad(b, len, "no NAME");
	free(b);

	struct fx_hdr h;
	fx_hdr_init(&h);
	fx_hdr_str(&h, 1000, "n");
	fx_hdr_str(&h, 1001, "1");
	b = fx_hdr_finish(&h, true, &len);
	expect_bad(b, len, "no RELEASE");
	free(b);

	fx_hdr_init(&h);
	fx_hdr_str(&h, 1000, "n");
	fx_hdr_str(&h, 1001, "1");
	fx_hdr_str(&h, 1002, "1");
	uint32_t ep = 0x80000000u;
	fx_hdr_i32(&h, 1003, &ep, 1);
	b = fx_hdr_finish(&h, true, &len);
	expect_bad(b, len, "EPOCH 2147483648");
	free(b);

	/* DIRINDEXES pointing past DIRNAMES, and a count mismatch */
	static const char *const base[] = {"a", "b"};
	static const char *const dir[] = {"/x/"};
	uint32_t idx[] = {0, 1};
	fx_hdr_init(&h);
	fx_hdr_str(&h, 1000, "n");
	fx_hdr_str(&h, 1001, "1");
	fx_hdr_str(&h, 1002, "1");
	fx_hdr_i32(&h, 1116, idx, 2);
	fx_hdr_strv(&h, 1117, base, 2);
	fx_hdr_strv(&h, 1118, dir, 1);
	b = fx_hdr_finish(&h, true, &len);
	expect_bad(b, len, "DIRINDEXES[1] = 1 past the 1 DIRNAMES");
	free(b);
	fx_hdr_init(&h);
	fx_hdr_str(&h, 1000, "n");
	fx_hdr_str(&h, 1001, "1");
	fx_hdr_str(&h, 1002, "1");
	fx_hdr_i32(&h, 1116, idx, 1);
	fx_hdr_strv(&h, 1117, base, 2);
	fx_hdr_strv(&h, 1118, dir, 1);
	b = fx_hdr_finish(&h, true, &len);
	expect_bad(b, len, "2 BASENAMES but 1 DIRINDEXES");
	free(b);
	free(good);
}

/* Every truncation of a good blob is rejected or parsed, never a crash
 * (this runs under ASan in the sanitizer build). */
static void test_header_truncations(void **state)
{
	(void)state;
	size_t len;
	uint8_t *good = hello_blob(&len);
	for (size_t n = 0; n < len; n++) {
		uint8_t *b = sw_xmalloc(n ? n : 1);
		memcpy(b, good, n);
		struct sw_package *p = NULL;
		assert_true(sw_rpm_header_parse(b, n, &p, NULL) < 0);
		free(b);
	}
	free(good);
}

/* --- the databases --- */

struct three {
	uint8_t *blob[4];
	size_t len[4];
	struct fx_rec rec[4];
};

/* Records out of key order, plus a gpg-pubkey and a corrupt blob. */
static void make_recs(struct three *t)
{
	static const char *const f2[] = {"/usr/lib64/libz.so.1"};
	t->blob[0] = hello_blob(&t->len[0]);
	t->blob[1] = fx_pkg_blob("zlib", -1, "1.2.13", "1.el9", "x86_64",
				 "zlib-1.2.13-1.el9.src.rpm", f2, 1, &t->len[1]);
	t->blob[2] =
	    fx_pkg_blob("gpg-pubkey", -1, "fd431d51", "4ae0493b", NULL, NULL, NULL, 0, &t->len[2]);
	t->blob[3] = sw_xmalloc(40);
	memset(t->blob[3], 0xff, 40);
	t->len[3] = 40;
	static const uint32_t keys[] = {7, 3, 5, 9};
	for (int i = 0; i < 4; i++)
		t->rec[i] = (struct fx_rec){keys[i], t->blob[i], t->len[i]};
}

static void free_recs(struct three *t)
{
	for (int i = 0; i < 4; i++)
		free(t->blob[i]);
}

static bool has_warning(const struct sw_pkglist *l, const char *a, const char *b)
{
	for (size_t i = 0; i < l->warnings.len; i++) {
		const char *w = l->warnings.items[i];
		if (strstr(w, a) && (!b || strstr(w, b)))
			return true;
	}
	return false;
}

static void print_warnings(const struct sw_pkglist *l)
{
	for (size_t i = 0; i < l->warnings.len; i++)
		print_message("warning: %s\n", (const char *)l->warnings.items[i]);
}

/* zlib (key 3) then hello (key 7); gpg-pubkey skipped; key 9 a warning. */
static void check_db_result(const struct sw_pkglist *l, const char *path)
{
	print_warnings(l);
	assert_int_equal(l->pkgs.len, 2);
	struct sw_package *z = l->pkgs.items[0], *h = l->pkgs.items[1];
	assert_string_equal(z->name, "zlib");
	assert_string_equal(z->version, "1.2.13-1.el9");
	assert_int_equal(z->files.len, 1);
	assert_string_equal(z->files.items[0], "usr/lib64/libz.so.1");
	assert_hello(h);
	assert_int_equal(l->warnings.len, 1);
	assert_true(has_warning(l, path, "package record 9: header entry count"));
}

typedef uint8_t *(*builder)(const struct three *t, size_t *len);

static uint8_t *build_sqlite(const struct three *t, size_t *len)
{
	return fx_sqlite(t->rec, 4, len);
}
static uint8_t *build_ndb(const struct three *t, size_t *len)
{
	return fx_ndb(t->rec, 4, len);
}
static uint8_t *build_bdb_le(const struct three *t, size_t *len)
{
	return fx_bdb(t->rec, 4, 4096, false, 0, len); /* all overflow */
}
static uint8_t *build_bdb_be(const struct three *t, size_t *len)
{
	return fx_bdb(t->rec, 4, 512, true, 0, len); /* long chains */
}
static uint8_t *build_bdb_inline(const struct three *t, size_t *len)
{
	return fx_bdb(t->rec, 4, 4096, false, 4096, len); /* all on the hash page */
}

static void test_databases_ok(void **state)
{
	(void)state;
	static const builder builders[] = {build_sqlite, build_ndb, build_bdb_le, build_bdb_be,
					   build_bdb_inline};
	struct three t;
	make_recs(&t);
	for (size_t i = 0; i < sizeof(builders) / sizeof(builders[0]); i++) {
		size_t len;
		uint8_t *db = builders[i](&t, &len);
		struct sw_pkglist l = SW_PKGLIST_INIT;
		struct sw_err err = SW_ERR_INIT;
		if (sw_rpmdb_parse("var/lib/rpm/db", db, len, &l, &err) < 0)
			fail_msg("builder %zu: %s", i, err.msg);
		check_db_result(&l, "var/lib/rpm/db");
		sw_pkglist_release(&l);
		free(db);
	}
	free_recs(&t);
}

static void expect_db_error(const uint8_t *db, size_t len, const char *want)
{
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_rpmdb_parse("var/lib/rpm/Packages", db, len, &l, &err);
	if (r == 0 || !strstr(err.msg, want) || !strstr(err.msg, "var/lib/rpm/Packages"))
		fail_msg("want error containing '%s', got r=%d '%s'", want, r, err.msg);
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
}

/* The database still reads; a warning naming the file says what was wrong. */
static void expect_db_warning(const uint8_t *db, size_t len, size_t npkgs, const char *want)
{
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_rpmdb_parse("var/lib/rpm/Packages", db, len, &l, &err);
	if (r < 0)
		fail_msg("unexpected error '%s'", err.msg);
	if (!has_warning(&l, "var/lib/rpm/Packages: ", want)) {
		print_warnings(&l);
		fail_msg("no warning containing '%s'", want);
	}
	assert_int_equal(l.pkgs.len, npkgs);
	sw_pkglist_release(&l);
}

static void test_detect_bad(void **state)
{
	(void)state;
	expect_db_error((const uint8_t *)"", 0, "empty file");
	expect_db_error((const uint8_t *)"hello, world, this is text", 26, "not an rpm database");
	uint8_t btree[512] = {0};
	fx_put32(btree + 12, 0x053162, false);
	expect_db_error(btree, sizeof(btree), "btree");
}

static void test_bdb_bad(void **state)
{
	(void)state;
	struct three t;
	make_recs(&t);
	/* a header spanning several 512-byte overflow pages, and zlib */
	const char *many[40];
	char names[40][64];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "/usr/share/a-longer-directory-name/file-%02d",
			 i);
		many[i] = names[i];
	}
	size_t len, biglen;
	uint8_t *big = fx_pkg_blob("big", -1, "1", "1", "noarch", NULL, many, 40, &biglen);
	assert_true(biglen > 3 * 512);
	struct fx_rec recs[2] = {{7, big, biglen}, t.rec[1]};
	uint8_t *good = fx_bdb(recs, 2, 512, false, 0, &len);
	uint8_t *db = sw_xmalloc(len);

	expect_db_error(good, 100, "truncated");
	memcpy(db, good, len);
	fx_put32(db + 20, 1000, false);
	expect_db_error(db, len, "bad page size 1000");
	memcpy(db, good, len);
	fx_put32(db + 16, 3, false);
	expect_db_error(db, len, "unsupported berkeley db hash version 3");
	memcpy(db, good, len);
	fx_put32(db + 72, 100000, false);
	expect_db_error(db, len, "hash buckets but only");

	/* bucket 0 mapped to a page past the end */
	memcpy(db, good, len);
	fx_put32(db + 96, 5000, false);
	expect_db_warning(db, len, 0, "hash bucket page 5000 out of range");
	/* bucket 0 mapped to page 0 (the meta page) */
	memcpy(db, good, len);
	fx_put32(db + 96, 0, false);
	expect_db_warning(db, len, 0, "hash bucket page 0 out of range");
	/* overflow page pointer out of range: in hello's H_OFFPAGE item */
	memcpy(db, good, len);
	uint8_t *pg = db + 512;
	uint32_t voff = (uint32_t)pg[26 + 2 * 3] | (uint32_t)pg[27 + 2 * 3] << 8;
	assert_int_equal(pg[voff], 3);
	fx_put32(pg + voff + 4, 0x7fffffff, false);
	expect_db_warning(db, len, 1, "overflow page 2147483647 out of range");
	/* overflow chain looping back onto itself */
	memcpy(db, good, len);
	uint32_t first = (uint32_t)pg[voff + 4] | (uint32_t)pg[voff + 5] << 8;
	fx_put32(db + (size_t)first * 512 + 16, first, false);
	expect_db_warning(db, len, 1, "used twice");
	/* overflow page claiming more bytes than a page holds */
	memcpy(db, good, len);
	fx_put16(db + (size_t)first * 512 + 22, 600, false);
	expect_db_warning(db, len, 1, "holds 600 bytes");
	/* bucket chain looping: page 1's next is page 1 */
	memcpy(db, good, len);
	fx_put32(pg + 16, 1, false);
	expect_db_warning(db, len, 2, "reached twice");
	/* item offsets inside the index */
	memcpy(db, good, len);
	fx_put16(pg + 26 + 2 * 2, 3, false);
	expect_db_warning(db, len, 1, "bad offsets");
	/* entry count larger than the page */
	memcpy(db, good, len);
	fx_put16(pg + 20, 4000, false);
	expect_db_warning(db, len, 0, "do not fit");
	/* truncated file: the overflow pages are gone */
	expect_db_warning(good, 1024, 0, "truncated");
	expect_db_warning(good, 1024, 0, "out of range");
	/* every truncation: no crash */
	for (size_t n = 0; n < len; n += 7) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		(void)sw_rpmdb_parse(NULL, good, n, &l, NULL);
		sw_pkglist_release(&l);
	}
	free(db);
	free(good);
	free(big);
	free_recs(&t);
}

static void test_ndb_bad(void **state)
{
	(void)state;
	struct three t;
	make_recs(&t);
	size_t len;
	uint8_t *good = fx_ndb(t.rec, 2, &len);
	uint8_t *db = sw_xmalloc(len);

	expect_db_error(good, 20, "truncated");
	memcpy(db, good, len);
	fx_put32(db + 4, 1, false);
	expect_db_error(db, len, "unsupported ndb version 1");
	memcpy(db, good, len);
	fx_put32(db + 12, 1000, false);
	expect_db_error(db, len, "1000 slot pages do not fit");

	/* slot pointing past the end of the file */
	memcpy(db, good, len);
	fx_put32(db + 32 + 8, 0x10000000, false);
	expect_db_warning(db, len, 1, "slot 2 (package 7): blob at block 268435456+");
	memcpy(db, good, len);
	fx_put32(db + 32 + 12, 0xffffffff, false);
	expect_db_warning(db, len, 1, "outside the file");
	/* slot inside the slot area */
	memcpy(db, good, len);
	fx_put32(db + 32 + 8, 3, false);
	expect_db_warning(db, len, 1, "bad slot");
	/* checksum */
	memcpy(db, good, len);
	db[4096 + 100] ^= 1;
	expect_db_warning(db, len, 1, "checksum mismatch");
	/* blob head / tail */
	memcpy(db, good, len);
	db[4096] = 'X';
	expect_db_warning(db, len, 1, "no blob head");
	memcpy(db, good, len);
	fx_put32(db + 4096 + 12, 5, false);
	expect_db_warning(db, len, 1, "does not fit");
	memcpy(db, good, len);
	db[48] = 'X';
	expect_db_warning(db, len, 1, "bad slot magic");
	/* truncated file */
	expect_db_warning(good, len - 16, 1, "outside the file");
	/* many bad slots: 50 warnings, then one line counting the rest */
	memcpy(db, good, len);
	for (uint32_t k = 2; k < 62; k++) {
		fx_put32(db + k * 16 + 4, k, false);
		fx_put32(db + k * 16 + 8, 3, false);
	}
	struct sw_pkglist wl = SW_PKGLIST_INIT;
	assert_int_equal(sw_rpmdb_parse("p", db, len, &wl, NULL), 0);
	assert_int_equal(wl.warnings.len, 51);
	assert_string_equal(wl.warnings.items[50], "p: 10 more problems not listed");
	sw_pkglist_release(&wl);
	for (size_t n = 0; n < len; n += 5) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		(void)sw_rpmdb_parse(NULL, good, n, &l, NULL);
		sw_pkglist_release(&l);
	}
	free(db);
	free(good);
	free_recs(&t);
}

static void test_sqlite_bad(void **state)
{
	(void)state;
	struct three t;
	make_recs(&t);
	size_t len;
	uint8_t *good = fx_sqlite(t.rec, 2, &len);
	uint8_t *db = sw_xmalloc(len);

	expect_db_error(good, 50, "shorter than");
	memcpy(db, good, len);
	memset(db + 100, 0x5a, len - 100);
	expect_db_error(db, len, "var/lib/rpm/Packages: ");
	/* truncated: sqlite reports it, we don't crash */
	for (size_t n = 16; n < len; n += 97) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		(void)sw_rpmdb_parse(NULL, good, n, &l, NULL);
		sw_pkglist_release(&l);
	}
	free(good);

	/* a database without the Packages table */
	sqlite3 *s = NULL;
	assert_int_equal(sqlite3_open(":memory:", &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE Other (x);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_int64 sz = 0;
	unsigned char *ser = sqlite3_serialize(s, "main", &sz, 0);
	expect_db_error(ser, (size_t)sz, "cannot read the Packages table");
	sqlite3_free(ser);
	/* a Packages table whose blob is text, and a view named Packages */
	assert_int_equal(sqlite3_exec(s,
				      "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob);"
				      "INSERT INTO Packages VALUES (1, 'text');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ser = sqlite3_serialize(s, "main", &sz, 0);
	expect_db_warning(ser, (size_t)sz, 0, "package record 1: blob column is not a blob");
	sqlite3_free(ser);
	assert_int_equal(
	    sqlite3_exec(
		s, "DROP TABLE Packages; CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob;",
		NULL, NULL, NULL),
	    SQLITE_OK);
	ser = sqlite3_serialize(s, "main", &sz, 0);
	expect_db_error(ser, (size_t)sz, "cannot read the Packages table");
	sqlite3_free(ser);
	sqlite3_close(s);
	free(db);
	free_recs(&t);
}

static void test_analyzer(void **state)
{
	(void)state;
	const struct sw_analyzer *a = &sw_analyzer_rpm;
	assert_string_equal(a->name, "rpm");
	assert_true(a->max_size >= (256u << 20));
	static const char *const yes[] = {
	    "var/lib/rpm/Packages",
	    "var/lib/rpm/Packages.db",
	    "var/lib/rpm/rpmdb.sqlite",
	    "usr/lib/sysimage/rpm/Packages",
	    "usr/lib/sysimage/rpm/Packages.db",
	    "usr/lib/sysimage/rpm/rpmdb.sqlite",
	    "usr/share/rpm/Packages",
	    "usr/share/rpm/rpmdb.sqlite",
	};
	static const char *const no[] = {
	    "var/lib/rpm/Name",
	    "var/lib/rpm/Index.db",
	    "var/lib/rpm/rpmdb.sqlite-wal",
	    "var/lib/rpm/Packages.bak",
	    "x/var/lib/rpm/Packages",
	    "var/lib/rpm/sub/Packages",
	    "var/lib/rpm",
	    "Packages",
	    "var/lib/rpmPackages",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(a->wants(yes[i], 0100644, 1000));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(a->wants(no[i], 0100644, 1000));

	/* a broken file is a warning, not an error */
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(a->parse("var/lib/rpm/Packages", (const uint8_t *)"garbage!", 8, &l, &err),
			 0);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 1);
	assert_string_equal(
	    l.warnings.items[0],
	    "var/lib/rpm/Packages: not an rpm database (no sqlite, ndb or berkeley db hash magic)");
	sw_pkglist_release(&l);

	struct three t;
	make_recs(&t);
	size_t len;
	uint8_t *db = fx_ndb(t.rec, 4, &len);
	assert_int_equal(a->parse("usr/lib/sysimage/rpm/Packages.db", db, len, &l, &err), 0);
	check_db_result(&l, "usr/lib/sysimage/rpm/Packages.db");
	sw_pkglist_release(&l);
	free(db);
	free_recs(&t);
}

/* With SW_RPM_WRITE_SEEDS=DIR, main() also writes the fuzz seed corpora
 * (run by hand when the fixtures change; the corpora are committed).  Not a
 * test: without the variable it would only ever be reported as skipped. */
static void write_file(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char *p = sw_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
	free(p);
}

static void write_seeds(const char *dir)
{
	struct three t;
	make_recs(&t);
	char *d;
	size_t len;
	uint8_t *b;
#define SEEDDIR(n)                                                                                 \
	do {                                                                                       \
		free(d);                                                                           \
		d = sw_xasprintf("%s/%s", dir, n);                                                 \
		mkdir(d, 0755);                                                                    \
	} while (0)
	d = NULL;
	SEEDDIR("rpm_header");
	write_file(d, "hello", t.blob[0], t.len[0]);
	write_file(d, "zlib", t.blob[1], t.len[1]);
	write_file(d, "bad-count", t.blob[3], t.len[3]);
	write_file(d, "truncated", t.blob[0], t.len[0] / 2);
	b = fx_pkg_blob("bare", -1, "2", "1", NULL, NULL, NULL, 0, &len);
	write_file(d, "bare", b, len);
	free(b);
	SEEDDIR("rpmdb_bdb");
	b = fx_bdb(t.rec, 4, 512, false, 0, &len);
	write_file(d, "le-512-overflow", b, len);
	write_file(d, "truncated", b, len / 2);
	free(b);
	b = fx_bdb(t.rec, 4, 512, true, 0, &len);
	write_file(d, "be-512-overflow", b, len);
	free(b);
	b = fx_bdb(t.rec, 3, 4096, false, 4096, &len);
	write_file(d, "le-4096-inline", b, len);
	free(b);
	SEEDDIR("rpmdb_ndb");
	b = fx_ndb(t.rec, 4, &len);
	write_file(d, "four", b, len);
	write_file(d, "truncated", b, len - 100);
	fx_put32(b + 32 + 8, 0x10000000, false);
	write_file(d, "slot-out-of-range", b, len);
	free(b);
	SEEDDIR("rpmdb_sqlite");
	b = fx_sqlite(t.rec, 2, &len);
	write_file(d, "two", b, len);
	write_file(d, "truncated", b, len / 2);
	free(b);
	free(d);
	free_recs(&t);
#undef SEEDDIR
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_ok),
	    cmocka_unit_test(test_header_oldfilenames_and_dribble),
	    cmocka_unit_test(test_sourcerpm_shapes),
	    cmocka_unit_test(test_header_bad),
	    cmocka_unit_test(test_header_truncations),
	    cmocka_unit_test(test_databases_ok),
	    cmocka_unit_test(test_detect_bad),
	    cmocka_unit_test(test_bdb_bad),
	    cmocka_unit_test(test_ndb_bad),
	    cmocka_unit_test(test_sqlite_bad),
	    cmocka_unit_test(test_analyzer),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	const char *seeds = getenv("SW_RPM_WRITE_SEEDS");
	if (rc == 0 && seeds) {
		write_seeds(seeds);
		printf("wrote the rpm fuzz seeds under %s\n", seeds);
	}
	return rc;
}
