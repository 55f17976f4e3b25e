/*
 * redis_sink.c — redis_sink.so: mirrors each source row into Redis (hash, string, stream, set or
 * sorted set), Debezium envelopes and unwrapped rows natively, deletes included, exactly once: a
 * batch's commands and the Kafka offsets they cover go in one MULTI/EXEC, offsets in the hash
 * `sluice:offsets:<connector>` (field `<topic>/<partition>`, value the next offset). Answers to
 * the class names of the Redis Inc and jcustenborder sinks and their keys where they map.
 * Each task has one connection, driven by its own I/O thread so Redis executes batch N while the
 * host decodes N+1. It must never allocate per record (two RESP buffers per task, reused) nor use
 * jansson.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/common/cdc.h"
#include "rs_conn.h"
#include "rs_util.h"
#include "sluice/plugin.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

enum rs_type { RS_HASH = 1, RS_STRING, RS_STREAM, RS_SET, RS_ZSET };

/* Keys of the whole-table delete (truncate) script: every key matching ARGV[1] but ARGV[2]. */
static const char TRUNCATE_LUA[] =
    "local cur = '0' local n = 0 "
    "repeat "
    "local r = redis.call('SCAN', cur, 'MATCH', ARGV[1], 'COUNT', 1000) "
    "cur = r[1] "
    "for _, k in ipairs(r[2]) do "
    "if k ~= ARGV[2] then redis.call('DEL', k) n = n + 1 end "
    "end "
    "until cur == '0' "
    "return n";

/* String mode, a row with TOAST placeholders: ARGV[1] is the new JSON, ARGV[2] the placeholder as
 * a JSON string, then pairs (column, column as JSON string). Each `"col":"<placeholder>"` is
 * replaced by the stored JSON's value of that column (null when nothing is stored). */
static const char TOAST_STRING_LUA[] =
    "local new = ARGV[1] "
    "local old = redis.call('GET', KEYS[1]) "
    "local o = nil "
    "if old then local ok, d = pcall(cjson.decode, old) if ok and type(d) == 'table' then o = d "
    "end end "
    "for i = 3, #ARGV, 2 do "
    "local needle = ARGV[i + 1] .. ':' .. ARGV[2] "
    "local s, e = string.find(new, needle, 1, true) "
    "if s then "
    "local rep = 'null' "
    "if o ~= nil and o[ARGV[i]] ~= nil then rep = cjson.encode(o[ARGV[i]]) end "
    "new = string.sub(new, 1, s - 1) .. ARGV[i + 1] .. ':' .. rep .. string.sub(new, e + 1) "
    "end "
    "end "
    "redis.call('SET', KEYS[1], new) "
    "return 1";

/* ---- settings ---- */

struct rs_settings {
    rs_endpoint ep;
    int connect_timeout_ms;
    int command_timeout_ms;
    int64_t backoff_ms;
    int64_t backoff_max_ms;
    int type;
    rs_tpl key_tpl;    /* the row's key (hash, string) or the collection's key */
    rs_tpl member_tpl; /* set / sorted set member */
    const char *separator;
    size_t n_key_fields;
    const char **key_fields; /* redis.key.fields, borrowed (object) from the config */
    int64_t ttl;
    int64_t stream_maxlen;
    int stream_approx;
    const char *score_field;
    int truncate_delete;
    sl_cdc_opts cdc;
    char *offsets_key;
    int64_t wait_replicas;
    int64_t wait_timeout_ms;
};

/* Where parse_settings() reports: validation errors/warnings, or the first error for create. */
struct rs_report {
    sluice_validation *v; /* NULL in create */
    sluice_ctx *ctx;
    int errors;
    char first[512];
};

static void report_error(struct rs_report *r, const char *key, const char *msg)
{
    if (r->errors++ == 0) {
        snprintf(r->first, sizeof(r->first), "%s: %s", key, msg);
    }
    if (r->v != NULL) {
        sluice_host->validation_error(r->v, key, "%s", msg);
    }
}

static void report_warning(struct rs_report *r, const char *key, const char *msg)
{
    if (r->v != NULL && SLUICE_HOST_HAS(sluice_host, validation_warning)) {
        sluice_host->validation_warning(r->v, key, "%s", msg);
    } else if (r->ctx != NULL) {
        SLUICE_WARN(r->ctx, "%s: %s", key, msg);
    }
}

static const char NO_TLS[] =
    "TLS is not available: this sluice is built with hiredis 0.14, which has no TLS support "
    "(hiredis >= 1.0 is needed). Use a local TLS tunnel (stunnel, spiped) or a unix socket";

static int parse_type(const char *s, struct rs_report *rep)
{
    static const struct {
        const char *name;
        int type;
    } types[] = {{"HASH", RS_HASH},      {"STRING", RS_STRING},  {"STREAM", RS_STREAM},
                 {"SET", RS_SET},        {"ZSET", RS_ZSET},      {"SORTED_SET", RS_ZSET},
                 {"SORTEDSET", RS_ZSET}, {"SORTED SET", RS_ZSET}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(s, types[i].name) == 0) {
            return types[i].type;
        }
    }
    char msg[300];
    if (strcasecmp(s, "JSON") == 0) {
        snprintf(msg, sizeof(msg),
                 "JSON (RedisJSON's JSON.SET) is not supported; STRING stores "
                 "each row as a JSON string with plain SET");
    } else if (strcasecmp(s, "LIST") == 0) {
        snprintf(msg, sizeof(msg),
                 "LIST is not supported: a list cannot update or delete one "
                 "row's entry; use SET, ZSET or STREAM");
    } else if (strcasecmp(s, "TIMESERIES") == 0) {
        snprintf(msg, sizeof(msg), "TIMESERIES (the RedisTimeSeries module) is not supported");
    } else {
        snprintf(msg, sizeof(msg),
                 "unknown data type '%s': expected HASH, STRING, STREAM, SET or ZSET", s);
    }
    report_error(rep, "redis.type", msg);
    return 0;
}

static int parse_host_port(const char *s, rs_endpoint *ep)
{
    const char *colon = strrchr(s, ':');
    size_t hn = colon ? (size_t)(colon - s) : strlen(s);
    if (hn == 0 || hn >= sizeof(ep->host)) {
        return -1;
    }
    memcpy(ep->host, s, hn);
    ep->host[hn] = '\0';
    if (colon != NULL) {
        char *end = NULL;
        errno = 0;
        long p = strtol(colon + 1, &end, 10);
        if (errno != 0 || *end != '\0' || p <= 0 || p > 65535) {
            return -1;
        }
        ep->port = (int)p;
    }
    return 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

static void parse_endpoint(const sluice_config *cfg, struct rs_settings *s, struct rs_report *rep)
{
    const struct sluice_host_api *h = sluice_host;
    const char *uri = h->cfg_string(cfg, "redis.uri");
    char err[300];
    memset(&s->ep, 0, sizeof(s->ep));
    s->ep.db = -1;
    s->ep.port = 6379;
    if (uri != NULL && uri[0] != '\0') {
        if (rs_uri_parse(uri, &s->ep, err, sizeof(err)) != 0) {
            report_error(rep, "redis.uri", err);
            return;
        }
        if (s->ep.tls) {
            report_error(rep, "redis.uri", NO_TLS);
        }
    } else if (h->cfg_list_len(cfg, "redis.hosts") > 0) {
        if (h->cfg_list_len(cfg, "redis.hosts") > 1) {
            report_error(rep, "redis.hosts",
                         "more than one host means Redis Cluster, which is not supported "
                         "(MULTI/EXEC cannot span nodes)");
            return;
        }
        if (parse_host_port(h->cfg_list_at(cfg, "redis.hosts", 0), &s->ep) != 0) {
            report_error(rep, "redis.hosts", "expected host:port");
        }
    } else {
        const char *host = h->cfg_string(cfg, "redis.host");
        copy_str(s->ep.host, sizeof(s->ep.host), host ? host : "localhost");
        s->ep.port = (int)h->cfg_long(cfg, "redis.port");
    }
    const char *user = h->cfg_string(cfg, "redis.username");
    const char *pass = h->cfg_string(cfg, "redis.password");
    if (user != NULL && user[0] != '\0') {
        copy_str(s->ep.user, sizeof(s->ep.user), user);
    }
    if (pass != NULL && pass[0] != '\0') {
        copy_str(s->ep.pass, sizeof(s->ep.pass), pass);
    }
    if (s->ep.user[0] != '\0' && s->ep.pass[0] == '\0') {
        report_error(rep, "redis.username", "an ACL user needs redis.password too");
    }
    if (h->cfg_string(cfg, "redis.database") != NULL) {
        int64_t db = h->cfg_long(cfg, "redis.database");
        if (db >= 0 && (uri == NULL || uri[0] == '\0' || s->ep.db < 0)) {
            s->ep.db = (int)db;
        }
    }
}

static void check_unsupported(const sluice_config *cfg, struct rs_report *rep)
{
    const struct sluice_host_api *h = sluice_host;
    static const char *const tls_keys[] = {"redis.insecure",
                                           "redis.cacert",
                                           "redis.key.file",
                                           "redis.key.cert",
                                           "redis.key.password",
                                           "redis.ssl.provider",
                                           NULL};
    if (h->cfg_bool(cfg, "redis.tls") || h->cfg_bool(cfg, "redis.ssl.enabled")) {
        report_error(rep, h->cfg_bool(cfg, "redis.tls") ? "redis.tls" : "redis.ssl.enabled",
                     NO_TLS);
    }
    for (size_t i = 0; tls_keys[i] != NULL; i++) {
        if (h->cfg_is_set(cfg, tls_keys[i])) {
            report_warning(rep, tls_keys[i], "ignored: TLS is not available with hiredis 0.14");
        }
    }
    if (h->cfg_bool(cfg, "redis.cluster")) {
        report_error(rep, "redis.cluster",
                     "Redis Cluster is not supported: the exactly-once MULTI/EXEC of a batch and "
                     "its offsets needs every key on one node");
    }
    const char *mode = h->cfg_string(cfg, "redis.client.mode");
    if (mode != NULL && strcasecmp(mode, "Standalone") != 0) {
        report_error(rep, "redis.client.mode",
                     "only Standalone is supported (Cluster cannot run one MULTI/EXEC per batch)");
    }
    if (h->cfg_is_set(cfg, "redis.multiexec") && !h->cfg_bool(cfg, "redis.multiexec")) {
        report_warning(rep, "redis.multiexec",
                       "ignored: sluice always writes a batch and its offsets in one MULTI/EXEC");
    }
    if (h->cfg_is_set(cfg, "redis.auto.reconnect.enabled") &&
        !h->cfg_bool(cfg, "redis.auto.reconnect.enabled")) {
        report_warning(rep, "redis.auto.reconnect.enabled",
                       "ignored: the sink always reconnects, retrying the batch");
    }
    static const char *const ignored[] = {"redis.pool", "redis.request.queue.size",
                                          "redis.socket.tcp.no.delay.enabled",
                                          "redis.socket.keep.alive.enabled", NULL};
    for (size_t i = 0; ignored[i] != NULL; i++) {
        if (h->cfg_is_set(cfg, ignored[i])) {
            report_warning(rep, ignored[i],
                           "ignored: one pipelined connection per task, TCP_NODELAY and "
                           "keep-alive always on");
        }
    }
    const char *cs = h->cfg_string(cfg, "redis.charset");
    if (cs != NULL && strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "UTF8") != 0) {
        report_error(rep, "redis.charset", "only UTF-8 is supported: text is written as it comes");
    }
}

