/*
 * rpm_analyzer.c - format detection, the record collector shared by the
 * three database readers, and the rpm analyzer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/rpm/rpm_internal.h"
#include "inventory/rpm/rpmdb.h"
#include "util/mem.h"

void sw_rpm_collect_init(struct sw_rpm_collect *c, const char *path, struct sw_pkglist *out)
{
	memset(c, 0, sizeof(*c));
	c->path = path ? path : "rpmdb";
	c->out = out;
}

void sw_rpm_warn(struct sw_rpm_collect *c, const char *fmt, ...)
{
	if (c->nwarn++ >= SW_RPM_MAX_WARNINGS)
		return;
	char msg[SW_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_pkglist_warn(c->out, "%s: %s", c->path, msg);
}

static void warn_flush(struct sw_rpm_collect *c)
{
	if (c->nwarn > SW_RPM_MAX_WARNINGS)
		sw_pkglist_warn(c->out, "%s: %zu more problems not listed", c->path,
				c->nwarn - SW_RPM_MAX_WARNINGS);
	c->nwarn = 0;
}

int sw_rpm_collect_blob(struct sw_rpm_collect *c, uint64_t key, const uint8_t *blob, size_t len,
			struct sw_err *err)
{
	struct sw_err herr = SW_ERR_INIT;
	struct sw_package *p = NULL;
	if (++c->nblobs > SW_RPMDB_MAX_PACKAGES)
		return sw_err_set(err, SW_E_LIMIT, "%s: more than %u package records", c->path,
				  SW_RPMDB_MAX_PACKAGES);
	if (sw_rpm_header_parse(blob, len, &p, &herr) < 0) {
		sw_rpm_warn(c, "package record %llu: %s", (unsigned long long)key, herr.msg);
		return 0;
	}
	/* gpg-pubkey headers are imported signing keys, not software: they
	 * own no files and no vulnerability applies to them. */
	if (sw_streq(p->name, "gpg-pubkey")) {
		sw_package_free(p);
		return 0;
	}
	if (c->nrecs == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->recs = sw_xrealloc(c->recs, c->cap * sizeof(*c->recs));
	}
	c->recs[c->nrecs].key = key;
	c->recs[c->nrecs].pkg = p;
	c->nrecs++;
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct sw_rpm_rec *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

void sw_rpm_collect_finish(struct sw_rpm_collect *c)
{
	warn_flush(c);
	if (c->nrecs > 1)
		qsort(c->recs, c->nrecs, sizeof(*c->recs), rec_cmp);
	for (size_t i = 0; i < c->nrecs; i++)
		sw_vec_push(&c->out->pkgs, c->recs[i].pkg);
	free(c->recs);
	c->recs = NULL;
	c->nrecs = c->cap = 0;
}

void sw_rpm_collect_release(struct sw_rpm_collect *c)
{
	warn_flush(c);
	for (size_t i = 0; i < c->nrecs; i++)
		sw_package_free(c->recs[i].pkg);
	free(c->recs);
	c->recs = NULL;
	c->nrecs = c->cap = 0;
}

int sw_rpmdb_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		   struct sw_err *err)
{
	const char *name = path ? path : "rpmdb";
	if (len >= 16 && memcmp(data, "SQLite format 3", 16) == 0)
		return sw_rpmdb_parse_sqlite(path, data, len, out, err);
	if (len >= 4 && memcmp(data, "RpmP", 4) == 0)
		return sw_rpmdb_parse_ndb(path, data, len, out, err);
	if (len >= 16) {
		uint32_t m = sw_rpm_le32(data + 12);
		if (m == 0x00061561u || m == 0x61150600u)
			return sw_rpmdb_parse_bdb(path, data, len, out, err);
		if (m == 0x00053162u || m == 0x62310500u)
			return sw_err_set(err, SW_E_UNSUPPORTED,
					  "%s: berkeley db btree database, rpm uses hash", name);
	}
	if (len == 0)
		return sw_err_set(err, SW_E_FORMAT, "%s: empty file", name);
	return sw_err_set(err, SW_E_FORMAT,
			  "%s: not an rpm database (no sqlite, ndb or berkeley db hash magic)",
			  name);
}

static bool rpm_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	static const char *const dirs[] = {"var/lib/rpm/", "usr/lib/sysimage/rpm/",
					   "usr/share/rpm/"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) != 0)
			continue;
		const char *f = path + n;
		return strcmp(f, "Packages") == 0 || strcmp(f, "Packages.db") == 0 ||
		       strcmp(f, "rpmdb.sqlite") == 0;
	}
	return false;
}

static bool rpm_database(const char *path)
{
	return rpm_wants(path, 0, 0);
}

/* rpmdb.sqlite with its rpmdb.sqlite-wal from the same layer */
static int rpm_parse_with(const char *path, const uint8_t *data, size_t len, const uint8_t *wal,
			  size_t wal_len, struct sw_pkglist *out, struct sw_err *err)
{
	struct sw_err perr = SW_ERR_INIT;
	int rc = len >= 16 && memcmp(data, "SQLite format 3", 16) == 0
			 ? sw_rpmdb_parse_sqlite_wal(path, data, len, wal, wal_len, out, &perr)
			 : sw_rpmdb_parse(path, data, len, out, &perr);
	if (rc < 0) {
		if (perr.code == SW_E_NOMEM)
			return sw_err_set(err, SW_E_NOMEM, "%s", perr.msg);
		sw_pkglist_warn(out, "%s", perr.msg);
	}
	return 0;
}

static int rpm_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		     struct sw_err *err)
{
	struct sw_err perr = SW_ERR_INIT;
	if (sw_rpmdb_parse(path, data, len, out, &perr) < 0) {
		if (perr.code == SW_E_NOMEM)
			return sw_err_set(err, SW_E_NOMEM, "%s", perr.msg);
		sw_pkglist_warn(out, "%s", perr.msg);
	}
	return 0;
}

const struct sw_analyzer sw_analyzer_rpm = {
    .name = "rpm",
    .version = 2, /* 2: rpmdb.sqlite-wal applied */
    .max_size = 512u << 20,
    .wants = rpm_wants,
    .database = rpm_database,
    .parse = rpm_parse,
    .companion_suffix = "-wal",
    .parse_with = rpm_parse_with,
};
