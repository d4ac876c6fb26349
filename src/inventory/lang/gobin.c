/*
 * gobin.c - Go binaries: the build information the Go linker embeds.
 *
 * ELF: the ".go.buildinfo" section; an ELF file with section headers but
 * no such section is not Go and is not scanned.  Without section headers
 * (sstrip), a scan for the "\xff Go buildinf:" magic at 16-byte aligned
 * offsets.  Mach-O
 * and PE files are scanned the same way; for them only the Go 1.18+
 * inline format is read (the older format holds virtual addresses, which
 * are translated for ELF only).
 *
 * Header (32 bytes): magic[14], pointer size, flags (bit 0 big-endian,
 * bit 1 inline strings).  Inline: two uvarint-length strings (Go version,
 * modinfo) follow.  Old: two pointers to Go string headers {ptr, len}.
 * modinfo is the text "go version -m" prints, framed by 16-byte sentinels:
 *   path  <main package path>
 *   mod   <main module> <version> [<sum>]
 *   dep   <module> <version> [<sum>]
 *   =>    <replacement path> <version> [<sum>]   (replaces the line above)
 *   build <key>=<value>
 * Reported: the main module (SW_PKG_MAIN_MODULE; "(devel)" replaced by an
 * "-X main.version=..." ldflags value when there is one), every dep (the
 * replacement's path and version when replaced by a module; local
 * directory replacements are skipped) and "stdlib" at the Go version
 * (SW_PKG_STDLIB; "go1.21.3" -> "1.21.3", "go1.20" -> "1.20.0",
 * "go1.21rc2" -> "1.21.0-rc.2").  namespace/name = the module path split
 * at its last '/'.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "inventory/lang/elfstream.h"
#include "util/buf.h"
#include "util/mem.h"

#define GO_MIN_SIZE 1024u
#define GO_MAX_SIZE (512ull << 20)
#define GO_MAX_STR (16u << 20)
#define GO_MAX_VERSION 256u      /* "go1.22.1 X:..." is short */
#define GO_MAX_CANDIDATES 64u    /* magic strings tried in one file */
#define GO_MAX_CAPTURE (4u << 20) /* one build-info string kept while streaming */
#define GO_BUDGET (8u << 20)      /* build-info strings kept of one file */
#define GO_MAX_VERSION_CANDS 1024u /* "go1." strings kept (old format) */
#define GO_MAX_MODINFO_CANDS 2u   /* sentinel-framed modinfo texts kept (old format) */

static const char go_magic[14] = "\xff Go buildinf:";

/* runtime.modinfo's 16-byte sentinels (cmd/go/internal/modload) */
static const uint8_t mod_start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
				       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };
static const uint8_t mod_end[16] = { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
				     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

bool sw_lang_exec_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)path;
	return (mode & 0111) && size >= GO_MIN_SIZE && size <= GO_MAX_SIZE;
}

/* ELF, Mach-O (32/64, either order, fat) or PE. */
static bool is_binary(const uint8_t *d, size_t len)
{
	if (len < 4)
		return false;
	if (memcmp(d, "\x7f" "ELF", 4) == 0 || memcmp(d, "MZ", 2) == 0)
		return true;
	uint32_t m = (uint32_t)sw_elf_rd(d, 4, true);
	return m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe || m == 0xcffaedfe ||
	       m == 0xcafebabe;
}

static bool uvarint(const uint8_t *p, size_t n, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	unsigned s = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << s;
		if (!(p[i] & 0x80)) {
			*v = x;
			*used = i + 1;
			return true;
		}
		s += 7;
	}
	return false;
}

/* The Go 1.18+ inline format: the header at d[0] (len bytes kept) is
 * followed by two uvarint-length strings; fills *version and *mod
 * (malloc'd).  Both lengths are validated before anything is copied. */
