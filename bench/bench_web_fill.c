/*
 * bench_web_fill.c - fill a store with many images for bench/bench_web.sh,
 * through the store API (store/store.h): image_put and report_put per image,
 * each image with the given scan report (a `stowaway scan -f json` file) and
 * made-up counts, names, OSes and finding-index rows.
 *
 *   bench_web_fill STORE N REPORT.json
 *
 * Image i: digest sha256:<i as 64 hex digits>, name "bench/app-<i>:v<i%5>",
 * OS "debian 12" / "alpine 3.19" / "ubuntu 22.04" in turn; its report lists
 * CVE-2024-1001 when i % 10 == 0 and CVE-BENCH-<i % 100> always.  Prints the
 * seconds it took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/buf.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_web_fill STORE N REPORT.json\n");
		return 64;
	}
	long n = strtol(argv[2], NULL, 10);
	struct sw_err err = SW_ERR_INIT;
	struct sw_buf rep = SW_BUF_INIT;
	struct sw_st *st = NULL;
	if (sw_buf_read_file(&rep, argv[3], 1 << 28, &err) < 0 || sw_st_open(argv[1], &st, &err) < 0) {
		fprintf(stderr, "bench_web_fill: %s\n", err.msg);
		return 1;
	}
	static const char *const oses[] = { "debian 12", "alpine 3.19", "ubuntu 22.04" };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t now = (int64_t)time(NULL) - n;
	for (long i = 1; i <= n; i++) {
		char digest[80], name[64], bench_id[32];
		snprintf(digest, sizeof(digest), "sha256:%064lx", i);
		snprintf(name, sizeof(name), "bench/app-%05ld:v%ld", i, i % 5);
		snprintf(bench_id, sizeof(bench_id), "CVE-BENCH-%ld", i % 100);
		struct sw_st_image_put ip = { .digest = digest, .config_digest = digest, .os = oses[i % 3],
					      .architecture = "amd64", .name = name };
		struct sw_st_finding f[2] = {
			{ .vuln_id = bench_id, .pkg_name = "pkg", .pkg_version = "1.0", .fixed = "1.1", .severity = "medium" },
			{ .vuln_id = "CVE-2024-1001", .pkg_name = "libssl3", .pkg_version = "3.0.11-1~deb12u2",
			  .fixed = "3.0.13-1~deb12u1", .severity = "high" },
		};
		int64_t c = i % 7, h = i % 13, m = i % 17, l = i % 5;
		struct sw_st_report_put rp = { .image_digest = digest, .job_id = i, .db_fingerprint = "bench",
					       .json = rep.data, .json_len = rep.len, .critical = c, .high = h,
					       .medium = m, .low = l, .total = c + h + m + l, .complete = true,
					       .findings = f, .nfindings = i % 10 == 0 ? 2 : 1, .now = now + i,
					       .checks_failed = i % 3, .secrets = i % 11 == 0, .malware = 0,
					       .policy = i % 4 == 0 ? "stop" : i % 4 == 1 ? "pass" : NULL };
		int64_t id;
		if (sw_st_image_put(st, &ip, now + i, &err) < 0 || sw_st_report_put(st, &rp, &id, &err) < 0) {
			fprintf(stderr, "bench_web_fill: image %ld: %s\n", i, err.msg);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	sw_st_close(st);
	sw_buf_release(&rep);
	return 0;
}
