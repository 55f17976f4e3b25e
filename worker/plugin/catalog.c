/*
 * catalog.c — the component catalogue: built-ins first, then every plugin file found on
 * plugin.path, each registered whole or not at all; lookup by full class name, alias or
 * (unambiguous) simple name, case-sensitive like Java. It must never dlclose a library before
 * sl_catalog_shutdown.
 */
#include "plugin/catalog.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "plugin/loader.h"
#include "util/log.h"
#include "util/mem.h"

#ifndef SLUICE_PLUGIN_DIR
#define SLUICE_PLUGIN_DIR "/usr/local/lib/sluice/plugins"
#endif

struct plugin {
    void *handle; /* NULL for built-ins */
    char *file;   /* as given; NULL for built-ins */
    char *real;   /* realpath, to load each file once */
    const struct sluice_plugin_descriptor *desc;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct plugin *plugins;
static size_t nplugins, plugins_cap;
static struct sl_component **comps; /* individually allocated: pointers stay valid */
static size_t ncomps, comps_cap;
static int builtins_done;

const char *sl_component_kind_name(int kind)
{
    switch (kind) {
    case SLUICE_KIND_SINK:
        return "sink";
    case SLUICE_KIND_SOURCE:
        return "source";
    case SLUICE_KIND_TRANSFORM:
        return "transformation";
    case SLUICE_KIND_PREDICATE:
        return "predicate";
    case SLUICE_KIND_CONVERTER:
        return "converter";
    case SLUICE_KIND_CONFIG_PROVIDER:
        return "config_provider";
    default:
        return "unknown";
    }
}

static const char *provider_label(const struct sl_component *c)
{
    return c->file != NULL ? c->file : "the worker (built-in)";
}

/* The registered component that already claims `name` as class name or alias, or NULL. */
static const struct sl_component *claimed_by(const char *name)
{
    for (size_t i = 0; i < ncomps; i++) {
        const struct sluice_component *c = comps[i]->comp;
        if (strcmp(c->class_name, name) == 0) {
            return comps[i];
        }
        for (size_t j = 0; c->aliases != NULL && c->aliases[j] != NULL; j++) {
            if (strcmp(c->aliases[j], name) == 0) {
                return comps[i];
            }
        }
    }
    return NULL;
}

/* Names inside one descriptor must not clash with the catalogue or with each other. */
static int check_duplicates(const struct sluice_plugin_descriptor *d, const char *label,
                            const char *file, char *err, size_t errlen)
{
    for (size_t i = 0; d->components != NULL && d->components[i] != NULL; i++) {
        const struct sluice_component *c = d->components[i];
        for (ssize_t j = -1; j < 0 || (c->aliases != NULL && c->aliases[j] != NULL); j++) {
            const char *name = j < 0 ? c->class_name : c->aliases[j];
            const struct sl_component *other = claimed_by(name);
            if (other != NULL) {
                snprintf(err, errlen, "%s: component class \"%s\" is already provided by %s", label,
                         name, provider_label(other));
                return -1;
            }
            for (size_t k = 0; k < i; k++) {
                const struct sluice_component *p = d->components[k];
                int clash = strcmp(p->class_name, name) == 0;
                for (size_t m = 0; !clash && p->aliases != NULL && p->aliases[m] != NULL; m++) {
                    clash = strcmp(p->aliases[m], name) == 0;
                }
                if (clash) {
                    snprintf(err, errlen, "%s: component class \"%s\" is already provided by %s",
                             label, name, file != NULL ? file : "the worker (built-in)");
                    return -1;
                }
            }
        }
    }
    return 0;
}

static void add_plugin(void *handle, const char *file, const char *real,
                       const struct sluice_plugin_descriptor *d)
{
    if (nplugins == plugins_cap) {
        plugins_cap = plugins_cap ? plugins_cap * 2 : 16;
        plugins = sl_xrealloc(plugins, plugins_cap * sizeof(*plugins));
    }
    struct plugin *p = &plugins[nplugins++];
    p->handle = handle;
    p->file = file != NULL ? sl_xstrdup(file) : NULL;
    p->real = real != NULL ? sl_xstrdup(real) : NULL;
    p->desc = d;
    for (size_t i = 0; d->components != NULL && d->components[i] != NULL; i++) {
        if (ncomps == comps_cap) {
            comps_cap = comps_cap ? comps_cap * 2 : 64;
            comps = sl_xrealloc(comps, comps_cap * sizeof(*comps));
        }
        struct sl_component *c = sl_xcalloc(1, sizeof(*c));
        c->comp = d->components[i];
        c->desc = d;
        c->file = p->file;
        c->version = c->comp->version != NULL ? c->comp->version : d->version;
        if (c->version == NULL) {
            c->version = "unknown";
        }
        comps[ncomps++] = c;
    }
}

/* Checks, library_init, register. Called with the lock held. */
static int register_descriptor(void *handle, const char *file, const char *real,
                               const struct sluice_plugin_descriptor *d, const char *label,
                               char *err, size_t errlen)
{
    if (sl_loader_check_descriptor(d, label, err, errlen) != 0 ||
        check_duplicates(d, label, file, err, errlen) != 0) {
        return -1;
    }
    if (d->library_init != NULL) {
        sluice_rc rc = d->library_init();
        if (rc != SLUICE_OK) {
            snprintf(err, errlen, "%s: library_init() failed: expected %d (OK), got %d", label,
                     SLUICE_OK, (int)rc);
            return -1;
        }
    }
    add_plugin(handle, file, real, d);
    return 0;
}

static void register_builtin(const struct sluice_plugin_descriptor *d)
{
    char label[256], err[1024];
    snprintf(label, sizeof(label), "built-in %s", d != NULL && d->name ? d->name : "components");
    if (register_descriptor(NULL, NULL, NULL, d, label, err, sizeof(err)) != 0) {
        sl_error("%s", err);
    }
}

static void register_builtins_locked(void)
{
    if (builtins_done) {
        return;
    }
    builtins_done = 1;
    register_builtin(sl_builtin_converters());
    register_builtin(sl_builtin_transforms());
}

void sl_catalog_register_builtins(void)
{
    pthread_mutex_lock(&lock);
    register_builtins_locked();
    pthread_mutex_unlock(&lock);
}

static int load_file_locked(const char *path, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (realpath(path, real) != NULL) {
        for (size_t i = 0; i < nplugins; i++) {
            if (plugins[i].real != NULL && strcmp(plugins[i].real, real) == 0) {
                sl_debug("%s: already loaded", path);
                return 0;
            }
        }
    } else {
        snprintf(real, sizeof(real), "%s", path);
    }
    void *handle = NULL;
    const struct sluice_plugin_descriptor *d = NULL;
    if (sl_loader_open(path, &handle, &d, err, errlen) != 0) {
        return -1;
    }
    if (register_descriptor(handle, path, real, d, path, err, errlen) != 0) {
        dlclose(handle);
        return -1;
    }
    sl_info("Loaded plugin %s version %s from %s", d->name != NULL ? d->name : "?",
            d->version != NULL ? d->version : "unknown", path);
    return 0;
}

int sl_catalog_load_file(const char *path, char *err, size_t errlen)
{
    pthread_mutex_lock(&lock);
    register_builtins_locked();
    int rc = load_file_locked(path, err, errlen);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int has_so_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

static int load_one_logged(const char *path)
{
    char err[1024];
    if (load_file_locked(path, err, sizeof(err)) != 0) {
        sl_error("Refusing plugin: %s", err);
        return 1;
    }
    return 0;
}

/* *.so directly in dir, then in its immediate subdirectories (one folder per plugin, like Java). */
static int scan_dir(const char *dir, int depth)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        sl_warn("Cannot read plugin directory %s", dir);
        return 0;
    }
    int refused = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char path[PATH_MAX];
        if (name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        struct stat st;
        if (stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth == 0) {
                refused += scan_dir(path, 1);
            }
        } else if (has_so_suffix(name)) {
            refused += load_one_logged(path);
        }
    }
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return refused;
}

