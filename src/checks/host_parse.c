/*
 * host_parse.c - the parsers of the host checks (host.h): daemon.json, a
 * systemd unit's ExecStart and its dockerd flags, audit rules.  Bounded:
 * lines and tokens are cut at fixed lengths, counts capped.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/host.h"
#include "util/buf.h"
#include "util/mem.h"

#define MAX_SETTINGS 4096
#define MAX_WATCHES 20000
#define MAX_TOKENS 4096

static void setting_free(void *p)
{
	struct sw_daemon_setting *s = p;
	free(s->key);
	free(s->value);
	free(s->file);
	free(s);
}

void sw_daemon_config_release(struct sw_daemon_config *c)
{
	sw_vec_free_all(&c->settings, setting_free);
	sw_vec_free_strings(&c->notes);
}

const struct sw_daemon_setting *sw_daemon_config_get(const struct sw_daemon_config *c, const char *key)
{
	for (size_t i = c->settings.len; i-- > 0;) {
		const struct sw_daemon_setting *s = c->settings.items[i];
		if (strcmp(s->key, key) == 0)
			return s;
	}
	return NULL;
}

static void add(struct sw_daemon_config *c, const char *key, const char *value, const char *file, int line,
		int flag)
{
	if (c->settings.len >= MAX_SETTINGS)
		return;
	struct sw_daemon_setting *s = sw_xcalloc(1, sizeof(*s));
	s->key = sw_xstrdup(key);
	s->value = sw_xstrdup(value);
	s->file = sw_xstrdup(file);
	s->line = line;
	s->from_flag = flag;
	sw_vec_push(&c->settings, s);
}

/* The line of the first `"key"` followed by ':' at nesting depth 1. */
static int key_line(const char *data, size_t len, const char *key)
{
	size_t kl = strlen(key);
	int line = 1, depth = 0;
	bool in_str = false;
	size_t str_start = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];
		if (in_str) {
			if (ch == '\\') {
				i++;
				continue;
			}
			if (ch == '"') {
				in_str = false;
				if (depth == 1 && i - str_start == kl && memcmp(data + str_start, key, kl) == 0) {
					size_t j = i + 1;
					while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n'))
						j++;
					if (j < len && data[j] == ':')
						return line;
				}
			} else if (ch == '\n')
				line++;
			continue;
		}
		if (ch == '\n')
			line++;
		else if (ch == '"') {
			in_str = true;
			str_start = i + 1;
		} else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			depth--;
	}
	return 0;
}

static char *scalar_text(json_t *v)
{
	if (json_is_string(v))
		return sw_xstrdup(json_string_value(v));
	if (json_is_true(v))
		return sw_xstrdup("true");
	if (json_is_false(v))
		return sw_xstrdup("false");
	if (json_is_null(v))
		return sw_xstrdup("null");
	char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	if (d && strlen(d) > 1000)
		d[1000] = '\0';
	return d ? d : sw_xstrdup("?");
}

int sw_daemon_json_parse(const char *file, const char *data, size_t len, struct sw_daemon_config *c)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		sw_vec_push(&c->notes, j ? sw_xasprintf("%s: not a JSON object", file)
					: sw_xasprintf("%s: line %d: %s", file, je.line, je.text));
		json_decref(j);
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v) {
		int line = key_line(data, len, k);
		if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				char *t = scalar_text(e);
				add(c, k, t, file, line, 0);
				free(t);
			}
			if (!json_array_size(v))
				add(c, k, "", file, line, 0); /* present, empty */
			continue;
		}
		char *t = scalar_text(v);
		add(c, k, t, file, line, 0);
		free(t);
	}
	json_decref(j);
	return 0;
}

/* --- systemd units --- */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

