/*
 * bigquery_sink.c — bigquery_sink.so, the sluice replacement for the WePay/Confluent/Aiven
 * BigQuerySinkConnector: its config keys, tabledata.insertAll appends (insertId =
 * topic-partition-offset, size/row limits with halving, per-row partial failures, tables in
 * parallel), and, with upsertEnabled/deleteEnabled, Debezium changes streamed into a per-task
 * intermediate table and applied by a periodic MERGE that picks the latest change per key by
 * *source position*; offsets are committed only once the MERGE covering them succeeded.
 * See docs/bigquery-sink.md. Only the host table is used; no per-record allocation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "../common/cdc.h"
#include "bq.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

#define H sluice_host

#define DEFAULT_API_URL   "https://bigquery.googleapis.com/bigquery/v2"
#define DEFAULT_TOKEN_URL "https://oauth2.googleapis.com/token"

struct bq_row {
    uint32_t off, len; /* in the table's rows buffer */
    uint32_t rec;      /* index in put()'s records */
};

struct bq_table {
    char *topic;
    char *name;     /* destination table id */
    char *tmp_name; /* intermediate table id (upsert/delete) */
    bool verified, tmp_verified;
    uint64_t rs_id, ks_id;   /* schema ids of the shape verified last (0: none) */
    sluice_buf *dest_fields; /* the fields JSON last verified against the destination */
    sluice_buf *tmp_fields;
    char **cols; /* value columns (MERGE) */
    size_t ncols;
    char **key_cols;
    size_t nkey;
    sluice_buf *rows; /* this put's rendered rows */
    struct bq_row *rowv;
    size_t nrows, caprows;
    int64_t unmerged;
    uint64_t *khash; /* hashes of the keys with a change not merged yet (open addressing) */
    size_t kcap, kcount;
};

/* put_change(): merge what is pending first, then hand the same record in again */
#define BQ_FLUSH_FIRST 100

struct bq_pstate {
    char *topic;
    int32_t partition;
    uint64_t last_pos;
    bool has_src;
    int64_t first_unmerged; /* lowest offset written to an intermediate table, not merged; -1 */
};

struct bq_chunk {
    struct bq_table *t;
    uint32_t *rows; /* indices into t->rowv */
    size_t n;
    int attempts;
    int auth_attempts;
};

struct bq_task {
    sluice_ctx *ctx;
    const sluice_config *cfg;
    const char *project, *dataset, *api_url;
    bq_type_opts topts;
    sl_cdc_opts copts;
    bool cdc; /* upsert or delete */
    bool upsert, del;
    bool auto_create, allow_new, allow_relax;
    const char *key_field, *data_field, *pos_field, *suffix;
    const char *part_type, *part_field;
    int64_t part_expiration;
    int retries;
    int64_t retry_wait;
    int64_t merge_interval, merge_threshold;
    int max_rows;
    int64_t max_bytes;
    bool sanitize_topics;
    char **map_topics, **map_tables;
    size_t nmap;
    char conn_id[128];
    bq_auth *auth;
    bq_http *http;
    bq_req **reqs; /* max_parallel reusable requests */
    sluice_buf **bodies;
    int parallel;
    struct bq_table **tables;
    size_t ntables;
    struct bq_table *last_table;
    struct bq_pstate *ps;
    size_t nps, capps;
    size_t last_ps;
    int64_t batch;    /* batchNumber of rows being written now */
    int64_t seq;      /* i: arrival order */
    int64_t unmerged; /* rows in intermediate tables, all tables */
    int64_t last_merge_ms;
    sluice_buf *scratch, *toast, *url, *sql;
    sluice_record *const *records; /* the current put's records */
    bool truncate_warned;
};

/* ------------------------------------------------------------------ small helpers */

static char *xstrndup(const char *s, size_t n)
{
    char *p = H->alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void sleep_ms(struct bq_task *t, int64_t ms)
{
    while (ms > 0 && !H->task_should_stop(t->ctx)) {
        int64_t step = ms > 100 ? 100 : ms;
        struct timespec ts = {.tv_sec = step / 1000, .tv_nsec = (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static int64_t backoff_ms(struct bq_task *t, int attempt)
{
    int64_t w = t->retry_wait * (attempt < 6 ? (1 << (attempt - 1)) : 32);
    return w + rand() % 1000; /* jitter, as the Java connector: up to 1 s */
}

static const char *table_url(struct bq_task *t, const char *table, const char *suffix)
{
    H->buf_reset(t->url);
    H->buf_printf(t->url, "%s/projects/%s/datasets/%s/tables%s%s%s", t->api_url, t->project,
                  t->dataset, table != NULL ? "/" : "", table != NULL ? table : "",
                  suffix != NULL ? suffix : "");
    return H->buf_data(t->url);
}

/* A random (version 4) UUID into out[36] (no NUL). */
static void new_uuid(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1) {
        for (size_t i = 0; i < sizeof(b); i++) {
            b[i] = (unsigned char)rand();
        }
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[k++] = '-';
        }
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
}

static int call_rid(struct bq_task *t, const char *method, const char *url, const char *body,
                    size_t len, bool is_query, char *rid);

static int call(struct bq_task *t, const char *method, const char *url, const char *body,
                size_t len, bool is_query)
{
    return call_rid(t, method, url, body, len, is_query, NULL);
}

/*
 * One request with retries: 401 refreshes the token and resends (twice at most), retriable
 * errors are retried bigQueryRetry times with backoff and jitter. rid, when not NULL, points at
 * the 36 characters of the body's requestId: every attempt gets a new one (BigQuery answers a
 * repeated requestId with the first attempt's result, failure included; the MERGE and the
 * cleanup are idempotent, so a lost answer followed by a new attempt is harmless). Returns the
 * final class; the response stays in t->reqs[0].
 */
static int call_rid(struct bq_task *t, const char *method, const char *url, const char *body,
                    size_t len, bool is_query, char *rid)
{
    bq_req *r = t->reqs[0];
    int attempt = 0, auth = 0;
    char *u = H->strdup(url); /* url may live in t->url, which callers reuse */
    for (;;) {
        if (rid != NULL) {
            new_uuid(rid);
        }
        bq_req_set(r, method, u, body, len);
        bq_http_run(t->http, &r, 1);
        int c = bq_classify(bq_req_resp(r), is_query);
        if (c == BQ_AUTH && auth < 2) {
            auth++;
            bq_auth_invalidate(t->auth);
            continue;
        }
        if (c == BQ_RETRIABLE && attempt < t->retries && !H->task_should_stop(t->ctx)) {
            attempt++;
            SLUICE_WARN(t->ctx, "BigQuery %s %s: %s (%s); retry %d of %d", method, u,
                        bq_req_resp(r)->message, bq_req_resp(r)->reason, attempt, t->retries);
            sleep_ms(t, backoff_ms(t, attempt));
            continue;
        }
        H->free(u);
        return c == BQ_AUTH ? BQ_FATAL : c;
    }
}

static sluice_rc fail_or_retry(struct bq_task *t, int c, const char *what, const char *table)
{
    bq_resp *resp = bq_req_resp(t->reqs[0]);
    if (c == BQ_RETRIABLE) {
        SLUICE_WARN(t->ctx, "BigQuery %s of table `%s.%s.%s` failed, will retry: %s%s%s", what,
                    t->project, t->dataset, table, resp->message, resp->reason[0] ? " reason " : "",
                    resp->reason);
        H->task_backoff(t->ctx, t->retry_wait);
        return SLUICE_RETRY;
    }
    if (resp->status < 0) {
        H->set_error(t->ctx, "BigQuery %s of table `%s.%s.%s` failed: authentication: %s", what,
                     t->project, t->dataset, table, resp->message);
    } else {
        H->set_error(t->ctx, "BigQuery %s of table `%s.%s.%s` failed: HTTP %ld%s%s: %s", what,
                     t->project, t->dataset, table, resp->status, resp->reason[0] ? " " : "",
                     resp->reason, resp->message);
    }
    return SLUICE_ERR;
}

/* ------------------------------------------------------------------ tables and schemas */

static void add_name(char ***v, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*v)[i], name) == 0) {
            return;
        }
    }
    *v = H->realloc(*v, (*n + 1) * sizeof(char *));
    (*v)[(*n)++] = H->strdup(name);
}

/*
 * Merge `want` (fields array) into `have` (an existing table's fields, modified in place).
 * Returns 1 when something changed, 0 when not, -1 with err when a change is not allowed.
 */
static int merge_fields(json_t *have, json_t *want, bool allow_new, bool allow_relax,
                        const char *path, char *err, size_t errlen)
{
    int changed = 0;
    size_t i;
    json_t *w;
    json_array_foreach(want, i, w)
    {
        const char *name = json_string_value(json_object_get(w, "name"));
        json_t *h = NULL, *x;
        size_t j;
        json_array_foreach(have, j, x)
        {
            const char *hn = json_string_value(json_object_get(x, "name"));
            if (hn != NULL && name != NULL && strcasecmp(hn, name) == 0) {
                h = x;
                break;
            }
        }
        if (h == NULL) {
            if (!allow_new) {
                snprintf(err, errlen, "it has no column %s%s and allowNewBigQueryFields is false",
                         path, name);
                return -1;
            }
            json_t *copy = json_deep_copy(w);
            if (strcmp(json_string_value(json_object_get(copy, "mode")), "REQUIRED") == 0) {
                json_object_set_new(copy, "mode", json_string("NULLABLE"));
            }
            json_array_append_new(have, copy);
            changed = 1;
            continue;
        }
        const char *hm = json_string_value(json_object_get(h, "mode"));
        const char *wm = json_string_value(json_object_get(w, "mode"));
        if (hm != NULL && strcmp(hm, "REQUIRED") == 0 && wm != NULL &&
            strcmp(wm, "NULLABLE") == 0) {
            if (allow_relax) {
                json_object_set_new(h, "mode", json_string("NULLABLE"));
                changed = 1;
            }
        }
        json_t *wf = json_object_get(w, "fields"), *hf = json_object_get(h, "fields");
        if (wf != NULL && hf != NULL) {
            char sub[512];
            snprintf(sub, sizeof(sub), "%s%s.", path, name);
            int c = merge_fields(hf, wf, allow_new, allow_relax, sub, err, errlen);
            if (c < 0) {
                return -1;
            }
            changed |= c;
        }
    }
    return changed;
}

