/*
 * dpkg.c - Debian package databases.
 *
 * var/lib/dpkg/status: deb822 stanzas, one per package.  A package counts
 * when its Status says it is installed ("installed", or the two trigger
 * states dpkg treats as installed); other states (config-files,
 * half-installed, not-installed, unpacked, half-configured) are skipped.
 * var/lib/dpkg/status.d/NAME (distroless): one stanza per file, usually
 * without a Status field (then it is installed).
 * Both are the "dpkg-status" analyzer, streamed (no size limit, bounded
 * memory).  The "dpkg" analyzer reads the rest whole:
 * var/lib/dpkg/info/NAME[:ARCH].list: the files a package owns.
 * usr/share/doc/NAME/copyright: licences, from DEP-5 "License:" fields and
 * references to /usr/share/common-licenses/NAME.
 */
#include <stdint.h>
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

/* A status file is read as a stream of lines: memory is one stanza's
 * fields and one line (at most DPKG_LINE_MAX bytes kept of a longer one;
 * no field we keep is that long), whatever the file's size, and time is
 * linear in it.  dpkg reads a status file of any size, so there is no
 * size limit. */
#define DPKG_LINE_MAX ((size_t)64 << 10)
/* Installed packages kept of one status file: Debian's whole archive is
 * ~65,000 binary packages per architecture, so more is not a real system;
 * past it the file is not read further and the inventory is incomplete
 * (each package costs ~1 KiB through the scan: this bounds memory). */
#define DPKG_MAX_PACKAGES 200000u
/* Skipped stanzas reported one by one, then counted. */
#define DPKG_MAX_STANZA_WARNINGS 20u

struct sw_dpkg_status {
	char *path;
	bool status_d;
	bool nul;                   /* a NUL byte: not a status file; nothing is kept */
	bool full;                  /* DPKG_MAX_PACKAGES reached: the rest is not read */
	struct stanza st;
	struct sw_buf line;         /* the current line when it spans chunks */
	size_t line_len;            /* its full length (line keeps DPKG_LINE_MAX) */
	size_t lineno, bad_lines;
	size_t stanza_warnings;     /* warnings of skipped stanzas so far */
	struct sw_pkglist out;
};

struct sw_dpkg_status *sw_dpkg_status_begin(const char *path, bool status_d)
{
	struct sw_dpkg_status *d = sw_xcalloc(1, sizeof(*d));
	d->path = sw_xstrdup(path);
	d->status_d = status_d;
	sw_buf_init(&d->line, 0);
	return d;
}

/* Stanza warnings beyond the first few are counted, not kept: a status
 * file of millions of broken stanzas must not cost a string each. */
static void emit(struct sw_dpkg_status *d)
{
	size_t before = d->out.warnings.len;
	stanza_emit(&d->st, d->path, d->status_d, &d->out);
	if (d->out.pkgs.len > DPKG_MAX_PACKAGES) {
		sw_package_free(sw_vec_pop(&d->out.pkgs));
		d->full = true;
	}
	if (d->out.warnings.len > before && d->stanza_warnings++ >= DPKG_MAX_STANZA_WARNINGS)
		free(sw_vec_pop(&d->out.warnings));
	stanza_reset(&d->st);
}

/* One line, without its newline (n bytes of it; a '\r' before the newline
 * is dropped here). */
static void status_line(struct sw_dpkg_status *d, const char *p, size_t n)
{
	d->lineno++;
	if (n && p[n - 1] == '\r')
		n--;
	if (n == 0) {
		emit(d);
	} else if (p[0] == ' ' || p[0] == '\t') {
		/* continuation of the previous field: nothing we keep spans lines */
		if (!d->st.any)
			d->bad_lines++;
	} else if (p[0] == '#') {
		/* comment (allowed in deb822) */
	} else {
		const char *colon = memchr(p, ':', n);
		if (!colon || colon == p) {
			if (d->bad_lines++ < 5)
				sw_pkglist_warn(&d->out, "%s: line %zu: not a 'Field: value' line", d->path,
						d->lineno);
			return;
		}
		if (!d->st.any) {
			d->st.any = true;
			d->st.first_line = d->lineno;
		}
		size_t klen = (size_t)(colon - p);
		const char *v = colon + 1;
		size_t vlen = n - klen - 1;
		char **dst = NULL;
#define FIELD(name, member) \
	else if (klen == sizeof(name) - 1 && strncasecmp(p, name, klen) == 0) dst = &d->st.member
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

/* Append part of a line that spans chunks, keeping at most DPKG_LINE_MAX. */
static void line_add(struct sw_dpkg_status *d, const char *p, size_t n)
{
	d->line_len += n;
	if (d->line.len < DPKG_LINE_MAX)
		sw_buf_add(&d->line, p, n < DPKG_LINE_MAX - d->line.len ? n : DPKG_LINE_MAX - d->line.len);
}

bool sw_dpkg_status_feed(struct sw_dpkg_status *d, const uint8_t *data, size_t len)
{
	if (d->nul || d->full)
		return true;
	if (memchr(data, '\0', len)) {
		d->nul = true;
		return true;
	}
	const char *p = (const char *)data, *end = p + len;
	while (p < end && !d->full) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			line_add(d, p, (size_t)(end - p));
			break;
		}
		size_t n = (size_t)(nl - p);
		if (d->line_len) {
			line_add(d, p, n);
			status_line(d, d->line.data, d->line.len);
			sw_buf_reset(&d->line);
			d->line_len = 0;
		} else {
			status_line(d, p, n < DPKG_LINE_MAX ? n : DPKG_LINE_MAX);
		}
		p = nl + 1;
	}
	return d->full;
}

