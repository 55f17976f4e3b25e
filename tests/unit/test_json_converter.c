/*
 * test_json_converter.c — JsonConverter: Java's exact bytes, round trips for every type and
 * logical type, the Debezium fixtures, the schema cache, and errors for malformed input
 * (never a crash). jansson is used here only to split fixture lines into key/value texts.
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

#include "converters/json_converter.h"
#include "data/value.h"

#ifndef SL_TEST_DATA_DIR
#define SL_TEST_DATA_DIR "tests/data"
#endif

/* ---- helpers ---- */

static char *read_data_file(const char *rel, size_t *len)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : SL_TEST_DATA_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

static sl_jsonconv *new_conv(bool schemas, bool numeric)
{
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    o.schemas_enable = schemas;
    o.decimal_numeric = numeric;
    return sl_jsonconv_new(&o);
}

/* The schema and value of connect-internals.md §8's example. */
static const sl_schema *order_schema(sl_arena *a)
{
    sl_schema *s = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "com.example.Order");
    sl_schema_add_field(a, s, "id", sl_schema_primitive(SLUICE_TYPE_INT32, false));
    sl_schema_add_field(a, s, "name", sl_schema_primitive(SLUICE_TYPE_STRING, true));
    sl_schema *dec =
        sl_schema_new(a, SLUICE_TYPE_BYTES, true, "org.apache.kafka.connect.data.Decimal");
    dec->version = 1;
    sl_schema_set_param(a, dec, "scale", "2");
    sl_schema_add_field(a, s, "amount", dec);
    sl_schema *ts =
        sl_schema_new(a, SLUICE_TYPE_INT64, false, "org.apache.kafka.connect.data.Timestamp");
    ts->version = 1;
    sl_schema_add_field(a, s, "ts", ts);
    sl_schema *m = sl_schema_new(a, SLUICE_TYPE_MAP, true, NULL);
    m->keys = sl_schema_primitive(SLUICE_TYPE_STRING, false);
    m->values = sl_schema_primitive(SLUICE_TYPE_INT64, false);
    sl_schema_add_field(a, s, "tags", m);
    return s;
}

static const sl_value *order_value(sl_arena *a, const sl_schema *s)
{
    sl_value *v = sl_value_new_struct(a, s);
    const sl_value **it = v->u.arr.items;
    it[0] = sl_value_new_int(a, s->fields[0].schema, SLUICE_TYPE_INT32, 1);
    it[1] = sl_value_new_string(a, s->fields[1].schema, "x", 1);
    static const unsigned char unscaled[] = {0x00, 0xDE};
    it[2] = sl_value_new_bytes(a, s->fields[2].schema, unscaled, 2);
    it[3] = sl_value_new_int(a, s->fields[3].schema, SLUICE_TYPE_INT64, 1700000000000LL);
    sl_value *m = sl_value_new_map(a, s->fields[4].schema, 1);
    m->u.map.keys[0] = sl_value_new_string(a, s->fields[4].schema->keys, "a", 1);
    m->u.map.vals[0] = sl_value_new_int(a, s->fields[4].schema->values, SLUICE_TYPE_INT64, 1);
    it[4] = m;
    return v;
}

static void decimal_text_of(const sl_value *v, int32_t scale, char *out, size_t cap)
{
    assert_non_null(v);
    assert_int_equal(v->type, SLUICE_TYPE_BYTES);
    sl_buf b = SL_BUF_INIT;
    sl_decimal_to_text((const unsigned char *)v->u.s.p, v->u.s.len, scale, &b);
    snprintf(out, cap, "%s", b.data);
    sl_buf_free(&b);
}

/* Decode text with an envelope converter; asserts success. */
static void decode_ok(sl_jsonconv *c, sl_arena *a, const char *text, size_t len,
                      const sl_schema **s, const sl_value **v)
{
    char err[512] = "";
    int rc = sl_jsonconv_to_connect(c, a, text, len, s, v, err, sizeof(err));
    if (rc != 0) {
        fail_msg("decode failed: %s", err);
    }
}

/* ---- writing: Java's bytes ---- */