/* The destination (or intermediate) table's fields JSON array for one record shape. */
static void dest_fields(struct bq_task *t, sluice_buf *out, const sluice_schema *rs,
                        const sluice_value *row, const sluice_schema *ks, const sluice_value *key)
{
    H->buf_reset(out);
    H->buf_append(out, "[", 1);
    bq_fields_json(out, rs, row, &t->topts, false);
    bool empty = H->buf_len(out) == 1;
    if (t->key_field != NULL && (ks != NULL || key != NULL)) {
        if (!empty) {
            H->buf_append(out, ",", 1);
        }
        bq_field_json(out, t->key_field, ks, key, &t->topts, true);
        empty = false;
    }
    if (t->cdc) {
        H->buf_printf(out, "%s{\"name\":", empty ? "" : ",");
        bq_json_string(out, t->pos_field, strlen(t->pos_field));
        H->buf_append(out, ",\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"}", 36);
    } else if (t->data_field != NULL) {
        H->buf_printf(out, "%s{\"name\":", empty ? "" : ",");
        bq_json_string(out, t->data_field, strlen(t->data_field));
        H->buf_printf(out, ",\"type\":\"RECORD\",\"mode\":\"NULLABLE\",\"fields\":["
                           "{\"name\":\"topic\",\"type\":\"STRING\",\"mode\":\"NULLABLE\"},"
                           "{\"name\":\"partition\",\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"},"
                           "{\"name\":\"offset\",\"type\":\"INTEGER\",\"mode\":\"NULLABLE\"},"
                           "{\"name\":\"insertTime\",\"type\":\"TIMESTAMP\",\"mode\":"
                           "\"NULLABLE\"}]}");
    }
    H->buf_append(out, "]", 1);
}

static void tmp_fields(struct bq_task *t, sluice_buf *out, const sluice_schema *rs,
                       const sluice_value *row, const sluice_schema *ks, const sluice_value *key)
{
    H->buf_reset(out);
    H->buf_append(out, "[{\"name\":\"key\",\"type\":\"RECORD\",\"mode\":\"REQUIRED\",\"fields\":[",
                  strlen("[{\"name\":\"key\",\"type\":\"RECORD\",\"mode\":\"REQUIRED\","
                         "\"fields\":["));
    bq_fields_json(out, ks, key, &t->topts, false);
    H->buf_append(out, "]}", 2);
    if (rs != NULL || row != NULL) {
        H->buf_append(out,
                      ",{\"name\":\"value\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\","
                      "\"fields\":[",
                      strlen(",{\"name\":\"value\",\"type\":\"RECORD\",\"mode\":\"NULLABLE\","
                             "\"fields\":["));
        bq_fields_json(out, rs, row, &t->topts, true);
        H->buf_append(out, "]}", 2);
    }
    const char *rest = ",{\"name\":\"position\",\"type\":\"INTEGER\",\"mode\":\"REQUIRED\"},"
                       "{\"name\":\"i\",\"type\":\"INTEGER\",\"mode\":\"REQUIRED\"},"
                       "{\"name\":\"toast\",\"type\":\"STRING\",\"mode\":\"REPEATED\"},"
                       "{\"name\":\"batchNumber\",\"type\":\"INTEGER\",\"mode\":\"REQUIRED\"}]";
    H->buf_append(out, rest, strlen(rest));
}

static void table_extras(struct bq_task *t, struct bq_table *tb, sluice_buf *body, json_t *fields,
                         bool is_tmp)
{
    if (is_tmp) {
        return;
    }
    if (strcmp(t->part_type, "NONE") != 0) {
        H->buf_printf(body, ",\"timePartitioning\":{\"type\":\"%s\"", t->part_type);
        if (t->part_field != NULL) {
            H->buf_append(body, ",\"field\":", 9);
            bq_json_string(body, t->part_field, strlen(t->part_field));
        }
        if (t->part_expiration > 0) {
            H->buf_printf(body, ",\"expirationMs\":\"%lld\"", (long long)t->part_expiration);
        }
        H->buf_append(body, "}", 1);
    }
    size_t nclu = H->cfg_list_len(t->cfg, "clusteringPartitionFieldNames");
    if (nclu > 0) {
        H->buf_append(body, ",\"clustering\":{\"fields\":[", 25);
        for (size_t i = 0; i < nclu; i++) {
            const char *c = H->cfg_list_at(t->cfg, "clusteringPartitionFieldNames", i);
            if (i > 0) {
                H->buf_append(body, ",", 1);
            }
            bq_json_string(body, c, strlen(c));
        }
        H->buf_append(body, "]}", 2);
    }
    /* primary key NOT ENFORCED on the key columns that are also top-level row columns */
    if (t->cdc && tb->nkey > 0 && tb->nkey <= 16) {
        size_t found = 0;
        for (size_t k = 0; k < tb->nkey; k++) {
            size_t i;
            json_t *f;
            json_array_foreach(fields, i, f)
            {
                const char *n = json_string_value(json_object_get(f, "name"));
                const char *ty = json_string_value(json_object_get(f, "type"));
                if (n != NULL && strcmp(n, tb->key_cols[k]) == 0 && ty != NULL &&
                    strcmp(ty, "RECORD") != 0) {
                    found++;
                    break;
                }
            }
        }
        if (found == tb->nkey) {
            H->buf_append(body, ",\"tableConstraints\":{\"primaryKey\":{\"columns\":[", 46);
            for (size_t k = 0; k < tb->nkey; k++) {
                if (k > 0) {
                    H->buf_append(body, ",", 1);
                }
                bq_json_string(body, tb->key_cols[k], strlen(tb->key_cols[k]));
            }
            H->buf_append(body, "]}}", 3);
        }
    }
}

/* Make table `name` exist with (at least) `fields`: get, create, or patch. */
static sluice_rc ensure_table(struct bq_task *t, struct bq_table *tb, const char *name,
                              sluice_buf *fields, bool is_tmp)
{
    char err[512] = "";
    json_t *want = json_loads(H->buf_data(fields), 0, NULL);
    if (want == NULL) {
        H->set_error(t->ctx, "internal error: bad schema JSON for table %s", name);
        return SLUICE_ERR;
    }
    sluice_rc rc = SLUICE_OK;
    for (int round = 0; round < 3; round++) {
        int c = call(t, "GET", table_url(t, name, NULL), NULL, 0, false);
        bq_resp *resp = bq_req_resp(t->reqs[0]);
        if (c == BQ_OK) {
            json_t *tab = json_loadb(H->buf_data(resp->body), H->buf_len(resp->body), 0, NULL);
            json_t *have = json_object_get(json_object_get(tab, "schema"), "fields");
            if (have == NULL) {
                json_decref(tab);
                tab = json_pack("{s:{s:[]}}", "schema", "fields");
                have = json_object_get(json_object_get(tab, "schema"), "fields");
            }
            int ch = merge_fields(have, want, is_tmp || t->allow_new, is_tmp || t->allow_relax, "",
                                  err, sizeof(err));
            if (ch < 0) {
                H->set_error(t->ctx, "BigQuery table `%s.%s.%s` does not fit the records: %s",
                             t->project, t->dataset, name, err);
                rc = SLUICE_ERR;
            } else if (ch > 0) {
                json_t *patch = json_pack("{s:{s:O}}", "schema", "fields", have);
                char *pb = json_dumps(patch, JSON_COMPACT);
                SLUICE_INFO(t->ctx, "adding columns to BigQuery table `%s.%s.%s`", t->project,
                            t->dataset, name);
                c = call(t, "PATCH", table_url(t, name, NULL), pb, strlen(pb), false);
                free(pb);
                json_decref(patch);
                if (c != BQ_OK) {
                    rc = fail_or_retry(t, c, "schema update (tables.patch)", name);
                }
            }
            json_decref(tab);
            break;
        }
        if (resp->status == 404) {
            if (!t->auto_create && !is_tmp) {
                H->set_error(t->ctx,
                             "BigQuery table `%s.%s.%s` does not exist and autoCreateTables is "
                             "false",
                             t->project, t->dataset, name);
                rc = SLUICE_ERR;
                break;
            }
            sluice_buf *body = t->scratch;
            H->buf_reset(body);
            H->buf_printf(body,
                          "{\"tableReference\":{\"projectId\":\"%s\",\"datasetId\":\"%s\","
                          "\"tableId\":\"%s\"},\"schema\":{\"fields\":%s}",
                          t->project, t->dataset, name, H->buf_data(fields));
            table_extras(t, tb, body, want, is_tmp);
            H->buf_append(body, "}", 1);
            SLUICE_INFO(t->ctx, "creating BigQuery table `%s.%s.%s`", t->project, t->dataset, name);
            char *b = H->strdup(H->buf_data(body));
            c = call(t, "POST", table_url(t, NULL, NULL), b, strlen(b), false);
            H->free(b);
            if (c == BQ_OK) {
                break;
            }
            if (bq_req_resp(t->reqs[0])->status == 409) {
                continue; /* another task created it: get it again */
            }
            rc = fail_or_retry(t, c, "creation (tables.insert)", name);
            break;
        }
        rc = fail_or_retry(t, c, "lookup (tables.get)", name);
        break;
    }
    json_decref(want);
    return rc;
}

/* Remember the value and key columns of a record shape (for the MERGE). */
static void learn_columns(struct bq_task *t, struct bq_table *tb, const sluice_schema *rs,
                          const sluice_value *row, const sluice_schema *ks, const sluice_value *key)
{
    char tmp[300];
    if (rs != NULL && H->schema_type(rs) == SLUICE_TYPE_STRUCT) {
        for (size_t i = 0; i < H->schema_field_count(rs); i++) {
            add_name(&tb->cols, &tb->ncols,
                     bq_field_name(H->schema_field_name(rs, i), &t->topts, tmp, sizeof(tmp)));
        }
    } else if (row != NULL) {
        for (size_t i = 0; i < H->val_len(row); i++) {
            const char *n = H->val_name_at(row, i);
            if (n != NULL) {
                add_name(&tb->cols, &tb->ncols, bq_field_name(n, &t->topts, tmp, sizeof(tmp)));
            }
        }
    }
    if (ks != NULL && H->schema_type(ks) == SLUICE_TYPE_STRUCT) {
        for (size_t i = 0; i < H->schema_field_count(ks); i++) {
            add_name(&tb->key_cols, &tb->nkey,
                     bq_field_name(H->schema_field_name(ks, i), &t->topts, tmp, sizeof(tmp)));
        }
    } else if (key != NULL) {
        for (size_t i = 0; i < H->val_len(key); i++) {
            const char *n = H->val_name_at(key, i);
            if (n != NULL) {
                add_name(&tb->key_cols, &tb->nkey, bq_field_name(n, &t->topts, tmp, sizeof(tmp)));
            }
        }
    }
}

