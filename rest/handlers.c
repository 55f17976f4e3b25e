/*
 * handlers.c — turns one parsed REST request into herder calls and Connect's exact responses
 * (status codes, JSON shapes, {"error_code","message"} errors, Jersey/Jackson quirks).
 * It never reads or writes connector state except through herder.h, and never touches sockets.
 */
#include "rest/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/props.h"
#include "dist/forward.h"
#include "rest/loggers.h"
#include "rest/router.h"
#include "util/log.h"
#include "util/mem.h"

#ifndef SLUICE_COMMIT
#define SLUICE_COMMIT "0000000000000000"
#endif

#define MAP_TYPE    "java.util.HashMap<java.lang.String,java.lang.String>"
#define CREATE_TYPE "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest"

typedef struct call {
    const sl_rest_env *env;
    const sl_rest_req *req;
    sl_rest_resp *resp;
    sl_rest_match *m;
    sl_rest_query *q;
    json_t *body; /* parsed request body, NULL when empty */
} call;

static void set_error(sl_rest_resp *resp, int status, const char *msg)
{
    free(resp->body);
    resp->status = status;
    resp->body = sl_rest_error_json(status, msg);
}

static void set_json(sl_rest_resp *resp, int status, const json_t *v)
{
    free(resp->body);
    resp->status = status;
    resp->body = v ? sl_rest_json_text(v) : NULL;
}

static char *location_for(const call *c, const char *name);

#define CONFLICT_MSG                                                                               \
    "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"

