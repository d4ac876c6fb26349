/*
 * pkgsrc.c - package sources and package-manager settings that turn
 * signature verification off (sysfiles.h): apt one-line and deb822
 * sources, apt.conf, yum/dnf INI files, apk repositories.
 */
#include "checks/sysfiles.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/mem.h"

#define SNIPPET 120

static void issue_free(void *v)
{
	struct sw_pkgsrc_issue *i = v;
	if (!i)
		return;
	free(i->detail);
	free(i);
}

void sw_pkgsrc_release(struct sw_pkgsrc *s)
{
	if (!s)
		return;
	sw_vec_free_all(&s->issues, issue_free);
	s->entries = s->bad = 0;
}

static bool ends(const char *path, const char *suffix)
{
	return sw_ends_with(path, suffix);
}

enum sw_pkgsrc_kind sw_pkgsrc_kind_of(const char *path)
{
	if (strcmp(path, "etc/apt/sources.list") == 0 ||
	    (sw_starts_with(path, "etc/apt/sources.list.d/") && ends(path, ".list")))
		return SW_PKGSRC_APT_LIST;
	if (sw_starts_with(path, "etc/apt/sources.list.d/") && ends(path, ".sources"))
		return SW_PKGSRC_APT_DEB822;
	if (strcmp(path, "etc/apt/apt.conf") == 0 || sw_starts_with(path, "etc/apt/apt.conf.d/"))
		return SW_PKGSRC_APT_CONF;
	if (strcmp(path, "etc/yum.conf") == 0 || strcmp(path, "etc/dnf/dnf.conf") == 0 ||
	    (sw_starts_with(path, "etc/yum.repos.d/") && ends(path, ".repo")))
		return SW_PKGSRC_YUM;
	if (strcmp(path, "etc/apk/repositories") == 0)
		return SW_PKGSRC_APK;
	return SW_PKGSRC_NONE;
}

/* ---- helpers ---- */

