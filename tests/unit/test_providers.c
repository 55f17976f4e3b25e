/*
 * test_providers.c — config providers (env, file, directory) and ${provider:[path:]key}
 * substitution with Java ConfigTransformer's rules, and the redacted copies used for logging.
 * Fixtures: tests/data/config/secrets.properties and tests/data/config/secrets/.
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

static char data_dir[1024];

static const char *config_dir(void)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    snprintf(data_dir, sizeof data_dir, "%s/config", dir ? dir : "tests/data");
    return data_dir;
}

static sl_providers *standard_providers(const char *extra)
{
    sl_props *w = sl_props_new();
    sl_props_set(w, "config.providers", "env, file,dir");
    sl_props_set(w, "config.providers.env.class",
                 "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    sl_props_set(w, "config.providers.file.class", "FileConfigProvider");
    sl_props_set(w, "config.providers.dir.class",
                 "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    if (extra != NULL) {
        char err[256];
        assert_int_equal(sl_props_parse(extra, strlen(extra), w, err, sizeof err), 0);
    }
    char err[512];
    sl_providers *p = sl_providers_new(w, err, sizeof err);
    if (p == NULL) {
        fail_msg("%s", err);
    }
    sl_props_free(w);
    return p;
}

static char *resolve_one(sl_providers *p, const char *value)
{
    sl_props *in = sl_props_new();
    sl_props_set(in, "k", value);
    char err[512];
    sl_props *out = sl_providers_resolve(p, in, err, sizeof err);
    sl_props_free(in);
    if (out == NULL) {
        return NULL;
    }
    char *v = strdup(sl_props_get(out, "k"));
    sl_props_free(out);
    return v;
}

static void test_env_provider_returns_the_variable(void **state)
{
    (void)state;
    setenv("SLUICE_TEST_DB_PASSWORD", "pa55", 1);
    sl_providers *p = standard_providers(NULL);
    char *v = resolve_one(p, "pw=${env:SLUICE_TEST_DB_PASSWORD};");
    assert_string_equal(v, "pw=pa55;");
    free(v);
    v = resolve_one(p, "${env:SLUICE_TEST_NOT_SET_ANYWHERE}");
    assert_string_equal(v, "${env:SLUICE_TEST_NOT_SET_ANYWHERE}"); /* missing key: left as-is */
    free(v);
    sl_providers_free(p);
}

static void test_env_provider_with_path_fails(void **state)
{
    (void)state;
    sl_providers *p = standard_providers(NULL);
    sl_props *in = sl_props_new();
    sl_props_set(in, "k", "${env:some/path:HOME}");
    char err[512];
    assert_null(sl_providers_resolve(p, in, err, sizeof err));
    assert_non_null(strstr(err, "Path value must be empty or null"));
    assert_non_null(strstr(err, "configuration k"));
    sl_props_free(in);
    sl_providers_free(p);
}

static void test_env_allowlist_pattern_hides_other_variables(void **state)
{
    (void)state;
    setenv("SLUICE_TEST_ALLOWED", "yes", 1);
    setenv("SLUICE_TEST_HIDDEN", "no", 1);
    sl_providers *p =
        standard_providers("config.providers.env.param.allowlist.pattern=SLUICE_TEST_A.*\n");
    char *v = resolve_one(p, "${env:SLUICE_TEST_ALLOWED}/${env:SLUICE_TEST_HIDDEN}");
    assert_string_equal(v, "yes/${env:SLUICE_TEST_HIDDEN}");
    free(v);
    sl_providers_free(p);
}

static void test_file_provider_reads_a_properties_file(void **state)
{
    (void)state;
    sl_providers *p = standard_providers(NULL);
    char value[4096];
    snprintf(value, sizeof value,
             "${file:%s/secrets.properties:db.user}:"
             "${file:%s/secrets.properties:db.password}",
             config_dir(), config_dir());
    char *v = resolve_one(p, value);
    assert_string_equal(v, "sluice:s3cr=t");
    free(v);
    snprintf(value, sizeof value, "${file:%s/secrets.properties:nope}", config_dir());
    v = resolve_one(p, value);
    assert_string_equal(v, value);
    free(v);
    sl_providers_free(p);
}

static void test_file_provider_missing_file_fails_without_leaking_values(void **state)
{
    (void)state;
    sl_providers *p = standard_providers(NULL);
    sl_props *in = sl_props_new();
    sl_props_set(in, "connection.password", "${file:/nonexistent/creds.properties:pw}");
    char err[512];
    assert_null(sl_providers_resolve(p, in, err, sizeof err));
    assert_non_null(
        strstr(err, "Could not read properties from file /nonexistent/creds.properties"));
    sl_props_free(in);
    sl_providers_free(p);
}

