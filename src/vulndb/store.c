/*
 * store.c - the SQLite store of the vulnerability model (schema in
 * docs/vulndb.md).  Ranges, versions and requirement expressions live as
 * compact JSON text inside the affected row: a lookup by (ecosystem,
 * package) is then one index range scan with no joins over events.
 */
#include "vulndb/vulndb.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/map.h"
#include "util/mem.h"

/* Migration i takes user_version i to i + 1. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE locations("
	" id INTEGER PRIMARY KEY, source TEXT NOT NULL, location TEXT NOT NULL,"
	" etag TEXT, last_modified TEXT, updated_at INTEGER NOT NULL DEFAULT 0,"
	" records INTEGER NOT NULL DEFAULT 0, bad_records INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, UNIQUE(source, location));"
	"CREATE TABLE vulns("
	" id INTEGER PRIMARY KEY, vid TEXT NOT NULL, source TEXT NOT NULL, loc INTEGER NOT NULL,"
	" summary TEXT, details TEXT, published TEXT, modified TEXT, withdrawn TEXT);"
	"CREATE INDEX vulns_vid ON vulns(vid, source);"
	"CREATE INDEX vulns_loc ON vulns(loc);"
	"CREATE TABLE aliases(vuln INTEGER NOT NULL, alias TEXT NOT NULL);"
	"CREATE INDEX aliases_vuln ON aliases(vuln);"
	"CREATE INDEX aliases_alias ON aliases(alias);"
	"CREATE TABLE refs(vuln INTEGER NOT NULL, url TEXT NOT NULL);"
	"CREATE INDEX refs_vuln ON refs(vuln);"
	"CREATE TABLE cwes(vuln INTEGER NOT NULL, cwe TEXT NOT NULL);"
	"CREATE INDEX cwes_vuln ON cwes(vuln);"
	"CREATE TABLE severities(vuln INTEGER NOT NULL, source TEXT, type TEXT, vector TEXT,"
	" score REAL, rating TEXT);"
	"CREATE INDEX severities_vuln ON severities(vuln);"
	"CREATE TABLE affected("
	" vuln INTEGER NOT NULL, eco_key TEXT NOT NULL, package TEXT NOT NULL,"
	" ecosystem TEXT NOT NULL, name TEXT NOT NULL, purl TEXT, status INTEGER NOT NULL,"
	" severity TEXT, note TEXT, ranges TEXT, versions TEXT, affected_exprs TEXT,"
	" unaffected_exprs TEXT);"
	"CREATE INDEX affected_pkg ON affected(eco_key, package);"
	"CREATE INDEX affected_name ON affected(package);"
	"CREATE INDEX affected_vuln ON affected(vuln);"
	"CREATE TABLE kev(cve TEXT PRIMARY KEY, loc INTEGER NOT NULL, vendor TEXT, product TEXT,"
	" name TEXT, date_added TEXT, due_date TEXT, ransomware INTEGER, required_action TEXT);"
	"CREATE INDEX kev_loc ON kev(loc);"
	"CREATE TABLE epss(cve TEXT PRIMARY KEY, loc INTEGER NOT NULL, score REAL, percentile REAL,"
	" date TEXT);"
	"CREATE INDEX epss_loc ON epss(loc);"
	"CREATE TABLE bad_records(loc INTEGER NOT NULL, file TEXT, record TEXT, what TEXT);"
	"CREATE INDEX bad_records_loc ON bad_records(loc);"
	"INSERT INTO meta VALUES('format', 'stowaway-vulndb');",
	/* 1 -> 2: public exploits per CVE (Exploit-DB) */
	"CREATE TABLE exploits(cve TEXT NOT NULL, edb_id TEXT NOT NULL, loc INTEGER NOT NULL, title TEXT,"
	" published TEXT, type TEXT, platform TEXT, verified INTEGER, PRIMARY KEY(cve, edb_id)) WITHOUT ROWID;"
	"CREATE INDEX exploits_loc ON exploits(loc);",
	/* 2 -> 3: per-location update state (incremental updates; db info) */
	"ALTER TABLE locations ADD COLUMN last_full INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN last_incremental INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN full_updates INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN incremental_updates INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN last_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN total_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE locations ADD COLUMN state TEXT;",
	/* 3 -> 4: notices (RustSec informational: unmaintained, unsound,
	 * notice): matched like vulnerabilities, reported apart */
	"ALTER TABLE vulns ADD COLUMN informational TEXT;",
};
#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(N_MIGRATIONS == SW_VULNDB_SCHEMA_VERSION, "one migration per schema version");

