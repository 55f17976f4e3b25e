/*
 * kmsg.h — encoders and decoders of the Kafka requests the group client sends (ApiVersions,
 * FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, SaslHandshake, SaslAuthenticate)
 * for every version this client implements, and the version negotiation rule.
 * Encoders write a whole frame (size, request header, body). Decoders read a response *body*
 * (the header already consumed by sl_kw_get_resp_header) and return -1 on malformed input.
 * Pure functions: no I/O, no locks.
 */
#ifndef SL_DIST_KMSG_H
#define SL_DIST_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist/kwire.h"
#include "util/buf.h"

enum {
    SL_KAPI_FIND_COORDINATOR = 10,
    SL_KAPI_JOIN_GROUP = 11,
    SL_KAPI_HEARTBEAT = 12,
    SL_KAPI_LEAVE_GROUP = 13,
    SL_KAPI_SYNC_GROUP = 14,
    SL_KAPI_SASL_HANDSHAKE = 17,
    SL_KAPI_API_VERSIONS = 18,
    SL_KAPI_SASL_AUTHENTICATE = 36,
    SL_KAPI_MAX = 128 /* table size for broker ranges */
};

/* Kafka error codes the group client acts on. */
enum {
    SL_KERR_NONE = 0,
    SL_KERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
    SL_KERR_COORDINATOR_NOT_AVAILABLE = 15,
    SL_KERR_NOT_COORDINATOR = 16,
    SL_KERR_ILLEGAL_GENERATION = 22,
    SL_KERR_INCONSISTENT_GROUP_PROTOCOL = 23,
    SL_KERR_INVALID_GROUP_ID = 24,
    SL_KERR_UNKNOWN_MEMBER_ID = 25,
    SL_KERR_INVALID_SESSION_TIMEOUT = 26,
    SL_KERR_REBALANCE_IN_PROGRESS = 27,
    SL_KERR_GROUP_AUTHORIZATION_FAILED = 30,
    SL_KERR_UNSUPPORTED_SASL_MECHANISM = 33,
    SL_KERR_UNSUPPORTED_VERSION = 35,
    SL_KERR_SASL_AUTHENTICATION_FAILED = 58,
    SL_KERR_MEMBER_ID_REQUIRED = 79,
    SL_KERR_GROUP_MAX_SIZE_REACHED = 81,
};

/* ------------------------------------------------------------- versions */

/* The broker's ranges from ApiVersions; min = max = -1 for an API it does not list. */
typedef struct sl_kapi_versions {
    int16_t min[SL_KAPI_MAX];
    int16_t max[SL_KAPI_MAX];
} sl_kapi_versions;

void sl_kmsg_versions_clear(sl_kapi_versions *v);
/* The range this client implements for api; false when it implements none. */
bool sl_kmsg_our_range(int16_t api, int16_t *min, int16_t *max);
/* Whether request/response bodies of (api, version) use the flexible encoding. */
bool sl_kmsg_flexible(int16_t api, int16_t version);
/* Whether the response header of (api, version) is v1 (ApiVersions: never). */
bool sl_kmsg_flexible_resp_header(int16_t api, int16_t version);
/* Highest version both sides support, or -1. */
int16_t sl_kmsg_pick_version(const sl_kapi_versions *broker, int16_t api);

/* ------------------------------------------------------------- ApiVersions (18) */

void sl_kmsg_api_versions_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id);
/* Fills *out (cleared first) and *err. On UNSUPPORTED_VERSION the body is v0-shaped whatever
 * ver was; the decoder reads it as such and still fills the broker's ApiVersions range. */
int sl_kmsg_api_versions_resp(const void *p, size_t len, int16_t ver, sl_kapi_versions *out,
                              int16_t *err);

/* ------------------------------------------------------------- FindCoordinator (10) */

typedef struct sl_kmsg_coord {
    int16_t err;
    char err_msg[256];
    int32_t node_id;
    char host[256];
    int32_t port;
} sl_kmsg_coord;

