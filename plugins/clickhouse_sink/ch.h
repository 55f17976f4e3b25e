/*
 * ch.h — the ClickHouse sink's internal interfaces: a growable byte buffer, the ClickHouse type
 * model (parsed from DESCRIBE TABLE or generated from Connect schemas), the SQL it generates and
 * RowBinary encoding of Connect values. Pure functions over the host table only: no I/O here, no
 * jansson, and nothing on the record path allocates (buffers grow, then are reused).
 */
#ifndef SL_CH_H
#define SL_CH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sluice/plugin.h>

/* ---- byte buffer (host allocator; grows geometrically, reused across batches) ---- */

typedef struct ch_buf {
    char *p;
    size_t len;
    size_t cap;
} ch_buf;

void chb_grow(ch_buf *b, size_t need);
void chb_free(ch_buf *b);
void chb_printf(ch_buf *b, const char *fmt, ...) SLUICE_PRINTF(2, 3);

static inline void chb_reserve(ch_buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        chb_grow(b, b->len + n + 1);
    }
}

static inline void chb_put(ch_buf *b, const void *p, size_t n)
{
    chb_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void chb_putc(ch_buf *b, char c)
{
    chb_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static inline void chb_str(ch_buf *b, const char *s)
{
    chb_put(b, s, strlen(s));
}

/* Unsigned LEB128, RowBinary's length prefix. */
static inline void chb_varint(ch_buf *b, uint64_t x)
{
    chb_reserve(b, 10);
    while (x >= 0x80) {
        b->p[b->len++] = (char)(x | 0x80);
        x >>= 7;
    }
    b->p[b->len++] = (char)x;
}

/* ---- ClickHouse types ---- */

enum ch_kind {
    CH_UNSUPPORTED = 0,
    CH_INT8,
    CH_INT16,
    CH_INT32,
    CH_INT64,
    CH_INT128,
    CH_INT256,
    CH_UINT8,
    CH_UINT16,
    CH_UINT32,
    CH_UINT64,
    CH_UINT128,
    CH_UINT256,
    CH_FLOAT32,
    CH_FLOAT64,
    CH_BOOL,
    CH_STRING,
    CH_FIXED_STRING,
    CH_UUID,
    CH_DATE,
    CH_DATE32,
    CH_DATETIME,
    CH_DATETIME64,
    CH_DECIMAL,
    CH_ENUM8,
    CH_ENUM16,
    CH_ARRAY,
    CH_MAP,
};

struct ch_enum_item {
    char *name;
    int32_t value;
};

struct ch_type {
    uint8_t kind;      /* enum ch_kind */
    uint8_t nullable;  /* Nullable(...) */
    uint8_t precision; /* Decimal P, DateTime64 precision */
    uint8_t scale;     /* Decimal S */
    uint32_t fixed_len;
    struct ch_type *elem;  /* Array item / Map key (owned) */
    struct ch_type *value; /* Map value (owned) */
    size_t n_enum;
    struct ch_enum_item *enums; /* owned */
};

/* Parse a type as DESCRIBE TABLE prints it ("Nullable(Decimal(12, 2))", "LowCardinality(String)",
 * "DateTime64(6, 'UTC')", "Enum8('a' = 1)"). Unknown types parse as CH_UNSUPPORTED (a column we
 * can only leave to its default). -1 on a syntax error. */
int ch_type_parse(const char *text, struct ch_type *out, char *err, size_t errlen);
void ch_type_free(struct ch_type *t); /* frees what parse allocated; not t itself */
/* Byte width of fixed-size kinds, 0 for variable-size ones. */
size_t ch_type_width(const struct ch_type *t);

/* Server capabilities that change the DDL. */
struct ch_server {
    int major, minor;
    bool modern;     /* >= 23.2: ReplacingMergeTree(ver, is_deleted), DateTime64, Bool, Map */
    bool datetime64; /* >= 20.1 */
    bool bool_type;  /* >= 21.12 */
    bool map_type;   /* >= 21.8 */
    bool date32;     /* >= 21.9 */
    bool decimal256; /* >= 20.8 */
    bool is_deleted; /* >= 23.2 */
};
void ch_server_from_version(struct ch_server *s, const char *version);

/* ClickHouse type text for a Connect field schema (Debezium logical types included), appended to
 * out. nullable_ok: 0 for ORDER BY columns. */
void ch_type_for_schema(const struct ch_server *srv, const sluice_schema *s, int nullable_ok,
                        ch_buf *out);
/* Type text for a schemaless value (JSON-ish inference). */
void ch_type_for_value(const struct ch_server *srv, const sluice_value *v, int nullable_ok,
                       ch_buf *out);

/* ---- SQL ---- */

void ch_sql_ident(ch_buf *out, const char *name);         /* `name` with ` and \ escaped */
void ch_sql_string(ch_buf *out, const char *s, size_t n); /* 'text' escaped */

struct ch_coldef {
    const char *name;
    const char *type; /* type text */
};

/* CREATE TABLE IF NOT EXISTS. nkeys 0: MergeTree ORDER BY tuple() (append-only); else
 * ReplacingMergeTree(ver[, del]) ORDER BY (keys). cluster may be NULL/empty. */
void ch_sql_create(ch_buf *out, const struct ch_server *srv, const char *db, const char *table,
                   const struct ch_coldef *cols, size_t ncols, const char *const *keys,
                   size_t nkeys, const char *ver_col, const char *del_col, const char *cluster);
void ch_sql_add_column(ch_buf *out, const char *db, const char *table, const char *col,
                       const char *type, const char *cluster);
void ch_sql_insert(ch_buf *out, const char *db, const char *table, const char *const *cols,
                   size_t ncols);

/* ---- RowBinary ---- */

/* Where a value came from, for conversions that depend on the source type. */
struct ch_src {
    int logical;                 /* enum sl_cdc_logical */
    int32_t scale;               /* Decimal scale (schema parameter) */
    const sluice_schema *schema; /* field schema or NULL (schemaless) */
};

struct ch_enc {
    ch_buf *out;
    sluice_buf *scratch; /* host buffer for JSON text of nested values */
    char *err;
    size_t errlen;
};

/* Append v (NULL: null) as RowBinary of type t. -1 with enc->err set when the value cannot be
 * written exactly (bad text, out of range, digits lost); out may hold a partial value then. */
int ch_encode(struct ch_enc *enc, const struct ch_type *t, const sluice_value *v,
              const struct ch_src *src);
/* The column's value when the record has none: NULL if Nullable, else the type's zero. */
void ch_encode_default(ch_buf *out, const struct ch_type *t);
/* An integer (version, deleted flag, ...) into an integer column. */
int ch_encode_int(struct ch_enc *enc, const struct ch_type *t, int64_t x);

/* Bytes one encoded value of t occupies at p (for reading SELECT ... FORMAT RowBinary); 0 when
 * it runs past end or the type is unsupported. */
size_t ch_rowbinary_skip(const struct ch_type *t, const char *p, const char *end);

/* Text helpers used by encoding and tests. */
int ch_parse_datetime(const char *s, size_t n, int64_t *secs, int32_t *nanos);
int ch_parse_uuid(const char *s, size_t n, uint8_t out[16]);

#endif
