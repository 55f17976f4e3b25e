/*
 * text.c — Java-compatible parsing of small text values (see text.h).
 */
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int sl_hex_digit(int c)
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

bool sl_parse_java_long(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-') {
        p++;
    }
    if (*p == '\0') {
        return false;
    }
    for (const char *q = p; *q; q++) {
        if (!isdigit((unsigned char)*q)) {
            return false;
        }
    }
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno != 0 || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}
