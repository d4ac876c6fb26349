/*
 * changes.h - the change lists that incremental updates read: OSV's
 * ECOSYSTEM/modified_id.csv ("MODIFIED,ID" lines, newest first) and Red
 * Hat's changes.csv / deletions.csv ("PATH","TIME" lines).  Untrusted
 * input (fuzz/fuzz_vulndb_changes.c).
 */
#ifndef SW_VULNDB_CHANGES_H
#define SW_VULNDB_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/map.h"

/* "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM]" (or a space for the T) as
 * seconds since the epoch, in *out.  false when s is not such a time. */
bool sw_vulndb_parse_time(const char *s, double *out);

struct sw_vulndb_change {
	double ts;      /* when it changed */
	bool deleted;   /* from a deletions list */
};

/* Read the lines of a change list (data need not be NUL-terminated): a
 * time and a name in either order, comma separated, optionally quoted.
 * Names newer than cursor go into latest (name -> malloc'd struct
 * sw_vulndb_change, the newest event per name; free the values with
 * free()).  osv: names are record ids ("ECO/ID" is cut to ID).  A name must
 * be a relative path of [A-Za-z0-9._:/-] without "..".  Returns the
 * number of lines that are not such a pair. */
int64_t sw_vulndb_parse_changes(const char *data, size_t len, double cursor, bool deleted, bool osv,
				struct sw_map *latest);

#endif
