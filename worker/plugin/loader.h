/*
 * loader.h — internal to worker/plugin: opening one plugin file and checking a descriptor against
 * ABI 1.0 (magic, sizes, versions, components, config defs). The catalogue does registration,
 * duplicate detection and library_init; nothing here keeps state.
 */
#ifndef SL_LOADER_H
#define SL_LOADER_H

#include <stddef.h>

#include "sluice/plugin.h"

/*
 * Check every load-time rule that depends on the descriptor alone. `label` names the file in the
 * message ("<label>: ... expected X, got Y"). 0, or -1 with err.
 */
int sl_loader_check_descriptor(const struct sluice_plugin_descriptor *d, const char *label,
                               char *err, size_t errlen);

/*
 * Permission checks, dlopen(RTLD_NOW | RTLD_LOCAL), dlsym, call the entry with the host table and
 * sl_loader_check_descriptor. On success handle and desc are set (the caller dlcloses); on failure
 * nothing stays open and err names the file.
 */
int sl_loader_open(const char *path, void **handle, const struct sluice_plugin_descriptor **desc,
                   char *err, size_t errlen);

/* Minimum ops struct_size for a kind in ABI 1.0; 0 for an unknown kind. */
size_t sl_loader_ops_min_size(unsigned kind);

#endif
