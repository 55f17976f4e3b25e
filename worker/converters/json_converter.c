/*
 * json_converter.c — JsonConverter, StringConverter and ByteArrayConverter conversions.
 * Reading goes through the simdjson shim (data/json_parse.h) with a schema cache keyed by the raw
 * schema text; writing reproduces Java's bytes exactly. Never uses jansson or mallocs per record.
 */
#include "converters/json_converter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/json_parse.h"

struct cache_entry {
    uint64_t hash;
    const char *raw; /* copy of the schema text (cache arena) */
    size_t len;
    const sl_schema *schema;
};

struct sl_jsonconv {
    struct sl_jsonconv_opts o;
    sl_jp *jp;
    sl_arena *cache_arena; /* schemas live as long as the converter */
    struct cache_entry *slots;
    size_t nslots; /* power of two, or 0 when caching is off */
    size_t cached;
};

void sl_jsonconv_default_opts(struct sl_jsonconv_opts *o)
{
    o->schemas_enable = true;
    o->decimal_numeric = false;
    o->replace_null = true;
    o->cache_size = 1000;
}

sl_jsonconv *sl_jsonconv_new(const struct sl_jsonconv_opts *o)
{
    sl_jsonconv *c = sl_xcalloc(1, sizeof(*c));
    c->o = *o;
    c->jp = sl_jp_new();
    c->cache_arena = sl_arena_new(0);
    if (o->cache_size > 0) {
        size_t n = 16;
        while (n < o->cache_size * 2) {
            n *= 2;
        }
        c->slots = sl_xcalloc(n, sizeof(*c->slots));
        c->nslots = n;
    }
    return c;
}

void sl_jsonconv_free(sl_jsonconv *c)
{
    if (c == NULL) {
        return;
    }
    sl_jp_free(c->jp);
    sl_arena_destroy(c->cache_arena);
    free(c->slots);
    free(c);
}

size_t sl_jsonconv_cached_schemas(const sl_jsonconv *c)
{
    return c->cached;
}

/* 8 bytes at a time; good enough to spread schema texts over the table. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001B3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++) {
        h = (h ^ (unsigned char)p[i]) * 0x100000001B3ull;
    }
    h ^= h >> 32;
    return h;
}

static const sl_schema *resolve_schema(void *arg, const char *raw, size_t len, sl_arena *batch,
                                       char *err, size_t errlen)
{
    sl_jsonconv *c = arg;
    if (c->nslots == 0) {
        return sl_jp_parse_schema(c->jp, raw, len, batch, err, errlen);
    }
    uint64_t h = hash_bytes(raw, len);
    size_t mask = c->nslots - 1;
    size_t i = (size_t)h & mask;
    for (; c->slots[i].raw != NULL; i = (i + 1) & mask) {
        struct cache_entry *e = &c->slots[i];
        if (e->hash == h && e->len == len && memcmp(e->raw, raw, len) == 0) {
            return e->schema;
        }
    }
    if (c->cached >= c->o.cache_size) {
        /* full: no eviction (a live batch may point at any cached schema) */
        return sl_jp_parse_schema(c->jp, raw, len, batch, err, errlen);
    }
    const sl_schema *s = sl_jp_parse_schema(c->jp, raw, len, c->cache_arena, err, errlen);
    if (s == NULL) {
        return NULL;
    }
    c->slots[i].hash = h;
    c->slots[i].raw = sl_arena_memdup(c->cache_arena, raw, len);
    c->slots[i].len = len;
    c->slots[i].schema = s;
    c->cached++;
    return s;
}

int sl_jsonconv_to_connect(sl_jsonconv *c, sl_arena *a, const void *data, size_t len,
                           const sl_schema **schema, const sl_value **value, char *err,
                           size_t errlen)
{
    *schema = NULL;
    *value = NULL;
    if (data == NULL) {
        return 0; /* tombstone */
    }
    if (!c->o.schemas_enable) {
        return sl_jp_decode_schemaless(c->jp, data, len, a, value, err, errlen);
    }
    return sl_jp_decode_envelope(c->jp, data, len, a, c->o.replace_null, resolve_schema, c, schema,
                                 value, err, errlen);
}

/* ---- writing ---- */

static int write_payload(const sl_jsonconv *c, const sl_schema *s, const sl_value *v, sl_buf *out,
                         char *err, size_t errlen);

