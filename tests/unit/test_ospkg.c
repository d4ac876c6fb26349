/* test_ospkg.c - dpkg and apk databases, OS release files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/apk.h"
#include "inventory/dpkg.h"
#include "inventory/osdetect.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static char *tmp;   /* extracted fixtures */

static struct sw_package *find_pkg(struct sw_pkglist *l, const char *name)
{
	for (size_t i = 0; i < l->pkgs.len; i++) {
		struct sw_package *p = l->pkgs.items[i];
		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

static void read_file(const char *path, struct sw_buf *b)
{
	struct sw_err err = SW_ERR_INIT;
	sw_buf_reset(b);
	if (sw_buf_read_file(b, path, 64u << 20, &err) < 0)
		fail_msg("%s", err.msg);
}

/* The debootstrap status file parses to exactly what dpkg-query -W says. */
static void test_dpkg_debootstrap(void **state)
{
	(void)state;
	const char *data = sw_test_require_shared_data("test_ospkg (dpkg fixtures)");
	char *dir = sw_xasprintf("%s/pkgdb/dpkg/debian12-minbase-debootstrap", data);
	char *status = sw_xasprintf("%s/status", dir);
	char *expected = sw_xasprintf("%s/expected-dpkg-query.tsv", dir);
	struct sw_buf b = SW_BUF_INIT, e = SW_BUF_INIT;
	read_file(status, &b);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	assert_int_equal(sw_dpkg_parse_status("var/lib/dpkg/status", (const uint8_t *)b.data, b.len,
					      false, &l), 0);
	assert_int_equal(l.warnings.len, 0);
	read_file(expected, &e);
	size_t rows = 0;
	for (char *line = strtok(e.data, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		char *f[6] = { 0 };
		int nf = 0;
		for (char *c = line; nf < 6; nf++) {
			f[nf] = c;
			char *tab = strchr(c, '\t');
			if (!tab) {
				nf++;
				break;
			}
			*tab = '\0';
			c = tab + 1;
		}
		assert_true(nf >= 5);
		struct sw_package *p = find_pkg(&l, f[0]);
		if (!p)
			fail_msg("package %s missing", f[0]);
		assert_string_equal(p->version, f[1]);
		assert_string_equal(p->arch, f[2]);
		assert_string_equal(p->source_name, f[3]);
		assert_string_equal(p->source_version, f[4]);
		rows++;
	}
	assert_int_equal(rows, 88);
	assert_int_equal(l.pkgs.len, rows);
	sw_pkglist_release(&l);
	sw_buf_release(&b);
	sw_buf_release(&e);
	free(dir);
	free(status);
	free(expected);
}

static void test_dpkg_edge_cases(void **state)
{
	(void)state;
	const char *text =
		"Package: ok\nStatus: install ok installed\nVersion: 1:2.3-4\nSource: src (1:2.3-1)\n"
		"Architecture: amd64\n\n"
		"Package: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
		"garbage line without colon\n"
		"Package: noversion\nStatus: install ok installed\n\n"
		"Package: trig\nStatus: install ok triggers-pending\nVersion: 2\nSource: plain\n\n"
		"Package: bad/name\nStatus: install ok installed\nVersion: 1\n";
	struct sw_pkglist l = SW_PKGLIST_INIT;
	sw_dpkg_parse_status("var/lib/dpkg/status", (const uint8_t *)text, strlen(text), false, &l);
	assert_int_equal(l.pkgs.len, 2);
	struct sw_package *p = find_pkg(&l, "ok");
	assert_non_null(p);
	assert_string_equal(p->source_name, "src");
	assert_string_equal(p->source_version, "1:2.3-1");
	p = find_pkg(&l, "trig");
	assert_string_equal(p->source_name, "plain");
	assert_string_equal(p->source_version, "2");
	assert_null(find_pkg(&l, "removed"));
	/* garbage line, missing version, bad name: three warnings naming the file */
	assert_int_equal(l.warnings.len, 3);
	for (size_t i = 0; i < l.warnings.len; i++)
		assert_non_null(strstr(l.warnings.items[i], "var/lib/dpkg/status: line"));
	sw_pkglist_release(&l);

	/* distroless status.d: no Status field means installed */
	const char *d = "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nSource: glibc\n";
	sw_dpkg_parse_status("var/lib/dpkg/status.d/libc6", (const uint8_t *)d, strlen(d), true, &l);
	assert_int_equal(l.pkgs.len, 1);
	assert_string_equal(((struct sw_package *)l.pkgs.items[0])->source_name, "glibc");
	sw_pkglist_release(&l);

	/* binary junk */
	const char junk[] = "\x7f" "ELF\0\0\x01";
	sw_dpkg_parse_status("var/lib/dpkg/status", (const uint8_t *)junk, sizeof(junk), false, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 1);
	sw_pkglist_release(&l);

	const char *list = "/.\n/usr\n/usr/bin/bash\n/bin/../etc/x\n";
	sw_dpkg_parse_list("var/lib/dpkg/info/bash:amd64.list", (const uint8_t *)list, strlen(list), &l);
	p = l.pkgs.items[0];
	assert_string_equal(p->name, "bash");
	assert_string_equal(p->arch, "amd64");
	assert_true(p->flags & SW_PKG_FILES_ONLY);
	assert_int_equal(p->files.len, 2);   /* "/." cleans to "" and ".." is refused */
	sw_pkglist_release(&l);
}

/* Trivy's dpkg fixtures: the status files inside its txtar archives. */
static void test_dpkg_trivy_fixtures(void **state)
{
	(void)state;
	assert_non_null(tmp); /* setup() fails without the fixtures */
	static const struct { const char *file; size_t pkgs; const char *name, *version, *src; } cases[] = {
		{ "valid.txtar", 90, "libpam-runtime", "1.1.8-3.6ubuntu2", "pam" },
		/* valid: 91 stanzas, one in config-files state. corrupsed: 6 stanzas: two without Status (one also without Version) are not installed */
		{ "corrupsed.txtar", 4, "libgcc1", "1:5.1.1-12ubuntu1", "gcc-5" },
		{ "only-apt.txtar", 1, "apt", NULL, "apt" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *path = sw_xasprintf("%s/pkg/fanal/analyzer/pkg/dpkg/testdata/%s", tmp, cases[c].file);
		struct sw_buf b = SW_BUF_INIT;
		read_file(path, &b);
		/* the status file is the first txtar section */
		char *start = strstr(b.data, "-- var/lib/dpkg/status --\n");
		assert_non_null(start);
		start += strlen("-- var/lib/dpkg/status --\n");
		char *end = strstr(start, "\n-- ");
		size_t len = end ? (size_t)(end - start + 1) : strlen(start);
		struct sw_pkglist l = SW_PKGLIST_INIT;
		sw_dpkg_parse_status("var/lib/dpkg/status", (const uint8_t *)start, len, false, &l);
		assert_int_equal(l.pkgs.len, cases[c].pkgs);
		struct sw_package *p = find_pkg(&l, cases[c].name);
		assert_non_null(p);
		if (cases[c].version)
			assert_string_equal(p->version, cases[c].version);
		assert_string_equal(p->source_name, cases[c].src);
		sw_pkglist_release(&l);
		sw_buf_release(&b);
		free(path);
	}
}

static void test_dpkg_copyright(void **state)
{
	(void)state;
	assert_non_null(tmp); /* setup() fails without the fixtures */
	static const struct { const char *f; const char *lic[5]; } cases[] = {
		{ "all-patterns-copyright", { "GPLv2+", "GPL-2" } },
		{ "license-pattern-and-classifier-copyright", { "GPL-1+", "Artistic", "BSD-4-clause-POWERDOG", "Zlib" } },
		{ "common-license-copyright", { "GPL-2" } },
		{ "no-license-copyright", { NULL } },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *path = sw_xasprintf("%s/pkg/fanal/analyzer/pkg/dpkg/testdata/%s", tmp, cases[c].f);
		struct sw_buf b = SW_BUF_INIT;
		read_file(path, &b);
		struct sw_pkglist l = SW_PKGLIST_INIT;
		sw_dpkg_parse_copyright("usr/share/doc/zlib1g/copyright", (const uint8_t *)b.data, b.len, &l);
		size_t want = 0;
		while (want < 5 && cases[c].lic[want])
			want++;
		if (!want) {
			assert_int_equal(l.pkgs.len, 0);
		} else {
			assert_int_equal(l.pkgs.len, 1);
			struct sw_package *p = l.pkgs.items[0];
			assert_string_equal(p->name, "zlib1g");
			assert_true(p->flags & SW_PKG_FILES_ONLY);
			assert_int_equal(p->licenses.len, want);
			for (size_t i = 0; i < want; i++)
				assert_string_equal(p->licenses.items[i], cases[c].lic[i]);
		}
		sw_pkglist_release(&l);
		sw_buf_release(&b);
		free(path);
	}
}

static void test_apk(void **state)
{
	(void)state;
	assert_non_null(tmp); /* setup() fails without the fixtures */
	char *path = sw_xasprintf("%s/pkg/fanal/analyzer/pkg/apk/testdata/apk", tmp);
	struct sw_buf b = SW_BUF_INIT;
	read_file(path, &b);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	sw_apk_parse_installed("lib/apk/db/installed", (const uint8_t *)b.data, b.len, &l);
	struct sw_package *p = find_pkg(&l, "musl");
	assert_non_null(p);
	assert_string_equal(p->version, "1.1.14-r10");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->source_name, "musl");
	assert_int_equal(p->licenses.len, 1);
	assert_string_equal(p->licenses.items[0], "MIT");
	assert_true(p->files.len >= 2);
	assert_string_equal(p->files.items[0], "lib/libc.musl-x86_64.so.1");
	p = find_pkg(&l, "busybox");
	assert_string_equal(p->version, "1.24.2-r9");
	/* "P:invalidPackageWithoutAVersion" is skipped with a warning */
	assert_null(find_pkg(&l, "invalidPackageWithoutAVersion"));
	assert_int_equal(l.warnings.len, 1);
	assert_non_null(strstr(l.warnings.items[0], "without a version"));
	sw_pkglist_release(&l);
	sw_buf_release(&b);
	free(path);
}

static const char *files_get(void *ctx, const char *path)
{
	const char *const *kv = ctx;
	for (; kv[0]; kv += 2)
		if (strcmp(kv[0], path) == 0)
			return kv[1];
	return NULL;
}

static void test_osdetect(void **state)
{
	(void)state;
	const char *deb[] = { "etc/os-release",
			      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
			      "VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
			      NULL };
	struct sw_os os = { 0 };
	sw_osdetect_run(&os, files_get, deb);
	assert_string_equal(os.id, "debian");
	assert_string_equal(os.version_id, "12");
	assert_string_equal(os.codename, "bookworm");
	sw_os_release(&os);

	const char *sid[] = { "etc/os-release", "ID=debian\nPRETTY_NAME='Debian GNU/Linux trixie/sid'\n",
			      "etc/debian_version", "trixie/sid\n", NULL };
	sw_osdetect_run(&os, files_get, sid);
	assert_string_equal(os.id, "debian");
	assert_null(os.version_id);
	assert_string_equal(os.codename, "sid");
	sw_os_release(&os);

	const char *alpine[] = { "etc/alpine-release", "3.18.4\n", NULL };
	sw_osdetect_run(&os, files_get, alpine);
	assert_string_equal(os.id, "alpine");
	assert_string_equal(os.version_id, "3.18.4");
	sw_os_release(&os);

	const char *centos[] = { "etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n", NULL };
	sw_osdetect_run(&os, files_get, centos);
	assert_string_equal(os.id, "centos");
	assert_string_equal(os.version_id, "7.9.2009");
	sw_os_release(&os);

	const char *ubuntu[] = { "etc/lsb-release",
				 "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n", NULL };
	sw_osdetect_run(&os, files_get, ubuntu);
	assert_string_equal(os.id, "ubuntu");
	assert_string_equal(os.version_id, "22.04");
	assert_string_equal(os.codename, "jammy");
	sw_os_release(&os);

	const char *none[] = { NULL };
	sw_osdetect_run(&os, files_get, none);
	assert_null(os.id);
	sw_os_release(&os);
}

/* Every os-release sample of Trivy's fixtures yields an ID (or none where the file has none). */
static void test_os_release_fixtures(void **state)
{
	(void)state;
	assert_non_null(tmp); /* setup() fails without the fixtures */
	static const struct { const char *f, *id, *ver; } cases[] = {
		{ "alpine", "alpine", "3.15.4" }, { "rhel", "rhel", "9.4" },
		{ "centos", "centos", "7" }, { "rocky", "rocky", "9.3" },
		{ "opensuseleap-15.2.1", "opensuse-leap", "15.2.1" }, { "photon", "photon", "4.0" },
		{ "mariner-2.0", "mariner", "2.0" }, { "no-id", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = sw_xasprintf("%s/pkg/fanal/analyzer/os/release/testdata/%s", tmp, cases[i].f);
		struct sw_buf b = SW_BUF_INIT;
		read_file(path, &b);
		struct sw_os os = { 0 };
		sw_osdetect_parse_os_release(&os, b.data);
		if (cases[i].id) {
			assert_non_null(os.id);
			assert_string_equal(os.id, cases[i].id);
			assert_string_equal(os.version_id, cases[i].ver);
		} else {
			assert_null(os.id);
		}
		sw_os_release(&os);
		sw_buf_release(&b);
		free(path);
	}
}

static int setup(void **state)
{
	(void)state;
	char *archive = sw_test_require_shared_file("test_ospkg (Trivy's os-package fixtures)",
						    "pkgdb/trivy-os-package-fixtures.tar.xz");
	tmp = sw_test_tmpdir();
	char *cmd = sw_xasprintf("tar -xJf '%s' -C '%s'", archive, tmp);
	int r = sw_test_sh(cmd);
	free(cmd);
	free(archive);
	return r == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (tmp) {
		char *cmd = sw_xasprintf("rm -rf '%s'", tmp);
		sw_test_sh(cmd);
		free(cmd);
		free(tmp);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_debootstrap),
		cmocka_unit_test(test_dpkg_edge_cases),
		cmocka_unit_test(test_dpkg_trivy_fixtures),
		cmocka_unit_test(test_dpkg_copyright),
		cmocka_unit_test(test_apk),
		cmocka_unit_test(test_osdetect),
		cmocka_unit_test(test_os_release_fixtures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
