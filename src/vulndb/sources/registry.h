/*
 * registry.h - the table of vulnerability-data importers.
 *
 * Every importer is a const struct sw_vuln_source (source.h) listed in
 * registry.c.  An importer whose code is not in this build (see stubs.c)
 * has import_file == NULL.
 */
#ifndef SW_VULNDB_SOURCES_REGISTRY_H
#define SW_VULNDB_SOURCES_REGISTRY_H

#include <stddef.h>

#include "vulndb/sources/source.h"

extern const struct sw_vuln_source sw_source_osv, sw_source_debian, sw_source_alpine, sw_source_rubysec,
	sw_source_redhat_csaf, sw_source_nvd, sw_source_kev, sw_source_epss, sw_source_wolfi,
	sw_source_chainguard, sw_source_oval, sw_source_oracle, sw_source_suse, sw_source_mariner,
	sw_source_photon, sw_source_amazon, sw_source_exploitdb;

/* All importers, in a fixed order; *n is set to their count. */
const struct sw_vuln_source *const *sw_vuln_sources(size_t *n);
/* The importer called name, or NULL. */
const struct sw_vuln_source *sw_vuln_source_find(const char *name);

#endif
