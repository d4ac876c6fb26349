/* postgres_pq.c - libpq through dlopen() (postgres_pq.h). */
#include "store/postgres_pq.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dynlib.h"

static struct sw_pq table;
const struct sw_pq *sw_pq;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct sw_dynsym syms[] = {
	{ "PQconnectdb", offsetof(struct sw_pq, connectdb) },
	{ "PQstatus", offsetof(struct sw_pq, status) },
	{ "PQerrorMessage", offsetof(struct sw_pq, error_message) },
	{ "PQfinish", offsetof(struct sw_pq, finish) },
	{ "PQprepare", offsetof(struct sw_pq, prepare) },
	{ "PQexecPrepared", offsetof(struct sw_pq, exec_prepared) },
	{ "PQexec", offsetof(struct sw_pq, exec) },
	{ "PQresultStatus", offsetof(struct sw_pq, result_status) },
	{ "PQresultErrorMessage", offsetof(struct sw_pq, result_error_message) },
	{ "PQresultErrorField", offsetof(struct sw_pq, result_error_field) },
	{ "PQclear", offsetof(struct sw_pq, clear) },
	{ "PQntuples", offsetof(struct sw_pq, ntuples) },
	{ "PQgetvalue", offsetof(struct sw_pq, getvalue) },
	{ "PQgetisnull", offsetof(struct sw_pq, getisnull) },
	{ "PQgetlength", offsetof(struct sw_pq, getlength) },
	{ "PQfformat", offsetof(struct sw_pq, fformat) },
	{ "PQcmdTuples", offsetof(struct sw_pq, cmd_tuples) },
	{ "PQconsumeInput", offsetof(struct sw_pq, consume_input) },
	{ "PQtransactionStatus", offsetof(struct sw_pq, transaction_status) },
	{ "PQsslInUse", offsetof(struct sw_pq, ssl_in_use) },
	{ "PQsetNoticeProcessor", offsetof(struct sw_pq, set_notice_processor) },
};

static struct sw_err load_err = SW_ERR_INIT; /* code SW_OK once loaded */

static void load(void)
{
	if (sw_dynlib_open("STOWAWAY_LIBPQ", SW_PQ_SONAME, "libpq5", syms, sizeof(syms) / sizeof(syms[0]), &table, sizeof(table),
			   &load_err))
		sw_pq = &table;
}

int sw_pq_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (!sw_pq) {
		if (err)
			*err = load_err;
		return -load_err.code;
	}
	return 0;
}
