/*
 * python.c - installed Python distributions: *.dist-info/METADATA,
 * *.egg-info/PKG-INFO, *.egg-info (file form), EGG-INFO/PKG-INFO, and
 * zipped eggs (*.egg: EGG-INFO/PKG-INFO read from the zip, at most 1 MiB).
 *
 * The header block is RFC 822-style: "Key: value" lines, continuation
 * lines start with a blank, and the first empty line ends the headers (the
 * description follows).  name = the PEP 503 normalised name (lower case,
 * runs of "-_." turned into one "-"); the declared spelling is kept in
 * source_name when it differs.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define PY_EGG_MAX_SIZE (64u << 20) /* zipped eggs; metadata files are small */

static bool py_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	if (sw_ends_with(path, ".dist-info/METADATA") || sw_ends_with(path, ".egg-info/PKG-INFO"))
		return true;
	if (strcmp(path, "EGG-INFO/PKG-INFO") == 0 || sw_ends_with(path, "/EGG-INFO/PKG-INFO"))
		return true;
	return sw_ends_with(path, ".egg-info") || sw_ends_with(path, ".egg");
}

char *sw_lang_pep503(const char *name)
{
	struct sw_buf b = SW_BUF_INIT;
	bool sep = false;
	for (const char *p = name; *p; p++) {
		if (*p == '-' || *p == '_' || *p == '.') {
			sep = true;
			continue;
		}
		if (sep && b.len)
			sw_buf_addch(&b, '-');
		sep = false;
		sw_buf_addch(&b, (char)tolower((unsigned char)*p));
	}
	char *s = sw_buf_detach(&b, NULL);
	return s ? s : sw_xstrdup("");
}

struct py_meta {
	char *name, *version, *license, *license_expr;
	bool license_multiline;
	struct sw_vec classifiers; /* licence names from classifiers */
};

static void py_header(struct py_meta *m, const char *key, size_t klen, const char *val, size_t vlen,
		      bool multiline)
{
	sw_lang_trim(&val, &vlen);
#define KEY(s) (klen == sizeof(s) - 1 && strncasecmp(key, s, klen) == 0)
	if (KEY("Name")) {
		if (!m->name)
			m->name = sw_xstrndup(val, vlen);
	} else if (KEY("Version")) {
		if (!m->version)
			m->version = sw_xstrndup(val, vlen);
	} else if (KEY("License")) {
		if (!m->license) {
			m->license = sw_xstrndup(val, vlen);
			m->license_multiline = multiline;
		}
	} else if (KEY("License-Expression")) {
		if (!m->license_expr)
			m->license_expr = sw_xstrndup(val, vlen);
	} else if (KEY("Classifier")) {
		static const char pfx[] = "License :: ";
		if (vlen > sizeof(pfx) - 1 && memcmp(val, pfx, sizeof(pfx) - 1) == 0) {
			/* last " :: " component, only when there are three or more */
			const char *last = NULL;
			int parts = 1;
			for (size_t i = 0; i + 4 <= vlen; i++)
				if (memcmp(val + i, " :: ", 4) == 0) {
					last = val + i + 4;
					parts++;
				}
			if (parts >= 3 && last && last < val + vlen &&
			    m->classifiers.len < SW_LANG_MAX_LICENSES) {
				char *l = sw_xstrndup(last, (size_t)(val + vlen - last));
				if (sw_vec_find_str(&m->classifiers, l) < 0)
					sw_vec_push(&m->classifiers, l);
				else
					free(l);
			}
		}
	}
#undef KEY
}

static bool header_like(const char *s, size_t n)
{
	size_t i = 0;
	if (!n || !isalpha((unsigned char)s[0]))
		return false;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	return i < n && s[i] == ':';
}

/* After an empty line inside Description: does the header block go on?
 * If so, the iterator is moved past the run of empty lines (so a long run
 * costs linear time). */
static bool next_continues(struct sw_lines *it)
{
	struct sw_lines peek = *it;
	const char *l;
	size_t n;
	for (;;) {
		const char *at = peek.p;
		if (!sw_lines_next(&peek, &l, &n))
			return false;
		if (n == 0)
			continue;
		bool go_on = l[0] == ' ' || l[0] == '\t' || header_like(l, n);
		if (go_on)
			it->p = at;
		return go_on;
	}
}

