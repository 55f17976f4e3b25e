/*
 * test_config.c — the config-def engine: typed parsing with Java ConfigDef's error texts, getters,
 * the worker/connector tables, ConfigInfos JSON (shape, field order, golden file), the flattened
 * 400 message, connector validation with transforms/predicates/converters/sink rules, and the
 * generated docs/configuration.md being current. Fixtures: tests/data/config/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/engine.h"
#include "plugin/catalog.h"

static char path_buf[1024];

static const char *data_path(const char *name)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    snprintf(path_buf, sizeof path_buf, "%s/config/%s", dir ? dir : "tests/data", name);
    return path_buf;
}

static sl_props *props_of(const char *text)
{
    sl_props *p = sl_props_new();
    char err[256];
    assert_int_equal(sl_props_parse(text, strlen(text), p, err, sizeof err), 0);
    return p;
}

static sl_config *connector_config(const char *text, char *err, size_t errlen)
{
    sl_props *p = props_of(text);
    sl_config *c = sl_config_new(sl_connector_config_defs, 0, p, NULL, err, errlen);
    sl_props_free(p);
    return c;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (hay == NULL || strstr(hay, needle) == NULL) {
        fail_msg("expected \"%s\" in \"%s\"", needle, hay ? hay : "(null)");
    }
}

/* ---- sl_config ---- */

static void test_connector_defaults_apply_when_keys_are_absent(void **state)
{
    (void)state;
    char err[1024];
    sl_config *c = connector_config("name=a\nconnector.class=FileStreamSink\n", err, sizeof err);
    assert_non_null(c);
    assert_int_equal(sl_config_long(c, "tasks.max"), 1);
    assert_true(sl_config_bool(c, "tasks.max.enforce"));
    assert_string_equal(sl_config_string(c, "errors.tolerance"), "none");
    assert_int_equal(sl_config_long(c, "errors.retry.delay.max.ms"), 60000);
    assert_int_equal(sl_config_long(c, "errors.retry.timeout"), 0);
    assert_string_equal(sl_config_string(c, "config.action.reload"), "restart");
    assert_int_equal(sl_config_list_len(c, "transforms"), 0);
    assert_null(sl_config_string(c, "key.converter"));
    assert_false(sl_config_is_set(c, "tasks.max"));
    assert_true(sl_config_is_set(c, "name"));
    assert_int_equal(sl_config_count(c), 2);
    assert_string_equal(sl_config_key_at(c, 1), "connector.class");
    assert_string_equal(sl_config_value_at(c, 1), "FileStreamSink");
    sl_config_free(c);
    sl_config_free(NULL);
}

static void test_typed_values_are_trimmed_and_parsed(void **state)
{
    (void)state;
    char err[1024];
    sl_config *c = connector_config("name= a \nconnector.class=X\ntasks.max= 42 \n"
                                    "errors.retry.timeout=-1\nerrors.log.enable=TRUE\n"
                                    "errors.tolerance=ALL\ntransforms= a , b ,, c ,\n",
                                    err, sizeof err);
    assert_non_null(c);
    assert_string_equal(sl_config_string(c, "name"), "a");
    assert_int_equal(sl_config_long(c, "tasks.max"), 42);
    assert_string_equal(sl_config_string(c, "tasks.max"), "42");
    assert_int_equal(sl_config_long(c, "errors.retry.timeout"), -1);
    assert_true(sl_config_bool(c, "errors.log.enable"));
    assert_string_equal(sl_config_string(c, "errors.log.enable"), "true");
    /* case-insensitive enum, stored in the table's spelling */
    assert_string_equal(sl_config_string(c, "errors.tolerance"), "all");
    assert_int_equal(sl_config_list_len(c, "transforms"), 3);
    assert_string_equal(sl_config_list_at(c, "transforms", 0), "a");
    assert_string_equal(sl_config_list_at(c, "transforms", 2), "c");
    assert_null(sl_config_list_at(c, "transforms", 3));
    assert_string_equal(sl_config_string(c, "transforms"), "a,b,c");
    sl_config_free(c);
}

