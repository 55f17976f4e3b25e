/*
 * rs_util.h — the Redis sink's pure helpers: a growable byte buffer, RESP command building into one
 * pipeline buffer, the key template (`${table}:${key}`), Redis glob escaping and the redis.uri
 * parser. Nothing here talks to Redis or to the host table, so it is unit-tested on its own; it
 * allocates only when a buffer grows (never per record once warm).
 */
#ifndef SL_REDIS_SINK_UTIL_H
#define SL_REDIS_SINK_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* ---- byte buffer ---- */

typedef struct rs_buf {
    char *p;
    size_t len;
    size_t cap;
} rs_buf;

void rs_buf_reserve(rs_buf *b, size_t extra);
void rs_buf_append(rs_buf *b, const void *p, size_t n);
void rs_buf_putc(rs_buf *b, char c);
void rs_buf_puts(rs_buf *b, const char *s);
void rs_buf_put_int(rs_buf *b, int64_t x);
void rs_buf_put_double(rs_buf *b, double d, int is_float); /* Java Double.toString-like */
void rs_buf_put_base64(rs_buf *b, const void *p, size_t n);
void rs_buf_put_json_string(rs_buf *b, const char *s, size_t n); /* with quotes */
void rs_buf_free(rs_buf *b);
/* Decimal text of x into out (at least 21 bytes); returns the length. */
size_t rs_int_text(int64_t x, char *out);

/* ---- RESP commands: arguments collect in `args`, rs_cmd_end() writes `*N` + args to `out` ---- */

typedef struct rs_cmd {
    rs_buf args;
    int argc;
    size_t open_at; /* rs_cmd_arg_open(): where the open argument's header goes */
} rs_cmd;

void rs_cmd_begin(rs_cmd *c);
void rs_cmd_arg(rs_cmd *c, const void *p, size_t n);
void rs_cmd_arg_str(rs_cmd *c, const char *s);
void rs_cmd_arg_int(rs_cmd *c, int64_t x);
/* The argument's text is appended to the returned buffer by the caller, then rs_cmd_arg_close();
 * for values whose length is known only once written (numbers, JSON). */
rs_buf *rs_cmd_arg_open(rs_cmd *c);
void rs_cmd_arg_close(rs_cmd *c);
void rs_cmd_end(rs_cmd *c, rs_buf *out);
void rs_cmd_free(rs_cmd *c);

/* ---- key templates ---- */

enum rs_tpl_kind {
    RS_TPL_LITERAL = 0,
    RS_TPL_TOPIC = 1,     /* ${topic} */
    RS_TPL_TABLE = 2,     /* ${table}: source table, else the topic's last segment */
    RS_TPL_DB = 3,        /* ${db}: source database/schema */
    RS_TPL_KEY = 4,       /* ${key}: every key field, joined by the separator */
    RS_TPL_PARTITION = 5, /* ${partition} */
    RS_TPL_FIELD = 6,     /* ${name}: a key field, else a row field */
};

typedef struct rs_tpl_part {
    int kind;
    char *text; /* LITERAL: the text; FIELD: the field name (NUL-terminated) */
    size_t len;
} rs_tpl_part;

typedef struct rs_tpl {
    rs_tpl_part *parts;
    size_t n;
} rs_tpl;

/* Parse `s`; `$$` is a literal `$`. Returns 0, or -1 with a message in err. */
int rs_tpl_parse(const char *s, rs_tpl *t, char *err, size_t errlen);
void rs_tpl_free(rs_tpl *t);
/* 1 when a part of this kind is present. */
int rs_tpl_has(const rs_tpl *t, int kind);
/* 1 when the template has a part that depends on the row (KEY or FIELD). */
int rs_tpl_per_row(const rs_tpl *t);

/* Append s to b with Redis glob metacharacters (`*?[]\`) escaped. */
void rs_glob_escape(rs_buf *b, const char *s, size_t n);

/* ---- redis.uri ---- */

typedef struct rs_endpoint {
    int tls;     /* rediss:// (refused with hiredis 0.14) */
    int is_unix; /* unix:///path or redis-socket:///path */
    char host[256];
    int port;
    char path[256]; /* unix socket */
    char user[128];
    char pass[256];
    int db; /* -1: not given */
} rs_endpoint;

/*
 * redis://[user[:pass]@]host[:port][/db], rediss://..., unix:///path[?db=N],
 * redis-socket:///path[?database=N]. User and password may be percent-encoded. Returns 0, or -1
 * with a message in err.
 */
int rs_uri_parse(const char *uri, rs_endpoint *e, char *err, size_t errlen);

#endif
