/* fuzz_src_kev.c - the kev vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_kev, "known_exploited_vulnerabilities.json", data, size);
	return 0;
}
