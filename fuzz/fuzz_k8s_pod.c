/* fuzz_k8s_pod.c - pod objects as `stowaway k8s` reads them (k8s/k8s.h
 * sw_k8s_pod_check: containers, image digests from the status, the Pod
 * Security Standards checks) and image references (sw_k8s_image_ref).
 * Invariants: a pod that is read has exactly 17 check results, each failed
 * one with evidence naming a field under spec. or metadata.; every image
 * digest reference ends in "@sha256:" and 64 hex digits. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "k8s/k8s.h"

static void check_ref(const char *r)
{
	if (!r)
		return;
	const char *at = strrchr(r, '@');
	if (!at || strncmp(at + 1, "sha256:", 7) != 0 || strlen(at + 8) != 64 ||
	    strspn(at + 8, "0123456789abcdef") != 64)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_k8s_workload *w = calloc(1, sizeof(*w));
	struct sw_err err = SW_ERR_INIT;
	if (sw_k8s_pod_check((const char *)data, size, w, &err) == 0) {
		if (w->checks.results.len != 17)
			abort();
		for (size_t i = 0; i < w->checks.results.len; i++) {
			const struct sw_check_result *c = w->checks.results.items[i];
			if (c->status == SW_CHECK_FAIL && c->evidence.len == 0)
				abort();
			for (size_t j = 0; j < c->evidence.len; j++) {
				const struct sw_check_evidence *e = c->evidence.items[j];
				if (!e->config_key || (strncmp(e->config_key, "spec.", 5) != 0 &&
						       strncmp(e->config_key, "metadata.", 9) != 0))
					abort();
			}
		}
		for (size_t i = 0; i < w->containers.len; i++) {
			const struct sw_k8s_container *c = w->containers.items[i];
			check_ref(c->image_id);
		}
	}
	sw_k8s_workload_free(w);
	/* the input split in two as spec image and imageID */
	char *s = strndup((const char *)data, size);
	char *nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	char *r = sw_k8s_image_ref(s, nl ? nl + 1 : s);
	check_ref(r);
	free(r);
	free(s);
	return 0;
}
