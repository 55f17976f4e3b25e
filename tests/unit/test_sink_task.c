/*
 * test_sink_task.c — the sink task runtime: offset bookkeeping (what may be committed), the
 * pre_commit offsets map, retry backoff, topic list parsing, client configs, the errant-record DLQ
 * headers and log line, and the task thread itself against librdkafka's in-process mock cluster
 * with the flaky_sink fixture (retry, tolerance, pause). The REST-level paths are in
 * tests/integration/it_sink_*.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/props.h"
#include "kafka/clients.h"
#include "kafka/dlq.h"
#include "kafka/group_offsets.h"
#include "plugin/catalog.h"
#include "task/offsets.h"
#include "task/task.h"
#include "util/buf.h"

static void test_consumed_offset_is_last_put_offset_plus_one(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "orders", 0);
    sl_tracker_consumed(&t, "orders", 0, 42 + 1);
    assert_int_equal(sl_tracker_find(&t, "orders", 0)->consumed, 43);
    sl_tracker_free(&t);
}

static void test_consumed_offset_never_moves_backwards(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "orders", 1);
    sl_tracker_consumed(&t, "orders", 1, 10);
    sl_tracker_consumed(&t, "orders", 1, 7);
    assert_int_equal(sl_tracker_find(&t, "orders", 1)->consumed, 10);
    sl_tracker_free(&t);
}

static void test_consumed_is_ignored_for_partitions_not_assigned(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "orders", 0);
    assert_int_equal(sl_tracker_consumed(&t, "orders", 3, 5), -1);
    assert_null(sl_tracker_find(&t, "orders", 3));
    sl_tracker_free(&t);
}

static void test_first_record_of_a_partition_is_reported_once(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "a", 0);
    assert_int_equal(sl_tracker_consumed(&t, "a", 0, 1), 1);
    assert_int_equal(sl_tracker_consumed(&t, "a", 0, 2), 0);
    sl_tracker_free(&t);
}

static void test_reassigned_partition_forgets_its_old_offsets(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_consumed(&t, "a", 0, 100);
    sl_tracker_committed(&t, "a", 0, 100);
    sl_tracker_revoke(&t, "a", 0);
    assert_null(sl_tracker_find(&t, "a", 0));
    struct sl_tp_offsets *e = sl_tracker_assign(&t, "a", 0);
    assert_int_equal(e->consumed, -1);
    assert_int_equal(e->committed, -1);
    sl_tracker_free(&t);
}

static void test_late_commit_ack_never_lowers_committed_offset(void **state)
{
    sl_offset_tracker t;
    sl_tracker_init(&t);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_committed(&t, "a", 0, 50);
    sl_tracker_committed(&t, "a", 0, 20);
    assert_int_equal(sl_tracker_find(&t, "a", 0)->committed, 50);
    sl_tracker_free(&t);
}

static void test_offsets_map_holds_only_partitions_with_consumed_records(void **state)
{
    sl_offset_tracker t;
    sl_offsets o;
    sl_tracker_init(&t);
    sl_offsets_init(&o);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_assign(&t, "a", 1);
    sl_tracker_consumed(&t, "a", 1, 9);
    sl_offsets_from_tracker(&o, &t);
    assert_int_equal(sl_offsets_count(&o), 1);
    assert_string_equal(sl_offsets_tp(&o, 0).topic, "a");
    assert_int_equal(sl_offsets_tp(&o, 0).partition, 1);
    assert_int_equal(sl_offsets_get(&o, 0), 9);
    sl_offsets_free(&o);
    sl_tracker_free(&t);
}

static void test_pre_commit_may_lower_an_offset_but_never_raise_it(void **state)
{
    sl_offset_tracker t;
    sl_offsets o;
    sl_tracker_init(&t);
    sl_offsets_init(&o);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_consumed(&t, "a", 0, 100);
    sl_offsets_from_tracker(&o, &t);
    sl_offsets_set(&o, 0, 500);
    assert_int_equal(sl_offsets_get(&o, 0), 100);
    sl_offsets_set(&o, 0, 60);
    assert_int_equal(sl_offsets_get(&o, 0), 60);
    assert_int_equal(sl_offsets_prune(&o, &t), 1);
    assert_int_equal(o.e[0].offset, 60);
    sl_offsets_free(&o);
    sl_tracker_free(&t);
}

static void test_prune_skips_unchanged_revoked_and_negative_offsets(void **state)
{
    sl_offset_tracker t;
    sl_offsets o;
    sl_tracker_init(&t);
    sl_offsets_init(&o);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_assign(&t, "a", 1);
    sl_tracker_assign(&t, "a", 2);
    sl_tracker_consumed(&t, "a", 0, 10);
    sl_tracker_committed(&t, "a", 0, 10); /* unchanged since the last commit */
    sl_tracker_consumed(&t, "a", 1, 20);
    sl_tracker_consumed(&t, "a", 2, 30);
    sl_offsets_from_tracker(&o, &t);
    assert_int_equal(sl_offsets_count(&o), 3);
    sl_offsets_set(&o, 2, -1);     /* the plugin made nothing of a-2 durable */
    sl_offsets_set(&o, 1, 20);     /* a-1 keeps its offset ... */
    sl_tracker_revoke(&t, "a", 1); /* ... but is revoked before the commit */
    o.e[1].topic = "a";            /* (the map's borrowed name went with the partition) */
    assert_int_equal(sl_offsets_prune(&o, &t), 0);
    sl_offsets_free(&o);
    sl_tracker_free(&t);
}

