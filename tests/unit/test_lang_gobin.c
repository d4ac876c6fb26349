/* test_lang_gobin.c - Go build info in ELF (and Mach-O) binaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_lang_common.h"

static const struct sw_analyzer *G = &sw_analyzer_gobin;
#define GP "pkg/dependency/parser/golang/binary/testdata/"
#define GF "pkg/fanal/analyzer/language/golang/binary/testdata/"

#define VBASE LT_VBASE
#define PAYLOAD_OFF LT_PAYLOAD_OFF
#define put lt_put
#define build_elf(p, n, s, l) lt_build_elf((p), (n), ".go.buildinfo", (s), (l))

static const char sentinel[] = "0123456789abcdef";

static void add_varstr(struct sw_buf *b, const char *s, size_t n)
{
	size_t v = n;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		if (v)
			c |= 0x80;
		sw_buf_addch(b, (char)c);
	} while (v);
	sw_buf_add(b, s, n);
}

static void inline_payload(struct sw_buf *b, const char *gover, const char *modinfo)
{
	sw_buf_add(b, "\xff Go buildinf:", 14);
	sw_buf_addch(b, 8);
	sw_buf_addch(b, 2);
	sw_buf_add(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	add_varstr(b, gover, strlen(gover));
	char *m = sw_xasprintf("%s%s%s", sentinel, modinfo, sentinel);
	add_varstr(b, m, strlen(m));
	free(m);
}

static const char modinfo[] =
	"path\texample.test/cmd/app\n"
	"mod\texample.test/app\t(devel)\t\n"
	"dep\tgithub.com/a/b\tv1.2.3\th1:x=\n"
	"dep\tgithub.com/c/d\tv0.1.0\th1:y=\n"
	"=>\tgithub.com/fork/d\tv0.1.1\th1:z=\n"
	"dep\tgithub.com/e/f\tv2.0.0\n"
	"=>\t../local/f\t\t\n"
	"dep\tgopkg.in/yaml.v3\tv3.0.1\n"
	"build\t-ldflags=\"-s -X main.version=1.4.0\"\n"
	"build\tGOOS=linux\n";

static void check_modinfo_result(const struct sw_pkglist *l, const char *stdver)
{
	static const char *const want[] = {
		"github.com/a/b@v1.2.3", "github.com/fork/d@v0.1.1", "gopkg.in/yaml.v3@v3.0.1",
		"example.test/app@v1.4.0", "stdlib@x",
	};
	assert_int_equal(l->pkgs.len, LT_N(want));
	lt_has(l, "github.com/a", "b", "v1.2.3");
	lt_has(l, "github.com/fork", "d", "v0.1.1");
	lt_has(l, "gopkg.in", "yaml.v3", "v3.0.1");
	assert_null(lt_find(l, NULL, "f", NULL)); /* local replacement */
	assert_null(lt_find(l, "github.com/c", "d", NULL));
	struct sw_package *m = lt_find(l, "example.test", "app", "v1.4.0");
	assert_non_null(m);
	assert_true(m->flags & SW_PKG_MAIN_MODULE);
	struct sw_package *s = lt_find(l, NULL, "stdlib", NULL);
	assert_non_null(s);
	assert_null(s->namespace_);
	assert_string_equal(s->version, stdver);
	assert_true(s->flags & SW_PKG_STDLIB);
	assert_string_equal(s->type, "golang");
}

