/*
 * herder.c — the herder: the single owner of connector and task lifecycle state (target states,
 * connector/task statuses, task threads, active topics). Its local runtime (task threads, local
 * states, callbacks) serves both modes; the standalone backend (state file, everything local)
 * lives here, the distributed one in worker/dist/distributed.c, which drives the runtime through
 * runtime.h and answers the mode-specific requests. It must never log or persist resolved (config
 * provider) values, and never hold its data lock while starting or joining a task thread (tasks
 * report state from their own thread).
 *
 * Locking: `ops` serialises lifecycle operations (create, put, delete, restart, pause, ...), so
 * while it is held no connector can appear or vanish under us; `mu` protects the data and is
 * only held briefly (readers, task callbacks). Order: ops before mu, never the reverse.
 */
#include "herder/herder.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "dist/distributed.h"
#include "herder/runtime.h"
#include "herder/state.h"
#include "kafka/group_offsets.h"
#include "plugin/catalog.h"
#include "task/task.h"
#include "util/log.h"
#include "util/mem.h"

struct htask {
    sl_task *task; /* NULL when not running (failed to start, or being stopped) */
    int state;     /* enum sl_task_state */
    char *trace;
    uint64_t gen;      /* which start of this slot the callbacks belong to; 0 = ignore callbacks */
    sl_props *tconfig; /* distributed: the raw task config it was started with (NULL: not here) */
};

struct hconn {
    char *name;
    sl_props *config; /* raw, as submitted */
    int target;       /* enum sl_target_state */
    int state;        /* connector state, enum sl_task_state values */
    char *trace;
    int ntasks;
    struct htask *tasks;
    char **topics;
    size_t ntopics;
    struct hconn *next;
};

/* The `arg` of a task's callbacks. Kept until the herder is destroyed, because an abandoned task
 * thread may still call back after sl_task_stop returned. */
struct task_ref {
    sl_herder *h;
    uint64_t gen;
    int32_t task;
    struct task_ref *next;
};

struct sl_herder {
    const sl_props *worker;
    pthread_mutex_t ops;
    pthread_mutex_t mu;
    struct hconn *conns; /* creation order */
    char *state_path;
    char worker_id[256];
    sl_providers *providers;
    bool started;
    bool stopped;
    uint64_t next_gen;
    struct task_ref *refs;
    sl_dist *dist;     /* distributed mode; NULL in standalone */
    sl_rt_hooks hooks; /* distributed: local state changes go to the status topic */
    bool topic_tracking;
    bool topic_reset;
    int64_t shutdown_timeout_ms;
    /* Kafka cluster id, looked up in the background so start-up never waits for the broker. */
    char *cluster_id;
    pthread_t cid_thread;
    bool cid_running;
    atomic_bool cid_stop;
};

static const char *const state_names[] = {"UNASSIGNED", "RUNNING",    "PAUSED",
                                          "FAILED",     "RESTARTING", "STOPPED"};

static const char *state_name(int s)
{
    if (s < 0 || s > SL_TASK_STOPPED) {
        return "UNASSIGNED";
    }
    return state_names[s];
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

/* ---- lookups (mu held) ---- */

static struct hconn *find_conn(sl_herder *h, const char *name)
{
    for (struct hconn *c = h->conns; c != NULL; c = c->next) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static const struct sl_component *find_connector_plugin(const char *cls)
{
    if (cls == NULL) {
        return NULL;
    }
    const struct sl_component *comp = sl_catalog_find(SLUICE_KIND_SINK, cls);
    if (comp == NULL) {
        comp = sl_catalog_find(SLUICE_KIND_SOURCE, cls);
    }
    return comp;
}

static const char *conn_type(const sl_props *config)
{
    const struct sl_component *comp =
        find_connector_plugin(sl_props_get(config, "connector.class"));
    if (comp == NULL) {
        return "unknown";
    }
    return comp->comp->kind == SLUICE_KIND_SINK ? "sink" : "source";
}

static void free_tasks(struct htask *tasks, int n)
{
    for (int i = 0; i < n; i++) {
        free(tasks[i].trace);
        sl_props_free(tasks[i].tconfig);
    }
    free(tasks);
}

static void free_conn(struct hconn *c)
{
    if (c == NULL) {
        return;
    }
    free(c->name);
    sl_props_free(c->config);
    free(c->trace);
    free_tasks(c->tasks, c->ntasks);
    for (size_t i = 0; i < c->ntopics; i++) {
        free(c->topics[i]);
    }
    free(c->topics);
    free(c);
}

static void set_trace(char **slot, const char *trace)
{
    free(*slot);
    *slot = (trace != NULL && *trace != '\0') ? sl_xstrdup(trace) : NULL;
}

/* ---- task callbacks (task threads) ---- */

static void on_task_state(void *arg, const char *connector, int32_t task_id, int state,
                          const char *trace)
{
    struct task_ref *ref = arg;
    sl_herder *h = ref->h;
    sl_rt_hooks hooks = {0};
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, connector);
    if (c != NULL && task_id >= 0 && task_id < c->ntasks && c->tasks[task_id].gen == ref->gen) {
        struct htask *t = &c->tasks[task_id];
        t->state = state;
        if (state == SL_TASK_FAILED) {
            set_trace(&t->trace, trace != NULL && *trace != '\0' ? trace : "task failed");
        } else {
            set_trace(&t->trace, NULL);
        }
        hooks = h->hooks;
    }
    pthread_mutex_unlock(&h->mu);
    if (hooks.task_state != NULL) {
        hooks.task_state(hooks.arg, connector, task_id, state,
                         state == SL_TASK_FAILED
                             ? (trace != NULL && *trace != '\0' ? trace : "task failed")
                             : NULL);
    }
}

static void on_task_topic(void *arg, const char *connector, const char *topic)
{
    struct task_ref *ref = arg;
    sl_herder *h = ref->h;
    pthread_mutex_lock(&h->mu);
    sl_rt_hooks hooks = h->hooks;
    pthread_mutex_unlock(&h->mu);
    if (hooks.topic != NULL) {
        if (h->topic_tracking) {
            hooks.topic(hooks.arg, connector, ref->task, topic);
        }
        return;
    }
    if (h->dist != NULL) {
        return; /* distributed and stopping: topics are not tracked locally */
    }
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, connector);
    if (c != NULL && h->topic_tracking) {
        bool have = false;
        for (size_t i = 0; i < c->ntopics && !have; i++) {
            have = strcmp(c->topics[i], topic) == 0;
        }
        if (!have) {
            c->topics = sl_xrealloc(c->topics, (c->ntopics + 1) * sizeof *c->topics);
            c->topics[c->ntopics++] = sl_xstrdup(topic);
        }
    }
    pthread_mutex_unlock(&h->mu);
}

/* mu held. */
static struct task_ref *new_ref(sl_herder *h, int32_t task)
{
    struct task_ref *r = sl_xcalloc(1, sizeof *r);
    r->h = h;
    r->task = task;
    r->gen = ++h->next_gen;
    r->next = h->refs;
    h->refs = r;
    return r;
}

/* ---- starting and stopping tasks (ops held, mu not held) ---- */

struct stopper {
    sl_task *task;
    int64_t timeout_ms;
    pthread_t thread;
    bool threaded;
};

static void *stopper_main(void *arg)
{
    struct stopper *s = arg;
    sl_task_stop(s->task, s->timeout_ms);
    return NULL;
}

/* Stop tasks in parallel: the graceful timeout is a budget for all of them together (like Java). */
static void stop_handles(sl_herder *h, sl_task **tasks, size_t n)
{
    if (n == 0) {
        return;
    }
    if (n == 1) {
        sl_task_stop(tasks[0], h->shutdown_timeout_ms);
        return;
    }
    struct stopper *s = sl_xcalloc(n, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        s[i].task = tasks[i];
        s[i].timeout_ms = h->shutdown_timeout_ms;
        s[i].threaded = pthread_create(&s[i].thread, NULL, stopper_main, &s[i]) == 0;
        if (!s[i].threaded) {
            sl_task_stop(tasks[i], h->shutdown_timeout_ms);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i].threaded) {
            pthread_join(s[i].thread, NULL);
        }
    }
    free(s);
}

/* Detach every task of c (under mu), then stop them (without mu). c keeps no tasks. */
static void stop_all_tasks(sl_herder *h, struct hconn *c)
{
    pthread_mutex_lock(&h->mu);
    int n = c->ntasks;
    struct htask *tasks = c->tasks;
    c->tasks = NULL;
    c->ntasks = 0;
    sl_task **handles = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *handles);
    size_t nh = 0;
    for (int i = 0; i < n; i++) {
        tasks[i].gen = 0;
        if (tasks[i].task != NULL) {
            handles[nh++] = tasks[i].task;
            tasks[i].task = NULL;
        }
    }
    pthread_mutex_unlock(&h->mu);
    if (nh > 0) {
        sl_cinfo(c->name, "Stopping %zu task(s)", nh);
    }
    stop_handles(h, handles, nh);
    free(handles);
    free_tasks(tasks, n);
}

