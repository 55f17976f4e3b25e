/*
 * connect_protocol.c — encoder and decoder of the `connect` subprotocol (member metadata and
 * assignments, V0/V1/V2), byte for byte as Java's ConnectProtocol and
 * IncrementalCooperativeConnectProtocol; plus the connector/task set used in them.
 *
 * Decoding never trusts the input: every read is bounds-checked, counts are checked against the
 * bytes left before anything is allocated, and a bad buffer yields a message naming the field.
 * Like Java's WorkerCoordinator, every assignment (V0 included) is read with the V1 reader.
 */
#include "dist/connect_protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define CP_STRING_MAX 32767

const char *sl_cp_protocol_name(int version)
{
    switch (version) {
    case SL_CP_EAGER:
        return "default";
    case SL_CP_COMPATIBLE:
        return "compatible";
    case SL_CP_SESSIONED:
        return "sessioned";
    default:
        return NULL;
    }
}

int sl_cp_protocol_version(const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int v = SL_CP_EAGER; v <= SL_CP_SESSIONED; v++) {
        if (strcmp(name, sl_cp_protocol_name(v)) == 0) {
            return v;
        }
    }
    return -1;
}

/* ---- sets ---------------------------------------------------------------------------------- */

/* Index of `connector` in s->conns, or -(insertion point) - 1 when absent. */
static ptrdiff_t set_find(const sl_cp_set *s, const char *connector)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->conns[mid].connector, connector);
        if (c == 0) {
            return (ptrdiff_t)mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -(ptrdiff_t)lo - 1;
}

static sl_cp_conn *set_get_or_insert(sl_cp_set *s, const char *connector)
{
    ptrdiff_t i = set_find(s, connector);
    if (i >= 0) {
        return &s->conns[i];
    }
    size_t at = (size_t)(-i - 1);
    /* Grow geometrically: capacity is the next power of two of n (no separate cap field). */
    if ((s->n & (s->n - 1)) == 0) {
        s->conns = sl_xrealloc(s->conns, (s->n ? s->n * 2 : 1) * sizeof *s->conns);
    }
    memmove(&s->conns[at + 1], &s->conns[at], (s->n - at) * sizeof *s->conns);
    s->n++;
    sl_cp_conn *c = &s->conns[at];
    memset(c, 0, sizeof *c);
    c->connector = sl_xstrdup(connector);
    return c;
}

/* Index of task in c->tasks or -(insertion point) - 1. */
static ptrdiff_t conn_find_task(const sl_cp_conn *c, int32_t task)
{
    if (c->ntasks > 0 && c->tasks[c->ntasks - 1] < task) {
        return -(ptrdiff_t)c->ntasks - 1; /* the common case: ascending appends */
    }
    size_t lo = 0, hi = c->ntasks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->tasks[mid] == task) {
            return (ptrdiff_t)mid;
        }
        if (c->tasks[mid] < task) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -(ptrdiff_t)lo - 1;
}

static void conn_add_task(sl_cp_conn *c, int32_t task)
{
    ptrdiff_t i = conn_find_task(c, task);
    if (i >= 0) {
        return;
    }
    size_t at = (size_t)(-i - 1);
    if ((c->ntasks & (c->ntasks - 1)) == 0) {
        c->tasks = sl_xrealloc(c->tasks, (c->ntasks ? c->ntasks * 2 : 1) * sizeof *c->tasks);
    }
    memmove(&c->tasks[at + 1], &c->tasks[at], (c->ntasks - at) * sizeof *c->tasks);
    c->tasks[at] = task;
    c->ntasks++;
}

static void set_remove_at(sl_cp_set *s, size_t i)
{
    free(s->conns[i].connector);
    free(s->conns[i].tasks);
    memmove(&s->conns[i], &s->conns[i + 1], (s->n - i - 1) * sizeof *s->conns);
    s->n--;
    if (s->n == 0) {
        free(s->conns);
        s->conns = NULL;
    } else if ((s->n & (s->n - 1)) == 0) {
        s->conns = sl_xrealloc(s->conns, s->n * sizeof *s->conns); /* keep the pow2 invariant */
    }
}

void sl_cp_set_add(sl_cp_set *s, const char *connector, int32_t task)
{
    if (connector == NULL || task < -1) {
        return;
    }
    sl_cp_conn *c = set_get_or_insert(s, connector);
    if (task == -1) {
        c->instance = true;
    } else {
        conn_add_task(c, task);
    }
}

