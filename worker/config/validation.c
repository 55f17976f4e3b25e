/*
 * validation.c — struct sluice_validation: Connect's ConfigInfos built from def tables and raw
 * props (one ConfigKeyInfo + ConfigValueInfo per key, Java's field order and wording), the
 * flattened 400 message, ConfigKeyInfo listings and the markdown reference. It renders PASSWORD
 * values as "[hidden]" and must never log a value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/engine.h"
#include "config/validation_internal.h"
#include "util/mem.h"

struct vl_entry {
    bool has_def;
    char *name;
    uint32_t type;
    bool required;
    char *default_value; /* rendered; NULL = null */
    uint32_t importance;
    char *documentation;
    char *group;
    uint32_t width;
    char *display_name;
    sl_strv dependents;
    int32_t order;
    bool has_value;
    char *value; /* rendered; NULL = null */
    sl_strv recommended;
    sl_strv errors;
};

struct sluice_validation {
    struct vl_entry *e;
    size_t n, cap;
    sl_strv groups;
    char *key_prefix; /* see sl_validation_set_key_prefix */
};

sl_validation *sl_validation_new(void)
{
    return sl_xcalloc(1, sizeof(sl_validation));
}

static void entry_free(struct vl_entry *e)
{
    free(e->name);
    free(e->default_value);
    free(e->documentation);
    free(e->group);
    free(e->display_name);
    sl_strv_free(&e->dependents);
    free(e->value);
    sl_strv_free(&e->recommended);
    sl_strv_free(&e->errors);
}

void sl_validation_free(sl_validation *v)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        entry_free(&v->e[i]);
    }
    free(v->e);
    sl_strv_free(&v->groups);
    free(v->key_prefix);
    free(v);
}

static struct vl_entry *find_entry(sl_validation *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->e[i].name, name) == 0) {
            return &v->e[i];
        }
    }
    return NULL;
}

/* The entry for name; a later definition of the same key replaces the earlier one in place
 * (Java's LinkedHashMap.putAll of the connector's keys over the framework's). */
static struct vl_entry *entry_for(sl_validation *v, const char *name, bool fresh)
{
    struct vl_entry *e = find_entry(v, name);
    if (e != NULL) {
        if (fresh) {
            entry_free(e);
            memset(e, 0, sizeof *e);
            e->name = sl_xstrdup(name);
        }
        return e;
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 32;
        v->e = sl_xrealloc(v->e, v->cap * sizeof *v->e);
    }
    e = &v->e[v->n++];
    memset(e, 0, sizeof *e);
    e->name = sl_xstrdup(name);
    return e;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? sl_xstrdup(s) : NULL;
}

void sl_validation_add_group(sl_validation *v, const char *group)
{
    if (group != NULL && !sl_strv_contains(&v->groups, group)) {
        sl_strv_push(&v->groups, group);
    }
}

static char *render_default(const struct sluice_config_def *d)
{
    struct sl_cfg_value dv;
    if (sl_cfg_default(d, &dv) != 0) {
        return dup_or_null(d->default_value);
    }
    char *out = NULL;
    if (!dv.is_null) {
        out = sl_xstrdup(d->type == SLUICE_CFG_PASSWORD ? "[hidden]" : dv.text);
    }
    sl_cfg_value_clear(&dv);
    return out;
}

/* Fill the definition half (ConfigKeyInfo) of e from d. */
static void set_definition(struct vl_entry *e, const struct sluice_config_def *d,
                           const struct sl_vdef_opts *o)
{
    char *full = e->name;
    e->has_def = true;
    e->type = d->type;
    e->required = sl_cfg_required(d);
    e->default_value = render_default(d);
    e->importance = d->importance;
    e->documentation = dup_or_null(o && o->documentation ? o->documentation : d->documentation);
    if (o != NULL && o->group_prefix != NULL) {
        sl_buf b = SL_BUF_INIT;
        sl_buf_puts(&b, o->group_prefix);
        if (o->embed && d->group != NULL) {
            sl_buf_printf(&b, ": %s", d->group);
        }
        e->group = sl_buf_steal(&b);
    } else {
        e->group = dup_or_null(d->group);
    }
    e->width = d->width;
    if (o != NULL && o->display_name != NULL) {
        e->display_name = sl_xstrdup(o->display_name);
    } else if (d->display_name != NULL) {
        e->display_name = sl_xstrdup(d->display_name);
    } else {
        e->display_name = sl_xstrdup(o != NULL && o->embed ? d->name : full);
    }
    for (size_t i = 0; d->dependents != NULL && d->dependents[i] != NULL; i++) {
        sl_strv_pushf(&e->dependents, "%s%s", o && o->embed && o->prefix ? o->prefix : "",
                      d->dependents[i]);
    }
    if (o != NULL && o->has_order) {
        e->order = o->order;
    } else {
        e->order = d->order_in_group > 0 ? d->order_in_group : -1;
    }
}

