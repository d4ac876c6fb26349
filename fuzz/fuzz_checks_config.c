/* fuzz_checks_config.c - image config JSON -> the config checks
 * (checks/checks.h), and every history created_by through the parser and
 * the secret masking; when the first byte has its high bit set, the rest
 * of the input is also the manifest's base-image name (SW-CFG-106's
 * reference parser).  Invariants: SW_CHECKS_COUNT results always; a value masked in
 * the input never comes back in a result (checked for the planted marker
 * "SWFUZZSECRET" after a secret-looking name). */
#include <stdlib.h>
#include <string.h>

#include "checks/checks.h"
#include "fuzz.h"
#include "util/secretmask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct sw_check_list l = SW_CHECK_LIST_INIT;
	struct sw_err err = SW_ERR_INIT;
	struct sw_checks_opts o = { .now = 1700000000 };
	if (size && (data[0] & 0x80))
		o.base_name = text + 1;
	size_t nlayers = size ? data[0] % 8 : 0;
	if (sw_checks_run_config(text, size, nlayers, &o, &l, &err) < 0 || l.results.len != SW_CHECKS_COUNT)
		abort();
	for (size_t i = 0; i < l.results.len; i++) {
		const struct sw_check_result *r = l.results.items[i];
		if (!r->id || !r->title)
			abort();
		for (size_t k = 0; k < r->evidence.len; k++) {
			const struct sw_check_evidence *e = r->evidence.items[k];
			if (e->detail && strstr(e->detail, "TOKEN=SWFUZZSECRET"))
				abort();
			if (e->created_by && strstr(e->created_by, "TOKEN=SWFUZZSECRET"))
				abort();
		}
	}
	sw_check_list_release(&l);
	/* the line parser and the masking on the raw bytes as one line */
	struct sw_instr in;
	sw_instr_parse(text, &in);
	sw_instr_release(&in);
	/* any word ending in API_TOKEN is secret-looking: its value never survives */
	char *m = sw_mask_secrets(text);
	if (m && strstr(m, "API_TOKEN=SWFUZZSECRET"))
		abort();
	free(m);
	free(text);
	return 0;
}