void sl_cp_set_remove(sl_cp_set *s, const char *connector, int32_t task)
{
    if (connector == NULL) {
        return;
    }
    ptrdiff_t i = set_find(s, connector);
    if (i < 0) {
        return;
    }
    sl_cp_conn *c = &s->conns[i];
    if (task == -1) {
        c->instance = false;
    } else {
        ptrdiff_t t = conn_find_task(c, task);
        if (t >= 0) {
            memmove(&c->tasks[t], &c->tasks[t + 1], (c->ntasks - (size_t)t - 1) * sizeof *c->tasks);
            c->ntasks--;
            if (c->ntasks == 0) {
                free(c->tasks);
                c->tasks = NULL;
            } else if ((c->ntasks & (c->ntasks - 1)) == 0) {
                c->tasks = sl_xrealloc(c->tasks, c->ntasks * sizeof *c->tasks);
            }
        }
    }
    if (!c->instance && c->ntasks == 0) {
        set_remove_at(s, (size_t)i);
    }
}

bool sl_cp_set_has(const sl_cp_set *s, const char *connector, int32_t task)
{
    if (s == NULL || connector == NULL) {
        return false;
    }
    ptrdiff_t i = set_find(s, connector);
    if (i < 0) {
        return false;
    }
    if (task == -1) {
        return s->conns[i].instance;
    }
    return conn_find_task(&s->conns[i], task) >= 0;
}

size_t sl_cp_set_count(const sl_cp_set *s)
{
    size_t n = 0;
    for (size_t i = 0; s != NULL && i < s->n; i++) {
        n += (s->conns[i].instance ? 1 : 0) + s->conns[i].ntasks;
    }
    return n;
}

void sl_cp_set_clear(sl_cp_set *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        free(s->conns[i].connector);
        free(s->conns[i].tasks);
    }
    free(s->conns);
    s->conns = NULL;
    s->n = 0;
}

void sl_cp_set_add_all(sl_cp_set *dst, const sl_cp_set *src)
{
    for (size_t i = 0; src != NULL && i < src->n; i++) {
        const sl_cp_conn *c = &src->conns[i];
        if (c->instance) {
            sl_cp_set_add(dst, c->connector, -1);
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            sl_cp_set_add(dst, c->connector, c->tasks[t]);
        }
    }
}

void sl_cp_set_remove_all(sl_cp_set *dst, const sl_cp_set *src)
{
    for (size_t i = 0; src != NULL && i < src->n; i++) {
        const sl_cp_conn *c = &src->conns[i];
        if (c->instance) {
            sl_cp_set_remove(dst, c->connector, -1);
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            sl_cp_set_remove(dst, c->connector, c->tasks[t]);
        }
    }
}

void sl_cp_set_copy(sl_cp_set *dst, const sl_cp_set *src)
{
    if (dst == src) {
        return;
    }
    sl_cp_set_clear(dst);
    sl_cp_set_add_all(dst, src);
}

/* ---- encoding ------------------------------------------------------------------------------ */

static void put_i16(sl_buf *b, int16_t v)
{
    uint16_t u = (uint16_t)v;
    char x[2] = {(char)(u >> 8), (char)u};
    sl_buf_append(b, x, 2);
}

static void put_i32(sl_buf *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    char x[4] = {(char)(u >> 24), (char)(u >> 16), (char)(u >> 8), (char)u};
    sl_buf_append(b, x, 4);
}

static void put_i64(sl_buf *b, int64_t v)
{
    put_i32(b, (int32_t)(uint32_t)((uint64_t)v >> 32));
    put_i32(b, (int32_t)(uint32_t)(uint64_t)v);
}

static void put_string(sl_buf *b, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    put_i16(b, (int16_t)n);
    sl_buf_append(b, s != NULL ? s : "", n);
}

static bool string_fits(const char *s)
{
    return s == NULL || strlen(s) <= CP_STRING_MAX;
}

static bool set_fits(const sl_cp_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!string_fits(s->conns[i].connector)) {
            return false;
        }
    }
    return true;
}

/* ARRAY of ConnectorAssignment: -1 (the instance) first, then the tasks, as Java writes them. */
static void put_set(sl_buf *b, const sl_cp_set *s)
{
    put_i32(b, (int32_t)s->n);
    for (size_t i = 0; i < s->n; i++) {
        const sl_cp_conn *c = &s->conns[i];
        put_string(b, c->connector);
        put_i32(b, (int32_t)(c->ntasks + (c->instance ? 1 : 0)));
        if (c->instance) {
            put_i32(b, -1);
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            put_i32(b, c->tasks[t]);
        }
    }
}

/* Whether `a` written with header version `version` has only strings a STRING can carry. */
static bool assignment_fits(const sl_cp_assignment *a, int16_t version)
{
    return string_fits(a->leader) && string_fits(a->leader_url) && set_fits(&a->assigned) &&
           (version == SL_CP_EAGER || set_fits(&a->revoked));
}

