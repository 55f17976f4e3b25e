/*
 * fuzz_properties.c — libFuzzer target for the .properties reader (sl_props_parse) and the
 * props map it fills: every parsed map must survive dup, lookup, subset and a JSON round trip.
 * Input: the raw bytes of a .properties file (not NUL-terminated). Never touches the disk.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "config/props.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_quiet_log();
    return 0;
}

/* Every key the parser stored must be found again, by lookup and in a copy. */
static void check_lookups(const sl_props *p)
{
    sl_props *d = sl_props_dup(p);
    FUZZ_CHECK(sl_props_equal(p, d), "dup differs");
    for (size_t i = 0; i < sl_props_count(p); i++) {
        const char *k = sl_props_key_at(p, i);
        const char *v = sl_props_value_at(p, i);
        FUZZ_CHECK(k != NULL && v != NULL, "entry %zu has a NULL key or value", i);
        FUZZ_CHECK(sl_props_has(p, k), "key %zu not found", i);
        FUZZ_CHECK(strcmp(sl_props_get(p, k), v) == 0, "key %zu reads back another value", i);
        (void)sl_props_get_long(p, k, 7);
        (void)sl_props_get_bool(p, k, true);
    }
    if (sl_props_count(p) > 0) {
        /* Prefix = the first key's first byte: exercises subset with and without stripping. */
        char prefix[2] = {sl_props_key_at(p, 0)[0], '\0'};
        sl_props *a = sl_props_subset(p, prefix, true);
        sl_props *b = sl_props_subset(p, prefix, false);
        FUZZ_CHECK(sl_props_count(a) <= sl_props_count(b), "stripped subset is larger");
        sl_props_free(a);
        sl_props_free(b);
        FUZZ_CHECK(sl_props_remove(d, sl_props_key_at(p, 0)), "remove of a present key failed");
        FUZZ_CHECK(sl_props_count(d) + 1 == sl_props_count(p), "remove did not shrink the map");
    }
    sl_props_free(d);
}

/* props → JSON → props is the identity whenever every string is valid UTF-8 (jansson's rule). */
static void check_json_round_trip(const sl_props *p)
{
    json_t *j = sl_props_to_json(p);
    FUZZ_CHECK(j != NULL, "to_json returned NULL");
    if (json_object_size(j) == sl_props_count(p)) {
        sl_props *back = sl_props_new();
        char err[256];
        FUZZ_CHECK(sl_props_from_json(j, back, err, sizeof err) == 0, "from_json: %s", err);
        FUZZ_CHECK(sl_props_equal(p, back), "JSON round trip changed the map");
        sl_props_free(back);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_props *p = sl_props_new();
    char err[256];
    if (sl_props_parse((const char *)data, size, p, err, sizeof err) == 0) {
        check_lookups(p);
        check_json_round_trip(p);
    } else {
        FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL, "no error message");
    }
    /* A tiny error buffer must still be respected. */
    sl_props *q = sl_props_new();
    char small[4];
    (void)sl_props_parse((const char *)data, size, q, small, sizeof small);
    sl_props_free(q);
    sl_props_free(p);
    return 0;
}
