/*
 * value.c — the Connect data model: schemas, values, records, Base64, decimal text and the
 * Jackson-compatible JSON text helpers. Values and records are allocated only in the arena they
 * are given; nothing here calls malloc per record or touches jansson.
 */
#include "data/value.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/common/jsontext.h"
#include "plugins/common/shortnum.h"

/* ---- type names ---- */

static const char *const json_names[] = {
    "null",    "int8",   "int16", "int32", "int64", "float",  "double",
    "boolean", "string", "bytes", "array", "map",   "struct",
};
static const char *const java_names[] = {
    "NULL",    "INT8",   "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64",
    "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",   "STRUCT",
};

const char *sl_type_json_name(int type)
{
    return (type >= 0 && type <= SLUICE_TYPE_STRUCT) ? json_names[type] : "unknown";
}

const char *sl_type_java_name(int type)
{
    return (type >= 0 && type <= SLUICE_TYPE_STRUCT) ? java_names[type] : "UNKNOWN";
}

int sl_type_from_json_name(const char *name, size_t len)
{
    for (int t = SLUICE_TYPE_INT8; t <= SLUICE_TYPE_STRUCT; t++) {
        if (strlen(json_names[t]) == len && memcmp(json_names[t], name, len) == 0) {
            return t;
        }
    }
    return -1;
}

/* ---- schemas ---- */

/* Ids below 64 are reserved for the shared primitive schemas. */
static _Atomic uint64_t next_schema_id = 64;

uint64_t sl_schema_next_id(void)
{
    return atomic_fetch_add(&next_schema_id, 1);
}

#define PRIM(t, o)                                                                                 \
    {                                                                                              \
        .type = (t), .optional = (o), .id = (uint64_t)((t)*2 + (o) + 1)                            \
    }
static const struct sluice_schema primitives[SLUICE_TYPE_STRUCT + 1][2] = {
    {PRIM(0, 0), PRIM(0, 1)},   {PRIM(1, 0), PRIM(1, 1)},   {PRIM(2, 0), PRIM(2, 1)},
    {PRIM(3, 0), PRIM(3, 1)},   {PRIM(4, 0), PRIM(4, 1)},   {PRIM(5, 0), PRIM(5, 1)},
    {PRIM(6, 0), PRIM(6, 1)},   {PRIM(7, 0), PRIM(7, 1)},   {PRIM(8, 0), PRIM(8, 1)},
    {PRIM(9, 0), PRIM(9, 1)},   {PRIM(10, 0), PRIM(10, 1)}, {PRIM(11, 0), PRIM(11, 1)},
    {PRIM(12, 0), PRIM(12, 1)},
};

const sl_schema *sl_schema_primitive(int type, bool optional)
{
    if (type < SLUICE_TYPE_INT8 || type > SLUICE_TYPE_BYTES) {
        return NULL;
    }
    return &primitives[type][optional ? 1 : 0];
}

static int logical_from_name(const char *name)
{
    static const char pfx[] = "org.apache.kafka.connect.data.";
    if (name == NULL || strncmp(name, pfx, sizeof(pfx) - 1) != 0) {
        return SLUICE_LOGICAL_NONE;
    }
    const char *n = name + sizeof(pfx) - 1;
    if (strcmp(n, "Decimal") == 0) {
        return SLUICE_LOGICAL_DECIMAL;
    }
    if (strcmp(n, "Date") == 0) {
        return SLUICE_LOGICAL_DATE;
    }
    if (strcmp(n, "Time") == 0) {
        return SLUICE_LOGICAL_TIME;
    }
    if (strcmp(n, "Timestamp") == 0) {
        return SLUICE_LOGICAL_TIMESTAMP;
    }
    return SLUICE_LOGICAL_NONE;
}

sl_schema *sl_schema_new(sl_arena *a, int type, bool optional, const char *name)
{
    sl_schema *s = sl_arena_calloc(a, sizeof(*s));
    s->type = (uint8_t)type;
    s->optional = optional ? 1 : 0;
    s->id = sl_schema_next_id();
    if (name != NULL) {
        s->name = sl_arena_strdup(a, name);
        s->logical = (uint8_t)logical_from_name(name);
    }
    return s;
}

