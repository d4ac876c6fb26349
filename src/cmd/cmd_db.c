/* cmd_db.c - `stowaway db update|info|export|import|search`. */
#include <float.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/termsafe.h"
#include "vulndb/sources/registry.h"
#include "vulndb/vulndb.h"

static void help_db(FILE *out)
{
	fprintf(out,
		"usage: stowaway db <command> [options]\n"
		"\n"
		"Build, update and inspect the vulnerability database (one SQLite file,\n"
		"by default $XDG_CACHE_HOME/stowaway/vulndb.sqlite; $STOWAWAY_DB or --db\n"
		"PATH choose another).\n"
		"\n"
		"Commands:\n"
		"  update   fetch the sources and build a new database (atomic swap)\n"
		"  info     schema version, build time, age, per-source counts\n"
		"  export   write the database as one checksummed, compressed file\n"
		"  import   verify and install a file written by 'db export'\n"
		"  search   show a vulnerability by id or alias, or the entries of a package\n"
		"  sources  list the default upstream locations and how each is updated\n"
		"  push     upload the database to a registry as an OCI artifact\n"
		"  pull     download a pushed database, verify it and install it atomically\n"
		"\n"
		"Run 'stowaway db <command> --help' for its options and examples.\n"
		"Exit codes: 0 ok, 1 nothing found (search) or too old (info --max-db-age),\n"
		"2 error, 64 usage error.\n");
}

static void help_update(FILE *out)
{
	size_t n = 0;
	const struct sw_vuln_source *const *srcs = sw_vuln_sources(&n);
	fprintf(out,
		"usage: stowaway db update [--source NAME=URL|PATH ...] [--offline-data DIR] [--db PATH]\n"
		"                          [--max-drop FRACTION] [--max-bad FRACTION] [--force]\n"
		"\n"
		"Read every source into a copy of the database, check it and rename it over\n"
		"the old one: an interrupted update (even kill -9) leaves the old database\n"
		"usable.  A location is a file, a folder (read recursively), an archive\n"
		"(zip, tar, tar.gz/xz/zst, .gz/.xz/.zst) or an http(s) URL (ETag and\n"
		"If-Modified-Since remembered, retries with backoff).\n"
		"\n"
		"Never a silent loss: a location that cannot be read whole (fetch or HTTP\n"
		"error, truncated or foreign archive, broken gzip/xz stream, an HTML page),\n"
		"with more bad records than --max-bad, with no records, or whose record\n"
		"count falls by more than --max-drop keeps its previous records; it is named\n"
		"on stderr and in 'db info', the other sources are still installed, and the\n"
		"update exits 2.\n"
		"\n"
		"Options:\n"
		"  --source NAME=LOC     read LOC with importer NAME (repeatable); without it,\n"
		"                        the default upstream locations are used\n"
		"  --offline-data DIR    build from a folder laid out like shared/data/vuln\n"
		"                        (also the fallback when no source can be reached;\n"
		"                        $STOWAWAY_OFFLINE_DATA sets it too)\n"
		"  --db PATH             database file\n"
		"  --connect-timeout S   seconds to connect (default 30)\n"
		"  --timeout S           seconds per download (default 1800)\n"
		"  --retries N           extra tries on 429, 5xx and network errors (default 3;\n"
		"                        a Retry-After answer is waited out, at most a minute)\n"
		"  --max-drop FRACTION   largest accepted fall of a location's record count\n"
		"                        (default 0.5: losing more than half fails)\n"
		"  --max-bad FRACTION    largest accepted share of bad records (default 0.01)\n"
		"  --force               accept any drop and an empty location (never an\n"
		"                        incomplete read or too many bad records)\n"
		"  --full                read every location whole, even where only the\n"
		"                        changes could be fetched (OSV, NVD, Red Hat)\n"
		"  -q, --quiet           no progress\n"
		"\n"
		"Importers:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-12s %s\n", srcs[i]->name, srcs[i]->summary);
	fprintf(out,
		"\n"
		"After the first full read, OSV (modified_id.csv), the NVD (lastModStartDate\n"
		"windows) and Red Hat (changes.csv, deletions.csv) send only what changed;\n"
		"other URLs are asked with ETag / If-Modified-Since.  'stowaway db sources'\n"
		"lists the default locations; STOWAWAY_UPSTREAM_OVERRIDE=HOST=URL,... fetches\n"
		"a host's files from a mirror (docs/vulndb.md).\n"
		"\n"
		"Examples:\n"
		"  stowaway db update\n"
		"  stowaway db update --source osv=./all.zip --source kev=kev.json\n"
		"  stowaway db update --offline-data /srv/mirror/vuln --db /tmp/vulndb.sqlite\n"
		"  stowaway db update --source osv=./all.zip --force   # accept a real drop\n");
}

