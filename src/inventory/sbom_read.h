/*
 * sbom_read.h - an inventory from an SBOM document, to re-match it
 * without the image (`stowaway scan --sbom FILE`).
 *
 * Reads CycloneDX JSON (1.4-1.6), SPDX 2.3 JSON and stowaway's own JSON.
 * Packages come from purls (CycloneDX components[].purl, SPDX
 * externalRefs of type purl); the OS from a CycloneDX operating-system
 * component, the purl `distro` qualifier, or our JSON's "os" object.
 */
#ifndef SW_INVENTORY_SBOM_READ_H
#define SW_INVENTORY_SBOM_READ_H

#include "inventory/inventory.h"
#include "inventory/package.h"
#include "util/err.h"

/* Parse a purl into a new package (type, namespace, name, version, arch,
 * epoch, distro qualifier returned in *distro if non-NULL, malloc'd).
 * Returns NULL with err set for a string that is not a purl. */
struct sw_package *sw_purl_parse(const char *purl, char **distro, struct sw_err *err);

/* Read the SBOM in `path` (name used in messages; data/len its bytes).
 * More than 200,000 components (CycloneDX, nested ones included) or
 * packages (SPDX, ours) is an error naming the file. */
int sw_inventory_from_sbom(const char *path, const char *data, size_t len,
			   struct sw_inventory **out, struct sw_err *err);

#endif
