/*
 * test_bigquery_types.c — the BigQuery sink's type map and row rendering (bq_types.c): Connect
 * and Debezium logical types to BigQuery column types (Decimal → NUMERIC/BIGNUMERIC/STRING by
 * precision, FLOAT only when asked; VariableScaleDecimal by mode; MicroTimestamp →
 * TIMESTAMP with microseconds; Date, MicroTime, Json, RECORD, REPEATED), the exact row JSON
 * (decimals keep every digit), TOAST placeholders, JSON escaping and name sanitizing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../plugins/bigquery_sink/bq.h"
#include "test_bigquery_host.h"

#define F(type, name, extra)                                                                       \
    "{\"type\":\"" type "\",\"optional\":true,\"field\":\"" name "\"" extra "}"
#define DEC(name, scale, prec)                                                                     \
    "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\","   \
    "\"version\":1,\"parameters\":{\"scale\":\"" scale "\",\"connect.decimal.precision\":\"" prec  \
    "\"},\"field\":\"" name "\"}"

static const char
    *
        row_json =
            "{\"schema\":{\"type\":\"struct\",\"name\":\"t.Value\",\"optional\":true,\"fields\":["
            "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"}," DEC("amount", "2", "12") "," DEC("big", "10", "40") "," DEC(
                "huge", "0",
                "80") ","
                      "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,"
                      "\"field\":\"scale\"},"
                      "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}],\"optional\":"
                      "true,"
                      "\"name\":\"io.debezium.data.VariableScaleDecimal\",\"version\":1,\"field\":"
                      "\"discount\"}," F("int32", "d", ",\"name\":\"io.debezium.time.Date\"") "," F("int64", "t", ",\"name\":\"io.debezium.time.MicroTime\"") "," F("int64", "ts", ",\"name\":\"io.debezium.time.MicroTimestamp\"") "," F(
                          "string", "zts",
                          ",\"name\":\"io."
                          "debezium.time."
                          "ZonedTimestamp"
                          "\"") "," F("stri"
                                      "ng",
                                      "js",
                                      ",\"n"
                                      "ame"
                                      "\":"
                                      "\"io"
                                      ".deb"
                                      "eziu"
                                      "m."
                                      "data"
                                      ".Jso"
                                      "n\"") "," F("string", "note",
                                                   "") "," F("bytes", "raw",
                                                             "") "," F("boolean", "ok",
                                                                       "") "," F("double", "w",
                                                                                 "") ","
                                                                                     "{\"type\":"
                                                                                     "\"array\","
                                                                                     "\"items\":{"
                                                                                     "\"type\":"
                                                                                     "\"int32\","
                                                                                     "\"optional\":"
                                                                                     "true},"
                                                                                     "\"optional\":"
                                                                                     "true,"
                                                                                     "\"field\":"
                                                                                     "\"arr\"},"
                                                                                     "{\"type\":"
                                                                                     "\"map\","
                                                                                     "\"keys\":{"
                                                                                     "\"type\":"
                                                                                     "\"string\","
                                                                                     "\"optional\":"
                                                                                     "false},"
                                                                                     "\"values\":{"
                                                                                     "\"type\":"
                                                                                     "\"int32\","
                                                                                     "\"optional\":"
                                                                                     "true},"
                                                                                     "\"optional\":"
                                                                                     "true,"
                                                                                     "\"field\":"
                                                                                     "\"m\"},"
                                                                                     "{\"type\":"
                                                                                     "\"struct\","
                                                                                     "\"fields\":"
                                                                                     "[" F(
                                                                                         "string",
                                                                                         "city",
                                                                                         "") "],"
                                                                                             "\"opt"
                                                                                             "ional"
                                                                                             "\":"
                                                                                             "true,"
                                                                                             "\"fie"
                                                                                             "ld\":"
                                                                                             "\"add"
                                                                                             "r\"}]"
                                                                                             "},"
                                                                                             "\"pay"
                                                                                             "load"
                                                                                             "\":{"
                                                                                             "\"id"
                                                                                             "\":"
                                                                                             "90071"
                                                                                             "99254"
                                                                                             "74099"
                                                                                             "3,"
                                                                                             "\"amo"
                                                                                             "unt\""
                                                                                             ":\"Ae"
                                                                                             "I6\","
                                                                                             "\"big"
                                                                                             "\":"
                                                                                             "\"AY7"
                                                                                             "pD/"
                                                                                             "bDc+"
                                                                                             "DuTj8"
                                                                                             "K0g=="
                                                                                             "\","
                                                                                             "\"hug"
                                                                                             "e\":"
                                                                                             "\"AXL"
                                                                                             "rrW3c"
                                                                                             "c8htZ"
                                                                                             "8X6px"
                                                                                             "wkVon"
                                                                                             "BB5UC"
                                                                                             "QAAAA"
                                                                                             "AAAAA"
                                                                                             "AB\","
                                                                                             "\"dis"
                                                                                             "count"
                                                                                             "\":{"
                                                                                             "\"sca"
                                                                                             "le\":"
                                                                                             "3,"
                                                                                             "\"val"
                                                                                             "ue\":"
                                                                                             "\"MDk"
                                                                                             "=\"},"
                                                                                             "\"d\""
                                                                                             ":2052"
                                                                                             "6,"
                                                                                             "\"t\""
                                                                                             ":5221"
                                                                                             "51234"
                                                                                             "56,"
                                                                                             "\"ts"
                                                                                             "\":"
                                                                                             "17734"
                                                                                             "98615"
                                                                                             "12345"
                                                                                             "6,"
                                                                                             "\"zts"
                                                                                             "\":"
                                                                                             "\"202"
                                                                                             "6-03-"
                                                                                             "14T12"
                                                                                             ":30:"
                                                                                             "15."
                                                                                             "12345"
                                                                                             "6Z\","
                                                                                             "\"js"
                                                                                             "\":"
                                                                                             "\"{"
                                                                                             "\\\"a"
                                                                                             "\\\":"
                                                                                             " [1]}"
                                                                                             "\","
                                                                                             "\"not"
                                                                                             "e\":"
                                                                                             "\"lin"
                                                                                             "e\\n"
                                                                                             "\\\"q"
                                                                                             "\\\""
                                                                                             "\\u00"
                                                                                             "01\","
                                                                                             "\"raw"
                                                                                             "\":"
                                                                                             "\"AQI"
                                                                                             "=\","
                                                                                             "\"ok"
                                                                                             "\":"
                                                                                             "true,"
                                                                                             "\"w\""
                                                                                             ":0.1,"
                                                                                             "\"arr"
                                                                                             "\":["
                                                                                             "1,"
                                                                                             "null,"
                                                                                             "3],"
                                                                                             "\"m\""
                                                                                             ":{"
                                                                                             "\"k\""
                                                                                             ":1},"
                                                                                             "\"add"
                                                                                             "r\":{"
                                                                                             "\"cit"
                                                                                             "y\":"
                                                                                             "\"Osl"
                                                                                             "o\"}}"
                                                                                             "}";

static bq_type_opts auto_opts(void)
{
    bq_type_opts o = {.decimal_mode = BQ_DEC_AUTO, .vs_decimal_mode = BQ_DEC_AUTO};
    return o;
}

static void test_schema_map(void **state)
{
    const sl_schema *s = NULL;
    assert_non_null(tb_value(row_json, &s));
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new();
    bq_fields_json(b, s, NULL, &o, false);
    assert_string_equal(sluice_host->buf_data(b),
                        "{\"name\":\"id\",\"type\":\"INTEGER\",\"mode\":\"REQUIRED\"},"
                        "{\"name\":\"amount\",\"type\":\"NUMERIC\",\"mode\":\"REQUIRED\"},"
                        "{\"name\":\"big\",\"type\":\"BIGNUMERIC\",\"mode\":\"REQUIRED\"},"
                        "{\"name\":\"huge\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},"
                        "{\"name\":\"discount\",\"type\":\"BIGNUMERIC\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"d\",\"type\":\"DATE\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"t\",\"type\":\"TIME\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"ts\",\"type\":\"TIMESTAMP\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"zts\",\"type\":\"TIMESTAMP\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"js\",\"type\":\"JSON\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"note\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"raw\",\"type\":\"BYTES\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"ok\",\"type\":\"BOOLEAN\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"w\",\"type\":\"FLOAT\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"arr\",\"type\":\"INTEGER\",\"mode\":\"REPEATED\"},"
                        "{\"name\":\"m\",\"type\":\"RECORD\",\"mode\":\"REPEATED\",\"fields\":["
                        "{\"name\":\"key\",\"type\":\"STRING\",\"mode\":\"REQUIRED\"},"
                        "{\"name\":\"value\",\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"}]},"
                        "{\"name\":\"addr\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\",\"fields\":["
                        "{\"name\":\"city\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"}]}");
    /* forced NULLABLE (the intermediate table's value record) */
    sluice_host->buf_reset(b);
    bq_fields_json(b, s, NULL, &o, true);
    assert_null(strstr(sluice_host->buf_data(b), "REQUIRED\"},{\"name\":\"amount"));
    /* FLOAT only when asked; VariableScaleDecimal by mode */
    o.decimal_mode = BQ_DEC_FLOAT;
    o.vs_decimal_mode = BQ_DEC_STRING;
    sluice_host->buf_reset(b);
    bq_fields_json(b, s, NULL, &o, false);
    assert_non_null(strstr(sluice_host->buf_data(b),
                           "{\"name\":\"amount\",\"type\":\"FLOAT\",\"mode\":\"REQUIRED\"}"));
    assert_non_null(strstr(sluice_host->buf_data(b),
                           "{\"name\":\"discount\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"}"));
    o.vs_decimal_mode = BQ_DEC_RECORD;
    o.decimal_mode = BQ_DEC_NUMERIC;
    sluice_host->buf_reset(b);
    bq_fields_json(b, s, NULL, &o, false);
    assert_non_null(strstr(sluice_host->buf_data(b),
                           "{\"name\":\"big\",\"type\":\"NUMERIC\",\"mode\":\"REQUIRED\"}"));
    assert_non_null(strstr(sluice_host->buf_data(b),
                           "{\"name\":\"discount\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\","
                           "\"fields\":[{\"name\":\"scale\""));
    sluice_host->buf_free(b);
}

