/*
 * test_image_hostile.c - image/: archives and layouts built to make the
 * reader hang or read something other than what a runtime unpacks.
 *
 *   - an index that fans out (one nested index named many times at several
 *     levels): every document is read once, the work is bounded;
 *   - a tar holding manifest.json, index.json, a config or a layer twice:
 *     `tar -x` and docker load keep the last copy, the header scan used to
 *     keep the first; the archive is refused as ambiguous;
 *   - a FIFO or a device as a blob of an oci: layout, or as the archive
 *     itself: refused without opening it for reading (that blocked).
 *
 * Fixtures come from tests/tools/mkimage.py, made hostile with
 * tests/tools/mkhostile.py.  A hang fails the test through alarm().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "test_image_util.h"

static char *mkhostile;

/* Output of a shell command, trailing newline removed (malloc'd). */
static char *sh_out(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char line[4096] = "";
	char *ok = fgets(line, sizeof(line), p);
	assert_int_equal(pclose(p), 0);
	assert_non_null(ok);
	line[strcspn(line, "\n")] = '\0';
	return sw_xstrdup(line);
}

static void test_index_fanout(void **state)
{
	(void)state;
	/* 300 names per level, 4 levels: 300^4 (8e9) paths to an empty index,
	 * which used to be read and kept once per path */
	alarm(20);
	char *p = mk("oci", "fanout", "", "l1 l2");
	sh("python3 '%s' fanout '%s' 300 4", mkhostile, p);
	char *ref = sw_xasprintf("oci:%s", p);
	struct sw_image *img = open_ok(ref, NULL);
	assert_int_equal(sw_image_get_info(img)->layers.len, 2);
	sw_image_close(img);
	free(ref);
	free(p);

	/* the total work is capped, even over distinct paths */
	p = mk("oci", "fanout-wide", "", "l1");
	sh("python3 '%s' fanout '%s' 25000 3", mkhostile, p);
	ref = sw_xasprintf("oci:%s", p);
	expect_fail(ref, NULL, SW_E_LIMIT, "image indexes name more than 65536 manifests in all",
		    NULL);
	free(ref);
	free(p);
	alarm(0);
}

static void test_duplicate_members(void **state)
{
	(void)state;
	/* docker-archive: a second manifest.json (naming another image) */
	char *p = mk("docker-archive", "dup-man.tar", "", "l1");
	sh("python3 '%s' dup-member '%s' manifest.json '[]'", mkhostile, p);
	expect_fail(p, NULL, SW_E_FORMAT, "'manifest.json' appears 2 times in the archive", NULL);
	free(p);

	/* docker-archive: the config twice */
	p = mk("docker-archive", "dup-cfg.tar", "", "l1");
	char *cmd = sw_xasprintf("python3 '%s' docker-member '%s' config", mkhostile, p);
	char *cfg = sh_out(cmd);
	free(cmd);
	sh("python3 '%s' dup-member '%s' '%s'", mkhostile, p, cfg);
	expect_fail(p, NULL, SW_E_FORMAT, "appears 2 times in the archive", cfg);
	free(cfg);
	free(p);

	/* docker-archive: a layer twice (found at open, before any read) */
	p = mk("docker-archive", "dup-layer.tar", "", "l1 l2");
	cmd = sw_xasprintf("python3 '%s' docker-member '%s' layer0", mkhostile, p);
	char *layer = sh_out(cmd);
	free(cmd);
	sh("python3 '%s' dup-member '%s' '%s'", mkhostile, p, layer);
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_image_open(p, NULL, &img, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, layer));
	assert_non_null(strstr(err.msg, "appears 2 times"));
	free(layer);
	free(p);

	/* oci-archive: index.json twice, and a layer blob twice */
	p = mk("oci-archive", "dup-index.tar", "", "l1");
	sh("python3 '%s' dup-member '%s' index.json '{}'", mkhostile, p);
	expect_fail(p, NULL, SW_E_FORMAT, "'index.json' appears 2 times", NULL);
	free(p);
	p = mk("oci-archive", "dup-blob.tar", "", "l1 l2");
	cmd = sw_xasprintf("python3 '%s' first-layer '%s'", mkhostile, p);
	layer = sh_out(cmd);
	free(cmd);
	sh("python3 '%s' dup-member '%s' '%s'", mkhostile, p, layer);
	char *ref = sw_xasprintf("oci-archive:%s", p);
	img = NULL;
	err = (struct sw_err)SW_ERR_INIT;
	assert_int_equal(sw_image_open(ref, NULL, &img, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, layer));
	assert_non_null(strstr(err.msg, "appears 2 times"));
	free(ref);
	free(layer);
	free(p);
}

