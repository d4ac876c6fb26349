/* cmd_serve.c - `stowaway serve`: the scanning service (server/server.h),
 * and `stowaway serve token create NAME`. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "server/server.h"
#include "store/store.h"
#include "util/mem.h"

static void help(FILE *out)
{
	fputs("usage: stowaway serve [options]\n"
	      "       stowaway serve token create [--scope read|scan|admin] [--store PATH] NAME\n"
	      "\n"
	      "Run stowaway as a service: clients submit images over a REST API (docs/api.md),\n"
	      "scans run on a bounded pool of workers, every image's inventory and reports are\n"
	      "kept in a store, and a known image is re-matched from its stored inventory\n"
	      "instead of being read again.  When the vulnerability database file changes\n"
	      "('stowaway db update'), every stored inventory is re-matched against it.\n"
	      "Harbor's pluggable scanner adapter API (v1.1, v1.2) is served too.\n"
	      "\n"
	      "Every route but /healthz and /readyz needs 'Authorization: Bearer TOKEN' (or\n"
	      "X-ScannerAdapter-API-Key: TOKEN); 'serve token create' makes one and prints it\n"
	      "once.  Scopes: read (GET), scan (also submit), admin (also POST /api/v1/rematch).\n"
	      "\n"
	      "Options:\n"
	      "      --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [ADDR6]:PORT)\n"
	      "      --store PATH        the store: an SQLite file, created if missing (default\n"
	      "                          $STOWAWAY_STORE, else $XDG_DATA_HOME/stowaway/store.sqlite)\n"
	      "      --db PATH           vulnerability database (default $STOWAWAY_DB or\n"
	      "                          $XDG_CACHE_HOME/stowaway/vulndb.sqlite)\n"
	      "      --workers N         scans at once (default 2)\n"
	      "      --threads N         request threads (default 4)\n"
	      "      --max-connections N open connections at most (default 256)\n"
	      "      --max-body BYTES    request bodies larger than this get 413 (default 1048576)\n"
	      "      --max-upload BYTES  uploaded image archives larger than this get 413\n"
	      "                          (default 8589934592, 8 GiB; streamed, never stored)\n"
	      "      --max-sbom BYTES    SBOM bodies larger than this get 413 (default 67108864)\n"
	      "      --timeout SECONDS   idle connections are closed after this (default 30)\n"
	      "      --tls-cert FILE     serve HTTPS with this PEM certificate (chain) ...\n"
	      "      --tls-key FILE      ... and this PEM private key\n"
	      "      --harbor-prefix P   Harbor adapter routes under P/api/v1 (default: /api/v1)\n"
	      "      --lease SECONDS     job lease; a job whose server died is taken again after\n"
	      "                          it expires (default 60)\n"
	      "      --db-poll SECONDS   how often the database file is checked for a change\n"
	      "                          (default 10; 0 = never)\n"
	      "      --grace SECONDS     on SIGTERM, how long running scans may take before\n"
	      "                          they are put back to pending (default 30)\n"
	      "  -h, --help              this help\n"
	      "\n"
	      "Logs: one JSON object per line on standard error, one per request and per job.\n"
	      "SIGTERM or SIGINT: stop accepting, let running scans finish (--grace), exit 0.\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway serve token create --scope scan --store /srv/sw/store.sqlite ci\n"
	      "  stowaway serve --store /srv/sw/store.sqlite --listen 0.0.0.0:8443 \\\n"
	      "      --tls-cert cert.pem --tls-key key.pem --workers 4\n"
	      "  curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n"
	      "      -d '{\"image\": \"registry.example.test/app:1.2\"}' http://127.0.0.1:8080/api/v1/scans\n"
	      "  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/vulnerabilities/CVE-2024-1001/images\n"
	      "\n"
	      "Exit codes: 0 stopped by a signal, 2 error (store, address, TLS files), 64 usage.\n",
	      out);
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static char *default_store(void)
{
	const char *e = getenv("STOWAWAY_STORE");
	if (e && *e)
		return sw_xstrdup(e);
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *dir = x && *x ? sw_xasprintf("%s/stowaway", x) : sw_xasprintf("%s/.local/share/stowaway", home ? home : ".");
	/* create the folder (and its parents) */
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			(void)mkdir(dir, 0700);
			*p = '/';
		}
	(void)mkdir(dir, 0700);
	char *path = sw_xasprintf("%s/store.sqlite", dir);
	free(dir);
	return path;
}

static int parse_uint(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return sw_cmd_usage_error("serve", "%s: '%s' is not a number from %ld to %ld", opt, s, lo, hi);
	*out = v;
	return 0;
}

static int token_cmd(int argc, char **argv, const char *store_opt)
{
	static const struct option longopts[] = {
		{ "scope", required_argument, NULL, 's' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scope = "read", *store = store_opt;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': scope = optarg; break;
		case 'S': store = optarg; break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("serve", "bad option");
		}
	}
	if (optind + 2 != argc || strcmp(argv[optind], "create") != 0)
		return sw_cmd_usage_error("serve", "want: serve token create [--scope S] [--store PATH] NAME");
	const char *name = argv[optind + 1];
	char *dflt = store ? NULL : default_store();
	struct sw_st *st = NULL;
	struct sw_err err = SW_ERR_INIT;
	char *token = NULL;
	int rc = SW_EXIT_OK;
	if (sw_st_open(store ? store : dflt, &st, &err) < 0 ||
	    sw_st_token_create(st, name, scope, (int64_t)time(NULL), &token, &err) < 0) {
		rc = err.code == SW_E_USAGE ? sw_cmd_usage_error("serve", "%s", err.msg) : sw_cmd_fail(&err);
	} else {
		printf("%s\n", token);
		sw_cmd_note("token '%s' (scope %s) created; it is shown only this once", name, scope);
		memset(token, 0, strlen(token));
	}
	free(token);
	sw_st_close(st);
	free(dflt);
	return rc;
}

