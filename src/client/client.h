/*
 * client.h - client mode (`stowaway scan --server URL IMAGE`): the image is
 * read here, its inventory goes to a `stowaway serve`, which matches it
 * against its database, stores it with the report, and answers the
 * findings (docs/api.md "Client mode").  The layers never leave the
 * client; the image config does (with the secret scanner on, its strings
 * masked first), so the server's re-matches can run the config checks.
 *
 * Two halves:
 * - the wire format both sides speak (the body of POST /api/v1/inventories,
 *   fuzzed: fuzz/fuzz_client_wire.c):
 *
 *     "SWCI" u32 format(1) str key("")
 *     u32 flags (1 kernel_headers, 2 lang_owned: the match options)
 *     str name (the image's repository:tag, or NULL)
 *     str config_json (or NULL)
 *     u32 length + zstd frame of the stored-inventory encoding
 *       (store.h sw_st_inventory_encode)
 *     u32 crc32
 *
 * - the call (libcurl, loaded on first use): sw_client_match() posts an
 *   inventory and decodes the answer's match result (match/codec.h) for
 *   scan/'s remote matcher hook (scan.h remote_match).
 *
 * Errors name the server and say what happened in one line: "cannot
 * connect", "the token is not valid (401)", "403: ...", "500: ...".
 * The token is sent as a Bearer header and never put in a message.
 */
#ifndef SW_CLIENT_CLIENT_H
#define SW_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory/inventory.h"
#include "match/match.h"
#include "util/buf.h"
#include "util/err.h"

#define SW_CLIENT_WIRE_FORMAT 1u
#define SW_CLIENT_CTYPE "application/vnd.stowaway.inventory"
/* An inventory larger than this (decompressed) is refused by decode. */
#define SW_CLIENT_INV_MAX ((size_t)256 << 20)

enum { SW_CLIENT_KERNEL_HEADERS = 1u << 0, SW_CLIENT_LANG_OWNED = 1u << 1 };

/* A decoded request (the server's side). */
struct sw_client_req {
	struct sw_inventory *inv;       /* owned */
	uint8_t *inv_blob;              /* the stored-inventory encoding, decompressed (owned) */
	size_t inv_blob_len;
	char *name;                     /* or NULL */
	char *config_json;              /* or NULL */
	struct sw_match_opts match;
};
void sw_client_req_release(struct sw_client_req *r);

/* The request body for inv (appended to out).  name and config_json may
 * be NULL. */
int sw_client_req_encode(const struct sw_inventory *inv, const char *name, const char *config_json,
			 const struct sw_match_opts *mo, struct sw_buf *out, struct sw_err *err);
/* 0 and *out filled, or SW_E_FORMAT ("inventory upload: WHY") with
 * nothing made.  The inventory is decoded in full (a bad one is refused
 * here); its config, when present, must be a JSON object. */
int sw_client_req_decode(const uint8_t *data, size_t len, struct sw_client_req *out, struct sw_err *err);

/* Where the server is. */
struct sw_client_opts {
	const char *url;                /* http(s)://HOST[:PORT][/PREFIX] */
	const char *token;              /* scope scan; may be NULL (the server answers 401) */
	const char *cacert;             /* PEM file of CAs to trust, or NULL: the system store */
	long timeout;                   /* seconds for the whole call; 0: 300 */
	struct sw_match_opts match;
};

/* What the server answered besides the match result. */
struct sw_client_info {
	int64_t db_built_at;            /* its vulnerability database's build time */
	int64_t job, report;            /* the job and the report it stored (0: none) */
};

/* POST inv (with name and config) to o->url/api/v1/inventories; *out is
 * the server's match result for inv (indexes into inv->packages).  0, or
 * SW_E_NET (unreachable, timeout), SW_E_AUTH (401/403), SW_E_FORMAT (an
 * answer that does not decode), SW_E_IO (another status) with err set. */
int sw_client_match(const struct sw_client_opts *o, const struct sw_inventory *inv, const char *name,
		    const char *config_json, struct sw_match_result **out, struct sw_client_info *info,
		    struct sw_err *err);

/* The shape of scan.h's remote_match hook; ctx is a struct sw_client_opts. */
int sw_client_remote_match(void *ctx, const struct sw_inventory *inv, const char *config_json,
			   struct sw_match_result **out, int64_t *db_built_at, struct sw_err *err);

#endif
