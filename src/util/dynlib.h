/*
 * dynlib.h - load a shared library with dlopen() and fill a table of its
 * functions, the one way every optional library is loaded (libcurl,
 * libmicrohttpd, libpq, libxml2, libclamav: docs/architecture.md says why
 * they are loaded on first use instead of linked).
 *
 *   static const struct sw_dynsym syms[] = {
 *           { "curl_easy_init", offsetof(struct sw_libcurl, easy_init) }, ...
 *   };
 *   void *h = sw_dynlib_open("STOWAWAY_LIBCURL", "libcurl.so.4", "libcurl4",
 *                            syms, N, &table, &err);
 *
 * The library's own header stays the source of the prototypes: each
 * loader checks its table's fields against them at compile time.
 */
#ifndef SW_UTIL_DYNLIB_H
#define SW_UTIL_DYNLIB_H

#include <stddef.h>

#include "util/err.h"

/* A function pointer is stored from dlsym()'s void * (POSIX guarantees
 * the representations agree). */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and object pointers differ");

struct sw_dynsym {
	const char *name;  /* the symbol */
	size_t off;        /* where its address goes in the table */
};

/* dlopen() the file named by the environment variable env when it is set
 * and not empty (tests and packagers point it elsewhere), else soname; then
 * write the address of each of the n symbols into table + syms[i].off.
 * Returns the handle (kept open until exit by every caller), or NULL with
 * err = SW_E_UNSUPPORTED "cannot load SONAME: WHY; install PACKAGE" where
 * WHY is dlerror()'s text or "FILE has no SYMBOL".  Nothing of table is
 * written on failure. */
void *sw_dynlib_open(const char *env, const char *soname, const char *package, const struct sw_dynsym *syms,
		     size_t n, void *table, size_t table_size, struct sw_err *err);

#endif
