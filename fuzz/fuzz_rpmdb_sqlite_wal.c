/* fuzz_rpmdb_sqlite_wal.c - rpmdb.sqlite with its rpmdb.sqlite-wal from the
 * same layer: the WAL frame reader (sw_rpmdb_sqlite_wal_frames) and the
 * database read with the committed frames applied
 * (sw_rpmdb_parse_sqlite_wal).  Input: a 4-byte big-endian length of the
 * database, the database, then the WAL. */
#include <stdlib.h>

#include "fuzz.h"
#include "inventory/rpm/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4 || size > (4u << 20))
		return 0;
	size_t dl = (size_t)data[0] << 24 | (size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;
	if (dl > size)
		dl = size;
	size_t committed = 0;
	uint32_t pages = 0;
	(void)sw_rpmdb_sqlite_wal_frames(data, dl, data + dl, size - dl, &committed, &pages);
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)sw_rpmdb_parse_sqlite_wal("fuzz", data, dl, data + dl, size - dl, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
