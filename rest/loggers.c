/*
 * loggers.c — /admin/loggers: list, read and set logger levels through worker/util/log.h, and
 * remember when REST last changed each one (Connect's last_modified). Never calls the herder.
 */
#include "rest/loggers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "rest/router.h"
#include "util/log.h"
#include "util/mem.h"

#define MAX_NAMES 256

static pthread_mutex_t mod_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[128];
    long long ms;
} modified[MAX_NAMES];
static int nmodified;

static long long now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void mark_modified(const char *name, long long ms)
{
    pthread_mutex_lock(&mod_lock);
    int i;
    for (i = 0; i < nmodified; i++) {
        if (strcmp(modified[i].name, name) == 0) {
            break;
        }
    }
    if (i < MAX_NAMES) {
        if (i == nmodified) {
            snprintf(modified[i].name, sizeof(modified[i].name), "%s", name);
            nmodified++;
        }
        modified[i].ms = ms;
    }
    pthread_mutex_unlock(&mod_lock);
}

static json_t *last_modified(const char *name)
{
    json_t *v = NULL;
    pthread_mutex_lock(&mod_lock);
    for (int i = 0; i < nmodified; i++) {
        if (strcmp(modified[i].name, name) == 0) {
            v = json_integer(modified[i].ms);
        }
    }
    pthread_mutex_unlock(&mod_lock);
    return v ? v : json_null();
}

static json_t *level_object(const char *name, int level)
{
    json_t *o = json_object();
    json_object_set_new(o, "level", json_string(sl_log_level_name(level)));
    json_object_set_new(o, "last_modified", last_modified(name));
    return o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Explicit loggers plus "root", sorted; the names point into log.c's table or are literals. */
static int known_loggers(const char **names, int *levels, int max)
{
    int n = sl_log_list_loggers(names, levels, max - 1);
    names[n] = "root";
    levels[n] = sl_log_logger_level(NULL);
    n++;
    /* Sort names and levels together: sort indexes by name. */
    const char *sorted[MAX_NAMES + 1];
    for (int i = 0; i < n; i++) {
        sorted[i] = names[i];
    }
    qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_str);
    int lv[MAX_NAMES + 1];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (names[j] == sorted[i]) {
                lv[i] = levels[j];
                break;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        names[i] = sorted[i];
        levels[i] = lv[i];
    }
    return n;
}

int sl_rest_loggers_list(json_t **out)
{
    const char *names[MAX_NAMES + 1];
    int levels[MAX_NAMES + 1];
    int n = known_loggers(names, levels, MAX_NAMES + 1);
    json_t *o = json_object();
    for (int i = 0; i < n; i++) {
        json_object_set_new(o, names[i], level_object(names[i], levels[i]));
    }
    *out = o;
    return 200;
}

int sl_rest_logger_get(const char *name, json_t **out, char *msg, size_t msglen)
{
    if (strcasecmp(name, "root") == 0) {
        *out = level_object("root", sl_log_logger_level(NULL));
        return 200;
    }
    const char *names[MAX_NAMES + 1];
    int levels[MAX_NAMES + 1];
    int n = sl_log_list_loggers(names, levels, MAX_NAMES);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = level_object(name, levels[i]);
            return 200;
        }
    }
    snprintf(msg, msglen, "Logger %s not found.", name);
    return 404;
}

static bool in_namespace(const char *logger, const char *ns, bool root)
{
    size_t l = strlen(ns);
    return root || strcmp(logger, ns) == 0 || (strncmp(logger, ns, l) == 0 && logger[l] == '.');
}

int sl_rest_logger_put(const char *name, const json_t *body, const char *scope, json_t **out,
                       char *msg, size_t msglen)
{
    *out = NULL;
    if (body == NULL) {
        snprintf(msg, msglen,
                 "Cannot invoke \"java.util.Map.get(Object)\" because \"levelMap\" "
                 "is null");
        return 500;
    }
    int rc = sl_rest_check_string_map(body, "java.util.HashMap<java.lang.String,java.lang.String>",
                                      msg, msglen);
    if (rc != 0) {
        return rc;
    }
    const json_t *lv = json_object_get(body, "level");
    if (lv == NULL || json_is_null(lv)) {
        snprintf(msg, msglen, "Desired 'level' parameter was not specified in request.");
        return 400;
    }
    char *text = sl_rest_scalar_text(lv);
    int level = sl_log_level_from_name(text);
    if (level < 0 && strcasecmp(text, "OFF") == 0) {
        level = SL_LOG_ERROR; /* the log API has no OFF; ERROR is the quietest it knows */
    }
    if (level < 0) {
        snprintf(msg, msglen, "invalid log level '%s'.", text);
        free(text);
        return 404;
    }
    free(text);

    bool root = strcasecmp(name, "root") == 0;
    const char *names[MAX_NAMES + 1];
    int levels[MAX_NAMES + 1];
    int n = sl_log_list_loggers(names, levels, MAX_NAMES);
    /* Copy the names first: setting levels may not move them, but keep no borrowed pointers
     * across calls that take log.c's lock. */
    char **changed = sl_xcalloc((size_t)n + 2, sizeof(char *));
    int nchanged = 0;
    for (int i = 0; i < n; i++) {
        if (in_namespace(names[i], name, root)) {
            changed[nchanged++] = sl_xstrdup(names[i]);
        }
    }
    bool self_listed = false;
    for (int i = 0; i < nchanged; i++) {
        self_listed |= strcmp(changed[i], name) == 0;
    }
    if (!self_listed) {
        changed[nchanged++] = sl_xstrdup(root ? "root" : name);
    }
    long long ms = now_ms();
    for (int i = 0; i < nchanged; i++) {
        bool is_root = strcmp(changed[i], "root") == 0;
        if (sl_log_set_logger_level(is_root ? NULL : changed[i], level) != 0) {
            sl_warn("Could not set the level of logger %s (too many loggers)", changed[i]);
        }
        mark_modified(changed[i], ms);
    }
    qsort(changed, (size_t)nchanged, sizeof(changed[0]), cmp_str);
    bool cluster = scope != NULL && strcasecmp(scope, "cluster") == 0;
    if (scope != NULL && !cluster && strcasecmp(scope, "worker") != 0) {
        sl_warn("Received invalid scope '%s' in log level PUT request; defaulting to worker scope",
                scope);
    }
    json_t *arr = json_array();
    for (int i = 0; i < nchanged; i++) {
        json_array_append_new(arr, json_string(changed[i]));
        free(changed[i]);
    }
    free(changed);
    if (cluster) {
        json_decref(arr);
        return 204;
    }
    *out = arr;
    return 200;
}
