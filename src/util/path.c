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

bool sw_path_glob(const char *pat, const char *s)
{
	while (*pat) {
		if (pat[0] == '*' && pat[1] == '*') {
			const char *rest = pat + 2;
			if (*rest == '/') {
				/* "**" + "/": zero or more whole components */
				rest++;
				if (sw_path_glob(rest, s))
					return true;
				for (const char *t = s; *t; t++)
					if (*t == '/' && sw_path_glob(rest, t + 1))
						return true;
				return false;
			}
			for (const char *t = s;; t++) {
				if (sw_path_glob(rest, t))
					return true;
				if (!*t)
					return false;
			}
		}
		if (*pat == '*') {
			pat++;
			for (const char *t = s;; t++) {
				if (sw_path_glob(pat, t))
					return true;
				if (*t == '\0' || *t == '/')
					return false;
			}
		}
		if (*s == '\0' || (*pat == '?' ? *s == '/' : *pat != *s))
			return false;
		pat++;
		s++;
	}
	return *s == '\0';
}
