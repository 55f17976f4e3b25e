/*
 * ch_rowbinary.c — Connect values as ClickHouse RowBinary, appended straight into a reusable
 * buffer: the conversions the sink allows between a source field (with its Debezium logical type)
 * and the target column, each exact or refused with a reason. No allocation, no jansson; nested
 * values that become JSON text go through one reused host buffer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "plugins/common/cdc.h"
#include "plugins/common/shortnum.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

static int fail(struct ch_enc *e, const char *fmt, ...) SLUICE_PRINTF(2, 3);
static int fail(struct ch_enc *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, e->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static inline void put_le(ch_buf *b, uint64_t x, size_t width)
{
    chb_reserve(b, width);
    for (size_t i = 0; i < width; i++) {
        b->p[b->len++] = (char)(x >> (8 * i));
    }
}

static void put_le128(ch_buf *b, i128 x, size_t width)
{
    u128 u = (u128)x;
    chb_reserve(b, width);
    for (size_t i = 0; i < width; i++) {
        b->p[b->len++] = i < 16 ? (char)(u >> (8 * i)) : (char)(x < 0 ? 0xff : 0);
    }
}

static const char *kind_name(int k)
{
    static const char *const names[] = {"an unsupported type",
                                        "Int8",
                                        "Int16",
                                        "Int32",
                                        "Int64",
                                        "Int128",
                                        "Int256",
                                        "UInt8",
                                        "UInt16",
                                        "UInt32",
                                        "UInt64",
                                        "UInt128",
                                        "UInt256",
                                        "Float32",
                                        "Float64",
                                        "Bool",
                                        "String",
                                        "FixedString",
                                        "UUID",
                                        "Date",
                                        "Date32",
                                        "DateTime",
                                        "DateTime64",
                                        "Decimal",
                                        "Enum8",
                                        "Enum16",
                                        "Array",
                                        "Map"};
    return k >= 0 && k <= CH_MAP ? names[k] : "?";
}

static const char *src_name(const sluice_value *v)
{
    static const char *const names[] = {"null",    "INT8",    "INT16",   "INT32",  "INT64",
                                        "FLOAT32", "FLOAT64", "BOOLEAN", "STRING", "BYTES",
                                        "ARRAY",   "MAP",     "STRUCT"};
    int t = sluice_host->val_type(v);
    return t >= 0 && t <= SLUICE_TYPE_STRUCT ? names[t] : "?";
}

/* ---- text parsing ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t count, int64_t *out)
{
    int64_t v = 0;
    if (at + count > n) {
        return -1;
    }
    for (size_t i = at; i < at + count; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|±HH[:MM]]" → UTC seconds + nanoseconds. */
int ch_parse_datetime(const char *s, size_t n, int64_t *secs, int32_t *nanos)
{
    int64_t y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
    if (n < 10 || digits(s, n, 0, 4, &y) || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
        return -1;
    }
    size_t i = 10;
    int64_t tz = 0;
    if (i < n) {
        if ((s[i] != 'T' && s[i] != ' ') || digits(s, n, i + 1, 2, &h) || i + 3 >= n ||
            s[i + 3] != ':' || digits(s, n, i + 4, 2, &mi)) {
            return -1;
        }
        i += 6;
        if (i < n && s[i] == ':') {
            if (digits(s, n, i + 1, 2, &se)) {
                return -1;
            }
            i += 3;
        }
        if (i < n && s[i] == '.') {
            int nd = 0;
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd < 9) {
                    frac = frac * 10 + (s[i] - '0');
                    nd++;
                } else if (s[i] != '0') {
                    return -1; /* finer than a nanosecond */
                }
                i++;
            }
            if (nd == 0) {
                return -1;
            }
            for (; nd < 9; nd++) {
                frac *= 10;
            }
        }
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int64_t th = 0, tm = 0;
            int sign = s[i] == '-' ? -1 : 1;
            if (digits(s, n, i + 1, 2, &th)) {
                return -1;
            }
            i += 3;
            if (i < n && s[i] == ':') {
                i++;
            }
            if (i < n && digits(s, n, i, 2, &tm) == 0) {
                i += 2;
            }
            tz = sign * (th * 3600 + tm * 60);
        }
        if (i != n || h > 23 || mi > 59 || se > 60) {
            return -1;
        }
    }
    *secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - tz;
    *nanos = (int32_t)frac;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int ch_parse_uuid(const char *s, size_t n, uint8_t out[16])
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && n == 36) {
            continue;
        }
        int hi = hexval(s[i]);
        int lo = i + 1 < n ? hexval(s[i + 1]) : -1;
        if (hi < 0 || lo < 0 || k == 16) {
            return -1;
        }
        out[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return k == 16 ? 0 : -1;
}

