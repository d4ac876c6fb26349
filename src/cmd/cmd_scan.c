/* cmd_scan.c - `stowaway scan IMAGE`: options -> sw_scan_run() (scan/scan.h),
 * then the report, the notes and warnings on stderr, and the exit code. */
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "cmd/cmd.h"
#include "match/filter.h"
#include "report/report.h"
#include "scan/scan.h"
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
	      "The image checks (--scanners config, on by default) say how the image was\n"
	      "built: CIS Docker Benchmark section 4 from its config, history and files.\n"
	      "The secret scanner (on by default) looks through every file of every layer,\n"
	      "deleted ones included, and the config; values are always masked.\n"
	      "\n"
	      "IMAGE is docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG], dir:ROOTFS or\n"
	      "a bare path.  --sbom re-matches a CycloneDX, SPDX or stowaway JSON SBOM.\n"
	      "docker-daemon:NAME|ID streams the image from the Docker daemon's Unix socket\n"
	      "($DOCKER_HOST=unix://PATH, else /var/run/docker.sock) through the same pass.\n"
	      "\n"
	      "Scanners:\n"
	      "      --scanners LIST     what to look for, comma separated (default vuln,config,secret):\n"
	      "                          vuln (known vulnerabilities), config (image checks: CIS\n"
	      "                          Docker Benchmark 4.x from the config, history and files,\n"
	      "                          docs/checks.md), secret (docs/secrets.md), malware\n"
	      "                          (ClamAV signatures over every file of every layer,\n"
	      "                          docs/malware.md); one asked for by name that cannot\n"
	      "                          run is reported as not checked (never clean)\n"
	      "      --clamav-db DIR     malware: the ClamAV database folder (default\n"
	      "                          $STOWAWAY_CLAMAV_DB, else /var/lib/clamav)\n"
	      "      --secret-config FILE  secret: rules to add, allow or disable (YAML,\n"
	      "                          docs/secrets.md)\n"
	      "      --secret-max-size N secret: skip files larger than N bytes (K, M, G\n"
	      "                          suffixes; default: every file, streamed)\n"
	      "      --show-passed       table: list passed image checks too\n"
	      "      --max-image-age D   config: report images created more than D days ago\n"
	      "                          (SW-CFG-102, default 365)\n"
	      "Output:\n"
	      "  -f, --format FMT        table (default), json, sarif, cyclonedx, spdx-json,\n"
	      "                          html, junit\n"
	      "  -o, --output FILE       write to FILE (atomically) instead of standard output\n"
	      "      --show-suppressed   list suppressed findings too (table, sarif, html, junit;\n"
	      "                          json/cyclonedx/spdx always keep them, with the reason)\n"
	      "      --show-notices      list notices too, in every format: RustSec informational\n"
	      "                          advisories (unmaintained, unsound, notice) and withdrawn\n"
	      "                          advisories that apply to a package; never counted as\n"
	      "                          vulnerabilities, never failing a gate\n"
	      "Filters (a filtered finding is suppressed, with the reason, never lost):\n"
	      "      --severity LIST     keep only these: unknown,negligible,low,medium,high,critical\n"
	      "      --ignore-unfixed    suppress findings that have no fixed version yet\n"
	      "      --ignore-status L   suppress these statuses: affected, will_not_fix,\n"
	      "                          fix_deferred, end_of_life, under_investigation;\n"
	      "                          of image checks: fail, info, manual, pass\n"
	      "      --ignorefile FILE   ids to ignore (default ./.stowawayignore if present):\n"
	      "                          'ID [exp:YYYY-MM-DD] [pkg:NAME|PURL] [path:GLOB]'\n"
	      "      --vex FILE          OpenVEX or CycloneDX VEX; not_affected/fixed suppress\n"
	      "                          (repeatable)\n"
	      "Gates:\n"
	      "      --fail-on SEV       exit 1 when an unsuppressed finding is at SEV or above;\n"
	      "                          exit 2 when the result is incomplete (a package\n"
	      "                          database that could not be read, an OS release the\n"
	      "                          database has no data for)\n"
	      "      --allow-incomplete  with --fail-on: judge an incomplete result by its\n"
	      "                          findings alone (it is still marked incomplete;\n"
	      "                          without --fail-on it changes nothing)\n"
	      "      --max-db-age DUR    fail (exit 2) when the database is older (e.g. 7d, 48h);\n"
	      "                          without it an old database (> 7d) only warns\n"
	      "      --policy BUNDLE     evaluate an Anchore-compatible policy bundle (JSON or\n"
	      "                          YAML; 'default' = the built-in one, 'stowaway policy\n"
	      "                          show-default'): exit 1 when its final action is STOP,\n"
	      "                          0 on GO or WARN; the result is in every format\n"
	      "                          (docs/policy.md)\n"
	      "      --policy-tag TAG    the REPO:TAG the bundle's mappings see (default: the\n"
	      "                          image's own tag)\n"
	      "Matching:\n"
	      "      --kernel-headers    match kernel header packages (linux-libc-dev...) too\n"
	      "      --db PATH           vulnerability database (default $STOWAWAY_DB or\n"
	      "                          $XDG_CACHE_HOME/stowaway/vulndb.sqlite)\n"
	      "      --platform P        os/arch[/variant] of a multi-platform image\n"
	      "      --storage-root DIR  containers-storage:NAME and podman-container:ID read the\n"
	      "                          Podman/CRI-O storage in DIR (default $STOWAWAY_STORAGE_ROOT,\n"
	      "                          else /var/lib/containers/storage; docs/image-reading.md)\n"
	      "      --db-pull REF       before the scan, pull the database pushed by 'db push'\n"
	      "                          to REF (HOST/REPO:TAG) when the local one is missing or\n"
	      "                          older than --db-pull-age; verified and installed\n"
	      "                          atomically (the registry options below apply); a failed\n"
	      "                          pull keeps the local database (a warning), or without\n"
	      "                          one fails (exit 2)\n"
	      "      --db-pull-age DUR   pull when the local database is older than DUR (built\n"
	      "                          time; default 24h; e.g. 6h, 2d)\n"
	      "Client mode (docs/api.md \"Client mode\"; no database needed here):\n"
	      "      --server URL        read the image here and send only its inventory to\n"
	      "                          a 'stowaway serve' at URL (http:// or https://), which\n"
	      "                          matches it with its database and stores it with the\n"
	      "                          report; the layers never leave this machine.  The\n"
	      "                          image checks, secrets, filters, --policy and --fail-on\n"
	      "                          run here, as without --server\n"
	      "      --token TOKEN       the server's API token (scope scan; default\n"
	      "                          $STOWAWAY_TOKEN; never printed)\n"
	      "      --cacert FILE       https: trust the CAs in FILE (PEM) instead of the\n"
	      "                          system store\n"
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
	      "  stowaway scan --policy anchore_bundle.json app.tar   (exit 1 on STOP)\n"
	      "  stowaway scan registry:reg.example.test/org/app:1.2   (or just: alpine:3.19)\n"
	      "  STOWAWAY_TOKEN=sw_... stowaway scan --server https://scanner.example.test:8443 \\\n"
	      "      --fail-on high docker-archive:app.tar   (CI without a database)\n"
	      "\n"
	      "Exit codes: 0 ok (no gate failed), 1 --fail-on matched or the policy said\n"
	      "STOP, 2 error (bad image, bad policy bundle,\n"
	      "no or too old database, i/o; an incomplete result under --fail-on without\n"
	      "--allow-incomplete), 64 usage.\n",
	      out);
}

