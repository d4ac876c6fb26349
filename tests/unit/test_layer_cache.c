/* test_layer_cache.c - the per-layer cache: every field survives a round
 * trip, every truncation and every flipped byte is refused, the key
 * depends on the diff_id, files are stored and replaced atomically, and
 * sw_inventory_build() takes layers from the cache (counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inventory/analyzers.h"
#include "inventory/inventory.h"
#include "inventory/layer_cache.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static struct sw_package *full_pkg(const char *name)
{
	struct sw_package *p = sw_package_new("rpm");
	p->namespace_ = sw_xstrdup("ns");
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup("1.2-3");
	p->epoch = 7;
	p->arch = sw_xstrdup("x86_64");
	p->source_name = sw_xstrdup("src");
	p->source_version = sw_xstrdup("1.2-3.src");
	p->vendor = sw_xstrdup("vendor");
	p->modularity = sw_xstrdup("mod:1");
	p->maintainer = sw_xstrdup("someone <a@b.test>");
	sw_vec_push_strdup(&p->licenses, "MIT");
	sw_vec_push_strdup(&p->licenses, "GPL-2.0-only");
	p->purl = sw_xstrdup("pkg:rpm/ns/x@1.2-3");
	p->path = sw_xstrdup("var/lib/rpm/rpmdb.sqlite");
	sw_vec_push_strdup(&p->files, "usr/bin/x");
	p->flags = SW_PKG_DEV | SW_PKG_DECLARED;
	p->owner = sw_xstrdup("deb:y");
	p->layer_index = 4;
	p->layer_diff_id = sw_xstrdup("sha256:00");
	p->layer_created_by = sw_xstrdup("RUN x");
	sw_vec_push_strdup(&p->deps, "dep-a");
	return p;
}

/* the registry's own static name (decoding maps names to these pointers) */
static const char *registry_name(const char *name)
{
	const struct sw_analyzer *const *an = sw_analyzers_all();
	for (size_t i = 0; an[i]; i++)
		if (strcmp(an[i]->name, name) == 0)
			return an[i]->name;
	fail_msg("no analyzer '%s'", name);
	return NULL;
}