static int parse_int_text(const char *s, size_t n, i128 *out)
{
    size_t i = 0;
    int neg = 0;
    u128 v = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) {
        return -1;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > ((u128)1 << 126) / 5) {
            return -1;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = neg ? -(i128)v : (i128)v;
    return 0;
}

/* Decimal text → unscaled integer at `scale`; -1 on bad text, digits lost or > 38 digits. */
static int parse_decimal_text(const char *s, size_t n, int scale, i128 *out)
{
    size_t i = 0;
    int neg = 0, frac_digits = 0, seen_dot = 0, any = 0;
    u128 v = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && !seen_dot) {
            seen_dot = 1;
            continue;
        }
        if (c < '0' || c > '9') {
            return -1;
        }
        any = 1;
        if (seen_dot && frac_digits == scale) {
            if (c != '0') {
                return -1; /* more fractional digits than the column keeps */
            }
            continue;
        }
        if (v > ((u128)1 << 126) / 5) {
            return -1;
        }
        v = v * 10 + (unsigned)(c - '0');
        frac_digits += seen_dot;
    }
    if (!any) {
        return -1;
    }
    for (; frac_digits < scale; frac_digits++) {
        if (v > ((u128)1 << 126) / 5) {
            return -1;
        }
        v *= 10;
    }
    *out = neg ? -(i128)v : (i128)v;
    return 0;
}

static i128 pow10_128(int d)
{
    i128 p = 1;
    while (d-- > 0) {
        p *= 10;
    }
    return p;
}

/* ---- integer-like targets ---- */

static int int_range(int kind, i128 *lo, i128 *hi)
{
    switch (kind) {
    case CH_INT8:
        *lo = INT8_MIN, *hi = INT8_MAX;
        return 1;
    case CH_INT16:
        *lo = INT16_MIN, *hi = INT16_MAX;
        return 2;
    case CH_INT32:
        *lo = INT32_MIN, *hi = INT32_MAX;
        return 4;
    case CH_INT64:
        *lo = INT64_MIN, *hi = INT64_MAX;
        return 8;
    case CH_UINT8:
    case CH_BOOL:
        *lo = 0, *hi = kind == CH_BOOL ? 1 : UINT8_MAX;
        return 1;
    case CH_UINT16:
        *lo = 0, *hi = UINT16_MAX;
        return 2;
    case CH_UINT32:
        *lo = 0, *hi = UINT32_MAX;
        return 4;
    case CH_UINT64:
        *lo = 0, *hi = (i128)UINT64_MAX;
        return 8;
    case CH_INT128:
    case CH_INT256:
        *lo = -(i128)(((u128)1 << 127) - 1) - 1, *hi = (i128)(((u128)1 << 127) - 1);
        return kind == CH_INT128 ? 16 : 32;
    case CH_UINT128:
    case CH_UINT256:
        *lo = 0, *hi = (i128)(((u128)1 << 127) - 1);
        return kind == CH_UINT128 ? 16 : 32;
    default:
        return 0;
    }
}

