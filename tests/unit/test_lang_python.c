/* test_lang_python.c - Python METADATA / PKG-INFO analyzer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_lang_common.h"

static const struct sw_analyzer *A = &sw_analyzer_python;

static void test_wants(void **state)
{
	(void)state;
	assert_true(A->wants("usr/lib/python3/dist-packages/idna-3.3.dist-info/METADATA", 0644, 10));
	assert_true(A->wants("usr/lib/python3.9/site-packages/six-1.0.egg-info/PKG-INFO", 0644, 10));
	assert_true(A->wants("usr/lib/python3/dist-packages/distlib-0.3.1-py3.9.egg-info", 0644, 10));
	assert_true(A->wants("opt/x/foo-1.0.egg/EGG-INFO/PKG-INFO", 0644, 10));
	assert_true(A->wants("EGG-INFO/PKG-INFO", 0644, 10));
	assert_false(A->wants("usr/lib/python3/dist-packages/idna-3.3.dist-info/RECORD", 0644, 10));
	assert_false(A->wants("usr/lib/python3/dist-packages/METADATA", 0644, 10));
	assert_false(A->wants("usr/share/doc/PKG-INFO", 0644, 10));
	assert_true(A->wants("usr/lib/python3/site-packages/x-1.0-py3.egg", 0644, 10));
	assert_false(A->wants("usr/lib/python3/site-packages/x.egg-link", 0644, 10));
}

static void test_pep503(void **state)
{
	(void)state;
	char *s = sw_lang_pep503("Foo.Bar__baz-_-Qux");
	assert_string_equal(s, "foo-bar-baz-qux");
	free(s);
	s = sw_lang_pep503("zope.interface");
	assert_string_equal(s, "zope-interface");
	free(s);
	s = sw_lang_pep503("PyYAML");
	assert_string_equal(s, "pyyaml");
	free(s);
}

struct py_case {
	const char *file, *image_path, *name, *declared, *version, *license;
};

static void test_trivy_fixtures(void **state)
{
	(void)state;
	static const char dir[] = "pkg/dependency/parser/python/packaging/testdata/";
	static const struct py_case cases[] = {
		{ "asyncssh-2.14.2.METADATA", "a/asyncssh-2.14.2.dist-info/METADATA", "asyncssh", NULL, "2.14.2", "Eclipse Public License v2.0" },
		{ "distlib-0.3.1-py3.9.egg-info", "a/distlib-0.3.1-py3.9.egg-info", "distlib", NULL, "0.3.1", "Python license" },
		{ "distlib-0.3.1.METADATA", "a/distlib-0.3.1.dist-info/METADATA", "distlib", NULL, "0.3.1", "Python license" },
		{ "iniconfig-2.0.0.METADATA", "a/iniconfig-2.0.0.dist-info/METADATA", "iniconfig", NULL, "2.0.0", "MIT" },
		{ "networkx-3.0.METADATA", "a/networkx-3.0.dist-info/METADATA", "networkx", NULL, "3.0", NULL },
		{ "pyphen-0.14.0.METADATA", "a/pyphen-0.14.0.dist-info/METADATA", "pyphen", NULL, "0.14.0", "Mozilla Public License 1.1 (MPL 1.1)" },
		{ "setuptools-51.3.3-py3.8.egg-info.PKG-INFO", "a/setuptools-51.3.3-py3.8.egg-info/PKG-INFO", "setuptools", NULL, "51.3.3", "MIT License" },
		{ "simple-0.1.0.METADATA", "a/simple-0.1.0.dist-info/METADATA", "simple", NULL, "0.1.0", NULL },
		{ "unidecode-egg-info.PKG-INFO", "a/Unidecode-0.4.1.egg-info/PKG-INFO", "unidecode", "Unidecode", "0.4.1", NULL },
		{ "zipp-3.12.1.METADATA", "a/zipp-3.12.1.dist-info/METADATA", "zipp", NULL, "3.12.1", "MIT License" },
	};
	for (size_t i = 0; i < LT_N(cases); i++) {
		const struct py_case *c = &cases[i];
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf("%s%s", dir, c->file);
		lt_parse_file(A, rel, c->image_path, &l);
		assert_int_equal(l.pkgs.len, 1);
		assert_int_equal(l.warnings.len, 0);
		struct sw_package *p = l.pkgs.items[0];
		assert_string_equal(p->type, "pypi");
		assert_string_equal(p->name, c->name);
		assert_string_equal(p->version, c->version);
		assert_string_equal(p->path, c->image_path);
		if (c->declared)
			assert_string_equal(p->source_name, c->declared);
		else
			assert_null(p->source_name);
		if (c->license)
			assert_true(lt_has_license(p, c->license));
		else
			assert_int_equal(p->licenses.len, 0);
		free(rel);
		sw_pkglist_release(&l);
	}
	/* pyphen: all three classifier licences */
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_file(A, "pkg/dependency/parser/python/packaging/testdata/pyphen-0.14.0.METADATA",
		      "x/pyphen-0.14.0.dist-info/METADATA", &l);
	assert_int_equal(((struct sw_package *)l.pkgs.items[0])->licenses.len, 3);
	sw_pkglist_release(&l);

	/* broken fixture: JSON is not metadata */
	lt_parse_file(A, "pkg/dependency/parser/python/packaging/testdata/invalid.json",
		      "x/bad.dist-info/METADATA", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "x/bad.dist-info/METADATA: no metadata headers found"));
	sw_pkglist_release(&l);
}

