/*
 * file_sink.c — sluice_file_sink.so, the equivalent of Kafka's FileStreamSinkConnector: appends one
 * line per record value to the file named by `file` (standard output when unset), and makes the
 * file durable (fflush + fsync) in pre_commit so committed offsets never run ahead of what is on
 * disk. It must never see the worker except through the host table, and never allocate per record.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/common/shortnum.h"

#include "sluice/plugin.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

#define FILE_CONFIG "file"

struct fs_task {
    sluice_ctx *ctx;
    FILE *out;
    int is_stdout;
    char *path;
    sluice_buf *lines;   /* one batch's lines, reused across batches */
    sluice_buf *scratch; /* one value's JSON when it needs post-processing */
};

/* Java's Double.toString for the common cases: shortest text that reads back, with ".0" if
 * integral. */
static void put_double(sluice_buf *b, double d, int is_float)
{
    if (isnan(d)) {
        sluice_host->buf_append(b, "NaN", 3);
        return;
    }
    if (isinf(d)) {
        sluice_host->buf_printf(b, "%sInfinity", d < 0 ? "-" : "");
        return;
    }
    char text[SL_SHORTNUM_MAX];
    size_t n = sl_shortnum_g(d, is_float, text);
    sluice_host->buf_append(b, text, n);
    if (strpbrk(text, ".e") == NULL) {
        sluice_host->buf_append(b, ".0", 2);
    }
}

/* Decimal text of x without printf's format parsing (one call per integer record). */
static void put_int(sluice_buf *b, int64_t x)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp);
    char *p = end;
    uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (x < 0) {
        *--p = '-';
    }
    sluice_host->buf_append(b, p, (size_t)(end - p));
}

/* Bytes print as Base64 (Java would print an array identity); decimals as their number. */
static void put_bytes(struct fs_task *t, const sluice_value *v)
{
    sluice_host->buf_reset(t->scratch);
    sluice_host->val_to_json(v, t->scratch);
    const char *s = sluice_host->buf_data(t->scratch);
    size_t n = sluice_host->buf_len(t->scratch);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    sluice_host->buf_append(t->lines, s, n);
}

/* String.valueOf(record.value()), approximated: structs, maps and arrays are written as JSON. */
static void put_value(struct fs_task *t, const sluice_value *v)
{
    sluice_buf *b = t->lines;
    size_t len = 0;
    switch (sluice_host->val_type(v)) {
    case SLUICE_TYPE_NULL:
        sluice_host->buf_append(b, "null", 4);
        break;
    case SLUICE_TYPE_STRING: {
        const char *s = sluice_host->val_string(v, &len);
        sluice_host->buf_append(b, s, len);
        break;
    }
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64:
        put_int(b, sluice_host->val_int(v));
        break;
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64:
        put_double(b, sluice_host->val_double(v), sluice_host->val_type(v) == SLUICE_TYPE_FLOAT32);
        break;
    case SLUICE_TYPE_BOOLEAN:
        if (sluice_host->val_bool(v)) {
            sluice_host->buf_append(b, "true", 4);
        } else {
            sluice_host->buf_append(b, "false", 5);
        }
        break;
    case SLUICE_TYPE_BYTES:
        put_bytes(t, v);
        break;
    default:
        sluice_host->val_to_json(v, b);
        break;
    }
    sluice_host->buf_append(b, "\n", 1);
}

static sluice_rc fs_create(sluice_ctx *ctx, const sluice_config *cfg, void **task)
{
    const char *path = sluice_host->cfg_string(cfg, FILE_CONFIG);
    struct fs_task *t = sluice_host->calloc(1, sizeof(*t));
    t->ctx = ctx;
    if (path == NULL || path[0] == '\0') {
        t->out = stdout;
        t->is_stdout = 1;
    } else {
        t->out = fopen(path, "a");
        if (t->out == NULL) {
            sluice_host->set_error(ctx,
                                   "Couldn't find or create file '%s' for FileStreamSinkTask: %s",
                                   path, strerror(errno));
            sluice_host->free(t);
            return SLUICE_ERR;
        }
        t->path = sluice_host->strdup(path);
    }
    t->lines = sluice_host->buf_new();
    t->scratch = sluice_host->buf_new();
    SLUICE_INFO(ctx, "FileStreamSink writing to %s", t->is_stdout ? "standard output" : path);
    *task = t;
    return SLUICE_OK;
}

