/* test_store_search.c - the image search of the store (store.h
 * sw_st_image_search): the SQLite back end's SQL against what the test
 * planted, and the in-memory search (the fallback of a back end without the
 * operation) against the SQL, query by query.  With SW_TEST_STORE_URL set
 * (tests/e2e/pg_run.sh: unit/test_store_search_postgres) the same checks run
 * on the PostgreSQL back end's SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "store/store.h"

static struct sw_st *st;
static char dir[] = "/tmp/sw-search-XXXXXX";

/* image i: names "reg/app-i:vi%3", OS debian/alpine, counts from i, policy by i%3 */
static void fill(void)
{
	struct sw_err err = SW_ERR_INIT;
	char path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	const char *url = getenv("SW_TEST_STORE_URL");
	assert_int_equal(sw_st_open(url && *url ? url : path, &st, &err), 0);
	for (int i = 1; i <= 30; i++) {
		char digest[80], name[64];
		snprintf(digest, sizeof(digest), "sha256:%064x", i * 7919);
		snprintf(name, sizeof(name), "reg/app-%02d:v%d", i, i % 3);
		struct sw_st_image_put ip = { .digest = digest, .os = i % 2 ? "debian 12" : "alpine 3.19", .name = name };
		assert_int_equal(sw_st_image_put(st, &ip, 1000 + i, &err), 0);
		if (i % 10 == 0)
			continue; /* no report */
		struct sw_st_report_put rp = { .image_digest = digest, .json = "{}", .json_len = 2, .critical = i % 4,
					       .high = i % 5, .medium = i % 6, .low = 1, .total = i % 4 + i % 5 + i % 6 + 1,
					       .now = 2000 + (i * 37) % 30, .checks_failed = i % 2, .secrets = i % 3,
					       .policy = i % 3 == 0 ? "stop" : i % 3 == 1 ? "pass" : NULL };
		int64_t id;
		assert_int_equal(sw_st_report_put(st, &rp, &id, &err), 0);
	}
}

static void run(const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total)
{
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_st_image_search(st, q, out, total, &err), 0);
}

static void digests(struct sw_vec *v, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_st_image *im = v->items[i];
		snprintf(buf + strlen(buf), n - strlen(buf), "%s ", im->names.len ? (char *)im->names.items[0] : "?");
	}
}

static void test_sql(void **state)
{
	(void)state;
	struct sw_vec v = SW_VEC_INIT;
	int64_t total;
	char got[4096];
	struct sw_st_image_query q = { .limit = 100, .min_critical = 3, .sort = SW_ST_SORT_NAME, .ascending = true };
	run(&q, &v, &total);
	digests(&v, got, sizeof(got));
	/* i % 4 == 3, with a report (i % 10 != 0): 3 7 11 15 19 23 27 */
	assert_string_equal(got, "reg/app-03:v0 reg/app-07:v1 reg/app-11:v2 reg/app-15:v0 reg/app-19:v1 reg/app-23:v2 "
				 "reg/app-27:v0 ");
	assert_int_equal(total, 7);
	sw_st_image_list_free(&v);
	struct sw_st_image_query q2 = { .limit = 2, .offset = 1, .tag = "v2", .os = "alpine", .sort = SW_ST_SORT_NAME };
	run(&q2, &v, &total);
	digests(&v, got, sizeof(got));
	/* even i with i % 3 == 2: 2 8 14 20 26, descending by name, from the second */
	assert_int_equal(total, 5);
	assert_string_equal(got, "reg/app-20:v2 reg/app-14:v2 ");
	sw_st_image_list_free(&v);
	struct sw_st_image_query q3 = { .limit = 100, .policy = "none", .text = "APP-1", .sort = SW_ST_SORT_NAME,
					.ascending = true };
	run(&q3, &v, &total);
	digests(&v, got, sizeof(got));
	/* 10-19 with no policy: i % 3 == 2 (11, 14, 17) or no report (10) */
	assert_string_equal(got, "reg/app-10:v1 reg/app-11:v2 reg/app-14:v2 reg/app-17:v2 ");
	sw_st_image_list_free(&v);
}

/* every query answered the same by the SQL and by the in-memory search */
static void test_memory_equals_sql(void **state)
{
	(void)state;
	struct sw_st_ops ops = *st->ops;
	const struct sw_st_ops *real = st->ops;
	ops.image_search = NULL;
	const char *texts[] = { NULL, "app-2", "APP-0", "sha256:0000" };
	const char *policies[] = { NULL, "pass", "stop", "none" };
	int checked = 0;
	for (int sort = SW_ST_SORT_UPDATED; sort <= SW_ST_SORT_NAME; sort++)
		for (int k = 0; k < 4; k++) {
			struct sw_st_image_query q = { .limit = 7, .offset = k, .sort = (enum sw_st_image_sort)sort,
						       .ascending = k % 2, .text = texts[k], .policy = policies[(k + sort) % 4],
						       .min_high = k == 3 ? 2 : 0, .os = k == 1 ? "debian" : NULL,
						       .since = k == 2 ? 1010 : 0 };
			/* ties: the SQL breaks them by row id, the memory by digest; sort by
			 * keys without ties among the planted images only when comparing order */
			struct sw_vec a = SW_VEC_INIT, b = SW_VEC_INIT;
			int64_t ta, tb;
			st->ops = real;
			run(&q, &a, &ta);
			st->ops = &ops;
			run(&q, &b, &tb);
			st->ops = real;
			assert_int_equal(ta, tb);
			assert_int_equal(a.len, b.len);
			bool unique = sort == SW_ST_SORT_UPDATED || sort == SW_ST_SORT_CREATED || sort == SW_ST_SORT_DIGEST ||
				      sort == SW_ST_SORT_NAME;
			for (size_t i = 0; unique && i < a.len; i++)
				assert_string_equal(((struct sw_st_image *)a.items[i])->digest,
						    ((struct sw_st_image *)b.items[i])->digest);
			sw_st_image_list_free(&a);
			sw_st_image_list_free(&b);
			checked++;
		}
	assert_int_equal(checked, 14 * 4);
}

static int teardown(void **state)
{
	(void)state;
	sw_st_close(st);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

static int setup(void **state)
{
	(void)state;
	fill();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql),
		cmocka_unit_test(test_memory_equals_sql),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
