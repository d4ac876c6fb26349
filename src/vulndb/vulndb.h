/*
 * vulndb.h - the vulnerability database: an SQLite store of the model in
 * model.h, the update machinery that fills it from the importers in
 * sources/, and export/import of the whole database for air-gapped sites.
 *
 * The store keeps one row per record read, tagged with its source and
 * location: NVD and Debian may both describe CVE-2023-1234, and one source
 * may send one id from several files (Alpine per release, RubySec per gem),
 * so (id, source) is not unique.  Lookups and sw_vulndb_get() merge those
 * rows, so a vulnerability handed out carries the aliases, severities,
 * references and CWEs of every source.
 *
 * Ecosystem names are OSV's ("PyPI", "npm", "Go", "crates.io", "Maven",
 * "RubyGems", "Packagist", "NuGet", "Debian:12", "Alpine:v3.18",
 * "Ubuntu:22.04", ...).  Package names are normalised on store and lookup
 * by sw_vulndb_normalize_name(): PyPI names by PEP 503 (lower case, runs of
 * "-", "_", "." become "-"); every other ecosystem is case-sensitive and
 * kept as is.  Ecosystems are matched on a key that drops a trailing
 * ":LTS" (Ubuntu OSV writes "Ubuntu:22.04:LTS"), so "Ubuntu:22.04" finds
 * them; the entry handed back keeps the verbatim ecosystem.
 *
 * Ownership: struct sw_vulndb is opened and closed by the caller.  Every
 * struct handed to a callback is borrowed for the duration of the call;
 * every *out owns its result (free with the matching _free function).
 * A handle is not thread-safe: open one per thread.
 *
 * Durability: the database file is never written in place.  An update
 * copies it to "PATH.new-PID", changes the copy, checks it and rename()s
 * it over PATH, so a reader (or a kill -9 at any moment) always sees a
 * complete database.
 */
#ifndef SW_VULNDB_VULNDB_H
#define SW_VULNDB_VULNDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"
#include "util/vec.h"
#include "vulndb/model.h"

#define SW_VULNDB_SCHEMA_VERSION 4

/* The ecosystem of Debian tracker lines without a release (unstable's
 * line, which the tracker applies to every release that has no line of its
 * own for that id and package).  sw_vulndb_lookup() of "Debian:<n>" also
 * returns such entries unless the same id and source has an entry for
 * "Debian:<n>" and the package; for a release other than unstable the
 * entry's fixed versions become limits (affected below them, not a fix the
 * release has), its status affected and its note "fixed in unstable V".
 * The ecosystem name is SW_VULNDB_DEBIAN_INHERITED (model.h). */

struct sw_vulndb;

enum sw_vulndb_flags {
	SW_VULNDB_RDONLY = 1 << 0,   /* open read-only (scans); fails if absent */
	SW_VULNDB_CREATE = 1 << 1,   /* create if absent and migrate the schema */
};

/* Open the database at path (NULL: sw_vulndb_default_path()).  A read-only
 * open fails with SW_E_NOTFOUND when the file is absent and SW_E_DB when the
 * schema is newer than this program or not a stowaway database. */
int sw_vulndb_open(const char *path, unsigned flags, struct sw_vulndb **out, struct sw_err *err);
void sw_vulndb_close(struct sw_vulndb *db);
/* Path this handle was opened on (borrowed). */
const char *sw_vulndb_path(const struct sw_vulndb *db);

/* $STOWAWAY_DB, else $XDG_CACHE_HOME/stowaway/vulndb.sqlite, else
 * $HOME/.cache/stowaway/vulndb.sqlite.  Static storage; not thread-safe on
 * first call. */
const char *sw_vulndb_default_path(void);

/* One read transaction around all lookups of a scan (a consistent view and
 * no per-statement locking).  Nested calls are counted.  Inside it
 * sw_vulndb_lookup() answers are decoded once per (ecosystem key, normalised
 * package) and replayed from memory afterwards, until the outermost
 * sw_vulndb_end_read() (so a hit callback must not end the transaction). */
int sw_vulndb_begin_read(struct sw_vulndb *db, struct sw_err *err);
int sw_vulndb_end_read(struct sw_vulndb *db, struct sw_err *err);

/* Called once per affected entry.  v carries the merged vulnerability (id,
 * aliases, summary, details, severities, cwes, published, modified,
 * withdrawn; v->affected is empty), a the entry.  Both borrowed.  Return 0
 * to go on, > 0 to stop the lookup early (returned), < 0 on error. */