/*
 * Make sure the destination (and intermediate) tables fit this record shape. Cheap when the
 * shape's schema JSON is the one verified last time (one render into scratch, no REST call).
 */
static sluice_rc check_shape(struct bq_task *t, struct bq_table *tb, const sluice_schema *rs,
                             const sluice_value *row, const sluice_schema *ks,
                             const sluice_value *key)
{
    uint64_t rid = rs != NULL ? H->schema_id(rs) : 0, kid = ks != NULL ? H->schema_id(ks) : 0;
    if (rs != NULL && tb->verified && (!t->cdc || tb->tmp_verified) && rid == tb->rs_id &&
        kid == tb->ks_id) {
        return SLUICE_OK; /* the common case: the same schemas as the last record */
    }
    if (tb->verified && (!t->cdc || tb->tmp_verified) && rs == NULL && row == NULL) {
        return SLUICE_OK; /* a delete: nothing new to learn */
    }
    if (tb->verified && rs == NULL && ks == NULL && (!t->cdc || tb->tmp_verified)) {
        return SLUICE_OK; /* schemaless: verified once from the first record */
    }
    learn_columns(t, tb, rs, row, ks, key);
    if (t->cdc && (rs != NULL || row != NULL)) {
        dest_fields(t, t->toast, rs, row, ks, key);
    } else if (!t->cdc) {
        dest_fields(t, t->toast, rs, row, ks, key);
    }
    if ((rs != NULL || row != NULL) &&
        (!tb->verified || strcmp(H->buf_data(t->toast), H->buf_data(tb->dest_fields)) != 0)) {
        sluice_rc rc = ensure_table(t, tb, tb->name, t->toast, false);
        if (rc != SLUICE_OK) {
            return rc;
        }
        H->buf_reset(tb->dest_fields);
        H->buf_append(tb->dest_fields, H->buf_data(t->toast), H->buf_len(t->toast));
        tb->verified = true;
    }
    if (t->cdc) {
        tmp_fields(t, t->toast, rs, row, ks, key);
        if (!tb->tmp_verified ||
            (rs != NULL && strcmp(H->buf_data(t->toast), H->buf_data(tb->tmp_fields)) != 0)) {
            sluice_rc rc = ensure_table(t, tb, tb->tmp_name, t->toast, true);
            if (rc != SLUICE_OK) {
                return rc;
            }
            H->buf_reset(tb->tmp_fields);
            H->buf_append(tb->tmp_fields, H->buf_data(t->toast), H->buf_len(t->toast));
            tb->tmp_verified = true;
        }
    }
    if (rs != NULL) {
        tb->rs_id = rid;
        tb->ks_id = kid;
    }
    return SLUICE_OK;
}

static struct bq_table *table_for(struct bq_task *t, const char *topic)
{
    if (t->last_table != NULL && strcmp(t->last_table->topic, topic) == 0) {
        return t->last_table;
    }
    for (size_t i = 0; i < t->ntables; i++) {
        if (strcmp(t->tables[i]->topic, topic) == 0) {
            return t->last_table = t->tables[i];
        }
    }
    struct bq_table *tb = H->calloc(1, sizeof(*tb));
    tb->topic = H->strdup(topic);
    char name[1024];
    const char *mapped = NULL;
    for (size_t i = 0; i < t->nmap; i++) {
        if (strcmp(t->map_topics[i], topic) == 0) {
            mapped = t->map_tables[i];
        }
    }
    if (mapped != NULL) {
        snprintf(name, sizeof(name), "%s", mapped);
    } else if (t->sanitize_topics) {
        bq_sanitize(topic, strlen(topic), name, sizeof(name));
    } else {
        snprintf(name, sizeof(name), "%s", topic);
    }
    tb->name = H->strdup(name);
    char tmp[1200];
    snprintf(tmp, sizeof(tmp), "%s_%s_%s", name, t->suffix, t->conn_id);
    char clean[1200];
    bq_sanitize(tmp, strlen(tmp), clean, sizeof(clean));
    tb->tmp_name = H->strdup(clean);
    tb->rows = H->buf_new();
    tb->dest_fields = H->buf_new();
    tb->tmp_fields = H->buf_new();
    t->tables = H->realloc(t->tables, (t->ntables + 1) * sizeof(*t->tables));
    t->tables[t->ntables++] = tb;
    return t->last_table = tb;
}

static struct bq_pstate *pstate_for(struct bq_task *t, const char *topic, int32_t partition)
{
    if (t->nps > 0 && t->ps[t->last_ps].partition == partition &&
        strcmp(t->ps[t->last_ps].topic, topic) == 0) {
        return &t->ps[t->last_ps];
    }
    for (size_t i = 0; i < t->nps; i++) {
        if (t->ps[i].partition == partition && strcmp(t->ps[i].topic, topic) == 0) {
            t->last_ps = i;
            return &t->ps[i];
        }
    }
    if (t->nps == t->capps) {
        t->capps = t->capps ? t->capps * 2 : 8;
        t->ps = H->realloc(t->ps, t->capps * sizeof(*t->ps));
    }
    struct bq_pstate *p = &t->ps[t->nps];
    memset(p, 0, sizeof(*p));
    p->topic = H->strdup(topic);
    p->partition = partition;
    p->first_unmerged = -1;
    t->last_ps = t->nps++;
    return p;
}

/* ------------------------------------------------------------------ rendering one record */

static void begin_row(struct bq_task *t, struct bq_table *tb, const sluice_record *r)
{
    (void)t;
    if (tb->nrows == tb->caprows) {
        tb->caprows = tb->caprows ? tb->caprows * 2 : 256;
        tb->rowv = H->realloc(tb->rowv, tb->caprows * sizeof(*tb->rowv));
    }
    tb->rowv[tb->nrows].off = (uint32_t)H->buf_len(tb->rows);
    H->buf_append(tb->rows, "{\"insertId\":\"", 13);
    const char *topic = H->rec_topic(r);
    H->buf_append(tb->rows, topic, strlen(topic));
    H->buf_append(tb->rows, "-", 1);
    bq_put_int(tb->rows, H->rec_partition(r));
    H->buf_append(tb->rows, "-", 1);
    bq_put_int(tb->rows, H->rec_offset(r));
    H->buf_append(tb->rows, "\",\"json\":{", 10);
}

static void end_row(struct bq_table *tb, size_t rec)
{
    H->buf_append(tb->rows, "}}", 2);
    struct bq_row *row = &tb->rowv[tb->nrows++];
    row->len = (uint32_t)(H->buf_len(tb->rows) - row->off);
    row->rec = (uint32_t)rec;
}

static sluice_rc errant(struct bq_task *t, const sluice_record *r, const char *msg)
{
    sluice_rc rc = H->report_errant(t->ctx, r, msg);
    if (rc != SLUICE_OK) {
        H->set_error(t->ctx, "record %s-%d@%lld cannot be written to BigQuery: %s", H->rec_topic(r),
                     H->rec_partition(r), (long long)H->rec_offset(r), msg);
    }
    return rc;
}

/* Render into scratch first, so a bad value never leaves half a row in the table's buffer. */
static sluice_rc put_append(struct bq_task *t, const sluice_record *r, size_t idx)
{
    const sluice_value *v = H->rec_value(r);
    const sluice_schema *vs = H->rec_value_schema(r);
    const sluice_value *k = H->rec_key(r);
    const sluice_schema *ks = H->rec_key_schema(r);
    char err[256] = "";
    if (v == NULL) {
        return SLUICE_OK; /* tombstones mean nothing to an append-only table */
    }
    int vt = H->val_type(v);
    if (vt != SLUICE_TYPE_STRUCT && vt != SLUICE_TYPE_MAP) {
        return errant(t, r, "the value is not a struct or map, so it cannot be a row");
    }
    struct bq_table *tb = table_for(t, H->rec_topic(r));
    /* the key column only when the key is a struct or map (a RECORD) */
    bool rec_key = t->key_field != NULL && k != NULL &&
                   (H->val_type(k) == SLUICE_TYPE_STRUCT || H->val_type(k) == SLUICE_TYPE_MAP);
    sluice_rc rc = check_shape(t, tb, vs, vs == NULL ? v : NULL, rec_key ? ks : NULL,
                               rec_key && ks == NULL ? k : NULL);
    if (rc != SLUICE_OK) {
        return rc;
    }
    sluice_buf *s = t->scratch;
    H->buf_reset(s);
    if (bq_render_fields(s, v, vs, &t->topts, NULL, err, sizeof(err)) != 0) {
        return errant(t, r, err);
    }
    if (t->key_field != NULL && k != NULL) {
        int kt = H->val_type(k);
        if (kt == SLUICE_TYPE_STRUCT || kt == SLUICE_TYPE_MAP) {
            H->buf_append(s, H->buf_len(s) > 0 ? "," : "", H->buf_len(s) > 0 ? 1 : 0);
            bq_json_string(s, t->key_field, strlen(t->key_field));
            H->buf_append(s, ":", 1);
            if (bq_render_value(s, k, ks, &t->topts, err, sizeof(err)) != 0) {
                return errant(t, r, err);
            }
        }
    }
    if (t->data_field != NULL) {
        char ts[64];
        int64_t now = H->now_ms();
        sl_cdc_timestamp_text(now, 3, ts, sizeof(ts));
        H->buf_append(s, H->buf_len(s) > 0 ? "," : "", H->buf_len(s) > 0 ? 1 : 0);
        bq_json_string(s, t->data_field, strlen(t->data_field));
        H->buf_append(s, ":{\"topic\":", 10);
        const char *topic = H->rec_topic(r);
        bq_json_string(s, topic, strlen(topic));
        H->buf_printf(s, ",\"partition\":%d,\"offset\":\"%lld\",\"insertTime\":\"%s\"}",
                      (int)H->rec_partition(r), (long long)H->rec_offset(r), ts);
    }
    begin_row(t, tb, r);
    H->buf_append(tb->rows, H->buf_data(s), H->buf_len(s));
    end_row(tb, idx);
    return SLUICE_OK;
}

static uint64_t key_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    }
    return h == 0 ? 1 : h;
}

/* True when the table has a change of this key waiting for the MERGE (false positives only
 * cost an early MERGE). */
static bool key_pending(const struct bq_table *tb, uint64_t h)
{
    if (tb->kcap == 0) {
        return false;
    }
    for (size_t i = h & (tb->kcap - 1);; i = (i + 1) & (tb->kcap - 1)) {
        if (tb->khash[i] == 0) {
            return false;
        }
        if (tb->khash[i] == h) {
            return true;
        }
    }
}

