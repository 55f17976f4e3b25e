/*
 * test_dist_topics.c — the internal topics' records against what Java writes: golden records in
 * tests/data/dist (sluice encodes the same bytes and reads the expected snapshot), the config
 * topic's reader rules (offset, prefixes, deferred task configs, the commit consistency rule,
 * target states, session key), the status cache's reader and safe-write rules, and murmur2
 * against Java's values. Pure in-memory: never touches a broker or the file system beyond reading
 * tests/data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value.h"
#include "dist/config_topic.h"
#include "dist/klog.h"
#include "dist/status_topic.h"
#include "task/task.h"
#include "util/buf.h"
#include "util/log.h"

/* ---- golden files: KEY<TAB>VALUE lines, "<tombstone>" for a null value ---- */

typedef struct rec {
    char *key;
    char *val; /* NULL = tombstone */
} rec;

static size_t load_tsv(const char *file, rec **out)
{
    char path[1024];
    const char *dir = getenv("SLUICE_TEST_DATA");
    snprintf(path, sizeof(path), "%s/dist/%s", dir ? dir : "tests/data", file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    rec *v = NULL;
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') {
            line[--len] = '\0';
        }
        if (len == 0 || line[0] == '#') {
            continue;
        }
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        v = realloc(v, (n + 1) * sizeof(*v));
        v[n].key = strdup(line);
        v[n].val = strcmp(tab + 1, "<tombstone>") == 0 ? NULL : strdup(tab + 1);
        n++;
    }
    free(line);
    fclose(f);
    *out = v;
    return n;
}

static void free_tsv(rec *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].val);
    }
    free(v);
}

static int apply(sl_cfg_state *s, int64_t off, const char *k, const char *v, sl_cfg_event *ev)
{
    return sl_cfg_state_apply(s, off, k, strlen(k), v, v ? strlen(v) : 0, ev);
}

/* The special value of the golden connector config, decoded. */
static const char special[] = "C:\\tmp\\out \"q\"\ttab\nnl\r\x01\x1f/</x> \xc3\xa9\xe2\x82\xac "
                              "\xe2\x80\xa8";

/* ---- config topic: golden ---- */

static void encode_config_record(const char *key, json_t *v, sl_buf *k, sl_buf *out)
{
    const char *dash = strrchr(key, '-');
    if (strncmp(key, "target-state-", 13) == 0) {
        sl_cfg_key_target_state(key + 13, k);
        const char *st = json_string_value(json_object_get(v, "state.v2"));
        if (st == NULL) {
            return; /* a pre-3.5 record: sluice always writes both fields */
        }
        int t = strcmp(st, "STOPPED") == 0  ? SL_CFG_STOPPED
                : strcmp(st, "PAUSED") == 0 ? SL_CFG_PAUSED
                                            : SL_CFG_STARTED;
        sl_cfg_value_target_state(t, out);
    } else if (strncmp(key, "connector-", 10) == 0 || strncmp(key, "task-", 5) == 0) {
        if (key[0] == 'c') {
            sl_cfg_key_connector(key + 10, k);
        } else {
            char *name = strndup(key + 5, (size_t)(dash - key - 5));
            sl_cfg_key_task(name, (int32_t)strtol(dash + 1, NULL, 10), k);
            free(name);
        }
        sl_props *p = sl_props_new();
        char err[256];
        assert_int_equal(
            sl_props_from_json_ex(json_object_get(v, "properties"), p, true, err, sizeof(err)), 0);
        sl_cfg_value_properties(p, out);
        sl_props_free(p);
    } else if (strncmp(key, "commit-", 7) == 0) {
        sl_cfg_key_commit(key + 7, k);
        sl_cfg_value_commit((int32_t)json_integer_value(json_object_get(v, "tasks")), out);
    } else if (strncmp(key, "restart-connector-", 18) == 0) {
        sl_cfg_key_restart(key + 18, k);
        sl_cfg_value_restart(json_is_true(json_object_get(v, "include-tasks")),
                             json_is_true(json_object_get(v, "only-failed")), out);
    } else if (strncmp(key, "tasks-fencing-", 14) == 0) {
        sl_cfg_key_tasks_fencing(key + 14, k);
        sl_cfg_value_tasks_fencing((int32_t)json_integer_value(json_object_get(v, "task-count")),
                                   out);
    } else if (strcmp(key, SL_CFG_SESSION_KEY_KEY) == 0) {
        sl_buf_puts(k, SL_CFG_SESSION_KEY_KEY);
        const char *b64 = json_string_value(json_object_get(v, "key"));
        unsigned char raw[64];
        ssize_t n = sl_base64_decode(b64, strlen(b64), raw, sizeof(raw));
        assert_int_equal(n, 32);
        sl_cfg_value_session_key(raw, (size_t)n, json_string_value(json_object_get(v, "algorithm")),
                                 json_integer_value(json_object_get(v, "creation-timestamp")), out);
    } else {
        sl_buf_puts(k, key); /* logger-cluster-*: sluice does not write these */
    }
}

