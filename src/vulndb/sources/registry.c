/* registry.c - the table of importers (see registry.h). */
#include "vulndb/sources/registry.h"

#include <string.h>

static const struct sw_vuln_source *const sources[] = {
	&sw_source_osv,  &sw_source_debian, &sw_source_alpine, &sw_source_rubysec,
	&sw_source_redhat_csaf, &sw_source_nvd, &sw_source_kev, &sw_source_epss,
	&sw_source_exploitdb,
	&sw_source_wolfi, &sw_source_chainguard, &sw_source_oval, &sw_source_oracle, &sw_source_suse,
	&sw_source_mariner, &sw_source_photon, &sw_source_amazon,
};

const struct sw_vuln_source *const *sw_vuln_sources(size_t *n)
{
	*n = sizeof(sources) / sizeof(sources[0]);
	return sources;
}

const struct sw_vuln_source *sw_vuln_source_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}
