/* test_lang_npm.c - node_modules package.json and npm/yarn/pnpm lockfiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test_lang_common.h"

static const struct sw_analyzer *N = &sw_analyzer_npm;
static const struct sw_analyzer *L = &sw_analyzer_npm_lock;
#define NP "pkg/dependency/parser/nodejs/"
#define FA "pkg/fanal/analyzer/language/nodejs/"

static void test_wants(void **state)
{
	(void)state;
	assert_true(N->wants("app/node_modules/ms/package.json", 0644, 1));
	assert_true(N->wants("node_modules/ms/package.json", 0644, 1));
	assert_true(N->wants("app/node_modules/@babel/parser/package.json", 0644, 1));
	assert_true(N->wants("a/node_modules/x/node_modules/y/package.json", 0644, 1));
	assert_true(N->wants("a/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json", 0644, 1));
	assert_false(N->wants("app/package.json", 0644, 1));
	assert_false(N->wants("app/node_modules/ms/lib/package.json", 0644, 1));
	assert_false(N->wants("app/node_modules/@babel/parser/lib/package.json", 0644, 1));
	assert_false(N->wants("app/node_modules/package.json", 0644, 1));
	assert_false(N->wants("app/mynode_modules/x/package.json", 0644, 1));
	assert_false(N->wants("app/node_modules/.bin/package.json", 0644, 1));
	assert_true(L->wants("app/package-lock.json", 0644, 1));
	assert_true(L->wants("yarn.lock", 0644, 1));
	assert_true(L->wants("srv/app/pnpm-lock.yaml", 0644, 1));
	assert_false(L->wants("app/node_modules/.package-lock.json", 0644, 1));
	assert_false(L->wants("app/node_modules/x/yarn.lock", 0644, 1));
	assert_false(L->wants("app/package.json", 0644, 1));
}

static void test_package_json_fixtures(void **state)
{
	(void)state;
	static const char *const ok[][4] = {
		/* file, name, version, licence (NULL = none) */
		{ "empty_array_license_package.json", "empty-array-license", "1.0.0", NULL },
		{ "invalid_license_package.json", "weird-license", "1.0.0", NULL },
		{ "legacy_array_package.json", "tv4", "1.3.0", "Public Domain" },
		{ "legacy_package.json", "angular", "4.1.2", "ISC" },
		{ "null_license_package.json", "null-license", "1.0.0", NULL },
		{ "package.json", "bootstrap", "5.0.2", "MIT" },
		{ "unknown_license_object_package.json", "unknown-license-object", "1.0.0", NULL },
		{ "workspace_as_map_package.json", "example", "1.0.0", NULL },
	};
	for (size_t i = 0; i < LT_N(ok); i++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf(NP "packagejson/testdata/%s", ok[i][0]);
		lt_parse_file(N, rel, "app/node_modules/x/package.json", &l);
		assert_int_equal(l.pkgs.len, 1);
		assert_int_equal(l.warnings.len, 0);
		struct sw_package *p = l.pkgs.items[0];
		assert_string_equal(p->type, "npm");
		assert_null(p->namespace_);
		assert_string_equal(p->name, ok[i][1]);
		assert_string_equal(p->version, ok[i][2]);
		assert_int_equal(p->flags, 0);
		if (ok[i][3])
			assert_true(lt_has_license(p, ok[i][3]));
		else
			assert_int_equal(p->licenses.len, 0);
		free(rel);
		sw_pkglist_release(&l);
	}
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_file(N, NP "packagejson/testdata/legacy_array_package.json", "n/node_modules/tv4/package.json", &l);
	assert_true(lt_has_license(l.pkgs.items[0], "MIT"));
	sw_pkglist_release(&l);

	static const char *const bad[][2] = {
		{ "invalid_name.json", "invalid package name '@invalid/packageName/'" },
		{ "invalid_package.json", "invalid json" },
		{ "without_version_package.json", "package 'angular' has no 'version'" },
	};
	for (size_t i = 0; i < LT_N(bad); i++) {
		char *rel = sw_xasprintf(NP "packagejson/testdata/%s", bad[i][0]);
		lt_parse_file(N, rel, "app/node_modules/x/package.json", &l);
		assert_int_equal(l.pkgs.len, 0);
		if (!lt_warned(&l, bad[i][1]))
			fail_msg("%s: no warning '%s'", bad[i][0], bad[i][1]);
		assert_true(lt_warned(&l, "app/node_modules/x/package.json: "));
		free(rel);
		sw_pkglist_release(&l);
	}
	/* neither name nor version: a partial manifest, silently not a package */
	lt_parse_file(N, NP "packagejson/testdata/without_name_and_version_package.json",
		      "app/node_modules/x/package.json", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_int_equal(l.warnings.len, 0);
	sw_pkglist_release(&l);
}