/* Tell the distributed backend about a local state change (never with a lock held). */
static void report(sl_herder *h, const char *conn, int task, int state, const char *trace)
{
    pthread_mutex_lock(&h->mu);
    sl_rt_hooks hooks = h->hooks;
    pthread_mutex_unlock(&h->mu);
    if (hooks.task_state != NULL) {
        hooks.task_state(hooks.arg, conn, task, state, trace);
    }
}

/* Start task slot i of c with the resolved config. */
static void start_one_task(sl_herder *h, struct hconn *c, int i, const sl_props *resolved)
{
    pthread_mutex_lock(&h->mu);
    struct task_ref *ref = new_ref(h, i);
    struct htask *t = &c->tasks[i];
    t->gen = ref->gen;
    t->state = c->target == SL_TARGET_PAUSED ? SL_TASK_PAUSED : SL_TASK_RUNNING;
    set_trace(&t->trace, NULL);
    pthread_mutex_unlock(&h->mu);

    struct sl_task_spec spec = {
        .connector = c->name,
        .task_id = i,
        .config = resolved,
        .worker = h->worker,
        .start_paused = c->target == SL_TARGET_PAUSED,
        .on_state = on_task_state,
        .on_topic = on_task_topic,
        .arg = ref,
    };
    char err[1024] = "";
    /* Reported before the thread starts, so its own reports always come after this one. */
    report(h, c->name, i, spec.start_paused ? SL_TASK_PAUSED : SL_TASK_RUNNING, NULL);
    sl_task *task = sl_task_start(&spec, err, sizeof err);

    char trace[1200] = "";
    pthread_mutex_lock(&h->mu);
    if (task == NULL) {
        t->state = SL_TASK_FAILED;
        snprintf(trace, sizeof trace, "Failed to start task %s-%d: %s", c->name, i,
                 err[0] != '\0' ? err : "unknown error");
        set_trace(&t->trace, trace);
    } else {
        t->task = task;
    }
    pthread_mutex_unlock(&h->mu);
    if (task == NULL) {
        sl_cerror(c->name, "Failed to start task %d: %s", i, err);
        report(h, c->name, i, SL_TASK_FAILED, trace);
    }
}

static void conn_fail(sl_herder *h, struct hconn *c, const char *trace)
{
    pthread_mutex_lock(&h->mu);
    c->state = SL_TASK_FAILED;
    set_trace(&c->trace, trace);
    pthread_mutex_unlock(&h->mu);
    sl_cerror(c->name, "Connector failed: %s", trace);
}

/* Resolve config providers; NULL with the connector marked FAILED. Never logs values. */
static sl_props *resolve_config(sl_herder *h, struct hconn *c)
{
    char err[1024] = "";
    sl_props *resolved = h->providers != NULL
                             ? sl_providers_resolve(h->providers, c->config, err, sizeof err)
                             : sl_props_dup(c->config);
    if (resolved == NULL) {
        char trace[1200];
        snprintf(trace, sizeof trace, "Failed to resolve config providers: %s", err);
        conn_fail(h, c, trace);
    }
    return resolved;
}

/* Bring c's tasks to its target state from nothing running. */
static void start_conn(sl_herder *h, struct hconn *c)
{
    pthread_mutex_lock(&h->mu);
    set_trace(&c->trace, NULL);
    c->state = SL_TASK_UNASSIGNED;
    int target = c->target;
    pthread_mutex_unlock(&h->mu);

    if (target == SL_TARGET_STOPPED) {
        pthread_mutex_lock(&h->mu);
        c->state = SL_TASK_STOPPED;
        pthread_mutex_unlock(&h->mu);
        sl_cinfo(c->name, "Connector is STOPPED; no tasks started");
        return;
    }
    const char *cls = sl_props_get(c->config, "connector.class");
    const struct sl_component *comp = find_connector_plugin(cls);
    if (comp == NULL) {
        char trace[1024];
        snprintf(trace, sizeof trace,
                 "Failed to find any class that implements Connector and which name matches %s",
                 cls != NULL ? cls : "(none)");
        conn_fail(h, c, trace);
        return;
    }
    if (comp->comp->kind != SLUICE_KIND_SINK) {
        conn_fail(h, c, "Source connectors are not supported by this version of sluice");
        return;
    }
    sl_props *resolved = resolve_config(h, c);
    if (resolved == NULL) {
        return;
    }
    int64_t n = sl_props_get_long(c->config, "tasks.max", 1);
    if (n < 1) {
        n = 1;
    }
    if (n > 1024) {
        n = 1024;
    }
    pthread_mutex_lock(&h->mu);
    c->tasks = sl_xcalloc((size_t)n, sizeof *c->tasks);
    c->ntasks = (int)n;
    for (int i = 0; i < c->ntasks; i++) {
        c->tasks[i].state = SL_TASK_UNASSIGNED;
    }
    c->state = target == SL_TARGET_PAUSED ? SL_TASK_PAUSED : SL_TASK_RUNNING;
    pthread_mutex_unlock(&h->mu);

    sl_cinfo(c->name, "Starting connector %s with %d task(s)%s", cls, (int)n,
             target == SL_TARGET_PAUSED ? " (paused)" : "");
    for (int i = 0; i < (int)n; i++) {
        start_one_task(h, c, i, resolved);
    }
    sl_props_free(resolved);
}

/* ---- persistence (ops held) ---- */

static void persist(sl_herder *h)
{
    if (h->state_path == NULL) {
        return;
    }
    pthread_mutex_lock(&h->mu);
    size_t n = 0;
    for (struct hconn *c = h->conns; c != NULL; c = c->next) {
        n++;
    }
    struct sl_state_entry *e = sl_xcalloc(n > 0 ? n : 1, sizeof *e);
    size_t i = 0;
    for (struct hconn *c = h->conns; c != NULL; c = c->next, i++) {
        /* Borrowed: configs only change under `ops`, which we hold. */
        e[i].name = c->name;
        e[i].config = c->config;
        e[i].target = c->target;
    }
    pthread_mutex_unlock(&h->mu);
    char err[512];
    if (sl_state_save(h->state_path, e, n, err, sizeof err) != 0) {
        sl_error("Failed to persist connector state: %s", err);
    }
    free(e);
}

/* ---- JSON builders (mu held) ---- */

static json_t *conn_info_json(const struct hconn *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "config", sl_props_to_json(c->config));
    json_t *tasks = json_array();
    for (int i = 0; i < c->ntasks; i++) {
        json_t *t = json_object();
        json_object_set_new(t, "connector", json_string(c->name));
        json_object_set_new(t, "task", json_integer(i));
        json_array_append_new(tasks, t);
    }
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(conn_type(c->config)));
    return o;
}

static json_t *task_status_json(sl_herder *h, int id, int state, const char *trace)
{
    json_t *t = json_object();
    json_object_set_new(t, "id", json_integer(id));
    json_object_set_new(t, "state", json_string(state_name(state)));
    json_object_set_new(t, "worker_id", json_string(h->worker_id));
    if (trace != NULL && *trace != '\0') {
        json_object_set_new(t, "trace", json_string(trace));
    }
    return t;
}

static json_t *conn_status_json(sl_herder *h, const struct hconn *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_t *cs = json_object();
    json_object_set_new(cs, "state", json_string(state_name(c->state)));
    json_object_set_new(cs, "worker_id", json_string(h->worker_id));
    if (c->trace != NULL) {
        json_object_set_new(cs, "trace", json_string(c->trace));
    }
    json_object_set_new(o, "connector", cs);
    json_t *tasks = json_array();
    for (int i = 0; i < c->ntasks; i++) {
        json_array_append_new(tasks, task_status_json(h, i, c->tasks[i].state, c->tasks[i].trace));
    }
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "type", json_string(conn_type(c->config)));
    return o;
}

/* ---- lifecycle ---- */

static void cid_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    (void)level;
    (void)fac;
    (void)buf; /* the cluster-id probe stays quiet; tasks report broker trouble */
}

