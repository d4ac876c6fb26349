/* fuzz_cvss.c - CVSS vector parsing, formatting and scoring.
 *
 * Invariants checked (abort on violation): a parsed vector formats to a
 * canonical string that parses back to the same value and formats the
 * same; every score of a parsed vector lies in [0, 10]; a refused vector
 * leaves a one-line message.  Dictionary: fuzz/fuzz_cvss.dict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"
#include "vulndb/cvss.h"

static void check_score(double s)
{
	if (isnan(s) || s < 0.0 || s > 10.0)
		abort();
	if (!sw_cvss_rating(s) || !sw_cvss2_rating(s))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2 * SW_CVSS_VECTOR_MAX)
		return 0;
	char *s = sw_xstrndup((const char *)data, size);
	struct sw_cvss c;
	struct sw_err err = SW_ERR_INIT;
	if (sw_cvss_parse(s, &c, &err) == 0) {
		char a[SW_CVSS_VECTOR_MAX], b[SW_CVSS_VECTOR_MAX];
		int n = sw_cvss_format(&c, a, sizeof(a));
		if (n < 0 || (size_t)n >= sizeof(a))
			abort();
		struct sw_cvss c2;
		if (sw_cvss_parse(a, &c2, &err) != 0)
			abort();
		if (memcmp(&c, &c2, sizeof(c)) != 0)
			abort();
		if (sw_cvss_format(&c2, b, sizeof(b)) != n || strcmp(a, b) != 0)
			abort();
		check_score(sw_cvss_base_score(&c));
		check_score(sw_cvss_vector_score(&c));
		struct sw_cvss c3;
		if (sw_cvss_parse_ex(s, (int)c.version / 10, 0, &c3, &err) != 0)
			abort();
		if (sw_cvss_parse_ex(s, 0, SW_CVSS_ANY_ORDER, &c3, &err) != 0 ||
		    memcmp(&c, &c3, sizeof(c)) != 0)
			abort();
	} else {
		if (err.code == SW_OK || err.msg[0] == '\0' || strchr(err.msg, '\n'))
			abort();
		/* Lenient order: same invariants. */
		struct sw_cvss l, l2;
		struct sw_err err2 = SW_ERR_INIT;
		if (sw_cvss_parse_ex(s, 0, SW_CVSS_ANY_ORDER, &l, &err2) == 0) {
			char a[SW_CVSS_VECTOR_MAX];
			int n = sw_cvss_format(&l, a, sizeof(a));
			if (n < 0 || (size_t)n >= sizeof(a) || sw_cvss_parse(a, &l2, &err2) != 0 ||
			    memcmp(&l, &l2, sizeof(l)) != 0)
				abort();
			check_score(sw_cvss_vector_score(&l));
		}
	}
	free(s);
	return 0;
}
