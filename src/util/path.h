/*
 * path.h - lexical path handling for paths inside an image.
 *
 * Image paths are relative to the image root, '/'-separated, with no
 * leading '/', no '.', no '..', no empty components: "usr/lib/os-release".
 * The root itself is "".  Nothing here touches the host filesystem.
 */
#ifndef SW_UTIL_PATH_H
#define SW_UTIL_PATH_H

#include <stdbool.h>

#include "util/err.h"

/* Clean a tar member name into an image path (malloc'd into *out).
 * A leading "./" and trailing '/' are dropped and "//" and "." collapsed.
 * Fails with SW_E_UNSAFE for an absolute name or any ".." component, and
 * with SW_E_FORMAT for an empty name or a NUL/newline inside. */
int sw_path_clean_member(const char *name, char **out, struct sw_err *err);

/* Resolve a symlink found at image path `link` with target `target`,
 * lexically, as if the image root were '/': absolute targets start at the
 * root, ".." never climbs above it.  Returns a malloc'd image path. */
char *sw_path_resolve_link(const char *link, const char *target);

/* Join two image paths lexically, clamping ".." at the root (malloc'd). */
char *sw_path_join_clamped(const char *dir, const char *rel);

/* Directory part of an image path, malloc'd ("" for a top-level name). */
char *sw_path_dirname(const char *path);
/* Pointer to the last component inside path. */
const char *sw_path_basename(const char *path);

/* True if `path` equals `dir` or lies below it ("" is the root: always). */
bool sw_path_is_under(const char *path, const char *dir);

/* Shell-style glob on image paths: '*' matches within one component,
 * '**' across components, '?' one character. */
bool sw_path_glob(const char *pattern, const char *path);

#endif
