/*
 * status_topic.c — the status topic's records (connect-internals.md §3): encoders producing the
 * bytes Java's KafkaStatusBackingStore writes, and the cluster status cache with Java's reader
 * rules (a connector tombstone also drops its task statuses; UNASSIGNED never replaces RUNNING of
 * the same or a newer generation) and its safe-write rule. Control plane only (jansson parsing);
 * one mutex guards the cache, and nothing is called back while it is held.
 */
#include "dist/status_topic.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value.h"
#include "task/task.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/text.h"

#define STATUS_CONNECTOR_PREFIX "status-connector-"
#define STATUS_TASK_PREFIX      "status-task-"
#define STATUS_TOPIC_PREFIX     "status-topic-"
#define STATUS_TOPIC_SEPARATOR  ":connector-"

/* ---- encoders ---- */

void sl_status_key_connector(const char *name, sl_buf *key)
{
    sl_buf_puts(key, STATUS_CONNECTOR_PREFIX);
    sl_buf_puts(key, name);
}

void sl_status_key_task(const char *name, int32_t task, sl_buf *key)
{
    sl_buf_puts(key, STATUS_TASK_PREFIX);
    sl_buf_puts(key, name);
    sl_buf_putc(key, '-');
    sl_buf_put_int64(key, task);
}

void sl_status_key_topic(const char *topic, const char *name, sl_buf *key)
{
    sl_buf_puts(key, STATUS_TOPIC_PREFIX);
    sl_buf_puts(key, topic);
    sl_buf_puts(key, STATUS_TOPIC_SEPARATOR);
    sl_buf_puts(key, name);
}

static void put_string_or_null(sl_buf *b, const char *s)
{
    if (s == NULL) {
        sl_buf_puts(b, "null");
    } else {
        sl_json_write_string(b, s, strlen(s));
    }
}

void sl_status_value(int state, const char *trace, const char *worker_id, int32_t generation,
                     sl_buf *val)
{
    sl_buf_puts(val, "{\"state\":\"");
    sl_buf_puts(val, sl_task_state_name(state));
    sl_buf_puts(val, "\",\"trace\":");
    put_string_or_null(val, trace);
    sl_buf_puts(val, ",\"worker_id\":");
    put_string_or_null(val, worker_id);
    sl_buf_puts(val, ",\"generation\":");
    sl_buf_put_int64(val, generation);
    sl_buf_putc(val, '}');
}

void sl_status_value_topic(const char *topic, const char *name, int32_t task, int64_t ts_ms,
                           sl_buf *val)
{
    sl_buf_puts(val, "{\"topic\":{\"name\":");
    put_string_or_null(val, topic);
    sl_buf_puts(val, ",\"connector\":");
    put_string_or_null(val, name);
    sl_buf_puts(val, ",\"task\":");
    sl_buf_put_int64(val, task);
    sl_buf_puts(val, ",\"discoverTimestamp\":");
    sl_buf_put_int64(val, ts_ms);
    sl_buf_puts(val, "}}");
}

/* ---- the cache ---- */

typedef struct task_entry {
    int32_t id;
    sl_status st;
} task_entry;

typedef struct topic_entry {
    char *key_topic; /* the topic named by the record key */
    char *name;      /* "name" of the value (what GET /connectors/{c}/topics lists) */
} topic_entry;

typedef struct centry {
    char *name;
    bool has_status;
    sl_status st;
    task_entry *tasks;
    size_t ntasks, taskcap;
    topic_entry *topics;
    size_t ntopics, topiccap;
} centry;

struct sl_status_cache {
    pthread_mutex_t mu;
    centry **v;
    size_t n, cap;
};

void sl_status_clear(sl_status *s)
{
    if (s == NULL) {
        return;
    }
    free(s->trace);
    free(s->worker_id);
    s->trace = NULL;
    s->worker_id = NULL;
}

static void status_copy(sl_status *dst, const sl_status *src)
{
    dst->state = src->state;
    dst->generation = src->generation;
    dst->trace = src->trace ? sl_xstrdup(src->trace) : NULL;
    dst->worker_id = src->worker_id ? sl_xstrdup(src->worker_id) : NULL;
}

static void centry_free(centry *e)
{
    free(e->name);
    sl_status_clear(&e->st);
    for (size_t i = 0; i < e->ntasks; i++) {
        sl_status_clear(&e->tasks[i].st);
    }
    free(e->tasks);
    for (size_t i = 0; i < e->ntopics; i++) {
        free(e->topics[i].key_topic);
        free(e->topics[i].name);
    }
    free(e->topics);
    free(e);
}

