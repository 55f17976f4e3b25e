/*
 * kmsg.c — codecs of the group-membership and SASL requests (see kmsg.h). Field layouts follow
 * Kafka's message schema files version by version; every decoder checks that it consumed a
 * well-formed body and never trusts a length from the wire.
 */
#include "kmsg.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* ------------------------------------------------------------- versions */

struct api_range {
    int16_t api, min, max, flex; /* flex: first flexible version, or -1 */
};

/* What this client implements. JoinGroup >= 2 and FindCoordinator >= 1: Kafka 4.0 dropped the
 * older ones; SaslHandshake v1 only (v0 means unframed SASL tokens, which we do not speak). */
static const struct api_range ours[] = {
    {SL_KAPI_FIND_COORDINATOR, 1, 4, 3}, {SL_KAPI_JOIN_GROUP, 2, 9, 6},
    {SL_KAPI_HEARTBEAT, 0, 4, 4},        {SL_KAPI_LEAVE_GROUP, 0, 5, 4},
    {SL_KAPI_SYNC_GROUP, 0, 5, 4},       {SL_KAPI_SASL_HANDSHAKE, 1, 1, -1},
    {SL_KAPI_API_VERSIONS, 0, 3, 3},     {SL_KAPI_SASL_AUTHENTICATE, 0, 2, 2},
};

static const struct api_range *find_range(int16_t api)
{
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        if (ours[i].api == api) {
            return &ours[i];
        }
    }
    return NULL;
}

void sl_kmsg_versions_clear(sl_kapi_versions *v)
{
    for (int i = 0; i < SL_KAPI_MAX; i++) {
        v->min[i] = -1;
        v->max[i] = -1;
    }
}

bool sl_kmsg_our_range(int16_t api, int16_t *min, int16_t *max)
{
    const struct api_range *r = find_range(api);
    if (r == NULL) {
        return false;
    }
    *min = r->min;
    *max = r->max;
    return true;
}

bool sl_kmsg_flexible(int16_t api, int16_t version)
{
    const struct api_range *r = find_range(api);
    return r != NULL && r->flex >= 0 && version >= r->flex;
}

bool sl_kmsg_flexible_resp_header(int16_t api, int16_t version)
{
    return api != SL_KAPI_API_VERSIONS && sl_kmsg_flexible(api, version);
}

int16_t sl_kmsg_pick_version(const sl_kapi_versions *broker, int16_t api)
{
    const struct api_range *r = find_range(api);
    if (r == NULL || api < 0 || api >= SL_KAPI_MAX || broker->max[api] < 0) {
        return -1;
    }
    int16_t hi = broker->max[api] < r->max ? broker->max[api] : r->max;
    int16_t lo = broker->min[api] > r->min ? broker->min[api] : r->min;
    return hi >= lo ? hi : -1;
}

static void begin(sl_buf *b, int16_t api, int16_t ver, int32_t corr, const char *client_id)
{
    sl_kw_req_begin(b, api, ver, corr, client_id, sl_kmsg_flexible(api, ver));
}

/* A decoder's last check: the whole body was well formed. Trailing bytes are tolerated (a newer
 * broker may append fields only within a version we did not ask for, but be lenient). */
static int finish(const sl_kw_reader *r)
{
    return sl_kw_ok(r) ? 0 : -1;
}

/* ------------------------------------------------------------- ApiVersions */

void sl_kmsg_api_versions_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id)
{
    begin(b, SL_KAPI_API_VERSIONS, ver, corr, client_id);
    if (ver >= 3) {
        sl_kw_put_str(b, true, "sluice");
#ifdef SLUICE_VERSION
        sl_kw_put_str(b, true, SLUICE_VERSION);
#else
        sl_kw_put_str(b, true, "0");
#endif
        sl_kw_put_tags(b, true);
    }
    sl_kw_req_end(b);
}

