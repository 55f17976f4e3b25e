/*
 * sluice/plugin.h — the sluice plugin ABI, version 1.1.
 *
 * This is the only header a plugin includes. A plugin is a shared object that exports exactly one
 * symbol, sluice_plugin_entry(); everything it needs from the worker comes through the
 * host-services table passed to that function. It must never link against, or reach into, the
 * worker.
 *
 * Evolution rules (never break them):
 *  - public structs start with their own size and only ever grow at the end; each addition is
 * tagged "since 1.N" and a zero/NULL value of a new field means "absent";
 *  - enum and sluice_rc values are never renumbered or reused;
 *  - records, values, schemas, configs, buffers and offset maps stay opaque: add accessors, never
 * structs;
 *  - a frozen copy of every released header lives in tests/abi/ and is built against by `make
 * check`.
 *
 * Ownership vocabulary used below:
 *  - "borrowed (call)": valid until the function returns;
 *  - "borrowed (object)": valid for the life of the owning object (record: until the batch is done;
 *    config: until the instance is destroyed; schema: at least until the batch is done);
 *  - "batch memory": allocated by the host in the current batch's arena, freed by the host when the
 *    batch has been committed; never free it yourself;
 *  - "transferred": the receiver frees it with the matching host function.
 *
 * Threading: the host serialises every call on one instance (one task, one transform, one
 * converter). Different instances run concurrently on different threads. log, log_enabled,
 * alloc/free, now_ms and all read-only record/value/schema accessors are thread-safe.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versioning ------------------------------------------------------------------------------ */

#define SLUICE_ABI_MAGIC    0x534C4350u /* "SLCP" */
#define SLUICE_ABI_MAJOR    1           /* bump: every plugin must be rebuilt */
#define SLUICE_ABI_MINOR    1           /* bump: something was appended; old plugins keep working */
#define SLUICE_PLUGIN_ENTRY "sluice_plugin_entry"

/* sizeof(void *), sizeof(long) and byte order, packed; host and plugin must agree. */
#define SLUICE_ABI_FACTS                                                                           \
    ((uint16_t)((sizeof(void *) << 8) | (sizeof(long) << 1) |                                      \
                (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 1 : 0)))

#if defined(__GNUC__)
#define SLUICE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SLUICE_EXPORT            __attribute__((visibility("default")))
#else
#define SLUICE_PRINTF(fmt, args)
#define SLUICE_EXPORT
#endif

/* ---- results -----------------------------------------------------------------------------------
 */

/** Every plugin callback that can fail returns one of these. Values are fixed forever. */
typedef int32_t sluice_rc;
#define SLUICE_OK              0 /**< done */
#define SLUICE_RETRY           1 /**< transient: host backs off and redelivers the same batch */
#define SLUICE_ERR             2 /**< fatal: the task goes FAILED with the message from set_error */
#define SLUICE_ERR_CONFIG      3 /**< fatal: configuration is invalid */
#define SLUICE_ERR_NOMEM       4 /**< fatal: out of memory */
#define SLUICE_ERR_UNSUPPORTED 5 /**< fatal: the input or request is not supported */

/* ---- opaque handles -----------------------------------------------------------------------------
 */

typedef struct sluice_ctx sluice_ctx;       /**< one instance's context: log, errors, arena */
typedef struct sluice_config sluice_config; /**< resolved, typed config of one instance */
typedef struct sluice_validation sluice_validation; /**< collects validation errors */
typedef struct sluice_record sluice_record;         /**< one Kafka record (host-owned) */
typedef struct sluice_value sluice_value;           /**< a Connect data value */
typedef struct sluice_schema sluice_schema;         /**< a Connect schema */
typedef struct sluice_buf sluice_buf;               /**< a host-owned growable byte buffer */
typedef struct sluice_offsets sluice_offsets; /**< topic-partition -> next offset to consume */

/** The one public POD: a topic-partition. Strings borrowed (call). */
typedef struct sluice_topic_partition {
    const char *topic;
    int32_t partition;
} sluice_topic_partition;