enum stmt_id {
	ST_AFF_DUP,
	ST_VULN_INS,
	ST_ALIAS_INS,
	ST_REF_INS,
	ST_CWE_INS,
	ST_SEV_INS,
	ST_AFF_INS,
	ST_KEV_INS,
	ST_EPSS_INS,
	ST_BAD_INS,
	ST_LOOKUP,
	ST_LOOKUP_DEBIAN,
	ST_LOOKUP_ANY,
	ST_MERGE_ROWS,
	ST_MERGE_ROWS_OLD,
	ST_ALIAS_SEL,
	ST_SEV_SEL,
	ST_CWE_SEL,
	ST_REF_SEL,
	ST_AFF_SEL,
	ST_BY_ALIAS,
	ST_KEV_SEL,
	ST_EXPLOIT_INS,
	ST_EXPLOIT_SEL,
	ST_EPSS_SEL,
	ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
	[ST_AFF_DUP] = "SELECT 1 FROM affected a JOIN vulns v ON v.id = a.vuln"
		       " WHERE a.eco_key = ?1 AND a.package = ?2 AND v.vid = ?3 AND v.source = ?4"
		       " AND a.ecosystem = ?5 AND a.status = ?6 AND a.ranges IS ?7 AND a.versions IS ?8"
		       " AND a.affected_exprs IS ?9 AND a.unaffected_exprs IS ?10 AND a.severity IS ?11"
		       " AND a.note IS ?12 LIMIT 1",
	[ST_VULN_INS] = "INSERT INTO vulns(vid, source, loc, summary, details, published, modified, withdrawn,"
			" informational) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ALIAS_INS] = "INSERT INTO aliases(vuln, alias) VALUES(?1, ?2)",
	[ST_REF_INS] = "INSERT INTO refs(vuln, url) VALUES(?1, ?2)",
	[ST_CWE_INS] = "INSERT INTO cwes(vuln, cwe) VALUES(?1, ?2)",
	[ST_SEV_INS] = "INSERT INTO severities(vuln, source, type, vector, score, rating)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_AFF_INS] = "INSERT INTO affected(vuln, eco_key, package, ecosystem, name, purl, status, severity,"
		       " note, ranges, versions, affected_exprs, unaffected_exprs)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_KEV_INS] = "INSERT OR REPLACE INTO kev(cve, loc, vendor, product, name, date_added, due_date,"
		       " ransomware, required_action) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_EPSS_INS] = "INSERT OR REPLACE INTO epss(cve, loc, score, percentile, date) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_BAD_INS] = "INSERT INTO bad_records(loc, file, record, what) VALUES(?1, ?2, ?3, ?4)",
	[ST_LOOKUP] = "SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges,"
		      " a.versions, a.affected_exprs, a.unaffected_exprs FROM affected a"
		      " JOIN vulns v ON v.id = a.vuln WHERE a.eco_key = ?1 AND a.package = ?2"
		      " ORDER BY v.vid, v.source",
	/* A Debian release also gets the entries stored under "Debian" (the
	 * tracker's lines without a release: unstable's), as the tracker
	 * computes a release's state: unless the id has a line of its own for
	 * that release and package, or a DSA/DLA/DTSA naming the id has one
	 * (the tracker copies an advisory's release lines to the CVEs it
	 * names: lib/python/security_db.py, "Copy notes from DSA/DTSA/DLA to
	 * CVE") */
	[ST_LOOKUP_DEBIAN] = "SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges,"
			     " a.versions, a.affected_exprs, a.unaffected_exprs, v.source FROM affected a"
			     " JOIN vulns v ON v.id = a.vuln WHERE a.eco_key = ?1 AND a.package = ?2"
			     " UNION ALL"
			     " SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges,"
			     " a.versions, a.affected_exprs, a.unaffected_exprs, v.source FROM affected a"
			     " JOIN vulns v ON v.id = a.vuln WHERE a.eco_key = '" SW_VULNDB_DEBIAN_INHERITED "'"
			     " AND a.package = ?2 AND NOT EXISTS (SELECT 1 FROM affected b JOIN vulns w ON w.id = b.vuln"
			     " WHERE b.eco_key = ?1 AND b.package = ?2 AND ((w.vid = v.vid AND w.source = v.source)"
			     " OR ((w.vid GLOB 'DSA-*' OR w.vid GLOB 'DLA-*' OR w.vid GLOB 'DTSA-*')"
			     " AND EXISTS (SELECT 1 FROM aliases x WHERE x.vuln = w.id AND x.alias = v.vid))))"
			     " ORDER BY 1, 12",
	[ST_LOOKUP_ANY] = "SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges,"
			  " a.versions, a.affected_exprs, a.unaffected_exprs FROM affected a"
			  " JOIN vulns v ON v.id = a.vuln WHERE a.package = ?1 OR a.package = ?2"
			  " ORDER BY v.vid, a.ecosystem",
	[ST_MERGE_ROWS] = "SELECT id, source, summary, details, published, modified, withdrawn, informational"
			  " FROM vulns WHERE vid = ?1 ORDER BY source",
	/* the same on a file older than schema 4 opened read-only (no notices) */
	[ST_MERGE_ROWS_OLD] = "SELECT id, source, summary, details, published, modified, withdrawn, NULL"
			      " FROM vulns WHERE vid = ?1 ORDER BY source",
	[ST_ALIAS_SEL] = "SELECT alias FROM aliases WHERE vuln = ?1",
	[ST_SEV_SEL] = "SELECT source, type, vector, score, rating FROM severities WHERE vuln = ?1",
	[ST_CWE_SEL] = "SELECT cwe FROM cwes WHERE vuln = ?1",
	[ST_REF_SEL] = "SELECT url FROM refs WHERE vuln = ?1",
	[ST_AFF_SEL] = "SELECT '', ecosystem, name, purl, status, severity, note, ranges, versions,"
		       " affected_exprs, unaffected_exprs FROM affected WHERE vuln = ?1",
	/* the most specific record naming the alias: fewest aliases first
	 * (a GHSA for one CVE before a DLA fixing twenty) */
	[ST_BY_ALIAS] = "SELECT v.vid FROM aliases a JOIN vulns v ON v.id = a.vuln WHERE a.alias = ?1"
			" ORDER BY (SELECT count(*) FROM aliases b WHERE b.vuln = v.id), v.vid LIMIT 1",
	[ST_KEV_SEL] = "SELECT cve, vendor, product, name, date_added, due_date, ransomware, required_action"
		       " FROM kev WHERE cve = ?1",
	[ST_EPSS_SEL] = "SELECT cve, score, percentile, date FROM epss WHERE cve = ?1",
	[ST_EXPLOIT_INS] = "INSERT OR REPLACE INTO exploits(cve, edb_id, loc, title, published, type, platform, verified)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_EXPLOIT_SEL] = "SELECT cve, edb_id, title, published, type, platform, verified FROM exploits WHERE cve = ?1"
			   " ORDER BY length(edb_id), edb_id",
};

struct sw_vulndb {
	sqlite3 *db;
	char *path;
	bool rdonly;
	bool no_exploits;        /* a schema-1 file opened read-only: no exploits table */
	bool no_state;           /* a schema-1/2 file opened read-only: no update-state columns */
	bool no_notices;         /* a file older than schema 4 opened read-only: no vulns.informational */
	int read_depth;
	sqlite3_stmt *st[ST__COUNT];
	/* decoded sw_vulndb_lookup() answers while a read transaction is open
	 * (one snapshot: they cannot change): "LEN:eco_key package" -> struct
	 * lookup_rows *.  A scan asks for one source package per binary
	 * package, for "stdlib" once per Go binary... */
	struct sw_map memo;
	/* sink state */
	int64_t sink_loc;
	int64_t sink_records, sink_bad;
};

static int db_error(struct sw_vulndb *db, const char *what, struct sw_err *err)
{
	return sw_err_set(err, SW_E_DB, "database '%s': %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

static int exec(struct sw_vulndb *db, const char *sql, struct sw_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = sw_err_set(err, SW_E_DB, "database '%s': %s", db->path, msg ? msg : "error");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

static sqlite3_stmt *stmt(struct sw_vulndb *db, enum stmt_id id, struct sw_err *err)
{
	if (!db->st[id]) {
		if (sqlite3_prepare_v3(db->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &db->st[id], NULL) !=
		    SQLITE_OK) {
			db_error(db, "prepare", err);
			return NULL;
		}
	} else {
		sqlite3_reset(db->st[id]);
		sqlite3_clear_bindings(db->st[id]);
	}
	return db->st[id];
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? sw_xstrdup((const char *)t) : NULL;
}

static int step_done(struct sw_vulndb *db, sqlite3_stmt *s, struct sw_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(db, "write", err);
	return 0;
}

static int64_t query_int(struct sw_vulndb *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *s = NULL;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* ---------------------------------------------------------------- names */

char *sw_vulndb_normalize_name(const char *ecosystem, const char *name)
{
	if (!name)
		return sw_xstrdup("");
	if (!ecosystem || strcmp(ecosystem, "PyPI") != 0)
		return sw_xstrdup(name);
	size_t n = strlen(name);
	char *out = sw_xmalloc(n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-' || c == '_' || c == '.') {
			if (j == 0 || out[j - 1] != '-')
				out[j++] = '-';
			continue;
		}
		out[j++] = (char)tolower((unsigned char)c);
	}
	out[j] = '\0';
	return out;
}

char *sw_vulndb_ecosystem_key(const char *ecosystem)
{
	if (!ecosystem)
		return sw_xstrdup("");
	size_t n = strlen(ecosystem);
	if (n > 4 && strcmp(ecosystem + n - 4, ":LTS") == 0)
		return sw_xstrndup(ecosystem, n - 4);
	return sw_xstrdup(ecosystem);
}

const char *sw_vulndb_default_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("STOWAWAY_DB");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/')
		snprintf(path, sizeof(path), "%s/stowaway/vulndb.sqlite", xdg);
	else
		snprintf(path, sizeof(path), "%s/.cache/stowaway/vulndb.sqlite", home && *home ? home : "/tmp");
	return path;
}

int64_t sw_vulndb_now(void)
{
	const char *env = getenv("STOWAWAY_NOW");
	if (env && *env) {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(env, &end, 10);
		if (errno == 0 && end && *end == '\0')
			return (int64_t)v;
	}
	return (int64_t)time(NULL);
}

int sw_vulndb_parse_duration(const char *s, int64_t *seconds, struct sw_err *err)
{
	if (!s || !*s)
		return sw_err_set(err, SW_E_USAGE, "empty duration");
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return sw_err_set(err, SW_E_USAGE, "bad duration '%s'", s);
	int64_t mul = 1;
	if (*end) {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default: return sw_err_set(err, SW_E_USAGE, "bad duration '%s' (use s, m, h, d or w)", s);
		}
		if (end[1])
			return sw_err_set(err, SW_E_USAGE, "bad duration '%s'", s);
	}
	if (v > INT64_MAX / mul)
		return sw_err_set(err, SW_E_USAGE, "duration '%s' is too long", s);
	*seconds = (int64_t)v * mul;
	return 0;
}

/* ---------------------------------------------------------------- open */

static int migrate(struct sw_vulndb *db, struct sw_err *err)
{
	int64_t v = query_int(db, "PRAGMA user_version", 0);
	if (v > SW_VULNDB_SCHEMA_VERSION)
		return sw_err_set(err, SW_E_DB,
				  "database '%s' has schema version %lld, newer than this stowaway (%d)",
				  db->path, (long long)v, SW_VULNDB_SCHEMA_VERSION);
	if (v == 0 && query_int(db, "SELECT count(*) FROM sqlite_master", 0) > 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "'%s' is not a stowaway vulnerability database", db->path);
	if (v == SW_VULNDB_SCHEMA_VERSION)
		return 0;
	/* schema 2 only added the exploits table: a schema-1 file still scans
	 * (without exploits) until the next update migrates it */
	if (db->rdonly && v == 1) {
		db->no_exploits = true;
		db->no_state = true;
		db->no_notices = true;
		return 0;
	}
	/* schema 3 only added update-state columns to locations, schema 4 the
	 * notices column read by ST_MERGE_ROWS: an older file scans without
	 * them until the next update */
	if (db->rdonly && v >= 2 && v < 4) {
		db->no_state = v < 3;
		db->no_notices = true;
		return 0;
	}
	if (db->rdonly)
		return sw_err_set(err, SW_E_DB,
				  "database '%s' has schema version %lld; run 'stowaway db update' to migrate it",
				  db->path, (long long)v);
	for (int64_t i = v; i < (int64_t)N_MIGRATIONS; i++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %lld", (long long)(i + 1));
		int r = exec(db, "BEGIN IMMEDIATE", err);
		if (r == 0)
			r = exec(db, migrations[i], err);
		if (r == 0)
			r = exec(db, pragma, err);
		if (r == 0)
			r = exec(db, "COMMIT", err);
		if (r < 0) {
			(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			return sw_err_wrap(err, "migration to schema %lld", (long long)(i + 1));
		}
	}
	return 0;
}

int sw_vulndb_open(const char *path, unsigned flags, struct sw_vulndb **out, struct sw_err *err)
{
	if (!path)
		path = sw_vulndb_default_path();
	struct sw_vulndb *db = sw_xcalloc(1, sizeof(*db));
	db->path = sw_xstrdup(path);
	db->rdonly = (flags & SW_VULNDB_RDONLY) != 0;
	int oflags = SQLITE_OPEN_NOMUTEX;
	struct stat st;
	int r;
	if (db->rdonly || !(flags & SW_VULNDB_CREATE)) {
		if (stat(path, &st) != 0) {
			r = sw_err_set(err, SW_E_NOTFOUND,
				       "no vulnerability database at '%s'; run 'stowaway db update'", path);
			goto fail;
		}
	}
	oflags |= db->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & SW_VULNDB_CREATE && !db->rdonly)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->db, oflags, NULL) != SQLITE_OK) {
		r = db_error(db, "cannot open", err);
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, 5000);
	/* Rollback journal, not WAL: the file is only ever replaced by
	 * rename(), never written while readers have it open, so WAL's
	 * -wal/-shm side files would only get in the way of the swap. */
	r = exec(db, "PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY", err);
	if (r < 0)
		goto fail;
	if (db->rdonly) {
		r = exec(db, "PRAGMA query_only = 1", err);
		if (r < 0)
			goto fail;
	}
	/* A file that is not SQLite at all fails here. */
	if (sqlite3_exec(db->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		r = db_error(db, "not a database", err);
		goto fail;
	}
	r = migrate(db, err);
	if (r < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sw_vulndb_close(db);
	return r;
}

static void memo_clear(struct sw_vulndb *db);

void sw_vulndb_close(struct sw_vulndb *db)
{
	if (!db)
		return;
	memo_clear(db);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(db->st[i]);
	if (db->db)
		sqlite3_close(db->db);
	free(db->path);
	free(db);
}

const char *sw_vulndb_path(const struct sw_vulndb *db)
{
	return db->path;
}

int sw_vulndb_exec(struct sw_vulndb *db, const char *sql, struct sw_err *err)
{
	return exec(db, sql, err);
}

int sw_vulndb_begin_read(struct sw_vulndb *db, struct sw_err *err)
{
	if (db->read_depth++ > 0)
		return 0;
	int r = exec(db, "BEGIN", err);
	if (r < 0) {
		db->read_depth--;
		return r;
	}
	/* Take the shared lock now, so the whole scan sees one snapshot. */
	(void)query_int(db, "SELECT count(*) FROM meta", 0);
	return 0;
}

int sw_vulndb_end_read(struct sw_vulndb *db, struct sw_err *err)
{
	if (db->read_depth == 0)
		return 0;
	if (--db->read_depth > 0)
		return 0;
	memo_clear(db);
	return exec(db, "COMMIT", err);
}

int sw_vulndb_begin_write(struct sw_vulndb *db, struct sw_err *err)
{
	return exec(db, "BEGIN IMMEDIATE", err);
}

int sw_vulndb_commit(struct sw_vulndb *db, struct sw_err *err)
{
	return exec(db, "COMMIT", err);
}

int sw_vulndb_rollback(struct sw_vulndb *db, struct sw_err *err)
{
	return exec(db, "ROLLBACK", err);
}

int sw_vulndb_stamp(struct sw_vulndb *db, struct sw_err *err)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES('built_at', '%lld')",
		 (long long)sw_vulndb_now());
	return exec(db, sql, err);
}

