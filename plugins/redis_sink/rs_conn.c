/*
 * rs_conn.c — the Redis sink's connection (see rs_conn.h). Replies are parsed by hiredis with our
 * own reply-object functions, which record errors and collected pairs and return a static
 * sentinel, so a pipeline of thousands of commands allocates nothing per reply. It must never
 * log or touch the host table: callers decide what an error means.
 */
#include "rs_conn.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

static char rs_sentinel;

static void note_top_error(rs_replies *r, const char *s, size_t n)
{
    if (r->top_err_count++ == 0) {
        r->top_err_at = r->reply_no;
        size_t k = n < sizeof(r->top_err) - 1 ? n : sizeof(r->top_err) - 1;
        memcpy(r->top_err, s, k);
        r->top_err[k] = '\0';
    }
}

static void *on_string(const redisReadTask *task, char *s, size_t n)
{
    rs_replies *r = task->privdata;
    if (task->type == REDIS_REPLY_ERROR) {
        if (task->parent == NULL) {
            note_top_error(r, s, n);
        } else if (r->elem_err_count < RS_MAX_ELEM_ERRORS) {
            size_t i = r->elem_err_count++;
            r->elem_err[i].idx = task->idx;
            size_t k = n < sizeof(r->elem_err[i].msg) - 1 ? n : sizeof(r->elem_err[i].msg) - 1;
            memcpy(r->elem_err[i].msg, s, k);
            r->elem_err[i].msg[k] = '\0';
        } else {
            r->elem_err_count++;
        }
        return &rs_sentinel;
    }
    if (r->collect && task->parent != NULL && task->parent->parent == NULL) {
        if (task->idx % 2 == 0) {
            r->field.len = 0;
            rs_buf_append(&r->field, s, n);
        } else if (r->on_pair != NULL) {
            r->on_pair(r->ud, r->field.p, r->field.len, s, n);
        }
    }
    if (task->parent == NULL) {
        r->top_nil_at_last = 0;
    }
    return &rs_sentinel;
}

static void *on_array(const redisReadTask *task, int n)
{
    rs_replies *r = task->privdata;
    if (task->parent == NULL) {
        r->exec_elements = n;
        r->top_nil_at_last = 0;
    }
    return &rs_sentinel;
}

static void *on_integer(const redisReadTask *task, long long x)
{
    rs_replies *r = task->privdata;
    if (task->parent == NULL) {
        r->top_nil_at_last = 0;
    }
    (void)x;
    return &rs_sentinel;
}

static void *on_nil(const redisReadTask *task)
{
    rs_replies *r = task->privdata;
    if (task->parent == NULL) {
        r->top_nil_at_last = 1;
    }
    return &rs_sentinel;
}

static void on_free(void *obj)
{
    (void)obj; /* every object is the sentinel */
}

static redisReplyObjectFunctions rs_reply_fns = {
    .createString = on_string,
    .createArray = on_array,
    .createInteger = on_integer,
    .createNil = on_nil,
    .freeObject = on_free,
};

static struct timeval ms_tv(int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return tv;
}

/*
 * The transport step, after the socket is up and before the first command. With hiredis >= 1.0
 * TLS goes here: redisInitiateSSLWithContext(k->c, ssl_ctx) when k->ep.tls (the context built
 * once per task from redis.cacert/redis.key.*). hiredis 0.14 has no TLS, so rediss:// is refused
 * by validation and again here.
 */
static int setup_transport(rs_conn *k, char *err, size_t errlen)
{
    if (k->ep.tls) {
        snprintf(err, errlen, "TLS (rediss://) needs hiredis >= 1.0; this build has hiredis %d.%d",
                 HIREDIS_MAJOR, HIREDIS_MINOR);
        return -2;
    }
    return 0;
}

static void reset_replies(rs_replies *r)
{
    r->reply_no = 0;
    r->top_err_count = 0;
    r->top_err[0] = '\0';
    r->top_nil_at_last = 0;
    r->exec_elements = -1;
    r->elem_err_count = 0;
}

int rs_conn_send(rs_conn *k, const rs_buf *pipeline, char *err, size_t errlen)
{
    if (k->c == NULL) {
        snprintf(err, errlen, "not connected");
        return -1;
    }
    if (redisAppendFormattedCommand(k->c, pipeline->p, pipeline->len) != REDIS_OK) {
        snprintf(err, errlen, "%s", k->c->errstr[0] ? k->c->errstr : "out of memory");
        rs_conn_close(k);
        return -1;
    }
    int done = 0;
    while (!done) {
        if (redisBufferWrite(k->c, &done) != REDIS_OK) {
            snprintf(err, errlen, "%s", k->c->errstr[0] ? k->c->errstr : "connection lost");
            rs_conn_close(k);
            return -1;
        }
    }
    return 0;
}

