/*
 * ch_http.c — libcurl transport for the ClickHouse sink (see ch_http.h). Handles are created once
 * and reused so connections stay alive; the plugin never calls curl_global_* (the worker does).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ch_http.h"

struct slot {
    CURL *easy;
    struct curl_slist *headers;
    ch_buf gz; /* compressed body */
    z_stream zs;
    int zs_ready;
    struct ch_insert *ins;
    char errbuf[CURL_ERROR_SIZE];
};

struct ch_http {
    struct ch_http_opts o;
    char *base, *database, *user, *password, *settings, *proxy;
    CURL *query;
    struct curl_slist *query_headers;
    char query_errbuf[CURL_ERROR_SIZE];
    CURLM *multi;
    struct slot *slots;
    int nslots;
    ch_buf url;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    ch_buf *b = arg;
    chb_put(b, p, size * n);
    return size * n;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? sluice_host->strdup(s) : NULL;
}

static void setup_easy(struct ch_http *h, CURL *c, char *errbuf, long timeout_ms)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    if (h->user != NULL && h->user[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, h->password != NULL ? h->password : "");
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    }
    if (h->proxy != NULL && h->proxy[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_PROXY, h->proxy);
    }
}

struct ch_http *ch_http_new(const struct ch_http_opts *o)
{
    struct ch_http *h = sluice_host->calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    h->o = *o;
    h->base = dup_or_null(o->base_url);
    h->database = dup_or_null(o->database);
    h->user = dup_or_null(o->user);
    h->password = dup_or_null(o->password);
    h->settings = dup_or_null(o->settings);
    h->proxy = dup_or_null(o->proxy);
    h->nslots = o->parallel > 0 ? o->parallel : 1;
    h->query = curl_easy_init();
    h->multi = curl_multi_init();
    h->slots = sluice_host->calloc((size_t)h->nslots, sizeof(*h->slots));
    if (h->query == NULL || h->multi == NULL || h->slots == NULL) {
        ch_http_free(h);
        return NULL;
    }
    setup_easy(h, h->query, h->query_errbuf, o->query_timeout_ms);
    h->query_headers = curl_slist_append(NULL, "Content-Type: text/plain; charset=UTF-8");
    curl_easy_setopt(h->query, CURLOPT_HTTPHEADER, h->query_headers);
    for (int i = 0; i < h->nslots; i++) {
        struct slot *s = &h->slots[i];
        s->easy = curl_easy_init();
        if (s->easy == NULL) {
            ch_http_free(h);
            return NULL;
        }
        setup_easy(h, s->easy, s->errbuf, o->insert_timeout_ms);
        s->headers = curl_slist_append(NULL, "Content-Type: application/octet-stream");
        s->headers = curl_slist_append(s->headers, "Expect:");
        if (o->gzip) {
            s->headers = curl_slist_append(s->headers, "Content-Encoding: gzip");
        }
        curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    }
    return h;
}

void ch_http_free(struct ch_http *h)
{
    if (h == NULL) {
        return;
    }
    for (int i = 0; h->slots != NULL && i < h->nslots; i++) {
        struct slot *s = &h->slots[i];
        if (s->easy != NULL) {
            curl_easy_cleanup(s->easy);
        }
        curl_slist_free_all(s->headers);
        chb_free(&s->gz);
        if (s->zs_ready) {
            deflateEnd(&s->zs);
        }
    }
    sluice_host->free(h->slots);
    if (h->multi != NULL) {
        curl_multi_cleanup(h->multi);
    }
    if (h->query != NULL) {
        curl_easy_cleanup(h->query);
    }
    curl_slist_free_all(h->query_headers);
    chb_free(&h->url);
    sluice_host->free(h->base);
    sluice_host->free(h->database);
    sluice_host->free(h->user);
    sluice_host->free(h->password);
    sluice_host->free(h->settings);
    sluice_host->free(h->proxy);
    sluice_host->free(h);
}

void ch_result_free(struct ch_result *r)
{
    chb_free(&r->body);
}

static void url_param(CURL *c, ch_buf *url, const char *key, const char *val, size_t n)
{
    char *esc = curl_easy_escape(c, val, (int)n);
    chb_printf(url, "%c%s=%s", strchr(url->p, '?') != NULL ? '&' : '?', key,
               esc != NULL ? esc : "");
    curl_free(esc);
}

