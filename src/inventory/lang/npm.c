/*
 * npm.c - Node.js packages.
 *
 * sw_analyzer_npm: installed packages, node_modules/NAME/package.json and
 * node_modules/@SCOPE/NAME/package.json (a package.json outside
 * node_modules is the project itself and is not wanted).
 *
 * sw_analyzer_npm_lock: lockfiles outside node_modules -- package-lock.json
 * (v1 nested "dependencies", v2/v3 "packages" keyed by install path),
 * yarn.lock (v1 and berry), pnpm-lock.yaml (v5, v6, v9 key formats).
 * Lockfile packages carry SW_PKG_DECLARED, and SW_PKG_DEV where the file
 * marks them dev-only.  Local, workspace, git and file dependencies are
 * skipped (they have no registry identity); aliases ("npm:real@1.0")
 * report the real package.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define NPM_MAX_SIZE (4u << 20)
#define NPM_LOCK_MAX_SIZE (64u << 20)
#define NPM_MAX_DEPTH 64

/* npm package names: "name" or "@scope/name", no other '/', no blanks or
 * control characters, at most 214 characters. */
static bool npm_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 214)
		return false;
	const char *name = s;
	if (s[0] == '@') {
		const char *sl = strchr(s, '/');
		if (!sl || sl == s + 1)
			return false;
		name = sl + 1;
	}
	if (!*name || strchr(name, '/') || name[0] == '.' || name[0] == '_')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '~' || *p == '\'' || *p == '!' || *p == '(' ||
		    *p == ')' || *p == '*' || *p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/* Add "@scope/name" as namespace "@scope", name "name". */
static struct sw_package *npm_add(struct sw_pkglist *out, struct sw_map *seen, const char *full,
				  const char *version, const char *path, unsigned flags)
{
	char *ns = NULL, *name = NULL;
	if (full[0] == '@')
		sw_lang_split_last(full, '/', &ns, &name);
	else
		name = sw_xstrdup(full);
	bool added = true;
	struct sw_package *p;
	if (seen) {
		p = sw_lang_add_once(out, seen, "npm", ns, name, version, path, &added);
	} else {
		p = sw_lang_add(out, "npm", ns, name, version, path);
	}
	if (added)
		p->flags = flags;
	else if (!(flags & SW_PKG_DEV))
		p->flags &= ~(unsigned)SW_PKG_DEV; /* needed outside dev somewhere */
	free(ns);
	free(name);
	return p;
}

/* ---- installed package.json ---- */

static bool npm_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	if (!sw_ends_with(path, "/package.json"))
		return false;
	/* parent must be node_modules/NAME or node_modules/@SCOPE/NAME */
	size_t n = strlen(path) - strlen("/package.json");
	const char *end = path + n;
	const char *p = end;
	while (p > path && p[-1] != '/')
		p--;
	if (p == end) /* empty component */
		return false;
	if (p - path >= 13 && memcmp(p - 13, "node_modules/", 13) == 0 &&
	    (p - path == 13 || p[-14] == '/'))
		return *p != '.';
	/* scoped */
	if (p - path < 2)
		return false;
	const char *q = p - 1; /* the '/' before NAME */
	const char *s = q;
	while (s > path && s[-1] != '/')
		s--;
	if (*s != '@')
		return false;
	return s - path >= 13 && memcmp(s - 13, "node_modules/", 13) == 0 &&
	       (s - path == 13 || s[-14] == '/');
}

static int npm_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		     struct sw_err *err)
{
	(void)err;
	json_t *j = sw_lang_json(path, data, len, out);
	if (!j)
		return 0;
	if (!json_is_object(j)) {
		sw_pkglist_warn(out, "%s: package.json is not a json object", path);
		json_decref(j);
		return 0;
	}
	const char *name = sw_lang_jstr(j, "name");
	const char *version = sw_lang_jstr(j, "version");
	if (!name && !version) {
		/* a partial manifest (e.g. {"type":"module"}): not a package */
	} else if (!name || !*name) {
		sw_pkglist_warn(out, "%s: package.json has no 'name'", path);
	} else if (!version || !*version) {
		sw_pkglist_warn(out, "%s: package '%s' has no 'version'", path, name);
	} else if (!npm_valid_name(name)) {
		sw_pkglist_warn(out, "%s: invalid package name '%s'", path, name);
	} else {
		struct sw_package *p = npm_add(out, NULL, name, version, path, 0);
		json_t *lic = json_object_get(j, "license");
		if (!lic)
			lic = json_object_get(j, "licenses");
		sw_lang_json_licenses(p, lic);
	}
	json_decref(j);
	return 0;
}

