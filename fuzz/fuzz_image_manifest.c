/* fuzz_image_manifest.c - the JSON documents of an image: oci-layout,
 * index.json, manifests, configs, docker manifest.json, platform strings. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image/internal.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	const char *s = (const char *)data;
	struct sw_err err = SW_ERR_INIT;

	sw_manifest_parse_layout("oci-layout", s, size, &err);

	enum sw_doc_kind kind;
	sw_manifest_kind("doc", s, size, &kind, &err);

	struct sw_index ix;
	if (sw_manifest_parse_index("index.json", s, size, &ix, &err) == 0) {
		struct sw_platform want = { (char *)"linux", (char *)"arm64", NULL };
		for (size_t i = 0; i < ix.manifests.len; i++) {
			struct sw_descriptor *d = ix.manifests.items[i];
			if (d->has_platform)
				(void)sw_platform_match(&want, &d->platform);
		}
		sw_index_release(&ix);
	}

	struct sw_manifest m;
	if (sw_manifest_parse_manifest("manifest", s, size, &m, &err) == 0)
		sw_manifest_release(&m);

	struct sw_config c;
	if (sw_manifest_parse_config("config", s, size, &c, &err) == 0)
		sw_config_release(&c);

	struct sw_vec entries = SW_VEC_INIT;
	if (sw_manifest_parse_docker("manifest.json", s, size, &entries, &err) == 0) {
		for (size_t i = 0; i < entries.len; i++)
			sw_docker_entry_free(entries.items[i]);
		sw_vec_release(&entries);
	}

	if (size < 256) {
		char *p = sw_xstrndup(s, size);
		struct sw_platform pl;
		if (sw_platform_parse(p, &pl, &err) == 0)
			sw_platform_release(&pl);
		free(p);
	}
	return 0;
}
