/*
 * router.c — pure request parsing for the REST server: which endpoint a method+path names,
 * percent-decoding of path segments and query strings, body type checks, listener URLs, CORS
 * origin lists. It must stay free of sockets, herder calls and global state (it is unit-tested).
 */
#include "rest/router.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"
#include "util/text.h"

#define MAX_SEGMENTS 8

/* {c} connector, {p} plugin, {n} logger name, {t} integer task id. */
static const struct route_def {
    int id;
    const char *method;
    const char *pattern;
} routes[] = {
    {SL_ROUTE_ROOT, "GET", ""},
    {SL_ROUTE_HEALTH, "GET", "health"},
    {SL_ROUTE_LIST, "GET", "connectors"},
    {SL_ROUTE_CREATE, "POST", "connectors"},
    {SL_ROUTE_INFO, "GET", "connectors/{c}"},
    {SL_ROUTE_DELETE, "DELETE", "connectors/{c}"},
    {SL_ROUTE_CONFIG_GET, "GET", "connectors/{c}/config"},
    {SL_ROUTE_CONFIG_PUT, "PUT", "connectors/{c}/config"},
    {SL_ROUTE_CONFIG_PATCH, "PATCH", "connectors/{c}/config"},
    {SL_ROUTE_STATUS, "GET", "connectors/{c}/status"},
    {SL_ROUTE_RESTART, "POST", "connectors/{c}/restart"},
    {SL_ROUTE_PAUSE, "PUT", "connectors/{c}/pause"},
    {SL_ROUTE_RESUME, "PUT", "connectors/{c}/resume"},
    {SL_ROUTE_STOP, "PUT", "connectors/{c}/stop"},
    {SL_ROUTE_TASKS, "GET", "connectors/{c}/tasks"},
    {SL_ROUTE_TASKS_PUT, "POST", "connectors/{c}/tasks"},
    {SL_ROUTE_FENCE, "PUT", "connectors/{c}/fence"},
    {SL_ROUTE_TASKS_CONFIG, "GET", "connectors/{c}/tasks-config"},
    {SL_ROUTE_TASK_STATUS, "GET", "connectors/{c}/tasks/{t}/status"},
    {SL_ROUTE_TASK_RESTART, "POST", "connectors/{c}/tasks/{t}/restart"},
    {SL_ROUTE_TOPICS, "GET", "connectors/{c}/topics"},
    {SL_ROUTE_TOPICS_RESET, "PUT", "connectors/{c}/topics/reset"},
    {SL_ROUTE_OFFSETS_GET, "GET", "connectors/{c}/offsets"},
    {SL_ROUTE_OFFSETS_PATCH, "PATCH", "connectors/{c}/offsets"},
    {SL_ROUTE_OFFSETS_DELETE, "DELETE", "connectors/{c}/offsets"},
    {SL_ROUTE_PLUGINS, "GET", "connector-plugins"},
    {SL_ROUTE_PLUGIN_CONFIG, "GET", "connector-plugins/{p}/config"},
    {SL_ROUTE_PLUGIN_VALIDATE, "PUT", "connector-plugins/{p}/config/validate"},
    {SL_ROUTE_LOGGERS, "GET", "admin/loggers"},
    {SL_ROUTE_LOGGER_GET, "GET", "admin/loggers/{n}"},
    {SL_ROUTE_LOGGER_PUT, "PUT", "admin/loggers/{n}"},
};

char *sl_rest_percent_decode(const char *s, size_t n, bool plus_space)
{
    char *out = sl_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && sl_hex_digit(s[i + 1]) >= 0 && sl_hex_digit(s[i + 2]) >= 0) {
            c = sl_hex_digit(s[i + 1]) * 16 + sl_hex_digit(s[i + 2]);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == 0) {
            free(out);
            return NULL;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

char *sl_rest_percent_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = sl_xmalloc(n * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

/* Split the raw path into decoded segments; tolerate one trailing slash. -1 = cannot match. */
static int split_path(const char *path, char **segs, int max)
{
    int n = 0;
    const char *p = path;
    if (*p == '/') {
        p++;
    }
    size_t len = strlen(p);
    if (len > 0 && p[len - 1] == '/') {
        len--;
    }
    if (len == 0) {
        return 0;
    }
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '/') {
            if (n == max || i == start) {
                goto fail;
            }
            segs[n] = sl_rest_percent_decode(p + start, i - start, false);
            if (segs[n] == NULL) {
                goto fail;
            }
            n++;
            start = i + 1;
        }
    }
    return n;
fail:
    for (int i = 0; i < n; i++) {
        free(segs[i]);
    }
    return -1;
}

