/*
 * providers.c — Kafka's config providers (EnvVarConfigProvider, FileConfigProvider,
 * DirectoryConfigProvider) and ConfigTransformer's ${provider:[path:]key} substitution, plus the
 * redacted copies of configs that are safe to log. Resolved values are secrets: this file must
 * never log a value, only provider names, paths and keys.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/engine.h"
#include "transforms/jregex.h"
#include "util/log.h"
#include "util/mem.h"

enum prov_kind { PROV_ENV, PROV_FILE, PROV_DIR };

struct provider {
    char *name;
    enum prov_kind kind;
    sl_strv allowed; /* normalised absolute allowed.paths; empty = everything */
    bool has_allowlist;
    sl_jregex allowlist; /* env: allowlist.pattern */
};

struct sl_providers {
    struct provider *p;
    size_t n;
};

static const struct {
    const char *names[4];
    enum prov_kind kind;
} known[] = {
    {{"org.apache.kafka.common.config.provider.EnvVarConfigProvider", "EnvVarConfigProvider",
      "EnvVar", NULL},
     PROV_ENV},
    {{"org.apache.kafka.common.config.provider.FileConfigProvider", "FileConfigProvider", "File",
      NULL},
     PROV_FILE},
    {{"org.apache.kafka.common.config.provider.DirectoryConfigProvider", "DirectoryConfigProvider",
      "Directory", NULL},
     PROV_DIR},
};

static int kind_of(const char *cls)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        for (size_t k = 0; known[i].names[k] != NULL; k++) {
            if (strcmp(cls, known[i].names[k]) == 0) {
                return (int)known[i].kind;
            }
        }
    }
    return -1;
}

/* Lexical normalisation of an absolute path ("/a/./b/../c" → "/a/c"); NULL when relative. */
static char *normalize_path(const char *path)
{
    if (path[0] != '/') {
        return NULL;
    }
    sl_strv parts = {0};
    char *copy = sl_xstrdup(path);
    char *save = NULL;
    for (char *tok = strtok_r(copy, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0) {
            continue;
        }
        if (strcmp(tok, "..") == 0) {
            if (parts.n > 0) {
                free(parts.v[--parts.n]);
            }
            continue;
        }
        sl_strv_push(&parts, tok);
    }
    sl_buf b = SL_BUF_INIT;
    for (size_t i = 0; i < parts.n; i++) {
        sl_buf_printf(&b, "/%s", parts.v[i]);
    }
    if (parts.n == 0) {
        sl_buf_putc(&b, '/');
    }
    free(copy);
    sl_strv_free(&parts);
    return sl_buf_steal(&b);
}

/* AllowedPaths.parseUntrustedPath: the path when allowed, else NULL. */
static char *allowed_path(const struct provider *p, const char *path)
{
    if (p->allowed.n == 0) {
        return sl_xstrdup(path);
    }
    char *norm = normalize_path(path);
    if (norm == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < p->allowed.n; i++) {
        const char *a = p->allowed.v[i];
        size_t al = strlen(a);
        if (strcmp(a, "/") == 0 ||
            (strncmp(norm, a, al) == 0 && (norm[al] == '\0' || norm[al] == '/'))) {
            return norm;
        }
    }
    free(norm);
    return NULL;
}

static void provider_clear(struct provider *p)
{
    free(p->name);
    sl_strv_free(&p->allowed);
    if (p->has_allowlist) {
        sl_jregex_free(&p->allowlist);
    }
}

static int configure(struct provider *p, const sl_props *worker, char *err, size_t errlen)
{
    char key[512];
    snprintf(key, sizeof key, "config.providers.%s.param.allowed.paths", p->name);
    const char *paths = sl_props_get(worker, key);
    if (paths != NULL && p->kind != PROV_ENV) {
        char *copy = sl_xstrdup(paths);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
            char *tt = sl_java_trim(t);
            char *norm = *tt ? normalize_path(tt) : NULL;
            if (*tt && norm == NULL) {
                snprintf(err, errlen, "Path %s is not absolute (config.providers.%s)", tt, p->name);
                free(tt);
                free(copy);
                return -1;
            }
            if (norm != NULL) {
                sl_strv_push(&p->allowed, norm);
            }
            free(norm);
            free(tt);
        }
        free(copy);
    }
    snprintf(key, sizeof key, "config.providers.%s.param.allowlist.pattern", p->name);
    const char *pattern = sl_props_get(worker, key);
    if (pattern != NULL && p->kind == PROV_ENV) {
        char why[256];
        if (sl_jregex_compile(&p->allowlist, pattern, why, sizeof why) != 0) {
            snprintf(err, errlen, "Invalid allowlist.pattern for config provider %s: %s", p->name,
                     why);
            return -1;
        }
        p->has_allowlist = true;
    }
    return 0;
}