/* ---- the Connect data model --------------------------------------------------------------------
 */

/** Schema / value types. SLUICE_TYPE_NULL is the type of a null value (no schema type). */
enum sluice_type {
    SLUICE_TYPE_NULL = 0,
    SLUICE_TYPE_INT8 = 1,
    SLUICE_TYPE_INT16 = 2,
    SLUICE_TYPE_INT32 = 3,
    SLUICE_TYPE_INT64 = 4,
    SLUICE_TYPE_FLOAT32 = 5,
    SLUICE_TYPE_FLOAT64 = 6,
    SLUICE_TYPE_BOOLEAN = 7,
    SLUICE_TYPE_STRING = 8,
    SLUICE_TYPE_BYTES = 9,
    SLUICE_TYPE_ARRAY = 10,
    SLUICE_TYPE_MAP = 11,
    SLUICE_TYPE_STRUCT = 12,
};

/** Kafka Connect's logical types, recognised from the schema name. */
enum sluice_logical {
    SLUICE_LOGICAL_NONE = 0,
    SLUICE_LOGICAL_DECIMAL = 1, /* org.apache.kafka.connect.data.Decimal: bytes, param "scale" */
    SLUICE_LOGICAL_DATE = 2,    /* org.apache.kafka.connect.data.Date: int32 days since epoch */
    SLUICE_LOGICAL_TIME = 3,    /* org.apache.kafka.connect.data.Time: int32 ms since midnight */
    SLUICE_LOGICAL_TIMESTAMP =
        4, /* org.apache.kafka.connect.data.Timestamp: int64 ms since epoch */
};

/* ---- logging ------------------------------------------------------------------------------------
 */

enum sluice_log_level {
    SLUICE_LOG_ERROR = 1,
    SLUICE_LOG_WARN = 2,
    SLUICE_LOG_INFO = 3,
    SLUICE_LOG_DEBUG = 4,
    SLUICE_LOG_TRACE = 5,
};

/* ---- configuration definitions ------------------------------------------------------------------
 */

enum sluice_config_type {
    SLUICE_CFG_STRING = 1,
    SLUICE_CFG_INT = 2,
    SLUICE_CFG_LONG = 3,
    SLUICE_CFG_DOUBLE = 4,
    SLUICE_CFG_BOOLEAN = 5,
    SLUICE_CFG_LIST = 6, /* comma-separated, entries trimmed */
    SLUICE_CFG_PASSWORD = 7,
    SLUICE_CFG_CLASS = 8,
};

enum sluice_config_flags {
    SLUICE_CFG_F_REQUIRED = 1u << 0,   /* no default; must be set */
    SLUICE_CFG_F_SENSITIVE = 1u << 1,  /* never logged, "[hidden]" in REST */
    SLUICE_CFG_F_DEPRECATED = 1u << 2, /* accepted, warned about */
    SLUICE_CFG_F_HIDDEN = 1u << 3,     /* not shown in docs / plugin config listings */
    SLUICE_CFG_F_HAS_RANGE = 1u << 4,  /* min/max below are honoured (INT, LONG, DOUBLE) */
    SLUICE_CFG_F_PREFIX = 1u << 5,     /* name is a prefix ("clickhouse.settings."): pass-through */
    SLUICE_CFG_F_NULL_DEFAULT = 1u << 6, /* optional, default is null (unset) */
};

enum sluice_config_importance {
    SLUICE_IMPORTANCE_HIGH = 1,
    SLUICE_IMPORTANCE_MEDIUM = 2,
    SLUICE_IMPORTANCE_LOW = 3,
};

enum sluice_config_width {
    SLUICE_WIDTH_NONE = 0,
    SLUICE_WIDTH_SHORT = 1,
    SLUICE_WIDTH_MEDIUM = 2,
    SLUICE_WIDTH_LONG = 3,
};

/**
 * One configuration key. Arrays of these end with an entry whose name is NULL. The host walks
 * arrays using the descriptor's config_def_size as the stride, so this struct may grow at the end.
 * The same table drives parsing, validation, GET /connector-plugins/{p}/config, .../validate and
 * docs.
 */
