/*
 * ctx.h — struct sluice_ctx: what the host knows about one plugin instance (connector, task,
 * component), its error slot, its arenas and the task hooks behind the task_* host services.
 * The task runtime owns the hooks; the host API only forwards to them.
 */
#ifndef SL_CTX_H
#define SL_CTX_H

#include <stdint.h>

#include "sluice/plugin.h"
#include "util/mem.h"

/* Callbacks the task runtime installs so plugins can talk to their task (SinkTaskContext). */
struct sl_task_hooks {
    int (*should_stop)(void *arg);
    void (*backoff)(void *arg, int64_t ms);
    void (*request_commit)(void *arg);
    sluice_rc (*report_errant)(void *arg, const sluice_record *r, const char *message);
    sluice_rc (*source_emit)(void *arg, const char *topic, const sluice_schema *key_schema,
                             const sluice_value *key, const sluice_schema *value_schema,
                             const sluice_value *value, const char *part_json,
                             const char *offset_json);
    /* ABI 1.1 task_seek: start topic/partition at next_offset (SinkTaskContext.offset). */
    void (*seek)(void *arg, const char *topic, int32_t partition, int64_t next_offset);
};

struct sluice_ctx {
    char *connector;      /* owned; NULL for worker-level instances */
    int32_t task_id;      /* -1 when not a task */
    char *component;      /* owned; class name of the component ("in put()" messages) */
    char log_prefix[192]; /* "connector|task-0" */
    sl_arena *instance;   /* owned: long-lived allocations (schemas built by the plugin) */
    sl_arena *batch;      /* borrowed: the current batch's arena, set by the runtime */
    sl_arena *own_batch;  /* owned fallback when no runtime batch arena is set */
    const struct sl_task_hooks *hooks; /* borrowed; may be NULL */
    void *hooks_arg;
    int has_error;
    char error[4096];
};

/* connector may be NULL; task_id -1 for non-task instances. Transferred: free with sl_ctx_destroy.
 */
struct sluice_ctx *sl_ctx_new(const char *connector, int32_t task_id, const char *component);
void sl_ctx_destroy(struct sluice_ctx *ctx); /* accepts NULL */
void sl_ctx_set_batch_arena(struct sluice_ctx *ctx, sl_arena *a);
sl_arena *sl_ctx_batch_arena(struct sluice_ctx *ctx);
void sl_ctx_set_hooks(struct sluice_ctx *ctx, const struct sl_task_hooks *hooks, void *arg);
void sl_ctx_set_error(struct sluice_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The last error set by the plugin (or a default), and clears it. Borrowed (until next call). */
const char *sl_ctx_take_error(struct sluice_ctx *ctx, const char *fallback);

#endif
