/*
 * test_clickhouse_sql.c — the ClickHouse sink's pure code (plugins/clickhouse_sink/ch_types.c and
 * ch_rowbinary.c compiled in) driven through the worker's real host table: the CREATE TABLE text
 * for modern servers and for 18.16, ALTER and INSERT text, type parsing, and the RowBinary bytes of
 * every type conversion. Values come from the real JsonConverter. No server is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converters/json_converter.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "plugins/clickhouse_sink/ch.h"
#include "plugins/common/cdc.h"

const struct sluice_host_api *sluice_host;

static sl_jsonconv *conv;
static sl_arena *arena;
static char hexout[4096];

static int group_setup(void **state)
{
    sluice_host = sl_host_api();
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    conv = sl_jsonconv_new(&o);
    arena = sl_arena_new(0);
    return 0;
}

static int group_teardown(void **state)
{
    sl_jsonconv_free(conv);
    sl_arena_destroy(arena);
    return 0;
}

/* {"schema": schema, "payload": payload} through the JsonConverter. */
static const sl_value *value_of(const char *schema, const char *payload, const sl_schema **s)
{
    char doc[4096], err[256];
    snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":%s}", schema, payload);
    const sl_value *v = NULL;
    *s = NULL;
    if (sl_jsonconv_to_connect(conv, arena, doc, strlen(doc), s, &v, err, sizeof(err)) != 0) {
        fail_msg("bad test JSON %s: %s", doc, err);
    }
    return v;
}

/* RowBinary of the value as lowercase hex, or "ERR: <reason>". */
static const char *enc(const char *schema, const char *payload, const char *type)
{
    const sl_schema *s = NULL;
    const sl_value *v = value_of(schema, payload, &s);
    struct ch_type t;
    char err[256];
    if (ch_type_parse(type, &t, err, sizeof(err)) != 0) {
        fail_msg("bad type %s: %s", type, err);
    }
    ch_buf out = {0};
    sluice_buf *scratch = sluice_host->buf_new();
    struct ch_enc e = {.out = &out, .scratch = scratch, .err = err, .errlen = sizeof(err)};
    struct ch_src src = {.logical = sl_cdc_logical(s),
                         .scale = s != NULL ? sluice_host->schema_decimal_scale(s) : 0,
                         .schema = s};
    if (ch_encode(&e, &t, v, &src) != 0) {
        snprintf(hexout, sizeof(hexout), "ERR: %s", err);
    } else {
        size_t k = 0;
        for (size_t i = 0; i < out.len && k + 3 < sizeof(hexout); i++) {
            k += (size_t)snprintf(hexout + k, sizeof(hexout) - k, "%02x", (uint8_t)out.p[i]);
        }
        hexout[k] = '\0';
        /* every successful encoding must be readable back by the skipper */
        assert_int_equal(ch_rowbinary_skip(&t, out.p, out.p + out.len), out.len);
    }
    sluice_host->buf_free(scratch);
    chb_free(&out);
    ch_type_free(&t);
    return hexout;
}

static int starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

