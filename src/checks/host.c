/*
 * host.c - the Docker host checks (host.h, docs/host-checks.md): CIS Docker
 * Benchmark 1.6.0 1.1.3-1.1.18 (audit rules), 2.1-2.18 (daemon
 * configuration from daemon.json and dockerd's ExecStart flags), 3.1-3.24
 * (ownership and modes), from the files under a root directory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/host.h"
#include "checks/internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define FILE_MAX ((size_t)4 << 20)
#define MAX_HOPS 40

struct hctx {
	const char *root;
	struct sw_check_list *out;
	struct sw_daemon_config cfg;
	struct sw_vec watches;   /* struct sw_audit_watch* */
	bool have_audit;
	char *unit;              /* docker.service, relative to root, or NULL */
	char *socket_unit;       /* docker.socket */
	char *daemon_json;       /* the daemon.json read, or NULL */
};

/* --- paths inside the root --- */

/* Resolve abs (an absolute host path) inside root, symlinks followed as
 * the host would, but never out of root.  Returns the root-relative path
 * (no leading '/', "" for the root itself; malloc'd), or NULL on a loop. */
static char *resolve(const char *root, const char *abs)
{
	struct sw_buf cur = SW_BUF_INIT;
	sw_buf_grow(&cur, 256); /* owned memory: it is cut in place below */
	char *rest = sw_xstrdup(abs);
	int hops = 0;
	while (*rest) {
		char *p = rest;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *slash = strchr(p, '/');
		size_t cl = slash ? (size_t)(slash - p) : strlen(p);
		char comp[NAME_MAX + 1];
		if (cl > NAME_MAX)
			cl = NAME_MAX;
		memcpy(comp, p, cl);
		comp[cl] = '\0';
		char *after = sw_xstrdup(slash ? slash : "");
		free(rest);
		rest = after;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *l = strrchr(cur.data, '/');
			cur.len = l ? (size_t)(l - cur.data) : 0;
			cur.data[cur.len] = '\0';
			continue;
		}
		size_t keep = cur.len;
		if (cur.len)
			sw_buf_addch(&cur, '/');
		sw_buf_addstr(&cur, comp);
		char *full = sw_xasprintf("%s/%s", root, cur.data);
		struct stat st;
		if (lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
			char tgt[PATH_MAX];
			ssize_t n = readlink(full, tgt, sizeof(tgt) - 1);
			if (n < 0 || ++hops > MAX_HOPS) {
				free(full);
				free(rest);
				sw_buf_release(&cur);
				return NULL;
			}
			tgt[n] = '\0';
			cur.len = keep;
			cur.data[keep] = '\0';
			if (tgt[0] == '/') {
				cur.len = 0;
				cur.data[0] = '\0';
			}
			char *nr = sw_xasprintf("%s/%s", tgt, rest);
			free(rest);
			rest = nr;
		}
		free(full);
	}
	free(rest);
	return sw_buf_detach(&cur, NULL);
}

/* stat abs inside the root; *rel (malloc'd) the resolved relative path. */
static int hstat(const struct hctx *h, const char *abs, struct stat *st, char **rel)
{
	*rel = resolve(h->root, abs);
	if (!*rel)
		return -1;
	char *full = sw_xasprintf("%s/%s", h->root, *rel);
	int rc = lstat(full, st);
	free(full);
	if (rc < 0) {
		free(*rel);
		*rel = NULL;
	}
	return rc;
}

static int read_in_root(const struct hctx *h, const char *rel, struct sw_buf *b)
{
	char *full = sw_xasprintf("%s/%s", h->root, rel);
	struct sw_err e = SW_ERR_INIT;
	struct stat st;
	int rc = -1;
	sw_buf_reset(b);
	if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
		rc = sw_buf_read_file(b, full, FILE_MAX, &e);
	free(full);
	return rc;
}

/* --- results --- */

