/* mhd.c - libmicrohttpd through dlopen() (mhd.h). */
#include "server/mhd.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynlib.h"

static struct sw_mhd table;
const struct sw_mhd *sw_mhd;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct sw_dynsym syms[] = {
	{ "MHD_start_daemon", offsetof(struct sw_mhd, start_daemon) },
	{ "MHD_stop_daemon", offsetof(struct sw_mhd, stop_daemon) },
	{ "MHD_quiesce_daemon", offsetof(struct sw_mhd, quiesce_daemon) },
	{ "MHD_create_response_from_buffer", offsetof(struct sw_mhd, create_response_from_buffer) },
	{ "MHD_create_response_from_callback", offsetof(struct sw_mhd, create_response_from_callback) },
	{ "MHD_add_response_header", offsetof(struct sw_mhd, add_response_header) },
	{ "MHD_queue_response", offsetof(struct sw_mhd, queue_response) },
	{ "MHD_destroy_response", offsetof(struct sw_mhd, destroy_response) },
	{ "MHD_lookup_connection_value", offsetof(struct sw_mhd, lookup_connection_value) },
	{ "MHD_get_connection_info", offsetof(struct sw_mhd, get_connection_info) },
	{ "MHD_is_feature_supported", offsetof(struct sw_mhd, is_feature_supported) },
};

static struct sw_err load_err = SW_ERR_INIT; /* code SW_OK once loaded */

static void load(void)
{
	if (sw_dynlib_open("STOWAWAY_LIBMICROHTTPD", SW_MHD_SONAME, "libmicrohttpd12", syms,
			   sizeof(syms) / sizeof(syms[0]), &table, sizeof(table), &load_err))
		sw_mhd = &table;
}

int sw_mhd_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (!sw_mhd) {
		if (err)
			*err = load_err;
		return -load_err.code;
	}
	return 0;
}