/* The raw query without `forward`, then forward=<next> (Java's hop counter). malloc'ed. */
static char *forward_query(const char *uri, const char *next)
{
    const char *q = strchr(uri, '?');
    size_t n = (q != NULL ? strlen(q) : 0) + 32;
    char *out = sl_xmalloc(n);
    size_t o = 0;
    out[0] = '\0';
    const char *p = q != NULL ? q + 1 : "";
    while (*p) {
        size_t len = strcspn(p, "&");
        bool is_fwd = (len >= 7 && strncmp(p, "forward", 7) == 0 && (len == 7 || p[7] == '='));
        if (len > 0 && !is_fwd) {
            o += (size_t)snprintf(out + o, n - o, "%s%.*s", o ? "&" : "", (int)len, p);
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
    snprintf(out + o, n - o, "%sforward=%s", o ? "&" : "", next);
    return out;
}

/*
 * SL_HERDER_FORWARD: send the original request to the worker that must serve it and answer with
 * its reply verbatim (Java's HerderRequestHandler: at most two hops, then 409).
 */
static void forward_request(call *c, const sl_herr *err)
{
    sl_rest_resp *resp = c->resp;
    const char *fwd = sl_rest_query_get(c->q, "forward");
    if (err->forward_url[0] == '\0') {
        set_error(resp, 409, err->message);
        return;
    }
    if (fwd != NULL && strcasecmp(fwd, "true") != 0) {
        set_error(resp, 409, CONFLICT_MSG);
        return;
    }
    const char *uri = c->req->uri != NULL ? c->req->uri : "/";
    const char *path = uri;
    if (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0) {
        path = strchr(strstr(path, "://") + 3, '/');
        path = path != NULL ? path : "/";
    }
    size_t plen = strcspn(path, "?");
    char *query = forward_query(path, fwd == NULL ? "true" : "false");
    size_t ulen = strlen(err->forward_url) + plen + strlen(query) + 2;
    char *url = sl_xmalloc(ulen);
    snprintf(url, ulen, "%s%.*s?%s", err->forward_url, (int)plen, path, query);
    free(query);
    sl_fwd_req fr = {
        .method = c->req->method,
        .url = url,
        .body = c->req->body,
        .len = c->req->body_len,
        .authorization = c->req->authorization,
        .signature = c->req->signature,
        .sig_algorithm = c->req->sig_algorithm,
    };
    sl_fwd_resp fresp;
    char ferr[512] = "";
    sl_debug("Forwarding %s %s to %s", c->req->method, path, url);
    if (sl_forward(&fr, &fresp, ferr, sizeof(ferr)) != 0) {
        char msg[700];
        snprintf(msg, sizeof(msg), "IO Error trying to forward REST request: %s", ferr);
        set_error(resp, 500, msg);
        free(url);
        return;
    }
    free(url);
    free(resp->body);
    resp->status = (int)fresp.status;
    resp->body = (fresp.body != NULL && fresp.len > 0 && fresp.status != 204) ? fresp.body : NULL;
    if (resp->body == NULL) {
        free(fresp.body);
    }
    if (resp->status == 201 && resp->body != NULL) {
        json_t *o = json_loads(resp->body, 0, NULL);
        const char *name = json_string_value(json_object_get(o, "name"));
        if (name != NULL) {
            resp->location = location_for(c, name);
        }
        json_decref(o);
    }
}

/* Apply the herder's convention: status is the HTTP status, err the message, out the body. */
static void from_herder(call *c, int status, json_t *out, const sl_herr *err)
{
    sl_rest_resp *resp = c->resp;
    if (status == SL_HERDER_FORWARD) {
        json_decref(out);
        forward_request(c, err);
        return;
    }
    if (status < 100 || status > 599) {
        sl_warn("herder returned invalid status %d", status);
        set_error(resp, 500, err->message[0] ? err->message : "Internal server error");
    } else if (status >= 400 && out == NULL) {
        set_error(resp, status, err->message[0] ? err->message : "Request failed");
    } else if (status == 204) {
        resp->status = 204;
    } else {
        set_json(resp, status, out);
    }
    json_decref(out);
}

static char *location_for(const call *c, const char *name)
{
    char *enc = sl_rest_percent_encode(name);
    size_t n = strlen(enc) + 256 + (c->req->host ? strlen(c->req->host) : 0) +
               (c->env->base_url ? strlen(c->env->base_url) : 0);
    char *loc = sl_xmalloc(n);
    if (c->req->host != NULL && c->req->host[0] != '\0') {
        snprintf(loc, n, "http://%s/connectors/%s", c->req->host, enc);
    } else {
        snprintf(loc, n, "%s/connectors/%s", c->env->base_url ? c->env->base_url : "", enc);
    }
    free(enc);
    return loc;
}

/*
 * A connector config body (POST config / PUT): Map<String,String>. Null values are validation
 * errors (400); `name` must match when present, and is appended when absent.
 */
static int config_to_props(const json_t *cfg, const char *name, sl_props **out, char *msg,
                           size_t msglen)
{
    *out = NULL;
    int rc = sl_rest_check_string_map(cfg, MAP_TYPE, msg, msglen);
    if (rc != 0) {
        return rc;
    }
    const char *key;
    json_t *val;
    int nulls = 0;
    char lines[2048] = "";
    size_t used = 0;
    json_object_foreach((json_t *)cfg, key, val)
    {
        if (json_is_null(val) && strcmp(key, "name") != 0) {
            nulls++;
            if (used < sizeof(lines) - 80) {
                used +=
                    (size_t)snprintf(lines + used, sizeof(lines) - used, "%s%s", used ? "\n" : "",
                                     "Null value can not be supplied as the configuration "
                                     "value.");
            }
        }
    }
    const json_t *cname = json_object_get(cfg, "name");
    if (cname != NULL && !json_is_null(cname)) {
        char *text = sl_rest_scalar_text(cname);
        bool same = strcmp(text, name) == 0;
        if (!same) {
            snprintf(msg, msglen,
                     "Connector name configuration (%s) doesn't match connector name in the URL "
                     "(%s)",
                     text, name);
        }
        free(text);
        if (!same) {
            return 400;
        }
    }
    if (nulls > 0) {
        sl_rest_invalid_config_message(nulls, lines, msg, msglen);
        return 400;
    }
    sl_props *p = sl_props_new();
    json_object_foreach((json_t *)cfg, key, val)
    {
        if (json_is_null(val)) {
            continue;
        }
        char *text = sl_rest_scalar_text(val);
        sl_props_set(p, key, text);
        free(text);
    }
    if (sl_props_get(p, "name") == NULL) {
        sl_props_set(p, "name", name);
    }
    *out = p;
    return 0;
}

/* A request that got past its own checks but has no herder to go to (never in a running worker;
 * guards the socket-free unit tests). */
static bool no_herder(call *c)
{
    if (c->env->herder != NULL) {
        return false;
    }
    set_error(c->resp, 503, "Worker is still starting up.");
    return true;
}

/* ---- individual endpoints ---- */

static void do_root(call *c)
{
    if (no_herder(c)) {
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "version", json_string(SL_REST_KAFKA_VERSION));
    json_object_set_new(o, "commit", json_string(SLUICE_COMMIT));
    const char *id = sl_herder_kafka_cluster_id(c->env->herder);
    json_object_set_new(o, "kafka_cluster_id", id ? json_string(id) : json_null());
    set_json(c->resp, 200, o);
    json_decref(o);
}

static void do_health(call *c)
{
    if (no_herder(c)) {
        return;
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_health(c->env->herder, &out, &err);
    from_herder(c, st, out, &err);
}

static void do_list(call *c)
{
    bool expand = false, st = false, info = false;
    for (size_t i = 0; i < c->q->n; i++) {
        if (strcmp(c->q->keys[i], "expand") == 0) {
            expand = true;
            st |= strcmp(c->q->values[i], "status") == 0;
            info |= strcmp(c->q->values[i], "info") == 0;
        }
    }
    if (no_herder(c)) {
        return;
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int rc = sl_herder_list(c->env->herder, st, info, &out, &err);
    if (rc == 200 && expand && !st && !info && json_is_array(out)) {
        /* expand given but with no known value: Java maps every connector to {} */
        json_t *o = json_object();
        size_t i;
        json_t *v;
        json_array_foreach(out, i, v)
        {
            if (json_is_string(v)) {
                json_object_set_new(o, json_string_value(v), json_object());
            }
        }
        json_decref(out);
        out = o;
    }
    from_herder(c, rc, out, &err);
}

static void do_create(call *c)
{
    char msg[4096];
    if (c->body == NULL) {
        set_error(c->resp, 500,
                  "Cannot invoke \"" CREATE_TYPE ".name()\" because \"createRequest\" is null");
        return;
    }
    if (!json_is_object(c->body)) {
        snprintf(msg, sizeof(msg), "Cannot deserialize value of type `%s` from %s", CREATE_TYPE,
                 sl_rest_json_token_desc(c->body));
        set_error(c->resp, 500, msg);
        return;
    }
    static const char *const fields[] = {"name", "initial_state"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(c->body, fields[i]);
        if (json_is_object(v) || json_is_array(v)) {
            snprintf(msg, sizeof(msg),
                     "Cannot deserialize value of type `java.lang.String` from %s\n"
                     " (through reference chain: %s[\"%s\"])",
                     sl_rest_json_token_desc(v), CREATE_TYPE, fields[i]);
            set_error(c->resp, 500, msg);
            return;
        }
    }
    json_t *jname = json_object_get(c->body, "name");
    char *raw = (jname && !json_is_null(jname)) ? sl_rest_scalar_text(jname) : sl_xstrdup("");
    char *name = sl_rest_java_trim(raw);
    free(raw);
    char *state = NULL;
    json_t *jstate = json_object_get(c->body, "initial_state");
    if (jstate != NULL && !json_is_null(jstate)) {
        state = sl_rest_scalar_text(jstate);
        for (char *p = state; *p; p++) {
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
            }
        }
        if (strcmp(state, "RUNNING") != 0 && strcmp(state, "PAUSED") != 0 &&
            strcmp(state, "STOPPED") != 0) {
            snprintf(msg, sizeof(msg),
                     "Cannot construct instance of `%s$InitialState`, problem: No enum constant "
                     "%s.InitialState.%.200s",
                     CREATE_TYPE, CREATE_TYPE, state);
            set_error(c->resp, 500, msg);
            goto done;
        }
    }
    json_t *cfg = json_object_get(c->body, "config");
    if (cfg == NULL || json_is_null(cfg)) {
        set_error(c->resp, 500,
                  "Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is "
                  "null");
        goto done;
    }
    sl_props *props = NULL;
    int rc = sl_rest_check_string_map(cfg, "java.util.Map<java.lang.String,java.lang.String>", msg,
                                      sizeof(msg));
    if (rc == 0) {
        rc = config_to_props(cfg, name, &props, msg, sizeof(msg));
    }
    if (rc == 0) {
        rc = sl_rest_check_connector_name(name, msg, sizeof(msg));
    }
    if (rc != 0) {
        sl_props_free(props);
        set_error(c->resp, rc, msg);
        goto done;
    }
    if (no_herder(c)) {
        sl_props_free(props);
        goto done;
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_create(c->env->herder, name, props, state, &out, &err);
    from_herder(c, st, out, &err);
    if (st == 201 && c->resp->location == NULL) {
        c->resp->location = location_for(c, name);
    }
    sl_props_free(props);
done:
    free(state);
    free(name);
}

static void do_config_put(call *c)
{
    char msg[4096];
    const char *name = c->m->name;
    if (c->body == NULL) {
        set_error(c->resp, 500,
                  "Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is "
                  "null");
        return;
    }
    sl_props *props = NULL;
    int rc = sl_rest_check_string_map(c->body, MAP_TYPE, msg, sizeof(msg));
    if (rc == 0) {
        rc = config_to_props(c->body, name, &props, msg, sizeof(msg));
    }
    if (rc == 0) {
        rc = sl_rest_check_connector_name(name, msg, sizeof(msg));
    }
    if (rc != 0) {
        sl_props_free(props);
        set_error(c->resp, rc, msg);
        return;
    }
    if (no_herder(c)) {
        sl_props_free(props);
        return;
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_put_config(c->env->herder, name, props, &out, &err);
    from_herder(c, st, out, &err);
    if (st == 201 && c->resp->location == NULL) {
        c->resp->location = location_for(c, name);
    }
    sl_props_free(props);
}

static void do_config_patch(call *c)
{
    char msg[4096];
    if (c->body == NULL) {
        set_error(c->resp, 500,
                  "Cannot invoke \"java.util.Map.entrySet()\" because \"patch\" is null");
        return;
    }
    int rc = sl_rest_check_string_map(c->body, MAP_TYPE, msg, sizeof(msg));
    if (rc != 0) {
        set_error(c->resp, rc, msg);
        return;
    }
    if (no_herder(c)) {
        return;
    }
    /* Coerce scalars to strings so the herder sees exactly Map<String,String> (+ nulls). */
    json_t *patch = json_object();
    const char *key;
    json_t *val;
    json_object_foreach(c->body, key, val)
    {
        if (json_is_null(val)) {
            json_object_set_new(patch, key, json_null());
        } else {
            char *t = sl_rest_scalar_text(val);
            json_object_set_new(patch, key, json_string(t));
            free(t);
        }
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_patch_config(c->env->herder, c->m->name, patch, &out, &err);
    json_decref(patch);
    from_herder(c, st, out, &err);
}

static void do_offsets_patch(call *c)
{
    char msg[1024];
    const char *none = "Partitions / offsets need to be provided for an alter offsets request";
    if (c->body == NULL) {
        set_error(c->resp, 400, none);
        return;
    }
    if (!json_is_object(c->body)) {
        snprintf(msg, sizeof(msg),
                 "Cannot deserialize value of type "
                 "`org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets` from %s",
                 sl_rest_json_token_desc(c->body));
        set_error(c->resp, 500, msg);
        return;
    }
    json_t *offs = json_object_get(c->body, "offsets");
    if (offs != NULL && !json_is_null(offs) && !json_is_array(offs)) {
        snprintf(msg, sizeof(msg),
                 "Cannot deserialize value of type `java.util.ArrayList<org.apache.kafka.connect."
                 "runtime.rest.entities.ConnectorOffset>` from %s",
                 sl_rest_json_token_desc(offs));
        set_error(c->resp, 500, msg);
        return;
    }
    if (!json_is_array(offs) || json_array_size(offs) == 0) {
        set_error(c->resp, 400, none);
        return;
    }
    if (no_herder(c)) {
        return;
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_alter_offsets(c->env->herder, c->m->name, c->body, &out, &err);
    from_herder(c, st, out, &err);
}

static void do_validate(call *c)
{
    char msg[4096];
    if (c->body == NULL) {
        set_error(c->resp, 500,
                  "Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is "
                  "null");
        return;
    }
    int rc = sl_rest_check_string_map(c->body, MAP_TYPE, msg, sizeof(msg));
    if (rc != 0) {
        set_error(c->resp, rc, msg);
        return;
    }
    json_t *cls = json_object_get(c->body, "connector.class");
    if (cls != NULL && !json_is_null(cls)) {
        char *t = sl_rest_scalar_text(cls);
        bool ok = sl_rest_plugin_name_matches(t, c->m->name);
        if (!ok) {
            snprintf(msg, sizeof(msg), "Included connector type %s does not match request type %s",
                     t, c->m->name);
        }
        free(t);
        if (!ok) {
            set_error(c->resp, 400, msg);
            return;
        }
    }
    if (no_herder(c)) {
        return;
    }
    sl_props *props = sl_props_new();
    const char *key;
    json_t *val;
    json_object_foreach(c->body, key, val)
    {
        if (!json_is_null(val)) {
            char *t = sl_rest_scalar_text(val);
            sl_props_set(props, key, t);
            free(t);
        }
    }
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st = sl_herder_validate(c->env->herder, c->m->name, props, &out, &err);
    from_herder(c, st, out, &err);
    sl_props_free(props);
}

/* POST /connectors/{c}/tasks (internal): task configs from a follower, signed (KIP-507). */
static void do_tasks_put(call *c)
{
    if (no_herder(c)) {
        return;
    }
    sl_herder_sig sig = {.signature = c->req->signature,
                         .algorithm = c->req->sig_algorithm,
                         .body = c->req->body,
                         .len = c->req->body_len};
    sl_herr err = {{0}};
    int st = sl_herder_put_task_configs(c->env->herder, c->m->name, c->body, &sig, &err);
    from_herder(c, st, NULL, &err);
}

/* PUT /connectors/{c}/fence (internal). */
static void do_fence(call *c)
{
    if (no_herder(c)) {
        return;
    }
    sl_herder_sig sig = {.signature = c->req->signature,
                         .algorithm = c->req->sig_algorithm,
                         .body = c->req->body,
                         .len = c->req->body_len};
    sl_herr err = {{0}};
    int st = sl_herder_fence(c->env->herder, c->m->name, &sig, &err);
    from_herder(c, st, NULL, &err);
}

static void do_logger_put(call *c)
{
    char msg[1024];
    json_t *out = NULL;
    int st = sl_rest_logger_put(c->m->name, c->body, sl_rest_query_get(c->q, "scope"), &out, msg,
                                sizeof(msg));
    if (st >= 400) {
        set_error(c->resp, st, msg);
    } else if (st == 204) {
        c->resp->status = 204;
    } else {
        set_json(c->resp, st, out);
    }
    json_decref(out);
}

static void do_logger_get(call *c)
{
    char msg[1024];
    json_t *out = NULL;
    int st = c->m->route == SL_ROUTE_LOGGERS
                 ? sl_rest_loggers_list(&out)
                 : sl_rest_logger_get(c->m->name, &out, msg, sizeof(msg));
    if (st >= 400) {
        set_error(c->resp, st, msg);
    } else {
        set_json(c->resp, st, out);
    }
    json_decref(out);
}

/* Endpoints that are one herder call with the connector name (and maybe a task). */
static bool do_simple(call *c)
{
    sl_herder *h = c->env->herder;
    const char *n = c->m->name;
    int t = c->m->task;
    sl_herr err = {{0}};
    json_t *out = NULL;
    int st;
    if (no_herder(c)) {
        return true;
    }
    switch (c->m->route) {
    case SL_ROUTE_INFO:
        st = sl_herder_info(h, n, &out, &err);
        break;
    case SL_ROUTE_DELETE:
        st = sl_herder_delete(h, n, &err);
        break;
    case SL_ROUTE_CONFIG_GET:
        st = sl_herder_config(h, n, &out, &err);
        break;
    case SL_ROUTE_STATUS:
        st = sl_herder_status(h, n, &out, &err);
        break;
    case SL_ROUTE_RESTART:
        st = sl_herder_restart(h, n, sl_rest_query_bool(c->q, "includeTasks", false),
                               sl_rest_query_bool(c->q, "onlyFailed", false), &out, &err);
        break;
    case SL_ROUTE_PAUSE:
        st = sl_herder_pause(h, n, &err);
        break;
    case SL_ROUTE_RESUME:
        st = sl_herder_resume(h, n, &err);
        break;
    case SL_ROUTE_STOP:
        st = sl_herder_stop_connector(h, n, &err);
        if (st >= 200 && st < 300) {
            st = 204; /* Connect answers 204 No Content; Strimzi requires exactly that */
        }
        break;
    case SL_ROUTE_TASKS:
        st = sl_herder_tasks(h, n, &out, &err);
        break;
    case SL_ROUTE_TASKS_CONFIG:
        st = sl_herder_tasks_config(h, n, &out, &err);
        break;
    case SL_ROUTE_TASK_STATUS:
        st = sl_herder_task_status(h, n, t, &out, &err);
        break;
    case SL_ROUTE_TASK_RESTART:
        st = sl_herder_restart_task(h, n, t, &err);
        break;
    case SL_ROUTE_TOPICS:
        st = sl_herder_topics(h, n, &out, &err);
        break;
    case SL_ROUTE_TOPICS_RESET:
        st = sl_herder_topics_reset(h, n, &err);
        break;
    case SL_ROUTE_OFFSETS_GET:
        st = sl_herder_offsets(h, n, &out, &err);
        break;
    case SL_ROUTE_OFFSETS_DELETE:
        st = sl_herder_reset_offsets(h, n, &out, &err);
        break;
    case SL_ROUTE_PLUGINS:
        st = sl_herder_plugins(h, sl_rest_query_bool(c->q, "connectorsOnly", true), &out, &err);
        break;
    case SL_ROUTE_PLUGIN_CONFIG:
        st = sl_herder_plugin_config(h, n, &out, &err);
        break;
    default:
        return false;
    }
    if ((c->m->route == SL_ROUTE_PAUSE || c->m->route == SL_ROUTE_RESUME ||
         c->m->route == SL_ROUTE_TOPICS_RESET) &&
        st == 202) {
        json_decref(out);
        out = NULL; /* 202 Accepted with an empty body */
    }
    from_herder(c, st, out, &err);
    return true;
}

static void dispatch(call *c)
{
    switch (c->m->route) {
    case SL_ROUTE_ROOT:
        do_root(c);
        return;
    case SL_ROUTE_HEALTH:
        do_health(c);
        return;
    case SL_ROUTE_LIST:
        do_list(c);
        return;
    case SL_ROUTE_CREATE:
        do_create(c);
        return;
    case SL_ROUTE_CONFIG_PUT:
        do_config_put(c);
        return;
    case SL_ROUTE_CONFIG_PATCH:
        do_config_patch(c);
        return;
    case SL_ROUTE_OFFSETS_PATCH:
        do_offsets_patch(c);
        return;
    case SL_ROUTE_PLUGIN_VALIDATE:
        do_validate(c);
        return;
    case SL_ROUTE_TASKS_PUT:
        do_tasks_put(c);
        return;
    case SL_ROUTE_FENCE:
        do_fence(c);
        return;
    case SL_ROUTE_LOGGERS:
    case SL_ROUTE_LOGGER_GET:
        do_logger_get(c);
        return;
    case SL_ROUTE_LOGGER_PUT:
        do_logger_put(c);
        return;
    default:
        if (!do_simple(c)) {
            set_error(c->resp, 404, "HTTP 404 Not Found");
        }
    }
}

/* Jersey's @Consumes(application/json) on the connector, plugin and logger resources. */
static bool media_type_ok(const sl_rest_req *req, int route)
{
    if (route == SL_ROUTE_ROOT || route == SL_ROUTE_HEALTH) {
        return true;
    }
    bool has_body = req->body_len > 0;
    bool has_ct = req->content_type != NULL && req->content_type[0] != '\0';
    if (!has_body && !(has_ct && sl_rest_route_takes_body(route))) {
        return true;
    }
    return sl_rest_content_type_is_json(req->content_type);
}

void sl_rest_handle(const sl_rest_env *env, const sl_rest_req *req, sl_rest_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    const char *uri = req->uri ? req->uri : "/";
    const char *qmark = strchr(uri, '?');
    char *path = qmark ? sl_xstrndup(uri, (size_t)(qmark - uri)) : sl_xstrdup(uri);
    /* Absolute-form request targets (http://host/path) carry the path after the authority. */
    const char *p = path;
    if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
        p = strchr(strstr(p, "://") + 3, '/');
        p = p ? p : "/";
    }
    sl_rest_match m;
    int rc = sl_rest_route(req->method ? req->method : "GET", p, &m);
    if (env->admin_disabled && (strncmp(p, "/admin/", 7) == 0 || strcmp(p, "/admin") == 0)) {
        rc = 404;
    }
    resp->route = m.route;
    snprintf(resp->allow, sizeof(resp->allow), "%s", m.allow);
    if (rc == 404) {
        resp->allow[0] = '\0';
        set_error(resp, 404, "HTTP 404 Not Found");
    } else if (rc == 405) {
        set_error(resp, 405, "HTTP 405 Method Not Allowed");
    } else if (m.route == SL_ROUTE_OPTIONS) {
        resp->status = 200;
    } else if (req->body_too_large) {
        set_error(resp, 413, "HTTP 413 Request Entity Too Large");
    } else if (!sl_rest_accept_allows_json(req->accept)) {
        set_error(resp, 406, "HTTP 406 Not Acceptable");
    } else if (!media_type_ok(req, m.route)) {
        set_error(resp, 415, "HTTP 415 Unsupported Media Type");
    } else {
        sl_rest_query q;
        sl_rest_query_parse(qmark ? qmark + 1 : NULL, &q);
        call c = {.env = env, .req = req, .resp = resp, .m = &m, .q = &q, .body = NULL};
        char msg[1024];
        int brc = 0;
        if (sl_rest_route_takes_body(m.route)) {
            brc = sl_rest_body_parse(req->body, req->body_len, &c.body, msg, sizeof(msg));
        }
        if (brc != 0) {
            set_error(resp, brc, msg);
        } else {
            dispatch(&c);
        }
        json_decref(c.body);
        sl_rest_query_clear(&q);
    }
    if (resp->status != 405 && m.route != SL_ROUTE_OPTIONS) {
        resp->allow[0] = '\0';
    }
    sl_rest_match_clear(&m);
    free(path);
}

void sl_rest_resp_clear(sl_rest_resp *resp)
{
    if (resp != NULL) {
        free(resp->body);
        free(resp->location);
        resp->body = NULL;
        resp->location = NULL;
    }
}