void sl_kmsg_find_coordinator_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                  const char *group_id);
/* v4+: the entry whose key is group_id (or the only entry). */
int sl_kmsg_find_coordinator_resp(const void *p, size_t len, int16_t ver, const char *group_id,
                                  sl_kmsg_coord *out);

/* ------------------------------------------------------------- JoinGroup (11) */

typedef struct sl_kmsg_proto {
    const char *name;
    const void *metadata;
    size_t len;
} sl_kmsg_proto;

typedef struct sl_kmsg_join_req {
    const char *group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    const char *member_id; /* "" on a first join */
    const char *protocol_type;
    const sl_kmsg_proto *protocols;
    size_t n_protocols;
    const char *reason; /* v8+; may be NULL */
} sl_kmsg_join_req;

typedef struct sl_kmsg_join_member {
    char *member_id;
    void *metadata;
    size_t len;
} sl_kmsg_join_member;

/* Owned strings/arrays; free with sl_kmsg_join_resp_free. */
typedef struct sl_kmsg_join_resp {
    int16_t err;
    int32_t generation;
    char *protocol_type; /* v7+; NULL otherwise or when null */
    char *protocol_name; /* NULL when null (v7+ on error) */
    char *leader;
    bool skip_assignment; /* v9 */
    char *member_id;
    sl_kmsg_join_member *members;
    size_t n_members;
} sl_kmsg_join_resp;

void sl_kmsg_join_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                            const sl_kmsg_join_req *j);
int sl_kmsg_join_group_resp(const void *p, size_t len, int16_t ver, sl_kmsg_join_resp *out);
void sl_kmsg_join_resp_free(sl_kmsg_join_resp *r);

/* ------------------------------------------------------------- SyncGroup (14) */

typedef struct sl_kmsg_assignment {
    const char *member_id;
    const void *data;
    size_t len;
} sl_kmsg_assignment;

typedef struct sl_kmsg_sync_req {
    const char *group_id;
    int32_t generation;
    const char *member_id;
    const char *protocol_type; /* v5+ */
    const char *protocol_name; /* v5+ */
    const sl_kmsg_assignment *assignments;
    size_t n_assignments;
} sl_kmsg_sync_req;

typedef struct sl_kmsg_sync_resp {
    int16_t err;
    sl_kw_str assignment; /* borrowed from the response buffer; ptr NULL when null */
} sl_kmsg_sync_resp;

void sl_kmsg_sync_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                            const sl_kmsg_sync_req *s);
int sl_kmsg_sync_group_resp(const void *p, size_t len, int16_t ver, sl_kmsg_sync_resp *out);

/* ------------------------------------------------------------- Heartbeat (12), LeaveGroup (13) */

void sl_kmsg_heartbeat_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                           const char *group_id, int32_t generation, const char *member_id);
int sl_kmsg_heartbeat_resp(const void *p, size_t len, int16_t ver, int16_t *err);

void sl_kmsg_leave_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                             const char *group_id, const char *member_id, const char *reason);
int sl_kmsg_leave_group_resp(const void *p, size_t len, int16_t ver, int16_t *err);

/* ------------------------------------------------------------- SASL (17, 36) */

void sl_kmsg_sasl_handshake_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                const char *mechanism);
/* mechs (may be NULL) receives the broker's enabled mechanisms, comma-separated. */
int sl_kmsg_sasl_handshake_resp(const void *p, size_t len, int16_t ver, int16_t *err, char *mechs,
                                size_t mechslen);

void sl_kmsg_sasl_authenticate_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                   const void *auth, size_t len);
typedef struct sl_kmsg_sasl_auth_resp {
    int16_t err;
    char err_msg[256];
    sl_kw_str auth; /* borrowed */
} sl_kmsg_sasl_auth_resp;
int sl_kmsg_sasl_authenticate_resp(const void *p, size_t len, int16_t ver,
                                   sl_kmsg_sasl_auth_resp *out);

#endif
