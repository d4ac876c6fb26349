/* test_json.c - the JSON reader (util/json.h): values, bad input, and
 * agreement with jansson on what is valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "sw_test.h"
#include "util/json.h"

static struct sw_json_doc *parse_ok(const char *text)
{
	struct sw_json_doc *d = NULL;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_json_parse(text, strlen(text), &d, &err);
	if (r < 0)
		fail_msg("'%s': %s", text, err.msg);
	return d;
}

static void test_values(void **state)
{
	(void)state;
	struct sw_json_doc *d = parse_ok(" {\"a\": [1, -2, 3.5, 1e2, true, false, null, \"x\"],\n"
					 "  \"b\": {\"c\": \"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"}, \"e\": {}, \"f\": [],"
					 " \"big\": 9223372036854775807, \"neg\": -9223372036854775808} ");
	const struct sw_json *root = sw_json_root(d);
	assert_true(sw_json_is(root, SW_JSON_OBJECT));
	assert_int_equal(root->n, 6);
	const struct sw_json *a = sw_json_get(root, "a");
	assert_int_equal(sw_json_array_len(a), 8);
	assert_true(sw_json_is(sw_json_at(a, 0), SW_JSON_INTEGER));
	assert_int_equal(sw_json_at(a, 0)->u.i, 1);
	assert_int_equal(sw_json_at(a, 1)->u.i, -2);
	assert_true(sw_json_is(sw_json_at(a, 2), SW_JSON_REAL));
	assert_true(sw_json_at(a, 2)->u.d == 3.5);
	assert_true(sw_json_is(sw_json_at(a, 3), SW_JSON_REAL));
	assert_true(sw_json_at(a, 3)->u.d == 100.0);
	assert_true(sw_json_is(sw_json_at(a, 4), SW_JSON_TRUE));
	assert_true(sw_json_is(sw_json_at(a, 5), SW_JSON_FALSE));
	assert_true(sw_json_is(sw_json_at(a, 6), SW_JSON_NULL));
	assert_string_equal(sw_json_str(sw_json_at(a, 7)), "x");
	assert_null(sw_json_at(a, 8));
	assert_null(sw_json_str(sw_json_at(a, 0)));
	assert_string_equal(sw_json_get_str(sw_json_get(root, "b"), "c"), "\xc3\xa9\xf0\x9f\x98\x80\n\"\\/");
	assert_int_equal(sw_json_get(sw_json_get(root, "b"), "c")->n, 10);
	assert_true(sw_json_is(sw_json_get(root, "e"), SW_JSON_OBJECT));
	assert_int_equal(sw_json_array_len(sw_json_get(root, "f")), 0);
	assert_int_equal(sw_json_get(root, "big")->u.i, INT64_MAX);
	assert_int_equal(sw_json_get(root, "neg")->u.i, INT64_MIN);
	/* accessors take NULL and wrong types */
	assert_null(sw_json_get(NULL, "a"));
	assert_null(sw_json_get(a, "a"));
	assert_null(sw_json_get(root, "missing"));
	assert_null(sw_json_get_str(root, "a"));
	assert_int_equal(sw_json_array_len(root), 0);
	assert_null(sw_json_root(NULL));
	sw_json_doc_free(d);
	sw_json_doc_free(NULL);
}

/* Many members (duplicate check by sorting) and many small strings (several arena blocks). */
static void test_large(void **state)
{
	(void)state;
	size_t n = 20000;
	char *text = malloc(n * 40 + 16);
	size_t o = 0;
	text[o++] = '{';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(text + o, "%s\"key%zu\": [\"v%zu\", %zu]", i ? "," : "", i, i, i);
	text[o++] = '}';
	text[o] = '\0';
	struct sw_json_doc *d = parse_ok(text);
	const struct sw_json *root = sw_json_root(d);
	assert_int_equal(root->n, n);
	assert_string_equal(sw_json_str(sw_json_at(sw_json_get(root, "key19999"), 0)), "v19999");
	assert_int_equal(sw_json_at(sw_json_get(root, "key7"), 1)->u.i, 7);
	sw_json_doc_free(d);
	/* the same with one key repeated far apart */
	memcpy(strstr(text, "\"key19999\""), "\"key00001\"", 10);
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_json_parse(text, o, &d, &err), 0);   /* key00001 != key1 */
	sw_json_doc_free(d);
	memcpy(strstr(text, "\"key00001\""), "\"key10000\"", 10);
	assert_true(sw_json_parse(text, o, &d, &err) < 0);
	assert_null(d);
	assert_non_null(strstr(err.msg, "duplicate key"));
	free(text);
}

