/* test_store.c - the SQLite store through the store.h interface: jobs
 * (idempotent submission, claims with leases, a failed job re-queued by the
 * next submission and by retry, a lease that expires is claimed by another
 * owner, an owner that lost its lease cannot end the job), images and
 * inventories by digest and key, reports with history and the finding
 * index, tokens (hashed, the clear text nowhere in the file), meta, and
 * reopening (migrations run once; a foreign SQLite file is refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store/store.h"
#include "sw_test.h"
#include "util/mem.h"

static char dir[] = "/tmp/sw_st_XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct sw_st *open_store(void)
{
	struct sw_st *st = NULL;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_st_open(path, &st, &err);
	if (r < 0)
		fail_msg("open: %s", err.msg);
	return st;
}

static void test_jobs(void **state)
{
	(void)state;
	struct sw_st *st = open_store();
	struct sw_err err = SW_ERR_INIT;
	int64_t a, b, c;
	bool created;
	assert_int_equal(sw_st_job_submit(st, "docker-archive:x.tar", "scan", "", 100, &a, &created, &err), 0);
	assert_true(created);
	assert_int_equal(sw_st_job_submit(st, "docker-archive:x.tar", "scan", "", 101, &b, &created, &err), 0);
	assert_false(created);
	assert_int_equal(a, b);
	struct sw_st_job j;
	assert_int_equal(sw_st_job_claim(st, "w1", 60, 102, &j, &err), 1);
	assert_int_equal(j.id, a);
	assert_int_equal(j.state, SW_JOB_RUNNING);
	assert_int_equal(j.attempts, 1);
	sw_st_job_release(&j);
	/* nothing else pending */
	assert_int_equal(sw_st_job_claim(st, "w2", 60, 103, &j, &err), 0);
	/* running: a resubmission returns the same job */
	assert_int_equal(sw_st_job_submit(st, "docker-archive:x.tar", "scan", "", 104, &b, &created, &err), 0);
	assert_int_equal(a, b);
	assert_false(created);
	/* fail; the next submission puts it back to pending, same id */
	assert_int_equal(sw_st_job_fail(st, a, "w1", "registry: connection refused", 105, &err), 0);
	assert_int_equal(sw_st_job_get(st, a, &j, &err), 1);
	assert_int_equal(j.state, SW_JOB_FAILED);
	assert_string_equal(j.error, "registry: connection refused");
	sw_st_job_release(&j);
	assert_int_equal(sw_st_job_submit(st, "docker-archive:x.tar", "scan", "", 106, &b, &created, &err), 0);
	assert_int_equal(a, b);
	assert_int_equal(sw_st_job_get(st, a, &j, &err), 1);
	assert_int_equal(j.state, SW_JOB_PENDING);
	sw_st_job_release(&j);
	/* claimed by w1 at 107 with a 10 s lease; w1 renews at 115 (to 125); w2
	 * cannot take it at 120, can at 126; w1 then cannot end it */
	assert_int_equal(sw_st_job_claim(st, "w1", 10, 107, &j, &err), 1);
	assert_int_equal(j.attempts, 2);
	sw_st_job_release(&j);
	assert_int_equal(sw_st_job_renew(st, "w1", 10, 115, &err), 0);
	assert_int_equal(sw_st_job_claim(st, "w2", 10, 120, &j, &err), 0);
	assert_int_equal(sw_st_job_claim(st, "w2", 10, 126, &j, &err), 1);
	assert_int_equal(j.id, a);
	assert_string_equal(j.lease_owner, "w2");
	assert_int_equal(j.attempts, 3);
	sw_st_job_release(&j);
	assert_true(sw_st_job_done(st, a, "w1", "sha256:aa", 1, false, 127, &err) < 0);
	assert_int_equal(err.code, SW_E_NOTFOUND);
	/* requeue by its owner, then done */
	assert_int_equal(sw_st_job_requeue(st, a, "w2", 128, &err), 0);
	assert_int_equal(sw_st_job_claim(st, "w3", 10, 129, &j, &err), 1);
	sw_st_job_release(&j);
	assert_int_equal(sw_st_job_done(st, a, "w3", "sha256:aa", 0, true, 130, &err), 0);
	assert_int_equal(sw_st_job_get(st, a, &j, &err), 1);
	assert_int_equal(j.state, SW_JOB_DONE);
	assert_true(j.inventory_reused);
	assert_null(j.error);
	sw_st_job_release(&j);
	/* done: a new submission makes a new job */
	assert_int_equal(sw_st_job_submit(st, "docker-archive:x.tar", "scan", "", 131, &c, &created, &err), 0);
	assert_true(created);
	assert_true(c != a);
	/* retry: only failed jobs */
	assert_true(sw_st_job_retry(st, c, 132, &err) < 0);
	assert_int_equal(err.code, SW_E_USAGE);
	assert_true(sw_st_job_retry(st, 9999, 132, &err) < 0);
	assert_int_equal(err.code, SW_E_NOTFOUND);
	assert_int_equal(sw_st_job_claim(st, "w1", 10, 133, &j, &err), 1);
	sw_st_job_release(&j);
	assert_int_equal(sw_st_job_fail(st, c, "w1", "boom", 134, &err), 0);
	assert_true(sw_st_job_cancel(st, c, "x", 134, &err) < 0);   /* only pending jobs */
	assert_int_equal(err.code, SW_E_USAGE);
	assert_int_equal(sw_st_job_retry(st, c, 135, &err), 0);
	/* cancel a pending job: failed with the reason; a resubmission brings it back */
	int64_t d;
	assert_int_equal(sw_st_job_submit(st, "oci:y", "scan", "", 136, &d, &created, &err), 0);
	assert_int_equal(sw_st_job_cancel(st, d, "cancelled by ci", 137, &err), 0);
	assert_int_equal(sw_st_job_get(st, d, &j, &err), 1);
	assert_int_equal(j.state, SW_JOB_FAILED);
	assert_string_equal(j.error, "cancelled by ci");
	sw_st_job_release(&j);
	assert_true(sw_st_job_cancel(st, 99999, "x", 137, &err) < 0);
	assert_int_equal(err.code, SW_E_NOTFOUND);
	int64_t counts[4];
	assert_int_equal(sw_st_job_counts(st, counts, &err), 0);
	assert_int_equal(counts[SW_JOB_PENDING], 1);
	assert_int_equal(counts[SW_JOB_FAILED], 1);
	assert_int_equal(counts[SW_JOB_DONE], 1);
	assert_int_equal(sw_st_job_get(st, 4242, &j, &err), 0);
	sw_st_close(st);
}