static void test_trivy_analyzer_fixtures(void **state)
{
	(void)state;
	static const struct py_case cases[] = {
		{ "classifier-license-dist/setuptools-51.3.3.dist-info/METADATA", NULL, "setuptools", NULL, "51.3.3", "MIT License" },
		{ "classifier-license-egg/setuptools-51.3.3.egg-info/PKG-INFO", NULL, "setuptools", NULL, "51.3.3", "MIT License" },
		{ "happy-dist/distlib-0.3.1.dist-info/METADATA", NULL, "distlib", NULL, "0.3.1", "Python license" },
		{ "happy-egg/distlib-0.3.1.egg-info/PKG-INFO", NULL, "distlib", NULL, "0.3.1", "Python license" },
		{ "license-file-dist/typing_extensions-4.4.0.dist-info/METADATA", NULL, "typing-extensions", "typing_extensions", "4.4.0", NULL /* only License-File: not read */ },
	};
	for (size_t i = 0; i < LT_N(cases); i++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf("pkg/fanal/analyzer/language/python/packaging/testdata/%s", cases[i].file);
		lt_parse_file(A, rel, NULL, &l);
		assert_int_equal(l.pkgs.len, 1);
		struct sw_package *p = l.pkgs.items[0];
		assert_string_equal(p->name, cases[i].name);
		assert_string_equal(p->version, cases[i].version);
		if (cases[i].license)
			assert_true(lt_has_license(p, cases[i].license));
		else
			assert_int_equal(p->licenses.len, 0);
		if (cases[i].declared)
			assert_string_equal(p->source_name, cases[i].declared);
		free(rel);
		sw_pkglist_release(&l);
	}
	/* zipped eggs */
	{
		struct sw_pkglist l = SW_PKGLIST_INIT;
		lt_parse_file(A, "pkg/fanal/analyzer/language/python/packaging/testdata/egg-zip/kitchen-1.2.6-py2.7.egg",
			      "usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg", &l);
		assert_int_equal(l.pkgs.len, 1);
		struct sw_package *p = l.pkgs.items[0];
		assert_string_equal(p->name, "kitchen");
		assert_string_equal(p->version, "1.2.6");
		assert_true(lt_has_license(p, "LGPLv2+"));
		assert_string_equal(p->path, "usr/lib/python2.7/site-packages/kitchen-1.2.6-py2.7.egg");
		sw_pkglist_release(&l);
		lt_parse_file(A, "pkg/fanal/analyzer/language/python/packaging/testdata/egg-zip-with-license-file/sample_package.egg",
			      "x/sample_package.egg", &l);
		assert_int_equal(l.pkgs.len, 1);
		lt_has(&l, NULL, "sample-package", "0.1");
		sw_pkglist_release(&l);
		/* an egg without EGG-INFO/PKG-INFO: nothing */
		lt_parse_file(A, "pkg/fanal/analyzer/language/python/packaging/testdata/no-req-files/no-required-files.egg",
			      "x/no.egg", &l);
		assert_int_equal(l.pkgs.len, 0);
		assert_int_equal(l.warnings.len, 0);
		sw_pkglist_release(&l);
	}
	static const char *const pip[][3] = {
		{ "Flask-2.0.0.dist-info/METADATA", "flask", "2.0.0" },
		{ "annotated_types-0.7.0.dist-info/METADATA", "annotated-types", "0.7.0" },
		{ "click-8.0.0.dist-info/METADATA", "click", "8.0.0" },
	};
	for (size_t i = 0; i < LT_N(pip); i++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf("pkg/fanal/analyzer/language/python/pip/testdata/libs/python-dir/lib/python3.10/site-packages/%s", pip[i][0]);
		lt_parse_file(A, rel, NULL, &l);
		assert_int_equal(l.pkgs.len, 1);
		lt_has(&l, NULL, pip[i][1], pip[i][2]);
		free(rel);
		sw_pkglist_release(&l);
	}
}

