/* dynlib.c - dlopen() a library and fill a function table; see dynlib.h. */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void *sw_dynlib_open(const char *env, const char *soname, const char *package, const struct sw_dynsym *syms,
		     size_t n, void *table, size_t table_size, struct sw_err *err)
{
	const char *path = env ? getenv(env) : NULL;
	if (!path || !*path)
		path = soname;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		sw_err_set(err, SW_E_UNSUPPORTED, "cannot load %s: %s; install %s", soname,
			   why ? why : "dlopen failed", package);
		return NULL;
	}
	char *t = sw_xmalloc(table_size);
	memcpy(t, table, table_size); /* fields not in syms keep their values */
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p || syms[i].off + sizeof(p) > table_size) {
			sw_err_set(err, SW_E_UNSUPPORTED, "cannot load %s: %s has no '%s'; install %s", soname, path,
				   syms[i].name, package);
			free(t);
			dlclose(h);
			return NULL;
		}
		memcpy(t + syms[i].off, &p, sizeof(p));
	}
	memcpy(table, t, table_size);
	free(t);
	return h;
}
