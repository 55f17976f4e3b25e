/*
 * test_loader.c — the plugin loader and catalogue against the fixture .so files in
 * $SLUICE_FIXTURE_DIR: every refusal with its exact message, good plugins resolving by class name,
 * simple name and alias, and mixed directories. It must never depend on installed plugins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/props.h"
#include "data/value.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"
#include "plugin/loader.h"
#include "task/offsets.h"

static char fixture_dir[1024];

static const char *fixture(const char *name)
{
    static char path[4][1200];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof(path[0]), "%s/%s.so", fixture_dir, name);
    return p;
}

static int setup(void **state)
{
    const char *d = getenv("SLUICE_FIXTURE_DIR");
    snprintf(fixture_dir, sizeof(fixture_dir), "%s", d != NULL ? d : "tests/plugins/.libs");
    return 0;
}

static int teardown(void **state)
{
    sl_catalog_shutdown();
    return 0;
}

/* Load a fixture that must be refused; check the message and that nothing was registered. */
static void expect_refusal(const char *name, const char *fmt)
{
    char err[1024] = "", want[2048];
    const char *path = fixture(name);
    sl_catalog_register_builtins();
    size_t before = sl_catalog_count();
    assert_int_equal(sl_catalog_load_file(path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), fmt, path);
    assert_string_equal(err, want);
    assert_int_equal(sl_catalog_count(), before);
}

static void test_good_sink_resolves_by_class_simple_name_suffixless_name_and_alias(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    const struct sl_component *c =
        sl_catalog_find(SLUICE_KIND_SINK, "org.example.fixture.GoodSinkConnector");
    assert_non_null(c);
    assert_ptr_equal(sl_catalog_find(0, "GoodSinkConnector"), c);
    assert_ptr_equal(sl_catalog_find(0, "GoodSink"), c);
    assert_ptr_equal(sl_catalog_find(SLUICE_KIND_SINK, "good-sink"), c);
    assert_string_equal(c->file, fixture("good_sink"));
    assert_string_equal(c->version, "1.2.3");
    assert_string_equal(sl_component_kind_name((int)c->comp->kind), "sink");
}

static size_t count_components(const struct sluice_plugin_descriptor *d)
{
    size_t n = 0;
    while (d->components != NULL && d->components[n] != NULL) {
        n++;
    }
    return n;
}

static void test_builtins_pass_the_same_checks_and_are_registered_first(void **state)
{
    sl_catalog_register_builtins();
    sl_catalog_register_builtins(); /* idempotent */
    size_t want =
        count_components(sl_builtin_converters()) + count_components(sl_builtin_transforms());
    assert_int_equal(sl_catalog_count(), want);
    for (size_t i = 0; i < want; i++) {
        assert_null(sl_catalog_at(i)->file);
    }
    assert_null(sl_catalog_at(want));
}

static void test_lookup_is_case_sensitive_and_kind_filtered(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    assert_null(sl_catalog_find(0, "org.example.fixture.goodsinkconnector"));
    assert_null(sl_catalog_find(0, "goodsink"));
    assert_null(sl_catalog_find(SLUICE_KIND_TRANSFORM, "good-sink"));
    assert_null(sl_catalog_find(0, "fixture.GoodSinkConnector"));
    assert_null(sl_catalog_find(0, ""));
    assert_null(sl_catalog_find(0, NULL));
}

static void test_config_defs_are_walked_with_the_descriptor_stride(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    const struct sl_component *c = sl_catalog_find(0, "good-sink");
    assert_non_null(c);
    assert_string_equal(sl_component_def_at(c, 0)->name, "target");
    assert_string_equal(sl_component_def_at(c, 1)->name, "batch.size");
    assert_string_equal(sl_component_def_at(c, 2)->name, "mode");
    assert_null(sl_component_def_at(c, 3));
    assert_null(sl_component_def_at(c, 100));
}

static void test_bad_magic_is_refused_with_expected_and_got(void **state)
{
    expect_refusal("bad_magic",
                   "%s: incompatible plugin: magic block mismatch: expected 0x534c4350, got "
                   "0xdeadbeef");
}

