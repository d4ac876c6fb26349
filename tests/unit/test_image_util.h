/*
 * test_image_util.h - fixtures and helpers shared by test_image*.c.
 *
 * setup() makes a temporary directory with layer folders l1, l2, l3 and
 * finds tests/tools/mkimage.py; mk() builds an image with it; tar_add()
 * crafts tar members (with lying size fields when asked); list_image()
 * renders every entry of every layer as text; expect_fail() opens an image
 * and walks its layers, expecting one error code and message parts.
 */
#ifndef SW_TEST_IMAGE_UTIL_H
#define SW_TEST_IMAGE_UTIL_H

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "image/image.h"
#include "image/internal.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

#define SW_TEST_UNUSED __attribute__((unused))

static SW_TEST_UNUSED char *tmp;       /* per-process temporary directory */
static SW_TEST_UNUSED char *mkimage;   /* path of mkimage.py */

/* ---- helpers ------------------------------------------------------------ */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static SW_TEST_UNUSED void sh(const char *fmt, ...)
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
static SW_TEST_UNUSED char *mk(const char *format, const char *name, const char *opts, const char *layers)
{
	char *out = sw_xasprintf("%s/%s", tmp, name);
	sh("cd '%s' && python3 '%s' --format %s -o '%s' %s %s", tmp, mkimage, format, out, opts,
	   layers);
	return out;
}

static SW_TEST_UNUSED void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* ustar member with a chosen (possibly lying) size field */
static SW_TEST_UNUSED void tar_add(struct sw_buf *b, const char *name, char type, const char *link,
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

static SW_TEST_UNUSED void tar_end(struct sw_buf *b)
{
	static const char zero[1024];
	sw_buf_add(b, zero, sizeof(zero));
}

/* Write a crafted tar into tmp/name and return its path. */
static SW_TEST_UNUSED char *tar_file(const char *name, const struct sw_buf *b)
{
	char *p = sw_xasprintf("%s/%s", tmp, name);
	write_file(p, b->data, b->len);
	return p;
}

static SW_TEST_UNUSED const char *type_name(enum sw_entry_type t)
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
static SW_TEST_UNUSED int collect(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
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
static SW_TEST_UNUSED char *list_image(struct sw_image *img)
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

static SW_TEST_UNUSED struct sw_image *open_ok(const char *ref, const char *platform)
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
static SW_TEST_UNUSED void expect_fail(const char *ref, const char *platform, int code, const char *part1,
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

static SW_TEST_UNUSED const char *expected_two_layers =
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

static SW_TEST_UNUSED int setup(void **state)
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
		/* scripts/setup-deps.sh installs them: a failure, never a skip */
		printf("FAIL: test_image needs python3, zstd and %s\n", mkimage);
		exit(1);
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

static SW_TEST_UNUSED int teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", tmp);
	free(tmp);
	free(mkimage);
	return 0;
}

#endif
