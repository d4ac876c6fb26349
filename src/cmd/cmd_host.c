/* cmd_host.c - `stowaway host-check [ROOT]`: the Docker host against the CIS
 * Docker Benchmark 1.6.0 sections 1-3, statically from files (checks/host.h,
 * docs/host-checks.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/host.h"
#include "cmd/cmd.h"
#include "cmd/cmd_checks.h"
#include "report/report.h"
#include "util/mem.h"
#include "util/outfile.h"

static void help(FILE *out)
{
	fputs("usage: stowaway host-check [options] [ROOT]\n"
	      "\n"
	      "Check a Docker host against the CIS Docker Benchmark 1.6.0, sections 1-3, as\n"
	      "Docker Bench does, but statically from files under ROOT (default /; a copy of\n"
	      "a host's tree works the same): nothing is executed and the daemon is not asked.\n"
	      "\n"
	      "  1.1.3-1.1.18  audit rules (etc/audit/rules.d/*.rules, etc/audit/audit.rules)\n"
	      "                watch dockerd, containerd, runc and Docker's files and directories\n"
	      "  2.1-2.18      the daemon's configuration: etc/docker/daemon.json (or the unit's\n"
	      "                --config-file) and the dockerd flags of docker.service's ExecStart\n"
	      "                (drop-ins in etc/systemd/system/docker.service.d included)\n"
	      "  3.1-3.24      ownership and modes of the units, etc/docker, registry and TLS\n"
	      "                certificates, daemon.json, the Docker and containerd sockets\n"
	      "\n"
	      "Each result carries its CIS control number, a status (pass, fail, info, manual)\n"
	      "and evidence: the file (relative to ROOT) and line it was decided from.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --format FMT     table (default), json, sarif, junit, html, cyclonedx,\n"
	      "                       spdx-json\n"
	      "  -o, --output FILE    write to FILE (atomically) instead of standard output\n"
	      "      --fail-on SEV    exit 1 when a control failed at SEV or above\n"
	      "                       (negligible, low, medium, high, critical)\n"
	      "      --show-passed    table: list passed controls too\n"
	      "  -q, --quiet          nothing on standard error but errors\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway host-check\n"
	      "  stowaway host-check --fail-on medium -f sarif -o host.sarif /\n"
	      "  stowaway host-check -f json /mnt/host-snapshot\n"
	      "  stowaway containers       (section 5: the running containers, from the daemon)\n"
	      "\n"
	      "Exit codes: 0 ok (no --fail-on, or no failed control at that severity),\n"
	      "1 a control failed at --fail-on's severity or above, 2 error (ROOT missing,\n"
	      "output not writable), 64 usage.\n",
	      out);
}

int cmd_host(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "show-passed", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_cmd_checks_out co = { .format = "table" };
	const char *fail_on = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': co.format = optarg; break;
		case 'o': co.output = optarg; break;
		case 'F': fail_on = optarg; break;
		case 'p': co.show_passed = true; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("host-check", "bad option");
		}
	}
	if (optind + 1 < argc)
		return sw_cmd_usage_error("host-check", "one ROOT only");
	const char *root = optind < argc ? argv[optind] : "/";
	enum sw_severity_level level = SW_SEV_UNKNOWN;
	if (fail_on && sw_severity_parse(fail_on, &level) < 0)
		return sw_cmd_usage_error("host-check", "--fail-on: unknown severity '%s'", fail_on);
	enum sw_report_format fmt;
	if (sw_report_format_parse(co.format, &fmt) < 0)
		return sw_cmd_usage_error("host-check", "unknown format '%s'", co.format);
	struct sw_err err = SW_ERR_INIT;
	struct sw_check_list cl = SW_CHECK_LIST_INIT;
	if (sw_host_checks_run(root, &cl, &err) < 0) {
		sw_check_list_release(&cl);
		return sw_cmd_fail(&err);
	}
	co.transport = "host";
	co.reference = root;
	co.title = "Host checks (CIS Docker Benchmark 1.6.0 sections 1-3)";
	int rc = sw_cmd_checks_write(&co, &cl, NULL, &err);
	if (rc == 0 && fail_on && sw_check_list_failed(&cl, level)) {
		sw_cmd_msg("host-check: %zu control(s) failed at %s or above", sw_check_list_failed(&cl, level),
			   fail_on);
		rc = SW_EXIT_FAIL;
	}
	sw_check_list_release(&cl);
	return rc;
}
