/* test_store_web2.c - the web part 2 operations of the SQLite store
 * (store.h): the paged "which images" against the unpaged one and against
 * what the test planted, and browser sessions bound to their token
 * (session_bind, session_token_live, token_revoke). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "store/store.h"

static struct sw_st *st;
static char dir[] = "/tmp/sw-web2-XXXXXX";

/* image i (1..12): CVE-W-1 in libfoo for every i % 3 != 0, and in libbar too
 * for i % 4 == 0; image 5's first report has it, its second (latest) not */
static void fill(void)
{
	struct sw_err err = SW_ERR_INIT;
	char path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	assert_int_equal(sw_st_open(path, &st, &err), 0);
	for (int i = 1; i <= 12; i++) {
		char digest[80], name[64];
		snprintf(digest, sizeof(digest), "sha256:%064x", 13 - i);   /* digest order is the reverse of i */
		snprintf(name, sizeof(name), "reg/w-%02d:v1", i);
		struct sw_st_image_put ip = { .digest = digest, .os = "debian 12", .name = name };
		assert_int_equal(sw_st_image_put(st, &ip, 1000 + i, &err), 0);
		struct sw_st_finding f[2] = {
			{ .vuln_id = "CVE-W-1", .pkg_name = "libfoo", .pkg_version = "1", .severity = "high" },
			{ .vuln_id = "CVE-W-1", .pkg_name = "libbar", .pkg_version = "2", .fixed = "3", .severity = "low" },
		};
		size_t nf = i % 3 == 0 ? 0 : i % 4 == 0 ? 2 : 1;
		struct sw_st_report_put rp = { .image_digest = digest, .json = "{}", .json_len = 2, .now = 2000 + i,
					       .findings = f, .nfindings = nf };
		int64_t id;
		assert_int_equal(sw_st_report_put(st, &rp, &id, &err), 0);
		if (i == 5) {
			rp.nfindings = 0;
			rp.now++;
			assert_int_equal(sw_st_report_put(st, &rp, &id, &err), 0);
		}
	}
}

static void pairs(struct sw_vec *v, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < v->len; i++) {
		const struct sw_st_hit *h = v->items[i];
		snprintf(buf + strlen(buf), n - strlen(buf), "%s/%s ", h->names, h->pkg_name);
	}
}

static void test_pages(void **state)
{
	(void)state;
	struct sw_err err = SW_ERR_INIT;
	/* planted: images 1 2 4 7 8 10 11 (not 3 6 9 12: no finding; not 5: its
	 * latest report has none), libbar also in 4 and 8; digest order = i descending */
	const char *want = "reg/w-11:v1/libfoo reg/w-10:v1/libfoo reg/w-08:v1/libbar reg/w-08:v1/libfoo "
			   "reg/w-07:v1/libfoo reg/w-04:v1/libbar reg/w-04:v1/libfoo reg/w-02:v1/libfoo "
			   "reg/w-01:v1/libfoo ";
	struct sw_vec all = SW_VEC_INIT;
	int64_t total = -1;
	char a[2048], b[2048] = "";
	assert_int_equal(sw_st_vuln_images_page(st, "CVE-W-1", 0, 0, &all, &total, &err), 0);
	pairs(&all, a, sizeof(a));
	assert_string_equal(a, want);
	assert_int_equal(total, 9);
	sw_st_hits_free(&all);
	/* pages of 2 concatenated are the whole list; the last is short, past the end is empty */
	for (int64_t off = 0; off < 12; off += 2) {
		struct sw_vec p = SW_VEC_INIT;
		char part[512];
		assert_int_equal(sw_st_vuln_images_page(st, "CVE-W-1", 2, off, &p, &total, &err), 0);
		assert_int_equal(total, 9);
		assert_true(p.len == (off < 8 ? 2 : off == 8 ? 1 : 0));
		pairs(&p, part, sizeof(part));
		strcat(b, part);
		sw_st_hits_free(&p);
	}
	assert_string_equal(b, want);
	/* the unpaged operation has the same rows */
	struct sw_vec old = SW_VEC_INIT;
	assert_int_equal(sw_st_vuln_images(st, "CVE-W-1", &old, &err), 0);
	assert_int_equal(old.len, 9);
	sw_st_hits_free(&old);
	struct sw_vec none = SW_VEC_INIT;
	assert_int_equal(sw_st_vuln_images_page(st, "CVE-NONE", 5, 0, &none, &total, &err), 0);
	assert_int_equal(total, 0);
	assert_int_equal(none.len, 0);
}

static void test_sessions(void **state)
{
	(void)state;
	struct sw_err err = SW_ERR_INIT;
	char *t1 = NULL, *t2 = NULL, *name = NULL, *scope = NULL, *ref1 = NULL, *ref2 = NULL;
	assert_int_equal(sw_st_token_create(st, "alice", "read", 100, &t1, &err), 0);
	assert_int_equal(sw_st_token_create(st, "bob", "scan", 100, &t2, &err), 0);
	assert_int_equal(sw_st_token_check_ref(st, t1, &name, &scope, &ref1, &err), 1);
	assert_string_equal(name, "alice");
	assert_string_equal(scope, "read");
	assert_int_equal(strlen(ref1), 64);
	free(name);
	free(scope);
	assert_int_equal(sw_st_token_check_ref(st, t2, NULL, NULL, &ref2, &err), 1);
	assert_string_not_equal(ref1, ref2);
	char *nref = (char *)1;
	assert_int_equal(sw_st_token_check_ref(st, "sw_nope", NULL, NULL, &nref, &err), 0);
	assert_null(nref);
	assert_int_equal(sw_st_session_put(st, "h1", "alice", "read", 100, 1000, &err), 0);
	assert_int_equal(sw_st_session_bind(st, "h1", ref1, 100, 1000, &err), 0);
	assert_int_equal(sw_st_session_put(st, "h2", "bob", "scan", 100, 1000, &err), 0);
	assert_int_equal(sw_st_session_bind(st, "h2", ref2, 100, 1000, &err), 0);
	assert_int_equal(sw_st_session_put(st, "h3", "alice", "read", 100, 1000, &err), 0);  /* never bound */
	assert_int_equal(sw_st_session_token_live(st, "h1", 200, &err), 1);
	assert_int_equal(sw_st_session_token_live(st, "h2", 200, &err), 1);
	assert_int_equal(sw_st_session_token_live(st, "h3", 200, &err), 0);
	assert_int_equal(sw_st_session_token_live(st, "h1", 1000, &err), 0);   /* the binding expired */
	int64_t n = -1;
	assert_int_equal(sw_st_token_revoke(st, "alice", 300, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sw_st_session_token_live(st, "h1", 400, &err), 0);
	assert_int_equal(sw_st_session_token_live(st, "h2", 400, &err), 1);
	assert_int_equal(sw_st_token_check(st, t1, NULL, NULL, &err), 0);
	assert_int_equal(sw_st_token_check(st, t2, NULL, NULL, &err), 1);
	assert_int_equal(sw_st_token_revoke(st, "alice", 500, &n, &err), 0);
	assert_int_equal(n, 0);
	/* a new session of a revoked token cannot be made live: its ref no longer checks */
	free(ref1);
	ref1 = NULL;
	assert_int_equal(sw_st_token_check_ref(st, t1, NULL, NULL, &ref1, &err), 0);
	free(ref1);
	free(ref2);
	free(t1);
	free(t2);
}

static int setup(void **state)
{
	(void)state;
	fill();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sw_st_close(st);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_sessions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
