/*
 * group_offsets.c — a sink connector's offsets are its consumer group's committed offsets: list,
 * alter and reset them with librdkafka's admin API (ListConsumerGroupOffsets,
 * AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets). Control plane only; it must never touch
 * a running task's consumer (the herder only alters offsets of STOPPED connectors).
 *
 * Fallbacks, for brokers that lack an API (librdkafka's mock cluster has no OffsetDelete, and
 * answers an all-partitions OffsetFetch with nothing):
 *  - list: when the group-wide fetch returns nothing, ask again for every partition of the topics
 *    the connector subscribes to (topics, or topics.regex matched against the cluster metadata);
 *  - delete: when DeleteConsumerGroupOffsets fails, commit each partition's low watermark instead,
 *    which restarts the partition from its earliest record, as auto.offset.reset=earliest would
 *    after a real delete (the listing then shows that offset rather than nothing).
 */
#include "kafka/group_offsets.h"

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clients.h"
#include "util/log.h"
#include "util/mem.h"

#define ADMIN_TIMEOUT_MS 10000
#define JOIN_TIMEOUT_MS  60000

static rd_kafka_t *admin_client(const sl_props *worker, const sl_props *connector,
                                const char *group, char *err, size_t errlen)
{
    char cid[512];
    snprintf(cid, sizeof(cid), "%s-offsets-admin", group);
    rd_kafka_conf_t *conf = sl_kafka_admin_conf(worker, connector, cid, err, errlen);
    if (conf == NULL) {
        return NULL;
    }
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "Failed to create an admin client: %s", why);
    }
    return rk;
}

static rd_kafka_event_t *wait_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type)
{
    for (;;) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 2000);
        if (ev == NULL || rd_kafka_event_type(ev) == type) {
            return ev;
        }
        rd_kafka_event_destroy(ev);
    }
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op)
{
    char why[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, ADMIN_TIMEOUT_MS, why, sizeof(why));
    return o;
}

/* Committed offsets of the group for `parts` (NULL: all). New list, or NULL with err. */
static rd_kafka_topic_partition_list_t *fetch_offsets(rd_kafka_t *rk, const char *group,
                                                      const rd_kafka_topic_partition_list_t *parts,
                                                      char *err, size_t errlen)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, parts);
    rd_kafka_AdminOptions_t *opt = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, opt, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT);
    rd_kafka_topic_partition_list_t *out = NULL;
    if (ev == NULL) {
        snprintf(err, errlen, "Timed out listing the offsets of consumer group %s", group);
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Failed to list the offsets of consumer group %s: %s", group,
                 rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_ListConsumerGroupOffsets_result_t *res =
            rd_kafka_event_ListConsumerGroupOffsets_result(ev);
        size_t n = 0;
        const rd_kafka_group_result_t **groups =
            rd_kafka_ListConsumerGroupOffsets_result_groups(res, &n);
        const rd_kafka_error_t *gerr = n == 1 ? rd_kafka_group_result_error(groups[0]) : NULL;
        if (n != 1) {
            snprintf(err, errlen, "Failed to list the offsets of consumer group %s", group);
        } else if (gerr != NULL) {
            snprintf(err, errlen, "Failed to list the offsets of consumer group %s: %s", group,
                     rd_kafka_error_string(gerr));
        } else {
            out = rd_kafka_topic_partition_list_copy(rd_kafka_group_result_partitions(groups[0]));
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_queue_destroy(q);
    return out;
}

static bool topic_wanted(const char *topic, char **names, regex_t *re)
{
    if (names != NULL) {
        for (size_t i = 0; names[i] != NULL; i++) {
            if (strcmp(names[i], topic) == 0) {
                return true;
            }
        }
        return false;
    }
    return re != NULL && regexec(re, topic, 0, NULL, 0) == 0;
}

/* Every partition of the connector's topics, from cluster metadata. */
static rd_kafka_topic_partition_list_t *connector_partitions(rd_kafka_t *rk,
                                                             const sl_props *connector)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    const char *topics = connector ? sl_props_get(connector, "topics") : NULL;
    const char *regex = connector ? sl_props_get(connector, "topics.regex") : NULL;
    char **names = NULL;
    regex_t re;
    bool have_re = false;
    if (topics != NULL && *topics != '\0') {
        names = sl_kafka_split_topics(topics, NULL);
    } else if (regex != NULL && *regex != '\0') {
        char *full = sl_xmalloc(strlen(regex) + 3);
        snprintf(full, strlen(regex) + 3, "^%s$", regex);
        have_re = regcomp(&re, full, REG_EXTENDED | REG_NOSUB) == 0;
        free(full);
        if (!have_re) {
            return l;
        }
    } else {
        return l;
    }
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(rk, 1, NULL, &md, ADMIN_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < md->topic_cnt; i++) {
            const struct rd_kafka_metadata_topic *mt = &md->topics[i];
            if (mt->err != RD_KAFKA_RESP_ERR_NO_ERROR ||
                !topic_wanted(mt->topic, names, have_re ? &re : NULL)) {
                continue;
            }
            for (int p = 0; p < mt->partition_cnt; p++) {
                rd_kafka_topic_partition_list_add(l, mt->topic, mt->partitions[p].id);
            }
        }
        rd_kafka_metadata_destroy(md);
    }
    sl_kafka_free_topics(names);
    if (have_re) {
        regfree(&re);
    }
    return l;
}

