/* test_rpm_data.c - the real rpm databases of ../shared/data (go-rpmdb's
 * test data): SQLite and BerkeleyDB against rpm -qa's output, NDB by
 * sanity checks and values read from the file by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "inventory/rpm/rpmdb.h"
#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/vec.h"

static const char *g_data;

static void load(const char *rel, struct sw_buf *b)
{
	struct sw_err err = SW_ERR_INIT;
	char *p = sw_xasprintf("%s/pkgdb/rpm/go-rpmdb-testdata/%s", g_data, rel);
	sw_buf_init(b, 0);
	if (sw_buf_read_file(b, p, 64u << 20, &err) < 0)
		fail_msg("%s", err.msg);
	free(p);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One line per package as rpm -qa --qf prints it in expected-rpm-qa.tsv:
 * name, epoch or (none), version, release, arch, sourcerpm, vendor. */
static char *qa_line(const struct sw_package *p)
{
	const char *dash = strrchr(p->version, '-');
	assert_non_null(dash);
	char epoch[16] = "(none)";
	if (p->epoch >= 0)
		snprintf(epoch, sizeof(epoch), "%d", p->epoch);
	char *srpm = p->source_name
			 ? sw_xasprintf("%s-%s.src.rpm", p->source_name, p->source_version)
			 : sw_xstrdup("(none)");
	char *s = sw_xasprintf(
	    "%s\t%s\t%.*s\t%s\t%s\t%s\t%s", p->name, epoch, (int)(dash - p->version), p->version,
	    dash + 1, p->arch ? p->arch : "(none)", srpm, p->vendor ? p->vendor : "(none)");
	free(srpm);
	return s;
}

