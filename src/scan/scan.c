/* scan.c - one scan: filters, database, inventory, match, completeness, gate (scan.h). */
#include "scan/scan.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "inventory/filescan.h"
#include "inventory/sbom_read.h"
#include "malware/malware.h"
#include "match/filter.h"
#include "secrets/secrets.h"
#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

/* SBOMs larger than this are refused (a million components fit). */
#define SCAN_SBOM_MAX ((size_t)512 << 20)
#define DEFAULT_IGNOREFILE ".stowawayignore"

static void phase(const struct sw_scan_opts *o, const char *name)
{
	if (o->phase)
		o->phase(o->phase_ctx, name);
}

static int load_sbom(const char *path, struct sw_inventory **inv, struct sw_err *err)
{
	/* a regular file is mapped (its page-cache pages, not a copy: fewer
	 * page faults); anything else (a pipe, /dev/stdin) is read */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SCAN_SBOM_MAX) {
		size_t len = (size_t)st.st_size;
		void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map != MAP_FAILED) {
			int r = sw_inventory_from_sbom(path, map, len, inv, err);
			munmap(map, len);
			return r;
		}
	} else if (fd >= 0) {
		close(fd);
	}
	struct sw_buf b = SW_BUF_INIT;
	int r = sw_buf_read_file(&b, path, SCAN_SBOM_MAX, err);
	if (r == 0)
		r = sw_inventory_from_sbom(path, b.data, b.len, inv, err);
	sw_buf_release(&b);
	return r;
}

/* $STOWAWAY_NO_CACHE set to anything but "" or "0": as no_cache (the test
 * suite sets it). */
static bool env_no_cache(void)
{
	const char *nc = getenv("STOWAWAY_NO_CACHE");
	return nc && *nc && strcmp(nc, "0") != 0;
}

/* The config checks from the config image/ verified while opening (the
 * same bytes, not read again). */
static void run_config_checks(const struct sw_scan_opts *o, const struct sw_image_info *info,
			      struct sw_scan_result *r)
{
	struct sw_scan_scanner_state *st = &r->scanners_state[1];
	if (!info->config_json) {
		st->why_not = sw_xasprintf("could not run: the %s image has no config",
					   info->transport ? info->transport : "given");
		sw_checks_not_run(st->why_not, &r->checks);
		return;
	}
	struct sw_checks_opts co = { .now = o->now, .max_age_days = o->max_image_age_days,
				     .base_name = info->base_name, .base_digest = info->base_digest };
	/* never fails: bad input is a note and status info in the checks */
	struct sw_err cerr = SW_ERR_INIT;
	(void)sw_checks_run_config(info->config_json, strlen(info->config_json), info->layers.len, &co,
				   &r->checks, &cerr);
	r->config_json = sw_xstrdup(info->config_json);
	st->ran = true;
}

/* ---- content scanners (secret, malware) ----
 *
 * Each is opened before the image is read (a database that cannot be
 * loaded is an error before any work is done), handed to the layer pass
 * through struct sw_inventory_opts, and closed after the scan. */

struct content {
	int state;                          /* index in scanners_state */
	const struct sw_file_scanner *fs;   /* NULL: not open (why_not says why) */
	void *handle;
	void (*close)(void *handle);
};

#define SCAN_NCONTENT 2

static void secrets_close(void *h)
{
	sw_secrets_free(h);
}

static int open_secret(const struct sw_scan_opts *o, struct content *c, char **why_not,
		       struct sw_vec *warnings, struct sw_err *err)
{
	(void)why_not, (void)warnings;
	struct sw_secrets_opts so = { .config_path = o->secret_config, .max_size = o->secret_max_size };
	struct sw_secrets *s = NULL;
	if (sw_secrets_new(&so, &s, err) < 0)
		return -1;
	c->handle = s;
	c->close = secrets_close;
	c->fs = sw_secrets_file_scanner(s);
	return 0;
}

/* Replace *p by its copy with the secrets the rules find masked; `memo`
 * keeps the last line and its result (many packages share one line). */
static void mask_line(struct sw_secrets *s, char **p, char **memo_in, char **memo_out)
{
	if (!*p)
		return;
	if (!*memo_in || strcmp(*memo_in, *p) != 0) {
		free(*memo_in);
		free(*memo_out);
		*memo_in = sw_xstrdup(*p);
		*memo_out = sw_secrets_mask_text(s, *p, strlen(*p));
	}
	if (*memo_out)
		sw_str_set(p, *memo_out);
}

