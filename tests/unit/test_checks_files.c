/* test_checks_files.c - the parsers the file checks use (checks/sysfiles.h:
 * passwd, shadow, group; apt one-line and deb822 sources, apt.conf, yum/dnf
 * INI, apk repositories) and the file facts of the layer pass
 * (inventory/fsfacts.h: the collector's choices, the merge's whiteout,
 * opaque, replacement and re-listing rules, the cache encoding).  Expected
 * values are written from the formats' manual pages (passwd(5), shadow(5),
 * sources.list(5), apt.conf(5), dnf.conf(5)) and from what each case plants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>

#include "sw_test.h"
#include "checks/sysfiles.h"
#include "inventory/cache.h"
#include "inventory/fsfacts.h"
#include "inventory/layer_cache.h"
#include "util/mem.h"

/* ---- passwd, shadow, group ---- */

static void test_passwd(void **state)
{
	(void)state;
	const char *pw = "root:x:0:0:root:/root:/bin/bash\r\n"
			 "# a comment\n"
			 "\n"
			 "+nisuser::::::\n"
			 "toor:x:0:0::/:/bin/sh\n"
			 "short:x:5\n"                       /* too few fields */
			 "baduid:x:12a:0::/:/bin/sh\n"       /* not a number */
			 "big:x:4294967296:0::/:/bin/sh\n"   /* over 2^32 - 1 */
			 ":x:7:7::/:/bin/sh\n"               /* no name */
			 "nopw::1001:1001::/home/nopw:/bin/sh\n"
			 "colons:x:9:9:a:b:c:d:e\n"          /* extra fields are fine */
			 "last:x:10:10::/:/bin/sh";          /* no final newline */
	struct sw_acct_file f = { 0 };
	assert_int_equal(sw_acct_parse(SW_ACCT_PASSWD, pw, strlen(pw), &f), 0);
	assert_int_equal(f.ents.len, 5);
	assert_int_equal(f.bad, 4);
	assert_int_equal(f.first_bad, 6);
	assert_int_equal(f.skipped, 2);
	const struct sw_acct *a = sw_acct_find(&f, "root");
	assert_non_null(a);
	assert_int_equal(a->id, 0);
	assert_string_equal(a->pw, "x");
	assert_int_equal(a->line, 1);
	a = sw_acct_find(&f, "nopw");
	assert_non_null(a);
	assert_string_equal(a->pw, "");
	assert_int_equal(a->id, 1001);
	assert_int_equal(a->line, 10);
	assert_int_equal(sw_acct_find(&f, "last")->id, 10);
	assert_int_equal(sw_acct_find(&f, "colons")->id, 9);
	assert_null(sw_acct_find(&f, "baduid"));
	sw_acct_file_release(&f);

	/* binary: refused, nothing kept */
	static const char bin[] = "root:x:0:0::/:/bin/sh\n\0\1\2";
	struct sw_acct_file g = { 0 };
	assert_int_equal(sw_acct_parse(SW_ACCT_PASSWD, bin, sizeof(bin) - 1, &g), -1);
	assert_int_equal(g.ents.len, 0);
	sw_acct_file_release(&g);
	/* empty */
	assert_int_equal(sw_acct_parse(SW_ACCT_PASSWD, "", 0, &g), 0);
	assert_int_equal(g.ents.len, 0);
	sw_acct_file_release(&g);
}

static void test_shadow_group(void **state)
{
	(void)state;
	const char *sh = "root:*:19000:0:99999:7:::\nsvc::19000::::::\nlocked:!:1\nonly\n";
	struct sw_acct_file f = { 0 };
	assert_int_equal(sw_acct_parse(SW_ACCT_SHADOW, sh, strlen(sh), &f), 0);
	assert_int_equal(f.ents.len, 3);
	assert_int_equal(f.bad, 1);   /* "only": one field */
	assert_string_equal(sw_acct_find(&f, "svc")->pw, "");
	assert_int_equal(sw_acct_find(&f, "svc")->id, -1);
	assert_string_equal(sw_acct_find(&f, "locked")->pw, "!");
	sw_acct_file_release(&f);
	const char *gr = "root:x:0:\ntty:x:5:a,b\nbad:x:\n";
	assert_int_equal(sw_acct_parse(SW_ACCT_GROUP, gr, strlen(gr), &f), 0);
	assert_int_equal(f.ents.len, 2);
	assert_int_equal(sw_acct_find(&f, "tty")->id, 5);
	assert_int_equal(f.bad, 1);
	sw_acct_file_release(&f);
}

