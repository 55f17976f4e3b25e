/*
 * main.c — the sluice command line: `standalone`, `distributed`, `plugins`, `version`.
 * It wires the pieces together in start-up order and waits for a signal; it must never hold
 * logic of its own beyond that (lifecycle lives in the herder, HTTP in rest/).
 */
#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "config/props.h"
#include "herder/herder.h"
#include "plugin/catalog.h"
#include "rest/rest.h"
#include "util/log.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

#define EXIT_USAGE 2

static void usage(FILE *f)
{
    fprintf(
        f, "Usage:\n"
           "  sluice standalone WORKER.properties [CONNECTOR.properties|CONNECTOR.json ...]\n"
           "  sluice distributed WORKER.properties\n"
           "  sluice plugins [--plugin-path DIR]\n"
           "  sluice version\n"
           "  sluice --help\n"
           "\n"
           "A Kafka Connect compatible worker: the same worker and connector files, the same REST\n"
           "API (listeners=http://:8083 by default). Sink plugins are .so files in plugin.path.\n"
           "Log level: SLUICE_LOG_LEVEL=error|warn|info|debug|trace.\n");
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- version ---- */

static int cmd_version(void)
{
    printf("sluice %s (Kafka Connect REST API 3.9 compatible)\n", SLUICE_VERSION);
    return 0;
}

/* ---- plugins ---- */

static const char *config_type_name(uint32_t type)
{
    static const char *const names[] = {"?",       "STRING", "INT",      "LONG", "DOUBLE",
                                        "BOOLEAN", "LIST",   "PASSWORD", "CLASS"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static void print_component(const struct sl_component *c)
{
    const struct sluice_component *comp = c->comp;
    printf("%-16s %s", sl_component_kind_name((int)comp->kind), comp->class_name);
    if (c->version != NULL) {
        printf("  %s", c->version);
    }
    printf("\n");
    if (comp->aliases != NULL && comp->aliases[0] != NULL) {
        printf("%-16s aliases: ", "");
        for (size_t i = 0; comp->aliases[i] != NULL; i++) {
            printf("%s%s", i > 0 ? ", " : "", comp->aliases[i]);
        }
        printf("\n");
    }
    printf("%-16s from: %s\n", "", c->file != NULL ? c->file : "built-in");
    for (size_t i = 0;; i++) {
        const struct sluice_config_def *d = sl_component_def_at(c, i);
        if (d == NULL || d->name == NULL) {
            break;
        }
        if (d->flags & SLUICE_CFG_F_HIDDEN) {
            continue;
        }
        printf("%-16s   %-40s %-8s", "", d->name, config_type_name(d->type));
        if (d->flags & SLUICE_CFG_F_REQUIRED) {
            printf(" (required)");
        } else if (d->default_value != NULL) {
            printf(" default \"%s\"", d->default_value);
        }
        printf("\n");
    }
}

static int cmd_plugins(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--plugin-path") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strncmp(argv[i], "--plugin-path=", 14) == 0) {
            path = argv[i] + 14;
        } else {
            fprintf(stderr, "sluice plugins: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    int refused = sl_catalog_load(path);
    static const int order[] = {SLUICE_KIND_SINK,      SLUICE_KIND_SOURCE,
                                SLUICE_KIND_TRANSFORM, SLUICE_KIND_PREDICATE,
                                SLUICE_KIND_CONVERTER, SLUICE_KIND_CONFIG_PROVIDER};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        for (size_t i = 0; i < sl_catalog_count(); i++) {
            const struct sl_component *c = sl_catalog_at(i);
            if ((int)c->comp->kind == order[k]) {
                print_component(c);
            }
        }
    }
    if (refused > 0) {
        fprintf(stderr, "%d plugin file(s) were refused (see the log above)\n", refused);
    }
    sl_catalog_shutdown();
    return 0;
}

/* ---- standalone ---- */

/* Keys that are not in the worker def table but that the worker (or Java's) reads. */
static const char *const known_prefixes[] = {
    "consumer.",         "producer.",        "admin.",
    "config.providers.", "listeners.https.", "admin.listeners.https.",
    "key.converter.",    "value.converter.", "header.converter.",
    "metrics.",          "rest.extension.",  NULL,
};
static const char *const known_keys[] = {"state.dir", "offset.storage.file.filename",
                                         "config.providers", NULL};

static bool worker_key_known(const char *key)
{
    for (size_t i = 0; sl_worker_config_defs[i].name != NULL; i++) {
        const struct sluice_config_def *d = &sl_worker_config_defs[i];
        if (strcmp(d->name, key) == 0 ||
            ((d->flags & SLUICE_CFG_F_PREFIX) && strncmp(key, d->name, strlen(d->name)) == 0)) {
            return true;
        }
    }
    for (size_t i = 0; known_keys[i] != NULL; i++) {
        if (strcmp(known_keys[i], key) == 0) {
            return true;
        }
    }
    for (size_t i = 0; known_prefixes[i] != NULL; i++) {
        if (strncmp(key, known_prefixes[i], strlen(known_prefixes[i])) == 0) {
            return true;
        }
    }
    return false;
}

static void warn_unknown_worker_keys(const sl_props *worker)
{
    for (size_t i = 0; i < sl_props_count(worker); i++) {
        const char *k = sl_props_key_at(worker, i);
        if (!worker_key_known(k)) {
            sl_warn("The configuration '%s' was supplied but isn't a known config.", k);
        }
    }
}

/* Create or re-apply one connector file from the command line. 0 or -1 (logged). */
static int apply_connector_file(sl_herder *h, const char *path)
{
    sl_props *cfg = NULL;
    char *initial = NULL;
    char err[2048];
    if (sl_props_load_connector_file(path, &cfg, &initial, err, sizeof err) != 0) {
        sl_error("Failed to read connector config %s: %s", path, err);
        return -1;
    }
    const char *name = sl_props_get(cfg, "name");
    int rc = 0;
    if (name == NULL || *name == '\0') {
        sl_error("Connector config %s has no 'name'", path);
        rc = -1;
    } else {
        sl_herr herr = {{0}};
        json_t *out = NULL;
        int st = sl_herder_info(h, name, &out, &herr);
        json_decref(out);
        out = NULL;
        if (st == 404) {
            st = sl_herder_create(h, name, cfg, initial, &out, &herr);
        } else {
            st = sl_herder_put_config(h, name, cfg, &out, &herr);
        }
        json_decref(out);
        if (st >= 300) {
            sl_error("Failed to create connector for %s: %s", path, herr.message);
            rc = -1;
        }
    }
    sl_props_free(cfg);
    free(initial);
    return rc;
}

static int wait_for_signal(const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        int rc = sigwait(set, &sig);
        if (rc == 0) {
            return sig;
        }
        if (rc != EINTR) {
            return SIGTERM;
        }
    }
}

static int cmd_standalone(int argc, char **argv, const sigset_t *sigs)
{
    if (argc < 1) {
        fprintf(stderr, "sluice standalone: missing WORKER.properties\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sl_info("sluice %s starting in standalone mode", SLUICE_VERSION);

    char err[2048];
    sl_props *worker = sl_props_new();
    if (sl_props_load_file(argv[0], worker, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: cannot load worker config %s: %s\n", argv[0], err);
        sl_props_free(worker);
        return 1;
    }
    warn_unknown_worker_keys(worker);

    const char *plugin_path = sl_props_get(worker, "plugin.path");
    int refused = sl_catalog_load(plugin_path != NULL && *plugin_path != '\0' ? plugin_path : NULL);
    sl_info("Loaded %zu components (%d plugin file(s) refused)", sl_catalog_count(), refused);

    sl_herder *h = sl_herder_new(worker, err, sizeof err);
    if (h == NULL) {
        sl_error("Failed to start the worker: %s", err);
        sl_catalog_shutdown();
        sl_props_free(worker);
        return 1;
    }
    if (sl_herder_start(h, err, sizeof err) != 0) {
        sl_error("Failed to start the worker: %s", err);
        sl_herder_destroy(h);
        sl_catalog_shutdown();
        sl_props_free(worker);
        return 1;
    }
    sl_rest *rest = sl_rest_start(h, worker, err, sizeof err);
    if (rest == NULL) {
        sl_error("Failed to start the REST server: %s", err);
        sl_herder_destroy(h);
        sl_catalog_shutdown();
        sl_props_free(worker);
        return 1;
    }
    const char *url = sl_rest_advertised_url(rest); /* sl_rest_start also set the worker id */
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (apply_connector_file(h, argv[i]) != 0) {
            rc = 1;
        }
    }
    if (rc == 0) {
        sl_info("Worker ready in %.1f ms; REST API at %s", elapsed_ms(&t0),
                url != NULL ? url : "(unknown)");
        int sig = wait_for_signal(sigs);
        sl_info("Received %s; shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    sl_rest_stop(rest);
    sl_herder_stop(h);
    sl_herder_destroy(h);
    sl_catalog_shutdown();
    sl_props_free(worker);
    sl_info("Worker stopped");
    return rc;
}

/* ---- distributed ---- */

/* The keys Java's DistributedConfig requires (no defaults), in its order. */
static int check_distributed_keys(const sl_props *worker, char *err, size_t errlen)
{
    static const char *const required[] = {
        "group.id",
        "config.storage.topic",
        "offset.storage.topic",
        "status.storage.topic",
        "key.converter",
        "value.converter",
        NULL,
    };
    for (size_t i = 0; required[i] != NULL; i++) {
        const char *v = sl_props_get(worker, required[i]);
        if (v == NULL) {
            snprintf(err, errlen,
                     "Missing required configuration \"%s\" which has no default value.",
                     required[i]);
            return -1;
        }
    }
    return sl_worker_config_check(worker, true, err, errlen);
}

/* Distributed start-up can wait on Kafka for a while (internal topics, reading them to the end):
 * a signal must still stop the worker then, like Java's shutdown hook. */
struct sigwatch {
    const sigset_t *sigs;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool started;
    int sig;
};

static void *sigwatch_main(void *arg)
{
    struct sigwatch *w = arg;
    int sig = wait_for_signal(w->sigs);
    pthread_mutex_lock(&w->mu);
    if (!w->started) {
        pthread_mutex_unlock(&w->mu);
        sl_info("Received %s during start-up; exiting", sig == SIGINT ? "SIGINT" : "SIGTERM");
        _exit(0); /* nothing runs yet: no task started, no assignment taken */
    }
    w->sig = sig;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int cmd_distributed(int argc, char **argv, const sigset_t *sigs)
{
    if (argc != 1) {
        fprintf(stderr, "sluice distributed: %s\n",
                argc < 1 ? "missing WORKER.properties" : "takes exactly one WORKER.properties");
        usage(stderr);
        return EXIT_USAGE;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sl_info("sluice %s starting in distributed mode", SLUICE_VERSION);
    char err[2048];
    sl_props *worker = sl_props_new();
    if (sl_props_load_file(argv[0], worker, err, sizeof err) != 0) {
        fprintf(stderr, "sluice: cannot load worker config %s: %s\n", argv[0], err);
        sl_props_free(worker);
        return 1;
    }
    if (check_distributed_keys(worker, err, sizeof err) != 0) {
        sl_error("Stopping due to error: org.apache.kafka.common.config.ConfigException: %s", err);
        fprintf(stderr, "sluice: %s\n", err);
        sl_props_free(worker);
        return 1;
    }
    warn_unknown_worker_keys(worker);
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: leader forwarding uses libcurl */

    const char *plugin_path = sl_props_get(worker, "plugin.path");
    int refused = sl_catalog_load(plugin_path != NULL && *plugin_path != '\0' ? plugin_path : NULL);
    sl_info("Loaded %zu components (%d plugin file(s) refused)", sl_catalog_count(), refused);

    int rc = 1;
    sl_rest *rest = NULL;
    struct sigwatch w = {.sigs = sigs};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cond, NULL);
    pthread_t watcher;
    bool watching = pthread_create(&watcher, NULL, sigwatch_main, &w) == 0;
    sl_herder *h = sl_herder_new_distributed(worker, err, sizeof err);
    if (h == NULL) {
        sl_error("Failed to start the worker: %s", err);
        goto out;
    }
    /* REST first: the advertised URL goes into the group metadata and the worker id into the
     * status records. Until the herder has joined, leader-only requests answer 409. */
    rest = sl_rest_start(h, worker, err, sizeof err);
    if (rest == NULL) {
        sl_error("Failed to start the REST server: %s", err);
        goto out;
    }
    if (sl_herder_start(h, err, sizeof err) != 0) {
        sl_error("Failed to start the worker: %s", err);
        goto out;
    }
    const char *url = sl_rest_advertised_url(rest);
    sl_info("Worker ready in %.1f ms; REST API at %s", elapsed_ms(&t0),
            url != NULL ? url : "(unknown)");
    pthread_mutex_lock(&w.mu);
    w.started = true;
    while (watching && w.sig == 0) {
        pthread_cond_wait(&w.cond, &w.mu);
    }
    int sig = w.sig;
    pthread_mutex_unlock(&w.mu);
    if (!watching) {
        sig = wait_for_signal(sigs);
    }
    sl_info("Received %s; shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
out:
    if (watching && rc != 0) {
        pthread_mutex_lock(&w.mu);
        w.started = true; /* a signal from now on only ends the wait below */
        pthread_mutex_unlock(&w.mu);
        pthread_cancel(watcher);
    }
    if (watching) {
        pthread_join(watcher, NULL);
    }
    /* Stop the work and leave the group before the REST server goes away: requests in flight may
     * still be answered. */
    sl_herder_stop(h);
    sl_rest_stop(rest);
    sl_herder_destroy(h);
    sl_catalog_shutdown();
    curl_global_cleanup();
    sl_props_free(worker);
    sl_info("Worker stopped");
    return rc;
}

int main(int argc, char **argv)
{
    /* Block the shutdown signals before any thread exists so every thread inherits the mask and
     * only sigwait() in this thread sees them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* glibc raises its mmap threshold to the size of each mmap'ed block freed (up to 32 MiB), so
     * once librdkafka has freed a few multi-MiB fetch responses, later ones come from the heap
     * and stay in the RSS after they are freed: ~25 MB more peak RSS on the ClickHouse bench. A
     * fixed threshold keeps big buffers mmap'ed and returned. MALLOC_MMAP_THRESHOLD_ wins. */
    if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL) {
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    }

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        return cmd_version();
    }
    sl_log_init();
    if (strcmp(cmd, "standalone") == 0) {
        return cmd_standalone(argc - 2, argv + 2, &sigs);
    }
    if (strcmp(cmd, "distributed") == 0) {
        return cmd_distributed(argc - 2, argv + 2, &sigs);
    }
    if (strcmp(cmd, "plugins") == 0) {
        return cmd_plugins(argc - 2, argv + 2);
    }
    fprintf(stderr, "sluice: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
