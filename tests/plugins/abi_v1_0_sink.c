/*
 * abi_v1_0_sink.c — loader fixture compiled against the frozen v1.0 header (tests/abi/v1_0), so an
 * old plugin is proven to load *and work*: its callbacks go through the host table by the 1.0
 * layout (config, records, values, buffers, offsets, errors). Built only for make check.
 */
#include "v1_0/plugin.h"

struct v10_task {
    sluice_ctx *ctx;
    sluice_buf *seen;
    const char *tag;
};

static sluice_rc v10_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    struct v10_task *t = sluice_host->calloc(1, sizeof(*t));
    t->ctx = ctx;
    t->seen = sluice_host->buf_new();
    t->tag = sluice_host->cfg_string(cfg, "tag");
    *task = t;
    return SLUICE_OK;
}

/* Remembers "tag topic-partition@offset=json" per record. */
static sluice_rc v10_put(void *task, sluice_record *const *records, size_t n)
{
    struct v10_task *t = task;
    for (size_t i = 0; i < n; i++) {
        const sluice_record *r = records[i];
        sluice_host->buf_printf(t->seen, "%s %s-%d@%lld=", t->tag != NULL ? t->tag : "-",
                                sluice_host->rec_topic(r), (int)sluice_host->rec_partition(r),
                                (long long)sluice_host->rec_offset(r));
        sluice_host->val_to_json(sluice_host->rec_value(r), t->seen);
        sluice_host->buf_append(t->seen, ";", 1);
    }
    return SLUICE_OK;
}

/* Holds back the last record of every partition and reports what it saw through set_error. */
static sluice_rc v10_pre_commit(void *task, sluice_offsets *offsets)
{
    struct v10_task *t = task;
    for (size_t i = 0; i < sluice_host->offsets_count(offsets); i++) {
        sluice_host->offsets_set(offsets, i, sluice_host->offsets_get(offsets, i) - 1);
    }
    sluice_host->set_error(t->ctx, "%s", sluice_host->buf_data(t->seen));
    return SLUICE_OK;
}

static void v10_destroy(void *task)
{
    struct v10_task *t = task;
    if (t == NULL) {
        return;
    }
    sluice_host->buf_free(t->seen);
    sluice_host->free(t);
}

static const struct sluice_config_def v10_defs[] = {
    {.name = "tag", .type = SLUICE_CFG_STRING, .flags = SLUICE_CFG_F_NULL_DEFAULT},
    {.name = NULL},
};

static const struct sluice_sink_ops v10_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = v10_create,
    .put = v10_put,
    .pre_commit = v10_pre_commit,
    .destroy = v10_destroy,
};

static const char *const v10_aliases[] = {"abi-v1-0-sink", NULL};

static const struct sluice_component v10_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.AbiV10SinkConnector",
    .aliases = v10_aliases,
    .description = "loader fixture built against ABI 1.0",
    .config_defs = v10_defs,
    .ops = &v10_ops,
};

static const struct sluice_component *const v10_components[] = {&v10_component, NULL};

static const struct sluice_plugin_descriptor v10_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "abi-v1.0-sink",
    .version = "1.2.3",
    .components = v10_components,
};

SLUICE_PLUGIN_DEFINE(v10_descriptor)
