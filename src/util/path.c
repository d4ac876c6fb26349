#include "util/path.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

int sw_path_clean_member(const char *name, char **out, struct sw_err *err)
{
	if (!name || !*name)
		return sw_err_set(err, SW_E_FORMAT, "empty member name");
	if (name[0] == '/')
		return sw_err_set(err, SW_E_UNSAFE, "member '%s' has an absolute path", name);
	struct sw_buf b = SW_BUF_INIT;
	const char *p = name;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			sw_buf_release(&b);
			return sw_err_set(err, SW_E_UNSAFE, "member '%s' contains '..'", name);
		} else {
			for (size_t i = 0; i < n; i++)
				if (p[i] == '\n' || p[i] == '\r') {
					sw_buf_release(&b);
					return sw_err_set(err, SW_E_FORMAT, "member name contains a newline");
				}
			if (b.len)
				sw_buf_addch(&b, '/');
			sw_buf_add(&b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	char *s = sw_buf_detach(&b, NULL);
	if (!s)
		return sw_err_set(err, SW_E_NOMEM, "out of memory");
	*out = s;
	return 0;
}

/* Append components of rel to b (an image path), clamping at the root. */
static void walk_components(struct sw_buf *b, const char *rel)
{
	const char *p = rel;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = b->len ? strrchr(b->data, '/') : NULL;
			if (slash) {
				b->len = (size_t)(slash - b->data);
				b->data[b->len] = '\0';
			} else {
				sw_buf_reset(b);
			}
		} else {
			if (b->len)
				sw_buf_addch(b, '/');
			sw_buf_add(b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
}

char *sw_path_join_clamped(const char *dir, const char *rel)
{
	struct sw_buf b = SW_BUF_INIT;
	if (rel[0] != '/')
		walk_components(&b, dir);
	walk_components(&b, rel);
	char *s = sw_buf_detach(&b, NULL);
	if (!s)
		s = sw_xstrdup("");
	return s;
}

char *sw_path_resolve_link(const char *link, const char *target)
{
	char *dir = sw_path_dirname(link);
	char *r = sw_path_join_clamped(dir, target);
	free(dir);
	return r;
}

char *sw_path_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? sw_xstrndup(path, (size_t)(s - path)) : sw_xstrdup("");
}

const char *sw_path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool sw_path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* One glob token at pat: its kind and length in bytes. */
enum glob_tok { G_LIT, G_ONE, G_STAR, G_STARSTAR, G_STARSTAR_SLASH };

static enum glob_tok glob_tok(const char *pat, size_t *len)
{
	*len = 1;
	if (pat[0] == '*' && pat[1] == '*') {
		*len = pat[2] == '/' ? 3 : 2;
		return pat[2] == '/' ? G_STARSTAR_SLASH : G_STARSTAR;
	}
	if (pat[0] == '*')
		return G_STAR;
	return pat[0] == '?' ? G_ONE : G_LIT;
}

/* State flags of a token position: the matcher stands before the token
 * (AT), or inside a '**' + '/' that has consumed bytes but not yet its
 * final '/' (IN: it may not match empty any more). */
enum { AT = 1, IN = 2 };

/* Follow the empty matches of the stars: AT i reaches AT i + len. */
static void glob_closure(const char *pat, size_t m, unsigned char *set)
{
	for (size_t i = 0; i < m; i++) {
		size_t len;
		enum glob_tok t = glob_tok(pat + i, &len);
		if ((set[i] & AT) && t >= G_STAR)
			set[i + len] |= AT;
	}
}

/*
 * The pattern is run as an NFA whose states are token positions, one step
 * per byte of s: O(len(pattern) * len(s)) time whatever the number of
 * stars (the recursive matcher it replaces backtracked exponentially on
 * "a**a**a**...b").  Semantics: '*' any run without '/', '**' any run,
 * '**' + '/' empty or any run ending in '/', '?' one byte but '/'.
 */
bool sw_path_glob(const char *pat, const char *s)
{
	size_t m = strlen(pat);
	unsigned char small[2][256];
	unsigned char *cur = small[0], *next = small[1];
	if (m + 1 > sizeof(small[0])) {
		cur = sw_xcalloc(2, m + 1);
		next = cur + m + 1;
	}
	memset(cur, 0, m + 1);
	cur[0] = AT;
	glob_closure(pat, m, cur);
	bool any = true;
	for (; *s && any; s++) {
		memset(next, 0, m + 1);
		any = false;
		for (size_t i = 0; i < m; i++) {
			if (!cur[i])
				continue;
			size_t len;
			switch (glob_tok(pat + i, &len)) {
			case G_LIT:
				if (pat[i] == *s)
					next[i + 1] |= AT;
				break;
			case G_ONE:
				if (*s != '/')
					next[i + 1] |= AT;
				break;
			case G_STAR:
				if (*s != '/')
					next[i] |= AT;
				break;
			case G_STARSTAR:
				next[i] |= AT;
				break;
			case G_STARSTAR_SLASH:
				next[i] |= IN;
				if (*s == '/')
					next[i + 3] |= AT;
				break;
			}
		}
		glob_closure(pat, m, next);
		for (size_t i = 0; i <= m && !any; i++)
			any = next[i];
		unsigned char *t = cur;
		cur = next;
		next = t;
	}
	bool ok = any && !*s && (cur[m] & AT);
	if (m + 1 > sizeof(small[0]))
		free(cur < next ? cur : next);
	return ok;
}