sl_status_cache *sl_status_cache_new(void)
{
    sl_status_cache *c = sl_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void sl_status_cache_free(sl_status_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        centry_free(c->v[i]);
    }
    free(c->v);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static centry *find(const sl_status_cache *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i]->name, name) == 0) {
            return c->v[i];
        }
    }
    return NULL;
}

static centry *get_or_add(sl_status_cache *c, const char *name)
{
    centry *e = find(c, name);
    if (e != NULL) {
        return e;
    }
    e = sl_xcalloc(1, sizeof(*e));
    e->name = sl_xstrdup(name);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = sl_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = e;
    return e;
}

/* Drop an entry that holds nothing any more. */
static void maybe_drop(sl_status_cache *c, centry *e)
{
    if (e->has_status || e->ntasks > 0 || e->ntopics > 0) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i] == e) {
            c->v[i] = c->v[--c->n];
            break;
        }
    }
    centry_free(e);
}

static task_entry *find_task(const centry *e, int32_t id)
{
    for (size_t i = 0; e != NULL && i < e->ntasks; i++) {
        if (e->tasks[i].id == id) {
            return &e->tasks[i];
        }
    }
    return NULL;
}

static int parse_state(const char *s)
{
    for (int st = SL_TASK_UNASSIGNED; st <= SL_TASK_STOPPED; st++) {
        if (strcmp(s, sl_task_state_name(st)) == 0) {
            return st;
        }
    }
    return -1;
}

/* {"state","trace","worker_id","generation"} as Java's parseConnectorStatus/parseTaskStatus
 * casts them: state a known name, trace and worker_id strings or null, generation an integer. */
static bool parse_status(const json_t *v, const char *key, sl_status *out)
{
    const json_t *state = json_object_get(v, "state");
    const json_t *trace = json_object_get(v, "trace");
    const json_t *worker = json_object_get(v, "worker_id");
    const json_t *gen = json_object_get(v, "generation");
    int st = json_is_string(state) ? parse_state(json_string_value(state)) : -1;
    if (!json_is_object(v) || st < 0 ||
        (trace != NULL && !json_is_null(trace) && !json_is_string(trace)) ||
        (worker != NULL && !json_is_null(worker) && !json_is_string(worker)) ||
        !json_is_integer(gen)) {
        sl_error("Failed to deserialize status record %s", key);
        return false;
    }
    out->state = st;
    out->trace = json_is_string(trace) ? sl_xstrdup(json_string_value(trace)) : NULL;
    out->worker_id = json_is_string(worker) ? sl_xstrdup(json_string_value(worker)) : NULL;
    out->generation = (int32_t)(uint32_t)(uint64_t)json_integer_value(gen);
    return true;
}

static void remove_connector(sl_status_cache *c, const char *name)
{
    centry *e = find(c, name);
    if (e == NULL) {
        return;
    }
    /* Java's remove(connector) drops the connector's task statuses with it; topics stay. */
    e->has_status = false;
    sl_status_clear(&e->st);
    for (size_t i = 0; i < e->ntasks; i++) {
        sl_status_clear(&e->tasks[i].st);
    }
    e->ntasks = 0;
    maybe_drop(c, e);
}

static int read_connector(sl_status_cache *c, const char *key, const json_t *v)
{
    const char *name = key + strlen(STATUS_CONNECTOR_PREFIX);
    if (*name == '\0') {
        sl_warn("Discarding record with invalid connector status key %s", key);
        return -1;
    }
    if (v == NULL) {
        remove_connector(c, name);
        return 0;
    }
    sl_status st;
    if (!parse_status(v, key, &st)) {
        return -1;
    }
    centry *e = get_or_add(c, name);
    sl_status_clear(&e->st);
    e->st = st;
    e->has_status = true;
    return 0;
}

/* "status-task-<connector>-<n>" as Java's parseConnectorTaskId: split on '-' (trailing empty
 * parts dropped), at least 4 parts, the last an int, parts 2..len-2 joined the connector. */
static bool parse_task_key(const char *key, char **name, int32_t *task)
{
    size_t len = strlen(key);
    while (len > 0 && key[len - 1] == '-') {
        len--;
    }
    size_t parts = 1;
    for (size_t i = 0; i < len; i++) {
        parts += key[i] == '-';
    }
    if (len == 0 || parts < 4) {
        return false;
    }
    const char *second = strchr(strchr(key, '-') + 1, '-'); /* the '-' before part 2 */
    const char *last = key + len;
    while (last[-1] != '-') {
        last--;
    }
    char num[16];
    size_t nlen = (size_t)(key + len - last);
    if (nlen >= sizeof(num)) {
        return false;
    }
    memcpy(num, last, nlen);
    num[nlen] = '\0';
    int64_t n;
    if (!sl_parse_java_long(num, INT32_MIN, INT32_MAX, &n)) {
        return false;
    }
    *name = sl_xstrndup(second + 1, (size_t)(last - 1 - (second + 1)));
    *task = (int32_t)n;
    return true;
}

