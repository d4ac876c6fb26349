/* fuzz_version_range.c - requirement expressions and OSV range JSON.
 * First byte: scheme (low nibble) and mode (high nibble); the rest is
 * "VERSION\nEXPRESSION". */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"
#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	enum sw_vscheme s = (enum sw_vscheme)((data[0] & 0x0f) % SW_VS_COUNT_);
	unsigned mode = data[0] >> 4;
	char *buf = sw_xstrndup((const char *)data + 1, size - 1);
	char *v = buf, *e = strchr(buf, '\n');
	if (e)
		*e++ = 0;
	else
		e = buf;
	bool out;
	struct sw_err err = SW_ERR_INIT;
	if (mode & 1)
		(void)sw_version_affected_osv_json(s, v, e, &out, &err);
	else
		(void)sw_version_satisfies_opts(s, v, e, mode >> 1, &out, &err);
	free(buf);
	return 0;
}
