/*
 * config.c — struct sluice_config: a raw props map parsed against a def table into typed values
 * (defaults applied, types, ranges and enums checked), and the typed getters the host API hands
 * to plugins. It must never log a value: only key names appear in messages.
 */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/engine.h"
#include "util/log.h"
#include "util/mem.h"

struct cfg_entry {
    char *name;
    uint32_t type;
    bool set; /* the user gave the key */
    struct sl_cfg_value v;
};

struct sluice_config {
    struct cfg_entry *e;
    size_t n;
    sl_props *raw; /* user entries, prefix stripped */
};

/* Enum values are stored in the table's spelling so plugin code can compare with strcmp. */
static void canonicalize_enum(const struct sluice_config_def *d, struct sl_cfg_value *v)
{
    if (d->valid_values == NULL || v->is_null) {
        return;
    }
    if (d->type == SLUICE_CFG_LIST) {
        for (size_t i = 0; i < v->items.n; i++) {
            for (size_t k = 0; d->valid_values[k] != NULL; k++) {
                if (strcasecmp(v->items.v[i], d->valid_values[k]) == 0) {
                    free(v->items.v[i]);
                    v->items.v[i] = sl_xstrdup(d->valid_values[k]);
                }
            }
        }
        return;
    }
    for (size_t k = 0; d->valid_values[k] != NULL; k++) {
        if (strcasecmp(v->text, d->valid_values[k]) == 0) {
            free(v->text);
            v->text = sl_xstrdup(d->valid_values[k]);
            return;
        }
    }
}

/* Parse one def into e; messages for every problem go to errs. */
static void parse_entry(const struct sluice_config_def *d, const sl_props *raw, struct cfg_entry *e,
                        sl_strv *errs)
{
    e->name = sl_xstrdup(d->name);
    e->type = d->type;
    e->set = sl_props_has(raw, d->name);
    e->v.is_null = true;
    if (e->set) {
        const char *text = sl_props_get(raw, d->name);
        if (text == NULL) {
            sl_strv_pushf(errs,
                          "Invalid value null for configuration %s: Null value can not be "
                          "supplied as the configuration value.",
                          d->name);
            return;
        }
        if (sl_cfg_parse(d, d->name, text, &e->v, errs) != 0) {
            return;
        }
        if (d->flags & SLUICE_CFG_F_DEPRECATED) {
            sl_warn("Configuration '%s' is deprecated and may be removed in a future release",
                    d->name);
        }
    } else if (sl_cfg_required(d)) {
        sl_strv_pushf(errs, "Missing required configuration \"%s\" which has no default value.",
                      d->name);
        return;
    } else if (sl_cfg_default(d, &e->v) != 0) {
        sl_strv_pushf(errs, "Invalid default value for configuration %s", d->name);
        return;
    }
    if (sl_cfg_check(d, d->name, &e->v, false, errs) == 0) {
        canonicalize_enum(d, &e->v);
    }
}

sl_config *sl_config_new(const struct sluice_config_def *defs, size_t stride, const sl_props *raw,
                         const char *prefix, char *err, size_t errlen)
{
    sl_config *c = sl_xcalloc(1, sizeof *c);
    c->raw = sl_props_subset(raw, prefix, true);
    size_t n = 0;
    while (sl_cfg_def_at(defs, stride, n) != NULL) {
        n++;
    }
    c->e = sl_xcalloc(n ? n : 1, sizeof(struct cfg_entry));
    sl_strv errs = {0};
    for (size_t i = 0; i < n; i++) {
        struct sluice_config_def d; /* a copy: an older plugin's defs may be shorter */
        sl_cfg_def_copy(&d, sl_cfg_def_at(defs, stride, i), stride);
        if (d.flags & SLUICE_CFG_F_PREFIX) {
            continue; /* pass-through: read from raw */
        }
        parse_entry(&d, c->raw, &c->e[c->n++], &errs);
    }
    if (errs.n == 0) {
        return c;
    }
    sl_buf b = SL_BUF_INIT;
    for (size_t i = 0; i < errs.n; i++) {
        sl_buf_printf(&b, "%s%s", i ? "; " : "", errs.v[i]);
    }
    snprintf(err, errlen, "%s", b.data);
    sl_buf_free(&b);
    sl_strv_free(&errs);
    sl_config_free(c);
    return NULL;
}

