/*
 * props.c — the ordered string map behind every config, and its readers: Java .properties text
 * (java.util.Properties.load, rule for rule), JSON objects of strings, standalone connector files.
 * Control plane only: it must never be used on the record path, and never logs values.
 */
#include "config/props.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/text.h"

struct sl_props {
    char **keys;
    char **vals; /* an entry may be NULL: a JSON null kept for validation */
    size_t n;
    size_t cap;
};

sl_props *sl_props_new(void)
{
    return sl_xcalloc(1, sizeof(sl_props));
}

void sl_props_free(sl_props *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->vals[i]);
    }
    free(p->keys);
    free(p->vals);
    free(p);
}

sl_props *sl_props_dup(const sl_props *p)
{
    sl_props *d = sl_props_new();
    for (size_t i = 0; p != NULL && i < p->n; i++) {
        sl_props_set(d, p->keys[i], p->vals[i]);
    }
    return d;
}

static ssize_t find(const sl_props *p, const char *key)
{
    for (size_t i = 0; p != NULL && i < p->n; i++) {
        if (strcmp(p->keys[i], key) == 0) {
            return (ssize_t)i;
        }
    }
    return -1;
}

void sl_props_set(sl_props *p, const char *key, const char *value)
{
    ssize_t i = find(p, key);
    char *v = value != NULL ? sl_xstrdup(value) : NULL;
    if (i >= 0) {
        free(p->vals[i]);
        p->vals[i] = v;
        return;
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->keys = sl_xrealloc(p->keys, p->cap * sizeof(char *));
        p->vals = sl_xrealloc(p->vals, p->cap * sizeof(char *));
    }
    p->keys[p->n] = sl_xstrdup(key);
    p->vals[p->n] = v;
    p->n++;
}

const char *sl_props_get(const sl_props *p, const char *key)
{
    ssize_t i = find(p, key);
    return i >= 0 ? p->vals[i] : NULL;
}

bool sl_props_has(const sl_props *p, const char *key)
{
    return find(p, key) >= 0;
}

bool sl_props_remove(sl_props *p, const char *key)
{
    ssize_t i = find(p, key);
    if (i < 0) {
        return false;
    }
    free(p->keys[i]);
    free(p->vals[i]);
    memmove(&p->keys[i], &p->keys[i + 1], (p->n - (size_t)i - 1) * sizeof(char *));
    memmove(&p->vals[i], &p->vals[i + 1], (p->n - (size_t)i - 1) * sizeof(char *));
    p->n--;
    return true;
}

size_t sl_props_count(const sl_props *p)
{
    return p != NULL ? p->n : 0;
}

const char *sl_props_key_at(const sl_props *p, size_t i)
{
    return p != NULL && i < p->n ? p->keys[i] : NULL;
}

const char *sl_props_value_at(const sl_props *p, size_t i)
{
    return p != NULL && i < p->n ? p->vals[i] : NULL;
}

sl_props *sl_props_subset(const sl_props *p, const char *prefix, bool strip)
{
    sl_props *out = sl_props_new();
    size_t plen = prefix != NULL ? strlen(prefix) : 0;
    for (size_t i = 0; p != NULL && i < p->n; i++) {
        if (plen == 0 || strncmp(p->keys[i], prefix, plen) == 0) {
            sl_props_set(out, strip ? p->keys[i] + plen : p->keys[i], p->vals[i]);
        }
    }
    return out;
}

bool sl_props_equal(const sl_props *a, const sl_props *b)
{
    if (sl_props_count(a) != sl_props_count(b)) {
        return false;
    }
    for (size_t i = 0; i < sl_props_count(a); i++) {
        ssize_t j = find(b, a->keys[i]);
        if (j < 0) {
            return false;
        }
        const char *va = a->vals[i], *vb = b->vals[j];
        if ((va == NULL) != (vb == NULL) || (va != NULL && strcmp(va, vb) != 0)) {
            return false;
        }
    }
    return true;
}

/* ---- .properties: java.util.Properties.LineReader and load0 ---- */

struct line_reader {
    const char *in;
    size_t len;
    size_t off;
    int line;   /* natural line number of the next unread character */
    sl_buf buf; /* the logical line */
    int start;  /* natural line where the logical line began */
};

