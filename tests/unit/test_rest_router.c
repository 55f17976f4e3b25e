/*
 * test_rest_router.c — the socket-free half of the REST server: routing (incl. trailing slashes,
 * percent-decoding, 404 vs 405), query parameters, request bodies answered like Jersey+Jackson,
 * connector-name checks, listener URLs, CORS lists, /admin/loggers, and handler error paths that
 * never reach the herder. Must never open a socket or start a herder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* needs the four headers above first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest/handlers.h"
#include "rest/loggers.h"
#include "rest/router.h"
#include "util/log.h"

static int route(const char *method, const char *path, sl_rest_match *m)
{
    return sl_rest_route(method, path, m);
}

static void test_every_public_endpoint_routes_to_its_handler(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        int id;
    } cases[] = {
        {"GET", "/", SL_ROUTE_ROOT},
        {"GET", "/health", SL_ROUTE_HEALTH},
        {"GET", "/connectors", SL_ROUTE_LIST},
        {"POST", "/connectors", SL_ROUTE_CREATE},
        {"GET", "/connectors/a", SL_ROUTE_INFO},
        {"DELETE", "/connectors/a", SL_ROUTE_DELETE},
        {"GET", "/connectors/a/config", SL_ROUTE_CONFIG_GET},
        {"PUT", "/connectors/a/config", SL_ROUTE_CONFIG_PUT},
        {"PATCH", "/connectors/a/config", SL_ROUTE_CONFIG_PATCH},
        {"GET", "/connectors/a/status", SL_ROUTE_STATUS},
        {"POST", "/connectors/a/restart", SL_ROUTE_RESTART},
        {"PUT", "/connectors/a/pause", SL_ROUTE_PAUSE},
        {"PUT", "/connectors/a/resume", SL_ROUTE_RESUME},
        {"PUT", "/connectors/a/stop", SL_ROUTE_STOP},
        {"GET", "/connectors/a/tasks", SL_ROUTE_TASKS},
        {"GET", "/connectors/a/tasks-config", SL_ROUTE_TASKS_CONFIG},
        {"GET", "/connectors/a/tasks/0/status", SL_ROUTE_TASK_STATUS},
        {"POST", "/connectors/a/tasks/3/restart", SL_ROUTE_TASK_RESTART},
        {"GET", "/connectors/a/topics", SL_ROUTE_TOPICS},
        {"PUT", "/connectors/a/topics/reset", SL_ROUTE_TOPICS_RESET},
        {"GET", "/connectors/a/offsets", SL_ROUTE_OFFSETS_GET},
        {"PATCH", "/connectors/a/offsets", SL_ROUTE_OFFSETS_PATCH},
        {"DELETE", "/connectors/a/offsets", SL_ROUTE_OFFSETS_DELETE},
        {"GET", "/connector-plugins", SL_ROUTE_PLUGINS},
        {"GET", "/connector-plugins/FileStreamSink/config", SL_ROUTE_PLUGIN_CONFIG},
        {"PUT", "/connector-plugins/FileStreamSink/config/validate", SL_ROUTE_PLUGIN_VALIDATE},
        {"GET", "/admin/loggers", SL_ROUTE_LOGGERS},
        {"GET", "/admin/loggers/root", SL_ROUTE_LOGGER_GET},
        {"PUT", "/admin/loggers/org.apache.kafka", SL_ROUTE_LOGGER_PUT},
        {"HEAD", "/connectors", SL_ROUTE_LIST},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_rest_match m;
        int rc = route(cases[i].method, cases[i].path, &m);
        if (rc != 0 || m.route != cases[i].id) {
            fail_msg("%s %s: rc=%d route=%d, expected route %d", cases[i].method, cases[i].path, rc,
                     m.route, cases[i].id);
        }
        sl_rest_match_clear(&m);
    }
}

static void test_trailing_slash_matches_like_jersey(void **state)
{
    (void)state;
    sl_rest_match m;
    assert_int_equal(route("GET", "/connectors/", &m), 0);
    assert_int_equal(m.route, SL_ROUTE_LIST);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/admin/loggers/", &m), 0);
    assert_int_equal(m.route, SL_ROUTE_LOGGERS);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors/x/status/", &m), 0);
    assert_string_equal(m.name, "x");
    sl_rest_match_clear(&m);
}

static void test_connector_name_is_percent_decoded_per_segment(void **state)
{
    (void)state;
    sl_rest_match m;
    assert_int_equal(route("GET", "/connectors/my%20sink%2Fv2/config", &m), 0);
    assert_int_equal(m.route, SL_ROUTE_CONFIG_GET);
    assert_string_equal(m.name, "my sink/v2");
    sl_rest_match_clear(&m);
    /* '+' is literal in a path */
    assert_int_equal(route("GET", "/connectors/a+b", &m), 0);
    assert_string_equal(m.name, "a+b");
    sl_rest_match_clear(&m);
}