static void test_bad_values_fail_with_java_messages_naming_every_key(void **state)
{
    (void)state;
    char err[2048];
    sl_config *c = connector_config("connector.class=X\ntasks.max=abc\nerrors.log.enable=yes\n"
                                    "errors.tolerance=some\nerrors.retry.timeout=1.5\n",
                                    err, sizeof err);
    assert_null(c);
    assert_contains(err, "Missing required configuration \"name\" which has no default value.");
    assert_contains(err, "Invalid value abc for configuration tasks.max: Not a number of type INT");
    assert_contains(err, "Invalid value yes for configuration errors.log.enable: Expected value "
                         "to be either true or false");
    assert_contains(err, "Invalid value some for configuration errors.tolerance: String must be "
                         "one of: none, all");
    assert_contains(err, "Invalid value 1.5 for configuration errors.retry.timeout: Not a number "
                         "of type LONG");
}

static void test_range_and_integer_width_are_enforced(void **state)
{
    (void)state;
    char err[1024];
    assert_null(connector_config("name=a\nconnector.class=X\ntasks.max=0\n", err, sizeof err));
    assert_string_equal(err,
                        "Invalid value 0 for configuration tasks.max: Value must be at least 1");
    assert_null(
        connector_config("name=a\nconnector.class=X\ntasks.max=2147483648\n", err, sizeof err));
    assert_contains(err, "Not a number of type INT");
    assert_null(connector_config("name=a\nconnector.class=X\ntasks.max=0x10\n", err, sizeof err));
    sl_config *c = connector_config("name=a\nconnector.class=X\ntasks.max=+2147483647\n"
                                    "errors.retry.timeout=9223372036854775807\n",
                                    err, sizeof err);
    assert_non_null(c);
    assert_int_equal(sl_config_long(c, "tasks.max"), 2147483647);
    assert_int_equal(sl_config_long(c, "errors.retry.timeout"), INT64_MAX);
    sl_config_free(c);
}

static const char *const modes[] = {"fast", "safe", NULL};
static const char *const deps[] = {"other", NULL};
static const struct sluice_config_def plugin_defs[] = {
    {.name = "url",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Where to write.",
     .group = "Connection",
     .order_in_group = 1,
     .width = SLUICE_WIDTH_LONG,
     .display_name = "URL",
     .dependents = deps},
    {.name = "password",
     .type = SLUICE_CFG_PASSWORD,
     .default_value = "changeit",
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Secret.",
     .group = "Connection",
     .order_in_group = 2},
    {.name = "ratio",
     .type = SLUICE_CFG_DOUBLE,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "0.5",
     .importance = SLUICE_IMPORTANCE_LOW,
     .min = 0,
     .max = 1},
    {.name = "mode",
     .type = SLUICE_CFG_STRING,
     .default_value = "safe",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .valid_values = modes},
    {.name = "settings.",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_PREFIX,
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Passed through."},
    {.name = "internal",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HIDDEN,
     .default_value = "7",
     .importance = SLUICE_IMPORTANCE_LOW},
    {.name = "opt",
     .type = SLUICE_CFG_LONG,
     .flags = SLUICE_CFG_F_NULL_DEFAULT,
     .importance = SLUICE_IMPORTANCE_LOW},
    {.name = NULL},
};

static void test_prefix_is_stripped_and_prefix_defs_pass_through(void **state)
{
    (void)state;
    sl_props *p = props_of("transforms.x.url=http://h\ntransforms.x.ratio=1e-1\n"
                           "transforms.x.settings.max_threads=4\ntransforms.x.mode=FAST\n"
                           "other=1\n");
    char err[1024];
    sl_config *c =
        sl_config_new(plugin_defs, sizeof plugin_defs[0], p, "transforms.x.", err, sizeof err);
    assert_non_null(c);
    assert_string_equal(sl_config_string(c, "url"), "http://h");
    assert_true(sl_config_double(c, "ratio") > 0.0999 && sl_config_double(c, "ratio") < 0.1001);
    assert_string_equal(sl_config_string(c, "ratio"), "0.1");
    assert_string_equal(sl_config_string(c, "settings.max_threads"), "4");
    assert_int_equal(sl_config_long(c, "settings.max_threads"), 4);
    assert_string_equal(sl_config_string(c, "password"), "changeit"); /* plugins see secrets */
    assert_string_equal(sl_config_string(c, "mode"), "fast");
    assert_int_equal(sl_config_long(c, "internal"), 7);
    assert_null(sl_config_string(c, "opt"));
    assert_false(sl_config_is_set(c, "opt"));
    assert_int_equal(sl_config_count(c), 4);
    assert_null(sl_config_string(c, "other"));
    sl_config_free(c);
    sl_props_free(p);
}

static void test_double_range_message_uses_java_double_text(void **state)
{
    (void)state;
    sl_props *p = props_of("url=u\nratio=2\n");
    char err[1024];
    assert_null(sl_config_new(plugin_defs, sizeof plugin_defs[0], p, NULL, err, sizeof err));
    assert_string_equal(err, "Invalid value 2.0 for configuration ratio: Value must be no more "
                             "than 1.0");
    sl_props_free(p);
}

static void test_java_double_text(void **state)
{
    (void)state;
    const struct {
        double d;
        const char *s;
    } cases[] = {{1.0, "1.0"},         {0.5, "0.5"},     {1e7, "1.0E7"}, {1234567.0, "1234567.0"},
                 {0.001, "0.001"},     {1e-4, "1.0E-4"}, {-2.5, "-2.5"}, {123456.789, "123456.789"},
                 {1.5e300, "1.5E300"}, {0.0, "0.0"}};
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_java_double(cases[i].d, out, sizeof out);
        assert_string_equal(out, cases[i].s);
    }
}

