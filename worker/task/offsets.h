/*
 * offsets.h — a sink task's offset bookkeeping (consumed vs committed per assigned partition), the
 * definition behind the ABI's opaque sluice_offsets (what pre_commit sees), and the retry backoff
 * rule. Pure data: no Kafka, no plugin calls, no I/O, so it is unit-tested in isolation.
 * It must never raise an offset past what put() made durable.
 */
#ifndef SL_TASK_OFFSETS_H
#define SL_TASK_OFFSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sluice/plugin.h"

/* One assigned partition. Offsets are "next offset to consume"; -1 = unknown / none. */
struct sl_tp_offsets {
    char *topic; /* owned */
    int32_t partition;
    int64_t consumed;  /* after the last record put OK (or dropped by tolerance / transforms) */
    int64_t committed; /* last offset the broker acknowledged for this partition */
    bool seen;         /* a record of this partition was consumed since assignment */
};

typedef struct sl_offset_tracker {
    struct sl_tp_offsets *v;
    size_t n, cap;
} sl_offset_tracker;

void sl_tracker_init(sl_offset_tracker *t);
void sl_tracker_free(sl_offset_tracker *t);
/* Partition assigned: (re)start with unknown consumed/committed offsets. Returns the entry. */
struct sl_tp_offsets *sl_tracker_assign(sl_offset_tracker *t, const char *topic, int32_t partition);
/* Partition revoked or lost: forget it. */
void sl_tracker_revoke(sl_offset_tracker *t, const char *topic, int32_t partition);
/* NULL when not assigned. */
struct sl_tp_offsets *sl_tracker_find(sl_offset_tracker *t, const char *topic, int32_t partition);
/*
 * Records up to next_offset-1 of the partition are done (put OK or dropped). Ignored for partitions
 * no longer assigned; never moves backwards. Returns 1 when this is the partition's first record
 * since assignment, 0 otherwise, -1 when not assigned.
 */
int sl_tracker_consumed(sl_offset_tracker *t, const char *topic, int32_t partition,
                        int64_t next_offset);
/* The broker acknowledged a commit of `offset` for the partition (out-of-order acks never lower).
 */
void sl_tracker_committed(sl_offset_tracker *t, const char *topic, int32_t partition,
                          int64_t offset);

/* ---- the pre_commit map (struct sluice_offsets) ---- */

struct sl_offsets_entry {
    const char *topic; /* borrowed from the tracker (valid until the partition is revoked) */
    int32_t partition;
    int64_t offset; /* what will be committed; the plugin may lower it */
    int64_t limit;  /* consumed offset: the ceiling */
};

struct sluice_offsets {
    struct sl_offsets_entry *e;
    size_t n, cap;
};
typedef struct sluice_offsets sl_offsets;

void sl_offsets_init(sl_offsets *o);
void sl_offsets_free(sl_offsets *o);
void sl_offsets_clear(sl_offsets *o);
void sl_offsets_add(sl_offsets *o, const char *topic, int32_t partition, int64_t next_offset);
/* Fill `o` (cleared first) with every assigned partition that has a consumed offset. */
void sl_offsets_from_tracker(sl_offsets *o, const sl_offset_tracker *t);
/* Accessors behind the host API's offsets_* services. */
size_t sl_offsets_count(const sl_offsets *o);
sluice_topic_partition sl_offsets_tp(const sl_offsets *o, size_t i);
int64_t sl_offsets_get(const sl_offsets *o, size_t i);
/* Lower entry i; values above the current one are ignored (a plugin may never raise). */
void sl_offsets_set(sl_offsets *o, size_t i, int64_t next_offset);
/*
 * After pre_commit: drop entries that are not assigned any more, negative, above the consumed
 * offset, or equal to what is already committed. What stays is what to commit. Returns the count.
 */
size_t sl_offsets_prune(sl_offsets *o, const sl_offset_tracker *t);

/* ---- retry backoff (Connect's RetryWithToleranceOperator rule) ---- */

#define SL_RETRY_DELAY_MIN_MS 300
/*
 * Delay before retry number `attempt` (0-based): 300 ms doubled each attempt; once that would pass
 * max_delay_ms the delay is a random value in [0, max_delay_ms) taken from `rnd`. Never past
 * remaining_ms when remaining_ms >= 0 (the retry deadline); remaining_ms < 0 means no deadline.
 */
int64_t sl_task_retry_delay_ms(unsigned attempt, int64_t max_delay_ms, int64_t remaining_ms,
                               uint64_t rnd);

#endif