static int read_task(sl_status_cache *c, const char *key, const json_t *v)
{
    char *name = NULL;
    int32_t id = 0;
    if (!parse_task_key(key, &name, &id)) {
        sl_warn("Discarding record with invalid task status key %s", key);
        return -1;
    }
    int rc = 0;
    centry *e = find(c, name);
    if (v == NULL) {
        task_entry *t = find_task(e, id);
        if (t != NULL) {
            sl_status_clear(&t->st);
            *t = e->tasks[--e->ntasks];
            maybe_drop(c, e);
        }
        free(name);
        return 0;
    }
    sl_status st;
    if (!parse_status(v, key, &st)) {
        free(name);
        return -1;
    }
    task_entry *t = find_task(e, id);
    if (t != NULL && st.state == SL_TASK_UNASSIGNED && t->st.state == SL_TASK_RUNNING &&
        t->st.generation >= st.generation) {
        /* A late UNASSIGNED from a worker that lost the task must not hide the new owner. */
        sl_debug("Ignoring stale UNASSIGNED status for %s-%d (generation %d < RUNNING at %d)", name,
                 (int)id, (int)st.generation, (int)t->st.generation);
        sl_status_clear(&st);
    } else {
        if (t == NULL) {
            e = get_or_add(c, name);
            if (e->ntasks == e->taskcap) {
                e->taskcap = e->taskcap ? e->taskcap * 2 : 4;
                e->tasks = sl_xrealloc(e->tasks, e->taskcap * sizeof(*e->tasks));
            }
            t = &e->tasks[e->ntasks++];
            t->id = id;
        } else {
            sl_status_clear(&t->st);
        }
        t->st = st;
    }
    free(name);
    return rc;
}

static int read_topic(sl_status_cache *c, const char *key, const json_t *v)
{
    const char *colon = strchr(key, ':');
    const char *begin = key + strlen(STATUS_TOPIC_PREFIX);
    if (colon == NULL || colon < begin) {
        sl_warn("Discarding record with invalid topic status key %s", key);
        return -1;
    }
    if (colon == begin) {
        sl_warn("Discarding record with invalid topic status key containing empty topic %s", key);
        return -1;
    }
    /* Like Java, skip the separator's length without checking its text. */
    size_t after = (size_t)(colon - key) + strlen(STATUS_TOPIC_SEPARATOR);
    if (after >= strlen(key)) {
        sl_warn("Discarding record with invalid topic status key %s", key);
        return -1;
    }
    const char *connector = key + after;
    char *topic = sl_xstrndup(begin, (size_t)(colon - begin));
    centry *e = find(c, connector);
    int rc = 0;
    if (v == NULL) {
        for (size_t i = 0; e != NULL && i < e->ntopics; i++) {
            if (strcmp(e->topics[i].key_topic, topic) == 0) {
                free(e->topics[i].key_topic);
                free(e->topics[i].name);
                e->topics[i] = e->topics[--e->ntopics];
                maybe_drop(c, e);
                break;
            }
        }
        free(topic);
        return 0;
    }
    const json_t *inner = json_is_object(v) ? json_object_get(v, "topic") : NULL;
    const json_t *tname = json_object_get(inner, "name");
    if (!json_is_object(inner) || !json_is_string(tname) ||
        !json_is_integer(json_object_get(inner, "task")) ||
        !json_is_integer(json_object_get(inner, "discoverTimestamp"))) {
        sl_warn("Failed to parse topic status with key %s", key);
        free(topic);
        return -1;
    }
    e = get_or_add(c, connector);
    size_t i = 0;
    while (i < e->ntopics && strcmp(e->topics[i].key_topic, topic) != 0) {
        i++;
    }
    if (i == e->ntopics) {
        if (e->ntopics == e->topiccap) {
            e->topiccap = e->topiccap ? e->topiccap * 2 : 4;
            e->topics = sl_xrealloc(e->topics, e->topiccap * sizeof(*e->topics));
        }
        e->topics[i].key_topic = topic;
        e->topics[i].name = NULL;
        e->ntopics++;
        topic = NULL;
    }
    free(e->topics[i].name);
    e->topics[i].name = sl_xstrdup(json_string_value(tname));
    free(topic);
    return rc;
}

