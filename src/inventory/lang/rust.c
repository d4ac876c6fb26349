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

#include "inventory/lang/elfstream.h"
#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define CARGO_LOCK_MAX (32u << 20)

/* ---- cargo-auditable, streamed ----
 *
 * .dep-v0's bytes go by long before the section header table (at the end
 * of the file) says where it was.  So every zlib stream start is tried as
 * the bytes go by: 0x78 (deflate, 32 KiB window: what cargo-auditable
 * writes) and a flag byte that makes a valid header without a preset
 * dictionary.  Each candidate is inflated incrementally, with its own
 * z_stream, from the chunks themselves; one whose first inflated byte is
 * not '{' (or that gives no byte from its first DEP_TEST_IN input bytes)
 * is dropped at once, with the reason kept by offset; a surviving one
 * inflates on to its end (at most DEP_MAX_JSON).  At the end the section
 * header table names .dep-v0: the candidate that starts at its offset is
 * the answer (and its failure reason the warning).  When the table or the
 * names were not kept (elfstream.h), a single surviving candidate is
 * taken; several give a warning.  Memory: live candidates (at most
 * DEP_MAX_LIVE z_streams) and surviving JSON (at most DEP_BUDGET). */

#define DEP_MAX_JSON (8u << 20)
#define DEP_BUDGET (8u << 20)
#define DEP_TEST_IN 4096u
#define DEP_MAX_LIVE 64u
#define DEP_MAX_RECORDS 65536u

enum dep_reason { DR_OK, DR_ZLIB, DR_NOT_JSON, DR_TOO_BIG, DR_LIMIT };

struct dep_live {
	z_stream z;
	uint64_t off;        /* where the zlib header is */
	uint64_t consumed;   /* input bytes used */
	bool collecting;     /* the first byte was '{' */
	struct sw_buf out;
};

struct dep_found {
	uint64_t off, consumed;
	char *json;          /* NUL-terminated */
	size_t len;
};

struct rust_stream {
	char *path;
	uint64_t size;
	uint8_t magic[4];
	size_t magic_len;
	bool not_elf;
	struct sw_elfstream es;
	struct dep_live *live[DEP_MAX_LIVE];
	size_t nlive;
	struct dep_live *pool[DEP_MAX_LIVE]; /* finished z_streams, reset for reuse */
	size_t npool;
	bool pending78;      /* the previous chunk ended with 0x78 */
	uint64_t *rejected;  /* offset << 3 | reason */
	size_t nrej, caprej;
	struct dep_found *found;
	size_t nfound, capfound;
	size_t budget;       /* JSON bytes held, found and being inflated */
};

static bool zlib_flag_ok(uint8_t flg)
{
	return ((0x78u << 8) | flg) % 31 == 0 && !(flg & 0x20);
}

static void dep_record(struct rust_stream *st, uint64_t off, enum dep_reason r)
{
	if (st->nrej >= DEP_MAX_RECORDS)
		return;
	if (st->nrej == st->caprej) {
		st->caprej = st->caprej ? st->caprej * 2 : 64;
		st->rejected = sw_xrealloc(st->rejected, st->caprej * sizeof(*st->rejected));
	}
	st->rejected[st->nrej++] = off << 3 | (uint64_t)r;
}

static void live_retire(struct rust_stream *st, struct dep_live *l)
{
	st->budget -= l->out.len;
	sw_buf_release(&l->out);
	if (inflateReset(&l->z) == Z_OK && st->npool < DEP_MAX_LIVE) {
		st->pool[st->npool++] = l;
		return;
	}
	inflateEnd(&l->z);
	free(l);
}

/* Inflate the next input bytes of l; false when l is finished (a result
 * or a reason was recorded). */
