/*
 * test_image_bad.c - image/: bad inputs (digests, JSON, missing blobs, empty
 * images, truncated streams, unsafe members) and the layer pipeline's
 * details (callback errors, limits, memory layers, gzip/xz/bzip2).
 *
 * Fixtures are built at run time with tests/tools/mkimage.py from small
 * layer directories and hand-made tar files written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_image_util.h"

/* ---- bad inputs ------------------------------------------------------------------ */

static void test_bad_digests(void **state)
{
	(void)state;
	char *p = mk("oci", "bad-digest", "--corrupt-layer-digest 1", "l1 l2");
	expect_fail(p, NULL, SW_E_DIGEST, "layer 2 'sha256:", "digest mismatch (manifest says");
	free(p);
	p = mk("oci-archive", "bad-diffid.tar", "--corrupt-diff-id 0 --compression zstd", "l1 l2");
	expect_fail(p, NULL, SW_E_DIGEST, "bad-diffid.tar': layer 1 'sha256:", "diff_id mismatch");
	free(p);
	p = mk("docker-archive", "bad-diffid-da.tar", "--corrupt-diff-id 1", "l1 l2");
	expect_fail(p, NULL, SW_E_DIGEST, "layer 2", "diff_id mismatch (config says");
	free(p);
	p = mk("docker-archive", "bad-digest-da.tar", "--docker-style blobs --corrupt-layer-digest 0",
	       "l1 l2");
	expect_fail(p, NULL, SW_E_DIGEST, "bad-digest-da.tar': layer 1", "digest mismatch");
	free(p);
	p = mk("oci", "bad-config-digest", "--corrupt-config-digest", "l1");
	expect_fail(p, NULL, SW_E_DIGEST, "config 'blobs/sha256/", "digest mismatch");
	free(p);
	p = mk("docker-archive", "bad-config-digest.tar", "--corrupt-config-digest", "l1");
	expect_fail(p, NULL, SW_E_DIGEST, "config '", "its name says");
	free(p);
}

static void test_bad_json(void **state)
{
	(void)state;
	char *p = mk("docker-archive", "badman.tar", "--bad-manifest-json", "l1");
	expect_fail(p, NULL, SW_E_FORMAT, "badman.tar': manifest.json: not valid JSON (line 3", NULL);
	free(p);
	p = mk("oci", "badman-oci", "--bad-manifest-json", "l1");
	expect_fail(p, NULL, SW_E_FORMAT, "badman-oci': manifest 'sha256:", "not valid JSON");
	free(p);
	p = mk("oci", "badcfg", "--bad-config-json", "l1");
	expect_fail(p, NULL, SW_E_FORMAT, "config 'sha256:", "not valid JSON (line 3");
	free(p);
	p = mk("docker-archive", "badcfg.tar", "--bad-config-json", "l1");
	expect_fail(p, NULL, SW_E_FORMAT, "badcfg.tar': config", "not valid JSON");
	free(p);
	p = mk("oci-archive", "badidx.tar", "--bad-index-json", "l1");
	expect_fail(p, NULL, SW_E_FORMAT, "badidx.tar': index.json: not valid JSON", NULL);
	free(p);
	p = mk("oci", "schema1", "--schema1", "l1");
	expect_fail(p, NULL, SW_E_UNSUPPORTED, "schema 1", NULL);
	free(p);
	/* wrong types */
	sh("cd '%s' && mkdir -p types && printf '{\"imageLayoutVersion\":\"1.0.0\"}' > "
	   "types/oci-layout && printf '{\"schemaVersion\":2,\"manifests\":{}}' > types/index.json",
	   tmp);
	p = sw_xasprintf("oci:%s/types", tmp);
	expect_fail(p, NULL, SW_E_FORMAT, "index.json: 'manifests' is not an array", NULL);
	sh("cd '%s' && printf '{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:../../x\"}]}' "
	   "> types/index.json",
	   tmp);
	expect_fail(p, NULL, SW_E_FORMAT, "is not a valid sha256 digest", NULL);
	sh("cd '%s' && printf '[]' > types/index.json", tmp);
	expect_fail(p, NULL, SW_E_FORMAT, "index.json: not a JSON object", NULL);
	free(p);
	/* size cap */
	p = mk("oci", "cap", "", "l1");
	struct sw_image_opts o = { NULL, 64 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_image_open(p, &o, &img, &err), -SW_E_LIMIT);
	assert_non_null(strstr(err.msg, "is larger than 64 bytes"));
	free(p);
}

