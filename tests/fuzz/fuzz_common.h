/*
 * fuzz_common.h — helpers shared by the libFuzzer targets in tests/fuzz: a quiet log, a
 * NUL-terminated copy of the input, and a hard failure that libFuzzer records as a crash.
 * Never part of the worker or of `make check`; see docs/fuzzing.md.
 */
#ifndef SL_FUZZ_COMMON_H
#define SL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* A broken invariant is a finding: print why and abort so libFuzzer saves the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d): ", #cond, __FILE__, __LINE__);     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Warnings about bad input are expected by the million; only keep errors off stderr too. */
static inline void fuzz_quiet_log(void)
{
    sl_log_init();
    sl_log_threshold = 0;
}

/* The input as a C string: malloc'ed exactly len + 1 so ASan sees overreads past the NUL. */
static inline char *fuzz_cstr(const unsigned char *data, size_t len)
{
    char *s = malloc(len + 1);
    if (s == NULL) {
        abort();
    }
    memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

/* The n-th field of `s` split on `sep` (a malloc'ed copy, NULL past the last field). */
static inline char *fuzz_field(const char *s, size_t len, char sep, int n, size_t *flen)
{
    size_t start = 0;
    for (int i = 0; i < n; i++) {
        const char *p = memchr(s + start, sep, len - start);
        if (p == NULL) {
            return NULL;
        }
        start = (size_t)(p - s) + 1;
    }
    const char *e = memchr(s + start, sep, len - start);
    size_t l = e != NULL ? (size_t)(e - (s + start)) : len - start;
    char *f = malloc(l + 1);
    if (f == NULL) {
        abort();
    }
    memcpy(f, s + start, l);
    f[l] = '\0';
    if (flen != NULL) {
        *flen = l;
    }
    return f;
}

/* Deepest [ / { nesting of JSON-ish bytes, strings skipped. Used to keep the known unbounded
 * recursion in the schemaless decoder (crashers/json_converter-3) from drowning other findings. */
static inline size_t fuzz_json_depth(const unsigned char *p, size_t len)
{
    size_t depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (in_str) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            max = ++depth > max ? depth : max;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return max;
}

/* Java's Jackson (2.15+) refuses documents nested deeper than this. */
#define FUZZ_JSON_MAX_DEPTH 1000

#endif
