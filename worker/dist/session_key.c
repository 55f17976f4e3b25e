/*
 * session_key.c — session keys and request signatures for KIP-507 (see session_key.h). It never
 * logs key material and compares MACs only with CRYPTO_memcmp.
 */
#include "dist/session_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/value.h"
#include "util/buf.h"

int sl_session_key_generate(uint8_t *key, size_t len)
{
    return RAND_bytes(key, (int)len) == 1 ? 0 : -1;
}

static const EVP_MD *md_of(const char *algorithm)
{
    if (algorithm == NULL) {
        return NULL;
    }
    if (strcasecmp(algorithm, "HmacSHA256") == 0) {
        return EVP_sha256();
    }
    if (strcasecmp(algorithm, "HmacSHA1") == 0) {
        return EVP_sha1();
    }
    if (strcasecmp(algorithm, "HmacSHA512") == 0) {
        return EVP_sha512();
    }
    return NULL;
}

bool sl_session_algorithm_supported(const char *algorithm)
{
    return md_of(algorithm) != NULL;
}

static bool mac(const uint8_t *key, size_t keylen, const char *algorithm, const void *body,
                size_t bodylen, unsigned char *out, unsigned int *outlen)
{
    const EVP_MD *md = md_of(algorithm);
    if (md == NULL) {
        return false;
    }
    static const unsigned char empty[1] = {0};
    return HMAC(md, key, (int)keylen, body != NULL ? body : empty, bodylen, out, outlen) != NULL;
}

char *sl_session_sign(const uint8_t *key, size_t keylen, const char *algorithm, const void *body,
                      size_t bodylen)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen = 0;
    if (!mac(key, keylen, algorithm, body, bodylen, out, &outlen)) {
        return NULL;
    }
    sl_buf b;
    sl_buf_init(&b);
    sl_base64_encode(out, outlen, &b);
    return sl_buf_steal(&b);
}

bool sl_session_verify(const uint8_t *key, size_t keylen, const char *algorithm, const void *body,
                       size_t bodylen, const char *signature)
{
    unsigned char want[EVP_MAX_MD_SIZE];
    unsigned int wantlen = 0;
    if (signature == NULL || !mac(key, keylen, algorithm, body, bodylen, want, &wantlen)) {
        return false;
    }
    unsigned char got[EVP_MAX_MD_SIZE + 4];
    ssize_t n = sl_base64_decode(signature, strlen(signature), got, sizeof got);
    if (n != (ssize_t)wantlen) {
        return false;
    }
    return CRYPTO_memcmp(got, want, wantlen) == 0;
}
