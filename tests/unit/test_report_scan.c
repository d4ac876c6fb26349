/* test_report_scan.c - the scan report writers: table, JSON, SARIF 2.1.0,
 * CycloneDX 1.5 (vulnerabilities, VEX analysis), SPDX 2.3, HTML, JUnit.
 * A hand-built inventory and match result (Debian 12, OS and language
 * packages, folded aliases, every status, suppressed findings, KEV/EPSS
 * present and absent, findings without a fix); content assertions in each
 * format, determinism, errors, and (with ../shared/data) validation
 * against the official schemas and ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "match/match.h"
#include "report/report.h"
#include "sw_test.h"
#include "util/mem.h"

#define NOW 1700000000LL /* 2023-11-14T22:13:20Z */

#define DIFF0 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define DIFF1 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define DIFF2 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static struct sw_inv_layer *layer(int index, const char *diff, const char *by)
{
	struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
	l->index = index;
	l->digest = sw_xasprintf("sha256:c%d", index);
	l->diff_id = sw_xstrdup(diff);
	l->created_by = sw_xstrdup(by);
	l->size = 1000;
	return l;
}

static struct sw_package *pkg(struct sw_inventory *inv, const char *type, const char *ns,
			      const char *name, const char *version, const char *path, int li)
{
	struct sw_package *p = sw_package_new(type);
	p->namespace_ = sw_xstrdup(ns);
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup(version);
	p->path = sw_xstrdup(path);
	p->layer_index = li;
	if (li >= 0) {
		struct sw_inv_layer *l = inv->layers.items[li];
		p->layer_diff_id = sw_xstrdup(l->diff_id);
	}
	sw_vec_push(&inv->packages, p);
	return p;
}

enum { P_BASH, P_LIBC, P_LODASH, P_LOG4J, P_JINJA, P_ZLIB };

static struct sw_inventory *make_inventory(void)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->transport = sw_xstrdup("docker-archive");
	inv->reference = sw_xstrdup("fixtures/app.tar");
	inv->manifest_digest = sw_xstrdup("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	inv->architecture = sw_xstrdup("amd64");
	inv->image_os = sw_xstrdup("linux");
	sw_vec_push_strdup(&inv->repo_tags, "example.test/app:1.0");
	sw_vec_push(&inv->layers, layer(0, DIFF0, "/bin/sh -c #(nop) ADD file:6a8e9b3b6a1c0d2e7f in / "));
	sw_vec_push(&inv->layers, layer(1, DIFF1, "RUN /bin/sh -c apt-get update && apt-get install -y libc6 # buildkit"));
	sw_vec_push(&inv->layers, layer(2, DIFF2, "COPY app /app # buildkit"));
	inv->os.id = sw_xstrdup("debian");
	inv->os.version_id = sw_xstrdup("12");
	inv->os.pretty_name = sw_xstrdup("Debian GNU/Linux 12 (bookworm)");
	struct sw_package *p;
	pkg(inv, "deb", NULL, "bash", "5.2.15-2+b2", "var/lib/dpkg/status", 0);
	p = pkg(inv, "deb", NULL, "libc6", "2.36-9+deb12u1", "var/lib/dpkg/status", 1);
	p->source_name = sw_xstrdup("glibc");
	pkg(inv, "npm", NULL, "lodash", "4.17.20", "app/node_modules/lodash/package.json", 2);
	pkg(inv, "maven", "org.apache.logging.log4j", "log4j-core", "2.14.1", "app/lib/log4j core-2.14.1.jar", 2);
	pkg(inv, "pypi", NULL, "Jinja2", "3.1.2", "usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA", -1);
	pkg(inv, "deb", NULL, "zlib1g", "1:1.2.13.dfsg-1", "var/lib/dpkg/status", 0);
	return inv;
}

static void free_layer(void *p)
{
	struct sw_inv_layer *l = p;
	free(l->digest);
	free(l->diff_id);
	free(l->created_by);
	free(l);
}

static void free_inventory(struct sw_inventory *inv)
{
	free(inv->transport);
	free(inv->reference);
	free(inv->manifest_digest);
	free(inv->architecture);
	free(inv->image_os);
	sw_vec_free_strings(&inv->repo_tags);
	sw_vec_free_all(&inv->layers, free_layer);
	free(inv->os.id);
	free(inv->os.version_id);
	free(inv->os.pretty_name);
	sw_vec_free_all(&inv->packages, sw_package_free_v);
	free(inv);
}

struct fspec {
	size_t pkg;
	const char *ids;         /* space-separated, primary first */
	enum sw_vuln_status status;
	enum sw_severity_level sev;
	const char *fixed;
	double cvss;
	const char *vector;
	const char *title;
	const char *cwes;        /* space-separated or NULL */
	double epss;
	const char *kev;         /* date added, or NULL */
	const char *suppressed;
};

/* in the result's order: by package, severity, id */
static const struct fspec specs[] = {
	{ P_BASH, "CVE-2022-3715 DSA-5300-1", SW_ST_FIXED, SW_SEV_HIGH, "5.2.15-3", 7.8,
	  "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
	  "bash: a heap-buffer-overflow in valid_parameter_transform", "CWE-787", 0.00043, NULL, NULL },
	{ P_BASH, "CVE-2024-0003", SW_ST_END_OF_LIFE, SW_SEV_MEDIUM, NULL, -1, NULL,
	  "made-up end of life issue", NULL, -1, NULL, NULL },
	{ P_BASH, "CVE-2023-0001", SW_ST_WILL_NOT_FIX, SW_SEV_LOW, NULL, 3.3, NULL, "minor issue", NULL,
	  -1, NULL, "ignore file: .stowawayignore line 3, until 2030-01-01" },
	{ P_LIBC, "CVE-2023-4911", SW_ST_FIXED, SW_SEV_HIGH, "2.36-9+deb12u3", 7.8,
	  "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "glibc: buffer overflow in ld.so (Looney Tunables)",
	  "CWE-122", 0.7201, "2023-11-21", NULL },
	{ P_LIBC, "CVE-2024-0001", SW_ST_FIX_DEFERRED, SW_SEV_MEDIUM, NULL, 5.5, NULL, "deferred issue", NULL,
	  -1, NULL, NULL },
	{ P_LIBC, "CVE-2024-0004", SW_ST_UNKNOWN, SW_SEV_LOW, NULL, -1, NULL, "status unknown", NULL, -1,
	  NULL, NULL },
	{ P_LIBC, "CVE-2024-0005", SW_ST_NOT_AFFECTED, SW_SEV_LOW, NULL, -1, NULL, "not affected", NULL, -1,
	  NULL, "status not_affected ignored" },
	{ P_LIBC, "CVE-2019-1010022", SW_ST_AFFECTED, SW_SEV_NEGLIGIBLE, NULL, 9.8,
	  "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "glibc: stack guard protection bypass", NULL, -1,
	  NULL, NULL },
	{ P_LIBC, "CVE-2024-0002", SW_ST_UNDER_INVESTIGATION, SW_SEV_UNKNOWN, NULL, -1, NULL, NULL, NULL,
	  -1, NULL, NULL },
	{ P_LODASH, "CVE-2021-23337 GHSA-35jh-r3h4-6jhm", SW_ST_FIXED, SW_SEV_HIGH, "4.17.21", 7.2,
	  "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "Command Injection in lodash", "CWE-77 CWE-94",
	  0.0123, NULL, NULL },
	{ P_LODASH, "CVE-2020-28500 GHSA-29mw-wpgm-hmr9", SW_ST_FIXED, SW_SEV_MEDIUM, "4.17.21", 5.3,
	  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "Regular Expression Denial of Service in lodash",
	  "CWE-400 CWE-1333", -1, NULL,
	  "vex: not_affected: vulnerable_code_not_in_execute_path (app.openvex.json)" },
	{ P_LOG4J, "CVE-2021-44228 GHSA-jfh8-c2jp-5v3q", SW_ST_FIXED, SW_SEV_CRITICAL, "2.15.0", 10.0,
	  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "Remote code injection in Log4j", "CWE-502 CWE-917",
	  0.97565, "2021-12-10", NULL },
	{ P_LOG4J, "CVE-2021-45046 GHSA-7rjr-3q55-vv33", SW_ST_FIXED, SW_SEV_CRITICAL, "2.16.0", 9.0,
	  "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", "Incomplete fix for Apache Log4j vulnerability",
	  "CWE-917", -1, NULL, "vex: fixed (app.cdx.json)" },
	{ P_JINJA, "GHSA-h5c8-rqwp-cp95 CVE-2024-22195 PYSEC-2024-0001", SW_ST_FIXED, SW_SEV_MEDIUM, "3.1.3",
	  5.4, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
	  "Jinja vulnerable to HTML attribute injection <script>alert(1)</script> & \"quotes\"\x01",
	  "CWE-79", -1, NULL, NULL },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))
