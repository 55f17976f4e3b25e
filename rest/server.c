/*
 * server.c — libmicrohttpd glue for the Connect REST API: listeners, advertised URL, bounded
 * request bodies, CORS, and handing each complete request to handlers.c. It holds no connector
 * state and never parses JSON itself; every answer comes from sl_rest_handle.
 */
#include "rest/rest.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rest/handlers.h"
#include "rest/router.h"
#include "util/log.h"
#include "util/mem.h"

#define MAX_LISTENERS        8
#define POOL_THREADS         4
#define CONNECTION_TIMEOUT_S 60
#define CORS_DEFAULT_METHODS "GET,POST,HEAD"
#define CORS_ALLOWED_HEADERS "X-Requested-With,Content-Type,Accept,Origin"

struct sl_rest {
    sl_herder *herder;
    struct MHD_Daemon *daemons[MAX_LISTENERS];
    int ndaemons;
    int port;           /* bound port of the first listener */
    char url[608];      /* advertised URL with trailing slash */
    char base_url[600]; /* the same without trailing slash */
    char *cors_origin;  /* NULL = no CORS filter */
    char *cors_methods;
    sl_rest_header_rule *header_rules; /* response.http.headers.config */
    size_t nheader_rules;
    sl_rest_env env;
};

/* Per-request state, created by the URI log callback (which sees the raw, undecoded URI). */
typedef struct req_ctx {
    char *uri;
    char *body;
    size_t len;
    size_t cap;
    bool too_large;
    bool started;
    struct timespec t0;
} req_ctx;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    req_ctx *rc = sl_xcalloc(1, sizeof(*rc));
    rc->uri = sl_xstrdup(uri ? uri : "/");
    clock_gettime(CLOCK_MONOTONIC, &rc->t0);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_ctx *rc = *con_cls;
    if (rc != NULL) {
        free(rc->uri);
        free(rc->body);
        free(rc);
        *con_cls = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    if (SL_LOG_DEBUG <= sl_log_threshold) {
        sl_log_writev(SL_LOG_DEBUG, "rest", fmt, ap);
    }
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Jetty's CrossOriginFilter on the main context: decorate responses to allowed origins. */
static void add_cors(const sl_rest *r, struct MHD_Connection *conn, struct MHD_Response *resp,
                     bool preflight)
{
    const char *origin = header(conn, "Origin");
    if (r->cors_origin == NULL || !sl_rest_cors_origin_allowed(r->cors_origin, origin)) {
        return;
    }
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(resp, "Access-Control-Allow-Credentials", "true");
    MHD_add_response_header(resp, "Vary", "Origin");
    if (preflight) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", r->cors_methods);
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS);
        MHD_add_response_header(resp, "Access-Control-Max-Age", "1800");
    }
}

static bool is_preflight(const sl_rest *r, struct MHD_Connection *conn, const char *method)
{
    if (r->cors_origin == NULL || strcmp(method, "OPTIONS") != 0) {
        return false;
    }
    const char *origin = header(conn, "Origin");
    const char *want = header(conn, "Access-Control-Request-Method");
    return origin != NULL && want != NULL && sl_rest_cors_origin_allowed(r->cors_origin, origin) &&
           sl_rest_list_contains(r->cors_methods, want);
}

