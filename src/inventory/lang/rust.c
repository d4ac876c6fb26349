/*
 * rust.c - Rust crates.
 *
 * sw_analyzer_rustbin: binaries built with cargo-auditable.  The ELF
 * section ".dep-v0" holds zlib-compressed JSON
 *   {"packages":[{"name","version","source","kind","dependencies","root"}]}
 * Crates of kind "build" (build scripts, not linked in) are skipped; the
 * root crate is flagged SW_PKG_MAIN_MODULE.  Non-ELF executables are
 * ignored.
 *
 * sw_analyzer_cargo_lock: Cargo.lock, the TOML subset cargo writes:
 * [[package]] tables with name, version, source.  Every package is
 * reported (SW_PKG_DECLARED); a malformed line is a warning and the
 * package holding it is skipped.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define DEP_MAX_JSON (32u << 20)
#define CARGO_LOCK_MAX (32u << 20)

static int inflate_all(const uint8_t *in, size_t inlen, struct sw_buf *out, size_t max)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
	char chunk[16384];
	int rc;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			return -1;
		}
		size_t got = sizeof(chunk) - z.avail_out;
		if (out->len + got > max) {
			inflateEnd(&z);
			return -2;
		}
		sw_buf_add(out, chunk, got);
		if (rc == Z_OK && got == 0 && z.avail_in == 0) {
			inflateEnd(&z);
			return -1; /* truncated */
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return sw_buf_ok(out) ? 0 : -1;
}

static int rustbin_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
			 struct sw_err *err)
{
	(void)err;
	struct sw_elf elf;
	uint64_t off, size;
	if (sw_elf_open(&elf, data, len) < 0 || !sw_elf_section(&elf, ".dep-v0", &off, &size))
		return 0;
	struct sw_buf js = SW_BUF_INIT;
	int rc = inflate_all(data + off, (size_t)size, &js, DEP_MAX_JSON);
	if (rc < 0) {
		sw_pkglist_warn(out, "%s: .dep-v0: %s", path,
				rc == -2 ? "dependency list larger than 32 MiB" : "invalid zlib data");
		sw_buf_release(&js);
		return 0;
	}
	char *where = sw_xasprintf("%s: .dep-v0", path);
	json_t *j = sw_lang_json(where, (const uint8_t *)js.data, js.len, out);
	free(where);
	sw_buf_release(&js);
	if (!j)
		return 0;
	json_t *pkgs = json_object_get(j, "packages");
	if (!json_is_array(pkgs)) {
		sw_pkglist_warn(out, "%s: .dep-v0: no 'packages' array", path);
		json_decref(j);
		return 0;
	}
	struct sw_map seen = SW_MAP_INIT;
	size_t i;
	json_t *e;
	json_array_foreach(pkgs, i, e) {
		const char *name = sw_lang_jstr(e, "name"), *ver = sw_lang_jstr(e, "version");
		const char *kind = sw_lang_jstr(e, "kind");
		if (!name || !*name || !ver || !*ver) {
			sw_pkglist_warn(out, "%s: .dep-v0: package %zu has no name or version", path, i);
			continue;
		}
		if (kind && strcmp(kind, "build") == 0)
			continue;
		bool added;
		struct sw_package *p = sw_lang_add_once(out, &seen, "cargo", NULL, name, ver, path, &added);
		if (json_is_true(json_object_get(e, "root")))
			p->flags |= SW_PKG_MAIN_MODULE;
	}
	sw_map_release(&seen);
	json_decref(j);
	return 0;
}

/* ---- Cargo.lock ---- */

static bool cargo_lock_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	return strcmp(sw_lang_base(path), "Cargo.lock") == 0;
}

