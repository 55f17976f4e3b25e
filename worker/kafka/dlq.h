/*
 * dlq.h — errant records: the dead letter queue producer of a sink task (the original raw record
 * plus Connect's __connect.errors.* context headers) and the "Error encountered in task" log line.
 * Error path only; the DLQ must be flushed before the task commits offsets past its records.
 */
#ifndef SL_KAFKA_DLQ_H
#define SL_KAFKA_DLQ_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/props.h"
#include "util/buf.h"

/* One failure of one consumed record. Everything borrowed (call). */
struct sl_errant {
    const char *topic; /* NULL when the original record is unknown */
    int32_t partition;
    int64_t offset;
    int64_t timestamp;  /* -1: none */
    int timestamp_type; /* RD_KAFKA_TIMESTAMP_* */
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const rd_kafka_headers_t *headers; /* original headers or NULL */
    const char *connector;
    int32_t task_id;
    const char *stage;      /* "KEY_CONVERTER", "VALUE_CONVERTER", "TRANSFORMATION", "TASK_PUT" */
    const char *class_name; /* class that was running */
    const char *exception_class; /* e.g. org.apache.kafka.connect.errors.DataException */
    const char *message;         /* may be NULL */
};

typedef struct sl_dlq sl_dlq;

/*
 * A producer for `topic` with client.id connector-dlq-producer-<connector>-<task>. Tries to create
 * the topic with 1 partition and replication factor `rf` (brokers without CreateTopics
 * auto-create). Transferred: free with sl_dlq_free. NULL with err.
 */
sl_dlq *sl_dlq_new(const sl_props *worker, const sl_props *connector, const char *connector_name,
                   int32_t task_id, const char *topic, bool context_headers, int rf, char *err,
                   size_t errlen);
void sl_dlq_free(sl_dlq *d); /* accepts NULL; flushes up to 5 s */
/* Queue the original record (and context headers when enabled). 0, or -1 with err. */
int sl_dlq_send(sl_dlq *d, const struct sl_errant *e, char *err, size_t errlen);
/* Wait until everything sent is acknowledged. 0, or -1 with err when a send failed or timed out. */
int sl_dlq_flush(sl_dlq *d, int timeout_ms, char *err, size_t errlen);

/* Append the __connect.errors.* headers for e to hdrs. */
void sl_errant_context_headers(rd_kafka_headers_t *hdrs, const struct sl_errant *e);
/*
 * Connect's LogReporter text: "Error encountered in task <conn>-<task>. Executing stage '<stage>'
 * with class '<class>'[, where consumed record is {topic=..}]." followed by the exception.
 */
void sl_errant_describe(const struct sl_errant *e, bool include_record, sl_buf *out);

#endif
