/* hash.c - see hash.h */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "util/hash.h"

uint64_t sw_fnv_basis(void)
{
	static _Atomic uint64_t basis;
	uint64_t b = atomic_load(&basis);
	if (!b) {
		uint64_t r = 0;
		FILE *f = fopen("/dev/urandom", "rb");
		if (!f || fread(&r, sizeof(r), 1, f) != 1)
			r = (uint64_t)(uintptr_t)&basis ^ (uint64_t)getpid() << 32;
		if (f)
			fclose(f);
		b = (r ^ 0xcbf29ce484222325ULL) | 1;
		uint64_t none = 0;
		if (!atomic_compare_exchange_strong(&basis, &none, b))
			b = none; /* another thread set it first: one basis per process */
	}
	return b;
}
