/*
 * builtin.c — the descriptor of the built-in transforms and predicates (ExtractNewRecordState,
 * RegexRouter, TopicNameMatches, HasHeaderKey, RecordIsTombstone), registered in the catalogue
 * through the same ABI structs as plugins. It must never hold per-record state of its own.
 */
#include "transforms/builtin.h"
#include "plugin/catalog.h"

static const struct sluice_component *const builtin_components[] = {
    &sl_tf_extract_new_record_state, &sl_tf_regex_router,          &sl_pred_topic_name_matches,
    &sl_pred_has_header_key,         &sl_pred_record_is_tombstone, NULL,
};

static const struct sluice_plugin_descriptor builtin_descriptor = {
    SLUICE_DESCRIPTOR_HEADER, .name = "sluice-builtin-transforms", .version = SLUICE_VERSION,
    .build_info = "built-in", .components = builtin_components,
};

const struct sluice_plugin_descriptor *sl_builtin_transforms(void)
{
    return &builtin_descriptor;
}
