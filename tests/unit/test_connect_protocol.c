/*
 * test_connect_protocol.c — the `connect` subprotocol codec: the reference's worked bytes
 * (connect-internals.md §4.5) encode and decode exactly, the V1 reader takes V0 bytes and
 * missing trailing fields, and truncated or garbage input fails with a message, never a crash.
 * Pure code: no files, no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/connect_protocol.h"

#define URL "http://w1:8083/"
#define URL_BYTES                                                                                  \
    0x00, 0x0f, 'h', 't', 't', 'p', ':', '/', '/', 'w', '1', ':', '8', '0', '8', '3', '/'
#define OFFSET_42 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a

/* §4.5, byte for byte. */
static const unsigned char md_v0[] = {0x00, 0x00, URL_BYTES, OFFSET_42};
static const unsigned char md_v2_first[] = {0x00, 0x02, URL_BYTES, OFFSET_42,
                                            0xff, 0xff, 0xff,      0xff};
#define ASSIGNMENT_BODY                                                                            \
    0x00, 0x00, 0x00, 0x02, 'm', '1', URL_BYTES, OFFSET_42, /* error, leader, url, offset */       \
        0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 'c', '1', 0x00, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff,    \
        0xff, 0x00, 0x00, 0x00, 0x00 /* c1 -> [-1, 0] */
static const unsigned char as_v1[] = {
    0x00, 0x01, ASSIGNMENT_BODY, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
static const unsigned char as_v0[] = {0x00, 0x00, ASSIGNMENT_BODY};
static const unsigned char md_v2_alloc[] = {
    0x00, 0x02, URL_BYTES, OFFSET_42, 0x00, 0x00, 0x00, 0x3d, 0x00, 0x02, ASSIGNMENT_BODY,
    0x00, 0x00, 0x00,      0x00,      0x00, 0x00, 0x00, 0x00};

static char err[256];

/* The assignment of the worked example, with header version v. */
static void worked_assignment(sl_cp_assignment *a, int16_t v)
{
    memset(a, 0, sizeof *a);
    a->version = v;
    a->error = SL_CP_NO_ERROR;
    a->leader = strdup("m1");
    a->leader_url = strdup(URL);
    a->config_offset = 42;
    sl_cp_set_add(&a->assigned, "c1", 0);
    sl_cp_set_add(&a->assigned, "c1", -1);
}

static void assert_bytes(const sl_buf *b, const unsigned char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void assert_worked_assignment(const sl_cp_assignment *a, int16_t v)
{
    assert_int_equal(a->version, v);
    assert_int_equal(a->error, 0);
    assert_string_equal(a->leader, "m1");
    assert_string_equal(a->leader_url, URL);
    assert_int_equal(a->config_offset, 42);
    assert_int_equal(a->assigned.n, 1);
    assert_string_equal(a->assigned.conns[0].connector, "c1");
    assert_true(a->assigned.conns[0].instance);
    assert_int_equal(a->assigned.conns[0].ntasks, 1);
    assert_int_equal(a->assigned.conns[0].tasks[0], 0);
    assert_int_equal(a->revoked.n, 0);
    assert_int_equal(a->delay_ms, 0);
}

static void test_protocol_names_map_to_versions(void **state)
{
    (void)state;
    assert_string_equal(sl_cp_protocol_name(0), "default");
    assert_string_equal(sl_cp_protocol_name(1), "compatible");
    assert_string_equal(sl_cp_protocol_name(2), "sessioned");
    assert_null(sl_cp_protocol_name(3));
    assert_null(sl_cp_protocol_name(-1));
    assert_int_equal(sl_cp_protocol_version("default"), 0);
    assert_int_equal(sl_cp_protocol_version("compatible"), 1);
    assert_int_equal(sl_cp_protocol_version("sessioned"), 2);
    assert_int_equal(sl_cp_protocol_version("consumer"), -1);
    assert_int_equal(sl_cp_protocol_version(NULL), -1);
}

static void test_metadata_v0_matches_worked_bytes(void **state)
{
    (void)state;
    sl_cp_metadata m = {.version = 0, .url = URL, .config_offset = 42};
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_metadata_encode(&m, &b), 0);
    assert_bytes(&b, md_v0, sizeof md_v0);
    assert_int_equal(sizeof md_v0, 27);
    sl_buf_free(&b);

    sl_cp_metadata d;
    assert_int_equal(sl_cp_metadata_decode(md_v0, sizeof md_v0, &d, err, sizeof err), 0);
    assert_int_equal(d.version, 0);
    assert_string_equal(d.url, URL);
    assert_int_equal(d.config_offset, 42);
    assert_null(d.allocation);
    sl_cp_metadata_clear(&d);
}

static void test_metadata_v0_ignores_a_given_allocation(void **state)
{
    (void)state;
    sl_cp_assignment alloc;
    worked_assignment(&alloc, 2);
    sl_cp_metadata m = {.version = 0, .url = URL, .config_offset = 42, .allocation = &alloc};
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_metadata_encode(&m, &b), 0);
    assert_bytes(&b, md_v0, sizeof md_v0);
    sl_buf_free(&b);
    sl_cp_assignment_clear(&alloc);
}

