/*
 * engine.h — internals shared by the config-def engine's files (config.c, validation.c,
 * connector_validate.c): parsing one value the way Java's ConfigDef.parseType + validators do,
 * with Java's exact error texts, and rendering values the way ConfigDef.convertToString does.
 * Private to worker/config/: nothing outside this directory may include it.
 */
#ifndef SL_CONFIG_ENGINE_H
#define SL_CONFIG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"

/* A growable list of owned strings. */
typedef struct sl_strv {
    char **v;
    size_t n, cap;
} sl_strv;

void sl_strv_push(sl_strv *s, const char *str);
void sl_strv_pushf(sl_strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_strv_free(sl_strv *s);
bool sl_strv_contains(const sl_strv *s, const char *str);

/* One parsed value. */
struct sl_cfg_value {
    bool is_null;
    char *text; /* canonical text (ConfigDef.convertToString); NULL when is_null */
    int64_t l;
    double d;
    bool b;
    sl_strv items; /* LIST entries */
};

void sl_cfg_value_clear(struct sl_cfg_value *v);

/* The i-th def of a table with the given stride; NULL at the terminator. */
const struct sluice_config_def *sl_cfg_def_at(const struct sluice_config_def *defs, size_t stride,
                                              size_t i);
/* A copy of a def of any stride (fields past the stride zeroed). */
void sl_cfg_def_copy(struct sluice_config_def *dst, const struct sluice_config_def *src,
                     size_t stride);

/* ConfigDef.Type name: "STRING", "INT", ... */
const char *sl_cfg_type_name(uint32_t type);
const char *sl_cfg_importance_name(uint32_t importance);
const char *sl_cfg_width_name(uint32_t width);
bool sl_cfg_required(const struct sluice_config_def *d);

/*
 * Parse raw text (non-NULL) with the def's type. On failure returns -1, out->is_null is set, and
 * Java's message ("Invalid value X for configuration NAME: Not a number of type INT") is pushed.
 * `name` is the full key used in messages.
 */
int sl_cfg_parse(const struct sluice_config_def *d, const char *name, const char *raw,
                 struct sl_cfg_value *out, sl_strv *errors);
/* The def's validators (range, enum) on a parsed value; null values are checked too when
 * check_null (Java runs validators on null after a parse failure or a missing required key). */
int sl_cfg_check(const struct sluice_config_def *d, const char *name, const struct sl_cfg_value *v,
                 bool check_null, sl_strv *errors);
/* The default as a parsed value; is_null for REQUIRED / NULL_DEFAULT / NULL defaults. */
int sl_cfg_default(const struct sluice_config_def *d, struct sl_cfg_value *out);

/* Java's Double.toString. */
void sl_java_double(double d, char *out, size_t outlen);
/* Java trim(): strip bytes <= ' ' at both ends. Returns a malloc'ed copy. */
char *sl_java_trim(const char *s);

#endif
