/* fuzz_archive_stream.c - an image archive read once as a stream
 * (image/archive_stream.c, the server's uploads): the outer tar, member
 * classification (kept JSON or streamed through the layer pipeline),
 * links and repeated names in the memory store, manifest.json / index.json
 * resolution and the layer checks.  The input is handed out in small
 * chunks, as an HTTP body arrives. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/image.h"

struct src {
	const uint8_t *p;
	size_t len, pos;
};

static ssize_t rd(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	(void)err;
	struct src *s = ctx;
	size_t k = s->len - s->pos;
	if (k > n)
		k = n;
	if (k > 3001)
		k = 3001;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

struct blob {
	struct blob *next;
	size_t bytes;
};

static void *begin(void *ctx, const char *member)
{
	(void)member;
	struct blob **all = ctx;
	struct blob *b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->next = *all;
	*all = b;
	return b;
}

static int entry(void *ctx, const struct sw_entry *e, struct sw_entry_reader *r, struct sw_err *err)
{
	struct blob *b = ctx;
	if (e->type == SW_ENT_FILE) {
		char buf[4096];
		ssize_t n;
		for (int i = 0; i < 4 && (n = sw_entry_read(r, buf, sizeof(buf), err)) > 0; i++)
			b->bytes += (size_t)n;
	}
	return 0;
}

static void end(void *ctx, void *blob, bool ok)
{
	(void)ctx, (void)blob, (void)ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct src s = { data, size, 0 };
	struct blob *all = NULL;
	static const struct sw_stream_blob_ops ops = { begin, entry, end };
	struct sw_image *img = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_image_open_stream(rd, &s, "upload", NULL, &ops, &all, &img, &err) == 0) {
		const struct sw_image_info *in = sw_image_get_info(img);
		for (size_t i = 0; i < in->layers.len; i++)
			if (!sw_image_stream_blob(img, i))
				abort();
		sw_image_close(img);
	}
	while (all) {
		struct blob *n = all->next;
		free(all);
		all = n;
	}
	return 0;
}