static void test_inline_format(void **state)
{
	(void)state;
	struct sw_buf p = SW_BUF_INIT;
	inline_payload(&p, "go1.21rc2", modinfo);
	for (int sections = 1; sections >= 0; sections--) {
		size_t len;
		uint8_t *elf = build_elf((const uint8_t *)p.data, p.len, sections, &len);
		struct sw_pkglist l = SW_PKGLIST_INIT;
		lt_parse_mem(G, "usr/bin/app", elf, len, &l);
		check_modinfo_result(&l, "1.21.0-rc.2");
		assert_int_equal(l.warnings.len, 0);
		sw_pkglist_release(&l);

		/* every truncation: no crash, never more than the full result */
		for (size_t cut = 0; cut < len; cut += 7) {
			lt_parse_mem(G, "usr/bin/app", elf, cut, &l);
			assert_true(l.pkgs.len <= 5);
			sw_pkglist_release(&l);
		}
		free(elf);
	}
	/* build info in another section of an ELF that has section headers:
	 * not looked for (Go always writes .go.buildinfo) */
	size_t len;
	uint8_t *elf = lt_build_elf((const uint8_t *)p.data, p.len, ".data", true, &len);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(G, "usr/bin/app", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	free(elf);
	sw_buf_release(&p);
}

static void test_old_format(void **state)
{
	(void)state;
	/* header | version string header | modinfo string header | bytes */
	char *mod = sw_xasprintf("%s%s%s", sentinel, modinfo, sentinel);
	const char *gover = "go1.15.2";
	size_t hdr = 32, sh1 = 32, sh2 = 48, vdata = 64, mdata = vdata + strlen(gover);
	size_t plen = mdata + strlen(mod);
	uint8_t *p = calloc(1, plen);
	memcpy(p, "\xff Go buildinf:", 14);
	p[14] = 8;
	p[15] = 0;
	put(p + 16, VBASE + PAYLOAD_OFF + sh1, 8);
	put(p + 24, VBASE + PAYLOAD_OFF + sh2, 8);
	(void)hdr;
	put(p + sh1, VBASE + PAYLOAD_OFF + vdata, 8);
	put(p + sh1 + 8, strlen(gover), 8);
	put(p + sh2, VBASE + PAYLOAD_OFF + mdata, 8);
	put(p + sh2 + 8, strlen(mod), 8);
	memcpy(p + vdata, gover, strlen(gover));
	memcpy(p + mdata, mod, strlen(mod));
	size_t len;
	uint8_t *elf = build_elf(p, plen, true, &len);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	check_modinfo_result(&l, "1.15.2");
	sw_pkglist_release(&l);

	/* a pointer out of the file: a warning, nothing else */
	put(elf + PAYLOAD_OFF + 16, 0xdeadbeef00ull, 8);
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/old: Go build info found but unreadable"));
	sw_pkglist_release(&l);
	/* a huge string length */
	put(elf + 64 + 32, len, 8);
	memcpy(elf + PAYLOAD_OFF + 16, p + 16, 8);
	put(elf + PAYLOAD_OFF + sh1 + 8, UINT64_MAX, 8);
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
	free(elf);
	free(p);
	free(mod);
}

static const char go_mod_start[] = "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char go_mod_end[] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

/* A second program header: PT_NOTE with the Go build-ID note (what the
 * Go linker writes in every ELF file). */
static void add_go_note(uint8_t *elf)
{
	put(elf + 56, 2, 2);              /* phnum */
	uint8_t *ph = elf + 64 + 56;
	put(ph, 4, 4);                    /* PT_NOTE */
	put(ph + 8, 176, 8);
	put(ph + 32, 20, 8);
	uint8_t *n = elf + 176;
	put(n, 4, 4);
	put(n + 4, 4, 4);
	put(n + 8, 4, 4);
	memcpy(n + 12, "Go\0\0abcd", 8);
}

/* Pre-1.18 format with the string bytes BEFORE the header, at payload
 * offset `data_at` (the linker's layout: .rodata, then .go.buildinfo). */
static uint8_t *old_format_before(size_t data_at, bool note, size_t *len)
{
	const char *gover = "go1.16.5";
	size_t mlen = 16 + strlen(modinfo) + 16;
	char *mod = malloc(mlen);
	memcpy(mod, go_mod_start, 16);
	memcpy(mod + 16, modinfo, strlen(modinfo));
	memcpy(mod + 16 + strlen(modinfo), go_mod_end, 16);
	size_t vdata = data_at, mdata = vdata + 40;
	size_t hdr = (mdata + mlen + 100 + 15) & ~(size_t)15;
	size_t plen = hdr + 64 + 1000;
	uint8_t *p = calloc(1, plen);
	memcpy(p + vdata, gover, strlen(gover));
	memcpy(p + mdata, mod, mlen);
	memcpy(p + hdr, "\xff Go buildinf:", 14);
	p[hdr + 14] = 8;
	p[hdr + 15] = 0;
	put(p + hdr + 16, VBASE + PAYLOAD_OFF + hdr + 32, 8);
	put(p + hdr + 24, VBASE + PAYLOAD_OFF + hdr + 48, 8);
	put(p + hdr + 32, VBASE + PAYLOAD_OFF + vdata, 8);
	put(p + hdr + 40, strlen(gover), 8);
	put(p + hdr + 48, VBASE + PAYLOAD_OFF + mdata, 8);
	put(p + hdr + 56, mlen, 8);
	/* the section must start at the header: build it without sections
	 * (the magic scan finds the header) */
	uint8_t *elf = build_elf(p, plen, false, len);
	if (note)
		add_go_note(elf);
	free(p);
	free(mod);
	return elf;
}

static void test_old_format_streamed(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	size_t len;
	/* strings in the first 64 KiB: always kept */
	uint8_t *elf = old_format_before(100, false, &len);
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	check_modinfo_result(&l, "1.16.5");
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	free(elf);
	/* beyond the first 64 KiB, in a Go ELF file: "go1." strings and
	 * modinfo texts were kept while streaming */
	elf = old_format_before(70000, true, &len);
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	check_modinfo_result(&l, "1.16.5");
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
	free(elf);
	/* the same without the Go note: not kept, a warning, no guess */
	elf = old_format_before(70000, false, &len);
	lt_parse_mem(G, "usr/bin/old", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/old: pre-Go 1.18 build info points at data not kept while streaming"));
	sw_pkglist_release(&l);
	free(elf);
}

/* The build info after a long stretch of other bytes, and a module list
 * over what is kept while streaming. */
static void test_inline_far_and_too_big(void **state)
{
	(void)state;
	struct sw_buf p = SW_BUF_INIT;
	while (p.len < (300u << 10))
		sw_buf_add(&p, "\xff Go buildin?\x78\x9c", 16);   /* near misses at every alignment */
	inline_payload(&p, "go1.22.1", modinfo);
	size_t len;
	uint8_t *elf = build_elf((const uint8_t *)p.data, p.len, true, &len);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(G, "usr/bin/far", elf, len, &l);
	assert_int_equal(l.warnings.len, 0);
	assert_non_null(lt_find(&l, "github.com/a", "b", "v1.2.3"));
	sw_pkglist_release(&l);
	free(elf);
	sw_buf_release(&p);

	/* 5 MiB of module list: over the 4 MiB kept, a warning */
	struct sw_buf big = SW_BUF_INIT;
	while (big.len < (5u << 20))
		sw_buf_addstr(&big, "dep\tgithub.com/x/y\tv1.0.0\n");
	inline_payload(&p, "go1.22.1", big.data);
	elf = build_elf((const uint8_t *)p.data, p.len, true, &len);
	lt_parse_mem(G, "usr/bin/big", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "usr/bin/big: Go build info larger than 4 MiB; not read"));
	sw_pkglist_release(&l);
	free(elf);
	sw_buf_release(&p);
	sw_buf_release(&big);
}

static void test_stdlib_versions(void **state)
{
	(void)state;
	static const char *const v[][2] = {
		{ "go1.21.3", "1.21.3" }, { "go1.20", "1.20.0" }, { "go1.21rc2", "1.21.0-rc.2" },
		{ "go1.22.1 X:loopvar", "1.22.1" }, { "go1.9beta1", "1.9.0-beta.1" },
		{ "devel go1.23-abcdef", NULL }, { "go", NULL }, { "go1.x", NULL }, { "", NULL },
	};
	for (size_t i = 0; i < LT_N(v); i++) {
		char *s = sw_lang_go_stdlib_version(v[i][0]);
		if (v[i][1])
			assert_string_equal(s, v[i][1]);
		else
			assert_null(s);
		free(s);
	}
}

static void test_wants_and_non_go(void **state)
{
	(void)state;
	assert_true(G->wants("usr/bin/x", 0755, 4096));
	assert_true(G->wants("usr/bin/x", 0100, 4096));
	assert_false(G->wants("usr/bin/x", 0644, 4096));
	assert_false(G->wants("usr/bin/x", 0755, 100));
	assert_false(G->wants("usr/bin/x", 0755, 1ull << 40));
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_str(G, "usr/bin/script", "#!/bin/sh\necho \xff Go buildinf:\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 0);
	/* an ELF without build info */
	uint8_t z[32] = { 0 };
	size_t len;
	uint8_t *elf = build_elf(z, sizeof(z), true, &len);
	lt_parse_mem(G, "usr/bin/c", elf, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 0);
	free(elf);
	sw_pkglist_release(&l);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const test_elf[] = {
		"github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
		"github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492",
		"golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1",
		"github.com/aquasecurity/test@(devel)", "stdlib@1.15.2",
	};
	lt_parse_file(G, GP "test.elf", "usr/bin/test", &l); /* go1.15: pointer format */
	lt_expect_exact(&l, test_elf, LT_N(test_elf));
	assert_true(lt_find(&l, "github.com/aquasecurity", "test", NULL)->flags & SW_PKG_MAIN_MODULE);
	assert_string_equal(((struct sw_package *)l.pkgs.items[0])->path, "usr/bin/test");
	sw_pkglist_release(&l);
	lt_parse_file(G, GF "executable_gobinary", "usr/bin/test", &l);
	lt_expect_exact(&l, test_elf, LT_N(test_elf));
	sw_pkglist_release(&l);

	static const char *const ld[] = { "github.com/aquasecurity/test@v1.0.0", "stdlib@1.22.1" };
	lt_parse_file(G, GP "main-version-via-ldflags.elf", "usr/bin/test", &l);
	lt_expect_exact(&l, ld, LT_N(ld));
	sw_pkglist_release(&l);

	/* "command-line-arguments": no main module; GOEXPERIMENT suffix */
	static const char *const exp[] = { "stdlib@1.22.1" };
	lt_parse_file(G, GP "goexperiment", "usr/bin/x", &l);
	lt_expect_exact(&l, exp, LT_N(exp));
	sw_pkglist_release(&l);

	/* Mach-O, inline format: found by the magic scan */
	static const char *const bbolt[] = { "go.etcd.io/bbolt@v1.3.5", "stdlib@1.20.6" };
	lt_parse_file(G, GP "semver-main-module-version.macho", "usr/bin/bbolt", &l);
	lt_expect_exact(&l, bbolt, LT_N(bbolt));
	sw_pkglist_release(&l);

	/* PE/Mach-O with the old pointer format: a clear warning */
	lt_parse_file(G, GP "test.exe", "x/test.exe", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "x/test.exe: pre-Go 1.18 build info in a non-ELF binary is not supported"));
	sw_pkglist_release(&l);

	/* not Go / broken: nothing, no warning */
	static const char *const quiet[] = { GP "dummy", GF "broken_elf", GF "executable_bash", GF "binary.exe", GF "0755" };
	for (size_t i = 0; i < LT_N(quiet); i++) {
		lt_parse_file(G, quiet[i], "usr/bin/x", &l);
		assert_int_equal(l.pkgs.len, 0);
		assert_int_equal(l.warnings.len, 0);
		sw_pkglist_release(&l);
	}
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants_and_non_go),
		cmocka_unit_test(test_stdlib_versions),
		cmocka_unit_test(test_inline_format),
		cmocka_unit_test(test_old_format),
		cmocka_unit_test(test_old_format_streamed),
		cmocka_unit_test(test_inline_far_and_too_big),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(GP " " GF);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
