/*
 * klog.c — Java's KafkaBasedLog on librdkafka (see klog.h): a group-less consumer (librdkafka's
 * queue API on every partition from the beginning: no group id, no commits), one thread that
 * hands records to the callback and tracks per-partition positions, "read to end" against end
 * offsets taken at the call, and a producer that writes every key to the partition Java's
 * default partitioner picks (murmur2, computed here and given explicitly).
 * Control plane only; never used on a record hot path of a task.
 */
#include "dist/klog.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/clients.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define KLOG_BATCH   500
#define KLOG_POLL_MS 100

/* ---- murmur2 (Java's org.apache.kafka.common.utils.Utils.murmur2) ---- */

int32_t sl_murmur2(const void *key, size_t len)
{
    const uint8_t *d = key;
    const uint32_t m = 0x5bd1e995;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t len4 = len / 4;
    for (size_t i = 0; i < len4; i++) {
        const uint8_t *p = d + i * 4;
        uint32_t k =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint8_t *tail = d + (len & ~(size_t)3);
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        h ^= tail[0];
        h *= m;
        break;
    default:
        break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t sl_murmur2_partition(const void *key, size_t len, int32_t partitions)
{
    if (partitions <= 0) {
        return -1;
    }
    /* Utils.toPositive: clear the sign bit (not abs). */
    return (int32_t)(((uint32_t)sl_murmur2(key, len) & 0x7fffffffu) % (uint32_t)partitions);
}

/* ---- the log ---- */

/* One synchronous send's outcome; freed by whichever of sender and delivery report is last. */
typedef struct delivery {
    int refs;
    bool done;
    rd_kafka_resp_err_t err;
} delivery;

struct sl_klog {
    char *topic;
    char *client_id;
    sl_klog_cb cb;
    void *arg;
    rd_kafka_t *producer;
    rd_kafka_t *consumer;
    rd_kafka_topic_t *ctopic;
    rd_kafka_queue_t *queue;
    int32_t partitions;
    bool started;
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cond; /* positions moved, or a delivery report arrived */
    int64_t *pos;        /* next offset to hand over, per partition (under mu) */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_ts(int64_t deadline, struct timespec *ts)
{
    /* the condvar uses CLOCK_MONOTONIC (see sl_klog_new) */
    ts->tv_sec = (time_t)(deadline / 1000);
    ts->tv_nsec = (long)(deadline % 1000) * 1000000;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    sl_klog *l = opaque;
    delivery *d = m->_private;
    if (d == NULL) {
        if (m->err) {
            SL_LOG(SL_LOG_ERROR, rd_kafka_name(rk), "Failed to write to %s: %s", l->topic,
                   rd_kafka_err2str(m->err));
        }
        return;
    }
    pthread_mutex_lock(&l->mu);
    d->err = m->err;
    d->done = true;
    bool last = --d->refs == 0;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->mu);
    if (last) {
        free(d);
    }
}

/* The worker's own client settings that Java's internal clients inherit (security), given to the
 * shared conf builder under its "admin." prefix so Java keys are translated the same way. */
rd_kafka_conf_t *sl_klog_internal_conf(const sl_props *worker, const char *client_id, char *err,
                                       size_t errlen)
{
    sl_props *p = sl_props_new();
    const char *bs = worker != NULL ? sl_props_get(worker, "bootstrap.servers") : NULL;
    if (bs != NULL) {
        sl_props_set(p, "bootstrap.servers", bs);
    }
    for (size_t i = 0; worker != NULL && i < sl_props_count(worker); i++) {
        const char *k = sl_props_key_at(worker, i);
        const char *v = sl_props_value_at(worker, i);
        if (v != NULL && (strncmp(k, "security.", 9) == 0 || strncmp(k, "sasl.", 5) == 0 ||
                          strncmp(k, "ssl.", 4) == 0)) {
            char key[512];
            snprintf(key, sizeof(key), "admin.%s", k);
            sl_props_set(p, key, v);
        }
    }
    rd_kafka_conf_t *conf = sl_kafka_admin_conf(p, NULL, client_id, err, errlen);
    sl_props_free(p);
    return conf;
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v, char *err, size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, k, v, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "librdkafka refused %s=%s: %s", k, v, why);
        return -1;
    }
    return 0;
}

