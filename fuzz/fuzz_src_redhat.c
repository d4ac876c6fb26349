/* fuzz_src_redhat.c - the redhat_csaf vulnerability-source importer on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_redhat_csaf, "csaf/vex/cve-2020-1.json", data, size);
	return 0;
}
