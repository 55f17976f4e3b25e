/*
 * forward.c — libcurl client for worker-to-worker REST calls (see forward.h). Headers as Java's
 * RestClient sends them: Content-Type and Accept application/json, User-Agent kafka-connect, the
 * caller's Authorization, and the KIP-507 signature headers when given.
 */
#include "dist/forward.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define MAX_ANSWER (8u * 1024u * 1024u)

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    sl_fwd_resp *out = arg;
    size_t n = size * nmemb;
    if (out->len + n > MAX_ANSWER) {
        return 0; /* abort: a worker never answers this much */
    }
    out->body = sl_xrealloc(out->body, out->len + n + 1);
    memcpy(out->body + out->len, p, n);
    out->len += n;
    out->body[out->len] = '\0';
    return n;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
    char line[4096];
    snprintf(line, sizeof line, "%s: %s", name, value);
    return curl_slist_append(l, line);
}

int sl_forward(const sl_fwd_req *r, sl_fwd_resp *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, errlen, "cannot create an HTTP client");
        return -1;
    }
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "User-Agent: kafka-connect");
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (r->body != NULL && r->len > 0) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    }
    if (r->authorization != NULL) {
        hdrs = add_header(hdrs, "Authorization", r->authorization);
    }
    if (r->signature != NULL) {
        hdrs = add_header(hdrs, "X-Connect-Authorization", r->signature);
    }
    if (r->sig_algorithm != NULL) {
        hdrs = add_header(hdrs, "X-Connect-Request-Signature-Algorithm", r->sig_algorithm);
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 90000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (r->body != NULL && r->len > 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    }
    CURLcode rc = curl_easy_perform(c);
    int ret = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc));
        sl_fwd_resp_clear(out);
        ret = -1;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return ret;
}

void sl_fwd_resp_clear(sl_fwd_resp *r)
{
    if (r != NULL) {
        free(r->body);
        r->body = NULL;
        r->len = 0;
    }
}
