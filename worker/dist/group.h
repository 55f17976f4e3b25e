/*
 * group.h — membership of a classic Kafka consumer group with an arbitrary protocol type (here
 * `connect`), for what librdkafka does not expose: FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, negotiated with ApiVersions, over PLAINTEXT, SSL, SASL_PLAINTEXT or
 * SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) through OpenSSL.
 *
 * The member runs its own thread once started: it finds the coordinator, joins, syncs,
 * heartbeats every heartbeat.interval.ms and rejoins on REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID (member id cleared), NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE /
 * COORDINATOR_LOAD_IN_PROGRESS (coordinator looked up again), connection loss (reconnect with
 * backoff), and on sl_group_rejoin(). Callbacks run on the member's thread, one at a time; they
 * may call sl_group_rejoin() but never sl_group_stop().
 */
#ifndef SL_DIST_GROUP_H
#define SL_DIST_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "config/props.h"
#include "util/buf.h"

typedef struct sl_group sl_group;

typedef struct sl_group_conf {
    /* Worker properties: bootstrap.servers, security.protocol, ssl.*, sasl.* (incl. Java's
     * sasl.jaas.config and librdkafka's sasl.username/sasl.password, sasl.mechanism(s)),
     * request.timeout.ms, socket.connection.setup.timeout.ms, retry.backoff.ms,
     * reconnect.backoff.ms, reconnect.backoff.max.ms. Borrowed for the group's life. */
    const sl_props *worker;
    const char *group_id;
    const char *client_id;     /* e.g. "connect-127.0.0.1:8083" */
    const char *protocol_type; /* "connect" */
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int32_t heartbeat_interval_ms;
} sl_group_conf;

/* One offered subprotocol, in preference order. */
typedef struct sl_group_protocol {
    const char *name;
    sl_buf metadata;
} sl_group_protocol;

/* One member as the leader sees it in the JoinGroup response. */
typedef struct sl_group_member {
    const char *member_id;
    const void *metadata; /* for the chosen protocol */
    size_t len;
} sl_group_member;

typedef struct sl_group_callbacks {
    void *arg;
    /* Before every JoinGroup: fill protos[0..*n) (max entries; metadata buffers are initialised
     * and freed by the group). Eager members stop all their work here. Returns 0 or -1 (the join
     * is retried after a backoff). */
    int (*join_prepare)(void *arg, sl_group_protocol *protos, size_t max, size_t *n);
    /* Leader only, after JoinGroup: one assignment per member, out[i] for members[i] (buffers
     * initialised and freed by the group). Returns 0 or -1 (the member rejoins). */
    int (*assign)(void *arg, const char *leader_id, const char *protocol, int32_t generation,
                  const sl_group_member *members, size_t n, sl_buf *out);
    /* Every member after a successful SyncGroup. */
    void (*assigned)(void *arg, const char *protocol, int32_t generation, const char *member_id,
                     const void *assignment, size_t len);
    /* Membership is gone without a new assignment yet: the session expired, the coordinator has
     * been unreachable for about heartbeat.interval.ms, or a heartbeat answered that the
     * generation is over (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID). `reason` is readable.
     * Incremental members stop their work here. Called once per lost assignment; a rejoin
     * follows. REBALANCE_IN_PROGRESS is not a loss: the member just rejoins (join_prepare). */
    void (*lost)(void *arg, const char *reason);
    /* Optional (may be NULL; added by the group engineer): a failure that retrying will not fix
     * (SASL authentication refused, TLS certificate rejected, INCONSISTENT_GROUP_PROTOCOL,
     * INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, GROUP_AUTHORIZATION_FAILED,
     * GROUP_MAX_SIZE_REACHED, no common JoinGroup version). Called once per distinct failure;
     * the member keeps retrying with reconnect.backoff.max.ms between attempts, so the caller
     * decides whether to give up (Java's worker exits). */
    void (*fatal)(void *arg, const char *reason);
} sl_group_callbacks;

/* Validates the security settings; err names the offending key. Nothing is connected yet. */
sl_group *sl_group_new(const sl_group_conf *conf, const sl_group_callbacks *cb, char *err,
                       size_t errlen);
int sl_group_start(sl_group *g, char *err, size_t errlen); /* spawns the member thread */
/* Ask for a new round (thread-safe; from any thread or a callback). */
void sl_group_rejoin(sl_group *g);
/* LeaveGroup (bounded by request.timeout.ms), then join the thread. Idempotent. */
void sl_group_stop(sl_group *g);
void sl_group_destroy(sl_group *g); /* stops first if needed; accepts NULL */

/* Snapshot accessors (thread-safe; copy into the caller's buffer). */
int32_t sl_group_generation(sl_group *g); /* -1 when not in a generation */
void sl_group_member_id(sl_group *g, char *out, size_t outlen);

#endif
