/* fuzz_version.c - every version parser and comparator.  The first byte
 * picks the scheme; the rest is "A\nB".  Besides not crashing, a
 * comparison must be antisymmetric and reflexive, and compare must accept
 * exactly what validate accepts (apk excepted: its comparison mirrors
 * apk-tools on strings that do not validate). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"
#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2048)
		return 0;
	enum sw_vscheme s = (enum sw_vscheme)(data[0] % SW_VS_COUNT_);
	char *buf = sw_xstrndup((const char *)data + 1, size - 1);
	char *a = buf, *b = strchr(buf, '\n');
	if (b)
		*b++ = 0;
	else
		b = a;
	int ab = 0, ba = 0, aa = 0;
	int ra = sw_version_compare(s, a, b, &ab, NULL);
	int rb = sw_version_compare(s, b, a, &ba, NULL);
	if ((ra < 0) != (rb < 0))
		abort();
	if (ra == 0 && ab != -ba)
		abort();
	bool va = sw_version_validate(s, a, NULL) == 0, vb = sw_version_validate(s, b, NULL) == 0;
	if (s != SW_VS_APK && (ra == 0) != (va && vb))
		abort();
	if (va && (sw_version_compare(s, a, a, &aa, NULL) < 0 || aa != 0))
		abort();
	if (s == SW_VS_APK)
		(void)sw_apk_fuzzy_match(a, b);
	if (s == SW_VS_RPM) {
		struct sw_rpm_nevra n;
		(void)sw_rpm_nevra_parse(a, true, &n, NULL);
		(void)sw_rpm_nevra_parse(b, false, &n, NULL);
	}
	free(buf);
	return 0;
}
