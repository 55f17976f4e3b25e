/*
 * jregex.c — translation of Java regex syntax to POSIX ERE, whole-string matching and Java-style
 * replacement expansion. Unsupported Java constructs are refused at compile time with a message;
 * it must never silently change what a pattern means.
 */
#include "transforms/jregex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *java, const char *why)
{
    snprintf(err, errlen, "Invalid regex '%s': %s", java, why);
    return -1;
}

/* Emit c as a literal outside brackets. */
static void put_literal(sl_buf *out, char c)
{
    if (strchr(".[]()*+?{}|^$\\", c) != NULL) {
        sl_buf_putc(out, '\\');
    }
    sl_buf_putc(out, c);
}

static int is_quantifier_end(char c)
{
    return c == '*' || c == '+' || c == '?' || c == '}';
}

/* Translate a bracket expression starting at java[*i] == '['. */
static int translate_bracket(const char *java, size_t *i, sl_buf *out, char *err, size_t errlen)
{
    size_t k = *i + 1;
    bool dash = false, caret = false;
    sl_buf_putc(out, '[');
    if (java[k] == '^') {
        sl_buf_putc(out, '^');
        k++;
    }
    if (java[k] == ']') {
        sl_buf_putc(out, ']');
        k++;
    }
    for (; java[k] != '\0'; k++) {
        char c = java[k];
        if (c == ']') {
            if (caret) {
                sl_buf_putc(out, '^');
            }
            if (dash) {
                sl_buf_putc(out, '-');
            }
            sl_buf_putc(out, ']');
            *i = k;
            return 0;
        }
        if (c == '[' || (c == '&' && java[k + 1] == '&')) {
            return fail(err, errlen, java, "nested character classes are not supported");
        }
        if (c != '\\') {
            sl_buf_putc(out, c);
            continue;
        }
        c = java[++k];
        switch (c) {
        case 'd':
            sl_buf_puts(out, "0-9");
            break;
        case 'w':
            sl_buf_puts(out, "A-Za-z0-9_");
            break;
        case 's':
            sl_buf_puts(out, "[:space:]");
            break;
        case 't':
            sl_buf_putc(out, '\t');
            break;
        case 'n':
            sl_buf_putc(out, '\n');
            break;
        case 'r':
            sl_buf_putc(out, '\r');
            break;
        case '-':
            dash = true;
            break;
        case '^':
            caret = true;
            break;
        case '\0':
        case ']':
            return fail(err, errlen, java, "unsupported escape in a character class");
        default:
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                return fail(err, errlen, java, "unsupported escape in a character class");
            }
            sl_buf_putc(out, c);
        }
    }
    return fail(err, errlen, java, "unclosed character class");
}

static int translate_escape(const char *java, size_t *i, sl_buf *out, char *err, size_t errlen)
{
    char c = java[++*i];
    switch (c) {
    case 'd':
        sl_buf_puts(out, "[0-9]");
        return 0;
    case 'D':
        sl_buf_puts(out, "[^0-9]");
        return 0;
    case 'w':
        sl_buf_puts(out, "[A-Za-z0-9_]");
        return 0;
    case 'W':
        sl_buf_puts(out, "[^A-Za-z0-9_]");
        return 0;
    case 's':
        sl_buf_puts(out, "[[:space:]]");
        return 0;
    case 'S':
        sl_buf_puts(out, "[^[:space:]]");
        return 0;
    case 't':
        sl_buf_putc(out, '\t');
        return 0;
    case 'n':
        sl_buf_putc(out, '\n');
        return 0;
    case 'r':
        sl_buf_putc(out, '\r');
        return 0;
    case 'Q': {
        const char *end = strstr(java + *i + 1, "\\E");
        size_t stop = end != NULL ? (size_t)(end - java) : strlen(java);
        for (size_t k = *i + 1; k < stop; k++) {
            put_literal(out, java[k]);
        }
        *i = end != NULL ? stop + 1 : stop - 1;
        return 0;
    }
    case '\0':
        return fail(err, errlen, java, "trailing backslash");
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            char why[64];
            snprintf(why, sizeof why, "the escape \\%c is not supported", c);
            return fail(err, errlen, java, why);
        }
        put_literal(out, c);
        return 0;
    }
}

