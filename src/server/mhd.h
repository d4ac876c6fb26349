/*
 * mhd.h - libmicrohttpd, loaded with dlopen() when `stowaway serve` starts.
 *
 * As libcurl (net/libcurl.h): every other command must not pay for mapping
 * libmicrohttpd and the GnuTLS stack it links, and the binary's NEEDED list
 * stays free of TLS libraries (tests/e2e/test_startup_deps.sh).  Callers
 * include <microhttpd.h> for types and constants only and call through
 * sw_mhd after sw_mhd_load() succeeded (pthread_once; a failure is kept).
 * STOWAWAY_LIBMICROHTTPD=PATH loads PATH instead (for the failure test).
 */
#ifndef SW_SERVER_MHD_H
#define SW_SERVER_MHD_H

#include <microhttpd.h>

#include "util/err.h"

#define SW_MHD_SONAME "libmicrohttpd.so.12"

struct sw_mhd {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
					   void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	MHD_socket (*quiesce_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							    enum MHD_ResponseMemoryMode mode);
	struct MHD_Response *(*create_response_from_callback)(uint64_t size, size_t block_size,
							      MHD_ContentReaderCallback crc, void *crc_cls,
							      MHD_ContentReaderFreeCallback crfc);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header, const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
	const char *(*lookup_connection_value)(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key);
	const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *c,
							       enum MHD_ConnectionInfoType type, ...);
	enum MHD_Result (*is_feature_supported)(enum MHD_FEATURE feature);
};

extern const struct sw_mhd *sw_mhd;

/* Load the library once.  0, or SW_E_UNSUPPORTED "cannot load
 * libmicrohttpd.so.12: WHY; install libmicrohttpd12". */
int sw_mhd_load(struct sw_err *err);

#endif
