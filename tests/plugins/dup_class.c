/*
 * dup_class.c — loader fixture: provides the same class as good_sink; must be refused when
 * good_sink is loaded. Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"dup-class", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.GoodSinkConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = NULL,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "dup-class",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
