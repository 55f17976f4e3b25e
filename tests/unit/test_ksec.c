/*
 * test_ksec.c — the group client's security layer: SCRAM-SHA-256 against RFC 7677's test vector,
 * SCRAM-SHA-512 against a vector computed independently with Python's hashlib/hmac, the ways a
 * SCRAM exchange must fail (forged server signature, foreign nonce, weak iteration count, server
 * error), SASL/PLAIN's message, JAAS parsing, and the security settings: unsupported ones are
 * refused with an error naming the key and never quoting a secret. Also sl_group_new's own
 * checks, and that a started member with no broker stops at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/props.h"
#include "dist/group.h"
#include "dist/kconn.h"
#include "dist/ksec.h"
#include "util/buf.h"

#define CNONCE "rOprNGfwEbeRWgbNEkqO"
#define SERVER_FIRST                                                                               \
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define FINAL_NO_PROOF "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

static void run_vector(sl_ksasl_mech mech, const char *proof, const char *server_final)
{
    sl_kscram s;
    sl_buf out = SL_BUF_INIT;
    char err[256] = "";
    assert_int_equal(sl_kscram_first(&s, mech, "user", "pencil", CNONCE, &out), 0);
    assert_string_equal(out.data, "n,,n=user,r=" CNONCE);
    assert_int_equal(sl_kscram_final(&s, SERVER_FIRST, strlen(SERVER_FIRST), &out, err, sizeof err),
                     0);
    char want[256];
    snprintf(want, sizeof want, "%s,p=%s", FINAL_NO_PROOF, proof);
    assert_string_equal(out.data, want);
    assert_int_equal(sl_kscram_verify(&s, server_final, strlen(server_final), err, sizeof err), 0);
    sl_kscram_clear(&s);
    sl_buf_free(&out);
}

static void test_scram_sha256_matches_rfc7677_vector(void **state)
{
    (void)state;
    run_vector(SL_KSASL_SCRAM_SHA_256, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
               "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

/* Computed with /usr/bin/python3: hashlib.pbkdf2_hmac('sha512', b'pencil', salt, 4096), then
 * RFC 5802's ClientKey/StoredKey/ClientSignature/ServerSignature with hmac.new(..., 'sha512'). */
static void test_scram_sha512_matches_independent_vector(void **state)
{
    (void)state;
    run_vector(
        SL_KSASL_SCRAM_SHA_512,
        "gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ"
        "==",
        "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N"
        "7Zw==");
}

static void test_scram_rejects_forged_signature_foreign_nonce_weak_iterations(void **state)
{
    (void)state;
    sl_kscram s;
    sl_buf out = SL_BUF_INIT;
    char err[256];
    /* forged server signature (the SHA-512 one offered to a SHA-256 exchange) */
    sl_kscram_first(&s, SL_KSASL_SCRAM_SHA_256, "user", "pencil", CNONCE, &out);
    assert_int_equal(sl_kscram_final(&s, SERVER_FIRST, strlen(SERVER_FIRST), &out, err, sizeof err),
                     0);
    const char *bad = "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_int_equal(sl_kscram_verify(&s, bad, strlen(bad), err, sizeof err), -1);
    assert_non_null(strstr(err, "signature"));
    const char *e = "e=invalid-proof";
    assert_int_equal(sl_kscram_verify(&s, e, strlen(e), err, sizeof err), -1);
    assert_non_null(strstr(err, "invalid-proof"));
    sl_kscram_clear(&s);

    /* a nonce that does not start with ours */
    sl_kscram_first(&s, SL_KSASL_SCRAM_SHA_256, "user", "pencil", "abc", &out);
    assert_int_equal(sl_kscram_final(&s, SERVER_FIRST, strlen(SERVER_FIRST), &out, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "nonce"));
    sl_kscram_clear(&s);

    /* fewer than 4096 iterations, a missing salt, a server error */
    const char *weak = "r=" CNONCE "xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000";
    const char *nosalt = "r=" CNONCE "xyz,i=4096";
    const char *serr = "e=unknown-user";
    const char *cases[] = {weak, nosalt, serr};
    const char *words[] = {"iteration", "malformed", "unknown-user"};
    for (size_t i = 0; i < 3; i++) {
        sl_kscram_first(&s, SL_KSASL_SCRAM_SHA_512, "user", "pencil", CNONCE, &out);
        assert_int_equal(sl_kscram_final(&s, cases[i], strlen(cases[i]), &out, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, words[i]));
        assert_null(strstr(err, "pencil"));
        sl_kscram_clear(&s);
    }
    sl_buf_free(&out);
}