static void *cid_main(void *arg)
{
    sl_herder *h = arg;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    const char *bs = sl_props_get(h->worker, "bootstrap.servers");
    rd_kafka_conf_set(conf, "bootstrap.servers", bs != NULL ? bs : "localhost:9092", errstr,
                      sizeof errstr);
    for (size_t i = 0; i < sl_props_count(h->worker); i++) {
        const char *k = sl_props_key_at(h->worker, i);
        const char *v = sl_props_value_at(h->worker, i);
        if (v != NULL && (strncmp(k, "security.", 9) == 0 || strncmp(k, "sasl.", 5) == 0 ||
                          strncmp(k, "ssl.", 4) == 0)) {
            /* Java-only keys are refused by librdkafka; that is fine for a probe. */
            rd_kafka_conf_set(conf, k, v, errstr, sizeof errstr);
        }
    }
    rd_kafka_conf_set_log_cb(conf, cid_log_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        return NULL;
    }
    while (!atomic_load(&h->cid_stop)) {
        char *id = rd_kafka_clusterid(rk, 200);
        if (id != NULL) {
            pthread_mutex_lock(&h->mu);
            free(h->cluster_id);
            h->cluster_id = sl_xstrdup(id);
            pthread_mutex_unlock(&h->mu);
            rd_kafka_mem_free(rk, id);
            break;
        }
    }
    rd_kafka_destroy(rk);
    return NULL;
}

static char *state_dir_of(const sl_props *worker, char *err, size_t errlen)
{
    const char *dir = sl_props_get(worker, "state.dir");
    if (dir != NULL && *dir != '\0') {
        return sl_xstrdup(dir);
    }
    const char *file = sl_props_get(worker, "offset.storage.file.filename");
    if (file == NULL || *file == '\0') {
        snprintf(err, errlen,
                 "Missing required configuration \"offset.storage.file.filename\" which has no "
                 "default value.");
        return NULL;
    }
    const char *slash = strrchr(file, '/');
    if (slash == NULL) {
        return sl_xstrdup(".");
    }
    if (slash == file) {
        return sl_xstrdup("/");
    }
    return sl_xstrndup(file, (size_t)(slash - file));
}

static sl_herder *herder_alloc(const sl_props *worker, sl_providers *providers)
{
    sl_herder *h = sl_xcalloc(1, sizeof *h);
    h->worker = worker;
    h->providers = providers;
    pthread_mutex_init(&h->ops, NULL);
    pthread_mutex_init(&h->mu, NULL);
    h->topic_tracking = sl_props_get_bool(worker, "topic.tracking.enable", true);
    h->topic_reset = sl_props_get_bool(worker, "topic.tracking.allow.reset", true);
    h->shutdown_timeout_ms = sl_props_get_long(worker, "task.shutdown.graceful.timeout.ms", 5000);
    snprintf(h->worker_id, sizeof h->worker_id, "localhost:8083");
    return h;
}

sl_herder *sl_herder_new(const sl_props *worker, char *err, size_t errlen)
{
    char *dir = state_dir_of(worker, err, errlen);
    if (dir == NULL) {
        return NULL;
    }
    sl_providers *providers = sl_providers_new(worker, err, errlen);
    if (providers == NULL) {
        free(dir);
        return NULL;
    }
    sl_herder *h = herder_alloc(worker, providers);
    size_t len = strlen(dir) + strlen(SL_STATE_FILE) + 2;
    h->state_path = sl_xmalloc(len);
    snprintf(h->state_path, len, "%s/%s", dir, SL_STATE_FILE);
    free(dir);
    return h;
}

sl_herder *sl_herder_new_distributed(const sl_props *worker, char *err, size_t errlen)
{
    sl_providers *providers = sl_providers_new(worker, err, errlen);
    if (providers == NULL) {
        return NULL;
    }
    sl_herder *h = herder_alloc(worker, providers);
    h->dist = sl_dist_new(h, worker, err, errlen);
    if (h->dist == NULL) {
        sl_herder_destroy(h);
        return NULL;
    }
    return h;
}

bool sl_herder_is_distributed(const sl_herder *h)
{
    return h != NULL && h->dist != NULL;
}

void sl_herder_set_rest_url(sl_herder *h, const char *url)
{
    if (h->dist != NULL) {
        sl_dist_set_url(h->dist, url);
    }
}

int sl_herder_start(sl_herder *h, char *err, size_t errlen)
{
    if (h->dist != NULL) {
        if (sl_dist_start(h->dist, err, errlen) != 0) {
            return -1;
        }
        pthread_mutex_lock(&h->mu);
        h->started = true;
        pthread_mutex_unlock(&h->mu);
        h->cid_running = pthread_create(&h->cid_thread, NULL, cid_main, h) == 0;
        return 0;
    }
    char dir[4096];
    const char *slash = strrchr(h->state_path, '/');
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - h->state_path), h->state_path);
    if (sl_state_mkdirs(dir, err, errlen) != 0) {
        return -1;
    }
    struct sl_state_entry *entries = NULL;
    size_t n = 0;
    if (sl_state_load(h->state_path, &entries, &n, err, errlen) != 0) {
        return -1;
    }
    pthread_mutex_lock(&h->ops);
    struct hconn **tail = &h->conns;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < n; i++) {
        struct hconn *c = sl_xcalloc(1, sizeof *c);
        c->name = entries[i].name;
        c->config = entries[i].config;
        c->target = entries[i].target;
        entries[i].name = NULL;
        entries[i].config = NULL;
        *tail = c;
        tail = &c->next;
    }
    pthread_mutex_unlock(&h->mu);
    sl_state_entries_free(entries, n);
    if (n > 0) {
        sl_info("Restoring %zu connector(s) from %s", n, h->state_path);
    }
    for (struct hconn *c = h->conns; c != NULL; c = c->next) {
        start_conn(h, c);
    }
    pthread_mutex_lock(&h->mu);
    h->started = true;
    pthread_mutex_unlock(&h->mu);
    pthread_mutex_unlock(&h->ops);
    h->cid_running = pthread_create(&h->cid_thread, NULL, cid_main, h) == 0;
    return 0;
}

void sl_herder_stop(sl_herder *h)
{
    if (h == NULL) {
        return;
    }
    if (h->dist != NULL) {
        sl_dist_stop(h->dist); /* leaves the group, stops the local tasks through the runtime */
    }
    pthread_mutex_lock(&h->ops);
    if (h->stopped) {
        pthread_mutex_unlock(&h->ops);
        return;
    }
    pthread_mutex_lock(&h->mu);
    h->stopped = true;
    size_t nh = 0;
    for (struct hconn *c = h->conns; c != NULL; c = c->next) {
        nh += (size_t)c->ntasks;
    }
    sl_task **handles = sl_xcalloc(nh > 0 ? nh : 1, sizeof *handles);
    size_t k = 0;
    for (struct hconn *c = h->conns; c != NULL; c = c->next) {
        for (int i = 0; i < c->ntasks; i++) {
            if (c->tasks[i].task != NULL) {
                handles[k++] = c->tasks[i].task;
                c->tasks[i].task = NULL;
            }
            c->tasks[i].gen = 0;
            c->tasks[i].state = SL_TASK_UNASSIGNED;
        }
    }
    pthread_mutex_unlock(&h->mu);
    sl_info("Stopping %zu task(s)", k);
    stop_handles(h, handles, k);
    free(handles);
    persist(h);
    pthread_mutex_unlock(&h->ops);
    if (h->cid_running) {
        atomic_store(&h->cid_stop, true);
        pthread_join(h->cid_thread, NULL);
        h->cid_running = false;
    }
    sl_info("Herder stopped");
}

void sl_herder_destroy(sl_herder *h)
{
    if (h == NULL) {
        return;
    }
    sl_herder_stop(h);
    sl_dist_destroy(h->dist);
    h->dist = NULL;
    while (h->conns != NULL) {
        struct hconn *c = h->conns;
        h->conns = c->next;
        free_conn(c);
    }
    while (h->refs != NULL) {
        struct task_ref *r = h->refs;
        h->refs = r->next;
        free(r);
    }
    sl_providers_free(h->providers);
    free(h->state_path);
    free(h->cluster_id);
    pthread_mutex_destroy(&h->ops);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* ---- worker facts ---- */

const char *sl_herder_kafka_cluster_id(sl_herder *h)
{
    pthread_mutex_lock(&h->mu);
    const char *id = h->cluster_id; /* set once, freed only at destroy */
    pthread_mutex_unlock(&h->mu);
    return id;
}

const char *sl_herder_worker_id(sl_herder *h)
{
    return h->worker_id;
}

void sl_herder_set_worker_id(sl_herder *h, const char *id)
{
    pthread_mutex_lock(&h->mu);
    snprintf(h->worker_id, sizeof h->worker_id, "%s", id != NULL ? id : "");
    pthread_mutex_unlock(&h->mu);
}

int sl_herder_health(sl_herder *h, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_health(h->dist, out, err);
    }
    pthread_mutex_lock(&h->mu);
    bool started = h->started;
    bool stopped = h->stopped;
    pthread_mutex_unlock(&h->mu);
    return sl_herder_health_answer(stopped, started, out);
}