/* response.http.headers.config, applied to every response like Jetty's HeaderFilter. */
static void add_configured_headers(const sl_rest *r, struct MHD_Response *resp)
{
    for (size_t i = 0; i < r->nheader_rules; i++) {
        const sl_rest_header_rule *h = &r->header_rules[i];
        const char *value = h->value;
        char date[64];
        if (h->action == SL_HDR_SET_DATE || h->action == SL_HDR_ADD_DATE) {
            time_t t = time(NULL) + (time_t)(strtoll(h->value, NULL, 10) / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
            value = date;
        }
        if (h->action == SL_HDR_SET || h->action == SL_HDR_SET_DATE) {
            const char *old = MHD_get_response_header(resp, h->name);
            if (old != NULL) {
                char *copy = sl_xstrdup(old);
                MHD_del_response_header(resp, h->name, copy);
                free(copy);
            }
        }
        MHD_add_response_header(resp, h->name, value);
    }
}

static enum MHD_Result send_response(const sl_rest *r, struct MHD_Connection *conn,
                                     const sl_rest_resp *out, bool preflight)
{
    struct MHD_Response *resp;
    if (out->body != NULL) {
        resp = MHD_create_response_from_buffer(strlen(out->body), out->body, MHD_RESPMEM_MUST_COPY);
    } else {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL) {
        return MHD_NO;
    }
    if (out->body != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    }
    if (out->location != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, out->location);
    }
    if (out->allow[0] != '\0') {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, out->allow);
    }
    add_cors(r, conn, resp, preflight);
    add_configured_headers(r, resp);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)out->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Jetty's request log line, as Connect prints it at INFO. */
static void access_log(struct MHD_Connection *conn, const req_ctx *rc, const char *method,
                       const char *version, const sl_rest_resp *out)
{
    if (SL_LOG_INFO > sl_log_threshold) {
        return;
    }
    char ip[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) {
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
        } else if (sa->sa_family == AF_INET6) {
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
        }
    }
    const char *shown = strncmp(ip, "::ffff:", 7) == 0 ? ip + 7 : ip; /* IPv4 on a dual stack */
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ms =
        (long long)(t1.tv_sec - rc->t0.tv_sec) * 1000 + (t1.tv_nsec - rc->t0.tv_nsec) / 1000000;
    const char *ua = header(conn, MHD_HTTP_HEADER_USER_AGENT);
    sl_log_write(SL_LOG_INFO, NULL, "%s - - \"%s %.300s %s\" %d %zu \"-\" \"%.200s\" %lld (rest)",
                 shown, method, rc->uri, version, out->status, out->body ? strlen(out->body) : 0,
                 ua ? ua : "-", ms);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    sl_rest *r = cls;
    req_ctx *rc = *con_cls;
    if (rc == NULL) { /* no URI callback ran (should not happen): use MHD's decoded URL */
        rc = on_uri(NULL, url, conn);
        *con_cls = rc;
    }
    if (!rc->started) {
        rc->started = true;
        const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > SL_REST_MAX_BODY) {
            rc->too_large = true; /* answered now; MHD closes the connection unread */
        } else {
            return MHD_YES;
        }
    }
    if (*upload_data_size != 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rc->too_large || rc->len + n > SL_REST_MAX_BODY) {
            rc->too_large = true;
            return MHD_YES; /* discard the rest, answer 413 at the end */
        }
        if (rc->len + n + 1 > rc->cap) {
            rc->cap = (rc->len + n + 1) * 2;
            if (rc->cap > SL_REST_MAX_BODY + 1) {
                rc->cap = SL_REST_MAX_BODY + 1;
            }
            rc->body = sl_xrealloc(rc->body, rc->cap);
        }
        memcpy(rc->body + rc->len, upload_data, n);
        rc->len += n;
        return MHD_YES;
    }

    sl_rest_resp out;
    bool preflight = is_preflight(r, conn, method);
    if (preflight) {
        memset(&out, 0, sizeof(out));
        out.status = 200;
    } else {
        sl_rest_req req = {
            .method = method,
            .uri = rc->uri,
            .content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE),
            .host = header(conn, MHD_HTTP_HEADER_HOST),
            .accept = header(conn, MHD_HTTP_HEADER_ACCEPT),
            .authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION),
            .signature = header(conn, "X-Connect-Authorization"),
            .sig_algorithm = header(conn, "X-Connect-Request-Signature-Algorithm"),
            .body = rc->body,
            .body_len = rc->len,
            .body_too_large = rc->too_large,
        };
        sl_rest_handle(&r->env, &req, &out);
    }
    access_log(conn, rc, method, version, &out);
    enum MHD_Result ret = send_response(r, conn, &out, preflight);
    sl_rest_resp_clear(&out);
    return ret;
}

