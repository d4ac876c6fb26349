/* test_src_debian.c - the Debian tracker importer on the real tracker
 * files of ../shared/data/vuln/debian and on malformed input. */
#include "test_src_common.h"

static const char *shared;

/* main() fails without shared data; nothing here is skipped */
#define NEED_SHARED() assert_non_null(shared)

static void test_dsa_list(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = NULL;
	char *f = unxz_shared(shared, "vuln/debian/tracker-data-DSA-list.txt.xz", "list", &dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_debian.wants("data/DSA/list"));
	assert_int_equal(import_path(&sw_source_debian, f, "data/DSA/list", &s, &err), 0);
	rec_dump_bad(&s);
	/* one record per "[date] DSA-..." header, one affected entry per
	 * "[release] - pkg" line (5406 and 6988 in this copy), counted from the file */
	char *xz = sw_xasprintf("%s/vuln/debian/tracker-data-DSA-list.txt.xz", shared);
	assert_int_equal(s.n_vuln, sw_test_count_records("tracker-headers", xz, NULL));
	assert_int_equal(s.n_affected, sw_test_count_records("tracker-packages", xz, NULL));
	assert_true(s.n_vuln > 5000);
	free(xz);
	assert_int_equal(s.bad.len, 0);
	assert_rec_has(&s, "DSA-5380-1", "aliases=CVE-2023-1393 ", "published=2023-03-29T00:00:00Z",
		       "summary: xorg-server - security update",
		       "A Debian:11 xorg-server fixed fixed=2:1.20.11-1+deb11u6\n");
	assert_rec_has(&s, "DSA-140", "aliases=CVE-2002-0660,CVE-2002-0728 ",
		       "A Debian:3.0 libpng fixed fixed=1.0.12-3.woody.2\n",
		       "A Debian:3.0 libpng3 fixed fixed=1.2.1-1.1.woody.2\n");
	assert_rec_has(&s, "DSA-944-1", "A Debian:3.0 mantis not_affected note=Vulnerable code not present");
	assert_rec_has(&s, "DSA-735-2", "A Debian:3.0 sudo fixed fixed=1.6.6-1.3woody1 sev=medium\n");
	/* an advisory without packages is kept, with no affected entries */
	assert_rec_has(&s, "DSA-4205-1", "summary: jessie end-of-life");
	assert_rec_lacks(&s, "DSA-4205-1", "  A ");
	rec_release(&s);
	free(f);
	remove_tree(dir);
}

static void test_dla_list(void **state)
{
	(void)state;
	NEED_SHARED();
	char *dir = NULL;
	char *f = unxz_shared(shared, "vuln/debian/tracker-data-DLA-list.txt.xz", "list", &dir);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_path(&sw_source_debian, f, "data/DLA/list", &s, &err), 0);
	char *xz = sw_xasprintf("%s/vuln/debian/tracker-data-DLA-list.txt.xz", shared);
	assert_int_equal(s.n_vuln, sw_test_count_records("tracker-headers", xz, NULL));
	assert_int_equal(s.n_affected, sw_test_count_records("tracker-packages", xz, NULL));
	assert_true(s.n_vuln > 3000);
	free(xz);
	assert_int_equal(s.bad.len, 0);
	assert_rec_has(&s, "DLA-372-1", "A Debian:6 virtualbox-ose end_of_life\n");
	assert_rec_has(&s, "DLA-3380-1", "published=2023-04-01T00:00:00Z",
		       "A Debian:10 firmware-nonfree fixed fixed=20190114+really20220913-0+deb10u1\n");
	assert_rec_has(&s, "DLA-0001-1", "aliases=CVE-2014-3466 ",
		       "A Debian:6 gnutls26 fixed fixed=2.8.6-1+squeeze4\n");
	rec_release(&s);
	free(f);
	remove_tree(dir);
}

