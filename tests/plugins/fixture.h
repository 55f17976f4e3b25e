/*
 * fixture.h — shared stub callbacks for the loader's fixture plugins (tests/plugins/NAME.c). Each
 * fixture is one deliberate ABI fault (or none); these stubs must never do real work.
 */
#ifndef SL_FIXTURE_H
#define SL_FIXTURE_H

#include "sluice/plugin.h"

__attribute__((unused)) static sluice_rc fx_create(sluice_ctx *ctx, const sluice_config *cfg,
                                                   void **task)
{
    *task = sluice_host->calloc(1, 1);
    return SLUICE_OK;
}

__attribute__((unused)) static sluice_rc fx_put(void *task, sluice_record *const *records, size_t n)
{
    return SLUICE_OK;
}

__attribute__((unused)) static void fx_destroy(void *task)
{
    sluice_host->free(task);
}

#endif
