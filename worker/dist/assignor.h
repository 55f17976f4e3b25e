/*
 * assignor.h — Connect's two group assignors, run by the leader after JoinGroup:
 * eager round-robin (protocol "default") and incremental cooperative (KIP-415, "compatible" and
 * "sessioned"), as in shared/reference/connect-internals.md §5. Pure code: time comes in as an
 * argument, so every scenario is unit-testable.
 */
#ifndef SL_DIST_ASSIGNOR_H
#define SL_DIST_ASSIGNOR_H

#include <stddef.h>
#include <stdint.h>

#include "dist/connect_protocol.h"

/* What the config snapshot says should run. Connector names need not be sorted. */
typedef struct sl_assign_config {
    int64_t offset; /* the leader's config snapshot offset (last record + 1; -1 empty) */
    size_t n;
    const char *const *connectors;
    /* Tasks 0..task_counts[i]-1 of connectors[i]: Java's snapshot.tasks(c), so 0 for a
     * connector with no committed task count yet or an inconsistent one (§1.3). */
    const int32_t *task_counts;
} sl_assign_config;

/* One member of the JoinGroup response (metadata decoded by the caller). */
typedef struct sl_assign_member {
    const char *member_id;
    const sl_cp_metadata *md;
} sl_assign_member;

/* Leader state kept between rounds (previous assignment, delays, candidates, backoff). Not
 * thread-safe: use it from one thread (the group member's callbacks). */
typedef struct sl_assignor sl_assignor;

/* max_delay_ms: scheduled.rebalance.max.delay.ms (clamped to 0..INT32_MAX: an int in Java). */
sl_assignor *sl_assignor_new(int64_t max_delay_ms);
void sl_assignor_destroy(sl_assignor *a);

/* Optional, from the herder's SyncGroup-completed path (every worker, leader or not): the
 * generation of each successful SyncGroup, i.e. Java's WorkerCoordinator
 * lastCompletedGenerationId. With it the incremental assignor forgets its previous assignment
 * exactly when Java does (the generation it last assigned is not the last completed one).
 * Never called, it takes the last completed generation to be `generation - 1` of the round,
 * which differs from Java only after the leader's own SyncGroup of its last round failed. */
void sl_assignor_sync_completed(sl_assignor *a, int32_t generation);

/* The postponement of the k-th successive revoking round (k >= 1): Java's
 * ExponentialBackoff(maxDelay == 0 ? 0 : 1, 40, maxDelay, 0).backoff(k), i.e. min(40^k, max)
 * computed in doubles like Java: 40, 1600, 64000, then max_delay_ms; 0 when max_delay_ms is 0.
 * Exposed for tests. */
int32_t sl_assignor_revoking_backoff(int32_t max_delay_ms, int32_t k);

/* Highest config offset any member reported (the leader must have read at least this far). */
int64_t sl_assignor_max_offset(const sl_assign_member *members, size_t n);

/*
 * Compute one assignment per member (out[i] belongs to members[i]; the caller clears them with
 * sl_cp_assignment_clear). protocol: SL_CP_EAGER/COMPATIBLE/SESSIONED (the group's chosen one;
 * it is also each assignment's version). If cfg->offset < sl_assignor_max_offset(), every member
 * gets error CONFIG_MISMATCH with that max offset and nothing assigned (delay 0; the
 * incremental memory is left untouched, as in Java). Otherwise config_offset = cfg->offset (the
 * snapshot the assignment was computed from). generation: the group generation of this round
 * (the incremental assignor resets its memory when it missed one; see sync_completed). now_ms:
 * any clock in ms that is > 0 and never goes back (scheduled rebalances are compared with it).
 * Eager (§5.1): out[i].assigned is member i's full set. Incremental (§5.2): out[i].assigned is
 * what member i starts, out[i].revoked what it stops first, and delay_ms (the same for all) when
 * to rejoin. Where Java's choice depends on HashMap iteration order (which overloaded workers
 * keep an extra item, which items are revoked first), sorted member ids and item order decide;
 * assignor.c's header comment lists these points. Returns 0, or -1 on a malformed input (no
 * members, a member without metadata, duplicate member ids or connector names, a negative
 * task count; err set, out untouched).
 */
int sl_assignor_assign(sl_assignor *a, int protocol, const char *leader_id, const char *leader_url,
                       const sl_assign_config *cfg, int32_t generation,
                       const sl_assign_member *members, size_t n, int64_t now_ms,
                       sl_cp_assignment *out, char *err, size_t errlen);

#endif
