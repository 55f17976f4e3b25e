/*
 * test_bigquery_host.h — shared by the BigQuery sink unit tests (test_bigquery_*.c): they compile
 * the plugin's internals (plugins/bigquery_sink/bq_*.c) directly and run them against the
 * worker's real host table, with Connect values made by the real JsonConverter.
 */
#ifndef TEST_BIGQUERY_HOST_H
#define TEST_BIGQUERY_HOST_H

#include <string.h>

#include "converters/json_converter.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "util/mem.h"

/* The plugin sources reference this global; in the .so SLUICE_PLUGIN_DEFINE defines it. */
const struct sluice_host_api *sluice_host;

static sl_arena *tb_arena;
static sl_jsonconv *tb_conv;

static int tb_setup(void **state)
{
    (void)state;
    sluice_host = sl_host_api();
    tb_arena = sl_arena_new(0);
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    tb_conv = sl_jsonconv_new(&o);
    return 0;
}

static int tb_teardown(void **state)
{
    (void)state;
    sl_jsonconv_free(tb_conv);
    sl_arena_destroy(tb_arena);
    return 0;
}

/* A Connect value (and its schema) from JsonConverter text {"schema":..,"payload":..}. */
__attribute__((unused)) static const sl_value *tb_value(const char *json, const sl_schema **schema)
{
    char err[256] = "";
    const sl_value *v = NULL;
    const sl_schema *s = NULL;
    if (sl_jsonconv_to_connect(tb_conv, tb_arena, json, strlen(json), &s, &v, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "converter: %s\n", err);
        return NULL;
    }
    if (schema != NULL) {
        *schema = s;
    }
    return v;
}

#endif
