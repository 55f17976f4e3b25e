/*
 * distributed.c — the distributed herder backend: connector configs, task configs and target
 * states in the config topic, statuses in the status topic, work handed out by the `connect`
 * group (group.h + assignor.h), leader-only requests forwarded over REST, KIP-507 session keys.
 * It decides *what* runs here; herder.c's runtime (runtime.h) runs it. It never holds `mu` while
 * waiting on Kafka (read to end, acks) or on the runtime (task threads).
 *
 * Threads: the config and status logs' threads apply records; the group's thread runs the
 * membership callbacks; the herder thread (dist_main) acts on assignments and config changes;
 * REST threads answer requests. `mu` guards the snapshot and the group state; `wmu` serialises
 * the leader's config-topic write sequences.
 */
#include "dist/distributed.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dist/assignor.h"
#include "dist/config_topic.h"
#include "dist/connect_protocol.h"
#include "dist/forward.h"
#include "dist/group.h"
#include "dist/internal_topics.h"
#include "dist/klog.h"
#include "dist/session_key.h"
#include "dist/status_topic.h"
#include "herder/runtime.h"
#include "herder/state.h"
#include "task/task.h"
#include "util/log.h"
#include "util/mem.h"

#define WRITE_TIMEOUT_MS   15000
#define READ_TIMEOUT_MS    15000
#define START_TIMEOUT_MS   60000
#define REPUBLISH_AFTER_MS 3000
#define MAX_TASKS          1024

/* A connector whose instance runs here: its last written status and task-config publishing. */
struct owned {
    char *name;
    int written; /* last connector state written, -1 none */
    int64_t published_at;
    struct owned *next;
};

/* The leader's view of one member (owner lookups for task restarts). */
struct member_view {
    char *member_id;
    char *url;
    sl_cp_set owns;
};

struct restart_req {
    char *name;
    bool include_tasks, only_failed;
    struct restart_req *next;
};

struct sl_dist {
    sl_herder *h;
    const sl_props *worker;
    char group_id[256];
    char url[600]; /* advertised URL with trailing slash */
    char worker_id[300];
    int pref; /* highest subprotocol offered (connect.protocol) */
    int64_t sync_timeout_ms, unsync_backoff_ms, max_delay_ms, key_ttl_ms;
    size_t key_size;
    char sig_alg[64];
    char verify_algs[256];
    bool topic_tracking, topic_reset;
    int32_t session_timeout_ms, heartbeat_ms, rebalance_timeout_ms;

    sl_klog *cfg_log;
    sl_klog *status_log;
    sl_group *group;
    sl_assignor *assignor;
    sl_status_cache *status;

    pthread_mutex_t mu;
    pthread_cond_t cond;
    pthread_mutex_t wmu;
    pthread_mutex_t rmu; /* one runtime change at a time: reconcile vs. eager stop-everything */
    sl_cfg_state *cfg;
    bool startup_done;
    bool ready;
    bool stopping;
    /* group state (mu) */
    int32_t generation;
    char member_id[256];
    char leader_id[256];
    char leader_url[600]; /* "" = unknown */
    bool is_leader;
    int protocol; /* chosen subprotocol version, -1 before the first assignment */
    bool rebalancing;
    bool have_assignment;
    sl_cp_set allocation; /* what the coordinator believes we run (metadata) */
    sl_cp_set running;    /* what we run (the runtime's input) */
    int64_t assign_offset;
    bool pending;
    sl_cp_assignment pending_a;
    /* work flags (mu) */
    bool dirty;
    bool rejoin;
    int64_t rebalance_offset; /* a record at offset < this asked for a rebalance; -1 none */
    int64_t scheduled_rejoin; /* monotonic ms, 0 = none */
    int64_t retry_at;
    struct restart_req *restarts;
    struct owned *owned;
    struct member_view *members;
    size_t nmembers;
    int backoff_retries; /* incremental unsync backoff: tries left before revoking everything */
    pthread_t thread;
    bool thread_running;
};

/* ---------------------------------------------------------------- small helpers */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(sl_herr *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(sl_herr *err, int status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

static void base_of(const char *url, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", url);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '/') {
        out[--n] = '\0';
    }
}

/* The 409 / forward answer of a leader-only request on a follower (mu held). */
static int to_leader(sl_dist *d, sl_herr *err)
{
    if (d->leader_url[0] == '\0') {
        err->forward_url[0] = '\0';
        return fail(err, SL_HERDER_FORWARD,
                    "Cannot complete request momentarily due to no known leader URL, likely "
                    "because a rebalance was underway.");
    }
    base_of(d->leader_url, err->forward_url, sizeof err->forward_url);
    return fail(err, SL_HERDER_FORWARD, "Request must be served by the leader");
}

/* A rebalance is expected: a config record asked for one that no assignment answered yet. */
static bool rebalance_expected(sl_dist *d)
{
    return d->rebalance_offset >= 0 && d->rebalance_offset > d->assign_offset;
}

static int target_of_state(int state)
{
    return state; /* sl_cfg_target and sl_target_state share their values */
}

static const sl_cp_conn *set_find(const sl_cp_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->conns[i].connector, name) == 0) {
            return &s->conns[i];
        }
    }
    return NULL;
}

static void signal_work(sl_dist *d)
{
    d->dirty = true;
    pthread_cond_signal(&d->cond);
}

/* ---------------------------------------------------------------- config topic writes */

static int cfg_send(sl_dist *d, const sl_buf *key, const sl_buf *val, char *err, size_t errlen)
{
    return sl_klog_send(d->cfg_log, key->data, key->len, val != NULL ? val->data : NULL,
                        val != NULL ? val->len : 0, WRITE_TIMEOUT_MS, err, errlen);
}

static int write_target_state(sl_dist *d, const char *name, int target, char *err, size_t errlen)
{
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_cfg_key_target_state(name, &k);
    sl_cfg_value_target_state(target, &v);
    int rc = cfg_send(d, &k, &v, err, errlen);
    sl_buf_free(&k);
    sl_buf_free(&v);
    return rc;
}

static int write_connector(sl_dist *d, const char *name, const sl_props *config, char *err,
                           size_t errlen)
{
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_cfg_key_connector(name, &k);
    if (config != NULL) {
        sl_cfg_value_properties(config, &v);
    }
    int rc = cfg_send(d, &k, config != NULL ? &v : NULL, err, errlen);
    sl_buf_free(&k);
    sl_buf_free(&v);
    return rc;
}

static int write_commit(sl_dist *d, const char *name, int32_t n, char *err, size_t errlen)
{
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_cfg_key_commit(name, &k);
    sl_cfg_value_commit(n, &v);
    int rc = cfg_send(d, &k, &v, err, errlen);
    sl_buf_free(&k);
    sl_buf_free(&v);
    return rc;
}

static int read_config(sl_dist *d, int64_t timeout_ms)
{
    return sl_klog_read_to_end(d->cfg_log, (int)timeout_ms);
}

/* Do the committed task configs of name equal configs[0..n)? (mu held) */
static bool tasks_equal(sl_dist *d, const char *name, sl_props *const *configs, int32_t n)
{
    if (sl_cfg_state_inconsistent(d->cfg, name) || sl_cfg_state_task_count(d->cfg, name) != n) {
        return false;
    }
    for (int32_t i = 0; i < n; i++) {
        const sl_props *have = sl_cfg_state_task_config(d->cfg, name, i);
        if (have == NULL || !sl_props_equal(have, configs[i])) {
            return false;
        }
    }
    return true;
}

/* Leader: the §1.2 sequence for task configs, skipped when nothing changed. wmu held. */
static int publish_tasks(sl_dist *d, const char *name, sl_props *const *configs, int32_t n,
                         char *err, size_t errlen)
{
    if (read_config(d, READ_TIMEOUT_MS) != 0) {
        snprintf(err, errlen, "Timed out reading the config topic");
        return -1;
    }
    pthread_mutex_lock(&d->mu);
    bool same = tasks_equal(d, name, configs, n);
    pthread_mutex_unlock(&d->mu);
    if (same) {
        return 0;
    }
    for (int32_t i = 0; i < n; i++) {
        sl_buf k, v;
        sl_buf_init(&k);
        sl_buf_init(&v);
        sl_cfg_key_task(name, i, &k);
        sl_cfg_value_properties(configs[i], &v);
        int rc = cfg_send(d, &k, &v, err, errlen);
        sl_buf_free(&k);
        sl_buf_free(&v);
        if (rc != 0) {
            return -1;
        }
    }
    if (read_config(d, READ_TIMEOUT_MS) != 0 || write_commit(d, name, n, err, errlen) != 0 ||
        read_config(d, READ_TIMEOUT_MS) != 0) {
        if (err[0] == '\0') {
            snprintf(err, errlen, "Timed out reading the config topic");
        }
        return -1;
    }
    sl_cinfo(name, "Wrote %d task config(s) and their commit record", (int)n);
    return 0;
}

/* ---------------------------------------------------------------- statuses */

static void status_write(sl_dist *d, const char *name, int32_t task, int state, const char *trace,
                         bool safe)
{
    pthread_mutex_lock(&d->mu);
    int32_t gen = d->generation;
    pthread_mutex_unlock(&d->mu);
    if (safe && !sl_status_cache_safe_to_write(d->status, name, task, d->worker_id, gen)) {
        return;
    }
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    if (task < 0) {
        sl_status_key_connector(name, &k);
    } else {
        sl_status_key_task(name, task, &k);
    }
    sl_status_value(state, trace, d->worker_id, gen, &v);
    char err[256];
    if (sl_klog_send(d->status_log, k.data, k.len, v.data, v.len, 0, err, sizeof err) != 0) {
        sl_cwarn(name, "Failed to write status: %s", err);
    }
    sl_buf_free(&k);
    sl_buf_free(&v);
}