static void help_info(FILE *out)
{
	fprintf(out,
		"usage: stowaway db info [--json] [--max-db-age DURATION] [--db PATH]\n"
		"\n"
		"Show the schema version, build time and age, and for each source its\n"
		"locations, last update, record and bad-record counts.\n"
		"  --json                 machine-readable output\n"
		"  --max-db-age DURATION  exit 1 when the database is older (30d, 12h, 3600s)\n"
		"\n"
		"Examples:\n"
		"  stowaway db info\n"
		"  stowaway db info --json --max-db-age 7d\n");
}

static void help_export(FILE *out)
{
	fprintf(out,
		"usage: stowaway db export FILE [--db PATH]\n"
		"\n"
		"Write the database as one zstd-compressed file ending in a SHA-256 checksum,\n"
		"to carry to an air-gapped site ('-' is not allowed: the file is renamed\n"
		"into place when complete).\n"
		"\n"
		"Example:\n"
		"  stowaway db export vulndb-$(date +%%F).swdb\n");
}

static void help_import(FILE *out)
{
	fprintf(out,
		"usage: stowaway db import FILE [--db PATH]\n"
		"\n"
		"Verify the checksum of a file written by 'db export', check the database\n"
		"inside and swap it in atomically.\n"
		"\n"
		"Example:\n"
		"  stowaway db import /media/usb/vulndb-2026-11-29.swdb\n");
}

static void help_search(FILE *out)
{
	fprintf(out,
		"usage: stowaway db search ID|PACKAGE [--ecosystem ECO] [--json] [--db PATH]\n"
		"\n"
		"With a vulnerability id or alias (CVE-..., GHSA-..., GO-..., DSA-...), print\n"
		"the merged record of every source.  Otherwise list the affected entries of\n"
		"the package (in ECO only, with --ecosystem; ecosystem names are OSV's:\n"
		"PyPI, npm, Go, crates.io, Maven, RubyGems, Debian:12, Alpine:v3.18 ...).\n"
		"Exit 1 when nothing matches.\n"
		"\n"
		"Examples:\n"
		"  stowaway db search CVE-2021-44228\n"
		"  stowaway db search minimist --ecosystem npm --json\n");
}

/* ---------------------------------------------------------------- helpers */

/* printf for the text of `db info` and `db search`: database and advisory
 * text made terminal-safe (util/termsafe.h). */
SW_PRINTF(1, 2)
static void tprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sw_term_vprintf(stdout, SW_TERM_KEEP_NL | SW_TERM_KEEP_TAB, fmt, ap);
	va_end(ap);
}

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	sw_cmd_warn("%s", msg);
}

static void on_progress(void *ctx, const char *msg)
{
	(void)ctx;
	sw_cmd_msg("%s", msg);
}

static void fmt_time(int64_t t, char *buf, size_t n)
{
	if (t <= 0) {
		snprintf(buf, n, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_age(int64_t secs, char *buf, size_t n)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, n, "%" PRId64 " seconds", secs);
	else if (secs < 7200)
		snprintf(buf, n, "%" PRId64 " minutes", secs / 60);
	else if (secs < 172800)
		snprintf(buf, n, "%" PRId64 " hours", secs / 3600);
	else
		snprintf(buf, n, "%" PRId64 " days", secs / 86400);
}

enum {
	OPT_DB = 1000,
	OPT_SOURCE,
	OPT_OFFLINE,
	OPT_CTO,
	OPT_TO,
	OPT_RETRIES,
	OPT_JSON,
	OPT_AGE,
	OPT_ECO,
	OPT_MAX_DROP,
	OPT_MAX_BAD,
	OPT_FORCE,
	OPT_FULL
};

static int parse_long(const char *cmd, const char *opt, const char *s, long *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0)
		return sw_cmd_usage_error(cmd, "bad value '%s' for %s", s, opt);
	*out = v;
	return 0;
}

