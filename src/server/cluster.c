/*
 * cluster.c - coordination between `stowaway serve` instances sharing one
 * store (issue 17, docs/scaling.md): the re-match after a change of the
 * vulnerability database is split across them.
 *
 * The watcher of any instance that sees the database file change begins a
 * "generation" in the store (sw_st_rematch_begin: one per database, however
 * many instances see the change): every stored image with an inventory,
 * cut into chunks of --rematch-chunk consecutive ids.  The idle workers of
 * every instance (no job waiting: jobs come first) claim chunks with a
 * lease, re-match their images one by one, recording each one (the chunk's
 * cursor, which also extends the lease), and end them.  A chunk whose
 * instance died is claimed again when its lease expires and continues after
 * its cursor; the end of the last chunk ends the generation, logged once
 * ("rematch") by the instance that ended it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"
#include "server/server_int.h"
#include "util/buf.h"
#include "util/mem.h"

#define DEFAULT_CHUNK 100

static int64_t chunk_size(struct srv *s)
{
	return s->o->rematch_chunk > 0 ? s->o->rematch_chunk : DEFAULT_CHUNK;
}

static void log_error(struct srv *s, const char *where, const char *msg)
{
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addstr(&f, "\"where\":");
	srv_json_str(&f, where);
	sw_buf_addstr(&f, ",\"error\":");
	srv_json_str(&f, msg);
	srv_log(s, "error", "%s", f.data);
	sw_buf_release(&f);
}

/* The generation's end, seen by the one instance whose chunk ended it: the
 * summary line, and the database its reports now match. */
static void generation_done(struct srv *s, int64_t gen_id)
{
	struct sw_st_rematch g = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_rematch_status(s->store, &g, &err) < 0) {
		log_error(s, "rematch status", err.msg);
		return;
	}
	if (g.gen == gen_id) {
		srv_log(s, "rematch", "\"images\":%lld,\"changed\":%lld,\"failed\":%lld,\"seconds\":%lld,\"generation\":%lld,"
			"\"chunks\":%lld,\"instances\":%lld", (long long)g.images_done, (long long)g.changed,
			(long long)g.failed, (long long)(g.finished - g.started), (long long)g.gen, (long long)g.chunks,
			(long long)g.instances);
		if (g.fingerprint && sw_st_meta_set(s->store, "vulndb_fingerprint", g.fingerprint, &err) < 0)
			log_error(s, "rematch fingerprint", err.msg);
	}
	sw_st_rematch_release(&g);
}

/* After a takeover: was the image after the cursor re-matched in this
 * generation by the instance that died before recording it?  (Its latest
 * report is a re-match with this database made since the generation began.) */
static bool matched_already(struct srv *s, const struct sw_st_rematch_chunk *c, const char *digest)
{
	struct sw_vec reps = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	bool yes = false;
	if (sw_st_report_list(s->store, digest, &reps, &err) == 0 && reps.len) {
		const struct sw_st_report *r = reps.items[0];
		yes = r->job_id == 0 && r->db_fingerprint && c->fingerprint && strcmp(r->db_fingerprint, c->fingerprint) == 0 &&
		      r->created >= c->gen_started;
	}
	sw_st_report_list_free(&reps);
	return yes;
}

