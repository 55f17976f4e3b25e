/*
 * chain.c — a task's transform chain: builds one instance per `transforms` alias (and its
 * predicate, when `transforms.<a>.predicate` is set) from the catalogue, and runs them in order
 * on each record. Every failure message names the transform class. It must never copy records
 * itself: transforms decide what to allocate.
 */
#include "transforms/chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "plugin/catalog.h"
#include "plugin/ctx.h"

struct stage {
    char *alias;
    const struct sl_component *comp;
    const struct sluice_transform_ops *ops;
    sluice_ctx *ctx;
    sl_config *cfg;
    void *state;
    bool created;
    /* The predicate (one instance per stage), or comp == NULL. */
    const struct sl_component *pred_comp;
    const struct sluice_predicate_ops *pred_ops;
    sluice_ctx *pred_ctx;
    sl_config *pred_cfg;
    void *pred_state;
    bool pred_created;
    bool negate;
};

struct sl_chain {
    struct stage *stages;
    size_t n;
};

static const struct sluice_config_def no_defs[] = {{.name = NULL}};

/* Split a comma-separated list into malloc'ed trimmed items (empty ones skipped). */
static size_t split_list(const char *list, char ***out)
{
    *out = NULL;
    if (list == NULL) {
        return 0;
    }
    size_t cap = 1, n = 0;
    for (const char *p = list; *p != '\0'; p++) {
        cap += *p == ',';
    }
    char **items = sl_xcalloc(cap, sizeof *items);
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        while (len > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
            len--;
        }
        if (len > 0) {
            items[n++] = sl_xstrndup(s, len);
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *out = items;
    return n;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]);
    }
    free(items);
}

static const char *prop(const sl_props *p, const char *fmt, const char *alias)
{
    char key[512];
    snprintf(key, sizeof key, fmt, alias);
    return sl_props_get(p, key);
}

static sl_config *parse_config(const struct sl_component *c, const sl_props *props,
                               const char *prefix, char *err, size_t errlen)
{
    const struct sluice_config_def *defs = c->comp->config_defs;
    size_t stride = c->desc != NULL ? c->desc->config_def_size : sizeof(struct sluice_config_def);
    if (defs == NULL) {
        defs = no_defs;
        stride = sizeof(struct sluice_config_def);
    }
    return sl_config_new(defs, stride, props, prefix, err, errlen);
}

static int make_predicate(struct stage *st, const sl_props *props, const char *pred_alias,
                          const char *connector, int32_t task_id, char **pred_aliases, size_t npred,
                          char *err, size_t errlen)
{
    bool declared = false;
    for (size_t i = 0; i < npred; i++) {
        declared |= strcmp(pred_aliases[i], pred_alias) == 0;
    }
    if (!declared) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration transforms.%s.predicate: The predicate "
                 "alias %s is not listed in 'predicates'",
                 pred_alias, st->alias, pred_alias);
        return -1;
    }
    const char *type = prop(props, "predicates.%s.type", pred_alias);
    if (type == NULL || *type == '\0') {
        snprintf(err, errlen,
                 "Missing required configuration \"predicates.%s.type\" which has no default "
                 "value.",
                 pred_alias);
        return -1;
    }
    st->pred_comp = sl_catalog_find(SLUICE_KIND_PREDICATE, type);
    if (st->pred_comp == NULL) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration predicates.%s.type: Class %s could not be "
                 "found.",
                 type, pred_alias, type);
        return -1;
    }
    const char *cls = st->pred_comp->comp->class_name;
    char prefix[512], cerr[1024];
    snprintf(prefix, sizeof prefix, "predicates.%s.", pred_alias);
    st->pred_ops = st->pred_comp->comp->ops;
    st->pred_cfg = parse_config(st->pred_comp, props, prefix, cerr, sizeof cerr);
    if (st->pred_cfg == NULL) {
        snprintf(err, errlen, "Invalid configuration of predicate %s (%s): %s", pred_alias, cls,
                 cerr);
        return -1;
    }
    if (st->pred_ops == NULL || st->pred_ops->create == NULL || st->pred_ops->test == NULL) {
        snprintf(err, errlen, "Predicate %s has no create/test operations", cls);
        return -1;
    }
    st->pred_ctx = sl_ctx_new(connector, task_id, cls);
    sluice_rc rc = st->pred_ops->create(st->pred_ctx, st->pred_cfg, &st->pred_state);
    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "Predicate %s (predicates.%s) failed to configure: %s", cls,
                 pred_alias, sl_ctx_take_error(st->pred_ctx, "create() failed"));
        return -1;
    }
    st->pred_created = true;
    return 0;
}

