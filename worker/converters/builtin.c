/*
 * builtin.c — the built-in converters (JsonConverter, StringConverter, ByteArrayConverter) as
 * components registered through the plugin ABI descriptor. Glue only: the conversions themselves
 * live in json_converter.c / simple_converters.c. Never allocates per record outside the batch arena.
 */
#include <stddef.h>

#include "plugin/catalog.h"
#include "sluice/plugin.h"

static const struct sluice_component *const builtin_components[] = {
    NULL,
};

static const struct sluice_plugin_descriptor builtin_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,
    .name = "sluice-builtin-converters",
    .version = SLUICE_VERSION,
    .build_info = "built-in",
    .components = builtin_components,
};

const struct sluice_plugin_descriptor *sl_builtin_converters(void)
{
    return &builtin_descriptor;
}
