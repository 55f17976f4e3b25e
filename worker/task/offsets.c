/*
 * offsets.c — consumed/committed bookkeeping per assigned partition, the pre_commit offsets map,
 * and the retry backoff rule. Pure data; never allowed to let a commit run ahead of put().
 */
#include "task/offsets.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void sl_tracker_init(sl_offset_tracker *t)
{
    memset(t, 0, sizeof(*t));
}

void sl_tracker_free(sl_offset_tracker *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].topic);
    }
    free(t->v);
    memset(t, 0, sizeof(*t));
}

struct sl_tp_offsets *sl_tracker_find(sl_offset_tracker *t, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].partition == partition && strcmp(t->v[i].topic, topic) == 0) {
            return &t->v[i];
        }
    }
    return NULL;
}

struct sl_tp_offsets *sl_tracker_assign(sl_offset_tracker *t, const char *topic, int32_t partition)
{
    struct sl_tp_offsets *e = sl_tracker_find(t, topic, partition);
    if (e == NULL) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 8;
            t->v = sl_xrealloc(t->v, t->cap * sizeof(*t->v));
        }
        e = &t->v[t->n++];
        e->topic = sl_xstrdup(topic);
        e->partition = partition;
    }
    e->consumed = -1;
    e->committed = -1;
    e->seen = false;
    return e;
}

void sl_tracker_revoke(sl_offset_tracker *t, const char *topic, int32_t partition)
{
    struct sl_tp_offsets *e = sl_tracker_find(t, topic, partition);
    if (e == NULL) {
        return;
    }
    free(e->topic);
    size_t i = (size_t)(e - t->v);
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
}

int sl_tracker_consumed(sl_offset_tracker *t, const char *topic, int32_t partition,
                        int64_t next_offset)
{
    struct sl_tp_offsets *e = sl_tracker_find(t, topic, partition);
    if (e == NULL) {
        return -1;
    }
    if (next_offset > e->consumed) {
        e->consumed = next_offset;
    }
    if (!e->seen) {
        e->seen = true;
        return 1;
    }
    return 0;
}

void sl_tracker_committed(sl_offset_tracker *t, const char *topic, int32_t partition,
                          int64_t offset)
{
    struct sl_tp_offsets *e = sl_tracker_find(t, topic, partition);
    if (e != NULL && offset > e->committed) {
        e->committed = offset;
    }
}

/* ---- sluice_offsets ---- */

void sl_offsets_init(sl_offsets *o)
{
    memset(o, 0, sizeof(*o));
}

void sl_offsets_free(sl_offsets *o)
{
    if (o == NULL) {
        return;
    }
    free(o->e);
    memset(o, 0, sizeof(*o));
}

void sl_offsets_clear(sl_offsets *o)
{
    o->n = 0;
}

void sl_offsets_add(sl_offsets *o, const char *topic, int32_t partition, int64_t next_offset)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->e = sl_xrealloc(o->e, o->cap * sizeof(*o->e));
    }
    struct sl_offsets_entry *e = &o->e[o->n++];
    e->topic = topic;
    e->partition = partition;
    e->offset = next_offset;
    e->limit = next_offset;
}

void sl_offsets_from_tracker(sl_offsets *o, const sl_offset_tracker *t)
{
    sl_offsets_clear(o);
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].consumed >= 0) {
            sl_offsets_add(o, t->v[i].topic, t->v[i].partition, t->v[i].consumed);
        }
    }
}

size_t sl_offsets_count(const sl_offsets *o)
{
    return o ? o->n : 0;
}

sluice_topic_partition sl_offsets_tp(const sl_offsets *o, size_t i)
{
    sluice_topic_partition tp = {NULL, -1};
    if (o != NULL && i < o->n) {
        tp.topic = o->e[i].topic;
        tp.partition = o->e[i].partition;
    }
    return tp;
}

int64_t sl_offsets_get(const sl_offsets *o, size_t i)
{
    return (o != NULL && i < o->n) ? o->e[i].offset : -1;
}

void sl_offsets_set(sl_offsets *o, size_t i, int64_t next_offset)
{
    if (o != NULL && i < o->n && next_offset < o->e[i].offset) {
        o->e[i].offset = next_offset;
    }
}

size_t sl_offsets_prune(sl_offsets *o, const sl_offset_tracker *t)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n; i++) {
        struct sl_offsets_entry *e = &o->e[i];
        struct sl_tp_offsets *tp = sl_tracker_find((sl_offset_tracker *)t, e->topic, e->partition);
        if (tp == NULL || e->offset < 0 || e->offset > tp->consumed || e->offset > e->limit ||
            e->offset == tp->committed) {
            continue;
        }
        e->topic = tp->topic; /* the tracker's copy outlives a plugin-visible pointer */
        o->e[k++] = *e;
    }
    o->n = k;
    return k;
}

/* ---- backoff ---- */

int64_t sl_task_retry_delay_ms(unsigned attempt, int64_t max_delay_ms, int64_t remaining_ms,
                               uint64_t rnd)
{
    int64_t delay;
    if (attempt >= 40) {
        delay = INT64_MAX;
    } else {
        delay = (int64_t)SL_RETRY_DELAY_MIN_MS << attempt;
    }
    if (max_delay_ms > 0 && delay > max_delay_ms) {
        delay = (int64_t)(rnd % (uint64_t)max_delay_ms);
    } else if (max_delay_ms <= 0) {
        delay = 0;
    }
    if (remaining_ms >= 0 && delay > remaining_ms) {
        delay = remaining_ms;
    }
    return delay < 0 ? 0 : delay;
}
