/*
 * stubs.c - placeholders for the importers written on another branch
 * (vulndb-sources: alpine.c, debian.c, epss.c, kev.c, nvd.c, redhat.c,
 * rubysec.c).  Each placeholder is compiled only while its importer's file
 * is absent (__has_include), and is weak as well.  Weak alone is not enough
 * with a static library: once registry.o needs sw_source_kev, the linker
 * may pull this object (and its weak definition) before it ever looks at
 * kev.o.  Delete this file when every importer below exists.
 */
#include <stddef.h>

#include "vulndb/sources/registry.h"

#define SW_STUB_SOURCE(sym, nm)                                                               \
	__attribute__((weak)) const struct sw_vuln_source sym = {                              \
		.name = nm, .summary = "importer not built yet", .default_url = NULL,             \
		.wants = NULL, .import_file = NULL,                                              \
	}

#if defined(__has_include)
#define SW_HAS(f) __has_include(f)
#else
#define SW_HAS(f) 0
#endif

#if !SW_HAS("vulndb/sources/debian.c")
SW_STUB_SOURCE(sw_source_debian, "debian");
#endif
#if !SW_HAS("vulndb/sources/alpine.c")
SW_STUB_SOURCE(sw_source_alpine, "alpine");
#endif
#if !SW_HAS("vulndb/sources/rubysec.c")
SW_STUB_SOURCE(sw_source_rubysec, "rubysec");
#endif
#if !SW_HAS("vulndb/sources/redhat.c")
SW_STUB_SOURCE(sw_source_redhat_csaf, "redhat-csaf");
#endif
#if !SW_HAS("vulndb/sources/nvd.c")
SW_STUB_SOURCE(sw_source_nvd, "nvd");
#endif
#if !SW_HAS("vulndb/sources/kev.c")
SW_STUB_SOURCE(sw_source_kev, "kev");
#endif
#if !SW_HAS("vulndb/sources/epss.c")
SW_STUB_SOURCE(sw_source_epss, "epss");
#endif

/* ISO C wants a translation unit to declare something. */
extern const int sw_vulndb_stubs_unit;
const int sw_vulndb_stubs_unit = 0;
