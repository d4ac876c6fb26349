/*
 * fsutil.h - file helpers shared by update.c and export.c (internal to
 * vulndb/): the update lock, directory creation and durable renames.
 */
#ifndef SW_VULNDB_FSUTIL_H
#define SW_VULNDB_FSUTIL_H

#include <stdbool.h>

#include "util/err.h"

/* Directory part of path (malloc'd; "." when there is none). */
char *sw_vulndb_dir_of(const char *path);
/* mkdir -p. */
int sw_vulndb_mkdir_p(const char *dir, struct sw_err *err);
/* Take the exclusive update lock PATH.lock (non-blocking); returns an fd to
 * close() to release it, or a negative error. */
int sw_vulndb_lock(const char *db_path, struct sw_err *err);
/* Remove PATH.new-* files left by interrupted updates (hold the lock). */
void sw_vulndb_remove_stale(const char *db_path);
/* fsync tmp, rename it over path, fsync the directory. */
int sw_vulndb_commit_file(const char *tmp, const char *path, struct sw_err *err);

#endif
