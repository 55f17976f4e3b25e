/*
 * config_topic.c — the config topic's records (connect-internals.md §1): encoders that produce the
 * bytes Java's KafkaConfigBackingStore writes, and the reader's snapshot state machine (§1.3) with
 * its offset rule, prefix order, deferred task configs and the commit consistency rule.
 * Control plane only: records are parsed with jansson; never used on a record hot path.
 */
#include "dist/config_topic.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/text.h"

/* ---- encoders ---- */

static void key_with_prefix(const char *prefix, const char *name, sl_buf *key)
{
    sl_buf_puts(key, prefix);
    sl_buf_puts(key, name);
}

void sl_cfg_key_connector(const char *name, sl_buf *key)
{
    key_with_prefix("connector-", name, key);
}

void sl_cfg_key_task(const char *name, int32_t task, sl_buf *key)
{
    key_with_prefix("task-", name, key);
    sl_buf_putc(key, '-');
    sl_buf_put_int64(key, task);
}

void sl_cfg_key_commit(const char *name, sl_buf *key)
{
    key_with_prefix("commit-", name, key);
}

void sl_cfg_key_target_state(const char *name, sl_buf *key)
{
    key_with_prefix("target-state-", name, key);
}

void sl_cfg_key_restart(const char *name, sl_buf *key)
{
    key_with_prefix("restart-connector-", name, key);
}

void sl_cfg_key_tasks_fencing(const char *name, sl_buf *key)
{
    key_with_prefix("tasks-fencing-", name, key);
}

static void put_string(sl_buf *b, const char *s)
{
    sl_json_write_string(b, s, strlen(s));
}

void sl_cfg_value_properties(const sl_props *p, sl_buf *val)
{
    sl_buf_puts(val, "{\"properties\":{");
    for (size_t i = 0; i < sl_props_count(p); i++) {
        if (i > 0) {
            sl_buf_putc(val, ',');
        }
        put_string(val, sl_props_key_at(p, i));
        sl_buf_putc(val, ':');
        const char *v = sl_props_value_at(p, i);
        if (v == NULL) {
            sl_buf_puts(val, "null");
        } else {
            put_string(val, v);
        }
    }
    sl_buf_puts(val, "}}");
}

void sl_cfg_value_commit(int32_t tasks, sl_buf *val)
{
    sl_buf_puts(val, "{\"tasks\":");
    sl_buf_put_int64(val, tasks);
    sl_buf_putc(val, '}');
}

static const char *target_name(int target)
{
    switch (target) {
    case SL_CFG_PAUSED:
        return "PAUSED";
    case SL_CFG_STOPPED:
        return "STOPPED";
    default:
        return "STARTED";
    }
}

void sl_cfg_value_target_state(int target, sl_buf *val)
{
    /* Pre-3.5 readers know only STARTED/PAUSED: a stopped connector is paused for them. */
    sl_buf_puts(val, "{\"state\":\"");
    sl_buf_puts(val, target == SL_CFG_STARTED ? "STARTED" : "PAUSED");
    sl_buf_puts(val, "\",\"state.v2\":\"");
    sl_buf_puts(val, target_name(target));
    sl_buf_puts(val, "\"}");
}

void sl_cfg_value_restart(bool include_tasks, bool only_failed, sl_buf *val)
{
    sl_buf_puts(val, "{\"include-tasks\":");
    sl_buf_puts(val, include_tasks ? "true" : "false");
    sl_buf_puts(val, ",\"only-failed\":");
    sl_buf_puts(val, only_failed ? "true" : "false");
    sl_buf_putc(val, '}');
}

void sl_cfg_value_tasks_fencing(int32_t task_count, sl_buf *val)
{
    sl_buf_puts(val, "{\"task-count\":");
    sl_buf_put_int64(val, task_count);
    sl_buf_putc(val, '}');
}

void sl_cfg_value_session_key(const uint8_t *key, size_t keylen, const char *algorithm,
                              int64_t created_ms, sl_buf *val)
{
    sl_buf_puts(val, "{\"key\":\"");
    sl_base64_encode(key, keylen, val); /* the alphabet needs no JSON escaping */
    sl_buf_puts(val, "\",\"algorithm\":");
    put_string(val, algorithm);
    sl_buf_puts(val, ",\"creation-timestamp\":");
    sl_buf_put_int64(val, created_ms);
    sl_buf_putc(val, '}');
}

