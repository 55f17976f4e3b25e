/*
 * mem.c — abort-on-OOM allocation and the chunked bump arena.
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "sluice: out of memory allocating %zu bytes\n", n);
    abort();
}

void *sl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        oom(n);
    }
    return p;
}

void *sl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        oom(n * size);
    }
    return p;
}

void *sl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        oom(n);
    }
    return q;
}

char *sl_xstrdup(const char *s)
{
    return sl_xstrndup(s, strlen(s));
}

char *sl_xstrndup(const char *s, size_t n)
{
    char *p = sl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

sl_arena *sl_arena_new(size_t chunk_size)
{
    sl_arena *a = sl_xcalloc(1, sizeof(*a));
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    return a;
}

void sl_arena_destroy(sl_arena *a)
{
    if (a == NULL) {
        return;
    }
    struct sl_arena_chunk *c = a->head;
    while (c != NULL) {
        struct sl_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

static struct sl_arena_chunk *add_chunk(sl_arena *a, size_t min)
{
    size_t size = a->chunk_size;
    while (size < min) {
        size *= 2;
    }
    struct sl_arena_chunk *c = sl_xmalloc(sizeof(*c) + size);
    c->size = size;
    c->used = 0;
    c->next = a->head;
    a->head = c;
    a->bytes += size;
    return c;
}

void *sl_arena_alloc_slow(sl_arena *a, size_t n)
{
    struct sl_arena_chunk *c = add_chunk(a, n);
    void *p = (unsigned char *)(c + 1) + c->used;
    c->used += n;
    return p;
}

void *sl_arena_calloc(sl_arena *a, size_t n)
{
    void *p = sl_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *sl_arena_strndup(sl_arena *a, const char *s, size_t n)
{
    char *p = sl_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sl_arena_strdup(sl_arena *a, const char *s)
{
    return sl_arena_strndup(a, s, strlen(s));
}

void *sl_arena_memdup(sl_arena *a, const void *p, size_t n)
{
    void *q = sl_arena_alloc(a, n);
    if (n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

void sl_arena_reset(sl_arena *a)
{
    /* Keep the largest chunk: after warm-up one chunk holds a whole batch. */
    struct sl_arena_chunk *keep = NULL;
    size_t total = 0;
    for (struct sl_arena_chunk *c = a->head; c != NULL; c = c->next) {
        total += c->size;
        if (keep == NULL || c->size > keep->size) {
            keep = c;
        }
    }
    struct sl_arena_chunk *c = a->head;
    while (c != NULL) {
        struct sl_arena_chunk *next = c->next;
        if (c != keep) {
            free(c);
        }
        c = next;
    }
    if (keep != NULL) {
        /* Grow the kept chunk to the whole batch's footprint so the next batch fits in one. */
        if (total > keep->size) {
            free(keep);
            keep = NULL;
            a->head = NULL;
            a->bytes = 0;
            add_chunk(a, total);
            return;
        }
        keep->next = NULL;
        keep->used = 0;
        a->head = keep;
        a->bytes = keep->size;
    }
}

size_t sl_arena_bytes(const sl_arena *a)
{
    return a->bytes;
}
