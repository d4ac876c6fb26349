/* cmd_scan.c - `stowaway scan IMAGE`: inventory + match + report. */
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "inventory/inventory.h"
#include "inventory/sbom_read.h"
#include "match/filter.h"
#include "match/match.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/outfile.h"
#include "vulndb/vulndb.h"

static void help(FILE *out)
{
	fputs("usage: stowaway scan [options] IMAGE\n"
	      "       stowaway scan [options] --sbom FILE\n"
	      "\n"
	      "Find known vulnerabilities in a container image: read it (statically, once),\n"
	      "list its packages, and match them against the vulnerability database built\n"
	      "by 'stowaway db update'.  OS packages are matched with their distribution's\n"
	      "data (its fix status respected), language packages with OSV data.  Each\n"
	      "problem is reported once, with every alias (CVE, GHSA, DSA...) folded in.\n"
	      "\n"
	      "IMAGE is docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG], dir:ROOTFS or\n"
	      "a bare path.  --sbom re-matches a CycloneDX, SPDX or stowaway JSON SBOM.\n"
	      "\n"
	      "Output:\n"
	      "  -f, --format FMT        table (default), json, sarif, cyclonedx, spdx-json,\n"
	      "                          html, junit\n"
	      "  -o, --output FILE       write to FILE (atomically) instead of standard output\n"
	      "      --show-suppressed   list suppressed findings too (table, sarif, html, junit;\n"
	      "                          json/cyclonedx/spdx always keep them, with the reason)\n"
	      "Filters (a filtered finding is suppressed, with the reason, never lost):\n"
	      "      --severity LIST     keep only these: unknown,negligible,low,medium,high,critical\n"
	      "      --ignore-unfixed    suppress findings that have no fixed version yet\n"
	      "      --ignore-status L   suppress these statuses: affected, will_not_fix,\n"
	      "                          fix_deferred, end_of_life, under_investigation\n"
	      "      --ignorefile FILE   ids to ignore (default ./.stowawayignore if present):\n"
	      "                          'ID [exp:YYYY-MM-DD] [pkg:NAME|PURL] [path:GLOB]'\n"
	      "      --vex FILE          OpenVEX or CycloneDX VEX; not_affected/fixed suppress\n"
	      "                          (repeatable)\n"
	      "Gates:\n"
	      "      --fail-on SEV       exit 1 when an unsuppressed finding is at SEV or above\n"
	      "      --max-db-age DUR    fail (exit 2) when the database is older (e.g. 7d, 48h);\n"
	      "                          without it an old database (> 7d) only warns\n"
	      "Matching:\n"
	      "      --kernel-headers    match kernel header packages (linux-libc-dev...) too\n"
	      "      --db PATH           vulnerability database (default $STOWAWAY_DB or\n"
	      "                          $XDG_CACHE_HOME/stowaway/vulndb.sqlite)\n"
	      "      --platform P        os/arch[/variant] of a multi-platform image\n"
	      "Registry (registry:HOST[:PORT]/REPO[:TAG|@DIGEST], or a bare reference):\n"
	      "      --username U        registry user (else STOWAWAY_REGISTRY_USERNAME/PASSWORD,\n"
	      "                          then ~/.docker/config.json auths and credential helpers)\n"
	      "      --password-stdin    read the registry password from standard input\n"
	      "      --insecure          https without certificate verification\n"
	      "      --plain-http        http instead of https (local registries)\n"
	      "      --no-cache          neither read nor write the image and layer caches\n"
	      "                          ($STOWAWAY_CACHE_DIR, else $XDG_CACHE_HOME/stowaway).\n"
	      "                          On a cache hit no layer byte is read: only the manifest,\n"
	      "                          the config (by digest) and its diff_ids, which key the\n"
	      "                          cached results, are verified. A runtime refuses layers\n"
	      "                          whose content does not match the diff_ids; --no-cache\n"
	      "                          reads and verifies every layer (the full check)\n"
	      "  -q, --quiet             no progress on standard error\n"
	      "  -h, --help              this help\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway scan docker-archive:app.tar\n"
	      "  stowaway scan --fail-on high --ignore-unfixed oci:./layout:latest\n"
	      "  stowaway scan -f sarif -o results.sarif --vex app.openvex.json app.tar\n"
	      "  stowaway scan --sbom sbom.cdx.json -f json\n"
	      "  stowaway scan registry:reg.example.test/org/app:1.2   (or just: alpine:3.19)\n"
	      "\n"
	      "Exit codes: 0 ok (no gate failed), 1 --fail-on matched, 2 error (bad image,\n"
	      "no or too old database, i/o), 64 usage.\n",
	      out);
}

enum { OPT_SBOM = 256, OPT_SHOW_SUPP, OPT_SEVERITY, OPT_UNFIXED, OPT_IGN_STATUS, OPT_IGNOREFILE,
       OPT_VEX, OPT_FAIL_ON, OPT_MAX_AGE, OPT_KERNEL, OPT_DB, OPT_PLATFORM,
       OPT_USERNAME, OPT_PW_STDIN, OPT_INSECURE, OPT_PLAIN_HTTP, OPT_NO_CACHE };

