/* fuzz_src_epss.c - the epss vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_epss, "epss_scores.csv", data, size);
	return 0;
}