static void test_unknown_paths_are_404_and_known_paths_with_wrong_method_are_405(void **state)
{
    (void)state;
    sl_rest_match m;
    assert_int_equal(route("GET", "/nope", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors/a/b/c/d/e/f/g/h/i", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "//connectors", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors//config", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors/a%00b", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("DELETE", "/connectors", &m), 405);
    assert_non_null(strstr(m.allow, "GET"));
    assert_non_null(strstr(m.allow, "POST"));
    sl_rest_match_clear(&m);
    assert_int_equal(route("POST", "/connectors/a/pause", &m), 405);
    sl_rest_match_clear(&m);
    assert_int_equal(route("BREW", "/", &m), 405);
    sl_rest_match_clear(&m);
}

static void test_task_id_must_be_an_integer_or_the_route_misses(void **state)
{
    (void)state;
    sl_rest_match m;
    assert_int_equal(route("GET", "/connectors/a/tasks/abc/status", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors/a/tasks/99999999999/status", &m), 404);
    sl_rest_match_clear(&m);
    assert_int_equal(route("GET", "/connectors/a/tasks/-1/status", &m), 0);
    assert_int_equal(m.task, -1);
    sl_rest_match_clear(&m);
    assert_int_equal(route("POST", "/connectors/a/tasks/+7/restart", &m), 0);
    assert_int_equal(m.task, 7);
    sl_rest_match_clear(&m);
}

static void test_options_on_known_path_is_answered_with_allow(void **state)
{
    (void)state;
    sl_rest_match m;
    assert_int_equal(route("OPTIONS", "/connectors/a/config", &m), 0);
    assert_int_equal(m.route, SL_ROUTE_OPTIONS);
    assert_non_null(strstr(m.allow, "PATCH"));
    assert_non_null(strstr(m.allow, "OPTIONS"));
    sl_rest_match_clear(&m);
    assert_int_equal(route("OPTIONS", "/nope", &m), 404);
    sl_rest_match_clear(&m);
}

static void test_query_params_decode_repeat_and_parse_booleans_like_jaxrs(void **state)
{
    (void)state;
    sl_rest_query q;
    sl_rest_query_parse("expand=status&expand=info&includeTasks=TRUE&onlyFailed=yes&x&"
                        "name=a+b%21&&=v",
                        &q);
    assert_int_equal(q.n, 6);
    assert_string_equal(q.keys[0], "expand");
    assert_string_equal(q.values[1], "info");
    assert_true(sl_rest_query_bool(&q, "includeTasks", false));
    assert_false(sl_rest_query_bool(&q, "onlyFailed", true));
    assert_false(sl_rest_query_bool(&q, "x", true));
    assert_true(sl_rest_query_bool(&q, "connectorsOnly", true));
    assert_string_equal(sl_rest_query_get(&q, "name"), "a b!");
    assert_string_equal(sl_rest_query_get(&q, "x"), "");
    assert_null(sl_rest_query_get(&q, "missing"));
    sl_rest_query_clear(&q);
    sl_rest_query_parse(NULL, &q);
    assert_int_equal(q.n, 0);
    sl_rest_query_clear(&q);
}

static void test_json_content_types_are_recognised(void **state)
{
    (void)state;
    assert_true(sl_rest_content_type_is_json("application/json"));
    assert_true(sl_rest_content_type_is_json("Application/JSON; charset=utf-8"));
    assert_true(sl_rest_content_type_is_json("application/vnd.kafka+json"));
    assert_false(sl_rest_content_type_is_json("text/plain"));
    assert_false(sl_rest_content_type_is_json("application/x-www-form-urlencoded"));
    assert_false(sl_rest_content_type_is_json(NULL));
    assert_false(sl_rest_content_type_is_json("application/jsonx"));
}

static void test_accept_header_must_allow_json(void **state)
{
    (void)state;
    assert_true(sl_rest_accept_allows_json(NULL));
    assert_true(sl_rest_accept_allows_json(""));
    assert_true(sl_rest_accept_allows_json("*/*"));
    assert_true(sl_rest_accept_allows_json("application/json"));
    assert_true(sl_rest_accept_allows_json("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"));
    assert_true(sl_rest_accept_allows_json("application/*"));
    assert_false(sl_rest_accept_allows_json("text/plain"));
    assert_false(sl_rest_accept_allows_json("text/html, application/json;q=0"));
}

static void test_empty_body_is_null_and_malformed_json_is_500_like_jackson(void **state)
{
    (void)state;
    char msg[512];
    json_t *v = (json_t *)1;
    assert_int_equal(sl_rest_body_parse("  \n", 3, &v, msg, sizeof(msg)), 0);
    assert_null(v);
    assert_int_equal(sl_rest_body_parse(NULL, 0, &v, msg, sizeof(msg)), 0);
    assert_null(v);
    assert_int_equal(sl_rest_body_parse("{\"a\":", 5, &v, msg, sizeof(msg)), 500);
    assert_null(v);
    assert_non_null(strstr(msg, "line: 1"));
    assert_int_equal(sl_rest_body_parse("\"str\"", 5, &v, msg, sizeof(msg)), 0);
    assert_true(json_is_string(v));
    json_decref(v);
}

static void test_config_map_rejects_nested_values_but_accepts_scalars(void **state)
{
    (void)state;
    char msg[512];
    json_t *ok = json_loads("{\"a\":\"x\",\"b\":1,\"c\":true,\"d\":1.5,\"e\":null}", 0, NULL);
    assert_int_equal(sl_rest_check_string_map(ok, "Map", msg, sizeof(msg)), 0);
    json_decref(ok);
    json_t *bad = json_loads("{\"a\":[1]}", 0, NULL);
    assert_int_equal(sl_rest_check_string_map(bad, "Map", msg, sizeof(msg)), 500);
    assert_non_null(strstr(msg, "Cannot deserialize value of type `java.lang.String` from Array"));
    json_decref(bad);
    json_t *arr = json_loads("[]", 0, NULL);
    assert_int_equal(sl_rest_check_string_map(arr, "Map", msg, sizeof(msg)), 500);
    assert_non_null(strstr(msg, "Cannot deserialize value of type `Map` from Array value"));
    json_decref(arr);
}

static void test_scalars_coerce_to_the_text_jackson_would_produce(void **state)
{
    (void)state;
    static const struct {
        const char *json, *text;
    } cases[] = {{"1", "1"},         {"-42", "-42"},        {"1.5", "1.5"}, {"true", "true"},
                 {"false", "false"}, {"\"s\"", "s"},        {"0.1", "0.1"}, {"100.0", "100.0"},
                 {"1e20", "1.0E20"}, {"-2.5e-7", "-2.5E-7"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        char *t = sl_rest_scalar_text(v);
        assert_string_equal(t, cases[i].text);
        free(t);
        json_decref(v);
    }
}

static void test_connector_names_must_be_non_empty_without_control_chars(void **state)
{
    (void)state;
    char msg[2048];
    assert_int_equal(sl_rest_check_connector_name("ok name/é", msg, sizeof(msg)), 0);
    assert_int_equal(sl_rest_check_connector_name("", msg, sizeof(msg)), 400);
    assert_string_equal(msg, "Connector configuration is invalid and contains the following 1 "
                             "error(s):\nInvalid value  for configuration name: String may not be "
                             "empty\nYou can also find the above list of errors at the endpoint "
                             "`/connector-plugins/{connectorType}/config/validate`");
    assert_int_equal(sl_rest_check_connector_name("a\tb\x7f", msg, sizeof(msg)), 400);
    assert_non_null(strstr(msg, "had the following ASCII chars: 9, 127"));
    char *t = sl_rest_java_trim("  \n name \t");
    assert_string_equal(t, "name");
    free(t);
}

static void test_validate_path_plugin_is_matched_by_suffix_without_connector(void **state)
{
    (void)state;
    const char *fqcn = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    assert_true(sl_rest_plugin_name_matches(fqcn, fqcn));
    assert_true(sl_rest_plugin_name_matches(fqcn, "FileStreamSinkConnector"));
    assert_true(sl_rest_plugin_name_matches(fqcn, "FileStreamSink"));
    assert_false(sl_rest_plugin_name_matches(fqcn, "FileStreamSource"));
    assert_false(sl_rest_plugin_name_matches("Short", "MuchLongerName"));
}

static void test_listeners_parse_scheme_host_and_port(void **state)
{
    (void)state;
    char scheme[16], host[256], msg[256];
    int port = -1;
    assert_int_equal(sl_rest_parse_listener("http://:8083", scheme, sizeof(scheme), host,
                                            sizeof(host), &port, msg, sizeof(msg)),
                     0);
    assert_string_equal(scheme, "http");
    assert_string_equal(host, "");
    assert_int_equal(port, 8083);
    assert_int_equal(sl_rest_parse_listener("HTTP://127.0.0.1:0", scheme, sizeof(scheme), host,
                                            sizeof(host), &port, msg, sizeof(msg)),
                     0);
    assert_string_equal(scheme, "http");
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 0);
    assert_int_equal(sl_rest_parse_listener("https://[::1]:8443", scheme, sizeof(scheme), host,
                                            sizeof(host), &port, msg, sizeof(msg)),
                     0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 8443);
    const char *bad[] = {"localhost:8083", "ftp://x:1",    "http://x",
                         "http://x:99999", "http://x:abc", "http://[::1:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sl_rest_parse_listener(bad[i], scheme, sizeof(scheme), host, sizeof(host),
                                                &port, msg, sizeof(msg)),
                         -1);
    }
}

static void test_cors_origins_support_star_lists_and_wildcards(void **state)
{
    (void)state;
    assert_true(sl_rest_cors_origin_allowed("*", "http://ui.example"));
    assert_true(
        sl_rest_cors_origin_allowed("http://a.example, http://b.example", "http://b.example"));
    assert_true(sl_rest_cors_origin_allowed("http://*.example", "http://ui.example"));
    assert_false(sl_rest_cors_origin_allowed("http://a.example", "http://evil.example"));
    assert_false(sl_rest_cors_origin_allowed("", "http://a.example"));
    assert_false(sl_rest_cors_origin_allowed("*", NULL));
    assert_true(sl_rest_list_contains("GET,POST, PUT", "PUT"));
    assert_false(sl_rest_list_contains("GET,POST", "PUTS"));
}

/* Found by tests/fuzz: the recursive matcher took exponential time on patterns with many '*'
 * against a long Origin header (a request could pin a REST thread for minutes). */
static void test_cors_wildcards_match_in_linear_time(void **state)
{
    (void)state;
    assert_true(sl_rest_cors_origin_allowed("http://*.*.example.com", "http://a.b.example.com"));
    assert_true(sl_rest_cors_origin_allowed("*example*", "http://example.com"));
    assert_true(sl_rest_cors_origin_allowed("http://**.example", "http://x.example"));
    assert_false(sl_rest_cors_origin_allowed("http://*.example", "http://example"));
    assert_false(sl_rest_cors_origin_allowed("a*b", "ab-"));
    char origin[8001];
    memset(origin, 'a', sizeof(origin) - 1);
    origin[sizeof(origin) - 1] = '\0';
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_false(sl_rest_cors_origin_allowed("*a*a*a*a*a*a*a*a*a*a*b", origin));
    assert_false(sl_rest_cors_origin_allowed("*.*.example.com", origin));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 1.0);
}

static void test_response_header_rules_parse_actions_and_quoted_commas(void **state)
{
    (void)state;
    sl_rest_header_rule *rules;
    size_t n;
    char msg[512];
    assert_int_equal(sl_rest_parse_header_rules("set X-Frame-Options: DENY, "
                                                "\"add Cache-Control: no-cache, no-store\", "
                                                "SETDATE Expires: 31540000000",
                                                &rules, &n, msg, sizeof(msg)),
                     0);
    assert_int_equal(n, 3);
    assert_int_equal(rules[0].action, SL_HDR_SET);
    assert_string_equal(rules[0].name, "X-Frame-Options");
    assert_string_equal(rules[0].value, "DENY");
    assert_int_equal(rules[1].action, SL_HDR_ADD);
    assert_string_equal(rules[1].value, "no-cache, no-store");
    assert_int_equal(rules[2].action, SL_HDR_SET_DATE);
    sl_rest_header_rules_free(rules, n);
    assert_int_equal(sl_rest_parse_header_rules("remove X: y", &rules, &n, msg, sizeof(msg)), -1);
    assert_non_null(strstr(msg, "Invalid format of header config"));
    assert_int_equal(sl_rest_parse_header_rules("set NoColon", &rules, &n, msg, sizeof(msg)), -1);
    assert_int_equal(sl_rest_parse_header_rules("\"set X: y", &rules, &n, msg, sizeof(msg)), -1);
    assert_int_equal(sl_rest_parse_header_rules("", &rules, &n, msg, sizeof(msg)), 0);
    assert_int_equal(n, 0);
}

static void test_error_body_is_compact_connect_shape(void **state)
{
    (void)state;
    char *s = sl_rest_error_json(404, "Connector x not found");
    assert_string_equal(s, "{\"error_code\":404,\"message\":\"Connector x not found\"}");
    free(s);
    s = sl_rest_error_json(400, "bad \xff utf8");
    assert_non_null(strstr(s, "\"error_code\":400"));
    free(s);
}

static void test_logger_put_changes_namespace_and_reports_sorted_names(void **state)
{
    (void)state;
    char msg[256];
    json_t *out = NULL;
    json_t *body = json_loads("{\"level\":\"debug\"}", 0, NULL);
    assert_int_equal(sl_rest_logger_put("org.sluice.test.b", body, NULL, &out, msg, sizeof(msg)),
                     200);
    json_decref(out);
    assert_int_equal(sl_rest_logger_put("org.sluice.test.a", body, NULL, &out, msg, sizeof(msg)),
                     200);
    json_decref(out);
    json_t *warn = json_loads("{\"level\":\"WARN\"}", 0, NULL);
    assert_int_equal(sl_rest_logger_put("org.sluice.test", warn, "worker", &out, msg, sizeof(msg)),
                     200);
    char *s = sl_rest_json_text(out);
    assert_string_equal(s, "[\"org.sluice.test\",\"org.sluice.test.a\",\"org.sluice.test.b\"]");
    free(s);
    json_decref(out);
    assert_int_equal(sl_rest_logger_get("org.sluice.test.a", &out, msg, sizeof(msg)), 200);
    assert_string_equal(json_string_value(json_object_get(out, "level")), "WARN");
    assert_true(json_is_integer(json_object_get(out, "last_modified")));
    json_decref(out);
    /* cluster scope: applied here, 204 */
    assert_int_equal(sl_rest_logger_put("org.sluice.test", body, "Cluster", &out, msg, sizeof(msg)),
                     204);
    assert_null(out);
    assert_int_equal(sl_rest_loggers_list(&out), 200);
    assert_non_null(json_object_get(out, "root"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "org.sluice.test.b"), "level")),
        "DEBUG");
    json_decref(out);
    json_decref(body);
    json_decref(warn);
}

