/*
 * group.c — the classic group membership client (group.h): one member thread that finds the
 * coordinator, joins, syncs, heartbeats and rejoins, calling the owner's callbacks. All network
 * waits are bounded and cut short by sl_group_stop. Never logs credentials.
 */
#define _GNU_SOURCE /* pipe2 */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist/kconn.h"
#include "dist/kmsg.h"
#include "dist/ksec.h"
#include "dist/kwire.h"
#include "util/log.h"
#include "util/mem.h"

#define MAX_PROTOCOLS        8
#define ERRLEN               512
#define LEADER_SYNC_DELAY_MS 100
#define MEMBER_ID_MAX        1024 /* client.id (a few hundred bytes at most) + "-" + a UUID */

typedef struct broker_addr {
    char *host;
    int port;
} broker_addr;

struct sl_group {
    /* configuration (immutable after new) */
    char *group_id;
    char *client_id;
    char *protocol_type;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int32_t heartbeat_interval_ms;
    int request_timeout_ms;
    int connect_timeout_ms; /* connect + TLS + SASL: socket.connection.setup.timeout.ms */
    int retry_backoff_ms;
    int reconnect_backoff_ms;
    int reconnect_backoff_max_ms;
    broker_addr *bootstrap;
    size_t n_bootstrap;
    sl_group_callbacks cb;
    sl_ksec_conf sec;
    sl_ktls *tls;

    /* thread control */
    pthread_t thread;
    bool started;
    bool joined;
    atomic_bool stop;
    atomic_bool rejoin;
    int wake[2];

    /* snapshot for accessors */
    pthread_mutex_t lock;
    int32_t generation;
    char member_id[MEMBER_ID_MAX];

    /* member-thread state */
    sl_kconn *coord;
    char coord_host[256];
    int coord_port;
    bool coord_known;
    int64_t coord_unknown_since; /* 0 = known */
    size_t next_bootstrap;
    bool need_join;
    bool assigned; /* holds an assignment not yet reported lost */
    int64_t last_hb_ok;
    int64_t next_hb;
    int backoff_ms;
    char last_fatal[ERRLEN];
    int64_t last_nocoord_log;
    uint64_t rng; /* backoff jitter */
    sl_buf req;
    sl_buf resp;
};

/* ------------------------------------------------------------- small helpers */

static void set_generation(sl_group *g, int32_t gen, const char *member_id)
{
    pthread_mutex_lock(&g->lock);
    g->generation = gen;
    if (member_id != NULL) {
        snprintf(g->member_id, sizeof g->member_id, "%s", member_id);
    }
    pthread_mutex_unlock(&g->lock);
}

static void my_member_id(sl_group *g, char *out, size_t outlen)
{
    pthread_mutex_lock(&g->lock);
    snprintf(out, outlen, "%s", g->member_id);
    pthread_mutex_unlock(&g->lock);
}

static void drain_wake(sl_group *g)
{
    char tmp[64];
    while (read(g->wake[0], tmp, sizeof tmp) > 0) {
    }
}

/* Sleeps up to ms; returns early on stop or rejoin. */
static void idle_wait(sl_group *g, int64_t ms)
{
    if (ms <= 0 || atomic_load(&g->stop)) {
        return;
    }
    struct pollfd p = {g->wake[0], POLLIN, 0};
    if (poll(&p, 1, (int)(ms > 60000 ? 60000 : ms)) > 0) {
        drain_wake(g);
    }
}

/* Sleeps the whole of ms unless the member stops (then returns true). A rejoin request only
 * wakes the poll: its flag stays set for the caller's next round. */
static bool sleep_unless_stopped(sl_group *g, int64_t ms)
{
    int64_t until = sl_kconn_now_ms() + ms;
    while (!atomic_load(&g->stop) && sl_kconn_now_ms() < until) {
        struct pollfd p = {g->wake[0], POLLIN, 0};
        int64_t left = until - sl_kconn_now_ms();
        if (left > 0 && poll(&p, 1, (int)left) > 0) {
            drain_wake(g);
        }
    }
    return atomic_load(&g->stop);
}

static void backoff_wait(sl_group *g)
{
    if (g->backoff_ms <= 0) {
        g->backoff_ms = g->reconnect_backoff_ms > 0 ? g->reconnect_backoff_ms : 50;
    } else {
        g->backoff_ms *= 2;
    }
    if (g->backoff_ms > g->reconnect_backoff_max_ms) {
        g->backoff_ms = g->reconnect_backoff_max_ms;
    }
    /* ±20% jitter like Kafka's clients, so members do not retry in lockstep */
    g->rng = g->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    sleep_unless_stopped(g, g->backoff_ms * (int64_t)(80 + (g->rng >> 33) % 41) / 100);
}