static void schema_parse_scale(sl_schema *s, const char *val)
{
    char *end = NULL;
    long long x = strtoll(val, &end, 10);
    if (end != val && *end == '\0' && x >= INT32_MIN && x <= INT32_MAX) {
        s->scale = (int32_t)x;
    }
}

void sl_schema_set_param(sl_arena *a, sl_schema *s, const char *key, const char *val)
{
    for (size_t i = 0; i < s->nparams; i++) {
        if (strcmp(s->param_keys[i], key) == 0) {
            s->param_vals[i] = sl_arena_strdup(a, val);
            if (strcmp(key, "scale") == 0) {
                schema_parse_scale(s, val);
            }
            return;
        }
    }
    /* Arrays grow by copying into the arena (parameters are few and set once). */
    const char **k = sl_arena_alloc(a, (s->nparams + 1) * sizeof(*k));
    const char **v = sl_arena_alloc(a, (s->nparams + 1) * sizeof(*v));
    if (s->nparams > 0) {
        memcpy(k, s->param_keys, s->nparams * sizeof(*k));
        memcpy(v, s->param_vals, s->nparams * sizeof(*v));
    }
    k[s->nparams] = sl_arena_strdup(a, key);
    v[s->nparams] = sl_arena_strdup(a, val);
    s->param_keys = k;
    s->param_vals = v;
    s->nparams++;
    if (strcmp(key, "scale") == 0) {
        schema_parse_scale(s, val);
    }
}

const char *sl_schema_param(const sl_schema *s, const char *key)
{
    for (size_t i = 0; s != NULL && i < s->nparams; i++) {
        if (strcmp(s->param_keys[i], key) == 0) {
            return s->param_vals[i];
        }
    }
    return NULL;
}

void sl_schema_add_field(sl_arena *a, sl_schema *s, const char *name, const sl_schema *fs)
{
    if (s->nfields == s->fields_cap) {
        size_t cap = s->fields_cap ? s->fields_cap * 2 : 8;
        struct sl_field *f = sl_arena_alloc(a, cap * sizeof(*f));
        if (s->nfields > 0) {
            memcpy(f, s->fields, s->nfields * sizeof(*f));
        }
        s->fields = f;
        s->fields_cap = cap;
    }
    s->fields[s->nfields].name = sl_arena_strdup(a, name);
    s->fields[s->nfields].schema = fs;
    s->nfields++;
}

int64_t sl_schema_field_index(const sl_schema *s, const char *name)
{
    for (size_t i = 0; s != NULL && i < s->nfields; i++) {
        if (strcmp(s->fields[i].name, name) == 0) {
            return (int64_t)i;
        }
    }
    return -1;
}

sl_schema *sl_schema_copy(sl_arena *a, const sl_schema *s)
{
    if (s == NULL) {
        return NULL;
    }
    sl_schema *c = sl_schema_new(a, s->type, s->optional, s->name);
    c->version = s->version;
    c->scale = s->scale;
    c->logical = s->logical;
    c->doc = s->doc ? sl_arena_strdup(a, s->doc) : NULL;
    for (size_t i = 0; i < s->nparams; i++) {
        sl_schema_set_param(a, c, s->param_keys[i], s->param_vals[i]);
    }
    c->items = s->items ? sl_schema_copy(a, s->items) : NULL;
    c->keys = s->keys ? sl_schema_copy(a, s->keys) : NULL;
    c->values = s->values ? sl_schema_copy(a, s->values) : NULL;
    for (size_t i = 0; i < s->nfields; i++) {
        sl_schema_add_field(a, c, s->fields[i].name, sl_schema_copy(a, s->fields[i].schema));
    }
    c->has_default = s->has_default;
    c->def = sl_value_copy(a, s->def);
    return c;
}

static bool str_eq(const char *x, const char *y)
{
    return (x == NULL || y == NULL) ? x == y : strcmp(x, y) == 0;
}

