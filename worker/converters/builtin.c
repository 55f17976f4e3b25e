/*
 * builtin.c — the built-in converters (JsonConverter, StringConverter, ByteArrayConverter) as
 * components registered through the plugin ABI descriptor: config-def tables and ops glue only.
 * The conversions live in json_converter.c. Never allocates per record outside the batch arena.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "converters/json_converter.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "sluice/plugin.h"

enum conv_kind { CONV_JSON, CONV_STRING, CONV_BYTES };

struct conv_state {
    sluice_ctx *ctx;
    enum conv_kind kind;
    sl_jsonconv *json;
};

static const char *const decimal_formats[] = {"BASE64", "NUMERIC", NULL};

static const struct sluice_config_def json_defs[] = {
    {.name = "schemas.enable",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SLUICE_IMPORTANCE_HIGH,
     .group = "Schemas",
     .order_in_group = 0,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Enable Schemas",
     .documentation = "Include schemas within each of the serialized values and keys."},
    {.name = "schemas.cache.size",
     .type = SLUICE_CFG_INT,
     .default_value = "1000",
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .min = 0,
     .max = 2147483647.0,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .group = "Schemas",
     .order_in_group = 1,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Schema Cache Size",
     .documentation = "The maximum number of schemas that can be cached in this converter "
                      "instance."},
    {.name = "decimal.format",
     .type = SLUICE_CFG_STRING,
     .default_value = "BASE64",
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = "Serialization",
     .order_in_group = 0,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Decimal Format",
     .valid_values = decimal_formats,
     .documentation = "Controls which format this converter will serialize decimals in. This "
                      "value is case insensitive and can be either 'BASE64' (default) or "
                      "'NUMERIC'"},
    {.name = "replace.null.with.default",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = "Serialization",
     .order_in_group = 1,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Replace null with default",
     .documentation = "Whether to replace fields that have a default value and that are null "
                      "to the default value. When set to true, the default value is used, "
                      "otherwise null is used."},
    {.name = NULL},
};

static const struct sluice_config_def string_defs[] = {
    {.name = "converter.encoding",
     .type = SLUICE_CFG_STRING,
     .default_value = "UTF-8",
     .importance = SLUICE_IMPORTANCE_HIGH,
     .group = "Converter",
     .order_in_group = 0,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Encoding",
     .documentation = "The name of the Java character set to use for encoding strings as byte "
                      "arrays."},
    {.name = NULL},
};

static sluice_rc conv_create(sluice_ctx *ctx, const sluice_config *cfg, enum conv_kind kind,
                             void **state)
{
    struct conv_state *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return SLUICE_ERR_NOMEM;
    }
    st->ctx = ctx;
    st->kind = kind;
    if (kind == CONV_JSON) {
        struct sl_jsonconv_opts o;
        sl_jsonconv_default_opts(&o);
        if (cfg != NULL) {
            o.schemas_enable = sl_config_bool(cfg, "schemas.enable");
            const char *fmt = sl_config_string(cfg, "decimal.format");
            o.decimal_numeric = fmt != NULL && strcasecmp(fmt, "NUMERIC") == 0;
            o.replace_null = sl_config_bool(cfg, "replace.null.with.default");
            int64_t n = sl_config_long(cfg, "schemas.cache.size");
            o.cache_size = n > 0 ? (size_t)n : 0;
        }
        st->json = sl_jsonconv_new(&o);
    } else if (kind == CONV_STRING && cfg != NULL) {
        const char *enc = sl_config_string(cfg, "converter.encoding");
        if (enc != NULL && strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "UTF8") != 0 &&
            strcasecmp(enc, "US-ASCII") != 0) {
            sl_ctx_set_error(ctx, "Unsupported converter.encoding %s: only UTF-8 is supported",
                             enc);
            free(st);
            return SLUICE_ERR_CONFIG;
        }
    }
    *state = st;
    return SLUICE_OK;
}

static sluice_rc json_create(sluice_ctx *ctx, const sluice_config *cfg, int is_key, void **state)
{
    return conv_create(ctx, cfg, CONV_JSON, state);
}

static sluice_rc string_create(sluice_ctx *ctx, const sluice_config *cfg, int is_key, void **state)
{
    return conv_create(ctx, cfg, CONV_STRING, state);
}

static sluice_rc bytes_create(sluice_ctx *ctx, const sluice_config *cfg, int is_key, void **state)
{
    return conv_create(ctx, cfg, CONV_BYTES, state);
}

static sluice_rc conv_to_connect(void *state, const char *topic, const void *data, size_t len,
                                 const sluice_schema **schema, const sluice_value **value)
{
    struct conv_state *st = state;
    sl_arena *a = sl_ctx_batch_arena(st->ctx);
    char err[512];
    int rc;
    switch (st->kind) {
    case CONV_JSON:
        rc = sl_jsonconv_to_connect(st->json, a, data, len, schema, value, err, sizeof(err));
        break;
    case CONV_STRING:
        rc = sl_stringconv_to_connect(a, data, len, schema, value);
        break;
    default:
        rc = sl_bytesconv_to_connect(a, data, len, schema, value);
        break;
    }
    if (rc != 0) {
        sl_ctx_set_error(st->ctx, "%s", err);
        return SLUICE_ERR;
    }
    return SLUICE_OK;
}

static sluice_rc conv_from_connect(void *state, const char *topic, const sluice_schema *schema,
                                   const sluice_value *value, sluice_buf *out, int *is_null)
{
    struct conv_state *st = state;
    char err[512];
    bool isnull = false;
    int rc;
    switch (st->kind) {
    case CONV_JSON:
        rc = sl_jsonconv_from_connect(st->json, schema, value, out, &isnull, err, sizeof(err));
        break;
    case CONV_STRING:
        rc = sl_stringconv_from_connect(schema, value, out, &isnull, err, sizeof(err));
        break;
    default:
        rc = sl_bytesconv_from_connect(schema, value, out, &isnull, err, sizeof(err));
        break;
    }
    if (rc != 0) {
        sl_ctx_set_error(st->ctx, "%s", err);
        return SLUICE_ERR;
    }
    *is_null = isnull ? 1 : 0;
    return SLUICE_OK;
}

static void conv_destroy(void *state)
{
    struct conv_state *st = state;
    if (st == NULL) {
        return;
    }
    sl_jsonconv_free(st->json);
    free(st);
}

#define CONV_OPS(create_fn)                                                                        \
    {                                                                                              \
        .struct_size = sizeof(struct sluice_converter_ops), .create = (create_fn),                 \
        .to_connect = conv_to_connect, .from_connect = conv_from_connect, .destroy = conv_destroy, \
    }

static const struct sluice_converter_ops json_ops = CONV_OPS(json_create);
static const struct sluice_converter_ops string_ops = CONV_OPS(string_create);
static const struct sluice_converter_ops bytes_ops = CONV_OPS(bytes_create);

static const char *const json_aliases[] = {"JsonConverter", NULL};
static const char *const string_aliases[] = {"StringConverter", NULL};
static const char *const bytes_aliases[] = {"ByteArrayConverter", NULL};

static const struct sluice_component json_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_CONVERTER,
    .class_name = "org.apache.kafka.connect.json.JsonConverter",
    .aliases = json_aliases,
    .description = "Kafka Connect JSON converter ({\"schema\":..,\"payload\":..} envelopes)",
    .config_defs = json_defs,
    .ops = &json_ops,
};

static const struct sluice_component string_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_CONVERTER,
    .class_name = "org.apache.kafka.connect.storage.StringConverter",
    .aliases = string_aliases,
    .description = "UTF-8 strings",
    .config_defs = string_defs,
    .ops = &string_ops,
};

static const struct sluice_component bytes_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_CONVERTER,
    .class_name = "org.apache.kafka.connect.converters.ByteArrayConverter",
    .aliases = bytes_aliases,
    .description = "Raw bytes pass-through",
    .config_defs = NULL,
    .ops = &bytes_ops,
};

static const struct sluice_component *const builtin_components[] = {
    &json_component,
    &string_component,
    &bytes_component,
    NULL,
};

static const struct sluice_plugin_descriptor builtin_descriptor = {
    SLUICE_DESCRIPTOR_HEADER, .name = "sluice-builtin-converters", .version = SLUICE_VERSION,
    .build_info = "built-in", .components = builtin_components,
};

const struct sluice_plugin_descriptor *sl_builtin_converters(void)
{
    return &builtin_descriptor;
}
