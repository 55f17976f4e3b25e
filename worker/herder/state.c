/*
 * state.c — reads and writes the standalone connector state file (connectors.json).
 * It must never write a file in place (a crash mid-write would lose every connector): always a
 * temp file, fsync, rename, fsync of the directory. It never sees resolved config values.
 */
#include "herder/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"

#define STATE_FORMAT_VERSION 1

static const char *const target_names[] = {"STARTED", "PAUSED", "STOPPED"};

const char *sl_target_state_name(int target)
{
    if (target < 0 || target > SL_TARGET_STOPPED) {
        return "STARTED";
    }
    return target_names[target];
}

int sl_target_state_parse(const char *s)
{
    if (s == NULL) {
        return -1;
    }
    for (int i = 0; i <= SL_TARGET_STOPPED; i++) {
        if (strcasecmp(s, target_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void fsync_parent_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static json_t *entries_to_json(const struct sl_state_entry *entries, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(entries[i].name));
        json_object_set_new(c, "target_state",
                            json_string(sl_target_state_name(entries[i].target)));
        json_object_set_new(c, "config", sl_props_to_json(entries[i].config));
        json_array_append_new(arr, c);
    }
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("sluice-standalone-state"));
    json_object_set_new(root, "version", json_integer(STATE_FORMAT_VERSION));
    json_object_set_new(root, "connectors", arr);
    return root;
}

int sl_state_save(const char *path, const struct sl_state_entry *entries, size_t n, char *err,
                  size_t errlen)
{
    json_t *root = entries_to_json(entries, n);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL) {
        snprintf(err, errlen, "cannot serialise connector state");
        return -1;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        free(text);
        snprintf(err, errlen, "state file path too long: %s", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        free(text);
        return -1;
    }
    int rc = write_all(fd, text, strlen(text));
    if (rc == 0) {
        rc = write_all(fd, "\n", 1);
    }
    if (rc == 0) {
        rc = fsync(fd);
    }
    int saved = errno;
    close(fd);
    free(text);
    if (rc != 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(saved));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    fsync_parent_dir(path);
    return 0;
}

static int corrupt(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen,
             "standalone state file %s is corrupted: %s (fix or remove it; connectors are "
             "recreated from the command line and REST)",
             path, why);
    return -1;
}

static int entry_from_json(const char *path, json_t *c, struct sl_state_entry *e, char *err,
                           size_t errlen)
{
    char why[512];
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *cfg = json_object_get(c, "config");
    if (!json_is_object(c) || name == NULL || !json_is_object(cfg)) {
        return corrupt(err, errlen, path, "a connector entry lacks \"name\" or \"config\"");
    }
    json_t *ts = json_object_get(c, "target_state");
    int target = SL_TARGET_STARTED;
    if (ts != NULL) {
        target = sl_target_state_parse(json_string_value(ts));
        if (target < 0) {
            snprintf(why, sizeof why, "connector %s has an unknown target_state", name);
            return corrupt(err, errlen, path, why);
        }
    }
    sl_props *props = sl_props_new();
    char perr[256];
    if (sl_props_from_json(cfg, props, perr, sizeof perr) != 0) {
        sl_props_free(props);
        snprintf(why, sizeof why, "connector %s: %s", name, perr);
        return corrupt(err, errlen, path, why);
    }
    e->name = sl_xstrdup(name);
    e->config = props;
    e->target = target;
    return 0;
}

int sl_state_load(const char *path, struct sl_state_entry **entries, size_t *n, char *err,
                  size_t errlen)
{
    *entries = NULL;
    *n = 0;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        char why[400];
        snprintf(why, sizeof why, "line %d: %s", jerr.line, jerr.text);
        return corrupt(err, errlen, path, why);
    }
    json_t *arr = json_object_get(root, "connectors");
    json_t *ver = json_object_get(root, "version");
    if (!json_is_object(root) || !json_is_array(arr)) {
        json_decref(root);
        return corrupt(err, errlen, path, "expected an object with a \"connectors\" array");
    }
    if (ver != NULL && (!json_is_integer(ver) || json_integer_value(ver) > STATE_FORMAT_VERSION)) {
        json_decref(root);
        return corrupt(err, errlen, path,
                       "unsupported format version (written by a newer sluice?)");
    }
    size_t count = json_array_size(arr);
    struct sl_state_entry *out = sl_xcalloc(count > 0 ? count : 1, sizeof *out);
    for (size_t i = 0; i < count; i++) {
        if (entry_from_json(path, json_array_get(arr, i), &out[i], err, errlen) != 0) {
            sl_state_entries_free(out, i);
            json_decref(root);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(out[j].name, out[i].name) == 0) {
                char why[512];
                snprintf(why, sizeof why, "connector %s appears twice", out[i].name);
                sl_state_entries_free(out, i + 1);
                json_decref(root);
                return corrupt(err, errlen, path, why);
            }
        }
    }
    json_decref(root);
    *entries = out;
    *n = count;
    return 0;
}

void sl_state_entries_free(struct sl_state_entry *entries, size_t n)
{
    if (entries == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(entries[i].name);
        sl_props_free(entries[i].config);
    }
    free(entries);
}

int sl_state_mkdirs(const char *dir, char *err, size_t errlen)
{
    char buf[4096];
    if ((size_t)snprintf(buf, sizeof buf, "%s", dir) >= sizeof buf) {
        snprintf(err, errlen, "state directory path too long");
        return -1;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create state directory %s: %s", buf, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create state directory %s: %s", buf, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "state directory %s is not a directory", buf);
        return -1;
    }
    return 0;
}