static void test_scram_escapes_username_and_makes_random_nonces(void **state)
{
    (void)state;
    sl_kscram s, t;
    sl_buf out = SL_BUF_INIT, out2 = SL_BUF_INIT;
    assert_int_equal(sl_kscram_first(&s, SL_KSASL_SCRAM_SHA_256, "a=b,c", "pw", NULL, &out), 0);
    assert_int_equal(strncmp(out.data, "n,,n=a=3Db=2Cc,r=", 17), 0);
    assert_int_equal(strlen(out.data + 17), 32);
    assert_int_equal(sl_kscram_first(&t, SL_KSASL_SCRAM_SHA_256, "a=b,c", "pw", NULL, &out2), 0);
    assert_string_not_equal(out.data, out2.data);
    sl_kscram_clear(&t);
    assert_int_equal(sl_kscram_first(&t, SL_KSASL_PLAIN, "u", "p", NULL, &out2), -1);
    sl_kscram_clear(&s);
    sl_kscram_clear(&t);
    sl_buf_free(&out);
    sl_buf_free(&out2);
}

static void test_plain_message_and_base64(void **state)
{
    (void)state;
    sl_buf b = SL_BUF_INIT;
    sl_ksasl_plain_message("alice", "s3cret", &b);
    assert_int_equal(b.len, 13);
    assert_memory_equal(b.data, "\0alice\0s3cret", 13);
    sl_buf_reset(&b);
    sl_ksec_b64_encode("ab", 2, &b);
    assert_string_equal(b.data, "YWI=");
    sl_buf_reset(&b);
    assert_int_equal(sl_ksec_b64_decode("YWI=", 4, &b), 0);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "ab", 2);
    sl_buf_reset(&b);
    assert_int_equal(sl_ksec_b64_decode("YWJj", 4, &b), 0);
    assert_int_equal(b.len, 3);
    assert_int_equal(sl_ksec_b64_decode("YWI", 3, &b), -1);
    assert_int_equal(sl_ksec_b64_decode("Y!!=", 4, &b), -1);
    sl_buf_free(&b);
}

/* ------------------------------------------------------------- JAAS */

static void test_jaas_plain_and_scram_entries_parse(void **state)
{
    (void)state;
    sl_ksec_jaas j;
    char err[256];
    assert_int_equal(sl_ksec_jaas_parse("org.apache.kafka.common.security.plain.PlainLoginModule "
                                        "required username=\"x\" password=\"y\";",
                                        &j, err, sizeof err),
                     0);
    assert_string_equal(j.module, "org.apache.kafka.common.security.plain.PlainLoginModule");
    assert_string_equal(j.flag, "required");
    assert_string_equal(sl_props_get(j.options, "username"), "x");
    assert_string_equal(sl_props_get(j.options, "password"), "y");
    sl_ksec_jaas_free(&j);
    /* whitespace and newlines, escaped quotes, bare values, ';' inside quotes */
    assert_int_equal(
        sl_ksec_jaas_parse("  org.apache.kafka.common.security.scram.ScramLoginModule\n"
                           "   required\n username=bob\n password=\"p\\\"w;d\"\n"
                           " tokenauth=false ;  ",
                           &j, err, sizeof err),
        0);
    assert_string_equal(sl_props_get(j.options, "username"), "bob");
    assert_string_equal(sl_props_get(j.options, "password"), "p\"w;d");
    assert_string_equal(sl_props_get(j.options, "tokenauth"), "false");
    sl_ksec_jaas_free(&j);
}