static void test_prune_keeps_changed_offsets_for_commit(void **state)
{
    sl_offset_tracker t;
    sl_offsets o;
    sl_tracker_init(&t);
    sl_offsets_init(&o);
    sl_tracker_assign(&t, "a", 0);
    sl_tracker_consumed(&t, "a", 0, 10);
    sl_tracker_committed(&t, "a", 0, 5);
    sl_offsets_from_tracker(&o, &t);
    assert_int_equal(sl_offsets_prune(&o, &t), 1);
    assert_string_equal(o.e[0].topic, "a");
    assert_int_equal(o.e[0].offset, 10);
    sl_offsets_free(&o);
    sl_tracker_free(&t);
}

static void test_retry_delay_starts_at_300ms_and_doubles(void **state)
{
    assert_int_equal(sl_task_retry_delay_ms(0, 60000, -1, 0), 300);
    assert_int_equal(sl_task_retry_delay_ms(1, 60000, -1, 0), 600);
    assert_int_equal(sl_task_retry_delay_ms(2, 60000, -1, 0), 1200);
    assert_int_equal(sl_task_retry_delay_ms(7, 60000, -1, 0), 38400);
}

static void test_retry_delay_past_the_cap_is_random_below_the_cap(void **state)
{
    for (uint64_t r = 0; r < 1000; r += 7) {
        int64_t d = sl_task_retry_delay_ms(8, 60000, -1, r * 7919);
        assert_true(d >= 0 && d < 60000);
    }
    assert_true(sl_task_retry_delay_ms(60, 1000, -1, 123456) < 1000);
}

static void test_retry_delay_never_passes_the_deadline(void **state)
{
    assert_int_equal(sl_task_retry_delay_ms(3, 60000, 250, 0), 250);
    assert_int_equal(sl_task_retry_delay_ms(0, 60000, 0, 0), 0);
}

static void test_topics_list_is_trimmed_and_deduplicated(void **state)
{
    size_t n = 0;
    char **t = sl_kafka_split_topics(" a, b ,,a,c , ", &n);
    assert_int_equal(n, 3);
    assert_string_equal(t[0], "a");
    assert_string_equal(t[1], "b");
    assert_string_equal(t[2], "c");
    assert_null(t[3]);
    sl_kafka_free_topics(t);
}