static void test_config_golden_encoders_match_java_bytes(void **state)
{
    (void)state;
    rec *r;
    size_t n = load_tsv("config-topic.tsv", &r);
    assert_true(n >= 20);
    size_t compared = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].val == NULL) {
            continue;
        }
        json_error_t jerr;
        json_t *v = json_loads(r[i].val, 0, &jerr);
        assert_non_null(v);
        sl_buf k = SL_BUF_INIT, out = SL_BUF_INIT;
        encode_config_record(r[i].key, v, &k, &out);
        assert_string_equal(k.data, r[i].key);
        if (out.len > 0) {
            assert_string_equal(out.data, r[i].val);
            compared++;
        }
        sl_buf_free(&k);
        sl_buf_free(&out);
        json_decref(v);
    }
    assert_int_equal(compared, 16); /* every kind sluice writes, incl. special characters */
    free_tsv(r, n);
}

static void test_config_golden_log_reads_into_expected_snapshot(void **state)
{
    (void)state;
    rec *r;
    size_t n = load_tsv("config-topic.tsv", &r);
    sl_cfg_state *s = sl_cfg_state_new();
    assert_int_equal(sl_cfg_state_offset(s), -1);
    bool saw_restart = false, saw_added = false;
    for (size_t i = 0; i < n; i++) {
        sl_cfg_event ev;
        assert_int_equal(apply(s, (int64_t)i, r[i].key, r[i].val, &ev), 0);
        if (ev.changes & SL_CFG_RESTART_REQUEST) {
            saw_restart = true;
            assert_string_equal(ev.connector, "my-sink");
            assert_true(ev.include_tasks);
            assert_false(ev.only_failed);
        }
        if (strcmp(r[i].key, "connector-my-sink") == 0) {
            saw_added = (ev.changes & SL_CFG_CONNECTOR_ADDED) != 0;
        }
    }
    assert_true(saw_restart);
    assert_true(saw_added);
    assert_int_equal(sl_cfg_state_offset(s), (int64_t)n);

    assert_int_equal(sl_cfg_state_count(s), 3);
    assert_string_equal(sl_cfg_state_name_at(s, 0), "my-sink");
    assert_string_equal(sl_cfg_state_name_at(s, 1), "my-src-v2");
    assert_string_equal(sl_cfg_state_name_at(s, 2), "old");
    assert_null(sl_cfg_state_name_at(s, 3));
    assert_false(sl_cfg_state_has(s, "gone"));

    /* my-sink: 2 committed tasks, special characters survive, STARTED */
    assert_string_equal(sl_props_get(sl_cfg_state_config(s, "my-sink"), "file"), special);
    assert_int_equal(sl_cfg_state_target(s, "my-sink"), SL_CFG_STARTED);
    assert_int_equal(sl_cfg_state_task_count(s, "my-sink"), 2);
    const sl_props *t1 = sl_cfg_state_task_config(s, "my-sink", 1);
    assert_non_null(t1);
    assert_string_equal(sl_props_get(t1, "task.class"),
                        "org.apache.kafka.connect.file.FileStreamSinkTask");
    assert_string_equal(sl_props_get(t1, "file"), special);
    assert_null(sl_cfg_state_task_config(s, "my-sink", 2));
    assert_int_equal(sl_cfg_state_task_generation(s, "my-sink"), 0);
    assert_false(sl_cfg_state_inconsistent(s, "my-sink"));

    /* my-src-v2 (a name with '-'): stopped = empty task set + STOPPED; fencing pending again */
    assert_int_equal(sl_cfg_state_target(s, "my-src-v2"), SL_CFG_STOPPED);
    assert_int_equal(sl_cfg_state_task_count(s, "my-src-v2"), 0);
    assert_null(sl_cfg_state_task_config(s, "my-src-v2", 0));
    /* the empty commit still bumps the generation (Java's deferred map exists) */
    assert_int_equal(sl_cfg_state_task_generation(s, "my-src-v2"), 1);
    bool pending = false;
    assert_int_equal(sl_cfg_state_fencing_count(s, "my-src-v2", &pending), 1);
    assert_true(pending);

    /* old: a pre-3.5 target-state record with only "state" */
    assert_int_equal(sl_cfg_state_target(s, "old"), SL_CFG_PAUSED);

    const uint8_t *key;
    size_t klen;
    const char *alg;
    int64_t created;
    assert_true(sl_cfg_state_session_key(s, &key, &klen, &alg, &created));
    assert_int_equal(klen, 32);
    for (size_t i = 0; i < klen; i++) {
        assert_int_equal(key[i], i);
    }
    assert_string_equal(alg, "HmacSHA256");
    assert_int_equal(created, 1729820000000LL);
    sl_cfg_state_free(s);
    free_tsv(r, n);
}

