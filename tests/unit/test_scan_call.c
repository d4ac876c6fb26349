/* test_scan_call.c - the library scan call (scan/scan.h): what it decides
 * that the CLI used to (the implicit ./.stowawayignore, the database age
 * policy, completeness, the --fail-on gate with and without
 * allow_incomplete), on an SBOM file and an empty database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scan/scan.h"
#include "sw_test.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

static char *tmp, *db_path, *sbom_path, *cwd;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	tmp = sw_test_tmpdir();
	cwd = getcwd(NULL, 0);
	db_path = sw_xasprintf("%s/db.sqlite", tmp);
	sbom_path = sw_xasprintf("%s/sbom.json", tmp);
	struct sw_vulndb *db = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_vulndb_open(db_path, SW_VULNDB_CREATE, &db, &err) < 0)
		return -1;
	sw_vulndb_close(db);
	/* one Debian 12 package; the empty database has no data for Debian:12 */
	write_file(sbom_path, "{\"schemaVersion\": \"1.1\", \"os\": {\"id\": \"debian\", \"versionId\": \"12\"},"
			      " \"packages\": [{\"type\": \"deb\", \"name\": \"bash\", \"version\": \"5.2.15-2\"}]}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (chdir(cwd) != 0)
		return -1;
	char *cmd = sw_xasprintf("rm -rf '%s'", tmp);
	sw_test_sh(cmd);
	free(cmd);
	free(tmp);
	free(cwd);
	free(db_path);
	free(sbom_path);
	return 0;
}

static struct sw_scan_opts opts(void)
{
	struct sw_scan_opts o = SW_SCAN_OPTS_INIT;
	o.sbom = sbom_path;
	o.db_path = db_path;
	o.now = 1735689600;
	return o;
}

static void test_bad_options(void **state)
{
	(void)state;
	struct sw_scan_opts o = opts();
	struct sw_scan_result *r = NULL;
	struct sw_err err = SW_ERR_INIT;
	o.image = "dir:/nonexistent";
	assert_int_equal(sw_scan_run(&o, &r, &err), -SW_E_USAGE);
	assert_null(r);
	o.image = o.sbom = NULL;
	assert_int_equal(sw_scan_run(&o, &r, &err), -SW_E_USAGE);
	o = opts();
	o.scanners = 1u << 7;
	assert_int_equal(sw_scan_run(&o, &r, &err), -SW_E_USAGE);
	assert_null(r);
}

static void test_db_policy(void **state)
{
	(void)state;
	struct sw_scan_opts o = opts();
	struct sw_scan_result *r = NULL;
	struct sw_err err = SW_ERR_INIT;
	/* never built: stale; without a maximum age only a warning */
	assert_int_equal(sw_scan_run(&o, &r, &err), 0);
	assert_true(r->db_stale);
	assert_int_equal(r->warnings.len, 1);
	assert_non_null(strstr(r->warnings.items[0], "more than 7 days old"));
	sw_scan_result_free(r);
	r = NULL;
	o.max_db_age = 86400;
	o.max_db_age_text = "1d";
	assert_true(sw_scan_run(&o, &r, &err) < 0);
	assert_null(r);
	assert_int_equal(err.code, SW_E_DB);
	assert_non_null(strstr(err.msg, "older than --max-db-age 1d"));
	/* a missing database says how to make one */
	o = opts();
	o.db_path = "/nonexistent/db.sqlite";
	struct sw_err err2 = SW_ERR_INIT;
	assert_true(sw_scan_run(&o, &r, &err2) < 0);
	assert_non_null(strstr(err2.msg, "run 'stowaway db update' first"));
}

static void test_gate_and_completeness(void **state)
{
	(void)state;
	struct sw_scan_opts o = opts();
	struct sw_scan_result *r = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_scan_run(&o, &r, &err), 0);
	/* no data for Debian:12 and one OS package: incomplete */
	assert_false(r->complete);
	assert_int_equal(r->incomplete.len, 1);
	assert_non_null(strstr(r->incomplete.items[0], "no data for Debian:12"));
	assert_int_equal(r->verdict, SW_SCAN_PASS);   /* no gate asked */
	o.gate = true;
	o.fail_on = SW_SEV_LOW;
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_FAIL_INCOMPLETE);
	o.allow_incomplete = true;
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_PASS);   /* no findings */
	/* a finding at or above fail_on fails; suppressed or below does not */
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->severity = SW_SEV_MEDIUM;
	sw_vec_push(&r->match->findings, f);
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_FAIL);
	assert_int_equal(r->gate_findings, 1);
	o.fail_on = SW_SEV_HIGH;
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_PASS);
	o.fail_on = SW_SEV_LOW;
	f->suppressed = sw_xstrdup("ignore file");
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_PASS);
	/* complete and a finding: the findings decide, allow_incomplete or not */
	free(f->suppressed);
	f->suppressed = NULL;
	r->complete = true;
	o.allow_incomplete = false;
	sw_scan_gate(r, &o);
	assert_int_equal(r->verdict, SW_SCAN_FAIL);
	sw_scan_result_free(r);
}

static void test_implicit_ignorefile(void **state)
{
	(void)state;
	/* the library, not the CLI, reads ./.stowawayignore: a broken one in
	 * the working directory is an error naming it */
	char *dir = sw_xasprintf("%s/work", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chdir(dir), 0);
	write_file(".stowawayignore", "CVE-2024-0001 exp:not-a-date\n");
	struct sw_scan_opts o = opts();
	struct sw_scan_result *r = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_scan_run(&o, &r, &err) < 0);
	assert_null(r);
	assert_non_null(strstr(err.msg, ".stowawayignore"));
	/* unless asked not to look, or another file is named */
	o.no_default_ignorefile = true;
	assert_int_equal(sw_scan_run(&o, &r, &err), 0);
	sw_scan_result_free(r);
	r = NULL;
	o.no_default_ignorefile = false;
	char *other = sw_xasprintf("%s/other.ignore", tmp);
	write_file(other, "CVE-2024-0001\n");
	o.ignorefile = other;
	assert_int_equal(sw_scan_run(&o, &r, &err), 0);
	sw_scan_result_free(r);
	assert_int_equal(chdir(cwd), 0);
	free(other);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_db_policy),
		cmocka_unit_test(test_gate_and_completeness),
		cmocka_unit_test(test_implicit_ignorefile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
