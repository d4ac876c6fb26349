/* fuzz_web_form.c - the web pages' form bodies and escaping (server/web_html.h):
 * sw_form_get on any bytes, then every value found escaped for HTML and URLs;
 * the escaped HTML must hold no '<', '>', '"', '\'' and no control byte. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/web_html.h"

static void check(const char *v)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_html_esc(&b, v);
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'' || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
	}
	sw_buf_reset(&b);
	sw_url_esc(&b, v);
	for (size_t i = 0; i < b.len; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%", b.data[i]))
			abort();
	sw_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	static const char *const keys[] = { "csrf", "token", "image", "a", "" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *v = sw_form_get((const char *)data, size, keys[i]);
		if (v) {
			check(v);
			free(v);
		}
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_html_esc_n(&b, (const char *)data, size);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '<' || b.data[i] == '>' || b.data[i] == '"' || b.data[i] == '\'' || b.data[i] == 0)
			abort();
	sw_buf_release(&b);
	return 0;
}