static void report_fatal(sl_group *g, const char *why)
{
    if (strcmp(g->last_fatal, why) != 0) {
        sl_error("group %s: %s", g->group_id, why);
        snprintf(g->last_fatal, sizeof g->last_fatal, "%s", why);
        if (g->cb.fatal != NULL) {
            g->cb.fatal(g->cb.arg, why);
        }
    }
    g->backoff_ms = g->reconnect_backoff_max_ms; /* slowest retries from now on */
}

static void mark_lost(sl_group *g, const char *reason)
{
    set_generation(g, -1, NULL);
    g->need_join = true;
    if (!g->assigned) {
        return;
    }
    g->assigned = false;
    sl_warn("group %s: membership lost: %s", g->group_id, reason);
    if (g->cb.lost != NULL) {
        g->cb.lost(g->cb.arg, reason);
    }
}

static void coordinator_dead(sl_group *g, const char *why)
{
    if (g->coord != NULL || g->coord_known) {
        sl_info("group %s: coordinator %s:%d unusable (%s); looking it up again", g->group_id,
                g->coord_host, g->coord_port, why);
    }
    sl_kconn_close(g->coord);
    g->coord = NULL;
    g->coord_known = false;
    if (g->coord_unknown_since == 0) {
        g->coord_unknown_since = sl_kconn_now_ms();
    }
}

static bool coordinator_error(int16_t e)
{
    return e == SL_KERR_COORDINATOR_LOAD_IN_PROGRESS || e == SL_KERR_COORDINATOR_NOT_AVAILABLE ||
           e == SL_KERR_NOT_COORDINATOR;
}

static bool fatal_group_error(int16_t e)
{
    return e == SL_KERR_INCONSISTENT_GROUP_PROTOCOL || e == SL_KERR_INVALID_GROUP_ID ||
           e == SL_KERR_INVALID_SESSION_TIMEOUT || e == SL_KERR_GROUP_AUTHORIZATION_FAILED ||
           e == SL_KERR_GROUP_MAX_SIZE_REACHED;
}

static void group_error_fatal(sl_group *g, const char *api, int16_t e)
{
    char why[ERRLEN];
    snprintf(why, sizeof why, "%s failed: %s (%d)%s", api, sl_kw_err_name(e), e,
             e == SL_KERR_INVALID_SESSION_TIMEOUT
                 ? ": session.timeout.ms is outside the broker's group.min/max.session.timeout.ms"
             : e == SL_KERR_INCONSISTENT_GROUP_PROTOCOL
                 ? ": another member of this group.id uses a different protocol type or no "
                   "common subprotocol"
                 : "");
    report_fatal(g, why);
}

static sl_kconn *connect_to(sl_group *g, const char *host, int port, bool abortable, char *err,
                            size_t errlen)
{
    sl_kconn_opts o = {
        .sec = &g->sec,
        .tls = g->tls,
        .client_id = g->client_id,
        .timeout_ms = g->connect_timeout_ms,
        .wake_fd = abortable ? g->wake[0] : -1,
        .stop = abortable ? &g->stop : NULL,
    };
    int rc;
    sl_kconn *c = sl_kconn_open(host, port, &o, &rc, err, errlen);
    if (c == NULL && rc == SL_KCONN_EFATAL) {
        report_fatal(g, err);
    }
    return c;
}

/* One call on the coordinator connection; any transport failure marks the coordinator dead. */
static int coord_call(sl_group *g, int32_t corr, int16_t api, int16_t ver, int timeout_ms,
                      sl_kw_reader *body)
{
    char err[ERRLEN];
    int rc = sl_kconn_call(g->coord, &g->req, corr, api, ver, timeout_ms, &g->resp, body, err,
                           sizeof err);
    if (rc != SL_KCONN_OK) {
        if (rc != SL_KCONN_ESTOP) {
            coordinator_dead(g, err);
        } else {
            sl_kconn_close(g->coord); /* a response may be pending: the connection is spent */
            g->coord = NULL;
        }
    }
    return rc;
}

/* ------------------------------------------------------------- FindCoordinator */