/* Every string of a JSON value, masked in place (mask_config). */
static void mask_json_strings(struct sw_secrets *s, json_t *v)
{
	if (json_is_string(v)) {
		char *m = sw_secrets_mask_text(s, json_string_value(v), json_string_length(v));
		if (m && strcmp(m, json_string_value(v)) != 0)
			json_string_set(v, m);
		free(m);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			mask_json_strings(s, e);
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e)
			mask_json_strings(s, e);
	}
}

/* The config copy the result keeps (the policy's dockerfile gate, the JSON
 * report's imageConfig) gets the same masking as the history lines: every
 * string value through the secret rules.  A config that does not parse is
 * kept as it is (the checks said why; the report reduces it or drops it). */
static void mask_config(struct sw_secrets *s, char **config_json)
{
	json_t *doc = *config_json ? json_loads(*config_json, 0, NULL) : NULL;
	if (!doc)
		return;
	mask_json_strings(s, doc);
	char *out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (out) {
		sw_str_set(config_json, out);
		free(out);
	}
}

/* History lines are printed by every report (a layer's createdBy, a
 * package's layer, a check's evidence): with the secret scanner on, the
 * secrets its rules find in them are masked too, not only the NAME=VALUE
 * forms image/ masks (util/secretmask.h). */
static void mask_history(struct sw_secrets *s, struct sw_inventory *inv, struct sw_check_list *checks)
{
	char *in = NULL, *out = NULL;
	for (size_t i = 0; i < inv->layers.len; i++)
		mask_line(s, &((struct sw_inv_layer *)inv->layers.items[i])->created_by, &in, &out);
	for (size_t i = 0; i < inv->packages.len; i++)
		mask_line(s, &((struct sw_package *)inv->packages.items[i])->layer_created_by, &in, &out);
	for (size_t i = 0; i < checks->results.len; i++) {
		struct sw_check_result *c = checks->results.items[i];
		for (size_t k = 0; k < c->evidence.len; k++) {
			struct sw_check_evidence *e = c->evidence.items[k];
			mask_line(s, &e->created_by, &in, &out);
			mask_line(s, &e->detail, &in, &out);
		}
	}
	free(in);
	free(out);
}

/* The secret scanner over the config's strings: each Env entry, each label
 * ("KEY=VALUE") and each history created_by, read from the config image/
 * verified (findings: path NULL, layer -1, detail "config.Env",
 * "config.Labels", "history[N]"). */
static int scan_config_secrets(struct sw_secrets *s, const char *config_json, struct sw_inventory *inv,
			       struct sw_err *err)
{
	json_t *doc = config_json ? json_loads(config_json, 0, NULL) : NULL;
	if (!doc)
		return 0;   /* image/ verified it; nothing to scan when it is not an object */
	int rc = 0;
	json_t *cfg = json_object_get(doc, "config");
	json_t *env = json_object_get(cfg, "Env");
	size_t i;
	json_t *v;
	json_array_foreach(env, i, v) {
		if (rc == 0 && json_is_string(v))
			rc = sw_secrets_scan_text(s, "config.Env", json_string_value(v), json_string_length(v),
						  &inv->file_findings, err);
	}
	const char *key;
	json_object_foreach(json_object_get(cfg, "Labels"), key, v) {
		if (rc < 0 || !json_is_string(v))
			continue;
		char *kv = sw_xasprintf("%s=%s", key, json_string_value(v));
		rc = sw_secrets_scan_text(s, "config.Labels", kv, strlen(kv), &inv->file_findings, err);
		free(kv);
	}
	json_array_foreach(json_object_get(doc, "history"), i, v) {
		json_t *cb = json_object_get(v, "created_by");
		if (rc < 0 || !json_is_string(cb))
			continue;
		char where[48];
		snprintf(where, sizeof(where), "history[%zu]", i);
		rc = sw_secrets_scan_text(s, where, json_string_value(cb), json_string_length(cb),
					  &inv->file_findings, err);
	}
	json_decref(doc);
	return rc;
}

static void malware_close(void *h)
{
	sw_malware_close(h);
}

