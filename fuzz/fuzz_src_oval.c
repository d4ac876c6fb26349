/* fuzz_src_oval.c - the OVAL importer (libxml2's reader, criteria
 * expansion, mapping) on arbitrary bytes. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_src_run(&sw_source_oval, "cbl-mariner-2.0-oval.xml", data, size);
	return 0;
}