/* ---- the snapshot ---- */

typedef struct task_cfg {
    int32_t id;
    sl_props *props;
} task_cfg;

typedef struct task_set {
    task_cfg *v;
    size_t n, cap;
} task_set;

typedef struct conn {
    char *name;
    sl_props *config;         /* NULL: no config (never had one, or deleted) */
    sl_props *applied_config; /* the connector config in force at the last complete commit */
    bool has_target;
    int target;
    int32_t task_count; /* from the last commit; -1 none */
    task_set applied;   /* task configs applied by complete commits (may hold stale ids >= count) */
    task_set deferred;  /* task records waiting for their commit */
    bool deferred_map;  /* Java's deferred map exists (a task record was read since removal) */
    bool inconsistent;
    int64_t generation;    /* task-config generation; -1 before the first complete commit */
    int32_t fencing_count; /* from tasks-fencing-<name>; -1 none */
    bool pending_fencing;
    uint64_t config_seq; /* when the current config first appeared (listing order) */
} conn;

struct sl_cfg_state {
    conn **v;
    size_t n, cap;
    conn **order; /* connectors with a config by config_seq; rebuilt when order_dirty */
    size_t order_n;
    bool order_dirty;
    int64_t offset;
    uint64_t seq;
    char *event_name; /* the name sl_cfg_event.connector points at */
    bool has_session_key;
    uint8_t *session_key;
    size_t session_key_len;
    char *session_algorithm;
    int64_t session_created;
};

static void task_set_clear(task_set *t)
{
    for (size_t i = 0; i < t->n; i++) {
        sl_props_free(t->v[i].props);
    }
    t->n = 0;
}

static void task_set_free(task_set *t)
{
    task_set_clear(t);
    free(t->v);
    t->v = NULL;
    t->cap = 0;
}

static task_cfg *task_set_find(const task_set *t, int32_t id)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].id == id) {
            return &t->v[i];
        }
    }
    return NULL;
}

/* Takes ownership of props. */
static void task_set_put(task_set *t, int32_t id, sl_props *props)
{
    task_cfg *e = task_set_find(t, id);
    if (e != NULL) {
        sl_props_free(e->props);
        e->props = props;
        return;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->v = sl_xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    t->v[t->n].id = id;
    t->v[t->n].props = props;
    t->n++;
}

static void conn_free(conn *c)
{
    free(c->name);
    sl_props_free(c->config);
    sl_props_free(c->applied_config);
    task_set_free(&c->applied);
    task_set_free(&c->deferred);
    free(c);
}

static conn *find(const sl_cfg_state *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i]->name, name) == 0) {
            return s->v[i];
        }
    }
    return NULL;
}

static conn *get_or_add(sl_cfg_state *s, const char *name)
{
    conn *c = find(s, name);
    if (c != NULL) {
        return c;
    }
    c = sl_xcalloc(1, sizeof(*c));
    c->name = sl_xstrdup(name);
    c->task_count = -1;
    c->generation = -1;
    c->fencing_count = -1;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->v = sl_xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = c;
    return c;
}

sl_cfg_state *sl_cfg_state_new(void)
{
    sl_cfg_state *s = sl_xcalloc(1, sizeof(*s));
    s->offset = -1;
    return s;
}

void sl_cfg_state_free(sl_cfg_state *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        conn_free(s->v[i]);
    }
    free(s->v);
    free(s->order);
    free(s->event_name);
    free(s->session_key);
    free(s->session_algorithm);
    free(s);
}

/* The event names the connector the record was about; the string lives in the state. */
static void event_for(sl_cfg_state *s, sl_cfg_event *ev, const char *name)
{
    free(s->event_name);
    s->event_name = sl_xstrdup(name);
    ev->connector = s->event_name;
}