static int translate_group(sl_jregex *rx, const char *java, size_t *i, sl_buf *out, char *err,
                           size_t errlen)
{
    bool capturing = true;
    if (java[*i + 1] == '?') {
        if (java[*i + 2] == ':') {
            capturing = false;
            *i += 2;
        } else if (java[*i + 2] == '<' && java[*i + 3] != '=' && java[*i + 3] != '!') {
            const char *close = strchr(java + *i + 3, '>');
            if (close == NULL) {
                return fail(err, errlen, java, "unclosed group name");
            }
            *i = (size_t)(close - java);
        } else {
            return fail(err, errlen, java, "lookaround and inline flags are not supported");
        }
    }
    if (rx->nsub + 1 >= SL_JREGEX_NMATCH) {
        return fail(err, errlen, java, "too many groups");
    }
    rx->nsub++;
    if (capturing) {
        if (rx->ngroups >= SL_JREGEX_MAX_GROUPS) {
            return fail(err, errlen, java, "too many capturing groups");
        }
        rx->posix_index[++rx->ngroups] = rx->nsub;
    }
    sl_buf_putc(out, '(');
    return 0;
}

int sl_jregex_compile(sl_jregex *rx, const char *java, char *err, size_t errlen)
{
    sl_buf out = SL_BUF_INIT;
    memset(rx, 0, sizeof *rx);
    rx->nsub = 1; /* the outer group that anchors the whole pattern */
    sl_buf_puts(&out, "^(");
    int rc = 0;
    for (size_t i = 0; java[i] != '\0' && rc == 0; i++) {
        char c = java[i];
        if (c == '\\') {
            rc = translate_escape(java, &i, &out, err, errlen);
        } else if (c == '[') {
            rc = translate_bracket(java, &i, &out, err, errlen);
        } else if (c == '(') {
            rc = translate_group(rx, java, &i, &out, err, errlen);
        } else {
            sl_buf_putc(&out, c);
            /* Lazy (x*?) modifiers keep the whole-string match set; possessive (x*+) become greedy.
             */
            if (is_quantifier_end(c) && (java[i + 1] == '?' || java[i + 1] == '+')) {
                i++;
            }
        }
    }
    if (rc == 0) {
        sl_buf_puts(&out, ")$");
        int e = regcomp(&rx->re, out.data, REG_EXTENDED);
        if (e != 0) {
            char msg[160];
            regerror(e, &rx->re, msg, sizeof msg);
            rc = fail(err, errlen, java, msg);
        } else {
            rx->compiled = true;
        }
    }
    sl_buf_free(&out);
    return rc;
}

void sl_jregex_free(sl_jregex *rx)
{
    if (rx != NULL && rx->compiled) {
        regfree(&rx->re);
        rx->compiled = false;
    }
}

bool sl_jregex_matches(const sl_jregex *rx, const char *s, regmatch_t *m)
{
    regmatch_t local[SL_JREGEX_NMATCH];
    if (!rx->compiled || s == NULL) {
        return false;
    }
    return regexec(&rx->re, s, rx->nsub + 1, m != NULL ? m : local, 0) == 0;
}

/*
 * One pass of expansion: with out == NULL only measures. Returns the length or -1 with err.
 * m == NULL checks the syntax only.
 */
