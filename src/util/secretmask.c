/* secretmask.c - secret-looking names and masking their values (secretmask.h). */
#include "util/secretmask.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

static const char *const patterns[] = {
	"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY",
	"PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH_KEY",
};

bool sw_secret_name(const char *name, size_t len)
{
	char small[256];
	if (!name || len == 0 || len > ((size_t)1 << 20))
		return false;
	char *up = len < sizeof(small) ? small : sw_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '-' || c == '.')
			c = '_';
		up[i] = c;
	}
	up[len] = '\0';
	bool secret = false;
	if (!sw_ends_with(up, "_FILE") && !sw_ends_with(up, "_PATH"))
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]) && !secret; i++)
			secret = strstr(up, patterns[i]) != NULL;
	if (up != small)
		free(up);
	return secret;
}

static bool ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool ident(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *sw_mask_secrets(const char *s)
{
	if (!s)
		return NULL;
	struct sw_buf b = SW_BUF_INIT;
	size_t i = 0, n = strlen(s);
	while (i < n) {
		/* a word starts after anything but a word character ("--token=" counts);
		 * it may start with a digit ("1API_TOKEN=" is masked too) */
		if (!ident(s[i]) || s[i] == '-' || (i > 0 && ident(s[i - 1]) && s[i - 1] != '-')) {
			sw_buf_addch(&b, s[i++]);
			continue;
		}
		size_t j = i;
		while (j < n && ident(s[j]))
			j++;
		sw_buf_add(&b, s + i, j - i);
		if (j >= n || s[j] != '=' || !sw_secret_name(s + i, j - i)) {
			i = j;
			continue;
		}
		sw_buf_addch(&b, '=');
		j++;
		size_t k = j;
		if (k < n && (s[k] == '"' || s[k] == '\'')) {
			char q = s[k++];
			while (k < n && s[k] != q)
				k++;
			if (k < n)
				k++;
		} else {
			while (k < n && !blank(s[k]) && s[k] != ';' && s[k] != '&' && s[k] != '|')
				k++;
		}
		if (k > j)
			sw_buf_addstr(&b, SW_SECRET_MASK);
		i = k;
	}
	if (!sw_buf_ok(&b)) {
		sw_buf_release(&b);
		return sw_xstrdup(SW_SECRET_MASK);
	}
	return sw_buf_detach(&b, NULL);
}