static void sample(struct sw_layer_result *r)
{
	memset(r, 0, sizeof(*r));
	struct sw_lr_found *f = sw_xcalloc(1, sizeof(*f));
	f->path = sw_xstrdup("var/lib/rpm/rpmdb.sqlite");
	f->analyzer = registry_name("rpm");
	sw_vec_push(&f->res.pkgs, full_pkg("x"));
	struct sw_package *min = sw_package_new("npm");   /* every optional field NULL */
	min->name = sw_xstrdup("m");
	sw_vec_push(&f->res.pkgs, min);
	sw_vec_push_strdup(&f->res.warnings, "var/lib/rpm/rpmdb.sqlite: odd");
	sw_vec_push(&r->found, f);
	struct sw_lr_found *os = sw_xcalloc(1, sizeof(*os));
	os->path = sw_xstrdup("etc/os-release");
	os->analyzer = SW_LAYER_OS_ANALYZER;
	os->content = sw_xstrdup("ID=rocky\nVERSION_ID=9.3\n");
	sw_vec_push(&r->found, os);
	sw_vec_push_strdup(&r->whiteouts, "app/old");
	sw_vec_push_strdup(&r->opaques, "usr/local");
	struct sw_lr_link *l = sw_xcalloc(1, sizeof(*l));
	l->path = sw_xstrdup("etc/alt");
	l->target = sw_xstrdup("usr/lib/alt");
	sw_vec_push(&r->links, l);
	sw_vec_push_strdup(&r->warnings, "bin/x: hard link to 'y', which no analyzer read; not analysed");
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_strvec_eq(const struct sw_vec *a, const struct sw_vec *b)
{
	assert_int_equal(a->len, b->len);
	for (size_t i = 0; i < a->len; i++)
		assert_string_equal(a->items[i], b->items[i]);
}

static void assert_pkg_eq(const struct sw_package *a, const struct sw_package *b)
{
	assert_str_eq_or_null(a->type, b->type);
	assert_str_eq_or_null(a->namespace_, b->namespace_);
	assert_str_eq_or_null(a->name, b->name);
	assert_str_eq_or_null(a->version, b->version);
	assert_int_equal(a->epoch, b->epoch);
	assert_str_eq_or_null(a->arch, b->arch);
	assert_str_eq_or_null(a->source_name, b->source_name);
	assert_str_eq_or_null(a->source_version, b->source_version);
	assert_str_eq_or_null(a->vendor, b->vendor);
	assert_str_eq_or_null(a->modularity, b->modularity);
	assert_str_eq_or_null(a->maintainer, b->maintainer);
	assert_strvec_eq(&a->licenses, &b->licenses);
	assert_str_eq_or_null(a->purl, b->purl);
	assert_str_eq_or_null(a->path, b->path);
	assert_strvec_eq(&a->files, &b->files);
	assert_int_equal(a->flags, b->flags);
	assert_str_eq_or_null(a->owner, b->owner);
	assert_int_equal(a->layer_index, b->layer_index);
	assert_str_eq_or_null(a->layer_diff_id, b->layer_diff_id);
	assert_str_eq_or_null(a->layer_created_by, b->layer_created_by);
	assert_strvec_eq(&a->deps, &b->deps);
}

static void assert_result_eq(const struct sw_layer_result *a, const struct sw_layer_result *b)
{
	assert_int_equal(a->found.len, b->found.len);
	for (size_t i = 0; i < a->found.len; i++) {
		const struct sw_lr_found *x = a->found.items[i], *y = b->found.items[i];
		assert_string_equal(x->path, y->path);
		assert_string_equal(x->analyzer, y->analyzer);
		assert_str_eq_or_null(x->content, y->content);
		assert_int_equal(x->res.pkgs.len, y->res.pkgs.len);
		for (size_t k = 0; k < x->res.pkgs.len; k++)
			assert_pkg_eq(x->res.pkgs.items[k], y->res.pkgs.items[k]);
		assert_strvec_eq(&x->res.warnings, &y->res.warnings);
	}
	assert_strvec_eq(&a->whiteouts, &b->whiteouts);
	assert_strvec_eq(&a->opaques, &b->opaques);
	assert_int_equal(a->links.len, b->links.len);
	for (size_t i = 0; i < a->links.len; i++) {
		const struct sw_lr_link *x = a->links.items[i], *y = b->links.items[i];
		assert_string_equal(x->path, y->path);
		assert_string_equal(x->target, y->target);
	}
	assert_strvec_eq(&a->warnings, &b->warnings);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct sw_layer_result r, back;
	sample(&r);
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_layer_cache_encode(&r, "k1", &b, &err), 0);
	memset(&back, 0, sizeof(back));
	assert_int_equal(sw_layer_cache_decode((const uint8_t *)b.data, b.len, "k1", &back, &err), 0);
	assert_result_eq(&r, &back);
	sw_layer_result_release(&back);
	/* another key is refused */
	memset(&back, 0, sizeof(back));
	assert_true(sw_layer_cache_decode((const uint8_t *)b.data, b.len, "k2", &back, &err) < 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "another key"));
	assert_int_equal(back.found.len, 0);
	sw_buf_release(&b);
	sw_layer_result_release(&r);
}

static void test_empty_result(void **state)
{
	(void)state;
	struct sw_layer_result r, back;
	memset(&r, 0, sizeof(r));
	memset(&back, 0, sizeof(back));
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_layer_cache_encode(&r, "k", &b, NULL), 0);
	assert_int_equal(sw_layer_cache_decode((const uint8_t *)b.data, b.len, "k", &back, NULL), 0);
	assert_int_equal(back.found.len + back.links.len + back.whiteouts.len, 0);
	sw_buf_release(&b);
}

/* every truncation and every single-byte change is refused, without a crash */
static void test_corruption(void **state)
{
	(void)state;
	struct sw_layer_result r, back;
	sample(&r);
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_layer_cache_encode(&r, "k", &b, NULL), 0);
	uint8_t *copy = sw_xmalloc(b.len);
	for (size_t n = 0; n < b.len; n++) {
		memcpy(copy, b.data, n);
		struct sw_err err = SW_ERR_INIT;
		memset(&back, 0, sizeof(back));
		assert_true(sw_layer_cache_decode(copy, n, "k", &back, &err) < 0);
		assert_int_equal(err.code, SW_E_FORMAT);
	}
	for (size_t i = 0; i < b.len; i++) {
		memcpy(copy, b.data, b.len);
		copy[i] ^= 0x5a;
		memset(&back, 0, sizeof(back));
		assert_true(sw_layer_cache_decode(copy, b.len, "k", &back, NULL) < 0);
		assert_int_equal(back.found.len, 0);
	}
	free(copy);
	sw_buf_release(&b);
	sw_layer_result_release(&r);
}

