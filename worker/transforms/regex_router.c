/*
 * regex_router.c — org.apache.kafka.connect.transforms.RegexRouter: when the whole topic matches
 * `regex`, the topic becomes `replacement` with $n group references expanded. Records whose topic
 * does not match pass through unchanged; it must never touch keys, values or headers.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "data/value.h"
#include "plugin/ctx.h"
#include "transforms/builtin.h"
#include "transforms/jregex.h"

struct router {
    sluice_ctx *ctx;
    sl_jregex rx;
    const char *replacement;
    sl_topic_memo *memo;
};

static const struct sluice_config_def router_defs[] = {
    {.name = "regex",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Regular expression to use for matching.",
     .width = SLUICE_WIDTH_NONE,
     .display_name = "regex"},
    {.name = "replacement",
     .type = SLUICE_CFG_STRING,
     .flags = SLUICE_CFG_F_REQUIRED,
     .importance = SLUICE_IMPORTANCE_HIGH,
     .documentation = "Replacement string.",
     .width = SLUICE_WIDTH_NONE,
     .display_name = "replacement"},
    {.name = NULL},
};

/* For PUT .../config/validate: the regex must compile and the replacement fit its groups. */
static sluice_rc router_validate(const sluice_config *cfg, sluice_validation *v)
{
    const char *regex = sl_config_string(cfg, "regex");
    const char *repl = sl_config_string(cfg, "replacement");
    sl_jregex rx;
    char err[512];
    if (regex == NULL) {
        return SLUICE_OK; /* the generic pass reports the missing key */
    }
    if (sl_jregex_compile(&rx, regex, err, sizeof err) != 0) {
        sl_validation_add_error(v, "regex", "%s", err);
        return SLUICE_OK;
    }
    if (repl != NULL && sl_jregex_check_replacement(&rx, repl, err, sizeof err) != 0) {
        sl_validation_add_error(v, "replacement", "%s", err);
    }
    sl_jregex_free(&rx);
    return SLUICE_OK;
}

static sluice_rc router_create(sluice_ctx *ctx, const sluice_config *cfg, void **state)
{
    struct router *t = sl_xcalloc(1, sizeof *t);
    const char *regex = sl_config_string(cfg, "regex");
    const char *repl = sl_config_string(cfg, "replacement");
    char err[512];
    t->ctx = ctx;
    if (regex == NULL || repl == NULL) {
        sl_ctx_set_error(ctx, "Missing required configuration \"%s\" which has no default value.",
                         regex == NULL ? "regex" : "replacement");
        free(t);
        return SLUICE_ERR_CONFIG;
    }
    if (sl_jregex_compile(&t->rx, regex, err, sizeof err) != 0 ||
        sl_jregex_check_replacement(&t->rx, repl, err, sizeof err) != 0) {
        sl_ctx_set_error(ctx, "%s", err);
        sl_jregex_free(&t->rx);
        free(t);
        return SLUICE_ERR_CONFIG;
    }
    t->replacement = sl_arena_strdup(ctx->instance, repl);
    t->memo = sl_topic_memo_new();
    *state = t;
    return SLUICE_OK;
}

static sluice_rc router_apply(void *state, sluice_record *in, sluice_record **out)
{
    struct router *t = state;
    const char *topic = NULL;
    *out = in;
    if (in->topic == NULL) {
        return SLUICE_OK;
    }
    if (!sl_topic_memo_get(t->memo, in->topic, &topic)) {
        regmatch_t m[SL_JREGEX_NMATCH];
        char err[256];
        if (sl_jregex_matches(&t->rx, in->topic, m)) {
            topic = sl_jregex_expand(&t->rx, in->topic, m, t->replacement,
                                     sl_ctx_batch_arena(t->ctx), err, sizeof err);
            if (topic == NULL) {
                sl_ctx_set_error(t->ctx, "%s", err);
                return SLUICE_ERR;
            }
        }
        sl_topic_memo_put(t->memo, in->topic, topic);
    }
    if (topic == NULL) {
        return SLUICE_OK;
    }
    sl_record *r = sl_record_copy(sl_ctx_batch_arena(t->ctx), in);
    r->topic = topic;
    *out = r;
    return SLUICE_OK;
}

static void router_destroy(void *state)
{
    struct router *t = state;
    if (t != NULL) {
        sl_jregex_free(&t->rx);
        sl_topic_memo_free(t->memo);
        free(t);
    }
}

static const struct sluice_transform_ops router_ops = {
    .struct_size = sizeof(struct sluice_transform_ops),
    .validate = router_validate,
    .create = router_create,
    .apply = router_apply,
    .destroy = router_destroy,
};

static const char *const router_aliases[] = {"RegexRouter", NULL};

const struct sluice_component sl_tf_regex_router = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_TRANSFORM,
    .class_name = "org.apache.kafka.connect.transforms.RegexRouter",
    .aliases = router_aliases,
    .description = "Update the record topic using the configured regular expression and "
                   "replacement string.",
    .config_defs = router_defs,
    .ops = &router_ops,
};