/* Does the pattern match the segments? Captures go to m (only when capture is true). */
static bool pattern_matches(const char *pattern, char **segs, int nsegs, sl_rest_match *m,
                            bool capture)
{
    int i = 0;
    const char *p = pattern;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t plen = slash ? (size_t)(slash - p) : strlen(p);
        if (i >= nsegs) {
            return false;
        }
        if (plen == 3 && p[0] == '{') {
            if (p[1] == 't') {
                int64_t t; /* Java's Integer.valueOf */
                if (!sl_parse_java_long(segs[i], INT_MIN, INT_MAX, &t)) {
                    return false;
                }
                if (capture) {
                    m->task = (int)t;
                }
            } else if (capture) {
                free(m->name);
                m->name = sl_xstrdup(segs[i]);
            }
        } else if (strlen(segs[i]) != plen || strncmp(segs[i], p, plen) != 0) {
            return false;
        }
        i++;
        p = slash ? slash + 1 : p + plen;
    }
    return i == nsegs;
}

static void append_allow(char *allow, size_t len, const char *method)
{
    if (strstr(allow, method) != NULL) {
        return;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, len - used, "%s%s", used ? ", " : "", method);
}

int sl_rest_route(const char *method, const char *path, sl_rest_match *m)
{
    memset(m, 0, sizeof(*m));
    char *segs[MAX_SEGMENTS];
    int nsegs = split_path(path ? path : "/", segs, MAX_SEGMENTS);
    if (nsegs < 0) {
        return 404;
    }
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    bool path_known = false;
    int rc = 404;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!pattern_matches(routes[i].pattern, segs, nsegs, m, false)) {
            continue;
        }
        path_known = true;
        append_allow(m->allow, sizeof(m->allow), routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0) {
            append_allow(m->allow, sizeof(m->allow), "HEAD");
        }
        if (rc != 0 && strcmp(routes[i].method, want) == 0) {
            pattern_matches(routes[i].pattern, segs, nsegs, m, true);
            m->route = routes[i].id;
            rc = 0;
        }
    }
    if (path_known) {
        append_allow(m->allow, sizeof(m->allow), "OPTIONS");
        if (rc != 0 && strcmp(method, "OPTIONS") == 0) {
            /* Capture names so CORS/Allow answers can be given; OPTIONS never reaches a handler. */
            m->route = SL_ROUTE_OPTIONS;
            rc = 0;
        } else if (rc != 0) {
            rc = 405;
        }
    }
    for (int i = 0; i < nsegs; i++) {
        free(segs[i]);
    }
    return rc;
}

void sl_rest_match_clear(sl_rest_match *m)
{
    if (m != NULL) {
        free(m->name);
        m->name = NULL;
    }
}

bool sl_rest_route_takes_body(int route)
{
    switch (route) {
    case SL_ROUTE_CREATE:
    case SL_ROUTE_CONFIG_PUT:
    case SL_ROUTE_CONFIG_PATCH:
    case SL_ROUTE_OFFSETS_PATCH:
    case SL_ROUTE_PLUGIN_VALIDATE:
    case SL_ROUTE_LOGGER_PUT:
    case SL_ROUTE_TASKS_PUT:
        return true;
    default:
        return false;
    }
}

/* ---- query strings ---- */