static void test_fifo_blobs(void **state)
{
	(void)state;
	alarm(20);
	/* a layer blob that is a FIFO: refused at open, never read */
	char *p = mk("oci", "fifo-layer", "", "l1");
	char *cmd = sw_xasprintf("python3 '%s' first-layer '%s'", mkhostile, p);
	char *layer = sh_out(cmd);
	free(cmd);
	sh("cd '%s' && rm '%s' && mkfifo '%s'", p, layer, layer);
	char *ref = sw_xasprintf("oci:%s", p);
	expect_fail(ref, NULL, SW_E_FORMAT, layer, "is not a regular file");
	free(ref);
	free(layer);
	free(p);

	/* the config, and index.json */
	p = mk("oci", "fifo-config", "", "l1");
	cmd = sw_xasprintf("python3 '%s' config '%s'", mkhostile, p);
	char *cfg = sh_out(cmd);
	free(cmd);
	sh("cd '%s' && rm '%s' && mkfifo '%s'", p, cfg, cfg);
	ref = sw_xasprintf("oci:%s", p);
	expect_fail(ref, NULL, SW_E_FORMAT, cfg, "is not a regular file");
	sh("cd '%s' && rm index.json && mkfifo index.json", p);
	expect_fail(ref, NULL, SW_E_FORMAT, "'index.json' is not a regular file", NULL);
	sh("cd '%s' && rm oci-layout && mkfifo oci-layout", p);
	expect_fail(ref, NULL, SW_E_FORMAT, "'oci-layout' is not a regular file", NULL);
	free(ref);
	free(cfg);
	free(p);

	/* an archive path that is a FIFO */
	sh("cd '%s' && mkfifo fifo.tar", tmp);
	p = sw_xasprintf("oci-archive:%s/fifo.tar", tmp);
	expect_fail(p, NULL, SW_E_FORMAT, "not a regular file", NULL);
	free(p);
	p = sw_xasprintf("docker-archive:%s/fifo.tar", tmp);
	expect_fail(p, NULL, SW_E_FORMAT, "not a regular file", NULL);
	free(p);

	/* dir: a FIFO inside the root is listed, not opened */
	sh("cd '%s' && mkdir -p fifo-root/etc && mkfifo fifo-root/etc/pipe && printf x > "
	   "fifo-root/etc/f",
	   tmp);
	p = sw_xasprintf("dir:%s/fifo-root", tmp);
	struct sw_image *img = open_ok(p, NULL);
	char *got = list_image(img);
	assert_non_null(strstr(got, "F etc/f =x\n"));
	free(got);
	sw_image_close(img);
	free(p);
	alarm(0);
}

static int count_entries(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
			 struct sw_err *err)
{
	(void)e;
	(void)r;
	(void)err;
	(*(size_t *)ctx)++;
	return 0;
}

/* 5,000 symlinks 3,000 directories deep (as costly for the old check as
 * 20,000 symlinks 1,000 deep, with a smaller tar): each member's ancestors
 * used to be looked up one prefix at a time (O(depth^2) per member); now
 * one pass over the name.  Still refused: a member written
 * through one of them. */
static void test_deep_symlinks(void **state)
{
	(void)state;
	char *p = sw_xasprintf("%s/deep.tar", tmp);
	sh("python3 '%s' deep-symlinks '%s' 3000 5000", mkhostile, p);
	struct sw_buf tar = SW_BUF_INIT;
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	char blk[65536];
	ssize_t n;
	while ((n = read(fd, blk, sizeof(blk))) > 0)
		sw_buf_add(&tar, blk, (size_t)n);
	close(fd);
	assert_true(sw_buf_ok(&tar));
	alarm(30); /* the old check: about 10^11 byte hashes, minutes */
	size_t count = 0;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_layer_walk_mem(tar.data, tar.len, NULL, count_entries, &count, &err), 0);
	assert_int_equal(count, 3000 + 5000 + 1);
	alarm(0);

	/* the same shape with one member written through the last symlink */
	struct sw_buf bad = SW_BUF_INIT;
	tar_add(&bad, "a", '5', NULL, NULL, 0);
	tar_add(&bad, "a/b", '5', NULL, NULL, 0);
	tar_add(&bad, "a/b/l", '2', "/etc", NULL, 0);
	tar_add(&bad, "a/b/m", '2', "/etc", NULL, 0);
	tar_add(&bad, "a/b/m", '5', NULL, NULL, 0); /* a symlink replaced by a directory */
	tar_add(&bad, "a/b/m/ok", '0', NULL, "x", 1);
	tar_add(&bad, "a/b/l/passwd", '0', NULL, "x", 1);
	tar_end(&bad);
	count = 0;
	assert_int_equal(sw_layer_walk_mem(bad.data, bad.len, NULL, count_entries, &count, &err),
			 -SW_E_UNSAFE);
	assert_non_null(strstr(err.msg, "member 'a/b/l/passwd' is written through symlink 'a/b/l'"));
	assert_int_equal(count, 6);
	sw_buf_release(&bad);
	sw_buf_release(&tar);
	free(p);
}

static int setup_hostile(void **state)
{
	int rc = setup(state);
	mkhostile = sw_xasprintf("%.*s/mkhostile.py", (int)(strrchr(mkimage, '/') - mkimage), mkimage);
	return rc;
}

static int teardown_hostile(void **state)
{
	free(mkhostile);
	return teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_fanout),
		cmocka_unit_test(test_duplicate_members),
		cmocka_unit_test(test_fifo_blobs),
		cmocka_unit_test(test_deep_symlinks),
	};
	return cmocka_run_group_tests(tests, setup_hostile, teardown_hostile);
}
