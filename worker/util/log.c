/*
 * log.c — the worker's log sink: level check, timestamp, context prefix, one write per line.
 * Must never allocate on the fast path of a suppressed message (the macros check the level first).
 */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

int sl_log_threshold = SL_LOG_INFO;

#define MAX_LOGGERS 64
static struct {
    char name[128];
    int level;
} loggers[MAX_LOGGERS];
static int nloggers;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

int sl_log_level_from_name(const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int i = 1; i <= SL_LOG_TRACE; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            return i;
        }
    }
    if (strcasecmp(name, "FATAL") == 0) {
        return SL_LOG_ERROR;
    }
    if (strcasecmp(name, "ALL") == 0) {
        return SL_LOG_TRACE;
    }
    return -1;
}

const char *sl_log_level_name(int level)
{
    if (level < 1 || level > SL_LOG_TRACE) {
        return "OFF";
    }
    return level_names[level];
}

void sl_log_init(void)
{
    int lvl = sl_log_level_from_name(getenv("SLUICE_LOG_LEVEL"));
    if (lvl > 0) {
        sl_log_threshold = lvl;
    }
}

int sl_log_set_logger_level(const char *logger, int level)
{
    if (level < 1 || level > SL_LOG_TRACE) {
        return -1;
    }
    if (logger == NULL || logger[0] == '\0' || strcmp(logger, "root") == 0) {
        sl_log_threshold = level;
        return 0;
    }
    pthread_mutex_lock(&log_lock);
    int i;
    for (i = 0; i < nloggers; i++) {
        if (strcmp(loggers[i].name, logger) == 0) {
            break;
        }
    }
    if (i == nloggers) {
        if (nloggers == MAX_LOGGERS) {
            pthread_mutex_unlock(&log_lock);
            return -1;
        }
        snprintf(loggers[i].name, sizeof(loggers[i].name), "%s", logger);
        nloggers++;
    }
    loggers[i].level = level;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

int sl_log_logger_level(const char *logger)
{
    int level = sl_log_threshold;
    if (logger == NULL) {
        return level;
    }
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < nloggers; i++) {
        if (strcmp(loggers[i].name, logger) == 0) {
            level = loggers[i].level;
        }
    }
    pthread_mutex_unlock(&log_lock);
    return level;
}

int sl_log_list_loggers(const char **names, int *levels, int max)
{
    pthread_mutex_lock(&log_lock);
    int n = nloggers < max ? nloggers : max;
    for (int i = 0; i < n; i++) {
        names[i] = loggers[i].name;
        levels[i] = loggers[i].level;
    }
    pthread_mutex_unlock(&log_lock);
    return n;
}

void sl_log_writev(int level, const char *context, const char *fmt, va_list ap)
{
    char line[4096];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "[%04d-%02d-%02d %02d:%02d:%02d,%03d] %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), sl_log_level_name(level));
    if (context != NULL && n < (int)sizeof(line)) {
        n += snprintf(line + n, sizeof(line) - (size_t)n, "[%s] ", context);
    }
    if (n < (int)sizeof(line)) {
        n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    }
    if (n >= (int)sizeof(line) - 1) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    line[n] = '\0';
    fwrite(line, 1, (size_t)n, stderr);
}

void sl_log_write(int level, const char *context, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_log_writev(level, context, fmt, ap);
    va_end(ap);
}
