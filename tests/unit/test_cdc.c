/*
 * test_cdc.c — the sinks' shared Debezium decoder (plugins/common/cdc.c) on real Debezium
 * records (tests/data/debezium, through the worker's JsonConverter and host table): envelopes with
 * and without schemas, unwrapped rows in rewrite mode, the three null-value forms, truncate,
 * schema-change and heartbeat events, source positions, the TOAST placeholder, and exact decimal,
 * date and time text.
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
#include "plugin/catalog.h"
#include "plugins/common/cdc.h"
#include "util/mem.h"

const struct sluice_host_api *sluice_host;

static sl_arena *arena;
static sl_jsonconv *with_schema, *without_schema;

static int setup(void **state)
{
    sluice_host = sl_host_api();
    arena = sl_arena_new(0);
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    with_schema = sl_jsonconv_new(&o);
    o.schemas_enable = false;
    without_schema = sl_jsonconv_new(&o);
    return 0;
}

static int teardown(void **state)
{
    sl_jsonconv_free(with_schema);
    sl_jsonconv_free(without_schema);
    sl_arena_destroy(arena);
    return 0;
}

/* A record from key/value JSON text (NULL = Kafka null). */
static sluice_record *rec(const char *topic, int64_t offset, const char *key, const char *value,
                          bool schemas)
{
    sl_jsonconv *c = schemas ? with_schema : without_schema;
    struct sluice_record *r = sl_arena_alloc(arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->topic = topic;
    r->offset = offset;
    r->timestamp = -1;
    char err[512];
    if (key != NULL) {
        assert_int_equal(sl_jsonconv_to_connect(c, arena, key, strlen(key), &r->key_schema, &r->key,
                                                err, sizeof(err)),
                         0);
    }
    if (value != NULL) {
        int rc = sl_jsonconv_to_connect(c, arena, value, strlen(value), &r->value_schema, &r->value,
                                        err, sizeof(err));
        if (rc != 0) {
            print_error("converter: %s\n", err);
            fail();
        }
    }
    return r;
}

/* Line `n` (1-based) of a data file, malloc'ed. */
static char *data_line(const char *file, int n)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/debezium/%s", getenv("SLUICE_TEST_DATA"), file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = 0;
    for (int i = 0; i < n; i++) {
        len = getline(&line, &cap, f);
        if (len <= 0) {
            fclose(f);
            free(line);
            return NULL;
        }
    }
    fclose(f);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    return line;
}

/* Member `name` of a JSON document as compact text (malloc'ed), or NULL when null/absent. */
static char *member_json(const char *doc, const char *name)
{
    json_error_t e;
    json_t *j = json_loads(doc, 0, &e);
    assert_non_null(j);
    json_t *m = json_object_get(j, name);
    char *out =
        m != NULL && !json_is_null(m) ? json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return out;
}

/* Record from line n of a {topic,partition,offset,key,value} .jsonl data file; NULL past EOF. */
static sluice_record *line_rec(const char *file, int n, bool schemas)
{
    char *line = data_line(file, n);
    if (line == NULL) {
        return NULL;
    }
    char *key = member_json(line, "key"), *value = member_json(line, "value");
    sluice_record *r = rec("shop.public.orders", n - 1, key, value, schemas);
    free(key);
    free(value);
    free(line);
    return r;
}

static char *whole_file(const char *file)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/debezium/%s", getenv("SLUICE_TEST_DATA"), file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *text_of(const sluice_value *v)
{
    assert_non_null(v);
    return sluice_host->val_string(v, NULL);
}

static void decode_ok(const sluice_record *r, sl_cdc_change *c, int mode)
{
    sl_cdc_opts o = {.mode = mode};
    char err[512] = "";
    sluice_rc rc = sl_cdc_decode(r, &o, c, err, sizeof(err));
    if (rc != SLUICE_OK) {
        fail_msg("decode failed: %s", err);
    }
}

