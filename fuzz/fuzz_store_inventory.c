/* fuzz_store_inventory.c - inventories as the server's store keeps them
 * (store/invblob.c): any bytes decode to an inventory or fail cleanly, and
 * what decodes encodes and decodes again to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory/inventory.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 22))
		return 0;
	struct sw_inventory *inv = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_inventory_decode(data, size, &inv, &err) < 0) {
		if (err.code != SW_E_FORMAT)
			abort();
		return 0;
	}
	struct sw_buf a = SW_BUF_INIT, b = SW_BUF_INIT;
	if (sw_st_inventory_encode(inv, "k", &a, &err) < 0)
		abort();
	struct sw_inventory *again = NULL;
	if (sw_st_inventory_decode((const uint8_t *)a.data, a.len, &again, &err) < 0)
		abort();
	if (sw_st_inventory_encode(again, "k", &b, &err) < 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	sw_inventory_free(inv);
	sw_inventory_free(again);
	sw_buf_release(&a);
	sw_buf_release(&b);
	return 0;
}
