/*
 * connector_validate.c — validation of a whole connector config the way Java's
 * AbstractHerder.validateConnectorConfig does it: framework keys, the sink rules, each transform's
 * and predicate's keys embedded under their alias, the plugin's own keys and validate(), and the
 * converters' keys. It looks components up in the catalog and must never instantiate a task or
 * log a config value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/engine.h"
#include "config/validation_internal.h"
#include "plugin/catalog.h"
#include "transforms/jregex.h"
#include "util/mem.h"

static const struct sluice_config_def transform_implicit_defs[] = {
    {.name = "predicate",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_NULL_DEFAULT,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "The alias of a predicate used to determine whether to apply this "
                      "transformation."},
    {.name = "negate",
     .type = SLUICE_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "Whether the configured predicate should be negated."},
    {.name = NULL},
};

static size_t comp_stride(const struct sl_component *c)
{
    return c->desc != NULL && c->desc->config_def_size != 0 ? c->desc->config_def_size
                                                            : sizeof(struct sluice_config_def);
}

/* ---- Java's ConfigDef.sortedConfigs order for embedded definitions ---- */

struct sort_item {
    struct sluice_config_def d;
    int group_ord; /* -1: no group */
};

static int cmp_embedded(const void *a, const void *b)
{
    const struct sort_item *x = a, *y = b;
    if (x->group_ord != y->group_ord) {
        return x->group_ord < y->group_ord ? -1 : 1;
    }
    int ox = x->d.order_in_group > 0 ? x->d.order_in_group : -1;
    int oy = y->d.order_in_group > 0 ? y->d.order_in_group : -1;
    if (ox != oy) {
        return ox < oy ? -1 : 1;
    }
    bool dx = !sl_cfg_required(&x->d), dy = !sl_cfg_required(&y->d);
    if (dx != dy) {
        return dx ? 1 : -1; /* keys without a default first */
    }
    if (x->d.importance != y->d.importance) {
        return x->d.importance < y->d.importance ? -1 : 1;
    }
    return strcmp(x->d.name, y->d.name);
}

static void add_items(struct sort_item **items, size_t *n, sl_strv *groups,
                      const struct sluice_config_def *defs, size_t stride)
{
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_cfg_def_at(defs, stride, i);
        if (d == NULL) {
            return;
        }
        if (d->flags & SLUICE_CFG_F_PREFIX) {
            continue;
        }
        *items = sl_xrealloc(*items, (*n + 1) * sizeof **items);
        struct sort_item *it = &(*items)[(*n)++];
        sl_cfg_def_copy(&it->d, d, stride);
        it->group_ord = -1;
        if (d->group != NULL) {
            if (!sl_strv_contains(groups, d->group)) {
                sl_strv_push(groups, d->group);
            }
            for (size_t g = 0; g < groups->n; g++) {
                if (strcmp(groups->v[g], d->group) == 0) {
                    it->group_ord = (int)g;
                }
            }
        }
    }
}