int sw_vulndb_check(struct sw_vulndb *db, struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db->db, "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "quick_check", err);
	int rc = sqlite3_step(s);
	const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
	int r = 0;
	if (!t || strcmp((const char *)t, "ok") != 0)
		r = sw_err_set(err, SW_E_DB, "database '%s' is damaged: %s", db->path,
			       t ? (const char *)t : sqlite3_errmsg(db->db));
	sqlite3_finalize(s);
	if (r == 0 && query_int(db, "SELECT count(*) FROM meta WHERE key = 'format' AND value = 'stowaway-vulndb'",
				0) != 1)
		r = sw_err_set(err, SW_E_DB, "'%s' is not a stowaway vulnerability database", db->path);
	return r;
}

/* ---------------------------------------------------------------- JSON columns */

static const char *const event_names[] = {
	[SW_EV_INTRODUCED] = "introduced",
	[SW_EV_FIXED] = "fixed",
	[SW_EV_LAST_AFFECTED] = "last_affected",
	[SW_EV_LIMIT] = "limit",
};

static char *json_dump_free(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	return s;
}

static char *strings_json(const struct sw_vec *v)
{
	if (v->len == 0)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i])
			json_array_append_new(a, json_string(v->items[i]));
	return json_dump_free(a);
}

static char *ranges_json(const struct sw_vec *ranges)
{
	if (ranges->len == 0)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < ranges->len; i++) {
		const struct sw_range *r = ranges->items[i];
		json_t *events = json_array();
		for (size_t k = 0; k < r->events.len; k++) {
			const struct sw_event *e = r->events.items[k];
			if ((unsigned)e->kind > SW_EV_LIMIT || !e->version)
				continue;
			json_t *o = json_object();
			json_object_set_new(o, event_names[e->kind], json_string(e->version));
			json_array_append_new(events, o);
		}
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string(r->type ? r->type : "ECOSYSTEM"));
		json_object_set_new(o, "events", events);
		json_array_append_new(a, o);
	}
	return json_dump_free(a);
}

/* The JSON columns were written by ranges_json() / strings_json(); a text
 * that does not parse reads as empty, as before. */
