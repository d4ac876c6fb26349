/* test_report_sbom.c - the SBOM writers: table, JSON, CycloneDX 1.5,
 * SPDX 2.3.  Content assertions on a hand-built inventory, determinism,
 * write errors, licence recognition, and (with ../shared/data) validation
 * against the official schemas and our own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <regex.h>

#include "report/report.h"
#include "report/report_int.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

#define NOW 1700000000LL /* 2023-11-14T22:13:20Z */

static struct sw_inv_layer *layer(int index, const char *digest, const char *diff, const char *by,
				  uint64_t size)
{
	struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
	l->index = index;
	l->digest = sw_xstrdup(digest);
	l->diff_id = sw_xstrdup(diff);
	l->created_by = sw_xstrdup(by);
	l->size = size;
	return l;
}

static struct sw_package *pkg(struct sw_inventory *inv, const char *type, const char *ns,
			      const char *name, const char *version, const char *arch,
			      const char *path, int layer_index)
{
	struct sw_package *p = sw_package_new(type);
	p->namespace_ = sw_xstrdup(ns);
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup(version);
	p->arch = sw_xstrdup(arch);
	p->path = sw_xstrdup(path);
	p->layer_index = layer_index;
	if (layer_index >= 0) {
		struct sw_inv_layer *l = inv->layers.items[layer_index];
		p->layer_diff_id = sw_xstrdup(l->diff_id);
		p->layer_created_by = sw_xstrdup(l->created_by);
	}
	sw_vec_push(&inv->packages, p);
	return p;
}

#define DIFF0 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define DIFF1 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define DIFF2 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define MDIGEST "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static struct sw_inventory *make_inventory(void)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->transport = sw_xstrdup("docker-archive");
	inv->reference = sw_xstrdup("fixtures/app.tar");
	inv->manifest_digest = sw_xstrdup(MDIGEST);
	inv->config_digest = sw_xstrdup("sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	inv->architecture = sw_xstrdup("amd64");
	inv->image_os = sw_xstrdup("linux");
	sw_vec_push_strdup(&inv->repo_tags, "example.test/app:1.0");
	sw_vec_push(&inv->layers, layer(0, "sha256:c0", DIFF0,
					"/bin/sh -c #(nop) ADD file:6a8e9b3b6a1c0d2e7f in / ", 1000));
	sw_vec_push(&inv->layers, layer(1, "sha256:c1", DIFF1,
					"RUN /bin/sh -c apt-get update &&     apt-get install -y perl openssl libssl3 ca-certificates # buildkit",
					2000));
	sw_vec_push(&inv->layers, layer(2, "sha256:c2", DIFF2, "COPY app /app # buildkit", 3000));
	inv->os.id = sw_xstrdup("debian");
	inv->os.version_id = sw_xstrdup("12");
	inv->os.codename = sw_xstrdup("bookworm");
	inv->os.pretty_name = sw_xstrdup("Debian GNU/Linux 12 (bookworm)");
	inv->os.source = sw_xstrdup("usr/lib/os-release");

	struct sw_package *p;
	p = pkg(inv, "deb", NULL, "bash", "5.2.15-2+b2", "amd64", "var/lib/dpkg/status", 0);
	sw_vec_push_strdup(&p->licenses, "GPL-3+");
	p = pkg(inv, "deb", NULL, "bsdutils", "1:2.38.1-5+b1", "amd64", "var/lib/dpkg/status", 0);
	p->source_name = sw_xstrdup("util-linux");
	p->source_version = sw_xstrdup("2.38.1-5");
	sw_vec_push_strdup(&p->licenses, "GPL-2+");
	sw_vec_push_strdup(&p->licenses, "BSD-3-clause");
	sw_vec_push_strdup(&p->licenses, "public-domain");
	p = pkg(inv, "deb", NULL, "libc6", "2.36-9+deb12u4", "amd64", "var/lib/dpkg/status", 1);
	p->source_name = sw_xstrdup("glibc");
	sw_vec_push_strdup(&p->licenses, "LGPL-2.1");
	sw_vec_push_strdup(&p->licenses, "GPL-2.0-only WITH GCC-exception-2.0");
	p = pkg(inv, "rpm", NULL, "openssl-libs", "3.0.7-24.el9", "x86_64", "var/lib/rpm/rpmdb.sqlite", 1);
	p->epoch = 1;
	p->source_name = sw_xstrdup("openssl");
	p->vendor = sw_xstrdup("Red Hat, Inc.");
	sw_vec_push_strdup(&p->licenses, "ASL 2.0");
	p = pkg(inv, "apk", NULL, "musl", "1.2.4-r2", "x86_64", "lib/apk/db/installed", 1);
	sw_vec_push_strdup(&p->licenses, "MIT");
	p = pkg(inv, "npm", "@babel", "core", "7.22.0", NULL, "app/node_modules/@babel/core/package.json", 2);
	sw_vec_push_strdup(&p->licenses, "MIT");
	p = pkg(inv, "npm", NULL, "lodash", "4.17.21", NULL, "app/node_modules/lodash/package.json", 2);
	sw_vec_push_strdup(&p->licenses, "mit");
	p = pkg(inv, "npm", NULL, "lodash", "4.17.21", NULL, "app/node_modules/x/node_modules/lodash/package.json", 2);
	p->flags = SW_PKG_DEV;
	p = pkg(inv, "maven", "org.apache.logging.log4j", "log4j-core", "2.14.1", NULL,
		"app/lib/log4j-core-2.14.1.jar", 2);
	sw_vec_push_strdup(&p->licenses, "Apache-2.0");
	p = pkg(inv, "pypi", NULL, "Jinja2", "3.1.2", NULL,
		"usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA", 1);
	sw_vec_push_strdup(&p->licenses, "(MIT or Apache-2.0) AND BSD-3-Clause");
	p->owner = sw_xstrdup("deb:python3-jinja2");
	p = pkg(inv, "pypi", NULL, "Flask_Login", "0.6.2", NULL,
		"app/venv/lib/python3.11/site-packages/Flask_Login-0.6.2.dist-info/METADATA", -1);
	sw_vec_push_strdup(&p->licenses, "Some Proprietary Licence v1 (see LICENSE.txt)");
	sw_vec_push_strdup(&inv->warnings, "app/package-lock.json: unexpected lockfileVersion 9");
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
	free(inv->config_digest);
	free(inv->architecture);
	free(inv->image_os);
	sw_vec_free_strings(&inv->repo_tags);
	sw_vec_free_all(&inv->layers, free_layer);
	free(inv->os.id);
	free(inv->os.version_id);
	free(inv->os.codename);
	free(inv->os.pretty_name);
	free(inv->os.id_like);
	free(inv->os.source);
	sw_vec_free_all(&inv->packages, sw_package_free_v);
	sw_vec_free_strings(&inv->warnings);
	free(inv);
}