int sw_dpkg_status_end(struct sw_dpkg_status *d, struct sw_pkglist *out)
{
	if (!d)
		return 0;
	if (d->nul) {
		sw_pkglist_warn(out, "%s: contains NUL bytes; not a dpkg status file", d->path);
	} else {
		if (d->line_len && !d->full)   /* a last line without a newline */
			status_line(d, d->line.data, d->line.len);
		if (!d->full)
			emit(d);
		else
			sw_pkglist_warn(&d->out, "%s: more than %u installed packages (line %zu); the rest "
					"was not read", d->path, DPKG_MAX_PACKAGES, d->lineno);
		if (d->bad_lines > 5)
			sw_pkglist_warn(&d->out, "%s: %zu malformed lines in all", d->path, d->bad_lines);
		if (d->stanza_warnings > DPKG_MAX_STANZA_WARNINGS)
			sw_pkglist_warn(&d->out, "%s: %zu more stanzas skipped", d->path,
					d->stanza_warnings - DPKG_MAX_STANZA_WARNINGS);
		for (size_t i = 0; i < d->out.pkgs.len; i++)
			sw_vec_push(&out->pkgs, d->out.pkgs.items[i]);
		for (size_t i = 0; i < d->out.warnings.len; i++)
			sw_vec_push(&out->warnings, d->out.warnings.items[i]);
		sw_vec_release(&d->out.pkgs);
		sw_vec_release(&d->out.warnings);
	}
	sw_pkglist_release(&d->out);
	stanza_reset(&d->st);
	sw_buf_release(&d->line);
	free(d->path);
	free(d);
	return 0;
}

int sw_dpkg_parse_status(const char *path, const uint8_t *data, size_t len, bool status_d,
			 struct sw_pkglist *out)
{
	struct sw_dpkg_status *d = sw_dpkg_status_begin(path, status_d);
	sw_dpkg_status_feed(d, data, len);
	return sw_dpkg_status_end(d, out);
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
	if (sw_starts_with(rest, "info/")) {
		const char *name = rest + strlen("info/");
		return !strchr(name, '/') && sw_ends_with(name, ".list");
	}
	return false;
}

static int dpkg_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		      struct sw_err *err)
{
	(void)err;
	if (is_copyright_path(path))
		return sw_dpkg_parse_copyright(path, data, len, out);
	return sw_dpkg_parse_list(path, data, len, out);
}

const struct sw_analyzer sw_analyzer_dpkg = {
	.name = "dpkg",
	.version = 2,
	.max_size = 256u << 20,
	.wants = dpkg_wants,
	.parse = dpkg_parse,
};

/* ---- the databases, streamed ---- */

static bool status_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	if (strcmp(path, "var/lib/dpkg/status") == 0)
		return true;
	if (!sw_starts_with(path, "var/lib/dpkg/status.d/"))
		return false;
	const char *name = path + strlen("var/lib/dpkg/status.d/");
	return *name && !strchr(name, '/') && !sw_ends_with(name, ".md5sums");
}

static bool status_database(const char *path)
{
	return status_wants(path, 0, 0);
}

static void *status_begin(const char *path, uint64_t size)
{
	(void)size;
	return sw_dpkg_status_begin(path, sw_starts_with(path, "var/lib/dpkg/status.d/"));
}

static bool status_feed(void *state, const uint8_t *data, size_t len)
{
	return sw_dpkg_status_feed(state, data, len);
}

static int status_end(void *state, struct sw_pkglist *out, struct sw_err *err)
{
	(void)err;
	return sw_dpkg_status_end(state, out);
}

const struct sw_analyzer sw_analyzer_dpkg_status = {
	.name = "dpkg-status",
	.version = 1,
	.max_size = UINT64_MAX,   /* dpkg reads any size; the parse is streamed */
	.wants = status_wants,
	.database = status_database,
	.begin = status_begin,
	.feed = status_feed,
	.end = status_end,
};