static void strings_parse(const char *text, struct sw_vec *out)
{
	struct sw_json_doc *d = NULL;
	if (!text || sw_json_parse(text, strlen(text), &d, NULL) < 0)
		return;
	const struct sw_json *a = sw_json_root(d);
	for (size_t i = 0; i < sw_json_array_len(a); i++) {
		const char *x = sw_json_str(sw_json_at(a, i));
		if (x)
			sw_vec_push_strdup(out, x);
	}
	sw_json_doc_free(d);
}

static void ranges_parse(const char *text, struct sw_vec *out)
{
	struct sw_json_doc *d = NULL;
	if (!text || sw_json_parse(text, strlen(text), &d, NULL) < 0)
		return;
	const struct sw_json *a = sw_json_root(d);
	for (size_t i = 0; i < sw_json_array_len(a); i++) {
		const struct sw_json *x = sw_json_at(a, i);
		struct sw_range *r = sw_range_new(sw_json_get_str(x, "type"));
		const struct sw_json *events = sw_json_get(x, "events");
		for (size_t k = 0; k < sw_json_array_len(events); k++) {
			const struct sw_json *e = sw_json_at(events, k);
			for (int kind = 0; kind <= SW_EV_LIMIT; kind++) {
				const char *val = sw_json_get_str(e, event_names[kind]);
				if (val)
					sw_range_add_event(r, (enum sw_event_kind)kind, val);
			}
		}
		sw_vec_push(out, r);
	}
	sw_json_doc_free(d);
}

/* ---------------------------------------------------------------- writing */

static int insert_strings(struct sw_vulndb *db, enum stmt_id id, int64_t row, const struct sw_vec *v,
			  const char *skip, struct sw_err *err)
{
	for (size_t i = 0; i < v->len; i++) {
		const char *t = v->items[i];
		if (!t || !*t || sw_streq(t, skip))
			continue;
		/* drop duplicates inside one record */
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = sw_streq(v->items[k], t);
		if (dup)
			continue;
		sqlite3_stmt *s = stmt(db, id, err);
		if (!s)
			return -SW_E_DB;
		sqlite3_bind_int64(s, 1, row);
		bind_text(s, 2, t);
		if (step_done(db, s, err) < 0)
			return -SW_E_DB;
	}
	return 0;
}

int sw_vulndb_put_vuln(struct sw_vulndb *db, int64_t loc_id, const struct sw_vuln *v, struct sw_err *err)
{
	if (!v || !v->id || !*v->id)
		return sw_err_set(err, SW_E_FORMAT, "record without an id");
	const char *source = v->source ? v->source : "unknown";
	/* Every record is a row of its own: one source may send one id from
	 * several files, each with part of the affected entries (Alpine per
	 * release, RubySec per gem).  Rows of one id are merged on read; an
	 * affected entry equal to one already stored for (id, source) is
	 * skipped, so reading the same record twice adds nothing. */
	sqlite3_stmt *s = stmt(db, ST_VULN_INS, err);
	if (!s)
		return -SW_E_DB;
	bind_text(s, 1, v->id);
	bind_text(s, 2, source);
	sqlite3_bind_int64(s, 3, loc_id);
	bind_text(s, 4, v->summary);
	bind_text(s, 5, v->details);
	bind_text(s, 6, v->published);
	bind_text(s, 7, v->modified);
	bind_text(s, 8, v->withdrawn);
	bind_text(s, 9, v->informational);
	if (step_done(db, s, err) < 0)
		return -SW_E_DB;
	int64_t row = sqlite3_last_insert_rowid(db->db);

	if (insert_strings(db, ST_ALIAS_INS, row, &v->aliases, v->id, err) < 0 ||
	    insert_strings(db, ST_REF_INS, row, &v->references, NULL, err) < 0 ||
	    insert_strings(db, ST_CWE_INS, row, &v->cwes, NULL, err) < 0)
		return -SW_E_DB;

	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *sv = v->severities.items[i];
		s = stmt(db, ST_SEV_INS, err);
		if (!s)
			return -SW_E_DB;
		sqlite3_bind_int64(s, 1, row);
		bind_text(s, 2, sv->source ? sv->source : source);
		bind_text(s, 3, sv->type);
		bind_text(s, 4, sv->vector);
		sqlite3_bind_double(s, 5, sv->score);
		bind_text(s, 6, sv->rating);
		if (step_done(db, s, err) < 0)
			return -SW_E_DB;
	}

	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		if (!a->ecosystem || !a->package)
			continue;
		char *key = sw_vulndb_ecosystem_key(a->ecosystem);
		char *pkg = sw_vulndb_normalize_name(a->ecosystem, a->package);
		char *ranges = ranges_json(&a->ranges);
		char *versions = strings_json(&a->versions);
		char *aexp = strings_json(&a->affected_exprs);
		char *uexp = strings_json(&a->unaffected_exprs);
		int r = 0;
		bool dup = false;
		s = stmt(db, ST_AFF_DUP, err);
		if (!s) {
			r = -SW_E_DB;
		} else {
			bind_text(s, 1, key);
			bind_text(s, 2, pkg);
			bind_text(s, 3, v->id);
			bind_text(s, 4, source);
			bind_text(s, 5, a->ecosystem);
			sqlite3_bind_int(s, 6, (int)a->status);
			bind_text(s, 7, ranges);
			bind_text(s, 8, versions);
			bind_text(s, 9, aexp);
			bind_text(s, 10, uexp);
			bind_text(s, 11, a->severity);
			bind_text(s, 12, a->note);
			int rc = sqlite3_step(s);
			dup = rc == SQLITE_ROW;
			sqlite3_reset(s);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE)
				r = db_error(db, "read", err);
		}
		if (r == 0 && !dup)
			s = stmt(db, ST_AFF_INS, err);
		if (r < 0 || dup) {
			/* nothing to insert */
		} else if (!s) {
			r = -SW_E_DB;
		} else {
			sqlite3_bind_int64(s, 1, row);
			bind_text(s, 2, key);
			bind_text(s, 3, pkg);
			bind_text(s, 4, a->ecosystem);
			bind_text(s, 5, a->package);
			bind_text(s, 6, a->purl);
			sqlite3_bind_int(s, 7, (int)a->status);
			bind_text(s, 8, a->severity);
			bind_text(s, 9, a->note);
			bind_text(s, 10, ranges);
			bind_text(s, 11, versions);
			bind_text(s, 12, aexp);
			bind_text(s, 13, uexp);
			r = step_done(db, s, err);
		}
		free(key);
		free(pkg);
		free(ranges);
		free(versions);
		free(aexp);
		free(uexp);
		if (r < 0)
			return r;
	}
	return 0;
}

int sw_vulndb_put_kev(struct sw_vulndb *db, int64_t loc_id, const struct sw_kev *k, struct sw_err *err)
{
	if (!k || !k->cve)
		return sw_err_set(err, SW_E_FORMAT, "KEV entry without a CVE id");
	sqlite3_stmt *s = stmt(db, ST_KEV_INS, err);
	if (!s)
		return -SW_E_DB;
	bind_text(s, 1, k->cve);
	sqlite3_bind_int64(s, 2, loc_id);
	bind_text(s, 3, k->vendor);
	bind_text(s, 4, k->product);
	bind_text(s, 5, k->name);
	bind_text(s, 6, k->date_added);
	bind_text(s, 7, k->due_date);
	sqlite3_bind_int(s, 8, k->ransomware ? 1 : 0);
	bind_text(s, 9, k->required_action);
	return step_done(db, s, err);
}

