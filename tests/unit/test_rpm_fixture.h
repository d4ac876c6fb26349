/*
 * test_rpm_fixture.h - build small rpm header blobs and the three database
 * formats in memory, for the rpm unit tests and the fuzz seed corpora.
 * Every builder returns malloc'd bytes the caller frees.
 */
#ifndef SW_TEST_RPM_FIXTURE_H
#define SW_TEST_RPM_FIXTURE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/mem.h"

/* ---- header blobs ---- */

struct fx_hdr {
	struct sw_buf idx;  /* index entries */
	struct sw_buf data; /* data store */
	uint32_t il;
};

static inline void fx_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void fx_hdr_init(struct fx_hdr *h)
{
	sw_buf_init(&h->idx, 0);
	sw_buf_init(&h->data, 0);
	h->il = 0;
}

/* Raw index entry (any values, for malformed headers). */
static inline void fx_hdr_entry(struct fx_hdr *h, uint32_t tag, uint32_t type, uint32_t off,
				uint32_t count)
{
	uint8_t e[16];
	fx_put_be32(e, tag);
	fx_put_be32(e + 4, type);
	fx_put_be32(e + 8, off);
	fx_put_be32(e + 12, count);
	sw_buf_add(&h->idx, e, 16);
	h->il++;
}

static inline void fx_hdr_align(struct fx_hdr *h, size_t a)
{
	while (h->data.len % a)
		sw_buf_addch(&h->data, '\0');
}

static inline void fx_hdr_str(struct fx_hdr *h, uint32_t tag, const char *s)
{
	fx_hdr_entry(h, tag, 6, (uint32_t)h->data.len, 1);
	sw_buf_add(&h->data, s, strlen(s) + 1);
}

static inline void fx_hdr_strv(struct fx_hdr *h, uint32_t tag, const char *const *v, uint32_t n)
{
	fx_hdr_entry(h, tag, 8, (uint32_t)h->data.len, n);
	for (uint32_t i = 0; i < n; i++)
		sw_buf_add(&h->data, v[i], strlen(v[i]) + 1);
}

static inline void fx_hdr_i32(struct fx_hdr *h, uint32_t tag, const uint32_t *v, uint32_t n)
{
	fx_hdr_align(h, 4);
	fx_hdr_entry(h, tag, 4, (uint32_t)h->data.len, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b[4];
		fx_put_be32(b, v[i]);
		sw_buf_add(&h->data, b, 4);
	}
}

/* The blob: il, dl, index, data.  A HEADERIMMUTABLE region entry (tag 63)
 * pointing at a 16-byte trailer is put first when `region`. */
static inline uint8_t *fx_hdr_finish(struct fx_hdr *h, bool region, size_t *len)
{
	struct sw_buf out = SW_BUF_INIT;
	uint32_t il = h->il + (region ? 1 : 0);
	if (region)
		fx_hdr_align(h, 4);
	uint32_t trailer = (uint32_t)h->data.len;
	uint32_t dl = trailer + (region ? 16 : 0);
	uint8_t b[16];
	fx_put_be32(b, il);
	fx_put_be32(b + 4, dl);
	sw_buf_add(&out, b, 8);
	if (region) {
		fx_put_be32(b, 63);
		fx_put_be32(b + 4, 7);
		fx_put_be32(b + 8, trailer);
		fx_put_be32(b + 12, 16);
		sw_buf_add(&out, b, 16);
	}
	sw_buf_add(&out, h->idx.data, h->idx.len);
	sw_buf_add(&out, h->data.data, h->data.len);
	if (region) {
		fx_put_be32(b, 63);
		fx_put_be32(b + 4, 7);
		fx_put_be32(b + 8, (uint32_t) - (int32_t)(il * 16));
		fx_put_be32(b + 12, 16);
		sw_buf_add(&out, b, 16);
	}
	sw_buf_release(&h->idx);
	sw_buf_release(&h->data);
	return (uint8_t *)sw_buf_detach(&out, len);
}

/* A plausible package header.  epoch < 0: no EPOCH tag.  files: absolute
 * paths, stored as DIRNAMES/BASENAMES/DIRINDEXES (one dir per file). */
