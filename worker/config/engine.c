/*
 * engine.c — one value at a time: parse a config value with its def's type, run the def's
 * validators, render it back, all with Java ConfigDef's exact wording. It must never log values
 * (they may be secrets) and never look at anything but the def and the text it is given.
 */
#include "config/engine.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"
#include "util/text.h"

void sl_strv_push(sl_strv *s, const char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = sl_xrealloc(s->v, s->cap * sizeof(char *));
    }
    s->v[s->n++] = sl_xstrdup(str);
}

void sl_strv_pushf(sl_strv *s, const char *fmt, ...)
{
    sl_buf b = SL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *str = sl_buf_steal(&b);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = sl_xrealloc(s->v, s->cap * sizeof(char *));
    }
    s->v[s->n++] = str;
}

void sl_strv_free(sl_strv *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

bool sl_strv_contains(const sl_strv *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], str) == 0) {
            return true;
        }
    }
    return false;
}

void sl_cfg_value_clear(struct sl_cfg_value *v)
{
    free(v->text);
    sl_strv_free(&v->items);
    memset(v, 0, sizeof *v);
    v->is_null = true;
}

const struct sluice_config_def *sl_cfg_def_at(const struct sluice_config_def *defs, size_t stride,
                                              size_t i)
{
    if (defs == NULL) {
        return NULL;
    }
    if (stride == 0) {
        stride = sizeof(struct sluice_config_def);
    }
    const struct sluice_config_def *d =
        (const struct sluice_config_def *)((const char *)defs + i * stride);
    return d->name != NULL ? d : NULL;
}

void sl_cfg_def_copy(struct sluice_config_def *dst, const struct sluice_config_def *src,
                     size_t stride)
{
    memset(dst, 0, sizeof *dst);
    if (stride == 0 || stride > sizeof *dst) {
        stride = sizeof *dst;
    }
    memcpy(dst, src, stride);
}

const char *sl_cfg_type_name(uint32_t type)
{
    switch (type) {
    case SLUICE_CFG_STRING:
        return "STRING";
    case SLUICE_CFG_INT:
        return "INT";
    case SLUICE_CFG_LONG:
        return "LONG";
    case SLUICE_CFG_DOUBLE:
        return "DOUBLE";
    case SLUICE_CFG_BOOLEAN:
        return "BOOLEAN";
    case SLUICE_CFG_LIST:
        return "LIST";
    case SLUICE_CFG_PASSWORD:
        return "PASSWORD";
    case SLUICE_CFG_CLASS:
        return "CLASS";
    case SL_CFG_SHORT:
        return "SHORT";
    default:
        return "STRING";
    }
}

const char *sl_cfg_importance_name(uint32_t importance)
{
    switch (importance) {
    case SLUICE_IMPORTANCE_HIGH:
        return "HIGH";
    case SLUICE_IMPORTANCE_MEDIUM:
        return "MEDIUM";
    default:
        return "LOW";
    }
}

const char *sl_cfg_width_name(uint32_t width)
{
    switch (width) {
    case SLUICE_WIDTH_SHORT:
        return "SHORT";
    case SLUICE_WIDTH_MEDIUM:
        return "MEDIUM";
    case SLUICE_WIDTH_LONG:
        return "LONG";
    default:
        return "NONE";
    }
}

bool sl_cfg_required(const struct sluice_config_def *d)
{
    return (d->flags & SLUICE_CFG_F_REQUIRED) != 0;
}

