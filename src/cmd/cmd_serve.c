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
#include "vulndb/vulndb.h"

static void help(FILE *out)
{
	fputs("usage: stowaway serve [options]\n"
	      "       stowaway serve token create [--scope read|scan|admin] [--store PATH|URL] NAME\n"
	      "       stowaway serve token revoke [--store PATH|URL] NAME\n"
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
	      "once.  Scopes: read (GET), scan (also submit), admin (also POST /api/v1/rematch,\n"
	      "webhooks, POST /api/v1/db/update).\n"
	      "'serve token revoke NAME' revokes every token of that name: the API refuses it\n"
	      "and the web pages' sessions made with it end at once.\n"
	      "\n"
	      "Options:\n"
	      "      --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [ADDR6]:PORT)\n"
	      "      --store PATH|URL    the store: an SQLite file, created if missing, or a\n"
	      "                          postgres://USER@HOST/DB?sslmode=... URL (several\n"
	      "                          instances may share one database; docs/store.md)\n"
	      "                          (default $STOWAWAY_STORE, else\n"
	      "                          $XDG_DATA_HOME/stowaway/store.sqlite)\n"
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
	      "      --max-connections-per-ip N  open connections from one address at most\n"
	      "                          (default 128)\n"
	      "      --header-timeout SECONDS  a request's line and headers must arrive within\n"
	      "                          this, however slowly they trickle (default 10; 0 = no limit)\n"
	      "      --body-timeout SECONDS  a request's body must arrive within this after its\n"
	      "                          headers (default 60; 0 = no limit)\n"
	      "      --tls-cert FILE     serve HTTPS with this PEM certificate (chain) ...\n"
	      "      --tls-key FILE      ... and this PEM private key\n"
	      "      --harbor-prefix P   Harbor adapter routes under P/api/v1 (default: /api/v1)\n"
	      "      --lease SECONDS     job lease; a job whose server died is taken again after\n"
	      "                          it expires (default 60)\n"
	      "      --db-poll SECONDS   how often the database file is checked for a change\n"
	      "                          (default 10; 0 = never)\n"
	      "      --grace SECONDS     on SIGTERM, how long running scans may take before\n"
	      "                          they are put back to pending (default 30)\n"
	      "      --rematch-chunk N   after a database change every stored image is matched\n"
	      "                          again in chunks of N images that the idle workers of\n"
	      "                          every instance sharing the store claim (default 100)\n"
	      "\n"
	      "Notifications (webhooks, docs/api.md) and database updates:\n"
	      "      --public-url URL    base of the report links in notifications (default\n"
	      "                          http(s)://LISTEN)\n"
	      "      --webhook-backoff D first retry of a failed delivery after D (default 10s),\n"
	      "                          doubling each time ...\n"
	      "      --webhook-backoff-max D  ... up to D (default 1h)\n"
	      "      --webhook-give-up D a delivery not done D after it was queued fails\n"
	      "                          (default 24h)\n"
	      "      --update-interval D update the vulnerability database every D (default 6h;\n"
	      "                          0 = never; POST /api/v1/db/update runs one now)\n"
	      "      --source NAME=LOC   where updates read (repeatable), as 'db update --source'\n"
	      "      --offline-data DIR  updates read this folder, as 'db update --offline-data'\n"
	      "                          (without --source and --offline-data: the upstream sources)\n"
	      "                          D: 30s, 10m, 6h, 1d, or seconds\n"
	      "      --retention AGE     delete ended jobs, superseded reports and delivered\n"
	      "                          notifications older than AGE (90d, 12h, 2w: a unit is\n"
	      "                          needed; default 0: keep everything); /metrics shows the\n"
	      "                          store's table sizes\n"
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
	bool revoke = optind + 2 == argc && strcmp(argv[optind], "revoke") == 0;
	if (optind + 2 != argc || (strcmp(argv[optind], "create") != 0 && !revoke))
		return sw_cmd_usage_error("serve", "want: serve token create [--scope S] [--store PATH] NAME, or serve "
						   "token revoke [--store PATH] NAME");
	const char *name = argv[optind + 1];
	char *dflt = store ? NULL : default_store();
	struct sw_st *st = NULL;
	struct sw_err err = SW_ERR_INIT;
	char *token = NULL;
	int rc = SW_EXIT_OK;
	if (revoke) {
		/* every live token of that name; the web sessions made with them end */
		int64_t n = 0;
		if (sw_st_open(store ? store : dflt, &st, &err) < 0 ||
		    sw_st_token_revoke(st, name, (int64_t)time(NULL), &n, &err) < 0) {
			rc = sw_cmd_fail(&err);
		} else if (n == 0) {
			sw_cmd_warn("no live token is named '%s'", name);
			rc = SW_EXIT_ERROR;
		} else {
			sw_cmd_note("%lld token%s named '%s' revoked", (long long)n, n == 1 ? "" : "s", name);
		}
		sw_st_close(st);
		free(dflt);
		return rc;
	}
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
       OPT_CERT, OPT_KEY, OPT_HPREFIX, OPT_LEASE, OPT_POLL, OPT_GRACE,
       OPT_PERIP, OPT_HDRTIMEOUT, OPT_BODYTIMEOUT, OPT_RETENTION, OPT_MAXUPLOAD, OPT_MAXSBOM,
       OPT_REMATCH_CHUNK };
/* hooks: notifications and database updates */
enum { OPT_PUBLIC_URL = 512, OPT_WH_BACKOFF, OPT_WH_BACKOFF_MAX, OPT_WH_GIVE_UP, OPT_UPD_INTERVAL, OPT_UPD_SOURCE,
       OPT_UPD_OFFLINE };

/* a duration option (30s, 10m, 6h, 1d, seconds) from lo to hi seconds */
static int parse_duration_opt(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	struct sw_err err = SW_ERR_INIT;
	int64_t v = 0;
	if (sw_vulndb_parse_duration(s, &v, &err) < 0 || v < lo || v > hi)
		return sw_cmd_usage_error("serve", "%s: '%s' is not a duration from %llds to %llds (30s, 10m, 6h, 1d)", opt,
					  s, (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

/* --retention: a duration with its unit (90d, 12h, 2w), or 0 = keep
 * everything.  A bare number other than 0 is refused: it meant days in the
 * first servers and means seconds in every other duration option, and
 * guessing wrong deletes reports. */
static int parse_retention(const char *s, long long *out)
{
	size_t digits = strspn(s, "0123456789");
	if (digits && !s[digits] && strspn(s, "0") != digits)
		return sw_cmd_usage_error("serve", "--retention: '%s' has no unit: write it as %sd (days), %sh, %sm or %ss",
					  s, s, s, s, s);
	int64_t v = 0;
	if (parse_duration_opt("--retention", s, 0, 100LL * 365 * 86400, &v))
		return -1;
	*out = v;
	return 0;
}

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
		{ "max-connections-per-ip", required_argument, NULL, OPT_PERIP },
		{ "header-timeout", required_argument, NULL, OPT_HDRTIMEOUT },
		{ "body-timeout", required_argument, NULL, OPT_BODYTIMEOUT },
		{ "public-url", required_argument, NULL, OPT_PUBLIC_URL },
		{ "webhook-backoff", required_argument, NULL, OPT_WH_BACKOFF },
		{ "webhook-backoff-max", required_argument, NULL, OPT_WH_BACKOFF_MAX },
		{ "webhook-give-up", required_argument, NULL, OPT_WH_GIVE_UP },
		{ "update-interval", required_argument, NULL, OPT_UPD_INTERVAL },
		{ "source", required_argument, NULL, OPT_UPD_SOURCE },
		{ "offline-data", required_argument, NULL, OPT_UPD_OFFLINE },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "max-upload", required_argument, NULL, OPT_MAXUPLOAD },
		{ "max-sbom", required_argument, NULL, OPT_MAXSBOM },
		{ "rematch-chunk", required_argument, NULL, OPT_REMATCH_CHUNK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_server_opts o = SW_SERVER_OPTS_INIT;
	o.update_interval = 6 * 3600;
	struct sw_vec sources = SW_VEC_INIT;   /* borrowed argv strings */
	int64_t d;
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
		case OPT_PERIP:
			if (parse_uint("--max-connections-per-ip", optarg, 1, 100000, &v))
				return SW_EXIT_USAGE;
			o.max_per_ip = (unsigned)v;
			break;
		case OPT_HDRTIMEOUT:
			if (parse_uint("--header-timeout", optarg, 0, 3600, &v))
				return SW_EXIT_USAGE;
			o.header_timeout = (int)v;
			break;
		case OPT_BODYTIMEOUT:
			if (parse_uint("--body-timeout", optarg, 0, 86400, &v))
				return SW_EXIT_USAGE;
			o.body_timeout = (int)v;
			break;
		case OPT_PUBLIC_URL:
			if ((strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) ||
			    optarg[strlen(optarg) - 1] == '/' || strpbrk(optarg, " \"\\"))
				return sw_cmd_usage_error("serve", "--public-url: '%s' must be an http:// or https:// URL "
							  "without a trailing /", optarg);
			o.public_url = optarg;
			break;
		case OPT_WH_BACKOFF:
			if (parse_duration_opt("--webhook-backoff", optarg, 1, 86400, &d))
				return SW_EXIT_USAGE;
			o.webhook_backoff = (int)d;
			break;
		case OPT_WH_BACKOFF_MAX:
			if (parse_duration_opt("--webhook-backoff-max", optarg, 1, 7 * 86400, &d))
				return SW_EXIT_USAGE;
			o.webhook_backoff_max = (int)d;
			break;
		case OPT_WH_GIVE_UP:
			if (parse_duration_opt("--webhook-give-up", optarg, 1, 30 * 86400, &d))
				return SW_EXIT_USAGE;
			o.webhook_give_up = (int)d;
			break;
		case OPT_UPD_INTERVAL:
			if (parse_duration_opt("--update-interval", optarg, 0, 365 * 86400, &d))
				return SW_EXIT_USAGE;
			o.update_interval = (long)d;
			break;
		case OPT_UPD_SOURCE: {
			struct sw_vulndb_location *l = NULL;
			struct sw_err e = SW_ERR_INIT;
			if (sw_vulndb_location_parse(optarg, &l, &e) < 0) {
				sw_vec_release(&sources);
				return sw_cmd_usage_error("serve", "--source: %s", e.msg);
			}
			sw_vulndb_location_free(l);
			sw_vec_push(&sources, optarg);
			break;
		}
		case OPT_UPD_OFFLINE: o.update_offline = optarg; break;
		case OPT_RETENTION:
			if (parse_retention(optarg, &o.retention))
				return SW_EXIT_USAGE;
			break;
		case OPT_REMATCH_CHUNK:
			if (parse_uint("--rematch-chunk", optarg, 1, 1000000, &v))
				return SW_EXIT_USAGE;
			o.rematch_chunk = (int)v;
			break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("serve", "bad option");
		}
	}
	o.update_sources = (const char *const *)sources.items;
	o.nupdate_sources = sources.len;
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
	sw_vec_release(&sources);
	if (r < 0)
		return err.code == SW_E_USAGE ? sw_cmd_usage_error("serve", "%s", err.msg) : sw_cmd_fail(&err);
	return SW_EXIT_OK;
}
