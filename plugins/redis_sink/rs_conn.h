/*
 * rs_conn.h — one Redis connection of the Redis sink: connect (TCP or unix socket, timeouts,
 * keep-alive, AUTH with an ACL user, SELECT), send a whole pipeline buffer and read its replies
 * without allocating a reply object per command. It knows nothing about records or the host
 * table; the transport step is one function so TLS can be added there with hiredis >= 1.0.
 */
#ifndef SL_REDIS_SINK_CONN_H
#define SL_REDIS_SINK_CONN_H

#include <stddef.h>

#include "rs_util.h"

#define RS_MAX_ELEM_ERRORS 32

struct redisContext;

/* What the replies of the last pipeline said, beyond "all fine". */
typedef struct rs_replies {
    size_t reply_no;      /* index of the top-level reply being read */
    size_t top_err_count; /* top-level error replies (MULTI/EXEC/queueing errors, AUTH, ...) */
    size_t top_err_at;    /* index of the first one */
    char top_err[256];
    int top_nil_at_last;     /* the last top-level reply was nil (an aborted EXEC) */
    long long exec_elements; /* elements of the last top-level array */
    size_t elem_err_count;   /* error elements inside a top-level array (EXEC results) */
    struct {
        int idx;
        char msg[200];
    } elem_err[RS_MAX_ELEM_ERRORS];
    /* Collect mode: every element pair of a top-level array goes to on_pair (HGETALL). */
    int collect;
    void (*on_pair)(void *ud, const char *f, size_t fn, const char *v, size_t vn);
    void *ud;
    rs_buf field;
} rs_replies;

typedef struct rs_conn {
    struct redisContext *c; /* NULL: not connected */
    rs_endpoint ep;
    int connect_timeout_ms;
    int command_timeout_ms;
    rs_replies rep;
} rs_conn;

/*
 * Connect and authenticate. Returns 0; -1 when Redis cannot be reached (transient); -2 when Redis
 * refused us for good (bad password, unknown user, bad database, TLS asked for): err says why.
 */
int rs_conn_open(rs_conn *k, char *err, size_t errlen);
void rs_conn_close(rs_conn *k);
/*
 * Send `pipeline` (RESP, `nreplies` commands) and read all the replies into k->rep. Returns 0
 * when every reply was read (the replies may still be errors: look at k->rep), -1 on an I/O error
 * or timeout (the connection is closed; err says why).
 */
int rs_conn_run(rs_conn *k, const rs_buf *pipeline, size_t nreplies, char *err, size_t errlen);
/* The two halves of rs_conn_run: write the whole pipeline; read `nreplies` replies into k->rep.
 * Both return 0, or -1 with the connection closed. */
int rs_conn_send(rs_conn *k, const rs_buf *pipeline, char *err, size_t errlen);
int rs_conn_read(rs_conn *k, size_t nreplies, char *err, size_t errlen);
/* 1 when an error reply means "try again later" (LOADING, BUSY, OOM, READONLY, ...). */
int rs_reply_is_transient(const char *msg);

#endif
