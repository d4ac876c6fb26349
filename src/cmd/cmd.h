/*
 * cmd.h - subcommands of the stowaway binary.
 *
 * Each cmd_<name>.c turns argv into library calls, prints results to
 * stdout and errors to stderr ("stowaway: <message>"), and returns one of
 * the exit codes below.  main.c only dispatches.
 */
#ifndef SW_CMD_CMD_H
#define SW_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Exit codes, documented in README.md and every --help. */
enum sw_exit {
	SW_EXIT_OK = 0,        /* success; no gate failed */
	SW_EXIT_FAIL = 1,      /* a gate failed (--fail-on; a policy's final action STOP) */
	SW_EXIT_ERROR = 2,     /* bad input, i/o, digest mismatch, database error ... */
	SW_EXIT_PARTIAL = 3,   /* k8s, containers: done, but some targets failed (each named) */
	SW_EXIT_USAGE = 64,    /* bad command line */
};

struct sw_cmd {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
};

int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_k8s(int argc, char **argv);
/* `db push` / `db pull` (cmd_db_oci.c) */
int cmd_db_push(int argc, char **argv);
int cmd_db_pull(int argc, char **argv);
struct sw_image_opts;
/* Pull the database artifact ref into db_path (NULL: the default path),
 * verified and atomically (vulndb.h sw_vulndb_artifact_install); *digest
 * (owned, may be NULL): the manifest's digest. */
int sw_cmd_db_pull(const char *ref, const char *db_path, const struct sw_image_opts *o, char **digest,
		   struct sw_err *err);
int cmd_host(int argc, char **argv);
int cmd_containers(int argc, char **argv);

/* After a command: flush stdout and check it for write errors (a full disk,
 * /dev/full, a closed pipe).  On error print "stowaway: error writing
 * standard output: REASON" (unless rc is already SW_EXIT_ERROR: the command
 * has reported its error) and return SW_EXIT_ERROR; else return rc. */
int sw_cmd_finish_stdout(int rc);
/* Jansson, checked: its allocations go through sw_xmalloc() (out of memory
 * ends the program with a message, as everywhere else), so building a
 * document fails only on a NULL value or a key that is not UTF-8.
 * sw_cmd_jstr() never returns NULL: JSON null for NULL, and text that is
 * not UTF-8 (a file name, a byte from a database) with each byte of 0x80
 * and above written as "\xNN" instead of the member silently vanishing. */
void sw_cmd_json_init(void);
struct json_t;
struct json_t *sw_cmd_jstr(const char *s);
/* Every line on stderr is printed by these, made terminal-safe with
 * util/termsafe.h (controls, C1, bidi overrides, invalid UTF-8 as '?'):
 * no other code in cmd/ prints untrusted text to stderr directly. */
/* Print "stowaway: MSG" for err to stderr and return SW_EXIT_ERROR. */
int sw_cmd_fail(const struct sw_err *err);
/* Print "stowaway: <cmd>: MSG\nTry 'stowaway <cmd> --help'." and return SW_EXIT_USAGE. */
int sw_cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "stowaway: warning: MSG", "stowaway: note: MSG", "stowaway: MSG" (progress,
 * what was done) on stderr. */
void sw_cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sw_cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sw_cmd_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when progress may be drawn on stderr (a TTY, not --quiet, not CI). */
bool sw_cmd_progress_enabled(void);
void sw_cmd_set_quiet(bool quiet);
bool sw_cmd_quiet(void);
/* Unix time for reports: SOURCE_DATE_EPOCH when set (reproducible output), else now. */
long long sw_cmd_now(void);
/* --password-stdin: the first line of standard input (at most 4 KiB),
 * malloc'd; the caller wipes and frees it. */
char *sw_cmd_read_password_stdin(void);
/* $STOWAWAY_DEBUG_TIMES=1: sw_cmd_phase("match") prints on stderr the wall and
 * CPU milliseconds and the minor page faults since the previous call
 * ("time: match ...");  the first
 * call only starts the clocks.  Without the variable it does nothing. */
void sw_cmd_phase(const char *name);

/* $STOWAWAY_DEBUG_CACHE: what the caches did for inv, on stderr
 * ("image cache: hit" and "layer cache: N cached, M read"). */
struct sw_inventory;
void sw_cmd_debug_cache(const struct sw_inventory *inv);
/* Progress callback for sw_inventory_build(): "layers read: N/M" on stderr. */
bool sw_cmd_layer_progress(void *ctx, size_t done, size_t nlayers);

#endif
