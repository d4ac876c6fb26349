/*
 * ruby.c - Ruby gems.
 *
 * Installed specifications: ".../specifications/NAME-VERSION.gemspec" (and
 * ".../specifications/default/..." for gems bundled with Ruby), the
 * Ruby file RubyGems writes at install time.  Read, not evaluated: the
 * first `X.name = "..."`, `X.version = "..."` and `X.license(s) = ...`
 * assignments, string literals in double or single quotes or %q{...}, an
 * optional `.freeze`.  When the version is not a literal, the
 * "# stub: NAME VERSION ..." header line is used.
 *
 * Gemfile.lock (and gems.locked): the "specs:" entries of the GEM and GIT
 * sections, "    name (version[-platform])"; PATH sections (the project's
 * own gems) are skipped.  Lockfile gems carry SW_PKG_DECLARED.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

static bool gem_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	const char *b = sw_lang_base(path);
	if (strcmp(b, "Gemfile.lock") == 0 || strcmp(b, "gems.locked") == 0)
		return true;
	if (!sw_ends_with(b, ".gemspec"))
		return false;
	/* .../specifications/X.gemspec or .../specifications/default/X.gemspec
	 * (the default gems bundled with Ruby) */
	size_t n = (size_t)(b - path);
	if (n >= 8 && memcmp(b - 8, "default/", 8) == 0 && (n == 8 || b[-9] == '/')) {
		b -= 8;
		n -= 8;
	}
	return n >= 15 && memcmp(b - 15, "specifications/", 15) == 0 && (n == 15 || b[-16] == '/');
}

/* A Ruby string literal at s (after blanks): "x", 'x', %q{x}, %q(x),
 * %Q{x}; NULL if none.  *end gets the position after it. */
static char *ruby_str(const char *s, const char *lim, const char **end)
{
	while (s < lim && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= lim)
		return NULL;
	char close;
	if (*s == '"' || *s == '\'') {
		close = *s++;
	} else if (lim - s >= 3 && s[0] == '%' && (s[1] == 'q' || s[1] == 'Q') &&
		   strchr("{([<|", s[2])) {
		char open = s[2];
		close = open == '{' ? '}' : open == '(' ? ')' : open == '[' ? ']' : open == '<' ? '>' : '|';
		s += 3;
	} else {
		return NULL;
	}
	const char *e = s;
	while (e < lim && *e != close && *e != '\\')
		e++;
	if (e >= lim || *e != close)
		return NULL;
	*end = e + 1;
	return sw_xstrndup(s, (size_t)(e - s));
}

/* Does the trimmed line assign attribute `attr` (`x.attr = ...`)?  Returns
 * the position after '=' or NULL. */