static struct sw_check_result *result(struct hctx *h, const char *cis, const char *title, enum sw_severity_level sev,
				      const char *remediation)
{
	struct sw_check_result *r = sw_xcalloc(1, sizeof(*r));
	/* ids: "SW-HOST-" + the CIS number; the strings live as long as the list */
	static const char *const ids[] = {
#define ID(x) "SW-HOST-" x
		ID("1.1.3"), ID("1.1.4"), ID("1.1.5"), ID("1.1.6"), ID("1.1.7"), ID("1.1.8"), ID("1.1.9"),
		ID("1.1.10"), ID("1.1.11"), ID("1.1.12"), ID("1.1.13"), ID("1.1.14"), ID("1.1.15"),
		ID("1.1.16"), ID("1.1.17"), ID("1.1.18"), ID("2.1"), ID("2.2"), ID("2.3"), ID("2.4"),
		ID("2.5"), ID("2.6"), ID("2.7"), ID("2.8"), ID("2.9"), ID("2.10"), ID("2.11"), ID("2.12"),
		ID("2.13"), ID("2.14"), ID("2.15"), ID("2.16"), ID("2.17"), ID("2.18"), ID("3.1"), ID("3.2"),
		ID("3.3"), ID("3.4"), ID("3.5"), ID("3.6"), ID("3.7"), ID("3.8"), ID("3.9"), ID("3.10"),
		ID("3.11"), ID("3.12"), ID("3.13"), ID("3.14"), ID("3.15"), ID("3.16"), ID("3.17"),
		ID("3.18"), ID("3.19"), ID("3.20"), ID("3.21"), ID("3.22"), ID("3.23"), ID("3.24"),
#undef ID
	};
	r->id = "SW-HOST";
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(ids[i] + 8, cis) == 0)
			r->id = ids[i];
	r->cis = cis;
	r->title = title;
	r->severity = sev;
	r->remediation = remediation;
	r->status = SW_CHECK_PASS;
	sw_vec_push(&h->out->results, r);
	return r;
}

static void ev(struct sw_check_result *r, const char *key, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void ev(struct sw_check_result *r, const char *key, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = NULL;
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	sw_check_add_evidence(r, -1, -1, NULL, key, path, d);
	free(d);
	((struct sw_check_evidence *)r->evidence.items[r->evidence.len - 1])->line = line;
}

static void set_note(struct sw_check_result *r, enum sw_check_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_note(struct sw_check_result *r, enum sw_check_status s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = NULL;
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	sw_check_set(r, s, d);
	free(d);
}

static void ev_setting(struct sw_check_result *r, const struct sw_daemon_setting *s)
{
	if (s->from_flag)
		ev(r, s->key, s->file, s->line, "dockerd flag --%s=%s", s->key, s->value);
	else
		ev(r, s->key, s->file, s->line, "\"%s\": %s", s->key, s->value);
}

static void ev_unset(const struct hctx *h, struct sw_check_result *r, const char *key)
{
	ev(r, key, h->daemon_json ? h->daemon_json : h->unit, 0, "%s is not set (daemon.json%s)", key,
	   h->unit ? " or dockerd's flags" : "; no docker.service unit found");
}

/* --- section 1.1: audit rules --- */

static bool watched(const struct hctx *h, const char *abs, const struct sw_audit_watch **w)
{
	size_t al = strlen(abs);
	for (size_t i = 0; i < h->watches.len; i++) {
		const struct sw_audit_watch *x = h->watches.items[i];
		size_t xl = strlen(x->path);
		if (strcmp(x->path, abs) == 0 || (xl < al && strncmp(abs, x->path, xl) == 0 && abs[xl] == '/')) {
			*w = x;
			return true;
		}
	}
	return false;
}

static void audit_check(struct hctx *h, const char *cis, const char *what, const char *abs)
{
	struct sw_check_result *r = result(h, cis, what, SW_SEV_LOW,
					   "Add an audit rule for it, e.g. `-w PATH -k docker` in "
					   "/etc/audit/rules.d/docker.rules, and restart auditd");
	struct stat st;
	char *rel = NULL;
	if (!abs || hstat(h, abs, &st, &rel) < 0) {
		set_note(r, SW_CHECK_INFO, "%s is not present on this host", abs ? abs : "the file");
		return;
	}
	const struct sw_audit_watch *w = NULL;
	if (watched(h, abs, &w)) {
		ev(r, NULL, w->file, w->line, "watched: %s", w->path);
	} else {
		sw_check_fail(r, SW_SEV_LOW);
		ev(r, NULL, rel, 0, "no audit rule watches it%s",
		   h->have_audit ? "" : " (no audit rules found in etc/audit)");
	}
	free(rel);
}

static void load_audit(struct hctx *h)
{
	static const char *const files[] = { "/etc/audit/audit.rules" };
	struct sw_buf b = SW_BUF_INIT;
	char *dir = resolve(h->root, "/etc/audit/rules.d");
	if (dir) {
		char *full = sw_xasprintf("%s/%s", h->root, dir);
		struct dirent **names = NULL;
		int n = scandir(full, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *nm = names[i]->d_name;
			size_t l = strlen(nm);
			if (l > 6 && strcmp(nm + l - 6, ".rules") == 0) {
				char *rel = sw_xasprintf("%s/%s", dir, nm);
				if (read_in_root(h, rel, &b) == 0) {
					h->have_audit = true;
					sw_audit_rules_parse(rel, b.data, b.len, &h->watches);
				}
				free(rel);
			}
			free(names[i]);
		}
		free(names);
		free(full);
		free(dir);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *rel = resolve(h->root, files[i]);
		if (rel && read_in_root(h, rel, &b) == 0) {
			h->have_audit = true;
			sw_audit_rules_parse(rel, b.data, b.len, &h->watches);
		}
		free(rel);
	}
	sw_buf_release(&b);
}

/* --- the daemon's configuration --- */

static char *find_unit(struct hctx *h, const char *name)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *abs = sw_xasprintf("%s/%s", dirs[i], name);
		struct stat st;
		char *rel = NULL;
		int rc = hstat(h, abs, &st, &rel);
		free(abs);
		if (rc == 0 && S_ISREG(st.st_mode))
			return rel;
		free(rel);
	}
	return NULL;
}