static const char *header(rd_kafka_headers_t *h, const char *name)
{
    const void *v = NULL;
    size_t size = 0;
    if (rd_kafka_header_get_last(h, name, &v, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return NULL;
    }
    static char buf[512];
    if (v == NULL) {
        return "(null)";
    }
    snprintf(buf, sizeof(buf), "%.*s", (int)size, (const char *)v);
    return buf;
}

static struct sl_errant sample_errant(void)
{
    struct sl_errant e = {
        .topic = "orders",
        .partition = 2,
        .offset = 42,
        .timestamp = 1700000000000,
        .timestamp_type = RD_KAFKA_TIMESTAMP_CREATE_TIME,
        .connector = "sink",
        .task_id = 1,
        .stage = "VALUE_CONVERTER",
        .class_name = "org.apache.kafka.connect.json.JsonConverter",
        .exception_class = "org.apache.kafka.connect.errors.DataException",
        .message = "bad json",
    };
    return e;
}

static void test_dlq_context_headers_use_connect_names_and_decimal_text(void **state)
{
    struct sl_errant e = sample_errant();
    rd_kafka_headers_t *h = rd_kafka_headers_new(16);
    sl_errant_context_headers(h, &e);
    assert_string_equal(header(h, "__connect.errors.topic"), "orders");
    assert_string_equal(header(h, "__connect.errors.partition"), "2");
    assert_string_equal(header(h, "__connect.errors.offset"), "42");
    assert_string_equal(header(h, "__connect.errors.connector.name"), "sink");
    assert_string_equal(header(h, "__connect.errors.task.id"), "1");
    assert_string_equal(header(h, "__connect.errors.stage"), "VALUE_CONVERTER");
    assert_string_equal(header(h, "__connect.errors.class.name"),
                        "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(header(h, "__connect.errors.exception.class.name"),
                        "org.apache.kafka.connect.errors.DataException");
    assert_string_equal(header(h, "__connect.errors.exception.message"), "bad json");
    assert_non_null(strstr(header(h, "__connect.errors.exception.stacktrace"), "bad json"));
    assert_int_equal(rd_kafka_header_cnt(h), 10);
    rd_kafka_headers_destroy(h);
}

static void test_dlq_headers_omit_record_and_exception_parts_when_unknown(void **state)
{
    struct sl_errant e = sample_errant();
    e.topic = NULL;
    e.exception_class = NULL;
    rd_kafka_headers_t *h = rd_kafka_headers_new(16);
    sl_errant_context_headers(h, &e);
    assert_null(header(h, "__connect.errors.topic"));
    assert_null(header(h, "__connect.errors.exception.class.name"));
    assert_int_equal(rd_kafka_header_cnt(h), 4);
    rd_kafka_headers_destroy(h);
}

static void test_error_log_line_reads_like_connect(void **state)
{
    struct sl_errant e = sample_errant();
    sl_buf b = SL_BUF_INIT;
    sl_errant_describe(&e, false, &b);
    assert_string_equal(b.data,
                        "Error encountered in task sink-1. Executing stage 'VALUE_CONVERTER' with "
                        "class 'org.apache.kafka.connect.json.JsonConverter'.\n"
                        "org.apache.kafka.connect.errors.DataException: bad json");
    sl_buf_reset(&b);
    sl_errant_describe(&e, true, &b);
    assert_non_null(strstr(b.data, ", where consumed record is {topic='orders', partition=2, "
                                   "offset=42, timestamp=1700000000000, "
                                   "timestampType=CreateTime}."));
    sl_buf_free(&b);
}

static const char *conf_get(rd_kafka_conf_t *conf, const char *key)
{
    static char buf[512];
    size_t n = sizeof(buf);
    if (rd_kafka_conf_get(conf, key, buf, &n) != RD_KAFKA_CONF_OK) {
        return NULL;
    }
    return buf;
}

static void test_consumer_config_has_connect_defaults(void **state)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "bootstrap.servers", "broker:9092");
    char err[256];
    int max = 0;
    rd_kafka_conf_t *c = sl_kafka_consumer_conf(w, NULL, "orders-sink", 3, &max, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "group.id"), "connect-orders-sink");
    assert_string_equal(conf_get(c, "client.id"), "connector-consumer-orders-sink-3");
    assert_string_equal(conf_get(c, "enable.auto.commit"), "false");
    /* librdkafka reads "earliest" back as its synonym "smallest" */
    assert_string_equal(conf_get(c, "auto.offset.reset"), "smallest");
    assert_string_equal(conf_get(c, "enable.partition.eof"), "false");
    assert_string_equal(conf_get(c, "bootstrap.servers"), "broker:9092");
    assert_int_equal(max, 500);
    rd_kafka_conf_destroy(c);
    sl_props_free(w);
}

