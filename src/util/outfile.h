/*
 * outfile.h - output files written atomically.
 *
 * sw_outfile_open() opens a temporary file beside the destination (or
 * stdout for "-" or NULL); sw_outfile_commit() flushes, closes and renames
 * it into place; sw_outfile_abort() closes and removes it.  Nothing is left
 * behind on error, and a reader never sees a half-written file.  The file
 * gets the mode `>FILE` would give it: a new file 0666 & ~umask, a replaced
 * file its old mode (and owner and group, where allowed).
 * A destination that exists and is not a regular file or directory (a
 * device such as /dev/null, a FIFO) is written in place: renaming over it
 * would replace the device by a regular file.
 */
#ifndef SW_UTIL_OUTFILE_H
#define SW_UTIL_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "util/err.h"

struct sw_outfile {
	FILE *fp;        /* write here */
	char *path;      /* destination, NULL for stdout */
	char *tmp_path;  /* temporary, NULL for stdout and in-place files */
	bool in_place;   /* path is a device or FIFO, opened directly */
};

int sw_outfile_open(struct sw_outfile *o, const char *path, struct sw_err *err);
int sw_outfile_commit(struct sw_outfile *o, struct sw_err *err);
void sw_outfile_abort(struct sw_outfile *o);

#endif
