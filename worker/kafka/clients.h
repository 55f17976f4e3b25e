/*
 * clients.h — librdkafka client configurations built from Connect's keys: the sink task consumer
 * (Connect defaults, then worker consumer.*, then connector consumer.override.*), the DLQ producer
 * (producer.* / producer.override.*) and admin clients (admin.* / admin.override.*).
 * Java-only client keys are translated where librdkafka has an equivalent, else skipped with a
 * warning. Control plane only: never called per record.
 */
#ifndef SL_KAFKA_CLIENTS_H
#define SL_KAFKA_CLIENTS_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "config/props.h"

#define SL_DEFAULT_MAX_POLL_RECORDS 500
/* queued.max.messages.kbytes of a sink task's consumer unless configured (librdkafka: 65536). */
#define SL_DEFAULT_PREFETCH_KBYTES "8192"

/*
 * The consumer of sink task `task_id` of `connector`. *max_poll_records receives consumer
 * max.poll.records (default 500). Transferred: pass to rd_kafka_new or rd_kafka_conf_destroy.
 * NULL with err when a key has an invalid value.
 */
rd_kafka_conf_t *sl_kafka_consumer_conf(const sl_props *worker, const sl_props *connector,
                                        const char *connector_name, int32_t task_id,
                                        int *max_poll_records, char *err, size_t errlen);
/* A producer: bootstrap.servers, worker producer.*, connector producer.override.*, client.id. */
rd_kafka_conf_t *sl_kafka_producer_conf(const sl_props *worker, const sl_props *connector,
                                        const char *client_id, char *err, size_t errlen);
/* An admin-ish client: bootstrap.servers, admin.*, admin.override.* (connector may be NULL). */
rd_kafka_conf_t *sl_kafka_admin_conf(const sl_props *worker, const sl_props *connector,
                                     const char *client_id, char *err, size_t errlen);
/*
 * Set every key of `p` that starts with `prefix` (stripped) on conf, translating Java client keys.
 * 0, or -1 with err naming the key. max_poll_records may be NULL.
 */
int sl_kafka_conf_apply(rd_kafka_conf_t *conf, const sl_props *p, const char *prefix,
                        int *max_poll_records, char *err, size_t errlen);
/*
 * Ask the first bootstrap broker (plaintext only) with ApiVersions v0 whether it knows Kafka API
 * `api` (e.g. 19 CreateTopics, 47 OffsetDelete): 1 yes, 0 no, -1 unknown (TLS/SASL, unreachable).
 * librdkafka 2.0.2 asserts when some admin calls meet a broker without the API (the mock).
 */
int sl_kafka_broker_has_api(const char *bootstrap, const char *security_protocol, int16_t api);
/* Trim and de-duplicate a comma-separated topic list into a NULL-terminated malloc'ed array. */
char **sl_kafka_split_topics(const char *list, size_t *n);
void sl_kafka_free_topics(char **topics);

#endif
