/*
 * sluice-mock-kafka: librdkafka's mock cluster (rdkafka_mock.h) as a standalone process, the dev
 * and test Kafka broker. It prints the bootstrap servers as its first stdout line, then answers
 * fault-injection commands read from stdin with one "ok" / "error: ..." line each.
 * It must never be linked into the worker or shipped as a Kafka substitute: it keeps data in memory
 * only, and its limits are listed in docs/mock-kafka.md.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MK_LINE_MAX 4096
#define MK_ARGS_MAX 8

static volatile sig_atomic_t mk_stop;

static void mk_on_signal(int sig)
{
    (void)sig;
    mk_stop = 1;
}

/* The hosting handle learns the mock brokers as bootstrap brokers and reports every refused
 * connection while a broker is down; those lines are noise here, everything else goes to stderr. */
static void mk_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (strcmp(fac, "FAIL") == 0 || strcmp(fac, "ERROR") == 0) {
        return;
    }
    fprintf(stderr, "sluice-mock-kafka: %d|%s| %s\n", level, fac, buf);
}

static void mk_usage(FILE *out)
{
    fputs("usage: sluice-mock-kafka [--brokers N] [--topic NAME:PARTITIONS]... [--debug CONTEXTS]\n"
          "                         [--help]\n"
          "\n"
          "Runs librdkafka's in-memory mock Kafka cluster on 127.0.0.1 (random ports).\n"
          "The first stdout line is the bootstrap.servers list. Runs until SIGTERM/SIGINT;\n"
          "stdin may be closed. Commands on stdin, one per line, each answered with one\n"
          "line \"ok\" or \"error: <why>\":\n"
          "  broker down ID | broker up ID       (ID -1 = all brokers)\n"
          "  rtt ID MS                           (added response delay)\n"
          "  topic NAME PARTITIONS [REPLICAS]    (create with an exact partition count)\n"
          "  leader TOPIC PARTITION BROKERID     (move a partition's leader; -1 = none)\n"
          "  error API_KEY ERRCODE [COUNT]       (next COUNT requests of API_KEY fail)\n"
          "  broker-error ID API_KEY ERRCODE [COUNT] [RTT_MS]\n"
          "  clear API_KEY                       (drop pushed cluster-level errors)\n"
          "  coordinator group|transaction ID BROKERID\n"
          "  topic-error NAME ERRCODE            (Metadata error for a topic; 0 clears)\n"
          "  help\n"
          "API_KEY is a number (Produce=0, Fetch=1, OffsetCommit=8, ...) or a name;\n"
          "ERRCODE is a Kafka error number or name (e.g. 16 or NOT_COORDINATOR, -195 or\n"
          "_TRANSPORT to drop the connection).\n"
          "Options:\n"
          "  --brokers N               number of brokers, ids 1..N (default 1)\n"
          "  --topic NAME:PARTITIONS   pre-create a topic (repeatable); others are\n"
          "                            auto-created with 4 partitions\n"
          "  --debug CONTEXTS          librdkafka debug contexts to stderr (e.g. mock)\n"
          "  --port P                  not supported: librdkafka 2.0 binds random ports\n",
          out);
}

/* Strict decimal parse of a whole token into [lo, hi]; -1 on anything else. */
static int mk_parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end = NULL;
    long long v;

    if (s == NULL || *s == '\0') {
        return -1;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

static const struct {
    const char *name;
    int key;
} mk_api_names[] = {
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"DescribeGroups", 15},
    {"ListGroups", 16},
    {"ApiVersions", 18},
    {"CreateTopics", 19},
    {"InitProducerId", 22},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
    {"DescribeConfigs", 32},
    {"OffsetDelete", 47},
};