static int find_coordinator_on(sl_group *g, const broker_addr *b, char *err, size_t errlen)
{
    sl_kconn *c = connect_to(g, b->host, b->port, true, err, errlen);
    if (c == NULL) {
        sl_debug("group %s: bootstrap %s:%d: %s", g->group_id, b->host, b->port, err);
        return -1;
    }
    int16_t ver = sl_kconn_version(c, SL_KAPI_FIND_COORDINATOR);
    if (ver < 0) {
        snprintf(err, errlen, "%s: the broker supports no FindCoordinator version >= 1",
                 sl_kconn_peer(c));
        report_fatal(g, err);
        sl_kconn_close(c);
        return -1;
    }
    int32_t corr = sl_kconn_next_corr(c);
    sl_kmsg_find_coordinator_req(&g->req, ver, corr, g->client_id, g->group_id);
    sl_kw_reader body;
    int rc = sl_kconn_call(c, &g->req, corr, SL_KAPI_FIND_COORDINATOR, ver, g->request_timeout_ms,
                           &g->resp, &body, err, errlen);
    sl_kmsg_coord co;
    if (rc == SL_KCONN_OK &&
        sl_kmsg_find_coordinator_resp(body.p + body.off, sl_kw_remaining(&body), ver, g->group_id,
                                      &co) != 0) {
        snprintf(err, errlen, "%s: malformed FindCoordinator v%d response", sl_kconn_peer(c), ver);
        rc = SL_KCONN_EIO;
    }
    sl_kconn_close(c);
    if (rc != SL_KCONN_OK) {
        sl_debug("group %s: FindCoordinator: %s", g->group_id, err);
        return -1;
    }
    if (co.err != 0) {
        if (co.err == SL_KERR_GROUP_AUTHORIZATION_FAILED) {
            group_error_fatal(g, "FindCoordinator", co.err);
        } else {
            snprintf(err, errlen, "FindCoordinator answered %s (%d) %s", sl_kw_err_name(co.err),
                     co.err, co.err_msg);
            sl_debug("group %s: %s", g->group_id, err);
        }
        return -1;
    }
    snprintf(g->coord_host, sizeof g->coord_host, "%s", co.host);
    g->coord_port = co.port;
    g->coord_known = true;
    sl_info("group %s: coordinator is broker %d at %s:%d", g->group_id, co.node_id, co.host,
            co.port);
    return 0;
}

/* Finds (each bootstrap broker in turn) and connects to the coordinator. */
static int ensure_coordinator(sl_group *g)
{
    if (g->coord != NULL) {
        return 0;
    }
    if (!g->coord_known) {
        bool found = false;
        char err[ERRLEN] = "";
        for (size_t i = 0; i < g->n_bootstrap && !atomic_load(&g->stop); i++) {
            const broker_addr *b = &g->bootstrap[(g->next_bootstrap + i) % g->n_bootstrap];
            if (find_coordinator_on(g, b, err, sizeof err) == 0) {
                found = true;
                break;
            }
        }
        g->next_bootstrap = (g->next_bootstrap + 1) % g->n_bootstrap;
        if (!found) {
            /* visible, but at most every 10 s while nothing answers */
            int64_t now = sl_kconn_now_ms();
            if (!atomic_load(&g->stop) && now - g->last_nocoord_log >= 10000) {
                sl_warn("group %s: no coordinator found yet on any of bootstrap.servers (last: %s)",
                        g->group_id, err);
                g->last_nocoord_log = now;
            }
            return -1;
        }
    }
    char err[ERRLEN];
    g->coord = connect_to(g, g->coord_host, g->coord_port, true, err, sizeof err);
    if (g->coord == NULL) {
        sl_info("group %s: cannot reach the coordinator: %s", g->group_id, err);
        g->coord_known = false;
        return -1;
    }
    if (sl_kconn_version(g->coord, SL_KAPI_JOIN_GROUP) < 0 ||
        sl_kconn_version(g->coord, SL_KAPI_SYNC_GROUP) < 0 ||
        sl_kconn_version(g->coord, SL_KAPI_HEARTBEAT) < 0) {
        snprintf(err, sizeof err,
                 "%s: the coordinator supports no JoinGroup (v2+), SyncGroup or Heartbeat version "
                 "this client implements",
                 sl_kconn_peer(g->coord));
        report_fatal(g, err);
        sl_kconn_close(g->coord);
        g->coord = NULL;
        return -1;
    }
    g->coord_unknown_since = 0;
    return 0;
}

