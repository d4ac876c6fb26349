/* fuzz_lang_gemspec.c - installed gemspecs (first byte 'g') and
 * Gemfile.lock (anything else); the rest of the input is the file. */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	const char *path = data[0] == 'g' ? "usr/local/bundle/specifications/x-1.gemspec" : "app/Gemfile.lock";
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)sw_analyzer_gem.parse(path, data + 1, size - 1, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