static void test_logger_errors_match_connect(void **state)
{
    (void)state;
    char msg[256];
    json_t *out = NULL;
    json_t *nolevel = json_loads("{\"lvl\":\"INFO\"}", 0, NULL);
    assert_int_equal(sl_rest_logger_put("x", nolevel, NULL, &out, msg, sizeof(msg)), 400);
    assert_string_equal(msg, "Desired 'level' parameter was not specified in request.");
    json_t *bad = json_loads("{\"level\":\"LOUD\"}", 0, NULL);
    assert_int_equal(sl_rest_logger_put("x", bad, NULL, &out, msg, sizeof(msg)), 404);
    assert_string_equal(msg, "invalid log level 'LOUD'.");
    assert_int_equal(sl_rest_logger_get("never.set.logger", &out, msg, sizeof(msg)), 404);
    assert_string_equal(msg, "Logger never.set.logger not found.");
    assert_int_equal(sl_rest_logger_get("ROOT", &out, msg, sizeof(msg)), 200);
    json_decref(out);
    assert_int_equal(sl_rest_logger_put("x", NULL, NULL, &out, msg, sizeof(msg)), 500);
    json_decref(nolevel);
    json_decref(bad);
}

/* ---- handler paths that answer before any herder call (env.herder stays NULL) ---- */

