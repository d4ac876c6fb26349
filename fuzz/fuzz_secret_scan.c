/* fuzz_secret_scan.c - arbitrary file contents -> the secret scanner with
 * the built-in rules.  Invariants: the same findings fed whole, in 1-byte
 * and in 7-byte chunks; every match masked and printable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory/filescan.h"
#include "secrets/secrets.h"

static struct sw_secrets *S;

static size_t scan(const uint8_t *data, size_t size, size_t chunk, uint64_t *sum)
{
	struct sw_vec out = SW_VEC_INIT, warn = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	const char *path = size && data[0] == '.' ? "root/.npmrc" : "srv/app/config.txt";
	if (sw_file_scanner_run_mem(sw_secrets_file_scanner(S), path, data, size, chunk, &out, &warn, &err) < 0)
		abort();
	*sum = 0;
	for (size_t i = 0; i < out.len; i++) {
		const struct sw_file_finding *f = out.items[i];
		if (!f->rule_id || !f->match || !strstr(f->match, "****") || f->offset >= size)
			abort();
		for (const char *p = f->match; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				abort();
		*sum = *sum * 31 + f->offset * 7 + f->line;
	}
	size_t n = out.len;
	sw_vec_free_all(&out, sw_file_finding_free_v);
	sw_vec_free_strings(&warn);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!S) {
		struct sw_secrets_opts o = { 0 };
		struct sw_err err = SW_ERR_INIT;
		if (sw_secrets_new(&o, &S, &err) < 0)
			abort();
	}
	if (size > (1u << 20))
		return 0;
	uint64_t a, b, c;
	size_t n0 = scan(data, size, 0, &a);
	if (scan(data, size, 1, &b) != n0 || scan(data, size, 7, &c) != n0 || a != b || a != c)
		abort();
	return 0;
}