static void test_installed_tree(void **state)
{
	(void)state;
	static const char *const files[][3] = {
		{ "npm/testdata/happy/node_modules/@babel/parser/package.json", "@babel/parser", "7.23.6" },
		{ "npm/testdata/happy/node_modules/body-parser/node_modules/debug/package.json", "debug", "2.6.9" },
		{ "npm/testdata/happy/node_modules/body-parser/node_modules/ms/package.json", "ms", "2.0.0" },
		{ "npm/testdata/happy/node_modules/body-parser/package.json", "body-parser", "1.18.3" },
		{ "npm/testdata/happy/node_modules/express/package.json", "express", "4.16.4" },
		{ "npm/testdata/happy/node_modules/ms/package.json", "ms", "2.1.1" },
		{ "pnpm/testdata/happy/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json", "ms", "2.1.3" },
		{ "yarn/testdata/yarn-classic-licenses/node_modules/@vue/compiler-sfc/package.json", "@vue/compiler-sfc", "2.7.14" },
		{ "license/testdata/happy/node_modules/package-license-as-is/package.json", "package-e", "0.0.1" },
	};
	for (size_t i = 0; i < LT_N(files); i++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf(FA "%s", files[i][0]);
		assert_true(N->wants(rel, 0644, 100));
		lt_parse_file(N, rel, NULL, &l);
		assert_int_equal(l.pkgs.len, 1);
		struct sw_package *p = l.pkgs.items[0];
		const char *full = files[i][1];
		if (full[0] == '@') {
			const char *sl = strchr(full, '/');
			assert_int_equal(strlen(p->namespace_), (size_t)(sl - full));
			assert_memory_equal(p->namespace_, full, (size_t)(sl - full));
			assert_string_equal(p->name, sl + 1);
		} else {
			assert_null(p->namespace_);
			assert_string_equal(p->name, full);
		}
		assert_string_equal(p->version, files[i][2]);
		assert_string_equal(p->path, rel);
		free(rel);
		sw_pkglist_release(&l);
	}
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_file(N, FA "license/testdata/happy/node_modules/package-license-as-is/package.json", NULL, &l);
	assert_true(lt_has_license(l.pkgs.items[0], "(GPL-3.0 OR LGPL-3.0 OR MPL-1.1 OR SEE LICENSE IN LICENSE)"));
	sw_pkglist_release(&l);
}

static const char *const lock_v1_31[] = {
	"@babel/helper-string-parser@7.19.4", "asap@2.0.6", "body-parser@1.18.3", "bytes@3.0.0",
	"content-type@1.0.5", "debug@2.5.2", "debug@2.6.9", "depd@1.1.2", "ee-first@1.1.1",
	"encodeurl@1.0.2", "escape-html@1.0.3", "finalhandler@1.1.1", "http-errors@1.6.3",
	"iconv-lite@0.4.23", "inherits@2.0.3", "media-typer@0.3.0", "mime-db@1.52.0",
	"mime-types@2.1.35", "ms@0.7.2", "ms@1.0.0", "ms@2.0.0", "on-finished@2.3.0",
	"parseurl@1.3.3", "promise@8.3.0", "qs@6.5.2", "raw-body@2.3.3", "safer-buffer@2.1.2",
	"setprototypeof@1.1.0", "statuses@1.4.0", "type-is@1.6.18", "unpipe@1.0.0",
};

/* "@babel/x@1" style list, compared as namespace/name */
/* The lockfile root (the project itself) is listed as a main-module
 * package; these tests look at the dependencies: drop it (checking it). */
