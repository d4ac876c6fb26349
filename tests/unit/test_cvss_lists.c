/*
 * test_cvss_lists.c - every line of every CVSS vector list in
 * ../shared/data/cvss/ (claircore's test data): *_score.list (the computed
 * score equals the expected one, to one decimal), *_roundtrip.list (parse
 * then format gives the same string), *_error.list (parse fails, except
 * lines marked "#OK").  Fails when the data is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>

#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/cvss.h"

static const char *shared_data;

static long tenths(double x)
{
	return lround(x * 10.0);
}

enum list_kind { LIST_SCORE, LIST_ROUNDTRIP, LIST_ERROR };

struct tally {
	int files[3];
	int lines[3];
	int failed;
};

/* One list line: first token the vector, then (score lists) the expected
 * score; "#OK" in an error list marks a valid vector.  Vectors are parsed
 * as the list's major version. */
static void check_line(const char *file, int lineno, char *line, enum list_kind kind, int major,
		       struct tally *t)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return;
	char *vec = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	char *rest = p;
	if (*p)
		*p++ = '\0';
	(void)rest;
	struct sw_cvss c;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_cvss_parse_ex(vec, major, 0, &c, &err);
	t->lines[kind]++;
	switch (kind) {
	case LIST_ERROR: {
		bool ok = strstr(p, "#OK") != NULL;
		if (ok && r != 0) {
			print_message("%s:%d: valid vector refused: %s\n", file, lineno, err.msg);
			t->failed++;
		} else if (!ok && r == 0) {
			print_message("%s:%d: bad vector accepted: %s\n", file, lineno, vec);
			t->failed++;
		}
		break;
	}
	case LIST_ROUNDTRIP: {
		char buf[SW_CVSS_VECTOR_MAX];
		if (r != 0) {
			print_message("%s:%d: %s\n", file, lineno, err.msg);
			t->failed++;
		} else if (sw_cvss_format(&c, buf, sizeof(buf)) < 0 || strcmp(buf, vec) != 0) {
			print_message("%s:%d: '%s' formats as '%s'\n", file, lineno, vec, buf);
			t->failed++;
		}
		break;
	}
	case LIST_SCORE: {
		while (*p == ' ' || *p == '\t')
			p++;
		char *endp = NULL;
		double want = strtod(p, &endp);
		if (endp == p) {
			print_message("%s:%d: no expected score\n", file, lineno);
			t->failed++;
		} else if (r != 0) {
			print_message("%s:%d: %s\n", file, lineno, err.msg);
			t->failed++;
		} else if (tenths(sw_cvss_vector_score(&c)) != tenths(want)) {
			print_message("%s:%d: %s: score %.1f (base %.1f), expected %.1f\n", file, lineno, vec,
				      sw_cvss_vector_score(&c), sw_cvss_base_score(&c), want);
			t->failed++;
		}
		break;
	}
	}
}

static void check_file(const char *dir, const char *name, enum list_kind kind, struct tally *t)
{
	char *path = sw_xasprintf("%s/%s", dir, name);
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_buf_read_file(&b, path, 1 << 20, &err) < 0)
		fail_msg("%s", err.msg);
	t->files[kind]++;
	/* claircore-v2_..., -v3_..., -v30_..., -v31_..., -v4_...: the lists are
	 * per version, so a valid vector of another version is an error. */
	const char *vp = strstr(name, "-v");
	if (!vp || vp[2] < '2' || vp[2] > '4')
		fail_msg("%s: no version in the file name", name);
	int major = vp[2] - '0';
	int lineno = 0;
	char *line = b.data;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		check_line(name, lineno, line, kind, major, t);
		line = nl ? nl + 1 : NULL;
	}
	sw_buf_release(&b);
	free(path);
}

static void test_shared_lists(void **state)
{
	(void)state;
	char *dir = sw_xasprintf("%s/cvss", shared_data);
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open '%s'", dir);
	struct tally t = { { 0 }, { 0 }, 0 };
	struct dirent *de;
	while ((de = readdir(d))) {
		if (sw_ends_with(de->d_name, "_score.list"))
			check_file(dir, de->d_name, LIST_SCORE, &t);
		else if (sw_ends_with(de->d_name, "_roundtrip.list"))
			check_file(dir, de->d_name, LIST_ROUNDTRIP, &t);
		else if (sw_ends_with(de->d_name, "_error.list"))
			check_file(dir, de->d_name, LIST_ERROR, &t);
	}
	closedir(d);
	free(dir);
	print_message("cvss lists: %d score (%d files), %d roundtrip (%d files), %d error (%d files), %d failed\n",
		      t.lines[LIST_SCORE], t.files[LIST_SCORE], t.lines[LIST_ROUNDTRIP], t.files[LIST_ROUNDTRIP],
		      t.lines[LIST_ERROR], t.files[LIST_ERROR], t.failed);
	/* The data set has 4 score, 3 roundtrip and 3 error lists. */
	assert_true(t.files[LIST_SCORE] >= 4 && t.files[LIST_ROUNDTRIP] >= 3 && t.files[LIST_ERROR] >= 3);
	assert_true(t.lines[LIST_SCORE] > 100);
	assert_int_equal(t.failed, 0);
}

int main(void)
{
	shared_data = sw_test_require_shared_data("test_cvss_lists");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