void sl_config_free(sl_config *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].name);
        sl_cfg_value_clear(&c->e[i].v);
    }
    free(c->e);
    sl_props_free(c->raw);
    free(c);
}

static const struct cfg_entry *lookup(const sl_config *c, const char *key)
{
    for (size_t i = 0; c != NULL && key != NULL && i < c->n; i++) {
        if (strcmp(c->e[i].name, key) == 0) {
            return &c->e[i];
        }
    }
    return NULL;
}

const char *sl_config_string(const sl_config *c, const char *key)
{
    const struct cfg_entry *e = lookup(c, key);
    if (e == NULL) {
        return c != NULL ? sl_props_get(c->raw, key) : NULL; /* prefix pass-through keys */
    }
    return e->v.is_null ? NULL : e->v.text;
}

/* Undefined keys (prefix pass-through) parsed on demand. */
static bool raw_number(const sl_config *c, const char *key, double *d)
{
    const char *s = c != NULL ? sl_props_get(c->raw, key) : NULL;
    if (s == NULL) {
        return false;
    }
    char *end = NULL;
    *d = strtod(s, &end);
    return end != s;
}

int64_t sl_config_long(const sl_config *c, const char *key)
{
    const struct cfg_entry *e = lookup(c, key);
    if (e == NULL) {
        double d = 0;
        const char *s = c != NULL ? sl_props_get(c->raw, key) : NULL;
        if (s != NULL && strchr(s, '.') == NULL && strchr(s, 'e') == NULL) {
            return strtoll(s, NULL, 10);
        }
        return raw_number(c, key, &d) ? (int64_t)d : 0;
    }
    return e->v.is_null ? 0 : e->v.l;
}

double sl_config_double(const sl_config *c, const char *key)
{
    const struct cfg_entry *e = lookup(c, key);
    if (e == NULL) {
        double d = 0;
        return raw_number(c, key, &d) ? d : 0;
    }
    return e->v.is_null ? 0 : e->v.d;
}

bool sl_config_bool(const sl_config *c, const char *key)
{
    const struct cfg_entry *e = lookup(c, key);
    if (e == NULL) {
        const char *s = c != NULL ? sl_props_get(c->raw, key) : NULL;
        return s != NULL && strcasecmp(s, "true") == 0;
    }
    return !e->v.is_null && e->v.b;
}

size_t sl_config_list_len(const sl_config *c, const char *key)
{
    const struct cfg_entry *e = lookup(c, key);
    return e != NULL && !e->v.is_null ? e->v.items.n : 0;
}

const char *sl_config_list_at(const sl_config *c, const char *key, size_t i)
{
    const struct cfg_entry *e = lookup(c, key);
    if (e == NULL || e->v.is_null || i >= e->v.items.n) {
        return NULL;
    }
    return e->v.items.v[i];
}

bool sl_config_is_set(const sl_config *c, const char *key)
{
    return c != NULL && sl_props_has(c->raw, key);
}

size_t sl_config_count(const sl_config *c)
{
    return c != NULL ? sl_props_count(c->raw) : 0;
}

const char *sl_config_key_at(const sl_config *c, size_t i)
{
    return c != NULL ? sl_props_key_at(c->raw, i) : NULL;
}

const char *sl_config_value_at(const sl_config *c, size_t i)
{
    return c != NULL ? sl_props_value_at(c->raw, i) : NULL;
}

const sl_props *sl_config_raw(const sl_config *c)
{
    return c != NULL ? c->raw : NULL;
}

int sl_worker_config_check(const sl_props *worker, bool distributed, char *err, size_t errlen)
{
    static const char *const dist[] = {"group.id", "config.storage.topic", "offset.storage.topic",
                                       "status.storage.topic", NULL};
    if (distributed) {
        for (size_t i = 0; dist[i] != NULL; i++) {
            const char *v = sl_props_get(worker, dist[i]);
            if (v == NULL) {
                snprintf(err, errlen,
                         "Missing required configuration \"%s\" which has no default value.",
                         dist[i]);
                return -1;
            }
        }
        return 0;
    }
    if (sl_props_get(worker, "offset.storage.file.filename") == NULL &&
        sl_props_get(worker, "state.dir") == NULL) {
        snprintf(err, errlen,
                 "Missing required configuration \"offset.storage.file.filename\" "
                 "which has no default value.");
        return -1;
    }
    return 0;
}
