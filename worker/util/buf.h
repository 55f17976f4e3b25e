/*
 * buf.h — growable byte buffer; also the implementation of the ABI's opaque sluice_buf.
 * Always NUL-terminated after any append. Aborts on out-of-memory (like every worker allocation).
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stdarg.h>
#include <stddef.h>

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
void sl_buf_append(sl_buf *b, const void *p, size_t len);
void sl_buf_puts(sl_buf *b, const char *s);
void sl_buf_putc(sl_buf *b, char c);
void sl_buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_buf_vprintf(sl_buf *b, const char *fmt, va_list ap);
void sl_buf_reset(sl_buf *b); /* len = 0, keeps capacity */
/* Transfer the storage to the caller (malloc'ed, NUL-terminated; "" when empty); b is reset. */
char *sl_buf_steal(sl_buf *b);

#endif