/* ---- config topic: reader rules ---- */

static const char *cfg_a = "{\"properties\":{\"connector.class\":\"X\",\"name\":\"a\"}}";
static const char *task_v = "{\"properties\":{\"task.class\":\"XTask\",\"n\":\"1\"}}";

static void test_config_offset_is_last_record_plus_one_and_bad_json_does_not_advance(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    assert_int_equal(apply(s, 0, "connector-a", cfg_a, NULL), 0);
    assert_int_equal(sl_cfg_state_offset(s), 1);
    /* not JSON: dropped, offset stays (Java's converter throws before the offset is taken) */
    assert_int_equal(apply(s, 1, "connector-a", "{\"properties\":", NULL), -1);
    assert_int_equal(sl_cfg_state_offset(s), 1);
    assert_int_equal(apply(s, 2, "task-a-0", "not json at all", NULL), -1);
    assert_int_equal(sl_cfg_state_offset(s), 1);
    /* valid JSON of the wrong shape, or an unknown key: dropped but counted */
    assert_int_equal(apply(s, 3, "connector-a", "[1,2]", NULL), 0);
    assert_int_equal(sl_cfg_state_offset(s), 4);
    assert_string_equal(sl_props_get(sl_cfg_state_config(s, "a"), "connector.class"), "X");
    assert_int_equal(apply(s, 4, "no-such-kind-a", "{}", NULL), -1);
    assert_int_equal(sl_cfg_state_offset(s), 5);
    /* logger-cluster records are ignored safely and counted */
    assert_int_equal(apply(s, 5, "logger-cluster-root", "{\"level\":\"DEBUG\"}", NULL), 0);
    assert_int_equal(sl_cfg_state_offset(s), 6);
    /* gaps in offsets (compaction, transaction markers): the last record + 1 */
    assert_int_equal(apply(s, 41, "commit-a", "{\"tasks\":0}", NULL), 0);
    assert_int_equal(sl_cfg_state_offset(s), 42);
    sl_cfg_state_free(s);
}

static void test_config_tasks_fencing_prefix_is_not_a_task_record(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    apply(s, 0, "connector-a", cfg_a, NULL);
    assert_int_equal(apply(s, 1, "tasks-fencing-a", "{\"task-count\":1}", &ev), 0);
    assert_string_equal(ev.connector, "a");
    bool pending = true;
    assert_int_equal(sl_cfg_state_fencing_count(s, "a", &pending), 1);
    assert_false(pending);
    /* had it been taken for a task record, this commit would be complete */
    apply(s, 2, "commit-a", "{\"tasks\":1}", &ev);
    assert_true(ev.changes & SL_CFG_INCONSISTENT);
    assert_true(sl_cfg_state_inconsistent(s, "a"));
    sl_cfg_state_free(s);
}

static void test_config_connector_names_with_dashes(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    apply(s, 0, "connector-my-conn-x", cfg_a, NULL);
    assert_int_equal(apply(s, 1, "task-my-conn-x-0", task_v, &ev), 0);
    assert_string_equal(ev.connector, "my-conn-x");
    apply(s, 2, "task-my-conn-x-10", "{\"properties\":{\"id\":\"10\"}}", NULL);
    for (int i = 1; i < 10; i++) {
        char k[64];
        snprintf(k, sizeof(k), "task-my-conn-x-%d", i);
        apply(s, 2 + i, k, task_v, NULL);
    }
    apply(s, 20, "commit-my-conn-x", "{\"tasks\":11}", &ev);
    assert_true(ev.changes & SL_CFG_TASKS_COMMITTED);
    assert_int_equal(sl_cfg_state_task_count(s, "my-conn-x"), 11);
    assert_string_equal(sl_props_get(sl_cfg_state_task_config(s, "my-conn-x", 10), "id"), "10");
    /* bad task keys: too few parts, not a number */
    assert_int_equal(apply(s, 21, "task-x", task_v, NULL), 0);
    assert_int_equal(apply(s, 22, "task-x-y", task_v, NULL), 0);
    assert_int_equal(sl_cfg_state_offset(s), 23);
    sl_cfg_state_free(s);
}

