/*
 * loader.c — opens one plugin file and decides whether it may run in this worker: file permissions,
 * dlopen/dlsym, then the ABI checks in a fixed order (magic, descriptor size, major, minor, facts,
 * components, config defs), each refusal naming the file with "expected X, got Y".
 * It must never register anything, and never leave a refused library loaded.
 */
#include "plugin/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "plugin/catalog.h"

#define END_OF(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* Sizes of the 1.0 structs: the smallest a plugin may report. */
#define DESC_MIN_1_0 END_OF(struct sluice_plugin_descriptor, library_fini)
#define COMP_MIN_1_0 END_OF(struct sluice_component, ops)
#define DEF_MIN_1_0  END_OF(struct sluice_config_def, since)
#define OPS_MAX      4096u /* far beyond any plausible future ops table: a garbage struct_size */

size_t sl_loader_ops_min_size(unsigned kind)
{
    switch (kind) {
    case SLUICE_KIND_SINK:
        return END_OF(struct sluice_sink_ops, destroy);
    case SLUICE_KIND_SOURCE:
        return END_OF(struct sluice_source_ops, destroy);
    case SLUICE_KIND_TRANSFORM:
        return END_OF(struct sluice_transform_ops, destroy);
    case SLUICE_KIND_PREDICATE:
        return END_OF(struct sluice_predicate_ops, destroy);
    case SLUICE_KIND_CONVERTER:
        return END_OF(struct sluice_converter_ops, destroy);
    case SLUICE_KIND_CONFIG_PROVIDER:
        return sizeof(uint32_t); /* no 1.0 ops table yet: only the size header */
    default:
        return 0;
    }
}