static void test_tracker_json(void **state)
{
	(void)state;
	NEED_SHARED();
	char *f = sw_xasprintf("%s/vuln/debian/vunnel-tracker-json-sample.json", shared);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_source_debian.wants(f));
	assert_int_equal(import_path(&sw_source_debian, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 7);
	assert_int_equal(s.n_affected, 25);
	assert_int_equal(s.bad.len, 0);
	/* urgency "high**" is the severity "high" */
	assert_rec_has(&s, "CVE-2008-7220", "A Debian:9 prototypejs fixed fixed=1.6.0.2-1 sev=high\n",
		       "A Debian:unstable prototypejs fixed fixed=1.6.0.2-1 sev=high\n",
		       "S debian TEXT - -1.0 high\n");
	assert_rec_has(&s, "CVE-2007-2383", "S debian TEXT - -1.0 low\n");
	/* "not yet assigned" only: no Debian rating */
	assert_rec_lacks(&s, "CVE-2022-0456", "S debian");
	/* fixed_version "0" = not affected; "unimportant" kept */
	assert_rec_has(&s, "CVE-2007-2383", "A Debian:10 prototypejs not_affected sev=unimportant\n");
	/* open + urgency end-of-life; "not yet assigned" gives no severity */
	assert_rec_has(&s, "CVE-2022-0456", "A Debian:10 chromium end_of_life\n",
		       "A Debian:9 chromium end_of_life\n",
		       "A Debian:11 chromium fixed fixed=98.0.4758.80-1~deb11u1\n",
		       "A Debian:12 chromium fixed fixed=98.0.4758.80-1\n");
	assert_rec_has(&s, "CVE-2025-53603", "A Debian:13 sope fixed fixed=5.12.1-2\n");
	/* "releases": [] is a CVE with no release data */
	assert_rec_lacks(&s, "CVE-2022-0358", "  A ");
	rec_release(&s);
	free(f);
}

static void test_cve_list_sample(void **state)
{
	(void)state;
	NEED_SHARED();
	char *f = sw_xasprintf("%s/vuln/debian/glvd-CVE-list-sample.txt", shared);
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_path(&sw_source_debian, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 3);
	assert_int_equal(s.bad.len, 0);
	assert_rec_has(&s, "CVE-2023-5344", "aliases=DLA-4097-1 ",
		       "A Debian vim fixed fixed=2:9.0.2018-1\n",
		       "A Debian:12 vim fixed fixed=2:9.0.1378-2+deb12u1\n",
		       "A Debian:10 vim fix_deferred limit=2:9.0.2018-1 note=Minor issue, 1-byte overflow\n");
	assert_rec_has(&s, "CVE-2024-33601", "aliases=DSA-5678-1,DLA-3850-1 ",
		       "A Debian glibc fixed fixed=2.37-19\n");
	rec_release(&s);
	free(f);

	f = sw_xasprintf("%s/vuln/debian/vunnel-DSA-list-sample.txt", shared);
	assert_int_equal(import_path(&sw_source_debian, f, NULL, &s, &err), 0);
	assert_int_equal(s.n_vuln, 10);
	assert_int_equal(s.n_affected, 9);
	assert_rec_has(&s, "DSA-2808-2", "A Debian:6 openjpeg fixed fixed=1.3+dfsg-4+squeeze3\n",
		       "A Debian:7 openjpeg fixed fixed=1.3+dfsg-4.8\n");
	assert_rec_has(&s, "DSA-5970-1", "A Debian:12 sope fixed fixed=5.8.0-1+deb12u1\n");
	rec_release(&s);
	free(f);
}