static size_t drop_root(struct sw_pkglist *l)
{
	size_t roots = 0;
	for (size_t i = 0; i < l->pkgs.len;) {
		struct sw_package *p = l->pkgs.items[i];
		if (p->flags & SW_PKG_MAIN_MODULE) {
			assert_false(p->flags & SW_PKG_DECLARED);
			sw_package_free(p);
			l->pkgs.items[i] = l->pkgs.items[--l->pkgs.len];
			roots++;
		} else {
			i++;
		}
	}
	assert_true(roots <= 1);
	return roots;
}

static void expect_npm(struct sw_pkglist *l, const char *const *want, size_t n)
{
	drop_root(l);
	lt_expect_exact(l, want, n);
	for (size_t i = 0; i < l->pkgs.len; i++) {
		struct sw_package *p = l->pkgs.items[i];
		assert_string_equal(p->type, "npm");
		assert_true(p->flags & SW_PKG_DECLARED);
	}
}

static void test_package_lock(void **state)
{
	(void)state;
	static const char *const files[] = { "package-lock_v1.json", "package-lock_v2.json",
					     "package-lock_v3.json" };
	for (size_t i = 0; i < LT_N(files); i++) {
		struct sw_pkglist l = SW_PKGLIST_INIT;
		char *rel = sw_xasprintf(NP "npm/testdata/%s", files[i]);
		lt_parse_file(L, rel, "app/package-lock.json", &l);
		/* v2/v3 name the root project in packages[""]; v1 has no such entry */
		bool has_root = false;
		for (size_t k = 0; k < l.pkgs.len; k++)
			has_root |= (((struct sw_package *)l.pkgs.items[k])->flags & SW_PKG_MAIN_MODULE) != 0;
		assert_int_equal(has_root, i > 0);
		expect_npm(&l, lock_v1_31, LT_N(lock_v1_31));
		assert_int_equal(l.warnings.len, 0);
		/* dev flag: debug 2.5.2 / ms 0.7.2 only come from dev deps */
		struct sw_package *p = lt_find(&l, NULL, "debug", "2.5.2");
		assert_true(p->flags & SW_PKG_DEV);
		p = lt_find(&l, NULL, "debug", "2.6.9");
		assert_false(p->flags & SW_PKG_DEV);
		p = lt_find(&l, "@babel", "helper-string-parser", "7.19.4");
		assert_non_null(p);
		assert_string_equal(p->path, "app/package-lock.json");
		free(rel);
		sw_pkglist_release(&l);
	}
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const peer[] = { "lodash@4.17.21", "mustache@2.3.2", "triple-beam@1.4.1",
					    "winston-mail@2.0.0", "winston@3.17.0" };
	lt_parse_file(L, NP "npm/testdata/package-lock_v3_with_peer.json", "package-lock.json", &l);
	expect_npm(&l, peer, LT_N(peer));
	sw_pkglist_release(&l);

	static const char *const ws[] = { "debug@2.6.9", "debug@2.5.2", "ms@0.7.2", "ms@2.0.0",
					  "nested_func@1.0.0" };
	lt_parse_file(L, NP "npm/testdata/package-lock_v3_with_workspace.json", "package-lock.json", &l);
	expect_npm(&l, ws, LT_N(ws));
	sw_pkglist_release(&l);

	/* same package as dev and non-dev: not dev */
	lt_parse_file(L, NP "npm/testdata/package-lock_v3_with-same-dev-and-non-dev.json", "package-lock.json", &l);
	drop_root(&l);
	assert_int_equal(l.pkgs.len, 4);
	assert_false(lt_find(&l, NULL, "minimist", "0.0.8")->flags & SW_PKG_DEV);
	assert_true(lt_find(&l, NULL, "mkdirp", "0.5.1")->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);

	lt_parse_file(L, NP "npm/testdata/package-lock_v3_with_legacy_licenses.json", "package-lock.json", &l);
	drop_root(&l);
	assert_int_equal(l.pkgs.len, 3);
	assert_true(lt_has_license(lt_find(&l, NULL, "tv4", "1.3.0"), "Public Domain"));
	assert_true(lt_has_license(lt_find(&l, NULL, "pause-stream", "0.0.11"), "Apache2"));
	sw_pkglist_release(&l);

	lt_parse_file(L, NP "npm/testdata/package-lock_v3_broken_link.json", "package-lock.json", &l);
	drop_root(&l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "package-lock.json: link 'node_modules/func1' points to no package"));
	sw_pkglist_release(&l);

	lt_parse_file(L, FA "npm/testdata/sad/package-lock.json", "app/package-lock.json", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/package-lock.json: invalid json"));
	sw_pkglist_release(&l);

	lt_parse_file(L, FA "npm/testdata/happy/package-lock.json", "app/package-lock.json", &l);
	drop_root(&l);
	assert_int_equal(l.pkgs.len, 8);
	assert_true(lt_find(&l, NULL, "ansi-colors", "3.2.3")->flags & SW_PKG_DEV);
	lt_has(&l, "@babel", "parser", "7.23.6");
	sw_pkglist_release(&l);
}

