/*
 * bad_config_def.c — loader fixture: a REQUIRED config key that also has a default; must be
 * refused. Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_config_def fx_defs[] = {
    {.name = "ok.key", .type = SLUICE_CFG_LONG, .default_value = "5"},
    {.name = "needed.key",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .default_value = "oops"},
    {.name = NULL},
};

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"bad-config-def", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.BadConfigDefConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = fx_defs,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "bad-config-def",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