void sl_rest_query_parse(const char *raw, sl_rest_query *q)
{
    memset(q, 0, sizeof(*q));
    if (raw == NULL || *raw == '\0') {
        return;
    }
    size_t cap = 1;
    for (const char *p = raw; *p; p++) {
        cap += (*p == '&');
    }
    q->keys = sl_xcalloc(cap, sizeof(char *));
    q->values = sl_xcalloc(cap, sizeof(char *));
    const char *p = raw;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *k = sl_rest_percent_decode(p, klen, true);
            char *v = eq ? sl_rest_percent_decode(eq + 1, len - klen - 1, true) : sl_xstrdup("");
            if (k != NULL && v != NULL && k[0] != '\0') {
                q->keys[q->n] = k;
                q->values[q->n] = v;
                q->n++;
            } else {
                free(k);
                free(v);
            }
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
}

void sl_rest_query_clear(sl_rest_query *q)
{
    if (q == NULL) {
        return;
    }
    for (size_t i = 0; i < q->n; i++) {
        free(q->keys[i]);
        free(q->values[i]);
    }
    free(q->keys);
    free(q->values);
    memset(q, 0, sizeof(*q));
}

const char *sl_rest_query_get(const sl_rest_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->keys[i], key) == 0) {
            return q->values[i];
        }
    }
    return NULL;
}

bool sl_rest_query_bool(const sl_rest_query *q, const char *key, bool dflt)
{
    const char *v = sl_rest_query_get(q, key);
    if (v == NULL) {
        return dflt;
    }
    return strcasecmp(v, "true") == 0;
}

bool sl_rest_content_type_is_json(const char *ct)
{
    if (ct == NULL) {
        return false;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    size_t len = strcspn(ct, "; \t");
    if (len == 16 && strncasecmp(ct, "application/json", 16) == 0) {
        return true;
    }
    return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + len - 5, "+json", 5) == 0;
}

static bool media_range_is_json(const char *r, size_t len)
{
    /* r is one media range without parameters */
    return (len == 3 && strncmp(r, "*/*", 3) == 0) ||
           (len == 13 && strncasecmp(r, "application/*", 13) == 0) ||
           sl_rest_content_type_is_json(r);
}

bool sl_rest_accept_allows_json(const char *accept)
{
    if (accept == NULL) {
        return true;
    }
    bool any = false;
    const char *p = accept;
    while (*p) {
        size_t len = strcspn(p, ",");
        char item[256];
        size_t n = len < sizeof(item) - 1 ? len : sizeof(item) - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        char *s = item;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        size_t rlen = strcspn(s, "; \t");
        if (rlen > 0) {
            any = true;
            const char *q = strstr(s + rlen, "q=");
            bool zero = q != NULL && strtod(q + 2, NULL) <= 0.0;
            char range[256];
            memcpy(range, s, rlen);
            range[rlen] = '\0';
            if (!zero && media_range_is_json(range, rlen)) {
                return true;
            }
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
    return !any;
}

/* ---- bodies ---- */

int sl_rest_body_parse(const char *body, size_t len, json_t **out, char *msg, size_t msglen)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
        i++;
    }
    if (i == len) {
        return 0; /* Jackson's ALLOW_EMPTY_INPUT: the entity is null */
    }
    json_error_t jerr;
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (v == NULL) {
        snprintf(msg, msglen,
                 "Unexpected character: %s\n at [Source: (org.glassfish.jersey.message.internal."
                 "ReaderInterceptorExecutor$UnCloseableInputStream); line: %d, column: %d]",
                 jerr.text, jerr.line, jerr.column);
        return 500;
    }
    *out = v;
    return 0;
}

const char *sl_rest_json_token_desc(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "Object value (token `JsonToken.START_OBJECT`)";
    case JSON_ARRAY:
        return "Array value (token `JsonToken.START_ARRAY`)";
    case JSON_STRING:
        return "String value (token `JsonToken.VALUE_STRING`)";
    case JSON_INTEGER:
        return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
    case JSON_REAL:
        return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
    case JSON_TRUE:
        return "Boolean value (token `JsonToken.VALUE_TRUE`)";
    case JSON_FALSE:
        return "Boolean value (token `JsonToken.VALUE_FALSE`)";
    default:
        return "Null value (token `JsonToken.VALUE_NULL`)";
    }
}

