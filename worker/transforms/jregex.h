/*
 * jregex.h — Java java.util.regex patterns on top of POSIX ERE (<regex.h>): the common Java syntax
 * (\d \w \s, (?:...), lazy/possessive quantifiers, \Q..\E) is translated, matching is whole-string
 * like Matcher.matches(), and replacements expand $n / ${n} like Matcher.appendReplacement.
 * Control-plane compile, record-path match; it must never allocate on the heap while matching.
 */
#ifndef SL_JREGEX_H
#define SL_JREGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/mem.h"

#define SL_JREGEX_MAX_GROUPS 32 /* Java capturing groups */
#define SL_JREGEX_NMATCH     64 /* POSIX sub-expressions (capturing or not) + 1 */

typedef struct sl_jregex {
    regex_t re;
    bool compiled;
    size_t ngroups;                               /* Java capturing groups */
    size_t nsub;                                  /* POSIX sub-expressions used */
    size_t posix_index[SL_JREGEX_MAX_GROUPS + 1]; /* Java group n → POSIX sub-expression index */
} sl_jregex;

/* 0, or -1 with a message in err (unsupported syntax or a bad pattern). */
int sl_jregex_compile(sl_jregex *rx, const char *java_pattern, char *err, size_t errlen);
void sl_jregex_free(sl_jregex *rx); /* accepts an uncompiled (zeroed) struct */
/* Whole-string match. m has room for SL_JREGEX_NMATCH entries; may be NULL. */
bool sl_jregex_matches(const sl_jregex *rx, const char *s, regmatch_t *m);
/*
 * Expand a Java replacement string for a successful match of s (m from sl_jregex_matches) into
 * the arena. NULL with err when the replacement refers to a missing group or ends with '\' / '$'.
 */
char *sl_jregex_expand(const sl_jregex *rx, const char *s, const regmatch_t *m,
                       const char *replacement, sl_arena *a, char *err, size_t errlen);
/* Check a replacement against a compiled pattern at configure time (same errors as expand). */
int sl_jregex_check_replacement(const sl_jregex *rx, const char *replacement, char *err,
                                size_t errlen);

/*
 * A per-instance memo of topic → outcome, because glibc's regexec allocates: records of a topic
 * already seen never reach the regex engine. Fixed capacity; once full, new topics are simply
 * matched without being remembered. Keys and results live in the memo's own arena.
 */
typedef struct sl_topic_memo sl_topic_memo;

sl_topic_memo *sl_topic_memo_new(void);
void sl_topic_memo_free(sl_topic_memo *m); /* accepts NULL */
/* 1 and *result (NULL when the topic did not match) when known; 0 when not remembered. */
int sl_topic_memo_get(const sl_topic_memo *m, const char *topic, const char **result);
/* Remember the outcome (result may be NULL = no match); both strings are copied. */
void sl_topic_memo_put(sl_topic_memo *m, const char *topic, const char *result);

#endif