static void status_tombstone(sl_dist *d, const char *name, int32_t task)
{
    sl_buf k;
    sl_buf_init(&k);
    if (task < 0) {
        sl_status_key_connector(name, &k);
    } else {
        sl_status_key_task(name, task, &k);
    }
    char err[256];
    sl_klog_send(d->status_log, k.data, k.len, NULL, 0, 0, err, sizeof err);
    sl_buf_free(&k);
}

/* Runtime hook: a local task changed state. */
static void on_task_state(void *arg, const char *connector, int32_t task, int state,
                          const char *trace)
{
    sl_dist *d = arg;
    if (state == SL_TASK_UNASSIGNED) {
        /* Do not resurrect the status of a task that no longer exists (delete, fewer tasks). */
        pthread_mutex_lock(&d->mu);
        bool exists = sl_cfg_state_has(d->cfg, connector) &&
                      task < sl_cfg_state_task_count(d->cfg, connector);
        pthread_mutex_unlock(&d->mu);
        if (!exists) {
            return;
        }
    }
    bool safe = state == SL_TASK_UNASSIGNED || state == SL_TASK_FAILED;
    status_write(d, connector, task, state, trace, safe);
}

/* Runtime hook: a local task consumed from a topic for the first time (KIP-558). */
static void on_task_topic(void *arg, const char *connector, int32_t task, const char *topic)
{
    sl_dist *d = arg;
    char **topics = NULL;
    size_t n = sl_status_cache_topics(d->status, connector, &topics);
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        have = have || strcmp(topics[i], topic) == 0;
        free(topics[i]);
    }
    free(topics);
    if (have) {
        return;
    }
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_status_key_topic(topic, connector, &k);
    sl_status_value_topic(topic, connector, task, wall_ms(), &v);
    char err[256];
    sl_klog_send(d->status_log, k.data, k.len, v.data, v.len, 0, err, sizeof err);
    sl_buf_free(&k);
    sl_buf_free(&v);
}

/* ---------------------------------------------------------------- log callbacks */

static void on_config_record(void *arg, int32_t partition, int64_t offset, const void *key,
                             size_t klen, const void *val, size_t vlen)
{
    (void)partition;
    sl_dist *d = arg;
    pthread_mutex_lock(&d->mu);
    sl_cfg_event ev;
    memset(&ev, 0, sizeof ev);
    if (sl_cfg_state_apply(d->cfg, offset, key, klen, val, vlen, &ev) == 0 && d->startup_done) {
        if (ev.changes &
            (SL_CFG_CONNECTOR_ADDED | SL_CFG_CONNECTOR_REMOVED | SL_CFG_TASKS_COMMITTED)) {
            d->rebalance_offset = offset + 1;
            d->rejoin = true;
        }
        if ((ev.changes & SL_CFG_RESTART_REQUEST) && ev.connector != NULL) {
            struct restart_req *r = sl_xcalloc(1, sizeof *r);
            r->name = sl_xstrdup(ev.connector);
            r->include_tasks = ev.include_tasks;
            r->only_failed = ev.only_failed;
            struct restart_req **tail = &d->restarts;
            while (*tail != NULL) {
                tail = &(*tail)->next;
            }
            *tail = r;
        }
        if (ev.changes != SL_CFG_NONE) {
            signal_work(d);
        }
    }
    pthread_mutex_unlock(&d->mu);
}

static void on_status_record(void *arg, int32_t partition, int64_t offset, const void *key,
                             size_t klen, const void *val, size_t vlen)
{
    (void)partition;
    (void)offset;
    sl_dist *d = arg;
    sl_status_cache_apply(d->status, key, klen, val, vlen);
}

/* ---------------------------------------------------------------- group callbacks */

static void fill_metadata(sl_dist *d, int version, sl_buf *out)
{
    sl_cp_metadata md;
    memset(&md, 0, sizeof md);
    md.version = (int16_t)version;
    md.url = d->url;
    md.config_offset = sl_cfg_state_offset(d->cfg);
    sl_cp_assignment alloc;
    memset(&alloc, 0, sizeof alloc);
    if (version > SL_CP_EAGER && d->have_assignment) {
        alloc.version = (int16_t)version;
        alloc.error = SL_CP_NO_ERROR;
        alloc.leader = d->leader_id;
        alloc.leader_url = d->leader_url;
        alloc.config_offset = d->assign_offset;
        alloc.assigned = d->allocation; /* borrowed: never cleared through alloc */
        md.allocation = &alloc;
    }
    sl_cp_metadata_encode(&md, out);
}

static int cb_join_prepare(void *arg, sl_group_protocol *protos, size_t max, size_t *n)
{
    sl_dist *d = arg;
    pthread_mutex_lock(&d->mu);
    bool eager = d->protocol == SL_CP_EAGER || (d->protocol < 0 && d->pref == SL_CP_EAGER);
    d->rebalancing = true;
    if (eager) {
        /* Eager members stop everything before joining (and forget the leader). */
        sl_cp_set_clear(&d->running);
        sl_cp_set_clear(&d->allocation);
        d->leader_url[0] = '\0';
        d->is_leader = false;
    }
    pthread_mutex_unlock(&d->mu);
    if (eager) {
        pthread_mutex_lock(&d->rmu);
        pthread_mutex_lock(&d->mu);
        sl_cp_set_clear(&d->running); /* again: a reconcile may have run since */
        pthread_mutex_unlock(&d->mu);
        sl_herder_rt_stop_all(d->h);
        pthread_mutex_unlock(&d->rmu);
    }
    pthread_mutex_lock(&d->mu);
    size_t k = 0;
    for (int v = d->pref; v >= SL_CP_EAGER && k < max; v--) {
        protos[k].name = sl_cp_protocol_name(v);
        fill_metadata(d, v, &protos[k].metadata);
        k++;
    }
    pthread_mutex_unlock(&d->mu);
    *n = k;
    return 0;
}

static void members_clear(sl_dist *d)
{
    for (size_t i = 0; i < d->nmembers; i++) {
        free(d->members[i].member_id);
        free(d->members[i].url);
        sl_cp_set_clear(&d->members[i].owns);
    }
    free(d->members);
    d->members = NULL;
    d->nmembers = 0;
}

static int cb_assign(void *arg, const char *leader_id, const char *protocol, int32_t generation,
                     const sl_group_member *members, size_t n, sl_buf *out)
{
    sl_dist *d = arg;
    int version = sl_cp_protocol_version(protocol);
    sl_cp_metadata *mds = sl_xcalloc(n > 0 ? n : 1, sizeof *mds);
    sl_assign_member *am = sl_xcalloc(n > 0 ? n : 1, sizeof *am);
    int rc = 0;
    char err[512] = "";
    for (size_t i = 0; i < n; i++) {
        if (sl_cp_metadata_decode(members[i].metadata, members[i].len, &mds[i], err, sizeof err) !=
            0) {
            sl_error("Cannot decode the metadata of member %s: %s", members[i].member_id, err);
            rc = -1;
        }
        am[i].member_id = members[i].member_id;
        am[i].md = &mds[i];
    }
    sl_cp_assignment *as = sl_xcalloc(n > 0 ? n : 1, sizeof *as);
    if (rc == 0) {
        int64_t max = sl_assignor_max_offset(am, n);
        pthread_mutex_lock(&d->mu);
        int64_t mine = sl_cfg_state_offset(d->cfg);
        pthread_mutex_unlock(&d->mu);
        if (mine < max) {
            sl_info("Leader is behind the group's config offset (%lld < %lld); reading to end",
                    (long long)mine, (long long)max);
            read_config(d, d->sync_timeout_ms);
        }
        pthread_mutex_lock(&d->mu);
        size_t nc = sl_cfg_state_count(d->cfg);
        const char **names = sl_xcalloc(nc > 0 ? nc : 1, sizeof *names);
        int32_t *counts = sl_xcalloc(nc > 0 ? nc : 1, sizeof *counts);
        for (size_t i = 0; i < nc; i++) {
            names[i] = sl_xstrdup(sl_cfg_state_name_at(d->cfg, i));
            counts[i] = sl_cfg_state_target(d->cfg, names[i]) == SL_CFG_STOPPED
                            ? 0
                            : sl_cfg_state_task_count(d->cfg, names[i]);
        }
        sl_assign_config cfg = {.offset = sl_cfg_state_offset(d->cfg),
                                .n = nc,
                                .connectors = names,
                                .task_counts = counts};
        char url[600];
        snprintf(url, sizeof url, "%s", d->url);
        pthread_mutex_unlock(&d->mu);
        rc = sl_assignor_assign(d->assignor, version, leader_id, url, &cfg, generation, am, n,
                                mono_ms(), as, err, sizeof err);
        for (size_t i = 0; i < nc; i++) {
            free((char *)names[i]);
        }
        free(names);
        free(counts);
        if (rc != 0) {
            sl_error("Assignment failed: %s", err);
        }
    }
    if (rc == 0) {
        pthread_mutex_lock(&d->mu);
        members_clear(d);
        d->members = sl_xcalloc(n > 0 ? n : 1, sizeof *d->members);
        d->nmembers = n;
        for (size_t i = 0; i < n; i++) {
            sl_cp_assignment_encode(&as[i], &out[i]);
            struct member_view *mv = &d->members[i];
            mv->member_id = sl_xstrdup(members[i].member_id);
            mv->url = sl_xstrdup(mds[i].url != NULL ? mds[i].url : "");
            if (version > SL_CP_EAGER && mds[i].allocation != NULL) {
                sl_cp_set_copy(&mv->owns, &mds[i].allocation->assigned);
                sl_cp_set_remove_all(&mv->owns, &as[i].revoked);
            }
            sl_cp_set_add_all(&mv->owns, &as[i].assigned);
        }
        pthread_mutex_unlock(&d->mu);
    }
    for (size_t i = 0; i < n; i++) {
        sl_cp_metadata_clear(&mds[i]);
        sl_cp_assignment_clear(&as[i]);
    }
    free(as);
    free(mds);
    free(am);
    return rc;
}