sl_providers *sl_providers_new(const sl_props *worker, char *err, size_t errlen)
{
    sl_providers *ps = sl_xcalloc(1, sizeof *ps);
    const char *list = sl_props_get(worker, "config.providers");
    if (list == NULL) {
        return ps;
    }
    char *copy = sl_xstrdup(list);
    char *save = NULL;
    size_t cap = 0;
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        char *name = sl_java_trim(t);
        if (*name == '\0') {
            free(name);
            continue;
        }
        char key[512];
        snprintf(key, sizeof key, "config.providers.%s.class", name);
        const char *cls = sl_props_get(worker, key);
        int kind = cls != NULL ? kind_of(cls) : -1;
        if (kind < 0) {
            if (cls == NULL) {
                snprintf(err, errlen, "Missing required configuration \"%s\"", key);
            } else {
                snprintf(err, errlen, "Class %s could not be found (%s)", cls, key);
            }
            free(name);
            goto fail;
        }
        if (ps->n == cap) {
            cap = cap ? cap * 2 : 4;
            ps->p = sl_xrealloc(ps->p, cap * sizeof *ps->p);
        }
        struct provider *p = &ps->p[ps->n++];
        memset(p, 0, sizeof *p);
        p->name = name;
        p->kind = (enum prov_kind)kind;
        if (configure(p, worker, err, errlen) != 0) {
            goto fail;
        }
    }
    free(copy);
    return ps;
fail:
    free(copy);
    sl_providers_free(ps);
    return NULL;
}

void sl_providers_free(sl_providers *ps)
{
    if (ps == NULL) {
        return;
    }
    for (size_t i = 0; i < ps->n; i++) {
        provider_clear(&ps->p[i]);
    }
    free(ps->p);
    free(ps);
}

static const struct provider *find_provider(const sl_providers *ps, const char *name, size_t len)
{
    for (size_t i = 0; ps != NULL && i < ps->n; i++) {
        if (strlen(ps->p[i].name) == len && strncmp(ps->p[i].name, name, len) == 0) {
            return &ps->p[i];
        }
    }
    return NULL;
}

/*
 * One lookup. Returns 0 with *out (malloc'ed) or NULL when the key is absent (the variable is
 * then left as written), -1 with err when the provider fails.
 */
static int lookup(const struct provider *p, const char *path, const char *key, char **out,
                  sl_props **file_cache, char *err, size_t errlen)
{
    *out = NULL;
    if (p->kind == PROV_ENV) {
        if (*path != '\0') {
            snprintf(err, errlen, "Path value must be empty or null (config provider %s)", p->name);
            return -1;
        }
        if (p->has_allowlist && !sl_jregex_matches(&p->allowlist, key, NULL)) {
            return 0;
        }
        const char *v = getenv(key);
        *out = v != NULL ? sl_xstrdup(v) : NULL;
        return 0;
    }
    if (*path == '\0') {
        return 0;
    }
    char *real = allowed_path(p, path);
    if (real == NULL) {
        sl_warn("The path %s is not allowed to be accessed (config provider %s)", path, p->name);
        return 0;
    }
    if (p->kind == PROV_FILE) {
        if (*file_cache == NULL) {
            sl_props *props = sl_props_new();
            char why[512];
            if (sl_props_load_file(real, props, why, sizeof why) != 0) {
                sl_props_free(props);
                snprintf(err, errlen, "Could not read properties from file %s", path);
                free(real);
                return -1;
            }
            *file_cache = props;
        }
        const char *v = sl_props_get(*file_cache, key);
        *out = v != NULL ? sl_xstrdup(v) : NULL;
        free(real);
        return 0;
    }
    /* directory: the content of regular file `key` directly inside `path` */
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        sl_warn("The path %s is not a directory (config provider %s)", path, p->name);
        free(real);
        return 0;
    }
    if (strchr(key, '/') != NULL || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
        free(real);
        return 0;
    }
    sl_buf fp = SL_BUF_INIT;
    sl_buf_printf(&fp, "%s/%s", real, key);
    free(real);
    if (stat(fp.data, &st) != 0 || !S_ISREG(st.st_mode)) {
        sl_buf_free(&fp);
        return 0;
    }
    FILE *f = fopen(fp.data, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "Could not read file %s in directory %s", key, path);
        sl_buf_free(&fp);
        return -1;
    }
    sl_buf content = SL_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sl_buf_append(&content, chunk, n);
    }
    fclose(f);
    sl_buf_free(&fp);
    *out = sl_buf_steal(&content);
    return 0;
}

/* One parsed ${provider:[path:]key} at s[start..end). */
struct var {
    size_t start, end;
    const char *prov;
    size_t prov_len;
    char *path;
    char *key;
};

/* Java's pattern \$\{([^}]*?):(([^}]*?):)?([^}]*?)\}: the first colon ends the provider, a
 * second one (before the brace) ends the path. */
