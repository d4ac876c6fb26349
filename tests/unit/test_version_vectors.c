/*
 * test_version_vectors.c - every row of every file in
 * ../shared/data/versions/, in both directions, plus order properties
 * (antisymmetry, transitivity) on the versions those files contain.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/mem.h"
#include "util/vec.h"
#include "version/version.h"

static const char *data_dir;

/* Split a line on tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		f[n++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = 0;
		p = t + 1;
	}
	return n;
}

static FILE *open_vec(const char *name)
{
	char *path = sw_xasprintf("%s/versions/%s", data_dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	free(path);
	return f;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

/* Versions seen per scheme, for the property tests. */
static struct sw_vec seen[SW_VS_COUNT_];

static void remember(enum sw_vscheme s, const char *v)
{
	if (sw_version_validate(s, v, NULL) == 0 && sw_vec_find_str(&seen[s], v) < 0)
		sw_vec_push_strdup(&seen[s], v);
}

static int run_tsv(const char *file, enum sw_vscheme s)
{
	FILE *f = open_vec(file);
	char *line = NULL;
	size_t cap = 0;
	int rows = 0, bad = 0, invalid = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		if (line[0] == '#' || !line[0])
			continue;
		char *fl[6] = { 0 };
		int n = split_tabs(line, fl, 6);
		assert_true(n >= 3);
		int want = (int)strtol(fl[2], NULL, 10);
		for (int dir = 0; dir < 2; dir++) {
			const char *a = dir ? fl[1] : fl[0], *b = dir ? fl[0] : fl[1];
			int exp = dir ? -want : want, got = 99;
			struct sw_err err = SW_ERR_INIT;
			if (sw_version_validate(s, a, NULL) < 0 || sw_version_validate(s, b, NULL) < 0) {
				/* a few upstream rows order strings the tool's own
				 * validator rejects ("1.0bc" in apk-tools, marked "invalid.
				 * do string sort"): comparing those is an error here */
				if (sw_version_compare(s, a, b, &got, &err) == 0 && bad++ < 20)
					print_message("%s: compare('%s', '%s') = %d, want an error (invalid)\n", file, a,
						      b, got);
				else if (!strstr(err.msg, "is not a valid") && bad++ < 20)
					print_message("%s: compare('%s', '%s'): error '%s'\n", file, a, b, err.msg);
				invalid++;
				rows++;
				continue;
			}
			if (sw_version_compare(s, a, b, &got, &err) < 0 || got != exp) {
				if (bad++ < 20)
					print_message("%s: compare('%s', '%s') = %d (%s), want %d\n", file, a, b, got,
						      err.msg, exp);
			}
			rows++;
		}
		remember(s, fl[0]);
		remember(s, fl[1]);
	}
	free(line);
	fclose(f);
	print_message("%s: %d comparisons (%d of an invalid version), %d wrong\n", file, rows, invalid, bad);
	assert_int_equal(bad, 0);
	assert_true(rows > 0);
	return rows;
}

static void test_dpkg(void **state) { (void)state; run_tsv("dpkg-version-vectors.tsv", SW_VS_DPKG); }
static void test_rpm(void **state) { (void)state; run_tsv("rpm-vercmp-vectors.tsv", SW_VS_RPM); }
static void test_apk(void **state) { (void)state; run_tsv("apk-version-vectors.tsv", SW_VS_APK); }
static void test_pep440(void **state) { (void)state; run_tsv("pep440-version-vectors.tsv", SW_VS_PEP440); }
static void test_maven(void **state) { (void)state; run_tsv("maven-comparableversion-vectors.tsv", SW_VS_MAVEN); }

/* apk-tools' own test/unit/version.data: "a OP b" with <, >, =, ~, <~,
 * >~, !~ (fuzzy), and single-version validity lines ("!v" = invalid). */