static void test_metadata_v2_first_join_has_null_allocation(void **state)
{
    (void)state;
    sl_cp_metadata m = {.version = 2, .url = URL, .config_offset = 42};
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_metadata_encode(&m, &b), 0);
    assert_bytes(&b, md_v2_first, sizeof md_v2_first);
    assert_int_equal(sizeof md_v2_first, 31);
    sl_buf_free(&b);

    sl_cp_metadata d;
    assert_int_equal(sl_cp_metadata_decode(md_v2_first, sizeof md_v2_first, &d, err, sizeof err),
                     0);
    assert_int_equal(d.version, 2);
    assert_string_equal(d.url, URL);
    assert_int_equal(d.config_offset, 42);
    assert_null(d.allocation);
    sl_cp_metadata_clear(&d);
}

static void test_metadata_v1_without_allocation_field_reads_as_null(void **state)
{
    (void)state;
    unsigned char v1[sizeof md_v0];
    memcpy(v1, md_v0, sizeof v1);
    v1[1] = 1;
    sl_cp_metadata d;
    assert_int_equal(sl_cp_metadata_decode(v1, sizeof v1, &d, err, sizeof err), 0);
    assert_int_equal(d.version, 1);
    assert_null(d.allocation);
    sl_cp_metadata_clear(&d);
}

static void test_assignment_v1_matches_worked_bytes(void **state)
{
    (void)state;
    sl_cp_assignment a;
    worked_assignment(&a, 1);
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&a, &b), 0);
    assert_bytes(&b, as_v1, sizeof as_v1);
    assert_int_equal(sizeof as_v1, 61);
    sl_buf_free(&b);
    sl_cp_assignment_clear(&a);

    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(as_v1, sizeof as_v1, &d, err, sizeof err), 0);
    assert_worked_assignment(&d, 1);
    sl_cp_assignment_clear(&d);
}

static void test_assignment_v0_matches_worked_bytes_and_v1_reader_takes_it(void **state)
{
    (void)state;
    sl_cp_assignment a;
    worked_assignment(&a, 0);
    a.delay_ms = 999; /* not part of V0: must not be written */
    sl_cp_set_add(&a.revoked, "c9", 1);
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&a, &b), 0);
    assert_bytes(&b, as_v0, sizeof as_v0);
    assert_int_equal(sizeof as_v0, 53);
    /* "the V1 bytes with the first two bytes 00 00 and the last 8 bytes removed" */
    assert_memory_equal(as_v0 + 2, as_v1 + 2, sizeof as_v1 - 8 - 2);
    sl_buf_free(&b);
    sl_cp_assignment_clear(&a);

    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(as_v0, sizeof as_v0, &d, err, sizeof err), 0);
    assert_worked_assignment(&d, 0);
    sl_cp_assignment_clear(&d);
}