static bool decode_inline(const uint8_t *d, size_t len, char **version, char **mod)
{
	*version = *mod = NULL;
	if (len < 32)
		return false;
	size_t p = 32, u1, u2;
	uint64_t n1, n2;
	if (!uvarint(d + p, len - p, &n1, &u1) || n1 > GO_MAX_VERSION || n1 > len - p - u1)
		return false;
	size_t p2 = p + u1 + (size_t)n1;
	if (!uvarint(d + p2, len - p2, &n2, &u2) || n2 > GO_MAX_STR || n2 > len - p2 - u2)
		return false;
	*version = sw_xstrndup((const char *)d + p + u1, (size_t)n1);
	*mod = sw_xstrndup((const char *)d + p2 + u2, (size_t)n2);
	return true;
}

/* "go1.21.3" -> "1.21.3"; NULL for "devel ..." and other forms. */
char *sw_lang_go_stdlib_version(const char *gov)
{
	if (!sw_starts_with(gov, "go1"))
		return NULL;
	const char *v = gov + 2;
	size_t n = strcspn(v, " ");
	char *s = sw_xstrndup(v, n);
	/* pre-release: 1.21rc2 / 1.21beta1 */
	char *pre = NULL;
	for (char *p = s; *p; p++)
		if (isalpha((unsigned char)*p)) {
			pre = p;
			break;
		}
	struct sw_buf b = SW_BUF_INIT;
	size_t base_len = pre ? (size_t)(pre - s) : strlen(s);
	int dots = 0;
	for (size_t i = 0; i < base_len; i++) {
		if (s[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)s[i]))
			goto bad;
	}
	if (base_len == 0 || s[base_len - 1] == '.' || strstr(s, "..") != NULL)
		goto bad;
	if (pre) {
		const char *q = pre;
		while (*q && isalpha((unsigned char)*q))
			q++;
		for (; *q; q++)
			if (!isdigit((unsigned char)*q))
				goto bad;
	}
	sw_buf_add(&b, s, base_len);
	if (dots == 1)
		sw_buf_addstr(&b, ".0");
	if (pre) {
		char *num = pre;
		while (*num && isalpha((unsigned char)*num))
			num++;
		sw_buf_addch(&b, '-');
		sw_buf_add(&b, pre, (size_t)(num - pre));
		if (*num) {
			sw_buf_addch(&b, '.');
			sw_buf_addstr(&b, num);
		}
	}
	free(s);
	return sw_buf_detach(&b, NULL);
bad:
	free(s);
	sw_buf_release(&b);
	return NULL;
}

static struct sw_package *go_add(struct sw_pkglist *out, struct sw_map *seen, const char *mod,
				 const char *version, const char *path)
{
	char *ns = NULL, *name = NULL;
	sw_lang_split_last(mod, '/', &ns, &name);
	bool added;
	struct sw_package *p = sw_lang_add_once(out, seen, "golang", ns, name, version, path, &added);
	free(ns);
	free(name);
	return p;
}

/* Split a modinfo line into up to 4 tab-separated fields. */
static int fields(const char *l, size_t n, const char **f, size_t *fl, int max)
{
	int k = 0;
	size_t i = 0;
	while (k < max) {
		size_t s = i;
		while (i < n && l[i] != '\t')
			i++;
		f[k] = l + s;
		fl[k] = i - s;
		k++;
		if (i >= n)
			break;
		i++;
	}
	return k;
}

/* "-X main.version=v1.2.3" in a -ldflags value. */
static char *ldflags_version(const char *v, size_t n)
{
	char *s = sw_xstrndup(v, n);
	char *res = NULL;
	for (char *p = s; (p = strstr(p, "-X")) != NULL; p += 2) {
		char *q = p + 2;
		while (*q == ' ' || *q == '=' || *q == '\'' || *q == '"')
			q++;
		size_t kl = strcspn(q, "=");
		if (!q[kl])
			break;
		const char *dot = NULL;
		for (size_t i = 0; i < kl; i++)
			if (q[i] == '.')
				dot = q + i;
		if (!dot)
			continue;
		size_t pl = (size_t)(dot - q);
		const char *last = dot + 1;
		size_t ll = kl - pl - 1;
		bool is_version = ll == 7 && strncasecmp(last, "version", 7) == 0;
		bool main_pkg = (pl == 4 && memcmp(q, "main", 4) == 0) ||
				(pl >= 8 && memcmp(q + pl - 8, "/version", 8) == 0);
		if (!is_version || !main_pkg)
			continue;
		const char *val = q + kl + 1;
		size_t vl = strcspn(val, " '\"");
		if (!vl)
			continue;
		res = isdigit((unsigned char)val[0]) ? sw_xasprintf("v%.*s", (int)vl, val)
						     : sw_xstrndup(val, vl);
		break;
	}
	free(s);
	return res;
}

