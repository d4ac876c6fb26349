/*
 * jobs.c - the scan worker pool, leases, re-matching and the database
 * watcher (server_int.h).  Scans go through scan/scan.h only: sw_scan_run
 * for an image the store does not know (or knows with other analyzers),
 * sw_scan_inventory for one it does; reports are written by report/.
 */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "checks/checks.h"
#include "image/image.h"
#include "inventory/image_cache.h"
#include "model/filefinding.h"
#include "report/report.h"
#include "scan/scan.h"
#include "server/server_int.h"
#include "util/map.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

static long long report_now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end = NULL;
		long long v = strtoll(e, &end, 10);
		if (end && !*end && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

char *srv_db_fingerprint(struct srv *s)
{
	const char *p = s->o->db_path ? s->o->db_path : sw_vulndb_default_path();
	struct stat st;
	if (stat(p, &st) != 0)
		return NULL;
	return sw_xasprintf("%lld:%lld.%09ld:%llu", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
}

void srv_wake(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

static void cred_free(struct srv_cred *c)
{
	if (!c)
		return;
	free(c->username);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c);
}

int srv_submit(struct srv *s, const char *ref, const char *kind, const char *options, const char *username,
	       const char *password, int64_t *id, bool *created, struct sw_err *err)
{
	if (sw_st_job_submit(s->store, ref, kind, options, srv_now(), id, created, err) < 0)
		return -1;
	if (username) {
		struct srv_cred *c = sw_xcalloc(1, sizeof(*c));
		c->job = *id;
		c->username = sw_xstrdup(username);
		c->password = sw_xstrdup(password);
		pthread_mutex_lock(&s->mu);
		for (size_t i = 0; i < s->creds.len; i++) {
			struct srv_cred *o = s->creds.items[i];
			if (o->job == *id) {
				cred_free(o);
				s->creds.items[i] = s->creds.items[--s->creds.len];
				break;
			}
		}
		sw_vec_push(&s->creds, c);
		pthread_mutex_unlock(&s->mu);
	}
	srv_wake(s);
	return 0;
}

static struct srv_cred *take_cred(struct srv *s, int64_t job)
{
	struct srv_cred *c = NULL;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->creds.len && !c; i++) {
		struct srv_cred *o = s->creds.items[i];
		if (o->job == job) {
			c = o;
			s->creds.items[i] = s->creds.items[--s->creds.len];
		}
	}
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void base_opts(struct srv *s, struct sw_scan_opts *so)
{
	struct sw_scan_opts d = SW_SCAN_OPTS_INIT;
	*so = d;
	so->db_path = s->o->db_path;
	so->no_default_ignorefile = true;   /* the server's working directory is not a project */
	so->now = report_now();             /* as the CLI: $SOURCE_DATE_EPOCH, else the clock (policy, ignores) */
}

/* ---------------------------------------------------------------- reports */

/* Store r as digest's latest report; *changed when something changed
 * against the previous report (new, fixed, severity). */
static int store_report(struct srv *s, const char *digest, int64_t job_id, const struct sw_scan_result *res,
			int64_t *report_id, bool *changed, struct sw_err *err)
{
	char *json = NULL;
	size_t json_len = 0;
	FILE *mf = open_memstream(&json, &json_len);
	if (!mf)
		return sw_err_set(err, SW_E_NOMEM, "cannot make the report");
	struct sw_report_scanner scanners[SW_SCAN_NSCANNERS];
	for (int i = 0; i < SW_SCAN_NSCANNERS; i++)
		scanners[i] = (struct sw_report_scanner){ res->scanners_state[i].name, res->scanners_state[i].requested,
							  res->scanners_state[i].ran, res->scanners_state[i].why_not };
	struct sw_report_opts ro = { .now = report_now(), .tool_version = SW_VERSION_STRING,
				     .checks = (res->scanners & SW_SCAN_CONFIG) ? &res->checks : NULL,
				     .scanners = scanners, .nscanners = SW_SCAN_NSCANNERS,
				     .policy = res->policy };
	int r = sw_report_scan(mf, SW_FMT_JSON, res->inventory, res->match, &ro, err);
	if (fclose(mf) != 0 && r == 0)
		r = sw_err_set(err, SW_E_IO, "cannot write the report");
	if (r < 0) {
		free(json);
		return r;
	}
	struct sw_st_report_put rp = { .image_digest = digest, .job_id = job_id, .json = json, .json_len = json_len,
				       .complete = res->complete, .now = srv_now(),
				       .policy = srv_policy_word(res->policy) };
	char *fp = srv_db_fingerprint(s);
	rp.db_fingerprint = fp;
	for (size_t i = 0; (res->scanners & SW_SCAN_CONFIG) && i < res->checks.results.len; i++) {
		const struct sw_check_result *c = res->checks.results.items[i];
		if (c->status == SW_CHECK_FAIL && !c->suppressed)
			rp.checks_failed++;
	}
	for (size_t i = 0; i < res->inventory->file_findings.len; i++) {
		const struct sw_file_finding *ff = res->inventory->file_findings.items[i];
		if (ff->suppressed)
			continue;
		if (strcmp(ff->scanner, "malware") == 0)
			rp.malware++;
		else
			rp.secrets++;
	}
	struct sw_st_finding *fs = NULL;
	size_t nf = 0, cap = 0;
	for (size_t i = 0; i < res->match->findings.len; i++) {
		const struct sw_finding *f = res->match->findings.items[i];
		if (f->suppressed) {
			rp.suppressed++;
			continue;
		}
		int64_t *cnt[] = { &rp.unknown, &rp.negligible, &rp.low, &rp.medium, &rp.high, &rp.critical };
		if ((int)f->severity >= 0 && (size_t)f->severity < sizeof(cnt) / sizeof(cnt[0]))
			(*cnt[f->severity])++;
		rp.total++;
		const struct sw_package *p = f->pkg < res->inventory->packages.len ? res->inventory->packages.items[f->pkg]
										: NULL;
		for (size_t k = 0; k < f->ids.len; k++) {
			if (nf == cap) {
				cap = cap ? cap * 2 : 16;
				fs = sw_xrealloc(fs, cap * sizeof(*fs));
			}
			fs[nf++] = (struct sw_st_finding){ f->ids.items[k], p ? p->name : NULL,
							   f->installed ? f->installed : (p ? p->version : NULL), f->fixed,
							   sw_severity_name(f->severity), f->id, f->kev };
		}
	}
	rp.findings = fs;
	rp.nfindings = nf;
	/* what changed against the previous report (hooks.c): stored with the
	 * report, and notified to the webhooks it passes, in its transaction */
	struct sw_st_image im = { 0 };
	struct sw_vec prev = SW_VEC_INIT;
	struct sw_buf ch = SW_BUF_INIT;
	struct srv_changes changes = { 0 };
	struct sw_st_delivery_put *puts = NULL;
	size_t nputs = 0;
	*changed = false;
	int k = sw_st_image_get(s->store, digest, &im, err);
	bool compare = k == 1 && im.latest_report;
	if (compare && (k = sw_st_report_findings(s->store, im.latest_report, &prev, err)) < 0 &&
	    err->code == SW_E_UNSUPPORTED) {
		/* a back end without the finding rows records no changes */
		compare = false;
		k = 0;
	}
	if (k >= 0 && compare) {
		srv_changes_compute(&prev, res, &changes);
		srv_changes_json(&changes, &ch);
		rp.changes_json = ch.data;
		*changed = srv_changes_any(&changes);
		k = srv_hooks_deliveries(s, &im, &changes, &puts, &nputs, err);
		rp.deliveries = puts;
		rp.ndeliveries = nputs;
	}
	r = k < 0 ? k : sw_st_report_put(s->store, &rp, report_id, err);
	if (r == 0 && nputs)
		srv_hooks_wake(s);
	sw_st_image_release(&im);
	struct sw_err ierr = SW_ERR_INIT;
	if (r == 0 && srv_index_packages(s, digest, res->inventory, &ierr) < 0) {
		/* the report is stored: the index is told, not the job failed */
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"where\":\"packages index\",\"digest\":");
		srv_json_str(&f, digest);
		sw_buf_addstr(&f, ",\"error\":");
		srv_json_str(&f, ierr.msg);
		srv_log(s, "error", "%s", f.data);
		sw_buf_release(&f);
	}
	srv_hooks_deliveries_free(puts, nputs);
	srv_changes_release(&changes);
	sw_st_finding_rows_free(&prev);
	sw_buf_release(&ch);
	free(fs);
	free(fp);
	free(json);
	return r;
}

int srv_store_report(struct srv *s, const char *digest, int64_t job_id, const struct sw_scan_result *res,
		     int64_t *report_id, struct sw_err *err)
{
	bool changed = false;
	int r = store_report(s, digest, job_id, res, report_id, &changed, err);
	srv_crash_point(s);
	return r;
}

void srv_crash_point(struct srv *s)
{
	/* the window between the report and the job's done: for the test of
	 * the recovery below only (tests/e2e/test_serve_faults.sh) */
	const char *e = getenv("STOWAWAY_SERVE_CRASH_AFTER_REPORT");
	if (e && strcmp(e, "1") == 0) {
		srv_log(s, "crash", "\"where\":\"after the report, before done (STOWAWAY_SERVE_CRASH_AFTER_REPORT)\"");
		raise(SIGKILL);
	}
}

bool srv_job_recover(struct srv *s, const struct sw_st_job *job)
{
	if (job->attempts < 2)
		return false;
	int64_t report_id = 0;
	char *digest = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_job_report(s->store, job->id, &report_id, &digest, &err) != 1)
		return false;   /* none (or the store cannot say): run the job */
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"job\":%lld,\"ref\":", (long long)job->id);
	srv_json_str(&f, job->ref);
	sw_buf_addf(&f, ",\"attempt\":%d", job->attempts);
	if (sw_st_job_done(s->store, job->id, s->owner, digest, report_id, false, srv_now(), &err) < 0)
		sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, err.msg);
	sw_buf_addstr(&f, ",\"state\":\"done\",\"recovered\":true,\"digest\":");
	srv_json_str(&f, digest);
	sw_buf_addf(&f, ",\"report\":%lld", (long long)report_id);
	srv_log(s, "job", "%s", f.data);
	sw_buf_release(&f);
	s->jobs_done++;
	free(digest);
	return true;
}