/* ---- package-lock.json ---- */

/* "npm:real@1.2.3" -> real name and version; false if not an alias. */
static bool npm_alias(const char *v, char **name, char **ver)
{
	if (!sw_starts_with(v, "npm:"))
		return false;
	v += 4;
	const char *at = strrchr(v, '@');
	if (!at || at == v)
		return false;
	*name = sw_xstrndup(v, (size_t)(at - v));
	*ver = sw_xstrdup(at + 1);
	return true;
}

/* A version that names a registry release (not a path, URL or git ref). */
static bool npm_plain_version(const char *v)
{
	return v && *v && !strchr(v, ':') && !strchr(v, '/');
}

static void lock_v1(const char *path, json_t *deps, int depth, struct sw_pkglist *out,
		    struct sw_map *seen)
{
	if (!json_is_object(deps))
		return;
	if (depth > NPM_MAX_DEPTH) {
		sw_pkglist_warn(out, "%s: dependencies nested deeper than %d levels; rest skipped", path,
				NPM_MAX_DEPTH);
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(deps, key, v) {
		const char *ver = sw_lang_jstr(v, "version");
		char *an = NULL, *av = NULL;
		if (ver && npm_alias(ver, &an, &av)) {
			if (npm_valid_name(an) && npm_plain_version(av))
				npm_add(out, seen, an, av, path,
					SW_PKG_DECLARED |
						(json_is_true(json_object_get(v, "dev")) ? SW_PKG_DEV : 0));
		} else if (npm_plain_version(ver) && npm_valid_name(key)) {
			npm_add(out, seen, key, ver, path,
				SW_PKG_DECLARED | (json_is_true(json_object_get(v, "dev")) ? SW_PKG_DEV : 0));
		}
		free(an);
		free(av);
		lock_v1(path, json_object_get(v, "dependencies"), depth + 1, out, seen);
	}
}

/* Name from a v2/v3 key "a/node_modules/@s/n" -> "@s/n". */
static const char *key_name(const char *key)
{
	const char *p = key, *last = NULL;
	while ((p = strstr(p, "node_modules/")) != NULL) {
		if (p == key || p[-1] == '/')
			last = p + 13;
		p += 13;
	}
	return last;
}

static void lock_v2(const char *path, json_t *pkgs, struct sw_pkglist *out, struct sw_map *seen)
{
	const char *key;
	json_t *v;
	json_object_foreach(pkgs, key, v) {
		if (!json_is_object(v))
			continue;
		if (!*key) {
			/* the root project itself: listed (as Trivy does), flagged main module */
			const char *rn = sw_lang_jstr(v, "name"), *rv = sw_lang_jstr(v, "version");
			if (rn && rv && npm_valid_name(rn) && npm_plain_version(rv)) {
				struct sw_package *p = npm_add(out, seen, rn, rv, path, SW_PKG_MAIN_MODULE);
				if (!p->licenses.len)
					sw_lang_json_licenses(p, json_object_get(v, "license"));
			}
			continue;
		}
		const char *name = key_name(key);
		if (!name)
			continue; /* a workspace folder: reported through its link */
		const char *ver = sw_lang_jstr(v, "version");
		unsigned flags = SW_PKG_DECLARED |
				 (json_is_true(json_object_get(v, "dev")) ? SW_PKG_DEV : 0);
		if (json_is_true(json_object_get(v, "link"))) {
			const char *target = sw_lang_jstr(v, "resolved");
			json_t *t = target && *target ? json_object_get(pkgs, target) : NULL;
			if (!t) {
				sw_pkglist_warn(out, "%s: link '%s' points to no package ('%s')", path, key,
						target ? target : "");
				continue;
			}
			ver = sw_lang_jstr(t, "version");
			if (!ver)
				continue; /* workspace without a version */
			if (json_is_true(json_object_get(t, "dev")))
				flags |= SW_PKG_DEV;
			if (npm_valid_name(name))
				npm_add(out, seen, name, ver, path, flags);
			continue;
		}
		const char *declared = sw_lang_jstr(v, "name"); /* aliases: the real name */
		if (declared && npm_valid_name(declared))
			name = declared;
		if (!npm_plain_version(ver) || !npm_valid_name(name))
			continue;
		struct sw_package *p = npm_add(out, seen, name, ver, path, flags);
		if (!p->licenses.len)
			sw_lang_json_licenses(p, json_object_get(v, "license"));
	}
}

static int parse_package_lock(const char *path, const uint8_t *data, size_t len,
			      struct sw_pkglist *out)
{
	json_t *j = sw_lang_json(path, data, len, out);
	if (!j)
		return 0;
	struct sw_map seen = SW_MAP_INIT;
	json_t *pkgs = json_object_get(j, "packages");
	json_t *deps = json_object_get(j, "dependencies");
	if (!json_is_object(j))
		sw_pkglist_warn(out, "%s: not a json object", path);
	else if (json_is_object(pkgs))
		lock_v2(path, pkgs, out, &seen);
	else if (json_is_object(deps))
		lock_v1(path, deps, 0, out, &seen);
	sw_map_release(&seen);
	json_decref(j);
	return 0;
}

/* ---- yarn.lock (v1 and berry) ---- */

/* From one pattern ("name@range", "@s/n@npm:^1", "alias@npm:real@^1")
 * get the package name (malloc'd) and whether its protocol is the
 * registry; *real gets the aliased name if any. */
static char *yarn_pattern_name(const char *pat, size_t n, bool *registry, char **real)
{
	*registry = true;
	*real = NULL;
	size_t i = pat[0] == '@' ? 1 : 0;
	while (i < n && pat[i] != '@')
		i++;
	if (i >= n)
		return NULL;
	char *name = sw_xstrndup(pat, i);
	const char *range = pat + i + 1;
	size_t rlen = n - i - 1;
	if (rlen >= 4 && memcmp(range, "npm:", 4) == 0) {
		/* "npm:^1.0" or "npm:real@^1.0" */
		const char *r = range + 4;
		size_t rn = rlen - 4;
		size_t k = rn && r[0] == '@' ? 1 : 0;
		while (k < rn && r[k] != '@')
			k++;
		if (k < rn && k > 0)
			*real = sw_xstrndup(r, k);
		else if (rn && !(isdigit((unsigned char)r[0]) || strchr("^~<>=*xv", r[0])))
			*real = sw_xstrndup(r, rn); /* "npm:ms": alias without a range */
	} else {
		const char *colon = memchr(range, ':', rlen);
		const char *slash = memchr(range, '/', rlen);
		if (colon || slash)
			*registry = false; /* workspace:, patch:, file:, git, URLs, github */
	}
	return name;
}

static char *unquote(const char *s, size_t n)
{
	sw_lang_trim(&s, &n);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return sw_xstrndup(s + 1, n - 2);
	return sw_xstrndup(s, n);
}

struct yarn_entry {
	char *name, *real, *version, *resolution;
	bool registry, valid;
};

static void yarn_flush(const char *path, struct yarn_entry *e, struct sw_pkglist *out,
		       struct sw_map *seen)
{
	if (e->valid && e->version) {
		const char *name = e->real ? e->real : e->name;
		char *resname = NULL;
		bool ok = e->registry;
		if (e->resolution) {
			/* berry: "name@npm:1.2.3" is the truth */
			bool reg;
			char *real = NULL;
			resname = yarn_pattern_name(e->resolution, strlen(e->resolution), &reg, &real);
			free(real);
			ok = reg;
			if (resname)
				name = resname;
		}
		if (ok && strcmp(e->version, "0.0.0-use.local") != 0 && npm_valid_name(name) &&
		    npm_plain_version(e->version))
			npm_add(out, seen, name, e->version, path, SW_PKG_DECLARED);
		free(resname);
	}
	free(e->name);
	free(e->real);
	free(e->version);
	free(e->resolution);
	memset(e, 0, sizeof(*e));
}

static int parse_yarn_lock(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct sw_lines it = { (const char *)data, (const char *)data + len };
	const char *line;
	size_t n;
	struct yarn_entry e = { 0 };
	struct sw_map seen = SW_MAP_INIT;
	size_t lineno = 0, bad = 0, entries = 0;
	if (memchr(data, '\0', len)) {
		sw_pkglist_warn(out, "%s: binary data, not a yarn lockfile", path);
		return 0;
	}
	while (sw_lines_next(&it, &line, &n)) {
		lineno++;
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] != ' ') {
			yarn_flush(path, &e, out, &seen);
			if (line[n - 1] != ':') {
				if (!bad)
					sw_pkglist_warn(out, "%s: line %zu: expected 'pattern:'", path, lineno);
				bad++;
				continue;
			}
			/* first pattern of a "p1, p2:" header */
			const char *p = line;
			size_t plen = n - 1;
			const char *comma = memchr(p, ',', plen);
			if (comma)
				plen = (size_t)(comma - p);
			char *pat = unquote(p, plen);
			if (strcmp(pat, "__metadata") != 0) {
				e.name = yarn_pattern_name(pat, strlen(pat), &e.registry, &e.real);
				e.valid = e.name != NULL;
				if (e.valid)
					entries++;
			}
			free(pat);
			continue;
		}
		if (!e.valid)
			continue;
		/* "  version "1.2.3"" (v1) or "  version: 1.2.3" (berry); only
		 * two-space indented fields */
		if (n < 3 || line[1] != ' ' || line[2] == ' ')
			continue;
		const char *f = line + 2;
		size_t fn = n - 2;
		/* field name, possibly quoted (lockfiles written by npm) */
		size_t kl = 0;
		const char *k = f;
		if (fn && f[0] == '"') {
			k = f + 1;
			const char *q = memchr(k, '"', fn - 1);
			if (!q)
				continue;
			kl = (size_t)(q - k);
			f = q + 1;
		} else {
			while (kl < fn && f[kl] != ' ' && f[kl] != ':')
				kl++;
			f += kl;
		}
		size_t rest = n - (size_t)(f - line);
		if (rest && *f == ':') {
			f++;
			rest--;
		}
		if (kl == 7 && memcmp(k, "version", 7) == 0) {
			free(e.version);
			e.version = unquote(f, rest);
		} else if (kl == 10 && memcmp(k, "resolution", 10) == 0) {
			free(e.resolution);
			e.resolution = unquote(f, rest);
		}
	}
	yarn_flush(path, &e, out, &seen);
	if (!entries && !bad && len)
		sw_pkglist_warn(out, "%s: no entries found in yarn lockfile", path);
	sw_map_release(&seen);
	return 0;
}

