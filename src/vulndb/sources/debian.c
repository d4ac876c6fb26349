/*
 * debian.c - the Debian security tracker, in four shapes:
 *
 *  1. the tracker JSON (security-tracker.debian.org/tracker/data/json):
 *     {srcpkg: {CVE: {description, releases: {codename: {status,
 *     repositories, fixed_version, urgency, nodsa, nodsa_reason}}}}};
 *  2. the text lists data/CVE/list, data/DSA/list, data/DLA/list of the
 *     security-tracker repository (`[bookworm] - pkg 1.2-3`, `- pkg
 *     <unfixed>`, `{CVE-... DSA-...}` lines under each header);
 *  3. aquasecurity's vuln-list-debian JSON rendering of those lists
 *     ({Header: {ID, Description, Original}, Annotations: [...]}).
 *
 * One vulnerability per id (CVE-..., TEMP-..., DSA-..., DLA-...) with one
 * affected entry per (release, source package): ecosystem "Debian:<n>"
 * (codename -> number, sid -> "Debian:unstable"), package = source package.
 * A text-list line without "[release]" (vuln-list: no "Release") is the
 * unstable line every release without its own line inherits, as the
 * tracker computes it: it is stored under the ecosystem "Debian" (see
 * SW_VULNDB_DEBIAN_INHERITED in model.h; the lookup applies it).
 * Status mapping and urgency handling: docs/vulndb-sources.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

static const struct {
	const char *codename, *number;
} debian_releases[] = {
	{ "buzz", "1.1" },     { "rex", "1.2" },      { "bo", "1.3" },         { "hamm", "2.0" },
	{ "slink", "2.1" },    { "potato", "2.2" },   { "woody", "3.0" },      { "sarge", "3.1" },
	{ "etch", "4" },       { "lenny", "5" },      { "squeeze", "6" },      { "wheezy", "7" },
	{ "jessie", "8" },     { "stretch", "9" },    { "buster", "10" },      { "bullseye", "11" },
	{ "bookworm", "12" },  { "trixie", "13" },    { "forky", "14" },       { "duke", "15" },
	{ "sid", "unstable" }, { "unstable", "unstable" },
};

/* "Debian:12" for "bookworm" (malloc'd), NULL for an unknown codename;
 * "Debian" for none (the unstable line the other releases inherit). */
static char *release_ecosystem(const char *codename)
{
	if (!codename || !*codename)
		return sw_xstrdup(SW_VULNDB_DEBIAN_INHERITED);
	for (size_t i = 0; i < sizeof(debian_releases) / sizeof(debian_releases[0]); i++)
		if (strcmp(codename, debian_releases[i].codename) == 0)
			return sw_xasprintf("Debian:%s", debian_releases[i].number);
	return NULL;
}

static bool is_urgency(const char *s, size_t n)
{
	static const char *const u[] = { "unimportant", "low", "medium", "high" };
	for (size_t i = 0; i < 4; i++)
		if (strlen(u[i]) == n && strncmp(s, u[i], n) == 0)
			return true;
	return false;
}

/* "high**" -> "high"; "not yet assigned", "end-of-life" -> NULL. */
static char *urgency_severity(const char *u)
{
	if (!u)
		return NULL;
	size_t n = strlen(u);
	while (n > 0 && u[n - 1] == '*')
		n--;
	return is_urgency(u, n) ? sw_xstrndup(u, n) : NULL;
}

static int urgency_rank(const char *u)
{
	static const char *const order[] = { "unimportant", "low", "medium", "high" };
	for (int i = 0; i < 4; i++)
		if (u && strcmp(u, order[i]) == 0)
			return i + 1;
	return 0;
}

/* The vulnerability-level Debian rating: one TEXT severity, source
 * "debian", for the highest urgency of any of its packages (unimportant
 * counts as "low" there; the exact word stays on each affected entry). */
