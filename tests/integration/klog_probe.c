/*
 * klog_probe.c — drives worker/dist's klog and internal-topic checks against a running broker
 * (sluice-mock-kafka) for tests/integration/it_klog.sh. Each mode prints "ok - <what>" per check
 * and "not ok - <what>" on the first failure (exit 1). Never creates topics other than those
 * named on its command line.
 *
 *   klog_probe roundtrip BOOTSTRAP TOPIC       write via one log, read back via another,
 *                                              read-to-end semantics, murmur2 placement
 *   klog_probe config BOOTSTRAP TOPIC          config records through the log into a snapshot
 *   klog_probe start BOOTSTRAP TOPIC MS        start a log with a deadline; prints ok/error
 *   klog_probe stall BOOTSTRAP TOPIC           read_to_end/send deadlines once brokers go down
 *   klog_probe ensure BOOTSTRAP [key=value]... sl_internal_topics_ensure; prints ok/error
 */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/props.h"
#include "dist/config_topic.h"
#include "dist/internal_topics.h"
#include "dist/klog.h"
#include "util/buf.h"
#include "util/log.h"

#define MAX_SEEN 4096

typedef struct seen {
    pthread_mutex_t mu;
    size_t n;
    char *keys[MAX_SEEN];
    char *vals[MAX_SEEN]; /* NULL = tombstone */
    int32_t parts[MAX_SEEN];
    int64_t offs[MAX_SEEN];
} seen;

static void on_record(void *arg, int32_t partition, int64_t offset, const void *key, size_t klen,
                      const void *val, size_t vlen)
{
    seen *s = arg;
    pthread_mutex_lock(&s->mu);
    if (s->n < MAX_SEEN) {
        s->keys[s->n] = strndup(key ? key : "", key ? klen : 0);
        s->vals[s->n] = val ? strndup(val, vlen) : NULL;
        s->parts[s->n] = partition;
        s->offs[s->n] = offset;
        s->n++;
    }
    pthread_mutex_unlock(&s->mu);
}

static size_t seen_count(seen *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void seen_free(seen *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->keys[i]);
        free(s->vals[i]);
    }
}

static int failed;

static void check(bool ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", what);
    fflush(stdout);
    if (!ok) {
        failed = 1;
    }
}

static sl_props *worker_props(const char *bootstrap)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "bootstrap.servers", bootstrap);
    sl_props_set(w, "group.id", "probe-cluster");
    return w;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The last value seen for key (NULL tombstone); *found false when never seen. */
static const char *last_value(seen *s, const char *key, bool *found)
{
    *found = false;
    const char *v = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->keys[i], key) == 0) {
            *found = true;
            v = s->vals[i];
        }
    }
    return v;
}

/* Delivery reports of the plain producer below: key and partition. */
static int dr_agree, dr_count;
static int32_t dr_parts;

static void agree_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        dr_count++;
        dr_agree += m->partition == sl_murmur2_partition(m->key, m->key_len, dr_parts);
    }
}

/* Produce n keys through a plain producer with librdkafka's murmur2_random partitioner (no
 * explicit partition) and count those that landed where sl_murmur2_partition says; also ask the
 * partitioner function directly. -1 when the producer cannot be made. */
static int librdkafka_agrees(const char *bootstrap, const char *topic, int32_t partitions, int n)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "partitioner", "murmur2_random", err, sizeof(err));
    rd_kafka_conf_set_dr_msg_cb(conf, agree_dr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL) {
        return -1;
    }
    dr_parts = partitions;
    dr_agree = dr_count = 0;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    int direct = 0;
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof(key), "probe-key-%d-%d", i * 7, i);
        rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, NULL, 0, key, strlen(key),
                         NULL);
        int32_t p =
            rd_kafka_msg_partitioner_murmur2_random(rkt, key, strlen(key), partitions, NULL, NULL);
        direct += p == sl_murmur2_partition(key, strlen(key), partitions);
    }
    rd_kafka_flush(rk, 10000);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return dr_count == n && dr_agree == n && direct == n ? n
           : dr_agree < direct                           ? dr_agree
                                                         : direct;
}

