/* limits.h - limits.c's libmicrohttpd callbacks (server.c passes them to
 * MHD_start_daemon: MHD_OPTION_NOTIFY_CONNECTION, MHD_OPTION_URI_LOG_CALLBACK,
 * with the struct srv_limits as their closure). */
#ifndef SW_SERVER_LIMITS_H
#define SW_SERVER_LIMITS_H

#include "server/mhd.h"

void srv_limits_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode toe);
void *srv_limits_uri(void *cls, const char *uri, struct MHD_Connection *c);

#endif