char *sl_java_trim(const char *s)
{
    size_t len = strlen(s);
    size_t a = 0;
    while (a < len && (unsigned char)s[a] <= ' ') {
        a++;
    }
    while (len > a && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    return sl_xstrndup(s + a, len - a);
}

void sl_java_double(double d, char *out, size_t outlen)
{
    if (isnan(d)) {
        snprintf(out, outlen, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, outlen, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        snprintf(out, outlen, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* shortest round-tripping digits, as "d.ddde±x" */
    char e[64];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, d);
        if (strtod(e, NULL) == d) {
            break;
        }
    }
    const char *p = e;
    bool neg = *p == '-';
    if (neg) {
        p++;
    }
    char digits[32];
    size_t nd = 0;
    for (; *p != 'e' && *p != '\0'; p++) {
        if (isdigit((unsigned char)*p) && nd < sizeof digits - 1) {
            digits[nd++] = *p;
        }
    }
    while (nd > 1 && digits[nd - 1] == '0') {
        nd--;
    }
    digits[nd] = '\0';
    int exp = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
    sl_buf b = SL_BUF_INIT;
    if (neg) {
        sl_buf_putc(&b, '-');
    }
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp < 0) {
            sl_buf_puts(&b, "0.");
            for (int i = -1; i > exp; i--) {
                sl_buf_putc(&b, '0');
            }
            sl_buf_puts(&b, digits);
        } else {
            for (int i = 0; i <= exp; i++) {
                sl_buf_putc(&b, (size_t)i < nd ? digits[i] : '0');
            }
            sl_buf_putc(&b, '.');
            if ((size_t)exp + 1 < nd) {
                sl_buf_puts(&b, digits + exp + 1);
            } else {
                sl_buf_putc(&b, '0');
            }
        }
    } else {
        sl_buf_putc(&b, digits[0]);
        sl_buf_putc(&b, '.');
        sl_buf_puts(&b, nd > 1 ? digits + 1 : "0");
        sl_buf_printf(&b, "E%d", exp);
    }
    snprintf(out, outlen, "%s", b.data);
    sl_buf_free(&b);
}