static long expand_pass(const sl_jregex *rx, const char *s, const regmatch_t *m, const char *repl,
                        char *out, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; repl[i] != '\0'; i++) {
        char c = repl[i];
        if (c == '\\') {
            if (repl[++i] == '\0') {
                snprintf(err, errlen, "character to be escaped is missing in '%s'", repl);
                return -1;
            }
            if (out != NULL) {
                out[n] = repl[i];
            }
            n++;
            continue;
        }
        if (c != '$') {
            if (out != NULL) {
                out[n] = c;
            }
            n++;
            continue;
        }
        if (repl[i + 1] < '0' || repl[i + 1] > '9') {
            snprintf(err, errlen, "Illegal group reference in '%s' (only $n is supported)", repl);
            return -1;
        }
        size_t ref = (size_t)(repl[++i] - '0');
        if (ref > rx->ngroups) {
            snprintf(err, errlen, "No group %zu in the regex (replacement '%s')", ref, repl);
            return -1;
        }
        while (repl[i + 1] >= '0' && repl[i + 1] <= '9' &&
               ref * 10 + (size_t)(repl[i + 1] - '0') <= rx->ngroups) {
            ref = ref * 10 + (size_t)(repl[++i] - '0');
        }
        if (m == NULL) {
            continue;
        }
        const regmatch_t *g = &m[ref == 0 ? 0 : rx->posix_index[ref]];
        if (g->rm_so < 0) {
            continue; /* a group that did not participate appends nothing */
        }
        size_t len = (size_t)(g->rm_eo - g->rm_so);
        if (out != NULL) {
            memcpy(out + n, s + g->rm_so, len);
        }
        n += len;
    }
    return (long)n;
}

char *sl_jregex_expand(const sl_jregex *rx, const char *s, const regmatch_t *m,
                       const char *replacement, sl_arena *a, char *err, size_t errlen)
{
    long len = expand_pass(rx, s, m, replacement, NULL, err, errlen);
    if (len < 0) {
        return NULL;
    }
    char *out = sl_arena_alloc(a, (size_t)len + 1);
    expand_pass(rx, s, m, replacement, out, err, errlen);
    out[len] = '\0';
    return out;
}

int sl_jregex_check_replacement(const sl_jregex *rx, const char *replacement, char *err,
                                size_t errlen)
{
    return expand_pass(rx, NULL, NULL, replacement, NULL, err, errlen) < 0 ? -1 : 0;
}

/* ---- topic memo
 * ---------------------------------------------------------------------------------- */

#define MEMO_CAP 1024 /* slots (power of two); at most half are used */

struct memo_slot {
    const char *topic; /* NULL: empty */
    const char *result;
};

struct sl_topic_memo {
    sl_arena *arena;
    size_t count;
    struct memo_slot slots[MEMO_CAP];
};

static size_t memo_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return (size_t)(h & (MEMO_CAP - 1));
}

sl_topic_memo *sl_topic_memo_new(void)
{
    sl_topic_memo *m = sl_xcalloc(1, sizeof *m);
    m->arena = sl_arena_new(0);
    return m;
}

void sl_topic_memo_free(sl_topic_memo *m)
{
    if (m != NULL) {
        sl_arena_destroy(m->arena);
        free(m);
    }
}

int sl_topic_memo_get(const sl_topic_memo *m, const char *topic, const char **result)
{
    for (size_t i = memo_hash(topic); m->slots[i].topic != NULL; i = (i + 1) & (MEMO_CAP - 1)) {
        if (strcmp(m->slots[i].topic, topic) == 0) {
            *result = m->slots[i].result;
            return 1;
        }
    }
    return 0;
}

void sl_topic_memo_put(sl_topic_memo *m, const char *topic, const char *result)
{
    if (m->count >= MEMO_CAP / 2) {
        return;
    }
    size_t i = memo_hash(topic);
    while (m->slots[i].topic != NULL) {
        i = (i + 1) & (MEMO_CAP - 1);
    }
    m->slots[i].topic = sl_arena_strdup(m->arena, topic);
    m->slots[i].result = result != NULL ? sl_arena_strdup(m->arena, result) : NULL;
    m->count++;
}
