/*
 * fuzz_rest_router.c — libFuzzer target for the socket-free half of the REST server
 * (rest/router.h): route matching, percent-coding, query strings, header checks, listener and
 * header-rule parsing, request-body checks. Never opens a socket or touches the herder.
 *
 * Input: newline-separated fields, any of them may be missing:
 *   0 "<METHOD> <path>[?<query>]"   3 listener URL            6 response.http.headers.config
 *   1 Content-Type                  4 access.control.allow.origin / allowed methods
 *   2 Accept                        5 Origin                  7.. the request body (rest of input)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "rest/router.h"

#define NFIELDS 7

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_quiet_log();
    return 0;
}

/* A captured name must survive encode → route → decode unchanged (handlers build Location
 * headers and links with sl_rest_percent_encode). */
static void check_name_round_trip(const sl_rest_match *m)
{
    char msg[2048];
    if (m->name == NULL) {
        return;
    }
    char *enc = sl_rest_percent_encode(m->name);
    char *dec = sl_rest_percent_decode(enc, strlen(enc), false);
    FUZZ_CHECK(dec != NULL && strcmp(dec, m->name) == 0, "percent round trip changed the name");
    free(dec);
    size_t plen = strlen(enc) + 32;
    char *path = malloc(plen);
    snprintf(path, plen, "/connectors/%s/status", enc);
    sl_rest_match m2;
    FUZZ_CHECK(sl_rest_route("GET", path, &m2) == 0 && m2.route == SL_ROUTE_STATUS &&
                   m2.name != NULL && strcmp(m2.name, m->name) == 0,
               "encoded name does not route back to itself: %s", path);
    sl_rest_match_clear(&m2);
    free(path);
    free(enc);
    (void)sl_rest_check_connector_name(m->name, msg, sizeof msg);
    char *t = sl_rest_java_trim(m->name);
    (void)sl_rest_check_connector_name(t, msg, sizeof msg);
    (void)sl_rest_plugin_name_matches(t, m->name);
    (void)sl_rest_plugin_name_matches(m->name, t);
    free(t);
}

static void fuzz_request_line(const char *line)
{
    const char *sp = strchr(line, ' ');
    char *method = sp != NULL ? strndup(line, (size_t)(sp - line)) : strdup("GET");
    const char *target = sp != NULL ? sp + 1 : line;
    const char *qm = strchr(target, '?');
    char *path = qm != NULL ? strndup(target, (size_t)(qm - target)) : strdup(target);
    sl_rest_match m;
    int rc = sl_rest_route(method, path, &m);
    FUZZ_CHECK(rc == 0 || rc == 404 || rc == 405, "route returned %d", rc);
    FUZZ_CHECK(memchr(m.allow, '\0', sizeof m.allow) != NULL, "allow not terminated");
    if (rc == 0) {
        (void)sl_rest_route_takes_body(m.route);
        check_name_round_trip(&m);
    }
    sl_rest_match_clear(&m);
    sl_rest_query q;
    sl_rest_query_parse(qm != NULL ? qm + 1 : NULL, &q);
    for (size_t i = 0; i < q.n; i++) {
        FUZZ_CHECK(sl_rest_query_get(&q, q.keys[i]) != NULL, "query key %zu not found", i);
    }
    (void)sl_rest_query_bool(&q, "expand", false);
    (void)sl_rest_query_bool(&q, "includeTasks", true);
    sl_rest_query_clear(&q);
    free(path);
    free(method);
}

/* Error messages echo request bytes; the error body must still be valid JSON. */
static void check_error_json(const char *msg)
{
    char *e = sl_rest_error_json(500, msg);
    json_error_t jerr;
    json_t *back = json_loads(e, 0, &jerr);
    FUZZ_CHECK(back != NULL, "error JSON does not parse (%s): %s", jerr.text, e);
    json_decref(back);
    free(e);
}

static void fuzz_body(const char *body, size_t len)
{
    char msg[1024];
    json_t *v = NULL;
    if (sl_rest_body_parse(body, len, &v, msg, sizeof msg) != 0) {
        check_error_json(msg);
        return;
    }
    if (v == NULL) {
        return;
    }
    (void)sl_rest_json_token_desc(v);
    if (sl_rest_check_string_map(v, "java.util.Map<java.lang.String, java.lang.String>", msg,
                                 sizeof msg) == 0) {
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val)
        {
            free(sl_rest_scalar_text(val));
        }
    } else {
        check_error_json(msg);
    }
    free(sl_rest_scalar_text(v));
    free(sl_rest_json_text(v));
    json_decref(v);
}

/* crashers/rest_router-1, -2 (fixed: the matcher is linear): every pattern is fed. */
static bool cors_pattern_is_tame(const char *allowed, const char *origin)
{
    (void)allowed;
    (void)origin;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *f[NFIELDS] = {0};
    for (int i = 0; i < NFIELDS; i++) {
        f[i] = fuzz_field(in, size, '\n', i, NULL);
    }
    if (f[0] != NULL) {
        fuzz_request_line(f[0]);
    }
    (void)sl_rest_content_type_is_json(f[1]);
    (void)sl_rest_accept_allows_json(f[2]);
    if (f[3] != NULL) {
        char scheme[8], host[256], msg[1024];
        int port = -1;
        if (sl_rest_parse_listener(f[3], scheme, sizeof scheme, host, sizeof host, &port, msg,
                                   sizeof msg) == 0) {
            FUZZ_CHECK(port >= 0 && port <= 65535, "port %d", port);
        }
    }
    if (cors_pattern_is_tame(f[4], f[5])) {
        (void)sl_rest_cors_origin_allowed(f[4], f[5]);
    }
    (void)sl_rest_list_contains(f[4], f[5]);
    if (f[6] != NULL) {
        sl_rest_header_rule *rules = NULL;
        size_t n = 0;
        char msg[1024];
        if (sl_rest_parse_header_rules(f[6], &rules, &n, msg, sizeof msg) == 0) {
            for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK(rules[i].name != NULL && rules[i].name[0] != '\0', "empty name");
            }
        }
        sl_rest_header_rules_free(rules, n);
    }
    /* The body: everything after the 7th newline, kept as exact-size bytes. */
    size_t off = 0;
    int nl = 0;
    while (off < size && nl < NFIELDS) {
        const char *p = memchr(in + off, '\n', size - off);
        if (p == NULL) {
            off = size;
            break;
        }
        off = (size_t)(p - in) + 1;
        nl++;
    }
    if (nl == NFIELDS) {
        char *body = malloc(size - off > 0 ? size - off : 1);
        memcpy(body, in + off, size - off);
        fuzz_body(body, size - off);
        free(body);
    }
    for (int i = 0; i < NFIELDS; i++) {
        free(f[i]);
    }
    return 0;
}