/* A fraction in [0, 1]; 0 becomes the smallest positive double (the
 * library reads <= 0 as "the default"). */
static int parse_fraction(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end = NULL;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0.0 && v <= 1.0))
		return sw_cmd_usage_error(cmd, "bad value '%s' for %s (a fraction from 0 to 1)", s, opt);
	*out = v > 0.0 ? v : DBL_MIN;
	return 0;
}

/* ---------------------------------------------------------------- update */

static int db_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "offline-data", required_argument, NULL, OPT_OFFLINE },
		{ "connect-timeout", required_argument, NULL, OPT_CTO },
		{ "timeout", required_argument, NULL, OPT_TO },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "max-drop", required_argument, NULL, OPT_MAX_DROP },
		{ "max-bad", required_argument, NULL, OPT_MAX_BAD },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sw_vulndb_update_opts o = { 0 };
	o.retries = -1;
	o.warn = on_warn;
	const char *offline = NULL;
	int c, rc = SW_EXIT_OK;
	long v = 0;
	struct sw_err err = SW_ERR_INIT;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o.db_path = optarg; break;
		case OPT_SOURCE: {
			struct sw_vulndb_location *l = NULL;
			if (sw_vulndb_location_parse(optarg, &l, &err) < 0) {
				rc = sw_cmd_usage_error("db update", "%s", err.msg);
				goto out;
			}
			sw_vec_push(&o.locations, l);
			break;
		}
		case OPT_OFFLINE: offline = optarg; break;
		case OPT_CTO:
			if ((rc = parse_long("db update", "--connect-timeout", optarg, &v)) != 0)
				goto out;
			o.connect_timeout = v;
			break;
		case OPT_TO:
			if ((rc = parse_long("db update", "--timeout", optarg, &v)) != 0)
				goto out;
			o.total_timeout = v;
			break;
		case OPT_RETRIES:
			if ((rc = parse_long("db update", "--retries", optarg, &v)) != 0)
				goto out;
			o.retries = (int)v;
			break;
		case OPT_MAX_DROP:
			if ((rc = parse_fraction("db update", "--max-drop", optarg, &o.max_drop)) != 0)
				goto out;
			break;
		case OPT_MAX_BAD:
			if ((rc = parse_fraction("db update", "--max-bad", optarg, &o.max_bad)) != 0)
				goto out;
			break;
		case OPT_FORCE: o.force = true; break;
		case OPT_FULL: o.full = true; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help_update(stdout); goto out;
		default: rc = sw_cmd_usage_error("db update", "unknown option"); goto out;
		}
	}
	if (optind < argc) {
		rc = sw_cmd_usage_error("db update", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (sw_cmd_progress_enabled())
		o.progress = on_progress;
	o.offline_dir = offline ? offline : getenv("STOWAWAY_OFFLINE_DATA");
	bool from_offline = false;
	if (sw_vulndb_update_locations(&o.locations, offline, &from_offline, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (from_offline)
		sw_cmd_msg("building the database from offline data '%s'", offline);
	struct sw_vulndb_update_result res;
	if (sw_vulndb_update(&o, &res, &err) < 0) {
		sw_vulndb_update_result_release(&res);
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (res.used_offline)
		sw_cmd_msg("built from offline data '%s'", o.offline_dir);
	sw_cmd_msg("database '%s': %d location(s) read, %d unchanged, %d failed; %" PRId64
		   " records, %" PRId64 " bad; %" PRId64 " bytes downloaded",
		o.db_path ? o.db_path : sw_vulndb_default_path(), res.fetched, res.unchanged, res.failed,
		res.records, res.bad_records, res.bytes);
	if (res.failed > 0) {
		/* the database is not as fresh as asked: say which sources, and fail */
		struct sw_buf names = SW_BUF_INIT;
		for (size_t i = 0; i < res.failed_sources.len; i++)
			sw_buf_addf(&names, "%s'%s'", i ? ", " : "", (const char *)res.failed_sources.items[i]);
		sw_cmd_msg("error: %d location(s) of source(s) %s failed and kept their previous records "
			   "(see the warnings above and 'stowaway db info')",
			   res.failed, names.data);
		sw_buf_release(&names);
		rc = SW_EXIT_ERROR;
	}
	sw_vulndb_update_result_release(&res);
out:
	for (size_t i = 0; i < o.locations.len; i++)
		sw_vulndb_location_free(o.locations.items[i]);
	sw_vec_release(&o.locations);
	return rc;
}

/* ---------------------------------------------------------------- info */

static int db_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "max-db-age", required_argument, NULL, OPT_AGE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool json = false;
	int64_t max_age = -1;
	int c;
	struct sw_err err = SW_ERR_INIT;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: path = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_AGE:
			if (sw_vulndb_parse_duration(optarg, &max_age, &err) < 0)
				return sw_cmd_usage_error("db info", "%s", err.msg);
			break;
		case 'h': help_info(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("db info", "unknown option");
		}
	}
	if (optind < argc)
		return sw_cmd_usage_error("db info", "unexpected argument '%s'", argv[optind]);
	struct sw_vulndb *db = NULL;
	struct sw_vulndb_info *info = NULL;
	if (sw_vulndb_open(path, SW_VULNDB_RDONLY, &db, &err) < 0 || sw_vulndb_info(db, &info, &err) < 0) {
		sw_vulndb_close(db);
		return sw_cmd_fail(&err);
	}
	int64_t now = sw_vulndb_now();
	int64_t age = info->built_at ? now - info->built_at : -1;
	bool stale = false;
	if (max_age >= 0)
		(void)sw_vulndb_check_age(db, max_age, &stale, &err);
	char t[64], a[64];
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "path", sw_cmd_jstr(info->path));
		json_object_set_new(o, "schema_version", json_integer(info->schema_version));
		json_object_set_new(o, "built_at", json_integer(info->built_at));
		json_object_set_new(o, "age_seconds", json_integer(age));
		json_object_set_new(o, "file_size", json_integer(info->file_size));
		json_object_set_new(o, "vulnerabilities", json_integer(info->vulns));
		json_object_set_new(o, "affected", json_integer(info->affected));
		json_object_set_new(o, "kev", json_integer(info->kev));
		json_object_set_new(o, "exploits", json_integer(info->exploits));
		json_object_set_new(o, "epss", json_integer(info->epss));
		json_t *srcs = json_array();
		for (size_t i = 0; i < info->sources.len; i++) {
			struct sw_vulndb_source_info *si = info->sources.items[i];
			json_t *s = json_object();
			json_object_set_new(s, "name", sw_cmd_jstr(si->name));
			json_object_set_new(s, "locations", sw_cmd_jstr(si->locations ? si->locations : ""));
			json_object_set_new(s, "updated_at", json_integer(si->updated_at));
			json_object_set_new(s, "records", json_integer(si->records));
			json_object_set_new(s, "bad_records", json_integer(si->bad_records));
			json_object_set_new(s, "last_error", sw_cmd_jstr(si->last_error));
			json_object_set_new(s, "last_full", json_integer(si->last_full));
			json_object_set_new(s, "last_incremental", json_integer(si->last_incremental));
			json_object_set_new(s, "last_bytes", json_integer(si->last_bytes));
			json_object_set_new(s, "total_bytes", json_integer(si->total_bytes));
			json_object_set_new(s, "full_updates", json_integer(si->full_updates));
			json_object_set_new(s, "incremental_updates", json_integer(si->incremental_updates));
			json_array_append_new(srcs, s);
		}
		json_object_set_new(o, "sources", srcs);
		json_t *bad = json_array();
		for (size_t i = 0; i < info->bad.len; i++)
			json_array_append_new(bad, sw_cmd_jstr(info->bad.items[i]));
		json_object_set_new(o, "bad_records", bad);
		if (max_age >= 0)
			json_object_set_new(o, "stale", json_boolean(stale));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(o);
	} else {
		fmt_time(info->built_at, t, sizeof(t));
		fmt_age(age, a, sizeof(a));
		tprintf("database:        %s\n", info->path);
		tprintf("schema version:  %d\n", info->schema_version);
		tprintf("built:           %s (%s old)\n", t, a);
		tprintf("size:            %.1f MiB\n", (double)info->file_size / (1024.0 * 1024.0));
		tprintf("vulnerabilities: %" PRId64 " (%" PRId64 " affected entries)\n", info->vulns, info->affected);
		tprintf("KEV entries:     %" PRId64 "\n", info->kev);
		tprintf("Exploits:        %" PRId64 " (CVE, Exploit-DB id) pairs\n", info->exploits);
		tprintf("EPSS scores:     %" PRId64 "\n", info->epss);
		tprintf("\n%-12s %10s %8s  %-20s  %s\n", "SOURCE", "RECORDS", "BAD", "UPDATED", "AGE");
		for (size_t i = 0; i < info->sources.len; i++) {
			struct sw_vulndb_source_info *si = info->sources.items[i];
			fmt_time(si->updated_at, t, sizeof(t));
			fmt_age(si->updated_at ? now - si->updated_at : 0, a, sizeof(a));
			tprintf("%-12s %10" PRId64 " %8" PRId64 "  %-20s  %s\n", si->name, si->records, si->bad_records, t,
			       si->updated_at ? a : "-");
			if (si->last_full || si->last_incremental) {
				char tf[64], ti[64];
				fmt_time(si->last_full, tf, sizeof(tf));
				fmt_time(si->last_incremental, ti, sizeof(ti));
				tprintf("  last full: %s, last incremental: %s; last update %" PRId64
					" bytes, %" PRId64 " in all\n",
					tf, ti, si->last_bytes, si->total_bytes);
			}
			if (si->last_error)
				tprintf("  last error: %s\n", si->last_error);
		}
		if (info->bad.len) {
			tprintf("\nbad records (first %zu):\n", info->bad.len);
			for (size_t i = 0; i < info->bad.len; i++)
				tprintf("  %s\n", (const char *)info->bad.items[i]);
		}
	}
	sw_vulndb_info_free(info);
	sw_vulndb_close(db);
	if (stale) {
		sw_cmd_msg("database is older than the --max-db-age limit");
		return SW_EXIT_FAIL;
	}
	return SW_EXIT_OK;
}