static void test_apk_tools_data(void **state)
{
	(void)state;
	FILE *f = open_vec("apk-tools-version.data");
	char *line = NULL;
	size_t cap = 0;
	int rows = 0, bad = 0, valid_rows = 0, invalid_rows = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		size_t n = strlen(line);
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = 0;
		if (!n)
			continue;
		char *sp1 = strchr(line, ' ');
		if (!sp1) {
			bool want_valid = line[0] != '!';
			const char *v = want_valid ? line : line + 1;
			bool valid = sw_version_validate(SW_VS_APK, v, NULL) == 0;
			if (valid != want_valid && bad++ < 20)
				print_message("validate('%s') = %d, want %d\n", v, valid, want_valid);
			valid_rows++;
			continue;
		}
		*sp1 = 0;
		char *op = sp1 + 1;
		char *sp2 = strchr(op, ' ');
		assert_non_null(sp2);
		*sp2 = 0;
		const char *a = line, *b = sp2 + 1;
		int c = 99;
		if (sw_version_validate(SW_VS_APK, a, NULL) < 0 || sw_version_validate(SW_VS_APK, b, NULL) < 0) {
			/* apk orders these by string ("# invalid. do string
			 * sort"); comparing an invalid version is an error here */
			if (sw_version_compare(SW_VS_APK, a, b, &c, NULL) == 0 && bad++ < 20)
				print_message("apk: '%s' %s '%s' compared, want an error (invalid)\n", a, op, b);
			invalid_rows++;
			continue;
		}
		assert_int_equal(sw_version_compare(SW_VS_APK, a, b, &c, NULL), 0);
		bool fz = sw_apk_fuzzy_match(a, b), ok = false;
		if (!strcmp(op, "<"))
			ok = c < 0;
		else if (!strcmp(op, ">"))
			ok = c > 0;
		else if (!strcmp(op, "="))
			ok = c == 0;
		else if (!strcmp(op, "~"))
			ok = fz;
		else if (!strcmp(op, "!~"))
			ok = !fz;
		else if (!strcmp(op, "<~"))
			ok = fz || c < 0;
		else if (!strcmp(op, ">~"))
			ok = fz || c > 0;
		else
			fail_msg("unknown operator '%s'", op);
		if (!ok && bad++ < 20)
			print_message("apk: '%s' %s '%s' does not hold (cmp %d, fuzzy %d)\n", a, op, b, c, fz);
		rows++;
	}
	free(line);
	fclose(f);
	print_message("apk-tools-version.data: %d relations, %d of an invalid version, %d validity lines, %d wrong\n",
		      rows, invalid_rows, valid_rows, bad);
	assert_int_equal(bad, 0);
	assert_true(rows > 700 && valid_rows > 30 && invalid_rows > 0);
}

static void test_semver_node(void **state)
{
	(void)state;
	FILE *f = open_vec("semver-node-vectors.tsv");
	char *line = NULL;
	size_t cap = 0;
	int rows = 0, bad = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		if (line[0] == '#' || !line[0])
			continue;
		char *fl[6] = { 0 };
		int n = split_tabs(line, fl, 6);
		assert_true(n >= 4);
		int want = (int)strtol(fl[2], NULL, 10);
		unsigned flags = strcmp(fl[3], "loose") == 0 ? SW_VSAT_LOOSE : 0;
		for (int dir = 0; dir < 2; dir++) {
			const char *a = dir ? fl[1] : fl[0], *b = dir ? fl[0] : fl[1];
			int exp = dir ? -want : want, got = 99;
			struct sw_err err = SW_ERR_INIT;
			int rc = flags ? sw_semver_compare_opts(a, b, flags, &got, &err)
				       : sw_version_compare(SW_VS_NPM, a, b, &got, &err);
			if ((rc < 0 || got != exp) && bad++ < 20)
				print_message("semver: compare('%s', '%s') = %d (%s), want %d\n", a, b, got, err.msg, exp);
			rows++;
		}
		if (!flags) {
			remember(SW_VS_NPM, fl[0]);
			remember(SW_VS_NPM, fl[1]);
		}
	}
	free(line);
	fclose(f);
	print_message("semver-node-vectors.tsv: %d comparisons, %d wrong\n", rows, bad);
	assert_int_equal(bad, 0);
}

/* range, version, satisfies, options.  node-semver's satisfies() is false
 * for a version or range it cannot parse; we return an error there, which
 * counts as "false" for the rows that expect false. */