int sl_status_cache_apply(sl_status_cache *c, const void *key, size_t klen, const void *val,
                          size_t vlen)
{
    if (key == NULL) {
        sl_warn("Discarding status record with no key");
        return -1;
    }
    json_t *v = NULL;
    if (val != NULL && vlen > 0) {
        json_error_t jerr;
        v = json_loadb(val, vlen, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
        if (v == NULL) {
            char *k = sl_xstrndup(key, klen);
            sl_error("Failed to deserialize status record %s: %s", k, jerr.text);
            free(k);
            return -1;
        }
        if (json_is_null(v)) {
            json_decref(v);
            v = NULL;
        }
    }
    char *k = sl_xstrndup(key, klen);
    int rc;
    pthread_mutex_lock(&c->mu);
    if (strncmp(k, STATUS_CONNECTOR_PREFIX, strlen(STATUS_CONNECTOR_PREFIX)) == 0) {
        rc = read_connector(c, k, v);
    } else if (strncmp(k, STATUS_TASK_PREFIX, strlen(STATUS_TASK_PREFIX)) == 0) {
        rc = read_task(c, k, v);
    } else if (strncmp(k, STATUS_TOPIC_PREFIX, strlen(STATUS_TOPIC_PREFIX)) == 0) {
        rc = read_topic(c, k, v);
    } else {
        sl_warn("Discarding record with invalid key %s", k);
        rc = -1;
    }
    pthread_mutex_unlock(&c->mu);
    free(k);
    json_decref(v);
    return rc;
}

bool sl_status_cache_connector(sl_status_cache *c, const char *name, sl_status *out)
{
    pthread_mutex_lock(&c->mu);
    const centry *e = find(c, name);
    bool ok = e != NULL && e->has_status;
    if (ok) {
        status_copy(out, &e->st);
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

bool sl_status_cache_task(sl_status_cache *c, const char *name, int32_t task, sl_status *out)
{
    pthread_mutex_lock(&c->mu);
    const task_entry *t = find_task(find(c, name), task);
    if (t != NULL) {
        status_copy(out, &t->st);
    }
    pthread_mutex_unlock(&c->mu);
    return t != NULL;
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t sl_status_cache_tasks(sl_status_cache *c, const char *name, int32_t **ids)
{
    pthread_mutex_lock(&c->mu);
    const centry *e = find(c, name);
    size_t n = e != NULL ? e->ntasks : 0;
    *ids = sl_xcalloc(n + 1, sizeof(int32_t));
    for (size_t i = 0; i < n; i++) {
        (*ids)[i] = e->tasks[i].id;
    }
    pthread_mutex_unlock(&c->mu);
    qsort(*ids, n, sizeof(int32_t), cmp_int32);
    return n;
}

size_t sl_status_cache_topics(sl_status_cache *c, const char *name, char ***topics)
{
    pthread_mutex_lock(&c->mu);
    const centry *e = find(c, name);
    size_t n = e != NULL ? e->ntopics : 0;
    *topics = sl_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        (*topics)[i] = sl_xstrdup(e->topics[i].name);
    }
    pthread_mutex_unlock(&c->mu);
    qsort(*topics, n, sizeof(char *), cmp_str);
    return n;
}

size_t sl_status_cache_connectors(sl_status_cache *c, char ***names)
{
    pthread_mutex_lock(&c->mu);
    size_t n = 0;
    *names = sl_xcalloc(c->n + 1, sizeof(char *));
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i]->has_status || c->v[i]->ntasks > 0) {
            (*names)[n++] = sl_xstrdup(c->v[i]->name);
        }
    }
    pthread_mutex_unlock(&c->mu);
    qsort(*names, n, sizeof(char *), cmp_str);
    return n;
}

bool sl_status_cache_safe_to_write(sl_status_cache *c, const char *name, int32_t task,
                                   const char *worker_id, int32_t generation)
{
    pthread_mutex_lock(&c->mu);
    const centry *e = find(c, name);
    const sl_status *prev = NULL;
    if (task < 0) {
        prev = e != NULL && e->has_status ? &e->st : NULL;
    } else {
        const task_entry *t = find_task(e, task);
        prev = t != NULL ? &t->st : NULL;
    }
    bool ok =
        prev == NULL ||
        (prev->worker_id != NULL && worker_id != NULL && strcmp(prev->worker_id, worker_id) == 0) ||
        prev->generation <= generation;
    pthread_mutex_unlock(&c->mu);
    return ok;
}
