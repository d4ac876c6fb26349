/* fuzz_lang_npm.c - package.json and the npm, yarn and pnpm lockfiles.
 * The first byte picks the parser ('j' package.json, 'l' package-lock.json,
 * 'y' yarn.lock, anything else pnpm-lock.yaml); the rest is the file. */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	const struct sw_analyzer *a = &sw_analyzer_npm_lock;
	const char *path = "app/pnpm-lock.yaml";
	switch (data[0]) {
	case 'j':
		a = &sw_analyzer_npm;
		path = "app/node_modules/x/package.json";
		break;
	case 'l':
		path = "app/package-lock.json";
		break;
	case 'y':
		path = "app/yarn.lock";
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
