/* fuzz_server_vers.c - VERS ranges and package URLs of
 * GET /api/v1/packages/images (server/vers.c, server/packages.c): the input
 * is "RANGE\nVERSION\nPURL".  A range that parses has 1..SW_SRV_VERS_MAX
 * constraints in version order, each of its versions is in it exactly when
 * an "="-style constraint names it (or the evaluation says why not), and a
 * purl base is "pkg:TYPE/..." without a version, qualifiers or blanks. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	char *version = strchr(text, '\n');
	char *purl = NULL;
	if (version) {
		*version++ = 0;
		purl = strchr(version, '\n');
		if (purl)
			*purl++ = 0;
	}
	struct sw_srv_vers v;
	struct sw_err err = SW_ERR_INIT;
	if (sw_srv_vers_parse(text, &v, &err) == 0) {
		if (v.n == 0 || v.n > SW_SRV_VERS_MAX)
			abort();
		for (size_t i = 0; i < v.n; i++) {
			if ((v.c[i].op == SW_VOP_STAR) != (v.c[i].v == NULL))
				abort();
			bool in = false;
			if (v.c[i].v && sw_srv_vers_contains(&v, v.c[i].v, &in) < 0)
				abort();   /* its own versions were validated */
			if (v.c[i].v && (v.c[i].op == SW_VOP_EQ || v.c[i].op == SW_VOP_LE || v.c[i].op == SW_VOP_GE) && !in)
				abort();
			if (v.c[i].op == SW_VOP_NE && in)
				abort();
			if (i) {
				int cmp = 0;
				struct sw_err e2 = SW_ERR_INIT;
				if (sw_version_compare(v.scheme, v.c[i - 1].v, v.c[i].v, &cmp, &e2) < 0 || cmp >= 0)
					abort();
			}
		}
		bool in;
		if (version)
			(void)sw_srv_vers_contains(&v, version, &in);
	} else if (err.code != SW_E_FORMAT && err.code != SW_E_USAGE) {
		abort();
	}
	sw_srv_vers_release(&v);
	char *base = srv_purl_base(purl ? purl : text);
	if (base) {
		if (strncmp(base, "pkg:", 4) != 0 || strpbrk(base, "@?# \t\n") || !strchr(base + 4, '/'))
			abort();
		free(base);
	}
	free(text);
	return 0;
}
