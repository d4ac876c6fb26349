/*
 * mem.h - allocation helpers and small string utilities.
 *
 * The sw_x* allocators never return NULL: on exhaustion they print
 * "stowaway: out of memory" and exit(2) (as git's xmalloc does).  Use them
 * for small bookkeeping allocations; sizes that come from untrusted input
 * must be checked against a limit before allocating.
 */
#ifndef SW_UTIL_MEM_H
#define SW_UTIL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

void *sw_xmalloc(size_t n);
void *sw_xcalloc(size_t count, size_t n);
void *sw_xrealloc(void *p, size_t n);
char *sw_xstrdup(const char *s);               /* NULL in, NULL out */
char *sw_xstrndup(const char *s, size_t n);
char *sw_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline bool sw_streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}
static inline bool sw_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}
bool sw_ends_with(const char *s, const char *suffix);
/* Free *p and set it to NULL. */
void sw_freep(void *pp);
/* Replace *dst by an owned copy of src (NULL allowed). */
void sw_str_set(char **dst, const char *src);

/* Grow the malloc heap by `reserve` bytes at once and ask for transparent
 * huge pages on it (madvise; a no-op where THP is off or the call fails),
 * so that the heap is faulted in 2 MiB at a time instead of 4 KiB: on the
 * virtual machines measured a minor fault costs ~20 us.  What
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 does, for the main heap only. */
void sw_heap_prefer_huge_pages(size_t reserve);

#endif
