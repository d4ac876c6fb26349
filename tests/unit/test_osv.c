/* test_osv.c - the OSV importer: JSON, YAML, malformed records, and the
 * real OSV archives of shared/data through the update machinery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/sources/osv.h"
#include "vulndb/vulndb.h"

/* ---------------------------------------------------------------- a sink that keeps everything */

struct got {
	struct sw_vec vulns; /* struct sw_vuln* copies (only what the tests read) */
	struct sw_vec bad;   /* "file|record|what" */
};

static struct sw_vuln *copy_vuln(const struct sw_vuln *v)
{
	struct sw_vuln *c = sw_vuln_new(v->id, v->source);
	c->summary = sw_xstrdup(v->summary);
	c->withdrawn = sw_xstrdup(v->withdrawn);
	c->informational = sw_xstrdup(v->informational);
	c->modified = sw_xstrdup(v->modified);
	for (size_t i = 0; i < v->aliases.len; i++)
		sw_vec_push_strdup(&c->aliases, v->aliases.items[i]);
	for (size_t i = 0; i < v->cwes.len; i++)
		sw_vec_push_strdup(&c->cwes, v->cwes.items[i]);
	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *s = v->severities.items[i];
		sw_vec_push(&c->severities, sw_severity_new(s->source, s->type, s->vector, s->score, s->rating));
	}
	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		struct sw_affected *b = sw_affected_new(a->ecosystem, a->package);
		b->status = a->status;
		b->severity = sw_xstrdup(a->severity);
		for (size_t k = 0; k < a->versions.len; k++)
			sw_vec_push_strdup(&b->versions, a->versions.items[k]);
		for (size_t k = 0; k < a->ranges.len; k++) {
			const struct sw_range *r = a->ranges.items[k];
			struct sw_range *q = sw_range_new(r->type);
			for (size_t e = 0; e < r->events.len; e++) {
				const struct sw_event *ev = r->events.items[e];
				sw_range_add_event(q, ev->kind, ev->version);
			}
			sw_vec_push(&b->ranges, q);
		}
		sw_vec_push(&c->affected, b);
	}
	return c;
}

static int put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	(void)err;
	struct got *g = ctx;
	sw_vec_push(&g->vulns, copy_vuln(v));
	return 0;
}

static void bad_record(void *ctx, const char *file, const char *record, const char *what)
{
	struct got *g = ctx;
	sw_vec_push(&g->bad, sw_xasprintf("%s|%s|%s", file, record, what));
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->vulns.len; i++)
		sw_vuln_free(g->vulns.items[i]);
	sw_vec_release(&g->vulns);
	sw_vec_free_strings(&g->bad);
}

static int import(const char *path, const char *text, struct got *g, struct sw_err *err)
{
	struct sw_vuln_sink sink = { g, put_vuln, NULL, NULL, bad_record };
	return sw_source_osv.import_file(path, (const uint8_t *)text, strlen(text), &sink, err);
}

static const char *event_str(const struct sw_range *r, size_t i, enum sw_event_kind *kind)
{
	const struct sw_event *e = r->events.items[i];
	*kind = e->kind;
	return e->version;
}

/* ---------------------------------------------------------------- fixtures */