static void test_connector_consumer_override_wins_over_worker_consumer_key(void **state)
{
    sl_props *w = sl_props_new();
    sl_props *k = sl_props_new();
    sl_props_set(w, "consumer.fetch.min.bytes", "100");
    sl_props_set(w, "consumer.max.poll.records", "50");
    sl_props_set(w, "consumer.key.deserializer", "org.apache.kafka.common.serialization.Foo");
    sl_props_set(k, "consumer.override.fetch.min.bytes", "200");
    sl_props_set(k, "consumer.fetch.min.bytes", "999"); /* connector-level without override: no */
    char err[256];
    int max = 0;
    rd_kafka_conf_t *c = sl_kafka_consumer_conf(w, k, "s", 0, &max, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "fetch.min.bytes"), "200");
    assert_int_equal(max, 50);
    rd_kafka_conf_destroy(c);
    sl_props_free(w);
    sl_props_free(k);
}

static void test_jaas_config_becomes_sasl_username_and_password(void **state)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "consumer.sasl.jaas.config",
                 "org.apache.kafka.common.security.plain.PlainLoginModule required "
                 "username=\"alice\" password=\"s3cret\";");
    char err[256];
    rd_kafka_conf_t *c = sl_kafka_consumer_conf(w, NULL, "s", 0, NULL, err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "sasl.username"), "alice");
    rd_kafka_conf_destroy(c);
    sl_props_free(w);
}

static void test_invalid_client_value_is_an_error_naming_the_key(void **state)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "consumer.fetch.min.bytes", "lots");
    char err[256] = "";
    rd_kafka_conf_t *c = sl_kafka_consumer_conf(w, NULL, "s", 0, NULL, err, sizeof(err));
    assert_null(c);
    assert_non_null(strstr(err, "fetch.min.bytes"));
    sl_props_free(w);
}

static void test_dlq_producer_uses_producer_keys_and_connect_client_id(void **state)
{
    sl_props *w = sl_props_new();
    sl_props *k = sl_props_new();
    sl_props_set(w, "producer.linger.ms", "7");
    sl_props_set(k, "producer.override.linger.ms", "9");
    char err[256];
    rd_kafka_conf_t *c =
        sl_kafka_producer_conf(w, k, "connector-dlq-producer-s-1", err, sizeof(err));
    assert_non_null(c);
    assert_string_equal(conf_get(c, "linger.ms"), "9");
    assert_string_equal(conf_get(c, "client.id"), "connector-dlq-producer-s-1");
    rd_kafka_conf_destroy(c);
    sl_props_free(w);
    sl_props_free(k);
}

/* ---- the task runtime against librdkafka's in-process mock cluster ---- */

static rd_kafka_t *mock_rk;
static rd_kafka_mock_cluster_t *mock_cluster;
static char bootstrap[256];
static bool have_flaky;

struct observed {
    pthread_mutex_t lock;
    int state;
    char trace[4096];
    int states_seen;
};

static void on_state(void *arg, const char *connector, int32_t task_id, int state,
                     const char *trace)
{
    struct observed *o = arg;
    pthread_mutex_lock(&o->lock);
    o->state = state;
    o->states_seen++;
    snprintf(o->trace, sizeof(o->trace), "%s", trace ? trace : "");
    pthread_mutex_unlock(&o->lock);
}

static int observed_state(struct observed *o)
{
    pthread_mutex_lock(&o->lock);
    int s = o->state;
    pthread_mutex_unlock(&o->lock);
    return s;
}

static int setup_cluster(void **state)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
    mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    mock_cluster = rd_kafka_mock_cluster_new(mock_rk, 1);
    snprintf(bootstrap, sizeof(bootstrap), "%s", rd_kafka_mock_cluster_bootstraps(mock_cluster));
    sl_catalog_register_builtins();
    const char *dir = getenv("SLUICE_FIXTURE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/flaky_sink.so", dir ? dir : "tests/plugins/.libs");
    have_flaky = sl_catalog_load_file(path, err, sizeof(err)) == 0;
    return 0;
}

static int teardown_cluster(void **state)
{
    rd_kafka_mock_cluster_destroy(mock_cluster);
    rd_kafka_destroy(mock_rk);
    return 0;
}

