/*
 * host_api.c — the host-services table (struct sluice_host_api v1.0) handed to every plugin and
 * used by the built-ins. Each member is a thin static adapter over the worker's data model
 * (value.h), config engine (config.h), ctx (ctx.h) and the task's offset map (task/offsets.h). It
 * must never hold state of its own, never leave a member NULL, and never let a plugin free host
 * memory with its own allocator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "task/offsets.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- logging and errors ---- */

static int h_log_enabled(sluice_ctx *ctx, int level)
{
    return level <= sl_log_threshold;
}

static void h_log(sluice_ctx *ctx, int level, const char *fmt, ...)
{
    if (level > sl_log_threshold) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    const char *prefix = (ctx != NULL && ctx->log_prefix[0] != '\0') ? ctx->log_prefix : NULL;
    sl_log_writev(level < SL_LOG_ERROR ? SL_LOG_ERROR : level, prefix, fmt, ap);
    va_end(ap);
}

static void h_set_error(sluice_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ctx == NULL) {
        sl_log_writev(SL_LOG_ERROR, NULL, fmt, ap);
    } else {
        vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
        ctx->has_error = 1;
    }
    va_end(ap);
}

/* ---- memory ---- */

static void *h_alloc(size_t size)
{
    return sl_xmalloc(size);
}

static void *h_calloc(size_t n, size_t size)
{
    return sl_xcalloc(n, size);
}

static void *h_realloc(void *p, size_t size)
{
    return sl_xrealloc(p, size);
}

static void h_free(void *p)
{
    free(p);
}

static char *h_strdup(const char *s)
{
    return s != NULL ? sl_xstrdup(s) : NULL;
}

static void *h_batch_alloc(sluice_ctx *ctx, size_t size)
{
    return sl_arena_alloc(sl_ctx_batch_arena(ctx), size);
}

/* ---- config ---- */

static const char *h_cfg_string(const sluice_config *cfg, const char *key)
{
    return sl_config_string(cfg, key);
}

static int64_t h_cfg_long(const sluice_config *cfg, const char *key)
{
    return sl_config_long(cfg, key);
}

static double h_cfg_double(const sluice_config *cfg, const char *key)
{
    return sl_config_double(cfg, key);
}

static int h_cfg_bool(const sluice_config *cfg, const char *key)
{
    return sl_config_bool(cfg, key) ? 1 : 0;
}

static size_t h_cfg_list_len(const sluice_config *cfg, const char *key)
{
    return sl_config_list_len(cfg, key);
}

static const char *h_cfg_list_at(const sluice_config *cfg, const char *key, size_t i)
{
    return sl_config_list_at(cfg, key, i);
}

static int h_cfg_is_set(const sluice_config *cfg, const char *key)
{
    return sl_config_is_set(cfg, key) ? 1 : 0;
}

static size_t h_cfg_count(const sluice_config *cfg)
{
    return sl_config_count(cfg);
}

static const char *h_cfg_key_at(const sluice_config *cfg, size_t i)
{
    return sl_config_key_at(cfg, i);
}

static const char *h_cfg_value_at(const sluice_config *cfg, size_t i)
{
    return sl_config_value_at(cfg, i);
}

static void h_validation_error(sluice_validation *v, const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sl_validation_add_error(v, key, "%s", msg);
}

static void h_validation_warning(sluice_validation *v, const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sl_warn("Connector configuration %s: %s", key != NULL ? key : "(config)", msg);
}

/* ---- records: read ---- */

static const char *h_rec_topic(const sluice_record *r)
{
    return r->topic;
}

static int32_t h_rec_partition(const sluice_record *r)
{
    return r->partition;
}

static int64_t h_rec_offset(const sluice_record *r)
{
    return r->offset;
}

static int64_t h_rec_timestamp(const sluice_record *r)
{
    return r->timestamp;
}

static const sluice_schema *h_rec_key_schema(const sluice_record *r)
{
    return r->key_schema;
}