void sw_unit_exec_start(const char *data, size_t len, char **exec, int *line)
{
	*exec = NULL;
	*line = 0;
	bool service = false;
	size_t i = 0;
	int lineno = 0;
	while (i < len) {
		/* one logical line: physical lines joined on a trailing '\' */
		struct sw_buf b = SW_BUF_INIT;
		sw_buf_init(&b, 1 << 20);
		int start = lineno + 1;
		for (;;) {
			size_t e = i;
			while (e < len && data[e] != '\n')
				e++;
			lineno++;
			size_t n = e - i;
			while (n && data[i + n - 1] == '\r')
				n--;
			bool cont = n && data[i + n - 1] == '\\';
			sw_buf_add(&b, data + i, cont ? n - 1 : n);
			i = e < len ? e + 1 : e;
			if (!cont || i >= len)
				break;
			sw_buf_addch(&b, ' ');
		}
		if (!sw_buf_ok(&b) || memchr(b.data, '\0', b.len)) {
			sw_buf_release(&b);
			continue;
		}
		char *l = trim(b.data);
		if (*l == '[') {
			service = strncmp(l, "[Service]", 9) == 0;
		} else if (service && *l != '#' && *l != ';' && strncmp(l, "ExecStart", 9) == 0) {
			char *p = trim(l + 9);
			if (*p == '=') {
				p = trim(p + 1);
				free(*exec);
				*exec = *p ? sw_xstrdup(p) : NULL;
				*line = *p ? start : 0;
			}
		}
		sw_buf_release(&b);
	}
}

/* Shell-like words: blanks split, "..." and '...' quote, '\' escapes. */
static size_t split_words(const char *s, char **out, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		struct sw_buf w = SW_BUF_INIT;
		char q = 0;
		for (; *s; s++) {
			if (q) {
				if (*s == q)
					q = 0;
				else if (*s == '\\' && q == '"' && s[1])
					sw_buf_addch(&w, *++s);
				else
					sw_buf_addch(&w, *s);
			} else if (*s == '"' || *s == '\'')
				q = *s;
			else if (*s == '\\' && s[1])
				sw_buf_addch(&w, *++s);
			else if (*s == ' ' || *s == '\t')
				break;
			else
				sw_buf_addch(&w, *s);
		}
		out[n++] = sw_buf_detach(&w, NULL);
	}
	return n;
}

static const struct flagdef {
	const char *name, *key;
	bool boolean;
} FLAGS[] = {
	{ "icc", "icc", true },
	{ "iptables", "iptables", true },
	{ "ip-forward", "ip-forward", true },
	{ "ip-masq", "ip-masq", true },
	{ "live-restore", "live-restore", true },
	{ "userland-proxy", "userland-proxy", true },
	{ "no-new-privileges", "no-new-privileges", true },
	{ "experimental", "experimental", true },
	{ "tls", "tls", true },
	{ "tlsverify", "tlsverify", true },
	{ "debug", "debug", true },
	{ "D", "debug", true },
	{ "selinux-enabled", "selinux-enabled", true },
	{ "log-level", "log-level", false },
	{ "l", "log-level", false },
	{ "insecure-registry", "insecure-registries", false },
	{ "storage-driver", "storage-driver", false },
	{ "s", "storage-driver", false },
	{ "host", "hosts", false },
	{ "H", "hosts", false },
	{ "tlscacert", "tlscacert", false },
	{ "tlscert", "tlscert", false },
	{ "tlskey", "tlskey", false },
	{ "default-ulimit", "default-ulimits", false },
	{ "userns-remap", "userns-remap", false },
	{ "cgroup-parent", "cgroup-parent", false },
	{ "storage-opt", "storage-opts", false },
	{ "authorization-plugin", "authorization-plugins", false },
	{ "log-driver", "log-driver", false },
	{ "log-opt", "log-opts", false },
	{ "seccomp-profile", "seccomp-profile", false },
	{ "data-root", "data-root", false },
	{ "config-file", "config-file", false },
	{ "containerd", "containerd", false },
	{ "bridge", "bridge", false },
	{ "b", "bridge", false },
	{ "bip", "bip", false },
	{ "group", "group", false },
	{ "G", "group", false },
	{ "exec-opt", "exec-opts", false },
	{ "default-runtime", "default-runtime", false },
	{ "registry-mirror", "registry-mirrors", false },
	{ "dns", "dns", false },
	{ "mtu", "mtu", false },
	{ "pidfile", "pidfile", false },
	{ "p", "pidfile", false },
};

static const struct flagdef *find_flag(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(FLAGS) / sizeof(FLAGS[0]); i++)
		if (strlen(FLAGS[i].name) == n && strncmp(FLAGS[i].name, name, n) == 0)
			return &FLAGS[i];
	return NULL;
}

