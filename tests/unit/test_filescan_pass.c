/* test_filescan_pass.c - content scanners in the layer pass (inventory/filescan.h,
 * filescan_pass.h) through sw_inventory_build() on images built here, with a
 * test-only scanner that reports every "PLANTED-TOKEN" it sees:
 * - findings carry their layer; removed_in from a later whiteout, opaque
 *   directory, rewrite, or a file replacing a parent directory; sorted;
 * - streamed files arrive in several chunks (a token split across chunks is
 *   still found), `whole` scanners get the file in one chunk, a file over a
 *   whole scanner's max_size is skipped with a warning;
 * - a hard link gets its target's findings under its own path;
 * - both caches keep findings; another fingerprint is another key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inventory/filescan.h"
#include "inventory/image_cache.h"
#include "inventory/inventory.h"
#include "inventory/layer_cache.h"
#include "sw_test.h"
#include "util/mem.h"

#define TOKEN "PLANTED-TOKEN"
#define TLEN (sizeof(TOKEN) - 1)

struct tscan {
	bool whole;
	int begun, ended;       /* not atomic: checked only when 1 thread runs */
	size_t max_feeds;       /* the largest number of feed() calls for one file */
	size_t max_chunk;
};

struct tstate {
	struct tscan *t;
	char *path;
	char tail[TLEN];
	size_t tlen;
	uint64_t off;
	size_t feeds;
	struct sw_vec hits;     /* uint64_t offsets, boxed */
};

static bool t_wants(void *self, const char *path, unsigned mode, uint64_t size)
{
	(void)self, (void)size;
	return S_ISREG(mode) && strstr(path, "skipme") == NULL;
}

static void *t_begin(void *self, const char *path, uint64_t size)
{
	(void)size;
	struct tstate *s = sw_xcalloc(1, sizeof(*s));
	s->t = self;
	s->t->begun++;
	s->path = sw_xstrdup(path);
	return s;
}

static void hit(struct tstate *s, uint64_t at)
{
	uint64_t *p = sw_xmalloc(sizeof(*p));
	*p = at;
	sw_vec_push(&s->hits, p);
}

static bool t_feed(void *state, const uint8_t *data, size_t len)
{
	struct tstate *s = state;
	s->feeds++;
	if (len > s->t->max_chunk)
		s->t->max_chunk = len;
	/* tokens across the previous chunks' tail and this one */
	for (size_t k = 1; k < TLEN && k <= s->tlen; k++)
		if (TLEN - k <= len && memcmp(s->tail + s->tlen - k, TOKEN, k) == 0 &&
		    memcmp(data, &TOKEN[k], TLEN - k) == 0)
			hit(s, s->off - k);
	for (size_t i = 0; i + TLEN <= len; i++)
		if (memcmp(data + i, TOKEN, TLEN) == 0)
			hit(s, s->off + i);
	char tmp[2 * TLEN];
	memcpy(tmp, s->tail, s->tlen);
	size_t take = len < TLEN - 1 ? len : TLEN - 1, tn = s->tlen;
	memcpy(tmp + tn, data + len - take, take);
	tn += take;
	size_t keep = tn < TLEN - 1 ? tn : TLEN - 1;
	memcpy(s->tail, tmp + tn - keep, keep);
	s->tlen = keep;
	s->off += len;
	return false;
}

static int t_end(void *state, struct sw_vec *out, struct sw_vec *warnings, struct sw_err *err)
{
	(void)warnings, (void)err;
	struct tstate *s = state;
	s->t->ended++;
	if (s->feeds > s->t->max_feeds)
		s->t->max_feeds = s->feeds;
	for (size_t i = 0; i < s->hits.len; i++) {
		struct sw_file_finding *f = sw_file_finding_new("secret");
		f->rule_id = sw_xstrdup("planted-token");
		f->title = sw_xstrdup("a planted token");
		f->severity = SW_SEV_HIGH;
		f->offset = *(uint64_t *)s->hits.items[i];
		f->match = sw_xstrdup("PLANTED-****");
		sw_vec_push(out, f);
	}
	sw_vec_free_all(&s->hits, free);
	free(s->path);
	free(s);
	return 0;
}

static struct sw_file_scanner make_scanner(struct tscan *t, const char *fingerprint, bool whole,
					   uint64_t max)
{
	t->whole = whole;
	struct sw_file_scanner s = { .name = "secret", .fingerprint = fingerprint, .max_size = max,
				     .whole = whole, .self = t, .wants = t_wants, .begin = t_begin,
				     .feed = t_feed, .end = t_end };
	return s;
}

static char *dir;

