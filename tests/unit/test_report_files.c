/* test_report_files.c - secret and malware findings (inventory->file_findings)
 * in every scan format (report/scan_files.c), from a hand-made inventory:
 * sections, layer and history line, masked match, "removed in layer N (still
 * in the image)", the HTML grouped per layer, suppressed findings hidden where
 * the format hides them, control bytes of a path cleaned in the table, the
 * JSON valid against docs/stowaway-scan.schema.json, and "not checked" for a
 * scanner that did not run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/filescan_pass.h"
#include "inventory/inventory.h"
#include "match/match.h"
#include "report/report.h"
#include "sw_test.h"
#include "util/mem.h"

static struct sw_file_finding *ff(const char *scanner, const char *rule, const char *path, int layer,
				  int removed_in, unsigned line, const char *match)
{
	struct sw_file_finding *f = sw_file_finding_new(scanner);
	f->rule_id = sw_xstrdup(rule);
	f->title = sw_xasprintf("title of %s", rule);
	f->category = strcmp(scanner, "secret") == 0 ? sw_xstrdup("AWS") : NULL;
	f->severity = strcmp(scanner, "secret") == 0 ? SW_SEV_HIGH : SW_SEV_CRITICAL;
	f->path = path ? sw_xstrdup(path) : NULL;
	f->layer = layer;
	f->removed_in = removed_in;
	f->line = line;
	f->match = match ? sw_xstrdup(match) : NULL;
	return f;
}

static struct sw_inventory *inventory(void)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->transport = sw_xstrdup("docker-archive");
	inv->reference = sw_xstrdup("img.tar");
	static const char *const by[] = { "COPY app /app", "RUN rm /app/.env", "RUN make" };
	for (int i = 0; i < 3; i++) {
		struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
		l->index = i;
		l->diff_id = sw_xasprintf("sha256:%064d", i);
		l->created_by = sw_xstrdup(by[i]);
		sw_vec_push(&inv->layers, l);
	}
	sw_vec_push(&inv->file_findings, ff("secret", "aws-access-key-id", "app/.env", 0, 1, 3, "AKIA****"));
	sw_vec_push(&inv->file_findings, ff("secret", "github-pat", "srv/\x1b[31mx.txt", 2, -1, 1, "ghp_****"));
	struct sw_file_finding *s = ff("secret", "generic-password", "etc/app.conf", 2, -1, 7, "pa****");
	s->suppressed = sw_xstrdup("ignore file: .stowawayignore line 1");
	sw_vec_push(&inv->file_findings, s);
	struct sw_file_finding *c = ff("secret", "aws-secret-key", NULL, -1, -1, 0, "wJal****");
	c->detail = sw_xstrdup("config.Env");
	sw_vec_push(&inv->file_findings, c);
	struct sw_file_finding *m = ff("malware", "Eicar.Test.UNOFFICIAL", "opt/a.zip!eicar.com", 0, -1, 0, NULL);
	m->detail = sw_xstrdup("archive member eicar.com");
	sw_vec_push(&inv->file_findings, m);
	sw_fs_sort(&inv->file_findings);   /* as the layer pass leaves them */
	return inv;
}

static char *render(const struct sw_inventory *inv, enum sw_report_format f, const struct sw_report_scanner *sc,
		    size_t nsc, bool show)
{
	struct sw_match_result res;
	memset(&res, 0, sizeof(res));
	char *data = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&data, &len);
	assert_non_null(fp);
	struct sw_report_opts o = { .now = 1700000000, .tool_version = "0.1.0-test", .scanners = sc,
				    .nscanners = nsc, .show_suppressed = show };
	struct sw_err err = SW_ERR_INIT;
	int r = sw_report_scan(fp, f, inv, &res, &o, &err);
	if (r)
		fprintf(stderr, "report: %s\n", err.msg);
	assert_int_equal(r, 0);
	fclose(fp);
	return data;
}

static const struct sw_report_scanner ran[] = {
	{ "vuln", false, false, NULL }, { "config", false, false, NULL },
	{ "secret", true, true, NULL }, { "malware", true, true, NULL },
};

static void test_table(void **state)
{
	(void)state;
	struct sw_inventory *inv = inventory();
	char *t = render(inv, SW_FMT_TABLE, ran, 4, false);
	assert_non_null(strstr(t, "\nSecrets\n"));
	assert_non_null(strstr(t, "\nMalware\n"));
	assert_non_null(strstr(t, "aws-access-key-id  /app/.env:3  layer 0, removed in layer 1 (still in the image)"));
	assert_non_null(strstr(t, "match: AKIA****"));
	assert_non_null(strstr(t, "COPY app /app"));
	assert_non_null(strstr(t, "/opt/a.zip!eicar.com  layer 0"));
	assert_non_null(strstr(t, "archive member eicar.com"));
	assert_non_null(strstr(t, "config.Env  image config"));
	assert_null(strstr(t, "\x1b"));                       /* the path's escape is cleaned */
	assert_null(strstr(t, "generic-password"));           /* suppressed: hidden */
	assert_non_null(strstr(t, "(1 suppressed; --show-suppressed to list)"));
	free(t);
	t = render(inv, SW_FMT_TABLE, ran, 4, true);
	assert_non_null(strstr(t, "generic-password"));
	assert_non_null(strstr(t, "suppressed: ignore file: .stowawayignore line 1"));
	free(t);
	sw_inventory_free(inv);
}

