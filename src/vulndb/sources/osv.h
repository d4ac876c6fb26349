/*
 * osv.h - the OSV importer (JSON and PyPA-style YAML).
 *
 * sw_source_osv is its registry entry.  The two entry points below parse
 * one file's content and hand each record to the sink; bad records go to
 * sink->bad_record, and they return < 0 only when the whole file is
 * unusable (bad JSON/YAML at the top, not an object or array) or the sink
 * failed.
 */
#ifndef SW_VULNDB_SOURCES_OSV_H
#define SW_VULNDB_SOURCES_OSV_H

#include "vulndb/sources/source.h"

extern const struct sw_vuln_source sw_source_osv;

int sw_osv_import_json(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
		       struct sw_err *err);
int sw_osv_import_yaml(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
		       struct sw_err *err);

#endif