bool sl_schema_equal(const sl_schema *x, const sl_schema *y)
{
    if (x == y) {
        return true;
    }
    if (x == NULL || y == NULL) {
        return false;
    }
    if (x->type != y->type || x->optional != y->optional || x->version != y->version ||
        !str_eq(x->name, y->name) || !str_eq(x->doc, y->doc) || x->nparams != y->nparams ||
        x->nfields != y->nfields || x->has_default != y->has_default) {
        return false;
    }
    for (size_t i = 0; i < x->nparams; i++) {
        if (!str_eq(sl_schema_param(y, x->param_keys[i]), x->param_vals[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < x->nfields; i++) {
        if (!str_eq(x->fields[i].name, y->fields[i].name) ||
            !sl_schema_equal(x->fields[i].schema, y->fields[i].schema)) {
            return false;
        }
    }
    if (!sl_schema_equal(x->items, y->items) || !sl_schema_equal(x->keys, y->keys) ||
        !sl_schema_equal(x->values, y->values)) {
        return false;
    }
    return !x->has_default || sl_value_equal(x->def, y->def);
}

/* ---- values ---- */

static sl_value *value_new(sl_arena *a, const sl_schema *s, int type)
{
    sl_value *v = sl_arena_alloc(a, sizeof(*v));
    memset(v, 0, sizeof(*v));
    v->type = (uint8_t)type;
    v->schema = s;
    return v;
}

sl_value *sl_value_new_int(sl_arena *a, const sl_schema *s, int type, int64_t x)
{
    sl_value *v = value_new(a, s, type);
    v->u.i = x;
    return v;
}

sl_value *sl_value_new_double(sl_arena *a, const sl_schema *s, int type, double x)
{
    sl_value *v = value_new(a, s, type);
    v->u.d = x;
    return v;
}

sl_value *sl_value_new_bool(sl_arena *a, const sl_schema *s, bool b)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_BOOLEAN);
    v->u.b = b ? 1 : 0;
    return v;
}

sl_value *sl_value_new_string(sl_arena *a, const sl_schema *s, const char *p, size_t len)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_STRING);
    v->u.s.p = sl_arena_strndup(a, p, len);
    v->u.s.len = len;
    return v;
}

sl_value *sl_value_new_bytes(sl_arena *a, const sl_schema *s, const void *p, size_t len)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_BYTES);
    char *d = sl_arena_alloc(a, len + 1);
    if (len > 0) {
        memcpy(d, p, len);
    }
    d[len] = '\0';
    v->u.s.p = d;
    v->u.s.len = len;
    return v;
}

sl_value *sl_value_wrap_string(sl_arena *a, const sl_schema *s, const char *p, size_t len)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_STRING);
    v->u.s.p = p;
    v->u.s.len = len;
    return v;
}

sl_value *sl_value_new_struct(sl_arena *a, const sl_schema *s)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_STRUCT);
    size_t n = s ? s->nfields : 0;
    v->u.arr.items = sl_arena_calloc(a, (n ? n : 1) * sizeof(sl_value *));
    v->u.arr.n = n;
    return v;
}

sl_value *sl_value_new_array(sl_arena *a, const sl_schema *s, size_t n)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_ARRAY);
    v->u.arr.items = sl_arena_calloc(a, (n ? n : 1) * sizeof(sl_value *));
    v->u.arr.n = n;
    return v;
}

sl_value *sl_value_new_map(sl_arena *a, const sl_schema *s, size_t n)
{
    sl_value *v = value_new(a, s, SLUICE_TYPE_MAP);
    v->u.map.keys = sl_arena_calloc(a, (n ? n : 1) * sizeof(sl_value *));
    v->u.map.vals = sl_arena_calloc(a, (n ? n : 1) * sizeof(sl_value *));
    v->u.map.n = n;
    return v;
}

const sl_value *sl_value_get(const sl_value *v, const char *name)
{
    if (v == NULL) {
        return NULL;
    }
    if (v->type == SLUICE_TYPE_STRUCT) {
        int64_t i = sl_schema_field_index(v->schema, name);
        return (i < 0 || (size_t)i >= v->u.arr.n) ? NULL : v->u.arr.items[i];
    }
    if (v->type == SLUICE_TYPE_MAP) {
        /* Lengths first: sinks look up a handful of envelope and source fields per record. */
        size_t len = strlen(name);
        for (size_t i = 0; i < v->u.map.n; i++) {
            const sl_value *k = v->u.map.keys[i];
            if (k != NULL && k->type == SLUICE_TYPE_STRING && k->u.s.len == len &&
                memcmp(k->u.s.p, name, len) == 0) {
                return v->u.map.vals[i];
            }
        }
    }
    return NULL;
}