/* Writes `a` with header version `version`. */
static void put_assignment(sl_buf *b, const sl_cp_assignment *a, int16_t version)
{
    put_i16(b, version);
    put_i16(b, a->error);
    put_string(b, a->leader);
    put_string(b, a->leader_url);
    put_i64(b, a->config_offset);
    put_set(b, &a->assigned);
    if (version == SL_CP_EAGER) {
        return;
    }
    put_set(b, &a->revoked);
    put_i32(b, a->delay_ms);
}

int sl_cp_assignment_encode(const sl_cp_assignment *a, sl_buf *out)
{
    if (!assignment_fits(a, a->version)) {
        return -1;
    }
    put_assignment(out, a, a->version);
    return 0;
}

int sl_cp_metadata_encode(const sl_cp_metadata *m, sl_buf *out)
{
    bool with_allocation = m->version != SL_CP_EAGER;
    if (!string_fits(m->url) ||
        (with_allocation && m->allocation != NULL && !assignment_fits(m->allocation, m->version))) {
        return -1;
    }
    put_i16(out, m->version);
    put_string(out, m->url);
    put_i64(out, m->config_offset);
    if (!with_allocation) {
        return 0;
    }
    if (m->allocation == NULL) {
        put_i32(out, -1);
        return 0;
    }
    sl_buf nested = SL_BUF_INIT;
    put_assignment(&nested, m->allocation, m->version);
    put_i32(out, (int32_t)nested.len);
    sl_buf_append(out, nested.data, nested.len);
    sl_buf_free(&nested);
    return 0;
}

/* ---- decoding ------------------------------------------------------------------------------ */

typedef struct reader {
    const unsigned char *p;
    size_t n, off;
    const char *what; /* "metadata", "assignment", "allocation" */
    char *err;
    size_t errlen;
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(reader *r, const char *fmt, ...)
{
    char msg[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->err != NULL && r->errlen > 0) {
        snprintf(r->err, r->errlen, "connect %s: %s (at byte %zu of %zu)", r->what, msg, r->off,
                 r->n);
    }
    return -1;
}

static size_t left(const reader *r)
{
    return r->n - r->off;
}

static int need(reader *r, size_t k, const char *field)
{
    if (left(r) < k) {
        return fail(r, "field '%s' is cut short: needs %zu bytes, %zu left", field, k, left(r));
    }
    return 0;
}

static int get_i16(reader *r, const char *field, int16_t *v)
{
    if (need(r, 2, field) < 0) {
        return -1;
    }
    const unsigned char *q = r->p + r->off;
    *v = (int16_t)(uint16_t)((unsigned)q[0] << 8 | q[1]);
    r->off += 2;
    return 0;
}

static int get_i32(reader *r, const char *field, int32_t *v)
{
    if (need(r, 4, field) < 0) {
        return -1;
    }
    const unsigned char *q = r->p + r->off;
    *v = (int32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]);
    r->off += 4;
    return 0;
}

static int get_i64(reader *r, const char *field, int64_t *v)
{
    int32_t hi, lo;
    if (need(r, 8, field) < 0 || get_i32(r, field, &hi) < 0 || get_i32(r, field, &lo) < 0) {
        return -1;
    }
    *v = (int64_t)((uint64_t)(uint32_t)hi << 32 | (uint32_t)lo);
    return 0;
}