static void test_metadata_v2_carries_allocation_as_nested_assignment(void **state)
{
    (void)state;
    sl_cp_assignment alloc;
    worked_assignment(&alloc, 1); /* written with the metadata's version, 2, whatever this says */
    sl_cp_metadata m = {.version = 2, .url = URL, .config_offset = 42, .allocation = &alloc};
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_metadata_encode(&m, &b), 0);
    assert_bytes(&b, md_v2_alloc, sizeof md_v2_alloc);
    assert_int_equal(sizeof md_v2_alloc, 2 + 17 + 8 + 4 + 61);
    sl_buf_free(&b);
    sl_cp_assignment_clear(&alloc);

    sl_cp_metadata d;
    assert_int_equal(sl_cp_metadata_decode(md_v2_alloc, sizeof md_v2_alloc, &d, err, sizeof err),
                     0);
    assert_int_equal(d.version, 2);
    assert_string_equal(d.url, URL);
    assert_non_null(d.allocation);
    assert_worked_assignment(d.allocation, 2);
    sl_cp_metadata_clear(&d);
}

static void test_null_arrays_and_missing_trailing_fields_default(void **state)
{
    (void)state;
    /* Header only (33 bytes): every trailing field missing. */
    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(as_v1, 33, &d, err, sizeof err), 0);
    assert_int_equal(d.version, 1);
    assert_int_equal(d.assigned.n, 0);
    assert_int_equal(d.revoked.n, 0);
    assert_int_equal(d.delay_ms, 0);
    sl_cp_assignment_clear(&d);

    /* Explicit null arrays (-1) and a delay. */
    unsigned char buf[33 + 12];
    memcpy(buf, as_v1, 33);
    memcpy(buf + 33, "\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x75\x30", 12);
    assert_int_equal(sl_cp_assignment_decode(buf, sizeof buf, &d, err, sizeof err), 0);
    assert_int_equal(d.assigned.n, 0);
    assert_int_equal(d.revoked.n, 0);
    assert_int_equal(d.delay_ms, 30000);
    sl_cp_assignment_clear(&d);

    /* Assigned present, revoked and delay missing. */
    assert_int_equal(sl_cp_assignment_decode(as_v1, 53, &d, err, sizeof err), 0);
    assert_int_equal(sl_cp_set_count(&d.assigned), 2);
    assert_int_equal(d.delay_ms, 0);
    sl_cp_assignment_clear(&d);
}

static void test_revoked_and_delay_round_trip(void **state)
{
    (void)state;
    sl_cp_assignment a = {.version = 2, .error = SL_CP_CONFIG_MISMATCH, .config_offset = -1};
    a.leader = strdup("connect-1-abc");
    a.leader_url = strdup("http://l:8083/");
    sl_cp_set_add(&a.assigned, "b", 3);
    sl_cp_set_add(&a.assigned, "a", -1);
    sl_cp_set_add(&a.assigned, "b", 1);
    sl_cp_set_add(&a.revoked, "z", -1);
    sl_cp_set_add(&a.revoked, "z", 7);
    a.delay_ms = 300000;
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&a, &b), 0);
    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(b.data, b.len, &d, err, sizeof err), 0);
    assert_int_equal(d.version, 2);
    assert_int_equal(d.error, 1);
    assert_int_equal(d.config_offset, -1);
    assert_string_equal(d.leader, "connect-1-abc");
    assert_true(sl_cp_set_has(&d.assigned, "a", -1));
    assert_false(sl_cp_set_has(&d.assigned, "b", -1));
    assert_true(sl_cp_set_has(&d.assigned, "b", 1));
    assert_true(sl_cp_set_has(&d.assigned, "b", 3));
    assert_int_equal(sl_cp_set_count(&d.assigned), 3);
    assert_true(sl_cp_set_has(&d.revoked, "z", -1));
    assert_true(sl_cp_set_has(&d.revoked, "z", 7));
    assert_int_equal(d.delay_ms, 300000);
    /* Re-encoding the decoded struct gives the same bytes. */
    sl_buf b2 = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&d, &b2), 0);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    sl_buf_free(&b);
    sl_buf_free(&b2);
    sl_cp_assignment_clear(&a);
    sl_cp_assignment_clear(&d);
}

