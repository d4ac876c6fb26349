/* cmd_policy.c - `stowaway policy validate|eval|explain|show-default`:
 * options -> policy/ and scan/ library calls, the result printed, the exit
 * code from the final action (docs/policy.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "policy/policy.h"
#include "report/report.h"
#include "scan/scan.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/outfile.h"

static void help(FILE *out)
{
	fputs("usage: stowaway policy validate BUNDLE\n"
	      "       stowaway policy eval --policy BUNDLE [options] IMAGE\n"
	      "       stowaway policy eval --policy BUNDLE [options] --report SCAN.json\n"
	      "       stowaway policy eval --policy BUNDLE [options] --sbom SBOM.json\n"
	      "       stowaway policy explain --policy BUNDLE [options] (IMAGE | --report SCAN.json)\n"
	      "       stowaway policy show-default\n"
	      "\n"
	      "Evaluate an Anchore-compatible policy bundle (JSON or YAML; Anchore Engine v1\n"
	      "names 'policies', 'whitelists', 'blacklisted_images' or v2 names 'rule_sets',\n"
	      "'allowlists', 'denylisted_images') against an image: every rule of the rule\n"
	      "sets of the first mapping that matches the image runs; allowlist items that\n"
	      "have not expired take their triggers out; the final action is the worst action\n"
	      "left (an image on the denylisted images list always STOPs, one on the\n"
	      "allowlisted images list always GOes).  A rule whose data the scan does not\n"
	      "have fires with a 'not evaluated: ...' message: never a silent pass.\n"
	      "Gates, triggers and params: docs/policy.md.\n"
	      "\n"
	      "Commands:\n"
	      "  validate BUNDLE         read the bundle strictly; print what it holds\n"
	      "  eval                    scan IMAGE (or read SCAN.json) and evaluate\n"
	      "  explain                 eval, and for each rule what it looked at and why\n"
	      "                          it fired or not\n"
	      "  show-default            print stowaway's default bundle (KEV -> STOP,\n"
	      "                          critical with a fix -> STOP, root user -> WARN,\n"
	      "                          secrets in the config/history -> STOP), to start from\n"
	      "Options (eval, explain):\n"
	      "      --policy BUNDLE     the bundle (required; 'default' = the built-in one)\n"
	      "      --report FILE       a stored 'stowaway scan -f json' report instead of IMAGE\n"
	      "      --sbom FILE         a CycloneDX, SPDX or stowaway SBOM instead of IMAGE (no\n"
	      "                          image config: the dockerfile and image_checks rules say\n"
	      "                          'not evaluated')\n"
	      "      --tag REPO:TAG      the tag mappings see (default: the image's own tag)\n"
	      "      --now DATE          evaluate at DATE (YYYY-MM-DD or RFC 3339): allowlist\n"
	      "                          expiry, ages (default: now, or $SOURCE_DATE_EPOCH)\n"
	      "  -f, --format FMT        table (default) or json (Anchore's evaluation shape:\n"
	      "                          final_action, final_action_reason, matched_mapping_rule,\n"
	      "                          result rows; our own section under \"stowaway\")\n"
	      "  -o, --output FILE       write to FILE (atomically) instead of standard output\n"
	      "      --db PATH           vulnerability database (as 'stowaway scan')\n"
	      "      --scanners LIST     as 'stowaway scan' (default vuln,config,secret)\n"
	      "      --ignorefile FILE   as 'stowaway scan' (suppressed findings are not seen by\n"
	      "                          the gates); --no-cache, --platform as 'stowaway scan'\n"
	      "  -q, --quiet             no progress on standard error\n"
	      "  -h, --help              this help\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway policy validate anchore_default_bundle.json\n"
	      "  stowaway policy eval --policy bundle.json docker-archive:app.tar\n"
	      "  stowaway policy eval --policy bundle.yaml --tag reg.example/app:1.2 -f json app.tar\n"
	      "  stowaway scan -f json -o scan.json app.tar &&\n"
	      "    stowaway policy eval --policy bundle.json --report scan.json\n"
	      "  stowaway policy explain --policy default oci:./layout:latest\n"
	      "  stowaway policy show-default > bundle.json\n"
	      "  stowaway scan --policy bundle.json app.tar     (the scan report and the verdict)\n"
	      "\n"
	      "Exit codes: 0 final action GO or WARN (validate: the bundle is valid), 1 final\n"
	      "action STOP, 2 error (a bad bundle: one line naming the rule and the param;\n"
	      "an unreadable image or report), 64 usage.\n",
	      out);
}

static int cmd_validate(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		help(stdout);
		return SW_EXIT_OK;
	}
	if (argc != 2)
		return sw_cmd_usage_error("policy", "validate takes one BUNDLE");
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_policy_bundle_load_arg(argv[1], &b, &err) < 0)
		return sw_cmd_fail(&err);
	struct sw_policy_bundle_stats st;
	sw_policy_bundle_stats(b, &st);
	/* bundle text goes through the terminal-safe printer */
	sw_cmd_msg("%s: valid bundle '%s' (%s): %zu rule set%s, %zu rule%s, %zu allowlist%s (%zu item%s), "
		   "%zu mapping%s, %zu allowlisted and %zu denylisted image rule%s",
		   argv[1], st.name ? st.name : "", st.id, st.rule_sets, st.rule_sets == 1 ? "" : "s",
		   st.rules, st.rules == 1 ? "" : "s", st.allowlists, st.allowlists == 1 ? "" : "s",
		   st.allowlist_items, st.allowlist_items == 1 ? "" : "s", st.mappings,
		   st.mappings == 1 ? "" : "s", st.allowed_images, st.denied_images,
		   st.denied_images == 1 ? "" : "s");
	sw_policy_bundle_free(b);
	return SW_EXIT_OK;
}

