/*
 * catalog.h — every component the worker knows: built-ins (converters, transforms, predicates,
 * providers registered through the same descriptors as plugins) and those loaded from plugin.path.
 * Lookup accepts the full class name (Java names included), the simple name, or an alias.
 */
#ifndef SL_CATALOG_H
#define SL_CATALOG_H

#include <stddef.h>

#include "sluice/plugin.h"

struct sl_component {
    const struct sluice_component *comp;
    const struct sluice_plugin_descriptor *desc;
    const char *file;    /* the .so path; NULL for built-ins */
    const char *version; /* comp->version or the plugin's version */
};

/* The host-services table the worker hands to plugins (and built-ins use). */
const struct sluice_host_api *sl_host_api(void);

/* Register the built-in descriptors (idempotent). Called by sl_catalog_load. */
void sl_catalog_register_builtins(void);
/*
 * Scan each directory (or .so file) of a comma-separated plugin.path; NULL → the installed plugin
 * directory. Bad plugins are refused with a logged "expected X, got Y" message naming the file and
 * skipped; returns the number refused. Never crashes on a bad plugin.
 */
int sl_catalog_load(const char *plugin_path);
/* Load one file; returns 0 or -1 with a message naming the file in err. */
int sl_catalog_load_file(const char *path, char *err, size_t errlen);
/* kind 0 = any kind. NULL when not found. */
const struct sl_component *sl_catalog_find(int kind, const char *name);
size_t sl_catalog_count(void);
const struct sl_component *sl_catalog_at(size_t i);
/* The i-th config def of a component (honours the descriptor's stride); NULL past the end. */
const struct sluice_config_def *sl_component_def_at(const struct sl_component *c, size_t i);
/* "sink", "source", "transformation", "predicate", "converter", "config_provider" */
const char *sl_component_kind_name(int kind);
/* Run library_fini and dlclose everything; only at exit. */
void sl_catalog_shutdown(void);

/* Built-in descriptors, defined by the modules that implement them. */
const struct sluice_plugin_descriptor *sl_builtin_converters(void); /* converters/ */
const struct sluice_plugin_descriptor *sl_builtin_transforms(void); /* transforms/ (+ predicates) */

#endif