struct sluice_config_def {
    const char *name; /* Connect-compatible dotted key */
    uint32_t type;    /* enum sluice_config_type */
    uint32_t flags;   /* enum sluice_config_flags */
    const char
        *default_value;  /* text, parsed by the host with `type`; NULL with REQUIRED/NULL_DEFAULT */
    uint32_t importance; /* enum sluice_config_importance */
    const char *documentation;
    const char *group;
    int32_t order_in_group;
    uint32_t width; /* enum sluice_config_width */
    const char *display_name;
    const char *const *valid_values; /* NULL-terminated, case-insensitive enum; or NULL */
    double min, max;                 /* honoured with SLUICE_CFG_F_HAS_RANGE */
    const char *const *dependents;   /* NULL-terminated or NULL */
    const char *since;               /* plugin version that introduced the key (docs) */
};

/* ---- component kinds and their operation tables -------------------------------------------------
 */

enum sluice_component_kind {
    SLUICE_KIND_SINK = 1,
    SLUICE_KIND_SOURCE = 2,
    SLUICE_KIND_TRANSFORM = 3,
    SLUICE_KIND_PREDICATE = 4,
    SLUICE_KIND_CONVERTER = 5,
    SLUICE_KIND_CONFIG_PROVIDER = 6,
};

/**
 * A sink: Connect's SinkConnector and SinkTask rolled together. One instance per task.
 * Call order: create → open → (put → pre_commit)* → close → destroy. open/close are called again on
 * every rebalance. The host commits an offset only after put() returned OK for the records before
 * it and pre_commit() (if present) returned OK.
 */
struct sluice_sink_ops {
    uint32_t struct_size; /* sizeof(struct sluice_sink_ops) as the plugin compiled it */
    /** Optional. Cross-field or connectivity checks beyond the config-def table. */
    sluice_rc (*validate)(const sluice_config *cfg, sluice_validation *v);
    /** Required. Create one task. ctx and cfg are borrowed (object): valid until destroy. */
    sluice_rc (*create)(sluice_ctx *ctx, const sluice_config *cfg, void **task);
    /** Optional. Partitions were assigned. Array borrowed (call). */
    sluice_rc (*open)(void *task, const sluice_topic_partition *tps, size_t n);
    /**
     * Required. Write a batch. Records are borrowed (call): copy what must outlive the call.
     * RETRY: the same batch is delivered again after a backoff. ERR: the task fails.
     * Poison records are reported with host->report_errant() and the call returns OK.
     */
    sluice_rc (*put)(void *task, sluice_record *const *records, size_t n);
    /**
     * Optional. Make everything put so far durable. `offsets` holds the next offset to commit for
     * each partition; the plugin may lower entries (never raise them). NULL: put() is synchronous.
     */
    sluice_rc (*pre_commit)(void *task, sluice_offsets *offsets);
    /** Optional. Partitions were revoked; buffered data for them may be dropped. */
    sluice_rc (*close)(void *task, const sluice_topic_partition *tps, size_t n);
    /** Required. Stop and free the task. Accepts NULL. */
    void (*destroy)(void *task);
};

/** A source (declared in 1.0; the host runs sources from a later 1.N on). */
struct sluice_source_ops {
    uint32_t struct_size;
    sluice_rc (*validate)(const sluice_config *cfg, sluice_validation *v);
    sluice_rc (*create)(sluice_ctx *ctx, const sluice_config *cfg, void **task);
    /** Required. Emit records with host->source_emit(); return OK (also when nothing was ready). */
    sluice_rc (*poll)(void *task);
    /** Optional. Records up to these source offsets were acknowledged by Kafka. */
    sluice_rc (*commit)(void *task);
    void (*destroy)(void *task);
};