static void cb_assigned(void *arg, const char *protocol, int32_t generation, const char *member_id,
                        const void *assignment, size_t len)
{
    sl_dist *d = arg;
    sl_cp_assignment a;
    char err[512];
    if (sl_cp_assignment_decode(assignment, len, &a, err, sizeof err) != 0) {
        sl_error("Cannot decode the assignment: %s; rejoining", err);
        sl_group_rejoin(d->group);
        return;
    }
    int version = sl_cp_protocol_version(protocol);
    sl_assignor_sync_completed(d->assignor, generation);
    pthread_mutex_lock(&d->mu);
    d->protocol = version;
    d->generation = generation;
    snprintf(d->member_id, sizeof d->member_id, "%s", member_id);
    snprintf(d->leader_id, sizeof d->leader_id, "%s", a.leader != NULL ? a.leader : "");
    snprintf(d->leader_url, sizeof d->leader_url, "%s", a.leader_url != NULL ? a.leader_url : "");
    d->is_leader = a.leader != NULL && strcmp(a.leader, member_id) == 0;
    if (a.error == SL_CP_NO_ERROR) {
        if (version == SL_CP_EAGER) {
            sl_cp_set_copy(&d->allocation, &a.assigned);
        } else {
            sl_cp_set_remove_all(&d->allocation, &a.revoked);
            sl_cp_set_add_all(&d->allocation, &a.assigned);
            sl_cp_set_remove_all(&d->running, &a.revoked); /* revoked items stop at once */
        }
        d->have_assignment = true;
        d->assign_offset = a.config_offset;
    }
    sl_cp_assignment_clear(&d->pending_a);
    d->pending_a = a;
    d->pending = true;
    d->rebalancing = false;
    signal_work(d);
    pthread_mutex_unlock(&d->mu);
    sl_info("Joined group at generation %d as %s (%s, protocol %s, leader %s)", (int)generation,
            member_id, d->is_leader ? "leader" : "follower", protocol,
            a.leader_url != NULL ? a.leader_url : "?");
}

static void cb_fatal(void *arg, const char *reason)
{
    (void)arg;
    sl_error("Cannot join the worker group: %s (retrying)", reason);
}

static void cb_lost(void *arg, const char *reason)
{
    sl_dist *d = arg;
    sl_warn("Lost the group membership (%s); stopping this worker's connectors and tasks", reason);
    pthread_mutex_lock(&d->mu);
    d->rebalancing = true;
    d->is_leader = false;
    d->leader_url[0] = '\0';
    d->have_assignment = false;
    sl_cp_set_clear(&d->allocation);
    sl_cp_set_clear(&d->running);
    signal_work(d);
    pthread_mutex_unlock(&d->mu);
}

/* ---------------------------------------------------------------- the herder thread */

/* Java's backoff after failing to catch up on the config topic within worker.sync.timeout.ms:
 * eager sleeps worker.unsync.backoff.ms; incremental sleeps max.delay/10/retries-left, and after
 * 5 such tries revokes everything it runs. Interrupted by shutdown. */
static void unsync_backoff(sl_dist *d)
{
    pthread_mutex_lock(&d->mu);
    int64_t ms = 0;
    if (d->protocol == SL_CP_EAGER) {
        ms = d->unsync_backoff_ms;
    } else if (d->backoff_retries > 0) {
        ms = d->max_delay_ms / 10 / d->backoff_retries;
        d->backoff_retries--;
    } else {
        sl_warn("Revoking the running assignment: this worker has not caught up with the config "
                "topic after 5 retries");
        sl_cp_set_clear(&d->running);
        d->backoff_retries = 5;
        d->dirty = true;
    }
    int64_t until = mono_ms() + ms;
    while (!d->stopping && mono_ms() < until) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t left = until - mono_ms();
        if (left > 1000) {
            left = 1000;
        }
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&d->cond, &d->mu, &ts);
    }
    pthread_mutex_unlock(&d->mu);
}

/* Resolve the pending assignment (consistency rule). True when work may follow it. */
static bool handle_assignment(sl_dist *d)
{
    pthread_mutex_lock(&d->mu);
    d->pending = false;
    int error = d->pending_a.error;
    int64_t want = d->pending_a.config_offset;
    int64_t mine = sl_cfg_state_offset(d->cfg);
    bool leader = d->is_leader;
    int32_t delay = d->pending_a.delay_ms;
    bool revoked = sl_cp_set_count(&d->pending_a.revoked) > 0;
    pthread_mutex_unlock(&d->mu);

    if (error != SL_CP_NO_ERROR) {
        sl_warn("Assignment failed (config offset mismatch at %lld; mine %lld); rejoining",
                (long long)want, (long long)mine);
        if (leader || mine < want) {
            read_config(d, d->sync_timeout_ms);
        }
        sl_group_rejoin(d->group);
        return false;
    }
    if (mine < want) {
        sl_info("Catching up to the assignment's config offset %lld (mine %lld)", (long long)want,
                (long long)mine);
        if (read_config(d, d->sync_timeout_ms) != 0) {
            sl_warn("Did not reach the config offset %lld within worker.sync.timeout.ms; rejoining",
                    (long long)want);
            unsync_backoff(d);
            sl_group_rejoin(d->group);
            return false;
        }
        pthread_mutex_lock(&d->mu);
        d->backoff_retries = 5;
        pthread_mutex_unlock(&d->mu);
    }
    pthread_mutex_lock(&d->mu);
    mine = sl_cfg_state_offset(d->cfg);
    bool ok = mine == want;
    if (ok) {
        sl_cp_set_copy(&d->running, &d->allocation);
        if (d->rebalance_offset >= 0 && d->rebalance_offset <= want) {
            d->rebalance_offset = -1;
        }
        if (delay > 0) {
            d->scheduled_rejoin = mono_ms() + delay;
        }
        d->dirty = true;
        d->ready = true;
    }
    pthread_mutex_unlock(&d->mu);
    if (!ok) {
        sl_info("Config offset %lld does not match the assignment's %lld; rejoining",
                (long long)mine, (long long)want);
        sl_group_rejoin(d->group);
        return false;
    }
    if (revoked) {
        pthread_mutex_lock(&d->mu);
        d->rejoin = true; /* after the revoked work has stopped (this tick) */
        pthread_mutex_unlock(&d->mu);
    }
    return true;
}

/* task.class for a sluice plugin: Java's naming (FooConnector → FooTask). */
static void task_class_of(const char *cls, char *out, size_t outlen)
{
    size_t n = strlen(cls);
    if (n > 9 && strcmp(cls + n - 9, "Connector") == 0) {
        snprintf(out, outlen, "%.*sTask", (int)(n - 9), cls);
    } else {
        snprintf(out, outlen, "%sTask", cls);
    }
}

/* The task configs a connector asks for: its config plus task.class, tasks.max of them. */
static sl_props **generate_tasks(const sl_props *config, int32_t *n)
{
    const char *cls = sl_herder_rt_plugin_class(config);
    char tcls[512];
    task_class_of(cls != NULL ? cls : sl_props_get(config, "connector.class"), tcls, sizeof tcls);
    int64_t max = sl_props_get_long(config, "tasks.max", 1);
    if (max < 1) {
        max = 1;
    }
    if (max > MAX_TASKS) {
        max = MAX_TASKS;
    }
    sl_props **out = sl_xcalloc((size_t)max, sizeof *out);
    for (int64_t i = 0; i < max; i++) {
        out[i] = sl_props_new();
        sl_props_set(out[i], "task.class", tcls);
        for (size_t k = 0; k < sl_props_count(config); k++) {
            sl_props_set(out[i], sl_props_key_at(config, k), sl_props_value_at(config, k));
        }
    }
    *n = (int32_t)max;
    return out;
}

static void free_configs(sl_props **c, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        sl_props_free(c[i]);
    }
    free(c);
}

static struct owned *owned_find(sl_dist *d, const char *name)
{
    for (struct owned *o = d->owned; o != NULL; o = o->next) {
        if (strcmp(o->name, name) == 0) {
            return o;
        }
    }
    return NULL;
}