static void parse_modinfo(const char *path, const char *gov, const char *mod, size_t mlen,
			  struct sw_pkglist *out)
{
	struct sw_map seen = SW_MAP_INIT;
	/* strip the 16-byte sentinels */
	if (mlen >= 33 && mod[mlen - 17] == '\n') {
		mod += 16;
		mlen -= 32;
	}
	struct sw_lines it = { mod, mod + mlen };
	const char *l;
	size_t n;
	char *main_mod = NULL, *main_ver = NULL, *ld_ver = NULL;
	char *dep = NULL, *dep_ver = NULL; /* pending dep (a "=>" line may follow) */
#define FLUSH_DEP()                                                         \
	do {                                                                \
		if (dep && dep_ver && *dep_ver)                             \
			go_add(out, &seen, dep, dep_ver, path);             \
		free(dep);                                                  \
		free(dep_ver);                                              \
		dep = dep_ver = NULL;                                       \
	} while (0)
	while (sw_lines_next(&it, &l, &n)) {
		const char *f[4];
		size_t fl[4];
		int k = fields(l, n, f, fl, 4);
		if (k < 2)
			continue;
		if (fl[0] == 3 && memcmp(f[0], "mod", 3) == 0 && k >= 3) {
			free(main_mod);
			free(main_ver);
			main_mod = sw_xstrndup(f[1], fl[1]);
			main_ver = sw_xstrndup(f[2], fl[2]);
		} else if (fl[0] == 3 && memcmp(f[0], "dep", 3) == 0) {
			FLUSH_DEP();
			dep = sw_xstrndup(f[1], fl[1]);
			dep_ver = k >= 3 ? sw_xstrndup(f[2], fl[2]) : NULL;
		} else if (fl[0] == 2 && memcmp(f[0], "=>", 2) == 0) {
			if (dep) {
				free(dep);
				free(dep_ver);
				dep = NULL;
				dep_ver = NULL;
				if (k >= 3 && fl[2]) { /* module replacement */
					dep = sw_xstrndup(f[1], fl[1]);
					dep_ver = sw_xstrndup(f[2], fl[2]);
				}
			} else if (main_mod && k >= 3 && fl[2]) {
				free(main_ver);
				main_ver = sw_xstrndup(f[2], fl[2]);
			}
		} else if (fl[0] == 5 && memcmp(f[0], "build", 5) == 0) {
			static const char key[] = "-ldflags=";
			if (fl[1] > sizeof(key) - 1 && memcmp(f[1], key, sizeof(key) - 1) == 0 && !ld_ver)
				ld_ver = ldflags_version(f[1] + sizeof(key) - 1, fl[1] - (sizeof(key) - 1));
		}
	}
	FLUSH_DEP();
#undef FLUSH_DEP
	if (main_mod && *main_mod) {
		const char *v = main_ver && *main_ver ? main_ver : "(devel)";
		if (strcmp(v, "(devel)") == 0 && ld_ver)
			v = ld_ver;
		struct sw_package *p = go_add(out, &seen, main_mod, v, path);
		p->flags |= SW_PKG_MAIN_MODULE;
	}
	char *sv = sw_lang_go_stdlib_version(gov);
	if (sv) {
		struct sw_package *p = sw_lang_add(out, "golang", NULL, "stdlib", sv, path);
		p->flags |= SW_PKG_STDLIB;
		free(sv);
	} else if (*gov) {
		sw_pkglist_warn(out, "%s: unrecognised Go version '%s': stdlib not reported", path, gov);
	}
	free(main_mod);
	free(main_ver);
	free(ld_ver);
	sw_map_release(&seen);
}


