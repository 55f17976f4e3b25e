/*
 * json_parse.h — C interface of the record JSON decoder (json_parse.cpp, over simdjson).
 * Turns JsonConverter envelopes and plain JSON into sl_value in a batch arena, and schema JSON
 * into sl_schema. One sl_jp per converter instance (not thread-safe); it reuses its parsers and
 * padded buffers, so decoding never mallocs per record once warm. Never uses jansson.
 */
#ifndef SL_JSON_PARSE_H
#define SL_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "data/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_jp sl_jp;

sl_jp *sl_jp_new(void);
void sl_jp_free(sl_jp *p); /* accepts NULL */

/*
 * Resolves the raw text of an envelope's "schema" object (borrowed for the call) to a schema that
 * outlives the batch: the converter's cache, or `batch` when not cached. NULL with err on error.
 */
typedef const sl_schema *(*sl_jp_schema_fn)(void *arg, const char *raw, size_t len, sl_arena *batch,
                                            char *err, size_t errlen);

/*
 * {"schema":..,"payload":..} with exactly those two members → schema (NULL for "schema":null)
 * and value (NULL for null) in `a`. 0, or -1 with a message in err.
 */
int sl_jp_decode_envelope(sl_jp *p, const void *data, size_t len, sl_arena *a,
                          bool replace_null_with_default, sl_jp_schema_fn schema_fn, void *arg,
                          const sl_schema **schema, const sl_value **value, char *err,
                          size_t errlen);
/* Any JSON text → schemaless value (objects → string-keyed maps, integers → INT64, other numbers
 * → FLOAT64); NULL for null. 0, or -1 with err. */
int sl_jp_decode_schemaless(sl_jp *p, const void *data, size_t len, sl_arena *a,
                            const sl_value **value, char *err, size_t errlen);
/* JSON text of a value guided by schema (NULL = schemaless). 0, or -1 with err. */
int sl_jp_decode_value(sl_jp *p, const void *data, size_t len, sl_arena *a, const sl_schema *s,
                       bool replace_null_with_default, const sl_value **value, char *err,
                       size_t errlen);
/* A JsonConverter schema object (text) → schema allocated in `a` (defaults included).
 * NULL with err (e.g. "Schema must contain 'type' field"). */
sl_schema *sl_jp_parse_schema(sl_jp *p, const char *raw, size_t len, sl_arena *a, char *err,
                              size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
