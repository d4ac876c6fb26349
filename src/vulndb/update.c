/*
 * update.c - fill the database from sources, and never lose it.
 *
 * A location (file, folder, archive or http(s) URL) is walked and every
 * file its importer wants() is handed to import_file() with a sink into the
 * new database.  Archives (zip, tar, tar.gz/xz/zst/bz2, plain .gz/.xz/.zst)
 * are read as streams by libarchive; nothing is extracted to disk.
 *
 * sw_vulndb_update() copies the current database to PATH.new-PID, re-reads
 * each location into the copy (records are tagged with their location, so
 * one location is replaced without touching the others), checks the copy
 * and rename()s it over PATH.  A location that cannot be fetched keeps its
 * old records; a kill at any moment leaves PATH as it was, and the next
 * update removes the stale PATH.new-* files.
 */
#include "vulndb/vulndb.h"

#include <float.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "net/libcurl.h"
#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/path.h"
#include "vulndb/changes.h"
#include "vulndb/fsutil.h"
#include "vulndb/sources/registry.h"

#define MAX_MEMBER ((size_t)1 << 30)      /* one file handed to an importer */
#define MAX_DOWNLOAD ((size_t)4 << 30)    /* one download held in memory */

/* ---------------------------------------------------------------- locations */

static const struct sw_vulndb_default_location default_locations[] = {
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/RubyGems/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/Packagist/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/NuGet/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip", NULL },
	{ "osv", "https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip", NULL },
	{ "debian", "https://security-tracker.debian.org/tracker/data/json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.20/main.json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.20/community.json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.19/main.json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.19/community.json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.18/main.json", NULL },
	{ "alpine", "https://secdb.alpinelinux.org/v3.18/community.json", NULL },
	{ "wolfi", "https://packages.wolfi.dev/os/security.json", NULL },
	{ "chainguard", "https://packages.cgr.dev/chainguard/security.json", NULL },
	{ "oracle", "https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2", NULL },
	{ "suse", "https://ftp.suse.com/pub/projects/security/oval/suse.linux.enterprise.15.xml.gz", NULL },
	{ "suse", "https://ftp.suse.com/pub/projects/security/oval/opensuse.leap.15.6.xml.gz", NULL },
	{ "mariner", "https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main/cbl-mariner-2.0-oval.xml", NULL },
	{ "mariner", "https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main/azurelinux-3.0-oval.xml", NULL },
	{ "photon", "https://packages.vmware.com/photon/photon_oval_definitions/com.vmware.phsa-photon3.xml", NULL },
	{ "photon", "https://packages.vmware.com/photon/photon_oval_definitions/com.vmware.phsa-photon4.xml", NULL },
	{ "photon", "https://packages.vmware.com/photon/photon_oval_definitions/com.vmware.phsa-photon5.xml", NULL },
	{ "rubysec", "https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz", NULL },
	{ "redhat-csaf", "https://security.access.redhat.com/data/csaf/v2/vex/archive_latest.txt", NULL },
	{ "nvd", "https://services.nvd.nist.gov/rest/json/cves/2.0", NULL },
	{ "kev", "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json", NULL },
	{ "epss", "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz", NULL },
	{ "exploitdb", "https://gitlab.com/exploit-database/exploitdb/-/raw/main/files_exploits.csv", NULL },
};

const struct sw_vulndb_default_location *sw_vulndb_default_locations(size_t *n)
{
	*n = sizeof(default_locations) / sizeof(default_locations[0]);
	return default_locations;
}

void sw_vulndb_location_free(struct sw_vulndb_location *l)
{
	if (!l)
		return;
	free(l->source);
	free(l->location);
	free(l->include);
	free(l);
}

static struct sw_vulndb_location *loc_new(const char *source, const char *location, const char *include)
{
	struct sw_vulndb_location *l = sw_xcalloc(1, sizeof(*l));
	l->source = sw_xstrdup(source);
	l->location = sw_xstrdup(location);
	l->include = sw_xstrdup(include);
	return l;
}

int sw_vulndb_location_parse(const char *arg, struct sw_vulndb_location **out, struct sw_err *err)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return sw_err_set(err, SW_E_USAGE, "bad source '%s' (expected NAME=URL|PATH)", arg);
	char *name = sw_xstrndup(arg, (size_t)(eq - arg));
	const struct sw_vuln_source *src = sw_vuln_source_find(name);
	if (!src) {
		int r = sw_err_set(err, SW_E_USAGE, "unknown source '%s'", name);
		free(name);
		return r;
	}
	*out = loc_new(name, eq + 1, NULL);
	free(name);
	return 0;
}

static bool has_archive_suffix(const char *name)
{
	static const char *const sfx[] = { ".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".txz", ".tar.zst",
					   ".tar.bz2", ".gz", ".xz", ".zst", ".bz2" };
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (sw_ends_with(name, sfx[i]))
			return true;
	return false;
}

int sw_vulndb_update_locations(struct sw_vec *locations, const char *offline_dir, bool *from_offline,
			       struct sw_err *err)
{
	*from_offline = false;
	if (locations->len)
		return 0;
	if (offline_dir) {
		*from_offline = true;
		return sw_vulndb_offline_locations(offline_dir, locations, err);
	}
	size_t n = 0;
	const struct sw_vulndb_default_location *d = sw_vulndb_default_locations(&n);
	for (size_t i = 0; i < n; i++)
		sw_vec_push(locations, loc_new(d[i].source, d[i].url, d[i].include));
	return 0;
}

int sw_vulndb_offline_locations(const char *dir, struct sw_vec *out, struct sw_err *err)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return sw_err_set(err, SW_E_NOTFOUND, "offline data folder '%s' not found", dir);
	/* folder, file pattern, source, include glob */
	static const struct {
		const char *sub, *pattern, *source, *include;
	} map[] = {
		{ "osv", "rubysec*.tar.xz", "rubysec", NULL },
		{ "osv", "*.tar.xz", "osv", NULL },
		{ "ghsa", "*.tar.xz", "osv", NULL },
		{ "debian", "*", "debian", NULL },
		{ "alpine", "*", "alpine", NULL },
		{ "nvd", "*", "nvd", NULL },
		{ "kev", "*.json.xz", "kev", NULL },
		{ "epss", "*.csv", "epss", NULL },
		{ "exploitdb", "files_exploits*.csv*", "exploitdb", NULL },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "osv", "**/ubuntu/test-fixtures/osv/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "osv", "**/ubuntu/test-fixtures/osv-esm-cases/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "osv", "**/alma/test-fixtures/osv-database/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "osv", "**/rocky/test-fixtures/osv/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "wolfi", "**/wolfi/test-fixtures/input/secdb/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "chainguard", "**/chainguard/test-fixtures/input/secdb/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "mariner", "**/mariner/test-fixtures/*.xml" },
		{ "vendor-fixtures", "claircore-*.tar.xz", "photon", "**/photon/testdata/*.xml" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "redhat-csaf", "**/rhel/test-fixtures/csaf/advisories/**" },
		{ "vendor-fixtures", "vunnel-*.tar.xz", "redhat-csaf", "**/rhel/test-fixtures/csaf/server/**" },
		{ "vendor-fixtures", "claircore-*.tar.xz", "redhat-csaf", "**/rhel/vex/testdata/**" },
		{ "vendor-fixtures", "claircore-*.tar.xz", "redhat-csaf", "**/toolkit/types/csaf/testdata/**" },
	};
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
		char *sub = sw_xasprintf("%s/%s", dir, map[m].sub);
		struct dirent **names = NULL;
		int n = scandir(sub, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *nm = names[i]->d_name;
			bool take = nm[0] != '.' && sw_path_glob(map[m].pattern, nm) &&
				    !sw_ends_with(nm, ".tsv") && !sw_ends_with(nm, ".md") &&
				    strcmp(nm, "LICENSE") != 0 && !strstr(nm, "_schema");
			/* the rubysec archive sits in osv/ but is not OSV */
			if (take && strcmp(map[m].source, "osv") == 0 && sw_starts_with(nm, "rubysec"))
				take = false;
			if (take) {
				char *p = sw_xasprintf("%s/%s", sub, nm);
				sw_vec_push(out, loc_new(map[m].source, p, map[m].include));
				free(p);
			}
			free(names[i]);
		}
		free(names);
		free(sub);
	}
	(void)err;
	return 0;
}

/* ---------------------------------------------------------------- reading */

