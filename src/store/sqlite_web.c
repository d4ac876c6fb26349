/*
 * sqlite_web.c - the SQLite side of the web pages' store operations
 * (store.h, "web"): the image search with filters, sort and paging,
 * browser sessions, recent jobs.
 *
 * The search builds one WHERE clause from the filters that are set (every
 * value bound, none spliced), counts the matches, and reads one page ordered
 * by the sort key with the image id as the tie-breaker (LIMIT/OFFSET), then
 * each row's names.  Both queries read the covering indexes of migration 3
 * (images_cover, reports_counts) only: the image and report rows carry
 * large blobs (inventory, report) in front of the columns read here.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_BINDS 24
#define FROM " FROM images i INDEXED BY images_cover LEFT JOIN reports r INDEXED BY reports_counts" \
	     " ON r.id = i.latest_report"
#define COLS "i.id, i.digest, i.config_digest, i.inv_key, i.os, i.architecture, i.created, i.updated," \
	     " i.latest_report, r.critical, r.high, r.medium, r.low, r.negligible, r.unknown, r.total," \
	     " r.checks_failed, r.secrets, r.malware, r.policy"

struct binds {
	const char *text[MAX_BINDS];
	int64_t num[MAX_BINDS];
	bool is_text[MAX_BINDS];
	int n;
};

static void bind_t(struct binds *b, const char *v)
{
	b->is_text[b->n] = true;
	b->text[b->n++] = v;
}

static void bind_i(struct binds *b, int64_t v)
{
	b->is_text[b->n] = false;
	b->num[b->n++] = v;
}

static sqlite3_stmt *prep_binds(struct sq *s, const char *sql, const struct binds *b, struct sw_err *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_db_error(s, "prepare search", err);
		return NULL;
	}
	for (int i = 0; i < b->n; i++) {
		int rc = b->is_text[i] ? sqlite3_bind_text(st, i + 1, b->text[i], -1, SQLITE_TRANSIENT)
				       : sqlite3_bind_int64(st, i + 1, b->num[i]);
		if (rc != SQLITE_OK) {
			sq_db_error(s, "bind search", err);
			sqlite3_finalize(st);
			return NULL;
		}
	}
	return st;
}

static const char *order_by(enum sw_st_image_sort k)
{
	switch (k) {
	case SW_ST_SORT_CREATED: return "i.created %s, i.id %s";
	case SW_ST_SORT_WORST:
		return "coalesce(r.critical,0) %s, coalesce(r.high,0) %s, coalesce(r.medium,0) %s,"
		       " coalesce(r.low,0) %s, coalesce(r.total,0) %s, i.id %s";
	case SW_ST_SORT_CRITICAL: return "coalesce(r.critical,0) %s, i.id %s";
	case SW_ST_SORT_HIGH: return "coalesce(r.high,0) %s, i.id %s";
	case SW_ST_SORT_MEDIUM: return "coalesce(r.medium,0) %s, i.id %s";
	case SW_ST_SORT_LOW: return "coalesce(r.low,0) %s, i.id %s";
	case SW_ST_SORT_TOTAL: return "coalesce(r.total,0) %s, i.id %s";
	case SW_ST_SORT_CHECKS: return "coalesce(r.checks_failed,0) %s, i.id %s";
	case SW_ST_SORT_SECRETS: return "coalesce(r.secrets,0) %s, i.id %s";
	case SW_ST_SORT_MALWARE: return "coalesce(r.malware,0) %s, i.id %s";
	case SW_ST_SORT_OS: return "coalesce(i.os,'') %s, i.id %s";
	case SW_ST_SORT_DIGEST: return "i.digest %s, i.id %s";
	case SW_ST_SORT_NAME:
		return "coalesce((SELECT min(n.name) FROM image_names n WHERE n.image = i.id), '') %s, i.id %s";
	case SW_ST_SORT_UPDATED:
	default: return "i.updated %s, i.id %s";
	}
}

/* the ORDER BY clause: the template with every %s a direction */
static void add_order(struct sw_buf *sql, enum sw_st_image_sort k, bool asc)
{
	const char *t = order_by(k), *dir = asc ? "ASC" : "DESC";
	for (const char *p = t; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			sw_buf_addstr(sql, dir);
			p++;
		} else {
			sw_buf_addch(sql, *p);
		}
	}
}