/* {"properties":{...}} → new props (JSON nulls kept as NULL values), or NULL (logged). */
static sl_props *properties_of(const json_t *v, const char *what, const char *key)
{
    const json_t *p = json_is_object(v) ? json_object_get(v, "properties") : NULL;
    if (!json_is_object(p)) {
        sl_error("Invalid data for %s in config topic record '%s': 'properties' field should be "
                 "a Map",
                 what, key);
        return NULL;
    }
    sl_props *props = sl_props_new();
    char err[256];
    if (sl_props_from_json_ex(p, props, true, err, sizeof(err)) != 0) {
        sl_error("Invalid data for %s in config topic record '%s': %s", what, key, err);
        sl_props_free(props);
        return NULL;
    }
    return props;
}

/* Java's intValue(): an integer JSON number (Integer or Long), narrowed like (int) (long) v. */
static bool int_field(const json_t *v, const char *field, int32_t *out)
{
    const json_t *f = json_is_object(v) ? json_object_get(v, field) : NULL;
    if (!json_is_integer(f)) {
        return false;
    }
    *out = (int32_t)(uint32_t)(uint64_t)json_integer_value(f);
    return true;
}

static void apply_connector(sl_cfg_state *s, const char *name, const char *key, const json_t *v,
                            sl_cfg_event *ev)
{
    event_for(s, ev, name);
    conn *c = find(s, name);
    if (v == NULL) {
        if (c == NULL) {
            return;
        }
        sl_info("Successfully processed removal of connector '%s'", name);
        if (c->config != NULL) {
            ev->changes |= SL_CFG_CONNECTOR_REMOVED;
        }
        sl_props_free(c->config);
        c->config = NULL;
        sl_props_free(c->applied_config);
        c->applied_config = NULL;
        s->order_dirty = true;
        c->task_count = -1;
        task_set_clear(&c->applied);
        task_set_clear(&c->deferred);
        c->deferred_map = false;
        return;
    }
    sl_props *props = properties_of(v, "connector configuration", key);
    if (props == NULL) {
        return;
    }
    c = get_or_add(s, name);
    ev->changes |= c->config != NULL ? SL_CFG_CONNECTOR_UPDATED : SL_CFG_CONNECTOR_ADDED;
    if (c->config == NULL) {
        c->config_seq = ++s->seq;
        s->order_dirty = true;
    }
    sl_props_free(c->config);
    c->config = props;
    /* 0.9-era connectors have no target-state record: they start. */
    if (!c->has_target) {
        c->has_target = true;
        c->target = SL_CFG_STARTED;
    }
}

static int parse_target(const char *s)
{
    if (strcmp(s, "STARTED") == 0) {
        return SL_CFG_STARTED;
    }
    if (strcmp(s, "PAUSED") == 0) {
        return SL_CFG_PAUSED;
    }
    if (strcmp(s, "STOPPED") == 0) {
        return SL_CFG_STOPPED;
    }
    return -1;
}

static void apply_target_state(sl_cfg_state *s, const char *name, const json_t *v, sl_cfg_event *ev)
{
    event_for(s, ev, name);
    conn *c = find(s, name);
    if (v == NULL) {
        if (c == NULL) {
            return;
        }
        sl_debug("Removed target state for connector %s due to null value in topic.", name);
        /* Every connector with a config keeps a valid target state. */
        c->has_target = c->config != NULL;
        c->target = SL_CFG_STARTED;
        return;
    }
    if (!json_is_object(v)) {
        sl_error("Invalid data for target state for connector '%s': value should be a Map", name);
        return;
    }
    const json_t *st = json_object_get(v, "state.v2");
    if (st != NULL && !json_is_null(st) && !json_is_string(st)) {
        sl_error("Invalid data for target state for connector '%s': 'state.v2' field should be a "
                 "String",
                 name);
    }
    if (!json_is_string(st)) {
        st = json_object_get(v, "state");
    }
    if (!json_is_string(st)) {
        sl_error("Invalid data for target state for connector '%s': 'state' field should be a "
                 "String",
                 name);
        return;
    }
    int target = parse_target(json_string_value(st));
    if (target < 0) {
        sl_error("Invalid target state for connector '%s': %s", name, json_string_value(st));
        return;
    }
    c = get_or_add(s, name);
    c->has_target = true;
    c->target = target;
    ev->changes |= SL_CFG_TARGET_CHANGED;
}

/*
 * "task-<connector>-<n>" as Java's parseTaskId: split on '-' (String.split drops trailing empty
 * parts), at least 3 parts, the last an int, the middle ones joined with '-' the connector.
 * *name is malloc'ed.
 */
