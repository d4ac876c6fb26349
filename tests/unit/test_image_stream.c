/*
 * test_image_stream.c - image/archive_stream.c (sw_image_open_stream) and
 * inventory's sw_inventory_build_stream: docker-archives (legacy and Docker
 * 25+ "blobs" style) and OCI archives built here with mkimage.py are read
 * once from a pull source in small, odd-sized chunks, never from the file
 * system; what the blob callbacks see, layer by layer, and the image's
 * digests must equal what the file transports give for the same file.
 * Bad archives: wrong layer digest, wrong diff_id, not a tar, no manifest,
 * truncated (the source's error comes back as it is), a failing callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "inventory/inventory.h"
#include "test_image_util.h"

/* A source over a file's bytes, handing out at most `chunk` bytes a call
 * (odd sizes: member and block boundaries fall anywhere); `cut` > 0 stops
 * after that many bytes with an error (a truncated upload), or, with
 * cut_eof, with a plain end. */
struct src {
	struct sw_buf data;
	size_t pos, chunk, cut;
	bool cut_eof;
	size_t calls;
};

static ssize_t src_read(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	struct src *s = ctx;
	s->calls++;
	size_t end = s->cut ? s->cut : s->data.len;
	if (s->pos >= end) {
		if (s->cut && !s->cut_eof)
			return sw_err_set(err, SW_E_IO, "the request body ended after %zu bytes", s->pos);
		return 0;
	}
	size_t k = s->chunk + (s->calls % 7) * 13;   /* vary the sizes */
	if (k > n)
		k = n;
	if (k > end - s->pos)
		k = end - s->pos;
	memcpy(buf, s->data.data + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

static void src_load(struct src *s, const char *path, size_t chunk)
{
	memset(s, 0, sizeof(*s));
	sw_buf_init(&s->data, 0);
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_buf_read_file(&s->data, path, 1 << 26, &err), 0);
	s->chunk = chunk;
}

/* Blob contexts: each one's entries as collect() renders them. */
struct blobs {
	struct sw_vec all;      /* struct blob* */
	int fail_after;         /* > 0: the callback fails at that entry */
	int entries;
};
struct blob {
	struct blobs *owner;
	struct sw_buf text;
	bool ended, ok;
};

static void *b_begin(void *ctx, const char *member)
{
	(void)member;
	struct blobs *bs = ctx;
	struct blob *b = sw_xcalloc(1, sizeof(*b));
	b->owner = bs;
	sw_buf_init(&b->text, 0);
	sw_vec_push(&bs->all, b);
	return b;
}

static int b_entry(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r, struct sw_err *err)
{
	struct blob *b = ctx;
	if (b->owner->fail_after && ++b->owner->entries >= b->owner->fail_after)
		return sw_err_set(err, SW_E_CANCELLED, "stopped by the test");
	return collect(&b->text, e, r, err);
}

static void b_end(void *ctx, void *blob, bool ok)
{
	(void)ctx;
	struct blob *b = blob;
	assert_false(b->ended);
	b->ended = true;
	b->ok = ok;
}

static const struct sw_stream_blob_ops ops = { b_begin, b_entry, b_end };

static void blobs_free(struct blobs *bs)
{
	for (size_t i = 0; i < bs->all.len; i++) {
		struct blob *b = bs->all.items[i];
		assert_true(b->ended);   /* every blob begun is ended */
		sw_buf_release(&b->text);
		free(b);
	}
	sw_vec_release(&bs->all);
}

/* Stream path; compare with opening it as a file. */
static void same_as_file(const char *path, const char *ref, size_t chunk)
{
	struct src s;
	src_load(&s, path, chunk);
	struct blobs bs = { SW_VEC_INIT, 0, 0 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_image_open_stream(src_read, &s, "upload", NULL, &ops, &bs, &img, &err);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", path, err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(s.pos, s.data.len);   /* read once, to the end */
	struct sw_image *fimg = open_ok(ref, NULL);
	const struct sw_image_info *a = sw_image_get_info(img), *b = sw_image_get_info(fimg);
	assert_string_equal(a->transport, b->transport);
	assert_string_equal(a->reference, "upload");
	assert_string_equal(a->config_digest, b->config_digest);
	if (b->manifest_digest)
		assert_string_equal(a->manifest_digest, b->manifest_digest);
	else
		assert_null(a->manifest_digest);
	assert_string_equal(a->config_json, b->config_json);
	assert_int_equal(a->layers.len, b->layers.len);
	struct sw_buf text = SW_BUF_INIT;
	for (size_t i = 0; i < a->layers.len; i++) {
		const struct sw_layer_desc *la = a->layers.items[i], *lb = b->layers.items[i];
		assert_string_equal(la->diff_id, lb->diff_id);
		struct blob *bl = sw_image_stream_blob(img, i);
		assert_non_null(bl);
		assert_true(bl->ok);
		sw_buf_addf(&text, "-- layer %zu\n", i + 1);
		sw_buf_add(&text, bl->text.data, bl->text.len);
	}
	assert_null(sw_image_stream_blob(img, a->layers.len));
	char *want = list_image(fimg);
	assert_string_equal(text.data, want);
	free(want);
	sw_buf_release(&text);
	sw_image_close(img);
	sw_image_close(fimg);
	blobs_free(&bs);
	sw_buf_release(&s.data);
}

static void test_formats(void **state)
{
	(void)state;
	static const struct {
		const char *format, *name, *opts;
	} cases[] = {
		{ "docker-archive", "s-da.tar", "" },
		{ "docker-archive", "s-da-blobs.tar", "--docker-style blobs --compression gzip,zstd" },
		{ "oci-archive", "s-oci.tar", "--compression gzip,zstd" },
		{ "oci-archive", "s-oci-plain.tar", "--compression none --no-media-types" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = mk(cases[i].format, cases[i].name, cases[i].opts, "l1 l2");
		char *ref = sw_xasprintf("%s:%s", cases[i].format, p);
		same_as_file(p, ref, 1000);
		same_as_file(p, ref, 100000);
		free(ref);
		free(p);
	}
	/* a repeated layer: docker save writes a symlink to its first copy */
	char *p = mk("docker-archive", "s-da-rep.tar", "", "l1 l2 l1");
	char *ref = sw_xasprintf("docker-archive:%s", p);
	same_as_file(p, ref, 4096);
	free(ref);
	free(p);
}

static void expect_stream_fail(const char *path, struct src *s, int code, const char *part1, const char *part2)
{
	struct src own;
	if (!s) {
		src_load(&own, path, 3000);
		s = &own;
	}
	struct blobs bs = { SW_VEC_INIT, 0, 0 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_image_open_stream(src_read, s, "upload", NULL, &ops, &bs, &img, &err);
	if (rc >= 0 || err.code != code || !strstr(err.msg, part1) || (part2 && !strstr(err.msg, part2)))
		fprintf(stderr, "%s: rc %d code %d '%s' (want %d '%s' '%s')\n", path, rc, err.code, err.msg, code,
			part1, part2 ? part2 : "");
	assert_int_equal(rc, -code);
	assert_non_null(strstr(err.msg, part1));
	if (part2)
		assert_non_null(strstr(err.msg, part2));
	assert_null(img);
	blobs_free(&bs);
	sw_buf_release(&s->data);
}

static void test_bad(void **state)
{
	(void)state;
	char *p = mk("oci-archive", "sb-digest.tar", "--corrupt-layer-digest 1", "l1 l2");
	expect_stream_fail(p, NULL, SW_E_DIGEST, "'upload': layer 2 'sha256:", "digest mismatch (manifest says");
	free(p);
	p = mk("oci-archive", "sb-diffid.tar", "--corrupt-diff-id 0 --compression zstd", "l1 l2");
	expect_stream_fail(p, NULL, SW_E_DIGEST, "'upload': layer 1 'sha256:", "diff_id mismatch (config says");
	free(p);
	p = mk("docker-archive", "sb-diffid-da.tar", "--corrupt-diff-id 1", "l1 l2");
	expect_stream_fail(p, NULL, SW_E_DIGEST, "layer 2", "diff_id mismatch (config says");
	free(p);
	p = mk("docker-archive", "sb-digest-da.tar", "--docker-style blobs --corrupt-layer-digest 0", "l1 l2");
	expect_stream_fail(p, NULL, SW_E_DIGEST, "layer 1", "digest mismatch");
	free(p);
	p = mk("docker-archive", "sb-config.tar", "--corrupt-config-digest", "l1");
	expect_stream_fail(p, NULL, SW_E_DIGEST, "config '", "its name says");
	free(p);
	p = mk("oci-archive", "sb-missing.tar", "--missing-layer 0", "l1 l2");
	expect_stream_fail(p, NULL, SW_E_NOTFOUND, "is missing", NULL);
	free(p);
	p = mk("docker-archive", "sb-badman.tar", "--bad-manifest-json", "l1");
	expect_stream_fail(p, NULL, SW_E_FORMAT, "'upload'", "manifest.json");
	free(p);

	/* not a tar: random-looking text */
	struct sw_buf b = SW_BUF_INIT;
	for (int i = 0; i < 4000; i++)
		sw_buf_addf(&b, "%c", 'a' + (i * 7) % 26);
	p = tar_file("sb-notar.bin", &b);
	expect_stream_fail(p, NULL, SW_E_FORMAT, "'upload': not a tar archive", NULL);
	free(p);
	sw_buf_release(&b);
	/* a tar without manifest.json or index.json */
	sw_buf_init(&b, 0);
	tar_add(&b, "hello.txt", '0', NULL, "hi\n", 3);
	tar_end(&b);
	p = tar_file("sb-nomanifest.tar", &b);
	expect_stream_fail(p, NULL, SW_E_FORMAT, "neither manifest.json", NULL);
	free(p);
	sw_buf_release(&b);

	/* truncated: the source's own error, at several places */
	p = mk("docker-archive", "sb-trunc.tar", "", "l1 l2");
	struct src s;
	for (int k = 1; k < 8; k++) {
		src_load(&s, p, 777);
		s.cut = s.data.len * (size_t)k / 8;
		expect_stream_fail(p, &s, SW_E_IO, "the request body ended after", NULL);
	}
	/* ... or a plain early end: the tar is cut */
	src_load(&s, p, 777);
	s.cut = s.data.len / 2 + 100;
	s.cut_eof = true;
	expect_stream_fail(p, &s, SW_E_FORMAT, "'upload'", NULL);
	free(p);
}

static void test_callback_fails(void **state)
{
	(void)state;
	char *p = mk("oci-archive", "sb-cb.tar", "", "l1 l2");
	struct src s;
	src_load(&s, p, 5000);
	struct blobs bs = { SW_VEC_INIT, 3, 0 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_image_open_stream(src_read, &s, "upload", NULL, &ops, &bs, &img, &err);
	assert_int_equal(rc, -SW_E_CANCELLED);
	assert_non_null(strstr(err.msg, "stopped by the test"));
	assert_null(img);
	blobs_free(&bs);
	sw_buf_release(&s.data);
	free(p);
}

/* The inventory built from the stream is the one built from the file. */
static bool cancel_now(void *ctx)
{
	return *(bool *)ctx;
}

static void test_inventory(void **state)
{
	(void)state;
	sh("cd '%s' && mkdir -p inv/etc inv/var/lib/dpkg && printf 'ID=debian\\nVERSION_ID=12\\n' > inv/etc/os-release"
	   " && printf 'Package: zlib1g\\nStatus: install ok installed\\nVersion: 1:1.2.13\\nArchitecture: amd64\\n\\n'"
	   " > inv/var/lib/dpkg/status", tmp);
	char *p = mk("oci-archive", "sb-inv.tar", "", "l1 inv");
	struct src s;
	src_load(&s, p, 2048);
	struct sw_inventory_opts io = { .no_cache = true };
	struct sw_image *img = NULL;
	struct sw_inventory *inv = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_inventory_build_stream(src_read, &s, "upload", NULL, &io, &img, &inv, &err);
	if (rc < 0)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(rc, 0);
	char *ref = sw_xasprintf("oci-archive:%s", p);
	struct sw_image *fimg = open_ok(ref, NULL);
	struct sw_inventory *finv = NULL;
	assert_int_equal(sw_inventory_build(fimg, &io, &finv, &err), 0);
	assert_string_equal(inv->os.id, "debian");
	assert_string_equal(inv->os.id, finv->os.id);
	assert_int_equal(inv->packages.len, finv->packages.len);
	assert_int_equal(inv->packages.len, 1);
	const struct sw_package *a = inv->packages.items[0], *b = finv->packages.items[0];
	assert_string_equal(a->name, "zlib1g");
	assert_string_equal(a->purl, b->purl);
	assert_int_equal(a->layer_index, 1);
	assert_int_equal(inv->layers_read, 2);
	assert_string_equal(inv->config_digest, finv->config_digest);
	sw_inventory_free(inv);
	sw_inventory_free(finv);
	sw_image_close(img);
	sw_image_close(fimg);
	sw_buf_release(&s.data);

	/* cancelled: the pass stops with SW_E_CANCELLED */
	sh("cd '%s' && mkdir -p many && for i in $(seq 200); do echo $i > many/f$i; done", tmp);
	char *p2 = mk("oci-archive", "sb-many.tar", "", "many");
	src_load(&s, p2, 2048);
	bool stop = true;
	io.cancelled = cancel_now;
	io.cancel_ctx = &stop;
	img = NULL;
	inv = NULL;
	rc = sw_inventory_build_stream(src_read, &s, "upload", NULL, &io, &img, &inv, &err);
	assert_int_equal(rc, -SW_E_CANCELLED);
	assert_null(img);
	assert_null(inv);
	sw_buf_release(&s.data);
	free(p2);
	free(ref);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_callback_fails),
		cmocka_unit_test(test_inventory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