sl_value *sl_value_copy(sl_arena *a, const sl_value *v)
{
    if (v == NULL) {
        return NULL;
    }
    sl_value *c = value_new(a, v->schema, v->type);
    c->u = v->u;
    switch (v->type) {
    case SLUICE_TYPE_STRING:
        c->u.s.p = sl_arena_strndup(a, v->u.s.p, v->u.s.len);
        break;
    case SLUICE_TYPE_BYTES: {
        char *d = sl_arena_alloc(a, v->u.s.len + 1);
        memcpy(d, v->u.s.p, v->u.s.len);
        d[v->u.s.len] = '\0';
        c->u.s.p = d;
        break;
    }
    case SLUICE_TYPE_ARRAY:
    case SLUICE_TYPE_STRUCT: {
        const sl_value **it = sl_arena_alloc(a, (v->u.arr.n + 1) * sizeof(*it));
        for (size_t i = 0; i < v->u.arr.n; i++) {
            it[i] = sl_value_copy(a, v->u.arr.items[i]);
        }
        c->u.arr.items = it;
        break;
    }
    case SLUICE_TYPE_MAP: {
        const sl_value **k = sl_arena_alloc(a, (v->u.map.n + 1) * sizeof(*k));
        const sl_value **x = sl_arena_alloc(a, (v->u.map.n + 1) * sizeof(*x));
        for (size_t i = 0; i < v->u.map.n; i++) {
            k[i] = sl_value_copy(a, v->u.map.keys[i]);
            x[i] = sl_value_copy(a, v->u.map.vals[i]);
        }
        c->u.map.keys = k;
        c->u.map.vals = x;
        break;
    }
    default:
        break;
    }
    return c;
}

bool sl_value_equal(const sl_value *x, const sl_value *y)
{
    if (x == y) {
        return true;
    }
    if (x == NULL || y == NULL) {
        return false;
    }
    if (x->type != y->type) {
        return false;
    }
    if (x->schema != NULL && y->schema != NULL && !sl_schema_equal(x->schema, y->schema)) {
        return false;
    }
    switch (x->type) {
    case SLUICE_TYPE_NULL:
        return true;
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        return x->u.i == y->u.i;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        return x->u.d == y->u.d || (isnan(x->u.d) && isnan(y->u.d));
    case SLUICE_TYPE_BOOLEAN:
        return (x->u.b != 0) == (y->u.b != 0);
    case SLUICE_TYPE_STRING:
    case SLUICE_TYPE_BYTES:
        return x->u.s.len == y->u.s.len && memcmp(x->u.s.p, y->u.s.p, x->u.s.len) == 0;
    case SLUICE_TYPE_ARRAY:
    case SLUICE_TYPE_STRUCT:
        if (x->u.arr.n != y->u.arr.n) {
            return false;
        }
        for (size_t i = 0; i < x->u.arr.n; i++) {
            if (!sl_value_equal(x->u.arr.items[i], y->u.arr.items[i])) {
                return false;
            }
        }
        return true;
    case SLUICE_TYPE_MAP:
        if (x->u.map.n != y->u.map.n) {
            return false;
        }
        for (size_t i = 0; i < x->u.map.n; i++) {
            if (!sl_value_equal(x->u.map.keys[i], y->u.map.keys[i]) ||
                !sl_value_equal(x->u.map.vals[i], y->u.map.vals[i])) {
                return false;
            }
        }
        return true;
    default:
        return false;
    }
}

/* ---- records ---- */

sl_record *sl_record_new(sl_arena *a)
{
    sl_record *r = sl_arena_calloc(a, sizeof(*r));
    r->timestamp = -1;
    return r;
}

void sl_record_add_header(sl_arena *a, sl_record *r, const char *key, const sl_value *v)
{
    if (r->nheaders == r->headers_cap) {
        size_t cap = r->headers_cap ? r->headers_cap * 2 : 4;
        struct sl_header *h = sl_arena_alloc(a, cap * sizeof(*h));
        if (r->nheaders > 0) {
            memcpy(h, r->headers, r->nheaders * sizeof(*h));
        }
        r->headers = h;
        r->headers_cap = cap;
    }
    r->headers[r->nheaders].key = sl_arena_strdup(a, key);
    r->headers[r->nheaders].value = v;
    r->nheaders++;
}

