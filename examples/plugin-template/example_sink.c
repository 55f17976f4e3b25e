/*
 * example_sink.c — a minimal sluice sink plugin to copy from: a config-def table, a sink ops table,
 * one component and the descriptor. It logs every record value as JSON and writes nothing; it must
 * never include anything but <sluice/plugin.h>, and never export anything but sluice_plugin_entry.
 */
#include <stdio.h>
#include <string.h>

#include <sluice/plugin.h>

/* Per-task state: the plugin owns it and frees it in destroy(). */
struct ex_task {
    sluice_ctx *ctx;       /* borrowed (object): valid until destroy */
    const char *prefix;    /* borrowed (object): the config outlives the task */
    int64_t max_value_len; /* from the config table below */
    sluice_buf *line;      /* ours: reused for every record, so put() never mallocs per record */
    int64_t records;
};

static sluice_rc ex_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    struct ex_task *t = sluice_host->calloc(1, sizeof(*t));
    t->ctx = ctx;
    t->prefix = sluice_host->cfg_string(cfg, "example.prefix");
    t->max_value_len = sluice_host->cfg_long(cfg, "example.max.value.length");
    t->line = sluice_host->buf_new();
    *task = t;
    return SLUICE_OK;
}

static sluice_rc ex_put(void *task, sluice_record *const *records, size_t n)
{
    struct ex_task *t = task;
    for (size_t i = 0; i < n; i++) {
        const sluice_value *v = sluice_host->rec_value(records[i]);
        sluice_host->buf_reset(t->line);
        if (sluice_host->val_to_json(v, t->line) != SLUICE_OK) {
            /* A record we cannot handle: let errors.tolerance decide, keep going if allowed. */
            sluice_rc rc = sluice_host->report_errant(t->ctx, records[i], "cannot render value");
            if (rc != SLUICE_OK) {
                return rc;
            }
            continue;
        }
        int len = (int)sluice_host->buf_len(t->line);
        if (len > t->max_value_len) {
            len = (int)t->max_value_len;
        }
        SLUICE_INFO(t->ctx, "%s %s-%d@%lld: %.*s", t->prefix, sluice_host->rec_topic(records[i]),
                    (int)sluice_host->rec_partition(records[i]),
                    (long long)sluice_host->rec_offset(records[i]), len,
                    sluice_host->buf_data(t->line));
        t->records++;
    }
    return SLUICE_OK; /* synchronous: nothing buffered, so no pre_commit is needed */
}

static void ex_destroy(void *task)
{
    struct ex_task *t = task;
    if (t == NULL) {
        return;
    }
    sluice_host->buf_free(t->line);
    sluice_host->free(t);
}

static const struct sluice_config_def ex_config[] = {
    {
        .name = "example.prefix",
        .type = SLUICE_CFG_STRING,
        .default_value = "record",
        .importance = SLUICE_IMPORTANCE_MEDIUM,
        .documentation = "Text written before each logged record.",
        .group = "Example",
        .order_in_group = 1,
        .width = SLUICE_WIDTH_SHORT,
        .display_name = "Log prefix",
    },
    {
        .name = "example.max.value.length",
        .type = SLUICE_CFG_LONG,
        .flags = SLUICE_CFG_F_HAS_RANGE,
        .default_value = "200",
        .importance = SLUICE_IMPORTANCE_LOW,
        .documentation = "Longest value text logged, in bytes.",
        .group = "Example",
        .order_in_group = 2,
        .width = SLUICE_WIDTH_SHORT,
        .display_name = "Max value length",
        .min = 1,
        .max = 1000000,
    },
    {.name = NULL},
};

static const struct sluice_sink_ops ex_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = ex_create,
    .put = ex_put,
    .destroy = ex_destroy,
};

static const char *const ex_aliases[] = {"example-sink", NULL};

static const struct sluice_component ex_sink = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "com.example.sluice.ExampleSinkConnector",
    .aliases = ex_aliases,
    .description = "Logs every record value (a template for new plugins)",
    .config_defs = ex_config,
    .ops = &ex_ops,
};

static const struct sluice_component *const ex_components[] = {&ex_sink, NULL};

static const struct sluice_plugin_descriptor ex_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,    .name = "example-sink",
    .version = "0.1.0",          .build_info = "example plugin template",
    .components = ex_components,
};

SLUICE_PLUGIN_DEFINE(ex_descriptor)
