/* fuzz_osv_json.c - the OSV importer on arbitrary JSON input. */
#include <stdlib.h>

#include "fuzz.h"
#include "vulndb/sources/osv.h"

static int put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	(void)err;
	size_t *n = ctx;
	/* touch what a real sink reads */
	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		*n += a->ranges.len + a->versions.len + (a->ecosystem[0] != 0);
	}
	return 0;
}

static void bad_record(void *ctx, const char *file, const char *record, const char *what)
{
	size_t *n = ctx;
	*n += (file[0] != 0) + (record[0] != 0) + (what[0] != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	size_t n = 0;
	struct sw_vuln_sink sink = { &n, put_vuln, NULL, NULL, bad_record };
	struct sw_err err = SW_ERR_INIT;
	(void)sw_osv_import_json("fuzz.json", data, size, &sink, &err);
	return 0;
}