#define NSUPPRESSED 4
#define NSHOWN (NSPECS - NSUPPRESSED)

static void split_into(struct sw_vec *v, const char *s)
{
	while (s && *s) {
		const char *sp = strchr(s, ' ');
		size_t n = sp ? (size_t)(sp - s) : strlen(s);
		sw_vec_push(v, sw_xstrndup(s, n));
		s += n + (sp ? 1 : 0);
	}
}

static struct sw_match_result *make_result(const struct sw_inventory *inv)
{
	struct sw_match_result *res = sw_xcalloc(1, sizeof(*res));
	res->os_ecosystem = sw_xstrdup("Debian:12");
	res->os_covered = true;
	sw_vec_push_strdup(&res->notes,
			   ".stowawayignore: line 5: ignore entry for CVE-2020-0001 expired on 2023-01-01; not applied");
	for (size_t i = 0; i < NSPECS; i++) {
		const struct fspec *s = &specs[i];
		const struct sw_package *p = inv->packages.items[s->pkg];
		struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
		split_into(&f->ids, s->ids);
		f->id = sw_xstrdup(f->ids.items[0]);
		bool os = strcmp(p->type, "deb") == 0;
		sw_vec_push_strdup(&f->sources, os ? "debian" : "ghsa");
		if (f->ids.len > 2)
			sw_vec_push_strdup(&f->sources, "pypa");
		f->pkg = s->pkg;
		f->ecosystem = sw_xstrdup(os ? "Debian:12" : strcmp(p->type, "npm") == 0 ? "npm"
					  : strcmp(p->type, "maven") == 0 ? "Maven" : "PyPI");
		f->matched_name = sw_xstrdup(p->source_name ? p->source_name : p->name);
		f->installed = sw_xstrdup(p->version);
		f->fixed = sw_xstrdup(s->fixed);
		f->status = s->status;
		f->severity = s->sev;
		f->severity_source = sw_xstrdup(os ? "debian" : "ghsa");
		f->cvss_score = s->cvss;
		f->cvss_vector = sw_xstrdup(s->vector);
		f->title = sw_xstrdup(s->title);
		if (s->title)
			f->description = sw_xasprintf("Details of %s.\nSecond line.", f->id);
		sw_vec_push(&f->references, sw_xasprintf("https://advisories.example.test/%s", f->id));
		split_into(&f->cwes, s->cwes);
		f->published = sw_xstrdup("2021-12-10T00:00:00Z");
		f->modified = sw_xstrdup("2023-01-02T03:04:05Z");
		f->epss = s->epss;
		f->epss_percentile = s->epss >= 0 ? 0.5 : -1;
		f->kev = s->kev != NULL;
		f->kev_date_added = sw_xstrdup(s->kev);
		f->suppressed = sw_xstrdup(s->suppressed);
		sw_vec_push(&res->findings, f);
	}
	return res;
}

struct fixture {
	struct sw_inventory *inv;
	struct sw_match_result *res;
};

static int setup(void **state)
{
	struct fixture *fx = sw_xcalloc(1, sizeof(*fx));
	fx->inv = make_inventory();
	fx->res = make_result(fx->inv);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	sw_match_result_free(fx->res);
	free_inventory(fx->inv);
	free(fx);
	return 0;
}

static char *render_o(const struct fixture *fx, enum sw_report_format f, bool color, bool show)
{
	char *data = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&data, &len);
	assert_non_null(fp);
	struct sw_report_opts o = { .color = color, .now = NOW, .tool_version = "0.1.0-test",
				    .show_suppressed = show };
	struct sw_err err = SW_ERR_INIT;
	int r = sw_report_scan(fp, f, fx->inv, fx->res, &o, &err);
	if (r < 0)
		print_error("sw_report_scan: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(strlen(data), len);
	return data;
}

static char *render(const struct fixture *fx, enum sw_report_format f)
{
	return render_o(fx, f, false, false);
}

static json_t *parse(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	if (!j)
		print_error("not JSON: %s\n", je.text);
	assert_non_null(j);
	return j;
}

static json_t *render_json(const struct fixture *fx, enum sw_report_format f, bool show)
{
	char *s = render_o(fx, f, false, show);
	json_t *j = parse(s);
	free(s);
	return j;
}

static const char *jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *find_by(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (sw_streq(jget(v, key), value))
			return v;
	return NULL;
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* index of an element of arr, or (size_t)-1 */
static size_t array_index(json_t *arr, json_t *el)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (json_array_get(arr, i) == el)
			return i;
	return (size_t)-1;
}

/* ---------------- table ---------------- */