/** A single message transform. */
struct sluice_transform_ops {
    uint32_t struct_size;
    sluice_rc (*validate)(const sluice_config *cfg, sluice_validation *v);
    /** Required. cfg holds the keys under "transforms.<alias>." with the prefix removed. */
    sluice_rc (*create)(sluice_ctx *ctx, const sluice_config *cfg, void **state);
    /**
     * Required. Transform one record. Set *out to `in` (possibly changed with the rec_set_* host
     * functions), to a record made with rec_derive(), or to NULL to drop the record.
     * ERR: the record failed this stage (errors.tolerance decides what happens).
     */
    sluice_rc (*apply)(void *state, sluice_record *in, sluice_record **out);
    void (*destroy)(void *state);
};

/** A predicate for conditional transforms. */
struct sluice_predicate_ops {
    uint32_t struct_size;
    sluice_rc (*validate)(const sluice_config *cfg, sluice_validation *v);
    sluice_rc (*create)(sluice_ctx *ctx, const sluice_config *cfg, void **state);
    /** Required. 1 = matches, 0 = does not match. */
    int (*test)(void *state, const sluice_record *record);
    void (*destroy)(void *state);
};

/** A converter between Kafka bytes and Connect data. */
struct sluice_converter_ops {
    uint32_t struct_size;
    sluice_rc (*validate)(const sluice_config *cfg, sluice_validation *v);
    /** Required. is_key: 1 for key.converter, 0 for value.converter. */
    sluice_rc (*create)(sluice_ctx *ctx, const sluice_config *cfg, int is_key, void **state);
    /**
     * Required. Bytes → data. data is NULL for a Kafka null (tombstone). *schema and *value are
     * batch memory (or long-lived cached schemas); *value NULL means a null value. ERR with
     * set_error: the record cannot be converted.
     */
    sluice_rc (*to_connect)(void *state, const char *topic, const void *data, size_t len,
                            const sluice_schema **schema, const sluice_value **value);
    /** Optional. Data → bytes, appended to `out` (host-owned). *is_null set when the result is
     * null. */
    sluice_rc (*from_connect)(void *state, const char *topic, const sluice_schema *schema,
                              const sluice_value *value, sluice_buf *out, int *is_null);
    void (*destroy)(void *state);
};

/** One component inside a plugin. */
struct sluice_component {
    uint32_t struct_size;
    uint32_t kind;              /* enum sluice_component_kind */
    const char *class_name;     /* what users put in connector.class / transforms.x.type */
    const char *const *aliases; /* NULL-terminated extra names (Java class names, short names) */
    const char *version;        /* NULL: the plugin's version */
    const char *description;
    const struct sluice_config_def *config_defs; /* terminated by a NULL name; may be NULL */
    const void *ops;                             /* struct sluice_<kind>_ops * matching `kind` */
};

/** What sluice_plugin_entry() returns. */
struct sluice_plugin_descriptor {
    uint32_t magic;     /* SLUICE_ABI_MAGIC — first, forever */
    uint16_t abi_major; /* of the header the plugin compiled against */
    uint16_t abi_minor;
    uint16_t min_host_minor;  /* oldest host minor this plugin runs on */
    uint16_t abi_facts;       /* SLUICE_ABI_FACTS */
    uint32_t struct_size;     /* sizeof(struct sluice_plugin_descriptor) */
    uint32_t config_def_size; /* sizeof(struct sluice_config_def): array stride */
    const char *name;
    const char *version;
    const char *build_info;
    const struct sluice_component *const *components; /* NULL-terminated */
    sluice_rc (*library_init)(void); /* optional: once per process, before any instance */
    void (*library_fini)(void);      /* optional: at worker shutdown */
};

/* ---- host services ------------------------------------------------------------------------------
 */

/**
 * The host-services table. Host-owned and append-only; the plugin keeps the pointer it receives.
 * Before calling a member newer than 1.0, check SLUICE_HOST_HAS(host, member).
 */
struct sluice_host_api {
    uint32_t magic;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;

    /* -- 1.0 logging and errors. The host prefixes connector/task context. -- */
    int (*log_enabled)(sluice_ctx *ctx, int level);
    void (*log)(sluice_ctx *ctx, int level, const char *fmt, ...) SLUICE_PRINTF(3, 4);
    /** Record the message for the current failure; it becomes the task's `trace`. Copied. */
    void (*set_error)(sluice_ctx *ctx, const char *fmt, ...) SLUICE_PRINTF(2, 3);

