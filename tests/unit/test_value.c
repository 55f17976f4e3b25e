/*
 * test_value.c — the Connect data model: schema ids and shared primitives, parameters and fields,
 * copies and equality, values, records and headers, Base64, decimal text (canonical and
 * BigDecimal.toString), Java number formatting, and the schemaless JSON writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "data/value.h"

static char text_buf[256];

static const char *dec_text(const unsigned char *p, size_t n, int32_t scale, bool java)
{
    sl_buf b = SL_BUF_INIT;
    if (java) {
        sl_decimal_to_java_text(p, n, scale, &b);
    } else {
        sl_decimal_to_text(p, n, scale, &b);
    }
    snprintf(text_buf, sizeof(text_buf), "%s", b.data ? b.data : "");
    sl_buf_free(&b);
    return text_buf;
}

static const char *dbl_text(double d, bool is_float)
{
    sl_buf b = SL_BUF_INIT;
    sl_json_write_double(&b, d, is_float);
    snprintf(text_buf, sizeof(text_buf), "%s", b.data);
    sl_buf_free(&b);
    return text_buf;
}

static void test_schema_ids_are_unique_and_primitives_shared(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *x = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "x");
    sl_schema *y = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "x");
    assert_true(x->id != y->id);
    assert_true(sl_schema_equal(x, y));
    const sl_schema *p = sl_schema_primitive(SLUICE_TYPE_INT32, true);
    assert_ptr_equal(p, sl_schema_primitive(SLUICE_TYPE_INT32, true));
    assert_ptr_not_equal(p, sl_schema_primitive(SLUICE_TYPE_INT32, false));
    assert_true(p->optional);
    assert_int_equal(p->type, SLUICE_TYPE_INT32);
    assert_true(p->id != x->id && p->id != sl_schema_primitive(SLUICE_TYPE_INT32, false)->id);
    assert_null(sl_schema_primitive(SLUICE_TYPE_STRUCT, false));
    sl_arena_destroy(a);
}

static void test_schema_name_sets_logical_type_and_scale_param(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *d =
        sl_schema_new(a, SLUICE_TYPE_BYTES, false, "org.apache.kafka.connect.data.Decimal");
    assert_int_equal(d->logical, SLUICE_LOGICAL_DECIMAL);
    sl_schema_set_param(a, d, "scale", "4");
    sl_schema_set_param(a, d, "connect.decimal.precision", "10");
    sl_schema_set_param(a, d, "scale", "5");
    assert_int_equal(d->scale, 5);
    assert_int_equal(d->nparams, 2);
    assert_string_equal(d->param_keys[1], "connect.decimal.precision");
    assert_string_equal(sl_schema_param(d, "scale"), "5");
    assert_null(sl_schema_param(d, "nope"));
    assert_int_equal(
        sl_schema_new(a, SLUICE_TYPE_INT32, 0, "org.apache.kafka.connect.data.Date")->logical,
        SLUICE_LOGICAL_DATE);
    assert_int_equal(
        sl_schema_new(a, SLUICE_TYPE_INT32, 0, "org.apache.kafka.connect.data.Time")->logical,
        SLUICE_LOGICAL_TIME);
    assert_int_equal(
        sl_schema_new(a, SLUICE_TYPE_INT64, 0, "org.apache.kafka.connect.data.Timestamp")->logical,
        SLUICE_LOGICAL_TIMESTAMP);
    assert_int_equal(sl_schema_new(a, SLUICE_TYPE_INT32, 0, "io.debezium.time.Date")->logical,
                     SLUICE_LOGICAL_NONE);
    sl_arena_destroy(a);
}

static void test_struct_fields_grow_and_are_found_by_name(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *s = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, NULL);
    char name[16];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        sl_schema_add_field(a, s, name, sl_schema_primitive(SLUICE_TYPE_INT64, false));
    }
    assert_int_equal(s->nfields, 40);
    assert_int_equal(sl_schema_field_index(s, "f0"), 0);
    assert_int_equal(sl_schema_field_index(s, "f39"), 39);
    assert_int_equal(sl_schema_field_index(s, "f40"), -1);
    sl_arena_destroy(a);
}

static void test_schema_copy_is_equal_with_new_ids_and_survives_source_arena(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_arena *b = sl_arena_new(0);
    sl_schema *s = sl_schema_new(a, SLUICE_TYPE_STRUCT, true, "n");
    sl_schema *arr = sl_schema_new(a, SLUICE_TYPE_ARRAY, false, NULL);
    arr->items = sl_schema_primitive(SLUICE_TYPE_STRING, false);
    sl_schema_add_field(a, s, "a", arr);
    sl_schema *def = sl_schema_new(a, SLUICE_TYPE_STRING, true, NULL);
    def->has_default = 1;
    def->def = sl_value_new_string(a, def, "dflt", 4);
    def->doc = "doc";
    sl_schema_add_field(a, s, "d", def);
    sl_schema *c = sl_schema_copy(b, s);
    assert_true(c->id != s->id);
    assert_true(sl_schema_equal(c, s));
    sl_arena_destroy(a);
    assert_string_equal(c->fields[1].schema->def->u.s.p, "dflt");
    assert_string_equal(c->fields[1].name, "d");
    assert_int_equal(c->fields[0].schema->items->type, SLUICE_TYPE_STRING);
    sl_arena_destroy(b);
}

static void test_schema_equal_notices_each_difference(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *x = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "n");
    sl_schema_add_field(a, x, "a", sl_schema_primitive(SLUICE_TYPE_INT32, false));
    sl_schema *y = sl_schema_copy(a, x);
    assert_true(sl_schema_equal(x, y));
    y->version = 3;
    assert_false(sl_schema_equal(x, y));
    y = sl_schema_copy(a, x);
    sl_schema_set_param(a, y, "k", "v");
    assert_false(sl_schema_equal(x, y));
    y = sl_schema_copy(a, x);
    y->fields[0].schema = sl_schema_primitive(SLUICE_TYPE_INT32, true);
    assert_false(sl_schema_equal(x, y));
    y = sl_schema_copy(a, x);
    y->fields[0].name = "b";
    assert_false(sl_schema_equal(x, y));
    assert_false(sl_schema_equal(x, NULL));
    assert_true(sl_schema_equal(NULL, NULL));
    sl_arena_destroy(a);
}

static void test_values_copy_and_compare_deeply(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_schema *s = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, NULL);
    sl_schema_add_field(a, s, "s", sl_schema_primitive(SLUICE_TYPE_STRING, true));
    sl_schema_add_field(a, s, "b", sl_schema_primitive(SLUICE_TYPE_BYTES, true));
    sl_value *v = sl_value_new_struct(a, s);
    assert_int_equal(v->u.arr.n, 2);
    assert_null(v->u.arr.items[0]);
    v->u.arr.items[0] = sl_value_new_string(a, s->fields[0].schema, "abc", 3);
    v->u.arr.items[1] = sl_value_new_bytes(a, s->fields[1].schema, "\0\1", 2);
    sl_arena *b = sl_arena_new(0);
    sl_value *c = sl_value_copy(b, v);
    assert_true(sl_value_equal(v, c));
    assert_ptr_not_equal(c->u.arr.items[0]->u.s.p, v->u.arr.items[0]->u.s.p);
    assert_string_equal(sl_value_get(c, "s")->u.s.p, "abc");
    assert_null(sl_value_get(c, "zz"));
    c->u.arr.items[1] = sl_value_new_bytes(b, s->fields[1].schema, "\0\2", 2);
    assert_false(sl_value_equal(v, c));
    assert_false(sl_value_equal(sl_value_new_int(a, NULL, SLUICE_TYPE_INT64, 1),
                                sl_value_new_int(a, NULL, SLUICE_TYPE_INT32, 1)));
    assert_true(sl_value_equal(sl_value_new_double(a, NULL, SLUICE_TYPE_FLOAT64, 0.0 / 0.0),
                               sl_value_new_double(a, NULL, SLUICE_TYPE_FLOAT64, 0.0 / 0.0)));
    const char *buf = "wrapped";
    sl_value *w = sl_value_wrap_string(a, NULL, buf, 7);
    assert_ptr_equal(w->u.s.p, buf);
    sl_arena_destroy(a);
    sl_arena_destroy(b);
}

static void test_records_add_remove_and_copy_headers(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *r = sl_record_new(a);
    assert_int_equal(r->timestamp, -1);
    for (int i = 0; i < 10; i++) {
        sl_record_add_header(a, r, i % 2 ? "odd" : "even", sl_value_new_int(a, NULL, 4, i));
    }
    assert_int_equal(r->nheaders, 10);
    sl_record *c = sl_record_copy(a, r);
    assert_int_equal(sl_record_remove_headers(r, "odd"), 5);
    assert_int_equal(r->nheaders, 5);
    assert_int_equal(r->headers[4].value->u.i, 8);
    assert_int_equal(c->nheaders, 10);
    assert_string_equal(c->headers[9].key, "odd");
    sl_arena_destroy(a);
}

static void test_base64_matches_rfc4648_vectors_and_rejects_garbage(void **state)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        sl_buf b = SL_BUF_INIT;
        sl_base64_encode(plain[i], strlen(plain[i]), &b);
        assert_string_equal(b.data ? b.data : "", enc[i]);
        sl_buf_free(&b);
        unsigned char out[16];
        ssize_t n = sl_base64_decode(enc[i], strlen(enc[i]), out, sizeof(out));
        assert_int_equal(n, (ssize_t)strlen(plain[i]));
        assert_memory_equal(out, plain[i], (size_t)n);
    }
    unsigned char out[16];
    assert_int_equal(sl_base64_decode("Zg=", 3, out, sizeof(out)), -1);
    assert_int_equal(sl_base64_decode("Z!==", 4, out, sizeof(out)), -1);
    assert_int_equal(sl_base64_decode("Zg==Zg==", 8, out, sizeof(out)), -1);
    assert_int_equal(sl_base64_decode("Zm9vYmFy", 8, out, 5), -1);
}

static void test_decimal_text_from_unscaled_twos_complement(void **state)
{
    static const unsigned char d222[] = {0x00, 0xDE};
    static const unsigned char neg995[] = {0xFC, 0x1D};
    static const unsigned char big[] = {0x01, 0xE2, 0x3A};
    static const unsigned char zero[] = {0x00};
    static const unsigned char minus1[] = {0xFF};
    static const unsigned char five[] = {0x05};
    assert_string_equal(dec_text(d222, 2, 2, false), "2.22");
    assert_string_equal(dec_text(neg995, 2, 2, false), "-9.95");
    assert_string_equal(dec_text(big, 3, 2, false), "1234.50");
    assert_string_equal(dec_text(zero, 1, 2, false), "0.00");
    assert_string_equal(dec_text(minus1, 1, 3, false), "-0.001");
    assert_string_equal(dec_text(five, 1, -2, false), "500");
    assert_string_equal(dec_text(five, 1, 0, false), "5");
    /* 2^70 = 1180591620717411303424 */
    static const unsigned char p70[] = {0x40, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_string_equal(dec_text(p70, 9, 0, false), "1180591620717411303424");
    /* BigDecimal.toString uses exponents for negative scales and small magnitudes */
    assert_string_equal(dec_text(five, 1, -3, true), "5E+3");
    assert_string_equal(dec_text(big, 3, -1, true), "1.23450E+6");
    assert_string_equal(dec_text(five, 1, 7, true), "5E-7");
    assert_string_equal(dec_text(five, 1, 6, true), "0.000005");
    assert_string_equal(dec_text(neg995, 2, 2, true), "-9.95");
}

