/*
 * rest.h — the Connect REST API server (libmicrohttpd). It parses requests, calls the herder's
 * request API (worker/herder/herder.h) and writes Connect's JSON and error shapes. It never
 * touches connector state directly.
 */
#ifndef SL_REST_H
#define SL_REST_H

#include <stddef.h>

#include "config/props.h"
#include "herder/herder.h"

typedef struct sl_rest sl_rest;

/*
 * Start listening on the worker's `listeners` (default http://:8083; "http://127.0.0.1:0" picks a
 * free port), honouring rest.advertised.*, access.control.allow.origin/methods. NULL with err.
 */
sl_rest *sl_rest_start(sl_herder *h, const sl_props *worker, char *err, size_t errlen);
/* The bound port (useful with port 0) and the advertised URL, e.g. "http://host:8083/". */
int sl_rest_port(const sl_rest *r);
const char *sl_rest_advertised_url(const sl_rest *r);
void sl_rest_stop(sl_rest *r); /* accepts NULL */

#endif
