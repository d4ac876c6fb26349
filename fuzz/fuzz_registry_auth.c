/* fuzz_registry_auth.c - registry references and WWW-Authenticate challenges.
 * The first byte picks the parser: even = challenge, odd = reference. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/internal.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 8192)
		return 0;
	struct sw_err err = SW_ERR_INIT;
	if ((data[0] & 1) == 0) {
		struct sw_registry_challenge c;
		if (sw_registry_challenge_parse((const char *)data + 1, size - 1, &c, &err) == 0) {
			if (!c.scheme)
				abort();
			sw_registry_challenge_release(&c);
		}
		return 0;
	}
	char *s = sw_xstrndup((const char *)data + 1, size - 1);
	struct sw_registry_ref r;
	if (sw_registry_ref_parse(s, &r, &err) == 0) {
		if (!r.host || !r.api_host || !r.repo || (!r.tag && !r.digest))
			abort();
		char *canon = sw_registry_ref_str(&r);
		/* the canonical form parses to the same reference */
		struct sw_registry_ref r2;
		if (sw_registry_ref_parse(canon, &r2, &err) != 0 || strcmp(r.repo, r2.repo) != 0 ||
		    strcmp(r.host, r2.host) != 0)
			abort();
		sw_registry_ref_release(&r2);
		free(canon);
		sw_registry_ref_release(&r);
	}
	(void)sw_registry_ref_plausible(s);
	free(s);
	return 0;
}
