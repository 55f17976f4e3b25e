/*
 * test_host_api.c — the host-services table as a plugin sees it: every member present, values,
 * schemas and records built and read back through it, errors and logs carrying the ctx, task hooks
 * forwarded (with defaults when there is no runtime), offsets only ever lowered, config getters.
 * It must only call the table (and the worker APIs needed to set the scene).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/props.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "task/offsets.h"
#include "util/log.h"

static const struct sluice_host_api *H;

static int setup(void **state)
{
    H = sl_host_api();
    return 0;
}

static void test_every_host_member_is_set_and_the_header_is_v1_1(void **state)
{
    assert_int_equal(H->magic, SLUICE_ABI_MAGIC);
    assert_int_equal(H->abi_major, SLUICE_ABI_MAJOR);
    assert_int_equal(H->abi_minor, SLUICE_ABI_MINOR);
    assert_int_equal(H->struct_size, sizeof(struct sluice_host_api));
    size_t first = offsetof(struct sluice_host_api, log_enabled);
    size_t n = 0;
    for (size_t off = first; off + sizeof(void *) <= H->struct_size; off += sizeof(void *)) {
        void *fn;
        memcpy(&fn, (const char *)H + off, sizeof(fn));
        if (fn == NULL) {
            fail_msg("host member at offset %zu is NULL", off);
        }
        n++;
    }
    assert_true(n > 100);
    assert_true(SLUICE_HOST_HAS(H, metric_add));
    assert_true(SLUICE_HOST_HAS(H, task_seek));
    assert_true(SLUICE_HOST_HAS(H, validation_warning));
    assert_int_equal(SLUICE_ABI_MINOR, 1);
}

static void test_log_is_prefixed_with_the_connector_and_task(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("orders-sink", 3, "org.example.Sink");
    char path[] = "/tmp/test_host_api_logXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    assert_int_equal(H->log_enabled(ctx, SLUICE_LOG_ERROR), 1);
    H->log(ctx, SLUICE_LOG_WARN, "disk %s is %d%% full", "sda", 91);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char text[1024] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t got = fread(text, 1, sizeof(text) - 1, f);
    text[got] = '\0';
    fclose(f);
    close(fd);
    unlink(path);
    assert_non_null(strstr(text, "WARN"));
    assert_non_null(strstr(text, "orders-sink|task-3"));
    assert_non_null(strstr(text, "disk sda is 91% full"));
    sl_ctx_destroy(ctx);
}

static void test_set_error_is_copied_into_the_ctx_and_taken_once(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    assert_string_equal(sl_ctx_take_error(ctx, "fallback"), "fallback");
    char msg[32];
    snprintf(msg, sizeof(msg), "table %s missing", "t1");
    H->set_error(ctx, "put failed: %s", msg);
    memset(msg, 'x', sizeof(msg) - 1); /* the ctx keeps its own copy */
    assert_string_equal(sl_ctx_take_error(ctx, "fallback"), "put failed: table t1 missing");
    assert_string_equal(sl_ctx_take_error(ctx, "fallback"), "fallback");
    sl_ctx_destroy(ctx);
}

static void test_batch_memory_comes_from_the_runtime_arena_when_set(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    sl_arena *batch = sl_arena_new(0);
    sl_ctx_set_batch_arena(ctx, batch);
    size_t before = sl_arena_bytes(batch);
    char *p = H->batch_alloc(ctx, 100000);
    memset(p, 1, 100000);
    assert_true(sl_arena_bytes(batch) >= before + 100000);
    assert_ptr_equal(sl_ctx_batch_arena(ctx), batch);
    sl_ctx_set_batch_arena(ctx, NULL);
    assert_ptr_not_equal(sl_ctx_batch_arena(ctx), batch); /* falls back to the ctx's own */
    sl_ctx_destroy(ctx);
    sl_arena_destroy(batch);
}

static void test_primitive_values_round_trip_through_the_accessors(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    const sluice_value *i = H->val_new_int(ctx, SLUICE_TYPE_INT32, -7);
    assert_int_equal(H->val_type(i), SLUICE_TYPE_INT32);
    assert_int_equal(H->val_int(i), -7);
    assert_true(H->val_double(i) == -7.0);
    const sluice_value *d = H->val_new_double(ctx, SLUICE_TYPE_FLOAT64, 2.5);
    assert_true(H->val_double(d) == 2.5);
    const sluice_value *b = H->val_new_bool(ctx, 1);
    assert_int_equal(H->val_bool(b), 1);
    assert_int_equal(H->val_int(b), 1);
    size_t len = 0;
    const sluice_value *s = H->val_new_string(ctx, "héllo world", 6);
    assert_string_equal(H->val_string(s, &len), "héllo");
    assert_int_equal(len, 6);
    const sluice_value *by = H->val_new_bytes(ctx, "\0\1\2", 3);
    const unsigned char *raw = H->val_bytes(by, &len);
    assert_int_equal(len, 3);
    assert_int_equal(raw[2], 2);
    assert_int_equal(H->val_type(NULL), SLUICE_TYPE_NULL);
    assert_null(H->val_string(i, &len));
    assert_int_equal(len, 0);
    sl_ctx_destroy(ctx);
}

