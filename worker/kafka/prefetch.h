/*
 * prefetch.h — keep a sink task's fetchers running with a small prefetch queue.
 *
 * librdkafka 2.0.2 stops fetching a partition once the consumer queue holds
 * queued.max.messages.kbytes of record values, and looks again only when its broker thread next
 * wakes: on network I/O, on an op, or after up to a second. A task that drains the queue faster
 * than that idles. So the worker used to keep librdkafka's 64 MiB default, and a busy task's RSS
 * was mostly prefetched records (100–200 MB).
 *
 * Here the task watches the queue it drains. When the queue was (about) full and has since fallen
 * to half — or ran dry right after full batches — it sends one ListOffsets for its assignment
 * (rd_kafka_offsets_for_times): that request is an op on each leader's broker thread, which wakes
 * the thread, which finds the partitions fetchable again. One round trip per refill, on the task
 * thread, never per record. The worker's default prefetch is then 8 MiB (see clients.c).
 */
#ifndef SL_KAFKA_PREFETCH_H
#define SL_KAFKA_PREFETCH_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sl_prefetch {
    rd_kafka_queue_t *q;  /* the consumer queue (a reference), NULL when not watching */
    int64_t limit;        /* queued.max.messages.kbytes in bytes */
    int64_t peak;         /* the fullest the queue was seen since the last kick, in bytes */
    uint64_t bytes, msgs; /* record values polled: their mean sizes the queue's messages */
    bool full_batches;    /* a full batch was polled since the last kick */
    uint64_t kicks;
} sl_prefetch;

/* Start watching rk's consumer queue (after rd_kafka_poll_set_consumer). */
void sl_prefetch_init(sl_prefetch *p, rd_kafka_t *rk);
void sl_prefetch_destroy(sl_prefetch *p);

/* Count one polled record value. */
static inline void sl_prefetch_note(sl_prefetch *p, size_t value_len)
{
    p->bytes += value_len;
    p->msgs++;
}

/*
 * The decision alone (unit-tested): a poll took `polled` messages, left `queued` in the queue and
 * filled the batch or not; should the fetchers be woken? The queue held at least
 * polled + queued when the poll began: that updates the peak. Also updates the full-batch mark.
 */
bool sl_prefetch_should_kick(sl_prefetch *p, size_t queued, size_t polled, bool batch_full);

/* After each poll of a batch: decide, and wake rk's fetchers if needed (logged at DEBUG under
 * log_ctx, which may be NULL). */
void sl_prefetch_after_poll(sl_prefetch *p, rd_kafka_t *rk, size_t polled, bool batch_full,
                            const char *log_ctx);

#endif