static int mode_roundtrip(const char *bootstrap, const char *topic)
{
    char err[512];
    sl_props *w = worker_props(bootstrap);
    seen a = {.mu = PTHREAD_MUTEX_INITIALIZER}, b = {.mu = PTHREAD_MUTEX_INITIALIZER};
    sl_klog *la = sl_klog_new(w, topic, "statuses", on_record, &a, err, sizeof(err));
    check(la != NULL, "writer log created");
    if (la == NULL) {
        return 1;
    }
    check(sl_klog_start(la, 15000, err, sizeof(err)) == 0, "writer log started");
    int32_t parts = sl_klog_partitions(la);
    printf("# partitions=%d\n", (int)parts);
    check(parts == 5, "status topic has 5 partitions");
    size_t before = seen_count(&a);
    check(before == 0, "a new topic reads empty");

    /* 60 records over 12 keys, synchronous and fire-and-forget, one tombstone */
    const int nkeys = 12, rounds = 5;
    int sent = 0;
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < nkeys; k++) {
            char key[64], val[128];
            snprintf(key, sizeof(key), "status-task-conn-%d-%d", k % 3, k);
            snprintf(val, sizeof(val),
                     "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w:%d\","
                     "\"generation\":%d}",
                     k, r);
            int timeout = (k % 2 == 0) ? 5000 : 0;
            if (sl_klog_send(la, key, strlen(key), val, strlen(val), timeout, err, sizeof(err)) !=
                0) {
                check(false, err);
                return 1;
            }
            sent++;
        }
    }
    const char *tk = "status-task-conn-0-0";
    check(sl_klog_send(la, tk, strlen(tk), NULL, 0, 5000, err, sizeof(err)) == 0,
          "tombstone acknowledged");
    sent++;
    /* fire-and-forget records are acknowledged eventually; read_to_end waits for what is there */
    int64_t t0 = now_ms();
    while (seen_count(&a) < (size_t)sent && now_ms() - t0 < 10000) {
        check(sl_klog_read_to_end(la, 5000) == 0, "read_to_end returns within its timeout");
    }
    check(seen_count(&a) == (size_t)sent, "the writer's own log read back every record");

    bool placed = true;
    pthread_mutex_lock(&a.mu);
    for (size_t i = 0; i < a.n; i++) {
        placed = placed && a.parts[i] == sl_murmur2_partition(a.keys[i], strlen(a.keys[i]), parts);
    }
    bool found = false;
    const char *lv = last_value(&a, tk, &found);
    check(found && lv == NULL, "the tombstone is read back as a null value");
    pthread_mutex_unlock(&a.mu);
    check(placed, "every record is in its Java murmur2 partition");
    /* per partition, offsets arrive in order */
    bool ordered = true;
    for (size_t i = 0; i < a.n; i++) {
        for (size_t j = i + 1; j < a.n; j++) {
            if (a.parts[i] == a.parts[j] && a.offs[j] <= a.offs[i]) {
                ordered = false;
            }
        }
    }
    check(ordered, "records of a partition are handed over in offset order");

    /* a second log: start returns only once everything present was handed over */
    sl_klog *lb = sl_klog_new(w, topic, "statuses", on_record, &b, err, sizeof(err));
    check(lb != NULL && sl_klog_start(lb, 15000, err, sizeof(err)) == 0, "reader log started");
    check(seen_count(&b) == (size_t)sent, "start() reads everything present to the end");
    const char *k5 = "status-task-conn-2-5";
    const char *v5 =
        "{\"state\":\"FAILED\",\"trace\":\"x\",\"worker_id\":\"w:5\",\"generation\":9}";
    size_t nb = seen_count(&b);
    check(sl_klog_send(la, k5, strlen(k5), v5, strlen(v5), 5000, err, sizeof(err)) == 0,
          "a later record is acknowledged");
    check(sl_klog_read_to_end(lb, 5000) == 0, "the reader's read_to_end completes");
    check(seen_count(&b) == nb + 1, "read_to_end hands over a record written before it was called");
    pthread_mutex_lock(&b.mu);
    lv = last_value(&b, k5, &found);
    check(found && lv != NULL && strcmp(lv, v5) == 0, "the reader sees the latest value of a key");
    pthread_mutex_unlock(&b.mu);
    check(sl_klog_read_to_end(lb, 2000) == 0, "read_to_end at the end returns at once");

    int agree = librdkafka_agrees(bootstrap, topic, parts, 200);
    printf("# librdkafka murmur2_random agrees on %d/200 keys\n", agree);
    check(agree == 200, "librdkafka's murmur2_random partitioner equals sl_murmur2_partition");

    sl_klog_destroy(lb);
    sl_klog_destroy(la);
    seen_free(&a);
    seen_free(&b);
    sl_props_free(w);
    return failed;
}