struct slice {
	const char *p;
	size_t n;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static struct slice trim(struct slice s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool slice_ieq(struct slice s, const char *w)
{
	size_t n = strlen(w);
	return s.n == n && strncasecmp(s.p, w, n) == 0;
}

/* apt's and dnf's words for true / false */
static bool is_true(struct slice v)
{
	static const char *const yes[] = { "yes", "true", "1", "on", "with", "enable", "enabled", NULL };
	for (size_t i = 0; yes[i]; i++)
		if (slice_ieq(v, yes[i]))
			return true;
	return false;
}

static bool is_false(struct slice v)
{
	static const char *const no[] = { "no", "false", "0", "off", "without", "disable", "disabled", NULL };
	for (size_t i = 0; no[i]; i++)
		if (slice_ieq(v, no[i]))
			return true;
	return false;
}

/* A printable snippet of s: control bytes as '?', at most SNIPPET bytes. */
static void add_snippet(struct sw_buf *b, struct slice s)
{
	size_t n = s.n > SNIPPET ? SNIPPET : s.n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		sw_buf_addch(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (s.n > n)
		sw_buf_addstr(b, "...");
}

static void add_issue(struct sw_pkgsrc *out, unsigned line, const char *what, struct slice ctx)
{
	struct sw_buf b = SW_BUF_INIT;
	add_snippet(&b, (struct slice){ what, strlen(what) });
	sw_buf_addstr(&b, " in '");
	add_snippet(&b, trim(ctx));
	sw_buf_addch(&b, '\'');
	struct sw_pkgsrc_issue *i = sw_xcalloc(1, sizeof(*i));
	i->line = line;
	i->detail = sw_buf_detach(&b, NULL);
	if (!i->detail)
		i->detail = sw_xstrdup(what);
	sw_vec_push(&out->issues, i);
}

/* Line iterator: the next line (without '\n'), its number. */
struct lines {
	const char *p, *end;
	unsigned no;
};

static bool next_line(struct lines *it, struct slice *out)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *le = nl ? nl : it->end;
	out->p = it->p;
	out->n = (size_t)(le - it->p);
	it->p = nl ? nl + 1 : it->end;
	it->no++;
	return true;
}

/* The option words that disable verification in apt sources (one-line
 * keys; deb822 fields are the same words capitalised). */
static const char *const apt_off[] = { "trusted", "allow-insecure", "allow-weak", "allow-downgrade-to-insecure",
				       NULL };

static const char *apt_off_key(struct slice k)
{
	for (size_t i = 0; apt_off[i]; i++)
		if (slice_ieq(k, apt_off[i]))
			return apt_off[i];
	return NULL;
}

/* ---- apt one-line sources ---- */

static void parse_apt_list(const char *data, size_t len, struct sw_pkgsrc *out)
{
	struct lines it = { data, data + len, 0 };
	struct slice l;
	while (next_line(&it, &l)) {
		struct slice s = l;
		const char *hash = memchr(s.p, '#', s.n);
		if (hash)
			s.n = (size_t)(hash - s.p);
		s = trim(s);
		if (!s.n)
			continue;
		size_t w = 0;
		while (w < s.n && !is_space(s.p[w]))
			w++;
		struct slice type = { s.p, w };
		if (!slice_ieq(type, "deb") && !slice_ieq(type, "deb-src")) {
			out->bad++;
			continue;
		}
		out->entries++;
		struct slice rest = trim((struct slice){ s.p + w, s.n - w });
		if (!rest.n || rest.p[0] != '[')
			continue;
		const char *close = memchr(rest.p, ']', rest.n);
		if (!close) {
			out->bad++;
			continue;
		}
		/* options: key=value separated by blanks */
		const char *o = rest.p + 1;
		while (o < close) {
			while (o < close && is_space(*o))
				o++;
			const char *oe = o;
			while (oe < close && !is_space(*oe))
				oe++;
			const char *eq = memchr(o, '=', (size_t)(oe - o));
			if (eq) {
				struct slice k = { o, (size_t)(eq - o) }, v = { eq + 1, (size_t)(oe - eq - 1) };
				/* "trusted+=yes" / "trusted-=..." are list forms; only plain = matters */
				const char *what = apt_off_key(k);
				if (what && is_true(v)) {
					char *d = sw_xasprintf("[%s=%.*s]", what, (int)(v.n > 16 ? 16 : v.n), v.p);
					add_issue(out, it.no, d, s);
					free(d);
				}
			}
			o = oe;
		}
	}
}

/* ---- apt deb822 sources ---- */

struct stanza {
	unsigned start;          /* first line */
	bool disabled;           /* Enabled: no */
	struct sw_vec found;     /* char*: "Trusted: yes" */
	unsigned found_line;
	struct slice first;      /* the first field line, for context */
	bool any;
};

static void stanza_end(struct stanza *st, struct sw_pkgsrc *out)
{
	if (st->any) {
		out->entries++;
		for (size_t i = 0; !st->disabled && i < st->found.len; i++)
			add_issue(out, st->found_line, st->found.items[i], st->first);
	}
	sw_vec_free_strings(&st->found);
	*st = (struct stanza){ 0 };
}

static void parse_deb822(const char *data, size_t len, struct sw_pkgsrc *out)
{
	struct lines it = { data, data + len, 0 };
	struct slice l;
	struct stanza st = { 0 };
	while (next_line(&it, &l)) {
		struct slice t = trim(l);
		if (!t.n) {
			stanza_end(&st, out);
			continue;
		}
		if (l.p[0] == '#')
			continue;
		if (is_space(l.p[0]))
			continue;   /* a continuation line: values we do not need */
		const char *colon = memchr(t.p, ':', t.n);
		if (!colon) {
			out->bad++;
			continue;
		}
		struct slice k = trim((struct slice){ t.p, (size_t)(colon - t.p) });
		struct slice v = trim((struct slice){ colon + 1, (size_t)(t.p + t.n - colon - 1) });
		if (!st.any) {
			st.any = true;
			st.start = it.no;
			st.first = t;
		}
		if (slice_ieq(k, "Enabled") && is_false(v))
			st.disabled = true;
		const char *what = apt_off_key(k);
		if (what && is_true(v)) {
			sw_vec_push(&st.found, sw_xasprintf("%.*s: %.*s", (int)(k.n > 40 ? 40 : k.n), k.p,
							     (int)(v.n > 16 ? 16 : v.n), v.p));
			st.found_line = it.no;
			st.first = t;
		}
	}
	stanza_end(&st, out);
}

/* ---- apt.conf ---- */

enum { TOK_END, TOK_WORD, TOK_OPEN, TOK_CLOSE, TOK_SEMI };

struct conf_lex {
	const char *p, *end;
	unsigned line;
	struct sw_buf word;   /* the current word or string, unquoted */
	bool bad;
};

static int conf_next(struct conf_lex *x)
{
	for (;;) {
		while (x->p < x->end && (is_space(*x->p) || *x->p == '\n')) {
			if (*x->p == '\n')
				x->line++;
			x->p++;
		}
		if (x->p >= x->end)
			return TOK_END;
		if (*x->p == '#' || (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '/')) {
			while (x->p < x->end && *x->p != '\n')
				x->p++;
			continue;
		}
		if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '*') {
			x->p += 2;
			while (x->p + 1 < x->end && !(x->p[0] == '*' && x->p[1] == '/')) {
				if (*x->p == '\n')
					x->line++;
				x->p++;
			}
			x->p = x->p + 1 < x->end ? x->p + 2 : x->end;
			continue;
		}
		break;
	}
	char c = *x->p;
	if (c == '{' || c == '}' || c == ';') {
		x->p++;
		return c == '{' ? TOK_OPEN : c == '}' ? TOK_CLOSE : TOK_SEMI;
	}
	sw_buf_reset(&x->word);
	if (c == '"') {
		x->p++;
		while (x->p < x->end && *x->p != '"') {
			if (*x->p == '\n')
				x->line++;
			sw_buf_addch(&x->word, *x->p++);
		}
		if (x->p < x->end)
			x->p++;
		else
			x->bad = true;
		return TOK_WORD;
	}
	while (x->p < x->end && !is_space(*x->p) && *x->p != '\n' && *x->p != '{' && *x->p != '}' &&
	       *x->p != ';' && *x->p != '"')
		sw_buf_addch(&x->word, *x->p++);
	return TOK_WORD;
}

static const char *const conf_off[] = { "AllowUnauthenticated", "AllowInsecureRepositories",
					"AllowWeakRepositories", "AllowDowngradeToInsecureRepositories",
					"Trusted", NULL };

/* Whether the last "::" component of key is one of conf_off. */
static const char *conf_off_key(const char *key)
{
	const char *last = key;
	for (const char *s = key; (s = strstr(s, "::")); s += 2)
		last = s + 2;
	for (size_t i = 0; conf_off[i]; i++)
		if (strcasecmp(last, conf_off[i]) == 0)
			return conf_off[i];
	return NULL;
}

#define CONF_MAX_DEPTH 64

static void parse_apt_conf(const char *data, size_t len, struct sw_pkgsrc *out)
{
	struct conf_lex x = { data, data + len, 1, SW_BUF_INIT, false };
	struct sw_vec scope = SW_VEC_INIT;   /* char*: the names of the open scopes */
	struct sw_vec stmt = SW_VEC_INIT;    /* char*: the words of the statement so far */
	unsigned stmt_line = 1;
	for (;;) {
		int t = conf_next(&x);
		if (t == TOK_END)
			break;
		if (t == TOK_WORD) {
			if (!stmt.len)
				stmt_line = x.line;
			if (stmt.len < 4)
				sw_vec_push(&stmt, sw_xstrdup(x.word.data ? x.word.data : ""));
			continue;
		}
		if (t == TOK_OPEN) {
			if (scope.len >= CONF_MAX_DEPTH || stmt.len != 1) {
				out->bad++;
				sw_vec_free_strings(&stmt);
				if (scope.len < CONF_MAX_DEPTH)
					sw_vec_push(&scope, sw_xstrdup(""));
				else
					break;
				continue;
			}
			sw_vec_push(&scope, sw_vec_pop(&stmt));
			continue;
		}
		if (t == TOK_CLOSE) {
			if (stmt.len)
				out->bad++;   /* a statement without ';' */
			sw_vec_free_strings(&stmt);
			if (scope.len)
				free(sw_vec_pop(&scope));
			else
				out->bad++;
			continue;
		}
		/* ';' */
		if (stmt.len == 2) {
			struct sw_buf k = SW_BUF_INIT;
			for (size_t i = 0; i < scope.len; i++)
				sw_buf_addf(&k, "%s::", (const char *)scope.items[i]);
			sw_buf_addstr(&k, stmt.items[0]);
			out->entries++;
			const char *what = k.data ? conf_off_key(k.data) : NULL;
			const char *val = stmt.items[1];
			if (what && is_true((struct slice){ val, strlen(val) })) {
				char *d = sw_xasprintf("%s \"%.16s\"", what, val);
				char *ctx = sw_xasprintf("%s \"%s\";", k.data, val);
				add_issue(out, stmt_line, d, (struct slice){ ctx, strlen(ctx) });
				free(ctx);
				free(d);
			}
			sw_buf_release(&k);
		} else if (stmt.len > 2 && !(scope.len == 0 && strcmp(stmt.items[0], "#include") == 0)) {
			out->bad++;
		}
		sw_vec_free_strings(&stmt);
	}
	if (stmt.len || scope.len || x.bad)
		out->bad++;   /* unterminated */
	sw_vec_free_strings(&stmt);
	sw_vec_free_strings(&scope);
	sw_buf_release(&x.word);
}

/* ---- yum / dnf INI ---- */

struct section {
	bool any;
	bool disabled;
	unsigned off_line;    /* gpgcheck=false here, 0 if not */
	struct slice off_ctx;
	struct slice name;
};

static void section_end(struct section *s, struct sw_pkgsrc *out)
{
	if (s->any && s->off_line && !s->disabled) {
		struct sw_buf b = SW_BUF_INIT;
		sw_buf_addstr(&b, "gpgcheck off in [");
		add_snippet(&b, s->name);
		sw_buf_addch(&b, ']');
		add_issue(out, s->off_line, b.data ? b.data : "gpgcheck off", s->off_ctx);
		sw_buf_release(&b);
	}
	*s = (struct section){ 0 };
}

static void parse_yum(const char *data, size_t len, struct sw_pkgsrc *out)
{
	struct lines it = { data, data + len, 0 };
	struct slice l;
	struct section sec = { 0 };
	while (next_line(&it, &l)) {
		struct slice t = trim(l);
		if (!t.n || t.p[0] == '#' || t.p[0] == ';')
			continue;
		if (t.p[0] == '[') {
			section_end(&sec, out);
			const char *close = memchr(t.p, ']', t.n);
			if (!close) {
				out->bad++;
				continue;
			}
			sec.any = true;
			sec.name = (struct slice){ t.p + 1, (size_t)(close - t.p - 1) };
			out->entries++;
			continue;
		}
		if (is_space(l.p[0]))
			continue;   /* a continuation of the previous value */
		const char *eq = memchr(t.p, '=', t.n);
		if (!eq) {
			out->bad++;
			continue;
		}
		struct slice k = trim((struct slice){ t.p, (size_t)(eq - t.p) });
		struct slice v = trim((struct slice){ eq + 1, (size_t)(t.p + t.n - eq - 1) });
		if (!sec.any) {
			out->bad++;   /* a setting before any section */
			continue;
		}
		if (slice_ieq(k, "enabled"))
			sec.disabled = is_false(v);
		if (slice_ieq(k, "gpgcheck")) {
			sec.off_line = is_false(v) ? it.no : 0;
			sec.off_ctx = t;
		}
	}
	section_end(&sec, out);
}

/* ---- apk ---- */

static void parse_apk(const char *data, size_t len, struct sw_pkgsrc *out)
{
	struct lines it = { data, data + len, 0 };
	struct slice l;
	while (next_line(&it, &l)) {
		struct slice t = trim(l);
		if (t.n && t.p[0] != '#')
			out->entries++;
	}
}

int sw_pkgsrc_parse(enum sw_pkgsrc_kind kind, const char *data, size_t len, struct sw_pkgsrc *out)
{
	if (len && memchr(data, '\0', len))
		return -1;
	switch (kind) {
	case SW_PKGSRC_APT_LIST: parse_apt_list(data, len, out); break;
	case SW_PKGSRC_APT_DEB822: parse_deb822(data, len, out); break;
	case SW_PKGSRC_APT_CONF: parse_apt_conf(data, len, out); break;
	case SW_PKGSRC_YUM: parse_yum(data, len, out); break;
	case SW_PKGSRC_APK: parse_apk(data, len, out); break;
	default: break;
	}
	return 0;
}
