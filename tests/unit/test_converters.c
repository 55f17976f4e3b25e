/*
 * test_converters.c — converters as tasks get them: the built-in descriptor, class resolution
 * (connector override, else worker) with "<key|value>.converter." instance configs, the
 * StringConverter and ByteArrayConverter, errors through the ctx, and header conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/props.h"
#include "converters/convert.h"
#include "converters/json_converter.h"
#include "plugin/catalog.h"

static int setup(void **state)
{
    sl_catalog_register_builtins();
    return 0;
}

static void test_builtin_descriptor_lists_three_converters_with_config_defs(void **state)
{
    const struct sluice_plugin_descriptor *d = sl_builtin_converters();
    assert_int_equal(d->magic, SLUICE_ABI_MAGIC);
    assert_int_equal(d->config_def_size, sizeof(struct sluice_config_def));
    size_t n = 0;
    const struct sluice_component *json = NULL;
    for (; d->components[n] != NULL; n++) {
        assert_int_equal(d->components[n]->kind, SLUICE_KIND_CONVERTER);
        if (strcmp(d->components[n]->class_name, "org.apache.kafka.connect.json.JsonConverter") ==
            0) {
            json = d->components[n];
        }
    }
    assert_int_equal(n, 3);
    assert_non_null(json);
    static const char *keys[] = {"schemas.enable", "schemas.cache.size", "decimal.format",
                                 "replace.null.with.default"};
    static const char *defaults[] = {"true", "1000", "BASE64", "true"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(json->config_defs[i].name, keys[i]);
        assert_string_equal(json->config_defs[i].default_value, defaults[i]);
    }
    assert_null(json->config_defs[4].name);
}

static void test_catalog_finds_converters_by_java_and_simple_names(void **state)
{
    assert_non_null(
        sl_catalog_find(SLUICE_KIND_CONVERTER, "org.apache.kafka.connect.json.JsonConverter"));
    assert_non_null(sl_catalog_find(SLUICE_KIND_CONVERTER, "JsonConverter"));
    assert_non_null(
        sl_catalog_find(SLUICE_KIND_CONVERTER, "org.apache.kafka.connect.storage.StringConverter"));
    assert_non_null(sl_catalog_find(SLUICE_KIND_CONVERTER,
                                    "org.apache.kafka.connect.converters.ByteArrayConverter"));
}

static void test_connector_converter_overrides_worker_with_its_own_prefix_keys(void **state)
{
    sl_props *worker = sl_props_new();
    sl_props_set(worker, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    sl_props_set(worker, "value.converter.schemas.enable", "false");
    sl_props_set(worker, "key.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props *conn = sl_props_new();
    sl_props_set(conn, "value.converter", "JsonConverter");
    char err[512] = "";
    /* value: the connector's JsonConverter with default schemas.enable=true (worker keys unused) */
    sl_converter *vc = sl_converter_new(conn, worker, false, "c1", 0, err, sizeof(err));
    if (vc == NULL) {
        fail_msg("%s", err);
    }
    assert_string_equal(sl_converter_class(vc), "org.apache.kafka.connect.json.JsonConverter");
    sl_arena *a = sl_arena_new(0);
    const sl_schema *s;
    const sl_value *v;
    const char *plain = "{\"a\":1}";
    assert_int_equal(
        sl_converter_to_connect(vc, a, "t", plain, strlen(plain), &s, &v, err, sizeof(err)),
        SLUICE_ERR);
    assert_non_null(strstr(err, "JsonConverter with schemas.enable requires"));
    /* key: from the worker */
    sl_converter *kc = sl_converter_new(conn, worker, true, "c1", 0, err, sizeof(err));
    assert_non_null(kc);
    assert_string_equal(sl_converter_class(kc), "org.apache.kafka.connect.storage.StringConverter");
    assert_int_equal(sl_converter_to_connect(kc, a, "t", "k1", 2, &s, &v, err, sizeof(err)),
                     SLUICE_OK);
    assert_string_equal(v->u.s.p, "k1");
    assert_int_equal(s->type, SLUICE_TYPE_STRING);
    assert_true(s->optional);
    sl_converter_free(kc);
    sl_converter_free(vc);

    /* the worker's JsonConverter with its schemas.enable=false */
    sl_converter *wc = sl_converter_new(NULL, worker, false, "c1", 0, err, sizeof(err));
    assert_non_null(wc);
    assert_int_equal(
        sl_converter_to_connect(wc, a, "t", plain, strlen(plain), &s, &v, err, sizeof(err)),
        SLUICE_OK);
    assert_null(s);
    assert_int_equal(sl_value_get(v, "a")->u.i, 1);
    sl_buf out = SL_BUF_INIT;
    bool is_null = true;
    assert_int_equal(sl_converter_from_connect(wc, "t", NULL, v, &out, &is_null, err, sizeof(err)),
                     SLUICE_OK);
    assert_false(is_null);
    assert_string_equal(out.data, "{\"a\":1}");
    sl_buf_free(&out);
    sl_converter_free(wc);
    sl_arena_destroy(a);
    sl_props_free(worker);
    sl_props_free(conn);
}

