/*
 * checks.c - the config and history checks of the first slice of issue 13
 * (checks.h; each check is described in docs/checks.md).
 */
#include "checks/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/internal.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/secretmask.h"

#define NEEDS_FILES "needs the image's files (the layer pass): not decided"

enum check_idx {
	C_USER, C_TRUSTED_BASE, C_PACKAGES, C_REBUILD, C_TRUST, C_HEALTH, C_UPDATE, C_SETUID,
	C_ADD, C_SECRETS, C_VERIFIED, C_SIGNED, C_PIPE_SH, C_AGE, C_SSHD, C_PORTS, C_UID0, C_EMPTY_PW,
	C_WORLD_W, C_BASE_TAG, C_N
};

static const struct check_def {
	const char *id, *cis, *title;
	enum sw_severity_level severity;
	const char *remediation;
} defs[C_N] = {
	[C_USER] = { "SW-CFG-001", "4.1", "Image runs as a non-root user", SW_SEV_HIGH,
		     "add a USER instruction with a non-root user (a numeric uid such as 10001 needs no /etc/passwd look-up)" },
	[C_TRUSTED_BASE] = { "SW-CFG-002", "4.2", "Only trusted base images are used", SW_SEV_UNKNOWN,
			     "review where the base image comes from; pin it by digest" },
	[C_PACKAGES] = { "SW-CFG-003", "4.3", "No unnecessary packages are installed", SW_SEV_LOW,
			 "remove sshd, sudo, compilers and package-manager caches from the final image" },
	[C_REBUILD] = { "SW-CFG-004", "4.4", "Images are scanned and rebuilt with security patches", SW_SEV_UNKNOWN,
			"rebuild the image when its packages have fixes (see the vulnerability section)" },
	[C_TRUST] = { "SW-CFG-005", "4.5", "Content trust is enabled", SW_SEV_UNKNOWN,
		      "set DOCKER_CONTENT_TRUST=1 or verify image signatures where images are pulled" },
	[C_HEALTH] = { "SW-CFG-006", "4.6", "HEALTHCHECK instruction is present", SW_SEV_LOW,
		       "add a HEALTHCHECK instruction that tests the service" },
	[C_UPDATE] = { "SW-CFG-007", "4.7", "Update instructions are not used alone", SW_SEV_MEDIUM,
		       "run the package index update and the install in the same RUN instruction" },
	[C_SETUID] = { "SW-CFG-008", "4.8", "setuid and setgid permissions are removed", SW_SEV_MEDIUM,
		       "remove setuid/setgid bits that the image does not need (chmod a-s)" },
	[C_ADD] = { "SW-CFG-009", "4.9", "COPY is used instead of ADD", SW_SEV_LOW,
		    "use COPY for local files; download with a checked digest (ADD --checksum or curl and sha256sum) instead of ADD URL" },
	[C_SECRETS] = { "SW-CFG-010", "4.10", "Secrets are not stored in the image config or history", SW_SEV_HIGH,
			"pass secrets at run time or with BuildKit secret mounts (RUN --mount=type=secret), never as ENV, LABEL or build arguments; rotate the exposed ones" },
	[C_VERIFIED] = { "SW-CFG-011", "4.11", "Only verified packages are installed", SW_SEV_HIGH,
			 "keep package signature checks on: drop --allow-unauthenticated, [trusted=yes], --allow-untrusted, --nogpgcheck, gpgcheck=0" },
	[C_SIGNED] = { "SW-CFG-012", "4.12", "All signed artifacts are validated", SW_SEV_UNKNOWN,
		       "validate the signatures of artifacts the build downloads" },
	[C_PIPE_SH] = { "SW-CFG-101", NULL, "No remote script is piped into a shell", SW_SEV_MEDIUM,
			"download the script, check its digest, then run it" },
	[C_AGE] = { "SW-CFG-102", NULL, "Image is not older than the age limit", SW_SEV_LOW,
		    "rebuild the image regularly" },
	[C_SSHD] = { "SW-CFG-507", "5.7", "sshd is not run in the container, port 22 not exposed", SW_SEV_MEDIUM,
		     "do not run sshd in a container; use docker exec / kubectl exec" },
	[C_PORTS] = { "SW-CFG-508", "5.8", "No privileged port (below 1024) is exposed", SW_SEV_LOW,
		      "listen on a port of 1024 or above and map it at run time" },
	[C_UID0] = { "SW-CFG-103", NULL, "No account other than root has uid 0", SW_SEV_HIGH,
		     "give every account but root its own non-zero uid in /etc/passwd" },
	[C_EMPTY_PW] = { "SW-CFG-104", NULL, "No account has an empty password field", SW_SEV_HIGH,
			 "lock accounts without a password ('*' or '!' in /etc/shadow, 'x' in /etc/passwd)" },
	[C_WORLD_W] = { "SW-CFG-105", NULL, "No world-writable file or directory without the sticky bit", SW_SEV_MEDIUM,
			"remove the write bit for others (chmod o-w), or set the sticky bit on shared directories (chmod +t)" },
	[C_BASE_TAG] = { "SW-CFG-106", NULL, "Base image is pinned, not latest or untagged", SW_SEV_MEDIUM,
			 "name the base image by digest (FROM image:tag@sha256:...) or at least by a version tag" },
};