static bool parse_task_key(const char *key, char **name, int32_t *task)
{
    size_t len = strlen(key);
    while (len > 0 && key[len - 1] == '-') {
        len--; /* trailing empty parts vanish */
    }
    size_t parts = 1;
    for (size_t i = 0; i < len; i++) {
        parts += key[i] == '-';
    }
    if (len == 0 || parts < 3) {
        return false;
    }
    const char *first = memchr(key, '-', len);
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
    *name = sl_xstrndup(first + 1, (size_t)(last - 1 - (first + 1)));
    *task = (int32_t)n;
    return true;
}

static void apply_task(sl_cfg_state *s, const char *key, const json_t *v, sl_cfg_event *ev)
{
    char *name = NULL;
    int32_t task = 0;
    if (!parse_task_key(key, &name, &task)) {
        sl_error("Ignoring task configuration because %s couldn't be parsed as a task config key",
                 key);
        return;
    }
    event_for(s, ev, name);
    if (v == NULL) {
        sl_error("Ignoring task configuration for task %s-%d because it is unexpectedly null", name,
                 (int)task);
        free(name);
        return;
    }
    sl_props *props = properties_of(v, "task configuration", key);
    if (props != NULL) {
        sl_debug("Storing new config for task %s-%d; this will wait for a commit message before "
                 "the new config will take effect.",
                 name, (int)task);
        conn *c = get_or_add(s, name);
        task_set_put(&c->deferred, task, props);
        c->deferred_map = true;
    }
    free(name);
}

static void apply_commit(sl_cfg_state *s, const char *name, const json_t *v, sl_cfg_event *ev)
{
    event_for(s, ev, name);
    conn *c = find(s, name);
    if (c == NULL || c->config == NULL) {
        /* Deleted, and compaction has removed both its config and the tombstone (checked before
         * the value, as Java does). */
        sl_debug("Ignoring task configs for connector %s; it appears that the connector was "
                 "deleted previously",
                 name);
        if (c != NULL) {
            c->task_count = -1;
            task_set_clear(&c->applied);
            task_set_clear(&c->deferred);
            c->deferred_map = false;
            sl_props_free(c->applied_config);
            c->applied_config = NULL;
            c->inconsistent = false;
        }
        return;
    }
    int32_t n;
    if (v == NULL || !int_field(v, "tasks", &n)) {
        sl_error("Ignoring connector tasks configuration commit for connector '%s' because it is "
                 "in the wrong format: 'tasks' should be an integer",
                 name);
        return;
    }
    bool complete = true;
    for (int32_t i = 0; i < n && complete; i++) {
        complete = task_set_find(&c->deferred, i) != NULL;
    }
    if (!complete) {
        sl_debug("We have an incomplete set of task configs for connector '%s' probably due to "
                 "compaction. So we are not doing anything with the new configuration.",
                 name);
        c->inconsistent = true;
        ev->changes |= SL_CFG_INCONSISTENT;
    } else {
        /* Java bumps the generation whenever its deferred map exists, even emptied by an
         * earlier commit */
        if (c->deferred_map) {
            for (size_t i = 0; i < c->deferred.n; i++) {
                task_set_put(&c->applied, c->deferred.v[i].id, c->deferred.v[i].props);
            }
            c->deferred.n = 0; /* ownership moved to applied */
            c->generation++;
        }
        c->inconsistent = false;
        sl_props_free(c->applied_config);
        c->applied_config = sl_props_dup(c->config);
        ev->changes |= SL_CFG_TASKS_COMMITTED;
    }
    task_set_clear(&c->deferred);
    c->task_count = n;
    c->pending_fencing = true;
}

static void apply_restart(sl_cfg_state *s, const char *name, const json_t *v, sl_cfg_event *ev)
{
    event_for(s, ev, name);
    if (v == NULL) {
        return; /* restart requests are never tombstoned; nothing to do */
    }
    if (!json_is_object(v)) {
        sl_error("Invalid data for restart request '%s': value should be a Map", name);
        return;
    }
    const json_t *inc = json_object_get(v, "include-tasks");
    const json_t *only = json_object_get(v, "only-failed");
    if (!json_is_boolean(inc)) {
        sl_warn("Invalid data for restart request 'include-tasks' field should be a Boolean, "
                "defaulting to false");
    }
    if (!json_is_boolean(only)) {
        sl_warn("Invalid data for restart request 'only-failed' field should be a Boolean, "
                "defaulting to false");
    }
    ev->include_tasks = json_is_true(inc);
    ev->only_failed = json_is_true(only);
    ev->changes |= SL_CFG_RESTART_REQUEST;
}

