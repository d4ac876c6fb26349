/*
 * composer.c - PHP Composer packages: vendor/composer/installed.json (v1:
 * an array; v2: {"packages": [...]}) and composer.lock ("packages" and
 * "packages-dev", the latter flagged SW_PKG_DEV; lockfile packages carry
 * SW_PKG_DECLARED).  name "vendor/package" -> namespace "vendor", name
 * "package"; the version as written ("v1.0.2" kept); licences from the
 * "license" array or string.
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/mem.h"

static bool composer_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	if (strcmp(sw_lang_base(path), "composer.lock") == 0)
		return true;
	return strcmp(path, "vendor/composer/installed.json") == 0 ||
	       sw_ends_with(path, "/vendor/composer/installed.json") ||
	       strcmp(path, "composer/installed.json") == 0 || sw_ends_with(path, "/composer/installed.json");
}

static void add_list(const char *path, json_t *arr, unsigned flags, struct sw_pkglist *out,
		     struct sw_map *seen, const char *what)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *full = sw_lang_jstr(e, "name"), *ver = sw_lang_jstr(e, "version");
		if (!full || !*full || !ver || !*ver) {
			sw_pkglist_warn(out, "%s: %s[%zu] has no name or version", path, what, i);
			continue;
		}
		char *ns = NULL, *name = NULL;
		sw_lang_split_last(full, '/', &ns, &name);
		bool added;
		struct sw_package *p = sw_lang_add_once(out, seen, "composer", ns, name, ver, path, &added);
		if (added) {
			p->flags = flags;
			sw_lang_json_licenses(p, json_object_get(e, "license"));
		} else if (!(flags & SW_PKG_DEV)) {
			p->flags &= ~(unsigned)SW_PKG_DEV;
		}
		free(ns);
		free(name);
	}
}

static int composer_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
			  struct sw_err *err)
{
	(void)err;
	json_t *j = sw_lang_json(path, data, len, out);
	if (!j)
		return 0;
	struct sw_map seen = SW_MAP_INIT;
	bool lock = strcmp(sw_lang_base(path), "composer.lock") == 0;
	unsigned base = lock ? SW_PKG_DECLARED : 0;
	json_t *pk = json_is_array(j) ? j : json_object_get(j, "packages");
	if (!json_is_array(pk)) {
		sw_pkglist_warn(out, "%s: no 'packages' array", path);
	} else {
		add_list(path, pk, base, out, &seen, "packages");
		json_t *dev = json_object_get(j, "packages-dev");
		if (json_is_array(dev))
			add_list(path, dev, base | SW_PKG_DEV, out, &seen, "packages-dev");
		/* installed.json v2 lists dev packages by name */
		json_t *devnames = json_object_get(j, "dev-package-names");
		if (json_is_array(devnames) && json_array_size(devnames)) {
			struct sw_map byname = SW_MAP_INIT;
			for (size_t k = 0; k < out->pkgs.len; k++) {
				struct sw_package *p = out->pkgs.items[k];
				if (strcmp(p->type, "composer") != 0 || !sw_streq(p->path, path))
					continue;
				char *full = p->namespace_ ? sw_xasprintf("%s/%s", p->namespace_, p->name)
							   : sw_xstrdup(p->name);
				sw_map_put(&byname, full, p);
				free(full);
			}
			size_t i;
			json_t *e;
			json_array_foreach(devnames, i, e) {
				struct sw_package *p = json_is_string(e) ? sw_map_get(&byname, json_string_value(e)) : NULL;
				if (p)
					p->flags |= SW_PKG_DEV;
			}
			sw_map_release(&byname);
		}
	}
	sw_map_release(&seen);
	json_decref(j);
	return 0;
}

const struct sw_analyzer sw_analyzer_composer = {
	.name = "composer",
	.version = 1,
	.max_size = 64u << 20,
	.wants = composer_wants,
	.parse = composer_parse,
};