#define ORDERS_SCHEMA                                                                              \
    "{\"type\":\"struct\",\"name\":\"shop.public.orders.Value\",\"optional\":true,\"fields\":["    \
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"                                    \
    "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Uuid\",\"field\":"        \
    "\"customer_id\"},"                                                                            \
    "{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Enum\",\"parameters\":"   \
    "{\"allowed\":\"new,paid\"},\"field\":\"status\"},"                                            \
    "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\","   \
    "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"12\"},\"field\":\"amount\"}," \
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":"           \
    "\"scale\"},{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}],\"optional\":true,"   \
    "\"name\":\"io.debezium.data.VariableScaleDecimal\",\"field\":\"discount\"},"                  \
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\",\"field\":"         \
    "\"attrs\"},"                                                                                  \
    "{\"type\":\"bytes\",\"optional\":true,\"name\":\"io.debezium.data.Bits\",\"parameters\":"     \
    "{\"length\":\"8\"},\"field\":\"flags\"},"                                                     \
    "{\"type\":\"int32\",\"optional\":false,\"name\":\"io.debezium.time.Date\",\"field\":"         \
    "\"order_date\"},"                                                                             \
    "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\",\"field\":"     \
    "\"pickup_time\"},"                                                                            \
    "{\"type\":\"int64\",\"optional\":false,\"name\":\"io.debezium.time.MicroTimestamp\","         \
    "\"field\":\"created_at\"},"                                                                   \
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\","         \
    "\"field\":\"updated_at\"},"                                                                   \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"note\"},"                                  \
    "{\"type\":\"boolean\",\"optional\":false,\"field\":\"is_gift\"},"                             \
    "{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":true},\"optional\":false,"     \
    "\"field\":\"tags\"},"                                                                         \
    "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},\"values\":{\"type\":"    \
    "\"int64\",\"optional\":false},\"optional\":true,\"field\":\"counts\"},"                       \
    "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.Timestamp\",\"field\":"     \
    "\"shipped_at\"}]}"

#define ORDERS_PAYLOAD                                                                             \
    "{\"id\":1,\"customer_id\":\"5f0c6c1e-3b6a-4b8e-9d55-2b8f3f7e9a10\",\"status\":\"new\","       \
    "\"amount\":\"AeI6\",\"discount\":null,\"attrs\":null,\"flags\":null,\"order_date\":1,"        \
    "\"pickup_time\":null,\"created_at\":0,\"updated_at\":null,\"note\":null,\"is_gift\":true,"    \
    "\"tags\":[],\"counts\":null,\"shipped_at\":null}"

/* CREATE TABLE text for the orders schema on a server of `version`. */
static char *create_sql(const char *version)
{
    const sl_schema *s = NULL;
    (void)value_of(ORDERS_SCHEMA, ORDERS_PAYLOAD, &s);
    struct ch_server srv;
    ch_server_from_version(&srv, version);
    size_t n = sluice_host->schema_field_count(s);
    struct ch_coldef cols[32];
    ch_buf types[32];
    memset(types, 0, sizeof(types));
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->schema_field_name(s, i);
        cols[i].name = name;
        ch_type_for_schema(&srv, sluice_host->schema_field_schema(s, i), strcmp(name, "id") != 0,
                           &types[i]);
        cols[i].type = types[i].p;
    }
    cols[n].name = "_version";
    cols[n].type = "UInt64";
    cols[n + 1].name = "_is_deleted";
    cols[n + 1].type = "UInt8";
    const char *keys[] = {"id"};
    ch_buf out = {0};
    ch_sql_create(&out, &srv, "shop", "orders", cols, n + 2, keys, 1, "_version", "_is_deleted",
                  NULL);
    for (size_t i = 0; i < n; i++) {
        chb_free(&types[i]);
    }
    return out.p;
}

static void test_create_table_for_a_modern_server(void **state)
{
    char *sql = create_sql("24.3.1.2672");
    assert_string_equal(
        sql, "CREATE TABLE IF NOT EXISTS `shop`.`orders` (`id` Int64, `customer_id` UUID, "
             "`status` String, `amount` Decimal(12, 2), `discount` Nullable(String), "
             "`attrs` Nullable(String), `flags` Nullable(UInt64), `order_date` Date32, "
             "`pickup_time` Nullable(String), `created_at` DateTime64(6), "
             "`updated_at` Nullable(DateTime64(6, 'UTC')), `note` Nullable(String), "
             "`is_gift` Bool, `tags` Array(Nullable(Int32)), `counts` Map(String, Int64), "
             "`shipped_at` Nullable(DateTime64(3)), `_version` UInt64, `_is_deleted` UInt8) "
             "ENGINE = ReplacingMergeTree(`_version`, `_is_deleted`) ORDER BY (`id`)");
    sluice_host->free(sql);
}

