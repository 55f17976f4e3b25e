/*
 * test_file_sink.c — the built sluice_file_sink.so ($SLUICE_BUILD_PLUGINS/file_sink/.libs) loaded
 * through the real loader and driven through the real host table: create, put records built with
 * value.h, pre_commit, then read the file. It must never reach into the plugin's internals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/props.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "task/offsets.h"

#define JAVA_CLASS "org.apache.kafka.connect.file.FileStreamSinkConnector"

static const struct sl_component *sink;
static const struct sluice_sink_ops *ops;

struct fixture {
    char dir[1024];
    char path[1200];
    struct sluice_ctx *ctx;
    sl_config *cfg;
    void *task;
    sl_arena *batch;
};

static int group_setup(void **state)
{
    const char *base = getenv("SLUICE_BUILD_PLUGINS");
    char so[1024], err[1024] = "";
    snprintf(so, sizeof(so), "%s/file_sink/.libs/sluice_file_sink.so",
             base != NULL ? base : "plugins");
    if (sl_catalog_load_file(so, err, sizeof(err)) != 0) {
        fprintf(stderr, "cannot load the file sink: %s\n", err);
        return -1;
    }
    sink = sl_catalog_find(SLUICE_KIND_SINK, JAVA_CLASS);
    if (sink == NULL) {
        return -1;
    }
    ops = sink->comp->ops;
    return 0;
}

static int group_teardown(void **state)
{
    sl_catalog_shutdown();
    return 0;
}

static sl_config *make_config(const char *file)
{
    sl_props *raw = sl_props_new();
    if (file != NULL) {
        sl_props_set(raw, "file", file);
    }
    char err[512] = "";
    sl_config *cfg = sl_config_new(sink->comp->config_defs, sink->desc->config_def_size, raw, NULL,
                                   err, sizeof(err));
    sl_props_free(raw);
    assert_non_null(cfg);
    return cfg;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("SLUICE_TEST_TMP");
    snprintf(f->dir, sizeof(f->dir), "%s/file-sink-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/out.txt", f->dir);
    f->ctx = sl_ctx_new("local-file-sink", 0, JAVA_CLASS);
    f->batch = sl_arena_new(0);
    sl_ctx_set_batch_arena(f->ctx, f->batch);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->task != NULL) {
        ops->destroy(f->task);
    }
    sl_config_free(f->cfg);
    sl_ctx_destroy(f->ctx);
    sl_arena_destroy(f->batch);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static sl_record *record_with(struct fixture *f, int64_t offset, const sl_value *v)
{
    sl_record *r = sl_record_new(f->batch);
    r->topic = "lines";
    r->partition = 0;
    r->offset = offset;
    r->value = v;
    r->value_schema = v != NULL ? v->schema : NULL;
    return r;
}

static char *slurp(const char *path)
{
    static char text[8192];
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    assert_true(n >= 0);
    text[n] = '\0';
    return text;
}

static void create_task(struct fixture *f, const char *file)
{
    f->cfg = make_config(file);
    assert_int_equal(ops->create(f->ctx, f->cfg, &f->task), SLUICE_OK);
}

static void test_file_sink_resolves_by_java_class_simple_name_and_aliases(void **state)
{
    assert_ptr_equal(sl_catalog_find(0, "FileStreamSink"), sink);
    assert_ptr_equal(sl_catalog_find(0, "FileStreamSinkConnector"), sink);
    assert_ptr_equal(sl_catalog_find(SLUICE_KIND_SINK, "file-sink"), sink);
    assert_string_equal(sl_component_def_at(sink, 0)->name, "file");
    assert_null(sl_component_def_at(sink, 1));
    assert_non_null(ops->pre_commit);
}

static void test_the_shared_object_exports_only_the_entry_point(void **state)
{
    void *h = dlopen(sink->file, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(h);
    assert_non_null(dlsym(h, "sluice_plugin_entry"));
    assert_null(dlsym(h, "fs_put"));
    assert_null(dlsym(h, "fs_descriptor"));
    assert_null(dlsym(h, "sluice_host"));
    dlclose(h);
}

static void test_put_then_pre_commit_writes_one_line_per_value_like_java(void **state)
{
    struct fixture *f = *state;
    create_task(f, f->path);
    sl_schema *st = sl_schema_new(f->ctx->instance, SLUICE_TYPE_STRUCT, false, "Row");
    sl_schema_add_field(f->ctx->instance, st, "id", sl_schema_primitive(SLUICE_TYPE_INT32, false));
    sl_schema_add_field(f->ctx->instance, st, "name",
                        sl_schema_primitive(SLUICE_TYPE_STRING, true));
    sl_value *row = sl_value_new_struct(f->batch, st);
    row->u.arr.items[0] = sl_value_new_int(f->batch, st->fields[0].schema, SLUICE_TYPE_INT32, 7);
    row->u.arr.items[1] = sl_value_new_string(f->batch, st->fields[1].schema, "ann", 3);

    sl_record *recs[] = {
        record_with(f, 0, sl_value_new_string(f->batch, NULL, "hello world", 11)),
        record_with(f, 1, NULL), /* tombstone */
        record_with(f, 2, sl_value_new_int(f->batch, NULL, SLUICE_TYPE_INT64, -42)),
        record_with(f, 3, sl_value_new_double(f->batch, NULL, SLUICE_TYPE_FLOAT64, 1.0)),
        record_with(f, 4, sl_value_new_double(f->batch, NULL, SLUICE_TYPE_FLOAT64, 0.1)),
        record_with(f, 5, sl_value_new_bool(f->batch, NULL, true)),
        record_with(f, 6, row),
        record_with(f, 7, sl_value_new_bytes(f->batch, NULL, "hi", 2)),
    };
    assert_int_equal(ops->put(f->task, recs, 8), SLUICE_OK);
    sl_offsets o;
    sl_offsets_init(&o);
    sl_offsets_add(&o, "lines", 0, 8);
    assert_int_equal(ops->pre_commit(f->task, &o), SLUICE_OK);
    assert_int_equal(sl_offsets_get(&o, 0), 8); /* nothing held back */
    sl_offsets_free(&o);
    assert_string_equal(slurp(f->path), "hello world\n"
                                        "null\n"
                                        "-42\n"
                                        "1.0\n"
                                        "0.1\n"
                                        "true\n"
                                        "{\"id\":7,\"name\":\"ann\"}\n"
                                        "aGk=\n");
}