int sl_rest_check_string_map(const json_t *v, const char *java_type, char *msg, size_t msglen)
{
    if (!json_is_object(v)) {
        snprintf(msg, msglen, "Cannot deserialize value of type `%s` from %s", java_type,
                 sl_rest_json_token_desc(v));
        return 500;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        if (json_is_object(val) || json_is_array(val)) {
            snprintf(msg, msglen,
                     "Cannot deserialize value of type `java.lang.String` from %s\n"
                     " (through reference chain: %s[\"%s\"])",
                     sl_rest_json_token_desc(val), java_type, key);
            return 500;
        }
    }
    return 0;
}

static int atoi_safe(const char *s)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    return (v > INT_MAX || v < INT_MIN) ? 0 : (int)v;
}

/* Double.toString-like text: shortest round-trip digits, plain notation with at least one
 * fractional digit for 1e-3 <= |x| < 1e7, else "d.dddE<n>". */
static void java_double_text(double d, char *buf, size_t len)
{
    double a = d < 0 ? -d : d;
    if (a == 0 || (a >= 1e-3 && a < 1e7)) {
        for (int p = 1; p <= 20; p++) {
            snprintf(buf, len, "%.*f", p, d);
            if (strtod(buf, NULL) == d) {
                return;
            }
        }
        return;
    }
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p, d);
        if (strtod(tmp, NULL) == d) {
            break;
        }
    }
    /* tmp is like "-1.5e+20": strip trailing zeros of the mantissa (keep one), drop '+'. */
    char *e = strchr(tmp, 'e');
    if (e == NULL) {
        snprintf(buf, len, "%s", tmp);
        return;
    }
    *e = '\0';
    char *m_end = e - 1;
    while (m_end > tmp && *m_end == '0' && *(m_end - 1) != '.') {
        *m_end-- = '\0';
    }
    int exp = atoi_safe(e + 1);
    snprintf(buf, len, "%sE%d", tmp, exp);
}

char *sl_rest_scalar_text(const json_t *v)
{
    char buf[96];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return sl_xstrdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return sl_xstrdup(buf);
    case JSON_REAL:
        java_double_text(json_real_value(v), buf, sizeof(buf));
        return sl_xstrdup(buf);
    case JSON_TRUE:
        return sl_xstrdup("true");
    case JSON_FALSE:
        return sl_xstrdup("false");
    default:
        return NULL;
    }
}

char *sl_rest_java_trim(const char *s)
{
    size_t len = strlen(s);
    size_t a = 0;
    while (a < len && (unsigned char)s[a] <= ' ') {
        a++;
    }
    while (len > a && (unsigned char)s[len - 1] <= ' ') {
        len--;
    }
    char *out = sl_xmalloc(len - a + 1);
    memcpy(out, s + a, len - a);
    out[len - a] = '\0';
    return out;
}

void sl_rest_invalid_config_message(int count, const char *error_lines, char *msg, size_t msglen)
{
    snprintf(msg, msglen,
             "Connector configuration is invalid and contains the following %d error(s):\n%s\n"
             "You can also find the above list of errors at the endpoint "
             "`/connector-plugins/{connectorType}/config/validate`",
             count, error_lines);
}

char *sl_rest_json_text(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (s == NULL) {
        return sl_xstrdup("null");
    }
    char *copy = sl_xstrdup(s); /* callers free() it; jansson may use its own allocator */
    free(s);
    return copy;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80) {
        return 1;
    }
    size_t n = (p[0] & 0xe0) == 0xc0   ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && p[0] < 0xc2) || (n == 4 && p[0] > 0xf4)) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (n == 4 && p[0] == 0xf0 && p[1] < 0x90) || (n == 4 && p[0] == 0xf4 && p[1] >= 0x90)) {
        return 0;
    }
    return n;
}