/* ---------------------------------------------------------------- export / import */

static int db_file_cmd(int argc, char **argv, bool export)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = export ? "db export" : "db import";
	const char *path = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: path = optarg; break;
		case 'h':
			if (export)
				help_export(stdout);
			else
				help_import(stdout);
			return SW_EXIT_OK;
		default: return sw_cmd_usage_error(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return sw_cmd_usage_error(cmd, "expected one FILE");
	const char *file = argv[optind];
	if (strcmp(file, "-") == 0)
		return sw_cmd_usage_error(cmd, "FILE must be a file, not '-'");
	struct sw_err err = SW_ERR_INIT;
	int r = export ? sw_vulndb_export(path, file, &err) : sw_vulndb_import(file, path, &err);
	if (r < 0)
		return sw_cmd_fail(&err);
	sw_cmd_msg("%s '%s'", export ? "exported to" : "imported", file);
	return SW_EXIT_OK;
}

/* ---------------------------------------------------------------- search */

static json_t *affected_json(const struct sw_affected *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "ecosystem", sw_cmd_jstr(a->ecosystem));
	json_object_set_new(o, "package", sw_cmd_jstr(a->package));
	if (a->purl)
		json_object_set_new(o, "purl", sw_cmd_jstr(a->purl));
	json_object_set_new(o, "status", sw_cmd_jstr(sw_vuln_status_name(a->status)));
	if (a->severity)
		json_object_set_new(o, "severity", sw_cmd_jstr(a->severity));
	if (a->note)
		json_object_set_new(o, "note", sw_cmd_jstr(a->note));
	json_t *ranges = json_array();
	for (size_t i = 0; i < a->ranges.len; i++) {
		const struct sw_range *r = a->ranges.items[i];
		static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
		json_t *ev = json_array();
		for (size_t k = 0; k < r->events.len; k++) {
			const struct sw_event *e = r->events.items[k];
			json_t *x = json_object();
			json_object_set_new(x, kinds[e->kind], sw_cmd_jstr(e->version));
			json_array_append_new(ev, x);
		}
		json_t *ro = json_object();
		json_object_set_new(ro, "type", sw_cmd_jstr(r->type));
		json_object_set_new(ro, "events", ev);
		json_array_append_new(ranges, ro);
	}
	json_object_set_new(o, "ranges", ranges);
	json_t *vs = json_array();
	for (size_t i = 0; i < a->versions.len; i++)
		json_array_append_new(vs, sw_cmd_jstr(a->versions.items[i]));
	json_object_set_new(o, "versions", vs);
	json_t *ae = json_array(), *ue = json_array();
	for (size_t i = 0; i < a->affected_exprs.len; i++)
		json_array_append_new(ae, sw_cmd_jstr(a->affected_exprs.items[i]));
	for (size_t i = 0; i < a->unaffected_exprs.len; i++)
		json_array_append_new(ue, sw_cmd_jstr(a->unaffected_exprs.items[i]));
	json_object_set_new(o, "affected_exprs", ae);
	json_object_set_new(o, "unaffected_exprs", ue);
	return o;
}