static void test_decimal_from_text_rescales_exactly(void **state)
{
    sl_arena *a = sl_arena_new(0);
    struct {
        const char *in;
        int32_t scale;
        const char *back;
    } ok[] = {
        {"1234.5", 2, "1234.50"},
        {"-9.95", 2, "-9.95"},
        {"0", 3, "0.000"},
        {"1e3", 0, "1000"},
        {"1.5E-1", 2, "0.15"},
        {"-128", 0, "-128"},
        {"128", 0, "128"},
        {"12.300", 1, "12.3"},
        {"123456789876543212345678987654321.110", 3, "123456789876543212345678987654321.110"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const unsigned char *p;
        size_t n;
        assert_int_equal(sl_decimal_from_text(a, ok[i].in, strlen(ok[i].in), ok[i].scale, &p, &n),
                         0);
        assert_string_equal(dec_text(p, n, ok[i].scale, false), ok[i].back);
    }
    const unsigned char *p;
    size_t n;
    assert_int_equal(sl_decimal_from_text(a, "-128", 4, 0, &p, &n), 0);
    assert_int_equal(n, 1); /* minimal two's complement: 0x80 */
    assert_int_equal(p[0], 0x80);
    assert_int_equal(sl_decimal_from_text(a, "1.25", 4, 1, &p, &n), -1);
    assert_int_equal(sl_decimal_from_text(a, "abc", 3, 1, &p, &n), -1);
    assert_int_equal(sl_decimal_from_text(a, "1e", 2, 1, &p, &n), -1);
    assert_int_equal(sl_decimal_from_text(a, "", 0, 1, &p, &n), -1);
    sl_arena_destroy(a);
}

static void test_doubles_print_like_java(void **state)
{
    assert_string_equal(dbl_text(1.0, false), "1.0");
    assert_string_equal(dbl_text(100.0, false), "100.0");
    assert_string_equal(dbl_text(3.14, false), "3.14");
    assert_string_equal(dbl_text(-0.5, false), "-0.5");
    assert_string_equal(dbl_text(0.001, false), "0.001");
    assert_string_equal(dbl_text(0.0001, false), "1.0E-4");
    assert_string_equal(dbl_text(1e7, false), "1.0E7");
    assert_string_equal(dbl_text(9999999.0, false), "9999999.0");
    assert_string_equal(dbl_text(1.2345e21, false), "1.2345E21");
    assert_string_equal(dbl_text(0.0, false), "0.0");
    assert_string_equal(dbl_text(0.1 + 0.2, false), "0.30000000000000004");
    assert_string_equal(dbl_text((double)3.14f, true), "3.14");
    assert_string_equal(dbl_text((double)3.14f, false), "3.140000104904175");
    assert_string_equal(dbl_text(0.0 / 0.0, false), "\"NaN\"");
    assert_string_equal(dbl_text(-1.0 / 0.0, false), "\"-Infinity\"");
}

static void test_json_strings_escape_like_jackson(void **state)
{
    sl_buf b = SL_BUF_INIT;
    sl_json_write_string(&b, "a\"b\\c\n\t\x01/\xc3\xa9", 11);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\"");
    sl_buf_free(&b);
}

