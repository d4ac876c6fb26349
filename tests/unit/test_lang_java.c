/* test_lang_java.c - jar/war/ear/par walking, pom.properties, MANIFEST.MF,
 * nesting and zip-bomb limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>

#include "test_lang_common.h"

static const struct sw_analyzer *J = &sw_analyzer_java;
#define JP "pkg/dependency/parser/java/jar/testdata/"
#define JF "pkg/fanal/analyzer/language/java/jar/testdata/"

struct zent {
	const char *name;
	const void *data;
	size_t len;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* Build a zip in memory (malloc'd, *len set): each entry deflated, sizes and
 * CRC in the local headers, then the central directory.  Written here with
 * zlib rather than libarchive's writer, whose format table would link its
 * xar writer (and so libxml2) into the test. */
static const char *zip_stored_name; /* entries of this name: deflate level 0 (stored blocks) */
static int zip_level = Z_DEFAULT_COMPRESSION; /* the other entries */

static uint8_t *zip_build(const struct zent *e, size_t n, size_t cap, size_t *len)
{
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	uint8_t *cd = malloc(cap); /* the central directory, appended at the end */
	assert_non_null(cd);
	size_t off = 0, cd_len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);
		assert_true(off + 30 + nl < cap && cd_len + 46 + nl < cap);
		uint8_t *lh = buf + off;
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		int level = zip_stored_name && !strcmp(e[i].name, zip_stored_name) ? Z_NO_COMPRESSION : zip_level;
		assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, -15, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = (Bytef *)(uintptr_t)e[i].data;
		zs.avail_in = (uInt)e[i].len;
		zs.next_out = lh + 30 + nl;
		zs.avail_out = (uInt)(cap - off - 30 - nl);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		uint32_t csize = (uint32_t)zs.total_out;
		deflateEnd(&zs);
		uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)e[i].data, (uInt)e[i].len);
		uint8_t hdr[30] = { 'P', 'K', 3, 4 };
		put16(hdr + 4, 20);  /* version needed */
		put16(hdr + 8, 8);   /* deflate */
		put16(hdr + 12, 0x21); /* 1980-01-01 */
		put32(hdr + 14, crc);
		put32(hdr + 18, csize);
		put32(hdr + 22, (uint32_t)e[i].len);
		put16(hdr + 26, (unsigned)nl);
		memcpy(lh, hdr, 30);
		memcpy(lh + 30, e[i].name, nl);
		uint8_t *c = cd + cd_len;
		memset(c, 0, 46);
		memcpy(c, "PK\1\2", 4);
		put16(c + 4, 0x0314); /* made by: unix, 2.0 */
		memcpy(c + 6, hdr + 4, 26); /* version needed .. name length */
		put32(c + 38, (uint32_t)0100644 << 16);
		put32(c + 42, (uint32_t)off);
		memcpy(c + 46, e[i].name, nl);
		cd_len += 46 + nl;
		off += 30 + nl + csize;
	}
	assert_true(off + cd_len + 22 <= cap);
	memcpy(buf + off, cd, cd_len);
	uint8_t *eo = buf + off + cd_len;
	memset(eo, 0, 22);
	memcpy(eo, "PK\5\6", 4);
	put16(eo + 8, (unsigned)n);
	put16(eo + 10, (unsigned)n);
	put32(eo + 12, (uint32_t)cd_len);
	put32(eo + 16, (uint32_t)off);
	*len = off + cd_len + 22;
	free(cd);
	return buf;
}

static void test_wants(void **state)
{
	(void)state;
	assert_true(J->wants("opt/app/x.jar", 0644, 10));
	assert_true(J->wants("opt/app/X.WAR", 0644, 10));
	assert_true(J->wants("a.ear", 0644, 10));
	assert_true(J->wants("a/b.par", 0644, 10));
	assert_false(J->wants("a/b.jar.sha1", 0644, 10));
	assert_false(J->wants("a/jar", 0644, 10));
	assert_false(J->wants("a/b.zip", 0644, 10));
}