typedef int (*sw_vulndb_hit_fn)(void *ctx, const struct sw_vuln *v, const struct sw_affected *a,
				struct sw_err *err);

/* Every affected entry for (ecosystem, package).  Returns 0, the callback's
 * positive stop value, or a negative error. */
int sw_vulndb_lookup(struct sw_vulndb *db, const char *ecosystem, const char *package,
		     sw_vulndb_hit_fn fn, void *ctx, struct sw_err *err);

/* The full merged record whose id, or failing that one of whose aliases, is
 * id_or_alias (of several records naming the alias, the one with the fewest
 * aliases: the most specific).  *out is NULL (and 0 returned) when there is none; free with
 * sw_vuln_free().  v->source lists the contributing sources, comma
 * separated. */
int sw_vulndb_get(struct sw_vulndb *db, const char *id_or_alias, struct sw_vuln **out,
		  struct sw_err *err);

/* KEV / EPSS data of a CVE; *out NULL when none. */
int sw_vulndb_kev(struct sw_vulndb *db, const char *cve, struct sw_kev **out, struct sw_err *err);
int sw_vulndb_epss(struct sw_vulndb *db, const char *cve, struct sw_epss **out, struct sw_err *err);
/* The public exploits of a CVE (struct sw_exploit*, by Exploit-DB id as a
 * number) appended to out; free them with sw_exploit_free. */
int sw_vulndb_exploits(struct sw_vulndb *db, const char *cve, struct sw_vec *out, struct sw_err *err);
int sw_vulndb_put_exploit(struct sw_vulndb *db, int64_t loc_id, const struct sw_exploit *x, struct sw_err *err);

/* Package names known for an ecosystem key (for `db search` and the
 * benchmark); fills out with malloc'd strings, at most limit of them. */
int sw_vulndb_packages(struct sw_vulndb *db, const char *ecosystem, size_t limit, struct sw_vec *out,
		       struct sw_err *err);
/* Ids of vulnerabilities whose package name equals name in any ecosystem
 * (calls fn like sw_vulndb_lookup). */
int sw_vulndb_lookup_any(struct sw_vulndb *db, const char *package, sw_vulndb_hit_fn fn, void *ctx,
			 struct sw_err *err);

struct sw_vulndb_source_info {
	char *name;            /* importer source name: "osv", "debian", ... */
	char *locations;       /* the locations it was read from, "\n" separated */
	int64_t updated_at;    /* unix time of the last successful read, 0 never */
	int64_t records;       /* vulnerability, KEV, EPSS or exploit records stored */
	int64_t bad_records;   /* records that could not be read */
	char *last_error;      /* last fetch/import problem, or NULL */
	/* update state (schema 3; 0 in older files): newest of its locations */
	int64_t last_full;         /* unix time of the last full read, 0 never */
	int64_t last_incremental;  /* unix time of the last incremental update or 304 check, 0 never */
	int64_t last_bytes;        /* bytes downloaded by the last update of each location, summed */
	int64_t total_bytes;       /* bytes downloaded by every update so far */
	int64_t full_updates, incremental_updates; /* how many of each */
};

struct sw_vulndb_info {
	char *path;
	int schema_version;
	int64_t built_at;      /* unix time the file was built */
	int64_t file_size;
	int64_t vulns;         /* distinct vulnerability ids */
	int64_t affected;      /* affected entries */
	int64_t kev, epss;
	int64_t exploits;      /* (CVE, exploit) pairs */
	struct sw_vec sources; /* struct sw_vulndb_source_info* */
	struct sw_vec bad;     /* char*, "source: file: record: what", at most 100 */
};

int sw_vulndb_info(struct sw_vulndb *db, struct sw_vulndb_info **out, struct sw_err *err);
void sw_vulndb_info_free(struct sw_vulndb_info *info);

/* Is the database older than max_age_seconds?  (Age counts from built_at.
 * The clock is $STOWAWAY_NOW when set, for tests.) */
int sw_vulndb_check_age(struct sw_vulndb *db, int64_t max_age_seconds, bool *stale, struct sw_err *err);
/* The unix time the database was built (meta built_at), 0 when unknown. */
int64_t sw_vulndb_built_at(struct sw_vulndb *db);
/* Current time (honours $STOWAWAY_NOW). */
int64_t sw_vulndb_now(void);