int sl_herder_health_answer(bool stopping, bool ready, json_t **out)
{
    if (stopping) {
        *out = json_pack("{s:s,s:s}", "status", "unhealthy", "message",
                         "Worker was unable to handle this request and may be unable to handle "
                         "other requests. The worker is shutting down.");
        return 500;
    }
    if (!ready) {
        *out =
            json_pack("{s:s,s:s}", "status", "starting", "message", "Worker is still starting up.");
        return 503;
    }
    *out = json_pack("{s:s,s:s}", "status", "healthy", "message",
                     "Worker has completed startup and is ready to handle requests.");
    return 200;
}

/* ---- connectors: reads ---- */

int sl_herder_list(sl_herder *h, bool expand_status, bool expand_info, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_list(h->dist, expand_status, expand_info, out, err);
    }
    pthread_mutex_lock(&h->mu);
    json_t *res;
    if (!expand_status && !expand_info) {
        res = json_array();
        for (struct hconn *c = h->conns; c != NULL; c = c->next) {
            json_array_append_new(res, json_string(c->name));
        }
    } else {
        res = json_object();
        for (struct hconn *c = h->conns; c != NULL; c = c->next) {
            json_t *e = json_object();
            if (expand_status) {
                json_object_set_new(e, "status", conn_status_json(h, c));
            }
            if (expand_info) {
                json_object_set_new(e, "info", conn_info_json(c));
            }
            json_object_set_new(res, c->name, e);
        }
    }
    pthread_mutex_unlock(&h->mu);
    *out = res;
    return 200;
}

/* Views of one connector for the read endpoints, built under the lock. */
typedef json_t *(*conn_view_fn)(sl_herder *h, const struct hconn *c);

static json_t *view_info(sl_herder *h, const struct hconn *c)
{
    (void)h;
    return conn_info_json(c);
}

static json_t *view_config(sl_herder *h, const struct hconn *c)
{
    (void)h;
    return sl_props_to_json(c->config);
}

static json_t *view_tasks(sl_herder *h, const struct hconn *c)
{
    (void)h;
    json_t *arr = json_array();
    for (int i = 0; i < c->ntasks; i++) {
        json_t *id = json_pack("{s:s,s:i}", "connector", c->name, "task", i);
        json_array_append_new(
            arr, json_pack("{s:o,s:o}", "id", id, "config", sl_props_to_json(c->config)));
    }
    return arr;
}

static json_t *view_tasks_config(sl_herder *h, const struct hconn *c)
{
    (void)h;
    json_t *obj = json_object();
    for (int i = 0; i < c->ntasks; i++) {
        char key[512];
        snprintf(key, sizeof key, "%s-%d", c->name, i);
        json_object_set_new(obj, key, sl_props_to_json(c->config));
    }
    return obj;
}

/* 200 with fn's view, or 404 "Connector <c> not found" (status endpoints: "No status found"). */
static int view_conn(sl_herder *h, const char *name, conn_view_fn fn, bool status, json_t **out,
                     sl_herr *err)
{
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    if (c != NULL) {
        *out = fn(h, c);
    }
    pthread_mutex_unlock(&h->mu);
    if (c != NULL) {
        return 200;
    }
    return status ? fail(err, 404, "No status found for connector %s", name)
                  : fail(err, 404, "Connector %s not found", name);
}

int sl_herder_info(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_info(h->dist, name, out, err);
    }
    return view_conn(h, name, view_info, false, out, err);
}

int sl_herder_config(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_config(h->dist, name, out, err);
    }
    return view_conn(h, name, view_config, false, out, err);
}

int sl_herder_status(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_status(h->dist, name, out, err);
    }
    return view_conn(h, name, conn_status_json, true, out, err);
}

int sl_herder_tasks(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_tasks(h->dist, name, out, err);
    }
    return view_conn(h, name, view_tasks, false, out, err);
}

int sl_herder_tasks_config(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_tasks_config(h->dist, name, out, err);
    }
    return view_conn(h, name, view_tasks_config, false, out, err);
}

int sl_herder_task_status(sl_herder *h, const char *name, int task, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_task_status(h->dist, name, task, out, err);
    }
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    bool ok = c != NULL && task >= 0 && task < c->ntasks;
    if (ok) {
        *out = task_status_json(h, task, c->tasks[task].state, c->tasks[task].trace);
    }
    pthread_mutex_unlock(&h->mu);
    return ok ? 200 : fail(err, 404, "No status found for task %s-%d", name, task);
}

/* ---- connectors: writes ---- */

/* Java's Map.toString of a config, for "contains no connector type". Sensitive values hidden. */
static char *props_java_string(const sl_props *p)
{
    sl_props *red = sl_props_redacted(p);
    const sl_props *src = red != NULL ? red : p;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        sl_props_free(red);
        return sl_xstrdup("{}");
    }
    fputc('{', f);
    for (size_t i = 0; i < sl_props_count(src); i++) {
        const char *v = sl_props_value_at(src, i);
        fprintf(f, "%s%s=%s", i > 0 ? ", " : "", sl_props_key_at(src, i), v != NULL ? v : "null");
    }
    fputc('}', f);
    fclose(f);
    sl_props_free(red);
    return text;
}

static int no_connector_type(sl_herr *err, int status, const char *prefix, const sl_props *cfg)
{
    char *s = props_java_string(cfg);
    fail(err, status, "%sConnector config %s contains no connector type", prefix, s);
    free(s);
    return status;
}

static int unknown_connector_class(sl_herr *err, const char *prefix, const char *cls)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        return fail(err, 500,
                    "%sFailed to find any class that implements Connector and which "
                    "name matches %s",
                    prefix, cls);
    }
    fprintf(f,
            "%sFailed to find any class that implements Connector and which name matches %s, "
            "available connectors are: ",
            prefix, cls);
    int k = 0;
    for (size_t i = 0; i < sl_catalog_count(); i++) {
        const struct sl_component *c = sl_catalog_at(i);
        if (c->comp->kind != SLUICE_KIND_SINK && c->comp->kind != SLUICE_KIND_SOURCE) {
            continue;
        }
        const char *type = c->comp->kind == SLUICE_KIND_SINK ? "sink" : "source";
        const char *v = c->version != NULL ? c->version : "undefined";
        fprintf(f,
                "%sPluginDesc{klass=class %s, name='%s', version='%s', encodedVersion=%s, "
                "type=%s, typeName='%s', location='%s'}",
                k++ > 0 ? ", " : "", c->comp->class_name, c->comp->class_name, v, v, type, type,
                c->file != NULL ? c->file : "classpath");
    }
    fclose(f);
    fail(err, 500, "%s", text);
    free(text);
    return 500;
}

/*
 * The checks of POST/PUT/PATCH before anything is written: the name in the config, a connector
 * class, a known plugin, and the full validation. cfg gets `name` when absent.
 */
static int check_config(const char *name, sl_props *cfg, sl_herr *err)
{
    const char *cfg_name = sl_props_get(cfg, "name");
    if (cfg_name != NULL && strcmp(cfg_name, name) != 0) {
        return fail(err, 400,
                    "Connector name configuration (%s) doesn't match connector name in the URL "
                    "(%s)",
                    cfg_name, name);
    }
    if (cfg_name == NULL) {
        sl_props_set(cfg, "name", name);
    }
    const char *cls = sl_props_get(cfg, "connector.class");
    if (cls == NULL || *cls == '\0') {
        return no_connector_type(err, 400, "", cfg);
    }
    if (find_connector_plugin(cls) == NULL) {
        return unknown_connector_class(err, "", cls);
    }
    sl_validation *v = sl_connector_validate(cfg, cls);
    int status = 0;
    if (v != NULL && sl_validation_error_count(v) > 0) {
        char *msg = sl_validation_message(v);
        status = fail(err, 400, "%s", msg != NULL ? msg : "Connector configuration is invalid");
        free(msg);
    }
    sl_validation_free(v);
    return status;
}

/*
 * Create or replace (ops held). cfg is transferred. target < 0 keeps an existing connector's
 * target state (new connectors start STARTED). *created tells which happened.
 */
