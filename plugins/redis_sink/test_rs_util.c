/*
 * test_rs_util.c — unit tests of the Redis sink's pure helpers: key templates, RESP command
 * building (including arguments whose length is known only after writing), glob escaping for
 * truncates, redis.uri parsing, and the text/JSON/base64 writers. No Redis and no worker needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rs_util.h"

static void test_template_parses_placeholders_and_literals(void **state)
{
    (void)state;
    rs_tpl t;
    char err[128];
    assert_int_equal(rs_tpl_parse("${table}:${id}-$${x}${key}", &t, err, sizeof(err)), 0);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.parts[0].kind, RS_TPL_TABLE);
    assert_int_equal(t.parts[1].kind, RS_TPL_LITERAL);
    assert_string_equal(t.parts[1].text, ":");
    assert_int_equal(t.parts[2].kind, RS_TPL_FIELD);
    assert_string_equal(t.parts[2].text, "id");
    assert_int_equal(t.parts[3].kind, RS_TPL_LITERAL);
    assert_string_equal(t.parts[3].text, "-${x}");
    assert_int_equal(t.parts[4].kind, RS_TPL_KEY);
    assert_true(rs_tpl_per_row(&t));
    assert_true(rs_tpl_has(&t, RS_TPL_TABLE));
    assert_false(rs_tpl_has(&t, RS_TPL_TOPIC));
    rs_tpl_free(&t);

    assert_int_equal(rs_tpl_parse("${topic}", &t, err, sizeof(err)), 0);
    assert_false(rs_tpl_per_row(&t));
    rs_tpl_free(&t);
}

static void test_template_rejects_bad_syntax(void **state)
{
    (void)state;
    rs_tpl t;
    char err[128];
    assert_int_equal(rs_tpl_parse("orders:${id", &t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unclosed"));
    assert_int_equal(rs_tpl_parse("a${}", &t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(rs_tpl_parse("", &t, err, sizeof(err)), -1);
}

static void test_resp_command_is_exact(void **state)
{
    (void)state;
    rs_cmd c = {0};
    rs_buf out = {0};
    rs_cmd_begin(&c);
    rs_cmd_arg_str(&c, "HSET");
    rs_cmd_arg_str(&c, "k");
    rs_cmd_arg(&c, "a\r\nb", 4); /* binary-safe */
    rs_cmd_arg_int(&c, -42);
    rs_cmd_end(&c, &out);
    const char want[] = "*4\r\n$4\r\nHSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n$3\r\n-42\r\n";
    assert_int_equal(out.len, sizeof(want) - 1);
    assert_memory_equal(out.p, want, sizeof(want) - 1);
    rs_cmd_free(&c);
    rs_buf_free(&out);
}

static void test_resp_open_argument_gets_its_length(void **state)
{
    (void)state;
    rs_cmd c = {0};
    rs_buf out = {0};
    rs_cmd_begin(&c);
    rs_cmd_arg_str(&c, "SET");
    rs_buf *b = rs_cmd_arg_open(&c);
    rs_buf_puts(b, "key:");
    rs_buf_put_int(b, 1001);
    rs_cmd_arg_close(&c);
    b = rs_cmd_arg_open(&c); /* empty argument */
    rs_cmd_arg_close(&c);
    b = rs_cmd_arg_open(&c); /* long argument */
    for (int i = 0; i < 200; i++) {
        rs_buf_putc(b, 'x');
    }
    rs_cmd_arg_close(&c);
    rs_cmd_end(&c, &out);
    rs_buf want = {0};
    rs_buf_puts(&want, "*4\r\n$3\r\nSET\r\n$8\r\nkey:1001\r\n$0\r\n\r\n$200\r\n");
    for (int i = 0; i < 200; i++) {
        rs_buf_putc(&want, 'x');
    }
    rs_buf_puts(&want, "\r\n");
    assert_int_equal(out.len, want.len);
    assert_memory_equal(out.p, want.p, want.len);
    /* reuse after begin: no leftovers */
    rs_cmd_begin(&c);
    rs_cmd_arg_str(&c, "EXEC");
    out.len = 0;
    rs_cmd_end(&c, &out);
    assert_string_equal(out.p, "*1\r\n$4\r\nEXEC\r\n");
    rs_cmd_free(&c);
    rs_buf_free(&out);
    rs_buf_free(&want);
}

