/*
 * libxml.h - libxml2's streaming reader (xmlTextReader), loaded with
 * dlopen("libxml2.so.2") the first time an XML source (OVAL) is read.
 *
 * The binary does not link libxml2: its static archive pulls in ICU, and
 * the shared one would cost every start-up (docs/architecture.md, "Linking
 * and start-up"; tests/e2e/test_startup_deps.sh), while only OVAL imports
 * use it.  Same scheme as net/libcurl.h: sw_libxml_load() once per process
 * (pthread_once), then calls through the table sw_xml.  Callers include
 * <libxml/xmlreader.h> for the types only.  STOWAWAY_LIBXML2=PATH loads
 * PATH instead (tests force the failure path with it).
 */
#ifndef SW_VULNDB_SOURCES_LIBXML_H
#define SW_VULNDB_SOURCES_LIBXML_H

#include <libxml/xmlreader.h>

#include "util/err.h"

#define SW_LIBXML_SONAME "libxml2.so.2"

struct sw_libxml {
	xmlTextReaderPtr (*reader_for_memory)(const char *buf, int size, const char *url, const char *enc,
					      int options);
	int (*reader_read)(xmlTextReaderPtr r);
	int (*reader_node_type)(xmlTextReaderPtr r);
	const xmlChar *(*reader_const_local_name)(xmlTextReaderPtr r);
	const xmlChar *(*reader_const_value)(xmlTextReaderPtr r);
	xmlChar *(*reader_get_attribute)(xmlTextReaderPtr r, const xmlChar *name);
	int (*reader_is_empty_element)(xmlTextReaderPtr r);
	int (*reader_line)(xmlTextReaderPtr r);
	void (*free_reader)(xmlTextReaderPtr r);
	void (*reader_set_error_handler)(xmlTextReaderPtr r, xmlStructuredErrorFunc f, void *arg);
	xmlFreeFunc *free;
};

/* The table; valid once sw_libxml_load() has succeeded. */
extern const struct sw_libxml *const sw_xml;

/* Load libxml2 (once per process).  0, or -SW_E_UNSUPPORTED with err
 * "cannot load libxml2.so.2: WHY; install libxml2" (every later call too). */
int sw_libxml_load(struct sw_err *err);

#endif