static void test_row_render(void **state)
{
    const sl_schema *s = NULL;
    const sl_value *v = tb_value(row_json, &s);
    assert_non_null(v);
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new();
    char err[128] = "";
    assert_int_equal(bq_render_fields(b, v, s, &o, NULL, err, sizeof(err)), 0);
    assert_string_equal(
        sluice_host->buf_data(b),
        "\"id\":\"9007199254740993\",\"amount\":\"1234.50\","
        "\"big\":\"12345678901234567890.1234567890\","
        "\"huge\":\"10000000000000000000000000000000000000000000000000000000000000000000001\","
        "\"discount\":\"12.345\",\"d\":\"2026-03-14\",\"t\":\"14:30:15.123456\","
        "\"ts\":\"2026-03-14 14:30:15.123456\",\"zts\":\"2026-03-14T12:30:15.123456Z\","
        "\"js\":\"{\\\"a\\\": [1]}\",\"note\":\"line\\n\\\"q\\\"\\u0001\",\"raw\":\"AQI=\","
        "\"ok\":true,\"w\":0.1,\"arr\":[1,3],\"m\":[{\"key\":\"k\",\"value\":1}],"
        "\"addr\":{\"city\":\"Oslo\"}");
    /* FLOAT mode writes the number (only when asked) */
    o.decimal_mode = BQ_DEC_FLOAT;
    sluice_host->buf_reset(b);
    assert_int_equal(bq_render_fields(b, v, s, &o, NULL, err, sizeof(err)), 0);
    assert_non_null(strstr(sluice_host->buf_data(b), "\"amount\":1234.50,"));
    sluice_host->buf_free(b);
}

