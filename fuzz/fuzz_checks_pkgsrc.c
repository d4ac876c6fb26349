/* fuzz_checks_pkgsrc.c - apt one-line and deb822 sources, apt.conf, yum/dnf
 * INI and apk repositories as the file checks read them (checks/sysfiles.h
 * sw_pkgsrc_parse), every input through every kind.  Invariants: text with
 * a NUL byte is refused and keeps nothing; every issue has a line within
 * the input's line count and a detail of bounded length without control
 * bytes (it reaches reports). */
#include <stdlib.h>
#include <string.h>

#include "checks/sysfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	bool nul = memchr(data, '\0', size) != NULL;
	for (int k = SW_PKGSRC_APT_LIST; k <= SW_PKGSRC_APK; k++) {
		struct sw_pkgsrc s = { SW_VEC_INIT, 0, 0 };
		int rc = sw_pkgsrc_parse((enum sw_pkgsrc_kind)k, (const char *)data, size, &s);
		if ((rc < 0) != nul || (rc < 0 && s.issues.len))
			abort();
		for (size_t i = 0; i < s.issues.len; i++) {
			const struct sw_pkgsrc_issue *is = s.issues.items[i];
			if (is->line == 0 || is->line > lines || strlen(is->detail) > 400)
				abort();
			for (const unsigned char *p = (const unsigned char *)is->detail; *p; p++)
				if (*p < 0x20 || *p == 0x7f)
					abort();
		}
		sw_pkgsrc_release(&s);
	}
	return 0;
}
