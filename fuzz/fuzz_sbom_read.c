/* fuzz_sbom_read.c - SBOM documents (CycloneDX, SPDX, ours) and purls. */
#include <stdlib.h>

#include "fuzz.h"
#include "inventory/sbom_read.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_err err = SW_ERR_INIT;
	struct sw_inventory *inv = NULL;
	if (sw_inventory_from_sbom("fuzz.json", (const char *)data, size, &inv, &err) == 0)
		sw_inventory_free(inv);
	char *s = sw_xstrndup((const char *)data, size < 512 ? size : 512);
	char *distro = NULL;
	sw_package_free(sw_purl_parse(s, &distro, &err));
	free(distro);
	free(s);
	return 0;
}