size_t sl_record_remove_headers(sl_record *r, const char *key)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, key) != 0) {
            r->headers[kept++] = r->headers[i];
        }
    }
    size_t removed = r->nheaders - kept;
    r->nheaders = kept;
    return removed;
}

sl_record *sl_record_copy(sl_arena *a, const sl_record *r)
{
    sl_record *c = sl_arena_alloc(a, sizeof(*c));
    *c = *r;
    c->headers = NULL;
    c->nheaders = 0;
    c->headers_cap = 0;
    if (r->nheaders > 0) {
        c->headers = sl_arena_alloc(a, r->nheaders * sizeof(*c->headers));
        memcpy(c->headers, r->headers, r->nheaders * sizeof(*c->headers));
        c->nheaders = r->nheaders;
        c->headers_cap = r->nheaders;
    }
    return c;
}

/* ---- Base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sl_base64_encode(const void *p, size_t len, sl_buf *out)
{
    const unsigned char *s = p;
    sl_buf_reserve(out, (len + 2) / 3 * 4 + 1);
    char *d = out->data + out->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t x = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        *d++ = b64[x >> 18];
        *d++ = b64[(x >> 12) & 63];
        *d++ = b64[(x >> 6) & 63];
        *d++ = b64[x & 63];
    }
    if (len - i == 1) {
        uint32_t x = (uint32_t)s[i] << 16;
        *d++ = b64[x >> 18];
        *d++ = b64[(x >> 12) & 63];
        *d++ = '=';
        *d++ = '=';
    } else if (len - i == 2) {
        uint32_t x = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        *d++ = b64[x >> 18];
        *d++ = b64[(x >> 12) & 63];
        *d++ = b64[(x >> 6) & 63];
        *d++ = '=';
    }
    out->len = (size_t)(d - out->data);
    out->data[out->len] = '\0';
}

static int b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

ssize_t sl_base64_decode(const char *s, size_t len, unsigned char *out, size_t outcap)
{
    if (len % 4 != 0) {
        return -1;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (c == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
            } else if (pad > 0 || (v[j] = b64_index(c)) < 0) {
                return -1;
            }
        }
        uint32_t x = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                     (uint32_t)v[3];
        size_t n = 3 - (size_t)pad;
        if (o + n > outcap) {
            return -1;
        }
        out[o++] = (unsigned char)(x >> 16);
        if (n > 1) {
            out[o++] = (unsigned char)(x >> 8);
        }
        if (n > 2) {
            out[o++] = (unsigned char)x;
        }
    }
    return (ssize_t)o;
}

/* ---- decimals ---- */

/*
 * Unscaled two's complement bytes → decimal digits of the magnitude (most significant first,
 * written to buf, returned length; "0" for zero) and the sign.
 */