static void test_lines_are_durable_after_pre_commit_and_batches_append(void **state)
{
    struct fixture *f = *state;
    FILE *old = fopen(f->path, "w");
    assert_non_null(old);
    fputs("earlier\n", old);
    fclose(old);
    create_task(f, f->path);
    sl_record *a[] = {record_with(f, 0, sl_value_new_string(f->batch, NULL, "one", 3))};
    sl_record *b[] = {record_with(f, 1, sl_value_new_string(f->batch, NULL, "two", 3)),
                      record_with(f, 2, sl_value_new_string(f->batch, NULL, "three", 5))};
    assert_int_equal(ops->put(f->task, a, 1), SLUICE_OK);
    assert_int_equal(ops->pre_commit(f->task, NULL), SLUICE_OK);
    assert_string_equal(slurp(f->path), "earlier\none\n");
    assert_int_equal(ops->put(f->task, b, 2), SLUICE_OK);
    assert_int_equal(ops->put(f->task, b, 0), SLUICE_OK);
    assert_int_equal(ops->pre_commit(f->task, NULL), SLUICE_OK);
    assert_string_equal(slurp(f->path), "earlier\none\ntwo\nthree\n");
}

static void test_unopenable_file_fails_create_with_javas_message(void **state)
{
    struct fixture *f = *state;
    char bad[1400];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/out.txt", f->dir);
    f->cfg = make_config(bad);
    void *task = NULL;
    assert_int_equal(ops->create(f->ctx, f->cfg, &task), SLUICE_ERR);
    assert_null(task);
    char want[1600];
    snprintf(want, sizeof(want),
             "Couldn't find or create file '%s' for FileStreamSinkTask: No such file or directory",
             bad);
    assert_string_equal(sl_ctx_take_error(f->ctx, ""), want);
}

static void test_unset_file_writes_to_standard_output(void **state)
{
    struct fixture *f = *state;
    fflush(stdout);
    int saved = dup(1);
    int fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    dup2(fd, 1);
    create_task(f, NULL);
    sl_record *r[] = {record_with(f, 0, sl_value_new_string(f->batch, NULL, "to stdout", 9))};
    assert_int_equal(ops->put(f->task, r, 1), SLUICE_OK);
    sluice_rc rc = ops->pre_commit(f->task, NULL);
    ops->destroy(f->task);
    f->task = NULL;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(fd);
    assert_int_equal(rc, SLUICE_OK);
    assert_string_equal(slurp(f->path), "to stdout\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_file_sink_resolves_by_java_class_simple_name_and_aliases),
        T(test_the_shared_object_exports_only_the_entry_point),
        T(test_put_then_pre_commit_writes_one_line_per_value_like_java),
        T(test_lines_are_durable_after_pre_commit_and_batches_append),
        T(test_unopenable_file_fails_create_with_javas_message),
        T(test_unset_file_writes_to_standard_output),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