/* Run a component's own validate() on its (prefixed) keys once they parse. */
static void run_plugin_validate(sl_validation *v, const struct sl_component *c, const sl_props *raw,
                                const char *prefix)
{
    const void *ops = c->comp->ops;
    sluice_rc (*fn)(const sluice_config *, sluice_validation *) = NULL;
    if (ops == NULL) {
        return;
    }
    /* every ops struct starts with struct_size, then validate */
    const struct sluice_sink_ops *generic = ops;
    if (generic->struct_size >= offsetof(struct sluice_sink_ops, validate) + sizeof(void *)) {
        fn = generic->validate;
    }
    if (fn == NULL) {
        return;
    }
    char err[1024];
    sl_config *cfg =
        sl_config_new(c->comp->config_defs, comp_stride(c), raw, prefix, err, sizeof err);
    if (cfg == NULL) {
        return; /* the per-key errors are already reported */
    }
    sl_validation_set_key_prefix(v, prefix);
    fn(cfg, v);
    sl_validation_set_key_prefix(v, NULL);
    sl_config_free(cfg);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void recommend_classes(sl_validation *v, const char *key, int kind)
{
    sl_strv names = {0};
    for (size_t i = 0; i < sl_catalog_count(); i++) {
        const struct sl_component *c = sl_catalog_at(i);
        if (c != NULL && (int)c->comp->kind == kind &&
            !sl_strv_contains(&names, c->comp->class_name)) {
            sl_strv_push(&names, c->comp->class_name);
        }
    }
    qsort(names.v, names.n, sizeof(char *), cmp_str);
    sl_validation_set_recommended(v, key, (const char *const *)names.v, names.n);
    sl_strv_free(&names);
}

/*
 * ConnectorConfig.EnrichablePlugin: "<kind>s.<alias>.type" plus the component's keys embedded
 * under "<kind>s.<alias>." in group "<Group>: <alias>".
 */
static void enrich_alias(sl_validation *v, const sl_props *raw, const char *alias, bool transform)
{
    const char *base = transform ? "transforms" : "predicates";
    const char *what = transform ? "transformation" : "predicate";
    int kind = transform ? SLUICE_KIND_TRANSFORM : SLUICE_KIND_PREDICATE;
    sl_buf prefix = SL_BUF_INIT, group = SL_BUF_INIT, doc = SL_BUF_INIT, disp = SL_BUF_INIT;
    sl_buf_printf(&prefix, "%s.%s.", base, alias);
    sl_buf_printf(&group, "%s: %s", transform ? "Transforms" : "Predicates", alias);
    sl_buf_printf(&doc, "Class for the '%s' %s.", alias, what);
    sl_buf_printf(&disp, "%s type for %s", transform ? "Transformation" : "Predicate", alias);

    struct sluice_config_def type_def = {.name = "type",
                                         .type = SLUICE_CFG_CLASS,
                                         .flags = SLUICE_CFG_F_REQUIRED,
                                         .importance = SLUICE_IMPORTANCE_HIGH,
                                         .width = SLUICE_WIDTH_LONG};
    struct sl_vdef_opts o = {.prefix = prefix.data,
                             .group_prefix = group.data,
                             .has_order = true,
                             .order = 0,
                             .documentation = doc.data,
                             .display_name = disp.data};
    sl_validation_add_def(v, &type_def, raw, &o);
    sl_buf tkey = SL_BUF_INIT;
    sl_buf_printf(&tkey, "%stype", prefix.data);
    recommend_classes(v, tkey.data, kind);

    const char *cls = sl_validation_value(v, tkey.data, NULL);
    const struct sl_component *c = NULL;
    if (cls != NULL && sl_validation_key_errors(v, tkey.data) == 0) {
        c = sl_catalog_find(kind, cls);
        if (c == NULL) {
            sl_validation_add_error(v, tkey.data,
                                    "Invalid value %s for configuration %s: Class %s could not be "
                                    "found.",
                                    cls, tkey.data, cls);
        }
    }
    if (c != NULL) {
        struct sort_item *items = NULL;
        size_t n = 0;
        sl_strv groups = {0};
        if (transform) {
            add_items(&items, &n, &groups, transform_implicit_defs, 0);
        }
        add_items(&items, &n, &groups, c->comp->config_defs, comp_stride(c));
        qsort(items, n, sizeof *items, cmp_embedded);
        for (size_t i = 0; i < n; i++) {
            struct sl_vdef_opts eo = {.prefix = prefix.data,
                                      .group_prefix = group.data,
                                      .embed = true,
                                      .has_order = true,
                                      .order = (int32_t)i + 1};
            sl_validation_add_def(v, &items[i].d, raw, &eo);
        }
        free(items);
        sl_strv_free(&groups);
        run_plugin_validate(v, c, raw, prefix.data);
    }
    sl_buf_free(&tkey);
    sl_buf_free(&prefix);
    sl_buf_free(&group);
    sl_buf_free(&doc);
    sl_buf_free(&disp);
}

/* Java's List.toString: "[a, b]". */
static char *java_list(const char *const *items, size_t n)
{
    sl_buf b = SL_BUF_INIT;
    sl_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        sl_buf_printf(&b, "%s%s", i ? ", " : "", items[i]);
    }
    sl_buf_putc(&b, ']');
    return sl_buf_steal(&b);
}

/* The parsed LIST value of key (Java's split, empty entries dropped). */
static void list_of(const sl_props *raw, const char *key, sl_strv *out)
{
    const char *text = sl_props_get(raw, key);
    if (text == NULL) {
        return;
    }
    struct sluice_config_def d = {.name = key, .type = SLUICE_CFG_LIST};
    struct sl_cfg_value val;
    sl_strv errs = {0};
    if (sl_cfg_parse(&d, key, text, &val, &errs) == 0) {
        for (size_t i = 0; i < val.items.n; i++) {
            sl_strv_push(out, val.items.v[i]);
        }
    }
    sl_cfg_value_clear(&val);
    sl_strv_free(&errs);
}