static const sluice_value *h_rec_key(const sluice_record *r)
{
    return r->key;
}

static const sluice_schema *h_rec_value_schema(const sluice_record *r)
{
    return r->value_schema;
}

static const sluice_value *h_rec_value(const sluice_record *r)
{
    return r->value;
}

static size_t h_rec_header_count(const sluice_record *r)
{
    return r->nheaders;
}

static const char *h_rec_header_key(const sluice_record *r, size_t i)
{
    return i < r->nheaders ? r->headers[i].key : NULL;
}

static const sluice_value *h_rec_header_value(const sluice_record *r, size_t i)
{
    return i < r->nheaders ? r->headers[i].value : NULL;
}

static const void *h_rec_raw_key(const sluice_record *r, size_t *len)
{
    if (len != NULL) {
        *len = r->raw_key != NULL ? r->raw_key_len : 0;
    }
    return r->raw_key;
}

static const void *h_rec_raw_value(const sluice_record *r, size_t *len)
{
    if (len != NULL) {
        *len = r->raw_value != NULL ? r->raw_value_len : 0;
    }
    return r->raw_value;
}

/* ---- records: changes ---- */

static void h_rec_set_topic(sluice_ctx *ctx, sluice_record *r, const char *topic)
{
    if (topic == NULL) {
        return; /* a record always has a topic */
    }
    r->topic = sl_arena_strdup(sl_ctx_batch_arena(ctx), topic);
}

static void h_rec_set_key(sluice_ctx *ctx, sluice_record *r, const sluice_schema *schema,
                          const sluice_value *value)
{
    r->key_schema = schema;
    r->key = value;
}

static void h_rec_set_value(sluice_ctx *ctx, sluice_record *r, const sluice_schema *schema,
                            const sluice_value *value)
{
    r->value_schema = schema;
    r->value = value;
}

static void h_rec_set_timestamp(sluice_record *r, int64_t ts_ms)
{
    r->timestamp = ts_ms;
}

static void h_rec_header_add(sluice_ctx *ctx, sluice_record *r, const char *key,
                             const sluice_value *value)
{
    if (key == NULL) {
        return;
    }
    sl_arena *a = sl_ctx_batch_arena(ctx);
    sl_record_add_header(a, r, sl_arena_strdup(a, key), value);
}

static size_t h_rec_header_remove(sluice_record *r, const char *key)
{
    return sl_record_remove_headers(r, key);
}

static sluice_record *h_rec_derive(sluice_ctx *ctx, const sluice_record *base, const char *topic,
                                   const sluice_schema *key_schema, const sluice_value *key,
                                   const sluice_schema *value_schema, const sluice_value *value)
{
    sl_arena *a = sl_ctx_batch_arena(ctx);
    sl_record *r = sl_record_copy(a, base);
    if (topic != NULL && topic != base->topic) {
        r->topic = sl_arena_strdup(a, topic);
    }
    r->key_schema = key_schema;
    r->key = key;
    r->value_schema = value_schema;
    r->value = value;
    return r;
}

/* ---- values: read ---- */

static int is_int_type(int t)
{
    return t >= SLUICE_TYPE_INT8 && t <= SLUICE_TYPE_INT64;
}

static int is_float_type(int t)
{
    return t == SLUICE_TYPE_FLOAT32 || t == SLUICE_TYPE_FLOAT64;
}

static int h_val_type(const sluice_value *v)
{
    return v != NULL ? v->type : SLUICE_TYPE_NULL;
}

static const sluice_schema *h_val_schema(const sluice_value *v)
{
    return v != NULL ? v->schema : NULL;
}

static int64_t h_val_int(const sluice_value *v)
{
    if (v == NULL) {
        return 0;
    }
    if (is_int_type(v->type)) {
        return v->u.i;
    }
    if (v->type == SLUICE_TYPE_BOOLEAN) {
        return v->u.b ? 1 : 0;
    }
    if (is_float_type(v->type)) {
        return (int64_t)v->u.d;
    }
    return 0;
}

