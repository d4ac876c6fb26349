/* registry.c - the list of language analyzers. */
#include "inventory/lang/lang.h"

#include <stddef.h>

const struct sw_analyzer *const sw_lang_analyzers[] = {
	&sw_analyzer_python,
	&sw_analyzer_npm,
	&sw_analyzer_npm_lock,
	&sw_analyzer_java,
	&sw_analyzer_gobin,
	&sw_analyzer_rustbin,
	&sw_analyzer_cargo_lock,
	&sw_analyzer_gem,
	&sw_analyzer_composer,
	&sw_analyzer_nuget,
	NULL,
};