static void test_images_reports(void **state)
{
	(void)state;
	struct sw_st *st = open_store();
	struct sw_err err = SW_ERR_INIT;
	const uint8_t inv[] = "inventory bytes";
	struct sw_st_image_put ip = { .digest = "sha256:d1", .config_digest = "sha256:c1", .inv_key = "k1",
					 .os = "debian 12", .architecture = "amd64", .name = "app:1",
					 .inventory = inv, .inventory_len = sizeof(inv), .config_json = "{}" };
	assert_int_equal(sw_st_image_put(st, &ip, 200, &err), 0);
	ip.name = "app:latest";
	ip.inventory = NULL;    /* a re-put without an inventory keeps the stored one */
	ip.inventory_len = 0;
	assert_int_equal(sw_st_image_put(st, &ip, 201, &err), 0);
	struct sw_buf b = SW_BUF_INIT, cfg = SW_BUF_INIT;
	assert_int_equal(sw_st_inventory_get(st, "sha256:d1", "k1", &b, &cfg, &err), 1);
	assert_int_equal(b.len, sizeof(inv));
	assert_memory_equal(b.data, inv, sizeof(inv));
	assert_string_equal(cfg.data, "{}");
	sw_buf_reset(&b);
	/* another analyzer set: no inventory */
	assert_int_equal(sw_st_inventory_get(st, "sha256:d1", "k2", &b, &cfg, &err), 0);
	assert_int_equal(sw_st_inventory_get(st, "sha256:nope", NULL, &b, &cfg, &err), 0);
	sw_buf_release(&b);
	sw_buf_release(&cfg);

	struct sw_st_finding f1[] = { { "CVE-1", "openssl", "3.0", "3.1", "high" },
					 { "DSA-1", "openssl", "3.0", "3.1", "high" } };
	struct sw_st_report_put rp = { .image_digest = "sha256:d1", .job_id = 1, .db_fingerprint = "db1",
					  .json = "{\"a\":1}", .json_len = 7, .high = 1, .total = 1, .complete = true,
					  .findings = f1, .nfindings = 2, .now = 300 };
	int64_t r1, r2;
	assert_int_equal(sw_st_report_put(st, &rp, &r1, &err), 0);
	struct sw_vec hits = SW_VEC_INIT;
	assert_int_equal(sw_st_vuln_images(st, "DSA-1", &hits, &err), 0);
	assert_int_equal(hits.len, 1);
	struct sw_st_hit *h = hits.items[0];
	assert_string_equal(h->image_digest, "sha256:d1");
	assert_non_null(strstr(h->names, "app:1"));
	assert_non_null(strstr(h->names, "app:latest"));
	sw_st_hits_free(&hits);
	/* a second report: the finding index follows the latest one */
	struct sw_st_finding f2[] = { { "CVE-2", "zlib", "1.2", NULL, "critical" } };
	rp.findings = f2;
	rp.nfindings = 1;
	rp.json = "{\"b\":2}";
	rp.critical = 1;
	rp.high = 0;
	rp.now = 400;
	rp.changes_json = "{\"new\":[\"CVE-2\"],\"fixed\":[\"CVE-1\"]}";
	assert_int_equal(sw_st_report_put(st, &rp, &r2, &err), 0);
	assert_int_equal(sw_st_vuln_images(st, "CVE-1", &hits, &err), 0);
	assert_int_equal(hits.len, 0);
	assert_int_equal(sw_st_vuln_images(st, "CVE-2", &hits, &err), 0);
	assert_int_equal(hits.len, 1);
	sw_st_hits_free(&hits);
	struct sw_vec ids = SW_VEC_INIT;
	assert_int_equal(sw_st_report_finding_ids(st, r2, &ids, &err), 0);
	assert_int_equal(ids.len, 1);
	assert_string_equal(ids.items[0], "CVE-2");
	sw_vec_free_strings(&ids);
	struct sw_vec hist = SW_VEC_INIT;
	assert_int_equal(sw_st_report_list(st, "sha256:d1", &hist, &err), 0);
	assert_int_equal(hist.len, 2);
	assert_int_equal(((struct sw_st_report *)hist.items[0])->id, r2);
	assert_int_equal(((struct sw_st_report *)hist.items[1])->id, r1);
	sw_st_report_list_free(&hist);
	struct sw_st_report rep;
	assert_int_equal(sw_st_report_get(st, r1, &rep, &err), 1);
	assert_string_equal(rep.json.data, "{\"a\":1}");
	assert_int_equal(rep.high, 1);
	sw_st_report_release(&rep);
	assert_int_equal(sw_st_report_get(st, 999, &rep, &err), 0);
	struct sw_st_image im;
	assert_int_equal(sw_st_image_get(st, "sha256:d1", &im, &err), 1);
	assert_int_equal(im.latest_report, r2);
	assert_int_equal(im.critical, 1);
	assert_int_equal(im.names.len, 2);
	sw_st_image_release(&im);
	struct sw_vec list = SW_VEC_INIT;
	assert_int_equal(sw_st_image_list(st, &list, &err), 0);
	assert_int_equal(list.len, 1);
	sw_st_image_list_free(&list);
	/* a report for an image never stored */
	rp.image_digest = "sha256:nope";
	assert_true(sw_st_report_put(st, &rp, &r2, &err) < 0);
	assert_int_equal(err.code, SW_E_NOTFOUND);
	sw_st_close(st);
}

