/* cmd_k8s.c - `stowaway k8s`: options -> sw_k8s_run() (k8s/k8s.h), the
 * report, the failures on stderr, and the exit code (3: partial). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "k8s/k8s.h"
#include "util/outfile.h"
#include "util/termsafe.h"


static void help(FILE *out)
{
	fputs("usage: stowaway k8s [options]\n"
	      "\n"
	      "What runs in a Kubernetes cluster and how it is run: the pods of the namespace\n"
	      "(or of every namespace) grouped by their workload (Deployment, StatefulSet,\n"
	      "DaemonSet, CronJob, Job, bare Pod), each distinct image digest the pods run\n"
	      "(from their status) scanned once from its registry with the pods'\n"
	      "imagePullSecrets, and each workload's pod spec checked against the Pod\n"
	      "Security Standards (baseline and restricted).  docs/k8s.md.\n"
	      "\n"
	      "Cluster:\n"
	      "      --kubeconfig FILE   default: first of $KUBECONFIG, else ~/.kube/config\n"
	      "      --context NAME      default: the kubeconfig's current-context\n"
	      "  -n, --namespace NS      default: the context's namespace, else default\n"
	      "  -A, --all-namespaces    every namespace the credentials can list\n"
	      "      --page-size N       items per list call (default 500)\n"
	      "Images:\n"
	      "      --no-images         list and check the workloads only\n"
	      "      --concurrency N     images scanned at once (default 4)\n"
	      "      --scanners LIST     as for scan (default vuln,config,secret)\n"
	      "      --db PATH           vulnerability database (as for scan)\n"
	      "      --plain-http        registries over http (local test registries)\n"
	      "      --insecure          registries over https without certificate checks\n"
	      "      --no-cache          neither read nor write the image and layer caches\n"
	      "Output:\n"
	      "  -f, --format FMT        table (default), json, sarif, junit\n"
	      "  -o, --output FILE       write there (atomically) instead of standard output\n"
	      "  -q, --quiet             no progress\n"
	      "\n"
	      "Exit codes: 0 everything was read and scanned, 3 partial (a namespace, a\n"
	      "secret or an image failed: each listed on stderr and in the report), 2 error\n"
	      "(nothing could be read, bad kubeconfig), 64 usage.\n",
	      out);
}

enum { OPT_KUBECONFIG = 256, OPT_CONTEXT, OPT_PAGE, OPT_NO_IMAGES, OPT_CONC, OPT_SCANNERS, OPT_DB, OPT_PLAIN_HTTP,
       OPT_INSECURE, OPT_NO_CACHE };

static void progress(void *ctx, const char *what, size_t done, size_t total)
{
	(void)ctx;
	if (total)
		sw_term_printf(stderr, 0, "\r%s: %zu/%zu\033[K", what, done, total);
	else
		sw_term_printf(stderr, 0, "\rreading namespace %s\033[K", what);
}

int cmd_k8s(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "namespace", required_argument, NULL, 'n' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "page-size", required_argument, NULL, OPT_PAGE },
		{ "no-images", no_argument, NULL, OPT_NO_IMAGES },
		{ "concurrency", required_argument, NULL, OPT_CONC },
		{ "scanners", required_argument, NULL, OPT_SCANNERS },
		{ "db", required_argument, NULL, OPT_DB },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kubeconfig = NULL, *context = NULL, *format = "table", *output = NULL;
	struct sw_scan_opts so = SW_SCAN_OPTS_INIT;
	struct sw_k8s_opts ko = { 0 };
	struct sw_err err = SW_ERR_INIT;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:Af:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KUBECONFIG: kubeconfig = optarg; break;
		case OPT_CONTEXT: context = optarg; break;
		case 'n': ko.ns = optarg; break;
		case 'A': ko.all_namespaces = true; break;
		case OPT_PAGE:
		case OPT_CONC: {
			char *end = NULL;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v == 0 || v > 10000)
				return sw_cmd_usage_error("k8s", "--%s: '%s' is not a number from 1 to 10000",
							  c == OPT_PAGE ? "page-size" : "concurrency", optarg);
			if (c == OPT_PAGE)
				ko.page_limit = (unsigned)v;
			else
				ko.concurrency = (unsigned)v;
			break;
		}
		case OPT_NO_IMAGES: ko.no_images = true; break;
		case OPT_SCANNERS:
			if (sw_scan_parse_scanners(optarg, &so.scanners, &err) < 0)
				return sw_cmd_usage_error("k8s", "--scanners: %s", err.msg);
			break;
		case OPT_DB: so.db_path = optarg; break;
		case OPT_PLAIN_HTTP: so.image_opts.plain_http = true; break;
		case OPT_INSECURE: so.image_opts.insecure = true; break;
		case OPT_NO_CACHE: so.no_cache = true; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("k8s", "bad option");
		}
	}
	if (optind != argc)
		return sw_cmd_usage_error("k8s", "unexpected argument '%s'", argv[optind]);
	if (ko.ns && ko.all_namespaces)
		return sw_cmd_usage_error("k8s", "give --namespace or --all-namespaces, not both");
	enum sw_k8s_format fmt;
	if (sw_k8s_format_parse(format, &fmt) < 0)
		return sw_cmd_usage_error("k8s", "unknown format '%s' (table, json, sarif, junit)", format);
	struct sw_kubeconfig kc;
	if (sw_kubeconfig_load(kubeconfig, context, &kc, &err) < 0)
		return sw_cmd_fail(&err);
	so.no_default_ignorefile = false;
	ko.kc = &kc;
	ko.scan = &so;
	if (sw_cmd_progress_enabled())
		ko.progress = progress;
	struct sw_k8s_result *r = NULL;
	int rc = sw_k8s_run(&ko, &r, &err);
	if (ko.progress)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		sw_kubeconfig_release(&kc);
		return sw_cmd_fail(&err);
	}
	struct sw_outfile out = { 0 };
	rc = SW_EXIT_ERROR;
	if (sw_outfile_open(&out, output, &err) < 0)
		goto fail;
	if (sw_k8s_report(out.fp, fmt, r, SW_VERSION_STRING, &err) < 0) {
		sw_outfile_abort(&out);
		goto fail;
	}
	if (sw_outfile_commit(&out, &err) < 0)
		goto fail;
	for (size_t i = 0; i < r->failures.len; i++)
		sw_cmd_warn("%s", (const char *)r->failures.items[i]);
	rc = r->partial ? SW_EXIT_PARTIAL : SW_EXIT_OK;
	if (r->partial)
		sw_cmd_note("partial result: %zu failures (exit %d)", r->failures.len, SW_EXIT_PARTIAL);
	goto done;
fail:
	rc = sw_cmd_fail(&err);
done:
	sw_k8s_result_free(r);
	sw_kubeconfig_release(&kc);
	return rc;
}
