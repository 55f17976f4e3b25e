/*
 * ksec.h — the security settings of the group client (security.protocol, ssl.*, sasl.*, in both
 * Java's and librdkafka's spellings), the JAAS option parser, and the client side of SASL PLAIN
 * and SCRAM-SHA-256/512 (RFC 5802/7677). Pure computation: no sockets here (kconn does I/O).
 * Secrets live only in sl_ksec_conf and are never logged; sl_ksec_conf_free wipes them.
 */
#ifndef SL_DIST_KSEC_H
#define SL_DIST_KSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/props.h"
#include "util/buf.h"

typedef enum sl_ksasl_mech {
    SL_KSASL_NONE = 0,
    SL_KSASL_PLAIN,
    SL_KSASL_SCRAM_SHA_256,
    SL_KSASL_SCRAM_SHA_512,
} sl_ksasl_mech;

typedef struct sl_ksec_conf {
    bool ssl;  /* SSL or SASL_SSL */
    bool sasl; /* SASL_PLAINTEXT or SASL_SSL */
    /* TLS (all malloc'ed or NULL) */
    char *ca_file;   /* ssl.ca.location / PEM ssl.truststore.location; NULL = system store */
    char *cert_file; /* ssl.certificate.location / PEM ssl.keystore.location */
    char *key_file;  /* ssl.key.location / PEM ssl.keystore.location */
    char *key_password;
    bool verify_peer;     /* enable.ssl.certificate.verification (default true) */
    bool verify_hostname; /* ssl.endpoint.identification.algorithm=https (Java default) */
    /* SASL */
    sl_ksasl_mech mech;
    char *username;
    char *password;
} sl_ksec_conf;

/* Reads the worker properties into *out (zeroed first). -1 with a message naming the offending
 * key for anything unsupported or incomplete (JKS truststore, GSSAPI, OAUTHBEARER, no
 * credentials...). Never puts a secret in err. */
int sl_ksec_conf_parse(const sl_props *p, sl_ksec_conf *out, char *err, size_t errlen);
void sl_ksec_conf_free(sl_ksec_conf *c); /* wipes the secrets; accepts NULL */
const char *sl_ksasl_mech_name(sl_ksasl_mech m);

/* Parses one JAAS login module entry:
 *   org.apache.kafka.common.security.plain.PlainLoginModule required username="x" password="y";
 * *module gets the class name; options are looked up with sl_ksec_jaas_get. -1 with a message
 * (no secret in it) when malformed. */
typedef struct sl_ksec_jaas {
    char *module;
    char *flag;
    sl_props *options;
} sl_ksec_jaas;
int sl_ksec_jaas_parse(const char *text, sl_ksec_jaas *out, char *err, size_t errlen);
void sl_ksec_jaas_free(sl_ksec_jaas *j); /* accepts NULL */

/* SASL/PLAIN initial response: "\0user\0password" (authzid empty). */
void sl_ksasl_plain_message(const char *user, const char *password, sl_buf *out);

/* SCRAM client state for one exchange. */
typedef struct sl_kscram {
    sl_ksasl_mech mech;
    char *user;
    char *password;
    char nonce[64];
    sl_buf client_first_bare;
    unsigned char server_signature[64];
    size_t digest_len;
} sl_kscram;

/* client-first-message "n,,n=<user>,r=<nonce>" into out. nonce NULL = 32 random base64 chars
 * (tests pass a fixed one). -1 on a bad mech. */
int sl_kscram_first(sl_kscram *s, sl_ksasl_mech mech, const char *user, const char *password,
                    const char *nonce, sl_buf *out);
/* Reads server-first-message, writes client-final-message. -1 with a message (bad nonce, bad
 * salt, too few iterations, malformed, server error e=...). */
int sl_kscram_final(sl_kscram *s, const void *server_first, size_t len, sl_buf *out, char *err,
                    size_t errlen);
/* Checks server-final-message "v=<signature>" (or reports "e=<error>"). */
int sl_kscram_verify(sl_kscram *s, const void *server_final, size_t len, char *err, size_t errlen);
void sl_kscram_clear(sl_kscram *s); /* wipes; accepts a zeroed or used state */

/* Base64 (standard alphabet, padded). decode returns -1 on bad input. */
void sl_ksec_b64_encode(const void *p, size_t len, sl_buf *out);
int sl_ksec_b64_decode(const char *s, size_t len, sl_buf *out);

#endif