enum { OPT_SBOM = 256, OPT_SHOW_SUPP, OPT_SEVERITY, OPT_UNFIXED, OPT_IGN_STATUS, OPT_IGNOREFILE,
       OPT_VEX, OPT_FAIL_ON, OPT_MAX_AGE, OPT_KERNEL, OPT_DB, OPT_PLATFORM,
       OPT_USERNAME, OPT_PW_STDIN, OPT_INSECURE, OPT_PLAIN_HTTP, OPT_NO_CACHE,
       OPT_ALLOW_INCOMPLETE, OPT_SCANNERS, OPT_SHOW_PASSED, OPT_MAX_IMAGE_AGE,
       OPT_CLAMAV_DB, OPT_POLICY, OPT_POLICY_TAG, OPT_SECRET_CONFIG, OPT_SECRET_MAX_SIZE,
       OPT_SERVER, OPT_TOKEN, OPT_CACERT,
       OPT_STORAGE_ROOT, OPT_SHOW_NOTICES, OPT_DB_PULL, OPT_DB_PULL_AGE };

static void phase_cb(void *ctx, const char *name)
{
	(void)ctx;
	sw_cmd_phase(name);
}

/* What the scan has to say besides the report, on stderr: notes (unless
 * --quiet), warnings, and why the result is incomplete (always). */
