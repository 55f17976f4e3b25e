/*
 * test_transforms.c — the built-in transforms and predicates on their own: ExtractNewRecordState
 * (the 06 → 06b Debezium golden file, every delete.tombstone.handling.mode, add.fields/headers,
 * routing, defaults, drop.fields), RegexRouter and the three predicates.
 * Fixtures are decoded with a small jansson helper local to this test; it never runs a chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "config/config.h"
#include "data/value.h"
#include "plugin/ctx.h"
#include "transforms/builtin.h"
#include "util/buf.h"

/* ---- a tiny JsonConverter (schemas.enable=true) decoder for fixtures ----------------------------
 */

static int type_of(const char *t)
{
    static const char *names[] = {"null",    "int8",   "int16", "int32", "int64", "float", "double",
                                  "boolean", "string", "bytes", "array", "map",   "struct"};
    for (int i = 1; i < 13; i++) {
        if (strcmp(t, names[i]) == 0) {
            return i;
        }
    }
    if (strcmp(t, "float32") == 0) {
        return SLUICE_TYPE_FLOAT32;
    }
    if (strcmp(t, "float64") == 0) {
        return SLUICE_TYPE_FLOAT64;
    }
    fail_msg("unknown schema type %s", t);
    return 0;
}

static const sl_value *decode(sl_arena *a, const sl_schema *s, json_t *j);

static sl_schema *parse_schema(sl_arena *a, json_t *j)
{
    int type = type_of(json_string_value(json_object_get(j, "type")));
    json_t *name = json_object_get(j, "name");
    sl_schema *s = sl_schema_new(a, type, json_is_true(json_object_get(j, "optional")),
                                 name != NULL ? json_string_value(name) : NULL);
    json_t *ver = json_object_get(j, "version");
    s->version = ver != NULL ? (int32_t)json_integer_value(ver) : 0;
    json_t *doc = json_object_get(j, "doc");
    s->doc = doc != NULL ? sl_arena_strdup(a, json_string_value(doc)) : NULL;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j, "parameters"), k, v)
    {
        sl_schema_set_param(a, s, k, json_string_value(v));
    }
    size_t i;
    json_array_foreach(json_object_get(j, "fields"), i, v)
    {
        sl_schema_add_field(a, s, json_string_value(json_object_get(v, "field")),
                            parse_schema(a, v));
    }
    if (json_object_get(j, "items") != NULL) {
        s->items = parse_schema(a, json_object_get(j, "items"));
    }
    if (json_object_get(j, "keys") != NULL) {
        s->keys = parse_schema(a, json_object_get(j, "keys"));
        s->values = parse_schema(a, json_object_get(j, "values"));
    }
    json_t *def = json_object_get(j, "default");
    if (def != NULL) {
        s->has_default = 1;
        s->def = decode(a, s, def);
    }
    return s;
}

static const sl_value *decode(sl_arena *a, const sl_schema *s, json_t *j)
{
    if (j == NULL || json_is_null(j)) {
        return NULL;
    }
    switch (s->type) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        return sl_value_new_int(a, s, s->type, json_integer_value(j));
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        return sl_value_new_double(a, s, s->type, json_number_value(j));
    case SLUICE_TYPE_BOOLEAN:
        return sl_value_new_bool(a, s, json_is_true(j));
    case SLUICE_TYPE_STRING:
        return sl_value_new_string(a, s, json_string_value(j), json_string_length(j));
    case SLUICE_TYPE_BYTES: {
        unsigned char buf[256];
        ssize_t n = sl_base64_decode(json_string_value(j), json_string_length(j), buf, sizeof buf);
        assert_true(n >= 0);
        return sl_value_new_bytes(a, s, buf, (size_t)n);
    }
    case SLUICE_TYPE_ARRAY: {
        sl_value *v = sl_value_new_array(a, s, json_array_size(j));
        for (size_t i = 0; i < json_array_size(j); i++) {
            v->u.arr.items[i] = decode(a, s->items, json_array_get(j, i));
        }
        return v;
    }
    case SLUICE_TYPE_STRUCT: {
        sl_value *v = sl_value_new_struct(a, s);
        for (size_t i = 0; i < s->nfields; i++) {
            v->u.arr.items[i] =
                decode(a, s->fields[i].schema, json_object_get(j, s->fields[i].name));
        }
        return v;
    }
    default:
        fail_msg("type %d not supported by the fixture decoder", s->type);
        return NULL;
    }
}

