/*
 * builtin.h — the built-in transform and predicate components, one per file, gathered by
 * builtin.c into the sl_builtin_transforms() descriptor. Internal to worker/transforms.
 */
#ifndef SL_TRANSFORMS_BUILTIN_H
#define SL_TRANSFORMS_BUILTIN_H

#include "sluice/plugin.h"

extern const struct sluice_component sl_tf_extract_new_record_state;
extern const struct sluice_component sl_tf_regex_router;
extern const struct sluice_component sl_pred_topic_name_matches;
extern const struct sluice_component sl_pred_has_header_key;
extern const struct sluice_component sl_pred_record_is_tombstone;

#endif
