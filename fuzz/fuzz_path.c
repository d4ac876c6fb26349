/* fuzz_path.c - member-name cleaning, link resolution and globbing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"
#include "util/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = sw_xstrndup((const char *)data, size);
	struct sw_err err = SW_ERR_INIT;
	char *clean = NULL;
	if (sw_path_clean_member(s, &clean, &err) == 0) {
		char *r = sw_path_resolve_link(clean, s);
		free(r);
		(void)sw_path_glob("**/*.dist-info/METADATA", clean);
		free(clean);
	}
	free(s);
	return 0;
}
