/* fuzz_image_cache.c - the image cache file parser.  Each input is parsed
 * as it is (the CRC check path) and again with its CRC trailer fixed up, so
 * the fuzzer reaches the record parser; an inventory that parses must
 * survive encode + decode unchanged in shape, and a failed parse must leave
 * the inventory empty. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz.h"
#include "inventory/image_cache.h"
#include "util/buf.h"
#include "util/mem.h"

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void parse(const uint8_t *data, size_t size)
{
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	if (sw_image_cache_decode(data, size, NULL, inv, NULL) == 0) {
		struct sw_buf b = SW_BUF_INIT;
		struct sw_inventory *again = sw_xcalloc(1, sizeof(*again));
		if (sw_image_cache_encode(inv, "k", &b, NULL) != 0 ||
		    sw_image_cache_decode((const uint8_t *)b.data, b.len, "k", again, NULL) != 0 ||
		    again->packages.len != inv->packages.len || again->warnings.len != inv->warnings.len ||
		    !same_str(again->os.id, inv->os.id) || !same_str(again->os.source, inv->os.source) ||
		    again->os.distroless != inv->os.distroless ||
		    again->file_findings.len != inv->file_findings.len)
			abort();
		sw_inventory_free(again);
		sw_buf_release(&b);
	} else if (inv->packages.len || inv->warnings.len || inv->os.id || inv->os.source) {
		abort();   /* a refused entry leaves nothing behind */
	}
	sw_inventory_free(inv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	parse(data, size);
	if (size < 12)
		return 0;
	uint8_t *fixed = sw_xmalloc(size);
	memcpy(fixed, data, size);
	uint32_t crc = (uint32_t)crc32_z(0L, fixed, size - 4);
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	parse(fixed, size);
	free(fixed);
	return 0;
}