static void test_postgres_snapshot_read_with_schema_is_an_upsert_at_its_lsn(void **state)
{
    sluice_record *r = line_rec("06_synthetic_postgres_orders_logical_types.jsonl", 1, true);
    sl_cdc_change c;
    decode_ok(r, &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_UPSERT);
    assert_int_equal(c.op, 'r');
    assert_int_equal(c.pos_kind, SL_CDC_POS_LSN);
    assert_int_equal(c.version, 36701984);
    assert_int_equal(c.table_len, 6);
    assert_memory_equal(c.table, "orders", 6);
    assert_int_equal(c.db_len, 6);
    assert_memory_equal(c.db, "public", 6);
    assert_non_null(c.row_schema);
    assert_string_equal(sluice_host->schema_name(c.row_schema), "shop.public.orders.Value");
    assert_string_equal(text_of(sl_cdc_field(c.row, "note")), "leave at door");
    assert_int_equal(sluice_host->val_int(sl_cdc_field(c.row, "id")), 1001);
    assert_non_null(c.source);
    assert_null(c.meta_fields);
    assert_int_equal(sluice_host->val_int(sl_cdc_field(c.key, "id")), 1001);
}

static void test_logical_values_of_the_orders_row_render_exactly(void **state)
{
    sluice_record *r = line_rec("06_synthetic_postgres_orders_logical_types.jsonl", 1, true);
    sl_cdc_change c;
    decode_ok(r, &c, SL_CDC_MODE_AUTO);
    char buf[128];
    const sluice_schema *s = c.row_schema;
    const sluice_value *amount = sl_cdc_field(c.row, "amount");
    assert_int_equal(
        sl_cdc_value_decimal_text(amount, sluice_host->val_schema(amount), buf, sizeof(buf)), 7);
    assert_string_equal(buf, "1234.50");
    const sluice_value *discount = sl_cdc_field(c.row, "discount");
    assert_true(sl_cdc_value_decimal_text(discount, NULL, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "12.345");
    for (size_t i = 0; i < sluice_host->schema_field_count(s); i++) {
        const char *name = sluice_host->schema_field_name(s, i);
        int lg = sl_cdc_logical(sluice_host->schema_field_schema(s, i));
        if (strcmp(name, "order_date") == 0) {
            assert_int_equal(lg, SL_CDC_L_DATE);
        } else if (strcmp(name, "created_at") == 0) {
            assert_int_equal(lg, SL_CDC_L_TIMESTAMP_MICROS);
        } else if (strcmp(name, "discount") == 0) {
            assert_int_equal(lg, SL_CDC_L_VARIABLE_DECIMAL);
        } else if (strcmp(name, "flags") == 0) {
            assert_int_equal(lg, SL_CDC_L_BITS);
        } else if (strcmp(name, "customer_id") == 0) {
            assert_int_equal(lg, SL_CDC_L_UUID);
        } else if (strcmp(name, "note") == 0) {
            assert_int_equal(lg, SL_CDC_L_NONE);
        }
    }
    sl_cdc_date_text(sluice_host->val_int(sl_cdc_field(c.row, "order_date")), buf, sizeof(buf));
    assert_string_equal(buf, "2026-03-14");
    sl_cdc_time_text(sluice_host->val_int(sl_cdc_field(c.row, "pickup_time")), 6, buf, sizeof(buf));
    assert_string_equal(buf, "14:30:15.123456");
    sl_cdc_timestamp_text(sluice_host->val_int(sl_cdc_field(c.row, "created_at")), 6, buf,
                          sizeof(buf));
    assert_string_equal(buf, "2026-03-14 14:30:15.123456");
}

static void test_every_op_of_the_postgres_stream_is_classified(void **state)
{
    /* 06: r, u, d, tombstone, c, t */
    static const int kinds[] = {SL_CDC_UPSERT, SL_CDC_UPSERT, SL_CDC_DELETE,
                                SL_CDC_DELETE, SL_CDC_UPSERT, SL_CDC_TRUNCATE};
    static const char ops[] = {'r', 'u', 'd', 0, 'c', 't'};
    for (int i = 1; i <= 6; i++) {
        sluice_record *r = line_rec("06_synthetic_postgres_orders_logical_types.jsonl", i, true);
        assert_non_null(r);
        sl_cdc_change c;
        decode_ok(r, &c, SL_CDC_MODE_AUTO);
        assert_int_equal(c.kind, kinds[i - 1]);
        assert_int_equal(c.op, ops[i - 1]);
        if (c.kind == SL_CDC_DELETE) {
            assert_non_null(c.key);
        }
        if (ops[i - 1] == 'd') {
            assert_non_null(c.row); /* the before image */
            assert_int_equal(c.pos_kind, SL_CDC_POS_LSN);
        }
    }
    assert_null(line_rec("06_synthetic_postgres_orders_logical_types.jsonl", 7, true));
}

static void test_schemaless_envelope_and_mysql_binlog_positions(void **state)
{
    const char *v1 = "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},"
                     "\"source\":{\"connector\":\"mysql\",\"db\":\"inventory\",\"table\":"
                     "\"customers\",\"file\":\"mysql-bin.000003\",\"pos\":154,\"row\":2},"
                     "\"op\":\"c\",\"ts_ms\":1}";
    const char *v2 = "{\"before\":null,\"after\":{\"id\":1,\"name\":\"b\"},"
                     "\"source\":{\"connector\":\"mysql\",\"db\":\"inventory\",\"table\":"
                     "\"customers\",\"file\":\"mysql-bin.000004\",\"pos\":4,\"row\":0},"
                     "\"op\":\"u\",\"ts_ms\":1}";
    sl_cdc_change a, b;
    decode_ok(rec("dbserver1.inventory.customers", 0, "{\"id\":1}", v1, false), &a,
              SL_CDC_MODE_DEBEZIUM);
    decode_ok(rec("dbserver1.inventory.customers", 1, "{\"id\":1}", v2, false), &b,
              SL_CDC_MODE_DEBEZIUM);
    assert_int_equal(a.kind, SL_CDC_UPSERT);
    assert_int_equal(a.pos_kind, SL_CDC_POS_BINLOG);
    assert_int_equal(a.version, (3ull << 44) | (154ull << 12) | 2);
    assert_true(b.version > a.version);
    assert_null(a.row_schema);
    assert_memory_equal(a.db, "inventory", 9);
    assert_string_equal(text_of(sl_cdc_field(b.row, "name")), "b");
}

static void test_the_docs_mysql_create_event_with_schema(void **state)
{
    char *json = whole_file("02_debezium-docs_mysql_customers_create.json");
    /* The file holds {"key":..,"value":..} or just the value; take the value object. */
    const char *v = strstr(json, "\"payload\"") != NULL ? json : NULL;
    assert_non_null(v);
    sluice_record *r = rec("mysql-server-1.inventory.customers", 3, NULL, json, true);
    sl_cdc_change c;
    decode_ok(r, &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_UPSERT);
    assert_int_equal(c.op, 'c');
    assert_int_equal(c.pos_kind, SL_CDC_POS_BINLOG);
    assert_memory_equal(c.table, "customers", 9);
    free(json);
}

static void test_null_value_forms_are_deletes_of_the_key(void **state)
{
    sl_cdc_change c;
    /* 1: Kafka tombstone */
    decode_ok(rec("shop.public.orders", 5, "{\"id\":9}", NULL, false), &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_DELETE);
    assert_int_equal(sluice_host->val_int(sl_cdc_field(c.key, "id")), 9);
    assert_null(c.row);
    assert_int_equal(c.pos_kind, SL_CDC_POS_OFFSET);
    assert_int_equal(c.version, 5);
    /* 2: a schema with a null payload (ExtractNewRecordState tombstone mode) */
    decode_ok(rec("shop.public.orders", 6, "{\"schema\":null,\"payload\":{\"id\":9}}",
                  "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":"
                  "false,\"field\":\"id\"}],\"optional\":true,\"name\":\"x.Value\"},"
                  "\"payload\":null}",
                  true),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_DELETE);
    /* 3: the JSON literal null with schemas.enable=false */
    decode_ok(rec("shop.public.orders", 7, "{\"id\":9}", "null", false), &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_DELETE);
    /* without a key there is nothing to delete */
    decode_ok(rec("shop.public.orders", 8, NULL, NULL, false), &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_SKIP);
    assert_string_equal(c.reason, "null value without a key");
    /* append mode skips nulls */
    decode_ok(rec("shop.public.orders", 8, "{\"id\":9}", NULL, false), &c, SL_CDC_MODE_APPEND);
    assert_int_equal(c.kind, SL_CDC_SKIP);
}

static void test_unwrapped_rewrite_rows_use_deleted_and_lsn(void **state)
{
    sl_cdc_change c;
    decode_ok(rec("shop.public.orders", 1, "{\"id\":1}",
                  "{\"id\":1,\"note\":\"x\",\"__deleted\":\"false\",\"__lsn\":36702112}", false),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_UPSERT);
    assert_int_equal(c.op, 0);
    assert_int_equal(c.pos_kind, SL_CDC_POS_LSN);
    assert_int_equal(c.version, 36702112);
    assert_non_null(c.meta_fields);
    assert_string_equal(c.meta_fields[0], "__deleted");
    assert_memory_equal(c.table, "orders", 6);
    assert_memory_equal(c.db, "public", 6);
    decode_ok(rec("shop.public.orders", 2, "{\"id\":1}",
                  "{\"id\":1,\"note\":\"x\",\"__deleted\":\"true\",\"__lsn\":36702200}", false),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_DELETE);
    assert_non_null(c.row);
    /* the 06b golden: every line decodes; the delete is the one with __deleted "true" */
    int deletes = 0, n = 0;
    sluice_record *r;
    while ((r = line_rec("06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl", n + 1, true)) !=
           NULL) {
        decode_ok(r, &c, SL_CDC_MODE_AUTO);
        assert_true(c.kind == SL_CDC_UPSERT || c.kind == SL_CDC_DELETE);
        assert_int_equal(c.pos_kind, SL_CDC_POS_LSN);
        deletes += c.kind == SL_CDC_DELETE;
        n++;
    }
    assert_int_equal(n, 4);
    assert_int_equal(deletes, 1);
}

static void test_non_data_events_are_skipped_and_debezium_mode_refuses_plain_rows(void **state)
{
    sl_cdc_change c;
    char *json = whole_file("05_debezium-docs_mysql_schema_change_topic_message.json");
    char *key = member_json(json, "key"), *value = member_json(json, "value");
    /* the docs elide the schema ("schema":{}): read it schemaless, as the wrapper it then is */
    decode_ok(rec("dbserver1", 0, key, value, false), &c, SL_CDC_MODE_AUTO);
    free(key);
    free(value);
    assert_int_equal(c.kind, SL_CDC_SKIP);
    assert_string_equal(c.reason, "schema change event");
    free(json);
    decode_ok(rec("__debezium-heartbeat.shop", 0, "{\"serverName\":\"shop\"}",
                  "{\"ts_ms\":1700000000000}", false),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_SKIP);
    assert_string_equal(c.reason, "heartbeat");
    decode_ok(rec("shop.transaction", 0, NULL,
                  "{\"status\":\"END\",\"id\":\"571:53195832\",\"event_count\":2,"
                  "\"data_collections\":[]}",
                  false),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_SKIP);
    sl_cdc_opts o = {.mode = SL_CDC_MODE_DEBEZIUM};
    char err[512] = "";
    assert_int_equal(
        sl_cdc_decode(rec("t", 4, NULL, "{\"id\":1}", false), &o, &c, err, sizeof(err)),
        SLUICE_ERR);
    assert_non_null(strstr(err, "is not a Debezium change event"));
    o.mode = SL_CDC_MODE_AUTO;
    assert_int_equal(sl_cdc_decode(rec("t", 4, NULL, "42", false), &o, &c, err, sizeof(err)),
                     SLUICE_ERR);
    assert_int_equal(
        sl_cdc_decode(
            rec("t", 4, NULL, "{\"op\":\"u\",\"after\":null,\"before\":null,\"source\":{}}", false),
            &o, &c, err, sizeof(err)),
        SLUICE_ERR);
    assert_non_null(strstr(err, "has no 'after' row"));
}

static void test_truncate_and_toast_placeholder(void **state)
{
    sl_cdc_change c;
    decode_ok(rec("shop.public.orders", 0, NULL,
                  "{\"before\":null,\"after\":null,\"source\":{\"connector\":\"postgresql\","
                  "\"db\":\"shopdb\",\"schema\":\"public\",\"table\":\"orders\",\"lsn\":5},"
                  "\"op\":\"t\"}",
                  false),
              &c, SL_CDC_MODE_AUTO);
    assert_int_equal(c.kind, SL_CDC_TRUNCATE);
    assert_memory_equal(c.table, "orders", 6);
    decode_ok(rec("shop.public.docs", 1, "{\"id\":1}",
                  "{\"before\":null,\"after\":{\"id\":1,\"body\":\"__debezium_unavailable_value\","
                  "\"t\":\"x\"},\"source\":{\"connector\":\"postgresql\",\"lsn\":9},\"op\":\"u\"}",
                  false),
              &c, SL_CDC_MODE_AUTO);
    assert_true(sl_cdc_is_unavailable(NULL, sl_cdc_field(c.row, "body")));
    assert_false(sl_cdc_is_unavailable(NULL, sl_cdc_field(c.row, "t")));
    assert_false(sl_cdc_is_unavailable(NULL, sl_cdc_field(c.row, "id")));
    sl_cdc_opts o = {.placeholder = "x"};
    assert_true(sl_cdc_is_unavailable(&o, sl_cdc_field(c.row, "t")));
}

static void test_decimal_text_is_exact_for_any_width(void **state)
{
    char buf[256];
    static const unsigned char d222[] = {0x00, 0xDE};
    assert_int_equal(sl_cdc_decimal_text(d222, 2, 2, buf, sizeof(buf)), 4);
    assert_string_equal(buf, "2.22");
    static const unsigned char neg[] = {0xFF, 0x22}; /* -222 */
    sl_cdc_decimal_text(neg, 2, 2, buf, sizeof(buf));
    assert_string_equal(buf, "-2.22");
    static const unsigned char five[] = {0x05};
    sl_cdc_decimal_text(five, 1, 3, buf, sizeof(buf));
    assert_string_equal(buf, "0.005");
    sl_cdc_decimal_text(five, 1, -2, buf, sizeof(buf));
    assert_string_equal(buf, "500");
    sl_cdc_decimal_text(five, 0, 2, buf, sizeof(buf));
    assert_string_equal(buf, "0.00");
    static const unsigned char billion[] = {0x3B, 0x9A, 0xCA, 0x00}; /* 10^9 */
    sl_cdc_decimal_text(billion, 4, 0, buf, sizeof(buf));
    assert_string_equal(buf, "1000000000");
    static const unsigned char minus_one[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    sl_cdc_decimal_text(minus_one, 5, 1, buf, sizeof(buf));
    assert_string_equal(buf, "-0.1");
    /* 2^127 - 1 (16 bytes): 170141183460469231731687303715884105727, scale 38 */
    unsigned char big[16];
    memset(big, 0xFF, sizeof(big));
    big[0] = 0x7F;
    sl_cdc_decimal_text(big, 16, 38, buf, sizeof(buf));
    assert_string_equal(buf, "1.70141183460469231731687303715884105727");
    /* -2^127 */
    memset(big, 0, sizeof(big));
    big[0] = 0x80;
    sl_cdc_decimal_text(big, 16, 0, buf, sizeof(buf));
    assert_string_equal(buf, "-170141183460469231731687303715884105728");
    assert_int_equal(sl_cdc_decimal_text(big, 16, 0, buf, 10), -1);
}

static void test_dates_and_times_across_the_epoch(void **state)
{
    char buf[64];
    sl_cdc_date_text(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01");
    sl_cdc_date_text(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31");
    sl_cdc_date_text(11016, buf, sizeof(buf));
    assert_string_equal(buf, "2000-02-29");
    sl_cdc_timestamp_text(-1, 6, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31 23:59:59.999999");
    sl_cdc_timestamp_text(1700000000123LL, 3, buf, sizeof(buf));
    assert_string_equal(buf, "2023-11-14 22:13:20.123");
    sl_cdc_timestamp_text(1700000000LL, 0, buf, sizeof(buf));
    assert_string_equal(buf, "2023-11-14 22:13:20");
    sl_cdc_time_text(86399999999999LL, 9, buf, sizeof(buf));
    assert_string_equal(buf, "23:59:59.999999999");
    assert_int_equal(sl_cdc_time_text(0, 3, buf, 5), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postgres_snapshot_read_with_schema_is_an_upsert_at_its_lsn),
        cmocka_unit_test(test_logical_values_of_the_orders_row_render_exactly),
        cmocka_unit_test(test_every_op_of_the_postgres_stream_is_classified),
        cmocka_unit_test(test_schemaless_envelope_and_mysql_binlog_positions),
        cmocka_unit_test(test_the_docs_mysql_create_event_with_schema),
        cmocka_unit_test(test_null_value_forms_are_deletes_of_the_key),
        cmocka_unit_test(test_unwrapped_rewrite_rows_use_deleted_and_lsn),
        cmocka_unit_test(test_non_data_events_are_skipped_and_debezium_mode_refuses_plain_rows),
        cmocka_unit_test(test_truncate_and_toast_placeholder),
        cmocka_unit_test(test_decimal_text_is_exact_for_any_width),
        cmocka_unit_test(test_dates_and_times_across_the_epoch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
