/*
 * test_image.c - image/: transports, layer pipeline, whiteouts, links,
 * platforms, history, bad inputs, concurrent walks.
 *
 * Fixtures are built at run time with tests/tools/mkimage.py from small
 * layer directories and hand-made tar files written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "image/image.h"
#include "image/internal.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static char *tmp;       /* per-process temporary directory */
static char *mkimage;   /* path of mkimage.py */

/* ---- helpers ------------------------------------------------------------ */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	int r = sw_test_sh(cmd);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	free(cmd);
	assert_int_equal(r, 0);
}

/* Build an image: mk("oci", "name", "--tag x", "l1 l2") -> path in tmp. */
static char *mk(const char *format, const char *name, const char *opts, const char *layers)
{
	char *out = sw_xasprintf("%s/%s", tmp, name);
	sh("cd '%s' && python3 '%s' --format %s -o '%s' %s %s", tmp, mkimage, format, out, opts,
	   layers);
	return out;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* ustar member with a chosen (possibly lying) size field */
static void tar_add(struct sw_buf *b, const char *name, char type, const char *link,
		    const char *data, uint64_t claimed)
{
	unsigned char h[512] = { 0 };
	size_t dlen = data ? strlen(data) : 0;
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)claimed);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	sw_buf_add(b, h, 512);
	if (dlen) {
		sw_buf_add(b, data, dlen);
		static const char zero[512];
		if (dlen % 512)
			sw_buf_add(b, zero, 512 - dlen % 512);
	}
}

static void tar_end(struct sw_buf *b)
{
	static const char zero[1024];
	sw_buf_add(b, zero, sizeof(zero));
}

/* Write a crafted tar into tmp/name and return its path. */
static char *tar_file(const char *name, const struct sw_buf *b)
{
	char *p = sw_xasprintf("%s/%s", tmp, name);
	write_file(p, b->data, b->len);
	return p;
}

static const char *type_name(enum sw_entry_type t)
{
	switch (t) {
	case SW_ENT_FILE: return "F";
	case SW_ENT_DIR: return "D";
	case SW_ENT_SYMLINK: return "L";
	case SW_ENT_HARDLINK: return "H";
	case SW_ENT_WHITEOUT: return "W";
	case SW_ENT_OPAQUE: return "O";
	default: return "?";
	}
}

/* Entry callback: "T path[ -> link][ =content]\n" per entry. */
static int collect(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		   struct sw_err *err)
{
	struct sw_buf *out = ctx;
	sw_buf_addf(out, "%s %s", type_name(e->type), e->path);
	if (e->link)
		sw_buf_addf(out, " -> %s", e->link);
	if (e->type == SW_ENT_FILE && e->size) {
		struct sw_buf c = SW_BUF_INIT;
		if (sw_entry_read_all(r, 1 << 20, &c, err) < 0) {
			sw_buf_release(&c);
			return -1;
		}
		assert_int_equal(c.len, e->size);
		while (c.len && c.data[c.len - 1] == '\n')
			c.data[--c.len] = '\0';
		sw_buf_addf(out, " =%s", c.data);
		sw_buf_release(&c);
	}
	sw_buf_addch(out, '\n');
	return 0;
}

/* All layers' entries, "-- layer N" between them; returns malloc'd text. */
static char *list_image(struct sw_image *img)
{
	struct sw_buf out = SW_BUF_INIT;
	const struct sw_image_info *in = sw_image_get_info(img);
	for (size_t i = 0; i < in->layers.len; i++) {
		struct sw_err err = SW_ERR_INIT;
		sw_buf_addf(&out, "-- layer %zu\n", i + 1);
		int rc = sw_image_walk_layer(img, i, collect, &out, &err);
		if (rc < 0)
			fprintf(stderr, "walk: %s\n", err.msg);
		assert_int_equal(rc, 0);
	}
	return sw_buf_detach(&out, NULL);
}

