/*
 * kwire.h — Kafka wire primitives: big-endian integers, (compact) strings, bytes and arrays,
 * unsigned varints, tagged fields, request framing (headers v1/v2) and response headers v0/v1.
 * The reader is bounds-checked with a sticky error: a malformed or truncated response makes every
 * later read return zero/NULL and sl_kw_ok() false; it never reads past the buffer.
 * Control plane only; never on a record path.
 */
#ifndef SL_DIST_KWIRE_H
#define SL_DIST_KWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---------------------------------------------------------------- writing (append to an sl_buf) */

void sl_kw_put_i8(sl_buf *b, int8_t v);
void sl_kw_put_i16(sl_buf *b, int16_t v);
void sl_kw_put_i32(sl_buf *b, int32_t v);
void sl_kw_put_i64(sl_buf *b, int64_t v);
void sl_kw_put_uvarint(sl_buf *b, uint32_t v);
/* STRING (flex: COMPACT_STRING). s == NULL writes the nullable null (-1 / varint 0). */
void sl_kw_put_str(sl_buf *b, bool flex, const char *s);
void sl_kw_put_strn(sl_buf *b, bool flex, const char *s, size_t len);
/* BYTES (flex: COMPACT_BYTES). p == NULL writes null. */
void sl_kw_put_bytes(sl_buf *b, bool flex, const void *p, size_t len);
/* Array count (flex: varint count+1); count < 0 writes a null array. */
void sl_kw_put_array_len(sl_buf *b, bool flex, int32_t count);
/* An empty TAGGED_FIELDS section (flex only; a no-op when !flex). */
void sl_kw_put_tags(sl_buf *b, bool flex);

/* Request framing: starts a frame in b (reset first): size placeholder, then request header v1
 * (flex_header false) or v2 (true). Finish with sl_kw_req_end, which patches the size. */
void sl_kw_req_begin(sl_buf *b, int16_t api_key, int16_t api_version, int32_t correlation_id,
                     const char *client_id, bool flex_header);
void sl_kw_req_end(sl_buf *b);

/* ---------------------------------------------------------------- reading */

typedef struct sl_kw_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool err;
} sl_kw_reader;

/* A borrowed string slice into the reader's buffer; ptr == NULL means null. */
typedef struct sl_kw_str {
    const char *ptr;
    size_t len;
} sl_kw_str;

void sl_kw_reader_init(sl_kw_reader *r, const void *p, size_t len);
bool sl_kw_ok(const sl_kw_reader *r);
size_t sl_kw_remaining(const sl_kw_reader *r);

int8_t sl_kw_get_i8(sl_kw_reader *r);
int16_t sl_kw_get_i16(sl_kw_reader *r);
int32_t sl_kw_get_i32(sl_kw_reader *r);
int64_t sl_kw_get_i64(sl_kw_reader *r);
uint32_t sl_kw_get_uvarint(sl_kw_reader *r); /* at most 5 bytes, else error */
/* STRING / NULLABLE_STRING (flex: compact). A null where !nullable is an error. */
sl_kw_str sl_kw_get_str(sl_kw_reader *r, bool flex, bool nullable);
/* BYTES / NULLABLE_BYTES (flex: compact). */
sl_kw_str sl_kw_get_bytes(sl_kw_reader *r, bool flex, bool nullable);
/* Array count; -1 for null (only when nullable, else an error). Rejects a count that could not
 * fit in the remaining bytes given min_elem_size bytes per element. */
int32_t sl_kw_get_array_len(sl_kw_reader *r, bool flex, bool nullable, size_t min_elem_size);
/* Skip a TAGGED_FIELDS section (no-op when !flex). */
void sl_kw_skip_tags(sl_kw_reader *r, bool flex);
void sl_kw_skip(sl_kw_reader *r, size_t n);

/* Copy a slice into out as a NUL-terminated string (truncated to outlen-1). "" for null. */
void sl_kw_str_copy(sl_kw_str s, char *out, size_t outlen);
/* malloc'ed NUL-terminated copy (NULL for null). */
char *sl_kw_str_dup(sl_kw_str s);

/* Response header: reads correlation_id (+ tagged fields when flex). Returns the id. */
int32_t sl_kw_get_resp_header(sl_kw_reader *r, bool flex);

/* Short name of a Kafka error code ("NOT_COORDINATOR"), "UNKNOWN" for others. */
const char *sl_kw_err_name(int16_t code);

#endif