static int mk_parse_api_key(const char *s, int16_t *out)
{
    long long v;
    size_t i;

    if (mk_parse_int(s, 0, 32767, &v) == 0) {
        *out = (int16_t)v;
        return 0;
    }
    for (i = 0; i < sizeof(mk_api_names) / sizeof(mk_api_names[0]); i++) {
        if (strcasecmp(s, mk_api_names[i].name) == 0) {
            *out = (int16_t)mk_api_names[i].key;
            return 0;
        }
    }
    return -1;
}

static int mk_parse_err(const char *s, rd_kafka_resp_err_t *out)
{
    const struct rd_kafka_err_desc *descs = NULL;
    size_t cnt = 0;
    size_t i;
    long long v;

    if (mk_parse_int(s, -200, 32767, &v) == 0) {
        *out = (rd_kafka_resp_err_t)v;
        return 0;
    }
    rd_kafka_get_err_descs(&descs, &cnt);
    for (i = 0; i < cnt; i++) {
        if (descs[i].name != NULL && strcasecmp(descs[i].name, s) == 0) {
            *out = descs[i].code;
            return 0;
        }
    }
    return -1;
}

/* Writes the one reply line for a command. */
static void mk_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mk_reply(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static void mk_reply_err(rd_kafka_resp_err_t err)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        mk_reply("ok");
    } else {
        mk_reply("error: %s (%s)", rd_kafka_err2name(err), rd_kafka_err2str(err));
    }
}

static int mk_create_topic(rd_kafka_mock_cluster_t *mc, const char *name, long long parts,
                           long long replicas, char *why, size_t whylen)
{
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, (int)parts, (int)replicas);

    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(why, whylen, "%s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static void mk_push_errors(rd_kafka_mock_cluster_t *mc, int16_t key, rd_kafka_resp_err_t code,
                           size_t count)
{
    rd_kafka_resp_err_t *errs = calloc(count, sizeof(*errs));
    size_t i;

    if (errs == NULL) {
        mk_reply("error: out of memory");
        return;
    }
    for (i = 0; i < count; i++) {
        errs[i] = code;
    }
    rd_kafka_mock_push_request_errors_array(mc, key, count, errs);
    free(errs);
    mk_reply("ok");
}

static void mk_cmd_broker_error(rd_kafka_mock_cluster_t *mc, char **av, int ac)
{
    long long id, count = 1, rtt = 0;
    int16_t key;
    rd_kafka_resp_err_t code, err = RD_KAFKA_RESP_ERR_NO_ERROR;

    if (ac < 4 || ac > 6 || mk_parse_int(av[1], 0, INT32_MAX, &id) != 0 ||
        mk_parse_api_key(av[2], &key) != 0 || mk_parse_err(av[3], &code) != 0 ||
        (ac > 4 && mk_parse_int(av[4], 1, 100000, &count) != 0) ||
        (ac > 5 && mk_parse_int(av[5], 0, 3600000, &rtt) != 0)) {
        mk_reply("error: usage: broker-error ID API_KEY ERRCODE [COUNT] [RTT_MS]");
        return;
    }
    /* The varargs API takes (err, rtt) pairs; push them one at a time. */
    for (long long i = 0; i < count && !err; i++) {
        err = rd_kafka_mock_broker_push_request_error_rtts(mc, (int32_t)id, key, 1, code, (int)rtt);
    }
    mk_reply_err(err);
}