static void test_create_table_for_clickhouse_18_16(void **state)
{
    char *sql = create_sql("18.16.1");
    assert_string_equal(
        sql, "CREATE TABLE IF NOT EXISTS `shop`.`orders` (`id` Int64, `customer_id` UUID, "
             "`status` String, `amount` Decimal(12, 2), `discount` Nullable(String), "
             "`attrs` Nullable(String), `flags` Nullable(UInt64), `order_date` Date, "
             "`pickup_time` Nullable(String), `created_at` String, "
             "`updated_at` Nullable(String), `note` Nullable(String), "
             "`is_gift` UInt8, `tags` Array(Nullable(Int32)), `counts` Nullable(String), "
             "`shipped_at` Nullable(String), `_version` UInt64, `_is_deleted` UInt8) "
             "ENGINE = ReplacingMergeTree(`_version`) ORDER BY (`id`)");
    sluice_host->free(sql);
}

static void test_create_table_without_key_is_append_only(void **state)
{
    struct ch_server srv;
    ch_server_from_version(&srv, "23.2.1");
    struct ch_coldef cols[] = {{"line", "String"}};
    ch_buf out = {0};
    ch_sql_create(&out, &srv, "", "log", cols, 1, NULL, 0, "_version", "_is_deleted", "c1");
    assert_string_equal(out.p, "CREATE TABLE IF NOT EXISTS `log` ON CLUSTER `c1` "
                               "(`line` String) ENGINE = MergeTree ORDER BY tuple()");
    chb_free(&out);
}

static void test_server_versions(void **state)
{
    struct ch_server s;
    ch_server_from_version(&s, "23.1.9");
    assert_false(s.is_deleted);
    assert_true(s.datetime64);
    ch_server_from_version(&s, "23.2.1");
    assert_true(s.is_deleted);
    assert_true(s.modern);
    ch_server_from_version(&s, "18.16.1");
    assert_false(s.datetime64);
    assert_false(s.bool_type);
    assert_false(s.map_type);
    ch_server_from_version(&s, "garbage");
    assert_int_equal(s.major, 0);
    assert_false(s.modern);
}

static void test_alter_and_insert_sql(void **state)
{
    ch_buf out = {0};
    ch_sql_add_column(&out, "db", "t", "new col", "Nullable(String)", NULL);
    assert_string_equal(out.p, "ALTER TABLE `db`.`t` ADD COLUMN `new col` Nullable(String)");
    out.len = 0;
    ch_sql_add_column(&out, "db", "t", "x", "Int64", "main");
    assert_string_equal(out.p, "ALTER TABLE `db`.`t` ON CLUSTER `main` ADD COLUMN `x` Int64");
    out.len = 0;
    const char *cols[] = {"id", "we`ird\\", "_version"};
    ch_sql_insert(&out, "default", "shop.public.orders", cols, 3);
    assert_string_equal(out.p, "INSERT INTO `default`.`shop.public.orders` (`id`, `we\\`ird\\\\`, "
                               "`_version`) FORMAT RowBinary");
    out.len = 0;
    ch_sql_string(&out, "it's \\ here", 11);
    assert_string_equal(out.p, "'it\\'s \\\\ here'");
    chb_free(&out);
}

static void test_type_parsing(void **state)
{
    struct ch_type t;
    char err[256];
    assert_int_equal(ch_type_parse("Nullable(Decimal(12, 2))", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_DECIMAL);
    assert_true(t.nullable);
    assert_int_equal(t.precision, 12);
    assert_int_equal(t.scale, 2);
    assert_int_equal(ch_type_width(&t), 8);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("LowCardinality(Nullable(String))", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_STRING);
    assert_true(t.nullable);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("DateTime64(6, 'UTC')", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_DATETIME64);
    assert_int_equal(t.precision, 6);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("DateTime('Europe/Moscow')", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_DATETIME);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("Enum8('a' = 1, 'it\\'s' = -2)", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_ENUM8);
    assert_int_equal(t.n_enum, 2);
    assert_string_equal(t.enums[1].name, "it's");
    assert_int_equal(t.enums[1].value, -2);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("Map(String, Array(Nullable(Int32)))", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_MAP);
    assert_int_equal(t.value->kind, CH_ARRAY);
    assert_true(t.value->elem->nullable);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("Decimal128(4)", &t, err, sizeof(err)), 0);
    assert_int_equal(t.precision, 38);
    assert_int_equal(ch_type_width(&t), 16);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("IPv4", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_UNSUPPORTED);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("Tuple(a Int8, b String)", &t, err, sizeof(err)), 0);
    assert_int_equal(t.kind, CH_UNSUPPORTED);
    ch_type_free(&t);
    assert_int_equal(ch_type_parse("Nullable(", &t, err, sizeof(err)), -1);
    assert_int_equal(ch_type_parse("Int32 junk", &t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "trailing"));
}

