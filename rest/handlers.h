/*
 * handlers.h — one REST request in, one response out, without sockets: routing, body checks,
 * herder calls and Connect's JSON/error shapes. The MHD glue (server.c) only moves bytes.
 * Handlers never change connector state except through herder.h.
 */
#ifndef SL_REST_HANDLERS_H
#define SL_REST_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "herder/herder.h"

/* Version reported at GET / : a Kafka-style version so kcctl's feature gates work (the 3.9
 * surface, tasks-config included). */
#define SL_REST_KAFKA_VERSION "3.9.0"

/* Request bodies larger than this are refused with 413 (never buffered). */
#define SL_REST_MAX_BODY (4u * 1024u * 1024u)

typedef struct sl_rest_env {
    sl_herder *herder;    /* borrowed */
    const char *base_url; /* advertised URL without trailing slash, for Location */
    bool admin_disabled;  /* admin.listeners set to "": the admin paths answer 404 */
} sl_rest_env;

typedef struct sl_rest_req {
    const char *method;        /* as received */
    const char *uri;           /* raw request target: path[?query], still percent-encoded */
    const char *content_type;  /* NULL when absent */
    const char *host;          /* Host header, NULL when absent */
    const char *accept;        /* Accept header, NULL when absent */
    const char *authorization; /* Authorization header (copied when forwarding), or NULL */
    const char *signature;     /* X-Connect-Authorization (KIP-507), or NULL */
    const char *sig_algorithm; /* X-Connect-Request-Signature-Algorithm, or NULL */
    const char *body;          /* not NUL-terminated; may be NULL when body_len is 0 */
    size_t body_len;
    bool body_too_large;
} sl_rest_req;

typedef struct sl_rest_resp {
    int status;
    char *body;     /* malloc'ed JSON text, NULL for no body */
    char *location; /* malloc'ed absolute URL for 201, else NULL */
    char allow[64]; /* Allow header for 405/OPTIONS, "" otherwise */
    int route;      /* matched enum sl_rest_route_id (SL_ROUTE_NONE when none) */
} sl_rest_resp;

void sl_rest_handle(const sl_rest_env *env, const sl_rest_req *req, sl_rest_resp *resp);
void sl_rest_resp_clear(sl_rest_resp *resp);

#endif