    /* -- 1.0 memory: anything freed on the other side of the boundary -- */
    void *(*alloc)(size_t size);
    void *(*calloc)(size_t n, size_t size);
    void *(*realloc)(void *p, size_t size);
    void (*free)(void *p);
    char *(*strdup)(const char *s);
    /** Batch memory: freed by the host once the current batch is done. Never NULL (aborts). */
    void *(*batch_alloc)(sluice_ctx *ctx, size_t size);

    /* -- 1.0 config: typed getters; strings borrowed (object) -- */
    /** NULL when unset and without default. Works for every type (text form). */
    const char *(*cfg_string)(const sluice_config *cfg, const char *key);
    int64_t (*cfg_long)(const sluice_config *cfg, const char *key);
    double (*cfg_double)(const sluice_config *cfg, const char *key);
    int (*cfg_bool)(const sluice_config *cfg, const char *key);
    size_t (*cfg_list_len)(const sluice_config *cfg, const char *key);
    const char *(*cfg_list_at)(const sluice_config *cfg, const char *key, size_t i);
    /** 1 when the user set the key explicitly. */
    int (*cfg_is_set)(const sluice_config *cfg, const char *key);
    /** Iterate every raw key/value the user gave (for prefix pass-through keys). */
    size_t (*cfg_count)(const sluice_config *cfg);
    const char *(*cfg_key_at)(const sluice_config *cfg, size_t i);
    const char *(*cfg_value_at)(const sluice_config *cfg, size_t i);
    /** Add an error for `key` from a validate() callback. */
    void (*validation_error)(sluice_validation *v, const char *key, const char *fmt, ...)
        SLUICE_PRINTF(3, 4);

    /* -- 1.0 records: read accessors; results borrowed (object) -- */
    const char *(*rec_topic)(const sluice_record *r);
    int32_t (*rec_partition)(const sluice_record *r);
    int64_t (*rec_offset)(const sluice_record *r);
    int64_t (*rec_timestamp)(const sluice_record *r); /* ms since epoch, -1 when absent */
    const sluice_schema *(*rec_key_schema)(const sluice_record *r);   /* NULL: schemaless */
    const sluice_value *(*rec_key)(const sluice_record *r);           /* NULL: null key */
    const sluice_schema *(*rec_value_schema)(const sluice_record *r); /* NULL: schemaless */
    const sluice_value *(*rec_value)(const sluice_record *r);         /* NULL: tombstone */
    size_t (*rec_header_count)(const sluice_record *r);
    const char *(*rec_header_key)(const sluice_record *r, size_t i);
    const sluice_value *(*rec_header_value)(const sluice_record *r, size_t i);
    /** The record's original bytes as consumed from Kafka; NULL for a null key/value. */
    const void *(*rec_raw_key)(const sluice_record *r, size_t *len);
    const void *(*rec_raw_value)(const sluice_record *r, size_t *len);

    /* -- 1.0 records: changes (for transforms). Everything passed in is copied or must be batch
     *    memory / long-lived (schemas, values made with val_new_*). -- */
    void (*rec_set_topic)(sluice_ctx *ctx, sluice_record *r, const char *topic);
    void (*rec_set_key)(sluice_ctx *ctx, sluice_record *r, const sluice_schema *schema,
                        const sluice_value *value);
    void (*rec_set_value)(sluice_ctx *ctx, sluice_record *r, const sluice_schema *schema,
                          const sluice_value *value);
    void (*rec_set_timestamp)(sluice_record *r, int64_t ts_ms);
    void (*rec_header_add)(sluice_ctx *ctx, sluice_record *r, const char *key,
                           const sluice_value *value);
    /** Remove every header named `key`; returns how many were removed. */
    size_t (*rec_header_remove)(sluice_record *r, const char *key);
    /** A new record with base's coordinates (topic, partition, offset, raw bytes) and the given
     *  key/value. Batch memory. */
    sluice_record *(*rec_derive)(sluice_ctx *ctx, const sluice_record *base, const char *topic,
                                 const sluice_schema *key_schema, const sluice_value *key,
                                 const sluice_schema *value_schema, const sluice_value *value);