static void test_json_record(void **state)
{
	(void)state;
	const char *rec =
		"{\"id\":\"GHSA-xxxx-yyyy-zzzz\",\"modified\":\"2024-01-02T00:00:00Z\",\"published\":\"2024-01-01T00:00:00Z\","
		"\"aliases\":[\"CVE-2024-1\"],\"upstream\":[\"CVE-2024-2\"],\"summary\":\"s\",\"details\":\"d\","
		"\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"},"
		"{\"type\":\"Ubuntu\",\"score\":\"medium\"}],"
		"\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"left-pad\",\"purl\":\"pkg:npm/left-pad\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.2.3\"}]}],"
		"\"versions\":[\"1.0.0\"],\"database_specific\":{\"severity\":\"LOW\"}},"
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"abc\"}]}]},"
		"{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"a:b\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
		"\"events\":[{\"introduced\":\"0\"},{\"last_affected\":\"2.0\"}]}]}],"
		"\"references\":[{\"type\":\"WEB\",\"url\":\"https://example.test/x\"}],"
		"\"database_specific\":{\"severity\":\"MODERATE\",\"cwe_ids\":[\"CWE-79\",\"CWE-80\"]}}";
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import("a/GHSA.json", rec, &g, &err), 0);
	assert_int_equal(g.vulns.len, 1);
	assert_int_equal(g.bad.len, 0);
	struct sw_vuln *v = g.vulns.items[0];
	assert_string_equal(v->id, "GHSA-xxxx-yyyy-zzzz");
	assert_string_equal(v->source, "osv");
	assert_int_equal(v->aliases.len, 2);
	assert_string_equal(v->aliases.items[1], "CVE-2024-2");
	assert_int_equal(v->cwes.len, 2);
	assert_int_equal(v->severities.len, 3);
	struct sw_severity *s = v->severities.items[0];
	assert_string_equal(s->source, "ghsa");
	assert_string_equal(s->type, "CVSS_V3");
	assert_string_equal(s->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(((struct sw_severity *)v->severities.items[1])->rating, "medium");
	assert_string_equal(((struct sw_severity *)v->severities.items[2])->rating, "medium"); /* MODERATE */
	assert_int_equal(v->affected.len, 2); /* the GIT-only entry names no package */
	struct sw_affected *a = v->affected.items[0];
	assert_string_equal(a->ecosystem, "npm");
	assert_int_equal(a->status, SW_ST_FIXED);
	assert_string_equal(a->severity, "LOW");
	assert_int_equal(a->versions.len, 1);
	enum sw_event_kind k;
	assert_string_equal(event_str(a->ranges.items[0], 1, &k), "1.2.3");
	assert_int_equal(k, SW_EV_FIXED);
	a = v->affected.items[1];
	assert_int_equal(a->status, SW_ST_AFFECTED);
	assert_string_equal(event_str(a->ranges.items[0], 1, &k), "2.0");
	assert_int_equal(k, SW_EV_LAST_AFFECTED);
	got_free(&g);
}

static void test_json_array_with_bad_records(void **state)
{
	(void)state;
	const char *text = "[{\"id\":\"OK-1\",\"modified\":\"2024-01-01T00:00:00Z\"},"
			   "{\"modified\":\"2024-01-01T00:00:00Z\"},"
			   "{\"id\":42,\"modified\":\"x\"},"
			   "{\"id\":\"BAD-TYPES\",\"modified\":\"x\",\"summary\":7},"
			   "{\"id\":\"BAD-EVENT\",\"modified\":\"x\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
			   "\"name\":\"p\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":1}]}]}]},"
			   "{\"id\":\"NO-MODIFIED\"},"
			   "{\"id\":\"BAD-ALIASES\",\"modified\":\"x\",\"aliases\":\"CVE-1\"},"
			   "{\"id\":\"BAD-PKG\",\"modified\":\"x\",\"affected\":[{\"package\":{\"name\":\"p\"}}]},"
			   "17,"
			   "{\"id\":\"OK-2\",\"modified\":\"2024-01-01T00:00:00Z\",\"withdrawn\":\"2024-02-01T00:00:00Z\"}]";
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import("dir/all.json", text, &g, &err), 0);
	assert_int_equal(g.vulns.len, 2);
	assert_string_equal(((struct sw_vuln *)g.vulns.items[0])->id, "OK-1");
	assert_string_equal(((struct sw_vuln *)g.vulns.items[1])->withdrawn, "2024-02-01T00:00:00Z");
	assert_int_equal(g.bad.len, 8);
	assert_string_equal(g.bad.items[0], "dir/all.json|#1|missing 'id'");
	assert_string_equal(g.bad.items[1], "dir/all.json|#2|'id' is not a non-empty string");
	assert_string_equal(g.bad.items[2], "dir/all.json|BAD-TYPES|'summary' is not a string");
	assert_string_equal(g.bad.items[3],
			    "dir/all.json|BAD-EVENT|'affected[0].ranges[0].events[0].fixed' is not a string");
	assert_string_equal(g.bad.items[4], "dir/all.json|NO-MODIFIED|missing 'modified'");
	assert_string_equal(g.bad.items[5], "dir/all.json|BAD-ALIASES|'aliases' is not an array");
	assert_string_equal(g.bad.items[6],
			    "dir/all.json|BAD-PKG|'affected[0].package' needs string 'ecosystem' and 'name'");
	assert_string_equal(g.bad.items[7], "dir/all.json|#8|record is not an object");
	got_free(&g);
}