static void test_decoder_sorts_and_merges_tasks_like_a_set(void **state)
{
    (void)state;
    /* c1 -> [5, -1, 2, 5], then c1 again -> [0], c2 -> [] (adds nothing, like Java). */
    static const unsigned char buf[] = {
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 'm',  0x00, 0x01, 'u',  OFFSET_42, 0x00,
        0x00, 0x00, 0x03, 0x00, 0x02, 'c',  '1',  0x00, 0x00, 0x00, 0x04,      0x00,
        0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02,      0x00,
        0x00, 0x00, 0x05, 0x00, 0x02, 'c',  '1',  0x00, 0x00, 0x00, 0x01,      0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 'c',  '2',  0x00, 0x00, 0x00, 0x00};
    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(buf, sizeof buf, &d, err, sizeof err), 0);
    assert_int_equal(d.assigned.n, 1);
    assert_true(d.assigned.conns[0].instance);
    assert_int_equal(d.assigned.conns[0].ntasks, 3);
    assert_int_equal(d.assigned.conns[0].tasks[0], 0);
    assert_int_equal(d.assigned.conns[0].tasks[1], 2);
    assert_int_equal(d.assigned.conns[0].tasks[2], 5);
    sl_cp_assignment_clear(&d);
}

/* Every prefix of a valid buffer either decodes (only at field boundaries where the rest is
 * optional) or fails with a message; none crashes. */
static void check_prefixes(const unsigned char *buf, size_t n, bool metadata, const size_t *ok,
                           size_t nok)
{
    for (size_t len = 0; len < n; len++) {
        bool want_ok = false;
        for (size_t i = 0; i < nok; i++) {
            want_ok = want_ok || ok[i] == len;
        }
        err[0] = '\0';
        int rc;
        if (metadata) {
            sl_cp_metadata m;
            rc = sl_cp_metadata_decode(buf, len, &m, err, sizeof err);
            if (rc == 0) {
                assert_non_null(m.url);
            }
            sl_cp_metadata_clear(&m);
        } else {
            sl_cp_assignment a;
            rc = sl_cp_assignment_decode(buf, len, &a, err, sizeof err);
            sl_cp_assignment_clear(&a);
        }
        if (want_ok) {
            assert_int_equal(rc, 0);
        } else {
            if (rc != -1) {
                fail_msg("prefix of %zu bytes decoded", len);
            }
            assert_true(strlen(err) > 0);
        }
    }
}

static void test_truncated_inputs_fail_cleanly(void **state)
{
    (void)state;
    static const size_t md_ok[] = {27};
    check_prefixes(md_v0, sizeof md_v0, true, md_ok, 1);
    check_prefixes(md_v2_first, sizeof md_v2_first, true, md_ok, 1);
    check_prefixes(md_v2_alloc, sizeof md_v2_alloc, true, md_ok, 1);
    static const size_t as_ok[] = {33, 53, 57};
    check_prefixes(as_v1, sizeof as_v1, false, as_ok, 3);
    check_prefixes(as_v0, sizeof as_v0, false, as_ok, 1);

    sl_cp_metadata m;
    assert_int_equal(sl_cp_metadata_decode(NULL, 0, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "version"));
    assert_int_equal(sl_cp_metadata_decode(md_v0, 20, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "config-offset"));
    assert_int_equal(sl_cp_metadata_decode(md_v2_alloc, 40, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "allocation"));
}

static void expect_assignment_error(const unsigned char *buf, size_t n, const char *needle)
{
    sl_cp_assignment a;
    err[0] = '\0';
    assert_int_equal(sl_cp_assignment_decode(buf, n, &a, err, sizeof err), -1);
    if (strstr(err, needle) == NULL) {
        fail_msg("error '%s' does not mention '%s'", err, needle);
    }
    assert_null(a.leader);
    assert_int_equal(a.assigned.n, 0);
}