static int put_int(struct ch_enc *e, const struct ch_type *t, i128 x)
{
    i128 lo, hi;
    int w = int_range(t->kind, &lo, &hi);
    if (w == 0 || x < lo || x > hi) {
        return fail(e, "value out of range for %s", kind_name(t->kind));
    }
    if (w <= 8) {
        put_le(e->out, (uint64_t)(int64_t)x, (size_t)w);
    } else {
        put_le128(e->out, x, (size_t)w);
    }
    return 0;
}

int ch_encode_int(struct ch_enc *e, const struct ch_type *t, int64_t x)
{
    if (t->nullable) {
        chb_putc(e->out, 0);
    }
    return put_int(e, t, x);
}

/* Seconds and nanoseconds since the epoch from an integer with a time logical type. */
static void int_to_time(int64_t x, int logical, int64_t *secs, int64_t *nanos)
{
    int64_t div = 1;
    switch (logical) {
    case SL_CDC_L_DATE:
        *secs = x * 86400;
        *nanos = 0;
        return;
    case SL_CDC_L_TIMESTAMP_MILLIS:
        div = 1000;
        break;
    case SL_CDC_L_TIMESTAMP_MICROS:
        div = 1000000;
        break;
    case SL_CDC_L_TIMESTAMP_NANOS:
        div = 1000000000;
        break;
    default:
        *secs = x;
        *nanos = 0;
        return;
    }
    int64_t s = x / div, r = x % div;
    if (r < 0) {
        s--;
        r += div;
    }
    *secs = s;
    *nanos = r * (1000000000 / div);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return ((a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q);
}

/* A time-like target (Date, Date32, DateTime, DateTime64) from secs+nanos. */
static int put_time(struct ch_enc *e, const struct ch_type *t, int64_t secs, int64_t nanos)
{
    switch (t->kind) {
    case CH_DATE: {
        int64_t days = floor_div(secs, 86400);
        if (days < 0 || days > 65535) {
            return fail(e, "date out of range for Date (1970-01-01..2149-06-06)");
        }
        put_le(e->out, (uint64_t)days, 2);
        return 0;
    }
    case CH_DATE32: {
        int64_t days = floor_div(secs, 86400);
        put_le(e->out, (uint64_t)(int64_t)(int32_t)days, 4);
        return 0;
    }
    case CH_DATETIME:
        if (secs < 0 || secs > (int64_t)UINT32_MAX) {
            return fail(e, "time out of range for DateTime (1970..2106)");
        }
        put_le(e->out, (uint64_t)secs, 4);
        return 0;
    case CH_DATETIME64: {
        int p = t->precision > 9 ? 9 : t->precision;
        int64_t unit = 1;
        for (int i = 0; i < p; i++) {
            unit *= 10;
        }
        int64_t div = 1000000000 / unit;
        i128 v = (i128)secs * unit + nanos / div;
        put_le(e->out, (uint64_t)(int64_t)v, 8);
        return 0;
    }
    default:
        return fail(e, "not a time type");
    }
}

static int is_time_kind(int k)
{
    return k == CH_DATE || k == CH_DATE32 || k == CH_DATETIME || k == CH_DATETIME64;
}

/* ---- String targets: text of any value ---- */

static void put_string(ch_buf *out, const char *s, size_t n)
{
    chb_varint(out, n);
    chb_put(out, s, n);
}

static int float_text(double d, int is_float, char *text, size_t len)
{
    if (isnan(d)) {
        return snprintf(text, len, "NaN");
    }
    if (isinf(d)) {
        return snprintf(text, len, "%sInfinity", d < 0 ? "-" : "");
    }
    char t[SL_SHORTNUM_MAX];
    size_t n = sl_shortnum_g(d, is_float, t);
    return snprintf(text, len, "%.*s", (int)n, t);
}

/* The text a value has in a String column (logical types as exact readable text). */
static int value_text(struct ch_enc *e, const sluice_value *v, const struct ch_src *src, char *tmp,
                      size_t tmplen, const char **s, size_t *n)
{
    int vt = sluice_host->val_type(v);
    int logical = src != NULL ? src->logical : 0;
    int len = -1;
    switch (vt) {
    case SLUICE_TYPE_STRING:
        *s = sluice_host->val_string(v, n);
        return 0;
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64: {
        int64_t x = sluice_host->val_int(v);
        switch (logical) {
        case SL_CDC_L_DATE:
            len = sl_cdc_date_text(x, tmp, tmplen);
            break;
        case SL_CDC_L_TIME_MILLIS:
            len = sl_cdc_time_text(x, 3, tmp, tmplen);
            break;
        case SL_CDC_L_TIME_MICROS:
            len = sl_cdc_time_text(x, 6, tmp, tmplen);
            break;
        case SL_CDC_L_TIME_NANOS:
            len = sl_cdc_time_text(x, 9, tmp, tmplen);
            break;
        case SL_CDC_L_TIMESTAMP_MILLIS:
            len = sl_cdc_timestamp_text(x, 3, tmp, tmplen);
            break;
        case SL_CDC_L_TIMESTAMP_MICROS:
            len = sl_cdc_timestamp_text(x, 6, tmp, tmplen);
            break;
        case SL_CDC_L_TIMESTAMP_NANOS:
            len = sl_cdc_timestamp_text(x, 9, tmp, tmplen);
            break;
        default:
            len = snprintf(tmp, tmplen, "%lld", (long long)x);
            break;
        }
        break;
    }
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        len = float_text(sluice_host->val_double(v), vt == SLUICE_TYPE_FLOAT32, tmp, tmplen);
        break;
    case SLUICE_TYPE_BOOLEAN:
        len = snprintf(tmp, tmplen, "%s", sluice_host->val_bool(v) ? "true" : "false");
        break;
    case SLUICE_TYPE_BYTES:
        if (logical == SL_CDC_L_DECIMAL && src->schema != NULL) {
            len = sl_cdc_value_decimal_text(v, src->schema, tmp, tmplen);
            break;
        }
        *s = sluice_host->val_bytes(v, n);
        return 0;
    case SLUICE_TYPE_STRUCT:
        if (logical == SL_CDC_L_VARIABLE_DECIMAL && src->schema != NULL) {
            len = sl_cdc_value_decimal_text(v, src->schema, tmp, tmplen);
            break;
        }
        __attribute__((fallthrough)); /* JSON text */
    default:
        sluice_host->buf_reset(e->scratch);
        if (sluice_host->val_to_json(v, e->scratch) != SLUICE_OK) {
            return fail(e, "cannot render %s as JSON text", src_name(v));
        }
        *s = sluice_host->buf_data(e->scratch);
        *n = sluice_host->buf_len(e->scratch);
        return 0;
    }
    if (len < 0 || (size_t)len >= tmplen) {
        return fail(e, "cannot render %s as text", src_name(v));
    }
    *s = tmp;
    *n = (size_t)len;
    return 0;
}

/* Decimal text of a value meant for a Decimal or numeric target. */
static int decimal_source_text(struct ch_enc *e, const sluice_value *v, const struct ch_src *src,
                               int scale, char *tmp, size_t tmplen, const char **s, size_t *n)
{
    int vt = sluice_host->val_type(v);
    if (vt == SLUICE_TYPE_FLOAT32 || vt == SLUICE_TYPE_FLOAT64) {
        double d = sluice_host->val_double(v);
        if (!isfinite(d)) {
            return fail(e, "non-finite number");
        }
        int len = snprintf(tmp, tmplen, "%.*f", scale, d);
        if (len < 0 || (size_t)len >= tmplen) {
            return fail(e, "number too large");
        }
        *s = tmp;
        *n = (size_t)len;
        return 0;
    }
    if (vt == SLUICE_TYPE_BYTES && (src == NULL || src->logical != SL_CDC_L_DECIMAL)) {
        return fail(e, "cannot write BYTES into Decimal");
    }
    if (vt == SLUICE_TYPE_STRUCT && (src == NULL || src->logical != SL_CDC_L_VARIABLE_DECIMAL)) {
        return fail(e, "cannot write STRUCT into Decimal");
    }
    return value_text(e, v, src, tmp, tmplen, s, n);
}

static int encode_decimal(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                          const struct ch_src *src)
{
    char tmp[128];
    const char *s = NULL;
    size_t n = 0;
    if (decimal_source_text(e, v, src, t->scale, tmp, sizeof(tmp), &s, &n) != 0) {
        return -1;
    }
    i128 x = 0;
    if (parse_decimal_text(s, n, t->scale, &x) != 0) {
        return fail(e, "'%.*s' is not a decimal that Decimal(%d, %d) holds exactly",
                    (int)(n > 64 ? 64 : n), s, t->precision, t->scale);
    }
    int p = t->precision > 38 ? 38 : t->precision;
    i128 lim = pow10_128(p);
    if (x >= lim || x <= -lim) {
        return fail(e, "'%.*s' has more than %d digits", (int)(n > 64 ? 64 : n), s, t->precision);
    }
    size_t w = ch_type_width(t);
    if (w <= 8) {
        put_le(e->out, (uint64_t)(int64_t)x, w);
    } else {
        put_le128(e->out, x, w);
    }
    return 0;
}

static int encode_number_target(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                                const struct ch_src *src)
{
    int vt = sluice_host->val_type(v);
    switch (vt) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
    case SLUICE_TYPE_BOOLEAN:
        return put_int(e, t, sluice_host->val_int(v));
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64: {
        double d = sluice_host->val_double(v);
        if (d != floor(d) || fabs(d) > 9.2e18) {
            return fail(e, "%g is not an integer", d);
        }
        return put_int(e, t, (i128)(int64_t)d);
    }
    case SLUICE_TYPE_STRING: {
        size_t n = 0;
        const char *s = sluice_host->val_string(v, &n);
        i128 x = 0;
        if (t->kind == CH_BOOL || t->kind == CH_UINT8) {
            if (n == 4 && memcmp(s, "true", 4) == 0) {
                return put_int(e, t, 1);
            }
            if (n == 5 && memcmp(s, "false", 5) == 0) {
                return put_int(e, t, 0);
            }
        }
        if (parse_int_text(s, n, &x) != 0) {
            return fail(e, "'%.*s' is not an integer", (int)(n > 64 ? 64 : n), s);
        }
        return put_int(e, t, x);
    }
    case SLUICE_TYPE_BYTES:
        if (src != NULL && src->logical == SL_CDC_L_BITS) {
            size_t n = 0;
            const uint8_t *b = sluice_host->val_bytes(v, &n);
            uint64_t x = 0;
            for (size_t i = 0; i < n; i++) {
                if (i >= 8) {
                    if (b[i] != 0) {
                        return fail(e, "bit string longer than 64 bits");
                    }
                    continue;
                }
                x |= (uint64_t)b[i] << (8 * i);
            }
            return put_int(e, t, (i128)x);
        }
        if (src != NULL && src->logical == SL_CDC_L_DECIMAL) {
            char tmp[128];
            const char *s = NULL;
            size_t n = 0;
            i128 x = 0;
            if (value_text(e, v, src, tmp, sizeof(tmp), &s, &n) != 0 ||
                parse_decimal_text(s, n, 0, &x) != 0) {
                return fail(e, "decimal is not an integer");
            }
            return put_int(e, t, x);
        }
        return fail(e, "cannot write BYTES into %s", kind_name(t->kind));
    default:
        return fail(e, "cannot write %s into %s", src_name(v), kind_name(t->kind));
    }
}

