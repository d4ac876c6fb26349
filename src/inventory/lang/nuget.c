/*
 * nuget.c - .NET packages: "*.deps.json" (the runtime dependency manifest
 * next to a built application: "libraries" keyed "Name/Version", entries
 * of type "package" reported, "project" and "runtimepack" skipped) and
 * packages.lock.json ("dependencies" per target framework; "resolved" is
 * the version; type "Project" skipped; SW_PKG_DECLARED).  NuGet names are
 * kept as written (they compare case-insensitively).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/mem.h"

static bool nuget_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	const char *b = sw_lang_base(path);
	return strcmp(b, "packages.lock.json") == 0 || (sw_ends_with(b, ".deps.json") && strlen(b) > 10);
}

static void parse_deps_json(const char *path, json_t *j, struct sw_pkglist *out)
{
	json_t *libs = json_object_get(j, "libraries");
	if (!json_is_object(libs)) {
		if (!json_object_get(j, "targets"))
			sw_pkglist_warn(out, "%s: no 'libraries' or 'targets': not a deps.json", path);
		return;
	}
	struct sw_map seen = SW_MAP_INIT;
	const char *key;
	json_t *v;
	json_object_foreach(libs, key, v) {
		const char *type = sw_lang_jstr(v, "type");
		if (!type || strcmp(type, "package") != 0)
			continue;
		const char *slash = strchr(key, '/');
		if (!slash || slash == key || !slash[1] || strchr(slash + 1, '/')) {
			sw_pkglist_warn(out, "%s: library key '%s' is not 'Name/Version'", path, key);
			continue;
		}
		char *name = sw_xstrndup(key, (size_t)(slash - key));
		bool added;
		sw_lang_add_once(out, &seen, "nuget", NULL, name, slash + 1, path, &added);
		free(name);
	}
	sw_map_release(&seen);
}

static void parse_lock(const char *path, json_t *j, struct sw_pkglist *out)
{
	json_t *fws = json_object_get(j, "dependencies");
	if (!json_is_object(fws)) {
		sw_pkglist_warn(out, "%s: no 'dependencies' object", path);
		return;
	}
	struct sw_map seen = SW_MAP_INIT;
	const char *fw;
	json_t *deps;
	json_object_foreach(fws, fw, deps) {
		const char *name;
		json_t *v;
		json_object_foreach(deps, name, v) {
			const char *type = sw_lang_jstr(v, "type");
			const char *ver = sw_lang_jstr(v, "resolved");
			if (type && strcmp(type, "Project") == 0)
				continue;
			if (!ver || !*ver) {
				sw_pkglist_warn(out, "%s: '%s' has no resolved version", path, name);
				continue;
			}
			bool added;
			struct sw_package *p = sw_lang_add_once(out, &seen, "nuget", NULL, name, ver, path, &added);
			p->flags |= SW_PKG_DECLARED;
		}
	}
	sw_map_release(&seen);
}

static int nuget_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err)
{
	(void)err;
	json_t *j = sw_lang_json(path, data, len, out);
	if (!j)
		return 0;
	if (!json_is_object(j))
		sw_pkglist_warn(out, "%s: not a json object", path);
	else if (strcmp(sw_lang_base(path), "packages.lock.json") == 0)
		parse_lock(path, j, out);
	else
		parse_deps_json(path, j, out);
	json_decref(j);
	return 0;
}

const struct sw_analyzer sw_analyzer_nuget = {
	.name = "nuget",
	.version = 1,
	.max_size = 64u << 20,
	.wants = nuget_wants,
	.parse = nuget_parse,
};