static struct sw_image *open_ok(const char *ref, const char *platform)
{
	struct sw_image_opts o = { platform, 0 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_image_open(ref, &o, &img, &err);
	if (rc < 0)
		fprintf(stderr, "open '%s': %s\n", ref, err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(err.code, SW_OK);
	return img;
}

/* Open (and walk every layer); expect failure with code and message parts. */
static void expect_fail(const char *ref, const char *platform, int code, const char *part1,
			const char *part2)
{
	struct sw_image_opts o = { platform, 0 };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_image_open(ref, &o, &img, &err);
	if (rc == 0) {
		const struct sw_image_info *in = sw_image_get_info(img);
		struct sw_buf sink = SW_BUF_INIT;
		for (size_t i = 0; i < in->layers.len && rc == 0; i++)
			rc = sw_image_walk_layer(img, i, collect, &sink, &err);
		sw_buf_release(&sink);
		sw_image_close(img);
	}
	if (rc >= 0 || err.code != code || !strstr(err.msg, part1) ||
	    (part2 && !strstr(err.msg, part2)))
		fprintf(stderr, "ref '%s': rc %d code %d msg '%s' (want code %d, '%s', '%s')\n", ref,
			rc, err.code, err.msg, code, part1, part2 ? part2 : "");
	assert_true(rc < 0);
	assert_int_equal(rc, -code);
	assert_int_equal(err.code, code);
	assert_non_null(strstr(err.msg, part1));
	if (part2)
		assert_non_null(strstr(err.msg, part2));
	assert_null(strchr(err.msg, '\n'));
}

/* ---- fixtures ------------------------------------------------------------- */

static const char *expected_two_layers =
	"-- layer 1\n"
	"D etc\n"
	"F etc/hostname =box\n"
	"L etc/os-link -> ../usr/lib/os-release\n"
	"F etc/passwd =root:x:0:0\n"
	"D usr\n"
	"D usr/bin\n"
	"F usr/bin/a =tool\n"
	"H usr/bin/b -> usr/bin/a\n"
	"D usr/lib\n"
	"F usr/lib/os-release =ID=test\n"
	"D var\n"
	"D var/cache\n"
	"F var/cache/old =stale\n"
	"-- layer 2\n"
	"D etc\n"
	"W etc/passwd\n"
	"F etc/shadow =secret\n"
	"D var\n"
	"D var/cache\n"
	"O var/cache\n"
	"F var/cache/new =fresh\n";

static int setup(void **state)
{
	(void)state;
	tmp = sw_test_tmpdir();
	const char *src = getenv("SW_SOURCE_DIR");
	if (src)
		mkimage = sw_xasprintf("%s/tests/tools/mkimage.py", src);
	else /* run by hand: find the tool next to this source file */
		mkimage = sw_xasprintf("%.*s/../tools/mkimage.py",
				       (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	if (access(mkimage, R_OK) != 0 || sw_test_sh("python3 -c 'import tarfile' 2>/dev/null") != 0 ||
	    sw_test_sh("zstd --version >/dev/null 2>&1") != 0) {
		printf("SKIP: test_image needs python3, zstd and %s\n", mkimage);
		exit(SW_TEST_SKIP);
	}
	sh("cd '%s' && mkdir -p l1/etc l1/usr/bin l1/usr/lib l1/var/cache l2/etc l2/var/cache "
	   "l3/opt && printf box > l1/etc/hostname && printf 'root:x:0:0\\n' > l1/etc/passwd && "
	   "ln -s ../usr/lib/os-release l1/etc/os-link && printf ID=test > l1/usr/lib/os-release && "
	   "printf tool > l1/usr/bin/a && ln l1/usr/bin/a l1/usr/bin/b && "
	   "printf stale > l1/var/cache/old && : > l2/etc/.wh.passwd && printf secret > "
	   "l2/etc/shadow && : > l2/var/cache/.wh..wh..opq && printf fresh > l2/var/cache/new && "
	   ": > l2/.wh..wh.plnk && printf arm > l3/opt/arch",
	   tmp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", tmp);
	free(tmp);
	free(mkimage);
	return 0;
}

/* ---- transports ------------------------------------------------------------ */

static void check_two_layers(const char *ref, const char *transport)
{
	struct sw_image *img = open_ok(ref, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	assert_string_equal(in->transport, transport);
	assert_int_equal(in->layers.len, 2);
	assert_string_equal(in->os, "linux");
	assert_string_equal(in->architecture, "amd64");
	assert_non_null(in->config_json);
	assert_true(sw_digest_valid(in->config_digest));
	for (size_t i = 0; i < 2; i++) {
		const struct sw_layer_desc *d = in->layers.items[i];
		assert_true(sw_digest_valid(d->diff_id));
	}
	const struct sw_layer_desc *d0 = in->layers.items[0], *d1 = in->layers.items[1];
	assert_string_equal(d0->created_by, "ADD rootfs /");
	assert_string_equal(d1->created_by, "RUN passwd -d root");
	char *got = list_image(img);
	assert_string_equal(got, expected_two_layers);
	free(got);
	sw_image_close(img);
}

static void test_docker_archive(void **state)
{
	(void)state;
	char *p = mk("docker-archive", "da.tar",
		     "--tag test/img:1 --history 'ADD rootfs /' --history 'RUN passwd -d root'",
		     "l1 l2");
	char *ref = sw_xasprintf("docker-archive:%s", p);
	check_two_layers(ref, "docker-archive");
	check_two_layers(p, "docker-archive"); /* bare path detected */
	struct sw_image *img = open_ok(ref, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	assert_int_equal(in->repo_tags.len, 1);
	assert_string_equal(in->repo_tags.items[0], "test/img:1");
	assert_null(in->manifest_digest);
	assert_null(((struct sw_layer_desc *)in->layers.items[0])->digest); /* legacy: no digest */
	sw_image_close(img);
	/* choose by tag; a wrong tag is an error naming it */
	free(ref);
	ref = sw_xasprintf("docker-archive:%s:test/img:1", p);
	sw_image_close(open_ok(ref, NULL));
	free(ref);
	ref = sw_xasprintf("docker-archive:%s:other:2", p);
	expect_fail(ref, NULL, SW_E_NOTFOUND, "no image tagged 'other:2'", p);
	free(ref);
	free(p);

	/* Docker 25+ style: blobs/sha256 names (digests verified), OCI layout inside */
	p = mk("docker-archive", "da25.tar",
	       "--docker-style blobs --compression none --history 'ADD rootfs /' "
	       "--history 'RUN passwd -d root'",
	       "l1 l2");
	check_two_layers(p, "docker-archive");
	img = open_ok(p, NULL);
	in = sw_image_get_info(img);
	const struct sw_layer_desc *d = in->layers.items[1];
	assert_non_null(d->digest);
	assert_string_equal(d->digest, d->diff_id); /* uncompressed blobs */
	sw_image_close(img);
	free(p);
}

static void test_oci_dir(void **state)
{
	(void)state;
	char *p = mk("oci", "oci-dir",
		     "--tag v1 --compression gzip,zstd --history 'ADD rootfs /' "
		     "--history 'RUN passwd -d root'",
		     "l1 l2");
	char *ref = sw_xasprintf("oci:%s", p);
	check_two_layers(ref, "oci");
	check_two_layers(p, "oci");
	free(ref);
	ref = sw_xasprintf("oci:%s:v1", p);
	struct sw_image *img = open_ok(ref, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	assert_true(sw_digest_valid(in->manifest_digest));
	assert_int_equal(in->repo_tags.len, 1);
	assert_string_equal(in->repo_tags.items[0], "v1");
	const struct sw_layer_desc *d0 = in->layers.items[0], *d1 = in->layers.items[1];
	assert_string_equal(d0->media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
	assert_string_equal(d1->media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
	assert_true(sw_digest_valid(d0->digest));
	assert_true(d0->size > 0);
	assert_string_not_equal(d0->digest, d0->diff_id);
	sw_image_close(img);
	free(ref);
	ref = sw_xasprintf("oci:%s:v2", p);
	expect_fail(ref, NULL, SW_E_NOTFOUND, "no image tagged 'v2'", p);
	free(ref);
	free(p);
}

static void test_oci_archive(void **state)
{
	(void)state;
	char *p = mk("oci-archive", "oci.tar",
		     "--compression none,gzip --history 'ADD rootfs /' --history 'RUN passwd -d root'",
		     "l1 l2");
	char *ref = sw_xasprintf("oci-archive:%s", p);
	check_two_layers(ref, "oci-archive");
	check_two_layers(p, "oci-archive");
	free(ref);
	free(p);
	/* nested index, no media types (kinds detected from the documents) */
	p = mk("oci-archive", "oci-nested.tar",
	       "--nested-index --no-media-types --compression zstd --history 'ADD rootfs /' "
	       "--history 'RUN passwd -d root'",
	       "l1 l2");
	check_two_layers(p, "oci-archive");
	free(p);
}

static void test_dir_rootfs(void **state)
{
	(void)state;
	sh("cd '%s' && mkdir -p root/b/sub root/a && printf one > root/a/f && printf two > "
	   "root/b/sub/g && ln -s /etc/shadow root/b/abs && ln -s ../../../../etc root/b/up && "
	   "mkfifo root/fifo",
	   tmp);
	char *p = sw_xasprintf("%s/root", tmp);
	char *ref = sw_xasprintf("dir:%s", p);
	struct sw_image *img = open_ok(ref, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	assert_string_equal(in->transport, "dir");
	assert_int_equal(in->layers.len, 1);
	const struct sw_layer_desc *d = in->layers.items[0];
	assert_null(d->digest);
	assert_null(d->diff_id);
	assert_null(in->config_json);
	char *got = list_image(img);
	assert_string_equal(got, "-- layer 1\n"
				 "D a\n"
				 "F a/f =one\n"
				 "D b\n"
				 "L b/abs -> /etc/shadow\n"
				 "D b/sub\n"
				 "F b/sub/g =two\n"
				 "L b/up -> ../../../../etc\n"
				 "? fifo\n");
	free(got);
	sw_image_close(img);
	/* bare directory without oci-layout: dir: */
	img = open_ok(p, NULL);
	assert_string_equal(sw_image_get_info(img)->transport, "dir");
	sw_image_close(img);
	free(ref);
	free(p);
}

static void test_bare_detection_errors(void **state)
{
	(void)state;
	char *p = sw_xasprintf("%s/not-an-image.txt", tmp);
	write_file(p, "hello world\n", 12);
	expect_fail(p, NULL, SW_E_FORMAT, "not a container image", "not-an-image.txt");
	free(p);
	p = sw_xasprintf("%s/does-not-exist.tar", tmp);
	expect_fail(p, NULL, SW_E_NOTFOUND, "no such file", "does-not-exist.tar");
	free(p);
	expect_fail("registry:example.test/x:1", NULL, SW_E_UNSUPPORTED, "registry", NULL);
	expect_fail("oci:", NULL, SW_E_USAGE, "no path", NULL);
	expect_fail("", NULL, SW_E_USAGE, "empty image reference", NULL);
	/* a tar that is no image */
	struct sw_buf b = SW_BUF_INIT;
	tar_add(&b, "readme", '0', NULL, "hi", 2);
	tar_end(&b);
	p = tar_file("plain.tar", &b);
	expect_fail(p, NULL, SW_E_FORMAT, "not a container image", "plain.tar");
	char *ref = sw_xasprintf("docker-archive:%s", p);
	expect_fail(ref, NULL, SW_E_FORMAT, "manifest.json is missing", "plain.tar");
	free(ref);
	ref = sw_xasprintf("oci-archive:%s", p);
	expect_fail(ref, NULL, SW_E_FORMAT, "oci-layout is missing", "plain.tar");
	free(ref);
	free(p);
	sw_buf_release(&b);
}

/* ---- platforms, history ------------------------------------------------------- */

static void test_index_platforms(void **state)
{
	(void)state;
	char *p = mk("oci", "multi", "--tag multi", "--index linux/amd64=l1 --index linux/arm64=l3");
	struct sw_image *img = open_ok(p, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	assert_string_equal(in->architecture, "amd64");
	assert_int_equal(in->layers.len, 1);
	char *got = list_image(img);
	assert_non_null(strstr(got, "F etc/hostname =box"));
	free(got);
	sw_image_close(img);

	img = open_ok(p, "linux/arm64");
	in = sw_image_get_info(img);
	assert_string_equal(in->architecture, "arm64");
	got = list_image(img);
	assert_string_equal(got, "-- layer 1\nD opt\nF opt/arch =arm\n");
	free(got);
	sw_image_close(img);
	sw_image_close(open_ok(p, "linux/arm64/v8")); /* arm64 = arm64/v8 */

	expect_fail(p, "linux/s390x", SW_E_NOTFOUND, "no image for platform 'linux/s390x'",
		    "linux/amd64, linux/arm64");
	expect_fail(p, "linux", SW_E_USAGE, "not os/arch", NULL);
	free(p);

	/* nested index + variants (oci-archive) */
	p = mk("oci-archive", "multi.tar", "--nested-index",
	       "--index linux/arm/v6=l1 --index linux/arm/v7=l3");
	img = open_ok(p, "linux/arm/v7");
	in = sw_image_get_info(img);
	assert_string_equal(in->variant, "v7");
	sw_image_close(img);
	expect_fail(p, NULL, SW_E_NOTFOUND, "no image for platform 'linux/amd64'", "linux/arm/v6");
	free(p);

	/* single manifest without platform: taken; an explicit other platform is refused */
	p = mk("oci", "noplat", "--no-platform --platform linux/arm64", "l3");
	img = open_ok(p, NULL);
	assert_string_equal(sw_image_get_info(img)->architecture, "arm64");
	sw_image_close(img);
	expect_fail(p, "linux/ppc64le", SW_E_NOTFOUND, "image is for platform 'linux/arm64'", NULL);
	free(p);
}

static void test_history(void **state)
{
	(void)state;
	char *p = mk("oci", "hist",
		     "--history 'ADD a' --history 'COPY b' --empty-history '0:ARG X' "
		     "--empty-history '1:ENV Y=1' --empty-history '2:CMD [\"sh\"]'",
		     "l1 l2");
	struct sw_image *img = open_ok(p, NULL);
	const struct sw_image_info *in = sw_image_get_info(img);
	const struct sw_layer_desc *d0 = in->layers.items[0], *d1 = in->layers.items[1];
	assert_string_equal(d0->created_by, "ADD a");
	assert_string_equal(d0->comment, "layer 0");
	assert_string_equal(d1->created_by, "COPY b");
	assert_non_null(strstr(in->config_json, "\"empty_layer\": true"));
	sw_image_close(img);
	free(p);
	/* no history at all */
	p = mk("docker-archive", "nohist.tar", "", "l1");
	img = open_ok(p, NULL);
	assert_null(((struct sw_layer_desc *)sw_image_get_info(img)->layers.items[0])->created_by);
	sw_image_close(img);
	free(p);
}

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
	/* not a tar at all */
	char junk[2048];
	memset(junk, 'j', sizeof(junk));
	assert_int_equal(sw_layer_walk_mem(junk, sizeof(junk), NULL, skip_cb, &n, &err), -SW_E_FORMAT);
	sw_buf_release(&b);
}

/* ---- concurrency ------------------------------------------------------------------ */

struct job {
	struct sw_image *img;
	size_t idx;
	char *out;
	int rc;
};

static void *walk_thread(void *arg)
{
	struct job *j = arg;
	struct sw_buf out = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	for (int k = 0; k < 5 && j->rc == 0; k++) {
		sw_buf_reset(&out);
		j->rc = sw_image_walk_layer(j->img, j->idx, collect, &out, &err);
	}
	j->out = sw_buf_detach(&out, NULL);
	return NULL;
}

static void test_concurrent_walks(void **state)
{
	(void)state;
	const char *refs[2];
	char *a = mk("oci-archive", "conc.tar", "--compression gzip,zstd", "l1 l2");
	char *b = mk("docker-archive", "conc-da.tar", "", "l1 l2");
	refs[0] = a;
	refs[1] = b;
	for (int r = 0; r < 2; r++) {
		struct sw_image *img = open_ok(refs[r], NULL);
		struct job jobs[2] = { { img, 0, NULL, 0 }, { img, 1, NULL, 0 } };
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, walk_thread, &jobs[i]), 0);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		char *seq = list_image(img);
		struct sw_buf both = SW_BUF_INIT;
		sw_buf_addf(&both, "-- layer 1\n%s-- layer 2\n%s", jobs[0].out, jobs[1].out);
		assert_int_equal(jobs[0].rc, 0);
		assert_int_equal(jobs[1].rc, 0);
		assert_string_equal(both.data, seq);
		assert_string_equal(seq, expected_two_layers);
		sw_buf_release(&both);
		free(seq);
		free(jobs[0].out);
		free(jobs[1].out);
		sw_image_close(img);
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_archive),
		cmocka_unit_test(test_oci_dir),
		cmocka_unit_test(test_oci_archive),
		cmocka_unit_test(test_dir_rootfs),
		cmocka_unit_test(test_bare_detection_errors),
		cmocka_unit_test(test_index_platforms),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_bad_digests),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_missing_and_empty),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_unsafe_members),
		cmocka_unit_test(test_callback_and_limits),
		cmocka_unit_test(test_memory_layer),
		cmocka_unit_test(test_concurrent_walks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