/* ---------------------------------------------------------------- one job */

struct job_opts {
	char *platform, *name;
	bool plain_http, insecure;
};

static void parse_options(const char *text, struct job_opts *jo)
{
	memset(jo, 0, sizeof(*jo));
	if (!text || !*text)
		return;
	json_t *j = json_loads(text, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return;
	}
	json_t *v;
	if ((v = json_object_get(j, "platform")) && json_is_string(v))
		jo->platform = sw_xstrdup(json_string_value(v));
	if ((v = json_object_get(j, "name")) && json_is_string(v))
		jo->name = sw_xstrdup(json_string_value(v));
	jo->plain_http = json_is_true(json_object_get(j, "plain_http"));
	jo->insecure = json_is_true(json_object_get(j, "insecure"));
	json_decref(j);
}

static void process(struct srv *s, struct sw_st_job *job)
{
	if (srv_job_recover(s, job))   /* its report was stored by a server that died */
		return;
	if (strcmp(job->kind, "client") == 0) {   /* client mode: client.c */
		srv_client_job(s, job);
		return;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(job->kind, "upload") == 0 || strcmp(job->kind, "sbom") == 0) {
		/* its input was the request of a server that stopped before the
		 * scan ended (upload.c): it cannot be read again */
		struct sw_err ferr = SW_ERR_INIT;
		(void)sw_st_job_fail(s->store, job->id, s->owner, "the uploaded body is gone (its server stopped before "
				     "the scan ended); upload it again", srv_now(), &ferr);
		srv_log(s, "job", "\"job\":%lld,\"state\":\"failed\",\"error\":\"the uploaded body is gone\"",
			(long long)job->id);
		return;
	}
	struct srv_cancel *cancel = srv_cancel_register(s, job->id);
	struct job_opts jo;
	parse_options(job->options, &jo);
	struct srv_cred *cred = take_cred(s, job->id);
	struct sw_scan_opts so;
	base_opts(s, &so);
	so.image_opts.platform = jo.platform;
	so.image_opts.plain_http = jo.plain_http;
	so.image_opts.insecure = jo.insecure;
	if (cred) {
		so.image_opts.username = cred->username;
		so.image_opts.password = cred->password;
	}
	so.cancelled = srv_cancel_check;
	so.cancel_ctx = cancel;
	struct sw_err err = SW_ERR_INIT;
	struct sw_image *img = NULL;
	struct sw_scan_result *res = NULL;
	char *digest = NULL, *key = NULL, *config = NULL, *os = NULL, *arch = NULL, *cfgd = NULL;
	size_t nlayers = 0;
	bool reused = false;
	int64_t report_id = 0;
	struct sw_buf inv = SW_BUF_INIT, cfg = SW_BUF_INIT, enc = SW_BUF_INIT;
	struct sw_policy_bundle *policy = srv_default_policy(s);   /* NULL: none set */
	so.policy = policy;
	int r = sw_image_open(job->ref, &so.image_opts, &img, &err);
	if (r == 0) {
		const struct sw_image_info *info = sw_image_get_info(img);
		const char *d = info->manifest_digest ? info->manifest_digest : info->config_digest;
		if (!d)
			r = sw_err_set(&err, SW_E_UNSUPPORTED, "%s: the image has no digest (the server stores images "
				       "by digest; dir: is not supported)", job->ref);
		digest = sw_xstrdup(d);
		key = sw_image_cache_key(info);
		config = sw_xstrdup(info->config_json);
		cfgd = sw_xstrdup(info->config_digest);
		arch = sw_xstrdup(info->architecture);
		nlayers = info->layers.len;
		sw_image_close(img);
	}
	if (r == 0 && key)
		r = sw_st_inventory_get(s->store, digest, key, &inv, &cfg, &err);
	if (r == 1) {
		/* known image, same analyzers: no layer is read */
		struct sw_inventory *in = NULL;
		r = sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &in, &err);
		if (r == 0) {
			sw_str_set(&in->reference, job->ref);
			so.stored_content = srv_stored_content(s, digest);
			r = sw_scan_inventory(&so, in, cfg.len ? cfg.data : config, nlayers, &res, &err);
			reused = true;
		}
	} else if (r == 0) {
		so.image = job->ref;
		r = sw_scan_run(&so, &res, &err);
		if (r == 0 && key)
			r = sw_st_inventory_encode(res->inventory, key, &enc, &err);
	}
	if (r == 0) {
		if (res->inventory->os.id)
			os = sw_xasprintf("%s %s", res->inventory->os.id,
					  res->inventory->os.version_id ? res->inventory->os.version_id : "");
		struct sw_st_image_put ip = { .digest = digest, .config_digest = cfgd, .inv_key = reused ? NULL : key,
					      .os = os, .architecture = arch, .name = jo.name ? jo.name : job->ref,
					      .inventory = enc.len ? (const uint8_t *)enc.data : NULL,
					      .inventory_len = enc.len, .config_json = reused ? NULL : config };
		r = sw_st_image_put(s->store, &ip, srv_now(), &err);
	}
	bool changed = false;
	if (r == 0)
		r = store_report(s, digest, job->id, res, &report_id, &changed, &err);
	if (r == 0)
		srv_crash_point(s);
	if (cred)
		cred_free(cred);
	char *why = srv_cancel_reason(s, cancel);
	if (r < 0 && why)
		sw_err_set(&err, SW_E_CANCELLED, "%s", why);
	free(why);
	srv_cancel_unregister(s, cancel);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"job\":%lld,\"ref\":", (long long)job->id);
	srv_json_str(&f, job->ref);
	sw_buf_addf(&f, ",\"attempt\":%d,\"ms\":%.1f", job->attempts, ms);
	struct sw_err ferr = SW_ERR_INIT;
	if (r == 0) {
		if (sw_st_job_done(s->store, job->id, s->owner, digest, report_id, reused, srv_now(), &ferr) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, ferr.msg);
		sw_buf_addf(&f, ",\"state\":\"done\",\"digest\":");
		srv_json_str(&f, digest);
		sw_buf_addf(&f, ",\"report\":%lld,\"inventory_reused\":%s,\"layers_read\":%u,\"findings\":%zu",
			    (long long)report_id, reused ? "true" : "false",
			    res->inventory->layers_read, res->match->findings.len);
		s->jobs_done++;
	} else {
		if (sw_st_job_fail(s->store, job->id, s->owner, err.msg, srv_now(), &ferr) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, ferr.msg);
		sw_buf_addstr(&f, ",\"state\":\"failed\",\"error\":");
		srv_json_str(&f, err.msg);
		s->jobs_failed++;
	}
	srv_log(s, "job", "%s", f.data);
	sw_buf_release(&f);
	sw_scan_result_free(res);
	sw_buf_release(&inv);
	sw_buf_release(&cfg);
	sw_buf_release(&enc);
	free(digest);
	free(key);
	free(config);
	free(cfgd);
	free(os);
	free(arch);
	free(jo.platform);
	free(jo.name);
	sw_policy_bundle_free(policy);
}

