/* test_k8s.c - the pieces of k8s/ that need no cluster: kubeconfig
 * parsing (contexts, relative paths, tokenFile, *-data, errors), image
 * digest references from pod status, and Pod Security Standards results
 * for hand-written pods (expected from the PSS document). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "k8s/k8s.h"
#include "util/mem.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_image_ref(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		{ "nginx:1.25", "docker-pullable://docker.io/library/nginx@sha256:" D64,
		  "docker.io/library/nginx@sha256:" D64 },
		{ "reg:5000/a/b:v1", "reg:5000/a/b@sha256:" D64, "reg:5000/a/b@sha256:" D64 },
		{ "reg:5000/a/b:v1", "sha256:" D64, "reg:5000/a/b@sha256:" D64 },
		{ "reg:5000/a/b@sha256:" D64, "sha256:" D64, "reg:5000/a/b@sha256:" D64 },
		{ "x", "docker://sha256:" D64, "x@sha256:" D64 },
		{ "x", "", NULL },
		{ "x", "sha256:abc", NULL },
		{ "x", "reg/a@sha256:" D64 "00", NULL },
		{ "x", "reg/a@sha512:" D64, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = sw_k8s_image_ref(cases[i][0], cases[i][1]);
		if (cases[i][2])
			assert_string_equal(r, cases[i][2]);
		else
			assert_null(r);
		free(r);
	}
}

static const char KC[] = "apiVersion: v1\n"
			 "current-context: one\n"
			 "clusters:\n"
			 "- name: c1\n"
			 "  cluster: {server: 'https://10.0.0.1:6443/', certificate-authority: ca.pem}\n"
			 "- name: c2\n"
			 "  cluster: {server: https://b, certificate-authority-data: aGVsbG8=, insecure-skip-tls-verify: true}\n"
			 "contexts:\n"
			 "- {name: one, context: {cluster: c1, user: u1, namespace: shop}}\n"
			 "- {name: two, context: {cluster: c2, user: u2}}\n"
			 "- {name: three, context: {cluster: c2, user: u3}}\n"
			 "- {name: four, context: {cluster: nope, user: u1}}\n"
			 "users:\n"
			 "- {name: u1, user: {token: t0k}}\n"
			 "- {name: u2, user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}}\n"
			 "- {name: u3, user: {exec: {command: aws}}}\n";

static void test_kubeconfig(void **state)
{
	(void)state;
	struct sw_kubeconfig kc;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_kubeconfig_parse("kc", "/etc/kube", KC, strlen(KC), NULL, &kc, &err), 0);
	assert_string_equal(kc.context, "one");
	assert_string_equal(kc.server, "https://10.0.0.1:6443");
	assert_string_equal(kc.ca_file, "/etc/kube/ca.pem");
	assert_string_equal(kc.ns, "shop");
	assert_string_equal(kc.token, "t0k");
	assert_false(kc.insecure);
	sw_kubeconfig_release(&kc);

	assert_int_equal(sw_kubeconfig_parse("kc", NULL, KC, strlen(KC), "two", &kc, &err), 0);
	assert_int_equal(kc.ca_pem.len, 5);
	assert_memory_equal(kc.ca_pem.data, "hello", 5);
	assert_int_equal(kc.cert_pem.len, 4);
	assert_int_equal(kc.key_pem.len, 3);
	assert_true(kc.insecure);
	assert_null(kc.token);
	assert_null(kc.ns);
	sw_kubeconfig_release(&kc);

	assert_true(sw_kubeconfig_parse("kc", NULL, KC, strlen(KC), "three", &kc, &err) < 0);
	assert_int_equal(err.code, SW_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "exec"));
	assert_null(kc.server);
	assert_true(sw_kubeconfig_parse("kc", NULL, KC, strlen(KC), "four", &kc, &err) < 0);
	assert_non_null(strstr(err.msg, "no cluster 'nope'"));
	assert_true(sw_kubeconfig_parse("kc", NULL, KC, strlen(KC), "five", &kc, &err) < 0);
	assert_string_equal(err.msg, "'kc': no context 'five'");

	static const char *const bad[][2] = {
		{ "clusters: [\n", "bad yaml" },
		{ "- a\n- b\n", "not a mapping" },
		{ "current-context: x\n", "no context 'x'" },
		{ "kind: Config\n", "no current-context" },
		{ "current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\n"
		  "clusters: [{name: c, cluster: {server: ftp://x}}]\n",
		  "not an http(s) URL" },
		{ "current-context: a\ncontexts: [{name: a, context: {cluster: c, user: u}}]\n"
		  "clusters: [{name: c, cluster: {server: https://x, certificate-authority-data: '!!'}}]\n"
		  "users: [{name: u, user: {}}]\n",
		  "not base64" },
		{ "current-context: a\ncontexts: [{name: a, context: {cluster: c, user: u}}]\n"
		  "clusters: [{name: c, cluster: {server: https://x}}]\n"
		  "users: [{name: u, user: {client-certificate-data: QUJD}}]\n",
		  "needs its key" },
		{ "current-context: a\ncontexts: [{name: a, context: {cluster: c, user: u}}]\n"
		  "clusters: [{name: c, cluster: {server: https://x}}]\n"
		  "users: [{name: u, user: {token: [1]}}]\n",
		  "'token' is not a string" },
		{ "current-context: a\ncontexts: [{name: a, context: {cluster: c, user: u}}]\n"
		  "clusters: [{name: c, cluster: {server: https://x}}]\n"
		  "users: [{name: u, user: {tokenFile: /nonexistent/tok}}]\n",
		  "/nonexistent/tok" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sw_err_clear(&err);
		assert_true(sw_kubeconfig_parse("f.yaml", NULL, bad[i][0], strlen(bad[i][0]), NULL, &kc, &err) < 0);
		if (!strstr(err.msg, bad[i][1]))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i][1]);
		assert_null(kc.server);
	}
}

static const char *failed(const struct sw_k8s_workload *w, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < w->checks.results.len; i++) {
		const struct sw_check_result *c = w->checks.results.items[i];
		if (c->status == SW_CHECK_FAIL) {
			strncat(buf, c->id + 7, n - strlen(buf) - 1);
			strncat(buf, " ", n - strlen(buf) - 1);
		}
	}
	return buf;
}

static void test_pss(void **state)
{
	(void)state;
	/* pods and the controls the PSS document says they break */
	static const char *const cases[][2] = {
		/* restricted-compliant */
		{ "{\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"Localhost\"}},"
		  "\"volumes\":[{\"name\":\"t\",\"emptyDir\":{}},{\"name\":\"p\",\"projected\":{}}],"
		  "\"containers\":[{\"name\":\"a\",\"image\":\"a\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
		  "\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}",
		  "" },
		/* an init container breaks it; the baseline capability set is allowed in baseline */
		{ "{\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
		  "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
		  "\"capabilities\":{\"drop\":[\"ALL\"]}}}],"
		  "\"initContainers\":[{\"name\":\"i\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
		  "\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"CHOWN\"]}}}]}}",
		  "R06 " },
		/* container runAsNonRoot false overrides the pod's true; runAsUser 0 at the pod */
		{ "{\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":0,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
		  "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"runAsNonRoot\":false,\"allowPrivilegeEscalation\":false,"
		  "\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}",
		  "R03 R04 " },
		/* safe sysctl, Localhost AppArmor, container_t SELinux, procMount Default: all allowed */
		{ "{\"metadata\":{\"annotations\":{\"container.apparmor.security.beta.kubernetes.io/a\":\"localhost/p\"}},"
		  "\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_syncookies\",\"value\":\"1\"}],"
		  "\"seLinuxOptions\":{\"type\":\"container_t\"}},"
		  "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"procMount\":\"Default\"},\"ports\":[{\"containerPort\":80,\"hostPort\":0}]}]}}",
		  "R02 R03 R05 R06 " },
		/* host namespaces, a host path, a windows host process, an unconfined seccomp on the pod */
		{ "{\"spec\":{\"hostIPC\":true,\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"},"
		  "\"windowsOptions\":{\"hostProcess\":true}},\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}],"
		  "\"containers\":[]}}",
		  "B01 B02 B05 B10 R01 R05 " },
	};
	char buf[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_k8s_workload *w = sw_xcalloc(1, sizeof(*w));
		struct sw_err err = SW_ERR_INIT;
		assert_int_equal(sw_k8s_pod_check(cases[i][0], strlen(cases[i][0]), w, &err), 0);
		assert_int_equal(w->checks.results.len, 17);
		if (strcmp(failed(w, buf, sizeof(buf)), cases[i][1]) != 0)
			fail_msg("case %zu: failed '%s', want '%s'", i, buf, cases[i][1]);
		sw_k8s_workload_free(w);
	}
	struct sw_k8s_workload *w = sw_xcalloc(1, sizeof(*w));
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_k8s_pod_check("[]", 2, w, &err) < 0);
	assert_true(sw_k8s_pod_check("{\"spec\":[]}", 11, w, &err) < 0);
	sw_k8s_workload_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_ref),
		cmocka_unit_test(test_kubeconfig),
		cmocka_unit_test(test_pss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
