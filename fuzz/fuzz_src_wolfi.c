/* fuzz_src_wolfi.c - the Wolfi and Chainguard secdb importers
 * (security.json, no distroversion) on arbitrary bytes; the first byte
 * picks the importer. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sw_vuln_source *src = size > 0 && (data[0] & 1) ? &sw_source_chainguard : &sw_source_wolfi;
	fuzz_src_run(src, "os/security.json", data, size);
	return 0;
}
