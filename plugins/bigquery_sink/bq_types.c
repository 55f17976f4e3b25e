/*
 * bq_types.c — the Connect/Debezium → BigQuery type map of bigquery_sink.so: table schemas
 * (TableFieldSchema JSON) and insertAll row JSON rendered straight into the caller's reusable
 * buffers. Decimals are written as exact text (every digit), timestamps with microseconds. This
 * is the record hot path: no jansson, no allocation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cdc.h"
#include "../common/jsontext.h"
#include "../common/shortnum.h"
#include "bq.h"

#define H sluice_host

void bq_put_int(sluice_buf *out, int64_t x)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = end;
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (x < 0) {
        *--p = '-';
    }
    H->buf_append(out, p, (size_t)(end - p));
}

void bq_put_uint(sluice_buf *out, uint64_t u)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    H->buf_append(out, p, (size_t)(end - p));
}

void bq_json_string(sluice_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    H->buf_append(out, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (sl_jsontext_plain((unsigned char)s[i])) {
            continue;
        }
        H->buf_append(out, s + run, i - run);
        char esc[SL_JSONTEXT_ESC_MAX];
        H->buf_append(out, esc, sl_jsontext_escape((unsigned char)s[i], esc));
        run = i + 1;
    }
    H->buf_append(out, s + run, n - run);
    H->buf_append(out, "\"", 1);
}

static void b64(sluice_buf *out, const void *p, size_t n, const char *alphabet, bool pad)
{
    const unsigned char *s = p;
    char chunk[256];
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        size_t left = n - i;
        if (left > 1) {
            v |= (uint32_t)s[i + 1] << 8;
        }
        if (left > 2) {
            v |= s[i + 2];
        }
        chunk[k++] = alphabet[(v >> 18) & 63];
        chunk[k++] = alphabet[(v >> 12) & 63];
        if (left > 1) {
            chunk[k++] = alphabet[(v >> 6) & 63];
        } else if (pad) {
            chunk[k++] = '=';
        }
        if (left > 2) {
            chunk[k++] = alphabet[v & 63];
        } else if (pad) {
            chunk[k++] = '=';
        }
        if (k > sizeof(chunk) - 8) {
            H->buf_append(out, chunk, k);
            k = 0;
        }
    }
    H->buf_append(out, chunk, k);
}

void bq_base64(sluice_buf *out, const void *p, size_t n)
{
    b64(out, p, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

void bq_base64url(sluice_buf *out, const void *p, size_t n)
{
    b64(out, p, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

void bq_sanitize(const char *in, size_t n, char *out, size_t outlen)
{
    size_t k = 0;
    if (outlen == 0) {
        return;
    }
    if (n > 0 && in[0] >= '0' && in[0] <= '9' && k + 1 < outlen) {
        out[k++] = '_';
    }
    for (size_t i = 0; i < n && k + 1 < outlen; i++) {
        char c = in[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[k++] = ok ? c : '_';
    }
    out[k] = '\0';
}

const char *bq_field_name(const char *name, const bq_type_opts *o, char *tmp, size_t tmplen)
{
    if (!o->sanitize_field_names) {
        return name;
    }
    bq_sanitize(name, strlen(name), tmp, tmplen);
    return tmp;
}

const char *bq_type_name(int t)
{
    switch (t) {
    case BQ_T_STRING:
        return "STRING";
    case BQ_T_BYTES:
        return "BYTES";
    case BQ_T_INTEGER:
        return "INTEGER";
    case BQ_T_FLOAT:
        return "FLOAT";
    case BQ_T_NUMERIC:
        return "NUMERIC";
    case BQ_T_BIGNUMERIC:
        return "BIGNUMERIC";
    case BQ_T_BOOLEAN:
        return "BOOLEAN";
    case BQ_T_TIMESTAMP:
        return "TIMESTAMP";
    case BQ_T_DATE:
        return "DATE";
    case BQ_T_TIME:
        return "TIME";
    case BQ_T_DATETIME:
        return "DATETIME";
    case BQ_T_JSON:
        return "JSON";
    case BQ_T_RECORD:
        return "RECORD";
    default:
        return "STRING";
    }
}

/* NUMERIC holds 29 integer and 9 fractional digits, BIGNUMERIC 38 and 38. */
static int decimal_type(const sluice_schema *s, int mode, bool variable)
{
    switch (mode) {
    case BQ_DEC_FLOAT:
        return BQ_T_FLOAT;
    case BQ_DEC_NUMERIC:
        return BQ_T_NUMERIC;
    case BQ_DEC_BIGNUMERIC:
        return BQ_T_BIGNUMERIC;
    case BQ_DEC_STRING:
        return BQ_T_STRING;
    case BQ_DEC_RECORD:
        return variable ? BQ_T_RECORD : BQ_T_BYTES;
    default:
        break;
    }
    if (variable) {
        return BQ_T_BIGNUMERIC;
    }
    long scale = H->schema_decimal_scale(s);
    const char *ps = H->schema_param(s, "connect.decimal.precision");
    long prec = ps != NULL ? strtol(ps, NULL, 10) : -1;
    if (prec <= 0) {
        return scale <= 38 ? BQ_T_BIGNUMERIC : BQ_T_STRING;
    }
    if (scale <= 9 && prec - scale <= 29) {
        return BQ_T_NUMERIC;
    }
    if (scale <= 38 && prec - scale <= 38) {
        return BQ_T_BIGNUMERIC;
    }
    return BQ_T_STRING;
}

