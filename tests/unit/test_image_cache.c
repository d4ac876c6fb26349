/* test_image_cache.c - the image-level cache: every field of the merged
 * inventory survives a round trip (without file lists), every truncation
 * and every flipped byte is refused, the key depends on the config digest
 * and on every layer in order, entries are stored and replaced atomically
 * (also under concurrent writers and readers), and sw_inventory_build()
 * gives the same SBOM, byte for byte, cold, from the layer cache and from
 * the image cache. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "image/image.h"
#include "inventory/image_cache.h"
#include "inventory/inventory.h"
#include "inventory/osdetect.h"
#include "report/report.h"
#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"

static struct sw_package *full_pkg(const char *name)
{
	struct sw_package *p = sw_package_new("deb");
	p->namespace_ = sw_xstrdup("debian");
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup("1:1.2-3");
	p->epoch = 7;
	p->arch = sw_xstrdup("amd64");
	p->source_name = sw_xstrdup("src");
	p->source_version = sw_xstrdup("1.2-3");
	p->vendor = sw_xstrdup("vendor");
	p->modularity = sw_xstrdup("mod:1");
	p->maintainer = sw_xstrdup("someone <a@b.test>");
	sw_vec_push_strdup(&p->licenses, "MIT");
	sw_vec_push_strdup(&p->licenses, "GPL-2.0-only");
	p->purl = sw_xstrdup("pkg:deb/debian/x@1.2-3?arch=amd64");
	p->path = sw_xstrdup("var/lib/dpkg/status");
	sw_vec_push_strdup(&p->files, "usr/bin/x");   /* not stored */
	p->flags = SW_PKG_DEV | SW_PKG_DECLARED;
	p->owner = sw_xstrdup("deb:y");
	p->layer_index = 4;
	p->layer_diff_id = sw_xstrdup("sha256:00");
	p->layer_created_by = sw_xstrdup("RUN x");
	sw_vec_push_strdup(&p->deps, "dep-a");
	return p;
}

static struct sw_inventory *sample(size_t npkgs)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->os.id = sw_xstrdup("debian");
	inv->os.version_id = sw_xstrdup("12");
	inv->os.codename = sw_xstrdup("bookworm");
	inv->os.pretty_name = sw_xstrdup("Debian GNU/Linux 12 (bookworm)");
	inv->os.id_like = sw_xstrdup("ubuntu");
	inv->os.source = sw_xstrdup("usr/lib/os-release");
	inv->os.distroless = true;
	for (size_t i = 0; i < npkgs; i++) {
		char name[32];
		snprintf(name, sizeof(name), "p%zu", i);
		sw_vec_push(&inv->packages, full_pkg(name));
	}
	struct sw_package *min = sw_package_new("npm");   /* every optional field NULL */
	min->name = sw_xstrdup("m");
	sw_vec_push(&inv->packages, min);
	sw_vec_push_strdup(&inv->warnings, "var/lib/rpm/rpmdb.sqlite: odd");
	return inv;
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
	assert_int_equal(b->files.len, 0);   /* never stored */
	assert_int_equal(a->flags, b->flags);
	assert_str_eq_or_null(a->owner, b->owner);
	assert_int_equal(a->layer_index, b->layer_index);
	assert_str_eq_or_null(a->layer_diff_id, b->layer_diff_id);
	assert_str_eq_or_null(a->layer_created_by, b->layer_created_by);
	assert_strvec_eq(&a->deps, &b->deps);
}

static void assert_inv_eq(const struct sw_inventory *a, const struct sw_inventory *b)
{
	assert_str_eq_or_null(a->os.id, b->os.id);
	assert_str_eq_or_null(a->os.version_id, b->os.version_id);
	assert_str_eq_or_null(a->os.codename, b->os.codename);
	assert_str_eq_or_null(a->os.pretty_name, b->os.pretty_name);
	assert_str_eq_or_null(a->os.id_like, b->os.id_like);
	assert_str_eq_or_null(a->os.source, b->os.source);
	assert_int_equal(a->os.distroless, b->os.distroless);
	assert_int_equal(a->packages.len, b->packages.len);
	for (size_t i = 0; i < a->packages.len; i++)
		assert_pkg_eq(a->packages.items[i], b->packages.items[i]);
	assert_strvec_eq(&a->warnings, &b->warnings);
}

