/*
 * dup_config_key.c — loader fixture: declares the config key "topic.prefix" twice; must be refused.
 * Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_config_def fx_defs[] = {
    {.name = "topic.prefix", .type = SLUICE_CFG_STRING, .default_value = "a"},
    {.name = "flush.ms", .type = SLUICE_CFG_LONG, .default_value = "1000"},
    {.name = "topic.prefix", .type = SLUICE_CFG_STRING, .default_value = "b"},
    {.name = NULL},
};

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"dup-config-key", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.DupConfigKeyConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = fx_defs,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "dup-config-key",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
