/*
 * router.h — the pure, socket-free half of the REST server: route matching, percent-decoding,
 * query strings, request-body checks and listener parsing. Unit-testable without a herder.
 * Nothing here may touch the network, the herder or global state.
 */
#ifndef SL_REST_ROUTER_H
#define SL_REST_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum sl_rest_route_id {
    SL_ROUTE_NONE = 0,
    SL_ROUTE_ROOT,
    SL_ROUTE_HEALTH,
    SL_ROUTE_LIST,
    SL_ROUTE_CREATE,
    SL_ROUTE_INFO,
    SL_ROUTE_DELETE,
    SL_ROUTE_CONFIG_GET,
    SL_ROUTE_CONFIG_PUT,
    SL_ROUTE_CONFIG_PATCH,
    SL_ROUTE_STATUS,
    SL_ROUTE_RESTART,
    SL_ROUTE_PAUSE,
    SL_ROUTE_RESUME,
    SL_ROUTE_STOP,
    SL_ROUTE_TASKS,
    SL_ROUTE_TASKS_CONFIG,
    SL_ROUTE_TASK_STATUS,
    SL_ROUTE_TASK_RESTART,
    SL_ROUTE_TOPICS,
    SL_ROUTE_TOPICS_RESET,
    SL_ROUTE_OFFSETS_GET,
    SL_ROUTE_OFFSETS_PATCH,
    SL_ROUTE_OFFSETS_DELETE,
    SL_ROUTE_PLUGINS,
    SL_ROUTE_PLUGIN_CONFIG,
    SL_ROUTE_PLUGIN_VALIDATE,
    SL_ROUTE_LOGGERS,
    SL_ROUTE_LOGGER_GET,
    SL_ROUTE_LOGGER_PUT,
    SL_ROUTE_TASKS_PUT, /* internal: POST /connectors/{c}/tasks (task configs to the leader) */
    SL_ROUTE_FENCE,     /* internal: PUT /connectors/{c}/fence */
    SL_ROUTE_OPTIONS,   /* OPTIONS on a known path: answer with Allow (and CORS preflight) */
};

typedef struct sl_rest_match {
    int route;      /* enum sl_rest_route_id */
    char *name;     /* decoded {connector}/{plugin}/{logger}; malloc'ed, NULL when none */
    int task;       /* {task} when the route has one */
    char allow[64]; /* methods allowed on the matched path, e.g. "GET, POST, HEAD, OPTIONS" */
} sl_rest_match;

/*
 * Match `method` (as received; HEAD acts as GET) on `path` (raw, still percent-encoded, without
 * the query string). Returns 0 and fills m, or 404 (no such path, incl. a non-integer task id)
 * or 405 (path known, method not; m->allow filled). Free m with sl_rest_match_clear.
 */
int sl_rest_route(const char *method, const char *path, sl_rest_match *m);
void sl_rest_match_clear(sl_rest_match *m);
/* Does the route read a request body (and therefore check Content-Type)? */
bool sl_rest_route_takes_body(int route);

/* Percent-decode n bytes into a new NUL-terminated string; plus_space turns '+' into ' ' (query
 * strings). Invalid escapes are kept literally. NULL when the result would contain a NUL byte. */
char *sl_rest_percent_decode(const char *s, size_t n, bool plus_space);
/* Percent-encode a path segment (RFC 3986 unreserved kept). Returns malloc'ed string. */
char *sl_rest_percent_encode(const char *s);

/* A decoded query string: ordered key/value pairs (repeated keys kept). */
typedef struct sl_rest_query {
    size_t n;
    char **keys;
    char **values; /* "" when the parameter has no '=' */
} sl_rest_query;

void sl_rest_query_parse(const char *raw, sl_rest_query *q); /* raw may be NULL */
void sl_rest_query_clear(sl_rest_query *q);
const char *sl_rest_query_get(const sl_rest_query *q, const char *key); /* first value or NULL */
/* JAX-RS boolean: "true" in any case is true, anything else (or absent) is dflt when absent,
 * false when present. */
bool sl_rest_query_bool(const sl_rest_query *q, const char *key, bool dflt);

