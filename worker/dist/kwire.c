/*
 * kwire.c — Kafka wire primitives (see kwire.h). Readers never trust a length from the wire:
 * every length is checked against the bytes left before anything is read.
 */
#include "kwire.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void sl_kw_put_i8(sl_buf *b, int8_t v)
{
    sl_buf_putc(b, (char)v);
}

void sl_kw_put_i16(sl_buf *b, int16_t v)
{
    uint16_t u = (uint16_t)v;
    char x[2] = {(char)(u >> 8), (char)u};
    sl_buf_append(b, x, 2);
}

void sl_kw_put_i32(sl_buf *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    char x[4] = {(char)(u >> 24), (char)(u >> 16), (char)(u >> 8), (char)u};
    sl_buf_append(b, x, 4);
}

void sl_kw_put_i64(sl_buf *b, int64_t v)
{
    uint64_t u = (uint64_t)v;
    sl_kw_put_i32(b, (int32_t)(uint32_t)(u >> 32));
    sl_kw_put_i32(b, (int32_t)(uint32_t)u);
}

void sl_kw_put_uvarint(sl_buf *b, uint32_t v)
{
    while (v >= 0x80) {
        sl_buf_putc(b, (char)((v & 0x7f) | 0x80));
        v >>= 7;
    }
    sl_buf_putc(b, (char)v);
}

void sl_kw_put_strn(sl_buf *b, bool flex, const char *s, size_t len)
{
    if (s == NULL) {
        if (flex) {
            sl_kw_put_uvarint(b, 0);
        } else {
            sl_kw_put_i16(b, -1);
        }
        return;
    }
    if (len > INT16_MAX) {
        len = INT16_MAX; /* never happens with the ids and names we send */
    }
    if (flex) {
        sl_kw_put_uvarint(b, (uint32_t)len + 1);
    } else {
        sl_kw_put_i16(b, (int16_t)len);
    }
    sl_buf_append(b, s, len);
}

void sl_kw_put_str(sl_buf *b, bool flex, const char *s)
{
    sl_kw_put_strn(b, flex, s, s ? strlen(s) : 0);
}

void sl_kw_put_bytes(sl_buf *b, bool flex, const void *p, size_t len)
{
    if (p == NULL) {
        if (flex) {
            sl_kw_put_uvarint(b, 0);
        } else {
            sl_kw_put_i32(b, -1);
        }
        return;
    }
    if (flex) {
        sl_kw_put_uvarint(b, (uint32_t)len + 1);
    } else {
        sl_kw_put_i32(b, (int32_t)len);
    }
    sl_buf_append(b, p, len);
}

void sl_kw_put_array_len(sl_buf *b, bool flex, int32_t count)
{
    if (flex) {
        sl_kw_put_uvarint(b, count < 0 ? 0 : (uint32_t)count + 1);
    } else {
        sl_kw_put_i32(b, count < 0 ? -1 : count);
    }
}

void sl_kw_put_tags(sl_buf *b, bool flex)
{
    if (flex) {
        sl_kw_put_uvarint(b, 0);
    }
}

void sl_kw_req_begin(sl_buf *b, int16_t api_key, int16_t api_version, int32_t correlation_id,
                     const char *client_id, bool flex_header)
{
    sl_buf_reset(b);
    sl_kw_put_i32(b, 0); /* size, patched by sl_kw_req_end */
    sl_kw_put_i16(b, api_key);
    sl_kw_put_i16(b, api_version);
    sl_kw_put_i32(b, correlation_id);
    sl_kw_put_str(b, false, client_id); /* header v2 keeps the INT16 length */
    sl_kw_put_tags(b, flex_header);
}

void sl_kw_req_end(sl_buf *b)
{
    uint32_t n = (uint32_t)(b->len - 4);
    b->data[0] = (char)(n >> 24);
    b->data[1] = (char)(n >> 16);
    b->data[2] = (char)(n >> 8);
    b->data[3] = (char)n;
}

/* ---------------------------------------------------------------- reading */

void sl_kw_reader_init(sl_kw_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->off = 0;
    r->err = false;
}

bool sl_kw_ok(const sl_kw_reader *r)
{
    return !r->err;
}

size_t sl_kw_remaining(const sl_kw_reader *r)
{
    return r->err ? 0 : r->len - r->off;
}

