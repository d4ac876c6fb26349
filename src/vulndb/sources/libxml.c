/*
 * libxml.c - dlopen("libxml2.so.2") on first use; see libxml.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/sources/libxml.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and object pointers differ");

static struct sw_libxml table;
const struct sw_libxml *const sw_xml = &table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct sw_err load_err = SW_ERR_INIT;

#define SW_LIBXML_FUNCS(X)                                        \
	X(reader_for_memory, xmlReaderForMemory)                  \
	X(reader_read, xmlTextReaderRead)                         \
	X(reader_node_type, xmlTextReaderNodeType)                \
	X(reader_const_local_name, xmlTextReaderConstLocalName)   \
	X(reader_const_value, xmlTextReaderConstValue)            \
	X(reader_get_attribute, xmlTextReaderGetAttribute)        \
	X(reader_is_empty_element, xmlTextReaderIsEmptyElement)   \
	X(reader_line, xmlTextReaderGetParserLineNumber)          \
	X(free_reader, xmlFreeTextReader)                         \
	X(reader_set_error_handler, xmlTextReaderSetStructuredErrorHandler)

static const struct {
	const char *name;
	size_t off;
} syms[] = {
#define SW_X(field, sym) { #sym, offsetof(struct sw_libxml, field) },
	SW_LIBXML_FUNCS(SW_X)
#undef SW_X
};

static inline void check_types(void)
{
	struct sw_libxml t;
#define SW_X(field, sym) (void)sizeof(t.field = (sym));
	SW_LIBXML_FUNCS(SW_X)
#undef SW_X
	(void)t;
}

static void load(void)
{
	check_types();
	const char *path = getenv("STOWAWAY_LIBXML2");
	if (!path || !*path)
		path = SW_LIBXML_SONAME;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		sw_err_set(&load_err, SW_E_UNSUPPORTED, "cannot load %s: %s; install libxml2", SW_LIBXML_SONAME,
			   why ? why : "dlopen failed");
		return;
	}
	struct sw_libxml t;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			sw_err_set(&load_err, SW_E_UNSUPPORTED, "cannot load %s: it has no '%s'; install libxml2",
				   path, syms[i].name);
			dlclose(h);
			return;
		}
		memcpy((char *)&t + syms[i].off, &p, sizeof(p));
	}
	/* xmlFree is a variable (a function pointer), not a function */
	t.free = dlsym(h, "xmlFree");
	if (!t.free) {
		sw_err_set(&load_err, SW_E_UNSUPPORTED, "cannot load %s: it has no 'xmlFree'; install libxml2", path);
		dlclose(h);
		return;
	}
	table = t;
}

int sw_libxml_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (load_err.code == SW_OK)
		return 0;
	if (err)
		*err = load_err;
	return -load_err.code;
}