static void test_garbage_fields_are_refused_with_the_field_named(void **state)
{
    (void)state;
    unsigned char b[sizeof as_v1];

    memcpy(b, as_v1, sizeof b);
    b[0] = 0xff; /* version -255 */
    expect_assignment_error(b, sizeof b, "version");

    memcpy(b, as_v1, sizeof b);
    b[4] = 0x80; /* leader length negative */
    expect_assignment_error(b, sizeof b, "leader");

    memcpy(b, as_v1, sizeof b);
    b[7] = '\0'; /* NUL inside the leader id */
    expect_assignment_error(b, sizeof b, "NUL");

    memcpy(b, as_v1, sizeof b);
    b[33] = 0x7f; /* assignment array count huge */
    expect_assignment_error(b, sizeof b, "assignment");

    memcpy(b, as_v1, sizeof b);
    memcpy(b + 33, "\xff\xff\xff\xfe", 4); /* count -2 */
    expect_assignment_error(b, sizeof b, "assignment");

    memcpy(b, as_v1, sizeof b);
    memcpy(b + 41, "\x10\x00\x00\x00", 4); /* task count huge */
    expect_assignment_error(b, sizeof b, "task count");

    memcpy(b, as_v1, sizeof b);
    memcpy(b + 45, "\xff\xff\xff\xfb", 4); /* task id -5 */
    expect_assignment_error(b, sizeof b, "task id");

    memcpy(b, as_v1, sizeof b);
    memcpy(b + 53, "\x00\x00\x00\x05", 4); /* revoked count 5 with 4 bytes left */
    expect_assignment_error(b, sizeof b, "revoked");

    unsigned char m[sizeof md_v2_alloc];
    sl_cp_metadata md;
    memcpy(m, md_v2_alloc, sizeof m);
    m[30] = 0x3e; /* allocation length one past the end */
    assert_int_equal(sl_cp_metadata_decode(m, sizeof m, &md, err, sizeof err), -1);
    assert_non_null(strstr(err, "allocation"));
    memcpy(m, md_v2_alloc, sizeof m);
    memcpy(m + 27, "\xff\xff\xff\xfe", 4); /* allocation length -2 */
    assert_int_equal(sl_cp_metadata_decode(m, sizeof m, &md, err, sizeof err), -1);
    memcpy(m, md_v2_alloc, sizeof m);
    m[31 + 4] = 0x80; /* nested leader length negative */
    assert_int_equal(sl_cp_metadata_decode(m, sizeof m, &md, err, sizeof err), -1);
    assert_non_null(strstr(err, "allocation"));
    assert_non_null(strstr(err, "leader"));
    assert_null(md.url);
    assert_null(md.allocation);
}

static void test_newer_versions_and_trailing_bytes_are_read_like_java(void **state)
{
    (void)state;
    unsigned char b[sizeof as_v1 + 3];
    memcpy(b, as_v1, sizeof as_v1);
    b[1] = 7;
    memcpy(b + sizeof as_v1, "xyz", 3);
    sl_cp_assignment d;
    assert_int_equal(sl_cp_assignment_decode(b, sizeof b, &d, err, sizeof err), 0);
    assert_int_equal(d.version, 7);
    assert_int_equal(sl_cp_set_count(&d.assigned), 2);
    sl_cp_assignment_clear(&d);
}

/* Deterministic pseudo-random bytes and mutations of the worked buffers: never a crash (the
 * sanitizer build checks memory), and every failure comes with a message. */
