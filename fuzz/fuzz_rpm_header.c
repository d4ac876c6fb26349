/* fuzz_rpm_header.c - rpm header blob decoding (sw_rpm_header_parse). */
#include <stdlib.h>

#include "fuzz.h"
#include "inventory/rpm/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_package *p = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_rpm_header_parse(data, size, &p, &err) == 0) {
		struct sw_package *d = sw_package_dup(p);
		sw_package_free(d);
		sw_package_free(p);
	}
	return 0;
}
