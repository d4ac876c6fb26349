/*
 * test_src_common.h - a sink that records what an importer produced, as
 * one canonical text per record, for the test_src_*.c importer tests.
 *
 *   ID src=S aliases=A,B published=P withdrawn=W
 *     summary: ...
 *     A ECOSYSTEM PACKAGE STATUS [fixed=V,...] [sev=S] [note=N] [purl=P] [unaff=E|E]
 *     S SOURCE TYPE VECTOR SCORE RATING
 *     cwe=CWE-1,CWE-2 refs=N
 */
#ifndef TEST_SRC_COMMON_H
#define TEST_SRC_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/vec.h"
#include "vulndb/model.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

#define SRC_UNUSED __attribute__((unused))

struct rec_sink {
	struct sw_map recs;   /* id -> char* text */
	struct sw_vec ids;    /* char*, arrival order (repeats kept) */
	struct sw_vec bad;    /* char* "file|record|what" */
	size_t n_vuln, n_kev, n_epss, n_affected, n_exploit;
	int fail_after;       /* put_vuln fails after this many (0 = never) */
};

static SRC_UNUSED void rec_add(struct rec_sink *s, const char *id, char *text)
{
	char *old = sw_map_get(&s->recs, id);
	if (old) {
		char *j = sw_xasprintf("%s\n---\n%s", old, text);
		free(old);
		free(text);
		text = j;
	}
	sw_map_put(&s->recs, id, text);
	sw_vec_push_strdup(&s->ids, id);
}

static SRC_UNUSED int rec_put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	struct rec_sink *s = ctx;
	if (s->fail_after && s->n_vuln >= (size_t)s->fail_after)
		return sw_err_set(err, SW_E_DB, "sink full");
	s->n_vuln++;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "%s src=%s aliases=", v->id, v->source);
	for (size_t i = 0; i < v->aliases.len; i++)
		sw_buf_addf(&b, "%s%s", i ? "," : "", (char *)v->aliases.items[i]);
	sw_buf_addf(&b, " published=%s withdrawn=%s\n", v->published ? v->published : "-",
		    v->withdrawn ? v->withdrawn : "-");
	sw_buf_addf(&b, "  summary: %s\n", v->summary ? v->summary : "-");
	for (size_t i = 0; i < v->affected.len; i++) {
		struct sw_affected *a = v->affected.items[i];
		s->n_affected++;
		sw_buf_addf(&b, "  A %s %s %s", a->ecosystem, a->package, sw_vuln_status_name(a->status));
		for (size_t r = 0; r < a->ranges.len; r++) {
			struct sw_range *rg = a->ranges.items[r];
			for (size_t e = 0; e < rg->events.len; e++) {
				struct sw_event *ev = rg->events.items[e];
				if (ev->kind == SW_EV_FIXED)
					sw_buf_addf(&b, " fixed=%s", ev->version);
				else if (ev->kind == SW_EV_LIMIT)
					sw_buf_addf(&b, " limit=%s", ev->version);
				else if (ev->kind == SW_EV_INTRODUCED && strcmp(ev->version, "0") != 0)
					sw_buf_addf(&b, " introduced=%s", ev->version);
			}
		}
		if (a->severity)
			sw_buf_addf(&b, " sev=%s", a->severity);
		if (a->note)
			sw_buf_addf(&b, " note=%s", a->note);
		if (a->purl)
			sw_buf_addf(&b, " purl=%s", a->purl);
		for (size_t k = 0; k < a->unaffected_exprs.len; k++)
			sw_buf_addf(&b, "%s%s", k ? "|" : " unaff=", (char *)a->unaffected_exprs.items[k]);
		sw_buf_addch(&b, '\n');
	}
	for (size_t i = 0; i < v->severities.len; i++) {
		struct sw_severity *sv = v->severities.items[i];
		sw_buf_addf(&b, "  S %s %s %s %.1f %s\n", sv->source, sv->type,
			    sv->vector ? sv->vector : "-", sv->score, sv->rating ? sv->rating : "-");
	}
	sw_buf_addstr(&b, "  cwe=");
	for (size_t i = 0; i < v->cwes.len; i++)
		sw_buf_addf(&b, "%s%s", i ? "," : "", (char *)v->cwes.items[i]);
	sw_buf_addf(&b, " refs=%zu\n", v->references.len);
	if (v->details)
		sw_buf_addf(&b, "  details: %.60s\n", v->details);
	rec_add(s, v->id, sw_buf_detach(&b, NULL));
	return 0;
}

static SRC_UNUSED int rec_put_kev(void *ctx, const struct sw_kev *k, struct sw_err *err)
{
	(void)err;
	struct rec_sink *s = ctx;
	s->n_kev++;
	rec_add(s, k->cve, sw_xasprintf("%s|%s|%s|%s|%s|%s|%d", k->cve, k->vendor ? k->vendor : "-",
					k->product ? k->product : "-", k->name ? k->name : "-",
					k->date_added ? k->date_added : "-",
					k->due_date ? k->due_date : "-", k->ransomware));
	return 0;
}

static SRC_UNUSED int rec_put_epss(void *ctx, const struct sw_epss *e, struct sw_err *err)
{
	(void)err;
	struct rec_sink *s = ctx;
	s->n_epss++;
	rec_add(s, e->cve, sw_xasprintf("%s|%.5f|%.5f|%s", e->cve, e->score, e->percentile,
					e->date ? e->date : "-"));
	return 0;
}