static void test_vuln_list_records(void **state)
{
	(void)state;
	NEED_SHARED();
	static const char *const files[] = {
		"CVE/2011/CVE-2011-3374.json", "CVE/2023/CVE-2023-45853.json",
		"CVE/2023/CVE-2023-4911.json", "CVE/2023/CVE-2023-50495.json",
		"CVE/2024/CVE-2024-28085.json", "CVE/2024/CVE-2024-2961.json",
		"DSA/DSA-5514-1.json", "DSA/DSA-5678-1.json",
	};
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	for (size_t i = 0; i < 8; i++) {
		char *f = sw_xasprintf("%s/vuln/debian/vuln-list-debian-sample/tracker/%s", shared, files[i]);
		assert_true(sw_source_debian.wants(f));
		assert_int_equal(import_path(&sw_source_debian, f, NULL, &s, &err), 0);
		free(f);
	}
	assert_int_equal(s.n_vuln, 8);
	assert_int_equal(s.bad.len, 0);
	/* a line without a release is unstable's, inherited by the others:
	 * ecosystem "Debian" */
	assert_rec_has(&s, "CVE-2011-3374", "A Debian apt affected sev=unimportant");
	assert_rec_lacks(&s, "CVE-2011-3374", "Debian:");
	assert_rec_has(&s, "CVE-2023-4911", "A Debian glibc affected\n",
		       "A Debian:10 glibc not_affected note=Vulnerable code introduced later\n");
	/* a no-dsa line is a note, not the release's state: unstable's fix is
	 * still compared with the release's package (a limit) */
	assert_rec_has(&s, "CVE-2023-50495", "A Debian:12 ncurses affected limit=6.4+20230625-1 note=no-dsa: Minor issue\n",
		       "A Debian ncurses fixed fixed=6.4+20230625-1\n");
	/* <removed>: no fixed version, so (the tracker) a release that still
	 * has the package is affected */
	assert_rec_has(&s, "CVE-2023-45853", "A Debian minizip affected note=removed\n",
		       "A Debian zlib fixed fixed=1:1.3.dfsg-2\n");
	assert_rec_has(&s, "DSA-5678-1",
		       "aliases=CVE-2024-33599,CVE-2024-33600,CVE-2024-33601,CVE-2024-33602 ",
		       "published=2024-05-03T00:00:00Z",
		       "A Debian:11 glibc fixed fixed=2.31-13+deb11u10\n",
		       "A Debian:12 glibc fixed fixed=2.36-9+deb12u7\n");
	rec_release(&s);
}

/* ---- malformed input (no shared data needed) ---- */

static void test_bad_json_file(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_debian, "debian/tracker.json", "{\"a\": {\"CVE-1\": ", &s,
			       &err) < 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "debian/tracker.json"));
	assert_non_null(strstr(err.msg, "bad json"));
	static const char *const broken[] = {
		"{\"a\": {}} x",                /* data after the object */
		"{\"a\": {\"CVE-1\": [}]}",        /* mismatched brackets */
		"{\"a\": {} \"b\": {}}",          /* missing comma */
		"{\"a\" {}}",                    /* missing colon */
		"{\"a\": {\"CVE-1\": {\"x\": tru}}}", /* bad literal */
		"{3: {}}",                       /* key not a string */
		"{\"a\": {\"b\": \"\\u00\"}}",      /* bad escape */
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct sw_err e = SW_ERR_INIT;
		if (import_str(&sw_source_debian, "tracker.json", broken[i], &s, &e) >= 0)
			fail_msg("accepted '%s'", broken[i]);
		assert_non_null(strstr(e.msg, "'tracker.json': bad json at line 1 column"));
	}
	assert_int_equal(s.n_vuln, 0);
	assert_int_equal(import_str(&sw_source_debian, "tracker.json", " {\n} \n", &s, &err), 0);
	assert_int_equal(s.n_vuln, 0);
	rec_release(&s);
}

/* fuzz crash crash-tracker-error-text-scope: the parser's message for a
 * bad package value was read after its storage went out of scope */
static void test_tracker_error_text(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import_str(&sw_source_debian, "tracker.json",
			       "{\"a\": {},\n \"b\": {\"CVE-1\": {\"x\": tru}}}", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "'tracker.json': bad json at line 2 column 7: invalid token"));
	assert_int_equal(s.n_vuln, 0);
	rec_release(&s);
}