/* `key = "value"`: value (malloc'd) or NULL if the value is not a string. */
static char *toml_str(const char *v, size_t n)
{
	sw_lang_trim(&v, &n);
	if (n >= 6 && memcmp(v, "\"\"\"", 3) == 0 && memcmp(v + n - 3, "\"\"\"", 3) == 0) {
		v += 2; /* one-line multi-line basic string */
		n -= 4;
	} else if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
		return memchr(v + 1, '\'', n - 2) ? NULL : sw_xstrndup(v + 1, n - 2);
	}
	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return NULL;
	if (memchr(v + 1, '\\', n - 2) || memchr(v + 1, '"', n - 2))
		return NULL;
	return sw_xstrndup(v + 1, n - 2);
}

struct cpkg {
	char *name, *version;
	bool bad, active;
	size_t line;
};

static void cargo_flush(const char *path, struct cpkg *c, struct sw_pkglist *out, struct sw_map *seen)
{
	if (c->active && !c->bad) {
		if (c->name && c->version) {
			bool added;
			struct sw_package *p = sw_lang_add_once(out, seen, "cargo", NULL, c->name, c->version,
								path, &added);
			p->flags |= SW_PKG_DECLARED;
		} else {
			sw_pkglist_warn(out, "%s: line %zu: package without %s", path, c->line,
					c->name ? "'version'" : "'name'");
		}
	}
	free(c->name);
	free(c->version);
	memset(c, 0, sizeof(*c));
}

static int cargo_lock_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
			    struct sw_err *err)
{
	(void)err;
	struct sw_lines it = { (const char *)data, (const char *)data + len };
	const char *l;
	size_t n, lineno = 0;
	struct cpkg c = { 0 };
	struct sw_map seen = SW_MAP_INIT;
	bool in_array = false;
	if (memchr(data, '\0', len)) {
		sw_pkglist_warn(out, "%s: binary data, not a Cargo.lock", path);
		return 0;
	}
	while (sw_lines_next(&it, &l, &n)) {
		lineno++;
		sw_lang_trim(&l, &n);
		if (in_array) {
			if (n && l[n - 1] == ']')
				in_array = false;
			continue;
		}
		if (!n || l[0] == '#')
			continue;
		if (l[0] == '[') {
			cargo_flush(path, &c, out, &seen);
			if (n == 11 && memcmp(l, "[[package]]", 11) == 0) {
				c.active = true;
				c.line = lineno;
			}
			continue;
		}
		const char *eq = memchr(l, '=', n);
		if (!eq) {
			sw_pkglist_warn(out, "%s: line %zu: expected 'key = value'", path, lineno);
			c.bad = true;
			continue;
		}
		const char *k = l, *v = eq + 1;
		size_t kl = (size_t)(eq - l), vl = n - kl - 1;
		sw_lang_trim(&k, &kl);
		sw_lang_trim(&v, &vl);
		if (vl && v[0] == '[' && v[vl - 1] != ']') {
			in_array = true;
			continue;
		}
		if (!c.active)
			continue;
		bool is_name = kl == 4 && memcmp(k, "name", 4) == 0;
		bool is_ver = kl == 7 && memcmp(k, "version", 7) == 0;
		if (!is_name && !is_ver)
			continue;
		char *s = toml_str(v, vl);
		if (!s || !*s) {
			sw_pkglist_warn(out, "%s: line %zu: invalid value for '%.*s'", path, lineno, (int)kl, k);
			c.bad = true;
			free(s);
			continue;
		}
		char **dst = is_name ? &c.name : &c.version;
		free(*dst);
		*dst = s;
	}
	cargo_flush(path, &c, out, &seen);
	sw_map_release(&seen);
	return 0;
}

const struct sw_analyzer sw_analyzer_rustbin = {
	.name = "rustbinary",
	.version = 1,
	.max_size = 512ull << 20,
	.wants = sw_lang_exec_wants,
	.parse = rustbin_parse,
};

const struct sw_analyzer sw_analyzer_cargo_lock = {
	.name = "cargo-lock",
	.version = 1,
	.max_size = CARGO_LOCK_MAX,
	.wants = cargo_lock_wants,
	.parse = cargo_lock_parse,
};
