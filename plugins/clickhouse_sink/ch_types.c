/*
 * ch_types.c — ClickHouse types for the ClickHouse sink: parsing DESCRIBE TABLE's type text,
 * choosing column types for Connect/Debezium schemas (per server version), and the DDL/INSERT
 * text the sink sends. It never does I/O and never allocates per record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "plugins/common/cdc.h"

/* ---- buffer ---- */

void chb_grow(ch_buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        cap *= 2;
    }
    char *p = sluice_host->realloc(b->p, cap);
    if (p == NULL) {
        abort(); /* the host allocator aborts too; keep the same contract */
    }
    b->p = p;
    b->cap = cap;
}

void chb_free(ch_buf *b)
{
    sluice_host->free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void chb_printf(ch_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        chb_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

/* ---- type parsing ---- */

struct parser {
    const char *s;
    size_t i;
    char *err;
    size_t errlen;
};

static void skip_ws(struct parser *p)
{
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n') {
        p->i++;
    }
}

static int expect(struct parser *p, char c)
{
    skip_ws(p);
    if (p->s[p->i] != c) {
        snprintf(p->err, p->errlen, "expected '%c' at position %zu of type '%s'", c, p->i, p->s);
        return -1;
    }
    p->i++;
    return 0;
}

static int parse_uint(struct parser *p, long *out)
{
    skip_ws(p);
    char *end = NULL;
    long v = strtol(p->s + p->i, &end, 10);
    if (end == p->s + p->i) {
        snprintf(p->err, p->errlen, "expected a number at position %zu of type '%s'", p->i, p->s);
        return -1;
    }
    p->i = (size_t)(end - p->s);
    *out = v;
    return 0;
}

/* A quoted string at p (ClickHouse escapes: \' \\ and ''), copied to a new string. */
static int parse_quoted(struct parser *p, char **out)
{
    skip_ws(p);
    if (p->s[p->i] != '\'') {
        snprintf(p->err, p->errlen, "expected a quoted string in type '%s'", p->s);
        return -1;
    }
    p->i++;
    ch_buf b = {0};
    for (;;) {
        char c = p->s[p->i];
        if (c == '\0') {
            chb_free(&b);
            snprintf(p->err, p->errlen, "unterminated string in type '%s'", p->s);
            return -1;
        }
        p->i++;
        if (c == '\\' && p->s[p->i] != '\0') {
            chb_putc(&b, p->s[p->i++]);
        } else if (c == '\'') {
            if (p->s[p->i] == '\'') {
                chb_putc(&b, '\'');
                p->i++;
            } else {
                break;
            }
        } else {
            chb_putc(&b, c);
        }
    }
    chb_putc(&b, '\0');
    *out = b.p;
    return 0;
}

static int parse_type(struct parser *p, struct ch_type *t);

/* Skip a balanced (...) argument list of a type we do not know. */
static void skip_args(struct parser *p)
{
    int depth = 0;
    int quoted = 0;
    for (; p->s[p->i] != '\0'; p->i++) {
        char c = p->s[p->i];
        if (quoted) {
            if (c == '\\' && p->s[p->i + 1] != '\0') {
                p->i++;
            } else if (c == '\'') {
                quoted = 0;
            }
            continue;
        }
        if (c == '\'') {
            quoted = 1;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (--depth == 0) {
                p->i++;
                return;
            }
        }
    }
}

static int parse_enum(struct parser *p, struct ch_type *t)
{
    if (expect(p, '(') != 0) {
        return -1;
    }
    size_t cap = 0;
    for (;;) {
        char *name = NULL;
        long v = 0;
        if (parse_quoted(p, &name) != 0) {
            return -1;
        }
        if (expect(p, '=') != 0) {
            sluice_host->free(name);
            return -1;
        }
        skip_ws(p);
        int neg = 0;
        if (p->s[p->i] == '-') {
            neg = 1;
            p->i++;
        }
        if (parse_uint(p, &v) != 0) {
            sluice_host->free(name);
            return -1;
        }
        if (t->n_enum == cap) {
            cap = cap ? cap * 2 : 8;
            t->enums = sluice_host->realloc(t->enums, cap * sizeof(*t->enums));
        }
        t->enums[t->n_enum].name = name;
        t->enums[t->n_enum].value = (int32_t)(neg ? -v : v);
        t->n_enum++;
        skip_ws(p);
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        return expect(p, ')');
    }
}

static const struct {
    const char *name;
    uint8_t kind;
} simple_types[] = {
    {"Int8", CH_INT8},           {"Int16", CH_INT16},     {"Int32", CH_INT32},
    {"Int64", CH_INT64},         {"Int128", CH_INT128},   {"Int256", CH_INT256},
    {"UInt8", CH_UINT8},         {"UInt16", CH_UINT16},   {"UInt32", CH_UINT32},
    {"UInt64", CH_UINT64},       {"UInt128", CH_UINT128}, {"UInt256", CH_UINT256},
    {"Float32", CH_FLOAT32},     {"Float64", CH_FLOAT64}, {"Bool", CH_BOOL},
    {"Boolean", CH_BOOL},        {"String", CH_STRING},   {"UUID", CH_UUID},
    {"Date", CH_DATE},           {"Date32", CH_DATE32},   {"DateTime", CH_DATETIME},
    {"DateTime32", CH_DATETIME},
};

static struct ch_type *new_type(void)
{
    return sluice_host->calloc(1, sizeof(struct ch_type));
}

static int parse_type(struct parser *p, struct ch_type *t)
{
    skip_ws(p);
    size_t start = p->i;
    while ((p->s[p->i] >= 'A' && p->s[p->i] <= 'Z') || (p->s[p->i] >= 'a' && p->s[p->i] <= 'z') ||
           (p->s[p->i] >= '0' && p->s[p->i] <= '9') || p->s[p->i] == '_') {
        p->i++;
    }
    size_t n = p->i - start;
    const char *name = p->s + start;
    if (n == 0) {
        snprintf(p->err, p->errlen, "expected a type name at position %zu of '%s'", start, p->s);
        return -1;
    }
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
    skip_ws(p);
    int has_args = p->s[p->i] == '(';
    if (IS("Nullable") || IS("LowCardinality")) {
        int nullable = IS("Nullable");
        if (expect(p, '(') != 0 || parse_type(p, t) != 0 || expect(p, ')') != 0) {
            return -1;
        }
        if (nullable) {
            t->nullable = 1;
        }
        return 0;
    }
    if (IS("Array")) {
        t->kind = CH_ARRAY;
        t->elem = new_type();
        return expect(p, '(') == 0 && parse_type(p, t->elem) == 0 ? expect(p, ')') : -1;
    }
    if (IS("Map")) {
        t->kind = CH_MAP;
        t->elem = new_type();
        t->value = new_type();
        if (expect(p, '(') != 0 || parse_type(p, t->elem) != 0 || expect(p, ',') != 0 ||
            parse_type(p, t->value) != 0) {
            return -1;
        }
        return expect(p, ')');
    }
    if (IS("FixedString")) {
        long len = 0;
        t->kind = CH_FIXED_STRING;
        if (expect(p, '(') != 0 || parse_uint(p, &len) != 0 || expect(p, ')') != 0) {
            return -1;
        }
        t->fixed_len = (uint32_t)len;
        return 0;
    }
    if (IS("Decimal") || IS("Decimal32") || IS("Decimal64") || IS("Decimal128") ||
        IS("Decimal256")) {
        long a = 0, b = 0;
        t->kind = CH_DECIMAL;
        if (expect(p, '(') != 0 || parse_uint(p, &a) != 0) {
            return -1;
        }
        if (IS("Decimal")) {
            if (expect(p, ',') != 0 || parse_uint(p, &b) != 0) {
                return -1;
            }
            t->precision = (uint8_t)a;
            t->scale = (uint8_t)b;
        } else {
            t->precision = IS("Decimal32") ? 9 : IS("Decimal64") ? 18 : IS("Decimal128") ? 38 : 76;
            t->scale = (uint8_t)a;
        }
        return expect(p, ')');
    }
    if (IS("DateTime64")) {
        long prec = 3;
        t->kind = CH_DATETIME64;
        if (expect(p, '(') != 0 || parse_uint(p, &prec) != 0) {
            return -1;
        }
        skip_ws(p);
        if (p->s[p->i] == ',') {
            char *tz = NULL;
            p->i++;
            if (parse_quoted(p, &tz) != 0) {
                return -1;
            }
            sluice_host->free(tz);
        }
        t->precision = (uint8_t)prec;
        return expect(p, ')');
    }
    if (IS("Enum8") || IS("Enum16") || IS("Enum")) {
        t->kind = IS("Enum16") ? CH_ENUM16 : CH_ENUM8;
        return parse_enum(p, t);
    }
    for (size_t k = 0; k < sizeof(simple_types) / sizeof(simple_types[0]); k++) {
        if (strlen(simple_types[k].name) == n && memcmp(simple_types[k].name, name, n) == 0) {
            t->kind = simple_types[k].kind;
            if (has_args) { /* DateTime('UTC') */
                skip_args(p);
            }
            return 0;
        }
    }
#undef IS
    t->kind = CH_UNSUPPORTED;
    if (has_args) {
        skip_args(p);
    }
    return 0;
}

int ch_type_parse(const char *text, struct ch_type *out, char *err, size_t errlen)
{
    struct parser p = {.s = text, .i = 0, .err = err, .errlen = errlen};
    memset(out, 0, sizeof(*out));
    if (parse_type(&p, out) != 0) {
        ch_type_free(out);
        return -1;
    }
    skip_ws(&p);
    if (text[p.i] != '\0') {
        snprintf(err, errlen, "trailing text at position %zu of type '%s'", p.i, text);
        ch_type_free(out);
        return -1;
    }
    return 0;
}

void ch_type_free(struct ch_type *t)
{
    if (t == NULL) {
        return;
    }
    if (t->elem != NULL) {
        ch_type_free(t->elem);
        sluice_host->free(t->elem);
    }
    if (t->value != NULL) {
        ch_type_free(t->value);
        sluice_host->free(t->value);
    }
    for (size_t i = 0; i < t->n_enum; i++) {
        sluice_host->free(t->enums[i].name);
    }
    sluice_host->free(t->enums);
    memset(t, 0, sizeof(*t));
}

size_t ch_type_width(const struct ch_type *t)
{
    switch (t->kind) {
    case CH_INT8:
    case CH_UINT8:
    case CH_BOOL:
    case CH_ENUM8:
        return 1;
    case CH_INT16:
    case CH_UINT16:
    case CH_DATE:
    case CH_ENUM16:
        return 2;
    case CH_INT32:
    case CH_UINT32:
    case CH_FLOAT32:
    case CH_DATE32:
    case CH_DATETIME:
        return 4;
    case CH_INT64:
    case CH_UINT64:
    case CH_FLOAT64:
    case CH_DATETIME64:
        return 8;
    case CH_INT128:
    case CH_UINT128:
    case CH_UUID:
        return 16;
    case CH_INT256:
    case CH_UINT256:
        return 32;
    case CH_FIXED_STRING:
        return t->fixed_len;
    case CH_DECIMAL:
        return t->precision <= 9 ? 4 : t->precision <= 18 ? 8 : t->precision <= 38 ? 16 : 32;
    default:
        return 0;
    }
}

/* ---- server capabilities ---- */

void ch_server_from_version(struct ch_server *s, const char *version)
{
    memset(s, 0, sizeof(*s));
    char *end = NULL;
    s->major = (int)strtol(version != NULL ? version : "0", &end, 10);
    if (end != NULL && *end == '.') {
        s->minor = (int)strtol(end + 1, NULL, 10);
    }
    int v = s->major * 100 + s->minor;
    s->datetime64 = v >= 2001;
    s->decimal256 = v >= 2008;
    s->map_type = v >= 2108;
    s->date32 = v >= 2109;
    s->bool_type = v >= 2112;
    s->is_deleted = v >= 2302;
    s->modern = s->is_deleted;
}

/* ---- Connect schema → ClickHouse type ---- */

static void base_type_for_schema(const struct ch_server *srv, const sluice_schema *s, ch_buf *out)
{
    int logical = sl_cdc_logical(s);
    switch (logical) {
    case SL_CDC_L_DECIMAL: {
        int32_t scale = sluice_host->schema_decimal_scale(s);
        const char *ps = sluice_host->schema_param(s, "connect.decimal.precision");
        long prec = ps != NULL ? strtol(ps, NULL, 10) : 0;
        long maxp = srv->decimal256 ? 76 : 38;
        if (scale < 0 || scale > maxp) {
            chb_str(out, "String");
            return;
        }
        if (prec <= 0) {
            prec = 38 > scale ? 38 : scale; /* no precision given: the widest 128-bit decimal */
        }
        if (prec < scale) {
            prec = scale;
        }
        if (prec > maxp) {
            chb_str(out, "String"); /* exact text beats a decimal that cannot hold it */
            return;
        }
        chb_printf(out, "Decimal(%ld, %d)", prec, (int)scale);
        return;
    }
    case SL_CDC_L_VARIABLE_DECIMAL:
        chb_str(out, "String"); /* the scale changes per row: only text is exact */
        return;
    case SL_CDC_L_DATE:
        chb_str(out, srv->date32 ? "Date32" : "Date");
        return;
    case SL_CDC_L_TIME_MILLIS:
    case SL_CDC_L_TIME_MICROS:
    case SL_CDC_L_TIME_NANOS:
    case SL_CDC_L_ZONED_TIME:
        chb_str(out, "String"); /* "HH:MM:SS.ffffff": exact, readable, sorts correctly */
        return;
    case SL_CDC_L_TIMESTAMP_MILLIS:
        chb_str(out, srv->datetime64 ? "DateTime64(3)" : "String");
        return;
    case SL_CDC_L_TIMESTAMP_MICROS:
        chb_str(out, srv->datetime64 ? "DateTime64(6)" : "String");
        return;
    case SL_CDC_L_TIMESTAMP_NANOS:
        chb_str(out, srv->datetime64 ? "DateTime64(9)" : "String");
        return;
    case SL_CDC_L_ZONED_TIMESTAMP:
        chb_str(out, srv->datetime64 ? "DateTime64(6, 'UTC')" : "String");
        return;
    case SL_CDC_L_YEAR:
        chb_str(out, "Int32");
        return;
    case SL_CDC_L_UUID:
        chb_str(out, "UUID");
        return;
    case SL_CDC_L_JSON:
    case SL_CDC_L_ENUM:
    case SL_CDC_L_ENUM_SET:
        chb_str(out, "String");
        return;
    case SL_CDC_L_BITS: {
        const char *ls = sluice_host->schema_param(s, "length");
        long bits = ls != NULL ? strtol(ls, NULL, 10) : 0;
        chb_str(out, bits > 0 && bits <= 64 ? "UInt64" : "String");
        return;
    }
    case SL_CDC_L_MICRO_DURATION:
        chb_str(out, "Int64");
        return;
    default:
        break;
    }
    switch (sluice_host->schema_type(s)) {
    case SLUICE_TYPE_INT8:
        chb_str(out, "Int8");
        return;
    case SLUICE_TYPE_INT16:
        chb_str(out, "Int16");
        return;
    case SLUICE_TYPE_INT32:
        chb_str(out, "Int32");
        return;
    case SLUICE_TYPE_INT64:
        chb_str(out, "Int64");
        return;
    case SLUICE_TYPE_FLOAT32:
        chb_str(out, "Float32");
        return;
    case SLUICE_TYPE_FLOAT64:
        chb_str(out, "Float64");
        return;
    case SLUICE_TYPE_BOOLEAN:
        chb_str(out, srv->bool_type ? "Bool" : "UInt8");
        return;
    case SLUICE_TYPE_ARRAY: {
        const sluice_schema *items = sluice_host->schema_items(s);
        if (items == NULL) {
            chb_str(out, "String");
            return;
        }
        chb_str(out, "Array(");
        ch_type_for_schema(srv, items, 1, out);
        chb_putc(out, ')');
        return;
    }
    case SLUICE_TYPE_MAP: {
        const sluice_schema *k = sluice_host->schema_keys(s);
        const sluice_schema *v = sluice_host->schema_values(s);
        int kt = k != NULL ? sluice_host->schema_type(k) : 0;
        if (!srv->map_type || v == NULL || kt < SLUICE_TYPE_INT8 || kt == SLUICE_TYPE_FLOAT32 ||
            kt == SLUICE_TYPE_FLOAT64 || kt > SLUICE_TYPE_STRING) {
            chb_str(out, "String"); /* JSON text */
            return;
        }
        chb_str(out, "Map(");
        base_type_for_schema(srv, k, out);
        chb_str(out, ", ");
        ch_type_for_schema(srv, v, 1, out);
        chb_putc(out, ')');
        return;
    }
    default: /* STRING, BYTES, STRUCT (JSON text) */
        chb_str(out, "String");
        return;
    }
}

void ch_type_for_schema(const struct ch_server *srv, const sluice_schema *s, int nullable_ok,
                        ch_buf *out)
{
    int t = sluice_host->schema_type(s);
    int composite = (t == SLUICE_TYPE_ARRAY && sluice_host->schema_items(s) != NULL) ||
                    (t == SLUICE_TYPE_MAP && srv->map_type);
    int nullable = nullable_ok && sluice_host->schema_optional(s) && !composite;
    if (nullable) {
        chb_str(out, "Nullable(");
    }
    base_type_for_schema(srv, s, out);
    if (nullable) {
        chb_putc(out, ')');
    }
}

void ch_type_for_value(const struct ch_server *srv, const sluice_value *v, int nullable_ok,
                       ch_buf *out)
{
    const char *base = "String";
    switch (sluice_host->val_type(v)) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        base = "Int64";
        break;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        base = "Float64";
        break;
    case SLUICE_TYPE_BOOLEAN:
        base = srv->bool_type ? "Bool" : "UInt8";
        break;
    default:
        break;
    }
    if (nullable_ok) {
        chb_printf(out, "Nullable(%s)", base);
    } else {
        chb_str(out, base);
    }
}