/* ------------------------------------------------------------- JoinGroup + SyncGroup */

/* Handles the errors JoinGroup and SyncGroup share. Returns 0 to rejoin at once, -1 to back off. */
static int join_sync_error(sl_group *g, const char *api, int16_t e)
{
    char why[ERRLEN];
    if (coordinator_error(e)) {
        snprintf(why, sizeof why, "%s answered %s", api, sl_kw_err_name(e));
        coordinator_dead(g, why);
        return -1;
    }
    switch (e) {
    case SL_KERR_UNKNOWN_MEMBER_ID:
        set_generation(g, -1, "");
        snprintf(why, sizeof why, "%s answered UNKNOWN_MEMBER_ID", api);
        mark_lost(g, why);
        return 0;
    case SL_KERR_ILLEGAL_GENERATION:
        snprintf(why, sizeof why, "%s answered ILLEGAL_GENERATION", api);
        mark_lost(g, why);
        return 0;
    case SL_KERR_REBALANCE_IN_PROGRESS:
        return 0;
    default:
        if (fatal_group_error(e)) {
            group_error_fatal(g, api, e);
        } else {
            sl_warn("group %s: %s failed: %s (%d); retrying", g->group_id, api, sl_kw_err_name(e),
                    e);
        }
        return -1;
    }
}

static int sync_group(sl_group *g, const sl_kmsg_join_resp *jr, const char *member_id)
{
    bool leader = strcmp(jr->leader, member_id) == 0;
    size_t cap = jr->n_members > 0 ? jr->n_members : 1; /* from the wire: heap, not stack */
    sl_buf *out = sl_xcalloc(cap, sizeof *out);
    sl_kmsg_assignment *asg = sl_xcalloc(cap, sizeof *asg);
    sl_group_member *members = sl_xcalloc(cap, sizeof *members);
    size_t n_asg = 0;
    int rc = 0;
    if (leader && !jr->skip_assignment) {
        for (size_t i = 0; i < jr->n_members; i++) {
            members[i].member_id = jr->members[i].member_id;
            members[i].metadata = jr->members[i].metadata;
            members[i].len = jr->members[i].len;
        }
        sl_info("group %s: generation %d: leader of %zu member(s), protocol %s", g->group_id,
                jr->generation, jr->n_members, jr->protocol_name);
        if (g->cb.assign == NULL ||
            g->cb.assign(g->cb.arg, jr->leader, jr->protocol_name, jr->generation, members,
                         jr->n_members, out) != 0) {
            sl_warn("group %s: the assignor failed; rejoining", g->group_id);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < jr->n_members; i++) {
            asg[i].member_id = jr->members[i].member_id;
            asg[i].data = out[i].data ? out[i].data : "";
            asg[i].len = out[i].len;
            n_asg++;
        }
    }
    if (rc == 0 && leader) {
        /* Give followers' SyncGroup a head start: a broker that completes the round on the
         * leader's SyncGroup (librdkafka's mock) bounces followers that arrive later with
         * REBALANCE_IN_PROGRESS; Kafka itself holds either order. Costs nothing: followers wait
         * for the leader anyway. A pending rejoin request must not cut it short: it did, and
         * under load the followers then lost every round to the leader until their sessions
         * expired. */
        if (sleep_unless_stopped(g, LEADER_SYNC_DELAY_MS)) {
            rc = -1;
        }
    }
    if (rc == 0) {
        int16_t ver = sl_kconn_version(g->coord, SL_KAPI_SYNC_GROUP);
        sl_kmsg_sync_req s = {
            .group_id = g->group_id,
            .generation = jr->generation,
            .member_id = member_id,
            .protocol_type = g->protocol_type,
            .protocol_name = jr->protocol_name,
            .assignments = asg,
            .n_assignments = n_asg,
        };
        int32_t corr = sl_kconn_next_corr(g->coord);
        sl_kmsg_sync_group_req(&g->req, ver, corr, g->client_id, &s);
        sl_kw_reader body;
        rc = coord_call(g, corr, SL_KAPI_SYNC_GROUP, ver,
                        g->rebalance_timeout_ms + g->request_timeout_ms, &body);
        sl_kmsg_sync_resp sr;
        if (rc == SL_KCONN_OK &&
            sl_kmsg_sync_group_resp(body.p + body.off, sl_kw_remaining(&body), ver, &sr) != 0) {
            coordinator_dead(g, "malformed SyncGroup response");
            rc = -1;
        } else if (rc == SL_KCONN_OK && sr.err != 0) {
            rc = join_sync_error(g, "SyncGroup", sr.err) == 0 ? 1 : -1;
        } else if (rc == SL_KCONN_OK) {
            int64_t now = sl_kconn_now_ms();
            set_generation(g, jr->generation, member_id);
            g->assigned = true;
            g->need_join = false;
            g->last_hb_ok = now;
            g->next_hb = now + g->heartbeat_interval_ms;
            g->backoff_ms = 0;
            g->last_fatal[0] = '\0';
            sl_info("group %s: joined generation %d as %s%s (protocol %s)", g->group_id,
                    jr->generation, member_id, leader ? ", leader" : "", jr->protocol_name);
            if (g->cb.assigned != NULL) {
                g->cb.assigned(g->cb.arg, jr->protocol_name, jr->generation, member_id,
                               sr.assignment.ptr ? sr.assignment.ptr : "", sr.assignment.len);
            }
        } else {
            rc = -1;
        }
    }
    for (size_t i = 0; i < jr->n_members; i++) {
        sl_buf_free(&out[i]);
    }
    free(out);
    free(asg);
    free(members);
    return rc; /* 0 done, 1 rejoin now, -1 back off */
}

