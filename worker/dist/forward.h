/*
 * forward.h — the worker-to-worker REST client (libcurl): a follower forwards leader-only
 * requests to the leader's advertised URL, and sends signed internal requests
 * (POST /connectors/{c}/tasks). The answer comes back verbatim (status and body). It never
 * follows redirects and never retries by itself.
 */
#ifndef SL_DIST_FORWARD_H
#define SL_DIST_FORWARD_H

#include <stddef.h>

typedef struct sl_fwd_req {
    const char *method; /* "POST", "PUT", ... */
    const char *url;    /* absolute URL: base URL + path + query */
    const void *body;   /* NULL/0 for none */
    size_t len;
    const char *authorization; /* the original Authorization header, or NULL */
    const char *signature;     /* X-Connect-Authorization, or NULL */
    const char *sig_algorithm; /* X-Connect-Request-Signature-Algorithm, or NULL */
    long timeout_ms;           /* whole request; 0 = 90 s (Connect's REST request timeout) */
} sl_fwd_req;

typedef struct sl_fwd_resp {
    long status;
    char *body; /* malloc'ed, NUL-terminated; NULL when the answer had no body */
    size_t len;
} sl_fwd_resp;

/* 0 with an HTTP answer in *out (any status), or -1 with err when no answer came (connection
 * refused, timeout). Thread-safe (one curl easy handle per call). */
int sl_forward(const sl_fwd_req *r, sl_fwd_resp *out, char *err, size_t errlen);
void sl_fwd_resp_clear(sl_fwd_resp *r); /* accepts NULL */

#endif