static int apply_config(sl_herder *h, const char *name, sl_props *cfg, int target, bool must_be_new,
                        bool must_exist, bool *created, json_t **out, sl_herr *err)
{
    int st = check_config(name, cfg, err);
    if (st != 0) {
        sl_props_free(cfg);
        return st;
    }
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    pthread_mutex_unlock(&h->mu);
    if (c != NULL && must_be_new) {
        sl_props_free(cfg);
        return fail(err, 409, "Connector %s already exists", name);
    }
    if (c == NULL && must_exist) {
        sl_props_free(cfg);
        return fail(err, 404, "Connector %s not found", name);
    }
    *created = c == NULL;
    if (c == NULL) {
        c = sl_xcalloc(1, sizeof *c);
        c->name = sl_xstrdup(name);
        c->config = cfg;
        c->target = target >= 0 ? target : SL_TARGET_STARTED;
        pthread_mutex_lock(&h->mu);
        struct hconn **tail = &h->conns;
        while (*tail != NULL) {
            tail = &(*tail)->next;
        }
        *tail = c;
        pthread_mutex_unlock(&h->mu);
        sl_cinfo(name, "Created connector");
        persist(h);
        start_conn(h, c);
    } else if (sl_props_equal(c->config, cfg)) {
        sl_props_free(cfg); /* same config: nothing to reconfigure */
    } else {
        stop_all_tasks(h, c);
        pthread_mutex_lock(&h->mu);
        sl_props_free(c->config);
        c->config = cfg;
        pthread_mutex_unlock(&h->mu);
        sl_cinfo(name, "Reconfigured connector");
        persist(h);
        start_conn(h, c);
    }
    if (out != NULL) {
        pthread_mutex_lock(&h->mu);
        *out = conn_info_json(c);
        pthread_mutex_unlock(&h->mu);
    }
    return *created ? 201 : 200;
}

int sl_herder_create(sl_herder *h, const char *name, const sl_props *config,
                     const char *initial_state, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_create(h->dist, name, config, initial_state, out, err);
    }
    int target = SL_TARGET_STARTED;
    if (initial_state != NULL) {
        if (strcasecmp(initial_state, "RUNNING") == 0) {
            target = SL_TARGET_STARTED;
        } else if (strcasecmp(initial_state, "PAUSED") == 0) {
            target = SL_TARGET_PAUSED;
        } else if (strcasecmp(initial_state, "STOPPED") == 0) {
            target = SL_TARGET_STOPPED;
        } else {
            return fail(err, 400,
                        "Invalid initial state %s; must be one of RUNNING, PAUSED or STOPPED",
                        initial_state);
        }
    }
    bool created = false;
    pthread_mutex_lock(&h->ops);
    int st = apply_config(h, name, sl_props_dup(config), target, true, false, &created, out, err);
    pthread_mutex_unlock(&h->ops);
    return st;
}

int sl_herder_put_config(sl_herder *h, const char *name, const sl_props *config, json_t **out,
                         sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_put_config(h->dist, name, config, out, err);
    }
    bool created = false;
    pthread_mutex_lock(&h->ops);
    int st = apply_config(h, name, sl_props_dup(config), -1, false, false, &created, out, err);
    pthread_mutex_unlock(&h->ops);
    return st;
}

int sl_herder_patch_config(sl_herder *h, const char *name, const json_t *patch, json_t **out,
                           sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_patch_config(h->dist, name, patch, out, err);
    }
    if (!json_is_object(patch)) {
        return fail(err, 400, "Connector config patch must be a JSON object");
    }
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    sl_props *cfg = c != NULL ? sl_props_dup(c->config) : NULL;
    pthread_mutex_unlock(&h->mu);
    if (cfg == NULL) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Connector %s not found", name);
    }
    json_t *sets = json_object();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val)
    {
        if (json_is_null(val)) {
            sl_props_remove(cfg, key);
        } else {
            json_object_set((json_t *)sets, key, val);
        }
    }
    sl_props *upd = sl_props_new();
    char perr[512];
    int st = 0;
    if (sl_props_from_json(sets, upd, perr, sizeof perr) != 0) {
        st = fail(err, 400, "%s", perr);
    } else {
        for (size_t i = 0; i < sl_props_count(upd); i++) {
            sl_props_set(cfg, sl_props_key_at(upd, i), sl_props_value_at(upd, i));
        }
    }
    sl_props_free(upd);
    json_decref(sets);
    if (st != 0) {
        sl_props_free(cfg);
        pthread_mutex_unlock(&h->ops);
        return st;
    }
    bool created = false;
    st = apply_config(h, name, cfg, -1, false, true, &created, out, err);
    pthread_mutex_unlock(&h->ops);
    return st;
}

int sl_herder_delete(sl_herder *h, const char *name, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_delete(h->dist, name, err);
    }
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn **pp = &h->conns;
    while (*pp != NULL && strcmp((*pp)->name, name) != 0) {
        pp = &(*pp)->next;
    }
    struct hconn *c = *pp;
    if (c != NULL) {
        *pp = c->next; /* unlinked: callbacks of its tasks are ignored from here on */
    }
    pthread_mutex_unlock(&h->mu);
    if (c == NULL) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Connector %s not found", name);
    }
    stop_all_tasks(h, c);
    persist(h);
    pthread_mutex_unlock(&h->ops);
    sl_cinfo(name, "Deleted connector");
    free_conn(c);
    return 204;
}

/* Restart one task slot in place (ops held). */
static void restart_task_slot(sl_herder *h, struct hconn *c, int i, const sl_props *resolved)
{
    pthread_mutex_lock(&h->mu);
    sl_task *old = c->tasks[i].task;
    c->tasks[i].task = NULL;
    c->tasks[i].gen = 0;
    c->tasks[i].state = SL_TASK_RESTARTING;
    pthread_mutex_unlock(&h->mu);
    if (old != NULL) {
        sl_task_stop(old, h->shutdown_timeout_ms);
    }
    start_one_task(h, c, i, resolved);
}

int sl_herder_restart(sl_herder *h, const char *name, bool include_tasks, bool only_failed,
                      json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_restart(h->dist, name, include_tasks, only_failed, out, err);
    }
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    if (c == NULL) {
        pthread_mutex_unlock(&h->mu);
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Unknown connector: %s", name);
    }
    bool conn_restart = !only_failed || c->state == SL_TASK_FAILED;
    int n = c->ntasks;
    bool *task_restart = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *task_restart);
    for (int i = 0; i < n; i++) {
        task_restart[i] = include_tasks && (!only_failed || c->tasks[i].state == SL_TASK_FAILED);
    }
    json_t *body = NULL;
    if (include_tasks || only_failed) {
        body = conn_status_json(h, c);
        if (conn_restart) {
            json_object_set_new(json_object_get(body, "connector"), "state",
                                json_string("RESTARTING"));
            json_object_del(json_object_get(body, "connector"), "trace");
        }
        json_t *tasks = json_object_get(body, "tasks");
        for (int i = 0; i < n; i++) {
            if (task_restart[i]) {
                json_t *t = json_array_get(tasks, (size_t)i);
                json_object_set_new(t, "state", json_string("RESTARTING"));
                json_object_del(t, "trace");
            }
        }
    }
    bool conn_failed = c->state == SL_TASK_FAILED;
    pthread_mutex_unlock(&h->mu);

    /* A sink's connector instance holds no state of its own: restarting it matters only when
     * it failed (e.g. config providers or plugin lookup), and then everything starts again. */
    bool all = (conn_restart && conn_failed) || (include_tasks && !only_failed);
    if (all) {
        sl_cinfo(name, "Restarting connector%s", include_tasks ? " and its tasks" : "");
        stop_all_tasks(h, c);
        start_conn(h, c);
    } else if (include_tasks && n > 0) {
        sl_props *resolved = resolve_config(h, c);
        for (int i = 0; resolved != NULL && i < n; i++) {
            if (task_restart[i]) {
                sl_cinfo(name, "Restarting task %d", i);
                restart_task_slot(h, c, i, resolved);
            }
        }
        sl_props_free(resolved);
    }
    free(task_restart);
    pthread_mutex_unlock(&h->ops);
    if (body != NULL) {
        if (out != NULL) {
            *out = body;
        } else {
            json_decref(body);
        }
        return 202;
    }
    return 204;
}

int sl_herder_restart_task(sl_herder *h, const char *name, int task, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_restart_task(h->dist, name, task, err);
    }
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    bool has_task = c != NULL && task >= 0 && task < c->ntasks;
    pthread_mutex_unlock(&h->mu);
    if (c == NULL) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Unknown connector: %s", name);
    }
    if (!has_task) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Unknown task: %s-%d", name, task);
    }
    sl_props *resolved = resolve_config(h, c);
    if (resolved == NULL) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 500, "Failed to start task: %s-%d", name, task);
    }
    sl_cinfo(name, "Restarting task %d", task);
    restart_task_slot(h, c, task, resolved);
    sl_props_free(resolved);
    pthread_mutex_lock(&h->mu);
    bool ok = c->tasks[task].task != NULL;
    pthread_mutex_unlock(&h->mu);
    pthread_mutex_unlock(&h->ops);
    return ok ? 204 : fail(err, 500, "Failed to start task: %s-%d", name, task);
}