static void load_config(struct hctx *h)
{
	struct sw_buf b = SW_BUF_INIT;
	h->unit = find_unit(h, "docker.service");
	h->socket_unit = find_unit(h, "docker.socket");
	char *exec = NULL, *exec_file = NULL;
	int exec_line = 0;
	if (h->unit && read_in_root(h, h->unit, &b) == 0) {
		sw_unit_exec_start(b.data, b.len, &exec, &exec_line);
		if (exec)
			exec_file = sw_xstrdup(h->unit);
	}
	/* drop-ins override the unit's ExecStart, in name order */
	char *dd = resolve(h->root, "/etc/systemd/system/docker.service.d");
	if (dd) {
		char *full = sw_xasprintf("%s/%s", h->root, dd);
		struct dirent **names = NULL;
		int n = scandir(full, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *nm = names[i]->d_name;
			size_t l = strlen(nm);
			char *rel = sw_xasprintf("%s/%s", dd, nm);
			if (l > 5 && strcmp(nm + l - 5, ".conf") == 0 && read_in_root(h, rel, &b) == 0) {
				char *e2 = NULL;
				int l2 = 0;
				sw_unit_exec_start(b.data, b.len, &e2, &l2);
				/* a drop-in's ExecStart= line (even empty) replaces the unit's */
				if (e2 || strstr(b.data, "ExecStart")) {
					free(exec);
					free(exec_file);
					exec = e2;
					exec_line = l2;
					exec_file = sw_xstrdup(rel);
				}
			}
			free(rel);
			free(names[i]);
		}
		free(names);
		free(full);
		free(dd);
	}
	if (exec)
		sw_exec_start_flags(exec_file, exec_line, exec, &h->cfg);
	free(exec);
	free(exec_file);
	const struct sw_daemon_setting *cf = sw_daemon_config_get(&h->cfg, "config-file");
	char *rel = resolve(h->root, cf ? cf->value : "/etc/docker/daemon.json");
	if (rel && read_in_root(h, rel, &b) == 0) {
		h->daemon_json = sw_xstrdup(rel);
		/* daemon.json first, so that a flag (which dockerd would refuse
		 * next to the same key) is what sw_daemon_config_get finds */
		struct sw_daemon_config j = SW_DAEMON_CONFIG_INIT;
		sw_daemon_json_parse(rel, b.data, b.len, &j);
		for (size_t i = 0; i < h->cfg.settings.len; i++)
			sw_vec_push(&j.settings, h->cfg.settings.items[i]);
		for (size_t i = 0; i < h->cfg.notes.len; i++)
			sw_vec_push(&j.notes, h->cfg.notes.items[i]);
		sw_vec_release(&h->cfg.settings);
		sw_vec_release(&h->cfg.notes);
		h->cfg = j;
	}
	free(rel);
	for (size_t i = 0; i < h->cfg.notes.len; i++)
		sw_vec_push_strdup(&h->out->notes, h->cfg.notes.items[i]);
	sw_buf_release(&b);
}

static const struct sw_daemon_setting *get(const struct hctx *h, const char *key)
{
	return sw_daemon_config_get(&h->cfg, key);
}

static bool is_true(const struct sw_daemon_setting *s)
{
	return s && (strcmp(s->value, "true") == 0 || strcmp(s->value, "1") == 0);
}

static bool is_false(const struct sw_daemon_setting *s)
{
	return s && (strcmp(s->value, "false") == 0 || strcmp(s->value, "0") == 0);
}

