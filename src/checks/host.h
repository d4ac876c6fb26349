/*
 * host.h - Docker host checks (CIS Docker Benchmark 1.6.0 sections 1-3,
 * issue 20), decided statically from the files under a root directory, as
 * Docker Bench's checks 1.1.x, 2.x and 3.x decide them (docs/host-checks.md).
 *
 *   struct sw_check_list cl = SW_CHECK_LIST_INIT;
 *   sw_host_checks_run("/", &cl, err);   // or a copy of a host's tree
 *   ... cl.results[i]: evidence path relative to the root, line numbers
 *   sw_check_list_release(&cl);
 *
 * Inputs: /etc/docker/daemon.json (or --config-file from the unit), the
 * systemd unit docker.service and its drop-ins (the effective ExecStart's
 * dockerd flags), /etc/audit/rules.d/ *.rules and /etc/audit/audit.rules,
 * and the ownership and modes of the socket, units, configuration and
 * certificates (lstat; symlinks are followed inside the root only).
 * Nothing is executed.  A file that cannot be parsed is a note and status
 * info on the controls it decides, never an error.
 *
 * The parsers are separate so that they can be fuzzed and unit-tested.
 */
#ifndef SW_CHECKS_HOST_H
#define SW_CHECKS_HOST_H

#include <stddef.h>

#include "checks/checks.h"
#include "util/err.h"
#include "util/vec.h"

/* One daemon setting, from daemon.json or a dockerd flag.  Keys are
 * daemon.json's names (a flag --insecure-registry is "insecure-registries",
 * -H is "hosts"); an array gives one setting per element. */
struct sw_daemon_setting {
	char *key;
	char *value;    /* "true"/"false", a string, or compact JSON for objects */
	char *file;     /* relative to the root */
	int line;       /* 1-based, 0 unknown */
	int from_flag;  /* 1: an ExecStart flag */
};

struct sw_daemon_config {
	struct sw_vec settings; /* struct sw_daemon_setting* */
	struct sw_vec notes;    /* char*: what could not be read */
};
#define SW_DAEMON_CONFIG_INIT { SW_VEC_INIT, SW_VEC_INIT }
void sw_daemon_config_release(struct sw_daemon_config *c);
/* The last setting for key, or NULL. */
const struct sw_daemon_setting *sw_daemon_config_get(const struct sw_daemon_config *c, const char *key);

/* daemon.json text (file names it in notes and evidence).  A document
 * that is not a JSON object is a note; returns 0 (parsed) or -1 (noted). */
int sw_daemon_json_parse(const char *file, const char *data, size_t len, struct sw_daemon_config *c);
/* A systemd unit file: the effective ExecStart (an empty "ExecStart="
 * resets) of its [Service] section; *exec (malloc'd) and *line, or NULL
 * when there is none.  Continuation lines are joined. */
void sw_unit_exec_start(const char *data, size_t len, char **exec, int *line);
/* The dockerd flags of one ExecStart command line into c (file, line as
 * evidence).  A command that is not dockerd adds a note. */
void sw_exec_start_flags(const char *file, int line, const char *exec, struct sw_daemon_config *c);

/* Audit rules: the paths watched (-w PATH, -F path=PATH, -F dir=PATH). */
struct sw_audit_watch {
	char *path;
	char *file;
	int line;
};
void sw_audit_rules_parse(const char *file, const char *data, size_t len, struct sw_vec *watches);
void sw_audit_watch_free(void *w);

/* How many results in l failed at severity min or above, not suppressed
 * (the gate of host-check and containers --fail-on). */
size_t sw_check_list_failed(const struct sw_check_list *l, enum sw_severity_level min);

/* Every host control into out (results in CIS order). */
int sw_host_checks_run(const char *root, struct sw_check_list *out, struct sw_err *err);

#endif
