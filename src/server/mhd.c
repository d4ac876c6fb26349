/* mhd.c - libmicrohttpd through dlopen() (mhd.h). */
#include "server/mhd.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sw_mhd table;
const struct sw_mhd *sw_mhd;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

#define SYM(field, name)                                                                        \
	do {                                                                                    \
		void *p_ = dlsym(h, name);                                                      \
		if (!p_) {                                                                      \
			snprintf(load_error, sizeof(load_error), "%s has no %s", path, name);   \
			return;                                                                 \
		}                                                                               \
		memcpy(&table.field, &p_, sizeof(p_));                                          \
	} while (0)

static void load(void)
{
	const char *path = getenv("STOWAWAY_LIBMICROHTTPD");
	if (!path || !*path)
		path = SW_MHD_SONAME;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(load_error, sizeof(load_error), "%s", e ? e : path);
		return;
	}
	SYM(start_daemon, "MHD_start_daemon");
	SYM(stop_daemon, "MHD_stop_daemon");
	SYM(quiesce_daemon, "MHD_quiesce_daemon");
	SYM(create_response_from_buffer, "MHD_create_response_from_buffer");
	SYM(create_response_from_callback, "MHD_create_response_from_callback");
	SYM(add_response_header, "MHD_add_response_header");
	SYM(queue_response, "MHD_queue_response");
	SYM(destroy_response, "MHD_destroy_response");
	SYM(lookup_connection_value, "MHD_lookup_connection_value");
	SYM(get_connection_info, "MHD_get_connection_info");
	SYM(is_feature_supported, "MHD_is_feature_supported");
	sw_mhd = &table;
}

int sw_mhd_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (!sw_mhd)
		return sw_err_set(err, SW_E_UNSUPPORTED, "cannot load %s: %s; install libmicrohttpd12", SW_MHD_SONAME,
				  load_error);
	return 0;
}
