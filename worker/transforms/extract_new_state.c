/*
 * extract_new_state.c — io.debezium.transforms.ExtractNewRecordState: replaces a Debezium change
 * event envelope by its row state (after, or before for rewritten deletes), with delete/tombstone
 * handling, added fields and headers, routing by a column, and default replacement.
 * Output schemas are built once per input envelope schema id and cached in the instance arena; the
 * record path must never build schemas or call malloc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "data/value.h"
#include "plugin/ctx.h"
#include "transforms/builtin.h"
#include "util/log.h"

#define DELETED_FIELD "__deleted"

enum del_mode {
    DEL_DROP,       /* the delete event is removed */
    DEL_NULL_VALUE, /* value null, value schema kept ("flattened delete") */
    DEL_REWRITE,    /* the before row plus __deleted=true */
    DEL_TOMBSTONE,  /* a real Kafka tombstone: null schema and value */
};

/* One entry of add.fields / add.headers: "op", "lsn", "source.ts_ms", "source.ts_ms:EVENT_TS". */
struct field_ref {
    const char *parent; /* struct in the envelope hosting the field; NULL: the envelope itself */
    const char *field;
    const char *out_name; /* prefix + name */
};

/* A field_ref resolved against one envelope schema. */
struct ref_slot {
    int64_t parent_idx; /* -1: the envelope itself */
    int64_t idx;        /* index in the parent; -1: the field does not exist */
    const sl_schema *schema;
};

/* How rows of one row schema are rebuilt. */
struct row_shape {
    const sl_schema *row; /* input row schema; NULL when the envelope has no such field */
    const sl_schema *out; /* output schema; == row when nothing is added */
    bool has_defaults;    /* some field has a non-null default (replace.null.with.default) */
    int64_t route_idx;    /* route.by.field column, -1 when absent */
};

struct shape {
    uint64_t id;
    bool envelope; /* false: records of this schema pass through untouched */
    int64_t i_before, i_after, i_op;
    const sl_schema *after_schema;
    struct row_shape after, before;
    struct ref_slot *fields;
    struct ref_slot *headers;
};

struct enrs {
    sluice_ctx *ctx;
    enum del_mode del;
    bool keep_tombstones;
    bool replace_null;
    const char *route_by_field; /* NULL when unset */
    struct field_ref *fields;
    size_t nfields;
    struct field_ref *headers;
    size_t nheaders;
    int64_t op_header;       /* index of "op" in headers (tombstones get op=d), or -1 */
    const char *drop_header; /* drop.fields.header.name, NULL when unset */
    bool drop_from_key;
    bool keep_compatible;
    const sl_value *str_true, *str_false, *str_d;
    struct shape **table; /* open addressing by schema id; malloc'ed, grows with new schemas */
    size_t cap, count;
};

/* ---- configuration ----------------------------------------------------------------------------
 */

static const char *const mode_values[] = {
    "drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone", NULL,
};
static const char *const legacy_values[] = {"none", "drop", "rewrite", NULL};