static const uint8_t *take(sl_kw_reader *r, size_t n)
{
    if (r->err || r->len - r->off < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

void sl_kw_skip(sl_kw_reader *r, size_t n)
{
    (void)take(r, n);
}

int8_t sl_kw_get_i8(sl_kw_reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? (int8_t)p[0] : 0;
}

int16_t sl_kw_get_i16(sl_kw_reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (int16_t)(uint16_t)((p[0] << 8) | p[1]) : 0;
}

int32_t sl_kw_get_i32(sl_kw_reader *r)
{
    const uint8_t *p = take(r, 4);
    if (p == NULL) {
        return 0;
    }
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
                     (uint32_t)p[3]);
}

int64_t sl_kw_get_i64(sl_kw_reader *r)
{
    uint64_t hi = (uint32_t)sl_kw_get_i32(r);
    uint64_t lo = (uint32_t)sl_kw_get_i32(r);
    return r->err ? 0 : (int64_t)((hi << 32) | lo);
}

uint32_t sl_kw_get_uvarint(sl_kw_reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        const uint8_t *p = take(r, 1);
        if (p == NULL) {
            return 0;
        }
        if (i == 4 && (p[0] & 0xf0) != 0) {
            break; /* more than 32 bits */
        }
        v |= (uint32_t)(p[0] & 0x7f) << (7 * i);
        if ((p[0] & 0x80) == 0) {
            return v;
        }
    }
    r->err = true;
    return 0;
}

static sl_kw_str get_sized(sl_kw_reader *r, int64_t n, bool nullable)
{
    sl_kw_str s = {NULL, 0};
    if (r->err) {
        return s;
    }
    if (n < 0) {
        if (n != -1 || !nullable) {
            r->err = true;
        }
        return s;
    }
    const uint8_t *p = take(r, (size_t)n);
    if (p != NULL) {
        s.ptr = (const char *)p;
        s.len = (size_t)n;
    }
    return s;
}

sl_kw_str sl_kw_get_str(sl_kw_reader *r, bool flex, bool nullable)
{
    int64_t n = flex ? (int64_t)sl_kw_get_uvarint(r) - 1 : sl_kw_get_i16(r);
    return get_sized(r, n, nullable);
}

sl_kw_str sl_kw_get_bytes(sl_kw_reader *r, bool flex, bool nullable)
{
    int64_t n = flex ? (int64_t)sl_kw_get_uvarint(r) - 1 : sl_kw_get_i32(r);
    return get_sized(r, n, nullable);
}

int32_t sl_kw_get_array_len(sl_kw_reader *r, bool flex, bool nullable, size_t min_elem_size)
{
    int64_t n = flex ? (int64_t)sl_kw_get_uvarint(r) - 1 : sl_kw_get_i32(r);
    if (r->err) {
        return 0;
    }
    if (n < 0) {
        if (n != -1 || !nullable) {
            r->err = true;
            return 0;
        }
        return -1;
    }
    if (n > INT32_MAX || (min_elem_size > 0 && (uint64_t)n * min_elem_size > r->len - r->off)) {
        r->err = true;
        return 0;
    }
    return (int32_t)n;
}

void sl_kw_skip_tags(sl_kw_reader *r, bool flex)
{
    if (!flex) {
        return;
    }
    uint32_t n = sl_kw_get_uvarint(r);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        (void)sl_kw_get_uvarint(r); /* tag */
        uint32_t size = sl_kw_get_uvarint(r);
        sl_kw_skip(r, size);
    }
}

void sl_kw_str_copy(sl_kw_str s, char *out, size_t outlen)
{
    if (outlen == 0) {
        return;
    }
    size_t n = s.ptr ? s.len : 0;
    if (n > outlen - 1) {
        n = outlen - 1;
    }
    if (n > 0) {
        memcpy(out, s.ptr, n);
    }
    out[n] = '\0';
}

char *sl_kw_str_dup(sl_kw_str s)
{
    return s.ptr ? sl_xstrndup(s.ptr, s.len) : NULL;
}

int32_t sl_kw_get_resp_header(sl_kw_reader *r, bool flex)
{
    int32_t id = sl_kw_get_i32(r);
    sl_kw_skip_tags(r, flex);
    return id;
}

const char *sl_kw_err_name(int16_t code)
{
    switch (code) {
    case 0:
        return "NONE";
    case -1:
        return "UNKNOWN_SERVER_ERROR";
    case 14:
        return "COORDINATOR_LOAD_IN_PROGRESS";
    case 15:
        return "COORDINATOR_NOT_AVAILABLE";
    case 16:
        return "NOT_COORDINATOR";
    case 22:
        return "ILLEGAL_GENERATION";
    case 23:
        return "INCONSISTENT_GROUP_PROTOCOL";
    case 24:
        return "INVALID_GROUP_ID";
    case 25:
        return "UNKNOWN_MEMBER_ID";
    case 26:
        return "INVALID_SESSION_TIMEOUT";
    case 27:
        return "REBALANCE_IN_PROGRESS";
    case 30:
        return "GROUP_AUTHORIZATION_FAILED";
    case 33:
        return "UNSUPPORTED_SASL_MECHANISM";
    case 34:
        return "ILLEGAL_SASL_STATE";
    case 35:
        return "UNSUPPORTED_VERSION";
    case 42:
        return "INVALID_REQUEST";
    case 58:
        return "SASL_AUTHENTICATION_FAILED";
    case 79:
        return "MEMBER_ID_REQUIRED";
    case 81:
        return "GROUP_MAX_SIZE_REACHED";
    case 82:
        return "FENCED_INSTANCE_ID";
    default:
        return "UNKNOWN";
    }
}
