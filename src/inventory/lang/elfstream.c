/*
 * elfstream.c - captures, the ELF header/section table kept from a stream,
 * and a needle search across chunks (see elfstream.h).
 */
#include "inventory/lang/elfstream.h"

#include <stdlib.h>
#include <string.h>

#include "inventory/lang/lang_internal.h"
#include "util/mem.h"

/* ---- captures ---- */

void sw_capture_start(struct sw_capture *c, uint64_t off, size_t want)
{
	sw_capture_release(c);
	c->off = off;
	c->want = want;
}

bool sw_capture_fill(struct sw_capture *c, uint64_t coff, const uint8_t *d, size_t len)
{
	if (c->have >= c->want || c->lost)
		return false;
	uint64_t at = c->off + c->have;   /* next byte wanted */
	if (at < coff) {
		c->lost = true;
		return false;
	}
	if (at - coff >= len)
		return false;
	size_t from = (size_t)(at - coff);
	size_t n = len - from;
	if (n > c->want - c->have)
		n = c->want - c->have;
	if (c->have + n > c->cap) {
		size_t nc = c->cap ? c->cap : 256;
		while (nc < c->have + n)
			nc = nc > c->want / 2 ? c->want : nc * 2;
		c->buf = sw_xrealloc(c->buf, nc);
		c->cap = nc;
	}
	memcpy(c->buf + c->have, d + from, n);
	c->have += n;
	return true;
}

