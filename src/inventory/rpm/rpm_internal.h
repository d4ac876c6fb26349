/*
 * rpm_internal.h - shared by the rpm database readers (not public).
 *
 * Each format reader finds the header blobs of its file and hands them to
 * a collector with their record key (SQLite hnum, BerkeleyDB key, NDB
 * package index).  The collector decodes them, turns a bad blob into a
 * warning, skips gpg-pubkey pseudo packages, and at the end appends the
 * packages to the caller's list in key order.
 */
#ifndef SW_INVENTORY_RPM_INTERNAL_H
#define SW_INVENTORY_RPM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/package.h"
#include "util/err.h"

struct sw_rpm_rec {
	uint64_t key;
	struct sw_package *pkg;
};

struct sw_rpm_collect {
	const char *path; /* for messages, never NULL */
	struct sw_pkglist *out;
	struct sw_rpm_rec *recs;
	size_t nrecs, cap;
	size_t nblobs; /* blobs seen, for the record limit */
	size_t nwarn;  /* warnings, kept up to SW_RPM_MAX_WARNINGS */
};

/* Warnings kept per database; the rest are counted in one last line. */
#define SW_RPM_MAX_WARNINGS 50

void sw_rpm_collect_init(struct sw_rpm_collect *c, const char *path, struct sw_pkglist *out);
/* Decode one blob.  A bad blob is a warning; returns < 0 (err set) only
 * when the database holds more than SW_RPMDB_MAX_PACKAGES records. */
int sw_rpm_collect_blob(struct sw_rpm_collect *c, uint64_t key, const uint8_t *blob, size_t len,
			struct sw_err *err);
/* Add "PATH: <fmt>" to the output's warnings (capped). */
void sw_rpm_warn(struct sw_rpm_collect *c, const char *fmt, ...) SW_PRINTF(2, 3);
/* Sort by key and move the packages to the output list. */
void sw_rpm_collect_finish(struct sw_rpm_collect *c);
/* Drop what was collected (on failure). */
void sw_rpm_collect_release(struct sw_rpm_collect *c);

static inline uint32_t sw_rpm_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t sw_rpm_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint16_t sw_rpm_le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint16_t sw_rpm_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif
