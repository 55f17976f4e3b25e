/*
 * distributed.h — the distributed herder backend (worker/dist/distributed.c) as herder.c calls
 * it: lifecycle, and one entry per mode-specific request with herder.h's conventions (HTTP
 * status, SL_HERDER_FORWARD with err->forward_url, Java's messages). Internal to the worker.
 */
#ifndef SL_DIST_DISTRIBUTED_H
#define SL_DIST_DISTRIBUTED_H

#include <jansson.h>
#include <stdbool.h>

#include "config/props.h"
#include "herder/herder.h"

typedef struct sl_dist sl_dist;

sl_dist *sl_dist_new(sl_herder *h, const sl_props *worker, char *err, size_t errlen);
void sl_dist_set_url(sl_dist *d, const char *url);
int sl_dist_start(sl_dist *d, char *err, size_t errlen);
void sl_dist_stop(sl_dist *d);
void sl_dist_destroy(sl_dist *d); /* accepts NULL */
int sl_dist_health(sl_dist *d, json_t **out, sl_herr *err);
int sl_dist_list(sl_dist *d, bool expand_status, bool expand_info, json_t **out, sl_herr *err);
int sl_dist_create(sl_dist *d, const char *name, const sl_props *config, const char *initial_state,
                   json_t **out, sl_herr *err);
int sl_dist_info(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_config(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_put_config(sl_dist *d, const char *name, const sl_props *config, json_t **out,
                       sl_herr *err);
int sl_dist_patch_config(sl_dist *d, const char *name, const json_t *patch, json_t **out,
                         sl_herr *err);
int sl_dist_delete(sl_dist *d, const char *name, sl_herr *err);
int sl_dist_status(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_tasks(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_tasks_config(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_task_status(sl_dist *d, const char *name, int task, json_t **out, sl_herr *err);
int sl_dist_restart(sl_dist *d, const char *name, bool include_tasks, bool only_failed,
                    json_t **out, sl_herr *err);
int sl_dist_restart_task(sl_dist *d, const char *name, int task, sl_herr *err);
int sl_dist_pause(sl_dist *d, const char *name, bool pause, sl_herr *err);
int sl_dist_stop_connector(sl_dist *d, const char *name, sl_herr *err);
int sl_dist_topics(sl_dist *d, const char *name, json_t **out, sl_herr *err);
int sl_dist_topics_reset(sl_dist *d, const char *name, sl_herr *err);
/* Offsets: a copy of the connector's raw config and its target state (NULL: 404), and whether
 * this worker may modify offsets (0: leader; else SL_HERDER_FORWARD or 409 with err). */
sl_props *sl_dist_connector_config(sl_dist *d, const char *name, int *target);
int sl_dist_require_leader(sl_dist *d, bool stale_check, sl_herr *err);
int sl_dist_put_task_configs(sl_dist *d, const char *name, const json_t *configs,
                             const sl_herder_sig *sig, sl_herr *err);
int sl_dist_fence(sl_dist *d, const char *name, const sl_herder_sig *sig, sl_herr *err);

#endif