int sw_vulndb_put_exploit(struct sw_vulndb *db, int64_t loc_id, const struct sw_exploit *x, struct sw_err *err)
{
	if (!x || !x->cve || !x->id)
		return sw_err_set(err, SW_E_FORMAT, "exploit without a CVE or an id");
	sqlite3_stmt *s = stmt(db, ST_EXPLOIT_INS, err);
	if (!s)
		return -SW_E_DB;
	bind_text(s, 1, x->cve);
	bind_text(s, 2, x->id);
	sqlite3_bind_int64(s, 3, loc_id);
	bind_text(s, 4, x->title);
	bind_text(s, 5, x->published);
	bind_text(s, 6, x->type);
	bind_text(s, 7, x->platform);
	sqlite3_bind_int(s, 8, x->verified ? 1 : 0);
	return step_done(db, s, err);
}

int sw_vulndb_put_epss(struct sw_vulndb *db, int64_t loc_id, const struct sw_epss *e, struct sw_err *err)
{
	if (!e || !e->cve)
		return sw_err_set(err, SW_E_FORMAT, "EPSS row without a CVE id");
	sqlite3_stmt *s = stmt(db, ST_EPSS_INS, err);
	if (!s)
		return -SW_E_DB;
	bind_text(s, 1, e->cve);
	sqlite3_bind_int64(s, 2, loc_id);
	sqlite3_bind_double(s, 3, e->score);
	sqlite3_bind_double(s, 4, e->percentile);
	bind_text(s, 5, e->date);
	return step_done(db, s, err);
}

int sw_vulndb_put_bad(struct sw_vulndb *db, int64_t loc_id, const char *file, const char *record,
		      const char *what, struct sw_err *err)
{
	sqlite3_stmt *s = stmt(db, ST_BAD_INS, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_int64(s, 1, loc_id);
	bind_text(s, 2, file);
	bind_text(s, 3, record);
	bind_text(s, 4, what);
	return step_done(db, s, err);
}

/* ---------------------------------------------------------------- locations */

int sw_vulndb_location_begin(struct sw_vulndb *db, const char *source, const char *location,
			     int64_t *loc_id, struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO locations(source, location) VALUES(?1, ?2)"
			       " ON CONFLICT(source, location) DO UPDATE SET source = excluded.source"
			       " RETURNING id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "location", err);
	bind_text(s, 1, source);
	bind_text(s, 2, location);
	int rc = sqlite3_step(s);
	int r = 0;
	if (rc == SQLITE_ROW)
		*loc_id = sqlite3_column_int64(s, 0);
	else
		r = db_error(db, "location", err);
	sqlite3_finalize(s);
	return r;
}

int sw_vulndb_location_clear(struct sw_vulndb *db, int64_t loc_id, struct sw_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM aliases WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1)",
		"DELETE FROM refs WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1)",
		"DELETE FROM cwes WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1)",
		"DELETE FROM severities WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1)",
		"DELETE FROM affected WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1)",
		"DELETE FROM vulns WHERE loc = ?1",
		"DELETE FROM kev WHERE loc = ?1",
		"DELETE FROM epss WHERE loc = ?1",
		"DELETE FROM exploits WHERE loc = ?1",
		"DELETE FROM bad_records WHERE loc = ?1",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db->db, sql[i], -1, &s, NULL) != SQLITE_OK)
			return db_error(db, "clear location", err);
		sqlite3_bind_int64(s, 1, loc_id);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return db_error(db, "clear location", err);
	}
	return 0;
}

int sw_vulndb_location_end(struct sw_vulndb *db, int64_t loc_id, const char *etag, const char *last_modified,
			   const char *error, struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *sql =
		error ? "UPDATE locations SET last_error = ?4 WHERE id = ?1"
		      : "UPDATE locations SET etag = ?2, last_modified = ?3, last_error = NULL, updated_at = ?5,"
			" records = (SELECT count(*) FROM vulns WHERE loc = ?1)"
			" + (SELECT count(*) FROM kev WHERE loc = ?1) + (SELECT count(*) FROM epss WHERE loc = ?1)"
			" + (SELECT count(*) FROM exploits WHERE loc = ?1),"
			" bad_records = (SELECT count(*) FROM bad_records WHERE loc = ?1) WHERE id = ?1";
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "location", err);
	sqlite3_bind_int64(s, 1, loc_id);
	if (!error) {
		bind_text(s, 2, etag);
		bind_text(s, 3, last_modified);
		sqlite3_bind_int64(s, 5, sw_vulndb_now());
	} else {
		bind_text(s, 4, error);
	}
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(db, "location", err);
}

int sw_vulndb_location_counts(struct sw_vulndb *db, int64_t loc_id, int64_t *records, int64_t *bad,
			      struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT (SELECT count(*) FROM vulns WHERE loc = ?1) + (SELECT count(*) FROM kev WHERE loc = ?1)"
			       " + (SELECT count(*) FROM epss WHERE loc = ?1) + (SELECT count(*) FROM exploits WHERE loc = ?1),"
			       " (SELECT count(*) FROM bad_records WHERE loc = ?1)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "location counts", err);
	sqlite3_bind_int64(s, 1, loc_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*records = sqlite3_column_int64(s, 0);
		*bad = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_error(db, "location counts", err);
}

int sw_vulndb_location_cache(struct sw_vulndb *db, const char *source, const char *location, char **etag,
			     char **last_modified, struct sw_err *err)
{
	*etag = *last_modified = NULL;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT etag, last_modified FROM locations WHERE source = ?1 AND location = ?2"
			       " AND updated_at > 0",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "location", err);
	bind_text(s, 1, source);
	bind_text(s, 2, location);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*etag = col_dup(s, 0);
		*last_modified = col_dup(s, 1);
	}
	sqlite3_finalize(s);
	return 0;
}

int sw_vulndb_location_state(struct sw_vulndb *db, int64_t loc_id, char **state, int64_t *last_full,
			     struct sw_err *err)
{
	*state = NULL;
	*last_full = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db->db, "SELECT state, last_full FROM locations WHERE id = ?1 AND updated_at > 0", -1,
			       &s, NULL) != SQLITE_OK)
		return db_error(db, "location state", err);
	sqlite3_bind_int64(s, 1, loc_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*state = col_dup(s, 0);
		*last_full = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return 0;
}

int sw_vulndb_location_mark(struct sw_vulndb *db, int64_t loc_id, bool incremental, int64_t bytes,
			    const char *state, struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	const char *sql = incremental
		? "UPDATE locations SET last_incremental = ?2, incremental_updates = incremental_updates + 1,"
		  " last_bytes = ?3, total_bytes = total_bytes + ?3, state = coalesce(?4, state) WHERE id = ?1"
		: "UPDATE locations SET last_full = ?2, full_updates = full_updates + 1,"
		  " last_bytes = ?3, total_bytes = total_bytes + ?3, state = ?4 WHERE id = ?1";
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(db, "location state", err);
	sqlite3_bind_int64(s, 1, loc_id);
	sqlite3_bind_int64(s, 2, sw_vulndb_now());
	sqlite3_bind_int64(s, 3, bytes);
	bind_text(s, 4, state);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_error(db, "location state", err);
}

int sw_vulndb_delete_vuln(struct sw_vulndb *db, int64_t loc_id, const char *vid, struct sw_err *err)
{
	static const char *const sql[] = {
		"DELETE FROM aliases WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1 AND vid = ?2)",
		"DELETE FROM refs WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1 AND vid = ?2)",
		"DELETE FROM cwes WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1 AND vid = ?2)",
		"DELETE FROM severities WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1 AND vid = ?2)",
		"DELETE FROM affected WHERE vuln IN (SELECT id FROM vulns WHERE loc = ?1 AND vid = ?2)",
		"DELETE FROM vulns WHERE loc = ?1 AND vid = ?2",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db->db, sql[i], -1, &s, NULL) != SQLITE_OK)
			return db_error(db, "delete record", err);
		sqlite3_bind_int64(s, 1, loc_id);
		bind_text(s, 2, vid);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return db_error(db, "delete record", err);
	}
	return 0;
}