static void test_toast_and_negative_decimal(void **state)
{
    const char *js = "{\"schema\":{\"type\":\"struct\",\"optional\":false,\"fields\":[" DEC(
        "amount", "2", "12") "," F("string", "note",
                                   "") "],\"name\":\"x\"},"
                                       "\"payload\":{\"amount\":\"+w==\",\"note\":\"__debezium_"
                                       "unavailable_value\"}}";
    const sl_schema *s = NULL;
    const sl_value *v = tb_value(js, &s);
    assert_non_null(v);
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new(), *toast = sluice_host->buf_new();
    char err[128] = "";
    assert_int_equal(bq_render_fields(b, v, s, &o, toast, err, sizeof(err)), 0);
    assert_string_equal(sluice_host->buf_data(b), "\"amount\":\"-0.05\"");
    assert_string_equal(sluice_host->buf_data(toast), "\"note\"");
    sluice_host->buf_free(b);
    sluice_host->buf_free(toast);
}

static void test_schemaless_inference(void **state)
{
    struct sl_jsonconv_opts co;
    sl_jsonconv_default_opts(&co);
    co.schemas_enable = false;
    sl_jsonconv *c = sl_jsonconv_new(&co);
    const char *js = "{\"id\":1,\"name\":\"a\",\"w\":1.5,\"tags\":[\"x\"],\"in\":{\"k\":true}}";
    const sl_schema *s = NULL;
    const sl_value *v = NULL;
    char err[128] = "";
    assert_int_equal(sl_jsonconv_to_connect(c, tb_arena, js, strlen(js), &s, &v, err, sizeof(err)),
                     0);
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new();
    bq_fields_json(b, NULL, v, &o, false);
    assert_string_equal(sluice_host->buf_data(b),
                        "{\"name\":\"id\",\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"name\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"w\",\"type\":\"FLOAT\",\"mode\":\"NULLABLE\"},"
                        "{\"name\":\"tags\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},"
                        "{\"name\":\"in\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\",\"fields\":["
                        "{\"name\":\"k\",\"type\":\"BOOLEAN\",\"mode\":\"NULLABLE\"}]}");
    sluice_host->buf_reset(b);
    assert_int_equal(bq_render_fields(b, v, NULL, &o, NULL, err, sizeof(err)), 0);
    assert_string_equal(sluice_host->buf_data(b),
                        "\"id\":\"1\",\"name\":\"a\",\"w\":1.5,\"tags\":[\"x\"],"
                        "\"in\":{\"k\":true}");
    sluice_host->buf_free(b);
    sl_jsonconv_free(c);
}