static void assert_inv_empty(const struct sw_inventory *inv)
{
	assert_null(inv->os.id);
	assert_null(inv->os.source);
	assert_int_equal(inv->packages.len, 0);
	assert_int_equal(inv->warnings.len, 0);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct sw_inventory *inv = sample(2);
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_image_cache_encode(inv, "k1", &b, &err), 0);
	struct sw_inventory *back = sw_xcalloc(1, sizeof(*back));
	assert_int_equal(sw_image_cache_decode((const uint8_t *)b.data, b.len, "k1", back, &err), 0);
	assert_inv_eq(inv, back);
	sw_inventory_free(back);
	/* another key is refused, and nothing is filled in */
	back = sw_xcalloc(1, sizeof(*back));
	assert_true(sw_image_cache_decode((const uint8_t *)b.data, b.len, "k2", back, &err) < 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "another key"));
	assert_inv_empty(back);
	sw_inventory_free(back);
	/* a layer cache entry is not an image cache entry */
	b.data[0] = 'X';
	back = sw_xcalloc(1, sizeof(*back));
	sw_err_clear(&err);
	assert_true(sw_image_cache_decode((const uint8_t *)b.data, b.len, "k1", back, &err) < 0);
	assert_non_null(strstr(err.msg, "bad magic"));
	sw_inventory_free(back);
	sw_buf_release(&b);
	sw_inventory_free(inv);
}

static void test_empty_inventory(void **state)
{
	(void)state;
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	struct sw_inventory *back = sw_xcalloc(1, sizeof(*back));
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_image_cache_encode(inv, "k", &b, NULL), 0);
	assert_int_equal(sw_image_cache_decode((const uint8_t *)b.data, b.len, "k", back, NULL), 0);
	assert_inv_eq(inv, back);
	assert_false(back->os.distroless);
	sw_buf_release(&b);
	sw_inventory_free(inv);
	sw_inventory_free(back);
}

/* every truncation and every single-byte change is refused, without a
 * crash, and leaves the inventory as it was */
static void test_corruption(void **state)
{
	(void)state;
	struct sw_inventory *inv = sample(1);
	struct sw_buf b = SW_BUF_INIT;
	assert_int_equal(sw_image_cache_encode(inv, "k", &b, NULL), 0);
	uint8_t *copy = sw_xmalloc(b.len);
	struct sw_inventory *back = sw_xcalloc(1, sizeof(*back));
	for (size_t n = 0; n < b.len; n++) {
		memcpy(copy, b.data, n);
		struct sw_err err = SW_ERR_INIT;
		assert_true(sw_image_cache_decode(copy, n, "k", back, &err) < 0);
		assert_int_equal(err.code, SW_E_FORMAT);
		assert_inv_empty(back);
	}
	for (size_t i = 0; i < b.len; i++) {
		memcpy(copy, b.data, b.len);
		copy[i] ^= 0x5a;
		assert_true(sw_image_cache_decode(copy, b.len, "k", back, NULL) < 0);
		assert_inv_empty(back);
	}
	sw_inventory_free(back);
	free(copy);
	sw_buf_release(&b);
	sw_inventory_free(inv);
}

static struct sw_layer_desc *layer(const char *diff_id)
{
	struct sw_layer_desc *d = sw_xcalloc(1, sizeof(*d));
	d->diff_id = sw_xstrdup(diff_id);
	return d;
}

static void info_release(struct sw_image_info *info)
{
	for (size_t i = 0; i < info->layers.len; i++) {
		struct sw_layer_desc *d = info->layers.items[i];
		free(d->diff_id);
		free(d);
	}
	sw_vec_release(&info->layers);
	free(info->config_digest);
}

static void test_key(void **state)
{
	(void)state;
	struct sw_image_info a = { 0 }, b = { 0 };
	a.config_digest = sw_xstrdup("sha256:c1");
	sw_vec_push(&a.layers, layer("sha256:l1"));
	sw_vec_push(&a.layers, layer("sha256:l2"));
	b.config_digest = sw_xstrdup("sha256:c1");
	sw_vec_push(&b.layers, layer("sha256:l1"));
	sw_vec_push(&b.layers, layer("sha256:l2"));
	char *ka = sw_image_cache_key(&a), *kb = sw_image_cache_key(&b);
	assert_non_null(ka);
	assert_int_equal(strlen(ka), 64);
	assert_int_equal(strspn(ka, "0123456789abcdef"), 64);
	assert_string_equal(ka, kb);
	free(kb);
	/* another config (other history, other platform ...) */
	sw_str_set(&b.config_digest, "sha256:c2");
	kb = sw_image_cache_key(&b);
	assert_string_not_equal(ka, kb);
	free(kb);
	/* the same layers in another order */
	sw_str_set(&b.config_digest, "sha256:c1");
	void *t = b.layers.items[0];
	b.layers.items[0] = b.layers.items[1];
	b.layers.items[1] = t;
	kb = sw_image_cache_key(&b);
	assert_string_not_equal(ka, kb);
	free(kb);
	/* one layer fewer */
	struct sw_layer_desc *last = sw_vec_pop(&b.layers);
	kb = sw_image_cache_key(&b);
	assert_string_not_equal(ka, kb);
	free(kb);
	/* a layer without a diff_id (dir:), or no config: not cacheable */
	free(last->diff_id);
	last->diff_id = NULL;
	sw_vec_push(&b.layers, last);
	assert_null(sw_image_cache_key(&b));
	sw_str_set(&a.config_digest, NULL);
	assert_null(sw_image_cache_key(&a));
	free(ka);
	info_release(&a);
	info_release(&b);
}