static void test_tokens_meta(void **state)
{
	(void)state;
	struct sw_st *st = open_store();
	struct sw_err err = SW_ERR_INIT;
	char *tok = NULL, *name = NULL, *scope = NULL;
	assert_int_equal(sw_st_token_create(st, "ci", "scan", 500, &tok, &err), 0);
	assert_int_equal(strlen(tok), 51);
	assert_int_equal(sw_st_token_check(st, tok, &name, &scope, &err), 1);
	assert_string_equal(name, "ci");
	assert_string_equal(scope, "scan");
	free(name);
	free(scope);
	char *bad = sw_xstrdup(tok);
	bad[40] = bad[40] == 'a' ? 'b' : 'a';
	assert_int_equal(sw_st_token_check(st, bad, NULL, NULL, &err), 0);
	assert_int_equal(sw_st_token_check(st, "sw_short", NULL, NULL, &err), 0);
	assert_int_equal(sw_st_token_check(st, "", NULL, NULL, &err), 0);
	free(bad);
	assert_true(sw_st_token_create(st, "x", "root", 500, &bad, &err) < 0);
	assert_int_equal(sw_st_meta_set(st, "k", "v1", &err), 0);
	assert_int_equal(sw_st_meta_set(st, "k", "v2", &err), 0);
	char *v = NULL;
	assert_int_equal(sw_st_meta_get(st, "k", &v, &err), 0);
	assert_string_equal(v, "v2");
	free(v);
	sw_st_close(st);
	/* the clear token is nowhere in the file (nor its -wal) */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "grep -rqa '%s' %s", tok + 12, dir);
	assert_int_not_equal(system(cmd), 0);
	free(tok);
}