/* {"schema":..,"payload":..} or null. */
static void decode_envelope(sl_arena *a, json_t *j, const sl_schema **s, const sl_value **v)
{
    *s = NULL;
    *v = NULL;
    if (j == NULL || json_is_null(j)) {
        return;
    }
    *s = parse_schema(a, json_object_get(j, "schema"));
    *v = decode(a, *s, json_object_get(j, "payload"));
}

/* One line of 06/06b: {"topic","partition","offset","key","value"}. */
static sl_record *record_from_line(sl_arena *a, const char *line)
{
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    assert_non_null(j);
    sl_record *r = sl_record_new(a);
    r->topic = sl_arena_strdup(a, json_string_value(json_object_get(j, "topic")));
    r->partition = (int32_t)json_integer_value(json_object_get(j, "partition"));
    r->offset = json_integer_value(json_object_get(j, "offset"));
    decode_envelope(a, json_object_get(j, "key"), &r->key_schema, &r->key);
    decode_envelope(a, json_object_get(j, "value"), &r->value_schema, &r->value);
    json_decref(j);
    return r;
}

static size_t read_records(sl_arena *a, const char *file, sl_record **out, size_t max)
{
    const char *dir = getenv("SLUICE_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/debezium/%s", dir != NULL ? dir : "tests/data", file);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0, n = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '{') {
            assert_true(n < max);
            out[n++] = record_from_line(a, line);
        }
    }
    free(line);
    fclose(f);
    return n;
}

/* ---- instances
 * ------------------------------------------------------------------------------------ */

struct inst {
    const struct sluice_component *comp;
    sluice_ctx *ctx;
    sl_config *cfg;
    void *state;
};

/* props: NULL-terminated key, value pairs. Returns the create() result. */
static sluice_rc make(struct inst *in, const struct sluice_component *comp, ...)
{
    sl_props *p = sl_props_new();
    va_list ap;
    va_start(ap, comp);
    for (const char *k = va_arg(ap, const char *); k != NULL; k = va_arg(ap, const char *)) {
        sl_props_set(p, k, va_arg(ap, const char *));
    }
    va_end(ap);
    char err[1024] = "";
    in->comp = comp;
    in->cfg = sl_config_new(comp->config_defs, sizeof(struct sluice_config_def), p, NULL, err,
                            sizeof err);
    sl_props_free(p);
    if (in->cfg == NULL) {
        in->ctx = NULL;
        return SLUICE_ERR_CONFIG;
    }
    in->ctx = sl_ctx_new("conn", 0, comp->class_name);
    in->state = NULL;
    sluice_rc rc;
    if (comp->kind == SLUICE_KIND_TRANSFORM) {
        rc = ((const struct sluice_transform_ops *)comp->ops)->create(in->ctx, in->cfg, &in->state);
    } else {
        rc = ((const struct sluice_predicate_ops *)comp->ops)->create(in->ctx, in->cfg, &in->state);
    }
    return rc;
}

static void unmake(struct inst *in)
{
    if (in->comp->kind == SLUICE_KIND_TRANSFORM) {
        ((const struct sluice_transform_ops *)in->comp->ops)->destroy(in->state);
    } else {
        ((const struct sluice_predicate_ops *)in->comp->ops)->destroy(in->state);
    }
    sl_ctx_destroy(in->ctx);
    sl_config_free(in->cfg);
}

static sl_record *apply(struct inst *in, sl_record *r)
{
    sl_record *out = (sl_record *)0x1;
    sluice_rc rc = ((const struct sluice_transform_ops *)in->comp->ops)->apply(in->state, r, &out);
    assert_int_equal(rc, SLUICE_OK);
    return out;
}

static int test(struct inst *in, const sl_record *r)
{
    return ((const struct sluice_predicate_ops *)in->comp->ops)->test(in->state, r);
}

static char *json_of(const sl_value *v)
{
    sl_buf b = SL_BUF_INIT;
    if (v == NULL) {
        sl_buf_puts(&b, "null");
    } else {
        sl_value_to_json(v, &b);
    }
    return sl_buf_steal(&b);
}

static void assert_field_json(const sl_value *st, const char *name, const char *want)
{
    assert_non_null(st);
    int64_t i = sl_schema_field_index(st->schema, name);
    if (i < 0) {
        fail_msg("field %s missing", name);
    }
    char *got = json_of(st->u.arr.items[i]);
    assert_string_equal(got, want);
    free(got);
}