static void test_bad_tracker_records(void **state)
{
	(void)state;
	const char *doc =
		"{\"pkgA\": {\"CVE-2020-0001\": {\"description\": \"d\", \"releases\": {"
		"  \"bookworm\": {\"status\": 5},"
		"  \"bogus\": {\"status\": \"open\", \"urgency\": \"low\"},"
		"  \"bullseye\": {\"status\": \"open\", \"urgency\": \"low\", \"nodsa\": \"Minor\","
		"                \"nodsa_reason\": \"ignored\"},"
		"  \"buster\": {\"status\": \"open\", \"urgency\": \"medium\", \"nodsa_reason\": \"postponed\"},"
		"  \"trixie\": {\"status\": \"undetermined\"},"
		"  \"sid\": {\"status\": \"weird\"}}},"
		"  \"CVE-2020-0002\": 7},"
		" \"pkgB\": [1],"
		" \"pkgC\": {\"CVE-2020-0001\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\","
		"   \"fixed_version\": \"1.2-3\", \"urgency\": \"medium**\"}}},"
		"   \"CVE-2020-0003\": {\"releases\": \"x\"}}}";
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_debian, "t.json", doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, "t.json", "pkgA/CVE-2020-0001/bookworm", "wrong type"));
	assert_true(rec_bad_has(&s, "t.json", "pkgA/CVE-2020-0001/bogus", "unknown release"));
	assert_true(rec_bad_has(&s, "t.json", "pkgA/CVE-2020-0001/sid", "unknown status 'weird'"));
	assert_true(rec_bad_has(&s, "t.json", "pkgA/CVE-2020-0002", "bad vulnerability"));
	assert_true(rec_bad_has(&s, "t.json", "pkgB", "not an object"));
	assert_true(rec_bad_has(&s, "t.json", "pkgC/CVE-2020-0003", "wrong type"));
	assert_int_equal(s.bad.len, 6);
	/* the good parts still came through, grouped under one CVE */
	assert_int_equal(s.n_vuln, 1);
	/* the highest urgency of the record: medium (over low) */
	assert_rec_has(&s, "CVE-2020-0001", "S debian TEXT - -1.0 medium\n");
	assert_rec_has(&s, "CVE-2020-0001", "A Debian:11 pkgA will_not_fix sev=low note=Minor\n",
		       "A Debian:10 pkgA fix_deferred sev=medium\n",
		       "A Debian:13 pkgA under_investigation\n",
		       "A Debian:12 pkgC fixed fixed=1.2-3 sev=medium\n");
	rec_release(&s);
}

static void test_bad_text_list(void **state)
{
	(void)state;
	const char *doc = "[01 Aug 2002] DSA-141 mpack - buffer overflow\n"
			  "\t{CVE-2002-1425}\n"
			  "\t[woody] - mpack 1.5-7woody2\n"
			  "\t[nosuch] - mpack 1.5-7\n"
			  "\t[sarge] - mpack <weird>\n"
			  "\t[etch] - mpack\n"
			  "[99 Foo 2002] DSA-142 x - y\n"
			  "\t[woody] - x 1.0\n"
			  "CVE-2020-1 (desc)\n"
			  "\t- x <unfixed> (unimportant; bug #1)\n"
			  "\t[bookworm] - x <ignored> (Minor issue)\n"
			  "\t[bullseye] - x <itp>\n";
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_debian, "data/DSA/list", doc, &s, &err), 0);
	rec_dump_bad(&s);
	assert_true(rec_bad_has(&s, "data/DSA/list", "DSA-141 (line 4)", "unknown release"));
	assert_true(rec_bad_has(&s, "data/DSA/list", "DSA-141 (line 5)", "unknown status"));
	assert_true(rec_bad_has(&s, "data/DSA/list", "DSA-141 (line 6)", "without version"));
	assert_true(rec_bad_has(&s, "data/DSA/list", "- (line 7)", "bad date"));
	assert_int_equal(s.bad.len, 4);
	assert_int_equal(s.n_vuln, 2);
	assert_rec_has(&s, "DSA-141", "aliases=CVE-2002-1425 ", "A Debian:3.0 mpack fixed fixed=1.5-7woody2\n");
	/* <ignored> with an unfixed unstable line: affected whatever the version */
	assert_rec_has(&s, "CVE-2020-1", "summary: desc", "A Debian x affected sev=unimportant",
		       "A Debian:12 x will_not_fix note=Minor issue\n");
	assert_rec_lacks(&s, "CVE-2020-1", "Debian:11");
	rec_release(&s);
}