static void test_rowbinary_integers(void **state)
{
    assert_string_equal(enc("{\"type\":\"int8\"}", "-1", "Int8"), "ff");
    assert_string_equal(enc("{\"type\":\"int16\"}", "258", "Int16"), "0201");
    assert_string_equal(enc("{\"type\":\"int32\"}", "-2", "Int32"), "feffffff");
    assert_string_equal(enc("{\"type\":\"int64\"}", "1", "Int64"), "0100000000000000");
    assert_string_equal(enc("{\"type\":\"int64\"}", "255", "UInt8"), "ff");
    assert_string_equal(enc("{\"type\":\"int64\"}", "65535", "UInt16"), "ffff");
    assert_string_equal(enc("{\"type\":\"int64\"}", "4294967295", "UInt32"), "ffffffff");
    assert_string_equal(enc("{\"type\":\"int64\"}", "7", "UInt64"), "0700000000000000");
    assert_string_equal(enc("{\"type\":\"int64\"}", "-1", "Int128"),
                        "ffffffffffffffffffffffffffffffff");
    assert_string_equal(enc("{\"type\":\"int64\"}", "1", "UInt256"),
                        "01000000000000000000000000000000"
                        "00000000000000000000000000000000");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"-42\"", "Int32"), "d6ffffff");
    assert_string_equal(enc("{\"type\":\"boolean\"}", "true", "UInt8"), "01");
    assert_string_equal(enc("{\"type\":\"double\"}", "3.0", "Int16"), "0300");
    assert_true(
        starts_with(enc("{\"type\":\"int64\"}", "256", "UInt8"), "ERR: value out of range"));
    assert_true(
        starts_with(enc("{\"type\":\"int64\"}", "-1", "UInt64"), "ERR: value out of range"));
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"abc\"", "Int64"),
                            "ERR: 'abc' is not an integer"));
    assert_true(starts_with(enc("{\"type\":\"double\"}", "1.5", "Int64"), "ERR:"));
    assert_true(
        starts_with(enc("{\"type\":\"array\",\"items\":{\"type\":\"int8\"}}", "[1]", "Int64"),
                    "ERR: cannot write ARRAY into Int64"));
}

static void test_rowbinary_floats_and_bools(void **state)
{
    assert_string_equal(enc("{\"type\":\"double\"}", "1.5", "Float64"), "000000000000f83f");
    assert_string_equal(enc("{\"type\":\"float\"}", "1.5", "Float32"), "0000c03f");
    assert_string_equal(enc("{\"type\":\"int32\"}", "2", "Float64"), "0000000000000040");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"-2\"", "Float32"), "000000c0");
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"x\"", "Float32"), "ERR:"));
    assert_string_equal(enc("{\"type\":\"boolean\"}", "true", "Bool"), "01");
    assert_string_equal(enc("{\"type\":\"boolean\"}", "false", "Bool"), "00");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"true\"", "Bool"), "01");
    assert_true(starts_with(enc("{\"type\":\"int32\"}", "2", "Bool"), "ERR: value out of range"));
}

