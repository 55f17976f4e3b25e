/*
 * clients.c — librdkafka configurations from Connect's worker and connector keys (see clients.h).
 * Never logs values: client keys carry passwords (sasl.jaas.config, ssl.*.password).
 */
#include "kafka/clients.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

/* Java client keys with no librdkafka meaning: silently ignored (they are always set by tools). */
static const char *const java_only_keys[] = {
    "key.deserializer",
    "value.deserializer",
    "key.serializer",
    "value.serializer",
    "interceptor.classes",
    "default.api.timeout.ms",
    "client.dns.lookup",
    "metric.reporters",
    "metrics.recording.level",
    "metrics.num.samples",
    "metrics.sample.window.ms",
    "exclude.internal.topics",
    "auto.include.jmx.reporter",
    NULL,
};

static bool is_java_only(const char *key)
{
    for (size_t i = 0; java_only_keys[i] != NULL; i++) {
        if (strcmp(key, java_only_keys[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Value of `name="..."` inside a JAAS line; false when absent. */
static bool jaas_value(const char *jaas, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = jaas; (p = strstr(p, name)) != NULL; p += nl) {
        if (p != jaas && !isspace((unsigned char)p[-1])) {
            continue;
        }
        const char *q = p + nl;
        while (isspace((unsigned char)*q)) {
            q++;
        }
        if (*q != '=') {
            continue;
        }
        q++;
        while (isspace((unsigned char)*q)) {
            q++;
        }
        if (*q != '"') {
            continue;
        }
        q++;
        const char *end = strchr(q, '"');
        if (end == NULL || (size_t)(end - q) >= outlen) {
            return false;
        }
        memcpy(out, q, (size_t)(end - q));
        out[end - q] = '\0';
        return true;
    }
    return false;
}

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                    size_t errlen)
{
    char why[256];
    rd_kafka_conf_res_t r = rd_kafka_conf_set(conf, key, value, why, sizeof(why));
    if (r == RD_KAFKA_CONF_OK) {
        return 0;
    }
    if (r == RD_KAFKA_CONF_UNKNOWN) {
        sl_warn("Ignoring client config '%s': librdkafka has no such property", key);
        return 0;
    }
    snprintf(err, errlen, "Invalid value for client config '%s': %s", key, why);
    return -1;
}

/* Java's partition.assignment.strategy class names → librdkafka strategy names. */
static const char *assignor_name(const char *java)
{
    if (strstr(java, "CooperativeSticky") != NULL) {
        return "cooperative-sticky";
    }
    if (strstr(java, "RoundRobin") != NULL) {
        return "roundrobin";
    }
    if (strstr(java, "Range") != NULL) {
        return "range";
    }
    return java;
}

static int apply_one(rd_kafka_conf_t *conf, const char *key, const char *value,
                     int *max_poll_records, char *err, size_t errlen)
{
    if (strcmp(key, "max.poll.records") == 0) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < 1 || v > 1000000) {
            snprintf(err, errlen, "Invalid value %s for configuration max.poll.records", value);
            return -1;
        }
        if (max_poll_records != NULL) {
            *max_poll_records = (int)v;
        }
        return 0;
    }
    if (is_java_only(key)) {
        return 0;
    }
    if (strcmp(key, "sasl.jaas.config") == 0) {
        char user[512], pass[512];
        if (jaas_value(value, "username", user, sizeof(user)) &&
            jaas_value(value, "password", pass, sizeof(pass))) {
            if (conf_set(conf, "sasl.username", user, err, errlen) != 0 ||
                conf_set(conf, "sasl.password", pass, err, errlen) != 0) {
                return -1;
            }
        }
        return 0;
    }
    if (strcmp(key, "partition.assignment.strategy") == 0) {
        return conf_set(conf, key, assignor_name(value), err, errlen);
    }
    return conf_set(conf, key, value, err, errlen);
}

int sl_kafka_conf_apply(rd_kafka_conf_t *conf, const sl_props *p, const char *prefix,
                        int *max_poll_records, char *err, size_t errlen)
{
    if (p == NULL) {
        return 0;
    }
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < sl_props_count(p); i++) {
        const char *key = sl_props_key_at(p, i);
        if (strncmp(key, prefix, plen) != 0 || key[plen] == '\0') {
            continue;
        }
        if (apply_one(conf, key + plen, sl_props_value_at(p, i), max_poll_records, err, errlen) !=
            0) {
            return -1;
        }
    }
    return 0;
}

/* librdkafka's own messages go through the worker's one log API, prefixed with the client id
 * (e.g. "connector-consumer-orders-0"), instead of its "%3|...|FAIL|" lines on stderr. */
static void client_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    int sl_level = level <= 2   ? SL_LOG_ERROR
                   : level <= 4 ? SL_LOG_WARN
                   : level <= 6 ? SL_LOG_INFO
                                : SL_LOG_DEBUG;
    if (sl_level > sl_log_threshold) {
        return;
    }
    char ctx[128];
    snprintf(ctx, sizeof(ctx), "%s", rd_kafka_name(rk));
    char *hash = strchr(ctx, '#'); /* drop librdkafka's "#consumer-2" instance suffix */
    if (hash != NULL) {
        *hash = '\0';
    }
    sl_log_write(sl_level, ctx, "%s: %s", fac, buf);
}

/* Error events repeat what the log callback already said at WARN ("Connect to ... failed");
 * only fatal ones are news. */
static void client_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    int level = err == RD_KAFKA_RESP_ERR__FATAL ? SL_LOG_ERROR : SL_LOG_DEBUG;
    if (level <= sl_log_threshold) {
        sl_log_write(level, rd_kafka_name(rk), "%s: %s", rd_kafka_err2name(err), reason);
    }
}