/* One case per line: the reader and jansson (the reference, with
 * JSON_REJECT_DUPLICATES) must agree on whether the text is JSON. */
static const char *const cases[] = {
	"{}", "[]", "[1]", "[\"a\"]", "{\"a\":1}", " \n\t[ ] \r\n",
	"", " ", "1", "\"a\"", "null", "true",                   /* no object or array at the top */
	"[", "]", "{", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}",
	"{\"a\":1,}", "{,}", "[1]x", "[1] [2]", "[tru]", "[nul]", "[falsey]", "[True]",
	"[01]", "[-]", "[1.]", "[.5]", "[1e]", "[1e+]", "[-01]", "[+1]", "[0x10]", "[1.5e3]", "[-0]",
	"[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]",
	"[-9223372036854775809]", "[1e999]", "[-1e999]", "[1e-999]",
	"[\"\\u0000\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"\\ud800\\udc00\"]",
	"[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"a\tb\"]", "[\"a\nb\"]", "[\"\x7f\"]",
	"[\"\xc3\xa9\"]", "[\"\xc3\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
	"[\"\xf0\x9f\x98\x80\"]", "[\"\xe2\x82\"]", "[\"\xff\"]", "[\"abc", "[\"abc\\", "[\"abc\\\"]",
	"{\"a\":1,\"a\":2}", "{\"a\":{\"a\":1},\"b\":{\"a\":2}}", "{\"\":1,\"\":2}",
	"\xef\xbb\xbf[]",
};

static void test_agrees_with_jansson(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i];
		size_t n = strlen(t);
		json_error_t je;
		json_t *j = json_loadb(t, n, JSON_REJECT_DUPLICATES, &je);
		struct sw_json_doc *d = NULL;
		struct sw_err err = SW_ERR_INIT;
		int r = sw_json_parse(t, n, &d, &err);
		if ((j != NULL) != (r == 0))
			fail_msg("case %zu '%s': jansson %s, sw_json %s (%s)", i, t, j ? "accepts" : "rejects",
				 r == 0 ? "accepts" : "rejects", err.msg);
		if (r < 0) {
			assert_null(d);
			assert_int_equal(err.code, SW_E_FORMAT);
			assert_non_null(strstr(err.msg, "line "));
		}
		json_decref(j);
		sw_json_doc_free(d);
	}
}

static void test_nesting_and_errors(void **state)
{
	(void)state;
	char deep[5000];
	for (size_t n = 2048; n <= 2049; n++) {
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		struct sw_json_doc *d = NULL;
		struct sw_err err = SW_ERR_INIT;
		int r = sw_json_parse(deep, 2 * n, &d, &err);
		if (n == 2048) {
			assert_int_equal(r, 0);
			sw_json_doc_free(d);
		} else {
			assert_true(r < 0);
			assert_non_null(strstr(err.msg, "nested too deeply"));
		}
	}
	struct sw_json_doc *d = NULL;
	struct sw_err err = SW_ERR_INIT;
	const char *t = "{\n  \"a\": [1,\n   2,, 3]\n}";
	assert_true(sw_json_parse(t, strlen(t), &d, &err) < 0);
	assert_string_equal(err.msg, "line 3 column 6: unexpected character");
	/* embedded NUL: the length given counts, not strlen */
	assert_true(sw_json_parse("[1]\0[2]", 7, &d, &err) < 0);
	assert_int_equal(sw_json_parse("[1]\0[2]", 3, &d, &err), 0);
	sw_json_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_agrees_with_jansson),
		cmocka_unit_test(test_nesting_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