/* "transforms"/"predicates": unique aliases, then each alias enriched. */
static void enrich_aliases(sl_validation *v, const sl_props *raw, bool transform)
{
    const char *key = transform ? "transforms" : "predicates";
    sl_strv aliases = {0}, unique = {0};
    list_of(raw, key, &aliases);
    for (size_t i = 0; i < aliases.n; i++) {
        if (!sl_strv_contains(&unique, aliases.v[i])) {
            sl_strv_push(&unique, aliases.v[i]);
        }
    }
    if (unique.n < aliases.n) {
        char *shown = java_list((const char *const *)aliases.v, aliases.n);
        sl_validation_add_error(
            v, key, "Invalid value %s for configuration %s: Duplicate alias provided.", shown, key);
        free(shown);
    }
    for (size_t i = 0; i < unique.n; i++) {
        enrich_alias(v, raw, unique.v[i], transform);
    }
    sl_strv_free(&aliases);
    sl_strv_free(&unique);
}

/* ConfigDef.NonEmptyStringWithoutControlChars on "name". */
static void check_name(sl_validation *v)
{
    bool found = false;
    const char *name = sl_validation_value(v, "name", &found);
    if (name == NULL) {
        return;
    }
    if (*name == '\0') {
        sl_validation_add_error(v, "name",
                                "Invalid value  for configuration name: String may not be empty");
        return;
    }
    sl_buf chars = SL_BUF_INIT;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned cp = 0;
        if (s[i] < 0x20 || s[i] == 0x7F) {
            cp = s[i];
        } else if (s[i] == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F) {
            cp = s[i + 1];
            i++;
        } else {
            continue;
        }
        sl_buf_printf(&chars, "%s%u", chars.len ? ", " : "", cp);
    }
    if (chars.len > 0) {
        sl_validation_add_error(v, "name",
                                "Invalid value %s for configuration name: String may not contain "
                                "control sequences but had the following ASCII chars: %s",
                                name, chars.data);
    }
    sl_buf_free(&chars);
}

static bool is_blank(const char *s)
{
    for (; s != NULL && *s; s++) {
        if ((unsigned char)*s > ' ') {
            return false;
        }
    }
    return true;
}

/* SinkConnectorConfig.validate plus the topics.regex RegexValidator. */
static void check_sink_topics(sl_validation *v, const sl_props *raw)
{
    const char *topics = sl_props_get(raw, "topics");
    const char *regex = sl_props_get(raw, "topics.regex");
    const char *dlq_raw = sl_props_get(raw, "errors.deadletterqueue.topic.name");
    bool has_topics = !is_blank(topics), has_regex = !is_blank(regex);
    char *dlq = sl_java_trim(dlq_raw != NULL ? dlq_raw : "");
    sl_jregex rx = {0};
    bool rx_ok = false;
    if (has_regex) {
        char why[256];
        rx_ok = sl_jregex_compile(&rx, regex, why, sizeof why) == 0;
        if (!rx_ok) {
            sl_validation_add_error(v, "topics.regex",
                                    "Invalid value %s for configuration topics.regex: %s", regex,
                                    why);
        }
    }
    if (has_topics && has_regex) {
        const char *msg =
            "topics and topics.regex are mutually exclusive options, but both are set.";
        sl_validation_add_error(v, "topics", "%s", msg);
        sl_validation_add_error(v, "topics.regex", "%s", msg);
    }
    if (!has_topics && !has_regex) {
        const char *msg = "Must configure one of topics or topics.regex";
        sl_validation_add_error(v, "topics", "%s", msg);
        sl_validation_add_error(v, "topics.regex", "%s", msg);
    }
    if (*dlq != '\0' && has_topics) {
        sl_strv all = {0}, list = {0};
        list_of(raw, "topics", &all);
        for (size_t i = 0; i < all.n; i++) { /* parseTopicsList: distinct, in order */
            if (!sl_strv_contains(&list, all.v[i])) {
                sl_strv_push(&list, all.v[i]);
            }
        }
        sl_strv_free(&all);
        if (sl_strv_contains(&list, dlq)) {
            char *shown = java_list((const char *const *)list.v, list.n);
            sl_validation_add_error(v, "topics",
                                    "The DLQ topic '%s' may not be included in the list of topics "
                                    "('topics=%s') consumed by the connector",
                                    dlq, shown);
            free(shown);
        }
        sl_strv_free(&list);
    }
    if (*dlq != '\0' && rx_ok && sl_jregex_matches(&rx, dlq, NULL)) {
        sl_validation_add_error(v, "topics.regex",
                                "The DLQ topic '%s' may not be included in the regex matching "
                                "topics ('topics.regex=%s') consumed by the connector",
                                dlq, regex);
    }
    if (rx_ok) {
        sl_jregex_free(&rx);
    }
    free(dlq);
}