static int read_api_keys(sl_kw_reader *r, bool flex, sl_kapi_versions *out)
{
    int32_t n = sl_kw_get_array_len(r, flex, false, 6);
    for (int32_t i = 0; i < n && sl_kw_ok(r); i++) {
        int16_t key = sl_kw_get_i16(r);
        int16_t min = sl_kw_get_i16(r);
        int16_t max = sl_kw_get_i16(r);
        sl_kw_skip_tags(r, flex);
        if (key >= 0 && key < SL_KAPI_MAX) {
            out->min[key] = min;
            out->max[key] = max;
        }
    }
    return sl_kw_ok(r) ? 0 : -1;
}

int sl_kmsg_api_versions_resp(const void *p, size_t len, int16_t ver, sl_kapi_versions *out,
                              int16_t *err)
{
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    sl_kmsg_versions_clear(out);
    *err = sl_kw_get_i16(&r);
    if (!sl_kw_ok(&r)) {
        return -1;
    }
    if (*err == SL_KERR_UNSUPPORTED_VERSION) {
        /* v0-shaped body; best effort: brokers that shape it otherwise leave out empty and the
         * caller falls back to v0. */
        sl_kw_reader copy = r;
        if (read_api_keys(&copy, false, out) != 0) {
            sl_kmsg_versions_clear(out);
        }
        return 0;
    }
    bool flex = ver >= 3;
    if (read_api_keys(&r, flex, out) != 0) {
        return -1;
    }
    if (ver >= 1) {
        (void)sl_kw_get_i32(&r); /* throttle */
    }
    sl_kw_skip_tags(&r, flex);
    return finish(&r);
}

/* ------------------------------------------------------------- FindCoordinator */

void sl_kmsg_find_coordinator_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                  const char *group_id)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_FIND_COORDINATOR, ver);
    begin(b, SL_KAPI_FIND_COORDINATOR, ver, corr, client_id);
    if (ver >= 4) {
        sl_kw_put_i8(b, 0); /* key_type group */
        sl_kw_put_array_len(b, true, 1);
        sl_kw_put_str(b, true, group_id);
    } else {
        sl_kw_put_str(b, flex, group_id);
        if (ver >= 1) {
            sl_kw_put_i8(b, 0);
        }
    }
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

int sl_kmsg_find_coordinator_resp(const void *p, size_t len, int16_t ver, const char *group_id,
                                  sl_kmsg_coord *out)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_FIND_COORDINATOR, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    memset(out, 0, sizeof *out);
    if (ver >= 1) {
        (void)sl_kw_get_i32(&r); /* throttle */
    }
    if (ver < 4) {
        out->err = sl_kw_get_i16(&r);
        if (ver >= 1) {
            sl_kw_str_copy(sl_kw_get_str(&r, flex, true), out->err_msg, sizeof out->err_msg);
        }
        out->node_id = sl_kw_get_i32(&r);
        /* null host: librdkafka's mock on errors (the schema says non-null) */
        sl_kw_str host = sl_kw_get_str(&r, flex, true);
        sl_kw_str_copy(host, out->host, sizeof out->host);
        out->port = sl_kw_get_i32(&r);
        sl_kw_skip_tags(&r, flex);
        return finish(&r) != 0 || (out->err == 0 && host.ptr == NULL) ? -1 : 0;
    }
    int32_t n = sl_kw_get_array_len(&r, true, false, 15);
    bool found = false;
    for (int32_t i = 0; i < n && sl_kw_ok(&r); i++) {
        sl_kmsg_coord c;
        memset(&c, 0, sizeof c);
        sl_kw_str key = sl_kw_get_str(&r, true, false);
        c.node_id = sl_kw_get_i32(&r);
        sl_kw_str_copy(sl_kw_get_str(&r, true, false), c.host, sizeof c.host);
        c.port = sl_kw_get_i32(&r);
        c.err = sl_kw_get_i16(&r);
        sl_kw_str_copy(sl_kw_get_str(&r, true, true), c.err_msg, sizeof c.err_msg);
        sl_kw_skip_tags(&r, true);
        bool match =
            key.ptr && strlen(group_id) == key.len && memcmp(key.ptr, group_id, key.len) == 0;
        if (sl_kw_ok(&r) && (match || (n == 1 && !found))) {
            *out = c;
            found = true;
        }
    }
    sl_kw_skip_tags(&r, true);
    if (finish(&r) != 0 || !found) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- JoinGroup */

