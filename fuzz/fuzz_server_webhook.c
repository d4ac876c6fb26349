/* fuzz_server_webhook.c - the body of POST /api/v1/webhooks
 * (server/hooks_req.c): what parses has an http(s) URL without spaces or
 * control characters, a secret of 16 to 1024 bytes, a known severity and
 * a JSON array of patterns; anything else is refused as 400 or 422. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_srv_webhook_req r;
	struct sw_err err = SW_ERR_INIT;
	if (sw_srv_parse_webhook_req((const char *)data, size, &r, &err) == 0) {
		if (!r.url || (strncasecmp(r.url, "http://", 7) != 0 && strncasecmp(r.url, "https://", 8) != 0))
			abort();
		for (const char *p = r.url; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == ' ')
				abort();
		if (!r.secret || strlen(r.secret) < 16 || strlen(r.secret) > 1024)
			abort();
		if (r.min_severity && !strstr("negligible low medium high critical", r.min_severity))
			abort();
		if (r.repositories) {
			json_t *a = json_loads(r.repositories, 0, NULL);
			if (!json_is_array(a) || json_array_size(a) == 0)
				abort();
			json_decref(a);
		}
		sw_srv_webhook_req_release(&r);
	} else if (err.code != SW_E_FORMAT && err.code != SW_E_USAGE) {
		abort();
	}
	return 0;
}
