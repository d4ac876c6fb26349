/* fuzz_lang_rust.c - Cargo.lock (first byte 'c') or a cargo-auditable
 * binary (anything else; the rest of the input is the file). */
#include "fuzz.h"
#include "inventory/lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (4u << 20))
		return 0;
	const struct sw_analyzer *a = data[0] == 'c' ? &sw_analyzer_cargo_lock : &sw_analyzer_rustbin;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	(void)a->parse(data[0] == 'c' ? "app/Cargo.lock" : "usr/bin/app", data + 1, size - 1, &l, &err);
	sw_pkglist_release(&l);
	return 0;
}