static void test_directory_provider_returns_file_content(void **state)
{
    (void)state;
    sl_providers *p = standard_providers(NULL);
    char value[4096];
    snprintf(value, sizeof value, "${dir:%s/secrets:db-password}", config_dir());
    char *v = resolve_one(p, value);
    assert_string_equal(v, "hunter2");
    free(v);
    snprintf(value, sizeof value, "${dir:%s/secrets:multi-line}", config_dir());
    v = resolve_one(p, value);
    assert_string_equal(v, "line1\nline2\n");
    free(v);
    /* a key may not leave the directory */
    snprintf(value, sizeof value, "${dir:%s/secrets:../secrets.properties}", config_dir());
    v = resolve_one(p, value);
    assert_string_equal(v, value);
    free(v);
    sl_providers_free(p);
}

static void test_allowed_paths_restrict_file_and_directory_providers(void **state)
{
    (void)state;
    char extra[4096];
    snprintf(extra, sizeof extra,
             "config.providers.dir.param.allowed.paths=%s/secrets\n"
             "config.providers.file.param.allowed.paths=/somewhere/else\n",
             config_dir());
    sl_providers *p = standard_providers(extra);
    char value[4096];
    snprintf(value, sizeof value, "${dir:%s/secrets:db-password}", config_dir());
    char *v = resolve_one(p, value);
    assert_string_equal(v, "hunter2");
    free(v);
    snprintf(value, sizeof value, "${file:%s/secrets.properties:db.user}", config_dir());
    v = resolve_one(p, value);
    assert_string_equal(v, value); /* not allowed: left as written */
    free(v);
    sl_providers_free(p);
}

static void test_unknown_provider_and_plain_text_are_left_unchanged(void **state)
{
    (void)state;
    sl_providers *p = standard_providers(NULL);
    char *v = resolve_one(p, "${vault:secret/data:pw} and ${nocolon} and $notvar {x:y}");
    assert_string_equal(v, "${vault:secret/data:pw} and ${nocolon} and $notvar {x:y}");
    free(v);
    sl_providers_free(p);
}

static void test_no_providers_configured_copies_everything(void **state)
{
    (void)state;
    sl_props *w = sl_props_new();
    char err[256];
    sl_providers *p = sl_providers_new(w, err, sizeof err);
    assert_non_null(p);
    sl_props *in = sl_props_new();
    sl_props_set(in, "a", "${env:HOME}");
    sl_props_set(in, "b", "plain");
    sl_props *out = sl_providers_resolve(p, in, err, sizeof err);
    assert_true(sl_props_equal(in, out));
    sl_props_free(out);
    sl_props_free(in);
    sl_props_free(w);
    sl_providers_free(p);
}

static void test_unknown_provider_class_is_refused(void **state)
{
    (void)state;
    sl_props *w = sl_props_new();
    sl_props_set(w, "config.providers", "vault");
    sl_props_set(w, "config.providers.vault.class", "com.example.VaultConfigProvider");
    char err[512];
    assert_null(sl_providers_new(w, err, sizeof err));
    assert_non_null(strstr(err, "com.example.VaultConfigProvider"));
    sl_props_set(w, "config.providers", "nothing");
    assert_null(sl_providers_new(w, err, sizeof err));
    assert_non_null(strstr(err, "config.providers.nothing.class"));
    sl_props_free(w);
}

static void test_redaction_hides_secret_looking_and_password_keys(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    sl_props_set(p, "connection.password", "pw");
    sl_props_set(p, "aws.secret.access.key", "s");
    sl_props_set(p, "sasl.jaas.config", "j");
    sl_props_set(p, "hostname", "db");
    sl_props_set(p, "dsn", "d");
    sl_props *r = sl_props_redacted(p);
    assert_string_equal(sl_props_get(r, "connection.password"), "[hidden]");
    assert_string_equal(sl_props_get(r, "aws.secret.access.key"), "[hidden]");
    assert_string_equal(sl_props_get(r, "sasl.jaas.config"), "[hidden]");
    assert_string_equal(sl_props_get(r, "hostname"), "db");
    assert_string_equal(sl_props_get(r, "dsn"), "d");
    static const struct sluice_config_def defs[] = {
        {.name = "dsn", .type = SLUICE_CFG_STRING, .flags = SLUICE_CFG_F_SENSITIVE},
        {.name = NULL},
    };
    sl_props *r2 = sl_props_redacted_defs(p, defs, sizeof defs[0]);
    assert_string_equal(sl_props_get(r2, "dsn"), "[hidden]");
    assert_string_equal(sl_props_get(r2, "hostname"), "db");
    sl_props_free(r2);
    sl_props_free(r);
    sl_props_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_provider_returns_the_variable),
        cmocka_unit_test(test_env_provider_with_path_fails),
        cmocka_unit_test(test_env_allowlist_pattern_hides_other_variables),
        cmocka_unit_test(test_file_provider_reads_a_properties_file),
        cmocka_unit_test(test_file_provider_missing_file_fails_without_leaking_values),
        cmocka_unit_test(test_directory_provider_returns_file_content),
        cmocka_unit_test(test_allowed_paths_restrict_file_and_directory_providers),
        cmocka_unit_test(test_unknown_provider_and_plain_text_are_left_unchanged),
        cmocka_unit_test(test_no_providers_configured_copies_everything),
        cmocka_unit_test(test_unknown_provider_class_is_refused),
        cmocka_unit_test(test_redaction_hides_secret_looking_and_password_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
