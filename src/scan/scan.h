/*
 * scan.h - one scan: an image (or an SBOM) and options in, one plain result
 * out.  This is the library call every front end uses (`stowaway scan`,
 * and later the server and the policy engine); a front end only turns its
 * input into struct sw_scan_opts, hands the result to report/ and maps
 * result->verdict to what it answers (an exit code, an HTTP status).
 *
 *   struct sw_scan_opts o = SW_SCAN_OPTS_INIT;
 *   o.image = "docker-archive:app.tar";
 *   o.fail_on = SW_SEV_HIGH; o.gate = true;
 *   struct sw_scan_result *r = NULL;
 *   if (sw_scan_run(&o, &r, &err) < 0) ... print err (nothing was scanned)
 *   ro.checks = &r->checks; ro.scanners = ... from r->scanners_state (report.h)
 *   sw_report_scan(out, fmt, r->inventory, r->match, &ro, &err);
 *   for each r->warnings: show it; if (!r->complete) show r->incomplete
 *   exit r->verdict == SW_SCAN_PASS ? 0 : r->verdict == SW_SCAN_FAIL ? 1 : 2
 *
 * What the call decides (so every front end decides it the same way):
 * - the filter: the ignore file named, else ./.stowawayignore when it
 *   exists in the working directory (unless no_default_ignorefile); the
 *   VEX files; all of them loaded before any image work starts;
 * - the database: opened read-only; older than max_db_age -> error;
 *   older than 7 days without max_db_age -> a warning in the result;
 * - the inventory: from the image (caches unless no_cache or
 *   $STOWAWAY_NO_CACHE is set to something other than "0"), or from the
 *   SBOM file (a regular file is mapped, not copied);
 * - completeness: the result is incomplete when a package database could
 *   not be read (inventory->incomplete) or the OS packages could not be
 *   checked (match->incomplete: no data for that OS release);
 * - the gate: with gate set, an unsuppressed finding at fail_on or above
 *   fails it; an incomplete result fails it as an error unless
 *   allow_incomplete (a scan that could not look must not pass).
 *
 * Scanners: `scanners` is a bitmask; each scanner is a section of the
 * result and of every report.  SW_SCAN_VULN matches the packages against
 * the database (only then is the database opened); SW_SCAN_CONFIG decides
 * the image checks (checks/checks.h) from the config image/ verified,
 * during the same image open, then from the file facts of the one layer
 * pass (no second read).  SW_SCAN_SECRET and
 * SW_SCAN_MALWARE are content scanners (inventory/filescan.h): opened
 * once before the image is read (a bad database is an error before any
 * work), handed to the layer pass, which offers them every regular file of
 * every layer in the same read as the analyzers; their findings are
 * inventory->file_findings.  One that cannot run (no ClamAV database, a
 * scanner not built in, an SBOM: no files) is listed in
 * result->scanners_state with why_not "not checked (WHY)", never as an
 * empty pass, and makes the result incomplete ("malware: not checked
 * (WHY)"), so the gate never takes it for clean.  SW_SCAN_CONFIG for an
 * SBOM (it has no image config) and for a dir: root file system is
 * "could not run" too.  0 means SW_SCAN_DEFAULT: vuln, config and secret;
 * a default scanner that does not apply to the input (secret on an SBOM)
 * is "not checked" without making the result incomplete.
 *
 * Ownership: the options are borrowed during the call.  The result owns
 * everything in it; free it with sw_scan_result_free() (NULL allowed).
 * Errors (no database, a bad ignore or VEX file, an unreadable image) come
 * back in err and no result is made; nothing is printed.
 */
#ifndef SW_SCAN_SCAN_H
#define SW_SCAN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/checks.h"
#include "image/image.h"
#include "inventory/inventory.h"
#include "match/match.h"
#include "policy/policy.h"
#include "util/err.h"
#include "util/vec.h"

enum sw_scan_scanners {
	SW_SCAN_VULN = 1 << 0,      /* known vulnerabilities of the packages */
	SW_SCAN_CONFIG = 1 << 1,    /* image checks from the config, history and files (issue 13) */
	SW_SCAN_SECRET = 1 << 2,    /* secrets in every layer (secrets/secrets.h) */
	SW_SCAN_MALWARE = 1 << 3,   /* ClamAV signatures in every layer (malware/malware.h) */
};
#define SW_SCAN_ALL (SW_SCAN_VULN | SW_SCAN_CONFIG | SW_SCAN_SECRET | SW_SCAN_MALWARE)
#define SW_SCAN_DEFAULT (SW_SCAN_VULN | SW_SCAN_CONFIG | SW_SCAN_SECRET)
#define SW_SCAN_NSCANNERS 4