/* ---- streaming ----
 *
 * The file goes by once.  Kept: the ELF header, program headers and
 * section header table (elfstream.h); every 16-byte aligned offset that
 * starts with the magic (up to GO_MAX_CANDIDATES), with the 32-byte header
 * and, inline format, exactly the two strings that follow.  Pre-1.18
 * headers hold virtual addresses of two Go string headers {ptr, len}: they
 * are translated through the program headers when the header goes by, and
 * the string headers and their bytes are captured when they come later in
 * the file.  String bytes that came earlier (the linker puts them in
 * .rodata, before .go.buildinfo) are found among what a file carrying a
 * Go build-ID note keeps from the start: every "go1." string (256 bytes)
 * and every sentinel-framed modinfo text.  What cannot be resolved is a
 * warning, never a guess: a string is only taken from a capture that
 * starts exactly at its file offset. */

enum cand_state { C_HDR, C_LEN1, C_LEN2, C_STR, C_OLD, C_DONE, C_DEAD };

struct go_cand {
	struct sw_capture hdr;     /* the header, then the inline strings */
	enum cand_state state;
	bool over;                 /* a string larger than what is kept */
	/* pre-1.18: string headers {ptr, len} and their bytes */
	bool sh_started[2], str_tried[2];
	struct sw_capture sh[2], str[2];
};

struct go_stream {
	char *path;
	uint64_t size;
	uint8_t magic[4];
	size_t magic_len;
	bool not_binary;
	struct sw_elfstream es;
	bool go_checked, backward; /* keep "go1." strings and modinfo texts */
	struct go_cand *cands[GO_MAX_CANDIDATES + 1];
	size_t ncand, verified;
	struct sw_needle ver_needle, mod_needle;
	struct sw_capture *vers;   /* "go1." strings */
	size_t nvers, vers_open;
	bool vers_full;
	struct sw_capture mods[GO_MAX_MODINFO_CANDS];
	size_t nmods;
	size_t budget;             /* bytes reserved by captures */
	uint64_t coff;             /* offset of the chunk being fed */
	const uint8_t *cd;         /* the chunk being fed */
	size_t clen;
};

static bool reserve(struct go_stream *st, size_t n)
{
	if (n > GO_BUDGET - st->budget)
		return false;
	st->budget += n;
	return true;
}

/* Start c at off, a reference found in the bytes before `ref`.  What is
 * before ref counts as gone, even when this chunk still holds it: the
 * result must not depend on how the file is cut into chunks (the first
 * 64 KiB and the "go1."/modinfo captures are looked at in the end). */
static void cap_start(struct go_stream *st, struct sw_capture *c, uint64_t off, size_t want, uint64_t ref)
{
	sw_capture_start(c, off, want);
	if (off < ref)
		c->lost = true;
	else
		sw_capture_fill(c, st->coff, st->cd, st->clen);
}

static unsigned cand_ptr(const struct go_cand *c)
{
	return c->hdr.buf[14];
}

static bool cand_be(const struct go_cand *c)
{
	return c->hdr.buf[15] & 1;
}

/* A pre-1.18 string header has arrived: capture the string's bytes. */
static void old_string_start(struct go_stream *st, struct go_cand *c, int k)
{
	unsigned ptr = cand_ptr(c);
	bool be = cand_be(c);
	uint64_t dptr = sw_elf_rd(c->sh[k].buf, ptr, be), dlen = sw_elf_rd(c->sh[k].buf + ptr, ptr, be);
	uint64_t max = k == 0 ? GO_MAX_VERSION : GO_MAX_CAPTURE, doff;
	uint64_t ref = c->sh[k].off + 2u * ptr;
	if (dlen == 0 || dlen > max || !sw_elfstream_vaddr(&st->es, dptr, &doff) || doff < ref ||
	    doff > st->size || st->size - doff < dlen || !reserve(st, (size_t)dlen))
		return;   /* invalid, too big or behind: resolved (or not) at the end */
	cap_start(st, &c->str[k], doff, (size_t)dlen, ref);
}