static void key_add(struct bq_table *tb, uint64_t h)
{
    if ((tb->kcount + 1) * 2 > tb->kcap) {
        size_t ncap = tb->kcap ? tb->kcap * 2 : 1024;
        uint64_t *old = tb->khash;
        size_t ocap = tb->kcap;
        tb->khash = H->calloc(ncap, sizeof(uint64_t));
        tb->kcap = ncap;
        tb->kcount = 0;
        for (size_t i = 0; i < ocap; i++) {
            if (old[i] != 0) {
                key_add(tb, old[i]);
            }
        }
        H->free(old);
    }
    for (size_t i = h & (tb->kcap - 1);; i = (i + 1) & (tb->kcap - 1)) {
        if (tb->khash[i] == h) {
            return;
        }
        if (tb->khash[i] == 0) {
            tb->khash[i] = h;
            tb->kcount++;
            return;
        }
    }
}

static bool rows_pending(const struct bq_task *t)
{
    if (t->unmerged > 0) {
        return true;
    }
    for (size_t i = 0; i < t->ntables; i++) {
        if (t->tables[i]->nrows > 0) {
            return true;
        }
    }
    return false;
}

static sluice_rc run_query(struct bq_task *t, const char *sql, const char *table);

/*
 * A truncate (deleteEnabled): once every earlier change is merged, delete the rows whose applied
 * position is older than the truncate's. Changes of other partitions older than the truncate
 * that arrive later are applied afterwards (as with deletes).
 */
static sluice_rc apply_truncate(struct bq_task *t, struct bq_table *tb, uint64_t pos)
{
    int c = call(t, "GET", table_url(t, tb->name, NULL), NULL, 0, false);
    if (c != BQ_OK && bq_req_resp(t->reqs[0])->status == 404) {
        return SLUICE_OK; /* nothing to empty */
    }
    if (c != BQ_OK) {
        return fail_or_retry(t, c, "lookup (tables.get)", tb->name);
    }
    H->buf_reset(t->sql);
    H->buf_printf(t->sql, "DELETE FROM `%s.%s.%s` WHERE ", t->project, t->dataset, tb->name);
    bq_ident(t->sql, t->pos_field);
    H->buf_printf(t->sql, " < %llu OR ", (unsigned long long)pos);
    bq_ident(t->sql, t->pos_field);
    H->buf_append(t->sql, " IS NULL", 8);
    char *sql = H->strdup(H->buf_data(t->sql));
    SLUICE_INFO(t->ctx, "truncate of `%s.%s.%s` at position %llu", t->project, t->dataset, tb->name,
                (unsigned long long)pos);
    sluice_rc rc = run_query(t, sql, tb->name);
    H->free(sql);
    return rc;
}

static sluice_rc put_change(struct bq_task *t, const sluice_record *r, size_t idx)
{
    sl_cdc_change ch;
    char err[256] = "";
    if (sl_cdc_decode(r, &t->copts, &ch, err, sizeof(err)) != SLUICE_OK) {
        return errant(t, r, err);
    }
    if (ch.kind == SL_CDC_SKIP) {
        return SLUICE_OK;
    }
    if (ch.kind == SL_CDC_TRUNCATE) {
        if (!t->del) {
            if (!t->truncate_warned) {
                SLUICE_WARN(t->ctx,
                            "truncate events are skipped (topic %s): deleteEnabled is false",
                            H->rec_topic(r));
                t->truncate_warned = true;
            }
            return SLUICE_OK;
        }
        if (rows_pending(t)) {
            return BQ_FLUSH_FIRST;
        }
        struct bq_pstate *tps = pstate_for(t, H->rec_topic(r), H->rec_partition(r));
        uint64_t tpos = ch.version;
        if (ch.pos_kind == SL_CDC_POS_OFFSET && tps->has_src) {
            tpos = tps->last_pos;
        }
        return apply_truncate(t, table_for(t, H->rec_topic(r)), tpos);
    }
    if (ch.kind == SL_CDC_DELETE && !t->del) {
        return SLUICE_OK;
    }
    int kt = H->val_type(ch.key);
    if (ch.key == NULL || (kt != SLUICE_TYPE_STRUCT && kt != SLUICE_TYPE_MAP)) {
        return errant(t, r,
                      "upsert/delete needs a struct key (the primary key) and this record's key "
                      "is not one");
    }
    struct bq_pstate *ps = pstate_for(t, H->rec_topic(r), H->rec_partition(r));
    uint64_t pos = ch.version;
    if (ch.pos_kind != SL_CDC_POS_OFFSET) {
        ps->has_src = true;
        ps->last_pos = pos;
    } else if (ps->has_src) {
        /* a tombstone or a change without source info inside a stream that has them: it happened
         * where the previous change of its partition happened (Debezium emits it right after) */
        pos = ps->last_pos;
    }
    struct bq_table *tb = table_for(t, H->rec_topic(r));
    /* a delete's before image (when known) still tells the table's shape */
    const sluice_value *img = ch.row;
    const sluice_schema *rs = ch.row_schema;
    if (img != NULL && H->val_type(img) != SLUICE_TYPE_STRUCT &&
        H->val_type(img) != SLUICE_TYPE_MAP) {
        if (ch.kind == SL_CDC_UPSERT) {
            return errant(t, r, "the row image is not a struct or map");
        }
        img = NULL;
        rs = NULL;
    }
    const sluice_value *row = ch.kind == SL_CDC_UPSERT ? img : NULL;
    sluice_rc rc = check_shape(t, tb, rs, rs == NULL ? img : NULL, ch.key_schema,
                               ch.key_schema == NULL ? ch.key : NULL);
    if (rc != SLUICE_OK) {
        return rc;
    }
    sluice_buf *s = t->scratch;
    H->buf_reset(s);
    H->buf_reset(t->toast);
    H->buf_append(s, "\"key\":", 6);
    if (bq_render_value(s, ch.key, ch.key_schema, &t->topts, err, sizeof(err)) != 0) {
        return errant(t, r, err);
    }
    uint64_t kh = key_hash(H->buf_data(s) + 6, H->buf_len(s) - 6);
    if (row != NULL) {
        H->buf_append(s, ",\"value\":{", 10);
        if (bq_render_fields(s, row, rs, &t->topts, t->toast, err, sizeof(err)) != 0) {
            return errant(t, r, err);
        }
        H->buf_append(s, "}", 1);
    }
    if (H->buf_len(t->toast) > 0 && key_pending(tb, kh)) {
        /* an unchanged TOASTed column keeps the *stored* value, so the earlier change of this
         * key must be in the destination first: MERGE now, then write this one */
        return BQ_FLUSH_FIRST;
    }
    key_add(tb, kh);
    /* hot path: no printf */
    H->buf_append(s, ",\"position\":\"", 13);
    bq_put_uint(s, pos);
    H->buf_append(s, "\",\"i\":\"", 7);
    bq_put_int(s, t->seq++);
    H->buf_append(s, "\",\"toast\":[", 11);
    H->buf_append(s, H->buf_data(t->toast), H->buf_len(t->toast));
    H->buf_append(s, "],\"batchNumber\":\"", 17);
    bq_put_int(s, t->batch);
    H->buf_append(s, "\"", 1);
    begin_row(t, tb, r);
    H->buf_append(tb->rows, H->buf_data(s), H->buf_len(s));
    end_row(tb, idx);
    int64_t off = H->rec_offset(r);
    if (ps->first_unmerged < 0 || off < ps->first_unmerged) {
        ps->first_unmerged = off;
    }
    return SLUICE_OK;
}

/* ------------------------------------------------------------------ insertAll */

static struct bq_chunk *chunk_new(struct bq_table *tb, size_t n)
{
    struct bq_chunk *c = H->calloc(1, sizeof(*c));
    c->t = tb;
    c->rows = H->alloc((n ? n : 1) * sizeof(uint32_t));
    c->n = 0;
    return c;
}

static void chunk_free(struct bq_chunk *c)
{
    if (c != NULL) {
        H->free(c->rows);
        H->free(c);
    }
}

struct chunkq {
    struct bq_chunk **v;
    size_t n, cap;
};

static void q_push(struct chunkq *q, struct bq_chunk *c)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->v = H->realloc(q->v, q->cap * sizeof(*q->v));
    }
    q->v[q->n++] = c;
}

/* Split rows[0..n) of a table into chunks under the row and byte limits. */
static void enqueue_rows(struct bq_task *t, struct chunkq *q, struct bq_table *tb,
                         const uint32_t *rows, size_t n, int attempts)
{
    size_t i = 0;
    while (i < n) {
        struct bq_chunk *c =
            chunk_new(tb, n - i < (size_t)t->max_rows ? n - i : (size_t)t->max_rows);
        c->attempts = attempts;
        int64_t bytes = 200;
        while (i < n && c->n < (size_t)t->max_rows) {
            int64_t len = tb->rowv[rows[i]].len + 1;
            if (c->n > 0 && bytes + len > t->max_bytes) {
                break;
            }
            bytes += len;
            c->rows[c->n++] = rows[i++];
        }
        q_push(q, c);
    }
}

static void build_body(struct bq_task *t, sluice_buf *b, const struct bq_chunk *c)
{
    (void)t;
    H->buf_reset(b);
    H->buf_append(b,
                  "{\"kind\":\"bigquery#tableDataInsertAllRequest\",\"skipInvalidRows\":false,"
                  "\"ignoreUnknownValues\":false,\"rows\":[",
                  strlen("{\"kind\":\"bigquery#tableDataInsertAllRequest\",\"skipInvalidRows\":"
                         "false,\"ignoreUnknownValues\":false,\"rows\":["));
    const char *base = H->buf_data(c->t->rows);
    for (size_t i = 0; i < c->n; i++) {
        const struct bq_row *r = &c->t->rowv[c->rows[i]];
        if (i > 0) {
            H->buf_append(b, ",", 1);
        }
        H->buf_append(b, base + r->off, r->len);
    }
    H->buf_append(b, "]}", 2);
}

static bool too_large(const bq_resp *resp)
{
    if (resp->status == 413) {
        return true;
    }
    if (resp->status != 400) {
        return false;
    }
    return resp->reason[0] == '\0' || strstr(resp->message, "payload size exceeds") != NULL ||
           strstr(resp->message, "too many rows") != NULL ||
           strstr(resp->message, "Request payload size") != NULL;
}

