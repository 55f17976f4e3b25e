/*
 * bq_sql.c — the standard-SQL text bigquery_sink.so sends as query jobs: the MERGE that applies
 * one task's intermediate table to its destination (latest change per key by *source position*,
 * ties by arrival; deletes for null values; TOAST columns keep the stored value; never older
 * over newer), and the cleanup DELETE. The shape is fixed by notes/bigquery-contract.md and
 * tested to the byte in tests/unit/test_bigquery_sql.c.
 */
#include <string.h>

#include "bq.h"

#define H sluice_host

static void append(sluice_buf *out, const char *s)
{
    H->buf_append(out, s, strlen(s));
}

/* `name`, with backquotes and backslashes escaped. */
void bq_ident(sluice_buf *out, const char *name)
{
    H->buf_append(out, "`", 1);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '`' || *p == '\\') {
            H->buf_append(out, "\\", 1);
        }
        H->buf_append(out, p, 1);
    }
    H->buf_append(out, "`", 1);
}

/* 'name' as a string literal. */
static void literal(sluice_buf *out, const char *name)
{
    H->buf_append(out, "'", 1);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '\'' || *p == '\\') {
            H->buf_append(out, "\\", 1);
        }
        H->buf_append(out, p, 1);
    }
    H->buf_append(out, "'", 1);
}

/* `project.dataset.table` as one quoted path. */
static void table_path(sluice_buf *out, const char *p, const char *d, const char *t)
{
    H->buf_printf(out, "`%s.%s.%s`", p, d, t);
}

void bq_merge_sql(sluice_buf *out, const bq_merge_spec *m)
{
    append(out, "MERGE ");
    table_path(out, m->project, m->dataset, m->table);
    append(out, " AS d\nUSING (\n  SELECT ARRAY_AGG(x ORDER BY x.position DESC, x.i DESC LIMIT "
                "1)[OFFSET(0)] AS src\n  FROM ");
    table_path(out, m->project, m->dataset, m->tmp_table);
    append(out, " AS x\n  WHERE x.batchNumber <= ");
    H->buf_printf(out, "%lld", (long long)m->batch);
    append(out, "\n  GROUP BY ");
    for (size_t i = 0; i < m->nkey; i++) {
        if (i > 0) {
            append(out, ", ");
        }
        append(out, "x.key.");
        bq_ident(out, m->key_cols[i]);
    }
    append(out, "\n) AS s\nON d.");
    bq_ident(out, m->key_field);
    append(out, " = s.src.key\n");
    if (m->del) {
        append(out, "WHEN MATCHED AND s.src.value IS NULL AND s.src.position >= d.");
        bq_ident(out, m->pos_field);
        append(out, " THEN DELETE\n");
    }
    if (m->upsert) {
        append(out, "WHEN MATCHED AND s.src.value IS NOT NULL AND s.src.position >= d.");
        bq_ident(out, m->pos_field);
        append(out, " THEN UPDATE SET\n  ");
        for (size_t i = 0; i < m->ncols; i++) {
            bq_ident(out, m->cols[i]);
            append(out, " = IF(");
            literal(out, m->cols[i]);
            append(out, " IN UNNEST(s.src.toast), d.");
            bq_ident(out, m->cols[i]);
            append(out, ", s.src.value.");
            bq_ident(out, m->cols[i]);
            append(out, "), ");
        }
        bq_ident(out, m->pos_field);
        append(out, " = s.src.position\n");
    }
    append(out, "WHEN NOT MATCHED AND s.src.value IS NOT NULL THEN\n  INSERT (");
    bq_ident(out, m->key_field);
    for (size_t i = 0; i < m->ncols; i++) {
        append(out, ", ");
        bq_ident(out, m->cols[i]);
    }
    append(out, ", ");
    bq_ident(out, m->pos_field);
    append(out, ") VALUES (s.src.key");
    for (size_t i = 0; i < m->ncols; i++) {
        append(out, ", s.src.value.");
        bq_ident(out, m->cols[i]);
    }
    append(out, ", s.src.position)");
}

void bq_cleanup_sql(sluice_buf *out, const bq_merge_spec *m)
{
    append(out, "DELETE FROM ");
    table_path(out, m->project, m->dataset, m->tmp_table);
    H->buf_printf(out, " WHERE batchNumber <= %lld", (long long)m->batch);
}