/* One logical line into lr->buf; false at end of input. Mirrors Java's LineReader.readLine. */
static bool read_logical_line(struct line_reader *lr)
{
    bool skip_ws = true, appended_line_begin = false, preceding_backslash = false;
    sl_buf_reset(&lr->buf);
    lr->start = lr->line;
    for (;;) {
        if (lr->off >= lr->len) {
            if (lr->buf.len == 0) {
                return false;
            }
            if (preceding_backslash) {
                lr->buf.len--;
                lr->buf.data[lr->buf.len] = '\0';
            }
            return true;
        }
        char c = lr->in[lr->off++];
        if (skip_ws) {
            if (c == ' ' || c == '\t' || c == '\f') {
                continue;
            }
            if (!appended_line_begin && (c == '\r' || c == '\n')) {
                if (c == '\n' || lr->off >= lr->len || lr->in[lr->off] != '\n') {
                    lr->line++;
                }
                continue;
            }
            skip_ws = false;
            appended_line_begin = false;
        }
        if (lr->buf.len == 0 && (c == '#' || c == '!')) {
            while (lr->off < lr->len && lr->in[lr->off] != '\n' && lr->in[lr->off] != '\r') {
                lr->off++;
            }
            skip_ws = true;
            continue;
        }
        if (c != '\n' && c != '\r') {
            if (lr->buf.len == 0) {
                lr->start = lr->line;
            }
            sl_buf_putc(&lr->buf, c);
            preceding_backslash = (c == '\\') ? !preceding_backslash : false;
            continue;
        }
        /* end of a natural line */
        if (c == '\r' && lr->off < lr->len && lr->in[lr->off] == '\n') {
            lr->off++;
        }
        lr->line++;
        if (lr->buf.len == 0) {
            skip_ws = true;
            continue;
        }
        if (!preceding_backslash) {
            return true;
        }
        if (lr->off >= lr->len) { /* Java returns the line, minus the backslash, even if empty */
            lr->buf.len--;
            lr->buf.data[lr->buf.len] = '\0';
            return true;
        }
        lr->buf.len--; /* the backslash before the line end is not part of the line */
        lr->buf.data[lr->buf.len] = '\0';
        skip_ws = true;
        appended_line_begin = true;
        preceding_backslash = false;
    }
}

static void put_utf8(sl_buf *out, uint32_t cp)
{
    char b[4];
    if (cp < 0x80) {
        sl_buf_putc(out, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        sl_buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        sl_buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        sl_buf_append(out, b, 4);
    }
}

/* Reads "XXXX" at s[*i]; -1 when malformed. */
static long read_u4(const char *s, size_t end, size_t *i)
{
    if (*i + 4 > end) {
        return -1;
    }
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = sl_hex_digit(s[*i + (size_t)k]);
        if (h < 0) {
            return -1;
        }
        v = (v << 4) | h;
    }
    *i += 4;
    return v;
}

/* Java's loadConvert: escapes → characters; \uXXXX (and surrogate pairs) → UTF-8. */
static int unescape(const char *s, size_t len, sl_buf *out)
{
    size_t i = 0;
    sl_buf_reset(out);
    sl_buf_reserve(out, len);
    sl_buf_append(out, "", 0); /* NUL-terminated even when empty */
    while (i < len) {
        char c = s[i++];
        if (c != '\\') {
            sl_buf_putc(out, c);
            continue;
        }
        if (i >= len) {
            break; /* a lone trailing backslash is dropped, as the line reader would */
        }
        c = s[i++];
        switch (c) {
        case 't':
            sl_buf_putc(out, '\t');
            continue;
        case 'r':
            sl_buf_putc(out, '\r');
            continue;
        case 'n':
            sl_buf_putc(out, '\n');
            continue;
        case 'f':
            sl_buf_putc(out, '\f');
            continue;
        case 'u':
            break;
        default:
            sl_buf_putc(out, c);
            continue;
        }
        long cp = read_u4(s, len, &i);
        if (cp < 0) {
            return -1;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u') {
            size_t j = i + 2;
            long lo = read_u4(s, len, &j);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i = j;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD; /* an unpaired surrogate cannot be written as UTF-8 */
        }
        put_utf8(out, (uint32_t)cp);
    }
    return 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* path NULL: messages read "line N: why"; else "path:N: why". */
static int parse_text(const char *text, size_t len, sl_props *out, const char *path, char *err,
                      size_t errlen)
{
    struct line_reader lr = {.in = text, .len = len, .line = 1};
    sl_buf key = SL_BUF_INIT, val = SL_BUF_INIT;
    int rc = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        lr.off = 3; /* a UTF-8 byte-order mark is not part of the first key */
    }
    while (read_logical_line(&lr)) {
        const char *line = lr.buf.data;
        size_t limit = lr.buf.len, key_len = 0, value_start = limit;
        bool has_sep = false, backslash = false;
        while (key_len < limit) {
            char c = line[key_len];
            if ((c == '=' || c == ':') && !backslash) {
                value_start = key_len + 1;
                has_sep = true;
                break;
            }
            if (is_ws(c) && !backslash) {
                value_start = key_len + 1;
                break;
            }
            backslash = (c == '\\') ? !backslash : false;
            key_len++;
        }
        while (value_start < limit) {
            char c = line[value_start];
            if (!is_ws(c)) {
                if (!has_sep && (c == '=' || c == ':')) {
                    has_sep = true;
                } else {
                    break;
                }
            }
            value_start++;
        }
        if (unescape(line, key_len, &key) != 0 ||
            unescape(line + value_start, limit - value_start, &val) != 0) {
            snprintf(err, errlen, "%s%s%d: Malformed \\uxxxx encoding.", path ? path : "line ",
                     path ? ":" : "", lr.start);
            rc = -1;
            break;
        }
        sl_props_set(out, key.data != NULL ? key.data : "", val.data != NULL ? val.data : "");
    }
    sl_buf_free(&lr.buf);
    sl_buf_free(&key);
    sl_buf_free(&val);
    return rc;
}