/* Parse a --scanners list ("vuln,config"; names vuln, config, secret,
 * malware) into *out.  Returns 0, or -SW_E_USAGE with err naming the
 * unknown word. */
int sw_scan_parse_scanners(const char *list, unsigned *out, struct sw_err *err);
/* Parse an --ignore-status list: vulnerability statuses (match/filter.h
 * sw_filter_parse_statuses) into *vuln_mask, image check statuses (pass,
 * fail, info, manual: checks/checks.h) into *check_mask.  -SW_E_USAGE
 * naming an unknown word. */
int sw_scan_parse_ignore_status(const char *list, unsigned *vuln_mask, unsigned *check_mask,
				struct sw_err *err);

/* What one scanner did, for every report ("could not run" is never an
 * empty pass). */
struct sw_scan_scanner_state {
	const char *name;           /* "vuln", "config", "secret", "malware" (static) */
	bool requested;
	bool ran;
	char *why_not;              /* requested and did not run: why; else NULL */
};

/* The default age after which the database is called stale (a warning). */
#define SW_SCAN_STALE_AFTER (7 * 86400)

/* An image reference with this prefix (docker-daemon:NAME|ID) is read from
 * the Docker daemon ($DOCKER_HOST, engine/engine.h): `GET /images/NAME/get`
 * streamed through the same verified pass as archive_read. */
#define SW_SCAN_DOCKER_DAEMON "docker-daemon:"

struct sw_scan_opts {
	unsigned scanners;          /* enum sw_scan_scanners; 0 = SW_SCAN_DEFAULT */
	int max_image_age_days;     /* config: SW-CFG-102 limit; 0 = 365 */
	/* what to scan: exactly one of image, sbom, archive_read, sbom_data */
	const char *image;          /* an image reference (image.h syntax) */
	const char *sbom;           /* a CycloneDX, SPDX or stowaway JSON SBOM file */
	/* an image archive (docker-archive or OCI archive) read once from
	 * archive_read as it streams by, never stored (an upload:
	 * inventory.h sw_inventory_build_stream; no cache is used);
	 * archive_name names it in messages and as the reference */
	sw_read_fn archive_read;
	void *archive_ctx;
	const char *archive_name;
	/* an SBOM document in memory (borrowed), named sbom_name in messages */
	const void *sbom_data;
	size_t sbom_len;
	const char *sbom_name;
	/* optional: asked between layers, every 64 files of a layer and
	 * between the scan's steps (any thread); true stops the scan with
	 * SW_E_CANCELLED ("cancelled"), no result */
	bool (*cancelled)(void *ctx);
	void *cancel_ctx;
	struct sw_image_opts image_opts;
	bool no_cache;              /* neither read nor write the image and layer caches */
	const char *cache_dir;      /* NULL: the default cache root */
	/* filters (match/filter.h) */
	unsigned severity_mask;     /* bit (1 << level) kept; 0 = all */
	unsigned status_mask;       /* bit (1 << status) suppressed */
	unsigned check_status_mask; /* bit (1 << enum sw_check_status) suppressed (--ignore-status) */
	bool ignore_unfixed;
	const char *ignorefile;     /* NULL: ./.stowawayignore when it exists */
	bool no_default_ignorefile; /* do not look for ./.stowawayignore */
	const char *const *vex;     /* nvex OpenVEX / CycloneDX VEX files */
	size_t nvex;
	long long now;              /* unix time for ignore-file expiry */
	/* matching and the database */
	struct sw_match_opts match;
	const char *db_path;        /* NULL: sw_vulndb_default_path() */
	int64_t max_db_age;         /* seconds; 0 = only warn after SW_SCAN_STALE_AFTER */
	const char *max_db_age_text;/* as the user wrote it, for the error message (optional) */
	/* the gate */
	bool gate;                  /* evaluate fail_on (--fail-on given) */
	enum sw_severity_level fail_on;
	bool allow_incomplete;      /* an incomplete result does not fail the gate */
	/* the policy (policy/policy.h, docs/policy.md): a bundle file read
	 * before any image work, or one already read (borrowed); at most one.
	 * Its final action STOP fails the scan (SW_SCAN_FAIL). */
	const char *policy_path;
	const struct sw_policy_bundle *policy;
	const char *policy_tag;     /* the repo tag mappings match (NULL: the image's own) */
	/* optional callbacks (called on the calling thread, except progress) */
	bool (*progress)(void *ctx, size_t done, size_t nlayers); /* layers read */
	void *progress_ctx;
	void (*phase)(void *ctx, const char *name); /* "open", "inventory", "match", "filters", "policy" done */
	void *phase_ctx;
	/* malware: the ClamAV database folder; NULL: $STOWAWAY_CLAMAV_DB, else
	 * /var/lib/clamav (malware/malware.h) */
	const char *clamav_db;
	/* secret: --secret-config FILE (YAML, docs/secrets.md) or NULL; and
	 * --secret-max-size (bytes; 0: every file, streamed) */
	const char *secret_config;
	uint64_t secret_max_size;
	/* sw_scan_inventory only: the content scanners (SW_SCAN_SECRET,
	 * SW_SCAN_MALWARE bits) that ran when the stored inventory was built;
	 * their findings (inv->file_findings) are this scan's, and the
	 * scanners are reported as ran (the server reads this from the
	 * image's last report) */
	unsigned stored_content;
	/* client mode (client/client.h, docs/api.md): the vuln scanner's
	 * match is made elsewhere.  When set, no database is opened here;
	 * once the inventory is built it is called with it and the image
	 * config (secret-masked when the secret scanner is on; NULL without
	 * one) and returns the match result (indexes into inv->packages) and
	 * the matching database's build time.  Everything after the match
	 * (filters, completeness, policy, gate, the stale/max_db_age rule on
	 * that build time) is done here as for a local match.  Image input
	 * only (an SBOM is SW_E_USAGE). */
	int (*remote_match)(void *ctx, const struct sw_inventory *inv, const char *config_json,
			    struct sw_match_result **out, int64_t *db_built_at, struct sw_err *err);
	void *remote_ctx;
};
#define SW_SCAN_OPTS_INIT { .scanners = 0 }