static int open_malware(const struct sw_scan_opts *o, struct content *c, char **why_not,
			struct sw_vec *warnings, struct sw_err *err)
{
	/* the database's age is a matter of the clock, not of o->now (which
	 * SOURCE_DATE_EPOCH may pin for reproducible documents) */
	struct sw_malware_opts mo = { .db_dir = o->clamav_db };
	struct sw_malware *m = NULL;
	if (sw_malware_open(&mo, &m, why_not, warnings, err) < 0)
		return -1;
	if (m) {
		c->handle = m;
		c->close = malware_close;
		c->fs = sw_malware_file_scanner(m);
	}
	return 0;
}

static int open_content(const struct sw_scan_opts *o, struct sw_scan_result *r, struct content *cs,
			struct sw_err *err)
{
	static const struct {
		int state;
		int (*open)(const struct sw_scan_opts *, struct content *, char **, struct sw_vec *,
			    struct sw_err *);
	} table[SCAN_NCONTENT] = { { 2, open_secret }, { 3, open_malware } };
	for (size_t i = 0; i < SCAN_NCONTENT; i++) {
		struct sw_scan_scanner_state *st = &r->scanners_state[table[i].state];
		cs[i].state = table[i].state;
		if (!st->requested)
			continue;
		if (o->sbom || o->sbom_data) {
			st->why_not = sw_xstrdup("not checked (an SBOM has no files)");
			continue;
		}
		if (table[i].open(o, &cs[i], &st->why_not, &r->warnings, err) < 0)
			return -1;
	}
	return 0;
}

static void close_content(struct content *cs)
{
	for (size_t i = 0; i < SCAN_NCONTENT; i++)
		if (cs[i].close)
			cs[i].close(cs[i].handle);
}

/* raw_config (client mode, or NULL): a copy of the image config for the
 * remote matcher, masked like r->config_json. */
static int open_daemon(const char *name, struct sw_engine **eng, struct sw_engine_stream **st, struct sw_err *err)
{
	if (!*name)
		return sw_err_set(err, SW_E_USAGE, "%s: give an image name or id", SW_SCAN_DOCKER_DAEMON);
	if (sw_engine_open(NULL, eng, err) < 0)
		return -1;
	char *esc = sw_engine_escape(name);
	char *path = sw_xasprintf("/images/%s/get", esc);
	free(esc);
	int rc = sw_engine_stream_open(*eng, path, st, err);
	free(path);
	if (rc < 0) {
		sw_engine_close(*eng);
		*eng = NULL;
	}
	return rc;
}

static int load_image(const struct sw_scan_opts *o, struct sw_scan_result *r, const struct content *cs,
		      char **raw_config, struct sw_err *err)
{
	struct sw_image *img = NULL;
	struct sw_inventory **inv = &r->inventory;
	struct sw_inventory_opts io = {
		.progress = o->progress,
		.progress_ctx = o->progress_ctx,
		.cache_dir = o->cache_dir,
		.no_cache = o->no_cache || env_no_cache(),
		.cancelled = o->cancelled,
		.cancel_ctx = o->cancel_ctx,
	};
	const struct sw_file_scanner *fs[SCAN_NCONTENT];
	for (size_t i = 0; i < SCAN_NCONTENT; i++)
		if (cs[i].fs)
			fs[io.nscanners++] = cs[i].fs;
	io.scanners = fs;
	int rc;
	sw_read_fn rd = o->archive_read;
	void *rctx = o->archive_ctx;
	const char *aname = o->archive_name ? o->archive_name : "archive";
	struct sw_engine *eng = NULL;
	struct sw_engine_stream *est = NULL;
	if (!rd && o->image && sw_starts_with(o->image, SW_SCAN_DOCKER_DAEMON)) {
		/* `docker save` from the daemon, read as it streams (engine.h) */
		if (open_daemon(o->image + strlen(SW_SCAN_DOCKER_DAEMON), &eng, &est, err) < 0)
			return -1;
		rd = sw_engine_stream_read;
		rctx = est;
		aname = o->image;
	}
	if (rd) {
		/* the layer pass runs as the archive streams by; the config is
		 * known (and checked) only at its end */
		rc = sw_inventory_build_stream(rd, rctx, aname, &o->image_opts, &io, &img, inv, err);
		sw_engine_stream_close(est);
		sw_engine_close(eng);
		if (rc < 0)
			return -1;
		if (eng) { /* what was read is docker save's archive; where from is the daemon */
			free((*inv)->transport);
			(*inv)->transport = sw_xstrdup("docker-daemon");
		}
		if (r->scanners & SW_SCAN_CONFIG)
			run_config_checks(o, sw_image_get_info(img), r);
		rc = 0;
	} else {
		if (sw_image_open(o->image, &o->image_opts, &img, err) < 0)
			return -1;
		if (r->scanners & SW_SCAN_CONFIG)
			run_config_checks(o, sw_image_get_info(img), r);
		rc = sw_inventory_build(img, &io, inv, err);
	}
	/* the secret scanner also reads the config's strings */
	if (rc == 0 && cs[0].fs) {
		rc = scan_config_secrets(cs[0].handle, sw_image_get_info(img)->config_json, *inv, err);
		mask_history(cs[0].handle, *inv, &r->checks);
		mask_config(cs[0].handle, &r->config_json);
	}
	if (rc == 0 && raw_config && sw_image_get_info(img)->config_json) {
		*raw_config = sw_xstrdup(sw_image_get_info(img)->config_json);
		if (cs[0].fs)
			mask_config(cs[0].handle, raw_config);
	}
	for (size_t i = 0; rc == 0 && i < SCAN_NCONTENT; i++)
		if (cs[i].fs)
			r->scanners_state[cs[i].state].ran = true;
	/* what the malware scanner could not do (limits hit) is said on the scan */
	for (size_t i = 0; rc == 0 && r->scanners_state[3].ran && i < (*inv)->warnings.len; i++)
		if (strstr((*inv)->warnings.items[i], SW_MALWARE_WARNING_TAG) ||
		    strstr((*inv)->warnings.items[i], " the malware scanner"))
			sw_vec_push_strdup(&r->warnings, (*inv)->warnings.items[i]);
	const struct sw_image_info *info = sw_image_get_info(img);
	if (rc == 0 && r->scanners_state[1].ran) {
		/* the file checks, from the facts the same layer pass collected */
		struct sw_err cerr = SW_ERR_INIT;
		(void)sw_checks_run_files(info->config_json, strlen(info->config_json), *inv, &r->checks, &cerr);
	}
	sw_image_close(img);
	return rc;
}

