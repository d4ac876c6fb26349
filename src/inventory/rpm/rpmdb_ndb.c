/*
 * rpmdb_ndb.c - rpm's NDB backend (SUSE): Packages.db.
 *
 * All integers little-endian.  A 32-byte header ("RpmP", version 0,
 * generation, slotnpages, nextpkgidx), then slot pages: slotnpages pages of
 * 4096 bytes holding 16-byte slots ("Slot", pkgidx, blkoff, blkcnt); the
 * header takes the place of the first two slots.  A slot with blkoff 0 is
 * free.  Blob data is addressed in 16-byte blocks after the slot pages: at
 * blkoff*16 a blob head ("BlbS", pkgidx, generation, bloblen), the header
 * blob, zero padding, and a 12-byte tail (adler32 of head+blob+padding,
 * bloblen, "BlbE") ending the blkcnt blocks.
 *
 * Every slot is checked against the file before its blob is read, and the
 * blob against its slot, its head and its tail (including the checksum).
 */
#include <string.h>
#include <zlib.h>

#include "inventory/rpm/rpm_internal.h"
#include "inventory/rpm/rpmdb.h"

enum {
	NDB_HDR = 32,
	NDB_SLOT = 16,
	NDB_BLK = 16,
	NDB_PAGE = 4096,
	NDB_BLOBHEAD = 16,
	NDB_BLOBTAIL = 12,
};

#define MAGIC(a, b, c, d)                                                                          \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static int blob(const uint8_t *data, size_t len, uint32_t slotno, uint32_t pkgidx, uint32_t blkoff,
		uint32_t blkcnt, struct sw_rpm_collect *c, struct sw_err *err)
{
	uint64_t start = (uint64_t)blkoff * NDB_BLK, size = (uint64_t)blkcnt * NDB_BLK;
	if (start > len || size > len - start || size < NDB_BLOBHEAD + NDB_BLOBTAIL) {
		sw_rpm_warn(c, "slot %u (package %u): blob at block %u+%u outside the file", slotno,
			    pkgidx, blkoff, blkcnt);
		return 0;
	}
	const uint8_t *h = data + start, *t = h + size - NDB_BLOBTAIL;
	uint32_t bloblen = sw_rpm_le32(h + 12);
	if (sw_rpm_le32(h) != MAGIC('B', 'l', 'b', 'S') || sw_rpm_le32(h + 4) != pkgidx) {
		sw_rpm_warn(c, "slot %u (package %u): no blob head at block %u", slotno, pkgidx,
			    blkoff);
		return 0;
	}
	if (((uint64_t)NDB_BLOBHEAD + bloblen + NDB_BLOBTAIL + NDB_BLK - 1) / NDB_BLK != blkcnt) {
		sw_rpm_warn(c, "slot %u (package %u): blob length %u does not fit %u blocks",
			    slotno, pkgidx, bloblen, blkcnt);
		return 0;
	}
	if (sw_rpm_le32(t + 8) != MAGIC('B', 'l', 'b', 'E') || sw_rpm_le32(t + 4) != bloblen) {
		sw_rpm_warn(c, "slot %u (package %u): bad blob tail", slotno, pkgidx);
		return 0;
	}
	uLong adl = adler32(0L, Z_NULL, 0);
	size_t todo = (size_t)(size - NDB_BLOBTAIL);
	for (const uint8_t *p = h; todo;) {
		uInt n = todo > (1u << 30) ? (1u << 30) : (uInt)todo;
		adl = adler32(adl, p, n);
		p += n;
		todo -= n;
	}
	if ((uint32_t)adl != sw_rpm_le32(t)) {
		sw_rpm_warn(c, "slot %u (package %u): blob checksum mismatch", slotno, pkgidx);
		return 0;
	}
	return sw_rpm_collect_blob(c, pkgidx, h + NDB_BLOBHEAD, bloblen, err);
}

int sw_rpmdb_parse_ndb(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		       struct sw_err *err)
{
	const char *name = path ? path : "rpmdb";
	struct sw_rpm_collect c;
	int r = 0;

	if (len < NDB_HDR)
		return sw_err_set(err, SW_E_FORMAT, "%s: ndb file of %zu bytes is truncated", name,
				  len);
	if (sw_rpm_le32(data) != MAGIC('R', 'p', 'm', 'P'))
		return sw_err_set(err, SW_E_FORMAT, "%s: not an ndb package database", name);
	uint32_t version = sw_rpm_le32(data + 4);
	if (version != 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "%s: unsupported ndb version %u", name,
				  version);
	uint32_t slotnpages = sw_rpm_le32(data + 12);
	if (slotnpages == 0 || (uint64_t)slotnpages * NDB_PAGE > len)
		return sw_err_set(err, SW_E_FORMAT,
				  "%s: %u slot pages do not fit in the file (%zu bytes)", name,
				  slotnpages, len);
	uint32_t minblk = slotnpages * (NDB_PAGE / NDB_BLK);
	uint32_t nslots = slotnpages * (NDB_PAGE / NDB_SLOT);

	sw_rpm_collect_init(&c, path, out);
	for (uint32_t s = NDB_HDR / NDB_SLOT; s < nslots; s++) {
		const uint8_t *sl = data + (size_t)s * NDB_SLOT;
		if (sw_rpm_le32(sl) != MAGIC('S', 'l', 'o', 't')) {
			sw_rpm_warn(&c, "slot %u: bad slot magic, slots after it ignored", s);
			break;
		}
		uint32_t pkgidx = sw_rpm_le32(sl + 4), blkoff = sw_rpm_le32(sl + 8),
			 blkcnt = sw_rpm_le32(sl + 12);
		if (blkoff == 0)
			continue; /* free slot */
		if (pkgidx == 0 || blkoff < minblk) {
			sw_rpm_warn(&c, "slot %u (package %u): bad slot (block %u+%u)", s, pkgidx,
				    blkoff, blkcnt);
			continue;
		}
		if ((r = blob(data, len, s, pkgidx, blkoff, blkcnt, &c, err)) < 0)
			break;
	}
	if (r == 0)
		sw_rpm_collect_finish(&c);
	sw_rpm_collect_release(&c);
	return r;
}