static int physical_type(int t)
{
    switch (t) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        return BQ_T_INTEGER;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        return BQ_T_FLOAT;
    case SLUICE_TYPE_BOOLEAN:
        return BQ_T_BOOLEAN;
    case SLUICE_TYPE_BYTES:
        return BQ_T_BYTES;
    case SLUICE_TYPE_STRUCT:
    case SLUICE_TYPE_MAP:
        return BQ_T_RECORD;
    default:
        return BQ_T_STRING;
    }
}

/* First non-null item of an array value (schemaless inference). */
static const sluice_value *first_item(const sluice_value *v)
{
    size_t n = v != NULL ? H->val_len(v) : 0;
    for (size_t i = 0; i < n; i++) {
        const sluice_value *it = H->val_at(v, i);
        if (it != NULL && H->val_type(it) != SLUICE_TYPE_NULL) {
            return it;
        }
    }
    return NULL;
}

int bq_type_of(const sluice_schema *s, const sluice_value *v, const bq_type_opts *o, bool *repeated)
{
    *repeated = false;
    if (s == NULL) {
        int vt = H->val_type(v);
        if (vt == SLUICE_TYPE_ARRAY) {
            bool r2;
            *repeated = true;
            const sluice_value *it = first_item(v);
            return it != NULL ? bq_type_of(NULL, it, o, &r2) : BQ_T_STRING;
        }
        return physical_type(vt);
    }
    int t = H->schema_type(s);
    if (t == SLUICE_TYPE_ARRAY) {
        bool r2;
        *repeated = true;
        return bq_type_of(H->schema_items(s), NULL, o, &r2);
    }
    if (t == SLUICE_TYPE_MAP) {
        *repeated = true;
        return BQ_T_RECORD;
    }
    switch (sl_cdc_logical(s)) {
    case SL_CDC_L_DECIMAL:
        return decimal_type(s, o->decimal_mode, false);
    case SL_CDC_L_VARIABLE_DECIMAL:
        return decimal_type(s, o->vs_decimal_mode, true);
    case SL_CDC_L_DATE:
        return BQ_T_DATE;
    case SL_CDC_L_TIME_MILLIS:
    case SL_CDC_L_TIME_MICROS:
    case SL_CDC_L_TIME_NANOS:
        return BQ_T_TIME;
    case SL_CDC_L_TIMESTAMP_MILLIS:
    case SL_CDC_L_TIMESTAMP_MICROS:
    case SL_CDC_L_TIMESTAMP_NANOS:
        return o->debezium_ts_as_integer ? BQ_T_INTEGER : BQ_T_TIMESTAMP;
    case SL_CDC_L_ZONED_TIMESTAMP:
        return BQ_T_TIMESTAMP;
    case SL_CDC_L_JSON:
        return BQ_T_JSON;
    case SL_CDC_L_YEAR:
    case SL_CDC_L_MICRO_DURATION:
        return BQ_T_INTEGER;
    default:
        break;
    }
    return physical_type(t);
}

