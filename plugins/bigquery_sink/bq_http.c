/*
 * bq_http.c — the REST client of bigquery_sink.so: requests run concurrently on one curl multi
 * handle (at most threadPoolSize at once, connections kept alive between batches), each with
 * the cached bearer token; responses are classified into OK / retriable (5xx, quotaExceeded,
 * rateLimitExceeded, transport errors, MERGE serialization conflicts) / refresh-the-token (401)
 * / fatal. Error envelopes are parsed with jansson (only error responses, off the hot path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "bq.h"

#define H sluice_host

struct bq_http {
    CURLM *multi;
    bq_auth *auth;
    int max_parallel;
    long timeout_ms;
};

struct bq_req {
    CURL *easy;
    char method[8];
    char *url;
    const char *body;
    size_t body_len;
    struct curl_slist *hdrs;
    bq_resp resp;
    void *user;
    int state; /* 0 idle, 1 queued/running, 2 done */
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    bq_req *r = arg;
    H->buf_append(r->resp.body, p, size * n);
    return size * n;
}

bq_http *bq_http_new(bq_auth *auth, int max_parallel, long timeout_ms)
{
    bq_http *h = H->calloc(1, sizeof(*h));
    h->multi = curl_multi_init();
    h->auth = auth;
    h->max_parallel = max_parallel > 0 ? max_parallel : 1;
    h->timeout_ms = timeout_ms;
    curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)h->max_parallel);
    return h;
}

void bq_http_free(bq_http *h)
{
    if (h == NULL) {
        return;
    }
    curl_multi_cleanup(h->multi);
    H->free(h);
}

bq_req *bq_req_new(void)
{
    bq_req *r = H->calloc(1, sizeof(*r));
    r->easy = curl_easy_init();
    r->resp.body = H->buf_new();
    return r;
}

void bq_req_free(bq_req *r)
{
    if (r == NULL) {
        return;
    }
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->hdrs);
    H->free(r->url);
    H->buf_free(r->resp.body);
    H->free(r);
}

void bq_req_set(bq_req *r, const char *method, const char *url, const char *body, size_t len)
{
    snprintf(r->method, sizeof(r->method), "%s", method);
    H->free(r->url);
    r->url = H->strdup(url);
    r->body = body;
    r->body_len = len;
}

bq_resp *bq_req_resp(bq_req *r)
{
    return &r->resp;
}

void *bq_req_user(bq_req *r)
{
    return r->user;
}

void bq_req_set_user(bq_req *r, void *user)
{
    r->user = user;
}

static void prepare(bq_http *h, bq_req *r, const char *token)
{
    CURL *e = r->easy;
    curl_easy_reset(e);
    H->buf_reset(r->resp.body);
    r->resp.status = 0;
    r->resp.curl_err[0] = '\0';
    r->resp.reason[0] = '\0';
    r->resp.message[0] = '\0';
    curl_slist_free_all(r->hdrs);
    r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (token != NULL) {
        char auth[4096];
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        r->hdrs = curl_slist_append(r->hdrs, auth);
    }
    r->hdrs = curl_slist_append(r->hdrs, "Expect:");
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->resp.curl_err);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "sluice-bigquery-sink");
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (strcmp(r->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(r->body != NULL ? r->body_len : 0));
        if (strcmp(r->method, "POST") != 0) {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
        }
    }
}

void bq_http_run(bq_http *h, bq_req *const *reqs, size_t n)
{
    const char *token = NULL;
    if (bq_auth_enabled(h->auth)) {
        int retriable = 0;
        char err[512] = "";
        token = bq_auth_token(h->auth, false, &retriable, err, sizeof(err));
        if (token == NULL) {
            for (size_t i = 0; i < n; i++) {
                reqs[i]->resp.status = retriable ? 0 : -1;
                snprintf(reqs[i]->resp.curl_err, sizeof(reqs[i]->resp.curl_err), "%s", err);
                snprintf(reqs[i]->resp.message, sizeof(reqs[i]->resp.message), "%s", err);
                H->buf_reset(reqs[i]->resp.body);
            }
            return;
        }
    }
    size_t next = 0, running = 0, done = 0;
    while (done < n) {
        while (next < n && running < (size_t)h->max_parallel) {
            prepare(h, reqs[next], token);
            curl_multi_add_handle(h->multi, reqs[next]->easy);
            next++;
            running++;
        }
        int still = 0;
        curl_multi_perform(h->multi, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            bq_req *r = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
            if (msg->data.result == CURLE_OK) {
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &r->resp.status);
            } else {
                r->resp.status = 0;
                if (r->resp.curl_err[0] == '\0') {
                    snprintf(r->resp.curl_err, sizeof(r->resp.curl_err), "%s",
                             curl_easy_strerror(msg->data.result));
                }
            }
            curl_multi_remove_handle(h->multi, msg->easy_handle);
            running--;
            done++;
        }
        if (done < n && running > 0) {
            curl_multi_poll(h->multi, NULL, 0, 200, NULL);
        }
    }
}

int bq_classify(bq_resp *resp, bool is_query)
{
    if (resp->status >= 200 && resp->status < 300) {
        return BQ_OK;
    }
    if (resp->status == 0) {
        if (resp->message[0] == '\0') {
            snprintf(resp->message, sizeof(resp->message), "%s", resp->curl_err);
        }
        return BQ_RETRIABLE;
    }
    if (resp->status < 0) {
        return BQ_FATAL; /* token endpoint refused us */
    }
    json_t *root = json_loadb(H->buf_data(resp->body), H->buf_len(resp->body), 0, NULL);
    json_t *e = json_object_get(root, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    json_t *errs = json_object_get(e, "errors");
    const char *reason = json_string_value(json_object_get(json_array_get(errs, 0), "reason"));
    if (msg == NULL && json_is_string(e)) {
        msg = json_string_value(e); /* OAuth-style {"error":"..."} */
    }
    snprintf(resp->reason, sizeof(resp->reason), "%s", reason != NULL ? reason : "");
    if (msg != NULL) {
        snprintf(resp->message, sizeof(resp->message), "%s", msg);
    } else {
        snprintf(resp->message, sizeof(resp->message), "HTTP %ld: %.200s", resp->status,
                 H->buf_data(resp->body));
    }
    json_decref(root);
    if (resp->status == 401) {
        return BQ_AUTH;
    }
    if (resp->status >= 500 || resp->status == 429) {
        return BQ_RETRIABLE;
    }
    if (strcmp(resp->reason, "quotaExceeded") == 0 ||
        strcmp(resp->reason, "rateLimitExceeded") == 0 ||
        strcmp(resp->reason, "backendError") == 0) {
        return BQ_RETRIABLE;
    }
    if (is_query && (strcmp(resp->reason, "jobInternalError") == 0 ||
                     strstr(resp->message, "Could not serialize access") != NULL)) {
        return BQ_RETRIABLE;
    }
    return BQ_FATAL;
}

int bq_http_form_post(const char *url, const char *form, sluice_buf *body, long *status, char *err,
                      size_t errlen)
{
    CURL *e = curl_easy_init();
    char cerr[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    bq_req tmp = {.resp = {.body = body}};
    H->buf_reset(body);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &tmp);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "sluice-bigquery-sink");
    CURLcode rc = curl_easy_perform(e);
    int res = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", cerr[0] != '\0' ? cerr : curl_easy_strerror(rc));
        res = -1;
    } else {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(e);
    return res;
}
