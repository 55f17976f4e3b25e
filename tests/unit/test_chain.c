/*
 * test_chain.c — the transform chain as a task builds it from connector config: resolution of
 * `transforms.<a>.type` by class name, simple name and alias, per-transform config, predicates
 * with negate, ordering, dropping, and error messages that name the transform class.
 * Records are built by hand; it never decodes JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>

#include "config/props.h"
#include "converters/convert.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "transforms/chain.h"

static sl_props *props_of(const char *k, ...)
{
    sl_props *p = sl_props_new();
    va_list ap;
    va_start(ap, k);
    for (; k != NULL; k = va_arg(ap, const char *)) {
        sl_props_set(p, k, va_arg(ap, const char *));
    }
    va_end(ap);
    return p;
}

static sl_chain *chain_of(sl_props *p, char *err, size_t errlen)
{
    err[0] = '\0';
    sl_chain *c = sl_chain_new(p, "conn", 0, err, errlen);
    sl_props_free(p);
    return c;
}

static sl_record *rec(sl_arena *a, const char *topic, bool tombstone)
{
    sl_record *r = sl_record_new(a);
    r->topic = topic;
    if (!tombstone) {
        r->value_schema = sl_schema_primitive(SLUICE_TYPE_STRING, false);
        r->value = sl_value_new_string(a, r->value_schema, "v", 1);
    }
    return r;
}

static sl_record *run(sl_chain *c, sl_record *in)
{
    char err[512];
    const char *failed = NULL;
    sl_record *out = (sl_record *)0x1;
    assert_int_equal(sl_chain_apply(c, in, &out, &failed, err, sizeof err), SLUICE_OK);
    assert_null(failed);
    return out;
}

static void test_chain_is_empty_without_transforms(void **u)
{
    char err[512];
    sl_arena *a = sl_arena_new(0);
    sl_chain *c = chain_of(props_of("name", "conn", NULL), err, sizeof err);
    assert_non_null(c);
    assert_int_equal(sl_chain_len(c), 0);
    sl_record *r = rec(a, "t", false);
    assert_ptr_equal(run(c, r), r);
    sl_chain_free(c);
    sl_arena_destroy(a);
}

static void test_chain_resolves_class_simple_name_and_alias_and_runs_in_order(void **u)
{
    char err[512];
    sl_arena *a = sl_arena_new(0);
    sl_chain *c = chain_of(
        props_of("transforms", " first , second,third", "transforms.first.type",
                 "org.apache.kafka.connect.transforms.RegexRouter", "transforms.first.regex",
                 "shop\\.public\\.(.*)", "transforms.first.replacement", "stage_$1",
                 "transforms.second.type", "RegexRouter", "transforms.second.regex", "stage_(.*)",
                 "transforms.second.replacement", "final_$1", "transforms.third.type", "unwrap",
                 NULL),
        err, sizeof err);
    assert_non_null(c);
    assert_int_equal(sl_chain_len(c), 3);
    sl_chain_set_batch_arena(c, a);
    assert_string_equal(run(c, rec(a, "shop.public.orders", false))->topic, "final_orders");
    sl_chain_free(c);
    sl_arena_destroy(a);
}

static void test_chain_predicate_with_negate_selects_records(void **u)
{
    char err[512];
    sl_arena *a = sl_arena_new(0);
    sl_chain *c =
        chain_of(props_of("transforms", "route", "transforms.route.type", "RegexRouter",
                          "transforms.route.regex", "(.*)", "transforms.route.replacement", "$1-x",
                          "transforms.route.predicate", "isShop", "transforms.route.negate", "true",
                          "predicates", "isShop", "predicates.isShop.type",
                          "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
                          "predicates.isShop.pattern", "shop\\..*", NULL),
                 err, sizeof err);
    assert_non_null(c);
    sl_chain_set_batch_arena(c, a);
    assert_string_equal(run(c, rec(a, "shop.orders", false))->topic, "shop.orders");
    assert_string_equal(run(c, rec(a, "other", false))->topic, "other-x");
    sl_chain_free(c);
    sl_arena_destroy(a);
}

static void test_chain_predicate_without_negate_and_dropping_transform(void **u)
{
    char err[512];
    sl_arena *a = sl_arena_new(0);
    /* unwrap in default mode drops tombstones; the predicate limits it to tombstones, and a
     * router after it must never see the dropped record. */
    sl_chain *c = chain_of(props_of("transforms", "unwrap,route", "transforms.unwrap.type",
                                    "io.debezium.transforms.ExtractNewRecordState",
                                    "transforms.unwrap.predicate", "tomb", "transforms.route.type",
                                    "RegexRouter", "transforms.route.regex", ".*",
                                    "transforms.route.replacement", "routed", "predicates", "tomb",
                                    "predicates.tomb.type", "RecordIsTombstone", NULL),
                           err, sizeof err);
    assert_non_null(c);
    sl_chain_set_batch_arena(c, a);
    assert_null(run(c, rec(a, "t", true)));
    assert_string_equal(run(c, rec(a, "t", false))->topic, "routed");
    sl_chain_free(c);
    sl_arena_destroy(a);
}

static void test_chain_unknown_type_names_alias_and_class(void **u)
{
    char err[512];
    sl_chain *c =
        chain_of(props_of("transforms", "x", "transforms.x.type", "com.example.Nope", NULL), err,
                 sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "transforms.x.type"));
    assert_non_null(strstr(err, "com.example.Nope"));
    c = chain_of(props_of("transforms", "y", NULL), err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "Missing required configuration \"transforms.y.type\""));
}

