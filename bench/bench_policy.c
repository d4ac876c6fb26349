/* bench_policy.c - time of one policy evaluation (issue 15: "the default
 * bundle plus 50 rules on a debian-big scan result: <= 10 ms").
 *
 *   bench_policy [-n RUNS] [SCAN.json]
 *
 * The bundle: Anchore Engine's default bundle's six rules, our default
 * bundle's five, and 50 more across the gates (20 vulnerabilities.package
 * with severity, CVSS, fix and path-exclude regex params, 10 denylists of
 * 20 ids, 5 package denylists, 5 licence lists, 5 dockerfile, 3 metadata,
 * 2 image_checks), with an allowlist of 100 items (globs).  The input: a
 * stored scan report (`stowaway scan -f json` of debian-big) when given,
 * else a synthetic one the size of debian-big (2,173 packages; 12,000
 * findings).  Prints the median and the minimum wall time of RUNS
 * evaluations (default 50), and the rows of one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"
#include "util/buf.h"
#include "util/mem.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void rule(struct sw_buf *b, int *n, const char *gate, const char *trigger, const char *action,
		 const char *params)
{
	sw_buf_addf(b, "%s{\"id\":\"r%d\",\"gate\":\"%s\",\"trigger\":\"%s\",\"action\":\"%s\",\"params\":%s}",
		    *n ? "," : "", *n, gate, trigger, action, params);
	(*n)++;
}

static char *bundle_text(void)
{
	struct sw_buf b = SW_BUF_INIT;
	int n = 0;
	sw_buf_addstr(&b, "{\"id\":\"bench\",\"version\":\"1_0\",\"policies\":[{\"id\":\"p\",\"rules\":[");
	/* Anchore Engine's default bundle */
	rule(&b, &n, "dockerfile", "exposed_ports", "STOP", "[{\"name\":\"ports\",\"value\":\"22\"},{\"name\":\"type\",\"value\":\"blacklist\"}]");
	rule(&b, &n, "dockerfile", "instruction", "WARN", "[{\"name\":\"instruction\",\"value\":\"HEALTHCHECK\"},{\"name\":\"check\",\"value\":\"not_exists\"}]");
	rule(&b, &n, "vulnerabilities", "stale_feed_data", "WARN", "[{\"name\":\"max_days_since_sync\",\"value\":\"2\"}]");
	rule(&b, &n, "vulnerabilities", "vulnerability_data_unavailable", "WARN", "[]");
	rule(&b, &n, "vulnerabilities", "package", "WARN", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"severity_comparison\",\"value\":\"=\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	rule(&b, &n, "vulnerabilities", "package", "STOP", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"severity_comparison\",\"value\":\">\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	/* ours */
	rule(&b, &n, "vulnerabilities", "kev", "STOP", "[]");
	rule(&b, &n, "vulnerabilities", "package", "STOP", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"severity_comparison\",\"value\":\">=\"},{\"name\":\"severity\",\"value\":\"critical\"},{\"name\":\"fix_available\",\"value\":\"true\"}]");
	rule(&b, &n, "dockerfile", "effective_user", "WARN", "[{\"name\":\"users\",\"value\":\"root\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	rule(&b, &n, "image_checks", "failed", "STOP", "[{\"name\":\"ids\",\"value\":\"SW-CFG-010\"}]");
	rule(&b, &n, "vulnerabilities", "vulnerability_data_unavailable", "WARN", "[]");
	/* 50 more */
	static const char *const sev[] = { "low", "medium", "high", "critical" };
	for (int i = 0; i < 20; i++) {
		char p[512];
		snprintf(p, sizeof(p),
			 "[{\"name\":\"package_type\",\"value\":\"%s\"},{\"name\":\"severity_comparison\",\"value\":\">=\"},"
			 "{\"name\":\"severity\",\"value\":\"%s\"},{\"name\":\"cvss_v3_base_score\",\"value\":\"%d.%d\"},"
			 "{\"name\":\"fix_available\",\"value\":\"%s\"},{\"name\":\"package_path_exclude\",\"value\":\"usr/share/doc%d/.*\"}]",
			 i % 3 == 0 ? "all" : i % 3 == 1 ? "os" : "non-os", sev[i % 4], 4 + i % 5, i % 10,
			 i % 2 ? "true" : "false", i);
		rule(&b, &n, "vulnerabilities", "package", i % 2 ? "STOP" : "WARN", p);
	}
	for (int i = 0; i < 10; i++) {
		struct sw_buf ids = SW_BUF_INIT;
		for (int k = 0; k < 20; k++)
			sw_buf_addf(&ids, "%sCVE-2023-%d", k ? "," : "", 1000 + i * 97 + k * 13);
		char *p = sw_xasprintf("[{\"name\":\"vulnerability_ids\",\"value\":\"%s\"}]", ids.data);
		rule(&b, &n, "vulnerabilities", "denylist", "STOP", p);
		free(p);
		sw_buf_release(&ids);
	}
	for (int i = 0; i < 5; i++) {
		char p[200];
		snprintf(p, sizeof(p), "[{\"name\":\"name\",\"value\":\"lib%c*\"},{\"name\":\"version\",\"value\":\"*%d*\"}]",
			 'a' + i, i);
		rule(&b, &n, "packages", "denylist", "WARN", p);
	}
	for (int i = 0; i < 5; i++)
		rule(&b, &n, "licenses", i % 2 ? "denylist_exact_match" : "denylist_partial_match", "WARN",
		     i % 2 ? "[{\"name\":\"licenses\",\"value\":\"AGPL-3.0-only,SSPL-1.0\"}]" : "[{\"name\":\"licenses\",\"value\":\"GPL-3\"}]");
	rule(&b, &n, "dockerfile", "instruction", "WARN", "[{\"name\":\"instruction\",\"value\":\"RUN\"},{\"name\":\"check\",\"value\":\"like\"},{\"name\":\"value\",\"value\":\".*curl.*\\\\|.*sh.*\"}]");
	rule(&b, &n, "dockerfile", "instruction", "WARN", "[{\"name\":\"instruction\",\"value\":\"ADD\"},{\"name\":\"check\",\"value\":\"exists\"}]");
	rule(&b, &n, "dockerfile", "exposed_ports", "WARN", "[{\"name\":\"ports\",\"value\":\"80,443,8080\"},{\"name\":\"type\",\"value\":\"whitelist\"}]");
	rule(&b, &n, "dockerfile", "effective_user", "WARN", "[{\"name\":\"users\",\"value\":\"app,10001\"},{\"name\":\"type\",\"value\":\"whitelist\"}]");
	rule(&b, &n, "dockerfile", "no_dockerfile_provided", "GO", "[]");
	rule(&b, &n, "metadata", "attribute", "WARN", "[{\"name\":\"attribute\",\"value\":\"size\"},{\"name\":\"check\",\"value\":\">\"},{\"name\":\"value\",\"value\":\"1GB\"}]");
	rule(&b, &n, "metadata", "attribute", "WARN", "[{\"name\":\"attribute\",\"value\":\"distro\"},{\"name\":\"check\",\"value\":\"not_in\"},{\"name\":\"value\",\"value\":\"debian,alpine\"}]");
	rule(&b, &n, "metadata", "attribute", "WARN", "[{\"name\":\"attribute\",\"value\":\"layer_count\"},{\"name\":\"check\",\"value\":\">\"},{\"name\":\"value\",\"value\":\"20\"}]");
	rule(&b, &n, "image_checks", "failed", "WARN", "[{\"name\":\"severity\",\"value\":\"high\"}]");
	rule(&b, &n, "image_checks", "failed", "WARN", "[{\"name\":\"cis\",\"value\":\"4.*\"}]");
	sw_buf_addstr(&b, "]}],\"whitelists\":[{\"id\":\"w\",\"items\":[");
	for (int i = 0; i < 100; i++)
		sw_buf_addf(&b, "%s{\"id\":\"i%d\",\"gate\":\"vulnerabilities\",\"trigger_id\":\"CVE-2022-%d%s\","
			    "\"expires_on\":\"2030-01-01\"}", i ? "," : "", i, 100 + i * 7, i % 2 ? "+*" : "+libc6");
	sw_buf_addstr(&b, "]}],\"mappings\":[{\"id\":\"m\",\"registry\":\"*\",\"repository\":\"*\","
			  "\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"policy_id\":\"p\",\"whitelist_ids\":[\"w\"]}]}");
	fprintf(stderr, "bundle: %d rules, 100 allowlist items\n", n);
	return sw_buf_detach(&b, NULL);
}

/* A synthetic scan report the size of debian-big, as our scan JSON. */
static char *synthetic_report(size_t npkg, size_t nfind)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"schemaVersion\":\"1.2\",\"image\":{\"configDigest\":\"sha256:00\",\"architecture\":\"amd64\","
			  "\"os\":\"linux\",\"repoTags\":[\"debian-big:latest\"],\"layers\":[");
	for (int i = 0; i < 10; i++)
		sw_buf_addf(&b, "%s{\"size\":%d}", i ? "," : "", 120000000 + i);
	sw_buf_addstr(&b, "]},\"os\":{\"id\":\"debian\",\"versionId\":\"12\"},\"packages\":[");
	for (size_t i = 0; i < npkg; i++)
		sw_buf_addf(&b, "%s{\"type\":\"%s\",\"name\":\"lib%c%zu\",\"version\":\"1.%zu-%zu\",\"path\":\"%s\","
			    "\"licenses\":[\"GPL-2.0-or-later\",\"LGPL-2.1\"]}",
			    i ? "," : "", i % 10 ? "deb" : "pypi", 'a' + (int)(i % 26), i, i % 7, i % 3,
			    i % 10 ? "var/lib/dpkg/status" : "usr/lib/python3/dist-packages/x/METADATA");
	sw_buf_addstr(&b, "],\"osEcosystem\":\"Debian:12\",\"osCovered\":true,\"vulnerabilities\":[");
	static const char *const sev[] = { "negligible", "low", "medium", "high", "critical", "unknown" };
	for (size_t i = 0; i < nfind; i++)
		sw_buf_addf(&b, "%s{\"id\":\"CVE-%zu-%zu\",\"aliases\":[],\"package\":{\"index\":%zu},\"status\":\"%s\","
			    "\"fixedVersion\":%s,\"severity\":\"%s\",\"severitySource\":\"%s\",\"cvss\":{\"score\":%.1f,"
			    "\"vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"},\"published\":\"2023-0%zu-01T00:00:00Z\","
			    "\"epss\":{\"score\":0.0%zu,\"percentile\":0.%zu},\"kev\":%s,\"suppressed\":null}",
			    i ? "," : "", 2018 + i % 6, 1000 + i, i % npkg, i % 3 ? "affected" : "fixed",
			    i % 3 ? "null" : "\"9.9\"", sev[i % 6], i % 2 ? "debian" : "nvd", (double)(i % 100) / 10.0,
			    1 + i % 9, i % 10, i % 100, i % 500 ? "null" : "{\"dateAdded\":\"2024-01-01\"}");
	sw_buf_addstr(&b, "],\"scanners\":[{\"name\":\"vuln\",\"ran\":true},{\"name\":\"config\",\"ran\":true}],"
			  "\"checks\":{\"results\":[{\"id\":\"SW-CFG-001\",\"cis\":\"4.1\",\"title\":\"t\",\"status\":\"fail\","
			  "\"severity\":\"high\"},{\"id\":\"SW-CFG-006\",\"cis\":\"4.6\",\"title\":\"t\",\"status\":\"fail\","
			  "\"severity\":\"low\"}]},\"imageConfig\":{\"config\":{\"User\":\"\",\"ExposedPorts\":{\"22/tcp\":{}}},"
			  "\"history\":[{\"created_by\":\"RUN /bin/sh -c apt-get update && curl -s x | sh # buildkit\"}]},"
			  "\"database\":{\"builtAt\":1735600000}}");
	return sw_buf_detach(&b, NULL);
}