/* Copy with every invalid UTF-8 byte replaced by U+FFFD (messages may echo request bytes). */
static char *utf8_sanitize(const char *s)
{
    size_t len = strlen(s);
    char *out = sl_xmalloc(len * 3 + 1);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_seq(p);
        if (n == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            p++;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

char *sl_rest_error_json(int status, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "error_code", json_integer(status));
    char *clean = utf8_sanitize(msg ? msg : "");
    json_object_set_new(o, "message", json_string(clean));
    free(clean);
    char *s = sl_rest_json_text(o);
    json_decref(o);
    return s;
}

int sl_rest_check_connector_name(const char *name, char *msg, size_t msglen)
{
    char line[1024];
    if (name[0] == '\0') {
        sl_rest_invalid_config_message(1,
                                       "Invalid value  for configuration name: String may not "
                                       "be empty",
                                       msg, msglen);
        return 400;
    }
    /* Character.isISOControl: U+0000..U+001F and U+007F..U+009F (C2 80..C2 9F in UTF-8). */
    char found[512] = "";
    size_t used = 0;
    const unsigned char *p = (const unsigned char *)name;
    for (size_t i = 0; p[i]; i++) {
        int cp = -1;
        if (p[i] < 0x20 || p[i] == 0x7f) {
            cp = p[i];
        } else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
            cp = p[i + 1];
            i++;
        }
        if (cp >= 0 && used < sizeof(found) - 8) {
            used +=
                (size_t)snprintf(found + used, sizeof(found) - used, "%s%d", used ? ", " : "", cp);
        }
    }
    if (used == 0) {
        return 0;
    }
    snprintf(line, sizeof(line),
             "Invalid value %.400s for configuration name: String may not contain control "
             "sequences but had the following ASCII chars: %s",
             name, found);
    sl_rest_invalid_config_message(1, line, msg, msglen);
    return 400;
}

static size_t normalized_len(const char *s)
{
    size_t len = strlen(s);
    if (len >= 9 && strcmp(s + len - 9, "Connector") == 0) {
        len -= 9;
    }
    return len;
}

bool sl_rest_plugin_name_matches(const char *connector_class, const char *plugin)
{
    size_t cl = normalized_len(connector_class);
    size_t pl = normalized_len(plugin);
    return pl <= cl && strncmp(connector_class + cl - pl, plugin, pl) == 0;
}

/* ---- listeners and CORS ---- */

int sl_rest_parse_listener(const char *url, char *scheme, size_t schemelen, char *host,
                           size_t hostlen, int *port, char *msg, size_t msglen)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL || sep == url || (size_t)(sep - url) >= schemelen) {
        snprintf(msg, msglen, "Could not parse listener %s: expected protocol://host:port", url);
        return -1;
    }
    size_t sl = (size_t)(sep - url);
    for (size_t i = 0; i < sl; i++) {
        scheme[i] = (char)tolower((unsigned char)url[i]);
    }
    scheme[sl] = '\0';
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(msg, msglen,
                 "Listener protocol must be either \"http\" or \"https\", but %s "
                 "was %s",
                 url, scheme);
        return -1;
    }
    const char *h = sep + 3;
    const char *hend;
    const char *colon;
    if (*h == '[') {
        hend = strchr(h, ']');
        if (hend == NULL) {
            snprintf(msg, msglen, "Could not parse listener %s: unterminated IPv6 address", url);
            return -1;
        }
        h++;
        colon = hend + 1;
    } else {
        colon = strrchr(h, ':');
        hend = colon;
    }
    if (colon == NULL || *colon != ':' || hend == NULL) {
        snprintf(msg, msglen, "Could not parse listener %s: expected protocol://host:port", url);
        return -1;
    }
    size_t hl = (size_t)(hend - h);
    if (hl >= hostlen) {
        snprintf(msg, msglen, "Listener host too long in %s", url);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    const char *ps = colon + 1;
    size_t plen = strcspn(ps, "/");
    char *end = NULL;
    errno = 0;
    long long p = strtoll(ps, &end, 10);
    if (plen == 0 || end != ps + plen || errno != 0 || p < 0 || p > 65535 ||
        !isdigit((unsigned char)ps[0])) {
        snprintf(msg, msglen, "Could not parse listener %s: invalid port", url);
        return -1;
    }
    *port = (int)p;
    return 0;
}

/* Glob match where '*' matches any run of characters. */
/* '*' matches any run of characters. Iterative with one backtrack point (the last '*'), so the
 * cost is O(len(pat) * len(s)) whatever the pattern: the input is a client's Origin header. */
