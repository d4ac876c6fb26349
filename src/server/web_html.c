/* web_html.c - HTML and URL escaping, form bodies (web_html.h). */
#include "server/web_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* noncharacters and C1 controls are parse errors in HTML: replace */
	if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return 0;
	return len;
}

void sw_html_esc_n(struct sw_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		switch (c) {
		case '&': sw_buf_addstr(b, "&amp;"); i++; continue;
		case '<': sw_buf_addstr(b, "&lt;"); i++; continue;
		case '>': sw_buf_addstr(b, "&gt;"); i++; continue;
		case '"': sw_buf_addstr(b, "&quot;"); i++; continue;
		case '\'': sw_buf_addstr(b, "&#39;"); i++; continue;
		case '\t':
		case '\n': sw_buf_addch(b, (char)c); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			/* U+2400 + c (U+2421 for DEL): E2 90 80+c */
			unsigned v = c == 0x7f ? 0x21 : c;
			char pic[3] = { (char)0xe2, (char)(0x90 + (v >> 6)), (char)(0x80 | (v & 0x3f)) };
			sw_buf_add(b, pic, 3);
			i++;
			continue;
		}
		size_t l = utf8_len(s + i, n - i);
		if (l == 0) {
			sw_buf_addstr(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		sw_buf_add(b, s + i, l);
		i += l;
	}
}

void sw_html_esc(struct sw_buf *b, const char *s)
{
	if (s)
		sw_html_esc_n(b, s, strlen(s));
}

void sw_url_esc(struct sw_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~') {
			sw_buf_addch(b, (char)*p);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			sw_buf_add(b, e, 3);
		}
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* decode s[0..n) into a new string; NULL on a bad escape or a NUL */
static char *decode(const char *s, size_t n)
{
	char *out = sw_xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int a = i + 1 < n ? hexval(s[i + 1]) : -1, d = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (a < 0 || d < 0) {
				free(out);
				return NULL;
			}
			int h = a * 16 + d;
			c = (char)h;
			i += 2;
		}
		if (c == 0) {
			free(out);
			return NULL;
		}
		out[o++] = c;
	}
	out[o] = 0;
	return out;
}

char *sw_form_get(const char *body, size_t len, const char *key)
{
	size_t kl = strlen(key), i = 0;
	while (body && i < len) {
		size_t end = i;
		while (end < len && body[end] != '&' && body[end] != ';')
			end++;
		const char *eq = memchr(body + i, '=', end - i);
		size_t nl = eq ? (size_t)(eq - (body + i)) : end - i;
		if (nl == kl && memcmp(body + i, key, kl) == 0)
			return eq ? decode(eq + 1, (size_t)(body + end - (eq + 1))) : sw_xstrdup("");
		i = end + 1;
	}
	return NULL;
}