/* A 200 answer with insertErrors: re-queue `stopped` rows, report `invalid` ones. */
static sluice_rc handle_insert_errors(struct bq_task *t, struct bq_chunk *c, bq_resp *resp,
                                      struct chunkq *q)
{
    json_t *root = json_loadb(H->buf_data(resp->body), H->buf_len(resp->body), 0, NULL);
    json_t *errs = json_object_get(root, "insertErrors");
    sluice_rc rc = SLUICE_OK;
    uint32_t *again = H->alloc(c->n * sizeof(uint32_t));
    size_t nagain = 0;
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        json_int_t idx = json_integer_value(json_object_get(e, "index"));
        if (idx < 0 || (size_t)idx >= c->n) {
            continue;
        }
        json_t *list = json_object_get(e, "errors");
        bool stopped = true;
        char msg[600] = "";
        size_t j;
        json_t *x;
        json_array_foreach(list, j, x)
        {
            const char *reason = json_string_value(json_object_get(x, "reason"));
            if (reason != NULL && strcmp(reason, "stopped") != 0) {
                stopped = false;
                const char *m = json_string_value(json_object_get(x, "message"));
                const char *loc = json_string_value(json_object_get(x, "location"));
                snprintf(msg, sizeof(msg), "BigQuery rejected the row for `%s.%s.%s`: %s%s%s%s",
                         t->project, t->dataset, c->t->name, reason, loc && *loc ? " at " : "",
                         loc && *loc ? loc : "", m ? m : "");
                if (m != NULL) {
                    snprintf(msg, sizeof(msg),
                             "BigQuery rejected the row for `%s.%s.%s`: %s (%s%s%s)", t->project,
                             t->dataset, c->t->name, m, reason, loc && *loc ? " at " : "",
                             loc && *loc ? loc : "");
                }
                break;
            }
        }
        uint32_t row = c->rows[idx];
        if (stopped) {
            again[nagain++] = row;
        } else {
            const sluice_record *r = t->records[c->t->rowv[row].rec];
            rc = errant(t, r, msg);
            if (rc != SLUICE_OK) {
                break;
            }
        }
    }
    if (rc == SLUICE_OK && json_array_size(errs) == 0) {
        /* insertErrors present but unreadable: resend all */
        memcpy(again, c->rows, c->n * sizeof(uint32_t));
        nagain = c->n;
    }
    if (rc == SLUICE_OK && nagain > 0) {
        enqueue_rows(t, q, c->t, again, nagain, c->attempts);
    }
    H->free(again);
    json_decref(root);
    return rc;
}

static sluice_rc insert_all(struct bq_task *t)
{
    struct chunkq q = {0};
    sluice_rc rc = SLUICE_OK;
    uint32_t *all = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < t->ntables; i++) {
        struct bq_table *tb = t->tables[i];
        if (tb->nrows == 0) {
            continue;
        }
        if (tb->nrows > cap) {
            cap = tb->nrows;
            all = H->realloc(all, cap * sizeof(uint32_t));
        }
        for (size_t k = 0; k < tb->nrows; k++) {
            all[k] = (uint32_t)k;
        }
        enqueue_rows(t, &q, tb, all, tb->nrows, 0);
    }
    H->free(all);
    size_t head = 0;
    struct bq_chunk **inflight = H->calloc((size_t)t->parallel, sizeof(*inflight));
    while (head < q.n && rc == SLUICE_OK) {
        size_t k = 0;
        while (head < q.n && k < (size_t)t->parallel) {
            struct bq_chunk *c = q.v[head++];
            inflight[k] = c;
            build_body(t, t->bodies[k], c);
            const char *u = t->cdc ? c->t->tmp_name : c->t->name;
            bq_req_set(t->reqs[k], "POST", table_url(t, u, "/insertAll"), H->buf_data(t->bodies[k]),
                       H->buf_len(t->bodies[k]));
            k++;
        }
        bq_http_run(t->http, t->reqs, k);
        int64_t wait = 0;
        for (size_t j = 0; j < k; j++) {
            struct bq_chunk *c = inflight[j];
            bq_resp *resp = bq_req_resp(t->reqs[j]);
            int cls = bq_classify(resp, false);
            const char *tname = t->cdc ? c->t->tmp_name : c->t->name;
            if (rc != SLUICE_OK) {
                chunk_free(c);
                continue;
            }
            if (cls == BQ_OK) {
                if (memmem(H->buf_data(resp->body), H->buf_len(resp->body), "insertErrors", 12) !=
                    NULL) {
                    rc = handle_insert_errors(t, c, resp, &q);
                } else {
                    H->metric_add(t->ctx, "bigquery-rows-inserted", (int64_t)c->n);
                }
            } else if (too_large(resp)) {
                if (c->n > 1) {
                    SLUICE_DEBUG(t->ctx, "insertAll into %s too large (%zu rows): halving", tname,
                                 c->n);
                    size_t half = c->n / 2;
                    struct bq_chunk *a = chunk_new(c->t, half), *b = chunk_new(c->t, c->n - half);
                    memcpy(a->rows, c->rows, half * sizeof(uint32_t));
                    a->n = half;
                    memcpy(b->rows, c->rows + half, (c->n - half) * sizeof(uint32_t));
                    b->n = c->n - half;
                    q_push(&q, a);
                    q_push(&q, b);
                } else {
                    char msg[700];
                    snprintf(msg, sizeof(msg), "the row is too large for insertAll into `%s`: %s",
                             tname, resp->message);
                    rc = errant(t, t->records[c->t->rowv[c->rows[0]].rec], msg);
                }
            } else if (cls == BQ_AUTH && c->auth_attempts < 2) {
                c->auth_attempts++;
                bq_auth_invalidate(t->auth);
                q_push(&q, c);
                c = NULL;
            } else if (cls == BQ_RETRIABLE && c->attempts < t->retries &&
                       !H->task_should_stop(t->ctx)) {
                c->attempts++;
                SLUICE_WARN(t->ctx, "insertAll into %s: %s (%s); retry %d of %d", tname,
                            resp->message, resp->reason, c->attempts, t->retries);
                int64_t w = backoff_ms(t, c->attempts);
                wait = w > wait ? w : wait;
                q_push(&q, c);
                c = NULL;
            } else if (resp->status == 404) {
                /* the table went away: look it up (and create it) again on redelivery */
                c->t->verified = false;
                c->t->tmp_verified = false;
                H->buf_reset(c->t->dest_fields);
                SLUICE_WARN(t->ctx, "insertAll into %s: %s; table will be looked up again", tname,
                            resp->message);
                H->task_backoff(t->ctx, t->retry_wait);
                rc = SLUICE_RETRY;
            } else {
                if (cls == BQ_RETRIABLE) {
                    SLUICE_WARN(t->ctx,
                                "insertAll into `%s.%s.%s` failed, batch will be redelivered: "
                                "HTTP %ld %s: %s",
                                t->project, t->dataset, tname, resp->status, resp->reason,
                                resp->message);
                    H->task_backoff(t->ctx, t->retry_wait);
                    rc = SLUICE_RETRY;
                } else if (resp->status < 0) {
                    H->set_error(t->ctx,
                                 "BigQuery insertAll into table `%s.%s.%s` failed: "
                                 "authentication: %s",
                                 t->project, t->dataset, tname, resp->message);
                    rc = SLUICE_ERR;
                } else {
                    H->set_error(t->ctx,
                                 "BigQuery insertAll into table `%s.%s.%s` failed: HTTP %ld%s%s: "
                                 "%s",
                                 t->project, t->dataset, tname, resp->status,
                                 resp->reason[0] ? " " : "", resp->reason, resp->message);
                    rc = SLUICE_ERR;
                }
            }
            chunk_free(c);
        }
        if (wait > 0 && rc == SLUICE_OK) {
            sleep_ms(t, wait);
        }
    }
    for (; head < q.n; head++) {
        chunk_free(q.v[head]);
    }
    H->free(q.v);
    H->free(inflight);
    return rc;
}

/* ------------------------------------------------------------------ MERGE */

static sluice_rc run_query(struct bq_task *t, const char *sql, const char *table)
{
    sluice_buf *b = t->scratch;
    H->buf_reset(b);
    H->buf_append(b, "{\"query\":", 9);
    bq_json_string(b, sql, strlen(sql));
    H->buf_append(b, ",\"useLegacySql\":false,\"timeoutMs\":30000,\"requestId\":\"", 53);
    size_t rid_at = H->buf_len(b);
    H->buf_append(b, "00000000-0000-0000-0000-000000000000\"}", 38);
    char *body = H->strdup(H->buf_data(b));
    char url[1024];
    snprintf(url, sizeof(url), "%s/projects/%s/queries", t->api_url, t->project);
    int c = call_rid(t, "POST", url, body, strlen(body), true, body + rid_at);
    H->free(body);
    for (int polls = 0; c == BQ_OK && polls < 600; polls++) {
        bq_resp *resp = bq_req_resp(t->reqs[0]);
        json_t *root = json_loadb(H->buf_data(resp->body), H->buf_len(resp->body), 0, NULL);
        json_t *done = json_object_get(root, "jobComplete");
        json_t *errs = json_object_get(root, "errors");
        if (json_array_size(errs) > 0 && (done == NULL || json_is_true(done))) {
            const char *m = json_string_value(json_object_get(json_array_get(errs, 0), "message"));
            H->set_error(t->ctx, "BigQuery query on table `%s.%s.%s` failed: %s", t->project,
                         t->dataset, table, m != NULL ? m : "unknown error");
            json_decref(root);
            return SLUICE_ERR;
        }
        if (done == NULL || json_is_true(done)) {
            json_decref(root);
            return SLUICE_OK;
        }
        json_t *ref = json_object_get(root, "jobReference");
        const char *job = json_string_value(json_object_get(ref, "jobId"));
        const char *loc = json_string_value(json_object_get(ref, "location"));
        if (job == NULL) {
            json_decref(root);
            return SLUICE_OK;
        }
        if (loc != NULL) {
            snprintf(url, sizeof(url), "%s/projects/%s/queries/%s?location=%s&timeoutMs=10000",
                     t->api_url, t->project, job, loc);
        } else {
            snprintf(url, sizeof(url), "%s/projects/%s/queries/%s?timeoutMs=10000", t->api_url,
                     t->project, job);
        }
        json_decref(root);
        sleep_ms(t, polls < 10 ? 100 : 1000);
        c = call(t, "GET", url, NULL, 0, true);
    }
    return fail_or_retry(t, c == BQ_OK ? BQ_RETRIABLE : c, "MERGE", table);
}