static int load_filter(const struct sw_scan_opts *o, struct sw_filter *f, struct sw_err *err)
{
	f->severity_mask = o->severity_mask;
	f->status_mask = o->status_mask;
	f->ignore_unfixed = o->ignore_unfixed;
	const char *ignorefile = o->ignorefile;
	if (!ignorefile && !o->no_default_ignorefile && access(DEFAULT_IGNOREFILE, R_OK) == 0)
		ignorefile = DEFAULT_IGNOREFILE;
	if (ignorefile && sw_filter_load_ignore_file(f, ignorefile, err) < 0)
		return -1;
	for (size_t i = 0; i < o->nvex; i++)
		if (sw_filter_load_vex(f, o->vex[i], err) < 0)
			return -1;
	return 0;
}

static int open_db(const struct sw_scan_opts *o, struct sw_vulndb **db, bool *stale, struct sw_err *err)
{
	if (sw_vulndb_open(o->db_path, SW_VULNDB_RDONLY, db, err) < 0) {
		if (err->code == SW_E_NOTFOUND)
			sw_err_set(err, SW_E_NOTFOUND,
				   "no vulnerability database at '%s': run 'stowaway db update' first",
				   o->db_path ? o->db_path : sw_vulndb_default_path());
		return -1;
	}
	int64_t limit = o->max_db_age > 0 ? o->max_db_age : SW_SCAN_STALE_AFTER;
	if (sw_vulndb_check_age(*db, limit, stale, err) < 0)
		return -1;
	if (*stale && o->max_db_age > 0) {
		if (o->max_db_age_text)
			return sw_err_set(err, SW_E_DB,
					  "database '%s' is older than --max-db-age %s: run 'stowaway db update'",
					  sw_vulndb_path(*db), o->max_db_age_text);
		return sw_err_set(err, SW_E_DB,
				  "database '%s' is older than %lld seconds: run 'stowaway db update'",
				  sw_vulndb_path(*db), (long long)o->max_db_age);
	}
	return 0;
}

/* Client mode: the stale rule and max_db_age on the remote database's
 * build time (the clock, as sw_vulndb_check_age). */
static int remote_db_age(const struct sw_scan_opts *o, int64_t built_at, bool *stale, struct sw_err *err)
{
	int64_t limit = o->max_db_age > 0 ? o->max_db_age : SW_SCAN_STALE_AFTER;
	*stale = built_at > 0 && (int64_t)time(NULL) - built_at > limit;
	if (*stale && o->max_db_age > 0)
		return sw_err_set(err, SW_E_DB, "the server's database is older than --max-db-age %s",
				  o->max_db_age_text ? o->max_db_age_text : "");
	return 0;
}

