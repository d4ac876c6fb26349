/*
 * osdetect.h - which operating system an image holds.
 *
 * The layer pass keeps the small release files listed by
 * sw_osdetect_wants(); after the layers are merged, sw_osdetect_run()
 * reads them through `read` (which resolves symlinks in the final image)
 * and fills os.
 */
#ifndef SW_INVENTORY_OSDETECT_H
#define SW_INVENTORY_OSDETECT_H

#include <stdbool.h>

#include "inventory/inventory.h"

#define SW_OSDETECT_MAX_SIZE (64u * 1024u)

bool sw_osdetect_wants(const char *path);

/* Returns the content of an image path (NUL-terminated, borrowed) or NULL. */
typedef const char *(*sw_osdetect_read_fn)(void *ctx, const char *path);

/* Fill os (which must be zeroed) from the release files. */
void sw_osdetect_run(struct sw_os *os, sw_osdetect_read_fn read, void *ctx);

/* Parse os-release text into os (fields already set are replaced). */
void sw_osdetect_parse_os_release(struct sw_os *os, const char *text);

void sw_os_release(struct sw_os *os);

#endif