/* Produce values (key "k": one partition keeps their order) to a 1-partition topic. */
static void produce(const char *topic, const char *const *values, size_t n)
{
    char err[512];
    rd_kafka_mock_topic_create(mock_cluster, topic, 1, 1);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err));
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY("k", 1),
                          RD_KAFKA_V_VALUE((void *)values[i], strlen(values[i])),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
}

static sl_props *worker_props(void)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "bootstrap.servers", bootstrap);
    sl_props_set(w, "key.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props_set(w, "value.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props_set(w, "offset.flush.interval.ms", "200");
    return w;
}

static sl_task *start(const char *name, sl_props *cfg, sl_props *w, bool paused, struct observed *o)
{
    pthread_mutex_init(&o->lock, NULL);
    o->state = -1;
    o->states_seen = 0;
    o->trace[0] = '\0';
    struct sl_task_spec spec = {.connector = name,
                                .task_id = 0,
                                .config = cfg,
                                .worker = w,
                                .start_paused = paused,
                                .on_state = on_state,
                                .arg = o};
    char err[512];
    sl_task *t = sl_task_start(&spec, err, sizeof(err));
    assert_non_null(t);
    return t;
}

static size_t file_lines(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0, len = 0;
    if (f == NULL) {
        buf[0] = '\0';
        return 0;
    }
    len = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        n += buf[i] == '\n';
    }
    return n;
}

static bool wait_lines(const char *path, size_t want, int seconds, char *buf, size_t cap)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (file_lines(path, buf, cap) >= want) {
            return true;
        }
        usleep(100 * 1000);
    }
    return false;
}

static void test_put_retriable_error_redelivers_same_batch(void **state)
{
    if (!have_flaky) {
        skip();
    }
    static const char *const vals[] = {"v1", "v2", "v3", "v4", "v5"};
    produce("rt", vals, 5);
    char path[] = "/tmp/sl-test-sink-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    sl_props *w = worker_props(), *c = sl_props_new();
    sl_props_set(c, "connector.class", "FlakySink");
    sl_props_set(c, "topics", "rt");
    sl_props_set(c, "file", path);
    sl_props_set(c, "retries", "3");
    struct observed o;
    sl_task *t = start("rt", c, w, false, &o);
    char buf[4096];
    assert_true(wait_lines(path, 5, 30, buf, sizeof(buf)));
    usleep(300 * 1000);
    assert_string_equal(buf, "v1\nv2\nv3\nv4\nv5\n"); /* once each, in order */
    assert_int_equal(sl_task_state(t, NULL, 0), SL_TASK_RUNNING);
    sl_task_stop(t, 5000);

    /* Stopping committed the next offset after the last record put. */
    json_t *out = NULL;
    char err[256];
    assert_int_equal(sl_group_offsets_list(w, c, "connect-rt", &out, err, sizeof(err)), 0);
    json_t *first = json_array_get(json_object_get(out, "offsets"), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(first, "offset"), "kafka_offset")), 5);
    json_decref(out);
    unlink(path);
    sl_props_free(w);
    sl_props_free(c);
}