void sl_validation_add_def(sl_validation *v, const struct sluice_config_def *d, const sl_props *raw,
                           const struct sl_vdef_opts *o)
{
    const char *prefix = o != NULL && o->prefix != NULL ? o->prefix : "";
    sl_buf nb = SL_BUF_INIT;
    sl_buf_printf(&nb, "%s%s", prefix, d->name);
    struct vl_entry *e = entry_for(v, nb.data, true);
    sl_buf_free(&nb);
    set_definition(e, d, o);
    sl_validation_add_group(v, e->group);

    /* ConfigDef.parseForValidate */
    struct sl_cfg_value val = {.is_null = true};
    bool check_null = false;
    if (sl_props_has(raw, e->name)) {
        const char *text = sl_props_get(raw, e->name);
        if (text == NULL || sl_cfg_parse(d, e->name, text, &val, &e->errors) != 0) {
            check_null = true;
        }
    } else if (e->required) {
        sl_strv_pushf(&e->errors,
                      "Missing required configuration \"%s\" which has no default "
                      "value.",
                      e->name);
        check_null = true;
    } else if (sl_cfg_default(d, &val) != 0) {
        val.is_null = true;
    }
    sl_cfg_check(d, e->name, &val, check_null, &e->errors);
    if (sl_props_has(raw, e->name) && sl_props_get(raw, e->name) == NULL) {
        sl_strv_push(&e->errors, "Null value can not be supplied as the configuration value.");
    }
    e->has_value = true;
    if (!val.is_null) {
        e->value = sl_xstrdup(d->type == SLUICE_CFG_PASSWORD ? "[hidden]" : val.text);
    }
    sl_cfg_value_clear(&val);
}

void sl_validation_add_defs(sl_validation *v, const struct sluice_config_def *defs, size_t stride,
                            const sl_props *raw, const char *prefix, const char *group_override)
{
    struct sl_vdef_opts o = {.prefix = prefix, .group_prefix = group_override};
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_cfg_def_at(defs, stride, i);
        if (d == NULL) {
            break;
        }
        if (d->flags & SLUICE_CFG_F_PREFIX) {
            continue;
        }
        struct sluice_config_def copy;
        sl_cfg_def_copy(&copy, d, stride);
        sl_validation_add_def(v, &copy, raw, &o);
    }
}

void sl_validation_set_key_prefix(sl_validation *v, const char *prefix)
{
    free(v->key_prefix);
    v->key_prefix = prefix != NULL && *prefix ? sl_xstrdup(prefix) : NULL;
}

void sl_validation_add_errorv(sl_validation *v, const char *key, const char *fmt, va_list ap)
{
    sl_buf full = SL_BUF_INIT;
    sl_buf_printf(&full, "%s%s", v->key_prefix ? v->key_prefix : "", key != NULL ? key : "");
    struct vl_entry *e = entry_for(v, full.data, false);
    sl_buf_free(&full);
    if (!e->has_def && !e->has_value) {
        e->has_value = true; /* a value without a definition: reported with "definition": null */
    }
    sl_buf b = SL_BUF_INIT;
    sl_buf_vprintf(&b, fmt, ap);
    char *msg = sl_buf_steal(&b);
    sl_strv_push(&e->errors, msg);
    free(msg);
}

void sl_validation_add_error(sl_validation *v, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_validation_add_errorv(v, key, fmt, ap);
    va_end(ap);
}

