/* fuzz_lang_gobin.c - ELF parsing and Go build info decoding. */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (4u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)sw_analyzer_gobin.parse("usr/bin/app", data, size, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