/* Move a candidate on when its capture is complete (or can't grow). */
static void cand_advance(struct go_stream *st, struct go_cand *c)
{
	for (;;) {
		struct sw_capture *h = &c->hdr;
		if (!sw_capture_complete(h))
			return;
		size_t u1 = 0, u2 = 0;
		uint64_t n1 = 0, n2 = 0;
		switch (c->state) {
		case C_HDR:
			if (memcmp(h->buf, go_magic, sizeof(go_magic)) != 0 || st->verified >= GO_MAX_CANDIDATES) {
				c->state = C_DEAD;
				return;
			}
			st->verified++;
			if (!(h->buf[15] & 2)) {
				c->state = C_OLD;
				unsigned ptr = cand_ptr(c);
				if (!st->es.elf || (ptr != 4 && ptr != 8))
					return;
				for (int k = 0; k < 2; k++) {
					uint64_t va = sw_elf_rd(h->buf + 16 + k * ptr, ptr, cand_be(c)), off;
					if (!sw_elfstream_vaddr(&st->es, va, &off) || off > st->size ||
					    st->size - off < 2u * ptr)
						continue;
					c->sh_started[k] = true;
					cap_start(st, &c->sh[k], off, 2u * ptr, h->off + 32);
				}
				return;
			}
			if (!reserve(st, 10)) {
				c->over = true;
				c->state = C_DONE;
				return;
			}
			h->want = 42;
			c->state = C_LEN1;
			break;
		case C_LEN1:
			if (!uvarint(h->buf + 32, h->have - 32, &n1, &u1) || n1 > GO_MAX_VERSION) {
				c->state = C_DONE;
				return;
			}
			if (!reserve(st, (size_t)n1 + u1)) {
				c->over = true;
				c->state = C_DONE;
				return;
			}
			h->want = 32 + u1 + (size_t)n1 + 10;
			c->state = C_LEN2;
			break;
		case C_LEN2: {
			(void)uvarint(h->buf + 32, h->have - 32, &n1, &u1);
			size_t p2 = 32 + u1 + (size_t)n1;
			if (!uvarint(h->buf + p2, h->have - p2, &n2, &u2) || n2 > GO_MAX_STR) {
				c->state = C_DONE;
				return;
			}
			if (n2 > GO_MAX_CAPTURE || !reserve(st, (size_t)n2)) {
				c->over = true;
				c->state = C_DONE;
				return;
			}
			h->want = p2 + u2 + (size_t)n2;
			c->state = C_STR;
			break;
		}
		case C_STR:
			c->state = C_DONE;
			return;
		default:
			return;
		}
		sw_capture_fill(h, st->coff, st->cd, st->clen);
	}
}

/* A modinfo capture ends with the end sentinel. */
static void modinfo_check_end(struct go_stream *st, struct sw_capture *c, size_t before)
{
	size_t from = before > 31 ? before - 15 : 16;
	if (c->have < from + 16)
		return;
	const uint8_t *m = memmem(c->buf + from, c->have - from, mod_end, sizeof(mod_end));
	if (!m)
		return;
	size_t end = (size_t)(m - c->buf) + sizeof(mod_end);
	(void)st;
	c->want = c->have = end;
}

/* Everything a candidate can do with the chunk being fed. */
static void cand_pump(struct go_stream *st, struct go_cand *c)
{
	sw_capture_fill(&c->hdr, st->coff, st->cd, st->clen);
	cand_advance(st, c);
	for (int k = 0; k < 2; k++) {
		if (!c->sh_started[k])
			continue;
		sw_capture_fill(&c->sh[k], st->coff, st->cd, st->clen);
		if (!c->str_tried[k] && sw_capture_complete(&c->sh[k])) {
			c->str_tried[k] = true;
			old_string_start(st, c, k);
		}
		sw_capture_fill(&c->str[k], st->coff, st->cd, st->clen);
	}
}

static bool on_version(void *ctx, uint64_t off)
{
	struct go_stream *st = ctx;
	if (st->nvers >= GO_MAX_VERSION_CANDS) {
		st->vers_full = true;
		return false;
	}
	if (!st->vers)
		st->vers = sw_xcalloc(GO_MAX_VERSION_CANDS, sizeof(*st->vers));
	struct sw_capture *c = &st->vers[st->nvers++];
	sw_capture_start(c, off, GO_MAX_VERSION);
	sw_needle_fill_carry(&st->ver_needle, st->coff, c);
	sw_capture_fill(c, st->coff, st->cd, st->clen);
	return true;
}

