/* fuzz_vex.c - VEX documents (OpenVEX and CycloneDX VEX), loaded and
 * applied to a small match result. */
#include "fuzz.h"
#include "fuzz_filter_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_filter f;
	sw_filter_init(&f, 1735689600);
	struct sw_err err = SW_ERR_INIT;
	if (sw_filter_load_vex_mem(&f, "fuzz.json", (const char *)data, size, &err) == 0)
		ff_apply(&f);
	sw_filter_release(&f);
	return 0;
}