    /* -- 1.0 values: read accessors; results borrowed (object) -- */
    int (*val_type)(const sluice_value *v); /* SLUICE_TYPE_NULL for NULL or a null value */
    const sluice_schema *(*val_schema)(const sluice_value *v); /* NULL when schemaless */
    int64_t (*val_int)(const sluice_value *v);                 /* INT8..INT64; BOOLEAN as 0/1 */
    double (*val_double)(const sluice_value *v);               /* FLOAT32/64; integers converted */
    int (*val_bool)(const sluice_value *v);
    const char *(*val_string)(const sluice_value *v, size_t *len); /* NUL-terminated too */
    const void *(*val_bytes)(const sluice_value *v, size_t *len);
    size_t (*val_len)(const sluice_value *v); /* array items, map entries, struct fields */
    /** Array item, map value, or struct field i. NULL when the item is null. */
    const sluice_value *(*val_at)(const sluice_value *v, size_t i);
    const sluice_value *(*val_map_key)(const sluice_value *v, size_t i);
    /** Struct field or string-keyed map entry by name; NULL when absent or null. */
    const sluice_value *(*val_get)(const sluice_value *v, const char *name);
    /** Struct field name i (or map key i when keys are strings). */
    const char *(*val_name_at)(const sluice_value *v, size_t i);

    /* -- 1.0 values: construction (batch memory) -- */
    sluice_value *(*val_new_int)(sluice_ctx *ctx, int type, int64_t x);
    sluice_value *(*val_new_double)(sluice_ctx *ctx, int type, double x);
    sluice_value *(*val_new_bool)(sluice_ctx *ctx, int b);
    sluice_value *(*val_new_string)(sluice_ctx *ctx, const char *s, size_t len); /* copied */
    sluice_value *(*val_new_bytes)(sluice_ctx *ctx, const void *p, size_t len);  /* copied */
    /** A struct of `schema`'s shape with every field null; fill with val_struct_set. */
    sluice_value *(*val_new_struct)(sluice_ctx *ctx, const sluice_schema *schema);
    void (*val_struct_set)(sluice_value *st, size_t field_index, const sluice_value *v);
    /** Arrays and maps of fixed length n; item_schema may be NULL (schemaless). */
    sluice_value *(*val_new_array)(sluice_ctx *ctx, const sluice_schema *schema, size_t n);
    void (*val_array_set)(sluice_value *arr, size_t i, const sluice_value *v);
    sluice_value *(*val_new_map)(sluice_ctx *ctx, const sluice_schema *schema, size_t n);
    void (*val_map_set)(sluice_value *map, size_t i, const sluice_value *k, const sluice_value *v);
    /** Append v as JSON (schemaless JsonConverter form: bytes Base64, decimals as numbers). */
    sluice_rc (*val_to_json)(const sluice_value *v, sluice_buf *out);

    /* -- 1.0 schemas: read accessors; results borrowed (object) -- */
    int (*schema_type)(const sluice_schema *s);
    int (*schema_optional)(const sluice_schema *s);
    const char *(*schema_name)(const sluice_schema *s);
    int32_t (*schema_version)(const sluice_schema *s); /* 0 when absent */
    const char *(*schema_doc)(const sluice_schema *s);
    const char *(*schema_param)(const sluice_schema *s, const char *key);
    const sluice_value *(*schema_default)(const sluice_schema *s);
    int (*schema_logical)(const sluice_schema *s); /* enum sluice_logical */
    int32_t (*schema_decimal_scale)(const sluice_schema *s);
    size_t (*schema_field_count)(const sluice_schema *s);
    const char *(*schema_field_name)(const sluice_schema *s, size_t i);
    const sluice_schema *(*schema_field_schema)(const sluice_schema *s, size_t i);
    /** Index of the named field, or -1. */
    int64_t (*schema_field_index)(const sluice_schema *s, const char *name);
    const sluice_schema *(*schema_items)(const sluice_schema *s);
    const sluice_schema *(*schema_keys)(const sluice_schema *s);
    const sluice_schema *(*schema_values)(const sluice_schema *s);
    /** Process-unique id: equal ids mean the same schema. Use it to cache per-schema work. */
    uint64_t (*schema_id)(const sluice_schema *s);