/* AbstractHerder.validateConverterConfig: the converter's keys under "<key>.". */
static void validate_converter(sl_validation *v, const sl_props *raw, const char *key,
                               const char *type)
{
    bool found = false;
    const char *cls = sl_validation_value(v, key, &found);
    if (cls == NULL || sl_validation_key_errors(v, key) > 0) {
        return;
    }
    const struct sl_component *c = sl_catalog_find(SLUICE_KIND_CONVERTER, cls);
    if (c == NULL) {
        if (strcmp(key, "header.converter") != 0) { /* header converters are not plugins here */
            sl_validation_add_error(v, key,
                                    "Invalid value %s for configuration %s: Class %s could not "
                                    "be found.",
                                    cls, key, cls);
        }
        return;
    }
    sl_buf prefix = SL_BUF_INIT, tkey = SL_BUF_INIT;
    sl_buf_printf(&prefix, "%s.", key);
    sl_buf_printf(&tkey, "%sconverter.type", prefix.data);
    sl_props *with_type = sl_props_dup(raw);
    if (!sl_props_has(with_type, tkey.data)) {
        sl_props_set(with_type, tkey.data, type);
    }
    sl_validation_add_defs(v, c->comp->config_defs, comp_stride(c), with_type, prefix.data, NULL);
    sl_props_free(with_type);
    sl_buf_free(&prefix);
    sl_buf_free(&tkey);
}

sl_validation *sl_connector_validate(const sl_props *config, const char *plugin_name)
{
    sl_validation *v = sl_validation_new();
    if (plugin_name == NULL) {
        plugin_name = sl_props_get(config, "connector.class");
    }
    const struct sl_component *c = sl_catalog_find(SLUICE_KIND_SINK, plugin_name);
    if (c == NULL) {
        c = sl_catalog_find(SLUICE_KIND_SOURCE, plugin_name);
    }
    bool sink = c == NULL || c->comp->kind == SLUICE_KIND_SINK;

    sl_validation_add_defs(v, sl_connector_config_defs, 0, config, NULL, NULL);
    if (sink) {
        sl_validation_add_defs(v, sl_sink_connector_config_defs, 0, config, NULL, NULL);
    }
    check_name(v);
    enrich_aliases(v, config, true);
    enrich_aliases(v, config, false);
    if (sink) {
        check_sink_topics(v, config);
    }
    if (c != NULL) {
        sl_validation_add_defs(v, c->comp->config_defs, comp_stride(c), config, NULL, NULL);
        run_plugin_validate(v, c, config, NULL);
    }
    validate_converter(v, config, "header.converter", "header");
    validate_converter(v, config, "key.converter", "key");
    validate_converter(v, config, "value.converter", "value");
    return v;
}

json_t *sl_component_config_json(const struct sl_component *c)
{
    json_t *a = sl_config_defs_to_json(c->comp->config_defs, comp_stride(c));
    if (c->comp->kind != SLUICE_KIND_SINK && c->comp->kind != SLUICE_KIND_SOURCE) {
        return a;
    }
    /* then the framework's keys the plugin does not define itself */
    const struct sluice_config_def *tables[] = {sl_connector_config_defs,
                                                sl_sink_connector_config_defs};
    size_t ntables = c->comp->kind == SLUICE_KIND_SINK ? 2 : 1;
    for (size_t t = 0; t < ntables; t++) {
        json_t *framework = sl_config_defs_to_json(tables[t], 0);
        size_t i;
        json_t *def;
        json_array_foreach(framework, i, def)
        {
            const char *name = json_string_value(json_object_get(def, "name"));
            bool dup = false;
            size_t k;
            json_t *mine;
            json_array_foreach(a, k, mine)
            {
                dup = dup || strcmp(json_string_value(json_object_get(mine, "name")), name) == 0;
            }
            if (!dup) {
                json_array_append(a, def);
            }
        }
        json_decref(framework);
    }
    return a;
}