/* Malicious packages the match found (OSV MAL- records) are malware
 * findings: moved to the inventory's file findings, where the malware
 * section of every report and the gate see them.  One already there (a
 * stored inventory scanned again) is not added twice. */
static void take_malicious(struct sw_scan_result *r)
{
	if (!r->match || !r->inventory)
		return;
	struct sw_vec *ff = &r->inventory->file_findings;
	for (size_t i = 0; i < r->match->malicious.len; i++) {
		struct sw_file_finding *f = r->match->malicious.items[i];
		bool dup = false;
		for (size_t k = 0; k < ff->len && !dup; k++) {
			const struct sw_file_finding *o = ff->items[k];
			dup = sw_streq(o->scanner, f->scanner) && sw_streq(o->rule_id, f->rule_id) &&
			      sw_streq(o->path, f->path);
		}
		if (dup)
			sw_file_finding_free(f);
		else
			sw_vec_push(ff, f);
	}
	sw_vec_release(&r->match->malicious);
}

void sw_scan_gate(struct sw_scan_result *r, const struct sw_scan_opts *o)
{
	r->verdict = SW_SCAN_PASS;
	r->gate_findings = 0;
	r->gate_checks = 0;
	r->gate_files = 0;
	if (!o->gate) {
		if (r->policy && r->policy->final_action == SW_POLICY_STOP)
			r->verdict = SW_SCAN_FAIL;
		return;
	}
	for (size_t i = 0; r->match && i < r->match->findings.len; i++) {
		const struct sw_finding *f = r->match->findings.items[i];
		if (!f->suppressed && f->severity >= o->fail_on)
			r->gate_findings++;
	}
	for (size_t i = 0; i < r->checks.results.len; i++) {
		const struct sw_check_result *c = r->checks.results.items[i];
		if (c->status == SW_CHECK_FAIL && !c->suppressed && c->severity >= o->fail_on)
			r->gate_checks++;
	}
	for (size_t i = 0; r->inventory && i < r->inventory->file_findings.len; i++) {
		const struct sw_file_finding *f = r->inventory->file_findings.items[i];
		if (!f->suppressed && f->severity >= o->fail_on)
			r->gate_files++;
	}
	if (!r->complete && !o->allow_incomplete)
		r->verdict = SW_SCAN_FAIL_INCOMPLETE;
	else if (r->gate_findings || r->gate_checks || r->gate_files)
		r->verdict = SW_SCAN_FAIL;
	if (r->verdict == SW_SCAN_PASS && r->policy && r->policy->final_action == SW_POLICY_STOP)
		r->verdict = SW_SCAN_FAIL;
}

/* The policy, on what the scan found (plain data: policy/policy.h). */
static int run_policy(const struct sw_scan_opts *o, const struct sw_policy_bundle *b,
		      struct sw_scan_result *r, struct sw_err *err)
{
	struct sw_policy_input in = {
		.inv = r->inventory,
		.match = r->match,
		.vuln_ran = r->scanners_state[0].ran,
		.vuln_why_not = r->scanners_state[0].why_not,
		.db_built_at = r->db_built_at,
		.checks = &r->checks,
		.checks_ran = r->scanners_state[1].ran,
		.secret_ran = r->scanners_state[2].ran,
		.malware_ran = r->scanners_state[3].ran,
		.config_json = r->config_json,
		.config_len = r->config_json ? strlen(r->config_json) : 0,
		.repo_tag = o->policy_tag,
		.now = o->now,
	};
	if (!(r->scanners & SW_SCAN_VULN) && !in.vuln_why_not)
		in.vuln_why_not = "not asked for (--scanners)";
	return sw_policy_eval(b, &in, &r->policy, err);
}

static void completeness(struct sw_scan_result *r, unsigned explicit_scanners)
{
	for (size_t i = 0; i < r->inventory->incomplete.len; i++)
		sw_vec_push_strdup(&r->incomplete, r->inventory->incomplete.items[i]);
	for (size_t i = 0; r->match && i < r->match->incomplete.len; i++)
		sw_vec_push_strdup(&r->incomplete, r->match->incomplete.items[i]);
	/* a content scanner asked for (by name: --scanners) that did not look
	 * is not a clean pass; one that is only on by default and does not apply
	 * to the input (an SBOM has no files) is listed as not checked in every
	 * format, without making the result incomplete */
	for (int i = 2; i < SW_SCAN_NSCANNERS; i++) {
		const struct sw_scan_scanner_state *st = &r->scanners_state[i];
		if (st->requested && !st->ran && ((explicit_scanners >> i) & 1u))
			sw_vec_push(&r->incomplete, sw_xasprintf("%s: %s", st->name,
								 st->why_not ? st->why_not : "not checked"));
	}
	r->complete = r->incomplete.len == 0;
}