struct reader {
	struct sw_vulndb *db;
	const struct sw_vuln_source *src;
	const struct sw_vulndb_location *loc;
	const struct sw_vulndb_update_opts *opts;
	struct sw_vuln_sink sink;   /* what importers write to: forwards to db_sink */
	struct sw_vuln_sink db_sink;
	int64_t files;
	char *first_bad;            /* "FILE: RECORD: WHAT" of the first bad record */
	char *broken;               /* why the location could not be read whole, or NULL */
	/* incremental updates: a record replaces every earlier record of its id
	 * from this location (the first time the id is seen in this update) */
	int64_t loc_id;
	bool upsert;
	struct sw_map seen;         /* ids replaced in this update (values unused) */
	double max_modified;        /* newest "modified" of the records read (epoch seconds), 0 none */
};

static int rd_put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	struct reader *rd = ctx;
	if (rd->upsert && v->id && !sw_map_has(&rd->seen, v->id)) {
		int r = sw_vulndb_delete_vuln(rd->db, rd->loc_id, v->id, err);
		if (r < 0)
			return r;
		sw_map_put(&rd->seen, v->id, NULL);
	}
	double m = 0;
	if (v->modified && sw_vulndb_parse_time(v->modified, &m) && m > rd->max_modified)
		rd->max_modified = m;
	return rd->db_sink.put_vuln(rd->db_sink.ctx, v, err);
}

static int rd_put_kev(void *ctx, const struct sw_kev *k, struct sw_err *err)
{
	struct reader *rd = ctx;
	return rd->db_sink.put_kev(rd->db_sink.ctx, k, err);
}

static int rd_put_epss(void *ctx, const struct sw_epss *e, struct sw_err *err)
{
	struct reader *rd = ctx;
	return rd->db_sink.put_epss(rd->db_sink.ctx, e, err);
}

static int rd_put_exploit(void *ctx, const struct sw_exploit *x, struct sw_err *err)
{
	struct reader *rd = ctx;
	return rd->db_sink.put_exploit(rd->db_sink.ctx, x, err);
}

static void rd_bad_record(void *ctx, const char *file, const char *record, const char *what)
{
	struct reader *rd = ctx;
	if (!rd->first_bad)
		rd->first_bad = sw_xasprintf("%s: %s: %s", file, record, what);
	rd->db_sink.bad_record(rd->db_sink.ctx, file, record, what);
}

/* The location cannot be read whole (a truncated or foreign archive, a
 * broken stream, an HTML page, a page that could not be fetched): it is
 * recorded as a bad record too, and the first reason is kept. */
static void rd_broken(struct reader *rd, const char *file, const char *fmt, ...) SW_PRINTF(3, 4);
static void rd_broken(struct reader *rd, const char *file, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rd_bad_record(rd, file, "-", msg);
	if (!rd->broken)
		rd->broken = sw_xasprintf("'%s': %s", file, msg);
}

/* An HTML page where data was expected: a captive portal, an error page
 * or a login form saved under the data's name. */
static bool looks_like_html(const uint8_t *d, size_t len)
{
	size_t i = 0;
	if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	static const char *const tags[] = { "<!doctype html", "<html", "<head", "<body" };
	for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		size_t n = strlen(tags[t]);
		if (len - i >= n && strncasecmp((const char *)d + i, tags[t], n) == 0)
			return true;
	}
	return false;
}

static void say(const struct sw_vulndb_update_opts *o, bool warn, const char *fmt, ...) SW_PRINTF(3, 4);
static void say(const struct sw_vulndb_update_opts *o, bool warn, const char *fmt, ...)
{
	void (*fn)(void *, const char *) = o ? (warn ? o->warn : o->progress) : NULL;
	if (!fn)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(o->ctx, msg);
}

static bool rd_wants(struct reader *rd, const char *inner)
{
	if (rd->loc->include && !sw_path_glob(rd->loc->include, inner))
		return false;
	return rd->src->wants && rd->src->wants(inner);
}

/* Hand one file to the importer.  A file the importer rejects is a bad
 * record; only a database failure stops the update. */
static int rd_import(struct reader *rd, const char *display, const uint8_t *data, size_t len, struct sw_err *err)
{
	struct sw_err e = SW_ERR_INIT;
	rd->files++;
	if (!rd->src->html && looks_like_html(data, len)) {
		rd_broken(rd, display, "an HTML page, not %s data", rd->src->name);
		return 0;
	}
	int r = rd->src->import_file(display, data, len, &rd->sink, &e);
	if (r < 0) {
		if (e.code == SW_E_DB || e.code == SW_E_NOMEM) {
			*err = e;
			return r;
		}
		/* the message usually starts with the file's name: do not say it twice */
		const char *what = e.msg;
		size_t n = strlen(display);
		if (what[0] == '\'' && strncmp(what + 1, display, n) == 0 && strncmp(what + 1 + n, "': ", 3) == 0)
			what += n + 4;
		rd->sink.bad_record(rd->sink.ctx, display, "-", what);
	}
	return 0;
}

static char *strip_compression(const char *name)
{
	static const char *const sfx[] = { ".gz", ".xz", ".zst", ".bz2" };
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (sw_ends_with(name, sfx[i]))
			return sw_xstrndup(name, strlen(name) - strlen(sfx[i]));
	return sw_xstrdup(name);
}

/* A name that promises a container (zip, tar) rather than one compressed
 * document: libarchive's raw reader must not take such a file as data. */
static const char *container_kind(const char *name)
{
	if (sw_ends_with(name, ".zip"))
		return "zip";
	static const char *const tar[] = { ".tar", ".tgz", ".txz", ".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2" };
	for (size_t i = 0; i < sizeof(tar) / sizeof(tar[0]); i++)
		if (sw_ends_with(name, tar[i]))
			return "tar";
	return NULL;
}

/* Is the first member of archive a what its name says?  A zip or tar name
 * read by the raw reader, or a .gz/.xz/... name read without a
 * decompressor, is an error page or some other file saved under that
 * name. */
static bool archive_matches_name(struct reader *rd, struct archive *a, const char *name)
{
	const char *base = sw_path_basename(name);
	if (archive_format(a) != ARCHIVE_FORMAT_RAW)
		return true;
	const char *kind = container_kind(base);
	if (kind) {
		rd_broken(rd, name, "not a %s archive", kind);
		return false;
	}
	/* archive_filter_count() counts the "none" pass-through too */
	if (archive_filter_count(a) <= 1) {
		static const char *const sfx[] = { ".gz", ".xz", ".zst", ".bz2" };
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
			if (sw_ends_with(base, sfx[i])) {
				rd_broken(rd, name, "not %s-compressed", sfx[i] + 1);
				return false;
			}
	}
	return true;
}

/* Walk an opened archive.  name: the archive's display name.  A broken
 * stream ends the walk and marks the location broken. */
static int rd_archive(struct reader *rd, struct archive *a, const char *name, struct sw_err *err)
{
	struct archive_entry *ent;
	struct sw_buf b;
	sw_buf_init(&b, MAX_MEMBER);
	int r = 0;
	const char *base = sw_path_basename(name);
	for (bool first = true;; first = false) {
		int rc = archive_read_next_header(a, &ent);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			rd_broken(rd, name, "%s", archive_error_string(a) ? archive_error_string(a) : "unreadable archive");
			break;
		}
		if (first && !archive_matches_name(rd, a, name))
			break;
		if (archive_entry_filetype(ent) != AE_IFREG)
			continue;
		bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		char *inner = raw ? strip_compression(base) : sw_xstrdup(archive_entry_pathname(ent));
		if (!inner || !rd_wants(rd, inner)) {
			free(inner);
			continue;
		}
		sw_buf_reset(&b);
		bool bad = false;
		for (;;) {
			if (!sw_buf_grow(&b, 1 << 16)) {
				bad = true;
				break;
			}
			la_ssize_t n = archive_read_data(a, b.data + b.len, b.cap - b.len - 1);
			if (n < 0) {
				bad = true;
				break;
			}
			if (n == 0)
				break;
			b.len += (size_t)n;
			b.data[b.len] = '\0';
		}
		char *display = raw ? sw_xstrdup(name) : sw_xasprintf("%s:%s", name, inner);
		if (bad) {
			rd_broken(rd, display, "%s",
				  b.failed ? "member too large"
					   : (archive_error_string(a) ? archive_error_string(a) : "read error"));
			free(display);
			free(inner);
			break; /* the stream is broken: nothing after this can be read */
		}
		r = rd_import(rd, display, (const uint8_t *)b.data, b.len, err);
		free(display);
		free(inner);
		if (r < 0)
			break;
	}
	sw_buf_release(&b);
	return r;
}

static struct archive *archive_reader(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_raw(a);
	return a;
}

