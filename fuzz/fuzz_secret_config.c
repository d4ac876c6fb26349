/* fuzz_secret_config.c - a --secret-config document (YAML) -> the secret
 * scanner (secrets/secrets.h).  Invariants: an error is one line naming the
 * file; a config that loads scans the input itself with the same findings
 * whether fed whole or byte by byte (the findings do not depend on the
 * chunking), every match masked and printable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory/filescan.h"
#include "secrets/secrets.h"

static size_t scan(const struct sw_file_scanner *fs, const uint8_t *data, size_t size, size_t chunk)
{
	struct sw_vec out = SW_VEC_INIT, warn = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_file_scanner_run_mem(fs, "srv/app/.env", data, size, chunk, &out, &warn, &err) < 0)
		abort();
	for (size_t i = 0; i < out.len; i++) {
		const struct sw_file_finding *f = out.items[i];
		if (!f->rule_id || !f->match || !strstr(f->match, "****"))
			abort();
		for (const char *p = f->match; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				abort();
	}
	size_t n = out.len;
	sw_vec_free_all(&out, sw_file_finding_free_v);
	sw_vec_free_strings(&warn);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	struct sw_secrets_opts o = { 0 };
	struct sw_secrets *s = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_secrets_new_text(&o, "fuzz.yaml", (const char *)data, size, &s, &err) < 0) {
		if (s || strncmp(err.msg, "fuzz.yaml: ", 11) != 0 || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	const struct sw_file_scanner *fs = sw_secrets_file_scanner(s);
	if (scan(fs, data, size, 0) != scan(fs, data, size, 1))
		abort();
	sw_secrets_free(s);
	return 0;
}