static int load_inventory(const char *image, const char *sbom, const struct sw_image_opts *io,
			  bool no_cache, struct sw_inventory **inv, struct sw_err *err)
{
	if (sbom) {
		/* a regular file is mapped (its page-cache pages, not a copy:
		 * fewer page faults); anything else is read */
		const size_t max = 512u << 20;
		int fd = open(sbom, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    (uint64_t)st.st_size <= max) {
			size_t len = (size_t)st.st_size;
			void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
			close(fd);
			if (map != MAP_FAILED) {
				int r = sw_inventory_from_sbom(sbom, map, len, inv, err);
				munmap(map, len);
				return r;
			}
		} else if (fd >= 0) {
			close(fd);
		}
		struct sw_buf b = SW_BUF_INIT;
		int r = sw_buf_read_file(&b, sbom, max, err);
		if (r == 0)
			r = sw_inventory_from_sbom(sbom, b.data, b.len, inv, err);
		sw_buf_release(&b);
		return r;
	}
	struct sw_image *img = NULL;
	if (sw_image_open(image, io, &img, err) < 0)
		return -1;
	/* $STOWAWAY_NO_CACHE: as --no-cache (the test suite sets it) */
	const char *nc = getenv("STOWAWAY_NO_CACHE");
	struct sw_inventory_opts opts = { .no_cache = no_cache || (nc && *nc && strcmp(nc, "0")) };
	if (sw_cmd_progress_enabled())
		opts.progress = sw_cmd_layer_progress;
	int r = sw_inventory_build(img, &opts, inv, err);
	if (r == 0)
		sw_cmd_debug_cache(*inv);
	sw_image_close(img);
	return r;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "sbom", required_argument, NULL, OPT_SBOM },
		{ "show-suppressed", no_argument, NULL, OPT_SHOW_SUPP },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "ignore-unfixed", no_argument, NULL, OPT_UNFIXED },
		{ "ignore-status", required_argument, NULL, OPT_IGN_STATUS },
		{ "ignorefile", required_argument, NULL, OPT_IGNOREFILE },
		{ "vex", required_argument, NULL, OPT_VEX },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "max-db-age", required_argument, NULL, OPT_MAX_AGE },
		{ "kernel-headers", no_argument, NULL, OPT_KERNEL },
		{ "db", required_argument, NULL, OPT_DB },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "username", required_argument, NULL, OPT_USERNAME },
		{ "password-stdin", no_argument, NULL, OPT_PW_STDIN },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table", *output = NULL, *sbom = NULL, *ignorefile = NULL;
	const char *db_path = NULL, *platform = NULL, *max_age_s = NULL, *fail_on_s = NULL;
	const char *username = NULL;
	bool pw_stdin = false, insecure = false, plain_http = false;
	struct sw_vec vex = SW_VEC_INIT;
	struct sw_filter filter;
	struct sw_match_opts mopts = { 0 };
	bool show_suppressed = false, no_cache = false;
	struct sw_err err = SW_ERR_INIT;
	sw_cmd_phase("start");
#ifdef __GLIBC__
	/* A scan builds and frees a few MB of small objects per phase (the
	 * SBOM tree, the hits, the report document).  Keep freed memory for
	 * the next phase instead of unmapping it and faulting it in again
	 * (a page fault costs ~20 us on the virtual machines measured). */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	sw_heap_prefer_huge_pages(32u << 20);