/* One full round. 0 = member of a generation, 1 = rejoin at once, -1 = back off first. */
static int join_group(sl_group *g)
{
    atomic_store(&g->rejoin, false);
    g->need_join = true; /* until a SyncGroup succeeds, whatever fails below */
    sl_group_protocol protos[MAX_PROTOCOLS];
    size_t n = 0;
    for (size_t i = 0; i < MAX_PROTOCOLS; i++) {
        protos[i].name = NULL;
        sl_buf_init(&protos[i].metadata);
    }
    int rc = g->cb.join_prepare(g->cb.arg, protos, MAX_PROTOCOLS, &n);
    if (rc != 0 || n == 0 || n > MAX_PROTOCOLS) {
        sl_warn("group %s: join_prepare failed; retrying after a backoff", g->group_id);
        rc = -1;
    }
    sl_kmsg_proto kp[MAX_PROTOCOLS];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        kp[i].name = protos[i].name;
        kp[i].metadata = protos[i].metadata.data ? protos[i].metadata.data : "";
        kp[i].len = protos[i].metadata.len;
    }
    for (int attempt = 0; rc == 0 && attempt < 3; attempt++) {
        char member_id[MEMBER_ID_MAX];
        my_member_id(g, member_id, sizeof member_id);
        int16_t ver = sl_kconn_version(g->coord, SL_KAPI_JOIN_GROUP);
        sl_kmsg_join_req j = {
            .group_id = g->group_id,
            .session_timeout_ms = g->session_timeout_ms,
            .rebalance_timeout_ms = g->rebalance_timeout_ms,
            .member_id = member_id,
            .protocol_type = g->protocol_type,
            .protocols = kp,
            .n_protocols = n,
            .reason = NULL,
        };
        int32_t corr = sl_kconn_next_corr(g->coord);
        sl_kmsg_join_group_req(&g->req, ver, corr, g->client_id, &j);
        sl_kw_reader body;
        sl_debug("group %s: JoinGroup v%d as '%s'", g->group_id, ver, member_id);
        if (coord_call(g, corr, SL_KAPI_JOIN_GROUP, ver,
                       g->rebalance_timeout_ms + g->request_timeout_ms, &body) != SL_KCONN_OK) {
            rc = -1;
            break;
        }
        sl_kmsg_join_resp jr;
        if (sl_kmsg_join_group_resp(body.p + body.off, sl_kw_remaining(&body), ver, &jr) != 0) {
            coordinator_dead(g, "malformed JoinGroup response");
            rc = -1;
            break;
        }
        if (jr.err == SL_KERR_MEMBER_ID_REQUIRED) {
            set_generation(g, -1, jr.member_id);
            sl_kmsg_join_resp_free(&jr);
            continue; /* join again at once with the id the broker gave */
        }
        if (jr.err != 0) {
            rc = join_sync_error(g, "JoinGroup", jr.err) == 0 ? 1 : -1;
            sl_kmsg_join_resp_free(&jr);
            break;
        }
        if (jr.protocol_name == NULL) {
            jr.protocol_name = sl_xstrdup("");
        }
        set_generation(g, -1, jr.member_id);
        rc = sync_group(g, &jr, jr.member_id);
        sl_kmsg_join_resp_free(&jr);
        break;
    }
    for (size_t i = 0; i < MAX_PROTOCOLS; i++) {
        sl_buf_free(&protos[i].metadata);
    }
    return rc;
}