static void apply_fencing(sl_cfg_state *s, const char *name, const json_t *v, sl_cfg_event *ev)
{
    event_for(s, ev, name);
    int32_t n;
    if (v == NULL || !int_field(v, "task-count", &n)) {
        sl_error("Invalid data for task count record for connector '%s': 'task-count' field "
                 "should be an integer",
                 name);
        return;
    }
    conn *c = get_or_add(s, name);
    c->fencing_count = n;
    c->pending_fencing = false;
}

static void apply_session_key(sl_cfg_state *s, const json_t *v, sl_cfg_event *ev)
{
    if (v == NULL) {
        sl_error("Ignoring session key because it is unexpectedly null");
        return;
    }
    const json_t *k = json_is_object(v) ? json_object_get(v, "key") : NULL;
    const json_t *alg = json_is_object(v) ? json_object_get(v, "algorithm") : NULL;
    const json_t *ts = json_is_object(v) ? json_object_get(v, "creation-timestamp") : NULL;
    if (!json_is_string(k) || !json_is_string(alg)) {
        sl_error("Invalid data for session key: 'key' and 'algorithm' fields should be Strings");
        return;
    }
    if (!json_is_integer(ts)) {
        sl_error("Invalid data for session key 'creation-timestamp' field should be a long");
        return;
    }
    /* Java's basic decoder accepts a missing '=' padding: add it back. */
    size_t blen = json_string_length(k);
    char *b64 = sl_xmalloc(blen + 4);
    memcpy(b64, json_string_value(k), blen);
    while (blen % 4 != 0 && blen % 4 != 1) {
        b64[blen++] = '=';
    }
    uint8_t *key = sl_xmalloc(blen / 4 * 3 + 3);
    ssize_t n = sl_base64_decode(b64, blen, key, blen / 4 * 3 + 3);
    free(b64);
    if (n <= 0) {
        sl_error("Invalid data for session key: 'key' is not valid non-empty Base64");
        free(key);
        return;
    }
    free(s->session_key);
    free(s->session_algorithm);
    s->session_key = key;
    s->session_key_len = (size_t)n;
    s->session_algorithm = sl_xstrdup(json_string_value(alg));
    s->session_created = (int64_t)json_integer_value(ts);
    s->has_session_key = true;
    ev->changes |= SL_CFG_SESSION_KEY;
}

static bool has_prefix(const char *key, const char *prefix)
{
    return strncmp(key, prefix, strlen(prefix)) == 0;
}

int sl_cfg_state_apply(sl_cfg_state *s, int64_t offset, const void *key, size_t klen,
                       const void *val, size_t vlen, sl_cfg_event *ev)
{
    sl_cfg_event dummy;
    if (ev == NULL) {
        ev = &dummy;
    }
    memset(ev, 0, sizeof(*ev));
    json_t *v = NULL;
    if (val != NULL && vlen > 0) {
        json_error_t jerr;
        v = json_loadb(val, vlen, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
        if (v == NULL) {
            /* Java's converter throws before the offset is taken: the offset stays. */
            sl_error("Failed to convert config data to Kafka Connect format (offset %lld): %s",
                     (long long)offset, jerr.text);
            return -1;
        }
        if (json_is_null(v)) {
            json_decref(v);
            v = NULL; /* JSON null reads as a tombstone, as does an empty value (Jackson) */
        }
    }
    s->offset = offset + 1;
    char *k = key != NULL ? sl_xstrndup(key, klen) : NULL;
    int rc = 0;
    if (k == NULL) {
        sl_error("Discarding config update record with no key (offset %lld)", (long long)offset);
        rc = -1;
    } else if (has_prefix(k, "target-state-")) {
        apply_target_state(s, k + strlen("target-state-"), v, ev);
    } else if (has_prefix(k, "connector-")) {
        apply_connector(s, k + strlen("connector-"), k, v, ev);
    } else if (has_prefix(k, "task-")) {
        apply_task(s, k, v, ev);
    } else if (has_prefix(k, "commit-")) {
        apply_commit(s, k + strlen("commit-"), v, ev);
    } else if (has_prefix(k, "restart-connector-")) {
        apply_restart(s, k + strlen("restart-connector-"), v, ev);
    } else if (has_prefix(k, "tasks-fencing-")) {
        apply_fencing(s, k + strlen("tasks-fencing-"), v, ev);
    } else if (strcmp(k, "session-key") == 0) {
        apply_session_key(s, v, ev);
    } else if (has_prefix(k, "logger-cluster-")) {
        /* KIP-976 cluster log levels: not applied by sluice (startup records are ignored by Java
         * too); the record still counts for the offset. */
        sl_debug("Ignoring logging level record %s", k);
    } else {
        sl_error("Discarding config update record with invalid key: %s", k);
        rc = -1;
    }
    free(k);
    json_decref(v);
    return rc;
}

int64_t sl_cfg_state_offset(const sl_cfg_state *s)
{
    return s->offset;
}

size_t sl_cfg_state_count(const sl_cfg_state *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        n += s->v[i]->config != NULL;
    }
    return n;
}