static void test_names(void **state)
{
    char out[64];
    bq_sanitize("shop.public.orders", 18, out, sizeof(out));
    assert_string_equal(out, "shop_public_orders");
    bq_sanitize("9lives-x", 8, out, sizeof(out));
    assert_string_equal(out, "_9lives_x");
    bq_type_opts o = auto_opts();
    char tmp[64];
    assert_string_equal(bq_field_name("a-b", &o, tmp, sizeof(tmp)), "a-b");
    o.sanitize_field_names = true;
    assert_string_equal(bq_field_name("a-b", &o, tmp, sizeof(tmp)), "a_b");
}

static void test_nanosecond_zoned_timestamp(void **state)
{
    const char *js = "{\"schema\":{\"type\":\"string\",\"optional\":false,\"name\":"
                     "\"io.debezium.time.ZonedTimestamp\"},\"payload\":"
                     "\"2026-03-14T12:30:15.123456789Z\"}";
    const sl_value *v = tb_value(js, NULL);
    assert_non_null(v);
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new();
    char err[64];
    assert_int_equal(bq_render_value(b, v, NULL, &o, err, sizeof(err)), 0);
    assert_string_equal(sluice_host->buf_data(b), "\"2026-03-14T12:30:15.123456Z\"");
    sluice_host->buf_free(b);
}

static void test_special_doubles(void **state)
{
    const char *js = "{\"schema\":{\"type\":\"double\",\"optional\":false},\"payload\":1e308}";
    const sl_value *v = tb_value(js, NULL);
    assert_non_null(v);
    bq_type_opts o = auto_opts();
    sluice_buf *b = sluice_host->buf_new();
    char err[64];
    assert_int_equal(bq_render_value(b, v, NULL, &o, err, sizeof(err)), 0);
    assert_string_equal(sluice_host->buf_data(b), "1e+308");
    sluice_host->buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_map),
        cmocka_unit_test(test_row_render),
        cmocka_unit_test(test_toast_and_negative_decimal),
        cmocka_unit_test(test_schemaless_inference),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_special_doubles),
        cmocka_unit_test(test_nanosecond_zoned_timestamp),
    };
    return cmocka_run_group_tests(tests, tb_setup, tb_teardown);
}