/* Double.parseDouble on trimmed text: decimal/exponent forms, NaN, Infinity, d/f suffix. */
static bool parse_java_double(const char *s, double *out)
{
    size_t len = strlen(s);
    if (len == 0) {
        return false;
    }
    const char *body = s + ((s[0] == '+' || s[0] == '-') ? 1 : 0);
    if (strcmp(body, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    if (strcmp(body, "Infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    char tmp[128];
    if (len >= sizeof tmp) {
        return false;
    }
    memcpy(tmp, s, len + 1);
    if (strchr("dDfF", tmp[len - 1]) != NULL) {
        tmp[--len] = '\0';
    }
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)tmp[i]) && strchr("+-.eE", tmp[i]) == NULL) {
            return false; /* no hex, inf or nan spellings that strtod would accept */
        }
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end == tmp || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static void split_list(const char *trimmed, sl_strv *items)
{
    const char *p = trimmed;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char *piece = sl_xstrndup(p, n);
        char *t = sl_java_trim(piece);
        if (*t != '\0') {
            sl_strv_push(items, t);
        }
        free(t);
        free(piece);
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
}

static char *join_items(const sl_strv *items, const char *sep)
{
    sl_buf b = SL_BUF_INIT;
    for (size_t i = 0; i < items->n; i++) {
        if (i > 0) {
            sl_buf_puts(&b, sep);
        }
        sl_buf_puts(&b, items->v[i]);
    }
    return sl_buf_steal(&b);
}

int sl_cfg_parse(const struct sluice_config_def *d, const char *name, const char *raw,
                 struct sl_cfg_value *out, sl_strv *errors)
{
    char *t = sl_java_trim(raw);
    char num[64];
    int64_t l = 0;
    memset(out, 0, sizeof *out);
    switch (d->type) {
    case SLUICE_CFG_INT:
    case SLUICE_CFG_LONG:
    case SL_CFG_SHORT: {
        int64_t lo = d->type == SLUICE_CFG_INT ? INT32_MIN
                     : d->type == SL_CFG_SHORT ? INT16_MIN
                                               : INT64_MIN;
        int64_t hi = d->type == SLUICE_CFG_INT ? INT32_MAX
                     : d->type == SL_CFG_SHORT ? INT16_MAX
                                               : INT64_MAX;
        if (!sl_parse_java_long(t, lo, hi, &l)) {
            goto not_a_number;
        }
        out->l = l;
        out->d = (double)l;
        snprintf(num, sizeof num, "%lld", (long long)l);
        out->text = sl_xstrdup(num);
        break;
    }
    case SLUICE_CFG_DOUBLE:
        if (!parse_java_double(t, &out->d)) {
            goto not_a_number;
        }
        out->l = (int64_t)out->d;
        sl_java_double(out->d, num, sizeof num);
        out->text = sl_xstrdup(num);
        break;
    case SLUICE_CFG_BOOLEAN:
        if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
            out->b = strcasecmp(t, "true") == 0;
            out->l = out->b;
            out->text = sl_xstrdup(out->b ? "true" : "false");
            break;
        }
        sl_strv_pushf(errors,
                      "Invalid value %s for configuration %s: Expected value to be either true or "
                      "false",
                      raw, name);
        goto fail;
    case SLUICE_CFG_LIST:
        split_list(t, &out->items);
        out->text = join_items(&out->items, ",");
        break;
    default: /* STRING, PASSWORD, CLASS */
        out->text = t;
        t = NULL;
        break;
    }
    free(t);
    return 0;
not_a_number:
    sl_strv_pushf(errors, "Invalid value %s for configuration %s: Not a number of type %s", raw,
                  name, sl_cfg_type_name(d->type));
fail:
    free(t);
    sl_cfg_value_clear(out);
    return -1;
}

static bool is_numeric(uint32_t type)
{
    return type == SLUICE_CFG_INT || type == SLUICE_CFG_LONG || type == SLUICE_CFG_DOUBLE ||
           type == SL_CFG_SHORT;
}

static void bound_text(const struct sluice_config_def *d, double bound, char *out, size_t outlen)
{
    if (d->type == SLUICE_CFG_DOUBLE) {
        sl_java_double(bound, out, outlen);
    } else {
        snprintf(out, outlen, "%lld", (long long)bound);
    }
}

static void enum_error(const struct sluice_config_def *d, const char *name, const char *value,
                       sl_strv *errors)
{
    sl_buf b = SL_BUF_INIT;
    for (size_t i = 0; d->valid_values[i] != NULL; i++) {
        sl_buf_printf(&b, "%s%s", i ? ", " : "", d->valid_values[i]);
    }
    sl_strv_pushf(errors, "Invalid value %s for configuration %s: String must be one of: %s",
                  value != NULL ? value : "null", name, b.data != NULL ? b.data : "");
    sl_buf_free(&b);
}

static bool in_enum(const struct sluice_config_def *d, const char *s)
{
    for (size_t i = 0; d->valid_values[i] != NULL; i++) {
        if (strcasecmp(d->valid_values[i], s) == 0) {
            return true;
        }
    }
    return false;
}

int sl_cfg_check(const struct sluice_config_def *d, const char *name, const struct sl_cfg_value *v,
                 bool check_null, sl_strv *errors)
{
    size_t before = errors->n;
    bool range = (d->flags & SLUICE_CFG_F_HAS_RANGE) && is_numeric(d->type);
    if (v->is_null) {
        if (check_null && range) {
            sl_strv_pushf(errors, "Invalid value null for configuration %s: Value must be non-null",
                          name);
        }
        if (check_null && d->valid_values != NULL && d->type != SLUICE_CFG_LIST) {
            enum_error(d, name, NULL, errors);
        }
        return errors->n == before ? 0 : -1;
    }
    if (range) {
        char b[64];
        bool has_max = d->max >= d->min; /* max < min (e.g. left 0): no upper bound */
        if (v->d < d->min) {
            bound_text(d, d->min, b, sizeof b);
            sl_strv_pushf(errors,
                          "Invalid value %s for configuration %s: Value must be at least %s",
                          v->text, name, b);
        } else if (has_max && v->d > d->max) {
            bound_text(d, d->max, b, sizeof b);
            sl_strv_pushf(errors,
                          "Invalid value %s for configuration %s: Value must be no more than %s",
                          v->text, name, b);
        }
    }
    if (d->valid_values != NULL) {
        if (d->type == SLUICE_CFG_LIST) {
            for (size_t i = 0; i < v->items.n; i++) {
                if (!in_enum(d, v->items.v[i])) {
                    enum_error(d, name, v->items.v[i], errors);
                }
            }
        } else if (!in_enum(d, v->text)) {
            enum_error(d, name, v->text, errors);
        }
    }
    return errors->n == before ? 0 : -1;
}

int sl_cfg_default(const struct sluice_config_def *d, struct sl_cfg_value *out)
{
    memset(out, 0, sizeof *out);
    if (d->default_value == NULL || (d->flags & SLUICE_CFG_F_REQUIRED)) {
        out->is_null = true;
        return 0;
    }
    sl_strv errs = {0};
    int rc = sl_cfg_parse(d, d->name, d->default_value, out, &errs);
    sl_strv_free(&errs);
    return rc;
}