static void test_tolerance_none_converter_failure_fails_task_with_trace(void **state)
{
    if (!have_flaky) {
        skip();
    }
    static const char *const vals[] = {"{\"a\":1}", "not json"};
    produce("bad", vals, 2);
    sl_props *w = worker_props(), *c = sl_props_new();
    sl_props_set(c, "connector.class", "FlakySink");
    sl_props_set(c, "topics", "bad");
    sl_props_set(c, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    sl_props_set(c, "value.converter.schemas.enable", "false");
    struct observed o;
    sl_task *t = start("bad", c, w, false, &o);
    for (int i = 0; i < 300 && observed_state(&o) != SL_TASK_FAILED; i++) {
        usleep(100 * 1000);
    }
    char trace[4096];
    assert_int_equal(sl_task_state(t, trace, sizeof(trace)), SL_TASK_FAILED);
    assert_non_null(strstr(trace, "connector bad, task 0, in VALUE_CONVERTER"));
    assert_non_null(strstr(trace, "Tolerance exceeded in error handler"));
    assert_non_null(strstr(o.trace, "org.apache.kafka.connect.errors.DataException"));
    sl_task_stop(t, 5000);
    sl_props_free(w);
    sl_props_free(c);
}

static void test_task_started_paused_delivers_nothing_until_resumed(void **state)
{
    if (!have_flaky) {
        skip();
    }
    static const char *const vals[] = {"p1", "p2"};
    produce("pz", vals, 2);
    char path[] = "/tmp/sl-test-sink-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    sl_props *w = worker_props(), *c = sl_props_new();
    sl_props_set(c, "connector.class", "FlakySink");
    sl_props_set(c, "topics", "pz");
    sl_props_set(c, "file", path);
    struct observed o;
    sl_task *t = start("pz", c, w, true, &o);
    char buf[4096];
    assert_false(wait_lines(path, 1, 5, buf, sizeof(buf)));
    assert_int_equal(observed_state(&o), SL_TASK_PAUSED);
    sl_task_resume(t);
    assert_true(wait_lines(path, 2, 30, buf, sizeof(buf)));
    assert_int_equal(observed_state(&o), SL_TASK_RUNNING);
    sl_task_stop(t, 5000);
    unlink(path);
    sl_props_free(w);
    sl_props_free(c);
}

static void test_unknown_connector_class_is_refused_at_start(void **state)
{
    sl_props *w = worker_props(), *c = sl_props_new();
    sl_props_set(c, "connector.class", "com.example.NoSuchSink");
    sl_props_set(c, "topics", "x");
    struct sl_task_spec spec = {.connector = "nope", .task_id = 0, .config = c, .worker = w};
    char err[512] = "";
    assert_null(sl_task_start(&spec, err, sizeof(err)));
    assert_non_null(strstr(err, "com.example.NoSuchSink"));
    sl_props_free(w);
    sl_props_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consumed_offset_is_last_put_offset_plus_one),
        cmocka_unit_test(test_consumed_offset_never_moves_backwards),
        cmocka_unit_test(test_consumed_is_ignored_for_partitions_not_assigned),
        cmocka_unit_test(test_first_record_of_a_partition_is_reported_once),
        cmocka_unit_test(test_reassigned_partition_forgets_its_old_offsets),
        cmocka_unit_test(test_late_commit_ack_never_lowers_committed_offset),
        cmocka_unit_test(test_offsets_map_holds_only_partitions_with_consumed_records),
        cmocka_unit_test(test_pre_commit_may_lower_an_offset_but_never_raise_it),
        cmocka_unit_test(test_prune_skips_unchanged_revoked_and_negative_offsets),
        cmocka_unit_test(test_prune_keeps_changed_offsets_for_commit),
        cmocka_unit_test(test_retry_delay_starts_at_300ms_and_doubles),
        cmocka_unit_test(test_retry_delay_past_the_cap_is_random_below_the_cap),
        cmocka_unit_test(test_retry_delay_never_passes_the_deadline),
        cmocka_unit_test(test_topics_list_is_trimmed_and_deduplicated),
        cmocka_unit_test(test_dlq_context_headers_use_connect_names_and_decimal_text),
        cmocka_unit_test(test_dlq_headers_omit_record_and_exception_parts_when_unknown),
        cmocka_unit_test(test_error_log_line_reads_like_connect),
        cmocka_unit_test(test_consumer_config_has_connect_defaults),
        cmocka_unit_test(test_connector_consumer_override_wins_over_worker_consumer_key),
        cmocka_unit_test(test_jaas_config_becomes_sasl_username_and_password),
        cmocka_unit_test(test_invalid_client_value_is_an_error_naming_the_key),
        cmocka_unit_test(test_dlq_producer_uses_producer_keys_and_connect_client_id),
        /* these run a real task thread against the group's in-process mock cluster */
        cmocka_unit_test(test_put_retriable_error_redelivers_same_batch),
        cmocka_unit_test(test_tolerance_none_converter_failure_fails_task_with_trace),
        cmocka_unit_test(test_task_started_paused_delivers_nothing_until_resumed),
        cmocka_unit_test(test_unknown_connector_class_is_refused_at_start),
    };
    /* One group, so the TAP output has one plan. */
    return cmocka_run_group_tests(tests, setup_cluster, teardown_cluster);
}