static void test_edge_cases(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	/* CRLF, continuation of a multi-line License (full text: ignored in
	 * favour of the classifier), body after the blank line ignored */
	lt_parse_str(A, "x/Foo_Bar-1.0.dist-info/METADATA",
		     "Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.0rc1\r\n"
		     "License: Copyright (c) someone\r\n        all rights reserved\r\n"
		     "Classifier: License :: OSI Approved :: BSD License\r\n\r\n"
		     "Name: not-this\r\nVersion: 9\r\n", &l);
	assert_int_equal(l.pkgs.len, 1);
	struct sw_package *p = l.pkgs.items[0];
	assert_string_equal(p->name, "foo-bar");
	assert_string_equal(p->source_name, "Foo_Bar");
	assert_string_equal(p->version, "1.0rc1");
	assert_int_equal(p->licenses.len, 1);
	assert_string_equal(p->licenses.items[0], "BSD License");
	sw_pkglist_release(&l);

	/* License-Expression wins over License */
	lt_parse_str(A, "x/a-1.dist-info/METADATA",
		     "Name: a\nVersion: 1\nLicense: MIT License\nLicense-Expression: MIT OR Apache-2.0\n", &l);
	assert_int_equal(l.pkgs.len, 1);
	p = l.pkgs.items[0];
	assert_int_equal(p->licenses.len, 1);
	assert_string_equal(p->licenses.items[0], "MIT OR Apache-2.0");
	sw_pkglist_release(&l);

	/* missing version, missing name, empty, binary */
	lt_parse_str(A, "x/a.dist-info/METADATA", "Name: a\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "x/a.dist-info/METADATA: no 'Version' header"));
	sw_pkglist_release(&l);
	lt_parse_str(A, "x/a.dist-info/METADATA", "Version: 1\n", &l);
	assert_true(lt_warned(&l, "no 'Name' header"));
	sw_pkglist_release(&l);
	lt_parse_mem(A, "x/a.dist-info/METADATA", "", 0, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 1);
	sw_pkglist_release(&l);
	lt_parse_mem(A, "x/a.dist-info/METADATA", "Name: a\0\x01\x02", 10, &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "binary data"));
	sw_pkglist_release(&l);
	/* a broken zipped egg */
	lt_parse_str(A, "x/a-1.egg", "PK\x03\x04 not really", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "x/a-1.egg: "));
	sw_pkglist_release(&l);
	/* no trailing newline, lone continuation line first */
	lt_parse_str(A, "x/a.dist-info/METADATA", " junk\nName: b\nVersion: 2", &l);
	assert_int_equal(l.pkgs.len, 1);
	lt_has(&l, NULL, "b", "2");
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_pep503),
		cmocka_unit_test(test_edge_cases),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_trivy_fixtures),
		cmocka_unit_test(test_trivy_analyzer_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract("pkg/dependency/parser/python/packaging pkg/fanal/analyzer/language/python");
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