/* The name of the first required callback that is NULL, or NULL when all are present. */
static const char *missing_callback(unsigned kind, const void *ops)
{
    switch (kind) {
    case SLUICE_KIND_SINK: {
        const struct sluice_sink_ops *o = ops;
        return o->create == NULL    ? "create()"
               : o->put == NULL     ? "put()"
               : o->destroy == NULL ? "destroy()"
                                    : NULL;
    }
    case SLUICE_KIND_SOURCE: {
        const struct sluice_source_ops *o = ops;
        return o->create == NULL ? "create()" : o->poll == NULL ? "poll()" : NULL;
    }
    case SLUICE_KIND_TRANSFORM: {
        const struct sluice_transform_ops *o = ops;
        return o->create == NULL ? "create()" : o->apply == NULL ? "apply()" : NULL;
    }
    case SLUICE_KIND_PREDICATE: {
        const struct sluice_predicate_ops *o = ops;
        return o->create == NULL ? "create()" : o->test == NULL ? "test()" : NULL;
    }
    case SLUICE_KIND_CONVERTER: {
        const struct sluice_converter_ops *o = ops;
        return o->create == NULL ? "create()" : o->to_connect == NULL ? "to_connect()" : NULL;
    }
    default:
        return NULL;
    }
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {"?",       "STRING", "INT",      "LONG", "DOUBLE",
                                        "BOOLEAN", "LIST",   "PASSWORD", "CLASS"};
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* 0 when `text` parses as `type`; *num gets the numeric value for INT/LONG/DOUBLE. */
static int parse_default(uint32_t type, const char *text, double *num)
{
    char *end = NULL;
    errno = 0;
    switch (type) {
    case SLUICE_CFG_INT:
    case SLUICE_CFG_LONG: {
        long long x = strtoll(text, &end, 10);
        if (errno != 0 || end == text || *end != '\0') {
            return -1;
        }
        if (type == SLUICE_CFG_INT && (x < INT32_MIN || x > INT32_MAX)) {
            return -1;
        }
        *num = (double)x;
        return 0;
    }
    case SLUICE_CFG_DOUBLE: {
        double x = strtod(text, &end);
        if (errno != 0 || end == text || *end != '\0' || isnan(x)) {
            return -1;
        }
        *num = x;
        return 0;
    }
    case SLUICE_CFG_BOOLEAN:
        return (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0) ? 0 : -1;
    default:
        return 0;
    }
}

static int in_valid_values(const char *const *vv, const char *text)
{
    for (size_t i = 0; vv[i] != NULL; i++) {
        if (strcasecmp(vv[i], text) == 0) {
            return 1;
        }
    }
    return 0;
}

static int check_def(const struct sluice_config_def *def, size_t idx, const char *label,
                     const char *cls, char *err, size_t errlen)
{
    if (def->name[0] == '\0') {
        snprintf(err, errlen, "%s: component \"%s\": config key #%zu has an empty name", label, cls,
                 idx);
        return -1;
    }
    if (def->type < SLUICE_CFG_STRING || def->type > SLUICE_CFG_CLASS) {
        snprintf(err, errlen,
                 "%s: component \"%s\": config key \"%s\" has an unknown type: expected 1..8, "
                 "got %u",
                 label, cls, def->name, def->type);
        return -1;
    }
    if (def->default_value == NULL) {
        return 0;
    }
    if (def->flags & SLUICE_CFG_F_REQUIRED) {
        snprintf(err, errlen,
                 "%s: component \"%s\": config key \"%s\" is REQUIRED but has a default: "
                 "expected no default, got \"%s\"",
                 label, cls, def->name, def->default_value);
        return -1;
    }
    double num = 0;
    if (parse_default(def->type, def->default_value, &num) != 0) {
        snprintf(err, errlen,
                 "%s: component \"%s\": config key \"%s\" has a bad default: expected a %s, "
                 "got \"%s\"",
                 label, cls, def->name, type_name(def->type), def->default_value);
        return -1;
    }
    int numeric = def->type == SLUICE_CFG_INT || def->type == SLUICE_CFG_LONG ||
                  def->type == SLUICE_CFG_DOUBLE;
    if (numeric && (def->flags & SLUICE_CFG_F_HAS_RANGE) && (num < def->min || num > def->max)) {
        snprintf(err, errlen,
                 "%s: component \"%s\": config key \"%s\" has a default outside its range: "
                 "expected [%g, %g], got %s",
                 label, cls, def->name, def->min, def->max, def->default_value);
        return -1;
    }
    if (def->valid_values != NULL && def->type != SLUICE_CFG_LIST &&
        def->default_value[0] != '\0' && !in_valid_values(def->valid_values, def->default_value)) {
        snprintf(err, errlen,
                 "%s: component \"%s\": config key \"%s\" has a default that is not a valid "
                 "value: expected one of its valid_values, got \"%s\"",
                 label, cls, def->name, def->default_value);
        return -1;
    }
    return 0;
}

static int check_defs(const struct sluice_plugin_descriptor *d, const struct sluice_component *c,
                      const char *label, char *err, size_t errlen)
{
    if (c->config_defs == NULL) {
        return 0;
    }
    if (d->config_def_size < DEF_MIN_1_0 || d->config_def_size > OPS_MAX) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: config_def_size out of range: expected %zu..%u, got %u",
                 label, (size_t)DEF_MIN_1_0, OPS_MAX, d->config_def_size);
        return -1;
    }
    const char *base = (const char *)c->config_defs;
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *def =
            (const struct sluice_config_def *)(base + i * d->config_def_size);
        if (def->name == NULL) {
            return 0;
        }
        if (check_def(def, i, label, c->class_name, err, errlen) != 0) {
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            const struct sluice_config_def *prev =
                (const struct sluice_config_def *)(base + j * d->config_def_size);
            if (strcmp(prev->name, def->name) == 0) {
                snprintf(err, errlen,
                         "%s: component \"%s\": duplicate config key \"%s\": expected unique "
                         "names, got it at #%zu and #%zu",
                         label, c->class_name, def->name, j, i);
                return -1;
            }
        }
    }
}

