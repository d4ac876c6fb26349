/* analyzers.c - the registry of package analyzers run on every layer. */
#include "inventory/analyzers.h"

#include "inventory/apk.h"
#include "inventory/dpkg.h"

const struct sw_analyzer *const sw_analyzers[] = {
	&sw_analyzer_dpkg,
	&sw_analyzer_apk,
	NULL,
};