/* ------------------------------------------------------------- Heartbeat, LeaveGroup */

static void heartbeat(sl_group *g)
{
    char member_id[MEMBER_ID_MAX];
    my_member_id(g, member_id, sizeof member_id);
    int32_t gen = sl_group_generation(g);
    int16_t ver = sl_kconn_version(g->coord, SL_KAPI_HEARTBEAT);
    int32_t corr = sl_kconn_next_corr(g->coord);
    sl_kmsg_heartbeat_req(&g->req, ver, corr, g->client_id, g->group_id, gen, member_id);
    sl_kw_reader body;
    int timeout = g->request_timeout_ms < g->session_timeout_ms ? g->request_timeout_ms
                                                                : g->session_timeout_ms;
    int64_t sent = sl_kconn_now_ms();
    g->next_hb = sent + g->heartbeat_interval_ms;
    if (coord_call(g, corr, SL_KAPI_HEARTBEAT, ver, timeout, &body) != SL_KCONN_OK) {
        return;
    }
    int16_t e = 0;
    if (sl_kmsg_heartbeat_resp(body.p + body.off, sl_kw_remaining(&body), ver, &e) != 0) {
        coordinator_dead(g, "malformed Heartbeat response");
        return;
    }
    if (e == 0) {
        g->last_hb_ok = sent;
        return;
    }
    char why[ERRLEN];
    snprintf(why, sizeof why, "Heartbeat answered %s", sl_kw_err_name(e));
    if (coordinator_error(e)) {
        coordinator_dead(g, why);
    } else if (e == SL_KERR_REBALANCE_IN_PROGRESS) {
        sl_info("group %s: rebalance in progress; rejoining", g->group_id);
        g->need_join = true;
        g->last_hb_ok = sent;
    } else if (e == SL_KERR_UNKNOWN_MEMBER_ID) {
        set_generation(g, -1, "");
        mark_lost(g, why);
    } else if (e == SL_KERR_ILLEGAL_GENERATION) {
        mark_lost(g, why);
    } else if (fatal_group_error(e)) {
        group_error_fatal(g, "Heartbeat", e);
        mark_lost(g, why);
    } else {
        sl_warn("group %s: %s (%d)", g->group_id, why, e);
    }
}

/* Best effort, bounded by request.timeout.ms; never aborted by the stop flag. */
static void leave_group(sl_group *g)
{
    char member_id[MEMBER_ID_MAX];
    my_member_id(g, member_id, sizeof member_id);
    if (member_id[0] == '\0') {
        return;
    }
    char err[ERRLEN];
    if (g->coord == NULL && g->coord_known) {
        g->coord = connect_to(g, g->coord_host, g->coord_port, false, err, sizeof err);
    }
    if (g->coord == NULL) {
        sl_debug("group %s: no coordinator to send LeaveGroup to", g->group_id);
        return;
    }
    sl_kconn_ignore_stop(g->coord);
    int16_t ver = sl_kconn_version(g->coord, SL_KAPI_LEAVE_GROUP);
    if (ver < 0) {
        return;
    }
    int32_t corr = sl_kconn_next_corr(g->coord);
    sl_kmsg_leave_group_req(&g->req, ver, corr, g->client_id, g->group_id, member_id,
                            "the worker is stopping");
    sl_kw_reader body;
    int rc = sl_kconn_call(g->coord, &g->req, corr, SL_KAPI_LEAVE_GROUP, ver, g->request_timeout_ms,
                           &g->resp, &body, err, sizeof err);
    int16_t e = 0;
    if (rc == SL_KCONN_OK &&
        sl_kmsg_leave_group_resp(body.p + body.off, sl_kw_remaining(&body), ver, &e) == 0) {
        sl_info("group %s: left the group (%s)", g->group_id, e ? sl_kw_err_name(e) : "ok");
    } else {
        sl_info("group %s: LeaveGroup got no answer: %s", g->group_id,
                rc == SL_KCONN_OK ? "malformed response" : err);
    }
    set_generation(g, -1, "");
}

/* ------------------------------------------------------------- member thread */

