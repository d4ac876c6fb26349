/* test_libcurl.c - net/libcurl.h: the lazy loader's failure path (the load
 * happens once per process, so this program only ever sees one outcome; the
 * success path is exercised by every registry test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "image/image.h"
#include "net/libcurl.h"
#include "util/mem.h"

static void test_load_failure(void **state)
{
	(void)state;
	assert_int_equal(setenv("STOWAWAY_LIBCURL", "/nonexistent/libcurl.so.4", 1), 0);
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_libcurl_load(&err), -SW_E_UNSUPPORTED);
	assert_int_equal(err.code, SW_E_UNSUPPORTED);
	assert_string_equal(err.msg, "cannot load libcurl.so.4: /nonexistent/libcurl.so.4: cannot open "
				     "shared object file: No such file or directory; install libcurl4");
	/* remembered: the same answer again, even with the variable gone */
	assert_int_equal(unsetenv("STOWAWAY_LIBCURL"), 0);
	struct sw_err again = SW_ERR_INIT;
	assert_int_equal(sw_libcurl_load(&again), -SW_E_UNSUPPORTED);
	assert_string_equal(again.msg, err.msg);
	assert_int_equal(sw_libcurl_load(NULL), -SW_E_UNSUPPORTED); /* err may be NULL */
	/* nothing was filled in */
	assert_null(sw_curl->easy_init);
}

/* A registry reference fails cleanly through the normal error path. */
static void test_registry_open_fails(void **state)
{
	(void)state;
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	struct sw_image_opts o = { 0 };
	int rc = sw_image_open("registry:127.0.0.1:9/nothing/here:1", &o, &img, &err);
	assert_true(rc < 0);
	assert_null(img);
	assert_non_null(strstr(err.msg, "cannot load libcurl.so.4: "));
	assert_non_null(strstr(err.msg, "; install libcurl4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_failure),
		cmocka_unit_test(test_registry_open_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
