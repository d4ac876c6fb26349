/*
 * purl.c - package URLs (purl-spec) for inventory packages.
 *
 * Encoding follows purl-spec "characters and encoding": every byte of a
 * component except the alphanumerics, ".-_~" and ':' is percent-encoded
 * (upper-case hex), so "+" becomes "%2B" and "@" in an npm scope "%40".
 * Qualifiers are sorted by key and empty values are left out.
 *
 * Choices for the OS types (see docs/json-schema.md, "purl"):
 *   deb  pkg:deb/<os id|debian>/NAME@VERSION?arch=A&distro=<id>-<version_id>
 *        (the dpkg version is kept whole, epoch included: "1:2.3-4")
 *   rpm  pkg:rpm/<os id>/NAME@V-R?arch=A&distro=<id>-<version_id>&epoch=N
 *   apk  pkg:apk/<os id|alpine>/NAME@V?arch=A&distro=<version_id>
 * The distro falls back to <id>-<codename> when VERSION_ID is missing.
 */
#include "inventory/inventory.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

#define PURL_MAX (64 * 1024)

static bool purl_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
}

static void add_encoded(struct sw_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (purl_unreserved(c)) {
			sw_buf_addch(b, (char)c);
		} else {
			sw_buf_addch(b, '%');
			sw_buf_addch(b, hex[c >> 4]);
			sw_buf_addch(b, hex[c & 15]);
		}
	}
}

static char *lower_dup(const char *s)
{
	char *r = sw_xstrdup(s);
	for (char *p = r; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/* Types whose namespace and name purl-spec says to lowercase. */
static bool type_lowercases(const char *type)
{
	static const char *const t[] = { "alpm", "apk", "bitbucket", "composer", "deb",
					 "github", "hex", "npm", "pypi", NULL };
	for (size_t i = 0; t[i]; i++)
		if (strcmp(type, t[i]) == 0)
			return true;
	return false;
}

static bool is_os_type(const char *type)
{
	return strcmp(type, "deb") == 0 || strcmp(type, "rpm") == 0 ||
	       strcmp(type, "apk") == 0 || strcmp(type, "alpm") == 0;
}

struct qual {
	const char *key;
	char *value; /* owned */
};

static int qual_cmp(const void *a, const void *b)
{
	return strcmp(((const struct qual *)a)->key, ((const struct qual *)b)->key);
}

static char *distro_qualifier(const char *type, const struct sw_os *os)
{
	if (!os || !os->id || !*os->id)
		return NULL;
	if (strcmp(type, "apk") == 0)
		return os->version_id && *os->version_id ? sw_xstrdup(os->version_id) : NULL;
	if (os->version_id && *os->version_id)
		return sw_xasprintf("%s-%s", os->id, os->version_id);
	if (os->codename && *os->codename)
		return sw_xasprintf("%s-%s", os->id, os->codename);
	return sw_xstrdup(os->id);
}

static const char *default_namespace(const char *type)
{
	if (strcmp(type, "deb") == 0)
		return "debian";
	if (strcmp(type, "apk") == 0)
		return "alpine";
	if (strcmp(type, "alpm") == 0)
		return "arch";
	return NULL;
}

/* purl-spec: ASCII letters, digits, '.', '+', '-'; not starting with a digit. */
static bool valid_type(const char *t)
{
	if (!isalpha((unsigned char)t[0]))
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '.' && *t != '+' && *t != '-')
			return false;
	return true;
}

char *sw_purl_for_package(const struct sw_package *p, const struct sw_os *os)
{
	if (!p || !p->type || !valid_type(p->type) || !p->name || !*p->name)
		return NULL;
	char *type = lower_dup(p->type);
	char *ns = NULL, *name = NULL;
	bool lower = type_lowercases(type);

	/* namespace and name */
	if (is_os_type(type)) {
		if (p->namespace_ && *p->namespace_)
			ns = sw_xstrdup(p->namespace_);
		else if (os && os->id && *os->id)
			ns = sw_xstrdup(os->id);
		else
			ns = sw_xstrdup(default_namespace(type));
		if (ns) {
			char *l = lower_dup(ns);
			free(ns);
			ns = l;
		}
		name = sw_xstrdup(p->name);
	} else if (p->namespace_ && *p->namespace_) {
		ns = sw_xstrdup(p->namespace_);
		name = sw_xstrdup(p->name);
	} else {
		/* "@scope/name" (npm), "vendor/name" (composer), a Go module path */
		const char *slash = strrchr(p->name, '/');
		bool split = slash && slash != p->name && slash[1] &&
			     (strcmp(type, "npm") == 0 || strcmp(type, "composer") == 0 ||
			      strcmp(type, "golang") == 0 || strcmp(type, "github") == 0);
		if (split) {
			ns = sw_xstrndup(p->name, (size_t)(slash - p->name));
			name = sw_xstrdup(slash + 1);
		} else {
			name = sw_xstrdup(p->name);
		}
	}
	if (lower) {
		char *l = lower_dup(name);
		free(name);
		name = l;
		if (ns) {
			l = lower_dup(ns);
			free(ns);
			ns = l;
		}
	}
	if (strcmp(type, "pypi") == 0) {
		for (char *c = name; *c; c++)
			if (*c == '_')
				*c = '-';
	}

	struct sw_buf b;
	sw_buf_init(&b, PURL_MAX);
	sw_buf_addstr(&b, "pkg:");
	sw_buf_addstr(&b, type); /* validated: never encoded */
	sw_buf_addch(&b, '/');
	if (ns) {
		/* each '/'-separated segment encoded; empty segments dropped */
		const char *s = ns;
		while (*s) {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n) {
				add_encoded(&b, s, n);
				sw_buf_addch(&b, '/');
			}
			s += n;
			if (*s == '/')
				s++;
		}
	}
	add_encoded(&b, name, strlen(name));
	if (p->version && *p->version) {
		sw_buf_addch(&b, '@');
		add_encoded(&b, p->version, strlen(p->version));
	}

	struct qual q[4];
	size_t nq = 0;
	if (is_os_type(type)) {
		if (p->arch && *p->arch)
			q[nq++] = (struct qual){ "arch", sw_xstrdup(p->arch) };
		char *d = distro_qualifier(type, os);
		if (d)
			q[nq++] = (struct qual){ "distro", d };
		if (strcmp(type, "rpm") == 0 && p->epoch > 0)
			q[nq++] = (struct qual){ "epoch", sw_xasprintf("%d", p->epoch) };
	}
	qsort(q, nq, sizeof(q[0]), qual_cmp);
	for (size_t i = 0; i < nq; i++) {
		sw_buf_addch(&b, i ? '&' : '?');
		sw_buf_addstr(&b, q[i].key);
		sw_buf_addch(&b, '=');
		add_encoded(&b, q[i].value, strlen(q[i].value));
		free(q[i].value);
	}

	free(type);
	free(ns);
	free(name);
	return sw_buf_detach(&b, NULL);
}
