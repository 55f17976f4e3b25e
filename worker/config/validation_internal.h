/*
 * validation_internal.h — the validation builder's finer controls, used by connector_validate.c
 * to reproduce Java's ConfigDef.embed (transforms.<alias>.*) and herder-level checks.
 * Private to worker/config/: nothing outside this directory may include it.
 */
#ifndef SL_CONFIG_VALIDATION_INTERNAL_H
#define SL_CONFIG_VALIDATION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct sl_vdef_opts {
    const char *prefix;       /* key prefix ("transforms.unwrap."); NULL = none */
    const char *group_prefix; /* group override, or with embed the group prefix */
    bool embed;               /* Java embed(): group = prefix[": " + def group], deps prefixed,
                                 display name stays the def's own */
    bool has_order;
    int32_t order;             /* used when has_order */
    const char *documentation; /* override */
    const char *display_name;  /* override */
};

/* One def (already copied to the full struct size) validated against raw. */
void sl_validation_add_def(sl_validation *v, const struct sluice_config_def *d, const sl_props *raw,
                           const struct sl_vdef_opts *o);
void sl_validation_add_group(sl_validation *v, const char *group);
/* Replace the recommended_values of an existing entry. */
void sl_validation_set_recommended(sl_validation *v, const char *key, const char *const *values,
                                   size_t n);
/* The rendered value of key (NULL for null); *found false when the key has no value entry. */
const char *sl_validation_value(const sl_validation *v, const char *key, bool *found);
int sl_validation_key_errors(const sl_validation *v, const char *key);
/* While set, sl_validation_add_error(v, key, ...) reports under prefix+key (a component's own
 * validate() names its keys without the "transforms.<alias>." prefix). NULL clears it. */
void sl_validation_set_key_prefix(sl_validation *v, const char *prefix);

#endif
