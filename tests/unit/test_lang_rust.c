/* test_lang_rust.c - cargo-auditable binaries and Cargo.lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zlib.h>

#include "test_lang_common.h"

static const struct sw_analyzer *R = &sw_analyzer_rustbin;
static const struct sw_analyzer *C = &sw_analyzer_cargo_lock;
#define RP "pkg/dependency/parser/rust/"
#define RF "pkg/fanal/analyzer/language/rust/binary/testdata/"

static uint8_t *dep_elf(const char *json, size_t *len)
{
	uLongf clen = compressBound(strlen(json));
	uint8_t *c = malloc(clen);
	assert_int_equal(compress(c, &clen, (const Bytef *)json, strlen(json)), Z_OK);
	uint8_t *elf = lt_build_elf(c, clen, ".dep-v0", true, len);
	free(c);
	return elf;
}

static void test_auditable_synthetic(void **state)
{
	(void)state;
	size_t len;
	uint8_t *elf = dep_elf("{\"packages\":["
			       "{\"name\":\"app\",\"version\":\"0.3.0\",\"source\":\"local\",\"dependencies\":[1,2],\"root\":true},"
			       "{\"name\":\"serde\",\"version\":\"1.0.190\",\"source\":\"crates.io\"},"
			       "{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"},"
			       "{\"name\":\"rand\",\"version\":\"0.8.5\",\"source\":\"crates.io\",\"kind\":\"runtime\"},"
			       "{\"name\":\"\",\"version\":\"1\"}]}", &len);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(R, "usr/bin/app", elf, len, &l);
	static const char *const want[] = { "app@0.3.0", "serde@1.0.190", "rand@0.8.5" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_true(lt_find(&l, NULL, "app", NULL)->flags & SW_PKG_MAIN_MODULE);
	assert_false(lt_find(&l, NULL, "serde", NULL)->flags & SW_PKG_MAIN_MODULE);
	assert_string_equal(((struct sw_package *)l.pkgs.items[0])->type, "cargo");
	assert_true(lt_warned(&l, "usr/bin/app: .dep-v0: package 4 has no name or version"));
	sw_pkglist_release(&l);
	/* corrupt the zlib stream */
	elf[LT_PAYLOAD_OFF + 5] ^= 0xff;
	elf[LT_PAYLOAD_OFF + 6] ^= 0xff;
	lt_parse_mem(R, "usr/bin/app", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/app: .dep-v0: invalid zlib data"));
	sw_pkglist_release(&l);
	free(elf);

	elf = dep_elf("{\"packages\":{}}", &len);
	lt_parse_mem(R, "usr/bin/b", elf, len, &l);
	assert_true(lt_warned(&l, "usr/bin/b: .dep-v0: no 'packages' array"));
	sw_pkglist_release(&l);
	free(elf);
	elf = dep_elf("not json", &len);
	lt_parse_mem(R, "usr/bin/b", elf, len, &l);
	assert_true(lt_warned(&l, "usr/bin/b: .dep-v0: invalid json"));
	sw_pkglist_release(&l);
	/* truncations never crash */
	for (size_t cut = 0; cut < len; cut += 5) {
		lt_parse_mem(R, "usr/bin/b", elf, cut, &l);
		assert_int_equal(l.pkgs.len, 0);
		sw_pkglist_release(&l);
	}
	free(elf);
}

static size_t zlib_into(struct sw_buf *b, const char *json)
{
	uLongf clen = compressBound(strlen(json));
	uint8_t *c = malloc(clen);
	assert_int_equal(compress(c, &clen, (const Bytef *)json, strlen(json)), Z_OK);
	sw_buf_add(b, c, clen);
	free(c);
	return clen;
}

/* Streamed: other zlib streams of JSON before .dep-v0 are not taken; the
 * section header table (at the end) says which one is .dep-v0. */