static void test_rowbinary_strings(void **state)
{
    assert_string_equal(enc("{\"type\":\"string\"}", "\"hi\"", "String"), "026869");
    assert_string_equal(enc("{\"type\":\"bytes\"}", "\"AAE=\"", "String"), "020001");
    assert_string_equal(enc("{\"type\":\"int64\"}", "-5", "String"), "022d35");
    assert_string_equal(enc("{\"type\":\"boolean\"}", "true", "String"), "0474727565");
    assert_string_equal(enc("{\"type\":\"double\"}", "0.1", "String"), "03302e31");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"ab\"", "FixedString(4)"), "61620000");
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"abcde\"", "FixedString(4)"), "ERR:"));
    /* a struct (not a logical type) becomes JSON text */
    assert_string_equal(enc("{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"field\":"
                            "\"a\"}]}",
                            "{\"a\":1}", "String"),
                        "077b2261223a317d");
    /* 300 bytes: a two-byte length prefix */
    char payload[512];
    memset(payload, 'x', sizeof(payload));
    payload[0] = '"';
    payload[301] = '"';
    payload[302] = '\0';
    assert_true(starts_with(enc("{\"type\":\"string\"}", payload, "String"), "ac0278787878"));
}

static void test_rowbinary_debezium_logical_types_as_text(void **state)
{
    /* 18.16 columns: exact text for decimals, dates, times and timestamps */
    assert_string_equal(enc("{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data."
                            "Decimal\",\"parameters\":{\"scale\":\"2\"}}",
                            "\"/B0=\"", "String"),
                        "052d392e3935"); /* "-9.95" */
    assert_string_equal(enc("{\"type\":\"struct\",\"name\":\"io.debezium.data."
                            "VariableScaleDecimal\",\"fields\":[{\"type\":\"int32\",\"field\":"
                            "\"scale\"},{\"type\":\"bytes\",\"field\":\"value\"}]}",
                            "{\"scale\":3,\"value\":\"MDk=\"}", "String"),
                        "0631322e333435"); /* "12.345" */
    assert_string_equal(
        enc("{\"type\":\"int32\",\"name\":\"io.debezium.time.Date\"}", "20526", "String"),
        "0a323032362d30332d3134"); /* "2026-03-14" */
    assert_string_equal(enc("{\"type\":\"int64\",\"name\":\"io.debezium.time.MicroTime\"}",
                            "52215123456", "String"),
                        "0f31343a33303a31352e313233343536"); /* "14:30:15.123456" */
    assert_string_equal(
        enc("{\"type\":\"int64\",\"name\":\"io.debezium.time.MicroTimestamp\"}", "1773498615123456",
            "String"),
        "1a323032362d30332d31342031343a33303a31352e313233343536"); /* 2026-03-14 14:30:15.123456 */
}

static void test_rowbinary_decimals(void **state)
{
    const char *dec2 = "{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\","
                       "\"parameters\":{\"scale\":\"2\"}}";
    /* 1234.50 → 123450 = 0x1e23a */
    assert_string_equal(enc(dec2, "\"AeI6\"", "Decimal(12, 2)"), "3ae2010000000000");
    assert_string_equal(enc(dec2, "\"AeI6\"", "Decimal(9, 2)"), "3ae20100");
    assert_string_equal(enc(dec2, "\"/B0=\"", "Decimal(38, 4)"),
                        "547bfeffffffffffffffffffffffffff"); /* -9.9500 → -99500 */
    assert_string_equal(enc(dec2, "\"AeI6\"", "Decimal(12, 1)"), "3930000000000000");
    assert_true(starts_with(enc(dec2, "\"AeI6\"", "Decimal(12, 0)"), "ERR:"));
    assert_true(starts_with(enc(dec2, "\"AeI6\"", "Decimal(5, 2)"), "ERR:"));
    assert_string_equal(enc("{\"type\":\"struct\",\"name\":\"io.debezium.data."
                            "VariableScaleDecimal\",\"fields\":[{\"type\":\"int32\",\"field\":"
                            "\"scale\"},{\"type\":\"bytes\",\"field\":\"value\"}]}",
                            "{\"scale\":3,\"value\":\"MDk=\"}", "Decimal(10, 3)"),
                        "3930000000000000");
    assert_string_equal(enc("{\"type\":\"double\"}", "1.25", "Decimal(9, 2)"), "7d000000");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"-0.5\"", "Decimal(9, 1)"), "fbffffff");
    assert_string_equal(enc("{\"type\":\"int32\"}", "3", "Decimal(9, 1)"), "1e000000");
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"1e5\"", "Decimal(9, 1)"), "ERR:"));
    assert_string_equal(enc(dec2, "\"AeI6\"", "Float64"), "00000000004a9340"); /* 1234.5 */
}