static int encode_float(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                        const struct ch_src *src)
{
    double d = 0;
    int vt = sluice_host->val_type(v);
    if (vt >= SLUICE_TYPE_INT8 && vt <= SLUICE_TYPE_BOOLEAN) {
        d = vt == SLUICE_TYPE_BOOLEAN ? sluice_host->val_bool(v) : sluice_host->val_double(v);
    } else if (vt == SLUICE_TYPE_STRING || vt == SLUICE_TYPE_BYTES || vt == SLUICE_TYPE_STRUCT) {
        char tmp[128], *end = NULL;
        const char *s = NULL;
        size_t n = 0;
        if ((vt != SLUICE_TYPE_STRING &&
             (src == NULL ||
              (src->logical != SL_CDC_L_DECIMAL && src->logical != SL_CDC_L_VARIABLE_DECIMAL))) ||
            value_text(e, v, src, tmp, sizeof(tmp), &s, &n) != 0 || n == 0 || n >= sizeof(tmp)) {
            return fail(e, "cannot write %s into %s", src_name(v), kind_name(t->kind));
        }
        memmove(tmp, s, n);
        tmp[n] = '\0';
        errno = 0;
        d = strtod(tmp, &end);
        if (end != tmp + n) {
            return fail(e, "'%s' is not a number", tmp);
        }
    } else {
        return fail(e, "cannot write %s into %s", src_name(v), kind_name(t->kind));
    }
    if (t->kind == CH_FLOAT32) {
        float f = (float)d;
        uint32_t u;
        memcpy(&u, &f, 4);
        put_le(e->out, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &d, 8);
        put_le(e->out, u, 8);
    }
    return 0;
}

