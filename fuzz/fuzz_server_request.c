/* fuzz_server_request.c - the server's request bodies (server/request.c):
 * the first byte picks POST /api/v1/scans or Harbor's ScanRequest; what
 * parses must be a reference the image layer is then given. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	struct sw_srv_scan_req r;
	struct sw_err err = SW_ERR_INIT;
	const char *body = (const char *)data + 1;
	if (data[0] & 1) {
		char *name = NULL;
		if (sw_srv_parse_harbor_req(body, size - 1, &r, &name, &err) == 0) {
			if (!r.image || strncmp(r.image, "registry:", 9) != 0 || !name || strchr(r.image, ' '))
				abort();
			if (!r.username != !r.password)
				abort();
			free(name);
			sw_srv_scan_req_release(&r);
		} else if (err.code != SW_E_FORMAT && err.code != SW_E_USAGE) {
			abort();
		}
	} else if (sw_srv_parse_scan_req(body, size - 1, &r, &err) == 0) {
		if (!r.image || !*r.image)
			abort();
		for (const char *p = r.image; *p; p++)
			if ((unsigned char)*p < 0x20)
				abort();
		sw_srv_scan_req_release(&r);
	} else if (err.code != SW_E_FORMAT && err.code != SW_E_USAGE) {
		abort();
	}
	return 0;
}