static void test_rowbinary_dates_and_times(void **state)
{
    const char *date = "{\"type\":\"int32\",\"name\":\"io.debezium.time.Date\"}";
    assert_string_equal(enc(date, "20526", "Date"), "2e50");
    assert_string_equal(enc(date, "-1", "Date32"), "ffffffff");
    assert_true(starts_with(enc(date, "-1", "Date"), "ERR: date out of range"));
    const char *micros = "{\"type\":\"int64\",\"name\":\"io.debezium.time.MicroTimestamp\"}";
    assert_string_equal(enc(micros, "1773498615123456", "DateTime64(6)"), "00cef6d2fc4c0600");
    assert_string_equal(enc(micros, "1773498615123456", "DateTime64(3)"), "5345c1ec9c010000");
    assert_string_equal(enc(micros, "1773498615123456", "DateTime"), "f770b569");
    assert_string_equal(enc(micros, "-1", "DateTime64(6)"), "ffffffffffffffff");
    const char *zoned = "{\"type\":\"string\",\"name\":\"io.debezium.time.ZonedTimestamp\"}";
    assert_string_equal(enc(zoned, "\"2026-03-14T12:30:15.123456Z\"", "DateTime64(6, 'UTC')"),
                        "0086cf25fb4c0600");
    assert_string_equal(enc(zoned, "\"2026-03-14T14:30:15.123456+02:00\"", "DateTime64(6)"),
                        "0086cf25fb4c0600");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"2026-03-14\"", "Date"), "2e50");
    assert_true(starts_with(enc(zoned, "\"yesterday\"", "DateTime"), "ERR:"));
    const char *millis = "{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data."
                         "Timestamp\"}";
    assert_string_equal(enc(millis, "1000", "DateTime"), "01000000");
    assert_string_equal(enc("{\"type\":\"int64\"}", "5", "DateTime64(3)"), "0500000000000000");

    int64_t s;
    int32_t ns;
    assert_int_equal(ch_parse_datetime("1970-01-01 00:00:01.5", 21, &s, &ns), 0);
    assert_int_equal(s, 1);
    assert_int_equal(ns, 500000000);
    assert_int_equal(ch_parse_datetime("1969-12-31T23:59:59Z", 20, &s, &ns), 0);
    assert_int_equal(s, -1);
    assert_int_equal(ch_parse_datetime("2026-13-01", 10, &s, &ns), -1);
    assert_int_equal(ch_parse_datetime("2026-01-01T10:00:00.1234567891Z", 31, &s, &ns), -1);
}

static void test_rowbinary_uuid_enum_bits(void **state)
{
    assert_string_equal(enc("{\"type\":\"string\",\"name\":\"io.debezium.data.Uuid\"}",
                            "\"11223344-5566-7788-99aa-bbccddeeff00\"", "UUID"),
                        "887766554433221100ffeeddccbbaa99");
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"nope\"", "UUID"), "ERR:"));
    assert_string_equal(enc("{\"type\":\"string\"}", "\"b\"", "Enum8('a' = 1, 'b' = 2)"), "02");
    assert_string_equal(enc("{\"type\":\"string\"}", "\"b\"", "Enum16('a' = 1, 'b' = 300)"),
                        "2c01");
    assert_true(starts_with(enc("{\"type\":\"string\"}", "\"c\"", "Enum8('a' = 1)"), "ERR:"));
    const char *bits = "{\"type\":\"bytes\",\"name\":\"io.debezium.data.Bits\",\"parameters\":"
                       "{\"length\":\"16\"}}";
    assert_string_equal(enc(bits, "\"BQE=\"", "UInt64"), "0501000000000000"); /* 0x0105 */
}

