/* test_registry.c - registry references, WWW-Authenticate challenges and
 * credential lookup (environment, docker config auths, credential helpers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "sw_test.h"
#include "image/internal.h"
#include "util/mem.h"

static char *tmp;

static void test_refs(void **state)
{
	(void)state;
	static const struct {
		const char *in, *host, *api, *repo, *tag, *digest;
	} ok[] = {
		{ "alpine", "docker.io", "registry-1.docker.io", "library/alpine", "latest", NULL },
		{ "alpine:3.19", "docker.io", "registry-1.docker.io", "library/alpine", "3.19", NULL },
		{ "bitnami/redis:7", "docker.io", "registry-1.docker.io", "bitnami/redis", "7", NULL },
		{ "docker.io/nginx", "docker.io", "registry-1.docker.io", "library/nginx", "latest", NULL },
		{ "index.docker.io/nginx:1", "docker.io", "registry-1.docker.io", "library/nginx", "1", NULL },
		{ "127.0.0.1:5000/team/app:v1", "127.0.0.1:5000", "127.0.0.1:5000", "team/app", "v1", NULL },
		{ "localhost/app", "localhost", "localhost", "app", "latest", NULL },
		{ "reg.example.test/org/a.b_c-d/e__f:V1.0_x", "reg.example.test", "reg.example.test", "org/a.b_c-d/e__f", "V1.0_x", NULL },
		{ "quay.example.test/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "quay.example.test", "quay.example.test", "x/y", NULL,
		  "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "h.test:443/x:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "h.test:443", "h.test:443", "x", "t",
		  "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct sw_registry_ref r;
		struct sw_err err = SW_ERR_INIT;
		int rc = sw_registry_ref_parse(ok[i].in, &r, &err);
		if (rc != 0)
			fail_msg("%s: %s", ok[i].in, err.msg);
		assert_string_equal(r.host, ok[i].host);
		assert_string_equal(r.api_host, ok[i].api);
		assert_string_equal(r.repo, ok[i].repo);
		if (ok[i].tag)
			assert_string_equal(r.tag, ok[i].tag);
		else
			assert_null(r.tag);
		if (ok[i].digest)
			assert_string_equal(r.digest, ok[i].digest);
		else
			assert_null(r.digest);
		sw_registry_ref_release(&r);
	}
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "empty" },
		{ "Alpine", "bad repository name" },
		{ "host.test/a//b", "bad repository name" },
		{ "host.test/-a", "bad repository name" },
		{ "host.test/a:", "bad tag" },
		{ "host.test/a:.x", "bad tag" },
		{ "a@sha256:abc", "bad digest" },
		{ "a@md5:0123456789abcdef0123456789abcdef", "bad digest" },
		{ "ho st.test/a", "bad registry host" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sw_registry_ref r;
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_registry_ref_parse(bad[i].in, &r, &err), -SW_E_USAGE);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", bad[i].in, err.msg, bad[i].msg);
	}
	struct sw_registry_ref r;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_registry_ref_parse("alpine:3.19", &r, &err), 0);
	char *s = sw_registry_ref_str(&r);
	assert_string_equal(s, "docker.io/library/alpine:3.19");
	free(s);
	sw_registry_ref_release(&r);

	assert_true(sw_registry_ref_plausible("alpine:3.19"));
	assert_true(sw_registry_ref_plausible("127.0.0.1:5000/a"));
	assert_false(sw_registry_ref_plausible("/tmp/x"));
	assert_false(sw_registry_ref_plausible("./x"));
	assert_false(sw_registry_ref_plausible("image.tar"));
}

static void test_challenges(void **state)
{
	(void)state;
	struct sw_registry_challenge c;
	struct sw_err err = SW_ERR_INIT;
	const char *h = "Bearer realm=\"https://auth.example.test/token\",service=\"reg.example.test\","
			"scope=\"repository:library/alpine:pull\"";
	assert_int_equal(sw_registry_challenge_parse(h, strlen(h), &c, &err), 0);
	assert_string_equal(c.scheme, "bearer");
	assert_string_equal(c.realm, "https://auth.example.test/token");
	assert_string_equal(c.service, "reg.example.test");
	assert_string_equal(c.scope, "repository:library/alpine:pull");
	sw_registry_challenge_release(&c);

	h = "BASIC Realm=plain , error=\"a\\\"b\"";
	assert_int_equal(sw_registry_challenge_parse(h, strlen(h), &c, &err), 0);
	assert_string_equal(c.scheme, "basic");
	assert_string_equal(c.realm, "plain");
	assert_null(c.service);
	sw_registry_challenge_release(&c);

	static const char *const bad[] = { "", "   ", "Bearer realm=\"x", "Bearer service=x",
					   "Bearer realm", "Bearer =x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sw_err_clear(&err);
		assert_int_equal(sw_registry_challenge_parse(bad[i], strlen(bad[i]), &c, &err),
				 -SW_E_FORMAT);
		assert_non_null(strstr(err.msg, "WWW-Authenticate"));
	}
	/* fuzz crash: a key without a value at the very end of an unterminated buffer */
	char *cut = sw_xstrndup("Bearer serarer servivice=x", 21);
	assert_int_equal(sw_registry_challenge_parse(cut, 21, &c, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "expected key=value at 'serarer serviv'"));
	free(cut);
	/* a NUL inside the header is not a silent truncation */
	const char nul[] = "Bearer realm=\"a\0b\"";
	assert_int_equal(sw_registry_challenge_parse(nul, sizeof(nul) - 1, &c, &err), -SW_E_FORMAT);
}