static void parse_templates(const sluice_config *cfg, struct rs_settings *s, struct rs_report *rep)
{
    const struct sluice_host_api *h = sluice_host;
    const char *tpl = h->cfg_string(cfg, "redis.key.template");
    const char *keyspace = h->cfg_string(cfg, "redis.keyspace");
    rs_buf text = {0};
    const char *key = "redis.key.template";
    int collection = s->type == RS_SET || s->type == RS_ZSET || s->type == RS_STREAM;
    if (tpl != NULL && tpl[0] != '\0') {
        rs_buf_puts(&text, tpl);
    } else {
        key = "redis.keyspace";
        if (keyspace != NULL) {
            rs_buf_puts(&text, keyspace);
        }
        if (!collection) {
            if (text.len > 0) {
                rs_buf_puts(&text, s->separator);
            }
            rs_buf_puts(&text, "${key}");
        } else if (text.len == 0) {
            report_error(rep, key,
                         "SET, ZSET and STREAM need a collection key: set redis.keyspace or "
                         "redis.key.template (e.g. ${table})");
            rs_buf_free(&text);
            return;
        }
    }
    char err[200];
    if (rs_tpl_parse(text.p, &s->key_tpl, err, sizeof(err)) != 0) {
        report_error(rep, key, err);
    } else if (!collection && !rs_tpl_per_row(&s->key_tpl)) {
        report_error(rep, key,
                     "the key must contain ${key} or a column (${id}): otherwise every row "
                     "writes the same key");
    } else if (collection && rs_tpl_per_row(&s->key_tpl)) {
        report_error(rep, key,
                     "a SET/ZSET/STREAM key must not depend on the row (${key} or a column): a "
                     "changed row would leave its old member behind; use ${topic}, ${table}, "
                     "${db}");
    }
    rs_buf_free(&text);
    if (rs_tpl_parse("${key}", &s->member_tpl, err, sizeof(err)) != 0) {
        report_error(rep, key, err);
    }
}

static void free_settings(struct rs_settings *s)
{
    rs_tpl_free(&s->key_tpl);
    rs_tpl_free(&s->member_tpl);
    free(s->key_fields);
    free(s->offsets_key);
    s->key_fields = NULL;
    s->offsets_key = NULL;
}

/* Read and check the whole config; errors go to rep. connector: for the offsets key default. */
static void parse_settings(const sluice_config *cfg, const char *connector, struct rs_settings *s,
                           struct rs_report *rep)
{
    const struct sluice_host_api *h = sluice_host;
    memset(s, 0, sizeof(*s));
    parse_endpoint(cfg, s, rep);
    check_unsupported(cfg, rep);

    s->connect_timeout_ms = (int)h->cfg_long(cfg, "redis.connect.timeout.ms");
    if (h->cfg_string(cfg, "redis.socket.connect.timeout.ms") != NULL) {
        s->connect_timeout_ms = (int)h->cfg_long(cfg, "redis.socket.connect.timeout.ms");
    }
    s->command_timeout_ms = (int)h->cfg_long(cfg, "redis.command.timeout.ms");
    if (h->cfg_string(cfg, "redis.operation.timeout.ms") != NULL) {
        s->command_timeout_ms = (int)h->cfg_long(cfg, "redis.operation.timeout.ms");
    } else if (h->cfg_string(cfg, "redis.timeout") != NULL) {
        s->command_timeout_ms = (int)(h->cfg_long(cfg, "redis.timeout") * 1000);
    }
    if (s->connect_timeout_ms <= 0 || s->command_timeout_ms <= 0) {
        report_error(rep, "redis.command.timeout.ms", "timeouts must be positive");
    }
    s->backoff_ms = h->cfg_long(cfg, "redis.retry.backoff.ms");
    s->backoff_max_ms = h->cfg_long(cfg, "redis.retry.backoff.max.ms");

    const char *type = h->cfg_string(cfg, "redis.type");
    s->type = parse_type(type ? type : "HASH", rep);
    const char *sep = h->cfg_string(cfg, "redis.separator");
    s->separator = sep ? sep : ":";
    size_t nk = h->cfg_list_len(cfg, "redis.key.fields");
    if (nk > 0) {
        s->key_fields = calloc(nk, sizeof(*s->key_fields));
        for (size_t i = 0; s->key_fields != NULL && i < nk; i++) {
            s->key_fields[i] = h->cfg_list_at(cfg, "redis.key.fields", i);
        }
        s->n_key_fields = s->key_fields ? nk : 0;
    }
    if (s->type != 0) {
        parse_templates(cfg, s, rep);
    }
    s->ttl = h->cfg_long(cfg, "redis.key.ttl");
    s->stream_maxlen = h->cfg_long(cfg, "redis.stream.maxlen");
    s->stream_approx = h->cfg_bool(cfg, "redis.stream.maxlen.approximate");
    s->score_field = h->cfg_string(cfg, "redis.zset.score.field");
    const char *tr = h->cfg_string(cfg, "redis.truncate");
    s->truncate_delete = tr == NULL || strcasecmp(tr, "delete") == 0;
    const char *mode = h->cfg_string(cfg, "redis.cdc.mode");
    s->cdc.mode = SL_CDC_MODE_AUTO;
    if (mode != NULL && strcasecmp(mode, "debezium") == 0) {
        s->cdc.mode = SL_CDC_MODE_DEBEZIUM;
    } else if (mode != NULL && strcasecmp(mode, "append") == 0) {
        s->cdc.mode = SL_CDC_MODE_APPEND;
    }
    s->cdc.placeholder = h->cfg_string(cfg, "redis.unavailable.value.placeholder");
    const char *ok = h->cfg_string(cfg, "redis.offsets.key");
    rs_buf b = {0};
    if (ok != NULL && ok[0] != '\0') {
        rs_buf_puts(&b, ok);
    } else {
        rs_buf_puts(&b, "sluice:offsets:");
        rs_buf_puts(&b, connector ? connector : "connector");
    }
    s->offsets_key = b.p;
    s->wait_replicas = h->cfg_long(cfg, "redis.wait.replicas");
    s->wait_timeout_ms = h->cfg_long(cfg, "redis.wait.timeout");
}

/* ---- the task ---- */

struct rs_tp {
    char *topic;
    int32_t partition;
    int64_t stored;        /* next offset Redis confirmed holding; -1: none */
    int64_t batch_next;    /* next offset covered by the batch being built; -1: none */
    int64_t batch_first;   /* its first covered offset */
    int64_t inflight_next; /* the batch sent but not yet confirmed: next offset; -1: none */
    int64_t inflight_from; /* ... and its first offset */
    int64_t rewind_to;     /* unconfirmed data from here must be delivered again; -1: none */
};

/* Who a queued command belongs to, for a Redis error found after put() returned. */
struct rs_cmdref {
    size_t tp; /* index in tps; SIZE_MAX: the offsets HSET */
    int64_t offset;
};

struct rs_task {
    sluice_ctx *ctx;
    struct rs_settings s;
    rs_conn conn;
    int down;           /* the last attempt failed: log recovery once */
    int64_t backoff_ms; /* the next RETRY's backoff */
    struct rs_tp *tps;
    size_t ntps, captps;
    size_t last_tp;
    rs_buf out;                /* the batch's pipeline */
    rs_cmd cmd;                /* the command being built */
    rs_buf key;                /* the current record's Redis key */
    rs_buf member;             /* the current record's member / scratch text */
    rs_buf tmp;                /* scratch */
    rs_buf json;               /* string mode: the row as JSON */
    sluice_buf *hj;            /* host JSON of nested values */
    struct rs_cmdref *cmd_ref; /* owner of each queued command */
    /* The batch in flight: its pipeline and owners (swapped with out/cmd_ref on send). */
    rs_buf fl_out;
    struct rs_cmdref *fl_ref;
    size_t fl_ncmd, fl_cap, fl_replies;
    /* The I/O thread: sends the in-flight batch and reads its replies while the host decodes
     * the next one. It owns `conn` from io_submit() until io_wait() returns. */
    pthread_t io_thread;
    int io_started;
    pthread_mutex_t io_mu;
    pthread_cond_t io_cv;
    int io_job;  /* a batch is handed over and not finished */
    int io_stop; /* destroy: the thread exits */
    int io_rc;   /* rs_conn_run's result of the last job */
    char io_err[512];
    size_t ncmd, capcmd;
    size_t nreplies;
    size_t cur_tp; /* the record being queued: its tp index and offset */
    int64_t cur_offset;
    int inflight;       /* a batch was sent and its replies are not read yet */
    int rewind_pending; /* some tp has rewind_to set */
    int warned_truncate;
    char err[512];
};

static int confirm_inflight(struct rs_task *t);
static void mark_unconfirmed(struct rs_task *t);
static void recount_rewinds(struct rs_task *t);

/* What a template is expanded against. */
struct rs_rowctx {
    const sluice_record *r;
    const sl_cdc_change *ch;
    const sluice_value *row; /* looked up for ${column} and redis.key.fields */
    const sluice_schema *row_schema;
};

