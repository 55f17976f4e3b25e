/*
 * rs_util.c — the Redis sink's pure helpers (see rs_util.h): buffers, RESP building, key
 * templates, glob escaping, redis.uri parsing. No Redis, no host table; buffers grow by doubling
 * so a warm task never allocates here.
 */
#include "rs_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/common/jsontext.h"
#include "plugins/common/shortnum.h"

/* ---- byte buffer ---- */

void rs_buf_reserve(rs_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        abort(); /* as the host's batch allocator does: no partial pipeline */
    }
    b->p = p;
    b->cap = cap;
}

void rs_buf_append(rs_buf *b, const void *p, size_t n)
{
    rs_buf_reserve(b, n);
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
    }
    b->len += n;
    b->p[b->len] = '\0';
}

void rs_buf_putc(rs_buf *b, char c)
{
    rs_buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void rs_buf_puts(rs_buf *b, const char *s)
{
    rs_buf_append(b, s, strlen(s));
}

size_t rs_int_text(int64_t x, char *out)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = end;
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (x < 0) {
        *--p = '-';
    }
    size_t n = (size_t)(end - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

void rs_buf_put_int(rs_buf *b, int64_t x)
{
    char tmp[24];
    size_t n = rs_int_text(x, tmp);
    rs_buf_append(b, tmp, n);
}

void rs_buf_put_double(rs_buf *b, double d, int is_float)
{
    if (isnan(d)) {
        rs_buf_puts(b, "NaN");
        return;
    }
    if (isinf(d)) {
        rs_buf_puts(b, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char text[SL_SHORTNUM_MAX];
    rs_buf_append(b, text, sl_shortnum_g(d, is_float, text));
    if (strpbrk(text, ".eEn") == NULL) {
        rs_buf_puts(b, ".0");
    }
}

void rs_buf_put_base64(rs_buf *b, const void *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = p;
    rs_buf_reserve(b, (n + 2) / 3 * 4);
    char *o = b->p + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = tab[(v >> 6) & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
}

void rs_buf_put_json_string(rs_buf *b, const char *s, size_t n)
{
    rs_buf_reserve(b, n + 2);
    rs_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (sl_jsontext_plain((unsigned char)s[i])) {
            continue;
        }
        rs_buf_append(b, s + run, i - run);
        char esc[SL_JSONTEXT_ESC_MAX];
        rs_buf_append(b, esc, sl_jsontext_escape((unsigned char)s[i], esc));
        run = i + 1;
    }
    rs_buf_append(b, s + run, n - run);
    rs_buf_putc(b, '"');
}

void rs_buf_free(rs_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- RESP ---- */

static void put_bulk_header(rs_buf *b, char type, size_t n)
{
    char tmp[24];
    rs_buf_putc(b, type);
    size_t k = rs_int_text((int64_t)n, tmp);
    rs_buf_append(b, tmp, k);
    rs_buf_append(b, "\r\n", 2);
}

void rs_cmd_begin(rs_cmd *c)
{
    c->args.len = 0;
    c->argc = 0;
}

void rs_cmd_arg(rs_cmd *c, const void *p, size_t n)
{
    put_bulk_header(&c->args, '$', n);
    rs_buf_append(&c->args, p, n);
    rs_buf_append(&c->args, "\r\n", 2);
    c->argc++;
}

void rs_cmd_arg_str(rs_cmd *c, const char *s)
{
    rs_cmd_arg(c, s, strlen(s));
}

void rs_cmd_arg_int(rs_cmd *c, int64_t x)
{
    char tmp[24];
    size_t n = rs_int_text(x, tmp);
    rs_cmd_arg(c, tmp, n);
}

/* An open argument is written after a fixed 24-byte gap that rs_cmd_arg_close() replaces with
 * its `$len\r\n` header, moving the text left by the unused part of the gap. */
#define RS_GAP 24

rs_buf *rs_cmd_arg_open(rs_cmd *c)
{
    c->open_at = c->args.len;
    rs_buf_reserve(&c->args, RS_GAP);
    c->args.len += RS_GAP;
    c->args.p[c->args.len] = '\0';
    return &c->args;
}

void rs_cmd_arg_close(rs_cmd *c)
{
    size_t start = c->open_at + RS_GAP;
    size_t n = c->args.len - start;
    char hdr[RS_GAP + 8];
    hdr[0] = '$';
    size_t h = 1 + rs_int_text((int64_t)n, hdr + 1);
    hdr[h++] = '\r';
    hdr[h++] = '\n';
    memmove(c->args.p + c->open_at + h, c->args.p + start, n);
    memcpy(c->args.p + c->open_at, hdr, h);
    c->args.len = c->open_at + h + n;
    rs_buf_append(&c->args, "\r\n", 2);
    c->argc++;
}

void rs_cmd_end(rs_cmd *c, rs_buf *out)
{
    put_bulk_header(out, '*', (size_t)c->argc);
    rs_buf_append(out, c->args.p, c->args.len);
}

void rs_cmd_free(rs_cmd *c)
{
    rs_buf_free(&c->args);
}

/* ---- key templates ---- */

static int tpl_add(rs_tpl *t, int kind, const char *s, size_t n)
{
    rs_tpl_part *p = realloc(t->parts, (t->n + 1) * sizeof(*p));
    if (p == NULL) {
        return -1;
    }
    t->parts = p;
    rs_tpl_part *x = &p[t->n++];
    x->kind = kind;
    x->len = n;
    x->text = NULL;
    if (kind == RS_TPL_LITERAL || kind == RS_TPL_FIELD) {
        x->text = malloc(n + 1);
        if (x->text == NULL) {
            t->n--;
            return -1;
        }
        memcpy(x->text, s, n);
        x->text[n] = '\0';
    }
    return 0;
}

static int tpl_name_kind(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {{"topic", RS_TPL_TOPIC},
                 {"table", RS_TPL_TABLE},
                 {"db", RS_TPL_DB},
                 {"key", RS_TPL_KEY},
                 {"partition", RS_TPL_PARTITION}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0) {
            return names[i].kind;
        }
    }
    return RS_TPL_FIELD;
}

int rs_tpl_parse(const char *s, rs_tpl *t, char *err, size_t errlen)
{
    t->parts = NULL;
    t->n = 0;
    rs_buf lit = {0};
    const char *p = s;
    int rc = 0;
    while (*p != '\0') {
        if (p[0] == '$' && p[1] == '$') {
            rs_buf_putc(&lit, '$');
            p += 2;
            continue;
        }
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (end == NULL) {
                snprintf(err, errlen, "unclosed '${' at position %zu", (size_t)(p - s));
                rc = -1;
                break;
            }
            size_t n = (size_t)(end - (p + 2));
            if (n == 0) {
                snprintf(err, errlen, "empty '${}' at position %zu", (size_t)(p - s));
                rc = -1;
                break;
            }
            if (lit.len > 0 && tpl_add(t, RS_TPL_LITERAL, lit.p, lit.len) != 0) {
                rc = -1;
                break;
            }
            lit.len = 0;
            if (tpl_add(t, tpl_name_kind(p + 2, n), p + 2, n) != 0) {
                rc = -1;
                break;
            }
            p = end + 1;
            continue;
        }
        rs_buf_putc(&lit, *p++);
    }
    if (rc == 0 && lit.len > 0 && tpl_add(t, RS_TPL_LITERAL, lit.p, lit.len) != 0) {
        rc = -1;
    }
    rs_buf_free(&lit);
    if (rc == 0 && t->n == 0) {
        snprintf(err, errlen, "the key template is empty");
        rc = -1;
    }
    if (rc != 0) {
        rs_tpl_free(t);
    }
    return rc;
}

void rs_tpl_free(rs_tpl *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->parts[i].text);
    }
    free(t->parts);
    t->parts = NULL;
    t->n = 0;
}

int rs_tpl_has(const rs_tpl *t, int kind)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->parts[i].kind == kind) {
            return 1;
        }
    }
    return 0;
}