static void print_notes(const struct sw_scan_result *r)
{
	for (size_t i = 0; !sw_cmd_quiet() && r->match && i < r->match->notes.len; i++)
		sw_cmd_note("%s", (const char *)r->match->notes.items[i]);
	for (size_t i = 0; i < r->warnings.len; i++)
		sw_cmd_warn("%s", (const char *)r->warnings.items[i]);
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++)
		if (r->scanners_state[i].requested && !r->scanners_state[i].ran && r->scanners_state[i].why_not)
			sw_cmd_warn("scanner %s %s", r->scanners_state[i].name, r->scanners_state[i].why_not);
	for (size_t i = 0; i < r->incomplete.len; i++)
		sw_cmd_warn("incomplete result: %s", (const char *)r->incomplete.items[i]);
}

/* --db-pull REF: pull the database when the local one is missing or
 * older than age (built_at); a failed pull with a local database to fall
 * back on is a warning, without one an error. */
static int maybe_pull_db(const char *ref, int64_t age, const struct sw_scan_opts *so, struct sw_err *err)
{
	const char *path = so->db_path ? so->db_path : sw_vulndb_default_path();
	int64_t built = 0;
	struct sw_vulndb *db = NULL;
	struct sw_err oerr = SW_ERR_INIT;
	bool have = sw_vulndb_open(path, SW_VULNDB_RDONLY, &db, &oerr) == 0;
	if (have)
		built = sw_vulndb_built_at(db);
	sw_vulndb_close(db);
	sw_err_clear(&oerr);
	if (have && built > 0 && sw_vulndb_now() - built <= age)
		return 0;
	char *digest = NULL;
	struct sw_err perr = SW_ERR_INIT;
	if (sw_cmd_db_pull(ref, so->db_path, &so->image_opts, &digest, &perr) < 0) {
		if (!have) {
			sw_err_set(err, perr.code, "--db-pull: %s", perr.msg);
			sw_err_clear(&perr);
			return -1;
		}
		sw_cmd_warn("--db-pull: %s; scanning with the local database", perr.msg);
		sw_err_clear(&perr);
		return 0;
	}
	if (!sw_cmd_quiet())
		sw_cmd_note("pulled the database from '%s' (%s)", ref, digest);
	free(digest);
	return 0;
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
		{ "allow-incomplete", no_argument, NULL, OPT_ALLOW_INCOMPLETE },
		{ "max-db-age", required_argument, NULL, OPT_MAX_AGE },
		{ "kernel-headers", no_argument, NULL, OPT_KERNEL },
		{ "db", required_argument, NULL, OPT_DB },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "storage-root", required_argument, NULL, OPT_STORAGE_ROOT },
		{ "username", required_argument, NULL, OPT_USERNAME },
		{ "password-stdin", no_argument, NULL, OPT_PW_STDIN },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "scanners", required_argument, NULL, OPT_SCANNERS },
		{ "show-passed", no_argument, NULL, OPT_SHOW_PASSED },
		{ "show-notices", no_argument, NULL, OPT_SHOW_NOTICES },
		{ "db-pull", required_argument, NULL, OPT_DB_PULL },
		{ "db-pull-age", required_argument, NULL, OPT_DB_PULL_AGE },
		{ "max-image-age", required_argument, NULL, OPT_MAX_IMAGE_AGE },
		{ "clamav-db", required_argument, NULL, OPT_CLAMAV_DB },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "policy-tag", required_argument, NULL, OPT_POLICY_TAG },
		{ "secret-config", required_argument, NULL, OPT_SECRET_CONFIG },
		{ "secret-max-size", required_argument, NULL, OPT_SECRET_MAX_SIZE },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table", *output = NULL, *fail_on_s = NULL;
	const char *db_pull = NULL, *db_pull_age_s = NULL;
	bool pw_stdin = false, show_suppressed = false, show_passed = false, show_notices = false;
	struct sw_vec vex = SW_VEC_INIT;
	struct sw_scan_opts so = SW_SCAN_OPTS_INIT;
	struct sw_scan_result *res = NULL;
	struct sw_err err = SW_ERR_INIT;
	char *password = NULL;
	struct sw_client_opts client = { 0 };
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
	so.now = sw_cmd_now();
	int rc = SW_EXIT_USAGE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case OPT_SBOM: so.sbom = optarg; break;
		case OPT_SHOW_SUPP: show_suppressed = true; break;
		case OPT_SEVERITY:
			if (sw_filter_parse_severities(optarg, &so.severity_mask, &err) < 0) {
				rc = sw_cmd_usage_error("scan", "--severity: %s", err.msg);
				goto out;
			}
			break;
		case OPT_UNFIXED: so.ignore_unfixed = true; break;
		case OPT_IGN_STATUS:
			if (sw_scan_parse_ignore_status(optarg, &so.status_mask, &so.check_status_mask, &err) < 0) {
				rc = sw_cmd_usage_error("scan", "--ignore-status: %s", err.msg);
				goto out;
			}
			break;
		case OPT_IGNOREFILE: so.ignorefile = optarg; break;
		case OPT_VEX: sw_vec_push(&vex, optarg); break;
		case OPT_FAIL_ON: fail_on_s = optarg; break;
		case OPT_ALLOW_INCOMPLETE: so.allow_incomplete = true; break;
		case OPT_MAX_AGE: so.max_db_age_text = optarg; break;
		case OPT_KERNEL: so.match.kernel_headers = true; break;
		case OPT_DB: so.db_path = optarg; break;
		case OPT_PLATFORM: so.image_opts.platform = optarg; break;
		case OPT_STORAGE_ROOT: so.image_opts.storage_root = optarg; break;
		case OPT_USERNAME: so.image_opts.username = optarg; break;
		case OPT_PW_STDIN: pw_stdin = true; break;
		case OPT_INSECURE: so.image_opts.insecure = true; break;
		case OPT_PLAIN_HTTP: so.image_opts.plain_http = true; break;
		case OPT_NO_CACHE: so.no_cache = true; break;
		case OPT_SCANNERS:
			if (sw_scan_parse_scanners(optarg, &so.scanners, &err) < 0) {
				rc = sw_cmd_usage_error("scan", "--scanners: %s", err.msg);
				goto out;
			}
			break;
		case OPT_SHOW_PASSED: show_passed = true; break;
		case OPT_SHOW_NOTICES: show_notices = true; break;
		case OPT_DB_PULL: db_pull = optarg; break;
		case OPT_DB_PULL_AGE: db_pull_age_s = optarg; break;
		case OPT_CLAMAV_DB: so.clamav_db = optarg; break;
		case OPT_POLICY: so.policy_path = optarg; break;
		case OPT_POLICY_TAG: so.policy_tag = optarg; break;
		case OPT_SECRET_CONFIG: so.secret_config = optarg; break;
		case OPT_SECRET_MAX_SIZE: {
			char *end = NULL;
			unsigned long long n = strtoull(optarg, &end, 10);
			unsigned long long mul = 1;
			if (end && (*end == 'K' || *end == 'k'))
				mul = 1ULL << 10, end++;
			else if (end && (*end == 'M' || *end == 'm'))
				mul = 1ULL << 20, end++;
			else if (end && (*end == 'G' || *end == 'g'))
				mul = 1ULL << 30, end++;
			if (end == optarg || *optarg == '-' || *end || n == 0 || n > (1ULL << 50) / mul) {
				rc = sw_cmd_usage_error("scan", "--secret-max-size: '%s' is not a size (bytes, or N K/M/G)",
							optarg);
				goto out;
			}
			so.secret_max_size = (uint64_t)(n * mul);
			break;
		}
		case OPT_MAX_IMAGE_AGE: {
			char *end = NULL;
			long d = strtol(optarg, &end, 10);
			if (end == optarg || *end || d <= 0 || d > 100000) {
				rc = sw_cmd_usage_error("scan", "--max-image-age: '%s' is not a number of days", optarg);
				goto out;
			}
			so.max_image_age_days = (int)d;
			break;
		}
		case OPT_SERVER: client.url = optarg; break;
		case OPT_TOKEN: client.token = optarg; break;
		case OPT_CACERT: client.cacert = optarg; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); rc = SW_EXIT_OK; goto out;
		default: rc = sw_cmd_usage_error("scan", "bad option"); goto out;
		}
	}
	if (so.sbom ? optind != argc : optind + 1 != argc) {
		rc = sw_cmd_usage_error("scan", so.sbom ? "give IMAGE or --sbom, not both"
						   : optind == argc ? "IMAGE is missing" : "one IMAGE only");
		goto out;
	}
	if (!so.sbom)
		so.image = argv[optind];
	enum sw_report_format fmt;
	if (sw_report_format_parse(format, &fmt) < 0) {
		rc = sw_cmd_usage_error("scan", "unknown format '%s'", format);
		goto out;
	}
	if (fail_on_s && sw_severity_parse(fail_on_s, &so.fail_on) < 0) {
		rc = sw_cmd_usage_error("scan", "--fail-on: unknown severity '%s'", fail_on_s);
		goto out;
	}
	so.gate = fail_on_s != NULL;
	if (so.max_db_age_text && sw_vulndb_parse_duration(so.max_db_age_text, &so.max_db_age, &err) < 0) {
		rc = sw_cmd_usage_error("scan", "--max-db-age: %s", err.msg);
		goto out;
	}
	int64_t db_pull_age = 24 * 3600;
	if (db_pull_age_s && !db_pull) {
		rc = sw_cmd_usage_error("scan", "--db-pull-age goes with --db-pull");
		goto out;
	}
	if (db_pull_age_s && sw_vulndb_parse_duration(db_pull_age_s, &db_pull_age, &err) < 0) {
		rc = sw_cmd_usage_error("scan", "--db-pull-age: %s", err.msg);
		goto out;
	}
	if (pw_stdin && !so.image_opts.username) {
		rc = sw_cmd_usage_error("scan", "--password-stdin needs --username");
		goto out;
	}
	if ((client.token || client.cacert) && !client.url) {
		rc = sw_cmd_usage_error("scan", "--token and --cacert go with --server");
		goto out;
	}
	if (client.url) {
		if (so.sbom) {
			rc = sw_cmd_usage_error("scan", "--server takes an IMAGE, not --sbom");
			goto out;
		}
		if (strncmp(client.url, "http://", 7) != 0 && strncmp(client.url, "https://", 8) != 0) {
			rc = sw_cmd_usage_error("scan", "--server '%s': want an http:// or https:// URL", client.url);
			goto out;
		}
		if (!client.token)
			client.token = getenv("STOWAWAY_TOKEN");
		client.match = so.match;
		so.remote_match = sw_client_remote_match;
		so.remote_ctx = &client;
	}
	so.vex = (const char *const *)vex.items;
	so.nvex = vex.len;
	if (sw_cmd_progress_enabled())
		so.progress = sw_cmd_layer_progress;
	so.phase = phase_cb;

	if (pw_stdin)
		so.image_opts.password = password = sw_cmd_read_password_stdin();
	if (db_pull && !client.url && maybe_pull_db(db_pull, db_pull_age, &so, &err) < 0) {
		if (password) {
			memset(password, 0, strlen(password));
			free(password);
		}
		rc = sw_cmd_fail(&err);
		goto out;
	}
	int r = sw_scan_run(&so, &res, &err);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	if (r < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (res->inventory && !so.sbom)
		sw_cmd_debug_cache(res->inventory);
	print_notes(res);
	struct sw_outfile of = { 0 };
	if (sw_outfile_open(&of, output, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	struct sw_report_scanner scanners[SW_SCAN_NSCANNERS];
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++)
		scanners[i] = (struct sw_report_scanner){ res->scanners_state[i].name, res->scanners_state[i].requested,
							  res->scanners_state[i].ran, res->scanners_state[i].why_not };
	struct sw_report_opts ro = {
		.color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.now = sw_cmd_now(),
		.tool_version = SW_VERSION_STRING,
		.show_suppressed = show_suppressed,
		.checks = (res->scanners & SW_SCAN_CONFIG) ? &res->checks : NULL,
		.scanners = scanners,
		.nscanners = SW_SCAN_NSCANNERS,
		.show_passed = show_passed,
		.policy = res->policy,
		.image_config = res->config_json,
		.db_built_at = res->db_built_at,
		.show_notices = show_notices,
	};
	if (sw_report_scan(of.fp, fmt, res->inventory, res->match, &ro, &err) < 0) {
		sw_outfile_abort(&of);
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (sw_outfile_commit(&of, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	sw_cmd_phase("report");
	switch (res->verdict) {
	case SW_SCAN_PASS: rc = SW_EXIT_OK; break;
	case SW_SCAN_FAIL: rc = SW_EXIT_FAIL; break;
	case SW_SCAN_FAIL_INCOMPLETE:
		sw_cmd_msg("error: the result is incomplete (see above), so --fail-on cannot "
			   "pass; --allow-incomplete accepts it");
		rc = SW_EXIT_ERROR;
		break;
	}
out:
	sw_scan_result_free(res);
	sw_cmd_phase("close");
	sw_vec_release(&vex);
	return rc;
}