static int by_config_seq(const void *a, const void *b)
{
    const conn *x = *(conn *const *)a, *y = *(conn *const *)b;
    return x->config_seq < y->config_seq ? -1 : x->config_seq > y->config_seq;
}

const char *sl_cfg_state_name_at(const sl_cfg_state *cs, size_t i)
{
    sl_cfg_state *s = (sl_cfg_state *)cs; /* the order cache is not part of the value */
    if (s->order_dirty || s->order == NULL) {
        free(s->order);
        s->order = sl_xcalloc(s->n + 1, sizeof(*s->order));
        s->order_n = 0;
        for (size_t j = 0; j < s->n; j++) {
            if (s->v[j]->config != NULL) {
                s->order[s->order_n++] = s->v[j];
            }
        }
        qsort(s->order, s->order_n, sizeof(*s->order), by_config_seq);
        s->order_dirty = false;
    }
    return i < s->order_n ? s->order[i]->name : NULL;
}

bool sl_cfg_state_has(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL && c->config != NULL;
}

const sl_props *sl_cfg_state_config(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL ? c->config : NULL;
}

int sl_cfg_state_target(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL && c->has_target ? c->target : SL_CFG_STARTED;
}

int32_t sl_cfg_state_task_count(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    if (c == NULL || c->inconsistent || c->task_count < 0) {
        return 0;
    }
    return c->task_count;
}

const sl_props *sl_cfg_state_task_config(const sl_cfg_state *s, const char *name, int32_t task)
{
    const conn *c = find(s, name);
    if (c == NULL || c->inconsistent || task < 0 || task >= c->task_count) {
        return NULL;
    }
    const task_cfg *t = task_set_find(&c->applied, task);
    return t != NULL ? t->props : NULL;
}

bool sl_cfg_state_inconsistent(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL && c->inconsistent;
}

int64_t sl_cfg_state_task_generation(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL ? c->generation : -1;
}

const sl_props *sl_cfg_state_applied_config(const sl_cfg_state *s, const char *name)
{
    const conn *c = find(s, name);
    return c != NULL ? c->applied_config : NULL;
}

int32_t sl_cfg_state_fencing_count(const sl_cfg_state *s, const char *name, bool *pending)
{
    const conn *c = find(s, name);
    if (pending != NULL) {
        *pending = c != NULL && c->pending_fencing;
    }
    return c != NULL ? c->fencing_count : -1;
}

bool sl_cfg_state_session_key(const sl_cfg_state *s, const uint8_t **key, size_t *len,
                              const char **algorithm, int64_t *created_ms)
{
    if (!s->has_session_key) {
        return false;
    }
    if (key != NULL) {
        *key = s->session_key;
    }
    if (len != NULL) {
        *len = s->session_key_len;
    }
    if (algorithm != NULL) {
        *algorithm = s->session_algorithm;
    }
    if (created_ms != NULL) {
        *created_ms = s->session_created;
    }
    return true;
}
