/* fuzz_lang_gobin.c - Go build info read from a stream: ELF header and
 * section table kept, build info captured across chunk boundaries.  The
 * first byte picks the chunk size (1..256, or 0: one chunk); the rest is
 * the file.  The result must not depend on the chunk size. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory/lang/lang.h"
#include "util/buf.h"

static char *dump(const struct sw_pkglist *l)
{
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < l->pkgs.len; i++) {
		const struct sw_package *p = l->pkgs.items[i];
		sw_buf_addf(&b, "%s %s %s\n", p->namespace_ ? p->namespace_ : "", p->name, p->version);
	}
	for (size_t i = 0; i < l->warnings.len; i++)
		sw_buf_addf(&b, "%s\n", (const char *)l->warnings.items[i]);
	return sw_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (4u << 20))
		return 0;
	size_t chunk = data[0];
	struct sw_pkglist whole = SW_PKGLIST_INIT, parts = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)sw_analyzer_run_mem(&sw_analyzer_gobin, "usr/bin/app", data + 1, size - 1, 0, &whole, &err);
	(void)sw_analyzer_run_mem(&sw_analyzer_gobin, "usr/bin/app", data + 1, size - 1, chunk, &parts, &err);
	char *a = dump(&whole), *b = dump(&parts);
	if (strcmp(a, b) != 0)
		abort();
	free(a);
	free(b);
	sw_pkglist_release(&whole);
	sw_pkglist_release(&parts);
	return 0;
}