static sl_rest_resp handle(const char *method, const char *uri, const char *ctype, const char *body)
{
    sl_rest_env env = {.herder = NULL, .base_url = "http://w:8083"};
    sl_rest_req req = {.method = method,
                       .uri = uri,
                       .content_type = ctype,
                       .host = "w:8083",
                       .body = body,
                       .body_len = body ? strlen(body) : 0};
    sl_rest_resp resp;
    sl_rest_handle(&env, &req, &resp);
    return resp;
}

static void expect(sl_rest_resp r, int status, const char *body)
{
    assert_int_equal(r.status, status);
    if (body == NULL) {
        assert_null(r.body);
    } else {
        assert_non_null(r.body);
        if (strcmp(r.body, body) != 0) {
            fail_msg("body %s, expected %s", r.body, body);
        }
    }
    sl_rest_resp_clear(&r);
}

static void test_handler_answers_jersey_404_405_and_415(void **state)
{
    (void)state;
    expect(handle("GET", "/connectorz?x=1", NULL, NULL), 404,
           "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    sl_rest_resp r = handle("PATCH", "/connectors", NULL, NULL);
    assert_string_equal(r.allow, "GET, HEAD, POST, OPTIONS");
    expect(r, 405, "{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
    expect(handle("POST", "/connectors", "text/plain", "{}"), 415,
           "{\"error_code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}");
    expect(handle("POST", "/connectors", NULL, "{}"), 415,
           "{\"error_code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}");
    expect(handle("OPTIONS", "/connectors", NULL, NULL), 200, NULL);
}

static void test_handler_rejects_bad_bodies_before_the_herder(void **state)
{
    (void)state;
    const char *json = "application/json";
    sl_rest_resp r = handle("POST", "/connectors", json, "{not json");
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "\"error_code\":500"));
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json, NULL);
    assert_int_equal(r.status, 500);
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json, "[1,2]");
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "from Array value"));
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json, "{\"name\":\"a\"}");
    assert_int_equal(r.status, 500);
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json, "{\"name\":\" \",\"config\":{}}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "String may not be empty"));
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json,
               "{\"name\":\"a\",\"config\":{\"name\":\"b\",\"topics\":\"t\"}}");
    expect(r, 400,
           "{\"error_code\":400,\"message\":\"Connector name configuration (b) doesn't match "
           "connector name in the URL (a)\"}");
    r = handle("POST", "/connectors", json, "{\"name\":\"a\",\"config\":{\"k\":null}}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "Null value can not be supplied as the configuration value."));
    sl_rest_resp_clear(&r);
    r = handle("POST", "/connectors", json,
               "{\"name\":\"a\",\"config\":{},\"initial_state\":\"SLEEPING\"}");
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "No enum constant"));
    sl_rest_resp_clear(&r);
    r = handle("PUT", "/connectors/my%20c/config", json, "{\"name\":\"other\"}");
    expect(r, 400,
           "{\"error_code\":400,\"message\":\"Connector name configuration (other) doesn't match "
           "connector name in the URL (my c)\"}");
    r = handle("PUT", "/connectors/a/config", json, "{\"k\":{\"x\":1}}");
    assert_int_equal(r.status, 500);
    sl_rest_resp_clear(&r);
    r = handle("PATCH", "/connectors/a/offsets", json, "{\"offsets\":[]}");
    expect(r, 400,
           "{\"error_code\":400,\"message\":\"Partitions / offsets need to be provided for an "
           "alter offsets request\"}");
    r = handle("PUT", "/connector-plugins/FileStreamSource/config/validate", json,
               "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\"}");
    expect(r, 400,
           "{\"error_code\":400,\"message\":\"Included connector type "
           "org.apache.kafka.connect.file.FileStreamSinkConnector does not match request type "
           "FileStreamSource\"}");
}

