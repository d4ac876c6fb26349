/*
 * osdetect.c - etc/os-release first (through symlinks: Debian links it to
 * ../usr/lib/os-release), then usr/lib/os-release, then the older release
 * files: etc/alpine-release, etc/debian_version, etc/redhat-release and its
 * siblings, etc/lsb-release.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/osdetect.h"
#include "util/buf.h"
#include "util/mem.h"

static const char *const release_files[] = {
	"etc/os-release", "usr/lib/os-release", "etc/alpine-release", "etc/debian_version",
	"etc/redhat-release", "etc/centos-release", "etc/fedora-release", "etc/rocky-release",
	"etc/almalinux-release", "etc/oracle-release", "etc/system-release", "etc/lsb-release",
	"etc/SuSE-release", "etc/photon-release",
};

bool sw_osdetect_wants(const char *path)
{
	for (size_t i = 0; i < sizeof(release_files) / sizeof(release_files[0]); i++)
		if (strcmp(path, release_files[i]) == 0)
			return true;
	return false;
}

void sw_os_release(struct sw_os *os)
{
	free(os->id);
	free(os->version_id);
	free(os->codename);
	free(os->pretty_name);
	free(os->id_like);
	free(os->source);
	memset(os, 0, sizeof(*os));
}

/* Unquote an os-release value (shell-like: "...", '...', backslash escapes). */
static char *unquote(const char *v, size_t n)
{
	struct sw_buf b = SW_BUF_INIT;
	char q = 0;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!q && (c == '"' || c == '\'')) {
			q = c;
		} else if (q && c == q) {
			q = 0;
		} else if (c == '\\' && q != '\'' && i + 1 < n) {
			sw_buf_addch(&b, v[++i]);
		} else if (!q && (c == ' ' || c == '\t' || c == '#')) {
			break;
		} else {
			sw_buf_addch(&b, c);
		}
	}
	char *s = sw_buf_detach(&b, NULL);
	return s ? s : sw_xstrdup("");
}

void sw_osdetect_parse_os_release(struct sw_os *os, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		const char *eq = memchr(p, '=', n);
		if (eq && *p != '#') {
			size_t kn = (size_t)(eq - p);
			char **dst = NULL;
			if (kn == 2 && !strncmp(p, "ID", 2))
				dst = &os->id;
			else if (kn == 10 && !strncmp(p, "VERSION_ID", 10))
				dst = &os->version_id;
			else if (kn == 16 && !strncmp(p, "VERSION_CODENAME", 16))
				dst = &os->codename;
			else if (kn == 11 && !strncmp(p, "PRETTY_NAME", 11))
				dst = &os->pretty_name;
			else if (kn == 7 && !strncmp(p, "ID_LIKE", 7))
				dst = &os->id_like;
			if (dst) {
				free(*dst);
				*dst = unquote(eq + 1, n - kn - 1);
				if (!**dst)
					sw_freep(dst);
			}
		}
		p = e ? e + 1 : p + n;
	}
	if (os->id)
		for (char *c = os->id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
}

static char *first_line(const char *text)
{
	size_t n = strcspn(text, "\r\n");
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	while (n && isspace((unsigned char)*text)) {
		text++;
		n--;
	}
	return sw_xstrndup(text, n);
}

/* "CentOS Linux release 7.9.2009 (Core)" -> version "7.9.2009" */
static char *release_version(const char *line)
{
	const char *r = strstr(line, " release ");
	if (!r)
		return NULL;
	r += strlen(" release ");
	size_t n = strcspn(r, " (");
	return n ? sw_xstrndup(r, n) : NULL;
}