char *sl_klog_client_id(const sl_props *worker, const char *role)
{
    const char *group = worker != NULL ? sl_props_get(worker, "group.id") : NULL;
    const char *cid = worker != NULL ? sl_props_get(worker, "client.id") : NULL;
    sl_buf b = SL_BUF_INIT;
    sl_buf_puts(&b, group != NULL ? group : "");
    if (cid != NULL && *cid != '\0') {
        sl_buf_putc(&b, '-');
        sl_buf_puts(&b, cid);
    }
    sl_buf_putc(&b, '-');
    sl_buf_puts(&b, role);
    return sl_buf_steal(&b);
}

sl_klog *sl_klog_new(const sl_props *worker, const char *topic, const char *role, sl_klog_cb cb,
                     void *arg, char *err, size_t errlen)
{
    sl_klog *l = sl_xcalloc(1, sizeof(*l));
    l->topic = sl_xstrdup(topic);
    l->client_id = sl_klog_client_id(worker, role);
    l->cb = cb;
    l->arg = arg;
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cond, &ca);
    pthread_condattr_destroy(&ca);

    char why[512];
    rd_kafka_conf_t *pc = sl_klog_internal_conf(worker, l->client_id, err, errlen);
    if (pc == NULL || set(pc, "acks", "all", err, errlen) != 0 ||
        set(pc, "enable.idempotence", "false", err, errlen) != 0 ||
        set(pc, "partitioner", "murmur2_random", err, errlen) != 0 ||
        set(pc, "max.in.flight.requests.per.connection", "1", err, errlen) != 0 ||
        set(pc, "linger.ms", "0", err, errlen) != 0) {
        if (pc != NULL) {
            rd_kafka_conf_destroy(pc);
        }
        sl_klog_destroy(l);
        return NULL;
    }
    rd_kafka_conf_set_opaque(pc, l);
    rd_kafka_conf_set_dr_msg_cb(pc, dr_cb);
    l->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, why, sizeof(why));
    if (l->producer == NULL) {
        snprintf(err, errlen, "Cannot create the %s producer: %s", l->client_id, why);
        sl_klog_destroy(l);
        return NULL;
    }

    rd_kafka_conf_t *cc = sl_klog_internal_conf(worker, l->client_id, err, errlen);
    if (cc == NULL || set(cc, "enable.auto.commit", "false", err, errlen) != 0 ||
        set(cc, "enable.auto.offset.store", "false", err, errlen) != 0 ||
        set(cc, "enable.partition.eof", "true", err, errlen) != 0 ||
        set(cc, "isolation.level", "read_uncommitted", err, errlen) != 0 ||
        set(cc, "auto.offset.reset", "earliest", err, errlen) != 0 ||
        /* read_to_end right after a write waits for the fetch in flight: a broker that does not
         * answer a waiting fetch when data arrives (the mock) would cost 500 ms per write */
        set(cc, "fetch.wait.max.ms", "100", err, errlen) != 0) {
        if (cc != NULL) {
            rd_kafka_conf_destroy(cc);
        }
        sl_klog_destroy(l);
        return NULL;
    }
    l->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, why, sizeof(why));
    if (l->consumer == NULL) {
        snprintf(err, errlen, "Cannot create the %s consumer: %s", l->client_id, why);
        sl_klog_destroy(l);
        return NULL;
    }
    return l;
}

