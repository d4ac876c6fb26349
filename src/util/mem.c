#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void oom(void)
{
	fputs("stowaway: out of memory\n", stderr);
	exit(2);
}

void *sw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *sw_xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *sw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *sw_xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *sw_xstrndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *sw_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

bool sw_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void sw_freep(void *pp)
{
	void **p = pp;
	free(*p);
	*p = NULL;
}

void sw_str_set(char **dst, const char *src)
{
	char *n = sw_xstrdup(src);
	free(*dst);
	*dst = n;
}

#ifdef __GLIBC__
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void sw_heap_prefer_huge_pages(size_t reserve)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	if (reserve > (size_t)1 << 30)
		reserve = (size_t)1 << 30;
	mallopt(M_TOP_PAD, (int)reserve);
	/* below the mmap threshold: served from the heap, which grows by the
	 * request plus the pad; freeing it keeps the pad (trim keeps M_TOP_PAD) */
	void *p = malloc((size_t)1 << 20);
	if (!p)
		return;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t top = (uintptr_t)sbrk(0);
	free(p);
	if (top > start + huge)
		(void)madvise((void *)start, (top - start) & ~(huge - 1), MADV_HUGEPAGE);
}
#else
void sw_heap_prefer_huge_pages(size_t reserve)
{
	(void)reserve;
}
#endif