static int make_stage(struct stage *st, const sl_props *props, const char *connector,
                      int32_t task_id, char **pred_aliases, size_t npred, char *err, size_t errlen)
{
    const char *type = prop(props, "transforms.%s.type", st->alias);
    if (type == NULL || *type == '\0') {
        snprintf(err, errlen,
                 "Missing required configuration \"transforms.%s.type\" which has no default "
                 "value.",
                 st->alias);
        return -1;
    }
    st->comp = sl_catalog_find(SLUICE_KIND_TRANSFORM, type);
    if (st->comp == NULL) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration transforms.%s.type: Class %s could not be "
                 "found.",
                 type, st->alias, type);
        return -1;
    }
    const char *cls = st->comp->comp->class_name;
    char prefix[512], cerr[1024];
    snprintf(prefix, sizeof prefix, "transforms.%s.", st->alias);
    st->ops = st->comp->comp->ops;
    if (st->ops == NULL || st->ops->create == NULL || st->ops->apply == NULL) {
        snprintf(err, errlen, "Transformation %s has no create/apply operations", cls);
        return -1;
    }
    st->cfg = parse_config(st->comp, props, prefix, cerr, sizeof cerr);
    if (st->cfg == NULL) {
        snprintf(err, errlen, "Invalid configuration of transformation %s (%s): %s", st->alias, cls,
                 cerr);
        return -1;
    }
    const char *negate = prop(props, "transforms.%s.negate", st->alias);
    if (negate != NULL && strcasecmp(negate, "true") != 0 && strcasecmp(negate, "false") != 0) {
        snprintf(err, errlen,
                 "Invalid value %s for configuration transforms.%s.negate: Expected value to be "
                 "either true or false",
                 negate, st->alias);
        return -1;
    }
    st->negate = negate != NULL && strcasecmp(negate, "true") == 0;
    const char *pred = prop(props, "transforms.%s.predicate", st->alias);
    if (pred != NULL && *pred != '\0' &&
        make_predicate(st, props, pred, connector, task_id, pred_aliases, npred, err, errlen) !=
            0) {
        return -1;
    }
    st->ctx = sl_ctx_new(connector, task_id, cls);
    sluice_rc rc = st->ops->create(st->ctx, st->cfg, &st->state);
    if (rc != SLUICE_OK) {
        snprintf(err, errlen, "Transformation %s (transforms.%s) failed to configure: %s", cls,
                 st->alias, sl_ctx_take_error(st->ctx, "create() failed"));
        return -1;
    }
    st->created = true;
    return 0;
}

sl_chain *sl_chain_new(const sl_props *connector, const char *connector_name, int32_t task_id,
                       char *err, size_t errlen)
{
    sl_chain *c = sl_xcalloc(1, sizeof *c);
    char **aliases, **preds;
    size_t n = split_list(sl_props_get(connector, "transforms"), &aliases);
    size_t npred = split_list(sl_props_get(connector, "predicates"), &preds);
    int rc = 0;
    if (n > 0) {
        sl_catalog_register_builtins();
        c->stages = sl_xcalloc(n, sizeof *c->stages);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        for (size_t j = 0; j < c->n; j++) {
            if (strcmp(aliases[i], c->stages[j].alias) == 0) {
                snprintf(err, errlen,
                         "Invalid value %s for configuration transforms: Duplicate alias "
                         "provided.",
                         sl_props_get(connector, "transforms"));
                rc = -1;
            }
        }
        if (rc != 0) {
            break;
        }
        struct stage *st = &c->stages[c->n++];
        st->alias = aliases[i];
        aliases[i] = NULL;
        rc = make_stage(st, connector, connector_name, task_id, preds, npred, err, errlen);
    }
    free_list(aliases, n);
    free_list(preds, npred);
    if (rc != 0) {
        sl_chain_free(c);
        return NULL;
    }
    return c;
}

void sl_chain_free(sl_chain *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        struct stage *st = &c->stages[i];
        if (st->created && st->ops->destroy != NULL) {
            st->ops->destroy(st->state);
        }
        if (st->pred_created && st->pred_ops->destroy != NULL) {
            st->pred_ops->destroy(st->pred_state);
        }
        sl_ctx_destroy(st->ctx);
        sl_ctx_destroy(st->pred_ctx);
        sl_config_free(st->cfg);
        sl_config_free(st->pred_cfg);
        free(st->alias);
    }
    free(c->stages);
    free(c);
}

size_t sl_chain_len(const sl_chain *c)
{
    return c != NULL ? c->n : 0;
}

void sl_chain_set_batch_arena(sl_chain *c, sl_arena *arena)
{
    for (size_t i = 0; c != NULL && i < c->n; i++) {
        sl_ctx_set_batch_arena(c->stages[i].ctx, arena);
        if (c->stages[i].pred_ctx != NULL) {
            sl_ctx_set_batch_arena(c->stages[i].pred_ctx, arena);
        }
    }
}

sluice_rc sl_chain_apply(sl_chain *c, sl_record *in, sl_record **out, const char **failed_class,
                         char *err, size_t errlen)
{
    sl_record *r = in;
    for (size_t i = 0; c != NULL && i < c->n; i++) {
        struct stage *st = &c->stages[i];
        if (st->pred_created) {
            bool match = st->pred_ops->test(st->pred_state, r) != 0;
            if (match == st->negate) {
                continue;
            }
        }
        sl_record *next = NULL;
        sluice_rc rc = st->ops->apply(st->state, r, &next);
        if (rc != SLUICE_OK) {
            if (failed_class != NULL) {
                *failed_class = st->comp->comp->class_name;
            }
            snprintf(err, errlen, "%s", sl_ctx_take_error(st->ctx, "apply() failed"));
            *out = NULL;
            return rc;
        }
        if (next == NULL) {
            *out = NULL;
            return SLUICE_OK;
        }
        r = next;
    }
    *out = r;
    return SLUICE_OK;
}
