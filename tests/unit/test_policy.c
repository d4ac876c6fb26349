/* test_policy.c - policy bundles (src/policy/): the strict reader on bad
 * input, every gate/trigger/param firing and not on a fixture built here
 * (plain data: an inventory, findings, checks and a config written by
 * hand), allowlist expiry on both sides of the date, mapping order, image
 * allow/deny lists, v1 and v2 namings, and Anchore Engine's default bundle
 * from ../shared/data with the final action worked out by hand from its
 * text.  Expected counts come from what the fixture plants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sw_test.h"
#include "inventory/fsfacts.h"
#include "inventory/inventory.h"
#include "model/filefinding.h"
#include "policy/policy.h"
#include "util/buf.h"
#include "util/mem.h"

#define NOW 1735689600LL /* 2025-01-01T00:00:00Z */
#define DAY 86400LL

/* ---- the fixture -------------------------------------------------------- */

struct fixture {
	struct sw_inventory *inv;
	struct sw_match_result *m;
	struct sw_check_list checks;
	struct sw_policy_input in;
};

static const char *config_json =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-12-01T00:00:00Z\","
	"\"config\":{\"User\":\"\",\"ExposedPorts\":{\"22/tcp\":{},\"8080/tcp\":{}}},"
	"\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in / \"},"
	"{\"created_by\":\"RUN /bin/sh -c apt-get update # buildkit\"},"
	"{\"created_by\":\"/bin/sh -c #(nop)  EXPOSE 22/tcp\",\"empty_layer\":true}]}";

static struct sw_package *pkg(struct sw_inventory *inv, const char *type, const char *name, const char *ver,
			      const char *path, const char *lic)
{
	struct sw_package *p = sw_package_new(type);
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup(ver);
	p->path = sw_xstrdup(path);
	if (lic)
		sw_vec_push_strdup(&p->licenses, lic);
	sw_vec_push(&inv->packages, p);
	return p;
}

static struct sw_finding *finding(struct sw_match_result *m, const char *id, size_t pk, enum sw_severity_level sev,
				  const char *fixed, enum sw_vuln_status st, const char *src, double cvss,
				  const char *vec, const char *published)
{
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->id = sw_xstrdup(id);
	sw_vec_push_strdup(&f->ids, id);
	f->pkg = pk;
	f->severity = sev;
	f->fixed = sw_xstrdup(fixed);
	f->status = st;
	f->severity_source = sw_xstrdup(src);
	f->cvss_score = cvss;
	f->cvss_vector = sw_xstrdup(vec);
	f->published = sw_xstrdup(published);
	f->epss = f->epss_percentile = -1;
	sw_vec_push(&m->findings, f);
	return f;
}

static void check(struct sw_check_list *cl, const char *id, const char *cis, enum sw_check_status st,
		  enum sw_severity_level sev)
{
	struct sw_check_result *c = sw_xcalloc(1, sizeof(*c));
	c->id = id;
	c->cis = cis;
	c->title = "a check";
	c->status = st;
	c->severity = sev;
	sw_vec_push(&cl->results, c);
}

static void fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	fx->inv = inv;
	inv->config_digest = sw_xstrdup("sha256:0123456789abcdef");
	inv->architecture = sw_xstrdup("amd64");
	inv->image_os = sw_xstrdup("linux");
	inv->os.id = sw_xstrdup("debian");
	inv->os.version_id = sw_xstrdup("12");
	sw_vec_push_strdup(&inv->repo_tags, "app:1.0");
	for (int i = 0; i < 2; i++) {
		struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
		l->index = i;
		l->size = i ? 2000 : 1000;
		sw_vec_push(&inv->layers, l);
	}
	pkg(inv, "deb", "libssl3", "3.0.11-1", "var/lib/dpkg/status", "OpenSSL");
	pkg(inv, "deb", "openssl", "3.0.11-1", "var/lib/dpkg/status", NULL);
	pkg(inv, "pypi", "idna", "3.4", "usr/local/lib/python3.11/dist-packages/idna-3.4.dist-info/METADATA",
	    "BSD-3-Clause");
	pkg(inv, "npm", "left-pad", "1.3.0", "app/node_modules/left-pad/package.json", "WTFPL");

	struct sw_match_result *m = sw_xcalloc(1, sizeof(*m));
	fx->m = m;
	m->os_covered = true;
	m->os_ecosystem = sw_xstrdup("Debian:12");
	const char *v_a = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"; /* 7.5: expl 3.9, impact 3.6 */
	const char *v_c = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"; /* 9.8: expl 3.9, impact 5.9 */
	/* F1: vendor score, fixed, KEV, EPSS high, published 366 days ago */
	struct sw_finding *f1 = finding(m, "CVE-2024-1001", 0, SW_SEV_HIGH, "3.0.13-1", SW_ST_FIXED, "debian", 7.5,
					v_a, "2024-01-01T00:00:00Z");
	f1->kev = true;
	f1->kev_date_added = sw_xstrdup("2024-05-20");
	f1->epss = 0.9;
	f1->epss_percentile = 0.99;
	/* F2: medium, no fix; F3: low, the vendor will not fix */
	finding(m, "CVE-2024-1003", 1, SW_SEV_MEDIUM, NULL, SW_ST_AFFECTED, "debian", -1, NULL, NULL);
	finding(m, "CVE-2024-1004", 1, SW_SEV_LOW, NULL, SW_ST_WILL_NOT_FIX, "debian", -1, NULL, NULL);
	/* F4: NVD score, fixed, EPSS low */
	struct sw_finding *f4 = finding(m, "CVE-2024-3651", 2, SW_SEV_HIGH, "3.7", SW_ST_FIXED, "nvd", 7.5, v_a,
					"2024-04-01T00:00:00Z");
	f4->epss = 0.00123;
	f4->epss_percentile = 0.51;
	/* F5: critical, no fix, NVD, an alias */
	struct sw_finding *f5 = finding(m, "CVE-2020-9999", 3, SW_SEV_CRITICAL, NULL, SW_ST_AFFECTED, "nvd", 9.8,
					v_c, "2020-01-01T00:00:00Z");
	sw_vec_push_strdup(&f5->ids, "GHSA-crit-crit-crit");
	/* F6: suppressed (the ignore file): no gate sees it */
	struct sw_finding *f6 = finding(m, "CVE-2024-5555", 3, SW_SEV_CRITICAL, "2.0", SW_ST_FIXED, "nvd", 9.8,
					v_c, "2020-01-01T00:00:00Z");
	f6->suppressed = sw_xstrdup("ignore file");
	f6->kev = true;

	check(&fx->checks, "SW-CFG-001", "4.1", SW_CHECK_FAIL, SW_SEV_HIGH);
	check(&fx->checks, "SW-CFG-006", "4.6", SW_CHECK_FAIL, SW_SEV_LOW);
	check(&fx->checks, "SW-CFG-010", "4.10", SW_CHECK_PASS, SW_SEV_HIGH);

	fx->in = (struct sw_policy_input){
		.inv = inv, .match = m, .vuln_ran = true, .db_built_at = NOW - 3 * DAY,
		.checks = &fx->checks, .checks_ran = true,
		.config_json = config_json, .config_len = strlen(config_json), .now = NOW,
	};
}

static void fixture_release(struct fixture *fx)
{
	sw_inventory_free(fx->inv);
	sw_match_result_free(fx->m);
	for (size_t i = 0; i < fx->checks.results.len; i++)
		free(fx->checks.results.items[i]);
	sw_vec_release(&fx->checks.results);
}