static void test_worker_file_parses_with_worker_defs(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    char err[1024];
    assert_int_equal(sl_props_load_file(data_path("worker.properties"), p, err, sizeof err), 0);
    sl_config *c = sl_config_new(sl_worker_config_defs, 0, p, NULL, err, sizeof err);
    if (c == NULL) {
        fail_msg("%s", err);
    }
    assert_int_equal(sl_config_long(c, "offset.flush.interval.ms"), 10000);
    assert_int_equal(sl_config_list_len(c, "plugin.path"), 2);
    assert_string_equal(sl_config_list_at(c, "listeners", 0), "http://:8083");
    assert_int_equal(sl_config_long(c, "offset.storage.partitions"), 25);
    assert_int_equal(sl_config_long(c, "status.storage.partitions"), 5);
    assert_int_equal(sl_config_long(c, "config.storage.replication.factor"), 3);
    assert_string_equal(sl_config_string(c, "connect.protocol"), "sessioned");
    assert_string_equal(sl_config_string(c, "header.converter"),
                        "org.apache.kafka.connect.storage.SimpleHeaderConverter");
    assert_string_equal(sl_config_string(c, "consumer.max.poll.records"), "500");
    assert_null(sl_config_string(c, "state.dir"));
    assert_null(sl_config_string(c, "group.id"));
    assert_int_equal(sl_worker_config_check(p, false, err, sizeof err), 0);
    assert_int_equal(sl_worker_config_check(p, true, err, sizeof err), -1);
    assert_string_equal(err, "Missing required configuration \"group.id\" which has no default "
                             "value.");
    sl_config_free(c);
    sl_props_free(p);
}

static void test_worker_needs_converters(void **state)
{
    (void)state;
    sl_props *p = props_of("bootstrap.servers=k:9092\n");
    char err[1024];
    assert_null(sl_config_new(sl_worker_config_defs, 0, p, NULL, err, sizeof err));
    assert_contains(err, "Missing required configuration \"key.converter\"");
    assert_contains(err, "Missing required configuration \"value.converter\"");
    assert_int_equal(sl_worker_config_check(p, false, err, sizeof err), -1);
    assert_contains(err, "offset.storage.file.filename");
    sl_props_free(p);
}

/* ---- validation JSON ---- */

