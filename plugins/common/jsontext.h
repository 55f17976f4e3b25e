/*
 * jsontext.h — how a byte of a JSON string is written, as Jackson writes it (Java Connect's
 * JsonConverter): '"' and '\\' and the control characters escaped, short forms for \n \r \t \b
 * \f, "\u00XX" (upper-case hex) for the rest; every other byte, UTF-8 included, as is.
 * Header-only: the worker's JSON writer and the sinks include it (plugins cannot link the worker),
 * each with its own buffer:
 *
 *     size_t run = 0;
 *     for (size_t i = 0; i < n; i++) {
 *         if (sl_jsontext_plain((unsigned char)s[i])) continue;
 *         append(s + run, i - run);
 *         char esc[SL_JSONTEXT_ESC_MAX];
 *         append(esc, sl_jsontext_escape((unsigned char)s[i], esc));
 *         run = i + 1;
 *     }
 *     append(s + run, n - run);
 */
#ifndef SLUICE_JSONTEXT_H
#define SLUICE_JSONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#define SL_JSONTEXT_ESC_MAX 6

/* 1 for the bytes a JSON string escapes (one load per byte on the writers' hot paths). */
static const unsigned char sl_jsontext_escaped[256] = {[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1};

/* True when c goes into a JSON string as it is. */
static inline bool sl_jsontext_plain(unsigned char c)
{
    return !sl_jsontext_escaped[c];
}

/* The escape of a byte that is not plain: writes it to esc, returns its length (2 or 6). */
static inline size_t sl_jsontext_escape(unsigned char c, char esc[SL_JSONTEXT_ESC_MAX])
{
    static const char hex[] = "0123456789ABCDEF";
    char short_form = c == '"'    ? '"'
                      : c == '\\' ? '\\'
                      : c == '\n' ? 'n'
                      : c == '\r' ? 'r'
                      : c == '\t' ? 't'
                      : c == '\b' ? 'b'
                      : c == '\f' ? 'f'
                                  : 0;
    esc[0] = '\\';
    if (short_form != 0) {
        esc[1] = short_form;
        return 2;
    }
    esc[1] = 'u';
    esc[2] = '0';
    esc[3] = '0';
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 15];
    return 6;
}

#endif