static void test_parser_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;

	static const char *const war[] = {
		"org.glassfish/javax.el@3.0.0", "com.fasterxml.jackson.core/jackson-databind@2.9.10.6",
		"com.fasterxml.jackson.core/jackson-annotations@2.9.10", "com.fasterxml.jackson.core/jackson-core@2.9.10",
		"org.slf4j/slf4j-api@1.7.30", "com.cronutils/cron-utils@9.1.2",
		"org.apache.commons/commons-lang3@3.11", "com.example/web-app@1.0-SNAPSHOT",
	};
	lt_parse_file(J, JP "maven.war", "srv/maven.war", &l);
	lt_expect_exact(&l, war, LT_N(war));
	assert_int_equal(l.warnings.len, 0);
	struct sw_package *p = lt_find(&l, "org.slf4j", "slf4j-api", "1.7.30");
	assert_string_equal(p->type, "maven");
	assert_string_equal(p->path, "srv/maven.war!/WEB-INF/lib/slf4j-api-1.7.30.jar");
	assert_string_equal(lt_find(&l, "com.example", "web-app", NULL)->path, "srv/maven.war");
	sw_pkglist_release(&l);

	static const char *const nested[] = { "test/nested@0.0.1", "test/nested2@0.0.2", "test/nested3@0.0.3" };
	lt_parse_file(J, JP "nested.jar", "nested.jar", &l);
	lt_expect_exact(&l, nested, LT_N(nested));
	assert_string_equal(lt_find(&l, "test", "nested3", NULL)->path,
			    "nested.jar!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar");
	sw_pkglist_release(&l);

	static const char *const guava[] = {
		"org.apache.hadoop.thirdparty/hadoop-shaded-guava@1.1.0-SNAPSHOT", "com.google.j2objc/j2objc-annotations@1.3",
		"com.google.guava/guava@29.0-jre", "com.google.guava/failureaccess@1.0.1",
		"com.google.guava/listenablefuture@9999.0-empty-to-avoid-conflict-with-guava",
	};
	lt_parse_file(J, JP "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar", &l);
	lt_expect_exact(&l, guava, LT_N(guava));
	sw_pkglist_release(&l);

	/* pom.properties outside META-INF/maven and jars in jars/ count too */
	static const char *const gizmo[] = {
		"io.quarkus.gizmo/gizmo@1.1", "log4j/log4j@1.2.16", "log4j/log4j@1.2.17",
		"com.fasterxml.jackson.core/jackson-databind@2.12.3", "com.fasterxml.jackson.core/jackson-databind@2.13.4",
	};
	lt_parse_file(J, JP "io.quarkus.gizmo.gizmo-1.1.jar", "io.quarkus.gizmo.gizmo-1.1.jar", &l);
	lt_expect_exact(&l, gizmo, LT_N(gizmo));
	sw_pkglist_release(&l);

	/* file name only */
	static const char *const heur[] = { "heuristic@1.0.0-SNAPSHOT" };
	lt_parse_file(J, JP "heuristic-1.0.0-SNAPSHOT.jar", "heuristic-1.0.0-SNAPSHOT.jar", &l);
	lt_expect_exact(&l, heur, LT_N(heur));
	assert_null(((struct sw_package *)l.pkgs.items[0])->namespace_);
	sw_pkglist_release(&l);

	/* manifest: Implementation-Vendor-Id/Title/Version and Jenkins licences */
	static const char *const jenkins[] = { "com.example/jenkins-plugin@1.0.0" };
	lt_parse_file(J, JP "license-from-jenkins-plugin.jar", "license-from-jenkins-plugin.jar", &l);
	lt_expect_exact(&l, jenkins, LT_N(jenkins));
	p = l.pkgs.items[0];
	assert_true(lt_has_license(p, "Apache License, Version 2.0"));
	assert_true(lt_has_license(p, "MIT License"));
	sw_pkglist_release(&l);

	static const char *const ml[] = { "com.example/multi-license@1.0.0" };
	lt_parse_file(J, JP "multi-license-1.0.0.jar", "multi-license-1.0.0.jar", &l);
	lt_expect_exact(&l, ml, LT_N(ml));
	sw_pkglist_release(&l);

	/* manifest only, no useful file name: Bundle-SymbolicName with a
	 * continuation-line manifest */
	lt_parse_file(J, JP "test.jar", "test.jar", &l);
	assert_int_equal(l.pkgs.len, 1);
	lt_has(&l, "org.springframework", NULL, "2.5.6.SEC03");
	sw_pkglist_release(&l);

	static const char *const gradle[] = { "commons-dbcp/commons-dbcp@1.4", "commons-pool/commons-pool@1.6",
					      "log4j/log4j@1.2.17", "org.apache.commons/commons-compress@1.19" };
	lt_parse_file(J, JP "gradle.war", "gradle.war", &l);
	lt_expect_exact(&l, gradle, LT_N(gradle));
	sw_pkglist_release(&l);
}

