/*
 * group_offsets.h — a sink connector's offsets are its consumer group's (connect-<name>) committed
 * offsets. List, alter and reset them through librdkafka's admin API for the REST offsets
 * endpoints.
 */
#ifndef SL_GROUP_OFFSETS_H
#define SL_GROUP_OFFSETS_H

#include <jansson.h>

#include "config/props.h"

/* *out = {"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},
 *                     "offset":{"kafka_offset":42}}, ...]} (new reference). 0 or -1 with err. */
int sl_group_offsets_list(const sl_props *worker, const sl_props *connector, const char *group,
                          json_t **out, char *err, size_t errlen);
/* body = {"offsets":[{"partition":{..},"offset":{"kafka_offset":N}|null}]}; null offset resets
 * that partition. 0, or -1 with err; *bad_request set when the body is invalid (→ 400). */
int sl_group_offsets_alter(const sl_props *worker, const sl_props *connector, const char *group,
                           const json_t *body, int *bad_request, char *err, size_t errlen);
/* Delete every committed offset of the group. */
int sl_group_offsets_reset(const sl_props *worker, const sl_props *connector, const char *group,
                           char *err, size_t errlen);

#endif
