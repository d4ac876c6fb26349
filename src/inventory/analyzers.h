/* analyzers.h - the NULL-terminated list of analyzers the layer pass runs. */
#ifndef SW_INVENTORY_ANALYZERS_H
#define SW_INVENTORY_ANALYZERS_H

#include "inventory/analyzer.h"

extern const struct sw_analyzer *const sw_analyzers[];

#endif