/* ---- pnpm-lock.yaml ---- */

/* Parse a packages key into name and version (malloc'd); false if local. */
static bool pnpm_key(const char *key, char **name, char **version)
{
	if (sw_starts_with(key, "file:") || sw_starts_with(key, "link:") ||
	    sw_starts_with(key, "workspace:"))
		return false;
	const char *k = key;
	if (*k == '/')
		k++;
	/* v6/v9: name@version(peers) */
	size_t i = k[0] == '@' ? 1 : 0;
	while (k[i] && k[i] != '@' && k[i] != '(')
		i++;
	size_t slashes = 0;
	for (size_t j = 0; j < i; j++)
		slashes += k[j] == '/';
	if (k[i] == '@' && i > 0 && slashes == (k[0] == '@' ? 1u : 0u)) {
		const char *v = k + i + 1;
		size_t vl = strcspn(v, "(");
		if (!vl || memchr(v, ':', vl) || memchr(v, '/', vl))
			return false;
		*name = sw_xstrndup(k, i);
		*version = sw_xstrndup(v, vl);
		return true;
	}
	/* v5: /name/version_peers or /@scope/name/version */
	const char *last = strrchr(k, '/');
	if (!last || last == k)
		return false;
	const char *v = last + 1;
	size_t vl = strcspn(v, "_(");
	if (!vl || !isdigit((unsigned char)v[0]))
		return false;
	*name = sw_xstrndup(k, (size_t)(last - k));
	*version = sw_xstrndup(v, vl);
	return true;
}

