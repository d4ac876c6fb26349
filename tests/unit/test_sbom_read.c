/* test_sbom_read.c - purls and SBOM documents back into an inventory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/sbom_read.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static void test_purl_parse(void **state)
{
	(void)state;
	struct sw_err err = SW_ERR_INIT;
	char *distro = NULL;
	struct sw_package *p = sw_purl_parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc", &distro, &err);
	assert_non_null(p);
	assert_string_equal(p->type, "deb");
	assert_string_equal(p->namespace_, "debian");
	assert_string_equal(p->name, "libc6");
	assert_string_equal(p->version, "2.36-9+deb12u4");
	assert_string_equal(p->arch, "amd64");
	assert_string_equal(p->source_name, "glibc");
	assert_string_equal(distro, "debian-12");
	free(distro);
	sw_package_free(p);

	p = sw_purl_parse("pkg:npm/%40babel/core@7.1.0", NULL, &err);
	assert_string_equal(p->namespace_, "@babel");
	assert_string_equal(p->name, "core");
	sw_package_free(p);

	p = sw_purl_parse("pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1", NULL, &err);
	assert_int_equal(p->epoch, 1);
	assert_string_equal(p->version, "3.0.7-24.el9");
	sw_package_free(p);

	p = sw_purl_parse("pkg:golang/github.com/foo/bar@v1.2.3#sub/path", NULL, &err);
	assert_string_equal(p->namespace_, "github.com/foo");
	assert_string_equal(p->name, "bar");
	assert_string_equal(p->version, "v1.2.3");
	sw_package_free(p);

	assert_null(sw_purl_parse("http://x/y", NULL, &err));
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_null(sw_purl_parse("pkg:npm", NULL, &err));
	assert_null(sw_purl_parse("pkg:npm/a%zz@1", NULL, &err));
	assert_null(sw_purl_parse("pkg:npm/a%00b@1", NULL, &err));
}

static void test_cyclonedx(void **state)
{
	(void)state;
	const char *doc = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":["
			  "{\"type\":\"operating-system\",\"name\":\"debian\",\"version\":\"12.4\"},"
			  "{\"type\":\"library\",\"name\":\"bash\",\"purl\":\"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64\"},"
			  "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"not a purl\","
			  " \"components\":[{\"type\":\"library\",\"purl\":\"pkg:pypi/idna@3.3\"}]}]}";
	struct sw_inventory *inv = NULL;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_inventory_from_sbom("bom.json", doc, strlen(doc), &inv, &err), 0);
	assert_string_equal(inv->os.id, "debian");
	assert_string_equal(inv->os.version_id, "12.4");
	assert_int_equal(inv->packages.len, 2);
	assert_int_equal(inv->warnings.len, 1);
	assert_non_null(strstr(inv->warnings.items[0], "bom.json: 'not a purl'"));
	sw_inventory_free(inv);

	const char *spdx = "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"img\",\"packages\":[{\"name\":\"musl\","
			   "\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
			   "\"referenceLocator\":\"pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=3.18.4\"}]}]}";
	assert_int_equal(sw_inventory_from_sbom("s.spdx.json", spdx, strlen(spdx), &inv, &err), 0);
	assert_string_equal(inv->os.id, "alpine");
	assert_string_equal(inv->os.version_id, "3.18.4");
	assert_int_equal(inv->packages.len, 1);
	sw_inventory_free(inv);

	assert_true(sw_inventory_from_sbom("bad.json", "{\"a\":", 5, &inv, &err) < 0);
	assert_non_null(strstr(err.msg, "'bad.json': not valid JSON"));
	assert_true(sw_inventory_from_sbom("x.json", "{\"a\":1}", 7, &inv, &err) < 0);
	assert_non_null(strstr(err.msg, "not a CycloneDX, SPDX or stowaway SBOM"));
}

/* An SBOM of `n` components: flat, or all nested in one top component,
 * or SPDX packages. */
static char *many(size_t n, int shape)
{
	struct sw_buf b = SW_BUF_INIT;
	if (shape == 2)
		sw_buf_addstr(&b, "{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[");
	else if (shape == 1)
		sw_buf_addstr(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"components\":[");
	else
		sw_buf_addstr(&b, "{\"bomFormat\":\"CycloneDX\",\"components\":[");
	for (size_t i = 0; i < n - (shape == 1); i++)
		sw_buf_addstr(&b, i ? ",{}" : "{}");
	sw_buf_addstr(&b, shape == 1 ? "]}]}" : "]}");
	return sw_buf_detach(&b, NULL);
}

/* A million components took 1.7-3.2 GB through matching and reporting:
 * more than 200,000 are refused with an error naming the file, flat or
 * nested, CycloneDX or SPDX; 200,000 are read. */
static void test_component_cap(void **state)
{
	(void)state;
	struct sw_inventory *inv = NULL;
	struct sw_err err = SW_ERR_INIT;
	for (int shape = 0; shape < 3; shape++) {
		char *d = many(200001, shape);
		assert_true(sw_inventory_from_sbom("big.json", d, strlen(d), &inv, &err) < 0);
		assert_non_null(strstr(err.msg, "'big.json': more than 200000"));
		free(d);
		d = many(200000, shape);
		assert_int_equal(sw_inventory_from_sbom("ok.json", d, strlen(d), &inv, &err), 0);
		sw_inventory_free(inv);
		free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_purl_parse),
		cmocka_unit_test(test_cyclonedx),
		cmocka_unit_test(test_component_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