static void raise_vuln_severity(struct sw_vuln *v, const char *urgency)
{
	static const char *const rating[] = { "unknown", "low", "low", "medium", "high" };
	int r = urgency_rank(urgency);
	if (!r)
		return;
	for (size_t i = 0; i < v->severities.len; i++) {
		struct sw_severity *s = v->severities.items[i];
		if (!sw_streq(s->source, "debian") || !sw_streq(s->type, "TEXT"))
			continue;
		int old = 0;
		for (int k = 1; k <= 4; k++)
			if (sw_streq(s->rating, rating[k]))
				old = k == 1 ? 2 : k; /* "low" covers rank 1 and 2 */
		if (r > old)
			sw_str_set(&s->rating, rating[r]);
		return;
	}
	sw_vec_push(&v->severities, sw_severity_new("debian", "TEXT", NULL, -1, rating[r]));
}

/*
 * Record one annotation: `kind` is "fixed" (with version) or a tracker
 * status word (unfixed, not-affected, no-dsa, postponed, ignored,
 * end-of-life, removed, undetermined, itp).  Returns 0, 1 when the line
 * is deliberately skipped (itp), or -1 with *why.
 */
static int add_annotation(struct sw_vuln *v, const char *release, const char *pkg,
			  const char *kind, const char *version, const char *severity,
			  const char *note, const char **why)
{
	enum sw_vuln_status st;
	const char *extra = NULL;
	if (!pkg || !*pkg) {
		*why = "missing package name";
		return -1;
	}
	if (sw_streq(kind, "fixed")) {
		if (!version || !*version) {
			*why = "fixed without a version";
			return -1;
		}
		st = strcmp(version, "0") == 0 ? SW_ST_NOT_AFFECTED : SW_ST_FIXED;
	} else if (sw_streq(kind, "unfixed")) {
		st = SW_ST_AFFECTED;
	} else if (sw_streq(kind, "no-dsa")) {
		st = SW_ST_AFFECTED;
		extra = "no-dsa";
	} else if (sw_streq(kind, "not-affected")) {
		st = SW_ST_NOT_AFFECTED;
	} else if (sw_streq(kind, "removed")) {
		/* the tracker: no fixed version, so a release that still has
		 * the package is vulnerable */
		st = SW_ST_AFFECTED;
		extra = "removed";
	} else if (sw_streq(kind, "postponed")) {
		st = SW_ST_FIX_DEFERRED;
	} else if (sw_streq(kind, "ignored")) {
		st = SW_ST_WILL_NOT_FIX;
	} else if (sw_streq(kind, "end-of-life")) {
		st = SW_ST_END_OF_LIFE;
	} else if (sw_streq(kind, "undetermined")) {
		st = SW_ST_UNDER_INVESTIGATION;
	} else if (sw_streq(kind, "itp")) {
		return 1; /* intent to package: not in Debian */
	} else {
		*why = "unknown status";
		return -1;
	}
	char *eco = release_ecosystem(release);
	if (!eco) {
		*why = "unknown release";
		return -1;
	}
	struct sw_affected *a = sw_src_affected(v, eco, pkg, st);
	free(eco);
	if (st == SW_ST_FIXED)
		sw_src_add_fixed_range(a, version);
	if (severity && !a->severity)
		a->severity = sw_xstrdup(severity);
	if (severity)
		raise_vuln_severity(v, severity);
	if (!a->note) {
		if (extra && note && *note)
			a->note = sw_xasprintf("%s: %s", extra, note);
		else if (extra)
			a->note = sw_xstrdup(extra);
		else if (note && *note)
			a->note = sw_xstrdup(note);
	}
	return 0;
}

/*
 * In the text lists and vuln-list records, "[rel] - pkg <no-dsa>",
 * "<ignored>" and "<postponed>" are no-DSA notes, not package notes: the
 * tracker still computes that release's state from unstable's line
 * (fixed version compared with the release's package).  Such an entry gets
 * unstable's fixed versions as limits (affected below them); without an
 * unstable fix it stays affected whatever the version.
 */