static void test_schemaless_json_writer(void **state)
{
    sl_arena *a = sl_arena_new(0);
    sl_value *m = sl_value_new_map(a, NULL, 3);
    m->u.map.keys[0] = sl_value_new_string(a, NULL, "i", 1);
    m->u.map.vals[0] = sl_value_new_int(a, NULL, SLUICE_TYPE_INT64, -5);
    m->u.map.keys[1] = sl_value_new_string(a, NULL, "b", 1);
    m->u.map.vals[1] = sl_value_new_bytes(a, NULL, "hi", 2);
    m->u.map.keys[2] = sl_value_new_string(a, NULL, "n", 1);
    m->u.map.vals[2] = NULL;
    sl_buf b = SL_BUF_INIT;
    sl_value_to_json(m, &b);
    assert_string_equal(b.data, "{\"i\":-5,\"b\":\"aGk=\",\"n\":null}");
    sl_buf_reset(&b);
    sl_value *m2 = sl_value_new_map(a, NULL, 1);
    m2->u.map.keys[0] = sl_value_new_int(a, NULL, SLUICE_TYPE_INT32, 1);
    m2->u.map.vals[0] = sl_value_new_bool(a, NULL, false);
    sl_value_to_json(m2, &b);
    assert_string_equal(b.data, "[[1,false]]");
    sl_buf_reset(&b);
    sl_schema *d =
        sl_schema_new(a, SLUICE_TYPE_BYTES, false, "org.apache.kafka.connect.data.Decimal");
    sl_schema_set_param(a, d, "scale", "2");
    sl_value_to_json(sl_value_new_bytes(a, d, "\x00\xde", 2), &b);
    assert_string_equal(b.data, "2.22");
    sl_buf_reset(&b);
    sl_value_to_json(NULL, &b);
    assert_string_equal(b.data, "null");
    sl_buf_free(&b);
    sl_arena_destroy(a);
}