static void test_analyzer_fixtures(void **state)
{
	(void)state;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	static const char *const par[] = { "com.fasterxml.jackson.core/jackson-core@2.9.10", "com.example/par-app@3.0.0" };
	lt_parse_file(J, JF "test.par", "app/test.par", &l);
	lt_expect_exact(&l, par, LT_N(par));
	assert_string_equal(lt_find(&l, NULL, "jackson-core", NULL)->path, "app/test.par!/lib/jackson-core-2.9.10.jar");
	sw_pkglist_release(&l);
	lt_parse_file(J, JF "test.war", "app/test.war", &l);
	assert_int_equal(l.pkgs.len, 8);
	lt_has(&l, "com.cronutils", "cron-utils", "9.1.2");
	sw_pkglist_release(&l);
	static const char *const tomcat[] = { "org.apache/tomcat-embed-websocket@9.0.65" };
	lt_parse_file(J, JF "test.jar", "app/test.jar", &l);
	lt_expect_exact(&l, tomcat, LT_N(tomcat));
	sw_pkglist_release(&l);
	/* a text file named .jar */
	lt_parse_file(J, JF "test.txt", "app/test.jar", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(lt_warned(&l, "app/test.jar: not a zip archive"));
	sw_pkglist_release(&l);
}

static const char pom_fmt[] = "#comment\ngroupId=g%d\nartifactId=a%d\nversion=1.%d\n";

/* depth 0..6, each with its own pom.properties, each holding the next */
static void test_nesting_limit(void **state)
{
	(void)state;
	uint8_t *inner = NULL;
	size_t inner_len = 0;
	for (int d = 6; d >= 0; d--) {
		char pom[128];
		snprintf(pom, sizeof(pom), pom_fmt, d, d, d);
		struct zent e[2] = { { "META-INF/maven/g/a/pom.properties", pom, strlen(pom) },
				     { "lib/inner.jar", inner, inner_len } };
		size_t len = 0;
		uint8_t *z = zip_build(e, inner ? 2 : 1, 1 << 20, &len);
		free(inner);
		inner = z;
		inner_len = len;
	}
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(J, "app/outer.jar", inner, inner_len, &l);
	assert_int_equal(l.pkgs.len, 5); /* depths 0..4 */
	lt_has(&l, "g0", "a0", "1.0");
	lt_has(&l, "g4", "a4", "1.4");
	assert_null(lt_find(&l, "g5", "a5", NULL));
	assert_string_equal(lt_find(&l, "g2", "a2", NULL)->path, "app/outer.jar!/lib/inner.jar!/lib/inner.jar");
	assert_true(lt_warned(&l, "app/outer.jar: archives nested deeper than 4 levels not read"));
	sw_pkglist_release(&l);

	/* truncated archive: a warning, and what can be read is kept */
	lt_parse_mem(J, "app/cut.jar", inner, inner_len / 2, &l);
	assert_true(l.warnings.len >= 1);
	sw_pkglist_release(&l);
	free(inner);
}

static void test_zip_bomb(void **state)
{
	(void)state;
	size_t big = 80u << 20; /* 80 MiB of zeros deflate to ~80 KiB */
	char *zeros = calloc(1, big);
	assert_non_null(zeros);
	struct zent e[2] = { { "META-INF/maven/g/a/pom.properties", "groupId=g\nartifactId=a\nversion=1\n", 33 },
			     { "lib/bomb.jar", zeros, big } };
	size_t len = 0;
	uint8_t *z = zip_build(e, 2, 4u << 20, &len);
	free(zeros);
	assert_true(len < (1u << 20));
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(J, "app/bomb.jar", z, len, &l);
	assert_true(lt_warned(&l, "app/bomb.jar: decompressed"));
	assert_true(lt_warned(&l, "zip bomb suspected"));
	lt_has(&l, "g", "a", "1"); /* read before the bomb */
	sw_pkglist_release(&l);
	free(z);
}

/* A jar holding a 150 MB jar holding another 150 MB jar (each padded
 * with zeros stored uncompressed, so each compresses well inside its
 * parent; a 4 MB incompressible entry keeps the outer file large enough
 * for the ratio check).  Each level used to be held in memory up to 256 MB
 * (with 512 MB files: about 2 GB per worker); now all the nested archives
 * held at once share 256 MB, so the innermost is skipped with a warning. */
static void test_nested_memory_budget(void **state)
{
	(void)state;
	size_t big = 150u << 20, rn = 4u << 20;
	char *zeros = calloc(1, big);
	assert_non_null(zeros);
	static const char pom0[] = "groupId=g0\nartifactId=a0\nversion=1.0\n";
	static const char pom1[] = "groupId=g1\nartifactId=a1\nversion=1.1\n";
	size_t inner_len = 0, mid_len = 0, outer_len = 0;
	zip_stored_name = "pad.bin";
	zip_level = Z_BEST_SPEED;
	struct zent ei[2] = { { "META-INF/maven/g1/a1/pom.properties", pom1, sizeof(pom1) - 1 },
			      { "pad.bin", zeros, big } };
	uint8_t *inner = zip_build(ei, 2, big + (1u << 20), &inner_len);
	struct zent em[3] = { { "META-INF/maven/g0/a0/pom.properties", pom0, sizeof(pom0) - 1 },
			      { "pad.bin", zeros, big },
			      { "lib/inner.jar", inner, inner_len } };
	uint8_t *mid = zip_build(em, 3, big + (4u << 20), &mid_len);
	zip_stored_name = NULL;
	free(inner);
	free(zeros);
	char *rnd = malloc(rn);
	assert_non_null(rnd);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < rn; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		rnd[i] = (char)x;
	}
	struct zent eo[2] = { { "random.bin", rnd, rn }, { "lib/mid.jar", mid, mid_len } };
	uint8_t *outer = zip_build(eo, 2, 2 * rn, &outer_len);
	zip_level = Z_DEFAULT_COMPRESSION;
	free(rnd);
	free(mid);
	assert_true(mid_len > (140u << 20) && outer_len < (6u << 20));
	struct sw_pkglist l = SW_PKGLIST_INIT;
	lt_parse_mem(J, "app/outer.jar", outer, outer_len, &l);
	lt_has(&l, "g0", "a0", "1.0");
	assert_null(lt_find(&l, "g1", "a1", NULL));
	assert_true(lt_warned(&l, "app/outer.jar!/lib/mid.jar!/lib/inner.jar: nested archive skipped"));
	sw_pkglist_release(&l);
	free(outer);
}

