/*
 * alpine.c - Alpine secdb, JSON (`main.json`, `community.json`) or the YAML
 * it is generated from: `{distroversion, reponame, packages: [{pkg: {name,
 * secfixes: {"<fixed-version>": ["CVE-... [XSA-...]", ...]}}}]}`.
 *
 * One vulnerability per id per file, with one affected entry per package:
 * ecosystem "Alpine:<distroversion>", range introduced 0 / fixed <version>,
 * status fixed; the "0" version (never affected) gives not_affected.
 * secdb names the origin (source) package.  An entry "CVE-2017-8903
 * XSA-213" is CVE-2017-8903 with alias XSA-213.
 *
 * Wolfi (packages.wolfi.dev/os/security.json) and Chainguard
 * (packages.cgr.dev/chainguard/security.json) publish the same document
 * without "distroversion" (rolling distributions): their sources give the
 * ecosystem, "Wolfi" or "Chainguard".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

static bool alpine_wants(const char *path)
{
	/* secdb/v3.18/main.json, v3.11/community.yaml */
	return sw_src_name_is(path, "main", ".json") || sw_src_name_is(path, "community", ".json") ||
	       sw_src_name_is(path, "main", ".yaml") || sw_src_name_is(path, "community", ".yaml") ||
	       sw_src_name_is(path, "secdb", ".json") || sw_src_name_is(path, "secdb", ".yaml");
}

/* "v3.18" or "edge" */
static bool valid_release(const char *s)
{
	if (s && strcmp(s, "edge") == 0)
		return true;
	if (!s || s[0] != 'v' || !s[1])
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return false;
	return true;
}

/* Add one secfixes entry ("CVE-1 [XSA-2] [(note)]") to the group. */
static void add_entry(struct sw_src_group *g, const char *eco, const char *pkg,
		      const char *fixed, const char *entry)
{
	char *copy = sw_xstrdup(entry);
	char *tok;
	struct sw_vuln *v = NULL;
	/* split on blanks by hand (no strtok) */
	char *p = copy;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		if (!sw_src_is_advisory_id(tok))
			continue;
		if (!v) {
			v = sw_src_group_get(g, tok);
			enum sw_vuln_status st = strcmp(fixed, "0") == 0 ? SW_ST_NOT_AFFECTED : SW_ST_FIXED;
			struct sw_affected *a = sw_src_affected(v, eco, pkg, st);
			if (st == SW_ST_FIXED)
				sw_src_add_fixed_range(a, fixed);
		} else {
			sw_src_push_unique(&v->aliases, tok);
		}
	}
	free(copy);
}

static bool security_json_wants(const char *path)
{
	return sw_src_name_is(path, "security", ".json") || sw_src_name_is(path, "secdb", ".json");
}

/* rolling_eco NULL: Alpine (the ecosystem from "distroversion"); else the
 * ecosystem of every record, and source the records' source name. */
static int secdb_import(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			const char *source, const char *rolling_eco, struct sw_err *err)
{
	json_t *root = NULL;
	/* JSON or YAML by content: a compressed download arrives under the
	 * archive's name, not the member's */
	size_t k = 0;
	while (k < len && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n'))
		k++;
	bool json = k < len && data[k] == '{';
	int rc = json ? sw_src_json_load(path, data, len, &root, err)
		      : sw_src_yaml_load(path, data, len, &root, err);
	if (rc < 0)
		return -1;
	struct sw_src_group g;
	sw_src_group_init(&g, source);
	bool bad = false;
	char *eco = NULL;
	if (!json_is_object(root)) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a secdb document (not a mapping)", path);
		goto out;
	}
	json_t *pkgs = sw_src_get_arr(root, "packages", &bad);
	if (rolling_eco) {
		if (bad || !pkgs) {
			rc = sw_err_set(err, SW_E_FORMAT, "'%s': not a %s secdb (bad or missing \"packages\")", path,
					rolling_eco);
			goto out;
		}
		eco = sw_xstrdup(rolling_eco);
	} else {
		const char *dv = sw_src_get_str(root, "distroversion", &bad);
		if (!valid_release(dv) || bad) {
			rc = sw_err_set(err, SW_E_FORMAT, "'%s': not an Alpine secdb (bad or missing \"%s\")", path,
					valid_release(dv) ? "packages" : "distroversion");
			goto out;
		}
		eco = sw_xasprintf("Alpine:%s", dv);
	}
	size_t i;
	json_t *e;
	json_array_foreach(pkgs, i, e) {
		char idx[32];
		snprintf(idx, sizeof(idx), "packages[%zu]", i);
		bad = false;
		json_t *pkg = sw_src_get_obj(e, "pkg", &bad);
		const char *name = sw_src_get_str(pkg, "name", &bad);
		if (!pkg || !name || !*name) {
			sw_src_bad(sink, path, idx, "missing \"pkg\" or \"pkg.name\"");
			continue;
		}
		json_t *fixes = sw_src_get_obj(pkg, "secfixes", &bad);
		if (bad) {
			sw_src_bad(sink, path, name, "\"secfixes\" is not a mapping");
			continue;
		}
		const char *ver;
		json_t *list;
		json_object_foreach(fixes, ver, list) {
			if (json_is_null(list))
				continue;
			if (!json_is_array(list) || !*ver) {
				sw_src_bad(sink, path, name, "secfixes '%s' is not a list", ver);
				continue;
			}
			size_t j;
			json_t *x;
			json_array_foreach(list, j, x) {
				if (!json_is_string(x)) {
					sw_src_bad(sink, path, name, "secfixes '%s' entry %zu is not a string",
						   ver, j);
					continue;
				}
				add_entry(&g, eco, name, ver, json_string_value(x));
			}
		}
	}
	rc = sw_src_group_emit(&g, sink, path, err);
out:
	free(eco);
	sw_src_group_release(&g);
	json_decref(root);
	return rc;
}

static int alpine_import(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			 struct sw_err *err)
{
	return secdb_import(path, data, len, sink, "alpine", NULL, err);
}

static int wolfi_import(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			struct sw_err *err)
{
	return secdb_import(path, data, len, sink, "wolfi", "Wolfi", err);
}

static int chainguard_import(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			     struct sw_err *err)
{
	return secdb_import(path, data, len, sink, "chainguard", "Chainguard", err);
}

const struct sw_vuln_source sw_source_wolfi = {
	.name = "wolfi",
	.summary = "Wolfi secdb (security.json: secfixes per origin package, apk versions)",
	.default_url = "https://packages.wolfi.dev/os/security.json",
	.wants = security_json_wants,
	.import_file = wolfi_import,
};

const struct sw_vuln_source sw_source_chainguard = {
	.name = "chainguard",
	.summary = "Chainguard secdb (security.json: secfixes per origin package, apk versions)",
	.default_url = "https://packages.cgr.dev/chainguard/security.json",
	.wants = security_json_wants,
	.import_file = chainguard_import,
};

const struct sw_vuln_source sw_source_alpine = {
	.name = "alpine",
	.summary = "Alpine secdb (JSON or YAML: secfixes per origin package)",
	.default_url = "https://secdb.alpinelinux.org/",
	.wants = alpine_wants,
	.import_file = alpine_import,
};
