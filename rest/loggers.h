/*
 * loggers.h — the /admin/loggers endpoints over worker/util/log.h (Java's LoggingResource).
 * Each call returns the HTTP status; on errors msg holds Java's message. Never touches the herder.
 */
#ifndef SL_REST_LOGGERS_H
#define SL_REST_LOGGERS_H

#include <jansson.h>
#include <stddef.h>

/* GET /admin/loggers: 200 {"<name>":{"level":..,"last_modified":ms|null},...} sorted by name. */
int sl_rest_loggers_list(json_t **out);
/* GET /admin/loggers/{name}: 200 {"level":..,"last_modified":..} or 404. */
int sl_rest_logger_get(const char *name, json_t **out, char *msg, size_t msglen);
/* PUT /admin/loggers/{name}: body is the parsed request body (may be NULL); scope "cluster"
 * (any case) answers 204, anything else 200 with the sorted list of changed logger names. */
int sl_rest_logger_put(const char *name, const json_t *body, const char *scope, json_t **out,
                       char *msg, size_t msglen);

#endif