static double h_val_double(const sluice_value *v)
{
    if (v == NULL) {
        return 0.0;
    }
    if (is_float_type(v->type)) {
        return v->u.d;
    }
    if (is_int_type(v->type)) {
        return (double)v->u.i;
    }
    return 0.0;
}

static int h_val_bool(const sluice_value *v)
{
    if (v == NULL) {
        return 0;
    }
    if (v->type == SLUICE_TYPE_BOOLEAN) {
        return v->u.b ? 1 : 0;
    }
    if (is_int_type(v->type)) {
        return v->u.i != 0;
    }
    return 0;
}

static const char *h_val_string(const sluice_value *v, size_t *len)
{
    if (v == NULL || (v->type != SLUICE_TYPE_STRING && v->type != SLUICE_TYPE_BYTES)) {
        if (len != NULL) {
            *len = 0;
        }
        return NULL;
    }
    if (len != NULL) {
        *len = v->u.s.len;
    }
    return v->u.s.p;
}

static const void *h_val_bytes(const sluice_value *v, size_t *len)
{
    return h_val_string(v, len);
}

static size_t h_val_len(const sluice_value *v)
{
    if (v == NULL) {
        return 0;
    }
    switch (v->type) {
    case SLUICE_TYPE_ARRAY:
    case SLUICE_TYPE_STRUCT:
        return v->u.arr.n;
    case SLUICE_TYPE_MAP:
        return v->u.map.n;
    default:
        return 0;
    }
}

static const sluice_value *non_null(const sluice_value *v)
{
    return (v == NULL || v->type == SLUICE_TYPE_NULL) ? NULL : v;
}

static const sluice_value *h_val_at(const sluice_value *v, size_t i)
{
    if (v == NULL || i >= h_val_len(v)) {
        return NULL;
    }
    if (v->type == SLUICE_TYPE_MAP) {
        return non_null(v->u.map.vals[i]);
    }
    return non_null(v->u.arr.items[i]);
}

static const sluice_value *h_val_map_key(const sluice_value *v, size_t i)
{
    if (v == NULL || v->type != SLUICE_TYPE_MAP || i >= v->u.map.n) {
        return NULL;
    }
    return non_null(v->u.map.keys[i]);
}

static const sluice_value *h_val_get(const sluice_value *v, const char *name)
{
    if (v == NULL || name == NULL) {
        return NULL;
    }
    return non_null(sl_value_get(v, name));
}

static const char *h_val_name_at(const sluice_value *v, size_t i)
{
    if (v == NULL) {
        return NULL;
    }
    if (v->type == SLUICE_TYPE_STRUCT) {
        if (v->schema == NULL || i >= v->schema->nfields) {
            return NULL;
        }
        return v->schema->fields[i].name;
    }
    if (v->type == SLUICE_TYPE_MAP && i < v->u.map.n) {
        const sl_value *k = v->u.map.keys[i];
        if (k != NULL && k->type == SLUICE_TYPE_STRING) {
            return k->u.s.p;
        }
    }
    return NULL;
}

/* ---- values: construction (batch memory) ---- */

static sluice_value *h_val_new_int(sluice_ctx *ctx, int type, int64_t x)
{
    if (!is_int_type(type)) {
        type = SLUICE_TYPE_INT64;
    }
    return sl_value_new_int(sl_ctx_batch_arena(ctx), NULL, type, x);
}

static sluice_value *h_val_new_double(sluice_ctx *ctx, int type, double x)
{
    if (!is_float_type(type)) {
        type = SLUICE_TYPE_FLOAT64;
    }
    return sl_value_new_double(sl_ctx_batch_arena(ctx), NULL, type, x);
}

