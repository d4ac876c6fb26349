/* fuzz_src_amazon.c - the Amazon Linux ALAS page importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_amazon, "AL2/ALAS-2018-939", data, size);
	return 0;
}