/* Partition count of the topic from metadata; 0 when the topic is unknown. */
static int32_t topic_partitions(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int timeout_ms, char *err,
                                size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Could not look up partition metadata for topic %s: %s",
                 rd_kafka_topic_name(rkt), rd_kafka_err2str(e));
        return -1;
    }
    int32_t n = 0;
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        n = md->topics[0].partition_cnt;
    } else if (md->topic_cnt == 1) {
        snprintf(err, errlen, "Could not look up partition metadata for topic %s: %s",
                 rd_kafka_topic_name(rkt), rd_kafka_err2str(md->topics[0].err));
    }
    rd_kafka_metadata_destroy(md);
    return n;
}

static void *klog_main(void *arg)
{
    sl_klog *l = arg;
    rd_kafka_message_t *batch[KLOG_BATCH];
    while (!atomic_load(&l->stop)) {
        /* Block for the first message only (a batch call waits until it is full or timed out),
         * then take whatever else is already there. */
        ssize_t n = 0;
        batch[0] = rd_kafka_consume_queue(l->queue, KLOG_POLL_MS);
        if (batch[0] != NULL) {
            ssize_t more = rd_kafka_consume_batch_queue(l->queue, 0, batch + 1, KLOG_BATCH - 1);
            n = 1 + (more > 0 ? more : 0);
        }
        rd_kafka_poll(l->producer, 0); /* delivery reports of sends nobody waits for */
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            int32_t p = m->partition;
            bool valid = p >= 0 && p < l->partitions;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if (valid) {
                    pthread_mutex_lock(&l->mu);
                    if (m->offset > l->pos[p]) {
                        l->pos[p] = m->offset;
                    }
                    pthread_cond_broadcast(&l->cond);
                    pthread_mutex_unlock(&l->mu);
                }
            } else if (m->err) {
                SL_LOG(SL_LOG_DEBUG, l->client_id, "Error reading %s: %s", l->topic,
                       rd_kafka_message_errstr(m));
            } else if (valid) {
                l->cb(l->arg, p, m->offset, m->key, m->key_len, m->payload, m->len);
                pthread_mutex_lock(&l->mu);
                l->pos[p] = m->offset + 1;
                pthread_cond_broadcast(&l->cond);
                pthread_mutex_unlock(&l->mu);
            }
            rd_kafka_message_destroy(m);
        }
    }
    return NULL;
}

/* Log start (which = RD_KAFKA_OFFSET_BEGINNING) or end (RD_KAFKA_OFFSET_END) offsets of every
 * partition now: one ListOffsets per broker, else (end only) the watermarks one by one.
 * Asked through the producer: on the consumer's connections the answer would queue behind the
 * fetch the broker is holding (responses on a connection come in order), up to
 * fetch.wait.max.ms per call. */
static int list_offsets(sl_klog *l, int64_t which, int64_t *out, int64_t deadline)
{
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(l->partitions);
    for (int32_t p = 0; p < l->partitions; p++) {
        rd_kafka_topic_partition_list_add(tp, l->topic, p)->offset = which;
    }
    int left = (int)(deadline - now_ms());
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(l->producer, tp, left > 0 ? left : 1);
    int rc = e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
    for (int i = 0; i < tp->cnt && rc == 0; i++) {
        if (tp->elems[i].err || tp->elems[i].offset < 0) {
            rc = -1;
        } else {
            out[tp->elems[i].partition] = tp->elems[i].offset;
        }
    }
    rd_kafka_topic_partition_list_destroy(tp);
    if (rc == 0 || which != RD_KAFKA_OFFSET_END) {
        return rc;
    }
    /* e.g. a broker that cannot answer ListOffsets for "latest" by timestamp: watermarks, within
     * what is left of the caller's deadline */
    for (int32_t p = 0; p < l->partitions; p++) {
        int64_t lo, hi;
        left = (int)(deadline - now_ms());
        if (left <= 0 || rd_kafka_query_watermark_offsets(l->producer, l->topic, p, &lo, &hi,
                                                          left) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return -1;
        }
        out[p] = hi;
    }
    return 0;
}