    /* -- 1.0 schemas: construction. Schemas built here live until the ctx's instance is destroyed.
     *    Build once per distinct input schema and cache by schema_id. -- */
    sluice_schema *(*schema_new)(sluice_ctx *ctx, int type, int optional, const char *name);
    void (*schema_set_param)(sluice_ctx *ctx, sluice_schema *s, const char *key, const char *val);
    void (*schema_add_field)(sluice_ctx *ctx, sluice_schema *s, const char *name,
                             const sluice_schema *field_schema);
    void (*schema_set_items)(sluice_schema *s, const sluice_schema *items);
    void (*schema_set_map)(sluice_schema *s, const sluice_schema *keys,
                           const sluice_schema *values);
    /** A schema for a primitive type (shared, never freed). */
    const sluice_schema *(*schema_primitive)(int type, int optional);

    /* -- 1.0 buffers -- */
    sluice_buf *(*buf_new)(void);    /* transferred: free with buf_free */
    void (*buf_free)(sluice_buf *b); /* accepts NULL */
    void (*buf_append)(sluice_buf *b, const void *p, size_t len);
    void (*buf_printf)(sluice_buf *b, const char *fmt, ...) SLUICE_PRINTF(2, 3);
    const char *(*buf_data)(const sluice_buf *b); /* NUL-terminated */
    size_t (*buf_len)(const sluice_buf *b);
    void (*buf_reset)(sluice_buf *b);

    /* -- 1.0 task context (SinkTaskContext) -- */
    const char *(*ctx_connector)(sluice_ctx *ctx);
    int32_t (*ctx_task_id)(sluice_ctx *ctx);
    /** 1 when the host wants the task to stop: finish or abandon long work. */
    int (*task_should_stop)(sluice_ctx *ctx);
    /** Wait at least ms before the next delivery (with RETRY: before the redelivery). */
    void (*task_backoff)(sluice_ctx *ctx, int64_t ms);
    void (*task_request_commit)(sluice_ctx *ctx);
    /**
     * Report a record the sink cannot write (KIP-610). With errors.tolerance=all it is logged/sent
     * to the DLQ and OK is returned; otherwise ERR is returned and put() should return it.
     */
    sluice_rc (*report_errant)(sluice_ctx *ctx, const sluice_record *r, const char *message);

    /* -- 1.0 offsets (pre_commit) -- */
    size_t (*offsets_count)(const sluice_offsets *o);
    sluice_topic_partition (*offsets_tp)(const sluice_offsets *o, size_t i);
    int64_t (*offsets_get)(const sluice_offsets *o, size_t i);
    /** Lower entry i (values above the current one are ignored). */
    void (*offsets_set)(sluice_offsets *o, size_t i, int64_t next_offset);

    /* -- 1.0 sources (declared; the host implements them from 1.N) -- */
    sluice_rc (*source_emit)(sluice_ctx *ctx, const char *topic, const sluice_schema *key_schema,
                             const sluice_value *key, const sluice_schema *value_schema,
                             const sluice_value *value, const char *source_partition_json,
                             const char *source_offset_json);

    /* -- 1.0 time and metrics -- */
    int64_t (*now_ms)(void); /* wall clock, ms since epoch */
    void (*metric_add)(sluice_ctx *ctx, const char *name, int64_t delta);

    /* ---- 1.1+: append below only, each line tagged "since 1.N" ---- */

