/*
 * buf.h — growable byte buffer; also the implementation of the ABI's opaque sluice_buf.
 * Always NUL-terminated after any append. Aborts on out-of-memory (like every worker allocation).
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sluice_buf {
    char *data;
    size_t len;
    size_t cap;
};
typedef struct sluice_buf sl_buf;

#define SL_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void sl_buf_init(sl_buf *b);
void sl_buf_free(sl_buf *b); /* frees the storage; accepts NULL */
void sl_buf_reserve(sl_buf *b, size_t extra);
void sl_buf_puts(sl_buf *b, const char *s);
/* Decimal text of x, like printf("%lld") without the format parsing. */
void sl_buf_put_int64(sl_buf *b, int64_t x);
void sl_buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_buf_vprintf(sl_buf *b, const char *fmt, va_list ap);
void sl_buf_reset(sl_buf *b); /* len = 0, keeps capacity */
/* Transfer the storage to the caller (malloc'ed, NUL-terminated; "" when empty); b is reset. */
char *sl_buf_steal(sl_buf *b);

/* Inline because JSON rendering calls them per token: the common case is a compare and a copy;
 * only growth leaves the caller. */
static inline void sl_buf_append(sl_buf *b, const void *p, size_t len)
{
    if (b->len + len >= b->cap) {
        sl_buf_reserve(b, len);
    }
    if (len > 0) {
        memcpy(b->data + b->len, p, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
}

static inline void sl_buf_putc(sl_buf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        sl_buf_reserve(b, 1);
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

#endif