static void test_table(void **state)
{
	struct fixture *fx = *state;
	char *t = render(fx, SW_FMT_TABLE);
	assert_non_null(strstr(t, "Image:  example.test/app:1.0 (sha256:aaaa"));
	assert_non_null(strstr(t, "OS:     Debian GNU/Linux 12 (bookworm) [debian 12]\n"));
	/* the note comes before the first package */
	char *note = strstr(t, "NOTE: .stowawayignore: line 5: ignore entry for CVE-2020-0001 expired on 2023-01-01; not applied\n");
	assert_non_null(note);
	char *bash = strstr(t, "\nbash 5.2.15-2+b2 (deb)  layer 0: ADD file:6a8e9b3b6a1c0d2e7f in /\n");
	assert_non_null(bash);
	assert_true(note < bash);
	assert_non_null(strstr(t, "\nlibc6 2.36-9+deb12u1 (deb)  layer 1: apt-get update && apt-get install -y libc6\n"));
	assert_non_null(strstr(t, "\norg.apache.logging.log4j:log4j-core 2.14.1 (maven)  layer 2: COPY app /app\n"));
	assert_non_null(strstr(t, "\nJinja2 3.1.2 (pypi)\n")); /* no layer */
	assert_null(strstr(t, "zlib1g")); /* no findings: not listed */
	/* rows: id, severity, status, fixed in, title, aligned */
	assert_non_null(strstr(t, "  ID                   SEVERITY    STATUS               FIXED IN        TITLE\n"));
	assert_non_null(strstr(t, "  CVE-2021-44228       critical    fixed                2.15.0          Remote code injection in Log4j\n"));
	assert_non_null(strstr(t, "  CVE-2024-0001        medium      fix_deferred         -               deferred issue\n"));
	assert_non_null(strstr(t, "  CVE-2024-0002        unknown     under_investigation  -               -\n"));
	assert_non_null(strstr(t, "  CVE-2024-0003        medium      end_of_life          -"));
	assert_non_null(strstr(t, "  CVE-2019-1010022     negligible  affected             -"));
	assert_non_null(strstr(t, "  CVE-2024-0004        low         unknown              -"));
	/* titles are cut, control characters made visible */
	assert_non_null(strstr(t, "Jinja vulnerable to HTML attribute injection <script>alert(1)..."));
	/* suppressed findings are hidden and counted */
	assert_null(strstr(t, "CVE-2020-28500"));
	assert_null(strstr(t, "CVE-2021-45046"));
	assert_null(strstr(t, "CVE-2023-0001"));
	assert_null(strstr(t, "CVE-2024-0005"));
	assert_non_null(strstr(t, "\nTotal: 10 vulnerabilities (critical 1, high 3, medium 3, low 1, negligible 1, unknown 1)\n"
				  "4 suppressed; --show-suppressed to list\n"));
	assert_null(strchr(t, '\033'));
	assert_int_equal(count_str(t, "\n  ID "), 5);
	free(t);

	t = render_o(fx, SW_FMT_TABLE, false, true);
	assert_non_null(strstr(t, "  CVE-2020-28500       medium      fixed                4.17.21"));
	assert_non_null(strstr(t, "    suppressed: vex: not_affected: vulnerable_code_not_in_execute_path (app.openvex.json)\n"));
	assert_non_null(strstr(t, "    suppressed: ignore file: .stowawayignore line 3, until 2030-01-01\n"));
	assert_non_null(strstr(t, "4 suppressed (listed above)\n"));
	free(t);

	t = render_o(fx, SW_FMT_TABLE, true, false);
	assert_non_null(strstr(t, "\033[1;31mcritical\033[0m"));
	assert_non_null(strstr(t, "\033[33mmedium\033[0m"));
	assert_non_null(strstr(t, "\033[1;33mNOTE: "));
	free(t);
}

/* ---------------- JSON ---------------- */

static void test_json(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = render_json(fx, SW_FMT_JSON, false);
	assert_string_equal(jget(doc, "schemaVersion"), "1.2");
	assert_string_equal(jget(doc, "osEcosystem"), "Debian:12");
	assert_true(json_is_true(json_object_get(doc, "osCovered")));
	/* the SBOM part is the SBOM document */
	char *sb = NULL;
	size_t sl = 0;
	FILE *fp = open_memstream(&sb, &sl);
	struct sw_report_opts o = { .now = NOW, .tool_version = "0.1.0-test" };
	assert_int_equal(sw_report_sbom(fp, SW_FMT_JSON, fx->inv, &o, NULL), 0);
	fclose(fp);
	json_t *sbom = parse(sb);
	free(sb);
	const char *same[] = { "tool", "created", "image", "os", "packages", "warnings" };
	for (size_t i = 0; i < 6; i++)
		assert_true(json_equal(json_object_get(doc, same[i]), json_object_get(sbom, same[i])));
	json_decref(sbom);

	/* every finding is kept, suppressed ones with the reason */
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	assert_int_equal(json_array_size(vulns), NSPECS);
	json_t *v = find_by(vulns, "id", "CVE-2021-44228");
	assert_non_null(v);
	json_t *al = json_object_get(v, "aliases");
	assert_int_equal(json_array_size(al), 2);
	assert_string_equal(json_string_value(json_array_get(al, 1)), "GHSA-jfh8-c2jp-5v3q");
	json_t *p = json_object_get(v, "package");
	assert_int_equal(json_integer_value(json_object_get(p, "index")), P_LOG4J);
	assert_string_equal(jget(p, "name"), "org.apache.logging.log4j:log4j-core");
	assert_string_equal(jget(p, "purl"), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
	assert_string_equal(jget(p, "type"), "maven");
	json_t *l = json_object_get(p, "layer");
	assert_int_equal(json_integer_value(json_object_get(l, "index")), 2);
	assert_string_equal(jget(l, "diffId"), DIFF2);
	assert_string_equal(jget(l, "createdBy"), "COPY app /app # buildkit");
	assert_string_equal(jget(v, "ecosystem"), "Maven");
	assert_string_equal(jget(v, "installedVersion"), "2.14.1");
	assert_string_equal(jget(v, "fixedVersion"), "2.15.0");
	assert_string_equal(jget(v, "status"), "fixed");
	assert_string_equal(jget(v, "severity"), "critical");
	assert_string_equal(jget(v, "severitySource"), "ghsa");
	assert_true(json_real_value(json_object_get(json_object_get(v, "cvss"), "score")) == 10.0);
	assert_true(json_real_value(json_object_get(json_object_get(v, "epss"), "score")) == 0.97565);
	assert_string_equal(jget(json_object_get(v, "kev"), "dateAdded"), "2021-12-10");
	assert_int_equal(json_array_size(json_object_get(v, "cwes")), 2);
	assert_true(json_is_null(json_object_get(v, "suppressed")));

	v = find_by(vulns, "id", "CVE-2020-28500");
	assert_string_equal(jget(v, "suppressed"),
			    "vex: not_affected: vulnerable_code_not_in_execute_path (app.openvex.json)");
	v = find_by(vulns, "id", "CVE-2024-0002");
	assert_string_equal(jget(v, "status"), "under_investigation");
	assert_string_equal(jget(v, "severity"), "unknown");
	assert_true(json_is_null(json_object_get(v, "fixedVersion")));
	assert_true(json_is_null(json_object_get(v, "cvss")));
	assert_true(json_is_null(json_object_get(v, "epss")));
	assert_true(json_is_null(json_object_get(v, "kev")));
	assert_true(json_is_null(json_object_get(v, "title")));
	v = find_by(vulns, "id", "CVE-2019-1010022"); /* libc6 matched through its source */
	assert_string_equal(jget(v, "matchedName"), "glibc");
	assert_true(json_is_null(json_object_get(json_object_get(find_by(vulns, "id", "GHSA-h5c8-rqwp-cp95"),
								  "package"), "layer")));
	/* every status appears */
	for (int s = SW_ST_UNKNOWN; s <= SW_ST_UNDER_INVESTIGATION; s++)
		assert_non_null(find_by(vulns, "status", sw_vuln_status_name((enum sw_vuln_status)s)));

	json_t *sum = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "critical")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "high")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "medium")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "low")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "negligible")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "unknown")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "total")), NSHOWN);
	assert_int_equal(json_integer_value(json_object_get(sum, "suppressed")), NSUPPRESSED);
	json_t *notes = json_object_get(doc, "notes");
	assert_int_equal(json_array_size(notes), 1);
	assert_non_null(strstr(json_string_value(json_array_get(notes, 0)), "expired on 2023-01-01"));
	/* show_suppressed changes nothing in JSON */
	json_t *doc2 = render_json(fx, SW_FMT_JSON, true);
	assert_true(json_equal(doc, doc2));
	json_decref(doc2);
	json_decref(doc);

	/* reals are printed short */
	char *s = render(fx, SW_FMT_JSON);
	assert_non_null(strstr(s, "\"score\": 7.8,"));
	assert_null(strstr(s, "7.79999"));
	assert_null(strstr(s, "7.80000"));
	free(s);
}

