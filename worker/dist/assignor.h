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
    const int32_t *task_counts; /* tasks 0..task_counts[i]-1 of connectors[i] */
} sl_assign_config;

/* One member of the JoinGroup response (metadata decoded by the caller). */
typedef struct sl_assign_member {
    const char *member_id;
    const sl_cp_metadata *md;
} sl_assign_member;

/* Leader state kept between rounds (previous assignment, delays, candidates, backoff). */
typedef struct sl_assignor sl_assignor;

/* max_delay_ms: scheduled.rebalance.max.delay.ms. */
sl_assignor *sl_assignor_new(int64_t max_delay_ms);
void sl_assignor_destroy(sl_assignor *a);

/* Highest config offset any member reported (the leader must have read at least this far). */
int64_t sl_assignor_max_offset(const sl_assign_member *members, size_t n);

/*
 * Compute one assignment per member (out[i] belongs to members[i]; the caller clears them with
 * sl_cp_assignment_clear). protocol: SL_CP_EAGER/COMPATIBLE/SESSIONED (the group's chosen one;
 * it is also each assignment's version). If cfg->offset < sl_assignor_max_offset(), every member
 * gets error CONFIG_MISMATCH with that max offset and nothing assigned. generation: the group
 * generation of this round (the incremental assignor resets its memory when it missed one).
 * Returns 0, or -1 on a malformed input (err set).
 */
int sl_assignor_assign(sl_assignor *a, int protocol, const char *leader_id,
                       const char *leader_url, const sl_assign_config *cfg, int32_t generation,
                       const sl_assign_member *members, size_t n, int64_t now_ms,
                       sl_cp_assignment *out, char *err, size_t errlen);

#endif