static void test_bad_vuln_list_record(void **state)
{
	(void)state;
	struct rec_sink s = { 0 };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import_str(&sw_source_debian, "tracker/CVE/x.json",
				    "{\"Header\": {\"ID\": \"CVE-2020-9\"}, \"Annotations\": {}}", &s, &err),
			 0);
	assert_true(rec_bad_has(&s, "tracker/CVE/x.json", "CVE-2020-9", "bad Header/Annotations"));
	assert_int_equal(s.n_vuln, 0);
	assert_int_equal(import_str(&sw_source_debian, "tracker/CVE/y.json",
				    "{\"Header\": {\"ID\": \"CVE-2020-8\"}, \"Annotations\": ["
				    "{\"Type\": \"package\", \"Package\": \"p\", \"Kind\": 3},"
				    "{\"Type\": \"package\", \"Package\": \"p\", \"Release\": \"bookworm\","
				    " \"Kind\": \"fixed\", \"Version\": \"1.0\"}]}", &s, &err),
			 0);
	assert_true(rec_bad_has(&s, "tracker/CVE/y.json", "CVE-2020-8/Annotations[0]", ""));
	assert_rec_has(&s, "CVE-2020-8", "A Debian:12 p fixed fixed=1.0\n");
	rec_release(&s);
}

static void test_sink_failure_stops(void **state)
{
	(void)state;
	struct rec_sink s = { .fail_after = 1 };
	struct sw_err err = SW_ERR_INIT;
	const char *doc = "CVE-2020-1 (a)\n\t- x 1.0\nCVE-2020-2 (b)\n\t- y 1.0\n";
	assert_true(import_str(&sw_source_debian, "list", doc, &s, &err) < 0);
	assert_int_equal(s.n_vuln, 1);
	assert_non_null(strstr(err.msg, "'list': record 'CVE-2020-2': sink full"));
	rec_release(&s);
}

static void test_wants(void **state)
{
	(void)state;
	assert_true(sw_source_debian.wants("security-tracker/data/CVE/list"));
	assert_true(sw_source_debian.wants("tracker/data/json"));
	assert_true(sw_source_debian.wants("vuln-list-debian/tracker/CVE/2023/CVE-2023-4911.json"));
	assert_true(sw_source_debian.wants("debian.json"));
	assert_true(sw_source_debian.wants("tracker-data-DSA-list.txt"));
	assert_false(sw_source_debian.wants("README.md"));
	assert_false(sw_source_debian.wants("data/CVE/list.orig"));
}

int main(void)
{
	shared = sw_test_require_shared_data("test_src_debian (real advisory data)");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsa_list),
		cmocka_unit_test(test_dla_list),
		cmocka_unit_test(test_tracker_json),
		cmocka_unit_test(test_cve_list_sample),
		cmocka_unit_test(test_vuln_list_records),
		cmocka_unit_test(test_bad_json_file),
		cmocka_unit_test(test_tracker_error_text),
		cmocka_unit_test(test_bad_tracker_records),
		cmocka_unit_test(test_bad_text_list),
		cmocka_unit_test(test_bad_vuln_list_record),
		cmocka_unit_test(test_sink_failure_stops),
		cmocka_unit_test(test_wants),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