static int encode_time(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                       const struct ch_src *src)
{
    int vt = sluice_host->val_type(v);
    int64_t secs = 0, nanos = 0;
    if (vt >= SLUICE_TYPE_INT8 && vt <= SLUICE_TYPE_INT64) {
        int64_t x = sluice_host->val_int(v);
        int logical = src != NULL ? src->logical : 0;
        if (logical == SL_CDC_L_NONE && (t->kind == CH_DATE || t->kind == CH_DATE32)) {
            logical = SL_CDC_L_DATE; /* a plain integer into a Date column counts days */
        }
        if (logical == SL_CDC_L_NONE && t->kind == CH_DATETIME64) {
            put_le(e->out, (uint64_t)x, 8); /* as the official connector: already in the unit */
            return 0;
        }
        int_to_time(x, logical, &secs, &nanos);
    } else if (vt == SLUICE_TYPE_STRING) {
        size_t n = 0;
        const char *s = sluice_host->val_string(v, &n);
        int32_t ns = 0;
        if (ch_parse_datetime(s, n, &secs, &ns) != 0) {
            return fail(e, "'%.*s' is not an ISO-8601 date/time", (int)(n > 64 ? 64 : n), s);
        }
        nanos = ns;
    } else {
        return fail(e, "cannot write %s into %s", src_name(v), kind_name(t->kind));
    }
    return put_time(e, t, secs, nanos);
}