static void test_manifest_rules(void **state)
{
	(void)state;
	static const char mf1[] =
		"Manifest-Version: 1.0\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-data\r\n bind;singleton:=true\r\n"
		"Bundle-Version: 2.9.1\r\nBundle-License: Apache-2.0\r\n\r\nName: x\r\nImplementation-Title: nope\r\n";
	struct zent e[1] = { { "META-INF/MANIFEST.MF", mf1, sizeof(mf1) - 1 } };
	size_t len = 0;
	uint8_t *z = zip_build(e, 1, 1 << 16, &len);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	/* no version in the file name: identity from Bundle-SymbolicName */
	lt_parse_mem(J, "app/databind.jar", z, len, &l);
	assert_int_equal(l.pkgs.len, 1);
	struct sw_package *p = l.pkgs.items[0];
	assert_string_equal(p->namespace_, "com.fasterxml.jackson.core");
	assert_string_equal(p->name, "jackson-databind");
	assert_string_equal(p->version, "2.9.1");
	assert_true(lt_has_license(p, "Apache-2.0"));
	sw_pkglist_release(&l);
	/* file name with a version: artifactId/version from it, groupId from
	 * the bundle name */
	lt_parse_mem(J, "app/spring-core-5.3.1.jar", z, len, &l);
	assert_int_equal(l.pkgs.len, 1);
	lt_has(&l, "com.fasterxml.jackson.core", "spring-core", "5.3.1");
	sw_pkglist_release(&l);
	free(z);

	/* an old Apache jar (Debian's commons-collections3.jar): no pom.properties,
	 * no version in the file name; Extension-Name is the artifactId and the
	 * legacy groupId equals it */
	static const char mf2[] =
		"Manifest-Version: 1.0\r\nExtension-Name: commons-collections\r\n"
		"Implementation-Title: Commons Collections\r\nImplementation-Version: 3.2.2\r\n"
		"Implementation-Vendor-Id: org.apache\r\nBundle-SymbolicName: org.apache.commons.collections\r\n\r\n";
	struct zent e4[1] = { { "META-INF/MANIFEST.MF", mf2, sizeof(mf2) - 1 } };
	z = zip_build(e4, 1, 1 << 16, &len);
	lt_parse_mem(J, "opt/app/lib/commons-collections3.jar", z, len, &l);
	static const char *const cc[] = { "commons-collections/commons-collections@3.2.2" };
	lt_expect_exact(&l, cc, LT_N(cc));
	sw_pkglist_release(&l);
	free(z);

	/* invalid pom.properties (spaces, missing version) are ignored */
	static const char bad[] = "groupId=a b\nartifactId=c\nversion=1\n";
	static const char nov[] = "groupId=a\nartifactId=c\n";
	struct zent e2[2] = { { "META-INF/maven/a/c/pom.properties", bad, sizeof(bad) - 1 },
			      { "x/pom.properties", nov, sizeof(nov) - 1 } };
	z = zip_build(e2, 2, 1 << 16, &len);
	lt_parse_mem(J, "app/c.jar", z, len, &l);
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
	free(z);

	/* a "fully executable" jar: a shell script in front of the zip */
	static const char pom1[] = "groupId=g\nartifactId=exe\nversion=3.1\n";
	struct zent e3[1] = { { "META-INF/maven/g/exe/pom.properties", pom1, sizeof(pom1) - 1 } };
	z = zip_build(e3, 1, 1 << 16, &len);
	static const char sh[] = "#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n";
	uint8_t *ex = malloc(len + sizeof(sh) - 1);
	memcpy(ex, sh, sizeof(sh) - 1);
	memcpy(ex + sizeof(sh) - 1, z, len);
	lt_parse_mem(J, "app/exe-3.1.jar", ex, len + sizeof(sh) - 1, &l);
	static const char *const exe[] = { "g/exe@3.1" };
	lt_expect_exact(&l, exe, LT_N(exe));
	sw_pkglist_release(&l);
	free(ex);
	free(z);

	lt_parse_str(J, "app/x.jar", "PK\x03\x04garbage", &l);
	assert_int_equal(l.pkgs.len, 0);
	assert_true(l.warnings.len >= 1);
	sw_pkglist_release(&l);
	lt_parse_mem(J, "app/x.jar", "", 0, &l);
	assert_int_equal(l.pkgs.len, 0);
	sw_pkglist_release(&l);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_wants),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_nested_memory_budget),
		cmocka_unit_test(test_manifest_rules),
	};
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(test_parser_fixtures),
		cmocka_unit_test(test_analyzer_fixtures),
	};
	if (cmocka_run_group_tests(basic, NULL, NULL))
		return 1;
	lt_extract(JP " " JF);
	int rc = cmocka_run_group_tests(fixtures, NULL, NULL);
	lt_cleanup();
	return rc ? 1 : 0;
}