static json_t *strings_json(const struct sw_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, sw_cmd_jstr(v->items[i]));
	return a;
}

static json_t *vuln_json(const struct sw_vuln *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", sw_cmd_jstr(v->id));
	json_object_set_new(o, "sources", sw_cmd_jstr(v->source ? v->source : ""));
	json_object_set_new(o, "aliases", strings_json(&v->aliases));
	if (v->summary)
		json_object_set_new(o, "summary", sw_cmd_jstr(v->summary));
	if (v->details)
		json_object_set_new(o, "details", sw_cmd_jstr(v->details));
	if (v->published)
		json_object_set_new(o, "published", sw_cmd_jstr(v->published));
	if (v->modified)
		json_object_set_new(o, "modified", sw_cmd_jstr(v->modified));
	if (v->withdrawn)
		json_object_set_new(o, "withdrawn", sw_cmd_jstr(v->withdrawn));
	json_object_set_new(o, "cwes", strings_json(&v->cwes));
	json_object_set_new(o, "references", strings_json(&v->references));
	json_t *sev = json_array();
	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *s = v->severities.items[i];
		json_t *x = json_object();
		json_object_set_new(x, "source", sw_cmd_jstr(s->source));
		json_object_set_new(x, "type", sw_cmd_jstr(s->type));
		if (s->vector)
			json_object_set_new(x, "vector", sw_cmd_jstr(s->vector));
		json_object_set_new(x, "score", json_real(s->score));
		json_object_set_new(x, "rating", sw_cmd_jstr(s->rating));
		json_array_append_new(sev, x);
	}
	json_object_set_new(o, "severities", sev);
	json_t *aff = json_array();
	for (size_t i = 0; i < v->affected.len; i++)
		json_array_append_new(aff, affected_json(v->affected.items[i]));
	json_object_set_new(o, "affected", aff);
	return o;
}