static int encode_enum(struct ch_enc *e, const struct ch_type *t, const sluice_value *v)
{
    int vt = sluice_host->val_type(v);
    int32_t x = 0;
    if (vt == SLUICE_TYPE_STRING) {
        size_t n = 0;
        const char *s = sluice_host->val_string(v, &n);
        size_t i = 0;
        for (; i < t->n_enum; i++) {
            if (strlen(t->enums[i].name) == n && memcmp(t->enums[i].name, s, n) == 0) {
                break;
            }
        }
        if (i == t->n_enum) {
            return fail(e, "'%.*s' is not a value of the enum", (int)(n > 64 ? 64 : n), s);
        }
        x = t->enums[i].value;
    } else if (vt >= SLUICE_TYPE_INT8 && vt <= SLUICE_TYPE_INT64) {
        x = (int32_t)sluice_host->val_int(v);
    } else {
        return fail(e, "cannot write %s into an enum", src_name(v));
    }
    put_le(e->out, (uint64_t)(int64_t)x, t->kind == CH_ENUM8 ? 1 : 2);
    return 0;
}

static int encode_string_target(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                                const struct ch_src *src)
{
    char tmp[128];
    const char *s = NULL;
    size_t n = 0;
    if (value_text(e, v, src, tmp, sizeof(tmp), &s, &n) != 0) {
        return -1;
    }
    if (t->kind == CH_STRING) {
        put_string(e->out, s, n);
        return 0;
    }
    if (n > t->fixed_len) {
        return fail(e, "%zu bytes do not fit FixedString(%u)", n, t->fixed_len);
    }
    chb_put(e->out, s, n);
    for (size_t i = n; i < t->fixed_len; i++) {
        chb_putc(e->out, 0);
    }
    return 0;
}