/* Signed POST <leader>/connectors/<name>/tasks from a follower. */
static int post_tasks_to_leader(sl_dist *d, const char *name, sl_props *const *configs, int32_t n)
{
    json_t *arr = json_array();
    for (int32_t i = 0; i < n; i++) {
        json_array_append_new(arr, sl_props_to_json(configs[i]));
    }
    char *body = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    pthread_mutex_lock(&d->mu);
    char base[600];
    base_of(d->leader_url, base, sizeof base);
    char *sig = NULL;
    const uint8_t *key = NULL;
    size_t keylen = 0;
    const char *alg = NULL;
    int64_t created = 0;
    if (d->protocol == SL_CP_SESSIONED &&
        sl_cfg_state_session_key(d->cfg, &key, &keylen, &alg, &created)) {
        sig = sl_session_sign(key, keylen, d->sig_alg, body, strlen(body));
    }
    pthread_mutex_unlock(&d->mu);
    if (base[0] == '\0') {
        free(body);
        free(sig);
        return -1;
    }
    char *enc = NULL;
    {
        /* connector names may hold any character: percent-encode the path segment */
        size_t len = strlen(name);
        enc = sl_xmalloc(len * 3 + 1);
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)name[i];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~') {
                enc[o++] = (char)c;
            } else {
                o += (size_t)snprintf(enc + o, 4, "%%%02X", c);
            }
        }
        enc[o] = '\0';
    }
    char url[2048];
    snprintf(url, sizeof url, "%s/connectors/%s/tasks?forward=true", base, enc);
    free(enc);
    sl_fwd_req req = {
        .method = "POST",
        .url = url,
        .body = body,
        .len = strlen(body),
        .signature = sig,
        .sig_algorithm = sig != NULL ? d->sig_alg : NULL,
        .timeout_ms = 30000,
    };
    sl_fwd_resp resp;
    char err[512] = "";
    int rc = sl_forward(&req, &resp, err, sizeof err);
    if (rc != 0) {
        sl_cwarn(name, "Failed to send task configs to the leader at %s: %s", base, err);
    } else if (resp.status != 204 && resp.status != 200) {
        sl_cwarn(name, "The leader refused the task configs: HTTP %ld %s", resp.status,
                 resp.body != NULL ? resp.body : "");
        rc = -1;
    } else {
        sl_cinfo(name, "Sent %d task config(s) to the leader", (int)n);
    }
    sl_fwd_resp_clear(&resp);
    free(sig);
    free(body);
    return rc;
}

/* For every connector instance that runs here: status and task configs. */
static void tend_connectors(sl_dist *d)
{
    pthread_mutex_lock(&d->mu);
    /* forget instances no longer here */
    struct owned **pp = &d->owned;
    while (*pp != NULL) {
        const sl_cp_conn *c = set_find(&d->running, (*pp)->name);
        if (c == NULL || !c->instance) {
            struct owned *gone = *pp;
            *pp = gone->next;
            free(gone->name);
            free(gone);
        } else {
            pp = &(*pp)->next;
        }
    }
    size_t n = d->running.n;
    char **names = sl_xcalloc(n > 0 ? n : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (d->running.conns[i].instance) {
            names[k++] = sl_xstrdup(d->running.conns[i].connector);
        }
    }
    pthread_mutex_unlock(&d->mu);

    for (size_t i = 0; i < k; i++) {
        const char *name = names[i];
        pthread_mutex_lock(&d->mu);
        const sl_props *cur = sl_cfg_state_config(d->cfg, name);
        sl_props *config = cur != NULL ? sl_props_dup(cur) : NULL;
        int target = sl_cfg_state_target(d->cfg, name);
        struct owned *o = owned_find(d, name);
        if (o == NULL && config != NULL) {
            o = sl_xcalloc(1, sizeof *o);
            o->name = sl_xstrdup(name);
            o->written = -1;
            o->next = d->owned;
            d->owned = o;
        }
        int written = o != NULL ? o->written : -1;
        int64_t published_at = o != NULL ? o->published_at : 0;
        bool leader = d->is_leader;
        pthread_mutex_unlock(&d->mu);
        if (config == NULL) {
            continue;
        }
        const char *cls = sl_herder_rt_plugin_class(config);
        int state = target == SL_CFG_STOPPED  ? SL_TASK_STOPPED
                    : target == SL_CFG_PAUSED ? SL_TASK_PAUSED
                                              : SL_TASK_RUNNING;
        char trace[1024] = "";
        if (cls == NULL) {
            state = SL_TASK_FAILED;
            snprintf(trace, sizeof trace,
                     "Failed to find any class that implements Connector and which name "
                     "matches %s",
                     sl_props_get(config, "connector.class") != NULL
                         ? sl_props_get(config, "connector.class")
                         : "(none)");
        } else if (strcmp(sl_herder_rt_conn_type(config), "sink") != 0) {
            state = SL_TASK_FAILED;
            snprintf(trace, sizeof trace,
                     "Source connectors are not supported by this version of sluice");
        }
        if (state != written) {
            status_write(d, name, -1, state, trace[0] != '\0' ? trace : NULL,
                         state == SL_TASK_FAILED);
            pthread_mutex_lock(&d->mu);
            o = owned_find(d, name);
            if (o != NULL) {
                o->written = state;
            }
            pthread_mutex_unlock(&d->mu);
        }
        if (state == SL_TASK_FAILED || target == SL_CFG_STOPPED) {
            sl_props_free(config);
            continue;
        }
        int32_t nt = 0;
        sl_props **tasks = generate_tasks(config, &nt);
        pthread_mutex_lock(&d->mu);
        bool same = tasks_equal(d, name, tasks, nt);
        pthread_mutex_unlock(&d->mu);
        int64_t now = mono_ms();
        if (!same && (published_at == 0 || now - published_at >= REPUBLISH_AFTER_MS)) {
            int rc;
            if (leader) {
                char err[512] = "";
                pthread_mutex_lock(&d->wmu);
                rc = publish_tasks(d, name, tasks, nt, err, sizeof err);
                pthread_mutex_unlock(&d->wmu);
                if (rc != 0) {
                    sl_cwarn(name, "Failed to write task configs: %s", err);
                }
            } else {
                rc = post_tasks_to_leader(d, name, tasks, nt);
            }
            pthread_mutex_lock(&d->mu);
            o = owned_find(d, name);
            if (o != NULL) {
                o->published_at = rc == 0 ? now : now - REPUBLISH_AFTER_MS + 1000;
            }
            d->retry_at = now + (rc == 0 ? REPUBLISH_AFTER_MS : 1000);
            pthread_mutex_unlock(&d->mu);
        } else if (same) {
            pthread_mutex_lock(&d->mu);
            o = owned_find(d, name);
            if (o != NULL) {
                o->published_at = 0;
            }
            pthread_mutex_unlock(&d->mu);
        }
        free_configs(tasks, nt);
        sl_props_free(config);
    }
    for (size_t i = 0; i < k; i++) {
        free(names[i]);
    }
    free(names);
}

/* Hand the runtime exactly what runs here according to `running` and the snapshot. */
static void reconcile(sl_dist *d)
{
    pthread_mutex_lock(&d->rmu);
    pthread_mutex_lock(&d->mu);
    size_t n = d->running.n;
    sl_rt_conn *want = sl_xcalloc(n > 0 ? n : 1, sizeof *want);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const sl_cp_conn *c = &d->running.conns[i];
        const sl_props *config = sl_cfg_state_config(d->cfg, c->connector);
        if (config == NULL) {
            continue;
        }
        sl_rt_conn *w = &want[k++];
        w->name = sl_xstrdup(c->connector);
        w->config = sl_props_dup(config);
        w->target = target_of_state(sl_cfg_state_target(d->cfg, c->connector));
        w->ntasks =
            w->target == SL_TARGET_STOPPED ? 0 : sl_cfg_state_task_count(d->cfg, c->connector);
        const sl_props **cfgs = sl_xcalloc(w->ntasks > 0 ? (size_t)w->ntasks : 1, sizeof *cfgs);
        for (size_t t = 0; t < c->ntasks; t++) {
            int32_t id = c->tasks[t];
            if (id >= 0 && id < w->ntasks) {
                const sl_props *tc = sl_cfg_state_task_config(d->cfg, c->connector, id);
                cfgs[id] = tc != NULL ? sl_props_dup(tc) : NULL;
            }
        }
        w->configs = cfgs;
    }
    pthread_mutex_unlock(&d->mu);
    sl_herder_rt_apply(d->h, want, k);
    pthread_mutex_unlock(&d->rmu);
    for (size_t i = 0; i < k; i++) {
        free((char *)want[i].name);
        sl_props_free((sl_props *)want[i].config);
        for (int t = 0; t < want[i].ntasks; t++) {
            sl_props_free((sl_props *)want[i].configs[t]);
        }
        free((void *)want[i].configs);
    }
    free(want);
}

/* Leader: a session key exists and is fresh; write one when missing or expiring. */
static void tend_session_key(sl_dist *d)
{
    pthread_mutex_lock(&d->mu);
    const uint8_t *key = NULL;
    size_t len = 0;
    const char *alg = NULL;
    int64_t created = 0;
    bool have = sl_cfg_state_session_key(d->cfg, &key, &len, &alg, &created);
    bool due = d->is_leader && d->protocol == SL_CP_SESSIONED &&
               (!have || wall_ms() >= created + d->key_ttl_ms);
    pthread_mutex_unlock(&d->mu);
    if (!due) {
        return;
    }
    uint8_t fresh[SL_SESSION_KEY_MAX];
    if (sl_session_key_generate(fresh, d->key_size) != 0) {
        sl_error("Cannot generate a session key (OpenSSL RAND_bytes failed)");
        return;
    }
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_buf_puts(&k, SL_CFG_SESSION_KEY_KEY);
    sl_cfg_value_session_key(fresh, d->key_size, SL_SESSION_KEY_ALGORITHM, wall_ms(), &v);
    char err[512] = "";
    pthread_mutex_lock(&d->wmu);
    int rc = cfg_send(d, &k, &v, err, sizeof err);
    if (rc == 0) {
        read_config(d, READ_TIMEOUT_MS);
    }
    pthread_mutex_unlock(&d->wmu);
    memset(fresh, 0, sizeof fresh);
    sl_buf_free(&k);
    sl_buf_free(&v);
    if (rc != 0) {
        sl_warn("Failed to write a new session key: %s", err);
    } else {
        sl_info("Wrote a new session key to the config topic");
    }
}

