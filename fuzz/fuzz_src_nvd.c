/* fuzz_src_nvd.c - the nvd vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_nvd, "nvd/page.json", data, size);
	return 0;
}
