/*
 * convert.h — converters as a task uses them: resolve key.converter / value.converter (connector
 * override, else worker), build the instance with its `*.converter.*` keys, and turn Kafka bytes
 * into Connect data in the batch arena. Header values use SimpleHeaderConverter semantics.
 */
#ifndef SL_CONVERT_H
#define SL_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/props.h"
#include "data/value.h"

typedef struct sl_converter sl_converter;

/*
 * is_key selects key.converter vs value.converter. The converter class comes from the connector
 * config when it sets it (then its "<key|value>.converter.*" keys come from the connector config
 * too), else from the worker config. NULL with err (unknown class, bad config).
 */
sl_converter *sl_converter_new(const sl_props *connector, const sl_props *worker, bool is_key,
                               const char *connector_name, int32_t task_id, char *err,
                               size_t errlen);
void sl_converter_free(sl_converter *c);
const char *sl_converter_class(const sl_converter *c); /* for error context / DLQ headers */
/*
 * Bytes → data. data NULL = Kafka null. Results are batch memory in `arena` (or cached schemas).
 * SLUICE_OK, or SLUICE_ERR with a readable message in err.
 */
sluice_rc sl_converter_to_connect(sl_converter *c, sl_arena *arena, const char *topic,
                                  const void *data, size_t len, const sl_schema **schema,
                                  const sl_value **value, char *err, size_t errlen);
/* Data → bytes (appended to out); *is_null when the result is a Kafka null. */
sluice_rc sl_converter_from_connect(sl_converter *c, const char *topic, const sl_schema *schema,
                                    const sl_value *value, sl_buf *out, bool *is_null, char *err,
                                    size_t errlen);

/* SimpleHeaderConverter: header bytes → a value (string when UTF-8 text; NULL for null). */
const sl_value *sl_header_to_connect(sl_arena *arena, const void *data, size_t len);

#endif
