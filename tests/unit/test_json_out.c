/* test_json_out.c - the report's JSON writer (report/json_out.c) writes
 * exactly what jansson's json_dumps() writes with the same flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "report/report_int.h"
#include "sw_test.h"

static void check_same(const json_t *j)
{
	static const int precisions[] = { 0, 6, 17 };
	for (size_t k = 0; k < sizeof(precisions) / sizeof(precisions[0]); k++) {
		int p = precisions[k];
		size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
		if (p)
			flags |= JSON_REAL_PRECISION(p);
		char *want = json_dumps(j, flags);
		assert_non_null(want);
		struct sw_buf b = SW_BUF_INIT;
		assert_int_equal(sw_report_json_text(&b, j, p), 0);
		if (strcmp(b.data, want) != 0)
			fail_msg("precision %d:\n--- jansson\n%s\n--- ours\n%s", p, want, b.data);
		sw_buf_release(&b);
		free(want);
	}
}

static void test_values(void **state)
{
	(void)state;
	static const double reals[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 5.5, 9.8, 10.0, 1e20, 1e21,
					1.5e-7, 123456789.0, 1234567.0, 1e100, -2.5e-300, 4.9e-324,
					1.7976931348623157e308, 100.0, 7.25 };
	json_t *o = json_object();
	json_t *ra = json_array();
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(ra, json_real(reals[i]));
	json_object_set_new(o, "reals", ra);
	json_t *ia = json_array();
	json_array_append_new(ia, json_integer(0));
	json_array_append_new(ia, json_integer(-1));
	json_array_append_new(ia, json_integer(INT64_MAX));
	json_array_append_new(ia, json_integer(INT64_MIN));
	json_object_set_new(o, "ints", ia);
	json_object_set_new(o, "strings",
			    json_pack("[s,s,s,s,s,s]", "", "plain", "q\"b\\s/ \b\f\n\r\t", "\x01\x1f\x7f",
				      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\\u0041"));
	json_object_set_new(o, "nul", json_stringn("a\0b", 3));
	json_object_set_new(o, "key \"quoted\"\n", json_true());
	json_object_set_new(o, "f", json_false());
	json_object_set_new(o, "n", json_null());
	json_object_set_new(o, "empty", json_pack("{s:{},s:[],s:[{}],s:[[]]}", "o", "a", "ao", "aa"));
	json_t *deep = json_string("bottom");
	for (int i = 0; i < 40; i++)
		deep = i % 2 ? json_pack("[o]", deep) : json_pack("{s:o}", "k", deep);
	json_object_set_new(o, "deep", deep);
	/* replacing a value keeps the key's place */
	json_object_set_new(o, "ints", json_integer(42));
	check_same(o);
	json_decref(o);
	/* scalars at the top (streamed items are any value) */
	json_t *s = json_string("x\ty");
	check_same(s);
	json_decref(s);
	json_t *r = json_real(2.0);
	check_same(r);
	json_decref(r);
}

/* Random documents from a fixed seed. */
static json_t *random_value(unsigned *seed, int depth)
{
	int t = (int)(rand_r(seed) % (depth > 5 ? 5 : 7));
	char buf[16];
	switch (t) {
	case 0: return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 1: return json_real(ldexp((double)rand_r(seed), (int)(rand_r(seed) % 200) - 100));
	case 2: {
		size_t n = (size_t)rand_r(seed) % sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(1 + rand_r(seed) % 127);
		return json_stringn(buf, n);
	}
	case 3: return json_null();
	case 4: return rand_r(seed) % 2 ? json_true() : json_false();
	case 5: {
		json_t *a = json_array();
		for (int n = rand_r(seed) % 5; n > 0; n--)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int n = rand_r(seed) % 5; n > 0; n--) {
			snprintf(buf, sizeof(buf), "k%d\x01", rand_r(seed) % 8);
			json_object_set_new(o, buf, random_value(seed, depth + 1));
		}
		return o;
	}
	}
}

static void test_random(void **state)
{
	(void)state;
	unsigned seed = 12345;
	for (int i = 0; i < 2000; i++) {
		json_t *j = random_value(&seed, 0);
		check_same(j);
		json_decref(j);
	}
}

static void test_write(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:[i,f]}", "a", 1, 2.5);
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_report_json_write(f, o, 6, &err), 0);
	fclose(f);
	assert_string_equal(mem, "{\n  \"a\": [\n    1,\n    2.5\n  ]\n}\n");
	free(mem);
	/* a full device: the error is reported, not lost */
	f = fopen("/dev/full", "w");
	if (f) {
		assert_true(sw_report_json_write(f, o, 6, &err) < 0);
		assert_non_null(strstr(err.msg, "cannot write the report"));
		fclose(f);
	}
	err = (struct sw_err)SW_ERR_INIT;
	assert_true(sw_report_json_write(stdout, NULL, 0, &err) < 0);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
