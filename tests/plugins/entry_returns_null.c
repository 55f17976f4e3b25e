/*
 * entry_returns_null.c — loader fixture: its entry point refuses every host by returning NULL; the
 * loader must refuse the file and say so. Built only for make check; never installed.
 */
#include "sluice/plugin.h"

SLUICE_EXPORT const struct sluice_plugin_descriptor *
sluice_plugin_entry(const struct sluice_host_api *host);

SLUICE_EXPORT const struct sluice_plugin_descriptor *
sluice_plugin_entry(const struct sluice_host_api *host)
{
    return NULL;
}