static void nodsa_versions_from_unstable(struct sw_vuln *v)
{
	for (size_t i = 0; i < v->affected.len; i++) {
		struct sw_affected *a = v->affected.items[i];
		bool nodsa = (a->status == SW_ST_AFFECTED && a->note && strncmp(a->note, "no-dsa", 6) == 0) ||
			     a->status == SW_ST_WILL_NOT_FIX || a->status == SW_ST_FIX_DEFERRED;
		if (!nodsa || a->ranges.len || !sw_starts_with(a->ecosystem, "Debian:"))
			continue;
		for (size_t k = 0; k < v->affected.len; k++) {
			const struct sw_affected *u = v->affected.items[k];
			if (u->status != SW_ST_FIXED || !sw_streq(u->ecosystem, SW_VULNDB_DEBIAN_INHERITED) || !sw_streq(u->package, a->package))
				continue;
			for (size_t r = 0; r < u->ranges.len; r++) {
				const struct sw_range *ur = u->ranges.items[r];
				for (size_t e = 0; e < ur->events.len; e++) {
					const struct sw_event *ev = ur->events.items[e];
					if (ev->kind != SW_EV_FIXED)
						continue;
					struct sw_range *nr = sw_range_new("ECOSYSTEM");
					sw_range_add_event(nr, SW_EV_INTRODUCED, "0");
					sw_range_add_event(nr, SW_EV_LIMIT, ev->version);
					sw_vec_push(&a->ranges, nr);
				}
			}
		}
	}
}

/* ---- 1. tracker JSON -------------------------------------------------------- */

static void tracker_release(struct sw_vuln *v, const char *pkg, const char *codename,
			    const json_t *r, const struct sw_vuln_sink *sink, const char *path)
{
	bool bad = false;
	const char *status = sw_src_get_str(r, "status", &bad);
	const char *fixed = sw_src_get_str(r, "fixed_version", &bad);
	const char *urgency = sw_src_get_str(r, "urgency", &bad);
	const char *nodsa = sw_src_get_str(r, "nodsa", &bad);
	const char *reason = sw_src_get_str(r, "nodsa_reason", &bad);
	const char *why = NULL, *kind = NULL;
	char rec[256];
	snprintf(rec, sizeof(rec), "%s/%s/%s", pkg, v->id, codename);
	if (!*codename) {
		sw_src_bad(sink, path, rec, "empty release name");
		return;
	}
	if (bad || !status) {
		sw_src_bad(sink, path, rec, bad ? "a field has the wrong type" : "missing \"status\"");
		return;
	}
	if (strcmp(status, "resolved") == 0) {
		kind = fixed ? "fixed" : "not-affected";
	} else if (strcmp(status, "open") == 0) {
		if (sw_streq(reason, "ignored"))
			kind = "ignored";
		else if (sw_streq(reason, "postponed"))
			kind = "postponed";
		else if (urgency && strcmp(urgency, "end-of-life") == 0)
			kind = "end-of-life";
		else if (nodsa)
			kind = "no-dsa";
		else
			kind = "unfixed";
	} else if (strcmp(status, "undetermined") == 0) {
		kind = "undetermined";
	} else {
		sw_src_bad(sink, path, rec, "unknown status '%s'", status);
		return;
	}
	char *sev = urgency_severity(urgency);
	if (add_annotation(v, codename, pkg, kind, fixed, sev, nodsa, &why) < 0)
		sw_src_bad(sink, path, rec, "%s", why);
	free(sev);
}

static bool tracker_id_ok(const char *id)
{
	return (strncmp(id, "CVE-", 4) == 0 || strncmp(id, "TEMP-", 5) == 0 ||
		sw_src_is_advisory_id(id)) && strlen(id) < 128;
}

