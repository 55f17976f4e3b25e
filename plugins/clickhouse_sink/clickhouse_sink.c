/*
 * clickhouse_sink.c — clickhouse_sink.so: Debezium changes (or plain rows) into ClickHouse
 * ReplacingMergeTree tables over HTTP, RowBinary, one insert per table per batch, tables of a batch
 * in parallel. Rows are versioned by their source-log position, so replays leave SELECT ... FINAL
 * unchanged; an offset is handed to the host for commit only after ClickHouse acknowledged every
 * row before it. Records are encoded straight into per-table buffers (no per-record allocation)
 * while the previous batch is inserted by the task's I/O thread.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "ch_http.h"
#include "plugins/common/cdc.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

#define ERRLEN         512
#define TOAST_MAX_BODY (64u << 20)

enum { FLUSH_OK = 0, FLUSH_PENDING, FLUSH_RETRY, FLUSH_SCHEMA, FLUSH_DATA, FLUSH_FATAL };
enum { JOB_IDLE = 0, JOB_RUNNING, JOB_FAILED };
/* Internal result: buffers were dropped after a schema error, re-deliver (never given to the host)
 */
#define REWIND ((sluice_rc)100)
enum { DEF_NONE = 0, DEF_DEFAULT, DEF_NO_INSERT };

struct col {
    char *name;
    char *type_text;
    struct ch_type type;
    uint8_t def_kind; /* DEF_* */
    uint8_t used;     /* a DEFAULT column some input sets: then it is inserted */
};

/* Field i of one input row schema → table column (cached by schema id). */
struct fmap {
    uint64_t schema_id;
    size_t n;
    int32_t *col;
    struct ch_src *src;
    struct fmap *next;
};

struct table {
    char *name;
    char *topic; /* the topic that resolved to it */
    int exists;
    int stale; /* re-DESCRIBE before the next use */
    int64_t described_ms;
    struct col *cols;
    size_t ncols;
    int ver, del, key_col; /* column indexes or -1 */
    int *ins;              /* insert order: column indexes */
    size_t nins;
    char *insert_sql;
    ch_buf rows; /* RowBinary rows filling for the next insert */
    size_t nrows;
    ch_buf sending; /* rows of the insert in flight (or failed, to re-send) */
    size_t nsending;
    struct fmap *maps;
    struct fmap *last_map;
    /* schemaless rows: field position → column, remembered from the previous record */
    char **sl_names;
    int32_t *sl_cols;
    size_t sl_n, sl_cap;
    /* one record's column values (scratch, ncols long) */
    const sluice_value **val;
    const struct ch_src **src;
    uint8_t *set;
    uint8_t *toast;
    int warned_extra, warned_delete;
    struct table *next;
};

struct part {
    char *topic;
    int32_t partition;
    int64_t seen_next;  /* records below this were already appended: skip redeliveries */
    int64_t fill_first; /* first offset whose rows are still filling, -1: none */
    int64_t send_first; /* first offset whose rows are in the insert in flight, -1: none */
    int64_t iso_end;    /* isolating a rejected row: offsets up to here go in small inserts */
};

struct task {
    sluice_ctx *ctx;
    const sluice_config *cfg;
    /* settings */
    const char *database, *ver_col, *del_col, *cluster, *table_format, *topic2table;
    int auto_create, auto_evolve, truncate_apply;
    int64_t max_rows, max_bytes, linger_ms, refresh_ms;
    sl_cdc_opts cdc;
    struct ch_http *http;  /* metadata, DDL, lookups (task thread) */
    struct ch_http *ihttp; /* inserts (I/O thread) */
    pthread_t io;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int io_started, io_stop;
    int job_posted, job_done; /* under mu */
    size_t job_n;
    int job_state, job_fail, job_retries;
    int64_t job_retry_ms, job_start_ms;
    int connected;
    struct ch_server srv;
    struct table *tables;
    struct table *last_table;
    const char *last_topic_ptr;
    struct part *parts;
    size_t nparts, parts_cap;
    size_t last_part;
    int64_t total_rows, total_bytes, first_pending_ms;
    int rewinds, max_rewinds;
    int64_t iso_chunk; /* 0, or isolating a rejected row: rows per insert (see isolate()) */
    int retries;       /* consecutive RETRY results of put() */
    ch_buf sql;
    struct ch_result res;
    struct ch_insert *ins;
    size_t ins_cap;
    struct table **ins_tables;
    sluice_buf *scratch;
    char err[ERRLEN];
};

static sluice_rc put_rc_from_flush(struct task *t, int rc);

/* ---- small helpers ---- */

static int64_t now_ms(void)
{
    return sluice_host->now_ms();
}

static void set_error(struct task *t, const char *msg)
{
    sluice_host->set_error(t->ctx, "%s", msg);
}

/* ---- partitions ---- */

