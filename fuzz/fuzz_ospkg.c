/* fuzz_ospkg.c - dpkg status/list, apk installed and os-release parsers.
 * The first byte picks the parser. */
#include <stdlib.h>

#include "fuzz.h"
#include "inventory/apk.h"
#include "inventory/dpkg.h"
#include "inventory/osdetect.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0: sw_dpkg_parse_status("var/lib/dpkg/status", d, n, false, &l); break;
	case 1: sw_dpkg_parse_status("var/lib/dpkg/status.d/x", d, n, true, &l); break;
	case 2: sw_dpkg_parse_list("var/lib/dpkg/info/x:amd64.list", d, n, &l); break;
	case 3: sw_apk_parse_installed("lib/apk/db/installed", d, n, &l); break;
	default: {
		char *s = sw_xstrndup((const char *)d, n);
		struct sw_os os = { 0 };
		sw_osdetect_parse_os_release(&os, s);
		sw_os_release(&os);
		free(s);
	}
	}
	sw_pkglist_release(&l);
	return 0;
}
