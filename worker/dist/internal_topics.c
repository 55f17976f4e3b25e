/*
 * internal_topics.c — make sure the three internal topics exist and are fit (see
 * internal_topics.h): create missing ones as Java's TopicAdmin does (compacted, partitions and
 * replication factor from the worker keys, extra <prefix>* topic configs), then check them the
 * way KafkaConfigBackingStore and TopicAdmin do (config topic 1 partition; cleanup.policy exactly
 * compact), with Java's messages. librdkafka 2.0.2 asserts when some admin calls meet a broker
 * without the API (the mock broker), so every admin call is gated on ApiVersions first.
 */
#include "dist/internal_topics.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist/klog.h"
#include "kafka/clients.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define API_CREATE_TOPICS    19
#define API_DESCRIBE_CONFIGS 32

typedef struct itopic {
    const char *topic_key;   /* "config.storage.topic" */
    const char *prefix;      /* "config.storage." */
    const char *purpose;     /* Java's topicPurpose */
    const char *missing_msg; /* Java's message when the topic key is empty */
    const char *partitions_key;
    int dflt_partitions;
    char *name;
    int partitions, replication;
    sl_props *extra;          /* extra topic configs (prefix stripped) */
    int32_t found_partitions; /* from metadata; 0 missing */
} itopic;

static int get_int(const sl_props *w, const char *key, int dflt)
{
    return (int)sl_props_get_long(w, key, dflt);
}

/* DistributedConfig.topicSettings(prefix): originalsWithPrefix minus cleanup.policy (warned),
 * topic, replication.factor and partitions (warned for the config topic). */
static sl_props *topic_settings(const sl_props *w, const char *prefix)
{
    sl_props *all = sl_props_subset(w, prefix, true);
    sl_props *out = sl_props_new();
    for (size_t i = 0; i < sl_props_count(all); i++) {
        const char *k = sl_props_key_at(all, i);
        const char *v = sl_props_value_at(all, i);
        if (strcmp(k, "partitions") == 0 && strcmp(prefix, "config.storage.") == 0) {
            sl_warn("Ignoring '%spartitions=%s' setting, since config topic partitions is always 1",
                    prefix, v ? v : "null");
        } else if (strcmp(k, "cleanup.policy") == 0) {
            sl_warn("Ignoring '%scleanup.policy=%s' setting, since compaction is always used",
                    prefix, v ? v : "null");
        }
        if (strcmp(k, "partitions") == 0 || strcmp(k, "cleanup.policy") == 0 ||
            strcmp(k, "topic") == 0 || strcmp(k, "replication.factor") == 0 || v == NULL) {
            continue;
        }
        sl_props_set(out, k, v);
    }
    sl_props_free(all);
    return out;
}

/* Partition counts of every topic the cluster lists (Metadata for all topics never auto-creates
 * one, unlike a request naming the topic). 0 on success. */
static int lookup(rd_kafka_t *rk, itopic *t, size_t n, int timeout_ms, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen,
                 "Timed out while checking for or creating topic(s) '%s'. This could indicate a "
                 "connectivity issue, unavailable topic partitions, or if this is your first use "
                 "of the topic it may have taken too long to create. (%s)",
                 t[0].name, rd_kafka_err2str(e));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        t[i].found_partitions = 0;
        for (int k = 0; k < md->topic_cnt; k++) {
            if (strcmp(md->topics[k].topic, t[i].name) == 0 &&
                md->topics[k].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                t[i].found_partitions = md->topics[k].partition_cnt;
            }
        }
    }
    rd_kafka_metadata_destroy(md);
    return 0;
}

static void how_to_create(const itopic *t, char *err, size_t errlen, const char *why)
{
    sl_buf cmd = SL_BUF_INIT; /* -1 (broker default): leave the flag out */
    if (t->partitions > 0) {
        sl_buf_printf(&cmd, " --partitions %d", t->partitions);
    }
    if (t->replication > 0) {
        sl_buf_printf(&cmd, " --replication-factor %d", t->replication);
    }
    sl_buf_puts(&cmd, " --config cleanup.policy=compact");
    for (size_t i = 0; i < sl_props_count(t->extra); i++) {
        sl_buf_printf(&cmd, " --config %s=%s", sl_props_key_at(t->extra, i),
                      sl_props_value_at(t->extra, i));
    }
    snprintf(err, errlen,
             "Topic '%s' supplied via the '%s' property does not exist and %s. Create it first, "
             "e.g. kafka-topics.sh --create --topic %s%s",
             t->name, t->topic_key, why, t->name, cmd.data);
    sl_buf_free(&cmd);
}

/* CreateTopics for every missing topic. 0, or -1 with err. Topics the broker will not create
 * (not authorised, API unsupported) are left missing with a warning, like Java's TopicAdmin. */
