/*
 * herder.h — the request API of the herder, the single owner of connector and task lifecycle state.
 * REST handlers call these and turn the result into HTTP; nothing else changes connector state.
 *
 * Convention: every call returns the HTTP status the REST layer should send (200, 201, 202, 204,
 * or 4xx/5xx; in distributed mode also SL_HERDER_FORWARD). On an error status, err->message holds
 * Java Connect's message text and the REST layer answers
 * {"error_code":status,"message":err->message}. *out (when given) receives a new
 * jansson reference with the exact Connect JSON shape and field order; the caller decrefs it.
 * All functions are thread-safe (libmicrohttpd calls them from its thread pool).
 */
#ifndef SL_HERDER_H
#define SL_HERDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/props.h"

typedef struct sl_herder sl_herder;

typedef struct sl_herr {
    char message[2048];
    /* SL_HERDER_FORWARD only: base URL of the worker that must serve the request (the leader, or
     * a task's owner), without trailing slash; "" when no leader is known (the REST layer answers
     * 409 "no known leader URL"). */
    char forward_url[640];
} sl_herr;

/* Distributed mode: the request belongs to another worker (see sl_herr.forward_url). Never an
 * HTTP status: the REST layer forwards the original request and returns the answer verbatim. */
#define SL_HERDER_FORWARD 1

/* The KIP-507 signature of an internal request: header values (NULL when absent) and the exact
 * body bytes they sign. */
typedef struct sl_herder_sig {
    const char *signature; /* X-Connect-Authorization */
    const char *algorithm; /* X-Connect-Request-Signature-Algorithm */
    const void *body;
    size_t len;
} sl_herder_sig;

/* ---- lifecycle (main.c) ---- */
/* worker: the worker properties (kept by reference until destroy). Standalone mode. */
sl_herder *sl_herder_new(const sl_props *worker, char *err, size_t errlen);
/* Distributed mode (worker/dist/distributed.c): configs in the config topic, statuses in the
 * status topic, work from the `connect` group. main.c checks the required keys first. */
sl_herder *sl_herder_new_distributed(const sl_props *worker, char *err, size_t errlen);
bool sl_herder_is_distributed(const sl_herder *h);
/* The advertised REST URL with trailing slash (distributed: goes into the group metadata).
 * Called by the REST server before sl_herder_start. */
void sl_herder_set_rest_url(sl_herder *h, const char *url);
/* Standalone: load persisted state and start every connector it had. Distributed: create/check
 * the internal topics, read them to the end, join the group (returns without waiting for the
 * first assignment). */
int sl_herder_start(sl_herder *h, char *err, size_t errlen);
/* Stop every task gracefully (flush, commit); standalone persists state, distributed leaves the
 * group. */
void sl_herder_stop(sl_herder *h);
void sl_herder_destroy(sl_herder *h);

/* ---- worker facts (GET /) ---- */
const char *sl_herder_kafka_cluster_id(sl_herder *h); /* may be NULL if unknown */
const char *sl_herder_worker_id(sl_herder *h);        /* host:port of the REST listener */
void sl_herder_set_worker_id(sl_herder *h, const char *id);
/* 200 {"status":"healthy","message":"Worker has completed startup and is ready to handle
 * requests."} or 503 while starting. */
int sl_herder_health(sl_herder *h, json_t **out, sl_herr *err);

/* ---- connectors ---- */
/* ["a","b"] or, with expand, {"a":{"status":{..},"info":{..}}}. */
int sl_herder_list(sl_herder *h, bool expand_status, bool expand_info, json_t **out, sl_herr *err);
/* 201 with ConnectorInfo {name,config,tasks,type}; 409 exists; 400 invalid. initial_state may be
 * NULL, "RUNNING", "PAUSED" or "STOPPED". */
int sl_herder_create(sl_herder *h, const char *name, const sl_props *config,
                     const char *initial_state, json_t **out, sl_herr *err);
int sl_herder_info(sl_herder *h, const char *name, json_t **out, sl_herr *err);
int sl_herder_config(sl_herder *h, const char *name, json_t **out, sl_herr *err);
/* PUT: 201 when created, 200 when updated; out = ConnectorInfo. */
int sl_herder_put_config(sl_herder *h, const char *name, const sl_props *config, json_t **out,
                         sl_herr *err);
/* PATCH: JSON object whose null values remove keys. 200 with ConnectorInfo. */
int sl_herder_patch_config(sl_herder *h, const char *name, const json_t *patch, json_t **out,
                           sl_herr *err);
int sl_herder_delete(sl_herder *h, const char *name, sl_herr *err); /* 204 */
int sl_herder_status(sl_herder *h, const char *name, json_t **out, sl_herr *err);
int sl_herder_tasks(sl_herder *h, const char *name, json_t **out, sl_herr *err);
int sl_herder_tasks_config(sl_herder *h, const char *name, json_t **out, sl_herr *err);
int sl_herder_task_status(sl_herder *h, const char *name, int task, json_t **out, sl_herr *err);
/* 204 (plain restart), or 202 with the status body when include_tasks/only_failed ask for it. */
int sl_herder_restart(sl_herder *h, const char *name, bool include_tasks, bool only_failed,
                      json_t **out, sl_herr *err);
int sl_herder_restart_task(sl_herder *h, const char *name, int task, sl_herr *err); /* 204 */
int sl_herder_pause(sl_herder *h, const char *name, sl_herr *err);                  /* 202 */
int sl_herder_resume(sl_herder *h, const char *name, sl_herr *err);                 /* 202 */
int sl_herder_stop_connector(sl_herder *h, const char *name, sl_herr *err);         /* 202 */
/* {"<name>":{"topics":[...]}} */
int sl_herder_topics(sl_herder *h, const char *name, json_t **out, sl_herr *err);
int sl_herder_topics_reset(sl_herder *h, const char *name, sl_herr *err); /* 202 */
/* {"offsets":[{"partition":{"kafka_topic":..,"kafka_partition":..},"offset":{"kafka_offset":..}}]}
 */
int sl_herder_offsets(sl_herder *h, const char *name, json_t **out, sl_herr *err);
/* PATCH/DELETE offsets: only when STOPPED. 200 {"message":...}. */
int sl_herder_alter_offsets(sl_herder *h, const char *name, const json_t *body, json_t **out,
                            sl_herr *err);
int sl_herder_reset_offsets(sl_herder *h, const char *name, json_t **out, sl_herr *err);

/* ---- internal (worker-to-worker) endpoints ---- */
/* POST /connectors/{c}/tasks: a JSON array of task config maps. 204; standalone 500. */
int sl_herder_put_task_configs(sl_herder *h, const char *name, const json_t *configs,
                               const sl_herder_sig *sig, sl_herr *err);
/* PUT /connectors/{c}/fence (exactly-once source only). */
int sl_herder_fence(sl_herder *h, const char *name, const sl_herder_sig *sig, sl_herr *err);

/* ---- plugins ---- */
int sl_herder_plugins(sl_herder *h, bool connectors_only, json_t **out, sl_herr *err);
int sl_herder_plugin_config(sl_herder *h, const char *plugin, json_t **out, sl_herr *err);
/* ConfigInfos. 200 even when the config has errors; 400 for bad plugin / missing class. */
int sl_herder_validate(sl_herder *h, const char *plugin, const sl_props *config, json_t **out,
                       sl_herr *err);

#endif
