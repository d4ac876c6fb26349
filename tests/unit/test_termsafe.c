/* test_termsafe.c - util/termsafe.h, the one terminal cleaner.  Expected
 * outputs are written from the rules (ECMA-48 C0/C1, Unicode bidi controls,
 * RFC 3629 UTF-8), byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/mem.h"
#include "util/termsafe.h"

static void expect(const char *in, unsigned flags, size_t max, const char *want)
{
	char *got = sw_term_clean(in, flags, max);
	assert_string_equal(got, want);
	free(got);
}

static void test_c0_del(void **state)
{
	(void)state;
	expect("a\x1b[31mb", 0, 0, "a?[31mb");
	expect("\x07\x08\x7f", 0, 0, "???");
	expect("a\tb\nc\rd", 0, 0, "a?b?c?d");
	expect("a\tb\nc\rd", SW_TERM_KEEP_NL | SW_TERM_KEEP_TAB, 0, "a\tb\nc?d");
	/* folded: blank runs are one space, none at the ends */
	expect("  a \t\n b\r\n", SW_TERM_FOLD, 0, "a b");
	expect(NULL, 0, 0, "");
}

static void test_c1(void **state)
{
	(void)state;
	/* raw C1 bytes are invalid UTF-8: one '?' each */
	expect("a\x9b" "31mb", 0, 0, "a?31mb");
	expect("\x80\x9f", 0, 0, "?");   /* a stray byte takes the continuation bytes after it */
	expect("\x9b" "a\x9b", 0, 0, "?a?");
	/* UTF-8 encoded C1 (U+009B, U+0085): one '?' per character */
	expect("a\xc2\x9b" "31mb", 0, 0, "a?31mb");
	expect("\xc2\x80\xc2\x9f\xc2\xa0", 0, 0, "??\xc2\xa0"); /* U+00A0 is not C1 */
}

static void test_bidi(void **state)
{
	(void)state;
	expect("x\xe2\x80\xaey", 0, 0, "x?y");                 /* U+202E RLO */
	expect("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9", 0, 0, "???"); /* U+202A, U+2066, U+2069 */
	expect("\xe2\x80\xa9", 0, 0, "\xe2\x80\xa9");           /* U+2029 is kept */
	expect("\xe2\x81\xaa", 0, 0, "\xe2\x81\xaa");           /* U+206A is kept */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* a bad lead byte and the continuation bytes after it are one '?' */
	expect("a\xff\x80\x80" "b", 0, 0, "a?b");
	expect("\xc0\xaf", 0, 0, "?");                 /* overlong '/' */
	expect("\xed\xa0\x80", 0, 0, "?");             /* surrogate U+D800 */
	expect("\xf4\x90\x80\x80", 0, 0, "?");         /* > U+10FFFF */
	expect("c\xe2\x82" "d", 0, 0, "c?d");          /* truncated */
	expect("caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x90\xb3", 0, 0, "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x90\xb3");
}

static void test_max(void **state)
{
	(void)state;
	expect("abcdefgh", SW_TERM_FOLD, 6, "abc...");
	expect("abcdef", SW_TERM_FOLD, 6, "abcdef");
	/* code points, not bytes; never a split character */
	expect("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", SW_TERM_FOLD, 5, "\xc3\xa9\xc3\xa9...");
	expect("ab cdefgh", SW_TERM_FOLD, 6, "ab...");  /* no blank before "..." */
	expect("abcdefgh", 0, 2, "a...");              /* max raised to 4 */
}

static void test_printf(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	sw_term_printf(f, 0, "name '%s' %d", "ev\x1b]0;x\x07il\xc2\x9b", 7);
	/* longer than the stack buffer */
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1000] = '\x1b';
	sw_term_printf(f, SW_TERM_KEEP_NL, "|%s\n", big);
	fclose(f);
	assert_true(sw_starts_with(buf, "name 'ev?]0;x?il?' 7|xxx"));
	assert_null(strchr(buf, '\x1b'));
	assert_int_equal(len, strlen("name 'ev?]0;x?il?' 7") + 1 + 1999 + 1);
	assert_int_equal(buf[len - 1], '\n');
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c0_del),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_bidi),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
