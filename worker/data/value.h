/*
 * value.h — the Connect data model inside the worker: schemas, values and records.
 * These structs are the definitions behind the ABI's opaque sluice_schema / sluice_value /
 * sluice_record; only the worker sees them. Values and records live in a per-batch arena; schemas
 * live in a long-lived arena (converter schema cache, transform instance) and carry a unique id.
 * Nothing here may call malloc per record or touch jansson.
 */
#ifndef SL_VALUE_H
#define SL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sluice/plugin.h"
#include "util/buf.h"
#include "util/mem.h"

typedef struct sluice_schema sl_schema;
typedef struct sluice_value sl_value;
typedef struct sluice_record sl_record;

struct sl_field {
    const char *name;
    const sl_schema *schema;
};

struct sluice_schema {
    uint8_t type;     /* enum sluice_type (never NULL) */
    uint8_t optional; /* 0/1 */
    uint8_t logical;  /* enum sluice_logical, derived from name */
    uint8_t has_default;
    int32_t version;  /* 0: absent */
    int32_t scale;    /* Decimal scale */
    uint64_t id;      /* process-unique, from sl_schema_next_id() */
    const char *name; /* NULL: absent */
    const char *doc;
    size_t nparams;
    const char **param_keys; /* insertion order */
    const char **param_vals;
    const sl_value *def;     /* default value, when has_default (may be NULL = default null) */
    const sl_schema *items;  /* ARRAY */
    const sl_schema *keys;   /* MAP */
    const sl_schema *values; /* MAP */
    size_t nfields;          /* STRUCT */
    size_t fields_cap;
    struct sl_field *fields;
};

struct sluice_value {
    uint8_t type;            /* enum sluice_type; SLUICE_TYPE_NULL for an explicit null item */
    const sl_schema *schema; /* NULL when schemaless */
    union {
        int64_t i; /* INT8..INT64 */
        double d;  /* FLOAT32, FLOAT64 */
        int b;     /* BOOLEAN */
        struct {
            const char *p; /* STRING: NUL-terminated; BYTES: raw */
            size_t len;
        } s;
        struct {
            const sl_value *
                *items; /* ARRAY items; STRUCT fields in schema order. NULL item = null */
            size_t n;
        } arr;
        struct {
            const sl_value **keys;
            const sl_value **vals;
            size_t n;
        } map;
    } u;
};

struct sl_header {
    const char *key;
    const sl_value *value; /* NULL: null header value */
};

struct sluice_record {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp;      /* ms; -1 when absent */
    int32_t timestamp_type; /* 0 none, 1 create time, 2 log append time */
    const sl_schema *key_schema;
    const sl_value *key;
    const sl_schema *value_schema;
    const sl_value *value;
    struct sl_header *headers;
    size_t nheaders;
    size_t headers_cap;
    /* The original consumed bytes (for the DLQ and byte pass-through sinks). */
    const void *raw_key;
    size_t raw_key_len;
    const void *raw_value;
    size_t raw_value_len;
    /* Original Kafka headers as consumed (rd_kafka_headers_t *), borrowed for the batch; or NULL.
     */
    const void *raw_headers;
};

/* ---- schemas (allocated in a long-lived arena `a`) ---- */

uint64_t sl_schema_next_id(void);
/* Shared immutable primitive schemas, e.g. sl_schema_primitive(SLUICE_TYPE_STRING, true). */
const sl_schema *sl_schema_primitive(int type, bool optional);
/* name may be NULL; sets logical from a Connect logical name. */
sl_schema *sl_schema_new(sl_arena *a, int type, bool optional, const char *name);
void sl_schema_set_param(sl_arena *a, sl_schema *s, const char *key, const char *val);
const char *sl_schema_param(const sl_schema *s, const char *key);
void sl_schema_add_field(sl_arena *a, sl_schema *s, const char *name, const sl_schema *fs);
int64_t sl_schema_field_index(const sl_schema *s, const char *name); /* -1 when absent */
/* Deep copy into `a` (new ids), e.g. to make an arena schema long-lived. */
sl_schema *sl_schema_copy(sl_arena *a, const sl_schema *s);
/* Structural equality (types, names, params, fields, optional, version). */
bool sl_schema_equal(const sl_schema *x, const sl_schema *y);

