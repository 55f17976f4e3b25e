/*
 * good_sink.c — loader fixture: a well-formed sink with aliases and config defs; must load.
 * Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const char *const fx_modes[] = {"fast", "safe", NULL};

static const struct sluice_config_def fx_defs[] = {
    {.name = "target",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Where to write."},
    {.name = "batch.size",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "100",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .min = 1,
     .max = 1000},
    {.name = "mode",
     .type = SLUICE_CFG_STRING,
     .default_value = "SAFE",
     .valid_values = fx_modes,
     .importance = SLUICE_IMPORTANCE_LOW},
    {.name = NULL},
};

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"good-sink", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.GoodSinkConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = fx_defs,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "good-sink",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