static void check_timers(sl_group *g)
{
    int64_t now = sl_kconn_now_ms();
    char why[ERRLEN];
    if (g->assigned && g->coord_unknown_since != 0 &&
        now - g->coord_unknown_since >= g->heartbeat_interval_ms) {
        snprintf(why, sizeof why, "the coordinator has been unreachable for %lld ms",
                 (long long)(now - g->coord_unknown_since));
        mark_lost(g, why);
    }
    if (g->assigned && now - g->last_hb_ok >= g->session_timeout_ms) {
        snprintf(why, sizeof why, "no successful heartbeat for %lld ms (session.timeout.ms %d)",
                 (long long)(now - g->last_hb_ok), g->session_timeout_ms);
        mark_lost(g, why);
    }
}

static void *member_main(void *arg)
{
    sl_group *g = arg;
    g->need_join = true;
    while (!atomic_load(&g->stop)) {
        check_timers(g);
        if (ensure_coordinator(g) != 0) {
            if (!atomic_load(&g->stop)) {
                backoff_wait(g);
            }
            continue;
        }
        if (g->need_join || atomic_load(&g->rejoin)) {
            int rc = join_group(g);
            if (rc < 0 && !atomic_load(&g->stop)) {
                backoff_wait(g);
            }
            continue;
        }
        int64_t now = sl_kconn_now_ms();
        if (now < g->next_hb) {
            idle_wait(g, g->next_hb - now);
            continue;
        }
        heartbeat(g);
    }
    leave_group(g);
    sl_kconn_close(g->coord);
    g->coord = NULL;
    return NULL;
}

/* ------------------------------------------------------------- API */

static int parse_bootstrap(sl_group *g, const char *list, char *err, size_t errlen)
{
    char *copy = sl_xstrdup(list ? list : "");
    char *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ", \t", &save); tok != NULL;
         tok = strtok_r(NULL, ", \t", &save)) {
        char *s = strstr(tok, "://");
        s = s ? s + 3 : tok;
        char *host = s, *colon;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (close == NULL || close[1] != ':') {
                rc = -1;
                break;
            }
            host = s + 1;
            *close = '\0';
            colon = close + 1;
        } else {
            colon = strrchr(s, ':');
            if (colon == NULL) {
                rc = -1;
                break;
            }
            *colon = '\0';
        }
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*host == '\0' || *end != '\0' || port <= 0 || port > 65535) {
            rc = -1;
            break;
        }
        g->bootstrap = sl_xrealloc(g->bootstrap, (g->n_bootstrap + 1) * sizeof *g->bootstrap);
        g->bootstrap[g->n_bootstrap].host = sl_xstrdup(host);
        g->bootstrap[g->n_bootstrap].port = (int)port;
        g->n_bootstrap++;
    }
    free(copy);
    if (rc != 0 || g->n_bootstrap == 0) {
        snprintf(err, errlen, "bootstrap.servers: expected host:port[,host:port...], got '%s'",
                 list ? list : "");
        return -1;
    }
    return 0;
}

static int prop_int(const sl_props *p, const char *key, int dflt)
{
    int64_t v = p ? sl_props_get_long(p, key, dflt) : dflt;
    return v < 0 || v > INT32_MAX ? dflt : (int)v;
}