static void test_config_compacted_log_missing_early_task_is_inconsistent(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    apply(s, 0, "connector-c", cfg_a, NULL);
    /* task-c-0 of the first generation was compacted away */
    apply(s, 2, "task-c-1", task_v, NULL);
    apply(s, 3, "commit-c", "{\"tasks\":2}", &ev);
    assert_true(ev.changes & SL_CFG_INCONSISTENT);
    assert_false(ev.changes & SL_CFG_TASKS_COMMITTED);
    assert_true(sl_cfg_state_inconsistent(s, "c"));
    assert_int_equal(sl_cfg_state_task_count(s, "c"), 0);
    assert_null(sl_cfg_state_task_config(s, "c", 1));
    /* the deferred map was cleared: a lone task-c-0 now does not complete the old set */
    apply(s, 4, "task-c-0", task_v, NULL);
    apply(s, 5, "commit-c", "{\"tasks\":2}", &ev);
    assert_true(sl_cfg_state_inconsistent(s, "c"));
    /* the leader rewrites a full set: consistent again */
    apply(s, 6, "task-c-0", task_v, NULL);
    apply(s, 7, "task-c-1", task_v, NULL);
    apply(s, 8, "commit-c", "{\"tasks\":2}", &ev);
    assert_true(ev.changes & SL_CFG_TASKS_COMMITTED);
    assert_false(sl_cfg_state_inconsistent(s, "c"));
    assert_int_equal(sl_cfg_state_task_count(s, "c"), 2);
    assert_non_null(sl_cfg_state_task_config(s, "c", 1));
    sl_cfg_state_free(s);
}

static void test_config_commit_allows_extra_ids_and_defers_until_commit(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    apply(s, 0, "connector-c", cfg_a, NULL);
    apply(s, 1, "task-c-0", task_v, NULL);
    apply(s, 2, "task-c-1", task_v, NULL);
    apply(s, 3, "task-c-2", task_v, NULL);            /* a stale higher id */
    assert_null(sl_cfg_state_task_config(s, "c", 0)); /* not yet committed */
    assert_int_equal(sl_cfg_state_task_count(s, "c"), 0);
    apply(s, 4, "commit-c", "{\"tasks\":2}", &ev);
    assert_true(ev.changes & SL_CFG_TASKS_COMMITTED);
    assert_false(sl_cfg_state_inconsistent(s, "c"));
    assert_int_equal(sl_cfg_state_task_count(s, "c"), 2);
    assert_null(sl_cfg_state_task_config(s, "c", 2)); /* ids >= count are ignored */
    assert_int_equal(sl_cfg_state_task_generation(s, "c"), 0);
    /* the applied connector config is remembered at the commit */
    assert_string_equal(sl_props_get(sl_cfg_state_applied_config(s, "c"), "name"), "a");
    /* a new task value replaces the old one only at the next commit */
    apply(s, 5, "task-c-0", "{\"properties\":{\"v\":\"2\"}}", NULL);
    assert_null(sl_props_get(sl_cfg_state_task_config(s, "c", 0), "v"));
    apply(s, 6, "task-c-1", task_v, NULL);
    apply(s, 7, "commit-c", "{\"tasks\":2}", NULL);
    assert_string_equal(sl_props_get(sl_cfg_state_task_config(s, "c", 0), "v"), "2");
    assert_int_equal(sl_cfg_state_task_generation(s, "c"), 1);
    /* a null task value is an error and is ignored */
    assert_int_equal(apply(s, 8, "task-c-0", NULL, NULL), 0);
    apply(s, 9, "commit-c", "{\"tasks\":1}", &ev);
    assert_true(ev.changes & SL_CFG_INCONSISTENT);
    /* a non-integer count is dropped */
    apply(s, 10, "commit-c", "{\"tasks\":1.0}", &ev);
    assert_int_equal(ev.changes, 0);
    sl_cfg_state_free(s);
}

static void test_config_commit_of_deleted_connector_is_ignored(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    /* compaction removed the config and its tombstone; task and commit records remain */
    apply(s, 5, "task-x-0", task_v, NULL);
    apply(s, 6, "commit-x", "{\"tasks\":1}", &ev);
    assert_false(ev.changes & (SL_CFG_TASKS_COMMITTED | SL_CFG_INCONSISTENT));
    assert_false(sl_cfg_state_has(s, "x"));
    assert_false(sl_cfg_state_inconsistent(s, "x"));
    assert_int_equal(sl_cfg_state_task_count(s, "x"), 0);
    assert_int_equal(sl_cfg_state_count(s), 0);
    /* a connector tombstone drops its tasks too */
    apply(s, 7, "connector-y", cfg_a, NULL);
    apply(s, 8, "task-y-0", task_v, NULL);
    apply(s, 9, "commit-y", "{\"tasks\":1}", NULL);
    assert_int_equal(sl_cfg_state_task_count(s, "y"), 1);
    apply(s, 10, "connector-y", NULL, &ev);
    assert_true(ev.changes & SL_CFG_CONNECTOR_REMOVED);
    assert_int_equal(sl_cfg_state_task_count(s, "y"), 0);
    apply(s, 11, "connector-y", cfg_a, &ev);
    assert_true(ev.changes & SL_CFG_CONNECTOR_ADDED);
    assert_int_equal(sl_cfg_state_task_count(s, "y"), 0);
    apply(s, 12, "connector-y", cfg_a, &ev);
    assert_true(ev.changes & SL_CFG_CONNECTOR_UPDATED);
    /* JSON null reads as a tombstone, like Jackson */
    apply(s, 13, "connector-y", "null", &ev);
    assert_true(ev.changes & SL_CFG_CONNECTOR_REMOVED);
    assert_false(sl_cfg_state_has(s, "y"));
    sl_cfg_state_free(s);
}

