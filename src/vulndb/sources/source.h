/*
 * source.h - the interface of a vulnerability-data importer.
 *
 * The store's update code fetches a source (a file, a folder, an archive:
 * zip, tar.gz, tar.xz, tar.zst, or a URL), walks it, and hands every file
 * that wants() accepts to import_file() with its whole content in memory.
 * import_file() parses the content and calls the sink for each record.
 *
 * A malformed record is reported through sink->bad_record(ctx, path,
 * record-id-or-index, what) and the import goes on; import_file() returns
 * < 0 only when the whole file is unusable (bad JSON at the top, wrong
 * document type) or the sink failed; then err names the file and the
 * problem.
 */
#ifndef SW_VULNDB_SOURCES_SOURCE_H
#define SW_VULNDB_SOURCES_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "vulndb/model.h"

struct sw_vuln_source {
	const char *name;         /* "osv", "debian", "alpine", "rubysec", "redhat-csaf", "nvd", "kev", "epss", ... */
	const char *summary;      /* one line for `db info` and --help */
	const char *default_url;  /* official upstream location, or NULL */
	bool (*wants)(const char *path);   /* path inside the source (or the file name) */
	int (*import_file)(const char *path, const uint8_t *data, size_t len,
			   const struct sw_vuln_sink *sink, struct sw_err *err);
	/* its documents are HTML pages (Amazon's ALAS): an HTML page is then
	 * data, not an error page standing in for it */
	bool html;
};

#endif