/* ---------------- SARIF ---------------- */

static void test_sarif(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = render_json(fx, SW_FMT_SARIF, false);
	assert_string_equal(jget(doc, "version"), "2.1.0");
	assert_string_equal(jget(doc, "$schema"),
			    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json");
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *drv = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(jget(drv, "name"), "stowaway");
	assert_string_equal(jget(drv, "version"), "0.1.0-test");
	assert_string_equal(jget(drv, "informationUri"), "https://stowaway.invalid");
	json_t *rules = json_object_get(drv, "rules");
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(rules), NSHOWN);
	assert_int_equal(json_array_size(results), NSHOWN);

	json_t *rule = find_by(rules, "id", "CVE-2021-44228");
	assert_non_null(rule);
	assert_null(json_object_get(rule, "name")); /* never equal to the id (SARIF1001) */
	assert_string_equal(jget(json_object_get(rule, "shortDescription"), "text"), "Remote code injection in Log4j");
	assert_string_equal(jget(json_object_get(rule, "fullDescription"), "text"),
			    "Details of CVE-2021-44228.\nSecond line.");
	assert_string_equal(jget(rule, "helpUri"), "https://advisories.example.test/CVE-2021-44228");
	assert_string_equal(jget(json_object_get(rule, "properties"), "security-severity"), "10.0");
	/* the number follows our severity: negligible with a CVSS of 9.8 is not "critical" */
	rule = find_by(rules, "id", "CVE-2019-1010022");
	assert_string_equal(jget(json_object_get(rule, "properties"), "security-severity"), "0.1");
	rule = find_by(rules, "id", "CVE-2024-0003"); /* medium without CVSS */
	assert_string_equal(jget(json_object_get(rule, "properties"), "security-severity"), "5.5");
	assert_string_equal(jget(json_object_get(rule, "defaultConfiguration"), "level"), "warning");

	json_t *r = find_by(results, "ruleId", "CVE-2021-44228");
	assert_string_equal(jget(r, "level"), "error");
	const char *msg = jget(json_object_get(r, "message"), "text");
	assert_non_null(strstr(msg, "org.apache.logging.log4j:log4j-core"));
	assert_non_null(strstr(msg, "2.14.1"));
	assert_non_null(strstr(msg, "fixed in 2.15.0"));
	json_t *loc = json_array_get(json_object_get(r, "locations"), 0);
	json_t *art = json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation");
	assert_string_equal(jget(art, "uri"), "app/lib/log4j%20core-2.14.1.jar");
	assert_non_null(jget(json_object_get(r, "partialFingerprints"), "stowaway/v1"));
	assert_int_equal(json_integer_value(json_object_get(r, "ruleIndex")),
			 (json_int_t)array_index(rules, find_by(rules, "id", "CVE-2021-44228")));
	r = find_by(results, "ruleId", "CVE-2024-0004");
	assert_string_equal(jget(r, "level"), "note");
	assert_non_null(strstr(jget(json_object_get(r, "message"), "text"), "no fixed version"));
	assert_null(find_by(results, "ruleId", "CVE-2021-45046"));
	/* fingerprints differ between findings */
	assert_string_not_equal(jget(json_object_get(json_array_get(results, 0), "partialFingerprints"), "stowaway/v1"),
				jget(json_object_get(json_array_get(results, 1), "partialFingerprints"), "stowaway/v1"));
	json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
	json_t *n = json_array_get(json_object_get(inv, "toolExecutionNotifications"), 0);
	assert_non_null(strstr(jget(json_object_get(n, "message"), "text"), "expired on 2023-01-01"));
	json_decref(doc);

	doc = render_json(fx, SW_FMT_SARIF, true);
	results = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
	assert_int_equal(json_array_size(results), NSPECS);
	r = find_by(results, "ruleId", "CVE-2021-45046");
	json_t *sup = json_array_get(json_object_get(r, "suppressions"), 0);
	assert_string_equal(jget(sup, "kind"), "external");
	assert_string_equal(jget(sup, "justification"), "vex: fixed (app.cdx.json)");
	json_decref(doc);
}

/* ---------------- CycloneDX ---------------- */

