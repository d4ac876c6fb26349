/* fuzz_src_alpine.c - the Alpine secdb importer on arbitrary bytes: a
 * first byte '{' or '[' selects the JSON reader, anything else YAML. */
#include "fuzz_src_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool json = size > 0 && (data[0] == '{' || data[0] == '[');
	fuzz_src_run(&sw_source_alpine, json ? "v3.18/main.json" : "v3.18/main.yaml", data, size);
	return 0;
}