static int encode_uuid(struct ch_enc *e, const sluice_value *v)
{
    uint8_t u[16];
    size_t n = 0;
    const char *s = NULL;
    int vt = sluice_host->val_type(v);
    if (vt == SLUICE_TYPE_STRING) {
        s = sluice_host->val_string(v, &n);
        if (ch_parse_uuid(s, n, u) != 0) {
            return fail(e, "'%.*s' is not a UUID", (int)(n > 64 ? 64 : n), s);
        }
    } else if (vt == SLUICE_TYPE_BYTES) {
        const void *b = sluice_host->val_bytes(v, &n);
        if (n != 16) {
            return fail(e, "%zu bytes are not a UUID", n);
        }
        memcpy(u, b, 16);
    } else {
        return fail(e, "cannot write %s into UUID", src_name(v));
    }
    /* RowBinary: the two 64-bit halves, each little-endian, high half first. */
    chb_reserve(e->out, 16);
    for (int half = 0; half < 2; half++) {
        for (int i = 7; i >= 0; i--) {
            e->out->p[e->out->len++] = (char)u[half * 8 + i];
        }
    }
    return 0;
}

static int encode_array(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                        const struct ch_src *src)
{
    if (sluice_host->val_type(v) != SLUICE_TYPE_ARRAY) {
        return fail(e, "cannot write %s into Array", src_name(v));
    }
    size_t n = sluice_host->val_len(v);
    const sluice_schema *items =
        src != NULL && src->schema != NULL ? sluice_host->schema_items(src->schema) : NULL;
    struct ch_src isrc = {.logical = sl_cdc_logical(items),
                          .scale = items != NULL ? sluice_host->schema_decimal_scale(items) : 0,
                          .schema = items};
    chb_varint(e->out, n);
    for (size_t i = 0; i < n; i++) {
        if (ch_encode(e, t->elem, sluice_host->val_at(v, i), &isrc) != 0) {
            return -1;
        }
    }
    return 0;
}

static int encode_map(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
                      const struct ch_src *src)
{
    int vt = sluice_host->val_type(v);
    if (vt != SLUICE_TYPE_MAP && vt != SLUICE_TYPE_STRUCT) {
        return fail(e, "cannot write %s into Map", src_name(v));
    }
    const sluice_schema *ks = NULL, *vs = NULL;
    if (vt == SLUICE_TYPE_MAP && src != NULL && src->schema != NULL) {
        ks = sluice_host->schema_keys(src->schema);
        vs = sluice_host->schema_values(src->schema);
    }
    struct ch_src ksrc = {.logical = sl_cdc_logical(ks), .schema = ks};
    struct ch_src vsrc = {.logical = sl_cdc_logical(vs),
                          .scale = vs != NULL ? sluice_host->schema_decimal_scale(vs) : 0,
                          .schema = vs};
    size_t n = sluice_host->val_len(v);
    chb_varint(e->out, n);
    for (size_t i = 0; i < n; i++) {
        if (vt == SLUICE_TYPE_STRUCT) {
            const char *name = sluice_host->val_name_at(v, i);
            if (t->elem->kind != CH_STRING) {
                return fail(e, "struct field names need Map(String, ...)");
            }
            put_string(e->out, name, strlen(name));
        } else if (ch_encode(e, t->elem, sluice_host->val_map_key(v, i), &ksrc) != 0) {
            return -1;
        }
        if (ch_encode(e, t->value, sluice_host->val_at(v, i), &vsrc) != 0) {
            return -1;
        }
    }
    return 0;
}