static sluice_rc fs_put(void *task, sluice_record *const *records, size_t n)
{
    struct fs_task *t = task;
    if (n == 0) {
        return SLUICE_OK;
    }
    sluice_host->buf_reset(t->lines);
    for (size_t i = 0; i < n; i++) {
        put_value(t, sluice_host->rec_value(records[i]));
    }
    size_t len = sluice_host->buf_len(t->lines);
    if (fwrite(sluice_host->buf_data(t->lines), 1, len, t->out) != len) {
        sluice_host->set_error(t->ctx, "FileStreamSink: could not write to %s: %s",
                               t->is_stdout ? "standard output" : t->path, strerror(errno));
        return SLUICE_ERR;
    }
    return SLUICE_OK;
}

static sluice_rc fs_pre_commit(void *task, sluice_offsets *offsets)
{
    struct fs_task *t = task;
    if (fflush(t->out) != 0) {
        sluice_host->set_error(t->ctx, "FileStreamSink: could not flush %s: %s",
                               t->is_stdout ? "standard output" : t->path, strerror(errno));
        return SLUICE_ERR;
    }
    /* Pipes and terminals cannot be synced; that is fine for standard output. */
    if (fsync(fileno(t->out)) != 0 && !(t->is_stdout && (errno == EINVAL || errno == EROFS ||
                                                         errno == ENOTSUP || errno == EBADF))) {
        sluice_host->set_error(t->ctx, "FileStreamSink: could not fsync %s: %s",
                               t->is_stdout ? "standard output" : t->path, strerror(errno));
        return SLUICE_ERR;
    }
    return SLUICE_OK;
}

static void fs_destroy(void *task)
{
    struct fs_task *t = task;
    if (t == NULL) {
        return;
    }
    if (t->is_stdout) {
        fflush(t->out);
    } else if (t->out != NULL) {
        fclose(t->out);
    }
    sluice_host->buf_free(t->lines);
    sluice_host->buf_free(t->scratch);
    sluice_host->free(t->path);
    sluice_host->free(t);
}

static const struct sluice_config_def fs_config_defs[] = {
    {
        .name = FILE_CONFIG,
        .type = SLUICE_CFG_STRING,
        .flags = SLUICE_CFG_F_NULL_DEFAULT,
        .default_value = NULL,
        .importance = SLUICE_IMPORTANCE_HIGH,
        .documentation = "Destination filename. If not specified, the standard output will be used",
        .width = SLUICE_WIDTH_NONE,
        .display_name = FILE_CONFIG,
    },
    {.name = NULL},
};

static const struct sluice_sink_ops fs_ops = {
    .struct_size = sizeof(struct sluice_sink_ops),
    .create = fs_create,
    .put = fs_put,
    .pre_commit = fs_pre_commit,
    .destroy = fs_destroy,
};

static const char *const fs_aliases[] = {"FileStreamSink", "FileStreamSinkConnector", "file-sink",
                                         NULL};

static const struct sluice_component fs_component = {
    .struct_size = sizeof(struct sluice_component),
    .kind = SLUICE_KIND_SINK,
    .class_name = "org.apache.kafka.connect.file.FileStreamSinkConnector",
    .aliases = fs_aliases,
    .version = SLUICE_VERSION,
    .description = "Writes each record value as one line to a file (Kafka's FileStreamSink)",
    .config_defs = fs_config_defs,
    .ops = &fs_ops,
};

static const struct sluice_component *const fs_components[] = {&fs_component, NULL};

static const struct sluice_plugin_descriptor fs_descriptor = {
    SLUICE_DESCRIPTOR_HEADER,    .name = "file-sink",
    .version = SLUICE_VERSION,   .build_info = "sluice " SLUICE_VERSION,
    .components = fs_components,
};

SLUICE_PLUGIN_DEFINE(fs_descriptor)