/* Run script in folder d. */
static void sh(const char *script, const char *d)
{
	char *cmd = sw_xasprintf("cd '%s' && %s", d, script);
	int r = sw_test_sh(cmd);
	if (r)
		fprintf(stderr, "failed: %s\n", cmd);
	assert_int_equal(r, 0);
	free(cmd);
}

/* Layers: l1 plants tokens, l2 deletes/rewrites some, l3 replaces a directory
 * with a file. */
static char *build_image(void)
{
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	dir = sw_test_tmpdir();
	sh("mkdir -p l1/etc l1/app l1/gone l1/opq l1/repl l1/big l2/app l2/opq l3 && "
	   "printf 'ID=debian\\nVERSION_ID=12\\n' > l1/etc/os-release && "
	   "printf 'x PLANTED-TOKEN y\\n' > l1/app/deleted.txt && "
	   "printf 'PLANTED-TOKEN\\n' > l1/app/rewritten.txt && "
	   "printf 'a PLANTED-TOKEN\\n' > l1/app/kept.txt && ln l1/app/kept.txt l1/app/kept-link.txt && "
	   "printf 'PLANTED-TOKEN\\n' > l1/gone/in-dir.txt && "
	   "printf 'PLANTED-TOKEN\\n' > l1/opq/in-opaque.txt && "
	   "printf 'PLANTED-TOKEN\\n' > l1/repl/under.txt && "
	   "printf 'PLANTED-TOKEN' > l1/app/skipme.txt && "
	   "touch l2/app/.wh.deleted.txt l2/.wh.gone l2/opq/.wh..wh..opq && "
	   "printf 'clean now\\n' > l2/app/rewritten.txt && "
	   "printf 'new PLANTED-TOKEN\\n' > l2/app/added.txt && "
	   "printf 'not a dir any more\\n' > l3/repl",
	   dir);
	/* a 1 MiB file with a token straddling the 256 KiB streaming chunks and one at the end */
	char *big = sw_xasprintf("%s/l1/big/data.bin", dir);
	FILE *f = fopen(big, "wb");
	assert_non_null(f);
	size_t n = (size_t)1 << 20;
	uint8_t *buf = sw_xcalloc(1, n);
	memcpy(buf + 262144 - 5, TOKEN, TLEN);
	memcpy(buf + n - TLEN, TOKEN, TLEN);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	free(buf);
	free(big);
	char *cmd = sw_xasprintf("cd '%s' && python3 '%s/tests/tools/mkimage.py' --format oci -o img "
				 "--history 'RUN plant' --history 'RUN clean' --history 'RUN replace' l1 l2 l3 >/dev/null",
				 dir, src);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	return sw_xasprintf("oci:%s/img", dir);
}

static struct sw_inventory *build(const char *ref, const struct sw_file_scanner *s, const char *cache)
{
	struct sw_err err = SW_ERR_INIT;
	struct sw_image *img = NULL;
	struct sw_inventory *inv = NULL;
	assert_int_equal(sw_image_open(ref, NULL, &img, &err), 0);
	const struct sw_file_scanner *list[1] = { s };
	struct sw_inventory_opts o = { .threads = 1, .scanners = list, .nscanners = s ? 1 : 0,
				       .cache_dir = cache, .no_cache = cache == NULL };
	int r = sw_inventory_build(img, &o, &inv, &err);
	if (r)
		fprintf(stderr, "build: %s\n", err.msg);
	assert_int_equal(r, 0);
	sw_image_close(img);
	return inv;
}

static const struct sw_file_finding *find(const struct sw_inventory *inv, const char *path, size_t nth)
{
	for (size_t i = 0; i < inv->file_findings.len; i++) {
		const struct sw_file_finding *f = inv->file_findings.items[i];
		if (strcmp(f->path, path) == 0 && nth-- == 0)
			return f;
	}
	return NULL;
}

static void expect(const struct sw_inventory *inv, const char *path, int layer, int removed_in)
{
	const struct sw_file_finding *f = find(inv, path, 0);
	if (!f)
		fprintf(stderr, "no finding at %s\n", path);
	assert_non_null(f);
	assert_int_equal(f->layer, layer);
	assert_int_equal(f->removed_in, removed_in);
	assert_string_equal(f->scanner, "secret");
}