/* mu held. The tasks confirm through on_state; this keeps status right until they do. */
static void set_task_states(struct hconn *c, int from, int to)
{
    for (int i = 0; i < c->ntasks; i++) {
        if (c->tasks[i].task != NULL && c->tasks[i].state == from) {
            c->tasks[i].state = to;
        }
    }
}

/* Call fn on every running task of c without holding mu (ops held: handles cannot vanish). */
static void each_task(sl_herder *h, struct hconn *c, void (*fn)(sl_task *))
{
    pthread_mutex_lock(&h->mu);
    int n = c->ntasks;
    sl_task **handles = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *handles);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (c->tasks[i].task != NULL) {
            handles[k++] = c->tasks[i].task;
        }
    }
    pthread_mutex_unlock(&h->mu);
    for (int i = 0; i < k; i++) {
        fn(handles[i]);
    }
    free(handles);
}

/* Pause or resume: the target state changes, running tasks follow; a STOPPED connector is
 * started again with its tasks paused (Java: pausing a stopped connector) or running. */
static int pause_or_resume(sl_herder *h, const char *name, bool pause, sl_herr *err)
{
    int target = pause ? SL_TARGET_PAUSED : SL_TARGET_STARTED;
    int from = pause ? SL_TASK_RUNNING : SL_TASK_PAUSED;
    int to = pause ? SL_TASK_PAUSED : SL_TASK_RUNNING;
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    if (c == NULL) {
        pthread_mutex_unlock(&h->mu);
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Unknown connector %s", name);
    }
    bool changed = c->target != target;
    bool was_stopped = c->target == SL_TARGET_STOPPED;
    c->target = target;
    if (!was_stopped) {
        /* Pausing marks any connector but a FAILED one PAUSED; resuming undoes only that. */
        if (pause ? c->state != SL_TASK_FAILED : c->state == SL_TASK_PAUSED) {
            c->state = to;
        }
        set_task_states(c, from, to);
    }
    pthread_mutex_unlock(&h->mu);
    if (was_stopped) {
        start_conn(h, c);
    } else {
        each_task(h, c, pause ? sl_task_pause : sl_task_resume);
    }
    if (changed) {
        sl_cinfo(name, "%s connector", pause ? "Paused" : "Resumed");
        persist(h);
    }
    pthread_mutex_unlock(&h->ops);
    return 202;
}

int sl_herder_pause(sl_herder *h, const char *name, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_pause(h->dist, name, true, err);
    }
    return pause_or_resume(h, name, true, err);
}

int sl_herder_resume(sl_herder *h, const char *name, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_pause(h->dist, name, false, err);
    }
    return pause_or_resume(h, name, false, err);
}

/* Java answers 204 here (Strimzi requires it), although herder.h once said 202. */
int sl_herder_stop_connector(sl_herder *h, const char *name, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_stop_connector(h->dist, name, err);
    }
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    bool changed = c != NULL && c->target != SL_TARGET_STOPPED;
    if (c != NULL) {
        c->target = SL_TARGET_STOPPED;
    }
    pthread_mutex_unlock(&h->mu);
    if (c == NULL) {
        pthread_mutex_unlock(&h->ops);
        return fail(err, 404, "Unknown connector %s", name);
    }
    stop_all_tasks(h, c);
    pthread_mutex_lock(&h->mu);
    c->state = SL_TASK_STOPPED;
    set_trace(&c->trace, NULL);
    pthread_mutex_unlock(&h->mu);
    if (changed) {
        sl_cinfo(name, "Stopped connector");
        persist(h);
    }
    pthread_mutex_unlock(&h->ops);
    return 204;
}

/* ---- the runtime as the distributed backend drives it (runtime.h) ---- */

void sl_herder_rt_set_hooks(sl_herder *h, const sl_rt_hooks *hooks)
{
    pthread_mutex_lock(&h->mu);
    if (hooks != NULL) {
        h->hooks = *hooks;
    } else {
        memset(&h->hooks, 0, sizeof h->hooks);
    }
    pthread_mutex_unlock(&h->mu);
}

/* Start task i of c from its raw task config (ops held). */
static void start_task_config(sl_herder *h, struct hconn *c, int i, const sl_props *raw)
{
    sl_props *copy = sl_props_dup(raw);
    pthread_mutex_lock(&h->mu);
    sl_props_free(c->tasks[i].tconfig);
    c->tasks[i].tconfig = copy;
    pthread_mutex_unlock(&h->mu);
    char err[1024] = "";
    sl_props *resolved = h->providers != NULL
                             ? sl_providers_resolve(h->providers, copy, err, sizeof err)
                             : sl_props_dup(copy);
    if (resolved == NULL) {
        char trace[1200];
        snprintf(trace, sizeof trace, "Failed to resolve config providers: %s", err);
        pthread_mutex_lock(&h->mu);
        c->tasks[i].state = SL_TASK_FAILED;
        c->tasks[i].gen = 0;
        set_trace(&c->tasks[i].trace, trace);
        pthread_mutex_unlock(&h->mu);
        sl_cerror(c->name, "Task %d: %s", i, trace);
        report(h, c->name, i, SL_TASK_FAILED, trace);
        return;
    }
    start_one_task(h, c, i, resolved);
    sl_props_free(resolved);
}

/* Stop the listed task slots of c (placed ones only), in parallel; unplace them and report
 * UNASSIGNED when `unassign`. stop[i] says which slots. ops held. */
static void stop_slots(sl_herder *h, struct hconn *c, const bool *stop, bool unassign)
{
    pthread_mutex_lock(&h->mu);
    int n = c->ntasks;
    sl_task **handles = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *handles);
    bool *was = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *was);
    size_t nh = 0;
    for (int i = 0; i < n; i++) {
        if (!stop[i] || c->tasks[i].tconfig == NULL) {
            continue;
        }
        was[i] = true;
        if (c->tasks[i].task != NULL) {
            handles[nh++] = c->tasks[i].task;
            c->tasks[i].task = NULL;
        }
        c->tasks[i].gen = 0;
        c->tasks[i].state = SL_TASK_UNASSIGNED;
        set_trace(&c->tasks[i].trace, NULL);
        sl_props_free(c->tasks[i].tconfig);
        c->tasks[i].tconfig = NULL;
    }
    pthread_mutex_unlock(&h->mu);
    if (nh > 0) {
        sl_cinfo(c->name, "Stopping %zu task(s)", nh);
    }
    stop_handles(h, handles, nh);
    for (int i = 0; unassign && i < n; i++) {
        if (was[i]) {
            report(h, c->name, i, SL_TASK_UNASSIGNED, NULL);
        }
    }
    free(was);
    free(handles);
}

static void stop_every_slot(sl_herder *h, struct hconn *c)
{
    bool *all = sl_xcalloc(c->ntasks > 0 ? (size_t)c->ntasks : 1, sizeof *all);
    for (int i = 0; i < c->ntasks; i++) {
        all[i] = true;
    }
    stop_slots(h, c, all, true);
    free(all);
    pthread_mutex_lock(&h->mu);
    free_tasks(c->tasks, c->ntasks);
    c->tasks = NULL;
    c->ntasks = 0;
    pthread_mutex_unlock(&h->mu);
}