/* One source package's {CVE: {...}} object into the group. */
static void tracker_package(struct sw_src_group *g, const char *pkg, const json_t *cves,
			    const struct sw_vuln_sink *sink, const char *path)
{
	const char *id, *codename;
	json_t *c, *r;
	if (!json_is_object(cves)) {
		sw_src_bad(sink, path, pkg, "package entry is not an object");
		return;
	}
	json_object_foreach((json_t *)cves, id, c) {
		char rec[256];
		snprintf(rec, sizeof(rec), "%s/%s", pkg, id);
		bool bad = false;
		if (!tracker_id_ok(id) || !json_is_object(c)) {
			sw_src_bad(sink, path, rec, "bad vulnerability id or entry");
			continue;
		}
		const char *desc = sw_src_get_str(c, "description", &bad);
		json_t *rels = sw_src_get_obj(c, "releases", &bad);
		json_t *raw = json_object_get(c, "releases");
		if (bad && json_is_array(raw) && json_array_size(raw) == 0)
			bad = false; /* `"releases": []` for a CVE with none */
		if (bad) {
			sw_src_bad(sink, path, rec, "a field has the wrong type");
			continue;
		}
		struct sw_vuln *v = sw_src_group_get(g, id);
		if (desc && !v->summary)
			v->summary = sw_xstrdup(desc);
		json_object_foreach(rels, codename, r) {
			if (!json_is_object(r)) {
				sw_src_bad(sink, path, rec, "release '%s' is not an object", codename);
				continue;
			}
			tracker_release(v, pkg, codename, r, sink, path);
		}
	}
}

static size_t skip_ws(const uint8_t *d, size_t len, size_t i)
{
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i;
}