static bool on_modinfo(void *ctx, uint64_t off)
{
	struct go_stream *st = ctx;
	if (st->nmods >= GO_MAX_MODINFO_CANDS)
		return false;
	struct sw_capture *c = &st->mods[st->nmods++];
	sw_capture_start(c, off, GO_MAX_CAPTURE);
	sw_needle_fill_carry(&st->mod_needle, st->coff, c);
	sw_capture_fill(c, st->coff, st->cd, st->clen);
	modinfo_check_end(st, c, 0);
	return true;
}

static void *gobin_begin(const char *path, uint64_t size)
{
	struct go_stream *st = sw_xcalloc(1, sizeof(*st));
	st->path = sw_xstrdup(path);
	st->size = size;
	sw_elfstream_init(&st->es, size);
	st->ver_needle.pat = (const uint8_t *)"go1.";
	st->ver_needle.n = 4;
	st->mod_needle.pat = mod_start;
	st->mod_needle.n = sizeof(mod_start);
	return st;
}

static bool gobin_feed(void *state, const uint8_t *d, size_t len)
{
	struct go_stream *st = state;
	if (st->not_binary)
		return true;
	for (size_t i = 0; st->magic_len < 4 && i < len; i++)
		st->magic[st->magic_len++] = d[i];
	if (st->magic_len == 4 && !is_binary(st->magic, 4)) {
		st->not_binary = true;
		return true;
	}
	st->coff = st->es.seen;
	st->cd = d;
	st->clen = len;
	sw_elfstream_feed(&st->es, d, len);
	if (!st->go_checked && sw_capture_complete(&st->es.head)) {
		st->go_checked = true;
		st->backward = sw_elfstream_go_note(&st->es);
		/* the needles start where the head ends, with its last bytes */
		const struct sw_capture *h = &st->es.head;
		struct sw_needle *nd[2] = { &st->ver_needle, &st->mod_needle };
		for (int i = 0; i < 2 && st->backward; i++) {
			size_t k = nd[i]->n - 1 < h->have ? nd[i]->n - 1 : h->have;
			memcpy(nd[i]->carry, h->buf + h->have - k, k);
			nd[i]->carry_len = k;
		}
	}
	/* captures under way, oldest first */
	for (size_t i = 0; i < st->ncand; i++)
		cand_pump(st, st->cands[i]);
	while (st->vers_open < st->nvers && sw_capture_complete(&st->vers[st->vers_open]))
		st->vers_open++;   /* filled in order: all the same length */
	for (size_t i = st->vers_open; i < st->nvers; i++)
		sw_capture_fill(&st->vers[i], st->coff, d, len);
	for (size_t i = 0; i < st->nmods; i++) {
		size_t before = st->mods[i].have;
		if (sw_capture_fill(&st->mods[i], st->coff, d, len))
			modinfo_check_end(st, &st->mods[i], before);
	}
	/* "go1." strings and modinfo texts of a Go ELF file (pre-1.18 format),
	 * after the first 64 KiB (kept anyway) */
	if (st->backward && st->coff + len > st->es.head.want) {
		size_t skip = st->coff < st->es.head.want ? (size_t)(st->es.head.want - st->coff) : 0;
		uint64_t at = st->coff + skip;
		const uint8_t *p = d + skip;
		size_t n = len - skip;
		uint64_t save = st->coff;
		const uint8_t *save_d = st->cd;
		size_t save_len = st->clen;
		st->coff = at;
		st->cd = p;
		st->clen = n;
		if (!st->vers_full)
			sw_needle_scan(&st->ver_needle, at, p, n, on_version, st);
		if (st->nmods < GO_MAX_MODINFO_CANDS)
			sw_needle_scan(&st->mod_needle, at, p, n, on_modinfo, st);
		st->coff = save;
		st->cd = save_d;
		st->clen = save_len;
	}
	/* the magic at 16-byte aligned offsets */
	uint64_t end = st->coff + len;
	for (uint64_t o = (st->coff + 15) & ~(uint64_t)15; o < end && st->verified < GO_MAX_CANDIDATES;
	     o += 16) {
		const uint8_t *p = d + (o - st->coff);
		if (*p != 0xff)
			continue;
		size_t k = end - o < sizeof(go_magic) ? (size_t)(end - o) : sizeof(go_magic);
		if (memcmp(p, go_magic, k) != 0 || st->ncand > GO_MAX_CANDIDATES)
			continue;
		struct go_cand *c = sw_xcalloc(1, sizeof(*c));
		st->cands[st->ncand++] = c;
		cap_start(st, &c->hdr, o, 32, o);
		cand_pump(st, c);
		if (c->state == C_DEAD) {
			sw_capture_release(&c->hdr);
			free(c);
			st->ncand--;
		}
	}
	/* candidates whose magic did not complete are dropped */
	size_t w = 0;
	for (size_t i = 0; i < st->ncand; i++) {
		struct go_cand *c = st->cands[i];
		if (c->state == C_DEAD) {
			sw_capture_release(&c->hdr);
			free(c);
			continue;
		}
		st->cands[w++] = c;
	}
	st->ncand = w;
	st->cd = NULL;
	st->clen = 0;
	return false;
}

