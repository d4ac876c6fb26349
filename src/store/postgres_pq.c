/* postgres_pq.c - libpq through dlopen() (postgres_pq.h). */
#include "store/postgres_pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sw_pq table;
const struct sw_pq *sw_pq;
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
	const char *path = getenv("STOWAWAY_LIBPQ");
	if (!path || !*path)
		path = SW_PQ_SONAME;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(load_error, sizeof(load_error), "%s", e ? e : path);
		return;
	}
	SYM(connectdb, "PQconnectdb");
	SYM(status, "PQstatus");
	SYM(error_message, "PQerrorMessage");
	SYM(finish, "PQfinish");
	SYM(prepare, "PQprepare");
	SYM(exec_prepared, "PQexecPrepared");
	SYM(exec, "PQexec");
	SYM(result_status, "PQresultStatus");
	SYM(result_error_message, "PQresultErrorMessage");
	SYM(result_error_field, "PQresultErrorField");
	SYM(clear, "PQclear");
	SYM(ntuples, "PQntuples");
	SYM(getvalue, "PQgetvalue");
	SYM(getisnull, "PQgetisnull");
	SYM(getlength, "PQgetlength");
	SYM(fformat, "PQfformat");
	SYM(cmd_tuples, "PQcmdTuples");
	SYM(consume_input, "PQconsumeInput");
	SYM(transaction_status, "PQtransactionStatus");
	SYM(ssl_in_use, "PQsslInUse");
	SYM(set_notice_processor, "PQsetNoticeProcessor");
	sw_pq = &table;
}

int sw_pq_load(struct sw_err *err)
{
	pthread_once(&once, load);
	if (!sw_pq)
		return sw_err_set(err, SW_E_UNSUPPORTED, "cannot load %s: %s; install libpq5", SW_PQ_SONAME, load_error);
	return 0;
}
