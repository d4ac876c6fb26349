/*
 * rpmdb_bdb.c - rpm's BerkeleyDB backend: the hash database "Packages",
 * read page by page from memory, without libdb.
 *
 * Page 0 is the hash meta page: magic 0x061561 at byte 12 (its byte order
 * is the file's), version at 16, page size at 20, last page at 32,
 * max_bucket at 72 and the 32 spares at 96.  Bucket b lives on page
 * b + spares[bit length of b]; its page chain follows next_pgno (byte 16).
 * A hash page (type 2 or 13 at byte 25) has `entries` (u16 at 20) item
 * offsets from byte 26, in key/data pairs; items are packed downwards from
 * the page end, so an item ends where the previous one starts.  An item is
 * H_KEYDATA (1, bytes inline) or H_OFFPAGE (3: page number at +4, total
 * length at +8) whose bytes sit on a chain of overflow pages (type 7), each
 * holding hf_offset (u16 at 22) bytes from byte 26.  Keys are the 4-byte
 * header instance; instance 0 is rpm's counter record, not a package.
 *
 * Bounds: the page size is a power of two in 512..65536, every page number
 * is checked against the file, every page of a bucket chain is visited
 * once, and every overflow page is used by one value only, so the work is
 * linear in the file size whatever the file says.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/rpm/rpm_internal.h"
#include "inventory/rpm/rpmdb.h"
#include "util/mem.h"

enum {
	BDB_PAGE_HDR = 26,
	P_HASH_UNSORTED = 2,
	P_OVERFLOW = 7,
	P_HASHMETA = 8,
	P_HASH = 13,
	H_KEYDATA = 1,
	H_DUPLICATE = 2,
	H_OFFPAGE = 3,
	H_OFFDUP = 4,
};

struct bdb {
	const char *name;
	const uint8_t *data;
	size_t len;
	bool swapped; /* big-endian file */
	uint32_t pagesize;
	uint32_t npages; /* pages present in the buffer */
	uint32_t last_pgno;
	uint32_t max_bucket;
	uint32_t spares[32];
	uint8_t *seen; /* per page: 1 = hash page visited, 2 = overflow page used */
	struct sw_rpm_collect *c;
};

static uint32_t u32(const struct bdb *b, const uint8_t *p)
{
	return b->swapped ? sw_rpm_be32(p) : sw_rpm_le32(p);
}
static uint16_t u16(const struct bdb *b, const uint8_t *p)
{
	return b->swapped ? sw_rpm_be16(p) : sw_rpm_le16(p);
}

/* Page pgno, or NULL (warning added) if it is not inside the file or its
 * header names another page. */
static const uint8_t *page_get(struct bdb *b, uint32_t pgno, const char *what)
{
	if (pgno == 0 || pgno >= b->npages || pgno > b->last_pgno) {
		sw_rpm_warn(b->c, "%s page %u out of range (file has %u pages)", what, pgno,
			    b->npages);
		return NULL;
	}
	const uint8_t *pg = b->data + (size_t)pgno * b->pagesize;
	if (u32(b, pg + 8) != pgno) {
		sw_rpm_warn(b->c, "%s page %u says it is page %u", what, pgno, u32(b, pg + 8));
		return NULL;
	}
	return pg;
}

/* Read an off-page value of tlen bytes starting at page pgno into a new
 * buffer.  Returns NULL (warning added) when the chain is broken. */
static uint8_t *overflow_read(struct bdb *b, uint32_t pgno, uint32_t tlen, uint64_t key)
{
	if (tlen == 0 || tlen > (uint64_t)b->npages * b->pagesize ||
	    tlen > SW_RPM_HEADER_MAX_DATA) {
		sw_rpm_warn(b->c, "package record %llu: overflow length %u out of range",
			    (unsigned long long)key, tlen);
		return NULL;
	}
	uint8_t *v = sw_xmalloc(tlen);
	uint32_t got = 0;
	while (got < tlen) {
		const uint8_t *pg = page_get(b, pgno, "overflow");
		if (!pg)
			goto bad;
		if (pg[25] != P_OVERFLOW) {
			sw_rpm_warn(b->c, "package record %llu: page %u has type %u, not overflow",
				    (unsigned long long)key, pgno, pg[25]);
			goto bad;
		}
		if (b->seen[pgno]) {
			sw_rpm_warn(b->c, "package record %llu: overflow page %u used twice",
				    (unsigned long long)key, pgno);
			goto bad;
		}
		b->seen[pgno] = 2;
		uint32_t n = u16(b, pg + 22);
		if (n == 0 || n > b->pagesize - BDB_PAGE_HDR || n > tlen - got) {
			sw_rpm_warn(
			    b->c,
			    "package record %llu: overflow page %u holds %u bytes (%u of %u left)",
			    (unsigned long long)key, pgno, n, tlen - got, tlen);
			goto bad;
		}
		memcpy(v + got, pg + BDB_PAGE_HDR, n);
		got += n;
		pgno = u32(b, pg + 16);
	}
	return v;
bad:
	free(v);
	return NULL;
}

