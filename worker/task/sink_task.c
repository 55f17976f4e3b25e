/*
 * sink_task.c — one sink task on its own thread: poll a batch → convert → transform → put →
 * pre_commit → commit, with Connect's rebalance, pause/resume, retry and error-tolerance rules.
 * It must never commit an offset past what put()/pre_commit() made durable, never malloc per
 * record (records live in the per-batch arena) and never call plugin code from another thread.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "task/task.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "converters/convert.h"
#include "data/value.h"
#include "kafka/clients.h"
#include "kafka/dlq.h"
#include "kafka/prefetch.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "task/offsets.h"
#include "transforms/chain.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define POLL_SLICE_MS        100 /* longest blocking call: keeps stop/pause responsive */
#define BATCH_WINDOW_MS      50  /* after the first record, wait this long to fill a batch */
#define DLQ_FLUSH_TIMEOUT_MS 30000
#define EXC_DATA             "org.apache.kafka.connect.errors.DataException"
#define EXC_CONNECT          "org.apache.kafka.connect.errors.ConnectException"

struct sl_task {
    /* -- immutable after start -- */
    char *name;
    int32_t task_id;
    char log_ctx[192];
    sl_props *config;
    sl_props *worker;
    struct sl_task_spec spec; /* callbacks; string/props fields point at our copies */
    const struct sl_component *comp;
    const struct sluice_sink_ops *ops;
    sl_converter *key_conv;
    sl_converter *value_conv;
    sl_chain *chain;
    bool tolerance_all, log_enable, log_include;
    int64_t retry_timeout_ms, retry_delay_max_ms, flush_interval_ms;

    /* -- shared with the herder's threads -- */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_bool stop;
    atomic_int target; /* SL_TASK_RUNNING or SL_TASK_PAUSED */
    bool done, abandoned;
    int state;
    char trace[4096];

    /* -- task thread only -- */
    rd_kafka_t *rk;
    sl_dlq *dlq;
    struct sluice_ctx *ctx;
    sl_config *pcfg;
    void *ptask;
    bool closing; /* consumer_close in progress: rebalance callbacks only unassign */
    bool failed;
    bool herder_paused, retry_paused;
    bool commit_requested;
    int64_t next_commit;
    int64_t backoff_ms; /* hint from task_backoff() */
    uint64_t rnd;
    int max_poll_records;
    sl_prefetch prefetch;
    sl_arena *arena;
    sl_offset_tracker tracker;
    sl_offsets offsets;
    rd_kafka_message_t **batch; /* the messages of the batch being delivered */
    size_t nbatch;
    rd_kafka_message_t **stash; /* polled while paused/retrying: next batch's first messages */
    size_t nstash, stash_cap;
    sl_record **recs; /* the batch after convert + transform (arena) */
    size_t nrecs;
    rd_kafka_topic_partition_list_t *seeks; /* task_seek() requests not yet applied */
    char **topics_seen;
    size_t ntopics_seen;
    const char *last_topic;
    char err[4096];
};

/* ---- small helpers ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_rand(struct sl_task *t)
{
    t->rnd ^= t->rnd << 13;
    t->rnd ^= t->rnd >> 7;
    t->rnd ^= t->rnd << 17;
    return t->rnd;
}

const char *sl_task_state_name(int state)
{
    switch (state) {
    case SL_TASK_RUNNING:
        return "RUNNING";
    case SL_TASK_PAUSED:
        return "PAUSED";
    case SL_TASK_FAILED:
        return "FAILED";
    case SL_TASK_RESTARTING:
        return "RESTARTING";
    case SL_TASK_STOPPED:
        return "STOPPED";
    default:
        return "UNASSIGNED";
    }
}

/* State changes are reported only while nobody is waiting in sl_task_stop (no lock-order risk). */
static void set_state(struct sl_task *t, int state, const char *trace)
{
    pthread_mutex_lock(&t->lock);
    t->state = state;
    if (trace != NULL) {
        snprintf(t->trace, sizeof(t->trace), "%s", trace);
    }
    pthread_mutex_unlock(&t->lock);
    if (t->spec.on_state != NULL && !atomic_load(&t->stop)) {
        t->spec.on_state(t->spec.arg, t->name, t->task_id, state, trace);
    }
}

static void fail(struct sl_task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct sl_task *t, const char *fmt, ...)
{
    if (t->failed) {
        return;
    }
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t->failed = true;
    sl_cerror(t->log_ctx,
              "Task threw an uncaught and unrecoverable exception. Task is being "
              "killed and will not recover until manually restarted: %s",
              msg);
    set_state(t, SL_TASK_FAILED, msg);
}

/* ---- partitions ---- */

static size_t tps_from_list(const rd_kafka_topic_partition_list_t *l, sluice_topic_partition **out)
{
    *out = sl_xcalloc(l->cnt ? (size_t)l->cnt : 1, sizeof(**out));
    for (int i = 0; i < l->cnt; i++) {
        (*out)[i].topic = l->elems[i].topic;
        (*out)[i].partition = l->elems[i].partition;
    }
    return (size_t)l->cnt;
}

static bool in_list(const rd_kafka_topic_partition_list_t *l, const char *topic, int32_t part)
{
    return rd_kafka_topic_partition_list_find(l, topic, part) != NULL;
}

static void pause_all(struct sl_task *t, bool pause)
{
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(t->rk, &a) != RD_KAFKA_RESP_ERR_NO_ERROR || a == NULL) {
        return;
    }
    if (a->cnt > 0) {
        if (pause) {
            rd_kafka_pause_partitions(t->rk, a);
        } else {
            rd_kafka_resume_partitions(t->rk, a);
        }
    }
    rd_kafka_topic_partition_list_destroy(a);
}