static inline uint8_t *fx_pkg_blob(const char *name, int epoch, const char *ver, const char *rel,
				   const char *arch, const char *srpm, const char *const *files,
				   uint32_t nfiles, size_t *len)
{
	struct fx_hdr h;
	fx_hdr_init(&h);
	fx_hdr_str(&h, 1000, name);
	fx_hdr_str(&h, 1001, ver);
	fx_hdr_str(&h, 1002, rel);
	if (epoch >= 0) {
		uint32_t e = (uint32_t)epoch;
		fx_hdr_i32(&h, 1003, &e, 1);
	}
	fx_hdr_str(&h, 1011, "Example Vendor");
	fx_hdr_str(&h, 1014, "MIT AND BSD-3-Clause");
	fx_hdr_str(&h, 1015, "Example Packager <pkg@example.test>");
	if (arch)
		fx_hdr_str(&h, 1022, arch);
	if (srpm)
		fx_hdr_str(&h, 1044, srpm);
	if (nfiles) {
		const char **dirs = sw_xcalloc(nfiles, sizeof(*dirs));
		const char **bases = sw_xcalloc(nfiles, sizeof(*bases));
		uint32_t *idx = sw_xcalloc(nfiles, sizeof(*idx));
		char **own = sw_xcalloc(nfiles, sizeof(*own));
		for (uint32_t i = 0; i < nfiles; i++) {
			const char *slash = strrchr(files[i], '/');
			own[i] = sw_xstrndup(files[i], (size_t)(slash - files[i]) + 1);
			dirs[i] = own[i];
			bases[i] = slash + 1;
			idx[i] = i;
		}
		fx_hdr_i32(&h, 1116, idx, nfiles);
		fx_hdr_strv(&h, 1117, bases, nfiles);
		fx_hdr_strv(&h, 1118, dirs, nfiles);
		for (uint32_t i = 0; i < nfiles; i++)
			free(own[i]);
		free(own);
		free(dirs);
		free(bases);
		free(idx);
	}
	fx_hdr_str(&h, 5096, "example:1.0:20200101:abcdef");
	return fx_hdr_finish(&h, true, len);
}

/* ---- BerkeleyDB hash ---- */

struct fx_rec {
	uint32_t key;
	const uint8_t *blob;
	size_t len;
};

static inline void fx_put32(uint8_t *p, uint32_t v, bool be)
{
	if (be) {
		fx_put_be32(p, v);
	} else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
}
static inline void fx_put16(uint8_t *p, uint32_t v, bool be)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

/* One bucket (page 1) holding rpm's counter record (key 0) and the
 * records; values longer than `inline_max` go to overflow pages. */
static inline uint8_t *fx_bdb(const struct fx_rec *recs, size_t n, uint32_t pagesize, bool be,
			      size_t inline_max, size_t *len)
{
	size_t chunk = pagesize - 26, npages = 2;
	for (size_t i = 0; i < n; i++)
		if (recs[i].len > inline_max)
			npages += (recs[i].len + chunk - 1) / chunk;
	uint8_t *db = sw_xcalloc(npages, pagesize);
	uint8_t *m = db;
	fx_put32(m + 12, 0x061561, be);
	fx_put32(m + 16, 9, be);
	fx_put32(m + 20, pagesize, be);
	m[25] = 8;
	fx_put32(m + 32, (uint32_t)npages - 1, be);
	fx_put32(m + 72, 0, be); /* max_bucket */
	fx_put32(m + 76, 1, be);
	fx_put32(m + 80, 0, be);
	fx_put32(m + 96, 1, be); /* spares[0]: bucket 0 is page 1 */

	uint8_t *pg = db + pagesize;
	fx_put32(pg + 8, 1, be);
	pg[25] = 13;
	uint32_t top = pagesize, nent = 0, next_ov = 2;
	for (size_t i = 0; i <= n; i++) {
		uint32_t key = i == 0 ? 0 : recs[i - 1].key;
		top -= 5;
		pg[top] = 1;
		fx_put32(pg + top + 1, key, be);
		fx_put16(pg + 26 + 2 * nent++, top, be);
		if (i == 0) {
			top -= 5;
			pg[top] = 1;
			fx_put32(pg + top + 1, (uint32_t)n + 1, be);
		} else if (recs[i - 1].len <= inline_max) {
			top -= (uint32_t)recs[i - 1].len + 1;
			pg[top] = 1;
			memcpy(pg + top + 1, recs[i - 1].blob, recs[i - 1].len);
		} else {
			top -= 12;
			pg[top] = 3;
			fx_put32(pg + top + 4, next_ov, be);
			fx_put32(pg + top + 8, (uint32_t)recs[i - 1].len, be);
			size_t done = 0;
			while (done < recs[i - 1].len) {
				uint8_t *ov = db + (size_t)next_ov * pagesize;
				size_t k =
				    recs[i - 1].len - done < chunk ? recs[i - 1].len - done : chunk;
				fx_put32(ov + 8, next_ov, be);
				ov[25] = 7;
				fx_put16(ov + 22, (uint32_t)k, be);
				memcpy(ov + 26, recs[i - 1].blob + done, k);
				done += k;
				next_ov++;
				fx_put32(ov + 16, done < recs[i - 1].len ? next_ov : 0, be);
			}
		}
		fx_put16(pg + 26 + 2 * nent++, top, be);
	}
	fx_put16(pg + 20, nent, be);
	*len = npages * pagesize;
	return db;
}

