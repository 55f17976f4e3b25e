/*
 * cdc.c — Debezium change classification and logical-value text for the sink plugins (cdc.h).
 *
 * Everything here reads records through the host table and writes into caller buffers: no
 * allocation, no globals besides constant tables, so it is safe on any task thread and cheap
 * enough for the record hot path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include "cdc.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_PLACEHOLDER "__debezium_unavailable_value"

static const char *const deleted_meta[] = {"__deleted", NULL};

/* ---- small value helpers ---- */

static bool is_null(const sluice_value *v)
{
    return v == NULL || sluice_host->val_type(v) == SLUICE_TYPE_NULL;
}

const sluice_value *sl_cdc_field(const sluice_value *v, const char *name)
{
    if (is_null(v)) {
        return NULL;
    }
    int t = sluice_host->val_type(v);
    if (t != SLUICE_TYPE_STRUCT && t != SLUICE_TYPE_MAP) {
        return NULL;
    }
    const sluice_value *f = sluice_host->val_get(v, name);
    return is_null(f) ? NULL : f;
}

/* The field's string, or NULL when absent or not a string. */
static const char *field_str(const sluice_value *v, const char *name, size_t *len)
{
    const sluice_value *f = sl_cdc_field(v, name);
    if (f == NULL || sluice_host->val_type(f) != SLUICE_TYPE_STRING) {
        return NULL;
    }
    return sluice_host->val_string(f, len);
}

static bool is_int_type(int t)
{
    return t >= SLUICE_TYPE_INT8 && t <= SLUICE_TYPE_INT64;
}

/* Integer field (also a decimal string); false when absent or not an integer. */
static bool field_int(const sluice_value *v, const char *name, int64_t *out)
{
    const sluice_value *f = sl_cdc_field(v, name);
    if (f == NULL) {
        return false;
    }
    int t = sluice_host->val_type(f);
    if (is_int_type(t)) {
        *out = sluice_host->val_int(f);
        return true;
    }
    if (t == SLUICE_TYPE_STRING) {
        size_t n = 0;
        const char *s = sluice_host->val_string(f, &n);
        if (n == 0 || n > 19) {
            return false;
        }
        int64_t x = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return false;
            }
            x = x * 10 + (s[i] - '0');
        }
        *out = x;
        return true;
    }
    return false;
}