/* STRING (non-null): a malloc'ed copy in *out. */
static int get_string(reader *r, const char *field, char **out)
{
    int16_t len;
    if (get_i16(r, field, &len) < 0) {
        return -1;
    }
    if (len < 0) {
        return fail(r, "field '%s' has a negative string length %d", field, len);
    }
    if (need(r, (size_t)len, field) < 0) {
        return -1;
    }
    const char *s = (const char *)r->p + r->off;
    if (memchr(s, '\0', (size_t)len) != NULL) {
        return fail(r, "field '%s' holds a NUL byte", field);
    }
    *out = sl_xstrndup(s, (size_t)len);
    r->off += (size_t)len;
    return 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* One ConnectorAssignment: connector STRING, tasks ARRAY of INT32 (-1 = the instance). */
static int get_conn(reader *r, const char *field, sl_cp_set *s)
{
    char *name = NULL;
    int32_t count;
    if (get_string(r, field, &name) < 0 || get_i32(r, field, &count) < 0) {
        free(name);
        return -1;
    }
    if (count < 0 || (size_t)count > left(r) / 4) {
        free(name);
        return fail(r, "field '%s' has a task count %d that does not fit in %zu bytes", field,
                    (int)count, left(r));
    }
    int32_t *ids = sl_xmalloc(((size_t)count + 1) * sizeof *ids);
    size_t nids = 0;
    bool instance = false;
    for (int32_t i = 0; i < count; i++) {
        int32_t id;
        (void)get_i32(r, field, &id); /* cannot fail: count was checked against the bytes left */
        if (id < -1) {
            free(ids);
            free(name);
            return fail(r, "field '%s' has an invalid task id %d", field, (int)id);
        }
        if (id == -1) {
            instance = true;
        } else {
            ids[nids++] = id;
        }
    }
    /* Sort once and merge, so a long unsorted task list costs n log n, not n^2. */
    qsort(ids, nids, sizeof *ids, cmp_i32);
    if (instance) {
        sl_cp_set_add(s, name, -1);
    } /* an entry with no ids at all adds nothing, as in Java */
    for (size_t i = 0; i < nids; i++) {
        if (i == 0 || ids[i] != ids[i - 1]) {
            sl_cp_set_add(s, name, ids[i]);
        }
    }
    free(ids);
    free(name);
    return 0;
}

/* ARRAY of ConnectorAssignment, nullable (-1 = null = empty). */
static int get_set(reader *r, const char *field, sl_cp_set *s)
{
    int32_t count;
    if (get_i32(r, field, &count) < 0) {
        return -1;
    }
    if (count == -1) {
        return 0;
    }
    /* Each entry takes at least 6 bytes (an empty name and a task count). */
    if (count < 0 || (size_t)count > left(r) / 6) {
        return fail(r, "field '%s' has an array count %d that does not fit in %zu bytes", field,
                    (int)count, left(r));
    }
    for (int32_t i = 0; i < count; i++) {
        if (get_conn(r, field, s) < 0) {
            return -1;
        }
    }
    return 0;
}

static int get_version(reader *r, int16_t *v)
{
    if (get_i16(r, "version", v) < 0) {
        return -1;
    }
    if (*v < 0) {
        return fail(r, "unsupported version %d", *v);
    }
    return 0;
}

/* The V1 reader for every version (Java's IncrementalCooperativeConnectProtocol): a field that is
 * missing altogether takes its default; a field cut in the middle is an error. */
static int get_assignment(reader *r, sl_cp_assignment *a)
{
    if (get_version(r, &a->version) < 0 || get_i16(r, "error", &a->error) < 0 ||
        get_string(r, "leader", &a->leader) < 0 ||
        get_string(r, "leader-url", &a->leader_url) < 0 ||
        get_i64(r, "config-offset", &a->config_offset) < 0) {
        return -1;
    }
    if (left(r) > 0 && get_set(r, "assignment", &a->assigned) < 0) {
        return -1;
    }
    if (left(r) > 0 && get_set(r, "revoked", &a->revoked) < 0) {
        return -1;
    }
    if (left(r) > 0 && get_i32(r, "delay", &a->delay_ms) < 0) {
        return -1;
    }
    return 0;
}

int sl_cp_assignment_decode(const void *p, size_t n, sl_cp_assignment *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    reader r = {p, p != NULL ? n : 0, 0, "assignment", err, errlen};
    if (get_assignment(&r, a) < 0) {
        sl_cp_assignment_clear(a);
        return -1;
    }
    return 0;
}

int sl_cp_metadata_decode(const void *p, size_t n, sl_cp_metadata *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    reader r = {p, p != NULL ? n : 0, 0, "metadata", err, errlen};
    int32_t len;
    if (get_version(&r, &m->version) < 0 || get_string(&r, "url", &m->url) < 0 ||
        get_i64(&r, "config-offset", &m->config_offset) < 0) {
        goto bad;
    }
    /* Java reads the allocation whatever the version; absent altogether means null. */
    if (left(&r) == 0) {
        return 0;
    }
    if (get_i32(&r, "allocation", &len) < 0) {
        goto bad;
    }
    if (len == -1) {
        return 0;
    }
    if (len < 0 || (size_t)len > left(&r)) {
        fail(&r, "field 'allocation' has a length %d but %zu bytes are left", (int)len, left(&r));
        goto bad;
    }
    m->allocation = sl_xcalloc(1, sizeof *m->allocation);
    reader nested = {r.p + r.off, (size_t)len, 0, "metadata allocation", err, errlen};
    if (get_assignment(&nested, m->allocation) < 0) {
        goto bad;
    }
    return 0;
bad:
    sl_cp_metadata_clear(m);
    return -1;
}

void sl_cp_assignment_clear(sl_cp_assignment *a)
{
    if (a == NULL) {
        return;
    }
    free(a->leader);
    free(a->leader_url);
    sl_cp_set_clear(&a->assigned);
    sl_cp_set_clear(&a->revoked);
    memset(a, 0, sizeof *a);
}

void sl_cp_metadata_clear(sl_cp_metadata *m)
{
    if (m == NULL) {
        return;
    }
    free(m->url);
    if (m->allocation != NULL) {
        sl_cp_assignment_clear(m->allocation);
        free(m->allocation);
    }
    memset(m, 0, sizeof *m);
}