static void set_running(struct srv *s, int64_t id, bool on)
{
	pthread_mutex_lock(&s->mu);
	if (on) {
		sw_vec_push(&s->running, (void *)(intptr_t)id);
	} else {
		for (size_t i = 0; i < s->running.len; i++)
			if ((intptr_t)s->running.items[i] == id) {
				s->running.items[i] = s->running.items[--s->running.len];
				break;
			}
	}
	pthread_mutex_unlock(&s->mu);
}

static void *worker(void *arg)
{
	struct srv *s = arg;
	while (!s->stopping) {
		struct sw_st_job job;
		struct sw_err err = SW_ERR_INIT;
		int r = sw_st_job_claim(s->store, s->owner, s->o->lease, srv_now(), &job, &err);
		if (r < 0) {
			struct sw_buf f = SW_BUF_INIT;
			sw_buf_addstr(&f, "\"where\":\"claim\",\"error\":");
			srv_json_str(&f, err.msg);
			srv_log(s, "error", "%s", f.data);
			sw_buf_release(&f);
		}
		if (r == 0 && srv_rematch_work(s) > 0)
			continue;   /* a re-match chunk done (cluster.c): jobs first again */
		if (r <= 0) {
			pthread_mutex_lock(&s->mu);
			if (!s->stopping) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += 1;
				pthread_cond_timedwait(&s->wake, &s->mu, &until);
			}
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		s->busy++;
		set_running(s, job.id, true);
		srv_log(s, "job", "\"job\":%lld,\"state\":\"running\",\"attempt\":%d", (long long)job.id, job.attempts);
		process(s, &job);
		set_running(s, job.id, false);
		s->busy--;
		sw_st_job_release(&job);
	}
	return NULL;
}