static bool has_field(const sluice_value *v, const char *name)
{
    if (is_null(v)) {
        return false;
    }
    int t = sluice_host->val_type(v);
    if (t == SLUICE_TYPE_STRUCT) {
        const sluice_schema *s = sluice_host->val_schema(v);
        size_t n = s != NULL ? sluice_host->schema_field_count(s) : 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(sluice_host->schema_field_name(s, i), name) == 0) {
                return true;
            }
        }
        return false;
    }
    if (t == SLUICE_TYPE_MAP) {
        size_t n = sluice_host->val_len(v);
        for (size_t i = 0; i < n; i++) {
            const char *k = sluice_host->val_name_at(v, i);
            if (k != NULL && strcmp(k, name) == 0) {
                return true;
            }
        }
    }
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    if (s == NULL) {
        return false;
    }
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool str_eq(const char *s, size_t n, const char *lit)
{
    return s != NULL && n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* {"schema":..,"payload":..} read with schemas.enable=false: the payload is the value. */
static const sluice_value *unwrap_schema_payload(const sluice_value *v)
{
    if (is_null(v) || sluice_host->val_type(v) != SLUICE_TYPE_MAP || sluice_host->val_len(v) != 2 ||
        !has_field(v, "schema") || !has_field(v, "payload")) {
        return v;
    }
    return sluice_host->val_get(v, "payload");
}

/* ---- source positions ---- */

/* "mysql-bin.000003" → 3 (digits after the last '.'); 0 when there are none. */
static uint64_t binlog_index(const char *file, size_t n)
{
    if (file == NULL) {
        return 0;
    }
    size_t i = n;
    while (i > 0 && file[i - 1] >= '0' && file[i - 1] <= '9') {
        i--;
    }
    uint64_t x = 0;
    for (size_t k = i; k < n && x < (1u << 19); k++) {
        x = x * 10 + (uint64_t)(file[k] - '0');
    }
    return x;
}

static uint64_t binlog_version(uint64_t index, int64_t pos, int64_t row)
{
    uint64_t p = pos < 0 ? 0 : (uint64_t)pos;
    uint64_t r = row < 0 ? 0 : (uint64_t)row;
    if (index >= (1u << 19)) {
        index = (1u << 19) - 1;
    }
    if (p > 0xFFFFFFFFu) {
        p = 0xFFFFFFFFu;
    }
    if (r > 0xFFFu) {
        r = 0xFFFu;
    }
    return index << 44 | p << 12 | r;
}

/* Position from an envelope's source block. false when it has none we understand. */
static bool source_position(const sluice_value *src, sl_cdc_change *out)
{
    int64_t lsn = 0;
    if (field_int(src, "lsn", &lsn) && lsn >= 0) {
        out->version = (uint64_t)lsn;
        out->pos_kind = SL_CDC_POS_LSN;
        return true;
    }
    size_t connlen = 0;
    const char *conn = field_str(src, "connector", &connlen);
    if (str_eq(conn, connlen, "postgresql")) {
        out->version = 0; /* an LSN-less Postgres event (none in practice) sorts first */
        out->pos_kind = SL_CDC_POS_LSN;
        return true;
    }
    size_t flen = 0;
    const char *file = field_str(src, "file", &flen);
    int64_t pos = 0, row = 0;
    bool has_pos = field_int(src, "pos", &pos);
    if (has_pos || file != NULL || str_eq(conn, connlen, "mysql") ||
        str_eq(conn, connlen, "mariadb")) {
        (void)field_int(src, "row", &row);
        out->version = binlog_version(binlog_index(file, flen), pos, row);
        out->pos_kind = SL_CDC_POS_BINLOG;
        return true;
    }
    return false;
}

/* Position from an unwrapped row's add.fields (`__lsn`, `__source_lsn`, `__file`/`__pos`/...). */
static bool row_position(const sluice_value *row, sl_cdc_change *out)
{
    int64_t lsn = 0;
    if (field_int(row, "__lsn", &lsn) || field_int(row, "__source_lsn", &lsn)) {
        out->version = lsn < 0 ? 0 : (uint64_t)lsn;
        out->pos_kind = SL_CDC_POS_LSN;
        return true;
    }
    int64_t pos = 0, row_no = 0;
    if (field_int(row, "__pos", &pos) || field_int(row, "__source_pos", &pos)) {
        size_t flen = 0;
        const char *file = field_str(row, "__file", &flen);
        if (file == NULL) {
            file = field_str(row, "__source_file", &flen);
        }
        if (!field_int(row, "__row", &row_no)) {
            (void)field_int(row, "__source_row", &row_no);
        }
        out->version = binlog_version(binlog_index(file, flen), pos, row_no);
        out->pos_kind = SL_CDC_POS_BINLOG;
        return true;
    }
    return false;
}

/* Table and database from the source block, else from the topic `prefix.db.table`. */
static void table_names(const sluice_record *r, const sluice_value *src, sl_cdc_change *out)
{
    out->table = field_str(src, "table", &out->table_len);
    out->db = field_str(src, "schema", &out->db_len); /* Postgres: the namespace is the schema */
    if (out->db == NULL) {
        out->db = field_str(src, "db", &out->db_len);
    }
    if (out->table != NULL && out->table_len > 0) {
        return;
    }
    const char *topic = sluice_host->rec_topic(r);
    size_t n = strlen(topic);
    const char *dot = memrchr(topic, '.', n);
    out->table = dot != NULL ? dot + 1 : topic;
    out->table_len = (size_t)(topic + n - out->table);
    if (out->db == NULL && dot != NULL) {
        const char *prev = memrchr(topic, '.', (size_t)(dot - topic));
        out->db = prev != NULL ? prev + 1 : topic;
        out->db_len = (size_t)(dot - out->db);
    }
}

/* ---- classification ---- */

static bool is_envelope(const sluice_value *v, char *op)
{
    if (is_null(v)) {
        return false;
    }
    int t = sluice_host->val_type(v);
    if (t != SLUICE_TYPE_STRUCT && t != SLUICE_TYPE_MAP) {
        return false;
    }
    size_t n = 0;
    const char *s = field_str(v, "op", &n);
    if (s == NULL || n != 1 || strchr("crudtm", s[0]) == NULL) {
        return false;
    }
    if (!has_field(v, "source") && !has_field(v, "after") && !has_field(v, "before")) {
        return false;
    }
    *op = s[0];
    return true;
}

/* Not data: schema changes, heartbeats, transaction metadata. NULL when it is data. */
static const char *non_data_reason(const sluice_record *r, const sluice_value *v,
                                   const sluice_schema *vs)
{
    const char *topic = sluice_host->rec_topic(r);
    const char *name = vs != NULL ? sluice_host->schema_name(vs) : NULL;
    if (strncmp(topic, "__debezium-heartbeat", 20) == 0 ||
        (name != NULL && strcmp(name, "io.debezium.connector.common.Heartbeat") == 0)) {
        return "heartbeat";
    }
    if (ends_with(name, "SchemaChangeValue") ||
        (has_field(v, "ddl") && (has_field(v, "tableChanges") || has_field(v, "databaseName")))) {
        return "schema change event";
    }
    if (ends_with(name, ".TransactionMetadataValue") ||
        (has_field(v, "status") && has_field(v, "data_collections") && has_field(v, "id"))) {
        return "transaction metadata";
    }
    return NULL;
}

static bool unwrapped_delete(const sluice_value *row)
{
    const sluice_value *d = sl_cdc_field(row, "__deleted");
    if (d != NULL) {
        int t = sluice_host->val_type(d);
        if (t == SLUICE_TYPE_BOOLEAN) {
            return sluice_host->val_bool(d) != 0;
        }
        size_t n = 0;
        const char *s = sluice_host->val_string(d, &n);
        return str_eq(s, n, "true");
    }
    size_t n = 0;
    const char *op = field_str(row, "__op", &n);
    return str_eq(op, n, "d");
}

sluice_rc sl_cdc_decode(const sluice_record *r, const sl_cdc_opts *o, sl_cdc_change *out, char *err,
                        size_t errlen)
{
    memset(out, 0, sizeof(*out));
    int mode = o != NULL ? o->mode : SL_CDC_MODE_AUTO;
    out->key = unwrap_schema_payload(sluice_host->rec_key(r));
    out->key_schema = sluice_host->rec_key_schema(r);
    if (is_null(out->key)) {
        out->key = NULL;
    }
    out->version = (uint64_t)sluice_host->rec_offset(r);
    out->pos_kind = SL_CDC_POS_OFFSET;

    const sluice_schema *vs = sluice_host->rec_value_schema(r);
    const sluice_value *v = unwrap_schema_payload(sluice_host->rec_value(r));
    table_names(r, NULL, out);

    if (is_null(v)) {
        if (mode == SL_CDC_MODE_APPEND) {
            out->kind = SL_CDC_SKIP;
            out->reason = "null value in append mode";
        } else if (out->key == NULL) {
            out->kind = SL_CDC_SKIP;
            out->reason = "null value without a key";
        } else {
            out->kind = SL_CDC_DELETE;
        }
        return SLUICE_OK;
    }
    if (mode == SL_CDC_MODE_APPEND) {
        out->kind = SL_CDC_UPSERT;
        out->row = v;
        out->row_schema = vs;
        return SLUICE_OK;
    }

    char op = 0;
    if (is_envelope(v, &op)) {
        out->op = op;
        out->source = sl_cdc_field(v, "source");
        table_names(r, out->source, out);
        (void)source_position(out->source, out);
        const sluice_value *after = sl_cdc_field(v, "after");
        const sluice_value *before = sl_cdc_field(v, "before");
        const sluice_schema *after_schema = NULL;
        if (vs != NULL) {
            size_t nf = sluice_host->schema_field_count(vs);
            for (size_t i = 0; i < nf; i++) {
                const char *fname = sluice_host->schema_field_name(vs, i);
                if (strcmp(fname, "after") == 0 ||
                    (after_schema == NULL && strcmp(fname, "before") == 0)) {
                    after_schema = sluice_host->schema_field_schema(vs, i);
                }
            }
        }
        out->row_schema = after_schema;
        switch (op) {
        case 'c':
        case 'r':
        case 'u':
            if (after == NULL) {
                snprintf(err, errlen, "Debezium event with op '%c' has no 'after' row", op);
                return SLUICE_ERR;
            }
            out->kind = SL_CDC_UPSERT;
            out->row = after;
            return SLUICE_OK;
        case 'd':
            out->kind = SL_CDC_DELETE;
            out->row = before;
            if (out->key == NULL && before == NULL) {
                out->kind = SL_CDC_SKIP;
                out->reason = "delete without a key or a before image";
            }
            return SLUICE_OK;
        case 't':
            out->kind = SL_CDC_TRUNCATE;
            return SLUICE_OK;
        default:
            out->kind = SL_CDC_SKIP;
            out->reason = "logical message";
            return SLUICE_OK;
        }
    }

    const char *why = non_data_reason(r, v, vs);
    if (why != NULL) {
        out->kind = SL_CDC_SKIP;
        out->reason = why;
        return SLUICE_OK;
    }
    int vt = sluice_host->val_type(v);
    if (mode == SL_CDC_MODE_DEBEZIUM || (vt != SLUICE_TYPE_STRUCT && vt != SLUICE_TYPE_MAP)) {
        snprintf(err, errlen,
                 "record at %s-%d offset %lld is not a Debezium change event%s (value type %d)",
                 sluice_host->rec_topic(r), (int)sluice_host->rec_partition(r),
                 (long long)sluice_host->rec_offset(r),
                 mode == SL_CDC_MODE_DEBEZIUM ? " and the cdc mode is 'debezium'" : "", vt);
        return SLUICE_ERR;
    }
    /* An unwrapped row (ExtractNewRecordState), possibly in rewrite mode. */
    out->row = v;
    out->row_schema = vs;
    (void)row_position(v, out);
    if (has_field(v, "__deleted")) {
        out->meta_fields = deleted_meta;
    }
    out->kind = unwrapped_delete(v) ? SL_CDC_DELETE : SL_CDC_UPSERT;
    return SLUICE_OK;
}

bool sl_cdc_is_unavailable(const sl_cdc_opts *o, const sluice_value *v)
{
    if (is_null(v)) {
        return false;
    }
    int t = sluice_host->val_type(v);
    if (t != SLUICE_TYPE_STRING && t != SLUICE_TYPE_BYTES) {
        return false;
    }
    const char *ph = o != NULL && o->placeholder != NULL ? o->placeholder : DEFAULT_PLACEHOLDER;
    size_t n = 0;
    const char *s = t == SLUICE_TYPE_STRING ? sluice_host->val_string(v, &n)
                                            : (const char *)sluice_host->val_bytes(v, &n);
    return str_eq(s, n, ph);
}

/* ---- logical types ---- */

struct logical_name {
    const char *name;
    int logical;
};

static const struct logical_name logical_names[] = {
    {"org.apache.kafka.connect.data.Decimal", SL_CDC_L_DECIMAL},
    {"io.debezium.data.VariableScaleDecimal", SL_CDC_L_VARIABLE_DECIMAL},
    {"org.apache.kafka.connect.data.Date", SL_CDC_L_DATE},
    {"io.debezium.time.Date", SL_CDC_L_DATE},
    {"org.apache.kafka.connect.data.Time", SL_CDC_L_TIME_MILLIS},
    {"io.debezium.time.Time", SL_CDC_L_TIME_MILLIS},
    {"io.debezium.time.MicroTime", SL_CDC_L_TIME_MICROS},
    {"io.debezium.time.NanoTime", SL_CDC_L_TIME_NANOS},
    {"org.apache.kafka.connect.data.Timestamp", SL_CDC_L_TIMESTAMP_MILLIS},
    {"io.debezium.time.Timestamp", SL_CDC_L_TIMESTAMP_MILLIS},
    {"io.debezium.time.MicroTimestamp", SL_CDC_L_TIMESTAMP_MICROS},
    {"io.debezium.time.NanoTimestamp", SL_CDC_L_TIMESTAMP_NANOS},
    {"io.debezium.time.ZonedTimestamp", SL_CDC_L_ZONED_TIMESTAMP},
    {"io.debezium.time.ZonedTime", SL_CDC_L_ZONED_TIME},
    {"io.debezium.time.Year", SL_CDC_L_YEAR},
    {"io.debezium.data.Uuid", SL_CDC_L_UUID},
    {"io.debezium.data.Json", SL_CDC_L_JSON},
    {"io.debezium.data.Enum", SL_CDC_L_ENUM},
    {"io.debezium.data.EnumSet", SL_CDC_L_ENUM_SET},
    {"io.debezium.data.Bits", SL_CDC_L_BITS},
    {"io.debezium.time.MicroDuration", SL_CDC_L_MICRO_DURATION},
};

int sl_cdc_logical(const sluice_schema *s)
{
    if (s == NULL) {
        return SL_CDC_L_NONE;
    }
    const char *name = sluice_host->schema_name(s);
    if (name == NULL) {
        return SL_CDC_L_NONE;
    }
    for (size_t i = 0; i < sizeof(logical_names) / sizeof(logical_names[0]); i++) {
        if (strcmp(name, logical_names[i].name) == 0) {
            return logical_names[i].logical;
        }
    }
    return SL_CDC_L_NONE;
}

#define MAX_DECIMAL_BYTES 128 /* 1024-bit unscaled values: far beyond BIGNUMERIC's 77 digits */

int sl_cdc_decimal_text(const void *unscaled, size_t n, int32_t scale, char *out, size_t outlen)
{
    const unsigned char *b = unscaled;
    if (n > MAX_DECIMAL_BYTES || outlen == 0) {
        return -1;
    }
    bool neg = n > 0 && (b[0] & 0x80) != 0;
    /* Magnitude as little-endian base-2^32 limbs. */
    uint32_t limb[MAX_DECIMAL_BYTES / 4 + 1];
    size_t nl = (n + 3) / 4;
    memset(limb, 0, sizeof(limb));
    for (size_t i = 0; i < n; i++) {
        unsigned char byte = neg ? (unsigned char)~b[n - 1 - i] : b[n - 1 - i];
        limb[i / 4] |= (uint32_t)byte << (8 * (i % 4));
    }
    if (neg) { /* two's complement: magnitude = ~x + 1 */
        for (size_t i = 0; i < nl; i++) {
            if (++limb[i] != 0) {
                break;
            }
        }
    }
    /* Repeated division by 10^9, collecting 9-digit groups (least significant first). */
    char digits[MAX_DECIMAL_BYTES * 3 + 16];
    size_t nd = 0;
    while (nl > 0 && limb[nl - 1] == 0) {
        nl--;
    }
    while (nl > 0) {
        uint64_t rem = 0;
        for (size_t i = nl; i-- > 0;) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (nl > 0 && limb[nl - 1] == 0) {
            nl--;
        }
        for (int k = 0; k < 9 && (nl > 0 || rem > 0 || k == 0); k++) {
            digits[nd++] = (char)('0' + rem % 10);
            rem /= 10;
            if (nl == 0 && rem == 0) {
                break;
            }
        }
    }
    if (nd == 0) {
        digits[nd++] = '0';
        neg = false;
    }
    /* digits[] is reversed. Lay out sign, integer part, point, fraction. */
    size_t w = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (w + 1 >= outlen) {                                                                     \
            return -1;                                                                             \
        }                                                                                          \
        out[w++] = (c);                                                                            \
    } while (0)
    if (neg) {
        PUT('-');
    }
    if (scale <= 0) {
        for (size_t i = nd; i-- > 0;) {
            PUT(digits[i]);
        }
        if (!(nd == 1 && digits[0] == '0')) {
            for (int32_t i = 0; i < -scale; i++) {
                PUT('0');
            }
        }
    } else if ((size_t)scale >= nd) {
        PUT('0');
        PUT('.');
        for (size_t i = 0; i < (size_t)scale - nd; i++) {
            PUT('0');
        }
        for (size_t i = nd; i-- > 0;) {
            PUT(digits[i]);
        }
    } else {
        for (size_t i = nd; i-- > 0;) {
            PUT(digits[i]);
            if (i == (size_t)scale) {
                PUT('.');
            }
        }
    }
#undef PUT
    out[w] = '\0';
    return (int)w;
}