static void test_missing_and_empty(void **state)
{
	(void)state;
	char *p = mk("oci", "missing", "--missing-layer 1", "l1 l2");
	expect_fail(p, NULL, SW_E_NOTFOUND, "missing': blob 'blobs/sha256/", "is missing");
	free(p);
	p = mk("docker-archive", "missing.tar", "--missing-layer 0", "l1 l2");
	expect_fail(p, NULL, SW_E_NOTFOUND, "missing.tar': blob '", "/layer.tar' is missing");
	free(p);
	p = mk("oci", "foreign", "--foreign-layer 0", "l1 l2");
	expect_fail(p, NULL, SW_E_NOTFOUND, "is a foreign layer", "foreign.example.test");
	free(p);
	p = mk("docker-archive", "foreign.tar", "--foreign-layer 1", "l1 l2");
	expect_fail(p, NULL, SW_E_NOTFOUND, "layer 2", "is a foreign layer");
	free(p);
	/* a layer blob that is a symlink is not followed */
	p = mk("oci", "linked", "", "l1");
	sh("cd '%s/blobs/sha256' && for f in *; do if head -c2 $f | od -An -tx1 | grep -q '1f 8b'; "
	   "then mv $f ../../moved && ln -s ../../moved $f; fi; done",
	   p);
	expect_fail(p, NULL, SW_E_UNSAFE, "linked': blob 'blobs/sha256/", "is a symlink (not followed)");
	free(p);
	p = mk("oci", "empty", "--no-layers", "");
	expect_fail(p, NULL, SW_E_FORMAT, "empty': image has no layers", NULL);
	free(p);
	p = mk("docker-archive", "empty.tar", "--no-layers", "");
	expect_fail(p, NULL, SW_E_FORMAT, "empty.tar': image has no layers", NULL);
	free(p);
}

static void test_truncated(void **state)
{
	(void)state;
	/* gzip cut in half; the manifest digest describes the cut blob */
	char *p = mk("oci", "trunc-gz", "--truncate-layer 1", "l1 l2");
	expect_fail(p, NULL, SW_E_FORMAT, "trunc-gz': layer 2 'sha256:", "truncated gzip stream");
	free(p);
	p = mk("oci", "trunc-zst", "--compression zstd --truncate-layer 0", "l1 l2");
	expect_fail(p, NULL, SW_E_FORMAT, "layer 1", "truncated zstd stream");
	free(p);
	/* a tar cut inside a member's data */
	struct sw_buf b = SW_BUF_INIT;
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tar_add(&b, "etc/big", '0', NULL, big, strlen(big));
	b.len = 1200;
	char *t = tar_file("cut.tar", &b);
	p = mk("oci", "trunc-tar", "--compression gzip", t);
	expect_fail(p, NULL, SW_E_FORMAT, "trunc-tar': layer 1", "runcated");
	free(p);
	p = mk("oci", "trunc-tar-plain", "--compression none", t);
	expect_fail(p, NULL, SW_E_FORMAT, "layer 1", "runcated");
	free(p);
	free(t);
	/* a header claiming 8 GiB in a tiny file */
	sw_buf_reset(&b);
	tar_add(&b, "huge", '0', NULL, "abc", 077777777777ULL);
	tar_end(&b);
	t = tar_file("huge.tar", &b);
	p = mk("oci", "huge", "--compression gzip", t);
	expect_fail(p, NULL, SW_E_FORMAT, "huge': layer 1", NULL);
	free(p);
	free(t);
	sw_buf_release(&b);
	/* a corrupted (bit-flipped) gzip blob is reported as a digest mismatch */
	p = mk("oci", "flip", "", "l1");
	sh("cd '%s' && for f in $(grep -l . blobs/sha256/* | head -100); do "
	   "if head -c2 $f | od -An -tx1 | grep -q '1f 8b'; then "
	   "printf 'XXXX' | dd of=$f bs=1 seek=20 conv=notrunc 2>/dev/null; fi; done",
	   p);
	expect_fail(p, NULL, SW_E_DIGEST, "flip': layer 1", "digest mismatch");
	free(p);
}

