/*
 * sw_test.h - helpers shared by the cmocka unit tests.
 *
 * Include after <cmocka.h>'s prerequisites:
 *   #include <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h>
 */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Path of ../shared/data (env SW_SHARED_DATA), or NULL if it is absent. */
static inline const char *sw_test_shared_data(void)
{
	const char *d = getenv("SW_SHARED_DATA");
	struct stat st;
	if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

/* The path of ../shared/data, or exit 1 (a failure, never a skip) naming
 * what is missing: the data is part of the test suite. */
static inline const char *sw_test_require_shared_data(const char *what)
{
	const char *d = sw_test_shared_data();
	if (!d) {
		const char *env = getenv("SW_SHARED_DATA");
		printf("FAIL: %s needs ../shared/data: '%s' is absent (set SW_SHARED_DATA)\n", what,
		       env ? env : "(SW_SHARED_DATA unset)");
		exit(1);
	}
	return d;
}

/* The path of ../shared/data/REL, or exit 1 naming the missing file (malloc'd). */
static inline char *sw_test_require_shared_file(const char *what, const char *rel)
{
	const char *d = sw_test_require_shared_data(what);
	char *p = NULL;
	struct stat st;
	if (asprintf(&p, "%s/%s", d, rel) < 0)
		abort();
	if (stat(p, &st) != 0) {
		printf("FAIL: %s needs '%s'; it is absent\n", what, p);
		exit(1);
	}
	return p;
}

/* A fresh temporary directory for this test process (malloc'd path). */
static inline char *sw_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p = NULL;
	if (asprintf(&p, "%s/sw-test-XXXXXX", base ? base : "/tmp") < 0)
		abort();
	if (!mkdtemp(p))
		abort();
	return p;
}

/* Run a shell command; returns its exit status (or -1). */
static inline int sw_test_sh(const char *cmd)
{
	int r = system(cmd);
	if (r == -1)
		return -1;
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

#endif