static void test_cyclonedx(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = render_json(fx, SW_FMT_CYCLONEDX, false);
	assert_string_equal(jget(doc, "specVersion"), "1.5");
	json_t *comps = json_object_get(doc, "components");
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	assert_int_equal(json_array_size(vulns), NSPECS);

	json_t *v = find_by(vulns, "id", "CVE-2021-44228");
	json_t *aff = json_array_get(json_object_get(v, "affects"), 0);
	const char *ref = jget(aff, "ref");
	json_t *c = find_by(comps, "bom-ref", ref);
	assert_non_null(c);
	assert_string_equal(jget(c, "name"), "log4j-core");
	assert_string_equal(jget(json_array_get(json_object_get(aff, "versions"), 0), "version"), "2.14.1");
	json_t *rating = json_array_get(json_object_get(v, "ratings"), 0);
	assert_string_equal(jget(rating, "severity"), "critical");
	assert_string_equal(jget(rating, "method"), "CVSSv31");
	assert_true(json_real_value(json_object_get(rating, "score")) == 10.0);
	assert_string_equal(jget(rating, "vector"), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
	json_t *cwes = json_object_get(v, "cwes");
	assert_int_equal(json_array_size(cwes), 2);
	assert_int_equal(json_integer_value(json_array_get(cwes, 0)), 502);
	assert_int_equal(json_integer_value(json_array_get(cwes, 1)), 917);
	assert_string_equal(jget(v, "recommendation"), "Upgrade to 2.15.0");
	assert_string_equal(jget(v, "description"), "Remote code injection in Log4j");
	assert_string_equal(jget(v, "published"), "2021-12-10T00:00:00Z");
	assert_string_equal(jget(v, "updated"), "2023-01-02T03:04:05Z");
	assert_string_equal(jget(json_array_get(json_object_get(v, "references"), 0), "id"), "GHSA-jfh8-c2jp-5v3q");
	assert_string_equal(jget(json_object_get(v, "source"), "url"), "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
	assert_null(json_object_get(v, "analysis"));

	v = find_by(vulns, "id", "CVE-2019-1010022");
	rating = json_array_get(json_object_get(v, "ratings"), 0);
	assert_string_equal(jget(rating, "severity"), "info");
	assert_string_equal(jget(rating, "method"), "CVSSv3");
	assert_null(json_object_get(v, "recommendation"));
	v = find_by(vulns, "id", "CVE-2024-0002");
	rating = json_array_get(json_object_get(v, "ratings"), 0);
	assert_string_equal(jget(rating, "method"), "other");
	assert_null(json_object_get(rating, "score"));

	/* VEX: the analysis of suppressed findings */
	json_t *a = json_object_get(find_by(vulns, "id", "CVE-2020-28500"), "analysis");
	assert_string_equal(jget(a, "state"), "not_affected");
	assert_string_equal(jget(a, "justification"), "code_not_reachable");
	assert_non_null(strstr(jget(a, "detail"), "app.openvex.json"));
	a = json_object_get(find_by(vulns, "id", "CVE-2021-45046"), "analysis");
	assert_string_equal(jget(a, "state"), "resolved");
	a = json_object_get(find_by(vulns, "id", "CVE-2023-0001"), "analysis");
	assert_string_equal(jget(a, "state"), "not_affected");
	assert_null(json_object_get(a, "justification"));
	/* a filter is no analysis, but the reason is kept */
	v = find_by(vulns, "id", "CVE-2024-0005");
	assert_null(json_object_get(v, "analysis"));
	json_t *prop = find_by(json_object_get(v, "properties"), "name", "stowaway:suppressed");
	assert_string_equal(jget(prop, "value"), "status not_affected ignored");

	/* components are the SBOM's */
	char *sb = NULL;
	size_t sl = 0;
	FILE *fp = open_memstream(&sb, &sl);
	struct sw_report_opts o = { .now = NOW, .tool_version = "0.1.0-test" };
	assert_int_equal(sw_report_sbom(fp, SW_FMT_CYCLONEDX, fx->inv, &o, NULL), 0);
	fclose(fp);
	json_t *sbom = parse(sb);
	free(sb);
	assert_true(json_equal(comps, json_object_get(sbom, "components")));
	assert_true(json_equal(json_object_get(doc, "metadata"), json_object_get(sbom, "metadata")));
	json_decref(sbom);
	json_decref(doc);
}

/* ---------------- SPDX ---------------- */

static json_t *spdx_pkg(json_t *doc, const char *name)
{
	return find_by(json_object_get(doc, "packages"), "name", name);
}

static void test_spdx(void **state)
{
	struct fixture *fx = *state;
	json_t *doc = render_json(fx, SW_FMT_SPDX_JSON, false);
	json_t *lodash = spdx_pkg(doc, "lodash");
	json_t *refs = json_object_get(lodash, "externalRefs");
	/* purl, then one advisory per finding */
	assert_int_equal(json_array_size(refs), 3);
	json_t *r = find_by(refs, "referenceLocator", "https://nvd.nist.gov/vuln/detail/CVE-2021-23337");
	assert_non_null(r);
	assert_string_equal(jget(r, "referenceCategory"), "SECURITY");
	assert_string_equal(jget(r, "referenceType"), "advisory");
	assert_non_null(strstr(jget(r, "comment"), "severity high"));
	assert_non_null(strstr(jget(r, "comment"), "fixed in 4.17.21"));
	assert_non_null(strstr(jget(r, "comment"), "also GHSA-35jh-r3h4-6jhm"));
	r = find_by(refs, "referenceLocator", "https://nvd.nist.gov/vuln/detail/CVE-2020-28500");
	assert_non_null(strstr(jget(r, "comment"), "; suppressed: vex: not_affected"));
	r = find_by(json_object_get(spdx_pkg(doc, "Jinja2"), "externalRefs"), "referenceLocator",
		    "https://github.com/advisories/GHSA-h5c8-rqwp-cp95");
	assert_non_null(r);
	r = find_by(json_object_get(spdx_pkg(doc, "bash"), "externalRefs"), "referenceLocator",
		    "https://nvd.nist.gov/vuln/detail/CVE-2022-3715");
	assert_non_null(strstr(jget(r, "comment"), "also DSA-5300-1"));
	assert_int_equal(json_array_size(json_object_get(spdx_pkg(doc, "libc6"), "externalRefs")), 7);
	assert_int_equal(json_array_size(json_object_get(spdx_pkg(doc, "zlib1g"), "externalRefs")), 1);
	const char *comment = jget(doc, "comment");
	assert_non_null(strstr(comment, "10 vulnerabilities (critical 1, high 3"));
	assert_non_null(strstr(comment, "4 suppressed"));
	assert_non_null(strstr(comment, "note: .stowawayignore"));
	json_decref(doc);
}

/* ---------------- HTML and JUnit (parsed by Python) ---------------- */

static char *write_tmp(const char *dir, const char *name, const char *content)
{
	char *path = sw_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static bool have_python(void)
{
	return sw_test_sh("/usr/bin/python3 -c 'import xml.dom.minidom, html.parser' 2>/dev/null") == 0;
}

static void test_html(void **state)
{
	struct fixture *fx = *state;
	char *h = render(fx, SW_FMT_HTML);
	assert_true(sw_starts_with(h, "<!DOCTYPE html>\n<html lang=\"en\">"));
	assert_non_null(strstr(h, "<title>stowaway scan: example.test/app:1.0</title>"));
	/* everything from the data is escaped; nothing external is loaded */
	assert_non_null(strstr(h, "HTML attribute injection &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;?"));
	assert_null(strstr(h, "<script>alert"));
	assert_null(strstr(h, " src="));
	assert_null(strstr(h, "<link"));
	assert_null(strstr(h, "@import"));
	/* chart, layers, notes, findings */
	assert_non_null(strstr(h, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(h, "<p class=\"note\"><strong>Note:</strong> .stowawayignore: line 5"));
	assert_non_null(strstr(h, "<tr><td>1</td><td><code>apt-get update &amp;&amp; apt-get install -y libc6</code></td><td>1</td><td>0</td><td>1</td><td>1</td><td>1</td><td>2</td></tr>"));
	assert_non_null(strstr(h, "<tr><td>2</td><td><code>COPY app /app</code></td><td>2</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td></tr>"));
	assert_non_null(strstr(h, "<tr><td>?</td><td>unknown layer</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td></tr>"));
	assert_non_null(strstr(h, "<a href=\"https://nvd.nist.gov/vuln/detail/CVE-2021-44228\">CVE-2021-44228</a><br/><span class=\"aliases\">GHSA-jfh8-c2jp-5v3q</span>"));
	assert_non_null(strstr(h, "<span class=\"sev sev-critical\">critical</span> 10.0 <strong"));
	assert_int_equal(count_str(h, "<tr data-sev="), NSHOWN);
	assert_null(strstr(h, "CVE-2021-45046"));
	assert_non_null(strstr(h, "4 suppressed (not listed"));
	free(h);

	h = render_o(fx, SW_FMT_HTML, false, true);
	assert_int_equal(count_str(h, "<tr data-sev="), NSPECS);
	assert_non_null(strstr(h, "<tr data-sev=\"critical\" class=\"suppressed\">"));
	assert_non_null(strstr(h, "<em>suppressed: vex: fixed (app.cdx.json)</em>"));
	if (have_python()) {
		char *dir = sw_test_tmpdir();
		char *path = write_tmp(dir, "report.html", h);
		char *cmd = sw_xasprintf(
			"/usr/bin/python3 -c 'import sys, html.parser, xml.dom.minidom\n"
			"class P(html.parser.HTMLParser):\n"
			"    ids = []\n"
			"    def handle_starttag(self, tag, attrs):\n"
			"        if tag == \"tr\" and dict(attrs).get(\"data-sev\"): P.ids.append(dict(attrs)[\"data-sev\"])\n"
			"p = P(); p.feed(open(sys.argv[1], encoding=\"utf-8\").read()); p.close()\n"
			"assert len(P.ids) == 14 and P.ids.count(\"critical\") == 2, P.ids\n"
			"xml.dom.minidom.parse(sys.argv[1])' '%s'", path);
		assert_int_equal(sw_test_sh(cmd), 0);
		free(cmd);
		unlink(path);
		free(path);
		rmdir(dir);
		free(dir);
	}
	free(h);
}

static void test_junit(void **state)
{
	struct fixture *fx = *state;
	char *x = render(fx, SW_FMT_JUNIT);
	assert_true(sw_starts_with(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				      "<testsuites name=\"stowaway\" tests=\"6\" failures=\"5\" errors=\"0\" time=\"0\">\n"));
	assert_non_null(strstr(x, "<testsuite name=\"deb\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"2023-11-14T22:13:20\">"));
	assert_non_null(strstr(x, "<testcase classname=\"maven\" name=\"org.apache.logging.log4j:log4j-core 2.14.1 (app/lib/log4j core-2.14.1.jar)\" time=\"0\">"));
	assert_non_null(strstr(x, "<failure message=\"CVE-2021-44228 critical: Remote code injection in Log4j\" type=\"critical\">Vulnerability: CVE-2021-44228\nAliases: CVE-2021-44228 GHSA-jfh8-c2jp-5v3q\n"));
	assert_non_null(strstr(x, "Fixed in: 2.15.0\n"));
	assert_non_null(strstr(x, "<failure message=\"CVE-2024-0002 unknown: no fixed version\" type=\"unknown\">"));
	assert_non_null(strstr(x, "<testcase classname=\"deb\" name=\"zlib1g 1:1.2.13.dfsg-1 (var/lib/dpkg/status)\" time=\"0\"/>"));
	assert_non_null(strstr(x, "&lt;script&gt;"));
	assert_non_null(strstr(x, "<property name=\"note\" value=\".stowawayignore: line 5"));
	assert_int_equal(count_str(x, "<failure "), NSHOWN);
	assert_null(strstr(x, "CVE-2021-45046"));
	assert_null(strstr(x, "<system-out>"));
	free(x);

	x = render_o(fx, SW_FMT_JUNIT, false, true);
	assert_int_equal(count_str(x, "<failure "), NSHOWN);
	assert_non_null(strstr(x, "<system-out>suppressed: CVE-2021-45046 critical: vex: fixed (app.cdx.json)\n</system-out>"));
	if (have_python()) {
		char *dir = sw_test_tmpdir();
		char *path = write_tmp(dir, "junit.xml", x);
		char *cmd = sw_xasprintf(
			"/usr/bin/python3 -c 'import sys, xml.dom.minidom\n"
			"d = xml.dom.minidom.parse(sys.argv[1])\n"
			"tc = d.getElementsByTagName(\"testcase\"); f = d.getElementsByTagName(\"failure\")\n"
			"assert len(tc) == 6 and len(f) == 10, (len(tc), len(f))\n"
			"assert [s.getAttribute(\"name\") for s in d.getElementsByTagName(\"testsuite\")] == [\"deb\", \"npm\", \"maven\", \"pypi\"]\n"
			"assert any(\"CVE-2021-44228 critical\" in e.getAttribute(\"message\") for e in f)' '%s'", path);
		assert_int_equal(sw_test_sh(cmd), 0);
		free(cmd);
		unlink(path);
		free(path);
		rmdir(dir);
		free(dir);
	}
	free(x);
}

/* ---------------- every format: determinism, empty results, errors ---------------- */

static void test_deterministic(void **state)
{
	struct fixture *fx = *state;
	for (int f = SW_FMT_TABLE; f <= SW_FMT_JUNIT; f++) {
		struct fixture other = { make_inventory(), NULL };
		other.res = make_result(other.inv);
		char *x = render(fx, (enum sw_report_format)f);
		char *y = render(&other, (enum sw_report_format)f);
		assert_string_equal(x, y);
		free(x);
		free(y);
		sw_match_result_free(other.res);
		free_inventory(other.inv);
	}
}

static void test_empty(void **state)
{
	(void)state;
	struct fixture fx = { make_inventory(), sw_xcalloc(1, sizeof(struct sw_match_result)) };
	fx.res->os_ecosystem = sw_xstrdup("Debian:13");
	sw_vec_push_strdup(&fx.res->notes, "no vulnerability data for Debian:13; OS packages not checked");
	char *t = render(&fx, SW_FMT_TABLE);
	assert_non_null(strstr(t, "NOTE: no vulnerability data for Debian:13; OS packages not checked\n"));
	assert_non_null(strstr(t, "\nTotal: 0 vulnerabilities (critical 0, high 0, medium 0, low 0, negligible 0, unknown 0)\n"));
	assert_null(strstr(t, "suppressed"));
	free(t);
	json_t *j = render_json(&fx, SW_FMT_JSON, false);
	assert_false(json_is_true(json_object_get(j, "osCovered")));
	assert_int_equal(json_array_size(json_object_get(j, "vulnerabilities")), 0);
	json_decref(j);
	j = render_json(&fx, SW_FMT_CYCLONEDX, false);
	assert_string_equal(jget(json_array_get(json_object_get(j, "properties"), 0), "value"),
			    "no vulnerability data for Debian:13; OS packages not checked");
	json_decref(j);
	for (int f = SW_FMT_TABLE; f <= SW_FMT_JUNIT; f++) {
		char *s = render(&fx, (enum sw_report_format)f);
		assert_non_null(strstr(s, "Debian:13"));
		free(s);
	}
	sw_match_result_free(fx.res);
	free_inventory(fx.inv);
}

static void test_errors(void **state)
{
	struct fixture *fx = *state;
	enum sw_report_format f;
	assert_int_equal(sw_report_format_parse("sarif", &f), 0);
	assert_int_equal(f, SW_FMT_SARIF);
	assert_int_equal(sw_report_format_parse("html", &f), 0);
	assert_int_equal(f, SW_FMT_HTML);
	assert_int_equal(sw_report_format_parse("junit", &f), 0);
	assert_int_equal(f, SW_FMT_JUNIT);
	assert_string_equal(sw_report_format_name(SW_FMT_JUNIT), "junit");
	assert_int_equal(sw_report_format_parse("xml", &f), -SW_E_USAGE);

	struct sw_report_opts o = { .now = NOW };
	struct sw_err err = SW_ERR_INIT;
	/* scan-only formats are no SBOM */
	assert_true(sw_report_sbom(stdout, SW_FMT_SARIF, fx->inv, &o, &err) < 0);
	assert_int_equal(err.code, SW_E_USAGE);
	assert_string_equal(err.msg, "format 'sarif' is for scan results only");
	/* a finding outside the inventory */
	struct sw_finding *last = fx->res->findings.items[fx->res->findings.len - 1];
	size_t keep = last->pkg;
	last->pkg = 99;
	sw_err_clear(&err);
	assert_true(sw_report_scan(stdout, SW_FMT_JSON, fx->inv, fx->res, &o, &err) < 0);
	assert_int_equal(err.code, SW_E_INTERNAL);
	assert_non_null(strstr(err.msg, "finding 13 does not name a package"));
	last->pkg = keep;
	char *id = last->id;
	last->id = sw_xstrdup("");
	sw_err_clear(&err);
	assert_true(sw_report_scan(stdout, SW_FMT_TABLE, fx->inv, fx->res, &o, &err) < 0);
	assert_string_equal(err.msg, "finding 13 has no id");
	free(last->id);
	last->id = id;
	sw_err_clear(&err);
	assert_true(sw_report_scan(stdout, SW_FMT_JSON, fx->inv, NULL, &o, &err) < 0);
	assert_int_equal(err.code, SW_E_INTERNAL);
	/* write errors */
	FILE *fp = fopen("/dev/full", "w");
	assert_non_null(fp); /* every Linux system has /dev/full */
	for (int k = SW_FMT_TABLE; k <= SW_FMT_JUNIT; k++) {
		sw_err_clear(&err);
		assert_true(sw_report_scan(fp, (enum sw_report_format)k, fx->inv, fx->res, &o, &err) < 0);
		assert_int_equal(err.code, SW_E_IO);
		assert_non_null(strstr(err.msg, "cannot write the report"));
		clearerr(fp);
	}
	fclose(fp);
}

/* ---------------- schema validation (needs ../shared/data) ---------------- */

static int validate_q(const char *schema, const char *doc, bool quiet)
{
	const char *src = getenv("SW_SOURCE_DIR");
	char *cmd = sw_xasprintf("/usr/bin/python3 '%s/tests/tools/validate-schema.py' '%s' '%s'%s",
				 src ? src : "..", schema, doc, quiet ? " >/dev/null" : "");
	int r = sw_test_sh(cmd);
	free(cmd);
	return r;
}

static void test_schemas(void **state)
{
	struct fixture *fx = *state;
	const char *data = sw_test_require_shared_data("test_report_scan schema validation");
	if (sw_test_sh("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
		fail_msg("/usr/bin/python3 has no jsonschema (python3-jsonschema, scripts/setup-deps.sh)");
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	char *dir = sw_test_tmpdir();
	struct {
		enum sw_report_format f;
		const char *schema; /* relative to data, or "@" + relative to the source */
		const char *name;
	} cases[] = {
		{ SW_FMT_SARIF, "schemas/sarif/sarif-schema-2.1.0.json", "out.sarif" },
		{ SW_FMT_CYCLONEDX, "schemas/cyclonedx/bom-1.5.schema.json", "out.cdx.json" },
		{ SW_FMT_SPDX_JSON, "schemas/spdx/v2.3/spdx-schema.json", "out.spdx.json" },
		{ SW_FMT_SPDX_JSON, "schemas/spdx/support-2.3.1/spdx-schema.json", "out2.spdx.json" },
		{ SW_FMT_JSON, "@docs/stowaway-scan.schema.json", "out.json" },
	};
	for (int show = 0; show <= 1; show++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char *s = render_o(fx, cases[i].f, false, show);
			char *doc = write_tmp(dir, cases[i].name, s);
			free(s);
			char *schema = cases[i].schema[0] == '@' ? sw_xasprintf("%s/%s", src, cases[i].schema + 1)
								 : sw_xasprintf("%s/%s", data, cases[i].schema);
			assert_int_equal(validate_q(schema, doc, false), 0);
			/* the validator does reject: drop a required key */
			if (!show) {
				json_t *j = json_load_file(doc, 0, NULL);
				assert_non_null(j);
				const char *drop = cases[i].f == SW_FMT_SARIF ? "runs"
						   : cases[i].f == SW_FMT_CYCLONEDX ? "bomFormat"
						   : cases[i].f == SW_FMT_JSON ? "summary" : "SPDXID";
				assert_int_equal(json_object_del(j, drop), 0);
				assert_int_equal(json_dump_file(j, doc, 0), 0);
				json_decref(j);
				assert_int_equal(validate_q(schema, doc, true), 1);
			}
			unlink(doc);
			free(doc);
			free(schema);
		}
	}
	/* our schema checks the finding shape too */
	char *s = render(fx, SW_FMT_JSON);
	json_t *j = parse(s);
	free(s);
	json_object_set_new(json_array_get(json_object_get(j, "vulnerabilities"), 0), "severity",
			    json_string("severe"));
	char *doc = sw_xasprintf("%s/bad.json", dir);
	assert_int_equal(json_dump_file(j, doc, 0), 0);
	json_decref(j);
	char *schema = sw_xasprintf("%s/docs/stowaway-scan.schema.json", src);
	assert_int_equal(validate_q(schema, doc, true), 1);
	unlink(doc);
	free(doc);
	free(schema);
	rmdir(dir);
	free(dir);
}


/* Hostile text from the image and the database: control bytes, invalid
 * UTF-8, non-URL references, odd dates, an empty version.  Every document
 * still validates and parses. */
static struct fixture *make_hostile(void)
{
	struct fixture *fx = sw_xcalloc(1, sizeof(*fx));
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	sw_vec_push(&inv->layers, layer(0, DIFF0, "RUN \x1b[2J <b>&amp; \xff"));
	pkg(inv, "npm", "@sc\"ope", "na\xffme<i>", "", "app dir/\xe2\x98\x83/package.json", 0);
	pkg(inv, "deb", NULL, "x", "1.0", NULL, -1);
	struct sw_match_result *res = sw_xcalloc(1, sizeof(*res));
	sw_vec_push_strdup(&res->notes, "note with \x01 control and <tags> & \xc3\x28 bad utf-8");
	for (int i = 0; i < 3; i++) {
		struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
		f->id = sw_xstrdup(i == 0 ? "CVE 2024 \xe2\x98\x83\x01" : i == 1 ? "GHSA-<x>" : "-");
		sw_vec_push_strdup(&f->ids, f->id);
		sw_vec_push_strdup(&f->ids, "ALIAS\xff");
		sw_vec_push_strdup(&f->ids, "");
		f->pkg = (size_t)(i % 2);
		f->installed = sw_xstrdup("");
		f->fixed = sw_xstrdup(i == 1 ? "" : NULL);
		f->status = (enum sw_vuln_status)(i * 3);
		f->severity = (enum sw_severity_level)(i * 2);
		f->severity_source = sw_xstrdup("");
		f->cvss_score = i == 2 ? 11.5 : -1;
		f->cvss_vector = sw_xstrdup(i == 0 ? "garbage \x02" : NULL);
		f->title = sw_xstrdup("title \xc3\x28 <script>\x07</script> ]]> --> &#0;");
		f->description = sw_xstrdup(i == 1 ? "" : "multi\nline\r\n\ttext");
		sw_vec_push_strdup(&f->references, "not a url");
		sw_vec_push_strdup(&f->references, "javascript:alert(1)");
		sw_vec_push_strdup(&f->references, "https://ok.example.test/a b");
		sw_vec_push_strdup(&f->cwes, "CWE-abc");
		sw_vec_push_strdup(&f->cwes, "CWE-79");
		f->published = sw_xstrdup(i == 0 ? "yesterday" : i == 1 ? "2024-01-02" : "2024-01-02T03:04:05.123");
		f->modified = sw_xstrdup("2024-01-02T03:04:05+02:00");
		f->epss = i == 1 ? 0.5 : -1;
		f->epss_percentile = -1;
		f->kev = i == 2;
		f->suppressed = i == 2 ? sw_xstrdup("vex: not_affected: \xff (x)") : NULL;
		sw_vec_push(&res->findings, f);
	}
	fx->inv = inv;
	fx->res = res;
	return fx;
}

static void test_hostile(void **state)
{
	(void)state;
	struct fixture *fx = make_hostile();
	/* the terminal sees no escape sequences from the data */
	char *t = render(fx, SW_FMT_TABLE);
	assert_null(strchr(t, '\033'));
	assert_null(strchr(t, '\x01'));
	assert_null(strchr(t, '\x07'));
	free(t);
	json_t *j = render_json(fx, SW_FMT_CYCLONEDX, false);
	json_t *v = json_array_get(json_object_get(j, "vulnerabilities"), 0);
	assert_null(json_object_get(v, "published"));  /* "yesterday" is no date */
	assert_null(json_object_get(v, "advisories")); /* no reference is a URL */
	assert_int_equal(json_array_size(json_object_get(v, "cwes")), 1);
	assert_string_equal(jget(json_object_get(v, "source"), "url"), "https://osv.dev/list");
	assert_string_equal(jget(json_array_get(json_object_get(json_array_get(json_object_get(v, "affects"), 0), "versions"), 0), "version"), "unknown");
	v = json_array_get(json_object_get(j, "vulnerabilities"), 1);
	assert_string_equal(jget(v, "published"), "2024-01-02T00:00:00Z");
	assert_string_equal(jget(v, "updated"), "2024-01-02T03:04:05+02:00");
	v = json_array_get(json_object_get(j, "vulnerabilities"), 2);
	assert_string_equal(jget(v, "published"), "2024-01-02T03:04:05.123Z");
	assert_null(json_object_get(json_array_get(json_object_get(v, "ratings"), 0), "score")); /* 11.5 */
	json_decref(j);
	j = render_json(fx, SW_FMT_JSON, false);
	v = json_array_get(json_object_get(j, "vulnerabilities"), 2);
	assert_true(json_is_null(json_object_get(v, "cvss"))); /* 11.5 is no CVSS score */
	assert_int_equal(json_array_size(json_object_get(v, "aliases")), 2); /* the empty one dropped */
	json_decref(j);
	j = render_json(fx, SW_FMT_SARIF, false);
	json_t *rule = json_array_get(json_object_get(json_object_get(json_object_get(
		json_array_get(json_object_get(j, "runs"), 0), "tool"), "driver"), "rules"), 0);
	assert_string_equal(jget(rule, "helpUri"), "https://osv.dev/list");
	json_decref(j);

	const char *data = sw_test_require_shared_data("test_report_scan schema validation");
	if (sw_test_sh("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
		fail_msg("/usr/bin/python3 has no jsonschema (python3-jsonschema, scripts/setup-deps.sh)");
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	char *dir = sw_test_tmpdir();
	for (int show = 0; show <= 1; show++) {
		struct {
			enum sw_report_format f;
			const char *schema;
		} cases[] = {
			{ SW_FMT_SARIF, "schemas/sarif/sarif-schema-2.1.0.json" },
			{ SW_FMT_CYCLONEDX, "schemas/cyclonedx/bom-1.5.schema.json" },
			{ SW_FMT_SPDX_JSON, "schemas/spdx/support-2.3.1/spdx-schema.json" },
			{ SW_FMT_JSON, "@docs/stowaway-scan.schema.json" },
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char *s = render_o(fx, cases[i].f, false, show);
			char *doc = write_tmp(dir, "hostile.json", s);
			free(s);
			char *schema = cases[i].schema[0] == '@' ? sw_xasprintf("%s/%s", src, cases[i].schema + 1)
								 : sw_xasprintf("%s/%s", data, cases[i].schema);
			assert_int_equal(validate_q(schema, doc, false), 0);
			unlink(doc);
			free(doc);
			free(schema);
		}
		if (have_python()) {
			char *h = render_o(fx, SW_FMT_HTML, false, show);
			char *x = render_o(fx, SW_FMT_JUNIT, false, show);
			char *hp = write_tmp(dir, "hostile.html", h);
			char *xp = write_tmp(dir, "hostile.xml", x);
			char *cmd = sw_xasprintf("/usr/bin/python3 -c 'import sys, xml.dom.minidom\n"
						 "for p in sys.argv[1:]: xml.dom.minidom.parse(p)' '%s' '%s'", hp, xp);
			assert_int_equal(sw_test_sh(cmd), 0);
			free(cmd);
			assert_null(strstr(h, "<script>\x07"));
			unlink(hp);
			unlink(xp);
			free(hp);
			free(xp);
			free(h);
			free(x);
		}
	}
	rmdir(dir);
	free(dir);
	teardown((void **)&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cyclonedx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spdx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test(test_empty),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schemas, setup, teardown),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