/* Content-Type header says JSON: application/json or application/<x>+json, any parameters. */
bool sl_rest_content_type_is_json(const char *content_type);

/* Does the Accept header allow JSON? Absent, any-type, application/any, application/json and
 * +json ranges do; a range with q=0 does not. */
bool sl_rest_accept_allows_json(const char *accept);

/*
 * Request bodies, answered the way Java Connect's Jersey+Jackson stack does:
 * an empty body is JSON null; malformed JSON is a 500 with a Jackson-style message.
 * Returns 0 with *out (new reference, NULL for an empty body) or 500 with msg.
 */
int sl_rest_body_parse(const char *body, size_t len, json_t **out, char *msg, size_t msglen);
/*
 * A flat Map<String,String>: values may be strings, numbers, booleans (coerced later) and, when
 * allow_null, null. Objects/arrays anywhere → 500 with Jackson's "Cannot deserialize" message.
 * `java_type` names the target type in that message.
 */
int sl_rest_check_string_map(const json_t *v, const char *java_type, char *msg, size_t msglen);
/* Java's Jackson token description of a JSON value, e.g. "Array value (token
 * `JsonToken.START_ARRAY`)". */
const char *sl_rest_json_token_desc(const json_t *v);
/* Text of a scalar the way Jackson coerces it into a String (numbers, booleans). malloc'ed. */
char *sl_rest_scalar_text(const json_t *v);

/* String.trim(): strip leading/trailing bytes <= ' '. Returns malloc'ed copy. */
char *sl_rest_java_trim(const char *s);
/* ConfigDef.NonEmptyStringWithoutControlChars on the connector name: 0, or 400 with the
 * full "Connector configuration is invalid..." message in msg. */
int sl_rest_check_connector_name(const char *name, char *msg, size_t msglen);
/* The 400 message of an invalid connector config: `count` errors, given as lines joined by \n. */
void sl_rest_invalid_config_message(int count, const char *error_lines, char *msg, size_t msglen);
/* {"error_code":status,"message":msg} as compact JSON, malloc'ed. */
char *sl_rest_error_json(int status, const char *msg);
/* Compact, order-preserving JSON text of v (Jackson's output style), malloc'ed. */
char *sl_rest_json_text(const json_t *v);

/* ConnectorPluginsResource's check: does connector.class end with the path's plugin name once a
 * trailing "Connector" is stripped from both? */
bool sl_rest_plugin_name_matches(const char *connector_class, const char *plugin);

/* "http://host:port" → scheme ("http"/"https", lower-cased), host ("" = all interfaces, IPv6
 * without brackets), port (0..65535). 0 or -1 with msg. */
int sl_rest_parse_listener(const char *url, char *scheme, size_t schemelen, char *host,
                           size_t hostlen, int *port, char *msg, size_t msglen);

/* access.control.allow.origin: comma list of origins, "*" = any, '*' inside = wildcard. */
bool sl_rest_cors_origin_allowed(const char *allowed, const char *origin);
/* Is method in the comma list (case-sensitive like Jetty, spaces ignored)? */
bool sl_rest_list_contains(const char *list, const char *item);

/* response.http.headers.config: comma-separated rules "<action> <Name>: <value>", a rule with
 * commas in double quotes; action set|add|setDate|addDate (any case). */
enum sl_rest_header_action {
    SL_HDR_SET,
    SL_HDR_ADD,
    SL_HDR_SET_DATE,
    SL_HDR_ADD_DATE,
};
typedef struct sl_rest_header_rule {
    int action;  /* enum sl_rest_header_action */
    char *name;  /* malloc'ed */
    char *value; /* malloc'ed; for the date actions: milliseconds from now */
} sl_rest_header_rule;
/* 0 with *rules (free with sl_rest_header_rules_free) and *n, or -1 with msg. */
int sl_rest_parse_header_rules(const char *config, sl_rest_header_rule **rules, size_t *n,
                               char *msg, size_t msglen);
void sl_rest_header_rules_free(sl_rest_header_rule *rules, size_t n);

#endif