static void mk_dispatch(rd_kafka_mock_cluster_t *mc, char **av, int ac)
{
    long long a, b, c;
    int16_t key;
    rd_kafka_resp_err_t code;
    char why[256];
    const char *cmd = av[0];

    if (strcmp(cmd, "help") == 0) {
        mk_reply("ok commands: broker down|up ID, rtt ID MS, topic NAME PARTITIONS, leader TOPIC "
                 "PARTITION BROKERID, error API_KEY ERRCODE [COUNT], broker-error ID API_KEY "
                 "ERRCODE [COUNT] [RTT_MS], clear API_KEY, coordinator group|transaction ID "
                 "BROKERID, topic-error NAME ERRCODE, help");
    } else if (strcmp(cmd, "broker") == 0) {
        if (ac != 3 || mk_parse_int(av[2], -1, INT32_MAX, &a) != 0 ||
            (strcmp(av[1], "down") != 0 && strcmp(av[1], "up") != 0)) {
            mk_reply("error: usage: broker down|up ID");
            return;
        }
        mk_reply_err(strcmp(av[1], "down") == 0 ? rd_kafka_mock_broker_set_down(mc, (int32_t)a)
                                                : rd_kafka_mock_broker_set_up(mc, (int32_t)a));
    } else if (strcmp(cmd, "rtt") == 0) {
        if (ac != 3 || mk_parse_int(av[1], -1, INT32_MAX, &a) != 0 ||
            mk_parse_int(av[2], 0, 3600000, &b) != 0) {
            mk_reply("error: usage: rtt ID MS");
            return;
        }
        mk_reply_err(rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b));
    } else if (strcmp(cmd, "topic") == 0) {
        c = 1;
        if (ac < 3 || ac > 4 || mk_parse_int(av[2], 1, 100000, &b) != 0 ||
            (ac == 4 && mk_parse_int(av[3], 1, 1000, &c) != 0)) {
            mk_reply("error: usage: topic NAME PARTITIONS [REPLICAS]");
            return;
        }
        if (mk_create_topic(mc, av[1], b, c, why, sizeof(why)) != 0) {
            mk_reply("error: %s", why);
            return;
        }
        mk_reply("ok");
    } else if (strcmp(cmd, "leader") == 0) {
        if (ac != 4 || mk_parse_int(av[2], 0, INT32_MAX, &a) != 0 ||
            mk_parse_int(av[3], -1, INT32_MAX, &b) != 0) {
            mk_reply("error: usage: leader TOPIC PARTITION BROKERID");
            return;
        }
        mk_reply_err(rd_kafka_mock_partition_set_leader(mc, av[1], (int32_t)a, (int32_t)b));
    } else if (strcmp(cmd, "error") == 0) {
        a = 1;
        if (ac < 3 || ac > 4 || mk_parse_api_key(av[1], &key) != 0 ||
            mk_parse_err(av[2], &code) != 0 ||
            (ac == 4 && mk_parse_int(av[3], 1, 100000, &a) != 0)) {
            mk_reply("error: usage: error API_KEY ERRCODE [COUNT]");
            return;
        }
        mk_push_errors(mc, key, code, (size_t)a);
    } else if (strcmp(cmd, "broker-error") == 0) {
        mk_cmd_broker_error(mc, av, ac);
    } else if (strcmp(cmd, "clear") == 0) {
        if (ac != 2 || mk_parse_api_key(av[1], &key) != 0) {
            mk_reply("error: usage: clear API_KEY");
            return;
        }
        rd_kafka_mock_clear_request_errors(mc, key);
        mk_reply("ok");
    } else if (strcmp(cmd, "coordinator") == 0) {
        if (ac != 4 || (strcmp(av[1], "group") != 0 && strcmp(av[1], "transaction") != 0) ||
            mk_parse_int(av[3], 0, INT32_MAX, &a) != 0) {
            mk_reply("error: usage: coordinator group|transaction ID BROKERID");
            return;
        }
        mk_reply_err(rd_kafka_mock_coordinator_set(mc, av[1], av[2], (int32_t)a));
    } else if (strcmp(cmd, "topic-error") == 0) {
        if (ac != 3 || mk_parse_err(av[2], &code) != 0) {
            mk_reply("error: usage: topic-error NAME ERRCODE");
            return;
        }
        rd_kafka_mock_topic_set_error(mc, av[1], code);
        mk_reply("ok");
    } else {
        mk_reply("error: unknown command '%s' (try: help)", cmd);
    }
}