static void test_structs_built_through_the_host_read_back_by_name_and_index(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    sluice_schema *st = H->schema_new(ctx, SLUICE_TYPE_STRUCT, 0, "shop.Order");
    H->schema_add_field(ctx, st, "id", H->schema_primitive(SLUICE_TYPE_INT64, 0));
    H->schema_add_field(ctx, st, "note", H->schema_primitive(SLUICE_TYPE_STRING, 1));
    H->schema_set_param(ctx, st, "origin", "test");
    assert_int_equal(H->schema_field_count(st), 2);
    assert_string_equal(H->schema_field_name(st, 1), "note");
    assert_int_equal(H->schema_field_index(st, "note"), 1);
    assert_int_equal(H->schema_field_index(st, "nope"), -1);
    assert_int_equal(H->schema_type(H->schema_field_schema(st, 0)), SLUICE_TYPE_INT64);
    assert_string_equal(H->schema_name(st), "shop.Order");
    assert_string_equal(H->schema_param(st, "origin"), "test");
    assert_true(H->schema_id(st) != 0);

    sluice_value *v = H->val_new_struct(ctx, st);
    H->val_struct_set(v, 0, H->val_new_int(ctx, SLUICE_TYPE_INT64, 42));
    assert_int_equal(H->val_len(v), 2);
    assert_int_equal(H->val_int(H->val_get(v, "id")), 42);
    assert_null(H->val_get(v, "note")); /* null field */
    assert_null(H->val_at(v, 1));
    assert_null(H->val_get(v, "absent"));
    assert_string_equal(H->val_name_at(v, 0), "id");
    assert_ptr_equal(H->val_schema(v), st);

    sluice_buf *json = H->buf_new();
    assert_int_equal(H->val_to_json(v, json), SLUICE_OK);
    assert_string_equal(H->buf_data(json), "{\"id\":42,\"note\":null}");
    H->buf_reset(json);
    assert_int_equal(H->val_to_json(NULL, json), SLUICE_OK);
    assert_string_equal(H->buf_data(json), "null");
    H->buf_free(json);
    sl_ctx_destroy(ctx);
}

static void test_arrays_and_maps_built_through_the_host(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    sluice_schema *arr_s = H->schema_new(ctx, SLUICE_TYPE_ARRAY, 0, NULL);
    H->schema_set_items(arr_s, H->schema_primitive(SLUICE_TYPE_INT32, 0));
    sluice_value *arr = H->val_new_array(ctx, arr_s, 2);
    H->val_array_set(arr, 0, H->val_new_int(ctx, SLUICE_TYPE_INT32, 1));
    H->val_array_set(arr, 1, H->val_new_int(ctx, SLUICE_TYPE_INT32, 2));
    H->val_array_set(arr, 5, H->val_new_int(ctx, SLUICE_TYPE_INT32, 9)); /* out of range: ignored */
    assert_int_equal(H->val_len(arr), 2);
    assert_int_equal(H->val_int(H->val_at(arr, 1)), 2);
    assert_null(H->val_at(arr, 2));
    assert_int_equal(H->schema_type(H->schema_items(arr_s)), SLUICE_TYPE_INT32);

    sluice_value *map = H->val_new_map(ctx, NULL, 1);
    H->val_map_set(map, 0, H->val_new_string(ctx, "k", 1), H->val_new_bool(ctx, 0));
    assert_int_equal(H->val_len(map), 1);
    assert_string_equal(H->val_name_at(map, 0), "k");
    assert_string_equal(H->val_string(H->val_map_key(map, 0), NULL), "k");
    assert_int_equal(H->val_type(H->val_get(map, "k")), SLUICE_TYPE_BOOLEAN);
    sl_ctx_destroy(ctx);
}