static void print_ranges(const struct sw_affected *a)
{
	static const char *const kinds[] = { "introduced", "fixed", "last_affected", "limit" };
	for (size_t i = 0; i < a->ranges.len; i++) {
		const struct sw_range *r = a->ranges.items[i];
		tprintf(" %s[", r->type);
		for (size_t k = 0; k < r->events.len; k++) {
			const struct sw_event *e = r->events.items[k];
			tprintf("%s%s=%s", k ? " " : "", kinds[e->kind], e->version);
		}
		tprintf("]");
	}
	if (a->versions.len)
		tprintf(" versions=%zu", a->versions.len);
	for (size_t i = 0; i < a->affected_exprs.len; i++)
		tprintf(" affected '%s'", (const char *)a->affected_exprs.items[i]);
	for (size_t i = 0; i < a->unaffected_exprs.len; i++)
		tprintf(" unaffected '%s'", (const char *)a->unaffected_exprs.items[i]);
}

struct search_ctx {
	bool json;
	json_t *hits;
	size_t n;
};

static int search_hit(void *ctx, const struct sw_vuln *v, const struct sw_affected *a, struct sw_err *err)
{
	(void)err;
	struct search_ctx *s = ctx;
	s->n++;
	if (s->json) {
		json_t *o = vuln_json(v);
		json_object_set_new(o, "affected", affected_json(a));
		json_array_append_new(s->hits, o);
		return 0;
	}
	tprintf("%-22s %-14s %-30s %-12s", v->id, a->ecosystem, a->package, sw_vuln_status_name(a->status));
	print_ranges(a);
	if (v->withdrawn)
		tprintf(" (withdrawn %s)", v->withdrawn);
	tprintf("\n");
	return 0;
}

