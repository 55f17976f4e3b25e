/*
 * prefetch.c — wake librdkafka's fetchers when the task has drained its prefetch queue (see
 * prefetch.h for why).
 */
#include "kafka/prefetch.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* The kick only has to reach the broker threads: the request is queued on them before the wait
 * starts, and the answer is not needed. Brokers answer a connection's requests in order, so a
 * ListOffsets queued behind a long-polling Fetch waits up to fetch.wait.max.ms; keep the task
 * thread's wait short (a late answer is dropped by librdkafka). */
#define KICK_TIMEOUT_MS 10

void sl_prefetch_init(sl_prefetch *p, rd_kafka_t *rk)
{
    memset(p, 0, sizeof(*p));
    p->limit = 65536 * 1024LL; /* librdkafka's default */
    char v[32];
    size_t vl = sizeof(v);
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "queued.max.messages.kbytes", v, &vl) ==
        RD_KAFKA_CONF_OK) {
        long long kb = strtoll(v, NULL, 10);
        if (kb > 0) {
            p->limit = kb * 1024LL;
        }
    }
    p->q = rd_kafka_queue_get_consumer(rk);
}

void sl_prefetch_destroy(sl_prefetch *p)
{
    if (p->q != NULL) {
        rd_kafka_queue_destroy(p->q);
        p->q = NULL;
    }
}

bool sl_prefetch_should_kick(sl_prefetch *p, size_t queued, size_t polled, bool batch_full)
{
    if (p->msgs == 0) {
        return false;
    }
    int64_t mean = (int64_t)(p->bytes / p->msgs);
    int64_t est = (int64_t)queued * mean;
    int64_t before = (int64_t)(queued + polled) * mean;
    if (before > p->peak) {
        p->peak = before;
    }
    bool kick = false;
    if (p->peak >= p->limit / 4 * 3 && est <= p->limit / 2) {
        kick = true; /* it was full, so fetching stopped; half is gone: refill while we drain */
    } else if (queued == 0 && !batch_full && p->full_batches) {
        kick = true; /* ran dry right after a backlog: the fill estimate was off, or fetching
                        stopped for another reason; one spare round trip is cheap */
    }
    if (batch_full) {
        p->full_batches = true;
    }
    if (kick) {
        p->peak = est;
        p->full_batches = false;
    }
    return kick;
}

void sl_prefetch_after_poll(sl_prefetch *p, rd_kafka_t *rk, size_t polled, bool batch_full,
                            const char *log_ctx)
{
    if (p->q == NULL) {
        return;
    }
    if (!sl_prefetch_should_kick(p, (size_t)rd_kafka_queue_length(p->q), polled, batch_full)) {
        return;
    }
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(rk, &a) != RD_KAFKA_RESP_ERR_NO_ERROR || a == NULL) {
        return;
    }
    if (a->cnt > 0) {
        for (int i = 0; i < a->cnt; i++) {
            a->elems[i].offset = RD_KAFKA_OFFSET_END; /* "timestamp" -1: the high watermark */
        }
        p->kicks++;
        rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, a, KICK_TIMEOUT_MS);
        sl_cdebug(log_ctx,
                  "Prefetch queue drained: woke the fetchers of %d partition(s) (%llu so far%s%s)",
                  a->cnt, (unsigned long long)p->kicks,
                  err != RD_KAFKA_RESP_ERR_NO_ERROR ? "; ListOffsets: " : "",
                  err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(err) : "");
    }
    rd_kafka_topic_partition_list_destroy(a);
}