static void test_config_target_state_prefers_v2_and_falls_back_to_started(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    apply(s, 0, "connector-a", cfg_a, NULL);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_STARTED); /* 0.9-era: no record */
    apply(s, 1, "target-state-a", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", &ev);
    assert_true(ev.changes & SL_CFG_TARGET_CHANGED);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_STOPPED);
    /* a state.v2 that is not a string: use state */
    apply(s, 2, "target-state-a", "{\"state\":\"PAUSED\",\"state.v2\":5}", NULL);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_PAUSED);
    apply(s, 3, "target-state-a", "{\"state\":\"STARTED\",\"state.v2\":null}", NULL);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_STARTED);
    /* an unknown state is dropped; the previous one stays */
    apply(s, 4, "target-state-a", "{\"state\":\"PAUSED\",\"state.v2\":\"RUNNING\"}", &ev);
    assert_int_equal(ev.changes, 0);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_STARTED);
    apply(s, 5, "target-state-a", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}", NULL);
    /* tombstone while the config exists: STARTED */
    apply(s, 6, "target-state-a", NULL, NULL);
    assert_int_equal(sl_cfg_state_target(s, "a"), SL_CFG_STARTED);
    /* a target state written before the connector (KIP-980) is kept at creation */
    apply(s, 7, "target-state-b", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", NULL);
    apply(s, 8, "connector-b", cfg_a, NULL);
    assert_int_equal(sl_cfg_state_target(s, "b"), SL_CFG_STOPPED);
    assert_int_equal(sl_cfg_state_offset(s), 9);
    sl_cfg_state_free(s);
}

static void test_config_session_key_and_restart_request_rules(void **st)
{
    (void)st;
    sl_cfg_state *s = sl_cfg_state_new();
    sl_cfg_event ev;
    /* creation-timestamp must be an integer */
    apply(s, 0, "session-key",
          "{\"key\":\"AAAA\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1.7e12}", &ev);
    assert_false(ev.changes & SL_CFG_SESSION_KEY);
    assert_false(sl_cfg_state_session_key(s, NULL, NULL, NULL, NULL));
    apply(s, 1, "session-key",
          "{\"key\":\"!!!!\",\"algorithm\":\"HmacSHA256\","
          "\"creation-timestamp\":1}",
          &ev);
    assert_false(ev.changes & SL_CFG_SESSION_KEY);
    /* Java's decoder accepts missing padding */
    apply(s, 2, "session-key",
          "{\"key\":\"AAECAw\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":17}", &ev);
    assert_true(ev.changes & SL_CFG_SESSION_KEY);
    assert_null(ev.connector);
    size_t len;
    int64_t ts;
    const uint8_t *k;
    assert_true(sl_cfg_state_session_key(s, &k, &len, NULL, &ts));
    assert_int_equal(len, 4);
    assert_int_equal(k[3], 3);
    assert_int_equal(ts, 17);
    /* restart: a missing or non-boolean field is false */
    apply(s, 3, "restart-connector-a", "{\"include-tasks\":\"yes\"}", &ev);
    assert_true(ev.changes & SL_CFG_RESTART_REQUEST);
    assert_false(ev.include_tasks);
    assert_false(ev.only_failed);
    apply(s, 4, "restart-connector-a", "{\"include-tasks\":true,\"only-failed\":true}", &ev);
    assert_true(ev.include_tasks && ev.only_failed);
    assert_int_equal(sl_cfg_state_offset(s), 5);
    sl_cfg_state_free(s);
}

/* ---- status topic ---- */

