/*
 * shortnum.h — the shortest decimal text of a double (or a float) that reads back to it, without
 * printf or strtod for the magnitudes records carry. Header-only: the worker's JSON writer and
 * every sink plugin include it (plugins cannot link the worker).
 *
 * sl_shortnum_plain: for |d| in [1e-3, 1e7) with at most 15 (float: 6) significant digits. For
 * k = 0, 1, ... take m = round(|d| * 10^k); m / 10^k is the correctly rounded quotient of two
 * exact doubles, i.e. what strtod returns for the text "m × 10^-k", so the first k where it reads
 * back gives the shortest digits. Within 15 (6) significant digits only one decimal reads back
 * (such decimals are spaced wider than two ulps), so these are the digits that printf's "%.15g"
 * ("%.6g") would print. Writes plain notation, no exponent, no ".0" for integral values: "-3.14",
 * "5", "0.001". Returns the length, or 0 (nothing written) outside that case.
 *
 * sl_shortnum_g: printf's "%.*g" at the smallest precision from 15 (float: 6) up to 17 that reads
 * back — the text Java-like writers start from — through sl_shortnum_plain when it applies.
 */
#ifndef SLUICE_SHORTNUM_H
#define SLUICE_SHORTNUM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SL_SHORTNUM_MAX 40 /* bytes for any text either function writes, NUL included */

static inline size_t sl_shortnum_plain(double d, bool is_float, char out[SL_SHORTNUM_MAX])
{
    static const double p10[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
    double ad = fabs(d);
    if (!(ad >= 1e-3 && ad < 1e7)) {
        return 0;
    }
    double limit = is_float ? 1e6 : 1e15;
    for (int k = 0; k < (int)(sizeof(p10) / sizeof(p10[0])); k++) {
        double x = ad * p10[k];
        if (x >= limit) {
            return 0;
        }
        uint64_t m = (uint64_t)(x + 0.5);
        double back = (double)m / p10[k];
        if (is_float ? (float)back != (float)ad : back != ad) {
            continue;
        }
        char dig[24];
        int nd = 0;
        for (uint64_t t = m; t > 0; t /= 10) {
            dig[sizeof(dig) - 1 - nd++] = (char)('0' + t % 10);
        }
        const char *digits = dig + sizeof(dig) - nd;
        size_t n = 0;
        if (d < 0) {
            out[n++] = '-';
        }
        if (nd > k) { /* |d| >= 1: the integer digits, then '.' and the k fraction digits */
            for (int i = 0; i < nd - k; i++) {
                out[n++] = digits[i];
            }
            if (k > 0) {
                out[n++] = '.';
                for (int i = nd - k; i < nd; i++) {
                    out[n++] = digits[i];
                }
            }
        } else { /* |d| < 1: "0.", leading zeros, digits */
            out[n++] = '0';
            out[n++] = '.';
            for (int z = nd; z < k; z++) {
                out[n++] = '0';
            }
            for (int i = 0; i < nd; i++) {
                out[n++] = digits[i];
            }
        }
        out[n] = '\0';
        return n;
    }
    return 0;
}

/* NaN and infinities are the caller's: printf's spelling of them is rarely what a format wants. */
static inline size_t sl_shortnum_g(double d, bool is_float, char out[SL_SHORTNUM_MAX])
{
    /* %g prints plain notation while the exponent is below the precision: always for doubles
     * under 1e7 (precision >= 15), for floats only under 1e6 (precision 6 when it reads back). */
    if (is_float ? fabs(d) < 1e6 : 1) {
        size_t n = sl_shortnum_plain(d, is_float, out);
        if (n > 0) {
            return n;
        }
    }
    int n = 0;
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        n = snprintf(out, SL_SHORTNUM_MAX, "%.*g", prec, d);
        if (is_float ? (float)strtod(out, NULL) == (float)d : strtod(out, NULL) == d) {
            break;
        }
    }
    return n > 0 ? (size_t)n : 0;
}

#endif