static size_t unscaled_digits(const unsigned char *p, size_t len, bool *neg, char *buf, size_t cap)
{
    *neg = len > 0 && (p[0] & 0x80) != 0;
    /* magnitude in base 1e9 limbs, little-endian */
    size_t nl = len / 4 + 2;
    uint32_t stackl[64];
    uint32_t *limbs = nl <= 64 ? stackl : sl_xcalloc(nl, sizeof(uint32_t));
    size_t used = 0;
    /* two's complement negate on the fly: magnitude = ~x + 1 */
    unsigned char stackb[256];
    unsigned char *mag = len <= sizeof(stackb) ? stackb : sl_xmalloc(len);
    memcpy(mag, p, len);
    if (*neg) {
        int carry = 1;
        for (size_t i = len; i-- > 0;) {
            int x = (unsigned char)~mag[i] + carry;
            mag[i] = (unsigned char)x;
            carry = x >> 8;
        }
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t carry = mag[i];
        for (size_t j = 0; j < used; j++) {
            uint64_t x = (uint64_t)limbs[j] * 256 + carry;
            limbs[j] = (uint32_t)(x % 1000000000u);
            carry = x / 1000000000u;
        }
        while (carry > 0) {
            limbs[used++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    size_t n = 0;
    if (used == 0) {
        buf[n++] = '0';
    } else {
        char tmp[16];
        int w = snprintf(tmp, sizeof(tmp), "%u", limbs[used - 1]);
        for (int k = 0; k < w && n < cap; k++) {
            buf[n++] = tmp[k];
        }
        for (size_t j = used - 1; j-- > 0;) {
            snprintf(tmp, sizeof(tmp), "%09u", limbs[j]);
            for (int k = 0; k < 9 && n < cap; k++) {
                buf[n++] = tmp[k];
            }
        }
    }
    if (limbs != stackl) {
        free(limbs);
    }
    if (mag != stackb) {
        free(mag);
    }
    if (n == 1 && buf[0] == '0') {
        *neg = false;
    }
    return n;
}

static void decimal_text(const unsigned char *p, size_t len, int32_t scale, bool java, sl_buf *out)
{
    size_t cap = len * 3 + 4;
    char stack[512];
    char *d = cap <= sizeof(stack) ? stack : sl_xmalloc(cap);
    bool neg;
    size_t n = unscaled_digits(p, len, &neg, d, cap);
    if (neg) {
        sl_buf_putc(out, '-');
    }
    long long adjusted = -(long long)scale + (long long)(n - 1);
    if (java && (scale < 0 || adjusted < -6)) {
        /* BigDecimal.toString scientific form: d[.ddd]E±x */
        sl_buf_putc(out, d[0]);
        if (n > 1) {
            sl_buf_putc(out, '.');
            sl_buf_append(out, d + 1, n - 1);
        }
        sl_buf_append(out, adjusted >= 0 ? "E+" : "E", adjusted >= 0 ? 2 : 1);
        sl_buf_put_int64(out, adjusted);
    } else if (scale <= 0) {
        sl_buf_append(out, d, n);
        for (int32_t i = 0; i < -scale && !(n == 1 && d[0] == '0'); i++) {
            sl_buf_putc(out, '0');
        }
    } else if ((size_t)scale >= n) {
        sl_buf_puts(out, "0.");
        for (size_t i = n; i < (size_t)scale; i++) {
            sl_buf_putc(out, '0');
        }
        sl_buf_append(out, d, n);
    } else {
        sl_buf_append(out, d, n - (size_t)scale);
        sl_buf_putc(out, '.');
        sl_buf_append(out, d + n - (size_t)scale, (size_t)scale);
    }
    if (d != stack) {
        free(d);
    }
}

void sl_decimal_to_text(const unsigned char *p, size_t len, int32_t scale, sl_buf *out)
{
    decimal_text(p, len, scale, false, out);
}

void sl_decimal_to_java_text(const unsigned char *p, size_t len, int32_t scale, sl_buf *out)
{
    decimal_text(p, len, scale, true, out);
}

int sl_decimal_from_text(sl_arena *a, const char *txt, size_t len, int32_t scale,
                         const unsigned char **out, size_t *outlen)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (txt[i] == '-' || txt[i] == '+')) {
        neg = txt[i] == '-';
        i++;
    }
    /* collect digits and the position of the decimal point */
    char stack[256];
    char *dig = len <= sizeof(stack) ? stack : sl_xmalloc(len);
    size_t nd = 0;
    long long frac = 0;
    bool seen_point = false;
    bool any = false;
    for (; i < len; i++) {
        char c = txt[i];
        if (c >= '0' && c <= '9') {
            dig[nd++] = c;
            any = true;
            if (seen_point) {
                frac++;
            }
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    long long exp = 0;
    if (i < len && (txt[i] == 'e' || txt[i] == 'E')) {
        char ebuf[24];
        size_t el = len - i - 1;
        if (el == 0 || el >= sizeof(ebuf)) {
            any = false;
        } else {
            memcpy(ebuf, txt + i + 1, el);
            ebuf[el] = '\0';
            char *end = NULL;
            exp = strtoll(ebuf, &end, 10);
            if (*end != '\0' || exp > 100000 || exp < -100000) {
                any = false;
            }
        }
        i = len;
    }
    int rc = -1;
    if (!any || i != len) {
        goto done;
    }
    /* value = digits * 10^(exp - frac); want unscaled = value * 10^scale */
    long long shift = (long long)scale + exp - frac;
    if (shift < 0) {
        for (long long k = 0; k < -shift; k++) {
            if (nd == 0) {
                break;
            }
            if (dig[nd - 1] != '0') {
                goto done;
            }
            nd--;
        }
    }
    if (shift > 100000) {
        goto done;
    }
    /* big integer in base 256, big-endian result built little-endian first */
    size_t total = nd + (shift > 0 ? (size_t)shift : 0);
    size_t cap = total / 2 + 2;
    unsigned char *le = sl_arena_calloc(a, cap);
    size_t used = 0;
    for (size_t k = 0; k < total; k++) {
        unsigned carry = k < nd ? (unsigned)(dig[k] - '0') : 0;
        for (size_t j = 0; j < used; j++) {
            unsigned x = le[j] * 10u + carry;
            le[j] = (unsigned char)x;
            carry = x >> 8;
        }
        while (carry > 0) {
            le[used++] = (unsigned char)carry;
            carry >>= 8;
        }
    }
    /* two's complement: add a sign byte when the top bit is taken */
    size_t n = used;
    if (n == 0) {
        le[0] = 0;
        n = 1;
    } else if (le[n - 1] & 0x80) {
        le[n++] = 0;
    }
    if (neg && !(n == 1 && le[0] == 0)) {
        int carry = 1;
        for (size_t j = 0; j < n; j++) {
            int x = (unsigned char)~le[j] + carry;
            le[j] = (unsigned char)x;
            carry = x >> 8;
        }
        /* minimal form: drop redundant 0xff sign bytes */
        while (n > 1 && le[n - 1] == 0xff && (le[n - 2] & 0x80)) {
            n--;
        }
    }
    unsigned char *be = sl_arena_alloc(a, n);
    for (size_t j = 0; j < n; j++) {
        be[j] = le[n - 1 - j];
    }
    *out = be;
    *outlen = n;
    rc = 0;
done:
    if (dig != stack) {
        free(dig);
    }
    return rc;
}

/* ---- JSON text ---- */

/* Escaped as Jackson does: plugins/common/jsontext.h. */
void sl_json_write_string(sl_buf *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    sl_buf_reserve(out, len + 2);
    sl_buf_putc(out, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (sl_jsontext_plain(u[i])) {
            continue;
        }
        sl_buf_append(out, s + start, i - start); /* the run of plain bytes before it */
        char esc[SL_JSONTEXT_ESC_MAX];
        sl_buf_append(out, esc, sl_jsontext_escape(u[i], esc));
        start = i + 1;
    }
    sl_buf_append(out, s + start, len - start);
    sl_buf_putc(out, '"');
}

void sl_json_write_double(sl_buf *out, double d, bool is_float)
{
    if (isnan(d)) {
        sl_buf_puts(out, "\"NaN\"");
        return;
    }
    if (isinf(d)) {
        sl_buf_puts(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    if (d == 0) {
        sl_buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* Shortest digits that read back to the same value. A value that round-trips at 15 (float:
     * 6) significant digits has its shortest form among those digits with trailing zeros
     * dropped, because decimals that short are spaced wider than two ulps; so try that first
     * and only then 16 and 17 digits: at most three formatting passes instead of seventeen. */
    double ad = fabs(d);
    char plain[SL_SHORTNUM_MAX];
    size_t np = sl_shortnum_plain(d, is_float, plain); /* the common case, no printf/strtod */
    if (np > 0) {
        sl_buf_append(out, plain, np);
        if (memchr(plain, '.', np) == NULL) {
            sl_buf_append(out, ".0", 2);
        }
        return;
    }
    char sci[40];
    /* Not for subnormals: their ulp is fixed, so short decimals can be closer than two ulps. */
    int minp = is_float ? ((float)ad >= FLT_MIN ? 5 : 0) : (ad >= DBL_MIN ? 14 : 0);
    int maxp = is_float ? 9 : 17;
    for (int p = minp; p < maxp; p++) {
        snprintf(sci, sizeof(sci), "%.*e", p, d);
        double back = strtod(sci, NULL);
        if (is_float ? (float)back == (float)d : back == d) {
            break;
        }
    }
    /* sci = [-]d[.ddd]e±xx */
    const char *s = sci;
    bool neg = *s == '-';
    if (neg) {
        s++;
    }
    char digits[32];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s >= '0' && *s <= '9' && nd < sizeof(digits)) {
            digits[nd++] = *s;
        }
    }
    int exp = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
    while (nd > 1 && digits[nd - 1] == '0') {
        nd--;
    }
    if (neg) {
        sl_buf_putc(out, '-');
    }
    if (ad >= 1e-3 && ad < 1e7) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++) {
                sl_buf_putc(out, (size_t)i < nd ? digits[i] : '0');
            }
            sl_buf_putc(out, '.');
            if ((size_t)exp + 1 < nd) {
                sl_buf_append(out, digits + exp + 1, nd - (size_t)exp - 1);
            } else {
                sl_buf_putc(out, '0');
            }
        } else {
            sl_buf_puts(out, "0.");
            for (int i = 0; i < -exp - 1; i++) {
                sl_buf_putc(out, '0');
            }
            sl_buf_append(out, digits, nd);
        }
    } else {
        sl_buf_putc(out, digits[0]);
        sl_buf_putc(out, '.');
        if (nd > 1) {
            sl_buf_append(out, digits + 1, nd - 1);
        } else {
            sl_buf_putc(out, '0');
        }
        sl_buf_putc(out, 'E');
        sl_buf_put_int64(out, exp);
    }
}

/* Schemaless rendering: like JsonConverter with schemas.enable=false (decimals numeric). */
void sl_value_to_json(const sl_value *v, sl_buf *out)
{
    if (v == NULL || v->type == SLUICE_TYPE_NULL) {
        sl_buf_puts(out, "null");
        return;
    }
    switch (v->type) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        sl_buf_put_int64(out, v->u.i);
        break;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        sl_json_write_double(out, v->u.d, v->type == SLUICE_TYPE_FLOAT32);
        break;
    case SLUICE_TYPE_BOOLEAN:
        sl_buf_puts(out, v->u.b ? "true" : "false");
        break;
    case SLUICE_TYPE_STRING:
        sl_json_write_string(out, v->u.s.p, v->u.s.len);
        break;
    case SLUICE_TYPE_BYTES:
        if (v->schema != NULL && v->schema->logical == SLUICE_LOGICAL_DECIMAL) {
            sl_decimal_to_java_text((const unsigned char *)v->u.s.p, v->u.s.len, v->schema->scale,
                                    out);
        } else {
            sl_buf_putc(out, '"');
            sl_base64_encode(v->u.s.p, v->u.s.len, out);
            sl_buf_putc(out, '"');
        }
        break;
    case SLUICE_TYPE_ARRAY:
        sl_buf_putc(out, '[');
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            sl_value_to_json(v->u.arr.items[i], out);
        }
        sl_buf_putc(out, ']');
        break;
    case SLUICE_TYPE_STRUCT:
        sl_buf_putc(out, '{');
        for (size_t i = 0; i < v->u.arr.n && v->schema != NULL; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            const char *name = v->schema->fields[i].name;
            sl_json_write_string(out, name, strlen(name));
            sl_buf_putc(out, ':');
            sl_value_to_json(v->u.arr.items[i], out);
        }
        sl_buf_putc(out, '}');
        break;
    case SLUICE_TYPE_MAP: {
        bool strkeys = true;
        for (size_t i = 0; i < v->u.map.n; i++) {
            const sl_value *k = v->u.map.keys[i];
            if (k == NULL || k->type != SLUICE_TYPE_STRING) {
                strkeys = false;
                break;
            }
        }
        sl_buf_putc(out, strkeys ? '{' : '[');
        for (size_t i = 0; i < v->u.map.n; i++) {
            if (i > 0) {
                sl_buf_putc(out, ',');
            }
            if (strkeys) {
                sl_json_write_string(out, v->u.map.keys[i]->u.s.p, v->u.map.keys[i]->u.s.len);
                sl_buf_putc(out, ':');
                sl_value_to_json(v->u.map.vals[i], out);
            } else {
                sl_buf_putc(out, '[');
                sl_value_to_json(v->u.map.keys[i], out);
                sl_buf_putc(out, ',');
                sl_value_to_json(v->u.map.vals[i], out);
                sl_buf_putc(out, ']');
            }
        }
        sl_buf_putc(out, strkeys ? '}' : ']');
        break;
    }
    default:
        sl_buf_puts(out, "null");
        break;
    }
}