static void where(const struct sw_st_image_query *q, struct sw_buf *sql, struct binds *b)
{
	sw_buf_addstr(sql, " WHERE 1");
	if (q->text && *q->text) {
		sw_buf_addstr(sql, " AND (instr(lower(i.digest), lower(?)) > 0 OR EXISTS (SELECT 1 FROM image_names n"
				   " WHERE n.image = i.id AND instr(lower(n.name), lower(?)) > 0))");
		bind_t(b, q->text);
		bind_t(b, q->text);
	}
	if (q->repository && *q->repository) {
		sw_buf_addstr(sql, " AND EXISTS (SELECT 1 FROM image_names n WHERE n.image = i.id AND instr(n.name, ?) > 0)");
		bind_t(b, q->repository);
	}
	if (q->tag && *q->tag) {
		sw_buf_addstr(sql, " AND EXISTS (SELECT 1 FROM image_names n WHERE n.image = i.id"
				   " AND substr(n.name, -(length(?) + 1)) = ':' || ?)");
		bind_t(b, q->tag);
		bind_t(b, q->tag);
	}
	if (q->digest && *q->digest) {
		sw_buf_addstr(sql, " AND instr(i.digest, ?) > 0");
		bind_t(b, q->digest);
	}
	if (q->os && *q->os) {
		sw_buf_addstr(sql, " AND substr(i.os, 1, length(?)) = ?");
		bind_t(b, q->os);
		bind_t(b, q->os);
	}
	if (q->policy && strcmp(q->policy, "none") == 0) {
		sw_buf_addstr(sql, " AND r.policy IS NULL");
	} else if (q->policy && *q->policy) {
		sw_buf_addstr(sql, " AND r.policy = ?");
		bind_t(b, q->policy);
	}
	const struct {
		int64_t v;
		const char *col;
	} mins[] = { { q->min_critical, "r.critical" }, { q->min_high, "r.high" }, { q->min_medium, "r.medium" },
		     { q->min_low, "r.low" }, { q->min_total, "r.total" } };
	for (size_t k = 0; k < sizeof(mins) / sizeof(mins[0]); k++)
		if (mins[k].v > 0) {
			sw_buf_addf(sql, " AND %s >= ?", mins[k].col);
			bind_i(b, mins[k].v);
		}
	if (q->since > 0) {
		sw_buf_addstr(sql, " AND i.updated >= ?");
		bind_i(b, q->since);
	}
	if (q->until > 0) {
		sw_buf_addstr(sql, " AND i.updated <= ?");
		bind_i(b, q->until);
	}
}

static void row(sqlite3_stmt *st, struct sw_st_image *im, int64_t *id)
{
	memset(im, 0, sizeof(*im));
	*id = sqlite3_column_int64(st, 0);
	im->digest = sq_col_str(st, 1);
	im->config_digest = sq_col_str(st, 2);
	im->inv_key = sq_col_str(st, 3);
	im->os = sq_col_str(st, 4);
	im->architecture = sq_col_str(st, 5);
	im->created = sqlite3_column_int64(st, 6);
	im->updated = sqlite3_column_int64(st, 7);
	im->latest_report = sqlite3_column_int64(st, 8);
	int64_t *c[] = { &im->critical, &im->high, &im->medium, &im->low, &im->negligible, &im->unknown, &im->total,
			 &im->checks_failed, &im->secrets, &im->malware };
	for (int i = 0; i < 10; i++)
		*c[i] = sqlite3_column_int64(st, 9 + i);
	im->policy = sq_col_str(st, 19);
}

