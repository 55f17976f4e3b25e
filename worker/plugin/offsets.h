/*
 * offsets.h — struct sluice_offsets, the definition behind the ABI's opaque offset map that a sink's
 * pre_commit() sees: one entry per assigned topic-partition with the next offset to commit.
 * The task runtime fills it; the host API only reads it and lowers entries. Never raise an entry here.
 */
#ifndef SL_OFFSETS_H
#define SL_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "sluice/plugin.h"

struct sl_offset_entry {
    const char *topic;  /* borrowed: owned by the task runtime, valid while the map is in use */
    int32_t partition;
    int64_t offset;     /* next offset to consume (what gets committed) */
};

struct sluice_offsets {
    struct sl_offset_entry *entries; /* owned by whoever built the map (the task runtime) */
    size_t n;
    size_t cap;
};
typedef struct sluice_offsets sl_offsets;

#endif
