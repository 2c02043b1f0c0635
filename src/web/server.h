/*
 * The libmicrohttpd adapter: the only module that knows the library's calling convention. It
 * runs a thread pool with epoll, builds a struct req per request in its own arena (two-phase
 * callback: the response is queued on a later call, never the first, so keep-alive and
 * 100-continue work), enforces the limits of web/http.h, hands the request to the router, queues
 * the response with the security headers, and writes one access-log line per request.
 */
#ifndef REFETTORIO_WEB_SERVER_H
#define REFETTORIO_WEB_SERVER_H

#include "util/config.h"

struct server;

/* Start listening; NULL (logged) on failure. */
struct server *server_start(const struct config *cfg);
/* Stop accepting, finish requests in flight, join the threads. */
void server_stop(struct server *s);

#endif