static void test_rowbinary_nullable_arrays_maps(void **state)
{
    assert_string_equal(enc("{\"type\":\"int32\",\"optional\":true}", "null", "Nullable(Int32)"),
                        "01");
    assert_string_equal(enc("{\"type\":\"int32\",\"optional\":true}", "7", "Nullable(Int32)"),
                        "0007000000");
    assert_string_equal(enc("{\"type\":\"int32\",\"optional\":true}", "null", "Int32"), "00000000");
    assert_string_equal(enc("{\"type\":\"array\",\"items\":{\"type\":\"int32\",\"optional\":"
                            "true}}",
                            "[1,null]", "Array(Nullable(Int32))"),
                        "02000100000001");
    assert_string_equal(enc("{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":"
                            "{\"type\":\"int64\"}}",
                            "{\"a\":1}", "Map(String, Int64)"),
                        "0101610100000000000000");
    assert_string_equal(enc("{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":"
                            "{\"type\":\"int64\"}}",
                            "{\"a\":1}", "String"),
                        "077b2261223a317d");
    assert_true(starts_with(enc("{\"type\":\"int32\"}", "1", "IPv4"), "ERR:"));
}

static void test_rowbinary_defaults_and_ints(void **state)
{
    const char *types[] = {"Int32",       "Nullable(String)", "String",         "UUID",
                           "Array(Int8)", "Enum8('x' = 5)",   "Decimal(20, 2)", "FixedString(3)"};
    const char *want[] = {"00000000",
                          "01",
                          "00",
                          "00000000000000000000000000000000",
                          "00",
                          "05",
                          "00000000000000000000000000000000",
                          "000000"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct ch_type t;
        char err[128];
        assert_int_equal(ch_type_parse(types[i], &t, err, sizeof(err)), 0);
        ch_buf out = {0};
        ch_encode_default(&out, &t);
        char hex[128] = "";
        for (size_t k = 0; k < out.len; k++) {
            snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", (uint8_t)out.p[k]);
        }
        assert_string_equal(hex, want[i]);
        assert_int_equal(ch_rowbinary_skip(&t, out.p, out.p + out.len), out.len);
        chb_free(&out);
        ch_type_free(&t);
    }
    struct ch_type t;
    char err[128];
    assert_int_equal(ch_type_parse("UInt64", &t, err, sizeof(err)), 0);
    ch_buf out = {0};
    struct ch_enc e = {.out = &out, .err = err, .errlen = sizeof(err)};
    assert_int_equal(ch_encode_int(&e, &t, 36701984), 0);
    assert_int_equal(out.len, 8);
    assert_int_equal(ch_rowbinary_skip(&t, out.p, out.p + 7), 0); /* truncated */
    chb_free(&out);
    ch_type_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_table_for_a_modern_server),
        cmocka_unit_test(test_create_table_for_clickhouse_18_16),
        cmocka_unit_test(test_create_table_without_key_is_append_only),
        cmocka_unit_test(test_server_versions),
        cmocka_unit_test(test_alter_and_insert_sql),
        cmocka_unit_test(test_type_parsing),
        cmocka_unit_test(test_rowbinary_integers),
        cmocka_unit_test(test_rowbinary_floats_and_bools),
        cmocka_unit_test(test_rowbinary_strings),
        cmocka_unit_test(test_rowbinary_debezium_logical_types_as_text),
        cmocka_unit_test(test_rowbinary_decimals),
        cmocka_unit_test(test_rowbinary_dates_and_times),
        cmocka_unit_test(test_rowbinary_uuid_enum_bits),
        cmocka_unit_test(test_rowbinary_nullable_arrays_maps),
        cmocka_unit_test(test_rowbinary_defaults_and_ints),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
