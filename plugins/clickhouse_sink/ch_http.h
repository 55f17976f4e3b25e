/*
 * ch_http.h — the ClickHouse sink's HTTP(S) transport over libcurl: one keep-alive handle for
 * queries and DDL, a pool of keep-alive handles driven by one curl multi for the inserts of a
 * batch (one per table, in parallel), optional gzip request bodies. It knows nothing of records.
 */
#ifndef SL_CH_HTTP_H
#define SL_CH_HTTP_H

#include "ch.h"

struct ch_http_opts {
    const char *base_url; /* http(s)://host:port */
    const char *database;
    const char *user;
    const char *password;
    long connect_timeout_ms;
    long query_timeout_ms;
    long insert_timeout_ms;
    const char *settings; /* "k=v,k2=v2": sent as URL parameters on every request */
    const char *proxy;    /* curl proxy URL or NULL */
    int gzip;             /* compress insert bodies */
    int parallel;         /* insert handles */
};

/* What a request came back with. */
struct ch_result {
    int transport; /* 1: no HTTP answer (refused, timeout, reset) */
    long status;   /* HTTP status, 0 without an answer */
    int code;      /* ClickHouse exception code from the answer, 0 when none */
    ch_buf body;   /* the answer (owned; reused) */
    char err[256]; /* one line: transport error or the start of the server's message */
};

struct ch_insert {
    const char *sql;  /* INSERT ... FORMAT RowBinary */
    const char *data; /* RowBinary rows (borrowed) */
    size_t len;
    struct ch_result res;
};

struct ch_http;

struct ch_http *ch_http_new(const struct ch_http_opts *o); /* transferred; NULL: out of memory */
void ch_http_free(struct ch_http *h);                      /* accepts NULL */

/* Run one statement (sent as the POST body; output TabSeparated). 0 when HTTP 200. */
int ch_http_query(struct ch_http *h, const char *sql, struct ch_result *res);
/* Run every insert, up to `parallel` at a time; each gets its own result. */
void ch_http_insert_all(struct ch_http *h, struct ch_insert *ins, size_t n);
void ch_result_free(struct ch_result *r);

#endif
