/*
 * ctx.c — struct sluice_ctx: one plugin instance's identity, log prefix, error slot and arenas.
 * It only stores what the task runtime and the host API put in it; it must never call into a
 * plugin.
 */
#include "plugin/ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sluice_ctx *sl_ctx_new(const char *connector, int32_t task_id, const char *component)
{
    struct sluice_ctx *ctx = sl_xcalloc(1, sizeof(*ctx));
    ctx->connector = connector != NULL ? sl_xstrdup(connector) : NULL;
    ctx->component = component != NULL ? sl_xstrdup(component) : NULL;
    ctx->task_id = task_id;
    if (connector != NULL && task_id >= 0) {
        snprintf(ctx->log_prefix, sizeof(ctx->log_prefix), "%s|task-%d", connector, (int)task_id);
    } else if (connector != NULL) {
        snprintf(ctx->log_prefix, sizeof(ctx->log_prefix), "%s", connector);
    } else if (component != NULL) {
        snprintf(ctx->log_prefix, sizeof(ctx->log_prefix), "%s", component);
    }
    ctx->instance = sl_arena_new(0);
    return ctx;
}

void sl_ctx_destroy(struct sluice_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    sl_arena_destroy(ctx->instance);
    sl_arena_destroy(ctx->own_batch);
    free(ctx->connector);
    free(ctx->component);
    free(ctx);
}

void sl_ctx_set_batch_arena(struct sluice_ctx *ctx, sl_arena *a)
{
    ctx->batch = a;
}

sl_arena *sl_ctx_batch_arena(struct sluice_ctx *ctx)
{
    if (ctx->batch != NULL) {
        return ctx->batch;
    }
    /* No runtime arena (validation, tests, worker-level instances): use a private one. */
    if (ctx->own_batch == NULL) {
        ctx->own_batch = sl_arena_new(0);
    }
    return ctx->own_batch;
}

void sl_ctx_set_hooks(struct sluice_ctx *ctx, const struct sl_task_hooks *hooks, void *arg)
{
    ctx->hooks = hooks;
    ctx->hooks_arg = arg;
}

void sl_ctx_set_error(struct sluice_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
    va_end(ap);
    ctx->has_error = 1;
}

const char *sl_ctx_take_error(struct sluice_ctx *ctx, const char *fallback)
{
    if (ctx == NULL || !ctx->has_error) {
        return fallback;
    }
    /* The text stays in ctx->error until the next set_error, so the pointer remains valid. */
    ctx->has_error = 0;
    return ctx->error;
}