static int sink_put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	struct sw_vulndb *db = ctx;
	int r = sw_vulndb_put_vuln(db, db->sink_loc, v, err);
	if (r == 0)
		db->sink_records++;
	return r;
}

static int sink_put_kev(void *ctx, const struct sw_kev *k, struct sw_err *err)
{
	struct sw_vulndb *db = ctx;
	int r = sw_vulndb_put_kev(db, db->sink_loc, k, err);
	if (r == 0)
		db->sink_records++;
	return r;
}

static int sink_put_epss(void *ctx, const struct sw_epss *e, struct sw_err *err)
{
	struct sw_vulndb *db = ctx;
	int r = sw_vulndb_put_epss(db, db->sink_loc, e, err);
	if (r == 0)
		db->sink_records++;
	return r;
}

static int sink_put_exploit(void *ctx, const struct sw_exploit *x, struct sw_err *err)
{
	struct sw_vulndb *db = ctx;
	int r = sw_vulndb_put_exploit(db, db->sink_loc, x, err);
	if (r == 0)
		db->sink_records++;
	return r;
}

static void sink_bad(void *ctx, const char *file, const char *record, const char *what)
{
	struct sw_vulndb *db = ctx;
	db->sink_bad++;
	(void)sw_vulndb_put_bad(db, db->sink_loc, file, record, what, NULL);
}

void sw_vulndb_sink(struct sw_vulndb *db, int64_t loc_id, struct sw_vuln_sink *sink)
{
	db->sink_loc = loc_id;
	db->sink_records = db->sink_bad = 0;
	sink->ctx = db;
	sink->put_vuln = sink_put_vuln;
	sink->put_kev = sink_put_kev;
	sink->put_epss = sink_put_epss;
	sink->put_exploit = sink_put_exploit;
	sink->bad_record = sink_bad;
}

void sw_vulndb_sink_counts(struct sw_vulndb *db, int64_t *records, int64_t *bad)
{
	if (records)
		*records = db->sink_records;
	if (bad)
		*bad = db->sink_bad;
}

/* ---------------------------------------------------------------- reading */

static void push_unique(struct sw_vec *v, const char *s)
{
	if (s && sw_vec_find_str(v, s) < 0)
		sw_vec_push_strdup(v, s);
}

static int collect_strings(struct sw_vulndb *db, enum stmt_id id, int64_t row, struct sw_vec *out,
			   const char *skip, struct sw_err *err)
{
	sqlite3_stmt *s = stmt(db, id, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_int64(s, 1, row);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t && !sw_streq(t, skip))
			push_unique(out, t);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_error(db, "read", err);
}

static struct sw_affected *affected_from_row(sqlite3_stmt *s)
{
	struct sw_affected *a = sw_affected_new((const char *)sqlite3_column_text(s, 1),
						(const char *)sqlite3_column_text(s, 2));
	a->purl = col_dup(s, 3);
	a->status = (enum sw_vuln_status)sqlite3_column_int(s, 4);
	a->severity = col_dup(s, 5);
	a->note = col_dup(s, 6);
	ranges_parse((const char *)sqlite3_column_text(s, 7), &a->ranges);
	strings_parse((const char *)sqlite3_column_text(s, 8), &a->versions);
	strings_parse((const char *)sqlite3_column_text(s, 9), &a->affected_exprs);
	strings_parse((const char *)sqlite3_column_text(s, 10), &a->unaffected_exprs);
	return a;
}

/* An entry inherited from unstable by a stable release: its fixed version
 * is unstable's, compared with the release's package (below it: affected)
 * but not a fix the release has.  Fixed events become limits, the status
 * affected, and the note says where the fix is. */
static void inherit_from_unstable(struct sw_affected *a)
{
	struct sw_buf note;
	sw_buf_init(&note, 4096);
	for (size_t i = 0; i < a->ranges.len; i++) {
		struct sw_range *r = a->ranges.items[i];
		for (size_t k = 0; k < r->events.len; k++) {
			struct sw_event *e = r->events.items[k];
			if (e->kind != SW_EV_FIXED)
				continue;
			e->kind = SW_EV_LIMIT;
			sw_buf_addf(&note, "%s%s", note.len ? ", " : "fixed in unstable ", e->version ? e->version : "");
		}
	}
	if (a->status == SW_ST_FIXED)
		a->status = SW_ST_AFFECTED;
	if (note.len) {
		if (a->note)
			sw_buf_addf(&note, "; %s", a->note);
		free(a->note);
		a->note = sw_xstrdup(note.data);
	}
	sw_buf_release(&note);
}

static int collect_severities(struct sw_vulndb *db, int64_t row, struct sw_vuln *v, struct sw_err *err)
{
	sqlite3_stmt *s = stmt(db, ST_SEV_SEL, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_int64(s, 1, row);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(s, 0);
		const char *type = (const char *)sqlite3_column_text(s, 1);
		const char *vec = (const char *)sqlite3_column_text(s, 2);
		bool dup = false;
		for (size_t i = 0; i < v->severities.len && !dup; i++) {
			const struct sw_severity *o = v->severities.items[i];
			dup = sw_streq(o->source, src) && sw_streq(o->type, type) &&
			      (o->vector == vec || sw_streq(o->vector, vec));
		}
		if (dup)
			continue;
		sw_vec_push(&v->severities,
			    sw_severity_new(src, type, vec, sqlite3_column_double(s, 3),
					    (const char *)sqlite3_column_text(s, 4)));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_error(db, "read", err);
}

/* The merged record of every (vid, source) row.  full: also references
 * and affected entries.  *out NULL when vid is unknown. */
static int load_merged(struct sw_vulndb *db, const char *vid, bool full, struct sw_vuln **out,
		       struct sw_err *err)
{
	*out = NULL;
	sqlite3_stmt *s = stmt(db, db->no_notices ? ST_MERGE_ROWS_OLD : ST_MERGE_ROWS, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_text(s, 1, vid, -1, SQLITE_TRANSIENT);
	struct sw_vec rows = SW_VEC_INIT; /* int64 row ids, boxed */
	struct sw_vuln *v = NULL;
	struct sw_buf sources = SW_BUF_INIT;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!v)
			v = sw_vuln_new(vid, NULL);
		int64_t *row = sw_xmalloc(sizeof(*row));
		*row = sqlite3_column_int64(s, 0);
		sw_vec_push(&rows, row);
		if (sources.len)
			sw_buf_addch(&sources, ',');
		sw_buf_addstr(&sources, (const char *)sqlite3_column_text(s, 1));
		if (!v->summary)
			v->summary = col_dup(s, 2);
		if (!v->details)
			v->details = col_dup(s, 3);
		const char *pub = (const char *)sqlite3_column_text(s, 4);
		if (pub && (!v->published || strcmp(pub, v->published) < 0))
			sw_str_set(&v->published, pub);
		const char *mod = (const char *)sqlite3_column_text(s, 5);
		if (mod && (!v->modified || strcmp(mod, v->modified) > 0))
			sw_str_set(&v->modified, mod);
		if (!v->withdrawn)
			v->withdrawn = col_dup(s, 6);
		if (!v->informational)
			v->informational = col_dup(s, 7);
	}
	sqlite3_reset(s);
	int r = rc == SQLITE_DONE ? 0 : db_error(db, "read", err);
	for (size_t i = 0; r == 0 && i < rows.len; i++) {
		int64_t row = *(int64_t *)rows.items[i];
		r = collect_strings(db, ST_ALIAS_SEL, row, &v->aliases, vid, err);
		if (r == 0)
			r = collect_severities(db, row, v, err);
		if (r == 0)
			r = collect_strings(db, ST_CWE_SEL, row, &v->cwes, NULL, err);
		if (r == 0 && full)
			r = collect_strings(db, ST_REF_SEL, row, &v->references, NULL, err);
		if (r == 0 && full) {
			sqlite3_stmt *a = stmt(db, ST_AFF_SEL, err);
			if (!a) {
				r = -SW_E_DB;
				break;
			}
			sqlite3_bind_int64(a, 1, row);
			while ((rc = sqlite3_step(a)) == SQLITE_ROW)
				sw_vec_push(&v->affected, affected_from_row(a));
			sqlite3_reset(a);
			if (rc != SQLITE_DONE)
				r = db_error(db, "read", err);
		}
	}
	sw_vec_free_all(&rows, free);
	if (v) {
		char *src = sw_buf_detach(&sources, NULL);
		free(v->source);
		v->source = src;
	}
	sw_buf_release(&sources);
	if (r < 0) {
		sw_vuln_free(v);
		return r;
	}
	*out = v;
	return 0;
}

