/*
 * props.h — an ordered string→string map (connector configs, worker configs) and the readers that
 * fill it: Java .properties files with Java's full semantics, and JSON objects of strings.
 * Control plane only (never on the record path).
 */
#ifndef SL_PROPS_H
#define SL_PROPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sl_props sl_props;

sl_props *sl_props_new(void);
void sl_props_free(sl_props *p); /* accepts NULL */
sl_props *sl_props_dup(const sl_props *p);
/* Insert or replace (keeps the original position on replace). Copies both strings. */
void sl_props_set(sl_props *p, const char *key, const char *value);
const char *sl_props_get(const sl_props *p, const char *key); /* NULL when absent */
bool sl_props_remove(sl_props *p, const char *key);
/* True when key is present (its value may be NULL: see sl_props_from_json_ex). */
bool sl_props_has(const sl_props *p, const char *key);
/* Typed reads of runtime keys the config engine already validated: a missing or unparsable
 * value gives dflt (booleans: "true"/"false" in any case; longs: decimal, spaces after). */
int64_t sl_props_get_long(const sl_props *p, const char *key, int64_t dflt);
bool sl_props_get_bool(const sl_props *p, const char *key, bool dflt);
size_t sl_props_count(const sl_props *p);
const char *sl_props_key_at(const sl_props *p, size_t i);
const char *sl_props_value_at(const sl_props *p, size_t i);
/* Keys starting with prefix; strip=true removes the prefix from the copied keys. */
sl_props *sl_props_subset(const sl_props *p, const char *prefix, bool strip);
bool sl_props_equal(const sl_props *a, const sl_props *b);

/* Java java.util.Properties.load() semantics. 0 on success, -1 with a message (path:line: why). */
int sl_props_parse(const char *text, size_t len, sl_props *out, char *err, size_t errlen);
int sl_props_load_file(const char *path, sl_props *out, char *err, size_t errlen);

/* JSON object → props. Values must be strings; numbers/booleans are converted to their text like
 * Jackson does for Map<String,String>; null/objects/arrays are rejected. -1 with message. */
int sl_props_from_json(const json_t *obj, sl_props *out, char *err, size_t errlen);
/* Same, but allow_null keeps JSON nulls as entries whose value is NULL (sl_props_get returns NULL,
 * sl_props_has true), so validation can report "Null value can not be supplied ...". sl_props_set
 * with a NULL value stores such an entry too. */
int sl_props_from_json_ex(const json_t *obj, sl_props *out, bool allow_null, char *err,
                          size_t errlen);
json_t *sl_props_to_json(const sl_props *p); /* new reference, insertion order; NULL → null */

/*
 * A connector file as Java's standalone mode reads it: a JSON map with "name", a JSON create
 * request
 * {"name","config",["initial_state"]}, or a .properties file with "name". On success *config is
 * new, *initial_state is NULL or a malloc'ed "RUNNING"/"PAUSED"/"STOPPED".
 */
int sl_props_load_connector_file(const char *path, sl_props **config, char **initial_state,
                                 char *err, size_t errlen);

#endif