/* Pass when key is set to want ("true"/"false"), else fail. */
static void want_bool(struct hctx *h, struct sw_check_result *r, const char *key, bool want,
		      enum sw_severity_level sev, bool unset_ok)
{
	const struct sw_daemon_setting *s = get(h, key);
	if (s)
		ev_setting(r, s);
	if (s ? (want ? is_true(s) : is_false(s)) : unset_ok)
		return;
	sw_check_fail(r, sev);
	if (!s)
		ev_unset(h, r, key);
}

static void section2(struct hctx *h)
{
	struct sw_check_result *r;
	r = result(h, "2.1", "Run the Docker daemon as a non-root user, if possible", SW_SEV_LOW,
		   "Consider rootless mode (dockerd-rootless-setuptool.sh install)");
	set_note(r, SW_CHECK_MANUAL, "rootless mode is a choice per host; it cannot be decided from files alone");

	r = result(h, "2.2", "Ensure network traffic is restricted between containers on the default bridge",
		   SW_SEV_MEDIUM, "Set \"icc\": false in daemon.json (or --icc=false)");
	want_bool(h, r, "icc", false, SW_SEV_MEDIUM, false);

	r = result(h, "2.3", "Ensure the logging level is set to 'info'", SW_SEV_LOW,
		   "Set \"log-level\": \"info\" in daemon.json, or remove the setting");
	const struct sw_daemon_setting *s = get(h, "log-level");
	const struct sw_daemon_setting *dbg = get(h, "debug");
	if (s) {
		ev_setting(r, s);
		if (strcmp(s->value, "info") != 0)
			sw_check_fail(r, SW_SEV_LOW);
	}
	if (is_true(dbg)) {
		ev_setting(r, dbg);
		sw_check_fail(r, SW_SEV_LOW);
	}

	r = result(h, "2.4", "Ensure Docker is allowed to make changes to iptables", SW_SEV_MEDIUM,
		   "Remove \"iptables\": false from daemon.json (and --iptables=false)");
	want_bool(h, r, "iptables", true, SW_SEV_MEDIUM, true);

	r = result(h, "2.5", "Ensure insecure registries are not used", SW_SEV_HIGH,
		   "Remove \"insecure-registries\" (and --insecure-registry); give registries TLS certificates");
	for (size_t i = 0; i < h->cfg.settings.len; i++) {
		const struct sw_daemon_setting *x = h->cfg.settings.items[i];
		if (strcmp(x->key, "insecure-registries") == 0 && *x->value) {
			ev_setting(r, x);
			sw_check_fail(r, SW_SEV_HIGH);
		}
	}

	r = result(h, "2.6", "Ensure aufs storage driver is not used", SW_SEV_MEDIUM,
		   "Use overlay2: \"storage-driver\": \"overlay2\"");
	s = get(h, "storage-driver");
	if (s) {
		ev_setting(r, s);
		if (strcmp(s->value, "aufs") == 0)
			sw_check_fail(r, SW_SEV_MEDIUM);
	}

	r = result(h, "2.7", "Ensure TLS authentication for Docker daemon is configured", SW_SEV_HIGH,
		   "Listen on TCP only with \"tlsverify\": true and tlscacert, tlscert, tlskey");
	bool tcp = false;
	for (size_t i = 0; i < h->cfg.settings.len; i++) {
		const struct sw_daemon_setting *x = h->cfg.settings.items[i];
		if (strcmp(x->key, "hosts") == 0 && (strncmp(x->value, "tcp://", 6) == 0 || (x->value[0] != '/' &&
		    strncmp(x->value, "unix://", 7) != 0 && strncmp(x->value, "fd://", 5) != 0 && *x->value))) {
			tcp = true;
			ev_setting(r, x);
		}
	}
	if (!tcp)
		set_note(r, SW_CHECK_PASS, "the daemon does not listen on TCP");
	else {
		const char *need[] = { "tlsverify", "tlscacert", "tlscert", "tlskey" };
		for (size_t i = 0; i < 4; i++) {
			const struct sw_daemon_setting *x = get(h, need[i]);
			if (x && (i ? *x->value != '\0' : is_true(x)))
				ev_setting(r, x);
			else {
				sw_check_fail(r, SW_SEV_HIGH);
				ev_unset(h, r, need[i]);
			}
		}
	}

	r = result(h, "2.8", "Ensure the default ulimit is configured appropriately", SW_SEV_LOW,
		   "Set \"default-ulimits\" in daemon.json (nofile, nproc) as the workloads need");
	s = get(h, "default-ulimits");
	if (s)
		ev_setting(r, s);
	else
		set_note(r, SW_CHECK_INFO, "no default ulimit is set: containers inherit the daemon's");

	r = result(h, "2.9", "Enable user namespace support", SW_SEV_MEDIUM,
		   "Set \"userns-remap\": \"default\" in daemon.json");
	s = get(h, "userns-remap");
	if (s && *s->value)
		ev_setting(r, s);
	else {
		sw_check_fail(r, SW_SEV_MEDIUM);
		ev_unset(h, r, "userns-remap");
	}

	r = result(h, "2.10", "Ensure the default cgroup usage has been confirmed", SW_SEV_LOW,
		   "Leave \"cgroup-parent\" unset unless a separate cgroup is intended");
	s = get(h, "cgroup-parent");
	if (s) {
		ev_setting(r, s);
		set_note(r, SW_CHECK_INFO, "a cgroup parent is set: confirm it is intended");
	}

	r = result(h, "2.11", "Ensure base device size is not changed until needed", SW_SEV_LOW,
		   "Remove dm.basesize from \"storage-opts\"");
	for (size_t i = 0; i < h->cfg.settings.len; i++) {
		const struct sw_daemon_setting *x = h->cfg.settings.items[i];
		if (strcmp(x->key, "storage-opts") == 0 && strstr(x->value, "dm.basesize")) {
			ev_setting(r, x);
			sw_check_fail(r, SW_SEV_LOW);
		}
	}

	r = result(h, "2.12", "Ensure that authorization for Docker client commands is enabled", SW_SEV_MEDIUM,
		   "Install an authorization plugin and name it in \"authorization-plugins\"");
	s = get(h, "authorization-plugins");
	if (s && *s->value)
		ev_setting(r, s);
	else {
		sw_check_fail(r, SW_SEV_MEDIUM);
		ev_unset(h, r, "authorization-plugins");
	}

	r = result(h, "2.13", "Ensure centralized and remote logging is configured", SW_SEV_LOW,
		   "Set \"log-driver\" to a remote driver (syslog, journald, gelf, fluentd, awslogs, splunk ...)");
	s = get(h, "log-driver");
	if (s)
		ev_setting(r, s);
	if (!s || strcmp(s->value, "json-file") == 0 || strcmp(s->value, "local") == 0 ||
	    strcmp(s->value, "none") == 0) {
		sw_check_fail(r, SW_SEV_LOW);
		if (!s)
			ev_unset(h, r, "log-driver");
	}

	r = result(h, "2.14", "Ensure containers are restricted from acquiring new privileges", SW_SEV_MEDIUM,
		   "Set \"no-new-privileges\": true in daemon.json");
	want_bool(h, r, "no-new-privileges", true, SW_SEV_MEDIUM, false);

	r = result(h, "2.15", "Ensure live restore is enabled", SW_SEV_LOW, "Set \"live-restore\": true in daemon.json");
	want_bool(h, r, "live-restore", true, SW_SEV_LOW, false);

	r = result(h, "2.16", "Ensure Userland Proxy is Disabled", SW_SEV_LOW,
		   "Set \"userland-proxy\": false in daemon.json");
	want_bool(h, r, "userland-proxy", false, SW_SEV_LOW, false);

	r = result(h, "2.17", "Ensure that a daemon-wide custom seccomp profile is applied if appropriate", SW_SEV_MEDIUM,
		   "Keep the default seccomp profile or name a custom one in \"seccomp-profile\"; never 'unconfined'");
	s = get(h, "seccomp-profile");
	if (s) {
		ev_setting(r, s);
		if (strcmp(s->value, "unconfined") == 0)
			sw_check_fail(r, SW_SEV_HIGH);
	} else
		set_note(r, SW_CHECK_PASS, "Docker's default seccomp profile applies");

	r = result(h, "2.18", "Ensure that experimental features are not implemented in production", SW_SEV_LOW,
		   "Remove \"experimental\": true");
	want_bool(h, r, "experimental", false, SW_SEV_LOW, true);
}