/* The answer to one lookup, decoded: row i is (vulns[i], affs[i]). */
struct lookup_rows {
	struct sw_vec owned;   /* struct sw_vuln *: one per distinct id */
	struct sw_vec vulns;   /* per row, borrowed from owned */
	struct sw_vec affs;    /* per row, struct sw_affected * */
};

static void lookup_rows_free(void *p)
{
	struct lookup_rows *rows = p;
	if (!rows)
		return;
	for (size_t i = 0; i < rows->owned.len; i++)
		sw_vuln_free(rows->owned.items[i]);
	sw_vec_release(&rows->owned);
	sw_vec_release(&rows->vulns);
	for (size_t i = 0; i < rows->affs.len; i++)
		sw_affected_free(rows->affs.items[i]);
	sw_vec_release(&rows->affs);
	free(rows);
}

static void memo_clear(struct sw_vulndb *db)
{
	sw_map_free_all(&db->memo, lookup_rows_free);
}

/* Step s and decode every row.  Rows come ordered by vid; the merged vuln
 * is loaded once per vid. */
static int fetch_rows(struct sw_vulndb *db, sqlite3_stmt *s, bool inherit, struct lookup_rows **out,
		      struct sw_err *err)
{
	struct sw_vec vids = SW_VEC_INIT;
	struct lookup_rows *rows = sw_xcalloc(1, sizeof(*rows));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sw_vec_push_strdup(&vids, (const char *)sqlite3_column_text(s, 0));
		struct sw_affected *a = affected_from_row(s);
		if (inherit && sw_streq(a->ecosystem, SW_VULNDB_DEBIAN_INHERITED))
			inherit_from_unstable(a);
		sw_vec_push(&rows->affs, a);
	}
	sqlite3_reset(s);
	int r = rc == SQLITE_DONE ? 0 : db_error(db, "lookup", err);
	struct sw_vuln *cur = NULL;
	size_t n = 0;
	for (; r == 0 && n < vids.len; n++) {
		if (!cur || strcmp(cur->id, vids.items[n]) != 0) {
			cur = NULL;
			r = load_merged(db, vids.items[n], false, &cur, err);
			if (r < 0 || !cur)
				break;   /* an id without its record ends the answer */
			sw_vec_push(&rows->owned, cur);
		}
		sw_vec_push(&rows->vulns, cur);
	}
	/* rows past an unknown id are dropped */
	while (rows->affs.len > n)
		sw_affected_free(rows->affs.items[--rows->affs.len]);
	sw_vec_free_strings(&vids);
	if (r < 0) {
		lookup_rows_free(rows);
		return r;
	}
	*out = rows;
	return 0;
}

/* The callback sees the rows one by one; it may use db itself. */
static int replay_rows(const struct lookup_rows *rows, sw_vulndb_hit_fn fn, void *ctx, struct sw_err *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < rows->vulns.len; i++)
		r = fn(ctx, rows->vulns.items[i], rows->affs.items[i], err);
	return r;
}

static int run_lookup(struct sw_vulndb *db, sqlite3_stmt *s, sw_vulndb_hit_fn fn, void *ctx, struct sw_err *err)
{
	struct lookup_rows *rows = NULL;
	int r = fetch_rows(db, s, false, &rows, err);
	if (r == 0)
		r = replay_rows(rows, fn, ctx, err);
	lookup_rows_free(rows);
	return r;
}

int sw_vulndb_lookup(struct sw_vulndb *db, const char *ecosystem, const char *package, sw_vulndb_hit_fn fn,
		     void *ctx, struct sw_err *err)
{
	if (!ecosystem || !package)
		return sw_err_set(err, SW_E_USAGE, "lookup needs an ecosystem and a package");
	char *key = sw_vulndb_ecosystem_key(ecosystem);
	char *pkg = sw_vulndb_normalize_name(ecosystem, package);
	/* "<length of key>:key package": unambiguous whatever the names hold */
	char *memo_key = db->read_depth > 0 ? sw_xasprintf("%zu:%s %s", strlen(key), key, pkg) : NULL;
	struct lookup_rows *rows = memo_key ? sw_map_get(&db->memo, memo_key) : NULL;
	int r = 0;
	if (!rows) {
		bool debian = sw_starts_with(key, SW_VULNDB_DEBIAN_INHERITED ":");
		sqlite3_stmt *s = stmt(db, debian ? ST_LOOKUP_DEBIAN : ST_LOOKUP, err);
		r = -SW_E_DB;
		if (s) {
			sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, pkg, -1, SQLITE_STATIC);
			/* unstable's own fixes stay fixes there */
			r = fetch_rows(db, s, debian && strcmp(key, "Debian:unstable") != 0, &rows, err);
		}
		if (r == 0 && memo_key)
			sw_map_put(&db->memo, memo_key, rows);
	}
	if (r == 0)
		r = replay_rows(rows, fn, ctx, err);
	if (!memo_key)
		lookup_rows_free(rows);
	free(memo_key);
	free(key);
	free(pkg);
	return r;
}

int sw_vulndb_lookup_any(struct sw_vulndb *db, const char *package, sw_vulndb_hit_fn fn, void *ctx,
			 struct sw_err *err)
{
	char *pypi = sw_vulndb_normalize_name("PyPI", package);
	sqlite3_stmt *s = stmt(db, ST_LOOKUP_ANY, err);
	int r = -SW_E_DB;
	if (s) {
		sqlite3_bind_text(s, 1, package, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, pypi, -1, SQLITE_STATIC);
		r = run_lookup(db, s, fn, ctx, err);
	}
	free(pypi);
	return r;
}

int sw_vulndb_get(struct sw_vulndb *db, const char *id_or_alias, struct sw_vuln **out, struct sw_err *err)
{
	*out = NULL;
	struct sw_vuln *v = NULL;
	int r = load_merged(db, id_or_alias, true, &v, err);
	if (r < 0)
		return r;
	if (!v) {
		sqlite3_stmt *s = stmt(db, ST_BY_ALIAS, err);
		if (!s)
			return -SW_E_DB;
		sqlite3_bind_text(s, 1, id_or_alias, -1, SQLITE_STATIC);
		char *vid = sqlite3_step(s) == SQLITE_ROW ? col_dup(s, 0) : NULL;
		sqlite3_reset(s);
		if (vid)
			r = load_merged(db, vid, true, &v, err);
		free(vid);
		if (r < 0)
			return r;
	}
	*out = v;
	return 0;
}