int ch_encode(struct ch_enc *e, const struct ch_type *t, const sluice_value *v,
              const struct ch_src *src)
{
    if (v == NULL || sluice_host->val_type(v) == SLUICE_TYPE_NULL) {
        ch_encode_default(e->out, t);
        return 0;
    }
    if (t->nullable) {
        chb_putc(e->out, 0);
    }
    switch (t->kind) {
    case CH_INT8:
    case CH_INT16:
    case CH_INT32:
    case CH_INT64:
    case CH_INT128:
    case CH_INT256:
    case CH_UINT8:
    case CH_UINT16:
    case CH_UINT32:
    case CH_UINT64:
    case CH_UINT128:
    case CH_UINT256:
    case CH_BOOL:
        return encode_number_target(e, t, v, src);
    case CH_FLOAT32:
    case CH_FLOAT64:
        return encode_float(e, t, v, src);
    case CH_STRING:
    case CH_FIXED_STRING:
        return encode_string_target(e, t, v, src);
    case CH_UUID:
        return encode_uuid(e, v);
    case CH_DECIMAL:
        return encode_decimal(e, t, v, src);
    case CH_ENUM8:
    case CH_ENUM16:
        return encode_enum(e, t, v);
    case CH_ARRAY:
        return encode_array(e, t, v, src);
    case CH_MAP:
        return encode_map(e, t, v, src);
    default:
        if (is_time_kind(t->kind)) {
            return encode_time(e, t, v, src);
        }
        return fail(e, "the column's type is not one sluice can write");
    }
}

void ch_encode_default(ch_buf *out, const struct ch_type *t)
{
    if (t->nullable) {
        chb_putc(out, 1);
        return;
    }
    size_t w = ch_type_width(t);
    if (t->kind == CH_ENUM8 || t->kind == CH_ENUM16) {
        /* an enum's zero must be one of its values: take the first */
        int32_t x = t->n_enum > 0 ? t->enums[0].value : 0;
        put_le(out, (uint64_t)(int64_t)x, w);
        return;
    }
    if (w > 0) {
        chb_reserve(out, w);
        memset(out->p + out->len, 0, w);
        out->len += w;
        return;
    }
    chb_putc(out, 0); /* String "", Array [], Map {}: a zero length */
}

static int read_varint(const char *p, const char *end, uint64_t *x, size_t *used)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 10 && p + i < end; i++) {
        v |= (uint64_t)((uint8_t)p[i] & 0x7f) << (7 * i);
        if (((uint8_t)p[i] & 0x80) == 0) {
            *x = v;
            *used = i + 1;
            return 0;
        }
    }
    return -1;
}

size_t ch_rowbinary_skip(const struct ch_type *t, const char *p, const char *end)
{
    size_t off = 0;
    if (t->nullable) {
        if (p >= end) {
            return 0;
        }
        if (p[0] == 1) {
            return 1;
        }
        off = 1;
    }
    size_t w = ch_type_width(t);
    if (w > 0) {
        return p + off + w <= end ? off + w : 0;
    }
    uint64_t n = 0;
    size_t used = 0;
    if (read_varint(p + off, end, &n, &used) != 0) {
        return 0;
    }
    off += used;
    switch (t->kind) {
    case CH_STRING:
        return (uint64_t)(end - (p + off)) >= n ? off + n : 0;
    case CH_ARRAY:
    case CH_MAP:
        for (uint64_t i = 0; i < n; i++) {
            size_t k = ch_rowbinary_skip(t->elem, p + off, end);
            if (k == 0) {
                return 0;
            }
            off += k;
            if (t->kind == CH_MAP) {
                k = ch_rowbinary_skip(t->value, p + off, end);
                if (k == 0) {
                    return 0;
                }
                off += k;
            }
        }
        return off;
    default:
        return 0;
    }
}