/* Render inv in format f into a malloc'd string. */
static char *render(const struct sw_inventory *inv, enum sw_report_format f, bool color)
{
	char *data = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&data, &len);
	assert_non_null(fp);
	struct sw_report_opts o = { .color = color, .now = NOW, .tool_version = "0.1.0-test" };
	struct sw_err err = SW_ERR_INIT;
	int r = sw_report_sbom(fp, f, inv, &o, &err);
	if (r < 0)
		print_error("sw_report_sbom: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_int_equal(fclose(fp), 0);
	return data;
}

static json_t *render_json(const struct sw_inventory *inv, enum sw_report_format f)
{
	char *s = render(inv, f, false);
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	if (!j)
		print_error("not JSON: %s\n", je.text);
	assert_non_null(j);
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

/* value of CycloneDX property `name` of component c (first), or NULL */
static const char *cdx_prop(json_t *c, const char *name)
{
	json_t *p = find_by(json_object_get(c, "properties"), "name", name);
	return p ? jget(p, "value") : NULL;
}

/* ------------------------------------------------------------------ */

static void test_format_parse(void **state)
{
	(void)state;
	enum sw_report_format f = SW_FMT_TABLE;
	assert_int_equal(sw_report_format_parse("cyclonedx-json", &f), 0);
	assert_int_equal(f, SW_FMT_CYCLONEDX);
	assert_int_equal(sw_report_format_parse("cyclonedx", &f), 0);
	assert_int_equal(f, SW_FMT_CYCLONEDX);
	assert_int_equal(sw_report_format_parse("spdx", &f), 0);
	assert_int_equal(f, SW_FMT_SPDX_JSON);
	assert_int_equal(sw_report_format_parse("spdx-json", &f), 0);
	assert_int_equal(f, SW_FMT_SPDX_JSON);
	assert_int_equal(sw_report_format_parse("json", &f), 0);
	assert_int_equal(f, SW_FMT_JSON);
	assert_int_equal(sw_report_format_parse("table", &f), 0);
	assert_int_equal(f, SW_FMT_TABLE);
	assert_int_equal(sw_report_format_parse("xml", &f), -SW_E_USAGE);
	assert_int_equal(sw_report_format_parse("JSON", &f), -SW_E_USAGE);
	assert_int_equal(sw_report_format_parse(NULL, &f), -SW_E_USAGE);
	assert_int_equal(f, SW_FMT_TABLE);
	assert_string_equal(sw_report_format_name(SW_FMT_SPDX_JSON), "spdx-json");
	assert_string_equal(sw_report_format_name(SW_FMT_CYCLONEDX), "cyclonedx");
}

static void test_license(void **state)
{
	(void)state;
	assert_string_equal(sw_report_license_id("mit"), "MIT");
	assert_string_equal(sw_report_license_id(" Apache-2.0 "), "Apache-2.0");
	assert_string_equal(sw_report_license_id("GPL-2+"), "GPL-2.0-or-later");
	assert_string_equal(sw_report_license_id("ASL 2.0"), "Apache-2.0");
	assert_string_equal(sw_report_license_id("GPL-2.0+"), "GPL-2.0+");
	assert_null(sw_report_license_id("MIT AND ISC"));
	assert_null(sw_report_license_id("public-domain"));
	assert_string_equal(sw_report_license_id("BSD-3-clause"), "BSD-3-Clause");
	assert_string_equal(sw_report_license_id("Expat"), "MIT");
	assert_string_equal(sw_report_license_id("GFDL-1.3+"), "GFDL-1.3-or-later");
	assert_string_equal(sw_report_license_id("GPL+"), "GPL-1.0-or-later");
	assert_null(sw_report_license_id("Artistic"));
	assert_null(sw_report_license_id("GPL"));
	assert_null(sw_report_license_id(""));
	assert_null(sw_report_license_id(NULL));

	static const struct {
		const char *in, *want;
	} ex[] = {
		{ "MIT", "MIT" },
		{ "mit OR apache-2.0", "MIT OR Apache-2.0" },
		{ "(MIT or Apache-2.0) and BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause" },
		{ "GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0" },
		{ "GPLv2+ and LGPLv2+", "GPL-2.0-or-later AND LGPL-2.0-or-later" },
		{ "LGPL-2.1-only+", "LGPL-2.1-or-later" },
		{ "MPL-1.1+", "MPL-1.1+" },
		{ "Apache License 2.0", "Apache-2.0" },
		{ "((ISC))", "((ISC))" },
		{ "MIT AND", NULL },
		{ "(MIT", NULL },
		{ "MIT)", NULL },
		{ "MIT OR Foo-Licence", NULL },
		{ "MIT WITH Bogus-exception", NULL },
		{ "MIT WITH", NULL },
		{ "LicenseRef-foo", NULL },
		{ "MIT, BSD", NULL },
		{ "AND", NULL },
		{ "", NULL },
		{ "GPL-2.0+ OR MIT+", "GPL-2.0+ OR MIT+" },
	};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		char *got = sw_report_license_expression(ex[i].in);
		if (!sw_streq(got, ex[i].want) && (got || ex[i].want)) {
			print_error("'%s': want '%s', got '%s'\n", ex[i].in, ex[i].want ? ex[i].want : "(null)",
				    got ? got : "(null)");
			fail();
		}
		free(got);
	}
	/* nesting is bounded */
	char deep[200];
	memset(deep, '(', 100);
	memcpy(deep + 100, "MIT", 3);
	memset(deep + 103, ')', 96);
	deep[199] = '\0';
	assert_null(sw_report_license_expression(deep));
	assert_true(sw_report_license_is_simple("MIT"));
	assert_false(sw_report_license_is_simple("MIT OR ISC"));
}