static void test_jaas_malformed_entries_are_refused_without_quoting_secrets(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "org.x.PlainLoginModule username=\"u\" password=\"hunter2\";",          /* no flag */
        "org.x.PlainLoginModule required username=\"u\" password=\"hunter2\"",  /* no ';' */
        "org.x.PlainLoginModule required username=\"u\" password=\"hunter2;",   /* open quote */
        "org.x.PlainLoginModule required username \"u\" password=\"hunter2\";", /* no '=' */
        "org.x.PlainLoginModule required password=\"hunter2\"; other required;",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_ksec_jaas j;
        char err[256] = "";
        assert_int_equal(sl_ksec_jaas_parse(bad[i], &j, err, sizeof err), -1);
        assert_non_null(strstr(err, "sasl.jaas.config"));
        assert_null(strstr(err, "hunter2"));
    }
}

/* ------------------------------------------------------------- settings */

static char tmpdir[128];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl_ksec_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof p, "%s/ca.pem", tmpdir);
    unlink(p);
    snprintf(p, sizeof p, "%s/store.jks", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return 0;
}

static sl_props *props_of(const char *const *kv)
{
    sl_props *p = sl_props_new();
    for (size_t i = 0; kv[i] != NULL; i += 2) {
        sl_props_set(p, kv[i], kv[i + 1]);
    }
    return p;
}

/* Parses kv; expects failure with err naming `key` and never containing "hunter2". */
static void expect_refused(const char *const *kv, const char *key)
{
    sl_props *p = props_of(kv);
    sl_ksec_conf c;
    char err[512] = "";
    assert_int_equal(sl_ksec_conf_parse(p, &c, err, sizeof err), -1);
    if (strncmp(err, key, strlen(key)) != 0) {
        fail_msg("error '%s' does not start with key %s", err, key);
    }
    assert_null(strstr(err, "hunter2"));
    sl_props_free(p);
}

static void test_security_settings_java_and_librdkafka_spellings(void **state)
{
    (void)state;
    char ca[256];
    snprintf(ca, sizeof ca, "%s/ca.pem", tmpdir);
    FILE *f = fopen(ca, "w");
    fputs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", f);
    fclose(f);

    const char *java[] = {"security.protocol",
                          "SASL_SSL",
                          "sasl.mechanism",
                          "SCRAM-SHA-512",
                          "sasl.jaas.config",
                          "org.apache.kafka.common.security.scram.ScramLoginModule required "
                          "username=\"alice\" password=\"hunter2\";",
                          "ssl.truststore.location",
                          ca,
                          "ssl.truststore.type",
                          "PEM",
                          NULL};
    sl_props *p = props_of(java);
    sl_ksec_conf c;
    char err[512];
    assert_int_equal(sl_ksec_conf_parse(p, &c, err, sizeof err), 0);
    assert_true(c.ssl);
    assert_true(c.sasl);
    assert_int_equal(c.mech, SL_KSASL_SCRAM_SHA_512);
    assert_string_equal(c.username, "alice");
    assert_string_equal(c.password, "hunter2");
    assert_string_equal(c.ca_file, ca);
    assert_true(c.verify_hostname); /* Java's default https */
    assert_true(c.verify_peer);
    sl_ksec_conf_free(&c);
    sl_props_free(p);

    /* librdkafka's spelling; a PEM truststore is recognised by content without a type */
    const char *rdk[] = {"security.protocol",
                         "sasl_plaintext",
                         "sasl.mechanisms",
                         "PLAIN",
                         "sasl.username",
                         "bob",
                         "sasl.password",
                         "pw",
                         NULL};
    p = props_of(rdk);
    assert_int_equal(sl_ksec_conf_parse(p, &c, err, sizeof err), 0);
    assert_false(c.ssl);
    assert_int_equal(c.mech, SL_KSASL_PLAIN);
    assert_string_equal(c.username, "bob");
    sl_ksec_conf_free(&c);
    sl_props_free(p);

    const char *ssl[] = {"security.protocol",
                         "SSL",
                         "ssl.truststore.location",
                         ca,
                         "ssl.endpoint.identification.algorithm",
                         "",
                         NULL};
    p = props_of(ssl);
    assert_int_equal(sl_ksec_conf_parse(p, &c, err, sizeof err), 0);
    assert_false(c.verify_hostname);
    assert_false(c.sasl);
    sl_ksec_conf_free(&c);
    sl_props_free(p);

    const char *plain[] = {NULL};
    p = props_of(plain);
    assert_int_equal(sl_ksec_conf_parse(p, &c, err, sizeof err), 0);
    assert_false(c.ssl);
    assert_false(c.sasl);
    sl_ksec_conf_free(&c);
    sl_props_free(p);
}

