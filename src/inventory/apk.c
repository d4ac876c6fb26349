/*
 * apk.c - lib/apk/db/installed: records of "K:value" lines separated by a
 * blank line.  P name, V version, A arch, o origin (source package),
 * L licence (an SPDX-ish expression, space-separated), m maintainer,
 * F folder and R file (a file of the last F folder).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/apk.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/path.h"

struct rec {
	struct sw_package *p;
	char *folder;
	size_t first_line;
};

static void rec_emit(struct rec *r, const char *path, struct sw_pkglist *out)
{
	struct sw_package *p = r->p;
	r->p = NULL;
	sw_freep(&r->folder);
	if (!p)
		return;
	if (!p->name || !*p->name || !p->version || !*p->version) {
		sw_pkglist_warn(out, "%s: line %zu: record without %s skipped", path, r->first_line,
				!p->name || !*p->name ? "a name (P:)" : "a version (V:)");
		sw_package_free(p);
		return;
	}
	if (!p->source_name)
		p->source_name = sw_xstrdup(p->name);
	p->source_version = sw_xstrdup(p->version);
	p->path = sw_xstrdup(path);
	sw_vec_push(&out->pkgs, p);
}

static void add_licenses(struct sw_package *p, const char *v, size_t n)
{
	/* apk writes "MIT BSD-2-Clause" or an expression "MIT AND BSD"; keep
	 * expressions whole, split plain space lists. */
	char *s = sw_xstrndup(v, n);
	if (strstr(s, " AND ") || strstr(s, " OR ") || strstr(s, " WITH ") || strchr(s, '(')) {
		sw_vec_push(&p->licenses, s);
		return;
	}
	for (char *t = s; *t;) {
		while (*t == ' ')
			t++;
		char *e = t;
		while (*e && *e != ' ')
			e++;
		if (e > t)
			sw_vec_push(&p->licenses, sw_xstrndup(t, (size_t)(e - t)));
		t = e;
	}
	free(s);
}

int sw_apk_parse_installed(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct rec r = { 0 };
	const char *s = (const char *)data, *end = s + len;
	size_t lineno = 0, bad = 0;
	if (memchr(data, '\0', len)) {
		sw_pkglist_warn(out, "%s: contains NUL bytes; not an apk database", path);
		return 0;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0) {
			rec_emit(&r, path, out);
		} else if (n < 2 || s[1] != ':') {
			if (bad++ < 5)
				sw_pkglist_warn(out, "%s: line %zu: not a 'K:value' line", path, lineno);
		} else {
			if (!r.p) {
				r.p = sw_package_new("apk");
				r.first_line = lineno;
			}
			const char *v = s + 2;
			size_t vn = n - 2;
			struct sw_package *p = r.p;
			switch (s[0]) {
			case 'P': free(p->name); p->name = sw_xstrndup(v, vn); break;
			case 'V': free(p->version); p->version = sw_xstrndup(v, vn); break;
			case 'A': free(p->arch); p->arch = sw_xstrndup(v, vn); break;
			case 'o': free(p->source_name); p->source_name = sw_xstrndup(v, vn); break;
			case 'm': free(p->maintainer); p->maintainer = sw_xstrndup(v, vn); break;
			case 'L': add_licenses(p, v, vn); break;
			case 'F': free(r.folder); r.folder = sw_xstrndup(v, vn); break;
			case 'R': {
				char *raw = r.folder && *r.folder ? sw_xasprintf("%s/%.*s", r.folder, (int)vn, v)
								  : sw_xstrndup(v, vn);
				char *clean = NULL;
				if (sw_path_clean_member(raw, &clean, NULL) == 0)
					sw_vec_push(&p->files, clean);
				free(raw);
				break;
			}
			default: break;
			}
		}
		s = nl ? nl + 1 : end;
	}
	rec_emit(&r, path, out);
	if (bad > 5)
		sw_pkglist_warn(out, "%s: %zu malformed lines in all", path, bad);
	return 0;
}

static bool apk_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	return strcmp(path, "lib/apk/db/installed") == 0 ||
	       strcmp(path, "usr/lib/apk/db/installed") == 0;
}

static bool apk_database(const char *path)
{
	return apk_wants(path, 0, 0);
}

static int apk_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		     struct sw_err *err)
{
	(void)err;
	return sw_apk_parse_installed(path, data, len, out);
}

const struct sw_analyzer sw_analyzer_apk = {
	.name = "apk",
	.version = 1,
	.max_size = 256u << 20,
	.wants = apk_wants,
	.database = apk_database,
	.parse = apk_parse,
};