static void check_findings(const struct sw_inventory *inv)
{
	expect(inv, "app/deleted.txt", 0, 1);       /* whiteout */
	expect(inv, "app/rewritten.txt", 0, 1);     /* rewritten */
	expect(inv, "app/kept.txt", 0, -1);
	expect(inv, "app/kept-link.txt", 0, -1);    /* hard link: the target's finding */
	expect(inv, "gone/in-dir.txt", 0, 1);       /* whiteout of the parent */
	expect(inv, "opq/in-opaque.txt", 0, 1);     /* opaque parent */
	expect(inv, "repl/under.txt", 0, 2);        /* a file replaces the parent directory */
	expect(inv, "app/added.txt", 1, -1);
	assert_null(find(inv, "app/skipme.txt", 0));   /* wants() said no */
	const struct sw_file_finding *b0 = find(inv, "big/data.bin", 0), *b1 = find(inv, "big/data.bin", 1);
	assert_non_null(b0);
	assert_non_null(b1);
	assert_int_equal(b0->offset, 262144 - 5);
	assert_int_equal(b1->offset, ((uint64_t)1 << 20) - TLEN);
	assert_int_equal(find(inv, "app/kept.txt", 0)->offset, 2);
	assert_int_equal(inv->file_findings.len, 10);
	/* sorted: layer, then path, then offset */
	for (size_t i = 1; i < inv->file_findings.len; i++) {
		const struct sw_file_finding *a = inv->file_findings.items[i - 1], *b = inv->file_findings.items[i];
		assert_true(a->layer < b->layer || (a->layer == b->layer && (strcmp(a->path, b->path) < 0 ||
			    (strcmp(a->path, b->path) == 0 && a->offset < b->offset))));
	}
}

static void test_streamed(void **state)
{
	(void)state;
	char *ref = build_image();
	struct tscan t = { 0 };
	struct sw_file_scanner s = make_scanner(&t, "fp1", false, 0);
	struct sw_inventory *inv = build(ref, &s, NULL);
	check_findings(inv);
	assert_int_equal(t.begun, t.ended);
	assert_true(t.max_feeds >= 4);            /* 1 MiB in chunks of at most 256 KiB */
	assert_true(t.max_chunk <= (size_t)256 << 10);
	assert_string_equal(inv->os.id, "debian");   /* the analyzers still ran */
	sw_inventory_free(inv);

	/* no scanner: no findings, and the inventory is the same */
	inv = build(ref, NULL, NULL);
	assert_int_equal(inv->file_findings.len, 0);
	assert_string_equal(inv->os.id, "debian");
	sw_inventory_free(inv);
	free(ref);
}

static void test_whole(void **state)
{
	(void)state;
	char *ref = build_image();
	struct tscan t = { 0 };
	struct sw_file_scanner s = make_scanner(&t, "fp1", true, 2 << 20);
	struct sw_inventory *inv = build(ref, &s, NULL);
	check_findings(inv);
	assert_int_equal(t.max_feeds, 1);            /* every file in one chunk */
	assert_int_equal(t.max_chunk, (size_t)1 << 20);
	sw_inventory_free(inv);

	/* over max_size: not offered, a warning names the file */
	struct tscan t2 = { 0 };
	s = make_scanner(&t2, "fp1", true, 1000);
	inv = build(ref, &s, NULL);
	assert_null(find(inv, "big/data.bin", 0));
	assert_non_null(find(inv, "app/kept.txt", 0));
	bool warned = false;
	for (size_t i = 0; i < inv->warnings.len; i++)
		warned |= strstr(inv->warnings.items[i], "big/data.bin: 1048576 bytes is over the secret scanner's limit") != NULL;
	assert_true(warned);
	sw_inventory_free(inv);
	free(ref);
}

static void test_cache(void **state)
{
	(void)state;
	char *ref = build_image();
	char *cache = sw_xasprintf("%s/cache", dir);
	struct tscan t = { 0 };
	struct sw_file_scanner s = make_scanner(&t, "fp1", false, 0);
	struct sw_inventory *inv = build(ref, &s, cache);
	assert_int_equal(inv->image_cache, SW_INV_CACHE_MISS);
	assert_int_equal(inv->layers_read, 3);
	sw_inventory_free(inv);
	/* from the image cache: the same findings, no file offered */
	int begun = t.begun;
	inv = build(ref, &s, cache);
	assert_int_equal(inv->image_cache, SW_INV_CACHE_HIT);
	check_findings(inv);
	assert_int_equal(t.begun, begun);
	sw_inventory_free(inv);
	/* from the layer cache (image entries removed) */
	char *rm = sw_xasprintf("rm -rf '%s/images'", cache);
	assert_int_equal(sw_test_sh(rm), 0);
	inv = build(ref, &s, cache);
	assert_int_equal(inv->layers_cached, 3);
	assert_int_equal(inv->layers_read, 0);
	check_findings(inv);
	assert_int_equal(t.begun, begun);
	sw_inventory_free(inv);
	/* another fingerprint (another rule set, another database): another key */
	struct sw_file_scanner s2 = make_scanner(&t, "fp2", false, 0);
	inv = build(ref, &s2, cache);
	assert_int_equal(inv->image_cache, SW_INV_CACHE_MISS);
	assert_int_equal(inv->layers_read, 3);
	check_findings(inv);
	sw_inventory_free(inv);
	/* no scanner at all: not the entries that have findings */
	inv = build(ref, NULL, cache);
	assert_int_equal(inv->image_cache, SW_INV_CACHE_MISS);
	assert_int_equal(inv->file_findings.len, 0);
	sw_inventory_free(inv);
	free(rm);
	free(cache);
	free(ref);
}

