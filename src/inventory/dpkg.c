/*
 * dpkg.c - Debian package databases.
 *
 * var/lib/dpkg/status: deb822 stanzas, one per package.  A package counts
 * when its Status says it is installed ("installed", or the two trigger
 * states dpkg treats as installed); other states (config-files,
 * half-installed, not-installed, unpacked, half-configured) are skipped.
 * var/lib/dpkg/status.d/NAME (distroless): one stanza per file, usually
 * without a Status field (then it is installed).
 * var/lib/dpkg/info/NAME[:ARCH].list: the files a package owns.
 * usr/share/doc/NAME/copyright: licences, from DEP-5 "License:" fields and
 * references to /usr/share/common-licenses/NAME.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory/analyzer.h"
#include "inventory/dpkg.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/path.h"

struct stanza {
	size_t first_line;
	char *package, *status, *version, *arch, *source, *maintainer;
	bool any;
};

static void stanza_reset(struct stanza *s)
{
	free(s->package);
	free(s->status);
	free(s->version);
	free(s->arch);
	free(s->source);
	free(s->maintainer);
	memset(s, 0, sizeof(*s));
}

static bool status_installed(const char *status)
{
	/* "want flag status": the last word is the state */
	const char *last = strrchr(status, ' ');
	last = last ? last + 1 : status;
	return strcmp(last, "installed") == 0 || strcmp(last, "triggers-awaited") == 0 ||
	       strcmp(last, "triggers-pending") == 0;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("+-.:_~", *s)))
			return false;
	return true;
}

static void stanza_emit(struct stanza *s, const char *path, bool status_d, struct sw_pkglist *out)
{
	if (!s->any)
		return;
	if (!s->package) {
		sw_pkglist_warn(out, "%s: line %zu: stanza without a Package field skipped", path,
				s->first_line);
		return;
	}
	if (!valid_name(s->package)) {
		sw_pkglist_warn(out, "%s: line %zu: invalid package name skipped", path, s->first_line);
		return;
	}
	if (s->status ? !status_installed(s->status) : !status_d)
		return;
	if (!s->version || !*s->version) {
		sw_pkglist_warn(out, "%s: line %zu: package '%s' has no Version; skipped", path,
				s->first_line, s->package);
		return;
	}
	struct sw_package *p = sw_package_new("deb");
	p->name = sw_xstrdup(s->package);
	p->version = sw_xstrdup(s->version);
	p->arch = sw_xstrdup(s->arch);
	p->maintainer = sw_xstrdup(s->maintainer);
	if (s->source) {
		/* "name" or "name (version)" */
		char *src = s->source;
		char *paren = strchr(src, '(');
		if (paren) {
			char *close = strchr(paren, ')');
			char *end = paren;
			while (end > src && end[-1] == ' ')
				end--;
			p->source_name = sw_xstrndup(src, (size_t)(end - src));
			if (close && close > paren + 1) {
				const char *v = paren + 1;
				while (*v == ' ')
					v++;
				const char *ve = close;
				while (ve > v && ve[-1] == ' ')
					ve--;
				p->source_version = sw_xstrndup(v, (size_t)(ve - v));
			}
		} else {
			p->source_name = sw_xstrdup(src);
		}
		if (p->source_name && !*p->source_name)
			sw_freep(&p->source_name);
	}
	if (!p->source_name)
		p->source_name = sw_xstrdup(p->name);
	if (!p->source_version)
		p->source_version = sw_xstrdup(p->version);
	p->path = sw_xstrdup(path);
	sw_vec_push(&out->pkgs, p);
}

static char *trimmed_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return sw_xstrndup(s, n);
}