static void print_vuln(const struct sw_vuln *v)
{
	tprintf("id:         %s\n", v->id);
	tprintf("sources:    %s\n", v->source ? v->source : "");
	if (v->aliases.len) {
		tprintf("aliases:   ");
		for (size_t i = 0; i < v->aliases.len; i++)
			tprintf(" %s", (const char *)v->aliases.items[i]);
		tprintf("\n");
	}
	if (v->summary) {
		char *sum = sw_term_clean(v->summary, SW_TERM_FOLD, 0);   /* one line */
		tprintf("summary:    %s\n", sum);
		free(sum);
	}
	if (v->published)
		tprintf("published:  %s\n", v->published);
	if (v->modified)
		tprintf("modified:   %s\n", v->modified);
	if (v->withdrawn)
		tprintf("withdrawn:  %s\n", v->withdrawn);
	if (v->cwes.len) {
		tprintf("cwes:      ");
		for (size_t i = 0; i < v->cwes.len; i++)
			tprintf(" %s", (const char *)v->cwes.items[i]);
		tprintf("\n");
	}
	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *s = v->severities.items[i];
		tprintf("severity:   %s %s %s", s->source, s->type, s->rating);
		if (s->vector)
			tprintf(" %s", s->vector);
		if (s->score >= 0)
			tprintf(" (%.1f)", s->score);
		tprintf("\n");
	}
	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		tprintf("affected:   %s %s %s", a->ecosystem, a->package, sw_vuln_status_name(a->status));
		if (a->severity)
			tprintf(" severity=%s", a->severity);
		print_ranges(a);
		tprintf("\n");
	}
	for (size_t i = 0; i < v->references.len; i++)
		tprintf("reference:  %s\n", (const char *)v->references.items[i]);
}

