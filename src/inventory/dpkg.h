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
/* The same, streamed: begin, feed chunks of any size (true = wants no
 * more: a NUL byte, not a status file), end (appends to out, frees d;
 * called exactly once).  Memory is bounded by one stanza and one line. */
struct sw_dpkg_status;
struct sw_dpkg_status *sw_dpkg_status_begin(const char *path, bool status_d);
bool sw_dpkg_status_feed(struct sw_dpkg_status *d, const uint8_t *data, size_t len);
int sw_dpkg_status_end(struct sw_dpkg_status *d, struct sw_pkglist *out);

/* An info/NAME[:ARCH].list file: one SW_PKG_FILES_ONLY package. */
int sw_dpkg_parse_list(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out);

/* usr/share/doc/NAME/copyright: one SW_PKG_FILES_ONLY package NAME
 * carrying the licences found (none if there are none). */
int sw_dpkg_parse_copyright(const char *path, const uint8_t *data, size_t len,
			    struct sw_pkglist *out);

extern const struct sw_analyzer sw_analyzer_dpkg;          /* info lists, copyright */
extern const struct sw_analyzer sw_analyzer_dpkg_status;   /* status, status.d (streamed) */

#endif