static bool live_run(struct rust_stream *st, struct dep_live *l, const uint8_t *in, size_t n)
{
	l->z.next_in = (Bytef *)(uintptr_t)in;
	while (n) {
		size_t take = n > UINT32_MAX ? UINT32_MAX : n;
		if (!l->collecting && take > DEP_TEST_IN - l->consumed)
			take = (size_t)(DEP_TEST_IN - l->consumed);
		l->z.avail_in = (uInt)take;
		uint8_t first;
		if (!l->collecting) {
			l->z.next_out = &first;
			l->z.avail_out = 1;
		} else {
			size_t room = DEP_MAX_JSON - l->out.len;
			if (room > 65536)
				room = 65536;
			if (room == 0 || room > DEP_BUDGET - st->budget || !sw_buf_grow(&l->out, room + 1)) {
				dep_record(st, l->off, DR_TOO_BIG);
				return false;
			}
			l->z.next_out = (Bytef *)l->out.data + l->out.len;
			l->z.avail_out = (uInt)room;
		}
		uInt out_before = l->z.avail_out;
		int rc = inflate(&l->z, Z_NO_FLUSH);
		size_t used = take - l->z.avail_in;
		size_t got = out_before - l->z.avail_out;
		l->consumed += used;
		n -= used;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			dep_record(st, l->off, DR_ZLIB);
			return false;
		}
		if (!l->collecting) {
			if (got) {
				if (first != '{') {
					dep_record(st, l->off, DR_NOT_JSON);
					return false;
				}
				l->collecting = true;
				sw_buf_addch(&l->out, '{');
				st->budget += 1;
			} else if (rc == Z_STREAM_END) {
				dep_record(st, l->off, DR_NOT_JSON);
				return false;
			} else if (l->consumed >= DEP_TEST_IN) {
				dep_record(st, l->off, DR_ZLIB);
				return false;
			}
		} else {
			l->out.len += got;
			l->out.data[l->out.len] = '\0';
			st->budget += got;
		}
		if (rc == Z_STREAM_END) {
			if (st->nfound == st->capfound) {
				st->capfound = st->capfound ? st->capfound * 2 : 4;
				st->found = sw_xrealloc(st->found, st->capfound * sizeof(*st->found));
			}
			struct dep_found *f = &st->found[st->nfound++];
			f->off = l->off;
			f->consumed = l->consumed;
			f->json = sw_buf_detach(&l->out, &f->len);
			return false;
		}
		if (used == 0 && got == 0)
			break;   /* needs more input */
	}
	return true;
}

/* A candidate zlib header at off; its first input bytes are pre (len 0
 * or 1, from the previous chunk) then in[0..n). */
static void live_start(struct rust_stream *st, uint64_t off, const uint8_t *pre, size_t npre, const uint8_t *in,
		       size_t n)
{
	if (st->nlive >= DEP_MAX_LIVE) {
		dep_record(st, off, DR_LIMIT);
		return;
	}
	struct dep_live *l;
	if (st->npool) {
		l = st->pool[--st->npool];
	} else {
		l = sw_xcalloc(1, sizeof(*l));
		if (inflateInit(&l->z) != Z_OK) {
			free(l);
			dep_record(st, off, DR_LIMIT);
			return;
		}
	}
	l->off = off;
	l->consumed = 0;
	l->collecting = false;
	sw_buf_init(&l->out, 0);
	if ((npre && !live_run(st, l, pre, npre)) || !live_run(st, l, in, n)) {
		live_retire(st, l);
		return;
	}
	st->live[st->nlive++] = l;
}

static void *rustbin_begin(const char *path, uint64_t size)
{
	struct rust_stream *st = sw_xcalloc(1, sizeof(*st));
	st->path = sw_xstrdup(path);
	st->size = size;
	sw_elfstream_init(&st->es, size);
	return st;
}

static bool rustbin_feed(void *state, const uint8_t *d, size_t len)
{
	struct rust_stream *st = state;
	if (st->not_elf)
		return true;
	for (size_t i = 0; st->magic_len < 4 && i < len; i++)
		st->magic[st->magic_len++] = d[i];
	if (st->magic_len == 4 && memcmp(st->magic, "\x7f" "ELF", 4) != 0) {
		st->not_elf = true;
		return true;
	}
	uint64_t coff = st->es.seen;
	sw_elfstream_feed(&st->es, d, len);
	/* candidates already running take this chunk */
	size_t w = 0;
	for (size_t i = 0; i < st->nlive; i++) {
		struct dep_live *l = st->live[i];
		if (live_run(st, l, d, len))
			st->live[w++] = l;
		else
			live_retire(st, l);
	}
	st->nlive = w;
	/* new candidates */
	if (len && st->pending78 && zlib_flag_ok(d[0]))
		live_start(st, coff - 1, (const uint8_t *)"\x78", 1, d, len);
	st->pending78 = false;
	for (size_t p = 0; p < len;) {
		const uint8_t *m = memchr(d + p, 0x78, len - p);
		if (!m)
			break;
		size_t at = (size_t)(m - d);
		p = at + 1;
		if (at + 1 == len)
			st->pending78 = true;
		else if (zlib_flag_ok(d[at + 1]))
			live_start(st, coff + at, NULL, 0, d + at, len - at);
	}
	return false;
}

