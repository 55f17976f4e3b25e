/*
 * predicates.c — Kafka's built-in predicates: TopicNameMatches (whole-topic Java regex),
 * HasHeaderKey (a header with that name exists) and RecordIsTombstone (null value).
 * Predicates only look at a record; they must never change it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "data/value.h"
#include "plugin/ctx.h"
#include "transforms/builtin.h"
#include "transforms/jregex.h"

/* ---- TopicNameMatches ---------------------------------------------------------------------------
 */

static const struct sluice_config_def topic_matches_defs[] = {
    {.name = "pattern",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "A Java regular expression for matching against the name of a record's "
                      "topic.",
     .width = SLUICE_WIDTH_NONE,
     .display_name = "pattern"},
    {.name = NULL},
};

struct topic_matches {
    sl_jregex rx;
    sl_topic_memo *memo; /* result "" = matches, NULL = does not */
};

static sluice_rc topic_matches_validate(const sluice_config *cfg, sluice_validation *v)
{
    const char *pattern = sl_config_string(cfg, "pattern");
    sl_jregex rx;
    char err[512];
    if (pattern != NULL) {
        if (sl_jregex_compile(&rx, pattern, err, sizeof err) != 0) {
            sl_validation_add_error(v, "pattern", "%s", err);
        } else {
            sl_jregex_free(&rx);
        }
    }
    return SLUICE_OK;
}

static sluice_rc topic_matches_create(sluice_ctx *ctx, const sluice_config *cfg, void **state)
{
    const char *pattern = sl_config_string(cfg, "pattern");
    char err[512];
    if (pattern == NULL) {
        sl_ctx_set_error(ctx, "Missing required configuration \"pattern\" which has no default "
                              "value.");
        return SLUICE_ERR_CONFIG;
    }
    struct topic_matches *p = sl_xcalloc(1, sizeof *p);
    if (sl_jregex_compile(&p->rx, pattern, err, sizeof err) != 0) {
        sl_ctx_set_error(ctx, "Invalid value %s for configuration pattern: %s", pattern, err);
        free(p);
        return SLUICE_ERR_CONFIG;
    }
    p->memo = sl_topic_memo_new();
    *state = p;
    return SLUICE_OK;
}

static int topic_matches_test(void *state, const sluice_record *r)
{
    struct topic_matches *p = state;
    const char *known;
    if (r->topic == NULL) {
        return 0;
    }
    if (sl_topic_memo_get(p->memo, r->topic, &known)) {
        return known != NULL;
    }
    bool match = sl_jregex_matches(&p->rx, r->topic, NULL);
    sl_topic_memo_put(p->memo, r->topic, match ? "" : NULL);
    return match;
}

static void topic_matches_destroy(void *state)
{
    struct topic_matches *p = state;
    if (p != NULL) {
        sl_jregex_free(&p->rx);
        sl_topic_memo_free(p->memo);
        free(p);
    }
}

static const struct sluice_predicate_ops topic_matches_ops = {
    .struct_size = sizeof(struct sluice_predicate_ops),
    .validate = topic_matches_validate,
    .create = topic_matches_create,
    .test = topic_matches_test,
    .destroy = topic_matches_destroy,
};

static const char *const topic_matches_aliases[] = {"TopicNameMatches", NULL};

const struct sluice_component sl_pred_topic_name_matches = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_PREDICATE,
    .class_name = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
    .aliases = topic_matches_aliases,
    .description = "A predicate which is true for records with a topic name that matches the "
                   "configured regular expression.",
    .config_defs = topic_matches_defs,
    .ops = &topic_matches_ops,
};

/* ---- HasHeaderKey
 * -------------------------------------------------------------------------------- */

static const struct sluice_config_def has_header_defs[] = {
    {.name = "name",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_MEDIUM,
     .documentation = "The header name.",
     .width = SLUICE_WIDTH_NONE,
     .display_name = "name"},
    {.name = NULL},
};

static sluice_rc has_header_create(sluice_ctx *ctx, const sluice_config *cfg, void **state)
{
    const char *name = sl_config_string(cfg, "name");
    if (name == NULL) {
        sl_ctx_set_error(ctx, "Missing required configuration \"name\" which has no default "
                              "value.");
        return SLUICE_ERR_CONFIG;
    }
    *state = sl_xstrdup(name);
    return SLUICE_OK;
}

static int has_header_test(void *state, const sluice_record *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, state) == 0) {
            return 1;
        }
    }
    return 0;
}

static void has_header_destroy(void *state)
{
    free(state);
}

static const struct sluice_predicate_ops has_header_ops = {
    .struct_size = sizeof(struct sluice_predicate_ops),
    .create = has_header_create,
    .test = has_header_test,
    .destroy = has_header_destroy,
};

static const char *const has_header_aliases[] = {"HasHeaderKey", NULL};

const struct sluice_component sl_pred_has_header_key = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_PREDICATE,
    .class_name = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
    .aliases = has_header_aliases,
    .description = "A predicate which is true for records with at least one header with the "
                   "configured name.",
    .config_defs = has_header_defs,
    .ops = &has_header_ops,
};

/* ---- RecordIsTombstone
 * --------------------------------------------------------------------------- */

static const struct sluice_config_def tombstone_defs[] = {
    {.name = NULL},
};

static sluice_rc tombstone_create(sluice_ctx *ctx, const sluice_config *cfg, void **state)
{
    *state = NULL;
    return SLUICE_OK;
}

static int tombstone_test(void *state, const sluice_record *r)
{
    return r->value == NULL || r->value->type == SLUICE_TYPE_NULL;
}

static void tombstone_destroy(void *state)
{
}

static const struct sluice_predicate_ops tombstone_ops = {
    .struct_size = sizeof(struct sluice_predicate_ops),
    .create = tombstone_create,
    .test = tombstone_test,
    .destroy = tombstone_destroy,
};

static const char *const tombstone_aliases[] = {"RecordIsTombstone", NULL};

const struct sluice_component sl_pred_record_is_tombstone = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_PREDICATE,
    .class_name = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    .aliases = tombstone_aliases,
    .description = "A predicate which is true for records which are tombstones (i.e. have null "
                   "value).",
    .config_defs = tombstone_defs,
    .ops = &tombstone_ops,
};