static void test_major_mismatch_is_refused(void **state)
{
    expect_refusal("major_mismatch",
                   "%s: incompatible plugin: ABI major version mismatch: expected 1, got 2");
}

static void test_plugin_needing_a_newer_host_minor_is_refused(void **state)
{
    expect_refusal("future_minor", "%s: incompatible plugin: it needs host ABI 1.2 or newer: "
                                   "expected min_host_minor <= 1, got 2");
}

static void test_wrong_abi_facts_are_refused(void **state)
{
    expect_refusal("wrong_facts", "%s: incompatible plugin: ABI facts (pointer size, long size, "
                                  "byte order) mismatch: expected 0x0811, got 0x0409");
}

static void test_missing_entry_symbol_is_refused_naming_the_function(void **state)
{
    expect_refusal("no_entry", "could not find function \"sluice_plugin_entry\" in file \"%s\"");
}

static void test_entry_returning_null_is_refused_naming_the_file(void **state)
{
    expect_refusal(
        "entry_returns_null",
        "%s: sluice_plugin_entry() returned NULL: the plugin refused this host (ABI 1.1)");
}

static void test_sink_without_put_is_refused_naming_the_callback(void **state)
{
    expect_refusal("missing_put", "%s: component \"org.example.fixture.MissingPutConnector\" "
                                  "(sink): required callback put() is NULL: expected a function, "
                                  "got NULL");
    assert_null(sl_catalog_find(0, "missing-put"));
}

static void test_duplicate_class_is_refused_naming_the_first_provider(void **state)
{
    char err[1024] = "", want[2048];
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    size_t before = sl_catalog_count();
    assert_int_equal(sl_catalog_load_file(fixture("dup_class"), err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s: component class \"org.example.fixture.GoodSinkConnector\" is already provided "
             "by %s",
             fixture("dup_class"), fixture("good_sink"));
    assert_string_equal(err, want);
    assert_int_equal(sl_catalog_count(), before);
    assert_null(sl_catalog_find(0, "dup-class"));
    assert_string_equal(sl_catalog_find(0, "GoodSinkConnector")->file, fixture("good_sink"));
}

static void test_required_config_key_with_a_default_is_refused(void **state)
{
    expect_refusal(
        "bad_config_def",
        "%s: component \"org.example.fixture.BadConfigDefConnector\": config key "
        "\"needed.key\" is REQUIRED but has a default: expected no default, got \"oops\"");
}

static void test_duplicate_config_key_is_refused(void **state)
{
    expect_refusal("dup_config_key",
                   "%s: component \"org.example.fixture.DupConfigKeyConnector\": duplicate config "
                   "key \"topic.prefix\": expected unique names, got it at #0 and #2");
}

static void test_plugin_built_against_the_frozen_v1_0_header_loads_and_works(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("abi_v1_0_sink"), err, sizeof(err)), 0);
    const struct sl_component *c = sl_catalog_find(SLUICE_KIND_SINK, "AbiV10Sink");
    assert_non_null(c);
    assert_ptr_equal(sl_catalog_find(SLUICE_KIND_SINK, "abi-v1-0-sink"), c);

    /* Drive it through the current host table with the 1.0 layout it was compiled against. */
    sl_props *raw = sl_props_new();
    sl_props_set(raw, "tag", "old");
    sl_config *cfg =
        sl_config_new(c->comp->config_defs, c->desc->config_def_size, raw, NULL, err, sizeof(err));
    assert_non_null(cfg);
    struct sluice_ctx *ctx = sl_ctx_new("legacy", 0, c->comp->class_name);
    sl_arena *batch = sl_ctx_batch_arena(ctx);
    const struct sluice_sink_ops *ops = c->comp->ops;
    void *task = NULL;
    assert_int_equal(ops->create(ctx, cfg, &task), SLUICE_OK);
    sl_record *r0 = sl_record_new(batch), *r1 = sl_record_new(batch);
    r0->topic = r1->topic = "t";
    r0->offset = 0;
    r1->offset = 1;
    r0->value = sl_value_new_string(batch, NULL, "a", 1);
    r1->value = sl_value_new_int(batch, NULL, SLUICE_TYPE_INT32, 5);
    sl_record *recs[] = {r0, r1};
    assert_int_equal(ops->put(task, recs, 2), SLUICE_OK);
    sl_offsets o;
    sl_offsets_init(&o);
    sl_offsets_add(&o, "t", 0, 2);
    assert_int_equal(ops->pre_commit(task, &o), SLUICE_OK);
    assert_int_equal(sl_offsets_get(&o, 0), 1);
    assert_string_equal(sl_ctx_take_error(ctx, ""), "old t-0@0=\"a\";old t-0@1=5;");
    ops->destroy(task);
    sl_offsets_free(&o);
    sl_ctx_destroy(ctx);
    sl_config_free(cfg);
    sl_props_free(raw);
}