int rs_conn_read(rs_conn *k, size_t nreplies, char *err, size_t errlen)
{
    if (k->c == NULL) {
        snprintf(err, errlen, "not connected");
        return -1;
    }
    reset_replies(&k->rep);
    for (size_t i = 0; i < nreplies; i++) {
        void *reply = NULL;
        k->rep.reply_no = i;
        if (redisGetReply(k->c, &reply) != REDIS_OK) {
            snprintf(err, errlen, "%s", k->c->errstr[0] ? k->c->errstr : "connection lost");
            rs_conn_close(k);
            return -1;
        }
    }
    return 0;
}

int rs_conn_run(rs_conn *k, const rs_buf *pipeline, size_t nreplies, char *err, size_t errlen)
{
    if (rs_conn_send(k, pipeline, err, errlen) != 0) {
        return -1;
    }
    return rs_conn_read(k, nreplies, err, errlen);
}

/* Run the commands in `pipe` during connection setup; -2 on an error reply (bad password...). */
static int setup_run(rs_conn *k, rs_buf *pipe, size_t n, char *err, size_t errlen)
{
    if (n == 0) {
        return 0;
    }
    if (rs_conn_run(k, pipe, n, err, errlen) != 0) {
        return -1;
    }
    if (k->rep.top_err_count > 0) {
        snprintf(err, errlen, "%s", k->rep.top_err);
        int transient = rs_reply_is_transient(k->rep.top_err);
        rs_conn_close(k);
        return transient ? -1 : -2;
    }
    return 0;
}

int rs_conn_open(rs_conn *k, char *err, size_t errlen)
{
    rs_conn_close(k);
    struct timeval ctv = ms_tv(k->connect_timeout_ms);
    redisContext *c = k->ep.is_unix ? redisConnectUnixWithTimeout(k->ep.path, ctv)
                                    : redisConnectWithTimeout(k->ep.host, k->ep.port, ctv);
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (c->err) {
        if (k->ep.is_unix) {
            snprintf(err, errlen, "cannot connect to %s: %s", k->ep.path, c->errstr);
        } else {
            snprintf(err, errlen, "cannot connect to %s:%d: %s", k->ep.host, k->ep.port, c->errstr);
        }
        redisFree(c);
        return -1;
    }
    k->c = c;
    if (redisSetTimeout(c, ms_tv(k->command_timeout_ms)) != REDIS_OK) {
        snprintf(err, errlen, "cannot set the command timeout: %s", c->errstr);
        rs_conn_close(k);
        return -1;
    }
    if (!k->ep.is_unix) {
        redisEnableKeepAlive(c);
    }
    int rc = setup_transport(k, err, errlen);
    if (rc != 0) {
        rs_conn_close(k);
        return rc;
    }
    c->reader->fn = &rs_reply_fns;
    c->reader->privdata = &k->rep;
    k->rep.collect = 0;

    rs_buf pipe = {0};
    rs_cmd cmd = {0};
    size_t n = 0;
    if (k->ep.pass[0] != '\0') {
        rs_cmd_begin(&cmd);
        rs_cmd_arg_str(&cmd, "AUTH");
        if (k->ep.user[0] != '\0') {
            rs_cmd_arg_str(&cmd, k->ep.user);
        }
        rs_cmd_arg_str(&cmd, k->ep.pass);
        rs_cmd_end(&cmd, &pipe);
        n++;
    }
    if (k->ep.db > 0) {
        rs_cmd_begin(&cmd);
        rs_cmd_arg_str(&cmd, "SELECT");
        rs_cmd_arg_int(&cmd, k->ep.db);
        rs_cmd_end(&cmd, &pipe);
        n++;
    }
    rc = setup_run(k, &pipe, n, err, errlen);
    rs_buf_free(&pipe);
    rs_cmd_free(&cmd);
    return rc;
}

void rs_conn_close(rs_conn *k)
{
    if (k->c != NULL) {
        redisFree(k->c);
        k->c = NULL;
    }
}

int rs_reply_is_transient(const char *msg)
{
    static const char *const prefixes[] = {"LOADING",  "BUSY",       "OOM",         "READONLY",
                                           "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", NULL};
    for (size_t i = 0; prefixes[i] != NULL; i++) {
        if (strncasecmp(msg, prefixes[i], strlen(prefixes[i])) == 0) {
            return 1;
        }
    }
    return 0;
}