static int32_t param_int(const sluice_schema *s, const char *key, int32_t dflt)
{
    const char *p = s != NULL ? sluice_host->schema_param(s, key) : NULL;
    if (p == NULL || *p == '\0') {
        return dflt;
    }
    int32_t x = 0;
    bool neg = *p == '-';
    for (const char *c = neg ? p + 1 : p; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || x > 100000000) {
            return dflt;
        }
        x = x * 10 + (*c - '0');
    }
    return neg ? -x : x;
}

int sl_cdc_value_decimal_text(const sluice_value *v, const sluice_schema *s, char *out,
                              size_t outlen)
{
    if (is_null(v)) {
        return -1;
    }
    if (s == NULL) {
        s = sluice_host->val_schema(v);
    }
    int lg = sl_cdc_logical(s);
    if (lg == SL_CDC_L_DECIMAL && sluice_host->val_type(v) == SLUICE_TYPE_BYTES) {
        size_t n = 0;
        const void *b = sluice_host->val_bytes(v, &n);
        return sl_cdc_decimal_text(b, n, param_int(s, "scale", 0), out, outlen);
    }
    if (lg == SL_CDC_L_VARIABLE_DECIMAL ||
        (lg == SL_CDC_L_NONE && has_field(v, "scale") && has_field(v, "value"))) {
        int64_t scale = 0;
        const sluice_value *val = sl_cdc_field(v, "value");
        if (!field_int(v, "scale", &scale) || val == NULL ||
            sluice_host->val_type(val) != SLUICE_TYPE_BYTES || scale < -1000000 ||
            scale > 1000000) {
            return -1;
        }
        size_t n = 0;
        const void *b = sluice_host->val_bytes(val, &n);
        return sl_cdc_decimal_text(b, n, (int32_t)scale, out, outlen);
    }
    return -1;
}

