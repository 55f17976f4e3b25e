/*
 * json_converter.h — JsonConverter (org.apache.kafka.connect.json.JsonConverter) as plain C:
 * bytes ↔ Connect data with Java's exact wire format, and the per-instance schema cache.
 * Used by the built-in component glue (builtin.c) and by tests. Never uses jansson.
 */
#ifndef SL_JSON_CONVERTER_H
#define SL_JSON_CONVERTER_H

#include <stdbool.h>
#include <stddef.h>

#include "data/value.h"

struct sl_jsonconv_opts {
    bool schemas_enable;  /* schemas.enable (default true) */
    bool decimal_numeric; /* decimal.format=NUMERIC (default BASE64) */
    bool replace_null;    /* replace.null.with.default (default true) */
    size_t cache_size;    /* schemas.cache.size (default 1000) */
};

typedef struct sl_jsonconv sl_jsonconv;

void sl_jsonconv_default_opts(struct sl_jsonconv_opts *o);
sl_jsonconv *sl_jsonconv_new(const struct sl_jsonconv_opts *o); /* transferred */
void sl_jsonconv_free(sl_jsonconv *c);                          /* accepts NULL */
/* Bytes → data in `a` (schemas from the cache or `a`). data NULL = tombstone → NULL/NULL.
 * 0, or -1 with a message in err. */
int sl_jsonconv_to_connect(sl_jsonconv *c, sl_arena *a, const void *data, size_t len,
                           const sl_schema **schema, const sl_value **value, char *err,
                           size_t errlen);
/* Data → bytes appended to out; *is_null when the result is a Kafka null. 0 or -1 with err. */
int sl_jsonconv_from_connect(sl_jsonconv *c, const sl_schema *schema, const sl_value *value,
                             sl_buf *out, bool *is_null, char *err, size_t errlen);
/* Java's asJsonSchema text of a schema (appended). */
void sl_jsonconv_write_schema(const sl_jsonconv *c, const sl_schema *s, sl_buf *out);
size_t sl_jsonconv_cached_schemas(const sl_jsonconv *c);

/* StringConverter / ByteArrayConverter in plain C. */
int sl_stringconv_to_connect(sl_arena *a, const void *data, size_t len, const sl_schema **schema,
                             const sl_value **value);
int sl_stringconv_from_connect(const sl_schema *schema, const sl_value *value, sl_buf *out,
                               bool *is_null, char *err, size_t errlen);
int sl_bytesconv_to_connect(sl_arena *a, const void *data, size_t len, const sl_schema **schema,
                            const sl_value **value);
int sl_bytesconv_from_connect(const sl_schema *schema, const sl_value *value, sl_buf *out,
                              bool *is_null, char *err, size_t errlen);

#endif
