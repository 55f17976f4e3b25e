/*
 * session_key.h — KIP-507 inter-worker request signing: the leader's session key (32 random
 * bytes for HmacSHA256) and the X-Connect-Authorization signature
 * (Base64 of HMAC-SHA256 over the exact request body bytes) with a constant-time check.
 * Pure code over OpenSSL; no globals, no I/O.
 */
#ifndef SL_DIST_SESSION_KEY_H
#define SL_DIST_SESSION_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_SESSION_KEY_ALGORITHM    "HmacSHA256"
#define SL_SESSION_KEY_DEFAULT_SIZE 32
#define SL_SESSION_KEY_MAX          512

/* Fill key[0..len) from OpenSSL's CSPRNG. 0, or -1 when the generator failed. */
int sl_session_key_generate(uint8_t *key, size_t len);

/* Java's Mac algorithm names this worker can use ("HmacSHA256", "HmacSHA1", "HmacSHA512"). */
bool sl_session_algorithm_supported(const char *algorithm);

/* The X-Connect-Authorization value for body under key: malloc'ed Base64, or NULL when the
 * algorithm is not supported. */
char *sl_session_sign(const uint8_t *key, size_t keylen, const char *algorithm, const void *body,
                      size_t bodylen);
/* Does signature (the header's Base64 text) match body under key? Constant-time on the MAC. */
bool sl_session_verify(const uint8_t *key, size_t keylen, const char *algorithm, const void *body,
                       size_t bodylen, const char *signature);

#endif
