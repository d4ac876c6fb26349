/* fuzz_rpmdb_bdb.c - rpm package database reader, bdb format
 * (sw_rpmdb_parse_bdb), and the format detection (sw_rpmdb_parse). */
#include <stdlib.h>

#include "fuzz.h"
#include "inventory/rpm/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (4u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)sw_rpmdb_parse_bdb("fuzz", data, size, &l, &err);
	sw_pkglist_release(&l);
	(void)sw_rpmdb_parse("fuzz", data, size, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
