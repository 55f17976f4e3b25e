/*
 * missing_put.c — loader fixture: a sink without its required put(); must be refused naming put().
 * Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = NULL,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"missing-put", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.MissingPutConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = NULL,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "missing-put",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