void sl_kmsg_join_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                            const sl_kmsg_join_req *j)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_JOIN_GROUP, ver);
    begin(b, SL_KAPI_JOIN_GROUP, ver, corr, client_id);
    sl_kw_put_str(b, flex, j->group_id);
    sl_kw_put_i32(b, j->session_timeout_ms);
    if (ver >= 1) {
        sl_kw_put_i32(b, j->rebalance_timeout_ms);
    }
    sl_kw_put_str(b, flex, j->member_id ? j->member_id : "");
    if (ver >= 5) {
        sl_kw_put_str(b, flex, NULL); /* group_instance_id: Connect never uses static membership */
    }
    sl_kw_put_str(b, flex, j->protocol_type);
    sl_kw_put_array_len(b, flex, (int32_t)j->n_protocols);
    for (size_t i = 0; i < j->n_protocols; i++) {
        sl_kw_put_str(b, flex, j->protocols[i].name);
        sl_kw_put_bytes(b, flex, j->protocols[i].metadata ? j->protocols[i].metadata : "",
                        j->protocols[i].len);
        sl_kw_put_tags(b, flex);
    }
    if (ver >= 8) {
        sl_kw_put_str(b, flex, j->reason);
    }
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

void sl_kmsg_join_resp_free(sl_kmsg_join_resp *r)
{
    if (r == NULL) {
        return;
    }
    free(r->protocol_type);
    free(r->protocol_name);
    free(r->leader);
    free(r->member_id);
    for (size_t i = 0; i < r->n_members; i++) {
        free(r->members[i].member_id);
        free(r->members[i].metadata);
    }
    free(r->members);
    memset(r, 0, sizeof *r);
}

int sl_kmsg_join_group_resp(const void *p, size_t len, int16_t ver, sl_kmsg_join_resp *out)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_JOIN_GROUP, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    memset(out, 0, sizeof *out);
    if (ver >= 2) {
        (void)sl_kw_get_i32(&r);
    }
    out->err = sl_kw_get_i16(&r);
    out->generation = sl_kw_get_i32(&r);
    if (ver >= 7) {
        out->protocol_type = sl_kw_str_dup(sl_kw_get_str(&r, flex, true));
    }
    /* Non-nullable before v7 in the schema, but librdkafka's mock answers errors with null
     * protocol, leader and member id: accept null, and require them only on success. */
    out->protocol_name = sl_kw_str_dup(sl_kw_get_str(&r, flex, true));
    out->leader = sl_kw_str_dup(sl_kw_get_str(&r, flex, true));
    if (ver >= 9) {
        out->skip_assignment = sl_kw_get_i8(&r) != 0;
    }
    out->member_id = sl_kw_str_dup(sl_kw_get_str(&r, flex, true));
    /* smallest member: empty id + (v5+ null instance id) + empty metadata */
    int32_t n = sl_kw_get_array_len(&r, flex, false, flex ? 3 : 6);
    if (sl_kw_ok(&r) && n > 0) {
        out->members = sl_xcalloc((size_t)n, sizeof *out->members);
    }
    for (int32_t i = 0; i < n && sl_kw_ok(&r); i++) {
        sl_kmsg_join_member *m = &out->members[i];
        m->member_id = sl_kw_str_dup(sl_kw_get_str(&r, flex, false));
        out->n_members = (size_t)i + 1;
        if (ver >= 5) {
            (void)sl_kw_get_str(&r, flex, true);
        }
        sl_kw_str md = sl_kw_get_bytes(&r, flex, false);
        if (sl_kw_ok(&r)) {
            m->metadata = sl_xmalloc(md.len ? md.len : 1);
            if (md.len > 0) {
                memcpy(m->metadata, md.ptr, md.len);
            }
            m->len = md.len;
        }
        sl_kw_skip_tags(&r, flex);
    }
    sl_kw_skip_tags(&r, flex);
    if (finish(&r) != 0 || (out->err == 0 && (out->leader == NULL || out->member_id == NULL ||
                                              (ver < 7 && out->protocol_name == NULL)))) {
        sl_kmsg_join_resp_free(out);
        return -1;
    }
    if (out->leader == NULL) {
        out->leader = sl_xstrdup("");
    }
    if (out->member_id == NULL) {
        out->member_id = sl_xstrdup("");
    }
    return 0;
}