static bool cancelled(const struct sw_scan_opts *o, struct sw_err *err)
{
	if (o->cancelled && o->cancelled(o->cancel_ctx)) {
		sw_err_set(err, SW_E_CANCELLED, "cancelled");
		return true;
	}
	return false;
}

static int load_sbom_any(const struct sw_scan_opts *o, struct sw_inventory **inv, struct sw_err *err)
{
	if (o->sbom)
		return load_sbom(o->sbom, inv, err);
	if (o->sbom_len > SCAN_SBOM_MAX)
		return sw_err_set(err, SW_E_LIMIT, "%s: the SBOM is larger than %zu bytes",
				  o->sbom_name ? o->sbom_name : "SBOM", SCAN_SBOM_MAX);
	return sw_inventory_from_sbom(o->sbom_name ? o->sbom_name : "SBOM", o->sbom_data, o->sbom_len, inv, err);
}

int sw_scan_run(const struct sw_scan_opts *o, struct sw_scan_result **out, struct sw_err *err)
{
	int inputs = !!o->image + !!o->sbom + !!o->archive_read + !!o->sbom_data;
	if (inputs != 1)
		return sw_err_set(err, SW_E_USAGE, "scan: give an image or an SBOM, not %s",
				  inputs ? "several" : "neither");
	bool is_sbom = o->sbom || o->sbom_data;
	unsigned scanners = o->scanners ? o->scanners : SW_SCAN_DEFAULT;
	if (scanners & ~(unsigned)SW_SCAN_ALL)
		return sw_err_set(err, SW_E_USAGE, "scan: unknown scanner bits 0x%x",
				  scanners & ~(unsigned)SW_SCAN_ALL);

	struct sw_scan_result *r = sw_xcalloc(1, sizeof(*r));
	r->scanners = scanners;
	static const char *const names[SW_SCAN_NSCANNERS] = { "vuln", "config", "secret", "malware" };
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++) {
		r->scanners_state[i].name = names[i];
		r->scanners_state[i].requested = (scanners >> i) & 1u;
	}
	struct content cs[SCAN_NCONTENT];
	memset(cs, 0, sizeof(cs));
	struct sw_filter filter;
	sw_filter_init(&filter, o->now);
	struct sw_vulndb *db = NULL;
	struct sw_policy_bundle *own_policy = NULL;
	int rc = -1;

	/* everything the user named must load before any work is done */
	if (load_filter(o, &filter, err) < 0)
		goto out;
	if (o->policy && o->policy_path) {
		sw_err_set(err, SW_E_USAGE, "scan: give a policy bundle or its path, not both");
		goto out;
	}
	if (o->policy_path && sw_policy_bundle_load_arg(o->policy_path, &own_policy, err) < 0)
		goto out;
	bool remote = o->remote_match && (scanners & SW_SCAN_VULN);
	char *raw_config = NULL;
	if (remote && o->sbom) {
		sw_err_set(err, SW_E_USAGE, "scan: client mode takes an image, not an SBOM");
		goto out;
	}
	if ((scanners & SW_SCAN_VULN) && !remote && open_db(o, &db, &r->db_stale, err) < 0)
		goto out;
	if (db)
		r->db_built_at = sw_vulndb_built_at(db);
	if (r->db_stale)
		sw_vec_push(&r->warnings, sw_xstrdup("the vulnerability database is more than 7 days old; "
						     "run 'stowaway db update' (or set --max-db-age to fail on it)"));
	if (open_content(o, r, cs, err) < 0)
		goto out;
	phase(o, "open");
	if ((is_sbom ? load_sbom_any(o, &r->inventory, err)
		     : load_image(o, r, cs, remote ? &raw_config : NULL, err)) < 0)
		goto out;
	if (cancelled(o, err))
		goto out;
	if (is_sbom && (scanners & SW_SCAN_CONFIG)) {
		r->scanners_state[1].why_not = sw_xstrdup("could not run: no image config in an SBOM");
		sw_checks_not_run(r->scanners_state[1].why_not, &r->checks);
	}
	phase(o, "inventory");
	if (remote) {
		int k = o->remote_match(o->remote_ctx, r->inventory, raw_config, &r->match, &r->db_built_at, err);
		free(raw_config);
		if (k < 0 || remote_db_age(o, r->db_built_at, &r->db_stale, err) < 0)
			goto out;
		if (r->db_stale)
			sw_vec_push(&r->warnings, sw_xstrdup("the server's vulnerability database is more than 7 days "
							     "old (or set --max-db-age to fail on it)"));
	}
	if (scanners & SW_SCAN_VULN) {
		if (!remote && sw_match_inventory(db, r->inventory, &o->match, &r->match, err) < 0)
			goto out;
		take_malicious(r);
		r->scanners_state[0].ran = true;
		phase(o, "match");
		sw_filter_apply(&filter, r->inventory, r->match);
		phase(o, "filters");
	} else {
		r->match = sw_xcalloc(1, sizeof(*r->match));
	}
	for (size_t i = 0; i < r->checks.results.len; i++) {
		struct sw_check_result *c = r->checks.results.items[i];
		c->suppressed = sw_filter_id_suppressed(&filter, c->id,
							c->status == SW_CHECK_FAIL ? (int)c->severity : -1);
		if (!c->suppressed && (o->check_status_mask & (1u << c->status)))
			c->suppressed = sw_xasprintf("status %s ignored (--ignore-status)",
						     sw_check_status_name(c->status));
	}
	for (size_t i = 0; i < r->inventory->file_findings.len; i++) {
		struct sw_file_finding *f = r->inventory->file_findings.items[i];
		free(f->suppressed);
		f->suppressed = sw_filter_file_suppressed(&filter, f->rule_id, f->path, (int)f->severity);
	}
	completeness(r, o->scanners);
	if (o->policy || own_policy) {
		if (run_policy(o, o->policy ? o->policy : own_policy, r, err) < 0)
			goto out;
		phase(o, "policy");
	}
	sw_scan_gate(r, o);
	*out = r;
	r = NULL;
	rc = 0;