static void test_key(void **state)
{
	(void)state;
	char *a = sw_layer_cache_key("sha256:aa"), *a2 = sw_layer_cache_key("sha256:aa");
	char *b = sw_layer_cache_key("sha256:ab");
	assert_non_null(a);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_equal(a, a2);
	assert_string_not_equal(a, b);
	assert_null(sw_layer_cache_key(NULL));
	assert_null(sw_layer_cache_key(""));
	free(a);
	free(a2);
	free(b);
}

static void test_store_load(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *sub = sw_xasprintf("%s/a/b/layers", dir);   /* created on demand */
	struct sw_layer_result r, back;
	sample(&r);
	struct sw_err err = SW_ERR_INIT;
	memset(&back, 0, sizeof(back));
	assert_int_equal(sw_layer_cache_load(sub, "k", &back, &err), 0);   /* miss */
	assert_int_equal(sw_layer_cache_store(sub, "k", &r, &err), 0);
	assert_int_equal(sw_layer_cache_load(sub, "k", &back, &err), 1);
	sw_layer_result_release(&back);
	/* a corrupt file is a miss (with the reason), and a store replaces it */
	char *path = sw_xasprintf("%s/k", sub);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("SWLC garbage garbage", f);
	fclose(f);
	memset(&back, 0, sizeof(back));
	sw_err_clear(&err);
	assert_int_equal(sw_layer_cache_load(sub, "k", &back, &err), 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(sw_layer_cache_store(sub, "k", &r, &err), 0);
	assert_int_equal(sw_layer_cache_load(sub, "k", &back, &err), 1);
	assert_result_eq(&r, &back);
	sw_layer_result_release(&back);
	/* only the entry is left: no temporary files */
	char *cmd = sw_xasprintf("test \"$(ls -A '%s')\" = k", sub);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	/* an unwritable place is an error, not a crash */
	char *file_as_dir = sw_xasprintf("%s/k/sub", sub);
	assert_true(sw_layer_cache_store(file_as_dir, "k", &r, &err) < 0);
	free(file_as_dir);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
	free(path);
	free(sub);
	free(dir);
	sw_layer_result_release(&r);
}

/* sw_inventory_build(): counters, a second build from the layer cache
 * (the image cache entry removed: test_image_cache.c covers that level),
 * no_cache */
static void test_build_counts(void **state)
{
	(void)state;
	const char *src = getenv("SW_SOURCE_DIR"); /* set by ctest (tests/CMakeLists.txt) */
	assert_non_null(src);
	char *dir = sw_test_tmpdir();
	char *cmd = sw_xasprintf(
		"cd '%s' && mkdir -p l1/etc l2/var/lib/dpkg && printf 'ID=debian\\nVERSION_ID=12\\n' > l1/etc/os-release"
		" && printf 'Package: a\\nStatus: install ok installed\\nVersion: 1\\nArchitecture: all\\n\\n' > l2/var/lib/dpkg/status"
		" && python3 '%s/tests/tools/mkimage.py' --format oci -o img l1 l2 >/dev/null",
		dir, src);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	char *ref = sw_xasprintf("oci:%s/img", dir);
	char *cache = sw_xasprintf("%s/cache", dir);
	char *drop = sw_xasprintf("rm -rf '%s/images'", cache);
	unsigned want[3][2] = { { 0, 2 }, { 2, 0 }, { 0, 2 } };
	for (int run = 0; run < 3; run++) {
		struct sw_err err = SW_ERR_INIT;
		struct sw_image *img = NULL;
		struct sw_inventory *inv = NULL;
		assert_int_equal(sw_test_sh(drop), 0);
		assert_int_equal(sw_image_open(ref, NULL, &img, &err), 0);
		struct sw_inventory_opts o = { .cache_dir = cache, .no_cache = run == 2 };
		assert_int_equal(sw_inventory_build(img, &o, &inv, &err), 0);
		assert_int_equal(inv->image_cache, run == 2 ? SW_INV_CACHE_OFF : SW_INV_CACHE_MISS);
		assert_int_equal(inv->layers_cached, want[run][0]);
		assert_int_equal(inv->layers_read, want[run][1]);
		assert_int_equal(inv->packages.len, 1);
		assert_string_equal(inv->os.id, "debian");
		sw_inventory_free(inv);
		sw_image_close(img);
	}
	free(drop);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
	free(ref);
	free(cache);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty_result),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_build_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
