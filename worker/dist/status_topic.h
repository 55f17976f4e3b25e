/*
 * status_topic.h — records of the status topic (`status.storage.topic`) exactly as Java writes
 * and reads them (connect-internals.md §3), and a cache of the cluster's statuses with Java's
 * reader rules (tombstones remove; UNASSIGNED does not replace RUNNING of the same or a newer
 * generation) and the "safe write" rule.
 *
 * Thread-safe: the cache has its own lock (the status log's thread applies records while REST
 * threads read).
 */
#ifndef SL_DIST_STATUS_TOPIC_H
#define SL_DIST_STATUS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* State values as enum sl_task_state (task/task.h): UNASSIGNED, RUNNING, PAUSED, FAILED,
 * RESTARTING, STOPPED. DESTROYED is a tombstone, never a value. */
typedef struct sl_status {
    int state;
    char *trace;     /* NULL = JSON null */
    char *worker_id; /* "host:port" */
    int32_t generation;
} sl_status;

void sl_status_key_connector(const char *name, sl_buf *key);          /* status-connector-<c> */
void sl_status_key_task(const char *name, int32_t task, sl_buf *key); /* status-task-<c>-<n> */
void sl_status_key_topic(const char *topic, const char *name, sl_buf *key);
/* {"state":S,"trace":T|null,"worker_id":W,"generation":G} */
void sl_status_value(int state, const char *trace, const char *worker_id, int32_t generation,
                     sl_buf *val);
/* {"topic":{"name":T,"connector":C,"task":N,"discoverTimestamp":ms}} */
void sl_status_value_topic(const char *topic, const char *name, int32_t task, int64_t ts_ms,
                           sl_buf *val);

typedef struct sl_status_cache sl_status_cache;

sl_status_cache *sl_status_cache_new(void);
void sl_status_cache_free(sl_status_cache *c);
/* Apply a record read from the topic (val NULL = tombstone). Unparseable records are logged and
 * dropped; returns -1 for them, else 0. */
int sl_status_cache_apply(sl_status_cache *c, const void *key, size_t klen, const void *val,
                          size_t vlen);

/* Copies out (caller frees trace/worker_id with sl_status_clear). false when unknown. */
bool sl_status_cache_connector(sl_status_cache *c, const char *name, sl_status *out);
bool sl_status_cache_task(sl_status_cache *c, const char *name, int32_t task, sl_status *out);
/* Task ids with a status for the connector, ascending; *ids malloc'ed (caller frees). */
size_t sl_status_cache_tasks(sl_status_cache *c, const char *name, int32_t **ids);
/* Topics recorded for the connector, sorted; strings and array malloc'ed (free each, then it). */
size_t sl_status_cache_topics(sl_status_cache *c, const char *name, char ***topics);
/* Connector names that have any status (connector or task), malloc'ed like topics. */
size_t sl_status_cache_connectors(sl_status_cache *c, char ***names);
/* Java's safe-write rule for a task status (task >= 0) or the connector's status (task < 0) about
 * to be written by worker_id at generation: true when there is no previous value, it has the same
 * worker id, or its generation is <= generation. */
bool sl_status_cache_safe_to_write(sl_status_cache *c, const char *name, int32_t task,
                                   const char *worker_id, int32_t generation);
void sl_status_clear(sl_status *s);

#endif