/* Drop batched and stashed records of partitions that are no longer ours. */
static void drop_partitions(struct sl_task *t, const rd_kafka_topic_partition_list_t *l)
{
    size_t k = 0;
    for (size_t i = 0; i < t->nrecs; i++) {
        if (!in_list(l, t->recs[i]->topic, t->recs[i]->partition)) {
            t->recs[k++] = t->recs[i];
        }
    }
    t->nrecs = k;
    rd_kafka_message_t **arrs[2] = {t->batch, t->stash};
    size_t *counts[2] = {&t->nbatch, &t->nstash};
    for (int a = 0; a < 2; a++) {
        k = 0;
        for (size_t i = 0; i < *counts[a]; i++) {
            rd_kafka_message_t *m = arrs[a][i];
            if (in_list(l, rd_kafka_topic_name(m->rkt), m->partition)) {
                rd_kafka_message_destroy(m);
            } else {
                arrs[a][k++] = m;
            }
        }
        *counts[a] = k;
    }
}

/* ---- commits ---- */

static void commit_result(struct sl_task *t, const rd_kafka_topic_partition_list_t *l)
{
    for (int i = 0; l != NULL && i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (p->err == RD_KAFKA_RESP_ERR_NO_ERROR && p->offset >= 0) {
            sl_tracker_committed(&t->tracker, p->topic, p->partition, p->offset);
        } else if (p->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sl_cwarn(t->log_ctx, "Commit of offset %" PRId64 " for %s-%d failed: %s", p->offset,
                     p->topic, (int)p->partition, rd_kafka_err2str(p->err));
        }
    }
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    struct sl_task *t = opaque;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        sl_cwarn(t->log_ctx, "Offset commit failed: %s", rd_kafka_err2str(err));
    }
    commit_result(t, offsets);
}

/*
 * pre_commit then commit the consumed offsets of `only` (NULL: every assigned partition).
 * Returns -1 only when the task failed (pre_commit ERR).
 */
static int commit_offsets(struct sl_task *t, const rd_kafka_topic_partition_list_t *only, bool sync)
{
    if (t->failed || t->ptask == NULL) {
        return t->failed ? -1 : 0;
    }
    sl_offsets_from_tracker(&t->offsets, &t->tracker);
    if (only != NULL) {
        size_t k = 0;
        for (size_t i = 0; i < t->offsets.n; i++) {
            if (in_list(only, t->offsets.e[i].topic, t->offsets.e[i].partition)) {
                t->offsets.e[k++] = t->offsets.e[i];
            }
        }
        t->offsets.n = k;
    }
    if (t->offsets.n == 0) {
        return 0;
    }
    if (t->dlq != NULL && sl_dlq_flush(t->dlq, DLQ_FLUSH_TIMEOUT_MS, t->err, sizeof(t->err)) != 0) {
        sl_cerror(t->log_ctx, "Skipping offset commit: %s", t->err);
        return 0;
    }
    if (t->ops->pre_commit != NULL) {
        sluice_rc rc = t->ops->pre_commit(t->ptask, &t->offsets);
        if (rc == SLUICE_RETRY) {
            sl_cwarn(t->log_ctx, "pre_commit() asked to retry; offsets not committed this time: %s",
                     sl_ctx_take_error(t->ctx, "no message"));
            return 0;
        }
        if (rc != SLUICE_OK) {
            fail(t, "connector %s, task %d, in pre_commit(): %s", t->name, (int)t->task_id,
                 sl_ctx_take_error(t->ctx, "pre_commit() failed"));
            return -1;
        }
    }
    if (sl_offsets_prune(&t->offsets, &t->tracker) == 0) {
        return 0;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)t->offsets.n);
    for (size_t i = 0; i < t->offsets.n; i++) {
        rd_kafka_topic_partition_list_add(l, t->offsets.e[i].topic, t->offsets.e[i].partition)
            ->offset = t->offsets.e[i].offset;
    }
    sl_cdebug(t->log_ctx, "Committing offsets for %d partition(s) (%s)", l->cnt,
              sync ? "sync" : "async");
    rd_kafka_resp_err_t err = rd_kafka_commit(t->rk, l, sync ? 0 : 1);
    if (sync) {
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sl_cwarn(t->log_ctx, "Offset commit failed: %s", rd_kafka_err2str(err));
        }
        commit_result(t, l);
    } else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        sl_cwarn(t->log_ctx, "Offset commit failed: %s", rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(l);
    return 0;
}

static void apply_seeks(struct sl_task *t, rd_kafka_topic_partition_list_t *assigning);

/* ---- rebalance (runs inside rd_kafka_consumer_poll on the task thread) ---- */