static void test_status_golden_encoders_match_java_bytes(void **state)
{
    (void)state;
    rec *r;
    size_t n = load_tsv("status-topic.tsv", &r);
    size_t compared = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].val == NULL) {
            continue;
        }
        json_t *v = json_loads(r[i].val, 0, NULL);
        assert_non_null(v);
        sl_buf k = SL_BUF_INIT, out = SL_BUF_INIT;
        json_t *topic = json_object_get(v, "topic");
        if (topic != NULL) {
            const char *t = json_string_value(json_object_get(topic, "name"));
            const char *c = json_string_value(json_object_get(topic, "connector"));
            sl_status_key_topic(t, c, &k);
            sl_status_value_topic(t, c, (int32_t)json_integer_value(json_object_get(topic, "task")),
                                  json_integer_value(json_object_get(topic, "discoverTimestamp")),
                                  &out);
        } else {
            const char *sname = json_string_value(json_object_get(v, "state"));
            int state = -1;
            for (int s = SL_TASK_UNASSIGNED; s <= SL_TASK_STOPPED; s++) {
                if (strcmp(sl_task_state_name(s), sname) == 0) {
                    state = s;
                }
            }
            assert_true(state >= 0);
            if (strncmp(r[i].key, "status-connector-", 17) == 0) {
                sl_status_key_connector(r[i].key + 17, &k);
            } else {
                const char *dash = strrchr(r[i].key, '-');
                char *name = strndup(r[i].key + 12, (size_t)(dash - r[i].key - 12));
                sl_status_key_task(name, (int32_t)strtol(dash + 1, NULL, 10), &k);
                free(name);
            }
            sl_status_value(state, json_string_value(json_object_get(v, "trace")),
                            json_string_value(json_object_get(v, "worker_id")),
                            (int32_t)json_integer_value(json_object_get(v, "generation")), &out);
        }
        assert_string_equal(k.data, r[i].key);
        assert_string_equal(out.data, r[i].val);
        compared++;
        sl_buf_free(&k);
        sl_buf_free(&out);
        json_decref(v);
    }
    assert_int_equal(compared, 10);
    free_tsv(r, n);
}

static int sapply(sl_status_cache *c, const char *k, const char *v)
{
    return sl_status_cache_apply(c, k, strlen(k), v, v ? strlen(v) : 0);
}

static void test_status_golden_log_reads_into_expected_cache(void **state)
{
    (void)state;
    rec *r;
    size_t n = load_tsv("status-topic.tsv", &r);
    sl_status_cache *c = sl_status_cache_new();
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sapply(c, r[i].key, r[i].val), 0);
    }
    sl_status st;
    assert_true(sl_status_cache_connector(c, "my-sink", &st));
    assert_int_equal(st.state, SL_TASK_RUNNING);
    assert_null(st.trace);
    assert_string_equal(st.worker_id, "10.0.0.5:8083");
    assert_int_equal(st.generation, 7);
    sl_status_clear(&st);
    assert_true(sl_status_cache_task(c, "my-sink", 0, &st));
    assert_int_equal(st.state, SL_TASK_FAILED);
    assert_string_equal(st.trace, "org.apache.kafka.connect.errors.ConnectException: boom \"x\"\n"
                                  "\tat Foo.bar(Foo.java:1)\n");
    sl_status_clear(&st);
    assert_true(sl_status_cache_connector(c, "my-src-v2", &st));
    assert_int_equal(st.state, SL_TASK_STOPPED);
    sl_status_clear(&st);

    int32_t *ids;
    assert_int_equal(sl_status_cache_tasks(c, "my-src-v2", &ids), 2); /* task 2 tombstoned */
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    free(ids);
    char **names;
    size_t nt = sl_status_cache_topics(c, "my-sink", &names);
    assert_int_equal(nt, 2);
    assert_string_equal(names[0], "orders.v1");
    assert_string_equal(names[1], "t1");
    for (size_t i = 0; i < nt; i++) {
        free(names[i]);
    }
    free(names);
    assert_int_equal(sl_status_cache_topics(c, "my-src-v2", &names), 0);
    free(names);
    size_t nc = sl_status_cache_connectors(c, &names);
    assert_int_equal(nc, 2);
    assert_string_equal(names[0], "my-sink");
    assert_string_equal(names[1], "my-src-v2");
    for (size_t i = 0; i < nc; i++) {
        free(names[i]);
    }
    free(names);
    sl_status_cache_free(c);
    free_tsv(r, n);
}

static const char *status_json(const char *state, const char *worker, int gen, char *buf,
                               size_t len)
{
    snprintf(buf, len, "{\"state\":\"%s\",\"trace\":null,\"worker_id\":\"%s\",\"generation\":%d}",
             state, worker, gen);
    return buf;
}

static void test_status_unassigned_does_not_replace_running_of_same_or_newer_generation(void **st)
{
    (void)st;
    sl_status_cache *c = sl_status_cache_new();
    char b[256];
    sl_status s;
    sapply(c, "status-task-a-0", status_json("RUNNING", "w2:8083", 8, b, sizeof(b)));
    /* the old owner's UNASSIGNED arrives late, same generation: ignored */
    assert_int_equal(
        sapply(c, "status-task-a-0", status_json("UNASSIGNED", "w1:8083", 8, b, sizeof(b))), 0);
    assert_true(sl_status_cache_task(c, "a", 0, &s));
    assert_int_equal(s.state, SL_TASK_RUNNING);
    assert_string_equal(s.worker_id, "w2:8083");
    sl_status_clear(&s);
    sapply(c, "status-task-a-0", status_json("UNASSIGNED", "w1:8083", 7, b, sizeof(b)));
    assert_true(sl_status_cache_task(c, "a", 0, &s));
    assert_int_equal(s.state, SL_TASK_RUNNING);
    sl_status_clear(&s);
    /* a newer generation's UNASSIGNED does replace it */
    sapply(c, "status-task-a-0", status_json("UNASSIGNED", "w1:8083", 9, b, sizeof(b)));
    assert_true(sl_status_cache_task(c, "a", 0, &s));
    assert_int_equal(s.state, SL_TASK_UNASSIGNED);
    sl_status_clear(&s);
    /* other states replace RUNNING whatever the generation */
    sapply(c, "status-task-a-1", status_json("RUNNING", "w2:8083", 8, b, sizeof(b)));
    sapply(c, "status-task-a-1", status_json("FAILED", "w1:8083", 3, b, sizeof(b)));
    assert_true(sl_status_cache_task(c, "a", 1, &s));
    assert_int_equal(s.state, SL_TASK_FAILED);
    sl_status_clear(&s);
    sl_status_cache_free(c);
}