static void write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void test_creds(void **state)
{
	(void)state;
	char *dc = sw_xasprintf("%s/docker", tmp), *cfg = sw_xasprintf("%s/config.json", dc);
	char *bin = sw_xasprintf("%s/bin", tmp);
	assert_int_equal(mkdir(dc, 0700), 0);
	assert_int_equal(mkdir(bin, 0700), 0);
	setenv("DOCKER_CONFIG", dc, 1);
	unsetenv("STOWAWAY_REGISTRY_USERNAME");
	unsetenv("STOWAWAY_REGISTRY_PASSWORD");
	char *u = NULL, *p = NULL;
	struct sw_err err = SW_ERR_INIT;

	/* no config: nothing */
	assert_int_equal(sw_registry_creds_lookup("h.test", &u, &p, &err), 0);
	assert_null(u);

	/* auths: base64 "bob:pa:ss" under a URL key; docker.io under index.docker.io */
	write_str(cfg, "{\"auths\":{\"https://h.test/v2/\":{\"auth\":\"Ym9iOnBhOnNz\"},"
		       "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"},"
		       "\"broken.test\":{\"auth\":\"!!!\"}}}");
	assert_int_equal(sw_registry_creds_lookup("h.test", &u, &p, &err), 1);
	assert_string_equal(u, "bob");
	assert_string_equal(p, "pa:ss");
	sw_freep(&u);
	sw_freep(&p);
	assert_int_equal(sw_registry_creds_lookup("docker.io", &u, &p, &err), 1);
	assert_string_equal(u, "hub");
	assert_string_equal(p, "secret");
	sw_freep(&u);
	sw_freep(&p);
	assert_int_equal(sw_registry_creds_lookup("other.test", &u, &p, &err), 0);
	assert_true(sw_registry_creds_lookup("broken.test", &u, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "not base64"));
	assert_non_null(strstr(err.msg, "config.json"));

	/* the environment wins */
	setenv("STOWAWAY_REGISTRY_USERNAME", "envu", 1);
	setenv("STOWAWAY_REGISTRY_PASSWORD", "envp", 1);
	assert_int_equal(sw_registry_creds_lookup("h.test", &u, &p, &err), 1);
	assert_string_equal(u, "envu");
	sw_freep(&u);
	sw_freep(&p);
	unsetenv("STOWAWAY_REGISTRY_USERNAME");
	unsetenv("STOWAWAY_REGISTRY_PASSWORD");

	/* credential helpers: credHelpers per host, credsStore for the rest */
	char *helper = sw_xasprintf("%s/docker-credential-swt", bin);
	write_str(helper, "#!/bin/sh\nread s\ncase \"$s\" in\n"
			  "h.test) echo '{\"Username\":\"helped\",\"Secret\":\"x\"}';;\n"
			  "bad.test) echo 'not json';;\n"
			  "*) echo 'credentials not found' ; exit 1;;\nesac\n");
	assert_int_equal(chmod(helper, 0755), 0);
	char *oldpath = sw_xstrdup(getenv("PATH"));
	char *newpath = sw_xasprintf("%s:%s", bin, oldpath ? oldpath : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);
	write_str(cfg, "{\"credHelpers\":{\"h.test\":\"swt\",\"bad.test\":\"swt\","
		       "\"evil.test\":\"../../bin/sh\"},\"credsStore\":\"swt\"}");
	assert_int_equal(sw_registry_creds_lookup("h.test", &u, &p, &err), 1);
	assert_string_equal(u, "helped");
	assert_string_equal(p, "x");
	sw_freep(&u);
	sw_freep(&p);
	assert_int_equal(sw_registry_creds_lookup("unknown.test", &u, &p, &err), 0);
	assert_true(sw_registry_creds_lookup("bad.test", &u, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "docker-credential-swt"));
	assert_true(sw_registry_creds_lookup("evil.test", &u, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "bad name"));
	write_str(cfg, "{\"credsStore\":\"sw-none-such\"}");
	assert_true(sw_registry_creds_lookup("h.test", &u, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "docker-credential-sw-none-such' not found"));
	write_str(cfg, "[1,2");
	assert_int_equal(sw_registry_creds_lookup("h.test", &u, &p, &err), -SW_E_FORMAT);
	setenv("PATH", oldpath ? oldpath : "/usr/bin:/bin", 1);
	unsetenv("DOCKER_CONFIG");
	free(oldpath);
	free(newpath);
	free(helper);
	free(bin);
	free(cfg);
	free(dc);
}

static void test_image_open_refs(void **state)
{
	(void)state;
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	/* registry: with a bad reference fails before any network */
	assert_int_equal(sw_image_open("registry:Bad/Ref", NULL, &img, &err), -SW_E_USAGE);
	assert_non_null(strstr(err.msg, "bad repository name"));
	assert_int_equal(sw_image_open("docker://", NULL, &img, &err), -SW_E_USAGE);
	/* a missing file that cannot be a reference stays a missing file */
	char *p = sw_xasprintf("%s/nope.tar", tmp);
	assert_int_equal(sw_image_open(p, NULL, &img, &err), -SW_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "no such file"));
	free(p);
	/* nothing listens on port 1: a network error naming the reference */
	setenv("STOWAWAY_REGISTRY_BACKOFF_MS", "1", 1);
	assert_int_equal(sw_image_open("127.0.0.1:1/x/y:z", &(struct sw_image_opts){ .plain_http = true },
				       &img, &err), -SW_E_NET);
	assert_non_null(strstr(err.msg, "'127.0.0.1:1/x/y:z'"));
	assert_null(img);
}

int main(void)
{
	tmp = sw_test_tmpdir();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_image_open_refs),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char *cmd = sw_xasprintf("rm -rf '%s'", tmp);
	sw_test_sh(cmd);
	free(cmd);
	free(tmp);
	return rc;
}