static bool is_wanted(const sl_rt_conn *want, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(want[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Drop every local connector not in want (ops held). */
static void drop_unwanted(sl_herder *h, const sl_rt_conn *want, size_t n)
{
    for (;;) {
        pthread_mutex_lock(&h->mu);
        struct hconn **pp = &h->conns;
        struct hconn *gone = NULL;
        for (; *pp != NULL; pp = &(*pp)->next) {
            if (!is_wanted(want, n, (*pp)->name)) {
                gone = *pp;
                *pp = gone->next;
                break;
            }
        }
        pthread_mutex_unlock(&h->mu);
        if (gone == NULL) {
            return;
        }
        stop_every_slot(h, gone);
        free_conn(gone);
    }
}

static void apply_one(sl_herder *h, const sl_rt_conn *w)
{
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, w->name);
    bool created = c == NULL;
    if (created) {
        c = sl_xcalloc(1, sizeof *c);
        c->name = sl_xstrdup(w->name);
        c->config = sl_props_dup(w->config);
        c->target = w->target;
        struct hconn **tail = &h->conns;
        while (*tail != NULL) {
            tail = &(*tail)->next;
        }
        *tail = c;
    }
    pthread_mutex_unlock(&h->mu);
    if (!created && c->ntasks != w->ntasks) {
        stop_every_slot(h, c); /* a new task count: every task starts again (Java rebalances) */
    }
    pthread_mutex_lock(&h->mu);
    if (c->ntasks == 0 && w->ntasks > 0) {
        c->tasks = sl_xcalloc((size_t)w->ntasks, sizeof *c->tasks);
        c->ntasks = w->ntasks;
    }
    if (!sl_props_equal(c->config, w->config)) {
        sl_props_free(c->config);
        c->config = sl_props_dup(w->config);
    }
    int old_target = c->target;
    c->target = w->target;
    c->state = w->target == SL_TARGET_PAUSED    ? SL_TASK_PAUSED
               : w->target == SL_TARGET_STOPPED ? SL_TASK_STOPPED
                                                : SL_TASK_RUNNING;
    bool *stop = sl_xcalloc(c->ntasks > 0 ? (size_t)c->ntasks : 1, sizeof *stop);
    bool any = false;
    for (int i = 0; i < c->ntasks; i++) {
        const sl_props *want = w->configs != NULL ? w->configs[i] : NULL;
        const sl_props *have = c->tasks[i].tconfig;
        stop[i] = have != NULL && (want == NULL || !sl_props_equal(have, want));
        any = any || stop[i];
    }
    pthread_mutex_unlock(&h->mu);
    if (any) {
        stop_slots(h, c, stop, true);
    }
    free(stop);
    if (!created && old_target != w->target && w->target != SL_TARGET_STOPPED) {
        bool pause = w->target == SL_TARGET_PAUSED;
        pthread_mutex_lock(&h->mu);
        set_task_states(c, pause ? SL_TASK_RUNNING : SL_TASK_PAUSED,
                        pause ? SL_TASK_PAUSED : SL_TASK_RUNNING);
        pthread_mutex_unlock(&h->mu);
        each_task(h, c, pause ? sl_task_pause : sl_task_resume);
        sl_cinfo(c->name, "%s local tasks", pause ? "Paused" : "Resumed");
    }
    for (int i = 0; i < c->ntasks; i++) {
        const sl_props *want = w->configs != NULL ? w->configs[i] : NULL;
        pthread_mutex_lock(&h->mu);
        bool placed = c->tasks[i].tconfig != NULL;
        pthread_mutex_unlock(&h->mu);
        if (want != NULL && !placed) {
            sl_cinfo(c->name, "Starting task %d", i);
            start_task_config(h, c, i, want);
        }
    }
}

void sl_herder_rt_apply(sl_herder *h, const sl_rt_conn *want, size_t n)
{
    pthread_mutex_lock(&h->ops);
    if (!h->stopped) {
        drop_unwanted(h, want, n);
        for (size_t i = 0; i < n; i++) {
            apply_one(h, &want[i]);
        }
    }
    pthread_mutex_unlock(&h->ops);
}

void sl_herder_rt_stop_all(sl_herder *h)
{
    pthread_mutex_lock(&h->ops);
    drop_unwanted(h, NULL, 0);
    pthread_mutex_unlock(&h->ops);
}

int sl_herder_rt_restart(sl_herder *h, const char *name, int task, bool only_failed)
{
    pthread_mutex_lock(&h->ops);
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    int n = c != NULL ? c->ntasks : 0;
    int count = 0;
    bool *todo = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *todo);
    sl_props **cfgs = sl_xcalloc(n > 0 ? (size_t)n : 1, sizeof *cfgs);
    for (int i = 0; i < n; i++) {
        if ((task < 0 || task == i) && c->tasks[i].tconfig != NULL &&
            (!only_failed || c->tasks[i].state == SL_TASK_FAILED)) {
            todo[i] = true;
            cfgs[i] = sl_props_dup(c->tasks[i].tconfig);
            count++;
        }
    }
    bool placed = task < 0 || (c != NULL && task < n && c->tasks[task].tconfig != NULL);
    pthread_mutex_unlock(&h->mu);
    if (count > 0) {
        stop_slots(h, c, todo, false);
        for (int i = 0; i < n; i++) {
            if (todo[i]) {
                sl_cinfo(name, "Restarting task %d", i);
                start_task_config(h, c, i, cfgs[i]);
            }
        }
    }
    for (int i = 0; i < n; i++) {
        sl_props_free(cfgs[i]);
    }
    free(cfgs);
    free(todo);
    pthread_mutex_unlock(&h->ops);
    return placed ? count : -1;
}

bool sl_herder_rt_has_task(sl_herder *h, const char *name, int task)
{
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    bool has = c != NULL && task >= 0 && task < c->ntasks && c->tasks[task].tconfig != NULL;
    pthread_mutex_unlock(&h->mu);
    return has;
}

const char *sl_herder_rt_conn_type(const sl_props *config)
{
    return conn_type(config);
}

const char *sl_herder_rt_plugin_class(const sl_props *config)
{
    const struct sl_component *comp =
        find_connector_plugin(sl_props_get(config, "connector.class"));
    return comp != NULL ? comp->comp->class_name : NULL;
}

const char *sl_herder_rt_state_name(int state)
{
    return state_name(state);
}

const char *sl_herder_rt_worker_id(sl_herder *h)
{
    return h->worker_id;
}

int sl_herder_rt_check_config(const char *name, sl_props *cfg, sl_herr *err)
{
    return check_config(name, cfg, err);
}

/* ---- topics ---- */

int sl_herder_topics(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_topics(h->dist, name, out, err);
    }
    if (!h->topic_tracking) {
        return fail(err, 403, "Topic tracking is disabled.");
    }
    json_t *arr = json_array();
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    for (size_t i = 0; c != NULL && i < c->ntopics; i++) {
        json_array_append_new(arr, json_string(c->topics[i]));
    }
    pthread_mutex_unlock(&h->mu);
    json_t *res = json_object();
    json_object_set_new(res, name, json_pack("{s:o}", "topics", arr));
    *out = res;
    return 200;
}

int sl_herder_topics_reset(sl_herder *h, const char *name, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_topics_reset(h->dist, name, err);
    }
    if (!h->topic_tracking) {
        return fail(err, 403, "Topic tracking is disabled.");
    }
    if (!h->topic_reset) {
        return fail(err, 403, "Topic tracking reset is disabled.");
    }
    pthread_mutex_lock(&h->mu);
    struct hconn *c = find_conn(h, name);
    if (c != NULL) {
        for (size_t i = 0; i < c->ntopics; i++) {
            free(c->topics[i]);
        }
        free(c->topics);
        c->topics = NULL;
        c->ntopics = 0;
    }
    pthread_mutex_unlock(&h->mu);
    return c != NULL ? 202 : fail(err, 404, "Connector %s not found", name);
}

/* ---- offsets ---- */

/* A resolved copy of the connector's config and its group id; NULL when unknown (404). */
static sl_props *offsets_config(sl_herder *h, const char *name, char *group, size_t grouplen,
                                bool *is_sink, int *target, sl_herr *err, int *status)
{
    sl_props *raw = NULL;
    if (h->dist != NULL) {
        raw = sl_dist_connector_config(h->dist, name, target);
        if (raw != NULL) {
            *is_sink = strcmp(conn_type(raw), "source") != 0;
        }
    } else {
        pthread_mutex_lock(&h->mu);
        struct hconn *c = find_conn(h, name);
        raw = c != NULL ? sl_props_dup(c->config) : NULL;
        if (c != NULL) {
            *target = c->target;
            *is_sink = strcmp(conn_type(c->config), "source") != 0;
        }
        pthread_mutex_unlock(&h->mu);
    }
    if (raw == NULL) {
        *status = fail(err, 404, "Connector %s not found", name);
        return NULL;
    }
    char perr[1024] = "";
    sl_props *resolved = h->providers != NULL
                             ? sl_providers_resolve(h->providers, raw, perr, sizeof perr)
                             : sl_props_dup(raw);
    sl_props_free(raw);
    if (resolved == NULL) {
        *status = fail(err, 500, "Failed to resolve config providers: %s", perr);
        return NULL;
    }
    const char *g = sl_props_get(resolved, "consumer.override.group.id");
    if (g != NULL && *g != '\0') {
        snprintf(group, grouplen, "%s", g);
    } else {
        snprintf(group, grouplen, "connect-%s", name);
    }
    return resolved;
}

int sl_herder_offsets(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    char group[512];
    bool is_sink = true;
    int target = 0;
    int status = 0;
    sl_props *cfg = offsets_config(h, name, group, sizeof group, &is_sink, &target, err, &status);
    if (cfg == NULL) {
        return status;
    }
    if (!is_sink) {
        sl_props_free(cfg);
        *out = json_pack("{s:[]}", "offsets");
        return 200;
    }
    char e[1024] = "";
    int rc = sl_group_offsets_list(h->worker, cfg, group, out, e, sizeof e);
    sl_props_free(cfg);
    if (rc != 0) {
        return fail(err, 500, "Failed to retrieve consumer group offsets for connector %s: %s",
                    name, e);
    }
    return 200;
}