static void test_type_names_map_both_ways(void **state)
{
    for (int t = SLUICE_TYPE_INT8; t <= SLUICE_TYPE_STRUCT; t++) {
        const char *n = sl_type_json_name(t);
        assert_int_equal(sl_type_from_json_name(n, strlen(n)), t);
    }
    assert_string_equal(sl_type_json_name(SLUICE_TYPE_FLOAT32), "float");
    assert_string_equal(sl_type_java_name(SLUICE_TYPE_FLOAT64), "FLOAT64");
    assert_int_equal(sl_type_from_json_name("float32", 7), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_ids_are_unique_and_primitives_shared),
        cmocka_unit_test(test_schema_name_sets_logical_type_and_scale_param),
        cmocka_unit_test(test_struct_fields_grow_and_are_found_by_name),
        cmocka_unit_test(test_schema_copy_is_equal_with_new_ids_and_survives_source_arena),
        cmocka_unit_test(test_schema_equal_notices_each_difference),
        cmocka_unit_test(test_values_copy_and_compare_deeply),
        cmocka_unit_test(test_records_add_remove_and_copy_headers),
        cmocka_unit_test(test_base64_matches_rfc4648_vectors_and_rejects_garbage),
        cmocka_unit_test(test_decimal_text_from_unscaled_twos_complement),
        cmocka_unit_test(test_decimal_from_text_rescales_exactly),
        cmocka_unit_test(test_doubles_print_like_java),
        cmocka_unit_test(test_json_strings_escape_like_jackson),
        cmocka_unit_test(test_schemaless_json_writer),
        cmocka_unit_test(test_type_names_map_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