static void test_store_load(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *sub = sw_xasprintf("%s/a/b/images", dir);   /* created on demand */
	struct sw_inventory *inv = sample(3);
	struct sw_inventory *back = sw_xcalloc(1, sizeof(*back));
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_image_cache_load(sub, "k", back, &err), 0);   /* no entry */
	assert_int_equal(sw_image_cache_store(sub, "k", inv, &err), 0);
	assert_int_equal(sw_image_cache_load(sub, "k", back, &err), 1);
	assert_inv_eq(inv, back);
	sw_inventory_free(back);
	/* a corrupt file is refused (with the reason), and a store replaces it */
	char *path = sw_xasprintf("%s/k", sub);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("SWIC garbage garbage", f);
	fclose(f);
	back = sw_xcalloc(1, sizeof(*back));
	sw_err_clear(&err);
	assert_true(sw_image_cache_load(sub, "k", back, &err) < 0);
	assert_int_equal(err.code, SW_E_FORMAT);
	assert_non_null(strstr(err.msg, path));
	assert_inv_empty(back);
	assert_int_equal(sw_image_cache_store(sub, "k", inv, &err), 0);
	assert_int_equal(sw_image_cache_load(sub, "k", back, &err), 1);
	assert_inv_eq(inv, back);
	sw_inventory_free(back);
	/* not a regular file: refused, not read */
	char *cmd = sw_xasprintf("mkfifo '%s/fifo' && ln -s k '%s/link'", sub, sub);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	back = sw_xcalloc(1, sizeof(*back));
	assert_true(sw_image_cache_load(sub, "fifo", back, &err) < 0);
	assert_true(sw_image_cache_load(sub, "link", back, &err) < 0);
	assert_inv_empty(back);
	sw_inventory_free(back);
	cmd = sw_xasprintf("rm '%s/fifo' '%s/link' && test \"$(ls -A '%s')\" = k", sub, sub, sub);
	assert_int_equal(sw_test_sh(cmd), 0);   /* only the entry: no temporary files */
	free(cmd);
	/* an unwritable place is an error, not a crash */
	char *file_as_dir = sw_xasprintf("%s/k/sub", sub);
	assert_true(sw_image_cache_store(file_as_dir, "k", inv, &err) < 0);
	free(file_as_dir);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
	free(path);
	free(sub);
	free(dir);
	sw_inventory_free(inv);
}

/* Writers replace one key with entries of different sizes while readers
 * load it: a reader sees no entry or a whole one, never a torn one. */
struct race {
	const char *dir;
	int id;
	int hits, misses, bad;
};

#define RACE_ROUNDS 40

static void *race_writer(void *arg)
{
	struct race *r = arg;
	struct sw_inventory *inv = sample((size_t)r->id * 50);
	for (int i = 0; i < RACE_ROUNDS; i++)
		if (sw_image_cache_store(r->dir, "k", inv, NULL) < 0)
			r->bad++;
	sw_inventory_free(inv);
	return NULL;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < RACE_ROUNDS * 4; i++) {
		struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
		int h = sw_image_cache_load(r->dir, "k", inv, NULL);
		if (h == 1 && (inv->packages.len == 51 || inv->packages.len == 101 || inv->packages.len == 151))
			r->hits++;
		else if (h == 0)
			r->misses++;
		else
			r->bad++;
		sw_inventory_free(inv);
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	/* an entry exists before the race (atomic replacement means a reader
	 * then always finds a whole one), so hits cannot depend on which
	 * thread the scheduler starts first */
	struct sw_inventory *first = sample(50);
	assert_int_equal(sw_image_cache_store(dir, "k", first, NULL), 0);
	sw_inventory_free(first);
	struct race rs[6];
	pthread_t t[6];
	for (int i = 0; i < 6; i++) {
		rs[i] = (struct race){ dir, i % 3 + 1, 0, 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, i < 3 ? race_writer : race_reader, &rs[i]), 0);
	}
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	int hits = 0;
	for (int i = 0; i < 6; i++) {
		assert_int_equal(rs[i].bad, 0);
		hits += rs[i].hits;
	}
	assert_true(hits > 0);
	char *cmd = sw_xasprintf("test \"$(ls -A '%s')\" = k && rm -rf '%s'", dir, dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	free(dir);
}

