/*
 * test_image.c - image/: transports, bare-path detection, dir:, whiteouts,
 * links, platforms, history, concurrent walks.
 *
 * Fixtures are built at run time with tests/tools/mkimage.py from small
 * layer directories and hand-made tar files written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "test_image_util.h"

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
	char *got;
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

	/* a repeated layer is a symlink member to the first copy */
	p = mk("docker-archive", "dup.tar", "", "l3 l1 l3");
	sh("tar tvf '%s' | grep -q '^l.*layer.tar -> ../'", p);
	img = open_ok(p, NULL);
	got = list_image(img);
	assert_non_null(strstr(got, "-- layer 3\nD opt\nF opt/arch =arm\n"));
	free(got);
	sw_image_close(img);
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
	assert_true(sw_digest_valid(in->manifest_digest)); /* from the OCI layout inside */
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
	expect_fail("registry:example.test/Bad_Repo:1", NULL, SW_E_USAGE, "bad repository name", NULL);
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
		cmocka_unit_test(test_concurrent_walks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