/* Leader: tombstone statuses of deleted connectors and of task ids no longer configured. */
static void cleanup_statuses(sl_dist *d)
{
    char **names = NULL;
    size_t n = sl_status_cache_connectors(d->status, &names);
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&d->mu);
        bool exists = sl_cfg_state_has(d->cfg, names[i]);
        int32_t count = exists && sl_cfg_state_target(d->cfg, names[i]) != SL_CFG_STOPPED
                            ? sl_cfg_state_task_count(d->cfg, names[i])
                            : 0;
        bool inconsistent = exists && sl_cfg_state_inconsistent(d->cfg, names[i]);
        pthread_mutex_unlock(&d->mu);
        if (inconsistent) {
            free(names[i]);
            continue;
        }
        int32_t *ids = NULL;
        size_t nt = sl_status_cache_tasks(d->status, names[i], &ids);
        for (size_t t = 0; t < nt; t++) {
            if (ids[t] >= count) {
                status_tombstone(d, names[i], ids[t]);
            }
        }
        free(ids);
        sl_status s;
        if (!exists && sl_status_cache_connector(d->status, names[i], &s)) {
            sl_status_clear(&s);
            status_tombstone(d, names[i], -1);
        }
        free(names[i]);
    }
    free(names);
}

static void handle_restarts(sl_dist *d)
{
    pthread_mutex_lock(&d->mu);
    struct restart_req *list = d->restarts;
    d->restarts = NULL;
    pthread_mutex_unlock(&d->mu);
    while (list != NULL) {
        struct restart_req *r = list;
        list = r->next;
        pthread_mutex_lock(&d->mu);
        struct owned *o = owned_find(d, r->name);
        bool mine = o != NULL;
        pthread_mutex_unlock(&d->mu);
        if (mine) {
            sl_status cs;
            bool failed = false;
            if (sl_status_cache_connector(d->status, r->name, &cs)) {
                failed = cs.state == SL_TASK_FAILED;
                sl_status_clear(&cs);
            }
            if (!r->only_failed || failed) {
                sl_cinfo(r->name, "Restarting connector");
                pthread_mutex_lock(&d->mu);
                o = owned_find(d, r->name);
                if (o != NULL) {
                    o->written = -1; /* written again by tend_connectors */
                }
                pthread_mutex_unlock(&d->mu);
                status_write(d, r->name, -1, SL_TASK_RESTARTING, NULL, false);
            }
        }
        if (r->include_tasks) {
            sl_herder_rt_restart(d->h, r->name, -1, r->only_failed);
        }
        free(r->name);
        free(r);
    }
}

static void *dist_main(void *arg)
{
    sl_dist *d = arg;
    pthread_mutex_lock(&d->mu);
    while (!d->stopping) {
        int64_t now = mono_ms();
        int64_t wake = now + 1000;
        if (d->scheduled_rejoin > 0 && d->scheduled_rejoin < wake) {
            wake = d->scheduled_rejoin;
        }
        if (d->retry_at > now && d->retry_at < wake) {
            wake = d->retry_at;
        }
        if (!d->pending && !d->dirty && !d->rejoin && d->restarts == NULL && wake > now) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ms = wake - now;
            ts.tv_sec += ms / 1000;
            ts.tv_nsec += (ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&d->cond, &d->mu, &ts);
            if (d->stopping) {
                break;
            }
        }
        bool pending = d->pending;
        d->dirty = false;
        pthread_mutex_unlock(&d->mu);

        if (pending) {
            handle_assignment(d);
        }
        tend_session_key(d);
        reconcile(d);
        tend_connectors(d);
        handle_restarts(d);

        pthread_mutex_lock(&d->mu);
        bool leader = d->is_leader && !d->rebalancing;
        bool rejoin = d->rejoin && d->have_assignment;
        if (d->scheduled_rejoin > 0 && mono_ms() >= d->scheduled_rejoin) {
            d->scheduled_rejoin = 0;
            rejoin = true;
        }
        if (rejoin) {
            d->rejoin = false;
        }
        pthread_mutex_unlock(&d->mu);
        if (leader) {
            cleanup_statuses(d);
        }
        if (rejoin && d->group != NULL) {
            sl_debug("Requesting a rebalance");
            sl_group_rejoin(d->group);
        }
        pthread_mutex_lock(&d->mu);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* ---------------------------------------------------------------- lifecycle */

static int64_t prop_long(const sl_props *p, const char *key, int64_t dflt)
{
    return sl_props_get_long(p, key, dflt);
}

sl_dist *sl_dist_new(sl_herder *h, const sl_props *worker, char *err, size_t errlen)
{
    const char *proto = sl_props_get(worker, "connect.protocol");
    int pref = SL_CP_SESSIONED;
    if (proto != NULL && strcasecmp(proto, "eager") == 0) {
        pref = SL_CP_EAGER;
    } else if (proto != NULL && strcasecmp(proto, "compatible") == 0) {
        pref = SL_CP_COMPATIBLE;
    } else if (proto != NULL && strcasecmp(proto, "sessioned") != 0) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration connect.protocol: String must be one of: "
                 "eager, compatible, sessioned",
                 proto);
        return NULL;
    }
    const char *gen_alg = sl_props_get(worker, "inter.worker.key.generation.algorithm");
    if (gen_alg != NULL && !sl_session_algorithm_supported(gen_alg)) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration inter.worker.key.generation.algorithm: "
                 "HmacSHA256, HmacSHA1 and HmacSHA512 are supported",
                 gen_alg);
        return NULL;
    }
    sl_dist *d = sl_xcalloc(1, sizeof *d);
    d->h = h;
    d->worker = worker;
    d->pref = pref;
    snprintf(d->group_id, sizeof d->group_id, "%s", sl_props_get(worker, "group.id"));
    d->sync_timeout_ms = prop_long(worker, "worker.sync.timeout.ms", 3000);
    d->unsync_backoff_ms = prop_long(worker, "worker.unsync.backoff.ms", 300000);
    d->max_delay_ms = prop_long(worker, "scheduled.rebalance.max.delay.ms", 300000);
    d->key_ttl_ms = prop_long(worker, "inter.worker.key.ttl.ms", 3600000);
    int64_t ks = prop_long(worker, "inter.worker.key.size", SL_SESSION_KEY_DEFAULT_SIZE * 8);
    d->key_size =
        ks >= 64 && ks / 8 <= SL_SESSION_KEY_MAX ? (size_t)(ks / 8) : SL_SESSION_KEY_DEFAULT_SIZE;
    const char *sa = sl_props_get(worker, "inter.worker.signature.algorithm");
    snprintf(d->sig_alg, sizeof d->sig_alg, "%s", sa != NULL ? sa : SL_SESSION_KEY_ALGORITHM);
    const char *va = sl_props_get(worker, "inter.worker.verification.algorithms");
    snprintf(d->verify_algs, sizeof d->verify_algs, "%s",
             va != NULL ? va : SL_SESSION_KEY_ALGORITHM);
    d->topic_tracking = sl_props_get_bool(worker, "topic.tracking.enable", true);
    d->topic_reset = sl_props_get_bool(worker, "topic.tracking.allow.reset", true);
    d->session_timeout_ms = (int32_t)prop_long(worker, "session.timeout.ms", 10000);
    d->heartbeat_ms = (int32_t)prop_long(worker, "heartbeat.interval.ms", 3000);
    d->rebalance_timeout_ms = (int32_t)prop_long(worker, "rebalance.timeout.ms", 60000);
    d->protocol = -1;
    d->generation = -1;
    d->backoff_retries = 5;
    d->rebalance_offset = -1;
    d->assign_offset = -1;
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_init(&d->wmu, NULL);
    pthread_mutex_init(&d->rmu, NULL);
    pthread_cond_init(&d->cond, NULL);
    d->cfg = sl_cfg_state_new();
    d->status = sl_status_cache_new();
    d->assignor = sl_assignor_new(d->max_delay_ms);
    return d;
}

void sl_dist_set_url(sl_dist *d, const char *url)
{
    pthread_mutex_lock(&d->mu);
    snprintf(d->url, sizeof d->url, "%s", url != NULL ? url : "");
    pthread_mutex_unlock(&d->mu);
}

int sl_dist_start(sl_dist *d, char *err, size_t errlen)
{
    snprintf(d->worker_id, sizeof d->worker_id, "%s", sl_herder_rt_worker_id(d->h));
    if (d->url[0] == '\0') {
        snprintf(d->url, sizeof d->url, "http://%s/", d->worker_id);
    }
    if (sl_internal_topics_ensure(d->worker, START_TIMEOUT_MS / 2, err, errlen) != 0) {
        return -1;
    }
    d->cfg_log = sl_klog_new(d->worker, sl_props_get(d->worker, "config.storage.topic"), "configs",
                             on_config_record, d, err, errlen);
    if (d->cfg_log == NULL) {
        return -1;
    }
    d->status_log = sl_klog_new(d->worker, sl_props_get(d->worker, "status.storage.topic"),
                                "statuses", on_status_record, d, err, errlen);
    if (d->status_log == NULL) {
        return -1;
    }
    if (sl_klog_start(d->status_log, START_TIMEOUT_MS, err, errlen) != 0 ||
        sl_klog_start(d->cfg_log, START_TIMEOUT_MS, err, errlen) != 0) {
        return -1;
    }
    pthread_mutex_lock(&d->mu);
    d->startup_done = true; /* restart requests and rebalance triggers count from here */
    int64_t offset = sl_cfg_state_offset(d->cfg);
    size_t nconn = sl_cfg_state_count(d->cfg);
    pthread_mutex_unlock(&d->mu);
    sl_info("Read the config topic to offset %lld: %zu connector(s)", (long long)offset, nconn);

    sl_rt_hooks hooks = {.arg = d, .task_state = on_task_state, .topic = on_task_topic};
    sl_herder_rt_set_hooks(d->h, &hooks);

    char client_id[400];
    snprintf(client_id, sizeof client_id, "connect-%s", d->worker_id);
    sl_group_conf gc = {
        .worker = d->worker,
        .group_id = d->group_id,
        .client_id = client_id,
        .protocol_type = "connect",
        .session_timeout_ms = d->session_timeout_ms,
        .rebalance_timeout_ms = d->rebalance_timeout_ms,
        .heartbeat_interval_ms = d->heartbeat_ms,
    };
    sl_group_callbacks cb = {
        .arg = d,
        .join_prepare = cb_join_prepare,
        .assign = cb_assign,
        .assigned = cb_assigned,
        .lost = cb_lost,
        .fatal = cb_fatal,
    };
    d->group = sl_group_new(&gc, &cb, err, errlen);
    if (d->group == NULL) {
        return -1;
    }
    if (pthread_create(&d->thread, NULL, dist_main, d) != 0) {
        snprintf(err, errlen, "cannot start the herder thread");
        return -1;
    }
    d->thread_running = true;
    if (sl_group_start(d->group, err, errlen) != 0) {
        return -1;
    }
    sl_info("Joining group %s as %s (connect.protocol up to %s)", d->group_id, d->url,
            sl_cp_protocol_name(d->pref));
    return 0;
}