static void field_children(sluice_buf *out, const sluice_schema *s, const sluice_value *v,
                           const bq_type_opts *o, bool force_nullable)
{
    H->buf_append(out, ",\"fields\":[", 11);
    bq_fields_json(out, s, v, o, force_nullable);
    H->buf_append(out, "]", 1);
}

void bq_field_json(sluice_buf *out, const char *name, const sluice_schema *s, const sluice_value *v,
                   const bq_type_opts *o, bool force_nullable)
{
    bool repeated;
    char tmp[300];
    int t = bq_type_of(s, v, o, &repeated);
    const char *mode = "NULLABLE";
    if (repeated) {
        mode = "REPEATED";
    } else if (s != NULL && !H->schema_optional(s) && !o->all_nullable && !force_nullable) {
        mode = "REQUIRED";
    }
    H->buf_append(out, "{\"name\":", 8);
    const char *fname = bq_field_name(name, o, tmp, sizeof(tmp));
    bq_json_string(out, fname, strlen(fname));
    H->buf_printf(out, ",\"type\":\"%s\",\"mode\":\"%s\"", bq_type_name(t), mode);
    if (t == BQ_T_RECORD) {
        const sluice_schema *rs = s;
        const sluice_value *rv = v;
        if (s != NULL && H->schema_type(s) == SLUICE_TYPE_ARRAY) {
            rs = H->schema_items(s);
            rv = NULL;
        } else if (s == NULL && H->val_type(v) == SLUICE_TYPE_ARRAY) {
            rv = first_item(v);
        }
        if (rs != NULL && H->schema_type(rs) == SLUICE_TYPE_MAP) {
            H->buf_append(out, ",\"fields\":[", 11);
            bq_field_json(out, "key", H->schema_keys(rs), NULL, o, force_nullable);
            H->buf_append(out, ",", 1);
            bq_field_json(out, "value", H->schema_values(rs), NULL, o, true);
            H->buf_append(out, "]", 1);
        } else if (rs != NULL && sl_cdc_logical(rs) == SL_CDC_L_VARIABLE_DECIMAL) {
            H->buf_append(out,
                          ",\"fields\":[{\"name\":\"scale\",\"type\":\"INTEGER\",\"mode\":"
                          "\"NULLABLE\"},{\"name\":\"value\",\"type\":\"BYTES\",\"mode\":"
                          "\"NULLABLE\"}]",
                          strlen(",\"fields\":[{\"name\":\"scale\",\"type\":\"INTEGER\","
                                 "\"mode\":\"NULLABLE\"},{\"name\":\"value\",\"type\":"
                                 "\"BYTES\",\"mode\":\"NULLABLE\"}]"));
        } else {
            field_children(out, rs, rv, o, force_nullable);
        }
    }
    H->buf_append(out, "}", 1);
}

