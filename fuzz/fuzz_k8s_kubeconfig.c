/* fuzz_k8s_kubeconfig.c - kubeconfig files (k8s/k8s.h sw_kubeconfig_parse).
 * Invariants: success gives a server starting with http:// or https:// and
 * a context name; a failure keeps nothing (the struct is zeroed). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "k8s/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_kubeconfig kc;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_kubeconfig_parse("fuzz", "/nonexistent", (const char *)data, size, NULL, &kc, &err);
	if (rc == 0) {
		if (!kc.server || !kc.context ||
		    (strncmp(kc.server, "https://", 8) != 0 && strncmp(kc.server, "http://", 7) != 0))
			abort();
	} else {
		if (kc.server || kc.context || kc.token || !err.msg[0])
			abort();
	}
	sw_kubeconfig_release(&kc);
	return 0;
}