static void test_unsupported_security_settings_name_the_key(void **state)
{
    (void)state;
    char jks[256];
    snprintf(jks, sizeof jks, "%s/store.jks", tmpdir);
    FILE *f = fopen(jks, "wb");
    fputs("\xfe\xed\xfe\xed binary keystore", f);
    fclose(f);

    const char *jks_ts[] = {"security.protocol", "SSL", "ssl.truststore.location", jks, NULL};
    expect_refused(jks_ts, "ssl.truststore.location");
    const char *jks_typed[] = {"security.protocol",
                               "SSL",
                               "ssl.truststore.location",
                               jks,
                               "ssl.truststore.type",
                               "JKS",
                               NULL};
    expect_refused(jks_typed, "ssl.truststore.location");
    const char *ks[] = {
        "security.protocol", "SSL", "ssl.keystore.location", jks, "ssl.keystore.password",
        "hunter2",           NULL};
    expect_refused(ks, "ssl.keystore.location");
    const char *inline_pem[] = {"security.protocol", "SSL", "ssl.truststore.certificates",
                                "-----BEGIN CERTIFICATE-----", NULL};
    expect_refused(inline_pem, "ssl.truststore.certificates");
    const char *half_cert[] = {"security.protocol", "SSL", "ssl.certificate.location", "/x.pem",
                               NULL};
    expect_refused(half_cert, "ssl.key.location");
    const char *alg[] = {"security.protocol", "SSL", "ssl.endpoint.identification.algorithm",
                         "ldap", NULL};
    expect_refused(alg, "ssl.endpoint.identification.algorithm");
    const char *gssapi_default[] = {"security.protocol",
                                    "SASL_PLAINTEXT",
                                    "sasl.username",
                                    "u",
                                    "sasl.password",
                                    "hunter2",
                                    NULL};
    expect_refused(gssapi_default, "sasl.mechanism");
    const char *gssapi[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "GSSAPI",
                            NULL};
    expect_refused(gssapi, "sasl.mechanism");
    const char *oauth[] = {"security.protocol", "SASL_SSL", "sasl.mechanisms", "OAUTHBEARER", NULL};
    expect_refused(oauth, "sasl.mechanisms");
    const char *nocreds[] = {"security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                             NULL};
    expect_refused(nocreds, "sasl.jaas.config");
    const char *mismatch[] = {"security.protocol",
                              "SASL_PLAINTEXT",
                              "sasl.mechanism",
                              "SCRAM-SHA-256",
                              "sasl.jaas.config",
                              "org.apache.kafka.common.security.plain.PlainLoginModule required "
                              "username=\"u\" password=\"hunter2\";",
                              NULL};
    expect_refused(mismatch, "sasl.jaas.config");
    const char *nopw[] = {"security.protocol",
                          "SASL_PLAINTEXT",
                          "sasl.mechanism",
                          "PLAIN",
                          "sasl.jaas.config",
                          "org.apache.kafka.common.security.plain.PlainLoginModule required "
                          "username=\"u\";",
                          NULL};
    expect_refused(nopw, "sasl.jaas.config");
    const char *proto[] = {"security.protocol", "SASL_TLS", NULL};
    expect_refused(proto, "security.protocol");
}

/* ------------------------------------------------------------- sl_group_new */

static int noop_prepare(void *arg, sl_group_protocol *protos, size_t max, size_t *n)
{
    (void)arg;
    (void)max;
    protos[0].name = "default";
    *n = 1;
    return 0;
}

static void noop_assigned(void *arg, const char *protocol, int32_t generation,
                          const char *member_id, const void *assignment, size_t len)
{
    (void)arg;
    (void)protocol;
    (void)generation;
    (void)member_id;
    (void)assignment;
    (void)len;
}

/* The group borrows its props: *props must outlive it (freed by the caller). */
static sl_group *new_group(const char *const *kv, int32_t hb, int32_t session, sl_props **props,
                           char *err, size_t errlen)
{
    *props = props_of(kv);
    sl_group_conf conf = {
        .worker = *props,
        .group_id = "g",
        .client_id = "c",
        .protocol_type = "connect",
        .session_timeout_ms = session,
        .rebalance_timeout_ms = 60000,
        .heartbeat_interval_ms = hb,
    };
    sl_group_callbacks cb = {.join_prepare = noop_prepare, .assigned = noop_assigned};
    return sl_group_new(&conf, &cb, err, errlen);
}

static void expect_group_refused(const char *const *kv, int32_t hb, const char *key)
{
    char err[512] = "";
    sl_props *p;
    assert_null(new_group(kv, hb, 10000, &p, err, sizeof err));
    sl_props_free(p);
    if (strncmp(err, key, strlen(key)) != 0) {
        fail_msg("error '%s' does not start with %s", err, key);
    }
}

static void test_group_new_refuses_bad_settings_naming_the_key(void **state)
{
    (void)state;
    const char *nobs[] = {NULL};
    expect_group_refused(nobs, 3000, "bootstrap.servers:");
    const char *badport[] = {"bootstrap.servers", "h:99999", NULL};
    expect_group_refused(badport, 3000, "bootstrap.servers:");
    const char *ok[] = {"bootstrap.servers", "PLAINTEXT://127.0.0.1:1,[::1]:2", NULL};
    expect_group_refused(ok, 10000, "heartbeat.interval.ms:");
    const char *noca[] = {
        "bootstrap.servers",   "127.0.0.1:1", "security.protocol", "SSL", "ssl.ca.location",
        "/nonexistent/ca.pem", NULL};
    expect_group_refused(noca, 3000, "ssl.ca.location:");
    const char *gss[] = {"bootstrap.servers", "127.0.0.1:1", "security.protocol", "SASL_SSL", NULL};
    expect_group_refused(gss, 3000, "sasl.mechanism:");
}

static void test_group_without_broker_stops_at_once(void **state)
{
    (void)state;
    char err[512];
    const char *ok[] = {"bootstrap.servers", "PLAINTEXT://127.0.0.1:1,[::1]:2", NULL};
    sl_props *p;
    sl_group *g = new_group(ok, 1000, 10000, &p, err, sizeof err);
    assert_non_null(g);
    assert_int_equal(sl_group_generation(g), -1);
    char id[64] = "x";
    sl_group_member_id(g, id, sizeof id);
    assert_string_equal(id, "");
    sl_group_stop(g); /* never started: a no-op */
    assert_int_equal(sl_group_start(g, err, sizeof err), 0);
    usleep(300 * 1000);
    sl_group_rejoin(g);
    int64_t t0 = sl_kconn_now_ms();
    sl_group_stop(g);
    sl_group_stop(g); /* idempotent */
    assert_true(sl_kconn_now_ms() - t0 < 1000);
    sl_group_destroy(g);
    sl_group_destroy(NULL);
    sl_props_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scram_sha256_matches_rfc7677_vector),
        cmocka_unit_test(test_scram_sha512_matches_independent_vector),
        cmocka_unit_test(test_scram_rejects_forged_signature_foreign_nonce_weak_iterations),
        cmocka_unit_test(test_scram_escapes_username_and_makes_random_nonces),
        cmocka_unit_test(test_plain_message_and_base64),
        cmocka_unit_test(test_jaas_plain_and_scram_entries_parse),
        cmocka_unit_test(test_jaas_malformed_entries_are_refused_without_quoting_secrets),
        cmocka_unit_test(test_security_settings_java_and_librdkafka_spellings),
        cmocka_unit_test(test_unsupported_security_settings_name_the_key),
        cmocka_unit_test(test_group_new_refuses_bad_settings_naming_the_key),
        cmocka_unit_test(test_group_without_broker_stops_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
