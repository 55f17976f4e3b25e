/*
 * test_shortnum.c — plugins/common/shortnum.h: sl_shortnum_g prints exactly what printf's "%.*g"
 * loop (the smallest precision from 15, float 6, up to 17 that reads back) prints, for random
 * doubles and floats of every magnitude and for the edges; sl_shortnum_plain's texts read back
 * and are never longer than the loop's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/common/shortnum.h"

/* The reference: the loop every sink used before shortnum.h. */
static void g_loop(double d, bool is_float, char *out, size_t len)
{
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(out, len, "%.*g", prec, d);
        if (is_float ? (float)strtod(out, NULL) == (float)d : strtod(out, NULL) == d) {
            break;
        }
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_same(double d, bool is_float)
{
    char want[64], got[SL_SHORTNUM_MAX];
    g_loop(d, is_float, want, sizeof want);
    size_t n = sl_shortnum_g(d, is_float, got);
    if (strcmp(want, got) != 0 || n != strlen(want)) {
        fail_msg("%s %.17g: printf loop '%s', shortnum '%s'", is_float ? "float" : "double", d,
                 want, got);
    }
}

static void test_edges_match_the_printf_loop(void **state)
{
    (void)state;
    static const double cases[] = {
        0.0,     -0.0,      1.0,       -1.0,     5.0,        10.0,     0.1,      0.2,
        0.3,     3.14,      -3.14,     2.5,      0.001,      0.0015,   0.000999, 1e-3,
        9999999, 1e7,       1e7 - 0.5, 999999.5, 1e6,        123456.7, 1e15,     1e16,
        1e22,    1e-300,    DBL_MAX,   DBL_MIN,  4.9e-324,   1.0 / 3,  2.0 / 3,  100.25,
        19.99,   1234.5678, 0.1 + 0.2, 1e-4,     123456789., 0.5,      42.42,    -0.001,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_same(cases[i], false);
        check_same((float)cases[i], true);
    }
}

static void test_random_values_match_the_printf_loop(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        /* decimals with few digits, the shape of prices and weights in records */
        int digits = (int)(next_rand() % 9);
        double scale = pow(10.0, (double)(int)(next_rand() % 12) - 6);
        double d = (double)(int64_t)(next_rand() % 1000000000u) / pow(10.0, digits) * scale;
        if (next_rand() & 1) {
            d = -d;
        }
        check_same(d, false);
        check_same((float)d, true);
        /* and arbitrary bit patterns */
        uint64_t bits = next_rand();
        double r;
        memcpy(&r, &bits, sizeof r);
        if (!isnan(r) && !isinf(r)) {
            check_same(r, false);
        }
        uint32_t fb = (uint32_t)next_rand();
        float f;
        memcpy(&f, &fb, sizeof f);
        if (!isnan(f) && !isinf(f)) {
            check_same(f, true);
        }
    }
}

static void test_plain_reads_back_and_is_plain(void **state)
{
    (void)state;
    char out[SL_SHORTNUM_MAX];
    assert_int_equal(sl_shortnum_plain(3.14, false, out), 4);
    assert_string_equal(out, "3.14");
    assert_int_equal(sl_shortnum_plain(5.0, false, out), 1);
    assert_string_equal(out, "5");
    assert_int_equal(sl_shortnum_plain(-0.001, false, out), 6);
    assert_string_equal(out, "-0.001");
    assert_int_equal(sl_shortnum_plain(1e7, false, out), 0); /* out of range: the caller's */
    assert_int_equal(sl_shortnum_plain(1e-4, false, out), 0);
    assert_int_equal(sl_shortnum_plain(1.0 / 3, false, out), 0); /* needs 16+ digits */
    assert_int_equal(sl_shortnum_plain(0.1f, true, out), 3);
    assert_string_equal(out, "0.1");
    for (int i = 0; i < 100000; i++) {
        double d = (double)(next_rand() % 100000000u) / 1000.0;
        size_t n = sl_shortnum_plain(d, false, out);
        if (n > 0 && strtod(out, NULL) != d) {
            fail_msg("%.17g printed as %s", d, out);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_match_the_printf_loop),
        cmocka_unit_test(test_random_values_match_the_printf_loop),
        cmocka_unit_test(test_plain_reads_back_and_is_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
