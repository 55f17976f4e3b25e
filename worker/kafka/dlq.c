/*
 * dlq.c — the dead letter queue producer and the errant-record log line (see dlq.h).
 * Error path only (allocation per errant record is fine here); never logs record contents unless
 * errors.log.include.messages asked for the record coordinates.
 */
#include "kafka/dlq.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clients.h"
#include "util/log.h"
#include "util/mem.h"

#define API_CREATE_TOPICS 19

struct sl_dlq {
    rd_kafka_t *rk;
    char *topic;
    bool context_headers;
    pthread_mutex_t lock;
    int failed; /* delivery failures since the last flush */
    char last_error[256];
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    sl_dlq *d = opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        return;
    }
    pthread_mutex_lock(&d->lock);
    d->failed++;
    snprintf(d->last_error, sizeof(d->last_error), "%s", rd_kafka_err2str(m->err));
    pthread_mutex_unlock(&d->lock);
}

/* Best effort: brokers without CreateTopics (the mock) auto-create on first produce. */
static void create_topic(rd_kafka_t *rk, const char *topic, int rf)
{
    char why[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, rf, why, sizeof(why));
    if (nt == NULL) {
        sl_debug("DLQ topic %s not created: %s", topic, why);
        return;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, 5000, why, sizeof(why));
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 6000);
    if (ev != NULL) {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sl_debug("DLQ topic %s not created: %s", topic, rd_kafka_event_error_string(ev));
        } else if (n == 1 && rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
                   rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            sl_debug("DLQ topic %s not created: %s", topic,
                     rd_kafka_topic_result_error_string(tr[0]));
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

sl_dlq *sl_dlq_new(const sl_props *worker, const sl_props *connector, const char *connector_name,
                   int32_t task_id, const char *topic, bool context_headers, int rf, char *err,
                   size_t errlen)
{
    char client_id[512];
    snprintf(client_id, sizeof(client_id), "connector-dlq-producer-%s-%d", connector_name,
             (int)task_id);
    rd_kafka_conf_t *conf = sl_kafka_producer_conf(worker, connector, client_id, err, errlen);
    if (conf == NULL) {
        return NULL;
    }
    sl_dlq *d = sl_xcalloc(1, sizeof(*d));
    pthread_mutex_init(&d->lock, NULL);
    d->topic = sl_xstrdup(topic);
    d->context_headers = context_headers;
    rd_kafka_conf_set_opaque(conf, d);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char why[512];
    d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (d->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "Failed to create the dead letter queue producer: %s", why);
        sl_dlq_free(d);
        return NULL;
    }
    const char *proto = sl_props_get(worker, "producer.security.protocol");
    if (sl_kafka_broker_has_api(sl_props_get(worker, "bootstrap.servers"), proto,
                                API_CREATE_TOPICS) != 0) {
        create_topic(d->rk, topic, rf);
    }
    return d;
}

void sl_dlq_free(sl_dlq *d)
{
    if (d == NULL) {
        return;
    }
    if (d->rk != NULL) {
        rd_kafka_flush(d->rk, 5000);
        rd_kafka_destroy(d->rk);
    }
    pthread_mutex_destroy(&d->lock);
    free(d->topic);
    free(d);
}

int sl_dlq_send(sl_dlq *d, const struct sl_errant *e, char *err, size_t errlen)
{
    rd_kafka_headers_t *h =
        e->headers ? rd_kafka_headers_copy(e->headers) : rd_kafka_headers_new(8);
    if (d->context_headers) {
        sl_errant_context_headers(h, e);
    }
    for (int attempt = 0;; attempt++) {
        rd_kafka_resp_err_t rc = rd_kafka_producev(
            d->rk, RD_KAFKA_V_TOPIC(d->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(e->key, e->key_len), RD_KAFKA_V_VALUE((void *)e->value, e->value_len),
            RD_KAFKA_V_TIMESTAMP(e->timestamp > 0 ? e->timestamp : 0), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_END);
        if (rc == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_poll(d->rk, 0);
            return 0;
        }
        if (rc != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt >= 100) {
            rd_kafka_headers_destroy(h);
            snprintf(err, errlen, "Failed to produce to dead letter queue topic %s: %s", d->topic,
                     rd_kafka_err2str(rc));
            return -1;
        }
        rd_kafka_poll(d->rk, 100);
    }
}

int sl_dlq_flush(sl_dlq *d, int timeout_ms, char *err, size_t errlen)
{
    rd_kafka_resp_err_t rc = rd_kafka_flush(d->rk, timeout_ms);
    pthread_mutex_lock(&d->lock);
    int failed = d->failed;
    d->failed = 0;
    pthread_mutex_unlock(&d->lock);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Timed out flushing the dead letter queue topic %s", d->topic);
        return -1;
    }
    if (failed > 0) {
        snprintf(err, errlen, "%d record(s) could not be written to dead letter queue topic %s: %s",
                 failed, d->topic, d->last_error);
        return -1;
    }
    return 0;
}