/* --- section 3: ownership and modes --- */

static long group_gid(const struct hctx *h, const char *name)
{
	struct sw_buf b = SW_BUF_INIT;
	char *rel = resolve(h->root, "/etc/group");
	long gid = -1;
	if (rel && read_in_root(h, rel, &b) == 0) {
		size_t nl = strlen(name);
		for (char *l = b.data; l && *l;) {
			char *e = strchr(l, '\n');
			if (strncmp(l, name, nl) == 0 && l[nl] == ':') {
				char *p = strchr(l + nl + 1, ':');
				if (p)
					gid = strtol(p + 1, NULL, 10);
				break;
			}
			l = e ? e + 1 : NULL;
		}
	}
	free(rel);
	sw_buf_release(&b);
	return gid;
}

/* owner check (gid_want < 0: the group "docker") or mode check (mode_max) */
static void file_check(struct hctx *h, const char *cis, const char *title, const char *abs, const char *what,
		       bool owner, long gid_want, unsigned mode_max, enum sw_severity_level sev)
{
	const char *remediation = owner ? (gid_want == 0 ? "chown root:root FILE" : "chown root:docker FILE")
					: "chmod to the mode named in the title (or stricter)";
	struct sw_check_result *r = result(h, cis, title, sev, remediation);
	struct stat st;
	char *rel = NULL;
	if (!abs || hstat(h, abs, &st, &rel) < 0) {
		set_note(r, SW_CHECK_INFO, "%s: not present on this host", abs ? abs : what);
		return;
	}
	if (owner) {
		long g = gid_want;
		const char *gname = "root";
		if (g < 0) {
			gname = "docker";
			g = group_gid(h, "docker");
		}
		if (st.st_uid != 0 || (long)st.st_gid != g) {
			sw_check_fail(r, sev);
			ev(r, NULL, rel, 0, "owner %ld:%ld, want root:%s (%s)", (long)st.st_uid, (long)st.st_gid, gname,
			   g < 0 ? "no group docker in etc/group" : "");
		} else
			ev(r, NULL, rel, 0, "owner %ld:%ld", (long)st.st_uid, (long)st.st_gid);
	} else {
		unsigned m = st.st_mode & 07777;
		if (m & ~mode_max) {
			sw_check_fail(r, sev);
			ev(r, NULL, rel, 0, "mode %04o, want %04o or stricter", m, mode_max);
		} else
			ev(r, NULL, rel, 0, "mode %04o", m);
	}
	free(rel);
}

