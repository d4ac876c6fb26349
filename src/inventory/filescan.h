/*
 * filescan.h - content scanners inside the layer pass (secrets, malware).
 *
 * A content scanner is like a streaming analyzer (analyzer.h) that reports
 * file findings (model/filefinding.h) instead of packages.  The layer pass
 * offers it every regular file of every layer that wants() accepts, once,
 * in the same read as the analyzers: no layer is read twice, whatever the
 * number of scanners.  The pass sets each finding's layer; the merge sets
 * removed_in for files a later layer deletes or replaces.  Findings are part
 * of the layer result, so they are cached with it (layer_cache.h) under a
 * key that includes every enabled scanner's name and fingerprint.
 *
 * The scanner's compiled state (`self`: a Hyperscan database, a ClamAV
 * engine) is built once per process by its own module (secrets/,
 * malware/) and shared by the layer workers, which call begin/feed/end from
 * several threads at once: self must be read-only after construction, or
 * locked; per-file state (scratch space, a window) lives in what begin()
 * returns.
 *
 *   wants(self, path, mode, size): cheap, on the header only;
 *   begin(self, path, size):       per-file state, NULL when out of memory;
 *   feed(state, data, len):        the next chunk (valid during the call
 *                                  only); returns true when it wants no more;
 *                                  whole == true: called once with the whole
 *                                  file (at most max_size bytes);
 *   end(state, out, warnings, err): appends struct sw_file_finding* to out
 *                                  and "PATH: what" strings to warnings,
 *                                  frees the state; called exactly once after
 *                                  begin(), whether or not every byte was fed.
 *                                  < 0 only for an internal error (a bad file
 *                                  is a warning).
 *
 * Files larger than max_size (0: no limit; only with whole == false) are
 * not offered, and the layer's warnings say so.
 */
#ifndef SW_INVENTORY_FILESCAN_H
#define SW_INVENTORY_FILESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/filefinding.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_file_scanner {
	const char *name;          /* "secret", "malware" (static) */
	/* changes whenever the same bytes could give other findings (rule set,
	 * signature database version, options); owned by self, lives as long */
	const char *fingerprint;
	uint64_t max_size;
	bool whole;                /* needs the whole file in one chunk (libclamav) */
	void *self;
	bool (*wants)(void *self, const char *path, unsigned mode, uint64_t size);
	void *(*begin)(void *self, const char *path, uint64_t size);
	bool (*feed)(void *state, const uint8_t *data, size_t len);
	int (*end)(void *state, struct sw_vec *out, struct sw_vec *warnings, struct sw_err *err);
};

/* Run a scanner over a file in memory: begin(), feed() in chunks of
 * `chunk` bytes (0 or whole: one chunk), end().  Returns what end()
 * returns, or SW_E_NOMEM when begin() fails.  For tests, fuzzers and
 * scanning the config's strings. */
int sw_file_scanner_run_mem(const struct sw_file_scanner *s, const char *path, const uint8_t *data,
			    size_t len, size_t chunk, struct sw_vec *out, struct sw_vec *warnings,
			    struct sw_err *err);

#endif