/* Normalised package name for storing / looking up in an ecosystem
 * (malloc'd).  PyPI: PEP 503; others unchanged. */
char *sw_vulndb_normalize_name(const char *ecosystem, const char *name);
/* Ecosystem key used for lookup (malloc'd): trailing ":LTS" dropped. */
char *sw_vulndb_ecosystem_key(const char *ecosystem);

/* Parse "30d", "12h", "90m", "3600s", "3600" (seconds), "2w".  Returns 0 or
 * SW_E_USAGE. */
int sw_vulndb_parse_duration(const char *s, int64_t *seconds, struct sw_err *err);

/* ---- writing (used by the update machinery and the tests) ---- */

/* A sink that writes into db, attributing records to location loc_id
 * (from sw_vulndb_location_begin()).  The struct is owned by the caller;
 * ctx points into db. */
int sw_vulndb_location_begin(struct sw_vulndb *db, const char *source, const char *location,
			     int64_t *loc_id, struct sw_err *err);
/* Forget every record read from loc_id before (re)importing it. */
int sw_vulndb_location_clear(struct sw_vulndb *db, int64_t loc_id, struct sw_err *err);
/* Record the outcome of reading loc_id.  etag / last_modified may be NULL;
 * error NULL means success (updated_at set to now). */
int sw_vulndb_location_end(struct sw_vulndb *db, int64_t loc_id, const char *etag,
			   const char *last_modified, const char *error, struct sw_err *err);
/* Records (vulnerability, KEV and EPSS rows) and bad records stored from
 * loc_id now. */
int sw_vulndb_location_counts(struct sw_vulndb *db, int64_t loc_id, int64_t *records, int64_t *bad,
			      struct sw_err *err);
/* The remembered ETag / Last-Modified of a location (malloc'd, NULL if
 * none). */
int sw_vulndb_location_cache(struct sw_vulndb *db, const char *source, const char *location,
			     char **etag, char **last_modified, struct sw_err *err);
/* The update state of loc_id (schema 3): *state is the JSON text the
 * update machinery left there (malloc'd, NULL if none), *last_full the time
 * of its last full read (0 never, or never read successfully). */
int sw_vulndb_location_state(struct sw_vulndb *db, int64_t loc_id, char **state, int64_t *last_full,
			     struct sw_err *err);
/* Record an update of loc_id: full or incremental (a 304 counts as an
 * incremental update), the bytes downloaded and the new state (NULL keeps
 * the old state for an incremental update, clears it for a full one). */
int sw_vulndb_location_mark(struct sw_vulndb *db, int64_t loc_id, bool incremental, int64_t bytes,
			    const char *state, struct sw_err *err);
/* Remove every record vid read from loc_id (an incremental update replaces
 * or deletes single records). */
int sw_vulndb_delete_vuln(struct sw_vulndb *db, int64_t loc_id, const char *vid, struct sw_err *err);
void sw_vulndb_sink(struct sw_vulndb *db, int64_t loc_id, struct sw_vuln_sink *sink);
/* Counts since the sink was made: records stored and bad records. */
void sw_vulndb_sink_counts(struct sw_vulndb *db, int64_t *records, int64_t *bad);
/* Low-level writers (the sink calls these). */
int sw_vulndb_put_vuln(struct sw_vulndb *db, int64_t loc_id, const struct sw_vuln *v, struct sw_err *err);
int sw_vulndb_put_kev(struct sw_vulndb *db, int64_t loc_id, const struct sw_kev *k, struct sw_err *err);
int sw_vulndb_put_epss(struct sw_vulndb *db, int64_t loc_id, const struct sw_epss *e, struct sw_err *err);
int sw_vulndb_put_bad(struct sw_vulndb *db, int64_t loc_id, const char *file, const char *record,
		      const char *what, struct sw_err *err);
/* Write transaction (updates group a location's records in one). */
int sw_vulndb_begin_write(struct sw_vulndb *db, struct sw_err *err);
int sw_vulndb_commit(struct sw_vulndb *db, struct sw_err *err);
/* Undo the write transaction (needs a rollback journal: not journal_mode
 * OFF). */
