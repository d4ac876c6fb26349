/* fuzz_container_inspect.c - a container's inspect document as the CIS 5
 * checks read it (checks/container.h), and the daemon's error bodies
 * (engine/engine.h sw_engine_error_message).  Invariants: a refused
 * document adds no result; an accepted one adds the same number of results
 * every time (23: one per control) and every result has evidence naming the
 * container; an error message is at most 300 bytes. */
#include <stdlib.h>
#include <string.h>

#include "checks/container.h"
#include "engine/engine.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (2u << 20))
		return 0;
	struct sw_check_list cl = SW_CHECK_LIST_INIT;
	struct sw_container_ident id;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_container_checks((const char *)data, size, &id, &cl, &err);
	if (rc < 0 && cl.results.len)
		abort();
	if (rc == 0) {
		if (cl.results.len != 23)
			abort();
		for (size_t i = 0; i < cl.results.len; i++) {
			const struct sw_check_result *r = cl.results.items[i];
			if (!r->evidence.len)
				abort();
			const struct sw_check_evidence *e = r->evidence.items[0];
			if (!e->detail || strncmp(e->detail, "container ", 10) != 0)
				abort();
		}
		sw_container_image_summary(&cl, &id, "x", 0);
		sw_container_ident_release(&id);
	}
	sw_check_list_release(&cl);
	char *m = sw_engine_error_message((const char *)data, size);
	if (m && strlen(m) > 300)
		abort();
	free(m);
	return 0;
}