static void check_against_qa(const char *db, const char *tsv, size_t want_n)
{
	struct sw_buf b, e;
	load(db, &b);
	load(tsv, &e);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_rpmdb_parse(db, (const uint8_t *)b.data, b.len, &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.warnings.len, 0);

	struct sw_vec got = SW_VEC_INIT, want = SW_VEC_INIT;
	for (size_t i = 0; i < l.pkgs.len; i++)
		sw_vec_push(&got, qa_line(l.pkgs.items[i]));
	for (char *line = e.data, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		if (*line != '#' && nl > line)
			sw_vec_push(&want, sw_xstrndup(line, (size_t)(nl - line)));
		if (!nl[1])
			break;
	}
	sw_vec_sort(&got, str_cmp);
	sw_vec_sort(&want, str_cmp);
	size_t bad = 0;
	for (size_t i = 0, j = 0; i < got.len || j < want.len;) {
		int c = i == got.len ? 1 : j == want.len ? -1 : strcmp(got.items[i], want.items[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		bad++;
		if (c < 0)
			print_message("only ours: %s\n", (char *)got.items[i++]);
		else
			print_message("only rpm:  %s\n", (char *)want.items[j++]);
	}
	assert_int_equal(bad, 0);
	assert_int_equal(want.len, want_n);
	assert_int_equal(got.len, want_n);

	/* every package owns image paths: relative, no empty components */
	for (size_t i = 0; i < l.pkgs.len; i++) {
		const struct sw_package *p = l.pkgs.items[i];
		for (size_t k = 0; k < p->files.len; k++) {
			const char *f = p->files.items[k];
			assert_true(*f && *f != '/' && !strstr(f, "//"));
		}
	}
	sw_vec_free_strings(&got);
	sw_vec_free_strings(&want);
	sw_pkglist_release(&l);
	sw_buf_release(&b);
	sw_buf_release(&e);
}

static const struct sw_package *find(const struct sw_pkglist *l, const char *name)
{
	for (size_t i = 0; i < l->pkgs.len; i++)
		if (sw_streq(((struct sw_package *)l->pkgs.items[i])->name, name))
			return l->pkgs.items[i];
	return NULL;
}

static void test_sqlite_mariner(void **state)
{
	(void)state;
	check_against_qa("cbl-mariner-2.0/rpmdb.sqlite", "cbl-mariner-2.0/expected-rpm-qa.tsv",
			 129);
}

static void test_bdb_libuuid(void **state)
{
	(void)state;
	check_against_qa("libuuid/Packages", "libuuid/expected-rpm-qa.tsv", 1);

	struct sw_buf b;
	load("libuuid/Packages", &b);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	assert_int_equal(
	    sw_rpmdb_parse("var/lib/rpm/Packages", (const uint8_t *)b.data, b.len, &l, NULL), 0);
	const struct sw_package *p = find(&l, "libuuid");
	assert_non_null(p);
	assert_string_equal(p->licenses.items[0], "BSD");
	assert_string_equal(p->maintainer, "Red Hat, Inc. <http://bugzilla.redhat.com/bugzilla>");
	assert_int_equal(p->files.len, 7);
	assert_int_not_equal(sw_vec_find_str(&p->files, "usr/lib64/libuuid.so.1"), -1);
	sw_pkglist_release(&l);
	sw_buf_release(&b);
}

static void owner_is(const struct sw_map *m, const char *path, const char *name)
{
	const char *o = sw_map_get(m, path);
	if (!o)
		fail_msg("'%s' is owned by no package", path);
	assert_string_equal(o, name);
}

/* No rpm -qa list for NDB (the reference rpm lacks the backend); values
 * below were read from the file by hand (python: slots, blob heads,
 * header entries) and agree with rpm 4.18 reading the same header blobs
 * copied into an SQLite rpmdb: 35 packages, 2837 file names. */
static void test_ndb_sle15(void **state)
{
	(void)state;
	struct sw_buf b;
	load("sle15-bci/Packages.db", &b);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_rpmdb_parse("usr/lib/sysimage/rpm/Packages.db", (const uint8_t *)b.data, b.len, &l,
			   &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.warnings.len, 0);
	assert_int_equal(l.pkgs.len, 35);

	const struct sw_package *p = l.pkgs.items[0]; /* package index 1 */
	assert_string_equal(p->name, "system-user-root");
	assert_string_equal(p->version, "20190513-3.3.1");

	p = find(&l, "bash");
	assert_non_null(p);
	assert_int_equal(p->epoch, -1);
	assert_string_equal(p->version, "4.4-19.6.1");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->source_name, "bash");
	assert_string_equal(p->source_version, "4.4-19.6.1");
	assert_string_equal(p->vendor, "SUSE LLC <https://www.suse.com/>");
	assert_string_equal(p->licenses.items[0], "GPL-3.0-or-later");
	assert_string_equal(p->maintainer, "https://www.suse.com/");
	assert_null(p->modularity);
	assert_int_not_equal(sw_vec_find_str(&p->files, "usr/bin/bash"), -1);

	p = find(&l, "libgcc_s1");
	assert_non_null(p);
	assert_string_equal(p->source_name, "gcc11");
	assert_string_equal(p->source_version, "11.2.1+git610-1.3.9");
	p = find(&l, "libreadline7");
	assert_non_null(p);
	assert_string_equal(p->source_name, "bash");

	/* files: 2837 in all, each owned once except directories shared by
	 * several packages; key files owned by the expected package */
	size_t nfiles = 0;
	struct sw_map owner = SW_MAP_INIT;
	for (size_t i = 0; i < l.pkgs.len; i++) {
		const struct sw_package *q = l.pkgs.items[i];
		nfiles += q->files.len;
		for (size_t k = 0; k < q->files.len; k++) {
			const char *f = q->files.items[k];
			assert_true(*f && *f != '/' && !strstr(f, "//"));
			sw_map_put(&owner, f, (void *)q->name);
		}
	}
	assert_int_equal(nfiles, 2837);
	owner_is(&owner, "lib64/libc.so.6", "glibc");
	owner_is(&owner, "etc/os-release", "sles-release");
	owner_is(&owner, "lib64/libz.so.1", "libz1");
	owner_is(&owner, "usr/lib/sysimage/rpm", "rpm-ndb");
	sw_map_release(&owner);
	sw_pkglist_release(&l);
	sw_buf_release(&b);
}

/* The analyzer on the three real files, under their image paths. */
static void test_analyzer_real(void **state)
{
	(void)state;
	static const struct {
		const char *rel, *path;
		size_t n;
	} cases[] = {
	    {"cbl-mariner-2.0/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite", 129},
	    {"libuuid/Packages", "var/lib/rpm/Packages", 1},
	    {"sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db", 35},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_buf b;
		load(cases[i].rel, &b);
		assert_true(sw_analyzer_rpm.wants(cases[i].path, 0100644, b.len));
		assert_true(b.len <= sw_analyzer_rpm.max_size);
		struct sw_pkglist l = SW_PKGLIST_INIT;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(
		    sw_analyzer_rpm.parse(cases[i].path, (const uint8_t *)b.data, b.len, &l, &err),
		    0);
		assert_int_equal(l.warnings.len, 0);
		assert_int_equal(l.pkgs.len, cases[i].n);
		sw_pkglist_release(&l);

		/* cut in half: never a crash, and a warning naming the file */
		assert_int_equal(sw_analyzer_rpm.parse(cases[i].path, (const uint8_t *)b.data,
						       b.len / 2, &l, &err),
				 0);
		assert_true(l.warnings.len > 0);
		assert_non_null(strstr(l.warnings.items[0], cases[i].path));
		sw_pkglist_release(&l);
		sw_buf_release(&b);
	}
}

int main(void)
{
	g_data = sw_test_require_shared_data("rpm database tests");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sqlite_mariner),
	    cmocka_unit_test(test_bdb_libuuid),
	    cmocka_unit_test(test_ndb_sle15),
	    cmocka_unit_test(test_analyzer_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