static struct rs_tp *find_tp(struct rs_task *t, const char *topic, int32_t partition, int create)
{
    if (t->last_tp < t->ntps && t->tps[t->last_tp].partition == partition &&
        strcmp(t->tps[t->last_tp].topic, topic) == 0) {
        return &t->tps[t->last_tp];
    }
    for (size_t i = 0; i < t->ntps; i++) {
        if (t->tps[i].partition == partition && strcmp(t->tps[i].topic, topic) == 0) {
            t->last_tp = i;
            return &t->tps[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (t->ntps == t->captps) {
        size_t cap = t->captps ? t->captps * 2 : 16;
        struct rs_tp *p = realloc(t->tps, cap * sizeof(*p));
        if (p == NULL) {
            return NULL;
        }
        t->tps = p;
        t->captps = cap;
    }
    struct rs_tp *tp = &t->tps[t->ntps];
    tp->topic = strdup(topic);
    if (tp->topic == NULL) {
        return NULL;
    }
    tp->partition = partition;
    tp->stored = -1;
    tp->batch_next = -1;
    tp->batch_first = -1;
    tp->inflight_next = -1;
    tp->inflight_from = -1;
    tp->rewind_to = -1;
    t->last_tp = t->ntps++;
    return tp;
}

/* HGETALL of the offsets hash: "<topic>/<partition>" -> next offset. */
static void on_offset_pair(void *ud, const char *f, size_t fn, const char *v, size_t vn)
{
    struct rs_task *t = ud;
    const char *slash = NULL;
    for (size_t i = fn; i > 0; i--) {
        if (f[i - 1] == '/') {
            slash = f + i - 1;
            break;
        }
    }
    char num[32];
    if (slash == NULL || vn == 0 || vn >= sizeof(num) || (size_t)(slash - f) >= 256) {
        return;
    }
    char topic[256];
    memcpy(topic, f, (size_t)(slash - f));
    topic[slash - f] = '\0';
    long part = strtol(slash + 1, NULL, 10);
    memcpy(num, v, vn);
    num[vn] = '\0';
    char *end = NULL;
    long long next = strtoll(num, &end, 10);
    if (*end != '\0' || next < 0) {
        return;
    }
    struct rs_tp *tp = find_tp(t, topic, (int32_t)part, 1);
    if (tp != NULL) {
        tp->stored = next;
    }
}

/* (Re)load every stored offset of this connector. 0, or -1 (connection closed, t->err). */
static int load_offsets(struct rs_task *t)
{
    for (size_t i = 0; i < t->ntps; i++) {
        t->tps[i].stored = -1;
    }
    t->out.len = 0;
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg_str(&t->cmd, "HGETALL");
    rs_cmd_arg_str(&t->cmd, t->s.offsets_key);
    rs_cmd_end(&t->cmd, &t->out);
    t->conn.rep.collect = 1;
    t->conn.rep.on_pair = on_offset_pair;
    t->conn.rep.ud = t;
    int rc = rs_conn_run(&t->conn, &t->out, 1, t->err, sizeof(t->err));
    t->conn.rep.collect = 0;
    if (rc == 0 && t->conn.rep.top_err_count > 0) {
        snprintf(t->err, sizeof(t->err), "HGETALL %s: %s", t->s.offsets_key, t->conn.rep.top_err);
        rs_conn_close(&t->conn);
        return -1;
    }
    return rc;
}

/* Connect when needed. 0; -1 transient (t->err); -2 fatal (t->err). */
static int ensure_connected(struct rs_task *t)
{
    if (t->conn.c != NULL) {
        return 0;
    }
    int rc = rs_conn_open(&t->conn, t->err, sizeof(t->err));
    if (rc != 0) {
        return rc;
    }
    if (load_offsets(t) != 0) {
        return -1;
    }
    if (t->down) {
        SLUICE_INFO(t->ctx, "Redis is reachable again; resuming");
        t->down = 0;
    }
    return 0;
}

/* Log an outage once (WARN), then at DEBUG until Redis answers again. */
static void note_down(struct rs_task *t)
{
    if (!t->down) {
        SLUICE_WARN(t->ctx, "Redis unavailable, retrying the batch: %s", t->err);
        t->down = 1;
    } else {
        SLUICE_DEBUG(t->ctx, "Redis still unavailable: %s", t->err);
    }
}

static sluice_rc retry_later(struct rs_task *t)
{
    note_down(t);
    sluice_host->task_backoff(t->ctx, t->backoff_ms);
    t->backoff_ms =
        t->backoff_ms * 2 > t->s.backoff_max_ms ? t->s.backoff_max_ms : t->backoff_ms * 2;
    return SLUICE_RETRY;
}

/* ---- values as text ---- */

static const sluice_schema *field_schema(const sluice_schema *parent, size_t i)
{
    if (parent == NULL || sluice_host->schema_type(parent) != SLUICE_TYPE_STRUCT) {
        return NULL;
    }
    return sluice_host->schema_field_schema(parent, i);
}

/* Logical values as text; 1 when written. */
static int put_logical(const sluice_value *v, const sluice_schema *s, rs_buf *out)
{
    char tmp[128];
    int n = -1;
    switch (sl_cdc_logical(s)) {
    case SL_CDC_L_DECIMAL:
    case SL_CDC_L_VARIABLE_DECIMAL:
        n = sl_cdc_value_decimal_text(v, s, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_DATE:
        n = sl_cdc_date_text(sluice_host->val_int(v), tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIME_MILLIS:
        n = sl_cdc_time_text(sluice_host->val_int(v), 3, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIME_MICROS:
        n = sl_cdc_time_text(sluice_host->val_int(v), 6, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIME_NANOS:
        n = sl_cdc_time_text(sluice_host->val_int(v), 9, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIMESTAMP_MILLIS:
        n = sl_cdc_timestamp_text(sluice_host->val_int(v), 3, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIMESTAMP_MICROS:
        n = sl_cdc_timestamp_text(sluice_host->val_int(v), 6, tmp, sizeof(tmp));
        break;
    case SL_CDC_L_TIMESTAMP_NANOS:
        n = sl_cdc_timestamp_text(sluice_host->val_int(v), 9, tmp, sizeof(tmp));
        break;
    default:
        return 0;
    }
    if (n < 0) {
        return 0;
    }
    rs_buf_append(out, tmp, (size_t)n);
    return 1;
}

/* Append the host's JSON of a nested value. */
static void put_host_json(struct rs_task *t, const sluice_value *v, rs_buf *out)
{
    sluice_host->buf_reset(t->hj);
    sluice_host->val_to_json(v, t->hj);
    rs_buf_append(out, sluice_host->buf_data(t->hj), sluice_host->buf_len(t->hj));
}

/* A column or key value as Redis text: strings raw, bytes Base64 (raw when raw_bytes: a whole
 * record key or value), numbers in decimal, booleans true/false, decimals/dates/times as text,
 * structs/maps/arrays as JSON. */
static void put_text_ex(struct rs_task *t, const sluice_value *v, const sluice_schema *s,
                        rs_buf *out, int raw_bytes)
{
    if (s == NULL) {
        s = sluice_host->val_schema(v);
    }
    if (s != NULL && put_logical(v, s, out)) {
        return;
    }
    size_t len = 0;
    switch (sluice_host->val_type(v)) {
    case SLUICE_TYPE_NULL:
        break;
    case SLUICE_TYPE_STRING: {
        const char *p = sluice_host->val_string(v, &len);
        rs_buf_append(out, p, len);
        break;
    }
    case SLUICE_TYPE_BYTES: {
        const void *p = sluice_host->val_bytes(v, &len);
        if (raw_bytes) {
            rs_buf_append(out, p, len);
        } else {
            rs_buf_put_base64(out, p, len);
        }
        break;
    }
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        rs_buf_put_int(out, sluice_host->val_int(v));
        break;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        rs_buf_put_double(out, sluice_host->val_double(v),
                          sluice_host->val_type(v) == SLUICE_TYPE_FLOAT32);
        break;
    case SLUICE_TYPE_BOOLEAN:
        rs_buf_puts(out, sluice_host->val_bool(v) ? "true" : "false");
        break;
    default:
        put_host_json(t, v, out);
        break;
    }
}

static void put_text(struct rs_task *t, const sluice_value *v, const sluice_schema *s, rs_buf *out)
{
    put_text_ex(t, v, s, out, 0);
}

/* A value inside string mode's JSON row. */
static void put_json_value(struct rs_task *t, const sluice_value *v, const sluice_schema *s,
                           rs_buf *out)
{
    if (s == NULL) {
        s = sluice_host->val_schema(v);
    }
    int type = sluice_host->val_type(v);
    if (type == SLUICE_TYPE_NULL) {
        rs_buf_puts(out, "null");
        return;
    }
    if (s != NULL && sl_cdc_logical(s) != SL_CDC_L_NONE) {
        t->tmp.len = 0;
        if (put_logical(v, s, &t->tmp)) {
            rs_buf_put_json_string(out, t->tmp.p, t->tmp.len);
            return;
        }
    }
    size_t len = 0;
    switch (type) {
    case SLUICE_TYPE_STRING: {
        const char *p = sluice_host->val_string(v, &len);
        rs_buf_put_json_string(out, p, len);
        break;
    }
    case SLUICE_TYPE_BYTES: {
        const void *p = sluice_host->val_bytes(v, &len);
        rs_buf_putc(out, '"');
        rs_buf_put_base64(out, p, len);
        rs_buf_putc(out, '"');
        break;
    }
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64: {
        double d = sluice_host->val_double(v);
        if (d != d || d - d != 0) { /* NaN, Infinity: no JSON number */
            rs_buf_puts(out, "null");
        } else {
            rs_buf_put_double(out, d, type == SLUICE_TYPE_FLOAT32);
        }
        break;
    }
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
    case SLUICE_TYPE_BOOLEAN:
        put_text(t, v, s, out);
        break;
    default:
        put_host_json(t, v, out);
        break;
    }
}

/* ---- key templates ---- */

static const sluice_value *lookup_field(const struct rs_rowctx *rc, const char *name,
                                        const sluice_schema **schema)
{
    const sluice_value *key = rc->ch->key;
    int kt = sluice_host->val_type(key);
    *schema = NULL;
    if (kt == SLUICE_TYPE_STRUCT || kt == SLUICE_TYPE_MAP) {
        const sluice_value *v = sl_cdc_field(key, name);
        if (v != NULL) {
            return v;
        }
    }
    if (rc->row != NULL) {
        const sluice_value *v = sl_cdc_field(rc->row, name);
        if (v != NULL && rc->row_schema != NULL &&
            sluice_host->schema_type(rc->row_schema) == SLUICE_TYPE_STRUCT) {
            int64_t i = sluice_host->schema_field_index(rc->row_schema, name);
            if (i >= 0) {
                *schema = sluice_host->schema_field_schema(rc->row_schema, (size_t)i);
            }
        }
        return v;
    }
    return NULL;
}

static int put_field(struct rs_task *t, const struct rs_rowctx *rc, const char *name, rs_buf *out)
{
    const sluice_schema *s = NULL;
    const sluice_value *v = lookup_field(rc, name, &s);
    if (v == NULL || sluice_host->val_type(v) == SLUICE_TYPE_NULL) {
        snprintf(t->err, sizeof(t->err),
                 "cannot build the Redis key: column '%s' is missing or null in the record key "
                 "and row",
                 name);
        return -1;
    }
    put_text(t, v, s, out);
    return 0;
}

/* ${key}: redis.key.fields, else every field of the record key, joined by the separator. */
static int put_key(struct rs_task *t, const struct rs_rowctx *rc, rs_buf *out)
{
    const char *sep = t->s.separator;
    if (t->s.n_key_fields > 0) {
        for (size_t i = 0; i < t->s.n_key_fields; i++) {
            if (i > 0) {
                rs_buf_puts(out, sep);
            }
            if (put_field(t, rc, t->s.key_fields[i], out) != 0) {
                return -1;
            }
        }
        return 0;
    }
    const sluice_value *key = rc->ch->key;
    int kt = sluice_host->val_type(key);
    if (kt == SLUICE_TYPE_NULL) {
        snprintf(t->err, sizeof(t->err),
                 "the record has no key: set redis.key.fields to the primary-key columns");
        return -1;
    }
    if (kt != SLUICE_TYPE_STRUCT && kt != SLUICE_TYPE_MAP) {
        put_text_ex(t, key, rc->ch->key_schema, out, 1);
        return 0;
    }
    size_t n = sluice_host->val_len(key);
    const sluice_schema *ks = rc->ch->key_schema;
    for (size_t i = 0; i < n; i++) {
        const sluice_value *v = sluice_host->val_at(key, i);
        if (v == NULL) {
            snprintf(t->err, sizeof(t->err), "cannot build the Redis key: key field '%s' is null",
                     sluice_host->val_name_at(key, i));
            return -1;
        }
        if (i > 0) {
            rs_buf_puts(out, sep);
        }
        put_text(t, v, kt == SLUICE_TYPE_STRUCT ? field_schema(ks, i) : NULL, out);
    }
    return 0;
}

static void put_table(const struct rs_rowctx *rc, rs_buf *out)
{
    if (rc->ch->table != NULL && rc->ch->table_len > 0) {
        rs_buf_append(out, rc->ch->table, rc->ch->table_len);
        return;
    }
    const char *topic = sluice_host->rec_topic(rc->r);
    const char *dot = strrchr(topic, '.');
    rs_buf_puts(out, dot ? dot + 1 : topic);
}

/* Expand a template into out. 0, or -1 with t->err. */
static int expand(struct rs_task *t, const rs_tpl *tpl, const struct rs_rowctx *rc, rs_buf *out)
{
    out->len = 0;
    for (size_t i = 0; i < tpl->n; i++) {
        const rs_tpl_part *p = &tpl->parts[i];
        switch (p->kind) {
        case RS_TPL_LITERAL:
            rs_buf_append(out, p->text, p->len);
            break;
        case RS_TPL_TOPIC:
            rs_buf_puts(out, sluice_host->rec_topic(rc->r));
            break;
        case RS_TPL_TABLE:
            put_table(rc, out);
            break;
        case RS_TPL_DB:
            if (rc->ch->db != NULL) {
                rs_buf_append(out, rc->ch->db, rc->ch->db_len);
            }
            break;
        case RS_TPL_PARTITION:
            rs_buf_put_int(out, sluice_host->rec_partition(rc->r));
            break;
        case RS_TPL_KEY:
            if (put_key(t, rc, out) != 0) {
                return -1;
            }
            break;
        default:
            if (put_field(t, rc, p->text, out) != 0) {
                return -1;
            }
            break;
        }
    }
    return 0;
}

/* ---- commands ---- */

static void queue_cmd(struct rs_task *t, size_t rec)
{
    rs_cmd_end(&t->cmd, &t->out);
    if (t->ncmd == t->capcmd) {
        size_t cap = t->capcmd ? t->capcmd * 2 : 1024;
        struct rs_cmdref *p = realloc(t->cmd_ref, cap * sizeof(*p));
        if (p == NULL) {
            abort();
        }
        t->cmd_ref = p;
        t->capcmd = cap;
    }
    struct rs_cmdref *ref = &t->cmd_ref[t->ncmd++];
    ref->tp = rec == SIZE_MAX ? SIZE_MAX : t->cur_tp;
    ref->offset = t->cur_offset;
    t->nreplies++;
}

static void queue_expire(struct rs_task *t, const rs_buf *key, size_t rec)
{
    if (t->s.ttl <= 0) {
        return;
    }
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "EXPIRE", 6);
    rs_cmd_arg(&t->cmd, key->p, key->len);
    rs_cmd_arg_int(&t->cmd, t->s.ttl);
    queue_cmd(t, rec);
}

static int is_meta(const sl_cdc_change *ch, const char *name)
{
    for (const char *const *m = ch->meta_fields; m != NULL && *m != NULL; m++) {
        if (strcmp(*m, name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int row_is_fields(const sluice_value *row)
{
    int type = sluice_host->val_type(row);
    return type == SLUICE_TYPE_STRUCT || type == SLUICE_TYPE_MAP;
}

/* Append `name value` pairs of the row's columns to the command: neither null, nor TOAST
 * placeholders, nor ExtractNewRecordState bookkeeping. Returns how many. */
static size_t add_columns(struct rs_task *t, const sl_cdc_change *ch, const sluice_value *row,
                          const sluice_schema *rs)
{
    size_t n = sluice_host->val_len(row), added = 0;
    int is_struct = sluice_host->val_type(row) == SLUICE_TYPE_STRUCT;
    for (size_t i = 0; i < n; i++) {
        const sluice_value *v = sluice_host->val_at(row, i);
        const char *name = sluice_host->val_name_at(row, i);
        if (v == NULL || name == NULL || sluice_host->val_type(v) == SLUICE_TYPE_NULL ||
            is_meta(ch, name) || sl_cdc_is_unavailable(&t->s.cdc, v)) {
            continue;
        }
        rs_cmd_arg_str(&t->cmd, name);
        rs_buf *b = rs_cmd_arg_open(&t->cmd);
        put_text(t, v, is_struct ? field_schema(rs, i) : NULL, b);
        rs_cmd_arg_close(&t->cmd);
        added++;
    }
    return added;
}

static int emit_hash(struct rs_task *t, const sl_cdc_change *ch, size_t ri)
{
    const sluice_value *row = ch->row;
    if (!row_is_fields(row)) {
        snprintf(t->err, sizeof(t->err), "HASH needs a row with columns (struct or map value)");
        return -1;
    }
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "HSET", 4);
    rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
    if (add_columns(t, ch, row, ch->row_schema) > 0) {
        queue_cmd(t, ri);
    }
    /* null columns: remove what an earlier image stored */
    size_t n = sluice_host->val_len(row), nulls = 0;
    for (size_t i = 0; i < n; i++) {
        const sluice_value *v = sluice_host->val_at(row, i);
        const char *name = sluice_host->val_name_at(row, i);
        if (name == NULL || (v != NULL && sluice_host->val_type(v) != SLUICE_TYPE_NULL) ||
            is_meta(ch, name)) {
            continue;
        }
        if (nulls++ == 0) {
            rs_cmd_begin(&t->cmd);
            rs_cmd_arg(&t->cmd, "HDEL", 4);
            rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
        }
        rs_cmd_arg_str(&t->cmd, name);
    }
    if (nulls > 0) {
        queue_cmd(t, ri);
    }
    queue_expire(t, &t->key, ri);
    return 0;
}

/* The row as one JSON object; *toast set when a column is the TOAST placeholder. */
static void row_json(struct rs_task *t, const sl_cdc_change *ch, int *toast)
{
    const sluice_value *row = ch->row;
    int is_struct = sluice_host->val_type(row) == SLUICE_TYPE_STRUCT;
    size_t n = sluice_host->val_len(row), k = 0;
    *toast = 0;
    t->json.len = 0;
    rs_buf_putc(&t->json, '{');
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->val_name_at(row, i);
        const sluice_value *v = sluice_host->val_at(row, i);
        if (name == NULL || is_meta(ch, name)) {
            continue;
        }
        if (k++ > 0) {
            rs_buf_putc(&t->json, ',');
        }
        rs_buf_put_json_string(&t->json, name, strlen(name));
        rs_buf_putc(&t->json, ':');
        if (v != NULL && sl_cdc_is_unavailable(&t->s.cdc, v)) {
            *toast = 1;
        }
        put_json_value(t, v, is_struct ? field_schema(ch->row_schema, i) : NULL, &t->json);
    }
    rs_buf_putc(&t->json, '}');
}

static int emit_string(struct rs_task *t, const sl_cdc_change *ch, size_t ri)
{
    const sluice_value *row = ch->row;
    int toast = 0;
    rs_cmd_begin(&t->cmd);
    if (row_is_fields(row)) {
        row_json(t, ch, &toast);
    } else {
        t->json.len = 0;
        put_text_ex(t, row, ch->row_schema, &t->json, 1);
    }
    if (!toast) {
        rs_cmd_arg(&t->cmd, "SET", 3);
        rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
        rs_cmd_arg(&t->cmd, t->json.p, t->json.len);
        if (t->s.ttl > 0) {
            rs_cmd_arg(&t->cmd, "EX", 2);
            rs_cmd_arg_int(&t->cmd, t->s.ttl);
        }
        queue_cmd(t, ri);
        return 0;
    }
    /* Rare: keep the stored value of each column the source did not send. */
    const char *ph = t->s.cdc.placeholder ? t->s.cdc.placeholder : "__debezium_unavailable_value";
    rs_cmd_arg(&t->cmd, "EVAL", 4);
    rs_cmd_arg(&t->cmd, TOAST_STRING_LUA, sizeof(TOAST_STRING_LUA) - 1);
    rs_cmd_arg(&t->cmd, "1", 1);
    rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
    rs_cmd_arg(&t->cmd, t->json.p, t->json.len);
    rs_buf *b = rs_cmd_arg_open(&t->cmd);
    rs_buf_put_json_string(b, ph, strlen(ph));
    rs_cmd_arg_close(&t->cmd);
    size_t n = sluice_host->val_len(row);
    for (size_t i = 0; i < n; i++) {
        const char *name = sluice_host->val_name_at(row, i);
        const sluice_value *v = sluice_host->val_at(row, i);
        if (name == NULL || v == NULL || !sl_cdc_is_unavailable(&t->s.cdc, v)) {
            continue;
        }
        rs_cmd_arg_str(&t->cmd, name);
        b = rs_cmd_arg_open(&t->cmd);
        rs_buf_put_json_string(b, name, strlen(name));
        rs_cmd_arg_close(&t->cmd);
    }
    queue_cmd(t, ri);
    queue_expire(t, &t->key, ri);
    return 0;
}

static void begin_xadd(struct rs_task *t, char op)
{
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "XADD", 4);
    rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
    if (t->s.stream_maxlen > 0) {
        rs_cmd_arg(&t->cmd, "MAXLEN", 6);
        if (t->s.stream_approx) {
            rs_cmd_arg(&t->cmd, "~", 1);
        }
        rs_cmd_arg_int(&t->cmd, t->s.stream_maxlen);
    }
    rs_cmd_arg(&t->cmd, "*", 1);
    rs_cmd_arg(&t->cmd, "__op", 4);
    rs_cmd_arg(&t->cmd, &op, 1);
}

/* A stream entry: the change's op, then the row's columns (the key's for a delete without a
 * row image). */
static int emit_stream(struct rs_task *t, const sl_cdc_change *ch, size_t ri)
{
    char op = ch->op;
    if (op == 0) {
        op = ch->kind == SL_CDC_DELETE ? 'd' : ch->kind == SL_CDC_TRUNCATE ? 't' : 'u';
    }
    begin_xadd(t, op);
    if (ch->kind != SL_CDC_TRUNCATE) {
        if (row_is_fields(ch->row)) {
            add_columns(t, ch, ch->row, ch->row_schema);
        } else if (row_is_fields(ch->key)) {
            add_columns(t, ch, ch->key, ch->key_schema);
        } else if (ch->row != NULL) {
            rs_cmd_arg(&t->cmd, "value", 5);
            rs_buf *b = rs_cmd_arg_open(&t->cmd);
            put_text(t, ch->row, ch->row_schema, b);
            rs_cmd_arg_close(&t->cmd);
        }
    }
    queue_cmd(t, ri);
    queue_expire(t, &t->key, ri);
    return 0;
}

static int put_score(struct rs_task *t, const struct rs_rowctx *rc, rs_buf *out, int *keep)
{
    *keep = 0;
    if (t->s.score_field == NULL) {
        rs_buf_put_int(out, (int64_t)rc->ch->version);
        return 0;
    }
    const sluice_schema *s = NULL;
    const sluice_value *v = lookup_field(rc, t->s.score_field, &s);
    if (v != NULL && sl_cdc_is_unavailable(&t->s.cdc, v)) {
        *keep = 1;
        rs_buf_putc(out, '0');
        return 0;
    }
    int type = sluice_host->val_type(v);
    size_t before = out->len;
    if (type >= SLUICE_TYPE_INT8 && type <= SLUICE_TYPE_FLOAT64) {
        put_text(t, v, s, out);
    } else if (type == SLUICE_TYPE_STRING || type == SLUICE_TYPE_BYTES ||
               type == SLUICE_TYPE_STRUCT) {
        put_text(t, v, s, out); /* decimals and numeric text */
    }
    if (out->len == before) {
        snprintf(t->err, sizeof(t->err), "score column '%s' is missing, null or not a number",
                 t->s.score_field);
        return -1;
    }
    char *end = NULL;
    double d = strtod(out->p + before, &end);
    if (end == out->p + before || *end != '\0' || d != d) {
        snprintf(t->err, sizeof(t->err), "score column '%s' is not a number: '%s'",
                 t->s.score_field, out->p + before);
        return -1;
    }
    return 0;
}

static int emit_member(struct rs_task *t, const sl_cdc_change *ch, const struct rs_rowctx *rc,
                       size_t ri)
{
    if (expand(t, &t->s.member_tpl, rc, &t->member) != 0) {
        return -1;
    }
    int del = ch->kind == SL_CDC_DELETE;
    rs_cmd_begin(&t->cmd);
    if (t->s.type == RS_SET) {
        rs_cmd_arg_str(&t->cmd, del ? "SREM" : "SADD");
        rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
    } else if (del) {
        rs_cmd_arg(&t->cmd, "ZREM", 4);
        rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
    } else {
        int keep = 0;
        t->tmp.len = 0;
        if (put_score(t, rc, &t->tmp, &keep) != 0) {
            return -1;
        }
        rs_cmd_arg(&t->cmd, "ZADD", 4);
        rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
        if (keep) {
            rs_cmd_arg(&t->cmd, "NX", 2);
        }
        rs_cmd_arg(&t->cmd, t->tmp.p, t->tmp.len);
    }
    rs_cmd_arg(&t->cmd, t->member.p, t->member.len);
    queue_cmd(t, ri);
    if (!del) {
        queue_expire(t, &t->key, ri);
    }
    return 0;
}

/* Truncate of a hash/string table: delete every key its template can produce. */
static int emit_truncate_keys(struct rs_task *t, const struct rs_rowctx *rc, size_t ri)
{
    const rs_tpl *tpl = &t->s.key_tpl;
    int scoped = 0;
    t->member.len = 0;
    for (size_t i = 0; i < tpl->n; i++) {
        const rs_tpl_part *p = &tpl->parts[i];
        t->tmp.len = 0;
        switch (p->kind) {
        case RS_TPL_LITERAL:
            rs_glob_escape(&t->member, p->text, p->len);
            break;
        case RS_TPL_TOPIC:
            rs_buf_puts(&t->tmp, sluice_host->rec_topic(rc->r));
            rs_glob_escape(&t->member, t->tmp.p, t->tmp.len);
            scoped = 1;
            break;
        case RS_TPL_TABLE:
            put_table(rc, &t->tmp);
            rs_glob_escape(&t->member, t->tmp.p, t->tmp.len);
            scoped = 1;
            break;
        case RS_TPL_DB:
            if (rc->ch->db != NULL) {
                rs_glob_escape(&t->member, rc->ch->db, rc->ch->db_len);
            }
            break;
        default:
            if (t->member.len == 0 || t->member.p[t->member.len - 1] != '*') {
                rs_buf_putc(&t->member, '*');
            }
            break;
        }
    }
    if (!scoped) {
        if (!t->warned_truncate) {
            SLUICE_WARN(t->ctx,
                        "truncate of %s skipped: the key template has neither ${topic} nor "
                        "${table}, so the table's keys cannot be told apart from others",
                        sluice_host->rec_topic(rc->r));
            t->warned_truncate = 1;
        }
        return 0;
    }
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "EVAL", 4);
    rs_cmd_arg(&t->cmd, TRUNCATE_LUA, sizeof(TRUNCATE_LUA) - 1);
    rs_cmd_arg(&t->cmd, "0", 1);
    rs_cmd_arg(&t->cmd, t->member.p, t->member.len);
    rs_cmd_arg_str(&t->cmd, t->s.offsets_key);
    queue_cmd(t, ri);
    return 0;
}

static int emit_truncate(struct rs_task *t, const sl_cdc_change *ch, const struct rs_rowctx *rc,
                         size_t ri)
{
    if (!t->s.truncate_delete) {
        return 0;
    }
    switch (t->s.type) {
    case RS_HASH:
    case RS_STRING:
        return emit_truncate_keys(t, rc, ri);
    case RS_STREAM:
        if (expand(t, &t->s.key_tpl, rc, &t->key) != 0) {
            return -1;
        }
        return emit_stream(t, ch, ri);
    default:
        if (expand(t, &t->s.key_tpl, rc, &t->key) != 0) {
            return -1;
        }
        rs_cmd_begin(&t->cmd);
        rs_cmd_arg(&t->cmd, "DEL", 3);
        rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
        queue_cmd(t, ri);
        return 0;
    }
}

/* Queue the commands of one change. 0, or -1 with t->err (the record is errant). */
static int emit_change(struct rs_task *t, const sluice_record *r, const sl_cdc_change *ch,
                       size_t ri)
{
    struct rs_rowctx rc = {.r = r, .ch = ch, .row = ch->row, .row_schema = ch->row_schema};
    if (ch->kind == SL_CDC_TRUNCATE) {
        return emit_truncate(t, ch, &rc, ri);
    }
    if (expand(t, &t->s.key_tpl, &rc, &t->key) != 0) {
        return -1;
    }
    switch (t->s.type) {
    case RS_HASH:
    case RS_STRING:
        if (ch->kind == SL_CDC_DELETE) {
            rs_cmd_begin(&t->cmd);
            rs_cmd_arg(&t->cmd, "DEL", 3);
            rs_cmd_arg(&t->cmd, t->key.p, t->key.len);
            queue_cmd(t, ri);
            return 0;
        }
        return t->s.type == RS_HASH ? emit_hash(t, ch, ri) : emit_string(t, ch, ri);
    case RS_STREAM:
        return emit_stream(t, ch, ri);
    default:
        return emit_member(t, ch, &rc, ri);
    }
}

/* ---- the sink ---- */

static sluice_rc rs_validate(const sluice_config *cfg, sluice_validation *v)
{
    struct rs_report rep = {.v = v};
    struct rs_settings s;
    parse_settings(cfg, NULL, &s, &rep);
    free_settings(&s);
    return SLUICE_OK;
}

static void rs_destroy(void *task)
{
    struct rs_task *t = task;
    if (t == NULL) {
        return;
    }
    if (t->io_started) {
        pthread_mutex_lock(&t->io_mu);
        while (t->io_job) { /* bounded by the command timeout */
            pthread_cond_wait(&t->io_cv, &t->io_mu);
        }
        t->io_stop = 1;
        pthread_cond_broadcast(&t->io_cv);
        pthread_mutex_unlock(&t->io_mu);
        pthread_join(t->io_thread, NULL);
    }
    pthread_mutex_destroy(&t->io_mu);
    pthread_cond_destroy(&t->io_cv);
    rs_conn_close(&t->conn);
    rs_buf_free(&t->conn.rep.field);
    rs_buf_free(&t->fl_out);
    free(t->fl_ref);
    free_settings(&t->s);
    for (size_t i = 0; i < t->ntps; i++) {
        free(t->tps[i].topic);
    }
    free(t->tps);
    rs_buf_free(&t->out);
    rs_cmd_free(&t->cmd);
    rs_buf_free(&t->key);
    rs_buf_free(&t->member);
    rs_buf_free(&t->tmp);
    rs_buf_free(&t->json);
    sluice_host->buf_free(t->hj);
    free(t->cmd_ref);
    sluice_host->free(t);
}

static sluice_rc rs_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    struct rs_task *t = sluice_host->calloc(1, sizeof(*t));
    t->ctx = ctx;
    pthread_mutex_init(&t->io_mu, NULL);
    pthread_cond_init(&t->io_cv, NULL);
    struct rs_report rep = {.ctx = ctx};
    parse_settings(cfg, sluice_host->ctx_connector(ctx), &t->s, &rep);
    if (rep.errors > 0) {
        sluice_host->set_error(ctx, "Redis sink: %s", rep.first);
        rs_destroy(t);
        return SLUICE_ERR_CONFIG;
    }
    t->conn.ep = t->s.ep;
    t->conn.connect_timeout_ms = t->s.connect_timeout_ms;
    t->conn.command_timeout_ms = t->s.command_timeout_ms;
    t->backoff_ms = t->s.backoff_ms;
    t->hj = sluice_host->buf_new();
    if (t->s.ep.is_unix) {
        SLUICE_INFO(ctx, "Redis sink writing to unix:%s db %d, offsets in %s", t->s.ep.path,
                    t->s.ep.db < 0 ? 0 : t->s.ep.db, t->s.offsets_key);
    } else {
        SLUICE_INFO(ctx, "Redis sink writing to %s:%d db %d, offsets in %s", t->s.ep.host,
                    t->s.ep.port, t->s.ep.db < 0 ? 0 : t->s.ep.db, t->s.offsets_key);
    }
    *task = t;
    return SLUICE_OK;
}

static sluice_rc rs_open(void *task, const sluice_topic_partition *tps, size_t n)
{
    struct rs_task *t = task;
    if (confirm_inflight(t) == -1) {
        mark_unconfirmed(t);
    }
    /* Another task may have written these partitions since we last looked: reload. */
    rs_conn_close(&t->conn);
    int rc = ensure_connected(t);
    if (rc != 0) {
        /* put() connects, reloads and skips what Redis already has. */
        SLUICE_WARN(t->ctx, "Redis unavailable while opening partitions: %s", t->err);
        t->down = 1;
    }
    for (size_t i = 0; i < n; i++) {
        struct rs_tp *tp = find_tp(t, tps[i].topic, tps[i].partition, 1);
        if (tp == NULL) {
            continue;
        }
        if (rc == 0 && tp->stored >= 0) {
            SLUICE_INFO(t->ctx, "%s/%d: resuming at offset %lld stored in Redis", tps[i].topic,
                        (int)tps[i].partition, (long long)tp->stored);
            sluice_host->task_seek(t->ctx, tps[i].topic, tps[i].partition, tp->stored);
        } else if (tp->rewind_to >= 0) {
            sluice_host->task_seek(t->ctx, tps[i].topic, tps[i].partition, tp->rewind_to);
        }
        tp->rewind_to = -1;
    }
    recount_rewinds(t);
    return SLUICE_OK;
}

/* Queue HSET of the offsets, EXEC (and WAIT). */
static void queue_commit(struct rs_task *t)
{
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "HSET", 4);
    rs_cmd_arg_str(&t->cmd, t->s.offsets_key);
    for (size_t i = 0; i < t->ntps; i++) {
        if (t->tps[i].batch_next < 0) {
            continue;
        }
        rs_buf *b = rs_cmd_arg_open(&t->cmd);
        rs_buf_puts(b, t->tps[i].topic);
        rs_buf_putc(b, '/');
        rs_buf_put_int(b, t->tps[i].partition);
        rs_cmd_arg_close(&t->cmd);
        rs_cmd_arg_int(&t->cmd, t->tps[i].batch_next);
    }
    queue_cmd(t, SIZE_MAX);
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "EXEC", 4);
    rs_cmd_end(&t->cmd, &t->out);
    t->nreplies++;
    if (t->s.wait_replicas > 0) {
        rs_cmd_begin(&t->cmd);
        rs_cmd_arg(&t->cmd, "WAIT", 4);
        rs_cmd_arg_int(&t->cmd, t->s.wait_replicas);
        rs_cmd_arg_int(&t->cmd, t->s.wait_timeout_ms);
        rs_cmd_end(&t->cmd, &t->out);
        t->nreplies++;
    }
}

/* A record whose value is a plain string, bytes, number or boolean (StringConverter,
 * ByteArrayConverter: the jcustenborder sink's input) is that key's value as is; everything else
 * is a change event for sl_cdc_decode (null values included: deletes of the record key). */
static sluice_rc decode(struct rs_task *t, const sluice_record *r, sl_cdc_change *ch, char *err,
                        size_t errlen)
{
    const sluice_value *v = sluice_host->rec_value(r);
    int type = sluice_host->val_type(v);
    if (v == NULL || type == SLUICE_TYPE_NULL || type == SLUICE_TYPE_STRUCT ||
        type == SLUICE_TYPE_MAP || type == SLUICE_TYPE_ARRAY ||
        t->s.cdc.mode == SL_CDC_MODE_DEBEZIUM) {
        return sl_cdc_decode(r, &t->s.cdc, ch, err, errlen);
    }
    memset(ch, 0, sizeof(*ch));
    ch->kind = SL_CDC_UPSERT;
    ch->row = v;
    ch->row_schema = sluice_host->rec_value_schema(r);
    ch->key = sluice_host->rec_key(r);
    ch->key_schema = sluice_host->rec_key_schema(r);
    ch->version = (uint64_t)sluice_host->rec_offset(r);
    return SLUICE_OK;
}

/* Build the batch's MULTI ... EXEC. Returns OK, or ERR (an errant record not tolerated). */
static sluice_rc build_batch(struct rs_task *t, sluice_record *const *records, size_t n,
                             size_t *covered)
{
    char err[256];
    t->out.len = 0;
    t->ncmd = 0;
    t->nreplies = 0;
    *covered = 0;
    for (size_t i = 0; i < t->ntps; i++) {
        t->tps[i].batch_next = -1;
        t->tps[i].batch_first = -1;
    }
    rs_cmd_begin(&t->cmd);
    rs_cmd_arg(&t->cmd, "MULTI", 5);
    rs_cmd_end(&t->cmd, &t->out);
    t->nreplies++;
    for (size_t i = 0; i < n; i++) {
        const sluice_record *r = records[i];
        struct rs_tp *tp = find_tp(t, sluice_host->rec_topic(r), sluice_host->rec_partition(r), 1);
        if (tp == NULL) {
            sluice_host->set_error(t->ctx, "Redis sink: out of memory");
            return SLUICE_ERR_NOMEM;
        }
        int64_t off = sluice_host->rec_offset(r);
        if (tp->stored >= 0 && off < tp->stored) {
            continue; /* Redis has it already: a replay changes nothing */
        }
        if (tp->batch_first < 0) {
            tp->batch_first = off;
        }
        tp->batch_next = off + 1;
        t->cur_tp = (size_t)(tp - t->tps);
        t->cur_offset = off;
        (*covered)++;
        sl_cdc_change ch;
        size_t mark_out = t->out.len, mark_cmd = t->ncmd, mark_rep = t->nreplies;
        int bad = decode(t, r, &ch, err, sizeof(err)) != SLUICE_OK;
        if (bad) {
            snprintf(t->err, sizeof(t->err), "%s", err);
        } else if (ch.kind != SL_CDC_SKIP) {
            bad = emit_change(t, r, &ch, i) != 0;
        }
        if (bad) {
            t->out.len = mark_out; /* drop a half-queued record */
            t->ncmd = mark_cmd;
            t->nreplies = mark_rep;
            if (sluice_host->report_errant(t->ctx, r, t->err) != SLUICE_OK) {
                sluice_host->set_error(t->ctx, "Redis sink: %s/%d@%lld: %s",
                                       sluice_host->rec_topic(r),
                                       (int)sluice_host->rec_partition(r), (long long)off, t->err);
                return SLUICE_ERR;
            }
        }
    }
    if (*covered > 0) {
        queue_commit(t);
    }
    return SLUICE_OK;
}

/*
 * The in-flight batch could not be confirmed (connection lost, EXEC refused for now). Redis may
 * or may not have applied it: remember, per partition, where delivery must start again (the
 * confirmed stored offset, else the batch's first offset). The rewind itself is a task_seek()
 * issued from put() (issue_rewinds), where the host applies it before fetching anything newer,
 * so nothing overtakes the unconfirmed records; the redelivery reloads the stored offsets and
 * skips what did run.
 */
static void mark_unconfirmed(struct rs_task *t)
{
    for (size_t i = 0; i < t->ntps; i++) {
        struct rs_tp *tp = &t->tps[i];
        if (tp->inflight_next >= 0) {
            int64_t to = tp->stored >= 0 ? tp->stored : tp->inflight_from;
            if (tp->rewind_to < 0 || to < tp->rewind_to) {
                tp->rewind_to = to;
            }
        }
        tp->inflight_next = -1;
        tp->inflight_from = -1;
    }
    t->inflight = 0;
    recount_rewinds(t);
}

static void recount_rewinds(struct rs_task *t)
{
    t->rewind_pending = 0;
    for (size_t i = 0; i < t->ntps; i++) {
        if (t->tps[i].rewind_to >= 0) {
            t->rewind_pending = 1;
        }
    }
}

/* From put(): seek every partition to redeliver, and the partitions of the batch in hand (not
 * applied) to its first offset, so this batch comes again after what it must not overtake. */
static void issue_rewinds(struct rs_task *t, sluice_record *const *records, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct rs_tp *tp = find_tp(t, sluice_host->rec_topic(records[i]),
                                   sluice_host->rec_partition(records[i]), 1);
        int64_t off = sluice_host->rec_offset(records[i]);
        if (tp != NULL && tp->rewind_to < 0) {
            tp->rewind_to = tp->stored > off ? tp->stored : off;
        }
    }
    for (size_t i = 0; i < t->ntps; i++) {
        struct rs_tp *tp = &t->tps[i];
        if (tp->rewind_to >= 0) {
            SLUICE_DEBUG(t->ctx, "%s/%d: redelivering from offset %lld", tp->topic,
                         (int)tp->partition, (long long)tp->rewind_to);
            sluice_host->task_seek(t->ctx, tp->topic, tp->partition, tp->rewind_to);
            tp->rewind_to = -1;
        }
    }
    t->rewind_pending = 0;
}

static void *io_main(void *arg)
{
    struct rs_task *t = arg;
    pthread_mutex_lock(&t->io_mu);
    for (;;) {
        while (!t->io_job && !t->io_stop) {
            pthread_cond_wait(&t->io_cv, &t->io_mu);
        }
        if (t->io_stop) {
            break;
        }
        pthread_mutex_unlock(&t->io_mu);
        char err[512] = "";
        int rc = rs_conn_run(&t->conn, &t->fl_out, t->fl_replies, err, sizeof(err));
        pthread_mutex_lock(&t->io_mu);
        t->io_rc = rc;
        memcpy(t->io_err, err, sizeof(err));
        t->io_job = 0;
        pthread_cond_broadcast(&t->io_cv);
    }
    pthread_mutex_unlock(&t->io_mu);
    return NULL;
}

/* Hand the built batch (out, cmd_ref) to the I/O thread; the previous one must be settled. */
static int io_submit(struct rs_task *t)
{
    if (!t->io_started) {
        if (pthread_create(&t->io_thread, NULL, io_main, t) != 0) {
            return -1;
        }
        t->io_started = 1;
    }
    rs_buf tb = t->fl_out;
    t->fl_out = t->out;
    t->out = tb;
    struct rs_cmdref *tr = t->fl_ref;
    t->fl_ref = t->cmd_ref;
    t->cmd_ref = tr;
    size_t tc = t->fl_cap;
    t->fl_cap = t->capcmd;
    t->capcmd = tc;
    t->fl_ncmd = t->ncmd;
    t->fl_replies = t->nreplies;
    pthread_mutex_lock(&t->io_mu);
    t->io_job = 1;
    pthread_cond_broadcast(&t->io_cv);
    pthread_mutex_unlock(&t->io_mu);
    return 0;
}

/* Wait for the I/O thread's job; its result (0, or -1 with t->err and the connection closed). */
static int io_wait(struct rs_task *t)
{
    pthread_mutex_lock(&t->io_mu);
    while (t->io_job) {
        pthread_cond_wait(&t->io_cv, &t->io_mu);
    }
    int rc = t->io_rc;
    if (rc != 0) {
        snprintf(t->err, sizeof(t->err), "%s", t->io_err);
    }
    pthread_mutex_unlock(&t->io_mu);
    return rc;
}

/*
 * Read the in-flight batch's replies. 0: confirmed (stored offsets advanced); -1: not confirmed,
 * retry (t->err; the connection is closed); -2: fatal (set_error done).
 */
static int confirm_inflight(struct rs_task *t)
{
    if (!t->inflight) {
        return 0;
    }
    if (io_wait(t) != 0) {
        return -1;
    }
    rs_replies *rep = &t->conn.rep;
    if (rep->top_err_count > 0) {
        snprintf(t->err, sizeof(t->err), "%s", rep->top_err);
        rs_conn_close(&t->conn);
        if (rs_reply_is_transient(rep->top_err)) {
            return -1; /* EXEC was refused: nothing applied */
        }
        t->inflight = 0;
        sluice_host->set_error(t->ctx, "Redis refused the batch's transaction: %s", t->err);
        return -2;
    }
    if (rep->top_nil_at_last && t->s.wait_replicas == 0) {
        rs_conn_close(&t->conn);
        t->inflight = 0;
        sluice_host->set_error(t->ctx, "Redis aborted the batch's transaction (EXEC returned nil)");
        return -2;
    }
    /* EXEC ran (commands failing inside it do not undo the others): the offsets are stored */
    for (size_t i = 0; i < t->ntps; i++) {
        struct rs_tp *tp = &t->tps[i];
        if (tp->inflight_next >= 0) {
            tp->stored = tp->inflight_next;
        }
        tp->inflight_next = -1;
        tp->inflight_from = -1;
    }
    t->inflight = 0;
    if (rep->elem_err_count > 0) {
        int idx = rep->elem_err[0].idx;
        const struct rs_cmdref *ref = idx >= 0 && (size_t)idx < t->fl_ncmd ? &t->fl_ref[idx] : NULL;
        if (ref == NULL || ref->tp == SIZE_MAX) {
            sluice_host->set_error(t->ctx, "Redis sink: storing offsets failed: %s",
                                   rep->elem_err[0].msg);
        } else {
            sluice_host->set_error(t->ctx,
                                   "Redis sink: %s/%d@%lld: Redis refused a command (%zu in the "
                                   "batch): %s",
                                   t->tps[ref->tp].topic, (int)t->tps[ref->tp].partition,
                                   (long long)ref->offset, rep->elem_err_count,
                                   rep->elem_err[0].msg);
        }
        return -2;
    }
    return 0;
}

/*
 * put() sends batch N and returns without waiting: Redis executes it while the host decodes batch
 * N+1, and the next put() (or pre_commit/open/close) reads N's replies first. Exactly once does
 * not depend on the wait: the offsets travel inside the same MULTI/EXEC, pre_commit never lets
 * the group commit past what Redis confirmed, and a batch that cannot be confirmed is delivered
 * again from the first unconfirmed offset (task_seek).
 */
static sluice_rc rs_put(void *task, sluice_record *const *records, size_t n)
{
    struct rs_task *t = task;
    if (n == 0) {
        return SLUICE_OK;
    }
    int rc = confirm_inflight(t);
    if (rc == -2) {
        return SLUICE_ERR;
    }
    if (rc == -1) {
        mark_unconfirmed(t);
    }
    if (t->rewind_pending) {
        issue_rewinds(t, records, n);
        retry_later(t); /* logs, backs off; the rewound records come again */
        return SLUICE_OK;
    }
    rc = ensure_connected(t);
    if (rc == -2) {
        sluice_host->set_error(t->ctx, "Redis sink: %s", t->err);
        return SLUICE_ERR;
    }
    if (rc != 0) {
        return retry_later(t);
    }
    size_t covered = 0;
    sluice_rc brc = build_batch(t, records, n, &covered);
    if (brc != SLUICE_OK || covered == 0) {
        return brc;
    }
    if (io_submit(t) != 0) {
        sluice_host->set_error(t->ctx, "Redis sink: cannot start the I/O thread");
        return SLUICE_ERR;
    }
    for (size_t i = 0; i < t->ntps; i++) {
        struct rs_tp *tp = &t->tps[i];
        if (tp->batch_next >= 0) {
            tp->inflight_next = tp->batch_next;
            tp->inflight_from = tp->batch_first;
        }
    }
    t->inflight = 1;
    t->backoff_ms = t->s.backoff_ms;
    return SLUICE_OK;
}

/* Confirm what is in flight before the host commits; never let it commit past Redis. */
static sluice_rc rs_pre_commit(void *task, sluice_offsets *offsets)
{
    struct rs_task *t = task;
    int rc = confirm_inflight(t);
    if (rc == -2) {
        return SLUICE_ERR;
    }
    if (rc == -1) {
        note_down(t); /* the batch is rewound by the next put() */
        mark_unconfirmed(t);
    }
    size_t n = sluice_host->offsets_count(offsets);
    for (size_t i = 0; i < n; i++) {
        sluice_topic_partition tp = sluice_host->offsets_tp(offsets, i);
        struct rs_tp *x = find_tp(t, tp.topic, tp.partition, 0);
        if (x == NULL) {
            continue;
        }
        int64_t to = x->stored;
        if (x->rewind_to >= 0 && (to < 0 || x->rewind_to < to)) {
            to = x->rewind_to;
        }
        if (to >= 0) {
            sluice_host->offsets_set(offsets, i, to); /* only ever lowers */
        }
    }
    return SLUICE_OK;
}

static sluice_rc rs_close(void *task, const sluice_topic_partition *tps, size_t n)
{
    struct rs_task *t = task;
    /* Settle the last batch; if it cannot be confirmed, the revoked partitions' next owner
     * resumes from the offsets Redis holds, and the kept ones are rewound by the next put(). */
    if (confirm_inflight(t) == -1) {
        SLUICE_WARN(t->ctx, "could not confirm the last batch before the revocation: %s", t->err);
        mark_unconfirmed(t);
    }
    for (size_t i = 0; i < n; i++) {
        struct rs_tp *tp = find_tp(t, tps[i].topic, tps[i].partition, 0);
        if (tp != NULL) {
            tp->rewind_to = -1;
        }
    }
    recount_rewinds(t);
    return SLUICE_OK;
}

/* ---- config definitions ---- */

#define G_CONN "Connection"
#define G_DATA "Data"
#define G_CDC  "Change events"
#define G_COMP "Compatibility"

#define DEF(n, ty, fl, dv, imp, grp, doc)                                                          \
    {                                                                                              \
        .name = (n), .type = (ty), .flags = (fl), .default_value = (dv), .importance = (imp),      \
        .documentation = (doc), .group = (grp), .display_name = (n),                               \
    }
#define NUL SLUICE_CFG_F_NULL_DEFAULT
#define PW  (SLUICE_CFG_F_NULL_DEFAULT | SLUICE_CFG_F_SENSITIVE)
#define HI  SLUICE_IMPORTANCE_HIGH
#define MED SLUICE_IMPORTANCE_MEDIUM
#define LOW SLUICE_IMPORTANCE_LOW

/* Both class names share every key; only a few defaults differ (jcustenborder: STRING of the raw
 * record key in database 1). */
#define RS_CONFIG_DEFS(TYPE_DEFAULT, KEYSPACE_DEFAULT, DB_FLAGS, DB_DEFAULT)                       \
    DEF("redis.uri", SLUICE_CFG_STRING, NUL, NULL, HI, G_CONN,                                     \
        "redis://[user:password@]host[:port][/db] or unix:///path/to/redis.sock[?db=N]. "          \
        "Overrides redis.host/redis.port/redis.hosts. rediss:// (TLS) is refused: hiredis 0.14 "   \
        "has no TLS."),                                                                            \
        DEF("redis.host", SLUICE_CFG_STRING, 0, "localhost", HI, G_CONN,                           \
            "Redis host, when redis.uri is not set."),                                             \
        DEF("redis.port", SLUICE_CFG_INT, 0, "6379", HI, G_CONN,                                   \
            "Redis port, when redis.uri is not set."),                                             \
        DEF("redis.hosts", SLUICE_CFG_LIST, NUL, NULL, MED, G_CONN,                                \
            "jcustenborder's host:port list; exactly one entry (no Cluster)."),                    \
        DEF("redis.database", SLUICE_CFG_INT, DB_FLAGS, DB_DEFAULT, MED, G_CONN,                   \
            "Database number (SELECT); a database in redis.uri wins."),                            \
        DEF("redis.username", SLUICE_CFG_STRING, NUL, NULL, MED, G_CONN,                           \
            "ACL user for AUTH (Redis 6+); needs redis.password."),                                \
        DEF("redis.password", SLUICE_CFG_PASSWORD, PW, NULL, MED, G_CONN, "Password for AUTH."),   \
        DEF("redis.connect.timeout.ms", SLUICE_CFG_INT, 0, "2000", LOW, G_CONN,                    \
            "Connect timeout."),                                                                   \
        DEF("redis.command.timeout.ms", SLUICE_CFG_INT, 0, "10000", LOW, G_CONN,                   \
            "Timeout for one batch's replies; on expiry the connection is dropped and the batch "  \
            "retried."),                                                                           \
        DEF("redis.timeout", SLUICE_CFG_LONG, NUL, NULL, LOW, G_COMP,                              \
            "Redis Inc sink's command timeout in seconds (redis.command.timeout.ms)."),            \
        DEF("redis.operation.timeout.ms", SLUICE_CFG_LONG, NUL, NULL, LOW, G_COMP,                 \
            "jcustenborder's command timeout (redis.command.timeout.ms)."),                        \
        DEF("redis.socket.connect.timeout.ms", SLUICE_CFG_LONG, NUL, NULL, LOW, G_COMP,            \
            "jcustenborder's connect timeout (redis.connect.timeout.ms)."),                        \
        DEF("redis.retry.backoff.ms", SLUICE_CFG_LONG, 0, "200", LOW, G_CONN,                      \
            "First backoff when Redis is unreachable; doubles per failed attempt."),               \
        DEF("redis.retry.backoff.max.ms", SLUICE_CFG_LONG, 0, "5000", LOW, G_CONN,                 \
            "Longest backoff between attempts to reach Redis."),                                   \
        DEF("redis.type", SLUICE_CFG_STRING, 0, TYPE_DEFAULT, HI, G_DATA,                          \
            "HASH (one hash per row, a field per column), STRING (the row as JSON, SET), STREAM "  \
            "(XADD of each change), SET (SADD of the row's key) or ZSET (ZADD of the row's "       \
            "key)."),                                                                              \
        DEF("redis.keyspace", SLUICE_CFG_STRING, 0, KEYSPACE_DEFAULT, HI, G_DATA,                  \
            "Key prefix template; HASH/STRING keys are <keyspace><separator>${key}, SET/ZSET/"     \
            "STREAM use the keyspace as the collection key. Empty: the record key alone."),        \
        DEF("redis.separator", SLUICE_CFG_STRING, 0, ":", MED, G_DATA,                             \
            "Between the keyspace and the key, and between the fields of a composite key."),       \
        DEF("redis.key.template", SLUICE_CFG_STRING, NUL, NULL, HI, G_DATA,                        \
            "The whole key (collection key for SET/ZSET/STREAM), e.g. ${table}:${id}: ${topic}, "  \
            "${table}, ${db}, ${partition}, ${key} (every key field joined) or a column; $$ is "   \
            "a literal $. Overrides redis.keyspace."),                                             \
        DEF("redis.key.fields", SLUICE_CFG_LIST, NUL, NULL, MED, G_DATA,                           \
            "Columns making ${key} (the record key's fields when unset; needed for records "       \
            "without a key)."),                                                                    \
        DEF("redis.key.ttl", SLUICE_CFG_LONG, 0, "-1", MED, G_DATA,                                \
            "Seconds to live of each written key (EXPIRE); -1: no expiry."),                       \
        DEF("redis.stream.maxlen", SLUICE_CFG_LONG, 0, "1000000", MED, G_DATA,                     \
            "STREAM: MAXLEN cap of XADD; 0: uncapped."),                                           \
        DEF("redis.stream.maxlen.approximate", SLUICE_CFG_BOOLEAN, 0, "true", LOW, G_DATA,         \
            "STREAM: MAXLEN ~ (trim by whole macro nodes, much cheaper)."),                        \
        DEF("redis.zset.score.field", SLUICE_CFG_STRING, NUL, NULL, MED, G_DATA,                   \
            "ZSET: numeric column used as the score; unset: the change's source position (LSN, "   \
            "binlog position or Kafka offset)."),                                                  \
        DEF("redis.offsets.key", SLUICE_CFG_STRING, NUL, NULL, LOW, G_DATA,                        \
            "Hash holding the next offset per <topic>/<partition>; default "                       \
            "sluice:offsets:<connector name>."),                                                   \
        DEF("redis.wait.replicas", SLUICE_CFG_LONG, 0, "0", LOW, G_DATA,                           \
            "After each batch, WAIT for this many replicas to acknowledge (0: no WAIT)."),         \
        DEF("redis.wait.timeout", SLUICE_CFG_LONG, 0, "1000", LOW, G_DATA,                         \
            "WAIT timeout in milliseconds."),                                                      \
        DEF("redis.cdc.mode", SLUICE_CFG_STRING, 0, "auto", MED, G_CDC,                            \
            "auto: Debezium envelopes and unwrapped rows as they come; debezium: anything else "   \
            "is an error; append: every value is a row to write, nulls skipped."),                 \
        DEF("redis.truncate", SLUICE_CFG_STRING, 0, "delete", MED, G_CDC,                          \
            "delete: a truncate deletes the table's keys (SCAN by the key template inside the "    \
            "transaction) or collection; ignore: truncates are skipped."),                         \
        DEF("redis.unavailable.value.placeholder", SLUICE_CFG_STRING, NUL, NULL, LOW, G_CDC,       \
            "Debezium's unavailable.value.placeholder (default __debezium_unavailable_value): "    \
            "columns with it keep their stored value."),                                           \
        DEF("redis.multiexec", SLUICE_CFG_BOOLEAN, 0, "true", LOW, G_COMP,                         \
            "Redis Inc key; sluice always uses MULTI/EXEC (false is ignored with a warning)."),    \
        DEF("redis.tls", SLUICE_CFG_BOOLEAN, 0, "false", LOW, G_COMP,                              \
            "Not supported (hiredis 0.14 has no TLS): true is a validation error."),               \
        DEF("redis.ssl.enabled", SLUICE_CFG_BOOLEAN, 0, "false", LOW, G_COMP,                      \
            "Not supported (hiredis 0.14 has no TLS): true is a validation error."),               \
        DEF("redis.insecure", SLUICE_CFG_BOOLEAN, 0, "false", LOW, G_COMP,                         \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.cacert", SLUICE_CFG_STRING, NUL, NULL, LOW, G_COMP,                             \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.key.file", SLUICE_CFG_STRING, NUL, NULL, LOW, G_COMP,                           \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.key.cert", SLUICE_CFG_STRING, NUL, NULL, LOW, G_COMP,                           \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.key.password", SLUICE_CFG_PASSWORD, PW, NULL, LOW, G_COMP,                      \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.ssl.provider", SLUICE_CFG_STRING, NUL, NULL, LOW, G_COMP,                       \
            "TLS option; ignored with a warning."),                                                \
        DEF("redis.cluster", SLUICE_CFG_BOOLEAN, 0, "false", LOW, G_COMP,                          \
            "Not supported (one MULTI/EXEC per batch needs one node): true is an error."),         \
        DEF("redis.client.mode", SLUICE_CFG_STRING, 0, "Standalone", LOW, G_COMP,                  \
            "jcustenborder's client mode; only Standalone is supported."),                         \
        DEF("redis.pool", SLUICE_CFG_INT, NUL, NULL, LOW, G_COMP,                                  \
            "Ignored: one pipelined connection per task."),                                        \
        DEF("redis.charset", SLUICE_CFG_STRING, 0, "UTF-8", LOW, G_COMP,                           \
            "Only UTF-8 is supported."),                                                           \
        DEF("redis.auto.reconnect.enabled", SLUICE_CFG_BOOLEAN, 0, "true", LOW, G_COMP,            \
            "Ignored: the sink always reconnects."),                                               \
        DEF("redis.request.queue.size", SLUICE_CFG_INT, NUL, NULL, LOW, G_COMP, "Ignored."),       \
        DEF("redis.socket.tcp.no.delay.enabled", SLUICE_CFG_BOOLEAN, NUL, NULL, LOW, G_COMP,       \
            "Ignored (always on)."),                                                               \
        DEF("redis.socket.keep.alive.enabled", SLUICE_CFG_BOOLEAN, NUL, NULL, LOW, G_COMP,         \
            "Ignored (always on)."),                                                               \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static const struct sluice_config_def rs_config_defs[] = {
    RS_CONFIG_DEFS("HASH", "${topic}", NUL, NULL)};
static const struct sluice_config_def rs_jc_config_defs[] = {RS_CONFIG_DEFS("STRING", "", 0, "1")};

static const struct sluice_sink_ops rs_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .validate = rs_validate,
    .create = rs_create,
    .open = rs_open,
    .put = rs_put,
    .pre_commit = rs_pre_commit,
    .close = rs_close,
    .destroy = rs_destroy,
};

static const char *const rs_aliases[] = {"RedisSink", "redis-sink", NULL};

static const struct sluice_component rs_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "com.redis.kafka.connect.RedisSinkConnector",
    .aliases = rs_aliases,
    .version = SLUICE_VERSION,
    .description = "Mirrors rows (Debezium or plain) into Redis hashes, strings, streams, sets or "
                   "sorted sets, deletes included, exactly once",
    .config_defs = rs_config_defs,
    .ops = &rs_ops,
};

static const struct sluice_component rs_jc_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "com.github.jcustenborder.kafka.connect.redis.RedisSinkConnector",
    .aliases = NULL,
    .version = SLUICE_VERSION,
    .description = "The Redis sink with jcustenborder's defaults (STRING of the record key, "
                   "database 1)",
    .config_defs = rs_jc_config_defs,
    .ops = &rs_ops,
};

static const struct sluice_component *const rs_components[] = {&rs_component, &rs_jc_component,
                                                               NULL};

static const struct sluice_plugin_descriptor rs_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,    .name = "redis-sink",
    .version = SLUICE_VERSION,   .build_info = "sluice " SLUICE_VERSION " (hiredis 0.14)",
    .components = rs_components,
};

SLUICE_PLUGIN_DEFINE(rs_descriptor)
