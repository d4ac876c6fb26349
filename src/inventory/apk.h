/* apk.h - Alpine's installed database, lib/apk/db/installed. */
#ifndef SW_INVENTORY_APK_H
#define SW_INVENTORY_APK_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/analyzer.h"
#include "inventory/package.h"

/* Parse an installed database; problems become warnings in out. */
int sw_apk_parse_installed(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out);

extern const struct sw_analyzer sw_analyzer_apk;

#endif