enum why { W_NONE, W_LOST, W_OVER };

/* A pre-1.18 string k (0 version, 1 modinfo), malloc'd, or NULL. */
static char *old_string(struct go_stream *st, struct go_cand *c, int k, enum why *why)
{
	if (!c->sh_started[k])
		return NULL;
	unsigned ptr = cand_ptr(c);
	bool be = cand_be(c);
	uint8_t hb[16];
	uint64_t seen = st->es.seen;
	const struct sw_capture *sh = &c->sh[k];
	if (sh->off > seen || seen - sh->off < 2u * ptr)
		return NULL;
	if (sw_capture_complete(sh)) {
		memcpy(hb, sh->buf, 2u * ptr);
	} else if (!sw_elfstream_read(&st->es, sh->off, hb, 2u * ptr)) {
		if (sh->lost)
			*why = W_LOST;
		return NULL;
	}
	uint64_t dptr = sw_elf_rd(hb, ptr, be), dlen = sw_elf_rd(hb + ptr, ptr, be), doff;
	uint64_t max = k == 0 ? GO_MAX_VERSION : GO_MAX_STR;
	if (dlen > max || !sw_elfstream_vaddr(&st->es, dptr, &doff) || doff > seen || seen - doff < dlen)
		return NULL;
	if (dlen > GO_MAX_CAPTURE) {
		*why = W_OVER;
		return NULL;
	}
	const struct sw_capture *s = &c->str[k];
	if (dlen == 0)
		return sw_xstrdup("");
	if (s->off == doff && s->want == dlen && sw_capture_complete(s))
		return sw_xstrndup((const char *)s->buf, (size_t)dlen);
	char *r = sw_xmalloc((size_t)dlen + 1);
	r[dlen] = '\0';
	if (sw_elfstream_read(&st->es, doff, r, (size_t)dlen))
		return r;
	free(r);
	const struct sw_capture *list = k == 0 ? st->vers : st->mods;
	size_t n = k == 0 ? st->nvers : st->nmods;
	for (size_t i = 0; i < n; i++)
		if (list[i].off == doff && list[i].have >= dlen)
			return sw_xstrndup((const char *)list[i].buf, (size_t)dlen);
	*why = W_LOST;
	return NULL;
}

/* Decode candidate c with the file (or section) ending at limit. */
static bool cand_decode(struct go_stream *st, struct go_cand *c, uint64_t limit, bool is_elf, char **version,
			char **mod, enum why *why, bool *mod_lost)
{
	*version = *mod = NULL;
	const struct sw_capture *h = &c->hdr;
	if (limit < h->off || limit - h->off < 32 || h->have < 32)
		return false;
	if (h->buf[15] & 2) {
		if (c->over) {
			*why = W_OVER;
			return false;
		}
		uint64_t avail = limit - h->off < h->have ? limit - h->off : h->have;
		return decode_inline(h->buf, (size_t)avail, version, mod);
	}
	if (!is_elf || (cand_ptr(c) != 4 && cand_ptr(c) != 8))
		return false;
	*version = old_string(st, c, 0, why);
	if (!*version)
		return false;
	enum why mw = W_NONE;
	*mod = old_string(st, c, 1, &mw);
	if (!*mod) {
		*mod = sw_xstrdup("");
		*mod_lost = mw != W_NONE;
	}
	return true;
}