void sw_capture_release(struct sw_capture *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

/* ---- ELF ---- */

void sw_elfstream_init(struct sw_elfstream *es, uint64_t size)
{
	memset(es, 0, sizeof(*es));
	es->size = size;
	sw_capture_start(&es->head, 0, (size_t)(size < SW_ELFSTREAM_HEAD ? size : SW_ELFSTREAM_HEAD));
}

void sw_elfstream_release(struct sw_elfstream *es)
{
	sw_capture_release(&es->head);
	sw_capture_release(&es->tail);
}

/* Parse the ELF header from the head (at least 64 bytes or all of the
 * file are in) and plan the tail capture. */
static void parse_header(struct sw_elfstream *es)
{
	es->parsed = true;
	const uint8_t *d = es->head.buf;
	size_t len = es->head.have;
	if (len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0 || (d[4] != 1 && d[4] != 2) ||
	    (d[5] != 1 && d[5] != 2))
		return;
	es->is64 = d[4] == 2;
	es->be = d[5] == 2;
	if (es->is64) {
		if (len < 64)
			return;
		es->phoff = sw_elf_rd(d + 32, 8, es->be);
		es->shoff = sw_elf_rd(d + 40, 8, es->be);
		es->phentsize = (unsigned)sw_elf_rd(d + 54, 2, es->be);
		es->phnum = (unsigned)sw_elf_rd(d + 56, 2, es->be);
		es->shentsize = (unsigned)sw_elf_rd(d + 58, 2, es->be);
		es->shnum = (unsigned)sw_elf_rd(d + 60, 2, es->be);
		es->shstrndx = (unsigned)sw_elf_rd(d + 62, 2, es->be);
	} else {
		es->phoff = sw_elf_rd(d + 28, 4, es->be);
		es->shoff = sw_elf_rd(d + 32, 4, es->be);
		es->phentsize = (unsigned)sw_elf_rd(d + 42, 2, es->be);
		es->phnum = (unsigned)sw_elf_rd(d + 44, 2, es->be);
		es->shentsize = (unsigned)sw_elf_rd(d + 46, 2, es->be);
		es->shnum = (unsigned)sw_elf_rd(d + 48, 2, es->be);
		es->shstrndx = (unsigned)sw_elf_rd(d + 50, 2, es->be);
	}
	es->elf = true;
	/* the section header table and the 64 KiB before it (.shstrtab) */
	uint64_t sht = (uint64_t)es->shnum * es->shentsize;
	if (!es->shnum || sht > SW_ELFSTREAM_MAX_SHT || es->shoff > es->size || sht > es->size - es->shoff)
		return;
	uint64_t start = es->shoff > SW_ELFSTREAM_TAIL_BEFORE ? es->shoff - SW_ELFSTREAM_TAIL_BEFORE : 0;
	if (start < es->head.want)
		start = es->head.want;
	uint64_t end = es->shoff + sht;
	if (end > start)
		sw_capture_start(&es->tail, start, (size_t)(end - start));
}

void sw_elfstream_feed(struct sw_elfstream *es, const uint8_t *d, size_t len)
{
	uint64_t coff = es->seen;
	es->seen += len;
	sw_capture_fill(&es->head, coff, d, len);
	if (!es->parsed && (es->head.have >= 64 || sw_capture_complete(&es->head)))
		parse_header(es);
	sw_capture_fill(&es->tail, coff, d, len);
}

static bool kept(const struct sw_capture *c, uint64_t off, uint64_t n)
{
	return off >= c->off && off - c->off <= c->have && n <= c->have - (off - c->off);
}

bool sw_elfstream_read(const struct sw_elfstream *es, uint64_t off, void *dst, size_t n)
{
	uint8_t *o = dst;
	while (n) {
		const struct sw_capture *c = kept(&es->head, off, 1) ? &es->head
					   : kept(&es->tail, off, 1) ? &es->tail : NULL;
		if (!c)
			return false;
		size_t k = (size_t)(c->have - (off - c->off));
		if (k > n)
			k = n;
		memcpy(o, c->buf + (off - c->off), k);
		o += k;
		off += k;
		n -= k;
	}
	return true;
}

static bool in_file(const struct sw_elfstream *es, uint64_t off, uint64_t n)
{
	return off <= es->seen && n <= es->seen - off;
}

bool sw_elfstream_is_elf(const struct sw_elfstream *es)
{
	return es->parsed && es->elf && es->seen >= (es->is64 ? 64u : 52u);
}

bool sw_elfstream_has_sections(const struct sw_elfstream *es)
{
	unsigned need = es->is64 ? 64 : 40;
	return sw_elfstream_is_elf(es) && es->shnum && es->shentsize >= need &&
	       in_file(es, es->shoff, (uint64_t)es->shnum * es->shentsize);
}

/* Section header i: name offset, type, file offset, size. */
static bool sh_get(const struct sw_elfstream *es, unsigned i, uint64_t *name, unsigned *type, uint64_t *off,
		   uint64_t *size)
{
	uint8_t s[64];
	size_t n = es->is64 ? 64 : 40;
	if (!sw_elfstream_read(es, es->shoff + (uint64_t)i * es->shentsize, s, n))
		return false;
	*name = sw_elf_rd(s, 4, es->be);
	*type = (unsigned)sw_elf_rd(s + 4, 4, es->be);
	if (es->is64) {
		*off = sw_elf_rd(s + 24, 8, es->be);
		*size = sw_elf_rd(s + 32, 8, es->be);
	} else {
		*off = sw_elf_rd(s + 16, 4, es->be);
		*size = sw_elf_rd(s + 20, 4, es->be);
	}
	return true;
}

enum sw_elf_lookup sw_elfstream_section(const struct sw_elfstream *es, const char *name, uint64_t *off,
					uint64_t *size)
{
	if (!sw_elfstream_has_sections(es) || es->shstrndx >= es->shnum)
		return SW_ELF_ABSENT;
	uint64_t sn, soff, ssize;
	unsigned type;
	if (!sh_get(es, es->shstrndx, &sn, &type, &soff, &ssize))
		return SW_ELF_UNKNOWN;
	if (!in_file(es, soff, ssize))
		return SW_ELF_ABSENT;
	size_t nlen = strlen(name);
	char want[64];
	if (nlen + 1 > sizeof(want))
		return SW_ELF_ABSENT;
	for (unsigned i = 0; i < es->shnum; i++) {
		uint64_t n, o, sz;
		if (!sh_get(es, i, &n, &type, &o, &sz))
			return SW_ELF_UNKNOWN;
		if (n >= ssize || ssize - n < nlen + 1)
			continue;
		if (!sw_elfstream_read(es, soff + n, want, nlen + 1))
			return SW_ELF_UNKNOWN;
		if (memcmp(want, name, nlen + 1) != 0)
			continue;
		if (type == 8 /* SHT_NOBITS */ || !in_file(es, o, sz))
			return SW_ELF_ABSENT;
		*off = o;
		*size = sz;
		return SW_ELF_FOUND;
	}
	return SW_ELF_ABSENT;
}

/* Program header i from the head: type, offset, vaddr, filesz. */
static bool ph_get(const struct sw_elfstream *es, unsigned i, uint64_t *type, uint64_t *off, uint64_t *va,
		   uint64_t *filesz)
{
	unsigned need = es->is64 ? 56 : 32;
	if (!es->elf || es->phentsize < need)
		return false;
	uint64_t at = es->phoff + (uint64_t)i * es->phentsize;
	if (!kept(&es->head, at, need))
		return false;
	const uint8_t *ph = es->head.buf + at;
	*type = sw_elf_rd(ph, 4, es->be);
	if (es->is64) {
		*off = sw_elf_rd(ph + 8, 8, es->be);
		*va = sw_elf_rd(ph + 16, 8, es->be);
		*filesz = sw_elf_rd(ph + 32, 8, es->be);
	} else {
		*off = sw_elf_rd(ph + 4, 4, es->be);
		*va = sw_elf_rd(ph + 8, 4, es->be);
		*filesz = sw_elf_rd(ph + 16, 4, es->be);
	}
	return true;
}

bool sw_elfstream_vaddr(const struct sw_elfstream *es, uint64_t vaddr, uint64_t *off)
{
	for (unsigned i = 0; i < es->phnum; i++) {
		uint64_t type, poff, pva, pfilesz;
		if (!ph_get(es, i, &type, &poff, &pva, &pfilesz))
			return false;
		if (type != 1 /* PT_LOAD */)
			continue;
		if (vaddr >= pva && vaddr - pva < pfilesz) {
			uint64_t o = poff + (vaddr - pva);
			if (o < poff || o >= es->size)
				return false;
			*off = o;
			return true;
		}
	}
	return false;
}

bool sw_elfstream_go_note(const struct sw_elfstream *es)
{
	for (unsigned i = 0; i < es->phnum; i++) {
		uint64_t type, poff, pva, psz;
		if (!ph_get(es, i, &type, &poff, &pva, &psz))
			return false;
		if (type != 4 /* PT_NOTE */ || !kept(&es->head, poff, psz))
			continue;
		const uint8_t *p = es->head.buf + poff, *end = p + psz;
		while (end - p >= 12) {
			uint64_t namesz = sw_elf_rd(p, 4, es->be), descsz = sw_elf_rd(p + 4, 4, es->be);
			uint64_t ntype = sw_elf_rd(p + 8, 4, es->be);
			uint64_t nsz = (namesz + 3) & ~(uint64_t)3, dsz = (descsz + 3) & ~(uint64_t)3;
			p += 12;
			if (nsz > (uint64_t)(end - p) || dsz > (uint64_t)(end - p) - nsz)
				break;
			if (namesz == 3 && memcmp(p, "Go", 3) == 0 && ntype == 4)
				return true;
			if (namesz == 4 && memcmp(p, "Go\0\0", 4) == 0 && ntype == 4)
				return true;
			p += nsz + dsz;
		}
	}
	return false;
}

/* ---- needles ---- */

void sw_needle_scan(struct sw_needle *s, uint64_t coff, const uint8_t *d, size_t len,
		    bool (*fn)(void *ctx, uint64_t off), void *ctx)
{
	size_t n = s->n;
	bool go = true;
	/* occurrences that start in the carry */
	if (s->carry_len && len) {
		uint8_t j[30];
		size_t take = len < n - 1 ? len : n - 1;
		memcpy(j, s->carry, s->carry_len);
		memcpy(j + s->carry_len, d, take);
		size_t jl = s->carry_len + take;
		for (size_t i = 0; go && i < s->carry_len && i + n <= jl; i++)
			if (memcmp(j + i, s->pat, n) == 0)
				go = fn(ctx, coff - s->carry_len + i);
	}
	for (size_t p = 0; go && p + n <= len;) {
		const uint8_t *m = memmem(d + p, len - p, s->pat, n);
		if (!m)
			break;
		size_t at = (size_t)(m - d);
		go = fn(ctx, coff + at);
		p = at + 1;
	}
	/* keep the last n - 1 bytes seen */
	if (len >= n - 1) {
		memcpy(s->carry, d + len - (n - 1), n - 1);
		s->carry_len = n - 1;
	} else {
		size_t keep = s->carry_len + len > n - 1 ? n - 1 - len : s->carry_len;
		memmove(s->carry, s->carry + s->carry_len - keep, keep);
		memcpy(s->carry + keep, d, len);
		s->carry_len = keep + len;
	}
}

void sw_needle_fill_carry(const struct sw_needle *s, uint64_t coff, struct sw_capture *c)
{
	sw_capture_fill(c, coff - s->carry_len, s->carry, s->carry_len);
}