static void test_chain_bad_transform_config_names_the_class(void **u)
{
    char err[512];
    sl_chain *c =
        chain_of(props_of("transforms", "r", "transforms.r.type", "RegexRouter",
                          "transforms.r.regex", "(a)", "transforms.r.replacement", "$2", NULL),
                 err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "org.apache.kafka.connect.transforms.RegexRouter"));
    c = chain_of(props_of("transforms", "r", "transforms.r.type", "RegexRouter", NULL), err,
                 sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "RegexRouter"));
}

static void test_chain_predicate_must_be_declared(void **u)
{
    char err[512];
    sl_chain *c = chain_of(props_of("transforms", "u", "transforms.u.type", "unwrap",
                                    "transforms.u.predicate", "p", NULL),
                           err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "transforms.u.predicate"));
    c = chain_of(props_of("transforms", "u,u", "transforms.u.type", "unwrap", NULL), err,
                 sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "Duplicate alias"));
}

/* Lines of a 06-style file as {topic, offset, value bytes (NULL for a tombstone)}. */
struct line {
    char topic[128];
    int64_t offset;
    char *value;
    json_t *payload;
};

static size_t read_lines(const char *file, struct line *out, size_t max)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/debezium/%s", dir != NULL ? dir : "tests/data", file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    while (getline(&buf, &cap, f) > 0 && n < max) {
        json_error_t jerr;
        json_t *j = json_loads(buf, 0, &jerr);
        if (j == NULL) {
            continue;
        }
        struct line *l = &out[n++];
        snprintf(l->topic, sizeof l->topic, "%s", json_string_value(json_object_get(j, "topic")));
        l->offset = json_integer_value(json_object_get(j, "offset"));
        json_t *v = json_object_get(j, "value");
        l->value = json_is_null(v) ? NULL : json_dumps(v, JSON_COMPACT);
        l->payload = json_is_null(v) ? NULL : json_incref(json_object_get(v, "payload"));
        json_decref(j);
    }
    free(buf);
    fclose(f);
    return n;
}

static void free_lines(struct line *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(l[i].value);
        json_decref(l[i].payload);
    }
}

/* 06 through the real JsonConverter and a chain `unwrap` back out as JSON equals 06b. */
static void test_chain_with_json_converter_reproduces_golden_06b(void **u)
{
    char err[512];
    struct line in[16], want[16];
    size_t n = read_lines("06_synthetic_postgres_orders_logical_types.jsonl", in, 16);
    size_t nwant = read_lines("06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl", want, 16);
    assert_int_equal(n, 6);
    assert_int_equal(nwant, 4);
    sl_props *conn = props_of("value.converter", "org.apache.kafka.connect.json.JsonConverter",
                              "value.converter.schemas.enable", "true", NULL);
    sl_converter *cv = sl_converter_new(conn, NULL, false, "conn", 0, err, sizeof err);
    sl_props_free(conn);
    if (cv == NULL) {
        fail_msg("JsonConverter: %s", err);
    }
    sl_chain *c = chain_of(props_of("transforms", "unwrap", "transforms.unwrap.type",
                                    "io.debezium.transforms.ExtractNewRecordState",
                                    "transforms.unwrap.delete.tombstone.handling.mode", "rewrite",
                                    "transforms.unwrap.add.fields", "op,lsn,source.ts_ms", NULL),
                           err, sizeof err);
    assert_non_null(c);
    sl_arena *a = sl_arena_new(0);
    sl_chain_set_batch_arena(c, a);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        sl_record *r = sl_record_new(a);
        r->topic = in[i].topic;
        r->offset = in[i].offset;
        assert_int_equal(sl_converter_to_connect(cv, a, r->topic, in[i].value,
                                                 in[i].value != NULL ? strlen(in[i].value) : 0,
                                                 &r->value_schema, &r->value, err, sizeof err),
                         SLUICE_OK);
        sl_record *o = run(c, r);
        if (o == NULL) {
            continue;
        }
        assert_true(k < nwant);
        assert_int_equal(o->offset, want[k].offset);
        sl_buf b = SL_BUF_INIT;
        bool is_null = false;
        assert_int_equal(sl_converter_from_connect(cv, o->topic, o->value_schema, o->value, &b,
                                                   &is_null, err, sizeof err),
                         SLUICE_OK);
        json_error_t jerr;
        json_t *got = json_loads(b.data, 0, &jerr);
        assert_non_null(got);
        if (!json_equal(json_object_get(got, "payload"), want[k].payload)) {
            fail_msg("offset %lld: got %s", (long long)o->offset, b.data);
        }
        json_decref(got);
        sl_buf_free(&b);
        k++;
    }
    assert_int_equal(k, nwant);
    sl_chain_free(c);
    sl_converter_free(cv);
    sl_arena_destroy(a);
    free_lines(in, n);
    free_lines(want, nwant);
}

int main(void)
{
    sl_catalog_register_builtins();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_is_empty_without_transforms),
        cmocka_unit_test(test_chain_resolves_class_simple_name_and_alias_and_runs_in_order),
        cmocka_unit_test(test_chain_predicate_with_negate_selects_records),
        cmocka_unit_test(test_chain_predicate_without_negate_and_dropping_transform),
        cmocka_unit_test(test_chain_unknown_type_names_alias_and_class),
        cmocka_unit_test(test_chain_bad_transform_config_names_the_class),
        cmocka_unit_test(test_chain_predicate_must_be_declared),
        cmocka_unit_test(test_chain_with_json_converter_reproduces_golden_06b),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