int sw_vulndb_rollback(struct sw_vulndb *db, struct sw_err *err);
/* Record the build time (now) in meta. */
int sw_vulndb_stamp(struct sw_vulndb *db, struct sw_err *err);
/* Run SQL (pragmas, maintenance) on the handle. */
int sw_vulndb_exec(struct sw_vulndb *db, const char *sql, struct sw_err *err);
/* Copy the database file from into a new file to (SQLite backup API). */
int sw_vulndb_copy_file(const char *from, const char *to, struct sw_err *err);
/* PRAGMA quick_check; SW_E_DB if the file is damaged. */
int sw_vulndb_check(struct sw_vulndb *db, struct sw_err *err);

/* ---- update ---- */

/* One place to read a source from: a file, a folder, an archive or an
 * http(s) URL.  include: optional glob (util/path.h syntax) the paths
 * inside the location must match to be offered to the importer. */
struct sw_vulndb_location {
	char *source;
	char *location;
	char *include;
};
void sw_vulndb_location_free(struct sw_vulndb_location *l);

struct sw_vulndb_update_opts {
	const char *db_path;                      /* NULL: default path */
	struct sw_vec locations;                  /* struct sw_vulndb_location* (borrowed) */
	const char *offline_dir;                  /* fall back to this folder when nothing can be fetched */
	long connect_timeout;                     /* seconds, 0: 30 */
	long total_timeout;                       /* seconds per download, 0: 1800 */
	int retries;                              /* extra tries on 429/5xx/network errors, <0: 3 */
	/* Sanity bounds, per location.  A location read incompletely (fetch
	 * error, truncated or foreign archive, broken stream, HTML page), with
	 * more than max_bad of its records bad, with no records, or whose
	 * record count falls by more than max_drop keeps its previous records
	 * and counts as failed.  force accepts an empty location and any drop
	 * (never an incomplete read or bad records). */
	double max_drop;                          /* fraction, <= 0: 0.5 */
	double max_bad;                           /* fraction, <= 0: 0.01 */
	bool force;
	/* read every location whole (no incremental update: --full) */
	bool full;
	/* Warnings ("cannot fetch X: ...; keeping the cached data") and
	 * progress lines; the library never prints.  May be NULL. */
	void (*warn)(void *ctx, const char *msg);
	void (*progress)(void *ctx, const char *msg);
	void *ctx;
};

struct sw_vulndb_update_result {
	int fetched;          /* locations read anew */
	int unchanged;        /* not modified since last time (304) */
	int failed;           /* could not be read or failed a bound; their previous records kept */
	bool used_offline;    /* built from offline_dir */
	int64_t records, bad_records;
	struct sw_vec failed_sources; /* char*: names of the sources with a failed location, once each */
	int64_t bytes;        /* response bytes downloaded */
};
void sw_vulndb_update_result_release(struct sw_vulndb_update_result *res);

/* Build PATH.new-PID from the current database (if any) plus every
 * location, check it and rename it over PATH.  Stale temporary files of
 * earlier, interrupted updates are removed.  Returns < 0 (leaving PATH as
 * it was) only when no usable database results; res->failed > 0 says that
 * some locations kept their previous records (then the caller should fail:
 * the database is not as fresh as asked).  When every location failed the
 * database is installed only to record why (built_at unchanged).  Release
 * res with sw_vulndb_update_result_release(). */
int sw_vulndb_update(const struct sw_vulndb_update_opts *opts, struct sw_vulndb_update_result *res,
		     struct sw_err *err);

/* The default upstream locations (static table). */
struct sw_vulndb_default_location {
	const char *source;
	const char *url;
	const char *include;
};
const struct sw_vulndb_default_location *sw_vulndb_default_locations(size_t *n);
/* How a location is updated after its first full read: "osv-modified-id",
 * "nvd-lastmod-window", "redhat-changes", "http-conditional" (ETag /
 * If-Modified-Since) or "none" (a file or folder).  Static string. */
const char *sw_vulndb_location_incremental(const char *source, const char *url);

/* $STOWAWAY_UPSTREAM_OVERRIDE ("HOST=BASE,..."; docs/vulndb.md): 0 when
 * unset or well formed, else SW_E_USAGE naming the bad entry. */
int sw_vulndb_override_check(struct sw_err *err);
/* url with its scheme and host replaced as the override says (malloc'd;
 * a copy of url when no entry names its host). */
char *sw_vulndb_override_url(const char *url);

/* Locations for a folder laid out like shared/data/vuln (osv/, ghsa/,
 * debian/, alpine/, nvd/, kev/, epss/, vendor-fixtures/).  Appends struct
 * sw_vulndb_location* (owned by the caller) to out. */