/* ---- helpers ------------------------------------------------------------ */

/* A bundle with one rule: gate, trigger, params as a JSON array text. */
static char *one_rule(const char *gate, const char *trigger, const char *params, const char *action)
{
	return sw_xasprintf(
		"{\"id\":\"b\",\"version\":\"1_0\",\"policies\":[{\"id\":\"p\",\"rules\":[{\"id\":\"r1\","
		"\"gate\":\"%s\",\"trigger\":\"%s\",\"action\":\"%s\",\"params\":%s}]}],"
		"\"mappings\":[{\"id\":\"m\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\","
		"\"value\":\"*\"},\"policy_id\":\"p\"}]}",
		gate, trigger, action ? action : "STOP", params ? params : "[]");
}

static struct sw_policy_result *eval_text(const char *text, const struct sw_policy_input *in)
{
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_policy_bundle_load("t.json", text, strlen(text), &b, &err) < 0)
		fail_msg("bundle did not load: %s\n%s", err.msg, text);
	struct sw_policy_result *r = NULL;
	assert_int_equal(sw_policy_eval(b, in, &r, &err), 0);
	sw_policy_bundle_free(b);
	return r;
}

/* Evaluate one rule on the fixture; the number of hits that evaluated
 * (-1: the rule said "not evaluated"). */
static long fired(const struct sw_policy_input *in, const char *gate, const char *trigger, const char *params)
{
	char *t = one_rule(gate, trigger, params, NULL);
	struct sw_policy_result *r = eval_text(t, in);
	long n = 0;
	for (size_t i = 0; i < r->hits.len; i++) {
		const struct sw_policy_hit *h = r->hits.items[i];
		if (h->not_evaluated)
			n = -1;
		else if (n >= 0)
			n++;
	}
	if (n > 0)
		assert_int_equal(r->final_action, SW_POLICY_STOP);
	sw_policy_result_free(r);
	free(t);
	return n;
}

#define FIRES(n, gate, trigger, params)                                                                   \
	do {                                                                                              \
		long got_ = fired(&fx.in, gate, trigger, params);                                         \
		if (got_ != (n))                                                                          \
			fail_msg("%s.%s %s: %ld hits, expected %ld", gate, trigger, params, got_, (long)(n)); \
	} while (0)

/* ---- bad input ---------------------------------------------------------- */

static void bad(const char *text, const char *want)
{
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_policy_bundle_load("bad.json", text, strlen(text), &b, &err);
	if (rc >= 0) {
		sw_policy_bundle_free(b);
		fail_msg("loaded, expected an error with '%s':\n%s", want, text);
	}
	if (!strstr(err.msg, want) || !strstr(err.msg, "bad.json"))
		fail_msg("error '%s' lacks '%s' (or the file name)", err.msg, want);
	if (strchr(err.msg, '\n'))
		fail_msg("error is more than one line: '%s'", err.msg);
}

static void bad_rule(const char *gate, const char *trigger, const char *params, const char *want)
{
	char *t = one_rule(gate, trigger, params, NULL);
	bad(t, want);
	free(t);
}

static void test_bad_input(void **state)
{
	(void)state;
	bad("", "empty bundle");
	bad("{\"id\": ", "line 1");
	bad("id: [\n  - a\n  b: c\n", "bad yaml");
	bad("a: &x 1\nb: *x\n", "aliases");
	bad("{\"id\":\"b\",\"version\":\"3_0\",\"mappings\":[]}", "unknown bundle version '3_0'");
	bad("{\"id\":\"b\",\"mappings\":[]}", "no mappings");
	bad("{\"id\":\"b\",\"bogus\":1}", "unknown member 'bogus'");
	bad("{\"id\":\"b\",\"policies\":[],\"rule_sets\":[]}", "both 'policies' and 'rule_sets'");
	bad("{\"id\":\"b\",\"id\":\"c\"}", "duplicate");
	bad("{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":[]},{\"id\":\"p\",\"rules\":[]}]}",
	    "duplicate rule set id 'p'");
	bad("{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":["
	    "{\"id\":\"r\",\"gate\":\"always\",\"trigger\":\"always\",\"action\":\"GO\",\"params\":[]},"
	    "{\"id\":\"r\",\"gate\":\"always\",\"trigger\":\"always\",\"action\":\"GO\",\"params\":[]}]}]}",
	    "duplicate rule id 'r'");
	bad("{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":[]}],\"mappings\":[{\"id\":\"m\",\"registry\":\"*\","
	    "\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"policy_id\":\"nope\"}]}",
	    "mapping 'm' names rule set 'nope'");
	bad("{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":[]}],\"mappings\":[{\"id\":\"m\",\"registry\":\"*\","
	    "\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"rule_set_ids\":[\"p\"],"
	    "\"allowlist_ids\":[\"w\"]}]}",
	    "names allowlist 'w'");
	bad("{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":[]}],\"mappings\":[{\"id\":\"m\",\"registry\":\"*\","
	    "\"repository\":\"*\",\"image\":{\"type\":\"sha\",\"value\":\"*\"},\"policy_id\":\"p\"}]}",
	    "image type 'sha'");
	bad("{\"id\":\"b\",\"whitelists\":[{\"id\":\"w\",\"items\":[{\"id\":\"i\",\"gate\":\"vulnerabilities\","
	    "\"trigger_id\":\"CVE-1+x\",\"expires_on\":\"2024-13-01\"}]}]}",
	    "item 'i': expires_on '2024-13-01' is not a date");
	bad("{\"id\":\"b\",\"whitelists\":[{\"id\":\"w\",\"items\":[{\"id\":\"i\",\"gate\":\"vulnerabilities\","
	    "\"trigger_id\":\"a\"},{\"id\":\"i\",\"gate\":\"vulnerabilities\",\"trigger_id\":\"b\"}]}]}",
	    "duplicate item id 'i'");
	bad("{\"id\":\"b\",\"whitelists\":[{\"id\":\"w\",\"items\":[{\"id\":\"i\",\"gate\":\"nogate\","
	    "\"trigger_id\":\"a\"}]}]}",
	    "unknown gate 'nogate'");
	bad_rule("nogate", "x", NULL, "rule 'r1': unknown gate 'nogate'");
	bad_rule("vulnerabilities", "nope", NULL, "rule 'r1': unknown trigger 'nope' for gate 'vulnerabilities'");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"colour\",\"value\":\"x\"}]",
		 "rule 'r1' (vulnerabilities.package): unknown param 'colour'");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"some\"}]",
		 "rule 'r1' (vulnerabilities.package): param 'package_type': bad value 'some'");
	bad_rule("vulnerabilities", "package", "[]", "required param 'package_type' is missing");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"severity\",\"value\":\"urgent\"}]",
		 "param 'severity': bad value 'urgent'");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"severity_comparison\",\"value\":\"=>\"},{\"name\":\"severity\",\"value\":\"high\"}]",
		 "param 'severity_comparison': bad value '=>'");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"fix_available\",\"value\":\"yes\"}]",
		 "param 'fix_available': bad value 'yes': expected true or false");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"max_days_since_creation\",\"value\":\"-3\"}]",
		 "param 'max_days_since_creation': bad value '-3'");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"cvss_v3_base_score\",\"value\":\"11\"}]",
		 "param 'cvss_v3_base_score': a CVSS score is between 0 and 10");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"package_path_exclude\",\"value\":\"(unclosed\"}]",
		 "param 'package_path_exclude': bad value '(unclosed': regex does not compile");
	bad_rule("vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"package_type\",\"value\":\"os\"}]",
		 "param 'package_type' given twice");
	bad_rule("vulnerabilities", "stale_feed_data", "[{\"name\":\"max_days_since_sync\",\"value\":\"two\"}]",
		 "param 'max_days_since_sync': bad value 'two'");
	bad_rule("vulnerabilities", "epss", "[]", "give score or percentile");
	bad_rule("vulnerabilities", "epss", "[{\"name\":\"score\",\"value\":\"5\"}]", "param 'score': must be between 0 and 1");
	bad_rule("dockerfile", "instruction", "[{\"name\":\"instruction\",\"value\":\"RUN\"},{\"name\":\"check\",\"value\":\"=\"}]",
		 "param 'value': check '=' needs a value");
	bad_rule("dockerfile", "instruction", "[{\"name\":\"instruction\",\"value\":\"RUN\"},{\"name\":\"check\",\"value\":\"like\"},{\"name\":\"value\",\"value\":\"a[\"}]",
		 "param 'value': regex does not compile");
	bad_rule("dockerfile", "instruction", "[{\"name\":\"instruction\",\"value\":\"JUMP\"},{\"name\":\"check\",\"value\":\"exists\"}]",
		 "param 'instruction': bad value 'JUMP'");
	bad_rule("dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"22,ssh\"},{\"name\":\"type\",\"value\":\"denylist\"}]",
		 "param 'ports': bad value '22,ssh': 'ssh' is not a whole number");
	bad_rule("dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"root,,x\"},{\"name\":\"type\",\"value\":\"denylist\"}]",
		 "param 'users': bad value 'root,,x': empty item");
	bad_rule("metadata", "attribute", "[{\"name\":\"attribute\",\"value\":\"size\"},{\"name\":\"check\",\"value\":\">\"},{\"name\":\"value\",\"value\":\"big\"}]",
		 "param 'value': size needs a size");
	bad_rule("metadata", "attribute", "[{\"name\":\"attribute\",\"value\":\"distro\"},{\"name\":\"check\",\"value\":\">\"},{\"name\":\"value\",\"value\":\"a\"}]",
		 "param 'check': '>' compares numbers");
	bad_rule("files", "attribute_match", "[{\"name\":\"filename\",\"value\":\"/etc/x\"},{\"name\":\"mode\",\"value\":\"0999\"}]",
		 "param 'mode': expected an octal mode");
	bad_rule("files", "name_match", "[{\"name\":\"regex\",\"value\":\"*.pem\"}]", "param 'regex': bad value '*.pem'");
	bad_rule("passwd_file", "blacklist_userids", "[{\"name\":\"user_ids\",\"value\":\"0,x\"}]", "param 'user_ids'");
	bad_rule("secret_scans", "content_regex_checks", "[{\"name\":\"match_type\",\"value\":\"maybe\"}]", "param 'match_type'");
	/* an action that is not STOP/WARN/GO */
	char *t = one_rule("always", "always", "[]", "HALT");
	bad(t, "rule 'r1': action 'HALT' is not STOP, WARN or GO");
	free(t);
}

