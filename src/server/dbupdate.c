/*
 * dbupdate.c - the vulnerability database, updated by the server: every
 * --update-interval seconds and on POST /api/v1/db/update, through the
 * library entry point `stowaway db update` uses (vulndb.h
 * sw_vulndb_update: a new file renamed over --db); GET /api/v1/db.
 *
 * The last attempt is kept in the store's meta ("vulndb_update", JSON), so
 * that the schedule survives a restart and servers sharing a store see it;
 * "running" is this process's own.  After an update the database file has
 * changed: the watcher (jobs.c) re-matches every stored inventory within
 * --db-poll seconds (with --db-poll 0 the updater re-matches itself), and
 * the new reports' changes are notified (hooks.c).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_int.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

#define META_KEY "vulndb_update"

static const char *db_path(struct srv *s)
{
	return s->o->db_path ? s->o->db_path : sw_vulndb_default_path();
}

static void on_warn(void *ctx, const char *msg)
{
	struct srv *s = ctx;
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addstr(&f, "\"phase\":\"warning\",\"message\":");
	srv_json_str(&f, msg);
	srv_log(s, "vulndb_update", "%s", f.data);
	sw_buf_release(&f);
}

/* the last attempt as stored, or NULL */
static json_t *last_attempt(struct srv *s)
{
	char *v = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_meta_get(s->store, META_KEY, &v, &err) < 0 || !v)
		return NULL;
	json_t *j = json_loads(v, 0, NULL);
	free(v);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int64_t next_due(struct srv *s)
{
	if (s->o->update_interval <= 0)
		return 0;
	json_t *j = last_attempt(s);
	int64_t base = s->hooks_started;
	json_t *st = j ? json_object_get(j, "started") : NULL;
	if (json_is_integer(st))
		base = json_integer_value(st);
	json_decref(j);
	return base + s->o->update_interval;
}

static void put_attempt(struct srv *s, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	struct sw_err err = SW_ERR_INIT;
	if (text && sw_st_meta_set(s->store, META_KEY, text, &err) < 0) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"where\":\"vulndb update status\",\"error\":");
		srv_json_str(&f, err.msg);
		srv_log(s, "error", "%s", f.data);
		sw_buf_release(&f);
	}
	free(text);
}

static void run_update(struct srv *s, const char *trigger)
{
	int64_t started = srv_now();
	json_t *j = json_object();
	json_object_set_new(j, "trigger", json_string(trigger));
	json_object_set_new(j, "started", json_integer(started));
	json_object_set_new(j, "finished", json_null());
	json_object_set_new(j, "result", json_string("running"));
	json_object_set_new(j, "error", json_null());
	put_attempt(s, j);
	srv_log(s, "vulndb_update", "\"phase\":\"start\",\"trigger\":\"%s\",\"locations\":%zu", trigger,
		s->update_locations.len);
	struct sw_vulndb_update_opts o = { 0 };
	o.db_path = s->o->db_path;
	o.locations = s->update_locations;   /* borrowed */
	o.offline_dir = s->o->update_offline;
	o.retries = -1;
	o.warn = on_warn;
	o.ctx = s;
	struct sw_vulndb_update_result res;
	memset(&res, 0, sizeof(res));
	struct sw_err err = SW_ERR_INIT;
	int r = sw_vulndb_update(&o, &res, &err);
	const char *result = r < 0 ? "failed" : res.failed > 0 ? "partial" : "ok";
	json_object_set_new(j, "finished", json_integer(srv_now()));
	json_object_set_new(j, "result", json_string(result));
	if (r < 0) {
		json_object_set_new(j, "error", json_string(err.msg));
	} else {
		json_object_set_new(j, "records", json_integer(res.records));
		json_object_set_new(j, "bad_records", json_integer(res.bad_records));
		json_object_set_new(j, "locations_read", json_integer(res.fetched));
		json_object_set_new(j, "locations_unchanged", json_integer(res.unchanged));
		json_object_set_new(j, "locations_failed", json_integer(res.failed));
		json_t *fs = json_array();
		for (size_t i = 0; i < res.failed_sources.len; i++)
			json_array_append_new(fs, json_string(res.failed_sources.items[i]));
		json_object_set_new(j, "failed_sources", fs);
		if (res.failed > 0) {
			struct sw_buf names = SW_BUF_INIT;
			for (size_t i = 0; i < res.failed_sources.len; i++)
				sw_buf_addf(&names, "%s'%s'", i ? ", " : "", (const char *)res.failed_sources.items[i]);
			char *msg = sw_xasprintf("%d location(s) of source(s) %s failed and kept their previous records",
						 res.failed, names.data ? names.data : "");
			json_object_set_new(j, "error", json_string(msg));
			free(msg);
			sw_buf_release(&names);
		}
	}
	put_attempt(s, j);
	char *line = json_dumps(j, JSON_COMPACT);
	size_t n = line ? strlen(line) : 0;
	if (n >= 2)
		srv_log(s, "vulndb_update", "\"phase\":\"done\",%.*s", (int)(n - 2), line + 1);
	free(line);
	json_decref(j);
	sw_vulndb_update_result_release(&res);
	if (r == 0 && s->o->db_poll <= 0 && !s->stopping) {
		/* no watcher: re-match (and notify) here */
		size_t images, changed;
		(void)srv_rematch_all(s, &images, &changed, &err);
	}
}

