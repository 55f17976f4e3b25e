/*
 * test_props.c — the ordered props map, java.util.Properties.load semantics rule by rule,
 * JSON ↔ props (Jackson's coercions) and the standalone connector-file formats.
 * Fixtures: tests/data/config/. It must never depend on files outside the source tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/props.h"

static char fixture_path[1024];

static const char *fixture(const char *name)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    snprintf(fixture_path, sizeof fixture_path, "%s/config/%s", dir ? dir : "tests/data", name);
    return fixture_path;
}

static sl_props *parse(const char *text)
{
    sl_props *p = sl_props_new();
    char err[256];
    int rc = sl_props_parse(text, strlen(text), p, err, sizeof err);
    assert_int_equal(rc, 0);
    return p;
}

static void test_set_replaces_in_place_and_keeps_order(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    sl_props_set(p, "b", "1");
    sl_props_set(p, "a", "2");
    sl_props_set(p, "b", "3");
    assert_int_equal(sl_props_count(p), 2);
    assert_string_equal(sl_props_key_at(p, 0), "b");
    assert_string_equal(sl_props_value_at(p, 0), "3");
    assert_true(sl_props_remove(p, "b"));
    assert_false(sl_props_remove(p, "b"));
    assert_string_equal(sl_props_key_at(p, 0), "a");
    assert_null(sl_props_get(p, "b"));
    sl_props_free(p);
    sl_props_free(NULL);
}

static void test_subset_strips_prefix_and_equal_ignores_order(void **state)
{
    (void)state;
    sl_props *p = parse("consumer.a=1\nconsumer.b=2\nproducer.c=3\n");
    sl_props *s = sl_props_subset(p, "consumer.", true);
    assert_int_equal(sl_props_count(s), 2);
    assert_string_equal(sl_props_get(s, "b"), "2");
    sl_props *q = parse("b=2\na=1\n");
    assert_true(sl_props_equal(s, q));
    sl_props_set(q, "a", "x");
    assert_false(sl_props_equal(s, q));
    sl_props *d = sl_props_dup(p);
    assert_true(sl_props_equal(p, d));
    sl_props_free(p);
    sl_props_free(s);
    sl_props_free(q);
    sl_props_free(d);
}

static void test_java_rules_fixture_matches_java_properties_load(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    char err[256];
    assert_int_equal(sl_props_load_file(fixture("java_rules.properties"), p, err, sizeof err), 0);
    assert_string_equal(sl_props_get(p, "not.continued"), "comments never continue");
    assert_string_equal(sl_props_get(p, "Truth"), "Beauty");
    assert_string_equal(sl_props_get(p, "Truth2"), "Beauty");
    assert_string_equal(sl_props_get(p, "Truth3"), "Beauty");
    assert_string_equal(sl_props_get(p, "fruits"),
                        "apple, banana, pear, cantaloupe, watermelon, kiwi, mango");
    assert_string_equal(sl_props_get(p, "cheeses"), "");
    assert_string_equal(sl_props_get(p, "key:with=seps and space"), "v");
    assert_string_equal(sl_props_get(p, "tab"), "a\tb");
    assert_string_equal(sl_props_get(p, "unicode"), "caf\xC3\xA9");
    assert_string_equal(sl_props_get(p, "emoji"), "\xF0\x9F\x98\x80");
    assert_string_equal(sl_props_get(p, "other.escape"), "xyz");
    assert_string_equal(sl_props_get(p, "backslash"), "a\\");
    assert_string_equal(sl_props_get(p, "double.sep"), "= v");
    assert_string_equal(sl_props_get(p, "colon.then.equals"), "a=b");
    assert_string_equal(sl_props_get(p, "ws.sep"), "value with spaces");
    assert_string_equal(sl_props_get(p, "trailing.ws"), "v  ");
    assert_string_equal(sl_props_get(p, "dup"), "second");
    assert_string_equal(sl_props_get(p, ""), "empty key");
    assert_null(sl_props_get(p, "!"));
    assert_null(sl_props_get(p, "#"));
    sl_props_free(p);
}

static void test_crlf_cr_and_trailing_backslash_at_eof(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    char err[256];
    assert_int_equal(sl_props_load_file(fixture("line_endings.properties"), p, err, sizeof err), 0);
    assert_string_equal(sl_props_get(p, "crlf"), "a");
    assert_string_equal(sl_props_get(p, "cr"), "b");
    assert_string_equal(sl_props_get(p, "last"), "c");
    assert_int_equal(sl_props_count(p), 3);
    sl_props_free(p);
}

static void test_continuation_drops_leading_whitespace_of_next_line(void **state)
{
    (void)state;
    sl_props *p = parse("k = a\\\n      b\\\r\n\t c\n");
    assert_string_equal(sl_props_get(p, "k"), "abc");
    sl_props_free(p);
}

static void test_continuation_into_blank_line_ends_the_value(void **state)
{
    (void)state;
    sl_props *p = parse("k=a\\\n\nj=b\n");
    assert_string_equal(sl_props_get(p, "k"), "a");
    assert_string_equal(sl_props_get(p, "j"), "b");
    sl_props_free(p);
}

static void test_even_backslashes_do_not_continue(void **state)
{
    (void)state;
    sl_props *p = parse("k=a\\\\\nj=b\n");
    assert_string_equal(sl_props_get(p, "k"), "a\\");
    assert_string_equal(sl_props_get(p, "j"), "b");
    sl_props_free(p);
}

static void test_continued_line_starting_with_hash_is_not_a_comment(void **state)
{
    (void)state;
    sl_props *p = parse("k=a\\\n  #b\n");
    assert_string_equal(sl_props_get(p, "k"), "a#b");
    sl_props_free(p);
}

static void test_lone_backslash_line_at_eof_is_an_empty_key(void **state)
{
    (void)state;
    sl_props *p = parse("a=1\n\\\n");
    assert_int_equal(sl_props_count(p), 2);
    assert_string_equal(sl_props_get(p, ""), "");
    sl_props_free(p);
}

static void test_escaped_separator_and_whitespace_in_key(void **state)
{
    (void)state;
    sl_props *p = parse("a\\=b\\:c\\ d:e\n\\#notcomment=1\n");
    assert_string_equal(sl_props_get(p, "a=b:c d"), "e");
    assert_string_equal(sl_props_get(p, "#notcomment"), "1");
    sl_props_free(p);
}

static void test_escapes_in_values(void **state)
{
    (void)state;
    sl_props *p = parse("k=\\t\\n\\r\\f\\u0041\\u00e9\\q\n");
    assert_string_equal(sl_props_get(p, "k"), "\t\n\r\fA\xC3\xA9q");
    sl_props_free(p);
}

static void test_whitespace_separator_then_equals_is_one_separator(void **state)
{
    (void)state;
    sl_props *p = parse("k   =   v\nk2 \t: v2\nk3 v3 = x\n");
    assert_string_equal(sl_props_get(p, "k"), "v");
    assert_string_equal(sl_props_get(p, "k2"), "v2");
    assert_string_equal(sl_props_get(p, "k3"), "v3 = x");
    sl_props_free(p);
}

static void test_malformed_unicode_escape_is_an_error_with_line(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    char err[256];
    const char *text = "a=1\n\nb=\\u12g4\n";
    assert_int_equal(sl_props_parse(text, strlen(text), p, err, sizeof err), -1);
    assert_non_null(strstr(err, "3"));
    assert_non_null(strstr(err, "Malformed \\uxxxx encoding."));
    const char *shorter = "b=\\u12";
    assert_int_equal(sl_props_parse(shorter, strlen(shorter), p, err, sizeof err), -1);
    sl_props_free(p);
}

static void test_blank_and_comment_only_input_is_empty(void **state)
{
    (void)state;
    sl_props *p = parse("\n   \n# c\n\t! d\n");
    assert_int_equal(sl_props_count(p), 0);
    sl_props_free(p);
}

static void test_missing_file_names_the_path(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    char err[512];
    assert_int_equal(sl_props_load_file("/nonexistent/x.properties", p, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.properties"));
    sl_props_free(p);
}

static void test_json_numbers_and_booleans_become_text(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"s\":\"x\",\"i\":1,\"r\":1.5,\"t\":true,\"f\":false,\"big\":"
                           "9007199254740993}",
                           0, NULL);
    sl_props *p = sl_props_new();
    char err[256];
    assert_int_equal(sl_props_from_json(o, p, err, sizeof err), 0);
    assert_string_equal(sl_props_get(p, "s"), "x");
    assert_string_equal(sl_props_get(p, "i"), "1");
    assert_string_equal(sl_props_get(p, "r"), "1.5");
    assert_string_equal(sl_props_get(p, "t"), "true");
    assert_string_equal(sl_props_get(p, "f"), "false");
    assert_string_equal(sl_props_get(p, "big"), "9007199254740993");
    json_t *back = sl_props_to_json(p);
    assert_string_equal(json_string_value(json_object_get(back, "i")), "1");
    const char *first_key = json_object_iter_key(json_object_iter(back));
    assert_string_equal(first_key, "s");
    json_decref(back);
    json_decref(o);
    sl_props_free(p);
}

static void test_json_null_object_and_array_values_are_rejected(void **state)
{
    (void)state;
    char err[256];
    const char *bad[] = {"{\"k\":null}", "{\"k\":{}}", "{\"k\":[1]}", "[1]"};
    for (size_t i = 0; i < 4; i++) {
        json_t *o = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        sl_props *p = sl_props_new();
        assert_int_equal(sl_props_from_json(o, p, err, sizeof err), -1);
        sl_props_free(p);
        json_decref(o);
    }
    json_t *o = json_loads("{\"k\":null}", 0, NULL);
    sl_props *p = sl_props_new();
    assert_int_equal(sl_props_from_json(o, p, err, sizeof err), -1);
    assert_string_equal(err, "Null value can not be supplied as the configuration value.");
    assert_int_equal(sl_props_from_json_ex(o, p, true, err, sizeof err), 0);
    assert_true(sl_props_has(p, "k"));
    assert_null(sl_props_get(p, "k"));
    json_t *back = sl_props_to_json(p);
    assert_true(json_is_null(json_object_get(back, "k")));
    json_decref(back);
    sl_props_free(p);
    json_decref(o);
}

static void load_ok(const char *name, sl_props **cfg, char **state_out)
{
    char err[512];
    int rc = sl_props_load_connector_file(fixture(name), cfg, state_out, err, sizeof err);
    if (rc != 0) {
        fail_msg("%s: %s", name, err);
    }
}

static void test_connector_file_json_map_with_name(void **state)
{
    (void)state;
    sl_props *cfg = NULL;
    char *st = NULL;
    load_ok("connector_map.json", &cfg, &st);
    assert_null(st);
    assert_string_equal(sl_props_get(cfg, "name"), "local-file-sink");
    assert_string_equal(sl_props_get(cfg, "tasks.max"), "1");
    assert_string_equal(sl_props_get(cfg, "errors.log.enable"), "true");
    assert_string_equal(sl_props_key_at(cfg, 0), "name");
    sl_props_free(cfg);
}

static void test_connector_file_create_request_injects_name_and_state(void **state)
{
    (void)state;
    sl_props *cfg = NULL;
    char *st = NULL;
    load_ok("connector_request.json", &cfg, &st);
    assert_string_equal(st, "PAUSED");
    assert_string_equal(sl_props_get(cfg, "name"), "local-file-sink");
    assert_string_equal(sl_props_get(cfg, "topics"), "connect-test");
    free(st);
    sl_props_free(cfg);
}

static void test_connector_file_properties_with_name(void **state)
{
    (void)state;
    sl_props *cfg = NULL;
    char *st = NULL;
    load_ok("connector.properties", &cfg, &st);
    assert_null(st);
    assert_string_equal(sl_props_get(cfg, "name"), "local-file-sink");
    assert_string_equal(sl_props_get(cfg, "file"), "test.sink.txt");
    assert_int_equal(sl_props_count(cfg), 5);
    sl_props_free(cfg);
}

static void load_fails(const char *name, const char *expect)
{
    sl_props *cfg = (sl_props *)1;
    char *st = (char *)1;
    char err[512];
    assert_int_equal(sl_props_load_connector_file(fixture(name), &cfg, &st, err, sizeof err), -1);
    assert_null(cfg);
    assert_null(st);
    if (strstr(err, expect) == NULL) {
        fail_msg("%s: expected '%s' in '%s'", name, expect, err);
    }
}

static void test_connector_file_without_name_is_refused(void **state)
{
    (void)state;
    load_fails("connector_noname.json", "is missing the mandatory 'name' configuration");
    load_fails("connector_noname.properties", "is missing the mandatory 'name' configuration");
    /* an unknown initial_state is not a create request: Java falls through to .properties */
    load_fails("connector_request_bad_state.json", "is missing the mandatory 'name'");
}