/* ---- package sources ---- */

static void src(enum sw_pkgsrc_kind k, const char *text, size_t nissues, size_t entries, size_t bad,
		const char *first_detail, unsigned first_line)
{
	struct sw_pkgsrc s = { SW_VEC_INIT, 0, 0 };
	assert_int_equal(sw_pkgsrc_parse(k, text, strlen(text), &s), 0);
	if (s.issues.len != nissues || s.entries != entries || s.bad != bad)
		fail_msg("'%s': issues %zu entries %zu bad %zu", text, s.issues.len, s.entries, s.bad);
	if (first_detail) {
		const struct sw_pkgsrc_issue *i = s.issues.items[0];
		if (strcmp(i->detail, first_detail) != 0 || i->line != first_line)
			fail_msg("'%s': detail '%s' line %u", text, i->detail, i->line);
	}
	sw_pkgsrc_release(&s);
}

static void test_apt_sources(void **state)
{
	(void)state;
	src(SW_PKGSRC_APT_LIST, "deb http://deb.debian.org/debian bookworm main\n", 0, 1, 0, NULL, 0);
	src(SW_PKGSRC_APT_LIST, "# c\n\ndeb [ arch=amd64 trusted=yes ] http://r.test/d s main # trailing\n", 1, 1, 0,
	    "[trusted=yes] in 'deb [ arch=amd64 trusted=yes ] http://r.test/d s main'", 3);
	src(SW_PKGSRC_APT_LIST, "deb-src [allow-insecure=YES] http://r.test/d s main\n", 1, 1, 0,
	    "[allow-insecure=YES] in 'deb-src [allow-insecure=YES] http://r.test/d s main'", 1);
	src(SW_PKGSRC_APT_LIST, "deb [trusted=no signed-by=/k.gpg] http://r.test/d s main\n", 0, 1, 0, NULL, 0);
	src(SW_PKGSRC_APT_LIST, "deb [trusted=yes http://r.test/d s main\nnonsense line\n", 0, 1, 2, NULL, 0);
	src(SW_PKGSRC_APT_LIST, "deb [allow-weak=yes allow-downgrade-to-insecure=yes] http://x s\n", 2, 1, 0, NULL, 0);
	/* deb822: an issue per field in an enabled stanza */
	src(SW_PKGSRC_APT_DEB822,
	    "Types: deb\nURIs: http://x\nSuites: s\nComponents: main\nTrusted: yes\n\n"
	    "# comment\nTypes: deb\nURIs: http://y\n Signed-By: continuation\nEnabled: no\nAllow-Insecure: yes\n\n"
	    "Types: deb\nURIs: http://z\nAllow-Weak: no\n",
	    1, 3, 0, "Trusted: yes in 'Trusted: yes'", 5);
	src(SW_PKGSRC_APT_DEB822, "Types deb\n", 0, 0, 1, NULL, 0);
}