/* pnpm v9: packages carry no dev flag; a package is dev-only when the
 * snapshots graph reaches it from importers' devDependencies and not from
 * their dependencies / optionalDependencies.  Fills `devonly` with the
 * "name@version" keys (peer suffixes removed). */
static char *pnpm_ref(yaml_document_t *d, yaml_node_pair_t *pr)
{
	char *name = sw_yaml_str(yaml_document_get_node(d, pr->key));
	yaml_node_t *v = yaml_document_get_node(d, pr->value);
	char *ver = v && v->type == YAML_MAPPING_NODE ? sw_yaml_str(sw_yaml_get(d, v, "version"))
						      : sw_yaml_str(v);
	char *ref = NULL;
	if (name && ver) {
		/* an alias value is already "real@version" (an '@' before any
		 * "(peer@x)" suffix) */
		size_t plen = strcspn(ver, "(");
		const char *at = plen > 1 ? memchr(ver + 1, '@', plen - 1) : NULL;
		ref = at && !memchr(ver, ':', plen) ? sw_xstrdup(ver) : sw_xasprintf("%s@%s", name, ver);
	}
	free(name);
	free(ver);
	return ref;
}

static void pnpm_walk(yaml_document_t *d, struct sw_map *snap, struct sw_vec *todo, struct sw_map *reached)
{
	while (todo->len) {
		char *ref = sw_vec_pop(todo);
		if (sw_map_has(reached, ref)) {
			free(ref);
			continue;
		}
		sw_map_put(reached, ref, (void *)1);
		yaml_node_t *n = sw_map_get(snap, ref);
		free(ref);
		static const char *const kinds[] = { "dependencies", "optionalDependencies" };
		for (size_t k = 0; n && k < 2; k++) {
			yaml_node_t *deps = sw_yaml_get(d, n, kinds[k]);
			if (!deps || deps->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *pr = deps->data.mapping.pairs.start;
			     pr < deps->data.mapping.pairs.top; pr++) {
				char *r = pnpm_ref(d, pr);
				if (r)
					sw_vec_push(todo, r);
			}
		}
	}
}