/* 3.7/3.8: every file in /etc/docker/certs.d/<registry>/ */
static void certs_d(struct hctx *h, bool owner)
{
	struct sw_check_result *r = owner
		? result(h, "3.7", "Ensure that registry certificate file ownership is set to root:root", SW_SEV_MEDIUM,
			 "chown root:root /etc/docker/certs.d/*/*")
		: result(h, "3.8", "Ensure that registry certificate file permissions are set to 444 or more restrictive",
			 SW_SEV_MEDIUM, "chmod 444 /etc/docker/certs.d/*/*");
	char *dir = resolve(h->root, "/etc/docker/certs.d");
	size_t seen = 0;
	if (dir) {
		char *full = sw_xasprintf("%s/%s", h->root, dir);
		struct dirent **regs = NULL;
		int n = scandir(full, &regs, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			if (regs[i]->d_name[0] != '.') {
				char *sub = sw_xasprintf("%s/%s", full, regs[i]->d_name);
				struct dirent **fs = NULL;
				int m = scandir(sub, &fs, NULL, alphasort);
				for (int k = 0; k < m; k++) {
					struct stat st;
					char *p = sw_xasprintf("%s/%s", sub, fs[k]->d_name);
					if (fs[k]->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISREG(st.st_mode) && seen < 1000) {
						seen++;
						char *rel = sw_xasprintf("%s/%s/%s", dir, regs[i]->d_name, fs[k]->d_name);
						if (owner && (st.st_uid != 0 || st.st_gid != 0)) {
							sw_check_fail(r, SW_SEV_MEDIUM);
							ev(r, NULL, rel, 0, "owner %ld:%ld, want root:root", (long)st.st_uid,
							   (long)st.st_gid);
						} else if (!owner && (st.st_mode & 07777 & ~0444u)) {
							sw_check_fail(r, SW_SEV_MEDIUM);
							ev(r, NULL, rel, 0, "mode %04o, want 0444 or stricter",
							   (unsigned)(st.st_mode & 07777));
						}
						free(rel);
					}
					free(p);
					free(fs[k]);
				}
				free(fs);
				free(sub);
			}
			free(regs[i]);
		}
		free(regs);
		free(full);
		free(dir);
	}
	if (!seen)
		set_note(r, SW_CHECK_INFO, "no registry certificates in /etc/docker/certs.d");
}