static void test_yarn(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const happy[] = {
		"@babel/helper-regex@7.4.4", "ansi-regex@2.1.1", "ansi-regex@3.0.0", "asap@2.0.6",
		"inherits@2.0.3", "is-fullwidth-code-point@2.0.0", "js-tokens@4.0.0", "jquery@3.4.1",
		"lodash@4.17.11", "promise@8.0.3", "safe-buffer@5.1.2", "safer-buffer@2.1.2",
		"statuses@1.5.0", "string-width@2.1.1", "strip-ansi@3.0.1", "strip-ansi@4.0.0",
		"whatwg-fetch@3.0.0", "wide-align@1.1.3",
	};
	lt_parse_file(L, NP "yarn/testdata/yarn_happy.lock", "app/yarn.lock", &l);
	expect_npm(&l, happy, LT_N(happy));
	sw_pkglist_release(&l);

	static const char *const berry[] = {
		"@types/color-name@1.1.1", "abbrev@1.1.1", "ansi-styles@3.2.1", "ansi-styles@4.2.1",
		"assert-plus@1.0.0", "async@3.2.0", "color-convert@1.9.3", "color-convert@2.0.1",
		"color-name@1.1.3", "color-name@1.1.4", "ipaddr.js@1.9.1", "js-tokens@4.0.0",
		"loose-envify@1.4.0", "node-gyp@7.1.0", "once@1.4.0", "wrappy@1.0.2",
	};
	lt_parse_file(L, NP "yarn/testdata/yarn_v2_happy.lock", "app/yarn.lock", &l);
	expect_npm(&l, berry, LT_N(berry));
	sw_pkglist_release(&l);

	static const char *const proto[] = { "debug@4.3.4", "ms@2.1.2" }; /* workspace root skipped */
	lt_parse_file(L, NP "yarn/testdata/yarn_v2_deps_with_protocol.lock", "app/yarn.lock", &l);
	expect_npm(&l, proto, LT_N(proto));
	sw_pkglist_release(&l);

	static const char *const bad_proto[] = { "jquery@3.4.1" };
	lt_parse_file(L, NP "yarn/testdata/yarn_with_bad_protocol.lock", "app/yarn.lock", &l);
	expect_npm(&l, bad_proto, LT_N(bad_proto));
	sw_pkglist_release(&l);

	lt_parse_file(L, NP "yarn/testdata/yarn_with_git.lock", "app/yarn.lock", &l);
	assert_int_equal(l.pkgs.len, 0); /* git dependency: no registry identity */
	sw_pkglist_release(&l);

	static const char *const local[] = { "asap@2.0.6", "jquery@3.4.1", "promise@8.0.3" };
	lt_parse_file(L, NP "yarn/testdata/yarn_with_local.lock", "app/yarn.lock", &l);
	expect_npm(&l, local, LT_N(local));
	sw_pkglist_release(&l);

	static const char *const npmstyle[] = { "jquery@3.6.0" }; /* quoted field names */
	lt_parse_file(L, NP "yarn/testdata/yarn_with_npm.lock", "app/yarn.lock", &l);
	expect_npm(&l, npmstyle, LT_N(npmstyle));
	sw_pkglist_release(&l);

	static const char *const alias[] = { "@types/node@20.10.5", "debug@4.3.4", "@types/jsonstream@0.8.33",
					     "ms@2.1.3", "@types/uuid@9.0.7", "ms@2.1.2", "undici-types@5.26.5" };
	lt_parse_file(L, FA "yarn/testdata/alias/yarn.lock", "app/yarn.lock", &l);
	expect_npm(&l, alias, LT_N(alias));
	sw_pkglist_release(&l);

	lt_parse_file(L, FA "yarn/testdata/unsupported_protocol/yarn.lock", "app/yarn.lock", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/yarn.lock: no entries found in yarn lockfile"));
	sw_pkglist_release(&l);
}

static void test_pnpm(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const normal[] = { "asap@2.0.6", "jquery@3.6.0", "promise@8.1.0" };
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_normal.yaml", "pnpm-lock.yaml", &l); /* v5 */
	expect_npm(&l, normal, LT_N(normal));
	sw_pkglist_release(&l);
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v6.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, normal, LT_N(normal));
	sw_pkglist_release(&l);

	/* tarball dependencies keep their name and version; file: ones are local */
	static const char *const archives[] = { "asynckit@0.4.0", "ms@2.1.2", "is-negative@2.0.1", "debug@4.3.4" };
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_archives.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, archives, LT_N(archives));
	sw_pkglist_release(&l);

	static const char *const v9[] = {
		"@babel/helper-string-parser@7.24.1", "asap@2.0.6", "asynckit@0.4.0", "await-sleep@0.0.1",
		"debug@4.3.4", "debug@4.3.5", "ee-first@1.1.1", "encodeurl@1.0.2", "escape-html@1.0.3",
		"finalhandler@1.1.1", "is-negative@2.0.1", "jquery@3.6.0", "ms@2.0.0", "ms@2.1.2",
		"on-finished@2.3.0", "parseurl@1.3.3", "promise@8.1.0", "sleep-utils@1.0.3",
		"statuses@1.4.0", "unpipe@1.0.0",
	};
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v9.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, v9, LT_N(v9));
	/* v9 dev flags come from the importers and the snapshots graph:
	 * ms 2.0.0 is a devDependency but also reached from finalhandler
	 * through "debug: 4.3.4(supports-color@8.1.1)" */
	for (size_t i = 0; i < l.pkgs.len; i++) {
		struct sw_package *p = l.pkgs.items[i];
		bool dev = strcmp(p->name, "jquery") == 0 || strcmp(p->name, "await-sleep") == 0;
		if (dev != !!(p->flags & SW_PKG_DEV))
			fail_msg("%s@%s: dev flag %s", p->name, p->version, dev ? "missing" : "unexpected");
	}
	sw_pkglist_release(&l);

	static const char *const multi[] = { "is-number@6.0.0", "is-number@7.0.0" };
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v9_multi_version.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, multi, LT_N(multi));
	sw_pkglist_release(&l);

	/* the first document only holds pnpm itself */
	static const char *const docs[] = { "is-number@7.0.0" };
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v9_multiple_documents.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, docs, LT_N(docs));
	sw_pkglist_release(&l);

	static const char *const peers[] = { "jest-config@30.0.3", "jest-pnp-resolver@1.2.3", "jest-resolve@27.5.1",
					     "jest-resolve@30.0.2", "jest-runner@27.5.1", "jest-runner@30.0.3" };
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v9_same-vers-diff-peers.yaml", "pnpm-lock.yaml", &l);
	expect_npm(&l, peers, LT_N(peers));
	assert_true(lt_find(&l, NULL, "jest-runner", "27.5.1")->flags & SW_PKG_DEV);
	assert_true(lt_find(&l, NULL, "jest-resolve", "27.5.1")->flags & SW_PKG_DEV);
	assert_false(lt_find(&l, NULL, "jest-resolve", "30.0.2")->flags & SW_PKG_DEV);
	assert_false(lt_find(&l, NULL, "jest-pnp-resolver", "1.2.3")->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);

	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v9_cyclic_import.yaml", "pnpm-lock.yaml", &l);
	assert_int_equal(l.pkgs.len, 7);
	lt_has(&l, NULL, "update-browserslist-db", "1.0.16");
	sw_pkglist_release(&l);

	/* big files: counts, dev flags, spot checks */
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_many.yaml", "pnpm-lock.yaml", &l);
	assert_int_equal(l.pkgs.len, 134);
	lt_has(&l, NULL, "debug", "4.3.4"); /* "/debug/4.3.4_supports-color@8.1.1" */
	assert_true(lt_find(&l, NULL, "mocha", "10.0.0")->flags & SW_PKG_DEV);
	assert_false(lt_find(&l, NULL, "lodash", "4.17.21")->flags & SW_PKG_DEV);
	lt_has(&l, "@babel", "runtime", "7.18.3");
	sw_pkglist_release(&l);
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_with_dev.yaml", "pnpm-lock.yaml", &l); /* v5 */
	assert_int_equal(l.pkgs.len, 85);
	assert_true(lt_find(&l, NULL, "yargs", "16.2.0")->flags & SW_PKG_DEV);
	assert_false(lt_find(&l, NULL, "redux", "4.2.0")->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);
	lt_parse_file(L, NP "pnpm/testdata/pnpm-lock_v6_with_dev.yaml", "pnpm-lock.yaml", &l);
	assert_int_equal(l.pkgs.len, 85);
	assert_true(lt_find(&l, NULL, "debug", "4.3.4")->flags & SW_PKG_DEV);
	assert_false(lt_find(&l, NULL, "regenerator-runtime", "0.13.11")->flags & SW_PKG_DEV);
	sw_pkglist_release(&l);

	lt_parse_file(L, FA "pnpm/testdata/sad/pnpm-lock.yaml", "app/pnpm-lock.yaml", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/pnpm-lock.yaml: no 'lockfileVersion'"));
	sw_pkglist_release(&l);
}