/* Splits one command line on blanks and runs it; blank lines and '#' comments get no reply. */
static void mk_run_line(rd_kafka_mock_cluster_t *mc, char *line)
{
    char *av[MK_ARGS_MAX];
    char *save = NULL;
    char *tok;
    int ac = 0;

    for (tok = strtok_r(line, " \t\r", &save); tok != NULL; tok = strtok_r(NULL, " \t\r", &save)) {
        if (ac == MK_ARGS_MAX) {
            mk_reply("error: too many arguments");
            return;
        }
        av[ac++] = tok;
    }
    if (ac == 0 || av[0][0] == '#') {
        return;
    }
    mk_dispatch(mc, av, ac);
}

/* Command-line reader state: bytes of the current line, and whether an overlong line is being
 * skipped up to its newline. */
struct mk_input {
    char buf[MK_LINE_MAX];
    size_t used;
    bool skipping;
};

/* Reads what stdin has and runs each complete line; a last line without a newline runs at EOF.
 * Returns false once stdin is at EOF or broken. */
static bool mk_read_stdin(rd_kafka_mock_cluster_t *mc, struct mk_input *in)
{
    ssize_t n = read(STDIN_FILENO, in->buf + in->used, MK_LINE_MAX - 1 - in->used);
    char *nl;

    if (n < 0) {
        return errno == EINTR || errno == EAGAIN;
    }
    if (n == 0) {
        if (in->used > 0 && !in->skipping) {
            in->buf[in->used] = '\0';
            mk_run_line(mc, in->buf);
        }
        in->used = 0;
        return false;
    }
    in->used += (size_t)n;
    in->buf[in->used] = '\0';
    while ((nl = memchr(in->buf, '\n', in->used)) != NULL) {
        size_t linelen = (size_t)(nl - in->buf) + 1;

        *nl = '\0';
        if (!in->skipping) {
            mk_run_line(mc, in->buf);
        }
        in->skipping = false;
        memmove(in->buf, in->buf + linelen, in->used - linelen);
        in->used -= linelen;
        in->buf[in->used] = '\0';
    }
    if (in->used == MK_LINE_MAX - 1) {
        if (!in->skipping) {
            mk_reply("error: command line too long");
        }
        in->skipping = true;
        in->used = 0;
    }
    return true;
}

/* Serves stdin commands until SIGTERM/SIGINT. The signals stay blocked except inside ppoll,
 * so a signal can never slip in between the flag check and the wait. */
static void mk_serve(rd_kafka_mock_cluster_t *mc, const sigset_t *waitmask)
{
    static struct mk_input in;
    bool stdin_open = true;
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};

    while (!mk_stop) {
        int rc = ppoll(&pfd, stdin_open ? 1 : 0, NULL, waitmask);

        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "sluice-mock-kafka: poll: %s\n", strerror(errno));
            return;
        }
        if (stdin_open && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) {
            if (pfd.revents & POLLNVAL) {
                stdin_open = false;
            } else {
                stdin_open = mk_read_stdin(mc, &in);
            }
        }
    }
}

static int mk_add_topic_arg(rd_kafka_mock_cluster_t *mc, const char *arg)
{
    char name[512];
    const char *colon = strrchr(arg, ':');
    long long parts;
    char why[256];
    size_t namelen;

    if (colon == NULL || colon == arg || mk_parse_int(colon + 1, 1, 100000, &parts) != 0) {
        fprintf(stderr, "sluice-mock-kafka: --topic wants NAME:PARTITIONS, got '%s'\n", arg);
        return -1;
    }
    namelen = (size_t)(colon - arg);
    if (namelen >= sizeof(name)) {
        fprintf(stderr, "sluice-mock-kafka: topic name too long: '%s'\n", arg);
        return -1;
    }
    memcpy(name, arg, namelen);
    name[namelen] = '\0';
    if (mk_create_topic(mc, name, parts, 1, why, sizeof(why)) != 0) {
        fprintf(stderr, "sluice-mock-kafka: cannot create topic '%s': %s\n", name, why);
        return -1;
    }
    return 0;
}