static void test_loading_the_same_file_twice_registers_it_once(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    size_t n = sl_catalog_count();
    assert_int_equal(sl_catalog_load_file(fixture("good_sink"), err, sizeof(err)), 0);
    assert_int_equal(sl_catalog_count(), n);
}

static void test_the_plugin_template_builds_and_loads(void **state)
{
    char err[1024] = "";
    assert_int_equal(sl_catalog_load_file(fixture("example_sink"), err, sizeof(err)), 0);
    const struct sl_component *c = sl_catalog_find(SLUICE_KIND_SINK, "ExampleSink");
    assert_non_null(c);
    assert_ptr_equal(sl_catalog_find(0, "example-sink"), c);
    assert_string_equal(sl_component_def_at(c, 1)->name, "example.max.value.length");
    assert_string_equal(c->version, "0.1.0");
}

static void make_tmp_dir(char *dir, size_t len)
{
    const char *base = getenv("SLUICE_TEST_TMP");
    snprintf(dir, len, "%s/loader-XXXXXX", base != NULL ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb");
    assert_non_null(in);
    FILE *out = fopen(to, "wb");
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    fclose(out);
    assert_int_equal(chmod(to, mode), 0);
}

static void remove_tree(const char *dir, const char *const *names)
{
    char path[2048];
    for (size_t i = 0; names[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
}

static void test_world_writable_plugin_file_is_refused(void **state)
{
    char dir[1024], path[1200], err[1024] = "", want[2048];
    make_tmp_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/open_sink.so", dir);
    copy_file(fixture("good_sink"), path, 0666);
    assert_int_equal(sl_catalog_load_file(path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: refusing a world-writable plugin file (mode 0666)", path);
    assert_string_equal(err, want);
    assert_null(sl_catalog_find(0, "good-sink"));
    static const char *const names[] = {"open_sink.so", NULL};
    remove_tree(dir, names);
}

static void test_directory_with_a_mix_loads_only_the_good_plugins(void **state)
{
    char dir[1024], sub[1100], path[1200];
    make_tmp_dir(dir, sizeof(dir));
    static const char *const bad[] = {"bad_magic",   "major_mismatch",     "no_entry",
                                      "missing_put", "entry_returns_null", NULL};
    for (size_t i = 0; bad[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s.so", dir, bad[i]);
        copy_file(fixture(bad[i]), path, 0644);
    }
    snprintf(path, sizeof(path), "%s/good_sink.so", dir);
    copy_file(fixture("good_sink"), path, 0644);
    snprintf(path, sizeof(path), "%s/README.txt", dir); /* not a .so: ignored */
    copy_file(fixture("good_sink"), path, 0644);
    /* One folder per plugin, like Java's plugin.path layout. */
    snprintf(sub, sizeof(sub), "%s/abi", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(path, sizeof(path), "%s/abi/abi_v1_0_sink.so", dir);
    copy_file(fixture("abi_v1_0_sink"), path, 0644);

    sl_catalog_register_builtins();
    size_t builtins = sl_catalog_count();
    assert_int_equal(sl_catalog_load(dir), 5);
    assert_int_equal(sl_catalog_count(), builtins + 2);
    assert_non_null(sl_catalog_find(SLUICE_KIND_SINK, "good-sink"));
    assert_non_null(sl_catalog_find(SLUICE_KIND_SINK, "abi-v1-0-sink"));
    assert_null(sl_catalog_find(0, "bad-magic"));
    assert_null(sl_catalog_find(0, "missing-put"));

    static const char *const names[] = {"bad_magic.so",
                                        "major_mismatch.so",
                                        "no_entry.so",
                                        "missing_put.so",
                                        "entry_returns_null.so",
                                        "good_sink.so",
                                        "README.txt",
                                        "abi/abi_v1_0_sink.so",
                                        "abi",
                                        NULL};
    remove_tree(dir, names);
}

static void test_plugin_path_takes_comma_separated_files_and_skips_missing_entries(void **state)
{
    char spec[4096];
    snprintf(spec, sizeof(spec), " %s , /nonexistent/sluice/plugins,%s,", fixture("good_sink"),
             fixture("abi_v1_0_sink"));
    assert_int_equal(sl_catalog_load(spec), 0);
    assert_non_null(sl_catalog_find(0, "good-sink"));
    assert_non_null(sl_catalog_find(0, "abi-v1-0-sink"));
}

static void test_fixture_directory_refuses_the_duplicate_but_keeps_the_first(void **state)
{
    /* dup_class sorts before good_sink, so it wins the class and good_sink is refused. */
    int refused = sl_catalog_load(fixture_dir);
    assert_true(refused >= 10);
    const struct sl_component *c = sl_catalog_find(0, "org.example.fixture.GoodSinkConnector");
    assert_non_null(c);
    assert_string_equal(c->file, fixture("dup_class"));
    assert_null(sl_catalog_find(0, "good-sink"));
    assert_non_null(sl_catalog_find(0, "abi-v1-0-sink"));
}

/* ---- descriptor rules that need no .so ---- */

static sluice_rc stub_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    return SLUICE_OK;
}

static sluice_rc stub_apply(void *state, sluice_record *in, sluice_record **out)
{
    *out = in;
    return SLUICE_OK;
}

static struct sluice_transform_ops tr_ops = {
    .struct_size = sizeof(struct sluice_transform_ops),
    .create = stub_create,
    .apply = stub_apply,
};
static struct sluice_config_def tr_defs[3];
static struct sluice_component tr_comp = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_TRANSFORM,
    .class_name = "org.example.Mask$Value",
    .ops = &tr_ops,
    .config_defs = tr_defs,
};
static const struct sluice_component *const tr_comps[] = {&tr_comp, NULL};

static int check_one(struct sluice_config_def def, char *err, size_t errlen)
{
    memset(tr_defs, 0, sizeof(tr_defs));
    tr_defs[0] = def;
    struct sluice_plugin_descriptor d = {SLUICE_DESCRIPTOR_HEADER, .components = tr_comps};
    return sl_loader_check_descriptor(&d, "x.so", err, errlen);
}

static void test_config_defaults_must_parse_for_their_type_and_range(void **state)
{
    char err[1024];
    static const char *const modes[] = {"a", "b", NULL};
    struct sluice_config_def ok = {.name = "n", .type = SLUICE_CFG_INT, .default_value = "42"};
    assert_int_equal(check_one(ok, err, sizeof(err)), 0);

    struct sluice_config_def bad_int = {.name = "n", .type = SLUICE_CFG_INT, .default_value = "4x"};
    assert_int_equal(check_one(bad_int, err, sizeof(err)), -1);
    assert_string_equal(err, "x.so: component \"org.example.Mask$Value\": config key \"n\" has a "
                             "bad default: expected a INT, got \"4x\"");

    struct sluice_config_def big = {
        .name = "n", .type = SLUICE_CFG_INT, .default_value = "3000000000"};
    assert_int_equal(check_one(big, err, sizeof(err)), -1);

    struct sluice_config_def bad_bool = {
        .name = "b", .type = SLUICE_CFG_BOOLEAN, .default_value = "yes"};
    assert_int_equal(check_one(bad_bool, err, sizeof(err)), -1);

    struct sluice_config_def range = {.name = "r",
                                      .type = SLUICE_CFG_LONG,
                                      .flags = SLUICE_CFG_F_HAS_RANGE,
                                      .default_value = "0",
                                      .min = 1,
                                      .max = 10};
    assert_int_equal(check_one(range, err, sizeof(err)), -1);
    assert_string_equal(err, "x.so: component \"org.example.Mask$Value\": config key \"r\" has a "
                             "default outside its range: expected [1, 10], got 0");

    struct sluice_config_def en = {
        .name = "e", .type = SLUICE_CFG_STRING, .default_value = "c", .valid_values = modes};
    assert_int_equal(check_one(en, err, sizeof(err)), -1);
    en.default_value = "B";
    assert_int_equal(check_one(en, err, sizeof(err)), 0);
}

static void test_unknown_kind_and_garbage_ops_size_are_refused(void **state)
{
    char err[1024];
    memset(tr_defs, 0, sizeof(tr_defs));
    struct sluice_plugin_descriptor d = {SLUICE_DESCRIPTOR_HEADER, .components = tr_comps};
    tr_comp.kind = 42;
    assert_int_equal(sl_loader_check_descriptor(&d, "x.so", err, sizeof(err)), -1);
    assert_string_equal(err, "x.so: component \"org.example.Mask$Value\": unknown kind: expected "
                             "1..6, got 42");
    tr_comp.kind = SLUICE_KIND_TRANSFORM;
    tr_ops.struct_size = 8;
    assert_int_equal(sl_loader_check_descriptor(&d, "x.so", err, sizeof(err)), -1);
    assert_string_equal(err, "x.so: component \"org.example.Mask$Value\" (transformation): ops "
                             "struct_size out of range: expected 40..4096, got 8");
    tr_ops.struct_size = sizeof(struct sluice_transform_ops);
    d.struct_size = 16;
    assert_int_equal(sl_loader_check_descriptor(&d, "x.so", err, sizeof(err)), -1);
    assert_string_equal(err, "x.so: incompatible plugin: descriptor struct_size too small: "
                             "expected at least 72, got 16");
    d.struct_size = sizeof(d);
    assert_int_equal(sl_loader_check_descriptor(&d, "x.so", err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, NULL, teardown)
        T(test_good_sink_resolves_by_class_simple_name_suffixless_name_and_alias),
        T(test_builtins_pass_the_same_checks_and_are_registered_first),
        T(test_lookup_is_case_sensitive_and_kind_filtered),
        T(test_config_defs_are_walked_with_the_descriptor_stride),
        T(test_bad_magic_is_refused_with_expected_and_got),
        T(test_major_mismatch_is_refused),
        T(test_plugin_needing_a_newer_host_minor_is_refused),
        T(test_wrong_abi_facts_are_refused),
        T(test_missing_entry_symbol_is_refused_naming_the_function),
        T(test_entry_returning_null_is_refused_naming_the_file),
        T(test_sink_without_put_is_refused_naming_the_callback),
        T(test_duplicate_class_is_refused_naming_the_first_provider),
        T(test_required_config_key_with_a_default_is_refused),
        T(test_duplicate_config_key_is_refused),
        T(test_plugin_built_against_the_frozen_v1_0_header_loads_and_works),
        T(test_loading_the_same_file_twice_registers_it_once),
        T(test_the_plugin_template_builds_and_loads),
        T(test_world_writable_plugin_file_is_refused),
        T(test_directory_with_a_mix_loads_only_the_good_plugins),
        T(test_plugin_path_takes_comma_separated_files_and_skips_missing_entries),
        T(test_fixture_directory_refuses_the_duplicate_but_keeps_the_first),
        T(test_config_defaults_must_parse_for_their_type_and_range),
        T(test_unknown_kind_and_garbage_ops_size_are_refused),
#undef T
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
