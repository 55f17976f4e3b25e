/*
 * bench_json_decode.c — decode throughput of sluice's JsonConverter (simdjson shim, schema cache,
 * typed values in a reset-per-batch arena) against jansson's json_loadb on the same Debezium
 * events; also the schemaless decode and the value → JSON text rendering the file sink uses. A
 * measuring tool only: it never runs in the worker and proves nothing about correctness.
 *
 *   bench_json_decode [data-dir] [seconds-per-side]
 *
 * data-dir is tests/data or tests/data/debezium. SL_BENCH_PASSES=N runs exactly N passes per side
 * instead of a time budget, for instruction counts (perf stat -e instructions, callgrind).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "converters/json_converter.h"
#include "data/value.h"
#include "util/buf.h"

#ifndef SL_TEST_DATA_DIR
#define SL_TEST_DATA_DIR "tests/data"
#endif

struct doc {
    char *p;
    size_t len;
};

static struct doc *docs;
static size_t ndocs, doccap;
static size_t total_bytes;

static void add_doc(const char *p, size_t len)
{
    if (ndocs == doccap) {
        doccap = doccap ? doccap * 2 : 64;
        docs = realloc(docs, doccap * sizeof(*docs));
    }
    docs[ndocs].p = malloc(len + 1);
    memcpy(docs[ndocs].p, p, len);
    docs[ndocs].p[len] = '\0';
    docs[ndocs].len = len;
    ndocs++;
    total_bytes += len;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/debezium/%s", dir, name);
    if (access(path, R_OK) != 0) { /* dir may be the debezium directory itself */
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        exit(1);
    }
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Envelopes with schemas: whole .json files, each line of the .jsonl files, and the "value"
 * (and "key") members of file 06's lines. */