typedef struct cfg_reader {
    pthread_mutex_t mu;
    sl_cfg_state *s;
} cfg_reader;

static void on_config(void *arg, int32_t partition, int64_t offset, const void *key, size_t klen,
                      const void *val, size_t vlen)
{
    (void)partition;
    cfg_reader *r = arg;
    pthread_mutex_lock(&r->mu);
    sl_cfg_state_apply(r->s, offset, key, klen, val, vlen, NULL);
    pthread_mutex_unlock(&r->mu);
}

static int send_str(sl_klog *l, const char *k, const sl_buf *v)
{
    char err[512];
    int rc =
        sl_klog_send(l, k, strlen(k), v ? v->data : NULL, v ? v->len : 0, 5000, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
    }
    return rc;
}

static int mode_config(const char *bootstrap, const char *topic)
{
    char err[512];
    sl_props *w = worker_props(bootstrap);
    cfg_reader r = {PTHREAD_MUTEX_INITIALIZER, sl_cfg_state_new()};
    sl_klog *l = sl_klog_new(w, topic, "configs", on_config, &r, err, sizeof(err));
    check(l != NULL && sl_klog_start(l, 15000, err, sizeof(err)) == 0, "config log started");
    if (l == NULL) {
        return 1;
    }
    check(sl_cfg_state_offset(r.s) == -1, "an empty config topic gives offset -1");
    /* the leader's task-config publication sequence */
    sl_props *c = sl_props_new();
    sl_props_set(c, "connector.class", "FileStreamSink");
    sl_props_set(c, "name", "my-sink");
    sl_props_set(c, "file", "a \"quoted\"\tvalue");
    sl_buf k = SL_BUF_INIT, v = SL_BUF_INIT;
    int rc = 0;
    sl_cfg_value_target_state(SL_CFG_STARTED, &v);
    rc |= send_str(l, "target-state-my-sink", &v);
    sl_buf_reset(&v);
    sl_cfg_value_properties(c, &v);
    rc |= send_str(l, "connector-my-sink", &v);
    sl_props_set(c, "task.class", "FileStreamSinkTask");
    for (int t = 0; t < 3; t++) {
        sl_buf_reset(&k);
        sl_buf_reset(&v);
        sl_cfg_key_task("my-sink", t, &k);
        sl_cfg_value_properties(c, &v);
        rc |= send_str(l, k.data, &v);
    }
    sl_buf_reset(&v);
    sl_cfg_value_commit(3, &v);
    rc |= send_str(l, "commit-my-sink", &v);
    check(rc == 0, "config records acknowledged");
    check(sl_klog_read_to_end(l, 5000) == 0, "config log read to end");
    pthread_mutex_lock(&r.mu);
    check(sl_cfg_state_offset(r.s) == 6, "config offset = last record + 1");
    check(sl_cfg_state_task_count(r.s, "my-sink") == 3, "three tasks committed");
    const sl_props *tc = sl_cfg_state_task_config(r.s, "my-sink", 2);
    check(tc != NULL && strcmp(sl_props_get(tc, "file"), "a \"quoted\"\tvalue") == 0,
          "task config read back exactly");
    pthread_mutex_unlock(&r.mu);

    /* what a leader's config write costs: acknowledged send, then read to end */
    int64_t t0 = now_ms(), send_ms = 0;
    const int iters = 20;
    rc = 0;
    for (int i = 0; i < iters; i++) {
        sl_buf_reset(&v);
        sl_cfg_value_target_state(i % 2 ? SL_CFG_PAUSED : SL_CFG_STARTED, &v);
        int64_t t1 = now_ms();
        rc |= send_str(l, "target-state-my-sink", &v);
        send_ms += now_ms() - t1;
        rc |= sl_klog_read_to_end(l, 5000);
    }
    printf("# send+read_to_end: %.1f ms per write, of which the acknowledged send %.1f ms (%d "
           "writes)\n",
           (double)(now_ms() - t0) / iters, (double)send_ms / iters, iters);
    pthread_mutex_lock(&r.mu);
    check(rc == 0 && sl_cfg_state_offset(r.s) == 6 + iters &&
              sl_cfg_state_target(r.s, "my-sink") == SL_CFG_PAUSED,
          "each write is in the snapshot when read_to_end returns");
    pthread_mutex_unlock(&r.mu);

    t0 = now_ms();
    for (int i = 0; i < iters; i++) {
        rc |= sl_klog_read_to_end(l, 5000);
    }
    printf("# read_to_end with nothing new: %.1f ms\n", (double)(now_ms() - t0) / iters);

    /* a fresh reader builds the same snapshot from the topic */
    cfg_reader r2 = {PTHREAD_MUTEX_INITIALIZER, sl_cfg_state_new()};
    sl_klog *l2 = sl_klog_new(w, topic, "configs", on_config, &r2, err, sizeof(err));
    check(l2 != NULL && sl_klog_start(l2, 15000, err, sizeof(err)) == 0, "second config log");
    check(sl_cfg_state_offset(r2.s) == 6 + iters && sl_cfg_state_task_count(r2.s, "my-sink") == 3,
          "a second worker reads the same snapshot at the same offset");
    sl_klog_destroy(l2);
    sl_klog_destroy(l);
    sl_cfg_state_free(r2.s);
    sl_cfg_state_free(r.s);
    sl_props_free(c);
    sl_buf_free(&k);
    sl_buf_free(&v);
    sl_props_free(w);
    return failed;
}