/* One key/data pair of a hash page.  Returns < 0 only for the record limit. */
static int pair(struct bdb *b, const uint8_t *pg, uint32_t pgno, uint32_t i, uint32_t nent,
		struct sw_err *err)
{
	uint32_t minoff = BDB_PAGE_HDR + 2 * nent;
	uint32_t koff = u16(b, pg + BDB_PAGE_HDR + 2 * i);
	uint32_t voff = u16(b, pg + BDB_PAGE_HDR + 2 * (i + 1));
	uint32_t kend = i == 0 ? b->pagesize : u16(b, pg + BDB_PAGE_HDR + 2 * (i - 1));
	if (koff < minoff || voff < minoff || kend > b->pagesize || koff >= kend || voff >= koff) {
		sw_rpm_warn(b->c, "hash page %u: item %u has bad offsets", pgno, i);
		return 0;
	}
	const uint8_t *k = pg + koff, *v = pg + voff;
	uint32_t klen = kend - koff, vlen = koff - voff;
	if (k[0] != H_KEYDATA || klen != 5) {
		sw_rpm_warn(b->c, "hash page %u: item %u is not a 4-byte package key", pgno, i);
		return 0;
	}
	uint32_t key = u32(b, k + 1);
	if (key == 0)
		return 0; /* rpm's next-instance counter */
	if (v[0] == H_KEYDATA)
		return sw_rpm_collect_blob(b->c, key, v + 1, vlen - 1, err);
	if (v[0] != H_OFFPAGE || vlen < 12) {
		sw_rpm_warn(b->c, "package record %u: unsupported item type %u", key, v[0]);
		return 0;
	}
	uint8_t *blob = overflow_read(b, u32(b, v + 4), u32(b, v + 8), key);
	if (!blob)
		return 0;
	int r = sw_rpm_collect_blob(b->c, key, blob, u32(b, v + 8), err);
	free(blob);
	return r;
}

static int bucket(struct bdb *b, uint32_t bk, struct sw_err *err)
{
	uint32_t bits = 0;
	for (uint32_t x = bk; x; x >>= 1)
		bits++;
	uint64_t pgno64 = (uint64_t)bk + (bits < 32 ? b->spares[bits] : 0);
	uint32_t pgno = pgno64 > UINT32_MAX ? UINT32_MAX : (uint32_t)pgno64;
	do {
		const uint8_t *pg = page_get(b, pgno, "hash bucket");
		if (!pg)
			return 0;
		if (b->seen[pgno]) {
			sw_rpm_warn(b->c, "hash page %u reached twice (bucket %u)", pgno, bk);
			return 0;
		}
		b->seen[pgno] = 1;
		if (pg[25] != P_HASH && pg[25] != P_HASH_UNSORTED) {
			sw_rpm_warn(b->c, "bucket %u: page %u has type %u, not hash", bk, pgno,
				    pg[25]);
			return 0;
		}
		uint32_t nent = u16(b, pg + 20);
		if (nent > (b->pagesize - BDB_PAGE_HDR) / 2) {
			sw_rpm_warn(b->c, "hash page %u: %u entries do not fit", pgno, nent);
			return 0;
		}
		for (uint32_t i = 0; i + 1 < nent; i += 2) {
			int r = pair(b, pg, pgno, i, nent, err);
			if (r < 0)
				return r;
		}
		pgno = u32(b, pg + 16);
	} while (pgno);
	return 0;
}

int sw_rpmdb_parse_bdb(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err)
{
	struct bdb b = {0};
	struct sw_rpm_collect c;
	int r = 0;
	b.name = path ? path : "rpmdb";
	b.data = data;
	b.len = len;

	if (len < 512)
		return sw_err_set(err, SW_E_FORMAT,
				  "%s: berkeley db file of %zu bytes is truncated", b.name, len);
	uint32_t magic = sw_rpm_le32(data + 12);
	if (magic == 0x00061561u)
		b.swapped = false;
	else if (magic == 0x61150600u)
		b.swapped = true;
	else
		return sw_err_set(err, SW_E_FORMAT, "%s: not a berkeley db hash database", b.name);
	uint32_t version = u32(&b, data + 16);
	if (version < 8 || version > 10)
		return sw_err_set(err, SW_E_UNSUPPORTED,
				  "%s: unsupported berkeley db hash version %u", b.name, version);
	if (data[24] != 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "%s: encrypted berkeley db", b.name);
	if (data[25] != P_HASHMETA)
		return sw_err_set(err, SW_E_FORMAT, "%s: page 0 has type %u, not hash meta", b.name,
				  data[25]);
	b.pagesize = u32(&b, data + 20);
	if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)))
		return sw_err_set(err, SW_E_FORMAT, "%s: bad page size %u", b.name, b.pagesize);
	if (len < b.pagesize)
		return sw_err_set(err, SW_E_FORMAT, "%s: truncated meta page (%zu of %u bytes)",
				  b.name, len, b.pagesize);
	size_t np = len / b.pagesize;
	b.npages = np > UINT32_MAX ? UINT32_MAX : (uint32_t)np;
	b.last_pgno = u32(&b, data + 32);
	b.max_bucket = u32(&b, data + 72);
	for (int i = 0; i < 32; i++)
		b.spares[i] = u32(&b, data + 96 + 4 * i);
	if (b.max_bucket >= b.npages)
		return sw_err_set(err, SW_E_FORMAT, "%s: %u hash buckets but only %u pages", b.name,
				  b.max_bucket + 1, b.npages);

	b.seen = sw_xcalloc(b.npages, 1);
	sw_rpm_collect_init(&c, path, out);
	b.c = &c;
	if (b.last_pgno >= b.npages)
		sw_rpm_warn(&c, "truncated: last page is %u but the file holds %u pages",
			    b.last_pgno, b.npages);
	for (uint32_t bk = 0; bk <= b.max_bucket; bk++)
		if ((r = bucket(&b, bk, err)) < 0)
			break;
	if (r == 0)
		sw_rpm_collect_finish(&c);
	sw_rpm_collect_release(&c);
	free(b.seen);
	return r;
}