int sq_image_search(struct sw_st *store, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
		    struct sw_err *err)
{
	struct sq *s = SQ(store);
	struct binds b = { .n = 0 };
	struct sw_buf w = SW_BUF_INIT, sql = SW_BUF_INIT;
	where(q, &w, &b);
	int64_t limit = q->limit < 1 ? 100 : q->limit > 1000 ? 1000 : q->limit;
	int64_t offset = q->offset < 0 ? 0 : q->offset;
	struct sw_vec ids = SW_VEC_INIT;
	int r = 0;
	size_t first = out->len;
	*total = 0;
	sq_lock(s);
	/* without a condition on the report the count needs no join (every
	 * image has at most one latest report): at 100,000 images the join
	 * alone took 700 ms */
	if (strstr(w.data, " r."))
		sw_buf_addf(&sql, "SELECT count(*)" FROM "%s", w.data);
	else
		sw_buf_addf(&sql, "SELECT count(*) FROM images i%s", w.data);
	sqlite3_stmt *st = prep_binds(s, sql.data, &b, err);
	if (!st)
		r = -SW_E_DB;
	else if (sqlite3_step(st) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	else
		r = sq_db_error(s, "count images", err);
	sqlite3_finalize(st);
	if (r == 0 && *total > offset) {
		sw_buf_reset(&sql);
		sw_buf_addf(&sql, "SELECT " COLS FROM "%s ORDER BY ", w.data);
		add_order(&sql, q->sort, q->ascending);
		sw_buf_addstr(&sql, " LIMIT ? OFFSET ?");
		struct binds b2 = b;
		bind_i(&b2, limit);
		bind_i(&b2, offset);
		st = prep_binds(s, sql.data, &b2, err);
		if (!st)
			r = -SW_E_DB;
		int rc = SQLITE_DONE;
		while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct sw_st_image *im = sw_xcalloc(1, sizeof(*im));
			int64_t id;
			row(st, im, &id);
			sw_vec_push(out, im);
			sw_vec_push(&ids, (void *)(intptr_t)id);
		}
		if (st && rc != SQLITE_DONE)
			r = sq_db_error(s, "search images", err);
		sqlite3_finalize(st);
	}
	/* each row's names, as image_get lists them */
	st = r == 0 && ids.len ? sq_prep(s, err, "SELECT name FROM image_names WHERE image = ? ORDER BY seen DESC, name", NULL)
			       : NULL;
	if (r == 0 && ids.len && !st)
		r = -SW_E_DB;
	for (size_t i = 0; st && i < ids.len; i++) {
		struct sw_st_image *im = out->items[first + i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (int64_t)(intptr_t)ids.items[i]);
		while (sqlite3_step(st) == SQLITE_ROW)
			sw_vec_push(&im->names, sq_col_str(st, 0));
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	free(ids.items);
	sw_buf_release(&w);
	sw_buf_release(&sql);
	return r;
}

int sq_session_put(struct sw_st *store, const char *hash, const char *name, const char *scope, int64_t now,
		   int64_t expires, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "DELETE FROM web_sessions WHERE expires < ?", "i", now), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "INSERT INTO web_sessions(hash, token_name, scope, created, expires)"
				" VALUES (?, ?, ?, ?, ?)", "tttii", hash, name, scope, now, expires), err);
	sq_unlock(s);
	return r;
}

int sq_session_get(struct sw_st *store, const char *hash, int64_t now, char **name, char **scope, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err, "SELECT token_name, scope FROM web_sessions WHERE hash = ? AND expires > ?",
				"ti", hash, now);
	int r = st ? 0 : -SW_E_DB;
	*name = *scope = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		*name = sq_col_str(st, 0);
		*scope = sq_col_str(st, 1);
		r = 1;
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_session_delete(struct sw_st *store, const char *hash, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "DELETE FROM web_sessions WHERE hash = ?", "t", hash), err);
	sq_unlock(s);
	return r;
}

int sq_job_recent(struct sw_st *store, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				failed_only ? "SELECT id, ref, kind, state, attempts, error, image_digest, report_id, reused,"
					      " created, updated FROM jobs WHERE state = 'failed' ORDER BY updated DESC, id DESC"
					      " LIMIT ?"
					    : "SELECT id, ref, kind, state, attempts, error, image_digest, report_id, reused,"
					      " created, updated FROM jobs ORDER BY id DESC LIMIT ?",
				"i", limit);
	int r = st ? 0 : -SW_E_DB;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		struct sw_st_job *j = sw_xcalloc(1, sizeof(*j));
		j->id = sqlite3_column_int64(st, 0);
		j->ref = sq_col_str(st, 1);
		j->kind = sq_col_str(st, 2);
		const char *state = (const char *)sqlite3_column_text(st, 3);
		j->state = !state ? SW_JOB_PENDING
			   : strcmp(state, "running") == 0 ? SW_JOB_RUNNING
			   : strcmp(state, "done") == 0	   ? SW_JOB_DONE
			   : strcmp(state, "failed") == 0  ? SW_JOB_FAILED
							   : SW_JOB_PENDING;
		j->attempts = sqlite3_column_int(st, 4);
		j->error = sq_col_str(st, 5);
		j->image_digest = sq_col_str(st, 6);
		j->report_id = sqlite3_column_int64(st, 7);
		j->inventory_reused = sqlite3_column_int(st, 8) != 0;
		j->created = sqlite3_column_int64(st, 9);
		j->updated = sqlite3_column_int64(st, 10);
		sw_vec_push(out, j);
	}
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