#endif
	sw_filter_init(&filter, sw_cmd_now());
	int rc = SW_EXIT_USAGE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case OPT_SBOM: sbom = optarg; break;
		case OPT_SHOW_SUPP: show_suppressed = true; break;
		case OPT_SEVERITY:
			if (sw_filter_parse_severities(optarg, &filter.severity_mask, &err) < 0) {
				rc = sw_cmd_usage_error("scan", "--severity: %s", err.msg);
				goto out;
			}
			break;
		case OPT_UNFIXED: filter.ignore_unfixed = true; break;
		case OPT_IGN_STATUS:
			if (sw_filter_parse_statuses(optarg, &filter.status_mask, &err) < 0) {
				rc = sw_cmd_usage_error("scan", "--ignore-status: %s", err.msg);
				goto out;
			}
			break;
		case OPT_IGNOREFILE: ignorefile = optarg; break;
		case OPT_VEX: sw_vec_push(&vex, optarg); break;
		case OPT_FAIL_ON: fail_on_s = optarg; break;
		case OPT_MAX_AGE: max_age_s = optarg; break;
		case OPT_KERNEL: mopts.kernel_headers = true; break;
		case OPT_DB: db_path = optarg; break;
		case OPT_PLATFORM: platform = optarg; break;
		case OPT_USERNAME: username = optarg; break;
		case OPT_PW_STDIN: pw_stdin = true; break;
		case OPT_INSECURE: insecure = true; break;
		case OPT_PLAIN_HTTP: plain_http = true; break;
		case OPT_NO_CACHE: no_cache = true; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); rc = SW_EXIT_OK; goto out;
		default: rc = sw_cmd_usage_error("scan", "bad option"); goto out;
		}
	}
	if (sbom ? optind != argc : optind + 1 != argc) {
		rc = sw_cmd_usage_error("scan", sbom ? "give IMAGE or --sbom, not both"
						: optind == argc ? "IMAGE is missing" : "one IMAGE only");
		goto out;
	}
	enum sw_report_format fmt;
	if (sw_report_format_parse(format, &fmt) < 0) {
		rc = sw_cmd_usage_error("scan", "unknown format '%s'", format);
		goto out;
	}
	enum sw_severity_level fail_on = SW_SEV_UNKNOWN;
	if (fail_on_s && sw_severity_parse(fail_on_s, &fail_on) < 0) {
		rc = sw_cmd_usage_error("scan", "--fail-on: unknown severity '%s'", fail_on_s);
		goto out;
	}
	int64_t max_age = 0;
	if (max_age_s && sw_vulndb_parse_duration(max_age_s, &max_age, &err) < 0) {
		rc = sw_cmd_usage_error("scan", "--max-db-age: %s", err.msg);
		goto out;
	}
	if (pw_stdin && !username) {
		rc = sw_cmd_usage_error("scan", "--password-stdin needs --username");
		goto out;
	}

	/* everything the user named must load before any work is done */
	rc = SW_EXIT_ERROR;
	if (!ignorefile && access(".stowawayignore", R_OK) == 0)
		ignorefile = ".stowawayignore";
	if (ignorefile && sw_filter_load_ignore_file(&filter, ignorefile, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < vex.len; i++)
		if (sw_filter_load_vex(&filter, vex.items[i], &err) < 0) {
			rc = sw_cmd_fail(&err);
			goto out;
		}

	struct sw_vulndb *db = NULL;
	struct sw_inventory *inv = NULL;
	struct sw_match_result *res = NULL;
	struct sw_outfile of = { 0 };
	if (sw_vulndb_open(db_path, SW_VULNDB_RDONLY, &db, &err) < 0) {
		if (err.code == SW_E_NOTFOUND)
			sw_err_set(&err, SW_E_NOTFOUND, "no vulnerability database at '%s': run 'stowaway db update' first",
				   db_path ? db_path : sw_vulndb_default_path());
		goto fail;
	}
	bool stale = false;
	if (sw_vulndb_check_age(db, max_age ? max_age : 7 * 86400, &stale, &err) < 0)
		goto fail;
	if (stale && max_age) {
		sw_err_set(&err, SW_E_DB, "database '%s' is older than --max-db-age %s: run 'stowaway db update'",
			   sw_vulndb_path(db), max_age_s);
		goto fail;
	}
	if (stale)
		fprintf(stderr, "stowaway: warning: the vulnerability database is more than 7 days old; "
				"run 'stowaway db update' (or set --max-db-age to fail on it)\n");
	sw_cmd_phase("open");
	char *password = pw_stdin ? sw_cmd_read_password_stdin() : NULL;
	struct sw_image_opts io = { .platform = platform, .username = username,
				    .password = password, .insecure = insecure,
				    .plain_http = plain_http };
	int lrc = load_inventory(sbom ? NULL : argv[optind], sbom, &io, no_cache, &inv, &err);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	if (lrc < 0)
		goto fail;
	sw_cmd_phase("inventory");
	if (sw_match_inventory(db, inv, &mopts, &res, &err) < 0)
		goto fail;
	sw_cmd_phase("match");
	sw_filter_apply(&filter, inv, res);
	sw_cmd_phase("filters");
	for (size_t i = 0; i < res->notes.len; i++)
		if (!sw_cmd_quiet())
			fprintf(stderr, "stowaway: note: %s\n", (const char *)res->notes.items[i]);
	if (sw_outfile_open(&of, output, &err) < 0)
		goto fail;
	struct sw_report_opts ro = {
		.color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.now = sw_cmd_now(),
		.tool_version = SW_VERSION_STRING,
		.show_suppressed = show_suppressed,
	};
	if (sw_report_scan(of.fp, fmt, inv, res, &ro, &err) < 0) {
		sw_outfile_abort(&of);
		goto fail;
	}
	if (sw_outfile_commit(&of, &err) < 0)
		goto fail;
	sw_cmd_phase("report");
	rc = SW_EXIT_OK;
	if (fail_on_s)
		for (size_t i = 0; i < res->findings.len; i++) {
			const struct sw_finding *f = res->findings.items[i];
			if (!f->suppressed && f->severity >= fail_on) {
				rc = SW_EXIT_FAIL;
				break;
			}
		}
	goto done;
fail:
	rc = sw_cmd_fail(&err);
done:
	sw_match_result_free(res);
	sw_inventory_free(inv);
	sw_vulndb_close(db);
	sw_cmd_phase("close");
out:
	sw_filter_release(&filter);
	sw_vec_release(&vex);
	return rc;
}
