/*
 * runtime.h — the herder's local runtime as the distributed backend (worker/dist/distributed.c)
 * uses it: the task threads, their local states and callbacks live in herder.c and serve both
 * modes; the backend says which connectors and task ids run here with which configs, and gets
 * every local state change through hooks (to write the status topic). Internal to the worker:
 * REST never includes this header.
 */
#ifndef SL_HERDER_RUNTIME_H
#define SL_HERDER_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "herder/herder.h"

/* Called outside the herder's locks, from task threads or the caller of sl_herder_rt_apply. */
typedef struct sl_rt_hooks {
    void *arg;
    /* A local task changed state (RUNNING, PAUSED, FAILED with trace) or was stopped here
     * (UNASSIGNED: revoked, connector stopped or deleted). */
    void (*task_state)(void *arg, const char *connector, int32_t task, int state,
                       const char *trace);
    /* A local task consumed from `topic` for the first time. */
    void (*topic)(void *arg, const char *connector, int32_t task, const char *topic);
} sl_rt_hooks;

/* What one connector runs here. configs[i] is task i's raw config, or NULL when task i does not
 * run on this worker. */
typedef struct sl_rt_conn {
    const char *name;
    const sl_props *config; /* raw connector config */
    int target;             /* enum sl_target_state */
    int ntasks;
    const sl_props *const *configs;
} sl_rt_conn;

void sl_herder_rt_set_hooks(sl_herder *h, const sl_rt_hooks *hooks);

/* GET /health's answer for a worker that is stopping / ready / still starting (500/200/503 with
 * Java's bodies); both backends use it. */
int sl_herder_health_answer(bool stopping, bool ready, json_t **out);

/*
 * Make the local runtime run exactly `want` (borrowed for the call): connectors not listed are
 * stopped and dropped, tasks whose config changed are restarted with the new one, tasks no
 * longer listed are stopped (hook: UNASSIGNED), new ones started (hook: RUNNING/PAUSED/FAILED),
 * target-state changes pause or resume running tasks. A task that FAILED stays failed until it
 * is restarted or its config changes. Serialised with every other lifecycle operation.
 */
void sl_herder_rt_apply(sl_herder *h, const sl_rt_conn *want, size_t n);
/* Restart local task `task` of the connector (-1: every local task; only_failed: only FAILED
 * ones). Returns how many were restarted; -1 when the task does not run here. */
int sl_herder_rt_restart(sl_herder *h, const char *name, int task, bool only_failed);
/* Does task `task` of the connector run here (started, possibly failed)? */
bool sl_herder_rt_has_task(sl_herder *h, const char *name, int task);
/* Stop every local task (eager rebalance, shutdown). */
void sl_herder_rt_stop_all(sl_herder *h);

/* Shared request checks: the POST/PUT/PATCH validation (cfg gets `name` when absent), and the
 * connector type ("sink", "source", "unknown") of a config. */
int sl_herder_rt_check_config(const char *name, sl_props *cfg, sl_herr *err);
const char *sl_herder_rt_conn_type(const sl_props *config);
/* The class name of the connector's plugin (NULL when unknown). */
const char *sl_herder_rt_plugin_class(const sl_props *config);
const char *sl_herder_rt_state_name(int state);
const char *sl_herder_rt_worker_id(sl_herder *h);

#endif