int srv_rematch_work(struct srv *s)
{
	if (!s->rematch_active || s->stopping)
		return 0;
	struct sw_st_rematch_chunk c;
	struct sw_err err = SW_ERR_INIT;
	int r = sw_st_rematch_claim(s->store, s->owner, s->o->lease, srv_now(), &c, &err);
	if (r < 0)
		log_error(s, "rematch claim", err.msg);
	if (r <= 0) {
		s->rematch_active = false;   /* none claimable: the watcher looks again at its next poll */
		return 0;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct sw_vec items = SW_VEC_INIT;
	struct sw_policy_bundle *policy = NULL;
	int64_t done = 0, changed = 0, failed = 0, skipped = 0;
	bool lost = false, finished = false;
	if (sw_st_rematch_images(s->store, &c, &items, &err) < 0) {
		log_error(s, "rematch images", err.msg);
	} else {
		policy = srv_default_policy(s);   /* NULL: none set */
		size_t i = 0;
		for (; i < items.len && !s->stopping; i++) {
			const struct sw_st_rematch_item *it = items.items[i];
			struct sw_err e = SW_ERR_INIT;
			bool ch = false;
			int k = 0;
			if (i == 0 && c.attempts > 1 && matched_already(s, &c, it->digest))
				skipped++;
			else
				k = srv_rematch_image(s, it->digest, policy, &ch, &e);
			if (k < 0) {
				failed++;
				struct sw_buf f = SW_BUF_INIT;
				sw_buf_addstr(&f, "\"digest\":");
				srv_json_str(&f, it->digest);
				sw_buf_addstr(&f, ",\"error\":");
				srv_json_str(&f, e.msg);
				srv_log(s, "rematch_error", "%s", f.data);
				sw_buf_release(&f);
			} else if (!skipped || i > 0) {
				done++;
				changed += ch;
			}
			int p = sw_st_rematch_progress(s->store, c.id, s->owner, it->id, ch, k < 0, s->o->lease, srv_now(), &e);
			if (p <= 0) {
				/* lost (the lease expired: another instance has it now), or the store failed */
				if (p < 0)
					log_error(s, "rematch progress", e.msg);
				lost = true;
				break;
			}
			s->rematch_images_local++;
		}
		finished = !lost && i == items.len;
	}
	bool gen_done = false;
	const char *state = lost ? "lost" : finished ? "done" : "given back";
	if (!lost) {
		r = sw_st_rematch_end(s->store, c.id, s->owner, finished, srv_now(), &gen_done, &err);
		if (r < 0)
			log_error(s, "rematch end", err.msg);
		else if (r == 0)
			state = "lost";
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	srv_log(s, "rematch_chunk", "\"generation\":%lld,\"chunk\":%lld,\"attempt\":%d,\"state\":\"%s\",\"images\":%lld,"
		"\"changed\":%lld,\"failed\":%lld,\"skipped\":%lld,\"ms\":%.1f", (long long)c.gen, (long long)c.id,
		c.attempts, state, (long long)done, (long long)changed, (long long)failed, (long long)skipped, ms);
	if (strcmp(state, "done") == 0)
		s->rematch_chunks_local++;
	if (gen_done)
		generation_done(s, c.gen);
	sw_policy_bundle_free(policy);
	sw_st_rematch_items_free(&items);
	sw_st_rematch_chunk_release(&c);
	return 1;
}

/* Begin the generation of database fp (or find it begun): the workers start. */
static int begin(struct srv *s, const char *fp, const char *from_, bool force, struct sw_st_rematch *g)
{
	struct sw_err err = SW_ERR_INIT;
	/* from may point into g (its fingerprint), which the store's answer replaces */
	char *from = from_ ? sw_xstrdup(from_) : NULL;
	int r = sw_st_rematch_begin(s->store, fp, chunk_size(s), force, srv_now(), g, &err);
	if (r < 0) {
		log_error(s, "rematch begin", err.msg);
		free(from);
		return r;
	}
	if (r == 1) {
		struct sw_buf f = SW_BUF_INIT;
		sw_buf_addstr(&f, "\"from\":");
		srv_json_str(&f, from);
		sw_buf_addstr(&f, ",\"to\":");
		srv_json_str(&f, fp);
		sw_buf_addf(&f, ",\"generation\":%lld,\"images\":%lld,\"chunks\":%lld,\"forced\":%s", (long long)g->gen,
			    (long long)g->images, (long long)g->chunks, force ? "true" : "false");
		srv_log(s, force ? "rematch_begin" : "vulndb_changed", "%s", f.data);
		sw_buf_release(&f);
		if (g->state && strcmp(g->state, "done") == 0)
			generation_done(s, g->gen);   /* no image: ended at once */
	}
	free(from);
	if (g->state && strcmp(g->state, "running") == 0) {
		s->rematch_active = true;
		srv_wake(s);
	}
	return r;
}

void srv_rematch_watch(struct srv *s)
{
	char *fp = srv_db_fingerprint(s), *stored = NULL;
	if (!fp)
		return;   /* no database file (yet) */
	struct sw_st_rematch g = { 0 };
	struct sw_err err = SW_ERR_INIT;
	int r = sw_st_rematch_status(s->store, &g, &err);
	if (r < 0) {
		log_error(s, "rematch status", err.msg);
	} else if (r == 0 || strcmp(g.fingerprint, fp) != 0) {
		/* no generation yet: the fingerprint the reports were last matched with */
		if (sw_st_meta_get(s->store, "vulndb_fingerprint", &stored, &err) < 0)
			log_error(s, "rematch fingerprint", err.msg);
		else if (r == 0 && !stored)
			(void)sw_st_meta_set(s->store, "vulndb_fingerprint", fp, &err);   /* a new store */
		else if (r == 1 || strcmp(stored, fp) != 0)
			(void)begin(s, fp, r == 1 ? g.fingerprint : stored, false, &g);
	} else if (strcmp(g.state, "running") == 0) {
		if (!s->rematch_active) {   /* another instance began it, or a chunk's lease may have expired */
			s->rematch_active = true;
			srv_wake(s);
		}
	} else if (strcmp(g.state, "done") == 0 && sw_st_meta_get(s->store, "vulndb_fingerprint", &stored, &err) == 0 &&
		   (!stored || strcmp(stored, fp) != 0)) {
		(void)sw_st_meta_set(s->store, "vulndb_fingerprint", fp, &err);   /* its end's answer was lost */
	}
	sw_st_rematch_release(&g);
	free(stored);
	free(fp);
}

int srv_rematch_all(struct srv *s, size_t *images, size_t *changed, struct sw_err *err)
{
	*images = *changed = 0;
	char *fp = srv_db_fingerprint(s);
	if (!fp)
		return sw_err_set(err, SW_E_NOTFOUND, "no vulnerability database to match with (stowaway db update)");
	pthread_mutex_lock(&s->rematch_mu);
	struct sw_st_rematch g = { 0 };
	int r = sw_st_rematch_begin(s->store, fp, chunk_size(s), true, srv_now(), &g, err);
	int64_t gen = g.gen;
	if (r >= 0) {
		srv_log(s, "rematch_begin", "\"generation\":%lld,\"images\":%lld,\"chunks\":%lld,\"forced\":true",
			(long long)g.gen, (long long)g.images, (long long)g.chunks);
		if (strcmp(g.state, "done") == 0)
			generation_done(s, gen);
		s->rematch_active = true;
		srv_wake(s);
	}
	/* this thread works too, then waits for the chunks of the others */
	while (r >= 0 && !s->stopping) {
		if (srv_rematch_work(s) > 0)
			continue;
		r = sw_st_rematch_status(s->store, &g, err);
		if (r < 0 || g.gen != gen || strcmp(g.state, "running") != 0)
			break;
		s->rematch_active = true;   /* a chunk of a dead instance may come free */
		struct timespec t = { 0, 200 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	if (r >= 0 && g.gen == gen) {
		*images = (size_t)g.images_done;
		*changed = (size_t)g.changed;
	}
	sw_st_rematch_release(&g);
	pthread_mutex_unlock(&s->rematch_mu);
	free(fp);
	return r < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- status */

json_t *srv_rematch_json(struct srv *s)
{
	struct sw_st_rematch g = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_rematch_status(s->store, &g, &err) != 1) {
		sw_st_rematch_release(&g);
		return json_null();
	}
	json_t *o = json_object();
	json_object_set_new(o, "generation", json_integer(g.gen));
	json_object_set_new(o, "fingerprint", json_string(g.fingerprint ? g.fingerprint : ""));
	json_object_set_new(o, "state", json_string(g.state ? g.state : ""));
	json_object_set_new(o, "started", json_integer(g.started));
	json_object_set_new(o, "finished", g.finished ? json_integer(g.finished) : json_null());
	json_t *c = json_object();
	json_object_set_new(c, "total", json_integer(g.chunks));
	json_object_set_new(c, "done", json_integer(g.chunks_done));
	json_object_set_new(c, "running", json_integer(g.chunks_running));
	json_object_set_new(c, "pending", json_integer(g.chunks - g.chunks_done - g.chunks_running));
	json_object_set_new(o, "chunks", c);
	json_t *i = json_object();
	json_object_set_new(i, "total", json_integer(g.images));
	json_object_set_new(i, "done", json_integer(g.images_done));
	json_object_set_new(i, "changed", json_integer(g.changed));
	json_object_set_new(i, "failed", json_integer(g.failed));
	json_object_set_new(o, "images", i);
	json_object_set_new(o, "instances", json_integer(g.instances));
	sw_st_rematch_release(&g);
	return o;
}

void srv_rematch_metrics(struct srv *s, struct sw_buf *b)
{
	struct sw_st_rematch g = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_rematch_status(s->store, &g, &err) == 1) {
		sw_buf_addf(b, "# TYPE stowaway_rematch_generation gauge\nstowaway_rematch_generation %lld\n",
			    (long long)g.gen);
		sw_buf_addf(b, "# TYPE stowaway_rematch_running gauge\nstowaway_rematch_running %d\n",
			    g.state && strcmp(g.state, "running") == 0);
		sw_buf_addf(b, "# TYPE stowaway_rematch_chunks gauge\nstowaway_rematch_chunks{state=\"done\"} %lld\n"
			       "stowaway_rematch_chunks{state=\"running\"} %lld\nstowaway_rematch_chunks{state=\"pending\"} %lld\n",
			    (long long)g.chunks_done, (long long)g.chunks_running,
			    (long long)(g.chunks - g.chunks_done - g.chunks_running));
		sw_buf_addf(b, "# TYPE stowaway_rematch_images gauge\nstowaway_rematch_images{state=\"total\"} %lld\n"
			       "stowaway_rematch_images{state=\"done\"} %lld\nstowaway_rematch_images{state=\"changed\"} %lld\n"
			       "stowaway_rematch_images{state=\"failed\"} %lld\n",
			    (long long)g.images, (long long)g.images_done, (long long)g.changed, (long long)g.failed);
	}
	sw_st_rematch_release(&g);
	sw_buf_addf(b, "# TYPE stowaway_rematch_instance_chunks_total counter\nstowaway_rematch_instance_chunks_total %llu\n"
		       "# TYPE stowaway_rematch_instance_images_total counter\nstowaway_rematch_instance_images_total %llu\n",
		    (unsigned long long)s->rematch_chunks_local, (unsigned long long)s->rematch_images_local);
}