static void *updater(void *arg)
{
	struct srv *s = arg;
	while (!s->stopping) {
		pthread_mutex_lock(&s->hooks_mu);
		if (!s->update_requested && !s->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&s->hooks_wake, &s->hooks_mu, &until);
		}
		const char *trigger = NULL;
		if (s->stopping) {
			/* nothing */
		} else if (s->update_requested) {
			trigger = "request";
		} else if (s->o->update_interval > 0 && !s->update_running) {
			pthread_mutex_unlock(&s->hooks_mu);
			int64_t due = next_due(s);   /* reads the store: not under the lock */
			pthread_mutex_lock(&s->hooks_mu);
			if (due && srv_now() >= due && !s->update_running && !s->stopping) {
				trigger = "schedule";
				s->update_running = true;
			}
		}
		s->update_requested = false;
		pthread_mutex_unlock(&s->hooks_mu);
		if (trigger) {
			run_update(s, trigger);
			s->update_running = false;
		}
	}
	return NULL;
}

int srv_dbupdate_start(struct srv *s, struct sw_err *err)
{
	s->hooks_started = srv_now();
	for (size_t i = 0; i < s->o->nupdate_sources; i++) {
		struct sw_vulndb_location *l = NULL;
		if (sw_vulndb_location_parse(s->o->update_sources[i], &l, err) < 0)
			return sw_err_wrap(err, "--source");
		sw_vec_push(&s->update_locations, l);
	}
	bool offline = false;
	if (sw_vulndb_update_locations(&s->update_locations, s->o->update_offline, &offline, err) < 0)
		return sw_err_wrap(err, "--offline-data");
	if (pthread_create(&s->updater, NULL, updater, s) != 0)
		return sw_err_set(err, SW_E_INTERNAL, "cannot start the database updater thread");
	s->have_updater = true;
	return 0;
}

bool srv_dbupdate_stop(struct srv *s)
{
	pthread_mutex_lock(&s->hooks_mu);
	pthread_cond_broadcast(&s->hooks_wake);
	pthread_mutex_unlock(&s->hooks_mu);
	if (s->have_updater && s->update_running) {
		/* an update takes as long as its downloads: it is not waited for
		 * (it writes a temporary file; the next update removes it) */
		srv_log(s, "vulndb_update", "\"phase\":\"abandoned\",\"reason\":\"shutdown\"");
		return true;
	}
	if (s->have_updater)
		pthread_join(s->updater, NULL);
	s->have_updater = false;
	for (size_t i = 0; i < s->update_locations.len; i++)
		sw_vulndb_location_free(s->update_locations.items[i]);
	sw_vec_release(&s->update_locations);
	return false;
}

/* ---------------------------------------------------------------- routes */

static json_t *update_status(struct srv *s)
{
	json_t *u = json_object();
	json_object_set_new(u, "running", json_boolean(s->update_running));
	json_object_set_new(u, "interval", json_integer(s->o->update_interval > 0 ? s->o->update_interval : 0));
	int64_t due = next_due(s);
	json_object_set_new(u, "next", due ? json_integer(due) : json_null());
	json_t *last = last_attempt(s);
	json_object_set_new(u, "last", last ? last : json_null());
	return u;
}

static void reply_json_obj(struct srv_reply *r, unsigned status, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	srv_reply_json(r, status, text ? text : "{}");
	free(text);
}

