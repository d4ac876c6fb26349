/* test_store_hooks.c - webhooks and the delivery queue of the SQLite store
 * (store.h "hooks"): a webhook's secret is only handed out for signing;
 * deliveries are queued with their report (none for a webhook deleted
 * meanwhile); a claim leases one due delivery so that a second server gets
 * nothing until the lease expires; a server that lost its lease cannot end
 * the delivery; retries wait for next_attempt; give-up is failed; counts;
 * finding rows keep the primary id and the KEV flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "sw_test.h"
#include "util/mem.h"

static char dir[] = "/tmp/sw_sth_XXXXXX";
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

static void test_queue(void **state)
{
	(void)state;
	struct sw_st *st = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_st_open(path, &st, &err), 0);
	struct sw_st_webhook w = { .url = "https://h.example/a", .secret = "secret-a-0123456789", .min_severity = "high",
				   .repositories = "[\"app\"]", .kev_only = true };
	int64_t w1, w2;
	assert_int_equal(sw_st_webhook_put(st, &w, 100, &w1, &err), 0);
	w.url = "http://h.example/b";
	w.secret = "secret-b-0123456789";
	w.min_severity = NULL;
	w.repositories = NULL;
	w.kev_only = false;
	assert_int_equal(sw_st_webhook_put(st, &w, 101, &w2, &err), 0);
	struct sw_st_webhook g;
	assert_int_equal(sw_st_webhook_get(st, w1, &g, &err), 1);
	assert_string_equal(g.url, "https://h.example/a");
	assert_null(g.secret);   /* never for answers */
	assert_string_equal(g.min_severity, "high");
	assert_true(g.kev_only);
	sw_st_webhook_release(&g);
	assert_int_equal(sw_st_webhook_get(st, 999, &g, &err), 0);
	struct sw_vec list = SW_VEC_INIT;
	assert_int_equal(sw_st_webhook_list(st, false, &list, &err), 0);
	assert_int_equal(list.len, 2);
	assert_null(((struct sw_st_webhook *)list.items[0])->secret);
	sw_st_webhook_list_free(&list);
	assert_int_equal(sw_st_webhook_list(st, true, &list, &err), 0);
	assert_string_equal(((struct sw_st_webhook *)list.items[1])->secret, "secret-b-0123456789");
	sw_st_webhook_list_free(&list);

	/* a report with two deliveries, and one for a webhook that does not exist */
	const uint8_t inv[] = "inv";
	struct sw_st_image_put ip = { .digest = "sha256:d1", .name = "app:1", .inventory = inv, .inventory_len = 3 };
	assert_int_equal(sw_st_image_put(st, &ip, 200, &err), 0);
	struct sw_st_finding f[] = { { "CVE-1", "openssl", "3.0", "3.1", "high", "CVE-1", true },
				     { "DSA-1", "openssl", "3.0", "3.1", "high", "CVE-1", true } };
	struct sw_st_delivery_put d[] = { { w1, "{\"image\":1}" }, { w2, "{\"image\":2}" }, { 4242, "{}" } };
	struct sw_st_report_put rp = { .image_digest = "sha256:d1", .json = "{}", .json_len = 2, .findings = f,
				       .nfindings = 2, .now = 300, .deliveries = d, .ndeliveries = 3 };
	int64_t rid;
	assert_int_equal(sw_st_report_put(st, &rp, &rid, &err), 0);
	struct sw_vec rows = SW_VEC_INIT;
	assert_int_equal(sw_st_report_findings(st, rid, &rows, &err), 0);
	assert_int_equal(rows.len, 2);
	struct sw_st_finding_row *fr = rows.items[1];
	assert_string_equal(fr->vuln_id, "DSA-1");
	assert_string_equal(fr->main, "CVE-1");
	assert_true(fr->kev);
	sw_st_finding_rows_free(&rows);
	int64_t counts[3], hooks;
	assert_int_equal(sw_st_delivery_counts(st, counts, &hooks, &err), 0);
	assert_int_equal(counts[0], 2);
	assert_int_equal(hooks, 2);

	/* server A claims the first; server B gets the second, then nothing */
	struct sw_st_delivery a, b;
	assert_int_equal(sw_st_delivery_claim(st, "A", 15, 300, &a, &err), 1);
	assert_int_equal(a.webhook, w1);
	assert_int_equal(a.attempts, 1);
	assert_int_equal(a.report_id, rid);
	assert_string_equal(a.secret, "secret-a-0123456789");
	assert_string_equal(a.body, "{\"image\":1}");
	assert_int_equal(sw_st_delivery_claim(st, "B", 15, 301, &b, &err), 1);
	assert_int_equal(b.webhook, w2);
	struct sw_st_delivery c;
	assert_int_equal(sw_st_delivery_claim(st, "B", 15, 302, &c, &err), 0);
	/* B's attempt fails: not due before next_attempt */
	assert_int_equal(sw_st_delivery_retry(st, b.id, "B", "HTTP 500", 320, false, 302, &err), 0);
	assert_int_equal(sw_st_delivery_claim(st, "B", 15, 310, &c, &err), 0);
	/* A dies: its lease (until 315) expires, B takes the delivery over */
	assert_int_equal(sw_st_delivery_claim(st, "B", 15, 316, &c, &err), 1);
	assert_int_equal(c.id, a.id);
	assert_int_equal(c.attempts, 2);
	assert_int_equal(sw_st_delivery_done(st, a.id, "A", 317, &err), -SW_E_NOTFOUND);
	assert_int_equal(sw_st_delivery_done(st, c.id, "B", 317, &err), 0);
	sw_st_delivery_release(&c);
	/* the retried one, given up */
	assert_int_equal(sw_st_delivery_claim(st, "A", 15, 320, &c, &err), 1);
	assert_int_equal(c.id, b.id);
	assert_int_equal(sw_st_delivery_retry(st, c.id, "A", "refused", 400, true, 320, &err), 0);
	sw_st_delivery_release(&c);
	assert_int_equal(sw_st_delivery_claim(st, "A", 15, 1000, &c, &err), 0);
	assert_int_equal(sw_st_delivery_counts(st, counts, &hooks, &err), 0);
	assert_int_equal(counts[0], 0);
	assert_int_equal(counts[1], 1);
	assert_int_equal(counts[2], 1);
	assert_int_equal(sw_st_delivery_list(st, w1, 10, &list, &err), 0);
	assert_int_equal(list.len, 1);
	struct sw_st_delivery *x = list.items[0];
	assert_int_equal(x->state, SW_DLV_DELIVERED);
	assert_int_equal(x->delivered, 317);
	assert_null(x->secret);
	sw_st_delivery_list_free(&list);
	assert_int_equal(sw_st_delivery_list(st, w2, 10, &list, &err), 0);
	x = list.items[0];
	assert_int_equal(x->state, SW_DLV_FAILED);
	assert_string_equal(x->last_error, "refused");
	sw_st_delivery_list_free(&list);

	/* delete: the webhook and its deliveries */
	assert_int_equal(sw_st_webhook_delete(st, w2, &err), 0);
	assert_int_equal(sw_st_webhook_delete(st, w2, &err), -SW_E_NOTFOUND);
	assert_int_equal(sw_st_delivery_counts(st, counts, &hooks, &err), 0);
	assert_int_equal(counts[2], 0);
	assert_int_equal(hooks, 1);
	sw_st_delivery_release(&a);
	sw_st_delivery_release(&b);
	sw_st_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