static void test_glob_escape(void **state)
{
    (void)state;
    rs_buf b = {0};
    rs_glob_escape(&b, "a*b?c[d]e\\f", 11);
    assert_string_equal(b.p, "a\\*b\\?c\\[d\\]e\\\\f");
    rs_buf_free(&b);
}

static void test_uri_forms(void **state)
{
    (void)state;
    rs_endpoint e;
    char err[256];
    assert_int_equal(rs_uri_parse("redis://localhost", &e, err, sizeof(err)), 0);
    assert_string_equal(e.host, "localhost");
    assert_int_equal(e.port, 6379);
    assert_int_equal(e.db, -1);
    assert_int_equal(rs_uri_parse("redis://app:s%40cret@10.0.0.1:6380/3", &e, err, sizeof(err)), 0);
    assert_string_equal(e.user, "app");
    assert_string_equal(e.pass, "s@cret");
    assert_string_equal(e.host, "10.0.0.1");
    assert_int_equal(e.port, 6380);
    assert_int_equal(e.db, 3);
    assert_int_equal(rs_uri_parse("redis://:pw@h:1", &e, err, sizeof(err)), 0);
    assert_string_equal(e.user, "");
    assert_string_equal(e.pass, "pw");
    assert_int_equal(rs_uri_parse("redis://[::1]:7000/0", &e, err, sizeof(err)), 0);
    assert_string_equal(e.host, "::1");
    assert_int_equal(e.port, 7000);
    assert_int_equal(e.db, 0);
    assert_int_equal(rs_uri_parse("unix:///run/redis.sock?db=2", &e, err, sizeof(err)), 0);
    assert_true(e.is_unix);
    assert_string_equal(e.path, "/run/redis.sock");
    assert_int_equal(e.db, 2);
    assert_int_equal(rs_uri_parse("rediss://h:6380", &e, err, sizeof(err)), 0);
    assert_true(e.tls);
    assert_int_equal(rs_uri_parse("http://h", &e, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a Redis URI"));
    assert_int_equal(rs_uri_parse("redis://h:99999", &e, err, sizeof(err)), -1);
    assert_int_equal(rs_uri_parse("redis://h/x", &e, err, sizeof(err)), -1);
    assert_int_equal(rs_uri_parse("redis://", &e, err, sizeof(err)), -1);
    assert_int_equal(rs_uri_parse("unix://relative", &e, err, sizeof(err)), -1);
}

static void test_text_writers(void **state)
{
    (void)state;
    rs_buf b = {0};
    rs_buf_put_base64(&b, "\x01\xe2\x3a", 3);
    rs_buf_putc(&b, ' ');
    rs_buf_put_base64(&b, "ab", 2);
    rs_buf_putc(&b, ' ');
    rs_buf_put_json_string(&b, "q\"\\\n\x01", 5);
    rs_buf_putc(&b, ' ');
    rs_buf_put_double(&b, 1.0, 0);
    rs_buf_putc(&b, ' ');
    rs_buf_put_double(&b, 3.140000104904175, 0);
    rs_buf_putc(&b, ' ');
    rs_buf_put_int(&b, INT64_MIN);
    assert_string_equal(b.p, "AeI6 YWI= \"q\\\"\\\\\\n\\u0001\" 1.0 3.140000104904175 "
                             "-9223372036854775808");
    rs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_parses_placeholders_and_literals),
        cmocka_unit_test(test_template_rejects_bad_syntax),
        cmocka_unit_test(test_resp_command_is_exact),
        cmocka_unit_test(test_resp_open_argument_gets_its_length),
        cmocka_unit_test(test_glob_escape),
        cmocka_unit_test(test_uri_forms),
        cmocka_unit_test(test_text_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