out:
	close_content(cs);
	sw_vulndb_close(db);
	sw_policy_bundle_free(own_policy);
	sw_filter_release(&filter);
	sw_scan_result_free(r);
	return rc;
}

int sw_scan_inventory(const struct sw_scan_opts *o, struct sw_inventory *inv, const char *config_json,
		      size_t nlayers, struct sw_scan_result **out, struct sw_err *err)
{
	unsigned scanners = o->scanners ? o->scanners : SW_SCAN_DEFAULT;
	if (scanners & ~(unsigned)SW_SCAN_ALL) {
		sw_inventory_free(inv);
		return sw_err_set(err, SW_E_USAGE, "scan: unknown scanner bits 0x%x", scanners & ~(unsigned)SW_SCAN_ALL);
	}
	struct sw_scan_result *r = sw_xcalloc(1, sizeof(*r));
	r->scanners = scanners;
	r->inventory = inv;
	static const char *const names[SW_SCAN_NSCANNERS] = { "vuln", "config", "secret", "malware" };
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++) {
		r->scanners_state[i].name = names[i];
		r->scanners_state[i].requested = (scanners >> i) & 1u;
	}
	for (int i = 2; i < SW_SCAN_NSCANNERS; i++) {
		if (!r->scanners_state[i].requested)
			continue;
		if (o->stored_content & (1u << i))
			r->scanners_state[i].ran = true;   /* its findings are in the stored inventory */
		else
			r->scanners_state[i].why_not = sw_xasprintf("not checked (a stored inventory is re-matched "
								    "without reading the image's files)");
	}
	r->config_json = config_json ? sw_xstrdup(config_json) : NULL;
	struct sw_filter filter;
	sw_filter_init(&filter, o->now);
	struct sw_vulndb *db = NULL;
	struct sw_policy_bundle *own_policy = NULL;
	int rc = -1;
	if (load_filter(o, &filter, err) < 0)
		goto out;
	if (o->policy && o->policy_path) {
		sw_err_set(err, SW_E_USAGE, "scan: give a policy bundle or its path, not both");
		goto out;
	}
	if (o->policy_path && sw_policy_bundle_load_arg(o->policy_path, &own_policy, err) < 0)
		goto out;
	if ((scanners & SW_SCAN_VULN) && open_db(o, &db, &r->db_stale, err) < 0)
		goto out;
	if (db)
		r->db_built_at = sw_vulndb_built_at(db);
	if (r->db_stale)
		sw_vec_push(&r->warnings, sw_xstrdup("the vulnerability database is more than 7 days old; "
						     "run 'stowaway db update' (or set --max-db-age to fail on it)"));
	if (scanners & SW_SCAN_CONFIG) {
		struct sw_scan_scanner_state *st = &r->scanners_state[1];
		if (config_json) {
			struct sw_checks_opts co = { .now = o->now, .max_age_days = o->max_image_age_days };
			struct sw_err cerr = SW_ERR_INIT;
			(void)sw_checks_run_config(config_json, strlen(config_json), nlayers, &co, &r->checks, &cerr);
			/* the file checks, from the file facts the stored inventory kept */
			(void)sw_checks_run_files(config_json, strlen(config_json), r->inventory, &r->checks, &cerr);
			st->ran = true;
		} else {
			st->why_not = sw_xstrdup("could not run: the stored image has no config");
			sw_checks_not_run(st->why_not, &r->checks);
		}
	}
	if (scanners & SW_SCAN_VULN) {
		if (sw_match_inventory(db, r->inventory, &o->match, &r->match, err) < 0)
			goto out;
		take_malicious(r);
		r->scanners_state[0].ran = true;
		sw_filter_apply(&filter, r->inventory, r->match);
	} else {
		r->match = sw_xcalloc(1, sizeof(*r->match));
	}
	for (size_t i = 0; i < r->checks.results.len; i++) {
		struct sw_check_result *c = r->checks.results.items[i];
		c->suppressed = sw_filter_id_suppressed(&filter, c->id,
							c->status == SW_CHECK_FAIL ? (int)c->severity : -1);
	}
	completeness(r, o->scanners);
	if ((o->policy || own_policy) && run_policy(o, o->policy ? o->policy : own_policy, r, err) < 0)
		goto out;
	sw_scan_gate(r, o);
	*out = r;
	r = NULL;
	rc = 0;
