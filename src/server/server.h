/*
 * server.h - `stowaway serve`: the scanning service (docs/server.md,
 * docs/api.md).
 *
 *   struct sw_server_opts o = SW_SERVER_OPTS_INIT;
 *   o.listen = "127.0.0.1:8080"; o.store = "store.sqlite"; o.stop = &flag;
 *   int r = sw_server_run(&o, &err);   returns when *o.stop becomes set
 *
 * The server answers HTTP with libmicrohttpd (a pool of request threads),
 * keeps everything in the store (store/store.h), runs scans on a bounded
 * pool of worker threads through the library entry points (scan/scan.h
 * sw_scan_run, sw_scan_inventory) and writes reports with report/.  It
 * holds no scan logic of its own.
 *
 * Logs: one JSON object per line on o->log, one per request and one per
 * job (and one at start, at each re-match and at shutdown).  Nothing else
 * is printed.
 *
 * Shutdown: when *o->stop is set the server stops accepting connections,
 * lets the running scans finish for up to o->grace seconds, and puts the
 * jobs still running after that back to pending.  sw_server_run returns 0
 * (clean), 1 (jobs were put back while their workers still run: the caller
 * must end the process with _exit() without freeing anything), or < 0
 * with err set (the store, the address, the TLS files...).
 */
#ifndef SW_SERVER_SERVER_H
#define SW_SERVER_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

struct sw_server_opts {
	const char *listen;         /* "ADDR:PORT" (IPv4, or [IPv6]:PORT) */
	const char *store;          /* store.h sw_st_open() */
	const char *db_path;        /* vulnerability database; NULL = the default */
	unsigned workers;           /* scans at once */
	unsigned threads;           /* request threads */
	unsigned max_connections;
	const char *tls_cert;       /* PEM files; both or neither */
	const char *tls_key;
	const char *harbor_prefix;  /* Harbor adapter routes under PREFIX/api/v1 ("" = /api/v1) */
	size_t max_body;            /* request body cap, bytes */
	int lease;                  /* job lease, seconds */
	int db_poll;                /* seconds between checks of the database file; 0 = never */
	int grace;                  /* shutdown: seconds running scans may take */
	int timeout;                /* idle connection timeout, seconds */
	FILE *log;                  /* JSON lines (stderr) */
	/* slow clients (server/limits.c): connections per client address; a
	 * request's line and headers must arrive within header_timeout seconds,
	 * its body within body_timeout after them (0: no limit) */
	unsigned max_per_ip;
	int header_timeout;
	int body_timeout;
	/* hooks: notifications and scheduled database updates (0 = the default) */
	const char *public_url;     /* base of report links in notifications; NULL: http(s)://LISTEN */
	int webhook_backoff;        /* first retry of a delivery after this many seconds (10), doubling ... */
	int webhook_backoff_max;    /* ... up to this (3600) */
	int webhook_give_up;        /* a delivery not done this long after it was queued fails (86400) */
	long update_interval;       /* seconds between database updates; 0 = never */
	const char *const *update_sources;  /* "NAME=LOC" as `db update --source` takes, or NULL */
	size_t nupdate_sources;
	const char *update_offline; /* `db update --offline-data DIR`, or NULL */
	size_t max_upload;          /* POST /api/v1/scans/upload: archive cap, bytes */
	size_t max_sbom;            /* SBOM bodies: cap, bytes */
	const volatile sig_atomic_t *stop;
	long long retention;        /* seconds records are kept (retention.c); 0 = for ever */
	int rematch_chunk;          /* images per re-match chunk (cluster.c); 0 = 100 */
};
#define SW_SERVER_OPTS_INIT                                                                        \
	{ .listen = "127.0.0.1:8080", .workers = 2, .threads = 4, .max_connections = 256,           \
	  .harbor_prefix = "", .max_body = 1 << 20, .lease = 60, .db_poll = 10, .grace = 30,         \
	  .timeout = 30, .max_per_ip = 128, .header_timeout = 10, .body_timeout = 60,               \
	  .max_upload = (size_t)8 << 30, .max_sbom = (size_t)64 << 20 }

int sw_server_run(const struct sw_server_opts *o, struct sw_err *err);

#endif