static int py_parse_meta(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct py_meta m = { 0 };
	struct sw_lines it = { (const char *)data, (const char *)data + len };
	const char *line, *key = NULL, *val = NULL;
	size_t n, klen = 0, vlen = 0;
	bool multiline = false, any = false;

	if (memchr(data, '\0', len > 4096 ? 4096 : len)) {
		sw_pkglist_warn(out, "%s: binary data, not a package metadata file", path);
		return 0;
	}
	while (sw_lines_next(&it, &line, &n)) {
		if (n == 0) {
			/* Old PKG-INFO files hold a Description header whose
			 * indented continuation has empty lines in it; elsewhere
			 * an empty line ends the headers. */
			bool in_desc = key && klen == 11 && strncasecmp(key, "Description", 11) == 0;
			if (!in_desc || !next_continues(&it))
				break;
			continue;
		}
		if ((line[0] == ' ' || line[0] == '\t') && key) {
			multiline = true;
			continue;
		}
		if (key)
			py_header(&m, key, klen, val, vlen, multiline);
		key = NULL;
		const char *colon = memchr(line, ':', n);
		if (!colon || colon == line)
			continue; /* not a header; tolerated */
		any = true;
		key = line;
		klen = (size_t)(colon - line);
		val = colon + 1;
		vlen = n - klen - 1;
		multiline = false;
	}
	if (key)
		py_header(&m, key, klen, val, vlen, multiline);

	if (!m.name || !*m.name || !m.version || !*m.version) {
		sw_pkglist_warn(out, "%s: %s", path,
				!any ? "no metadata headers found"
				: (!m.name || !*m.name) ? "no 'Name' header"
							: "no 'Version' header");
	} else {
		char *norm = sw_lang_pep503(m.name);
		struct sw_package *p = sw_lang_add(out, "pypi", NULL, norm, m.version, path);
		if (strcmp(norm, m.name) != 0)
			p->source_name = sw_xstrdup(m.name);
		free(norm);
		if (m.license_expr && *m.license_expr)
			sw_vec_push_strdup(&p->licenses, m.license_expr);
		else if (m.license && *m.license && !m.license_multiline &&
			 strcmp(m.license, "UNKNOWN") != 0 && strlen(m.license) <= 256)
			sw_vec_push_strdup(&p->licenses, m.license);
		else
			for (size_t i = 0; i < m.classifiers.len; i++)
				sw_vec_push_strdup(&p->licenses, m.classifiers.items[i]);
	}
	free(m.name);
	free(m.version);
	free(m.license);
	free(m.license_expr);
	sw_vec_free_strings(&m.classifiers);
	return 0;
}

/* A zipped egg: parse its EGG-INFO/PKG-INFO; nothing if it has none. */
static void py_parse_egg(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct archive *a = archive_read_new();
	if (!a)
		return;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		sw_pkglist_warn(out, "%s: not a zip archive: %s", path, archive_error_string(a));
		archive_read_free(a);
		return;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r == ARCHIVE_FATAL) {
			sw_pkglist_warn(out, "%s: broken zip archive: %s", path,
					archive_error_string(a) ? archive_error_string(a) : "read error");
			break;
		}
		const char *name = archive_entry_pathname(e);
		if (r < ARCHIVE_WARN || !name || strcmp(name, "EGG-INFO/PKG-INFO") != 0)
			continue;
		struct sw_buf b = SW_BUF_INIT;
		sw_buf_init(&b, 1u << 20);
		char chunk[8192];
		la_ssize_t n;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			sw_buf_add(&b, chunk, (size_t)n);
		if (n < 0 || !sw_buf_ok(&b)) {
			sw_pkglist_warn(out, "%s: EGG-INFO/PKG-INFO: %s", path,
					n < 0 ? "read error" : "larger than 1 MiB");
		} else {
			char *sub = sw_xasprintf("%s!/EGG-INFO/PKG-INFO", path);
			size_t before = out->pkgs.len;
			py_parse_meta(sub, (const uint8_t *)b.data, b.len, out);
			/* the package lives in the .egg file */
			for (size_t i = before; i < out->pkgs.len; i++)
				sw_str_set(&((struct sw_package *)out->pkgs.items[i])->path, path);
			free(sub);
		}
		sw_buf_release(&b);
		break;
	}
	archive_read_free(a);
}

static int py_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		    struct sw_err *err)
{
	(void)err;
	if (sw_ends_with(path, ".egg")) {
		py_parse_egg(path, data, len, out);
		return 0;
	}
	return py_parse_meta(path, data, len, out);
}

const struct sw_analyzer sw_analyzer_python = {
	.name = "python",
	.version = 1,
	.max_size = PY_EGG_MAX_SIZE,
	.wants = py_wants,
	.parse = py_parse,
};