void sw_exec_start_flags(const char *file, int line, const char *exec, struct sw_daemon_config *c)
{
	char **w = sw_xcalloc(MAX_TOKENS, sizeof(char *));
	size_t n = split_words(exec, w, MAX_TOKENS);
	size_t i = 0;
	if (n) {
		/* systemd's prefixes: @ - : + ! */
		char *cmd = w[0];
		while (*cmd && strchr("@-:+!", *cmd))
			cmd++;
		const char *base = strrchr(cmd, '/');
		base = base ? base + 1 : cmd;
		if (strcmp(base, "dockerd") == 0 || strcmp(base, "dockerd-rootless.sh") == 0)
			i = 1;
		else if (strcmp(base, "docker") == 0 && n > 1 && strcmp(w[1], "daemon") == 0)
			i = 2;
		else {
			sw_vec_push(&c->notes, sw_xasprintf("%s:%d: ExecStart runs '%.100s', not dockerd: its flags are not read",
							    file, line, cmd));
			i = n;
		}
	}
	for (; i < n; i++) {
		const char *a = w[i];
		if (a[0] != '-' || !a[1]) {
			if (a[0] == '$')
				sw_vec_push(&c->notes, sw_xasprintf("%s:%d: ExecStart uses '%.100s' from the environment: "
								    "its flags are not known statically", file, line, a));
			continue;
		}
		const char *name = a + 1 + (a[1] == '-');
		const char *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		const struct flagdef *f = find_flag(name, nl);
		char *key = f ? sw_xstrdup(f->key) : sw_xasprintf("%.*s", (int)(nl > 100 ? 100 : nl), name);
		const char *val;
		if (eq)
			val = eq + 1;
		else if (f && !f->boolean && i + 1 < n)
			val = w[++i];
		else
			val = f && !f->boolean ? "" : "true";
		add(c, key, val, file, line, 1);
		free(key);
	}
	for (size_t k = 0; k < n; k++)
		free(w[k]);
	free(w);
}

/* --- audit rules --- */

void sw_audit_watch_free(void *p)
{
	struct sw_audit_watch *w = p;
	free(w->path);
	free(w->file);
	free(w);
}

static void watch(struct sw_vec *out, const char *path, const char *file, int line)
{
	if (out->len >= MAX_WATCHES || !*path)
		return;
	struct sw_audit_watch *w = sw_xcalloc(1, sizeof(*w));
	w->path = sw_xstrdup(path);
	size_t n = strlen(w->path);
	while (n > 1 && w->path[n - 1] == '/')
		w->path[--n] = '\0';
	w->file = sw_xstrdup(file);
	w->line = line;
	sw_vec_push(out, w);
}

void sw_audit_rules_parse(const char *file, const char *data, size_t len, struct sw_vec *watches)
{
	size_t i = 0;
	int lineno = 0;
	char *words[64];
	while (i < len) {
		size_t e = i;
		while (e < len && data[e] != '\n')
			e++;
		lineno++;
		size_t n = e - i;
		char *l = sw_xasprintf("%.*s", (int)(n > 8192 ? 8192 : n), data + i);
		i = e < len ? e + 1 : e;
		if (strlen(l) != (n > 8192 ? 8192 : n)) { /* a NUL inside */
			free(l);
			continue;
		}
		char *t = trim(l);
		if (*t == '#' || !*t) {
			free(l);
			continue;
		}
		size_t nw = split_words(t, words, 64);
		for (size_t k = 0; k < nw; k++) {
			if (strcmp(words[k], "-w") == 0 && k + 1 < nw)
				watch(watches, words[k + 1], file, lineno);
			else if (strcmp(words[k], "-F") == 0 && k + 1 < nw) {
				const char *f = words[k + 1];
				if (strncmp(f, "path=", 5) == 0)
					watch(watches, f + 5, file, lineno);
				else if (strncmp(f, "dir=", 4) == 0)
					watch(watches, f + 4, file, lineno);
			}
		}
		for (size_t k = 0; k < nw; k++)
			free(words[k]);
		free(l);
	}
}