static void on_assign(struct sl_task *t, rd_kafka_topic_partition_list_t *parts, bool coop)
{
    for (int i = 0; i < parts->cnt; i++) {
        sl_tracker_assign(&t->tracker, parts->elems[i].topic, parts->elems[i].partition);
    }
    /* Java calls open() and then applies the task's context.offset() rewinds before fetching;
     * calling open() first lets those become the assignment's starting offsets. */
    if (t->ptask != NULL && t->ops->open != NULL && parts->cnt > 0 && !t->failed) {
        sluice_topic_partition *tps = NULL;
        size_t n = tps_from_list(parts, &tps);
        sluice_rc rc = t->ops->open(t->ptask, tps, n);
        free(tps);
        if (rc != SLUICE_OK) {
            fail(t, "connector %s, task %d, in open(): %s", t->name, (int)t->task_id,
                 sl_ctx_take_error(t->ctx, "open() failed"));
        }
    }
    apply_seeks(t, parts);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(t->rk, parts);
        if (e != NULL) {
            sl_cwarn(t->log_ctx, "incremental assign failed: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(t->rk, parts);
    }
    if (parts->cnt > 0 && (t->herder_paused || t->retry_paused)) {
        rd_kafka_pause_partitions(t->rk, parts);
    }
    sl_cinfo(t->log_ctx, "Partitions assigned: %d", parts->cnt);
}

static void on_revoke(struct sl_task *t, rd_kafka_topic_partition_list_t *parts, bool coop)
{
    bool lost = rd_kafka_assignment_lost(t->rk);
    if (!t->closing && t->ptask != NULL) {
        if (!lost) {
            commit_offsets(t, parts, true);
        }
        if (t->ops->close != NULL && parts->cnt > 0) {
            sluice_topic_partition *tps = NULL;
            size_t n = tps_from_list(parts, &tps);
            if (t->ops->close(t->ptask, tps, n) != SLUICE_OK) {
                sl_cwarn(t->log_ctx, "close() failed: %s", sl_ctx_take_error(t->ctx, "no message"));
            }
            free(tps);
        }
    }
    drop_partitions(t, parts);
    for (int i = 0; i < parts->cnt; i++) {
        sl_tracker_revoke(&t->tracker, parts->elems[i].topic, parts->elems[i].partition);
    }
    sl_cinfo(t->log_ctx, "Partitions %s: %d", lost ? "lost" : "revoked", parts->cnt);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(t->rk, parts);
        if (e != NULL) {
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(t->rk, NULL);
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct sl_task *t = opaque;
    const char *proto = rd_kafka_rebalance_protocol(rk);
    bool coop = proto != NULL && strcmp(proto, "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        on_assign(t, parts, coop);
    } else {
        on_revoke(t, parts, coop);
    }
}

/* ---- errors (errors.tolerance, errors.log.*, DLQ) ---- */

/* 0: tolerated (skip the record); -1: not tolerated (trace in t->err). */
static int handle_errant(struct sl_task *t, const struct sl_errant *e)
{
    if (t->log_enable) {
        sl_buf b = SL_BUF_INIT;
        sl_errant_describe(e, t->log_include, &b);
        sl_cerror(t->log_ctx, "%s", b.data);
        sl_buf_free(&b);
    }
    if (!t->tolerance_all) {
        char msg[2048]; /* e->message may be t->err itself */
        snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "null");
        snprintf(t->err, sizeof(t->err),
                 "connector %s, task %d, in %s (%s): Tolerance exceeded in error handler\n"
                 "Caused by: %s: %s",
                 t->name, (int)t->task_id, e->stage, e->class_name ? e->class_name : "",
                 e->exception_class ? e->exception_class : EXC_CONNECT, msg);
        return -1;
    }
    if (t->dlq != NULL) {
        char err[512];
        if (sl_dlq_send(t->dlq, e, err, sizeof(err)) != 0) {
            sl_cerror(t->log_ctx, "%s", err);
        }
    }
    sl_cdebug(t->log_ctx, "Skipping record %s-%d@%" PRId64 " (errors.tolerance=all): %s",
              e->topic ? e->topic : "?", (int)e->partition, e->offset,
              e->message ? e->message : "");
    return 0;
}

static void errant_from_record(struct sl_task *t, const sl_record *r, struct sl_errant *e)
{
    memset(e, 0, sizeof(*e));
    e->topic = r->topic;
    e->partition = r->partition;
    e->offset = r->offset;
    e->timestamp = r->timestamp;
    e->timestamp_type = r->timestamp_type;
    e->key = r->raw_key;
    e->key_len = r->raw_key_len;
    e->value = r->raw_value;
    e->value_len = r->raw_value_len;
    e->headers = r->raw_headers;
    e->connector = t->name;
    e->task_id = t->task_id;
}

/* ---- plugin hooks (struct sl_task_hooks) ---- */

static int hook_should_stop(void *arg)
{
    struct sl_task *t = arg;
    return atomic_load(&t->stop) ? 1 : 0;
}

static void hook_backoff(void *arg, int64_t ms)
{
    struct sl_task *t = arg;
    if (ms > t->backoff_ms) {
        t->backoff_ms = ms;
    }
}

static void hook_request_commit(void *arg)
{
    struct sl_task *t = arg;
    t->commit_requested = true;
}

static sluice_rc hook_report_errant(void *arg, const sluice_record *r, const char *message)
{
    struct sl_task *t = arg;
    struct sl_errant e;
    errant_from_record(t, r, &e);
    e.stage = "TASK_PUT";
    e.class_name = t->comp->comp->class_name;
    e.exception_class = EXC_CONNECT;
    e.message = message;
    if (handle_errant(t, &e) == 0) {
        return SLUICE_OK;
    }
    sl_ctx_set_error(t->ctx, "Tolerance exceeded in error handler: %s",
                     message ? message : "errant record");
    return SLUICE_ERR;
}

/* Recorded now, applied by apply_seeks(): before assign when called from open(), after put() or
 * pre_commit() otherwise. A later request for the same partition replaces an earlier one. */
static void hook_seek(void *arg, const char *topic, int32_t partition, int64_t next_offset)
{
    struct sl_task *t = arg;
    if (t->seeks == NULL) {
        t->seeks = rd_kafka_topic_partition_list_new(4);
    }
    rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(t->seeks, topic, partition);
    if (p == NULL) {
        p = rd_kafka_topic_partition_list_add(t->seeks, topic, partition);
    }
    p->offset = next_offset;
}

static const struct sl_task_hooks task_hooks = {
    .should_stop = hook_should_stop,
    .backoff = hook_backoff,
    .request_commit = hook_request_commit,
    .report_errant = hook_report_errant,
    .seek = hook_seek,
};

/*
 * Apply pending task_seek() requests. `assigning`: the partitions about to be assigned; their
 * requests become the starting offsets of the assignment. Requests for partitions already
 * assigned seek the consumer, drop what was fetched ahead for them and move the consumed mark
 * to the new position, so nothing before it is committed as done unless it was. Requests for
 * partitions we do not own are dropped with a warning.
 */
static void apply_seeks(struct sl_task *t, rd_kafka_topic_partition_list_t *assigning)
{
    if (t->seeks == NULL || t->seeks->cnt == 0) {
        return;
    }
    rd_kafka_topic_partition_list_t *now = rd_kafka_topic_partition_list_new(t->seeks->cnt);
    for (int i = 0; i < t->seeks->cnt; i++) {
        const rd_kafka_topic_partition_t *s = &t->seeks->elems[i];
        rd_kafka_topic_partition_t *a =
            assigning != NULL
                ? rd_kafka_topic_partition_list_find(assigning, s->topic, s->partition)
                : NULL;
        if (a != NULL) {
            a->offset = s->offset;
            sl_cinfo(t->log_ctx, "Starting %s-%d at offset %" PRId64 " as the task asked", s->topic,
                     (int)s->partition, s->offset);
            continue;
        }
        struct sl_tp_offsets *tp = sl_tracker_find(&t->tracker, s->topic, s->partition);
        if (tp == NULL) {
            sl_cwarn(t->log_ctx, "Ignoring a seek of %s-%d: the partition is not assigned",
                     s->topic, (int)s->partition);
            continue;
        }
        rd_kafka_topic_partition_list_add(now, s->topic, s->partition)->offset = s->offset;
        tp->consumed = s->offset;
    }
    rd_kafka_topic_partition_list_destroy(t->seeks);
    t->seeks = NULL;
    if (now->cnt > 0) {
        drop_partitions(t, now);
        rd_kafka_error_t *e = rd_kafka_seek_partitions(t->rk, now, 5000);
        if (e != NULL) {
            sl_cwarn(t->log_ctx, "seek failed: %s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
        for (int i = 0; i < now->cnt; i++) {
            if (now->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                sl_cwarn(t->log_ctx, "seek of %s-%d to %" PRId64 " failed: %s", now->elems[i].topic,
                         (int)now->elems[i].partition, now->elems[i].offset,
                         rd_kafka_err2str(now->elems[i].err));
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(now);
}

/* ---- waiting while staying in the group ---- */

static void stash_message(struct sl_task *t, rd_kafka_message_t *m)
{
    if (t->nstash == t->stash_cap) {
        t->stash_cap = t->stash_cap ? t->stash_cap * 2 : 64;
        t->stash = sl_xrealloc(t->stash, t->stash_cap * sizeof(*t->stash));
    }
    t->stash[t->nstash++] = m;
}

/* true when m is a record; consumer errors are logged and m destroyed. */
static bool check_message(struct sl_task *t, rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        return true;
    }
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        sl_cwarn(t->log_ctx, "Consumer error: %s", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
    return false;
}

/* Poll for ms (serving rebalances and commit callbacks); records that arrive are stashed. */
static void poll_wait(struct sl_task *t, int64_t ms)
{
    int64_t deadline = mono_ms() + ms;
    do {
        int64_t left = deadline - mono_ms();
        rd_kafka_message_t *m = rd_kafka_consumer_poll(
            t->rk, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : (left < 0 ? 0 : left)));
        if (m != NULL && check_message(t, m)) {
            stash_message(t, m);
        }
    } while (!atomic_load(&t->stop) && !t->failed && mono_ms() < deadline);
}

/* ---- the batch: poll, convert, transform ---- */

/* Returns how many records came from the consumer (the rest of the batch was stashed). */
static size_t poll_batch(struct sl_task *t, int first_timeout_ms)
{
    size_t max = (size_t)t->max_poll_records;
    size_t take = t->nstash < max ? t->nstash : max;
    if (take > 0) {
        memcpy(t->batch, t->stash, take * sizeof(*t->batch));
        memmove(t->stash, t->stash + take, (t->nstash - take) * sizeof(*t->stash));
        t->nstash -= take;
    }
    t->nbatch = take;
    int64_t start = mono_ms();
    int64_t deadline = start + first_timeout_ms;
    bool window = t->nbatch > 0;
    if (window) {
        deadline = start; /* stashed records: just top up what is already there */
    }
    while (t->nbatch < max && !atomic_load(&t->stop) && !t->failed &&
           atomic_load(&t->target) != SL_TASK_PAUSED) {
        /* Drain what is already fetched without looking at the clock; block only when dry. */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(t->rk, 0);
        if (m == NULL) {
            int64_t left = deadline - mono_ms();
            if (left <= 0) {
                break;
            }
            m = rd_kafka_consumer_poll(t->rk, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left));
            if (m == NULL) {
                continue;
            }
        }
        if (!check_message(t, m)) {
            continue;
        }
        t->batch[t->nbatch++] = m;
        sl_prefetch_note(&t->prefetch, m->len);
        if (!window) {
            window = true;
            deadline = mono_ms() + BATCH_WINDOW_MS;
        }
    }
    return t->nbatch - take;
}

static void note_topic(struct sl_task *t, const char *topic)
{
    if (topic == t->last_topic) {
        return;
    }
    t->last_topic = topic;
    for (size_t i = 0; i < t->ntopics_seen; i++) {
        if (strcmp(t->topics_seen[i], topic) == 0) {
            return;
        }
    }
    t->topics_seen = sl_xrealloc(t->topics_seen, (t->ntopics_seen + 1) * sizeof(char *));
    t->topics_seen[t->ntopics_seen++] = sl_xstrdup(topic);
    if (t->spec.on_topic != NULL && !atomic_load(&t->stop)) {
        t->spec.on_topic(t->spec.arg, t->name, topic);
    }
}

/* Run op until it stops asking to retry or errors.retry.timeout passes. */
typedef sluice_rc (*stage_fn)(struct sl_task *t, void *a);

static sluice_rc with_retry(struct sl_task *t, stage_fn fn, void *a)
{
    int64_t start = -1; /* read the clock only once a retry is needed: this is per record */
    for (unsigned attempt = 0;; attempt++) {
        sluice_rc rc = fn(t, a);
        if (rc != SLUICE_RETRY || t->retry_timeout_ms == 0 || atomic_load(&t->stop)) {
            return rc == SLUICE_RETRY ? SLUICE_ERR : rc;
        }
        if (start < 0) {
            start = mono_ms();
        }
        int64_t left = t->retry_timeout_ms < 0 ? -1 : start + t->retry_timeout_ms - mono_ms();
        if (t->retry_timeout_ms > 0 && left <= 0) {
            return SLUICE_ERR;
        }
        int64_t d = sl_task_retry_delay_ms(attempt, t->retry_delay_max_ms, left, next_rand(t));
        poll_wait(t, d);
    }
}

struct conv_call {
    sl_converter *conv;
    const char *topic;
    const void *data;
    size_t len;
    const sl_schema *schema;
    const sl_value *value;
};

static sluice_rc conv_stage(struct sl_task *t, void *a)
{
    struct conv_call *c = a;
    return sl_converter_to_connect(c->conv, t->arena, c->topic, c->data, c->len, &c->schema,
                                   &c->value, t->err, sizeof(t->err));
}

struct chain_call {
    sl_record *in;
    sl_record *out;
    const char *failed_class;
};

static sluice_rc chain_stage(struct sl_task *t, void *a)
{
    struct chain_call *c = a;
    return sl_chain_apply(t->chain, c->in, &c->out, &c->failed_class, t->err, sizeof(t->err));
}

static sl_record *record_from_message(struct sl_task *t, const rd_kafka_message_t *m)
{
    sl_record *r = sl_record_new(t->arena);
    r->topic = rd_kafka_topic_name(m->rkt);
    r->partition = m->partition;
    r->offset = m->offset;
    rd_kafka_timestamp_type_t tst = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r->timestamp = rd_kafka_message_timestamp(m, &tst);
    r->timestamp_type = (int32_t)tst;
    if (tst == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
        r->timestamp = -1;
    }
    r->raw_key = m->key;
    r->raw_key_len = m->key ? m->key_len : 0;
    r->raw_value = m->payload;
    r->raw_value_len = m->payload ? m->len : 0;
    r->raw_headers = NULL;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != NULL) {
        r->raw_headers = hdrs;
        size_t n = rd_kafka_header_cnt(hdrs);
        for (size_t i = 0; i < n; i++) {
            const char *name = NULL;
            const void *val = NULL;
            size_t size = 0;
            if (rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                RD_KAFKA_RESP_ERR_NO_ERROR) {
                sl_record_add_header(t->arena, r, name, sl_header_to_connect(t->arena, val, size));
            }
        }
    }
    return r;
}

/* Convert + transform one consumed record. 0: *out set (NULL when dropped); -1: task fails. */
static int process_message(struct sl_task *t, const rd_kafka_message_t *m, sl_record **out)
{
    *out = NULL;
    sl_record *r = record_from_message(t, m);
    note_topic(t, r->topic);
    struct sl_errant e;
    errant_from_record(t, r, &e);
    e.exception_class = EXC_DATA;
    for (int k = 0; k < 2; k++) {
        bool is_key = k == 0;
        struct conv_call c = {
            is_key ? t->key_conv : t->value_conv, r->topic, is_key ? m->key : m->payload,
            is_key ? m->key_len : m->len,         NULL,     NULL};
        t->err[0] = '\0';
        if (with_retry(t, conv_stage, &c) != SLUICE_OK) {
            e.stage = is_key ? "KEY_CONVERTER" : "VALUE_CONVERTER";
            e.class_name = sl_converter_class(c.conv);
            e.message = t->err;
            return handle_errant(t, &e);
        }
        if (is_key) {
            r->key_schema = c.schema;
            r->key = c.value;
        } else {
            r->value_schema = c.schema;
            r->value = c.value;
        }
    }
    if (sl_chain_len(t->chain) == 0) {
        *out = r;
        return 0;
    }
    struct chain_call cc = {r, NULL, NULL};
    t->err[0] = '\0';
    if (with_retry(t, chain_stage, &cc) != SLUICE_OK) {
        e.stage = "TRANSFORMATION";
        e.class_name = cc.failed_class;
        e.message = t->err;
        return handle_errant(t, &e);
    }
    *out = cc.out;
    return 0;
}

static int build_records(struct sl_task *t)
{
    t->recs = sl_arena_alloc(t->arena, (t->nbatch ? t->nbatch : 1) * sizeof(*t->recs));
    t->nrecs = 0;
    for (size_t i = 0; i < t->nbatch && !atomic_load(&t->stop); i++) {
        sl_record *r = NULL;
        if (process_message(t, t->batch[i], &r) != 0) {
            fail(t, "%s", t->err);
            return -1;
        }
        if (r != NULL) {
            t->recs[t->nrecs++] = r;
        }
    }
    return 0;
}

/* The batch is done: its offsets (dropped records included) become consumed. */
static void finish_batch(struct sl_task *t)
{
    for (size_t i = 0; i < t->nbatch; i++) {
        rd_kafka_message_t *m = t->batch[i];
        sl_tracker_consumed(&t->tracker, rd_kafka_topic_name(m->rkt), m->partition, m->offset + 1);
        rd_kafka_message_destroy(m);
    }
    t->nbatch = 0;
    t->nrecs = 0;
    t->recs = NULL;
    sl_arena_reset(t->arena);
}

static void discard_messages(struct sl_task *t)
{
    for (size_t i = 0; i < t->nbatch; i++) {
        rd_kafka_message_destroy(t->batch[i]);
    }
    for (size_t i = 0; i < t->nstash; i++) {
        rd_kafka_message_destroy(t->stash[i]);
    }
    t->nbatch = t->nstash = t->nrecs = 0;
}

/* put() until OK (RETRY: pause, back off, redeliver the same records). 0 or -1 (failed/stop). */
static int deliver(struct sl_task *t)
{
    for (unsigned attempt = 0;; attempt++) {
        if (t->backoff_ms > 0) {
            int64_t ms = t->backoff_ms;
            t->backoff_ms = 0;
            poll_wait(t, ms);
        }
        if (atomic_load(&t->stop) || t->failed) {
            return -1;
        }
        sluice_rc rc = t->ops->put(t->ptask, t->recs, t->nrecs);
        if (rc == SLUICE_OK) {
            if (t->retry_paused) {
                t->retry_paused = false;
                if (!t->herder_paused) {
                    pause_all(t, false);
                }
            }
            return 0;
        }
        if (rc != SLUICE_RETRY) {
            fail(t, "connector %s, task %d, in put(): %s", t->name, (int)t->task_id,
                 sl_ctx_take_error(t->ctx, "put() failed"));
            return -1;
        }
        int64_t delay = t->backoff_ms > 0 ? t->backoff_ms
                                          : sl_task_retry_delay_ms(attempt, t->retry_delay_max_ms,
                                                                   -1, next_rand(t));
        t->backoff_ms = 0;
        sl_cwarn(t->log_ctx,
                 "put() of %zu record(s) asked to retry (%s); retrying in %" PRId64 " ms", t->nrecs,
                 sl_ctx_take_error(t->ctx, "retriable error"), delay);
        if (!t->retry_paused) {
            t->retry_paused = true;
            pause_all(t, true);
        }
        poll_wait(t, delay);
    }
}

/* ---- setup and teardown (task thread) ---- */

static int subscribe(struct sl_task *t)
{
    const char *topics = sl_props_get(t->config, "topics");
    const char *regex = sl_props_get(t->config, "topics.regex");
    rd_kafka_topic_partition_list_t *l = NULL;
    if (topics != NULL && *topics != '\0') {
        size_t n = 0;
        char **names = sl_kafka_split_topics(topics, &n);
        l = rd_kafka_topic_partition_list_new((int)n);
        for (size_t i = 0; i < n; i++) {
            rd_kafka_topic_partition_list_add(l, names[i], RD_KAFKA_PARTITION_UA);
        }
        sl_kafka_free_topics(names);
    } else if (regex != NULL && *regex != '\0') {
        /* Java matches the whole name; librdkafka treats "^..." as a POSIX regex subscription. */
        sl_buf b = SL_BUF_INIT;
        size_t len = strlen(regex);
        sl_buf_printf(&b, "%s%s%s", regex[0] == '^' ? "" : "^", regex,
                      regex[len - 1] == '$' ? "" : "$");
        l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, b.data, RD_KAFKA_PARTITION_UA);
        sl_buf_free(&b);
    } else {
        snprintf(t->err, sizeof(t->err), "Must configure one of topics or topics.regex");
        return -1;
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(t->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(t->err, sizeof(t->err), "Failed to subscribe: %s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static int setup(struct sl_task *t)
{
    static const struct sluice_config_def no_defs[1];
    const struct sluice_config_def *defs = t->comp->comp->config_defs;
    size_t stride = t->comp->desc->config_def_size;
    char cerr[1536];
    t->pcfg = sl_config_new(defs ? defs : no_defs, defs ? stride : sizeof(no_defs[0]), t->config,
                            NULL, cerr, sizeof(cerr));
    if (t->pcfg == NULL) {
        snprintf(t->err, sizeof(t->err), "connector %s, task %d, in create(): %s", t->name,
                 (int)t->task_id, cerr);
        return -1;
    }
    t->ctx = sl_ctx_new(t->name, t->task_id, t->comp->comp->class_name);
    sl_ctx_set_hooks(t->ctx, &task_hooks, t);
    sl_ctx_set_batch_arena(t->ctx, t->arena);
    sl_chain_set_batch_arena(t->chain, t->arena);
    sluice_rc rc = t->ops->create(t->ctx, t->pcfg, &t->ptask);
    if (rc != SLUICE_OK) {
        t->ptask = NULL;
        snprintf(t->err, sizeof(t->err), "connector %s, task %d, in create(): %s", t->name,
                 (int)t->task_id, sl_ctx_take_error(t->ctx, "create() failed"));
        return -1;
    }
    const char *dlq_topic = sl_props_get(t->config, "errors.deadletterqueue.topic.name");
    if (dlq_topic != NULL && *dlq_topic != '\0') {
        t->dlq = sl_dlq_new(
            t->worker, t->config, t->name, t->task_id, dlq_topic,
            sl_props_get_bool(t->config, "errors.deadletterqueue.context.headers.enable", false),
            (int)sl_props_get_long(t->config, "errors.deadletterqueue.topic.replication.factor", 3),
            cerr, sizeof(cerr));
        if (t->dlq == NULL) {
            snprintf(t->err, sizeof(t->err), "connector %s, task %d: %s", t->name, (int)t->task_id,
                     cerr);
            return -1;
        }
    }
    rd_kafka_conf_t *conf = sl_kafka_consumer_conf(t->worker, t->config, t->name, t->task_id,
                                                   &t->max_poll_records, cerr, sizeof(cerr));
    if (conf == NULL) {
        snprintf(t->err, sizeof(t->err), "connector %s, task %d: %s", t->name, (int)t->task_id,
                 cerr);
        return -1;
    }
    rd_kafka_conf_set_opaque(conf, t);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    t->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, cerr, sizeof(cerr));
    if (t->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(t->err, sizeof(t->err), "connector %s, task %d: Failed to create consumer: %s",
                 t->name, (int)t->task_id, cerr);
        return -1;
    }
    rd_kafka_poll_set_consumer(t->rk);
    sl_prefetch_init(&t->prefetch, t->rk);
    t->batch = sl_xcalloc((size_t)t->max_poll_records, sizeof(*t->batch));
    return subscribe(t);
}

static void teardown(struct sl_task *t)
{
    if (t->rk != NULL && t->ptask != NULL && !t->failed) {
        commit_offsets(t, NULL, true);
    }
    rd_kafka_topic_partition_list_t *a = NULL;
    if (t->rk != NULL && t->ptask != NULL && t->ops->close != NULL &&
        rd_kafka_assignment(t->rk, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a != NULL) {
        if (a->cnt > 0) {
            sluice_topic_partition *tps = NULL;
            size_t n = tps_from_list(a, &tps);
            t->ops->close(t->ptask, tps, n);
            free(tps);
        }
    }
    if (a != NULL) {
        rd_kafka_topic_partition_list_destroy(a);
    }
    t->closing = true;
    if (t->ptask != NULL) {
        t->ops->destroy(t->ptask);
        t->ptask = NULL;
    }
    discard_messages(t);
    sl_prefetch_destroy(&t->prefetch);
    if (t->rk != NULL) {
        rd_kafka_consumer_close(t->rk);
        rd_kafka_destroy(t->rk);
        t->rk = NULL;
    }
    sl_dlq_free(t->dlq);
    t->dlq = NULL;
}

static void apply_target(struct sl_task *t)
{
    bool want_pause = atomic_load(&t->target) == SL_TASK_PAUSED;
    if (want_pause == t->herder_paused) {
        return;
    }
    t->herder_paused = want_pause;
    if (!t->retry_paused) {
        pause_all(t, want_pause);
    }
    if (want_pause) {
        t->commit_requested = true;
    }
    sl_cinfo(t->log_ctx, "%s", want_pause ? "Paused" : "Resumed");
    set_state(t, want_pause ? SL_TASK_PAUSED : SL_TASK_RUNNING, NULL);
}

static void maybe_commit(struct sl_task *t)
{
    int64_t now = mono_ms();
    if (!t->commit_requested && now < t->next_commit) {
        return;
    }
    t->commit_requested = false;
    t->next_commit = now + t->flush_interval_ms;
    commit_offsets(t, NULL, false);
}

static void run_loop(struct sl_task *t)
{
    t->next_commit = mono_ms() + t->flush_interval_ms;
    while (!atomic_load(&t->stop) && !t->failed) {
        apply_target(t);
        maybe_commit(t);
        if (t->failed) {
            break;
        }
        if (t->herder_paused) {
            poll_wait(t, POLL_SLICE_MS);
            continue;
        }
        int64_t until_commit = t->next_commit - mono_ms();
        int first = (int)(until_commit < 0 ? 0 : (until_commit > 500 ? 500 : until_commit));
        size_t polled = poll_batch(t, first);
        sl_prefetch_after_poll(&t->prefetch, t->rk, polled,
                               t->nbatch == (size_t)t->max_poll_records, t->log_ctx);
        if (atomic_load(&t->stop) || t->failed) {
            break;
        }
        if (build_records(t) != 0 || deliver(t) != 0) {
            break;
        }
        finish_batch(t);
        apply_seeks(t, NULL);
    }
}

static void free_task(struct sl_task *t)
{
    sl_chain_free(t->chain);
    sl_converter_free(t->key_conv);
    sl_converter_free(t->value_conv);
    sl_config_free(t->pcfg);
    sl_ctx_destroy(t->ctx);
    sl_arena_destroy(t->arena);
    sl_tracker_free(&t->tracker);
    sl_offsets_free(&t->offsets);
    free(t->batch);
    free(t->stash);
    if (t->seeks != NULL) {
        rd_kafka_topic_partition_list_destroy(t->seeks);
    }
    for (size_t i = 0; i < t->ntopics_seen; i++) {
        free(t->topics_seen[i]);
    }
    free(t->topics_seen);
    sl_props_free(t->config);
    sl_props_free(t->worker);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t->name);
    free(t);
}

static void *task_main(void *arg)
{
    struct sl_task *t = arg;
    char tname[16]; /* Linux thread names hold 15 bytes: "t<id>-<connector>" */
    snprintf(tname, sizeof(tname), "t%d-%s", (int)t->task_id, t->name);
    pthread_setname_np(pthread_self(), tname);
    if (setup(t) != 0) {
        fail(t, "%s", t->err);
    } else {
        sl_cinfo(t->log_ctx, "Sink task started (%s)", t->comp->comp->class_name);
        t->herder_paused = atomic_load(&t->target) == SL_TASK_PAUSED;
        if (t->herder_paused) {
            set_state(t, SL_TASK_PAUSED, NULL);
        } else {
            set_state(t, SL_TASK_RUNNING, NULL);
        }
        run_loop(t);
    }
    teardown(t);
    sl_cinfo(t->log_ctx, "Sink task %s", t->failed ? "failed" : "stopped");
    pthread_mutex_lock(&t->lock);
    if (!t->failed) {
        t->state = SL_TASK_STOPPED;
    }
    t->done = true;
    bool abandoned = t->abandoned;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (abandoned) {
        free_task(t);
    }
    return NULL;
}

/* ---- public API ---- */

sl_task *sl_task_start(const struct sl_task_spec *spec, char *err, size_t errlen)
{
    const char *cls = sl_props_get(spec->config, "connector.class");
    const struct sl_component *comp = cls ? sl_catalog_find(SLUICE_KIND_SINK, cls) : NULL;
    if (comp == NULL) {
        snprintf(err, errlen,
                 "Failed to find any class that implements Connector and which name matches %s",
                 cls ? cls : "(null)");
        return NULL;
    }
    struct sl_task *t = sl_xcalloc(1, sizeof(*t));
    t->name = sl_xstrdup(spec->connector);
    t->task_id = spec->task_id;
    snprintf(t->log_ctx, sizeof(t->log_ctx), "%s|task-%d", spec->connector, (int)spec->task_id);
    t->config = sl_props_dup(spec->config);
    t->worker = spec->worker ? sl_props_dup(spec->worker) : sl_props_new();
    t->spec = *spec;
    t->spec.connector = t->name;
    t->spec.config = t->config;
    t->spec.worker = t->worker;
    t->comp = comp;
    t->ops = comp->comp->ops;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    atomic_init(&t->stop, false);
    atomic_init(&t->target, spec->start_paused ? SL_TASK_PAUSED : SL_TASK_RUNNING);
    t->state = SL_TASK_UNASSIGNED;
    t->rnd = (uint64_t)mono_ms() * 2654435761u + (uint64_t)spec->task_id + 1;
    t->arena = sl_arena_new(0);
    sl_tracker_init(&t->tracker);
    sl_offsets_init(&t->offsets);
    t->max_poll_records = SL_DEFAULT_MAX_POLL_RECORDS;

    const char *tol = sl_props_get(t->config, "errors.tolerance");
    t->tolerance_all = tol != NULL && strcasecmp(tol, "all") == 0;
    t->log_enable = sl_props_get_bool(t->config, "errors.log.enable", false);
    t->log_include = sl_props_get_bool(t->config, "errors.log.include.messages", false);
    t->retry_timeout_ms = sl_props_get_long(t->config, "errors.retry.timeout", 0);
    t->retry_delay_max_ms = sl_props_get_long(t->config, "errors.retry.delay.max.ms", 60000);
    t->flush_interval_ms = sl_props_get_long(t->worker, "offset.flush.interval.ms", 60000);
    if (t->flush_interval_ms <= 0) {
        t->flush_interval_ms = 60000;
    }

    t->key_conv = sl_converter_new(t->config, t->worker, true, t->name, t->task_id, err, errlen);
    if (t->key_conv != NULL) {
        t->value_conv =
            sl_converter_new(t->config, t->worker, false, t->name, t->task_id, err, errlen);
    }
    if (t->value_conv != NULL) {
        t->chain = sl_chain_new(t->config, t->name, t->task_id, err, errlen);
    }
    if (t->chain == NULL) {
        free_task(t);
        return NULL;
    }
    if (pthread_create(&t->thread, NULL, task_main, t) != 0) {
        snprintf(err, errlen, "Failed to start the task thread");
        free_task(t);
        return NULL;
    }
    return t;
}

void sl_task_pause(sl_task *t)
{
    if (t != NULL) {
        atomic_store(&t->target, SL_TASK_PAUSED);
    }
}

void sl_task_resume(sl_task *t)
{
    if (t != NULL) {
        atomic_store(&t->target, SL_TASK_RUNNING);
    }
}

void sl_task_stop(sl_task *t, int64_t timeout_ms)
{
    if (t == NULL) {
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = until.tv_nsec + (timeout_ms % 1000) * 1000000;
    until.tv_sec += (time_t)(timeout_ms / 1000 + ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->stop, true);
    while (!t->done) {
        if (pthread_cond_timedwait(&t->cond, &t->lock, &until) != 0) {
            break;
        }
    }
    if (t->done) {
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->thread, NULL);
        free_task(t);
        return;
    }
    /* From here the thread owns t and frees it when it finally returns. */
    sl_warn("Task %s-%d did not stop within %" PRId64 " ms; abandoning it", t->name,
            (int)t->task_id, timeout_ms);
    pthread_t th = t->thread;
    t->abandoned = true;
    pthread_mutex_unlock(&t->lock);
    pthread_detach(th);
}

int sl_task_state(sl_task *t, char *trace, size_t tracelen)
{
    if (t == NULL) {
        return SL_TASK_UNASSIGNED;
    }
    pthread_mutex_lock(&t->lock);
    int s = t->state;
    if (trace != NULL && tracelen > 0) {
        snprintf(trace, tracelen, "%s", s == SL_TASK_FAILED ? t->trace : "");
    }
    pthread_mutex_unlock(&t->lock);
    return s;
}
