/*
 * wrong_facts.c — loader fixture: claims 4-byte pointers and longs; must be refused.
 * Built only for make check; it must never be installed.
 */
#include "fixture.h"

static const struct sluice_sink_ops fx_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fx_create,
    .put = fx_put,
    .destroy = fx_destroy,
};

static const char *const fx_aliases[] = {"wrong-facts", NULL};

static const struct sluice_component fx_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.example.fixture.WrongFactsConnector",
    .aliases = fx_aliases,
    .description = "loader fixture",
    .config_defs = NULL,
    .ops = &fx_ops,
};

static const struct sluice_component *const fx_components[] = {&fx_component, NULL};

static const struct sluice_plugin_descriptor fx_descriptor = {
    .magic = SLUICE_ABI_MAGIC,
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .min_host_minor = SLUICE_ABI_MINOR,
    .abi_facts = (uint16_t)((4 << 8) | (4 << 1) | 1),
    .struct_size = sizeof(struct sluice_plugin_descriptor),
    .config_def_size = sizeof(struct sluice_config_def),
    .name = "fixture",
    .version = "1.2.3",
    .components = fx_components,
};

SLUICE_PLUGIN_DEFINE(fx_descriptor)