static void test_edge_cases(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_str(N, "n/node_modules/x/package.json", "[1,2]", &l);
	assert_true(lt_warned(&l, "not a json object"));
	sw_pkglist_release(&l);
	lt_parse_str(N, "n/node_modules/x/package.json", "{\"name\":\"a b\",\"version\":\"1\"}", &l);
	assert_true(lt_warned(&l, "invalid package name 'a b'"));
	sw_pkglist_release(&l);
	lt_parse_str(N, "n/node_modules/x/package.json",
		     "{\"name\":\"@s/n\",\"version\":\"1.0.0\",\"licenses\":[{\"type\":\"MIT\"},\"ISC\"]}", &l);
	assert_int_equal(l.pkgs.len, 1);
	assert_string_equal(((struct sw_package *)l.pkgs.items[0])->namespace_, "@s");
	assert_int_equal(((struct sw_package *)l.pkgs.items[0])->licenses.len, 2);
	sw_pkglist_release(&l);

	/* v1 alias, git and file versions */
	lt_parse_str(L, "package-lock.json",
		     "{\"lockfileVersion\":1,\"dependencies\":{"
		     "\"sw\":{\"version\":\"npm:string-width@4.2.3\"},"
		     "\"g\":{\"version\":\"git+ssh://git@example.test/x.git#abc\"},"
		     "\"f\":{\"version\":\"file:../f\"}}}", &l);
	assert_int_equal(l.pkgs.len, 1);
	lt_has(&l, NULL, "string-width", "4.2.3");
	sw_pkglist_release(&l);
	/* v2 alias through "name" */
	lt_parse_str(L, "package-lock.json",
		     "{\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"root\",\"version\":\"1.0.0\"},"
		     "\"node_modules/sw\":{\"name\":\"string-width\",\"version\":\"4.2.3\"},"
		     "\"node_modules/x\":7}}", &l);
	assert_int_equal(l.pkgs.len, 2);
	lt_has(&l, NULL, "string-width", "4.2.3");
	/* the root project is listed, as the main module, not as declared */
	struct sw_package *root = lt_find(&l, NULL, "root", "1.0.0");
	assert_non_null(root);
	assert_true(root->flags & SW_PKG_MAIN_MODULE);
	assert_false(root->flags & SW_PKG_DECLARED);
	sw_pkglist_release(&l);
	/* deep nesting is bounded */
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"dependencies\":");
	for (int i = 0; i < 100; i++)
		sw_buf_addstr(&b, "{\"a\":{\"version\":\"1.0.0\",\"dependencies\":");
	sw_buf_addstr(&b, "{}");
	for (int i = 0; i < 100; i++)
		sw_buf_addstr(&b, "}}");
	sw_buf_addstr(&b, "}");
	lt_parse_str(L, "package-lock.json", b.data, &l);
	assert_int_equal(l.pkgs.len, 1);
	assert_true(lt_warned(&l, "nested deeper than"));
	sw_pkglist_release(&l);
	sw_buf_release(&b);

	/* yarn: garbage, header without colon */
	lt_parse_str(L, "yarn.lock", "foo@^1\n  version \"1.0.0\"\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "yarn.lock: line 1: expected 'pattern:'"));
	sw_pkglist_release(&l);
	lt_parse_mem(L, "yarn.lock", "a@1:\n\0", 6, &l);
	assert_true(lt_warned(&l, "binary data"));
	sw_pkglist_release(&l);
	/* pnpm: invalid yaml */
	lt_parse_str(L, "pnpm-lock.yaml", "lockfileVersion: [\n", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "pnpm-lock.yaml: invalid yaml"));
	sw_pkglist_release(&l);
	/* deep flow nesting is refused before libyaml (quadratic there) */
	struct sw_buf y = SW_BUF_INIT;
	sw_buf_addstr(&y, "lockfileVersion: '9.0'\nx: ");
	for (int i = 0; i < 300; i++)
		sw_buf_addch(&y, '[');
	for (int i = 0; i < 300; i++)
		sw_buf_addch(&y, ']');
	sw_buf_addstr(&y, "\nbrackets: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n");
	lt_parse_str(L, "pnpm-lock.yaml", y.data, &l);
	assert_true(lt_warned(&l, "pnpm-lock.yaml: yaml nested deeper than 256 levels, not read"));
	sw_pkglist_release(&l);
	sw_buf_release(&y);
	/* anchors and aliases are refused: 5,000 importers sharing one
	 * dependencies mapping of 5,000 entries made 25M walk items (GBs) */
	sw_buf_addstr(&y, "lockfileVersion: '9.0'\nimporters:\n  i0:\n    dependencies: &d\n");
	for (int i = 0; i < 5000; i++)
		sw_buf_addf(&y, "      p%d: 1.0.0\n", i);
	for (int i = 1; i < 5000; i++)
		sw_buf_addf(&y, "  i%d:\n    dependencies: *d\n", i);
	sw_buf_addstr(&y, "snapshots:\n  p1@1.0.0: {}\npackages:\n  p1@1.0.0: {}\n");
	alarm(20);
	lt_parse_str(L, "pnpm-lock.yaml", y.data, &l);
	alarm(0);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	assert_true(ru.ru_maxrss < 512 * 1024);   /* KiB */
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "pnpm-lock.yaml: yaml anchors or aliases, not read"));
	sw_pkglist_release(&l);
	sw_buf_release(&y);
	/* an anchor alone is refused too; '*' and '&' in scalars are not */
	lt_parse_str(L, "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: &x {}\n", &l);
	assert_true(lt_warned(&l, "yaml anchors or aliases"));
	sw_pkglist_release(&l);
	lt_parse_str(L, "pnpm-lock.yaml",
		     "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n"
		     "        specifier: '*'\n        version: 1.0.0\npackages:\n  a@1.0.0:\n"
		     "    resolution: {integrity: 'sha512-a&b*'}\n", &l);
	assert_int_equal(l.warnings.len, 0);
	lt_has(&l, NULL, "a", "1.0.0");
	sw_pkglist_release(&l);
	/* brackets inside quoted scalars do not count */
	sw_buf_addstr(&y, "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\nx: \"");
	for (int i = 0; i < 300; i++)
		sw_buf_addch(&y, '[');
	sw_buf_addstr(&y, "\"\n");
	lt_parse_str(L, "pnpm-lock.yaml", y.data, &l);
	assert_int_equal(l.warnings.len, 0);
	lt_has(&l, NULL, "a", "1.0.0");
	sw_pkglist_release(&l);
	sw_buf_release(&y);
	/* pnpm v5 with peer suffix and registry host in the key */
	lt_parse_str(L, "pnpm-lock.yaml",
		     "lockfileVersion: 5.4\npackages:\n"
		     "  /@s/a/1.0.0_react@18.0.0:\n    dev: true\n"
		     "  /b/2.0.0:\n    dev: false\n", &l);
	assert_int_equal(l.pkgs.len, 2);
	assert_true(lt_find(&l, "@s", "a", "1.0.0")->flags & SW_PKG_DEV);
	lt_has(&l, NULL, "b", "2.0.0");
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_package_json_fixtures),
		cmocka_unit_test(test_installed_tree),
		cmocka_unit_test(test_package_lock),
		cmocka_unit_test(test_yarn),
		cmocka_unit_test(test_pnpm),
	};
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_edge_cases),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(NP " " FA);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