int sw_dpkg_parse_status(const char *path, const uint8_t *data, size_t len, bool status_d,
			 struct sw_pkglist *out)
{
	struct stanza st = { 0 };
	const char *p = (const char *)data, *end = p + len;
	size_t lineno = 0;
	size_t bad_lines = 0;
	if (memchr(data, '\0', len)) {
		sw_pkglist_warn(out, "%s: contains NUL bytes; not a dpkg status file", path);
		return 0;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			stanza_emit(&st, path, status_d, out);
			stanza_reset(&st);
		} else if (p[0] == ' ' || p[0] == '\t') {
			/* continuation of the previous field: nothing we keep spans lines */
			if (!st.any)
				bad_lines++;
		} else if (p[0] == '#') {
			/* comment (allowed in deb822) */
		} else {
			const char *colon = memchr(p, ':', n);
			if (!colon || colon == p) {
				if (bad_lines++ < 5)
					sw_pkglist_warn(out, "%s: line %zu: not a 'Field: value' line", path, lineno);
			} else {
				if (!st.any) {
					st.any = true;
					st.first_line = lineno;
				}
				size_t klen = (size_t)(colon - p);
				const char *v = colon + 1;
				size_t vlen = n - klen - 1;
				char **dst = NULL;
#define FIELD(name, member) \
	else if (klen == sizeof(name) - 1 && strncasecmp(p, name, klen) == 0) dst = &st.member
				if (0) {
				}
				FIELD("Package", package);
				FIELD("Status", status);
				FIELD("Version", version);
				FIELD("Architecture", arch);
				FIELD("Source", source);
				FIELD("Maintainer", maintainer);
#undef FIELD
				if (dst) {
					free(*dst);
					*dst = trimmed_dup(v, vlen);
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	stanza_emit(&st, path, status_d, out);
	stanza_reset(&st);
	if (bad_lines > 5)
		sw_pkglist_warn(out, "%s: %zu malformed lines in all", path, bad_lines);
	return 0;
}

int sw_dpkg_parse_list(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	/* var/lib/dpkg/info/NAME[:ARCH].list */
	const char *base = sw_path_basename(path);
	size_t blen = strlen(base);
	if (blen <= 5)
		return 0;
	struct sw_package *p = sw_package_new("deb");
	p->flags |= SW_PKG_FILES_ONLY;
	const char *colon = memchr(base, ':', blen - 5);
	p->name = sw_xstrndup(base, colon ? (size_t)(colon - base) : blen - 5);
	if (colon)
		p->arch = sw_xstrndup(colon + 1, (size_t)(base + blen - 5 - colon - 1));
	const char *s = (const char *)data, *end = s + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		if (le > s && s[0] == '/' && le - s > 1 && le - s < 4096 && !memchr(s, '\0', (size_t)(le - s))) {
			char *raw = sw_xstrndup(s + 1, (size_t)(le - s - 1));
			char *clean = NULL;
			if (sw_path_clean_member(raw, &clean, NULL) == 0 && *clean)
				sw_vec_push(&p->files, clean);
			else
				free(clean);
			free(raw);
		}
		s = nl ? nl + 1 : end;
	}
	p->path = sw_xstrdup(path);
	sw_vec_push(&out->pkgs, p);
	return 0;
}

static void add_license(struct sw_package *p, const char *s, size_t n)
{
	while (n && strchr(" \t", *s)) {
		s++;
		n--;
	}
	while (n && strchr(" \t.,;:'`\"()\r", s[n - 1]))
		n--;
	if (!n || n > 100)
		return;
	char *lic = sw_xstrndup(s, n);
	if (sw_vec_find_str(&p->licenses, lic) >= 0)
		free(lic);
	else
		sw_vec_push(&p->licenses, lic);
}

/* "GPL-1+ or Artistic, and BSD-4-clause" -> three licences */
static void add_license_field(struct sw_package *p, const char *v, size_t n)
{
	const char *end = v + n;
	while (v < end) {
		const char *cut = end;
		size_t skip = 0;
		static const char *const seps[] = { " or ", " and ", ",", " OR ", " AND " };
		for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
			const char *f = memmem(v, (size_t)(end - v), seps[i], strlen(seps[i]));
			if (f && f < cut) {
				cut = f;
				skip = strlen(seps[i]);
			}
		}
		add_license(p, v, (size_t)(cut - v));
		v = cut + skip;
	}
}

int sw_dpkg_parse_copyright(const char *path, const uint8_t *data, size_t len,
			    struct sw_pkglist *out)
{
	/* usr/share/doc/NAME/copyright */
	const char *name = path + strlen("usr/share/doc/");
	const char *slash = strchr(name, '/');
	if (!sw_starts_with(path, "usr/share/doc/") || !slash || slash == name)
		return 0;
	struct sw_package *p = sw_package_new("deb");
	p->flags |= SW_PKG_FILES_ONLY;
	p->name = sw_xstrndup(name, (size_t)(slash - name));
	p->path = sw_xstrdup(path);
	const char *s = (const char *)data, *end = s + len;
	static const char common[] = "/usr/share/common-licenses/";
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		if (n > 8 && memcmp(s, "License:", 8) == 0)
			add_license_field(p, s + 8, n - 8);
		const char *c = memmem(s, n, common, sizeof(common) - 1);
		if (c) {
			c += sizeof(common) - 1;
			const char *e = c;
			while (e < le && !strchr(" \t,;'`\")<>", *e))
				e++;
			add_license(p, c, (size_t)(e - c));
		}
		s = nl ? nl + 1 : end;
	}
	if (!p->licenses.len) {
		sw_package_free(p);
		return 0;
	}
	sw_vec_push(&out->pkgs, p);
	return 0;
}

static bool is_copyright_path(const char *path)
{
	if (!sw_starts_with(path, "usr/share/doc/"))
		return false;
	const char *name = path + strlen("usr/share/doc/");
	const char *slash = strchr(name, '/');
	return slash && slash > name && strcmp(slash, "/copyright") == 0;
}

static bool dpkg_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	if (is_copyright_path(path))
		return size <= (1u << 20);
	if (!sw_starts_with(path, "var/lib/dpkg/"))
		return false;
	const char *rest = path + strlen("var/lib/dpkg/");
	if (strcmp(rest, "status") == 0)
		return true;
	if (sw_starts_with(rest, "status.d/")) {
		const char *name = rest + strlen("status.d/");
		return *name && !strchr(name, '/') && !sw_ends_with(name, ".md5sums");
	}
	if (sw_starts_with(rest, "info/")) {
		const char *name = rest + strlen("info/");
		return !strchr(name, '/') && sw_ends_with(name, ".list");
	}
	return false;
}

static bool dpkg_database(const char *path)
{
	return strcmp(path, "var/lib/dpkg/status") == 0 || sw_starts_with(path, "var/lib/dpkg/status.d/");
}

static int dpkg_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		      struct sw_err *err)
{
	(void)err;
	if (is_copyright_path(path))
		return sw_dpkg_parse_copyright(path, data, len, out);
	if (sw_ends_with(path, ".list") && sw_starts_with(path, "var/lib/dpkg/info/"))
		return sw_dpkg_parse_list(path, data, len, out);
	return sw_dpkg_parse_status(path, data, len,
				    sw_starts_with(path, "var/lib/dpkg/status.d/"), out);
}

const struct sw_analyzer sw_analyzer_dpkg = {
	.name = "dpkg",
	.version = 1,
	.max_size = 256u << 20,
	.wants = dpkg_wants,
	.database = dpkg_database,
	.parse = dpkg_parse,
};
