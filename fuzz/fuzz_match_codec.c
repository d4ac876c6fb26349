/* fuzz_match_codec.c - the match result as the server answers it to a
 * client (match/codec.h): any bytes decode to a result or fail cleanly
 * with SW_E_FORMAT; what decodes encodes and decodes again to the same
 * bytes.  Each input is tried as it is and with its CRC trailer fixed up,
 * so the fuzzer reaches the record parser.  The first byte (before the
 * frame) is the inventory's package count the indexes are checked against. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz.h"
#include "match/codec.h"
#include "util/mem.h"

static void one(const uint8_t *data, size_t size, size_t npkg)
{
	struct sw_match_result *m = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_match_result_decode(data, size, npkg, &m, &err) < 0) {
		if (err.code != SW_E_FORMAT || m)
			abort();
		return;
	}
	for (size_t i = 0; i < m->findings.len; i++)
		if (((struct sw_finding *)m->findings.items[i])->pkg >= npkg)
			abort();
	struct sw_buf a = SW_BUF_INIT, b = SW_BUF_INIT;
	struct sw_match_result *again = NULL;
	if (sw_match_result_encode(m, &a, &err) < 0 ||
	    sw_match_result_decode((const uint8_t *)a.data, a.len, npkg, &again, &err) < 0 ||
	    sw_match_result_encode(again, &b, &err) < 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	sw_match_result_free(m);
	sw_match_result_free(again);
	sw_buf_release(&a);
	sw_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 22))
		return 0;
	size_t npkg = data[0];
	data++, size--;
	one(data, size, npkg);
	if (size < 12)
		return 0;
	uint8_t *fixed = sw_xmalloc(size);
	memcpy(fixed, data, size);
	uint32_t crc = (uint32_t)crc32_z(0L, fixed, size - 4);
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	one(fixed, size, npkg);
	free(fixed);
	return 0;
}