int sw_vulndb_offline_locations(const char *dir, struct sw_vec *out, struct sw_err *err);

/* The locations `db update` reads when none was given (--source): those
 * of offline_dir (--offline-data) when it is not NULL (*from_offline set),
 * else the default upstream ones.  Appends struct sw_vulndb_location*
 * (owned by the caller) to locations when it is empty; else does nothing. */
int sw_vulndb_update_locations(struct sw_vec *locations, const char *offline_dir, bool *from_offline,
			       struct sw_err *err);

/* Parse "NAME=URL|PATH" (a --source argument) into a location. */
int sw_vulndb_location_parse(const char *arg, struct sw_vulndb_location **out, struct sw_err *err);

/* Read one location (file, folder, archive, URL) into db via its importer,
 * without the build-and-rename dance (tests, tools).  *changed is false
 * when the server said 304 Not Modified. */
int sw_vulndb_read_location(struct sw_vulndb *db, const struct sw_vulndb_location *loc,
			    const struct sw_vulndb_update_opts *opts, bool *changed, struct sw_err *err);

/* ---- export / import (air-gapped sites) ---- */

/* Write the database at db_path as one file: "SWVDB\0\0\1", a zstd stream
 * of the SQLite file, then "SWVDBSUM" and the SHA-256 of all bytes before
 * it.  Written to a temporary file and renamed. */
int sw_vulndb_export(const char *db_path, const char *file, struct sw_err *err);
/* Verify the checksum, decompress beside db_path, check the database and
 * rename it into place. */
int sw_vulndb_import(const char *file, const char *db_path, struct sw_err *err);

/* ---- the database as an OCI artifact (db push / db pull, docs/vulndb.md) ---- */

#define SW_VULNDB_ARTIFACT_TYPE "application/vnd.stowaway.vulndb.v1"
#define SW_VULNDB_CONFIG_MEDIA_TYPE "application/vnd.stowaway.vulndb.config.v1+json"
#define SW_VULNDB_LAYER_MEDIA_TYPE "application/vnd.stowaway.vulndb.sqlite.v1"
/* manifest annotations */
#define SW_VULNDB_ANN_SHA256 "io.stowaway.vulndb.sha256"   /* 64 hex digits of the layer (the SQLite file) */
#define SW_VULNDB_ANN_SCHEMA "io.stowaway.vulndb.schema"   /* its schema version, decimal */
#define SW_VULNDB_ANN_BUILT "io.stowaway.vulndb.built"     /* its build time, unix seconds */
/* the largest database pulled */
#define SW_VULNDB_ARTIFACT_MAX ((uint64_t)8 << 30)

/* The database file to push: opened once (an update renames a new file
 * in, never changes this one), checked, hashed.  fp (owned) is at its
 * start.  Release with sw_vulndb_artifact_source_release(). */
struct sw_vulndb_artifact_src {
	FILE *fp;
	uint64_t size;
	char sha256[65];
	int schema;
	int64_t built_at;
};
int sw_vulndb_artifact_source(const char *db_path, struct sw_vulndb_artifact_src *out, struct sw_err *err);
void sw_vulndb_artifact_source_release(struct sw_vulndb_artifact_src *s);

/* Install a pulled database atomically: under the update lock, fill()
 * writes the bytes (calling write(wctx, ...)) into PATH.new-PID and sets
 * want->sha256 and want->schema (the manifest's annotations, borrowed
 * from fill's ctx); the bytes' SHA-256 must be want->sha256 (hex), the
 * file a sound database whose schema version is want->schema (decimal,
 * not newer than this program); then it is renamed over db_path (NULL:
 * the default path).  On any error the temporary file is removed and
 * db_path is as it was.  name names the source in messages. */
struct sw_vulndb_artifact_want {
	const char *sha256, *schema;
};
typedef int (*sw_vulndb_write_fn)(void *wctx, const void *buf, size_t n, struct sw_err *err);
typedef int (*sw_vulndb_fill_fn)(void *ctx, sw_vulndb_write_fn write, void *wctx, struct sw_err *err);
int sw_vulndb_artifact_install(const char *db_path, sw_vulndb_fill_fn fill, void *fill_ctx, const char *name,
			       const struct sw_vulndb_artifact_want *want, struct sw_err *err);

#endif
