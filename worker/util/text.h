/*
 * text.h — small text parsers shared by the config engine, the properties reader and the REST
 * router, so Java's number rules live in one place. Control plane only.
 */
#ifndef SL_TEXT_H
#define SL_TEXT_H

#include <stdbool.h>
#include <stdint.h>

/* The value of a hexadecimal digit, or -1. */
int sl_hex_digit(int c);
/* Java's Integer.parseInt / Long.parseLong: optional sign, decimal digits only, within [min, max].
 * No whitespace, no "0x", no trailing text. */
bool sl_parse_java_long(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