static int rd_archive_file(struct reader *rd, const char *path, const char *display, struct sw_err *err)
{
	struct archive *a = archive_reader();
	int r = 0;
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
		rd_broken(rd, display, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot open archive");
	else
		r = rd_archive(rd, a, display, err);
	archive_read_free(a);
	return r;
}

static int rd_plain_file(struct reader *rd, const char *path, const char *display, struct sw_err *err)
{
	struct sw_buf b;
	sw_buf_init(&b, MAX_MEMBER);
	struct sw_err e = SW_ERR_INIT;
	int r = 0;
	if (sw_buf_read_file(&b, path, MAX_MEMBER, &e) < 0)
		rd_broken(rd, display, "%s", e.msg);
	else
		r = rd_import(rd, display, (const uint8_t *)b.data, b.len, err);
	sw_buf_release(&b);
	return r;
}

static int rd_dir(struct reader *rd, const char *root, const char *rel, int depth, struct sw_err *err)
{
	if (depth > 64)
		return 0;
	char *dir = rel[0] ? sw_xasprintf("%s/%s", root, rel) : sw_xstrdup(root);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (r == 0 && strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
			char *path = sw_xasprintf("%s/%s", dir, nm);
			char *sub = rel[0] ? sw_xasprintf("%s/%s", rel, nm) : sw_xstrdup(nm);
			struct stat st;
			if (lstat(path, &st) == 0) {
				if (S_ISDIR(st.st_mode))
					r = rd_dir(rd, root, sub, depth + 1, err);
				else if (S_ISREG(st.st_mode) && has_archive_suffix(nm))
					r = rd_archive_file(rd, path, path, err);
				else if (S_ISREG(st.st_mode) && rd_wants(rd, sub))
					r = rd_plain_file(rd, path, path, err);
			}
			free(path);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return r;
}

/* ---------------------------------------------------------------- http */

struct http {
	FILE *fp;              /* the body goes here */
	size_t len;
	bool over;
	char *etag, *last_modified;
	char *content_type;    /* of the last response */
	long retry_after;      /* seconds of the last response's Retry-After, -1 none */
};

static size_t http_write(char *p, size_t size, size_t n, void *ctx)
{
	struct http *h = ctx;
	size_t len = size * n;
	if (h->len + len > MAX_DOWNLOAD) {
		h->over = true;
		return 0;
	}
	if (fwrite(p, 1, len, h->fp) != len)
		return 0;
	h->len += len;
	return len;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0)
		return NULL;
	const char *v = line + nl, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return sw_xstrndup(v, (size_t)(end - v));
}

static size_t http_header(char *p, size_t size, size_t n, void *ctx)
{
	struct http *h = ctx;
	size_t len = size * n;
	char *v;
	if ((v = header_value(p, len, "etag:"))) {
		free(h->etag);
		h->etag = v;
	} else if ((v = header_value(p, len, "last-modified:"))) {
		free(h->last_modified);
		h->last_modified = v;
	} else if ((v = header_value(p, len, "content-type:"))) {
		free(h->content_type);
		h->content_type = v;
	} else if ((v = header_value(p, len, "retry-after:"))) {
		char *end = NULL;
		long s = strtol(v, &end, 10);
		/* seconds; an HTTP date is taken as "a while": one minute */
		h->retry_after = end != v && *end == '\0' && s >= 0 ? s : 60;
		free(v);
	}
	return len;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void backoff(int attempt)
{
	long ms = 1000L;
	const char *env = getenv("STOWAWAY_RETRY_DELAY_MS");
	if (env && *env)
		ms = strtol(env, NULL, 10);
	ms <<= attempt;
	sleep_ms(ms > 60000 ? 60000 : ms);
}

/* Wait as long as the server asked (Retry-After), at most a minute, and at
 * most $STOWAWAY_RETRY_DELAY_MS when that is set (tests). */
static void wait_retry_after(long seconds)
{
	long ms = seconds > 60 ? 60000 : seconds * 1000;
	const char *env = getenv("STOWAWAY_RETRY_DELAY_MS");
	if (env && *env && strtol(env, NULL, 10) < ms)
		ms = strtol(env, NULL, 10);
	sleep_ms(ms);
}

/* Fetch url into h->fp (truncated first).  *not_modified when the server
 * says 304.  extra_header: one more request header, or NULL. */
static int http_fetch_once(const char *url, const char *etag, const char *last_modified,
			   const char *extra_header, const struct sw_vulndb_update_opts *o, struct http *h,
			   bool *not_modified, struct sw_err *err);

/* Hosts that could not be reached (resolve/connect failed after the
 * retries) during this update: later locations on them fail at once, so an
 * air-gapped update does not wait out every URL's retries. */
static struct sw_map dead_hosts;

static char *url_host(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	return sw_xstrndup(p, strcspn(p, "/?#"));
}

/* ---------------------------------------------------------------- upstream override */

/* STOWAWAY_UPSTREAM_OVERRIDE="HOST=BASE[,HOST=BASE...]": a URL whose host
 * (with its port, if the URL has one) is HOST is fetched from BASE (an
 * http(s) scheme, a host and optionally a path prefix) followed by the URL's
 * own path and query.  Only what is fetched changes: locations keep their
 * upstream names in the database.  For mirrors and for the tests. */
#define OVERRIDE_ENV "STOWAWAY_UPSTREAM_OVERRIDE"

int sw_vulndb_override_check(struct sw_err *err)
{
	const char *env = getenv(OVERRIDE_ENV);
	if (!env || !*env)
		return 0;
	char *copy = sw_xstrdup(env), *save = NULL;
	int r = 0;
	for (char *it = strtok_r(copy, ",", &save); it && r == 0; it = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(it, '=');
		const char *base = eq ? eq + 1 : "";
		if (!eq || eq == it || memchr(it, '/', (size_t)(eq - it)) || (!sw_starts_with(base, "http://") &&
								  !sw_starts_with(base, "https://")) ||
		    !base[strlen(sw_starts_with(base, "http://") ? "http://" : "https://")])
			r = sw_err_set(err, SW_E_USAGE,
				       "bad %s entry '%.200s' (expected HOST=http://HOST2[:PORT][/PREFIX], comma separated)",
				       OVERRIDE_ENV, it);
	}
	free(copy);
	return r;
}

char *sw_vulndb_override_url(const char *url)
{
	const char *env = getenv(OVERRIDE_ENV);
	const char *p = strstr(url, "://");
	if (!env || !*env || !p)
		return sw_xstrdup(url);
	p += 3;
	size_t hl = strcspn(p, "/?#");
	char *copy = sw_xstrdup(env), *save = NULL, *out = NULL;
	for (char *it = strtok_r(copy, ",", &save); it && !out; it = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(it, '=');
		if (!eq || (size_t)(eq - it) != hl || strncasecmp(it, p, hl) != 0)
			continue;
		const char *base = eq + 1;
		size_t bl = strlen(base);
		while (bl && base[bl - 1] == '/')
			bl--;
		out = sw_xasprintf("%.*s%s", (int)bl, base, p + hl);
	}
	free(copy);
	return out ? out : sw_xstrdup(url);
}

/* Bytes of response bodies received by this process's updates (the
 * update is single-threaded): read before and after a location. */
static int64_t fetched_bytes;

static int http_fetch_real(const char *url, const char *etag, const char *last_modified,
			   const char *extra_header, const struct sw_vulndb_update_opts *o, struct http *h,
			   bool *not_modified, struct sw_err *err);

static int http_fetch(const char *url, const char *etag, const char *last_modified, const char *extra_header,
		      const struct sw_vulndb_update_opts *o, struct http *h, bool *not_modified, struct sw_err *err)
{
	char *real = sw_vulndb_override_url(url);
	int r = http_fetch_real(real, etag, last_modified, extra_header, o, h, not_modified, err);
	free(real);
	return r;
}

static int http_fetch_real(const char *url, const char *etag, const char *last_modified,
			   const char *extra_header, const struct sw_vulndb_update_opts *o, struct http *h,
			   bool *not_modified, struct sw_err *err)
{
	*not_modified = false;
	int lr = sw_libcurl_load(err);
	if (lr < 0)
		return lr;
	char *host = url_host(url);
	const char *why = sw_map_get(&dead_hosts, host);
	if (why) {
		int dr = sw_err_set(err, SW_E_NET, "'%s': host unreachable earlier in this update (%s)", url, why);
		free(host);
		return dr;
	}
	int r = http_fetch_once(url, etag, last_modified, extra_header, o, h, not_modified, err);
	if (r < 0 && err && err->code == SW_E_NET && (strstr(err->msg, "resolve") || strstr(err->msg, "connect")))
		free(sw_map_put(&dead_hosts, host, sw_xstrdup(strstr(err->msg, "': ") ? strstr(err->msg, "': ") + 3
										      : err->msg)));
	free(host);
	return r;
}

static int http_fetch_once(const char *url, const char *etag, const char *last_modified,
			   const char *extra_header, const struct sw_vulndb_update_opts *o, struct http *h,
			   bool *not_modified, struct sw_err *err)
{
	int retries = o && o->retries >= 0 ? o->retries : 3;
	long cto = o && o->connect_timeout > 0 ? o->connect_timeout : 30;
	long tto = o && o->total_timeout > 0 ? o->total_timeout : 1800;
	int r = 0;
	for (int attempt = 0;; attempt++) {
		rewind(h->fp);
		if (ftruncate(fileno(h->fp), 0) != 0)
			return sw_err_errno(err, "'%s': cannot truncate the download file", url);
		h->len = 0;
		h->over = false;
		h->retry_after = -1;
		CURL *c = sw_curl->easy_init();
		if (!c)
			return sw_err_set(err, SW_E_NOMEM, "'%s': cannot start libcurl", url);
		struct curl_slist *hdr = NULL;
		char *line = NULL;
		if (etag) {
			line = sw_xasprintf("If-None-Match: %s", etag);
			hdr = sw_curl->slist_append(hdr, line);
			free(line);
		}
		if (last_modified) {
			line = sw_xasprintf("If-Modified-Since: %s", last_modified);
			hdr = sw_curl->slist_append(hdr, line);
			free(line);
		}
		if (extra_header)
			hdr = sw_curl->slist_append(hdr, extra_header);
		sw_curl->easy_setopt(c, CURLOPT_URL, url);
		sw_curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		sw_curl->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		sw_curl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		sw_curl->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
		sw_curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cto);
		sw_curl->easy_setopt(c, CURLOPT_TIMEOUT, tto);
		sw_curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		sw_curl->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
		sw_curl->easy_setopt(c, CURLOPT_USERAGENT, "stowaway/" SW_VERSION_STRING);
		sw_curl->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		sw_curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
		sw_curl->easy_setopt(c, CURLOPT_WRITEDATA, h);
		sw_curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
		sw_curl->easy_setopt(c, CURLOPT_HEADERDATA, h);
		CURLcode cc = sw_curl->easy_perform(c);
		long status = 0;
		sw_curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		sw_curl->slist_free_all(hdr);
		sw_curl->easy_cleanup(c);
		bool again = false;
		if (cc != CURLE_OK) {
			if (h->over)
				return sw_err_set(err, SW_E_LIMIT, "'%s': download larger than %zu bytes", url,
						  MAX_DOWNLOAD);
			r = sw_err_set(err, SW_E_NET, "'%s': %s", url, sw_curl->easy_strerror(cc));
			again = cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT && cc != CURLE_WRITE_ERROR;
		} else if (status == 304) {
			*not_modified = true;
			return 0;
		} else if (status >= 200 && status < 300) {
			if (fflush(h->fp) != 0)
				return sw_err_errno(err, "'%s': cannot write the download file", url);
			fetched_bytes += (int64_t)h->len;
			return 0;
		} else {
			/* a rate limit: 429, or 403 with Retry-After (the NVD's answer) */
			bool limited = status == 429 || (status == 403 && h->retry_after >= 0);
			r = sw_err_set(err, SW_E_NET, "'%s': HTTP status %ld%s", url, status,
				       limited ? " (rate limited)" : "");
			again = limited || status >= 500;
		}
		if (!again || attempt >= retries)
			return r;
		say(o, true, "'%s': retrying (%d of %d)", url, attempt + 1, retries);
		if (h->retry_after >= 0)
			wait_retry_after(h->retry_after);
		else
			backoff(attempt);
	}
}

static bool is_url(const char *s)
{
	return sw_starts_with(s, "http://") || sw_starts_with(s, "https://");
}

static char *url_basename(const char *url)
{
	const char *p = url + strcspn(url, ":") + 3;
	size_t n = strcspn(p, "?#");
	char *path = sw_xstrndup(p, n);
	while (*path && path[strlen(path) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	char *base = sw_xstrdup(sw_path_basename(path));
	free(path);
	return base;
}

/* Red Hat publishes its VEX/CSAF archives under dated names and names the
 * newest in "archive_latest.txt": follow that one level of indirection. */
static int resolve_latest(const char *url, const struct sw_vulndb_update_opts *o, struct http *h, char **out,
			  struct sw_err *err)
{
	bool nm = false;
	int r = http_fetch(url, NULL, NULL, NULL, o, h, &nm, err);
	if (r < 0)
		return r;
	char line[512] = "";
	rewind(h->fp);
	size_t n = fread(line, 1, sizeof(line) - 1, h->fp);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!line[0] || strchr(line, '/') || strstr(line, ".."))
		return sw_err_set(err, SW_E_FORMAT, "'%s': expected one archive file name", url);
	const char *slash = strrchr(url, '/');
	*out = sw_xasprintf("%.*s/%s", (int)(slash - url), url, line);
	return 0;
}

/* The NVD CVE API 2.0 answers in pages of at most 2,000 CVEs. */
static bool nvd_paged(const struct sw_vulndb_location *loc)
{
	return strcmp(loc->source, "nvd") == 0 && strstr(loc->location, "/rest/json/cves/2.0") != NULL;
}

/* A number field near the top of an NVD page ("totalResults",
 * "resultsPerPage"), or -1. */
static long page_number(const struct sw_buf *b, const char *field)
{
	size_t n = b->len < 4096 ? b->len : 4096;
	char *head = sw_xstrndup(b->data, n);
	char *key = sw_xasprintf("\"%s\"", field);
	char *p = strstr(head, key);
	long v = -1;
	if (p && (p = strchr(p, ':')))
		v = strtol(p + 1, NULL, 10);
	free(key);
	free(head);
	return v;
}

static long total_results(const struct sw_buf *b)
{
	return page_number(b, "totalResults");
}

static int read_file_into(FILE *fp, struct sw_buf *b)
{
	sw_buf_reset(b);
	rewind(fp);
	for (;;) {
		if (!sw_buf_grow(b, 1 << 16))
			return -1;
		size_t n = fread(b->data + b->len, 1, b->cap - b->len - 1, fp);
		b->len += n;
		b->data[b->len] = '\0';
		if (n == 0)
			return ferror(fp) ? -1 : 0;
	}
}

static char *nvd_page_url(const char *url, long start)
{
	return sw_xasprintf("%s%cstartIndex=%ld&resultsPerPage=2000", url, strchr(url, '?') ? '&' : '?', start);
}

/* Pages after the first (already in h->fp) go straight to the importer;
 * a page that cannot be fetched ends the walk as a bad record.  base: the
 * API URL, with the incremental window's query if any.  The next page
 * starts after the CVEs this one held (its resultsPerPage: the server may
 * send fewer than asked). */
static int rd_nvd_pages(struct reader *rd, struct http *h, const char *base, struct sw_err *err)
{
	const char *key = getenv("NVD_API_KEY");
	char *hdr = key && *key ? sw_xasprintf("apiKey: %s", key) : NULL;
	long delay = hdr ? 700 : 6500; /* the NVD's published rate limits */
	const char *denv = getenv("STOWAWAY_NVD_DELAY_MS");
	if (denv && *denv)
		delay = strtol(denv, NULL, 10);
	struct sw_buf b;
	sw_buf_init(&b, MAX_MEMBER);
	int r = 0;
	for (long start = 0;;) {
		if (start > 0) {
			sleep_ms(delay);
			char *url = nvd_page_url(base, start);
			bool nm = false;
			struct sw_err e = SW_ERR_INIT;
			int fr = http_fetch(url, NULL, NULL, hdr, rd->opts, h, &nm, &e);
			free(url);
			if (fr < 0) {
				rd_broken(rd, rd->loc->location, "page at startIndex=%ld: %s", start, e.msg);
				break;
			}
		}
		if (read_file_into(h->fp, &b) < 0) {
			rd_broken(rd, rd->loc->location, "cannot read the downloaded page");
			break;
		}
		long total = total_results(&b);
		long per = page_number(&b, "resultsPerPage");
		char *display = sw_xasprintf("%s (startIndex=%ld)", rd->loc->location, start);
		r = rd_import(rd, display, (const uint8_t *)b.data, b.len, err);
		free(display);
		if (r < 0 || total < 0)
			break;
		if (per <= 0 && start + 2000 < total) {
			rd_broken(rd, rd->loc->location, "page at startIndex=%ld holds no CVEs of %ld", start, total);
			break;
		}
		start += per > 0 ? per : 2000;
		if (start >= total)
			break;
		say(rd->opts, false, "nvd: %ld of %ld", start, total);
	}
	sw_buf_release(&b);
	free(hdr);
	return r;
}

/* ---------------------------------------------------------------- one location */

#define DEFAULT_MAX_DROP 0.5
#define DEFAULT_MAX_BAD 0.01

static char *kept_text(int64_t prev)
{
	return prev > 0 ? sw_xasprintf("kept its %lld previous records", (long long)prev)
			: sw_xstrdup("nothing stored from it");
}

/* Why the records just read must not replace the previous ones, or NULL
 * (malloc'd).  prev: records stored from the location before; now, bad:
 * read this time. */
static char *judge(const struct reader *rd, int64_t prev, int64_t now, int64_t bad)
{
	const struct sw_vulndb_update_opts *o = rd->opts;
	double max_bad = o && o->max_bad > 0 ? o->max_bad : DEFAULT_MAX_BAD;
	double max_drop = o && o->max_drop > 0 ? o->max_drop : DEFAULT_MAX_DROP;
	bool force = o && o->force;
	const char *where = rd->loc->location;
	if (rd->broken)
		return sw_xasprintf("incomplete: %s", rd->broken);
	if (bad > 0 && (double)bad > max_bad * (double)(now + bad))
		return sw_xasprintf("'%s': %lld of %lld records could not be read (more than %g%%, the --max-bad "
				    "bound); first: %s",
				    where, (long long)bad, (long long)(now + bad), max_bad > DBL_MIN ? max_bad * 100.0 : 0.0, /* 0 is passed as DBL_MIN */
				    rd->first_bad ? rd->first_bad : "-");
	if (force)
		return NULL;
	if (now == 0)
		return sw_xasprintf("'%s': no records in it (%lld files read); --force accepts an empty source",
				    where, (long long)rd->files);
	if (prev > 0 && (double)(prev - now) > max_drop * (double)prev)
		return sw_xasprintf("'%s': its records would fall from %lld to %lld, by more than %g%% (the "
				    "--max-drop bound); --force accepts the drop",
				    where, (long long)prev, (long long)now, max_drop * 100.0);
	return NULL;
}

/* ---------------------------------------------------------------- incremental updates */

/* Where an upstream publishes what changed, only that is fetched:
 *   osv          ECOSYSTEM/modified_id.csv ("MODIFIED,ID", newest first),
 *                then ECOSYSTEM/ID.json per record modified since the cursor;
 *   nvd          the API with lastModStartDate/lastModEndDate (at most 120
 *                days: an older cursor means a full read);
 *   redhat-csaf  changes.csv and deletions.csv ("PATH","TIME") beside
 *                archive_latest.txt, then each changed file.
 * The cursor (the newest modification time taken in) and the index files'
 * ETag / Last-Modified live in the location's state (schema 3).  No state,
 * a full read older than INCR_FULL_EVERY, or more than INCR_MAX changed
 * records: the location is read whole. */
#define INCR_MAX 5000
#define INCR_FULL_EVERY (30 * 86400)
#define NVD_MAX_WINDOW (120 * 86400)

enum incr_kind { INCR_NONE, INCR_OSV, INCR_NVD, INCR_REDHAT };

static enum incr_kind incr_kind_of(const struct sw_vulndb_location *loc)
{
	if (!is_url(loc->location) || loc->include)
		return INCR_NONE;
	if (strcmp(loc->source, "osv") == 0 && sw_ends_with(loc->location, "/all.zip"))
		return INCR_OSV;
	if (nvd_paged(loc) && !strchr(loc->location, '?'))
		return INCR_NVD;
	if (strcmp(loc->source, "redhat-csaf") == 0 && sw_ends_with(loc->location, "/archive_latest.txt"))
		return INCR_REDHAT;
	return INCR_NONE;
}

const char *sw_vulndb_location_incremental(const char *source, const char *url)
{
	struct sw_vulndb_location l = { (char *)source, (char *)url, NULL };
	switch (incr_kind_of(&l)) {
	case INCR_OSV: return "osv-modified-id";
	case INCR_NVD: return "nvd-lastmod-window";
	case INCR_REDHAT: return "redhat-changes";
	case INCR_NONE: break;
	}
	return is_url(url) ? "http-conditional" : "none";
}

static json_t *state_parse(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

static bool state_cursor(json_t *st, double *c)
{
	json_t *v = json_object_get(st, "cursor");
	if (!json_is_number(v))
		return false;
	*c = json_number_value(v);
	return true;
}

static void http_forget(struct http *h)
{
	free(h->etag);
	free(h->last_modified);
	free(h->content_type);
	h->etag = h->last_modified = h->content_type = NULL;
}

/* The folder of a URL, with its final "/". */
static char *url_dir(const char *url)
{
	const char *q = url + strcspn(url, "?#");
	const char *slash = q;
	while (slash > url && slash[-1] != '/')
		slash--;
	return sw_xstrndup(url, (size_t)(slash - url));
}

/* Fetch an index file (modified_id.csv, changes.csv, deletions.csv)
 * conditionally on the validators st remembers for it; on 200 its content
 * is in b and st remembers the new validators.  *not_modified on 304. */
static int fetch_index(const char *url, json_t *st, const struct sw_vulndb_update_opts *o, struct http *h,
		       struct sw_buf *b, bool *not_modified, struct sw_err *err)
{
	json_t *idx = json_object_get(st, "index");
	if (!json_is_object(idx)) {
		idx = json_object();
		json_object_set_new(st, "index", idx);
	}
	json_t *e = json_object_get(idx, url);
	http_forget(h);
	int r = http_fetch(url, json_string_value(json_object_get(e, "etag")),
			   json_string_value(json_object_get(e, "last_modified")), NULL, o, h, not_modified, err);
	if (r < 0 || *not_modified)
		return r;
	if (h->content_type && sw_starts_with(h->content_type, "text/html"))
		return sw_err_set(err, SW_E_FORMAT, "'%s': the server sent an HTML page (Content-Type %s), not an index",
				  url, h->content_type);
	if (read_file_into(h->fp, b) < 0)
		return sw_err_set(err, SW_E_LIMIT, "'%s': index too large or unreadable", url);
	json_t *n = json_object();
	if (h->etag)
		json_object_set_new(n, "etag", json_string(h->etag));
	if (h->last_modified)
		json_object_set_new(n, "last_modified", json_string(h->last_modified));
	json_object_set_new(idx, url, n);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fetch and import (or delete) every change in latest, in name order;
 * *newest: the newest time taken in.  A record that cannot be fetched
 * marks the read broken (the location then keeps what it had). */
static int apply_changes(struct reader *rd, const char *dir, struct sw_map *latest, bool osv, struct http *h,
			 double *newest, struct sw_err *err)
{
	struct sw_vec names = SW_VEC_INIT;
	const char *k;
	void *v;
	for (size_t it = 0; sw_map_next(latest, &it, &k, &v);)
		sw_vec_push(&names, (void *)k);
	if (names.len)
		qsort(names.items, names.len, sizeof(names.items[0]), cmp_str);
	struct sw_buf b;
	sw_buf_init(&b, MAX_MEMBER);
	int r = 0;
	for (size_t i = 0; i < names.len && r == 0 && !rd->broken; i++) {
		const char *name = names.items[i];
		const struct sw_vulndb_change *ch = sw_map_get(latest, name);
		if (ch->deleted) {
			/* a Red Hat VEX file is one CVE: 2024/cve-2024-1234.json */
			const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
			char *vid = sw_xstrndup(base, strcspn(base, "."));
			for (char *q = vid; *q; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 'a' + 'A');
			r = sw_vulndb_delete_vuln(rd->db, rd->loc_id, vid, err);
			free(vid);
		} else {
			char *url = sw_xasprintf("%s%s%s", dir, name, osv ? ".json" : "");
			bool nm = false;
			struct sw_err e = SW_ERR_INIT;
			http_forget(h);
			if (http_fetch(url, NULL, NULL, NULL, rd->opts, h, &nm, &e) < 0)
				rd_broken(rd, url, "%s", e.msg);
			else if (h->content_type && sw_starts_with(h->content_type, "text/html"))
				rd_broken(rd, url, "the server sent an HTML page (Content-Type %s), not %s data",
					  h->content_type, rd->src->name);
			else if (read_file_into(h->fp, &b) < 0)
				rd_broken(rd, url, "download too large or unreadable");
			else
				r = rd_import(rd, url, (const uint8_t *)b.data, b.len, err);
			free(url);
		}
		if (ch->ts > *newest)
			*newest = ch->ts;
	}
	sw_buf_release(&b);
	sw_vec_release(&names);
	return r;
}

static void reader_init(struct reader *rd, struct sw_vulndb *db, const struct sw_vuln_source *src,
			const struct sw_vulndb_location *loc, const struct sw_vulndb_update_opts *opts, int64_t loc_id)
{
	memset(rd, 0, sizeof(*rd));
	rd->db = db;
	rd->src = src;
	rd->loc = loc;
	rd->opts = opts;
	rd->loc_id = loc_id;
	sw_vulndb_sink(db, loc_id, &rd->db_sink);
	rd->sink = (struct sw_vuln_sink){ .ctx = rd, .put_vuln = rd_put_vuln, .put_kev = rd_put_kev,
					  .put_epss = rd_put_epss, .bad_record = rd_bad_record,
					  .put_exploit = rd_put_exploit };
}

static void reader_release(struct reader *rd)
{
	free(rd->first_bad);
	free(rd->broken);
	sw_map_release(&rd->seen);
}

static char *nvd_time(double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000%%2B00:00", &tm);
	return sw_xstrdup(buf);
}

/* The record changes newer than cursor that an OSV or Red Hat location
 * lists (into latest); *unchanged when every index answered 304. */
static int read_indexes(enum incr_kind kind, const char *dir, json_t *st, double cursor,
			const struct sw_vulndb_update_opts *opts, struct http *h, struct sw_map *latest,
			bool *unchanged, int64_t *bad, struct sw_err *err)
{
	static const char *const osv_idx[] = { "modified_id.csv", NULL };
	static const char *const rh_idx[] = { "changes.csv", "deletions.csv", NULL };
	const char *const *idx = kind == INCR_OSV ? osv_idx : rh_idx;
	struct sw_buf b;
	sw_buf_init(&b, MAX_MEMBER);
	*unchanged = true;
	int r = 0;
	for (size_t i = 0; idx[i] && r == 0; i++) {
		char *u = sw_xasprintf("%s%s", dir, idx[i]);
		bool nm = false;
		r = fetch_index(u, st, opts, h, &b, &nm, err);
		if (r == 0 && !nm) {
			*unchanged = false;
			*bad += sw_vulndb_parse_changes(b.data, b.len, cursor, strcmp(idx[i], "deletions.csv") == 0,
							kind == INCR_OSV, latest);
		}
		free(u);
	}
	sw_buf_release(&b);
	return r;
}

/* Record that loc_id could not be updated: it keeps its records. */
static int fail_kept(struct sw_vulndb *db, int64_t loc_id, const struct sw_err *why, struct sw_err *err)
{
	int64_t prev = 0, bad = 0;
	if (why->code == SW_E_DB || why->code == SW_E_NOMEM) {
		*err = *why;
		return -why->code;
	}
	if (sw_vulndb_location_counts(db, loc_id, &prev, &bad, err) < 0)
		return -err->code;
	char *kept = kept_text(prev);
	char *msg = sw_xasprintf("%s; %s", why->msg, kept);
	struct sw_err e2 = SW_ERR_INIT;
	(void)sw_vulndb_location_end(db, loc_id, NULL, NULL, msg, &e2);
	int r = sw_err_set(err, why->code, "%s", msg);
	free(msg);
	free(kept);
	return r;
}

/* Try an incremental update of loc (see above).  *done is false when it
 * must be read whole instead; otherwise the location is updated, found
 * unchanged (*changed false), or kept as it was with err set. */
static int read_incremental(struct sw_vulndb *db, const struct sw_vuln_source *src,
			    const struct sw_vulndb_location *loc, const char *key, int64_t loc_id,
			    const struct sw_vulndb_update_opts *opts, bool *changed, bool *done, struct sw_err *err)
{
	enum incr_kind kind = incr_kind_of(loc);
	*done = false;
	if (kind == INCR_NONE || (opts && opts->full))
		return 0;
	char *text = NULL;
	int64_t last_full = 0;
	int r = sw_vulndb_location_state(db, loc_id, &text, &last_full, err);
	if (r < 0)
		return r;
	json_t *st = state_parse(text);
	free(text);
	double cursor = 0;
	int64_t now = sw_vulndb_now();
	if (!state_cursor(st, &cursor) || last_full == 0 || now - last_full > INCR_FULL_EVERY ||
	    (kind == INCR_NVD && (double)now - cursor > NVD_MAX_WINDOW)) {
		json_decref(st);
		return 0;
	}
	int64_t bytes0 = fetched_bytes;
	struct http h = { NULL, 0, false, NULL, NULL, NULL, -1 };
	char *dl = sw_xasprintf("%s.new-%ld.dl", sw_vulndb_path(db), (long)getpid());
	char *dir = url_dir(loc->location), *win = NULL, *etag = NULL, *lm = NULL, *state = NULL, *why = NULL;
	struct sw_map latest = SW_MAP_INIT;
	struct sw_err fe = SW_ERR_INIT;
	struct reader rd;
	reader_init(&rd, db, src, loc, opts, loc_id);
	rd.upsert = true;
	bool unchanged = false, in_tx = false;
	int64_t badlines = 0, total = 0;
	double newest = cursor;
	h.fp = fopen(dl, "w+e");
	if (!h.fp) {
		r = sw_err_errno(err, "cannot create '%s'", dl);
		goto out;
	}
	unlink(dl);
	int fr;
	if (kind == INCR_NVD) {
		/* the window starts a minute before the last update started and
		 * ends with the current second (now is whole seconds: a record
		 * changed earlier in this second is inside) */
		char *t0 = nvd_time(cursor - 60), *t1 = nvd_time((double)now + 1);
		win = sw_xasprintf("%s?lastModStartDate=%s&lastModEndDate=%s", loc->location, t0, t1);
		free(t0);
		free(t1);
		char *first = nvd_page_url(win, 0);
		const char *api_key = getenv("NVD_API_KEY");
		char *hdr = api_key && *api_key ? sw_xasprintf("apiKey: %s", api_key) : NULL;
		bool nm = false;
		fr = http_fetch(first, NULL, NULL, hdr, opts, &h, &nm, &fe);
		free(hdr);
		free(first);
		if (fr == 0) {
			struct sw_buf pg;
			sw_buf_init(&pg, MAX_MEMBER);
			total = read_file_into(h.fp, &pg) == 0 ? total_results(&pg) : -1;
			sw_buf_release(&pg);
			if (total < 0)
				fr = sw_err_set(&fe, SW_E_FORMAT, "'%s': not an NVD API answer (no totalResults)", win);
		}
		unchanged = fr == 0 && total == 0;
		newest = (double)now;
	} else {
		fr = read_indexes(kind, dir, st, cursor, opts, &h, &latest, &unchanged, &badlines, &fe);
		total = (int64_t)latest.len;
		if (fr == 0 && !unchanged && badlines > 0 && total == 0)
			fr = sw_err_set(&fe, SW_E_FORMAT, "'%s': %lld index lines could not be read", dir,
					(long long)badlines);
	}
	if (fr < 0 && strstr(fe.msg, "HTTP status 404")) {
		/* a mirror without the index: read it whole */
		say(opts, false, "%s: no index of changes (%s); reading it whole", loc->source, fe.msg);
		goto out;
	}
	if (fr < 0) {
		r = fail_kept(db, loc_id, &fe, err);
		*done = true;
		goto out;
	}
	if (total > INCR_MAX) {
		say(opts, false, "%s: %lld records changed; reading it whole", loc->source, (long long)total);
		goto out;
	}
	*done = true;
	if (total == 0) {
		/* nothing changed upstream; the new validators and cursor are kept */
		if (kind == INCR_NVD)
			json_object_set_new(st, "cursor", json_real(newest));
		state = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
		r = sw_vulndb_location_mark(db, loc_id, true, fetched_bytes - bytes0, state, err);
		goto out;
	}
	r = sw_vulndb_begin_write(db, err);
	in_tx = r == 0;
	int64_t prev = 0, nnow = 0, bad = 0;
	if (r == 0)
		r = sw_vulndb_location_counts(db, loc_id, &prev, &bad, err);
	if (r == 0 && kind == INCR_NVD)
		r = rd_nvd_pages(&rd, &h, win, err);
	else if (r == 0)
		r = apply_changes(&rd, dir, &latest, kind == INCR_OSV, &h, &newest, err);
	if (r == 0)
		r = sw_vulndb_location_counts(db, loc_id, &nnow, &bad, err);
	if (r == 0)
		why = judge(&rd, prev, nnow, bad);
	if (r == 0 && why) {
		r = sw_vulndb_rollback(db, err);
		in_tx = false;
		struct sw_err we = SW_ERR_INIT;
		sw_err_set(&we, SW_E_FORMAT, "%s", why);
		if (r == 0)
			r = fail_kept(db, loc_id, &we, err);
		goto out;
	}
	if (r == 0)
		r = sw_vulndb_location_cache(db, loc->source, key, &etag, &lm, err);
	if (r == 0)
		r = sw_vulndb_location_end(db, loc_id, etag, lm, NULL, err);
	json_object_set_new(st, "cursor", json_real(newest));
	state = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	if (r == 0)
		r = sw_vulndb_location_mark(db, loc_id, true, fetched_bytes - bytes0, state, err);
	if (r == 0)
		r = sw_vulndb_commit(db, err);
	in_tx = false;
	if (r == 0) {
		*changed = true;
		say(opts, false, "%s: %lld changed records from '%s'", loc->source, (long long)total, loc->location);
	}
out:
	if (in_tx) {
		struct sw_err e2 = SW_ERR_INIT;
		(void)sw_vulndb_rollback(db, &e2);
	}
	if (h.fp)
		fclose(h.fp);
	http_forget(&h);
	reader_release(&rd);
	sw_map_free_all(&latest, free);
	json_decref(st);
	free(state);
	free(why);
	free(etag);
	free(lm);
	free(win);
	free(dir);
	free(dl);
	return r;
}

/* After a full read of an OSV, NVD or Red Hat location: its state for the
 * next, incremental update (malloc'd JSON text, or NULL).  Red Hat's
 * changes since the archive was made are applied here (rd->upsert). */
static char *full_followup(struct reader *rd, const char *target, const char *target_lm, struct http *h,
			   int64_t started, struct sw_err *err, int *r)
{
	enum incr_kind kind = incr_kind_of(rd->loc);
	if (kind == INCR_NONE)
		return NULL;
	json_t *st = json_object();
	double cursor = -1;
	char *dir = url_dir(rd->loc->location);
	struct sw_err fe = SW_ERR_INIT;
	if (kind == INCR_NVD) {
		cursor = (double)started;
	} else if (kind == INCR_OSV) {
		/* the index's validators, so that the next update asks only
		 * whether it changed; the cursor is the newest record read */
		struct sw_buf b;
		sw_buf_init(&b, MAX_MEMBER);
		char *u = sw_xasprintf("%smodified_id.csv", dir);
		bool nm = false;
		if (fetch_index(u, st, rd->opts, h, &b, &nm, &fe) < 0)
			say(rd->opts, false, "osv: %s; the next update reads it whole", fe.msg);
		else if (rd->max_modified > 0)
			cursor = rd->max_modified;
		free(u);
		sw_buf_release(&b);
	} else {
		/* the changes after the archive was made: its Last-Modified, or
		 * the day its name gives (csaf_vex_YYYY-MM-DD.tar.zst) */
		const char *base = strstr(target, "csaf_vex_");
		char day[32] = "";
		double t0 = 0;
		struct sw_map latest = SW_MAP_INIT;
		bool unchanged = false, ok = false;
		int64_t badlines = 0;
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *end = target_lm ? strptime(target_lm, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
		if (end && !*end) {
			t0 = (double)timegm(&tm);
			ok = true;
		} else if (base && sscanf(base + 9, "%10[0-9-]", day) == 1 && strlen(day) == 10) {
			char *iso = sw_xasprintf("%sT00:00:00Z", day);
			ok = sw_vulndb_parse_time(iso, &t0);
			free(iso);
		}
		{
			if (ok && read_indexes(kind, dir, st, t0, rd->opts, h, &latest, &unchanged, &badlines, &fe) == 0) {
				cursor = t0;
				rd->upsert = true;
				*r = apply_changes(rd, dir, &latest, false, h, &cursor, err);
			} else if (ok) {
				say(rd->opts, false, "redhat-csaf: %s; the next update reads it whole", fe.msg);
			}
		}
		sw_map_free_all(&latest, free);
	}
	free(dir);
	if (cursor < 0) {
		json_decref(st);
		return NULL;
	}
	json_object_set_new(st, "cursor", json_real(cursor));
	char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(st);
	return text;
}

int sw_vulndb_read_location(struct sw_vulndb *db, const struct sw_vulndb_location *loc,
			    const struct sw_vulndb_update_opts *opts, bool *changed, struct sw_err *err)
{
	*changed = false;
	const struct sw_vuln_source *src = sw_vuln_source_find(loc->source);
	if (!src)
		return sw_err_set(err, SW_E_USAGE, "unknown source '%s'", loc->source);
	if (!src->import_file)
		return sw_err_set(err, SW_E_UNSUPPORTED, "the '%s' importer is not in this build", loc->source);
	/* One archive may serve as several locations, each with its own
	 * include glob: the glob is part of the location's identity. */
	char *key = loc->include ? sw_xasprintf("%s [%s]", loc->location, loc->include) : sw_xstrdup(loc->location);
	int64_t loc_id = 0;
	int r = sw_vulndb_location_begin(db, loc->source, key, &loc_id, err);
	if (r < 0) {
		free(key);
		return r;
	}
	int64_t bytes0 = fetched_bytes, started = sw_vulndb_now();
	char *state = NULL;
	if (is_url(loc->location)) {
		bool done = false;
		r = read_incremental(db, src, loc, key, loc_id, opts, changed, &done, err);
		if (r < 0 || done) {
			free(key);
			return r;
		}
	}

	struct http h = { NULL, 0, false, NULL, NULL, NULL, -1 };
	char *dl_path = NULL, *target = NULL;
	struct stat st;
	bool url = is_url(loc->location);
	/* First make sure the location can be read at all: a failure keeps the
	 * records it gave last time.  Downloads go to a file beside the
	 * database (PATH.new-PID.dl: removed with the stale files). */
	if (url) {
		dl_path = sw_xasprintf("%s.new-%ld.dl", sw_vulndb_path(db), (long)getpid());
		h.fp = fopen(dl_path, "w+e");
		if (!h.fp) {
			r = sw_err_errno(err, "cannot create '%s'", dl_path);
			goto out;
		}
		unlink(dl_path); /* anonymous from now on */
		target = sw_xstrdup(loc->location);
		if (sw_ends_with(loc->location, "/archive_latest.txt")) {
			free(target);
			target = NULL;
			r = resolve_latest(loc->location, opts, &h, &target, err);
		}
		char *etag = NULL, *lm = NULL;
		if (r == 0)
			r = sw_vulndb_location_cache(db, loc->source, key, &etag, &lm, err);
		bool not_modified = false;
		if (r == 0 && nvd_paged(loc)) {
			char *first = nvd_page_url(loc->location, 0);
			const char *api_key = getenv("NVD_API_KEY");
			char *hdr = api_key && *api_key ? sw_xasprintf("apiKey: %s", api_key) : NULL;
			r = http_fetch(first, NULL, NULL, hdr, opts, &h, &not_modified, err);
			free(hdr);
			free(first);
		} else if (r == 0) {
			r = http_fetch(target, etag, lm, NULL, opts, &h, &not_modified, err);
		}
		free(etag);
		free(lm);
		if (r == 0 && not_modified) {
			/* unchanged upstream: a (cheap) incremental update */
			r = sw_vulndb_location_mark(db, loc_id, true, fetched_bytes - bytes0, NULL, err);
			goto out;
		}
	} else if (stat(loc->location, &st) != 0) {
		r = sw_err_errno(err, "'%s'", loc->location);
	}
	int64_t prev = 0, now = 0, bad = 0;
	if (r < 0) {
		if (err->code == SW_E_DB || err->code == SW_E_NOMEM ||
		    sw_vulndb_location_counts(db, loc_id, &prev, &bad, err) < 0)
			goto out;
		char *kept = kept_text(prev);
		char *msg = sw_xasprintf("%s; %s", err->msg, kept);
		struct sw_err e2 = SW_ERR_INIT;
		(void)sw_vulndb_location_end(db, loc_id, NULL, NULL, msg, &e2);
		sw_err_set(err, err->code, "%s", msg);
		free(msg);
		free(kept);
		goto out;
	}

	struct reader rd;
	reader_init(&rd, db, src, loc, opts, loc_id);
	if (url && !src->html && h.content_type && sw_starts_with(h.content_type, "text/html"))
		rd_broken(&rd, target, "the server sent an HTML page (Content-Type %s), not %s data", h.content_type,
			  src->name);
	r = sw_vulndb_begin_write(db, err);
	if (r == 0)
		r = sw_vulndb_location_counts(db, loc_id, &prev, &bad, err);
	if (r == 0)
		r = sw_vulndb_location_clear(db, loc_id, err);
	if (r == 0 && rd.broken) {
		/* nothing to read */
	} else if (r == 0) {
		if (url && nvd_paged(loc)) {
			r = rd_nvd_pages(&rd, &h, loc->location, err);
		} else if (url) {
			char *base = url_basename(target);
			if (has_archive_suffix(base)) {
				struct archive *a = archive_reader();
				/* by fd: libarchive can then seek (zip central directory) */
				fflush(h.fp);
				if (lseek(fileno(h.fp), 0, SEEK_SET) != 0 ||
				    archive_read_open_fd(a, fileno(h.fp), 1 << 16) != ARCHIVE_OK)
					rd_broken(&rd, target, "%s",
						  archive_error_string(a) ? archive_error_string(a) : "cannot open archive");
				else
					r = rd_archive(&rd, a, target, err);
				archive_read_free(a);
			} else {
				/* one document, named by the URL */
				struct sw_buf b;
				sw_buf_init(&b, MAX_MEMBER);
				if (read_file_into(h.fp, &b) < 0)
					rd_broken(&rd, target, "download too large or unreadable");
				else
					r = rd_import(&rd, target, (const uint8_t *)b.data, b.len, err);
				sw_buf_release(&b);
			}
			free(base);
		} else if (S_ISDIR(st.st_mode)) {
			r = rd_dir(&rd, loc->location, "", 0, err);
		} else if (has_archive_suffix(loc->location)) {
			r = rd_archive_file(&rd, loc->location, loc->location, err);
		} else {
			r = rd_plain_file(&rd, loc->location, loc->location, err);
		}
	}
	/* the state for the next update (and Red Hat's changes since its archive) */
	char *main_etag = h.etag, *main_lm = h.last_modified; /* the followup fetches more */
	h.etag = h.last_modified = NULL;
	if (r == 0 && url && !rd.broken)
		state = full_followup(&rd, target, main_lm, &h, started, err, &r);
	/* A location read incompletely, or whose records fail a sanity bound,
	 * is rolled back: it keeps exactly what it had, and says why. */
	char *why = NULL;
	if (r == 0)
		r = sw_vulndb_location_counts(db, loc_id, &now, &bad, err);
	if (r == 0)
		why = judge(&rd, prev, now, bad);
	if (r == 0 && why) {
		char *kept = kept_text(prev);
		char *msg = sw_xasprintf("%s; %s", why, kept);
		r = sw_vulndb_rollback(db, err);
		if (r == 0)
			r = sw_vulndb_location_end(db, loc_id, NULL, NULL, msg, err);
		if (r == 0)
			r = sw_err_set(err, SW_E_FORMAT, "%s", msg);
		free(msg);
		free(kept);
	} else if (r == 0) {
		r = sw_vulndb_location_end(db, loc_id, main_etag, main_lm, NULL, err);
		if (r == 0)
			r = sw_vulndb_location_mark(db, loc_id, false, fetched_bytes - bytes0, state, err);
		if (r == 0)
			r = sw_vulndb_commit(db, err);
		if (r == 0)
			*changed = true;
	} else {
		struct sw_err e2 = SW_ERR_INIT;
		(void)sw_vulndb_rollback(db, &e2);
	}
	free(why);
	free(main_etag);
	free(main_lm);
	reader_release(&rd);
out:
	free(state);
	if (h.fp)
		fclose(h.fp);
	free(key);
	free(dl_path);
	free(target);
	free(h.etag);
	free(h.last_modified);
	free(h.content_type);
	return r;
}

/* ---------------------------------------------------------------- update */

void sw_vulndb_update_result_release(struct sw_vulndb_update_result *res)
{
	if (res)
		sw_vec_free_strings(&res->failed_sources);
}

int sw_vulndb_update(const struct sw_vulndb_update_opts *opts, struct sw_vulndb_update_result *res,
		     struct sw_err *err)
{
	struct sw_vulndb_update_result dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	bool stamp = true;
	const char *path = opts->db_path ? opts->db_path : sw_vulndb_default_path();
	char *dir = sw_vulndb_dir_of(path);
	int r = sw_vulndb_mkdir_p(dir, err);
	char *tmp = sw_xasprintf("%s.new-%ld", path, (long)getpid());
	struct sw_vulndb *db = NULL;
	struct sw_vec offline = SW_VEC_INIT;
	int lock_fd = -1;
	bool have_old = false;
	if (r < 0)
		goto out;
	r = sw_vulndb_override_check(err);
	if (r < 0)
		goto out;
	int64_t bytes0 = fetched_bytes;
	lock_fd = sw_vulndb_lock(path, err);
	if (lock_fd < 0) {
		r = lock_fd;
		goto out;
	}
	sw_vulndb_remove_stale(path);
	sw_map_free_all(&dead_hosts, free);

	/* Start from a copy of the current database, if it is usable.  The
	 * copy, never the live file, is migrated and checked. */
	struct stat st;
	if (stat(path, &st) == 0) {
		struct sw_err e = SW_ERR_INIT;
		if (sw_vulndb_copy_file(path, tmp, &e) == 0 && sw_vulndb_open(tmp, SW_VULNDB_CREATE, &db, &e) == 0 &&
		    sw_vulndb_check(db, &e) == 0) {
			have_old = true;
		} else if (e.code == SW_E_UNSUPPORTED) {
			*err = e;
			r = sw_err_wrap(err, "refusing to replace it");
			goto out;
		} else {
			say(opts, true, "cached database is unusable (%s); building a new one", e.msg);
			sw_vulndb_close(db);
			db = NULL;
			unlink(tmp);
		}
	}
	if (!db) {
		r = sw_vulndb_open(tmp, SW_VULNDB_CREATE, &db, err);
		if (r < 0)
			goto out;
	}
	/* The copy is private until renamed: no syncs while building (a crash
	 * just leaves a stale file); fsync before rename.  It keeps a rollback
	 * journal (PATH.new-PID-journal, removed with the stale files): a
	 * location that fails is rolled back to its previous records. */
	r = sw_vulndb_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF", err);
	if (r < 0)
		goto out;

	const struct sw_vec *locs = &opts->locations;
	int first_pass = 0;
	/* Without libcurl no URL can be read: say so once (not once per
	 * source), and go straight to the offline data if there is any. */
	bool any_url = false;
	for (size_t i = 0; i < locs->len; i++)
		any_url |= is_url(((const struct sw_vulndb_location *)locs->items[i])->location);
	struct sw_err le = SW_ERR_INIT;
	if (any_url && sw_libcurl_load(&le) < 0) {
		if (!opts->offline_dir) {
			*err = le;
			r = -le.code;
			goto out;
		}
		say(opts, true, "%s; building from offline data '%s'", le.msg, opts->offline_dir);
		r = sw_vulndb_offline_locations(opts->offline_dir, &offline, err);
		if (r < 0)
			goto out;
		res->used_offline = true;
		locs = &offline;
		first_pass = 1;
	}
	for (int pass = first_pass; pass < 2; pass++) {
		for (size_t i = 0; i < locs->len; i++) {
			const struct sw_vulndb_location *loc = locs->items[i];
			bool changed = false;
			struct sw_err e = SW_ERR_INIT;
			say(opts, false, "reading %s from '%s'", loc->source, loc->location);
			int lr = sw_vulndb_read_location(db, loc, opts, &changed, &e);
			if (lr < 0 && (e.code == SW_E_DB || e.code == SW_E_NOMEM)) {
				*err = e;
				r = lr;
				goto out;
			}
			if (lr < 0) {
				res->failed++;
				if (sw_vec_find_str(&res->failed_sources, loc->source) < 0)
					sw_vec_push_strdup(&res->failed_sources, loc->source);
				say(opts, true, "source '%s': %s", loc->source, e.msg);
				continue;
			}
			if (!changed) {
				res->unchanged++;
				continue;
			}
			res->fetched++;
			int64_t rec = 0, bad = 0;
			sw_vulndb_sink_counts(db, &rec, &bad);
			res->records += rec;
			res->bad_records += bad;
		}
		if (pass == 1 || res->fetched > 0 || res->unchanged > 0 || !opts->offline_dir)
			break;
		/* Nothing could be reached: build from the offline folder. */
		say(opts, true, "no source could be read; building from offline data '%s'", opts->offline_dir);
		r = sw_vulndb_offline_locations(opts->offline_dir, &offline, err);
		if (r < 0)
			goto out;
		res->used_offline = true;
		res->failed = 0;
		sw_vec_free_strings(&res->failed_sources);
		locs = &offline;
	}
	res->bytes = fetched_bytes - bytes0;
	if (res->fetched == 0) {
		if (!have_old) {
			r = sw_err_set(err, SW_E_NET, "no source could be read and there is no cached database at '%s'",
				       path);
			goto out;
		}
		say(opts, true, "%s; the records of the database '%s' are kept as they were",
		    res->failed ? "no source could be read" : "nothing changed", path);
		/* installed to record the checks (db info: last incremental
		 * update, bytes) or why the sources failed; the build time moves
		 * only when every source was found current */
		stamp = !res->failed;
	}
	r = stamp ? sw_vulndb_stamp(db, err) : 0;
	if (r == 0)
		r = sw_vulndb_check(db, err);
	if (r < 0)
		goto out;
	sw_vulndb_close(db);
	db = NULL;
	r = sw_vulndb_commit_file(tmp, path, err);
out:
	sw_map_free_all(&dead_hosts, free);
	sw_vulndb_close(db);
	if (r < 0)
		unlink(tmp);
	for (size_t i = 0; i < offline.len; i++)
		sw_vulndb_location_free(offline.items[i]);
	sw_vec_release(&offline);
	if (lock_fd >= 0)
		close(lock_fd);
	free(tmp);
	free(dir);
	return r;
}