static struct MHD_Daemon *start_daemon(sl_rest *r, const char *host, int port, char *err,
                                       size_t errlen)
{
    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    bool have_addr = false;
    if (host[0] != '\0') {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        struct addrinfo *res = NULL;
        int gai = getaddrinfo(host, NULL, &hints, &res);
        if (gai != 0 || res == NULL) {
            snprintf(err, errlen, "Cannot resolve listener host %s: %s", host, gai_strerror(gai));
            return NULL;
        }
        memcpy(&ss, res->ai_addr, res->ai_addrlen);
        freeaddrinfo(res);
        if (ss.ss_family == AF_INET6) {
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
            flags |= MHD_USE_IPv6;
        } else {
            ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
        }
        have_addr = true;
    }
    struct MHD_Daemon *d = NULL;
    for (int attempt = 0; attempt < 2 && d == NULL; attempt++) {
        unsigned int f = flags;
        if (!have_addr && attempt == 0) {
            f |= MHD_USE_DUAL_STACK; /* all interfaces, IPv6 and IPv4 */
        }
        d = MHD_start_daemon(
            f, (uint16_t)port, NULL, NULL, on_request, r, MHD_OPTION_URI_LOG_CALLBACK, on_uri, r,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, r, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, r,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)POOL_THREADS, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned int)CONNECTION_TIMEOUT_S, have_addr ? MHD_OPTION_SOCK_ADDR : MHD_OPTION_END,
            (struct sockaddr *)&ss, MHD_OPTION_END);
        if (have_addr) {
            break;
        }
    }
    if (d == NULL) {
        snprintf(err, errlen, "Unable to bind the REST listener to %s:%d (port in use?)",
                 host[0] ? host : "0.0.0.0", port);
    }
    return d;
}

static int bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? (int)info->port : -1;
}

