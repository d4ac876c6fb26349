/* fuzz_vulndb_changes.c - the change lists of incremental updates (OSV
 * modified_id.csv, Red Hat changes.csv / deletions.csv) on arbitrary bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/map.h"
#include "util/mem.h"
#include "vulndb/changes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the flavour; the rest is the list */
	bool osv = size && (data[0] & 1);
	bool deleted = size && (data[0] & 2);
	const char *p = size ? (const char *)data + 1 : "";
	size_t n = size ? size - 1 : 0;
	struct sw_map latest = SW_MAP_INIT;
	(void)sw_vulndb_parse_changes(p, n, 0.0, deleted, osv, &latest);
	const char *k;
	void *v;
	for (size_t it = 0; sw_map_next(&latest, &it, &k, &v);) {
		const struct sw_vulndb_change *ch = v;
		if (!*k || strstr(k, "..") || k[0] == '/' || ch->ts <= 0.0)
			abort(); /* the parser promised safe names newer than the cursor */
	}
	sw_map_free_all(&latest, free);
	char *s = sw_xstrndup(p, n < 64 ? n : 64);
	double t = 0;
	(void)sw_vulndb_parse_time(s, &t);
	free(s);
	return 0;
}