static void test_auditable_streamed(void **state)
{
	(void)state;
	struct sw_buf p = SW_BUF_INIT;
	sw_buf_add(&p, "\x78\x9c\x78\x01\x78\xda\x78", 7);   /* headers that lead nowhere */
	zlib_into(&p, "{\"packages\":[{\"name\":\"decoy\",\"version\":\"9.9.9\"}]}");
	while (p.len < (200u << 10))
		sw_buf_add(&p, "\x78\x9c junk \x78", 9);
	size_t dep_at = p.len;
	size_t dep_len = zlib_into(&p, "{\"packages\":[{\"name\":\"real\",\"version\":\"1.0.0\",\"root\":true}]}");
	zlib_into(&p, "{\"packages\":[{\"name\":\"after\",\"version\":\"2\"}]}");
	size_t len;
	uint8_t *elf = lt_build_elf((const uint8_t *)p.data, p.len, ".dep-v0", true, &len);
	uint64_t shoff = 0;
	for (int i = 7; i >= 0; i--)
		shoff = shoff << 8 | elf[40 + i];
	lt_put(elf + shoff + 64 + 24, LT_PAYLOAD_OFF + dep_at, 8);
	lt_put(elf + shoff + 64 + 32, dep_len, 8);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(R, "usr/bin/app", elf, len, &l);
	static const char *const want[] = { "real@1.0.0" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	/* the section one byte too short: its stream does not end inside it */
	lt_put(elf + shoff + 64 + 32, dep_len - 1, 8);
	lt_parse_mem(R, "usr/bin/app", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/app: .dep-v0: invalid zlib data"));
	sw_pkglist_release(&l);
	/* .dep-v0 pointing at bytes that are no zlib stream */
	lt_put(elf + shoff + 64 + 24, LT_PAYLOAD_OFF + 1, 8);
	lt_parse_mem(R, "usr/bin/app", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/app: .dep-v0: invalid zlib data"));
	sw_pkglist_release(&l);
	free(elf);
	sw_buf_release(&p);
}

static void test_cargo_lock_edge(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	assert_true(C->wants("src/app/Cargo.lock", 0644, 1));
	assert_false(C->wants("src/app/Cargo.toml", 0644, 1));
	lt_parse_str(C, "Cargo.lock",
		     "version = 3\n\n[[package]]\nname = 'lit'\nversion = \"1.0.0\"\ndependencies = [\n \"x\",\n]\n"
		     "[metadata]\nname = \"ignored\"\n[[package]]\nversion = \"2\"\n", &l);
	static const char *const want[] = { "lit@1.0.0" };
	lt_expect_exact(&l, want, LT_N(want));
	assert_true(((struct sw_package *)l.pkgs.items[0])->flags & SW_PKG_DECLARED);
	assert_true(lt_warned(&l, "Cargo.lock: line 11: package without 'name'"));
	sw_pkglist_release(&l);
	lt_parse_str(C, "Cargo.lock", "[[package]]\nname\n", &l);
	assert_true(lt_warned(&l, "Cargo.lock: line 2: expected 'key = value'"));
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
	lt_parse_mem(C, "Cargo.lock", "[[package]]\0", 12, &l);
	assert_true(lt_warned(&l, "binary data"));
	sw_pkglist_release(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const bin[] = { "crate_with_features@0.1.0", "library_crate@0.1.0" };
	lt_parse_file(R, RP "binary/testdata/test.elf", "usr/bin/test", &l);
	lt_expect_exact(&l, bin, LT_N(bin));
	assert_true(lt_find(&l, NULL, "crate_with_features", NULL)->flags & SW_PKG_MAIN_MODULE);
	sw_pkglist_release(&l);
	lt_parse_file(R, RF "executable_rust", "usr/bin/test", &l);
	lt_expect_exact(&l, bin, LT_N(bin));
	sw_pkglist_release(&l);
	static const char *const quiet[] = { RP "binary/testdata/dummy", RP "binary/testdata/test.exe",
					     RF "broken_elf", RF "executable_bash", RF "binary.exe", RF "foo" };
	for (size_t i = 0; i < LT_N(quiet); i++) {
		lt_parse_file(R, quiet[i], "usr/bin/x", &l);
		assert_int_equal(l.pkgs.len, 0);
		assert_int_equal(l.warnings.len, 0);
		sw_pkglist_release(&l);
	}

	static const char *const normal[] = { "libc@0.2.54", "normal@0.1.0", "unsafe-any@0.4.2", "typemap@0.3.3",
					      "idna@0.1.5", "matches@0.1.8", "percent-encoding@1.0.1", "url@1.7.2" };
	lt_parse_file(C, RP "cargo/testdata/cargo_normal.lock", "app/Cargo.lock", &l);
	lt_expect_exact(&l, normal, LT_N(normal));
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	/* comments, one-line """strings""" */
	lt_parse_file(C, RP "cargo/testdata/cargo_mixed.lock", "app/Cargo.lock", &l);
	lt_expect_exact(&l, normal, LT_N(normal));
	sw_pkglist_release(&l);
	static const char *const v3[] = { "aho-corasick@0.7.20", "app@0.1.0", "libc@0.2.140", "memchr@1.0.2",
					  "memchr@2.5.0", "regex@1.7.3", "regex-syntax@0.5.6", "regex-syntax@0.6.29",
					  "ucd-util@0.1.10" };
	lt_parse_file(C, RP "cargo/testdata/cargo_v3.lock", "app/Cargo.lock", &l);
	lt_expect_exact(&l, v3, LT_N(v3));
	sw_pkglist_release(&l);
	/* "version =" without a value: that package is skipped with a warning */
	static const char *const inv[] = { "libc@0.2.54", "typemap@0.3.3", "url@1.7.2" };
	lt_parse_file(C, RP "cargo/testdata/cargo_invalid.lock", "app/Cargo.lock", &l);
	lt_expect_exact(&l, inv, LT_N(inv));
	assert_true(lt_warned(&l, "app/Cargo.lock: line 10: invalid value for 'version'"));
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_auditable_synthetic),
		cmocka_unit_test(test_auditable_streamed),
		cmocka_unit_test(test_cargo_lock_edge),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(RP " " RF);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