static void test_json(void **state)
{
	(void)state;
	struct sw_inventory *inv = make_inventory();
	json_t *doc = render_json(inv, SW_FMT_JSON);
	assert_string_equal(jget(doc, "schemaVersion"), "1.2");
	assert_string_equal(jget(doc, "created"), "2023-11-14T22:13:20Z");
	assert_string_equal(jget(json_object_get(doc, "tool"), "version"), "0.1.0-test");
	json_t *img = json_object_get(doc, "image");
	assert_string_equal(jget(img, "manifestDigest"), MDIGEST);
	assert_int_equal(json_array_size(json_object_get(img, "layers")), 3);
	json_t *l1 = json_array_get(json_object_get(img, "layers"), 1);
	assert_string_equal(jget(l1, "diffId"), DIFF1);
	assert_int_equal(json_integer_value(json_object_get(l1, "size")), 2000);
	assert_string_equal(jget(json_object_get(doc, "os"), "codename"), "bookworm");

	json_t *pk = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pk), 11);
	json_t *bash = json_array_get(pk, 0);
	assert_string_equal(jget(bash, "purl"), "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
	assert_string_equal(jget(bash, "sourceName"), "bash");
	assert_true(json_is_null(json_object_get(bash, "epoch")));
	json_t *lay = json_object_get(bash, "layer");
	assert_int_equal(json_integer_value(json_object_get(lay, "index")), 0);
	assert_string_equal(jget(lay, "diffId"), DIFF0);
	assert_string_equal(jget(lay, "createdBy"), "/bin/sh -c #(nop) ADD file:6a8e9b3b6a1c0d2e7f in / ");
	json_t *bsd = json_array_get(pk, 1);
	assert_string_equal(jget(bsd, "sourceName"), "util-linux");
	assert_string_equal(jget(bsd, "sourceVersion"), "2.38.1-5");
	assert_int_equal(json_array_size(json_object_get(bsd, "licenses")), 3);
	json_t *rpm = json_array_get(pk, 3);
	assert_int_equal(json_integer_value(json_object_get(rpm, "epoch")), 1);
	assert_string_equal(jget(rpm, "vendor"), "Red Hat, Inc.");
	assert_string_equal(jget(rpm, "purl"), "pkg:rpm/debian/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=debian-12&epoch=1");
	json_t *dev = json_array_get(pk, 7);
	assert_string_equal(json_string_value(json_array_get(json_object_get(dev, "flags"), 0)), "dev");
	json_t *jinja = json_array_get(pk, 9);
	assert_string_equal(jget(jinja, "owner"), "deb:python3-jinja2");
	assert_string_equal(jget(jinja, "purl"), "pkg:pypi/jinja2@3.1.2");
	json_t *flask = json_array_get(pk, 10);
	assert_true(json_is_null(json_object_get(flask, "layer")));
	assert_true(json_is_null(json_object_get(flask, "sourceName")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "warnings"), 0)),
			    "app/package-lock.json: unexpected lockfileVersion 9");
	json_decref(doc);

	/* a purl already set on the package is kept as it is */
	struct sw_package *p0 = inv->packages.items[0];
	p0->purl = sw_xstrdup("pkg:deb/debian/bash@custom");
	doc = render_json(inv, SW_FMT_JSON);
	assert_string_equal(jget(json_array_get(json_object_get(doc, "packages"), 0), "purl"),
			    "pkg:deb/debian/bash@custom");
	json_decref(doc);
	free_inventory(inv);
}

