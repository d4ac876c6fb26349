/* fuzz_lang_python.c - Python METADATA / PKG-INFO headers; an input
 * starting with 'E' is a zipped egg (the rest of the input). */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (size && data[0] == 'E')
		(void)sw_analyzer_python.parse("x/a-1.egg", data + 1, size - 1, &l, &err);
	else
		(void)sw_analyzer_python.parse("x/a-1.dist-info/METADATA", data, size, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