static void test_records_read_change_and_derive_through_the_host(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("c", 0, "X");
    sl_arena *a = sl_ctx_batch_arena(ctx);
    sl_record *r = sl_record_new(a);
    r->topic = "orders";
    r->partition = 2;
    r->offset = 77;
    r->timestamp = 1700000000000;
    r->raw_value = "{}";
    r->raw_value_len = 2;
    assert_string_equal(H->rec_topic(r), "orders");
    assert_int_equal(H->rec_partition(r), 2);
    assert_int_equal(H->rec_offset(r), 77);
    assert_int_equal(H->rec_timestamp(r), 1700000000000);
    size_t len = 9;
    assert_null(H->rec_raw_key(r, &len));
    assert_int_equal(len, 0);
    assert_memory_equal(H->rec_raw_value(r, &len), "{}", 2);
    assert_int_equal(len, 2);

    char topic[] = "orders-copy";
    H->rec_set_topic(ctx, r, topic);
    topic[0] = 'X'; /* copied */
    assert_string_equal(H->rec_topic(r), "orders-copy");
    H->rec_set_value(ctx, r, NULL, H->val_new_string(ctx, "v", 1));
    H->rec_set_timestamp(r, 5);
    assert_int_equal(H->rec_timestamp(r), 5);
    H->rec_header_add(ctx, r, "h", H->val_new_string(ctx, "1", 1));
    H->rec_header_add(ctx, r, "h", NULL);
    H->rec_header_add(ctx, r, "g", NULL);
    assert_int_equal(H->rec_header_count(r), 3);
    assert_string_equal(H->rec_header_key(r, 0), "h");
    assert_string_equal(H->val_string(H->rec_header_value(r, 0), NULL), "1");
    assert_int_equal(H->rec_header_remove(r, "h"), 2);
    assert_int_equal(H->rec_header_count(r), 1);

    const sluice_value *k = H->val_new_string(ctx, "key", 3);
    sluice_record *d = H->rec_derive(ctx, r, "other", NULL, k, NULL, NULL);
    assert_string_equal(H->rec_topic(d), "other");
    assert_int_equal(H->rec_offset(d), 77);
    assert_int_equal(H->rec_partition(d), 2);
    assert_ptr_equal(H->rec_key(d), k);
    assert_null(H->rec_value(d));
    assert_string_equal(H->rec_topic(r), "orders-copy"); /* base untouched */
    sl_ctx_destroy(ctx);
}

static void test_buffers_grow_and_stay_nul_terminated(void **state)
{
    sluice_buf *b = H->buf_new();
    assert_string_equal(H->buf_data(b), "");
    H->buf_append(b, "ab", 2);
    H->buf_printf(b, "-%d-", 12);
    assert_string_equal(H->buf_data(b), "ab-12-");
    assert_int_equal(H->buf_len(b), 6);
    H->buf_reset(b);
    assert_int_equal(H->buf_len(b), 0);
    H->buf_free(b);
    H->buf_free(NULL);
}

struct hook_log {
    int stop, backoffs, commits, errants;
    int64_t last_backoff;
};

static int hk_stop(void *arg)
{
    return ((struct hook_log *)arg)->stop;
}

static void hk_backoff(void *arg, int64_t ms)
{
    ((struct hook_log *)arg)->backoffs++;
    ((struct hook_log *)arg)->last_backoff = ms;
}

static void hk_commit(void *arg)
{
    ((struct hook_log *)arg)->commits++;
}

static sluice_rc hk_errant(void *arg, const sluice_record *r, const char *message)
{
    ((struct hook_log *)arg)->errants++;
    return SLUICE_OK;
}

static void test_task_services_forward_to_the_runtime_hooks(void **state)
{
    static const struct sl_task_hooks hooks = {
        .should_stop = hk_stop,
        .backoff = hk_backoff,
        .request_commit = hk_commit,
        .report_errant = hk_errant,
    };
    struct hook_log log = {.stop = 1};
    struct sluice_ctx *ctx = sl_ctx_new("conn", 4, "X");
    sl_ctx_set_hooks(ctx, &hooks, &log);
    assert_string_equal(H->ctx_connector(ctx), "conn");
    assert_int_equal(H->ctx_task_id(ctx), 4);
    assert_int_equal(H->task_should_stop(ctx), 1);
    H->task_backoff(ctx, 250);
    H->task_request_commit(ctx);
    assert_int_equal(H->report_errant(ctx, NULL, "bad"), SLUICE_OK);
    assert_int_equal(log.backoffs, 1);
    assert_int_equal(log.last_backoff, 250);
    assert_int_equal(log.commits, 1);
    assert_int_equal(log.errants, 1);
    sl_ctx_destroy(ctx);
}

static void test_task_services_without_a_runtime_behave_like_tolerance_none(void **state)
{
    struct sluice_ctx *ctx = sl_ctx_new("conn", 0, "X");
    sl_record *r = sl_record_new(sl_ctx_batch_arena(ctx));
    r->topic = "t";
    r->offset = 9;
    assert_int_equal(H->task_should_stop(ctx), 0);
    H->task_backoff(ctx, 10);
    H->task_request_commit(ctx);
    assert_int_equal(H->report_errant(ctx, r, "cannot write"), SLUICE_ERR);
    assert_string_equal(sl_ctx_take_error(ctx, NULL),
                        "cannot write (topic t, partition 0, offset 9)");
    assert_int_equal(H->source_emit(ctx, "t", NULL, NULL, NULL, NULL, "{}", "{}"),
                     SLUICE_ERR_UNSUPPORTED);
    assert_true(H->now_ms() > 1600000000000LL);
    H->metric_add(ctx, "rows", 1);
    sl_ctx_destroy(ctx);
}

