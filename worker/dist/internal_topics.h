/*
 * internal_topics.h — create the three internal topics when missing (compacted; config topic 1
 * partition; partitions/replication from offset.storage.partitions, status.storage.partitions,
 * *.replication.factor; extra *.storage.* topic configs passed on) and check existing ones
 * (config topic must have exactly 1 partition; cleanup.policy must be exactly "compact" where the
 * broker can describe configs). Where the broker cannot create topics (no CreateTopics API, or
 * creation refused), a missing topic is an error that says how to create it by hand.
 */
#ifndef SL_DIST_INTERNAL_TOPICS_H
#define SL_DIST_INTERNAL_TOPICS_H

#include <stddef.h>

#include "config/props.h"

/* 0, or -1 with a message naming the topic and the config key. */
int sl_internal_topics_ensure(const sl_props *worker, int timeout_ms, char *err, size_t errlen);

#endif