static json_t *find_config(json_t *info, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(info, "configs"), i, c)
    {
        json_t *val = json_object_get(c, "value");
        json_t *def = json_object_get(c, "definition");
        const char *n = json_string_value(json_object_get(json_is_object(def) ? def : val, "name"));
        if (n != NULL && strcmp(n, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static const char *first_error(json_t *info, const char *name)
{
    json_t *c = find_config(info, name);
    assert_non_null(c);
    return json_string_value(
        json_array_get(json_object_get(json_object_get(c, "value"), "errors"), 0));
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void test_definition_and_value_fields_in_java_order(void **state)
{
    (void)state;
    sl_props *p = props_of("name=my-sink\nconnector.class=FileStreamSink\ntopics=t\n");
    sl_validation *v = sl_validation_new();
    sl_validation_add_defs(v, sl_connector_config_defs, 0, p, NULL, NULL);
    sl_validation_add_defs(v, sl_sink_connector_config_defs, 0, p, NULL, NULL);
    json_t *info = sl_validation_to_json(v, "FileStreamSink");
    char *s = dump(find_config(info, "name"));
    assert_string_equal(s,
                        "{\"definition\":{\"name\":\"name\",\"type\":\"STRING\",\"required\":true,"
                        "\"default_value\":null,\"importance\":\"HIGH\",\"documentation\":"
                        "\"Globally unique name to use for this connector.\",\"group\":\"Common\","
                        "\"width\":\"MEDIUM\",\"display_name\":\"Connector name\",\"dependents\":"
                        "[],\"order\":1},\"value\":{\"name\":\"name\",\"value\":\"my-sink\","
                        "\"recommended_values\":[],\"errors\":[],\"visible\":true}}");
    free(s);
    json_t *tm = find_config(info, "tasks.max");
    s = dump(json_object_get(tm, "value"));
    assert_string_equal(s, "{\"name\":\"tasks.max\",\"value\":\"1\",\"recommended_values\":[],"
                           "\"errors\":[],\"visible\":true}");
    free(s);
    json_t *def = json_object_get(tm, "definition");
    assert_string_equal(json_string_value(json_object_get(def, "type")), "INT");
    assert_string_equal(json_string_value(json_object_get(def, "default_value")), "1");
    assert_string_equal(json_string_value(json_object_get(def, "width")), "SHORT");
    assert_int_equal(json_integer_value(json_object_get(def, "order")), 3);
    def = json_object_get(find_config(info, "errors.deadletterqueue.topic.replication.factor"),
                          "definition");
    assert_string_equal(json_string_value(json_object_get(def, "type")), "SHORT");
    s = dump(json_object_get(info, "groups"));
    assert_string_equal(s, "[\"Common\",\"Transforms\",\"Predicates\",\"Error Handling\"]");
    free(s);
    const char *top = json_object_iter_key(json_object_iter(info));
    assert_string_equal(top, "name");
    assert_int_equal(json_integer_value(json_object_get(info, "error_count")), 0);
    assert_int_equal(json_array_size(json_object_get(info, "configs")), 20);
    json_decref(info);
    sl_validation_free(v);
    sl_props_free(p);
}

static void test_validation_reports_java_errors_per_key(void **state)
{
    (void)state;
    sl_props *p = props_of("connector.class=X\ntasks.max=zero\nerrors.tolerance=most\n"
                           "errors.retry.timeout=\n");
    sl_validation *v = sl_validation_new();
    sl_validation_add_defs(v, sl_connector_config_defs, 0, p, NULL, NULL);
    json_t *info = sl_validation_to_json(v, "X");
    assert_string_equal(first_error(info, "name"),
                        "Missing required configuration \"name\" which has no default value.");
    json_t *tm = json_object_get(find_config(info, "tasks.max"), "value");
    assert_true(json_is_null(json_object_get(tm, "value")));
    json_t *errs = json_object_get(tm, "errors");
    assert_int_equal(json_array_size(errs), 2); /* the parse error, then Range on null */
    assert_string_equal(json_string_value(json_array_get(errs, 0)),
                        "Invalid value zero for configuration tasks.max: Not a number of type INT");
    assert_string_equal(json_string_value(json_array_get(errs, 1)),
                        "Invalid value null for configuration tasks.max: Value must be non-null");
    assert_string_equal(first_error(info, "errors.tolerance"),
                        "Invalid value most for configuration errors.tolerance: String must be one "
                        "of: none, all");
    assert_string_equal(first_error(info, "errors.retry.timeout"),
                        "Invalid value  for configuration errors.retry.timeout: Not a number of "
                        "type LONG");
    assert_int_equal(sl_validation_error_count(v), 5);
    assert_int_equal(json_integer_value(json_object_get(info, "error_count")), 5);
    json_decref(info);
    sl_validation_free(v);
    sl_props_free(p);
}

static void test_passwords_render_hidden_and_prefix_defs_are_not_listed(void **state)
{
    (void)state;
    sl_props *p = props_of("url=u\npassword=topsecret\n");
    sl_validation *v = sl_validation_new();
    sl_validation_add_defs(v, plugin_defs, sizeof plugin_defs[0], p, NULL, NULL);
    json_t *info = sl_validation_to_json(v, "P");
    json_t *pw = find_config(info, "password");
    assert_string_equal(json_string_value(json_object_get(json_object_get(pw, "value"), "value")),
                        "[hidden]");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(pw, "definition"), "default_value")),
        "[hidden]");
    char *s = dump(info);
    assert_null(strstr(s, "topsecret"));
    assert_null(strstr(s, "changeit"));
    assert_null(strstr(s, "settings."));
    free(s);
    json_t *url = json_object_get(find_config(info, "url"), "definition");
    s = dump(json_object_get(url, "dependents"));
    assert_string_equal(s, "[\"other\"]");
    free(s);
    json_t *ratio = json_object_get(find_config(info, "ratio"), "definition");
    assert_string_equal(json_string_value(json_object_get(ratio, "display_name")), "ratio");
    assert_int_equal(json_integer_value(json_object_get(ratio, "order")), -1);
    assert_true(json_is_null(json_object_get(ratio, "group")));
    assert_string_equal(json_string_value(json_object_get(ratio, "default_value")), "0.5");
    json_decref(info);
    json_t *listing = sl_config_defs_to_json(plugin_defs, sizeof plugin_defs[0]);
    assert_int_equal(json_array_size(listing), 5); /* no prefix, no hidden key */
    json_decref(listing);
    sl_validation_free(v);
    sl_props_free(p);
}

static void test_null_value_is_a_validation_error(void **state)
{
    (void)state;
    json_t *body =
        json_loads("{\"name\":\"a\",\"connector.class\":\"X\",\"tasks.max\":null}", 0, NULL);
    sl_props *p = sl_props_new();
    char err[256];
    assert_int_equal(sl_props_from_json_ex(body, p, true, err, sizeof err), 0);
    sl_validation *v = sl_validation_new();
    sl_validation_add_defs(v, sl_connector_config_defs, 0, p, NULL, NULL);
    json_t *info = sl_validation_to_json(v, "X");
    json_t *errs =
        json_object_get(json_object_get(find_config(info, "tasks.max"), "value"), "errors");
    size_t n = json_array_size(errs);
    assert_true(n >= 1);
    assert_string_equal(json_string_value(json_array_get(errs, n - 1)),
                        "Null value can not be supplied as the configuration value.");
    json_decref(info);
    json_decref(body);
    sl_validation_free(v);
    sl_props_free(p);
}

static void test_error_on_unknown_key_gets_null_definition_first(void **state)
{
    (void)state;
    sl_props *p = props_of("name=a\nconnector.class=X\n");
    sl_validation *v = sl_validation_new();
    sl_validation_add_defs(v, sl_connector_config_defs, 0, p, NULL, NULL);
    sl_validation_add_error(v, "custom.key", "Custom failure %d", 7);
    json_t *info = sl_validation_to_json(v, "X");
    json_t *first = json_array_get(json_object_get(info, "configs"), 0);
    assert_true(json_is_null(json_object_get(first, "definition")));
    char *s = dump(json_object_get(first, "value"));
    assert_string_equal(s, "{\"name\":\"custom.key\",\"value\":null,\"recommended_values\":[],"
                           "\"errors\":[\"Custom failure 7\"],\"visible\":true}");
    free(s);
    json_decref(info);
    sl_validation_free(v);
    sl_props_free(p);
}

static void test_invalid_config_message_matches_java(void **state)
{
    (void)state;
    sl_props *p = props_of("name=\nconnector.class=FileStreamSink\n");
    sl_validation *v = sl_connector_validate(p, NULL);
    char *msg = sl_validation_message(v);
    assert_string_equal(
        msg, "Connector configuration is invalid and contains the following 3 "
             "error(s):\nInvalid value  for configuration name: String may not be empty\n"
             "Must configure one of topics or topics.regex\n"
             "Must configure one of topics or topics.regex\n"
             "You can also find the above list of errors at the endpoint "
             "`/connector-plugins/{connectorType}/config/validate`");
    free(msg);
    sl_validation_free(v);
    sl_props_free(p);
}

/* ---- sl_connector_validate ---- */

static json_t *validate_json(const char *text)
{
    sl_props *p = props_of(text);
    sl_validation *v = sl_connector_validate(p, NULL);
    json_t *info = sl_validation_to_json(v, sl_props_get(p, "connector.class"));
    sl_validation_free(v);
    sl_props_free(p);
    return info;
}

static void test_validate_golden_file_sink_without_topics(void **state)
{
    (void)state;
    json_t *info = validate_json("name=my-sink\nconnector.class=FileStreamSink\n");
    json_error_t jerr;
    json_t *golden = json_load_file(data_path("validate_missing_topics.golden.json"), 0, &jerr);
    if (golden == NULL) {
        char *s = json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fail_msg("golden missing (%s); actual:\n%s", jerr.text, s);
    }
    char *a = dump(info), *g = dump(golden);
    if (strcmp(a, g) != 0) {
        char *s = json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fail_msg("validate JSON differs from golden; actual:\n%s", s);
    }
    free(a);
    free(g);
    json_decref(golden);
    json_decref(info);
}

static void test_sink_topic_rules(void **state)
{
    (void)state;
    json_t *info = validate_json("name=s\nconnector.class=X\ntopics=a\ntopics.regex=b.*\n");
    assert_string_equal(
        first_error(info, "topics"),
        "topics and topics.regex are mutually exclusive options, but both are set.");
    json_decref(info);
    info = validate_json("name=s\nconnector.class=X\ntopics=a, dlq, a\n"
                         "errors.deadletterqueue.topic.name=dlq\n");
    assert_string_equal(first_error(info, "topics"),
                        "The DLQ topic 'dlq' may not be included in the list of topics "
                        "('topics=[a, dlq]') consumed by the connector");
    json_decref(info);
    info = validate_json("name=s\nconnector.class=X\ntopics.regex=d.*\n"
                         "errors.deadletterqueue.topic.name=dlq\n");
    assert_string_equal(first_error(info, "topics.regex"),
                        "The DLQ topic 'dlq' may not be included in the regex matching topics "
                        "('topics.regex=d.*') consumed by the connector");
    json_decref(info);
    info = validate_json("name=s\nconnector.class=X\ntopics.regex=(unclosed\n");
    assert_contains(first_error(info, "topics.regex"),
                    "Invalid value (unclosed for configuration topics.regex");
    json_decref(info);
    info = validate_json("name=s\nconnector.class=X\ntopics=a\n");
    assert_int_equal(json_integer_value(json_object_get(info, "error_count")), 0);
    json_decref(info);
}

static void test_name_with_control_characters_is_invalid(void **state)
{
    (void)state;
    json_t *info = validate_json("name=a\\tb\nconnector.class=X\ntopics=t\n");
    assert_string_equal(first_error(info, "name"),
                        "Invalid value a\tb for configuration name: String may not contain "
                        "control sequences but had the following ASCII chars: 9");
    json_decref(info);
}

static void test_transforms_are_embedded_under_their_alias(void **state)
{
    (void)state;
    sl_catalog_register_builtins();
    json_t *info = validate_json("name=s\nconnector.class=X\ntopics=t\ntransforms=route\n"
                                 "transforms.route.type=org.apache.kafka.connect.transforms."
                                 "RegexRouter\ntransforms.route.regex=(.*)\n"
                                 "transforms.route.replacement=x-$1\n");
    assert_int_equal(json_integer_value(json_object_get(info, "error_count")), 0);
    json_t *groups = json_object_get(info, "groups");
    assert_string_equal(json_string_value(json_array_get(groups, 4)), "Transforms: route");
    json_t *type = json_object_get(find_config(info, "transforms.route.type"), "definition");
    assert_non_null(type);
    assert_string_equal(json_string_value(json_object_get(type, "type")), "CLASS");
    assert_true(json_is_true(json_object_get(type, "required")));
    assert_string_equal(json_string_value(json_object_get(type, "documentation")),
                        "Class for the 'route' transformation.");
    assert_string_equal(json_string_value(json_object_get(type, "display_name")),
                        "Transformation type for route");
    assert_int_equal(json_integer_value(json_object_get(type, "order")), 0);
    json_t *tv = json_object_get(find_config(info, "transforms.route.type"), "value");
    assert_true(json_array_size(json_object_get(tv, "recommended_values")) >= 1);
    json_t *regex = json_object_get(find_config(info, "transforms.route.regex"), "definition");
    assert_non_null(regex);
    assert_string_equal(json_string_value(json_object_get(regex, "group")), "Transforms: route");
    assert_string_equal(json_string_value(json_object_get(regex, "display_name")), "regex");
    assert_true(json_integer_value(json_object_get(regex, "order")) >= 1);
    assert_non_null(find_config(info, "transforms.route.negate"));
    assert_non_null(find_config(info, "transforms.route.predicate"));
    json_decref(info);
}

static void test_transform_problems_are_reported_on_their_keys(void **state)
{
    (void)state;
    sl_catalog_register_builtins();
    json_t *info = validate_json("name=s\nconnector.class=X\ntopics=t\ntransforms=a,b,a\n"
                                 "transforms.b.type=com.example.Nope\n");
    assert_string_equal(first_error(info, "transforms"),
                        "Invalid value [a, b, a] for configuration transforms: Duplicate alias "
                        "provided.");
    assert_string_equal(first_error(info, "transforms.a.type"),
                        "Missing required configuration \"transforms.a.type\" which has no default "
                        "value.");
    assert_string_equal(first_error(info, "transforms.b.type"),
                        "Invalid value com.example.Nope for configuration transforms.b.type: Class "
                        "com.example.Nope could not be found.");
    json_decref(info);
    info = validate_json("name=s\nconnector.class=X\ntopics=t\npredicates=p\n");
    assert_string_equal(first_error(info, "predicates.p.type"),
                        "Missing required configuration \"predicates.p.type\" which has no "
                        "default value.");
    json_t *def = json_object_get(find_config(info, "predicates.p.type"), "definition");
    assert_string_equal(json_string_value(json_object_get(def, "group")), "Predicates: p");
    assert_string_equal(json_string_value(json_object_get(def, "display_name")),
                        "Predicate type for p");
    json_decref(info);
}

static void test_converters_are_checked_and_their_keys_validated(void **state)
{
    (void)state;
    sl_catalog_register_builtins();
    json_t *info = validate_json("name=s\nconnector.class=X\ntopics=t\n"
                                 "key.converter=com.example.NoConverter\n"
                                 "value.converter=org.apache.kafka.connect.json.JsonConverter\n"
                                 "value.converter.schemas.enable=maybe\n");
    assert_string_equal(first_error(info, "key.converter"),
                        "Invalid value com.example.NoConverter for configuration key.converter: "
                        "Class com.example.NoConverter could not be found.");
    assert_string_equal(first_error(info, "value.converter.schemas.enable"),
                        "Invalid value maybe for configuration value.converter.schemas.enable: "
                        "Expected value to be either true or false");
    json_decref(info);
}

static const struct sluice_config_def fake_sink_defs[] = {
    {.name = "clickhouse.url",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Server."},
    {.name = "topics",
     .type = SLUICE_CFG_LIST,
     .default_value = "events",
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Overridden by the plugin."},
    {.name = NULL},
};

static void test_plugin_config_listing_puts_plugin_keys_before_framework_keys(void **state)
{
    (void)state;
    static const struct sluice_component comp = {
        .struct_size = sizeof(struct sluice_component),
        .kind = SLUICE_KIND_SINK,
        .class_name = "com.example.FakeSink",
        .config_defs = fake_sink_defs,
    };
    static const struct sluice_plugin_descriptor desc = {.config_def_size =
                                                             sizeof(struct sluice_config_def)};
    struct sl_component c = {.comp = &comp, .desc = &desc};
    json_t *a = sl_component_config_json(&c);
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "name")),
                        "clickhouse.url");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "name")), "topics");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 2), "name")), "name");
    size_t topics = 0, i;
    json_t *d;
    json_array_foreach(a, i, d)
    {
        topics += strcmp(json_string_value(json_object_get(d, "name")), "topics") == 0;
    }
    assert_int_equal(topics, 1);
    assert_int_equal(json_array_size(a), 2 + 15 + 4);
    json_decref(a);
}