/* ---------------------------------------------------------------- web, part 2 */

/* The hits of vuln_id, ordered as sq_vuln_images orders them (with the
 * version and fixed version as further tie-breakers, so pages do not
 * overlap); the page is cut first and only its rows read their names. */
int sq_vuln_images_page(struct sw_st *store, const char *vuln_id, int64_t limit, int64_t offset, struct sw_vec *out,
			int64_t *total, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				"SELECT count(*) FROM findings f JOIN images i ON i.latest_report = f.report"
				" WHERE f.vuln_id = ?", "t", vuln_id);
	int r = st ? 0 : -SW_E_DB;
	*total = 0;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r == 0) {
		st = sq_prep(s, err,
			     "SELECT t.digest, (SELECT group_concat(name, ' ') FROM image_names n WHERE n.image = t.iid),"
			     " t.pkg_name, t.pkg_version, t.fixed, t.severity, t.report FROM"
			     " (SELECT i.id AS iid, i.digest AS digest, f.pkg_name AS pkg_name, f.pkg_version AS pkg_version,"
			     "  f.fixed AS fixed, f.severity AS severity, f.report AS report"
			     "  FROM findings f JOIN images i ON i.latest_report = f.report WHERE f.vuln_id = ?"
			     "  ORDER BY i.digest, f.pkg_name, f.pkg_version, f.fixed, f.severity LIMIT ? OFFSET ?) t"
			     " ORDER BY t.digest, t.pkg_name, t.pkg_version, t.fixed, t.severity",
			     "tii", vuln_id, limit > 0 ? limit : (int64_t)-1, offset);
		r = st ? 0 : -SW_E_DB;
		while (st && sqlite3_step(st) == SQLITE_ROW) {
			struct sw_st_hit *h = sw_xcalloc(1, sizeof(*h));
			h->image_digest = sq_col_str(st, 0);
			h->names = sq_col_str(st, 1);
			h->pkg_name = sq_col_str(st, 2);
			h->pkg_version = sq_col_str(st, 3);
			h->fixed = sq_col_str(st, 4);
			h->severity = sq_col_str(st, 5);
			h->report_id = sqlite3_column_int64(st, 6);
			sw_vec_push(out, h);
		}
		sqlite3_finalize(st);
	}
	sq_unlock(s);
	return r;
}

int sq_session_bind(struct sw_st *store, const char *hash, const char *token_ref, int64_t now, int64_t expires,
		    struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	int r = sq_run(s, sq_prep(s, err, "DELETE FROM web_session_tokens WHERE expires < ?", "i", now), err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "INSERT OR REPLACE INTO web_session_tokens(hash, token_hash, expires)"
				" VALUES (?, ?, ?)", "tti", hash, token_ref, expires), err);
	sq_unlock(s);
	return r;
}

int sq_session_token_live(struct sw_st *store, const char *hash, int64_t now, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	sqlite3_stmt *st = sq_prep(s, err,
				"SELECT 1 FROM web_session_tokens b JOIN tokens t ON t.hash = b.token_hash"
				" WHERE b.hash = ? AND b.expires > ? AND t.revoked IS NULL", "ti", hash, now);
	int r = st ? 0 : -SW_E_DB;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		r = 1;
	sqlite3_finalize(st);
	sq_unlock(s);
	return r;
}

int sq_token_revoke(struct sw_st *store, const char *name, int64_t now, int64_t *revoked, struct sw_err *err)
{
	struct sq *s = SQ(store);
	sq_lock(s);
	*revoked = 0;
	int r = sq_begin(s, err);
	if (r == 0)
		r = sq_run(s, sq_prep(s, err, "UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL", "it", now,
				      name), err);
	if (r == 0) {
		*revoked = sqlite3_changes(s->db);
		/* the sessions made with them end now (session_token_live would
		 * refuse them anyway; this keeps the table small) */
		r = sq_run(s, sq_prep(s, err, "DELETE FROM web_session_tokens WHERE token_hash IN"
				      " (SELECT hash FROM tokens WHERE name = ? AND revoked IS NOT NULL)", "t", name), err);
	}
	if (r == 0)
		r = sq_commit(s, err);
	else
		sq_rollback(s);
	sq_unlock(s);
	return r;
}