/* ---- dates and times (proleptic Gregorian, UTC) ---- */

/* Howard Hinnant's civil_from_days algorithm. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int sl_cdc_date_text(int64_t days, char *out, size_t outlen)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, outlen, "%04lld-%02u-%02u", (long long)y, m, d);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

static int64_t pow10_i(int digits)
{
    int64_t p = 1;
    for (int i = 0; i < digits; i++) {
        p *= 10;
    }
    return p;
}

/* Split t (units of 10^-digits s) into whole seconds and a non-negative fraction. */
static void split_units(int64_t t, int digits, int64_t *secs, int64_t *frac)
{
    int64_t unit = pow10_i(digits);
    *secs = t / unit;
    *frac = t % unit;
    if (*frac < 0) {
        *frac += unit;
        *secs -= 1;
    }
}

static int put_fraction(char *out, size_t outlen, int w, int64_t frac, int digits)
{
    if (digits == 0) {
        return w;
    }
    int n = snprintf(out + w, outlen - (size_t)w, ".%0*lld", digits, (long long)frac);
    return n < 0 || (size_t)(w + n) >= outlen ? -1 : w + n;
}

int sl_cdc_timestamp_text(int64_t t, int digits, char *out, size_t outlen)
{
    if (digits < 0 || digits > 9) {
        return -1;
    }
    int64_t secs, frac;
    split_units(t, digits, &secs, &frac);
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int w = sl_cdc_date_text(days, out, outlen);
    if (w < 0) {
        return -1;
    }
    int n = snprintf(out + w, outlen - (size_t)w, " %02d:%02d:%02d", (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    if (n < 0 || (size_t)(w + n) >= outlen) {
        return -1;
    }
    return put_fraction(out, outlen, w + n, frac, digits);
}

int sl_cdc_time_text(int64_t t, int digits, char *out, size_t outlen)
{
    if (digits < 0 || digits > 9) {
        return -1;
    }
    int64_t secs, frac;
    split_units(t, digits, &secs, &frac);
    secs %= 86400;
    if (secs < 0) {
        secs += 86400;
    }
    int n = snprintf(out, outlen, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60),
                     (int)(secs % 60));
    if (n < 0 || (size_t)n >= outlen) {
        return -1;
    }
    return put_fraction(out, outlen, n, frac, digits);
}