static void test_cyclonedx(void **state)
{
	(void)state;
	struct sw_inventory *inv = make_inventory();
	json_t *doc = render_json(inv, SW_FMT_CYCLONEDX);
	assert_string_equal(jget(doc, "bomFormat"), "CycloneDX");
	assert_string_equal(jget(doc, "specVersion"), "1.5");
	regex_t re;
	assert_int_equal(regcomp(&re, "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, jget(doc, "serialNumber"), 0, NULL, 0), 0);
	regfree(&re);
	json_t *meta = json_object_get(doc, "metadata");
	assert_string_equal(jget(meta, "timestamp"), "2023-11-14T22:13:20Z");
	/* the array form of metadata.tools (valid in 1.5; the only one Trivy 0.44 reads) */
	json_t *tool = json_array_get(json_object_get(meta, "tools"), 0);
	assert_string_equal(jget(tool, "name"), "stowaway");
	assert_string_equal(jget(tool, "version"), "0.1.0-test");
	json_t *mc = json_object_get(meta, "component");
	assert_string_equal(jget(mc, "type"), "container");
	assert_string_equal(jget(mc, "name"), "example.test/app:1.0");
	assert_string_equal(jget(mc, "version"), MDIGEST);

	json_t *comps = json_object_get(doc, "components");
	assert_int_equal(json_array_size(comps), 12); /* OS + 11 */
	json_t *os = json_array_get(comps, 0);
	assert_string_equal(jget(os, "type"), "operating-system");
	assert_string_equal(jget(os, "name"), "debian");
	assert_string_equal(jget(os, "version"), "12");

	json_t *bash = find_by(comps, "name", "bash");
	assert_non_null(bash);
	assert_string_equal(jget(bash, "type"), "library");
	assert_string_equal(jget(bash, "bom-ref"), jget(bash, "purl"));
	assert_string_equal(cdx_prop(bash, "stowaway:layer:index"), "0");
	assert_string_equal(cdx_prop(bash, "stowaway:layer:diff_id"), DIFF0);
	assert_string_equal(cdx_prop(bash, "stowaway:package:path"), "var/lib/dpkg/status");
	json_t *lic = json_object_get(json_array_get(json_object_get(bash, "licenses"), 0), "license");
	assert_string_equal(jget(lic, "id"), "GPL-3.0-or-later");

	/* ids and a free-text name in one list */
	json_t *bsd = find_by(comps, "name", "bsdutils");
	json_t *bl = json_object_get(bsd, "licenses");
	assert_int_equal(json_array_size(bl), 3);
	assert_string_equal(jget(json_object_get(json_array_get(bl, 1), "license"), "id"), "BSD-3-Clause");
	assert_string_equal(jget(json_object_get(json_array_get(bl, 2), "license"), "name"), "public-domain");
	assert_string_equal(cdx_prop(bsd, "stowaway:package:source_name"), "util-linux");
	assert_string_equal(jget(bsd, "version"), "1:2.38.1-5+b1");
	/* what Trivy reads: its own property names */
	assert_string_equal(cdx_prop(bsd, "aquasecurity:trivy:SrcName"), "util-linux");
	assert_string_equal(cdx_prop(bsd, "aquasecurity:trivy:SrcVersion"), "2.38.1-5");
	assert_string_equal(cdx_prop(bsd, "aquasecurity:trivy:LayerDiffID"), DIFF0);

	/* an id plus an expression become one expression */
	json_t *libc = find_by(comps, "name", "libc6");
	json_t *ll = json_object_get(libc, "licenses");
	assert_int_equal(json_array_size(ll), 1);
	assert_string_equal(jget(json_array_get(ll, 0), "expression"),
			    "LGPL-2.1 AND (GPL-2.0-only WITH GCC-exception-2.0)");

	json_t *rpm = find_by(comps, "name", "openssl-libs");
	assert_string_equal(jget(rpm, "version"), "1:3.0.7-24.el9");
	assert_string_equal(cdx_prop(rpm, "stowaway:package:epoch"), "1");
	assert_string_equal(jget(json_object_get(json_array_get(json_object_get(rpm, "licenses"), 0), "license"), "id"),
			    "Apache-2.0");

	json_t *babel = find_by(comps, "name", "core");
	assert_string_equal(jget(babel, "group"), "@babel");
	assert_string_equal(jget(babel, "purl"), "pkg:npm/%40babel/core@7.22.0");
	assert_string_equal(cdx_prop(babel, "stowaway:layer:created_by"), "COPY app /app # buildkit");

	/* two lodash with the same purl: same purl, different bom-refs */
	json_t *lo1 = json_array_get(comps, 7), *lo2 = json_array_get(comps, 8);
	assert_string_equal(jget(lo1, "purl"), "pkg:npm/lodash@4.17.21");
	assert_string_equal(jget(lo2, "purl"), "pkg:npm/lodash@4.17.21");
	assert_string_equal(jget(lo1, "bom-ref"), "pkg:npm/lodash@4.17.21");
	assert_string_equal(jget(lo2, "bom-ref"), "pkg:npm/lodash@4.17.21?package-id=2");
	assert_string_equal(cdx_prop(lo2, "stowaway:package:flag"), "dev");

	json_t *jinja = find_by(comps, "name", "Jinja2");
	assert_string_equal(jget(json_array_get(json_object_get(jinja, "licenses"), 0), "expression"),
			    "(MIT OR Apache-2.0) AND BSD-3-Clause");
	json_t *flask = find_by(comps, "name", "Flask_Login");
	assert_string_equal(jget(json_object_get(json_array_get(json_object_get(flask, "licenses"), 0), "license"), "name"),
			    "Some Proprietary Licence v1 (see LICENSE.txt)");
	assert_null(cdx_prop(flask, "stowaway:layer:index"));

	/* the image depends on the OS and the 6 language packages, the OS on its 5
	 * packages (deb, rpm, apk): the graph Trivy reads */
	json_t *deps = json_object_get(doc, "dependencies");
	assert_int_equal(json_array_size(deps), 2);
	json_t *dep = json_array_get(deps, 0);
	assert_string_equal(jget(dep, "ref"), "image");
	assert_int_equal(json_array_size(json_object_get(dep, "dependsOn")), 7);
	assert_string_equal(json_string_value(json_array_get(json_object_get(dep, "dependsOn"), 0)), "os:debian@12");
	dep = json_array_get(deps, 1);
	assert_string_equal(jget(dep, "ref"), "os:debian@12");
	assert_int_equal(json_array_size(json_object_get(dep, "dependsOn")), 5);
	assert_string_equal(cdx_prop(flask, "aquasecurity:trivy:PkgType"), "python-pkg");
	json_decref(doc);

	/* serial number: a function of image digest and tool version only */
	char *a = render(inv, SW_FMT_CYCLONEDX, false);
	free(inv->manifest_digest);
	inv->manifest_digest = sw_xstrdup("sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	char *b = render(inv, SW_FMT_CYCLONEDX, false);
	const char *sa = strstr(a, "urn:uuid:"), *sb = strstr(b, "urn:uuid:");
	assert_non_null(sa);
	assert_non_null(sb);
	assert_memory_not_equal(sa, sb, 45);
	free(a);
	free(b);
	free_inventory(inv);
}

static void test_spdx(void **state)
{
	(void)state;
	struct sw_inventory *inv = make_inventory();
	json_t *doc = render_json(inv, SW_FMT_SPDX_JSON);
	assert_string_equal(jget(doc, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(jget(doc, "dataLicense"), "CC0-1.0");
	assert_string_equal(jget(doc, "SPDXID"), "SPDXRef-DOCUMENT");
	assert_string_equal(jget(doc, "name"), "example.test/app:1.0");
	assert_true(sw_starts_with(jget(doc, "documentNamespace"),
				   "https://stowaway.invalid/spdx/example.test-app-1.0-"));
	json_t *ci = json_object_get(doc, "creationInfo");
	assert_string_equal(jget(ci, "created"), "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ci, "creators"), 0)),
			    "Tool: stowaway-0.1.0-test");

	json_t *pk = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pk), 16); /* image + OS + 3 applications (npm, maven, pypi) + 11 */
	regex_t re;
	assert_int_equal(regcomp(&re, "^SPDXRef-[A-Za-z0-9.-]+$", REG_EXTENDED | REG_NOSUB), 0);
	size_t i, j;
	json_t *v, *w;
	json_array_foreach(pk, i, v) {
		const char *id = jget(v, "SPDXID");
		assert_int_equal(regexec(&re, id, 0, NULL, 0), 0);
		json_array_foreach(pk, j, w)
			if (j != i)
				assert_string_not_equal(id, jget(w, "SPDXID"));
		assert_string_equal(jget(v, "downloadLocation"), "NOASSERTION");
		assert_true(json_is_false(json_object_get(v, "filesAnalyzed")));
	}
	regfree(&re);
	json_t *img = json_array_get(pk, 0);
	assert_string_equal(jget(img, "primaryPackagePurpose"), "CONTAINER");
	assert_string_equal(jget(img, "versionInfo"), MDIGEST);
	assert_string_equal(jget(json_array_get(pk, 1), "primaryPackagePurpose"), "OPERATING_SYSTEM");

	json_t *bash = find_by(pk, "name", "bash");
	assert_string_equal(jget(bash, "SPDXID"), "SPDXRef-Package-deb-bash-5.2.15-2-b2");
	assert_string_equal(jget(bash, "licenseDeclared"), "GPL-3.0-or-later");
	assert_string_equal(jget(bash, "licenseConcluded"), "NOASSERTION");
	/* an OS package: its source as Trivy reads it, where it was found as the comment */
	assert_string_equal(jget(bash, "sourceInfo"), "built package from: bash 5.2.15-2+b2");
	assert_string_equal(jget(bash, "comment"), "found in layer 0 (" DIFF0 ") at var/lib/dpkg/status");
	json_t *ref = json_array_get(json_object_get(bash, "externalRefs"), 0);
	assert_string_equal(jget(ref, "referenceCategory"), "PACKAGE-MANAGER");
	assert_string_equal(jget(ref, "referenceType"), "purl");
	assert_string_equal(jget(ref, "referenceLocator"),
			    "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");

	json_t *bsd = find_by(pk, "name", "bsdutils");
	assert_string_equal(jget(bsd, "licenseDeclared"),
			    "GPL-2.0-or-later AND BSD-3-Clause AND LicenseRef-public-domain");
	json_t *babel = find_by(pk, "name", "@babel/core");
	assert_non_null(babel);
	assert_string_equal(jget(babel, "SPDXID"), "SPDXRef-Package-npm-babel-core-7.22.0");
	assert_non_null(find_by(pk, "name", "org.apache.logging.log4j:log4j-core"));
	assert_non_null(find_by(pk, "SPDXID", "SPDXRef-Package-npm-lodash-4.17.21-2"));
	json_t *rpm = find_by(pk, "name", "openssl-libs");
	assert_string_equal(jget(rpm, "versionInfo"), "1:3.0.7-24.el9");
	assert_string_equal(jget(rpm, "supplier"), "Organization: Red Hat, Inc.");
	json_t *flask = find_by(pk, "name", "Flask_Login");
	const char *fl = jget(flask, "licenseDeclared");
	assert_string_equal(fl, "LicenseRef-Some-Proprietary-Licence-v1-see-LICENSE.txt");
	assert_string_equal(jget(flask, "sourceInfo"),
			    "found at app/venv/lib/python3.11/site-packages/Flask_Login-0.6.2.dist-info/METADATA");
	json_t *ext = json_object_get(doc, "hasExtractedLicensingInfos");
	assert_int_equal(json_array_size(ext), 2);
	json_t *e = find_by(ext, "licenseId", fl);
	assert_non_null(e);
	assert_string_equal(jget(e, "extractedText"), "Some Proprietary Licence v1 (see LICENSE.txt)");

	json_t *rels = json_object_get(doc, "relationships");
	assert_int_equal(json_array_size(rels), 16); /* DESCRIBES + OS + 3 applications + 11 */
	json_t *r0 = json_array_get(rels, 0);
	assert_string_equal(jget(r0, "relationshipType"), "DESCRIBES");
	assert_string_equal(jget(r0, "relatedSpdxElement"), "SPDXRef-Image");
	json_array_foreach(rels, i, v) {
		if (i == 0)
			continue;
		assert_string_equal(jget(v, "relationshipType"), "CONTAINS");
		assert_non_null(find_by(pk, "SPDXID", jget(v, "relatedSpdxElement")));
	}
	/* the OS contains its packages, an application its language packages */
	json_t *rb = find_by(rels, "relatedSpdxElement", jget(bash, "SPDXID"));
	assert_string_equal(jget(rb, "spdxElementId"), "SPDXRef-OperatingSystem");
	json_t *rf = find_by(rels, "relatedSpdxElement", jget(flask, "SPDXID"));
	json_t *app = find_by(pk, "SPDXID", jget(rf, "spdxElementId"));
	assert_string_equal(jget(app, "name"), "python-pkg");
	assert_string_equal(jget(app, "primaryPackagePurpose"), "APPLICATION");
	json_decref(doc);
	free_inventory(inv);
}

/* the line of `out` that starts with `prefix` (malloc'd), or NULL */
static char *line_starting(const char *out, const char *prefix)
{
	for (const char *l = out; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return sw_xstrndup(l, n);
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void test_table(void **state)
{
	(void)state;
	struct sw_inventory *inv = make_inventory();
	char *out = render(inv, SW_FMT_TABLE, false);
	assert_null(strchr(out, '\033'));
	assert_true(sw_starts_with(out, "Image:  example.test/app:1.0 (" MDIGEST ")\n"
					"OS:     Debian GNU/Linux 12 (bookworm) [debian 12]\n"));
	assert_non_null(strstr(out, "\ndeb packages (3)\n"));
	assert_non_null(strstr(out, "\nnpm packages (3)\n"));
	/* widths from the longest cell of the group, two spaces between columns */
	char *hdr = line_starting(out, "NAME      VERSION");
	assert_non_null(hdr);
	assert_string_equal(hdr, "NAME      VERSION         ARCH   SOURCE               LAYER");
	free(hdr);
	char *row = line_starting(out, "bsdutils ");
	assert_string_equal(row, "bsdutils  1:2.38.1-5+b1   amd64  util-linux 2.38.1-5  0 ADD file:6a8e9b3b6a1c0d2e7f in /");
	free(row);
	row = line_starting(out, "libc6 ");
	assert_string_equal(row, "libc6     2.36-9+deb12u4  amd64  glibc                1 apt-get update && apt-get install -y perl ope...");
	free(row);
	row = line_starting(out, "openssl-libs ");
	assert_string_equal(row, "openssl-libs  1:3.0.7-24.el9  x86_64  openssl  1 apt-get update && apt-get install -y perl ope...");
	free(row);
	row = line_starting(out, "@babel/core ");
	assert_string_equal(row, "@babel/core  7.22.0   -     -       2 COPY app /app");
	free(row);
	row = line_starting(out, "org.apache.logging.log4j:log4j-core ");
	assert_non_null(row);
	free(row);
	row = line_starting(out, "Flask_Login ");
	assert_true(sw_ends_with(row, "  -"));
	free(row);
	assert_non_null(strstr(out, "\nTotal: 11 packages (deb 3, rpm 1, apk 1, npm 3, maven 1, pypi 2)\n"
				    "Warnings (1):\n  app/package-lock.json: unexpected lockfileVersion 9\n"));
	free(out);

	/* colour only when asked */
	out = render(inv, SW_FMT_TABLE, true);
	assert_non_null(strstr(out, "\033[1mNAME"));
	free(out);

	/* terminal control bytes from the image are neutralised; UTF-8 kept */
	struct sw_package *p = inv->packages.items[0];
	free(p->name);
	p->name = sw_xstrdup("ev\033[31mil");
	free(p->version);
	p->version = sw_xstrdup("caf\xc3\xa9");
	out = render(inv, SW_FMT_TABLE, false);
	assert_null(strchr(out, '\033'));
	row = line_starting(out, "ev?[31mil ");
	assert_non_null(row);
	assert_true(sw_starts_with(row, "ev?[31mil  caf\xc3\xa9            amd64"));
	free(row);
	free(out);
	/* C1 controls and invalid UTF-8 too */
	free(p->name);
	p->name = sw_xstrdup("a\xc2\x9b" "b\xff" "c\xe2\x82" "d\xed\xa0\x80" "e\xf0\x9f\x90\xb3");
	out = render(inv, SW_FMT_TABLE, false);
	row = line_starting(out, "a?b?c?d?e\xf0\x9f\x90\xb3 ");
	assert_non_null(row);
	free(row);
	free(out);
	free_inventory(inv);
}

static void test_empty_inventory(void **state)
{
	(void)state;
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	char *t = render(inv, SW_FMT_TABLE, false);
	assert_string_equal(t, "Image:  image\nOS:     unknown\n\nTotal: 0 packages\n");
	free(t);
	for (int f = SW_FMT_JSON; f <= SW_FMT_SPDX_JSON; f++) {
		json_t *j = render_json(inv, (enum sw_report_format)f);
		json_decref(j);
	}
	free(inv);
}

static void test_deterministic(void **state)
{
	(void)state;
	for (int f = SW_FMT_TABLE; f <= SW_FMT_SPDX_JSON; f++) {
		struct sw_inventory *a = make_inventory(), *b = make_inventory();
		char *x = render(a, (enum sw_report_format)f, false);
		char *y = render(b, (enum sw_report_format)f, false);
		assert_string_equal(x, y);
		free(x);
		free(y);
		free_inventory(a);
		free_inventory(b);
	}
}

/* The writers stream big arrays; the bytes must equal a plain dump of the
 * whole document that the sw_report_*_doc() builders make. */
static void check_streamed_equals_doc(struct sw_inventory *inv)
{
	struct sw_report_opts o = { .now = NOW, .tool_version = "0.1.0-test" };
	struct sw_report_ctx ctx = { inv, &o, "0.1.0-test", NULL };
	ctx.purls = sw_xcalloc(inv->packages.len + 1, sizeof(char *));
	for (size_t i = 0; i < inv->packages.len; i++)
		ctx.purls[i] = sw_purl_for_package(inv->packages.items[i], &inv->os);
	static const struct {
		enum sw_report_format f;
		json_t *(*doc)(const struct sw_report_ctx *);
	} fm[] = {
		{ SW_FMT_JSON, sw_report_json_doc },
		{ SW_FMT_CYCLONEDX, sw_report_cdx_doc },
		{ SW_FMT_SPDX_JSON, sw_report_spdx_doc },
	};
	for (size_t k = 0; k < sizeof(fm) / sizeof(fm[0]); k++) {
		json_t *doc = fm[k].doc(&ctx);
		char *whole = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(doc);
		char *streamed = render(inv, fm[k].f, false);
		size_t n = strlen(whole);
		assert_int_equal(strlen(streamed), n + 1);
		assert_memory_equal(streamed, whole, n);
		assert_int_equal(streamed[n], '\n');
		free(whole);
		free(streamed);
	}
	for (size_t i = 0; i < inv->packages.len; i++)
		free(ctx.purls[i]);
	free(ctx.purls);
}

static void test_streamed(void **state)
{
	(void)state;
	struct sw_inventory *inv = make_inventory();
	check_streamed_equals_doc(inv);
	/* an image that spells a placeholder makes the writer fall back to
	 * the whole document: same bytes */
	free(inv->reference);
	inv->reference = sw_xstrdup("\001sw-stream-0\001");
	free(inv->repo_tags.items[0]);
	inv->repo_tags.items[0] = sw_xstrdup("\001sw-stream-1\001");
	check_streamed_equals_doc(inv);
	char *s = render(inv, SW_FMT_SPDX_JSON, false);
	assert_non_null(strstr(s, "\"name\": \"\\u0001sw-stream-1\\u0001\""));
	free(s);
	free_inventory(inv);
	/* no packages, no OS */
	inv = sw_xcalloc(1, sizeof(*inv));
	check_streamed_equals_doc(inv);
	free(inv);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *fp = fopen("/dev/full", "w");
	assert_non_null(fp); /* every Linux system has /dev/full */
	struct sw_inventory *inv = make_inventory();
	struct sw_report_opts o = { .now = NOW };
	for (int f = SW_FMT_TABLE; f <= SW_FMT_SPDX_JSON; f++) {
		struct sw_err err = SW_ERR_INIT;
		assert_true(sw_report_sbom(fp, (enum sw_report_format)f, inv, &o, &err) < 0);
		assert_int_equal(err.code, SW_E_IO);
		assert_non_null(strstr(err.msg, "cannot write the report"));
		clearerr(fp);
	}
	fclose(fp);
	struct sw_err err = SW_ERR_INIT;
	assert_true(sw_report_sbom(stdout, (enum sw_report_format)42, inv, &o, &err) < 0);
	assert_int_equal(err.code, SW_E_USAGE);
	free_inventory(inv);
}

static void test_file(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *path = sw_xasprintf("%s/sbom.cdx.json", dir);
	struct sw_inventory *inv = make_inventory();
	struct sw_report_opts o = { .now = NOW, .tool_version = "0.1.0-test" };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_report_sbom_file(path, SW_FMT_CYCLONEDX, inv, &o, &err), 0);
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_buf_read_file(&b, path, 1 << 20, &err), 0);
	char *want = render(inv, SW_FMT_CYCLONEDX, false);
	assert_string_equal(b.data, want);
	free(want);
	sw_buf_release(&b);
	/* an unknown format or an unwritable place leaves nothing behind */
	char *bad = sw_xasprintf("%s/bad.json", dir);
	assert_int_equal(sw_report_sbom_file(bad, (enum sw_report_format)42, inv, &o, &err), -SW_E_USAGE);
	assert_int_equal(access(bad, F_OK), -1);
	char *nodir = sw_xasprintf("%s/missing/x.json", dir);
	assert_true(sw_report_sbom_file(nodir, SW_FMT_JSON, inv, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "missing/x.json"));
	unlink(path);
	char *cmd = sw_xasprintf("test -z \"$(ls -A '%s')\"", dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	rmdir(dir);
	free(nodir);
	free(bad);
	free(path);
	free(dir);
	free_inventory(inv);
}

/* ---------------- schema validation (needs ../shared/data) ---------------- */

static char *write_doc(const char *dir, const char *name, const char *content)
{
	char *path = sw_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Run tests/tools/validate-schema.py on schema and the NULL-terminated
 * list of documents; its exit status. */
static int validate_v(const char *schema, bool quiet, const char *doc, ...)
{
	const char *src = getenv("SW_SOURCE_DIR");
	struct sw_buf cmd = SW_BUF_INIT;
	sw_buf_addf(&cmd, "/usr/bin/python3 '%s/tests/tools/validate-schema.py' '%s'",
		    src ? src : "..", schema);
	va_list ap;
	va_start(ap, doc);
	for (const char *d = doc; d; d = va_arg(ap, const char *))
		sw_buf_addf(&cmd, " '%s'", d);
	va_end(ap);
	if (quiet)
		sw_buf_addstr(&cmd, " >/dev/null");
	int r = sw_test_sh(cmd.data);
	sw_buf_release(&cmd);
	return r;
}

static void test_schemas(void **state)
{
	(void)state;
	const char *data = sw_test_require_shared_data("test_report_sbom schema validation");
	if (sw_test_sh("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
		fail_msg("/usr/bin/python3 has no jsonschema (python3-jsonschema, scripts/setup-deps.sh)");
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	char *dir = sw_test_tmpdir();
	struct sw_inventory *inv = make_inventory();
	char *cdx_s = sw_xasprintf("%s/schemas/cyclonedx/bom-1.5.schema.json", data);
	char *spdx_s = sw_xasprintf("%s/schemas/spdx/v2.3/spdx-schema.json", data);
	char *spdx1_s = sw_xasprintf("%s/schemas/spdx/support-2.3.1/spdx-schema.json", data);

	char *s = render(inv, SW_FMT_CYCLONEDX, false);
	char *cdx = write_doc(dir, "out.cdx.json", s);
	free(s);
	s = render(inv, SW_FMT_SPDX_JSON, false);
	char *spdx = write_doc(dir, "out.spdx.json", s);
	free(s);

	/* an empty inventory is valid too */
	struct sw_inventory *empty = sw_xcalloc(1, sizeof(*empty));
	s = render(empty, SW_FMT_CYCLONEDX, false);
	char *e1 = write_doc(dir, "empty.cdx.json", s);
	free(s);
	s = render(empty, SW_FMT_SPDX_JSON, false);
	char *e2 = write_doc(dir, "empty.spdx.json", s);
	free(s);
	free(empty);

	/* hostile and odd package fields still give valid documents */
	struct sw_inventory *h = make_inventory();
	free(h->repo_tags.items[0]);
	h->repo_tags.items[0] = sw_xstrdup("we ird/\xc3\xa9:t\x01g");
	free(h->os.id);
	h->os.id = sw_xstrdup("Weird OS\n");
	struct sw_package *q = h->packages.items[0];
	free(q->name);
	q->name = sw_xstrdup("ev\033[31mil\xff");
	free(q->version);
	q->version = sw_xstrdup("");
	q = h->packages.items[1];
	free(q->type);
	q->type = sw_xstrdup("\x01");
	sw_vec_push_strdup(&q->licenses, "");
	sw_vec_push_strdup(&q->licenses, "(((");
	q = h->packages.items[5];
	free(q->namespace_);
	q->namespace_ = sw_xstrdup("@/");
	free(q->path);
	q->path = sw_xstrdup("a\nb");
	q = h->packages.items[6];
	free(q->name);
	q->name = sw_xstrdup("");
	s = render(h, SW_FMT_CYCLONEDX, false);
	char *h1 = write_doc(dir, "hostile.cdx.json", s);
	free(s);
	s = render(h, SW_FMT_SPDX_JSON, false);
	char *h2 = write_doc(dir, "hostile.spdx.json", s);
	free(s);
	free_inventory(h);
	assert_int_equal(validate_v(cdx_s, false, cdx, e1, h1, NULL), 0);
	assert_int_equal(validate_v(spdx_s, false, spdx, e2, h2, NULL), 0);
	assert_int_equal(validate_v(spdx1_s, false, spdx, e2, h2, NULL), 0);

	/* the validators do reject: a wrong spec version, a bad licence id,
	 * a missing namespace, an unknown key in our schema */
	char *bad1 = write_doc(dir, "bad.cdx.json",
			       "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,"
			       "\"components\":[{\"type\":\"library\",\"name\":\"x\","
			       "\"licenses\":[{\"license\":{\"id\":\"Not-A-Licence\"}}]}]}");
	assert_int_equal(validate_v(cdx_s, true, bad1, NULL), 1);
	char *bad2 = write_doc(dir, "bad.spdx.json",
			       "{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\","
			       "\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"x\","
			       "\"creationInfo\":{\"created\":\"2023-11-14T22:13:20Z\",\"creators\":[\"Tool: x\"]}}");
	assert_int_equal(validate_v(spdx1_s, true, bad2, NULL), 1);

	char *files[] = { cdx, spdx, e1, e2, h1, h2, bad1, bad2 };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		unlink(files[i]);
		free(files[i]);
	}
	rmdir(dir);
	free(dir);
	free(cdx_s);
	free(spdx_s);
	free(spdx1_s);
	free_inventory(inv);
}

/* our own JSON against docs/stowaway-sbom.schema.json (no shared data needed) */
static void test_own_schema(void **state)
{
	(void)state;
	if (sw_test_sh("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
		fail_msg("/usr/bin/python3 has no jsonschema (python3-jsonschema, scripts/setup-deps.sh)");
	const char *src = getenv("SW_SOURCE_DIR");
	assert_non_null(src);
	char *own_s = sw_xasprintf("%s/docs/stowaway-sbom.schema.json", src);
	char *dir = sw_test_tmpdir();
	struct sw_inventory *inv = make_inventory();
	char *s = render(inv, SW_FMT_JSON, false);
	char *own = write_doc(dir, "out.json", s);
	free(s);
	struct sw_inventory *empty = sw_xcalloc(1, sizeof(*empty));
	struct sw_package *q = inv->packages.items[1];
	free(q->type);
	q->type = sw_xstrdup("\x01");
	free(q->name);
	q->name = sw_xstrdup("\xff\xfe");
	s = render(inv, SW_FMT_JSON, false);
	char *hostile = write_doc(dir, "hostile.json", s);
	free(s);
	s = render(empty, SW_FMT_JSON, false);
	char *e = write_doc(dir, "empty.json", s);
	free(s);
	free(empty);
	assert_int_equal(validate_v(own_s, false, own, hostile, e, NULL), 0);
	char *bad = write_doc(dir, "bad.json", "{\"schemaVersion\":\"1.0\",\"extra\":1}");
	assert_int_equal(validate_v(own_s, true, bad, NULL), 1);
	/* a package without its layer key is rejected too */
	s = render(inv, SW_FMT_JSON, false);
	char *cut = strstr(s, "\"layer\": {");
	assert_non_null(cut);
	memcpy(cut, "\"LAYER\"", 7);
	char *bad2 = write_doc(dir, "bad2.json", s);
	free(s);
	assert_int_equal(validate_v(own_s, true, bad2, NULL), 1);
	char *files[] = { own, hostile, e, bad, bad2 };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		unlink(files[i]);
		free(files[i]);
	}
	rmdir(dir);
	free(dir);
	free(own_s);
	free_inventory(inv);
}

/* every built-in licence id and exception is on the SPDX list */
static void test_license_ids_on_spdx_list(void **state)
{
	(void)state;
	const char *data = sw_test_require_shared_data("test_report_sbom SPDX licence list");
	char *path = sw_xasprintf("%s/schemas/cyclonedx/spdx.schema.json", data);
	json_error_t je;
	json_t *s = json_load_file(path, 0, &je);
	free(path);
	assert_non_null(s);
	json_t *en = json_object_get(s, "enum");
	assert_true(json_array_size(en) > 500);
	struct sw_vec all = SW_VEC_INIT;
	for (int which = 0; which < 2; which++) {
		const char *const *tab = sw_report_license_table(which);
		for (size_t i = 0; tab[i]; i++)
			sw_vec_push(&all, (void *)tab[i]);
	}
	const char *alias;
	for (size_t i = 0; (alias = sw_report_license_alias(i)); i++)
		sw_vec_push(&all, (void *)sw_report_license_id(alias));
	assert_true(all.len > 150);
	for (size_t i = 0; i < all.len; i++) {
		bool found = false;
		size_t k;
		json_t *v;
		json_array_foreach(en, k, v)
			if (sw_streq(json_string_value(v), all.items[i]))
				found = true;
		if (!found) {
			print_error("'%s' is not on the SPDX list\n", (const char *)all.items[i]);
			fail();
		}
	}
	sw_vec_release(&all);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_license),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cyclonedx),
		cmocka_unit_test(test_spdx),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_empty_inventory),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_streamed),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_own_schema),
		cmocka_unit_test(test_license_ids_on_spdx_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