static void test_converter_results_live_in_the_given_batch_arena(void **state)
{
    sl_props *worker = sl_props_new();
    sl_props_set(worker, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    char err[256];
    sl_converter *c = sl_converter_new(NULL, worker, false, "c", 1, err, sizeof(err));
    assert_non_null(c);
    sl_arena *a = sl_arena_new(0);
    size_t before = sl_arena_bytes(a);
    const sl_schema *s;
    const sl_value *v;
    const char *t = "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":\"hello\"}";
    assert_int_equal(sl_converter_to_connect(c, a, "t", t, strlen(t), &s, &v, err, sizeof(err)),
                     SLUICE_OK);
    assert_string_equal(v->u.s.p, "hello");
    assert_true(sl_arena_bytes(a) >= before);
    /* tombstone */
    assert_int_equal(sl_converter_to_connect(c, a, "t", NULL, 0, &s, &v, err, sizeof(err)),
                     SLUICE_OK);
    assert_null(s);
    assert_null(v);
    sl_converter_free(c);
    sl_arena_destroy(a);
    sl_props_free(worker);
}

static void test_decimal_format_numeric_from_instance_config(void **state)
{
    sl_props *worker = sl_props_new();
    sl_props_set(worker, "value.converter", "JsonConverter");
    sl_props_set(worker, "value.converter.decimal.format", "NUMERIC");
    char err[256];
    sl_converter *c = sl_converter_new(NULL, worker, false, NULL, -1, err, sizeof(err));
    assert_non_null(c);
    sl_arena *a = sl_arena_new(0);
    sl_schema *d =
        sl_schema_new(a, SLUICE_TYPE_BYTES, false, "org.apache.kafka.connect.data.Decimal");
    sl_schema_set_param(a, d, "scale", "2");
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    assert_int_equal(sl_converter_from_connect(c, "t", d, sl_value_new_bytes(a, d, "\x00\xde", 2),
                                               &out, &is_null, err, sizeof(err)),
                     SLUICE_OK);
    assert_string_equal(out.data, "{\"schema\":{\"type\":\"bytes\",\"optional\":false,\"name\":"
                                  "\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{"
                                  "\"scale\":\"2\"}},\"payload\":2.22}");
    sl_buf_free(&out);
    sl_converter_free(c);
    sl_arena_destroy(a);
    sl_props_free(worker);
}

static void test_unknown_or_missing_converter_class_is_an_error(void **state)
{
    sl_props *worker = sl_props_new();
    char err[256] = "";
    assert_null(sl_converter_new(NULL, worker, true, "c", 0, err, sizeof(err)));
    assert_non_null(strstr(err, "key.converter"));
    sl_props_set(worker, "value.converter", "com.example.NoSuchConverter");
    assert_null(sl_converter_new(NULL, worker, false, "c", 0, err, sizeof(err)));
    assert_non_null(strstr(err, "com.example.NoSuchConverter"));
    sl_props_set(worker, "value.converter", "JsonConverter");
    sl_props_set(worker, "value.converter.decimal.format", "HEX");
    assert_null(sl_converter_new(NULL, worker, false, "c", 0, err, sizeof(err)));
    assert_non_null(strstr(err, "decimal.format"));
    sl_props_free(worker);
}

static void test_string_converter_round_trips_and_keeps_nulls(void **state)
{
    sl_arena *a = sl_arena_new(0);
    const sl_schema *s;
    const sl_value *v;
    assert_int_equal(sl_stringconv_to_connect(a, "h\xc3\xa9", 3, &s, &v), 0);
    assert_string_equal(v->u.s.p, "h\xc3\xa9");
    sl_buf out = SL_BUF_INIT;
    bool is_null = true;
    char err[64];
    assert_int_equal(sl_stringconv_from_connect(s, v, &out, &is_null, err, sizeof(err)), 0);
    assert_false(is_null);
    assert_string_equal(out.data, "h\xc3\xa9");
    assert_int_equal(sl_stringconv_to_connect(a, NULL, 0, &s, &v), 0);
    assert_null(v);
    assert_int_equal(s->type, SLUICE_TYPE_STRING);
    assert_int_equal(sl_stringconv_from_connect(s, NULL, &out, &is_null, err, sizeof(err)), 0);
    assert_true(is_null);
    sl_buf_free(&out);
    sl_arena_destroy(a);
}

static void test_bytearray_converter_passes_bytes_and_rejects_other_schemas(void **state)
{
    sl_arena *a = sl_arena_new(0);
    const sl_schema *s;
    const sl_value *v;
    assert_int_equal(sl_bytesconv_to_connect(a, "\x00\x01\x02", 3, &s, &v), 0);
    assert_int_equal(v->type, SLUICE_TYPE_BYTES);
    assert_int_equal(v->u.s.len, 3);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[128] = "";
    assert_int_equal(sl_bytesconv_from_connect(s, v, &out, &is_null, err, sizeof(err)), 0);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "\x00\x01\x02", 3);
    assert_int_equal(sl_bytesconv_from_connect(sl_schema_primitive(SLUICE_TYPE_STRING, false), v,
                                               &out, &is_null, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "Invalid schema type for ByteArrayConverter: STRING");
    sl_buf_free(&out);
    sl_arena_destroy(a);
}

static void test_header_values_are_strings_bytes_or_null(void **state)
{
    sl_arena *a = sl_arena_new(0);
    assert_null(sl_header_to_connect(a, NULL, 0));
    const sl_value *v = sl_header_to_connect(a, "abc", 3);
    assert_int_equal(v->type, SLUICE_TYPE_STRING);
    assert_string_equal(v->u.s.p, "abc");
    v = sl_header_to_connect(a, "\xff\xfe", 2);
    assert_int_equal(v->type, SLUICE_TYPE_BYTES);
    v = sl_header_to_connect(a, "\xc3", 1); /* truncated UTF-8 sequence */
    assert_int_equal(v->type, SLUICE_TYPE_BYTES);
    v = sl_header_to_connect(a, "", 0);
    assert_int_equal(v->type, SLUICE_TYPE_STRING);
    assert_int_equal(v->u.s.len, 0);
    sl_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_descriptor_lists_three_converters_with_config_defs),
        cmocka_unit_test(test_catalog_finds_converters_by_java_and_simple_names),
        cmocka_unit_test(test_connector_converter_overrides_worker_with_its_own_prefix_keys),
        cmocka_unit_test(test_converter_results_live_in_the_given_batch_arena),
        cmocka_unit_test(test_decimal_format_numeric_from_instance_config),
        cmocka_unit_test(test_unknown_or_missing_converter_class_is_an_error),
        cmocka_unit_test(test_string_converter_round_trips_and_keeps_nulls),
        cmocka_unit_test(test_bytearray_converter_passes_bytes_and_rejects_other_schemas),
        cmocka_unit_test(test_header_values_are_strings_bytes_or_null),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
