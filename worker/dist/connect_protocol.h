/*
 * connect_protocol.h — the `connect` group subprotocol: worker member metadata (JoinGroup) and
 * assignments (SyncGroup), byte for byte as Java's ConnectProtocol / IncrementalCooperative
 * ConnectProtocol write them (shared/reference/connect-internals.md §4.3–4.5).
 *
 * Pure code: no I/O, no globals. Decoders never trust lengths: every read is bounds-checked and
 * a short or malformed buffer is an error with a readable message, never a crash.
 */
#ifndef SL_DIST_CONNECT_PROTOCOL_H
#define SL_DIST_CONNECT_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Subprotocol versions; the JoinGroup protocol names are "default", "compatible", "sessioned". */
enum sl_cp_version {
    SL_CP_EAGER = 0,      /* "default" */
    SL_CP_COMPATIBLE = 1, /* "compatible" */
    SL_CP_SESSIONED = 2,  /* "sessioned" */
};

#define SL_CP_NO_ERROR        0
#define SL_CP_CONFIG_MISMATCH 1

/* "default" / "compatible" / "sessioned"; NULL for other values. */
const char *sl_cp_protocol_name(int version);
/* Inverse of the above; -1 for unknown names. */
int sl_cp_protocol_version(const char *name);

/* One connector's share: the connector instance itself (Java's task id -1) and/or task ids. */
typedef struct sl_cp_conn {
    char *connector;
    bool instance;  /* -1 present: this member runs the Connector instance */
    int32_t *tasks; /* task ids >= 0, ascending */
    size_t ntasks;
} sl_cp_conn;

/* A set of connectors/tasks (an assignment, a revocation, an allocation). */
typedef struct sl_cp_set {
    sl_cp_conn *conns;
    size_t n;
} sl_cp_set;

typedef struct sl_cp_assignment {
    int16_t version; /* 0, 1, 2 */
    int16_t error;   /* SL_CP_NO_ERROR or SL_CP_CONFIG_MISMATCH */
    char *leader;    /* leader's member id */
    char *leader_url;
    int64_t config_offset;
    sl_cp_set assigned; /* V0: the full set; V1/V2: newly assigned only */
    sl_cp_set revoked;  /* V1/V2 only */
    int32_t delay_ms;   /* V1/V2 only */
} sl_cp_assignment;

typedef struct sl_cp_metadata {
    int16_t version; /* 0, 1, 2 */
    char *url;       /* advertised REST URL, e.g. "http://10.0.0.5:8083/" */
    int64_t config_offset;
    /* V1/V2: everything the worker runs now, as a complete assignment (its version field equals
     * `version`); NULL when absent/null. */
    sl_cp_assignment *allocation;
} sl_cp_metadata;

/* Set helpers (the set owns its strings and arrays; `connector` is copied). A set keeps its
 * connectors sorted by strcmp and each task list ascending, without duplicates, so equal sets
 * have equal structs and encode to equal bytes; a connector with neither instance nor tasks is
 * dropped. Task ids below -1 are ignored by add. Sets that add/remove touch must start zeroed
 * and grow only through these helpers (their arrays have power-of-two capacity); the encoders
 * accept any hand-built set. */
void sl_cp_set_add(sl_cp_set *s, const char *connector, int32_t task);    /* task -1 = instance */
void sl_cp_set_remove(sl_cp_set *s, const char *connector, int32_t task); /* absent: no-op */
bool sl_cp_set_has(const sl_cp_set *s, const char *connector, int32_t task);
size_t sl_cp_set_count(const sl_cp_set *s); /* instances + tasks */
void sl_cp_set_clear(sl_cp_set *s);
void sl_cp_set_copy(sl_cp_set *dst, const sl_cp_set *src);       /* dst cleared first */
void sl_cp_set_add_all(sl_cp_set *dst, const sl_cp_set *src);    /* dst = dst + src */
void sl_cp_set_remove_all(sl_cp_set *dst, const sl_cp_set *src); /* dst = dst - src */

/* Encode appends to out. Assignment V0 omits revoked/delay; V1/V2 write them. A NULL string is
 * written as "". The metadata's allocation is written with the metadata's version, whatever its
 * own version field says. Returns 0, or -1 with out untouched when a string is longer than
 * 32767 bytes (a STRING cannot carry it; Java throws there too). */
int sl_cp_metadata_encode(const sl_cp_metadata *m, sl_buf *out);
int sl_cp_assignment_encode(const sl_cp_assignment *a, sl_buf *out);
/* Decode into *m / *a (zeroed first; on error they are left cleared). Like Java, every version is
 * read with the V1 reader: missing trailing fields default (null arrays = empty, delay 0), so a
 * V0 assignment decodes with version 0; a field cut in the middle, a negative string length or
 * array count below -1, a task id below -1 or a NUL inside a string is an error. Versions above
 * 2 are read with the V2 layout (Java does the same); trailing bytes are ignored. Returns 0, or
 * -1 with err set to a readable message naming the field. */
int sl_cp_metadata_decode(const void *p, size_t n, sl_cp_metadata *m, char *err, size_t errlen);
int sl_cp_assignment_decode(const void *p, size_t n, sl_cp_assignment *a, char *err, size_t errlen);
void sl_cp_metadata_clear(sl_cp_metadata *m);
void sl_cp_assignment_clear(sl_cp_assignment *a);

#endif
