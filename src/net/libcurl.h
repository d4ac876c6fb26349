/*
 * libcurl.h - libcurl, loaded with dlopen() the first time it is needed.
 *
 * Linking libcurl costs every start of the program about 15 ms (it brings
 * in some 25 libraries: TLS, Kerberos, LDAP, SSH, IDN, HTTP/2 ...), while
 * only registry pulls and online database updates use it.  So the binary
 * does not link it: sw_libcurl_load() opens "libcurl.so.4" once per process,
 * resolves the functions below into one table, checks the version and calls
 * curl_global_init().  Callers include <curl/curl.h> for the types and
 * constants only and call through the table:
 *
 *     int rc = sw_libcurl_load(err);
 *     if (rc < 0)
 *             return rc;
 *     CURL *h = sw_curl->easy_init();
 *
 * Ownership: the table is static and lives until exit (the library is never
 * closed).  sw_curl may be used only after sw_libcurl_load() succeeded in
 * this thread, or in a thread that started (or synchronised with one)
 * after that; using it before is a programming error (a NULL call).
 *
 * Threads: sw_libcurl_load() is safe to call from any thread, any number of
 * times (pthread_once); a failure is remembered and returned again.
 *
 * STOWAWAY_LIBCURL=PATH loads PATH instead of "libcurl.so.4".  It exists so
 * that tests can force the failure path; it is not a configuration knob.
 */
#ifndef SW_NET_LIBCURL_H
#define SW_NET_LIBCURL_H

#include <curl/curl.h>

#include "util/err.h"

/* The oldest libcurl accepted at run time: CURLOPT_PROTOCOLS_STR. */
#define SW_LIBCURL_MIN_VERSION 0x075500 /* 7.85.0 */
#define SW_LIBCURL_SONAME "libcurl.so.4"

/* The libcurl functions stowaway calls, by their names minus "curl_". */
struct sw_libcurl {
	CURLcode (*global_init)(long flags);
	curl_version_info_data *(*version_info)(CURLversion age);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *h, const char *s, int len);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n, int timeout_ms,
				int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	const char *(*multi_strerror)(CURLMcode code);
};

/* The table; valid once sw_libcurl_load() has succeeded (see above). */
extern const struct sw_libcurl *const sw_curl;

/* Load libcurl (once per process) and fill sw_curl.  Returns 0, or
 * -SW_E_UNSUPPORTED with err set to "cannot load libcurl.so.4: WHY; install
 * libcurl4" when the library, a function or a recent enough version is
 * missing (the same error on every later call). */
int sw_libcurl_load(struct sw_err *err);

#endif