static void test_offsets_can_be_lowered_but_never_raised(void **state)
{
    sl_offsets o;
    sl_offsets_init(&o);
    sl_offsets_add(&o, "orders", 1, 100);
    assert_int_equal(H->offsets_count(&o), 1);
    sluice_topic_partition tp = H->offsets_tp(&o, 0);
    assert_string_equal(tp.topic, "orders");
    assert_int_equal(tp.partition, 1);
    H->offsets_set(&o, 0, 120);
    assert_int_equal(H->offsets_get(&o, 0), 100);
    H->offsets_set(&o, 0, 90);
    assert_int_equal(H->offsets_get(&o, 0), 90);
    assert_int_equal(H->offsets_get(&o, 7), -1);
    assert_null(H->offsets_tp(&o, 7).topic);
    sl_offsets_free(&o);
}

static void test_config_getters_forward_to_the_config_engine(void **state)
{
    static const struct sluice_config_def defs[] = {
        {.name = "file", .type = SLUICE_CFG_STRING, .flags = SLUICE_CFG_F_NULL_DEFAULT},
        {.name = "batch.size", .type = SLUICE_CFG_INT, .default_value = "10"},
        {.name = "ratio", .type = SLUICE_CFG_DOUBLE, .default_value = "0.5"},
        {.name = "enabled", .type = SLUICE_CFG_BOOLEAN, .default_value = "false"},
        {.name = "hosts", .type = SLUICE_CFG_LIST, .default_value = ""},
        {.name = NULL},
    };
    sl_props *raw = sl_props_new();
    sl_props_set(raw, "batch.size", "25");
    sl_props_set(raw, "enabled", "true");
    sl_props_set(raw, "hosts", "a, b");
    char err[512] = "";
    sl_config *cfg = sl_config_new(defs, sizeof(defs[0]), raw, NULL, err, sizeof(err));
    assert_non_null(cfg);
    assert_null(H->cfg_string(cfg, "file"));
    assert_int_equal(H->cfg_long(cfg, "batch.size"), 25);
    assert_true(H->cfg_double(cfg, "ratio") == 0.5);
    assert_int_equal(H->cfg_bool(cfg, "enabled"), 1);
    assert_int_equal(H->cfg_list_len(cfg, "hosts"), 2);
    assert_string_equal(H->cfg_list_at(cfg, "hosts", 1), "b");
    assert_int_equal(H->cfg_is_set(cfg, "batch.size"), 1);
    assert_int_equal(H->cfg_is_set(cfg, "ratio"), 0);
    assert_int_equal(H->cfg_count(cfg), 3);
    assert_string_equal(H->cfg_key_at(cfg, 0), "batch.size");
    assert_string_equal(H->cfg_value_at(cfg, 0), "25");
    sl_config_free(cfg);
    sl_props_free(raw);
}

static void test_validation_errors_reach_the_validation(void **state)
{
    sl_validation *v = sl_validation_new();
    H->validation_error(v, "file", "cannot open %s", "/nope");
    assert_int_equal(sl_validation_error_count(v), 1);
    sl_validation_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_host_member_is_set_and_the_header_is_v1_1),
        cmocka_unit_test(test_log_is_prefixed_with_the_connector_and_task),
        cmocka_unit_test(test_set_error_is_copied_into_the_ctx_and_taken_once),
        cmocka_unit_test(test_batch_memory_comes_from_the_runtime_arena_when_set),
        cmocka_unit_test(test_primitive_values_round_trip_through_the_accessors),
        cmocka_unit_test(test_structs_built_through_the_host_read_back_by_name_and_index),
        cmocka_unit_test(test_arrays_and_maps_built_through_the_host),
        cmocka_unit_test(test_records_read_change_and_derive_through_the_host),
        cmocka_unit_test(test_buffers_grow_and_stay_nul_terminated),
        cmocka_unit_test(test_task_services_forward_to_the_runtime_hooks),
        cmocka_unit_test(test_task_services_without_a_runtime_behave_like_tolerance_none),
        cmocka_unit_test(test_offsets_can_be_lowered_but_never_raised),
        cmocka_unit_test(test_config_getters_forward_to_the_config_engine),
        cmocka_unit_test(test_validation_errors_reach_the_validation),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
