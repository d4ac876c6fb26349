/*
 * bench_vulndb.c - import time and size of the database built from a
 * folder laid out like shared/data/vuln, and lookups per second for a
 * 1,000-package inventory taken from the data.
 *
 *   build/bench/bench_vulndb ../shared/data/vuln [DB_PATH]
 *
 * Prints one "name: value" line per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/mem.h"
#include "vulndb/vulndb.h"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct count {
	long hits, ranges;
};

static int on_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	(void)v;
	struct count *c = ctx;
	c->hits++;
	c->ranges += (long)a->ranges.len;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_vulndb VULN_DATA_DIR [DB_PATH]\n");
		return 64;
	}
	char *path = argc > 2 ? sw_xstrdup(argv[2]) : sw_xasprintf("/tmp/bench-vulndb-%ld.sqlite", (long)getpid());
	unlink(path);
	struct sw_err err = SW_ERR_INIT;
	struct sw_vulndb_update_opts o = { 0 };
	o.db_path = path;
	o.retries = 0;
	if (sw_vulndb_offline_locations(argv[1], &o.locations, &err) < 0) {
		fprintf(stderr, "bench_vulndb: %s\n", err.msg);
		return 2;
	}
	struct sw_vulndb_update_result res;
	double t0 = now_s(), c0 = cpu_s();
	int r = sw_vulndb_update(&o, &res, &err);
	double t1 = now_s(), c1 = cpu_s();
	for (size_t i = 0; i < o.locations.len; i++)
		sw_vulndb_location_free(o.locations.items[i]);
	sw_vec_release(&o.locations);
	sw_vulndb_update_result_release(&res);
	if (r < 0) {
		fprintf(stderr, "bench_vulndb: %s\n", err.msg);
		return 2;
	}
	struct stat st;
	stat(path, &st);
	printf("import_seconds: %.2f (cpu %.2f)\n", t1 - t0, c1 - c0);
	printf("locations_read: %d (failed %d)\n", res.fetched, res.failed);
	printf("records: %lld (bad %lld)\n", (long long)res.records, (long long)res.bad_records);
	printf("records_per_second: %.0f\n", (double)res.records / (t1 - t0));
	printf("db_size_bytes: %lld\n", (long long)st.st_size);

	struct sw_vulndb *db = NULL;
	if (sw_vulndb_open(path, SW_VULNDB_RDONLY, &db, &err) < 0) {
		fprintf(stderr, "bench_vulndb: %s\n", err.msg);
		return 2;
	}
	/* A 1,000-package inventory: names from each ecosystem in the data,
	 * plus names that match nothing (most of a real image). */
	static const char *const ecos[] = { "Go", "PyPI", "crates.io", "npm", "Maven", "Debian:12", "Alpine:v3.18" };
	struct sw_vec names = SW_VEC_INIT, eco_of = SW_VEC_INIT;
	for (size_t e = 0; e < sizeof(ecos) / sizeof(ecos[0]); e++) {
		size_t before = names.len;
		if (sw_vulndb_packages(db, ecos[e], 150, &names, &err) < 0) {
			fprintf(stderr, "bench_vulndb: %s\n", err.msg);
			return 2;
		}
		for (size_t i = before; i < names.len; i++)
			sw_vec_push(&eco_of, (void *)ecos[e]);
	}
	size_t known = names.len;
	for (size_t i = 0; names.len < 1000; i++) {
		sw_vec_push(&names, sw_xasprintf("no-such-package-%zu", i));
		sw_vec_push(&eco_of, (void *)ecos[i % 3]);
	}
	struct count c = { 0, 0 };
	int rounds = 5;
	double l0 = now_s(), lc0 = cpu_s();
	for (int k = 0; k < rounds; k++) {
		sw_vulndb_begin_read(db, &err);
		for (size_t i = 0; i < names.len; i++)
			if (sw_vulndb_lookup(db, eco_of.items[i], names.items[i], on_hit, &c, &err) < 0) {
				fprintf(stderr, "bench_vulndb: %s\n", err.msg);
				return 2;
			}
		sw_vulndb_end_read(db, &err);
	}
	double l1 = now_s(), lc1 = cpu_s();
	printf("inventory_packages: %zu (%zu with known vulnerabilities)\n", names.len, known);
	printf("hits_per_scan: %ld\n", c.hits / rounds);
	printf("lookups_per_second: %.0f\n", (double)(names.len * (size_t)rounds) / (l1 - l0));
	printf("lookups_per_cpu_second: %.0f\n", (double)(names.len * (size_t)rounds) / (lc1 - lc0));
	printf("scan_lookup_ms: %.1f\n", (l1 - l0) * 1000.0 / rounds);
	sw_vec_free_strings(&names);
	sw_vec_release(&eco_of);
	sw_vulndb_close(db);
	if (argc <= 2)
		unlink(path);
	free(path);
	return 0;
}
