/*
 * dpkg.h - parsers for dpkg's database (see dpkg.c for the rules).
 * Both append to out and never fail: problems become warnings.
 */
#ifndef SW_INVENTORY_DPKG_H
#define SW_INVENTORY_DPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/analyzer.h"
#include "inventory/package.h"

/* A status file (status_d: a distroless status.d entry, installed unless
 * its Status says otherwise). */
int sw_dpkg_parse_status(const char *path, const uint8_t *data, size_t len, bool status_d,
			 struct sw_pkglist *out);
/* An info/NAME[:ARCH].list file: one SW_PKG_FILES_ONLY package. */
int sw_dpkg_parse_list(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out);

/* usr/share/doc/NAME/copyright: one SW_PKG_FILES_ONLY package NAME
 * carrying the licences found (none if there are none). */
int sw_dpkg_parse_copyright(const char *path, const uint8_t *data, size_t len,
			    struct sw_pkglist *out);

extern const struct sw_analyzer sw_analyzer_dpkg;

#endif