static void get_db(struct srv_req *q, struct srv_reply *r)
{
	struct srv *s = q->s;
	json_t *o = json_object();
	const char *path = db_path(s);
	json_object_set_new(o, "path", json_string(path));
	struct sw_vulndb *db = NULL;
	struct sw_vulndb_info *info = NULL;
	struct sw_err err = SW_ERR_INIT;
	int64_t now = srv_now();
	if (sw_vulndb_open(path, SW_VULNDB_RDONLY, &db, &err) == 0 && sw_vulndb_info(db, &info, &err) == 0) {
		json_object_set_new(o, "exists", json_true());
		json_object_set_new(o, "error", json_null());
		json_object_set_new(o, "schema_version", json_integer(info->schema_version));
		json_object_set_new(o, "built_at", info->built_at ? json_integer(info->built_at) : json_null());
		json_object_set_new(o, "age_seconds", info->built_at ? json_integer(now - info->built_at) : json_null());
		json_object_set_new(o, "file_size", json_integer(info->file_size));
		json_object_set_new(o, "vulnerabilities", json_integer(info->vulns));
		json_object_set_new(o, "affected", json_integer(info->affected));
		json_object_set_new(o, "kev", json_integer(info->kev));
		json_object_set_new(o, "epss", json_integer(info->epss));
		json_t *srcs = json_array();
		for (size_t i = 0; i < info->sources.len; i++) {
			const struct sw_vulndb_source_info *si = info->sources.items[i];
			json_t *x = json_object();
			json_object_set_new(x, "name", json_string(si->name ? si->name : ""));
			json_object_set_new(x, "records", json_integer(si->records));
			json_object_set_new(x, "bad_records", json_integer(si->bad_records));
			json_object_set_new(x, "updated_at", si->updated_at ? json_integer(si->updated_at) : json_null());
			json_object_set_new(x, "age_seconds",
					    si->updated_at ? json_integer(now - si->updated_at) : json_null());
			json_object_set_new(x, "last_error", si->last_error ? json_string(si->last_error) : json_null());
			json_array_append_new(srcs, x);
		}
		json_object_set_new(o, "sources", srcs);
	} else {
		json_object_set_new(o, "exists", json_false());
		json_object_set_new(o, "error", json_string(err.msg));
		json_object_set_new(o, "sources", json_array());
	}
	sw_vulndb_info_free(info);
	sw_vulndb_close(db);
	json_object_set_new(o, "update", update_status(s));
	json_object_set_new(o, "rematch", srv_rematch_json(s));   /* cluster.c: the latest re-match generation */
	reply_json_obj(r, 200, o);
	json_decref(o);
}

static void post_update(struct srv_req *q, struct srv_reply *r)
{
	struct srv *s = q->s;
	pthread_mutex_lock(&s->hooks_mu);
	bool busy = s->update_running;
	if (!busy) {
		s->update_running = true;
		s->update_requested = true;
		pthread_cond_broadcast(&s->hooks_wake);
	}
	pthread_mutex_unlock(&s->hooks_mu);
	json_t *u = update_status(s);
	if (busy)
		json_object_set_new(u, "error", json_string("a database update is already running"));
	reply_json_obj(r, busy ? 409 : 202, u);
	json_decref(u);
	if (!busy) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"phase\":\"requested\",\"by\":");
		srv_json_str(&f, q->token_name);
		srv_log(s, "vulndb_update", "%s", f.data);
		sw_buf_release(&f);
	}
}

static bool want(struct srv_req *q, struct srv_reply *r, const char *m)
{
	if (strcmp(q->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(q->method, "HEAD") == 0))
		return true;
	srv_reply_error(r, 405, "%s takes %s, not %s", q->path, m, q->method);
	return false;
}

int srv_dbupdate_route(struct srv_req *q, struct srv_reply *r)
{
	if (strcmp(q->path, "/api/v1/db") == 0) {
		if (want(q, r, "GET") && srv_need_scope(q, r, "read"))
			get_db(q, r);
		return 1;
	}
	if (strcmp(q->path, "/api/v1/db/update") == 0) {
		if (want(q, r, "POST") && srv_need_scope(q, r, "admin"))
			post_update(q, r);
		return 1;
	}
	return 0;
}

void srv_dbupdate_metrics(struct srv *s, struct sw_buf *b)
{
	sw_buf_addf(b, "# TYPE stowaway_vulndb_update_running gauge\nstowaway_vulndb_update_running %d\n",
		    s->update_running ? 1 : 0);
	json_t *j = last_attempt(s);
	if (!j)
		return;
	json_t *fin = json_object_get(j, "finished"), *res = json_object_get(j, "result");
	if (json_is_integer(fin)) {
		const char *rs = json_string_value(res);
		sw_buf_addf(b, "# TYPE stowaway_vulndb_update_last_timestamp_seconds gauge\n"
			       "stowaway_vulndb_update_last_timestamp_seconds %lld\n",
			    (long long)json_integer_value(fin));
		sw_buf_addf(b, "# TYPE stowaway_vulndb_update_last_success gauge\nstowaway_vulndb_update_last_success %d\n",
			    rs && strcmp(rs, "ok") == 0 ? 1 : 0);
		sw_buf_addstr(b, "# TYPE stowaway_vulndb_update_last_result gauge\n");
		static const char *const results[] = { "ok", "partial", "failed" };
		for (size_t i = 0; i < 3; i++)
			sw_buf_addf(b, "stowaway_vulndb_update_last_result{result=\"%s\"} %d\n", results[i],
				    rs && strcmp(rs, results[i]) == 0 ? 1 : 0);
	}
	json_decref(j);
}