/* ---------------------------------------------------------------- re-matching */

int srv_rematch_image(struct srv *s, const char *digest, const struct sw_policy_bundle *policy, bool *changed,
		      struct sw_err *err)
{
	*changed = false;
	struct sw_buf inv = SW_BUF_INIT, cfg = SW_BUF_INIT;
	struct sw_inventory *in = NULL;
	struct sw_scan_result *res = NULL;
	int k = sw_st_inventory_get(s->store, digest, NULL, &inv, &cfg, err);
	if (k == 1)
		k = sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &in, err);
	else if (k == 0)
		k = 1;   /* no inventory stored (any more): nothing to match */
	if (k == 0) {
		struct sw_scan_opts so;
		base_opts(s, &so);
		so.policy = policy;
		so.stored_content = srv_stored_content(s, digest);
		k = sw_scan_inventory(&so, in, cfg.len ? cfg.data : NULL, in->layers.len, &res, err);
		int64_t rid = 0;
		if (k == 0)
			k = store_report(s, digest, 0, res, &rid, changed, err);
	}
	sw_scan_result_free(res);
	sw_buf_release(&inv);
	sw_buf_release(&cfg);
	return k < 0 ? k : 0;
}

int srv_render_image(struct srv *s, const char *digest, const char *fmt, struct sw_buf *out, struct sw_err *err)
{
	enum sw_report_format f;
	if (sw_report_format_parse(fmt, &f) < 0)
		return sw_err_set(err, SW_E_USAGE, "unknown format '%.40s' (table, json, cyclonedx, spdx-json, sarif, "
				  "html, junit)", fmt);
	struct sw_buf inv = SW_BUF_INIT, cfg = SW_BUF_INIT;
	struct sw_inventory *in = NULL;
	struct sw_scan_result *res = NULL;
	int r = sw_st_inventory_get(s->store, digest, NULL, &inv, &cfg, err);
	if (r == 0)
		r = sw_err_set(err, SW_E_NOTFOUND, "no stored inventory for %s", digest);
	if (r == 1)
		r = sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &in, err);
	struct sw_policy_bundle *policy = NULL;
	if (r == 0) {
		struct sw_scan_opts so;
		base_opts(s, &so);
		policy = srv_default_policy(s);
		so.policy = policy;
		so.stored_content = srv_stored_content(s, digest);
		r = sw_scan_inventory(&so, in, cfg.len ? cfg.data : NULL, in->layers.len, &res, err);
	}
	if (r == 0) {
		char *text = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&text, &len);
		struct sw_report_scanner sc[SW_SCAN_NSCANNERS];
		for (int i = 0; i < SW_SCAN_NSCANNERS; i++)
			sc[i] = (struct sw_report_scanner){ res->scanners_state[i].name, res->scanners_state[i].requested,
							    res->scanners_state[i].ran, res->scanners_state[i].why_not };
		struct sw_report_opts ro = { .now = report_now(), .tool_version = SW_VERSION_STRING,
					     .checks = (res->scanners & SW_SCAN_CONFIG) ? &res->checks : NULL,
					     .scanners = sc, .nscanners = SW_SCAN_NSCANNERS, .policy = res->policy };
		r = mf ? sw_report_scan(mf, f, res->inventory, res->match, &ro, err)
		       : sw_err_set(err, SW_E_NOMEM, "cannot render");
		if (mf)
			fclose(mf);
		if (r == 0)
			sw_buf_add(out, text, len);
		free(text);
	}
	sw_scan_result_free(res);
	sw_policy_bundle_free(policy);
	sw_buf_release(&inv);
	sw_buf_release(&cfg);
	return r;
}