int main(int argc, char **argv)
{
	int runs = 50, c;
	while ((c = getopt(argc, argv, "n:")) != -1)
		if (c == 'n')
			runs = atoi(optarg) > 0 ? atoi(optarg) : 50;
	struct sw_err err = SW_ERR_INIT;
	struct sw_policy_report *rep = NULL;
	if (optind < argc) {
		if (sw_policy_report_load(argv[optind], &rep, &err) < 0) {
			fprintf(stderr, "bench_policy: %s\n", err.msg);
			return 2;
		}
	} else {
		char *text = synthetic_report(2173, 12000);
		if (sw_policy_report_parse("synthetic", text, strlen(text), &rep, &err) < 0) {
			fprintf(stderr, "bench_policy: %s\n", err.msg);
			return 2;
		}
		free(text);
	}
	char *bt = bundle_text();
	struct sw_policy_bundle *b = NULL;
	if (sw_policy_bundle_load("bench", bt, strlen(bt), &b, &err) < 0) {
		fprintf(stderr, "bench_policy: %s\n", err.msg);
		return 2;
	}
	free(bt);
	struct sw_policy_input in;
	sw_policy_report_input(rep, &in);
	in.now = 1735689600;
	double *t = sw_xcalloc((size_t)runs, sizeof(double));
	size_t rows = 0;
	for (int i = 0; i < runs; i++) {
		struct sw_policy_result *r = NULL;
		double t0 = now_ms();
		if (sw_policy_eval(b, &in, &r, &err) < 0) {
			fprintf(stderr, "bench_policy: %s\n", err.msg);
			return 2;
		}
		t[i] = now_ms() - t0;
		rows = r->hits.len;
		sw_policy_result_free(r);
	}
	qsort(t, (size_t)runs, sizeof(double), cmp_d);
	printf("policy eval: %d runs, median %.2f ms, min %.2f ms, %zu rows (target <= 10 ms)\n", runs,
	       t[runs / 2], t[0], rows);
	free(t);
	sw_policy_bundle_free(b);
	sw_policy_report_free(rep);
	return 0;
}