static sluice_value *h_val_new_bool(sluice_ctx *ctx, int b)
{
    return sl_value_new_bool(sl_ctx_batch_arena(ctx), NULL, b != 0);
}

static sluice_value *h_val_new_string(sluice_ctx *ctx, const char *s, size_t len)
{
    return sl_value_new_string(sl_ctx_batch_arena(ctx), NULL, s, len);
}

static sluice_value *h_val_new_bytes(sluice_ctx *ctx, const void *p, size_t len)
{
    return sl_value_new_bytes(sl_ctx_batch_arena(ctx), NULL, p, len);
}

static sluice_value *h_val_new_struct(sluice_ctx *ctx, const sluice_schema *schema)
{
    return sl_value_new_struct(sl_ctx_batch_arena(ctx), schema);
}

static void h_val_struct_set(sluice_value *st, size_t field_index, const sluice_value *v)
{
    if (st != NULL && st->type == SLUICE_TYPE_STRUCT && field_index < st->u.arr.n) {
        st->u.arr.items[field_index] = v;
    }
}

static sluice_value *h_val_new_array(sluice_ctx *ctx, const sluice_schema *schema, size_t n)
{
    return sl_value_new_array(sl_ctx_batch_arena(ctx), schema, n);
}

static void h_val_array_set(sluice_value *arr, size_t i, const sluice_value *v)
{
    if (arr != NULL && arr->type == SLUICE_TYPE_ARRAY && i < arr->u.arr.n) {
        arr->u.arr.items[i] = v;
    }
}

static sluice_value *h_val_new_map(sluice_ctx *ctx, const sluice_schema *schema, size_t n)
{
    return sl_value_new_map(sl_ctx_batch_arena(ctx), schema, n);
}

static void h_val_map_set(sluice_value *map, size_t i, const sluice_value *k, const sluice_value *v)
{
    if (map != NULL && map->type == SLUICE_TYPE_MAP && i < map->u.map.n) {
        map->u.map.keys[i] = k;
        map->u.map.vals[i] = v;
    }
}

static sluice_rc h_val_to_json(const sluice_value *v, sluice_buf *out)
{
    if (v == NULL || v->type == SLUICE_TYPE_NULL) {
        sl_buf_append(out, "null", 4);
        return SLUICE_OK;
    }
    sl_value_to_json(v, out);
    return SLUICE_OK;
}

/* ---- schemas: read ---- */

static int h_schema_type(const sluice_schema *s)
{
    return s != NULL ? s->type : SLUICE_TYPE_NULL;
}

static int h_schema_optional(const sluice_schema *s)
{
    return s != NULL ? s->optional : 1;
}

static const char *h_schema_name(const sluice_schema *s)
{
    return s != NULL ? s->name : NULL;
}

static int32_t h_schema_version(const sluice_schema *s)
{
    return s != NULL ? s->version : 0;
}

static const char *h_schema_doc(const sluice_schema *s)
{
    return s != NULL ? s->doc : NULL;
}

static const char *h_schema_param(const sluice_schema *s, const char *key)
{
    return s != NULL ? sl_schema_param(s, key) : NULL;
}

static const sluice_value *h_schema_default(const sluice_schema *s)
{
    return (s != NULL && s->has_default) ? s->def : NULL;
}

static int h_schema_logical(const sluice_schema *s)
{
    return s != NULL ? s->logical : SLUICE_LOGICAL_NONE;
}

static int32_t h_schema_decimal_scale(const sluice_schema *s)
{
    return s != NULL ? s->scale : 0;
}

static size_t h_schema_field_count(const sluice_schema *s)
{
    return (s != NULL && s->type == SLUICE_TYPE_STRUCT) ? s->nfields : 0;
}

static const char *h_schema_field_name(const sluice_schema *s, size_t i)
{
    return i < h_schema_field_count(s) ? s->fields[i].name : NULL;
}

static const sluice_schema *h_schema_field_schema(const sluice_schema *s, size_t i)
{
    return i < h_schema_field_count(s) ? s->fields[i].schema : NULL;
}

