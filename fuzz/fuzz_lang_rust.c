/* fuzz_lang_rust.c - Cargo.lock (first byte 'c') or a cargo-auditable
 * binary read from a stream (anything else: the first byte is the chunk
 * size, 1..255, the rest is the file; the result must not depend on it). */
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
		sw_buf_addf(&b, "%s %s\n", p->name, p->version);
	}
	for (size_t i = 0; i < l->warnings.len; i++)
		sw_buf_addf(&b, "%s\n", (const char *)l->warnings.items[i]);
	return sw_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (4u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (data[0] == 'c') {
		(void)sw_analyzer_cargo_lock.parse("app/Cargo.lock", data + 1, size - 1, &l, &err);
		sw_pkglist_release(&l);
		return 0;
	}
	struct sw_pkglist parts = SW_PKGLIST_INIT;
	(void)sw_analyzer_run_mem(&sw_analyzer_rustbin, "usr/bin/app", data + 1, size - 1, 0, &l, &err);
	(void)sw_analyzer_run_mem(&sw_analyzer_rustbin, "usr/bin/app", data + 1, size - 1, data[0], &parts, &err);
	char *a = dump(&l), *b = dump(&parts);
	if (strcmp(a, b) != 0)
		abort();
	free(a);
	free(b);
	sw_pkglist_release(&l);
	sw_pkglist_release(&parts);
	return 0;
}