void sl_dist_stop(sl_dist *d)
{
    if (d == NULL) {
        return;
    }
    pthread_mutex_lock(&d->mu);
    bool was = d->stopping;
    d->stopping = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->mu);
    if (was) {
        return;
    }
    if (d->thread_running) {
        pthread_join(d->thread, NULL);
        d->thread_running = false;
    }
    /* Stop the work first (statuses UNASSIGNED), then leave the group. A task abandoned after
     * the graceful timeout may still report: from here on nothing reaches the status topic. */
    sl_herder_rt_stop_all(d->h);
    sl_herder_rt_set_hooks(d->h, NULL);
    if (d->group != NULL) {
        sl_group_stop(d->group);
        sl_info("Left group %s", d->group_id);
    }
}

void sl_dist_destroy(sl_dist *d)
{
    if (d == NULL) {
        return;
    }
    sl_dist_stop(d);
    sl_group_destroy(d->group);
    sl_klog_destroy(d->cfg_log);
    sl_klog_destroy(d->status_log);
    sl_assignor_destroy(d->assignor);
    sl_cfg_state_free(d->cfg);
    sl_status_cache_free(d->status);
    sl_cp_set_clear(&d->allocation);
    sl_cp_set_clear(&d->running);
    sl_cp_assignment_clear(&d->pending_a);
    members_clear(d);
    while (d->owned != NULL) {
        struct owned *o = d->owned;
        d->owned = o->next;
        free(o->name);
        free(o);
    }
    while (d->restarts != NULL) {
        struct restart_req *r = d->restarts;
        d->restarts = r->next;
        free(r->name);
        free(r);
    }
    pthread_mutex_destroy(&d->mu);
    pthread_mutex_destroy(&d->wmu);
    pthread_mutex_destroy(&d->rmu);
    pthread_cond_destroy(&d->cond);
    free(d);
}

/* ---------------------------------------------------------------- JSON views (mu held) */

static json_t *info_json(sl_dist *d, const char *name)
{
    const sl_props *config = sl_cfg_state_config(d->cfg, name);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "config", sl_props_to_json(config));
    json_t *tasks = json_array();
    int32_t n = sl_cfg_state_task_count(d->cfg, name);
    for (int32_t i = 0; i < n; i++) {
        json_array_append_new(tasks, json_pack("{s:s,s:i}", "connector", name, "task", (int)i));
    }
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(sl_herder_rt_conn_type(config)));
    return o;
}

static json_t *state_json(const sl_status *s, int id)
{
    json_t *o = json_object();
    if (id >= 0) {
        json_object_set_new(o, "id", json_integer(id));
    }
    json_object_set_new(o, "state", json_string(sl_herder_rt_state_name(s->state)));
    json_object_set_new(o, "worker_id", json_string(s->worker_id != NULL ? s->worker_id : ""));
    if (s->trace != NULL && s->trace[0] != '\0') {
        json_object_set_new(o, "trace", json_string(s->trace));
    }
    return o;
}

/* NULL when the connector has no status. The config is looked up under mu by the caller. */
static json_t *status_json(sl_dist *d, const char *name, const char *type)
{
    sl_status cs;
    if (!sl_status_cache_connector(d->status, name, &cs)) {
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "connector", state_json(&cs, -1));
    sl_status_clear(&cs);
    json_t *tasks = json_array();
    int32_t *ids = NULL;
    size_t n = sl_status_cache_tasks(d->status, name, &ids);
    for (size_t i = 0; i < n; i++) {
        sl_status ts;
        if (sl_status_cache_task(d->status, name, ids[i], &ts)) {
            json_array_append_new(tasks, state_json(&ts, ids[i]));
            sl_status_clear(&ts);
        }
    }
    free(ids);
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(type));
    return o;
}

static const char *type_of(sl_dist *d, const char *name, char *buf, size_t len)
{
    pthread_mutex_lock(&d->mu);
    const sl_props *c = sl_cfg_state_config(d->cfg, name);
    snprintf(buf, len, "%s", c != NULL ? sl_herder_rt_conn_type(c) : "unknown");
    pthread_mutex_unlock(&d->mu);
    return buf;
}

/* ---------------------------------------------------------------- requests: reads */

int sl_dist_health(sl_dist *d, json_t **out, sl_herr *err)
{
    (void)err;
    pthread_mutex_lock(&d->mu);
    bool stopping = d->stopping;
    bool ready = d->startup_done;
    pthread_mutex_unlock(&d->mu);
    return sl_herder_health_answer(stopping, ready, out);
}

int sl_dist_list(sl_dist *d, bool expand_status, bool expand_info, json_t **out, sl_herr *err)
{
    (void)err;
    pthread_mutex_lock(&d->mu);
    size_t n = sl_cfg_state_count(d->cfg);
    char **names = sl_xcalloc(n > 0 ? n : 1, sizeof *names);
    json_t **infos = sl_xcalloc(n > 0 ? n : 1, sizeof *infos);
    char(*types)[16] = sl_xcalloc(n > 0 ? n : 1, sizeof *types);
    for (size_t i = 0; i < n; i++) {
        names[i] = sl_xstrdup(sl_cfg_state_name_at(d->cfg, i));
        infos[i] = expand_info ? info_json(d, names[i]) : NULL;
        snprintf(types[i], sizeof types[i], "%s",
                 sl_herder_rt_conn_type(sl_cfg_state_config(d->cfg, names[i])));
    }
    pthread_mutex_unlock(&d->mu);
    json_t *res = (expand_status || expand_info) ? json_object() : json_array();
    for (size_t i = 0; i < n; i++) {
        if (!expand_status && !expand_info) {
            json_array_append_new(res, json_string(names[i]));
        } else {
            json_t *e = json_object();
            if (expand_status) {
                json_t *st = status_json(d, names[i], types[i]);
                if (st != NULL) {
                    json_object_set_new(e, "status", st);
                }
            }
            if (expand_info) {
                json_object_set_new(e, "info", infos[i]);
                infos[i] = NULL;
            }
            json_object_set_new(res, names[i], e);
        }
        free(names[i]);
    }
    free(names);
    free(infos);
    free(types);
    *out = res;
    return 200;
}

typedef json_t *(*view_fn)(sl_dist *d, const char *name);

static json_t *view_config(sl_dist *d, const char *name)
{
    return sl_props_to_json(sl_cfg_state_config(d->cfg, name));
}

static json_t *view_tasks(sl_dist *d, const char *name)
{
    json_t *arr = json_array();
    int32_t n = sl_cfg_state_task_count(d->cfg, name);
    for (int32_t i = 0; i < n; i++) {
        json_t *id = json_pack("{s:s,s:i}", "connector", name, "task", (int)i);
        json_array_append_new(
            arr, json_pack("{s:o,s:o}", "id", id, "config",
                           sl_props_to_json(sl_cfg_state_task_config(d->cfg, name, i))));
    }
    return arr;
}

static json_t *view_tasks_config(sl_dist *d, const char *name)
{
    json_t *obj = json_object();
    int32_t n = sl_cfg_state_task_count(d->cfg, name);
    for (int32_t i = 0; i < n; i++) {
        char key[600];
        snprintf(key, sizeof key, "%s-%d", name, (int)i);
        json_object_set_new(obj, key, sl_props_to_json(sl_cfg_state_task_config(d->cfg, name, i)));
    }
    return obj;
}

/* The non-forwardable reads Java refuses while a rebalance is expected (500). */
static int view(sl_dist *d, const char *name, view_fn fn, json_t **out, sl_herr *err)
{
    pthread_mutex_lock(&d->mu);
    if (rebalance_expected(d)) {
        pthread_mutex_unlock(&d->mu);
        return fail(err, 500, "Request cannot be completed because a rebalance is expected");
    }
    bool has = sl_cfg_state_has(d->cfg, name);
    if (has) {
        *out = fn(d, name);
    }
    pthread_mutex_unlock(&d->mu);
    return has ? 200 : fail(err, 404, "Connector %s not found", name);
}

int sl_dist_info(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    return view(d, name, info_json, out, err);
}

int sl_dist_config(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    return view(d, name, view_config, out, err);
}

int sl_dist_tasks(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    return view(d, name, view_tasks, out, err);
}

