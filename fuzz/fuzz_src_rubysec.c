/* fuzz_src_rubysec.c - the rubysec vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_rubysec, "gems/x/CVE-2020-1.yml", data, size);
	return 0;
}