static void rust_parse_json(const char *path, const char *js, size_t len, struct sw_pkglist *out)
{
	char *where = sw_xasprintf("%s: .dep-v0", path);
	json_t *j = sw_lang_json(where, (const uint8_t *)js, len, out);
	free(where);
	if (!j)
		return;
	json_t *pkgs = json_object_get(j, "packages");
	if (!json_is_array(pkgs)) {
		sw_pkglist_warn(out, "%s: .dep-v0: no 'packages' array", path);
		json_decref(j);
		return;
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
}

static void rust_state_free(struct rust_stream *st)
{
	for (size_t i = 0; i < st->nlive; i++) {
		sw_buf_release(&st->live[i]->out);
		inflateEnd(&st->live[i]->z);
		free(st->live[i]);
	}
	for (size_t i = 0; i < st->npool; i++) {
		inflateEnd(&st->pool[i]->z);
		free(st->pool[i]);
	}
	for (size_t i = 0; i < st->nfound; i++)
		free(st->found[i].json);
	free(st->found);
	free(st->rejected);
	sw_elfstream_release(&st->es);
	free(st->path);
	free(st);
}

static int rustbin_end(void *state, struct sw_pkglist *out, struct sw_err *err)
{
	(void)err;
	struct rust_stream *st = state;
	const char *path = st->path;
	uint64_t off, size;
	if (st->not_elf || !sw_elfstream_is_elf(&st->es))
		goto out;
	enum sw_elf_lookup r = sw_elfstream_section(&st->es, ".dep-v0", &off, &size);
	if (r == SW_ELF_ABSENT)
		goto out;
	if (r == SW_ELF_UNKNOWN) {
		if (st->nfound == 1)
			rust_parse_json(path, st->found[0].json, st->found[0].len, out);
		else if (st->nfound > 1)
			sw_pkglist_warn(out, "%s: .dep-v0: section names not kept and %zu candidate "
				       "dependency lists; not read", path, st->nfound);
		goto out;
	}
	for (size_t i = 0; i < st->nfound; i++) {
		const struct dep_found *f = &st->found[i];
		if (f->off != off)
			continue;
		if (f->consumed > size)
			sw_pkglist_warn(out, "%s: .dep-v0: invalid zlib data", path);
		else
			rust_parse_json(path, f->json, f->len, out);
		goto out;
	}
	enum dep_reason why = DR_ZLIB;   /* no zlib header there */
	for (size_t i = 0; i < st->nrej; i++)
		if (st->rejected[i] >> 3 == off) {
			why = (enum dep_reason)(st->rejected[i] & 7);
			break;
		}
	switch (why) {
	case DR_NOT_JSON:
		sw_pkglist_warn(out, "%s: .dep-v0: invalid json: not an object", path);
		break;
	case DR_TOO_BIG:
		sw_pkglist_warn(out, "%s: .dep-v0: dependency list larger than %u MiB", path, DEP_MAX_JSON >> 20);
		break;
	case DR_LIMIT:
		sw_pkglist_warn(out, "%s: .dep-v0: too many zlib streams at once; not read", path);
		break;
	default:
		sw_pkglist_warn(out, "%s: .dep-v0: invalid zlib data", path);
		break;
	}
out:
	rust_state_free(st);
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
	.version = 2,
	.max_size = 512ull << 20,
	.wants = sw_lang_exec_wants,
	.begin = rustbin_begin,
	.feed = rustbin_feed,
	.end = rustbin_end,
};

const struct sw_analyzer sw_analyzer_cargo_lock = {
	.name = "cargo-lock",
	.version = 1,
	.max_size = CARGO_LOCK_MAX,
	.wants = cargo_lock_wants,
	.parse = cargo_lock_parse,
};
