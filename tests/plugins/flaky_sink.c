/*
 * flaky_sink.c — a fixture sink for the task runtime's tests: put() answers RETRY for the first
 * `retries` non-empty batches, then writes each record's value as one line to `file`; records whose
 * value contains `poison` are handed to report_errant() instead. With `seek.offset` >= 0, open()
 * asks the host (task_seek, ABI 1.1) to start every assigned partition there; with
 * `rewind.once.to` >= 0, the first successful put() rewinds the partitions of its records there
 * once. Test fixture only: never shipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/plugin.h"

struct flaky {
    sluice_ctx *ctx;
    FILE *out;
    int64_t retries_left;
    int64_t backoff_ms;
    const char *poison;
    sluice_buf *line;
    int64_t seek_offset;
    int64_t rewind_to;
};

static const struct sluice_config_def flaky_defs[] = {
    {.name = "file",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_NULL_DEFAULT,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "File the record values go to."},
    {.name = "retries",
     .type = SLUICE_CFG_INT,
     .default_value = "0",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "How many non-empty batches to answer with RETRY first."},
    {.name = "retry.backoff.ms",
     .type = SLUICE_CFG_LONG,
     .default_value = "0",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Backoff hint given with each RETRY (0: the host's default)."},
    {.name = "poison",
     .type = SLUICE_CFG_STRING,
     .default_value = "poison",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Values containing this text are reported as errant."},
    {.name = "seek.offset",
     .type = SLUICE_CFG_LONG,
     .default_value = "-1",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "open() asks to start every assigned partition at this offset (-1: no)."},
    {.name = "rewind.once.to",
     .type = SLUICE_CFG_LONG,
     .default_value = "-1",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "The first successful put() rewinds its partitions here (-1: no)."},
    {.name = NULL},
};

static sluice_rc flaky_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    struct flaky *f = sluice_host->calloc(1, sizeof(*f));
    f->ctx = ctx;
    f->retries_left = sluice_host->cfg_long(cfg, "retries");
    f->backoff_ms = sluice_host->cfg_long(cfg, "retry.backoff.ms");
    f->poison = sluice_host->cfg_string(cfg, "poison");
    f->seek_offset = sluice_host->cfg_long(cfg, "seek.offset");
    f->rewind_to = sluice_host->cfg_long(cfg, "rewind.once.to");
    f->line = sluice_host->buf_new();
    const char *path = sluice_host->cfg_string(cfg, "file");
    if (path != NULL && *path != '\0') {
        f->out = fopen(path, "a");
        if (f->out == NULL) {
            sluice_host->set_error(ctx, "cannot open %s", path);
            sluice_host->buf_free(f->line);
            sluice_host->free(f);
            return SLUICE_ERR_CONFIG;
        }
    }
    *task = f;
    return SLUICE_OK;
}

static sluice_rc flaky_put(void *task, sluice_record *const *records, size_t n)
{
    struct flaky *f = task;
    if (n == 0) {
        return SLUICE_OK;
    }
    if (f->retries_left > 0) {
        f->retries_left--;
        if (f->backoff_ms > 0) {
            sluice_host->task_backoff(f->ctx, f->backoff_ms);
        }
        sluice_host->set_error(f->ctx, "flaky sink: transient failure (%lld retries left)",
                               (long long)f->retries_left);
        return SLUICE_RETRY;
    }
    for (size_t i = 0; i < n; i++) {
        const sluice_value *v = sluice_host->rec_value(records[i]);
        sluice_host->buf_reset(f->line);
        if (sluice_host->val_type(v) == SLUICE_TYPE_STRING) {
            size_t len = 0;
            const char *s = sluice_host->val_string(v, &len);
            sluice_host->buf_append(f->line, s, len);
        } else if (v != NULL) {
            sluice_host->val_to_json(v, f->line);
        } else {
            sluice_host->buf_append(f->line, "null", 4);
        }
        const char *text = sluice_host->buf_data(f->line);
        if (f->poison != NULL && *f->poison != '\0' && strstr(text, f->poison) != NULL) {
            sluice_rc rc = sluice_host->report_errant(f->ctx, records[i], "poison record");
            if (rc != SLUICE_OK) {
                return rc;
            }
            continue;
        }
        if (f->out != NULL) {
            fprintf(f->out, "%s\n", text);
        }
    }
    if (f->out != NULL) {
        fflush(f->out);
    }
    if (f->rewind_to >= 0) {
        for (size_t i = 0; i < n; i++) {
            sluice_host->task_seek(f->ctx, sluice_host->rec_topic(records[i]),
                                   sluice_host->rec_partition(records[i]), f->rewind_to);
        }
        f->rewind_to = -1;
    }
    return SLUICE_OK;
}

static sluice_rc flaky_open(void *task, const sluice_topic_partition *tps, size_t n)
{
    struct flaky *f = task;
    for (size_t i = 0; i < n && f->seek_offset >= 0; i++) {
        sluice_host->task_seek(f->ctx, tps[i].topic, tps[i].partition, f->seek_offset);
    }
    return SLUICE_OK;
}

static void flaky_destroy(void *task)
{
    struct flaky *f = task;
    if (f == NULL) {
        return;
    }
    if (f->out != NULL) {
        fclose(f->out);
    }
    sluice_host->buf_free(f->line);
    sluice_host->free(f);
}

static const struct sluice_sink_ops flaky_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = flaky_create,
    .open = flaky_open,
    .put = flaky_put,
    .destroy = flaky_destroy,
};

static const char *const flaky_aliases[] = {"FlakySink", NULL};

static const struct sluice_component flaky_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "io.sluice.test.FlakySinkConnector",
    .aliases = flaky_aliases,
    .description = "Test fixture: retries, then writes values; reports poison records.",
    .config_defs = flaky_defs,
    .ops = &flaky_ops,
};

static const struct sluice_component *const flaky_components[] = {&flaky_component, NULL};

static const struct sluice_plugin_descriptor flaky_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,     .name = "flaky-sink",           .version = "1.0.0",
    .build_info = "test fixture", .components = flaky_components,
};

SLUICE_PLUGIN_DEFINE(flaky_descriptor)
