/* analyzers.h - every analyzer the layer pass runs, NULL-terminated. */
#ifndef SW_INVENTORY_ANALYZERS_H
#define SW_INVENTORY_ANALYZERS_H

#include "inventory/analyzer.h"

const struct sw_analyzer *const *sw_analyzers_all(void);
/* The analyzer called name, or NULL. */
const struct sw_analyzer *sw_analyzer_by_name(const char *name);

#endif