static int count_committed(const rd_kafka_topic_partition_list_t *l)
{
    int n = 0;
    for (int i = 0; l != NULL && i < l->cnt; i++) {
        n += l->elems[i].offset >= 0 && l->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    return n;
}

/* The group's committed offsets, with the explicit-partitions fallback (see the file comment). */
static rd_kafka_topic_partition_list_t *committed_offsets(rd_kafka_t *rk, const sl_props *connector,
                                                          const char *group, char *err,
                                                          size_t errlen)
{
    rd_kafka_topic_partition_list_t *all = fetch_offsets(rk, group, NULL, err, errlen);
    if (all != NULL && count_committed(all) > 0) {
        return all;
    }
    rd_kafka_topic_partition_list_t *parts = connector_partitions(rk, connector);
    if (parts->cnt == 0) {
        rd_kafka_topic_partition_list_destroy(parts);
        return all;
    }
    char err2[512];
    rd_kafka_topic_partition_list_t *some = fetch_offsets(rk, group, parts, err2, sizeof(err2));
    rd_kafka_topic_partition_list_destroy(parts);
    if (some == NULL) {
        return all;
    }
    if (all != NULL) {
        rd_kafka_topic_partition_list_destroy(all);
    }
    return some;
}

int sl_group_offsets_list(const sl_props *worker, const sl_props *connector, const char *group,
                          json_t **out, char *err, size_t errlen)
{
    rd_kafka_t *rk = admin_client(worker, connector, group, err, errlen);
    if (rk == NULL) {
        return -1;
    }
    rd_kafka_topic_partition_list_t *l = committed_offsets(rk, connector, group, err, errlen);
    rd_kafka_destroy(rk);
    if (l == NULL) {
        return -1;
    }
    rd_kafka_topic_partition_list_sort(l, NULL, NULL); /* topic, then partition */
    json_t *arr = json_array();
    for (int i = 0; i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (p->offset < 0 || p->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            continue;
        }
        json_array_append_new(arr, json_pack("{s:{s:s,s:i},s:{s:I}}", "partition", "kafka_topic",
                                             p->topic, "kafka_partition", (int)p->partition,
                                             "offset", "kafka_offset", (json_int_t)p->offset));
    }
    rd_kafka_topic_partition_list_destroy(l);
    *out = json_pack("{s:o}", "offsets", arr);
    return 0;
}

#define API_OFFSET_DELETE 47

static int broker_has_api(const sl_props *worker, const sl_props *connector, int16_t api)
{
    const char *proto = worker ? sl_props_get(worker, "admin.security.protocol") : NULL;
    if (proto == NULL && connector != NULL) {
        proto = sl_props_get(connector, "admin.override.security.protocol");
    }
    return sl_kafka_broker_has_api(worker ? sl_props_get(worker, "bootstrap.servers") : NULL, proto,
                                   api);
}

/* ---- altering ---- */

struct joined {
    bool assigned;
};

static void joined_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct joined *j = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, parts);
        j->assigned = true;
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/*
 * Fallback when AlterConsumerGroupOffsets is refused (the mock cluster only accepts commits from
 * a member of an existing group): join the group on the topics of `l`, commit, leave. Only valid
 * while the connector is STOPPED (the group is empty), which the herder guarantees.
 */