static void test_unsafe_members(void **state)
{
	(void)state;
	struct { const char *file, *name, *part; } cases[] = {
		{ "dotdot.tar", "../../etc/passwd", "contains '..'" },
		{ "abs.tar", "/etc/passwd", "absolute path" },
		{ "mid.tar", "usr/../../x", "contains '..'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_buf b = SW_BUF_INIT;
		tar_add(&b, "ok", '0', NULL, "fine", 4);
		tar_add(&b, cases[i].name, '0', NULL, "evil", 4);
		tar_end(&b);
		char *t = tar_file(cases[i].file, &b);
		char *img = sw_xasprintf("%s.img", cases[i].file);
		char *p = mk("oci", img, "--compression none", t);
		free(img);
		expect_fail(p, NULL, SW_E_UNSAFE, "layer 1 'sha256:", cases[i].part);
		free(p);
		free(t);
		sw_buf_release(&b);
	}
	/* symlink out of the root, then a write through it (same layer) */
	struct sw_buf b = SW_BUF_INIT;
	tar_add(&b, "x", '2', "../../../../etc", NULL, 0);
	tar_add(&b, "x/passwd", '0', NULL, "evil", 4);
	tar_end(&b);
	char *t = tar_file("through.tar", &b);
	char *p = mk("docker-archive", "through.tar.img", "", t);
	expect_fail(p, NULL, SW_E_UNSAFE, "through.tar.img': layer 1",
		    "member 'x/passwd' is written through symlink 'x'");
	free(p);
	free(t);
	/* hard link to a path outside, and through a symlink */
	sw_buf_reset(&b);
	tar_add(&b, "h", '1', "../etc/shadow", NULL, 0);
	tar_end(&b);
	t = tar_file("hl.tar", &b);
	p = mk("oci", "hl", "", t);
	expect_fail(p, NULL, SW_E_UNSAFE, "hard link 'h'", "contains '..'");
	free(p);
	free(t);
	sw_buf_reset(&b);
	tar_add(&b, "d", '2', "/etc", NULL, 0);
	tar_add(&b, "h", '1', "d/shadow", NULL, 0);
	tar_end(&b);
	t = tar_file("hl2.tar", &b);
	p = mk("oci", "hl2", "", t);
	expect_fail(p, NULL, SW_E_UNSAFE, "written through symlink 'd'", NULL);
	free(p);
	free(t);
	/* a whiteout naming ".." */
	sw_buf_reset(&b);
	tar_add(&b, "a/.wh...", '0', NULL, NULL, 0);
	tar_end(&b);
	t = tar_file("whdot.tar", &b);
	p = mk("oci", "whdot", "", t);
	expect_fail(p, NULL, SW_E_UNSAFE, "whiteout", NULL);
	free(p);
	free(t);
	/* a symlink replaced by a directory in the same layer is fine */
	sw_buf_reset(&b);
	tar_add(&b, "y", '2', "/etc", NULL, 0);
	tar_add(&b, "y", '5', NULL, NULL, 0);
	tar_add(&b, "y/f", '0', NULL, "ok", 2);
	tar_end(&b);
	t = tar_file("replaced.tar", &b);
	p = mk("oci", "replaced", "", t);
	struct sw_image *img = open_ok(p, NULL);
	char *got = list_image(img);
	assert_string_equal(got, "-- layer 1\nL y -> /etc\nD y\nF y/f =ok\n");
	free(got);
	sw_image_close(img);
	free(p);
	free(t);
	sw_buf_release(&b);
}

/* ---- pipeline details ------------------------------------------------------------ */

static int stop_cb(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		   struct sw_err *err)
{
	(void)ctx;
	(void)r;
	if (strcmp(e->path, "etc/passwd") == 0)
		return sw_err_set(err, SW_E_DB, "analyzer stopped at '%s'", e->path);
	return 0;
}

static int skip_cb(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		   struct sw_err *err)
{
	(void)e;
	(void)r;
	(void)err;
	(*(int *)ctx)++;
	return 0;
}

static void test_callback_and_limits(void **state)
{
	(void)state;
	char *p = mk("oci", "cb", "", "l1 l2");
	struct sw_image *img = open_ok(p, NULL);
	struct sw_err err = SW_ERR_INIT;
	/* the callback's own error comes back unchanged */
	assert_int_equal(sw_image_walk_layer(img, 0, stop_cb, NULL, &err), -SW_E_DB);
	assert_string_equal(err.msg, "analyzer stopped at 'etc/passwd'");
	/* skipping all content still verifies the digests */
	int n = 0;
	assert_int_equal(sw_image_walk_layer(img, 1, skip_cb, &n, &err), 0);
	assert_int_equal(n, 7);
	assert_int_equal(sw_image_walk_layer(img, 2, skip_cb, &n, &err), -SW_E_USAGE);
	sw_image_close(img);
	free(p);

}

static int limit_cb(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		    struct sw_err *err)
{
	(void)e;
	struct sw_buf out = SW_BUF_INIT;
	int rc = sw_entry_read_all(r, 4, &out, err);
	sw_buf_release(&out);
	*(int *)ctx = rc;
	return 0;
}

static void test_memory_layer(void **state)
{
	(void)state;
	struct sw_buf b = SW_BUF_INIT;
	tar_add(&b, "./f", '0', NULL, "0123456789", 10);
	tar_end(&b);
	int rc = 1;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_layer_walk_mem(b.data, b.len, NULL, limit_cb, &rc, &err), 0);
	assert_int_equal(rc, -SW_E_LIMIT);
	assert_non_null(strstr(err.msg, "'f' is larger than 4 bytes"));
	/* digests checked on memory layers too */
	char d[SW_DIGEST_MAX];
	sw_digest_sha256(b.data, b.len, d);
	struct sw_layer_check chk = { d, d, b.len };
	assert_int_equal(sw_layer_walk_mem(b.data, b.len, &chk, limit_cb, &rc, &err), 0);
	chk.size = b.len + 1;
	assert_int_equal(sw_layer_walk_mem(b.data, b.len, &chk, limit_cb, &rc, &err), -SW_E_DIGEST);
	assert_non_null(strstr(err.msg, "size mismatch"));
	/* empty layer: no entries, not an error */
	int n = 0;
	assert_int_equal(sw_layer_walk_mem("", 0, NULL, skip_cb, &n, &err), 0);
	assert_int_equal(n, 0);
	/* garbage after a gzip stream */
	sh("cd '%s' && printf 'x' > one && tar cf one.tar one && gzip -n -c one.tar > one.gz && "
	   "printf 'junk' >> one.gz && gzip -n -c one.tar > two.gz && gzip -n -c one.tar >> two.gz",
	   tmp);
	struct sw_buf gz = SW_BUF_INIT;
	char *path = sw_xasprintf("%s/one.gz", tmp);
	assert_int_equal(sw_buf_read_file(&gz, path, 1 << 20, &err), 0);
	assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, NULL, skip_cb, &n, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "trailing data after the gzip stream"));
	free(path);
	/* two gzip members (multi-member gzip): both read */
	sw_buf_reset(&gz);
	path = sw_xasprintf("%s/two.gz", tmp);
	assert_int_equal(sw_buf_read_file(&gz, path, 1 << 20, &err), 0);
	n = 0;
	assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, NULL, skip_cb, &n, &err), 0);
	assert_int_equal(n, 1);
	free(path);
	/* xz and bzip2 layers are refused by name; a gzip header with a file name is fine */
	sh("cd '%s' && xz -c one.tar > one.xz && bzip2 -c one.tar > one.bz2 && gzip -c one.tar > "
	   "named.gz",
	   tmp);
	const char *refused[] = { "one.xz", "xz-compressed", "one.bz2", "bzip2-compressed" };
	for (int i = 0; i < 4; i += 2) {
		sw_buf_reset(&gz);
		path = sw_xasprintf("%s/%s", tmp, refused[i]);
		assert_int_equal(sw_buf_read_file(&gz, path, 1 << 20, &err), 0);
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, NULL, skip_cb, &n, &err),
				 -SW_E_UNSUPPORTED);
		assert_non_null(strstr(err.msg, refused[i + 1]));
		free(path);
	}
	sw_buf_reset(&gz);
	path = sw_xasprintf("%s/named.gz", tmp);
	assert_int_equal(sw_buf_read_file(&gz, path, 1 << 20, &err), 0);
	n = 0;
	assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, NULL, skip_cb, &n, &err), 0);
	assert_int_equal(n, 1);
	free(path);
	sw_buf_release(&gz);
	/* a tar shorter than one header */
	assert_int_equal(sw_layer_walk_mem(b.data, 100, NULL, skip_cb, &n, &err), -SW_E_FORMAT);
	assert_string_equal(err.msg, "truncated tar stream (100 bytes)");
	/* not a tar at all */
	char junk[2048];
	memset(junk, 'j', sizeof(junk));
	assert_int_equal(sw_layer_walk_mem(junk, sizeof(junk), NULL, skip_cb, &n, &err), -SW_E_FORMAT);
	sw_buf_release(&b);
}