/* ---- SQL text ---- */

void ch_sql_ident(ch_buf *out, const char *name)
{
    chb_putc(out, '`');
    for (const char *c = name; *c != '\0'; c++) {
        if (*c == '`' || *c == '\\') {
            chb_putc(out, '\\');
        }
        chb_putc(out, *c);
    }
    chb_putc(out, '`');
}

void ch_sql_string(ch_buf *out, const char *s, size_t n)
{
    chb_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') {
            chb_putc(out, '\\');
        }
        chb_putc(out, s[i]);
    }
    chb_putc(out, '\'');
}

static void table_name(ch_buf *out, const char *db, const char *table)
{
    if (db != NULL && db[0] != '\0') {
        ch_sql_ident(out, db);
        chb_putc(out, '.');
    }
    ch_sql_ident(out, table);
}

static void on_cluster(ch_buf *out, const char *cluster)
{
    if (cluster != NULL && cluster[0] != '\0') {
        chb_str(out, " ON CLUSTER ");
        ch_sql_ident(out, cluster);
    }
}

void ch_sql_create(ch_buf *out, const struct ch_server *srv, const char *db, const char *table,
                   const struct ch_coldef *cols, size_t ncols, const char *const *keys,
                   size_t nkeys, const char *ver_col, const char *del_col, const char *cluster)
{
    chb_str(out, "CREATE TABLE IF NOT EXISTS ");
    table_name(out, db, table);
    on_cluster(out, cluster);
    chb_str(out, " (");
    for (size_t i = 0; i < ncols; i++) {
        if (i > 0) {
            chb_str(out, ", ");
        }
        ch_sql_ident(out, cols[i].name);
        chb_putc(out, ' ');
        chb_str(out, cols[i].type);
    }
    chb_str(out, ") ENGINE = ");
    if (nkeys == 0) {
        chb_str(out, "MergeTree ORDER BY tuple()");
        return;
    }
    chb_str(out, "ReplacingMergeTree(");
    ch_sql_ident(out, ver_col);
    if (srv->is_deleted) {
        chb_str(out, ", ");
        ch_sql_ident(out, del_col);
    }
    chb_str(out, ") ORDER BY (");
    for (size_t i = 0; i < nkeys; i++) {
        if (i > 0) {
            chb_str(out, ", ");
        }
        ch_sql_ident(out, keys[i]);
    }
    chb_putc(out, ')');
}

void ch_sql_add_column(ch_buf *out, const char *db, const char *table, const char *col,
                       const char *type, const char *cluster)
{
    chb_str(out, "ALTER TABLE ");
    table_name(out, db, table);
    on_cluster(out, cluster);
    chb_str(out, " ADD COLUMN ");
    ch_sql_ident(out, col);
    chb_putc(out, ' ');
    chb_str(out, type);
}

void ch_sql_insert(ch_buf *out, const char *db, const char *table, const char *const *cols,
                   size_t ncols)
{
    chb_str(out, "INSERT INTO ");
    table_name(out, db, table);
    chb_str(out, " (");
    for (size_t i = 0; i < ncols; i++) {
        if (i > 0) {
            chb_str(out, ", ");
        }
        ch_sql_ident(out, cols[i]);
    }
    chb_str(out, ") FORMAT RowBinary");
}
