/*
 * config.h — the one config-definition engine: parses raw props against a table of
 * struct sluice_config_def (worker, connectors, converters, transforms, predicates, plugins),
 * validates them, and renders Connect's ConfigInfos / ConfigKeyInfo JSON. struct sluice_config
 * (the ABI's opaque handle) is defined in config.c, struct sluice_validation in validation.c.
 */
#ifndef SL_CONFIG_H
#define SL_CONFIG_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/props.h"
#include "sluice/plugin.h"
#include "util/buf.h"

/*
 * Java's ConfigDef.Type.SHORT, used only by the worker's own tables (replication factors);
 * plugin tables never contain it. With SLUICE_CFG_F_HAS_RANGE, a max below min means "no upper
 * bound" (Java's Range.atLeast).
 */
#define SL_CFG_SHORT 0x100u

typedef struct sluice_config sl_config;
typedef struct sluice_validation sl_validation;

/*
 * Parse `raw` (keys under `prefix` only, prefix stripped; prefix may be NULL) against `defs`
 * (stride bytes apart, NULL-name terminated). Applies defaults, type-checks, range/enum checks.
 * NULL with a readable message naming every bad key on failure. The config keeps its own copy.
 */
sl_config *sl_config_new(const struct sluice_config_def *defs, size_t stride, const sl_props *raw,
                         const char *prefix, char *err, size_t errlen);
void sl_config_free(sl_config *c); /* accepts NULL */
/*
 * Getters (thread-safe, read-only). Strings are borrowed (object). Values are canonical: numbers
 * in decimal, booleans "true"/"false", lists joined with ",", enum values in the table's
 * spelling. Keys not in the table (PREFIX pass-through keys) fall back to the raw text. A null
 * value (NULL_DEFAULT, unset) reads as NULL / 0 / false / an empty list. stride 0 = sizeof(def).
 * In tables, order_in_group 0 means "unordered" (Java's -1); a NULL default without REQUIRED is
 * a null default.
 */
const char *sl_config_string(const sl_config *c, const char *key);
int64_t sl_config_long(const sl_config *c, const char *key);
double sl_config_double(const sl_config *c, const char *key);
bool sl_config_bool(const sl_config *c, const char *key);
size_t sl_config_list_len(const sl_config *c, const char *key);
const char *sl_config_list_at(const sl_config *c, const char *key, size_t i);
bool sl_config_is_set(const sl_config *c, const char *key);
size_t sl_config_count(const sl_config *c); /* raw user entries (after prefix stripping) */
const char *sl_config_key_at(const sl_config *c, size_t i);
const char *sl_config_value_at(const sl_config *c, size_t i);
const sl_props *sl_config_raw(const sl_config *c);

/* ---- validation (ConfigInfos) ---- */
sl_validation *sl_validation_new(void);
void sl_validation_free(sl_validation *v);
/*
 * Generic pass over every def: one ConfigValueInfo per key (value, errors, visible), errors for
 * missing required keys, type, range and enum. Keys are looked up as prefix+name in raw; group
 * names come from the defs (or group_override when non-NULL, e.g. "Transforms: unwrap").
 */
void sl_validation_add_defs(sl_validation *v, const struct sluice_config_def *defs, size_t stride,
                            const sl_props *raw, const char *prefix, const char *group_override);
void sl_validation_add_error(sl_validation *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for a va_list (the host API's validation_error forwards here). */
void sl_validation_add_errorv(sl_validation *v, const char *key, const char *fmt, va_list ap);
int sl_validation_error_count(const sl_validation *v);
/* {"name":class,"error_count":N,"groups":[...],"configs":[{"definition":{..},"value":{..}}]} */
json_t *sl_validation_to_json(const sl_validation *v, const char *name);
/* "Connector configuration is invalid and contains the following N error(s):\n<msg>\n...\nYou can
 * also find the above list of errors at the endpoint
 * `/connector-plugins/{connectorType}/config/validate`" */
char *sl_validation_message(const sl_validation *v); /* malloc'ed */

/* ConfigKeyInfo array for GET /connector-plugins/{p}/config. */
json_t *sl_config_defs_to_json(const struct sluice_config_def *defs, size_t stride);

/* Markdown reference of a def table ("## title" + one table row per key; HIDDEN keys skipped,
 * PREFIX keys shown as `prefix.*`). Appends to out. docs/configuration.md is generated with it. */
void sl_config_defs_to_markdown(const struct sluice_config_def *defs, size_t stride,
                                const char *title, sl_buf *out);
/* The whole of docs/configuration.md (worker, connector and sink tables, providers). */
void sl_config_reference_markdown(sl_buf *out);

/* ---- tables owned by the engine ---- */
extern const struct sluice_config_def sl_worker_config_defs[];    /* §7.1 worker keys */
extern const struct sluice_config_def sl_connector_config_defs[]; /* name, connector.class, ... */
extern const struct sluice_config_def sl_sink_connector_config_defs[]; /* topics, errors.*, ... */

/*
 * Full validation of a connector config the way Java's AbstractHerder.validateConnectorConfig does:
 * common defs, the plugin's defs, each transform's/predicate's defs under its prefix, converters,
 * topics/topics.regex rules. Uses the catalog. Always returns a validation (caller frees).
 */
sl_validation *sl_connector_validate(const sl_props *config, const char *plugin_name);

/* ConfigKeyInfo array for GET /connector-plugins/{p}/config: the component's own keys, then (for
 * sinks/sources) the framework keys it does not define itself. New reference. */
struct sl_component;
json_t *sl_component_config_json(const struct sl_component *c);

/*
 * Mode-specific worker requirements Java enforces with separate config classes: distributed needs
 * group.id and the three storage topics; standalone needs offset.storage.file.filename or the
 * sluice extension state.dir. 0, or -1 with Java's "Missing required configuration" message.
 */
int sl_worker_config_check(const sl_props *worker, bool distributed, char *err, size_t errlen);

/* ---- config providers: ${provider:[path:]key} ---- */
typedef struct sl_providers sl_providers;
/* From worker keys config.providers, config.providers.X.class, config.providers.X.param.* */
sl_providers *sl_providers_new(const sl_props *worker, char *err, size_t errlen);
void sl_providers_free(sl_providers *p);
/* Replace every variable in values; unknown providers leave the text unchanged (like Java).
 * Returns a new props, or NULL with err when a provider fails to resolve. Never logs values. */
sl_props *sl_providers_resolve(sl_providers *p, const sl_props *in, char *err, size_t errlen);

/* Redacted copy for logs: sensitive keys (PASSWORD type, *password*, *secret*) → "[hidden]". */
sl_props *sl_props_redacted(const sl_props *p);
/* The same, also hiding keys the defs mark PASSWORD or SENSITIVE (prefix defs cover their keys). */
sl_props *sl_props_redacted_defs(const sl_props *p, const struct sluice_config_def *defs,
                                 size_t stride);

#endif