int sl_klog_start(sl_klog *l, int timeout_ms, char *err, size_t errlen)
{
    if (l->started) {
        snprintf(err, errlen, "The log of %s is already started", l->topic);
        return -1;
    }
    if (l->ctopic == NULL) {
        l->ctopic = rd_kafka_topic_new(l->consumer, l->topic, NULL);
    }
    int64_t deadline = now_ms() + timeout_ms;
    int32_t n = 0;
    int sleep_ms = 100;
    /* Java waits for the topic to show up (it may just have been created). */
    for (;;) {
        int left = (int)(deadline - now_ms());
        n = topic_partitions(l->consumer, l->ctopic, left > 0 ? left : 1, err, errlen);
        if (n > 0 || now_ms() + sleep_ms >= deadline) {
            break;
        }
        struct timespec ts = {0, (long)sleep_ms * 1000000};
        nanosleep(&ts, NULL);
        sleep_ms = sleep_ms < 1000 ? sleep_ms * 2 : sleep_ms;
    }
    if (n <= 0) {
        if (n == 0) {
            snprintf(err, errlen,
                     "Could not look up partition metadata for topic %s in the allotted period. "
                     "This could indicate a connectivity issue, unavailable topic partitions, or "
                     "the topic does not exist",
                     l->topic);
        }
        return -1;
    }
    l->partitions = n;
    free(l->pos);
    l->pos = sl_xcalloc((size_t)n, sizeof(int64_t));
    if (l->queue == NULL) {
        l->queue = rd_kafka_queue_new(l->consumer);
    }
    /* Start at the absolute log start offsets when they can be had: a logical BEGINNING makes the
     * consumer look them up itself, and a lookup before its connection is ready is retried only
     * after 500 ms. (A start offset removed by retention meanwhile: auto.offset.reset=earliest.) */
    int64_t *start = sl_xcalloc((size_t)n, sizeof(int64_t));
    if (list_offsets(l, RD_KAFKA_OFFSET_BEGINNING, start, deadline) != 0) {
        for (int32_t p = 0; p < n; p++) {
            start[p] = RD_KAFKA_OFFSET_BEGINNING;
        }
    }
    for (int32_t p = 0; p < n; p++) {
        if (rd_kafka_consume_start_queue(l->ctopic, p, start[p], l->queue) != 0) {
            free(start);
            snprintf(err, errlen, "Cannot start reading %s [%d]: %s", l->topic, (int)p,
                     rd_kafka_err2str(rd_kafka_last_error()));
            for (int32_t q = 0; q < p; q++) {
                rd_kafka_consume_stop(l->ctopic, q);
            }
            return -1;
        }
    }
    free(start);
    if (pthread_create(&l->thread, NULL, klog_main, l) != 0) {
        snprintf(err, errlen, "Cannot start the %s reader thread", l->topic);
        for (int32_t p = 0; p < n; p++) {
            rd_kafka_consume_stop(l->ctopic, p);
        }
        return -1;
    }
    l->started = true;
    sl_info("Started reading %s (%d partitions) as %s", l->topic, (int)n, l->client_id);
    int left = (int)(deadline - now_ms());
    if (sl_klog_read_to_end(l, left > 0 ? left : 1) != 0) {
        snprintf(err, errlen, "Timed out reading %s to its end within %d ms", l->topic, timeout_ms);
        return -1;
    }
    return 0;
}

