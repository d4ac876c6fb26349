/* fuzz_lang_manifest.c - the JSON manifests of Composer and .NET.  First
 * byte: 'i' installed.json, 'c' composer.lock, 'd' *.deps.json, anything
 * else packages.lock.json; the rest of the input is the file. */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	const struct sw_analyzer *a = &sw_analyzer_nuget;
	const char *path = "src/packages.lock.json";
	switch (data[0]) {
	case 'i':
		a = &sw_analyzer_composer;
		path = "vendor/composer/installed.json";
		break;
	case 'c':
		a = &sw_analyzer_composer;
		path = "app/composer.lock";
		break;
	case 'd':
		path = "app/App.deps.json";
		break;
	default:
		break;
	}
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)a->parse(path, data + 1, size - 1, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
