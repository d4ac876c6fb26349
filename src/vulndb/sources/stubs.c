/*
 * stubs.c - weak placeholders for the importers written on another branch
 * (vulndb-sources).  Their real, strong definitions win at link time once
 * that code is in the tree; until then these say "not built".  Delete this
 * file when every importer below exists.
 *
 * Note for static linking: the archive member that defines a symbol first
 * is the one pulled in.  The importer files (alpine.c, debian.c, epss.c,
 * kev.c, nvd.c, redhat*.c, rubysec.c) sort before stubs.c, so CMake's
 * sorted glob puts their objects first in libswcore.a.
 */
#include <stddef.h>

#include "vulndb/sources/registry.h"

#define SW_STUB_SOURCE(sym, nm)                                                               \
	__attribute__((weak)) const struct sw_vuln_source sym = {                              \
		.name = nm, .summary = "importer not built yet", .default_url = NULL,             \
		.wants = NULL, .import_file = NULL,                                              \
	}

SW_STUB_SOURCE(sw_source_debian, "debian");
SW_STUB_SOURCE(sw_source_alpine, "alpine");
SW_STUB_SOURCE(sw_source_rubysec, "rubysec");
SW_STUB_SOURCE(sw_source_redhat_csaf, "redhat-csaf");
SW_STUB_SOURCE(sw_source_nvd, "nvd");
SW_STUB_SOURCE(sw_source_kev, "kev");
SW_STUB_SOURCE(sw_source_epss, "epss");
