/* test_web_html.c - the web pages' HTML and URL escaping and form reading
 * (src/server/web_html.h).  Expected strings are written here by hand from
 * the HTML and URL rules (WHATWG HTML "escapingString", RFC 3986 unreserved
 * characters), with hostile inputs: markup, both quotes, an ESC byte, NUL-free
 * control bytes, broken UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "server/web_html.h"

static char *esc(const char *s)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_html_esc(&b, s);
	sw_buf_addch(&b, 0);
	size_t n;
	return sw_buf_detach(&b, &n);
}

static void expect_esc(const char *in, const char *want)
{
	char *got = esc(in);
	if (strcmp(got, want) != 0)
		fail_msg("escaping '%s': got '%s', want '%s'", in, got, want);
	free(got);
}

static void test_html_hostile(void **state)
{
	(void)state;
	expect_esc("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_esc("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	expect_esc("' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x");
	expect_esc("a&b&amp;", "a&amp;b&amp;amp;");
	/* ESC shows as U+241B SYMBOL FOR ESCAPE, never as the byte */
	expect_esc("\x1b[31mred\x1b[0m", "\xe2\x90\x9b[31mred\xe2\x90\x9b[0m");
	expect_esc("bell\x07 del\x7f cr\r", "bell\xe2\x90\x87 del\xe2\x90\xa1 cr\xe2\x90\x8d");
	expect_esc("tab\tnewline\n", "tab\tnewline\n");
	/* UTF-8 kept, broken UTF-8 and C1 controls replaced by U+FFFD */
	expect_esc("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");
	expect_esc("bad \xff\xfe end", "bad \xef\xbf\xbd\xef\xbf\xbd end");
	expect_esc("overlong \xc0\xbc", "overlong \xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("c1 \xc2\x9b", "c1 \xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("", "");
	char *n = esc(NULL);
	assert_string_equal(n, "");
	free(n);
	/* n bytes: a NUL shows as U+2400 */
	struct sw_buf b = SW_BUF_INIT;
	sw_html_esc_n(&b, "a\0<", 3);
	sw_buf_addch(&b, 0);
	assert_string_equal(b.data, "a\xe2\x90\x80&lt;");
	sw_buf_release(&b);
}

static void test_url(void **state)
{
	(void)state;
	struct sw_buf b = SW_BUF_INIT;
	sw_url_esc(&b, "sha256:ab/../\"<x> y?&#=%\x1b~-._Z9");
	sw_buf_addch(&b, 0);
	assert_string_equal(b.data, "sha256%3Aab%2F..%2F%22%3Cx%3E%20y%3F%26%23%3D%25%1B~-._Z9");
	sw_buf_release(&b);
}

static void test_form(void **state)
{
	(void)state;
	const char body[] = "csrf=abc&token=sw_1%2B2+x&empty=&flag&image=registry%3Ahost%2Frepo%3Av1";
	char *v = sw_form_get(body, strlen(body), "token");
	assert_string_equal(v, "sw_1+2 x");
	free(v);
	v = sw_form_get(body, strlen(body), "image");
	assert_string_equal(v, "registry:host/repo:v1");
	free(v);
	v = sw_form_get(body, strlen(body), "empty");
	assert_string_equal(v, "");
	free(v);
	v = sw_form_get(body, strlen(body), "flag");
	assert_string_equal(v, "");
	free(v);
	assert_null(sw_form_get(body, strlen(body), "csr"));
	assert_null(sw_form_get(body, strlen(body), "missing"));
	/* the length bounds the body: "token" cut off is absent */
	assert_null(sw_form_get(body, 8, "token"));
	/* malformed escapes and NULs are refused */
	assert_null(sw_form_get("a=%zz", 5, "a"));
	assert_null(sw_form_get("a=%4", 4, "a"));
	assert_null(sw_form_get("a=%", 3, "a"));
	assert_null(sw_form_get("a=x%00y", 7, "a"));
	assert_null(sw_form_get(NULL, 0, "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_hostile),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
