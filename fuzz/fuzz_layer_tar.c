/* fuzz_layer_tar.c - a layer blob from memory through the verified layer
 * pipeline: compression sniffing, gzip (ISA-L) / zstd / plain, the tar
 * reader (libarchive), member-name cleaning, whiteouts, link checks. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/internal.h"

static int on_entry(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r,
		    struct sw_err *err)
{
	size_t *total = ctx;
	if (e->type == SW_ENT_FILE || e->type == SW_ENT_HARDLINK) {
		char buf[4096];
		ssize_t n;
		/* read some content, leave the rest to be skipped */
		for (int i = 0; i < 4 && (n = sw_entry_read(r, buf, sizeof(buf), err)) > 0; i++)
			*total += (size_t)n;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	size_t total = 0;
	struct sw_err err = SW_ERR_INIT;
	/* once without digests, once with a (wrong) expected digest */
	sw_layer_walk_mem(data, size, NULL, on_entry, &total, &err);
	struct sw_layer_check chk = {
		"sha256:0000000000000000000000000000000000000000000000000000000000000000", NULL, 0
	};
	sw_err_clear(&err);
	sw_layer_walk_mem(data, size, &chk, on_entry, &total, &err);
	return 0;
}