const char *sw_check_status_name(enum sw_check_status s)
{
	switch (s) {
	case SW_CHECK_PASS: return "pass";
	case SW_CHECK_FAIL: return "fail";
	case SW_CHECK_INFO: return "info";
	case SW_CHECK_MANUAL: return "manual";
	}
	return "info";
}

struct run {
	struct sw_check_result *r[C_N];
	struct sw_check_list *out;
	size_t nlayers;
	bool layers_known;      /* history's non-empty entries match the layers */
};

static struct sw_check_result *result_new(enum check_idx i)
{
	struct sw_check_result *r = sw_xcalloc(1, sizeof(*r));
	r->id = defs[i].id;
	r->cis = defs[i].cis;
	r->title = defs[i].title;
	r->severity = defs[i].severity;
	r->remediation = defs[i].remediation;
	r->status = SW_CHECK_PASS;
	return r;
}

static void set_status(struct sw_check_result *r, enum sw_check_status s, const char *note)
{
	r->status = s;
	if (note) {
		free(r->note);
		r->note = sw_mask_secrets(note);
	}
}

/* A failure raises the result's severity to sev (never lowers it). */
static void fail(struct sw_check_result *r, enum sw_severity_level sev)
{
	if (r->status != SW_CHECK_FAIL) {
		r->status = SW_CHECK_FAIL;
		r->severity = sev;
	} else if (sev > r->severity) {
		r->severity = sev;
	}
}

/* Evidence: every string is masked here, whatever the caller gives. */
static void evidence(struct sw_check_result *r, int layer, int hist, const char *created_by,
		     const char *key, const char *path, const char *detail)
{
	struct sw_check_evidence *e = sw_xcalloc(1, sizeof(*e));
	e->layer = layer;
	e->history = hist;
	e->created_by = sw_mask_secrets(created_by);
	e->config_key = sw_xstrdup(key);
	e->path = sw_xstrdup(path);
	e->detail = sw_mask_secrets(detail);
	sw_vec_push(&r->evidence, e);
}

static void note(struct run *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s) {
		char *m = sw_mask_secrets(s);
		free(s);
		sw_vec_push(&st->out->notes, m);
	}
}

/* --- tokens of a shell command (enough for the words we look for) --- */