int sl_klog_read_to_end(sl_klog *l, int timeout_ms)
{
    if (!l->started) {
        return -1;
    }
    int64_t deadline = now_ms() + timeout_ms;
    int64_t *end = sl_xcalloc((size_t)l->partitions, sizeof(int64_t));
    if (list_offsets(l, RD_KAFKA_OFFSET_END, end, deadline) != 0) {
        sl_warn("Cannot fetch the end offsets of %s", l->topic);
        free(end);
        return -1;
    }
    int64_t t_end = now_ms();
    struct timespec ts;
    deadline_ts(deadline, &ts);
    int rc = 0;
    pthread_mutex_lock(&l->mu);
    for (int32_t p = 0; p < l->partitions && rc == 0; p++) {
        while (l->pos[p] < end[p]) {
            if (pthread_cond_timedwait(&l->cond, &l->mu, &ts) != 0 && now_ms() >= deadline) {
                rc = -1;
                break;
            }
        }
    }
    pthread_mutex_unlock(&l->mu);
    free(end);
    SL_LOG(SL_LOG_DEBUG, l->client_id, "read to end of %s: end offsets %lld ms, caught up %lld ms",
           l->topic, (long long)(t_end - (deadline - timeout_ms)), (long long)(now_ms() - t_end));
    return rc;
}

int sl_klog_send(sl_klog *l, const void *key, size_t klen, const void *val, size_t vlen,
                 int timeout_ms, char *err, size_t errlen)
{
    if (l->partitions <= 0) {
        snprintf(err, errlen, "The log of %s is not started", l->topic);
        return -1;
    }
    int32_t part = sl_murmur2_partition(key, klen, l->partitions);
    delivery *d = NULL;
    if (timeout_ms > 0) {
        d = sl_xcalloc(1, sizeof(*d));
        d->refs = 2;
    }
    size_t len = val != NULL ? vlen : 0; /* the macros cast their arguments unparenthesised */
    rd_kafka_resp_err_t e = rd_kafka_producev(
        l->producer, RD_KAFKA_V_TOPIC(l->topic), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_KEY((void *)key, klen), RD_KAFKA_V_VALUE((void *)val, len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(d), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Failed to write to %s: %s", l->topic, rd_kafka_err2str(e));
        free(d);
        return -1;
    }
    if (d == NULL) {
        return 0;
    }
    int64_t deadline = now_ms() + timeout_ms;
    bool done = false;
    while (!done) {
        rd_kafka_poll(l->producer, 10);
        pthread_mutex_lock(&l->mu);
        done = d->done;
        pthread_mutex_unlock(&l->mu);
        if (!done && now_ms() >= deadline) {
            break;
        }
    }
    pthread_mutex_lock(&l->mu);
    rd_kafka_resp_err_t derr = d->done ? d->err : RD_KAFKA_RESP_ERR__TIMED_OUT;
    bool last = --d->refs == 0;
    pthread_mutex_unlock(&l->mu);
    if (last) {
        free(d);
    }
    if (derr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Failed to write to %s: %s", l->topic, rd_kafka_err2str(derr));
        return -1;
    }
    return 0;
}

int32_t sl_klog_partitions(const sl_klog *l)
{
    return l->partitions;
}

void sl_klog_destroy(sl_klog *l)
{
    if (l == NULL) {
        return;
    }
    if (l->started) {
        atomic_store(&l->stop, true);
        pthread_join(l->thread, NULL);
        for (int32_t p = 0; p < l->partitions; p++) {
            rd_kafka_consume_stop(l->ctopic, p);
        }
    }
    if (l->queue != NULL) {
        rd_kafka_queue_destroy(l->queue);
    }
    if (l->ctopic != NULL) {
        rd_kafka_topic_destroy(l->ctopic);
    }
    if (l->consumer != NULL) {
        rd_kafka_destroy(l->consumer);
    }
    if (l->producer != NULL) {
        if (rd_kafka_flush(l->producer, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sl_warn("%d record(s) to %s were not acknowledged before shutdown",
                    rd_kafka_outq_len(l->producer), l->topic);
            rd_kafka_purge(l->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            rd_kafka_poll(l->producer, 0); /* their delivery reports free what waits on them */
        }
        rd_kafka_destroy(l->producer);
    }
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->mu);
    free(l->pos);
    free(l->topic);
    free(l->client_id);
    free(l);
}