sl_group *sl_group_new(const sl_group_conf *conf, const sl_group_callbacks *cb, char *err,
                       size_t errlen)
{
    if (conf == NULL || cb == NULL || conf->group_id == NULL || *conf->group_id == '\0') {
        snprintf(err, errlen, "group.id: required");
        return NULL;
    }
    if (cb->join_prepare == NULL || cb->assigned == NULL) {
        snprintf(err, errlen, "group: join_prepare and assigned callbacks are required");
        return NULL;
    }
    if (conf->session_timeout_ms <= 0 || conf->heartbeat_interval_ms <= 0 ||
        conf->rebalance_timeout_ms <= 0 ||
        conf->heartbeat_interval_ms >= conf->session_timeout_ms) {
        snprintf(err, errlen,
                 "heartbeat.interval.ms: must be positive and below session.timeout.ms (got %d "
                 "and %d; rebalance.timeout.ms %d)",
                 conf->heartbeat_interval_ms, conf->session_timeout_ms, conf->rebalance_timeout_ms);
        return NULL;
    }
    sl_group *g = sl_xcalloc(1, sizeof *g);
    g->wake[0] = g->wake[1] = -1;
    pthread_mutex_init(&g->lock, NULL);
    g->generation = -1;
    const sl_props *p = conf->worker;
    if (parse_bootstrap(g, p ? sl_props_get(p, "bootstrap.servers") : NULL, err, errlen) != 0 ||
        (p != NULL && sl_ksec_conf_parse(p, &g->sec, err, errlen) != 0)) {
        sl_group_destroy(g);
        return NULL;
    }
    if (g->sec.ssl && (g->tls = sl_ktls_new(&g->sec, err, errlen)) == NULL) {
        sl_group_destroy(g);
        return NULL;
    }
    g->group_id = sl_xstrdup(conf->group_id);
    g->client_id = sl_xstrdup(conf->client_id ? conf->client_id : "sluice");
    g->protocol_type = sl_xstrdup(conf->protocol_type ? conf->protocol_type : "connect");
    g->session_timeout_ms = conf->session_timeout_ms;
    g->rebalance_timeout_ms = conf->rebalance_timeout_ms;
    g->heartbeat_interval_ms = conf->heartbeat_interval_ms;
    g->request_timeout_ms = prop_int(p, "request.timeout.ms", 40000);
    if (g->request_timeout_ms <= 0) {
        g->request_timeout_ms = 40000;
    }
    g->connect_timeout_ms = prop_int(p, "socket.connection.setup.timeout.ms", 10000);
    if (g->connect_timeout_ms <= 0 || g->connect_timeout_ms > g->request_timeout_ms) {
        g->connect_timeout_ms = g->request_timeout_ms;
    }
    g->retry_backoff_ms = prop_int(p, "retry.backoff.ms", 100);
    g->reconnect_backoff_ms = prop_int(p, "reconnect.backoff.ms", 50);
    g->reconnect_backoff_max_ms = prop_int(p, "reconnect.backoff.max.ms", 1000);
    if (g->reconnect_backoff_max_ms < g->reconnect_backoff_ms) {
        g->reconnect_backoff_max_ms = g->reconnect_backoff_ms;
    }
    if (g->reconnect_backoff_max_ms < g->retry_backoff_ms) {
        g->reconnect_backoff_max_ms = g->retry_backoff_ms;
    }
    g->cb = *cb;
    g->rng = (uint64_t)sl_kconn_now_ms() ^ (uint64_t)(uintptr_t)g;
    if (pipe2(g->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "group: pipe failed: %s", strerror(errno));
        sl_group_destroy(g);
        return NULL;
    }
    return g;
}

int sl_group_start(sl_group *g, char *err, size_t errlen)
{
    if (g->started) {
        snprintf(err, errlen, "group %s: already started", g->group_id);
        return -1;
    }
    atomic_store(&g->stop, false);
    int rc = pthread_create(&g->thread, NULL, member_main, g);
    if (rc != 0) {
        snprintf(err, errlen, "group %s: cannot start the member thread: %s", g->group_id,
                 strerror(rc));
        return -1;
    }
    g->started = true;
    return 0;
}

void sl_group_rejoin(sl_group *g)
{
    if (g == NULL) {
        return;
    }
    atomic_store(&g->rejoin, true);
    if (g->wake[1] >= 0) {
        ssize_t w = write(g->wake[1], "r", 1);
        (void)w;
    }
}

void sl_group_stop(sl_group *g)
{
    if (g == NULL || !g->started || g->joined) {
        return;
    }
    atomic_store(&g->stop, true);
    ssize_t w = write(g->wake[1], "s", 1);
    (void)w;
    pthread_join(g->thread, NULL);
    g->joined = true;
}

void sl_group_destroy(sl_group *g)
{
    if (g == NULL) {
        return;
    }
    sl_group_stop(g);
    for (size_t i = 0; i < g->n_bootstrap; i++) {
        free(g->bootstrap[i].host);
    }
    free(g->bootstrap);
    sl_ktls_free(g->tls);
    sl_ksec_conf_free(&g->sec);
    if (g->wake[0] >= 0) {
        close(g->wake[0]);
        close(g->wake[1]);
    }
    sl_buf_free(&g->req);
    sl_buf_free(&g->resp);
    free(g->group_id);
    free(g->client_id);
    free(g->protocol_type);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

int32_t sl_group_generation(sl_group *g)
{
    pthread_mutex_lock(&g->lock);
    int32_t gen = g->generation;
    pthread_mutex_unlock(&g->lock);
    return gen;
}

void sl_group_member_id(sl_group *g, char *out, size_t outlen)
{
    if (outlen == 0) {
        return;
    }
    my_member_id(g, out, outlen);
}
