/*
 * retention.c - old records collected on a schedule (--retention) and the
 * store's table sizes in /metrics (issue 17; docs/store.md "Retention").
 *
 * The watcher thread calls srv_retention_tick() about every 200 ms; a pass
 * runs every retention/4 seconds (at least 1 s, at most an hour) and
 * deletes through sw_st_collect() what is older than now - retention.
 * Several instances on one store may all run it: the deletes are by age
 * and idempotent.
 */
#include <stdio.h>
#include <time.h>

#include "server/server_int.h"
#include "util/buf.h"

void srv_retention_tick(struct srv *s, int64_t now)
{
	static int64_t last;   /* only the watcher thread calls this */
	int64_t keep = s->o->retention;
	if (keep <= 0)
		return;
	int64_t every = keep / 4;
	if (every < 1)
		every = 1;
	if (every > 3600)
		every = 3600;
	if (last && now - last < every)
		return;
	last = now;
	struct sw_st_collected c;
	struct sw_err err = SW_ERR_INIT;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sw_st_collect(s->store, now - keep, &c, &err) < 0) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"where\":\"retention\",\"error\":");
		srv_json_str(&f, err.msg);
		srv_log(s, "error", "%s", f.data);
		sw_buf_release(&f);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (c.jobs || c.reports || c.deliveries)
		srv_log(s, "retention", "\"before\":%lld,\"jobs\":%lld,\"reports\":%lld,\"deliveries\":%lld,\"ms\":%.1f",
			(long long)(now - keep), (long long)c.jobs, (long long)c.reports, (long long)c.deliveries,
			(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

void srv_retention_metrics(struct srv *s, struct sw_buf *b)
{
	struct sw_vec t = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_table_sizes(s->store, &t, &err) < 0) {
		sw_st_table_sizes_free(&t);
		return;
	}
	sw_buf_addstr(b, "# TYPE stowaway_store_rows gauge\n");
	for (size_t i = 0; i < t.len; i++) {
		struct sw_st_table_size *z = t.items[i];
		sw_buf_addstr(b, "stowaway_store_rows{table=");
		srv_json_str(b, z->table);
		sw_buf_addf(b, "} %lld\n", (long long)z->rows);
	}
	sw_buf_addstr(b, "# TYPE stowaway_store_bytes gauge\n");
	for (size_t i = 0; i < t.len; i++) {
		struct sw_st_table_size *z = t.items[i];
		if (z->bytes < 0)
			continue;
		sw_buf_addstr(b, "stowaway_store_bytes{table=");
		srv_json_str(b, z->table);
		sw_buf_addf(b, "} %lld\n", (long long)z->bytes);
	}
	sw_buf_addf(b, "# TYPE stowaway_retention_seconds gauge\nstowaway_retention_seconds %lld\n",
		    (long long)s->o->retention);
	sw_st_table_sizes_free(&t);
}