static char *sbom_json(const struct sw_inventory *inv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	struct sw_report_opts o = { .now = 1700000000, .tool_version = "test" };
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_report_sbom(f, SW_FMT_JSON, inv, &o, &err), 0);
	fclose(f);
	return text;
}

/* sw_inventory_build(): the same SBOM cold, from the image cache, from the
 * layer cache; what each run did; a bad entry is rebuilt */
static void test_build(void **state)
{
	(void)state;
	const char *src = getenv("SW_SOURCE_DIR"); /* set by ctest (tests/CMakeLists.txt) */
	assert_non_null(src);
	char *dir = sw_test_tmpdir();
	char *cmd = sw_xasprintf(
		"cd '%s' && mkdir -p l1/etc l1/var/lib/dpkg/info l2/var/lib/dpkg l2/usr/lib/python3/dist-packages/x-1.dist-info"
		" && printf 'ID=debian\\nVERSION_ID=12\\n' > l1/etc/os-release"
		" && printf 'Package: a\\nStatus: install ok installed\\nVersion: 1\\nArchitecture: all\\n\\n' > l1/var/lib/dpkg/status"
		" && printf '/usr/lib/python3/dist-packages/x-1.dist-info/METADATA\\n' > l1/var/lib/dpkg/info/b.list"
		" && printf 'Package: a\\nStatus: install ok installed\\nVersion: 1\\nArchitecture: all\\n\\n"
		"Package: b\\nStatus: install ok installed\\nVersion: 2\\nArchitecture: all\\n\\n' > l2/var/lib/dpkg/status"
		" && printf 'Metadata-Version: 2.1\\nName: x\\nVersion: 1\\n' > l2/usr/lib/python3/dist-packages/x-1.dist-info/METADATA"
		" && python3 '%s/tests/tools/mkimage.py' --format oci --history 'ADD l1' --history 'RUN l2' -o img l1 l2 >/dev/null",
		dir, src);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	char *ref = sw_xasprintf("oci:%s/img", dir);
	char *cache = sw_xasprintf("%s/cache", dir);
	struct { enum sw_inv_cache image; unsigned cached, read; bool drop_images, no_cache; } runs[] = {
		{ SW_INV_CACHE_MISS, 0, 2, false, false },
		{ SW_INV_CACHE_HIT, 0, 0, false, false },
		{ SW_INV_CACHE_MISS, 2, 0, true, false },
		{ SW_INV_CACHE_HIT, 0, 0, false, false },
		{ SW_INV_CACHE_OFF, 0, 2, false, true },
		{ SW_INV_CACHE_BAD, 2, 0, false, false },   /* after the entry is spoilt */
		{ SW_INV_CACHE_HIT, 0, 0, false, false },
	};
	char *first = NULL;
	for (size_t run = 0; run < sizeof(runs) / sizeof(runs[0]); run++) {
		if (runs[run].drop_images) {
			cmd = sw_xasprintf("rm -rf '%s/images'", cache);
			assert_int_equal(sw_test_sh(cmd), 0);
			free(cmd);
		}
		if (runs[run].image == SW_INV_CACHE_BAD) {
			cmd = sw_xasprintf("for f in '%s'/images/*; do printf x | dd of=$f bs=1 seek=100 conv=notrunc status=none; done", cache);
			assert_int_equal(sw_test_sh(cmd), 0);
			free(cmd);
		}
		struct sw_err err = SW_ERR_INIT;
		struct sw_image *img = NULL;
		struct sw_inventory *inv = NULL;
		assert_int_equal(sw_image_open(ref, NULL, &img, &err), 0);
		struct sw_inventory_opts o = { .cache_dir = cache, .no_cache = runs[run].no_cache };
		assert_int_equal(sw_inventory_build(img, &o, &inv, &err), 0);
		assert_int_equal(inv->image_cache, runs[run].image);
		assert_int_equal(inv->layers_cached, runs[run].cached);
		assert_int_equal(inv->layers_read, runs[run].read);
		assert_int_equal(inv->packages.len, 3);
		assert_string_equal(inv->os.id, "debian");
		for (size_t i = 0; i < inv->packages.len; i++) {
			const struct sw_package *p = inv->packages.items[i];
			assert_int_equal(p->files.len, 0);   /* a built inventory keeps none */
			if (strcmp(p->name, "x") == 0)
				assert_string_equal(p->owner, "deb:b");   /* ownership survives */
			if (strcmp(p->name, "b") == 0)
				assert_string_equal(p->layer_created_by, "RUN l2");
		}
		char *json = sbom_json(inv);
		if (!first)
			first = json;
		else {
			assert_string_equal(json, first);
			free(json);
		}
		sw_inventory_free(inv);
		sw_image_close(img);
	}
	free(first);
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
		cmocka_unit_test(test_empty_inventory),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