enum { OPT_POLICY = 256, OPT_REPORT, OPT_SBOM, OPT_TAG, OPT_NOW, OPT_DB, OPT_SCANNERS, OPT_IGNOREFILE,
       OPT_NO_CACHE, OPT_PLATFORM };

static int cmd_eval(int argc, char **argv, bool explain)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "sbom", required_argument, NULL, OPT_SBOM },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, OPT_DB },
		{ "scanners", required_argument, NULL, OPT_SCANNERS },
		{ "ignorefile", required_argument, NULL, OPT_IGNOREFILE },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = explain ? "policy explain" : "policy eval";
	const char *policy = NULL, *report = NULL, *format = "table", *output = NULL;
	struct sw_scan_opts so = SW_SCAN_OPTS_INIT;
	struct sw_err err = SW_ERR_INIT;
	struct sw_policy_bundle *b = NULL;
	struct sw_scan_result *res = NULL;
	struct sw_policy_report *rep = NULL;
	struct sw_policy_result *pr = NULL;
	so.now = sw_cmd_now();
	int rc = SW_EXIT_USAGE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY: policy = optarg; break;
		case OPT_REPORT: report = optarg; break;
		case OPT_SBOM: so.sbom = optarg; break;
		case OPT_TAG: so.policy_tag = optarg; break;
		case OPT_NOW:
			if (sw_policy_parse_time(optarg, &so.now) < 0) {
				rc = sw_cmd_usage_error(cmd, "--now: '%s' is not a date (YYYY-MM-DD or RFC 3339)",
							optarg);
				goto out;
			}
			break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case OPT_DB: so.db_path = optarg; break;
		case OPT_SCANNERS:
			if (sw_scan_parse_scanners(optarg, &so.scanners, &err) < 0) {
				rc = sw_cmd_usage_error(cmd, "--scanners: %s", err.msg);
				goto out;
			}
			break;
		case OPT_IGNOREFILE: so.ignorefile = optarg; break;
		case OPT_NO_CACHE: so.no_cache = true; break;
		case OPT_PLATFORM: so.image_opts.platform = optarg; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); rc = SW_EXIT_OK; goto out;
		default: rc = sw_cmd_usage_error(cmd, "bad option"); goto out;
		}
	}
	if (!policy) {
		rc = sw_cmd_usage_error(cmd, "--policy BUNDLE is required");
		goto out;
	}
	if (report && so.sbom) {
		rc = sw_cmd_usage_error(cmd, "give --report or --sbom, not both");
		goto out;
	}
	if (report || so.sbom ? optind != argc : optind + 1 != argc) {
		rc = sw_cmd_usage_error(cmd, report || so.sbom ? "give IMAGE, --report or --sbom, not two"
							      : optind == argc ? "IMAGE (or --report/--sbom FILE) is missing"
									       : "one IMAGE only");
		goto out;
	}
	enum sw_report_policy_format fmt;
	if (!strcmp(format, "table"))
		fmt = explain ? SW_POLICY_FMT_EXPLAIN : SW_POLICY_FMT_TABLE;
	else if (!strcmp(format, "json"))
		fmt = SW_POLICY_FMT_JSON;
	else {
		rc = sw_cmd_usage_error(cmd, "unknown format '%s' (table, json)", format);
		goto out;
	}
	if (sw_policy_bundle_load_arg(policy, &b, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (report) {
		if (sw_policy_report_load(report, &rep, &err) < 0) {
			rc = sw_cmd_fail(&err);
			goto out;
		}
		struct sw_policy_input in;
		sw_policy_report_input(rep, &in);
		in.repo_tag = so.policy_tag;
		in.now = so.now;
		if (sw_policy_eval(b, &in, &pr, &err) < 0) {
			rc = sw_cmd_fail(&err);
			goto out;
		}
		for (size_t i = 0; i < sw_policy_report_notes(rep)->len; i++)
			sw_cmd_note("%s", (const char *)sw_policy_report_notes(rep)->items[i]);
	} else {
		if (!so.sbom)
			so.image = argv[optind];
		so.policy = b;
		if (sw_cmd_progress_enabled())
			so.progress = sw_cmd_layer_progress;
		if (sw_scan_run(&so, &res, &err) < 0) {
			rc = sw_cmd_fail(&err);
			goto out;
		}
		for (size_t i = 0; i < res->warnings.len; i++)
			sw_cmd_warn("%s", (const char *)res->warnings.items[i]);
		for (size_t i = 0; i < res->incomplete.len; i++)
			sw_cmd_warn("incomplete result: %s", (const char *)res->incomplete.items[i]);
		pr = res->policy;
	}
	if (!pr->mapping_id && !pr->allowed_image_rule && !pr->denied_image_rule)
		sw_cmd_warn("no mapping of the bundle matches image '%s': no rule was evaluated",
			    pr->repo_tag && *pr->repo_tag ? pr->repo_tag : pr->image_id);
	for (size_t i = 0; i < pr->expired.len; i++)
		sw_cmd_note("%s", (const char *)pr->expired.items[i]);
	struct sw_outfile of = { 0 };
	if (sw_outfile_open(&of, output, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (sw_report_policy(of.fp, fmt, pr, so.now, &err) < 0) {
		sw_outfile_abort(&of);
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (sw_outfile_commit(&of, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	rc = pr->final_action == SW_POLICY_STOP ? SW_EXIT_FAIL : SW_EXIT_OK;
out:
	if (res)
		sw_scan_result_free(res);
	else
		sw_policy_result_free(pr);
	sw_policy_report_free(rep);
	sw_policy_bundle_free(b);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return SW_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		help(stdout);
		return SW_EXIT_OK;
	}
	if (!strcmp(sub, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (!strcmp(sub, "eval"))
		return cmd_eval(argc - 1, argv + 1, false);
	if (!strcmp(sub, "explain"))
		return cmd_eval(argc - 1, argv + 1, true);
	if (!strcmp(sub, "show-default")) {
		if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			help(stdout);
			return SW_EXIT_OK;
		}
		if (argc != 2)
			return sw_cmd_usage_error("policy", "show-default takes no arguments");
		fputs(sw_policy_default_bundle(), stdout);
		return SW_EXIT_OK;
	}
	return sw_cmd_usage_error("policy", "unknown command '%s' (validate, eval, explain, show-default)", sub);
}
