/*
 * limits.c - deadlines for slow clients (docs/api.md "Limits").
 *
 * libmicrohttpd's --timeout is an *inactivity* timeout: a client that
 * sends one byte every few seconds keeps its connection (and a slot of
 * --max-connections, --max-connections-per-ip) for ever.  Here each
 * connection gets deadlines instead:
 *
 *   accepted, or a response fully sent   -> the next request's headers by
 *                                           now + --timeout + --header-timeout
 *                                           (accepted: now + --header-timeout)
 *   request line received (URI callback) -> its headers by now + --header-timeout
 *   headers complete (first handler call)-> its body by now + --body-timeout
 *   body complete (the route runs)       -> no deadline (the answer is ours to make)
 *   answer queued                        -> none until it is sent (inactivity applies)
 *
 * A watchdog thread shuts down (shutdown(2), never close: libmicrohttpd owns
 * the descriptor) every connection past its deadline; libmicrohttpd then sees
 * the socket end and frees it.  Connections are polled by the request
 * threads (one thread serves many), so a slow client never holds a thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server/limits.h"
#include "server/mhd.h"
#include "server/server_int.h"
#include "util/mem.h"

enum phase { PH_HEADERS, PH_BODY, PH_WORK, PH_SENDING };

struct lconn {
	MHD_socket fd;
	enum phase phase;
	int64_t deadline_ms;          /* 0: none */
	bool dropped;
};

struct srv_limits {
	struct srv *s;
	pthread_mutex_t mu;
	struct sw_vec conns;          /* struct lconn* */
	pthread_t thread;
	bool running;
	atomic_bool stop;
	atomic_ullong dropped;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t after(int seconds)
{
	return seconds > 0 ? now_ms() + (int64_t)seconds * 1000 : 0;
}

void srv_limits_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode toe)
{
	struct srv_limits *l = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct lconn *lc = sw_xcalloc(1, sizeof(*lc));
		const union MHD_ConnectionInfo *ci = sw_mhd->get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		lc->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		lc->phase = PH_HEADERS;
		lc->deadline_ms = after(l->s->o->header_timeout);
		*socket_context = lc;
		pthread_mutex_lock(&l->mu);
		sw_vec_push(&l->conns, lc);
		pthread_mutex_unlock(&l->mu);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct lconn *lc = *socket_context;
		if (!lc)
			return;
		pthread_mutex_lock(&l->mu);
		for (size_t i = 0; i < l->conns.len; i++)
			if (l->conns.items[i] == lc) {
				l->conns.items[i] = l->conns.items[--l->conns.len];
				break;
			}
		pthread_mutex_unlock(&l->mu);
		free(lc);
		*socket_context = NULL;
	}
}

static struct lconn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = sw_mhd->get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void set_phase(struct srv_limits *l, struct MHD_Connection *c, enum phase ph, int64_t deadline, bool keep_earlier)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	struct lconn *lc = conn_of(c);
	if (lc) {
		lc->phase = ph;
		if (!keep_earlier || !lc->deadline_ms || (deadline && deadline < lc->deadline_ms))
			lc->deadline_ms = deadline;
	}
	pthread_mutex_unlock(&l->mu);
}

void *srv_limits_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)uri;
	struct srv_limits *l = cls;
	set_phase(l, c, PH_HEADERS, after(l->s->o->header_timeout), true);
	return NULL;   /* the request context stays NULL: server.c's handler makes its own */
}

void srv_limits_headers_done(struct srv_limits *l, struct MHD_Connection *c)
{
	if (l)
		set_phase(l, c, PH_BODY, after(l->s->o->body_timeout), false);
}

void srv_limits_body_done(struct srv_limits *l, struct MHD_Connection *c)
{
	set_phase(l, c, PH_WORK, 0, false);
}

void srv_limits_answered(struct srv_limits *l, struct MHD_Connection *c)
{
	set_phase(l, c, PH_SENDING, 0, false);
}

void srv_limits_completed(struct srv_limits *l, struct MHD_Connection *c)
{
	if (!l)
		return;
	int t = l->s->o->header_timeout;
	set_phase(l, c, PH_HEADERS, t > 0 ? now_ms() + ((int64_t)l->s->o->timeout + t) * 1000 : 0, false);
}

static void *watchdog(void *arg)
{
	struct srv_limits *l = arg;
	while (!l->stop) {
		struct timespec t = { 0, 100 * 1000 * 1000 };
		nanosleep(&t, NULL);
		int64_t now = now_ms();
		pthread_mutex_lock(&l->mu);
		for (size_t i = 0; i < l->conns.len; i++) {
			struct lconn *lc = l->conns.items[i];
			if (lc->dropped || !lc->deadline_ms || now < lc->deadline_ms || lc->fd == MHD_INVALID_SOCKET)
				continue;
			lc->dropped = true;
			(void)shutdown(lc->fd, SHUT_RDWR);
			l->dropped++;
			srv_log(l->s, "http", "\"message\":\"dropped a slow client: %s not complete within %d s\"",
				lc->phase == PH_BODY ? "request body" : "request headers",
				lc->phase == PH_BODY ? l->s->o->body_timeout : l->s->o->header_timeout);
		}
		pthread_mutex_unlock(&l->mu);
	}
	return NULL;
}

struct srv_limits *srv_limits_new(struct srv *s)
{
	struct srv_limits *l = sw_xcalloc(1, sizeof(*l));
	l->s = s;
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

int srv_limits_start(struct srv_limits *l, struct sw_err *err)
{
	if (pthread_create(&l->thread, NULL, watchdog, l) != 0)
		return sw_err_set(err, SW_E_INTERNAL, "cannot start the connection watchdog thread");
	l->running = true;
	return 0;
}

void srv_limits_stop(struct srv_limits *l)
{
	if (!l || !l->running)
		return;
	l->stop = true;
	pthread_join(l->thread, NULL);
	l->running = false;
}

unsigned long long srv_limits_dropped(const struct srv_limits *l)
{
	return l ? atomic_load(&((struct srv_limits *)l)->dropped) : 0;
}

void srv_limits_free(struct srv_limits *l)
{
	if (!l)
		return;
	srv_limits_stop(l);
	for (size_t i = 0; i < l->conns.len; i++)
		free(l->conns.items[i]);
	sw_vec_release(&l->conns);
	pthread_mutex_destroy(&l->mu);
	free(l);
}