void sl_validation_set_recommended(sl_validation *v, const char *key, const char *const *values,
                                   size_t n)
{
    struct vl_entry *e = find_entry(v, key);
    if (e == NULL) {
        return;
    }
    sl_strv_free(&e->recommended);
    for (size_t i = 0; i < n; i++) {
        sl_strv_push(&e->recommended, values[i]);
    }
}

const char *sl_validation_value(const sl_validation *v, const char *key, bool *found)
{
    struct vl_entry *e = find_entry((sl_validation *)v, key);
    if (found != NULL) {
        *found = e != NULL && e->has_value;
    }
    return e != NULL ? e->value : NULL;
}

int sl_validation_key_errors(const sl_validation *v, const char *key)
{
    struct vl_entry *e = find_entry((sl_validation *)v, key);
    return e != NULL ? (int)e->errors.n : 0;
}

int sl_validation_error_count(const sl_validation *v)
{
    int n = 0;
    for (size_t i = 0; v != NULL && i < v->n; i++) {
        n += (int)v->e[i].errors.n;
    }
    return n;
}

/* ---- JSON ---- */

static json_t *strv_json(const sl_strv *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) {
        json_array_append_new(a, json_string(s->v[i]));
    }
    return a;
}

static json_t *nullable(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *definition_json(const struct vl_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "type", json_string(sl_cfg_type_name(e->type)));
    json_object_set_new(o, "required", json_boolean(e->required));
    json_object_set_new(o, "default_value", nullable(e->default_value));
    json_object_set_new(o, "importance", json_string(sl_cfg_importance_name(e->importance)));
    json_object_set_new(o, "documentation", nullable(e->documentation));
    json_object_set_new(o, "group", nullable(e->group));
    json_object_set_new(o, "width", json_string(sl_cfg_width_name(e->width)));
    json_object_set_new(o, "display_name",
                        json_string(e->display_name ? e->display_name : e->name));
    json_object_set_new(o, "dependents", strv_json(&e->dependents));
    json_object_set_new(o, "order", json_integer(e->order));
    return o;
}

static json_t *value_json(const struct vl_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(e->name));
    json_object_set_new(o, "value", nullable(e->value));
    json_object_set_new(o, "recommended_values", strv_json(&e->recommended));
    json_object_set_new(o, "errors", strv_json(&e->errors));
    json_object_set_new(o, "visible", json_true());
    return o;
}

/* Java's generateResult: values without a definition first, then every defined key in order. */
static const struct vl_entry *entry_in_output_order(const sl_validation *v, size_t k)
{
    size_t undefined = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!v->e[i].has_def) {
            if (undefined == k) {
                return &v->e[i];
            }
            undefined++;
        }
    }
    size_t j = undefined;
    for (size_t i = 0; i < v->n; i++) {
        if (v->e[i].has_def) {
            if (j == k) {
                return &v->e[i];
            }
            j++;
        }
    }
    return NULL;
}

json_t *sl_validation_to_json(const sl_validation *v, const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", nullable(name));
    json_object_set_new(o, "error_count", json_integer(sl_validation_error_count(v)));
    json_object_set_new(o, "groups", strv_json(&v->groups));
    json_t *configs = json_array();
    const struct vl_entry *e;
    for (size_t k = 0; (e = entry_in_output_order(v, k)) != NULL; k++) {
        json_t *c = json_object();
        json_object_set_new(c, "definition", e->has_def ? definition_json(e) : json_null());
        json_object_set_new(c, "value", e->has_value ? value_json(e) : json_null());
        json_array_append_new(configs, c);
    }
    json_object_set_new(o, "configs", configs);
    return o;
}

char *sl_validation_message(const sl_validation *v)
{
    sl_buf b = SL_BUF_INIT;
    sl_buf_printf(&b, "Connector configuration is invalid and contains the following %d error(s):",
                  sl_validation_error_count(v));
    const struct vl_entry *e;
    for (size_t k = 0; (e = entry_in_output_order(v, k)) != NULL; k++) {
        for (size_t i = 0; i < e->errors.n; i++) {
            sl_buf_printf(&b, "\n%s", e->errors.v[i]);
        }
    }
    sl_buf_puts(&b, "\nYou can also find the above list of errors at the endpoint "
                    "`/connector-plugins/{connectorType}/config/validate`");
    return sl_buf_steal(&b);
}

