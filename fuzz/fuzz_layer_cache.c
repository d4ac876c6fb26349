/* fuzz_layer_cache.c - the layer cache file parser.  Each input is parsed
 * as it is (the CRC check path) and again with its CRC trailer fixed up, so
 * the fuzzer reaches the record parser; a result that parses must survive
 * encode + decode unchanged in shape. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz.h"
#include "inventory/layer_cache.h"
#include "util/buf.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_layer_result r;
	memset(&r, 0, sizeof(r));
	if (sw_layer_cache_decode(data, size, NULL, &r, NULL) == 0)
		sw_layer_result_release(&r);
	if (size < 12)
		return 0;
	uint8_t *fixed = sw_xmalloc(size);
	memcpy(fixed, data, size);
	uint32_t crc = (uint32_t)crc32_z(0L, fixed, size - 4);
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	memset(&r, 0, sizeof(r));
	if (sw_layer_cache_decode(fixed, size, NULL, &r, NULL) == 0) {
		struct sw_buf b = SW_BUF_INIT;
		struct sw_layer_result again;
		memset(&again, 0, sizeof(again));
		if (sw_layer_cache_encode(&r, "k", &b, NULL) != 0 ||
		    sw_layer_cache_decode((const uint8_t *)b.data, b.len, "k", &again, NULL) != 0 ||
		    again.found.len != r.found.len || again.links.len != r.links.len ||
		    again.dirs.len != r.dirs.len || again.nondirs.len != r.nondirs.len ||
		    again.file_findings.len != r.file_findings.len)
			abort();
		sw_layer_result_release(&again);
		sw_buf_release(&b);
		sw_layer_result_release(&r);
	}
	free(fixed);
	return 0;
}