int sw_vulndb_kev(struct sw_vulndb *db, const char *cve, struct sw_kev **out, struct sw_err *err)
{
	*out = NULL;
	sqlite3_stmt *s = stmt(db, ST_KEV_SEL, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct sw_kev *k = sw_xcalloc(1, sizeof(*k));
		k->cve = col_dup(s, 0);
		k->vendor = col_dup(s, 1);
		k->product = col_dup(s, 2);
		k->name = col_dup(s, 3);
		k->date_added = col_dup(s, 4);
		k->due_date = col_dup(s, 5);
		k->ransomware = sqlite3_column_int(s, 6) != 0;
		k->required_action = col_dup(s, 7);
		*out = k;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(db, "kev", err);
}

int sw_vulndb_exploits(struct sw_vulndb *db, const char *cve, struct sw_vec *out, struct sw_err *err)
{
	if (db->no_exploits)
		return 0;
	sqlite3_stmt *s = stmt(db, ST_EXPLOIT_SEL, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sw_exploit *x = sw_xcalloc(1, sizeof(*x));
		x->cve = col_dup(s, 0);
		x->id = col_dup(s, 1);
		x->title = col_dup(s, 2);
		x->published = col_dup(s, 3);
		x->type = col_dup(s, 4);
		x->platform = col_dup(s, 5);
		x->verified = sqlite3_column_int(s, 6) != 0;
		sw_vec_push(out, x);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_error(db, "exploits", err);
}

int sw_vulndb_epss(struct sw_vulndb *db, const char *cve, struct sw_epss **out, struct sw_err *err)
{
	*out = NULL;
	sqlite3_stmt *s = stmt(db, ST_EPSS_SEL, err);
	if (!s)
		return -SW_E_DB;
	sqlite3_bind_text(s, 1, cve, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct sw_epss *e = sw_xcalloc(1, sizeof(*e));
		e->cve = col_dup(s, 0);
		e->score = sqlite3_column_double(s, 1);
		e->percentile = sqlite3_column_double(s, 2);
		e->date = col_dup(s, 3);
		*out = e;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(db, "epss", err);
}

int sw_vulndb_packages(struct sw_vulndb *db, const char *ecosystem, size_t limit, struct sw_vec *out,
		       struct sw_err *err)
{
	sqlite3_stmt *s = NULL;
	char *key = sw_vulndb_ecosystem_key(ecosystem);
	/* a Debian release has the inherited entries too (see ST_LOOKUP_DEBIAN) */
	bool debian = sw_starts_with(key, SW_VULNDB_DEBIAN_INHERITED ":");
	if (sqlite3_prepare_v2(db->db,
			       debian ? "SELECT DISTINCT package FROM affected WHERE eco_key IN (?1, '"
					SW_VULNDB_DEBIAN_INHERITED "') LIMIT ?2"
				      : "SELECT DISTINCT package FROM affected WHERE eco_key = ?1 LIMIT ?2",
			       -1, &s, NULL) != SQLITE_OK) {
		free(key);
		return db_error(db, "packages", err);
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)(limit > INT64_MAX ? INT64_MAX : limit));
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		sw_vec_push_strdup(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	free(key);
	return rc == SQLITE_DONE ? 0 : db_error(db, "packages", err);
}

int sw_vulndb_info(struct sw_vulndb *db, struct sw_vulndb_info **out, struct sw_err *err)
{
	struct sw_vulndb_info *info = sw_xcalloc(1, sizeof(*info));
	info->path = sw_xstrdup(db->path);
	info->schema_version = (int)query_int(db, "PRAGMA user_version", 0);
	info->built_at = query_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'built_at'", 0);
	info->file_size = query_int(db, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", 0);
	info->vulns = query_int(db, "SELECT count(DISTINCT vid) FROM vulns", 0);
	info->affected = query_int(db, "SELECT count(*) FROM affected", 0);
	info->kev = query_int(db, "SELECT count(*) FROM kev", 0);
	info->exploits = query_int(db, "SELECT count(*) FROM exploits", 0);
	info->epss = query_int(db, "SELECT count(*) FROM epss", 0);

	sqlite3_stmt *s = NULL;
	int rc = SQLITE_ERROR;
	if (sqlite3_prepare_v2(db->db,
			       db->no_state
				       ? "SELECT source, group_concat(location, char(10)), max(updated_at), sum(records),"
					 " sum(bad_records), max(last_error), 0, 0, 0, 0, 0, 0 FROM locations"
					 " GROUP BY source ORDER BY source"
				       : "SELECT source, group_concat(location, char(10)), max(updated_at), sum(records),"
					 " sum(bad_records), max(last_error), max(last_full), max(last_incremental),"
					 " sum(last_bytes), sum(total_bytes), sum(full_updates), sum(incremental_updates)"
					 " FROM locations GROUP BY source ORDER BY source",
			       -1, &s, NULL) == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct sw_vulndb_source_info *si = sw_xcalloc(1, sizeof(*si));
			si->name = col_dup(s, 0);
			si->locations = col_dup(s, 1);
			si->updated_at = sqlite3_column_int64(s, 2);
			si->records = sqlite3_column_int64(s, 3);
			si->bad_records = sqlite3_column_int64(s, 4);
			si->last_error = col_dup(s, 5);
			si->last_full = sqlite3_column_int64(s, 6);
			si->last_incremental = sqlite3_column_int64(s, 7);
			si->last_bytes = sqlite3_column_int64(s, 8);
			si->total_bytes = sqlite3_column_int64(s, 9);
			si->full_updates = sqlite3_column_int64(s, 10);
			si->incremental_updates = sqlite3_column_int64(s, 11);
			sw_vec_push(&info->sources, si);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc == SQLITE_DONE &&
	    sqlite3_prepare_v2(db->db,
			       "SELECT l.source, b.file, b.record, b.what FROM bad_records b"
			       " JOIN locations l ON l.id = b.loc ORDER BY b.rowid LIMIT 100",
			       -1, &s, NULL) == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			sw_vec_push(&info->bad,
				    sw_xasprintf("%s: %s: %s: %s", sqlite3_column_text(s, 0),
						 sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1) : "-",
						 sqlite3_column_text(s, 2) ? (const char *)sqlite3_column_text(s, 2) : "-",
						 sqlite3_column_text(s, 3) ? (const char *)sqlite3_column_text(s, 3) : "-"));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		int r = db_error(db, "info", err);
		sw_vulndb_info_free(info);
		return r;
	}
	*out = info;
	return 0;
}

void sw_vulndb_info_free(struct sw_vulndb_info *info)
{
	if (!info)
		return;
	for (size_t i = 0; i < info->sources.len; i++) {
		struct sw_vulndb_source_info *si = info->sources.items[i];
		free(si->name);
		free(si->locations);
		free(si->last_error);
		free(si);
	}
	sw_vec_release(&info->sources);
	sw_vec_free_strings(&info->bad);
	free(info->path);
	free(info);
}

int sw_vulndb_check_age(struct sw_vulndb *db, int64_t max_age_seconds, bool *stale, struct sw_err *err)
{
	(void)err;
	int64_t built = query_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'built_at'", 0);
	int64_t age = sw_vulndb_now() - built;
	*stale = built == 0 || age > max_age_seconds;
	return 0;
}

int64_t sw_vulndb_built_at(struct sw_vulndb *db)
{
	return query_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'built_at'", 0);
}

int sw_vulndb_copy_file(const char *from, const char *to, struct sw_err *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	int r = 0;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		r = sw_err_set(err, SW_E_DB, "cannot open '%s': %s", from, sqlite3_errmsg(src));
		goto out;
	}
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		r = sw_err_set(err, SW_E_DB, "cannot create '%s': %s", to, sqlite3_errmsg(dst));
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		r = sw_err_set(err, SW_E_DB, "cannot copy '%s': %s", from, sqlite3_errmsg(dst));
		goto out;
	}
	int rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		r = sw_err_set(err, SW_E_DB, "cannot copy '%s' to '%s': %s", from, to, sqlite3_errstr(rc));
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return r;
}
