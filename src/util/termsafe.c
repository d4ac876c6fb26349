#include "util/termsafe.h"

#include <stdbool.h>
#include <stdlib.h>

#include "util/mem.h"

size_t sw_utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned c;
	size_t n;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int sw_term_unsafe_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void sw_term_add(struct sw_buf *b, const char *str, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	bool fold = flags & SW_TERM_FOLD, space = false, any = false;
	while (*s) {
		if (fold && is_blank(*s)) {
			space = true;
			s++;
			continue;
		}
		if (space && any)
			sw_buf_addch(b, ' ');
		space = false;
		any = true;
		if (*s < 0x80) {
			bool keep = *s >= 0x20 && *s != 0x7F;
			keep = keep || (*s == '\n' && (flags & SW_TERM_KEEP_NL)) || (*s == '\t' && (flags & SW_TERM_KEEP_TAB));
			sw_buf_addch(b, keep ? (char)*s : '?');
			s++;
			continue;
		}
		unsigned cp = 0;
		size_t n = sw_utf8_seq(s, &cp);
		if (n && !sw_term_unsafe_cp(cp)) {
			sw_buf_add(b, s, n);
			s += n;
			continue;
		}
		/* one '?' for the bad sequence: its lead byte and the continuation
		 * bytes after it */
		sw_buf_addch(b, '?');
		s += n ? n : 1;
		for (int k = 0; !n && k < 3 && (*s & 0xC0) == 0x80; k++)
			s++;
	}
}

char *sw_term_clean(const char *s, unsigned flags, size_t max)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_term_add(&b, s, flags);
	if (max && max < 4)
		max = 4;
	size_t cps = 0;
	for (size_t i = 0; i < b.len; i++)
		cps += ((unsigned char)b.data[i] & 0xC0) != 0x80;
	if (max && cps > max) {
		/* cut on a code-point boundary, making room for "..." */
		while (b.len && cps > max - 3) {
			do {
				b.len--;
			} while (b.len && ((unsigned char)b.data[b.len] & 0xC0) == 0x80);
			cps--;
		}
		while (b.len && b.data[b.len - 1] == ' ')
			b.len--;
		if (b.cap)
			b.data[b.len] = '\0';
		sw_buf_addstr(&b, "...");
	}
	char *r = sw_buf_detach(&b, NULL);
	return r ? r : sw_xstrdup("?");
}

int sw_term_vprintf(FILE *f, unsigned flags, const char *fmt, va_list ap)
{
	struct sw_buf raw = SW_BUF_INIT, clean = SW_BUF_INIT;
	va_list cp;
	va_copy(cp, ap);
	char tmp[512];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, cp);
	va_end(cp);
	const char *text = tmp;
	if (n < 0) {
		text = "";
	} else if ((size_t)n >= sizeof(tmp)) {
		char *big = sw_xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		sw_buf_add(&raw, big, (size_t)n);
		free(big);
		text = raw.data;
	}
	sw_term_add(&clean, text, flags);
	int r = fputs(clean.data, f);
	sw_buf_release(&raw);
	sw_buf_release(&clean);
	return r;
}

int sw_term_printf(FILE *f, unsigned flags, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sw_term_vprintf(f, flags, fmt, ap);
	va_end(ap);
	return r;
}