static int commit_with_consumer(const sl_props *worker, const sl_props *connector,
                                const char *group, rd_kafka_topic_partition_list_t *l, char *err,
                                size_t errlen)
{
    rd_kafka_conf_t *conf =
        sl_kafka_admin_conf(worker, connector, "offsets-committer", err, errlen);
    if (conf == NULL) {
        return -1;
    }
    char why[512];
    if (rd_kafka_conf_set(conf, "group.id", group, why, sizeof(why)) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof(why)) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "session.timeout.ms", "6000", why, sizeof(why)) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    struct joined j = {false};
    rd_kafka_conf_set_opaque(conf, &j);
    rd_kafka_conf_set_rebalance_cb(conf, joined_rebalance);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "Failed to create a consumer: %s", why);
        return -1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(l->cnt);
    for (int i = 0; i < l->cnt; i++) {
        if (rd_kafka_topic_partition_list_find(sub, l->elems[i].topic, RD_KAFKA_PARTITION_UA) ==
            NULL) {
            rd_kafka_topic_partition_list_add(sub, l->elems[i].topic, RD_KAFKA_PARTITION_UA);
        }
    }
    rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    /* The mock keeps members that left until their session times out, so a join may wait long. */
    for (int waited = 0; !j.assigned && waited < JOIN_TIMEOUT_MS; waited += 100) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m != NULL) {
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_resp_err_t e = j.assigned ? rd_kafka_commit(rk, l, 0) : RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < l->cnt; i++) {
        e = l->elems[i].err;
    }
    int rc = 0;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen, "Failed to commit offsets for consumer group %s: %s", group,
                 rd_kafka_err2str(e));
        rc = -1;
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

static int alter_offsets(rd_kafka_t *rk, const sl_props *worker, const sl_props *connector,
                         const char *group, rd_kafka_topic_partition_list_t *l, char *err,
                         size_t errlen)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(group, l);
    rd_kafka_AdminOptions_t *opt = admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AlterConsumerGroupOffsets(rk, &req, 1, opt, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT);
    bool ok = ev != NULL && rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (ok) {
        size_t n = 0;
        const rd_kafka_group_result_t **g = rd_kafka_AlterConsumerGroupOffsets_result_groups(
            rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
        ok = n == 1 && rd_kafka_group_result_error(g[0]) == NULL &&
             count_committed(rd_kafka_group_result_partitions(g[0])) ==
                 rd_kafka_group_result_partitions(g[0])->cnt;
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    rd_kafka_queue_destroy(q);
    if (ok) {
        return 0;
    }
    sl_info("AlterConsumerGroupOffsets failed for %s; committing with a consumer instead", group);
    return commit_with_consumer(worker, connector, group, l, err, errlen);
}

/* The stand-in for deleting offsets: each partition restarts from its earliest record. */
static int commit_earliest(rd_kafka_t *rk, const sl_props *worker, const sl_props *connector,
                           const char *group, rd_kafka_topic_partition_list_t *l, char *err,
                           size_t errlen)
{
    for (int i = 0; i < l->cnt; i++) {
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
            rk, l->elems[i].topic, l->elems[i].partition, &lo, &hi, ADMIN_TIMEOUT_MS);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(err, errlen, "Failed to reset offsets of %s-%d: %s", l->elems[i].topic,
                     (int)l->elems[i].partition, rd_kafka_err2str(e));
            return -1;
        }
        l->elems[i].offset = lo;
    }
    return alter_offsets(rk, worker, connector, group, l, err, errlen);
}