static rd_kafka_conf_t *base_conf(const sl_props *worker, const char *client_id, char *err,
                                  size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, client_log_cb);
    rd_kafka_conf_set_error_cb(conf, client_error_cb);
    const char *bs = worker ? sl_props_get(worker, "bootstrap.servers") : NULL;
    if (conf_set(conf, "bootstrap.servers", bs ? bs : "localhost:9092", err, errlen) != 0 ||
        conf_set(conf, "client.id", client_id, err, errlen) != 0 ||
        conf_set(conf, "log.connection.close", "false", err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

rd_kafka_conf_t *sl_kafka_consumer_conf(const sl_props *worker, const sl_props *connector,
                                        const char *connector_name, int32_t task_id,
                                        int *max_poll_records, char *err, size_t errlen)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "connector-consumer-%s-%d", connector_name, (int)task_id);
    rd_kafka_conf_t *conf = base_conf(worker, buf, err, errlen);
    if (conf == NULL) {
        return NULL;
    }
    if (max_poll_records != NULL) {
        *max_poll_records = SL_DEFAULT_MAX_POLL_RECORDS;
    }
    snprintf(buf, sizeof(buf), "connect-%s", connector_name);
    if (conf_set(conf, "group.id", buf, err, errlen) != 0 ||
        conf_set(conf, "enable.auto.commit", "false", err, errlen) != 0 ||
        conf_set(conf, "enable.auto.offset.store", "false", err, errlen) != 0 ||
        conf_set(conf, "auto.offset.reset", "earliest", err, errlen) != 0 ||
        conf_set(conf, "enable.partition.eof", "false", err, errlen) != 0 ||
        /* librdkafka 2.0 stops fetching once its prefetch queue holds queued.min.messages
         * (100000) messages and looks again only when its broker thread next wakes, up to a
         * second later; with small records a fast sink drains 100000 long before that and
         * idles. Java's consumer has no such count limit: leave only the byte limit, and keep
         * that small (8 MiB of record values instead of librdkafka's 64 MiB; fetch.max.bytes
         * follows it): the task wakes the fetchers itself when it has drained the queue
         * (kafka/prefetch.h), so a bigger queue buys no speed, only RSS and cache misses.
         * Overridable with consumer.* and consumer.override.*. */
        conf_set(conf, "queued.min.messages", "10000000", err, errlen) != 0 ||
        conf_set(conf, "queued.max.messages.kbytes", SL_DEFAULT_PREFETCH_KBYTES, err, errlen) !=
            0 ||
        sl_kafka_conf_apply(conf, worker, "consumer.", max_poll_records, err, errlen) != 0 ||
        sl_kafka_conf_apply(conf, connector, "consumer.override.", max_poll_records, err, errlen) !=
            0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

rd_kafka_conf_t *sl_kafka_producer_conf(const sl_props *worker, const sl_props *connector,
                                        const char *client_id, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = base_conf(worker, client_id, err, errlen);
    if (conf == NULL) {
        return NULL;
    }
    if (sl_kafka_conf_apply(conf, worker, "producer.", NULL, err, errlen) != 0 ||
        sl_kafka_conf_apply(conf, connector, "producer.override.", NULL, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

rd_kafka_conf_t *sl_kafka_admin_conf(const sl_props *worker, const sl_props *connector,
                                     const char *client_id, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = base_conf(worker, client_id, err, errlen);
    if (conf == NULL) {
        return NULL;
    }
    if (sl_kafka_conf_apply(conf, worker, "admin.", NULL, err, errlen) != 0 ||
        sl_kafka_conf_apply(conf, connector, "admin.override.", NULL, err, errlen) != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

/* ---- ApiVersions probe ---- */

#define API_VERSIONS 18

static int read_full(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 3000) <= 0) {
            return -1;
        }
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int sl_kafka_broker_has_api(const char *bootstrap, const char *security_protocol, int16_t api)
{
    if (security_protocol != NULL && strcasecmp(security_protocol, "PLAINTEXT") != 0) {
        return -1;
    }
    const char *bs = bootstrap;
    char host[256];
    snprintf(host, sizeof(host), "%s", bs ? bs : "localhost:9092");
    host[strcspn(host, ",")] = '\0';
    char *h = host;
    if (strncmp(h, "PLAINTEXT://", 12) == 0) {
        h += 12;
    }
    char *colon = strrchr(h, ':');
    if (colon == NULL) {
        return -1;
    }
    *colon = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(h, colon + 1, &hints, &ai) != 0) {
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    int result = -1;
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        static const unsigned char req[] = {0, 0, 0, 12, 0, API_VERSIONS, 0,  0, 0,
                                            0, 0, 7, 0,  2, 's',          'l'};
        unsigned char hdr[4];
        if (write(fd, req, sizeof(req)) == (ssize_t)sizeof(req) && read_full(fd, hdr, 4) == 0) {
            uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | hdr[2] << 8 | hdr[3];
            unsigned char *body = len >= 10 && len < 65536 ? sl_xmalloc(len) : NULL;
            if (body != NULL && read_full(fd, body, len) == 0) {
                uint32_t n =
                    (uint32_t)body[6] << 24 | (uint32_t)body[7] << 16 | body[8] << 8 | body[9];
                result = 0;
                for (uint32_t i = 0; i < n && 10 + (size_t)i * 6 + 6 <= len; i++) {
                    int16_t key = (int16_t)(body[10 + i * 6] << 8 | body[11 + i * 6]);
                    if (key == api) {
                        result = 1;
                    }
                }
            }
            free(body);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    freeaddrinfo(ai);
    return result;
}
