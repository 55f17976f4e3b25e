/*
 * cdc.h — Debezium change events as a sink needs them, shared by the Redis, ClickHouse and
 * BigQuery sinks (a static convenience library linked into each plugin; it uses only the host
 * table, never the worker).
 *
 * One call classifies a record: an upsert of a row image, a delete of a key, a truncate, or
 * something that is not data (schema-change, heartbeat and transaction-metadata events, logical
 * messages). It recognises, as they come (shared/reference/sinks.md §5):
 *  - Debezium envelopes {before, after, source, op, ...}, with a schema or schemaless, and a
 *    {"schema":..,"payload":..} wrapper that reached us through schemas.enable=false;
 *  - rows already unwrapped by ExtractNewRecordState, including its rewrite mode (`__deleted`
 *    "true" means delete; `__op`, `__lsn`, `__source_*` added fields are used when present);
 *  - the three "null value" forms (Kafka tombstone; null payload with a schema; the JSON literal
 *    null): deletes of the record key, never blank rows.
 * It also gives the change's position in the source log as an unsigned 63-bit version that grows
 * with the source's commit order, for last-writer-wins by *source* position, never by arrival:
 *  - Postgres: source.lsn (or an unwrapped `__lsn` / `__source_lsn`);
 *  - MySQL: binlog file index (19 bits) << 44 | pos (32 bits) << 12 | row (12 bits);
 *  - otherwise the Kafka offset (ordered within one partition only).
 * Everything it returns is borrowed from the record (valid while the record is).
 */
#ifndef SL_PLUGIN_CDC_H
#define SL_PLUGIN_CDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sluice/plugin.h>

/* What a record means for the target table. */
enum sl_cdc_kind {
    SL_CDC_UPSERT = 1,   /* write `row` (c, r, u, an unwrapped row) */
    SL_CDC_DELETE = 2,   /* delete the row with this key (d, tombstones, null values) */
    SL_CDC_TRUNCATE = 3, /* t: empty `table` */
    SL_CDC_SKIP = 4,     /* not data: `reason` says why */
};

/* How records are interpreted (the sinks' "cdc mode" key). */
enum sl_cdc_mode {
    SL_CDC_MODE_AUTO = 0,     /* envelopes and unwrapped rows recognised as they come */
    SL_CDC_MODE_DEBEZIUM = 1, /* like auto, but a value that is not an envelope is an error */
    SL_CDC_MODE_APPEND = 2,   /* every non-null value is a row to insert as is; nulls skipped */
};

enum sl_cdc_pos_kind {
    SL_CDC_POS_OFFSET = 0, /* Kafka offset */
    SL_CDC_POS_LSN = 1,    /* Postgres LSN */
    SL_CDC_POS_BINLOG = 2, /* MySQL binlog file/pos/row */
};

typedef struct sl_cdc_opts {
    int mode;                /* enum sl_cdc_mode */
    const char *placeholder; /* NULL: "__debezium_unavailable_value" */
} sl_cdc_opts;

typedef struct sl_cdc_change {
    int kind;                        /* enum sl_cdc_kind */
    char op;                         /* 'c','r','u','d','t','m', or 0 (not an envelope) */
    const sluice_value *row;         /* UPSERT: after image / the row; DELETE: before image or
                                        the deleted row when known, else NULL */
    const sluice_schema *row_schema; /* NULL when schemaless */
    const sluice_value *key;         /* the record key (PK struct/map/primitive) or NULL */
    const sluice_schema *key_schema;
    const sluice_value *source; /* envelope's source block or NULL */
    /* Source table, database and schema: from source.{table,db,schema}, else the topic's last
     * one/two dot-separated segments (`prefix.db.table`). Not NUL-terminated: use the lengths. */
    const char *table;
    size_t table_len;
    const char *db;
    size_t db_len;
    uint64_t version;   /* position in the source log (see above) */
    int pos_kind;       /* enum sl_cdc_pos_kind */
    const char *reason; /* SKIP: "schema change event", "heartbeat", "transaction metadata",
                           "logical message", "null value without a key", ... (static) */
    /* Unwrapped rewrite mode: names of the ExtractNewRecordState bookkeeping fields present in
     * `row` (e.g. "__deleted") that a sink may drop; NULL-terminated, static strings. */
    const char *const *meta_fields;
} sl_cdc_change;