/* a catastrophic pattern compiles, is bounded at match time */
static void test_regex_bounded(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	struct sw_package *p = fx.inv->packages.items[3];
	free(p->path);
	p->path = sw_xstrdup("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
	/* (a+)+$ on a long run of a's then '!' backtracks exponentially: the
	 * match limit makes it fail (not excluded) in bounded time */
	FIRES(4, "vulnerabilities", "package",
	      "[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"package_path_exclude\",\"value\":\"(a+)+$\"}]");
	fixture_release(&fx);
}

/* ---- every gate, trigger and param -------------------------------------- */

#define PT_ALL "{\"name\":\"package_type\",\"value\":\"all\"}"

static void test_vulnerabilities(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	/* package_type; vendor_only (default true) drops F3 (will not fix); F6 suppressed */
	FIRES(4, "vulnerabilities", "package", "[" PT_ALL "]");
	FIRES(2, "vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"os\"}]");
	FIRES(2, "vulnerabilities", "package", "[{\"name\":\"package_type\",\"value\":\"non-os\"}]");
	FIRES(5, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_only\",\"value\":\"false\"}]");
	/* severity and its comparison (default '>') */
	FIRES(3, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\">\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\"=\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity\",\"value\":\"high\"}]");
	FIRES(3, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\"!=\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\"<=\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\"<\"},{\"name\":\"severity\",\"value\":\"medium\"}]");
	FIRES(3, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"severity_comparison\",\"value\":\">=\"},{\"name\":\"severity\",\"value\":\"high\"}]");
	/* fix_available */
	FIRES(2, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"fix_available\",\"value\":\"true\"}]");
	FIRES(2, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"fix_available\",\"value\":\"false\"}]");
	/* max_days_since_creation: F1 (366 days) and F5 (2020); F4 is 275 days old; F2 has no date */
	FIRES(2, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"max_days_since_creation\",\"value\":\"365\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"max_days_since_creation\",\"value\":\"5000\"}]");
	/* max_days_since_fix: the database has no fix dates */
	FIRES(-1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"max_days_since_fix\",\"value\":\"30\"}]");
	/* NVD CVSS v3: F4 (7.5) and F5 (9.8) are NVD-scored */
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_base_score_comparison\",\"value\":\">=\"},{\"name\":\"cvss_v3_base_score\",\"value\":\"9\"}]");
	FIRES(2, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_base_score\",\"value\":\"7\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_base_score\",\"value\":\"9.8\"}]");
	FIRES(2, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_exploitability_score_comparison\",\"value\":\"=\"},{\"name\":\"cvss_v3_exploitability_score\",\"value\":\"3.9\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_exploitability_score_comparison\",\"value\":\">\"},{\"name\":\"cvss_v3_exploitability_score\",\"value\":\"3.9\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_impact_score_comparison\",\"value\":\">\"},{\"name\":\"cvss_v3_impact_score\",\"value\":\"5\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_impact_score_comparison\",\"value\":\">\"},{\"name\":\"cvss_v3_impact_score\",\"value\":\"6\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"cvss_v3_impact_score_comparison\",\"value\":\"=\"},{\"name\":\"cvss_v3_impact_score\",\"value\":\"3.6\"}]");
	/* vendor CVSS v3: F1 (debian, 7.5) */
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_base_score_comparison\",\"value\":\">=\"},{\"name\":\"vendor_cvss_v3_base_score\",\"value\":\"7\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_base_score_comparison\",\"value\":\">=\"},{\"name\":\"vendor_cvss_v3_base_score\",\"value\":\"8\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_exploitability_score_comparison\",\"value\":\">=\"},{\"name\":\"vendor_cvss_v3_exploitability_score\",\"value\":\"3.9\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_exploitability_score_comparison\",\"value\":\"<\"},{\"name\":\"vendor_cvss_v3_exploitability_score\",\"value\":\"3.9\"}]");
	FIRES(1, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_impact_score_comparison\",\"value\":\"<\"},{\"name\":\"vendor_cvss_v3_impact_score\",\"value\":\"4\"}]");
	FIRES(0, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"vendor_cvss_v3_impact_score_comparison\",\"value\":\">\"},{\"name\":\"vendor_cvss_v3_impact_score\",\"value\":\"4\"}]");
	/* package_path_exclude (anchored, as Anchore's re.match) */
	FIRES(3, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"package_path_exclude\",\"value\":\"app/.*\"}]");
	FIRES(4, "vulnerabilities", "package", "[" PT_ALL ",{\"name\":\"package_path_exclude\",\"value\":\"node_modules\"}]");
	/* stale_feed_data: built 3 days ago */
	FIRES(1, "vulnerabilities", "stale_feed_data", "[{\"name\":\"max_days_since_sync\",\"value\":\"2\"}]");
	FIRES(0, "vulnerabilities", "stale_feed_data", "[{\"name\":\"max_days_since_sync\",\"value\":\"5\"}]");
	/* vulnerability_data_unavailable */
	FIRES(0, "vulnerabilities", "vulnerability_data_unavailable", "[]");
	fx.m->os_covered = false;
	FIRES(1, "vulnerabilities", "vulnerability_data_unavailable", "[]");
	fx.m->os_covered = true;
	/* denylist / blacklist, by id or alias; vendor_only */
	FIRES(1, "vulnerabilities", "denylist", "[{\"name\":\"vulnerability_ids\",\"value\":\"GHSA-crit-crit-crit\"}]");
	FIRES(2, "vulnerabilities", "blacklist", "[{\"name\":\"vulnerability_ids\",\"value\":\"CVE-2024-1001, CVE-2024-3651\"}]");
	FIRES(0, "vulnerabilities", "denylist", "[{\"name\":\"vulnerability_ids\",\"value\":\"CVE-2024-1004\"}]");
	FIRES(1, "vulnerabilities", "denylist", "[{\"name\":\"vulnerability_ids\",\"value\":\"CVE-2024-1004\"},{\"name\":\"vendor_only\",\"value\":\"false\"}]");
	FIRES(0, "vulnerabilities", "denylist", "[{\"name\":\"vulnerability_ids\",\"value\":\"CVE-2024-5555\"}]");
	/* kev (the suppressed F6 is in KEV too: not seen) */
	FIRES(1, "vulnerabilities", "kev", "[]");
	/* epss */
	FIRES(1, "vulnerabilities", "epss", "[{\"name\":\"score\",\"value\":\"0.5\"}]");
	FIRES(2, "vulnerabilities", "epss", "[{\"name\":\"percentile\",\"value\":\"0.5\"}]");
	FIRES(0, "vulnerabilities", "epss", "[{\"name\":\"percentile\",\"value\":\"0.999\"}]");
	FIRES(0, "vulnerabilities", "epss", "[{\"name\":\"score\",\"value\":\"0.95\"}]");
	((struct sw_finding *)fx.m->findings.items[0])->kev = false;
	FIRES(0, "vulnerabilities", "kev", "[]");
	((struct sw_finding *)fx.m->findings.items[0])->kev = true;
	/* no vulnerability scan: every trigger says so */
	fx.in.vuln_ran = false;
	FIRES(-1, "vulnerabilities", "package", "[" PT_ALL "]");
	FIRES(-1, "vulnerabilities", "kev", "[]");
	FIRES(-1, "vulnerabilities", "stale_feed_data", "[{\"name\":\"max_days_since_sync\",\"value\":\"2\"}]");
	fixture_release(&fx);
}