int sl_props_parse(const char *text, size_t len, sl_props *out, char *err, size_t errlen)
{
    return parse_text(text, len, out, NULL, err, errlen);
}

/* Whole file into memory (malloc'ed, NUL-terminated). */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    sl_buf b = SL_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sl_buf_append(&b, chunk, n);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: read error", path);
        sl_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return sl_buf_steal(&b);
}

int sl_props_load_file(const char *path, sl_props *out, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = slurp(path, &len, err, errlen);
    if (text == NULL) {
        return -1;
    }
    int rc = parse_text(text, len, out, path, err, errlen);
    free(text);
    return rc;
}

/* ---- JSON ---- */

/* Shortest text that reads back as the same double (Jackson keeps the number's text; this is the
 * nearest we can get once jansson has parsed it). */
static void double_text(double d, char *out, size_t outlen)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, outlen, "%.*g", prec, d);
        if (strtod(out, NULL) == d) {
            break;
        }
    }
    if (strpbrk(out, ".eEn") == NULL) {
        size_t l = strlen(out);
        if (l + 2 < outlen) {
            memcpy(out + l, ".0", 3); /* a JSON real stays a real: 1.0 → "1.0" */
        }
    }
}

int sl_props_from_json_ex(const json_t *obj, sl_props *out, bool allow_null, char *err,
                          size_t errlen)
{
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "Expected a JSON object of configuration values");
        return -1;
    }
    const char *key;
    json_t *v;
    char num[64];
    json_object_foreach((json_t *)obj, key, v)
    {
        switch (json_typeof(v)) {
        case JSON_STRING:
            sl_props_set(out, key, json_string_value(v));
            break;
        case JSON_INTEGER:
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            sl_props_set(out, key, num);
            break;
        case JSON_REAL:
            double_text(json_real_value(v), num, sizeof num);
            sl_props_set(out, key, num);
            break;
        case JSON_TRUE:
        case JSON_FALSE:
            sl_props_set(out, key, json_is_true(v) ? "true" : "false");
            break;
        case JSON_NULL:
            if (allow_null) {
                sl_props_set(out, key, NULL);
                break;
            }
            snprintf(err, errlen, "Null value can not be supplied as the configuration value.");
            return -1;
        default:
            snprintf(err, errlen,
                     "Cannot deserialize value of type `java.lang.String` from %s "
                     "value for configuration '%s'",
                     json_is_object(v) ? "Object" : "Array", key);
            return -1;
        }
    }
    return 0;
}

int sl_props_from_json(const json_t *obj, sl_props *out, char *err, size_t errlen)
{
    return sl_props_from_json_ex(obj, out, false, err, errlen);
}

json_t *sl_props_to_json(const sl_props *p)
{
    json_t *o = json_object();
    for (size_t i = 0; i < sl_props_count(p); i++) {
        json_object_set_new(o, p->keys[i],
                            p->vals[i] != NULL ? json_string(p->vals[i]) : json_null());
    }
    return o;
}

/* ---- standalone connector files (ConnectStandalone.parseConnectorConfigurationFile) ---- */

static int missing_name(const char *path, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "Connector configuration at '%s' is missing the mandatory 'name' configuration", path);
    return -1;
}