static void test_random_and_mutated_inputs_never_crash(void **state)
{
    (void)state;
    uint32_t x = 12345;
    unsigned char buf[128];
    const unsigned char *seeds[] = {md_v0, md_v2_first, md_v2_alloc, as_v0, as_v1};
    const size_t seed_len[] = {sizeof md_v0, sizeof md_v2_first, sizeof md_v2_alloc, sizeof as_v0,
                               sizeof as_v1};
    size_t decoded = 0;
    for (int iter = 0; iter < 40000; iter++) {
        size_t n;
        if (iter % 2 == 0) {
            x = x * 1103515245u + 12345u;
            n = (x >> 16) % sizeof buf;
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (unsigned char)(x >> 16);
            }
        } else {
            size_t s = (size_t)(iter / 2) % 5;
            n = seed_len[s];
            memcpy(buf, seeds[s], n);
            for (int k = 0; k < 3; k++) {
                x = x * 1103515245u + 12345u;
                buf[(x >> 8) % n] = (unsigned char)(x >> 20);
            }
        }
        sl_cp_metadata m;
        sl_cp_assignment a;
        err[0] = '\0';
        if (sl_cp_metadata_decode(buf, n, &m, err, sizeof err) == 0) {
            decoded++;
            sl_buf out = SL_BUF_INIT;
            assert_int_equal(sl_cp_metadata_encode(&m, &out), 0);
            sl_buf_free(&out);
        } else {
            assert_true(strlen(err) > 0);
        }
        sl_cp_metadata_clear(&m);
        err[0] = '\0';
        if (sl_cp_assignment_decode(buf, n, &a, err, sizeof err) == 0) {
            decoded++;
            sl_buf out = SL_BUF_INIT;
            assert_int_equal(sl_cp_assignment_encode(&a, &out), 0);
            sl_buf_free(&out);
        } else {
            assert_true(strlen(err) > 0);
        }
        sl_cp_assignment_clear(&a);
    }
    assert_true(decoded > 0);
}

static void test_over_long_strings_are_not_encoded(void **state)
{
    (void)state;
    char *big = malloc(40000);
    memset(big, 'x', 39999);
    big[39999] = '\0';
    sl_buf b = SL_BUF_INIT;
    sl_cp_metadata m = {.version = 0, .url = big};
    assert_int_equal(sl_cp_metadata_encode(&m, &b), -1);
    assert_int_equal(b.len, 0);
    sl_cp_assignment a = {.version = 1};
    sl_cp_set_add(&a.revoked, big, 0);
    assert_int_equal(sl_cp_assignment_encode(&a, &b), -1);
    assert_int_equal(b.len, 0);
    sl_cp_metadata m2 = {.version = 1, .url = "u", .allocation = &a};
    assert_int_equal(sl_cp_metadata_encode(&m2, &b), -1);
    assert_int_equal(b.len, 0);
    /* 32767 bytes is the limit and still fits. */
    big[32767] = '\0';
    m.url = big;
    assert_int_equal(sl_cp_metadata_encode(&m, &b), 0);
    assert_int_equal(b.len, 2 + 2 + 32767 + 8); /* version, length, url, offset */
    sl_buf_free(&b);
    sl_cp_assignment_clear(&a);
    free(big);
}

static void test_null_strings_encode_as_empty(void **state)
{
    (void)state;
    sl_cp_assignment a = {.version = 0};
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&a, &b), 0);
    static const unsigned char want[20] = {0}; /* version, error, "", "", offset 0, no entries */
    assert_bytes(&b, want, sizeof want);
    sl_buf_free(&b);
}