int sl_dist_tasks_config(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    return view(d, name, view_tasks_config, out, err);
}

int sl_dist_status(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    char type[16];
    json_t *st = status_json(d, name, type_of(d, name, type, sizeof type));
    if (st == NULL) {
        return fail(err, 404, "No status found for connector %s", name);
    }
    *out = st;
    return 200;
}

int sl_dist_task_status(sl_dist *d, const char *name, int task, json_t **out, sl_herr *err)
{
    sl_status s;
    if (!sl_status_cache_task(d->status, name, task, &s)) {
        return fail(err, 404, "No status found for task %s-%d", name, task);
    }
    *out = state_json(&s, task);
    sl_status_clear(&s);
    return 200;
}

int sl_dist_topics(sl_dist *d, const char *name, json_t **out, sl_herr *err)
{
    if (!d->topic_tracking) {
        return fail(err, 403, "Topic tracking is disabled.");
    }
    char **topics = NULL;
    size_t n = sl_status_cache_topics(d->status, name, &topics);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(topics[i]));
        free(topics[i]);
    }
    free(topics);
    json_t *res = json_object();
    json_object_set_new(res, name, json_pack("{s:o}", "topics", arr));
    *out = res;
    return 200;
}

int sl_dist_topics_reset(sl_dist *d, const char *name, sl_herr *err)
{
    if (!d->topic_tracking) {
        return fail(err, 403, "Topic tracking is disabled.");
    }
    if (!d->topic_reset) {
        return fail(err, 403, "Topic tracking reset is disabled.");
    }
    pthread_mutex_lock(&d->mu);
    bool has = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    if (!has) {
        return fail(err, 404, "Connector %s not found", name);
    }
    char **topics = NULL;
    size_t n = sl_status_cache_topics(d->status, name, &topics);
    for (size_t i = 0; i < n; i++) {
        sl_buf k;
        sl_buf_init(&k);
        sl_status_key_topic(topics[i], name, &k);
        char e[256];
        sl_klog_send(d->status_log, k.data, k.len, NULL, 0, WRITE_TIMEOUT_MS, e, sizeof e);
        sl_buf_free(&k);
        free(topics[i]);
    }
    free(topics);
    return 202;
}

sl_props *sl_dist_connector_config(sl_dist *d, const char *name, int *target)
{
    pthread_mutex_lock(&d->mu);
    const sl_props *c = sl_cfg_state_config(d->cfg, name);
    sl_props *copy = c != NULL ? sl_props_dup(c) : NULL;
    if (c != NULL) {
        *target = sl_cfg_state_target(d->cfg, name);
    }
    pthread_mutex_unlock(&d->mu);
    return copy;
}

int sl_dist_require_leader(sl_dist *d, bool stale_check, sl_herr *err)
{
    pthread_mutex_lock(&d->mu);
    int st = 0;
    if (stale_check && rebalance_expected(d)) {
        st = fail(err, 409,
                  "Cannot complete request momentarily due to stale configuration (typically "
                  "caused by a concurrent config change)");
    } else if (!d->is_leader) {
        st = to_leader(d, err);
    }
    pthread_mutex_unlock(&d->mu);
    return st;
}

/* ---------------------------------------------------------------- requests: writes */

static int write_failed(sl_herr *err, const char *what, const char *why)
{
    return fail(err, 500, "Failed to write %s to the config topic: %s", what, why);
}

/* Create or replace on the leader (wmu held by the caller). */
static int leader_put(sl_dist *d, const char *name, sl_props *cfg, int target, bool must_be_new,
                      bool must_exist, json_t **out, sl_herr *err)
{
    read_config(d, READ_TIMEOUT_MS);
    pthread_mutex_lock(&d->mu);
    bool exists = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    if (exists && must_be_new) {
        return fail(err, 409, "Connector %s already exists", name);
    }
    if (!exists && must_exist) {
        return fail(err, 404, "Connector %s not found", name);
    }
    char e[512] = "";
    if (!exists && target >= 0 && write_target_state(d, name, target, e, sizeof e) != 0) {
        return write_failed(err, "the target state", e);
    }
    if (write_connector(d, name, cfg, e, sizeof e) != 0) {
        return write_failed(err, "the connector config", e);
    }
    if (read_config(d, READ_TIMEOUT_MS) != 0) {
        return fail(err, 500, "Timed out reading the config topic after writing connector %s",
                    name);
    }
    sl_cinfo(name, "%s connector config", exists ? "Updated" : "Created");
    if (out != NULL) {
        pthread_mutex_lock(&d->mu);
        *out = sl_cfg_state_has(d->cfg, name) ? info_json(d, name) : NULL;
        pthread_mutex_unlock(&d->mu);
        if (*out == NULL) {
            *out = json_pack("{s:s,s:o,s:[],s:s}", "name", name, "config", sl_props_to_json(cfg),
                             "tasks", "type", sl_herder_rt_conn_type(cfg));
        }
    }
    return exists ? 200 : 201;
}

int sl_dist_create(sl_dist *d, const char *name, const sl_props *config, const char *initial_state,
                   json_t **out, sl_herr *err)
{
    int target = -1;
    if (initial_state != NULL) {
        if (strcasecmp(initial_state, "RUNNING") == 0) {
            target = SL_CFG_STARTED;
        } else if (strcasecmp(initial_state, "PAUSED") == 0) {
            target = SL_CFG_PAUSED;
        } else if (strcasecmp(initial_state, "STOPPED") == 0) {
            target = SL_CFG_STOPPED;
        } else {
            return fail(err, 400,
                        "Invalid initial state %s; must be one of RUNNING, PAUSED or STOPPED",
                        initial_state);
        }
    }
    int st = sl_dist_require_leader(d, false, err);
    if (st != 0) {
        return st;
    }
    sl_props *cfg = sl_props_dup(config);
    st = sl_herder_rt_check_config(name, cfg, err);
    if (st == 0) {
        pthread_mutex_lock(&d->wmu);
        st = leader_put(d, name, cfg, target, true, false, out, err);
        pthread_mutex_unlock(&d->wmu);
    }
    sl_props_free(cfg);
    return st;
}

int sl_dist_put_config(sl_dist *d, const char *name, const sl_props *config, json_t **out,
                       sl_herr *err)
{
    int st = sl_dist_require_leader(d, false, err);
    if (st != 0) {
        return st;
    }
    sl_props *cfg = sl_props_dup(config);
    st = sl_herder_rt_check_config(name, cfg, err);
    if (st == 0) {
        pthread_mutex_lock(&d->wmu);
        st = leader_put(d, name, cfg, -1, false, false, out, err);
        pthread_mutex_unlock(&d->wmu);
    }
    sl_props_free(cfg);
    return st;
}

int sl_dist_patch_config(sl_dist *d, const char *name, const json_t *patch, json_t **out,
                         sl_herr *err)
{
    if (!json_is_object(patch)) {
        return fail(err, 400, "Connector config patch must be a JSON object");
    }
    int st = sl_dist_require_leader(d, false, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->wmu);
    read_config(d, READ_TIMEOUT_MS);
    pthread_mutex_lock(&d->mu);
    const sl_props *cur = sl_cfg_state_config(d->cfg, name);
    sl_props *cfg = cur != NULL ? sl_props_dup(cur) : NULL;
    pthread_mutex_unlock(&d->mu);
    if (cfg == NULL) {
        pthread_mutex_unlock(&d->wmu);
        return fail(err, 404, "Connector %s not found", name);
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val)
    {
        if (json_is_null(val)) {
            sl_props_remove(cfg, key);
        } else if (json_is_string(val)) {
            sl_props_set(cfg, key, json_string_value(val));
        }
    }
    st = sl_herder_rt_check_config(name, cfg, err);
    if (st == 0) {
        st = leader_put(d, name, cfg, -1, false, true, out, err);
    }
    pthread_mutex_unlock(&d->wmu);
    sl_props_free(cfg);
    return st;
}

int sl_dist_delete(sl_dist *d, const char *name, sl_herr *err)
{
    int st = sl_dist_require_leader(d, false, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->wmu);
    read_config(d, READ_TIMEOUT_MS);
    pthread_mutex_lock(&d->mu);
    bool has = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    char e[512] = "";
    if (!has) {
        st = fail(err, 404, "Connector %s not found", name);
    } else if (write_connector(d, name, NULL, e, sizeof e) != 0) {
        st = write_failed(err, "the connector tombstone", e);
    } else {
        sl_buf k;
        sl_buf_init(&k);
        sl_cfg_key_target_state(name, &k);
        if (cfg_send(d, &k, NULL, e, sizeof e) != 0) {
            st = write_failed(err, "the target-state tombstone", e);
        } else {
            read_config(d, READ_TIMEOUT_MS);
            sl_cinfo(name, "Deleted connector");
            st = 204;
        }
        sl_buf_free(&k);
    }
    pthread_mutex_unlock(&d->wmu);
    return st;
}

int sl_dist_pause(sl_dist *d, const char *name, bool pause, sl_herr *err)
{
    pthread_mutex_lock(&d->mu);
    bool has = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    if (!has) {
        return fail(err, 404, "Unknown connector %s", name);
    }
    char e[512] = "";
    if (write_target_state(d, name, pause ? SL_CFG_PAUSED : SL_CFG_STARTED, e, sizeof e) != 0) {
        return write_failed(err, "the target state", e);
    }
    sl_cinfo(name, "%s connector", pause ? "Paused" : "Resumed");
    return 202;
}

