/*
 * fuzz_connector_file.c — libFuzzer target for what a connector file and its records feed the
 * worker: sl_props_from_json on a JSON connector config (map or create request), and the decode
 * + transform pipeline — JsonConverter (schemas.enable=true) then ExtractNewRecordState through
 * the transform chain — on arbitrary envelopes, then the result encoded again.
 *
 * Input: up to four parts separated by NUL bytes:
 *   0 connector config JSON ({"k":"v"} or {"name":..,"config":{..}}); its transforms.unwrap.*
 *     keys configure one extra chain
 *   1 record value bytes    2 record key bytes    3 value of the record header "__drop"
 * Without a NUL the whole input is used both as the config (part 0) and as the value (part 1).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "config/props.h"
#include "converters/convert.h"
#include "data/value.h"
#include "fuzz_common.h"
#include "plugin/catalog.h"
#include "transforms/chain.h"
#include "util/buf.h"
#include "util/mem.h"

#define UNWRAP_PREFIX "transforms.unwrap."

/* Fixed chains, as key/value pairs after transforms=unwrap, transforms.unwrap.type=... */
static const char *const chain_defaults[] = {NULL};
static const char *const chain_rewrite[] = {
    "delete.tombstone.handling.mode",
    "rewrite",
    "add.fields",
    "op,lsn,source.ts_ms,source.db:DB,ts_ms,transaction.id",
    "add.headers",
    "op,source.table,source.ts_ms:TS,transaction.total_order",
    "drop.fields.header.name",
    "__drop",
    "drop.fields.from.key",
    "true",
    "drop.fields.keep.schema.compatible",
    "false",
    NULL,
};
static const char *const chain_route[] = {
    "delete.tombstone.handling.mode",
    "rewrite-with-tombstone",
    "route.by.field",
    "name",
    "replace.null.with.default",
    "false",
    "add.fields.prefix",
    "",
    "add.fields",
    "op,source.name",
    "drop.fields.header.name",
    "__drop",
    NULL,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_quiet_log();
    sl_catalog_register_builtins();
    return 0;
}

/* Part n of the input split on NUL bytes (borrowed pointer + length); false past the end. */
static bool part(const uint8_t *data, size_t size, int n, const uint8_t **p, size_t *len)
{
    size_t start = 0;
    for (int i = 0; i < n; i++) {
        const uint8_t *z = memchr(data + start, 0, size - start);
        if (z == NULL) {
            return false;
        }
        start = (size_t)(z - data) + 1;
    }
    const uint8_t *z = memchr(data + start, 0, size - start);
    *p = data + start;
    *len = z != NULL ? (size_t)(z - *p) : size - start;
    return true;
}

/* The connector file reader's JSON half: a bare map, or a create request's "config". */
static sl_props *props_from_input(const uint8_t *p, size_t len)
{
    json_t *j = json_loadb((const char *)p, len, 0, NULL);
    if (j == NULL) {
        return NULL;
    }
    json_t *obj = json_is_object(json_object_get(j, "config")) ? json_object_get(j, "config") : j;
    char err[512];
    sl_props *props = sl_props_new();
    sl_props *with_nulls = sl_props_new();
    int rc = sl_props_from_json(obj, props, err, sizeof err);
    int rc_ex = sl_props_from_json_ex(obj, with_nulls, true, err, sizeof err);
    if (rc == 0) {
        FUZZ_CHECK(rc_ex == 0, "allow_null rejected what the strict reader accepted");
        FUZZ_CHECK(sl_props_equal(props, with_nulls), "allow_null read a different map");
        json_t *back = sl_props_to_json(props);
        FUZZ_CHECK(json_object_size(back) == sl_props_count(props), "to_json lost keys");
        json_decref(back);
    } else {
        sl_props_free(props);
        props = NULL;
    }
    sl_props_free(with_nulls);
    json_decref(j);
    return props;
}

static sl_chain *chain_of(const char *const *kv, const sl_props *extra)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "transforms", "unwrap");
    for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
        char key[256];
        snprintf(key, sizeof key, UNWRAP_PREFIX "%s", kv[i]);
        sl_props_set(p, key, kv[i + 1]);
    }
    size_t copied = 0;
    for (size_t i = 0; extra != NULL && i < sl_props_count(extra); i++) {
        const char *k = sl_props_key_at(extra, i);
        if (strncmp(k, UNWRAP_PREFIX, strlen(UNWRAP_PREFIX)) == 0 &&
            strcmp(k, UNWRAP_PREFIX "type") != 0 && strcmp(k, UNWRAP_PREFIX "predicate") != 0 &&
            strcmp(k, UNWRAP_PREFIX "negate") != 0) {
            sl_props_set(p, k, sl_props_value_at(extra, i));
            copied++;
        }
    }
    if (extra != NULL && copied == 0) {
        sl_props_free(p);
        return NULL; /* nothing beyond the defaults chain */
    }
    sl_props_set(p, UNWRAP_PREFIX "type", "io.debezium.transforms.ExtractNewRecordState");
    char err[512];
    sl_chain *c = sl_chain_new(p, "fuzz", 0, err, sizeof err);
    sl_props_free(p);
    FUZZ_CHECK(c != NULL || extra != NULL, "fixed chain refused: %s", err);
    return c;
}

