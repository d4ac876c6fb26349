/* cmd_containers.c - `stowaway containers`: the running containers of a
 * Docker daemon against the CIS Docker Benchmark 1.6.0 section 5, with
 * their images' vulnerability summaries (scan/containers.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/host.h"
#include "cmd/cmd.h"
#include "cmd/cmd_checks.h"
#include "report/report.h"
#include "scan/containers.h"
#include "util/termsafe.h"

/* exit code when some containers or images could not be checked */

static void help(FILE *out)
{
	fputs("usage: stowaway containers [options]\n"
	      "\n"
	      "Check every running container of a Docker daemon against the CIS Docker\n"
	      "Benchmark 1.6.0 section 5, from `GET /containers/{id}/json`: privileged (5.5),\n"
	      "added capabilities (5.4), sensitive host paths (5.6) and the Docker socket\n"
	      "(5.32) mounted, host network/PID/IPC/UTS/user namespaces (5.10, 5.16, 5.17,\n"
	      "5.21, 5.31), memory/CPU/PID limits (5.11, 5.12, 5.29), writable root file\n"
	      "system (5.13), no-new-privileges (5.26), seccomp/AppArmor unconfined (5.22,\n"
	      "5.2), privileged and all-interface host ports (5.8, 5.14), restart policy\n"
	      "(5.15), sshd (5.7), devices (5.18), shared mount propagation (5.20), the\n"
	      "default bridge (5.30).  Each distinct image is scanned once\n"
	      "(docker-daemon:ID) and its vulnerability summary shown beside the container.\n"
	      "\n"
	      "The daemon is $DOCKER_HOST (unix:// only), else /var/run/docker.sock.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --format FMT     table (default), json, sarif, junit, html, cyclonedx,\n"
	      "                       spdx-json\n"
	      "  -o, --output FILE    write to FILE (atomically) instead of standard output\n"
	      "      --fail-on SEV    exit 1 when a control failed at SEV or above\n"
	      "      --no-images      do not scan the containers' images\n"
	      "      --db PATH        vulnerability database for the image scans\n"
	      "      --show-passed    table: list passed controls too\n"
	      "  -q, --quiet          nothing on standard error but errors\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway containers\n"
	      "  DOCKER_HOST=unix:///run/user/1000/docker.sock stowaway containers -f json\n"
	      "  stowaway containers --no-images --fail-on high -f sarif -o containers.sarif\n"
	      "\n"
	      "Exit codes: 0 ok, 1 a control failed at --fail-on's severity or above,\n"
	      "2 error (daemon unreachable, container list unreadable), 3 partial: some\n"
	      "containers or images could not be checked (each named on stderr; the report\n"
	      "covers the rest; a --fail-on failure still exits 1), 64 usage.\n",
	      out);
}

static void before_table(FILE *fp, void *ctx)
{
	const struct sw_containers_result *r = ctx;
	fprintf(fp, "%-20s %-12s %-30s %6s  %s\n", "CONTAINER", "ID", "IMAGE", "FAILED", "IMAGE VULNERABILITIES (C/H/M/L)");
	for (size_t i = 0; i < r->rows.len; i++) {
		const struct sw_container_row *w = r->rows.items[i];
		char *n = sw_term_clean(w->name, 0, 20), *im = sw_term_clean(*w->image ? w->image : w->image_id, 0, 30);
		char vul[64];
		if (w->image_scanned)
			snprintf(vul, sizeof(vul), "%zu/%zu/%zu/%zu%s", w->vulns[SW_SEV_CRITICAL], w->vulns[SW_SEV_HIGH],
				 w->vulns[SW_SEV_MEDIUM], w->vulns[SW_SEV_LOW], w->image_complete ? "" : " (incomplete)");
		else
			snprintf(vul, sizeof(vul), "not scanned");
		fprintf(fp, "%-20s %-12.12s %-30s %6zu  %s\n", n, w->id, im, w->failed_checks, vul);
		free(n);
		free(im);
	}
	fputc('\n', fp);
}

int cmd_containers(int argc, char **argv)
{
	enum { OPT_FAIL_ON = 256, OPT_NO_IMAGES, OPT_DB, OPT_SHOW_PASSED };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "no-images", no_argument, NULL, OPT_NO_IMAGES },
		{ "db", required_argument, NULL, OPT_DB },
		{ "show-passed", no_argument, NULL, OPT_SHOW_PASSED },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_cmd_checks_out co = { .format = "table" };
	const char *fail_on = NULL;
	struct sw_scan_opts so = SW_SCAN_OPTS_INIT;
	struct sw_containers_opts o = { .scan = &so };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': co.format = optarg; break;
		case 'o': co.output = optarg; break;
		case OPT_FAIL_ON: fail_on = optarg; break;
		case OPT_NO_IMAGES: o.no_images = true; break;
		case OPT_DB: so.db_path = optarg; break;
		case OPT_SHOW_PASSED: co.show_passed = true; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("containers", "bad option");
		}
	}
	if (optind != argc)
		return sw_cmd_usage_error("containers", "no arguments expected");
	enum sw_severity_level level = SW_SEV_UNKNOWN;
	if (fail_on && sw_severity_parse(fail_on, &level) < 0)
		return sw_cmd_usage_error("containers", "--fail-on: unknown severity '%s'", fail_on);
	enum sw_report_format fmt;
	if (sw_report_format_parse(co.format, &fmt) < 0)
		return sw_cmd_usage_error("containers", "unknown format '%s'", co.format);
	so.no_default_ignorefile = true;
	struct sw_err err = SW_ERR_INIT;
	struct sw_containers_result *r = NULL;
	if (sw_containers_run(&o, &r, &err) < 0)
		return sw_cmd_fail(&err);
	for (size_t i = 0; i < r->failures.len; i++)
		sw_cmd_warn("%s", (const char *)r->failures.items[i]);
	co.transport = "docker-daemon";
	co.reference = "running containers";
	co.title = "Container checks (CIS Docker Benchmark 1.6.0 section 5)";
	int rc = sw_cmd_checks_write(&co, &r->checks, before_table, r);
	if (rc == 0 && fail_on && sw_check_list_failed(&r->checks, level)) {
		sw_cmd_msg("containers: %zu control(s) failed at %s or above", sw_check_list_failed(&r->checks, level),
			   fail_on);
		rc = SW_EXIT_FAIL;
	}
	if (rc == 0 && r->failures.len) {
		sw_cmd_msg("containers: partial result: %zu container(s) or image(s) not checked (see above)",
			   r->failures.len);
		rc = SW_EXIT_PARTIAL;
	}
	sw_containers_result_free(r);
	return rc;
}
