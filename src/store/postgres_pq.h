/*
 * postgres_pq.h - libpq, loaded with dlopen() the first time a postgres://
 * store is opened (src/store/postgres.c only).
 *
 * As libmicrohttpd (server/mhd.h) and libcurl (net/libcurl.h): libpq links
 * OpenSSL, GSSAPI and LDAP; every command that does not open a PostgreSQL
 * store (all but `serve` and `serve token create` with a postgres:// URL)
 * must not pay for mapping them, and the binary's NEEDED list stays free of
 * TLS libraries (tests/e2e/test_startup_deps.sh).  <libpq-fe.h> is used for
 * types and constants only; calls go through sw_pq after sw_pq_load()
 * succeeded (pthread_once; a failure is kept).  STOWAWAY_LIBPQ=PATH loads
 * PATH instead (for the failure test).
 */
#ifndef SW_STORE_POSTGRES_PQ_H
#define SW_STORE_POSTGRES_PQ_H

#include <libpq-fe.h>

#include "util/err.h"

#define SW_PQ_SONAME "libpq.so.5"

struct sw_pq {
	PGconn *(*connectdb)(const char *conninfo);
	ConnStatusType (*status)(const PGconn *c);
	char *(*error_message)(const PGconn *c);
	void (*finish)(PGconn *c);
	PGresult *(*prepare)(PGconn *c, const char *name, const char *query, int nparams, const Oid *types);
	PGresult *(*exec_prepared)(PGconn *c, const char *name, int nparams, const char *const *values,
				   const int *lengths, const int *formats, int result_format);
	PGresult *(*exec)(PGconn *c, const char *query);
	ExecStatusType (*result_status)(const PGresult *r);
	char *(*result_error_message)(const PGresult *r);
	char *(*result_error_field)(const PGresult *r, int field);
	void (*clear)(PGresult *r);
	int (*ntuples)(const PGresult *r);
	char *(*getvalue)(const PGresult *r, int row, int col);
	int (*getisnull)(const PGresult *r, int row, int col);
	int (*getlength)(const PGresult *r, int row, int col);
	int (*fformat)(const PGresult *r, int col);
	char *(*cmd_tuples)(PGresult *r);
	int (*consume_input)(PGconn *c);
	PGTransactionStatusType (*transaction_status)(const PGconn *c);
	int (*ssl_in_use)(PGconn *c);
	PQnoticeProcessor (*set_notice_processor)(PGconn *c, PQnoticeProcessor proc, void *arg);
};

extern const struct sw_pq *sw_pq;

/* Load the library once.  0, or SW_E_UNSUPPORTED "cannot load libpq.so.5:
 * WHY; install libpq5". */
int sw_pq_load(struct sw_err *err);

#endif