static void test_file_sink_plugin_keys_join_the_validation(void **state)
{
    (void)state;
    const char *dir = getenv("SLUICE_BUILD_PLUGINS");
    char path[1024];
    snprintf(path, sizeof path, "%s/file_sink/.libs/sluice_file_sink.so", dir ? dir : "plugins");
    char err[512];
    if (sl_catalog_find(SLUICE_KIND_SINK, "FileStreamSink") == NULL &&
        sl_catalog_load_file(path, err, sizeof err) != 0) {
        skip(); /* the plugin is built by `make all`; nothing to check without it */
    }
    json_t *info = validate_json("name=s\nconnector.class=FileStreamSink\ntopics=t\nfile=/tmp/x\n");
    assert_int_equal(json_integer_value(json_object_get(info, "error_count")), 0);
    json_t *file = find_config(info, "file");
    assert_non_null(file);
    assert_string_equal(json_string_value(json_object_get(json_object_get(file, "value"), "value")),
                        "/tmp/x");
    json_decref(info);
}

/* ---- docs ---- */

static void test_markdown_rows_come_from_the_table(void **state)
{
    (void)state;
    sl_buf b = SL_BUF_INIT;
    sl_config_defs_to_markdown(sl_connector_config_defs, 0, "Connector", &b);
    assert_contains(b.data, "## Connector\n");
    assert_contains(b.data, "| `tasks.max` | INT | `1` | [1,...] | HIGH | Maximum number of tasks");
    assert_contains(b.data, "| `errors.tolerance` | STRING | `none` | `none`, `all` | MEDIUM |");
    assert_contains(b.data, "| `name` | STRING | **required** |");
    sl_buf_reset(&b);
    sl_config_defs_to_markdown(plugin_defs, sizeof plugin_defs[0], NULL, &b);
    assert_contains(b.data, "| `settings.*` | prefix |");
    assert_null(strstr(b.data, "internal"));
    sl_buf_free(&b);
}

