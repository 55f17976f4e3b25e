/*
 * convert.c — converter instances as a task uses them: resolve key.converter/value.converter
 * (connector override, else worker), build the component with its "<key|value>.converter." keys,
 * and forward records to its ops. Header values follow SimpleHeaderConverter. Control-plane setup
 * may malloc; the per-record calls must not (results go to the batch arena).
 */
#include "converters/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"

struct sl_converter {
    const struct sl_component *comp;
    const struct sluice_converter_ops *ops;
    struct sluice_ctx *ctx;
    sl_config *cfg;
    void *state;
};

sl_converter *sl_converter_new(const sl_props *connector, const sl_props *worker, bool is_key,
                               const char *connector_name, int32_t task_id, char *err,
                               size_t errlen)
{
    const char *key = is_key ? "key.converter" : "value.converter";
    const char *prefix = is_key ? "key.converter." : "value.converter.";
    const sl_props *src = worker;
    if (connector != NULL && sl_props_get(connector, key) != NULL) {
        src = connector;
    }
    const char *cls = src != NULL ? sl_props_get(src, key) : NULL;
    if (cls == NULL || cls[0] == '\0') {
        snprintf(err, errlen, "Missing required configuration \"%s\" which has no default value.",
                 key);
        return NULL;
    }
    const struct sl_component *comp = sl_catalog_find(SLUICE_KIND_CONVERTER, cls);
    if (comp == NULL) {
        snprintf(err, errlen, "Invalid value %s for configuration %s: Class %s could not be found.",
                 cls, key, cls);
        return NULL;
    }
    const struct sluice_converter_ops *ops = comp->comp->ops;
    if (ops == NULL || ops->create == NULL || ops->to_connect == NULL) {
        snprintf(err, errlen, "Converter %s has no create/to_connect operation", cls);
        return NULL;
    }
    size_t stride = comp->desc != NULL ? comp->desc->config_def_size : 0;
    if (stride == 0) {
        stride = sizeof(struct sluice_config_def);
    }
    static const struct sluice_config_def no_defs[] = {{.name = NULL}};
    const struct sluice_config_def *defs =
        comp->comp->config_defs != NULL ? comp->comp->config_defs : no_defs;
    char cerr[1024] = "";
    sl_config *cfg = sl_config_new(defs, stride, src, prefix, cerr, sizeof(cerr));
    if (cfg == NULL) {
        snprintf(err, errlen, "Invalid configuration for %s %s: %s", key, cls, cerr);
        return NULL;
    }
    sl_converter *c = sl_xcalloc(1, sizeof(*c));
    c->comp = comp;
    c->ops = ops;
    c->cfg = cfg;
    c->ctx = sl_ctx_new(connector_name, task_id, comp->comp->class_name);
    void *state = NULL;
    sluice_rc rc = ops->create(c->ctx, cfg, is_key ? 1 : 0, &state);
    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "Failed to create %s %s: %s", key, cls,
                 sl_ctx_take_error(c->ctx, "create() failed"));
        c->state = NULL;
        sl_converter_free(c);
        return NULL;
    }
    c->state = state;
    return c;
}

void sl_converter_free(sl_converter *c)
{
    if (c == NULL) {
        return;
    }
    if (c->state != NULL && c->ops->destroy != NULL) {
        c->ops->destroy(c->state);
    }
    sl_ctx_destroy(c->ctx);
    sl_config_free(c->cfg);
    free(c);
}

const char *sl_converter_class(const sl_converter *c)
{
    return c->comp->comp->class_name;
}

sluice_rc sl_converter_to_connect(sl_converter *c, sl_arena *arena, const char *topic,
                                  const void *data, size_t len, const sl_schema **schema,
                                  const sl_value **value, char *err, size_t errlen)
{
    *schema = NULL;
    *value = NULL;
    sl_ctx_set_batch_arena(c->ctx, arena);
    sluice_rc rc = c->ops->to_connect(c->state, topic, data, len, schema, value);
    sl_ctx_set_batch_arena(c->ctx, NULL);
    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "%s", sl_ctx_take_error(c->ctx, "Conversion failed"));
        *schema = NULL;
        *value = NULL;
    }
    return rc;
}

sluice_rc sl_converter_from_connect(sl_converter *c, const char *topic, const sl_schema *schema,
                                    const sl_value *value, sl_buf *out, bool *is_null, char *err,
                                    size_t errlen)
{
    *is_null = false;
    if (c->ops->from_connect == NULL) {
        snprintf(err, errlen, "Converter %s cannot serialize Connect data", sl_converter_class(c));
        return SLUICE_ERR_UNSUPPORTED;
    }
    int isnull = 0;
    sluice_rc rc = c->ops->from_connect(c->state, topic, schema, value, out, &isnull);
    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "%s", sl_ctx_take_error(c->ctx, "Conversion failed"));
        return rc;
    }
    *is_null = isnull != 0;
    return SLUICE_OK;
}

/* Structurally valid UTF-8 (Java's decoder would replace bad sequences; we keep them as bytes). */
static bool is_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t extra;
        if (c < 0x80) {
            extra = 0;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
        } else {
            return false;
        }
        if (extra > n - i - 1) {
            return false;
        }
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        i += extra + 1;
    }
    return true;
}

const sl_value *sl_header_to_connect(sl_arena *arena, const void *data, size_t len)
{
    if (data == NULL) {
        return NULL;
    }
    if (is_utf8(data, len)) {
        return sl_value_new_string(arena, sl_schema_primitive(SLUICE_TYPE_STRING, true), data, len);
    }
    return sl_value_new_bytes(arena, sl_schema_primitive(SLUICE_TYPE_BYTES, true), data, len);
}