static void test_html_per_layer(void **state)
{
	(void)state;
	struct sw_inventory *inv = inventory();
	char *h = render(inv, SW_FMT_HTML, ran, 4, false);
	const char *sec = strstr(h, "<h2 id=\"secret\">Secrets</h2>");
	assert_non_null(sec);
	const char *mal = strstr(h, "<h2 id=\"malware\">Malware</h2>");
	assert_non_null(mal);
	/* secrets: the config first (sorted by layer: -1), then layer 0, then layer 2 */
	const char *cfg = strstr(sec, "<h3>Image config</h3>"), *l0 = strstr(sec, "<h3>Layer 0</h3>"),
		   *l2 = strstr(sec, "<h3>Layer 2</h3>");
	assert_true(cfg && l0 && l2 && cfg < l0 && l0 < l2 && l2 < mal);
	assert_non_null(strstr(l0, "<code>COPY app /app</code>"));
	assert_non_null(strstr(l0, "removed in layer 1 (still in the image)"));
	assert_non_null(strstr(h, "<code>AKIA****</code>"));
	assert_null(strstr(h, "\x1b"));
	free(h);
	sw_inventory_free(inv);
}

static void test_machine_formats(void **state)
{
	(void)state;
	struct sw_inventory *inv = inventory();
	/* JSON: every finding (suppressed kept), valid against our schema */
	char *j = render(inv, SW_FMT_JSON, ran, 4, false);
	json_t *doc = json_loads(j, 0, NULL);
	assert_non_null(doc);
	json_t *secrets = json_object_get(doc, "secrets"), *malware = json_object_get(doc, "malware");
	assert_int_equal(json_array_size(secrets), 4);
	assert_int_equal(json_array_size(malware), 1);
	json_t *first = json_array_get(secrets, 1);   /* after the config's */
	assert_string_equal(json_string_value(json_object_get(first, "ruleId")), "aws-access-key-id");
	assert_int_equal(json_integer_value(json_object_get(first, "removedIn")), 1);
	assert_true(json_is_false(json_object_get(first, "inFinalFilesystem")));
	assert_string_equal(json_string_value(json_object_get(first, "createdBy")), "COPY app /app");
	json_decref(doc);
	char *dir = sw_test_tmpdir();
	char *path = sw_xasprintf("%s/out.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(j, f);
	fclose(f);
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	char *cmd = sw_xasprintf("/usr/bin/python3 '%s/tests/tools/validate-schema.py' '%s/docs/stowaway-scan.schema.json' '%s'",
				 src, src, path);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	free(j);
	/* SARIF: suppressed hidden by default; the rest are results with their rules */
	char *s = render(inv, SW_FMT_SARIF, ran, 4, false);
	doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 4);
	json_t *r0 = json_array_get(results, 1);
	assert_string_equal(json_string_value(json_object_get(r0, "ruleId")), "secret/aws-access-key-id");
	assert_non_null(strstr(s, "removed in layer 1 (still in the image)"));
	json_decref(doc);
	free(s);
	/* JUnit: a failure per unsuppressed finding */
	char *x = render(inv, SW_FMT_JUNIT, ran, 4, false);
	assert_non_null(strstr(x, "<testsuite name=\"secrets\" tests=\"3\" failures=\"3\""));
	assert_non_null(strstr(x, "<testsuite name=\"malware\" tests=\"1\" failures=\"1\""));
	free(x);
	/* CycloneDX and SPDX carry them as properties / comment lines */
	char *c = render(inv, SW_FMT_CYCLONEDX, ran, 4, false);
	assert_non_null(strstr(c, "\"stowaway:malware\""));
	assert_non_null(strstr(c, "AKIA****"));
	free(c);
	char *p = render(inv, SW_FMT_SPDX_JSON, ran, 4, false);
	assert_non_null(strstr(p, "malware: critical Eicar.Test.UNOFFICIAL /opt/a.zip!eicar.com (layer 0)"));
	free(p);
	char *rm = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(rm);
	free(rm);
	free(path);
	free(dir);
	sw_inventory_free(inv);
}

static void test_not_checked(void **state)
{
	(void)state;
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	static const struct sw_report_scanner notrun[] = {
		{ "vuln", false, false, NULL }, { "config", false, false, NULL },
		{ "secret", false, false, NULL },
		{ "malware", true, false, "not checked (no ClamAV database in /nowhere)" },
	};
	static const enum sw_report_format fmts[] = { SW_FMT_TABLE, SW_FMT_JSON, SW_FMT_SARIF, SW_FMT_HTML,
						     SW_FMT_JUNIT, SW_FMT_CYCLONEDX, SW_FMT_SPDX_JSON };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *o = render(inv, fmts[i], notrun, 4, false);
		if (!strstr(o, "not checked (no ClamAV database in /nowhere)"))
			fprintf(stderr, "format %s does not say not checked\n", sw_report_format_name(fmts[i]));
		assert_non_null(strstr(o, "not checked (no ClamAV database in /nowhere)"));
		assert_null(strstr(o, "Secrets"));   /* not asked for: no section */
		if (fmts[i] == SW_FMT_JSON) {
			json_t *doc = json_loads(o, 0, NULL);
			assert_true(json_is_false(json_object_get(doc, "complete")));
			json_decref(doc);
		}
		free(o);
	}
	sw_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_html_per_layer),
		cmocka_unit_test(test_machine_formats),
		cmocka_unit_test(test_not_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