static sluice_rc merge_table(struct bq_task *t, struct bq_table *tb)
{
    bq_merge_spec m = {
        .project = t->project,
        .dataset = t->dataset,
        .table = tb->name,
        .tmp_table = tb->tmp_name,
        .key_field = t->key_field,
        .pos_field = t->pos_field,
        .key_cols = (const char *const *)tb->key_cols,
        .nkey = tb->nkey,
        .cols = (const char *const *)tb->cols,
        .ncols = tb->ncols,
        .batch = t->batch,
        .upsert = t->upsert,
        .del = t->del,
    };
    if (tb->nkey == 0) {
        H->set_error(t->ctx, "cannot MERGE into `%s.%s.%s`: the record keys have no fields",
                     t->project, t->dataset, tb->name);
        return SLUICE_ERR;
    }
    if (!tb->verified) {
        /* only deletes so far: the destination must exist before MERGE; skip when it does not */
        int c = call(t, "GET", table_url(t, tb->name, NULL), NULL, 0, false);
        if (c != BQ_OK && bq_req_resp(t->reqs[0])->status == 404) {
            tb->unmerged = 0; /* nothing to delete from; a later cleanup removes the rows */
            return SLUICE_OK;
        }
        if (c != BQ_OK) {
            return fail_or_retry(t, c, "lookup (tables.get)", tb->name);
        }
    }
    H->buf_reset(t->sql);
    bq_merge_sql(t->sql, &m);
    SLUICE_DEBUG(t->ctx, "MERGE %s <- %s (batch %lld, %lld rows)", tb->name, tb->tmp_name,
                 (long long)t->batch, (long long)tb->unmerged);
    char *sql = H->strdup(H->buf_data(t->sql));
    sluice_rc rc = run_query(t, sql, tb->name);
    H->free(sql);
    if (rc != SLUICE_OK) {
        return rc;
    }
    H->buf_reset(t->sql);
    bq_cleanup_sql(t->sql, &m);
    sql = H->strdup(H->buf_data(t->sql));
    if (run_query(t, sql, tb->tmp_name) != SLUICE_OK) {
        /* rows still in the streaming buffer cannot be deleted yet: a later cleanup (<= a later
         * batch) removes them; merging them again is harmless (position guard) */
        SLUICE_INFO(t->ctx, "cleanup of %s deferred to a later batch", tb->tmp_name);
    }
    H->free(sql);
    H->metric_add(t->ctx, "bigquery-merges", 1);
    tb->unmerged = 0;
    if (tb->kcount > 0) {
        memset(tb->khash, 0, tb->kcap * sizeof(uint64_t));
        tb->kcount = 0;
    }
    return SLUICE_OK;
}

static sluice_rc merge_all(struct bq_task *t)
{
    for (size_t i = 0; i < t->ntables; i++) {
        struct bq_table *tb = t->tables[i];
        if (tb->unmerged == 0) {
            continue;
        }
        sluice_rc rc = merge_table(t, tb);
        if (rc != SLUICE_OK) {
            return rc;
        }
    }
    t->unmerged = 0;
    t->batch++;
    for (size_t i = 0; i < t->nps; i++) {
        t->ps[i].first_unmerged = -1;
    }
    t->last_merge_ms = H->now_ms();
    H->task_request_commit(t->ctx);
    return SLUICE_OK;
}

static bool merge_due(struct bq_task *t)
{
    if (t->unmerged == 0) {
        return false;
    }
    if (t->merge_threshold > 0 && t->unmerged >= t->merge_threshold) {
        return true;
    }
    return t->merge_interval > 0 && H->now_ms() - t->last_merge_ms >= t->merge_interval;
}

/* ------------------------------------------------------------------ sink ops */

/* Send the rendered rows; in upsert/delete mode they now wait in the intermediate tables. */
static sluice_rc flush_rows(struct bq_task *t)
{
    sluice_rc rc = insert_all(t);
    if (rc != SLUICE_OK) {
        return rc;
    }
    for (size_t i = 0; i < t->ntables; i++) {
        struct bq_table *tb = t->tables[i];
        if (t->cdc) {
            tb->unmerged += (int64_t)tb->nrows;
            t->unmerged += (int64_t)tb->nrows;
        }
        tb->nrows = 0;
        H->buf_reset(tb->rows);
    }
    return SLUICE_OK;
}

static sluice_rc bq_put(void *task, sluice_record *const *records, size_t n)
{
    struct bq_task *t = task;
    t->records = records;
    for (size_t i = 0; i < t->ntables; i++) {
        t->tables[i]->nrows = 0;
        H->buf_reset(t->tables[i]->rows);
    }
    sluice_rc rc = SLUICE_OK;
    for (size_t i = 0; i < n && rc == SLUICE_OK; i++) {
        rc = t->cdc ? put_change(t, records[i], i) : put_append(t, records[i], i);
        if (rc == BQ_FLUSH_FIRST) {
            /* a truncate, or a TOAST update of a key with a pending change: everything before
             * this record is written and merged first (a failure redelivers the batch) */
            rc = flush_rows(t);
            if (rc == SLUICE_OK) {
                rc = merge_all(t);
            }
            if (rc == SLUICE_OK) {
                i--; /* the same record again; nothing is pending now */
            }
        }
    }
    if (rc == SLUICE_OK) {
        rc = flush_rows(t);
    }
    if (rc == SLUICE_OK && t->cdc && merge_due(t)) {
        sluice_rc mrc = merge_all(t);
        if (mrc == SLUICE_ERR) {
            rc = mrc;
        } /* RETRY: the rows are safe in the intermediate table; merge again later */
    }
    t->records = NULL;
    return rc;
}

static sluice_rc bq_pre_commit(void *task, sluice_offsets *offsets)
{
    struct bq_task *t = task;
    if (!t->cdc) {
        return SLUICE_OK; /* put() is synchronous */
    }
    if (merge_due(t)) {
        sluice_rc rc = merge_all(t);
        if (rc == SLUICE_ERR) {
            return rc;
        }
    }
    size_t n = H->offsets_count(offsets);
    for (size_t i = 0; i < n; i++) {
        sluice_topic_partition tp = H->offsets_tp(offsets, i);
        for (size_t k = 0; k < t->nps; k++) {
            struct bq_pstate *p = &t->ps[k];
            if (p->partition == tp.partition && strcmp(p->topic, tp.topic) == 0 &&
                p->first_unmerged >= 0) {
                H->offsets_set(offsets, i, p->first_unmerged);
            }
        }
    }
    return SLUICE_OK;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
        return NULL;
    }
    sluice_buf *b = H->buf_new();
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        H->buf_append(b, chunk, got);
    }
    fclose(f);
    char *s = H->strdup(H->buf_data(b));
    H->buf_free(b);
    return s;
}

static int mode_of(const char *s)
{
    static const char *const names[] = {"AUTO",       "FLOAT",  "NUMERIC",
                                        "BIGNUMERIC", "STRING", "RECORD"};
    static const int modes[] = {BQ_DEC_AUTO,       BQ_DEC_FLOAT,  BQ_DEC_NUMERIC,
                                BQ_DEC_BIGNUMERIC, BQ_DEC_STRING, BQ_DEC_RECORD};
    for (size_t i = 0; s != NULL && i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcasecmp(s, names[i]) == 0) {
            return modes[i];
        }
    }
    return BQ_DEC_AUTO;
}

static void bq_destroy(void *task);