int rs_tpl_per_row(const rs_tpl *t)
{
    return rs_tpl_has(t, RS_TPL_KEY) || rs_tpl_has(t, RS_TPL_FIELD);
}

void rs_glob_escape(rs_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr("*?[]\\", s[i]) != NULL && s[i] != '\0') {
            rs_buf_putc(b, '\\');
        }
        rs_buf_putc(b, s[i]);
    }
}

/* ---- redis.uri ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..n) into out (size cap). */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                return -1;
            }
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        if (o + 1 >= cap) {
            return -1;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

static int parse_db(const char *s, size_t n, int *db)
{
    char tmp[16];
    if (n == 0 || n >= sizeof(tmp)) {
        return -1;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    errno = 0;
    long v = strtol(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > 65535) {
        return -1;
    }
    *db = (int)v;
    return 0;
}

static int parse_query(const char *q, rs_endpoint *e, char *err, size_t errlen)
{
    while (q != NULL && *q != '\0') {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        if (eq != NULL) {
            size_t kn = (size_t)(eq - q);
            const char *v = eq + 1;
            size_t vn = n - kn - 1;
            if ((kn == 2 && memcmp(q, "db", 2) == 0) ||
                (kn == 8 && memcmp(q, "database", 8) == 0)) {
                if (parse_db(v, vn, &e->db) != 0) {
                    snprintf(err, errlen, "bad database number in redis.uri");
                    return -1;
                }
            } else if (kn == 8 && memcmp(q, "password", 8) == 0) {
                if (pct_decode(v, vn, e->pass, sizeof(e->pass)) != 0) {
                    snprintf(err, errlen, "bad password in redis.uri");
                    return -1;
                }
            }
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

int rs_uri_parse(const char *uri, rs_endpoint *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->port = 6379;
    e->db = -1;
    const char *rest = NULL;
    if (strncmp(uri, "redis://", 8) == 0) {
        rest = uri + 8;
    } else if (strncmp(uri, "rediss://", 9) == 0) {
        rest = uri + 9;
        e->tls = 1;
    } else if (strncmp(uri, "unix://", 7) == 0) {
        rest = uri + 7;
        e->is_unix = 1;
    } else if (strncmp(uri, "redis-socket://", 15) == 0) {
        rest = uri + 15;
        e->is_unix = 1;
    } else {
        snprintf(err, errlen,
                 "'%s' is not a Redis URI: expected redis://[user:password@]host[:port][/db] "
                 "or unix:///path/to/redis.sock[?db=N]",
                 uri);
        return -1;
    }
    const char *q = strchr(rest, '?');
    size_t body = q ? (size_t)(q - rest) : strlen(rest);
    /* userinfo: up to the last '@' before any '/' */
    const char *at = NULL;
    for (size_t i = 0; i < body && rest[i] != '/'; i++) {
        if (rest[i] == '@') {
            at = rest + i;
        }
    }
    if (at != NULL) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        size_t un = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
        if (pct_decode(rest, un, e->user, sizeof(e->user)) != 0) {
            snprintf(err, errlen, "bad user name in redis.uri");
            return -1;
        }
        if (colon != NULL &&
            pct_decode(colon + 1, (size_t)(at - colon - 1), e->pass, sizeof(e->pass)) != 0) {
            snprintf(err, errlen, "bad password in redis.uri");
            return -1;
        }
        if (colon == NULL) {
            /* redis://password@host is how several clients spell a password-only URI */
            memcpy(e->pass, e->user,
                   sizeof(e->pass) < sizeof(e->user) ? sizeof(e->pass) : sizeof(e->user));
            e->user[0] = '\0';
        }
        body -= (size_t)(at + 1 - rest);
        rest = at + 1;
    }
    if (e->is_unix) {
        if (body == 0 || rest[0] != '/' || body >= sizeof(e->path)) {
            snprintf(err, errlen,
                     "redis.uri: a unix socket URI needs an absolute path "
                     "(unix:///run/redis/redis.sock)");
            return -1;
        }
        memcpy(e->path, rest, body);
        e->path[body] = '\0';
        return parse_query(q ? q + 1 : NULL, e, err, errlen);
    }
    const char *slash = memchr(rest, '/', body);
    size_t hostport = slash ? (size_t)(slash - rest) : body;
    const char *hp = rest;
    const char *port = NULL;
    size_t hn = hostport;
    if (hostport > 0 && hp[0] == '[') { /* [ipv6]:port */
        const char *rb = memchr(hp, ']', hostport);
        if (rb == NULL) {
            snprintf(err, errlen, "redis.uri: unclosed '[' in the host");
            return -1;
        }
        hp++;
        hn = (size_t)(rb - hp);
        if (rb + 1 < rest + hostport && rb[1] == ':') {
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(hp, ':', hostport);
        if (colon != NULL) {
            hn = (size_t)(colon - hp);
            port = colon + 1;
        }
    }
    if (hn == 0 || hn >= sizeof(e->host)) {
        snprintf(err, errlen, "redis.uri '%s' has no host", uri);
        return -1;
    }
    memcpy(e->host, hp, hn);
    e->host[hn] = '\0';
    if (port != NULL) {
        size_t pn = (size_t)(rest + hostport - port);
        int p = 0;
        if (parse_db(port, pn, &p) != 0 || p == 0) {
            snprintf(err, errlen, "redis.uri '%s' has a bad port", uri);
            return -1;
        }
        e->port = p;
    }
    if (slash != NULL && body > hostport + 1) {
        if (parse_db(slash + 1, body - hostport - 1, &e->db) != 0) {
            snprintf(err, errlen, "redis.uri '%s': the path must be a database number", uri);
            return -1;
        }
    }
    return parse_query(q ? q + 1 : NULL, e, err, errlen);
}
