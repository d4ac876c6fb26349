/*
 * elfstream.h - what the streaming binary analyzers (Go, Rust) keep of an
 * executable while its bytes go by once, front to back, in chunks of any
 * size.
 *
 * struct sw_capture: a byte range [off, off + want) of the file, copied as
 * the chunks that hold it are fed.  Bytes that went by before the capture
 * was set up are gone (the capture is then `lost`).  The buffer grows with
 * what arrives, never beyond `want`.
 *
 * struct sw_elfstream: the first 64 KiB of the file (ELF header, program
 * headers, notes) and, once the ELF header says where the section header
 * table is, that table plus the 64 KiB before it (where linkers put
 * .shstrtab).  At the end it answers "is there a section NAME, where?"
 * with found / absent / unknown (the names were not in what was kept),
 * translates virtual addresses through PT_LOAD segments and tells whether
 * the file carries a Go build-ID note.  Memory: at most 64 KiB + 1 MiB +
 * 64 KiB per file, whatever its size.
 *
 * struct sw_needle: finds a short byte string in the stream, across chunk
 * boundaries.
 *
 * Everything here owns its buffers; *_release frees them.
 */
#ifndef SW_INVENTORY_LANG_ELFSTREAM_H
#define SW_INVENTORY_LANG_ELFSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw_capture {
	uint64_t off;   /* file offset of buf[0] */
	size_t want;    /* bytes wanted (may grow while not complete) */
	size_t have;    /* bytes copied so far */
	size_t cap;     /* allocated */
	uint8_t *buf;
	bool lost;      /* bytes at off + have went by before they were wanted */
};

/* Start capturing want bytes at off (c must be zeroed or released). */
void sw_capture_start(struct sw_capture *c, uint64_t off, size_t want);
/* Copy what the chunk [coff, coff + len) holds for c.  Returns true when
 * bytes were added. */
bool sw_capture_fill(struct sw_capture *c, uint64_t coff, const uint8_t *d, size_t len);
static inline bool sw_capture_complete(const struct sw_capture *c)
{
	return c->have >= c->want;
}
void sw_capture_release(struct sw_capture *c);

#define SW_ELFSTREAM_HEAD (64u << 10)
#define SW_ELFSTREAM_TAIL_BEFORE (64u << 10)
#define SW_ELFSTREAM_MAX_SHT (1u << 20)

struct sw_elfstream {
	uint64_t size;              /* declared file size */
	uint64_t seen;              /* bytes fed */
	struct sw_capture head;     /* [0, 64 KiB) */
	struct sw_capture tail;     /* section header table and what precedes it */
	bool parsed;                /* header fields below are set */
	bool elf;                   /* the header is an ELF header */
	bool is64, be;
	uint64_t shoff, phoff;
	unsigned shnum, shentsize, shstrndx, phnum, phentsize;
};

void sw_elfstream_init(struct sw_elfstream *es, uint64_t size);
/* Feed the next chunk (its offset is es->seen). */
void sw_elfstream_feed(struct sw_elfstream *es, const uint8_t *d, size_t len);
void sw_elfstream_release(struct sw_elfstream *es);

/* After the last chunk: is it an ELF file (the checks of sw_elf_open over
 * the bytes seen)?  Does it have section headers inside the file? */
bool sw_elfstream_is_elf(const struct sw_elfstream *es);
bool sw_elfstream_has_sections(const struct sw_elfstream *es);

enum sw_elf_lookup { SW_ELF_ABSENT, SW_ELF_FOUND, SW_ELF_UNKNOWN };
/* sw_elf_section() over the stream: FOUND fills the section's file offset
 * and size (inside the file); UNKNOWN when the section header table or
 * the section names were not kept. */
enum sw_elf_lookup sw_elfstream_section(const struct sw_elfstream *es, const char *name, uint64_t *off,
					uint64_t *size);
/* Virtual address -> file offset through the PT_LOAD program headers in
 * the first 64 KiB (usable as soon as those are in); false if unmapped or
 * beyond the declared size. */
bool sw_elfstream_vaddr(const struct sw_elfstream *es, uint64_t vaddr, uint64_t *off);
/* A PT_NOTE segment in the first 64 KiB holds a Go build-ID note (owner
 * "Go", type 4): the Go linker writes one in every ELF it links. */
bool sw_elfstream_go_note(const struct sw_elfstream *es);
/* Copy [off, off + n) from what was kept; false if some of it was not. */
bool sw_elfstream_read(const struct sw_elfstream *es, uint64_t off, void *dst, size_t n);

/* A needle of at most 16 bytes searched in the stream. */
struct sw_needle {
	const uint8_t *pat;
	size_t n;
	uint8_t carry[15];  /* the last n - 1 bytes before the current chunk */
	size_t carry_len;
};
/* Call fn(ctx, offset) for each occurrence that ends inside the chunk
 * [coff, coff + len), in file order.  fn returns false to stop early. */
void sw_needle_scan(struct sw_needle *s, uint64_t coff, const uint8_t *d, size_t len,
		    bool (*fn)(void *ctx, uint64_t off), void *ctx);
/* The bytes [off, ...) of the last scan's carry plus the chunk start, for
 * a capture that starts in the carry: fills c from them. */
void sw_needle_fill_carry(const struct sw_needle *s, uint64_t coff, struct sw_capture *c);

#endif