json_t *sl_config_defs_to_json(const struct sluice_config_def *defs, size_t stride)
{
    json_t *a = json_array();
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_cfg_def_at(defs, stride, i);
        if (d == NULL) {
            break;
        }
        if (d->flags & (SLUICE_CFG_F_PREFIX | SLUICE_CFG_F_HIDDEN)) {
            continue;
        }
        struct sluice_config_def copy;
        sl_cfg_def_copy(&copy, d, stride);
        struct vl_entry e = {.name = sl_xstrdup(copy.name)};
        set_definition(&e, &copy, NULL);
        json_array_append_new(a, definition_json(&e));
        entry_free(&e);
    }
    return a;
}

/* ---- markdown reference ---- */

/* In a code span (code) only '|' needs escaping; in prose also emphasis markers. */
static void md_cell(sl_buf *out, const char *s, bool code)
{
    for (; s != NULL && *s; s++) {
        if (*s == '|' || (!code && (*s == '*' || *s == '_'))) {
            sl_buf_putc(out, '\\');
            sl_buf_putc(out, *s);
        } else if (*s == '\n') {
            sl_buf_putc(out, ' ');
        } else {
            sl_buf_putc(out, *s);
        }
    }
}

void sl_config_defs_to_markdown(const struct sluice_config_def *defs, size_t stride,
                                const char *title, sl_buf *out)
{
    if (title != NULL) {
        sl_buf_printf(out, "## %s\n\n", title);
    }
    sl_buf_puts(out, "| Key | Type | Default | Valid values | Importance | Description |\n");
    sl_buf_puts(out, "|---|---|---|---|---|---|\n");
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_cfg_def_at(defs, stride, i);
        if (d == NULL) {
            break;
        }
        if (d->flags & SLUICE_CFG_F_HIDDEN) {
            continue;
        }
        struct sluice_config_def c;
        sl_cfg_def_copy(&c, d, stride);
        bool prefix = (c.flags & SLUICE_CFG_F_PREFIX) != 0;
        sl_buf_printf(out, "| `%s%s` | %s | ", c.name, prefix ? "*" : "",
                      prefix ? "prefix" : sl_cfg_type_name(c.type));
        char *def = render_default(&c);
        if (sl_cfg_required(&c)) {
            sl_buf_puts(out, "**required**");
        } else if (prefix) {
            sl_buf_puts(out, "");
        } else if (def == NULL) {
            sl_buf_puts(out, "null");
        } else if (*def == '\0') {
            sl_buf_puts(out, "\"\"");
        } else {
            sl_buf_puts(out, "`");
            md_cell(out, def, true);
            sl_buf_puts(out, "`");
        }
        free(def);
        sl_buf_puts(out, " | ");
        if (c.valid_values != NULL) {
            for (size_t k = 0; c.valid_values[k] != NULL; k++) {
                sl_buf_printf(out, "%s`%s`", k ? ", " : "", c.valid_values[k]);
            }
        } else if (c.flags & SLUICE_CFG_F_HAS_RANGE) {
            char lo[64], hi[64];
            if (c.type == SLUICE_CFG_DOUBLE) {
                sl_java_double(c.min, lo, sizeof lo);
                sl_java_double(c.max, hi, sizeof hi);
            } else {
                snprintf(lo, sizeof lo, "%lld", (long long)c.min);
                snprintf(hi, sizeof hi, "%lld", (long long)c.max);
            }
            if (c.max >= c.min) {
                sl_buf_printf(out, "[%s,...,%s]", lo, hi);
            } else {
                sl_buf_printf(out, "[%s,...]", lo);
            }
        }
        sl_buf_printf(out, " | %s | ", sl_cfg_importance_name(c.importance));
        if (c.flags & SLUICE_CFG_F_DEPRECATED) {
            sl_buf_puts(out, "(Deprecated) ");
        }
        md_cell(out, c.documentation, false);
        sl_buf_puts(out, " |\n");
    }
    sl_buf_puts(out, "\n");
}