static void test_bad_files(void **state)
{
	(void)state;
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_true(import("x/broken.json", "{\"id\": \"A\", ", &g, &err) < 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "x/broken.json"));
	sw_err_clear(&err);
	assert_true(import("x/num.json", "42", &g, &err) < 0);
	assert_non_null(strstr(err.msg, "x/num.json"));
	sw_err_clear(&err);
	assert_true(import("x/bad.yaml", "id: [unclosed\n  - x: {", &g, &err) < 0);
	assert_non_null(strstr(err.msg, "x/bad.yaml"));
	assert_non_null(strstr(err.msg, "YAML"));
	sw_err_clear(&err);
	assert_true(import("x/empty.json", "  \n", &g, &err) < 0);
	assert_int_equal(g.vulns.len, 0);
	got_free(&g);
}

static void test_yaml_types(void **state)
{
	(void)state;
	/* Unquoted versions must stay strings: 0, 1.10 (not 1.1), 2.0 */
	const char *text = "id: PYSEC-2099-1\n"
			   "modified: 2021-09-26T23:32:08.989778Z\n"
			   "published: \"2021-07-30T22:15:00Z\"\n"
			   "withdrawn: ~\n"
			   "aliases:\n- CVE-2099-1\n- GHSA-aaaa-bbbb-cccc\n"
			   "affected:\n"
			   "- package:\n    name: Some_Package\n    ecosystem: PyPI\n"
			   "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n"
			   "  versions:\n  - 1.0\n  - 1.9\n"
			   "references:\n- type: WEB\n  url: https://example.test/a\n";
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import("vulns/some/PYSEC-2099-1.yaml", text, &g, &err), 0);
	assert_int_equal(g.bad.len, 0);
	assert_int_equal(g.vulns.len, 1);
	struct sw_vuln *v = g.vulns.items[0];
	assert_null(v->withdrawn);
	assert_string_equal(v->modified, "2021-09-26T23:32:08.989778Z");
	assert_int_equal(v->aliases.len, 2);
	struct sw_affected *a = v->affected.items[0];
	assert_string_equal(a->package, "Some_Package");
	enum sw_event_kind k;
	assert_string_equal(event_str(a->ranges.items[0], 0, &k), "0");
	assert_string_equal(event_str(a->ranges.items[0], 1, &k), "1.10");
	assert_string_equal(a->versions.items[0], "1.0");
	got_free(&g);

	/* wrong shapes in YAML are bad records too */
	struct got h = { SW_VEC_INIT, SW_VEC_INIT };
	assert_int_equal(import("v/x.yaml", "id: X-1\nmodified: m\naffected: nope\n", &h, &err), 0);
	assert_int_equal(h.vulns.len, 0);
	assert_int_equal(h.bad.len, 1);
	assert_string_equal(h.bad.items[0], "v/x.yaml|X-1|'affected' is not an array");
	got_free(&h);
	/* a YAML alias bomb is refused, not expanded */
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'k'; c++)
		sw_buf_addf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1,
			    c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	struct got z = { SW_VEC_INIT, SW_VEC_INIT };
	assert_true(import("v/bomb.yaml", b.data, &z, &err) < 0);
	assert_non_null(strstr(err.msg, "too large"));
	got_free(&z);
	sw_buf_release(&b);
}