static bool next_var(const char *s, size_t from, struct var *v)
{
    for (const char *p = strstr(s + from, "${"); p != NULL; p = strstr(p + 1, "${")) {
        const char *body = p + 2;
        const char *close = strchr(body, '}');
        if (close == NULL) {
            return false;
        }
        const char *c1 = memchr(body, ':', (size_t)(close - body));
        if (c1 == NULL) {
            continue;
        }
        const char *c2 = memchr(c1 + 1, ':', (size_t)(close - c1 - 1));
        v->start = (size_t)(p - s);
        v->end = (size_t)(close - s) + 1;
        v->prov = body;
        v->prov_len = (size_t)(c1 - body);
        if (c2 != NULL) {
            v->path = sl_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
            v->key = sl_xstrndup(c2 + 1, (size_t)(close - c2 - 1));
        } else {
            v->path = sl_xstrdup("");
            v->key = sl_xstrndup(c1 + 1, (size_t)(close - c1 - 1));
        }
        return true;
    }
    return false;
}

/* File provider reads each file once per resolve call. */
struct file_cache {
    const struct provider *p;
    char *path;
    sl_props *props;
};

static sl_props **cache_slot(struct file_cache **fc, size_t *n, const struct provider *p,
                             const char *path)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*fc)[i].p == p && strcmp((*fc)[i].path, path) == 0) {
            return &(*fc)[i].props;
        }
    }
    *fc = sl_xrealloc(*fc, (*n + 1) * sizeof **fc);
    (*fc)[*n] = (struct file_cache){.p = p, .path = sl_xstrdup(path), .props = NULL};
    return &(*fc)[(*n)++].props;
}

static int resolve_value(const sl_providers *ps, const char *value, sl_buf *out,
                         struct file_cache **fc, size_t *nfc, char *err, size_t errlen)
{
    size_t pos = 0;
    struct var v;
    sl_buf_reset(out);
    sl_buf_puts(out, "");
    while (next_var(value, pos, &v)) {
        const struct provider *p = find_provider(ps, v.prov, v.prov_len);
        char *rep = NULL;
        int rc = 0;
        if (p != NULL) {
            sl_props **slot = cache_slot(fc, nfc, p, v.path);
            rc = lookup(p, v.path, v.key, &rep, slot, err, errlen);
        }
        sl_buf_append(out, value + pos, v.start - pos);
        if (rep != NULL) {
            sl_buf_puts(out, rep);
        } else {
            sl_buf_append(out, value + v.start, v.end - v.start); /* left as written */
        }
        free(rep);
        free(v.path);
        free(v.key);
        pos = v.end;
        if (rc != 0) {
            return -1;
        }
    }
    sl_buf_puts(out, value + pos);
    return 0;
}

sl_props *sl_providers_resolve(sl_providers *ps, const sl_props *in, char *err, size_t errlen)
{
    sl_props *out = sl_props_new();
    struct file_cache *fc = NULL;
    size_t nfc = 0;
    sl_buf b = SL_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < sl_props_count(in); i++) {
        const char *key = sl_props_key_at(in, i);
        const char *val = sl_props_value_at(in, i);
        if (val == NULL || strstr(val, "${") == NULL || ps == NULL || ps->n == 0) {
            sl_props_set(out, key, val);
            continue;
        }
        char why[512];
        if (resolve_value(ps, val, &b, &fc, &nfc, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s (while resolving configuration %s)", why, key);
            rc = -1;
            break;
        }
        sl_props_set(out, key, b.data);
    }
    for (size_t i = 0; i < nfc; i++) {
        free(fc[i].path);
        sl_props_free(fc[i].props);
    }
    free(fc);
    sl_buf_free(&b);
    if (rc != 0) {
        sl_props_free(out);
        return NULL;
    }
    return out;
}

/* ---- redaction ---- */

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool sensitive_name(const char *key)
{
    static const char *const words[] = {"password", "secret", "jaas.config", "credentials", "token",
                                        "api.key",  "apikey", "private.key", NULL};
    for (size_t i = 0; words[i] != NULL; i++) {
        if (contains_nocase(key, words[i])) {
            return true;
        }
    }
    return false;
}

static bool sensitive_def(const struct sluice_config_def *defs, size_t stride, const char *key)
{
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_cfg_def_at(defs, stride, i);
        if (d == NULL) {
            return false;
        }
        bool prefix = (d->flags & SLUICE_CFG_F_PREFIX) != 0;
        bool match =
            prefix ? strncmp(key, d->name, strlen(d->name)) == 0 : strcmp(key, d->name) == 0;
        if (match && (d->type == SLUICE_CFG_PASSWORD || (d->flags & SLUICE_CFG_F_SENSITIVE))) {
            return true;
        }
    }
}

sl_props *sl_props_redacted_defs(const sl_props *p, const struct sluice_config_def *defs,
                                 size_t stride)
{
    sl_props *out = sl_props_new();
    for (size_t i = 0; i < sl_props_count(p); i++) {
        const char *key = sl_props_key_at(p, i);
        const char *val = sl_props_value_at(p, i);
        bool hide = val != NULL && (sensitive_name(key) || sensitive_def(defs, stride, key));
        sl_props_set(out, key, hide ? "[hidden]" : val);
    }
    return out;
}

sl_props *sl_props_redacted(const sl_props *p)
{
    return sl_props_redacted_defs(p, NULL, 0);
}
