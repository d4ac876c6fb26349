/* test_purl.c - sw_purl_for_package(): purl-spec encoding and the
 * per-type rules (namespaces, lowercasing, qualifiers, distro). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/inventory.h"
#include "sw_test.h"
#include "util/mem.h"

struct purl_case {
	const char *type, *ns, *name, *version, *arch;
	int epoch;
	const char *os_id, *os_version, *os_codename;
	const char *want; /* NULL = no purl */
};

static const struct purl_case cases[] = {
	/* OS packages: namespace from the OS, arch + distro qualifiers, sorted */
	{ "deb", NULL, "bash", "5.2.15-2+b2", "amd64", -1, "debian", "12", "bookworm",
	  "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12" },
	{ "deb", NULL, "bsdutils", "1:2.38.1-5+b1", "amd64", -1, "debian", "12", NULL,
	  "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12" },
	{ "deb", NULL, "libssl3", "3.0.2-0ubuntu1.10", "amd64", -1, "ubuntu", "22.04", "jammy",
	  "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04" },
	{ "deb", NULL, "curl", "7.50.3-1", "i386", -1, NULL, NULL, NULL,
	  "pkg:deb/debian/curl@7.50.3-1?arch=i386" },
	{ "deb", NULL, "Curl", "7.88.1-10", "arm64", -1, "debian", NULL, "trixie",
	  "pkg:deb/debian/curl@7.88.1-10?arch=arm64&distro=debian-trixie" },
	{ "deb", NULL, "tzdata", "2024a-0+deb12u1", "all", -1, "debian", "12", NULL,
	  "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12" },
	{ "rpm", NULL, "openssl-libs", "3.0.7-24.el9", "x86_64", 1, "rhel", "9.3", NULL,
	  "pkg:rpm/rhel/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1" },
	{ "rpm", NULL, "bash", "5.1.8-6.el9", "x86_64", 0, "rocky", "9.3", NULL,
	  "pkg:rpm/rocky/bash@5.1.8-6.el9?arch=x86_64&distro=rocky-9.3" },
	{ "rpm", NULL, "NetworkManager", "1.44.0-1.fc39", "x86_64", -1, "fedora", "39", NULL,
	  "pkg:rpm/fedora/NetworkManager@1.44.0-1.fc39?arch=x86_64&distro=fedora-39" },
	{ "rpm", NULL, "gpg-pubkey", "fd431d51-4ae0493b", NULL, -1, NULL, NULL, NULL,
	  "pkg:rpm/gpg-pubkey@fd431d51-4ae0493b" },
	{ "apk", NULL, "musl", "1.2.4-r2", "x86_64", -1, "alpine", "3.18.4", NULL,
	  "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4" },
	{ "apk", NULL, "ca-certificates-bundle", "20230506-r0", "aarch64", -1, "wolfi", "20230201", NULL,
	  "pkg:apk/wolfi/ca-certificates-bundle@20230506-r0?arch=aarch64&distro=20230201" },
	/* language packages: no OS qualifiers even when an OS is known */
	{ "npm", "@babel", "core", "7.22.0", NULL, -1, "debian", "12", NULL,
	  "pkg:npm/%40babel/core@7.22.0" },
	{ "npm", NULL, "@Angular/CLI", "16.0.0", NULL, -1, NULL, NULL, NULL,
	  "pkg:npm/%40angular/cli@16.0.0" },
	{ "npm", NULL, "foobar", "12.3.1", NULL, -1, NULL, NULL, NULL, "pkg:npm/foobar@12.3.1" },
	{ "npm", NULL, "semver", "1.0.0-beta+exp.sha.5114f85", NULL, -1, NULL, NULL, NULL,
	  "pkg:npm/semver@1.0.0-beta%2Bexp.sha.5114f85" },
	{ "maven", "org.apache.xmlgraphics", "batik-anim", "1.9.1", NULL, -1, NULL, NULL, NULL,
	  "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1" },
	{ "maven", "org.apache.logging.log4j", "Log4j-Core", "2.14.1", NULL, -1, NULL, NULL, NULL,
	  "pkg:maven/org.apache.logging.log4j/Log4j-Core@2.14.1" },
	{ "pypi", NULL, "Django_Allauth", "0.54.0", NULL, -1, NULL, NULL, NULL,
	  "pkg:pypi/django-allauth@0.54.0" },
	{ "pypi", NULL, "zope.interface", "6.0", NULL, -1, NULL, NULL, NULL,
	  "pkg:pypi/zope.interface@6.0" },
	{ "golang", NULL, "github.com/gorilla/context", "v1.1.1", NULL, -1, NULL, NULL, NULL,
	  "pkg:golang/github.com/gorilla/context@v1.1.1" },
	{ "golang", NULL, "github.com/Azure/go-autorest", "v14.2.0+incompatible", NULL, -1, NULL, NULL, NULL,
	  "pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible" },
	{ "golang", "golang.org/x", "net", "v0.17.0", "amd64", -1, "alpine", "3.18.4", NULL,
	  "pkg:golang/golang.org/x/net@v0.17.0" },
	{ "cargo", NULL, "rand", "0.7.2", NULL, -1, NULL, NULL, NULL, "pkg:cargo/rand@0.7.2" },
	{ "cargo", NULL, "rand", NULL, NULL, -1, NULL, NULL, NULL, "pkg:cargo/rand" },
	{ "gem", NULL, "jruby-launcher", "1.1.2", NULL, -1, NULL, NULL, NULL,
	  "pkg:gem/jruby-launcher@1.1.2" },
	{ "composer", NULL, "Laravel/Framework", "10.0.0", NULL, -1, NULL, NULL, NULL,
	  "pkg:composer/laravel/framework@10.0.0" },
	{ "nuget", NULL, "EnterpriseLibrary.Common", "6.0.1304", NULL, -1, NULL, NULL, NULL,
	  "pkg:nuget/EnterpriseLibrary.Common@6.0.1304" },
	/* encoding: only alphanumerics, ".-_~" and ':' stay as they are */
	{ "NPM", NULL, "caf\xc3\xa9", "1.0.0", NULL, -1, NULL, NULL, NULL, "pkg:npm/caf%C3%A9@1.0.0" },
	{ "gem", NULL, "a b", "1.0@x?y#z/w&v=1%", NULL, -1, NULL, NULL, NULL,
	  "pkg:gem/a%20b@1.0%40x%3Fy%23z%2Fw%26v%3D1%25" },
	{ "maven", "org//apache/", "x", "1~rc_1", NULL, -1, NULL, NULL, NULL, "pkg:maven/org/apache/x@1~rc_1" },
	{ "deb", NULL, "x", "1", "x86 64", -1, "debian", "12+x", NULL,
	  "pkg:deb/debian/x@1?arch=x86%2064&distro=debian-12%2Bx" },
	/* no purl without a type and a name */
	{ "npm", NULL, "", "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	{ "npm", NULL, NULL, "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	{ "", NULL, "x", "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	/* nor with a type purl-spec does not allow */
	{ "1npm", NULL, "x", "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	{ "n/pm", NULL, "x", "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	{ "\x01", NULL, "x", "1.0.0", NULL, -1, NULL, NULL, NULL, NULL },
	{ "conan+x.y-z", NULL, "x", "1", NULL, -1, NULL, NULL, NULL, "pkg:conan+x.y-z/x@1" },
};

static void test_purl_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct purl_case *c = &cases[i];
		struct sw_package *p = sw_package_new(c->type);
		p->namespace_ = sw_xstrdup(c->ns);
		p->name = sw_xstrdup(c->name);
		p->version = sw_xstrdup(c->version);
		p->arch = sw_xstrdup(c->arch);
		p->epoch = c->epoch;
		struct sw_os os = { 0 };
		os.id = (char *)c->os_id;
		os.version_id = (char *)c->os_version;
		os.codename = (char *)c->os_codename;
		char *got = sw_purl_for_package(p, &os);
		if (!sw_streq(got, c->want) && (got || c->want)) {
			print_error("case %zu: want '%s', got '%s'\n", i, c->want ? c->want : "(null)",
				    got ? got : "(null)");
			fail();
		}
		free(got);
		sw_package_free(p);
	}
}

static void test_purl_null_os(void **state)
{
	(void)state;
	struct sw_package *p = sw_package_new("apk");
	p->name = sw_xstrdup("busybox");
	p->version = sw_xstrdup("1.36.1-r2");
	char *got = sw_purl_for_package(p, NULL);
	assert_string_equal(got, "pkg:apk/alpine/busybox@1.36.1-r2");
	free(got);
	assert_null(sw_purl_for_package(NULL, NULL));
	sw_package_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_purl_table),
		cmocka_unit_test(test_purl_null_os),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
