/*
 * test_dist_herder.c — the distributed herder's REST answers that need no Kafka: before its first
 * assignment a worker knows no leader, so leader-only requests answer Java's 409, pause/resume of
 * an unknown connector 404, reads come from the (empty) config snapshot, and the internal
 * endpoints demand a KIP-507 signature (sessioned) or accept unsigned requests (eager).
 * The herder is created but never started: no socket is opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four headers above first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/props.h"
#include "herder/herder.h"
#include "rest/handlers.h"

static sl_props *dist_props(const char *protocol)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "bootstrap.servers", "127.0.0.1:1");
    sl_props_set(p, "group.id", "g");
    sl_props_set(p, "config.storage.topic", "c");
    sl_props_set(p, "offset.storage.topic", "o");
    sl_props_set(p, "status.storage.topic", "s");
    sl_props_set(p, "key.converter", "org.apache.kafka.connect.storage.StringConverter");
    sl_props_set(p, "value.converter", "org.apache.kafka.connect.storage.StringConverter");
    if (protocol != NULL) {
        sl_props_set(p, "connect.protocol", protocol);
    }
    return p;
}

typedef struct fixture {
    sl_props *worker;
    sl_herder *h;
    sl_rest_env env;
} fixture;

static int setup_with(void **state, const char *protocol)
{
    fixture *f = calloc(1, sizeof *f);
    f->worker = dist_props(protocol);
    char err[512];
    f->h = sl_herder_new_distributed(f->worker, err, sizeof err);
    if (f->h == NULL) {
        fprintf(stderr, "sl_herder_new_distributed: %s\n", err);
        return -1;
    }
    sl_herder_set_worker_id(f->h, "127.0.0.1:8083");
    sl_herder_set_rest_url(f->h, "http://127.0.0.1:8083/");
    f->env.herder = f->h;
    f->env.base_url = "http://127.0.0.1:8083";
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, NULL);
}

static int setup_eager(void **state)
{
    return setup_with(state, "eager");
}

static int teardown(void **state)
{
    fixture *f = *state;
    sl_herder_destroy(f->h);
    sl_props_free(f->worker);
    free(f);
    return 0;
}

static void call(fixture *f, const char *method, const char *uri, const char *body, const char *sig,
                 const char *alg, sl_rest_resp *resp)
{
    sl_rest_req req = {
        .method = method,
        .uri = uri,
        .content_type = body != NULL ? "application/json" : NULL,
        .body = body,
        .body_len = body != NULL ? strlen(body) : 0,
        .signature = sig,
        .sig_algorithm = alg,
    };
    sl_rest_handle(&f->env, &req, resp);
}

static void expect(fixture *f, const char *method, const char *uri, const char *body, int status,
                   const char *body_text)
{
    sl_rest_resp resp;
    call(f, method, uri, body, NULL, NULL, &resp);
    assert_int_equal(resp.status, status);
    if (body_text != NULL) {
        assert_non_null(resp.body);
        assert_string_equal(resp.body, body_text);
    }
    sl_rest_resp_clear(&resp);
}

#define NO_LEADER                                                                                  \
    "{\"error_code\":409,\"message\":\"Cannot complete request momentarily due to no known "       \
    "leader URL, likely because a rebalance was underway.\"}"

static void test_leader_only_requests_answer_409_before_the_first_assignment(void **state)
{
    fixture *f = *state;
    const char *create =
        "{\"name\":\"a\",\"config\":{\"connector.class\":\"FileStreamSink\",\"topics\":\"t\"}}";
    expect(f, "POST", "/connectors", create, 409, NO_LEADER);
    expect(f, "PUT", "/connectors/a/config", "{\"connector.class\":\"FileStreamSink\"}", 409,
           NO_LEADER);
    expect(f, "PATCH", "/connectors/a/config", "{\"tasks.max\":\"2\"}", 409, NO_LEADER);
    expect(f, "DELETE", "/connectors/a", NULL, 409, NO_LEADER);
    expect(f, "PUT", "/connectors/a/stop", NULL, 409, NO_LEADER);
    expect(f, "POST", "/connectors/a/restart", NULL, 409, NO_LEADER);
    expect(f, "DELETE", "/connectors/a/offsets", NULL, 409, NO_LEADER);
}

static void test_reads_come_from_the_empty_snapshot(void **state)
{
    fixture *f = *state;
    expect(f, "GET", "/connectors", NULL, 200, "[]");
    expect(f, "GET", "/connectors?expand=status", NULL, 200, "{}");
    expect(f, "GET", "/connectors/a", NULL, 404,
           "{\"error_code\":404,\"message\":\"Connector a not found\"}");
    expect(f, "GET", "/connectors/a/status", NULL, 404,
           "{\"error_code\":404,\"message\":\"No status found for connector a\"}");
    expect(f, "GET", "/connectors/a/tasks/0/status", NULL, 404,
           "{\"error_code\":404,\"message\":\"No status found for task a-0\"}");
    expect(f, "PUT", "/connectors/a/pause", NULL, 404,
           "{\"error_code\":404,\"message\":\"Unknown connector a\"}");
    expect(f, "POST", "/connectors/a/tasks/0/restart", NULL, 404,
           "{\"error_code\":404,\"message\":\"Unknown connector: a\"}");
    expect(f, "GET", "/connectors/a/topics", NULL, 200, "{\"a\":{\"topics\":[]}}");
    /* not started: health says so */
    expect(f, "GET", "/health", NULL, 503, NULL);
}

static void test_internal_requests_need_a_signature_under_sessioned(void **state)
{
    fixture *f = *state;
    sl_rest_resp resp;
    call(f, "POST", "/connectors/a/tasks", "[]", NULL, NULL, &resp);
    assert_int_equal(resp.status, 400);
    assert_string_equal(resp.body, "{\"error_code\":400,\"message\":\"Internal request missing "
                                   "required signature\"}");
    sl_rest_resp_clear(&resp);
    call(f, "POST", "/connectors/a/tasks", "[]", "AAAA", "HmacMD5", &resp);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body, "does not support the 'HmacMD5' key signing algorithm"));
    sl_rest_resp_clear(&resp);
    /* a well-formed signature, but no session key has been read yet */
    call(f, "POST", "/connectors/a/tasks", "[]", "AAAA", "HmacSHA256", &resp);
    assert_int_equal(resp.status, 503);
    assert_non_null(strstr(resp.body, "has not been able to read a session key"));
    sl_rest_resp_clear(&resp);
    call(f, "PUT", "/connectors/a/fence", NULL, NULL, NULL, &resp);
    assert_int_equal(resp.status, 400);
    sl_rest_resp_clear(&resp);
}

static void test_eager_clusters_do_not_sign_internal_requests(void **state)
{
    fixture *f = *state;
    /* no signature needed: the request goes on to the leader check (none known yet) */
    expect(f, "POST", "/connectors/a/tasks", "[]", 409, NO_LEADER);
    expect(f, "PUT", "/connectors/a/fence", NULL, 409, NO_LEADER);
}

static void test_forward_false_is_a_conflicting_operation_only_with_a_leader(void **state)
{
    fixture *f = *state;
    /* without a leader URL the answer is still "no known leader" */
    expect(f, "DELETE", "/connectors/a?forward=false", NULL, 409, NO_LEADER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_leader_only_requests_answer_409_before_the_first_assignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_come_from_the_empty_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_internal_requests_need_a_signature_under_sessioned,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_eager_clusters_do_not_sign_internal_requests,
                                        setup_eager, teardown),
        cmocka_unit_test_setup_teardown(
            test_forward_false_is_a_conflicting_operation_only_with_a_leader, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
