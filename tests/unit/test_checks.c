/* test_checks.c - the history created_by parser, secret masking and the
 * config checks (src/checks/, util/secretmask.h).  Expected values come
 * from the Dockerfile/BuildKit history forms written here by hand and from
 * what each config plants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "checks/checks.h"
#include "util/mem.h"
#include "util/secretmask.h"

static void parse(const char *line, enum sw_instr_kind kind, const char *args, size_t nargs, bool buildkit)
{
	struct sw_instr in;
	sw_instr_parse(line, &in);
	if (in.kind != kind || strcmp(in.args ? in.args : "", args) != 0 || in.build_args.len != nargs ||
	    in.buildkit != buildkit)
		fail_msg("'%s': kind %d args '%s' nargs %zu buildkit %d", line, (int)in.kind,
			 in.args ? in.args : "(null)", in.build_args.len, (int)in.buildkit);
	sw_instr_release(&in);
}

static void test_parse_forms(void **state)
{
	(void)state;
	/* classic builder */
	parse("/bin/sh -c #(nop) ADD file:4b03b5f5 in / ", SW_INSTR_ADD, "file:4b03b5f5 in /", 0, false);
	parse("/bin/sh -c #(nop)  CMD [\"bash\"]", SW_INSTR_OTHER, "[\"bash\"]", 0, false);
	parse("/bin/sh -c apt-get update && apt-get install -y x", SW_INSTR_RUN,
	      "apt-get update && apt-get install -y x", 0, false);
	parse("|2 A=1 TOKEN=x /bin/sh -c make", SW_INSTR_RUN, "make", 2, false);
	parse("/bin/sh -c #(nop) COPY dir:abc in /app ", SW_INSTR_COPY, "dir:abc in /app", 0, false);
	/* BuildKit */
	parse("RUN /bin/sh -c apk add --no-cache curl # buildkit", SW_INSTR_RUN, "apk add --no-cache curl", 0, true);
	parse("RUN |1 API_TOKEN=abc /bin/sh -c make # buildkit", SW_INSTR_RUN, "make", 1, true);
	parse("ADD https://x.test/a.tgz /opt/ # buildkit", SW_INSTR_ADD, "https://x.test/a.tgz /opt/", 0, true);
	parse("COPY . /src # buildkit", SW_INSTR_COPY, ". /src", 0, true);
	parse("ENV A=b", SW_INSTR_ENV, "A=b", 0, false);
	parse("RUN [\"/bin/app\", \"x\"]", SW_INSTR_RUN, "[\"/bin/app\", \"x\"]", 0, false);
	parse("/bin/bash -o pipefail -c curl x | sh", SW_INSTR_RUN, "curl x | sh", 0, false);
	/* odd input: never a crash, the line kept */
	parse("", SW_INSTR_UNKNOWN, "", 0, false);
	parse("   ", SW_INSTR_UNKNOWN, "", 0, false);
	parse("|", SW_INSTR_UNKNOWN, "|", 0, false);
	parse("|99999999999 A=b", SW_INSTR_UNKNOWN, "|99999999999 A=b", 1, false);
	parse("|3 A=1", SW_INSTR_UNKNOWN, "|3 A=1", 1, false);
	parse("/bin/sh -c", SW_INSTR_RUN, "", 0, false);
	parse("/bin/sh -c #(nop)", SW_INSTR_UNKNOWN, "", 0, false);
	parse("# buildkit", SW_INSTR_UNKNOWN, "", 0, true);
	parse("mkdir /x", SW_INSTR_UNKNOWN, "mkdir /x", 0, false);
	struct sw_instr in;
	sw_instr_parse(NULL, &in);
	assert_int_equal(in.kind, SW_INSTR_UNKNOWN);
	sw_instr_release(&in);
	/* the build arguments themselves */
	sw_instr_parse("RUN |2 A=1 TOKEN=s3 /bin/sh -c x # buildkit", &in);
	assert_int_equal(in.build_args.len, 2);
	assert_string_equal(in.build_args.items[0], "A=1");
	assert_string_equal(in.build_args.items[1], "TOKEN=s3");
	sw_instr_release(&in);
}