out:
	sw_vulndb_close(db);
	sw_policy_bundle_free(own_policy);
	sw_filter_release(&filter);
	sw_scan_result_free(r);
	return rc;
}

void sw_scan_result_free(struct sw_scan_result *r)
{
	if (!r)
		return;
	sw_match_result_free(r->match);
	sw_inventory_free(r->inventory);
	sw_vec_free_strings(&r->warnings);
	sw_vec_free_strings(&r->incomplete);
	sw_check_list_release(&r->checks);
	sw_policy_result_free(r->policy);
	free(r->config_json);
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++)
		free(r->scanners_state[i].why_not);
	free(r);
}

int sw_scan_parse_ignore_status(const char *list, unsigned *vuln_mask, unsigned *check_mask,
				struct sw_err *err)
{
	static const enum sw_check_status cs[] = { SW_CHECK_PASS, SW_CHECK_FAIL, SW_CHECK_INFO, SW_CHECK_MANUAL };
	struct sw_buf rest = SW_BUF_INIT;
	unsigned cm = 0;
	const char *p = list;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		bool is_check = false;
		for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
			const char *w = sw_check_status_name(cs[i]);
			if (strlen(w) == n && strncmp(w, p, n) == 0) {
				cm |= 1u << cs[i];
				is_check = true;
			}
		}
		if (!is_check && n)
			sw_buf_addf(&rest, "%s%.*s", rest.len ? "," : "", (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	unsigned vm = 0;
	int rc = rest.len ? sw_filter_parse_statuses(rest.data, &vm, err) : 0;
	sw_buf_release(&rest);
	if (rc < 0)
		return rc;
	*vuln_mask = vm;
	*check_mask = cm;
	return 0;
}

int sw_scan_parse_scanners(const char *list, unsigned *out, struct sw_err *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "vuln", SW_SCAN_VULN }, { "config", SW_SCAN_CONFIG },
		      { "secret", SW_SCAN_SECRET }, { "malware", SW_SCAN_MALWARE } };
	unsigned m = 0;
	const char *p = list;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		bool ok = false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(names[i].name, p, n) == 0) {
				m |= names[i].bit;
				ok = true;
			}
		if (!ok)
			return sw_err_set(err, SW_E_USAGE, "unknown scanner '%.*s' (vuln, config, secret, malware)",
					  (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	if (!m)
		return sw_err_set(err, SW_E_USAGE, "no scanner named");
	*out = m;
	return 0;
}