static void test_status_safe_write_rule(void **st)
{
    (void)st;
    sl_status_cache *c = sl_status_cache_new();
    char b[256];
    assert_true(sl_status_cache_safe_to_write(c, "a", 0, "w1:8083", 1)); /* no previous value */
    assert_true(sl_status_cache_safe_to_write(c, "a", -1, "w1:8083", 1));
    sapply(c, "status-task-a-0", status_json("RUNNING", "w2:8083", 8, b, sizeof(b)));
    sapply(c, "status-connector-a", status_json("RUNNING", "w2:8083", 8, b, sizeof(b)));
    assert_false(sl_status_cache_safe_to_write(c, "a", 0, "w1:8083", 7)); /* older, other worker */
    assert_false(sl_status_cache_safe_to_write(c, "a", -1, "w1:8083", 7));
    assert_true(sl_status_cache_safe_to_write(c, "a", 0, "w2:8083", 7)); /* same worker */
    assert_true(sl_status_cache_safe_to_write(c, "a", 0, "w1:8083", 8)); /* same generation */
    assert_true(sl_status_cache_safe_to_write(c, "a", 0, "w1:8083", 9));
    assert_true(sl_status_cache_safe_to_write(c, "a", 1, "w1:8083", 0)); /* other task */
    sl_status_cache_free(c);
}

static void test_status_tombstones_and_bad_records(void **st)
{
    (void)st;
    sl_status_cache *c = sl_status_cache_new();
    char b[256];
    sl_status s;
    sapply(c, "status-connector-a-b", status_json("RUNNING", "w:1", 1, b, sizeof(b)));
    sapply(c, "status-task-a-b-0", status_json("RUNNING", "w:1", 1, b, sizeof(b)));
    sapply(c, "status-task-a-b-1", status_json("RUNNING", "w:1", 1, b, sizeof(b)));
    assert_true(sl_status_cache_task(c, "a-b", 1, &s));
    sl_status_clear(&s);
    /* a connector tombstone removes its task statuses too (Java's remove(connector)) */
    assert_int_equal(sapply(c, "status-connector-a-b", NULL), 0);
    assert_false(sl_status_cache_connector(c, "a-b", &s));
    assert_false(sl_status_cache_task(c, "a-b", 0, &s));
    char **names;
    assert_int_equal(sl_status_cache_connectors(c, &names), 0);
    free(names);
    /* bad keys and values are dropped */
    assert_int_equal(sapply(c, "status-task-x", status_json("RUNNING", "w", 1, b, sizeof(b))), -1);
    assert_int_equal(sapply(c, "status-task-x-y", status_json("RUNNING", "w", 1, b, sizeof(b))),
                     -1);
    assert_int_equal(sapply(c, "status-connector-", status_json("RUNNING", "w", 1, b, sizeof(b))),
                     -1);
    assert_int_equal(sapply(c, "status-connector-x", "{\"state\":\"RUNNING\""), -1);
    assert_int_equal(sapply(c, "status-connector-x", "{\"state\":\"DONE\",\"generation\":1}"), -1);
    assert_int_equal(sapply(c, "status-connector-x", "{\"state\":\"RUNNING\",\"trace\":null}"), -1);
    assert_int_equal(sapply(c, "status-topic-:connector-x", "{}"), -1);
    assert_int_equal(sapply(c, "status-topic-t:connector-", "{}"), -1);
    assert_int_equal(sapply(c, "status-topic-t", "{}"), -1);
    assert_int_equal(sapply(c, "status-topic-t:connector-x", "{\"topic\":{\"name\":\"t\"}}"), -1);
    assert_int_equal(sapply(c, "something-else", "{}"), -1);
    assert_false(sl_status_cache_connector(c, "x", &s));
    /* trace and worker_id may be missing (null) */
    assert_int_equal(sapply(c, "status-connector-x", "{\"state\":\"PAUSED\",\"generation\":2}"), 0);
    assert_true(sl_status_cache_connector(c, "x", &s));
    assert_null(s.worker_id);
    sl_status_clear(&s);
    sl_status_cache_free(c);
}