/*
 * Classify one record. Returns SLUICE_OK, or SLUICE_ERR with a one-line reason in err when the
 * record cannot be a change of the configured mode (e.g. SL_CDC_MODE_DEBEZIUM and a value that
 * is no envelope, or an envelope with an unknown op). Never allocates.
 */
sluice_rc sl_cdc_decode(const sluice_record *r, const sl_cdc_opts *o, sl_cdc_change *out, char *err,
                        size_t errlen);

/* True when v is the TOAST placeholder (string, or bytes of the same text): the source did not
 * send the column and a sink must keep what it stored. */
bool sl_cdc_is_unavailable(const sl_cdc_opts *o, const sluice_value *v);

/* Field `name` of a struct or string-keyed map value; NULL when absent. */
const sluice_value *sl_cdc_field(const sluice_value *v, const char *name);

/* ---- logical values as text (shared by every sink; no allocation) ---- */

/* Debezium/Connect logical type of a field schema, recognised by name. */
enum sl_cdc_logical {
    SL_CDC_L_NONE = 0,
    SL_CDC_L_DECIMAL,          /* org.apache.kafka.connect.data.Decimal (bytes, scale param) */
    SL_CDC_L_VARIABLE_DECIMAL, /* io.debezium.data.VariableScaleDecimal {scale, value} */
    SL_CDC_L_DATE,             /* Connect Date / io.debezium.time.Date: int32 days */
    SL_CDC_L_TIME_MILLIS,      /* Connect Time / io.debezium.time.Time: int32 ms */
    SL_CDC_L_TIME_MICROS,      /* io.debezium.time.MicroTime: int64 µs */
    SL_CDC_L_TIME_NANOS,       /* io.debezium.time.NanoTime */
    SL_CDC_L_TIMESTAMP_MILLIS, /* Connect Timestamp / io.debezium.time.Timestamp */
    SL_CDC_L_TIMESTAMP_MICROS, /* io.debezium.time.MicroTimestamp */
    SL_CDC_L_TIMESTAMP_NANOS,  /* io.debezium.time.NanoTimestamp */
    SL_CDC_L_ZONED_TIMESTAMP,  /* io.debezium.time.ZonedTimestamp: ISO-8601 string */
    SL_CDC_L_ZONED_TIME,       /* io.debezium.time.ZonedTime */
    SL_CDC_L_YEAR,             /* io.debezium.time.Year */
    SL_CDC_L_UUID,             /* io.debezium.data.Uuid */
    SL_CDC_L_JSON,             /* io.debezium.data.Json */
    SL_CDC_L_ENUM,             /* io.debezium.data.Enum */
    SL_CDC_L_ENUM_SET,         /* io.debezium.data.EnumSet */
    SL_CDC_L_BITS,             /* io.debezium.data.Bits (little-endian bytes, length param) */
    SL_CDC_L_MICRO_DURATION,   /* io.debezium.time.MicroDuration */
};
int sl_cdc_logical(const sluice_schema *s); /* SL_CDC_L_NONE for NULL */

/* Unscaled big-endian two's-complement integer + scale → exact decimal text ("-12.345", "0.05",
 * "1200"). Returns the length written (NUL-terminated), or -1 when out is too small. */
int sl_cdc_decimal_text(const void *unscaled, size_t n, int32_t scale, char *out, size_t outlen);
/* A Decimal or VariableScaleDecimal value (with its schema) → decimal text; -1 if not one. */
int sl_cdc_value_decimal_text(const sluice_value *v, const sluice_schema *s, char *out,
                              size_t outlen);
/* Days since epoch → "YYYY-MM-DD". */
int sl_cdc_date_text(int64_t days, char *out, size_t outlen);
/* Time since epoch in units of 10^-digits s (digits 0, 3, 6, 9) → "YYYY-MM-DD HH:MM:SS[.f…]"
 * (UTC, exactly `digits` fractional digits). */
int sl_cdc_timestamp_text(int64_t t, int digits, char *out, size_t outlen);
/* Time of day in units of 10^-digits s → "HH:MM:SS[.f…]". */
int sl_cdc_time_text(int64_t t, int digits, char *out, size_t outlen);

#endif