static const char *header(const sl_record *r, const char *key)
{
    static char buf[256];
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, key) == 0) {
            char *j = json_of(r->headers[i].value);
            snprintf(buf, sizeof buf, "%s", j);
            free(j);
            return buf;
        }
    }
    return NULL;
}

/* ---- ExtractNewRecordState ----------------------------------------------------------------------
 */

#define ENRS   (&sl_tf_extract_new_record_state)
#define MAXREC 16

/* 06 holds r, u, d, tombstone, c, t (offsets 0..5). */
static size_t load06(sl_arena *a, sl_record **recs)
{
    size_t n = read_records(a, "06_synthetic_postgres_orders_logical_types.jsonl", recs, MAXREC);
    assert_int_equal(n, 6);
    return n;
}

static void test_enrs_rewrite_with_add_fields_matches_golden_06b(void **unused)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC], *want[MAXREC], *got[MAXREC];
    size_t n = load06(a, in);
    size_t nwant =
        read_records(a, "06b_synthetic_postgres_orders_unwrapped_rewrite.jsonl", want, MAXREC);
    assert_int_equal(nwant, 4);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "rewrite", "add.fields",
                          "op,lsn,source.ts_ms", NULL),
                     SLUICE_OK);
    size_t ngot = 0;
    for (size_t i = 0; i < n; i++) {
        sl_record *o = apply(&t, in[i]);
        if (o != NULL) {
            got[ngot++] = o;
        }
    }
    assert_int_equal(ngot, nwant);
    for (size_t i = 0; i < nwant; i++) {
        const sl_schema *ws = want[i]->value_schema, *gs = got[i]->value_schema;
        assert_int_equal(got[i]->offset, want[i]->offset);
        assert_string_equal(got[i]->topic, want[i]->topic);
        assert_non_null(gs);
        assert_string_equal(gs->name, ws->name);
        assert_int_equal(gs->optional, ws->optional);
        assert_int_equal(gs->nfields, ws->nfields);
        for (size_t f = 0; f < ws->nfields; f++) {
            assert_string_equal(gs->fields[f].name, ws->fields[f].name);
            assert_int_equal(gs->fields[f].schema->type, ws->fields[f].schema->type);
            assert_int_equal(gs->fields[f].schema->optional, ws->fields[f].schema->optional);
            char *g = json_of(got[i]->value->u.arr.items[f]);
            char *w = json_of(want[i]->value->u.arr.items[f]);
            assert_string_equal(g, w);
            free(g);
            free(w);
        }
        char *gk = json_of(got[i]->key), *wk = json_of(want[i]->key);
        assert_string_equal(gk, wk);
        free(gk);
        free(wk);
    }
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_default_mode_tombstone_makes_null_value_delete_and_drops_tombstones(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, NULL), SLUICE_OK);
    sl_record *r = apply(&t, in[0]);
    assert_non_null(r);
    assert_string_equal(r->value_schema->name, "shop.public.orders.Value");
    assert_field_json(r->value, "status", "\"paid\"");
    assert_int_equal(sl_schema_field_index(r->value_schema, "__deleted"), -1);
    sl_record *d = apply(&t, in[2]);
    assert_non_null(d);
    assert_null(d->value);
    assert_non_null(d->value_schema); /* a "flattened delete": null value, schema kept */
    assert_string_equal(d->value_schema->name, "shop.public.orders.Value");
    assert_non_null(d->key);
    assert_null(apply(&t, in[3])); /* Debezium's tombstone */
    assert_null(apply(&t, in[5])); /* truncate */
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_drop_mode_removes_deletes_and_tombstones(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "drop", NULL), SLUICE_OK);
    assert_non_null(apply(&t, in[1]));
    assert_null(apply(&t, in[2]));
    assert_null(apply(&t, in[3]));
    assert_null(apply(&t, in[5]));
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_rewrite_with_tombstone_keeps_debezium_tombstone(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "rewrite-with-tombstone",
                          "add.headers", "op", NULL),
                     SLUICE_OK);
    sl_record *d = apply(&t, in[2]);
    assert_non_null(d);
    assert_field_json(d->value, "__deleted", "\"true\"");
    assert_field_json(d->value, "status", "\"shipped\"");
    sl_record *ts = apply(&t, in[3]);
    assert_non_null(ts);
    assert_null(ts->value);
    assert_string_equal(header(ts, "__op"), "\"d\"");
    sl_record *c = apply(&t, in[4]);
    assert_field_json(c->value, "__deleted", "\"false\"");
    assert_null(apply(&t, in[5]));
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_delete_to_tombstone_makes_real_kafka_tombstone(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "delete-to-tombstone", NULL),
                     SLUICE_OK);
    sl_record *d = apply(&t, in[2]);
    assert_non_null(d);
    assert_null(d->value);
    assert_null(d->value_schema);
    assert_non_null(d->key);
    assert_null(apply(&t, in[3]));
    assert_non_null(apply(&t, in[4]));
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_legacy_keys_map_onto_the_new_mode(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(
        make(&t, ENRS, "delete.handling.mode", "rewrite", "drop.tombstones", "false", NULL),
        SLUICE_OK);
    sl_record *d = apply(&t, in[2]);
    assert_field_json(d->value, "__deleted", "\"true\"");
    assert_non_null(apply(&t, in[3])); /* drop.tombstones=false keeps it */
    unmake(&t);
    assert_int_equal(make(&t, ENRS, "drop.tombstones", "true", NULL), SLUICE_OK);
    assert_null(apply(&t, in[2])); /* delete.handling.mode defaults to drop */
    assert_null(apply(&t, in[3]));
    unmake(&t);
    /* The new key wins over the legacy ones. */
    assert_int_equal(make(&t, ENRS, "delete.handling.mode", "rewrite",
                          "delete.tombstone.handling.mode", "drop", NULL),
                     SLUICE_OK);
    assert_null(apply(&t, in[2]));
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_add_headers_and_renamed_fields(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "add.headers", "op,source.table,lsn,nosuch",
                          "add.headers.prefix", "dbz.", "add.fields",
                          "source.ts_ms:EVENT_TS, table", "add.fields.prefix", "", NULL),
                     SLUICE_OK);
    sl_record *r = apply(&t, in[1]);
    assert_string_equal(header(r, "dbz.op"), "\"u\"");
    assert_string_equal(header(r, "dbz.source_table"), "\"orders\"");
    assert_string_equal(header(r, "dbz.lsn"), "36702112");
    assert_null(header(r, "dbz.nosuch")); /* a missing field adds no header */
    assert_int_equal(in[1]->nheaders, 0); /* the input record is left alone */
    assert_field_json(r->value, "EVENT_TS", "1773500060000");
    assert_field_json(r->value, "table", "\"orders\"");
    assert_int_equal(sl_schema_field_index(r->value_schema, "__deleted"), -1);
    unmake(&t);
    sl_arena_destroy(a);
}

