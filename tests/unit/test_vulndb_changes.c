/* test_vulndb_changes.c - the change lists of incremental updates
 * (src/vulndb/changes.c): OSV modified_id.csv, Red Hat changes.csv and
 * deletions.csv, in the formats the upstreams publish. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/map.h"
#include "vulndb/changes.h"

static void test_time(void **state)
{
	(void)state;
	double t = 0;
	assert_true(sw_vulndb_parse_time("1970-01-02T00:00:00Z", &t));
	assert_true(t == 86400.0);
	assert_true(sw_vulndb_parse_time("2023-12-12T00:00:00+00:00", &t));
	assert_true(t == 1702339200.0); /* date -u -d 2023-12-12 +%s */
	assert_true(sw_vulndb_parse_time("2023-12-12T01:00:00+01:00", &t));
	assert_true(t == 1702339200.0);
	assert_true(sw_vulndb_parse_time("2023-12-12T00:00:00.5Z", &t));
	assert_true(t == 1702339200.5);
	assert_false(sw_vulndb_parse_time("2023-13-12T00:00:00Z", &t));
	assert_false(sw_vulndb_parse_time("PYSEC-2024-1", &t));
	assert_false(sw_vulndb_parse_time("", &t));
}

static void test_osv(void **state)
{
	(void)state;
	const char *csv = "2024-06-11T08:24:37.123456Z,PYSEC-2024-1\n"
			  "2024-06-10T00:00:00Z,PyPI/GHSA-aaaa-bbbb-cccc\n"
			  "2020-01-01T00:00:00Z,PYSEC-2020-9\n";
	struct sw_map m = SW_MAP_INIT;
	double cursor = 0;
	assert_true(sw_vulndb_parse_time("2021-01-01T00:00:00Z", &cursor));
	assert_int_equal(sw_vulndb_parse_changes(csv, strlen(csv), cursor, false, true, &m), 0);
	assert_int_equal(m.len, 2); /* the 2020 line is older than the cursor */
	assert_non_null(sw_map_get(&m, "PYSEC-2024-1"));
	assert_non_null(sw_map_get(&m, "GHSA-aaaa-bbbb-cccc")); /* "ECO/ID" cut to the id */
	sw_map_free_all(&m, free);
}

static void test_redhat(void **state)
{
	(void)state;
	/* claircore's mock of the Red Hat VEX server, and a later event per path */
	const char *changes = "\"2023/cve-2023-0030.json\",\"2023-12-10T00:00:00+00:00\"\r\n"
			      "\"2023/cve-2023-0044.json\",\"2023-12-12T00:00:00+00:00\"\n";
	const char *deletions = "\"2023/cve-2023-0044.json\",\"2023-12-13T00:00:00+00:00\"\n";
	struct sw_map m = SW_MAP_INIT;
	assert_int_equal(sw_vulndb_parse_changes(changes, strlen(changes), 0, false, false, &m), 0);
	assert_int_equal(sw_vulndb_parse_changes(deletions, strlen(deletions), 0, true, false, &m), 0);
	assert_int_equal(m.len, 2);
	const struct sw_vulndb_change *c = sw_map_get(&m, "2023/cve-2023-0044.json");
	assert_non_null(c);
	assert_true(c->deleted); /* the deletion came last */
	c = sw_map_get(&m, "2023/cve-2023-0030.json");
	assert_non_null(c);
	assert_false(c->deleted);
	sw_map_free_all(&m, free);
}

static void test_bad_lines(void **state)
{
	(void)state;
	const char *csv = "no comma here\n"
			  "\"../../etc/passwd\",\"2023-12-10T00:00:00+00:00\"\n"
			  "\"/abs.json\",\"2023-12-10T00:00:00+00:00\"\n"
			  "\"a b.json\",\"2023-12-10T00:00:00+00:00\"\n"
			  "\"x.json\",\"yesterday\"\n"
			  "\n"
			  "\"ok.json\",\"2023-12-10T00:00:00+00:00\"\n"
			  "\"cut.json\",\"2023-12";
	struct sw_map m = SW_MAP_INIT;
	assert_int_equal(sw_vulndb_parse_changes(csv, strlen(csv), 0, false, false, &m), 6);
	assert_int_equal(m.len, 1);
	assert_non_null(sw_map_get(&m, "ok.json"));
	sw_map_free_all(&m, free);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_osv),
		cmocka_unit_test(test_redhat),
		cmocka_unit_test(test_bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