static const char *const not_stopped_fmt =
    "Connectors must be in the STOPPED state before their offsets can be modified. This can be "
    "done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' "
    "endpoint";

static int modify_offsets(sl_herder *h, const char *name, const json_t *body, json_t **out,
                          sl_herr *err)
{
    bool alter = body != NULL;
    if (alter) {
        json_t *offs = json_object_get(body, "offsets");
        if (!json_is_array(offs) || json_array_size(offs) == 0) {
            return fail(err, 400,
                        "Partitions / offsets need to be provided for an alter offsets request");
        }
    }
    if (h->dist != NULL) {
        int st = sl_dist_require_leader(h->dist, true, err);
        if (st != 0) {
            return st;
        }
    }
    pthread_mutex_lock(&h->ops);
    char group[512];
    bool is_sink = true;
    int target = 0;
    int status = 0;
    sl_props *cfg = offsets_config(h, name, group, sizeof group, &is_sink, &target, err, &status);
    if (cfg == NULL) {
        pthread_mutex_unlock(&h->ops);
        return status;
    }
    if (target != SL_TARGET_STOPPED) {
        sl_props_free(cfg);
        pthread_mutex_unlock(&h->ops);
        return fail(err, 400, not_stopped_fmt, name);
    }
    if (!is_sink) {
        sl_props_free(cfg);
        pthread_mutex_unlock(&h->ops);
        return fail(err, 500, "Offsets of source connectors are not supported yet");
    }
    char e[1024] = "";
    int bad = 0;
    int rc = alter ? sl_group_offsets_alter(h->worker, cfg, group, body, &bad, e, sizeof e)
                   : sl_group_offsets_reset(h->worker, cfg, group, e, sizeof e);
    sl_props_free(cfg);
    pthread_mutex_unlock(&h->ops);
    if (rc != 0) {
        return fail(err, bad ? 400 : 500, "%s", e);
    }
    char msg[400];
    snprintf(msg, sizeof msg,
             "The Connect framework-managed offsets for this connector have been %s "
             "successfully. However, if this connector manages offsets externally, they will "
             "need to be manually %s in the system that the connector uses.",
             alter ? "altered" : "reset", alter ? "altered" : "reset");
    *out = json_pack("{s:s}", "message", msg);
    sl_cinfo(name, "Offsets of group %s %s", group, alter ? "altered" : "reset");
    return 200;
}

int sl_herder_alter_offsets(sl_herder *h, const char *name, const json_t *body, json_t **out,
                            sl_herr *err)
{
    if (body == NULL) {
        return fail(err, 400,
                    "Partitions / offsets need to be provided for an alter offsets request");
    }
    return modify_offsets(h, name, body, out, err);
}

int sl_herder_reset_offsets(sl_herder *h, const char *name, json_t **out, sl_herr *err)
{
    return modify_offsets(h, name, NULL, out, err);
}

/* ---- internal endpoints ---- */

int sl_herder_put_task_configs(sl_herder *h, const char *name, const json_t *configs,
                               const sl_herder_sig *sig, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_put_task_configs(h->dist, name, configs, sig, err);
    }
    return fail(err, 500,
                "Kafka Connect in standalone mode does not support externally setting task "
                "configurations.");
}

int sl_herder_fence(sl_herder *h, const char *name, const sl_herder_sig *sig, sl_herr *err)
{
    if (h->dist != NULL) {
        return sl_dist_fence(h->dist, name, sig, err);
    }
    return fail(err, 500,
                "Kafka Connect in standalone mode does not support exactly-once source "
                "connectors.");
}

/* ---- plugins ---- */

static int plugin_rank(int kind)
{
    switch (kind) {
    case SLUICE_KIND_SINK:
        return 0;
    case SLUICE_KIND_SOURCE:
        return 1;
    case SLUICE_KIND_TRANSFORM:
        return 2;
    case SLUICE_KIND_PREDICATE:
        return 3;
    case SLUICE_KIND_CONVERTER:
        return 4;
    default:
        return -1; /* config providers are not listed (like Java) */
    }
}

static int cmp_components(const void *a, const void *b)
{
    const struct sl_component *x = *(const struct sl_component *const *)a;
    const struct sl_component *y = *(const struct sl_component *const *)b;
    int rx = plugin_rank((int)x->comp->kind);
    int ry = plugin_rank((int)y->comp->kind);
    if (rx != ry) {
        return rx - ry;
    }
    return strcmp(x->comp->class_name, y->comp->class_name);
}

int sl_herder_plugins(sl_herder *h, bool connectors_only, json_t **out, sl_herr *err)
{
    size_t n = sl_catalog_count();
    const struct sl_component **list = sl_xcalloc(n > 0 ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sl_component *c = sl_catalog_at(i);
        int rank = plugin_rank((int)c->comp->kind);
        if (rank < 0 || (connectors_only && rank > 1)) {
            continue;
        }
        list[k++] = c;
    }
    qsort(list, k, sizeof *list, cmp_components);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "class", json_string(list[i]->comp->class_name));
        json_object_set_new(o, "type",
                            json_string(sl_component_kind_name((int)list[i]->comp->kind)));
        const char *v = list[i]->version;
        if (v != NULL && *v != '\0' && strcmp(v, "undefined") != 0) {
            json_object_set_new(o, "version", json_string(v));
        }
        json_array_append_new(arr, o);
    }
    free(list);
    *out = arr;
    return 200;
}

static void append_defs_not_present(json_t *arr, const struct sluice_config_def *defs)
{
    json_t *more = sl_config_defs_to_json(defs, sizeof(struct sluice_config_def));
    size_t i;
    json_t *d;
    json_array_foreach(more, i, d)
    {
        const char *name = json_string_value(json_object_get(d, "name"));
        bool have = false;
        size_t j;
        json_t *e;
        json_array_foreach(arr, j, e)
        {
            const char *en = json_string_value(json_object_get(e, "name"));
            if (name != NULL && en != NULL && strcmp(name, en) == 0) {
                have = true;
                break;
            }
        }
        if (!have) {
            json_array_append(arr, d);
        }
    }
    json_decref(more);
}

int sl_herder_plugin_config(sl_herder *h, const char *plugin, json_t **out, sl_herr *err)
{
    const struct sl_component *c = sl_catalog_find(0, plugin);
    if (c == NULL) {
        return fail(err, 404, "Unknown plugin %s.", plugin);
    }
    if (c->comp->kind == SLUICE_KIND_CONFIG_PROVIDER) {
        return fail(err, 400,
                    "Invalid plugin class %s. Valid types are sink, source, converter, "
                    "header_converter, transformation, predicate.",
                    plugin);
    }
    json_t *arr = c->comp->config_defs != NULL
                      ? sl_config_defs_to_json(c->comp->config_defs, c->desc->config_def_size)
                      : json_array();
    if (arr == NULL) {
        arr = json_array();
    }
    if (c->comp->kind == SLUICE_KIND_SINK) {
        append_defs_not_present(arr, sl_connector_config_defs);
        append_defs_not_present(arr, sl_sink_connector_config_defs);
    } else if (c->comp->kind == SLUICE_KIND_SOURCE) {
        append_defs_not_present(arr, sl_connector_config_defs);
    }
    *out = arr;
    return 200;
}

/* Java's normalisation for the validate path check: drop a trailing "Connector". */
static size_t normalised_len(const char *s)
{
    size_t n = strlen(s);
    if (n >= 9 && strcmp(s + n - 9, "Connector") == 0) {
        n -= 9;
    }
    return n;
}

int sl_herder_validate(sl_herder *h, const char *plugin, const sl_props *config, json_t **out,
                       sl_herr *err)
{
    const char *cls = sl_props_get(config, "connector.class");
    if (cls == NULL || *cls == '\0') {
        return no_connector_type(
            err, 500, "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: ", config);
    }
    if (plugin != NULL) {
        size_t lc = normalised_len(cls);
        size_t lp = normalised_len(plugin);
        if (lp > lc || strncmp(cls + lc - lp, plugin, lp) != 0) {
            return fail(err, 400, "Included connector type %s does not match request type %s", cls,
                        plugin);
        }
    }
    if (find_connector_plugin(cls) == NULL) {
        return unknown_connector_class(err,
                                       "org.apache.kafka.connect.errors.ConnectException: ", cls);
    }
    sl_validation *v = sl_connector_validate(config, cls);
    if (v == NULL) {
        return fail(err, 500, "validation failed");
    }
    *out = sl_validation_to_json(v, cls);
    sl_validation_free(v);
    return 200;
}
