/*
 * klog.h — a compacted internal topic used as a log (Java's KafkaBasedLog): a consumer with no
 * group that assigns itself every partition from the beginning, a background thread that keeps
 * reading and hands each record to a callback, "read to end" (block until everything up to the
 * end offsets taken now has been handed over), and a producer that partitions keys with murmur2
 * exactly as Java's default partitioner does (idempotence off, acks=all).
 *
 * Client ids: "<group.id>[-<client.id>]-<role>" (role "configs", "offsets", "statuses").
 */
#ifndef SL_DIST_KLOG_H
#define SL_DIST_KLOG_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "config/props.h"

/* Java's Utils.murmur2 (seed 0x9747b28c) and toPositive(murmur2(key)) % partitions. */
int32_t sl_murmur2(const void *key, size_t len);
int32_t sl_murmur2_partition(const void *key, size_t len, int32_t partitions);

/* Called on the log's thread, in offset order per partition. val NULL = tombstone. */
typedef void (*sl_klog_cb)(void *arg, int32_t partition, int64_t offset, const void *key,
                           size_t klen, const void *val, size_t vlen);

typedef struct sl_klog sl_klog;

/* "<group.id>[-<client.id>]-<role>" (Java's ConnectUtils.clientIdBase + role; role "configs",
 * "offsets", "statuses", "shared-admin"). Transferred: malloc'ed. */
char *sl_klog_client_id(const sl_props *worker, const char *role);
/* A librdkafka conf for an internal client as Java builds them from the worker's own settings:
 * bootstrap.servers and the worker-level security.* / sasl.* / ssl.* keys (translated like every
 * client key), client.id, the worker log. Transferred; NULL with err on a bad value. */
rd_kafka_conf_t *sl_klog_internal_conf(const sl_props *worker, const char *client_id, char *err,
                                       size_t errlen);

/* worker: worker properties (bootstrap.servers and security keys; producer.* and consumer.* are
 * NOT applied: Java uses only the worker's common client settings for internal clients). Role:
 * "configs", "offsets" or "statuses". NULL with err when a client cannot be created. */
sl_klog *sl_klog_new(const sl_props *worker, const char *topic, const char *role, sl_klog_cb cb,
                     void *arg, char *err, size_t errlen);
/* Start reading from the beginning; returns once everything present at start has been handed
 * to cb (bounded by timeout_ms; -1 with err on timeout or when the topic does not exist). */
int sl_klog_start(sl_klog *l, int timeout_ms, char *err, size_t errlen);
/* Block until every record up to the end offsets at the time of the call has been handed to cb
 * (cb runs on the log's thread, so this gives a happens-before). 0, or -1 on timeout. Must not
 * be called from cb. */
int sl_klog_read_to_end(sl_klog *l, int timeout_ms);
/* Produce one record (val NULL = tombstone) to the murmur2 partition of key (-1 with err before
 * sl_klog_start: the partition count comes from it). Thread-safe. With
 * timeout_ms > 0 wait for the broker's ack: 0 acked, -1 failed or timed out (err set). With
 * timeout_ms == 0 return at once (delivery errors are logged). */
int sl_klog_send(sl_klog *l, const void *key, size_t klen, const void *val, size_t vlen,
                 int timeout_ms, char *err, size_t errlen);
int32_t sl_klog_partitions(const sl_klog *l);
/* Stops the thread, flushes the producer (at most 5 s, then unacknowledged records are purged).
 * Accepts NULL. Not concurrently with other calls on l. */
void sl_klog_destroy(sl_klog *l);

#endif