static const char *prop(const sl_props *p, const char *key)
{
    const char *v = p ? sl_props_get(p, key) : NULL;
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

static void set_advertised(sl_rest *r, const sl_props *worker, const char *scheme, const char *host)
{
    const char *adv_host = prop(worker, "rest.advertised.host.name");
    const char *adv_port = prop(worker, "rest.advertised.port");
    const char *adv_scheme = prop(worker, "rest.advertised.listener");
    char hostname[256] = "";
    if (adv_host == NULL && host[0] != '\0') {
        adv_host = host;
    }
    if (adv_host == NULL) {
        if (gethostname(hostname, sizeof(hostname) - 1) != 0 || hostname[0] == '\0') {
            snprintf(hostname, sizeof(hostname), "localhost");
        }
        adv_host = hostname;
    }
    int port = r->port;
    if (adv_port != NULL) {
        char *end = NULL;
        long long p = strtoll(adv_port, &end, 10);
        if (end != adv_port && *end == '\0' && p > 0 && p <= 65535) {
            port = (int)p;
        } else {
            sl_warn("Ignoring invalid rest.advertised.port %s", adv_port);
        }
    }
    bool v6 = strchr(adv_host, ':') != NULL;
    snprintf(r->base_url, sizeof(r->base_url), "%s://%s%s%s:%d", adv_scheme ? adv_scheme : scheme,
             v6 ? "[" : "", adv_host, v6 ? "]" : "", port);
    for (char *c = r->base_url; *c && *c != ':'; c++) {
        *c = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
    }
    snprintf(r->url, sizeof(r->url), "%s/", r->base_url);
    char worker_id[600];
    snprintf(worker_id, sizeof(worker_id), "%s%s%s:%d", v6 ? "[" : "", adv_host, v6 ? "]" : "",
             port);
    if (r->herder != NULL) {
        sl_herder_set_worker_id(r->herder, worker_id);
        sl_herder_set_rest_url(r->herder, r->url);
    }
}

sl_rest *sl_rest_start(sl_herder *h, const sl_props *worker, char *err, size_t errlen)
{
    const char *listeners = prop(worker, "listeners");
    if (listeners == NULL) {
        listeners = "http://:8083";
    }
    sl_rest *r = sl_xcalloc(1, sizeof(*r));
    r->herder = h;
    r->port = -1;
    const char *hdrs = prop(worker, "response.http.headers.config");
    if (hdrs != NULL &&
        sl_rest_parse_header_rules(hdrs, &r->header_rules, &r->nheader_rules, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    const char *origin = prop(worker, "access.control.allow.origin");
    if (origin != NULL) {
        r->cors_origin = sl_xstrdup(origin);
        const char *methods = prop(worker, "access.control.allow.methods");
        r->cors_methods = sl_xstrdup(methods ? methods : CORS_DEFAULT_METHODS);
    }
    char first_scheme[16] = "http";
    char first_host[256] = "";
    char *list = sl_xstrdup(listeners);
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t') {
            tok++;
        }
        size_t tl = strlen(tok);
        while (tl > 0 && (tok[tl - 1] == ' ' || tok[tl - 1] == '\t')) {
            tok[--tl] = '\0';
        }
        if (tl == 0) {
            continue;
        }
        char scheme[16], host[256];
        int port;
        if (sl_rest_parse_listener(tok, scheme, sizeof(scheme), host, sizeof(host), &port, err,
                                   errlen) != 0) {
            goto fail;
        }
        if (strcmp(scheme, "https") == 0) {
            sl_warn("Listener %s: HTTPS listeners are not supported by sluice yet; skipping", tok);
            continue;
        }
        if (r->ndaemons == MAX_LISTENERS) {
            snprintf(err, errlen, "Too many listeners (at most %d)", MAX_LISTENERS);
            goto fail;
        }
        struct MHD_Daemon *d = start_daemon(r, host, port, err, errlen);
        if (d == NULL) {
            goto fail;
        }
        r->daemons[r->ndaemons++] = d;
        if (r->ndaemons == 1) {
            r->port = bound_port(d);
            snprintf(first_scheme, sizeof(first_scheme), "%s", scheme);
            snprintf(first_host, sizeof(first_host), "%s", host);
        }
        sl_info("REST server listening at %s://%s:%d/", scheme, host[0] ? host : "0.0.0.0",
                bound_port(d));
    }
    free(list);
    list = NULL;
    if (r->ndaemons == 0) {
        snprintf(err, errlen, "No usable REST listener in listeners=%s", listeners);
        goto fail;
    }
    set_advertised(r, worker, first_scheme, first_host);
    r->env.herder = h;
    r->env.base_url = r->base_url;
    const char *admin = worker ? sl_props_get(worker, "admin.listeners") : NULL;
    if (admin != NULL && admin[0] == '\0') {
        r->env.admin_disabled = true;
        sl_info("admin.listeners is empty: the /admin endpoints are disabled");
    } else if (admin != NULL) {
        sl_warn("admin.listeners=%s: separate admin listeners are not supported yet; the /admin "
                "endpoints are served on the main listeners",
                admin);
    }
    sl_info("REST advertised URL: %s", r->url);
    return r;
fail:
    free(list);
    sl_rest_stop(r);
    return NULL;
}

int sl_rest_port(const sl_rest *r)
{
    return r ? r->port : -1;
}

const char *sl_rest_advertised_url(const sl_rest *r)
{
    return r ? r->url : NULL;
}

void sl_rest_stop(sl_rest *r)
{
    if (r == NULL) {
        return;
    }
    for (int i = 0; i < r->ndaemons; i++) {
        MHD_stop_daemon(r->daemons[i]);
    }
    free(r->cors_origin);
    free(r->cors_methods);
    sl_rest_header_rules_free(r->header_rules, r->nheader_rules);
    free(r);
}