static void gobin_state_free(struct go_stream *st)
{
	for (size_t i = 0; i < st->ncand; i++) {
		struct go_cand *c = st->cands[i];
		sw_capture_release(&c->hdr);
		for (int k = 0; k < 2; k++) {
			sw_capture_release(&c->sh[k]);
			sw_capture_release(&c->str[k]);
		}
		free(c);
	}
	for (size_t i = 0; i < st->nvers; i++)
		sw_capture_release(&st->vers[i]);
	free(st->vers);
	for (size_t i = 0; i < st->nmods; i++)
		sw_capture_release(&st->mods[i]);
	sw_elfstream_release(&st->es);
	free(st->path);
	free(st);
}

static int gobin_end(void *state, struct sw_pkglist *out, struct sw_err *err)
{
	(void)err;
	struct go_stream *st = state;
	const char *path = st->path;
	if (st->not_binary || st->magic_len < 4 || !is_binary(st->magic, 4))
		goto out; /* scripts and other executables: not ours */
	bool is_elf = sw_elfstream_is_elf(&st->es);
	char *version = NULL, *mod = NULL;
	bool found = false, seen_magic = false, old_non_elf = false, mod_lost = false;
	enum why why = W_NONE;
	uint64_t off = 0, size = 0;
	enum sw_elf_lookup r = is_elf ? sw_elfstream_section(&st->es, ".go.buildinfo", &off, &size) : SW_ELF_ABSENT;
	if (r == SW_ELF_FOUND) {
		for (size_t i = 0; !found && i < st->ncand && size >= 32; i++) {
			struct go_cand *c = st->cands[i];
			if (c->hdr.off != off || c->hdr.have < 32)
				continue;
			seen_magic = true;
			found = cand_decode(st, c, off + size, is_elf, &version, &mod, &why, &mod_lost);
		}
	} else if (r == SW_ELF_ABSENT && sw_elfstream_has_sections(&st->es)) {
		goto out; /* section headers but no .go.buildinfo: not Go */
	}
	for (size_t i = 0; !found && i < st->ncand; i++) {
		struct go_cand *c = st->cands[i];
		if (c->hdr.have < 32)
			continue;
		free(version);
		free(mod);
		seen_magic = true;
		found = cand_decode(st, c, st->es.seen, is_elf, &version, &mod, &why, &mod_lost);
		if (!found && !is_elf && !(c->hdr.buf[15] & 2))
			old_non_elf = true;
	}
	if (found) {
		parse_modinfo(path, version, mod, strlen(mod), out);
		if (mod_lost)
			sw_pkglist_warn(out, "%s: pre-Go 1.18 module list not kept while streaming; "
				       "dependencies not reported", path);
	} else if (old_non_elf) {
		sw_pkglist_warn(out, "%s: pre-Go 1.18 build info in a non-ELF binary is not supported", path);
	} else if (why == W_OVER) {
		sw_pkglist_warn(out, "%s: Go build info larger than %u MiB; not read", path, GO_MAX_CAPTURE >> 20);
	} else if (why == W_LOST) {
		sw_pkglist_warn(out, "%s: pre-Go 1.18 build info points at data not kept while streaming; not read",
				path);
	} else if (seen_magic) {
		sw_pkglist_warn(out, "%s: Go build info found but unreadable", path);
	}
	free(version);
	free(mod);
out:
	gobin_state_free(st);
	return 0;
}

const struct sw_analyzer sw_analyzer_gobin = {
	.name = "gobinary",
	.version = 2,
	.max_size = GO_MAX_SIZE,
	.wants = sw_lang_exec_wants,
	.begin = gobin_begin,
	.feed = gobin_feed,
	.end = gobin_end,
};