void sl_jsonconv_write_schema(const sl_jsonconv *c, const sl_schema *s, sl_buf *out)
{
    sl_buf_puts(out, "{\"type\":\"");
    sl_buf_puts(out, sl_type_json_name(s->type));
    sl_buf_putc(out, '"');
    if (s->type == SLUICE_TYPE_ARRAY && s->items != NULL) {
        sl_buf_puts(out, ",\"items\":");
        sl_jsonconv_write_schema(c, s->items, out);
    } else if (s->type == SLUICE_TYPE_MAP && s->keys != NULL && s->values != NULL) {
        sl_buf_puts(out, ",\"keys\":");
        sl_jsonconv_write_schema(c, s->keys, out);
        sl_buf_puts(out, ",\"values\":");
        sl_jsonconv_write_schema(c, s->values, out);
    } else if (s->type == SLUICE_TYPE_STRUCT) {
        sl_buf_puts(out, ",\"fields\":[");
        for (size_t i = 0; i < s->nfields; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            /* the field's schema object, with "field" appended last */
            sl_jsonconv_write_schema(c, s->fields[i].schema, out);
            out->len--; /* drop the closing brace */
            sl_buf_puts(out, ",\"field\":");
            sl_json_write_string(out, s->fields[i].name, strlen(s->fields[i].name));
            sl_buf_putc(out, '}');
        }
        sl_buf_putc(out, ']');
    }
    sl_buf_puts(out, s->optional ? ",\"optional\":true" : ",\"optional\":false");
    if (s->name != NULL) {
        sl_buf_puts(out, ",\"name\":");
        sl_json_write_string(out, s->name, strlen(s->name));
    }
    if (s->version != 0) {
        sl_buf_printf(out, ",\"version\":%d", (int)s->version);
    }
    if (s->doc != NULL) {
        sl_buf_puts(out, ",\"doc\":");
        sl_json_write_string(out, s->doc, strlen(s->doc));
    }
    if (s->nparams > 0) {
        sl_buf_puts(out, ",\"parameters\":{");
        for (size_t i = 0; i < s->nparams; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            sl_json_write_string(out, s->param_keys[i], strlen(s->param_keys[i]));
            sl_buf_putc(out, ':');
            sl_json_write_string(out, s->param_vals[i], strlen(s->param_vals[i]));
        }
        sl_buf_putc(out, '}');
    }
    if (s->has_default && s->def != NULL) {
        char err[8];
        size_t mark = out->len;
        sl_buf_puts(out, ",\"default\":");
        if (write_payload(c, s, s->def, out, err, sizeof(err)) != 0) {
            out->len = mark;
            out->data[mark] = '\0';
        }
    }
    sl_buf_putc(out, '}');
}

static int fail(char *err, size_t errlen, const char *msg, const char *detail)
{
    snprintf(err, errlen, "%s%s", msg, detail ? detail : "");
    return -1;
}

static int write_payload(const sl_jsonconv *c, const sl_schema *s, const sl_value *v, sl_buf *out,
                         char *err, size_t errlen)
{
    if (v == NULL || v->type == SLUICE_TYPE_NULL) {
        if (s == NULL) {
            sl_buf_puts(out, "null");
            return 0;
        }
        if (s->has_default && s->def != NULL && c->o.replace_null) {
            return write_payload(c, s, s->def, out, err, errlen);
        }
        if (s->optional) {
            sl_buf_puts(out, "null");
            return 0;
        }
        return fail(err, errlen,
                    "Conversion error: null value for field that is required and has no default "
                    "value",
                    NULL);
    }
    if (s == NULL) {
        s = v->schema; /* schemaless: the value's own schema, when it has one, picks logicals */
    }
    int type = s != NULL ? s->type : v->type;
    if (type != v->type) {
        return fail(err, errlen, "Invalid type for value: expected ", sl_type_java_name(type));
    }
    switch (type) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        sl_buf_put_int64(out, v->u.i);
        return 0;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        sl_json_write_double(out, v->u.d, type == SLUICE_TYPE_FLOAT32);
        return 0;
    case SLUICE_TYPE_BOOLEAN:
        sl_buf_puts(out, v->u.b ? "true" : "false");
        return 0;
    case SLUICE_TYPE_STRING:
        sl_json_write_string(out, v->u.s.p, v->u.s.len);
        return 0;
    case SLUICE_TYPE_BYTES:
        if (s != NULL && s->logical == SLUICE_LOGICAL_DECIMAL && c->o.decimal_numeric) {
            sl_decimal_to_java_text((const unsigned char *)v->u.s.p, v->u.s.len, s->scale, out);
        } else {
            sl_buf_putc(out, '"');
            sl_base64_encode(v->u.s.p, v->u.s.len, out);
            sl_buf_putc(out, '"');
        }
        return 0;
    case SLUICE_TYPE_ARRAY:
        sl_buf_putc(out, '[');
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            if (write_payload(c, s ? s->items : NULL, v->u.arr.items[i], out, err, errlen) != 0) {
                return -1;
            }
        }
        sl_buf_putc(out, ']');
        return 0;
    case SLUICE_TYPE_MAP: {
        bool objmode = true;
        if (s != NULL && s->keys != NULL) {
            objmode = s->keys->type == SLUICE_TYPE_STRING;
        } else {
            for (size_t i = 0; i < v->u.map.n; i++) {
                const sl_value *k = v->u.map.keys[i];
                if (k == NULL || k->type != SLUICE_TYPE_STRING) {
                    objmode = false;
                    break;
                }
            }
        }
        sl_buf_putc(out, objmode ? '{' : '[');
        for (size_t i = 0; i < v->u.map.n; i++) {
            const sl_value *k = v->u.map.keys[i];
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            if (objmode) {
                if (k == NULL || k->type != SLUICE_TYPE_STRING) {
                    return fail(err, errlen, "Invalid map key: expected a string", NULL);
                }
                sl_json_write_string(out, k->u.s.p, k->u.s.len);
                sl_buf_putc(out, ':');
            } else {
                sl_buf_putc(out, '[');
                if (write_payload(c, s ? s->keys : NULL, k, out, err, errlen) != 0) {
                    return -1;
                }
                sl_buf_putc(out, ',');
            }
            if (write_payload(c, s ? s->values : NULL, v->u.map.vals[i], out, err, errlen) != 0) {
                return -1;
            }
            if (!objmode) {
                sl_buf_putc(out, ']');
            }
        }
        sl_buf_putc(out, objmode ? '}' : ']');
        return 0;
    }
    case SLUICE_TYPE_STRUCT:
        if (s == NULL) {
            return fail(err, errlen, "Struct value without a schema", NULL);
        }
        sl_buf_putc(out, '{');
        for (size_t i = 0; i < s->nfields; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            sl_json_write_string(out, s->fields[i].name, strlen(s->fields[i].name));
            sl_buf_putc(out, ':');
            const sl_value *fv = i < v->u.arr.n ? v->u.arr.items[i] : NULL;
            if (write_payload(c, s->fields[i].schema, fv, out, err, errlen) != 0) {
                return -1;
            }
        }
        sl_buf_putc(out, '}');
        return 0;
    default:
        return fail(err, errlen, "Unknown value type", NULL);
    }
}

