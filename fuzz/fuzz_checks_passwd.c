/* fuzz_checks_passwd.c - passwd(5), shadow(5) and group(5) as the file
 * checks read them (checks/sysfiles.h sw_acct_parse).  Invariants: text
 * with a NUL byte is refused and keeps nothing; every entry has a non-empty
 * name without ':' or '\n', a line within the input's line count, and an id
 * in 0..2^32-1 (passwd, group) or -1 (shadow); kept + bad + skipped lines
 * never exceed the lines of the input. */
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
	for (int k = 0; k < 3; k++) {
		struct sw_acct_file f = { 0 };
		int rc = sw_acct_parse((enum sw_acct_kind)k, (const char *)data, size, &f);
		if ((rc < 0) != nul || (rc < 0 && f.ents.len))
			abort();
		if (f.ents.len + f.bad + f.skipped > lines)
			abort();
		for (size_t i = 0; i < f.ents.len; i++) {
			const struct sw_acct *a = f.ents.items[i];
			if (!*a->name || strpbrk(a->name, ":\n") || strpbrk(a->pw, ":\n") || a->line == 0 ||
			    a->line > lines)
				abort();
			if (k == SW_ACCT_SHADOW ? a->id != -1 : (a->id < 0 || a->id > 4294967295LL))
				abort();
			if (sw_acct_find(&f, a->name) == NULL)
				abort();
		}
		sw_acct_file_release(&f);
	}
	return 0;
}
