/* fuzz_cstorage_tarsplit.c - a containers/storage tar-split stream (JSON
 * lines: raw tar segments in base64, file entries whose content comes from
 * the layer's diff directory) rebuilt into a tar and walked through the
 * layer pipeline (image/cstorage.c).  The diff directory is a temporary
 * one holding the files "a" and "d/b", so entries naming them are read,
 * others fail to open.  Invariant: no crash, no leak, no read outside the
 * directory ("..", absolute names and symlinks are refused). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/internal.h"

static int dirfd_once = -1;
static char dir_path[64];

static void cleanup(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/d/b", dir_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d", dir_path);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/a", dir_path);
	unlink(p);
	rmdir(dir_path);
}

static int on_entry(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r, struct sw_err *err)
{
	size_t *total = ctx;
	if (e->type == SW_ENT_FILE) {
		char buf[4096];
		ssize_t n;
		while ((n = sw_entry_read(r, buf, sizeof(buf), err)) > 0)
			*total += (size_t)n;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	if (dirfd_once < 0) {
		char tmpl[] = "/tmp/fuzz_tarsplit.XXXXXX";
		char *d = mkdtemp(tmpl);
		if (!d)
			abort();
		char p[256];
		snprintf(p, sizeof(p), "%s/a", d);
		FILE *f = fopen(p, "w");
		fputs("hello\n", f);
		fclose(f);
		snprintf(p, sizeof(p), "%s/d", d);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/d/b", d);
		f = fopen(p, "w");
		fputs("0123456789abcdef0123456789abcdef", f);
		fclose(f);
		dirfd_once = open(d, O_RDONLY | O_DIRECTORY);
		if (dirfd_once < 0)
			abort();
		snprintf(dir_path, sizeof(dir_path), "%s", d);
		atexit(cleanup);
	}
	size_t total = 0;
	struct sw_err err = SW_ERR_INIT;
	sw_cstorage_tarsplit_walk_mem((const char *)data, size, dirfd_once, on_entry, &total, &err);
	return 0;
}