static bool parse_initial_state(const json_t *v, char **state)
{
    static const char *const states[] = {"RUNNING", "PAUSED", "STOPPED"};
    if (v == NULL || json_is_null(v)) {
        *state = NULL;
        return true;
    }
    if (!json_is_string(v)) {
        return false;
    }
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(json_string_value(v), states[i]) == 0) {
            *state = sl_xstrdup(states[i]);
            return true;
        }
    }
    return false;
}

/* 1: parsed, 0: not this shape (try the next), -1: error in err. */
static int try_json_map(const char *path, json_t *doc, sl_props **config, char *err, size_t errlen)
{
    sl_props *p = sl_props_new();
    char why[256];
    if (sl_props_from_json(doc, p, why, sizeof why) != 0) {
        sl_props_free(p);
        return 0;
    }
    if (sl_props_get(p, "name") == NULL) {
        sl_props_free(p);
        return missing_name(path, err, errlen);
    }
    *config = p;
    return 1;
}

static int try_create_request(const char *path, json_t *doc, sl_props **config, char **state,
                              char *err, size_t errlen)
{
    json_t *name = json_object_get(doc, "name");
    json_t *cfg = json_object_get(doc, "config");
    char why[256];
    if (!json_is_object(doc) || (name != NULL && !json_is_string(name) && !json_is_null(name)) ||
        (cfg != NULL && !json_is_object(cfg) && !json_is_null(cfg))) {
        return 0;
    }
    sl_props *p = sl_props_new();
    if (cfg != NULL && sl_props_from_json(cfg, p, why, sizeof why) != 0) {
        sl_props_free(p);
        return 0;
    }
    char *st = NULL;
    if (!parse_initial_state(json_object_get(doc, "initial_state"), &st)) {
        sl_props_free(p);
        return 0;
    }
    const char *n = json_string_value(name); /* NULL when absent or null */
    const char *in_cfg = sl_props_get(p, "name");
    if (!json_is_object(cfg) || n == NULL) {
        snprintf(err, errlen, "Connector configuration at '%s' must contain 'name' and 'config'",
                 path);
        goto fail;
    }
    if (in_cfg != NULL && strcmp(in_cfg, n) != 0) {
        snprintf(err, errlen,
                 "Connector name configuration in 'config' doesn't match the one specified in "
                 "'name' at '%s'",
                 path);
        goto fail;
    }
    if (in_cfg == NULL) {
        sl_props_set(p, "name", n);
    }
    *config = p;
    *state = st;
    return 1;
fail:
    free(st);
    sl_props_free(p);
    return -1;
}

int sl_props_load_connector_file(const char *path, sl_props **config, char **initial_state,
                                 char *err, size_t errlen)
{
    size_t len = 0;
    char *text = slurp(path, &len, err, errlen);
    *config = NULL;
    *initial_state = NULL;
    if (text == NULL) {
        return -1;
    }
    json_t *doc = json_loadb(text, len, 0, NULL);
    int rc = 0;
    if (doc != NULL) {
        rc = try_json_map(path, doc, config, err, errlen);
        if (rc == 0) {
            rc = try_create_request(path, doc, config, initial_state, err, errlen);
        }
        json_decref(doc);
    }
    if (rc == 0) {
        sl_props *p = sl_props_new();
        if (parse_text(text, len, p, path, err, errlen) != 0) {
            rc = -1;
        } else if (sl_props_get(p, "name") == NULL) {
            rc = missing_name(path, err, errlen);
        } else {
            *config = p;
            p = NULL;
            rc = 1;
        }
        sl_props_free(p);
    }
    free(text);
    return rc == 1 ? 0 : -1;
}

int64_t sl_props_get_long(const sl_props *p, const char *key, int64_t dflt)
{
    const char *v = p != NULL ? sl_props_get(p, key) : NULL;
    if (v == NULL || *v == '\0') {
        return dflt;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (end != NULL && (*end == ' ' || *end == '\t')) {
        end++;
    }
    if (errno != 0 || end == v || end == NULL || *end != '\0') {
        return dflt;
    }
    return (int64_t)n;
}

bool sl_props_get_bool(const sl_props *p, const char *key, bool dflt)
{
    const char *v = p != NULL ? sl_props_get(p, key) : NULL;
    if (v == NULL) {
        return dflt;
    }
    if (strcasecmp(v, "true") == 0) {
        return true;
    }
    if (strcasecmp(v, "false") == 0) {
        return false;
    }
    return dflt;
}