static void test_from_connect_java_example_matches_golden_bytes(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const sl_schema *s = order_schema(a);
    sl_buf out = SL_BUF_INIT;
    bool is_null = true;
    char err[256];
    assert_int_equal(
        sl_jsonconv_from_connect(c, s, order_value(a, s), &out, &is_null, err, sizeof(err)), 0);
    assert_false(is_null);
    size_t len;
    char *golden = read_data_file("json/order_example.json", &len);
    assert_string_equal(out.data, golden);
    free(golden);
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_from_connect_numeric_decimal_writes_number(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, true);
    const sl_schema *s = order_schema(a);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[256];
    assert_int_equal(
        sl_jsonconv_from_connect(c, s, order_value(a, s), &out, &is_null, err, sizeof(err)), 0);
    size_t len;
    char *golden = read_data_file("json/order_example_numeric.json", &len);
    assert_string_equal(out.data, golden);
    free(golden);
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_from_connect_schemas_disabled_writes_payload_only(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(false, false);
    const sl_schema *s = order_schema(a);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[256];
    assert_int_equal(
        sl_jsonconv_from_connect(c, s, order_value(a, s), &out, &is_null, err, sizeof(err)), 0);
    size_t len;
    char *golden = read_data_file("json/order_example_schemaless.json", &len);
    assert_string_equal(out.data, golden);
    free(golden);
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_from_connect_null_schema_and_value_is_kafka_null(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    sl_buf out = SL_BUF_INIT;
    bool is_null = false;
    char err[64];
    assert_int_equal(sl_jsonconv_from_connect(c, NULL, NULL, &out, &is_null, err, sizeof(err)), 0);
    assert_true(is_null);
    assert_int_equal(out.len, 0);
    sl_jsonconv_free(c);
}

static void test_from_connect_null_value_with_optional_schema_writes_null_payload(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    sl_buf out = SL_BUF_INIT;
    bool is_null = true;
    char err[64];
    assert_int_equal(sl_jsonconv_from_connect(c, sl_schema_primitive(SLUICE_TYPE_STRING, true),
                                              NULL, &out, &is_null, err, sizeof(err)),
                     0);
    assert_false(is_null);
    assert_string_equal(out.data, "{\"schema\":{\"type\":\"string\",\"optional\":true},"
                                  "\"payload\":null}");
    sl_buf_free(&out);
    sl_jsonconv_free(c);
}

static void test_from_connect_null_for_required_schema_is_an_error(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[256] = "";
    assert_int_equal(sl_jsonconv_from_connect(c, sl_schema_primitive(SLUICE_TYPE_INT32, false),
                                              NULL, &out, &is_null, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "null value for field that is required"));
    assert_int_equal(out.len, 0);
    sl_buf_free(&out);
    sl_jsonconv_free(c);
}

static void test_from_connect_non_string_map_keys_use_tuple_arrays(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    sl_schema *m = sl_schema_new(a, SLUICE_TYPE_MAP, false, NULL);
    m->keys = sl_schema_primitive(SLUICE_TYPE_INT32, false);
    m->values = sl_schema_primitive(SLUICE_TYPE_BOOLEAN, false);
    sl_value *v = sl_value_new_map(a, m, 2);
    v->u.map.keys[0] = sl_value_new_int(a, m->keys, SLUICE_TYPE_INT32, 1);
    v->u.map.vals[0] = sl_value_new_bool(a, m->values, true);
    v->u.map.keys[1] = sl_value_new_int(a, m->keys, SLUICE_TYPE_INT32, -2);
    v->u.map.vals[1] = sl_value_new_bool(a, m->values, false);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[64];
    assert_int_equal(sl_jsonconv_from_connect(c, m, v, &out, &is_null, err, sizeof(err)), 0);
    assert_string_equal(out.data,
                        "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\",\"optional\":"
                        "false},\"values\":{\"type\":\"boolean\",\"optional\":false},\"optional\":"
                        "false},\"payload\":[[1,true],[-2,false]]}");
    /* and it reads back */
    const sl_schema *rs;
    const sl_value *rv;
    decode_ok(c, a, out.data, out.len, &rs, &rv);
    assert_true(sl_schema_equal(rs, m));
    assert_true(sl_value_equal(rv, v));
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_from_connect_writes_doc_parameters_and_default_in_java_order(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    sl_schema *st = sl_schema_new(a, SLUICE_TYPE_STRUCT, true, "n");
    sl_schema *f = sl_schema_new(a, SLUICE_TYPE_STRING, true, "io.debezium.data.Enum");
    f->version = 1;
    f->doc = "d\"q";
    sl_schema_set_param(a, f, "allowed", "true,false");
    f->has_default = 1;
    f->def = sl_value_new_string(a, f, "false", 5);
    sl_schema_add_field(a, st, "snapshot", f);
    st->version = 2;
    sl_value *v = sl_value_new_struct(a, st); /* snapshot null → written as its default */
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[64];
    assert_int_equal(sl_jsonconv_from_connect(c, st, v, &out, &is_null, err, sizeof(err)), 0);
    assert_string_equal(out.data,
                        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\","
                        "\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                        "\"doc\":\"d\\\"q\",\"parameters\":{\"allowed\":\"true,false\"},"
                        "\"default\":\"false\",\"field\":\"snapshot\"}],\"optional\":true,"
                        "\"name\":\"n\",\"version\":2},\"payload\":{\"snapshot\":\"false\"}}");
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

/* ---- round trips ---- */

static void test_java_example_round_trips_through_decoder(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    size_t len;
    char *golden = read_data_file("json/order_example.json", &len);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, golden, len, &s, &v);
    const sl_schema *want = order_schema(a);
    assert_true(sl_schema_equal(s, want));
    assert_true(sl_value_equal(v, order_value(a, want)));
    assert_int_equal(s->fields[2].schema->logical, SLUICE_LOGICAL_DECIMAL);
    assert_int_equal(s->fields[2].schema->scale, 2);
    assert_int_equal(s->fields[3].schema->logical, SLUICE_LOGICAL_TIMESTAMP);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[64];
    assert_int_equal(sl_jsonconv_from_connect(c, s, v, &out, &is_null, err, sizeof(err)), 0);
    assert_string_equal(out.data, golden);
    sl_buf_free(&out);
    free(golden);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_numeric_golden_reads_as_same_decimal(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    size_t len;
    char *text = read_data_file("json/order_example_numeric.json", &len);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, len, &s, &v);
    char dec[64];
    decimal_text_of(sl_value_get(v, "amount"), 2, dec, sizeof(dec));
    assert_string_equal(dec, "2.22");
    assert_true(sl_value_equal(v, order_value(a, s)));
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_every_type_and_logical_type_round_trips(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *s = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "all.Types");
    static const char *names[] = {"i8", "i16", "i32", "i64", "f32", "f64", "b", "s", "by"};
    for (int t = SLUICE_TYPE_INT8; t <= SLUICE_TYPE_BYTES; t++) {
        sl_schema_add_field(a, s, names[t - 1], sl_schema_primitive(t, t % 2 == 0));
    }
    sl_schema *arr = sl_schema_new(a, SLUICE_TYPE_ARRAY, true, NULL);
    arr->items = sl_schema_primitive(SLUICE_TYPE_STRING, true);
    sl_schema_add_field(a, s, "arr", arr);
    sl_schema *map = sl_schema_new(a, SLUICE_TYPE_MAP, false, NULL);
    map->keys = sl_schema_primitive(SLUICE_TYPE_STRING, false);
    map->values = sl_schema_primitive(SLUICE_TYPE_FLOAT64, false);
    sl_schema_add_field(a, s, "map", map);
    sl_schema *dec =
        sl_schema_new(a, SLUICE_TYPE_BYTES, false, "org.apache.kafka.connect.data.Decimal");
    dec->version = 1;
    sl_schema_set_param(a, dec, "scale", "3");
    sl_schema_add_field(a, s, "dec", dec);
    sl_schema *date =
        sl_schema_new(a, SLUICE_TYPE_INT32, false, "org.apache.kafka.connect.data.Date");
    date->version = 1;
    sl_schema_add_field(a, s, "date", date);
    sl_schema *time =
        sl_schema_new(a, SLUICE_TYPE_INT32, false, "org.apache.kafka.connect.data.Time");
    time->version = 1;
    sl_schema_add_field(a, s, "time", time);
    sl_schema *ts =
        sl_schema_new(a, SLUICE_TYPE_INT64, true, "org.apache.kafka.connect.data.Timestamp");
    ts->version = 1;
    sl_schema_add_field(a, s, "ts", ts);
    sl_schema *inner = sl_schema_new(a, SLUICE_TYPE_STRUCT, true, "inner");
    sl_schema_add_field(a, inner, "x", sl_schema_primitive(SLUICE_TYPE_INT64, false));
    sl_schema_add_field(a, s, "inner", inner);

    sl_value *v = sl_value_new_struct(a, s);
    const sl_value **it = v->u.arr.items;
    it[0] = sl_value_new_int(a, s->fields[0].schema, SLUICE_TYPE_INT8, -128);
    it[1] = sl_value_new_int(a, s->fields[1].schema, SLUICE_TYPE_INT16, 32767);
    it[2] = sl_value_new_int(a, s->fields[2].schema, SLUICE_TYPE_INT32, -2147483647 - 1);
    it[3] = sl_value_new_int(a, s->fields[3].schema, SLUICE_TYPE_INT64, 1773500000050417250LL);
    it[4] = sl_value_new_double(a, s->fields[4].schema, SLUICE_TYPE_FLOAT32, (double)3.14f);
    it[5] = sl_value_new_double(a, s->fields[5].schema, SLUICE_TYPE_FLOAT64, 1e-9);
    it[6] = sl_value_new_bool(a, s->fields[6].schema, true);
    it[7] = sl_value_new_string(a, s->fields[7].schema, "h\xc3\xa9\"\\\n\x01", 7);
    it[8] = sl_value_new_bytes(a, s->fields[8].schema, "\x00\xff\x10", 3);
    sl_value *av = sl_value_new_array(a, arr, 3);
    av->u.arr.items[0] = sl_value_new_string(a, arr->items, "a", 1);
    av->u.arr.items[1] = NULL;
    av->u.arr.items[2] = sl_value_new_string(a, arr->items, "", 0);
    it[9] = av;
    sl_value *mv = sl_value_new_map(a, map, 1);
    mv->u.map.keys[0] = sl_value_new_string(a, map->keys, "k", 1);
    mv->u.map.vals[0] = sl_value_new_double(a, map->values, SLUICE_TYPE_FLOAT64, 1e21);
    it[10] = mv;
    static const unsigned char neg[] = {0xFC, 0x1D}; /* -995 → -0.995 */
    it[11] = sl_value_new_bytes(a, dec, neg, 2);
    it[12] = sl_value_new_int(a, date, SLUICE_TYPE_INT32, 20526);
    it[13] = sl_value_new_int(a, time, SLUICE_TYPE_INT32, 52215123);
    it[14] = NULL;
    sl_value *iv = sl_value_new_struct(a, inner);
    iv->u.arr.items[0] = sl_value_new_int(a, inner->fields[0].schema, SLUICE_TYPE_INT64, 7);
    it[15] = iv;

    for (int numeric = 0; numeric <= 1; numeric++) {
        sl_jsonconv *c = new_conv(true, numeric);
        sl_buf out = SL_BUF_INIT;
        bool is_null;
        char err[256];
        assert_int_equal(sl_jsonconv_from_connect(c, s, v, &out, &is_null, err, sizeof(err)), 0);
        assert_non_null(strstr(out.data, numeric ? "\"dec\":-0.995" : "\"dec\":\"/B0=\""));
        assert_non_null(strstr(out.data, "\"f32\":3.14,"));
        assert_non_null(strstr(out.data, "\"f64\":1.0E-9,"));
        assert_non_null(strstr(out.data, "\"s\":\"h\xc3\xa9\\\"\\\\\\n\\u0001\""));
        const sl_schema *rs;
        const sl_value *rv;
        decode_ok(c, a, out.data, out.len, &rs, &rv);
        assert_true(sl_schema_equal(rs, s));
        assert_true(sl_value_equal(rv, v));
        /* writing what was read gives the same bytes */
        sl_buf again = SL_BUF_INIT;
        assert_int_equal(sl_jsonconv_from_connect(c, rs, rv, &again, &is_null, err, sizeof(err)),
                         0);
        assert_string_equal(again.data, out.data);
        sl_buf_free(&again);
        sl_buf_free(&out);
        sl_jsonconv_free(c);
    }
    sl_arena_destroy(a);
}

/* ---- reading ---- */

static void test_to_connect_tombstone_is_null_schema_and_value(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const sl_schema *s = (const sl_schema *)1;
    const sl_value *v = (const sl_value *)1;
    char err[64];
    assert_int_equal(sl_jsonconv_to_connect(c, a, NULL, 0, &s, &v, err, sizeof(err)), 0);
    assert_null(s);
    assert_null(v);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_to_connect_null_schema_reads_payload_schemaless(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const char *text = "{\"schema\":null,\"payload\":{\"a\":[1,2.5,\"x\",null,true],\"b\":{}}}";
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, strlen(text), &s, &v);
    assert_null(s);
    assert_int_equal(v->type, SLUICE_TYPE_MAP);
    const sl_value *arr = sl_value_get(v, "a");
    assert_int_equal(arr->type, SLUICE_TYPE_ARRAY);
    assert_int_equal(arr->u.arr.n, 5);
    assert_int_equal(arr->u.arr.items[0]->type, SLUICE_TYPE_INT64);
    assert_int_equal(arr->u.arr.items[1]->type, SLUICE_TYPE_FLOAT64);
    assert_null(arr->u.arr.items[3]);
    sl_buf out = SL_BUF_INIT;
    sl_value_to_json(v, &out);
    assert_string_equal(out.data, "{\"a\":[1,2.5,\"x\",null,true],\"b\":{}}");
    sl_buf_free(&out);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_to_connect_schemas_disabled_reads_plain_json(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(false, false);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, "42", 2, &s, &v);
    assert_null(s);
    assert_int_equal(v->type, SLUICE_TYPE_INT64);
    assert_int_equal(v->u.i, 42);
    decode_ok(c, a, " \"x\" ", 5, &s, &v);
    assert_string_equal(v->u.s.p, "x");
    decode_ok(c, a, "null", 4, &s, &v);
    assert_null(v);
    const char *looks_like_envelope = "{\"schema\":1,\"payload\":2,\"x\":3}";
    decode_ok(c, a, looks_like_envelope, strlen(looks_like_envelope), &s, &v);
    assert_int_equal(v->u.map.n, 3);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static const char envelope_error[] =
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
    "contain additional fields. If you are trying to deserialize plain JSON data, set "
    "schemas.enable=false in your converter configuration.";

static void expect_error(sl_jsonconv *c, const char *text, const char *needle)
{
    sl_arena *a = sl_arena_new(0);
    const sl_schema *s = (const sl_schema *)1;
    const sl_value *v = (const sl_value *)1;
    char err[512] = "";
    int rc = sl_jsonconv_to_connect(c, a, text, strlen(text), &s, &v, err, sizeof(err));
    if (rc != -1) {
        fail_msg("expected an error for %s", text);
    }
    assert_null(s);
    assert_null(v);
    if (strstr(err, needle) == NULL) {
        fail_msg("error \"%s\" does not contain \"%s\"", err, needle);
    }
    sl_arena_destroy(a);
}

static void test_to_connect_envelope_needs_exactly_schema_and_payload(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    expect_error(c, "{\"schema\":null,\"payload\":1,\"extra\":2}", envelope_error);
    expect_error(c, "{\"schema\":null}", envelope_error);
    expect_error(c, "{\"payload\":1}", envelope_error);
    expect_error(c, "{\"id\":1,\"name\":\"x\"}", envelope_error);
    expect_error(c, "[1,2]", envelope_error);
    expect_error(c, "17", envelope_error);
    sl_jsonconv_free(c);
}

static void test_to_connect_payload_before_schema_is_accepted(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const char *text =
        "{\"payload\":{\"x\":5},\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":"
        "\"int16\",\"optional\":false,\"field\":\"x\"}],\"optional\":false}}";
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, strlen(text), &s, &v);
    assert_int_equal(s->fields[0].schema->type, SLUICE_TYPE_INT16);
    assert_int_equal(sl_value_get(v, "x")->u.i, 5);
    const char *scalar = "{\"payload\":\"s\",\"schema\":{\"type\":\"string\"}}";
    decode_ok(c, a, scalar, strlen(scalar), &s, &v);
    assert_string_equal(v->u.s.p, "s");
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_to_connect_malformed_json_reports_serialization_error(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    expect_error(c, "{\"schema\":null,\"payload\":", "serialization error");
    expect_error(c, "{\"schema\":null,\"payload\":[1,2", "serialization error");
    expect_error(c, "{\"schema\":null,\"payload\":\"abc", "serialization error");
    expect_error(c, "", "serialization error");
    expect_error(c, "{\"schema\":{\"type\":\"int32\"},\"payload\":tru}", "");
    sl_jsonconv_free(c);
    sl_jsonconv *plain = new_conv(false, false);
    expect_error(plain, "{\"a\":", "serialization error");
    expect_error(plain, "nul", "serialization error");
    sl_jsonconv_free(plain);
}

/* Found by tests/fuzz: 50,000 '[' overflowed the task thread's stack and killed the worker. */
static void test_to_connect_deeply_nested_document_is_refused_not_recursed(void **state)
{
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    deep[depth] = '\0';
    sl_jsonconv *plain = new_conv(false, false);
    expect_error(plain, deep, ""); /* unbalanced: any clean error */
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    expect_error(plain, deep, "nesting depth");
    sl_jsonconv *withschema = new_conv(true, false);
    const char *prefix = "{\"schema\":null,\"payload\":";
    char *env = malloc(strlen(prefix) + 2 * depth + 2);
    snprintf(env, strlen(prefix) + 2 * depth + 2, "%s%s}", prefix, deep);
    expect_error(withschema, env, "nesting depth");
    /* A document just inside the limit still decodes. */
    size_t ok_depth = 900;
    char *ok = malloc(2 * ok_depth + 1);
    memset(ok, '[', ok_depth);
    memset(ok + ok_depth, ']', ok_depth);
    ok[2 * ok_depth] = '\0';
    sl_arena *a = sl_arena_new(0);
    const sl_schema *sch = NULL;
    const sl_value *v = NULL;
    char err[512] = "";
    assert_int_equal(sl_jsonconv_to_connect(plain, a, ok, strlen(ok), &sch, &v, err, sizeof(err)), 0);
    assert_int_equal(v->type, SLUICE_TYPE_ARRAY);
    sl_arena_destroy(a);
    sl_jsonconv_free(plain);
    sl_jsonconv_free(withschema);
    free(deep);
    free(env);
    free(ok);
}

/* Found by tests/fuzz: a bad element inside a map tuple failed with an empty message. */
static void test_to_connect_bad_map_tuple_element_has_a_message(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    expect_error(c,
                 "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},"
                 "\"values\":{\"type\":\"string\"}},\"payload\":[[2:null]]}",
                 "serialization error");
    sl_jsonconv_free(c);
}

static void test_to_connect_every_truncation_of_debezium_event_fails_cleanly(void **state)
{
    size_t len;
    char *text = read_data_file("debezium/06_synthetic_postgres_orders_logical_types.jsonl", &len);
    json_t *line = json_loadb(text, strchr(text, '\n') - text, 0, NULL);
    assert_non_null(line);
    char *value = json_dumps(json_object_get(line, "value"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t vlen = strlen(value);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    for (size_t n = 0; n < vlen; n++) {
        const sl_schema *s;
        const sl_value *v;
        char err[512];
        /* a heap copy of exactly n bytes, so ASan catches any read past the end */
        char *cut = malloc(n ? n : 1);
        memcpy(cut, value, n);
        int rc = sl_jsonconv_to_connect(c, a, cut, n, &s, &v, err, sizeof(err));
        free(cut);
        if (rc == 0) {
            fail_msg("truncation at %zu of %zu decoded", n, vlen);
        }
        sl_arena_reset(a);
    }
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, value, vlen, &s, &v);
    free(value);
    json_decref(line);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_to_connect_byte_mutations_never_crash(void **state)
{
    size_t len;
    char *text = read_data_file("json/order_example.json", &len);
    static const char subst[] = {'"', '{', '}', '[', ']', ',', ':', '\\', '0', 'n', ' ', '\0'};
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    sl_jsonconv *plain = new_conv(false, false);
    int ok = 0, failed = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof(subst); k++) {
            char *m = malloc(len);
            memcpy(m, text, len);
            m[i] = subst[k];
            const sl_schema *s;
            const sl_value *v;
            char err[512];
            int rc = sl_jsonconv_to_connect(c, a, m, len, &s, &v, err, sizeof(err));
            rc == 0 ? ok++ : failed++;
            if (rc != 0) {
                assert_true(err[0] != '\0');
            }
            rc = sl_jsonconv_to_connect(plain, a, m, len, &s, &v, err, sizeof(err));
            free(m);
            sl_arena_reset(a);
        }
    }
    /* some substitutions are harmless (e.g. inside strings), most are errors */
    assert_true(ok > 0);
    assert_true(failed > 0);
    free(text);
    sl_jsonconv_free(c);
    sl_jsonconv_free(plain);
    sl_arena_destroy(a);
}

static void test_to_connect_wrong_types_against_schema_are_errors(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    expect_error(c, "{\"schema\":{\"type\":\"int32\"},\"payload\":\"7\"}", "INT32");
    expect_error(c, "{\"schema\":{\"type\":\"int8\"},\"payload\":300}", "out of range");
    expect_error(c, "{\"schema\":{\"type\":\"int64\"},\"payload\":18446744073709551615}", "INT64");
    expect_error(c, "{\"schema\":{\"type\":\"string\"},\"payload\":1}", "STRING");
    expect_error(c, "{\"schema\":{\"type\":\"boolean\"},\"payload\":0}", "BOOLEAN");
    expect_error(c, "{\"schema\":{\"type\":\"bytes\"},\"payload\":\"not base64!\"}",
                 "Invalid bytes field");
    expect_error(c, "{\"schema\":{\"type\":\"double\"},\"payload\":[1]}", "FLOAT64");
    expect_error(c, "{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":[]}",
                 "Structs should be encoded as JSON objects, but found ARRAY");
    expect_error(c,
                 "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"int32\"}},\"payload\":{}}",
                 "Arrays should be encoded as JSON arrays");
    expect_error(
        c,
        "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":"
        "\"int32\"}},\"payload\":[]}",
        "Maps with string fields should be encoded as JSON objects");
    expect_error(c,
                 "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":"
                 "\"int32\"}},\"payload\":[[1,2,3]]}",
                 "Found invalid map entry instead of array tuple");
    expect_error(c, "{\"schema\":{\"type\":\"int32\"},\"payload\":null}",
                 "Invalid null value for required INT32 field");
    expect_error(
        c,
        "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\","
        "\"parameters\":{\"scale\":\"1\"}},\"payload\":1.25}",
        "Invalid decimal 1.25");
    sl_jsonconv_free(c);
}

static void test_to_connect_bad_schemas_are_errors(void **state)
{
    sl_jsonconv *c = new_conv(true, false);
    expect_error(c, "{\"schema\":{},\"payload\":1}", "Schema must contain 'type' field");
    expect_error(c, "{\"schema\":\"int32\",\"payload\":1}", "Schema must contain 'type' field");
    expect_error(c, "{\"schema\":{\"type\":\"int128\"},\"payload\":1}",
                 "Unknown schema type: int128");
    expect_error(c, "{\"schema\":{\"type\":\"array\"},\"payload\":[]}",
                 "Array schema did not specify the element type");
    expect_error(c, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"}},\"payload\":{}}",
                 "Map schema did not specify the value type");
    expect_error(c, "{\"schema\":{\"type\":\"struct\",\"fields\":{}},\"payload\":{}}",
                 "Struct schema's \"fields\" argument is not an array.");
    expect_error(
        c, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\"}]},\"payload\":{}}",
        "Struct schema's field name not specified properly");
    expect_error(c, "{\"schema\":{\"type\":\"string\",\"parameters\":{\"a\":1}},\"payload\":\"\"}",
                 "Schema parameters must have string values.");
    sl_jsonconv_free(c);
}

static void test_to_connect_missing_field_uses_default_or_fails_when_required(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const char *text =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":true,"
        "\"default\":\"false\",\"field\":\"snap\"},{\"type\":\"int32\",\"optional\":true,"
        "\"field\":\"o\"}]},\"payload\":{\"snap\":null,\"unknown\":[1,{\"z\":2}]}}";
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, strlen(text), &s, &v);
    assert_string_equal(sl_value_get(v, "snap")->u.s.p, "false");
    assert_null(sl_value_get(v, "o"));
    expect_error(c,
                 "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":"
                 "false,\"field\":\"id\"}]},\"payload\":{}}",
                 "Invalid null value for required INT32 field");
    sl_jsonconv_free(c);

    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    o.replace_null = false;
    c = sl_jsonconv_new(&o);
    decode_ok(c, a, text, strlen(text), &s, &v);
    assert_null(sl_value_get(v, "snap"));
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_schema_is_parsed_once_and_cached_by_its_bytes(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const char *t1 = "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":1}";
    const char *t2 = "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":2}";
    const char *t3 = "{\"schema\":{\"type\":\"int32\",\"optional\":true},\"payload\":3}";
    const sl_schema *s1, *s2, *s3;
    const sl_value *v;
    decode_ok(c, a, t1, strlen(t1), &s1, &v);
    sl_arena_reset(a); /* the cached schema must survive the batch */
    decode_ok(c, a, t2, strlen(t2), &s2, &v);
    assert_ptr_equal(s1, s2);
    assert_int_equal(s2->type, SLUICE_TYPE_INT32);
    assert_int_equal(v->u.i, 2);
    decode_ok(c, a, t3, strlen(t3), &s3, &v);
    assert_ptr_not_equal(s1, s3);
    assert_int_equal(sl_jsonconv_cached_schemas(c), 2);
    sl_jsonconv_free(c);

    /* past the bound nothing more is cached, but decoding still works */
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    o.cache_size = 1;
    c = sl_jsonconv_new(&o);
    decode_ok(c, a, t1, strlen(t1), &s1, &v);
    decode_ok(c, a, t3, strlen(t3), &s3, &v);
    decode_ok(c, a, t3, strlen(t3), &s2, &v);
    assert_int_equal(sl_jsonconv_cached_schemas(c), 1);
    assert_ptr_not_equal(s2, s3);
    assert_true(sl_schema_equal(s2, s3));
    assert_int_equal(v->u.i, 3);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

/* ---- the Debezium fixtures ---- */

static void test_debezium_01_create_event_after_first_name(void **state)
{
    size_t len;
    char *text = read_data_file("debezium/01_debezium-docs_postgresql_customers_create.json", &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, len, &s, &v);
    assert_string_equal(s->name, "PostgreSQL_server.inventory.customers.Envelope");
    const sl_value *after = sl_value_get(v, "after");
    assert_non_null(after);
    assert_string_equal(sl_value_get(after, "first_name")->u.s.p, "Anne");
    assert_int_equal(sl_value_get(after, "id")->u.i, 1);
    assert_null(sl_value_get(v, "before"));
    assert_string_equal(sl_value_get(v, "op")->u.s.p, "c");
    assert_string_equal(sl_value_get(sl_value_get(v, "source"), "connector")->u.s.p, "postgresql");
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_debezium_01b_partial_before_is_rejected_and_truncate_decodes(void **state)
{
    size_t len;
    char *text = read_data_file(
        "debezium/01b_debezium-docs_postgresql_customers_update_delete_truncate.jsonl", &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save), n++) {
        const sl_schema *s;
        const sl_value *v;
        char err[512] = "";
        int rc = sl_jsonconv_to_connect(c, a, l, strlen(l), &s, &v, err, sizeof(err));
        if (n < 2) {
            /* "before" is {"id":1} against a schema whose other columns are required */
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "Invalid null value for required STRING field"));
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(sl_value_get(v, "op")->u.s.p, "t");
            assert_null(sl_value_get(v, "after"));
        }
    }
    assert_int_equal(n, 3);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_debezium_04_numeric_decimals_are_exact(void **state)
{
    size_t len;
    char *text = read_data_file("debezium/04_paimon_debezium_mysql_alltypes.jsonl", &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, text, len, &s, &v);
    const sl_value *after = sl_value_get(v, "after");
    const sl_schema *as = after->schema;
    struct {
        const char *field;
        const char *text;
    } want[] = {
        {"pt", "1.1"},
        {"_numeric", "12345.110"},
        {"_fixed", "123456789876543212345678987654321.110"},
        {"_big_decimal", "2222222222222222300000001111.1234567890"},
        {"_bigint_unsigned", "20000000000"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int64_t idx = sl_schema_field_index(as, want[i].field);
        assert_true(idx >= 0);
        const sl_schema *fs = as->fields[idx].schema;
        assert_int_equal(fs->logical, SLUICE_LOGICAL_DECIMAL);
        char dec[128];
        decimal_text_of(sl_value_get(after, want[i].field), fs->scale, dec, sizeof(dec));
        assert_string_equal(dec, want[i].text);
    }
    /* NUMERIC writing gives the same numbers back */
    sl_jsonconv *numeric = new_conv(true, true);
    sl_buf out = SL_BUF_INIT;
    bool is_null;
    char err[256];
    assert_int_equal(sl_jsonconv_from_connect(numeric, s, v, &out, &is_null, err, sizeof(err)), 0);
    assert_non_null(strstr(out.data, "\"_fixed\":123456789876543212345678987654321.110,"));
    assert_non_null(strstr(out.data, "\"_big_decimal\":2222222222222222300000001111.1234567890"));
    sl_buf_free(&out);
    sl_jsonconv_free(numeric);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_debezium_06_decimals_and_tombstone(void **state)
{
    size_t len;
    char *text = read_data_file("debezium/06_synthetic_postgres_orders_logical_types.jsonl", &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *kc = new_conv(true, false);
    sl_jsonconv *vc = new_conv(true, false);
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save), n++) {
        json_t *j = json_loads(l, 0, NULL);
        assert_non_null(j);
        json_t *jv = json_object_get(j, "value");
        json_t *jk = json_object_get(j, "key");
        char *vt = json_is_null(jv) ? NULL : json_dumps(jv, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *kt = json_is_null(jk) ? NULL : json_dumps(jk, JSON_COMPACT | JSON_PRESERVE_ORDER);
        const sl_schema *s, *ks;
        const sl_value *v, *k;
        char err[512] = "";
        assert_int_equal(
            sl_jsonconv_to_connect(kc, a, kt, kt ? strlen(kt) : 0, &ks, &k, err, sizeof(err)), 0);
        int rc = sl_jsonconv_to_connect(vc, a, vt, vt ? strlen(vt) : 0, &s, &v, err, sizeof(err));
        if (rc != 0) {
            fail_msg("line %d: %s", n, err);
        }
        char dec[64];
        if (n == 0) {
            assert_int_equal(sl_value_get(k, "id")->u.i, 1001);
            const sl_value *after = sl_value_get(v, "after");
            decimal_text_of(sl_value_get(after, "amount"), 2, dec, sizeof(dec));
            assert_string_equal(dec, "1234.50");
            const sl_value *disc = sl_value_get(after, "discount");
            assert_int_equal(sl_value_get(disc, "scale")->u.i, 3);
            decimal_text_of(sl_value_get(disc, "value"), 3, dec, sizeof(dec));
            assert_string_equal(dec, "12.345");
            assert_int_equal(sl_value_get(after, "created_at")->u.i, 1773498615123456LL);
            assert_int_equal(sl_value_get(v, "ts_ns")->u.i, 1773500000050417250LL);
            assert_string_equal(sl_value_get(sl_value_get(v, "source"), "snapshot")->u.s.p, "last");
        } else if (n == 3) {
            assert_null(vt); /* the tombstone */
            assert_null(s);
            assert_null(v);
            assert_non_null(k);
        } else if (n == 4) {
            decimal_text_of(sl_value_get(sl_value_get(v, "after"), "amount"), 2, dec, sizeof(dec));
            assert_string_equal(dec, "-9.95");
        } else if (n == 5) {
            assert_null(k);
            assert_string_equal(sl_value_get(v, "op")->u.s.p, "t");
        }
        free(vt);
        free(kt);
        json_decref(j);
        sl_arena_reset(a);
    }
    assert_int_equal(n, 6);
    /* key and value schemas repeat: each converter parsed each distinct schema once */
    assert_true(sl_jsonconv_cached_schemas(vc) <= 2);
    free(text);
    sl_jsonconv_free(kc);
    sl_jsonconv_free(vc);
    sl_arena_destroy(a);
}

static void decode_every_line(const char *file, bool schemas, int expect_lines)
{
    size_t len;
    char *text = read_data_file(file, &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(schemas, false);
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        const sl_schema *s;
        const sl_value *v;
        char err[512] = "";
        if (sl_jsonconv_to_connect(c, a, l, strlen(l), &s, &v, err, sizeof(err)) != 0) {
            fail_msg("%s line %d: %s", file, n, err);
        }
        assert_non_null(v);
        assert_true(schemas ? s != NULL : s == NULL);
        assert_non_null(sl_value_get(v, "op"));
        n++;
        sl_arena_reset(a);
    }
    assert_int_equal(n, expect_lines);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_debezium_07_and_pretty_files_decode_every_event(void **state)
{
    decode_every_line("debezium/07_flink_debezium-data-schema-include.jsonl", true, 16);
    decode_every_line("debezium/07_flink_debezium-postgres-data-schema-include.jsonl", true, 16);
    decode_every_line("debezium/07_flink_debezium-postgres-data-schema-exclude.jsonl", false, 16);
    decode_every_line("debezium/07_flink_debezium-postgres-data-replica-identity.jsonl", false, 16);
    static const char *pretty[] = {"debezium/02_debezium-docs_mysql_customers_create.json",
                                   "debezium/03_debezium-test_serde-with-schema_mysql_create.json"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *text = read_data_file(pretty[i], &len);
        sl_arena *a = sl_arena_new(0);
        sl_jsonconv *c = new_conv(true, false);
        const sl_schema *s;
        const sl_value *v;
        decode_ok(c, a, text, len, &s, &v);
        assert_string_equal(sl_value_get(v, "op")->u.s.p, "c");
        assert_non_null(sl_value_get(sl_value_get(v, "after"), "first_name"));
        free(text);
        sl_jsonconv_free(c);
        sl_arena_destroy(a);
    }
}

static void test_debezium_06b_unwrapped_rows_decode(void **state)
{
    size_t len;
    char *text =
        read_data_file("debezium/06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl", &len);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save), n++) {
        json_t *j = json_loads(l, 0, NULL);
        char *vt = json_dumps(json_object_get(j, "value"), JSON_COMPACT | JSON_PRESERVE_ORDER);
        const sl_schema *s;
        const sl_value *v;
        decode_ok(c, a, vt, strlen(vt), &s, &v);
        assert_non_null(sl_value_get(v, "__deleted"));
        assert_non_null(sl_value_get(v, "__op"));
        free(vt);
        json_decref(j);
    }
    assert_int_equal(n, 4);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

static void test_debezium_05_key_decodes_and_empty_value_schema_is_rejected(void **state)
{
    size_t len;
    char *text =
        read_data_file("debezium/05_debezium-docs_mysql_schema_change_topic_message.json", &len);
    json_t *j = json_loadb(text, len, 0, NULL);
    assert_non_null(j);
    char *kt = json_dumps(json_object_get(j, "key"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *vt = json_dumps(json_object_get(j, "value"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    sl_arena *a = sl_arena_new(0);
    sl_jsonconv *c = new_conv(true, false);
    const sl_schema *s;
    const sl_value *v;
    decode_ok(c, a, kt, strlen(kt), &s, &v);
    assert_string_equal(sl_value_get(v, "databaseName")->u.s.p, "inventory");
    expect_error(c, vt, "Schema must contain 'type' field");
    free(kt);
    free(vt);
    json_decref(j);
    free(text);
    sl_jsonconv_free(c);
    sl_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_connect_java_example_matches_golden_bytes),
        cmocka_unit_test(test_from_connect_numeric_decimal_writes_number),
        cmocka_unit_test(test_from_connect_schemas_disabled_writes_payload_only),
        cmocka_unit_test(test_from_connect_null_schema_and_value_is_kafka_null),
        cmocka_unit_test(test_from_connect_null_value_with_optional_schema_writes_null_payload),
        cmocka_unit_test(test_from_connect_null_for_required_schema_is_an_error),
        cmocka_unit_test(test_from_connect_non_string_map_keys_use_tuple_arrays),
        cmocka_unit_test(test_from_connect_writes_doc_parameters_and_default_in_java_order),
        cmocka_unit_test(test_java_example_round_trips_through_decoder),
        cmocka_unit_test(test_numeric_golden_reads_as_same_decimal),
        cmocka_unit_test(test_every_type_and_logical_type_round_trips),
        cmocka_unit_test(test_to_connect_tombstone_is_null_schema_and_value),
        cmocka_unit_test(test_to_connect_null_schema_reads_payload_schemaless),
        cmocka_unit_test(test_to_connect_schemas_disabled_reads_plain_json),
        cmocka_unit_test(test_to_connect_envelope_needs_exactly_schema_and_payload),
        cmocka_unit_test(test_to_connect_payload_before_schema_is_accepted),
        cmocka_unit_test(test_to_connect_malformed_json_reports_serialization_error),
        cmocka_unit_test(test_to_connect_every_truncation_of_debezium_event_fails_cleanly),
        cmocka_unit_test(test_to_connect_byte_mutations_never_crash),
        cmocka_unit_test(test_to_connect_wrong_types_against_schema_are_errors),
        cmocka_unit_test(test_to_connect_bad_schemas_are_errors),
        cmocka_unit_test(test_to_connect_missing_field_uses_default_or_fails_when_required),
        cmocka_unit_test(test_schema_is_parsed_once_and_cached_by_its_bytes),
        cmocka_unit_test(test_debezium_01_create_event_after_first_name),
        cmocka_unit_test(test_debezium_01b_partial_before_is_rejected_and_truncate_decodes),
        cmocka_unit_test(test_debezium_04_numeric_decimals_are_exact),
        cmocka_unit_test(test_debezium_06_decimals_and_tombstone),
        cmocka_unit_test(test_debezium_06b_unwrapped_rows_decode),
        cmocka_unit_test(test_debezium_07_and_pretty_files_decode_every_event),
        cmocka_unit_test(test_debezium_05_key_decodes_and_empty_value_schema_is_rejected),
        cmocka_unit_test(test_to_connect_deeply_nested_document_is_refused_not_recursed),
        cmocka_unit_test(test_to_connect_bad_map_tuple_element_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