static const char *assigns(const char *l, const char *lim, const char *attr)
{
	const char *dot = memchr(l, '.', (size_t)(lim - l));
	if (!dot)
		return NULL;
	for (const char *p = l; p < dot; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return NULL;
	size_t al = strlen(attr);
	const char *a = dot + 1;
	if ((size_t)(lim - a) < al || memcmp(a, attr, al) != 0)
		return NULL;
	const char *p = a + al;
	while (p < lim && *p == ' ')
		p++;
	if (p >= lim || *p != '=' || (p + 1 < lim && p[1] == '='))
		return NULL;
	return p + 1;
}

static bool valid_gem_token(const char *s)
{
	if (!s || !*s || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-+", *s))
			return false;
	return true;
}

static int gemspec_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct sw_lines it = { (const char *)data, (const char *)data + len };
	const char *l;
	size_t n;
	char *name = NULL, *version = NULL, *stub_name = NULL, *stub_ver = NULL;
	struct sw_vec lic = SW_VEC_INIT;
	bool have_lic = false;
	while (sw_lines_next(&it, &l, &n)) {
		sw_lang_trim(&l, &n);
		const char *lim = l + n, *v, *e;
		if (n > 8 && memcmp(l, "# stub: ", 8) == 0 && !stub_name) {
			const char *p = l + 8, *sp = memchr(p, ' ', (size_t)(lim - p));
			if (sp) {
				const char *q = sp + 1, *sp2 = memchr(q, ' ', (size_t)(lim - q));
				stub_name = sw_xstrndup(p, (size_t)(sp - p));
				stub_ver = sw_xstrndup(q, (size_t)((sp2 ? sp2 : lim) - q));
			}
			continue;
		}
		if (!name && (v = assigns(l, lim, "name")) != NULL) {
			name = ruby_str(v, lim, &e);
		} else if (!version && (v = assigns(l, lim, "version")) != NULL) {
			version = ruby_str(v, lim, &e);
		} else if (!have_lic && (v = assigns(l, lim, "license")) != NULL) {
			char *s = ruby_str(v, lim, &e);
			if (s)
				sw_vec_push(&lic, s);
			have_lic = true;
		} else if (!have_lic && (v = assigns(l, lim, "licenses")) != NULL) {
			have_lic = true;
			const char *p = v;
			while (p < lim && *p != '[')
				p++;
			for (p++; p < lim;) {
				char *s = ruby_str(p, lim, &e);
				if (!s)
					break;
				if (lic.len < SW_LANG_MAX_LICENSES)
					sw_vec_push(&lic, s);
				else
					free(s);
				p = e;
				while (p < lim && *p != ',' && *p != ']')
					p++;
				if (p >= lim || *p == ']')
					break;
				p++;
			}
		}
	}
	const char *nm = name ? name : stub_name;
	const char *ver = version ? version : stub_ver;
	if (!valid_gem_token(nm))
		sw_pkglist_warn(out, "%s: no gem name found", path);
	else if (!valid_gem_token(ver))
		sw_pkglist_warn(out, "%s: gem '%s' has no literal version", path, nm);
	else {
		struct sw_package *p = sw_lang_add(out, "gem", NULL, nm, ver, path);
		for (size_t i = 0; i < lic.len; i++)
			sw_vec_push_strdup(&p->licenses, lic.items[i]);
	}
	free(name);
	free(version);
	free(stub_name);
	free(stub_ver);
	sw_vec_free_strings(&lic);
	return 0;
}

static int gemfile_lock_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct sw_lines it = { (const char *)data, (const char *)data + len };
	const char *l;
	size_t n;
	bool in_specs = false, take = false, any_section = false;
	struct sw_map seen = SW_MAP_INIT;
	while (sw_lines_next(&it, &l, &n)) {
		if (!n)
			continue;
		if (l[0] != ' ') {
			take = (n == 3 && memcmp(l, "GEM", 3) == 0) || (n == 3 && memcmp(l, "GIT", 3) == 0);
			any_section = any_section || take || (n == 4 && memcmp(l, "PATH", 4) == 0);
			in_specs = false;
			continue;
		}
		if (n == 8 && memcmp(l, "  specs:", 8) == 0) {
			in_specs = true;
			continue;
		}
		if (!in_specs || !take)
			continue;
		if (n < 5 || memcmp(l, "    ", 4) != 0 || l[4] == ' ')
			continue; /* 6-space lines are dependencies */
		const char *s = l + 4, *lim = l + n;
		const char *par = memchr(s, ' ', (size_t)(lim - s));
		if (!par || par + 2 >= lim || par[1] != '(' || lim[-1] != ')') {
			sw_pkglist_warn(out, "%s: bad spec line '%.*s'", path, (int)n, l);
			continue;
		}
		char *name = sw_xstrndup(s, (size_t)(par - s));
		const char *v = par + 2;
		size_t vl = (size_t)(lim - 1 - v);
		const char *dash = memchr(v, '-', vl); /* platform suffix */
		if (dash)
			vl = (size_t)(dash - v);
		char *ver = sw_xstrndup(v, vl);
		if (valid_gem_token(name) && valid_gem_token(ver)) {
			bool added;
			struct sw_package *p = sw_lang_add_once(out, &seen, "gem", NULL, name, ver, path, &added);
			p->flags |= SW_PKG_DECLARED;
		}
		free(name);
		free(ver);
	}
	if (!any_section)
		sw_pkglist_warn(out, "%s: no GEM section: not a Gemfile.lock", path);
	sw_map_release(&seen);
	return 0;
}

static int gem_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		     struct sw_err *err)
{
	(void)err;
	if (memchr(data, '\0', len)) {
		sw_pkglist_warn(out, "%s: binary data, not a %s", path,
				sw_ends_with(path, ".gemspec") ? "gemspec" : "Gemfile.lock");
		return 0;
	}
	if (sw_ends_with(path, ".gemspec"))
		return gemspec_parse(path, data, len, out);
	return gemfile_lock_parse(path, data, len, out);
}

const struct sw_analyzer sw_analyzer_gem = {
	.name = "gem",
	.version = 1,
	.max_size = 16u << 20,
	.wants = gem_wants,
	.parse = gem_parse,
};