enum { OPT_LISTEN = 256, OPT_STORE, OPT_DB, OPT_WORKERS, OPT_THREADS, OPT_MAXCONN, OPT_MAXBODY, OPT_TIMEOUT,
       OPT_CERT, OPT_KEY, OPT_HPREFIX, OPT_LEASE, OPT_POLL, OPT_GRACE, OPT_MAXUPLOAD, OPT_MAXSBOM };

int cmd_serve(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "token") == 0)
		return token_cmd(argc - 1, argv + 1, NULL);
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "db", required_argument, NULL, OPT_DB },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-connections", required_argument, NULL, OPT_MAXCONN },
		{ "max-body", required_argument, NULL, OPT_MAXBODY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "harbor-prefix", required_argument, NULL, OPT_HPREFIX },
		{ "lease", required_argument, NULL, OPT_LEASE },
		{ "db-poll", required_argument, NULL, OPT_POLL },
		{ "grace", required_argument, NULL, OPT_GRACE },
		{ "max-upload", required_argument, NULL, OPT_MAXUPLOAD },
		{ "max-sbom", required_argument, NULL, OPT_MAXSBOM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_server_opts o = SW_SERVER_OPTS_INIT;
	char *dflt_store = NULL;
	long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: o.listen = optarg; break;
		case OPT_STORE: o.store = optarg; break;
		case OPT_DB: o.db_path = optarg; break;
		case OPT_WORKERS:
			if (parse_uint("--workers", optarg, 1, 256, &v))
				return SW_EXIT_USAGE;
			o.workers = (unsigned)v;
			break;
		case OPT_THREADS:
			if (parse_uint("--threads", optarg, 1, 256, &v))
				return SW_EXIT_USAGE;
			o.threads = (unsigned)v;
			break;
		case OPT_MAXCONN:
			if (parse_uint("--max-connections", optarg, 1, 100000, &v))
				return SW_EXIT_USAGE;
			o.max_connections = (unsigned)v;
			break;
		case OPT_MAXBODY:
			if (parse_uint("--max-body", optarg, 1024, 1L << 30, &v))
				return SW_EXIT_USAGE;
			o.max_body = (size_t)v;
			break;
		case OPT_MAXUPLOAD:
			if (parse_uint("--max-upload", optarg, 1024, 1L << 50, &v))
				return SW_EXIT_USAGE;
			o.max_upload = (size_t)v;
			break;
		case OPT_MAXSBOM:
			if (parse_uint("--max-sbom", optarg, 1024, 1L << 31, &v))
				return SW_EXIT_USAGE;
			o.max_sbom = (size_t)v;
			break;
		case OPT_TIMEOUT:
			if (parse_uint("--timeout", optarg, 1, 3600, &v))
				return SW_EXIT_USAGE;
			o.timeout = (int)v;
			break;
		case OPT_CERT: o.tls_cert = optarg; break;
		case OPT_KEY: o.tls_key = optarg; break;
		case OPT_HPREFIX:
			if (optarg[0] && (optarg[0] != '/' || optarg[strlen(optarg) - 1] == '/'))
				return sw_cmd_usage_error("serve", "--harbor-prefix: '%s' must start with / and not end with /",
							  optarg);
			o.harbor_prefix = optarg;
			break;
		case OPT_LEASE:
			if (parse_uint("--lease", optarg, 3, 86400, &v))
				return SW_EXIT_USAGE;
			o.lease = (int)v;
			break;
		case OPT_POLL:
			if (parse_uint("--db-poll", optarg, 0, 86400, &v))
				return SW_EXIT_USAGE;
			o.db_poll = (int)v;
			break;
		case OPT_GRACE:
			if (parse_uint("--grace", optarg, 0, 86400, &v))
				return SW_EXIT_USAGE;
			o.grace = (int)v;
			break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("serve", "bad option");
		}
	}
	if (optind != argc)
		return sw_cmd_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (!o.tls_cert != !o.tls_key)
		return sw_cmd_usage_error("serve", "--tls-cert and --tls-key go together");
	if (!o.store)
		o.store = dflt_store = default_store();
	o.log = stderr;
	o.stop = &stop_flag;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct sw_err err = SW_ERR_INIT;
	int r = sw_server_run(&o, &err);
	if (r == 1) {
		/* scans still running were put back to pending; their threads
		 * still use the store, so nothing is torn down */
		fflush(stdout);
		fflush(stderr);
		_exit(SW_EXIT_OK);
	}
	free(dflt_store);
	if (r < 0)
		return err.code == SW_E_USAGE ? sw_cmd_usage_error("serve", "%s", err.msg) : sw_cmd_fail(&err);
	return SW_EXIT_OK;
}
