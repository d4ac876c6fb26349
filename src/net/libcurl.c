/*
 * libcurl.c - dlopen("libcurl.so.4") on first use; see libcurl.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "net/libcurl.h"
#include "util/dynlib.h"

static struct sw_libcurl table;
const struct sw_libcurl *const sw_curl = &table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct sw_err load_err = SW_ERR_INIT; /* code SW_OK once loaded */

/* Field, symbol.  The unevaluated assignment in check_types() makes the
 * compiler compare each field with libcurl's own prototype. */
#define SW_LIBCURL_FUNCS(X)                                \
	X(global_init, curl_global_init)                   \
	X(version_info, curl_version_info)                 \
	X(easy_init, curl_easy_init)                       \
	X(easy_setopt, curl_easy_setopt)                   \
	X(easy_perform, curl_easy_perform)                 \
	X(easy_getinfo, curl_easy_getinfo)                 \
	X(easy_reset, curl_easy_reset)                     \
	X(easy_cleanup, curl_easy_cleanup)                 \
	X(easy_strerror, curl_easy_strerror)               \
	X(easy_escape, curl_easy_escape)                   \
	X(free, curl_free)                                 \
	X(slist_append, curl_slist_append)                 \
	X(slist_free_all, curl_slist_free_all)             \
	X(multi_init, curl_multi_init)                     \
	X(multi_add_handle, curl_multi_add_handle)         \
	X(multi_remove_handle, curl_multi_remove_handle)   \
	X(multi_perform, curl_multi_perform)               \
	X(multi_poll, curl_multi_poll)                     \
	X(multi_info_read, curl_multi_info_read)           \
	X(multi_cleanup, curl_multi_cleanup)               \
	X(multi_strerror, curl_multi_strerror)

static const struct sw_dynsym syms[] = {
#define SW_X(field, sym) { #sym, offsetof(struct sw_libcurl, field) },
	SW_LIBCURL_FUNCS(SW_X)
#undef SW_X
};

static inline void check_types(void)
{
	struct sw_libcurl t;
#define SW_X(field, sym) (void)sizeof(t.field = (sym));
	SW_LIBCURL_FUNCS(SW_X)
#undef SW_X
	(void)t;
}

static void load(void)
{
	check_types();
	struct sw_libcurl t = { 0 };
	void *h = sw_dynlib_open("STOWAWAY_LIBCURL", SW_LIBCURL_SONAME, "libcurl4", syms,
				 sizeof(syms) / sizeof(syms[0]), &t, sizeof(t), &load_err);
	if (!h)
		return;
	const char *path = SW_LIBCURL_SONAME;
	const curl_version_info_data *v = t.version_info(CURLVERSION_NOW);
	if (!v || v->version_num < SW_LIBCURL_MIN_VERSION) {
		sw_err_set(&load_err, SW_E_UNSUPPORTED,
			   "cannot load %s: version %s is older than 7.85.0; install libcurl4 7.85 or later",
			   path, v && v->version ? v->version : "(unknown)");
		dlclose(h);
		return;
	}
	if (t.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sw_err_set(&load_err, SW_E_UNSUPPORTED, "cannot load %s: curl_global_init failed", path);
		dlclose(h);
		return;
	}
	table = t; /* h stays open until exit */
}

int sw_libcurl_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (load_err.code == SW_OK)
		return 0;
	if (err)
		*err = load_err;
	return -load_err.code;
}