static int sum_cb(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		  struct sw_err *err)
{
	(void)e;
	unsigned char buf[4096];
	ssize_t n;
	while ((n = sw_entry_read(r, buf, sizeof(buf), err)) > 0)
		for (ssize_t i = 0; i < n; i++)
			*(uint64_t *)ctx = *(uint64_t *)ctx * 31 + buf[i];
	return n < 0 ? (int)n : 0;
}

static int stop_at_a(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		     struct sw_err *err)
{
	(void)ctx;
	(void)r;
	return strcmp(e->path, "a") == 0 ? sw_err_set(err, SW_E_DB, "stopped at '%s'", e->path) : 0;
}

/* Digests computed by the second thread (ring of buffers, wrapped many
 * times by a 5 MB layer) verify exactly what the inline ones do. */
static void test_async_digests(void **state)
{
	(void)state;
	sh("cd '%s' && mkdir -p big && head -c 3000000 /dev/urandom > big/a && "
	   "head -c 2000000 /dev/zero > big/b && tar cf big.tar -C big a b && "
	   "gzip -n -c big.tar > big.tar.gz",
	   tmp);
	struct sw_buf tar = SW_BUF_INIT, gz = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	char *p1 = sw_xasprintf("%s/big.tar", tmp), *p2 = sw_xasprintf("%s/big.tar.gz", tmp);
	assert_int_equal(sw_buf_read_file(&tar, p1, 1 << 24, &err), 0);
	assert_int_equal(sw_buf_read_file(&gz, p2, 1 << 24, &err), 0);
	char zd[SW_DIGEST_MAX], ud[SW_DIGEST_MAX];
	sw_digest_sha256(gz.data, gz.len, zd);
	sw_digest_sha256(tar.data, tar.len, ud);
	uint64_t sums[2] = { 0, 0 };
	for (int async = 0; async < 2; async++) {
		struct sw_layer_check chk = { zd, ud, gz.len, async };
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, &chk, sum_cb, &sums[async], &err), 0);
		/* the uncompressed tar as a plain layer: one digest for both */
		struct sw_layer_check plain = { ud, ud, tar.len, async };
		assert_int_equal(sw_layer_walk_mem(tar.data, tar.len, &plain, skip_cb, &(int){ 0 }, &err), 0);
		char bad[SW_DIGEST_MAX];
		memcpy(bad, zd, sizeof(bad));
		bad[10] = bad[10] == '0' ? '1' : '0';
		chk.digest = bad;
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, &chk, sum_cb, &(uint64_t){ 0 }, &err),
				 -SW_E_DIGEST);
		assert_non_null(strstr(err.msg, "digest mismatch (manifest says"));
		chk.digest = zd;
		memcpy(bad, ud, sizeof(bad));
		bad[20] = bad[20] == 'a' ? 'b' : 'a';
		chk.diff_id = bad;
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, &chk, skip_cb, &(int){ 0 }, &err),
				 -SW_E_DIGEST);
		assert_non_null(strstr(err.msg, "diff_id mismatch"));
		/* truncated in the middle: the blob digest names the damage */
		chk.diff_id = ud;
		chk.size = 0;
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len / 2, &chk, skip_cb, &(int){ 0 }, &err),
				 -SW_E_DIGEST);
		/* the callback stops the walk midway: no hang, no leak */
		struct sw_layer_check ok = { zd, ud, gz.len, async };
		assert_int_equal(sw_layer_walk_mem(gz.data, gz.len, &ok, stop_at_a, NULL, &err), -SW_E_DB);
	}
	assert_true(sums[0] != 0 && sums[0] == sums[1]);
	free(p1);
	free(p2);
	sw_buf_release(&tar);
	sw_buf_release(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_digests),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_missing_and_empty),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_unsafe_members),
		cmocka_unit_test(test_callback_and_limits),
		cmocka_unit_test(test_memory_layer),
		cmocka_unit_test(test_async_digests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
