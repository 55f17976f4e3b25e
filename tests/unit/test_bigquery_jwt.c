/*
 * test_bigquery_jwt.c — the BigQuery sink's service-account JWT (bq_auth.c): header and claims
 * exactly as Google expects them, unpadded base64url, an RS256 signature that verifies with the
 * public half of a key generated here, and key errors that never quote the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../../plugins/bigquery_sink/bq.h"
#include "test_bigquery_host.h"

static EVP_PKEY *pkey;
static char *key_json;

/* Base64url (no padding) → bytes; returns the length or -1. */
static int b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    char tmp[4096];
    size_t k = 0;
    if (n + 4 >= sizeof(tmp)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        tmp[k++] = s[i] == '-' ? '+' : (s[i] == '_' ? '/' : s[i]);
    }
    while (k % 4 != 0) {
        tmp[k++] = '=';
    }
    int len = EVP_DecodeBlock(out, (const unsigned char *)tmp, (int)k);
    if (len < 0 || (size_t)len > cap) {
        return -1;
    }
    size_t pad = 0;
    while (pad < k && tmp[k - 1 - pad] == '=') {
        pad++;
    }
    return len - (int)pad;
}

static int group_setup(void **state)
{
    tb_setup(state);
    pkey = EVP_RSA_gen(2048);
    if (pkey == NULL) {
        return -1;
    }
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
    char *pem = NULL;
    long len = BIO_get_mem_data(bio, &pem);
    sluice_buf *b = sluice_host->buf_new();
    sluice_host->buf_append(b,
                            "{\"type\":\"service_account\",\"project_id\":\"p\","
                            "\"private_key_id\":\"kid123\",\"private_key\":",
                            strlen("{\"type\":\"service_account\",\"project_id\":\"p\","
                                   "\"private_key_id\":\"kid123\",\"private_key\":"));
    bq_json_string(b, pem, (size_t)len);
    sluice_host->buf_append(b,
                            ",\"client_email\":\"sa@p.iam.gserviceaccount.com\","
                            "\"token_uri\":\"http://evil.example/token\"}",
                            strlen(",\"client_email\":\"sa@p.iam.gserviceaccount.com\","
                                   "\"token_uri\":\"http://evil.example/token\"}"));
    key_json = strdup(sluice_host->buf_data(b));
    sluice_host->buf_free(b);
    BIO_free(bio);
    return 0;
}

static int group_teardown(void **state)
{
    EVP_PKEY_free(pkey);
    free(key_json);
    return tb_teardown(state);
}

static void test_jwt_shape_and_signature(void **state)
{
    char err[256] = "";
    bq_auth *a = bq_auth_new(key_json, "http://127.0.0.1:9/token", false, err, sizeof(err));
    assert_non_null(a);
    assert_string_equal(bq_auth_client_email(a), "sa@p.iam.gserviceaccount.com");
    char *jwt = bq_auth_jwt(a, 1700000000, err, sizeof(err));
    assert_non_null(jwt);
    assert_null(strchr(jwt, '='));
    assert_null(strchr(jwt, '+'));
    assert_null(strchr(jwt, '/'));
    char *d1 = strchr(jwt, '.');
    assert_non_null(d1);
    char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));

    unsigned char buf[2048];
    int n = b64url_decode(jwt, (size_t)(d1 - jwt), buf, sizeof(buf));
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal((char *)buf, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"kid123\"}");
    n = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), buf, sizeof(buf));
    assert_true(n > 0);
    buf[n] = '\0';
    /* aud is the configured token URL, never the key file's token_uri */
    assert_string_equal((char *)buf,
                        "{\"iss\":\"sa@p.iam.gserviceaccount.com\",\"scope\":\"https://"
                        "www.googleapis.com/auth/bigquery\",\"aud\":\"http://127.0.0.1:9/token\","
                        "\"iat\":1700000000,\"exp\":1700003600}");

    unsigned char sig[1024];
    int slen = b64url_decode(d2 + 1, strlen(d2 + 1), sig, sizeof(sig));
    assert_int_equal(slen, 256);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
    assert_int_equal(
        EVP_DigestVerify(md, sig, (size_t)slen, (const unsigned char *)jwt, (size_t)(d2 - jwt)), 1);
    /* a tampered payload does not verify */
    jwt[5] = jwt[5] == 'A' ? 'B' : 'A';
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
    assert_int_not_equal(
        EVP_DigestVerify(md, sig, (size_t)slen, (const unsigned char *)jwt, (size_t)(d2 - jwt)), 1);
    EVP_MD_CTX_free(md);
    sluice_host->free(jwt);
    bq_auth_free(a);
}

static void test_bad_keys_never_quoted(void **state)
{
    char err[256] = "";
    /* a private key that is not PEM */
    const char *bad = "{\"type\":\"service_account\",\"client_email\":\"x@y\","
                      "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nSECRETSECRET\\n-----END "
                      "PRIVATE KEY-----\\n\"}";
    assert_null(bq_auth_new(bad, "http://t", false, err, sizeof(err)));
    assert_non_null(strstr(err, "not an RSA PEM key"));
    assert_null(strstr(err, "SECRET"));
    /* not JSON at all: the text is not echoed */
    err[0] = '\0';
    assert_null(bq_auth_new("SECRETSECRET not json", "http://t", false, err, sizeof(err)));
    assert_null(strstr(err, "SECRET"));
    assert_true(strlen(err) > 0);
    /* missing fields */
    assert_null(bq_auth_new("{\"type\":\"service_account\",\"private_key\":\"x\"}", "http://t",
                            false, err, sizeof(err)));
    assert_non_null(strstr(err, "client_email"));
    /* authorized_user keys are refused by name */
    assert_null(bq_auth_new("{\"type\":\"authorized_user\"}", "http://t", false, err, sizeof(err)));
    assert_non_null(strstr(err, "service_account"));
}

static void test_no_auth(void **state)
{
    char err[64] = "";
    bq_auth *a = bq_auth_new(NULL, "http://t", true, err, sizeof(err));
    assert_non_null(a);
    assert_false(bq_auth_enabled(a));
    int retriable = 0;
    assert_null(bq_auth_token(a, false, &retriable, err, sizeof(err)));
    bq_auth_free(a);
}

static void test_base64url(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_base64url(b, "\xfb\xff\xbf", 3);
    assert_string_equal(sluice_host->buf_data(b), "-_-_");
    sluice_host->buf_reset(b);
    bq_base64url(b, "ab", 2);
    assert_string_equal(sluice_host->buf_data(b), "YWI");
    sluice_host->buf_reset(b);
    bq_base64(b, "ab", 2);
    assert_string_equal(sluice_host->buf_data(b), "YWI=");
    sluice_host->buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jwt_shape_and_signature),
        cmocka_unit_test(test_bad_keys_never_quoted),
        cmocka_unit_test(test_no_auth),
        cmocka_unit_test(test_base64url),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