static int create_missing(rd_kafka_t *rk, itopic *t, size_t n, int timeout_ms, char *err,
                          size_t errlen)
{
    rd_kafka_NewTopic_t *nt[3];
    const char *names[3];
    size_t cnt = 0;
    char why[512];
    for (size_t i = 0; i < n; i++) {
        if (t[i].found_partitions > 0) {
            continue;
        }
        rd_kafka_NewTopic_t *x =
            rd_kafka_NewTopic_new(t[i].name, t[i].partitions, t[i].replication, why, sizeof(why));
        if (x == NULL) {
            snprintf(err, errlen, "Unable to create topic(s) '%s': %s", t[i].name, why);
            for (size_t k = 0; k < cnt; k++) {
                rd_kafka_NewTopic_destroy(nt[k]);
            }
            return -1;
        }
        rd_kafka_NewTopic_set_config(x, "cleanup.policy", "compact");
        for (size_t k = 0; k < sl_props_count(t[i].extra); k++) {
            rd_kafka_NewTopic_set_config(x, sl_props_key_at(t[i].extra, k),
                                         sl_props_value_at(t[i].extra, k));
        }
        names[cnt] = t[i].name;
        nt[cnt++] = x;
    }
    if (cnt == 0) {
        return 0;
    }
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, timeout_ms, why, sizeof(why));
    rd_kafka_AdminOptions_set_operation_timeout(opt, timeout_ms, why, sizeof(why));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, nt, cnt, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
    int rc = 0;
    const rd_kafka_CreateTopics_result_t *res = ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (res == NULL || rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, errlen,
                 "Timed out while checking for or creating topic(s) '%s'. This could indicate a "
                 "connectivity issue, unavailable topic partitions, or if this is your first use "
                 "of the topic it may have taken too long to create. (%s)",
                 names[0], ev ? rd_kafka_event_error_string(ev) : "no answer");
        rc = -1;
    } else {
        size_t rn = 0;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &rn);
        for (size_t i = 0; i < rn && rc == 0; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            const char *name = rd_kafka_topic_result_name(tr[i]);
            const char *msg = rd_kafka_topic_result_error_string(tr[i]);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
                sl_info("Created topic '%s' for Connect internal use", name);
            } else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                sl_debug("Found existing topic '%s'", name);
            } else if (e == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
                       e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                       e == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION) {
                sl_warn("Unable to create topic(s) '%s' (%s). Falling back to assume topic(s) "
                        "exist or will be auto-created by the broker.",
                        name, msg ? msg : rd_kafka_err2str(e));
            } else {
                snprintf(err, errlen, "Unable to create topic(s) '%s': %s", name,
                         msg ? msg : rd_kafka_err2str(e));
                rc = -1;
            }
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    for (size_t k = 0; k < cnt; k++) {
        rd_kafka_NewTopic_destroy(nt[k]);
    }
    return rc;
}

/* Java's verifyTopicCleanupPolicyOnlyCompact: the policy set must be exactly {compact}. An
 * unanswered describe skips the check (logged), as in Java. */
static int check_cleanup_policy(rd_kafka_t *rk, itopic *t, size_t n, int timeout_ms, char *err,
                                size_t errlen)
{
    rd_kafka_ConfigResource_t *cr[3];
    for (size_t i = 0; i < n; i++) {
        cr[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t[i].name);
    }
    char why[256];
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(opt, timeout_ms, why, sizeof(why));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, cr, n, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
    const rd_kafka_DescribeConfigs_result_t *res =
        ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    int rc = 0;
    size_t rn = 0;
    const rd_kafka_ConfigResource_t **rs =
        res != NULL && rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR
            ? rd_kafka_DescribeConfigs_result_resources(res, &rn)
            : NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *policy = NULL;
        for (size_t r = 0; r < rn; r++) {
            if (strcmp(rd_kafka_ConfigResource_name(rs[r]), t[i].name) != 0 ||
                rd_kafka_ConfigResource_error(rs[r]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                continue;
            }
            size_t cn = 0;
            const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[r], &cn);
            for (size_t c = 0; c < cn; c++) {
                if (strcmp(rd_kafka_ConfigEntry_name(ce[c]), "cleanup.policy") == 0) {
                    policy = rd_kafka_ConfigEntry_value(ce[c]);
                }
            }
        }
        if (policy == NULL) {
            sl_info("Unable to use admin client to verify the cleanup policy of '%s' topic is "
                    "'compact', either because the broker is an older version or because the "
                    "Kafka principal used for Connect internal topics does not have the required "
                    "permission to describe topic configurations.",
                    t[i].name);
            continue;
        }
        /* the set of comma-separated, trimmed policies must be {compact} */
        bool only_compact = true, any = false;
        char *copy = sl_xstrdup(policy), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') {
                tok++;
            }
            size_t l = strlen(tok);
            while (l > 0 && tok[l - 1] == ' ') {
                tok[--l] = '\0';
            }
            if (l == 0) {
                continue;
            }
            any = true;
            only_compact = only_compact && strcmp(tok, "compact") == 0;
        }
        free(copy);
        if (!any || !only_compact) {
            snprintf(err, errlen,
                     "Topic '%s' supplied via the '%s' property is required to have "
                     "'cleanup.policy=compact' to guarantee consistency and durability of %s, but "
                     "found the topic currently has 'cleanup.policy=%s'. Continuing would likely "
                     "result in eventually losing %s and problems restarting this Connect "
                     "cluster in the future. Change the '%s' property in the Connect worker "
                     "configurations to use a topic with 'cleanup.policy=compact'.",
                     t[i].name, t[i].topic_key, t[i].purpose, policy, t[i].purpose, t[i].topic_key);
            rc = -1;
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_ConfigResource_destroy(cr[i]);
    }
    return rc;
}

