/*
 * test_bigquery_sql.c — the exact SQL text the BigQuery sink sends (bq_sql.c): the MERGE of
 * notes/bigquery-contract.md (latest change per key by source position, ties by arrival, delete
 * on null values, TOAST columns keep the stored value, never older over newer) in its
 * upsert+delete, upsert-only and delete-only forms, the cleanup DELETE, and identifier quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../plugins/bigquery_sink/bq.h"
#include "test_bigquery_host.h"

static const char *const keys[] = {"id", "region"};
static const char *const cols[] = {"c1", "c2"};

static bq_merge_spec spec(bool upsert, bool del)
{
    bq_merge_spec m = {
        .project = "p",
        .dataset = "d",
        .table = "dest",
        .tmp_table = "dest_tmp",
        .key_field = "kafkaKey",
        .pos_field = "pos",
        .key_cols = keys,
        .nkey = 2,
        .cols = cols,
        .ncols = 2,
        .batch = 7,
        .upsert = upsert,
        .del = del,
    };
    return m;
}

static const char *merge(const bq_merge_spec *m, sluice_buf *b)
{
    sluice_host->buf_reset(b);
    bq_merge_sql(b, m);
    return sluice_host->buf_data(b);
}

static void test_merge_upsert_delete(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_merge_spec m = spec(true, true);
    assert_string_equal(
        merge(&m, b),
        "MERGE `p.d.dest` AS d\n"
        "USING (\n"
        "  SELECT ARRAY_AGG(x ORDER BY x.position DESC, x.i DESC LIMIT 1)[OFFSET(0)] AS src\n"
        "  FROM `p.d.dest_tmp` AS x\n"
        "  WHERE x.batchNumber <= 7\n"
        "  GROUP BY x.key.`id`, x.key.`region`\n"
        ") AS s\n"
        "ON d.`kafkaKey` = s.src.key\n"
        "WHEN MATCHED AND s.src.value IS NULL AND s.src.position >= d.`pos` THEN DELETE\n"
        "WHEN MATCHED AND s.src.value IS NOT NULL AND s.src.position >= d.`pos` THEN UPDATE SET\n"
        "  `c1` = IF('c1' IN UNNEST(s.src.toast), d.`c1`, s.src.value.`c1`), "
        "`c2` = IF('c2' IN UNNEST(s.src.toast), d.`c2`, s.src.value.`c2`), "
        "`pos` = s.src.position\n"
        "WHEN NOT MATCHED AND s.src.value IS NOT NULL THEN\n"
        "  INSERT (`kafkaKey`, `c1`, `c2`, `pos`) VALUES (s.src.key, s.src.value.`c1`, "
        "s.src.value.`c2`, s.src.position)");
    sluice_host->buf_free(b);
}

static void test_merge_upsert_only(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_merge_spec m = spec(true, false);
    const char *sql = merge(&m, b);
    assert_null(strstr(sql, "THEN DELETE"));
    assert_non_null(strstr(sql, "THEN UPDATE SET"));
    assert_non_null(strstr(sql, "WHEN NOT MATCHED AND s.src.value IS NOT NULL THEN"));
    sluice_host->buf_free(b);
}

static void test_merge_delete_only(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_merge_spec m = spec(false, true);
    m.ncols = 1;
    m.nkey = 1;
    assert_string_equal(
        merge(&m, b),
        "MERGE `p.d.dest` AS d\n"
        "USING (\n"
        "  SELECT ARRAY_AGG(x ORDER BY x.position DESC, x.i DESC LIMIT 1)[OFFSET(0)] AS src\n"
        "  FROM `p.d.dest_tmp` AS x\n"
        "  WHERE x.batchNumber <= 7\n"
        "  GROUP BY x.key.`id`\n"
        ") AS s\n"
        "ON d.`kafkaKey` = s.src.key\n"
        "WHEN MATCHED AND s.src.value IS NULL AND s.src.position >= d.`pos` THEN DELETE\n"
        "WHEN NOT MATCHED AND s.src.value IS NOT NULL THEN\n"
        "  INSERT (`kafkaKey`, `c1`, `pos`) VALUES (s.src.key, s.src.value.`c1`, "
        "s.src.position)");
    sluice_host->buf_free(b);
}

static void test_cleanup(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_merge_spec m = spec(true, true);
    m.batch = 1763712000123;
    bq_cleanup_sql(b, &m);
    assert_string_equal(sluice_host->buf_data(b),
                        "DELETE FROM `p.d.dest_tmp` WHERE batchNumber <= 1763712000123");
    sluice_host->buf_free(b);
}

static void test_quoting(void **state)
{
    sluice_buf *b = sluice_host->buf_new();
    bq_ident(b, "we`ird\\");
    assert_string_equal(sluice_host->buf_data(b), "`we\\`ird\\\\`");
    static const char *const odd[] = {"it's"};
    bq_merge_spec m = spec(true, false);
    m.cols = odd;
    m.ncols = 1;
    const char *sql = merge(&m, b);
    assert_non_null(strstr(sql, "`it's` = IF('it\\'s' IN UNNEST(s.src.toast), d.`it's`, "
                                "s.src.value.`it's`)"));
    sluice_host->buf_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_upsert_delete),
        cmocka_unit_test(test_merge_upsert_only),
        cmocka_unit_test(test_merge_delete_only),
        cmocka_unit_test(test_cleanup),
        cmocka_unit_test(test_quoting),
    };
    return cmocka_run_group_tests(tests, tb_setup, tb_teardown);
}