static void load(const char *dir)
{
    static const char *whole[] = {"01_debezium-docs_postgresql_customers_create.json",
                                  "02_debezium-docs_mysql_customers_create.json",
                                  "03_debezium-test_serde-with-schema_mysql_create.json"};
    static const char *lines[] = {"04_paimon_debezium_mysql_alltypes.jsonl",
                                  "07_flink_debezium-data-schema-include.jsonl",
                                  "07_flink_debezium-postgres-data-schema-include.jsonl"};
    size_t len;
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
        char *p = slurp(dir, whole[i], &len);
        add_doc(p, len);
        free(p);
    }
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        char *p = slurp(dir, lines[i], &len);
        char *save = NULL;
        for (char *l = strtok_r(p, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            add_doc(l, strlen(l));
        }
        free(p);
    }
    char *p = slurp(dir, "06_synthetic_postgres_orders_logical_types.jsonl", &len);
    char *save = NULL;
    for (char *l = strtok_r(p, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(l, 0, NULL);
        static const char *members[] = {"key", "value"};
        for (int m = 0; j != NULL && m < 2; m++) {
            json_t *x = json_object_get(j, members[m]);
            if (x != NULL && !json_is_null(x)) {
                char *t = json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER);
                add_doc(t, strlen(t));
                free(t);
            }
        }
        json_decref(j);
    }
    free(p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long fixed_passes; /* SL_BENCH_PASSES, 0 = run for a time budget */

/* Times passes over every document: true from `more` while the budget lasts. */
struct clock_run {
    double t0, t;
    long passes;
};

static int more(struct clock_run *r, double seconds)
{
    r->t = now_s();
    if (r->passes == 0) {
        r->t0 = r->t;
    }
    return fixed_passes > 0 ? r->passes++ < fixed_passes
                            : r->passes++ == 0 || r->t - r->t0 < seconds;
}

static double rate(const struct clock_run *r)
{
    return (double)total_bytes * (double)(r->passes - 1) / (r->t - r->t0) / 1e6;
}

/* JsonConverter with schemas.enable = `schemas`. With `keep`, the last pass's values go there and
 * their arena to *keep_arena (the caller destroys it). */
static double run_sluice(double seconds, bool schemas, const sl_value **keep, sl_arena **keep_arena)
{
    struct sl_jsonconv_opts o;
    sl_jsonconv_default_opts(&o);
    o.schemas_enable = schemas;
    sl_jsonconv *c = sl_jsonconv_new(&o);
    sl_arena *a = sl_arena_new(1 << 20);
    struct clock_run r = {0};
    while (more(&r, seconds)) {
        sl_arena_reset(a); /* one "batch" per pass */
        for (size_t i = 0; i < ndocs; i++) {
            const sl_schema *s;
            const sl_value *v;
            char err[256];
            if (sl_jsonconv_to_connect(c, a, docs[i].p, docs[i].len, &s, &v, err, sizeof(err))) {
                fprintf(stderr, "sluice failed on document %zu: %s\n", i, err);
                exit(1);
            }
            if (keep != NULL) {
                keep[i] = v;
            }
        }
    }
    if (keep != NULL) {
        *keep_arena = a;
    } else {
        sl_arena_destroy(a);
    }
    sl_jsonconv_free(c);
    return rate(&r);
}

/* sl_value_to_json over schemaless values (the file sink's rendering); MB/s of input JSON. */
static double run_to_json(double seconds, const sl_value **vals, size_t *out_bytes)
{
    sl_buf out = SL_BUF_INIT;
    struct clock_run r = {0};
    while (more(&r, seconds)) {
        sl_buf_reset(&out);
        for (size_t i = 0; i < ndocs; i++) {
            sl_value_to_json(vals[i], &out);
            sl_buf_putc(&out, '\n');
        }
    }
    *out_bytes = out.len;
    sl_buf_free(&out);
    return rate(&r);
}

static double run_jansson(double seconds)
{
    struct clock_run r = {0};
    while (more(&r, seconds)) {
        for (size_t i = 0; i < ndocs; i++) {
            json_error_t e;
            json_t *j = json_loadb(docs[i].p, docs[i].len, 0, &e);
            if (j == NULL) {
                fprintf(stderr, "jansson failed on document %zu: %s\n", i, e.text);
                exit(1);
            }
            json_decref(j);
        }
    }
    return rate(&r);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("SLUICE_TEST_DATA");
    if (dir == NULL) {
        dir = SL_TEST_DATA_DIR;
    }
    double seconds = argc > 2 ? strtod(argv[2], NULL) : 2.0;
    if (!(seconds > 0)) {
        seconds = 2.0;
    }
    const char *passes = getenv("SL_BENCH_PASSES");
    fixed_passes = passes != NULL ? strtol(passes, NULL, 10) : 0;
    load(dir);
    printf("%zu Debezium events, %zu bytes per pass\n", ndocs, total_bytes);
    const sl_value **vals = calloc(ndocs, sizeof(*vals));
    run_sluice(0.2, true, NULL, NULL); /* warm the parser, arena and schema cache */
    double s = run_sluice(seconds, true, NULL, NULL);
    sl_arena *vals_arena = NULL;
    double sl = run_sluice(seconds, false, vals, &vals_arena);
    size_t text_bytes = 0;
    double tj = run_to_json(seconds, vals, &text_bytes);
    double j = run_jansson(seconds);
    printf("sluice JsonConverter (simdjson):    %8.1f MB/s\n", s);
    printf("sluice schemaless (schemas off):    %8.1f MB/s\n", sl);
    printf("sluice value -> JSON text:          %8.1f MB/s (of input; %zu bytes out per pass)\n",
           tj, text_bytes);
    printf("jansson json_loadb:                 %8.1f MB/s\n", j);
    printf("ratio sluice/jansson:               %8.2fx\n", s / j);
    free(vals);
    sl_arena_destroy(vals_arena);
    for (size_t i = 0; i < ndocs; i++) {
        free(docs[i].p);
    }
    free(docs);
    return 0;
}