/* ------------------------------------------------------------- SyncGroup */

void sl_kmsg_sync_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                            const sl_kmsg_sync_req *s)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_SYNC_GROUP, ver);
    begin(b, SL_KAPI_SYNC_GROUP, ver, corr, client_id);
    sl_kw_put_str(b, flex, s->group_id);
    sl_kw_put_i32(b, s->generation);
    sl_kw_put_str(b, flex, s->member_id);
    if (ver >= 3) {
        sl_kw_put_str(b, flex, NULL);
    }
    if (ver >= 5) {
        sl_kw_put_str(b, flex, s->protocol_type);
        sl_kw_put_str(b, flex, s->protocol_name);
    }
    sl_kw_put_array_len(b, flex, (int32_t)s->n_assignments);
    for (size_t i = 0; i < s->n_assignments; i++) {
        sl_kw_put_str(b, flex, s->assignments[i].member_id);
        sl_kw_put_bytes(b, flex, s->assignments[i].data ? s->assignments[i].data : "",
                        s->assignments[i].len);
        sl_kw_put_tags(b, flex);
    }
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

int sl_kmsg_sync_group_resp(const void *p, size_t len, int16_t ver, sl_kmsg_sync_resp *out)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_SYNC_GROUP, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    memset(out, 0, sizeof *out);
    if (ver >= 1) {
        (void)sl_kw_get_i32(&r);
    }
    out->err = sl_kw_get_i16(&r);
    if (ver >= 5) {
        (void)sl_kw_get_str(&r, flex, true);
        (void)sl_kw_get_str(&r, flex, true);
    }
    /* non-nullable in the schema, but librdkafka's mock sends null with errors */
    out->assignment = sl_kw_get_bytes(&r, flex, true);
    sl_kw_skip_tags(&r, flex);
    return finish(&r);
}

/* ------------------------------------------------------------- Heartbeat, LeaveGroup */

void sl_kmsg_heartbeat_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                           const char *group_id, int32_t generation, const char *member_id)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_HEARTBEAT, ver);
    begin(b, SL_KAPI_HEARTBEAT, ver, corr, client_id);
    sl_kw_put_str(b, flex, group_id);
    sl_kw_put_i32(b, generation);
    sl_kw_put_str(b, flex, member_id);
    if (ver >= 3) {
        sl_kw_put_str(b, flex, NULL);
    }
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

int sl_kmsg_heartbeat_resp(const void *p, size_t len, int16_t ver, int16_t *err)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_HEARTBEAT, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    if (ver >= 1) {
        (void)sl_kw_get_i32(&r);
    }
    *err = sl_kw_get_i16(&r);
    sl_kw_skip_tags(&r, flex);
    return finish(&r);
}