/* ---- NDB ---- */

static inline uint8_t *fx_ndb(const struct fx_rec *recs, size_t n, size_t *len)
{
	size_t total = 4096;
	for (size_t i = 0; i < n; i++)
		total += (28 + recs[i].len + 15) / 16 * 16;
	uint8_t *db = sw_xcalloc(1, total);
	memcpy(db, "RpmP", 4);
	fx_put32(db + 8, 7, false);
	fx_put32(db + 12, 1, false);
	fx_put32(db + 16, (uint32_t)n + 1, false);
	for (size_t s = 2; s < 256; s++)
		memcpy(db + s * 16, "Slot", 4);
	size_t off = 4096;
	for (size_t i = 0; i < n; i++) {
		uint32_t blkcnt = (uint32_t)((28 + recs[i].len + 15) / 16);
		uint8_t *sl = db + (2 + i) * 16;
		fx_put32(sl + 4, recs[i].key, false);
		fx_put32(sl + 8, (uint32_t)(off / 16), false);
		fx_put32(sl + 12, blkcnt, false);
		uint8_t *b = db + off;
		memcpy(b, "BlbS", 4);
		fx_put32(b + 4, recs[i].key, false);
		fx_put32(b + 8, 7, false);
		fx_put32(b + 12, (uint32_t)recs[i].len, false);
		memcpy(b + 16, recs[i].blob, recs[i].len);
		uint8_t *t = b + blkcnt * 16 - 12;
		uLong adl = adler32(adler32(0L, Z_NULL, 0), b, (uInt)(blkcnt * 16 - 12));
		fx_put32(t, (uint32_t)adl, false);
		fx_put32(t + 4, (uint32_t)recs[i].len, false);
		memcpy(t + 8, "BlbE", 4);
		off += blkcnt * 16;
	}
	*len = total;
	return db;
}

/* ---- SQLite ---- */

/* rpm's Packages table with the records; marked WAL like rpm leaves it. */
static inline uint8_t *fx_sqlite(const struct fx_rec *recs, size_t n, size_t *len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	if (sqlite3_exec(db,
			 "PRAGMA page_size = 512;"
			 "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB "
			 "NOT NULL);"
			 "CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER "
			 "NOT NULL);",
			 NULL, NULL, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_prepare_v2(db, "INSERT INTO Packages (hnum, blob) VALUES (?, ?)", -1, &st,
			       NULL))
		abort();
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, recs[i].key);
		sqlite3_bind_blob(st, 2, recs[i].blob, (int)recs[i].len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			abort();
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_int64 sz = 0;
	unsigned char *ser = sqlite3_serialize(db, "main", &sz, 0);
	if (!ser)
		abort();
	uint8_t *out = sw_xmalloc((size_t)sz);
	memcpy(out, ser, (size_t)sz);
	sqlite3_free(ser);
	sqlite3_close(db);
	out[18] = out[19] = 2;
	*len = (size_t)sz;
	return out;
}

#endif