static int ensure(const sl_props *w, itopic *t, size_t n, int timeout_ms, char *err, size_t errlen)
{
    const char *bs = sl_props_get(w, "bootstrap.servers");
    const char *proto = sl_props_get(w, "security.protocol");
    int can_create = sl_kafka_broker_has_api(bs, proto, API_CREATE_TOPICS);
    int can_describe = sl_kafka_broker_has_api(bs, proto, API_DESCRIBE_CONFIGS);

    char *cid = sl_klog_client_id(w, "shared-admin");
    rd_kafka_conf_t *conf = sl_klog_internal_conf(w, cid, err, errlen);
    free(cid);
    if (conf == NULL) {
        return -1;
    }
    char why[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (rk == NULL) {
        snprintf(err, errlen, "Cannot create the admin client: %s", why);
        return -1;
    }
    int rc = lookup(rk, t, n, timeout_ms, err, errlen);
    if (rc == 0 && can_create != 0) {
        rc = create_missing(rk, t, n, timeout_ms, err, errlen);
        /* new topics take a moment to show up in metadata */
        for (int tries = 0; rc == 0 && tries < 50; tries++) {
            rc = lookup(rk, t, n, timeout_ms, err, errlen);
            bool all = true;
            for (size_t i = 0; i < n; i++) {
                all = all && t[i].found_partitions > 0;
            }
            if (all) {
                break;
            }
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    } else if (rc == 0) {
        sl_info("The brokers do not support the CreateTopics API: the internal topics must exist");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (t[i].found_partitions == 0) {
            how_to_create(&t[i], err, errlen,
                          can_create == 0 ? "the brokers do not support the CreateTopics API"
                                          : "it could not be created");
            rc = -1;
        } else if (strcmp(t[i].prefix, "config.storage.") == 0 && t[i].found_partitions > 1) {
            snprintf(err, errlen,
                     "Topic '%s' supplied via the '%s' property is required to have a single "
                     "partition in order to guarantee consistency of connector configurations, "
                     "but found %d partitions.",
                     t[i].name, t[i].topic_key, (int)t[i].found_partitions);
            rc = -1;
        }
    }
    if (rc == 0 && can_describe != 0) {
        rc = check_cleanup_policy(rk, t, n, timeout_ms, err, errlen);
    } else if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            sl_info("Unable to use admin client to verify the cleanup policy of '%s' topic is "
                    "'compact', either because the broker is an older version or because the "
                    "Kafka principal used for Connect internal topics does not have the required "
                    "permission to describe topic configurations.",
                    t[i].name);
        }
    }
    rd_kafka_destroy(rk);
    return rc;
}

int sl_internal_topics_ensure(const sl_props *worker, int timeout_ms, char *err, size_t errlen)
{
    itopic t[3] = {
        {"config.storage.topic", "config.storage.", "connector configurations",
         "Must specify topic for connector configuration.", NULL, 1},
        {"offset.storage.topic", "offset.storage.", "source connector offsets",
         "Offset storage topic must be specified", "offset.storage.partitions", 25},
        {"status.storage.topic", "status.storage.", "connector and task statuses",
         "Must specify topic for connector status.", "status.storage.partitions", 5},
    };
    int rc = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *name = sl_props_get(worker, t[i].topic_key);
        if (rc == 0 && (name == NULL || name[strspn(name, " \t")] == '\0')) {
            snprintf(err, errlen, "%s", t[i].missing_msg);
            rc = -1;
        }
        t[i].name = sl_xstrdup(name != NULL ? name : "");
        t[i].partitions = t[i].partitions_key != NULL
                              ? get_int(worker, t[i].partitions_key, t[i].dflt_partitions)
                              : 1;
        char key[64];
        snprintf(key, sizeof(key), "%sreplication.factor", t[i].prefix);
        t[i].replication = get_int(worker, key, 3);
        t[i].extra = topic_settings(worker, t[i].prefix);
    }
    if (rc == 0) {
        rc = ensure(worker, t, 3, timeout_ms, err, errlen);
    }
    for (size_t i = 0; i < 3; i++) {
        free(t[i].name);
        sl_props_free(t[i].extra);
    }
    return rc;
}