static bool glob_match(const char *pat, size_t plen, const char *s)
{
    size_t pi = 0;
    size_t star = (size_t)-1; /* position after the last '*' seen */
    const char *mark = NULL;  /* where that '*' started matching in s */
    while (*s != '\0') {
        if (pi < plen && pat[pi] == '*') {
            star = ++pi;
            mark = s;
        } else if (pi < plen && pat[pi] == *s) {
            pi++;
            s++;
        } else if (star != (size_t)-1) {
            pi = star;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && pat[pi] == '*') {
        pi++;
    }
    return pi == plen;
}

static bool list_any(const char *list, const char *item, bool glob)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        size_t len = strcspn(p, ",");
        size_t tl = len;
        while (tl > 0 && p[tl - 1] == ' ') {
            tl--;
        }
        if (tl > 0) {
            if (glob && tl == 1 && p[0] == '*') {
                return true;
            }
            if (glob ? glob_match(p, tl, item) : (strlen(item) == tl && !strncmp(p, item, tl))) {
                return true;
            }
        }
        p += len;
    }
    return false;
}

bool sl_rest_cors_origin_allowed(const char *allowed, const char *origin)
{
    if (allowed == NULL || origin == NULL || *allowed == '\0') {
        return false;
    }
    return list_any(allowed, origin, true);
}

bool sl_rest_list_contains(const char *list, const char *item)
{
    return list != NULL && item != NULL && list_any(list, item, false);
}

/* ---- response.http.headers.config ---- */

static char *trimmed_copy(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }
    return sl_xstrndup(s, len);
}

static int parse_header_rule(const char *rule, sl_rest_header_rule *out, char *msg, size_t msglen)
{
    static const char *const actions[] = {"set", "add", "setDate", "addDate"};
    const char *p = rule;
    size_t alen = strcspn(p, " \t");
    out->action = -1;
    for (int i = 0; i < 4; i++) {
        if (strlen(actions[i]) == alen && strncasecmp(p, actions[i], alen) == 0) {
            out->action = i;
        }
    }
    const char *colon = strchr(p + alen, ':');
    if (out->action < 0 || p[alen] == '\0' || colon == NULL) {
        snprintf(msg, msglen,
                 "Invalid value %s for configuration response.http.headers.config: Invalid "
                 "format of header config '%s'. Expected: '[action] [header name]:[header value]'",
                 rule, rule);
        return -1;
    }
    out->name = trimmed_copy(p + alen, (size_t)(colon - (p + alen)));
    out->value = trimmed_copy(colon + 1, strlen(colon + 1));
    if (out->name[0] == '\0' || strpbrk(out->name, " \t") != NULL) {
        snprintf(msg, msglen,
                 "Invalid value %s for configuration response.http.headers.config: Invalid "
                 "header name in '%s'",
                 rule, rule);
        free(out->name);
        free(out->value);
        out->name = out->value = NULL;
        return -1;
    }
    return 0;
}

int sl_rest_parse_header_rules(const char *config, sl_rest_header_rule **rules, size_t *n,
                               char *msg, size_t msglen)
{
    *rules = NULL;
    *n = 0;
    size_t cap = 0;
    const char *p = config ? config : "";
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        char *rule;
        if (*p == '"') {
            const char *end = strchr(p + 1, '"');
            if (end == NULL) {
                snprintf(msg, msglen, "Unterminated quote in response.http.headers.config");
                goto fail;
            }
            rule = trimmed_copy(p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else {
            size_t len = strcspn(p, ",");
            rule = trimmed_copy(p, len);
            p += len;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            *rules = sl_xrealloc(*rules, cap * sizeof(**rules));
        }
        int rc = parse_header_rule(rule, &(*rules)[*n], msg, msglen);
        free(rule);
        if (rc != 0) {
            goto fail;
        }
        (*n)++;
    }
    return 0;
fail:
    sl_rest_header_rules_free(*rules, *n);
    *rules = NULL;
    *n = 0;
    return -1;
}

void sl_rest_header_rules_free(sl_rest_header_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rules[i].name);
        free(rules[i].value);
    }
    free(rules);
}