static void test_wrapped_and_wants(void **state)
{
	(void)state;
	const char *text = "{\"identifier\":\"x\",\"item\":{\"id\":\"UBUNTU-CVE-2020-1\",\"modified\":\"m\","
			   "\"affected\":[{\"package\":{\"ecosystem\":\"Ubuntu:Pro:14.04:LTS\",\"name\":\"jansson\"},"
			   "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}}";
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import("u.json", text, &g, &err), 0);
	assert_int_equal(g.vulns.len, 1);
	struct sw_affected *a = ((struct sw_vuln *)g.vulns.items[0])->affected.items[0];
	assert_string_equal(a->ecosystem, "Ubuntu:Pro:14.04:LTS");
	assert_int_equal(a->status, SW_ST_AFFECTED);
	got_free(&g);
	assert_true(sw_source_osv.wants("a/b/GO-2020-0001.json"));
	assert_true(sw_source_osv.wants("vulns/x/PYSEC-1.yaml"));
	assert_false(sw_source_osv.wants("vulns/.id-allocator"));
	assert_false(sw_source_osv.wants("LICENSE"));
	assert_false(sw_source_osv.wants("README.md"));
}

/* ---------------------------------------------------------------- through the store */

static char *tmp_db(char **dir)
{
	*dir = sw_test_tmpdir();
	return sw_xasprintf("%s/db.sqlite", *dir);
}

static void rm_rf(const char *dir)
{
	char *cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
}

