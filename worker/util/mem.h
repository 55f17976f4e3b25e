/*
 * mem.h — allocation wrappers that abort on out-of-memory, and the per-batch arena.
 * The arena is the record hot path's allocator: bump allocation in chunks, reset per batch,
 * so decoding a batch never calls malloc once the arena has warmed up.
 */
#ifndef SL_MEM_H
#define SL_MEM_H

#include <stddef.h>
#include <stdint.h>

void *sl_xmalloc(size_t n);
void *sl_xcalloc(size_t n, size_t size);
void *sl_xrealloc(void *p, size_t n);
char *sl_xstrdup(const char *s);
char *sl_xstrndup(const char *s, size_t n);

typedef struct sl_arena sl_arena;

sl_arena *sl_arena_new(size_t chunk_size); /* 0: 64 KiB */
void sl_arena_destroy(sl_arena *a);        /* accepts NULL */

/* Internals, visible so that the bump allocation below is inlined: the decoder allocates every
 * value and string here, and the call itself was ~5% of a sink task's thread. */
struct sl_arena_chunk { /* its bytes follow it; 32-byte header keeps them 16-byte aligned */
    struct sl_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    size_t pad;
};
struct sl_arena {
    struct sl_arena_chunk *head;
    size_t chunk_size;
    size_t bytes;
};
void *sl_arena_alloc_slow(sl_arena *a, size_t n); /* a new chunk; n already rounded */

/* 16-byte aligned, uninitialised. Never fails (aborts on OOM). */
static inline void *sl_arena_alloc(sl_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct sl_arena_chunk *c = a->head;
    if (c != NULL && c->size - c->used >= n) {
        void *p = (unsigned char *)(c + 1) + c->used;
        c->used += n;
        return p;
    }
    return sl_arena_alloc_slow(a, n);
}
void *sl_arena_calloc(sl_arena *a, size_t n);
char *sl_arena_strndup(sl_arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *sl_arena_strdup(sl_arena *a, const char *s);
void *sl_arena_memdup(sl_arena *a, const void *p, size_t n);
/* Forget every allocation; keeps the largest chunk for reuse. */
void sl_arena_reset(sl_arena *a);
size_t sl_arena_bytes(const sl_arena *a); /* bytes held in chunks (for metrics) */

#endif
