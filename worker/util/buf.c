/*
 * buf.c — growable byte buffer. Doubling growth; never shrinks until sl_buf_free.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void sl_buf_init(sl_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sl_buf_free(sl_buf *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    sl_buf_init(b);
}

void sl_buf_reserve(sl_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        cap *= 2;
    }
    b->data = sl_xrealloc(b->data, cap);
    b->cap = cap;
}

void sl_buf_puts(sl_buf *b, const char *s)
{
    sl_buf_append(b, s, strlen(s));
}

void sl_buf_put_int64(sl_buf *b, int64_t x)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = end;
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x; /* INT64_MIN too */
    while (u >= 100) {
        unsigned i = (unsigned)(u % 100) * 2;
        u /= 100;
        p -= 2;
        p[0] = pairs[i];
        p[1] = pairs[i + 1];
    }
    if (u >= 10) {
        p -= 2;
        p[0] = pairs[u * 2];
        p[1] = pairs[u * 2 + 1];
    } else {
        *--p = (char)('0' + u);
    }
    if (x < 0) {
        *--p = '-';
    }
    sl_buf_append(b, p, (size_t)(end - p));
}

void sl_buf_vprintf(sl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof(small)) {
        sl_buf_append(b, small, (size_t)n);
    } else {
        sl_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sl_buf_reset(sl_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

char *sl_buf_steal(sl_buf *b)
{
    char *p = b->data;
    if (p == NULL) {
        p = sl_xstrdup("");
    }
    sl_buf_init(b);
    return p;
}