/* ---- values (usually in the batch arena) ---- */

sl_value *sl_value_new_int(sl_arena *a, const sl_schema *s, int type, int64_t x);
sl_value *sl_value_new_double(sl_arena *a, const sl_schema *s, int type, double x);
sl_value *sl_value_new_bool(sl_arena *a, const sl_schema *s, bool b);
sl_value *sl_value_new_string(sl_arena *a, const sl_schema *s, const char *p,
                              size_t len); /* copies */
sl_value *sl_value_new_bytes(sl_arena *a, const sl_schema *s, const void *p,
                             size_t len); /* copies */
/* Wrap without copying: p must outlive the value (e.g. points into the batch's message bytes). */
sl_value *sl_value_wrap_string(sl_arena *a, const sl_schema *s, const char *p, size_t len);
sl_value *sl_value_new_struct(sl_arena *a, const sl_schema *s); /* every field NULL */
sl_value *sl_value_new_array(sl_arena *a, const sl_schema *s, size_t n);
sl_value *sl_value_new_map(sl_arena *a, const sl_schema *s, size_t n);
const sl_value *sl_value_get(const sl_value *v,
                             const char *name); /* struct field / string map key */
/* Schemaless JSON (JsonConverter schemas.enable=false style; bytes Base64, Decimal numeric). */
void sl_value_to_json(const sl_value *v, sl_buf *out);
/* Deep structural equality. */
bool sl_value_equal(const sl_value *x, const sl_value *y);

/* ---- records ---- */

sl_record *sl_record_new(sl_arena *a);
void sl_record_add_header(sl_arena *a, sl_record *r, const char *key, const sl_value *v);
size_t sl_record_remove_headers(sl_record *r, const char *key);
/* Shallow copy: same coordinates, raw bytes and header list copy. */
sl_record *sl_record_copy(sl_arena *a, const sl_record *r);

/* ---- helpers shared by converters and sinks ---- */

/* Base64 (standard alphabet, padding). Encode appends to out; decode returns -1 on bad input. */
void sl_base64_encode(const void *p, size_t len, sl_buf *out);
ssize_t sl_base64_decode(const char *s, size_t len, unsigned char *out, size_t outcap);
/* Decimal: unscaled big-endian two's complement bytes + scale → canonical text ("-1.05", "0.00").
 */
void sl_decimal_to_text(const unsigned char *p, size_t len, int32_t scale, sl_buf *out);

/* ---- JSON text helpers (Jackson-compatible output) ---- */

/* A JSON string literal with Jackson's escaping (quotes, backslash, control characters). */
void sl_json_write_string(sl_buf *out, const char *s, size_t len);
/* A number as Java's Double.toString / Float.toString prints it ("1.0", "1.0E10"); NaN and
 * infinities as Jackson's quoted strings. */
void sl_json_write_double(sl_buf *out, double d, bool is_float);
/* Decimal as Java's BigDecimal.toString() ("1234.50", "1E+3", "1E-7"): JsonConverter NUMERIC. */
void sl_decimal_to_java_text(const unsigned char *p, size_t len, int32_t scale, sl_buf *out);
/* Number text ("12.5", "-1e3") → unscaled two's complement bytes at `scale` in `a`. -1 when the
 * text is not a number or would lose non-zero digits at that scale. */
int sl_decimal_from_text(sl_arena *a, const char *txt, size_t len, int32_t scale,
                         const unsigned char **out, size_t *outlen);
/* "int8" ... "struct" (JsonConverter schema names); type from such a name, or -1. */
const char *sl_type_json_name(int type);
int sl_type_from_json_name(const char *name, size_t len);
/* "INT8" ... "STRUCT" (Java's Schema.Type names, for error messages). */
const char *sl_type_java_name(int type);
/* Deep copy of a value into `a` (schemas are shared, not copied). NULL → NULL. */
sl_value *sl_value_copy(sl_arena *a, const sl_value *v);

#endif