/* End (one past) of the JSON string starting at d[i] == '"', or 0. */
static size_t string_end(const uint8_t *d, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (d[i] == '\\')
			i++;
		else if (d[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End (one past) of the JSON value starting at d[i], found by bracket
 * matching outside strings (jansson checks the value itself), or 0. */
static size_t value_end(const uint8_t *d, size_t len, size_t i)
{
	size_t depth = 0;
	if (i >= len)
		return 0;
	if (d[i] == '"')
		return string_end(d, len, i);
	if (d[i] != '{' && d[i] != '[') {
		while (i < len && d[i] != ',' && d[i] != '}' && d[i] != ']' && d[i] != ' ' &&
		       d[i] != '\n' && d[i] != '\r' && d[i] != '\t')
			i++;
		return i;
	}
	for (; i < len; i++) {
		if (d[i] == '"') {
			size_t e = string_end(d, len, i);
			if (!e)
				return 0;
			i = e - 1;
		} else if (d[i] == '{' || d[i] == '[') {
			depth++;
		} else if (d[i] == '}' || d[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* Line and column of offset off, for messages. */
static void where(const uint8_t *d, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (d[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * The tracker JSON is one object of source packages (tens of MB): it is
 * walked one package at a time, so only that package's tree is held next
 * to the records being built.  A syntax error anywhere still rejects the
 * whole file, as a full parse would.
 */
static int tracker_json(const char *path, const uint8_t *d, size_t len,
			const struct sw_vuln_sink *sink, struct sw_err *err)
{
	struct sw_src_group g;
	sw_src_group_init(&g, "debian");
	size_t i = skip_ws(d, len, 0) + 1; /* past '{' */
	int rc = 0;
	const char *what = NULL;
	json_error_t je; /* outlives the loop: what may point into it */
	bool first = true;
	if (len > SW_SRC_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file too large (%zu bytes)", path, len);
	for (;;) {
		i = skip_ws(d, len, i);
		if (i < len && d[i] == '}') {
			i = skip_ws(d, len, i + 1);
			if (i != len)
				what = "data after the top-level object";
			break;
		}
		if (!first) {
			if (i >= len || d[i] != ',') {
				what = "expected ',' or '}'";
				break;
			}
			i = skip_ws(d, len, i + 1);
		}
		first = false;
		size_t ke = i < len && d[i] == '"' ? string_end(d, len, i) : 0;
		if (!ke) {
			what = "expected a package name";
			break;
		}
		json_t *key = json_loadb((const char *)d + i, ke - i, JSON_DECODE_ANY, &je);
		if (!json_is_string(key)) {
			json_decref(key);
			what = "bad package name";
			break;
		}
		i = skip_ws(d, len, ke);
		if (i >= len || d[i] != ':') {
			json_decref(key);
			what = "expected ':'";
			break;
		}
		i = skip_ws(d, len, i + 1);
		size_t ve = value_end(d, len, i);
		json_t *val = ve ? json_loadb((const char *)d + i, ve - i, JSON_DECODE_ANY, &je) : NULL;
		if (!val) {
			json_decref(key);
			what = ve ? je.text : "truncated value";
			break;
		}
		tracker_package(&g, json_string_value(key), val, sink, path);
		json_decref(val);
		json_decref(key);
		i = ve;
	}
	if (what) {
		size_t line, col;
		where(d, i < len ? i : len, &line, &col);
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': bad json at line %zu column %zu: %s", path, line,
				col, what);
	} else {
		rc = sw_src_group_emit(&g, sink, path, err);
	}
	sw_src_group_release(&g);
	return rc;
}

/* ---- 2. text lists -------------------------------------------------------- */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "[29 Mar 2023]" at s (n bytes of it) -> "2023-03-29T00:00:00Z", or NULL. */
static char *list_date(const char *s, size_t n)
{
	if (n != 13 || s[0] != '[' || s[3] != ' ' || s[7] != ' ' || s[12] != ']')
		return NULL;
	int m = -1;
	for (int i = 0; i < 12; i++)
		if (strncmp(s + 4, months[i], 3) == 0)
			m = i + 1;
	for (int i = 0; i < 4; i++)
		if (s[8 + i] < '0' || s[8 + i] > '9')
			return NULL;
	if (m < 0 || s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '9')
		return NULL;
	return sw_xasprintf("%.4s-%02d-%.2sT00:00:00Z", s + 8, m, s + 1);
}

struct list_state {
	struct sw_src_group g;
	struct sw_vuln *cur;
	const struct sw_vuln_sink *sink;
	const char *path;
	size_t lineno;
};

static void list_bad(struct list_state *st, const char *what)
{
	char rec[160];
	snprintf(rec, sizeof(rec), "%s (line %zu)", st->cur ? st->cur->id : "-", st->lineno);
	sw_src_bad(st->sink, st->path, rec, "%s", what);
}

/* Header line: "[dd Mon yyyy] DSA-123-1 pkg - title" or "CVE-... (desc)". */
static void list_header(struct list_state *st, char *line)
{
	char *date = NULL, *p = line;
	st->cur = NULL;
	if (*p == '[') {
		char *close = strchr(p, ']');
		if (!close || !(date = list_date(p, (size_t)(close - p + 1)))) {
			list_bad(st, "bad date in header");
			return;
		}
		p = close + 1;
		while (*p == ' ')
			p++;
	}
	char *id = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	if (!tracker_id_ok(id)) {
		list_bad(st, "header without a vulnerability id");
		free(date);
		return;
	}
	st->cur = sw_src_group_get(&st->g, id);
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	if (n >= 2 && ((p[0] == '(' && p[n - 1] == ')') || (p[0] == '[' && p[n - 1] == ']'))) {
		p++;
		n -= 2;
	}
	if (n && !st->cur->summary)
		st->cur->summary = sw_xstrndup(p, n);
	if (date && !st->cur->published)
		st->cur->published = date;
	else
		free(date);
}

/* "[rel] - pkg 1.2-3 (low; bug #1)" / "- pkg <no-dsa> (Minor issue)" */
static void list_package(struct list_state *st, char *p)
{
	char *release = NULL;
	if (*p == '[') {
		char *close = strchr(p, ']');
		if (!close) {
			list_bad(st, "unterminated [release]");
			return;
		}
		*close = '\0';
		release = p + 1;
		p = close + 1;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p != '-') {
		list_bad(st, "expected '- package'");
		return;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	char *pkg = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	const char *kind = "fixed";
	char *version = NULL, *paren = NULL;
	if (*p == '<') {
		char *close = strchr(p, '>');
		if (!close) {
			list_bad(st, "unterminated <status>");
			return;
		}
		*close = '\0';
		kind = p + 1;
		p = close + 1;
	} else if (*p && *p != '(') {
		version = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '(') {
		paren = p + 1;
		char *close = strrchr(paren, ')');
		if (close)
			*close = '\0';
	}
	if (!version && strcmp(kind, "fixed") == 0) {
		list_bad(st, "package line without version or status");
		return;
	}
	/* (low; bug #123): an urgency word is the severity, the rest a note */
	char *severity = NULL;
	const char *note = paren;
	if (paren) {
		char *q = paren;
		while (*q) {
			while (*q == ' ' || *q == ';')
				q++;
			char *w = q;
			while (*q && *q != ';')
				q++;
			size_t wl = (size_t)(q - w);
			while (wl && w[wl - 1] == ' ')
				wl--;
			if (!severity && is_urgency(w, wl))
				severity = sw_xstrndup(w, wl);
		}
		/* a fixed line's parenthesis is urgency and bug numbers only */
		if (strcmp(kind, "fixed") == 0 || (severity && strcmp(paren, severity) == 0))
			note = NULL;
	}
	const char *why = NULL;
	if (add_annotation(st->cur, release, pkg, kind, version, severity, note, &why) < 0)
		list_bad(st, why);
	free(severity);
}

static void list_line(struct list_state *st, char *line)
{
	if (line[0] != ' ' && line[0] != '\t') {
		list_header(st, line);
		return;
	}
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		p[--n] = '\0';
	if (!*p || !st->cur)
		return;
	if (*p == '{') {
		char *close = strchr(p, '}');
		if (close)
			*close = '\0';
		char *q = p + 1;
		while (*q) {
			while (*q == ' ')
				q++;
			char *w = q;
			while (*q && *q != ' ')
				q++;
			if (*q)
				*q++ = '\0';
			if (*w && sw_src_is_advisory_id(w) && strcmp(w, st->cur->id) != 0)
				sw_src_push_unique(&st->cur->aliases, w);
		}
		return;
	}
	if (*p == '[' || (p[0] == '-' && p[1] == ' ')) {
		list_package(st, p);
		return;
	}
	/* NOTE:, TODO:, RESERVED, REJECTED, NOT-FOR-US: ... carry no status */
}

static int text_list(const char *path, const uint8_t *data, size_t len,
		     const struct sw_vuln_sink *sink, struct sw_err *err)
{
	struct list_state st = { .sink = sink, .path = path };
	sw_src_group_init(&st.g, "debian");
	const char *d = (const char *)data;
	size_t pos = 0;
	if (len > SW_SRC_MAX_FILE)
		return sw_err_set(err, SW_E_LIMIT, "'%s': file too large (%zu bytes)", path, len);
	if (memchr(d, '\0', len)) {
		sw_src_group_release(&st.g);
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a text list (NUL byte)", path);
	}
	while (pos < len) {
		const char *nl = memchr(d + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (d + pos)) : len - pos;
		char *line = sw_xstrndup(d + pos, n);
		st.lineno++;
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (*line)
			list_line(&st, line);
		free(line);
		pos += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < st.g.order.len; i++)
		nodsa_versions_from_unstable(st.g.order.items[i]);
	int rc = sw_src_group_emit(&st.g, sink, path, err);
	sw_src_group_release(&st.g);
	return rc;
}

/* ---- 3. vuln-list-debian JSON ---------------------------------------------- */

static int vuln_list_record(const char *path, json_t *root, const struct sw_vuln_sink *sink,
			    struct sw_err *err)
{
	bool bad = false;
	json_t *hdr = sw_src_get_obj(root, "Header", &bad);
	json_t *ann = sw_src_get_arr(root, "Annotations", &bad);
	const char *id = sw_src_get_str(hdr, "ID", &bad);
	if (bad || !id || !tracker_id_ok(id)) {
		sw_src_bad(sink, path, id ? id : "-", "bad Header/Annotations");
		return 0;
	}
	struct sw_vuln *v = sw_vuln_new(id, "debian");
	const char *desc = sw_src_get_str(hdr, "Description", &bad);
	if (desc) {
		size_t n = strlen(desc);
		if (n >= 2 && ((desc[0] == '(' && desc[n - 1] == ')') ||
			       (desc[0] == '[' && desc[n - 1] == ']')))
			v->summary = sw_xstrndup(desc + 1, n - 2);
		else if (n)
			v->summary = sw_xstrdup(desc);
	}
	const char *orig = sw_src_get_str(hdr, "Original", &bad);
	if (orig && orig[0] == '[' && strlen(orig) >= 13)
		v->published = list_date(orig, 13);
	size_t i;
	json_t *a;
	json_array_foreach(ann, i, a) {
		char rec[160];
		snprintf(rec, sizeof(rec), "%s/Annotations[%zu]", id, i);
		const char *type = sw_src_get_str(a, "Type", &bad);
		if (sw_streq(type, "xref")) {
			json_t *bugs = sw_src_get_arr(a, "Bugs", &bad);
			size_t j;
			json_t *b;
			json_array_foreach(bugs, j, b)
				if (json_is_string(b) && strcmp(json_string_value(b), id) != 0)
					sw_src_push_unique(&v->aliases, json_string_value(b));
		} else if (sw_streq(type, "package")) {
			const char *why = NULL;
			const char *sev = sw_src_get_str(a, "Severity", &bad);
			char *s = urgency_severity(sev);
			if (add_annotation(v, sw_src_get_str(a, "Release", &bad),
					   sw_src_get_str(a, "Package", &bad),
					   sw_src_get_str(a, "Kind", &bad),
					   sw_src_get_str(a, "Version", &bad), s,
					   sw_src_get_str(a, "Description", &bad), &why) < 0)
				sw_src_bad(sink, path, rec, "%s", why);
			free(s);
		}
		if (bad) {
			sw_src_bad(sink, path, rec, "a field has the wrong type");
			bad = false;
		}
	}
	nodsa_versions_from_unstable(v);
	int rc = sw_src_put(sink, path, v, err);
	sw_vuln_free(v);
	return rc;
}

/* ---- dispatch --------------------------------------------------------------- */

/* The tracker's own names (data/CVE/list, .../data/json), *list*.txt
 * copies, and any JSON (tracker JSON or vuln-list-debian records, which
 * the content tells apart). */
static bool debian_wants(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strcmp(base, "list") == 0 || strcmp(base, "json") == 0 ||
	       sw_src_name_is(path, "list", ".txt") || sw_src_name_is(path, NULL, ".json");
}

static int debian_import(const char *path, const uint8_t *data, size_t len,
			 const struct sw_vuln_sink *sink, struct sw_err *err)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i >= len || data[i] != '{')
		return text_list(path, data, len, sink, err);
	/* a vuln-list-debian record starts {"Header": ... or {"Annotations": ... */
	size_t k = skip_ws(data, len, i + 1);
	static const char *const vl[] = { "\"Header\"", "\"Annotations\"" };
	bool vuln_list = false;
	for (size_t n = 0; n < 2; n++)
		if (len - k >= strlen(vl[n]) && memcmp(data + k, vl[n], strlen(vl[n])) == 0)
			vuln_list = true;
	if (!vuln_list)
		return tracker_json(path, data, len, sink, err);
	json_t *root = NULL;
	if (sw_src_json_load(path, data, len, &root, err) < 0)
		return -1;
	int rc = vuln_list_record(path, root, sink, err);
	json_decref(root);
	return rc;
}

const struct sw_vuln_source sw_source_debian = {
	.name = "debian",
	.summary = "Debian security tracker (tracker JSON, data/CVE|DSA|DLA/list, vuln-list-debian)",
	.default_url = "https://security-tracker.debian.org/tracker/data/json",
	.wants = debian_wants,
	.import_file = debian_import,
};