static const char *debian_codename_for(const char *major)
{
	static const struct { const char *v, *name; } map[] = {
		{ "7", "wheezy" }, { "8", "jessie" }, { "9", "stretch" }, { "10", "buster" },
		{ "11", "bullseye" }, { "12", "bookworm" }, { "13", "trixie" }, { "14", "forky" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(major, map[i].v) == 0)
			return map[i].name;
	return NULL;
}

void sw_osdetect_run(struct sw_os *os, sw_osdetect_read_fn read, void *ctx)
{
	const char *t;
	if ((t = read(ctx, "etc/os-release")) && *t) {
		sw_osdetect_parse_os_release(os, t);
		os->source = sw_xstrdup("etc/os-release");
	} else if ((t = read(ctx, "usr/lib/os-release")) && *t) {
		sw_osdetect_parse_os_release(os, t);
		os->source = sw_xstrdup("usr/lib/os-release");
	}
	if (os->pretty_name && strstr(os->pretty_name, "Distroless"))
		os->distroless = true;
	if (os->id && os->version_id)
		goto finish;

	if ((t = read(ctx, "etc/alpine-release")) && (!os->id || !strcmp(os->id, "alpine"))) {
		sw_str_set(&os->id, "alpine");
		free(os->version_id);
		os->version_id = first_line(t);
		sw_str_set(&os->source, "etc/alpine-release");
	} else if ((t = read(ctx, "etc/debian_version")) && (!os->id || !strcmp(os->id, "debian"))) {
		/* "12.15", or "trixie/sid" on testing/unstable */
		char *line = first_line(t);
		sw_str_set(&os->id, "debian");
		if (isdigit((unsigned char)line[0])) {
			free(os->version_id);
			os->version_id = line;
		} else {
			char *slash = strchr(line, '/');
			if (slash && !os->codename)
				os->codename = sw_xstrdup(slash + 1);
			free(line);
		}
		sw_str_set(&os->source, "etc/debian_version");
	} else if (!os->id) {
		static const struct { const char *file, *id; } rh[] = {
			{ "etc/centos-release", "centos" }, { "etc/rocky-release", "rocky" },
			{ "etc/almalinux-release", "almalinux" }, { "etc/fedora-release", "fedora" },
			{ "etc/oracle-release", "ol" }, { "etc/redhat-release", "rhel" },
			{ "etc/system-release", NULL },
		};
		for (size_t i = 0; i < sizeof(rh) / sizeof(rh[0]); i++) {
			if (!(t = read(ctx, rh[i].file)))
				continue;
			char *line = first_line(t);
			const char *id = rh[i].id;
			if (!id)
				id = strstr(line, "Amazon") ? "amzn" : "rhel";
			if (!strcmp(id, "rhel") && strstr(line, "CentOS"))
				id = "centos";
			sw_str_set(&os->id, id);
			free(os->version_id);
			os->version_id = release_version(line);
			sw_str_set(&os->pretty_name, line);
			sw_str_set(&os->source, rh[i].file);
			free(line);
			break;
		}
		if (!os->id && (t = read(ctx, "etc/lsb-release"))) {
			struct sw_os l = { 0 };
			/* same KEY=value syntax with DISTRIB_ keys */
			struct sw_buf b = SW_BUF_INIT;
			for (const char *p = t; *p;) {
				const char *e = strchr(p, '\n');
				size_t n = e ? (size_t)(e - p) : strlen(p);
				if (!strncmp(p, "DISTRIB_", 8)) {
					const char *k = p + 8;
					if (!strncmp(k, "RELEASE=", 8))
						sw_buf_addstr(&b, "VERSION_ID="), sw_buf_add(&b, k + 8, n - 16);
					else if (!strncmp(k, "CODENAME=", 9))
						sw_buf_addstr(&b, "VERSION_CODENAME="), sw_buf_add(&b, k + 9, n - 17);
					else
						sw_buf_add(&b, k, n - 8);
					sw_buf_addch(&b, '\n');
				}
				p = e ? e + 1 : p + n;
			}
			sw_osdetect_parse_os_release(&l, b.data);
			sw_buf_release(&b);
			if (l.id) {
				*os = l;
				sw_str_set(&os->source, "etc/lsb-release");
			} else {
				sw_os_release(&l);
			}
		}
	}
finish:
	if (os->id && !strcmp(os->id, "debian") && !os->codename && os->version_id) {
		char major[8] = { 0 };
		size_t n = strcspn(os->version_id, ".");
		if (n < sizeof(major)) {
			memcpy(major, os->version_id, n);
			const char *c = debian_codename_for(major);
			if (c)
				os->codename = sw_xstrdup(c);
		}
	}
}