static struct part *find_part(struct task *t, const char *topic, int32_t partition, int create)
{
    if (t->last_part < t->nparts) {
        struct part *p = &t->parts[t->last_part];
        if (p->partition == partition && strcmp(p->topic, topic) == 0) {
            return p;
        }
    }
    for (size_t i = 0; i < t->nparts; i++) {
        if (t->parts[i].partition == partition && strcmp(t->parts[i].topic, topic) == 0) {
            t->last_part = i;
            return &t->parts[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (t->nparts == t->parts_cap) {
        t->parts_cap = t->parts_cap ? t->parts_cap * 2 : 16;
        t->parts = sluice_host->realloc(t->parts, t->parts_cap * sizeof(*t->parts));
    }
    struct part *p = &t->parts[t->nparts];
    p->topic = sluice_host->strdup(topic);
    p->partition = partition;
    p->seen_next = -1;
    p->fill_first = -1;
    p->send_first = -1;
    p->iso_end = -1;
    t->last_part = t->nparts++;
    return p;
}

/* ---- tables: metadata ---- */

static void free_maps(struct table *tb)
{
    struct fmap *m = tb->maps;
    while (m != NULL) {
        struct fmap *next = m->next;
        sluice_host->free(m->col);
        sluice_host->free(m->src);
        sluice_host->free(m);
        m = next;
    }
    tb->maps = tb->last_map = NULL;
    for (size_t i = 0; i < tb->sl_n; i++) {
        sluice_host->free(tb->sl_names[i]);
    }
    tb->sl_n = 0;
}

static void free_columns(struct table *tb)
{
    for (size_t i = 0; i < tb->ncols; i++) {
        sluice_host->free(tb->cols[i].name);
        sluice_host->free(tb->cols[i].type_text);
        ch_type_free(&tb->cols[i].type);
    }
    sluice_host->free(tb->cols);
    sluice_host->free(tb->ins);
    sluice_host->free(tb->insert_sql);
    sluice_host->free(tb->val);
    sluice_host->free(tb->src);
    sluice_host->free(tb->set);
    sluice_host->free(tb->toast);
    tb->cols = NULL;
    tb->ins = NULL;
    tb->insert_sql = NULL;
    tb->val = NULL;
    tb->src = NULL;
    tb->set = tb->toast = NULL;
    tb->ncols = tb->nins = 0;
}

static void free_table(struct table *tb)
{
    free_maps(tb);
    free_columns(tb);
    sluice_host->free(tb->sl_names);
    sluice_host->free(tb->sl_cols);
    chb_free(&tb->rows);
    chb_free(&tb->sending);
    sluice_host->free(tb->name);
    sluice_host->free(tb->topic);
    sluice_host->free(tb);
}

static int find_col(const struct table *tb, const char *name)
{
    for (size_t i = 0; i < tb->ncols; i++) {
        if (strcmp(tb->cols[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The INSERT column list: ordinary columns, plus DEFAULT ones some input sets. */
static void rebuild_insert(struct task *t, struct table *tb)
{
    const char **names = sluice_host->calloc(tb->ncols + 1, sizeof(*names));
    tb->nins = 0;
    for (size_t i = 0; i < tb->ncols; i++) {
        const struct col *c = &tb->cols[i];
        int always = (int)i == tb->ver || (int)i == tb->del || (int)i == tb->key_col;
        if (c->def_kind == DEF_NO_INSERT || (c->def_kind == DEF_DEFAULT && !c->used && !always)) {
            continue;
        }
        tb->ins[tb->nins] = (int)i;
        names[tb->nins++] = c->name;
    }
    ch_buf b = {0};
    ch_sql_insert(&b, t->database, tb->name, names, tb->nins);
    sluice_host->free(tb->insert_sql);
    tb->insert_sql = b.p;
    sluice_host->free(names);
}

/* TabSeparated field unescape in place; returns the field's end. */
static char *tsv_field(char *p, char **next)
{
    char *w = p, *r = p;
    while (*r != '\0' && *r != '\t' && *r != '\n') {
        if (*r == '\\' && r[1] != '\0') {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == '0' ? '\0' : *r;
            r++;
            continue;
        }
        *w++ = *r++;
    }
    *next = *r == '\t' ? r + 1 : r;
    char *end = r;
    *w = '\0';
    return end;
}

/* DESCRIBE TABLE into tb->cols. 0 ok, 1 table missing, -1 error (t->err; retry says *retry). */
static int describe(struct task *t, struct table *tb, int *retry)
{
    t->sql.len = 0;
    chb_str(&t->sql, "DESCRIBE TABLE ");
    if (t->database[0] != '\0') {
        ch_sql_ident(&t->sql, t->database);
        chb_putc(&t->sql, '.');
    }
    ch_sql_ident(&t->sql, tb->name);
    chb_str(&t->sql, " FORMAT TabSeparated");
    *retry = 0;
    if (ch_http_query(t->http, t->sql.p, &t->res) != 0) {
        if (t->res.code == 60 || t->res.code == 81) {
            return 1; /* UNKNOWN_TABLE / UNKNOWN_DATABASE */
        }
        *retry = t->res.transport || t->res.status >= 500;
        snprintf(t->err, sizeof(t->err), "DESCRIBE TABLE %s failed: %s", tb->name, t->res.err);
        return -1;
    }
    free_maps(tb);
    free_columns(tb);
    size_t cap = 16;
    tb->cols = sluice_host->calloc(cap, sizeof(*tb->cols));
    char *line = t->res.body.p;
    while (line != NULL && *line != '\0') {
        char *eol = strchr(line, '\n');
        char *rest = line;
        char *f[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++) {
            f[k] = rest;
            char *next = NULL;
            char *end = tsv_field(rest, &next);
            if (*next == '\n' || next == end) {
                rest = end; /* fewer fields: the rest stay empty */
                for (int j = k + 1; j < 3; j++) {
                    f[j] = end;
                }
                break;
            }
            rest = next;
        }
        if (f[0][0] != '\0') {
            if (tb->ncols == cap) {
                cap *= 2;
                tb->cols = sluice_host->realloc(tb->cols, cap * sizeof(*tb->cols));
            }
            struct col *c = &tb->cols[tb->ncols];
            memset(c, 0, sizeof(*c));
            c->name = sluice_host->strdup(f[0]);
            c->type_text = sluice_host->strdup(f[1]);
            char perr[256];
            if (ch_type_parse(f[1], &c->type, perr, sizeof(perr)) != 0) {
                c->type.kind = CH_UNSUPPORTED;
            }
            c->def_kind = f[2][0] == '\0'                ? DEF_NONE
                          : strcmp(f[2], "DEFAULT") == 0 ? DEF_DEFAULT
                                                         : DEF_NO_INSERT;
            tb->ncols++;
        }
        line = eol != NULL ? eol + 1 : NULL;
    }
    tb->ver = find_col(tb, t->ver_col);
    tb->del = find_col(tb, t->del_col);
    tb->key_col = find_col(tb, "_key");
    tb->ins = sluice_host->calloc(tb->ncols + 1, sizeof(*tb->ins));
    tb->val = sluice_host->calloc(tb->ncols + 1, sizeof(*tb->val));
    tb->src = sluice_host->calloc(tb->ncols + 1, sizeof(*tb->src));
    tb->set = sluice_host->calloc(tb->ncols + 1, 1);
    tb->toast = sluice_host->calloc(tb->ncols + 1, 1);
    rebuild_insert(t, tb);
    tb->exists = 1;
    tb->stale = 0;
    tb->described_ms = now_ms();
    return 0;
}

static int run_ddl(struct task *t, const char *what, int *retry)
{
    if (ch_http_query(t->http, t->sql.p, &t->res) != 0) {
        *retry = t->res.transport || (t->res.status >= 500 && t->res.code != 44 &&
                                      t->res.code != 50 && t->res.code != 62);
        snprintf(t->err, sizeof(t->err), "%s failed: %s (SQL: %.200s)", what, t->res.err, t->sql.p);
        return -1;
    }
    SLUICE_INFO(t->ctx, "ClickHouse: %.300s", t->sql.p);
    return 0;
}

static int is_meta_field(const sl_cdc_change *ch, const char *name)
{
    if (ch->meta_fields == NULL || name[0] != '_' || name[1] != '_') {
        return 0;
    }
    for (const char *const *m = ch->meta_fields; *m != NULL; m++) {
        if (strcmp(*m, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Column definitions for a new table from the first change: key fields (ORDER BY), then the row's
 * fields, then the version and deleted columns. */
static int create_table(struct task *t, struct table *tb, const sl_cdc_change *ch, int *retry)
{
    size_t cap = 8, n = 0, nkeys = 0;
    struct ch_coldef *cols = sluice_host->calloc(cap, sizeof(*cols));
    const char **keys = sluice_host->calloc(cap, sizeof(*keys));
    ch_buf types = {0};
    size_t *type_off = sluice_host->calloc(cap, sizeof(*type_off));
#define ADD_COL(nm, emit)                                                                          \
    do {                                                                                           \
        if (n + 1 >= cap) {                                                                        \
            cap *= 2;                                                                              \
            cols = sluice_host->realloc(cols, cap * sizeof(*cols));                                \
            keys = sluice_host->realloc(keys, cap * sizeof(*keys));                                \
            type_off = sluice_host->realloc(type_off, cap * sizeof(*type_off));                    \
        }                                                                                          \
        cols[n].name = (nm);                                                                       \
        type_off[n] = types.len;                                                                   \
        emit;                                                                                      \
        chb_putc(&types, '\0');                                                                    \
        n++;                                                                                       \
    } while (0)
    const sluice_value *key = ch->key;
    int kt = key != NULL ? sluice_host->val_type(key) : SLUICE_TYPE_NULL;
    if (kt == SLUICE_TYPE_STRUCT || kt == SLUICE_TYPE_MAP) {
        const sluice_schema *ks = sluice_host->val_schema(key);
        size_t kn = sluice_host->val_len(key);
        for (size_t i = 0; i < kn; i++) {
            const char *name = sluice_host->val_name_at(key, i);
            const sluice_value *kv = sluice_host->val_at(key, i);
            const sluice_schema *fs = NULL;
            if (ks != NULL && kt == SLUICE_TYPE_STRUCT) {
                fs = sluice_host->schema_field_schema(ks, i);
            }
            if (name == NULL) {
                continue;
            }
            keys[nkeys++] = name;
            if (fs != NULL) {
                ADD_COL(name, ch_type_for_schema(&t->srv, fs, 0, &types));
            } else {
                ADD_COL(name, ch_type_for_value(&t->srv, kv, 0, &types));
            }
        }
    } else if (kt != SLUICE_TYPE_NULL) {
        const sluice_schema *ks = sluice_host->val_schema(key);
        keys[nkeys++] = "_key";
        if (ks != NULL) {
            ADD_COL("_key", ch_type_for_schema(&t->srv, ks, 0, &types));
        } else {
            ADD_COL("_key", ch_type_for_value(&t->srv, key, 0, &types));
        }
    }
    const sluice_value *row = ch->row;
    if (row != NULL) {
        const sluice_schema *rs = ch->row_schema;
        int rt = sluice_host->val_type(row);
        size_t rn =
            rt == SLUICE_TYPE_STRUCT || rt == SLUICE_TYPE_MAP ? sluice_host->val_len(row) : 0;
        for (size_t i = 0; i < rn; i++) {
            const char *name = sluice_host->val_name_at(row, i);
            if (name == NULL || is_meta_field(ch, name)) {
                continue;
            }
            int dup = 0;
            for (size_t k = 0; k < nkeys; k++) {
                dup |= strcmp(keys[k], name) == 0;
            }
            if (dup || strcmp(name, t->ver_col) == 0 || strcmp(name, t->del_col) == 0) {
                continue;
            }
            if (rs != NULL && rt == SLUICE_TYPE_STRUCT) {
                ADD_COL(name, ch_type_for_schema(&t->srv, sluice_host->schema_field_schema(rs, i),
                                                 1, &types));
            } else {
                ADD_COL(name, ch_type_for_value(&t->srv, sluice_host->val_at(row, i), 1, &types));
            }
        }
    }
    if (nkeys > 0) {
        ADD_COL(t->ver_col, chb_str(&types, "UInt64"));
        ADD_COL(t->del_col, chb_str(&types, "UInt8"));
    }
#undef ADD_COL
    for (size_t i = 0; i < n; i++) {
        cols[i].type = types.p + type_off[i];
    }
    t->sql.len = 0;
    ch_sql_create(&t->sql, &t->srv, t->database, tb->name, cols, n, keys, nkeys, t->ver_col,
                  t->del_col, t->cluster);
    int rc = n == 0 ? -1 : run_ddl(t, "CREATE TABLE", retry);
    if (n == 0) {
        snprintf(t->err, sizeof(t->err), "cannot create table %s: the first record has no fields",
                 tb->name);
    }
    sluice_host->free(cols);
    sluice_host->free(keys);
    sluice_host->free(type_off);
    chb_free(&types);
    return rc;
}

/* ---- flushing ---- */

static int classify(const struct ch_result *r)
{
    if (r->transport || r->status == 0) {
        return FLUSH_RETRY;
    }
    switch (r->code) {
    case 16:  /* NO_SUCH_COLUMN_IN_TABLE */
    case 10:  /* NOT_FOUND_COLUMN_IN_BLOCK */
    case 33:  /* CANNOT_READ_ALL_DATA: RowBinary layout no longer matches the columns */
    case 47:  /* UNKNOWN_IDENTIFIER */
    case 60:  /* UNKNOWN_TABLE */
    case 81:  /* UNKNOWN_DATABASE */
    case 131: /* TOO_LARGE_STRING_SIZE: layout mismatch as well */
        return FLUSH_SCHEMA;
    case 192: /* UNKNOWN_USER */
    case 193: /* WRONG_PASSWORD */
    case 194: /* REQUIRED_PASSWORD */
    case 497: /* ACCESS_DENIED */
    case 516: /* AUTHENTICATION_FAILED */
    case 62:  /* SYNTAX_ERROR */
    case 115: /* UNKNOWN_SETTING */
    case 36:  /* BAD_ARGUMENTS: as often a setting (clickhouseSettings) as a value */
    case 43:  /* ILLEGAL_TYPE_OF_ARGUMENT: likewise a column expression as much as a row */
        return FLUSH_FATAL;
    /* the data itself was refused: retrying the same rows cannot help, finding the row can */
    case 6:   /* CANNOT_PARSE_TEXT */
    case 26:  /* CANNOT_PARSE_QUOTED_STRING */
    case 27:  /* CANNOT_PARSE_INPUT_ASSERTION_FAILED */
    case 38:  /* CANNOT_PARSE_DATE */
    case 41:  /* CANNOT_PARSE_DATETIME */
    case 53:  /* TYPE_MISMATCH */
    case 69:  /* ARGUMENT_OUT_OF_BOUND */
    case 70:  /* CANNOT_CONVERT_TYPE */
    case 72:  /* CANNOT_PARSE_NUMBER */
    case 117: /* INCORRECT_DATA */
    case 395: /* FUNCTION_THROW_IF_VALUE_IS_NON_ZERO: a throwIf() in a column expression */
        return FLUSH_DATA;
    default:
        return FLUSH_RETRY; /* 5xx, too many parts, memory limits, timeouts, ... */
    }
}

/*
 * Inserts run on an I/O thread so the task keeps consuming and encoding while ClickHouse works:
 * a table's full `rows` buffer is swapped with its empty `sending` buffer and posted; the next
 * batch fills meanwhile. At most one job is in flight; a failed job keeps its buffers and is
 * re-sent after a backoff. Commit ceilings per partition: `send_first` (rows in a job) else
 * `fill_first` (rows still filling).
 */
static void *io_main(void *arg)
{
    struct task *t = arg;
    pthread_mutex_lock(&t->mu);
    for (;;) {
        while (!t->job_posted && !t->io_stop) {
            pthread_cond_wait(&t->cv, &t->mu);
        }
        if (!t->job_posted) {
            break; /* stop */
        }
        size_t n = t->job_n;
        pthread_mutex_unlock(&t->mu);
        ch_http_insert_all(t->ihttp, t->ins, n);
        pthread_mutex_lock(&t->mu);
        t->job_posted = 0;
        t->job_done = 1;
        pthread_cond_broadcast(&t->cv);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void ensure_ins(struct task *t, size_t n)
{
    if (n <= t->ins_cap) {
        return;
    }
    for (size_t i = 0; i < t->ins_cap; i++) {
        ch_result_free(&t->ins[i].res);
    }
    sluice_host->free(t->ins);
    sluice_host->free(t->ins_tables);
    t->ins = sluice_host->calloc(n, sizeof(*t->ins));
    t->ins_tables = sluice_host->calloc(n, sizeof(*t->ins_tables));
    t->ins_cap = n;
}

/* Post the inserts of every table with rows in its sending buffer (job idle or failed). */
static void post_job(struct task *t)
{
    size_t n = 0;
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        n += tb->nsending > 0;
    }
    ensure_ins(t, n);
    size_t k = 0;
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        if (tb->nsending > 0) {
            t->ins[k].sql = tb->insert_sql;
            t->ins[k].data = tb->sending.p;
            t->ins[k].len = tb->sending.len;
            t->ins_tables[k++] = tb;
        }
    }
    t->job_start_ms = now_ms();
    pthread_mutex_lock(&t->mu);
    t->job_n = n;
    t->job_done = 0;
    t->job_posted = 1;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    t->job_state = JOB_RUNNING;
}

/* Swap every table's filled rows into its sending buffer and post them (job must be idle). */
static void start_job(struct task *t)
{
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        if (tb->nrows > 0) {
            ch_buf tmp = tb->sending;
            tb->sending = tb->rows;
            tb->rows = tmp;
            tb->rows.len = 0;
            tb->nsending = tb->nrows;
            tb->nrows = 0;
        }
    }
    for (size_t i = 0; i < t->nparts; i++) {
        t->parts[i].send_first = t->parts[i].fill_first;
        t->parts[i].fill_first = -1;
    }
    t->total_rows = t->total_bytes = 0;
    t->first_pending_ms = 0;
    post_job(t);
}

/* Collect the job: FLUSH_OK (nothing in flight or failed), FLUSH_PENDING (still running, !wait)
 * or the failure class of a failed job (its rows stay in the sending buffers). */
static int reap_job(struct task *t, int wait)
{
    if (t->job_state == JOB_IDLE) {
        return FLUSH_OK;
    }
    if (t->job_state == JOB_FAILED) {
        return t->job_fail;
    }
    pthread_mutex_lock(&t->mu);
    if (!t->job_done && !wait) {
        pthread_mutex_unlock(&t->mu);
        return FLUSH_PENDING;
    }
    while (!t->job_done) {
        pthread_cond_wait(&t->cv, &t->mu);
    }
    size_t n = t->job_n;
    pthread_mutex_unlock(&t->mu);
    int worst = FLUSH_OK;
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        struct table *tb = t->ins_tables[i];
        const struct ch_result *r = &t->ins[i].res;
        if (!r->transport && r->status == 200) {
            rows += tb->nsending;
            tb->sending.len = 0;
            tb->nsending = 0;
            continue;
        }
        int c = classify(r);
        if (c == FLUSH_SCHEMA) {
            tb->stale = 1;
        }
        if (c > worst) {
            worst = c;
            snprintf(t->err, sizeof(t->err), "insert into %s failed: %s", tb->name, r->err);
        }
    }
    if (rows > 0) {
        sluice_host->metric_add(t->ctx, "clickhouse-rows-inserted", (int64_t)rows);
        SLUICE_DEBUG(t->ctx, "inserted %zu row(s) into %zu table(s) in %" PRId64 " ms", rows, n,
                     now_ms() - t->job_start_ms);
    }
    if (worst != FLUSH_OK) {
        int shift = t->job_retries < 5 ? t->job_retries : 5;
        t->job_retries++;
        t->job_state = JOB_FAILED;
        t->job_fail = worst;
        t->job_retry_ms = now_ms() + ((int64_t)250 << shift);
        return worst;
    }
    t->job_state = JOB_IDLE;
    t->job_retries = 0;
    t->rewinds = 0;
    for (size_t i = 0; i < t->nparts; i++) {
        t->parts[i].send_first = -1;
    }
    return FLUSH_OK;
}

/* Non-blocking progress: collect a finished job, re-send a failed one whose backoff is over. */
static int pump(struct task *t)
{
    int rc = reap_job(t, 0);
    if (rc == FLUSH_RETRY && now_ms() >= t->job_retry_ms) {
        post_job(t);
        rc = FLUSH_PENDING;
    }
    return rc;
}

/* Room for more rows: wait for the job in flight, then post the filled rows. */
static int make_room(struct task *t)
{
    int rc = reap_job(t, 1);
    if (rc == FLUSH_RETRY && now_ms() >= t->job_retry_ms) {
        post_job(t);
        rc = reap_job(t, 1);
    }
    if (rc != FLUSH_OK) {
        return rc;
    }
    start_job(t);
    return FLUSH_OK;
}

/* Everything appended so far acknowledged by ClickHouse, now (before DDL, lookups, commits). */
static int sync_flush(struct task *t)
{
    int rc = reap_job(t, 1);
    if (rc == FLUSH_RETRY) {
        post_job(t); /* once, now: the caller decides what a second failure means */
        rc = reap_job(t, 1);
    }
    if (rc != FLUSH_OK) {
        return rc;
    }
    if (t->total_rows > 0) {
        start_job(t);
        rc = reap_job(t, 1);
        if (rc != FLUSH_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < t->nparts; i++) {
        t->parts[i].fill_first = -1;
    }
    return FLUSH_OK;
}

/* Forget every buffered row (none is in flight); each partition's unwritten rows will be
 * delivered again from its commit ceiling. */
static void drop_buffers(struct task *t)
{
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        tb->rows.len = 0;
        tb->nrows = 0;
        tb->sending.len = 0;
        tb->nsending = 0;
    }
    for (size_t i = 0; i < t->nparts; i++) {
        struct part *p = &t->parts[i];
        if (p->send_first >= 0) {
            p->fill_first = p->send_first;
            p->send_first = -1;
        }
    }
    t->job_state = JOB_IDLE;
    t->job_retries = 0;
    t->total_rows = t->total_bytes = 0;
    t->first_pending_ms = 0;
}

/* A schema error at insert: the buffered rows were encoded for columns the table no longer has.
 * Drop them and re-read the tables; the caller then has the host deliver again from the first
 * unacknowledged offset of each partition (which stays the commit ceiling until written).
 * Returns REWIND, or ERR when rewinding cannot help. */
static sluice_rc discard_for_rewind(struct task *t)
{
    (void)reap_job(t, 1);
    if (++t->rewinds > t->max_rewinds || !SLUICE_HOST_HAS(sluice_host, task_seek)) {
        set_error(t, t->err);
        return SLUICE_ERR;
    }
    SLUICE_WARN(t->ctx, "%s; re-reading table metadata and re-delivering unwritten records",
                t->err);
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        tb->stale = 1;
    }
    drop_buffers(t);
    return REWIND;
}

/*
 * ClickHouse refused the data of an insert (a value it cannot parse or hold, a throwIf() in a
 * column expression...) without saying which row. Drop the buffered rows and have them delivered
 * again, now inserted in chunks of half as many rows; a refused chunk halves again, a written one
 * doubles. A refused insert of one row names its record, which goes to the errant-record reporter
 * (DLQ, skipped, or the task fails naming it). Once every partition is past the last offset that
 * was buffered at the first refusal, inserts are batched as usual again. Returns REWIND, or ERR
 * when the host cannot re-deliver.
 */
static sluice_rc isolate(struct task *t)
{
    (void)reap_job(t, 1);
    size_t n = 0;
    for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
        n += tb->nsending + tb->nrows;
    }
    if (!SLUICE_HOST_HAS(sluice_host, task_seek)) {
        set_error(t, t->err);
        return SLUICE_ERR;
    }
    SLUICE_WARN(t->ctx, "%s; re-delivering its %zu row(s) in smaller inserts to find the record",
                t->err, n);
    for (size_t i = 0; i < t->nparts; i++) {
        struct part *p = &t->parts[i];
        if (p->seen_next - 1 > p->iso_end) {
            p->iso_end = p->seen_next - 1;
        }
    }
    t->iso_chunk = n > 1 ? (int64_t)(n / 2) : 1;
    drop_buffers(t);
    return REWIND;
}

/* After a written chunk or a reported row: is every partition past the rows being isolated? */
static void isolation_check(struct task *t)
{
    for (size_t i = 0; i < t->nparts; i++) {
        if (t->parts[i].iso_end >= 0 && t->parts[i].seen_next <= t->parts[i].iso_end) {
            return;
        }
    }
    for (size_t i = 0; i < t->nparts; i++) {
        t->parts[i].iso_end = -1;
    }
    t->iso_chunk = 0;
    SLUICE_INFO(t->ctx, "the refused rows are isolated; inserting in batches again");
}

static void seek_pending(struct task *t)
{
    for (size_t i = 0; i < t->nparts; i++) {
        struct part *p = &t->parts[i];
        if (p->fill_first >= 0) {
            p->seen_next = p->fill_first;
            sluice_host->task_seek(t->ctx, p->topic, p->partition, p->fill_first);
        }
    }
}

static sluice_rc put_rc_from_flush(struct task *t, int rc)
{
    switch (rc) {
    case FLUSH_OK:
    case FLUSH_PENDING:
        return SLUICE_OK;
    case FLUSH_RETRY:
        sluice_host->set_error(t->ctx, "%s", t->err);
        return SLUICE_RETRY;
    case FLUSH_SCHEMA:
        return discard_for_rewind(t);
    case FLUSH_DATA:
        return isolate(t);
    default:
        set_error(t, t->err);
        return SLUICE_ERR;
    }
}

/* Flush before DDL on a table or a lookup that must see its rows. */
static int flush_before_change(struct task *t, struct table *tb)
{
    if (tb->nrows == 0 && tb->nsending == 0) {
        return FLUSH_OK;
    }
    return sync_flush(t);
}

/* ---- connecting ---- */

static sluice_rc ensure_server(struct task *t)
{
    if (t->connected) {
        return SLUICE_OK;
    }
    if (ch_http_query(t->http, "SELECT version()", &t->res) != 0) {
        sluice_host->set_error(t->ctx, "cannot reach ClickHouse: %s", t->res.err);
        int c = classify(&t->res);
        if (c == FLUSH_FATAL) {
            return SLUICE_ERR;
        }
        return SLUICE_RETRY;
    }
    char *nl = strchr(t->res.body.p, '\n');
    if (nl != NULL) {
        *nl = '\0';
    }
    ch_server_from_version(&t->srv, t->res.body.p);
    SLUICE_INFO(t->ctx, "ClickHouse %s: %s", t->res.body.p,
                t->srv.is_deleted ? "ReplacingMergeTree(version, is_deleted) tables"
                                  : "ReplacingMergeTree(version) tables with a deleted flag");
    if (t->auto_create && t->database[0] != '\0' && strcmp(t->database, "default") != 0) {
        int retry = 0;
        t->sql.len = 0;
        chb_str(&t->sql, "CREATE DATABASE IF NOT EXISTS ");
        ch_sql_ident(&t->sql, t->database);
        if (t->cluster[0] != '\0') {
            chb_str(&t->sql, " ON CLUSTER ");
            ch_sql_ident(&t->sql, t->cluster);
        }
        if (run_ddl(t, "CREATE DATABASE", &retry) != 0) {
            set_error(t, t->err);
            return retry ? SLUICE_RETRY : SLUICE_ERR;
        }
    }
    t->connected = 1;
    return SLUICE_OK;
}

/* ---- table resolution ---- */

/* topic2TableMap entry for topic, or NULL. */
static const char *mapped_table(struct task *t, const char *topic, size_t *len)
{
    const char *s = t->topic2table;
    size_t tl = strlen(topic);
    while (s != NULL && *s != '\0') {
        while (*s == ' ' || *s == ',') {
            s++;
        }
        const char *end = strchr(s, ',');
        size_t n = end != NULL ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (eq != NULL && (size_t)(eq - s) == tl && memcmp(s, topic, tl) == 0) {
            *len = n - tl - 1;
            return eq + 1;
        }
        s = end;
    }
    return NULL;
}

static void table_name_for(struct task *t, const char *topic, const sl_cdc_change *ch, ch_buf *out)
{
    size_t len = 0;
    const char *m = mapped_table(t, topic, &len);
    out->len = 0;
    if (m != NULL) {
        chb_put(out, m, len);
        return;
    }
    for (const char *f = t->table_format; *f != '\0'; f++) {
        if (strncmp(f, "${topic}", 8) == 0) {
            chb_str(out, topic);
            f += 7;
        } else if (strncmp(f, "${table}", 8) == 0) {
            chb_put(out, ch->table != NULL ? ch->table : topic,
                    ch->table != NULL ? ch->table_len : strlen(topic));
            f += 7;
        } else if (strncmp(f, "${db}", 5) == 0) {
            chb_put(out, ch->db != NULL ? ch->db : "", ch->db != NULL ? ch->db_len : 0);
            f += 4;
        } else {
            chb_putc(out, *f);
        }
    }
}

/* The table for a record's topic; created (auto.create) when it does not exist and `create`. */
static sluice_rc resolve_table(struct task *t, const char *topic, const sl_cdc_change *ch,
                               int create, struct table **out)
{
    struct table *tb = NULL;
    if (t->last_table != NULL && strcmp(t->last_table->topic, topic) == 0) {
        tb = t->last_table;
    } else {
        for (tb = t->tables; tb != NULL; tb = tb->next) {
            if (strcmp(tb->topic, topic) == 0) {
                break;
            }
        }
    }
    if (tb == NULL) {
        ch_buf name = {0};
        table_name_for(t, topic, ch, &name);
        tb = sluice_host->calloc(1, sizeof(*tb));
        tb->name = name.p;
        tb->topic = sluice_host->strdup(topic);
        tb->ver = tb->del = tb->key_col = -1;
        tb->stale = 1;
        tb->next = t->tables;
        t->tables = tb;
    }
    t->last_table = tb;
    *out = tb;
    if (!tb->stale && t->refresh_ms > 0 && tb->nrows == 0 && tb->nsending == 0 &&
        now_ms() - tb->described_ms > t->refresh_ms) {
        tb->stale = 1;
    }
    if (!tb->stale) {
        return SLUICE_OK;
    }
    if (tb->nrows > 0 || tb->nsending > 0) {
        int rc = sync_flush(t);
        if (rc != FLUSH_OK) {
            return put_rc_from_flush(t, rc);
        }
    }
    int retry = 0;
    int d = describe(t, tb, &retry);
    if (d < 0) {
        set_error(t, t->err);
        return retry ? SLUICE_RETRY : SLUICE_ERR;
    }
    if (d == 1) {
        tb->exists = 0;
        if (!create) {
            return SLUICE_OK;
        }
        if (!t->auto_create) {
            sluice_host->set_error(t->ctx,
                                   "table %s does not exist in database %s (auto.create=false)",
                                   tb->name, t->database);
            return SLUICE_ERR;
        }
        if (create_table(t, tb, ch, &retry) != 0 || describe(t, tb, &retry) != 0) {
            set_error(t, t->err);
            return retry ? SLUICE_RETRY : SLUICE_ERR;
        }
    }
    return SLUICE_OK;
}

/* ALTER TABLE ADD COLUMN for a new source field, then re-read the table. */
static sluice_rc add_column(struct task *t, struct table *tb, const char *name,
                            const sluice_schema *fs, const sluice_value *v)
{
    int rc = flush_before_change(t, tb);
    if (rc != FLUSH_OK) {
        return put_rc_from_flush(t, rc);
    }
    ch_buf type = {0};
    if (fs != NULL) {
        ch_type_for_schema(&t->srv, fs, 1, &type);
    } else {
        ch_type_for_value(&t->srv, v, 1, &type);
    }
    t->sql.len = 0;
    ch_sql_add_column(&t->sql, t->database, tb->name, name, type.p, t->cluster);
    chb_free(&type);
    int retry = 0;
    if (run_ddl(t, "ALTER TABLE ADD COLUMN", &retry) != 0 && t->res.code != 15 &&
        t->res.code != 44) { /* 15/44: the column exists already (another task added it) */
        set_error(t, t->err);
        return retry ? SLUICE_RETRY : SLUICE_ERR;
    }
    if (describe(t, tb, &retry) != 0) {
        set_error(t, t->err);
        return retry ? SLUICE_RETRY : SLUICE_ERR;
    }
    return SLUICE_OK;
}

/* Field → column map for a row schema (cached by schema id), evolving the table if allowed. */
static sluice_rc map_for_schema(struct task *t, struct table *tb, const sl_cdc_change *ch,
                                struct fmap **out)
{
    const sluice_schema *rs = ch->row_schema;
    uint64_t id = sluice_host->schema_id(rs);
    if (tb->last_map != NULL && tb->last_map->schema_id == id) {
        *out = tb->last_map;
        return SLUICE_OK;
    }
    for (struct fmap *m = tb->maps; m != NULL; m = m->next) {
        if (m->schema_id == id) {
            tb->last_map = *out = m;
            return SLUICE_OK;
        }
    }
    size_t n = sluice_host->schema_field_count(rs);
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->schema_field_name(rs, i);
        if (is_meta_field(ch, name) || find_col(tb, name) >= 0) {
            continue;
        }
        if (t->auto_evolve) {
            sluice_rc rc = add_column(t, tb, name, sluice_host->schema_field_schema(rs, i), NULL);
            if (rc != SLUICE_OK) {
                return rc;
            }
        } else if (!tb->warned_extra) {
            tb->warned_extra = 1;
            SLUICE_WARN(t->ctx,
                        "table %s has no column %s: the field is not written (auto.evolve=false)",
                        tb->name, name);
        }
    }
    struct fmap *m = sluice_host->calloc(1, sizeof(*m));
    m->schema_id = id;
    m->n = n;
    m->col = sluice_host->calloc(n + 1, sizeof(*m->col));
    m->src = sluice_host->calloc(n + 1, sizeof(*m->src));
    int new_used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->schema_field_name(rs, i);
        const sluice_schema *fs = sluice_host->schema_field_schema(rs, i);
        int c = is_meta_field(ch, name) ? -1 : find_col(tb, name);
        m->col[i] = c;
        m->src[i].schema = fs;
        m->src[i].logical = sl_cdc_logical(fs);
        m->src[i].scale =
            m->src[i].logical == SL_CDC_L_DECIMAL ? sluice_host->schema_decimal_scale(fs) : 0;
        if (c >= 0 && !tb->cols[c].used) {
            tb->cols[c].used = 1;
            new_used |= tb->cols[c].def_kind == DEF_DEFAULT;
        }
    }
    if (new_used) {
        int rc = flush_before_change(t, tb);
        if (rc != FLUSH_OK) {
            sluice_host->free(m->col);
            sluice_host->free(m->src);
            sluice_host->free(m);
            return put_rc_from_flush(t, rc);
        }
        rebuild_insert(t, tb);
    }
    m->next = tb->maps;
    tb->maps = tb->last_map = m;
    *out = m;
    return SLUICE_OK;
}

/* Column of a schemaless field, remembering positions from the previous record. */
static sluice_rc schemaless_col(struct task *t, struct table *tb, const sl_cdc_change *ch, size_t i,
                                const char *name, const sluice_value *v, int *col)
{
    if (i < tb->sl_n && strcmp(tb->sl_names[i], name) == 0) {
        *col = tb->sl_cols[i];
        return SLUICE_OK;
    }
    int c = is_meta_field(ch, name) ? -1 : find_col(tb, name);
    if (c < 0 && !is_meta_field(ch, name)) {
        if (t->auto_evolve) {
            sluice_rc rc = add_column(t, tb, name, NULL, v);
            if (rc != SLUICE_OK) {
                return rc;
            }
            c = find_col(tb, name);
        } else if (!tb->warned_extra) {
            tb->warned_extra = 1;
            SLUICE_WARN(t->ctx,
                        "table %s has no column %s: the field is not written (auto.evolve=false)",
                        tb->name, name);
        }
    }
    if (c >= 0 && !tb->cols[c].used && tb->cols[c].def_kind == DEF_DEFAULT) {
        int rc = flush_before_change(t, tb);
        if (rc != FLUSH_OK) {
            return put_rc_from_flush(t, rc);
        }
        tb->cols[c].used = 1;
        rebuild_insert(t, tb);
    }
    if (i >= tb->sl_cap) {
        size_t cap = tb->sl_cap ? tb->sl_cap * 2 : 16;
        while (cap <= i) {
            cap *= 2;
        }
        tb->sl_names = sluice_host->realloc(tb->sl_names, cap * sizeof(*tb->sl_names));
        tb->sl_cols = sluice_host->realloc(tb->sl_cols, cap * sizeof(*tb->sl_cols));
        tb->sl_cap = cap;
    }
    while (tb->sl_n <= i) {
        tb->sl_names[tb->sl_n] = sluice_host->strdup("");
        tb->sl_cols[tb->sl_n++] = -1;
    }
    sluice_host->free(tb->sl_names[i]);
    tb->sl_names[i] = sluice_host->strdup(name);
    tb->sl_cols[i] = c;
    *col = c;
    return SLUICE_OK;
}

static const struct ch_src no_src = {0};

/* ---- TOAST: keep the stored value of columns the source did not send ---- */

/* SELECT the stored row of this key as RowBinary; *row points into t->res.body (or NULL). */
static sluice_rc fetch_stored(struct task *t, struct table *tb, const sl_cdc_change *ch,
                              const char **row, const char **end)
{
    *row = NULL;
    int rc = flush_before_change(t, tb);
    if (rc != FLUSH_OK) {
        return put_rc_from_flush(t, rc);
    }
    const sluice_value *key = ch->key;
    int kt = key != NULL ? sluice_host->val_type(key) : SLUICE_TYPE_NULL;
    if (kt != SLUICE_TYPE_STRUCT && kt != SLUICE_TYPE_MAP) {
        return SLUICE_OK;
    }
    t->sql.len = 0;
    chb_str(&t->sql, "SELECT ");
    for (size_t i = 0; i < tb->nins; i++) {
        if (i > 0) {
            chb_str(&t->sql, ", ");
        }
        ch_sql_ident(&t->sql, tb->cols[tb->ins[i]].name);
    }
    chb_str(&t->sql, " FROM ");
    if (t->database[0] != '\0') {
        ch_sql_ident(&t->sql, t->database);
        chb_putc(&t->sql, '.');
    }
    ch_sql_ident(&t->sql, tb->name);
    chb_str(&t->sql, " FINAL WHERE ");
    size_t kn = sluice_host->val_len(key);
    for (size_t i = 0; i < kn; i++) {
        const sluice_value *kv = sluice_host->val_at(key, i);
        int vt = sluice_host->val_type(kv);
        if (i > 0) {
            chb_str(&t->sql, " AND ");
        }
        ch_sql_ident(&t->sql, sluice_host->val_name_at(key, i));
        chb_str(&t->sql, " = ");
        if (vt >= SLUICE_TYPE_INT8 && vt <= SLUICE_TYPE_INT64) {
            chb_printf(&t->sql, "%lld", (long long)sluice_host->val_int(kv));
        } else if (vt == SLUICE_TYPE_STRING) {
            size_t n = 0;
            const char *s = sluice_host->val_string(kv, &n);
            ch_sql_string(&t->sql, s, n);
        } else {
            return SLUICE_OK; /* a key we cannot write as a literal: no lookup */
        }
    }
    chb_str(&t->sql, " ORDER BY ");
    ch_sql_ident(&t->sql, t->ver_col);
    chb_str(&t->sql, " DESC LIMIT 1 FORMAT RowBinary");
    if (ch_http_query(t->http, t->sql.p, &t->res) != 0) {
        snprintf(t->err, sizeof(t->err),
                 "looking up the stored row for an unchanged TOAST "
                 "column failed: %s",
                 t->res.err);
        int c = classify(&t->res);
        set_error(t, t->err);
        return c == FLUSH_RETRY ? SLUICE_RETRY : SLUICE_ERR;
    }
    if (t->res.body.len > 0) {
        *row = t->res.body.p;
        *end = t->res.body.p + t->res.body.len;
    }
    return SLUICE_OK;
}

/* ---- one change → one row ---- */

static sluice_rc errant(struct task *t, const sluice_record *r, const char *msg)
{
    sluice_rc rc = sluice_host->report_errant(t->ctx, r, msg);
    if (rc != SLUICE_OK) {
        sluice_host->set_error(t->ctx, "%s", msg);
    }
    return rc;
}

static sluice_rc fill_row(struct task *t, struct table *tb, const sl_cdc_change *ch)
{
    const sluice_value *row = ch->row;
    int rt = row != NULL ? sluice_host->val_type(row) : SLUICE_TYPE_NULL;
    if (rt != SLUICE_TYPE_STRUCT && rt != SLUICE_TYPE_MAP) {
        return SLUICE_OK;
    }
    if (ch->row_schema != NULL && rt == SLUICE_TYPE_STRUCT) {
        struct fmap *m = NULL;
        sluice_rc rc = map_for_schema(t, tb, ch, &m);
        if (rc != SLUICE_OK) {
            return rc;
        }
        size_t n = sluice_host->val_len(row);
        for (size_t i = 0; i < n && i < m->n; i++) {
            int c = m->col[i];
            if (c >= 0) {
                tb->val[c] = sluice_host->val_at(row, i);
                tb->src[c] = &m->src[i];
                tb->set[c] = 1;
            }
        }
        return SLUICE_OK;
    }
    size_t n = sluice_host->val_len(row);
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->val_name_at(row, i);
        const sluice_value *v = sluice_host->val_at(row, i);
        int c = -1;
        if (name == NULL) {
            continue;
        }
        sluice_rc rc = schemaless_col(t, tb, ch, i, name, v, &c);
        if (rc != SLUICE_OK) {
            return rc;
        }
        if (c >= 0) {
            tb->val[c] = v;
            tb->src[c] = &no_src;
            tb->set[c] = 1;
        }
    }
    return SLUICE_OK;
}

static void fill_key(struct task *t, struct table *tb, const sl_cdc_change *ch)
{
    const sluice_value *key = ch->key;
    int kt = key != NULL ? sluice_host->val_type(key) : SLUICE_TYPE_NULL;
    if (kt == SLUICE_TYPE_STRUCT || kt == SLUICE_TYPE_MAP) {
        size_t n = sluice_host->val_len(key);
        for (size_t i = 0; i < n; i++) {
            const char *name = sluice_host->val_name_at(key, i);
            int c = name != NULL ? find_col(tb, name) : -1;
            if (c >= 0 && !tb->set[c]) {
                tb->val[c] = sluice_host->val_at(key, i);
                tb->src[c] = &no_src;
                tb->set[c] = 1;
            }
        }
    } else if (kt != SLUICE_TYPE_NULL && tb->key_col >= 0 && !tb->set[tb->key_col]) {
        tb->val[tb->key_col] = key;
        tb->src[tb->key_col] = &no_src;
        tb->set[tb->key_col] = 1;
    }
}

static sluice_rc write_change(struct task *t, const sluice_record *r, const sl_cdc_change *ch)
{
    const char *topic = sluice_host->rec_topic(r);
    struct table *tb = NULL;
    int is_delete = ch->kind == SL_CDC_DELETE;
    sluice_rc rc = resolve_table(t, topic, ch, ch->kind == SL_CDC_UPSERT, &tb);
    if (rc != SLUICE_OK) {
        return rc;
    }
    if (!tb->exists) {
        return SLUICE_OK; /* a delete or truncate of a table never written: nothing to do */
    }
    if (ch->kind == SL_CDC_TRUNCATE) {
        if (!t->truncate_apply) {
            return SLUICE_OK;
        }
        int frc = flush_before_change(t, tb);
        if (frc != FLUSH_OK) {
            return put_rc_from_flush(t, frc);
        }
        int retry = 0;
        t->sql.len = 0;
        chb_str(&t->sql, "TRUNCATE TABLE ");
        if (t->database[0] != '\0') {
            ch_sql_ident(&t->sql, t->database);
            chb_putc(&t->sql, '.');
        }
        ch_sql_ident(&t->sql, tb->name);
        if (run_ddl(t, "TRUNCATE TABLE", &retry) != 0) {
            set_error(t, t->err);
            return retry ? SLUICE_RETRY : SLUICE_ERR;
        }
        return SLUICE_OK;
    }
    if (is_delete && tb->del < 0) {
        if (!tb->warned_delete) {
            tb->warned_delete = 1;
            SLUICE_WARN(t->ctx, "table %s has no %s column: deletes are not written", tb->name,
                        t->del_col);
        }
        return SLUICE_OK;
    }
    memset(tb->set, 0, tb->ncols);
    rc = fill_row(t, tb, ch);
    if (rc != SLUICE_OK) {
        return rc;
    }
    fill_key(t, tb, ch);
    int toast = 0;
    if (!is_delete) {
        for (size_t i = 0; i < tb->nins; i++) {
            int c = tb->ins[i];
            tb->toast[c] = tb->set[c] && sl_cdc_is_unavailable(&t->cdc, tb->val[c]);
            toast |= tb->toast[c];
        }
    }
    const char *stored = NULL, *stored_end = NULL;
    if (toast) {
        rc = fetch_stored(t, tb, ch, &stored, &stored_end);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }
    size_t start = tb->rows.len;
    struct ch_enc enc = {
        .out = &tb->rows, .scratch = t->scratch, .err = t->err, .errlen = sizeof(t->err)};
    char msg[ERRLEN + 256];
    for (size_t i = 0; i < tb->nins; i++) {
        int c = tb->ins[i];
        const struct col *col = &tb->cols[c];
        size_t skip = stored != NULL ? ch_rowbinary_skip(&col->type, stored, stored_end) : 0;
        int e = 0;
        if (c == tb->ver) {
            e = ch_encode_int(&enc, &col->type, (int64_t)(ch->version & INT64_MAX));
        } else if (c == tb->del) {
            e = ch_encode_int(&enc, &col->type, is_delete);
        } else if (tb->set[c] && tb->toast[c]) {
            if (skip > 0) {
                chb_put(&tb->rows, stored, skip);
            } else {
                ch_encode_default(&tb->rows, &col->type);
            }
        } else if (tb->set[c]) {
            e = ch_encode(&enc, &col->type, tb->val[c], tb->src[c]);
        } else {
            ch_encode_default(&tb->rows, &col->type);
        }
        if (stored != NULL) {
            stored = skip > 0 ? stored + skip : NULL;
        }
        if (e != 0) {
            tb->rows.len = start;
            snprintf(msg, sizeof(msg), "table %s, column %s (%s): %s", tb->name, col->name,
                     col->type_text, t->err);
            return errant(t, r, msg);
        }
    }
    tb->nrows++;
    t->total_rows++;
    t->total_bytes += (int64_t)(tb->rows.len - start);
    return SLUICE_OK;
}

/* ---- the sink ---- */

/* After a REWIND inside put(): the unprocessed rest of the batch must come again as well. */
static sluice_rc rewind_from(struct task *t, sluice_record *const *records, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++) {
        const sluice_record *r = records[i];
        int64_t off = sluice_host->rec_offset(r);
        struct part *p = find_part(t, sluice_host->rec_topic(r), sluice_host->rec_partition(r), 1);
        if (p->fill_first < 0 || off < p->fill_first) {
            p->fill_first = off;
        }
    }
    seek_pending(t);
    return SLUICE_OK;
}

/* Isolating refused rows: insert each chunk as soon as it is full, synchronously, so that a
 * refused one-row insert is the record in hand. */
static sluice_rc isolated_flush(struct task *t, const sluice_record *r)
{
    if (t->total_rows < t->iso_chunk && t->total_rows < t->max_rows &&
        t->total_bytes < t->max_bytes) {
        return SLUICE_OK;
    }
    /* A job from before (retried after a transient failure) is settled first, so that a refusal
     * below is about this chunk alone. */
    int rc = reap_job(t, 1);
    if (rc == FLUSH_RETRY) {
        post_job(t);
        rc = reap_job(t, 1);
    }
    if (rc != FLUSH_OK) {
        return put_rc_from_flush(t, rc);
    }
    int64_t rows = t->total_rows;
    start_job(t);
    rc = reap_job(t, 1);
    if (rc == FLUSH_DATA && rows == 1 && t->iso_chunk == 1) {
        /* this record's row alone was refused: everything before it is written */
        for (struct table *tb = t->tables; tb != NULL; tb = tb->next) {
            tb->sending.len = 0;
            tb->nsending = 0;
        }
        t->job_state = JOB_IDLE;
        t->job_retries = 0;
        for (size_t i = 0; i < t->nparts; i++) {
            t->parts[i].send_first = -1;
            t->parts[i].fill_first = -1;
        }
        char msg[ERRLEN + 320]; /* t->err and the record's coordinates */
        snprintf(msg, sizeof(msg),
                 "ClickHouse refused the row of the record at %s-%d offset %lld: %s",
                 sluice_host->rec_topic(r), (int)sluice_host->rec_partition(r),
                 (long long)sluice_host->rec_offset(r), t->err);
        sluice_rc erc = errant(t, r, msg);
        if (erc != SLUICE_OK) {
            return erc;
        }
        isolation_check(t);
        return SLUICE_OK;
    }
    if (rc != FLUSH_OK) {
        return put_rc_from_flush(t, rc);
    }
    for (size_t i = 0; i < t->nparts; i++) {
        t->parts[i].fill_first = -1; /* all written */
    }
    t->iso_chunk *= 2;
    isolation_check(t);
    return SLUICE_OK;
}

static sluice_rc put_records(struct task *t, sluice_record *const *records, size_t n)
{
    sluice_rc rc = ensure_server(t);
    if (rc != SLUICE_OK) {
        return rc;
    }
    int prc = pump(t);
    if (prc == FLUSH_SCHEMA || prc == FLUSH_DATA || prc == FLUSH_FATAL) {
        rc = put_rc_from_flush(t, prc);
        return rc == REWIND ? rewind_from(t, records, 0, n) : rc;
    }
    int64_t now = now_ms();
    for (size_t i = 0; i < n; i++) {
        const sluice_record *r = records[i];
        const char *topic = sluice_host->rec_topic(r);
        int64_t off = sluice_host->rec_offset(r);
        struct part *p = find_part(t, topic, sluice_host->rec_partition(r), 1);
        if (off < p->seen_next) {
            continue; /* appended before a retried put() */
        }
        if (p->fill_first < 0) {
            p->fill_first = off;
        }
        sl_cdc_change ch;
        char derr[ERRLEN];
        if (sl_cdc_decode(r, &t->cdc, &ch, derr, sizeof(derr)) != SLUICE_OK) {
            rc = errant(t, r, derr);
        } else if (ch.kind == SL_CDC_SKIP) {
            rc = SLUICE_OK;
        } else {
            rc = write_change(t, r, &ch);
        }
        if (rc == REWIND) {
            return rewind_from(t, records, i, n);
        }
        if (rc != SLUICE_OK) {
            return rc;
        }
        p->seen_next = off + 1;
        if (t->first_pending_ms == 0 && t->total_rows > 0) {
            t->first_pending_ms = now;
        }
        if (t->iso_chunk > 0) {
            rc = isolated_flush(t, r);
            if (rc == REWIND) {
                return rewind_from(t, records, i + 1, n);
            }
            if (rc != SLUICE_OK) {
                return rc;
            }
        } else if (t->total_rows >= t->max_rows || t->total_bytes >= t->max_bytes) {
            rc = put_rc_from_flush(t, make_room(t));
            if (rc == REWIND) {
                return rewind_from(t, records, i + 1, n);
            }
            if (rc != SLUICE_OK) {
                return rc;
            }
        }
    }
    if (t->total_rows > 0 && t->job_state == JOB_IDLE &&
        now_ms() - t->first_pending_ms >= t->linger_ms) {
        if (t->iso_chunk == 0) {
            start_job(t);
        } else {
            rc = put_rc_from_flush(t, sync_flush(t)); /* a short last chunk */
            if (rc == REWIND) {
                return rewind_from(t, records, n, n);
            }
            if (rc != SLUICE_OK) {
                return rc;
            }
            isolation_check(t);
        }
    }
    if (t->total_rows == 0) {
        /* nothing filling: only the job in flight (if any) holds the commit back */
        for (size_t i = 0; i < t->nparts; i++) {
            t->parts[i].fill_first = -1;
        }
    }
    return SLUICE_OK;
}

/* put(); a retriable failure backs off 250 ms doubling to 5 s, so an outage ends quickly. */
static sluice_rc ch_put(void *task, sluice_record *const *records, size_t n)
{
    struct task *t = task;
    sluice_rc rc = put_records(t, records, n);
    if (rc == SLUICE_RETRY) {
        int shift = t->retries < 5 ? t->retries : 5;
        sluice_host->task_backoff(t->ctx, (int64_t)250 << shift);
        t->retries++;
    } else if (rc == SLUICE_OK) {
        t->retries = 0;
    }
    return rc;
}

static sluice_rc ch_pre_commit(void *task, sluice_offsets *offsets)
{
    struct task *t = task;
    int rc = sync_flush(t);
    if (rc == FLUSH_SCHEMA) {
        if (discard_for_rewind(t) != REWIND) {
            return SLUICE_ERR;
        }
        seek_pending(t);
    } else if (rc == FLUSH_DATA) {
        if (isolate(t) != REWIND) {
            return SLUICE_ERR;
        }
        seek_pending(t);
    } else if (rc == FLUSH_FATAL) {
        set_error(t, t->err);
        return SLUICE_ERR;
    } else if (rc == FLUSH_RETRY) {
        SLUICE_WARN(t->ctx, "%s; committing only acknowledged offsets", t->err);
    }
    size_t n = sluice_host->offsets_count(offsets);
    for (size_t i = 0; i < n; i++) {
        sluice_topic_partition tp = sluice_host->offsets_tp(offsets, i);
        struct part *p = find_part(t, tp.topic, tp.partition, 0);
        int64_t ceiling = p == NULL ? -1 : p->send_first >= 0 ? p->send_first : p->fill_first;
        if (ceiling >= 0) {
            sluice_host->offsets_set(offsets, i, ceiling);
        }
    }
    return SLUICE_OK;
}

static sluice_rc ch_open(void *task, const sluice_topic_partition *tps, size_t n)
{
    struct task *t = task;
    for (size_t i = 0; i < n; i++) {
        struct part *p = find_part(t, tps[i].topic, tps[i].partition, 1);
        p->seen_next = -1; /* delivery restarts from the committed offset: take it all */
    }
    return SLUICE_OK;
}

static sluice_rc ch_close(void *task, const sluice_topic_partition *tps, size_t n)
{
    struct task *t = task;
    if (sync_flush(t) != FLUSH_OK) {
        SLUICE_WARN(t->ctx,
                    "%s; the rows stay buffered and the revoked partitions are "
                    "re-delivered from their committed offsets",
                    t->err);
    }
    return SLUICE_OK;
}

static void ch_destroy(void *task)
{
    struct task *t = task;
    if (t == NULL) {
        return;
    }
    if (t->io_started) {
        if (t->job_state == JOB_RUNNING) {
            (void)reap_job(t, 1); /* bounded by the insert timeout */
        }
        pthread_mutex_lock(&t->mu);
        t->io_stop = 1;
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
        pthread_join(t->io, NULL);
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
    }
    ch_http_free(t->ihttp);
    while (t->tables != NULL) {
        struct table *next = t->tables->next;
        free_table(t->tables);
        t->tables = next;
    }
    for (size_t i = 0; i < t->nparts; i++) {
        sluice_host->free(t->parts[i].topic);
    }
    sluice_host->free(t->parts);
    for (size_t i = 0; i < t->ins_cap; i++) {
        ch_result_free(&t->ins[i].res);
    }
    sluice_host->free(t->ins);
    sluice_host->free(t->ins_tables);
    ch_result_free(&t->res);
    chb_free(&t->sql);
    sluice_host->buf_free(t->scratch);
    ch_http_free(t->http);
    sluice_host->free(t);
}

/* ---- configuration ---- */

static const char *const cdc_modes[] = {"auto", "debezium", "append", NULL};
static const char *const truncate_modes[] = {"apply", "ignore", NULL};
static const char *const compressions[] = {"none", "gzip", NULL};
static const char *const formats[] = {"RowBinary", NULL};
static const char *const proxy_types[] = {"IGNORE", "HTTP", "SOCKS", "DIRECT", NULL};

#define G_CONN   "Connection"
#define G_TABLE  "Tables"
#define G_CDC    "Change data capture"
#define G_BATCH  "Batching"
#define G_COMPAT "Accepted for compatibility"

/* Keys of the official connector that sluice accepts but does not act on: a warning each. */
static const struct {
    const char *key;
    const char *why;
} unhonoured[] = {
    {"exactlyOnce", "sluice is idempotent by construction (ReplacingMergeTree versions from the "
                    "source position, offsets committed after the insert); no KeeperMap state"},
    {"zkPath", "no KeeperMap state is used"},
    {"zkDatabase", "no KeeperMap state is used"},
    {"keeperOnCluster", "no KeeperMap state is used"},
    {"tolerateStateMismatch", "no KeeperMap state is used"},
    {"enableDbTopicSplit", "use topic2TableMap or table.name.format"},
    {"dbTopicSplitChar", "use topic2TableMap or table.name.format"},
    {"suppressTableExistenceException", "missing tables are created (auto.create) or fail"},
    {"bypassRowBinary", "inserts are always RowBinary"},
    {"bypassSchemaValidation", "values are checked while they are encoded"},
    {"bypassFieldCleanup", "fields without a column are never sent"},
    {"customInsertFormat", "inserts are always RowBinary"},
    {"insertFormat", "inserts are always RowBinary"},
    {"dateTimeFormats", "date/time strings must be ISO-8601"},
    {"jdbcConnectionProperties", "use clickhouseSettings"},
    {"retryCount", "retriable failures are retried until they succeed (with backoff)"},
    {"auto.evolve.struct.to.json", "structs are always written as JSON text in String columns"},
    {"ssl_socket_sni", "the TLS server name is the hostname"},
    {"client_version", "sluice has its own client"},
    {"reportInsertedOffsets", "pre_commit always reports only inserted offsets"},
    {NULL, NULL},
};

#define CFG(n, ty, fl, def, imp, grp, doc)                                                         \
    {                                                                                              \
        .name = (n), .type = (ty), .flags = (fl), .default_value = (def), .importance = (imp),     \
        .documentation = (doc), .group = (grp), .width = SLUICE_WIDTH_MEDIUM, .display_name = (n)  \
    }
#define CFGR(n, ty, def, lo, hi, imp, grp, doc)                                                    \
    {                                                                                              \
        .name = (n), .type = (ty), .flags = SLUICE_CFG_F_HAS_RANGE, .default_value = (def),        \
        .importance = (imp), .documentation = (doc), .group = (grp), .width = SLUICE_WIDTH_SHORT,  \
        .display_name = (n), .min = (lo), .max = (hi)                                              \
    }
#define CFGV(n, def, imp, grp, vals, doc)                                                          \
    {                                                                                              \
        .name = (n), .type = SLUICE_CFG_STRING, .flags = 0, .default_value = (def),                \
        .importance = (imp), .documentation = (doc), .group = (grp), .width = SLUICE_WIDTH_SHORT,  \
        .display_name = (n), .valid_values = (vals)                                                \
    }
#define COMPAT(n, ty, def, doc)                                                                    \
    CFG(n, ty, 0, def, SLUICE_IMPORTANCE_LOW, G_COMPAT,                                            \
        "Official connector key, accepted and not acted on (a validation warning when set): " doc)

static const struct sluice_config_def ch_config_defs[] = {
    CFG("hostname", SLUICE_CFG_STRING, SLUICE_CFG_F_REQUIRED, NULL, SLUICE_IMPORTANCE_HIGH, G_CONN,
        "ClickHouse host name or address."),
    CFG("port", SLUICE_CFG_INT, 0, "8443", SLUICE_IMPORTANCE_HIGH, G_CONN,
        "ClickHouse HTTP(S) port (8123 for plain HTTP)."),
    CFG("database", SLUICE_CFG_STRING, 0, "default", SLUICE_IMPORTANCE_HIGH, G_CONN,
        "Target database (created when auto.create is on)."),
    CFG("username", SLUICE_CFG_STRING, 0, "default", SLUICE_IMPORTANCE_HIGH, G_CONN,
        "ClickHouse user."),
    CFG("password", SLUICE_CFG_PASSWORD, SLUICE_CFG_F_SENSITIVE, "", SLUICE_IMPORTANCE_HIGH, G_CONN,
        "ClickHouse password."),
    CFG("ssl", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_HIGH, G_CONN,
        "Use HTTPS. The official connector's ConfigDef says true but it behaves as false when "
        "the key is absent; sluice documents that behaviour: set it explicitly."),
    CFG("timeoutSeconds", SLUICE_CFG_INT, 0, "30", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Timeout of metadata queries and DDL, in seconds."),
    CFG("clickhouseClientInsertTimeoutMs", SLUICE_CFG_LONG, 0, "240000", SLUICE_IMPORTANCE_LOW,
        G_CONN, "Upper bound on one insert, in ms; a timeout is retried."),
    CFG("clickhouseSettings", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN,
        "k=v,k2=v2 server settings sent with every request (none are added by default, so "
        "servers that do not know a setting keep working)."),
    {.name = "proxyType",
     .type = SLUICE_CFG_STRING,
     .default_value = "IGNORE",
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = G_CONN,
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "proxyType",
     .valid_values = proxy_types,
     .documentation = "HTTP or SOCKS: send requests through proxyHost:proxyPort."},
    CFG("proxyHost", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN, "Proxy host."),
    CFG("proxyPort", SLUICE_CFG_INT, 0, "-1", SLUICE_IMPORTANCE_LOW, G_CONN, "Proxy port."),
    CFG("topic2TableMap", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "topic1=table1,topic2=table2; other topics use table.name.format."),
    CFG("tableRefreshInterval", SLUICE_CFG_LONG, 0, "0", SLUICE_IMPORTANCE_LOW, G_TABLE,
        "Seconds between DESCRIBE TABLE refreshes (0: only on schema errors)."),
    CFG("auto.evolve", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "ALTER TABLE ADD COLUMN for source fields the table does not have. When false such "
        "fields are not written (as the official connector drops them)."),
    CFG("auto.evolve.ddl.refresh.retries", SLUICE_CFG_INT, 0, "3", SLUICE_IMPORTANCE_LOW, G_TABLE,
        "Times the table metadata is re-read after a schema error before the task fails."),
    CFG("clusterName", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_TABLE,
        "Adds ON CLUSTER to CREATE/ALTER statements."),
    CFG("auto.create", SLUICE_CFG_BOOLEAN, 0, "true", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "Create missing tables (and the database) from the record key and value schemas: "
        "ReplacingMergeTree ordered by the key."),
    CFG("table.name.format", SLUICE_CFG_STRING, 0, "${topic}", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "Table name for topics not in topic2TableMap: ${topic}, ${table} (the source table of a "
        "Debezium event) and ${db} are replaced."),
    CFG("version.column", SLUICE_CFG_STRING, 0, "_version", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "UInt64 version column: the change's position in the source log."),
    CFG("deleted.column", SLUICE_CFG_STRING, 0, "_is_deleted", SLUICE_IMPORTANCE_MEDIUM, G_TABLE,
        "UInt8 deleted flag column (1: the row was deleted)."),
    CFGV("cdc.mode", "auto", SLUICE_IMPORTANCE_MEDIUM, G_CDC, cdc_modes,
         "auto: Debezium envelopes and unwrapped rows as they come; debezium: anything else is "
         "an error; append: every value is a row to insert as is."),
    CFGV("cdc.truncate", "apply", SLUICE_IMPORTANCE_LOW, G_CDC, truncate_modes,
         "Debezium truncate events: apply (TRUNCATE TABLE) or ignore."),
    CFG("unavailable.value.placeholder", SLUICE_CFG_STRING, 0, "__debezium_unavailable_value",
        SLUICE_IMPORTANCE_LOW, G_CDC,
        "Debezium's placeholder for unchanged TOAST columns; such columns keep the stored value."),
    CFG("debeziumCDCEnabled", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_CDC,
        "Official connector key. Envelopes are always understood (cdc.mode=auto); true selects "
        "cdc.mode=debezium unless cdc.mode is set."),
    CFGR("batch.max.rows", SLUICE_CFG_LONG, "100000", 1, 1e9, SLUICE_IMPORTANCE_MEDIUM, G_BATCH,
         "Rows buffered (all tables) before an insert."),
    CFGR("batch.max.bytes", SLUICE_CFG_LONG, "8388608", 1024, 1073741824, SLUICE_IMPORTANCE_MEDIUM,
         G_BATCH,
         "RowBinary bytes buffered before an insert (twice this while an insert is in flight)."),
    CFGR("batch.linger.ms", SLUICE_CFG_LONG, "1000", 0, 3600000, SLUICE_IMPORTANCE_MEDIUM, G_BATCH,
         "Longest time a row waits for its insert."),
    CFG("bufferCount", SLUICE_CFG_INT, 0, "0", SLUICE_IMPORTANCE_LOW, G_BATCH,
        "Official connector key: when > 0 it replaces batch.max.rows."),
    CFG("bufferFlushTime", SLUICE_CFG_LONG, 0, "0", SLUICE_IMPORTANCE_LOW, G_BATCH,
        "Official connector key (ms): when > 0 it replaces batch.linger.ms."),
    CFG("ignorePartitionsWhenBatching", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW,
        G_BATCH, "Official connector key; sluice always makes one insert per table per batch."),
    CFGV("insert.format", "RowBinary", SLUICE_IMPORTANCE_LOW, G_BATCH, formats,
         "Insert format (RowBinary)."),
    CFGV("compression", "none", SLUICE_IMPORTANCE_LOW, G_BATCH, compressions,
         "Compress insert bodies (gzip: Content-Encoding, every ClickHouse version since 1.1)."),
    CFGR("parallel.inserts", SLUICE_CFG_INT, "4", 1, 64, SLUICE_IMPORTANCE_LOW, G_BATCH,
         "Tables of one batch inserted at the same time (keep-alive connections)."),
    COMPAT("exactlyOnce", SLUICE_CFG_BOOLEAN, "false", "sluice needs no KeeperMap state."),
    COMPAT("zkPath", SLUICE_CFG_STRING, "/kafka-connect", "no KeeperMap state."),
    COMPAT("zkDatabase", SLUICE_CFG_STRING, "connect_state", "no KeeperMap state."),
    COMPAT("keeperOnCluster", SLUICE_CFG_STRING, "", "no KeeperMap state."),
    COMPAT("tolerateStateMismatch", SLUICE_CFG_BOOLEAN, "false", "no KeeperMap state."),
    COMPAT("enableDbTopicSplit", SLUICE_CFG_BOOLEAN, "false", "use table.name.format."),
    COMPAT("dbTopicSplitChar", SLUICE_CFG_STRING, "", "use table.name.format."),
    COMPAT("suppressTableExistenceException", SLUICE_CFG_BOOLEAN, "false", "see auto.create."),
    COMPAT("bypassRowBinary", SLUICE_CFG_BOOLEAN, "false", "inserts are RowBinary."),
    COMPAT("bypassSchemaValidation", SLUICE_CFG_BOOLEAN, "false", "values are checked."),
    COMPAT("bypassFieldCleanup", SLUICE_CFG_BOOLEAN, "false", "unknown fields are not sent."),
    COMPAT("customInsertFormat", SLUICE_CFG_BOOLEAN, "false", "inserts are RowBinary."),
    COMPAT("insertFormat", SLUICE_CFG_STRING, "none", "inserts are RowBinary."),
    COMPAT("dateTimeFormats", SLUICE_CFG_STRING, "", "strings must be ISO-8601."),
    COMPAT("jdbcConnectionProperties", SLUICE_CFG_STRING, "", "use clickhouseSettings."),
    COMPAT("retryCount", SLUICE_CFG_INT, "3", "retriable failures retry with backoff."),
    COMPAT("auto.evolve.struct.to.json", SLUICE_CFG_BOOLEAN, "false", "structs become JSON text."),
    COMPAT("ssl_socket_sni", SLUICE_CFG_STRING, "", "SNI is the hostname."),
    COMPAT("client_version", SLUICE_CFG_STRING, "V1", "sluice has its own client."),
    COMPAT("reportInsertedOffsets", SLUICE_CFG_BOOLEAN, "false", "always on in sluice."),
    {.name = NULL},
};

static sluice_rc ch_validate(const sluice_config *cfg, sluice_validation *v)
{
    if (SLUICE_HOST_HAS(sluice_host, validation_warning)) {
        for (size_t i = 0; unhonoured[i].key != NULL; i++) {
            if (sluice_host->cfg_is_set(cfg, unhonoured[i].key)) {
                sluice_host->validation_warning(v, unhonoured[i].key,
                                                "accepted but not honoured by sluice: %s",
                                                unhonoured[i].why);
            }
        }
    }
    int64_t port = sluice_host->cfg_long(cfg, "port");
    if (port <= 0 || port > 65535) {
        sluice_host->validation_error(v, "port", "port must be 1..65535");
    }
    const char *pt = sluice_host->cfg_string(cfg, "proxyType");
    if (pt != NULL && (strcmp(pt, "HTTP") == 0 || strcmp(pt, "SOCKS") == 0)) {
        const char *ph = sluice_host->cfg_string(cfg, "proxyHost");
        if (ph == NULL || ph[0] == '\0' || sluice_host->cfg_long(cfg, "proxyPort") <= 0) {
            sluice_host->validation_error(v, "proxyHost",
                                          "proxyType %s needs proxyHost and "
                                          "proxyPort",
                                          pt);
        }
    }
    return SLUICE_OK;
}

static sluice_rc ch_create(sluice_ctx *ctx, const sluice_config *cfg, void **out)
{
    struct task *t = sluice_host->calloc(1, sizeof(*t));
    t->ctx = ctx;
    t->cfg = cfg;
    const struct sluice_host_api *h = sluice_host;
    t->database = h->cfg_string(cfg, "database");
    t->ver_col = h->cfg_string(cfg, "version.column");
    t->del_col = h->cfg_string(cfg, "deleted.column");
    t->cluster = h->cfg_string(cfg, "clusterName");
    t->table_format = h->cfg_string(cfg, "table.name.format");
    t->topic2table = h->cfg_string(cfg, "topic2TableMap");
    t->auto_create = h->cfg_bool(cfg, "auto.create");
    t->auto_evolve = h->cfg_bool(cfg, "auto.evolve");
    t->truncate_apply = strcmp(h->cfg_string(cfg, "cdc.truncate"), "apply") == 0;
    t->max_rows = h->cfg_long(cfg, "batch.max.rows");
    t->max_bytes = h->cfg_long(cfg, "batch.max.bytes");
    t->linger_ms = h->cfg_long(cfg, "batch.linger.ms");
    if (h->cfg_long(cfg, "bufferCount") > 0) {
        t->max_rows = h->cfg_long(cfg, "bufferCount");
    }
    if (h->cfg_long(cfg, "bufferFlushTime") > 0) {
        t->linger_ms = h->cfg_long(cfg, "bufferFlushTime");
    }
    t->refresh_ms = h->cfg_long(cfg, "tableRefreshInterval") * 1000;
    t->max_rewinds = (int)h->cfg_long(cfg, "auto.evolve.ddl.refresh.retries");
    const char *mode = h->cfg_string(cfg, "cdc.mode");
    t->cdc.mode = strcmp(mode, "append") == 0     ? SL_CDC_MODE_APPEND
                  : strcmp(mode, "debezium") == 0 ? SL_CDC_MODE_DEBEZIUM
                                                  : SL_CDC_MODE_AUTO;
    if (!h->cfg_is_set(cfg, "cdc.mode") && h->cfg_bool(cfg, "debeziumCDCEnabled")) {
        t->cdc.mode = SL_CDC_MODE_DEBEZIUM;
    }
    t->cdc.placeholder = h->cfg_string(cfg, "unavailable.value.placeholder");
    t->ver_col = t->ver_col != NULL ? t->ver_col : "_version";
    t->del_col = t->del_col != NULL ? t->del_col : "_is_deleted";
    t->cluster = t->cluster != NULL ? t->cluster : "";
    t->database = t->database != NULL ? t->database : "";
    t->topic2table = t->topic2table != NULL ? t->topic2table : "";
    t->table_format = t->table_format != NULL ? t->table_format : "${topic}";

    char url[512], proxy[512] = "";
    snprintf(url, sizeof(url), "%s://%s:%lld", h->cfg_bool(cfg, "ssl") ? "https" : "http",
             h->cfg_string(cfg, "hostname"), (long long)h->cfg_long(cfg, "port"));
    const char *pt = h->cfg_string(cfg, "proxyType");
    if (pt != NULL && (strcmp(pt, "HTTP") == 0 || strcmp(pt, "SOCKS") == 0)) {
        snprintf(proxy, sizeof(proxy), "%s://%s:%lld", strcmp(pt, "HTTP") == 0 ? "http" : "socks5h",
                 h->cfg_string(cfg, "proxyHost"), (long long)h->cfg_long(cfg, "proxyPort"));
    }
    struct ch_http_opts o = {
        .base_url = url,
        .database = t->database,
        .user = h->cfg_string(cfg, "username"),
        .password = h->cfg_string(cfg, "password"),
        .connect_timeout_ms = 5000,
        .query_timeout_ms = h->cfg_long(cfg, "timeoutSeconds") * 1000,
        .insert_timeout_ms = h->cfg_long(cfg, "clickhouseClientInsertTimeoutMs"),
        .settings = h->cfg_string(cfg, "clickhouseSettings"),
        .proxy = proxy[0] != '\0' ? proxy : NULL,
        .gzip = strcmp(h->cfg_string(cfg, "compression"), "gzip") == 0,
        .parallel = (int)h->cfg_long(cfg, "parallel.inserts"),
    };
    t->ihttp = ch_http_new(&o);
    o.parallel = 1; /* metadata and DDL: one handle */
    t->http = ch_http_new(&o);
    t->scratch = h->buf_new();
    if (t->http == NULL || t->ihttp == NULL) {
        h->set_error(ctx, "cannot set up libcurl");
        ch_destroy(t);
        return SLUICE_ERR_NOMEM;
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->io, NULL, io_main, t) != 0) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        h->set_error(ctx, "cannot start the insert thread");
        ch_destroy(t);
        return SLUICE_ERR;
    }
    t->io_started = 1;
    SLUICE_INFO(ctx,
                "ClickHouse sink to %s, database %s (batches of %" PRId64 " rows / %" PRId64
                " bytes / %" PRId64 " ms)",
                url, t->database, t->max_rows, t->max_bytes, t->linger_ms);
    *out = t;
    return SLUICE_OK;
}

static const struct sluice_sink_ops ch_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .validate = ch_validate,
    .create = ch_create,
    .open = ch_open,
    .put = ch_put,
    .pre_commit = ch_pre_commit,
    .close = ch_close,
    .destroy = ch_destroy,
};

static const char *const ch_aliases[] = {"ClickHouseSink", "clickhouse-sink", "clickhouse", NULL};

static const struct sluice_component ch_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
    .aliases = ch_aliases,
    .version = SLUICE_VERSION,
    .description = "Debezium changes and rows into ClickHouse ReplacingMergeTree tables "
                   "(HTTP, RowBinary, idempotent by source position)",
    .config_defs = ch_config_defs,
    .ops = &ch_ops,
};

static const struct sluice_component *const ch_components[] = {&ch_component, NULL};

static const struct sluice_plugin_descriptor ch_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,    .name = "clickhouse-sink",
    .version = SLUICE_VERSION,   .build_info = "sluice " SLUICE_VERSION,
    .components = ch_components,
};

SLUICE_PLUGIN_DEFINE(ch_descriptor)
