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

#define SW_TEST_SKIP 77

/* Path of ../shared/data (env SW_SHARED_DATA), or NULL if it is absent. */
static inline const char *sw_test_shared_data(void)
{
	const char *d = getenv("SW_SHARED_DATA");
	struct stat st;
	if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

/* Exit 77 (ctest: skipped) with a reason when shared data is missing. */
static inline const char *sw_test_require_shared_data(const char *what)
{
	const char *d = sw_test_shared_data();
	if (!d) {
		printf("SKIP: %s needs ../shared/data (set SW_SHARED_DATA); it is absent\n", what);
		exit(SW_TEST_SKIP);
	}
	return d;
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