enum sw_scan_verdict {
	SW_SCAN_PASS = 0,           /* no gate asked, or it passed */
	SW_SCAN_FAIL,               /* an unsuppressed finding at fail_on or above, or the policy said STOP */
	SW_SCAN_FAIL_INCOMPLETE,    /* gate asked, the result is incomplete, not allowed */
};

struct sw_scan_result {
	unsigned scanners;          /* the sections asked for */
	struct sw_scan_scanner_state scanners_state[SW_SCAN_NSCANNERS]; /* vuln, config, secret, malware */
	struct sw_inventory *inventory;
	/* SW_SCAN_VULN: findings, notes, incomplete; without it an empty
	 * result (never NULL), scanners_state[0].ran false */
	struct sw_match_result *match;
	/* SW_SCAN_CONFIG: every check (checks/checks.h), suppressed ones
	 * marked by the ignore file; empty when not requested */
	struct sw_check_list checks;
	struct sw_vec warnings;     /* char*: about the scan itself (stale database...) */
	bool db_stale;              /* the database is older than SW_SCAN_STALE_AFTER */
	/* completeness: false when some packages could not be listed or checked */
	bool complete;
	struct sw_vec incomplete;   /* char*: why, one line each (inventory's, then match's) */
	/* the gate */
	enum sw_scan_verdict verdict;
	size_t gate_findings;       /* unsuppressed findings at fail_on or above */
	size_t gate_checks;         /* unsuppressed failed checks at fail_on or above */
	/* unsuppressed secret and malware findings (inventory->file_findings)
	 * at fail_on or above, those removed in a later layer included */
	size_t gate_files;
	/* the policy evaluation (a policy was given), else NULL */
	struct sw_policy_result *policy;
	int64_t db_built_at;        /* the vulnerability database's build time (0: not opened) */
	char *config_json;          /* the verified image config, NUL-terminated, or NULL */
};

/* Run the scan described by o.  Returns 0 and *out (the caller frees it),
 * or a negative code with err set and *out untouched: SW_E_USAGE for
 * options that contradict each other, SW_E_NOTFOUND for a missing
 * database, SW_E_DB for one older than max_db_age, and whatever reading
 * the ignore/VEX files, the image or the SBOM returns. */
int sw_scan_run(const struct sw_scan_opts *o, struct sw_scan_result **out, struct sw_err *err);
void sw_scan_result_free(struct sw_scan_result *r);

/* Scan an inventory built earlier (the server's stored one, so that a
 * known image is not read again): the same filters, database, match,
 * completeness, policy (o->policy or o->policy_path) and gate as
 * sw_scan_run(); the config checks run on
 * config_json (the image's verified config, nlayers its layer count; NULL:
 * the config scanner could not run).  o->image and o->sbom are ignored.
 * inv is taken: it belongs to the result, or is freed on error. */
int sw_scan_inventory(const struct sw_scan_opts *o, struct sw_inventory *inv, const char *config_json,
		      size_t nlayers, struct sw_scan_result **out, struct sw_err *err);

/* The gate alone, for a result whose findings changed: fills r->verdict
 * and r->gate_findings (and r->gate_checks, r->gate_files) from o's gate
 * fields, and fails it when r->policy says STOP. */
void sw_scan_gate(struct sw_scan_result *r, const struct sw_scan_opts *o);

#endif