    /* since 1.1: Java's SinkTaskContext.offset(): start `topic`/`partition` at next_offset.
     * Called in open(), it takes effect before the first fetch of the newly assigned partitions
     * (how a sink that stores its own offsets, e.g. next to the data, resumes exactly there).
     * Called in put() or pre_commit(), the host seeks after the call returns; records of that
     * partition still in the current batch are not redelivered unless next_offset is lower. The
     * host never commits an offset the task has not seen put() succeed for. */
    void (*task_seek)(sluice_ctx *ctx, const char *topic, int32_t partition, int64_t next_offset);
    /* since 1.1: a finding that does not make the config invalid (e.g. a key of the connector
     * sluice replaces that sluice does not honour). The host logs it at WARN, once per
     * validation, naming the connector and the key; the config stays valid. */
    void (*validation_warning)(sluice_validation *v, const char *key, const char *fmt, ...)
        SLUICE_PRINTF(3, 4);
};

/** The host table as the plugin received it; defined by SLUICE_PLUGIN_DEFINE. */
extern const struct sluice_host_api *sluice_host;

/** True when the host table has `member` (it may be older than the header). */
#define SLUICE_HOST_HAS(host, member)                                                              \
    ((host) != NULL &&                                                                             \
     offsetof(struct sluice_host_api, member) + sizeof((host)->member) <= (host)->struct_size)

/** The one exported function. */
typedef const struct sluice_plugin_descriptor *(*sluice_plugin_entry_fn)(
    const struct sluice_host_api *host);

/**
 * Define the entry point. Use once per plugin, with a static descriptor:
 *   SLUICE_PLUGIN_DEFINE(my_descriptor)
 * It checks the host's magic and major version, saves the host table in `sluice_host` (a hidden
 * global the plugin's code uses) and returns the descriptor, or NULL when the host is incompatible.
 */
#define SLUICE_PLUGIN_DEFINE(desc)                                                                 \
    const struct sluice_host_api *sluice_host;                                                     \
    SLUICE_EXPORT const struct sluice_plugin_descriptor *sluice_plugin_entry(                      \
        const struct sluice_host_api *host);                                                       \
    SLUICE_EXPORT const struct sluice_plugin_descriptor *sluice_plugin_entry(                      \
        const struct sluice_host_api *host)                                                        \
    {                                                                                              \
        if (host == NULL || host->magic != SLUICE_ABI_MAGIC ||                                     \
            host->abi_major != SLUICE_ABI_MAJOR)                                                   \
            return NULL;                                                                           \
        sluice_host = host;                                                                        \
        return &(desc);                                                                            \
    }

/** Descriptor initialiser for the fixed prefix. */
#define SLUICE_DESCRIPTOR_HEADER                                                                   \
    .magic = SLUICE_ABI_MAGIC, .abi_major = SLUICE_ABI_MAJOR, .abi_minor = SLUICE_ABI_MINOR,       \
    .min_host_minor = SLUICE_ABI_MINOR, .abi_facts = SLUICE_ABI_FACTS,                             \
    .struct_size = sizeof(struct sluice_plugin_descriptor),                                        \
    .config_def_size = sizeof(struct sluice_config_def)

/** Logging helpers that check the level before formatting. Need `sluice_host` in scope. */
#define SLUICE_LOG_AT(ctx, lvl, ...)                                                               \
    do {                                                                                           \
        if (sluice_host->log_enabled((ctx), (lvl)))                                                \
            sluice_host->log((ctx), (lvl), __VA_ARGS__);                                           \
    } while (0)
#define SLUICE_ERROR(ctx, ...) SLUICE_LOG_AT(ctx, SLUICE_LOG_ERROR, __VA_ARGS__)
#define SLUICE_WARN(ctx, ...)  SLUICE_LOG_AT(ctx, SLUICE_LOG_WARN, __VA_ARGS__)
#define SLUICE_INFO(ctx, ...)  SLUICE_LOG_AT(ctx, SLUICE_LOG_INFO, __VA_ARGS__)
#define SLUICE_DEBUG(ctx, ...) SLUICE_LOG_AT(ctx, SLUICE_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_PLUGIN_H */