static void test_mask(void **state)
{
	(void)state;
	assert_true(sw_secret_name("DB_PASSWORD", 11));
	assert_true(sw_secret_name("api-token", 9));
	assert_true(sw_secret_name("aws_secret_access_key", 21));
	assert_false(sw_secret_name("PASSWORD_FILE", 13));
	assert_false(sw_secret_name("PATH", 4));
	char *m = sw_mask_secrets("RUN |2 API_TOKEN=abc B=1 /bin/sh -c x PASSWORD='a b' ok=1 --token=zz");
	assert_string_equal(m, "RUN |2 API_TOKEN=**** B=1 /bin/sh -c x PASSWORD=**** ok=1 --token=****");
	free(m);
	m = sw_mask_secrets("MY_SECRET=");
	assert_string_equal(m, "MY_SECRET=");
	free(m);
	assert_null(sw_mask_secrets(NULL));
	/* found by fuzzing the harness; words starting with a digit and long names */
	m = sw_mask_secrets("echo 1API_TOKEN=abc x.API_TOKEN=def");
	assert_string_equal(m, "echo 1API_TOKEN=**** x.API_TOKEN=****");
	free(m);
	char longname[600];
	memset(longname, 'A', 500);
	strcpy(longname + 500, "API_TOKEN=abc");
	m = sw_mask_secrets(longname);
	assert_non_null(strstr(m, "API_TOKEN=****"));
	free(m);
}

static const struct sw_check_result *find(const struct sw_check_list *l, const char *id)
{
	for (size_t i = 0; i < l->results.len; i++) {
		const struct sw_check_result *r = l->results.items[i];
		if (strcmp(r->id, id) == 0)
			return r;
	}
	fail_msg("no result %s", id);
	return NULL;
}

static void run(const char *json, size_t nlayers, struct sw_check_list *l)
{
	struct sw_err err = SW_ERR_INIT;
	struct sw_checks_opts o = { .now = 1700000000 };
	assert_int_equal(sw_checks_run_config(json, strlen(json), nlayers, &o, l, &err), 0);
	assert_int_equal(l->results.len, SW_CHECKS_COUNT);   /* every control, always */
}