void bq_fields_json(sluice_buf *out, const sluice_schema *s, const sluice_value *v,
                    const bq_type_opts *o, bool force_nullable)
{
    if (s != NULL && H->schema_type(s) == SLUICE_TYPE_STRUCT) {
        size_t n = H->schema_field_count(s);
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                H->buf_append(out, ",", 1);
            }
            bq_field_json(out, H->schema_field_name(s, i), H->schema_field_schema(s, i), NULL, o,
                          force_nullable);
        }
        return;
    }
    /* schemaless struct or map: inferred from the value */
    size_t n = v != NULL ? H->val_len(v) : 0;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const char *name = H->val_name_at(v, i);
        if (name == NULL) {
            continue;
        }
        const sluice_value *fv = H->val_at(v, i);
        if (!first) {
            H->buf_append(out, ",", 1);
        }
        first = false;
        bq_field_json(out, name, fv != NULL ? H->val_schema(fv) : NULL, fv, o, true);
    }
}

static void put_double(sluice_buf *out, double d, const bq_type_opts *o)
{
    if (isnan(d) || isinf(d)) {
        if (o->convert_double_special) {
            d = isnan(d) ? -1.7976931348623157e308
                         : (d > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308);
        } else {
            const char *t = isnan(d) ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
            H->buf_append(out, t, strlen(t));
            return;
        }
    }
    char text[SL_SHORTNUM_MAX];
    H->buf_append(out, text, sl_shortnum_g(d, false, text));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

static int render_decimal(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                          int logical, const bq_type_opts *o, char *err, size_t errlen)
{
    int mode = logical == SL_CDC_L_VARIABLE_DECIMAL ? o->vs_decimal_mode : o->decimal_mode;
    int vt = H->val_type(v);
    if (mode == BQ_DEC_RECORD) {
        if (logical == SL_CDC_L_DECIMAL && vt == SLUICE_TYPE_BYTES) {
            size_t n;
            const void *p = H->val_bytes(v, &n);
            H->buf_append(out, "\"", 1);
            bq_base64(out, p, n);
            H->buf_append(out, "\"", 1);
            return 0;
        }
        if (vt == SLUICE_TYPE_STRUCT) {
            return bq_render_value(out, v, NULL, o, err, errlen);
        }
    }
    char text[256];
    int n = -1;
    if ((logical == SL_CDC_L_DECIMAL && vt == SLUICE_TYPE_BYTES) ||
        (logical == SL_CDC_L_VARIABLE_DECIMAL && vt == SLUICE_TYPE_STRUCT)) {
        n = sl_cdc_value_decimal_text(v, s, text, sizeof(text));
    } else if (vt == SLUICE_TYPE_STRING) {
        size_t len;
        const char *p = H->val_string(v, &len);
        if (len < sizeof(text)) {
            memcpy(text, p, len);
            text[len] = '\0';
            n = (int)len;
        }
    } else if (vt == SLUICE_TYPE_FLOAT32 || vt == SLUICE_TYPE_FLOAT64) {
        if (mode == BQ_DEC_FLOAT) {
            put_double(out, H->val_double(v), o);
            return 0;
        }
        n = snprintf(text, sizeof(text), "%.17g", H->val_double(v));
    } else if (vt >= SLUICE_TYPE_INT8 && vt <= SLUICE_TYPE_INT64) {
        n = snprintf(text, sizeof(text), "%lld", (long long)H->val_int(v));
    }
    if (n < 0) {
        snprintf(err, errlen, "cannot read a decimal from a value of type %d", vt);
        return -1;
    }
    if (mode == BQ_DEC_FLOAT) {
        H->buf_append(out, text, (size_t)n); /* the exact text is a valid JSON number */
    } else {
        bq_json_string(out, text, (size_t)n);
    }
    return 0;
}

static int render_logical(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                          int logical, const bq_type_opts *o, char *err, size_t errlen)
{
    char text[64];
    int n = -1;
    int64_t x = H->val_int(v);
    switch (logical) {
    case SL_CDC_L_DECIMAL:
    case SL_CDC_L_VARIABLE_DECIMAL:
        return render_decimal(out, v, s, logical, o, err, errlen);
    case SL_CDC_L_DATE:
        n = sl_cdc_date_text(x, text, sizeof(text));
        break;
    case SL_CDC_L_TIME_MILLIS:
        n = sl_cdc_time_text(x, 3, text, sizeof(text));
        break;
    case SL_CDC_L_TIME_MICROS:
        n = sl_cdc_time_text(x, 6, text, sizeof(text));
        break;
    case SL_CDC_L_TIME_NANOS:
        n = sl_cdc_time_text(floor_div(x, 1000), 6, text, sizeof(text));
        break;
    case SL_CDC_L_TIMESTAMP_MILLIS:
    case SL_CDC_L_TIMESTAMP_MICROS:
    case SL_CDC_L_TIMESTAMP_NANOS:
        if (o->debezium_ts_as_integer) {
            bq_put_int(out, x);
            return 0;
        }
        if (logical == SL_CDC_L_TIMESTAMP_MILLIS) {
            n = sl_cdc_timestamp_text(x, 3, text, sizeof(text));
        } else if (logical == SL_CDC_L_TIMESTAMP_MICROS) {
            n = sl_cdc_timestamp_text(x, 6, text, sizeof(text));
        } else {
            n = sl_cdc_timestamp_text(floor_div(x, 1000), 6, text, sizeof(text));
        }
        break;
    default:
        return 1; /* not handled here */
    }
    if (n < 0) {
        snprintf(err, errlen, "value %lld is out of range for its logical type", (long long)x);
        return -1;
    }
    bq_json_string(out, text, (size_t)n);
    return 0;
}

/* An ISO-8601 timestamp with more than 6 fractional digits (nanoseconds) is cut to
 * microseconds: BigQuery TIMESTAMPs hold microseconds and refuse more digits. */
static int zoned_timestamp(sluice_buf *out, const sluice_value *v)
{
    size_t len;
    const char *p = H->val_string(v, &len);
    const char *dot = memchr(p, '.', len);
    if (dot == NULL) {
        bq_json_string(out, p, len);
        return 0;
    }
    size_t digits = 0;
    while (dot + 1 + digits < p + len && dot[1 + digits] >= '0' && dot[1 + digits] <= '9') {
        digits++;
    }
    if (digits <= 6) {
        bq_json_string(out, p, len);
        return 0;
    }
    const char *rest = dot + 1 + digits;
    H->buf_append(out, "\"", 1);
    H->buf_append(out, p, (size_t)(dot + 7 - p));
    H->buf_append(out, rest, (size_t)(p + len - rest));
    H->buf_append(out, "\"", 1);
    return 0;
}

int bq_render_value(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                    const bq_type_opts *o, char *err, size_t errlen)
{
    int vt = H->val_type(v);
    if (vt == SLUICE_TYPE_NULL) {
        H->buf_append(out, "null", 4);
        return 0;
    }
    if (s == NULL) {
        s = H->val_schema(v);
    }
    int logical = sl_cdc_logical(s);
    if (logical != SL_CDC_L_NONE && vt != SLUICE_TYPE_STRING) {
        int rc = render_logical(out, v, s, logical, o, err, errlen);
        if (rc <= 0) {
            return rc;
        }
    } else if (logical == SL_CDC_L_DECIMAL) {
        return render_decimal(out, v, s, logical, o, err, errlen);
    }
    size_t len;
    if (logical == SL_CDC_L_ZONED_TIMESTAMP && vt == SLUICE_TYPE_STRING) {
        return zoned_timestamp(out, v);
    }
    switch (vt) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
        bq_put_int(out, H->val_int(v));
        return 0;
    case SLUICE_TYPE_INT64:
        /* quoted: exact beyond 2^53 whatever parses it */
        H->buf_append(out, "\"", 1);
        bq_put_int(out, H->val_int(v));
        H->buf_append(out, "\"", 1);
        return 0;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        put_double(out, H->val_double(v), o);
        return 0;
    case SLUICE_TYPE_BOOLEAN:
        if (H->val_bool(v)) {
            H->buf_append(out, "true", 4);
        } else {
            H->buf_append(out, "false", 5);
        }
        return 0;
    case SLUICE_TYPE_STRING: {
        const char *p = H->val_string(v, &len);
        bq_json_string(out, p, len);
        return 0;
    }
    case SLUICE_TYPE_BYTES: {
        const void *p = H->val_bytes(v, &len);
        H->buf_append(out, "\"", 1);
        bq_base64(out, p, len);
        H->buf_append(out, "\"", 1);
        return 0;
    }
    case SLUICE_TYPE_ARRAY: {
        const sluice_schema *is = s != NULL ? H->schema_items(s) : NULL;
        size_t n = H->val_len(v);
        bool first = true;
        H->buf_append(out, "[", 1);
        for (size_t i = 0; i < n; i++) {
            const sluice_value *it = H->val_at(v, i);
            if (it == NULL || H->val_type(it) == SLUICE_TYPE_NULL) {
                continue; /* BigQuery arrays cannot hold NULL */
            }
            if (!first) {
                H->buf_append(out, ",", 1);
            }
            first = false;
            if (bq_render_value(out, it, is, o, err, errlen) != 0) {
                return -1;
            }
        }
        H->buf_append(out, "]", 1);
        return 0;
    }
    case SLUICE_TYPE_MAP: {
        if (s == NULL) {
            break; /* a schemaless JSON object: a RECORD */
        }
        const sluice_schema *ks = H->schema_keys(s);
        const sluice_schema *vs = H->schema_values(s);
        size_t n = H->val_len(v);
        H->buf_append(out, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0) {
                H->buf_append(out, ",", 1);
            }
            H->buf_append(out, "{\"key\":", 7);
            if (bq_render_value(out, H->val_map_key(v, i), ks, o, err, errlen) != 0) {
                return -1;
            }
            H->buf_append(out, ",\"value\":", 9);
            if (bq_render_value(out, H->val_at(v, i), vs, o, err, errlen) != 0) {
                return -1;
            }
            H->buf_append(out, "}", 1);
        }
        H->buf_append(out, "]", 1);
        return 0;
    }
    case SLUICE_TYPE_STRUCT:
        break;
    default:
        snprintf(err, errlen, "unsupported value type %d", vt);
        return -1;
    }
    H->buf_append(out, "{", 1);
    if (bq_render_fields(out, v, s, o, NULL, err, errlen) != 0) {
        return -1;
    }
    H->buf_append(out, "}", 1);
    return 0;
}