/* base/?database=..&<settings>[&query=..] */
static const char *build_url(struct ch_http *h, CURL *c, const char *query)
{
    h->url.len = 0;
    chb_str(&h->url, h->base);
    chb_putc(&h->url, '/');
    if (h->database != NULL && h->database[0] != '\0') {
        url_param(c, &h->url, "database", h->database, strlen(h->database));
    }
    const char *s = h->settings;
    while (s != NULL && *s != '\0') {
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (eq != NULL && eq > s) {
            char key[128];
            size_t kn = (size_t)(eq - s);
            while (kn > 0 && s[kn - 1] == ' ') {
                kn--;
            }
            size_t skip = 0;
            while (skip < kn && s[skip] == ' ') {
                skip++;
            }
            if (kn - skip < sizeof(key)) {
                memcpy(key, s + skip, kn - skip);
                key[kn - skip] = '\0';
                const char *v = eq + 1;
                size_t vn = n - (size_t)(v - s);
                while (vn > 0 && *v == ' ') {
                    v++;
                    vn--;
                }
                while (vn > 0 && v[vn - 1] == ' ') {
                    vn--;
                }
                url_param(c, &h->url, key, v, vn);
            }
        }
        s = end != NULL ? end + 1 : NULL;
    }
    if (query != NULL) {
        url_param(c, &h->url, "query", query, strlen(query));
    }
    return h->url.p;
}

/* Fill code/err from a finished transfer. */
static void finish(CURL *c, CURLcode rc, const char *errbuf, struct ch_result *r)
{
    r->code = 0;
    r->status = 0;
    r->err[0] = '\0';
    if (rc != CURLE_OK) {
        r->transport = 1;
        snprintf(r->err, sizeof(r->err), "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
        return;
    }
    r->transport = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    if (r->status == 200) {
        return;
    }
    const char *b = r->body.p != NULL ? r->body.p : "";
    const char *code = strstr(b, "Code: ");
    if (code != NULL) {
        r->code = (int)strtol(code + 6, NULL, 10);
    }
    size_t n = strcspn(b, "\n");
    if (n >= sizeof(r->err)) {
        n = sizeof(r->err) - 1;
    }
    snprintf(r->err, sizeof(r->err), "HTTP %ld: %.*s", r->status, (int)n, b);
}

int ch_http_query(struct ch_http *h, const char *sql, struct ch_result *res)
{
    res->body.len = 0;
    chb_reserve(&res->body, 0);
    res->body.p[0] = '\0';
    h->query_errbuf[0] = '\0';
    curl_easy_setopt(h->query, CURLOPT_URL, build_url(h, h->query, NULL));
    curl_easy_setopt(h->query, CURLOPT_POSTFIELDS, sql);
    curl_easy_setopt(h->query, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(sql));
    curl_easy_setopt(h->query, CURLOPT_WRITEDATA, &res->body);
    CURLcode rc = curl_easy_perform(h->query);
    finish(h->query, rc, h->query_errbuf, res);
    return rc == CURLE_OK && res->status == 200 ? 0 : -1;
}

static int gzip_body(struct slot *s, const char *data, size_t len)
{
    if (!s->zs_ready) {
        memset(&s->zs, 0, sizeof(s->zs));
        if (deflateInit2(&s->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            return -1;
        }
        s->zs_ready = 1;
    } else {
        deflateReset(&s->zs);
    }
    size_t bound = deflateBound(&s->zs, (uLong)len) + 64;
    s->gz.len = 0;
    chb_reserve(&s->gz, bound);
    s->zs.next_in = (Bytef *)data;
    s->zs.avail_in = (uInt)len;
    s->zs.next_out = (Bytef *)s->gz.p;
    s->zs.avail_out = (uInt)bound;
    if (deflate(&s->zs, Z_FINISH) != Z_STREAM_END) {
        return -1;
    }
    s->gz.len = bound - s->zs.avail_out;
    return 0;
}

static void start_insert(struct ch_http *h, struct slot *s, struct ch_insert *ins)
{
    s->ins = ins;
    s->errbuf[0] = '\0';
    ins->res.body.len = 0;
    chb_reserve(&ins->res.body, 0);
    ins->res.body.p[0] = '\0';
    const char *data = ins->data;
    size_t len = ins->len;
    if (h->o.gzip && gzip_body(s, ins->data, ins->len) == 0) {
        data = s->gz.p;
        len = s->gz.len;
    }
    curl_easy_setopt(s->easy, CURLOPT_URL, build_url(h, s->easy, ins->sql));
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &ins->res.body);
    curl_multi_add_handle(h->multi, s->easy);
}

void ch_http_insert_all(struct ch_http *h, struct ch_insert *ins, size_t n)
{
    size_t next = 0, running_slots = 0;
    for (int i = 0; i < h->nslots && next < n; i++) {
        start_insert(h, &h->slots[i], &ins[next++]);
        running_slots++;
    }
    while (running_slots > 0) {
        int still = 0;
        curl_multi_perform(h->multi, &still);
        CURLMsg *m;
        int left = 0;
        while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE) {
                continue;
            }
            struct slot *s = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            CURLcode rc = m->data.result;
            curl_multi_remove_handle(h->multi, s->easy);
            finish(s->easy, rc, s->errbuf, &s->ins->res);
            running_slots--;
            if (next < n) {
                start_insert(h, s, &ins[next++]);
                running_slots++;
            }
        }
        if (running_slots > 0) {
            curl_multi_poll(h->multi, NULL, 0, 200, NULL);
        }
    }
}