static int check_component(const struct sluice_plugin_descriptor *d,
                           const struct sluice_component *c, size_t idx, const char *label,
                           char *err, size_t errlen)
{
    if (c->struct_size < COMP_MIN_1_0) {
        snprintf(err, errlen,
                 "%s: component #%zu: struct_size too small: expected at least %zu, got %u", label,
                 idx, (size_t)COMP_MIN_1_0, c->struct_size);
        return -1;
    }
    if (c->class_name == NULL || c->class_name[0] == '\0') {
        snprintf(err, errlen, "%s: component #%zu: expected a class_name, got none", label, idx);
        return -1;
    }
    size_t min = sl_loader_ops_min_size(c->kind);
    if (min == 0) {
        snprintf(err, errlen, "%s: component \"%s\": unknown kind: expected 1..6, got %u", label,
                 c->class_name, c->kind);
        return -1;
    }
    const char *kind = sl_component_kind_name((int)c->kind);
    if (c->ops == NULL) {
        snprintf(err, errlen, "%s: component \"%s\" (%s): expected an ops table, got NULL", label,
                 c->class_name, kind);
        return -1;
    }
    uint32_t ops_size = *(const uint32_t *)c->ops;
    if (ops_size < min || ops_size > OPS_MAX) {
        snprintf(err, errlen,
                 "%s: component \"%s\" (%s): ops struct_size out of range: expected %zu..%u, "
                 "got %u",
                 label, c->class_name, kind, min, OPS_MAX, ops_size);
        return -1;
    }
    const char *missing = missing_callback(c->kind, c->ops);
    if (missing != NULL) {
        snprintf(err, errlen,
                 "%s: component \"%s\" (%s): required callback %s is NULL: expected a function, "
                 "got NULL",
                 label, c->class_name, kind, missing);
        return -1;
    }
    if (c->aliases != NULL) {
        for (size_t i = 0; c->aliases[i] != NULL; i++) {
            if (c->aliases[i][0] == '\0') {
                snprintf(err, errlen, "%s: component \"%s\": alias #%zu is empty", label,
                         c->class_name, i);
                return -1;
            }
        }
    }
    return check_defs(d, c, label, err, errlen);
}

int sl_loader_check_descriptor(const struct sluice_plugin_descriptor *d, const char *label,
                               char *err, size_t errlen)
{
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s() returned NULL: the plugin refused this host (ABI %d.%d)",
                 label, SLUICE_PLUGIN_ENTRY, SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
        return -1;
    }
    if (d->magic != SLUICE_ABI_MAGIC) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: magic block mismatch: expected 0x%08x, got 0x%08x",
                 label, (unsigned)SLUICE_ABI_MAGIC, (unsigned)d->magic);
        return -1;
    }
    if (d->struct_size < DESC_MIN_1_0) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: descriptor struct_size too small: expected at least "
                 "%zu, got %u",
                 label, (size_t)DESC_MIN_1_0, d->struct_size);
        return -1;
    }
    if (d->abi_major != SLUICE_ABI_MAJOR) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: ABI major version mismatch: expected %d, got %u", label,
                 SLUICE_ABI_MAJOR, d->abi_major);
        return -1;
    }
    if (d->min_host_minor > SLUICE_ABI_MINOR) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: it needs host ABI %d.%u or newer: expected "
                 "min_host_minor <= %d, got %u",
                 label, SLUICE_ABI_MAJOR, d->min_host_minor, SLUICE_ABI_MINOR, d->min_host_minor);
        return -1;
    }
    if (d->abi_facts != SLUICE_ABI_FACTS) {
        snprintf(err, errlen,
                 "%s: incompatible plugin: ABI facts (pointer size, long size, byte order) "
                 "mismatch: expected 0x%04x, got 0x%04x",
                 label, (unsigned)SLUICE_ABI_FACTS, (unsigned)d->abi_facts);
        return -1;
    }
    if (d->components == NULL) {
        return 0;
    }
    for (size_t i = 0; d->components[i] != NULL; i++) {
        if (check_component(d, d->components[i], i, label, err, errlen) != 0) {
            return -1;
        }
    }
    return 0;
}

int sl_loader_open(const char *path, void **handle, const struct sluice_plugin_descriptor **desc,
                   char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read plugin file: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (st.st_mode & S_IWOTH) {
        snprintf(err, errlen, "%s: refusing a world-writable plugin file (mode %04o)", path,
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        snprintf(err, errlen, "%s: could not load plugin: %s", path, why != NULL ? why : "?");
        return -1;
    }
    void *sym = dlsym(h, SLUICE_PLUGIN_ENTRY);
    if (sym == NULL) {
        snprintf(err, errlen, "could not find function \"%s\" in file \"%s\"", SLUICE_PLUGIN_ENTRY,
                 path);
        dlclose(h);
        return -1;
    }
    sluice_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof(entry)); /* object → function pointer without a cast warning */
    const struct sluice_plugin_descriptor *d = entry(sl_host_api());
    if (sl_loader_check_descriptor(d, path, err, errlen) != 0) {
        dlclose(h);
        return -1;
    }
    *handle = h;
    *desc = d;
    return 0;
}
