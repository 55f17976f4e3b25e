/*
 * major_mismatch.c — loader fixture: claims ABI major 2; must be refused.
 * Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"major-mismatch", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.MajorMismatchConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = NULL,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    .magic = SLUICE_ABI_MAGIC,
    .abi_major = 2,
    .abi_minor = 0,
    .min_host_minor = 0,
    .abi_facts = SLUICE_ABI_FACTS,
    .struct_size = sizeof(struct sluice_plugin_descriptor),
    .config_def_size = sizeof(struct sluice_config_def),
    .name = "fixture",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
