/*
 * test_session_key.c — KIP-507 signing: HMAC-SHA256 signatures (Base64) over the exact body bytes
 * (RFC 4231 vector), verification that refuses a wrong key, body, algorithm or malformed Base64,
 * and 32-byte random keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dist/session_key.h"

/* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". */
static void test_sign_is_base64_hmac_sha256_of_the_body(void **state)
{
    (void)state;
    const char *body = "what do ya want for nothing?";
    char *sig = sl_session_sign((const uint8_t *)"Jefe", 4, "HmacSHA256", body, strlen(body));
    assert_non_null(sig);
    /* 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 in Base64 */
    assert_string_equal(sig, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    assert_true(
        sl_session_verify((const uint8_t *)"Jefe", 4, "HmacSHA256", body, strlen(body), sig));
    free(sig);
}

static void test_verify_refuses_wrong_key_body_algorithm_and_garbage(void **state)
{
    (void)state;
    uint8_t key[32];
    assert_int_equal(sl_session_key_generate(key, sizeof key), 0);
    const char *body = "[{\"task.class\":\"x\"}]";
    char *sig = sl_session_sign(key, sizeof key, "HmacSHA256", body, strlen(body));
    assert_true(sl_session_verify(key, sizeof key, "HmacSHA256", body, strlen(body), sig));
    assert_false(sl_session_verify(key, sizeof key, "HmacSHA256", body, strlen(body) - 1, sig));
    key[0] ^= 1;
    assert_false(sl_session_verify(key, sizeof key, "HmacSHA256", body, strlen(body), sig));
    key[0] ^= 1;
    assert_false(sl_session_verify(key, sizeof key, "HmacSHA512", body, strlen(body), sig));
    assert_false(sl_session_verify(key, sizeof key, "HmacMD5", body, strlen(body), sig));
    assert_false(sl_session_verify(key, sizeof key, "HmacSHA256", body, strlen(body), "bad!"));
    assert_false(sl_session_verify(key, sizeof key, "HmacSHA256", body, strlen(body), NULL));
    free(sig);
}

static void test_empty_body_is_signed_over_empty_input(void **state)
{
    (void)state;
    uint8_t key[32] = {1, 2, 3};
    char *a = sl_session_sign(key, sizeof key, "HmacSHA256", NULL, 0);
    char *b = sl_session_sign(key, sizeof key, "HmacSHA256", "", 0);
    assert_non_null(a);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_generated_keys_differ(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    assert_int_equal(sl_session_key_generate(a, sizeof a), 0);
    assert_int_equal(sl_session_key_generate(b, sizeof b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_true(sl_session_algorithm_supported("HmacSHA256"));
    assert_false(sl_session_algorithm_supported("HmacMD5"));
    assert_false(sl_session_algorithm_supported(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_is_base64_hmac_sha256_of_the_body),
        cmocka_unit_test(test_verify_refuses_wrong_key_body_algorithm_and_garbage),
        cmocka_unit_test(test_empty_body_is_signed_over_empty_input),
        cmocka_unit_test(test_generated_keys_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
