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
#include "util/buf.h"
#include "util/mem.h"

#define GO_MIN_SIZE 1024u
#define GO_MAX_SIZE (512ull << 20)
#define GO_MAX_STR (16u << 20)
#define GO_MAX_VERSION 256u      /* "go1.22.1 X:..." is short */
#define GO_MAX_CANDIDATES 64u    /* magic strings tried in one file */

static const char go_magic[14] = "\xff Go buildinf:";

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

/* Read a Go string header at vaddr (old format, ELF only). */
static char *read_gostring(const struct sw_elf *e, uint64_t vaddr, unsigned ptr, bool be, uint64_t max)
{
	uint64_t off, doff;
	if (!sw_elf_vaddr(e, vaddr, &off) || off > e->len || e->len - off < 2u * ptr)
		return NULL;
	uint64_t dptr = sw_elf_rd(e->data + off, ptr, be);
	uint64_t dlen = sw_elf_rd(e->data + off + ptr, ptr, be);
	if (dlen > max || !sw_elf_vaddr(e, dptr, &doff) || doff > e->len || e->len - doff < dlen)
		return NULL;
	return sw_xstrndup((const char *)e->data + doff, (size_t)dlen);
}

/* Decode the header at off; fills *version and *mod (malloc'd). */
static bool decode(const uint8_t *d, size_t len, size_t off, const struct sw_elf *elf, char **version,
		   char **mod)
{
	*version = *mod = NULL;
	if (len - off < 32)
		return false;
	const uint8_t *h = d + off;
	unsigned ptr = h[14], flags = h[15];
	bool be = flags & 1;
	if (flags & 2) {
		/* validate both lengths before copying anything */
		size_t p = off + 32, u1, u2;
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
	if (!elf || (ptr != 4 && ptr != 8))
		return false;
	uint64_t vp = sw_elf_rd(h + 16, ptr, be), mp = sw_elf_rd(h + 16 + ptr, ptr, be);
	*version = read_gostring(elf, vp, ptr, be, GO_MAX_VERSION);
	if (!*version)
		return false;
	*mod = read_gostring(elf, mp, ptr, be, GO_MAX_STR);
	if (!*mod)
		*mod = sw_xstrdup("");
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

static int gobin_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err)
{
	(void)err;
	if (!is_binary(data, len))
		return 0; /* scripts and other executables: not ours */
	struct sw_elf elf;
	bool is_elf = sw_elf_open(&elf, data, len) == 0;
	char *version = NULL, *mod = NULL;
	bool found = false, seen_magic = false, old_non_elf = false;
	uint64_t off, size;
	if (is_elf && sw_elf_section(&elf, ".go.buildinfo", &off, &size)) {
		if (size >= 32 && memcmp(data + off, go_magic, sizeof(go_magic)) == 0) {
			seen_magic = true;
			found = decode(data, (size_t)(off + size), (size_t)off, &elf, &version, &mod);
		}
	} else if (is_elf && elf.shnum > 0) {
		return 0; /* section headers but no .go.buildinfo: not Go (no scan) */
	}
	unsigned tries = 0;
	for (size_t p = 0; !found && p + 32 <= len && tries < GO_MAX_CANDIDATES;) {
		const uint8_t *m = memmem(data + p, len - p, go_magic, sizeof(go_magic));
		if (!m)
			break;
		size_t at = (size_t)(m - data);
		p = at + 1;
		if (at % 16)
			continue;
		tries++;
		seen_magic = true;
		found = decode(data, len, at, is_elf ? &elf : NULL, &version, &mod);
		if (!found && !is_elf && len - at >= 32 && !(data[at + 15] & 2))
			old_non_elf = true;
	}
	if (found)
		parse_modinfo(path, version, mod, strlen(mod), out);
	else if (old_non_elf)
		sw_pkglist_warn(out, "%s: pre-Go 1.18 build info in a non-ELF binary is not supported", path);
	else if (seen_magic)
		sw_pkglist_warn(out, "%s: Go build info found but unreadable", path);
	free(version);
	free(mod);
	return 0;
}

const struct sw_analyzer sw_analyzer_gobin = {
	.name = "gobinary",
	.version = 1,
	.max_size = GO_MAX_SIZE,
	.wants = sw_lang_exec_wants,
	.parse = gobin_parse,
};
