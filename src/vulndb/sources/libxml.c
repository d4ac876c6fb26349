/*
 * libxml.c - dlopen("libxml2.so.2") on first use; see libxml.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynlib.h"
#include "vulndb/sources/libxml.h"

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

static const struct sw_dynsym syms[] = {
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
	struct sw_libxml t = { 0 };
	void *h = sw_dynlib_open("STOWAWAY_LIBXML2", SW_LIBXML_SONAME, "libxml2", syms,
				 sizeof(syms) / sizeof(syms[0]), &t, sizeof(t), &load_err);
	if (!h)
		return;
	const char *path = SW_LIBXML_SONAME;
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