static void test_semver_ranges(void **state)
{
	(void)state;
	FILE *f = open_vec("semver-node-range-vectors.tsv");
	char *line = NULL;
	size_t cap = 0;
	int rows = 0, bad = 0, errors = 0;
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		if (line[0] == '#' || !line[0])
			continue;
		char *fl[6] = { 0 };
		int n = split_tabs(line, fl, 6);
		assert_true(n == 4 || n == 5);
		char *range;
		const char *ver, *sat, *opt;
		if (n == 5) {   /* the range itself contains a tab ("<\t2.0.0") */
			range = sw_xasprintf("%s\t%s", fl[0], fl[1]);
			ver = fl[2];
			sat = fl[3];
			opt = fl[4];
		} else {
			range = sw_xstrdup(fl[0]);
			ver = fl[1];
			sat = fl[2];
			opt = fl[3];
		}
		unsigned flags = 0;
		if (!strcmp(opt, "loose"))
			flags = SW_VSAT_LOOSE;
		else if (!strcmp(opt, "includePrerelease"))
			flags = SW_VSAT_INCLUDE_PRERELEASE;
		bool want = !strcmp(sat, "true"), got = false;
		struct sw_err err = SW_ERR_INIT;
		int rc = sw_version_satisfies_opts(SW_VS_NPM, ver, range, flags, &got, &err);
		if (rc < 0)
			errors++;
		if ((rc < 0 ? want : got != want) && bad++ < 20)
			print_message("range '%s' version '%s' opt %s: got %s, want %s\n", range, ver, opt,
				      rc < 0 ? err.msg : (got ? "true" : "false"), sat);
		rows++;
		free(range);
	}
	free(line);
	fclose(f);
	print_message("semver-node-range-vectors.tsv: %d rows, %d wrong, %d parse errors (all expected false)\n",
		      rows, bad, errors);
	assert_int_equal(bad, 0);
	assert_true(rows > 200);
}

/* Properties over every distinct valid version of each vector file. */
static enum sw_vscheme sort_scheme;
static int sort_cmp(const void *a, const void *b)
{
	int c = 0;
	sw_version_compare(sort_scheme, *(const char *const *)a, *(const char *const *)b, &c, NULL);
	return c;
}

static void test_properties(void **state)
{
	(void)state;
	static const enum sw_vscheme schemes[] = { SW_VS_DPKG, SW_VS_RPM, SW_VS_APK, SW_VS_PEP440, SW_VS_MAVEN,
						   SW_VS_NPM };
	for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		enum sw_vscheme s = schemes[k];
		struct sw_vec *v = &seen[s];
		if (v->len == 0)
			continue;
		sort_scheme = s;
		qsort(v->items, v->len, sizeof(v->items[0]), sort_cmp);
		size_t n = v->len, lim = n < 60 ? n : 60;
		long checks = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				int ab, ba;
				assert_int_equal(sw_version_compare(s, v->items[i], v->items[j], &ab, NULL), 0);
				assert_int_equal(sw_version_compare(s, v->items[j], v->items[i], &ba, NULL), 0);
				if (ab != -ba)
					fail_msg("%s: antisymmetry: '%s' vs '%s' gives %d and %d", sw_vscheme_name(s),
						 (char *)v->items[i], (char *)v->items[j], ab, ba);
				if (i < j && ab > 0)
					fail_msg("%s: sorted list out of order: '%s' > '%s'", sw_vscheme_name(s),
						 (char *)v->items[i], (char *)v->items[j]);
				checks++;
			}
		/* transitivity on a spread sample of lim versions */
		for (size_t i = 0; i < lim; i++)
			for (size_t j = 0; j < lim; j++)
				for (size_t l = 0; l < lim; l++) {
					const char *a = v->items[i * n / lim], *b = v->items[j * n / lim],
						   *c = v->items[l * n / lim];
					int x, y, z;
					sw_version_compare(s, a, b, &x, NULL);
					sw_version_compare(s, b, c, &y, NULL);
					sw_version_compare(s, a, c, &z, NULL);
					if (x <= 0 && y <= 0 && z > 0)
						fail_msg("%s: transitivity: '%s' <= '%s' <= '%s' but '%s' > '%s'",
							 sw_vscheme_name(s), a, b, c, a, c);
					if (x == 0 && y == 0 && z != 0)
						fail_msg("%s: equality is not transitive: %s %s %s", sw_vscheme_name(s), a,
							 b, c);
					checks++;
				}
		print_message("%s: %zu distinct versions, %ld property checks\n", sw_vscheme_name(s), n, checks);
	}
}

int main(void)
{
	data_dir = sw_test_require_shared_data("version vector tests");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg),
		cmocka_unit_test(test_rpm),
		cmocka_unit_test(test_apk),
		cmocka_unit_test(test_apk_tools_data),
		cmocka_unit_test(test_pep440),
		cmocka_unit_test(test_maven),
		cmocka_unit_test(test_semver_node),
		cmocka_unit_test(test_semver_ranges),
		cmocka_unit_test(test_properties),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (int i = 0; i < SW_VS_COUNT_; i++)
		sw_vec_free_strings(&seen[i]);
	return rc;
}