static SRC_UNUSED int rec_put_exploit(void *ctx, const struct sw_exploit *x, struct sw_err *err)
{
	(void)err;
	struct rec_sink *s = ctx;
	s->n_exploit++;
	rec_add(s, x->cve, sw_xasprintf("%s|%s|%s|%s|%s|%s|%d", x->cve, x->id, x->title ? x->title : "-",
					x->published ? x->published : "-", x->type ? x->type : "-",
					x->platform ? x->platform : "-", x->verified));
	return 0;
}

static SRC_UNUSED void rec_bad(void *ctx, const char *file, const char *record, const char *what)
{
	struct rec_sink *s = ctx;
	assert_non_null(file);
	assert_non_null(record);
	assert_non_null(what);
	sw_vec_push(&s->bad, sw_xasprintf("%s|%s|%s", file, record, what));
}

static SRC_UNUSED struct sw_vuln_sink rec_sink_of(struct rec_sink *s)
{
	struct sw_vuln_sink k = { s, rec_put_vuln, rec_put_kev, rec_put_epss, rec_bad, rec_put_exploit };
	return k;
}

static SRC_UNUSED void rec_release(struct rec_sink *s)
{
	sw_map_free_all(&s->recs, free);
	sw_vec_free_strings(&s->ids);
	sw_vec_free_strings(&s->bad);
	memset(s, 0, sizeof(*s));
}

static SRC_UNUSED const char *rec_get(struct rec_sink *s, const char *id)
{
	return sw_map_get(&s->recs, id);
}

/* The record of id must exist and contain each needle. */
#define assert_rec_has(s, id, ...)                                                 \
	do {                                                                         \
		const char *r_ = rec_get((s), (id));                                 \
		if (!r_)                                                             \
			fail_msg("no record '%s'", (id));                            \
		const char *needles_[] = { __VA_ARGS__ };                            \
		for (size_t n_ = 0; n_ < sizeof(needles_) / sizeof(needles_[0]); n_++) \
			if (!strstr(r_, needles_[n_]))                               \
				fail_msg("record '%s' lacks '%s':\n%s", (id), needles_[n_], r_); \
	} while (0)

#define assert_rec_lacks(s, id, needle)                                            \
	do {                                                                         \
		const char *r_ = rec_get((s), (id));                                 \
		if (!r_)                                                             \
			fail_msg("no record '%s'", (id));                            \
		if (strstr(r_, (needle)))                                            \
			fail_msg("record '%s' has '%s':\n%s", (id), (needle), r_);     \
	} while (0)

/* Some bad-record report must contain all of file, record and what-part. */
static SRC_UNUSED bool rec_bad_has(struct rec_sink *s, const char *file, const char *record,
			const char *what_part)
{
	for (size_t i = 0; i < s->bad.len; i++) {
		const char *b = s->bad.items[i];
		char *want = sw_xasprintf("%s|%s|", file, record);
		bool ok = strncmp(b, want, strlen(want)) == 0 && strstr(b + strlen(want), what_part);
		free(want);
		if (ok)
			return true;
	}
	return false;
}

static SRC_UNUSED void rec_dump_bad(struct rec_sink *s)
{
	for (size_t i = 0; i < s->bad.len; i++)
		print_message("bad: %s\n", (char *)s->bad.items[i]);
}

/* Import a file (via the source) into s; returns import_file's result. */
static SRC_UNUSED int import_path(const struct sw_vuln_source *src, const char *path, const char *as,
		       struct rec_sink *s, struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	if (sw_buf_read_file(&b, path, SW_SRC_MAX_FILE, err) < 0)
		return -1;
	struct sw_vuln_sink k = rec_sink_of(s);
	int rc = src->import_file(as ? as : path, (const uint8_t *)b.data, b.len, &k, err);
	sw_buf_release(&b);
	return rc;
}

static SRC_UNUSED int import_str(const struct sw_vuln_source *src, const char *as, const char *text,
		      struct rec_sink *s, struct sw_err *err)
{
	struct sw_vuln_sink k = rec_sink_of(s);
	return src->import_file(as, (const uint8_t *)text, strlen(text), &k, err);
}

/* Extract a .tar.xz of the shared data into a fresh temp dir (malloc'd). */
static SRC_UNUSED char *extract_shared(const char *shared, const char *rel)
{
	char *dir = sw_test_tmpdir();
	char *cmd = sw_xasprintf("tar -xJf '%s/%s' -C '%s'", shared, rel, dir);
	if (sw_test_sh(cmd) != 0)
		fail_msg("cannot extract %s", rel);
	free(cmd);
	return dir;
}

static SRC_UNUSED void remove_tree(char *dir)
{
	char *cmd = sw_xasprintf("rm -rf '%s'", dir);
	(void)sw_test_sh(cmd);
	free(cmd);
	free(dir);
}

/* Decompress a .xz of the shared data into a temp file (malloc'd path). */
static SRC_UNUSED char *unxz_shared(const char *shared, const char *rel, const char *name, char **dir_out)
{
	char *dir = sw_test_tmpdir();
	char *out = sw_xasprintf("%s/%s", dir, name);
	char *cmd = sw_xasprintf("xz -dc '%s/%s' > '%s'", shared, rel, out);
	if (sw_test_sh(cmd) != 0)
		fail_msg("cannot decompress %s", rel);
	free(cmd);
	*dir_out = dir;
	return out;
}

#endif
