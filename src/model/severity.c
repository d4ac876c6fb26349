/* severity.c - names of model/severity.h. */
#include "model/severity.h"

#include <strings.h>

static const char *const sev_names[] = { "unknown", "negligible", "low", "medium", "high", "critical" };

const char *sw_severity_name(enum sw_severity_level s)
{
	return (unsigned)s < 6 ? sev_names[s] : "unknown";
}

int sw_severity_parse(const char *name, enum sw_severity_level *out)
{
	for (int i = 0; i < 6; i++)
		if (strcasecmp(name, sev_names[i]) == 0) {
			*out = (enum sw_severity_level)i;
			return 0;
		}
	if (strcasecmp(name, "moderate") == 0 || strcasecmp(name, "important") == 0) {
		*out = strcasecmp(name, "moderate") == 0 ? SW_SEV_MEDIUM : SW_SEV_HIGH;
		return 0;
	}
	return -1;
}