static void test_trigger_ids(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	char *t = one_rule("vulnerabilities", "package", "[" PT_ALL "]", "WARN");
	struct sw_policy_result *r = eval_text(t, &fx.in);
	/* Anchore's form: ID+package name (OS), ID+location (others) */
	const char *want[] = { "CVE-2024-1001+libssl3", "CVE-2024-1003+openssl",
			       "CVE-2024-3651+usr/local/lib/python3.11/dist-packages/idna-3.4.dist-info/METADATA",
			       "CVE-2020-9999+app/node_modules/left-pad/package.json" };
	assert_int_equal(r->hits.len, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(((struct sw_policy_hit *)r->hits.items[i])->trigger_id, want[i]);
	assert_int_equal(r->final_action, SW_POLICY_WARN);
	assert_string_equal(r->final_reason, "policy_evaluation");
	assert_string_equal(r->image_id, "0123456789abcdef");
	assert_string_equal(r->repo_tag, "docker.io/library/app:1.0");
	sw_policy_result_free(r);
	free(t);
	/* a trigger without an instance id: md5(gate + trigger + message), as
	 * Anchore: md5("alwaysalwaysalways") */
	t = one_rule("always", "always", "[]", "GO");
	r = eval_text(t, &fx.in);
	assert_string_equal(((struct sw_policy_hit *)r->hits.items[0])->trigger_id, "9658467b0c4f7bfe686d22db48c639cb");
	assert_int_equal(r->final_action, SW_POLICY_GO);
	sw_policy_result_free(r);
	free(t);
	fixture_release(&fx);
}

static void test_packages_licenses(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	FIRES(0, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"}]");
	FIRES(1, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"curl\"}]");
	FIRES(0, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.11-1\"}]");
	FIRES(1, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.12-1\"}]");
	FIRES(1, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.12-1\"},{\"name\":\"version_match_type\",\"value\":\"exact\"}]");
	FIRES(0, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.2-1\"},{\"name\":\"version_match_type\",\"value\":\"minimum\"}]");
	FIRES(1, "packages", "required_package", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.12-1\"},{\"name\":\"version_match_type\",\"value\":\"minimum\"}]");
	FIRES(2, "packages", "denylist", "[{\"name\":\"name\",\"value\":\"*ssl*\"}]");
	FIRES(1, "packages", "blacklist", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"3.0.11*\"}]");
	FIRES(0, "packages", "denylist", "[{\"name\":\"name\",\"value\":\"openssl\"},{\"name\":\"version\",\"value\":\"4*\"}]");
	FIRES(0, "packages", "denylist", "[{\"name\":\"name\",\"value\":\"curl\"}]");
	FIRES(-1, "packages", "verify", "[{\"name\":\"check\",\"value\":\"changed\"}]");
	FIRES(1, "licenses", "denylist_exact_match", "[{\"name\":\"licenses\",\"value\":\"WTFPL\"}]");
	FIRES(0, "licenses", "blacklist_exact_match", "[{\"name\":\"licenses\",\"value\":\"BSD\"}]");
	FIRES(1, "licenses", "blacklist_partial_match", "[{\"name\":\"licenses\",\"value\":\"BSD\"}]");
	FIRES(2, "licenses", "denylist_partial_match", "[{\"name\":\"licenses\",\"value\":\"BSD,SSL\"}]");
	FIRES(0, "licenses", "denylist_partial_match", "[{\"name\":\"licenses\",\"value\":\"GPL\"}]");
	fixture_release(&fx);
}

#define INSTR(ins, chk, val) "[{\"name\":\"instruction\",\"value\":\"" ins "\"},{\"name\":\"check\",\"value\":\"" chk "\"}" val "]"
#define VAL(v) ",{\"name\":\"value\",\"value\":\"" v "\"}"

static void test_dockerfile(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	FIRES(1, "dockerfile", "instruction", INSTR("HEALTHCHECK", "not_exists", ""));
	FIRES(0, "dockerfile", "instruction", INSTR("RUN", "not_exists", ""));
	FIRES(1, "dockerfile", "instruction", INSTR("RUN", "exists", ""));
	FIRES(0, "dockerfile", "instruction", INSTR("USER", "exists", ""));
	FIRES(1, "dockerfile", "instruction", INSTR("RUN", "=", VAL("apt-get update")));
	FIRES(0, "dockerfile", "instruction", INSTR("RUN", "!=", VAL("apt-get update")));
	FIRES(1, "dockerfile", "instruction", INSTR("RUN", "like", VAL("apt-get.*")));
	FIRES(0, "dockerfile", "instruction", INSTR("RUN", "like", VAL("update")));
	FIRES(1, "dockerfile", "instruction", INSTR("RUN", "not_like", VAL("update")));
	FIRES(1, "dockerfile", "instruction", INSTR("EXPOSE", "in", VAL("80, 22/tcp")));
	FIRES(0, "dockerfile", "instruction", INSTR("EXPOSE", "not_in", VAL("80,22/tcp")));
	FIRES(1, "dockerfile", "instruction", INSTR("ADD", "not_in", VAL("x")));
	FIRES(0, "dockerfile", "instruction",
	      INSTR("RUN", "exists", ",{\"name\":\"actual_dockerfile_only\",\"value\":\"true\"}"));
	FIRES(1, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"root\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(1, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"0\"},{\"name\":\"type\",\"value\":\"blacklist\"}]");
	FIRES(0, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"root\"},{\"name\":\"type\",\"value\":\"whitelist\"}]");
	FIRES(1, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"app\"},{\"name\":\"type\",\"value\":\"allowlist\"}]");
	FIRES(0, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"app\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(1, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"22\"},{\"name\":\"type\",\"value\":\"blacklist\"}]");
	FIRES(0, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"23\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(0, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"22,8080\"},{\"name\":\"type\",\"value\":\"whitelist\"}]");
	FIRES(1, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"8080\"},{\"name\":\"type\",\"value\":\"allowlist\"}]");
	FIRES(2, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"0\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(0, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"22\"},{\"name\":\"type\",\"value\":\"denylist\"},{\"name\":\"actual_dockerfile_only\",\"value\":\"true\"}]");
	FIRES(1, "dockerfile", "no_dockerfile_provided", "[]");
	/* no config: not evaluated, never a pass */
	fx.in.config_json = NULL;
	FIRES(-1, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"root\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(-1, "dockerfile", "instruction", INSTR("HEALTHCHECK", "not_exists", ""));
	FIRES(-1, "dockerfile", "exposed_ports", "[{\"name\":\"ports\",\"value\":\"22\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	/* a user set: not root */
	const char *cfg = "{\"config\":{\"User\":\"10001:10001\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}}";
	fx.in.config_json = cfg;
	fx.in.config_len = strlen(cfg);
	FIRES(0, "dockerfile", "effective_user", "[{\"name\":\"users\",\"value\":\"root\"},{\"name\":\"type\",\"value\":\"denylist\"}]");
	FIRES(0, "dockerfile", "instruction", INSTR("HEALTHCHECK", "not_exists", ""));
	fixture_release(&fx);
}

#define MD(attr, chk, val) "[{\"name\":\"attribute\",\"value\":\"" attr "\"},{\"name\":\"check\",\"value\":\"" chk "\"}" val "]"

static void test_metadata(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	FIRES(1, "metadata", "attribute", MD("distro", "=", VAL("debian")));
	FIRES(0, "metadata", "attribute", MD("distro", "!=", VAL("debian")));
	FIRES(1, "metadata", "attribute", MD("distro_version", "like", VAL("1[0-9]")));
	FIRES(0, "metadata", "attribute", MD("distro_version", "not_like", VAL("1[0-9]")));
	FIRES(1, "metadata", "attribute", MD("architecture", "in", VAL("amd64, arm64")));
	FIRES(0, "metadata", "attribute", MD("architecture", "not_in", VAL("amd64")));
	FIRES(1, "metadata", "attribute", MD("os_type", "exists", ""));
	FIRES(0, "metadata", "attribute", MD("os_type", "not_exists", ""));
	FIRES(0, "metadata", "attribute", MD("like_distro", "exists", ""));
	FIRES(1, "metadata", "attribute", MD("layer_count", ">", VAL("1")));
	FIRES(0, "metadata", "attribute", MD("layer_count", ">=", VAL("3")));
	FIRES(1, "metadata", "attribute", MD("layer_count", "<=", VAL("2")));
	FIRES(1, "metadata", "attribute", MD("size", ">=", VAL("3kB")));
	FIRES(0, "metadata", "attribute", MD("size", ">", VAL("3000")));
	FIRES(1, "metadata", "attribute", MD("size", "<", VAL("1MB")));
	FIRES(1, "metadata", "attribute", MD("created", ">", VAL("2024-06-01")));
	FIRES(0, "metadata", "attribute", MD("created", "<", VAL("2024-06-01T00:00:00Z")));
	fx.in.config_json = NULL;
	FIRES(-1, "metadata", "attribute", MD("created", "<", VAL("2024-06-01")));
	fixture_release(&fx);
}

static void test_image_checks_and_others(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	FIRES(2, "image_checks", "failed", "[]");
	FIRES(1, "image_checks", "failed", "[{\"name\":\"ids\",\"value\":\"SW-CFG-001\"}]");
	FIRES(2, "image_checks", "failed", "[{\"name\":\"ids\",\"value\":\"SW-CFG-00*\"}]");
	FIRES(0, "image_checks", "failed", "[{\"name\":\"ids\",\"value\":\"SW-CFG-010\"}]");
	FIRES(1, "image_checks", "failed", "[{\"name\":\"cis\",\"value\":\"4.6\"}]");
	FIRES(1, "image_checks", "failed", "[{\"name\":\"severity\",\"value\":\"high\"}]");
	((struct sw_check_result *)fx.checks.results.items[0])->suppressed = (char *)"ignored";
	FIRES(1, "image_checks", "failed", "[]");
	((struct sw_check_result *)fx.checks.results.items[0])->suppressed = NULL;
	fx.in.checks_ran = false;
	FIRES(-1, "image_checks", "failed", "[]");
	/* gates whose data the scan does not have: not evaluated */
	FIRES(-1, "files", "suid_or_guid_set", "[]");   /* no file facts: an SBOM */
	FIRES(-1, "files", "name_match", "[{\"name\":\"regex\",\"value\":\".*\\\\.pem$\"}]");
	FIRES(-1, "files", "content_regex_match", "[]");
	FIRES(-1, "files", "attribute_match", "[{\"name\":\"filename\",\"value\":\"/etc/shadow\"},{\"name\":\"mode\",\"value\":\"0640\"},{\"name\":\"mode_op\",\"value\":\"not_equals\"}]");
	FIRES(-1, "passwd_file", "content_not_available", "[]");
	FIRES(-1, "passwd_file", "blacklist_usernames", "[{\"name\":\"user_names\",\"value\":\"games\"}]");
	FIRES(-1, "passwd_file", "denylist_shells", "[{\"name\":\"shells\",\"value\":\"/bin/sh\"}]");
	FIRES(-1, "passwd_file", "blacklist_full_entry", "[{\"name\":\"entry\",\"value\":\"x\"}]");
	FIRES(-1, "secret_scans", "content_regex_checks", "[]");
	FIRES(-1, "malware", "scans", "[]");
	FIRES(1, "malware", "scan_not_run", "[]");
	FIRES(-1, "retrieved_files", "content_regex", "[{\"name\":\"path\",\"value\":\"/etc/x\"},{\"name\":\"regex\",\"value\":\"a\"},{\"name\":\"check\",\"value\":\"match\"}]");
	FIRES(1, "always", "always", "[]");
	fixture_release(&fx);
}

/* passwd_file and files.suid_or_guid_set on the layer pass's file facts, planted here */
static struct sw_fs_rec *fs_rec(const char *path, unsigned kinds, unsigned mode, const char *content)
{
	struct sw_fs_rec *r = sw_xcalloc(1, sizeof(*r));
	r->path = sw_xstrdup(path);
	r->kinds = kinds;
	r->mode = mode;
	r->uid = r->gid = 0;
	r->layer = 0;
	if (content) {
		r->content = sw_xstrdup(content);
		r->content_len = strlen(content);
	}
	return r;
}

static void test_passwd_gates(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	fx.inv->fs.collected = true;
	/* no /etc/passwd in the image */
	FIRES(1, "passwd_file", "content_not_available", "[]");
	FIRES(0, "passwd_file", "denylist_usernames", "[{\"name\":\"user_names\",\"value\":\"root\"}]");
	FIRES(0, "files", "suid_or_guid_set", "[]");
	/* records sorted by path, as the merge leaves them */
	sw_vec_push(&fx.inv->fs.recs, fs_rec("etc/passwd", SW_FS_CONTENT, 0100644,
					     "root:x:0:0:root:/root:/bin/bash\n"
					     "# a comment\n"
					     "games:x:5:60:games:/usr/games:/usr/sbin/nologin\n"
					     "toor:x:0:0::/root:/bin/sh\n"
					     "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"));
	sw_vec_push(&fx.inv->fs.recs, fs_rec("usr/bin/passwd", SW_FS_SETID, 0104755, NULL));
	sw_vec_push(&fx.inv->fs.recs, fs_rec("usr/bin/wall", SW_FS_SETID, 0102755, NULL));
	FIRES(0, "passwd_file", "content_not_available", "[]");
	FIRES(1, "passwd_file", "blacklist_usernames", "[{\"name\":\"user_names\",\"value\":\"games\"}]");
	FIRES(2, "passwd_file", "denylist_usernames", "[{\"name\":\"user_names\",\"value\":\"toor, app, nobody\"}]");
	FIRES(2, "passwd_file", "denylist_userids", "[{\"name\":\"user_ids\",\"value\":\"0\"}]");
	FIRES(0, "passwd_file", "denylist_userids", "[{\"name\":\"user_ids\",\"value\":\"1, 2\"}]");
	FIRES(1, "passwd_file", "denylist_groupids", "[{\"name\":\"group_ids\",\"value\":\"60\"}]");
	FIRES(2, "passwd_file", "denylist_shells", "[{\"name\":\"shells\",\"value\":\"/bin/sh\"}]");
	FIRES(1, "passwd_file", "shellmatch", "[{\"name\":\"shells\",\"value\":\"/usr/sbin/nologin\"}]");
	FIRES(1, "passwd_file", "blacklist_full_entry", "[{\"name\":\"entry\",\"value\":\"toor:x:0:0::/root:/bin/sh\"}]");
	FIRES(0, "passwd_file", "blacklist_full_entry", "[{\"name\":\"entry\",\"value\":\"toor:x:0:0::/root\"}]");
	FIRES(2, "files", "suid_or_guid_set", "[]");
	/* a passwd too large to read: content not available, nothing to match */
	struct sw_fs_rec *pw = fx.inv->fs.recs.items[0];
	free(pw->content);
	pw->content = NULL;
	pw->content_len = 0;
	pw->why_not = sw_xstrdup("larger than 1 MiB");
	FIRES(1, "passwd_file", "content_not_available", "[]");
	FIRES(0, "passwd_file", "denylist_userids", "[{\"name\":\"user_ids\",\"value\":\"0\"}]");
	fixture_release(&fx);
}

/* secret_scans and malware on the content scanners' findings, planted here */
static void add_finding(struct sw_inventory *inv, const char *scanner, const char *rule, const char *path)
{
	struct sw_file_finding *f = sw_file_finding_new(scanner);
	f->rule_id = sw_xstrdup(rule);
	f->path = sw_xstrdup(path);
	f->layer = 0;
	sw_vec_push(&inv->file_findings, f);
}

static void test_content_gates(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	add_finding(fx.inv, "secret", "aws-access-key-id", "srv/app/.env");
	add_finding(fx.inv, "secret", "github-pat", "root/.git-credentials");
	add_finding(fx.inv, "malware", "Eicar-Test-Signature.UNOFFICIAL", "tmp/eicar.com");
	/* not run: not evaluated, never a pass */
	FIRES(-1, "secret_scans", "content_regex_checks", "[]");
	FIRES(-1, "malware", "scans", "[]");
	FIRES(1, "malware", "scan_not_run", "[]");
	fx.in.secret_ran = true;
	fx.in.malware_ran = true;
	FIRES(2, "secret_scans", "content_regex_checks", "[]");
	FIRES(1, "secret_scans", "content_regex_checks", "[{\"name\":\"content_regex_name\",\"value\":\"AWS-ACCESS-KEY-ID\"}]");
	FIRES(1, "secret_scans", "content_regex_checks", "[{\"name\":\"filename_regex\",\"value\":\"/root/.*\"}]");
	FIRES(0, "secret_scans", "content_regex_checks", "[{\"name\":\"filename_regex\",\"value\":\"/etc/.*\"}]");
	FIRES(1, "secret_scans", "content_regex_checks",
	      "[{\"name\":\"filename_regex\",\"value\":\"/etc/.*\"},{\"name\":\"match_type\",\"value\":\"notfound\"}]");
	FIRES(0, "secret_scans", "content_regex_checks", "[{\"name\":\"match_type\",\"value\":\"notfound\"}]");
	FIRES(1, "malware", "scans", "[]");
	FIRES(0, "malware", "scan_not_run", "[]");
	/* suppressed findings (.stowawayignore) do not count */
	((struct sw_file_finding *)fx.inv->file_findings.items[0])->suppressed = sw_xstrdup("ignored");
	FIRES(1, "secret_scans", "content_regex_checks", "[]");
	fixture_release(&fx);
}

/* ---- allowlists, mappings, image lists, namings ------------------------- */

static const char *allow_bundle =
	"{\"id\":\"b\",\"version\":\"2_0\",\"rule_sets\":[{\"id\":\"p\",\"rules\":[{\"id\":\"kev\","
	"\"gate\":\"vulnerabilities\",\"trigger\":\"kev\",\"action\":\"STOP\",\"params\":[]}]}],"
	"\"allowlists\":[{\"id\":\"w\",\"name\":\"accepted\",\"items\":[{\"id\":\"until-jan-2\","
	"\"gate\":\"vulnerabilities\",\"trigger_id\":\"CVE-2024-1001+*\",\"expires_on\":\"2025-01-02T00:00:00Z\"}]}],"
	"\"mappings\":[{\"id\":\"m\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},"
	"\"rule_set_ids\":[\"p\"],\"allowlist_ids\":[\"w\"]}]}";

static void test_allowlist_expiry(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	/* before the date: applied, the final action GO */
	fx.in.now = 1735776000LL - 1; /* 2025-01-01T23:59:59Z */
	struct sw_policy_result *r = eval_text(allow_bundle, &fx.in);
	assert_int_equal(r->hits.len, 1);
	const struct sw_policy_hit *h = r->hits.items[0];
	assert_non_null(h->allowlisted_by);
	assert_string_equal(h->allowlisted_by, "until-jan-2");
	assert_string_equal(h->allowlist_id, "w");
	assert_int_equal(r->final_action, SW_POLICY_GO);
	assert_int_equal(r->expired.len, 0);
	sw_policy_result_free(r);
	/* at the date: expired, reported, not applied */
	fx.in.now = 1735776000LL;
	r = eval_text(allow_bundle, &fx.in);
	h = r->hits.items[0];
	assert_null(h->allowlisted_by);
	assert_int_equal(r->final_action, SW_POLICY_STOP);
	assert_int_equal(r->expired.len, 1);
	assert_non_null(strstr(r->expired.items[0], "until-jan-2"));
	sw_policy_result_free(r);
	fixture_release(&fx);
}

static const char *mapping_bundle =
	"{\"id\":\"b\",\"rule_sets\":[{\"id\":\"stop\",\"rules\":[{\"id\":\"a\",\"gate\":\"always\","
	"\"trigger\":\"always\",\"action\":\"STOP\",\"params\":[]}]},{\"id\":\"warn\",\"rules\":[{\"id\":\"a\","
	"\"gate\":\"always\",\"trigger\":\"always\",\"action\":\"WARN\",\"params\":[]}]}],"
	"\"mappings\":["
	"{\"id\":\"first\",\"registry\":\"docker.io\",\"repository\":\"library/app\",\"image\":{\"type\":\"tag\",\"value\":\"1.*\"},\"rule_set_ids\":[\"stop\"]},"
	"{\"id\":\"second\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"rule_set_ids\":[\"warn\"]},"
	"{\"id\":\"never\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"1.0\"},\"rule_set_ids\":[\"stop\"]}],"
	"\"allowlisted_images\":[{\"id\":\"ok-images\",\"registry\":\"*\",\"repository\":\"library/trusted\",\"image\":{\"type\":\"tag\",\"value\":\"*\"}},"
	"{\"id\":\"ok-both\",\"registry\":\"*\",\"repository\":\"library/both\",\"image\":{\"type\":\"tag\",\"value\":\"*\"}}],"
	"\"denylisted_images\":[{\"id\":\"no-images\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"bad-*\"}},"
	"{\"id\":\"no-both\",\"registry\":\"*\",\"repository\":\"library/both\",\"image\":{\"type\":\"tag\",\"value\":\"*\"}}]}";

static void map_case(struct fixture *fx, const char *tag, const char *mapping, enum sw_policy_action a,
		     const char *reason)
{
	fx->in.repo_tag = tag;
	struct sw_policy_result *r = eval_text(mapping_bundle, &fx->in);
	if ((mapping ? !r->mapping_id || strcmp(r->mapping_id, mapping) : r->mapping_id != NULL) ||
	    r->final_action != a || strcmp(r->final_reason, reason))
		fail_msg("%s: mapping %s action %s reason %s", tag, r->mapping_id ? r->mapping_id : "-",
			 sw_policy_action_name(r->final_action), r->final_reason);
	sw_policy_result_free(r);
}

static void test_mapping_order(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	map_case(&fx, "app:1.0", "first", SW_POLICY_STOP, "policy_evaluation");   /* first match wins */
	map_case(&fx, "app:2.0", "second", SW_POLICY_WARN, "policy_evaluation");
	map_case(&fx, "reg.test:5000/team/app:1.0", "second", SW_POLICY_WARN, "policy_evaluation");
	map_case(&fx, "trusted:1.0", "second", SW_POLICY_GO, "allowlisted");
	map_case(&fx, "app:bad-1", "second", SW_POLICY_STOP, "denylisted");
	map_case(&fx, "both:1", "second", SW_POLICY_STOP, "denylisted");           /* denied wins */
	fixture_release(&fx);
}

/* v1 and v2 namings of the same bundle give the same result */
static void test_namings(void **state)
{
	(void)state;
	static const char *v1 =
		"{\"id\":\"b\",\"version\":\"1_0\",\"policies\":[{\"id\":\"p\",\"rules\":["
		"{\"id\":\"r1\",\"gate\":\"vulnerabilities\",\"trigger\":\"blacklist\",\"action\":\"STOP\",\"params\":[{\"name\":\"vulnerability_ids\",\"value\":\"CVE-2024-1001,CVE-2020-9999\"}]},"
		"{\"id\":\"r2\",\"gate\":\"packages\",\"trigger\":\"blacklist\",\"action\":\"WARN\",\"params\":[{\"name\":\"name\",\"value\":\"openssl\"}]},"
		"{\"id\":\"r3\",\"gate\":\"licenses\",\"trigger\":\"blacklist_partial_match\",\"action\":\"WARN\",\"params\":[{\"name\":\"licenses\",\"value\":\"BSD\"}]},"
		"{\"id\":\"r4\",\"gate\":\"dockerfile\",\"trigger\":\"exposed_ports\",\"action\":\"WARN\",\"params\":[{\"name\":\"ports\",\"value\":\"22\"},{\"name\":\"type\",\"value\":\"blacklist\"}]}]}],"
		"\"whitelists\":[{\"id\":\"w\",\"items\":[{\"id\":\"i\",\"gate\":\"vulnerabilities\",\"trigger_id\":\"CVE-2020-9999+*\"}]}],"
		"\"mappings\":[{\"id\":\"m\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"policy_id\":\"p\",\"whitelist_ids\":[\"w\"]}],"
		"\"whitelisted_images\":[],\"blacklisted_images\":[]}";
	static const char *v2 =
		"id: b\nversion: '2_0'\nrule_sets:\n  - id: p\n    rules:\n"
		"      - {id: r1, gate: vulnerabilities, trigger: denylist, action: STOP, params: [{name: vulnerability_ids, value: 'CVE-2024-1001,CVE-2020-9999'}]}\n"
		"      - {id: r2, gate: packages, trigger: denylist, action: WARN, params: [{name: name, value: openssl}]}\n"
		"      - {id: r3, gate: licenses, trigger: denylist_partial_match, action: WARN, params: [{name: licenses, value: BSD}]}\n"
		"      - id: r4\n        gate: dockerfile\n        trigger: exposed_ports\n        action: WARN\n        params:\n"
		"          - name: ports\n            value: 22\n          - name: type\n            value: denylist\n"
		"allowlists:\n  - id: w\n    items:\n      - {id: i, gate: vulnerabilities, trigger_id: 'CVE-2020-9999+*'}\n"
		"mappings:\n  - id: m\n    registry: '*'\n    repository: '*'\n    image: {type: tag, value: '*'}\n"
		"    rule_set_ids: [p]\n    allowlist_ids: [w]\n"
		"allowlisted_images: []\ndenylisted_images: []\n";
	struct fixture fx;
	fixture_init(&fx);
	struct sw_policy_result *a = eval_text(v1, &fx.in), *b = eval_text(v2, &fx.in);
	assert_int_equal(a->final_action, SW_POLICY_STOP);
	assert_int_equal(a->final_action, b->final_action);
	assert_string_equal(a->final_reason, b->final_reason);
	assert_int_equal(a->hits.len, 5);
	assert_int_equal(a->hits.len, b->hits.len);
	for (size_t i = 0; i < a->hits.len; i++) {
		const struct sw_policy_hit *x = a->hits.items[i], *y = b->hits.items[i];
		assert_string_equal(x->trigger_id, y->trigger_id);
		assert_string_equal(x->gate, y->gate);
		assert_int_equal(x->action, y->action);
		assert_int_equal(!x->allowlisted_by, !y->allowlisted_by);
		assert_string_equal(x->rule_id, y->rule_id);
	}
	/* the allowlisted one is CVE-2020-9999 */
	size_t allowed = 0;
	for (size_t i = 0; i < a->hits.len; i++)
		allowed += ((struct sw_policy_hit *)a->hits.items[i])->allowlisted_by != NULL;
	assert_int_equal(allowed, 1);
	sw_policy_result_free(a);
	sw_policy_result_free(b);
	fixture_release(&fx);
}

/* ---- Anchore Engine's default bundle ------------------------------------- */

static void test_anchore_default_bundle(void **state)
{
	(void)state;
	char *path = sw_test_require_shared_file(
		"test_policy (Anchore default bundle)",
		"specs/anchore-anchore-engine_anchore_engine_conf_bundles_anchore_default_bundle.json");
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_policy_bundle_load_file(path, &b, &err) < 0)
		fail_msg("the Anchore default bundle does not load: %s", err.msg);
	struct fixture fx;
	fixture_init(&fx);
	struct sw_policy_result *r = NULL;
	assert_int_equal(sw_policy_eval(b, &fx.in, &r, &err), 0);
	/* By hand, from the bundle text on the fixture:
	 * exposed_ports 22 blacklist: 22/tcp exposed -> 1 STOP
	 * instruction HEALTHCHECK not_exists: none -> 1 WARN
	 * stale_feed_data 2 days: built 3 days ago -> 1 WARN
	 * vulnerability_data_unavailable: Debian 12 covered -> 0
	 * package all = medium: F2 -> 1 WARN
	 * package all > medium: F1, F4 (high), F5 (critical) -> 3 STOP
	 * (F3 is low and will-not-fix; F6 suppressed) */
	size_t per_rule[6] = { 0 };
	static const char *const ids[6] = { "ce7b8000-829b-4c27-8122-69cd59018400", "312d9e41-1c05-4e2f-ad89-b7d34b0855bb",
					    "6b5c14e7-a6f7-48cc-99d2-959273a2c6fa", "3e79ea94-18c4-4d26-9e29-3b9172a62c2e",
					    "6063fdde-b1c5-46af-973a-915739451ac4", "b30e8abc-444f-45b1-8a37-55be1b8c8bb5" };
	for (size_t i = 0; i < r->hits.len; i++) {
		const struct sw_policy_hit *h = r->hits.items[i];
		assert_false(h->not_evaluated);
		assert_string_equal(h->policy_id, "48e6f7d6-1765-11e8-b5f9-8b6f228548b6");
		for (int k = 0; k < 6; k++)
			if (!strcmp(h->rule_id, ids[k]))
				per_rule[k]++;
	}
	size_t want[6] = { 1, 1, 1, 0, 1, 3 };
	for (int k = 0; k < 6; k++)
		if (per_rule[k] != want[k])
			fail_msg("rule %s fired %zu times, expected %zu", ids[k], per_rule[k], want[k]);
	assert_int_equal(r->final_action, SW_POLICY_STOP);
	assert_string_equal(r->mapping_id, "c4f9bf74-dc38-4ddf-b5cf-00e9c0074611");
	sw_policy_result_free(r);

	/* without port 22, high findings, and with a fresh database and a
	 * HEALTHCHECK: only the medium finding -> WARN */
	const char *cfg = "{\"config\":{\"User\":\"app\",\"ExposedPorts\":{\"8080/tcp\":{}},"
			  "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}},\"history\":[]}";
	fx.in.config_json = cfg;
	fx.in.config_len = strlen(cfg);
	fx.in.db_built_at = NOW - DAY;
	for (size_t i = 0; i < fx.m->findings.len; i++) {
		struct sw_finding *f = fx.m->findings.items[i];
		if (f->severity > SW_SEV_MEDIUM && !f->suppressed)
			f->suppressed = sw_xstrdup("test");
	}
	assert_int_equal(sw_policy_eval(b, &fx.in, &r, &err), 0);
	assert_int_equal(r->hits.len, 1);
	assert_int_equal(r->final_action, SW_POLICY_WARN);
	sw_policy_result_free(r);
	sw_policy_bundle_free(b);
	fixture_release(&fx);
	free(path);
}

static void test_default_bundle(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	const char *t = sw_policy_default_bundle();
	struct sw_policy_result *r = eval_text(t, &fx.in);
	/* KEV (F1) STOP, root user WARN; no critical with a fix; SW-CFG-010 passed */
	size_t stop = 0, warn = 0;
	for (size_t i = 0; i < r->hits.len; i++) {
		const struct sw_policy_hit *h = r->hits.items[i];
		stop += h->action == SW_POLICY_STOP;
		warn += h->action == SW_POLICY_WARN;
	}
	assert_int_equal(stop, 1);
	assert_int_equal(warn, 1);
	assert_int_equal(r->final_action, SW_POLICY_STOP);
	sw_policy_result_free(r);
	fixture_release(&fx);
}

/* '{' opens JSON, or a YAML flow mapping */
static void test_flow_yaml(void **state)
{
	(void)state;
	static const char *t = "{id: b, policies: [{id: p, rules: [{id: r, gate: always, trigger: always, "
			       "action: warn, params: []}]}], mappings: [{id: m, registry: '*', repository: '*', "
			       "image: {type: tag, value: '*'}, policy_id: p}]}";
	struct fixture fx;
	fixture_init(&fx);
	struct sw_policy_result *r = eval_text(t, &fx.in);
	assert_int_equal(r->final_action, SW_POLICY_WARN);
	sw_policy_result_free(r);
	fixture_release(&fx);
}

static void test_time_and_glob(void **state)
{
	(void)state;
	long long t;
	assert_int_equal(sw_policy_parse_time("2025-01-01", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(sw_policy_parse_time("2025-01-01T02:00:00+02:00", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(sw_policy_parse_time("2024-02-29T23:59:59.5Z", &t), 0);
	assert_int_equal(sw_policy_parse_time("2023-02-29", &t), -1);
	assert_int_equal(sw_policy_parse_time("2025-01-01T00:00:00", &t), -1);
	assert_int_equal(sw_policy_parse_time("01/02/2025", &t), -1);
	char *reg, *repo, *tag;
	sw_policy_split_tag("reg.test:5000/a/b:1.2@sha256:00", &reg, &repo, &tag);
	assert_string_equal(reg, "reg.test:5000");
	assert_string_equal(repo, "a/b");
	assert_string_equal(tag, "1.2");
	free(reg), free(repo), free(tag);
	sw_policy_split_tag("alpine", &reg, &repo, &tag);
	assert_string_equal(reg, "docker.io");
	assert_string_equal(repo, "library/alpine");
	assert_string_equal(tag, "latest");
	free(reg), free(repo), free(tag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_regex_bounded),
		cmocka_unit_test(test_vulnerabilities),
		cmocka_unit_test(test_trigger_ids),
		cmocka_unit_test(test_packages_licenses),
		cmocka_unit_test(test_dockerfile),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_image_checks_and_others),
		cmocka_unit_test(test_content_gates),
		cmocka_unit_test(test_passwd_gates),
		cmocka_unit_test(test_allowlist_expiry),
		cmocka_unit_test(test_mapping_order),
		cmocka_unit_test(test_namings),
		cmocka_unit_test(test_anchore_default_bundle),
		cmocka_unit_test(test_default_bundle),
		cmocka_unit_test(test_flow_yaml),
		cmocka_unit_test(test_time_and_glob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
