/*
 * test_herder_state.c — the standalone state file: what is saved comes back identical, a damaged
 * file is refused with a message naming it (never a crash), and saving never leaves a temp file.
 * Must never touch anything outside its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herder/herder.h"
#include "herder/state.h"
#include "plugin/catalog.h"
#include "util/log.h"

static char tmpdir[256];
static char path[512];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_herder_state_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, SL_STATE_FILE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char tmp[600];
    unlink(path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    rmdir(tmpdir);
    return 0;
}

static void write_text(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_saved_connectors_load_back_identical_in_order(void **state)
{
    (void)state;
    struct sl_state_entry in[2];
    in[0].name = "file-sink";
    in[0].config = sl_props_new();
    sl_props_set(in[0].config, "connector.class", "FileStreamSink");
    sl_props_set(in[0].config, "topics", "orders");
    sl_props_set(in[0].config, "file", "/tmp/out.txt");
    sl_props_set(in[0].config, "password", "${file:/etc/secret.properties:pw}");
    in[0].target = SL_TARGET_PAUSED;
    in[1].name = "second \"quoted\" name";
    in[1].config = sl_props_new();
    sl_props_set(in[1].config, "connector.class", "x");
    in[1].target = SL_TARGET_STOPPED;

    char err[512] = "";
    assert_int_equal(sl_state_save(path, in, 2, err, sizeof err), 0);

    struct sl_state_entry *out = NULL;
    size_t n = 0;
    assert_int_equal(sl_state_load(path, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].name, "file-sink");
    assert_int_equal(out[0].target, SL_TARGET_PAUSED);
    assert_true(sl_props_equal(out[0].config, in[0].config));
    assert_string_equal(sl_props_key_at(out[0].config, 0), "connector.class");
    assert_string_equal(sl_props_key_at(out[0].config, 3), "password");
    /* provider placeholders are stored unresolved */
    assert_string_equal(sl_props_get(out[0].config, "password"),
                        "${file:/etc/secret.properties:pw}");
    assert_string_equal(out[1].name, "second \"quoted\" name");
    assert_int_equal(out[1].target, SL_TARGET_STOPPED);

    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);

    sl_state_entries_free(out, n);
    sl_props_free(in[0].config);
    sl_props_free(in[1].config);
}