static char *strip_peers(const char *k)
{
	return sw_xstrndup(k, strcspn(k, "("));
}

static void pnpm_dev_only(yaml_document_t *d, yaml_node_t *root, struct sw_map *devonly)
{
	yaml_node_t *imp = sw_yaml_get(d, root, "importers");
	yaml_node_t *snaps = sw_yaml_get(d, root, "snapshots");
	if (!imp || imp->type != YAML_MAPPING_NODE || !snaps || snaps->type != YAML_MAPPING_NODE)
		return;
	struct sw_map snap = SW_MAP_INIT, prod = SW_MAP_INIT, dev = SW_MAP_INIT;
	for (yaml_node_pair_t *pr = snaps->data.mapping.pairs.start; pr < snaps->data.mapping.pairs.top; pr++) {
		char *k = sw_yaml_str(yaml_document_get_node(d, pr->key));
		if (k)
			sw_map_put(&snap, k, yaml_document_get_node(d, pr->value));
		free(k);
	}
	for (int pass = 0; pass < 2; pass++) {
		struct sw_vec todo = SW_VEC_INIT;
		for (yaml_node_pair_t *ip = imp->data.mapping.pairs.start; ip < imp->data.mapping.pairs.top; ip++) {
			yaml_node_t *im = yaml_document_get_node(d, ip->value);
			static const char *const prodk[] = { "dependencies", "optionalDependencies" };
			static const char *const devk[] = { "devDependencies", NULL };
			const char *const *keys = pass == 0 ? prodk : devk;
			for (size_t k = 0; k < 2 && keys[k]; k++) {
				yaml_node_t *deps = sw_yaml_get(d, im, keys[k]);
				if (!deps || deps->type != YAML_MAPPING_NODE)
					continue;
				for (yaml_node_pair_t *pr = deps->data.mapping.pairs.start;
				     pr < deps->data.mapping.pairs.top; pr++) {
					char *r = pnpm_ref(d, pr);
					if (r)
						sw_vec_push(&todo, r);
				}
			}
		}
		pnpm_walk(d, &snap, &todo, pass == 0 ? &prod : &dev);
		sw_vec_free_strings(&todo);
	}
	/* by package key: dev-only if some dev snapshot maps to it and no
	 * prod snapshot does */
	struct sw_map prodbase = SW_MAP_INIT;
	const char *k;
	void *v;
	for (size_t it = 0; sw_map_next(&prod, &it, &k, &v);) {
		char *b = strip_peers(k);
		sw_map_put(&prodbase, b, (void *)1);
		free(b);
	}
	for (size_t it = 0; sw_map_next(&dev, &it, &k, &v);) {
		char *b = strip_peers(k);
		if (!sw_map_has(&prodbase, b))
			sw_map_put(devonly, b, (void *)1);
		free(b);
	}
	sw_map_release(&prodbase);
	sw_map_release(&snap);
	sw_map_release(&prod);
	sw_map_release(&dev);
}

/* pnpm 10+ writes a first document holding only its own tool
 * (packageManagerDependencies, configDependencies): not the project's. */