void sl_kmsg_leave_group_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                             const char *group_id, const char *member_id, const char *reason)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_LEAVE_GROUP, ver);
    begin(b, SL_KAPI_LEAVE_GROUP, ver, corr, client_id);
    sl_kw_put_str(b, flex, group_id);
    if (ver < 3) {
        sl_kw_put_str(b, flex, member_id);
    } else {
        sl_kw_put_array_len(b, flex, 1);
        sl_kw_put_str(b, flex, member_id);
        sl_kw_put_str(b, flex, NULL);
        if (ver >= 5) {
            sl_kw_put_str(b, flex, reason);
        }
        sl_kw_put_tags(b, flex);
    }
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

int sl_kmsg_leave_group_resp(const void *p, size_t len, int16_t ver, int16_t *err)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_LEAVE_GROUP, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    if (ver >= 1) {
        (void)sl_kw_get_i32(&r);
    }
    *err = sl_kw_get_i16(&r);
    if (ver >= 3) {
        int32_t n = sl_kw_get_array_len(&r, flex, false, flex ? 4 : 6);
        for (int32_t i = 0; i < n && sl_kw_ok(&r); i++) {
            (void)sl_kw_get_str(&r, flex, false);
            (void)sl_kw_get_str(&r, flex, true);
            int16_t merr = sl_kw_get_i16(&r);
            sl_kw_skip_tags(&r, flex);
            if (*err == 0 && merr != 0) {
                *err = merr;
            }
        }
    }
    sl_kw_skip_tags(&r, flex);
    return finish(&r);
}

/* ------------------------------------------------------------- SASL */

void sl_kmsg_sasl_handshake_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                const char *mechanism)
{
    begin(b, SL_KAPI_SASL_HANDSHAKE, ver, corr, client_id);
    sl_kw_put_str(b, false, mechanism);
    sl_kw_req_end(b);
}

int sl_kmsg_sasl_handshake_resp(const void *p, size_t len, int16_t ver, int16_t *err, char *mechs,
                                size_t mechslen)
{
    (void)ver;
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    *err = sl_kw_get_i16(&r);
    int32_t n = sl_kw_get_array_len(&r, false, false, 2);
    size_t used = 0;
    if (mechs != NULL && mechslen > 0) {
        mechs[0] = '\0';
    }
    for (int32_t i = 0; i < n && sl_kw_ok(&r); i++) {
        sl_kw_str m = sl_kw_get_str(&r, false, false);
        if (mechs != NULL && sl_kw_ok(&r) && used + m.len + 2 < mechslen) {
            if (used > 0) {
                mechs[used++] = ',';
            }
            memcpy(mechs + used, m.ptr, m.len);
            used += m.len;
            mechs[used] = '\0';
        }
    }
    return finish(&r);
}

void sl_kmsg_sasl_authenticate_req(sl_buf *b, int16_t ver, int32_t corr, const char *client_id,
                                   const void *auth, size_t len)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_SASL_AUTHENTICATE, ver);
    begin(b, SL_KAPI_SASL_AUTHENTICATE, ver, corr, client_id);
    sl_kw_put_bytes(b, flex, auth ? auth : "", len);
    sl_kw_put_tags(b, flex);
    sl_kw_req_end(b);
}

int sl_kmsg_sasl_authenticate_resp(const void *p, size_t len, int16_t ver,
                                   sl_kmsg_sasl_auth_resp *out)
{
    bool flex = sl_kmsg_flexible(SL_KAPI_SASL_AUTHENTICATE, ver);
    sl_kw_reader r;
    sl_kw_reader_init(&r, p, len);
    memset(out, 0, sizeof *out);
    out->err = sl_kw_get_i16(&r);
    sl_kw_str_copy(sl_kw_get_str(&r, flex, true), out->err_msg, sizeof out->err_msg);
    out->auth = sl_kw_get_bytes(&r, flex, false);
    if (ver >= 1) {
        (void)sl_kw_get_i64(&r); /* session_lifetime_ms: re-authentication is not implemented */
    }
    sl_kw_skip_tags(&r, flex);
    return finish(&r);
}
