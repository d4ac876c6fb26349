/* fuzz_report.c - the SBOM writers, purls and the licence-expression parser
 * on hostile package fields.
 *
 * Input: lines.  Line 1 is the OS id, line 2 its VERSION_ID, line 3 a layer
 * created_by; then groups of 6 lines per package: type, namespace, name,
 * version, arch, licence.  Every format is written to memory; the JSON
 * formats must parse back, and the table must hold no control byte other
 * than newline. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/report.h"
#include "util/mem.h"

static char *field(const char **p, const char *end)
{
	if (*p >= end)
		return NULL;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *e = nl ? nl : end;
	char *s = sw_xstrndup(*p, (size_t)(e - *p));
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	struct sw_inventory inv;
	memset(&inv, 0, sizeof(inv));
	inv.os.id = field(&p, end);
	inv.os.version_id = field(&p, end);
	struct sw_inv_layer layer = { 0, NULL, NULL, field(&p, end), 0 };
	layer.diff_id = sw_xstrdup("sha256:00");
	sw_vec_push(&inv.layers, &layer);
	while (p < end && inv.packages.len < 64) {
		char *type = field(&p, end);
		struct sw_package *pk = sw_package_new(type ? type : "");
		free(type);
		pk->namespace_ = field(&p, end);
		pk->name = field(&p, end);
		pk->version = field(&p, end);
		pk->arch = field(&p, end);
		char *lic = field(&p, end);
		if (lic) {
			char *e = sw_report_license_expression(lic);
			free(e);
			sw_vec_push(&pk->licenses, lic);
		}
		pk->epoch = (int)(inv.packages.len % 3) - 1;
		pk->layer_index = (int)(inv.packages.len % 2) - 1;
		pk->flags = (unsigned)inv.packages.len & 15u;
		char *purl = sw_purl_for_package(pk, &inv.os);
		if (purl && strncmp(purl, "pkg:", 4) != 0)
			abort();
		free(purl);
		sw_vec_push(&inv.packages, pk);
	}

	struct sw_report_opts o = { .color = size & 1, .now = 1700000000, .tool_version = "fuzz" };
	for (int f = SW_FMT_TABLE; f <= SW_FMT_SPDX_JSON; f++) {
		char *out = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&out, &len);
		if (!fp)
			abort();
		struct sw_err err = SW_ERR_INIT;
		if (sw_report_sbom(fp, (enum sw_report_format)f, &inv, &o, &err) < 0)
			abort();
		fclose(fp);
		if (f == SW_FMT_TABLE) {
			for (size_t i = 0; i < len; i++) {
				unsigned char c = (unsigned char)out[i];
				if ((c < 0x20 && c != '\n' && !(o.color && c == 0x1b)) || c == 0x7f)
					abort();
			}
		} else {
			json_error_t je;
			json_t *j = json_loadb(out, len, 0, &je);
			if (!j)
				abort();
			json_decref(j);
		}
		free(out);
	}

	sw_vec_free_all(&inv.packages, sw_package_free_v);
	sw_vec_release(&inv.layers);
	free(layer.created_by);
	free(layer.diff_id);
	free(inv.os.id);
	free(inv.os.version_id);
	return 0;
}