static bool pnpm_env_doc(yaml_document_t *d, yaml_node_t *root)
{
	yaml_node_t *imp = sw_yaml_get(d, root, "importers");
	if (!imp || imp->type != YAML_MAPPING_NODE)
		return false;
	bool tool = false;
	for (yaml_node_pair_t *pr = imp->data.mapping.pairs.start; pr < imp->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *v = yaml_document_get_node(d, pr->value);
		if (sw_yaml_get(d, v, "dependencies") || sw_yaml_get(d, v, "devDependencies") ||
		    sw_yaml_get(d, v, "optionalDependencies"))
			return false;
		if (sw_yaml_get(d, v, "packageManagerDependencies") ||
		    sw_yaml_get(d, v, "configDependencies"))
			tool = true;
	}
	return tool;
}

static int parse_pnpm_lock(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	struct sw_yaml y;
	if (sw_yaml_load(&y, path, data, len, out) < 0)
		return 0;
	struct sw_map seen = SW_MAP_INIT;
	bool found = false;
	for (int di = 0; di < y.ndocs; di++) {
		yaml_document_t *d = &y.docs[di];
		yaml_node_t *root = sw_yaml_root(&y, di);
		yaml_node_t *pkgs = sw_yaml_get(d, root, "packages");
		if (sw_yaml_get(d, root, "lockfileVersion"))
			found = true;
		if (!pkgs || pkgs->type != YAML_MAPPING_NODE || pnpm_env_doc(d, root))
			continue;
		struct sw_map devonly = SW_MAP_INIT;
		pnpm_dev_only(d, root, &devonly);
		for (yaml_node_pair_t *pr = pkgs->data.mapping.pairs.start;
		     pr < pkgs->data.mapping.pairs.top; pr++) {
			char *key = sw_yaml_str(yaml_document_get_node(d, pr->key));
			yaml_node_t *v = yaml_document_get_node(d, pr->value);
			if (!key)
				continue;
			char *name = NULL, *ver = NULL;
			char *fname = sw_yaml_str(sw_yaml_get(d, v, "name"));
			char *fver = sw_yaml_str(sw_yaml_get(d, v, "version"));
			bool local = strstr(key, "file:") || strstr(key, "link:");
			if (!local && !pnpm_key(key, &name, &ver)) {
				/* "name@https://host/x.tgz": the name is in the key, the
				 * version in the entry */
				const char *k = key[0] == '/' ? key + 1 : key;
				const char *at = k[0] ? strchr(k + 1, '@') : NULL;
				if (at && !fname)
					name = sw_xstrndup(k, (size_t)(at - k));
			}
			if (!local && fname) {
				free(name);
				name = fname;
				fname = NULL;
			}
			if (!local && fver) {
				free(ver);
				ver = fver;
				fver = NULL;
			}
			char *base = strip_peers(key[0] == '/' ? key + 1 : key);
			bool dev = sw_yaml_is_true(sw_yaml_get(d, v, "dev")) || sw_map_has(&devonly, base);
			free(base);
			if (name && ver && npm_valid_name(name) && npm_plain_version(ver))
				npm_add(out, &seen, name, ver, path, SW_PKG_DECLARED | (dev ? SW_PKG_DEV : 0));
			free(name);
			free(ver);
			free(fname);
			free(fver);
			free(key);
		}
		sw_map_release(&devonly);
	}
	if (!found)
		sw_pkglist_warn(out, "%s: no 'lockfileVersion': not a pnpm lockfile", path);
	sw_map_release(&seen);
	sw_yaml_release(&y);
	return 0;
}

static bool lock_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	const char *b = sw_lang_base(path);
	if (strcmp(b, "package-lock.json") && strcmp(b, "yarn.lock") && strcmp(b, "pnpm-lock.yaml"))
		return false;
	return !sw_lang_has_component(path, "node_modules");
}

static int lock_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		      struct sw_err *err)
{
	(void)err;
	const char *b = sw_lang_base(path);
	if (strcmp(b, "yarn.lock") == 0)
		return parse_yarn_lock(path, data, len, out);
	if (strcmp(b, "pnpm-lock.yaml") == 0)
		return parse_pnpm_lock(path, data, len, out);
	return parse_package_lock(path, data, len, out);
}

const struct sw_analyzer sw_analyzer_npm = {
	.name = "npm",
	.version = 1,
	.max_size = NPM_MAX_SIZE,
	.wants = npm_wants,
	.parse = npm_parse,
};

const struct sw_analyzer sw_analyzer_npm_lock = {
	.name = "npm-lock",
	.version = 1,
	.max_size = NPM_LOCK_MAX_SIZE,
	.wants = lock_wants,
	.parse = lock_parse,
};