/* Found by tests/fuzz: added fields kept the source field's required schema, so a null parent
 * (here `transaction`) produced a row that could not be written. Debezium makes them optional. */
static void test_enrs_added_fields_are_optional_even_when_the_source_field_is_required(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "add.fields", "op,transaction.id", NULL), SLUICE_OK);
    sl_record *r = apply(&t, in[0]);
    int64_t iop = sl_schema_field_index(r->value_schema, "__op");
    int64_t itx = sl_schema_field_index(r->value_schema, "__transaction_id");
    assert_true(iop >= 0 && itx >= 0);
    assert_int_equal(r->value_schema->fields[iop].schema->optional, 1);
    assert_int_equal(r->value_schema->fields[itx].schema->optional, 1);
    assert_null(r->value->u.arr.items[itx]); /* transaction is null in a snapshot read */
    assert_field_json(r->value, "__op", "\"r\"");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_route_by_field_uses_after_then_before_for_deletes(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "route.by.field", "status", "delete.tombstone.handling.mode",
                          "rewrite", NULL),
                     SLUICE_OK);
    assert_string_equal(apply(&t, in[0])->topic, "paid");
    assert_string_equal(apply(&t, in[1])->topic, "shipped");
    assert_string_equal(apply(&t, in[2])->topic, "shipped"); /* from before */
    assert_string_equal(in[0]->topic, "shop.public.orders");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_builds_output_schema_once_per_input_schema(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "rewrite", NULL), SLUICE_OK);
    in[1]->value_schema = in[0]->value_schema; /* same schema object, as a converter cache gives */
    const sl_schema *s0 = apply(&t, in[0])->value_schema;
    size_t before = sl_arena_bytes(t.ctx->instance);
    const sl_schema *s1 = apply(&t, in[1])->value_schema;
    assert_ptr_equal(s0, s1);
    assert_int_equal(sl_arena_bytes(t.ctx->instance), before);
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_passes_non_envelopes_through_unchanged(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "rewrite", NULL), SLUICE_OK);
    /* A heartbeat-like struct (no .Envelope name) and a struct envelope without op. */
    sl_schema *hb =
        sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "io.debezium.connector.common.Heartbeat");
    sl_schema_add_field(a, hb, "ts_ms", sl_schema_primitive(SLUICE_TYPE_INT64, false));
    sl_value *hv = sl_value_new_struct(a, hb);
    hv->u.arr.items[0] = sl_value_new_int(a, NULL, SLUICE_TYPE_INT64, 5);
    sl_record *r = sl_record_new(a);
    r->topic = "__debezium-heartbeat.shop";
    r->value_schema = hb;
    r->value = hv;
    assert_ptr_equal(apply(&t, r), r);
    sl_schema *noop = sl_schema_new(a, SLUICE_TYPE_STRUCT, false, "x.Envelope");
    sl_schema_add_field(a, noop, "after", hb);
    sl_record *r2 = sl_record_copy(a, r);
    r2->value_schema = noop;
    r2->value = sl_value_new_struct(a, noop);
    assert_ptr_equal(apply(&t, r2), r2);
    /* Schemaless values pass through too, as in Debezium. */
    sl_record *r3 = sl_record_copy(a, r);
    r3->value_schema = NULL;
    r3->value = sl_value_new_string(a, NULL, "x", 1);
    assert_ptr_equal(apply(&t, r3), r3);
    unmake(&t);
    sl_arena_destroy(a);
}

