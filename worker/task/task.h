/*
 * task.h — a running sink task: its own thread with poll → convert → transform → put → commit.
 * The herder starts, pauses, resumes and stops tasks; tasks report state changes back through
 * a callback. Implemented in sink_task.c.
 */
#ifndef SL_TASK_H
#define SL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "config/props.h"

typedef struct sl_task sl_task;

enum sl_task_state {
    SL_TASK_UNASSIGNED = 0,
    SL_TASK_RUNNING = 1,
    SL_TASK_PAUSED = 2,
    SL_TASK_FAILED = 3,
    SL_TASK_RESTARTING = 4,
    SL_TASK_STOPPED = 5,
};

struct sl_task_spec {
    const char *connector;
    int32_t task_id;
    const sl_props *config; /* resolved connector config (providers applied); copied */
    const sl_props *worker; /* worker config; copied */
    bool start_paused;
    /* Called from the task thread on every state change; trace is NULL unless FAILED. */
    void (*on_state)(void *arg, const char *connector, int32_t task_id, int state,
                     const char *trace);
    /* Called (rarely: once per new topic) when the task first consumes from a topic. */
    void (*on_topic)(void *arg, const char *connector, const char *topic);
    void *arg;
};

/* Start the task thread. NULL with err (e.g. unknown plugin) — the caller marks the task FAILED. */
sl_task *sl_task_start(const struct sl_task_spec *spec, char *err, size_t errlen);
void sl_task_pause(sl_task *t);
void sl_task_resume(sl_task *t);
/* Graceful stop: flush, commit, close; waits up to timeout_ms, then abandons. Frees t. */
void sl_task_stop(sl_task *t, int64_t timeout_ms);
/* Current state; trace copied into buf when FAILED (may be NULL). */
int sl_task_state(sl_task *t, char *trace, size_t tracelen);
const char *sl_task_state_name(int state); /* "RUNNING", ... */

#endif