static const struct sluice_config_def enrs_defs[] = {
    {.name = "delete.tombstone.handling.mode",
     .type = SLUICE_CFG_STRING,
     .default_value = "tombstone",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation =
         "How delete events and Debezium's tombstones are handled: drop (remove both), "
         "tombstone (deletes become null-value records, tombstones removed), rewrite "
         "(deletes become the before row with __deleted=true, tombstones removed), "
         "rewrite-with-tombstone (as rewrite, tombstones kept), delete-to-tombstone "
         "(deletes become Kafka tombstones, tombstones removed).",
     .valid_values = mode_values,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Handle delete and tombstone events"},
    {.name = "drop.tombstones",
     .type = SLUICE_CFG_BOOLEAN,
     .flags = SLUICE_CFG_F_DEPRECATED,
     .default_value = "true",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Deprecated, use delete.tombstone.handling.mode. Drop tombstones.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Drop tombstones"},
    {.name = "delete.handling.mode",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_DEPRECATED,
     .default_value = "drop",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Deprecated, use delete.tombstone.handling.mode. none, drop or rewrite.",
     .valid_values = legacy_values,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Handle delete records"},
    {.name = "add.fields",
     .type = SLUICE_CFG_LIST,
     .default_value = "",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Envelope fields to add to the row, e.g. op,lsn,source.ts_ms or "
                      "source.ts_ms:EVENT_TS to rename. Each becomes <add.fields.prefix><name>.",
     .width = SLUICE_WIDTH_LONG,
     .display_name = "Adds the specified field(s) to the message"},
    {.name = "add.fields.prefix",
     .type = SLUICE_CFG_STRING,
     .default_value = "__",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Prefix of the added fields.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Field prefix"},
    {.name = "add.headers",
     .type = SLUICE_CFG_LIST,
     .default_value = "",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Envelope fields to add as headers, same syntax as add.fields.",
     .width = SLUICE_WIDTH_LONG,
     .display_name = "Adds the specified fields to the header"},
    {.name = "add.headers.prefix",
     .type = SLUICE_CFG_STRING,
     .default_value = "__",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Prefix of the added headers.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Header prefix"},
    {.name = "drop.fields.header.name",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_NULL_DEFAULT,
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Header holding a list of field names to drop from the value (and key).",
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Drop fields header name"},
    {.name = "drop.fields.from.key",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Also drop the fields named in the header from the key.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Drop fields from key"},
    {.name = "drop.fields.keep.schema.compatible",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Drop only optional fields, so the schema stays compatible.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Keep schema compatible"},
    {.name = "route.by.field",
     .type = SLUICE_CFG_STRING,
     .default_value = "",
     .importance = SLUICE_IMPORTANCE_LOW,
     .documentation = "Column whose value becomes the topic (after row; before row for deletes).",
     .width = SLUICE_WIDTH_LONG,
     .display_name = "Route by field name"},
    {.name = "replace.null.with.default",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "Replace null fields that have a schema default by the default.",
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Replace null with default"},
    {.name = NULL},
};

static const char *parent_of(const char *simple)
{
    if (strcmp(simple, "op") == 0 || strcmp(simple, "ts_ms") == 0 || strcmp(simple, "ts_us") == 0 ||
        strcmp(simple, "ts_ns") == 0) {
        return NULL;
    }
    if (strcmp(simple, "id") == 0 || strcmp(simple, "total_order") == 0 ||
        strcmp(simple, "data_collection_order") == 0) {
        return "transaction";
    }
    if (strcmp(simple, "updateDescription") == 0) {
        return "updateDescription";
    }
    return "source";
}

/* Parse a comma list of field references into the instance arena. -1 with err. */
static int parse_refs(sl_arena *a, const char *list, const char *prefix, struct field_ref **out,
                      size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (list == NULL) {
        return 0;
    }
    size_t max = 1;
    for (const char *p = list; *p != '\0'; p++) {
        max += *p == ',';
    }
    *out = sl_arena_calloc(a, max * sizeof **out);
    const char *p = list;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
            len--;
        }
        if (len > 0) {
            char *item = sl_arena_strndup(a, p, len);
            char *rename = strchr(item, ':');
            if (rename != NULL) {
                *rename++ = '\0';
                if (strchr(rename, ':') != NULL || *rename == '\0') {
                    snprintf(err, errlen, "Unexpected field name: %.*s", (int)len, p);
                    return -1;
                }
            }
            struct field_ref *r = &(*out)[(*n)++];
            char *dot = strchr(item, '.');
            if (dot != NULL) {
                *dot = '\0';
                r->parent = item;
                r->field = dot + 1;
            } else {
                r->parent = parent_of(item);
                r->field = item;
            }
            char name[512];
            if (rename != NULL) {
                snprintf(name, sizeof name, "%s%s", prefix, rename);
            } else if (dot != NULL) {
                snprintf(name, sizeof name, "%s%s_%s", prefix, r->parent, r->field);
            } else {
                snprintf(name, sizeof name, "%s%s", prefix, r->field);
            }
            r->out_name = sl_arena_strdup(a, name);
        }
        p += len;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == ',') {
            p++;
        }
    }
    return 0;
}

static int parse_mode(struct enrs *t, const sl_config *cfg, char *err, size_t errlen)
{
    if (sl_config_is_set(cfg, "delete.tombstone.handling.mode") ||
        (!sl_config_is_set(cfg, "drop.tombstones") &&
         !sl_config_is_set(cfg, "delete.handling.mode"))) {
        const char *m = sl_config_string(cfg, "delete.tombstone.handling.mode");
        t->keep_tombstones = false;
        if (m == NULL || strcasecmp(m, "tombstone") == 0) {
            t->del = DEL_NULL_VALUE;
        } else if (strcasecmp(m, "drop") == 0) {
            t->del = DEL_DROP;
        } else if (strcasecmp(m, "rewrite") == 0) {
            t->del = DEL_REWRITE;
        } else if (strcasecmp(m, "rewrite-with-tombstone") == 0) {
            t->del = DEL_REWRITE;
            t->keep_tombstones = true;
        } else if (strcasecmp(m, "delete-to-tombstone") == 0) {
            t->del = DEL_TOMBSTONE;
        } else {
            snprintf(err, errlen,
                     "Invalid value %s for configuration delete.tombstone.handling.mode", m);
            return -1;
        }
        return 0;
    }
    /* The pre-2.5 pair, removed from Debezium 3.2 but still found in old configs. */
    const char *legacy = sl_config_string(cfg, "delete.handling.mode");
    t->keep_tombstones = !sl_config_bool(cfg, "drop.tombstones");
    if (legacy == NULL || strcasecmp(legacy, "drop") == 0) {
        t->del = DEL_DROP;
    } else if (strcasecmp(legacy, "none") == 0) {
        t->del = DEL_NULL_VALUE;
    } else if (strcasecmp(legacy, "rewrite") == 0) {
        t->del = DEL_REWRITE;
    } else {
        snprintf(err, errlen, "Invalid value %s for configuration delete.handling.mode", legacy);
        return -1;
    }
    sl_cwarn(t->ctx->log_prefix, "The deleted record handling configs \"drop.tombstones\" and "
                                 "\"delete.handling.mode\" have been deprecated, please use "
                                 "\"delete.tombstone.handling.mode\" instead.");
    return 0;
}

static const char *nonempty(const char *s)
{
    return s != NULL && *s != '\0' ? s : NULL;
}

static sluice_rc enrs_create(sluice_ctx *ctx, const sluice_config *cfg, void **state)
{
    struct enrs *t = sl_xcalloc(1, sizeof *t);
    sl_arena *a = ctx->instance;
    char err[512];
    t->ctx = ctx;
    t->op_header = -1;
    if (parse_mode(t, cfg, err, sizeof err) != 0 ||
        parse_refs(a, sl_config_string(cfg, "add.fields"),
                   sl_config_string(cfg, "add.fields.prefix"), &t->fields, &t->nfields, err,
                   sizeof err) != 0 ||
        parse_refs(a, sl_config_string(cfg, "add.headers"),
                   sl_config_string(cfg, "add.headers.prefix"), &t->headers, &t->nheaders, err,
                   sizeof err) != 0) {
        sl_ctx_set_error(ctx, "%s", err);
        free(t);
        return SLUICE_ERR_CONFIG;
    }
    for (size_t i = 0; i < t->nheaders; i++) {
        if (t->headers[i].parent == NULL && strcmp(t->headers[i].field, "op") == 0) {
            t->op_header = (int64_t)i;
        }
    }
    const char *route = nonempty(sl_config_string(cfg, "route.by.field"));
    t->route_by_field = route != NULL ? sl_arena_strdup(a, route) : NULL;
    const char *drop = nonempty(sl_config_string(cfg, "drop.fields.header.name"));
    t->drop_header = drop != NULL ? sl_arena_strdup(a, drop) : NULL;
    t->drop_from_key = sl_config_bool(cfg, "drop.fields.from.key");
    t->keep_compatible = sl_config_bool(cfg, "drop.fields.keep.schema.compatible");
    t->replace_null = sl_config_bool(cfg, "replace.null.with.default");
    const sl_schema *ostr = sl_schema_primitive(SLUICE_TYPE_STRING, true);
    t->str_true = sl_value_new_string(a, ostr, "true", 4);
    t->str_false = sl_value_new_string(a, ostr, "false", 5);
    t->str_d = sl_value_new_string(a, ostr, "d", 1);
    *state = t;
    return SLUICE_OK;
}

static void enrs_destroy(void *state)
{
    struct enrs *t = state;
    if (t == NULL) {
        return;
    }
    free(t->table);
    free(t);
}

/* ---- per-schema shapes (built once per envelope schema id) -------------------------------------
 */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static const sl_schema *field_schema(const sl_schema *s, int64_t i)
{
    return i >= 0 ? s->fields[i].schema : NULL;
}

static void resolve_ref(const sl_schema *env, const struct field_ref *r, struct ref_slot *slot)
{
    slot->parent_idx = -1;
    slot->idx = -1;
    slot->schema = NULL;
    const sl_schema *parent = env;
    if (r->parent != NULL) {
        slot->parent_idx = sl_schema_field_index(env, r->parent);
        parent = field_schema(env, slot->parent_idx);
        if (parent == NULL || parent->type != SLUICE_TYPE_STRUCT) {
            parent = NULL;
        }
    }
    if (parent != NULL) {
        slot->idx = sl_schema_field_index(parent, r->field);
    }
    if (slot->idx < 0) {
        /* Not in its struct: another SMT may have put it in the envelope itself. */
        slot->parent_idx = -1;
        slot->idx = sl_schema_field_index(env, r->field);
        parent = env;
    }
    if (slot->idx >= 0) {
        slot->schema = parent->fields[slot->idx].schema;
    }
}

/* Debezium's FieldReference.getSchema: an added field keeps the source field's type, name,
 * version, doc and parameters but is always optional and has no default — its parent (e.g.
 * `transaction`) may be null. */
static const sl_schema *optional_copy(sl_arena *a, const sl_schema *fs)
{
    if (fs->optional && !fs->has_default) {
        return fs;
    }
    sl_schema *c = sl_arena_alloc(a, sizeof *c);
    *c = *fs;
    c->optional = 1;
    c->has_default = 0;
    c->def = NULL;
    c->id = sl_schema_next_id();
    return c;
}

static void build_row_shape(struct enrs *t, const struct shape *sh, const sl_schema *row,
                            struct row_shape *rs)
{
    sl_arena *a = t->ctx->instance;
    rs->row = row;
    rs->out = row;
    rs->route_idx = -1;
    rs->has_defaults = false;
    if (row == NULL || row->type != SLUICE_TYPE_STRUCT) {
        return;
    }
    for (size_t i = 0; i < row->nfields; i++) {
        const sl_schema *fs = row->fields[i].schema;
        rs->has_defaults |= fs->has_default && fs->def != NULL;
    }
    if (t->route_by_field != NULL) {
        rs->route_idx = sl_schema_field_index(row, t->route_by_field);
    }
    if (t->del != DEL_REWRITE && t->nfields == 0) {
        return;
    }
    sl_schema *out = sl_schema_new(a, SLUICE_TYPE_STRUCT, row->optional, row->name);
    out->version = row->version;
    out->doc = row->doc != NULL ? sl_arena_strdup(a, row->doc) : NULL;
    for (size_t i = 0; i < row->nparams; i++) {
        sl_schema_set_param(a, out, row->param_keys[i], row->param_vals[i]);
    }
    for (size_t i = 0; i < row->nfields; i++) {
        sl_schema_add_field(a, out, row->fields[i].name, row->fields[i].schema);
    }
    if (t->del == DEL_REWRITE) {
        sl_schema_add_field(a, out, DELETED_FIELD, sl_schema_primitive(SLUICE_TYPE_STRING, true));
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const sl_schema *fs = sh->fields[i].schema;
        sl_schema_add_field(a, out, t->fields[i].out_name,
                            fs != NULL ? optional_copy(a, fs)
                                       : sl_schema_primitive(SLUICE_TYPE_STRING, true));
    }
    rs->out = out;
}

static struct shape *build_shape(struct enrs *t, const sl_schema *env)
{
    sl_arena *a = t->ctx->instance;
    struct shape *sh = sl_arena_calloc(a, sizeof *sh);
    sh->id = env->id;
    sh->i_op = env->type == SLUICE_TYPE_STRUCT ? sl_schema_field_index(env, "op") : -1;
    sh->envelope = env->type == SLUICE_TYPE_STRUCT && env->name != NULL &&
                   ends_with(env->name, ".Envelope") && sh->i_op >= 0 &&
                   env->fields[sh->i_op].schema->type == SLUICE_TYPE_STRING;
    if (!sh->envelope) {
        return sh;
    }
    sh->i_after = sl_schema_field_index(env, "after");
    sh->i_before = sl_schema_field_index(env, "before");
    sh->after_schema = field_schema(env, sh->i_after);
    sh->fields = sl_arena_calloc(a, (t->nfields + 1) * sizeof *sh->fields);
    sh->headers = sl_arena_calloc(a, (t->nheaders + 1) * sizeof *sh->headers);
    for (size_t i = 0; i < t->nfields; i++) {
        resolve_ref(env, &t->fields[i], &sh->fields[i]);
    }
    for (size_t i = 0; i < t->nheaders; i++) {
        resolve_ref(env, &t->headers[i], &sh->headers[i]);
    }
    build_row_shape(t, sh, sh->after_schema, &sh->after);
    const sl_schema *bs = field_schema(env, sh->i_before);
    if (bs != NULL && sh->after_schema != NULL &&
        (bs == sh->after_schema || bs->id == sh->after_schema->id)) {
        sh->before = sh->after;
    } else {
        build_row_shape(t, sh, bs, &sh->before);
    }
    return sh;
}

static size_t slot_of(uint64_t id, size_t cap)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static void table_insert(struct shape **table, size_t cap, struct shape *sh)
{
    size_t i = slot_of(sh->id, cap);
    while (table[i] != NULL) {
        i = (i + 1) & (cap - 1);
    }
    table[i] = sh;
}

static struct shape *shape_for(struct enrs *t, const sl_schema *env)
{
    if (t->cap > 0) {
        for (size_t i = slot_of(env->id, t->cap); t->table[i] != NULL; i = (i + 1) & (t->cap - 1)) {
            if (t->table[i]->id == env->id) {
                return t->table[i];
            }
        }
    }
    if (2 * (t->count + 1) > t->cap) {
        size_t cap = t->cap == 0 ? 16 : 2 * t->cap;
        struct shape **table = sl_xcalloc(cap, sizeof *table);
        for (size_t i = 0; i < t->cap; i++) {
            if (t->table[i] != NULL) {
                table_insert(table, cap, t->table[i]);
            }
        }
        free(t->table);
        t->table = table;
        t->cap = cap;
    }
    struct shape *sh = build_shape(t, env);
    table_insert(t->table, t->cap, sh);
    if (++t->count == 10000) {
        sl_cwarn(t->ctx->log_prefix, "ExtractNewRecordState has seen 10000 distinct value "
                                     "schemas; is the converter caching schemas?");
    }
    return sh;
}

/* ---- the record path ----------------------------------------------------------------------------
 */

static const sl_value *item_at(const sl_value *st, int64_t i)
{
    if (st == NULL || i < 0 || st->type != SLUICE_TYPE_STRUCT || (size_t)i >= st->u.arr.n) {
        return NULL;
    }
    const sl_value *x = st->u.arr.items[i];
    return x != NULL && x->type == SLUICE_TYPE_NULL ? NULL : x; /* an explicit null item */
}

static const sl_value *ref_value(const sl_value *env, const struct ref_slot *slot)
{
    if (slot->idx < 0) {
        return NULL;
    }
    const sl_value *parent = slot->parent_idx < 0 ? env : item_at(env, slot->parent_idx);
    return item_at(parent, slot->idx);
}

static bool needs_default(const struct enrs *t, const struct row_shape *rs, const sl_value *row)
{
    if (!t->replace_null || !rs->has_defaults) {
        return false;
    }
    for (size_t i = 0; i < rs->row->nfields && i < row->u.arr.n; i++) {
        const sl_schema *fs = rs->row->fields[i].schema;
        if (item_at(row, (int64_t)i) == NULL && fs->has_default && fs->def != NULL) {
            return true;
        }
    }
    return false;
}

static const sl_value *build_row(struct enrs *t, const struct shape *sh, const struct row_shape *rs,
                                 const sl_value *row, const sl_value *env, bool deleted)
{
    if (rs->row == NULL || rs->row->type != SLUICE_TYPE_STRUCT || row->type != SLUICE_TYPE_STRUCT) {
        return row; /* e.g. a MongoDB JSON string: nothing to add to */
    }
    if (rs->out == rs->row && !needs_default(t, rs, row)) {
        return row;
    }
    sl_value *v = sl_value_new_struct(sl_ctx_batch_arena(t->ctx), rs->out);
    const sl_value **items = v->u.arr.items;
    size_t n = rs->row->nfields;
    for (size_t i = 0; i < n; i++) {
        const sl_value *x = item_at(row, (int64_t)i);
        const sl_schema *fs = rs->row->fields[i].schema;
        if (x == NULL && t->replace_null && fs->has_default) {
            x = fs->def;
        }
        items[i] = x;
    }
    if (rs->out == rs->row) {
        return v;
    }
    if (t->del == DEL_REWRITE) {
        items[n++] = deleted ? t->str_true : t->str_false;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        items[n++] = ref_value(env, &sh->fields[i]);
    }
    return v;
}

static void add_headers(struct enrs *t, const struct shape *sh, sl_record *r, const sl_value *env)
{
    sl_arena *a = sl_ctx_batch_arena(t->ctx);
    for (size_t i = 0; i < t->nheaders; i++) {
        if (sh->headers[i].idx >= 0) {
            sl_record_add_header(a, r, t->headers[i].out_name, ref_value(env, &sh->headers[i]));
        }
    }
}

static void route(const struct row_shape *rs, const sl_value *row, sl_record *r)
{
    const sl_value *x = item_at(row, rs->route_idx);
    if (x != NULL && x->type == SLUICE_TYPE_STRING && x->u.s.len > 0) {
        r->topic = x->u.s.p;
    }
}

/* drop.fields.header.name: the header lists fields to remove from the value (and key). */
static const sl_value *header_value(const sl_record *r, const char *key)
{
    const sl_value *found = NULL;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, key) == 0) {
            found = r->headers[i].value; /* the last one wins, like Headers.lastWithName */
        }
    }
    return found;
}

static bool listed(const sl_value *names, const char *field)
{
    for (size_t i = 0; i < names->u.arr.n; i++) {
        const sl_value *x = names->u.arr.items[i];
        if (x != NULL && x->type == SLUICE_TYPE_STRING && strcmp(x->u.s.p, field) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Rebuild a struct without the listed fields. The reduced schema depends on the header's content,
 * so it is made in the batch arena (it lives as long as the record); rows without the header
 * never come here.
 */
static void drop_fields(struct enrs *t, const sl_value *names, const sl_schema **schema,
                        const sl_value **value)
{
    const sl_schema *s = *schema;
    const sl_value *v = *value;
    if (s == NULL || v == NULL || s->type != SLUICE_TYPE_STRUCT || v->type != SLUICE_TYPE_STRUCT) {
        return;
    }
    sl_arena *a = sl_ctx_batch_arena(t->ctx);
    bool any = false;
    for (size_t i = 0; i < s->nfields && !any; i++) {
        any = listed(names, s->fields[i].name) &&
              (!t->keep_compatible || s->fields[i].schema->optional);
    }
    if (!any) {
        return;
    }
    sl_schema *out = sl_schema_new(a, SLUICE_TYPE_STRUCT, s->optional, s->name);
    out->version = s->version;
    out->doc = s->doc;
    for (size_t i = 0; i < s->nparams; i++) {
        sl_schema_set_param(a, out, s->param_keys[i], s->param_vals[i]);
    }
    size_t keep[s->nfields > 0 ? s->nfields : 1];
    size_t n = 0;
    for (size_t i = 0; i < s->nfields; i++) {
        if (!listed(names, s->fields[i].name) ||
            (t->keep_compatible && !s->fields[i].schema->optional)) {
            sl_schema_add_field(a, out, s->fields[i].name, s->fields[i].schema);
            keep[n++] = i;
        }
    }
    sl_value *nv = sl_value_new_struct(a, out);
    for (size_t i = 0; i < n; i++) {
        nv->u.arr.items[i] = keep[i] < v->u.arr.n ? v->u.arr.items[keep[i]] : NULL;
    }
    *schema = out;
    *value = nv;
}

static void apply_drop_header(struct enrs *t, sl_record *r)
{
    const sl_value *names = header_value(r, t->drop_header);
    if (names == NULL || names->type != SLUICE_TYPE_ARRAY) {
        return;
    }
    drop_fields(t, names, &r->value_schema, &r->value);
    if (t->drop_from_key) {
        drop_fields(t, names, &r->key_schema, &r->key);
    }
}

static sluice_rc enrs_tombstone(struct enrs *t, sl_record *in, sl_record **out)
{
    if (!t->keep_tombstones) {
        *out = NULL;
        return SLUICE_OK;
    }
    if (t->op_header >= 0) {
        sl_arena *a = sl_ctx_batch_arena(t->ctx);
        sl_record *r = sl_record_copy(a, in);
        sl_record_add_header(a, r, t->headers[t->op_header].out_name, t->str_d);
        in = r;
    }
    *out = in;
    return SLUICE_OK;
}

static sluice_rc enrs_apply(void *state, sluice_record *in, sluice_record **out)
{
    struct enrs *t = state;
    const sl_value *env = in->value;
    *out = in;
    if (env == NULL || env->type == SLUICE_TYPE_NULL) {
        return enrs_tombstone(t, in, out);
    }
    if (in->value_schema == NULL || env->type != SLUICE_TYPE_STRUCT) {
        return SLUICE_OK; /* not an envelope: pass through, like Debezium */
    }
    const struct shape *sh = shape_for(t, in->value_schema);
    const sl_value *opv = sh->envelope ? item_at(env, sh->i_op) : NULL;
    if (opv == NULL || opv->type != SLUICE_TYPE_STRING || opv->u.s.len == 0) {
        return SLUICE_OK;
    }
    char op = opv->u.s.p[0];
    if (opv->u.s.len != 1 || strchr("cudrt", op) == NULL) {
        return SLUICE_OK; /* e.g. Postgres logical messages (op=m) */
    }
    if (op == 't') {
        *out = NULL; /* truncates are dropped */
        return SLUICE_OK;
    }
    const sl_value *after = item_at(env, sh->i_after);
    const sl_value *before = item_at(env, sh->i_before);
    bool is_delete = op == 'd' || after == NULL;
    if (is_delete && t->del == DEL_DROP) {
        *out = NULL;
        return SLUICE_OK;
    }
    sl_record *r = sl_record_copy(sl_ctx_batch_arena(t->ctx), in);
    add_headers(t, sh, r, env);
    if (t->route_by_field != NULL) {
        route(after != NULL ? &sh->after : &sh->before, after != NULL ? after : before, r);
    }
    if (!is_delete) {
        r->value = build_row(t, sh, &sh->after, after, env, false);
        r->value_schema = sh->after.out;
    } else if (t->del == DEL_NULL_VALUE) {
        r->value = NULL;
        r->value_schema = sh->after_schema;
    } else if (t->del == DEL_TOMBSTONE) {
        r->value = NULL;
        r->value_schema = NULL;
    } else if (before == NULL) {
        r->value = NULL; /* rewrite without a before image: nothing to rewrite */
        r->value_schema = sh->before.row != NULL ? sh->before.row : sh->after_schema;
    } else {
        r->value = build_row(t, sh, &sh->before, before, env, true);
        r->value_schema = sh->before.out;
    }
    if (t->drop_header != NULL) {
        apply_drop_header(t, r);
    }
    *out = r;
    return SLUICE_OK;
}

static const struct sluice_transform_ops enrs_ops = {
    .struct_size = sizeof(struct sluice_transform_ops),
    .create = enrs_create,
    .apply = enrs_apply,
    .destroy = enrs_destroy,
};

static const char *const enrs_aliases[] = {"ExtractNewRecordState", "unwrap", NULL};

const struct sluice_component sl_tf_extract_new_record_state = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_TRANSFORM,
    .class_name = "io.debezium.transforms.ExtractNewRecordState",
    .aliases = enrs_aliases,
    .description = "Debezium's ExtractNewRecordState: unwrap change-event envelopes to row state",
    .config_defs = enrs_defs,
    .ops = &enrs_ops,
};
