/*
 * checks.h - image checks: is this image built right?  (CIS Docker
 * Benchmark 1.6.0 section 4 and the static parts of section 5, issue 13.)
 *
 * Decided statically in two steps, nothing read twice:
 * sw_checks_run_config() from the image config and its history, as image/
 * verified them (struct sw_image_info.config_json: the bytes whose digest
 * matched), then sw_checks_run_files() from the file facts the one layer
 * pass collected (inventory/fsfacts.h) and the inventory's packages.
 * Until the second step runs, the controls that need files are status info
 * ("needs the image's files").  Those no image can decide (4.2, 4.5, 4.12)
 * are manual, so every section-4 control is in the result.
 * docs/checks.md describes each check.
 *
 *   struct sw_check_list cl = SW_CHECK_LIST_INIT;
 *   struct sw_checks_opts o = { .now = time(NULL) };
 *   if (sw_checks_run_config(info->config_json, strlen(...), info->layers.len, &o, &cl, err) < 0)
 *           ... only an internal error: bad input gives status info and a note
 *   ... cl.results[i]: struct sw_check_result*
 *   sw_check_list_release(&cl);
 *
 * Secret values (4.10) are masked (util/secretmask.h) in every string a
 * result holds: evidence, history lines and notes.
 *
 * Ownership: the list owns its results and their strings.
 */
#ifndef SW_CHECKS_CHECKS_H
#define SW_CHECKS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "match/match.h"
#include "util/err.h"
#include "util/vec.h"

enum sw_check_status {
	SW_CHECK_PASS = 0,
	SW_CHECK_FAIL,
	SW_CHECK_INFO,     /* not decided (bad input, not in this slice), or informational */
	SW_CHECK_MANUAL,   /* not decidable from an image: a person has to look */
};
const char *sw_check_status_name(enum sw_check_status s); /* "pass", "fail", "info", "manual" */

struct sw_check_evidence {
	int layer;          /* 0-based layer index, -1 when none or unknown */
	int history;        /* 0-based index in config.history, -1 when none */
	char *created_by;   /* that history line (secrets masked), or NULL */
	char *config_key;   /* "config.User", "config.Env", ... or NULL */
	char *path;         /* a path in the image (no leading '/'), or NULL */
	char *detail;       /* what was seen, secrets masked */
	int line;           /* 1-based line in path (host checks: a host file), 0 when none */
};

struct sw_check_result {
	const char *id;          /* ours, stable: "SW-CFG-001" (static) */
	const char *cis;         /* CIS Docker Benchmark 1.6.0 control, "4.1", or NULL (static) */
	const char *title;       /* static */
	enum sw_check_status status;
	enum sw_severity_level severity; /* of a failure; kept for passes too */
	struct sw_vec evidence;  /* struct sw_check_evidence* */
	char *note;              /* why the status (info/manual/pass with a caveat), or NULL */
	const char *remediation; /* static */
	char *suppressed;        /* why it is suppressed (.stowawayignore), or NULL */
};

struct sw_check_list {
	struct sw_vec results;   /* struct sw_check_result*, in id order */
	struct sw_vec notes;     /* char*: about the input (history/layer mismatch, odd types) */
};
#define SW_CHECK_LIST_INIT { SW_VEC_INIT, SW_VEC_INIT }

/* Every result list holds this many results (one per check). */
#define SW_CHECKS_COUNT 20

struct sw_checks_opts {
	long long now;          /* unix time, for the image age */
	int max_age_days;       /* older images are reported; 0 = 365 */
	/* The image manifest's base-image annotations (struct sw_image_info
	 * base_name / base_digest), or NULL: SW-CFG-106 reads them, else the
	 * config Labels of the same names. */
	const char *base_name, *base_digest;
};

/* Decide the config checks for the config JSON (len bytes) of an image
 * with nlayers layers.  Anything wrong with the input (not JSON, missing
 * or odd members, history that does not match the layers) is a note and
 * status info on the checks it affects, never an error; returns 0. */
int sw_checks_run_config(const char *config_json, size_t len, size_t nlayers,
			 const struct sw_checks_opts *o, struct sw_check_list *out,
			 struct sw_err *err);
/* Decide the checks that need the image's files, from the file facts and
 * packages of inv (built by the one layer pass: inventory/fsfacts.h, no
 * layer read again), completing the list sw_checks_run_config() filled for
 * the same config: 4.1 for a named User (through the image's /etc/passwd),
 * 4.3 (unnecessary packages, package-manager caches), 4.8 (setuid/setgid
 * files), 4.11 (apt sources and apt.conf, yum/dnf repositories), 5.7 (sshd
 * installed), SW-CFG-103 (uid-0 accounts), SW-CFG-104 (empty password
 * fields), SW-CFG-105 (world-writable entries).  config_json may be NULL
 * (evidence then has no history index).  Bad input (no /etc/passwd, a
 * binary or oversized one, unreadable sources) is a note and status info,
 * never an error; returns 0. */
int sw_checks_run_files(const char *config_json, size_t len, const struct sw_inventory *inv,
			struct sw_check_list *list, struct sw_err *err);
/* The checks that could not run at all (no config: an SBOM, a dir:
 * rootfs): every control with status info and `why` as its note. */
void sw_checks_not_run(const char *why, struct sw_check_list *out);
void sw_check_list_release(struct sw_check_list *l);

/* --- the history line parser (history.c; unit-tested and fuzzed) --- */

enum sw_instr_kind {
	SW_INSTR_UNKNOWN = 0,   /* not recognised */
	SW_INSTR_RUN,
	SW_INSTR_ADD,
	SW_INSTR_COPY,
	SW_INSTR_ENV,
	SW_INSTR_ARG,
	SW_INSTR_LABEL,
	SW_INSTR_OTHER,         /* another Dockerfile instruction (USER, CMD, ...) */
};

struct sw_instr {
	enum sw_instr_kind kind;
	char *keyword;      /* "RUN", "ADD", ... as written (upper-cased), or NULL */
	char *args;         /* the instruction's text after the keyword / shell prefix */
	struct sw_vec build_args; /* char*: "KEY=VAL" of the "|N KEY=VAL ..." form, unmasked */
	bool buildkit;      /* ended in " # buildkit" */
};

/* Parse one created_by line (classic "/bin/sh -c #(nop) ADD ...", classic
 * RUN "/bin/sh -c cmd" and "|N K=V /bin/sh -c cmd", BuildKit "RUN |N K=V
 * /bin/sh -c cmd # buildkit", "ADD src dst # buildkit", exec form
 * "RUN [...]").  Never fails: an unrecognised line is SW_INSTR_UNKNOWN
 * with args = the line. */
void sw_instr_parse(const char *created_by, struct sw_instr *out);
void sw_instr_release(struct sw_instr *in);

#endif