/* sw_file_scanner_run_mem() in chunks finds the token across chunk edges */
static void test_run_mem(void **state)
{
	(void)state;
	const char *text = "....PLANTED-TOKEN....PLANTED-TOKEN";
	for (size_t chunk = 1; chunk <= 20; chunk++) {
		struct tscan t = { 0 };
		struct sw_file_scanner s = make_scanner(&t, "fp", false, 0);
		struct sw_vec out = SW_VEC_INIT, warn = SW_VEC_INIT;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_file_scanner_run_mem(&s, "x", (const uint8_t *)text, strlen(text), chunk,
							 &out, &warn, &err), 0);
		assert_int_equal(out.len, 2);
		assert_int_equal(((struct sw_file_finding *)out.items[0])->offset, 4);
		assert_int_equal(((struct sw_file_finding *)out.items[1])->offset, 21);
		sw_vec_free_all(&out, sw_file_finding_free_v);
		sw_vec_free_strings(&warn);
	}
}

/* every field of a finding survives the layer cache; every truncation is refused */
static void test_cache_roundtrip(void **state)
{
	(void)state;
	struct sw_layer_result r;
	memset(&r, 0, sizeof(r));
	struct sw_file_finding *f = sw_file_finding_new("malware");
	f->rule_id = sw_xstrdup("Sig.One");
	f->category = sw_xstrdup("Cat");
	f->title = sw_xstrdup("title");
	f->severity = SW_SEV_CRITICAL;
	f->path = sw_xstrdup("a/b.zip!c");
	f->layer = 3;
	f->removed_in = 5;
	f->offset = ((uint64_t)7 << 32) | 9;
	f->line = 12;
	f->match = sw_xstrdup("AK****");
	f->detail = sw_xstrdup("archive member c");
	f->suppressed = sw_xstrdup("not stored");
	sw_vec_push(&r.file_findings, f);
	sw_vec_push(&r.file_findings, sw_file_finding_new("secret"));
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_layer_cache_encode(&r, "k", &b, NULL), 0);
	struct sw_layer_result d;
	memset(&d, 0, sizeof(d));
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_layer_cache_decode((const uint8_t *)b.data, b.len, "k", &d, &err), 0);
	assert_int_equal(d.file_findings.len, 2);
	const struct sw_file_finding *g = d.file_findings.items[0], *h = d.file_findings.items[1];
	assert_string_equal(g->scanner, "malware");
	assert_string_equal(g->rule_id, "Sig.One");
	assert_string_equal(g->category, "Cat");
	assert_string_equal(g->title, "title");
	assert_int_equal(g->severity, SW_SEV_CRITICAL);
	assert_string_equal(g->path, "a/b.zip!c");
	assert_int_equal(g->layer, 3);
	assert_int_equal(g->removed_in, 5);
	assert_true(g->offset == (((uint64_t)7 << 32) | 9));
	assert_int_equal(g->line, 12);
	assert_string_equal(g->match, "AK****");
	assert_string_equal(g->detail, "archive member c");
	assert_null(g->suppressed);
	assert_string_equal(h->scanner, "secret");
	assert_null(h->rule_id);
	assert_int_equal(h->layer, -1);
	assert_int_equal(h->removed_in, -1);
	sw_layer_result_release(&d);
	for (size_t n = 0; n < b.len; n++) {
		memset(&d, 0, sizeof(d));
		assert_int_not_equal(sw_layer_cache_decode((const uint8_t *)b.data, n, "k", &d, NULL), 0);
	}
	sw_buf_release(&b);
	sw_layer_result_release(&r);
}

static int teardown(void **state)
{
	(void)state;
	if (dir) {
		char *cmd = sw_xasprintf("rm -rf '%s'", dir);
		sw_test_sh(cmd);
		free(cmd);
		free(dir);
		dir = NULL;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_mem),
		cmocka_unit_test(test_cache_roundtrip),
		cmocka_unit_test_teardown(test_streamed, teardown),
		cmocka_unit_test_teardown(test_whole, teardown),
		cmocka_unit_test_teardown(test_cache, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
