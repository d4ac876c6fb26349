/*
 * web_html.h - the one place the web pages turn data into HTML and read
 * form bodies (src/server/web*.c; unit test tests/unit/test_web_html.c,
 * fuzz target fuzz/fuzz_web_form.c).
 *
 * Every value that reaches a page (package names, paths, descriptions,
 * image names: all of it comes from images and advisories and is hostile)
 * goes through sw_html_esc(), in text and in quoted attributes alike; every
 * value put into a URL goes through sw_url_esc() first (and the URL then
 * through sw_html_esc() as an attribute).
 */
#ifndef SW_SERVER_WEB_HTML_H
#define SW_SERVER_WEB_HTML_H

#include <stddef.h>

#include "util/buf.h"

/* s (NULL: nothing) escaped for HTML text and double- or single-quoted
 * attribute values: & < > " ' become entities; C0 control bytes (but tab,
 * newline) and DEL become their visible Control Pictures (U+2400 + c, so
 * an ESC shows as "␛"); bytes that are not UTF-8 become U+FFFD. */
void sw_html_esc(struct sw_buf *b, const char *s);
/* the same for n bytes (NULs shown as U+2400) */
void sw_html_esc_n(struct sw_buf *b, const char *s, size_t n);
/* s percent-encoded for a URL path segment or query value: every byte but
 * A-Z a-z 0-9 - . _ ~ as %XX. */
void sw_url_esc(struct sw_buf *b, const char *s);

/* The value of key in an application/x-www-form-urlencoded body (or query
 * string), decoded ('+' is a space, %XX a byte), malloc'd; NULL when
 * absent, when a %-escape is malformed, or when the value holds a NUL. */
char *sw_form_get(const char *body, size_t len, const char *key);

#endif
