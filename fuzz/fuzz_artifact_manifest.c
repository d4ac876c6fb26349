/* fuzz_artifact_manifest.c - the OCI artifact manifest check of `db pull`
 * (image/artifact.h sw_artifact_manifest_check): any bytes a registry
 * answers.  A manifest accepted must give a valid digest and annotations
 * in pairs. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/artifact.h"
#include "image/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_err err = SW_ERR_INIT;
	struct sw_artifact_info a;
	if (sw_artifact_manifest_check((const char *)data, size, "application/vnd.stowaway.vulndb.v1",
				       "application/vnd.stowaway.vulndb.sqlite.v1", (uint64_t)1 << 33, &a, &err) == 0) {
		if (!a.layer_digest || !sw_digest_valid(a.layer_digest) || a.annotations.len % 2)
			abort();
		(void)sw_artifact_annotation(&a, "io.stowaway.vulndb.sha256");
		sw_artifact_info_release(&a);
	} else if (!err.msg[0]) {
		abort();
	}
	return 0;
}
