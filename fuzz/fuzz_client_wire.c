/* fuzz_client_wire.c - the body of POST /api/v1/inventories (client/
 * client.h): any bytes decode to a request or fail cleanly with
 * SW_E_FORMAT and nothing made; what decodes encodes and decodes again to
 * an inventory of the same shape.  Each input is tried as it is and with
 * its CRC trailer fixed up. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "client/client.h"
#include "fuzz.h"
#include "util/mem.h"

static void one(const uint8_t *data, size_t size)
{
	struct sw_client_req q = { 0 };
	struct sw_err err = SW_ERR_INIT;
	if (sw_client_req_decode(data, size, &q, &err) < 0) {
		if (err.code != SW_E_FORMAT || q.inv || q.name || q.config_json || q.inv_blob)
			abort();
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	struct sw_client_req again = { 0 };
	if (!q.inv || sw_client_req_encode(q.inv, q.name, q.config_json, &q.match, &b, &err) < 0 ||
	    sw_client_req_decode((const uint8_t *)b.data, b.len, &again, &err) < 0 ||
	    again.inv->packages.len != q.inv->packages.len || again.inv->layers.len != q.inv->layers.len ||
	    again.match.kernel_headers != q.match.kernel_headers || (!again.name != !q.name) ||
	    (!again.config_json != !q.config_json))
		abort();
	sw_client_req_release(&q);
	sw_client_req_release(&again);
	sw_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 22))
		return 0;
	one(data, size);
	if (size < 12)
		return 0;
	uint8_t *fixed = sw_xmalloc(size);
	memcpy(fixed, data, size);
	uint32_t crc = (uint32_t)crc32_z(0L, fixed, size - 4);
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
	one(fixed, size);
	free(fixed);
	return 0;
}