/* ---- murmur2 ---- */

static void test_murmur2_matches_java_utils_murmur2(void **state)
{
    (void)state;
    rec *r;
    size_t n = load_tsv("murmur2.tsv", &r);
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        int32_t h, p5, p25;
        assert_int_equal(sscanf(r[i].val, "%d\t%d\t%d", &h, &p5, &p25), 3);
        size_t len = strlen(r[i].key);
        assert_int_equal(sl_murmur2(r[i].key, len), h);
        assert_int_equal(sl_murmur2_partition(r[i].key, len, 5), p5);
        assert_int_equal(sl_murmur2_partition(r[i].key, len, 25), p25);
        assert_int_equal(sl_murmur2_partition(r[i].key, len, 1), 0);
    }
    free_tsv(r, n);
    assert_int_equal(sl_murmur2_partition("x", 1, 0), -1);
}

/* ---- internal clients ---- */

static void test_klog_client_ids_and_internal_conf_follow_java(void **state)
{
    (void)state;
    sl_props *w = sl_props_new();
    sl_props_set(w, "group.id", "connect-cluster");
    char *id = sl_klog_client_id(w, "configs");
    assert_string_equal(id, "connect-cluster-configs");
    free(id);
    sl_props_set(w, "client.id", "w1");
    id = sl_klog_client_id(w, "shared-admin");
    assert_string_equal(id, "connect-cluster-w1-shared-admin");
    free(id);

    /* worker-level security applies (Java keys translated); producer.* / consumer.* do not */
    sl_props_set(w, "bootstrap.servers", "k1:9092,k2:9092");
    sl_props_set(w, "security.protocol", "SASL_PLAINTEXT");
    sl_props_set(w, "sasl.mechanism", "PLAIN");
    sl_props_set(w, "sasl.jaas.config",
                 "org.apache.kafka.common.security.plain.PlainLoginModule required "
                 "username=\"alice\" password=\"s3cret\";");
    sl_props_set(w, "producer.linger.ms", "777");
    sl_props_set(w, "consumer.fetch.min.bytes", "4242");
    char err[256];
    rd_kafka_conf_t *conf =
        sl_klog_internal_conf(w, "connect-cluster-w1-configs", err, sizeof(err));
    assert_non_null(conf);
    char v[256];
    size_t n = sizeof(v);
    assert_int_equal(rd_kafka_conf_get(conf, "bootstrap.servers", v, &n), RD_KAFKA_CONF_OK);
    assert_string_equal(v, "k1:9092,k2:9092");
    n = sizeof(v);
    rd_kafka_conf_get(conf, "security.protocol", v, &n);
    assert_string_equal(v, "sasl_plaintext");
    n = sizeof(v);
    rd_kafka_conf_get(conf, "sasl.username", v, &n);
    assert_string_equal(v, "alice");
    n = sizeof(v);
    rd_kafka_conf_get(conf, "client.id", v, &n);
    assert_string_equal(v, "connect-cluster-w1-configs");
    n = sizeof(v);
    rd_kafka_conf_get(conf, "linger.ms", v, &n);
    assert_string_not_equal(v, "777");
    n = sizeof(v);
    rd_kafka_conf_get(conf, "fetch.min.bytes", v, &n);
    assert_string_not_equal(v, "4242");
    rd_kafka_conf_destroy(conf);
    sl_props_free(w);
}

int main(void)
{
    sl_log_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_golden_encoders_match_java_bytes),
        cmocka_unit_test(test_config_golden_log_reads_into_expected_snapshot),
        cmocka_unit_test(test_config_offset_is_last_record_plus_one_and_bad_json_does_not_advance),
        cmocka_unit_test(test_config_tasks_fencing_prefix_is_not_a_task_record),
        cmocka_unit_test(test_config_connector_names_with_dashes),
        cmocka_unit_test(test_config_compacted_log_missing_early_task_is_inconsistent),
        cmocka_unit_test(test_config_commit_allows_extra_ids_and_defers_until_commit),
        cmocka_unit_test(test_config_commit_of_deleted_connector_is_ignored),
        cmocka_unit_test(test_config_target_state_prefers_v2_and_falls_back_to_started),
        cmocka_unit_test(test_config_session_key_and_restart_request_rules),
        cmocka_unit_test(test_status_golden_encoders_match_java_bytes),
        cmocka_unit_test(test_status_golden_log_reads_into_expected_cache),
        cmocka_unit_test(
            test_status_unassigned_does_not_replace_running_of_same_or_newer_generation),
        cmocka_unit_test(test_status_safe_write_rule),
        cmocka_unit_test(test_status_tombstones_and_bad_records),
        cmocka_unit_test(test_murmur2_matches_java_utils_murmur2),
        cmocka_unit_test(test_klog_client_ids_and_internal_conf_follow_java),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