int sl_catalog_load(const char *plugin_path)
{
    const char *spec = plugin_path != NULL ? plugin_path : SLUICE_PLUGIN_DIR;
    char *copy = sl_xstrdup(spec);
    int refused = 0;
    pthread_mutex_lock(&lock);
    register_builtins_locked();
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t') {
            tok++;
        }
        size_t len = strlen(tok);
        while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t')) {
            tok[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        struct stat st;
        if (stat(tok, &st) != 0) {
            sl_warn("plugin.path entry %s does not exist; skipping it", tok);
            continue;
        }
        refused += S_ISDIR(st.st_mode) ? scan_dir(tok, 0) : load_one_logged(tok);
    }
    pthread_mutex_unlock(&lock);
    free(copy);
    return refused;
}

/* The simple name: what follows the last '.' or '$'. */
static const char *simple_name(const char *cls)
{
    const char *s = cls;
    for (const char *p = cls; *p != '\0'; p++) {
        if (*p == '.' || *p == '$') {
            s = p + 1;
        }
    }
    return s;
}

static const char *kind_suffix(unsigned kind)
{
    switch (kind) {
    case SLUICE_KIND_SINK:
    case SLUICE_KIND_SOURCE:
        return "Connector";
    case SLUICE_KIND_CONVERTER:
        return "Converter";
    case SLUICE_KIND_TRANSFORM:
        return "Transformation";
    case SLUICE_KIND_PREDICATE:
        return "Predicate";
    case SLUICE_KIND_CONFIG_PROVIDER:
        return "ConfigProvider";
    default:
        return NULL;
    }
}