static void test_committed_configuration_md_is_current(void **state)
{
    (void)state;
    const char *src = getenv("SLUICE_SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/configuration.md", src ? src : ".");
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    sl_buf file = SL_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sl_buf_append(&file, chunk, n);
    }
    fclose(f);
    sl_buf gen = SL_BUF_INIT;
    sl_config_reference_markdown(&gen);
    if (strcmp(file.data, gen.data) != 0) {
        fail_msg("docs/configuration.md is stale: regenerate with tests/gen_config_docs");
    }
    sl_buf_free(&file);
    sl_buf_free(&gen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connector_defaults_apply_when_keys_are_absent),
        cmocka_unit_test(test_typed_values_are_trimmed_and_parsed),
        cmocka_unit_test(test_bad_values_fail_with_java_messages_naming_every_key),
        cmocka_unit_test(test_range_and_integer_width_are_enforced),
        cmocka_unit_test(test_prefix_is_stripped_and_prefix_defs_pass_through),
        cmocka_unit_test(test_double_range_message_uses_java_double_text),
        cmocka_unit_test(test_java_double_text),
        cmocka_unit_test(test_worker_file_parses_with_worker_defs),
        cmocka_unit_test(test_worker_needs_converters),
        cmocka_unit_test(test_definition_and_value_fields_in_java_order),
        cmocka_unit_test(test_validation_reports_java_errors_per_key),
        cmocka_unit_test(test_passwords_render_hidden_and_prefix_defs_are_not_listed),
        cmocka_unit_test(test_null_value_is_a_validation_error),
        cmocka_unit_test(test_error_on_unknown_key_gets_null_definition_first),
        cmocka_unit_test(test_invalid_config_message_matches_java),
        cmocka_unit_test(test_validate_golden_file_sink_without_topics),
        cmocka_unit_test(test_sink_topic_rules),
        cmocka_unit_test(test_name_with_control_characters_is_invalid),
        cmocka_unit_test(test_transforms_are_embedded_under_their_alias),
        cmocka_unit_test(test_transform_problems_are_reported_on_their_keys),
        cmocka_unit_test(test_converters_are_checked_and_their_keys_validated),
        cmocka_unit_test(test_plugin_config_listing_puts_plugin_keys_before_framework_keys),
        cmocka_unit_test(test_file_sink_plugin_keys_join_the_validation),
        cmocka_unit_test(test_markdown_rows_come_from_the_table),
        cmocka_unit_test(test_committed_configuration_md_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