static void test_good_config(void **state)
{
	(void)state;
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	run("{\"created\":\"2023-11-01T00:00:00Z\",\"config\":{\"User\":\"10001:10001\","
	    "\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/true\"]},\"ExposedPorts\":{\"8080/tcp\":{}},"
	    "\"Env\":[\"PATH=/bin\",\"PASSWORD_FILE=/run/secrets/pw\"],\"Cmd\":[\"/app\"]},"
	    "\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
	    "{\"created_by\":\"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit\"},"
	    "{\"created_by\":\"COPY app /app # buildkit\"},{\"created_by\":\"USER 10001\",\"empty_layer\":true}]}",
	    3, &l);
	static const char *const pass[] = { "SW-CFG-001", "SW-CFG-006", "SW-CFG-007", "SW-CFG-009", "SW-CFG-010",
					    "SW-CFG-011", "SW-CFG-101", "SW-CFG-102", "SW-CFG-507", "SW-CFG-508" };
	for (size_t i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		if (find(&l, pass[i])->status != SW_CHECK_PASS)
			fail_msg("%s: %s", pass[i], sw_check_status_name(find(&l, pass[i])->status));
	assert_int_equal(find(&l, "SW-CFG-002")->status, SW_CHECK_MANUAL);
	assert_int_equal(find(&l, "SW-CFG-005")->status, SW_CHECK_MANUAL);
	assert_int_equal(find(&l, "SW-CFG-012")->status, SW_CHECK_MANUAL);
	assert_int_equal(find(&l, "SW-CFG-003")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-008")->status, SW_CHECK_INFO);
	assert_int_equal(l.notes.len, 0);
	sw_check_list_release(&l);
}

static void test_bad_config(void **state)
{
	(void)state;
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	run("{\"created\":\"2019-01-01T00:00:00Z\",\"config\":{\"User\":\"0:0\","
	    "\"Healthcheck\":{\"Test\":[\"NONE\"]},\"ExposedPorts\":{\"443/tcp\":{}},"
	    "\"Entrypoint\":[\"/usr/sbin/sshd\",\"-D\"]},"
	    "\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
	    "{\"created_by\":\"|1 GH_TOKEN=ghp_planted /bin/sh -c yum -y update\"},"
	    "{\"created_by\":\"RUN /bin/sh -c apt-get install -y --allow-unauthenticated x # buildkit\"},"
	    "{\"created_by\":\"RUN /bin/sh -c wget -qO- https://x.test/i | sudo bash # buildkit\"},"
	    "{\"created_by\":\"ADD app.tar /app # buildkit\"}]}",
	    5, &l);
	static const char *const failing[] = { "SW-CFG-001", "SW-CFG-006", "SW-CFG-007", "SW-CFG-009", "SW-CFG-010",
					       "SW-CFG-011", "SW-CFG-101", "SW-CFG-507", "SW-CFG-508" };
	for (size_t i = 0; i < sizeof(failing) / sizeof(failing[0]); i++)
		if (find(&l, failing[i])->status != SW_CHECK_FAIL)
			fail_msg("%s: %s", failing[i], sw_check_status_name(find(&l, failing[i])->status));
	assert_int_equal(find(&l, "SW-CFG-102")->status, SW_CHECK_INFO);   /* older than 365 days */
	const struct sw_check_result *up = find(&l, "SW-CFG-007");
	assert_int_equal(up->evidence.len, 1);
	const struct sw_check_evidence *e = up->evidence.items[0];
	assert_int_equal(e->layer, 1);
	assert_int_equal(e->history, 1);
	/* the planted token never appears; the name does */
	const struct sw_check_result *sec = find(&l, "SW-CFG-010");
	for (size_t i = 0; i < sec->evidence.len; i++) {
		e = sec->evidence.items[i];
		assert_null(strstr(e->detail ? e->detail : "", "ghp_planted"));
		assert_null(strstr(e->created_by ? e->created_by : "", "ghp_planted"));
	}
	assert_non_null(strstr(((const struct sw_check_evidence *)sec->evidence.items[0])->detail, "GH_TOKEN=****"));
	assert_int_equal(find(&l, "SW-CFG-009")->severity, SW_SEV_LOW);   /* local ADD */
	sw_check_list_release(&l);
}

static void test_named_user_and_remote_add(void **state)
{
	(void)state;
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	run("{\"config\":{\"User\":\"app\"},\"history\":[{\"created_by\":\"ADD https://x.test/a /a # buildkit\"}]}",
	    1, &l);
	assert_int_equal(find(&l, "SW-CFG-001")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-009")->status, SW_CHECK_FAIL);
	assert_int_equal(find(&l, "SW-CFG-009")->severity, SW_SEV_HIGH);
	assert_int_equal(find(&l, "SW-CFG-102")->status, SW_CHECK_INFO);   /* no created */
	sw_check_list_release(&l);
}

static void test_bad_input(void **state)
{
	(void)state;
	static const char *const docs[] = {
		"not json", "[]", "{}", "{\"config\":5,\"history\":{}}",
		"{\"config\":{\"User\":7,\"Env\":\"x\",\"Labels\":[],\"ExposedPorts\":[],\"Healthcheck\":1,\"Cmd\":3}}",
		"{\"history\":[1,null,{\"created_by\":5},{\"empty_layer\":\"yes\",\"created_by\":\"RUN apt-get update\"}]}",
		"{\"created\":\"yesterday\",\"config\":{\"ExposedPorts\":{\"abc\":{},\"99999/tcp\":{}}}}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct sw_check_list l = SW_CHECK_LIST_INIT;
		run(docs[i], 2, &l);
		sw_check_list_release(&l);
	}
	/* no history: the history checks are info, never pass */
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	run("{\"config\":{\"User\":\"1000\"}}", 1, &l);
	assert_int_equal(find(&l, "SW-CFG-007")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-009")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-011")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-001")->status, SW_CHECK_PASS);
	assert_int_equal(find(&l, "SW-CFG-010")->status, SW_CHECK_INFO);   /* build args unseen */
	assert_true(l.notes.len >= 1);
	sw_check_list_release(&l);
	/* history longer than the layers: a note, no layer index in evidence */
	run("{\"history\":[{\"created_by\":\"RUN apk update\"},{\"created_by\":\"RUN x\"}]}", 1, &l);
	const struct sw_check_result *up = find(&l, "SW-CFG-007");
	assert_int_equal(up->status, SW_CHECK_FAIL);
	assert_int_equal(((const struct sw_check_evidence *)up->evidence.items[0])->layer, -1);
	assert_int_equal(l.notes.len, 1);
	sw_check_list_release(&l);
	/* not JSON: every decidable check info */
	run("{", 1, &l);
	assert_int_equal(find(&l, "SW-CFG-001")->status, SW_CHECK_INFO);
	assert_int_equal(find(&l, "SW-CFG-010")->status, SW_CHECK_INFO);
	sw_check_list_release(&l);
}

/* SW-CFG-106 for a base name from the manifest (name != NULL) or the label */
static enum sw_check_status base_status(const char *name, const char *digest, const char *label, size_t *nnotes,
					const char **key)
{
	char *json = sw_xasprintf("{\"config\":{\"Labels\":{%s%s%s}},\"history\":[]}", label ? "\"org.opencontainers.image.base.name\":\"" : "",
				  label ? label : "", label ? "\"" : "");
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	struct sw_checks_opts o = { .now = 1700000000, .base_name = name, .base_digest = digest };
	assert_int_equal(sw_checks_run_config(json, strlen(json), 0, &o, &l, &err), 0);
	free(json);
	const struct sw_check_result *r = find(&l, "SW-CFG-106");
	enum sw_check_status s = r->status;
	static char keybuf[128];
	keybuf[0] = '\0';
	if (r->evidence.len)
		snprintf(keybuf, sizeof(keybuf), "%s", ((const struct sw_check_evidence *)r->evidence.items[0])->config_key);
	*key = keybuf;
	*nnotes = l.notes.len;
	sw_check_list_release(&l);
	return s;
}

static void test_base_image(void **state)
{
	(void)state;
	size_t nn;
	const char *key;
	static const struct {
		const char *name;
		enum sw_check_status want;
	} cases[] = {
		{ "debian:latest", SW_CHECK_FAIL },
		{ "debian", SW_CHECK_FAIL },
		{ "docker.io/library/debian", SW_CHECK_FAIL },
		{ "localhost:5000/base", SW_CHECK_FAIL },       /* the port is not a tag */
		{ "localhost:5000/team/base:latest", SW_CHECK_FAIL },
		{ "debian:12", SW_CHECK_PASS },
		{ "localhost:5000/base:1.2", SW_CHECK_PASS },
		{ "debian@sha256:0123", SW_CHECK_PASS },         /* pinned, whatever the tag */
		{ "debian:latest@sha256:0123", SW_CHECK_PASS },
		{ "", SW_CHECK_INFO },
		{ "debian:", SW_CHECK_INFO },
		{ "/debian", SW_CHECK_INFO },
		{ "a//b", SW_CHECK_INFO },
		{ "debian@", SW_CHECK_INFO },
		{ "debian@sha256:", SW_CHECK_INFO },
		{ "deb ian:latest", SW_CHECK_INFO },
		{ "debian:latest\n", SW_CHECK_INFO },
		{ "a@b@sha256:1", SW_CHECK_INFO },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sw_check_status s = base_status(cases[i].name, NULL, NULL, &nn, &key);
		if (s != cases[i].want)
			fail_msg("'%s': %s", cases[i].name, sw_check_status_name(s));
		assert_string_equal(key, "manifest.annotations org.opencontainers.image.base.name");
	}
	/* no annotation, no label: info, never a silent pass */
	assert_int_equal(base_status(NULL, NULL, NULL, &nn, &key), SW_CHECK_INFO);
	assert_string_equal(key, "");
	/* the label when the manifest has none */
	assert_int_equal(base_status(NULL, NULL, "alpine:latest", &nn, &key), SW_CHECK_FAIL);
	assert_string_equal(key, "config.Labels org.opencontainers.image.base.name");
	/* the manifest wins; a label that differs is a note */
	assert_int_equal(base_status("alpine:3.19", "sha256:00", "alpine:latest", &nn, &key), SW_CHECK_PASS);
	assert_string_equal(key, "manifest.annotations org.opencontainers.image.base.name");
	assert_true(nn >= 1);
	/* a config that is not JSON: the manifest's annotation still decides */
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	struct sw_checks_opts o = { .base_name = "debian" };
	assert_int_equal(sw_checks_run_config("{", 1, 1, &o, &l, &err), 0);
	assert_int_equal(find(&l, "SW-CFG-106")->status, SW_CHECK_FAIL);
	assert_int_equal(find(&l, "SW-CFG-001")->status, SW_CHECK_INFO);
	sw_check_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_named_user_and_remote_add),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_base_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