static int64_t read_into(struct sw_vulndb *db, const char *source, const char *location, const char *include)
{
	struct sw_vulndb_location loc = { (char *)source, (char *)location, (char *)include };
	struct sw_err err = SW_ERR_INIT;
	bool changed = false;
	int r = sw_vulndb_read_location(db, &loc, NULL, &changed, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_true(changed);
	int64_t rec = 0;
	sw_vulndb_sink_counts(db, &rec, NULL);
	return rec;
}

static void test_truncated_archive(void **state)
{
	(void)state;
	char *dir = NULL;
	char *path = tmp_db(&dir);
	/* build a tar.gz of 200 records, then cut it in half */
	char *cmd = sw_xasprintf(
		"set -e; cd '%s'; mkdir -p src/recs; i=0; while [ $i -lt 200 ]; do "
		"printf '{\"id\":\"T-%%d\",\"modified\":\"2024-01-01T00:00:00Z\",\"details\":\"%%0500d\"}' $i $i "
		"> src/recs/T-$i.json; i=$((i+1)); done; "
		"printf '{\"id\": broken' > src/recs/zz-bad.json; "
		"tar -C src -cf - recs | gzip -1 > full.tar.gz; "
		"head -c $(( $(stat -c %%s full.tar.gz) / 2 )) full.tar.gz > half.tar.gz",
		dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	struct sw_vulndb *db = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_vulndb_open(path, SW_VULNDB_CREATE, &db, &err), 0);

	char *full = sw_xasprintf("%s/full.tar.gz", dir), *half = sw_xasprintf("%s/half.tar.gz", dir);
	assert_int_equal(read_into(db, "osv", full, NULL), 200);
	int64_t bad = 0;
	sw_vulndb_sink_counts(db, NULL, &bad);
	assert_int_equal(bad, 1); /* zz-bad.json */
	/* A truncated archive is an incomplete read: the location is rolled
	 * back (here: nothing was stored from it) and the read fails, naming
	 * the archive and the truncation. */
	struct sw_vulndb_location hl = { "osv", half, NULL };
	bool hchanged = true;
	struct sw_err herr = SW_ERR_INIT;
	assert_true(sw_vulndb_read_location(db, &hl, NULL, &hchanged, &herr) < 0);
	assert_false(hchanged);
	assert_non_null(strstr(herr.msg, "half.tar.gz"));
	assert_non_null(strstr(herr.msg, "incomplete"));

	struct sw_vulndb_info *info = NULL;
	assert_int_equal(sw_vulndb_info(db, &info, &err), 0);
	/* the full archive's 200 records and its bad record are untouched */
	assert_int_equal(((struct sw_vulndb_source_info *)info->sources.items[0])->records, 200);
	assert_int_equal(((struct sw_vulndb_source_info *)info->sources.items[0])->bad_records, 1);
	assert_non_null(((struct sw_vulndb_source_info *)info->sources.items[0])->last_error);
	assert_non_null(strstr(((struct sw_vulndb_source_info *)info->sources.items[0])->last_error, "truncated"));
	bool named_bad = false;
	for (size_t i = 0; i < info->bad.len; i++) {
		const char *b = info->bad.items[i];
		named_bad |= strstr(b, "full.tar.gz:recs/zz-bad.json: -: ") != NULL && strstr(b, "bad JSON") != NULL;
		assert_null(strstr(b, "half.tar.gz"));
	}
	assert_true(named_bad);
	sw_vulndb_info_free(info);

	/* the same location cut short later keeps its 200 records */
	char *cp = sw_xasprintf("cp '%s' '%s/keep.tar.gz'", full, dir);
	assert_int_equal(sw_test_sh(cp), 0);
	free(cp);
	char *keep = sw_xasprintf("%s/keep.tar.gz", dir);
	assert_int_equal(read_into(db, "osv", keep, NULL), 200);
	cp = sw_xasprintf("cp '%s' '%s'", half, keep);
	assert_int_equal(sw_test_sh(cp), 0);
	free(cp);
	struct sw_vulndb_location kl = { "osv", keep, NULL };
	assert_true(sw_vulndb_read_location(db, &kl, NULL, &hchanged, &herr) < 0);
	assert_non_null(strstr(herr.msg, "kept its 200 previous records"));
	assert_int_equal(sw_vulndb_info(db, &info, &err), 0);
	assert_int_equal(((struct sw_vulndb_source_info *)info->sources.items[0])->records, 400);
	sw_vulndb_info_free(info);
	free(keep);

	/* a folder is walked recursively, archives inside it too */
	char *src = sw_xasprintf("%s/src", dir);
	assert_int_equal(read_into(db, "osv", src, NULL), 200);
	/* include globs restrict what is read */
	assert_int_equal(read_into(db, "osv", full, "**/T-1*.json"), 111);
	/* a missing location is an error, not an empty import */
	struct sw_vulndb_location loc = { "osv", "/nonexistent/x.zip", NULL };
	bool changed = true;
	assert_true(sw_vulndb_read_location(db, &loc, NULL, &changed, &err) < 0);
	assert_false(changed);
	assert_non_null(strstr(err.msg, "/nonexistent/x.zip"));
	sw_vulndb_close(db);
	free(src);
	free(full);
	free(half);
	rm_rf(dir);
	free(dir);
	free(path);
}


/* Notices: RustSec informational advisories (affected[].database_specific
 * .informational) are kept as such, through the store too; a withdrawn
 * record keeps its date; a bad informational is a bad record. */
static void test_notices(void **state)
{
	(void)state;
	const char *text =
		"[{\"id\":\"RUSTSEC-2016-0004\",\"modified\":\"2020-10-02T01:29:11Z\",\"summary\":\"libusb is unmaintained\","
		"\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"libusb\"},"
		"\"database_specific\":{\"categories\":[],\"cvss\":null,\"informational\":\"unmaintained\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0.0.0-0\"}]}]}]},"
		"{\"id\":\"RUSTSEC-2020-0001\",\"modified\":\"2020-10-02T01:29:11Z\","
		"\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"x\"},"
		"\"database_specific\":{\"informational\":null}}]},"
		"{\"id\":\"RUSTSEC-2020-0002\",\"modified\":\"2020-10-02T01:29:11Z\","
		"\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"y\"},"
		"\"database_specific\":{\"informational\":7}}]},"
		"{\"id\":\"GHSA-aaaa-bbbb-cccc\",\"modified\":\"2024-01-02T00:00:00Z\",\"withdrawn\":\"2024-03-01T00:00:00Z\","
		"\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"p\"}}]},"
		"{\"id\":\"MAL-2024-1\",\"modified\":\"2024-01-02T00:00:00Z\","
		"\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"evil\"},\"versions\":[\"1.0.0\"]}]}]";
	struct got g = { SW_VEC_INIT, SW_VEC_INIT };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(import("n/all.json", text, &g, &err), 0);
	assert_int_equal(g.vulns.len, 4);
	assert_int_equal(g.bad.len, 1);
	assert_string_equal(g.bad.items[0],
			    "n/all.json|RUSTSEC-2020-0002|'affected[0].database_specific.informational' is not a "
			    "non-empty string");
	struct sw_vuln *v = g.vulns.items[0];
	assert_string_equal(v->informational, "unmaintained");
	assert_null(((struct sw_vuln *)g.vulns.items[1])->informational); /* null: a vulnerability */
	assert_null(((struct sw_vuln *)g.vulns.items[2])->informational);
	assert_string_equal(((struct sw_vuln *)g.vulns.items[2])->withdrawn, "2024-03-01T00:00:00Z");
	assert_null(((struct sw_vuln *)g.vulns.items[3])->informational);

	/* through the store */
	char *dir = NULL;
	char *path = tmp_db(&dir);
	struct sw_vulndb *db = NULL;
	assert_int_equal(sw_vulndb_open(path, SW_VULNDB_CREATE, &db, &err), 0);
	int64_t loc = 0;
	assert_int_equal(sw_vulndb_location_begin(db, "osv", "n/all.json", &loc, &err), 0);
	for (size_t i = 0; i < g.vulns.len; i++)
		assert_int_equal(sw_vulndb_put_vuln(db, loc, g.vulns.items[i], &err), 0);
	struct sw_vuln *back = NULL;
	assert_int_equal(sw_vulndb_get(db, "RUSTSEC-2016-0004", &back, &err), 0);
	assert_non_null(back);
	assert_string_equal(back->informational, "unmaintained");
	sw_vuln_free(back);
	assert_int_equal(sw_vulndb_get(db, "GHSA-aaaa-bbbb-cccc", &back, &err), 0);
	assert_null(back->informational);
	assert_string_equal(back->withdrawn, "2024-03-01T00:00:00Z");
	sw_vuln_free(back);
	sw_vulndb_close(db);

	/* a schema-2 file (before notices) still opens read-only, without them */
	char *old = sw_xasprintf("%s/old.sqlite", dir);
	char *cmd = sw_xasprintf("cp '%s' '%s' && sqlite3 '%s' 'ALTER TABLE vulns DROP COLUMN informational;"
				 " PRAGMA user_version = 2;'", path, old, old);
	if (sw_test_sh(cmd) == 0) {
		assert_int_equal(sw_vulndb_open(old, SW_VULNDB_RDONLY, &db, &err), 0);
		assert_int_equal(sw_vulndb_get(db, "RUSTSEC-2016-0004", &back, &err), 0);
		assert_non_null(back);
		assert_string_equal(back->summary, "libusb is unmaintained");
		assert_null(back->informational);
		sw_vuln_free(back);
		sw_vulndb_close(db);
	} else {
		fail_msg("sqlite3 (the command) is needed for this test");
	}
	free(cmd);
	free(old);
	got_free(&g);
	rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_record),
		cmocka_unit_test(test_json_array_with_bad_records),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_yaml_types),
		cmocka_unit_test(test_wrapped_and_wants),
		cmocka_unit_test(test_truncated_archive),
		cmocka_unit_test(test_notices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