static int64_t h_schema_field_index(const sluice_schema *s, const char *name)
{
    if (s == NULL || name == NULL) {
        return -1;
    }
    return sl_schema_field_index(s, name);
}

static const sluice_schema *h_schema_items(const sluice_schema *s)
{
    return s != NULL ? s->items : NULL;
}

static const sluice_schema *h_schema_keys(const sluice_schema *s)
{
    return s != NULL ? s->keys : NULL;
}

static const sluice_schema *h_schema_values(const sluice_schema *s)
{
    return s != NULL ? s->values : NULL;
}

static uint64_t h_schema_id(const sluice_schema *s)
{
    return s != NULL ? s->id : 0;
}

/* ---- schemas: construction (instance arena) ---- */

static sluice_schema *h_schema_new(sluice_ctx *ctx, int type, int optional, const char *name)
{
    return sl_schema_new(ctx->instance, type, optional != 0, name);
}

static void h_schema_set_param(sluice_ctx *ctx, sluice_schema *s, const char *key, const char *val)
{
    sl_schema_set_param(ctx->instance, s, key, val);
}

static void h_schema_add_field(sluice_ctx *ctx, sluice_schema *s, const char *name,
                               const sluice_schema *field_schema)
{
    sl_schema_add_field(ctx->instance, s, name, field_schema);
}

static void h_schema_set_items(sluice_schema *s, const sluice_schema *items)
{
    s->items = items;
}

static void h_schema_set_map(sluice_schema *s, const sluice_schema *keys,
                             const sluice_schema *values)
{
    s->keys = keys;
    s->values = values;
}

static const sluice_schema *h_schema_primitive(int type, int optional)
{
    return sl_schema_primitive(type, optional != 0);
}

/* ---- buffers ---- */

static sluice_buf *h_buf_new(void)
{
    sl_buf *b = sl_xmalloc(sizeof(*b));
    sl_buf_init(b);
    return b;
}

static void h_buf_free(sluice_buf *b)
{
    if (b == NULL) {
        return;
    }
    sl_buf_free(b);
    free(b);
}

static void h_buf_append(sluice_buf *b, const void *p, size_t len)
{
    sl_buf_append(b, p, len);
}