struct input {
    const uint8_t *value, *key, *header;
    size_t value_len, key_len, header_len;
    bool has_key, has_header;
};

/* Decode, transform, encode one record with one chain. */
static void run_chain(sl_converter *cv, sl_chain *chain, const struct input *in)
{
    sl_arena *a = sl_arena_new(0);
    sl_chain_set_batch_arena(chain, a);
    char err[512];
    sl_record *r = sl_record_new(a);
    r->topic = "fuzz.public.t";
    r->offset = 42;
    r->timestamp = 1700000000000;
    r->raw_value = in->value_len > 0 ? in->value : NULL;
    r->raw_value_len = in->value_len;
    /* An empty part is a Kafka null (a tombstone for the value). */
    if (sl_converter_to_connect(cv, a, r->topic, in->value_len > 0 ? in->value : NULL,
                                in->value_len, &r->value_schema, &r->value, err,
                                sizeof err) != SLUICE_OK) {
        goto out;
    }
    if (in->has_key &&
        sl_converter_to_connect(cv, a, r->topic, in->key_len > 0 ? in->key : NULL, in->key_len,
                                &r->key_schema, &r->key, err, sizeof err) != SLUICE_OK) {
        goto out;
    }
    if (in->has_header) {
        sl_record_add_header(a, r, "__drop", sl_header_to_connect(a, in->header, in->header_len));
    }
    sl_record *o = NULL;
    const char *failed = NULL;
    if (sl_chain_apply(chain, r, &o, &failed, err, sizeof err) != SLUICE_OK) {
        FUZZ_CHECK(failed != NULL && err[0] != '\0', "chain failed without class or message");
        goto out;
    }
    if (o == NULL) {
        goto out; /* dropped */
    }
    FUZZ_CHECK(o->topic != NULL, "transformed record has no topic");
    sl_buf b = SL_BUF_INIT;
    bool is_null = false;
    if (sl_converter_from_connect(cv, o->topic, o->value_schema, o->value, &b, &is_null, err,
                                  sizeof err) != SLUICE_OK) {
        /* crashers/connector_file-1 (fixed: added fields are optional) */
        FUZZ_CHECK(0, "cannot encode the transformed value: %s", err);
    }
    sl_buf_reset(&b);
    FUZZ_CHECK(sl_converter_from_connect(cv, o->topic, o->key_schema, o->key, &b, &is_null, err,
                                         sizeof err) == SLUICE_OK,
               "cannot encode the transformed key: %s", err);
    for (size_t i = 0; i < o->nheaders; i++) {
        sl_buf_reset(&b);
        sl_value_to_json(o->headers[i].value, &b);
    }
    sl_buf_free(&b);
out:
    sl_arena_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *cfg;
    size_t cfg_len;
    struct input in = {0};
    part(data, size, 0, &cfg, &cfg_len);
    if (!part(data, size, 1, &in.value, &in.value_len)) {
        in.value = cfg;
        in.value_len = cfg_len;
    }
    in.has_key = part(data, size, 2, &in.key, &in.key_len);
    in.has_header = part(data, size, 3, &in.header, &in.header_len);

    sl_props *props = props_from_input(cfg, cfg_len);

    sl_props *conn = sl_props_new();
    sl_props_set(conn, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
    sl_props_set(conn, "value.converter.schemas.enable", "true");
    char err[512];
    sl_converter *cv = sl_converter_new(conn, NULL, false, "fuzz", 0, err, sizeof err);
    FUZZ_CHECK(cv != NULL, "JsonConverter: %s", err);
    sl_props_free(conn);

    const char *const *fixed[] = {chain_defaults, chain_rewrite, chain_route};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        sl_chain *c = chain_of(fixed[i], NULL);
        run_chain(cv, c, &in);
        sl_chain_free(c);
    }
    if (props != NULL) {
        sl_chain *c = chain_of(NULL, props);
        if (c != NULL) {
            run_chain(cv, c, &in);
            sl_chain_free(c);
        }
    }
    sl_converter_free(cv);
    sl_props_free(props);
    return 0;
}