int bq_render_fields(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                     const bq_type_opts *o, sluice_buf *toast, char *err, size_t errlen)
{
    sl_cdc_opts co = {.mode = SL_CDC_MODE_AUTO, .placeholder = o->placeholder};
    bool structured = s != NULL && H->schema_type(s) == SLUICE_TYPE_STRUCT;
    size_t n = H->val_len(v);
    bool first = true;
    char tmp[300];
    for (size_t i = 0; i < n; i++) {
        const sluice_value *fv = H->val_at(v, i);
        if (fv == NULL || H->val_type(fv) == SLUICE_TYPE_NULL) {
            continue;
        }
        const char *name = structured ? H->schema_field_name(s, i) : H->val_name_at(v, i);
        if (name == NULL) {
            continue;
        }
        const char *fname = bq_field_name(name, o, tmp, sizeof(tmp));
        if (toast != NULL && sl_cdc_is_unavailable(&co, fv)) {
            if (H->buf_len(toast) > 0) {
                H->buf_append(toast, ",", 1);
            }
            bq_json_string(toast, fname, strlen(fname));
            continue;
        }
        if (!first) {
            H->buf_append(out, ",", 1);
        }
        first = false;
        bq_json_string(out, fname, strlen(fname));
        H->buf_append(out, ":", 1);
        const sluice_schema *fs = structured ? H->schema_field_schema(s, i) : NULL;
        if (bq_render_value(out, fv, fs, o, err, errlen) != 0) {
            return -1;
        }
    }
    return 0;
}
