/*
 * no_entry.c — loader fixture: exports sluice_plugin_main instead of sluice_plugin_entry; the
 * loader must refuse it naming the missing function. Built only for make check; never installed.
 */
#include "sluice/plugin.h"

SLUICE_EXPORT int sluice_plugin_main(void);

SLUICE_EXPORT int sluice_plugin_main(void)
{
    return 0;
}