static sluice_rc bq_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    struct bq_task *t = H->calloc(1, sizeof(*t));
    t->ctx = ctx;
    t->cfg = cfg;
    t->project = H->cfg_string(cfg, "project");
    t->dataset = H->cfg_string(cfg, "defaultDataset");
    t->api_url = H->cfg_string(cfg, "bigquery.api.url");
    t->upsert = H->cfg_bool(cfg, "upsertEnabled");
    t->del = H->cfg_bool(cfg, "deleteEnabled");
    t->cdc = t->upsert || t->del;
    t->auto_create = H->cfg_bool(cfg, "autoCreateTables");
    t->allow_new = H->cfg_bool(cfg, "allowNewBigQueryFields");
    t->allow_relax = H->cfg_bool(cfg, "allowBigQueryRequiredFieldRelaxation");
    t->key_field = H->cfg_string(cfg, "kafkaKeyFieldName");
    t->data_field = H->cfg_string(cfg, "kafkaDataFieldName");
    t->pos_field = H->cfg_string(cfg, "bigquery.position.field.name");
    t->suffix = H->cfg_string(cfg, "intermediateTableSuffix");
    t->part_type = H->cfg_string(cfg, "timePartitioningType");
    t->part_field = H->cfg_string(cfg, "timestampPartitionFieldName");
    t->part_expiration =
        H->cfg_is_set(cfg, "partitionExpirationMs") ? H->cfg_long(cfg, "partitionExpirationMs") : 0;
    t->retries = (int)H->cfg_long(cfg, "bigQueryRetry");
    t->retry_wait = H->cfg_long(cfg, "bigQueryRetryWait");
    t->merge_interval = H->cfg_long(cfg, "mergeIntervalMs");
    t->merge_threshold = H->cfg_long(cfg, "mergeRecordsThreshold");
    t->max_rows = (int)H->cfg_long(cfg, "bigquery.insert.max.rows");
    t->max_bytes = H->cfg_long(cfg, "bigquery.insert.max.bytes");
    t->sanitize_topics = H->cfg_bool(cfg, "sanitizeTopics");
    t->parallel = (int)H->cfg_long(cfg, "threadPoolSize");
    if (t->parallel < 1) {
        t->parallel = 1;
    }
    t->topts.decimal_mode = mode_of(H->cfg_string(cfg, "decimalHandlingMode"));
    t->topts.vs_decimal_mode = mode_of(H->cfg_string(cfg, "variableScaleDecimalHandlingMode"));
    t->topts.all_nullable = H->cfg_bool(cfg, "allBQFieldsNullable");
    t->topts.sanitize_field_names = H->cfg_bool(cfg, "sanitizeFieldNames");
    t->topts.convert_double_special = H->cfg_bool(cfg, "convertDoubleSpecialValues");
    t->topts.debezium_ts_as_integer = H->cfg_bool(cfg, "convertDebeziumTimestampToInteger");
    t->copts.mode = SL_CDC_MODE_AUTO;
    snprintf(t->conn_id, sizeof(t->conn_id), "%s_%d", H->ctx_connector(ctx),
             (int)H->ctx_task_id(ctx));
    char clean[128];
    bq_sanitize(t->conn_id, strlen(t->conn_id), clean, sizeof(clean));
    snprintf(t->conn_id, sizeof(t->conn_id), "%s", clean);

    /* topic2TableMap: topic:table,... (a topic may contain ':' only before the last one) */
    const char *map = H->cfg_string(cfg, "topic2TableMap");
    if (map != NULL && map[0] != '\0') {
        t->sanitize_topics = false;
        const char *p = map;
        while (*p != '\0') {
            const char *end = strchr(p, ',');
            size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
            const char *colon = NULL;
            for (size_t i = 0; i < len; i++) {
                if (p[i] == ':') {
                    colon = p + i;
                }
            }
            if (colon != NULL) {
                const char *a = p, *ae = colon, *b = colon + 1, *be = p + len;
                while (a < ae && (*a == ' ' || *a == '\t')) {
                    a++;
                }
                while (ae > a && (ae[-1] == ' ' || ae[-1] == '\t')) {
                    ae--;
                }
                while (b < be && (*b == ' ' || *b == '\t')) {
                    b++;
                }
                while (be > b && (be[-1] == ' ' || be[-1] == '\t')) {
                    be--;
                }
                t->map_topics = H->realloc(t->map_topics, (t->nmap + 1) * sizeof(char *));
                t->map_tables = H->realloc(t->map_tables, (t->nmap + 1) * sizeof(char *));
                t->map_topics[t->nmap] = xstrndup(a, (size_t)(ae - a));
                t->map_tables[t->nmap] = xstrndup(b, (size_t)(be - b));
                t->nmap++;
            }
            p += len;
            if (*p == ',') {
                p++;
            }
        }
    }

    char err[512] = "";
    bool no_auth = H->cfg_bool(cfg, "bigquery.auth.none");
    char *key_json = NULL;
    if (!no_auth) {
        const char *src = H->cfg_string(cfg, "keySource");
        const char *keyfile = H->cfg_string(cfg, "keyfile");
        if (strcasecmp(src, "JSON") == 0) {
            key_json = keyfile != NULL ? H->strdup(keyfile) : NULL;
        } else if (strcasecmp(src, "APPLICATION_DEFAULT") == 0) {
            const char *adc = getenv("GOOGLE_APPLICATION_CREDENTIALS");
            if (adc == NULL || adc[0] == '\0') {
                snprintf(err, sizeof(err),
                         "keySource=APPLICATION_DEFAULT needs GOOGLE_APPLICATION_CREDENTIALS "
                         "(sluice does not query the GCE metadata server)");
            } else {
                key_json = read_file(adc, err, sizeof(err));
            }
        } else if (keyfile != NULL) {
            key_json = read_file(keyfile, err, sizeof(err));
        } else {
            snprintf(err, sizeof(err), "keySource=FILE needs keyfile");
        }
        if (key_json == NULL && err[0] == '\0') {
            snprintf(err, sizeof(err), "no service-account key given (keyfile)");
        }
    }
    if (err[0] == '\0') {
        t->auth = bq_auth_new(key_json, H->cfg_string(cfg, "bigquery.token.url"), no_auth, err,
                              sizeof(err));
    }
    if (key_json != NULL) {
        memset(key_json, 0, strlen(key_json));
        H->free(key_json);
    }
    if (t->auth == NULL) {
        H->set_error(ctx, "BigQuery sink: %s", err);
        bq_destroy(t);
        return SLUICE_ERR_CONFIG;
    }
    t->http = bq_http_new(t->auth, t->parallel, H->cfg_long(cfg, "bigquery.timeout.ms"));
    t->reqs = H->calloc((size_t)t->parallel, sizeof(*t->reqs));
    t->bodies = H->calloc((size_t)t->parallel, sizeof(*t->bodies));
    for (int i = 0; i < t->parallel; i++) {
        t->reqs[i] = bq_req_new();
        t->bodies[i] = H->buf_new();
    }
    t->scratch = H->buf_new();
    t->toast = H->buf_new();
    t->url = H->buf_new();
    t->sql = H->buf_new();
    /* batch numbers and arrival order start from the clock, so rows a crashed run left in the
     * intermediate table are covered by this run's first MERGE */
    t->batch = H->now_ms();
    t->seq = H->now_ms() * 1000;
    t->last_merge_ms = H->now_ms();
    SLUICE_INFO(ctx, "BigQuery sink: project %s, dataset %s, %s mode, API %s%s", t->project,
                t->dataset, t->cdc ? "upsert/delete (MERGE)" : "append", t->api_url,
                bq_auth_enabled(t->auth) ? "" : ", no auth");
    *task = t;
    return SLUICE_OK;
}

static void bq_destroy(void *task)
{
    struct bq_task *t = task;
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->ntables; i++) {
        struct bq_table *tb = t->tables[i];
        H->free(tb->topic);
        H->free(tb->name);
        H->free(tb->tmp_name);
        H->buf_free(tb->rows);
        H->buf_free(tb->dest_fields);
        H->buf_free(tb->tmp_fields);
        H->free(tb->rowv);
        H->free(tb->khash);
        for (size_t k = 0; k < tb->ncols; k++) {
            H->free(tb->cols[k]);
        }
        H->free(tb->cols);
        for (size_t k = 0; k < tb->nkey; k++) {
            H->free(tb->key_cols[k]);
        }
        H->free(tb->key_cols);
        H->free(tb);
    }
    H->free(t->tables);
    for (size_t i = 0; i < t->nps; i++) {
        H->free(t->ps[i].topic);
    }
    H->free(t->ps);
    for (size_t i = 0; i < t->nmap; i++) {
        H->free(t->map_topics[i]);
        H->free(t->map_tables[i]);
    }
    H->free(t->map_topics);
    H->free(t->map_tables);
    for (int i = 0; t->reqs != NULL && i < t->parallel; i++) {
        bq_req_free(t->reqs[i]);
        H->buf_free(t->bodies[i]);
    }
    H->free(t->reqs);
    H->free(t->bodies);
    bq_http_free(t->http);
    bq_auth_free(t->auth);
    H->buf_free(t->scratch);
    H->buf_free(t->toast);
    H->buf_free(t->url);
    H->buf_free(t->sql);
    H->free(t);
}

static sluice_rc bq_validate(const sluice_config *cfg, sluice_validation *v)
{
    static const char *const gcs[] = {"gcsBucketName", "gcsFolderName", "autoCreateBucket",
                                      "batchLoadIntervalSec"};
    if (H->cfg_list_len(cfg, "enableBatchLoad") > 0) {
        H->validation_error(v, "enableBatchLoad",
                            "sluice does not do GCS batch loading; rows are streamed with "
                            "tabledata.insertAll (remove enableBatchLoad)");
    }
    for (size_t i = 0; i < sizeof(gcs) / sizeof(gcs[0]); i++) {
        if (H->cfg_is_set(cfg, gcs[i])) {
            H->validation_error(v, gcs[i],
                                "sluice does not do GCS batch loading, so %s has no meaning "
                                "(remove it)",
                                gcs[i]);
        }
    }
    if (H->cfg_bool(cfg, "useStorageWriteApi") || H->cfg_bool(cfg, "enableBatchMode")) {
        H->validation_error(
            v, H->cfg_bool(cfg, "useStorageWriteApi") ? "useStorageWriteApi" : "enableBatchMode",
            "sluice does not implement the Storage Write API; it streams with "
            "tabledata.insertAll");
    }
    bool cdc = H->cfg_bool(cfg, "upsertEnabled") || H->cfg_bool(cfg, "deleteEnabled");
    if (cdc && H->cfg_string(cfg, "kafkaKeyFieldName") == NULL) {
        H->validation_error(v, "kafkaKeyFieldName",
                            "upsertEnabled/deleteEnabled need kafkaKeyFieldName (the column "
                            "holding the record key)");
    }
    if (cdc && H->cfg_long(cfg, "mergeIntervalMs") <= 0 &&
        H->cfg_long(cfg, "mergeRecordsThreshold") <= 0) {
        H->validation_error(v, "mergeIntervalMs",
                            "at least one of mergeIntervalMs and mergeRecordsThreshold must be "
                            "enabled");
    }
    const char *src = H->cfg_string(cfg, "keySource");
    bool no_auth = H->cfg_bool(cfg, "bigquery.auth.none");
    if (!no_auth && src != NULL && strcasecmp(src, "APPLICATION_DEFAULT") == 0 &&
        H->cfg_string(cfg, "keyfile") != NULL) {
        H->validation_error(v, "keyfile",
                            "keyfile must be empty with keySource=APPLICATION_DEFAULT");
    }
    if (!no_auth && src != NULL && strcasecmp(src, "APPLICATION_DEFAULT") != 0 &&
        H->cfg_string(cfg, "keyfile") == NULL) {
        H->validation_error(v, "keyfile",
                            "keyfile is required with keySource=%s (or set bigquery.auth.none=true "
                            "for an emulator)",
                            src);
    }
    if (H->cfg_list_len(cfg, "clusteringPartitionFieldNames") > 4) {
        H->validation_error(v, "clusteringPartitionFieldNames",
                            "BigQuery allows at most 4 clustering fields");
    }
    static const char *const ignored[] = {"allowSchemaUnionization",
                                          "bigQueryMessageTimePartitioning", "queueSize",
                                          "schemaRetriever"};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        if (H->cfg_is_set(cfg, ignored[i]) && SLUICE_HOST_HAS(H, validation_warning)) {
            H->validation_warning(v, ignored[i], "sluice accepts %s but does not honour it",
                                  ignored[i]);
        }
    }
    return SLUICE_OK;
}

/* ------------------------------------------------------------------ config table */

#define G_CONN   "Connector"
#define G_AUTH   "Auth"
#define G_SCHEMA "Schema"
#define G_CDC    "Upsert/delete"
#define G_SLUICE "sluice"

static const char *const key_sources[] = {"FILE", "JSON", "APPLICATION_DEFAULT", NULL};
static const char *const part_types[] = {"HOUR", "DAY", "MONTH", "YEAR", "NONE", NULL};
static const char *const dec_modes[] = {"AUTO",   "FLOAT",  "NUMERIC", "BIGNUMERIC",
                                        "STRING", "RECORD", NULL};

#define KEY(n, ty, fl, def, imp, grp, doc)                                                         \
    {                                                                                              \
        .name = (n), .type = (ty), .flags = (fl), .default_value = (def), .importance = (imp),     \
        .group = (grp), .documentation = (doc), .display_name = (n)                                \
    }