/* Replace the op of a decoded envelope (a shallow copy of the struct). */
static sl_record *with_op(sl_arena *a, const sl_record *r, const char *op)
{
    sl_record *c = sl_record_copy(a, r);
    sl_value *env = sl_value_new_struct(a, r->value_schema);
    for (size_t i = 0; i < r->value->u.arr.n; i++) {
        env->u.arr.items[i] = r->value->u.arr.items[i];
    }
    int64_t iop = sl_schema_field_index(r->value_schema, "op");
    env->u.arr.items[iop] =
        sl_value_new_string(a, r->value_schema->fields[iop].schema, op, strlen(op));
    c->value = env;
    return c;
}

static void test_enrs_passes_unknown_ops_through_and_treats_null_items_as_absent(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "rewrite", NULL), SLUICE_OK);
    sl_record *m = with_op(a, in[0], "m");
    assert_ptr_equal(apply(&t, m), m);
    /* A delete whose after is an explicit null value (not a NULL pointer). */
    sl_record *d = with_op(a, in[2], "d");
    int64_t ia = sl_schema_field_index(d->value_schema, "after");
    ((sl_value *)d->value)->u.arr.items[ia] = sl_value_new_struct(a, NULL);
    ((sl_value *)d->value->u.arr.items[ia])->type = SLUICE_TYPE_NULL;
    sl_record *o = apply(&t, d);
    assert_field_json(o->value, "__deleted", "\"true\"");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_replace_null_with_default(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    /* Give `note` a default; the c event at offset 4 has note = null. */
    sl_schema *env = (sl_schema *)in[4]->value_schema;
    int64_t ia = sl_schema_field_index(env, "after");
    sl_schema *row = (sl_schema *)env->fields[ia].schema;
    sl_schema *note = (sl_schema *)row->fields[sl_schema_field_index(row, "note")].schema;
    note->has_default = 1;
    note->def = sl_value_new_string(a, note, "none", 4);
    struct inst t;
    assert_int_equal(make(&t, ENRS, NULL), SLUICE_OK);
    assert_field_json(apply(&t, in[4])->value, "note", "\"none\"");
    unmake(&t);
    assert_int_equal(make(&t, ENRS, "replace.null.with.default", "false", NULL), SLUICE_OK);
    assert_field_json(apply(&t, in[4])->value, "note", "null");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_drop_fields_header_removes_optional_fields(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    sl_schema *ls = sl_schema_new(a, SLUICE_TYPE_ARRAY, false, NULL);
    ls->items = sl_schema_primitive(SLUICE_TYPE_STRING, false);
    sl_value *names = sl_value_new_array(a, ls, 2);
    names->u.arr.items[0] = sl_value_new_string(a, ls->items, "note", 4);
    names->u.arr.items[1] = sl_value_new_string(a, ls->items, "status", 6); /* required: kept */
    sl_record_add_header(a, in[0], "drop", names);
    struct inst t;
    assert_int_equal(make(&t, ENRS, "drop.fields.header.name", "drop", NULL), SLUICE_OK);
    sl_record *r = apply(&t, in[0]);
    assert_int_equal(sl_schema_field_index(r->value_schema, "note"), -1);
    assert_field_json(r->value, "status", "\"paid\"");
    assert_field_json(r->value, "is_gift", "true");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_enrs_rejects_unknown_mode(void **u)
{
    struct inst t;
    assert_int_not_equal(make(&t, ENRS, "delete.tombstone.handling.mode", "bogus", NULL),
                         SLUICE_OK);
    if (t.ctx != NULL) {
        sl_ctx_destroy(t.ctx);
        sl_config_free(t.cfg);
    }
}

/* ---- RegexRouter
 * --------------------------------------------------------------------------------- */

static sl_record *topic_record(sl_arena *a, const char *topic)
{
    sl_record *r = sl_record_new(a);
    r->topic = topic;
    return r;
}

static void test_regex_router_replaces_whole_match_with_groups(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst t;
    assert_int_equal(make(&t, &sl_tf_regex_router, "regex", "([^.]+)\\.public\\.(.*)",
                          "replacement", "$1_$2", NULL),
                     SLUICE_OK);
    sl_record *in = topic_record(a, "shop.public.orders");
    sl_record *r = apply(&t, in);
    assert_string_equal(r->topic, "shop_orders");
    assert_string_equal(in->topic, "shop.public.orders");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_regex_router_needs_a_full_match(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst t;
    assert_int_equal(make(&t, &sl_tf_regex_router, "regex", "orders", "replacement", "x", NULL),
                     SLUICE_OK);
    sl_record *in = topic_record(a, "shop.orders");
    assert_string_equal(apply(&t, in)->topic, "shop.orders");
    assert_string_equal(apply(&t, topic_record(a, "orders"))->topic, "x");
    /* Second sight of each topic: answered from the memo, same outcome. */
    assert_string_equal(apply(&t, topic_record(a, "shop.orders"))->topic, "shop.orders");
    assert_string_equal(apply(&t, topic_record(a, "orders"))->topic, "x");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_regex_router_understands_java_syntax(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst t;
    /* \d, a non-capturing group, a lazy quantifier, an escaped $ and a two-digit-safe $1. */
    assert_int_equal(make(&t, &sl_tf_regex_router, "regex", "(?:dbz|cdc)-(\\w+?)-v\\d+",
                          "replacement", "\\$$10", NULL),
                     SLUICE_OK);
    assert_string_equal(apply(&t, topic_record(a, "cdc-orders-v12"))->topic, "$orders0");
    assert_string_equal(apply(&t, topic_record(a, "cdc-orders-vx"))->topic, "cdc-orders-vx");
    unmake(&t);
    sl_arena_destroy(a);
}

static void test_regex_router_rejects_missing_group_and_bad_regex(void **u)
{
    struct inst t;
    assert_int_equal(make(&t, &sl_tf_regex_router, "regex", "(a)(b)", "replacement", "$3", NULL),
                     SLUICE_ERR_CONFIG);
    assert_non_null(strstr(t.ctx->error, "No group 3"));
    sl_ctx_destroy(t.ctx);
    sl_config_free(t.cfg);
    assert_int_equal(make(&t, &sl_tf_regex_router, "regex", "(unclosed", "replacement", "x", NULL),
                     SLUICE_ERR_CONFIG);
    sl_ctx_destroy(t.ctx);
    sl_config_free(t.cfg);
    /* Both keys are required. */
    assert_int_not_equal(make(&t, &sl_tf_regex_router, "regex", "x", NULL), SLUICE_OK);
    sl_ctx_destroy(t.ctx);
    sl_config_free(t.cfg);
}

static int validation_errors(const struct sluice_component *comp, const char *k1, const char *v1,
                             const char *k2, const char *v2)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, k1, v1);
    sl_props_set(p, k2, v2);
    char err[512];
    sl_config *cfg = sl_config_new(comp->config_defs, sizeof(struct sluice_config_def), p, NULL,
                                   err, sizeof err);
    assert_non_null(cfg);
    sl_validation *v = sl_validation_new();
    const struct sluice_transform_ops *ops = comp->ops;
    assert_int_equal(ops->validate(cfg, v), SLUICE_OK);
    int n = sl_validation_error_count(v);
    sl_validation_free(v);
    sl_config_free(cfg);
    sl_props_free(p);
    return n;
}

static void test_regex_router_validate_reports_bad_regex_and_replacement(void **u)
{
    const struct sluice_component *rr = &sl_tf_regex_router;
    assert_int_equal(validation_errors(rr, "regex", "(a)", "replacement", "$1"), 0);
    assert_int_equal(validation_errors(rr, "regex", "(a", "replacement", "$1"), 1);
    assert_int_equal(validation_errors(rr, "regex", "(a)", "replacement", "$2"), 1);
}

/* ---- predicates
 * ---------------------------------------------------------------------------------- */

static void test_topic_name_matches_is_a_whole_name_match(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst p;
    assert_int_equal(make(&p, &sl_pred_topic_name_matches, "pattern", "shop\\..*", NULL),
                     SLUICE_OK);
    assert_true(test(&p, topic_record(a, "shop.public.orders")));
    assert_false(test(&p, topic_record(a, "myshop.public.orders")));
    assert_true(test(&p, topic_record(a, "shop.public.orders")));
    assert_false(test(&p, topic_record(a, "myshop.public.orders")));
    unmake(&p);
    sl_arena_destroy(a);
}

static void test_has_header_key_looks_for_the_name(void **u)
{
    sl_arena *a = sl_arena_new(0);
    struct inst p;
    assert_int_equal(make(&p, &sl_pred_has_header_key, "name", "trace", NULL), SLUICE_OK);
    sl_record *r = topic_record(a, "t");
    assert_false(test(&p, r));
    sl_record_add_header(a, r, "trace", NULL);
    assert_true(test(&p, r));
    unmake(&p);
    sl_arena_destroy(a);
}

static void test_record_is_tombstone_checks_for_null_value(void **u)
{
    sl_arena *a = sl_arena_new(0);
    sl_record *in[MAXREC];
    load06(a, in);
    struct inst p;
    assert_int_equal(make(&p, &sl_pred_record_is_tombstone, NULL), SLUICE_OK);
    assert_false(test(&p, in[2]));
    assert_true(test(&p, in[3]));
    unmake(&p);
    sl_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrs_rewrite_with_add_fields_matches_golden_06b),
        cmocka_unit_test(
            test_enrs_default_mode_tombstone_makes_null_value_delete_and_drops_tombstones),
        cmocka_unit_test(test_enrs_drop_mode_removes_deletes_and_tombstones),
        cmocka_unit_test(test_enrs_rewrite_with_tombstone_keeps_debezium_tombstone),
        cmocka_unit_test(test_enrs_delete_to_tombstone_makes_real_kafka_tombstone),
        cmocka_unit_test(test_enrs_legacy_keys_map_onto_the_new_mode),
        cmocka_unit_test(test_enrs_add_headers_and_renamed_fields),
        cmocka_unit_test(test_enrs_route_by_field_uses_after_then_before_for_deletes),
        cmocka_unit_test(test_enrs_added_fields_are_optional_even_when_the_source_field_is_required),
        cmocka_unit_test(test_enrs_builds_output_schema_once_per_input_schema),
        cmocka_unit_test(test_enrs_passes_non_envelopes_through_unchanged),
        cmocka_unit_test(test_enrs_passes_unknown_ops_through_and_treats_null_items_as_absent),
        cmocka_unit_test(test_enrs_replace_null_with_default),
        cmocka_unit_test(test_enrs_drop_fields_header_removes_optional_fields),
        cmocka_unit_test(test_enrs_rejects_unknown_mode),
        cmocka_unit_test(test_regex_router_replaces_whole_match_with_groups),
        cmocka_unit_test(test_regex_router_needs_a_full_match),
        cmocka_unit_test(test_regex_router_understands_java_syntax),
        cmocka_unit_test(test_regex_router_rejects_missing_group_and_bad_regex),
        cmocka_unit_test(test_regex_router_validate_reports_bad_regex_and_replacement),
        cmocka_unit_test(test_topic_name_matches_is_a_whole_name_match),
        cmocka_unit_test(test_has_header_key_looks_for_the_name),
        cmocka_unit_test(test_record_is_tombstone_checks_for_null_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