static void test_connector_file_create_request_name_mismatch_is_refused(void **state)
{
    (void)state;
    load_fails("connector_request_mismatch.json",
               "Connector name configuration in 'config' doesn't match the one specified in "
               "'name'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_replaces_in_place_and_keeps_order),
        cmocka_unit_test(test_subset_strips_prefix_and_equal_ignores_order),
        cmocka_unit_test(test_java_rules_fixture_matches_java_properties_load),
        cmocka_unit_test(test_crlf_cr_and_trailing_backslash_at_eof),
        cmocka_unit_test(test_continuation_drops_leading_whitespace_of_next_line),
        cmocka_unit_test(test_continuation_into_blank_line_ends_the_value),
        cmocka_unit_test(test_even_backslashes_do_not_continue),
        cmocka_unit_test(test_continued_line_starting_with_hash_is_not_a_comment),
        cmocka_unit_test(test_lone_backslash_line_at_eof_is_an_empty_key),
        cmocka_unit_test(test_escaped_separator_and_whitespace_in_key),
        cmocka_unit_test(test_escapes_in_values),
        cmocka_unit_test(test_whitespace_separator_then_equals_is_one_separator),
        cmocka_unit_test(test_malformed_unicode_escape_is_an_error_with_line),
        cmocka_unit_test(test_blank_and_comment_only_input_is_empty),
        cmocka_unit_test(test_missing_file_names_the_path),
        cmocka_unit_test(test_json_numbers_and_booleans_become_text),
        cmocka_unit_test(test_json_null_object_and_array_values_are_rejected),
        cmocka_unit_test(test_connector_file_json_map_with_name),
        cmocka_unit_test(test_connector_file_create_request_injects_name_and_state),
        cmocka_unit_test(test_connector_file_properties_with_name),
        cmocka_unit_test(test_connector_file_without_name_is_refused),
        cmocka_unit_test(test_connector_file_create_request_name_mismatch_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