static const struct sluice_config_def bq_config_defs[] = {
    KEY("project", SLUICE_CFG_STRING, SLUICE_CFG_F_REQUIRED, NULL, SLUICE_IMPORTANCE_HIGH, G_CONN,
        "The BigQuery project to write to"),
    KEY("defaultDataset", SLUICE_CFG_STRING, SLUICE_CFG_F_REQUIRED, NULL, SLUICE_IMPORTANCE_HIGH,
        G_CONN, "The default dataset to be used"),
    KEY("keyfile", SLUICE_CFG_PASSWORD, SLUICE_CFG_F_NULL_DEFAULT | SLUICE_CFG_F_SENSITIVE, NULL,
        SLUICE_IMPORTANCE_MEDIUM, G_AUTH,
        "The service-account key: a file path (keySource=FILE) or the JSON text "
        "(keySource=JSON). Never logged or shown."),
    {.name = "keySource",
     .type = SLUICE_CFG_STRING,
     .default_value = "FILE",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_AUTH,
     .display_name = "keySource",
     .valid_values = key_sources,
     .documentation = "FILE, JSON, or APPLICATION_DEFAULT (the key file named by "
                      "GOOGLE_APPLICATION_CREDENTIALS)"},
    KEY("topic2TableMap", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN,
        "topic:table,... explicit table names (disables sanitizeTopics)"),
    KEY("sanitizeTopics", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM, G_CONN,
        "Replace characters invalid in table names with '_'"),
    KEY("sanitizeFieldNames", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM, G_SCHEMA,
        "Replace characters invalid in column names with '_'"),
    KEY("autoCreateTables", SLUICE_CFG_BOOLEAN, 0, "true", SLUICE_IMPORTANCE_HIGH, G_SCHEMA,
        "Create missing tables from the record schema"),
    KEY("allowNewBigQueryFields", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM,
        G_SCHEMA, "Add new NULLABLE columns (tables.patch) when records gain fields"),
    KEY("allowBigQueryRequiredFieldRelaxation", SLUICE_CFG_BOOLEAN, 0, "false",
        SLUICE_IMPORTANCE_MEDIUM, G_SCHEMA, "Relax REQUIRED columns to NULLABLE when needed"),
    KEY("allowSchemaUnionization", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_SCHEMA,
        "Accepted, not honoured (sluice always keeps existing columns)"),
    KEY("allBQFieldsNullable", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_SCHEMA,
        "Create every column NULLABLE"),
    KEY("schemaRetriever", SLUICE_CFG_STRING, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_LOW, G_SCHEMA, "Accepted, not honoured: schemas come from the records"),
    KEY("kafkaKeyFieldName", SLUICE_CFG_STRING, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_MEDIUM, G_SCHEMA,
        "Column (RECORD) holding the Kafka key; required for upsert/delete"),
    KEY("kafkaDataFieldName", SLUICE_CFG_STRING, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_LOW, G_SCHEMA,
        "Column (RECORD topic, partition, offset, insertTime) with Kafka coordinates (append "
        "mode)"),
    KEY("upsertEnabled", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM, G_CDC,
        "Apply changes as upserts by key through an intermediate table and MERGE"),
    KEY("deleteEnabled", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_MEDIUM, G_CDC,
        "Delete rows on Debezium deletes and tombstones"),
    KEY("intermediateTableSuffix", SLUICE_CFG_STRING, 0, "tmp", SLUICE_IMPORTANCE_LOW, G_CDC,
        "Intermediate table name: <table>_<suffix>_<connector>_<task>"),
    KEY("mergeIntervalMs", SLUICE_CFG_LONG, 0, "60000", SLUICE_IMPORTANCE_LOW, G_CDC,
        "Run the MERGE this often (-1 disables)"),
    KEY("mergeRecordsThreshold", SLUICE_CFG_LONG, 0, "-1", SLUICE_IMPORTANCE_LOW, G_CDC,
        "Run the MERGE after this many rows (-1 disables)"),
    {.name = "timePartitioningType",
     .type = SLUICE_CFG_STRING,
     .default_value = "DAY",
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = G_SCHEMA,
     .display_name = "timePartitioningType",
     .valid_values = part_types,
     .documentation = "Partitioning of created tables: HOUR, DAY, MONTH, YEAR or NONE"},
    KEY("timestampPartitionFieldName", SLUICE_CFG_STRING, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_LOW, G_SCHEMA,
        "Partition created tables by this column instead of ingestion time"),
    KEY("partitionExpirationMs", SLUICE_CFG_LONG, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_LOW, G_SCHEMA, "Partition expiration of created tables"),
    KEY("clusteringPartitionFieldNames", SLUICE_CFG_LIST, SLUICE_CFG_F_NULL_DEFAULT, NULL,
        SLUICE_IMPORTANCE_LOW, G_SCHEMA, "Clustering columns of created tables (up to 4)"),
    {.name = "bigQueryRetry",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "0",
     .min = 0,
     .max = 1000,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .display_name = "bigQueryRetry",
     .documentation = "Retries of a request on 5xx, quotaExceeded, rateLimitExceeded and MERGE "
                      "serialization errors before the batch is handed back for redelivery"},
    {.name = "bigQueryRetryWait",
     .type = SLUICE_CFG_LONG,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "1000",
     .min = 0,
     .max = 3600000,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .display_name = "bigQueryRetryWait",
     .documentation = "Base wait between retries in ms (doubled each retry, plus up to 1 s of "
                      "jitter)"},
    {.name = "threadPoolSize",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "10",
     .min = 1,
     .max = 256,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_CONN,
     .display_name = "threadPoolSize",
     .documentation = "Concurrent insertAll requests (tables written in parallel)"},
    KEY("queueSize", SLUICE_CFG_LONG, 0, "-1", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Accepted, not honoured (put() is synchronous)"),
    KEY("bigQueryMessageTimePartitioning", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW,
        G_SCHEMA, "Accepted, not honoured"),
    KEY("bigQueryPartitionDecorator", SLUICE_CFG_BOOLEAN, 0, "true", SLUICE_IMPORTANCE_LOW,
        G_SCHEMA, "Accepted; rows always go to the table (BigQuery picks the partition)"),
    KEY("convertDoubleSpecialValues", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW,
        G_SCHEMA, "Write NaN/Infinity as the largest/smallest doubles"),
    KEY("convertDebeziumTimestampToInteger", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW,
        G_SCHEMA, "Write Debezium timestamps as INTEGER"),
    {.name = "decimalHandlingMode",
     .type = SLUICE_CFG_STRING,
     .default_value = "AUTO",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_SCHEMA,
     .display_name = "decimalHandlingMode",
     .valid_values = dec_modes,
     .documentation = "Connect Decimal columns: AUTO (NUMERIC or BIGNUMERIC by precision, "
                      "STRING when neither fits), NUMERIC, BIGNUMERIC, STRING, FLOAT (loses "
                      "digits) or RECORD (the unscaled BYTES)"},
    {.name = "variableScaleDecimalHandlingMode",
     .type = SLUICE_CFG_STRING,
     .default_value = "AUTO",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .group = G_SCHEMA,
     .display_name = "variableScaleDecimalHandlingMode",
     .valid_values = dec_modes,
     .documentation = "Debezium VariableScaleDecimal columns: AUTO (BIGNUMERIC), NUMERIC, "
                      "BIGNUMERIC, STRING, FLOAT or RECORD ({scale, value})"},
    KEY("enableBatchLoad", SLUICE_CFG_LIST, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported: sluice does not do GCS batch loading (a validation error)"),
    KEY("gcsBucketName", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported (GCS batch loading)"),
    KEY("gcsFolderName", SLUICE_CFG_STRING, 0, "", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported (GCS batch loading)"),
    KEY("autoCreateBucket", SLUICE_CFG_BOOLEAN, 0, "true", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported (GCS batch loading)"),
    KEY("batchLoadIntervalSec", SLUICE_CFG_INT, 0, "120", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported (GCS batch loading)"),
    KEY("useStorageWriteApi", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported: true is a validation error"),
    KEY("enableBatchMode", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_CONN,
        "Not supported: true is a validation error"),
    KEY("bigquery.api.url", SLUICE_CFG_STRING, 0, DEFAULT_API_URL, SLUICE_IMPORTANCE_LOW, G_SLUICE,
        "BigQuery REST base URL (point it at an emulator or test server)"),
    KEY("bigquery.token.url", SLUICE_CFG_STRING, 0, DEFAULT_TOKEN_URL, SLUICE_IMPORTANCE_LOW,
        G_SLUICE,
        "OAuth token endpoint; the only way to change it (a key file's token_uri is ignored)"),
    KEY("bigquery.auth.none", SLUICE_CFG_BOOLEAN, 0, "false", SLUICE_IMPORTANCE_LOW, G_SLUICE,
        "Send requests without credentials (emulators)"),
    KEY("bigquery.position.field.name", SLUICE_CFG_STRING, 0, "_sluice_position",
        SLUICE_IMPORTANCE_LOW, G_SLUICE,
        "Upsert/delete: destination column holding the source position of the applied change"),
    {.name = "bigquery.insert.max.rows",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "500",
     .min = 1,
     .max = 50000,
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = G_SLUICE,
     .display_name = "bigquery.insert.max.rows",
     .documentation = "Rows per insertAll request"},
    {.name = "bigquery.insert.max.bytes",
     .type = SLUICE_CFG_LONG,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "9000000",
     .min = 1024,
     .max = 10485760,
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = G_SLUICE,
     .display_name = "bigquery.insert.max.bytes",
     .documentation = "Bytes per insertAll request (BigQuery's limit is 10 MB)"},
    {.name = "bigquery.timeout.ms",
     .type = SLUICE_CFG_LONG,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "60000",
     .min = 100,
     .max = 3600000,
     .importance = SLUICE_IMPORTANCE_LOW,
     .group = G_SLUICE,
     .display_name = "bigquery.timeout.ms",
     .documentation = "Timeout of one REST request"},
    {.name = NULL},
};

static const struct sluice_sink_ops bq_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .validate = bq_validate,
    .create = bq_create,
    .put = bq_put,
    .pre_commit = bq_pre_commit,
    .destroy = bq_destroy,
};

static const char *const bq_aliases[] = {"bigquery-sink", "BigQuerySink", NULL};

static const struct sluice_component bq_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "com.wepay.kafka.connect.bigquery.BigQuerySinkConnector",
    .aliases = bq_aliases,
    .version = SLUICE_VERSION,
    .description = "Streams records into BigQuery (insertAll); applies Debezium changes by "
                   "source position through an intermediate table and MERGE",
    .config_defs = bq_config_defs,
    .ops = &bq_ops,
};

static const struct sluice_component *const bq_components[] = {&bq_component, NULL};

static const struct sluice_plugin_descriptor bq_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,    .name = "bigquery-sink",
    .version = SLUICE_VERSION,   .build_info = "sluice " SLUICE_VERSION,
    .components = bq_components,
};

SLUICE_PLUGIN_DEFINE(bq_descriptor)