static void section3(struct hctx *h)
{
	char *unit = h->unit ? sw_xasprintf("/%s", h->unit) : NULL;
	char *sock_unit = h->socket_unit ? sw_xasprintf("/%s", h->socket_unit) : NULL;
	file_check(h, "3.1", "Ensure that the docker.service file ownership is set to root:root", unit, "docker.service",
		   true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.2", "Ensure that docker.service file permissions are appropriately set", unit,
		   "docker.service", false, 0, 0644, SW_SEV_MEDIUM);
	file_check(h, "3.3", "Ensure that docker.socket file ownership is set to root:root", sock_unit, "docker.socket",
		   true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.4", "Ensure that docker.socket file permissions are set to 644 or more restrictive", sock_unit,
		   "docker.socket", false, 0, 0644, SW_SEV_MEDIUM);
	file_check(h, "3.5", "Ensure that the /etc/docker directory ownership is set to root:root", "/etc/docker",
		   "/etc/docker", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.6", "Ensure that /etc/docker directory permissions are set to 755 or more restrictively",
		   "/etc/docker", "/etc/docker", false, 0, 0755, SW_SEV_MEDIUM);
	certs_d(h, true);
	certs_d(h, false);
	const struct sw_daemon_setting *ca = get(h, "tlscacert"), *cert = get(h, "tlscert"), *key = get(h, "tlskey");
	const char *cap = ca && ca->value[0] == '/' ? ca->value : NULL;
	const char *certp = cert && cert->value[0] == '/' ? cert->value : NULL;
	const char *keyp = key && key->value[0] == '/' ? key->value : NULL;
	file_check(h, "3.9", "Ensure that TLS CA certificate file ownership is set to root:root", cap,
		   "the TLS CA certificate (tlscacert not set)", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.10", "Ensure that TLS CA certificate file permissions are set to 444 or more restrictively",
		   cap, "the TLS CA certificate (tlscacert not set)", false, 0, 0444, SW_SEV_MEDIUM);
	file_check(h, "3.11", "Ensure that Docker server certificate file ownership is set to root:root", certp,
		   "the server certificate (tlscert not set)", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.12", "Ensure that the Docker server certificate file permissions are set to 444 or more "
		   "restrictively", certp, "the server certificate (tlscert not set)", false, 0, 0444, SW_SEV_MEDIUM);
	file_check(h, "3.13", "Ensure that the Docker server certificate key file ownership is set to root:root", keyp,
		   "the server key (tlskey not set)", true, 0, 0, SW_SEV_HIGH);
	file_check(h, "3.14", "Ensure that the Docker server certificate key file permissions are set to 400", keyp,
		   "the server key (tlskey not set)", false, 0, 0400, SW_SEV_HIGH);
	file_check(h, "3.15", "Ensure that the Docker socket file ownership is set to root:docker", "/var/run/docker.sock",
		   "/var/run/docker.sock", true, -1, 0, SW_SEV_HIGH);
	file_check(h, "3.16", "Ensure that the Docker socket file permissions are set to 660 or more restrictively",
		   "/var/run/docker.sock", "/var/run/docker.sock", false, 0, 0660, SW_SEV_HIGH);
	const char *dj = h->daemon_json ? NULL : "/etc/docker/daemon.json";
	char *djabs = h->daemon_json ? sw_xasprintf("/%s", h->daemon_json) : NULL;
	file_check(h, "3.17", "Ensure that the daemon.json file ownership is set to root:root", djabs ? djabs : dj,
		   "daemon.json", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.18", "Ensure that daemon.json file permissions are set to 644 or more restrictive",
		   djabs ? djabs : dj, "daemon.json", false, 0, 0644, SW_SEV_MEDIUM);
	file_check(h, "3.19", "Ensure that the /etc/default/docker file ownership is set to root:root",
		   "/etc/default/docker", "/etc/default/docker", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.20", "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictive",
		   "/etc/default/docker", "/etc/default/docker", false, 0, 0644, SW_SEV_MEDIUM);
	file_check(h, "3.21", "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more "
		   "restrictively", "/etc/sysconfig/docker", "/etc/sysconfig/docker", false, 0, 0644, SW_SEV_MEDIUM);
	file_check(h, "3.22", "Ensure that the /etc/sysconfig/docker file ownership is set to root:root",
		   "/etc/sysconfig/docker", "/etc/sysconfig/docker", true, 0, 0, SW_SEV_MEDIUM);
	file_check(h, "3.23", "Ensure that the Containerd socket file ownership is set to root:root",
		   "/run/containerd/containerd.sock", "/run/containerd/containerd.sock", true, 0, 0, SW_SEV_HIGH);
	file_check(h, "3.24", "Ensure that the Containerd socket file permissions are set to 660 or more restrictively",
		   "/run/containerd/containerd.sock", "/run/containerd/containerd.sock", false, 0, 0660, SW_SEV_HIGH);
	free(djabs);
	free(unit);
	free(sock_unit);
}