/* Delete the committed offsets of l (fallback: commit each partition's low watermark). */
static int delete_offsets(rd_kafka_t *rk, const sl_props *worker, const sl_props *connector,
                          const char *group, rd_kafka_topic_partition_list_t *l, char *err,
                          size_t errlen)
{
    if (l->cnt == 0) {
        return 0;
    }
    if (broker_has_api(worker, connector, API_OFFSET_DELETE) == 0) {
        return commit_earliest(rk, worker, connector, group, l, err, errlen);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteConsumerGroupOffsets_t *req = rd_kafka_DeleteConsumerGroupOffsets_new(group, l);
    rd_kafka_AdminOptions_t *opt = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS);
    rd_kafka_DeleteConsumerGroupOffsets(rk, &req, 1, opt, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT);
    bool ok = ev != NULL && rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (ok) {
        size_t n = 0;
        const rd_kafka_group_result_t **g = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
            rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
        ok = n == 1 && rd_kafka_group_result_error(g[0]) == NULL;
        const rd_kafka_topic_partition_list_t *pl =
            ok ? rd_kafka_group_result_partitions(g[0]) : NULL;
        for (int i = 0; pl != NULL && i < pl->cnt; i++) {
            ok = ok && pl->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    rd_kafka_queue_destroy(q);
    if (ok) {
        return 0;
    }
    sl_info("DeleteConsumerGroupOffsets failed for %s; committing the earliest offsets instead",
            group);
    return commit_earliest(rk, worker, connector, group, l, err, errlen);
}

/* Parse the PATCH body into to_set (offset ≥ 0) and to_reset (offset null). -1 with err. */
static int parse_body(const json_t *body, rd_kafka_topic_partition_list_t *to_set,
                      rd_kafka_topic_partition_list_t *to_reset, char *err, size_t errlen)
{
    const json_t *offsets = json_is_object(body) ? json_object_get(body, "offsets") : NULL;
    if (!json_is_array(offsets) || json_array_size(offsets) == 0) {
        snprintf(err, errlen,
                 "Partitions / offsets need to be provided for an alter offsets "
                 "request");
        return -1;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(offsets, i, item)
    {
        const json_t *part = json_object_get(item, "partition");
        const json_t *off = json_object_get(item, "offset");
        const json_t *topic = json_object_get(part, "kafka_topic");
        const json_t *pn = json_object_get(part, "kafka_partition");
        if (!json_is_object(part)) {
            snprintf(err, errlen,
                     "Partitions cannot be empty or null for an alter offsets "
                     "request");
            return -1;
        }
        if (!json_is_string(topic) || json_string_length(topic) == 0) {
            snprintf(err, errlen, "Kafka topic names must be valid strings and may not be null");
            return -1;
        }
        if (!json_is_integer(pn) || json_integer_value(pn) < 0 ||
            json_integer_value(pn) > INT32_MAX) {
            snprintf(err, errlen, "Kafka partitions must be valid numbers and may not be null");
            return -1;
        }
        if (off == NULL || json_is_null(off)) {
            rd_kafka_topic_partition_list_add(to_reset, json_string_value(topic),
                                              (int32_t)json_integer_value(pn));
            continue;
        }
        const json_t *ko = json_object_get(off, "kafka_offset");
        if (!json_is_object(off) || !json_is_integer(ko) || json_integer_value(ko) < 0) {
            snprintf(err, errlen, "Kafka offsets must be valid numbers and may not be null");
            return -1;
        }
        rd_kafka_topic_partition_list_add(to_set, json_string_value(topic),
                                          (int32_t)json_integer_value(pn))
            ->offset = json_integer_value(ko);
    }
    return 0;
}

int sl_group_offsets_alter(const sl_props *worker, const sl_props *connector, const char *group,
                           const json_t *body, int *bad_request, char *err, size_t errlen)
{
    *bad_request = 0;
    rd_kafka_topic_partition_list_t *to_set = rd_kafka_topic_partition_list_new(8);
    rd_kafka_topic_partition_list_t *to_reset = rd_kafka_topic_partition_list_new(8);
    int rc = -1;
    rd_kafka_t *rk = NULL;
    if (parse_body(body, to_set, to_reset, err, errlen) != 0) {
        *bad_request = 1;
        goto out;
    }
    rk = admin_client(worker, connector, group, err, errlen);
    if (rk == NULL) {
        goto out;
    }
    if (to_set->cnt > 0 && alter_offsets(rk, worker, connector, group, to_set, err, errlen) != 0) {
        goto out;
    }
    rc = delete_offsets(rk, worker, connector, group, to_reset, err, errlen);
out:
    if (rk != NULL) {
        rd_kafka_destroy(rk);
    }
    rd_kafka_topic_partition_list_destroy(to_set);
    rd_kafka_topic_partition_list_destroy(to_reset);
    return rc;
}

int sl_group_offsets_reset(const sl_props *worker, const sl_props *connector, const char *group,
                           char *err, size_t errlen)
{
    rd_kafka_t *rk = admin_client(worker, connector, group, err, errlen);
    if (rk == NULL) {
        return -1;
    }
    int rc = -1;
    rd_kafka_topic_partition_list_t *l = committed_offsets(rk, connector, group, err, errlen);
    if (l != NULL) {
        rd_kafka_topic_partition_list_t *del = rd_kafka_topic_partition_list_new(l->cnt + 1);
        for (int i = 0; i < l->cnt; i++) {
            if (l->elems[i].offset >= 0) {
                rd_kafka_topic_partition_list_add(del, l->elems[i].topic, l->elems[i].partition);
            }
        }
        rc = delete_offsets(rk, worker, connector, group, del, err, errlen);
        rd_kafka_topic_partition_list_destroy(del);
        rd_kafka_topic_partition_list_destroy(l);
    }
    rd_kafka_destroy(rk);
    return rc;
}