static bool sep_char(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n' || c == '`';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\\';
}

/* Tokens of s; a run of separator characters is one token ";" (or "|"
 * for a single pipe, which the curl|sh check needs). */
static void tokens(const char *s, struct sw_vec *out)
{
	const char *p = s;
	while (*p) {
		if (blank(*p)) {
			p++;
			continue;
		}
		if (sep_char(*p)) {
			const char *q = p;
			while (*q && sep_char(*q))
				q++;
			bool pipe = q - p == 1 && *p == '|';
			sw_vec_push(out, sw_xstrdup(pipe ? "|" : ";"));
			p = q;
			continue;
		}
		const char *q = p;
		while (*q && !blank(*q) && !sep_char(*q))
			q++;
		char *t = sw_xstrndup(p, (size_t)(q - p));
		/* quotes around a word do not change it for our purposes */
		size_t n = strlen(t), w = 0;
		for (size_t i = 0; i < n; i++)
			if (t[i] != '"' && t[i] != '\'')
				t[w++] = t[i];
		t[w] = '\0';
		sw_vec_push(out, t);
		p = q;
	}
}

static const char *base(const char *t)
{
	const char *s = strrchr(t, '/');
	return s ? s + 1 : t;
}

static bool is_sep(const char *t)
{
	return strcmp(t, ";") == 0 || strcmp(t, "|") == 0;
}

static bool in_list(const char *t, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(t, *list) == 0)
			return true;
	return false;
}

/* 4.7: a package-index update without an install in the same RUN. */
static void check_update(const struct sw_vec *tk, bool *update, bool *install)
{
	static const char *const pms[] = { "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", NULL };
	static const char *const upd[] = { "update", "refresh", "ref", "makecache", NULL };
	static const char *const ins[] = { "install", "add", "in", "upgrade", "dist-upgrade", "full-upgrade",
					   "reinstall", "groupinstall", NULL };
	for (size_t i = 0; i < tk->len; i++) {
		if (!in_list(base(tk->items[i]), pms))
			continue;
		for (size_t j = i + 1; j < tk->len && !is_sep(tk->items[j]); j++) {
			const char *w = tk->items[j];
			if (w[0] == '-')
				continue;
			if (in_list(w, upd)) {
				*update = true;
				break;
			}
			if (in_list(w, ins)) {
				*install = true;
				break;
			}
		}
	}
}

/* curl/wget ... | [sudo] sh|bash|... in one command line. */
static bool pipe_to_shell(const struct sw_vec *tk)
{
	static const char *const dl[] = { "curl", "wget", NULL };
	static const char *const sh[] = { "sh", "bash", "ash", "dash", "zsh", "ksh", NULL };
	for (size_t i = 0; i < tk->len; i++) {
		if (!in_list(base(tk->items[i]), dl))
			continue;
		for (size_t j = i + 1; j < tk->len; j++) {
			if (strcmp(tk->items[j], ";") == 0)
				break;
			if (strcmp(tk->items[j], "|") != 0)
				continue;
			size_t k = j + 1;
			if (k < tk->len && strcmp(tk->items[k], "sudo") == 0)
				k++;
			if (k < tk->len && in_list(base(tk->items[k]), sh))
				return true;
		}
	}
	return false;
}

static const char *const unverified_flags[] = {
	"--allow-unauthenticated", "--allow-insecure", "[trusted=yes]", "trusted=yes",
	"--allow-untrusted", "--nogpgcheck", "--no-gpg-checks", "--no-verify", "gpgcheck=0",
	"AllowUnauthenticated", "--force-yes", NULL,
};

/* Secret-looking NAME=VALUE words of a text: evidence for each. */
static void secret_words(struct run *st, const struct sw_vec *tk, int layer, int hist, const char *by,
			 const char *what)
{
	for (size_t i = 0; i < tk->len; i++) {
		const char *t = tk->items[i];
		while (*t == '-')
			t++;
		const char *eq = strchr(t, '=');
		if (!eq || eq == t || !eq[1])
			continue;
		if (!sw_secret_name(t, (size_t)(eq - t)))
			continue;
		char *d = sw_xasprintf("%s %.*s=%s", what, (int)(eq - t), t, SW_SECRET_MASK);
		evidence(st->r[C_SECRETS], layer, hist, by, NULL, NULL, d);
		fail(st->r[C_SECRETS], SW_SEV_HIGH);
		free(d);
	}
}

/* ADD: skip the base image's root file system ("ADD file:... in /", or a
 * tar added at / as the first layer); a URL source is high severity. */
static void check_add(struct run *st, const char *args, int layer, int hist, const char *by)
{
	struct sw_vec tk = SW_VEC_INIT;
	tokens(args, &tk);
	size_t n = tk.len, first = 0;
	while (first < n && ((const char *)tk.items[first])[0] == '-')
		first++;   /* --chown=..., --checksum=... */
	const char *last = n ? tk.items[n - 1] : "";
	bool to_root = strcmp(last, "/") == 0;
	bool classic_file = first < n && (sw_starts_with(tk.items[first], "file:") ||
					  sw_starts_with(tk.items[first], "dir:"));
	if (to_root && (classic_file || layer == 0)) {
		sw_vec_free_strings(&tk);
		return;
	}
	bool remote = false;
	size_t lim = n > first + 1 ? n - 1 : n;   /* the sources: all but the destination */
	for (size_t i = first; i < lim; i++) {
		const char *t = tk.items[i];
		if (sw_starts_with(t, "http://") || sw_starts_with(t, "https://") ||
		    sw_starts_with(t, "git@") || sw_starts_with(t, "ftp://"))
			remote = true;
	}
	evidence(st->r[C_ADD], layer, hist, by, NULL, NULL,
		 remote ? "ADD of a remote URL" : "ADD of local files (COPY does the same without unpacking or URLs)");
	fail(st->r[C_ADD], remote ? SW_SEV_HIGH : SW_SEV_LOW);
	sw_vec_free_strings(&tk);
}

static void history_line(struct run *st, const char *by, int layer, int hist)
{
	struct sw_instr in;
	sw_instr_parse(by, &in);
	struct sw_vec tk = SW_VEC_INIT;
	if (in.args)
		tokens(in.args, &tk);
	for (size_t i = 0; i < in.build_args.len; i++) {
		const char *kv = in.build_args.items[i];
		const char *eq = strchr(kv, '=');
		if (eq && eq[1] && sw_secret_name(kv, (size_t)(eq - kv))) {
			char *d = sw_xasprintf("build argument %.*s=%s", (int)(eq - kv), kv, SW_SECRET_MASK);
			evidence(st->r[C_SECRETS], layer, hist, by, NULL, NULL, d);
			fail(st->r[C_SECRETS], SW_SEV_HIGH);
			free(d);
		}
	}
	switch (in.kind) {
	case SW_INSTR_RUN: {
		bool update = false, install = false;
		check_update(&tk, &update, &install);
		if (update && !install) {
			evidence(st->r[C_UPDATE], layer, hist, by, NULL, NULL,
				 "package index update without an install in the same RUN");
			fail(st->r[C_UPDATE], defs[C_UPDATE].severity);
		}
		for (const char *const *f = unverified_flags; *f; f++)
			if (strstr(in.args, *f)) {
				char *d = sw_xasprintf("'%s' in a RUN", *f);
				evidence(st->r[C_VERIFIED], layer, hist, by, NULL, NULL, d);
				fail(st->r[C_VERIFIED], defs[C_VERIFIED].severity);
				free(d);
				break;
			}
		if (pipe_to_shell(&tk)) {
			evidence(st->r[C_PIPE_SH], layer, hist, by, NULL, NULL, "download piped into a shell");
			fail(st->r[C_PIPE_SH], defs[C_PIPE_SH].severity);
		}
		secret_words(st, &tk, layer, hist, by, "assignment in a RUN:");
		break;
	}
	case SW_INSTR_ADD:
		check_add(st, in.args, layer, hist, by);
		break;
	case SW_INSTR_ENV:
		secret_words(st, &tk, layer, hist, by, "ENV");
		break;
	case SW_INSTR_ARG:
		secret_words(st, &tk, layer, hist, by, "ARG default");
		break;
	case SW_INSTR_LABEL:
		secret_words(st, &tk, layer, hist, by, "LABEL");
		break;
	default:
		break;
	}
	sw_vec_free_strings(&tk);
	sw_instr_release(&in);
}

static void check_history(struct run *st, const struct sw_json *root)
{
	const struct sw_json *h = sw_json_get(root, "history");
	static const enum check_idx hist_checks[] = { C_UPDATE, C_ADD, C_VERIFIED, C_PIPE_SH };
	if (!sw_json_is(h, SW_JSON_ARRAY)) {
		note(st, "the config has %s: the history checks (4.7, 4.9, 4.10 build arguments, 4.11, "
			 "SW-CFG-101) could not look", h ? "a history that is not an array" : "no history");
		for (size_t i = 0; i < sizeof(hist_checks) / sizeof(hist_checks[0]); i++)
			set_status(st->r[hist_checks[i]], SW_CHECK_INFO, "no usable history in the config");
		if (st->r[C_SECRETS]->status == SW_CHECK_PASS)
			set_status(st->r[C_SECRETS], SW_CHECK_INFO,
				   "no usable history: only Env and Labels were checked (nothing found there)");
		else
			set_status(st->r[C_SECRETS], SW_CHECK_FAIL,
				   "no usable history: only Env and Labels were checked");
		return;
	}
	size_t n = sw_json_array_len(h), nonempty = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sw_json *e = sw_json_at(h, i);
		if (!sw_json_is(sw_json_get(e, "empty_layer"), SW_JSON_TRUE))
			nonempty++;
	}
	st->layers_known = nonempty == st->nlayers;
	if (!st->layers_known)
		note(st, "the history has %zu entries for layers but the image has %zu layers: evidence "
			 "names history entries, not layers", nonempty, st->nlayers);
	size_t li = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sw_json *e = sw_json_at(h, i);
		if (!sw_json_is(e, SW_JSON_OBJECT)) {
			note(st, "history entry %zu is not an object: skipped", i);
			continue;
		}
		const struct sw_json *el = sw_json_get(e, "empty_layer");
		if (el && !sw_json_is(el, SW_JSON_TRUE) && !sw_json_is(el, SW_JSON_FALSE))
			note(st, "history entry %zu: empty_layer is not a boolean (read as false)", i);
		bool empty = sw_json_is(el, SW_JSON_TRUE);
		int layer = empty || !st->layers_known ? -1 : (int)li;
		if (!empty)
			li++;
		const struct sw_json *cb = sw_json_get(e, "created_by");
		if (!cb)
			continue;
		if (!sw_json_is(cb, SW_JSON_STRING)) {
			note(st, "history entry %zu: created_by is not a string: skipped", i);
			continue;
		}
		history_line(st, cb->u.s, layer, (int)i);
	}
	if (nonempty < st->nlayers) {
		/* layers without a history line were not seen: no silent pass */
		char *why = sw_xasprintf("the history describes %zu of the %zu layers", nonempty, st->nlayers);
		for (size_t i = 0; i < sizeof(hist_checks) / sizeof(hist_checks[0]); i++)
			if (st->r[hist_checks[i]]->status == SW_CHECK_PASS)
				set_status(st->r[hist_checks[i]], SW_CHECK_INFO, why);
		if (st->r[C_SECRETS]->status == SW_CHECK_PASS)
			set_status(st->r[C_SECRETS], SW_CHECK_INFO, why);
		free(why);
	}
}

static void check_user(struct run *st, const struct sw_json *cfg)
{
	struct sw_check_result *r = st->r[C_USER];
	const struct sw_json *u = sw_json_get(cfg, "User");
	if (u && !sw_json_is(u, SW_JSON_STRING)) {
		set_status(r, SW_CHECK_INFO, "config.User is not a string");
		return;
	}
	const char *s = u ? u->u.s : "";
	char name[256];
	size_t n = strcspn(s, ":");
	if (n >= sizeof(name)) {
		set_status(r, SW_CHECK_INFO, "config.User is too long to judge");
		return;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	char *d = *s ? sw_xasprintf("User \"%s\"", s) : sw_xstrdup("User not set (runs as root)");
	bool numeric = n > 0 && strspn(name, "0123456789") == n;
	if (!*name || strcmp(name, "root") == 0 || (numeric && strtoul(name, NULL, 10) == 0)) {
		evidence(r, -1, -1, NULL, "config.User", NULL, d);
		fail(r, defs[C_USER].severity);
	} else if (numeric) {
		evidence(r, -1, -1, NULL, "config.User", NULL, d);
	} else {
		evidence(r, -1, -1, NULL, "config.User", NULL, d);
		set_status(r, SW_CHECK_INFO, "a named user: whether it is uid 0 needs the image's "
					      "/etc/passwd (the layer pass): not decided");
	}
	free(d);
}

static void check_health(struct run *st, const struct sw_json *cfg)
{
	struct sw_check_result *r = st->r[C_HEALTH];
	const struct sw_json *h = sw_json_get(cfg, "Healthcheck");
	if (!h || sw_json_is(h, SW_JSON_NULL)) {
		evidence(r, -1, -1, NULL, "config.Healthcheck", NULL, "no HEALTHCHECK");
		fail(r, defs[C_HEALTH].severity);
		return;
	}
	if (!sw_json_is(h, SW_JSON_OBJECT)) {
		set_status(r, SW_CHECK_INFO, "config.Healthcheck is not an object");
		return;
	}
	const struct sw_json *t = sw_json_get(h, "Test");
	if (t && !sw_json_is(t, SW_JSON_ARRAY)) {
		set_status(r, SW_CHECK_INFO, "config.Healthcheck.Test is not an array");
		return;
	}
	const char *first = sw_json_str(sw_json_at(t, 0));
	if (!first || strcmp(first, "NONE") == 0) {
		evidence(r, -1, -1, NULL, "config.Healthcheck", NULL,
			 first ? "HEALTHCHECK NONE" : "HEALTHCHECK without a test");
		fail(r, defs[C_HEALTH].severity);
		return;
	}
	evidence(r, -1, -1, NULL, "config.Healthcheck", NULL, "HEALTHCHECK present");
}

static void check_env_labels(struct run *st, const struct sw_json *cfg)
{
	struct sw_check_result *r = st->r[C_SECRETS];
	const struct sw_json *env = sw_json_get(cfg, "Env");
	if (env && !sw_json_is(env, SW_JSON_ARRAY) && !sw_json_is(env, SW_JSON_NULL))
		note(st, "config.Env is not an array: not checked");
	for (size_t i = 0; i < sw_json_array_len(env); i++) {
		const char *kv = sw_json_str(sw_json_at(env, i));
		if (!kv) {
			note(st, "config.Env[%zu] is not a string: skipped", i);
			continue;
		}
		const char *eq = strchr(kv, '=');
		if (eq && eq[1] && sw_secret_name(kv, (size_t)(eq - kv))) {
			char *d = sw_xasprintf("%.*s=%s", (int)(eq - kv), kv, SW_SECRET_MASK);
			evidence(r, -1, -1, NULL, "config.Env", NULL, d);
			fail(r, SW_SEV_HIGH);
			free(d);
		}
	}
	const struct sw_json *lab = sw_json_get(cfg, "Labels");
	if (lab && !sw_json_is(lab, SW_JSON_OBJECT) && !sw_json_is(lab, SW_JSON_NULL))
		note(st, "config.Labels is not an object: not checked");
	if (sw_json_is(lab, SW_JSON_OBJECT))
		for (size_t i = 0; i < lab->n; i++) {
			const struct sw_json_member *m = &lab->u.members[i];
			const char *v = sw_json_str(&m->value);
			if (v && *v && sw_secret_name(m->key, strlen(m->key))) {
				char *d = sw_xasprintf("label %s=%s", m->key, SW_SECRET_MASK);
				evidence(r, -1, -1, NULL, "config.Labels", NULL, d);
				fail(r, SW_SEV_HIGH);
				free(d);
			}
		}
}

/* sshd in Entrypoint/Cmd (array of strings, or a string). */
static bool mentions_sshd(struct run *st, const struct sw_json *v, const char *key)
{
	struct sw_vec tk = SW_VEC_INIT;
	bool found = false;
	if (sw_json_is(v, SW_JSON_STRING))
		tokens(v->u.s, &tk);
	else if (sw_json_is(v, SW_JSON_ARRAY))
		for (size_t i = 0; i < v->n; i++) {
			const char *s = sw_json_str(sw_json_at(v, i));
			if (s)
				tokens(s, &tk);
		}
	else if (v && !sw_json_is(v, SW_JSON_NULL))
		note(st, "%s is neither an array nor a string: not checked", key);
	for (size_t i = 0; i < tk.len && !found; i++)
		found = strcmp(base(tk.items[i]), "sshd") == 0;
	sw_vec_free_strings(&tk);
	return found;
}

static void check_ports_sshd(struct run *st, const struct sw_json *cfg)
{
	struct sw_check_result *ssh = st->r[C_SSHD], *pr = st->r[C_PORTS];
	static const char *const keys[] = { "Entrypoint", "Cmd" };
	for (size_t k = 0; k < 2; k++) {
		char key[32];
		snprintf(key, sizeof(key), "config.%s", keys[k]);
		if (mentions_sshd(st, sw_json_get(cfg, keys[k]), key)) {
			evidence(ssh, -1, -1, NULL, key, NULL, "sshd is started by the image");
			fail(ssh, SW_SEV_HIGH);
		}
	}
	const struct sw_json *ep = sw_json_get(cfg, "ExposedPorts");
	if (ep && !sw_json_is(ep, SW_JSON_OBJECT) && !sw_json_is(ep, SW_JSON_NULL)) {
		set_status(pr, SW_CHECK_INFO, "config.ExposedPorts is not an object");
		return;
	}
	for (size_t i = 0; sw_json_is(ep, SW_JSON_OBJECT) && i < ep->n; i++) {
		const char *key = ep->u.members[i].key;
		char *end = NULL;
		unsigned long port = strtoul(key, &end, 10);
		if (end == key || (*end && *end != '/') || port > 65535) {
			note(st, "config.ExposedPorts: '%s' is not PORT[/PROTO]: skipped", key);
			continue;
		}
		char *d = sw_xasprintf("EXPOSE %s", key);
		if (port == 22) {
			evidence(ssh, -1, -1, NULL, "config.ExposedPorts", NULL, d);
			fail(ssh, defs[C_SSHD].severity);
		}
		if (port < 1024) {
			evidence(pr, -1, -1, NULL, "config.ExposedPorts", NULL, d);
			fail(pr, defs[C_PORTS].severity);
		}
		free(d);
	}
}

/* "2023-11-14T22:13:20Z" (fraction and offset allowed) -> unix time. */
static bool parse_created(const char *s, long long *t)
{
	struct tm tm = { 0 };
	if (!s)
		return false;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return false;
	*t = (long long)timegm(&tm);
	return true;
}

static void check_age(struct run *st, const struct sw_json *root, const struct sw_checks_opts *o)
{
	struct sw_check_result *r = st->r[C_AGE];
	const struct sw_json *c = sw_json_get(root, "created");
	long long t = 0;
	int days = o && o->max_age_days > 0 ? o->max_age_days : 365;
	if (!c) {
		set_status(r, SW_CHECK_INFO, "the config has no created time");
		return;
	}
	if (!parse_created(sw_json_str(c), &t)) {
		set_status(r, SW_CHECK_INFO, "config created is not an RFC 3339 time");
		return;
	}
	if (t <= 0) {
		set_status(r, SW_CHECK_INFO, "created is the epoch (a reproducible build): age unknown");
		return;
	}
	long long now = o && o->now ? o->now : (long long)time(NULL);
	long long age = (now - t) / 86400;
	char *d = sw_xasprintf("created %s (%lld days ago)", sw_json_str(c), age);
	evidence(r, -1, -1, NULL, "created", NULL, d);
	free(d);
	if (age > days) {
		char *nt = sw_xasprintf("older than %d days", days);
		set_status(r, SW_CHECK_INFO, nt);
		free(nt);
	}
}

/* --- SW-CFG-106: the base image named by the OCI base-image annotations --- */

#define BASE_NAME_KEY "org.opencontainers.image.base.name"
#define BASE_DIGEST_KEY "org.opencontainers.image.base.digest"

/* A reference "[host[:port]/]path[:tag][@algo:hex]": its tag and digest
 * (pointers into ref, lengths; 0 when absent).  False when it is not
 * one: empty, longer than 1024, blanks or control bytes, an empty
 * component. */
static bool split_ref(const char *ref, const char **tag, size_t *tag_len, const char **dg, size_t *dg_len)
{
	size_t n = strlen(ref);
	*tag = *dg = NULL;
	*tag_len = *dg_len = 0;
	if (n == 0 || n > 1024)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)ref[i] <= ' ' || ref[i] == 0x7f)
			return false;
	const char *at = strchr(ref, '@');
	size_t name_end = at ? (size_t)(at - ref) : n;
	if (at) {
		*dg = at + 1;
		*dg_len = n - name_end - 1;
		const char *colon = memchr(*dg, ':', *dg_len);
		if (!colon || colon == *dg || colon + 1 == ref + n || strchr(*dg, '@'))
			return false;
	}
	/* the tag: after the last ':' that follows the last '/' */
	const char *slash = NULL;
	for (const char *p = ref; p < ref + name_end; p++)
		if (*p == '/')
			slash = p;
	const char *start = slash ? slash + 1 : ref;
	const char *colon = NULL;
	for (const char *p = start; p < ref + name_end; p++)
		if (*p == ':')
			colon = p;
	size_t repo_end = colon ? (size_t)(colon - ref) : name_end;
	if (repo_end == 0 || ref[repo_end - 1] == '/' || ref[0] == '/' || strstr(ref, "//"))
		return false;
	if (colon) {
		*tag = colon + 1;
		*tag_len = name_end - repo_end - 1;
		if (*tag_len == 0)
			return false;
	}
	return true;
}

static const char *label(const struct sw_json *cfg, const char *key)
{
	const struct sw_json *l = sw_json_get(cfg, "Labels");
	return sw_json_is(l, SW_JSON_OBJECT) ? sw_json_str(sw_json_get(l, key)) : NULL;
}

static void check_base(struct run *st, const struct sw_json *cfg, const struct sw_checks_opts *o)
{
	struct sw_check_result *r = st->r[C_BASE_TAG];
	const char *name = o ? o->base_name : NULL, *digest = o ? o->base_digest : NULL;
	const char *key = "manifest.annotations";
	const char *lname = label(cfg, BASE_NAME_KEY);
	if (!name && lname) {
		name = lname;
		digest = label(cfg, BASE_DIGEST_KEY);
		key = "config.Labels";
	} else if (name && lname && strcmp(name, lname) != 0) {
		note(st, "the manifest annotation and the config label " BASE_NAME_KEY " differ: "
			 "the manifest's is used");
	}
	if (!name) {
		set_status(r, SW_CHECK_INFO, "the image does not name its base (no " BASE_NAME_KEY
					      " manifest annotation or config label)");
		return;
	}
	const char *tag, *dg;
	size_t tag_len, dg_len;
	char *d = sw_xasprintf("base %s%s%s", name, digest ? ", base digest " : "", digest ? digest : "");
	char *k = sw_xasprintf("%s " BASE_NAME_KEY, key);
	evidence(r, -1, -1, NULL, k, NULL, d);
	free(d);
	free(k);
	if (!split_ref(name, &tag, &tag_len, &dg, &dg_len)) {
		set_status(r, SW_CHECK_INFO, BASE_NAME_KEY " is not an image reference");
		return;
	}
	if (dg)
		return;   /* pinned by digest: pass, whatever the tag */
	if (!tag)
		set_status(r, SW_CHECK_FAIL, "the base is named without a tag (means latest) and without a digest");
	else if (tag_len == 6 && strncmp(tag, "latest", 6) == 0)
		set_status(r, SW_CHECK_FAIL, "the base is named by the tag latest, without a digest");
	else
		set_status(r, SW_CHECK_PASS, "the base is named by a version tag but not pinned by digest");
}

static void run_init(struct run *st, struct sw_check_list *out, size_t nlayers)
{
	memset(st, 0, sizeof(*st));
	st->out = out;
	st->nlayers = nlayers;
	for (int i = 0; i < C_N; i++)
		st->r[i] = result_new((enum check_idx)i);
	set_status(st->r[C_TRUSTED_BASE], SW_CHECK_MANUAL, "where the base image comes from is not in the image");
	set_status(st->r[C_TRUST], SW_CHECK_MANUAL, "content trust is a property of the pull, not of the image");
	set_status(st->r[C_SIGNED], SW_CHECK_MANUAL, "which artifacts the build downloaded and checked is not in the image");
	set_status(st->r[C_PACKAGES], SW_CHECK_INFO, NEEDS_FILES);
	set_status(st->r[C_SETUID], SW_CHECK_INFO, NEEDS_FILES);
	set_status(st->r[C_UID0], SW_CHECK_INFO, NEEDS_FILES);
	set_status(st->r[C_EMPTY_PW], SW_CHECK_INFO, NEEDS_FILES);
	set_status(st->r[C_WORLD_W], SW_CHECK_INFO, NEEDS_FILES);
	set_status(st->r[C_REBUILD], SW_CHECK_INFO, "answered by the vulnerability scanner (its section)");
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct sw_check_result *)a)->id, ((const struct sw_check_result *)b)->id);
}

static void run_finish(struct run *st)
{
	for (int i = 0; i < C_N; i++)
		sw_vec_push(&st->out->results, st->r[i]);
	sw_vec_sort(&st->out->results, by_id);
}

int sw_checks_run_config(const char *config_json, size_t len, size_t nlayers,
			 const struct sw_checks_opts *o, struct sw_check_list *out,
			 struct sw_err *err)
{
	(void)err;
	struct run st;
	run_init(&st, out, nlayers);
	struct sw_json_doc *doc = NULL;
	struct sw_err perr = SW_ERR_INIT;
	const struct sw_json *root = NULL;
	if (!config_json || sw_json_parse(config_json, len, &doc, &perr) < 0) {
		note(&st, "the image config could not be read as JSON%s%s: config checks not decided",
		     config_json ? ": " : "", config_json ? perr.msg : "");
	} else {
		root = sw_json_root(doc);
		if (!sw_json_is(root, SW_JSON_OBJECT)) {
			note(&st, "the image config is not a JSON object: config checks not decided");
			root = NULL;
		}
	}
	if (!root) {
		static const enum check_idx decided[] = { C_USER, C_HEALTH, C_UPDATE, C_ADD, C_SECRETS,
							  C_VERIFIED, C_PIPE_SH, C_AGE, C_SSHD, C_PORTS,
							  C_BASE_TAG };
		for (size_t i = 0; i < sizeof(decided) / sizeof(decided[0]); i++)
			set_status(st.r[decided[i]], SW_CHECK_INFO, "no readable image config");
		if (o && o->base_name)
			check_base(&st, NULL, o);   /* the manifest's annotations are still there */
		run_finish(&st);
		sw_json_doc_free(doc);
		return 0;
	}
	const struct sw_json *cfg = sw_json_get(root, "config");
	if (cfg && !sw_json_is(cfg, SW_JSON_OBJECT) && !sw_json_is(cfg, SW_JSON_NULL)) {
		note(&st, "the config's \"config\" member is not an object: read as empty");
		cfg = NULL;
	}
	check_user(&st, cfg);
	check_health(&st, cfg);
	check_env_labels(&st, cfg);
	check_ports_sshd(&st, cfg);
	check_history(&st, root);
	check_age(&st, root, o);
	check_base(&st, cfg, o);
	run_finish(&st);
	sw_json_doc_free(doc);
	return 0;
}

void sw_checks_not_run(const char *why, struct sw_check_list *out)
{
	struct run st;
	run_init(&st, out, 0);
	for (int i = 0; i < C_N; i++)
		set_status(st.r[i], SW_CHECK_INFO, why);
	run_finish(&st);
}

static void evidence_free(void *p)
{
	struct sw_check_evidence *e = p;
	free(e->created_by);
	free(e->config_key);
	free(e->path);
	free(e->detail);
	free(e);
}

static void result_free(void *p)
{
	struct sw_check_result *r = p;
	sw_vec_free_all(&r->evidence, evidence_free);
	free(r->note);
	free(r->suppressed);
	free(r);
}

void sw_check_list_release(struct sw_check_list *l)
{
	if (!l)
		return;
	sw_vec_free_all(&l->results, result_free);
	sw_vec_free_strings(&l->notes);
}

/* --- for the file checks (internal.h) --- */

struct sw_check_result *sw_check_find(struct sw_check_list *l, const char *id)
{
	for (size_t i = 0; l && i < l->results.len; i++) {
		struct sw_check_result *r = l->results.items[i];
		if (strcmp(r->id, id) == 0)
			return r;
	}
	return NULL;
}

void sw_check_add_evidence(struct sw_check_result *r, int layer, int hist, const char *created_by,
			   const char *key, const char *path, const char *detail)
{
	evidence(r, layer, hist, created_by, key, path, detail);
}

void sw_check_fail(struct sw_check_result *r, enum sw_severity_level sev)
{
	fail(r, sev);
}

void sw_check_set(struct sw_check_result *r, enum sw_check_status s, const char *note)
{
	set_status(r, s, note);
	if (!note) {
		free(r->note);
		r->note = NULL;
	}
}

void sw_check_list_note(struct sw_check_list *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s) {
		char *m = sw_mask_secrets(s);
		free(s);
		sw_vec_push(&l->notes, m);
	}
}