static void test_apt_conf(void **state)
{
	(void)state;
	src(SW_PKGSRC_APT_CONF, "APT::Get::AllowUnauthenticated \"true\";\n", 1, 1, 0,
	    "AllowUnauthenticated \"true\" in 'APT::Get::AllowUnauthenticated \"true\";'", 1);
	src(SW_PKGSRC_APT_CONF,
	    "// comment\n/* block\n comment */\nAcquire {\n  AllowInsecureRepositories \"1\";\n  http::Proxy \"x\";\n};\n",
	    1, 2, 0, "AllowInsecureRepositories \"1\" in 'Acquire::AllowInsecureRepositories \"1\";'", 5);
	/* Debian's docker-clean: lists in scopes, no setting turned off */
	src(SW_PKGSRC_APT_CONF,
	    "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb || true\"; };\nDir::Cache::pkgcache \"\";\n", 0, 1,
	    0, NULL, 0);
	src(SW_PKGSRC_APT_CONF, "APT::Get::AllowUnauthenticated \"false\";\n# hash comment\n", 0, 1, 0, NULL, 0);
	src(SW_PKGSRC_APT_CONF, "Acquire::AllowDowngradeToInsecureRepositories yes;\nAPT::Trusted \"on\";\n", 2, 2, 0,
	    NULL, 0);
	/* unterminated: counted bad, no crash */
	src(SW_PKGSRC_APT_CONF, "APT { Get { AllowUnauthenticated \"tr", 0, 0, 1, NULL, 0);
	src(SW_PKGSRC_APT_CONF, "}}};; a b c d e;", 0, 0, 4, NULL, 0);
}

static void test_yum_apk(void **state)
{
	(void)state;
	src(SW_PKGSRC_YUM, "[main]\ngpgcheck=1\n\n[r]\nname=r\nbaseurl=http://r\ngpgcheck = 0\n", 1, 2, 0,
	    "gpgcheck off in [r] in 'gpgcheck = 0'", 7);
	src(SW_PKGSRC_YUM, "[off]\nenabled=0\ngpgcheck=0\n[on]\ngpgcheck=False\n; c\n# c\n", 1, 2, 0,
	    "gpgcheck off in [on] in 'gpgcheck=False'", 5);
	src(SW_PKGSRC_YUM, "gpgcheck=0\n[x\nnoequals\n", 0, 0, 3, NULL, 0);
	src(SW_PKGSRC_YUM, "[a]\ngpgcheck=0\ngpgcheck=1\n", 0, 1, 0, NULL, 0);   /* the last one counts */
	src(SW_PKGSRC_APK, "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n# c\n@edge http://x\n\n", 0, 2, 0, NULL, 0);
	struct sw_pkgsrc s = { SW_VEC_INIT, 0, 0 };
	assert_int_equal(sw_pkgsrc_parse(SW_PKGSRC_YUM, "[a]\0", 4, &s), -1);
	sw_pkgsrc_release(&s);
	assert_int_equal(sw_pkgsrc_kind_of("etc/apt/sources.list.d/a.list"), SW_PKGSRC_APT_LIST);
	assert_int_equal(sw_pkgsrc_kind_of("etc/apt/sources.list.d/a.sources"), SW_PKGSRC_APT_DEB822);
	assert_int_equal(sw_pkgsrc_kind_of("etc/apt/apt.conf.d/99x"), SW_PKGSRC_APT_CONF);
	assert_int_equal(sw_pkgsrc_kind_of("etc/yum.repos.d/a.repo"), SW_PKGSRC_YUM);
	assert_int_equal(sw_pkgsrc_kind_of("etc/dnf/dnf.conf"), SW_PKGSRC_YUM);
	assert_int_equal(sw_pkgsrc_kind_of("etc/passwd"), SW_PKGSRC_NONE);
}

/* ---- file facts: collector, merge, cache ---- */

static void ent(struct sw_layer_result *res, enum sw_entry_type t, const char *path, unsigned mode)
{
	struct sw_entry e = { 0 };
	e.type = t;
	e.path = path;
	e.mode = mode;
	e.uid = 0;
	e.gid = 0;
	e.uname = "root";
	e.size = 10;
	sw_fsfacts_on_entry(res, &e);
}

