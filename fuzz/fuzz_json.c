/* fuzz_json.c - the JSON reader (util/json.h): any bytes, then a walk of the tree. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/json.h"

static size_t walk(const struct sw_json *v, int depth)
{
	size_t n = 1;
	if (depth > 4096)
		abort();
	if (v->type == SW_JSON_STRING && strlen(v->u.s) != v->n)
		abort();   /* no NUL inside a string */
	if (v->type == SW_JSON_ARRAY)
		for (size_t i = 0; i < v->n; i++)
			n += walk(&v->u.items[i], depth + 1);
	if (v->type == SW_JSON_OBJECT)
		for (size_t i = 0; i < v->n; i++) {
			if (sw_json_get(v, v->u.members[i].key) != &v->u.members[i].value)
				abort();   /* keys are unique: the first match is this one */
			n += walk(&v->u.members[i].value, depth + 1);
		}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_json_doc *d = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_json_parse((const char *)data, size, &d, &err) == 0) {
		(void)walk(sw_json_root(d), 0);
		sw_json_doc_free(d);
	}
	return 0;
}
