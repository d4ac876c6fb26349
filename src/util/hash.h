/*
 * hash.h - FNV-1a over paths with a per-process random basis, for the
 * in-memory sets that look up every prefix of a path in one pass
 * (inventory/build.c's replaced directories, image/layer_stream.c's
 * symlinked parents).  The basis is random per process so that an image
 * cannot aim hash collisions at a prefix; never persist these values.
 */
#ifndef SW_UTIL_HASH_H
#define SW_UTIL_HASH_H

#include <stdint.h>

#define SW_FNV_PRIME 0x100000001b3ULL

/* The process's FNV basis (random, odd, the same for every thread). */
uint64_t sw_fnv_basis(void);

/* One byte more of a running hash. */
static inline uint64_t sw_fnv_add(uint64_t h, unsigned char c)
{
	return (h ^ c) * SW_FNV_PRIME;
}

#endif