size_t sw_check_list_failed(const struct sw_check_list *l, enum sw_severity_level min)
{
	size_t n = 0;
	for (size_t i = 0; i < l->results.len; i++) {
		const struct sw_check_result *r = l->results.items[i];
		n += r->status == SW_CHECK_FAIL && r->severity >= min && !r->suppressed;
	}
	return n;
}

int sw_host_checks_run(const char *root, struct sw_check_list *out, struct sw_err *err)
{
	struct stat st;
	if (stat(root, &st) < 0)
		return sw_err_errno(err, "host root '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return sw_err_set(err, SW_E_USAGE, "host root '%s': not a directory", root);
	struct hctx h = { .root = root, .out = out, .cfg = SW_DAEMON_CONFIG_INIT, .watches = SW_VEC_INIT };
	if (strcmp(root, "/") == 0)
		h.root = "";
	load_config(&h);
	load_audit(&h);
	char *unit = h.unit ? sw_xasprintf("/%s", h.unit) : NULL;
	char *sock_unit = h.socket_unit ? sw_xasprintf("/%s", h.socket_unit) : NULL;
	audit_check(&h, "1.1.3", "Ensure auditing is configured for the Docker daemon", "/usr/bin/dockerd");
	audit_check(&h, "1.1.4", "Ensure auditing is configured for Docker files and directories - /run/containerd",
		    "/run/containerd");
	audit_check(&h, "1.1.5", "Ensure auditing is configured for Docker files and directories - /var/lib/docker",
		    "/var/lib/docker");
	audit_check(&h, "1.1.6", "Ensure auditing is configured for Docker files and directories - /etc/docker",
		    "/etc/docker");
	audit_check(&h, "1.1.7", "Ensure auditing is configured for Docker files and directories - docker.service",
		    unit);
	audit_check(&h, "1.1.8", "Ensure auditing is configured for Docker files and directories - containerd.sock",
		    "/run/containerd/containerd.sock");
	audit_check(&h, "1.1.9", "Ensure auditing is configured for Docker files and directories - docker.socket",
		    sock_unit);
	audit_check(&h, "1.1.10", "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
		    "/etc/default/docker");
	audit_check(&h, "1.1.11", "Ensure auditing is configured for Docker files and directories - "
		    "/etc/docker/daemon.json", "/etc/docker/daemon.json");
	audit_check(&h, "1.1.12", "Ensure auditing is configured for Docker files and directories - "
		    "/etc/containerd/config.toml", "/etc/containerd/config.toml");
	audit_check(&h, "1.1.13", "Ensure auditing is configured for Docker files and directories - "
		    "/etc/sysconfig/docker", "/etc/sysconfig/docker");
	audit_check(&h, "1.1.14", "Ensure auditing is configured for Docker files and directories - "
		    "/usr/bin/containerd", "/usr/bin/containerd");
	audit_check(&h, "1.1.15", "Ensure auditing is configured for Docker files and directories - "
		    "/usr/bin/containerd-shim", "/usr/bin/containerd-shim");
	audit_check(&h, "1.1.16", "Ensure auditing is configured for Docker files and directories - "
		    "/usr/bin/containerd-shim-runc-v1", "/usr/bin/containerd-shim-runc-v1");
	audit_check(&h, "1.1.17", "Ensure auditing is configured for Docker files and directories - "
		    "/usr/bin/containerd-shim-runc-v2", "/usr/bin/containerd-shim-runc-v2");
	audit_check(&h, "1.1.18", "Ensure auditing is configured for Docker files and directories - /usr/bin/runc",
		    "/usr/bin/runc");
	free(unit);
	free(sock_unit);
	if (!h.unit)
		sw_check_list_note(out, "no docker.service unit found under etc/systemd/system, usr/lib/systemd/system "
				   "or lib/systemd/system: dockerd's flags are not known");
	if (!h.daemon_json)
		sw_check_list_note(out, "no daemon.json: the daemon's defaults apply except for its flags");
	section2(&h);
	section3(&h);
	sw_daemon_config_release(&h.cfg);
	sw_vec_free_all(&h.watches, sw_audit_watch_free);
	free(h.unit);
	free(h.socket_unit);
	free(h.daemon_json);
	return 0;
}