int sl_dist_stop_connector(sl_dist *d, const char *name, sl_herr *err)
{
    int st = sl_dist_require_leader(d, false, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->wmu);
    read_config(d, READ_TIMEOUT_MS);
    pthread_mutex_lock(&d->mu);
    bool has = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    char e[512] = "";
    if (!has) {
        st = fail(err, 404, "Unknown connector %s", name);
    } else if (write_commit(d, name, 0, e, sizeof e) != 0 ||
               write_target_state(d, name, SL_CFG_STOPPED, e, sizeof e) != 0) {
        st = write_failed(err, "the stop records", e);
    } else {
        read_config(d, READ_TIMEOUT_MS);
        sl_cinfo(name, "Stopped connector");
        st = 204;
    }
    pthread_mutex_unlock(&d->wmu);
    return st;
}

int sl_dist_restart(sl_dist *d, const char *name, bool include_tasks, bool only_failed,
                    json_t **out, sl_herr *err)
{
    int st = sl_dist_require_leader(d, true, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->mu);
    bool has = sl_cfg_state_has(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    if (!has) {
        return fail(err, 404, "Unknown connector: %s", name);
    }
    json_t *body = NULL;
    if (include_tasks || only_failed) {
        char type[16];
        body = status_json(d, name, type_of(d, name, type, sizeof type));
        if (body == NULL) {
            return fail(err, 404, "Status for connector %s not found", name);
        }
        json_t *cs = json_object_get(body, "connector");
        if (!only_failed ||
            strcmp(json_string_value(json_object_get(cs, "state")), "FAILED") == 0) {
            json_object_set_new(cs, "state", json_string("RESTARTING"));
            json_object_del(cs, "trace");
        }
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(body, "tasks"), i, t)
        {
            const char *s = json_string_value(json_object_get(t, "state"));
            if (include_tasks && (!only_failed || (s != NULL && strcmp(s, "FAILED") == 0))) {
                json_object_set_new(t, "state", json_string("RESTARTING"));
                json_object_del(t, "trace");
            }
        }
    }
    sl_buf k, v;
    sl_buf_init(&k);
    sl_buf_init(&v);
    sl_cfg_key_restart(name, &k);
    sl_cfg_value_restart(include_tasks, only_failed, &v);
    char e[512] = "";
    pthread_mutex_lock(&d->wmu);
    int rc = cfg_send(d, &k, &v, e, sizeof e);
    pthread_mutex_unlock(&d->wmu);
    sl_buf_free(&k);
    sl_buf_free(&v);
    if (rc != 0) {
        json_decref(body);
        return write_failed(err, "the restart request", e);
    }
    if (body != NULL) {
        *out = body;
        return 202;
    }
    return 204;
}

int sl_dist_restart_task(sl_dist *d, const char *name, int task, sl_herr *err)
{
    pthread_mutex_lock(&d->mu);
    if (rebalance_expected(d)) {
        pthread_mutex_unlock(&d->mu);
        return fail(err, 409,
                    "Cannot complete request momentarily due to stale configuration (typically "
                    "caused by a concurrent config change)");
    }
    bool has = sl_cfg_state_has(d->cfg, name);
    bool has_task = has && task >= 0 && sl_cfg_state_task_config(d->cfg, name, task) != NULL &&
                    task < sl_cfg_state_task_count(d->cfg, name);
    pthread_mutex_unlock(&d->mu);
    if (!has) {
        return fail(err, 404, "Unknown connector: %s", name);
    }
    if (!has_task) {
        return fail(err, 404, "Unknown task: %s-%d", name, task);
    }
    if (sl_herder_rt_has_task(d->h, name, task)) {
        int n = sl_herder_rt_restart(d->h, name, task, false);
        return n > 0 ? 204 : fail(err, 500, "Failed to start task: %s-%d", name, task);
    }
    pthread_mutex_lock(&d->mu);
    int st;
    if (d->is_leader) {
        const char *owner = NULL;
        for (size_t i = 0; i < d->nmembers && owner == NULL; i++) {
            if (sl_cp_set_has(&d->members[i].owns, name, task)) {
                owner = d->members[i].url;
            }
        }
        if (owner != NULL && strcmp(owner, d->url) != 0) {
            base_of(owner, err->forward_url, sizeof err->forward_url);
            st = fail(err, SL_HERDER_FORWARD,
                      "Cannot restart task since it is not assigned to this member");
        } else {
            st = fail(err, 409,
                      "Cannot complete request because of a conflicting operation (e.g. worker "
                      "rebalance)");
        }
    } else {
        st = to_leader(d, err);
    }
    pthread_mutex_unlock(&d->mu);
    return st;
}

/* ---------------------------------------------------------------- internal endpoints */

static bool alg_allowed(sl_dist *d, const char *alg)
{
    char list[256];
    snprintf(list, sizeof list, "%s", d->verify_algs);
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') {
            t++;
        }
        size_t n = strlen(t);
        while (n > 0 && t[n - 1] == ' ') {
            t[--n] = '\0';
        }
        if (strcmp(t, alg) == 0) {
            return true;
        }
    }
    return false;
}

/* KIP-507 checks, in Java's order. 0 when the request may proceed. */
static int verify_signature(sl_dist *d, const sl_herder_sig *sig, sl_herr *err)
{
    pthread_mutex_lock(&d->mu);
    int proto = d->protocol >= 0 ? d->protocol : d->pref;
    pthread_mutex_unlock(&d->mu);
    if (proto < SL_CP_SESSIONED) {
        return 0; /* request validation is on only when the group runs "sessioned" */
    }
    if (sig == NULL || sig->signature == NULL || sig->algorithm == NULL) {
        return fail(err, 400, "Internal request missing required signature");
    }
    if (!alg_allowed(d, sig->algorithm) || !sl_session_algorithm_supported(sig->algorithm)) {
        return fail(err, 400,
                    "This worker does not support the '%s' key signing algorithm used by other "
                    "workers. This worker is currently configured to use: [%s]. Check that all "
                    "workers' configuration files permit the same set of signature algorithms, "
                    "and correct any misconfigured worker and restart it.",
                    sig->algorithm, d->verify_algs);
    }
    pthread_mutex_lock(&d->mu);
    const uint8_t *key = NULL;
    size_t len = 0;
    const char *alg = NULL;
    int64_t created = 0;
    bool have = sl_cfg_state_session_key(d->cfg, &key, &len, &alg, &created);
    bool valid =
        have && sl_session_verify(key, len, sig->algorithm, sig->body, sig->len, sig->signature);
    pthread_mutex_unlock(&d->mu);
    if (!have) {
        return fail(err, 503,
                    "This worker is still starting up and has not been able to read a session key "
                    "from the config topic yet");
    }
    if (!valid) {
        return fail(err, 403, "Internal request contained invalid signature.");
    }
    return 0;
}

int sl_dist_put_task_configs(sl_dist *d, const char *name, const json_t *configs,
                             const sl_herder_sig *sig, sl_herr *err)
{
    int st = verify_signature(d, sig, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->mu);
    st = d->is_leader ? 0 : to_leader(d, err);
    pthread_mutex_unlock(&d->mu);
    if (st != 0) {
        return st;
    }
    if (!json_is_array(configs)) {
        return fail(err, 500,
                    "Cannot deserialize value of type `java.util.ArrayList<java.util.Map<java."
                    "lang.String,java.lang.String>>` from %s",
                    configs == NULL ? "Null value"
                                    : "Object value (token `JsonToken.START_OBJECT`)");
    }
    size_t n = json_array_size(configs);
    sl_props **list = sl_xcalloc(n > 0 ? n : 1, sizeof *list);
    for (size_t i = 0; i < n && st == 0; i++) {
        list[i] = sl_props_new();
        char perr[512];
        if (sl_props_from_json(json_array_get(configs, i), list[i], perr, sizeof perr) != 0) {
            st = fail(err, 500, "%s", perr);
        }
    }
    if (st == 0) {
        pthread_mutex_lock(&d->wmu);
        read_config(d, READ_TIMEOUT_MS);
        pthread_mutex_lock(&d->mu);
        bool has = sl_cfg_state_has(d->cfg, name);
        bool stopped = has && sl_cfg_state_target(d->cfg, name) == SL_CFG_STOPPED;
        pthread_mutex_unlock(&d->mu);
        char e[512] = "";
        if (!has) {
            st = fail(err, 404, "Connector %s not found", name);
        } else if (stopped && n > 0) {
            st = fail(err, 400,
                      "Cannot submit non-empty set of task configs for stopped connector %s", name);
        } else if (publish_tasks(d, name, list, (int32_t)n, e, sizeof e) != 0) {
            st = write_failed(err, "the task configs", e);
        } else {
            st = 204;
        }
        pthread_mutex_unlock(&d->wmu);
    }
    for (size_t i = 0; i < n; i++) {
        sl_props_free(list[i]);
    }
    free(list);
    return st;
}

int sl_dist_fence(sl_dist *d, const char *name, const sl_herder_sig *sig, sl_herr *err)
{
    int st = verify_signature(d, sig, err);
    if (st != 0) {
        return st;
    }
    pthread_mutex_lock(&d->mu);
    st = d->is_leader ? 0 : to_leader(d, err);
    bool has = sl_cfg_state_has(d->cfg, name);
    char type[16];
    snprintf(type, sizeof type, "%s",
             has ? sl_herder_rt_conn_type(sl_cfg_state_config(d->cfg, name)) : "unknown");
    pthread_mutex_unlock(&d->mu);
    if (st != 0) {
        return st;
    }
    if (!has) {
        return fail(err, 404, "Connector %s not found", name);
    }
    if (strcmp(type, "source") != 0) {
        return fail(err, 400, "Connector %s is not a source connector", name);
    }
    return fail(err, 400, "Exactly-once source support is not enabled on this worker");
}