static void test_handler_serves_loggers_with_trailing_slash(void **state)
{
    (void)state;
    sl_rest_resp r = handle("GET", "/admin/loggers/", "application/json", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"root\":{\"level\":"));
    sl_rest_resp_clear(&r);
    r = handle("PUT", "/admin/loggers/org.sluice.h?scope=worker", "application/json",
               "{\"level\":\"TRACE\"}");
    expect(r, 200, "[\"org.sluice.h\"]");
    expect(handle("PUT", "/admin/loggers/org.sluice.h", "application/json", "{\"level\":\"no\"}"),
           404, "{\"error_code\":404,\"message\":\"invalid log level 'no'.\"}");
}

static void test_empty_admin_listeners_hides_the_admin_endpoints(void **state)
{
    (void)state;
    sl_rest_env env = {.herder = NULL, .base_url = "http://w:8083", .admin_disabled = true};
    const char *uris[] = {"/admin/loggers", "/admin/loggers/root", "/admin"};
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        sl_rest_req req = {.method = "GET", .uri = uris[i]};
        sl_rest_resp resp;
        sl_rest_handle(&env, &req, &resp);
        expect(resp, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    }
}

static void test_handler_survives_garbage_input(void **state)
{
    (void)state;
    /* Deterministic pseudo-random bytes through every body-taking route: never a crash. */
    const char *uris[] = {"/connectors", "/connectors/a/config", "/connectors/a/offsets",
                          "/connector-plugins/x/config/validate", "/admin/loggers/x"};
    const char *methods[] = {"POST", "PUT", "PATCH", "PUT", "PUT"};
    unsigned int seed = 12345;
    for (int round = 0; round < 400; round++) {
        char body[64];
        size_t n = (size_t)(round % 63);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            const char alphabet[] = "{}[]\":,0123456789.eE+-nulltruefalse \\u\x01\xc3\xa9\xff";
            body[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        body[n] = '\0';
        int k = round % 5;
        sl_rest_resp r = handle(methods[k], uris[k], "application/json", body);
        if (r.status < 400 && k != 4) {
            /* only the logger route may succeed without a herder */
            if (r.status != 0) {
                fail_msg("garbage body %s on %s answered %d", body, uris[k], r.status);
            }
        }
        sl_rest_resp_clear(&r);
    }
    /* Garbage paths. */
    const char *paths[] = {"",
                           "?",
                           "%",
                           "/%zz",
                           "/connectors/%",
                           "/connectors/a/tasks/",
                           "http://x",
                           "/connectors?expand",
                           "/a/b/c/d/e/f/g/h/i/j/k/l"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        sl_rest_resp r = handle("DELETE", paths[i], NULL, NULL);
        if (r.status < 400) {
            fail_msg("DELETE %s answered %d", paths[i], r.status);
        }
        sl_rest_resp_clear(&r);
    }
}

int main(void)
{
    sl_log_threshold = SL_LOG_ERROR;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_public_endpoint_routes_to_its_handler),
        cmocka_unit_test(test_trailing_slash_matches_like_jersey),
        cmocka_unit_test(test_connector_name_is_percent_decoded_per_segment),
        cmocka_unit_test(test_unknown_paths_are_404_and_known_paths_with_wrong_method_are_405),
        cmocka_unit_test(test_task_id_must_be_an_integer_or_the_route_misses),
        cmocka_unit_test(test_options_on_known_path_is_answered_with_allow),
        cmocka_unit_test(test_query_params_decode_repeat_and_parse_booleans_like_jaxrs),
        cmocka_unit_test(test_json_content_types_are_recognised),
        cmocka_unit_test(test_accept_header_must_allow_json),
        cmocka_unit_test(test_empty_body_is_null_and_malformed_json_is_500_like_jackson),
        cmocka_unit_test(test_config_map_rejects_nested_values_but_accepts_scalars),
        cmocka_unit_test(test_scalars_coerce_to_the_text_jackson_would_produce),
        cmocka_unit_test(test_connector_names_must_be_non_empty_without_control_chars),
        cmocka_unit_test(test_validate_path_plugin_is_matched_by_suffix_without_connector),
        cmocka_unit_test(test_listeners_parse_scheme_host_and_port),
        cmocka_unit_test(test_cors_origins_support_star_lists_and_wildcards),
        cmocka_unit_test(test_response_header_rules_parse_actions_and_quoted_commas),
        cmocka_unit_test(test_error_body_is_compact_connect_shape),
        cmocka_unit_test(test_logger_put_changes_namespace_and_reports_sorted_names),
        cmocka_unit_test(test_logger_errors_match_connect),
        cmocka_unit_test(test_handler_answers_jersey_404_405_and_415),
        cmocka_unit_test(test_handler_rejects_bad_bodies_before_the_herder),
        cmocka_unit_test(test_handler_serves_loggers_with_trailing_slash),
        cmocka_unit_test(test_empty_admin_listeners_hides_the_admin_endpoints),
        cmocka_unit_test(test_handler_survives_garbage_input),
        cmocka_unit_test(test_cors_wildcards_match_in_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