static void test_collector(void **state)
{
	(void)state;
	struct sw_layer_result lr;
	memset(&lr, 0, sizeof(lr));
	struct sw_vec r = SW_VEC_INIT;
	ent(&lr, SW_ENT_FILE, "usr/bin/su", S_IFREG | 04755);
	ent(&lr, SW_ENT_FILE, "usr/bin/ls", S_IFREG | 0755);                      /* nothing */
	ent(&lr, SW_ENT_DIR, "var/mail", S_IFDIR | 02775);                        /* setgid dir: not counted */
	ent(&lr, SW_ENT_DIR, "tmp", S_IFDIR | 01777);                             /* sticky: fine */
	ent(&lr, SW_ENT_DIR, "data", S_IFDIR | 0777);
	ent(&lr, SW_ENT_SYMLINK, "lnk", S_IFLNK | 0777);                          /* symlinks never */
	ent(&lr, SW_ENT_FILE, "var/cache/apt/archives/a.deb", S_IFREG | 0644);
	ent(&lr, SW_ENT_FILE, "var/cache/apt/archives/lock", S_IFREG | 0640);     /* not a .deb */
	ent(&lr, SW_ENT_FILE, "var/lib/apt/lists/lock", S_IFREG | 0640);
	ent(&lr, SW_ENT_FILE, "root/.npm/_cacache/x", S_IFREG | 0666);            /* cache and o+w */
	r = lr.fs;
	lr.fs = (struct sw_vec)SW_VEC_INIT;
	assert_int_equal(r.len, 4);
	const struct sw_fs_rec *x = r.items[0];
	assert_string_equal(x->path, "usr/bin/su");
	assert_int_equal(x->kinds, SW_FS_SETID);
	assert_string_equal(x->uname, "root");
	x = r.items[1];
	assert_string_equal(x->path, "data");
	assert_int_equal(x->kinds, SW_FS_WORLD_WRITABLE);
	x = r.items[3];
	assert_int_equal(x->kinds, SW_FS_CACHE | SW_FS_WORLD_WRITABLE);
	sw_fs_recs_release(&r);

	/* content over the file limit, or over the layer's budget: recorded, not read */
	struct sw_entry e = { 0 };
	e.type = SW_ENT_FILE;
	e.path = "etc/passwd";
	e.mode = S_IFREG | 0644;
	e.size = SW_FS_CONTENT_MAX + 1;
	struct sw_buf content = SW_BUF_INIT;
	bool loaded = false;
	assert_int_equal(sw_fsfacts_read_content(&lr, &e, NULL, &content, &loaded, NULL), 0);
	assert_false(loaded);
	e.path = "etc/shadow";
	e.size = 100;
	lr.fs_content = SW_FS_CONTENT_LAYER_MAX - 10;
	assert_int_equal(sw_fsfacts_read_content(&lr, &e, NULL, &content, &loaded, NULL), 0);
	assert_false(loaded);
	assert_int_equal(lr.fs.len, 2);
	x = lr.fs.items[0];
	assert_null(x->content);
	assert_string_equal(x->why_not, "1048577 bytes, over the 1048576-byte limit: not read");
	x = lr.fs.items[1];
	assert_null(x->content);
	assert_string_equal(x->why_not, "not read: this layer's 33554432 bytes for such files are used up");
	sw_layer_result_release(&lr);
	sw_buf_release(&content);
	assert_true(sw_fsfacts_wants_content("etc/passwd"));
	assert_true(sw_fsfacts_wants_content("etc/apt/sources.list.d/x.sources"));
	assert_true(sw_fsfacts_wants_content("etc/apt/apt.conf.d/docker-clean"));
	assert_false(sw_fsfacts_wants_content("etc/apt/sources.list.d/x.list.save"));
	assert_false(sw_fsfacts_wants_content("etc/apt/sources.list.d/sub/x.list"));
	assert_false(sw_fsfacts_wants_content("etc/passwd-"));
	assert_false(sw_fsfacts_wants_content("usr/etc/passwd"));
	assert_non_null(sw_fsfacts_cache_label("var/lib/apt/lists"));
	assert_null(sw_fsfacts_cache_label("var/lib"));
}