/* Java's derived aliases: the simple name, and the simple name minus the kind's suffix. */
static int matches_derived(const char *cls, unsigned kind, const char *name)
{
    const char *simple = simple_name(cls);
    if (strcmp(simple, name) == 0) {
        return 1;
    }
    const char *suffix = kind_suffix(kind);
    size_t sl = strlen(simple), xl = suffix != NULL ? strlen(suffix) : 0;
    size_t nl = strlen(name);
    return suffix != NULL && sl > xl && strcmp(simple + sl - xl, suffix) == 0 && nl == sl - xl &&
           strncmp(simple, name, nl) == 0;
}

static int kind_ok(int want, const struct sl_component *c)
{
    return want == 0 || (unsigned)want == c->comp->kind;
}

static const struct sl_component *find_locked(int kind, const char *name)
{
    for (size_t i = 0; i < ncomps; i++) {
        const struct sluice_component *c = comps[i]->comp;
        if (!kind_ok(kind, comps[i])) {
            continue;
        }
        if (strcmp(c->class_name, name) == 0) {
            return comps[i];
        }
        for (size_t j = 0; c->aliases != NULL && c->aliases[j] != NULL; j++) {
            if (strcmp(c->aliases[j], name) == 0) {
                return comps[i];
            }
        }
    }
    /* Derived aliases: only when exactly one component matches (Java drops ambiguous ones). */
    const struct sl_component *found = NULL;
    for (size_t i = 0; i < ncomps; i++) {
        const struct sluice_component *c = comps[i]->comp;
        if (!kind_ok(kind, comps[i])) {
            continue;
        }
        int hit = matches_derived(c->class_name, c->kind, name);
        for (size_t j = 0; !hit && c->aliases != NULL && c->aliases[j] != NULL; j++) {
            hit =
                strchr(c->aliases[j], '.') != NULL && matches_derived(c->aliases[j], c->kind, name);
        }
        if (hit) {
            if (found != NULL && found != comps[i]) {
                sl_debug("Name %s is ambiguous (%s, %s)", name, found->comp->class_name,
                         c->class_name);
                return NULL;
            }
            found = comps[i];
        }
    }
    return found;
}

const struct sl_component *sl_catalog_find(int kind, const char *name)
{
    if (name == NULL || name[0] == '\0') {
        return NULL;
    }
    pthread_mutex_lock(&lock);
    const struct sl_component *c = find_locked(kind, name);
    pthread_mutex_unlock(&lock);
    return c;
}

size_t sl_catalog_count(void)
{
    pthread_mutex_lock(&lock);
    size_t n = ncomps;
    pthread_mutex_unlock(&lock);
    return n;
}

const struct sl_component *sl_catalog_at(size_t i)
{
    pthread_mutex_lock(&lock);
    const struct sl_component *c = i < ncomps ? comps[i] : NULL;
    pthread_mutex_unlock(&lock);
    return c;
}

const struct sluice_config_def *sl_component_def_at(const struct sl_component *c, size_t i)
{
    if (c == NULL || c->comp->config_defs == NULL) {
        return NULL;
    }
    const char *base = (const char *)c->comp->config_defs;
    size_t stride = c->desc->config_def_size;
    for (size_t k = 0;; k++) {
        const struct sluice_config_def *def = (const struct sluice_config_def *)(base + k * stride);
        if (def->name == NULL) {
            return NULL;
        }
        if (k == i) {
            return def;
        }
    }
}

void sl_catalog_shutdown(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = nplugins; i-- > 0;) {
        struct plugin *p = &plugins[i];
        if (p->desc->library_fini != NULL) {
            p->desc->library_fini();
        }
        if (p->handle != NULL) {
            dlclose(p->handle);
        }
        free(p->file);
        free(p->real);
    }
    for (size_t i = 0; i < ncomps; i++) {
        free(comps[i]);
    }
    free(plugins);
    free(comps);
    plugins = NULL;
    comps = NULL;
    nplugins = plugins_cap = ncomps = comps_cap = 0;
    builtins_done = 0;
    pthread_mutex_unlock(&lock);
}
