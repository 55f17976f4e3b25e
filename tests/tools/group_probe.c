/*
 * group_probe.c — test-only program: joins a Kafka group with protocol type `connect` through
 * sl_group and prints one line per event on stdout (flushed), for tests/integration/it_group*.sh:
 *   JOINING                                    (join_prepare)
 *   LEADER gen=G members=N names=a,b,c         (assign callback, leader only)
 *   ASSIGNED gen=G protocol=P name=NAME data=D (every member after SyncGroup)
 *   LOST <reason> | FATAL <reason> | STOPPED ms=M
 * Each member's metadata is its NAME; the leader assigns "leader=<its name>;to=<name>;gen=G;n=N".
 * Usage: group_probe BOOTSTRAP GROUP NAME [--props FILE] [--session MS] [--heartbeat MS]
 *                    [--protocols p1,p2] [--exit-on-fatal]
 * Runs until SIGTERM/SIGINT (LeaveGroup, then exit 0). Never part of the worker.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/props.h"
#include "dist/group.h"
#include "dist/kconn.h"
#include "util/buf.h"
#include "util/log.h"

static volatile sig_atomic_t got_signal;
static atomic_bool got_fatal;
static bool exit_on_fatal;
static const char *my_name;
static char protocols[256] = "sessioned,compatible,default";

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

static int join_prepare(void *arg, sl_group_protocol *protos, size_t max, size_t *n)
{
    (void)arg;
    static char names[256];
    snprintf(names, sizeof names, "%s", protocols);
    *n = 0;
    char *save = NULL;
    for (char *p = strtok_r(names, ",", &save); p != NULL && *n < max;
         p = strtok_r(NULL, ",", &save)) {
        protos[*n].name = p;
        sl_buf_puts(&protos[*n].metadata, my_name);
        (*n)++;
    }
    printf("JOINING\n");
    fflush(stdout);
    return 0;
}

static int assign(void *arg, const char *leader_id, const char *protocol, int32_t generation,
                  const sl_group_member *members, size_t n, sl_buf *out)
{
    (void)arg;
    (void)leader_id;
    (void)protocol;
    sl_buf names = SL_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            sl_buf_putc(&names, ',');
        }
        sl_buf_append(&names, members[i].metadata, members[i].len);
        sl_buf_printf(&out[i], "leader=%s;to=%.*s;gen=%d;n=%zu", my_name, (int)members[i].len,
                      (const char *)members[i].metadata, generation, n);
    }
    printf("LEADER gen=%d members=%zu names=%s\n", generation, n, names.data ? names.data : "");
    fflush(stdout);
    sl_buf_free(&names);
    return 0;
}

static void assigned(void *arg, const char *protocol, int32_t generation, const char *member_id,
                     const void *data, size_t len)
{
    (void)arg;
    printf("ASSIGNED gen=%d protocol=%s name=%s member=%s data=%.*s\n", generation, protocol,
           my_name, member_id, (int)len, (const char *)data);
    fflush(stdout);
}

static void lost(void *arg, const char *reason)
{
    (void)arg;
    printf("LOST %s\n", reason);
    fflush(stdout);
}

static void fatal(void *arg, const char *reason)
{
    (void)arg;
    printf("FATAL %s\n", reason);
    fflush(stdout);
    atomic_store(&got_fatal, true);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: group_probe BOOTSTRAP GROUP NAME [--props FILE] [--session MS] "
                        "[--heartbeat MS] [--protocols p1,p2] [--exit-on-fatal]\n");
        return 2;
    }
    sl_log_init();
    my_name = argv[3];
    sl_props *props = sl_props_new();
    int32_t session = 6000, heartbeat = 1000;
    char err[512];
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--props") == 0 && i + 1 < argc) {
            if (sl_props_load_file(argv[++i], props, err, sizeof err) != 0) {
                fprintf(stderr, "%s\n", err);
                return 2;
            }
        } else if (strcmp(argv[i], "--session") == 0 && i + 1 < argc) {
            session = (int32_t)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--heartbeat") == 0 && i + 1 < argc) {
            heartbeat = (int32_t)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--protocols") == 0 && i + 1 < argc) {
            snprintf(protocols, sizeof protocols, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--exit-on-fatal") == 0) {
            exit_on_fatal = true;
        } else {
            fprintf(stderr, "group_probe: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    sl_props_set(props, "bootstrap.servers", argv[1]);
    if (sl_props_get(props, "request.timeout.ms") == NULL) {
        sl_props_set(props, "request.timeout.ms", "10000");
    }
    char client_id[128];
    snprintf(client_id, sizeof client_id, "connect-probe-%s", my_name);
    sl_group_conf conf = {
        .worker = props,
        .group_id = argv[2],
        .client_id = client_id,
        .protocol_type = "connect",
        .session_timeout_ms = session,
        .rebalance_timeout_ms = 20000,
        .heartbeat_interval_ms = heartbeat,
    };
    sl_group_callbacks cb = {
        .join_prepare = join_prepare,
        .assign = assign,
        .assigned = assigned,
        .lost = lost,
        .fatal = fatal,
    };
    sl_group *g = sl_group_new(&conf, &cb, err, sizeof err);
    if (g == NULL) {
        printf("CONFIG-ERROR %s\n", err);
        fflush(stdout);
        sl_props_free(props);
        return 3;
    }
    signal(SIGPIPE, SIG_IGN); /* as the worker does: OpenSSL writes with write(2) */
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (sl_group_start(g, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    while (!got_signal && !(exit_on_fatal && atomic_load(&got_fatal))) {
        usleep(20000);
    }
    int64_t t0 = sl_kconn_now_ms();
    sl_group_stop(g);
    printf("STOPPED ms=%lld\n", (long long)(sl_kconn_now_ms() - t0));
    fflush(stdout);
    sl_group_destroy(g);
    sl_props_free(props);
    return atomic_load(&got_fatal) ? 4 : 0;
}
