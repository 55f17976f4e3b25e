/*
 * test_jsontext.c — plugins/common/jsontext.h: which bytes a JSON string escapes and how (Jackson's
 * spelling, which the worker's JSON writer and the sinks share), and that every escaped string
 * parses back (jansson) to the original bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "plugins/common/jsontext.h"

static size_t escape_all(const char *s, size_t n, char *out)
{
    size_t o = 0, run = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (sl_jsontext_plain((unsigned char)s[i])) {
            continue;
        }
        memcpy(out + o, s + run, i - run);
        o += i - run;
        o += sl_jsontext_escape((unsigned char)s[i], out + o);
        run = i + 1;
    }
    memcpy(out + o, s + run, n - run);
    o += n - run;
    out[o++] = '"';
    out[o] = '\0';
    return o;
}

static void test_spellings(void **state)
{
    (void)state;
    static const struct {
        unsigned char c;
        const char *want;
    } cases[] = {
        {'"', "\\\""},     {'\\', "\\\\"},    {'\n', "\\n"},     {'\r', "\\r"},
        {'\t', "\\t"},     {'\b', "\\b"},     {'\f', "\\f"},     {0x00, "\\u0000"},
        {0x01, "\\u0001"}, {0x1b, "\\u001B"}, {0x1f, "\\u001F"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_false(sl_jsontext_plain(cases[i].c));
        char esc[SL_JSONTEXT_ESC_MAX + 1] = {0};
        size_t n = sl_jsontext_escape(cases[i].c, esc);
        assert_int_equal(n, strlen(cases[i].want));
        assert_memory_equal(esc, cases[i].want, n);
    }
    assert_true(sl_jsontext_plain(' '));
    assert_true(sl_jsontext_plain('/'));  /* Jackson leaves '/' alone */
    assert_true(sl_jsontext_plain(0x7f)); /* DEL is not a JSON control character */
    assert_true(sl_jsontext_plain(0xc3)); /* UTF-8 passes through */
}

static void test_every_byte_round_trips(void **state)
{
    (void)state;
    char in[255], out[255 * 6 + 3];
    for (int i = 0; i < 255; i++) {
        in[i] = (char)(i + 1); /* jansson refuses NUL inside strings by default */
    }
    /* only the ASCII part: bytes >= 0x80 alone are not UTF-8 */
    size_t n = escape_all(in, 127, out);
    json_error_t err;
    json_t *j = json_loadb(out, n, JSON_DECODE_ANY, &err);
    assert_non_null(j);
    assert_int_equal(json_string_length(j), 127);
    assert_memory_equal(json_string_value(j), in, 127);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_every_byte_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
