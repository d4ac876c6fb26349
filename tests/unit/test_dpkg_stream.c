/* test_dpkg_stream.c - the dpkg status file read as a stream: any chunking
 * gives the packages planted, a line longer than what is kept, a NUL byte,
 * the package cap and the warning cap (issue 12, item 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/analyzers.h"
#include "inventory/dpkg.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static const struct sw_analyzer *status_analyzer(void)
{
	const struct sw_analyzer *const *an = sw_analyzers_all();
	for (size_t i = 0; an[i]; i++)
		if (strcmp(an[i]->name, "dpkg-status") == 0)
			return an[i];
	fail_msg("no dpkg-status analyzer");
	return NULL;
}

/* The planted packages: name=version, in file order. */
static const char *const planted[] = { "bash=5.2.15-2+b2", "libc6=2.36-9+deb12u4", "zlib1g=1:1.2.13.dfsg-1",
				       "tail=1.0" };

static void check_planted(const struct sw_pkglist *l)
{
	assert_int_equal(l->pkgs.len, sizeof(planted) / sizeof(planted[0]));
	for (size_t i = 0; i < l->pkgs.len; i++) {
		const struct sw_package *p = l->pkgs.items[i];
		char *nv = sw_xasprintf("%s=%s", p->name, p->version);
		assert_string_equal(nv, planted[i]);
		free(nv);
	}
}

static void test_any_chunking(void **state)
{
	(void)state;
	/* CRLF, comments, continuation lines, a removed package, a line of
	 * 200 KiB (longer than the 64 KiB kept), no final newline */
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "# comment\r\nPackage: bash\r\nStatus: install ok installed\r\nVersion: 5.2.15-2+b2\r\n"
			  "Description: shell\r\n more text\r\n .\r\n\r\n");
	sw_buf_addstr(&b, "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n");
	sw_buf_addstr(&b, "Package: libc6\nStatus: install ok installed\nDescription: x\n ");
	for (int i = 0; i < 200 * 1024; i++)
		sw_buf_addch(&b, 'x');
	sw_buf_addstr(&b, "\nVersion: 2.36-9+deb12u4\n\n");
	sw_buf_addstr(&b, "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n\n\n");
	sw_buf_addstr(&b, "Package: tail\nStatus: install ok installed\nVersion: 1.0");
	assert_true(sw_buf_ok(&b));
	const struct sw_analyzer *a = status_analyzer();
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 4095, 65536, 65537 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_analyzer_run_mem(a, "var/lib/dpkg/status", (const uint8_t *)b.data, b.len,
						     chunks[c], &l, &err), 0);
		check_planted(&l);
		assert_int_equal(l.warnings.len, 0);
		sw_pkglist_release(&l);
	}
	sw_buf_release(&b);
}

static void test_nul_anywhere(void **state)
{
	(void)state;
	static const char text[] = "Package: bash\nStatus: install ok installed\nVersion: 5\n\nPackage: b\0c\n";
	const struct sw_analyzer *a = status_analyzer();
	for (size_t chunk = 1; chunk < 8; chunk++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_analyzer_run_mem(a, "var/lib/dpkg/status", (const uint8_t *)text,
						     sizeof(text) - 1, chunk, &l, &err), 0);
		assert_int_equal(l.pkgs.len, 0);
		assert_int_equal(l.warnings.len, 1);
		assert_non_null(strstr(l.warnings.items[0], "contains NUL bytes"));
		sw_pkglist_release(&l);
	}
}

static void test_caps(void **state)
{
	(void)state;
	const struct sw_analyzer *a = status_analyzer();
	/* 200,005 installed packages: the first 200,000 are kept, then a warning */
	struct sw_buf b = SW_BUF_INIT;
	for (unsigned i = 0; i < 200005; i++)
		sw_buf_addf(&b, "Package: p%u\nStatus: install ok installed\nVersion: 1\n\n", i);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_analyzer_run_mem(a, "var/lib/dpkg/status", (const uint8_t *)b.data, b.len, 65536,
					     &l, &err), 0);
	assert_int_equal(l.pkgs.len, 200000);
	assert_string_equal(((struct sw_package *)l.pkgs.items[199999])->name, "p199999");
	assert_int_equal(l.warnings.len, 1);
	assert_non_null(strstr(l.warnings.items[0], "more than 200000 installed packages"));
	sw_pkglist_release(&l);

	/* 1,000 stanzas without a Version: 20 warnings and one that counts the rest */
	sw_buf_reset(&b);
	for (unsigned i = 0; i < 1000; i++)
		sw_buf_addf(&b, "Package: q%u\nStatus: install ok installed\n\n", i);
	assert_int_equal(sw_analyzer_run_mem(a, "var/lib/dpkg/status", (const uint8_t *)b.data, b.len, 0,
					     &l, &err), 0);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 21);
	assert_non_null(strstr(l.warnings.items[20], "980 more stanzas skipped"));
	sw_pkglist_release(&l);
	sw_buf_release(&b);
	/* the status file is a package database, with no size limit */
	assert_true(a->database && a->database("var/lib/dpkg/status") && a->database("var/lib/dpkg/status.d/x"));
	assert_true(a->max_size == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_chunking),
		cmocka_unit_test(test_nul_anywhere),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