/* What the command line asked for; topics point into argv. */
struct mk_opts {
    long long brokers;
    const char *debug;
    const char **topics;
    int ntopics;
};

/* Parses the command line. Returns -1 to run, or the exit status (0 after --help). */
static int mk_parse_args(int argc, char **argv, struct mk_opts *o)
{
    static const struct option opts[] = {
        {"brokers", required_argument, NULL, 'b'}, {"topic", required_argument, NULL, 't'},
        {"port", required_argument, NULL, 'p'},    {"debug", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int opt;

    while ((opt = getopt_long(argc, argv, "b:t:p:d:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            if (mk_parse_int(optarg, 1, 64, &o->brokers) != 0) {
                fprintf(stderr, "sluice-mock-kafka: --brokers wants 1..64, got '%s'\n", optarg);
                return 2;
            }
            break;
        case 't':
            o->topics[o->ntopics++] = optarg;
            break;
        case 'd':
            o->debug = optarg;
            break;
        case 'p':
            fprintf(stderr,
                    "sluice-mock-kafka: --port is not supported: librdkafka %s's mock "
                    "cluster always binds random ports on 127.0.0.1\n",
                    rd_kafka_version_str());
            return 2;
        case 'h':
            mk_usage(stdout);
            return 0;
        default:
            mk_usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        mk_usage(stderr);
        return 2;
    }
    return -1;
}

/* Blocks SIGTERM/SIGINT before any librdkafka thread exists, so every thread inherits the mask
 * and only ppoll in the main thread takes them; *waitmask is the mask to wait with. */
static void mk_setup_signals(sigset_t *waitmask)
{
    struct sigaction sa;
    sigset_t block;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, waitmask);
    sigdelset(waitmask, SIGTERM);
    sigdelset(waitmask, SIGINT);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = mk_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The handle that hosts the mock cluster; it never connects anywhere itself. NULL on error. */
static rd_kafka_t *mk_new_handle(const char *debug)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    rd_kafka_t *rk;

    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
    rd_kafka_conf_set_log_cb(conf, mk_log);
    if (debug != NULL &&
        (rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
         rd_kafka_conf_set(conf, "log_level", "7", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)) {
        fprintf(stderr, "sluice-mock-kafka: --debug: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "sluice-mock-kafka: rd_kafka_new: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

int main(int argc, char **argv)
{
    struct mk_opts o = {.brokers = 1};
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    sigset_t waitmask;
    int rc;

    o.topics = calloc((size_t)argc + 1, sizeof(*o.topics));
    if (o.topics == NULL) {
        return 1;
    }
    rc = mk_parse_args(argc, argv, &o);
    if (rc >= 0) {
        free(o.topics);
        return rc;
    }
    rc = 1;
    mk_setup_signals(&waitmask);
    setvbuf(stdout, NULL, _IOLBF, 0);

    rk = mk_new_handle(o.debug);
    if (rk == NULL) {
        goto out;
    }
    mc = rd_kafka_mock_cluster_new(rk, (int)o.brokers);
    if (mc == NULL) {
        fprintf(stderr, "sluice-mock-kafka: cannot create the mock cluster\n");
        goto out;
    }
    for (int i = 0; i < o.ntopics; i++) {
        if (mk_add_topic_arg(mc, o.topics[i]) != 0) {
            goto out;
        }
    }

    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    fprintf(stderr, "sluice-mock-kafka: %lld broker(s) at %s (librdkafka %s)\n", o.brokers,
            rd_kafka_mock_cluster_bootstraps(mc), rd_kafka_version_str());

    mk_serve(mc, &waitmask);
    rc = 0;

out:
    if (mc != NULL) {
        rd_kafka_mock_cluster_destroy(mc);
    }
    if (rk != NULL) {
        rd_kafka_destroy(rk);
    }
    free(o.topics);
    return rc;
}