static void test_reopen_foreign(void **state)
{
	(void)state;
	struct sw_st *st = open_store();
	sw_st_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), SW_STORE_SCHEMA_VERSION);
	sqlite3_finalize(s);
	sqlite3_close(db);
	char other[300];
	snprintf(other, sizeof(other), "%s/other.sqlite", dir);
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_st_open(other, &st, &err) < 0);
	assert_non_null(strstr(err.msg, "not a stowaway store"));
	snprintf(other, sizeof(other), "%s/text", dir);
	FILE *f = fopen(other, "w");
	fputs("this is not a database at all, not even close to one..........................................", f);
	fclose(f);
	assert_true(sw_st_open(other, &st, &err) < 0);
	assert_int_equal(err.code, SW_E_DB);
	/* a PostgreSQL URL whose server cannot be reached: a database error naming it */
	assert_true(sw_st_open("postgres://127.0.0.1:1/y?connect_timeout=2", &st, &err) < 0);
	assert_int_equal(err.code, SW_E_DB);
	assert_non_null(strstr(err.msg, "127.0.0.1"));
}

static void test_pack(void **state)
{
	(void)state;
	struct sw_err err = SW_ERR_INIT;
	struct sw_buf p = SW_BUF_INIT, u = SW_BUF_INIT;
	char data[5000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 7);
	assert_int_equal(sw_st_pack(data, sizeof(data), &p, &err), 0);
	assert_true(p.len < sizeof(data) / 10);
	assert_int_equal(sw_st_unpack(p.data, p.len, 1 << 20, &u, &err), 0);
	assert_int_equal(u.len, sizeof(data));
	assert_memory_equal(u.data, data, sizeof(data));
	sw_buf_reset(&u);
	assert_true(sw_st_unpack(p.data, p.len, 100, &u, &err) < 0);
	assert_int_equal(err.code, SW_E_LIMIT);
	assert_true(sw_st_unpack("garbage", 7, 1 << 20, &u, &err) < 0);
	assert_true(sw_st_unpack(p.data, p.len - 3, 1 << 20, &u, &err) < 0);
	sw_buf_release(&p);
	sw_buf_release(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_images_reports),
		cmocka_unit_test(test_tokens_meta),
		cmocka_unit_test(test_reopen_foreign),
		cmocka_unit_test(test_pack),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