int sl_jsonconv_from_connect(sl_jsonconv *c, const sl_schema *schema, const sl_value *value,
                             sl_buf *out, bool *is_null, char *err, size_t errlen)
{
    *is_null = false;
    if (schema == NULL && value == NULL) {
        *is_null = true;
        return 0;
    }
    size_t mark = out->len;
    int rc;
    if (!c->o.schemas_enable) {
        rc = write_payload(c, schema, value, out, err, errlen);
    } else {
        sl_buf_puts(out, "{\"schema\":");
        if (schema != NULL) {
            sl_jsonconv_write_schema(c, schema, out);
        } else {
            sl_buf_puts(out, "null");
        }
        sl_buf_puts(out, ",\"payload\":");
        rc = write_payload(c, schema, value, out, err, errlen);
        sl_buf_putc(out, '}');
    }
    if (rc != 0 && out->data != NULL) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}

/* ---- StringConverter, ByteArrayConverter ---- */

int sl_stringconv_to_connect(sl_arena *a, const void *data, size_t len, const sl_schema **schema,
                             const sl_value **value)
{
    *schema = sl_schema_primitive(SLUICE_TYPE_STRING, true);
    *value = data == NULL ? NULL : sl_value_new_string(a, *schema, data, len);
    return 0;
}

int sl_stringconv_from_connect(const sl_schema *schema, const sl_value *value, sl_buf *out,
                               bool *is_null, char *err, size_t errlen)
{
    *is_null = value == NULL;
    if (value == NULL) {
        return 0;
    }
    if (value->type == SLUICE_TYPE_STRING) {
        sl_buf_append(out, value->u.s.p, value->u.s.len);
    } else {
        sl_value_to_json(value, out); /* stands in for Java's toString() */
    }
    return 0;
}

int sl_bytesconv_to_connect(sl_arena *a, const void *data, size_t len, const sl_schema **schema,
                            const sl_value **value)
{
    *schema = sl_schema_primitive(SLUICE_TYPE_BYTES, true);
    *value = data == NULL ? NULL : sl_value_new_bytes(a, *schema, data, len);
    return 0;
}

int sl_bytesconv_from_connect(const sl_schema *schema, const sl_value *value, sl_buf *out,
                              bool *is_null, char *err, size_t errlen)
{
    if (schema != NULL && schema->type != SLUICE_TYPE_BYTES) {
        return fail(err, errlen, "Invalid schema type for ByteArrayConverter: ",
                    sl_type_java_name(schema->type));
    }
    *is_null = value == NULL;
    if (value == NULL) {
        return 0;
    }
    if (value->type != SLUICE_TYPE_BYTES) {
        return fail(err, errlen, "ByteArrayConverter is not compatible with objects of type ",
                    sl_type_java_name(value->type));
    }
    sl_buf_append(out, value->u.s.p, value->u.s.len);
    return 0;
}
