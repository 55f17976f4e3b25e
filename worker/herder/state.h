/*
 * state.h — the standalone state directory's connector file: every connector's raw config and
 * target state, written atomically (temp file + fsync + rename) so a restarted worker comes back
 * with what it had. Format: docs/standalone-state.md. Never holds resolved (provider) values.
 */
#ifndef SL_HERDER_STATE_H
#define SL_HERDER_STATE_H

#include <stddef.h>

#include "config/props.h"

enum sl_target_state {
    SL_TARGET_STARTED = 0,
    SL_TARGET_PAUSED = 1,
    SL_TARGET_STOPPED = 2,
};

struct sl_state_entry {
    char *name;
    sl_props *config; /* raw, exactly as submitted */
    int target;       /* enum sl_target_state */
};

/* "STARTED", "PAUSED", "STOPPED"; and back (-1 when unknown, case-insensitive). */
const char *sl_target_state_name(int target);
int sl_target_state_parse(const char *s);

/* The file name inside the state directory. */
#define SL_STATE_FILE "connectors.json"

/*
 * Write entries[0..n) to path atomically (path.tmp, fsync, rename, fsync of the directory).
 * 0, or -1 with err. Entries are borrowed.
 */
int sl_state_save(const char *path, const struct sl_state_entry *entries, size_t n, char *err,
                  size_t errlen);
/*
 * Read path. A missing file is an empty state (0, *n = 0). A corrupted or unreadable file is -1
 * with a message naming the file and the problem. *entries is transferred to the caller
 * (free with sl_state_entries_free).
 */
int sl_state_load(const char *path, struct sl_state_entry **entries, size_t *n, char *err,
                  size_t errlen);
void sl_state_entries_free(struct sl_state_entry *entries, size_t n); /* accepts NULL */

/* mkdir -p; 0 or -1 with err. */
int sl_state_mkdirs(const char *dir, char *err, size_t errlen);

#endif
