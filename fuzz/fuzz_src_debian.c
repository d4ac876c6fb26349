/* fuzz_src_debian.c - the debian vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_debian, "data/DSA/list", data, size);
	return 0;
}
