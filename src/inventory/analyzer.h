/*
 * analyzer.h - the interface every package analyzer implements.
 *
 * The layer pass calls wants() for every regular file of every layer (so it
 * must be cheap: look at the path, mode and size only).  For a file that is
 * wanted and not larger than max_size, the whole content is read into memory
 * and parse() is called once with it; the memory is freed right after.
 *
 * parse() appends packages to out->pkgs (it owns nothing after returning)
 * and problems with the file to out->warnings ("PATH: what was wrong").  A
 * broken file is a warning, never an error: parse() returns < 0 only when it
 * cannot go on for a reason that is not the file's (out of memory).
 *
 * Streaming analyzers (parse == NULL; the Go and Rust binary analyzers)
 * see the file's bytes once, in order, in chunks of any size, and keep
 * only what they need (a fixed cap per file, whatever its size): begin()
 * returns a state for a file of `size` bytes (the size the tar header
 * declares); feed() takes the next chunk (the pointer is valid during the
 * call only) and returns true when it wants no more bytes (the rest of the
 * file is then skipped); end() adds packages and warnings like parse(),
 * frees the state, and is called exactly once after begin(), whether or
 * not every byte was fed.  A streaming analyzer finds nothing, not even a
 * warning, in a file that it gave up on after its first bytes.
 *
 * database(path), when set, says the file is a package manager's own
 * database (dpkg status, an rpm database, apk's installed): a warning on
 * such a file (over the size limit, damaged, unreadable) means packages
 * are missing, and the built inventory says so (inventory->incomplete),
 * so a scan never reports "0 vulnerabilities" for what it could not read.
 *
 * Packages need only their identity filled (type, name, version, arch,
 * source, licences, files...); `path` defaults to the file's path, and the
 * inventory fills purl, layer and owner.
 */
#ifndef SW_INVENTORY_ANALYZER_H
#define SW_INVENTORY_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/package.h"
#include "util/err.h"

struct sw_analyzer {
	const char *name;       /* "dpkg", "rpm", "python", ... */
	unsigned version;       /* bump when the output for the same input changes (cache key) */
	uint64_t max_size;      /* wanted files larger than this are skipped with a warning */
	bool (*wants)(const char *path, unsigned mode, uint64_t size);
	bool (*database)(const char *path);   /* optional, see above */
	int (*parse)(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		     struct sw_err *err);
	/* streaming analyzers only (parse == NULL) */
	void *(*begin)(const char *path, uint64_t size);
	bool (*feed)(void *state, const uint8_t *data, size_t len);
	int (*end)(void *state, struct sw_pkglist *out, struct sw_err *err);
	/* optional, parse() analyzers only: a file next to a wanted one that
	 * changes what it holds (rpmdb.sqlite-wal next to rpmdb.sqlite).  When
	 * one layer holds the wanted file PATH and PATH + companion_suffix
	 * (read whole, up to max_size), the layer pass replaces what parse()
	 * found in PATH by what parse_with() finds in the two. */
	const char *companion_suffix;
	int (*parse_with)(const char *path, const uint8_t *data, size_t len, const uint8_t *comp,
			  size_t comp_len, struct sw_pkglist *out, struct sw_err *err);
};

/* Run any analyzer over a file in memory: parse() once, or begin(), feed()
 * in chunks of `chunk` bytes (0: one chunk), end().  Returns what parse()
 * or end() returns.  For tests, fuzzers, and files read whole anyway. */
int sw_analyzer_run_mem(const struct sw_analyzer *a, const char *path, const uint8_t *data, size_t len,
			size_t chunk, struct sw_pkglist *out, struct sw_err *err);

#endif
