/*
 * log.h — the one log API of the worker.
 * Macros check the level before formatting; messages go to stderr as
 * "[2026-11-21 05:43:48,123] INFO [conn|task-0] message (subsystem)" like Connect's log4j pattern.
 * Never log resolved config values of sensitive keys.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

#include <stdarg.h>

enum sl_log_level {
    SL_LOG_ERROR = 1,
    SL_LOG_WARN = 2,
    SL_LOG_INFO = 3,
    SL_LOG_DEBUG = 4,
    SL_LOG_TRACE = 5,
};

/* Process-wide threshold; default INFO, or SLUICE_LOG_LEVEL=debug|trace|... from the environment.
 */
extern int sl_log_threshold;

void sl_log_init(void);
int sl_log_level_from_name(const char *name); /* "ERROR", "warn", ... → level, or -1 */
const char *sl_log_level_name(int level);     /* "ERROR", "WARN", "INFO", "DEBUG", "TRACE" */

/* Logger (subsystem) levels for /admin/loggers: a name → level override; NULL name = root. */
int sl_log_set_logger_level(const char *logger, int level);
int sl_log_logger_level(const char *logger); /* effective level */
/* Iterate loggers that have an explicit level; returns count, fills up to max names/levels. */
int sl_log_list_loggers(const char **names, int *levels, int max);

/* `context` is e.g. "my-connector|task-0"; may be NULL. */
void sl_log_write(int level, const char *context, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl_log_writev(int level, const char *context, const char *fmt, va_list ap);

#define SL_LOG(level, ctx, ...)                                                                    \
    do {                                                                                           \
        if ((level) <= sl_log_threshold)                                                           \
            sl_log_write((level), (ctx), __VA_ARGS__);                                             \
    } while (0)
#define sl_error(...)       SL_LOG(SL_LOG_ERROR, NULL, __VA_ARGS__)
#define sl_warn(...)        SL_LOG(SL_LOG_WARN, NULL, __VA_ARGS__)
#define sl_info(...)        SL_LOG(SL_LOG_INFO, NULL, __VA_ARGS__)
#define sl_debug(...)       SL_LOG(SL_LOG_DEBUG, NULL, __VA_ARGS__)
#define sl_trace(...)       SL_LOG(SL_LOG_TRACE, NULL, __VA_ARGS__)
#define sl_cerror(ctx, ...) SL_LOG(SL_LOG_ERROR, ctx, __VA_ARGS__)
#define sl_cwarn(ctx, ...)  SL_LOG(SL_LOG_WARN, ctx, __VA_ARGS__)
#define sl_cinfo(ctx, ...)  SL_LOG(SL_LOG_INFO, ctx, __VA_ARGS__)
#define sl_cdebug(ctx, ...) SL_LOG(SL_LOG_DEBUG, ctx, __VA_ARGS__)

#endif
