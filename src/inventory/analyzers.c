/* analyzers.c - the registry of package analyzers run on every layer:
 * the OS package databases here, then the language analyzers
 * (inventory/lang/registry.c). */
#include "inventory/analyzers.h"

#include <stddef.h>
#include <string.h>

#include "inventory/apk.h"
#include "inventory/dpkg.h"
#include "inventory/lang/lang.h"
#include "inventory/rpm/rpmdb.h"

static const struct sw_analyzer *const os_analyzers[] = {
	&sw_analyzer_dpkg,
	&sw_analyzer_dpkg_status,
	&sw_analyzer_apk,
	&sw_analyzer_rpm,
	NULL,
};

static const struct sw_analyzer *all[32];

const struct sw_analyzer *const *sw_analyzers_all(void)
{
	/* built once; the lists are constant, so a race writes the same values */
	if (!all[0]) {
		size_t n = 0;
		for (size_t i = 0; os_analyzers[i] && n < 31; i++)
			all[n++] = os_analyzers[i];
		for (size_t i = 0; sw_lang_analyzers[i] && n < 31; i++)
			all[n++] = sw_lang_analyzers[i];
		all[n] = NULL;
	}
	return all;
}

const struct sw_analyzer *sw_analyzer_by_name(const char *name)
{
	for (const struct sw_analyzer *const *a = sw_analyzers_all(); *a; a++)
		if (strcmp((*a)->name, name) == 0)
			return *a;
	return NULL;
}

int sw_analyzer_run_mem(const struct sw_analyzer *a, const char *path, const uint8_t *data, size_t len,
			size_t chunk, struct sw_pkglist *out, struct sw_err *err)
{
	if (a->parse)
		return a->parse(path, data, len, out, err);
	void *st = a->begin(path, len);
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len;) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (a->feed(st, data + off, n))
			break;
		off += n;
	}
	return a->end(st, out, err);
}