static struct sw_fs_rec *rec(const char *path, unsigned kinds, unsigned mode)
{
	struct sw_fs_rec *r = sw_xcalloc(1, sizeof(*r));
	r->path = sw_xstrdup(path);
	r->kinds = kinds;
	r->mode = mode;
	r->type = (mode & S_IFMT) == S_IFDIR ? SW_ENT_DIR : SW_ENT_FILE;
	r->uid = r->gid = 0;
	r->size = 100;
	r->layer = -1;
	return r;
}

static void sorted(struct sw_vec *v, const char *const *paths)
{
	for (; *paths; paths++)
		sw_vec_push_strdup(v, *paths);
}

static void test_merge(void **state)
{
	(void)state;
	struct sw_layer_result L[3];
	memset(L, 0, sizeof(L));
	/* layer 0: setuid files a/gone, b/hidden, c/kept, d/rewritten, e/under-file/x;
	 * world-writable dirs w1 (made safe later), w2 (stays); caches */
	sw_vec_push(&L[0].fs, rec("a/gone", SW_FS_SETID, S_IFREG | 04755));
	sw_vec_push(&L[0].fs, rec("b/hidden", SW_FS_SETID, S_IFREG | 04755));
	sw_vec_push(&L[0].fs, rec("c/kept", SW_FS_SETID, S_IFREG | 04755));
	sw_vec_push(&L[0].fs, rec("d/rewritten", SW_FS_SETID, S_IFREG | 04755));
	sw_vec_push(&L[0].fs, rec("e/x", SW_FS_SETID, S_IFREG | 02755));
	sw_vec_push(&L[0].fs, rec("w1", SW_FS_WORLD_WRITABLE, S_IFDIR | 0777));
	sw_vec_push(&L[0].fs, rec("w2", SW_FS_WORLD_WRITABLE, S_IFDIR | 0777));
	sw_vec_push(&L[0].fs, rec("var/cache/apt/archives/a.deb", SW_FS_CACHE, S_IFREG | 0644));
	sw_vec_push(&L[0].fs, rec("var/cache/apt/archives/b.deb", SW_FS_CACHE, S_IFREG | 0644));
	struct sw_fs_rec *pw = rec("etc/passwd", SW_FS_CONTENT, S_IFREG | 0644);
	pw->content = sw_xstrdup("root:x:0:0::/:/bin/sh\n");
	pw->content_len = strlen(pw->content);
	sw_vec_push(&L[0].fs, pw);
	/* layer 1: whiteout a/gone, opaque b, re-lists w1 (safe: no record),
	 * rewrites d/rewritten (no record), a file at e (replaces the directory),
	 * deletes one cache file */
	sw_vec_push_strdup(&L[1].whiteouts, "a/gone");
	sw_vec_push_strdup(&L[1].whiteouts, "var/cache/apt/archives/b.deb");
	sw_vec_push_strdup(&L[1].opaques, "b");
	sorted(&L[1].dirs, (const char *const[]){ "b", "w1", NULL });
	sorted(&L[1].nondirs, (const char *const[]){ "d/rewritten", "e", NULL });
	/* layer 2: a new cache file, w2 listed again still world-writable */
	sw_vec_push(&L[2].fs, rec("var/cache/apt/archives/c.deb", SW_FS_CACHE, S_IFREG | 0644));
	sw_vec_push(&L[2].fs, rec("w2", SW_FS_WORLD_WRITABLE, S_IFDIR | 0777));
	sorted(&L[2].dirs, (const char *const[]){ "w2", NULL });

	struct sw_fs_facts f = { 0 };
	sw_fsfacts_merge(&f, L, 3);
	assert_true(f.collected);
	const char *want[] = { "c/kept", "etc/passwd", "var/cache/apt", "w2" };
	assert_int_equal(f.recs.len, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(((struct sw_fs_rec *)f.recs.items[i])->path, want[i]);
	const struct sw_fs_rec *c = sw_fs_facts_get(&f, "var/cache/apt");
	assert_int_equal(c->count, 2);      /* a.deb (layer 0), c.deb (layer 2) */
	assert_int_equal(c->size, 200);
	assert_int_equal(sw_fs_facts_get(&f, "w2")->layer, 2);
	assert_int_equal(sw_fs_facts_get(&f, "c/kept")->layer, 0);
	assert_string_equal(sw_fs_facts_get(&f, "etc/passwd")->content, "root:x:0:0::/:/bin/sh\n");

	/* owners through a symlinked directory; etc/shadow behind a symlink */
	struct sw_package *login = sw_package_new("deb");
	login->name = sw_xstrdup("login");
	login->version = sw_xstrdup("1:4.13");
	struct sw_map owner = SW_MAP_INIT, links = SW_MAP_INIT;
	sw_map_put(&owner, "cc/kept", login);
	sw_map_put(&links, "cc", sw_xstrdup("c"));
	sw_map_put(&links, "etc/shadow", sw_xstrdup("usr/share/shadow"));
	sw_fsfacts_finish(&f, &owner, &links);
	assert_string_equal(sw_fs_facts_get(&f, "c/kept")->pkg, "deb:login 1:4.13");
	const struct sw_fs_rec *sh = sw_fs_facts_get(&f, "etc/shadow");
	assert_non_null(sh);
	assert_null(sh->content);
	assert_string_equal(sh->why_not, "a symlink to 'usr/share/shadow', which was not read");
	sw_map_release(&owner);
	sw_map_free_all(&links, free);
	sw_package_free(login);

	/* the cache encoding round-trips (content with a NUL inside too) */
	struct sw_fs_rec *bin = rec("etc/group", SW_FS_CONTENT, S_IFREG | 0644);
	bin->content = sw_xmalloc(4);
	memcpy(bin->content, "a\0b", 4);
	bin->content_len = 3;
	bin->uid = 4294967296LL;
	bin->uname = sw_xstrdup("big");
	sw_vec_push(&f.recs, bin);
	struct sw_buf b = SW_BUF_INIT;
	sw_fsfacts_encode(&b, &f.recs);
	sw_cache_put_u32(&b, 7);
	struct sw_cache_rd rd = { (const uint8_t *)b.data, b.len, false, NULL };
	struct sw_vec back = SW_VEC_INIT;
	sw_fsfacts_decode(&rd, &back);
	assert_false(rd.bad);
	assert_int_equal(sw_cache_get_u32(&rd), 7);
	assert_int_equal(back.len, f.recs.len);
	for (size_t i = 0; i < back.len; i++) {
		const struct sw_fs_rec *x = f.recs.items[i], *y = back.items[i];
		assert_string_equal(x->path, y->path);
		assert_int_equal(x->kinds, y->kinds);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->uid, y->uid);
		assert_int_equal(x->layer, y->layer);
		assert_int_equal(x->count, y->count);
		assert_int_equal(x->content_len, y->content_len);
		if (x->content)
			assert_memory_equal(x->content, y->content, x->content_len);
		else
			assert_null(y->content);
		assert_true(sw_streq(x->pkg, y->pkg) || (!x->pkg && !y->pkg));
		assert_true(sw_streq(x->why_not, y->why_not) || (!x->why_not && !y->why_not));
	}
	/* truncated: bad, no crash, no leak */
	struct sw_cache_rd tr = { (const uint8_t *)b.data, b.len / 2, false, NULL };
	struct sw_vec part = SW_VEC_INIT;
	sw_fsfacts_decode(&tr, &part);
	assert_true(tr.bad);
	sw_fs_recs_release(&part);
	sw_fs_recs_release(&back);
	sw_buf_release(&b);
	sw_fs_facts_release(&f);
	for (int i = 0; i < 3; i++)
		sw_layer_result_release(&L[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_shadow_group),
		cmocka_unit_test(test_apt_sources),
		cmocka_unit_test(test_apt_conf),
		cmocka_unit_test(test_yum_apk),
		cmocka_unit_test(test_collector),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