/* Lease renewal and the database watcher. */
static void *watcher(void *arg)
{
	struct srv *s = arg;
	int64_t last_renew = 0, last_poll = 0;
	int renew_every = s->o->lease / 3 > 0 ? s->o->lease / 3 : 1;
	while (!s->stopping) {
		int64_t now = srv_now();
		if (now - last_renew >= renew_every) {
			struct sw_err err = SW_ERR_INIT;
			if (sw_st_job_renew(s->store, s->owner, s->o->lease, now, &err) < 0) {
				struct sw_buf f = SW_BUF_INIT;
				sw_buf_addstr(&f, "\"where\":\"lease renewal\",\"error\":");
				srv_json_str(&f, err.msg);
				srv_log(s, "error", "%s", f.data);
				sw_buf_release(&f);
			}
			last_renew = now;
		}
		srv_retention_tick(s, now);
		if (s->o->db_poll > 0 && now - last_poll >= s->o->db_poll) {
			last_poll = now;
			srv_rematch_watch(s);   /* cluster.c: a generation to begin, or to help with */
		}
		struct timespec t = { 0, 200 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	return NULL;
}

int srv_jobs_start(struct srv *s, struct sw_err *err)
{
	s->nworkers = s->o->workers ? s->o->workers : 1;
	s->workers = sw_xcalloc(s->nworkers, sizeof(pthread_t));
	for (unsigned i = 0; i < s->nworkers; i++)
		if (pthread_create(&s->workers[i], NULL, worker, s) != 0) {
			s->nworkers = i;
			return sw_err_set(err, SW_E_INTERNAL, "cannot start worker threads");
		}
	if (pthread_create(&s->watcher, NULL, watcher, s) != 0)
		return sw_err_set(err, SW_E_INTERNAL, "cannot start the watcher thread");
	s->have_watcher = true;
	return 0;
}

int srv_jobs_stop(struct srv *s)
{
	s->stopping = true;
	srv_wake(s);
	if (s->have_watcher)
		pthread_join(s->watcher, NULL);
	s->have_watcher = false;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (s->busy == 0)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= s->o->grace)
			break;
		struct timespec t = { 0, 100 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	if (s->busy == 0) {
		for (unsigned i = 0; i < s->nworkers; i++)
			pthread_join(s->workers[i], NULL);
		s->nworkers = 0;
		return 0;
	}
	/* scans still running after the grace period: back to pending, for
	 * the next start (or another server) to run */
	int n = 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->running.len; i++) {
		int64_t id = (intptr_t)s->running.items[i];
		struct sw_err err = SW_ERR_INIT;
		if (sw_st_job_requeue(s->store, id, s->owner, srv_now(), &err) == 0) {
			n++;
			srv_log(s, "job", "\"job\":%lld,\"state\":\"pending\",\"requeued\":\"shutdown\"", (long long)id);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return n > 0 ? n : 1;
}

/* ---------------------------------------------------------------- for upload.c */

void srv_base_opts(struct srv *s, struct sw_scan_opts *so)
{
	base_opts(s, so);
}
