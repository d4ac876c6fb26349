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

/* The number of records of KIND in FILE, counted independently of stowaway
 * by tests/tools/count_records.py (Python's tarfile/json/yaml): expected
 * counts come from the data, never from our own output.  ARG may be NULL.
 * Exits 1 naming the command when it cannot count. */
static inline long sw_test_count_records(const char *kind, const char *file, const char *arg)
{
	const char *src = getenv("SW_SOURCE_DIR");
	char *cmd = NULL;
	if (asprintf(&cmd, "/usr/bin/python3 '%s/tests/tools/count_records.py' '%s' '%s' %s%s%s",
		     src ? src : ".", kind, file, arg ? "'" : "", arg ? arg : "", arg ? "'" : "") < 0)
		abort();
	FILE *p = popen(cmd, "r");
	long n = -1;
	char line[64];
	if (p && fgets(line, sizeof(line), p)) {
		char *end;
		n = strtol(line, &end, 10);
		if (end == line || (*end != '\n' && *end != '\0'))
			n = -1;
	}
	int st = p ? pclose(p) : -1;
	if (n < 0 || st != 0) {
		printf("FAIL: cannot count the records: %s\n", cmd);
		exit(1);
	}
	free(cmd);
	return n;
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