static int db_search(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "ecosystem", required_argument, NULL, OPT_ECO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *eco = NULL;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: path = optarg; break;
		case OPT_JSON: json = true; break;
		case OPT_ECO: eco = optarg; break;
		case 'h': help_search(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("db search", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return sw_cmd_usage_error("db search", "expected one ID or PACKAGE");
	const char *q = argv[optind];
	struct sw_err err = SW_ERR_INIT;
	struct sw_vulndb *db = NULL;
	if (sw_vulndb_open(path, SW_VULNDB_RDONLY, &db, &err) < 0)
		return sw_cmd_fail(&err);
	int rc = SW_EXIT_OK;
	struct sw_vuln *v = NULL;
	(void)sw_vulndb_begin_read(db, &err);
	if (!eco && sw_vulndb_get(db, q, &v, &err) < 0) {
		rc = sw_cmd_fail(&err);
	} else if (v) {
		struct sw_kev *k = NULL;
		struct sw_epss *e = NULL;
		const char *cve = sw_starts_with(v->id, "CVE-") ? v->id : NULL;
		for (size_t i = 0; !cve && i < v->aliases.len; i++)
			if (sw_starts_with(v->aliases.items[i], "CVE-"))
				cve = v->aliases.items[i];
		if (cve && sw_vulndb_kev(db, cve, &k, &err) < 0)
			k = NULL;
		if (cve && sw_vulndb_epss(db, cve, &e, &err) < 0)
			e = NULL;
		if (json) {
			json_t *o = vuln_json(v);
			if (k) {
				json_t *kj = json_object();
				json_object_set_new(kj, "date_added", sw_cmd_jstr(k->date_added ? k->date_added : ""));
				json_object_set_new(kj, "due_date", sw_cmd_jstr(k->due_date ? k->due_date : ""));
				json_object_set_new(kj, "ransomware", json_boolean(k->ransomware));
				json_object_set_new(o, "kev", kj);
			}
			if (e) {
				json_t *ej = json_object();
				json_object_set_new(ej, "score", json_real(e->score));
				json_object_set_new(ej, "percentile", json_real(e->percentile));
				json_object_set_new(ej, "date", sw_cmd_jstr(e->date ? e->date : ""));
				json_object_set_new(o, "epss", ej);
			}
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
			putchar('\n');
			json_decref(o);
		} else {
			print_vuln(v);
			if (k)
				tprintf("kev:        %s, added %s, due %s%s\n", cve, k->date_added ? k->date_added : "?",
				       k->due_date ? k->due_date : "?", k->ransomware ? ", used by ransomware" : "");
			if (e)
				tprintf("epss:       %.5f (percentile %.5f, %s)\n", e->score, e->percentile,
				       e->date ? e->date : "?");
		}
		sw_kev_free(k);
		sw_epss_free(e);
		sw_vuln_free(v);
	} else {
		struct search_ctx s = { json, json ? json_array() : NULL, 0 };
		int r = eco ? sw_vulndb_lookup(db, eco, q, search_hit, &s, &err)
			    : sw_vulndb_lookup_any(db, q, search_hit, &s, &err);
		if (r < 0) {
			rc = sw_cmd_fail(&err);
		} else if (s.n == 0) {
			sw_cmd_msg("no vulnerability or package matches '%s'", q);
			rc = SW_EXIT_FAIL;
		}
		if (json && r >= 0 && s.n) {
			json_dumpf(s.hits, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
			putchar('\n');
		}
		json_decref(s.hits);
	}
	(void)sw_vulndb_end_read(db, &err);
	sw_vulndb_close(db);
	return rc;
}

/* ---------------------------------------------------------------- sources */

static int db_sources(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case 'h':
			printf("usage: stowaway db sources [--json]\n"
			       "\n"
			       "List the default upstream locations 'db update' reads, with the way each\n"
			       "is updated after its first full read and, when STOWAWAY_UPSTREAM_OVERRIDE\n"
			       "is set, the URL actually fetched.\n");
			return SW_EXIT_OK;
		default: return sw_cmd_usage_error("db sources", "unknown option");
		}
	}
	if (optind < argc)
		return sw_cmd_usage_error("db sources", "unexpected argument '%s'", argv[optind]);
	struct sw_err err = SW_ERR_INIT;
	if (sw_vulndb_override_check(&err) < 0)
		return sw_cmd_fail(&err);
	size_t n = 0;
	const struct sw_vulndb_default_location *d = sw_vulndb_default_locations(&n);
	json_t *arr = json ? json_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		char *fetched = sw_vulndb_override_url(d[i].url);
		const char *how = sw_vulndb_location_incremental(d[i].source, d[i].url);
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "source", sw_cmd_jstr(d[i].source));
			json_object_set_new(o, "url", sw_cmd_jstr(d[i].url));
			json_object_set_new(o, "fetched_from", sw_cmd_jstr(fetched));
			json_object_set_new(o, "incremental", sw_cmd_jstr(how));
			if (d[i].include)
				json_object_set_new(o, "include", sw_cmd_jstr(d[i].include));
			json_array_append_new(arr, o);
		} else {
			tprintf("%-12s %-20s %s\n", d[i].source, how, d[i].url);
			if (strcmp(fetched, d[i].url) != 0)
				tprintf("%-12s %-20s   fetched from %s\n", "", "", fetched);
		}
		free(fetched);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(arr);
	}
	return SW_EXIT_OK;
}

/* ---------------------------------------------------------------- dispatch */

static int db_export(int argc, char **argv) { return db_file_cmd(argc, argv, true); }
static int db_import(int argc, char **argv) { return db_file_cmd(argc, argv, false); }

static const struct sw_cmd db_cmds[] = {
	{ "update", "fetch the sources and build a new database", db_update },
	{ "info", "schema version, build time, per-source counts", db_info },
	{ "export", "write the database as one checksummed file", db_export },
	{ "import", "install a file written by 'db export'", db_import },
	{ "search", "show a vulnerability or a package's entries", db_search },
	{ "sources", "list the default upstream locations", db_sources },
	{ "push", "upload the database to a registry as an OCI artifact", cmd_db_push },
	{ "pull", "download a pushed database, verify it and install it", cmd_db_pull },
};

int cmd_db(int argc, char **argv)
{
	if (argc < 2) {
		help_db(stderr);
		return SW_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		help_db(stdout);
		return SW_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(db_cmds) / sizeof(db_cmds[0]); i++) {
		if (strcmp(sub, db_cmds[i].name) == 0) {
			optind = 0;
			return db_cmds[i].fn(argc - 1, argv + 1);
		}
	}
	return sw_cmd_usage_error("db", "unknown command '%s'", sub);
}