static void test_saving_again_replaces_the_previous_state(void **state)
{
    (void)state;
    struct sl_state_entry e = {.name = "a", .config = sl_props_new(), .target = 0};
    sl_props_set(e.config, "connector.class", "FileStreamSink");
    char err[512];
    assert_int_equal(sl_state_save(path, &e, 1, err, sizeof err), 0);
    assert_int_equal(sl_state_save(path, NULL, 0, err, sizeof err), 0);
    struct sl_state_entry *out = NULL;
    size_t n = 99;
    assert_int_equal(sl_state_load(path, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    sl_state_entries_free(out, n);
    sl_props_free(e.config);
}

static void test_missing_file_is_an_empty_state(void **state)
{
    (void)state;
    struct sl_state_entry *out = NULL;
    size_t n = 7;
    char err[512];
    assert_int_equal(sl_state_load(path, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    sl_state_entries_free(out, n);
}

static void assert_refused(const char *text, const char *why)
{
    write_text(text);
    struct sl_state_entry *out = NULL;
    size_t n = 0;
    char err[1024] = "";
    assert_int_equal(sl_state_load(path, &out, &n, err, sizeof err), -1);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "corrupted"));
    assert_non_null(strstr(err, why));
}

static void test_truncated_file_is_refused_with_a_message_naming_it(void **state)
{
    (void)state;
    assert_refused("{\"version\":1,\"connectors\":[{\"name\":\"a\",\"con", "line");
}

static void test_wrong_shapes_are_refused_not_crashed_on(void **state)
{
    (void)state;
    assert_refused("[1,2,3]", "connectors");
    assert_refused("{\"connectors\":{}}", "connectors");
    assert_refused("{\"connectors\":[42]}", "name");
    assert_refused("{\"connectors\":[{\"name\":\"a\",\"config\":[]}]}", "config");
    assert_refused("{\"connectors\":[{\"name\":\"a\",\"config\":{\"k\":[1]}}]}", "connector a");
    assert_refused("{\"connectors\":[{\"name\":\"a\",\"config\":{},\"target_state\":\"NAPPING\"}]}",
                   "target_state");
    assert_refused(
        "{\"connectors\":[{\"name\":\"a\",\"config\":{}},{\"name\":\"a\",\"config\":{}}]}",
        "twice");
    assert_refused("{\"version\":99,\"connectors\":[]}", "version");
    assert_refused("", "line");
}

static void test_target_state_names_round_trip(void **state)
{
    (void)state;
    for (int t = SL_TARGET_STARTED; t <= SL_TARGET_STOPPED; t++) {
        assert_int_equal(sl_target_state_parse(sl_target_state_name(t)), t);
    }
    assert_int_equal(sl_target_state_parse("paused"), SL_TARGET_PAUSED);
    assert_int_equal(sl_target_state_parse("RUNNING"), -1);
    assert_int_equal(sl_target_state_parse(NULL), -1);
}

static void test_mkdirs_creates_nested_state_directories(void **state)
{
    (void)state;
    char dir[600];
    char err[512];
    snprintf(dir, sizeof dir, "%s/a/b", tmpdir);
    assert_int_equal(sl_state_mkdirs(dir, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(sl_state_mkdirs(dir, err, sizeof err), 0); /* idempotent */
    rmdir(dir);
    snprintf(dir, sizeof dir, "%s/a", tmpdir);
    rmdir(dir);
}

/* ---- the herder on top of the state file (needs the built file sink; no Kafka: tasks just
 * wait for an unreachable broker) ---- */

static bool file_sink_loaded;

static sl_props *test_worker(void)
{
    sl_props *w = sl_props_new();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/state", tmpdir);
    sl_props_set(w, "bootstrap.servers", "127.0.0.1:1");
    sl_props_set(w, "key.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props_set(w, "value.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props_set(w, "state.dir", dir);
    sl_props_set(w, "task.shutdown.graceful.timeout.ms", "2000");
    return w;
}

static sl_herder *started_herder(const sl_props *w)
{
    char err[1024] = "";
    sl_herder *h = sl_herder_new(w, err, sizeof err);
    assert_non_null(h);
    assert_int_equal(sl_herder_start(h, err, sizeof err), 0);
    return h;
}

static sl_props *sink_config(const char *file)
{
    sl_props *c = sl_props_new();
    sl_props_set(c, "connector.class", "FileStreamSink");
    sl_props_set(c, "topics", "herder-test");
    sl_props_set(c, "file", file);
    return c;
}

static const char *status_state(sl_herder *h, const char *name, char *buf, size_t len)
{
    json_t *out = NULL;
    sl_herr err = {{0}};
    assert_int_equal(sl_herder_status(h, name, &out, &err), 200);
    snprintf(buf, len, "%s",
             json_string_value(json_object_get(json_object_get(out, "connector"), "state")));
    json_decref(out);
    return buf;
}

static void test_restarted_herder_restores_connectors_and_target_states(void **state)
{
    (void)state;
    if (!file_sink_loaded) {
        skip();
    }
    sl_props *w = test_worker();
    char file[600];
    char st[64];
    snprintf(file, sizeof file, "%s/out.txt", tmpdir);
    sl_props *cfg = sink_config(file);
    sl_herr err = {{0}};
    json_t *out = NULL;

    sl_herder *h = started_herder(w);
    assert_int_equal(sl_herder_create(h, "a", cfg, NULL, &out, &err), 201);
    assert_string_equal(json_string_value(json_object_get(out, "type")), "sink");
    json_decref(out);
    out = NULL;
    assert_int_equal(sl_herder_create(h, "a", cfg, NULL, &out, &err), 409);
    assert_string_equal(err.message, "Connector a already exists");
    assert_int_equal(sl_herder_create(h, "b", cfg, "STOPPED", &out, &err), 201);
    json_decref(out);
    out = NULL;
    assert_int_equal(sl_herder_pause(h, "a", &err), 202);
    assert_string_equal(status_state(h, "a", st, sizeof st), "PAUSED");
    assert_string_equal(status_state(h, "b", st, sizeof st), "STOPPED");
    sl_herder_stop(h);
    sl_herder_destroy(h);

    h = started_herder(w);
    assert_int_equal(sl_herder_list(h, false, false, &out, &err), 200);
    char *names = json_dumps(out, JSON_COMPACT);
    assert_string_equal(names, "[\"a\",\"b\"]");
    free(names);
    json_decref(out);
    out = NULL;
    assert_string_equal(status_state(h, "a", st, sizeof st), "PAUSED");
    assert_string_equal(status_state(h, "b", st, sizeof st), "STOPPED");
    assert_int_equal(sl_herder_config(h, "a", &out, &err), 200);
    assert_string_equal(json_string_value(json_object_get(out, "file")), file);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "a");
    json_decref(out);
    out = NULL;
    assert_int_equal(sl_herder_delete(h, "a", &err), 204);
    assert_int_equal(sl_herder_delete(h, "a", &err), 404);
    assert_string_equal(err.message, "Connector a not found");
    sl_herder_stop(h);
    sl_herder_destroy(h);

    h = started_herder(w);
    assert_int_equal(sl_herder_list(h, false, false, &out, &err), 200);
    names = json_dumps(out, JSON_COMPACT);
    assert_string_equal(names, "[\"b\"]");
    free(names);
    json_decref(out);
    sl_herder_destroy(h);

    char path2[700];
    snprintf(path2, sizeof path2, "%s/state/%s", tmpdir, SL_STATE_FILE);
    unlink(path2);
    snprintf(path2, sizeof path2, "%s/state", tmpdir);
    rmdir(path2);
    unlink(file);
    sl_props_free(cfg);
    sl_props_free(w);
}

static void test_herder_refuses_to_start_on_a_corrupted_state_file(void **state)
{
    (void)state;
    sl_props *w = test_worker();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/state", tmpdir);
    char err[1024] = "";
    assert_int_equal(sl_state_mkdirs(dir, err, sizeof err), 0);
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, SL_STATE_FILE);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("{\"connectors\":[{\"name\":", f);
    fclose(f);
    sl_herder *h = sl_herder_new(w, err, sizeof err);
    assert_non_null(h);
    assert_int_equal(sl_herder_start(h, err, sizeof err), -1);
    assert_non_null(strstr(err, "corrupted"));
    assert_non_null(strstr(err, p));
    sl_herder_destroy(h);
    unlink(p);
    rmdir(dir);
    sl_props_free(w);
}

static void test_standalone_needs_an_offsets_file_or_state_dir(void **state)
{
    (void)state;
    sl_props *w = sl_props_new();
    char err[1024] = "";
    assert_null(sl_herder_new(w, err, sizeof err));
    assert_string_equal(err, "Missing required configuration \"offset.storage.file.filename\" "
                             "which has no default value.");
    sl_props_free(w);
}

static void load_file_sink(void)
{
    const char *plugins = getenv("SLUICE_BUILD_PLUGINS");
    if (plugins == NULL) {
        return;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/file_sink/.libs", plugins);
    sl_catalog_load(dir);
    file_sink_loaded = sl_catalog_find(SLUICE_KIND_SINK, "FileStreamSink") != NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_saved_connectors_load_back_identical_in_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_saving_again_replaces_the_previous_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_is_an_empty_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file_is_refused_with_a_message_naming_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_shapes_are_refused_not_crashed_on, setup,
                                        teardown),
        cmocka_unit_test(test_target_state_names_round_trip),
        cmocka_unit_test_setup_teardown(test_mkdirs_creates_nested_state_directories, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restarted_herder_restores_connectors_and_target_states,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_herder_refuses_to_start_on_a_corrupted_state_file,
                                        setup, teardown),
        cmocka_unit_test(test_standalone_needs_an_offsets_file_or_state_dir),
    };
    sl_log_init();
    sl_log_threshold = SL_LOG_WARN;
    load_file_sink();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sl_catalog_shutdown();
    return rc;
}