static void test_set_helpers_keep_a_sorted_duplicate_free_set(void **state)
{
    (void)state;
    sl_cp_set s = {0};
    sl_cp_set_add(&s, "b", 2);
    sl_cp_set_add(&s, "a", -1);
    sl_cp_set_add(&s, "b", 0);
    sl_cp_set_add(&s, "b", 2);
    sl_cp_set_add(&s, "b", 1);
    sl_cp_set_add(&s, "c", -7); /* ignored */
    sl_cp_set_add(&s, NULL, 0); /* ignored */
    assert_int_equal(s.n, 2);
    assert_string_equal(s.conns[0].connector, "a");
    assert_string_equal(s.conns[1].connector, "b");
    assert_int_equal(s.conns[1].ntasks, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.conns[1].tasks[i], i);
    }
    assert_int_equal(sl_cp_set_count(&s), 4);
    assert_true(sl_cp_set_has(&s, "a", -1));
    assert_false(sl_cp_set_has(&s, "a", 0));
    assert_false(sl_cp_set_has(&s, "c", -1));

    sl_cp_set t = {0};
    sl_cp_set_copy(&t, &s);
    assert_int_equal(sl_cp_set_count(&t), 4);
    sl_cp_set_remove(&t, "b", 1);
    sl_cp_set_remove(&t, "b", 9);    /* absent */
    sl_cp_set_remove(&t, "zzz", -1); /* absent */
    assert_false(sl_cp_set_has(&t, "b", 1));
    assert_int_equal(sl_cp_set_count(&t), 3);
    sl_cp_set_remove(&t, "a", -1); /* the last item of "a": the entry goes */
    assert_int_equal(t.n, 1);
    assert_string_equal(t.conns[0].connector, "b");

    /* s - t = {a instance, b/1}; then + t gives s back. */
    sl_cp_set u = {0};
    sl_cp_set_copy(&u, &s);
    sl_cp_set_remove_all(&u, &t);
    assert_int_equal(sl_cp_set_count(&u), 2);
    assert_true(sl_cp_set_has(&u, "a", -1));
    assert_true(sl_cp_set_has(&u, "b", 1));
    sl_cp_set_add_all(&u, &t);
    assert_int_equal(sl_cp_set_count(&u), 4);

    /* Many entries in reverse order, then remove them all. */
    char name[16];
    for (int i = 300; i > 0; i--) {
        snprintf(name, sizeof name, "k%03d", i);
        sl_cp_set_add(&u, name, i % 7 - 1);
    }
    assert_int_equal(sl_cp_set_count(&u), 304);
    for (size_t i = 1; i < u.n; i++) {
        assert_true(strcmp(u.conns[i - 1].connector, u.conns[i].connector) < 0);
    }
    for (int i = 1; i <= 300; i++) {
        snprintf(name, sizeof name, "k%03d", i);
        sl_cp_set_remove(&u, name, i % 7 - 1);
    }
    assert_int_equal(sl_cp_set_count(&u), 4);
    sl_cp_set_copy(&u, &u); /* self-copy is a no-op */
    assert_int_equal(sl_cp_set_count(&u), 4);

    sl_cp_set_clear(&s);
    sl_cp_set_clear(&t);
    sl_cp_set_clear(&u);
    sl_cp_set_clear(NULL);
    sl_cp_metadata_clear(NULL);
    sl_cp_assignment_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_names_map_to_versions),
        cmocka_unit_test(test_metadata_v0_matches_worked_bytes),
        cmocka_unit_test(test_metadata_v0_ignores_a_given_allocation),
        cmocka_unit_test(test_metadata_v2_first_join_has_null_allocation),
        cmocka_unit_test(test_metadata_v1_without_allocation_field_reads_as_null),
        cmocka_unit_test(test_assignment_v1_matches_worked_bytes),
        cmocka_unit_test(test_assignment_v0_matches_worked_bytes_and_v1_reader_takes_it),
        cmocka_unit_test(test_metadata_v2_carries_allocation_as_nested_assignment),
        cmocka_unit_test(test_null_arrays_and_missing_trailing_fields_default),
        cmocka_unit_test(test_revoked_and_delay_round_trip),
        cmocka_unit_test(test_decoder_sorts_and_merges_tasks_like_a_set),
        cmocka_unit_test(test_truncated_inputs_fail_cleanly),
        cmocka_unit_test(test_garbage_fields_are_refused_with_the_field_named),
        cmocka_unit_test(test_newer_versions_and_trailing_bytes_are_read_like_java),
        cmocka_unit_test(test_random_and_mutated_inputs_never_crash),
        cmocka_unit_test(test_over_long_strings_are_not_encoded),
        cmocka_unit_test(test_null_strings_encode_as_empty),
        cmocka_unit_test(test_set_helpers_keep_a_sorted_duplicate_free_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