static void h_buf_printf(sluice_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static const char *h_buf_data(const sluice_buf *b)
{
    return b->data != NULL ? b->data : "";
}

static size_t h_buf_len(const sluice_buf *b)
{
    return b->len;
}

static void h_buf_reset(sluice_buf *b)
{
    sl_buf_reset(b);
}

/* ---- task context ---- */

static const char *h_ctx_connector(sluice_ctx *ctx)
{
    return ctx != NULL ? ctx->connector : NULL;
}

static int32_t h_ctx_task_id(sluice_ctx *ctx)
{
    return ctx != NULL ? ctx->task_id : -1;
}

static int h_task_should_stop(sluice_ctx *ctx)
{
    if (ctx == NULL || ctx->hooks == NULL || ctx->hooks->should_stop == NULL) {
        return 0;
    }
    return ctx->hooks->should_stop(ctx->hooks_arg);
}

static void h_task_backoff(sluice_ctx *ctx, int64_t ms)
{
    if (ctx != NULL && ctx->hooks != NULL && ctx->hooks->backoff != NULL) {
        ctx->hooks->backoff(ctx->hooks_arg, ms);
    }
}

static void h_task_request_commit(sluice_ctx *ctx)
{
    if (ctx != NULL && ctx->hooks != NULL && ctx->hooks->request_commit != NULL) {
        ctx->hooks->request_commit(ctx->hooks_arg);
    }
}

static sluice_rc h_report_errant(sluice_ctx *ctx, const sluice_record *r, const char *message)
{
    if (ctx != NULL && ctx->hooks != NULL && ctx->hooks->report_errant != NULL) {
        return ctx->hooks->report_errant(ctx->hooks_arg, r, message);
    }
    /* No runtime: behave like errors.tolerance=none. */
    const char *msg = message != NULL ? message : "record rejected by the plugin";
    if (ctx != NULL) {
        snprintf(ctx->error, sizeof(ctx->error), "%s (topic %s, partition %d, offset %lld)", msg,
                 r != NULL && r->topic != NULL ? r->topic : "?", r != NULL ? (int)r->partition : -1,
                 r != NULL ? (long long)r->offset : -1LL);
        ctx->has_error = 1;
    }
    return SLUICE_ERR;
}

/* ---- offsets ---- */

static size_t h_offsets_count(const sluice_offsets *o)
{
    return o != NULL ? sl_offsets_count(o) : 0;
}

static sluice_topic_partition h_offsets_tp(const sluice_offsets *o, size_t i)
{
    sluice_topic_partition none = {NULL, -1};
    return (o != NULL && i < sl_offsets_count(o)) ? sl_offsets_tp(o, i) : none;
}

static int64_t h_offsets_get(const sluice_offsets *o, size_t i)
{
    return (o != NULL && i < sl_offsets_count(o)) ? sl_offsets_get(o, i) : -1;
}

static void h_offsets_set(sluice_offsets *o, size_t i, int64_t next_offset)
{
    if (o != NULL && i < sl_offsets_count(o)) {
        sl_offsets_set(o, i, next_offset);
    }
}

/* ---- sources ---- */

static sluice_rc h_source_emit(sluice_ctx *ctx, const char *topic, const sluice_schema *key_schema,
                               const sluice_value *key, const sluice_schema *value_schema,
                               const sluice_value *value, const char *source_partition_json,
                               const char *source_offset_json)
{
    if (ctx != NULL && ctx->hooks != NULL && ctx->hooks->source_emit != NULL) {
        return ctx->hooks->source_emit(ctx->hooks_arg, topic, key_schema, key, value_schema, value,
                                       source_partition_json, source_offset_json);
    }
    if (ctx != NULL) {
        snprintf(ctx->error, sizeof(ctx->error), "source_emit(): this host does not run sources");
        ctx->has_error = 1;
    }
    return SLUICE_ERR_UNSUPPORTED;
}

static void h_task_seek(sluice_ctx *ctx, const char *topic, int32_t partition, int64_t next_offset)
{
    if (ctx != NULL && ctx->hooks != NULL && ctx->hooks->seek != NULL && topic != NULL &&
        next_offset >= 0) {
        ctx->hooks->seek(ctx->hooks_arg, topic, partition, next_offset);
    }
}

/* ---- time and metrics ---- */

static int64_t h_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void h_metric_add(sluice_ctx *ctx, const char *name, int64_t delta)
{
    /* No metrics registry yet: plugin metrics are accepted and dropped. */
}

static const struct sluice_host_api host_api = {
    .magic = SLUICE_ABI_MAGIC,
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .struct_size = sizeof(struct sluice_host_api),

    .log_enabled = h_log_enabled,
    .log = h_log,
    .set_error = h_set_error,

    .alloc = h_alloc,
    .calloc = h_calloc,
    .realloc = h_realloc,
    .free = h_free,
    .strdup = h_strdup,
    .batch_alloc = h_batch_alloc,

    .cfg_string = h_cfg_string,
    .cfg_long = h_cfg_long,
    .cfg_double = h_cfg_double,
    .cfg_bool = h_cfg_bool,
    .cfg_list_len = h_cfg_list_len,
    .cfg_list_at = h_cfg_list_at,
    .cfg_is_set = h_cfg_is_set,
    .cfg_count = h_cfg_count,
    .cfg_key_at = h_cfg_key_at,
    .cfg_value_at = h_cfg_value_at,
    .validation_error = h_validation_error,

    .rec_topic = h_rec_topic,
    .rec_partition = h_rec_partition,
    .rec_offset = h_rec_offset,
    .rec_timestamp = h_rec_timestamp,
    .rec_key_schema = h_rec_key_schema,
    .rec_key = h_rec_key,
    .rec_value_schema = h_rec_value_schema,
    .rec_value = h_rec_value,
    .rec_header_count = h_rec_header_count,
    .rec_header_key = h_rec_header_key,
    .rec_header_value = h_rec_header_value,
    .rec_raw_key = h_rec_raw_key,
    .rec_raw_value = h_rec_raw_value,

    .rec_set_topic = h_rec_set_topic,
    .rec_set_key = h_rec_set_key,
    .rec_set_value = h_rec_set_value,
    .rec_set_timestamp = h_rec_set_timestamp,
    .rec_header_add = h_rec_header_add,
    .rec_header_remove = h_rec_header_remove,
    .rec_derive = h_rec_derive,

    .val_type = h_val_type,
    .val_schema = h_val_schema,
    .val_int = h_val_int,
    .val_double = h_val_double,
    .val_bool = h_val_bool,
    .val_string = h_val_string,
    .val_bytes = h_val_bytes,
    .val_len = h_val_len,
    .val_at = h_val_at,
    .val_map_key = h_val_map_key,
    .val_get = h_val_get,
    .val_name_at = h_val_name_at,

    .val_new_int = h_val_new_int,
    .val_new_double = h_val_new_double,
    .val_new_bool = h_val_new_bool,
    .val_new_string = h_val_new_string,
    .val_new_bytes = h_val_new_bytes,
    .val_new_struct = h_val_new_struct,
    .val_struct_set = h_val_struct_set,
    .val_new_array = h_val_new_array,
    .val_array_set = h_val_array_set,
    .val_new_map = h_val_new_map,
    .val_map_set = h_val_map_set,
    .val_to_json = h_val_to_json,

    .schema_type = h_schema_type,
    .schema_optional = h_schema_optional,
    .schema_name = h_schema_name,
    .schema_version = h_schema_version,
    .schema_doc = h_schema_doc,
    .schema_param = h_schema_param,
    .schema_default = h_schema_default,
    .schema_logical = h_schema_logical,
    .schema_decimal_scale = h_schema_decimal_scale,
    .schema_field_count = h_schema_field_count,
    .schema_field_name = h_schema_field_name,
    .schema_field_schema = h_schema_field_schema,
    .schema_field_index = h_schema_field_index,
    .schema_items = h_schema_items,
    .schema_keys = h_schema_keys,
    .schema_values = h_schema_values,
    .schema_id = h_schema_id,

    .schema_new = h_schema_new,
    .schema_set_param = h_schema_set_param,
    .schema_add_field = h_schema_add_field,
    .schema_set_items = h_schema_set_items,
    .schema_set_map = h_schema_set_map,
    .schema_primitive = h_schema_primitive,

    .buf_new = h_buf_new,
    .buf_free = h_buf_free,
    .buf_append = h_buf_append,
    .buf_printf = h_buf_printf,
    .buf_data = h_buf_data,
    .buf_len = h_buf_len,
    .buf_reset = h_buf_reset,

    .ctx_connector = h_ctx_connector,
    .ctx_task_id = h_ctx_task_id,
    .task_should_stop = h_task_should_stop,
    .task_backoff = h_task_backoff,
    .task_request_commit = h_task_request_commit,
    .report_errant = h_report_errant,

    .offsets_count = h_offsets_count,
    .offsets_tp = h_offsets_tp,
    .offsets_get = h_offsets_get,
    .offsets_set = h_offsets_set,

    .source_emit = h_source_emit,

    .now_ms = h_now_ms,
    .metric_add = h_metric_add,

    .task_seek = h_task_seek,
    .validation_warning = h_validation_warning,
};

const struct sluice_host_api *sl_host_api(void)
{
    return &host_api;
}