static int mode_start(const char *bootstrap, const char *topic, int ms)
{
    char err[512] = "";
    sl_props *w = worker_props(bootstrap);
    seen a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    int64_t t0 = now_ms();
    sl_klog *l = sl_klog_new(w, topic, "offsets", on_record, &a, err, sizeof(err));
    int rc = l != NULL ? sl_klog_start(l, ms, err, sizeof(err)) : -1;
    int64_t took = now_ms() - t0;
    if (rc == 0) {
        printf("ok partitions=%d records=%zu\n", (int)sl_klog_partitions(l), seen_count(&a));
    } else {
        printf("error: %s\n", err);
    }
    printf("# took %lld ms\n", (long long)took);
    sl_klog_destroy(l);
    seen_free(&a);
    sl_props_free(w);
    return rc == 0 ? 0 : 1;
}

/* Start, say "ready", wait for a line on stdin (the test takes the brokers down), then try a
 * read_to_end and an acknowledged send with 2 s deadlines: both must fail in time. */
static int mode_stall(const char *bootstrap, const char *topic)
{
    char err[512] = "";
    sl_props *w = worker_props(bootstrap);
    seen a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    sl_klog *l = sl_klog_new(w, topic, "offsets", on_record, &a, err, sizeof(err));
    if (l == NULL || sl_klog_start(l, 10000, err, sizeof(err)) != 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof(line), stdin) == NULL) {
        return 1;
    }
    int64_t t0 = now_ms();
    int rc = sl_klog_read_to_end(l, 2000);
    printf("read_to_end=%d took=%lld\n", rc, (long long)(now_ms() - t0));
    t0 = now_ms();
    const char *k = "[\"c\",{\"p\":1}]";
    rc = sl_klog_send(l, k, strlen(k), "{\"o\":1}", 7, 2000, err, sizeof(err));
    printf("send=%d took=%lld %s\n", rc, (long long)(now_ms() - t0), err);
    fflush(stdout);
    t0 = now_ms();
    sl_klog_destroy(l);
    printf("destroy took=%lld\n", (long long)(now_ms() - t0));
    seen_free(&a);
    sl_props_free(w);
    return 0;
}

static int mode_ensure(const char *bootstrap, int argc, char **argv)
{
    sl_props *w = worker_props(bootstrap);
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        if (eq[1] == '\0') {
            sl_props_remove(w, argv[i]);
        } else {
            sl_props_set(w, argv[i], eq + 1);
        }
    }
    char err[2048] = "";
    int rc = sl_internal_topics_ensure(w, 5000, err, sizeof(err));
    if (rc == 0) {
        printf("ok\n");
    } else {
        printf("error: %s\n", err);
    }
    sl_props_free(w);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    sl_log_init();
    if (argc >= 4 && strcmp(argv[1], "roundtrip") == 0) {
        return mode_roundtrip(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "config") == 0) {
        return mode_config(argv[2], argv[3]);
    }
    if (argc >= 5 && strcmp(argv[1], "start") == 0) {
        return mode_start(argv[2], argv[3], (int)strtol(argv[4], NULL, 10));
    }
    if (argc >= 4 && strcmp(argv[1], "stall") == 0) {
        return mode_stall(argv[2], argv[3]);
    }
    if (argc >= 3 && strcmp(argv[1], "ensure") == 0) {
        return mode_ensure(argv[2], argc - 3, argv + 3);
    }
    fprintf(stderr, "usage: klog_probe roundtrip|config|start|ensure BOOTSTRAP ...\n");
    return 2;
}
