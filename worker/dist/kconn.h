/*
 * kconn.h — one connection to one Kafka broker for the group client: timeout-bounded TCP
 * connect, TLS (OpenSSL), ApiVersions negotiation and SASL (PLAIN, SCRAM-SHA-256/512), then
 * strictly sequential request/response calls. Every wait is bounded by a deadline and can be cut
 * short by the owner's stop flag (a wake fd that becomes readable). Not thread-safe: one owner.
 * The process must ignore SIGPIPE (worker/main.c does): OpenSSL writes to the socket with write(2).
 */
#ifndef SL_DIST_KCONN_H
#define SL_DIST_KCONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist/kmsg.h"
#include "dist/ksec.h"
#include "dist/kwire.h"
#include "util/buf.h"

typedef struct sl_kconn sl_kconn;
typedef struct sl_ktls sl_ktls; /* an SSL_CTX built from sl_ksec_conf */

/* Results of open/call. */
enum {
    SL_KCONN_OK = 0,
    SL_KCONN_EIO = -1,     /* network/protocol failure: close and retry later */
    SL_KCONN_ESTOP = -2,   /* the stop flag was raised */
    SL_KCONN_EFATAL = -3,  /* authentication or certificate failure: retrying will not help */
    SL_KCONN_ETIMEOUT = -4 /* no answer within the deadline: close and retry later */
};

/* Builds the TLS context (CA, client cert/key). NULL with a message naming the key on failure. */
sl_ktls *sl_ktls_new(const sl_ksec_conf *sec, char *err, size_t errlen);
void sl_ktls_free(sl_ktls *t); /* accepts NULL */

typedef struct sl_kconn_opts {
    const sl_ksec_conf *sec; /* borrowed for the connection's life */
    sl_ktls *tls;            /* required when sec->ssl; borrowed */
    const char *client_id;   /* borrowed */
    int timeout_ms;          /* connect + TLS + ApiVersions + SASL */
    int wake_fd;             /* -1, or an fd that turns readable when *stop may be set */
    const atomic_bool *stop; /* NULL = never */
} sl_kconn_opts;

/* Connects and authenticates. NULL on failure with *rc (one of the results) and a message. */
sl_kconn *sl_kconn_open(const char *host, int port, const sl_kconn_opts *o, int *rc, char *err,
                        size_t errlen);
void sl_kconn_close(sl_kconn *c); /* accepts NULL */

/* The negotiated version of api, -1 when the broker and this client share none. */
int16_t sl_kconn_version(const sl_kconn *c, int16_t api);
int32_t sl_kconn_next_corr(sl_kconn *c);
const char *sl_kconn_peer(const sl_kconn *c); /* "host:port" */

/* Sends req (a whole frame built with correlation id corr) and reads the response into resp.
 * On SL_KCONN_OK, *body reads the response body (header checked and consumed). After any
 * other result the connection is unusable: close it. */
int sl_kconn_call(sl_kconn *c, const sl_buf *req, int32_t corr, int16_t api, int16_t ver,
                  int timeout_ms, sl_buf *resp, sl_kw_reader *body, char *err, size_t errlen);

/* From now on, ignore the stop flag (for the last LeaveGroup after a stop). */
void sl_kconn_ignore_stop(sl_kconn *c);

/* Monotonic milliseconds. */
int64_t sl_kconn_now_ms(void);

#endif
